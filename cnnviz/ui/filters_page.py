"""Widgets of the Filters page: the image (sample, pattern or upload) and classic filter responses."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from cnnviz.text import untrusted
from cnnviz.filters import ALL_FILTERS, DEFAULT_SELECTION, respond
from cnnviz.images import PATTERNS, SAMPLE_PHOTOS, ImageError, decode_image, downscale_for_display, sample_image, \
    to_gray, viewable
from cnnviz.mapfigures import response_figure
from cnnviz.plots import matrix_figure
from cnnviz.ui.common import show_error
from cnnviz.ui.i18n import t
from cnnviz.urlvalues import UrlValueError, parse_float

__all__ = ["CARD_COLS", "INLINE_KERNEL", "controls_ui", "filters_ui", "image_ui", "picture_ui"]

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


def filters_ui(img: np.ndarray, names: list[str], sigma: float) -> None:
    """The chosen filters side by side: response (own colour range, colour bar, true values on
    hover), then the kernel and which library ran it."""
    gray = to_gray(img)
    cols = st.columns(CARD_COLS)
    for n, name in enumerate(names):
        r = respond(name, gray, sigma, compare_torch=True)
        with cols[n % CARD_COLS].container(border=True, key=f"flt_card_{name}"):
            st.markdown(f"**{t(f'flt_{name}')}**")
            fig = response_figure(r.values, r.signed, RESPONSE_PX, RESPONSE_SIDE, hover=t("map_hover"))
            st.plotly_chart(fig, config={"displayModeBar": False}, key=f"flt_r_{name}")
            st.caption(_note(name, r.torch_diff) + (" " + t("flt_signed") if r.signed else ""))
            if r.kernel is not None:
                _kernel_ui(name, r.kernel)
    if names:
        st.caption(t("map_colour_note"))
