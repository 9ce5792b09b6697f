"""The augmentation section of the Building-blocks page: a sample of the embedded data or the
student's own upload (decoded defensively; it stays in this student's session), each augmentation
on a few seeds, with the torchvision line that gives the same pictures."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from cnnviz.course.augment import KINDS, Augmented, augment, sample
from cnnviz.course.coursestate import AUG_SOURCES, MAX_SEED, BlocksState
from cnnviz.data.datasets import SHAPE_CLASSES
from cnnviz.imaging.images import ImageError, decode_image, downscale_for_display
from cnnviz.ui.blocks_page import current, set_state
from cnnviz.ui.common import show_error
from cnnviz.ui.i18n import t

__all__ = ["augment_ui"]

UPLOADED = "blk_upload"  # (sha256 prefix, RGB picture) of this session's upload
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "gif"]
UPLOAD_SIDE = 96  # uploads are shrunk to this: a crop or a rotation of a photo reads the same at this size
SAMPLES = 4  # seeds shown per augmentation
SHOW_PX = 128


def _source_label(source: str) -> str:
    kind, _, cls = source.partition(":")
    if kind == "shape":
        return t("blk_aug_shape", name=SHAPE_CLASSES[int(cls)])
    if kind == "digit":
        return t("blk_aug_digit", digit=cls)
    return t("img_name_upload")


def _on_source() -> None:
    chosen = st.session_state.get("blk_aug_image")
    if chosen in AUG_SOURCES:
        set_state(aug_image=chosen)


def _on_seed() -> None:
    set_state(aug_seed=int(st.session_state["blk_aug_seed"]))


def _next_seeds() -> None:
    seed = (current().aug_seed + SAMPLES) % (MAX_SEED + 1)
    set_state(aug_seed=seed)
    st.session_state["blk_aug_seed"] = seed


def _upload_ui() -> np.ndarray | None:
    file = st.file_uploader(t("src_upload"), type=UPLOAD_TYPES, key="blk_aug_file", help=t("src_upload_help"))
    stored = st.session_state.get(UPLOADED)
    if file is None:
        if stored is None:
            st.info(t("src_upload_hint"))
            return None
        return stored[1]
    data = file.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:24]
    if stored is not None and stored[0] == digest:
        return stored[1]
    try:
        img = downscale_for_display(decode_image(data), UPLOAD_SIDE)
    except ImageError as exc:
        show_error(exc)
        return None
    img = np.ascontiguousarray(img)
    img.setflags(write=False)
    st.session_state[UPLOADED] = (digest, img)
    return img


def _enlarged(img: np.ndarray) -> np.ndarray:
    k = max(1, SHOW_PX // max(img.shape[:2]))
    return np.repeat(np.repeat(img, k, axis=0), k, axis=1)


def _drawn(a: Augmented) -> str:
    p = a.params
    if a.kind == "flip":
        return t("blk_aug_flipped") if p["flipped"] else t("blk_aug_not_flipped")
    if a.kind == "crop":
        return t("blk_aug_shift", down=p["down"], right=p["right"])
    if a.kind == "rotation":
        return t("blk_aug_angle", angle=f"{p['angle']:+.1f}")
    if a.kind == "jitter":
        return " → ".join(f"{name} ×{p[name]:.2f}" if name != "hue" else f"hue {p[name]:+.3f}" for name in p["order"])
    if p["erased"]:
        return t("blk_aug_erased", h=p["h"], w=p["w"], top=p["top"], left=p["left"])
    return t("blk_aug_not_erased")


def _kind_title(kind: str) -> str:
    return {"flip": t("blk_aug_k_flip"), "crop": t("blk_aug_k_crop"), "rotation": t("blk_aug_k_rotation"),
            "jitter": t("blk_aug_k_jitter"), "erasing": t("blk_aug_k_erasing")}[kind]


def augment_ui(s: BlocksState) -> None:
    st.markdown(t("blk_aug_intro"))
    cols = st.columns([2, 1, 1], vertical_alignment="bottom")
    cols[0].selectbox(t("blk_aug_source"), list(AUG_SOURCES), key="blk_aug_image", format_func=_source_label,
                      on_change=_on_source)
    cols[1].number_input(t("blk_aug_seed"), 0, MAX_SEED, key="blk_aug_seed", on_change=_on_seed)
    cols[2].button(t("blk_aug_next"), key="blk_aug_next", on_click=_next_seeds)
    img = _upload_ui() if s.aug_image == "upload" else sample(s.aug_image)
    if img is None:
        return
    shown = _enlarged(img)
    st.image(shown, caption=t("blk_aug_original", h=img.shape[0], w=img.shape[1]), width=shown.shape[1])
    for kind in KINDS:
        with st.container(border=True, key=f"blk_aug_{kind}"):
            _kind_ui(img, kind, current().aug_seed)


def _kind_ui(img: np.ndarray, kind: str, seed: int) -> None:
    shown = [augment(img, kind, seed + i) for i in range(SAMPLES)]
    st.markdown(f"**{_kind_title(kind)}**")
    st.code(f"torch.manual_seed({seed})  # {t('blk_aug_seeds', first=seed, last=seed + SAMPLES - 1)}\n"
            f"augmented = {shown[0].line}(img)  # img: uint8 tensor (3, H, W)", language="python", wrap_lines=True)
    cols = st.columns(SAMPLES)
    for col, a, i in zip(cols, shown, range(SAMPLES)):
        big = _enlarged(a.picture)
        col.image(big, caption=t("blk_aug_caption", seed=seed + i, drawn=_drawn(a)), width=big.shape[1])
