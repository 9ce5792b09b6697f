"""Feature maps and kernels made ready for the Inspect page's pictures: maps shrunk into a pixel
budget, tiles scaled onto 0..1, colour filters as one RGB picture, shapes written for people.
numpy and torch only; the figures themselves are built by cnnviz.explain.mapfigures and the page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from cnnviz.explain.activations import mosaic

__all__ = ["MOSAIC_CELLS", "colour_kernels", "scale_tiles", "shape_text", "shrink_maps"]

MOSAIC_CELLS = 120_000  # pixels of all tiles together; bigger maps are area-averaged for display


def shape_text(shape: tuple[int, ...] | None) -> str:
    """A tensor's shape as the layer table writes it: "6 × 28 × 28", or "–" when there is none."""
    return "–" if shape is None else " × ".join(str(d) for d in shape)


def shrink_maps(maps: np.ndarray, channels: Sequence[int], budget: int = MOSAIC_CELLS) -> np.ndarray:
    """The chosen channels, area-averaged by a whole factor until all tiles fit in ``budget``
    pixels: one heatmap of 64 maps of 224x224 would be 3.2 million cells to send and draw."""
    picked = maps[list(channels)]  # (n, H, W)
    factor = math.ceil(math.sqrt(picked.size / budget)) if picked.size > budget else 1
    if factor == 1:
        return picked
    small = F.avg_pool2d(torch.from_numpy(np.ascontiguousarray(picked))[None], factor,
                         ceil_mode=True)
    return small[0].numpy()


def scale_tiles(tiles: np.ndarray, shared: bool) -> np.ndarray:
    """Each map (n, H, W) onto 0..1 by its own min..max, or all by one common range (``shared``);
    a constant map, or a constant set, is all zeros."""
    if shared:
        low, high = float(tiles.min()), float(tiles.max())
        return (tiles - low) / (high - low) if high > low else np.zeros_like(tiles)
    low = tiles.min(axis=(1, 2), keepdims=True)
    span = tiles.max(axis=(1, 2), keepdims=True) - low
    return np.where(span > 0, (tiles - low) / np.where(span > 0, span, 1), 0.0)


def colour_kernels(weight: np.ndarray, px: int = 360) -> np.ndarray:
    """Filters (n, 3, kh, kw) as RGB tiles: each scaled by its own max |w|, grey = 0, white gaps."""
    scale = np.abs(weight).max(axis=(1, 2, 3), keepdims=True)
    rgb = (weight / np.where(scale > 0, scale, 1) + 1) / 2  # (n, 3, kh, kw) in 0..1
    planes = [mosaic(rgb[:, c]).image for c in range(3)]  # the same layout for each colour
    image = np.nan_to_num(np.stack(planes, axis=2), nan=1.0)  # (H, W, 3)
    factor = max(1, px // max(image.shape[:2]))
    image = np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)
    return (image * 255).round().astype(np.uint8)
