"""Images every page shares: defensive decoding of uploads, bundled samples, small helpers.

Decoding turns any bytes into an RGB uint8 (H, W, 3) array or raises ``ImageError`` with a
translatable key; nothing else escapes. Samples come from scikit-image's bundled data or are
drawn here with numpy / OpenCV, so they work offline. No Streamlit.
"""

from __future__ import annotations

import io
import math
import re
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageOps

from cnnviz.errors import CnnvizError, register

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MESSAGES",
    "PATTERNS",
    "SAMPLE_PHOTOS",
    "ImageError",
    "decode_image",
    "downscale_for_display",
    "jpeg_for_width",
    "sample_image",
    "to_gray",
    "viewable",
]

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Only the formats a student plausibly uploads. Pillow would otherwise also open EPS (which runs
# Ghostscript), PSD, ICO, ... each one more parser exposed to untrusted bytes. The multi-picture
# JPEGs many phones write open through "JPEG" (Pillow registers no separate MPO opener).
FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF")
SAMPLE_PHOTOS = ("camera", "astronaut", "coffee", "chelsea", "rocket")
PATTERNS = ("step_edges", "ramp", "checkerboard", "circles", "text")
PATTERN_SIZE = 256
MAX_VIEW_ASPECT = 16  # a shown picture is at most 16 times wider than tall, or taller than wide

MESSAGES = register({
    "img_empty": "The file is empty.",
    "img_too_many_bytes": "The file is {size_mb:.1f} MB; the limit is {limit_mb:.0f} MB.",
    "img_not_an_image": "This file is not an image in a supported format ({formats}).",
    "img_truncated": "The image file is incomplete (truncated); try saving or uploading it again.",
    "img_corrupt": "The image file is damaged and cannot be decoded.",
    "img_too_many_pixels": ("The image has {megapixels:.1f} megapixels; "
                            "the limit is {limit_mp:.0f} megapixels."),
    "img_too_small": "The image is {width}×{height} pixels; it needs at least 1×1.",
    "img_unsupported_mode": "Images with pixel mode {mode} are not supported.",
})

# Modes whose samples do not fit in a byte: rescaled by their own range instead of clipped.
_WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")
# Premultiplied alpha must be undone before compositing.
_PREMULTIPLIED = {"La": "LA", "RGBa": "RGBA"}
_ALPHA_MODES = ("LA", "PA", "RGBA")


class ImageError(CnnvizError):
    """Bytes that cannot become an image; ``key`` and ``args_`` name a translatable message."""


def decode_image(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
                 background: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Decode uploaded bytes into a C-contiguous RGB uint8 (H, W, 3) array.

    Limits are checked before any pixel is decoded: the byte count first, then the width and
    height read from the file header. Animated files give their first frame; EXIF orientation is
    applied; transparency is composited onto ``background``.
    """
    if not data:
        raise ImageError("img_empty")
    if len(data) > max_bytes:
        raise ImageError("img_too_many_bytes", size_mb=len(data) / 2**20, limit_mb=max_bytes / 2**20)
    # open(formats=...) raises KeyError for a format whose plugin is not registered yet, and
    # Pillow registers only five plugins until something triggers init(): do that first.
    Image.init()
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as im:
            _check_size(im.size, max_pixels)
            im.load()
            return _to_rgb(_apply_orientation(im), background)
    except ImageError:
        raise
    except Image.UnidentifiedImageError:
        raise ImageError("img_not_an_image", formats=", ".join(FORMATS)) from None
    except Image.DecompressionBombError as exc:
        # Pillow's own guard fires inside open() beyond 2x its limit, before our header check
        # can see the size; its message carries the pixel count.
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(found.group(1)) if found else 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise ImageError("img_too_many_pixels", megapixels=pixels / 1e6,
                         limit_mp=max_pixels / 1e6) from None
    except (EOFError, OSError) as exc:
        key = "img_truncated" if _looks_truncated(exc) else "img_corrupt"
        raise ImageError(key) from None
    except Exception:  # noqa: BLE001 - Pillow's parsers raise SyntaxError, ValueError, struct.error, ...
        raise ImageError("img_corrupt") from None


def _check_size(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ImageError("img_too_small", width=width, height=height)
    if width * height > max_pixels:
        raise ImageError("img_too_many_pixels", width=width, height=height,
                         megapixels=width * height / 1e6, limit_mp=max_pixels / 1e6)


def _looks_truncated(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, EOFError) or "truncated" in text or "premature end" in text


def _apply_orientation(im: Image.Image) -> Image.Image:
    # A damaged EXIF block should not cost the student an otherwise good photo: orientation is a
    # display hint, so on failure the pixels are shown as stored.
    try:
        return ImageOps.exif_transpose(im)
    except Exception:  # noqa: BLE001
        return im


def _to_rgb(im: Image.Image, background: tuple[int, int, int]) -> np.ndarray:
    """Any loaded Pillow image -> RGB uint8 (H, W, 3)."""
    if im.mode in _WIDE_MODES:
        gray = _rescale_to_uint8(np.asarray(im))
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    try:
        im = im.convert(_PREMULTIPLIED[im.mode]) if im.mode in _PREMULTIPLIED else im
        if im.mode in _ALPHA_MODES or im.mode == "P" or "transparency" in im.info:
            # convert("RGBA") honours palette alpha and the tRNS colour key of P, L and RGB.
            return _composite(np.asarray(im.convert("RGBA")), background)
        rgb = np.asarray(im.convert("RGB"))
    except ValueError:
        raise ImageError("img_unsupported_mode", mode=im.mode) from None
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def _rescale_to_uint8(values: np.ndarray) -> np.ndarray:
    """Map the finite range of a 16/32-bit or float plane linearly onto 0..255."""
    values = values.astype(np.float64)  # float64: the span of float32 extremes overflows float32
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(values.shape, np.uint8)
    lo, hi = values[finite].min(), values[finite].max()
    values = np.where(finite, values, lo)
    if hi == lo:
        # A flat image has no range to stretch; keep its value where it fits in a byte.
        return np.full(values.shape, np.clip(lo, 0, 255), np.uint8)
    return np.rint((values - lo) * (255.0 / (hi - lo))).astype(np.uint8)


def _composite(rgba: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """Alpha-blend RGBA uint8 over a solid colour; integer maths, rounded.

    uint16 suffices (255 * 255 + 127 < 65536) and keeps a 40-megapixel upload's temporaries small.
    """
    alpha = rgba[:, :, 3:4].astype(np.uint16)
    out = rgba[:, :, :3].astype(np.uint16)
    out *= alpha
    out += np.asarray(background, dtype=np.uint16).reshape(1, 1, 3) * (255 - alpha)
    out += 127
    out //= 255
    return out.astype(np.uint8)


def downscale_for_display(img: np.ndarray, max_side: int = 1024) -> np.ndarray:
    """Shrink so the longer side is at most ``max_side`` (area averaging, aspect kept).

    Returns ``img`` itself when it is already small enough, so callers must not mutate it.
    """
    if max_side < 1:
        raise ValueError(f"max_side must be >= 1, got {max_side}")
    height, width = img.shape[:2]
    if max(height, width) <= max_side:
        return img
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # cv2 wants (W, H)
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def jpeg_for_width(img: np.ndarray, width: int, quality: int = 90) -> bytes:
    """RGB (H, W, 3) or grey uint8 ``img`` as JPEG bytes at most ``width`` pixels wide (area
    averaging, aspect kept): what ``st.image(..., width=width)`` would send, made once. Given an
    array, Streamlit encodes it, decodes it, resizes and encodes it again on every rerun; JPEG
    bytes already that wide it sends as they are."""
    h, w = img.shape[:2]
    if w > width:
        img = cv2.resize(img, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
    bgr = img[..., ::-1] if img.ndim == 3 else img
    ok, data = cv2.imencode(".jpg", np.ascontiguousarray(bgr), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode the picture as JPEG")
    return data.tobytes()


def viewable(img: np.ndarray, max_aspect: int = MAX_VIEW_ASPECT) -> np.ndarray:
    """A copy to show on a page: a picture thinner than 1:``max_aspect`` has its short side
    repeated (nearest neighbour) up to that ratio, so every side stays visible and at least one
    pixel when the browser or Streamlit scales it to a column's width. Pixel values are unchanged.
    """
    h, w = img.shape[:2]
    if w > h * max_aspect:
        return np.repeat(img, math.ceil(w / (h * max_aspect)), axis=0)
    if h > w * max_aspect:
        return np.repeat(img, math.ceil(h / (w * max_aspect)), axis=1)
    return img


def to_gray(img: np.ndarray) -> np.ndarray:
    """RGB uint8 (H, W, 3) or gray uint8 (H, W) -> float32 (H, W) in 0..1 (ITU-R 601 weights)."""
    if img.dtype != np.uint8 or img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] != 3):
        raise ValueError(f"expected uint8 (H, W) or (H, W, 3), got {img.dtype} {img.shape}")
    scaled = img.astype(np.float32) / 255.0  # convert first: rounding to uint8 would lose levels
    return scaled if img.ndim == 2 else cv2.cvtColor(scaled, cv2.COLOR_RGB2GRAY)


@lru_cache(maxsize=None)
def sample_image(name: str) -> np.ndarray:
    """A bundled photo or a synthetic pattern as read-only RGB uint8 (H, W, 3).

    The array is shared by every caller (and every user of the app): it is read-only so that
    nobody can draw on the cached copy; use ``.copy()`` to get a private one.
    """
    if name in SAMPLE_PHOTOS:
        import skimage.data  # imported lazily: it is slow to import and only samples need it

        img = getattr(skimage.data, name)()
    elif name in PATTERNS:
        img = _PATTERN_BUILDERS[name](PATTERN_SIZE)
    else:
        raise ValueError(f"unknown sample image {name!r}; choose from {SAMPLE_PHOTOS + PATTERNS}")
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    img = np.ascontiguousarray(img[:, :, :3], dtype=np.uint8)
    img.setflags(write=False)
    return img


def _step_edges(n: int) -> np.ndarray:
    """Vertical, horizontal and diagonal steps between flat grey levels."""
    img = np.full((n, n), 40, np.uint8)
    img[:, n // 2:] = 200  # a vertical edge down the middle
    img[n // 2:, :] //= 2  # a horizontal edge across the middle, both halves darkened
    rows, cols = np.indices((n, n))
    img[(rows + cols < n // 2)] = 255  # a diagonal edge in the top-left corner
    return np.repeat(img[:, :, None], 3, axis=2)


def _ramp(n: int) -> np.ndarray:
    """A grey ramp left to right, so every gradient filter has a constant response."""
    row = np.linspace(0, 255, n).round().astype(np.uint8)
    return np.repeat(np.tile(row, (n, 1))[:, :, None], 3, axis=2)


def _checkerboard(n: int, cell: int = 32) -> np.ndarray:
    rows, cols = np.indices((n, n))
    board = ((rows // cell + cols // cell) % 2 * 255).astype(np.uint8)
    return np.repeat(board[:, :, None], 3, axis=2)


def _circles(n: int) -> np.ndarray:
    """Filled and outlined circles in primary colours: curved edges in every direction."""
    img = np.zeros((n, n, 3), np.uint8)
    cv2.circle(img, (n // 3, n // 3), n // 5, (255, 0, 0), -1, cv2.LINE_AA)
    cv2.circle(img, (2 * n // 3, n // 3), n // 6, (0, 255, 0), -1, cv2.LINE_AA)
    cv2.circle(img, (n // 2, 2 * n // 3), n // 5, (0, 0, 255), -1, cv2.LINE_AA)
    cv2.circle(img, (n // 2, n // 2), int(n * 0.45), (255, 255, 255), 3, cv2.LINE_AA)
    return img


def _text(n: int) -> np.ndarray:
    """Dark text on white: thin strokes and corners, as in handwritten digit data."""
    img = np.full((n, n, 3), 255, np.uint8)
    scale = n / 160
    cv2.putText(img, "CNN", (n // 10, n // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0),
                max(1, n // 64), cv2.LINE_AA)
    cv2.putText(img, "0123", (n // 10, 5 * n // 6), cv2.FONT_HERSHEY_SIMPLEX, scale * 0.8,
                (30, 30, 30), max(1, n // 100), cv2.LINE_AA)
    return img


_PATTERN_BUILDERS = {"step_edges": _step_edges, "ramp": _ramp, "checkerboard": _checkerboard,
                     "circles": _circles, "text": _text}
