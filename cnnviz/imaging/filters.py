"""Classic image filters (Sobel, Scharr, Prewitt, Roberts, Laplacian, Gaussian, ...) on grey images.

Linear filters are kernels applied as cross-correlation with zero padding, exactly like a CNN's
conv layer, through OpenCV (`apply_cv2`) or torch (`apply_torch`); the two agree to float
precision. Non-linear classics (gradient magnitude, unsharp mask, Canny) go through OpenCV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    "CLASSIC_FILTERS",
    "ALL_FILTERS",
    "COMPOSITE_FILTERS",
    "DEFAULT_SELECTION",
    "MAX_KERNEL_SIZE",
    "Filter",
    "Response",
    "anchor",
    "apply_cv2",
    "apply_torch",
    "canny",
    "classic_filter",
    "custom",
    "gaussian_size",
    "respond",
    "respond_all",
    "sobel_magnitude",
    "unsharp_mask",
]

MAX_KERNEL_SIZE = 7
# Zero padding everywhere: it is what a CNN's conv layer does, and the only border on which
# cv2.filter2D and F.conv2d agree.
BORDER = cv2.BORDER_CONSTANT
DEFAULT_SIGMA = 1.0
DEFAULT_BOX = 3
CLASSIC_FILTERS = ("sobel_x", "sobel_y", "scharr_x", "scharr_y", "prewitt_x", "prewitt_y",
                   "roberts_x", "roberts_y", "laplacian_4", "laplacian_8", "gaussian", "box",
                   "sharpen", "emboss")
COMPOSITE_FILTERS = ("sobel_magnitude", "unsharp_mask", "canny")
# Textbook matrices for the filters OpenCV has no kernel factory for.
_TEXTBOOK = {
    "prewitt_x": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "prewitt_y": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "roberts_x": [[1, 0], [0, -1]],
    "roberts_y": [[0, 1], [-1, 0]],
    "laplacian_4": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "laplacian_8": [[1, 1, 1], [1, -8, 1], [1, 1, 1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}
_FAMILY = {"sobel": "gradient", "scharr": "gradient", "prewitt": "gradient", "roberts": "gradient",
           "laplacian": "laplacian", "gaussian": "smoothing", "box": "smoothing",
           "sharpen": "enhance", "emboss": "enhance"}


@dataclass(frozen=True, eq=False)
class Filter:
    """A named K x K float32 kernel. ``signed``: responses centre on 0 (show with a diverging map)."""

    name: str
    kernel: np.ndarray
    signed: bool
    family: str


def _make(name: str, kernel: np.ndarray, signed: bool, family: str) -> Filter:
    k = np.ascontiguousarray(kernel, dtype=np.float32)
    k.setflags(write=False)  # a frozen Filter should not have a mutable kernel underneath
    return Filter(name, k, signed, family)


def _deriv(dx: int, dy: int, ksize: int) -> np.ndarray:
    # getDerivKernels returns column vectors (kx along x, ky along y); the 2-D kernel is ky kx^T.
    kx, ky = cv2.getDerivKernels(dx, dy, ksize, ktype=cv2.CV_32F)
    return ky @ kx.T


def gaussian_size(sigma: float) -> int:
    """Odd size covering +-3 sigma, capped at MAX_KERNEL_SIZE (getGaussianKernel renormalises)."""
    return min(MAX_KERNEL_SIZE, 2 * math.ceil(3 * sigma) + 1)


def _gaussian(sigma: float) -> np.ndarray:
    if not 0.1 <= sigma <= 3.0:
        raise ValueError(f"sigma must be in [0.1, 3], got {sigma}")
    g = cv2.getGaussianKernel(gaussian_size(sigma), sigma, ktype=cv2.CV_32F)
    return g @ g.T


def _box(k: int) -> np.ndarray:
    if not (isinstance(k, int) and 1 <= k <= MAX_KERNEL_SIZE):
        raise ValueError(f"box size must be an int in 1..{MAX_KERNEL_SIZE}, got {k!r}")
    return np.full((k, k), 1.0 / (k * k), dtype=np.float32)


def classic_filter(name: str, **params: float) -> Filter:
    """The filter called ``name`` (one of CLASSIC_FILTERS); ``gaussian`` takes ``sigma``, ``box`` takes ``k``."""
    if name not in CLASSIC_FILTERS:
        raise ValueError(f"unknown filter {name!r}; choose from {', '.join(CLASSIC_FILTERS)}")
    allowed = {"gaussian": {"sigma"}, "box": {"k"}}.get(name, set())
    if set(params) - allowed:
        raise ValueError(f"{name} takes no parameters {sorted(set(params) - allowed)}")
    family = _FAMILY[name.split("_")[0]]
    if name in ("sobel_x", "sobel_y", "scharr_x", "scharr_y"):
        ksize = 3 if name.startswith("sobel") else cv2.FILTER_SCHARR
        kernel = _deriv(*((1, 0) if name.endswith("_x") else (0, 1)), ksize)
    elif name == "gaussian":
        kernel = _gaussian(float(params.get("sigma", DEFAULT_SIGMA)))
    elif name == "box":
        kernel = _box(params.get("k", DEFAULT_BOX))
    else:
        kernel = np.array(_TEXTBOOK[name], dtype=np.float32)
    return _make(name, kernel, family in ("gradient", "laplacian") or name == "emboss", family)


def custom(kernel: np.ndarray, name: str = "custom") -> Filter:
    """A user kernel: square, 1..MAX_KERNEL_SIZE wide, finite. Signed when it has a negative tap."""
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.shape[0] != k.shape[1]:
        raise ValueError(f"kernel must be square 2-D, got shape {k.shape}")
    if not 1 <= k.shape[0] <= MAX_KERNEL_SIZE:
        raise ValueError(f"kernel size must be 1..{MAX_KERNEL_SIZE}, got {k.shape[0]}")
    if not np.isfinite(k).all() or np.abs(k).max() > np.finfo(np.float32).max:
        raise ValueError("kernel values must be finite float32 numbers")
    return _make(name, k, bool((k < 0).any()), "custom")


def anchor(size: int) -> int:
    """Row (= column) of the kernel tap that lands on the output pixel.

    Odd K: the centre. Even K: (K-1)//2, the centre rounded *down*; for Roberts 2x2 that is
    (0, 0). OpenCV's default anchor (-1) rounds up instead; rounding down is what
    F.conv2d(padding="same") does (the extra zero row/column goes after the image).
    """
    return (size - 1) // 2


def _image(img: np.ndarray) -> np.ndarray:
    a = np.asarray(img)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"expected a non-empty (H, W) grey image, got shape {a.shape}")
    return np.ascontiguousarray(a, dtype=np.float32)


def apply_cv2(img: np.ndarray, f: Filter) -> np.ndarray:
    """(H, W) float32 cross-correlation of ``img`` with ``f.kernel``, zero padding, via cv2.filter2D."""
    a = anchor(f.kernel.shape[0])
    return cv2.filter2D(_image(img), cv2.CV_32F, f.kernel, anchor=(a, a), borderType=BORDER)


def apply_torch(img: np.ndarray, f: Filter) -> np.ndarray:
    """Same as apply_cv2 through F.conv2d: pad `anchor` zeros before and K-1-anchor after."""
    k = f.kernel.shape[0]
    before, after = anchor(k), k - 1 - anchor(k)
    x = torch.from_numpy(_image(img))[None, None]  # (1, 1, H, W)
    w = torch.from_numpy(f.kernel.copy())[None, None]  # (1, 1, K, K); copy: torch wants writable
    x = F.pad(x, (before, after, before, after))  # F.pad order: left, right, top, bottom
    with torch.no_grad():
        return F.conv2d(x, w)[0, 0].numpy()  # (H, W)


def sobel_magnitude(img: np.ndarray) -> np.ndarray:
    """sqrt(gx^2 + gy^2) of the 3x3 Sobel derivatives (cv2.Sobel, float32, zero border)."""
    x = _image(img)
    gx = cv2.Sobel(x, cv2.CV_32F, 1, 0, ksize=3, borderType=BORDER)
    gy = cv2.Sobel(x, cv2.CV_32F, 0, 1, ksize=3, borderType=BORDER)
    return cv2.magnitude(gx, gy)


def unsharp_mask(img: np.ndarray, sigma: float = DEFAULT_SIGMA, amount: float = 1.0) -> np.ndarray:
    """img + amount * (img - gaussian(img)): adds back the detail a blur removes."""
    if not 0.1 <= sigma <= 3.0:
        raise ValueError(f"sigma must be in [0.1, 3], got {sigma}")
    x, k = _image(img), gaussian_size(sigma)
    blur = cv2.GaussianBlur(x, (k, k), sigma, sigmaY=sigma, borderType=BORDER)
    return cv2.addWeighted(x, 1.0 + amount, blur, -amount, 0.0)


def canny(img_uint8: np.ndarray, low: float = 50.0, high: float = 150.0) -> np.ndarray:
    """Canny edges (uint8, 0 or 255) of a uint8 grey image; OpenCV's Canny accepts only 8-bit."""
    a = np.asarray(img_uint8)
    if a.dtype != np.uint8 or a.ndim != 2:
        raise ValueError(f"canny needs a (H, W) uint8 image, got {a.dtype} {a.shape}")
    if not 0 <= low <= high:
        raise ValueError(f"need 0 <= low <= high, got {low}, {high}")
    return cv2.Canny(np.ascontiguousarray(a), low, high, L2gradient=True)


def _to_uint8(img: np.ndarray) -> np.ndarray:
    # Images in cnnviz are grey in 0..1; Canny's thresholds are in 0..255 units. Rounded, not
    # truncated: 0.5/255 below a level is that level, as when the picture was decoded.
    return np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)


@dataclass(frozen=True, eq=False)
class Response:
    """One filter's response to a grey 0..1 image, as the Filters page shows it."""

    name: str
    values: np.ndarray  # (H, W): float32, or uint8 0/255 for Canny
    signed: bool
    kernel: np.ndarray | None  # the linear filter's kernel; None for the non-linear ones
    torch_diff: float | None  # max |OpenCV - F.conv2d| when asked for (linear filters only)


ALL_FILTERS = CLASSIC_FILTERS + COMPOSITE_FILTERS
DEFAULT_SELECTION = ("sobel_x", "sobel_y", "laplacian_4", "gaussian")  # what the page opens with


def respond(name: str, img_gray: np.ndarray, sigma: float = DEFAULT_SIGMA,
            backend: Literal["cv2", "torch"] = "cv2", compare_torch: bool = False) -> Response:
    """The response of filter ``name`` (any of ALL_FILTERS) to a grey 0..1 image.

    ``sigma`` is the Gaussian's and the unsharp mask's; ``backend`` picks how a linear filter
    runs (the non-linear ones always use OpenCV); ``compare_torch`` also runs it through
    F.conv2d and records the largest difference from OpenCV.
    """
    x = _image(img_gray)
    if name == "sobel_magnitude":
        return Response(name, sobel_magnitude(x), False, None, None)
    if name == "unsharp_mask":
        return Response(name, unsharp_mask(x, sigma), False, None, None)
    if name == "canny":
        return Response(name, canny(_to_uint8(x)), False, None, None)
    f = classic_filter(name, sigma=sigma) if name == "gaussian" else classic_filter(name)
    values = (apply_torch if backend == "torch" else apply_cv2)(x, f)
    diff = None
    if compare_torch:
        other = apply_cv2(x, f) if backend == "torch" else apply_torch(x, f)
        diff = float(np.abs(values - other).max())
    return Response(name, values, f.signed, f.kernel, diff)


def respond_all(img_gray: np.ndarray, backend: Literal["cv2", "torch"] = "cv2",
                names: tuple[str, ...] = ALL_FILTERS,
                sigma: float = DEFAULT_SIGMA) -> dict[str, np.ndarray]:
    """The responses of ``names`` (default: every filter, default parameters) to one 0..1 image.

    ``backend`` picks how the linear filters run; the composite ones always use OpenCV.
    """
    return {name: respond(name, img_gray, sigma, backend).values for name in names}
