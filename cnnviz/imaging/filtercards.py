"""The Filters page's result cards, made without Streamlit: one classic filter's response figure, its
kernel and how far OpenCV and torch disagree on it. Cards of the bundled pictures are kept drawn in
a bounded LRU keyed by picture, filter, sigma and the figures' texts: the same for every student,
computed once per server and never changed after they are made (frozen figures: drawing one again
costs no new conversion).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from cnnviz.explain.mapfigures import response_figure
from cnnviz.imaging.filters import respond
from cnnviz.imaging.images import downscale_for_display, sample_image, to_gray
from cnnviz.plots import FrozenFigure, matrix_figure

__all__ = ["CARD_CACHE", "RESPONSE_PX", "RESPONSE_SIDE", "WORK_SIDE", "Card", "card", "sample_card", "sample_gray"]

RESPONSE_PX = 230
# Pixels per side sent for a response: a card is at most ~430 px wide, and a 512 px noisy response
# was a 737 KiB PNG (every 2nd pixel: about 300 KiB per figure).
RESPONSE_SIDE = 256
WORK_SIDE = 512  # filters run on at most 512x512: every click stays well under 0.1 s
CARD_CACHE = 64  # drawn cards of bundled pictures, ~0.3 MB each (their response PNG)


@dataclass(frozen=True)
class Card:
    """One filter's card as drawn: its response figure and, for a linear filter, its kernel and
    the kernel's figure (figures never changed after they are made), and how far torch's answer is."""

    figure: go.Figure
    signed: bool
    kernel: np.ndarray | None
    kernel_figure: go.Figure | None
    torch_diff: float | None


def card(gray: np.ndarray, name: str, sigma: float, hover: str, kernel_title: str, frozen: bool = False) -> Card:
    """Filter ``name``'s card for a grey 0..1 picture; ``hover`` is the response figure's hover
    template, ``kernel_title`` the kernel figure's title. ``frozen`` figures are for a card that
    is drawn many times (see FrozenFigure)."""
    r = respond(name, gray, sigma, compare_torch=True)
    fig = response_figure(r.values, r.signed, RESPONSE_PX, RESPONSE_SIDE, hover=hover)
    kernel = None if r.kernel is None else matrix_figure(r.kernel.astype(np.float64), kernel_title)
    if frozen:
        fig, kernel = FrozenFigure(fig), None if kernel is None else FrozenFigure(kernel)
    return Card(fig, r.signed, r.kernel, kernel, r.torch_diff)


@functools.lru_cache(maxsize=8)
def sample_gray(image: str) -> np.ndarray:
    """Bundled picture ``image`` in grey, at most WORK_SIDE per side; shared: never write to it."""
    return to_gray(downscale_for_display(np.asarray(sample_image(image)), WORK_SIDE))


@functools.lru_cache(maxsize=CARD_CACHE)
def sample_card(image: str, name: str, sigma: float, hover: str, kernel_title: str) -> Card:
    """The card of a bundled picture (``image`` names it): the same for every student."""
    return card(sample_gray(image), name, sigma, hover, kernel_title, frozen=True)
