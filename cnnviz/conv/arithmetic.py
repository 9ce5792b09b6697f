"""Convolution and pooling arithmetic, one output cell at a time.

Computes 2-D convolution (cross-correlation, exactly what ``torch.nn.functional.conv2d``
computes) and max/average pooling, and keeps for every output cell its receptive window
and element-wise products, so a page can show how each number came about.
Pure numpy; knows nothing about plotting or Streamlit.

Output size along one axis (N input, P padding per side, K kernel, D dilation, S stride)::

    out = floor((N + 2P - D*(K-1) - 1) / S) + 1
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "ConvTrace",
    "OutputSize",
    "PoolTrace",
    "Padding",
    "conv_trace",
    "conv2d_code",
    "group_channels",
    "output_size",
    "param_count",
    "pool_trace",
    "resolve_padding",
]

Padding = int | Literal["same", "valid"]
PoolKind = Literal["max", "avg"]


def resolve_padding(padding: Padding, k: int, stride: int, dilation: int) -> tuple[int, int]:
    """Zeros added (before, after) on each axis.

    'valid' is no padding. 'same' keeps the output size equal to the input size, which is
    only possible with stride 1; like PyTorch, an odd total D*(K-1) puts the extra zero
    after (right / bottom).
    """
    if padding == "valid":
        return 0, 0
    if padding == "same":
        if stride != 1:
            raise ValueError("padding='same' needs stride 1 (PyTorch has the same rule)")
        total = dilation * (k - 1)
        return total // 2, total - total // 2
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"padding must be a non-negative integer, 'same' or 'valid', not {padding!r}")
    return int(padding), int(padding)


@dataclass(frozen=True)
class OutputSize:
    """The output-size formula along one axis, with every intermediate number."""

    n: int
    k: int
    stride: int
    pad_before: int
    pad_after: int
    dilation: int

    @property
    def span(self) -> int:
        """Extent of the dilated kernel: D*(K-1) + 1."""
        return self.dilation * (self.k - 1) + 1

    @property
    def padded(self) -> int:
        return self.n + self.pad_before + self.pad_after

    @property
    def numerator(self) -> int:
        """N + 2P - D*(K-1) - 1."""
        return self.padded - self.span

    @property
    def valid(self) -> bool:
        """False when the (dilated) kernel does not fit inside the padded input."""
        return self.numerator >= 0

    @property
    def exact(self) -> Fraction:
        """numerator / S + 1 before flooring; not an integer when the stride does not fit."""
        return Fraction(self.numerator, self.stride) + 1

    @property
    def fits(self) -> bool:
        """True when the last window ends exactly at the padded input's edge."""
        return self.numerator % self.stride == 0

    @property
    def size(self) -> int:
        return self.numerator // self.stride + 1 if self.valid else 0

    def covered(self) -> np.ndarray:
        """Boolean mask over the N input (unpadded) positions read by at least one window."""
        mask = np.zeros(self.padded, dtype=bool)
        for o in range(self.size):
            mask[o * self.stride + self.dilation * np.arange(self.k)] = True
        return mask[self.pad_before : self.pad_before + self.n]

    def uncovered(self) -> list[int]:
        """0-based input positions no window ever reads (stride misfit or dilation gaps)."""
        return [int(i) for i in np.flatnonzero(~self.covered())]


def output_size(n: int, k: int, stride: int = 1, padding: Padding = 0, dilation: int = 1) -> OutputSize:
    """Output size of a convolution or pooling along one axis (see module docstring)."""
    for name, value, low in (("n", n, 1), ("k", k, 1), ("stride", stride, 1), ("dilation", dilation, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, not {value!r}")
    before, after = resolve_padding(padding, k, stride, dilation)
    return OutputSize(int(n), int(k), int(stride), before, after, int(dilation))


def param_count(c_in: int, c_out: int, k: int, bias: bool = True, groups: int = 1) -> int:
    """Learnable parameters of a Conv2d layer: C_out * (K*K*C_in/groups + 1), without the +1 if no bias.

    With ``groups`` g each filter reads only C_in/g channels; depthwise is g = C_in."""
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide both C_in={c_in} and C_out={c_out}")
    return c_out * (k * k * (c_in // groups) + (1 if bias else 0))


def group_channels(o: int, c_in: int, c_out: int, groups: int) -> range:
    """Input channels that output channel ``o`` reads when the channels are split into ``groups``."""
    per_in, per_out = c_in // groups, c_out // groups
    g = o // per_out
    return range(g * per_in, (g + 1) * per_in)


def conv2d_code(c_in: int, c_out: int, k: int, stride: int, padding: Padding, dilation: int, bias: bool,
                groups: int = 1) -> str:
    """The ``nn.Conv2d(...)`` line that builds a layer with these settings."""
    pad = repr(padding) if isinstance(padding, str) else str(padding)
    grouped = f", groups={groups}" if groups != 1 else ""
    return (
        f"nn.Conv2d(in_channels={c_in}, out_channels={c_out}, kernel_size={k}, "
        f"stride={stride}, padding={pad}, dilation={dilation}{grouped}, bias={bias})"
    )


def _windows(padded: np.ndarray, k: int, stride: int, dilation: int, rows: OutputSize, cols: OutputSize) -> np.ndarray:
    """All receptive windows: (C, H_out, W_out, K, K) view into ``padded``."""
    span_r, span_c = rows.span, cols.span
    views = sliding_window_view(padded, (span_r, span_c), axis=(1, 2))  # (C, Hp-s+1, Wp-s+1, span, span)
    return views[:, ::stride, ::stride, ::dilation, ::dilation][:, : rows.size, : cols.size]


def _check_sizes(rows: OutputSize, cols: OutputSize) -> None:
    if not (rows.valid and cols.valid):
        raise ValueError(
            f"the kernel covers {rows.span}x{cols.span} cells (with dilation) but the padded input is only "
            f"{rows.padded}x{cols.padded}: use a smaller kernel or dilation, or more padding"
        )


@dataclass(frozen=True)
class ConvTrace:
    """A whole convolution with everything needed to replay it cell by cell.

    ``products[o, c, i, j]`` is the K x K grid of input*weight for output channel ``o``,
    input channel ``c`` at output cell (i, j); ``out`` is their sum (+ bias), so every
    number shown by a step view adds up to the output cell it explains.
    """

    padded: np.ndarray  # (C_in, Hp, Wp) input with zeros around
    pad_mask: np.ndarray  # (Hp, Wp) True where the cell is padding
    weight: np.ndarray  # (C_out, C_in, K, K)
    bias: np.ndarray | None  # (C_out,)
    rows: OutputSize
    cols: OutputSize
    products: np.ndarray  # (C_out, C_in, H_out, W_out, K, K); zero outside an output channel's group
    out: np.ndarray  # (C_out, H_out, W_out)
    groups: int = 1
    channel_ids: tuple[int, ...] | None = None  # input channels kept by ``for_output`` (None: all)

    @property
    def stride(self) -> int:
        return self.rows.stride

    @property
    def dilation(self) -> int:
        return self.rows.dilation

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows.size, self.cols.size

    def window(self, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Padded-input row and column indices (each (K,)) read for output cell (i, j)."""
        k = self.weight.shape[-1]
        taps = self.dilation * np.arange(k)
        return i * self.stride + taps, j * self.stride + taps

    def inputs(self, i: int, j: int) -> np.ndarray:
        """The (C_in, K, K) input values under the window of output cell (i, j)."""
        r, c = self.window(i, j)
        return self.padded[:, r[:, None], c[None, :]]

    def for_output(self, o: int) -> "ConvTrace":
        """The trace restricted to the input channels output channel ``o`` reads (all, unless grouped)."""
        if self.groups == 1:
            return self
        keep = list(group_channels(o, self.padded.shape[0], self.weight.shape[0], self.groups))
        return replace(self, padded=self.padded[keep], weight=self.weight[:, keep], products=self.products[:, keep],
                       channel_ids=tuple(keep))


def conv_trace(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int = 1,
    padding: Padding = 0,
    dilation: int = 1,
    groups: int = 1,
) -> ConvTrace:
    """Convolve ``x`` (C_in, H, W) with ``weight`` (C_out, C_in/groups, K, K) as F.conv2d does.

    Raises ValueError with a readable reason for shapes or settings that cannot work.
    """
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    if (x.ndim != 3 or weight.ndim != 4 or groups < 1 or x.shape[0] % groups or weight.shape[0] % groups
            or weight.shape[1] * groups != x.shape[0] or weight.shape[2] != weight.shape[3]):
        raise ValueError(f"expected x (C_in, H, W) and weight (C_out, C_in/groups, K, K) with groups={groups} "
                         f"dividing both channel counts, got {x.shape} and {weight.shape}")
    weight = _spread_groups(weight, x.shape[0], groups)
    k = weight.shape[-1]
    rows = output_size(x.shape[1], k, stride, padding, dilation)
    cols = output_size(x.shape[2], k, stride, padding, dilation)
    _check_sizes(rows, cols)
    before, after = rows.pad_before, rows.pad_after
    padded = np.pad(x, ((0, 0), (before, after), (before, after)))
    pad_mask = np.ones(padded.shape[1:], dtype=bool)
    pad_mask[before : before + x.shape[1], before : before + x.shape[2]] = False
    win = _windows(padded, k, stride, dilation, rows, cols)  # (C_in, Ho, Wo, K, K)
    products = win[None] * weight[:, :, None, None]  # (C_out, C_in, Ho, Wo, K, K)
    out = products.sum(axis=(1, 4, 5))  # (C_out, Ho, Wo)
    if bias is not None:
        bias = np.asarray(bias, dtype=np.float64).reshape(-1)
        if bias.size != weight.shape[0]:
            raise ValueError(f"bias needs one value per output channel ({weight.shape[0]}), got {bias.size}")
        out = out + bias[:, None, None]
    return ConvTrace(padded, pad_mask, weight, bias, rows, cols, products, out, groups)


def _spread_groups(weight: np.ndarray, c_in: int, groups: int) -> np.ndarray:
    """(C_out, C_in/g, K, K) grouped weights as (C_out, C_in, K, K), zero where a filter does not read."""
    if groups == 1:
        return weight
    full = np.zeros((weight.shape[0], c_in) + weight.shape[2:])
    for o in range(weight.shape[0]):
        full[o, list(group_channels(o, c_in, weight.shape[0], groups))] = weight[o]
    return full


@dataclass(frozen=True)
class PoolTrace:
    """Max or average pooling of each channel, with the window of every output cell."""

    x: np.ndarray  # (C, H, W)
    kind: PoolKind
    rows: OutputSize
    cols: OutputSize
    windows: np.ndarray  # (C, H_out, W_out, k, k) input values under each window
    out: np.ndarray  # (C, H_out, W_out)

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows.size, self.cols.size

    def window(self, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Input row and column indices covered by output cell (i, j)."""
        k = self.windows.shape[-1]
        return i * self.rows.stride + np.arange(k), j * self.cols.stride + np.arange(k)

    def argmax(self, c: int, i: int, j: int) -> tuple[int, int]:
        """Position (within the window) of the first maximum, as max_pool2d picks it."""
        w = self.windows[c, i, j]
        return tuple(int(v) for v in np.unravel_index(int(np.argmax(w)), w.shape))  # type: ignore[return-value]


def pool_trace(x: np.ndarray, kind: PoolKind, size: int, stride: int | None = None) -> PoolTrace:
    """Pool ``x`` (C, H, W) with a size x size window, as max_pool2d / avg_pool2d (no padding)."""
    if kind not in ("max", "avg"):
        raise ValueError(f"pooling must be 'max' or 'avg', not {kind!r}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"expected x of shape (C, H, W), got {x.shape}")
    stride = size if stride is None else stride
    rows = output_size(x.shape[1], size, stride)
    cols = output_size(x.shape[2], size, stride)
    _check_sizes(rows, cols)
    win = _windows(x, size, stride, 1, rows, cols)
    out = win.max(axis=(3, 4)) if kind == "max" else win.mean(axis=(3, 4))
    return PoolTrace(x, kind, rows, cols, np.ascontiguousarray(win), out)
