"""Receptive fields composed layer by layer from kernel, stride and dilation.

A layer (or a whole block) acts on positions like one window of side ``k`` moved by ``s`` pixels:
``Window(k, s)``. Chained: r_out = r_in + (k - 1) * j_in and j_out = j_in * s, where j is how
many input pixels one step of the current map spans. A block with branches (inception) sees as
far as its widest branch; a residual block as far as its main path (the shortcut sees less). No
Streamlit; shapes only, nothing is computed on images here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from torch import nn
from torchvision.models.googlenet import BasicConv2d, Inception
from torchvision.models.resnet import BasicBlock as TvBasicBlock
from torchvision.models.resnet import Bottleneck as TvBottleneck

from cnnviz.models.builders import BasicBlock as ZooBasicBlock

__all__ = ["BLOCK_TYPES", "GLOBAL", "Field", "Window", "chain", "compose", "window_of"]

# Modules that act on each position alone (or copy their input): a 1x1 window with stride 1.
_POINTWISE = (nn.ReLU, nn.LeakyReLU, nn.Sigmoid, nn.Tanh, nn.SiLU, nn.GELU, nn.BatchNorm2d,
              nn.BatchNorm1d, nn.Dropout, nn.Identity, nn.LocalResponseNorm)
# Residual blocks: the children on the main path, in order (the shortcut is shallower).
_MAIN_PATH: dict[type, tuple[str, ...]] = {
    TvBasicBlock: ("conv1", "conv2"),
    TvBottleneck: ("conv1", "conv2", "conv3"),
    ZooBasicBlock: ("conv1", "conv2"),
}
# Blocks with parallel branches whose outputs are concatenated.
_BRANCHES: dict[type, tuple[str, ...]] = {Inception: ("branch1", "branch2", "branch3", "branch4")}
# Modules the layer walk shows as one row (their inside is a unit of the architecture).
BLOCK_TYPES: tuple[type, ...] = (*_MAIN_PATH, *_BRANCHES, BasicConv2d)


@dataclass(frozen=True)
class Window:
    """What a layer does to positions: a window of ``k`` input positions moved by ``s``."""

    k: int
    s: int

    def then(self, nxt: Window) -> Window:
        """This window followed by ``nxt``: k = k1 + (k2 - 1) * s1, s = s1 * s2."""
        return Window(self.k + (nxt.k - 1) * self.s, self.s * nxt.s)


GLOBAL = None  # a layer that reads the whole input (flatten, fully connected, global pooling)
IDENTITY = Window(1, 1)


@dataclass(frozen=True)
class Field:
    """Receptive field side ``r`` and jump ``j`` (input pixels per output step), or whole input."""

    r: int | None  # None: every input pixel reaches every output value
    j: int | None


def _side(value: int | Sequence[int]) -> int:
    """One side of a kernel/stride/dilation given as an int or a (h, w) pair (square assumed)."""
    return int(value if isinstance(value, int) else value[0])


def _adaptive(in_hw: tuple[int, ...] | None, out_hw: tuple[int, ...] | None) -> Window | None:
    if in_hw is None or out_hw is None or len(in_hw) < 2 or len(out_hw) < 2:
        return GLOBAL
    n_in, n_out = in_hw[-1], out_hw[-1]
    if n_in == n_out:  # VGG's AdaptiveAvgPool2d(7) on a 7x7 map: nothing moves
        return IDENTITY
    if n_out == 1 or n_in % n_out:
        return GLOBAL
    return Window(n_in // n_out, n_in // n_out)


def window_of(module: nn.Module, in_hw: tuple[int, ...] | None = None,
              out_hw: tuple[int, ...] | None = None) -> Window | None:
    """The window of ``module`` (None: it reads its whole input). ``in_hw``/``out_hw`` are needed
    only for adaptive pooling, whose window depends on the map it gets."""
    if isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
        dilation = _side(getattr(module, "dilation", 1))
        return Window(dilation * (_side(module.kernel_size) - 1) + 1, _side(module.stride))
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return _adaptive(in_hw, out_hw)
    if isinstance(module, (nn.Linear, nn.Flatten)):
        return GLOBAL
    if isinstance(module, _POINTWISE):
        return IDENTITY
    if isinstance(module, BasicConv2d):
        return window_of(module.conv)
    for kind, path in _MAIN_PATH.items():
        if isinstance(module, kind):
            return compose(window_of(getattr(module, name)) for name in path)
    for kind, names in _BRANCHES.items():
        if isinstance(module, kind):
            return widest(window_of(getattr(module, name)) for name in names)
    children = list(module.children())
    if not children:
        return IDENTITY  # parameter-free elementwise modules we do not list
    return compose(window_of(child) for child in children)  # a plain chain, e.g. nn.Sequential


def compose(windows: Iterable[Window | None]) -> Window | None:
    """Windows applied one after the other; GLOBAL as soon as one of them is."""
    total = IDENTITY
    for w in windows:
        if w is GLOBAL:
            return GLOBAL
        total = total.then(w)
    return total


def widest(windows: Iterable[Window | None]) -> Window | None:
    """Parallel branches: the widest window (they share the stride, or could not be concatenated)."""
    found = list(windows)
    if any(w is GLOBAL for w in found):
        return GLOBAL
    return max(found, key=lambda w: w.k)


def chain(windows: Sequence[Window | None]) -> list[Field]:
    """The receptive field after each layer of a chain, starting from one input pixel."""
    fields = []
    r: int | None = 1
    j: int | None = 1
    for w in windows:
        if w is GLOBAL or r is None or j is None:
            r = j = None
        else:
            r, j = r + (w.k - 1) * j, j * w.s
        fields.append(Field(r, j))
    return fields
