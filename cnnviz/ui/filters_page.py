"""Widgets of the Filters page: the image (sample, pattern or upload) and classic filter responses.

``classic_ui`` is a fragment: choosing filters reruns only the picture, the choice and the
results, not the learned-filters section below (a new picture or sigma reruns the whole page,
since that section shows them too). The cards come from cnnviz.imaging.filtercards, the URL state from
cnnviz.imaging.filterstate.
"""

from __future__ import annotations

import hashlib

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnnviz.imaging.filtercards import WORK_SIDE, card, sample_card
from cnnviz.imaging.filterstate import IMAGES, SIGMA_RANGE, UPLOAD, WEBCAM, FilterState, from_query, to_query
from cnnviz.imaging.filters import ALL_FILTERS
from cnnviz.imaging.images import (ImageError, decode_image, downscale_for_display, jpeg_for_width, sample_image,
                                   to_gray, viewable)
from cnnviz.lru import SharedLRU
from cnnviz.plots import FrozenFigure, matrix_figure
from cnnviz.ui.classroom_ui import presenter_zoom, share_view
from cnnviz.ui.common import fragment, show_error, show_messages
from cnnviz.ui.i18n import t

__all__ = ["CARD_COLS", "INLINE_KERNEL", "classic_ui", "controls_ui", "filters_ui", "image_ui", "picture_ui"]

CARD_COLS = 2  # result cards per row, beside the controls: the answer is on the first screen
INLINE_KERNEL = 3  # kernels up to 3x3 are drawn under their response; bigger ones fold away
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "gif"]
PICTURE_PX = 240  # the input picture's width under the controls
_SAMPLE_PICTURES: SharedLRU[bytes] = SharedLRU(16)  # bundled pictures as sent, JPEG
_ZOOMED_KERNELS: SharedLRU[FrozenFigure] = SharedLRU(64)  # the classic kernels in presenter view
SHOWN = "flt_shown"  # (picture, upload, sigma) the whole page last drew, for the learned section


def _seed_from_url() -> None:
    """Widget values from the URL on a session's first visit to the page; bad values are reported."""
    if "flt_image" in st.session_state:
        return
    state, warnings = from_query(st.query_params.to_dict())
    st.session_state.update(flt_image=state.image, flt_filters=list(state.filters), flt_sigma=state.sigma,
                            flt_bad=warnings)


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
    show_messages(st.session_state.pop("flt_bad", []))
    st.selectbox(t("flt_image"), IMAGES, key="flt_image", format_func=lambda n: t(f"img_name_{n}"))
    choice = st.session_state["flt_image"]
    if choice not in (UPLOAD, WEBCAM):
        return downscale_for_display(np.asarray(sample_image(choice)), WORK_SIDE)
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
    sigma = st.slider(t("flt_sigma"), *SIGMA_RANGE, step=0.1, key="flt_sigma")
    return names, sigma


def _picture_jpeg(img: np.ndarray) -> bytes:
    """The picture as sent, made once: a bundled one for every session, an upload in its own."""
    choice = st.session_state["flt_image"]
    if choice not in (UPLOAD, WEBCAM):
        return _SAMPLE_PICTURES.get(choice, lambda: jpeg_for_width(viewable(img), PICTURE_PX))
    digest = st.session_state.get("flt_upload", ("",))[0]
    kept = st.session_state.get("flt_upload_jpeg")
    if not kept or kept[0] != digest:
        kept = st.session_state["flt_upload_jpeg"] = (digest, jpeg_for_width(viewable(img), PICTURE_PX))
    return kept[1]


def picture_ui(img: np.ndarray) -> None:
    """The input picture, small, under the controls."""
    st.image(_picture_jpeg(img), width=PICTURE_PX, output_format="JPEG")
    st.caption(t("flt_input", h=img.shape[0], w=img.shape[1]))


def _zoomed_kernel(kernel: np.ndarray, title: str, zoom: float) -> FrozenFigure:  # read only
    """A kernel's figure grown by ``zoom`` (the presenter view), kept for every session."""
    key = (kernel.shape, kernel.tobytes(), title, zoom)
    return _ZOOMED_KERNELS.get(key, lambda: FrozenFigure(matrix_figure(kernel.astype(np.float64), title, zoom=zoom)))


def _kernel_ui(name: str, kernel: np.ndarray, fig: go.Figure) -> None:
    zoom = presenter_zoom()
    if zoom > 1:  # presenter view: the kernel's cells and numbers grow as the lab's do
        fig = _zoomed_kernel(kernel, t("flt_kernel"), zoom)
    if max(kernel.shape) <= INLINE_KERNEL:
        st.plotly_chart(fig, config={"displayModeBar": False}, key=f"flt_k_{name}")
        return
    with st.expander(t("flt_kernel") + f" {kernel.shape[0]}×{kernel.shape[1]}"):
        st.plotly_chart(fig, config={"displayModeBar": False}, key=f"flt_k_{name}")


def filters_ui(img: np.ndarray, names: list[str], sigma: float, sample: str | None = None) -> None:
    """The chosen filters side by side: response (own colour range, colour bar, true values on
    hover), then the kernel and which library ran it. ``sample`` names the bundled picture
    ``img`` is, if it is one (its cards are kept drawn)."""
    gray = None if sample else to_gray(img)
    texts = t("map_hover"), t("flt_kernel")
    cols = st.columns(CARD_COLS)
    for n, name in enumerate(names):
        c = sample_card(sample, name, sigma, *texts) if sample else card(gray, name, sigma, *texts)
        with cols[n % CARD_COLS].container(border=True, key=f"flt_card_{name}"):
            st.markdown(f"**{t(f'flt_{name}')}**")
            st.plotly_chart(c.figure, config={"displayModeBar": False}, key=f"flt_r_{name}")
            st.caption(_note(name, c.torch_diff) + (" " + t("flt_signed") if c.signed else ""))
            if c.kernel is not None:
                _kernel_ui(name, c.kernel, c.kernel_figure)
    if names:
        st.caption(t("map_colour_note"))


@fragment
def classic_ui() -> tuple[np.ndarray | None, float]:
    """Picture, filter choice and results; returns the picture and sigma.

    A fragment: a click here reruns only this part. When the picture or sigma changed, the whole
    page reruns, because the learned section shows them too."""
    inputs, results = st.columns([1, 2], gap="medium")
    with inputs:
        img = image_ui()
        names, sigma = controls_ui()
        # a link can open the upload box or the camera; pictures never enter a URL
        st.query_params.update(to_query(FilterState(st.session_state["flt_image"], tuple(names), sigma)))
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
