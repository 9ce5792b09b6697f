"""The class on the Train page. For its teacher: every student's run with its nickname, state and
accuracy, any of them overlaid on one chart, stopped, or shown to the whole class, and a model
trained on the digits the class drew. For a student: drawing digits for that dataset."""

from __future__ import annotations

import streamlit as st

from cnnviz.imaging.canvas import model_input
from cnnviz.classroom.class_data import CLASS_DATASET, MIN_TO_TRAIN, ClassDrawings
from cnnviz.train.curves import curves_figure
from cnnviz.data.datasets import DATASETS
from cnnviz.errors import CnnvizError
from cnnviz.train.jobs import JobView
from cnnviz.models.builders import ModelConfig
from cnnviz.train.runs import RunSpec
from cnnviz.train.engine import TrainConfig
from cnnviz.ui.common import fragment, show_error
from cnnviz.ui.image_source import canvas_ui
from cnnviz.ui import classroom_ui
from cnnviz.ui.i18n import t
from cnnviz.ui.run_status import store, submit

__all__ = ["class_runs_ui", "draw_for_class_ui"]

POLL_S = 2.0
CLASS_EPOCHS = 30


def _row(v: JobView) -> dict[str, object]:
    history = v.progress.get("history", [])
    planned = v.progress.get("spec", {}).get("train", {}).get("epochs")
    best = max((r["val_acc"] for r in history), default=None)
    return {t("cr_col_who"): v.nickname or "–", t("cr_col_run"): v.title,
            t("cr_col_state"): t(f"cr_state_{v.state}") + (f" ({v.position})" if v.state == "queued" else ""),
            t("cr_col_epochs"): f"{len(history)} / {planned}" if planned else str(len(history)),
            t("cr_col_best"): "–" if best is None else f"{best:.1%}"}


def _label(views: dict[str, JobView], job_id: str) -> str:
    v = views[job_id]
    return f"{v.nickname or '–'} · {v.title} ({job_id})"


def _panel(class_id: str, was_active: bool) -> None:
    views = {v.id: v for v in store().views(class_id=class_id)}
    if not views:
        st.caption(t("cr_none"))
        return
    st.dataframe([_row(v) for v in views.values()], hide_index=True, width="stretch")
    chosen = [j for j in st.session_state.get("cr_overlay", []) if j in views]
    runs = [(_label(views, j), views[j].progress.get("history", [])) for j in chosen]
    if any(h for _, h in runs):
        st.plotly_chart(curves_figure(runs, (t("tr_loss"), t("tr_acc")), (t("tr_train"), t("tr_val"), t("tr_epoch"))),
                        key="cr_curves")
    if was_active and not any(v.active for v in views.values()):
        st.rerun()


def _show_to_all(job_id: str) -> None:
    st.session_state["tr_run"] = job_id  # the Train page shows it; presenting sends it to everyone
    st.query_params["run"] = job_id


def class_runs_ui() -> None:
    """Only for the teacher of the class this session is in; nothing for anyone else."""
    info = classroom_ui.in_class()
    if info is None or not classroom_ui.room().is_teacher(info.id, classroom_ui.teacher_token()):
        return
    st.subheader(t("cr_title"))
    views = {v.id: v for v in store().views(class_id=info.id)}
    active = any(v.active for v in views.values())
    if views:
        st.multiselect(t("cr_overlay"), list(views), key="cr_overlay", placeholder=t("choose_options"),
                       format_func=lambda j: _label(views, j))  # options are plain text
        pick = st.selectbox(t("cr_pick"), list(views), key="cr_pick", format_func=lambda j: _label(views, j))
        left, right = st.columns(2)
        if left.button(t("cr_show"), key="cr_show_btn", help=t("cr_show_help")):
            _show_to_all(pick)
            st.rerun()
        if views[pick].active and right.button(t("cr_stop"), key="cr_stop_btn", icon=":material/stop:"):
            store().cancel(pick)  # the teacher may stop any run of the class
    fragment(run_every=POLL_S if active else None)(_panel)(info.id, active)
    _train_on_drawings_ui(info.id)


def _drawings_spec(class_id: str) -> RunSpec:
    """LeNet-5 on every digit the class drew (small data: shifts help, many epochs are cheap)."""
    info = DATASETS[CLASS_DATASET]
    return RunSpec(CLASS_DATASET, 1, 1, ModelConfig("lenet5", info.shape, activation="relu", init="he"),
                   TrainConfig(epochs=CLASS_EPOCHS, batch_size=32, optimizer="adam", lr=2e-3, schedule="onecycle",
                               translate=2, seed=0), title=t("cd_title"), source=class_id)


def _train_on_drawings_ui(class_id: str) -> None:
    counts = ClassDrawings(classroom_ui.room()).counts(class_id)
    total = sum(counts.values())
    st.markdown(t("cd_counts", total=total, per=", ".join(f"{d}: {counts.get(d, 0)}" for d in range(10))))
    if st.button(t("cd_train"), key="cd_train_btn", disabled=total < MIN_TO_TRAIN,
                 help=t("cd_train_help", need=MIN_TO_TRAIN)):
        try:
            _show_to_all(submit(_drawings_spec(class_id), t("cd_title")))
            st.rerun()
        except CnnvizError as exc:
            show_error(exc)


def draw_for_class_ui() -> None:
    """For a student in a class: draw the digit asked for and give it to the class's dataset."""
    info = classroom_ui.in_class()
    member = st.session_state.get(classroom_ui.MEMBER)
    if info is None or member is None or classroom_ui.room().is_teacher(info.id, classroom_ui.teacher_token()):
        return
    drawings = ClassDrawings(classroom_ui.room())
    given = drawings.given(info.id, member)
    digit = given % 10  # every student draws 0, 1, ..., 9, 0, ...: the classes stay balanced
    st.subheader(t("cd_draw_title"))
    st.markdown(t("cd_draw_this", digit=digit, given=given))
    img = canvas_ui(f"cd_canvas_{given}")  # a fresh canvas after each drawing given
    if img is not None and st.button(t("cd_give"), key="cd_give_btn", type="primary"):
        try:
            drawings.add(info.id, member, digit, model_input(img))
            st.rerun()
        except CnnvizError as exc:
            show_error(exc)
