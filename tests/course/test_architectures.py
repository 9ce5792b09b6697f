"""The architecture walk against PyTorch and the course's arithmetic: VGG-16's table, LeNet-5's
61,706 parameters, multiply-adds against torch's FLOP counter, memory against the layer table,
receptive fields against a brute-force gradient, the inception module's multiplication counts,
and the confusion matrix of a shipped model."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models.googlenet import Inception
from torchvision.models.resnet import BasicBlock
from torchvision.models.vgg import make_layers

from cnnviz.course.archexplain import idea_numbers, row_formulas, total_params_line
from cnnviz.course.architectures import ARCHITECTURES, build, totals, walk, walk_of
from cnnviz.course.confusion import cell_members, confusion, confusion_matrix
from cnnviz.course.inception import CourseInception, InceptionWidths, multiplications, out_channels, params_of, terms
from cnnviz.data.datasets import DATASETS, Split
from cnnviz.explain.activations import layer_table
from cnnviz.models.builders import ModelConfig, build_model
from cnnviz.models.checkpoints import load_checkpoint
from cnnviz.models.shipped import FOLDER, SHIPPED
from cnnviz.train.engine import DeviceData, evaluate

VGG16_CONVS = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def rows_by_key(arch: str) -> dict:
    return {r.key: r for r in walk_of(arch)}


# ---------------------------------------------------------------------------------------------
# The course's numbers


def test_vgg16_first_layer_as_the_course_writes_it() -> None:
    conv = rows_by_key("vgg16")["conv1_1"]
    assert conv.out_shape == (64, 224, 224)
    assert conv.values == 224 * 224 * 64 == 3_211_264
    assert conv.weight_count == 3 * 3 * 3 * 64 == 1_728
    assert conv.weights[0].text() == "3·3·3·64 = 1,728"
    assert conv.params == 1_728 + 64
    assert conv.mac_count == 224 * 224 * 64 * 3 * 3 * 3


def test_vgg16_first_fully_connected_layer() -> None:
    fc1 = rows_by_key("vgg16")["fc1"]
    assert fc1.weight_count == 7 * 7 * 512 * 4096 == 102_760_448
    assert fc1.weights[0].text() == "7·7·512·4096 = 102,760,448"
    assert fc1.biases == 4096


def test_vgg16_totals_and_memory_per_picture() -> None:
    model = build("vgg16")
    rows = walk_of("vgg16")
    total = totals(rows, (3, 224, 224))
    assert total.params == sum(p.numel() for p in model.parameters()) == 138_357_544
    biases = sum(c for c in VGG16_CONVS if c != "M") + 4096 + 4096 + 1000
    assert total.weights == total.params - biases
    # By hand: every conv and pool output, the (no-op) 7x7 average pool, the three FC outputs;
    # ReLU works in place and Dropout in eval mode returns its input, so they take nothing.
    pool_channels = [64, 128, 256, 512, 512]
    expected = sum(c * 224 * 224 // 4 ** b for b, block in enumerate([[64, 64], [128, 128], [256] * 3, [512] * 3,
                                                                      [512] * 3]) for c in block)
    expected += sum(c * (112 // 2 ** b) ** 2 for b, c in enumerate(pool_channels))  # pool1..pool5
    expected += 512 * 7 * 7 + 4096 + 4096 + 1000
    assert total.allocated == expected
    assert total.memory_values == expected + 3 * 224 * 224
    _, table_totals = layer_table(model, (3, 224, 224))
    assert total.allocated * 4 == table_totals["act_bytes_total"]


def test_lenet5_parameters_layer_by_layer() -> None:
    rows = rows_by_key("lenet5")
    by_formula = {"conv1": 6 * (5 * 5 * 1 + 1), "conv2": 16 * (5 * 5 * 6 + 1), "fc1": 120 * (16 * 5 * 5 + 1),
                  "fc2": 84 * (120 + 1), "fc": 10 * (84 + 1)}
    assert {k: rows[k].params for k in by_formula} == by_formula
    assert sum(r.params for r in rows.values()) == sum(by_formula.values()) == 61_706
    assert rows["fc1"].weights[0].text() == "5·5·16·120 = 48,000"  # after the flattened 16x5x5 map


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_parameters_and_multiply_adds_match_torch(arch: str) -> None:
    model = build(arch)
    rows = walk_of(arch)
    assert sum(r.params for r in rows) == sum(p.numel() for p in model.parameters())
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, *ARCHITECTURES[arch].in_shape, device="meta"))
    assert 2 * sum(r.mac_count for r in rows) == counter.get_total_flops()  # one multiply-add = 2 FLOPs


@pytest.mark.parametrize("arch", ["lenet5", "alexnet", "vgg16", "resnet18"])
def test_memory_matches_the_layer_table(arch: str) -> None:
    """Blocks count what their inside allocates; the layer table lists the same leaves one by one."""
    model = build(arch)
    _, table = layer_table(model, ARCHITECTURES[arch].in_shape)
    assert sum(r.allocated for r in walk_of(arch)) * 4 == table["act_bytes_total"]


def test_output_shapes_follow_the_model() -> None:
    for arch, a in ARCHITECTURES.items():
        rows = walk_of(arch)
        with torch.no_grad():
            out = build(arch)(torch.zeros(1, *a.in_shape, device="meta"))
        assert rows[-1].out_shape == tuple(out.shape[1:])
        for before, after in zip(rows, rows[1:]):  # a chain: each row reads what the previous made
            assert after.in_shape in (before.out_shape, (math.prod(before.out_shape),))


def test_course_layer_names() -> None:
    keys = [r.key for r in walk_of("vgg16")]
    convs = [k for k in keys if k.startswith("conv")]
    assert convs == [f"conv{b}_{i}" for b, n in enumerate([2, 2, 3, 3, 3], 1) for i in range(1, n + 1)]
    assert [k for k in keys if k.startswith(("pool", "fc"))] == [f"pool{b}" for b in range(1, 6)] + ["fc1", "fc2", "fc3"]
    assert len(set(keys)) == len(keys)
    for arch in ARCHITECTURES:
        assert len({r.key for r in walk_of(arch)}) == len(walk_of(arch))


# ---------------------------------------------------------------------------------------------
# Receptive fields against a brute-force gradient


def _linearised(model: nn.Module) -> nn.Module:
    """Same geometry, positive weights, no ReLU and average instead of max pooling: the gradient of
    one output then reaches exactly the input pixels that output depends on."""
    m = copy.deepcopy(model).float()
    for module in list(m.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.MaxPool2d):
                assert child.dilation in (1, (1, 1))
                setattr(module, name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding,
                                                   ceil_mode=child.ceil_mode))
            elif isinstance(child, (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.LeakyReLU, nn.SiLU)):
                setattr(module, name, nn.Identity())
    with torch.no_grad():
        for p_name, p in m.named_parameters():
            p.fill_(0.0 if p_name.endswith("bias") else 1.0)
    return m.eval()


def brute_force_field(model: nn.Module, channels: int, side: int) -> tuple[int, int]:
    """(side of the input region that reaches the centre output, distance between neighbours' regions)."""
    m = _linearised(model)
    x = torch.ones(1, channels, side, side, requires_grad=True)
    out = m(x)
    h, w = out.shape[-2:]
    starts = []
    for col in (w // 2, w // 2 + 1):
        # every channel at that position: a concatenation's channels see as far as their branch
        (grad,) = torch.autograd.grad(out[0, :, h // 2, min(col, w - 1)].sum(), x, retain_graph=True)
        cols = torch.nonzero(grad[0].abs().sum(0).sum(0)).flatten()
        rows = torch.nonzero(grad[0].abs().sum(0).sum(1)).flatten()
        assert 0 < int(rows.min()) and int(rows.max()) < side - 1, "the field reaches the border: use a larger side"
        starts.append(int(cols.min()))
        if col == w // 2:
            field = int(rows.max() - rows.min() + 1)
            assert field == int(cols.max() - cols.min() + 1)
    return field, starts[1] - starts[0]


def _small_nets() -> dict[str, tuple[nn.Module, int, int]]:
    """name -> (model, input channels, input side)."""
    down = nn.Sequential(nn.Conv2d(4, 6, 1, stride=2), nn.BatchNorm2d(6))
    return {
        "strides_and_dilation": (nn.Sequential(
            nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 2, 3, stride=2, dilation=2),
            nn.AvgPool2d(3, stride=2), nn.Conv2d(2, 2, 5, padding=2)), 1, 96),
        "residual_blocks": (nn.Sequential(
            nn.Conv2d(1, 4, 7, stride=2, padding=3), nn.MaxPool2d(3, 2, 1), BasicBlock(4, 4),
            BasicBlock(4, 6, stride=2, downsample=down)), 1, 96),
        "inception_blocks": (nn.Sequential(
            nn.Conv2d(1, 4, 3), Inception(4, 2, 2, 2, 2, 2, 2), nn.MaxPool2d(3, 2, ceil_mode=True),
            Inception(8, 2, 2, 2, 2, 2, 2)), 1, 48),
        "zoo_resnet": (build_model(ModelConfig("resnet", (1, 32, 32), depth=3, width=4)), 1, 64),
        "zoo_lenet5_features": (build_model(ModelConfig("lenet5", (1, 28, 28)))[:6], 1, 48),
        "vgg16_geometry": (make_layers([1 if c != "M" else c for c in VGG16_CONVS]), 3, 256),
    }


def _spatial_prefixes(model: nn.Module, rows: list) -> list[tuple[nn.Module, object]]:
    modules = dict(model.named_modules())
    out = []
    for i, row in enumerate(rows):
        if len(row.out_shape) == 3 and row.out_shape[1] > 1:
            out.append((nn.Sequential(*[modules[r.module] for r in rows[:i + 1]]), row))
    return out


SMALL_NETS = ["strides_and_dilation", "residual_blocks", "inception_blocks", "zoo_resnet", "zoo_lenet5_features",
              "vgg16_geometry"]
SLOW_NETS = {"vgg16_geometry"}  # a brute-force walk over VGG-16's 13 convolutions: seconds


def test_small_nets_are_all_tested() -> None:
    assert sorted(_small_nets()) == sorted(SMALL_NETS)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_NETS else n
                                  for n in SMALL_NETS])
def test_receptive_fields_match_brute_force(name: str) -> None:
    model, channels, side = _small_nets()[name]
    model.eval()
    rows = walk(model, (channels, side, side))
    checked = 0
    for prefix, row in _spatial_prefixes(model, rows):
        if row.rf is None or row.rf >= side - 2:
            continue
        field, jump = brute_force_field(prefix, channels, side)
        assert (field, jump) == (row.rf, row.jump), row.key
        checked += 1
    assert checked >= 3


def test_vgg16_geometry_twin_has_the_same_fields() -> None:
    """Receptive fields do not depend on channel counts: the 1-channel twin tested above is VGG-16."""
    twin = walk(make_layers([1 if c != "M" else c for c in VGG16_CONVS]), (3, 224, 224))
    real = [r for r in walk_of("vgg16") if r.module.startswith("features.")]
    assert [(r.rf, r.jump) for r in twin] == [(r.rf, r.jump) for r in real]
    assert real[-1].rf == 212 and rows_by_key("vgg16")["conv5_3"].rf == 196


def test_fully_connected_rows_see_the_whole_picture() -> None:
    for arch in ARCHITECTURES:
        for row in walk_of(arch):
            if row.kind == "Linear":
                assert row.rf is None


# ---------------------------------------------------------------------------------------------
# Inception module


def test_naive_inception_multiplications_as_the_course_counts_them() -> None:
    w = InceptionWidths()
    naive = 28 * 28 * 128 * 1 * 1 * 256 + 28 * 28 * 192 * 3 * 3 * 256 + 28 * 28 * 96 * 5 * 5 * 256
    assert multiplications(w, bottleneck=False) == naive
    assert round(naive / 1e6) == 854
    assert [t.product.text() for t in terms(w, False)][0] == "28·28·128·1·1·256 = 25,690,112"


def test_bottleneck_inception_multiplications() -> None:
    w = InceptionWidths()
    by_hand = (28 * 28 * 128 * 256 + 28 * 28 * 64 * 256 + 28 * 28 * 192 * 3 * 3 * 64 + 28 * 28 * 64 * 256
               + 28 * 28 * 96 * 5 * 5 * 64 + 28 * 28 * 64 * 256)
    assert multiplications(w, bottleneck=True) == by_hand
    assert multiplications(w, True) < multiplications(w, False) / 3


@pytest.mark.parametrize("bottleneck", [False, True])
@pytest.mark.parametrize("widths", [InceptionWidths(), InceptionWidths(reduce3=96, reduce5=16, pool_proj=32),
                                    InceptionWidths(side=14, c_in=480, n1x1=192, n3x3=208, n5x5=48)])
def test_inception_counts_match_the_real_module(widths: InceptionWidths, bottleneck: bool) -> None:
    with torch.device("meta"):
        module = CourseInception(widths, bottleneck)
    x = torch.zeros(1, widths.c_in, widths.side, widths.side, device="meta")
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out = module(x)
    assert counter.get_total_flops() == 2 * multiplications(widths, bottleneck)
    assert tuple(out.shape[1:]) == (out_channels(widths, bottleneck), widths.side, widths.side)
    assert params_of(widths, bottleneck) == sum(p.numel() for p in module.parameters())


# ---------------------------------------------------------------------------------------------
# Confusion matrix


def test_confusion_matrix_counts_pairs() -> None:
    labels = np.array([0, 0, 1, 2, 2, 2])
    preds = np.array([0, 1, 1, 2, 0, 2])
    m = confusion_matrix(labels, preds, 3)
    assert m.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


def test_confusion_of_a_shipped_model_reproduces_its_accuracy(tmp_path: Path) -> None:
    name = "tinyvgg_shapes"
    model, info = load_checkpoint(FOLDER / f"{name}.safetensors")
    result = confusion(name, model, cache_dir=str(tmp_path))
    recipe = SHIPPED[name]
    assert result.matrix.sum() == recipe.n_val
    assert result.accuracy == pytest.approx(info.metrics["val_acc"], abs=1 / recipe.n_val)
    assert result.matrix.sum(axis=1).tolist() == np.bincount(result.labels, minlength=10).tolist()
    x, y = torch.from_numpy(result.images.copy()), torch.from_numpy(result.labels.copy())
    data = DeviceData(Split(x[:0], y[:0], x, y), DATASETS[recipe.dataset], "cpu", recipe.train.normalize)
    _, acc = evaluate(model, data, data.x_val, data.y_val)
    assert result.accuracy == pytest.approx(acc, abs=1e-12)
    wrong = np.argwhere(result.matrix - np.diag(np.diag(result.matrix)))
    assert len(wrong) > 0, "a model with no mistakes cannot test the off-diagonal cells"
    i, j = wrong[0]
    members = cell_members(result, int(i), int(j))
    assert len(members) == result.matrix[i, j]
    assert (result.labels[members] == i).all() and (result.predictions[members] == j).all()


# ---------------------------------------------------------------------------------------------
# Formulas and ideas


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_every_formula_ends_in_the_rows_own_number(arch: str) -> None:
    rows = walk_of(arch)
    for i, row in enumerate(rows):
        formulas = dict(row_formulas(rows, i))
        assert formulas["arch_f_values"].endswith(f"{row.values:,}")
        assert formulas["arch_f_memory"].endswith(f"= {row.bytes:,} B")
        if row.kernel and not row.ceil:  # every plain conv / pool gets its output-size formula
            assert formulas["arch_f_side"].endswith(f"= {row.out_shape[1]}"), row.key
        if row.rf is not None:
            assert f"= {row.rf}," in formulas["arch_f_rf"] and formulas["arch_f_rf"].endswith(f"= {row.jump}")
        if row.params:
            assert formulas["arch_f_params"].endswith(f"= {row.params:,}")


def test_ideas_are_read_from_the_models() -> None:
    def idea(arch: str) -> dict:
        rows = walk_of(arch)
        return idea_numbers(arch, rows, totals(rows, ARCHITECTURES[arch].in_shape))

    assert idea("lenet5")["sides"] == "28 → 28 → 14 → 10 → 5" and idea("lenet5")["widths"] == "400 → 120 → 84 → 10"
    alex = idea("alexnet")
    assert (alex["k"], alex["s"], alex["overlap"], alex["p"], alex["pools"]) == (3, 2, 1, 0.5, 3)
    vgg = idea("vgg16")
    assert (vgg["side2"], vgg["side3"], vgg["convs"]) == (5, 7, 13)
    assert vgg["stacked2"] == 2 * 9 * 256 * 256 < vgg["single2"] == 25 * 256 * 256
    assert idea("googlenet")["modules"] == 9
    resnet = idea("resnet18")
    assert (resnet["blocks"], resnet["projected"], resnet["identity"], resnet["layers"]) == (8, 3, 5, 18)
    assert total_params_line(walk_of("lenet5")) == "156 + 2,416 + 48,120 + 10,164 + 850 = 61,706"
