"""Widgets of the Train page: the recipe ladder, every training option, and the live run panel.

Training runs in a worker process (cnnviz.worker) through the shared job store, never inside the
script run, so closing the tab (or a server restart) does not stop it; the page polls the store
with a fragment while the run is queued or running, and finds finished runs through ``?run=<id>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from cnnviz.curves import curves_figure, filters_figure, gradients_figure
from cnnviz.class_data import CLASS_DATASET
from cnnviz.data import DATASETS
from cnnviz.errors import CnnvizError
from cnnviz.models import ACTIVATION_LABELS, ARCH_LABELS, INIT_LABELS, MODELS, ModelConfig, build_model, \
    param_count
from cnnviz.recipes import LADDER, rung_configs
from cnnviz.runs import RunSpec, load_spec, max_active_runs, run_dir, valid_run_id
from cnnviz.text import untrusted
from cnnviz.train import OPTIMIZERS, SCHEDULES, TrainConfig
from cnnviz.ui.common import show_error
from cnnviz.ui.i18n import t
from cnnviz.ui.run_status import job_device, my_runs, outcome_ui, owner, saved_run, status_ui, store, submit, \
    workers_ui
from cnnviz.urlvalues import parse_bool, parse_choice, parse_float, parse_int

__all__ = ["FIELDS", "live_ui", "settings_ui", "spec_from_settings"]

MAX_TRAIN = 60_000  # images per run; the server's images x epochs budget bounds the run's length
POLL_S = 1.0
CUSTOM = "custom"
LR_CHOICES = (0.0001, 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3)
WD_CHOICES = (0.0, 1e-5, 1e-4, 5e-4, 1e-3, 1e-2)


@dataclass(frozen=True)
class Field:
    """One setting: its widget kind, allowed values (choices, or low/high/step) and default."""

    kind: str  # "choice", "int", "float" or "bool"
    default: Any
    choices: tuple[Any, ...] = ()
    low: float = 0
    high: float = 0
    step: float = 1


FIELDS: dict[str, Field] = {
    # the class's own drawings are trained by its teacher from the class panel, not picked here
    "dataset": Field("choice", "digits", tuple(n for n in DATASETS if n != CLASS_DATASET)),
    "n_train": Field("int", 4000, low=200, high=MAX_TRAIN, step=100),
    "n_val": Field("int", 1000, low=100, high=10_000, step=100),
    "arch": Field("choice", "lenet5", tuple(MODELS)),
    "activation": Field("choice", "relu", tuple(ACTIVATION_LABELS)),
    "init": Field("choice", "he", tuple(INIT_LABELS)),
    "batchnorm": Field("bool", False),
    "dropout": Field("float", 0.0, low=0.0, high=0.8, step=0.05),
    "depth": Field("int", 3, low=1, high=4),
    "width": Field("int", 16, low=4, high=64, step=4),
    "epochs": Field("int", 3, low=1, high=30),
    "batch_size": Field("choice", 128, (32, 64, 128, 256, 512)),
    "optimizer": Field("choice", "adam", OPTIMIZERS),
    "lr": Field("choice", 0.003, LR_CHOICES),
    "momentum": Field("float", 0.9, low=0.0, high=0.99, step=0.01),
    "nesterov": Field("bool", False),
    "weight_decay": Field("choice", 0.0, WD_CHOICES),
    "schedule": Field("choice", "onecycle", SCHEDULES),
    "label_smoothing": Field("float", 0.0, low=0.0, high=0.3, step=0.05),
    "normalize": Field("bool", True),
    "flip": Field("bool", False),
    "translate": Field("int", 0, low=0, high=4),
    "erase": Field("float", 0.0, low=0.0, high=1.0, step=0.05),
    "seed": Field("int", 0, low=0, high=9999),
}
MODEL_FIELDS = ("arch", "activation", "init", "batchnorm", "dropout", "depth", "width")
TRAIN_FIELDS = ("epochs", "batch_size", "optimizer", "lr", "momentum", "nesterov", "weight_decay",
                "schedule", "label_smoothing", "normalize", "flip", "translate", "erase", "seed")
_LABELS = {"arch": ARCH_LABELS, "activation": ACTIVATION_LABELS, "init": INIT_LABELS,
           "optimizer": {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}}


def _parse(field: Field, text: str) -> Any:
    """A URL value as the field's type; UrlValueError when it is not one of the allowed values."""
    if field.kind == "bool":
        return parse_bool(text)
    if field.kind == "choice":
        return parse_choice(text, field.choices)
    if field.kind == "int":
        return parse_int(text, int(field.low), int(field.high))
    return parse_float(text, field.low, field.high)


def _to_url(field: Field, value: Any) -> str:
    return ("1" if value else "0") if field.kind == "bool" else f"{value:g}" if isinstance(value, float) \
        else str(value)


def _seed_from_url() -> None:
    """Widget values from the URL on the first visit of a session; bad values are reported."""
    if "tr_dataset" in st.session_state:
        return
    bad = []
    for name, field in FIELDS.items():
        value = field.default
        if name in st.query_params:
            try:
                value = _parse(field, st.query_params[name])
            except ValueError:
                bad.append((name, st.query_params[name]))
        st.session_state[f"tr_{name}"] = value
    rung = st.query_params.get("rung", CUSTOM)
    if rung != CUSTOM and rung not in [r.key for r in LADDER]:
        bad.append(("rung", rung))
        rung = CUSTOM
    st.session_state["tr_rung"] = rung
    if rung != CUSTOM:  # a link naming only the rung gets the rung's settings; named fields win
        for name, value in _rung_values(rung).items():
            if name not in st.query_params:
                st.session_state[f"tr_{name}"] = value
    run = st.query_params.get("run")
    if run is not None and not valid_run_id(run):
        bad.append(("run", run))
    elif run is not None:
        st.session_state["tr_run"] = run
    st.session_state["tr_bad"] = bad


def _rung_values(key: str) -> dict[str, Any]:
    """Every setting of ladder rung ``key``, on the CIFAR-shaped ``shapes`` set."""
    model, train = rung_configs([r.key for r in LADDER].index(key), "shapes")
    return {**{k: getattr(model, k) for k in MODEL_FIELDS}, **{k: getattr(train, k) for k in TRAIN_FIELDS},
            "dataset": "shapes", "n_train": 5000, "n_val": 1000}


def _apply_rung() -> None:
    """Ladder callback: set every widget to the chosen rung."""
    key = st.session_state["tr_rung"]
    if key != CUSTOM:
        for name, value in _rung_values(key).items():
            st.session_state[f"tr_{name}"] = value


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


def settings_ui() -> dict[str, Any]:
    """The ladder and all options; returns the chosen settings (also written to the URL)."""
    _seed_from_url()
    for name, value in st.session_state.pop("tr_bad", []):
        st.warning(t("warn_url_value", name=name, value=untrusted(value, 30)))
    options = [CUSTOM] + [r.key for r in LADDER]
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
    settings = {name: st.session_state[f"tr_{name}"] for name in FIELDS}
    st.query_params.update({name: _to_url(FIELDS[name], v) for name, v in settings.items()})
    st.query_params["rung"] = rung
    return settings


def spec_from_settings(settings: dict[str, Any]) -> RunSpec:
    """The RunSpec the settings describe; ValueError says what does not fit together."""
    info = DATASETS[settings["dataset"]]
    model = ModelConfig(in_shape=info.shape, num_classes=len(info.classes),
                        **{k: settings[k] for k in MODEL_FIELDS})
    train_args = {k: settings[k] for k in TRAIN_FIELDS}
    train_args["nesterov"] = bool(train_args["nesterov"] and train_args["optimizer"] == "sgd"
                                  and train_args["momentum"] > 0)
    title = f"{ARCH_LABELS[model.arch]} · {ACTIVATION_LABELS[model.activation]} · {info.name}"
    return RunSpec(settings["dataset"], settings["n_train"], settings["n_val"], model,
                   TrainConfig(**train_args), title=title)


# ---------------------------------------------------------------------------------------------
# Starting, following and comparing runs


def start_ui(settings: dict[str, Any]) -> None:
    """Parameter count and the Start button; nothing in it may raise (a broken store is a message)."""
    try:
        _start_ui(settings)
    except CnnvizError as exc:
        show_error(exc)


def _start_ui(settings: dict[str, Any]) -> None:
    """Parameter count and the Start button; a bad combination is explained, not raised."""
    try:
        spec = spec_from_settings(settings)
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
