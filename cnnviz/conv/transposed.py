"""Transposed convolution, one input cell at a time: each input value scatters a copy of the kernel,
scaled by that value, into the output; overlapping copies add up.

Computes exactly what ``torch.nn.functional.conv_transpose2d`` computes (weight (C_in, C_out, K, K)),
and keeps every input cell's scattered block so a page can show where each number goes.
Pure numpy; knows nothing about plotting or Streamlit.

Output size along one axis (N input, S stride, P padding, D dilation, K kernel, OP output padding)::

    out = (N - 1)*S - 2P + D*(K - 1) + OP + 1

Padding P crops P cells from each side of the full scatter; output padding adds OP cells at the end
(bottom / right), which PyTorch allows only when OP < max(S, D).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TransposeSize", "TransposeTrace", "conv_transpose2d_code", "transpose_size", "transpose_trace"]


@dataclass(frozen=True)
class TransposeSize:
    """The transposed-convolution size formula along one axis, with its parts."""

    n: int
    k: int
    stride: int
    padding: int
    output_padding: int
    dilation: int

    @property
    def full(self) -> int:
        """Cells the scatter writes before cropping: (N-1)*S + D*(K-1) + 1 + OP."""
        return (self.n - 1) * self.stride + self.dilation * (self.k - 1) + 1 + self.output_padding

    @property
    def size(self) -> int:
        """(N-1)*S - 2P + D*(K-1) + OP + 1; below 1 when the padding crops everything."""
        return self.full - 2 * self.padding

    @property
    def valid(self) -> bool:
        return self.size >= 1 and self.output_padding < max(self.stride, self.dilation)


def transpose_size(n: int, k: int, stride: int = 1, padding: int = 0, output_padding: int = 0,
                   dilation: int = 1) -> TransposeSize:
    """Output size of a transposed convolution along one axis (see module docstring)."""
    for name, value, low in (("n", n, 1), ("k", k, 1), ("stride", stride, 1), ("padding", padding, 0),
                             ("output_padding", output_padding, 0), ("dilation", dilation, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, not {value!r}")
    return TransposeSize(int(n), int(k), int(stride), int(padding), int(output_padding), int(dilation))


@dataclass(frozen=True)
class TransposeTrace:
    """A whole transposed convolution, replayable one input cell at a time.

    ``blocks[o, i, j]`` is the K x K block input cell (i, j) adds to output channel ``o`` (summed over
    input channels); it lands at full-scatter rows ``i*S + D*a`` and columns ``j*S + D*b``, and the
    output is the full scatter with P cells cropped from each side.
    """

    x: np.ndarray  # (C_in, H, W)
    weight: np.ndarray  # (C_in, C_out, K, K)
    bias: np.ndarray | None  # (C_out,)
    rows: TransposeSize
    cols: TransposeSize
    blocks: np.ndarray  # (C_out, H, W, K, K)
    full: np.ndarray  # (C_out, H_full, W_full) before cropping, without bias
    out: np.ndarray  # (C_out, H_out, W_out)

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows.size, self.cols.size

    @property
    def steps(self) -> int:
        """One step per input cell, in raster order."""
        return self.x.shape[1] * self.x.shape[2]

    def targets(self, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Full-scatter row and column indices (each (K,)) that input cell (i, j) writes to."""
        taps = self.rows.dilation * np.arange(self.weight.shape[-1])
        return i * self.rows.stride + taps, j * self.cols.stride + taps

    def running(self, o: int, step: int) -> np.ndarray:
        """Output channel ``o`` of the full scatter after the input cells 0..step (raster) have scattered."""
        acc = np.zeros(self.full.shape[1:])
        w = self.x.shape[2]
        for t in range(step + 1):
            i, j = divmod(t, w)
            r, c = self.targets(i, j)
            acc[r[:, None], c[None, :]] += self.blocks[o, i, j]
        return acc


def transpose_trace(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None, stride: int = 1,
                    padding: int = 0, output_padding: int = 0, dilation: int = 1) -> TransposeTrace:
    """Transposed convolution of ``x`` (C_in, H, W) with ``weight`` (C_in, C_out, K, K), as
    F.conv_transpose2d; raises ValueError with a readable reason for settings that cannot work."""
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    if x.ndim != 3 or weight.ndim != 4 or weight.shape[0] != x.shape[0] or weight.shape[2] != weight.shape[3]:
        raise ValueError(f"expected x (C_in, H, W) and weight (C_in, C_out, K, K), got {x.shape} and {weight.shape}")
    k = weight.shape[-1]
    rows = transpose_size(x.shape[1], k, stride, padding, output_padding, dilation)
    cols = transpose_size(x.shape[2], k, stride, padding, output_padding, dilation)
    if output_padding >= max(stride, dilation):
        raise ValueError(f"output padding {output_padding} must be smaller than the stride or the dilation")
    if rows.size < 1 or cols.size < 1:
        raise ValueError(f"padding {padding} crops the whole {rows.full}x{cols.full} output away")
    blocks = np.einsum("chw,coab->ohwab", x, weight)  # (C_out, H, W, K, K): each input cell's scaled kernels
    full = np.zeros((weight.shape[1], rows.full, cols.full))
    taps = dilation * np.arange(k)
    for i in range(x.shape[1]):
        for j in range(x.shape[2]):
            r, c = i * stride + taps, j * stride + taps
            full[:, r[:, None], c[None, :]] += blocks[:, i, j]
    out = full[:, padding:padding + rows.size, padding:padding + cols.size].copy()
    if bias is not None:
        bias = np.asarray(bias, dtype=np.float64).reshape(-1)
        if bias.size != weight.shape[1]:
            raise ValueError(f"bias needs one value per output channel ({weight.shape[1]}), got {bias.size}")
        out = out + bias[:, None, None]
    return TransposeTrace(x, weight, bias, rows, cols, blocks, full, out)


def conv_transpose2d_code(c_in: int, c_out: int, k: int, stride: int, padding: int, output_padding: int,
                          dilation: int, bias: bool) -> str:
    """The ``nn.ConvTranspose2d(...)`` line that builds a layer with these settings."""
    return (f"nn.ConvTranspose2d(in_channels={c_in}, out_channels={c_out}, kernel_size={k}, stride={stride}, "
            f"padding={padding}, output_padding={output_padding}, dilation={dilation}, bias={bias})")
