"""Attribution maps: thin typed wrappers over ``captum.attr``, and Grad-CAM of many layers at once.

Every map comes back as a float32 (H, W) array at the input's resolution, ready to overlay; the
raw Captum shape travels alongside. Parameters are validated before Captum sees them. Knows
nothing about images, datasets or Streamlit, and does not draw.
"""

from __future__ import annotations

import copy
import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from types import MappingProxyType
from typing import Any

import numpy as np
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
from torch import Tensor, nn

from cnnviz.errors import CnnvizError, register
from cnnviz.explain.hooks import forward_hooks, no_new_hooks, strip_hooks

__all__ = [
    "INTERNAL_BATCH",
    "MESSAGES",
    "METHODS",
    "OCCLUSION_BATCH",
    "Attribution",
    "AttributionError",
    "MethodSpec",
    "attribute",
    "gradcam_all",
    "normalise_map",
    "param_range",
    "predict_target",
    "randomized_copy",
    "reset_layer",
    "resettable_layers",
    "spatial_layers",
]

# Occluded copies evaluated per forward pass: GUIDE §4 measured 13x faster than Captum's default 1.
OCCLUSION_BATCH = 64
# Interpolation steps evaluated per forward pass by IG, layer IG and conductance: bounds memory
# (n_steps copies of the input at once) without changing the result.
INTERNAL_BATCH = 64
UPSAMPLE_MODE = "bilinear"
# Fixed ranges; window and stride depend on the input (see param_range).
_FIXED_RANGES: dict[str, tuple[float, float]] = {
    "n_steps": (1, 300), "nt_samples": (1, 100), "stdevs": (0.0, 2.0),
}
_INT_PARAMS = ("n_steps", "nt_samples", "window", "stride")

MESSAGES = register({
    "attr_unknown_method": "Unknown attribution method {method}; choose one of: {choices}.",
    "attr_need_layer": "{label} needs a layer: choose one of the model's convolutional layers.",
    "attr_unknown_layer": "The model has no layer named {layer}.",
    "attr_layer_not_spatial": ("Layer {layer} outputs shape {shape}; this method needs a layer "
                               "with feature maps (channels × height × width), such as a "
                               "convolution."),
    "attr_unknown_param": "{label} has no parameter {name}; its parameters are: {choices}.",
    "attr_bad_param": "{name} must be a {kind} between {low} and {high}, got {value}.",
    "attr_bad_target": ("Class {target} does not exist: the model has {num_classes} classes, "
                        "numbered 0 to {last}."),
    "attr_bad_input": "The input must be one image as a (1, C, H, W) float tensor, got {shape}.",
    "attr_train_mode": ("The model is in training mode, where dropout and BatchNorm make "
                        "attributions random: switch it to eval mode first."),
})


class AttributionError(CnnvizError):
    """A request Captum must not see; ``key`` and ``args_`` name a translatable message."""


@dataclass(frozen=True)
class MethodSpec:
    """One attribution method: what it explains (``scope``) and how its values read."""

    name: str
    label: str
    scope: str  # "layer": a layer's units; "input": the input pixels
    signed: bool  # signed values want a diverging colour map centred on 0
    params: Mapping[str, int | float] = field(default_factory=dict, hash=False)
    needs_layer: bool = False  # every layer method, and Guided Grad-CAM (its Grad-CAM layer)


def _spec(name: str, label: str, scope: str, signed: bool, needs_layer: bool = False,
          **params: int | float) -> MethodSpec:
    # A read-only view: the registry is module-level state shared by every user of the app.
    return MethodSpec(name, label, scope, signed, MappingProxyType(params),
                      needs_layer or scope == "layer")


METHODS: dict[str, MethodSpec] = {s.name: s for s in (
    _spec("gradcam", "Grad-CAM", "layer", False),
    _spec("layer_ig", "Layer Integrated Gradients", "layer", True, n_steps=32),
    _spec("conductance", "Layer Conductance", "layer", True, n_steps=32),
    _spec("layer_activation", "Layer Activation", "layer", True),
    _spec("grad_x_act", "Gradient × Activation", "layer", True),
    _spec("saliency", "Saliency", "input", False),
    _spec("ig", "Integrated Gradients", "input", True, n_steps=50),
    # stdevs is in normalised units (data std 1), where the pixel range 0..1 spans 1/std, about
    # 3.2 (MNIST) to 4 (CIFAR-10): 0.5 is 12-15 % of it, in the 10-20 % SmoothGrad recommends.
    _spec("smoothgrad", "SmoothGrad", "input", False, nt_samples=20, stdevs=0.5),
    _spec("occlusion", "Occlusion", "input", True, window=4, stride=2),
    _spec("guided_backprop", "Guided Backprop", "input", True),
    _spec("guided_gradcam", "Guided Grad-CAM", "input", True, needs_layer=True),
)}


@dataclass(frozen=True, eq=False)  # eq on arrays is ambiguous; identity is what callers need
class Attribution:
    """A map ready to overlay: float32 (H, W) at the input resolution."""

    method: str
    layer: str | None
    target: int
    map: np.ndarray
    raw_shape: tuple[int, ...]  # what Captum returned, e.g. (1, 1, 10, 10) for Grad-CAM
    delta: float | None  # convergence delta of the path methods, else None
    signed: bool


# --- validation ----------------------------------------------------------------------------------


def param_range(name: str, side: int, window: int | None = None) -> tuple[float, float]:
    """Allowed [low, high] of a parameter; ``side`` is min(H, W) of the input.

    The occlusion window fits in the input (1..side); the stride is at most the window, so no
    pixel is skipped.
    """
    if name == "window":
        return (1, side)
    if name == "stride":
        return (1, window if window is not None else side)
    return _FIXED_RANGES[name]


def _check_param(name: str, value: Any, low: float, high: float) -> int | float:
    is_int = name in _INT_PARAMS
    ok_type = isinstance(value, Integral if is_int else Real) and not isinstance(value, bool)
    if not (ok_type and math.isfinite(value) and low <= value <= high):
        raise AttributionError("attr_bad_param", name=name, low=low, high=high, value=repr(value),
                               kind="whole number" if is_int else "number")
    return int(value) if is_int else float(value)


def _resolve_params(spec: MethodSpec, given: Mapping[str, Any], side: int) -> dict[str, Any]:
    unknown = sorted(set(given) - set(spec.params))
    if unknown:
        raise AttributionError("attr_unknown_param", label=spec.label, name=unknown[0],
                               choices=", ".join(spec.params) or "none")
    merged = {**spec.params, **given}
    # Defaults that do not fit a tiny input shrink to fit; a value the caller chose is checked.
    if "window" in merged and "window" not in given:
        merged["window"] = min(merged["window"], side)
    if "stride" in merged and "stride" not in given:
        merged["stride"] = min(merged["stride"], merged["window"])
    out: dict[str, Any] = {}
    for name in spec.params:  # window before stride: stride's range depends on it
        low, high = param_range(name, side, out.get("window"))
        out[name] = _check_param(name, merged[name], low, high)
    return out


def _check_input(model: nn.Module, x: Any) -> None:
    if not (isinstance(x, Tensor) and x.ndim == 4 and x.shape[0] == 1 and x.is_floating_point()):
        shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise AttributionError("attr_bad_input", shape=str(shape))
    if model.training:
        raise AttributionError("attr_train_mode")
    param = next(model.parameters(), None)
    if param is not None and param.device != x.device:
        raise ValueError(f"x is on {x.device} but the model is on {param.device}")


def _check_target(target: Any, num_classes: int) -> int:
    if not (isinstance(target, Integral) and not isinstance(target, bool)
            and 0 <= target < num_classes):
        raise AttributionError("attr_bad_target", target=repr(target), num_classes=num_classes,
                               last=num_classes - 1)
    return int(target)


def _module(model: nn.Module, name: Any) -> nn.Module:
    if not isinstance(name, str) or not name:
        raise AttributionError("attr_unknown_layer", layer=repr(name))
    try:
        return model.get_submodule(name)
    except AttributeError:
        raise AttributionError("attr_unknown_layer", layer=repr(name)) from None


def _probe(model: nn.Module, x: Tensor, modules: Mapping[str, nn.Module]) -> tuple[int, dict]:
    """One no-grad forward: the number of classes and each module's output shape (None if unused
    or not a tensor)."""
    shapes: dict[str, tuple[int, ...] | None] = dict.fromkeys(modules)

    def store(name: str, out: Any) -> None:
        shapes[name] = tuple(out.shape) if isinstance(out, Tensor) else None

    with forward_hooks(modules, on_output=store), torch.no_grad():
        logits = model(x)
    return logits.shape[-1], shapes


def _check_spatial(name: str, shape: tuple[int, ...] | None) -> None:
    if shape is None or len(shape) != 4:
        raise AttributionError("attr_layer_not_spatial", layer=repr(name), shape=str(shape))


# --- Captum calls: each returns (raw attribution, convergence delta or None) ---------------------

_Out = tuple[Tensor, "Tensor | None"]


def _gradcam(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    return LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True), None


def _layer_ig(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    return LayerIntegratedGradients(model, layer).attribute(
        x, baselines=torch.zeros_like(x), target=target, n_steps=p["n_steps"],
        internal_batch_size=INTERNAL_BATCH, return_convergence_delta=True)


def _conductance(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    return LayerConductance(model, layer).attribute(
        x, baselines=torch.zeros_like(x), target=target, n_steps=p["n_steps"],
        internal_batch_size=INTERNAL_BATCH, return_convergence_delta=True)


def _layer_activation(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    return LayerActivation(model, layer).attribute(x), None


def _grad_x_act(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    return LayerGradientXActivation(model, layer).attribute(x, target=target), None


def _saliency(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    return Saliency(model).attribute(x, target=target, abs=True), None


def _ig(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    # The zero baseline lives in normalised space: the dataset's mean image, not a black one.
    return IntegratedGradients(model).attribute(
        x, baselines=torch.zeros_like(x), target=target, n_steps=p["n_steps"],
        internal_batch_size=INTERNAL_BATCH, return_convergence_delta=True)


def _smoothgrad(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    return NoiseTunnel(Saliency(model)).attribute(
        x, nt_type="smoothgrad", nt_samples=p["nt_samples"], stdevs=p["stdevs"],
        target=target, abs=True), None


def _occlusion(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    c, w, s = x.shape[1], p["window"], p["stride"]
    # The window spans all channels (stride C along them: one position), moving s pixels.
    return Occlusion(model).attribute(
        x, sliding_window_shapes=(c, w, w), strides=(c, s, s), baselines=0, target=target,
        perturbations_per_eval=OCCLUSION_BATCH), None


def _guided_backprop(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    return GuidedBackprop(model).attribute(x, target=target), None


def _guided_gradcam(model: nn.Module, x: Tensor, target: int, layer: Any, p: dict) -> _Out:
    return GuidedGradCam(model, layer).attribute(
        x, target=target, interpolate_mode=UPSAMPLE_MODE), None


_RUNNERS: dict[str, Callable[..., _Out]] = {
    "gradcam": _gradcam, "layer_ig": _layer_ig, "conductance": _conductance,
    "layer_activation": _layer_activation, "grad_x_act": _grad_x_act, "saliency": _saliency,
    "ig": _ig, "smoothgrad": _smoothgrad, "occlusion": _occlusion,
    "guided_backprop": _guided_backprop, "guided_gradcam": _guided_gradcam,
}


_GRADIENT_FREE = ("layer_activation", "occlusion")


def _to_map(raw: Tensor, size: tuple[int, int]) -> np.ndarray:
    """(1, K, h, w) → channel sum → bilinear to ``size`` → float32 (H, W) numpy."""
    summed = raw.detach().float().sum(dim=1, keepdim=True)  # (1, 1, h, w)
    if summed.shape[2:] != size:
        summed = LayerAttribution.interpolate(summed, size, interpolate_mode=UPSAMPLE_MODE)
    return summed[0, 0].cpu().numpy().astype(np.float32, copy=False)


# --- public API ----------------------------------------------------------------------------------


def attribute(model: nn.Module, x: Tensor, method: str, target: int, layer: str | None = None,
              **params: Any) -> Attribution:
    """Attribute class ``target``'s score for one normalised image ``x`` (1, C, H, W).

    ``model`` must be in eval mode and on ``x``'s device; ``layer`` is a dotted module name
    (``"conv2"``, ``"stage2.conv1"``), used by layer methods and Guided Grad-CAM and ignored by the
    others. ``params`` override the method's defaults in ``METHODS[method].params``. Captum's
    hooks live on the model while this runs, so concurrent calls need separate model copies.
    """
    spec = METHODS.get(method) if isinstance(method, str) else None
    if spec is None:
        raise AttributionError("attr_unknown_method", method=repr(method),
                               choices=", ".join(METHODS))
    _check_input(model, x)
    size = (int(x.shape[2]), int(x.shape[3]))
    resolved = _resolve_params(spec, params, min(size))
    module = None
    if spec.needs_layer:
        if layer is None:
            raise AttributionError("attr_need_layer", label=spec.label)
        module = _module(model, layer)
    num_classes, shapes = _probe(model, x, {layer: module} if module is not None else {})
    target = _check_target(target, num_classes)
    if module is not None:
        _check_spatial(layer, shapes[layer])
    x = x.detach()
    if method not in _GRADIENT_FREE:
        x.requires_grad_(True)  # Captum would set it too, with a warning on every call
    # A caller inside torch.no_grad() must still get gradients; whatever hooks Captum leaves on
    # the (possibly shared) model, also after an error, come off again.
    with torch.enable_grad(), no_new_hooks(model):
        raw, delta = _RUNNERS[method](model, x, target, module, resolved)
    return Attribution(
        method=method, layer=layer if spec.needs_layer else None, target=target,
        map=_to_map(raw, size), raw_shape=tuple(raw.shape),
        delta=None if delta is None else float(delta.reshape(-1)[0]), signed=spec.signed)


def gradcam_all(model: nn.Module, x: Tensor, target: int,
                layers: Sequence[str]) -> dict[str, np.ndarray]:
    """Grad-CAM of every layer in ``layers`` from ONE forward and ONE backward pass.

    For layer activations A (K, h, w) and gradients dy_target/dA: weights w_k = mean over space of
    the gradient, map = ReLU(sum_k w_k A_k) (Selvaraju et al. 2017), upsampled bilinearly to (H, W).
    Each hooked output is handed on as a clone, so an in-place op after the layer (AlexNet's and
    VGG's ``ReLU(inplace=True)``) changes the clone, not the activation Grad-CAM reads.
    """
    _check_input(model, x)
    modules = {name: _module(model, name) for name in layers}
    acts: dict[str, Tensor] = {}

    def keep(name: str, out: Any) -> Any:
        if not isinstance(out, Tensor):
            return None
        acts[name] = out
        return out.clone()  # downstream (in-place) ops work on the copy

    with torch.enable_grad(), forward_hooks(modules, on_output=keep):
        # Gradients must reach the activations even if every parameter is frozen.
        scores = model(x.detach().requires_grad_(True))  # (1, num_classes)
    target = _check_target(target, scores.shape[-1])
    for name in modules:
        out = acts.get(name)
        _check_spatial(name, tuple(out.shape) if isinstance(out, Tensor) else None)
    names = list(modules)
    # autograd.grad, not backward(): nothing accumulates in the (possibly shared) model's .grad.
    with torch.enable_grad():  # indexing the score must stay on the graph under no_grad too
        grads = torch.autograd.grad(scores[0, target], [acts[n] for n in names],
                                    allow_unused=True)
    size = (int(x.shape[2]), int(x.shape[3]))
    maps = {}
    for name, grad in zip(names, grads):
        act = acts[name].detach()  # (1, K, h, w)
        grad = torch.zeros_like(act) if grad is None else grad
        weights = grad.mean(dim=(2, 3), keepdim=True)  # (1, K, 1, 1)
        cam = F.relu((weights * act).sum(dim=1, keepdim=True))  # (1, 1, h, w)
        maps[name] = _to_map(cam, size)
    return maps


def spatial_layers(model: nn.Module, x: Tensor) -> list[str]:
    """Dotted names of the modules whose output has feature maps (1, C, h, w), in forward order:
    the layers ``attribute`` accepts for layer methods and Guided Grad-CAM."""
    _check_input(model, x)
    modules = {n: m for n, m in model.named_modules() if n}
    order: list[str] = []

    def note(name: str, out: Any) -> None:
        if isinstance(out, Tensor) and out.ndim == 4:
            order.append(name)

    with forward_hooks(modules, on_output=note), torch.no_grad():
        model(x)
    return list(dict.fromkeys(order))


def predict_target(model: nn.Module, x: Tensor) -> int:
    """The class the model predicts for ``x`` (argmax of its scores)."""
    _check_input(model, x)
    with torch.no_grad():
        return int(model(x).argmax(dim=-1)[0])


def resettable_layers(model: nn.Module) -> list[str]:
    """Dotted names of the modules ``randomized_copy`` re-initialises: those with their own
    ``reset_parameters`` and their own parameters or buffers (convolutions, linear layers,
    BatchNorm), in ``named_modules`` order."""
    return [name for name, m in model.named_modules()
            if callable(getattr(m, "reset_parameters", None))
            and (next(m.parameters(recurse=False), None) is not None
                 or next(m.buffers(recurse=False), None) is not None)]


def reset_layer(model: nn.Module, name: str, seed: int = 0) -> None:
    """Re-initialise module ``name`` of ``model`` IN PLACE with its own ``reset_parameters``.

    Its random draw depends only on (``seed``, ``name``), not on which layers were reset before:
    so resetting the layers one at a time, in any order (the cascading test of cnnviz.explain.scores),
    ends with exactly the weights of ``randomized_copy(model, seed)``. The global RNG is left as it
    was. Only ever call this on a private copy: models may be shared.
    """
    # manual_seed reseeds every CUDA device too, so every one is forked, not just the model's.
    cuda = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=cuda):
        # crc32, not hash(): Python salts str hashes per process, and the draw must be repeatable.
        torch.manual_seed(zlib.crc32(f"{seed}/{name}".encode()))
        model.get_submodule(name).reset_parameters()  # BatchNorm's also resets its statistics


def randomized_copy(model: nn.Module, seed: int = 0) -> nn.Module:
    """A deep copy with every parameter re-initialised, BatchNorm statistics reset, in eval mode.

    The model-randomisation sanity check (Adebayo et al. 2018): a method whose maps barely change
    on this copy explains the input, not the model. Uses each module's own ``reset_parameters``
    under a seed drawn from ``seed`` and the module's name (``reset_layer``); the global RNG state
    and ``model`` are left untouched.
    """
    # The copy must not carry hooks that were on ``model`` while it was copied (the caller should
    # also hold the model's lock, so that none are).
    clone = strip_hooks(copy.deepcopy(model))
    for name in resettable_layers(clone):
        reset_layer(clone, name, seed)
    return clone.eval()


def normalise_map(a: np.ndarray, signed: bool, clip_percentile: float = 99.0) -> np.ndarray:
    """Scale a map for display: [-1, 1] if ``signed`` else [0, 1] (negatives become 0).

    The scale is the ``clip_percentile`` of |a| (so a few extreme pixels do not wash out the rest;
    values beyond it clip), falling back to max |a|; an all-zero map stays zero. NaN/inf count as 0.
    """
    if not (isinstance(clip_percentile, Real) and 0 < clip_percentile <= 100):
        raise ValueError(f"clip_percentile must be in (0, 100], got {clip_percentile!r}")
    a = np.nan_to_num(np.asarray(a, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    if not signed:
        a = np.maximum(a, 0.0)
    mag = np.abs(a)
    scale = float(np.percentile(mag, clip_percentile)) if mag.size else 0.0
    if scale <= 0.0:
        scale = float(mag.max()) if mag.size else 0.0
    if scale <= 0.0:
        return np.zeros_like(a, dtype=np.float32)
    return np.clip(a / scale, -1.0 if signed else 0.0, 1.0).astype(np.float32)
