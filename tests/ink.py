"""Measuring painted drawings, shared by the tests of both drawn-digit generators."""

from __future__ import annotations

import cv2
import numpy as np


def painted_width(strokes: list[np.ndarray], img: np.ndarray) -> float:
    """Median of twice the distance from the drawn centre line to the nearest background pixel:
    the pen width where strokes do not overlap."""
    ink = (img[:, :, 0] > 127).astype(np.uint8)
    dist = cv2.distanceTransform(ink, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    pts = np.rint(np.concatenate(strokes)).astype(int)
    return float(np.median(2 * dist[pts[:, 1], pts[:, 0]]))
