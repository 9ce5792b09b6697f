"""Widgets of the Filters page: the image (sample, pattern or upload) and classic filter responses.

``classic_ui`` is a fragment: choosing filters reruns only the picture, the choice and the
results, not the learned-filters section below (a new picture or sigma reruns the whole page,
since that section shows them too). Cards of the bundled pictures are kept drawn (a bounded LRU
keyed by picture, filter, sigma and language): the same for every student, computed once per server.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnnviz.text import untrusted
from cnnviz.filters import ALL_FILTERS, DEFAULT_SELECTION, respond
from cnnviz.images import PATTERNS, SAMPLE_PHOTOS, ImageError, decode_image, downscale_for_display, sample_image, \
    to_gray, viewable
from cnnviz.mapfigures import response_figure
from cnnviz.plots import matrix_figure
from cnnviz.ui.classroom_ui import share_view
from cnnviz.ui.common import show_error
from cnnviz.ui.i18n import t
from cnnviz.urlvalues import UrlValueError, parse_float

__all__ = ["CARD_COLS", "INLINE_KERNEL", "classic_ui", "controls_ui", "filters_ui", "image_ui", "picture_ui"]

CARD_COLS = 2  # result cards per row, beside the controls: the answer is on the first screen
INLINE_KERNEL = 3  # kernels up to 3x3 are drawn under their response; bigger ones fold away
RESPONSE_PX = 230
# Pixels per side sent for a response: a card is at most ~430 px wide, and a 512 px noisy response
# was a 737 KiB PNG (every 2nd pixel: about 300 KiB per figure).
RESPONSE_SIDE = 256
WORK_SIDE = 512  # filters run on at most 512x512: every click stays well under 0.1 s
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "gif"]
UPLOAD = "upload"
WEBCAM = "webcam"
CARD_CACHE = 64  # drawn cards of bundled pictures, ~0.3 MB each (their response PNG)
SHOWN = "flt_shown"  # (picture, upload, sigma) the whole page last drew, for the learned section


def _seed_from_url() -> None:
    """Widget values from the URL on a session's first visit to the page; bad values are reported."""
    if "flt_image" in st.session_state:
        return
    q, bad = st.query_params, []
    image = q.get("image", "camera")
    if image not in (*SAMPLE_PHOTOS, *PATTERNS, UPLOAD, WEBCAM):
        bad.append(("image", image))
        image = "camera"
    names = [n for n in q.get("filters", ",".join(DEFAULT_SELECTION)).split(",") if n]
    bad += [("filters", n) for n in names if n not in ALL_FILTERS]
    try:
        sigma = parse_float(q.get("sigma", "1"), 0.1, 3.0)
    except UrlValueError:
        bad.append(("sigma", q.get("sigma", "")))
        sigma = 1.0
    st.session_state.update(flt_image=image, flt_filters=[n for n in names if n in ALL_FILTERS],
                            flt_sigma=sigma, flt_bad=bad)


def _decode_upload(data: bytes) -> np.ndarray | None:
    """The uploaded picture, decoded once per distinct file and kept only in this student's session."""
    digest = hashlib.sha256(data).hexdigest()
    cached = st.session_state.get("flt_upload")
    if cached and cached[0] == digest:
        return cached[1]
    try:
        img = downscale_for_display(decode_image(data), WORK_SIDE)
    except ImageError as e:
        show_error(e)
        return None
    st.session_state["flt_upload"] = (digest, img)
    return img


def image_ui() -> np.ndarray | None:
    """Choose a sample photo, a test pattern or an upload; returns RGB uint8 at most 512 per side."""
    _seed_from_url()
    for name, value in st.session_state.pop("flt_bad", []):
        st.warning(t("warn_url_value", name=name, value=untrusted(value, 30)))
    options = [*SAMPLE_PHOTOS, *PATTERNS, UPLOAD, WEBCAM]
    st.selectbox(t("flt_image"), options, key="flt_image", format_func=lambda n: t(f"img_name_{n}"))
    choice = st.session_state["flt_image"]
    if choice not in (UPLOAD, WEBCAM):
        st.query_params["image"] = choice
        return downscale_for_display(np.asarray(sample_image(choice)), WORK_SIDE)
    st.query_params["image"] = choice  # a link can open the upload box or camera; pictures never enter a URL
    if choice == WEBCAM:  # browsers allow the camera on https or localhost only; 480p keeps uploads small
        file = st.camera_input(t("flt_camera"), key="flt_cam", resolution="480p")
    else:
        file = st.file_uploader(t("flt_upload"), type=UPLOAD_TYPES, key="flt_file", help=t("flt_upload_help"))
    if file is None:
        st.info(t("flt_camera_hint" if choice == WEBCAM else "flt_upload_hint"))
        return None
    return _decode_upload(file.getvalue())


_NOTES = {"sobel_magnitude": "flt_note_magnitude", "unsharp_mask": "flt_note_unsharp", "canny": "flt_note_canny"}


def _note(name: str, diff: float | None) -> str:
    """How the response was computed: the OpenCV call, and for a linear filter its distance from torch."""
    return t(_NOTES[name]) if name in _NOTES else t("flt_note_linear", diff=f"{diff:.1e}")


def controls_ui() -> tuple[list[str], float]:
    """Filter choice and Gaussian sigma; drawn on every run so their values survive an empty upload."""
    names = st.multiselect(t("flt_filters"), ALL_FILTERS, key="flt_filters", format_func=lambda n: t(f"flt_{n}"),
                           placeholder=t("choose_options"))
    sigma = st.slider(t("flt_sigma"), 0.1, 3.0, step=0.1, key="flt_sigma")
    st.query_params.update(filters=",".join(names), sigma=f"{sigma:g}")
    return names, sigma


def picture_ui(img: np.ndarray) -> None:
    """The input picture, small, under the controls."""
    st.image(viewable(img), width=240)
    st.caption(t("flt_input", h=img.shape[0], w=img.shape[1]))


def _kernel_ui(name: str, kernel: np.ndarray) -> None:
    fig = matrix_figure(kernel.astype(np.float64), t("flt_kernel"))
    if max(kernel.shape) <= INLINE_KERNEL:
        st.plotly_chart(fig, config={"displayModeBar": False}, key=f"flt_k_{name}")
        return
    with st.expander(t("flt_kernel") + f" {kernel.shape[0]}×{kernel.shape[1]}"):
        st.plotly_chart(fig, config={"displayModeBar": False}, key=f"flt_k_{name}")


@dataclass(frozen=True)
class Card:
    """One filter's card as drawn: its response figure (never changed after it is made), the
    kernel of a linear filter and how the response was computed."""

    figure: go.Figure
    signed: bool
    kernel: np.ndarray | None
    torch_diff: float | None


def card(gray: np.ndarray, name: str, sigma: float, hover: str) -> Card:
    r = respond(name, gray, sigma, compare_torch=True)
    fig = response_figure(r.values, r.signed, RESPONSE_PX, RESPONSE_SIDE, hover=hover)
    return Card(fig, r.signed, r.kernel, r.torch_diff)


@functools.lru_cache(maxsize=8)
def _sample_gray(image: str) -> np.ndarray:
    return to_gray(downscale_for_display(np.asarray(sample_image(image)), WORK_SIDE))  # never written to


@functools.lru_cache(maxsize=CARD_CACHE)
def sample_card(image: str, name: str, sigma: float, hover: str) -> Card:
    """The card of a bundled picture (``image`` names it): the same for every student."""
    return card(_sample_gray(image), name, sigma, hover)


def filters_ui(img: np.ndarray, names: list[str], sigma: float, sample: str | None = None) -> None:
    """The chosen filters side by side: response (own colour range, colour bar, true values on
    hover), then the kernel and which library ran it. ``sample`` names the bundled picture
    ``img`` is, if it is one (its cards are kept drawn)."""
    gray = None if sample else to_gray(img)
    hover = t("map_hover")
    cols = st.columns(CARD_COLS)
    for n, name in enumerate(names):
        c = sample_card(sample, name, sigma, hover) if sample else card(gray, name, sigma, hover)
        with cols[n % CARD_COLS].container(border=True, key=f"flt_card_{name}"):
            st.markdown(f"**{t(f'flt_{name}')}**")
            st.plotly_chart(c.figure, config={"displayModeBar": False}, key=f"flt_r_{name}")
            st.caption(_note(name, c.torch_diff) + (" " + t("flt_signed") if c.signed else ""))
            if c.kernel is not None:
                _kernel_ui(name, c.kernel)
    if names:
        st.caption(t("map_colour_note"))


@st.fragment
def classic_ui() -> tuple[np.ndarray | None, float]:
    """Picture, filter choice and results; returns the picture and sigma.

    A fragment: a click here reruns only this part. When the picture or sigma changed, the whole
    page reruns, because the learned section shows them too."""
    inputs, results = st.columns([1, 2], gap="medium")
    with inputs:
        img = image_ui()
        names, sigma = controls_ui()
        if img is not None:
            picture_ui(img)
    sample = st.session_state["flt_image"] if st.session_state["flt_image"] not in (UPLOAD, WEBCAM) else None
    with results:
        if img is not None:
            filters_ui(img, names, sigma, sample)
    shown = (st.session_state["flt_image"], st.session_state.get("flt_upload", ("",))[0] if img is not None
             else None, sigma)
    if st.session_state.get(SHOWN, shown) != shown:
        st.session_state[SHOWN] = shown
        st.rerun()  # scope "app": the learned section below draws the new picture and sigma
    st.session_state[SHOWN] = shown
    share_view()
    return img, sigma
