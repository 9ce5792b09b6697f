"""The course's classic CNNs walked layer by layer: output shape, values, weights with and without
bias, activation memory, multiply-adds and receptive field of every layer, and the totals.

Models are the real torchvision / cnnviz modules built on the ``meta`` device: one hooked forward
pass of zeros gives every shape without memory or arithmetic. Each count is kept as the product it
is made of, so a page can show the formula with the numbers in it. No Streamlit; no weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import torch
from torch import Tensor, nn
from torchvision import models as tv

from cnnviz.course.receptive import BLOCK_TYPES, chain, window_of
from cnnviz.explain.hooks import first_tensor, forward_hooks
from cnnviz.models.builders import ModelConfig, build_model

__all__ = ["ARCHITECTURES", "FLOAT32_BYTES", "Architecture", "Product", "Totals", "WalkRow", "build",
           "row_keys", "totals", "walk", "walk_of"]

FLOAT32_BYTES = 4


@dataclass(frozen=True)
class Architecture:
    key: str
    label: str
    in_shape: tuple[int, int, int]  # (C, H, W) the course uses
    build: Callable[[], nn.Module]
    inspect_model: str | None  # model key on the Inspect page, None where it has no such model
    source: str  # where the module comes from, shown next to the walk


def _lenet5() -> nn.Module:
    return build_model(ModelConfig("lenet5", (1, 28, 28), activation="relu"))


def _googlenet() -> nn.Module:
    return tv.googlenet(weights=None, aux_logits=False, init_weights=False)


ARCHITECTURES: dict[str, Architecture] = {a.key: a for a in (
    Architecture("lenet5", "LeNet-5", (1, 28, 28), _lenet5, "shipped:lenet5_digits",
                 "cnnviz.models.builders.build_model(ModelConfig('lenet5'))"),
    Architecture("alexnet", "AlexNet", (3, 224, 224), lambda: tv.alexnet(weights=None), "imagenet:alexnet",
                 "torchvision.models.alexnet"),
    Architecture("vgg16", "VGG-16", (3, 224, 224), lambda: tv.vgg16(weights=None), "imagenet:vgg16",
                 "torchvision.models.vgg16"),
    Architecture("googlenet", "GoogLeNet", (3, 224, 224), _googlenet, None,
                 "torchvision.models.googlenet (aux_logits=False)"),
    Architecture("resnet18", "ResNet-18", (3, 224, 224), lambda: tv.resnet18(weights=None), "imagenet:resnet18",
                 "torchvision.models.resnet18"),
)}


@dataclass(frozen=True)
class Product:
    """A count kept as its factors, e.g. 3·3·3·64 = 1,728."""

    factors: tuple[int, ...]

    @property
    def value(self) -> int:
        return math.prod(self.factors)

    def text(self) -> str:
        if len(self.factors) == 1:
            return f"{self.value:,}"
        return "·".join(str(f) for f in self.factors) + f" = {self.value:,}"


@dataclass(frozen=True)
class WalkRow:
    """One layer (or one block: a residual or inception block counts as one row)."""

    key: str  # the course's name where it has one ("conv1_1", "fc1"), else the module path
    module: str  # dotted path in named_modules
    kind: str  # class name
    in_shape: tuple[int, ...]  # without the batch dimension
    out_shape: tuple[int, ...]
    weights: tuple[Product, ...]  # one product per weight tensor (conv: k·k·C_in·C_out)
    biases: int
    macs: tuple[Product, ...]  # one product per conv / linear call inside
    allocated: int  # values of new memory its output (and, in a block, its inside) takes
    rf: int | None  # receptive field side in input pixels; None: the whole input
    jump: int | None  # input pixels between neighbouring outputs
    span: int | None  # the row as one window: its side (None: it reads its whole input)
    step: int | None  # and how far that window moves
    kernel: int = 0
    stride: int = 0
    padding: int = 0
    dilation: int = 0
    ceil: bool = False  # a pooling layer that rounds its output size up (GoogLeNet's)

    @property
    def values(self) -> int:
        return math.prod(self.out_shape)

    @property
    def weight_count(self) -> int:
        return sum(p.value for p in self.weights)

    @property
    def params(self) -> int:
        return self.weight_count + self.biases

    @property
    def mac_count(self) -> int:
        return sum(p.value for p in self.macs)

    @property
    def bytes(self) -> int:
        return self.allocated * FLOAT32_BYTES


@dataclass(frozen=True)
class Totals:
    params: int
    weights: int  # parameters without the biases
    values: int  # outputs of every row
    allocated: int  # values of new memory, the input not included
    input_values: int
    macs: int
    rf: int | None  # of the last row

    @property
    def memory_values(self) -> int:
        """Activation memory of one picture: the input and every new output (forward pass)."""
        return self.input_values + self.allocated


def build(key: str) -> nn.Module:
    """The architecture ``key`` on the meta device, in eval mode (shapes only, no memory)."""
    with torch.device("meta"):
        return ARCHITECTURES[key].build().eval()


def _row_modules(model: nn.Module, prefix: str = "") -> dict[str, nn.Module]:
    """Leaves and known blocks, descending through every other container (in definition order)."""
    rows: dict[str, nn.Module] = {}
    for name, child in model.named_children():
        path = f"{prefix}{name}"
        if isinstance(child, BLOCK_TYPES) or next(child.children(), None) is None:
            rows[path] = child
        else:
            rows.update(_row_modules(child, path + "."))
    return rows


def _aliases(out: Tensor, inputs: tuple) -> bool:
    """``out`` is one of the inputs or a view of one (in-place ReLU, eval Dropout, Identity)."""
    base = out if out._base is None else out._base
    return any(isinstance(t, Tensor) and base is (t if t._base is None else t._base) for t in inputs)


@dataclass
class _Call:
    inputs: tuple
    output: Tensor


def _record(model: nn.Module, in_shape: tuple[int, int, int]) -> tuple[dict[str, list[_Call]], list[str]]:
    """Every module's calls (inputs and output) in one forward pass of zeros, and the call order."""
    modules = {name: m for name, m in model.named_modules() if name}
    calls: dict[str, list[_Call]] = {}
    pending: dict[str, tuple] = {}
    order: list[str] = []

    def on_call(name: str, args: tuple) -> None:
        order.append(name)
        pending[name] = args

    def on_output(name: str, out: object) -> None:
        tensor = first_tensor(out)
        if tensor is not None:
            calls.setdefault(name, []).append(_Call(pending.pop(name, ()), tensor))

    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    with forward_hooks(modules, on_output=on_output, on_call=on_call), torch.no_grad():
        model(torch.zeros(1, *in_shape, device=device))
    return calls, list(dict.fromkeys(order))


def _weights(module: nn.Module) -> tuple[tuple[Product, ...], int]:
    """Weight tensors as products (conv k·k·C_in·C_out, linear in·out) and the bias count."""
    products, biases = [], 0
    for name, p in module.named_parameters():
        if name.rpartition(".")[2] == "bias":
            biases += p.numel()
        elif p.ndim == 4:  # (C_out, C_in/groups, kh, kw), written as the course does
            products.append(Product((p.shape[2], p.shape[3], p.shape[1], p.shape[0])))
        elif p.ndim == 2:
            products.append(Product((p.shape[1], p.shape[0])))
        else:
            products.append(Product(tuple(p.shape)))
    return tuple(products), biases


def _mac(module: nn.Module, call: _Call) -> Product | None:
    """Multiply-adds of one conv call (H_out·W_out·C_out·k·k·C_in/groups) or linear call (out·in)."""
    if isinstance(module, nn.Conv2d):
        _, c_out, h, w = call.output.shape
        kh, kw = module.kernel_size
        return Product((h, w, c_out, kh, kw, module.in_channels // module.groups))
    if isinstance(module, nn.Linear):
        rows = math.prod(call.output.shape[1:-1])
        return Product((module.in_features, module.out_features) + ((rows,) if rows != 1 else ()))
    return None


def _inside(name: str, calls: dict[str, list[_Call]]) -> list[str]:
    return [n for n in calls if n == name or n.startswith(name + ".")]


def _macs(name: str, modules: dict[str, nn.Module], calls: dict[str, list[_Call]]) -> tuple[Product, ...]:
    found = [_mac(modules[n], c) for n in _inside(name, calls) for c in calls[n]]
    return tuple(p for p in found if p is not None)


def _allocated(name: str, calls: dict[str, list[_Call]]) -> int:
    """Values of the new tensors a row makes: each output that is not its own input, counted once."""
    seen: dict[int, int] = {}
    for n in _inside(name, calls):
        for call in calls[n]:
            if not _aliases(call.output, call.inputs):
                base = call.output if call.output._base is None else call.output._base
                seen[id(base)] = call.output[0].numel()  # batch of one
    return sum(seen.values())


def _window_numbers(module: nn.Module) -> dict[str, int | bool]:
    if not isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
        return {}
    side = lambda v: int(v if isinstance(v, int) else v[0])  # noqa: E731 - square windows
    return {"kernel": side(module.kernel_size), "stride": side(module.stride),
            "padding": side(module.padding), "dilation": side(getattr(module, "dilation", 1)),
            "ceil": bool(getattr(module, "ceil_mode", False))}


def _course_names(arch: str, rows: dict[str, nn.Module]) -> dict[str, str]:
    """Names as the course writes them: conv1_1 ... fc3 for VGG-16, conv1 ... fc3 for AlexNet;
    other architectures keep their module names (already conv1, layer1.0, inception3a, ...)."""
    if arch not in ("vgg16", "alexnet"):
        return {name: name for name in rows}
    names: dict[str, str] = {}
    block, conv_in_block, counts, last = 1, 0, {"conv": 0, "pool": 0, "fc": 0, "drop": 0}, ""
    for name, m in rows.items():
        if isinstance(m, nn.Conv2d):
            conv_in_block += 1
            counts["conv"] += 1
            last = f"conv{block}_{conv_in_block}" if arch == "vgg16" else f"conv{counts['conv']}"
            names[name] = last
        elif isinstance(m, nn.MaxPool2d):
            counts["pool"] += 1
            names[name] = f"pool{block if arch == 'vgg16' else counts['pool']}"
            block, conv_in_block = block + 1, 0
        elif isinstance(m, nn.Linear):
            counts["fc"] += 1
            last = names[name] = f"fc{counts['fc']}"
        elif isinstance(m, nn.ReLU):
            names[name] = f"relu_{last}"
        elif isinstance(m, nn.Dropout):
            counts["drop"] += 1
            names[name] = f"dropout{counts['drop']}"
        else:
            names[name] = name
    return names


def walk(model: nn.Module, in_shape: tuple[int, int, int], arch: str = "") -> list[WalkRow]:
    """Every row of ``model`` for one (C, H, W) picture, in call order, with receptive fields."""
    rows = _row_modules(model)
    modules = dict(model.named_modules())
    calls, order = _record(model, in_shape)
    names = _course_names(arch, rows)
    ordered = [n for n in order if n in rows and n in calls]
    windows = [window_of(rows[n], tuple(calls[n][0].inputs[0].shape[2:]), tuple(calls[n][-1].output.shape[2:]))
               for n in ordered]
    result = []
    for name, window, field in zip(ordered, windows, chain(windows)):
        weights, biases = _weights(rows[name])
        result.append(WalkRow(
            key=names[name], module=name, kind=type(rows[name]).__name__,
            in_shape=tuple(calls[name][0].inputs[0].shape[1:]), out_shape=tuple(calls[name][-1].output.shape[1:]),
            weights=weights, biases=biases, macs=_macs(name, modules, calls), allocated=_allocated(name, calls),
            rf=field.r, jump=field.j, span=window.k if window else None, step=window.s if window else None,
            **_window_numbers(rows[name])))
    return _expand_flattened(result)


def _expand_flattened(rows: list[WalkRow]) -> list[WalkRow]:
    """A fully connected layer right after a flattened (C, H, W) map: its inputs written H·W·C, as
    the course writes VGG-16's FC1 (7·7·512·4096)."""
    out = list(rows)
    for i in range(1, len(out)):
        before = i - 2 if out[i - 1].kind == "Flatten" and i >= 2 else i - 1
        prev, row = out[before].out_shape, out[i]
        if row.kind == "Linear" and len(prev) == 3 and row.in_shape == (math.prod(prev),):
            c, h, w = prev
            expand = lambda p: Product((h, w, c, *p.factors[1:]))  # noqa: E731
            out[i] = replace(row, weights=tuple(map(expand, row.weights)), macs=tuple(map(expand, row.macs)))
    return out


@lru_cache(maxsize=None)
def walk_of(key: str) -> tuple[WalkRow, ...]:
    """The walk of a registered architecture at the course's input size (immutable, shared)."""
    return tuple(walk(build(key), ARCHITECTURES[key].in_shape, key))


def row_keys(key: str) -> tuple[str, ...]:
    return tuple(r.key for r in walk_of(key))


def totals(rows: tuple[WalkRow, ...] | list[WalkRow], in_shape: tuple[int, ...]) -> Totals:
    return Totals(params=sum(r.params for r in rows), weights=sum(r.weight_count for r in rows),
                  values=sum(r.values for r in rows), allocated=sum(r.allocated for r in rows),
                  input_values=math.prod(in_shape), macs=sum(r.mac_count for r in rows),
                  rf=rows[-1].rf if rows else 1)
