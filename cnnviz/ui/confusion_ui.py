"""The confusion matrix of the Architectures page: a shipped model on its regenerated validation
images; a click on a cell lists that cell's images, and one of them opens in Inspect as the
student's own picture (it stays in that student's session)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz.course.confusion import Confusion, cell_members, confusion
from cnnviz.course.course_plots import confusion_figure
from cnnviz.course.coursestate import CM_MODELS, ArchState
from cnnviz.imaging.preprocess import digest
from cnnviz.models import zoo
from cnnviz.models.builders import ARCH_LABELS
from cnnviz.models.shipped import SHIPPED
from cnnviz.ui import image_source, model_picker
from cnnviz.ui.architectures_page import PLOT_CONFIG, current, set_state
from cnnviz.ui.common import show_error
from cnnviz.ui.i18n import current_language, t

__all__ = ["cell_of", "confusion_ui"]

THUMBS = 40  # images listed for one confusion cell
THUMB_COLS = 10
THUMB_PX = 64




@st.cache_resource(show_spinner=False, max_entries=3)
def _confusion(key: str, version: str) -> Confusion:
    """Shared by every student: the shipped model's validation images and predictions (read-only)."""
    model, _ = zoo.load(key)
    return confusion(key.partition(":")[2], model)


def _cm_label(key: str) -> str:
    recipe = SHIPPED[key.partition(":")[2]]
    return t("arch_cm_option", arch=ARCH_LABELS[recipe.model.arch], data=t(f"mp_ds_{recipe.dataset}"),
             n=f"{recipe.n_val:,}")


def _on_cm() -> None:
    set_state(cm_model=st.session_state["arch_cm"], cell=None)


def cell_of(event: object) -> tuple[int, int] | None:
    """(true, predicted) of the clicked confusion cell, from a plotly_chart selection event."""
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list) and len(data) >= 2:
            return int(data[0]), int(data[1])
    return None


def _on_cell() -> None:
    cell = cell_of(st.session_state.get("arch_cm_chart"))
    if cell is not None:
        set_state(cell=cell)


def confusion_ui(s: ArchState) -> None:
    st.subheader(t("arch_cm_header"))
    st.caption(t("arch_cm_intro"))
    st.selectbox(t("arch_cm_model"), CM_MODELS, key="arch_cm", format_func=_cm_label, on_change=_on_cm)
    try:
        with st.spinner(t("arch_cm_computing")):
            result = _confusion(s.cm_model, zoo.version(s.cm_model))
    except Exception as exc:  # noqa: BLE001 - a damaged checkpoint or a full disk is a message
        show_error(exc)
        return
    recorded = zoo.available(run_ids=[])
    val_acc = next((e.info.metrics.get("val_acc") for e in recorded if e.key == s.cm_model), None)
    st.caption(t("arch_cm_accuracy", acc=f"{result.accuracy:.1%}", n=f"{len(result.labels):,}",
                 recorded="–" if val_acc is None else f"{val_acc:.1%}"))
    fig = confusion_figure(result.matrix, result.classes, s.cell, (t("arch_cm_true"), t("arch_cm_pred")),
                           t("arch_cm_hover"))
    st.plotly_chart(fig, key="arch_cm_chart", on_select=_on_cell, selection_mode="points", config=PLOT_CONFIG,
                    width="content")
    st.caption(t("arch_cm_click"))
    if current().cell is not None:
        _cell_ui(result, current())


def _picture(result: Confusion, index: int) -> np.ndarray:
    img = np.transpose(result.images[index], (1, 2, 0))  # (H, W, C)
    return np.ascontiguousarray(np.repeat(img, 3 // img.shape[2], axis=2))


def _enlarged(img: np.ndarray, side: int = THUMB_PX) -> np.ndarray:
    factor = max(1, side // img.shape[0])
    return np.repeat(np.repeat(img, factor, axis=0), factor, axis=1)


def _cell_ui(result: Confusion, s: ArchState) -> None:
    true, pred = s.cell  # type: ignore[misc]
    members = cell_members(result, true, pred)
    with st.container(key="arch_cell", border=True):
        st.markdown(t("arch_cell_header", true=result.classes[true], pred=result.classes[pred], n=len(members)))
        if len(members) == 0:
            st.caption(t("arch_cell_empty"))
            return
        shown = [int(i) for i in members[:THUMBS]]
        if len(members) > THUMBS:
            st.caption(t("arch_cell_capped", shown=THUMBS, n=len(members)))
        for start in range(0, len(shown), THUMB_COLS):
            cols = st.columns(THUMB_COLS)
            for col, index in zip(cols, shown[start:start + THUMB_COLS]):
                thumb = _enlarged(_picture(result, index))
                col.image(thumb, caption=f"#{index}", width=thumb.shape[1])
        pick = st.selectbox(t("arch_cell_pick"), shown, key="arch_pick", format_func=lambda i: f"#{i}")
        if st.button(t("arch_cell_open"), key="arch_open", icon=":material/layers:"):
            _open_in_inspect(result, s, int(pick))
        st.caption(t("arch_cell_open_help"))


def _open_in_inspect(result: Confusion, s: ArchState, index: int) -> None:
    """Hand the picture to Inspect as this student's own picture (it stays in this session) and go."""
    img = _picture(result, index)
    img.setflags(write=False)
    ss = st.session_state
    ss[image_source.UPLOADED] = (digest(s.cm_model, index), img, image_source.UPLOAD)
    ss[image_source.CURRENT] = image_source.UPLOAD
    ss[model_picker.CURRENT] = s.cm_model
    ss["insp_model"], ss["insp_image"] = s.cm_model, image_source.UPLOAD  # Inspect's own widget keys
    st.switch_page("pages/inspect.py", query_params={"model": s.cm_model, "image": image_source.UPLOAD,
                                                     "lang": current_language()})
