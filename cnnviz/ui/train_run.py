"""The Train page's run panel: the run shown (polled while it trains), its curves with per-step
points, the gradient size per layer and the first-layer filters, other runs overlaid, and the
downloads. The panel belongs to its run: once the settings change, it stops saying "Finished"
as if the new settings had been trained."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st

from cnnviz.errors import CnnvizError
from cnnviz.text import untrusted
from cnnviz.train.curves import curves_figure, filters_figure, gradients_figure
from cnnviz.train.export import check_export, export_name, export_zip
from cnnviz.train.jobs import JobView
from cnnviz.train.progress import gradient_ratio
from cnnviz.train.runs import RunSpec, load_spec, run_dir
from cnnviz.train.trainstate import TrainState, settings_of
from cnnviz.ui.common import error_text, fragment, show_error
from cnnviz.ui.i18n import t
from cnnviz.ui.run_status import my_runs, outcome_ui, owner, saved_run, status_ui, store

__all__ = ["SHOWN", "export_ui", "live_ui", "remember_shown", "settings_changed"]

POLL_S = 1.0
SHOWN = "tr_shown"  # (run id, the settings when that run was started or first shown)
NO_BAR = {"displayModeBar": False}


def _settings_key(state: TrainState) -> tuple[tuple[str, Any], ...]:
    return tuple(settings_of(state).items())


def remember_shown(run_id: str, state: TrainState) -> None:
    """The panel now shows ``run_id``, trained with (or opened next to) the settings of ``state``."""
    st.session_state[SHOWN] = (run_id, _settings_key(state))


def settings_changed(state: TrainState) -> bool:
    """Whether the settings differ from those of the moment the shown run was started or opened."""
    shown = st.session_state.get(SHOWN)
    if state.run is None:
        return False
    if shown is None or shown[0] != state.run:
        remember_shown(state.run, state)
        return False
    return shown[1] != _settings_key(state)


def _run_data(run_id: str, view: JobView | None) -> dict[str, Any]:
    """What the panel draws of one run, from the store while it knows the run, else from its files."""
    if view is not None:
        p = view.progress
        return {"title": view.title, "history": p.get("history", []), "filters": p.get("filters"),
                "points": p.get("points"), "norms": p.get("grad_norms") or {}}
    title, history, filters = saved_run(run_id)
    return {"title": title, "history": history, "filters": filters, "points": None, "norms": {}}


def _ratio_text(ratio: float) -> str:
    return f"{ratio:.2g}" + (f" ≈ 1/{round(1 / ratio):,}" if 0 < ratio < 0.5 else "")


def _charts_ui(runs: list[dict[str, Any]]) -> None:
    """Curves of every run (the shown one first, with its per-step points), then gradient bars."""
    curves = [(r["title"], r["history"]) for r in runs]
    with st.container():
        if any(h for _, h in curves) or runs[0]["points"]:
            st.plotly_chart(curves_figure(curves, (t("tr_loss"), t("tr_acc")),
                                          (t("tr_train"), t("tr_val"), t("tr_epoch")),
                                          steps=[r["points"] for r in runs], step_label=t("tr_step"), grouped=True),
                            key="tr_curves", config={"displaylogo": False})
        last = runs[0]["history"][-1] if runs[0]["history"] else None
        if last:
            st.caption(t("tr_last_epoch", val=f"{100 * last['val_acc']:.1f}", train=f"{100 * last['train_acc']:.1f}",
                         s=f"{last['seconds']:.1f}", ips=f"{last['images_per_s']:,.0f}"))
    bars = [(r["title"], r["norms"]) for r in runs if r["norms"]]
    with st.container():
        if bars:
            st.markdown(t("tr_gradients"))
            st.plotly_chart(gradients_figure(bars, t("tr_grad_axis")), key="tr_grads", config=NO_BAR)
            for title, norms in bars:
                ratio = gradient_ratio(norms)
                if ratio is not None:
                    st.caption(t("tr_grad_ratio", title=untrusted(title), ratio=_ratio_text(ratio)))


def _compared() -> list[str]:
    return list(st.session_state.get("tr_compare", []))


def _any_active(run_ids: list[str]) -> bool:
    return any(v is not None and v.active for v in map(store().view, run_ids))


def _run_panel(run_id: str, was_active: bool, changed: bool) -> None:
    view = store().view(run_id)
    if was_active and not _any_active([run_id, *_compared()]):
        st.rerun()  # all finished since the page was drawn: redraw it all (downloads, no more polling)
    shown = _run_data(run_id, view)
    if view is None and not shown["history"]:
        st.warning(t("warn_run_missing", run=run_id))
        return
    # One container per part: what appears inside one (a speed line, a caption) moves no chart
    # below it, so a poll redraws the charts in place instead of replacing them.
    with st.container():
        _head_ui(run_id, view, shown, changed)
    others = [r for r in _compared() if r != run_id]
    _charts_ui([shown] + [_run_data(r, store().view(r)) for r in others])
    with st.container():
        if shown["filters"] is not None:
            st.markdown(t("tr_filters"))
            st.plotly_chart(filters_figure(np.asarray(shown["filters"], dtype=np.float32)), key="tr_filters_fig",
                            config=NO_BAR)


def _head_ui(run_id: str, view: JobView | None, shown: dict[str, Any], changed: bool) -> None:
    """The run's title, then its state: queued, training, how it ended, or that the settings are new."""
    st.markdown(t("tr_run_title", title=untrusted(shown["title"]), run=run_id))
    if changed and not (view is not None and view.active):
        st.info(t("tr_settings_changed"))  # not this run's "Finished": the settings are new
    elif view is not None:
        status_ui(view)
        if view.active and view.owner == owner() and st.button(t("tr_stop"), key="tr_stop_btn",
                                                               icon=":material/stop:"):
            store().cancel(run_id, owner=owner())
    else:
        outcome_ui(run_id, len(shown["history"]))


def live_ui(state: TrainState) -> None:
    """The shown run (polled while it trains), runs to compare with, and the downloads."""
    try:
        _live_ui(state)
    except CnnvizError as exc:
        show_error(exc)


def _live_ui(state: TrainState) -> None:
    run_id = state.run
    if run_id is None:
        st.info(t("tr_no_run"))
        return
    view = store().view(run_id)
    active = view is not None and view.active
    polling = _any_active([run_id, *_compared()])  # a run overlaid may still be training
    fragment(run_every=POLL_S if polling else None)(_run_panel)(run_id, polling, settings_changed(state))
    mine = [r for r in my_runs() if r != run_id]
    if mine:
        st.session_state["tr_compare"] = [r for r in st.session_state.get("tr_compare", []) if r in mine]
        st.multiselect(t("tr_compare"), mine, key="tr_compare", format_func=_run_label,
                       placeholder=t("choose_options"))
    if not active:
        _downloads_ui(run_id)


def _downloads_ui(run_id: str) -> None:
    path = run_dir(run_id) / "model.safetensors"
    if path.is_file():
        # a callable: the file is read when the student clicks, not on every rerun of the page
        st.download_button(t("tr_download"), path.read_bytes, file_name=f"cnnviz-{run_id}.safetensors",
                           mime="application/octet-stream", key="tr_download_btn", icon=":material/download:")
        st.caption(t("tr_run_link", run=run_id))


def export_ui(state: TrainState, spec: RunSpec | None) -> None:
    """Behind a button: the settings (and the run shown, when it was trained otherwise) as a plain
    PyTorch script, made when the student clicks the download."""
    if st.button(t("tr_export"), key="tr_export_open", icon=":material/code:"):
        st.session_state["tr_export_shown"] = not st.session_state.get("tr_export_shown", False)
    if not st.session_state.get("tr_export_shown"):
        return
    st.caption(t("tr_export_help"))
    shown = _spec_of_run(state.run) if state.run else None
    choices = [(spec, t("tr_export_settings"), "tr_export_btn")]
    if shown is not None and (spec is None or replace(shown, title="") != replace(spec, title="")):
        choices.append((shown, t("tr_export_run"), "tr_export_run_btn"))
    for what, label, key in choices:
        if what is None:
            continue
        try:
            check_export(what)
        except CnnvizError as exc:
            st.caption(t("err_export", reason=error_text(exc)))
            continue
        st.download_button(label, functools.partial(export_zip, what), file_name=f"{export_name(what)}.zip",
                           mime="application/zip", key=key, icon=":material/download:")


def _spec_of_run(run_id: str) -> RunSpec | None:
    """What the run was asked to train: from the job store, else from its folder; None if neither."""
    try:
        data = store().spec(run_id)
        return RunSpec.from_dict(data) if data is not None else load_spec(run_id)
    except (ValueError, TypeError, KeyError):
        return None


def _run_label(run_id: str) -> str:
    view = store().view(run_id)
    if view is not None:
        return f"{view.title} ({run_id})"
    try:
        return f"{load_spec(run_id).title} ({run_id})"
    except ValueError:
        return run_id
