"""The class's runs, for its teacher on the Train page: every student's run with its nickname,
state and accuracy, any of them overlaid on one chart, stopped, or shown to the whole class."""

from __future__ import annotations

import streamlit as st

from cnnviz.curves import curves_figure
from cnnviz.jobs import JobView
from cnnviz.ui import classroom_ui
from cnnviz.ui.i18n import t
from cnnviz.ui.run_status import store

__all__ = ["class_runs_ui"]

POLL_S = 2.0


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
        st.multiselect(t("cr_overlay"), list(views), key="cr_overlay",
                       format_func=lambda j: _label(views, j))  # options are plain text
        pick = st.selectbox(t("cr_pick"), list(views), key="cr_pick", format_func=lambda j: _label(views, j))
        left, right = st.columns(2)
        if left.button(t("cr_show"), key="cr_show_btn", help=t("cr_show_help")):
            _show_to_all(pick)
            st.rerun()
        if views[pick].active and right.button(t("cr_stop"), key="cr_stop_btn", icon=":material/stop:"):
            store().cancel(pick)  # the teacher may stop any run of the class
    st.fragment(run_every=POLL_S if active else None)(_panel)(info.id, active)
