"""Widgets of the Train page: the recipe ladder, every training option and the Start buttons
(the run panel is cnnviz.ui.train_run, the transfer-learning tab cnnviz.ui.train_transfer).

Training runs in a worker process (cnnviz.train.worker) through the shared job store, never inside the
script run, so closing the tab (or a server restart) does not stop it; the page polls the store
with a fragment while the run is queued or running, and finds finished runs through ``?run=<id>``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from cnnviz.data.datasets import DATASETS
from cnnviz.errors import CnnvizError
from cnnviz.models.builders import ACTIVATION_LABELS, ARCH_LABELS
from cnnviz.train.runs import RunSpec, max_active_runs
from cnnviz.train.trainstate import (CUSTOM, FIELDS, MODEL_FIELDS, RUNGS, SCRATCH, TRAIN_FIELDS, TrainState, from_query,
                                     rung_state, settings_of, spec_of, to_query)
from cnnviz.train.transfer import check_transfer
from cnnviz.ui.common import error_text, show_error, show_messages
from cnnviz.ui.i18n import current_language, t
from cnnviz.ui.run_status import job_device, my_runs, owner, store, submit, workers_ui
from cnnviz.ui.train_run import export_ui, remember_shown, settings_changed
from cnnviz.ui.train_transfer import params_text, start_from_ui

__all__ = ["settings_ui", "start_ui"]

# How a choice is written: names of things as they are, inits in the reader's language.
_LABELS = {"arch": ARCH_LABELS.get, "activation": ACTIVATION_LABELS.get, "init": lambda c: t(f"nm_init_{c}"),
           "optimizer": {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}.get}


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
        fmt = _LABELS.get(name, lambda c: t(f"tr_{name}_{c}"))
        container.selectbox(label, field.choices, format_func=fmt, **common)
    elif field.kind == "choice":
        container.select_slider(label, field.choices, format_func=lambda v: f"{v:g}", **common)
    elif field.kind == "int":
        container.slider(label, int(field.low), int(field.high), step=int(field.step), **common)
    else:
        container.slider(label, float(field.low), float(field.high), step=float(field.step), **common)


def _resend_after_language_change() -> None:
    """After the language changed, write every setting again: a browser keeps showing a
    selectbox's old label and loses a radio's choice when only the labels change (seen in
    Chromium), while a value set by the script is sent to it anew."""
    ss, lang = st.session_state, current_language()
    if ss.get("tr_lang", lang) != lang:
        for key in [f"tr_{name}" for name in FIELDS] + ["tr_rung"]:
            if key in ss:
                ss[key] = ss[key]
    ss["tr_lang"] = lang


def settings_ui() -> TrainState:
    """The ladder and all options; returns the chosen state (also written to the URL)."""
    _seed_from_url()
    _resend_after_language_change()
    show_messages(st.session_state.pop("tr_bad", []))
    options = [CUSTOM, *RUNGS]
    st.selectbox(t("tr_ladder"), options, key="tr_rung", on_change=_apply_rung,
                 format_func=lambda k: t("tr_rung_custom") if k == CUSTOM else
                 f"{options.index(k)}. {t(f'tr_rung_{k}')}")
    rung = st.session_state["tr_rung"]
    if rung != CUSTOM:
        st.info(t(f"tr_why_{rung}"))
    data_tab, model_tab, train_tab, start_tab = st.tabs([t("tr_tab_data"), t("tr_tab_model"), t("tr_tab_train"),
                                                         t("tr_tab_start")])
    for name in ("dataset", "n_train", "n_val"):
        _widget(name, data_tab)
    if not DATASETS[st.session_state["tr_dataset"]].embedded:
        data_tab.caption(t("tr_download_note"))
    for name in MODEL_FIELDS:
        _widget(name, model_tab)
    for name in TRAIN_FIELDS:
        _widget(name, train_tab)
    start_from_ui(start_tab)
    state = _state()
    query = to_query(state)
    st.query_params.update(query)
    for name in ("init_from", "run"):  # written only when set: a link without them means none
        if name not in query:
            st.query_params.pop(name, None)
    return state


# ---------------------------------------------------------------------------------------------
# Starting runs: one, or a transferred one next to the same settings from scratch


def start_ui(settings: TrainState) -> None:
    """Parameter count and the Start buttons; nothing in it may raise (a broken store is a message)."""
    try:
        _start_ui(settings)
    except CnnvizError as exc:
        show_error(exc)


def _checked_spec(state: TrainState) -> RunSpec | None:
    """The spec of ``state``, or None after saying what does not fit (settings, or the source model)."""
    try:
        spec = spec_of(state)
    except ValueError as exc:
        st.error(t("err_train_settings", reason=str(exc)))
        return None
    try:
        check_transfer(spec)
    except CnnvizError as exc:  # CheckpointError too: a damaged source file
        st.error(t("err_transfer", reason=error_text(exc)))
        return None
    return spec


def _start_ui(settings: TrainState) -> None:
    spec = _checked_spec(settings)
    if spec is None:
        return
    st.caption(params_text(spec, t(f"tr_device_{job_device()}")))
    workers_ui()
    active, limit = store().active_count(owner()), max_active_runs()
    if active >= limit:
        st.info(t("tr_at_limit", count=active, limit=limit))
    shown = store().view(settings.run) if settings.run else None
    # the run shown trains these very settings: a second click would only start it twice
    busy = shown is not None and shown.active and not settings_changed(settings)
    st.button(t("tr_start"), type="primary", key="tr_start_btn", icon=":material/play_arrow:",
              disabled=active >= limit or busy, on_click=_on_start, args=(False,))
    if spec.init_from:
        st.button(t("tr_start_pair"), key="tr_start_pair_btn", icon=":material/compare_arrows:",
                  disabled=active + 2 > limit, on_click=_on_start, args=(True,), help=t("tr_pair_help"))
    if busy:
        st.caption(t("tr_start_busy"))
    error = st.session_state.pop("tr_submit_error", None)
    if error is not None:
        st.error(error)
    export_ui(settings, spec)


def _on_start(pair: bool) -> None:
    """Start callback (before the page is drawn, so the buttons and the panel show the new run)."""
    ss, state = st.session_state, _state()
    try:
        spec = spec_of(state)
        ids = [submit(spec, spec.title)]
        if pair:  # the same settings from random weights: the comparison transfer learning is about
            scratch = spec_of(replace(state, **SCRATCH))
            ids.append(submit(scratch, scratch.title))
    except ValueError as exc:  # a classroom limit (CnnvizError), or settings that changed meanwhile
        ss["tr_submit_error"] = error_text(exc)
        return
    previous = state.run
    ss["tr_run"] = ids[0]
    # the run shown before stays in the charts next to the new one (a rung next to the one below)
    ss["tr_compare"] = ids[1:] or ([previous] if previous in my_runs() else [])
    remember_shown(ids[0], replace(state, run=ids[0]))
