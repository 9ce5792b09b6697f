"""The app's drawing canvas as a model: its size and pen, how the browser paints a stroke, and how
the painted picture becomes a digit model's 28x28 input through ``cnnviz.imaging.preprocess`` with the
Inspect page's default choices. Shared by the training and evaluation generators of drawn digits;
it knows nothing about which digit is drawn. Pure numpy / OpenCV, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from cnnviz.imaging.images import to_gray
from cnnviz.imaging.preprocess import needs_invert, preprocess

__all__ = ["CANVAS_PEN", "CANVAS_SIDE", "DIGIT_INPUT", "MAX_WIDTH", "MIN_WIDTH", "fabric_path",
           "model_input", "paint", "to_inputs"]

CANVAS_SIDE = 224  # the page's canvas is CANVAS_SIDE x CANVAS_SIDE CSS pixels, read back at 1x
CANVAS_PEN = 20  # the page's pen width in canvas pixels
# Pen widths the generators draw with: around the page's pen, so the model does not depend on it.
MIN_WIDTH, MAX_WIDTH = 12, 28
FABRIC_DECIMATE = 0.4  # fabric.js's PencilBrush drops mouse points closer than this (px)
DIGIT_INPUT = (1, 28, 28)  # (C, H, W) of every digit model
_SUPER = 2  # drawn at twice the size and shrunk, for pen widths true to the pixel
_SHIFT = 4  # cv2 fixed-point bits: strokes land on fractional positions, as in the browser
_CURVE_STEP = 1.5  # pixels between the points that approximate one quadratic curve


def paint(strokes: Sequence[np.ndarray], width: int, side: int = CANVAS_SIDE) -> np.ndarray:
    """RGB uint8 (side, side, 3): each stroke, (n, 2) x/y canvas pixels, drawn as one anti-aliased
    path ``width`` pixels wide with round caps and joins, white on black.

    That is what the page hands to preprocessing: the canvas returns white ink on a transparent
    background, and the page multiplies colour by alpha, so ink edges fade to black.
    """
    if not 1 <= width <= side // 2:
        raise ValueError(f"pen width {width} is outside 1..{side // 2}")
    big = np.zeros((side * _SUPER, side * _SUPER), np.uint8)
    scale = _SUPER * (1 << _SHIFT)
    paths = [np.rint(np.asarray(s, np.float64) * scale).astype(np.int32) for s in strokes]
    # cv2 draws thick lines about 1.4 px wider than asked, in steps of 2: at twice the size,
    # 2w - 2 comes out w wide within 0.3 px (tests/imaging/test_canvas.py measures it).
    cv2.polylines(big, paths, False, 255, _SUPER * int(width) - 2, cv2.LINE_AA, _SHIFT)
    img = cv2.resize(big, (side, side), interpolation=cv2.INTER_AREA)
    return np.repeat(img[:, :, None], 3, axis=2)


def _decimate(points: np.ndarray, distance: float) -> np.ndarray:
    """fabric's decimatePoints: keep a point only when it is ``distance`` from the last kept one;
    the first and last points always stay."""
    if len(points) <= 2:
        return points
    kept = [points[0]]
    for p in points[1:-2]:  # fabric's loop stops one short of the last-but-one point too
        if float(np.sum((p - kept[-1]) ** 2)) >= distance ** 2:
            kept.append(p)
    kept.append(points[-1])
    return np.asarray(kept)


def fabric_path(events: np.ndarray) -> np.ndarray:
    """The path fabric.js's PencilBrush draws through the mouse positions ``events`` (n, 2).

    Its SVG path runs straight to the first midpoint, then for every inner point a quadratic curve
    with that point as control from the previous midpoint to the next, then straight to the last
    point: the drawn line cuts every corner the mouse made. Dense (m, 2) points for ``paint``.
    """
    pts = _decimate(np.asarray(events, np.float64), FABRIC_DECIMATE)
    if len(pts) < 3:
        return pts
    start = (pts[0] + pts[1]) / 2
    out = [pts[:1], start[None]]  # a straight piece to the first midpoint
    for control, nxt in zip(pts[1:-1], pts[2:]):
        end = (control + nxt) / 2
        length = np.linalg.norm(control - start) + np.linalg.norm(end - control)
        t = np.linspace(0, 1, max(2, int(length / _CURVE_STEP) + 1))[1:, None]
        out.append((1 - t) ** 2 * start + 2 * t * (1 - t) * control + t ** 2 * end)  # (k, 2)
        start = end
    out.append(pts[-1:])
    return np.concatenate(out)


def model_input(img: np.ndarray) -> np.ndarray:
    """uint8 (28, 28): what a digit model sees of the canvas picture ``img`` (RGB uint8) with the
    page's defaults (inversion decided automatically, MNIST centring on)."""
    invert = needs_invert(np.rint(to_gray(img) * 255))
    # Normalisation does not change ``seen``, the uint8 picture before it: any mean and std do.
    return preprocess(img, DIGIT_INPUT, (0.0,), (1.0,), invert=invert, centre=True).seen[:, :, 0]


def to_inputs(drawings: Sequence[tuple[Sequence[np.ndarray], int]]) -> np.ndarray:
    """uint8 (n, 1, 28, 28) model inputs of ``(strokes, width)`` drawings, painted and preprocessed."""
    out = np.empty((len(drawings), 1, 28, 28), np.uint8)
    for i, (strokes, width) in enumerate(drawings):
        out[i, 0] = model_input(paint(strokes, width))
    return out
