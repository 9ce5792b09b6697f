"""Widgets of the Filters page: the image (sample, pattern or upload) and classic filter responses.

``classic_ui`` is a fragment: choosing filters reruns only the picture, the choice and the grid,
not the learned-filters section below (a new picture or sigma reruns the whole page, since that
section shows them too). Cards of the bundled pictures are kept rendered (bounded LRU keyed by
picture, filter and sigma); cards of uploads are computed each time and kept nowhere shared.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass

import numpy as np
import streamlit as st
from PIL import Image

from cnnviz.text import untrusted
from cnnviz.filters import ALL_FILTERS, DEFAULT_SELECTION, respond
from cnnviz.images import PATTERNS, SAMPLE_PHOTOS, ImageError, decode_image, downscale_for_display, sample_image, \
    to_gray, viewable
from cnnviz.plots import matrix_figure, response_image
from cnnviz.ui.classroom_ui import present_view
from cnnviz.ui.common import show_error
from cnnviz.ui.i18n import t
from cnnviz.urlvalues import UrlValueError, parse_float

__all__ = ["classic_ui", "controls_ui", "filters_ui", "image_ui"]

WORK_SIDE = 512  # filters run on at most 512x512: every click stays well under 0.1 s
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "gif"]
UPLOAD = "upload"
WEBCAM = "webcam"
CARD_CACHE = 128  # rendered cards of bundled pictures (17 filters x a few pictures and sigmas)
SHOWN = "flt_shown"  # (picture, sigma) the whole page last drew, for the learned section


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


@dataclass(frozen=True)
class Card:
    """One filter's card as drawn: the response as JPEG bytes (what st.image would encode from
    the array, quality 100), its kernel (read-only) and how it was computed."""

    jpeg: bytes
    kernel: np.ndarray | None
    signed: bool
    torch_diff: float | None


def _jpeg(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=100)
    return out.getvalue()


def card(gray: np.ndarray, name: str, sigma: float) -> Card:
    r = respond(name, gray, sigma, compare_torch=True)
    kernel = None if r.kernel is None else r.kernel.astype(np.float64)
    if kernel is not None:
        kernel.flags.writeable = False
    return Card(_jpeg(response_image(r.values, r.signed)), kernel, r.signed, r.torch_diff)


@functools.lru_cache(maxsize=8)
def _sample_gray(image: str) -> np.ndarray:
    return to_gray(downscale_for_display(np.asarray(sample_image(image)), WORK_SIDE))  # never written to


@functools.lru_cache(maxsize=CARD_CACHE)
def sample_card(image: str, name: str, sigma: float) -> Card:
    """The card of a bundled picture: the same for every student, so computed once per server."""
    return card(_sample_gray(image), name, sigma)


@functools.lru_cache(maxsize=8)
def _sample_jpeg(image: str) -> bytes:
    return _jpeg(viewable(downscale_for_display(np.asarray(sample_image(image)), WORK_SIDE)))


def filters_ui(img: np.ndarray, names: list[str], sigma: float, sample: str | None = None) -> None:
    """The chosen filters side by side: kernel, response (signed colour map) and which library ran it.

    ``sample`` names the bundled picture ``img`` is, if it is one (its cards are kept rendered)."""
    gray = None if sample else to_gray(img)
    st.image(_sample_jpeg(sample) if sample else viewable(img), width=320)
    st.caption(t("flt_input", h=img.shape[0], w=img.shape[1]))
    cols = st.columns(3)
    for n, name in enumerate(names):
        c = sample_card(sample, name, sigma) if sample else card(gray, name, sigma)
        with cols[n % 3].container(border=True, key=f"flt_card_{name}"):
            st.markdown(f"**{t(f'flt_{name}')}**")
            if c.kernel is not None:
                st.plotly_chart(matrix_figure(c.kernel, t("flt_kernel")),
                                config={"displayModeBar": False}, key=f"flt_k_{name}")
            st.image(c.jpeg, width="stretch")
            st.caption(_note(name, c.torch_diff) + (" " + t("flt_signed") if c.signed else ""))


@st.fragment
def classic_ui() -> tuple[np.ndarray | None, float]:
    """Picture, filter choice and the grid of cards; returns the picture and sigma.

    A fragment: a click here reruns only this part. When the picture or sigma changed, the whole
    page reruns, because the learned section shows them too."""
    source, choice = st.columns([1, 2], gap="large")
    with source:
        img = image_ui()
    with choice:
        names, sigma = controls_ui()
    sample = st.session_state["flt_image"] if st.session_state["flt_image"] not in (UPLOAD, WEBCAM) else None
    if img is not None:
        filters_ui(img, names, sigma, sample)
    shown = (st.session_state["flt_image"], st.session_state.get("flt_upload", ("",))[0] if img is not None
             else None, sigma)
    if st.session_state.get(SHOWN, shown) != shown:
        st.session_state[SHOWN] = shown
        st.rerun()  # scope "app": the learned section below draws the new picture and sigma
    st.session_state[SHOWN] = shown
    present_view()
    return img, sigma
