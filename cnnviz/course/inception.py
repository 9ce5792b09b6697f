"""The inception module of the course's example, naive and with 1x1 bottlenecks, and what each
costs: multiplications per branch as H·W·C_out·k·k·C_in, and parameters.

Defaults: the widely taught example on a 28x28x256 input (the input of GoogLeNet's inception 3b)
with branches of 128 1x1, 192 3x3 and 96 5x5 filters and a 3x3 max pool; the bottleneck version
puts 1x1 convolutions of 64 filters before the 3x3 and 5x5 convolutions and after the pool.
``CourseInception`` is a real module (true 5x5 kernels, unlike torchvision's GoogLeNet), so the
counts are checked against PyTorch's FLOP counter. No Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from cnnviz.course.architectures import Product

__all__ = ["CourseInception", "InceptionWidths", "Term", "multiplications", "out_channels", "params_of", "terms"]

MAX_WIDTH = 512


@dataclass(frozen=True)
class InceptionWidths:
    side: int = 28
    c_in: int = 256
    n1x1: int = 128
    n3x3: int = 192
    n5x5: int = 96
    reduce3: int = 64  # 1x1 filters before the 3x3 convolution (bottleneck version only)
    reduce5: int = 64  # 1x1 filters before the 5x5 convolution
    pool_proj: int = 64  # 1x1 filters after the max pool


@dataclass(frozen=True)
class Term:
    """One convolution of the module: which branch, its kernel side, and its multiplications."""

    branch: str  # "1x1", "3x3", "5x5" or "pool"
    k: int
    c_in: int
    c_out: int
    product: Product  # H·W·C_out·k·k·C_in


def _conv(w: InceptionWidths, branch: str, k: int, c_in: int, c_out: int) -> Term:
    return Term(branch, k, c_in, c_out, Product((w.side, w.side, c_out, k, k, c_in)))


def terms(w: InceptionWidths, bottleneck: bool) -> list[Term]:
    """Every convolution of the module, branch by branch (the pool itself multiplies nothing)."""
    if not bottleneck:
        return [_conv(w, "1x1", 1, w.c_in, w.n1x1), _conv(w, "3x3", 3, w.c_in, w.n3x3),
                _conv(w, "5x5", 5, w.c_in, w.n5x5)]
    return [_conv(w, "1x1", 1, w.c_in, w.n1x1),
            _conv(w, "3x3", 1, w.c_in, w.reduce3), _conv(w, "3x3", 3, w.reduce3, w.n3x3),
            _conv(w, "5x5", 1, w.c_in, w.reduce5), _conv(w, "5x5", 5, w.reduce5, w.n5x5),
            _conv(w, "pool", 1, w.c_in, w.pool_proj)]


def multiplications(w: InceptionWidths, bottleneck: bool) -> int:
    return sum(t.product.value for t in terms(w, bottleneck))


def params_of(w: InceptionWidths, bottleneck: bool, bias: bool = True) -> int:
    """Weights k·k·C_in·C_out (+ C_out biases) of every convolution."""
    return sum(t.k * t.k * t.c_in * t.c_out + (t.c_out if bias else 0) for t in terms(w, bottleneck))


def out_channels(w: InceptionWidths, bottleneck: bool) -> int:
    """Channels of the concatenated output: the naive pool branch passes all C_in channels on."""
    return w.n1x1 + w.n3x3 + w.n5x5 + (w.pool_proj if bottleneck else w.c_in)


def _branch(layers: list[nn.Module]) -> nn.Module:
    return layers[0] if len(layers) == 1 else nn.Sequential(*layers)


class CourseInception(nn.Module):
    """Four branches concatenated along channels: 1x1 | (1x1) 3x3 | (1x1) 5x5 | 3x3 max pool (1x1).

    Padding keeps every branch at the input's height and width. Without ``bottleneck`` the 1x1
    reductions and the pool projection are left out (the naive module).
    """

    def __init__(self, w: InceptionWidths, bottleneck: bool) -> None:
        super().__init__()
        c = w.c_in
        c3, c5 = (w.reduce3, w.reduce5) if bottleneck else (c, c)
        self.branch1 = nn.Conv2d(c, w.n1x1, 1)
        self.branch2 = _branch(([nn.Conv2d(c, c3, 1), nn.ReLU()] if bottleneck else [])
                               + [nn.Conv2d(c3, w.n3x3, 3, padding=1)])
        self.branch3 = _branch(([nn.Conv2d(c, c5, 1), nn.ReLU()] if bottleneck else [])
                               + [nn.Conv2d(c5, w.n5x5, 5, padding=2)])
        self.branch4 = _branch([nn.MaxPool2d(3, stride=1, padding=1)]
                               + ([nn.Conv2d(c, w.pool_proj, 1)] if bottleneck else []))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return torch.cat(parts, dim=1)  # (B, out_channels, H, W)
