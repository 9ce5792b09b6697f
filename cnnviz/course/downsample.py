"""Five ways to make a picture smaller by a whole factor f, written out in numpy so each shows
what it reads: max pooling, average pooling, a strided convolution, nearest and bilinear
interpolation. Each equals its PyTorch counterpart (F.max_pool2d, F.avg_pool2d, F.conv2d,
F.interpolate with align_corners=False); tests check. ``footprint`` says which input pixels one
output value is made of. No Streamlit.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from cnnviz.imaging.images import sample_image
from cnnviz.imaging.preprocess import fit_to_input

__all__ = ["BLUR_KERNEL", "FACTORS", "METHODS", "PICTURES", "SIDE", "downsample", "footprint",
           "interpolation_matrix", "picture", "torch_line"]

METHODS = ("max", "avg", "conv", "nearest", "bilinear")
FACTORS = (2, 4)
SIDE = 128  # pictures are cut to SIDE x SIDE first
# The strided convolution's kernel: a 3x3 binomial blur, stride f, padding 1 (a common anti-alias).
BLUR_KERNEL = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16.0
PICTURES = ("fine_lines", "checkerboard", "text", "camera", "chelsea")


def _fine_lines(n: int) -> np.ndarray:
    """One-pixel lines and dots on black: what survives max pooling and what does not."""
    img = np.zeros((n, n), np.uint8)
    img[:, 5::8] = 255  # thin vertical lines every 8 pixels
    img[n // 2:, :] = 0
    img[n // 2 + 4::6, :] = 200  # thin horizontal lines every 6 pixels in the lower half
    img[3:n // 2:9, n // 2 + 3::9] = 255  # isolated dots in the top right
    cv2.circle(img, (n // 4, 3 * n // 4), n // 6, 255, 1)
    return np.repeat(img[:, :, None], 3, axis=2)


def picture(name: str) -> np.ndarray:
    """The picture ``name`` as RGB uint8 (SIDE, SIDE, 3)."""
    if name == "fine_lines":
        return _fine_lines(SIDE)
    if name == "checkerboard":  # cells of 3 pixels: finer than a factor-4 grid, so it aliases
        rows, cols = np.indices((SIDE, SIDE))
        board = ((rows // 3 + cols // 3) % 2 * 255).astype(np.uint8)
        return np.repeat(board[:, :, None], 3, axis=2)
    if name not in PICTURES:
        raise ValueError(f"unknown picture {name!r}; choose from {PICTURES}")
    return fit_to_input(np.asarray(sample_image(name)), SIDE, SIDE)


def interpolation_matrix(n_in: int, f: int, mode: str) -> np.ndarray:
    """(n_in // f, n_in) weights: output i reads input j with weight A[i, j] along one axis.

    PyTorch's rule with align_corners=False: the source position of output i is (i + 0.5)·f − 0.5
    (clamped at 0); nearest takes floor(i·f), bilinear the two neighbours of the source position.
    """
    n_out = n_in // f
    a = np.zeros((n_out, n_in))
    for i in range(n_out):
        if mode == "nearest":
            a[i, min(math.floor(i * f), n_in - 1)] = 1.0
            continue
        src = max((i + 0.5) * f - 0.5, 0.0)
        left = min(math.floor(src), n_in - 1)
        right = min(left + 1, n_in - 1)
        frac = src - left
        a[i, left] += 1.0 - frac
        a[i, right] += frac
    return a


def _windows(x: np.ndarray, f: int) -> np.ndarray:
    c, h, w = x.shape
    return x[:, :h // f * f, :w // f * f].reshape(c, h // f, f, w // f, f)  # (C, H/f, f, W/f, f)


def _strided_conv(x: np.ndarray, f: int, kernel: np.ndarray = BLUR_KERNEL) -> np.ndarray:
    """Each channel convolved with ``kernel`` (padding k//2, stride f) as a sum of shifted slices."""
    k = kernel.shape[0]
    pad = k // 2
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    h_out = (x.shape[1] + 2 * pad - k) // f + 1
    w_out = (x.shape[2] + 2 * pad - k) // f + 1
    out = np.zeros((x.shape[0], h_out, w_out))
    for a in range(k):
        for b in range(k):
            out += kernel[a, b] * padded[:, a:a + f * (h_out - 1) + 1:f, b:b + f * (w_out - 1) + 1:f]
    return out


def downsample(x: np.ndarray, method: str, f: int) -> np.ndarray:
    """``x`` (C, H, W) float made f times smaller by ``method`` (one of METHODS), float64 out."""
    x = np.asarray(x, np.float64)
    if method == "max":
        return _windows(x, f).max(axis=(2, 4))
    if method == "avg":
        return _windows(x, f).mean(axis=(2, 4))
    if method == "conv":
        return _strided_conv(x, f)
    if method in ("nearest", "bilinear"):
        rows = interpolation_matrix(x.shape[1], f, method)
        cols = interpolation_matrix(x.shape[2], f, method)
        return rows @ x @ cols.T  # (h', H) @ (C, H, W) @ (W, w') per channel
    raise ValueError(f"unknown method {method!r}; choose from {METHODS}")


def footprint(method: str, f: int) -> np.ndarray:
    """Weights of the input pixels that make one output value (away from the borders), on a
    window starting one pixel before that output's f×f cell. Max pooling has no fixed weights:
    NaN marks its f×f cell (it keeps the largest of them)."""
    size = f + 2
    start = f - 1  # output 1's cell starts at input f; show one pixel of context on each side
    if method == "max":
        grid = np.zeros((size, size))
        grid[1:1 + f, 1:1 + f] = np.nan
        return grid
    if method == "avg":
        grid = np.zeros((size, size))
        grid[1:1 + f, 1:1 + f] = 1.0 / (f * f)
        return grid
    if method == "conv":
        grid = np.zeros((size, size))
        centre = f  # output 1 is centred on input f (padding 1 moves the window back by one)
        k = BLUR_KERNEL.shape[0]
        top = centre - k // 2 - start
        grid[top:top + k, top:top + k] = BLUR_KERNEL
        return grid
    line = interpolation_matrix(4 * f, f, method)[1, start:start + size]  # output 1, one axis
    return np.outer(line, line)


def torch_line(method: str, f: int) -> str:
    """The PyTorch call that gives the same result (x: (B, C, H, W) float; blur: BLUR_KERNEL as a
    (C, 1, 3, 3) tensor, one copy per channel)."""
    lines = {"max": f"F.max_pool2d(x, kernel_size={f})",
             "avg": f"F.avg_pool2d(x, kernel_size={f})",
             "conv": f"F.conv2d(x, blur, stride={f}, padding=1, groups=x.shape[1])",
             "nearest": f"F.interpolate(x, scale_factor=1/{f}, mode='nearest')",
             "bilinear": f"F.interpolate(x, scale_factor=1/{f}, mode='bilinear', align_corners=False)"}
    if method not in lines:
        raise ValueError(f"unknown method {method!r}; choose from {METHODS}")
    return lines[method]
