"""Tests for cnnviz.explain.activations: the layer table adds up, capture matches Captum, mosaics place."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torchvision
from captum.attr import LayerActivation
from torch import nn

from cnnviz.explain.activations import (
    FLOAT32_BYTES,
    capture,
    conv_layers,
    feature_layers,
    walk_layers,
    layer_table,
    map_stats,
    mosaic,
    top_k,
)
from cnnviz.models.builders import MODELS, ModelConfig
from tests.helpers import seeded_model

# Each arch on the input it was made for.
NATURAL_SHAPES = {"mlp": (1, 28, 28), "lenet5": (1, 28, 28), "tinyvgg": (3, 64, 64),
                  "vgg": (3, 32, 32), "resnet": (3, 32, 32)}


def _model(arch: str, **kw) -> nn.Module:
    return seeded_model(ModelConfig(arch, NATURAL_SHAPES[arch], **kw))


def _hooks_left(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


# --- hand-computed parameter counts ----------------------------------------------------------


def _conv(c_in: int, c_out: int, k: int, bias: bool = True) -> int:
    """A conv layer has c_out kernels of k*k*c_in weights, plus one bias each."""
    return c_out * (k * k * c_in + bias)


def _fc(n_in: int, n_out: int) -> int:
    return n_out * (n_in + 1)


def _vgg16_count() -> int:
    widths = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    convs = sum(_conv(c_in, c_out, 3) for c_in, c_out in zip([3] + widths, widths))
    return convs + _fc(512 * 7 * 7, 4096) + _fc(4096, 4096) + _fc(4096, 1000)


def _resnet18_count() -> int:
    bn = 2  # BatchNorm2d: a scale and a shift per channel
    total = _conv(3, 64, 7, bias=False) + bn * 64 + _fc(512, 1000)
    c_in = 64
    for c_out in (64, 128, 256, 512):
        for block in range(2):
            first = c_in if block == 0 else c_out
            total += _conv(first, c_out, 3, False) + _conv(c_out, c_out, 3, False) + 2 * bn * c_out
            if first != c_out:  # 1x1 projection shortcut with its BatchNorm
                total += _conv(first, c_out, 1, False) + bn * c_out
        c_in = c_out
    return total


def _alexnet_count() -> int:
    convs = (_conv(3, 64, 11) + _conv(64, 192, 5) + _conv(192, 384, 3) + _conv(384, 256, 3)
             + _conv(256, 256, 3))
    return convs + _fc(256 * 6 * 6, 4096) + _fc(4096, 4096) + _fc(4096, 1000)


def test_hand_counts_match_the_published_numbers() -> None:
    lenet = _conv(1, 6, 5) + _conv(6, 16, 5) + _fc(16 * 5 * 5, 120) + _fc(120, 84) + _fc(84, 10)
    assert (lenet, _vgg16_count(), _resnet18_count(), _alexnet_count()) == (
        61_706, 138_357_544, 11_689_512, 61_100_840)


# --- layer table ------------------------------------------------------------------------------


@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("arch", sorted(MODELS))
def test_rows_add_up_for_every_arch(arch: str, batchnorm: bool) -> None:
    model = _model(arch, batchnorm=batchnorm, dropout=0.5)
    shape = NATURAL_SHAPES[arch]
    rows, totals = layer_table(model, shape)
    total = sum(p.numel() for p in model.parameters())
    assert sum(r.params for r in rows) == totals["total_params"] == total
    assert sum(r.trainable for r in rows) == totals["trainable_params"] == total
    assert totals["param_bytes"] == 4 * total
    assert totals["in_shape"] == shape and totals["out_shape"] == (10,)
    # every leaf module has exactly one row
    names = [r.name for r in rows]
    assert len(names) == len(set(names))
    for name, module in model.named_modules():
        if not list(module.children()):
            assert name in names or not name


def test_lenet5_table_is_as_computed_by_hand() -> None:
    rows, totals = layer_table(_model("lenet5"), (1, 28, 28))
    table = {r.name: (r.kind, r.out_shape, r.params) for r in rows}
    assert totals["total_params"] == 61_706
    assert table["conv1"] == ("Conv2d", (6, 28, 28), _conv(1, 6, 5))
    assert table["pool1"] == ("AvgPool2d", (6, 14, 14), 0)
    assert table["conv2"] == ("Conv2d", (16, 10, 10), _conv(6, 16, 5))
    assert table["pool2"] == ("AvgPool2d", (16, 5, 5), 0)
    assert table["flatten"] == ("Flatten", (400,), 0)
    assert table["fc"] == ("Linear", (10,), _fc(84, 10))
    assert [r.name for r in rows][:3] == ["conv1", "act1", "pool1"]
    by_name = {r.name: r for r in rows}
    assert by_name["conv1"].act_bytes == 6 * 28 * 28 * FLOAT32_BYTES
    # all leaves, one call each; Flatten only views pool2's output
    assert not by_name["flatten"].allocates and sum(not r.allocates for r in rows) == 1
    assert totals["act_bytes_total"] == sum(r.act_bytes for r in rows) - 400 * FLOAT32_BYTES
    assert all(r.depth == 0 and r.calls == 1 and r.leaf for r in rows)


def test_resnet_blocks_get_a_row_and_children_indent() -> None:
    model = _model("resnet", batchnorm=True)
    rows, _ = layer_table(model, (3, 32, 32))
    by_name = {r.name: r for r in rows}
    block = by_name["stage2"]
    assert (block.kind, block.depth, block.leaf, block.params) == ("BasicBlock", 0, False, 0)
    assert block.out_shape == (64, 16, 16)
    assert by_name["stage2.conv1"].depth == 1
    # the shortcut nn.Sequential has no row; its conv and BN do, one level below the block
    assert "stage2.shortcut" not in by_name
    assert by_name["stage2.shortcut.0"].params == _conv(32, 64, 1, bias=False)
    assert by_name["stage2.shortcut.0"].depth == 1
    names = [r.name for r in rows]
    assert names.index("stage2") < names.index("stage2.conv1")  # tree order: block first


TORCHVISION = {
    "vgg16": (torchvision.models.vgg16, _vgg16_count),
    "resnet18": (torchvision.models.resnet18, _resnet18_count),
    "alexnet": (torchvision.models.alexnet, _alexnet_count),
}


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_torchvision_tables_add_up(name: str) -> None:
    builder, count = TORCHVISION[name]
    with torch.device("meta"):  # shapes only: no memory, no init time
        model = builder(weights=None)
    rows, totals = layer_table(model, (3, 224, 224))
    assert sum(r.params for r in rows) == totals["total_params"] == count()
    assert totals["out_shape"] == (1000,)
    assert rows[-1].out_shape == (1000,)


def test_torchvision_resnet18_reused_relu_and_blocks() -> None:
    with torch.device("meta"):
        model = torchvision.models.resnet18(weights=None)
    rows, totals = layer_table(model, (3, 224, 224))
    by_name = {r.name: r for r in rows}
    assert by_name["conv1"].out_shape == (64, 112, 112)
    assert by_name["layer4.1"].out_shape == (512, 7, 7)
    assert by_name["layer1.0.relu"].calls == 2  # torchvision applies one ReLU module twice
    assert by_name["layer2.0.downsample.0"].params == _conv(64, 128, 1, bias=False)
    leaves = [r for r in rows if r.leaf]
    assert totals["act_bytes_all_outputs"] == sum(r.act_bytes * r.calls for r in leaves)
    # torchvision's ReLUs are in place: they reuse the memory of what they rectify
    assert not by_name["relu"].allocates and not by_name["layer1.0.relu"].allocates
    assert by_name["layer1.0.conv1"].allocates
    assert totals["act_bytes_total"] == sum(r.act_bytes * r.calls for r in leaves if r.allocates)


def test_vgg16_activation_memory_counts_what_is_allocated() -> None:
    """Conv, pool and linear outputs by hand; the 15 in-place ReLUs and 2 eval Dropouts add 0."""
    with torch.device("meta"):
        model = torchvision.models.vgg16(weights=None)
    rows, totals = layer_table(model, (3, 224, 224))
    blocks = [(224, 64, 2), (112, 128, 2), (56, 256, 3), (28, 512, 3), (14, 512, 3)]
    convs = sum(side * side * ch * n for side, ch, n in blocks)
    pools = sum((side // 2) ** 2 * ch for side, ch, _ in blocks) + 7 * 7 * 512  # + AdaptiveAvgPool
    linear = 4096 + 4096 + 1000
    assert totals["act_bytes_total"] == (convs + pools + linear) * FLOAT32_BYTES
    relus = sum(side * side * ch * n for side, ch, n in blocks) + 4096 + 4096
    dropouts = 4096 + 4096
    assert totals["act_bytes_all_outputs"] == totals["act_bytes_total"] + (relus + dropouts) * FLOAT32_BYTES
    reused = [r.kind for r in rows if not r.allocates]
    assert reused.count("ReLU") == 15 and reused.count("Dropout") == 2 and len(reused) == 17


def test_inplace_and_view_outputs_allocate_nothing() -> None:
    def net(inplace: bool) -> nn.Sequential:
        return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(inplace=inplace), nn.Dropout(0.5),
                             nn.Identity(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    _, copying = layer_table(net(False), (1, 6, 6))
    rows, reusing = layer_table(net(True), (1, 6, 6))
    conv, relu = 2 * 4 * 4 * FLOAT32_BYTES, 2 * 4 * 4 * FLOAT32_BYTES
    assert copying["act_bytes_total"] == conv + relu + 3 * FLOAT32_BYTES
    assert reusing["act_bytes_total"] == conv + 3 * FLOAT32_BYTES
    assert [r.allocates for r in rows] == [True, False, False, False, False, True]


def test_frozen_params_and_root_params_are_counted() -> None:
    class WithToken(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(torch.ones(3))  # owned by the root itself
            self.body = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.body(x * self.scale.view(1, 3, 1, 1))

    model = WithToken()
    model.body[0].weight.requires_grad_(False)
    rows, totals = layer_table(model, (3, 8, 8))
    by_name = {r.name: r for r in rows}
    assert by_name[""].params == 3 and by_name["body.0"].params == 4 * 27 + 4
    assert by_name["body.0"].trainable == 4  # only the bias
    assert totals["trainable_params"] == sum(r.trainable for r in rows) == 3 + 4
    assert totals["total_params"] == sum(r.params for r in rows) == 3 + 112


def test_layer_table_restores_modes_and_leaves_state_alone() -> None:
    model = _model("resnet", batchnorm=True).train()
    model.stage1.eval()  # mixed modes must come back exactly
    modes = {n: m.training for n, m in model.named_modules()}
    before = {k: v.clone() for k, v in model.state_dict().items()}
    layer_table(model, (3, 32, 32))
    assert {n: m.training for n, m in model.named_modules()} == modes
    for k, v in model.state_dict().items():  # eval mode: BN running stats untouched
        assert torch.equal(v, before[k]), k
    assert _hooks_left(model) == 0


def test_out_shapes_equal_the_captured_shapes() -> None:
    for arch, shape in NATURAL_SHAPES.items():
        model = _model(arch, batchnorm=True)
        rows, _ = layer_table(model, shape)
        _, acts = capture(model, torch.randn(2, *shape))
        assert list(acts) == [r.name for r in rows]
        for r in rows:
            assert acts[r.name].shape == (2, *r.out_shape), (arch, r.name)


# --- capture ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("arch", "layers"), [
    ("lenet5", ["conv1", "act1", "pool2", "fc1", "fc"]),
    ("tinyvgg", ["conv1_1", "act1_2", "pool1", "conv2_2", "flatten"]),
    ("resnet", ["conv_stem", "stage1", "stage2.conv1", "stage2.shortcut", "stage2.act2", "gap"]),
])
def test_capture_equals_captum(arch: str, layers: list[str]) -> None:
    model = _model(arch, batchnorm=arch == "resnet")
    torch.manual_seed(1)
    x = torch.randn(3, *NATURAL_SHAPES[arch])
    logits, acts = capture(model, x, layers)
    assert list(acts) == layers
    assert torch.equal(logits, model(x))
    modules = dict(model.named_modules())
    for name in layers:
        expected = LayerActivation(model, modules[name]).attribute(x)
        assert acts[name].device == x.device
        torch.testing.assert_close(acts[name], expected, rtol=0, atol=1e-6)


def test_capture_sees_values_before_an_inplace_relu() -> None:
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()  # its ReLUs are in place
    x = torch.randn(1, 3, 32, 32)
    _, acts = capture(model, x, ["bn1", "relu", "layer1.0.relu", "layer1.0"])
    with torch.no_grad():
        pre = model.bn1(model.conv1(x))
    assert (pre < 0).any()
    torch.testing.assert_close(acts["bn1"], pre, rtol=0, atol=0)
    torch.testing.assert_close(acts["relu"], pre.clamp(min=0), rtol=0, atol=0)
    # a module used twice shows its last call, like Captum: here the block's output
    torch.testing.assert_close(acts["layer1.0.relu"], acts["layer1.0"], rtol=0, atol=0)
    captum = LayerActivation(model, model.layer1[0].relu).attribute(x)
    torch.testing.assert_close(acts["layer1.0.relu"], captum, rtol=0, atol=1e-6)


def test_capture_under_no_grad_and_with_grad_inputs() -> None:
    model = _model("lenet5")
    x = torch.randn(1, 1, 28, 28, requires_grad=True)
    with torch.no_grad():
        logits, acts = capture(model, x)
    assert not logits.requires_grad and not any(a.requires_grad for a in acts.values())
    logits2, acts2 = capture(model, x)  # outside no_grad too
    assert torch.equal(logits, logits2) and acts.keys() == acts2.keys()


def test_capture_removes_hooks_when_the_forward_raises() -> None:
    model = _model("lenet5")
    with pytest.raises(RuntimeError):
        capture(model, torch.randn(1, 3, 28, 28))  # 3 channels into a 1-channel conv
    assert _hooks_left(model) == 0
    with pytest.raises(RuntimeError):
        layer_table(model, (3, 28, 28))
    assert _hooks_left(model) == 0 and model.training is False
    capture(model, torch.randn(1, 1, 28, 28))
    assert _hooks_left(model) == 0


def test_capture_unknown_layer_lists_valid_names() -> None:
    model = _model("lenet5")
    with pytest.raises(KeyError, match=r"conv9.*valid names.*'conv1'"):
        capture(model, torch.randn(1, 1, 28, 28), ["conv1", "conv9"])
    assert _hooks_left(model) == 0


def test_feature_and_conv_layers() -> None:
    model = _model("resnet", batchnorm=False)
    rows, _ = layer_table(model, (3, 32, 32))
    feats = feature_layers(model, (3, 32, 32))
    modules = dict(model.named_modules())
    expected = [r.name for r in rows if len(r.out_shape) == 3
                and not isinstance(modules[r.name], nn.Identity)]
    assert feats == expected
    assert "stage1.bn1" not in feats and "stage1" in feats and "gap" in feats  # Identity out
    assert "flatten" not in feats and "fc" not in feats
    assert conv_layers(model) == ["conv_stem", "stage1.conv1", "stage1.conv2", "stage2.conv1",
                                  "stage2.conv2", "stage2.shortcut.0"]
    lenet = _model("lenet5")
    assert feature_layers(lenet, (1, 28, 28)) == ["conv1", "act1", "pool1", "conv2", "act2",
                                                  "pool2"]


def test_the_walk_covers_every_row_of_the_table() -> None:
    lenet = _model("lenet5")
    rows, _ = layer_table(lenet, (1, 28, 28))
    assert walk_layers(lenet, (1, 28, 28)) == [r.name for r in rows]  # all 12, fully connected ones too
    assert walk_layers(lenet, (1, 28, 28))[6:] == ["flatten", "fc1", "act3", "fc2", "act4", "fc"]
    resnet = _model("resnet", batchnorm=False)
    walk = walk_layers(resnet, (3, 32, 32))
    assert "stage1.bn1" not in walk and walk[-2:] == ["flatten", "fc"]  # Identity left out
    _, acts = capture(lenet, torch.randn(1, 1, 28, 28), walk_layers(lenet, (1, 28, 28)))
    assert acts["fc1"].shape == (1, 120) and acts["fc"].shape == (1, 10)


# --- mosaic -----------------------------------------------------------------------------------


def _maps(c: int, h: int, w: int) -> np.ndarray:
    return np.random.default_rng(c * 100 + h * 10 + w).standard_normal((c, h, w)).astype(
        np.float32)


def test_mosaic_places_every_map_and_pads_with_nan() -> None:
    maps = _maps(5, 3, 4)
    m = mosaic(torch.from_numpy(maps))
    assert (m.rows, m.cols, m.tile, m.order) == (2, 3, (3, 4), [0, 1, 2, 3, 4])
    assert m.image.dtype == np.float32 and m.image.shape == (2 * 3 + 1, 3 * 4 + 2)
    covered = np.zeros(m.image.shape, dtype=bool)
    for i in range(5):
        r, c = divmod(i, 3)
        top, left = r * 4, c * 5  # tile side + 1 pixel of padding
        np.testing.assert_array_equal(m.image[top:top + 3, left:left + 4], maps[i])
        covered[top:top + 3, left:left + 4] = True
    assert np.isnan(m.image[~covered]).all()  # gaps and the empty sixth cell


def test_channel_at_roundtrips_every_pixel() -> None:
    maps = _maps(7, 2, 3)
    order = [6, 2, 0, 5, 1, 4, 3]
    m = mosaic(maps, cols=3, pad=2, order=order)
    assert m.order == order and (m.rows, m.cols) == (3, 3)
    seen = {c: 0 for c in range(7)}
    for row in range(m.image.shape[0]):
        for col in range(m.image.shape[1]):
            channel = m.channel_at(row, col)
            if channel is None:
                assert np.isnan(m.image[row, col])
                continue
            seen[channel] += 1
            # the pixel's value comes from that channel, at the matching offset in its tile
            assert m.image[row, col] == maps[channel, row % 4, col % 5]
    assert seen == {c: 6 for c in range(7)}  # every map, all 2*3 pixels
    for outside in [(-1, 0), (0, -1), (m.image.shape[0], 0), (0, m.image.shape[1])]:
        assert m.channel_at(*outside) is None


def test_mosaic_order_sorts_and_selects() -> None:
    maps = _maps(6, 2, 2)
    by_mean = sorted(range(6), key=lambda c: -maps[c].mean())
    m = mosaic(maps, order=by_mean[:4], pad=0)
    assert (m.rows, m.cols, m.image.shape) == (2, 2, (4, 4))
    assert not np.isnan(m.image).any()
    np.testing.assert_array_equal(m.image[:2, :2], maps[by_mean[0]])
    np.testing.assert_array_equal(m.image[2:, 2:], maps[by_mean[3]])
    assert mosaic(maps, cols=10).cols == 6  # more columns than maps: one row


@pytest.mark.parametrize("bad", [
    {"maps": np.zeros((2, 3))}, {"maps": np.zeros((0, 2, 2))}, {"cols": 0}, {"pad": -1},
    {"order": [0, 0]}, {"order": [4]}, {"order": []},
])
def test_mosaic_rejects_bad_arguments(bad: dict) -> None:
    kwargs = {"maps": np.zeros((4, 2, 2)), **bad}
    with pytest.raises(ValueError):
        mosaic(**kwargs)


def test_map_stats() -> None:
    maps = torch.randn(4, 5, 6, generator=torch.Generator().manual_seed(0))
    stats = map_stats(maps)
    assert [s["channel"] for s in stats] == [0, 1, 2, 3]
    for s, m in zip(stats, maps):
        assert s["min"] == pytest.approx(m.min().item())
        assert s["max"] == pytest.approx(m.max().item())
        assert s["mean"] == pytest.approx(m.mean().item(), abs=1e-6)


# --- top-k ------------------------------------------------------------------------------------


def test_top_k_against_softmax() -> None:
    logits = torch.randn(1, 10, generator=torch.Generator().manual_seed(3))
    classes = [f"c{i}" for i in range(10)]
    probs = torch.softmax(logits[0], 0)
    result = top_k(logits, classes, k=3)
    ranked = probs.argsort(descending=True)
    assert [name for name, _ in result] == [classes[i] for i in ranked[:3]]
    for (_, p), i in zip(result, ranked[:3]):
        assert p == pytest.approx(probs[i].item(), rel=1e-6)
    everything = top_k(logits[0], classes, k=50)  # clipped to the 10 classes
    assert len(everything) == 10 and math.isclose(sum(p for _, p in everything), 1.0)
    assert all(a[1] >= b[1] for a, b in zip(everything, everything[1:]))


def test_top_k_rejects_mismatches() -> None:
    with pytest.raises(ValueError):
        top_k(torch.zeros(5), ["a", "b"])
    with pytest.raises(ValueError):
        top_k(torch.zeros(2, 2), ["a", "b"])
    with pytest.raises(ValueError):
        top_k(torch.zeros(2), ["a", "b"], k=0)
