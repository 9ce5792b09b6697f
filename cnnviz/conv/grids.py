"""Small matrices for the Convolution lab: text format, input and kernel presets.

The text format is the one users type in a URL or an editor: rows separated by ';'
(or new lines), values by ',' (or spaces), channels separated by '|'.
Pure numpy / OpenCV; no Streamlit.
"""

from __future__ import annotations

import re
from functools import lru_cache

import cv2
import numpy as np

from cnnviz.text import untrusted
from cnnviz.errors import CnnvizError, register

__all__ = [
    "INPUT_PRESETS",
    "KERNEL_PRESETS",
    "FIXED_KERNEL_SIZE",
    "SAMPLE_IMAGES",
    "MatrixError",
    "format_matrix",
    "format_matrices",
    "input_preset",
    "kernel_preset",
    "parse_matrix",
    "parse_matrices",
]

MAX_ABS_VALUE = 1e6
INPUT_PRESETS = ("course", "pool_example", "vertical_edge", "horizontal_edge", "diagonal",
                 "checkerboard", "ramp", "random", "image")
KERNEL_PRESETS = ("identity", "box_blur", "gaussian", "sobel_x", "sobel_y", "laplacian",
                  "sharpen", "emboss", "course", "random")
# Presets that only exist at one size; choosing one sets the kernel size.
FIXED_KERNEL_SIZE = {"sobel_x": 3, "sobel_y": 3, "laplacian": 3, "sharpen": 3, "emboss": 3, "course": 3}
SAMPLE_IMAGES = ("camera", "astronaut", "coffee", "chelsea")
# A region of each sample image with visible structure (edges), as (top, left, size) in pixels.
_PATCHES = {"camera": (150, 250, 96), "astronaut": (60, 180, 128), "coffee": (60, 220, 160),
            "chelsea": (80, 150, 120)}
_COURSE_IMAGE = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
_POOL_IMAGE = [[2, 2, 7, 3], [9, 4, 6, 1], [8, 5, 2, 4], [3, 1, 2, 6]]
# ASCII digits only: str patterns' \d would also take "١٢" or "²"-like digits of other scripts.
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


# Why a matrix text cannot be read (shown inside the lab's "not applied" message).
MESSAGES = register({
    "err_not_number": "'{value}' in row {row}, column {col} is not a number",
    "err_too_large": "'{value}' is too large (the limit is ±{limit})",
    "err_empty": "the matrix is empty",
    "err_ragged": "rows have different lengths ({widths})",
    "err_size": "a {rows}×{cols} matrix is outside the allowed {low}..{high} per side",
    "err_channel_shapes": "channels have different shapes ({shapes})",
    "err_bias_count": "the bias needs one value per filter ({c_out}), not {count}",
    "err_kernel_square": "a kernel must be square, not {rows}×{cols}",
})


class MatrixError(CnnvizError):
    """A matrix text that cannot be read; ``key`` and ``args`` name a translatable message."""


def _parse_value(token: str, row: int, col: int) -> float:
    token = token.strip().replace("\u2212", "-")  # accept the typographic minus
    if not _NUMBER.fullmatch(token):
        raise MatrixError("err_not_number", value=untrusted(token, 20), row=row + 1, col=col + 1)
    value = float(token)
    if not abs(value) <= MAX_ABS_VALUE:
        raise MatrixError("err_too_large", value=untrusted(token, 20), limit=int(MAX_ABS_VALUE))
    return value


def parse_matrix(text: str, min_size: int = 1, max_size: int = 12) -> np.ndarray:
    """Parse '1,2;3,4' (or lines of space/comma separated numbers) into a float64 (H, W) array."""
    rows = [r for r in re.split(r"[;\n]", text.strip()) if r.strip()]
    if not rows:
        raise MatrixError("err_empty")
    grid = [[_parse_value(t, i, j) for j, t in enumerate(re.split(r"[,\s]+", r.strip()))]
            for i, r in enumerate(rows)]
    widths = {len(r) for r in grid}
    if len(widths) != 1:
        raise MatrixError("err_ragged", widths=", ".join(str(len(r)) for r in grid))
    h, w = len(grid), widths.pop()
    if not (min_size <= h <= max_size and min_size <= w <= max_size):
        raise MatrixError("err_size", rows=h, cols=w, low=min_size, high=max_size)
    return np.array(grid, dtype=np.float64)


def parse_matrices(text: str, min_size: int = 1, max_size: int = 12) -> np.ndarray:
    """Parse channels separated by '|' into a (C, H, W) array; all channels must share a shape."""
    mats = [parse_matrix(part, min_size, max_size) for part in text.split("|")]
    if len({m.shape for m in mats}) != 1:
        raise MatrixError("err_channel_shapes", shapes=", ".join(f"{m.shape[0]}×{m.shape[1]}" for m in mats))
    return np.stack(mats)


def _fmt(v: float) -> str:
    if float(v).is_integer():
        return str(int(v))
    return np.format_float_positional(v, trim="-")  # shortest text that reads back exactly


def format_matrix(m: np.ndarray, row_sep: str = ";", col_sep: str = ",") -> str:
    """Inverse of parse_matrix; integers are written without decimals."""
    return row_sep.join(col_sep.join(_fmt(v) for v in row) for row in np.asarray(m))


def format_matrices(ms: np.ndarray) -> str:
    """Inverse of parse_matrices, in the URL form ('1,2;3,4|5,6;7,8')."""
    return "|".join(format_matrix(m) for m in np.asarray(ms))


@lru_cache(maxsize=8)
def _sample_patch(name: str) -> np.ndarray:
    """The structured crop of a bundled sample photo (scikit-image ships these files)."""
    import skimage.data  # imported lazily: only this preset needs it

    img = getattr(skimage.data, name)()
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    top, left, size = _PATCHES[name]
    crop = img[top : top + size, left : left + size]
    crop.setflags(write=False)
    return crop


def image_patch(name: str, rows: int, cols: int, channels: int) -> np.ndarray:
    """A (C, rows, cols) uint8-valued patch of a sample photo, downsampled by area averaging."""
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"unknown sample image {name!r}")
    small = cv2.resize(np.ascontiguousarray(_sample_patch(name)), (cols, rows), interpolation=cv2.INTER_AREA)
    if channels == 1:
        return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)[None].astype(np.float64)
    return np.moveaxis(small, -1, 0)[:channels].astype(np.float64)


def input_preset(name: str, rows: int, cols: int, channels: int, seed: int = 0, image: str = "camera") -> np.ndarray:
    """A (C, rows, cols) input. 'course' and 'pool_example' have their own fixed sizes."""
    if name == "course":
        base = np.array(_COURSE_IMAGE, dtype=np.float64)
    elif name == "pool_example":
        base = np.array(_POOL_IMAGE, dtype=np.float64)
    elif name == "image":
        return image_patch(image, rows, cols, channels)
    elif name == "random":
        return np.random.default_rng(seed).integers(0, 10, size=(channels, rows, cols)).astype(np.float64)
    else:
        r, c = np.mgrid[0:rows, 0:cols]
        patterns = {
            "vertical_edge": (c >= cols // 2) * 9,
            "horizontal_edge": (r >= rows // 2) * 9,
            "diagonal": (c >= r) * 9,
            "checkerboard": ((r + c) % 2) * 9,
            "ramp": c,
        }
        if name not in patterns:
            raise ValueError(f"unknown input preset {name!r}")
        base = patterns[name].astype(np.float64)
    return np.repeat(base[None], channels, axis=0)


def _binomial(k: int) -> np.ndarray:
    row = np.array([1.0])
    for _ in range(k - 1):
        row = np.convolve(row, [1.0, 1.0])
    return row


def _one_kernel(name: str, k: int) -> np.ndarray:
    if name == "identity":
        m = np.zeros((k, k))
        m[(k - 1) // 2, (k - 1) // 2] = 1
        return m
    if name == "box_blur":
        return np.full((k, k), 1.0 / (k * k))
    if name == "gaussian":
        g = np.outer(_binomial(k), _binomial(k))
        return g / g.sum()
    if name in ("sobel_x", "sobel_y"):
        dx, dy = (1, 0) if name == "sobel_x" else (0, 1)
        kx, ky = cv2.getDerivKernels(dx, dy, 3)  # OpenCV's own Sobel taps
        return (ky @ kx.T).astype(np.float64)
    fixed = {
        "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
        "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
        "course": [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
    }
    if name not in fixed:
        raise ValueError(f"unknown kernel preset {name!r}")
    return np.array(fixed[name], dtype=np.float64)


def kernel_preset(name: str, k: int, c_out: int, c_in: int, seed: int = 0) -> np.ndarray:
    """A (C_out, C_in, K, K) weight tensor; fixed-size presets ignore ``k`` (FIXED_KERNEL_SIZE)."""
    if name == "random":
        return np.random.default_rng(seed).integers(-2, 3, size=(c_out, c_in, k, k)).astype(np.float64)
    m = _one_kernel(name, FIXED_KERNEL_SIZE.get(name, k))
    return np.broadcast_to(m, (c_out, c_in) + m.shape).copy()
