"""Per-layer activation capture, a torchsummary-like layer table, feature-map mosaics and top-k.

Pure torch/numpy: forward hooks that always come off again, and arrays ready to plot. Draws
nothing and knows nothing about Streamlit; training mode and devices stay the caller's choice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from cnnviz.explain.hooks import first_tensor, forward_hooks

__all__ = [
    "FLOAT32_BYTES",
    "LayerRow",
    "Mosaic",
    "capture",
    "conv_layers",
    "feature_layers",
    "layer_table",
    "map_stats",
    "mosaic",
    "top_k",
    "walk_layers",
]

FLOAT32_BYTES = 4
# Containers that only chain their children; they get no row of their own (their children do).
_CHAINS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)


@dataclass(frozen=True)
class LayerRow:
    """One line of the layer table.

    ``params`` counts the module's own parameters plus those of descendants without a row of
    their own (e.g. inside an ``nn.Sequential``), so the rows add up to the model's total.
    ``out_shape`` excludes the batch dimension and is None for a module the forward never called;
    a module called several times (a reused ``nn.ReLU``) shows its last call, as Captum does.
    """

    name: str  # dotted path as in named_modules, e.g. "stage1.conv1"
    kind: str  # class name, e.g. "Conv2d"
    out_shape: tuple[int, ...] | None
    params: int
    trainable: int
    act_bytes: int  # output of one sample at float32
    depth: int  # number of enclosing modules that have a row: 0 for top-level rows
    calls: int = 1
    leaf: bool = True
    # False when the output reuses its input's memory (in-place ReLU, Dropout in eval mode,
    # Identity, a Flatten view): such an output allocates nothing and is not added to the total.
    allocates: bool = True


@dataclass(frozen=True, eq=False)
class Mosaic:
    """Feature maps tiled into one 2-D image; NaN between tiles and in unused cells."""

    image: np.ndarray  # float32 (rows*H + (rows-1)*pad, cols*W + (cols-1)*pad)
    rows: int
    cols: int
    tile: tuple[int, int]  # (H, W) of one map
    order: list[int]  # channel index of each cell, row by row
    pad: int = 1

    def channel_at(self, row_px: int, col_px: int) -> int | None:
        """The channel whose tile holds pixel (row_px, col_px); None on padding or outside."""
        h, w = self.tile
        if not (0 <= row_px < self.image.shape[0] and 0 <= col_px < self.image.shape[1]):
            return None
        cell_r, in_r = divmod(int(row_px), h + self.pad)
        cell_c, in_c = divmod(int(col_px), w + self.pad)
        index = cell_r * self.cols + cell_c
        if in_r >= h or in_c >= w or index >= len(self.order):
            return None
        return self.order[index]

    def origin(self, index: int) -> tuple[int, int]:
        """Top-left pixel (row, col) of the ``index``-th cell in placement order."""
        h, w = self.tile
        cell_r, cell_c = divmod(index, self.cols)
        return cell_r * (h + self.pad), cell_c * (w + self.pad)


# ---------------------------------------------------------------------------------------------
# Hooks


def _row_modules(model: nn.Module) -> dict[str, nn.Module]:
    """Leaf modules plus containers that do more than chain (e.g. a residual block), not root."""
    rows: dict[str, nn.Module] = {}
    for name, module in model.named_modules():
        leaf = next(module.children(), None) is None
        if name and (leaf or type(module) not in _CHAINS):
            rows[name] = module
    if not rows:  # the model is a single layer: the root is its only row
        rows[""] = model
    return rows


def _hooked_forward(model: nn.Module, x: Tensor, modules: dict[str, nn.Module],
                    store: Callable[[str, Tensor, tuple], None]) -> tuple[Any, list[str]]:
    """Run ``model(x)`` with hooks on ``modules``; returns (output, names in first-call order).

    Pre-hooks record the call order, so a block comes before its children; ``store`` gets each
    call's output tensor and its inputs. Every hook is removed again, also when the forward raises.
    """
    order: list[str] = []
    inputs: dict[str, tuple] = {}

    def called(name: str, args: tuple) -> None:
        if name not in order:
            order.append(name)
        inputs[name] = args

    def output(name: str, out: Any) -> None:
        tensor = first_tensor(out)
        if tensor is not None:
            store(name, tensor, inputs.pop(name, ()))

    with forward_hooks(modules, on_output=output, on_call=called):
        return model(x), order


def _model_device_dtype(model: nn.Module) -> tuple[torch.device, torch.dtype]:
    for tensor in list(model.parameters()) + list(model.buffers()):
        if tensor.is_floating_point():
            return tensor.device, tensor.dtype
    return torch.device("cpu"), torch.float32


# ---------------------------------------------------------------------------------------------
# Layer table


def _attribute_params(model: nn.Module, rows: dict[str, nn.Module]) -> tuple[dict, dict]:
    """Give each parameter to its nearest enclosing row: (params, trainable) per row name."""
    params: dict[str, int] = {}
    trainable: dict[str, int] = {}
    for pname, p in model.named_parameters():  # shared parameters come once
        owner = pname.rpartition(".")[0]
        while owner not in rows and owner:
            owner = owner.rpartition(".")[0]
        params[owner] = params.get(owner, 0) + p.numel()
        trainable[owner] = trainable.get(owner, 0) + (p.numel() if p.requires_grad else 0)
    return params, trainable


def _aliases(out: Tensor, inputs: tuple) -> bool:
    """True when ``out`` is one of the input tensors or a view of the same memory."""
    base = out if out._base is None else out._base
    return any(isinstance(t, Tensor) and base is (t if t._base is None else t._base)
               for t in inputs)


def _depth(name: str, rows: dict[str, nn.Module]) -> int:
    parts = name.split(".")
    return sum(".".join(parts[:i]) in rows for i in range(1, len(parts)))


def layer_table(model: nn.Module, in_shape: tuple[int, int, int]) -> tuple[list[LayerRow], dict]:
    """Rows like torchsummary's, from one forward pass of zeros (batch 1, eval mode, no grad).

    Every module's training flag is restored afterwards. Works on a model built on the ``meta``
    device (shapes only, no memory), which makes the table of a big network nearly free.
    Totals: total_params, trainable_params, param_bytes, act_bytes_total (the float32 outputs of
    leaf layers that allocate new memory, once per call: a block's output is its last child's; an
    output that reuses its input, such as an in-place ReLU's, is not counted again),
    act_bytes_all_outputs (every leaf output, as torchsummary adds them), in_shape and out_shape.
    """
    rows = _row_modules(model)
    params, trainable = _attribute_params(model, rows)
    if "" in params and "" not in rows:  # parameters owned by the root itself
        rows = {"": model, **rows}
    shapes: dict[str, tuple[int, ...]] = {}
    calls: dict[str, int] = {}
    new_memory: dict[str, bool] = {}

    def store(name: str, out: Tensor, inputs: tuple) -> None:
        shapes[name] = tuple(out.shape[1:])
        calls[name] = calls.get(name, 0) + 1
        new_memory[name] = not _aliases(out, inputs)

    device, dtype = _model_device_dtype(model)
    flags = {m: m.training for m in model.modules()}
    try:
        model.eval()
        with torch.no_grad():
            out, order = _hooked_forward(model, torch.zeros(1, *in_shape, device=device,
                                                            dtype=dtype), rows, store)
    finally:
        for module, flag in flags.items():
            module.training = flag
    order += [name for name in rows if name not in order]  # never called: at the end
    table = []
    for name in order:
        shape = shapes.get(name)
        table.append(LayerRow(
            name=name, kind=type(rows[name]).__name__, out_shape=shape,
            params=params.get(name, 0), trainable=trainable.get(name, 0),
            act_bytes=math.prod(shape) * FLOAT32_BYTES if shape is not None else 0,
            depth=_depth(name, rows), calls=calls.get(name, 0),
            leaf=next(rows[name].children(), None) is None,
            allocates=new_memory.get(name, True),
        ))
    totals = {
        "total_params": sum(p.numel() for p in model.parameters()),
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "param_bytes": sum(p.numel() * p.element_size() for p in model.parameters()),
        "act_bytes_total": sum(r.act_bytes * r.calls for r in table if r.leaf and r.allocates),
        "act_bytes_all_outputs": sum(r.act_bytes * r.calls for r in table if r.leaf),
        "in_shape": tuple(in_shape),
        "out_shape": tuple(first_tensor(out).shape[1:]),
    }
    return table, totals


def feature_layers(model: nn.Module, in_shape: tuple[int, int, int]) -> list[str]:
    """Rows whose output is a feature map (C, H, W), in the layer table's order.

    Identity modules (placeholders for a switched-off BatchNorm, plain shortcuts) only repeat
    their input, so they are left out.
    """
    rows, _ = layer_table(model, in_shape)
    modules = dict(model.named_modules())
    return [r.name for r in rows if r.out_shape is not None and len(r.out_shape) == 3
            and r.name and not isinstance(modules[r.name], nn.Identity)]


def walk_layers(model: nn.Module, in_shape: tuple[int, int, int]) -> list[str]:
    """Every row of the layer table a student can step to: feature maps (C, H, W) and vectors
    (N,) of flattened and fully connected layers, in the table's order (Identity left out)."""
    rows, _ = layer_table(model, in_shape)
    modules = dict(model.named_modules())
    return [r.name for r in rows if r.out_shape is not None and len(r.out_shape) in (1, 3)
            and r.name and not isinstance(modules[r.name], nn.Identity)]


def conv_layers(model: nn.Module) -> list[str]:
    """Names of the ``nn.Conv2d`` modules, in definition order."""
    return [name for name, m in model.named_modules() if isinstance(m, nn.Conv2d)]


# ---------------------------------------------------------------------------------------------
# Capture


def capture(model: nn.Module, x: Tensor,
            layers: Sequence[str] | None = None) -> tuple[Tensor, dict[str, Tensor]]:
    """One forward pass of ``x``: (logits, {layer name: activation (B, ...)}), under no_grad.

    Activations are cloned in the hook, since an in-place op after a layer would otherwise
    change what it shows, and stay on x's device. ``layers`` defaults to every row of
    ``layer_table`` except the root; any module name is accepted. The model's mode is left as
    is: call ``model.eval()`` first for inference-time BatchNorm and Dropout.
    """
    modules = dict(model.named_modules())
    if layers is None:
        wanted = {n: m for n, m in _row_modules(model).items() if n}
    else:
        unknown = [n for n in layers if n not in modules or not n]
        if unknown:
            valid = [n for n in modules if n]
            raise KeyError(f"unknown layer(s) {unknown}; valid names: {valid}")
        wanted = {n: modules[n] for n in dict.fromkeys(layers)}
    acts: dict[str, Tensor] = {}

    def store(name: str, out: Tensor, _inputs: tuple) -> None:
        acts[name] = out.detach().clone()  # the last call wins, as in Captum

    with torch.no_grad():
        logits, order = _hooked_forward(model, x, wanted, store)
    return logits, {name: acts[name] for name in order if name in acts}


# ---------------------------------------------------------------------------------------------
# Mosaic and statistics


def _as_maps(maps: Tensor | np.ndarray) -> np.ndarray:
    if isinstance(maps, Tensor):
        maps = maps.detach().to("cpu", torch.float32).numpy()
    arr = np.asarray(maps, dtype=np.float32)
    if arr.ndim != 3 or arr.shape[0] == 0:
        raise ValueError(f"maps must have shape (C, H, W) with C >= 1, got {arr.shape}")
    return arr


def _check_order(order: Sequence[int] | None, channels: int) -> list[int]:
    if order is None:
        return list(range(channels))
    chosen = [int(i) for i in order]
    if not chosen or len(set(chosen)) != len(chosen) or not all(
            0 <= i < channels for i in chosen):
        raise ValueError(f"order must list distinct channels in [0, {channels}), got {order!r}")
    return chosen


def mosaic(maps: Tensor | np.ndarray, cols: int | None = None, pad: int = 1,
           order: Sequence[int] | None = None) -> Mosaic:
    """Tile maps (C, H, W) into one 2-D image for a single heatmap (one trace draws ~10x faster
    than C subplots). Cell i holds channel ``order[i]`` (default 0..C-1), row by row; ``cols``
    defaults to ceil(sqrt(n)). ``order`` may also pick a subset, e.g. the 16 strongest maps.
    """
    arr = _as_maps(maps)
    placed = _check_order(order, arr.shape[0])
    n, (h, w) = len(placed), arr.shape[1:]
    cols = math.ceil(math.sqrt(n)) if cols is None else cols
    if isinstance(cols, bool) or not isinstance(cols, int) or cols < 1:
        raise ValueError(f"cols must be a positive int, got {cols!r}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be a non-negative int, got {pad!r}")
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    image = np.full((rows * h + (rows - 1) * pad, cols * w + (cols - 1) * pad), np.nan,
                    dtype=np.float32)
    result = Mosaic(image=image, rows=rows, cols=cols, tile=(h, w), order=placed, pad=pad)
    for index, channel in enumerate(placed):
        top, left = result.origin(index)
        image[top:top + h, left:left + w] = arr[channel]
    return result


def map_stats(maps: Tensor | np.ndarray) -> list[dict]:
    """Per channel of (C, H, W): {"channel", "min", "max", "mean"} as Python floats."""
    arr = _as_maps(maps)
    flat = arr.reshape(arr.shape[0], -1).astype(np.float64)
    return [{"channel": c, "min": float(v.min()), "max": float(v.max()), "mean": float(v.mean())}
            for c, v in enumerate(flat)]


def top_k(logits: Tensor, classes: Sequence[str], k: int = 5) -> list[tuple[str, float]]:
    """The k most probable classes by softmax, most probable first; k is clipped to the classes.

    ``logits`` is (N,) or (1, N) with N == len(classes).
    """
    scores = logits.detach()
    if scores.ndim == 2 and scores.shape[0] == 1:
        scores = scores[0]
    if scores.ndim != 1 or scores.shape[0] != len(classes):
        raise ValueError(f"logits of shape {tuple(logits.shape)} do not fit "
                         f"{len(classes)} classes")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    probs = torch.softmax(scores.to(torch.float64), dim=0)
    values, indices = torch.topk(probs, min(k, len(classes)))
    return [(classes[i], float(p)) for p, i in zip(values.tolist(), indices.tolist())]
