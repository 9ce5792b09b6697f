"""cnnviz.explain.attribution against Captum called directly, the Grad-CAM formula, and hand computations."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum.attr import (
    GuidedBackprop,
    GuidedGradCam,
    IntegratedGradients,
    LayerActivation,
    LayerAttribution,
    LayerConductance,
    LayerGradCam,
    LayerGradientXActivation,
    LayerIntegratedGradients,
    NoiseTunnel,
    Occlusion,
    Saliency,
)
from torch import nn

from cnnviz.explain.attribution import (
    MESSAGES,
    METHODS,
    AttributionError,
    attribute,
    gradcam_all,
    normalise_map,
    param_range,
    predict_target,
    randomized_copy,
    spatial_layers,
)
from cnnviz.models.builders import ModelConfig, build_model
from tests.helpers import seeded_model

# One torch thread: models this small gain nothing from intra-op threads; on a busy 2-core machine
# their synchronisation made this file 4x slower.
pytestmark = [pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU"),
              pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require"),
              pytest.mark.usefixtures("one_thread")]

# (config, layer for layer methods and Guided Grad-CAM, its output shape worked out by hand,
#  all conv layers)
SETUPS = {
    # conv2 5x5 unpadded after conv1 (pad 2) and pool1: 28 -> 28 -> 14 -> 10
    "lenet5": (ModelConfig("lenet5", (1, 28, 28)), "conv2", (1, 16, 10, 10), ["conv1", "conv2"]),
    # conv2_1: 32 -> 30 -> 28 -> pool 14 -> 12, with TinyVGG's 10 channels
    "tinyvgg": (ModelConfig("tinyvgg", (3, 32, 32)), "conv2_1", (1, 10, 12, 12),
                ["conv1_1", "conv1_2", "conv2_1", "conv2_2"]),
}
# Small settings keep the suite fast. On LeNet, window 4 / stride 3 gives 9*9 = 81 occluded
# copies, more than one batch of OCCLUSION_BATCH, so batching really is compared with the
# unbatched run; TinyVGG gets 5*5 = 25 (one partial batch).
SMALL = {"layer_ig": {"n_steps": 8}, "conductance": {"n_steps": 8}, "ig": {"n_steps": 8},
         "smoothgrad": {"nt_samples": 4, "stdevs": 0.3}}
OCCLUSION = {"lenet5": {"window": 4, "stride": 3}, "tinyvgg": {"window": 8, "stride": 6}}
SIGNED = {"gradcam": False, "saliency": False, "smoothgrad": False}  # the others are signed
PATH_METHODS = ("layer_ig", "conductance", "ig")


@pytest.fixture(scope="module")
def setups() -> dict[str, tuple[nn.Module, torch.Tensor, int, str, list[str]]]:
    """Each model with a fixed input and the class it predicts (found here by plain argmax)."""
    out = {}
    for name, (cfg, layer, _, convs) in SETUPS.items():
        model = seeded_model(cfg)
        torch.manual_seed(1)
        x = torch.randn(1, *cfg.in_shape)
        with torch.no_grad():
            target = int(model(x)[0].argmax())
        out[name] = (model, x, target, layer, convs)
    return out


def _upsampled_sum(raw: torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """Reference for layer maps: upsample every channel first, then sum (the library sums first)."""
    up = LayerAttribution.interpolate(raw.detach(), size, interpolate_mode="bilinear")
    return up.sum(dim=1)[0].numpy()


def _captum_reference(method: str, model: nn.Module, x: torch.Tensor, target: int,
                      layer: nn.Module, p: dict) -> tuple[np.ndarray, float | None]:
    """The map and delta from calling Captum directly, written out per method."""
    size, c, zeros = tuple(x.shape[2:]), x.shape[1], torch.zeros_like(x)
    delta = None
    if method == "gradcam":
        raw = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)
    elif method == "layer_ig":
        raw, delta = LayerIntegratedGradients(model, layer).attribute(
            x, baselines=zeros, target=target, n_steps=p["n_steps"], return_convergence_delta=True)
    elif method == "conductance":
        raw, delta = LayerConductance(model, layer).attribute(
            x, baselines=zeros, target=target, n_steps=p["n_steps"], return_convergence_delta=True)
    elif method == "layer_activation":
        raw = LayerActivation(model, layer).attribute(x)
    elif method == "grad_x_act":
        raw = LayerGradientXActivation(model, layer).attribute(x, target=target)
    elif method == "saliency":
        raw = Saliency(model).attribute(x, target=target, abs=True)
    elif method == "ig":
        raw, delta = IntegratedGradients(model).attribute(
            x, baselines=zeros, target=target, n_steps=p["n_steps"], return_convergence_delta=True)
    elif method == "smoothgrad":
        torch.manual_seed(7)
        raw = NoiseTunnel(Saliency(model)).attribute(
            x, nt_type="smoothgrad", nt_samples=p["nt_samples"], stdevs=p["stdevs"],
            target=target, abs=True)
    elif method == "occlusion":
        w, s = p["window"], p["stride"]
        raw = Occlusion(model).attribute(x, sliding_window_shapes=(c, w, w), strides=(c, s, s),
                                         baselines=0, target=target, perturbations_per_eval=1)
    elif method == "guided_backprop":
        raw = GuidedBackprop(model).attribute(x, target=target)
    else:
        assert method == "guided_gradcam"
        raw = GuidedGradCam(model, layer).attribute(x, target=target, interpolate_mode="bilinear")
    if METHODS[method].scope == "layer":
        ref = _upsampled_sum(raw, size)
    else:
        ref = raw.detach().sum(dim=1)[0].numpy()  # (1, C, H, W) -> (H, W)
    return ref, None if delta is None else float(delta[0])


def _no_hooks_left(model: nn.Module) -> bool:
    return all(not (m._forward_hooks or m._forward_pre_hooks or m._backward_hooks
                    or m._backward_pre_hooks) for m in model.modules())


# --- every method on both models equals Captum ---------------------------------------------------


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("arch", list(SETUPS))
def test_matches_captum(setups: dict, arch: str, method: str) -> None:
    model, x, target, layer_name, _ = setups[arch]
    small = OCCLUSION[arch] if method == "occlusion" else SMALL.get(method, {})
    p = {**METHODS[method].params, **small}
    torch.manual_seed(7)  # SmoothGrad's noise: the same random state for both runs
    got = attribute(model, x, method, target, layer=layer_name, **small)
    ref, ref_delta = _captum_reference(method, model, x.clone(), target,
                                       model.get_submodule(layer_name), p)

    scale = float(np.abs(ref).max())
    assert scale > 0  # a reference of zeros would make the comparison vacuous
    assert got.map.shape == tuple(x.shape[2:]) and got.map.dtype == np.float32
    assert np.isfinite(got.map).all()
    np.testing.assert_allclose(got.map, ref, rtol=1e-4, atol=1e-5 * scale)
    assert got.signed is SIGNED.get(method, True) is METHODS[method].signed
    if not got.signed:
        assert got.map.min() >= 0
    assert got.method == method and got.target == target
    layer_shape = SETUPS[arch][2]
    assert got.raw_shape == {"gradcam": (1, 1, *layer_shape[2:])}.get(
        method, layer_shape if METHODS[method].scope == "layer" else tuple(x.shape))
    assert got.layer == (layer_name if METHODS[method].needs_layer else None)
    if method in PATH_METHODS:
        assert isinstance(got.delta, float)
        assert got.delta == pytest.approx(ref_delta, rel=1e-3, abs=1e-6)
    else:
        assert got.delta is None
    # Captum cleaned up, and nothing accumulated into the (possibly shared) model's .grad
    assert _no_hooks_left(model)
    assert all(param.grad is None for param in model.parameters())


@pytest.mark.parametrize("method", list(METHODS))
def test_defaults_on_resnet_with_dotted_layer(method: str) -> None:
    cfg = ModelConfig("resnet", (3, 12, 12), depth=2, width=4, batchnorm=True)
    model = seeded_model(cfg)
    x = torch.randn(1, 3, 12, 12)
    got = attribute(model, x, method, 1, layer="stage2.conv1")
    assert got.map.shape == (12, 12) and np.isfinite(got.map).all()
    assert np.abs(got.map).max() > 0


def test_same_map_inside_no_grad(setups: dict) -> None:
    model, x, target, layer, _ = setups["lenet5"]
    outside = attribute(model, x, "grad_x_act", target, layer=layer).map
    with torch.no_grad():
        inside = attribute(model, x, "grad_x_act", target, layer=layer).map
        cams = gradcam_all(model, x, target, [layer])
    np.testing.assert_array_equal(inside, outside)
    assert cams[layer].max() > 0


def test_no_captum_warnings_for_gradient_methods(setups: dict) -> None:
    model, x, target, layer, _ = setups["lenet5"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. Captum's "did not already require gradients"
        for method in ("saliency", "ig", "smoothgrad", "gradcam", "conductance"):
            attribute(model, x, method, target, layer=layer, **SMALL.get(method, {}))


def test_occlusion_default_window_shrinks_to_a_tiny_input() -> None:
    model = seeded_model(ModelConfig("mlp", (1, 3, 3), depth=1, width=4))
    x = torch.randn(1, 1, 3, 3)
    got = attribute(model, x, "occlusion", 0)  # default window 4 does not fit: 3, stride 2
    ref = Occlusion(model).attribute(x, sliding_window_shapes=(1, 3, 3), strides=(1, 2, 2),
                                     baselines=0, target=0)
    np.testing.assert_allclose(got.map, ref[0, 0].numpy(), rtol=1e-5, atol=1e-7)
    with pytest.raises(AttributionError):  # a window the caller chose is checked, not shrunk
        attribute(model, x, "occlusion", 0, window=4)


# --- Integrated Gradients' convergence delta -----------------------------------------------------


def test_ig_delta_is_small_and_shrinks_with_more_steps() -> None:
    model = seeded_model(SETUPS["lenet5"][0])
    # Untrained default-init logits barely depend on the input (differences ~1e-3), which makes
    # any relative bound meaningless; doubling the weights gives differences of order 1 while
    # the biases keep ReLU kinks along the path, so IG's Riemann error is not trivially zero.
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("weight"):
                param.mul_(2.0)
    torch.manual_seed(0)
    x = torch.randn(1, 1, 28, 28)
    target = predict_target(model, x)
    with torch.no_grad():
        gap = float(model(x)[0, target] - model(torch.zeros_like(x))[0, target])
    assert abs(gap) > 0.1
    runs = {n: attribute(model, x, "ig", target, n_steps=n) for n in (5, 50, 200)}
    for run in runs.values():
        # completeness: delta = sum of attributions - (f(x) - f(baseline)), checked by hand
        assert run.delta == pytest.approx(float(run.map.sum()) - gap, abs=1e-4)
    assert abs(runs[50].delta) < 0.02 * abs(gap)
    assert abs(runs[200].delta) < abs(runs[5].delta)


# --- Grad-CAM of many layers in one pass ---------------------------------------------------------


@pytest.mark.parametrize("arch", list(SETUPS))
def test_gradcam_all_equals_layer_gradcam(setups: dict, arch: str) -> None:
    model, x, target, _, convs = setups[arch]
    calls = {"forward": 0, "backward": 0}

    def count(kind: str) -> Callable[..., None]:
        return lambda *_: calls.__setitem__(kind, calls[kind] + 1)

    handles = [model.register_forward_pre_hook(count("forward")),
               model.fc.register_full_backward_hook(count("backward"))]
    try:
        maps = gradcam_all(model, x, target, convs)
    finally:
        for h in handles:
            h.remove()
    assert calls == {"forward": 1, "backward": 1}
    assert list(maps) == convs
    nonzero = 0
    for name in convs:
        raw = LayerGradCam(model, model.get_submodule(name)).attribute(
            x, target=target, relu_attributions=True)
        ref = LayerAttribution.interpolate(raw, tuple(x.shape[2:]), "bilinear")[0, 0].detach()
        assert maps[name].shape == tuple(x.shape[2:]) and maps[name].dtype == np.float32
        np.testing.assert_allclose(maps[name], ref.numpy(), rtol=1e-5, atol=1e-5 * float(ref.max()))
        nonzero += bool(ref.max() > 0)
    assert nonzero >= 1
    assert all(param.grad is None for param in model.parameters())


def test_gradcam_all_on_dotted_resnet_layers_and_frozen_parameters() -> None:
    model = seeded_model(ModelConfig("resnet", (3, 12, 12), depth=2, width=4))
    model.requires_grad_(False)  # gradients must still reach the activations
    x = torch.randn(1, 3, 12, 12)
    layers = ["conv_stem", "stage1.conv2", "stage2"]
    maps = gradcam_all(model, x, 2, layers)
    for name in layers:
        ref = LayerGradCam(model, model.get_submodule(name)).attribute(
            x, target=2, relu_attributions=True)
        ref = F.interpolate(ref, (12, 12), mode="bilinear")[0, 0].detach().numpy()
        np.testing.assert_allclose(maps[name], ref, rtol=1e-5, atol=1e-6)


def test_gradcam_all_validates(setups: dict) -> None:
    model, x, target, _, _ = setups["lenet5"]
    for layers, target_, key in [(["conv9"], target, "attr_unknown_layer"),
                                 (["conv1", "fc1"], target, "attr_layer_not_spatial"),
                                 (["conv1"], 10, "attr_bad_target")]:
        with pytest.raises(AttributionError) as err:
            gradcam_all(model, x, target_, layers)
        assert err.value.key == key
    assert _no_hooks_left(model)


# --- model randomisation -------------------------------------------------------------------------


def test_randomized_copy() -> None:
    model = build_model(ModelConfig("resnet", (3, 8, 8), depth=2, width=4, batchnorm=True))
    with torch.no_grad():  # make it look trained: moved weights and BatchNorm statistics
        for param in model.parameters():
            param.add_(torch.randn_like(param))
        model.train()(torch.randn(4, 3, 8, 8))  # left in training mode: the copy must not be
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()

    copy0 = randomized_copy(model, seed=0)

    assert torch.equal(torch.get_rng_state(), rng)  # global RNG untouched
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k  # original untouched
    assert copy0 is not model and model.training and not copy0.training
    assert not any(m.training for m in copy0.modules())
    originals = dict(model.named_parameters())
    for name, param in copy0.named_parameters():
        assert param.data_ptr() != originals[name].data_ptr()
        assert (param != originals[name]).all(), name
    for name, module in copy0.named_modules():
        if isinstance(module, nn.BatchNorm2d):
            assert torch.equal(module.running_mean, torch.zeros(module.num_features)), name
            assert torch.equal(module.running_var, torch.ones(module.num_features)), name
            assert int(module.num_batches_tracked) == 0
        if isinstance(module, nn.Conv2d):  # PyTorch's init: U(-b, b), b = 1/sqrt(fan_in)
            fan_in = module.weight[0].numel()
            assert module.weight.abs().max() <= 1 / fan_in ** 0.5
    again = randomized_copy(model, seed=0).state_dict()
    other = randomized_copy(model, seed=1).state_dict()
    assert all(torch.equal(v, again[k]) for k, v in copy0.state_dict().items())
    assert not torch.equal(copy0.state_dict()["fc.weight"], other["fc.weight"])


# --- validation ----------------------------------------------------------------------------------

BAD_CALLS = [
    ({"method": "lime"}, "attr_unknown_method"),
    ({"method": None}, "attr_unknown_method"),
    ({"method": "gradcam", "layer": None}, "attr_need_layer"),
    ({"method": "guided_gradcam", "layer": None}, "attr_need_layer"),
    ({"method": "gradcam", "layer": "conv9"}, "attr_unknown_layer"),
    ({"method": "gradcam", "layer": "conv1.weight"}, "attr_unknown_layer"),
    ({"method": "conductance", "layer": ""}, "attr_unknown_layer"),
    ({"method": "gradcam", "layer": "fc1"}, "attr_layer_not_spatial"),
    ({"method": "guided_gradcam", "layer": "flatten"}, "attr_layer_not_spatial"),
    ({"method": "ig", "n_steps": 0}, "attr_bad_param"),
    ({"method": "ig", "n_steps": 301}, "attr_bad_param"),
    ({"method": "ig", "n_steps": 2.5}, "attr_bad_param"),
    ({"method": "ig", "n_steps": True}, "attr_bad_param"),
    ({"method": "layer_ig", "layer": "conv1", "n_steps": 10**9}, "attr_bad_param"),
    ({"method": "smoothgrad", "nt_samples": 0}, "attr_bad_param"),
    ({"method": "smoothgrad", "nt_samples": 101}, "attr_bad_param"),
    ({"method": "smoothgrad", "stdevs": -0.1}, "attr_bad_param"),
    ({"method": "smoothgrad", "stdevs": 2.5}, "attr_bad_param"),
    ({"method": "smoothgrad", "stdevs": float("nan")}, "attr_bad_param"),
    ({"method": "smoothgrad", "stdevs": "1"}, "attr_bad_param"),
    ({"method": "occlusion", "window": 0}, "attr_bad_param"),
    ({"method": "occlusion", "window": 29}, "attr_bad_param"),
    ({"method": "occlusion", "window": 4, "stride": 5}, "attr_bad_param"),
    ({"method": "occlusion", "window": 4, "stride": 0}, "attr_bad_param"),
    ({"method": "saliency", "n_steps": 5}, "attr_unknown_param"),
    ({"method": "ig", "steps": 5}, "attr_unknown_param"),
    ({"method": "saliency", "target": -1}, "attr_bad_target"),
    ({"method": "saliency", "target": 10}, "attr_bad_target"),
    ({"method": "saliency", "target": True}, "attr_bad_target"),
    ({"method": "gradcam", "layer": "conv1", "target": 1.0}, "attr_bad_target"),
]


@pytest.mark.parametrize(("kwargs", "key"), BAD_CALLS, ids=lambda v: str(v))
def test_bad_requests_are_refused(setups: dict, kwargs: dict, key: str) -> None:
    model, x, _, _, _ = setups["lenet5"]
    kwargs = {"target": 0, **kwargs}
    with pytest.raises(ValueError) as err:
        attribute(model, x, **kwargs)
    assert isinstance(err.value, AttributionError) and err.value.key == key
    assert str(err.value) == MESSAGES[key].format(**err.value.args_)
    assert _no_hooks_left(model)


def test_every_message_is_reachable() -> None:
    reached = {key for _, key in BAD_CALLS} | {"attr_bad_input", "attr_train_mode"}
    assert reached == set(MESSAGES)


def test_bad_inputs_and_model_state(setups: dict) -> None:
    model, x, _, _, _ = setups["lenet5"]
    for bad in (x[0], torch.cat([x, x]), x.to(torch.int64), x.numpy()):
        with pytest.raises(AttributionError) as err:
            attribute(model, bad, "saliency", 0)
        assert err.value.key == "attr_bad_input"
    with pytest.raises(ValueError, match="model is on cpu"):
        attribute(model, torch.empty(1, 1, 28, 28, device="meta"), "saliency", 0)
    training = seeded_model(SETUPS["lenet5"][0]).train()
    with pytest.raises(AttributionError) as err:
        attribute(training, x, "saliency", 0)
    assert err.value.key == "attr_train_mode"


# --- registry, helpers ---------------------------------------------------------------------------


def test_registry_is_consistent() -> None:
    assert set(METHODS) == {"gradcam", "layer_ig", "conductance", "layer_activation",
                            "grad_x_act", "saliency", "ig", "smoothgrad", "occlusion",
                            "guided_backprop", "guided_gradcam"}
    for name, spec in METHODS.items():
        assert spec.name == name and spec.label and spec.scope in ("layer", "input")
        assert spec.needs_layer == (spec.scope == "layer" or name == "guided_gradcam")
        low_w = None
        for param, default in spec.params.items():  # defaults are valid for a 28x28 input
            low, high = param_range(param, 28, low_w)
            assert low <= default <= high, (name, param)
            low_w = default if param == "window" else low_w
    with pytest.raises(TypeError):  # module-level registry is read-only (shared by all users)
        METHODS["ig"].params["n_steps"] = 1  # type: ignore[index]


def test_param_range() -> None:
    assert param_range("window", 28) == (1, 28)
    assert param_range("stride", 28, window=5) == (1, 5)
    assert param_range("n_steps", 28) == (1, 300)


def test_spatial_layers(setups: dict) -> None:
    model, x, _, _, _ = setups["lenet5"]
    assert spatial_layers(model, x) == ["conv1", "act1", "pool1", "conv2", "act2", "pool2"]
    resnet = seeded_model(ModelConfig("resnet", (3, 8, 8), depth=1, width=2))
    names = spatial_layers(resnet, torch.randn(1, 3, 8, 8))
    # forward order: a block's children run before the block itself returns
    assert names.index("stage1.conv1") < names.index("stage1.act2") < names.index("stage1")
    assert "fc" not in names and "flatten" not in names


def test_predict_target() -> None:
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3, bias=False)).eval()
    with torch.no_grad():
        model[1].weight.copy_(torch.tensor([[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 1.0]]))
    assert predict_target(model, torch.tensor([[[[5.0, 1.0], [1.0, 1.0]]]])) == 0
    assert predict_target(model, torch.tensor([[[[1.0, 5.0], [1.0, 1.0]]]])) == 1
    assert predict_target(model, torch.tensor([[[[1.0, 1.0], [3.0, 3.0]]]])) == 2


def test_normalise_map_by_hand() -> None:
    a = np.array([[-4.0, 2.0], [1.0, 0.0]])
    np.testing.assert_allclose(normalise_map(a, True, 100), [[-1, 0.5], [0.25, 0]])
    np.testing.assert_allclose(normalise_map(a, False, 100), [[0, 1], [0.5, 0]])  # negatives: 0
    # 80th percentile of [1, 1, 1, 1, 100]: rank 0.8*4 = 3.2, so 1 + 0.2*99 = 20.8; 100 clips
    b = np.array([1.0, 1.0, 1.0, 1.0, 100.0])
    np.testing.assert_allclose(normalise_map(b, False, 80), [1 / 20.8] * 4 + [1.0], rtol=1e-6)
    np.testing.assert_allclose(normalise_map(-b, True, 80), [-1 / 20.8] * 4 + [-1.0], rtol=1e-6)
    # a sparse map whose percentile is 0 falls back to its maximum instead of dividing by zero
    sparse = np.zeros(1000)
    sparse[5] = 3.0
    assert normalise_map(sparse, False)[5] == 1.0
    np.testing.assert_allclose(normalise_map(np.array([np.nan, 2.0, -np.inf]), True), [0, 1, 0])


def test_normalise_map_ranges_and_zeros() -> None:
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero, no invalid-value warnings
        for signed in (True, False):
            zeros = normalise_map(np.zeros((5, 7), np.float32), signed)
            assert zeros.dtype == np.float32 and zeros.shape == (5, 7) and not zeros.any()
            for _ in range(5):
                out = normalise_map(rng.normal(size=(9, 9)) * 10.0 ** rng.integers(-8, 8), signed)
                assert out.dtype == np.float32 and np.isfinite(out).all()
                assert out.min() >= (-1 if signed else 0) and out.max() <= 1
                assert np.abs(out).max() == 1.0
    for bad in (0, 101, float("nan")):
        with pytest.raises(ValueError):
            normalise_map(np.ones(3), True, bad)


# --- in-place activations after a hooked layer (AlexNet, VGG) ------------------------------------


def _inplace_net() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(inplace=True), nn.Conv2d(4, 4, 3),
                         nn.ReLU(inplace=True), nn.Flatten(), nn.Linear(64, 3)).eval()


def _plain_gradcam(model: nn.Sequential, x: torch.Tensor, target: int, index: int) -> np.ndarray:
    """Grad-CAM of ``model[index]`` by splitting the network there (no hooks at all)."""
    with torch.no_grad():
        act = model[:index + 1](x)
    act = act.clone().requires_grad_(True)  # (1, K, h, w): the layer's own output
    score = model[index + 1:](act.clone())[0, target]  # the in-place ReLU works on the clone
    (grad,) = torch.autograd.grad(score, act)
    cam = F.relu((grad.mean(dim=(2, 3), keepdim=True) * act.detach()).sum(1, keepdim=True))
    return F.interpolate(cam, tuple(x.shape[2:]), mode="bilinear")[0, 0].numpy()


def test_gradcam_all_is_the_layer_not_the_inplace_relu_after_it() -> None:
    model = _inplace_net()
    torch.manual_seed(1)
    x = torch.randn(1, 1, 8, 8)
    for target in range(3):
        maps = gradcam_all(model, x, target, ["0", "2"])
        for index in (0, 2):
            ref = _plain_gradcam(model, x, target, index)
            captum = LayerGradCam(model, model[index]).attribute(x, target=target,
                                                                 relu_attributions=True)
            captum = F.interpolate(captum, (8, 8), mode="bilinear")[0, 0].detach().numpy()
            np.testing.assert_allclose(ref, captum, rtol=1e-5, atol=1e-7)
            np.testing.assert_allclose(maps[str(index)], ref, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name,side", [("alexnet", 64), pytest.param("vgg16", 32, marks=pytest.mark.slow)])
def test_gradcam_all_on_torchvision_nets_with_inplace_relu(name: str, side: int, one_thread) -> None:
    import torchvision

    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    convs = [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]
    x = torch.randn(1, 3, side, side)
    target = predict_target(model, x)
    maps = gradcam_all(model, x, target, convs)
    nonzero = 0
    for layer in convs:
        raw = LayerGradCam(model, model.get_submodule(layer)).attribute(
            x, target=target, relu_attributions=True)
        ref = LayerAttribution.interpolate(raw, (side, side), "bilinear")[0, 0].detach().numpy()
        np.testing.assert_allclose(maps[layer], ref, rtol=1e-4, atol=1e-5 * float(ref.max() + 1e-12))
        nonzero += bool(ref.max() > 0)
    assert nonzero >= len(convs) // 2  # the comparison is not between empty maps


# --- no hook survives, whatever happens ----------------------------------------------------------


class _Boom(nn.Module):
    """Raises on call number ``fail_at`` (counting from 1), else passes its input through."""

    def __init__(self, fail_at: int) -> None:
        super().__init__()
        self.fail_at, self.calls = fail_at, 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("boom")
        return x


def _boom_net(fail_at: int) -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), _Boom(fail_at),
                         nn.Conv2d(3, 3, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(3 * 6 * 6, 4)).eval()


_ALL_CALLS = [(f"attribute:{m}", lambda net, x, m=m: attribute(net, x, m, 0, layer="3",
                                                                 **SMALL.get(m, {})))
              for m in METHODS] + [
    ("gradcam_all", lambda net, x: gradcam_all(net, x, 0, ["0", "3"])),
    ("spatial_layers", lambda net, x: spatial_layers(net, x)),
]


@pytest.mark.parametrize("name,call", _ALL_CALLS, ids=[n for n, _ in _ALL_CALLS])
def test_no_hook_survives_success_or_failure(name: str, call: Callable, one_thread) -> None:
    from cnnviz.explain.activations import capture, layer_table
    from cnnviz.explain.hooks import hook_count

    x = torch.randn(1, 1, 6, 6)
    net = _boom_net(fail_at=0)  # never fails
    call(net, x)
    assert hook_count(net) == 0
    for fail_at in (1, 2, 3):  # the probe, Captum's first forward, a later forward
        net = _boom_net(fail_at)
        try:
            call(net, x)
        except RuntimeError as exc:
            assert "boom" in str(exc)
        assert hook_count(net) == 0, f"{name} left hooks after failing at call {fail_at}"
    for fn in (lambda n: capture(n, x), lambda n: layer_table(n, (1, 6, 6))):
        net = _boom_net(fail_at=1)
        with pytest.raises(RuntimeError):
            fn(net)
        assert hook_count(net) == 0


def test_randomized_copy_never_carries_hooks() -> None:
    from cnnviz.explain.hooks import hook_count

    model = _inplace_net()
    handle = model[0].register_forward_hook(lambda *_: None)
    clone = randomized_copy(model)
    assert hook_count(clone) == 0 and hook_count(model) == 1  # the original keeps its own
    handle.remove()
