"""Widgets of the Train page: the recipe ladder, every training option, and the live run panel.

Training runs in a worker process (cnnviz.worker) through the shared job store, never inside the
script run, so closing the tab (or a server restart) does not stop it; the page polls the store
with a fragment while the run is queued or running, and finds finished runs through ``?run=<id>``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from cnnviz.curves import curves_figure, filters_figure, gradients_figure
from cnnviz.data import DATASETS
from cnnviz.errors import CnnvizError
from cnnviz.models import ACTIVATION_LABELS, ARCH_LABELS, INIT_LABELS, build_model, param_count
from cnnviz.runs import load_spec, max_active_runs, run_dir
from cnnviz.trainstate import CUSTOM, FIELDS, MODEL_FIELDS, RUNGS, TRAIN_FIELDS, TrainState, from_query, \
    rung_state, settings_of, spec_of, to_query
from cnnviz.ui.common import show_error, show_messages
from cnnviz.ui.i18n import t
from cnnviz.ui.run_status import job_device, my_runs, outcome_ui, owner, saved_run, status_ui, store, submit, \
    workers_ui

__all__ = ["live_ui", "settings_ui", "start_ui"]

POLL_S = 1.0
_LABELS = {"arch": ARCH_LABELS, "activation": ACTIVATION_LABELS, "init": INIT_LABELS,
           "optimizer": {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}}


def _seed_from_url() -> None:
    """Widget values from the URL on the first visit of a session; bad values are reported."""
    if "tr_dataset" in st.session_state:
        return
    state, warnings = from_query(st.query_params.to_dict())
    _set_widgets(state)
    st.session_state["tr_rung"] = state.rung
    if state.run is not None:
        st.session_state["tr_run"] = state.run
    st.session_state["tr_bad"] = warnings


def _set_widgets(state: TrainState) -> None:
    for name, value in settings_of(state).items():
        st.session_state[f"tr_{name}"] = value


def _state() -> TrainState:
    """The state the widgets (and the run shown) describe now."""
    ss = st.session_state
    return TrainState(**{name: ss[f"tr_{name}"] for name in FIELDS}, rung=ss["tr_rung"], run=ss.get("tr_run"))


def _apply_rung() -> None:
    """Ladder callback: set every widget to the chosen rung."""
    _set_widgets(rung_state(_state(), st.session_state["tr_rung"]))


def _mark_custom() -> None:
    st.session_state["tr_rung"] = CUSTOM


def _widget(name: str, container: Any) -> None:
    field, key, label = FIELDS[name], f"tr_{name}", t(f"tr_f_{name}")
    common = {"key": key, "on_change": _mark_custom}
    if field.kind == "bool":
        container.toggle(label, **common)
    elif field.kind == "choice" and all(isinstance(c, str) for c in field.choices):
        labels = _LABELS.get(name)
        fmt = labels.get if labels else (lambda c: t(f"tr_{name}_{c}"))
        container.selectbox(label, field.choices, format_func=fmt, **common)
    elif field.kind == "choice":
        container.select_slider(label, field.choices, format_func=lambda v: f"{v:g}", **common)
    elif field.kind == "int":
        container.slider(label, int(field.low), int(field.high), step=int(field.step), **common)
    else:
        container.slider(label, float(field.low), float(field.high), step=float(field.step), **common)


def settings_ui() -> TrainState:
    """The ladder and all options; returns the chosen state (also written to the URL)."""
    _seed_from_url()
    show_messages(st.session_state.pop("tr_bad", []))
    options = [CUSTOM, *RUNGS]
    st.selectbox(t("tr_ladder"), options, key="tr_rung", on_change=_apply_rung,
                 format_func=lambda k: t("tr_rung_custom") if k == CUSTOM else
                 f"{options.index(k)}. {t(f'tr_rung_{k}')}")
    rung = st.session_state["tr_rung"]
    if rung != CUSTOM:
        st.info(t(f"tr_why_{rung}"))
    data_tab, model_tab, train_tab = st.tabs([t("tr_tab_data"), t("tr_tab_model"), t("tr_tab_train")])
    for name in ("dataset", "n_train", "n_val"):
        _widget(name, data_tab)
    if not DATASETS[st.session_state["tr_dataset"]].embedded:
        data_tab.caption(t("tr_download_note"))
    for name in MODEL_FIELDS:
        _widget(name, model_tab)
    for name in TRAIN_FIELDS:
        _widget(name, train_tab)
    state = _state()
    st.query_params.update(to_query(state))
    return state


# ---------------------------------------------------------------------------------------------
# Starting, following and comparing runs


def start_ui(settings: TrainState) -> None:
    """Parameter count and the Start button; nothing in it may raise (a broken store is a message)."""
    try:
        _start_ui(settings)
    except CnnvizError as exc:
        show_error(exc)


def _start_ui(settings: TrainState) -> None:
    """Parameter count and the Start button; a bad combination is explained, not raised."""
    try:
        spec = spec_of(settings)
        params = param_count(build_model(spec.model))
    except ValueError as exc:
        st.error(t("err_train_settings", reason=str(exc)))
        return
    st.caption(t("tr_params", n=f"{params:,}", device=t(f"tr_device_{job_device()}")))
    workers_ui()
    active, limit = store().active_count(owner()), max_active_runs()
    if active >= limit:
        st.info(t("tr_at_limit", count=active, limit=limit))
    if st.button(t("tr_start"), type="primary", key="tr_start_btn", icon=":material/play_arrow:",
                 disabled=active >= limit):
        try:
            st.session_state["tr_run"] = submit(spec, spec.title)
        except CnnvizError as exc:
            show_error(exc)


def _run_panel(run_id: str, was_active: bool) -> None:
    view = store().view(run_id)
    if was_active and (view is None or not view.active):
        st.rerun()  # finished since the page was drawn: redraw it all (download, no more polling)
    if view is not None:
        status_ui(view)
        if view.active and view.owner == owner() and st.button(t("tr_stop"), key="tr_stop_btn",
                                                               icon=":material/stop:"):
            store().cancel(run_id, owner=owner())
        history, filters = view.progress.get("history", []), view.progress.get("filters")
        title = view.title
    else:
        title, history, filters = saved_run(run_id)
        if not history:
            st.warning(t("warn_run_missing", run=run_id))
            return
        outcome_ui(run_id, len(history))
    others = [r for r in st.session_state.get("tr_compare", []) if r != run_id]
    runs = [(title, history)] + [saved_run(r)[:2] for r in others]
    if any(h for _, h in runs):
        st.plotly_chart(curves_figure(runs, (t("tr_loss"), t("tr_acc")),
                                      (t("tr_train"), t("tr_val"), t("tr_epoch"))), key="tr_curves")
        last = history[-1] if history else None
        if last:
            st.caption(t("tr_last_epoch", val=f"{100 * last['val_acc']:.1f}", train=f"{100 * last['train_acc']:.1f}",
                         s=f"{last['seconds']:.1f}", ips=f"{last['images_per_s']:,.0f}"))
    norms = view.progress.get("grad_norms") if view is not None else None
    if norms:
        st.markdown(t("tr_gradients"))
        st.plotly_chart(gradients_figure(norms, t("tr_grad_axis")), key="tr_grads",
                        config={"displayModeBar": False})
    if filters is not None:
        st.markdown(t("tr_filters"))
        st.plotly_chart(filters_figure(np.asarray(filters, dtype=np.float32)), key="tr_filters_fig", config={"displayModeBar": False})


def live_ui() -> None:
    """The current run (polled while it trains), the download, and runs to compare with."""
    try:
        _live_ui()
    except CnnvizError as exc:
        show_error(exc)


def _live_ui() -> None:
    run_id = st.session_state.get("tr_run")
    if run_id is None:
        st.info(t("tr_no_run"))
        return
    st.query_params["run"] = run_id
    view = store().view(run_id)
    active = view is not None and view.active
    st.fragment(run_every=POLL_S if active else None)(_run_panel)(run_id, active)
    mine = [r for r in my_runs() if r != run_id]
    if mine:
        st.multiselect(t("tr_compare"), mine, key="tr_compare", format_func=_run_label)
    path = run_dir(run_id) / "model.safetensors"
    if not active and path.is_file():
        # a callable: the file is read when the student clicks, not on every rerun of the page
        st.download_button(t("tr_download"), path.read_bytes, file_name=f"cnnviz-{run_id}.safetensors",
                           mime="application/octet-stream", key="tr_download_btn", icon=":material/download:")
        st.caption(t("tr_run_link", run=run_id))


def _run_label(run_id: str) -> str:
    view = store().view(run_id)
    if view is not None:
        return f"{view.title} ({run_id})"
    try:
        return f"{load_spec(run_id).title} ({run_id})"
    except ValueError:
        return run_id
