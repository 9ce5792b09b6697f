"""Where the Inspect and Attributions pages get their picture, and how it becomes the model's input.

Sources: bundled photos and test patterns, real held-out handwriting and generated digits (digit
models), generated shapes (the shapes models), an upload, the camera, and a drawing canvas
(digit models). The model's input is made by ``cnnviz.imaging.preprocess`` and its steps are shown.
Pictures stay in their student's session; only the shared read-only samples are cached globally.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnviz.data.datasets import SHAPE_CLASSES, make_digits, make_shapes
from cnnviz.explain.inputstate import (CAMERA, DRAW, UPLOAD, InputLink, InputState, choose_image, from_query,
                                       image_options, to_query)
from cnnviz.imaging.canvas import CANVAS_PEN, CANVAS_SIDE
from cnnviz.imaging.images import ImageError, decode_image, downscale_for_display, sample_image, to_gray, viewable
from cnnviz.imaging.preprocess import Prepared, digest, needs_invert, preprocess, readonly
from cnnviz.plots import response_image
from cnnviz.ui.common import show_error, show_messages
from cnnviz.ui.i18n import t
from cnnviz.ui.model_picker import Picked, model_ui

__all__ = ["CAMERA", "DRAW", "UPLOAD", "Source", "canvas_ui", "image_ui", "inputs_ui", "preprocess_ui", "public",
           "source_options"]

UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "gif"]
WORK_SIDE = 1024  # uploads are shrunk to this first: every later step stays fast
SHOW_PX = 168  # display width of the preprocessing pictures
CANVAS_PX = CANVAS_SIDE  # cnnviz.imaging.canvas models this canvas for the drawn-digit generators
SAMPLE_SEED = 11
CURRENT = "src_current"  # the picture last chosen on either page
UPLOADED = "src_upload"  # (digest, RGB array) of this session's uploaded or camera picture


@dataclass(frozen=True, eq=False)
class Source:
    """A picture as chosen: RGB uint8 (H, W, 3), never to be written to."""

    choice: str  # "hw:3", "gen:3", "shape:3", "photo:chelsea", "pattern:ramp", upload, camera, draw
    image: np.ndarray
    digest: str
    true_class: int | None = None  # known for dataset samples


def public(picked: Picked, source: Source | None) -> bool:
    """Results of ``picked`` on ``source`` may be shared between students (model_picker.cached's
    ``shared``): a model that ships with the app (or ImageNet weights) on a sample picture.
    Uploads, camera shots, drawings, uploaded checkpoints and students' runs stay in their session."""
    if source is None or source.choice in (UPLOAD, CAMERA, DRAW):
        return False
    return picked.key.startswith(("shipped:", "imagenet:"))


# ---------------------------------------------------------------------------------------------
# Samples


@st.cache_resource(show_spinner=False)
def _dataset_samples() -> dict[str, tuple[np.ndarray, int]]:
    """One sample per class: held-out real handwriting, generated digits, generated shapes."""
    from cnnviz.data.datasets import load_embedded
    from cnnviz.models.shipped import HANDWRITTEN_HELD_OUT, HANDWRITTEN_TRAIN

    out: dict[str, tuple[np.ndarray, int]] = {}
    # The shipped digit model trained on the rest of this split: these it never saw.
    held_out = load_embedded("handwritten", HANDWRITTEN_TRAIN, HANDWRITTEN_HELD_OUT, seed=0)
    sets = {"hw": (held_out.x_val.numpy(), held_out.y_val.numpy()),
            "gen": make_digits(40, SAMPLE_SEED), "shape": make_shapes(40, SAMPLE_SEED)}
    for prefix, (x, y) in sets.items():
        for cls in range(10):
            i = int(np.flatnonzero(y == cls)[0])
            img = np.transpose(x[i], (1, 2, 0))  # (H, W, C)
            out[f"{prefix}:{cls}"] = (readonly(np.repeat(img, 3 // img.shape[2], axis=2)), cls)
    return out


def source_options(picked: Picked) -> list[str]:
    """The pictures offered for this model, dataset samples first."""
    return image_options(picked.in_shape, picked.classes)


def _label(choice: str) -> str:
    kind, _, name = choice.partition(":")
    if kind in ("photo", "pattern"):
        return t(f"img_name_{name}")
    if kind == "hw":
        return t("src_hw", digit=name)
    if kind == "gen":
        return t("src_gen", digit=name)
    if kind == "shape":
        return t("src_shape", name=SHAPE_CLASSES[int(name)])
    return t({UPLOAD: "img_name_upload", CAMERA: "img_name_webcam", DRAW: "src_draw"}[choice])


def _seed(key: str, options: list[str]) -> None:
    """The picture to start with: the link's on a session's first visit, else the other page's, else
    the default (also when another model does not offer the one chosen before)."""
    ss = st.session_state
    if key in ss and ss[key] in options:
        return
    link = from_query(st.query_params.to_dict()) if key not in ss else InputLink()
    choice, warnings = choose_image(link, options, ss.get(CURRENT))
    show_messages(warnings)
    ss[key] = choice


# ---------------------------------------------------------------------------------------------
# Widgets


def image_ui(prefix: str, picked: Picked) -> Source | None:
    """Choose the picture; None while an upload, photo or drawing is still missing."""
    options = source_options(picked)
    key = f"{prefix}image"
    _seed(key, options)
    choice = st.selectbox(t("src_image"), options, key=key, format_func=_label)
    st.session_state[CURRENT] = choice
    st.query_params.update(to_query(InputState(image=choice)))  # pictures themselves never enter a link
    kind, _, name = choice.partition(":")
    if kind in ("photo", "pattern"):
        img = downscale_for_display(sample_image(name), WORK_SIDE)
        return Source(choice, img, digest(choice))
    if kind in ("hw", "gen", "shape"):
        img, cls = _dataset_samples()[choice]
        return Source(choice, img, digest(choice), cls)
    if choice == DRAW:
        return _canvas_ui(prefix)
    return _upload_ui(prefix, choice)


def _upload_ui(prefix: str, choice: str) -> Source | None:
    if choice == CAMERA:  # browsers allow the camera on https or localhost; 480p keeps it small
        file = st.camera_input(t("src_camera"), key=f"{prefix}cam", resolution="480p")
    else:
        file = st.file_uploader(t("src_upload"), type=UPLOAD_TYPES, key=f"{prefix}img_file",
                                help=t("src_upload_help"))
    stored = st.session_state.get(UPLOADED)
    if file is None:
        if stored is not None and stored[2] == choice:  # kept from the other page
            return Source(choice, stored[1], stored[0])
        st.info(t("src_camera_hint" if choice == CAMERA else "src_upload_hint"))
        return None
    data = file.getvalue()
    file_hash = hashlib.sha256(data).hexdigest()[:24]
    if stored is not None and stored[0] == file_hash:
        return Source(choice, stored[1], file_hash)
    try:
        img = readonly(downscale_for_display(decode_image(data), WORK_SIDE))
    except ImageError as exc:
        show_error(exc)
        return None
    st.session_state[UPLOADED] = (file_hash, img, choice)
    return Source(choice, img, file_hash)


def _canvas_ui(prefix: str) -> Source | None:
    img = canvas_ui(f"{prefix}canvas")
    return None if img is None else Source(DRAW, img, digest(img))


def canvas_ui(key: str) -> np.ndarray | None:
    """A black square to draw a digit on in white (streamlit-drawable-canvas); the picture as RGB
    uint8, or None while nothing is drawn."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception:  # noqa: BLE001 - it registers its frontend only inside a running server
        st.info(t("src_canvas_unavailable"))
        return None
    st.caption(t("src_draw_hint"))
    st.space("small")  # the canvas's toolbar floats above it: keep the caption clear of it
    result = st_canvas(stroke_width=CANVAS_PEN, stroke_color="#ffffff", background_color="#000000",
                       width=CANVAS_PX, height=CANVAS_PX, drawing_mode="freedraw",
                       return_image_data=True, key=key)
    rgba = result.image_data
    if rgba is None or rgba.ndim != 3 or rgba.shape[2] < 3:  # nothing sent back yet
        st.info(t("src_draw_empty"))
        return None
    rgb = rgba[:, :, :3].astype(np.float32)
    if rgba.shape[2] == 4:  # strokes on a transparent background: alpha carries the ink
        rgb *= rgba[:, :, 3:4].astype(np.float32) / 255.0
    img = readonly(np.rint(rgb).astype(np.uint8))
    if int(img.max()) == 0:
        st.info(t("src_draw_empty"))
        return None
    return img


def _enlarge(img: np.ndarray, width: int = SHOW_PX) -> np.ndarray:
    """Nearest-neighbour upscaling, so every input pixel stays a visible square."""
    h, w = img.shape[:2]
    factor = max(1, width // max(h, w))
    return np.repeat(np.repeat(img, factor, axis=0), factor, axis=1)


def preprocess_ui(prefix: str, picked: Picked, source: Source) -> Prepared:
    """Options for grey models, then the three stages side by side: yours, seen, normalised."""
    invert = centre = False
    if picked.in_shape[0] == 1:
        dataset_sample = source.choice.partition(":")[0] in ("hw", "gen")
        auto = needs_invert(np.rint(to_gray(source.image) * 255))
        mode = st.segmented_control(
            t("src_invert"), ["auto", "on", "off"], default="auto", key=f"{prefix}invert",
            format_func=lambda m: t(f"src_invert_{m}"))
        invert = auto if mode in (None, "auto") else mode == "on"
        if picked.digits:
            centre = st.toggle(t("src_centre"), value=True, key=f"{prefix}centre",
                               help=t("src_centre_help")) and not dataset_sample
    prepared = preprocess(source.image, picked.in_shape, picked.mean, picked.std, picked.resize,
                          invert, centre)
    with st.container(key=f"{prefix}prep"):
        shown = st.columns(3)
        shown[0].image(viewable(downscale_for_display(source.image, SHOW_PX)), caption=t(
            "prep_yours", w=source.image.shape[1], h=source.image.shape[0]))
        seen = prepared.seen if prepared.seen.shape[2] == 3 else prepared.seen[:, :, 0]
        c, h, w = picked.in_shape
        shown[1].image(_enlarge(seen), caption=t("prep_seen", w=w, h=h, c=c))
        norm = prepared.x[0].mean(dim=0).numpy()  # (H, W): channel mean of the normalised input
        shown[2].image(_enlarge(response_image(norm, signed=True)), caption=t(
            "prep_norm", low=f"{float(prepared.x.min()):.2f}", high=f"{float(prepared.x.max()):.2f}"))
    st.caption(" → ".join(t(k, **a) for k, a in prepared.steps))
    return prepared


def inputs_ui(prefix: str) -> tuple[Picked | None, Source | None, Prepared | None]:
    """What Inspect and Attributions both start with: the model, the picture, and the model's
    input made from it; later parts are None while an earlier one is missing."""
    picked = model_ui(prefix)
    source = image_ui(prefix, picked) if picked else None
    prepared = preprocess_ui(prefix, picked, source) if picked and source else None
    return picked, source, prepared
