"""The Train page's "Start from" tab: a shipped model or one of the student's finished runs to
start from (transfer learning), what stays frozen, a new head, and a ready-made example. The
checks live in cnnviz.train.transfer; the widgets' values are the page's ``tr_<name>`` settings."""

from __future__ import annotations

from typing import Any

import streamlit as st

from cnnviz.data.datasets import DATASETS
from cnnviz.errors import CnnvizError
from cnnviz.models import zoo
from cnnviz.models.builders import ARCH_LABELS, build_model, param_count
from cnnviz.models.checkpoints import CheckpointError
from cnnviz.text import untrusted
from cnnviz.train.runs import FREEZE, RunSpec
from cnnviz.train.trainstate import CUSTOM, FIELDS
from cnnviz.train.transfer import freeze_layers, source_info
from cnnviz.ui.i18n import t
from cnnviz.ui.run_status import my_runs, store

__all__ = ["EXAMPLE", "params_text", "start_from_ui"]

ADOPTED = ("arch", "activation", "batchnorm", "depth", "width")  # what a source model decides
# LeNet-5 trained on digits, fine-tuned on a few real handwritten digits. The shipped model saw the
# first part of the handwritten set; with seed 0, validation images (the last 500) are ones it never saw.
EXAMPLE = {"dataset": "handwritten", "n_train": 300, "n_val": 500, "epochs": 5, "batch_size": 32, "lr": 0.003,
           "optimizer": "adam", "schedule": "onecycle", "seed": 0, "init_from": "shipped:lenet5_digits",
           "freeze": "features", "new_head": True}


def _fits(name: str, value: Any) -> bool:
    """Whether a widget of the page can show ``value`` for setting ``name``."""
    f = FIELDS[name]
    if f.kind == "choice":
        return value in f.choices
    if f.kind == "bool":
        return isinstance(value, bool)
    return f.low <= value <= f.high and (value - f.low) % f.step == 0


def _finished_runs() -> list[str]:
    """The student's runs that are no longer training (their last saved epoch can start another)."""
    views = {r: store().view(r) for r in my_runs()}
    return [r for r, v in views.items() if v is None or not v.active]


def _sources(wanted: str) -> dict[str, str]:
    """Every model the student may start from: key -> label; "" is random weights. A run a link
    names is offered too (as ``?run=`` shows any run whose id the link holds)."""
    options = {"": t("tr_src_scratch")}
    ids = _finished_runs()
    kind, _, name = wanted.partition(":")
    if kind == "run" and name not in ids and (store().view(name) is None or not store().view(name).active):
        ids.append(name)
    for e in zoo.available(run_ids=ids):
        if e.kind == "shipped":
            acc = e.info.metrics.get("val_acc", 0.0)
            options[e.key] = t("tr_src_shipped", arch=ARCH_LABELS[e.info.config.arch], dataset=e.info.dataset,
                               acc=f"{100 * acc:.1f}")
        else:
            options[e.key] = t("tr_src_run", title=e.info.note or e.name, run=e.name)
    return options


def _adopt_source() -> None:
    """Source callback: the model settings become the source's, the dataset one its images fit."""
    ss = st.session_state
    ss["tr_rung"] = CUSTOM
    if not ss["tr_init_from"]:
        return
    try:
        info = source_info(ss["tr_init_from"])
    except (CnnvizError, CheckpointError, OSError, ValueError):
        return  # the page says what is wrong with it
    for name in ADOPTED:
        if _fits(name, getattr(info.config, name)):
            ss[f"tr_{name}"] = getattr(info.config, name)
    if DATASETS[ss["tr_dataset"]].shape != info.in_shape and _fits("dataset", info.dataset):
        ss["tr_dataset"] = info.dataset
    if tuple(DATASETS[ss["tr_dataset"]].classes) != tuple(info.classes):
        ss["tr_new_head"] = True


def _set_example() -> None:
    for name, value in EXAMPLE.items():
        st.session_state[f"tr_{name}"] = value
    _adopt_source()


def _mark_custom() -> None:
    st.session_state["tr_rung"] = CUSTOM


def start_from_ui(tab: Any) -> None:
    """The tab's widgets; a model to start from that is not offered (a stale link) is reported."""
    wanted = st.session_state.get("tr_init_from", "")
    options = _sources(wanted)
    if wanted not in options:
        tab.warning(t("warn_url_value", name="init_from", value=untrusted(wanted, 40)))
        st.session_state["tr_init_from"] = ""
    tab.selectbox(t("tr_f_init_from"), list(options), format_func=options.get, key="tr_init_from",
                  on_change=_adopt_source)
    scratch = not st.session_state["tr_init_from"]
    tab.radio(t("tr_f_freeze"), FREEZE, format_func=lambda f: t(f"tr_freeze_{f}"), key="tr_freeze",
              disabled=scratch, on_change=_mark_custom)
    tab.toggle(t("tr_f_new_head"), key="tr_new_head", disabled=scratch, help=t("tr_new_head_help"),
               on_change=_mark_custom)
    tab.caption(t("tr_from_help"))
    tab.button(t("tr_example"), key="tr_example_btn", on_click=_set_example, help=t("tr_example_help"),
               icon=":material/school:")


def params_text(spec: RunSpec, device: str) -> str:
    """How many parameters train (and how many are frozen) for ``spec``."""
    model = build_model(spec.model)
    total = param_count(model)
    freeze_layers(model, spec.freeze)
    trainable = param_count(model)
    if trainable == total:
        return t("tr_params", n=f"{total:,}", device=device)
    return t("tr_params_frozen", n=f"{trainable:,}", total=f"{total:,}", frozen=f"{total - trainable:,}",
             device=device)
