"""Widgets of the Filters page's learned part: a trained model's first-layer kernels, their responses
next to the classic ones, the learned kernel most like each classic kernel, the kernels' evolution
over a run's epochs, and the hand-crafted first layer experiment (two training jobs, compared live).

The maths lives in cnnviz.imaging.learned; training runs as jobs of the process-wide manager, polled here.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import numpy as np
import streamlit as st
import torch

from cnnviz.models import zoo
from cnnviz.models.checkpoints import CheckpointError, CheckpointInfo
from cnnviz.train.curves import curves_figure, filters_figure
from cnnviz.imaging.filterstate import LearnedLink, LearnedState, choose_epoch, choose_model, choose_pair, \
    learned_from_query, learned_to_query
from cnnviz.imaging.filters import apply_cv2, classic_filter
from cnnviz.imaging.images import to_gray
from cnnviz.train.jobs import JobView
from cnnviz.imaging.learned import FirstLayer, LearnedError, Match, best_matches, classic_kernels, experiment_n_val, \
    experiment_specs, first_layer, grey_kernels, has_conv, responses
from cnnviz.explain.mapfigures import response_figure
from cnnviz.models.builders import ModelConfig
from cnnviz.plots import matrix_figure
from cnnviz.train.runs import load_filters, run_dir, valid_run_id
from cnnviz.ui.common import error_text, fragment, show_error, show_messages
from cnnviz.ui.i18n import t
from cnnviz.ui.names import arch_name, dataset_name, model_line
from cnnviz.ui.run_status import job_device, owner, saved_run, status_ui, store, submit, workers_ui

__all__ = ["experiment_ui", "learned_ui"]

POLL_S = 1.0
MAX_SHOWN = 12  # response maps drawn; the mosaic shows every kernel
RESPONSE_SIDE = 128  # the small response maps are sent at most this many pixels per side
RESPONSE_PX = 150
PAIR_PX = 220
PAIR_SIDE = 256
RESPONSE_COLS = 6
TABLE_ROW_PX = 35  # st.dataframe's row height: the similarity table is shown whole, without scrolling
N_TRAIN_CHOICES = (500, 1000, 2000, 4000, 8000)
KERNELS_PX = 170
NO_FIGURE_BAR = {"displayModeBar": False}
LINK = "lrn_link"  # what this session's link asked of the section and is not used yet (filterstate.LearnedLink)


# ---------------------------------------------------------------------------------------------
# Which model: shipped checkpoints, this session's runs, and a run a link points to


@functools.lru_cache(maxsize=256)
def _has_conv(config: ModelConfig) -> bool:
    return has_conv(config)  # pure and cheap, but asked for every model on every rerun


def _run_ids() -> list[str]:
    ids = [*st.session_state.get("my_runs", []), *st.session_state.get("lrn_linked", [])]
    return list(dict.fromkeys(i for i in ids if valid_run_id(i)))


def _entries() -> dict[str, zoo.ZooEntry]:
    return {e.key: e for e in zoo.available(run_ids=_run_ids()) if _has_conv(e.info.config)}


def _seed_from_url() -> None:
    """Remember the URL's model, epoch and kernel pair once per session; they are checked when known."""
    if st.session_state.get("lrn_seeded"):
        return
    st.session_state["lrn_seeded"] = True
    link = learned_from_query(st.query_params.to_dict())
    if link.run is not None and link.run not in _run_ids():
        st.session_state.setdefault("lrn_linked", []).append(link.run)  # a shared link to a run
    st.session_state[LINK] = link


def _asked(part: str) -> str | None:
    """What the link asks for ``part`` (model, epoch or pair), once: later runs keep what the student chose."""
    link = st.session_state.get(LINK, LearnedLink())
    st.session_state[LINK] = replace(link, **{part: None})
    return getattr(link, part)


def _label(entry: zoo.ZooEntry) -> str:
    info = entry.info
    if entry.kind == "shipped":
        return t("lrn_shipped", model=arch_name(info.config), dataset=dataset_name(info.dataset))
    return t("lrn_run", title=info.note or arch_name(info.config), run=entry.name)


def _reset_epoch() -> None:
    st.session_state.pop("lrn_epoch", None)  # a new model starts at its last epoch


def _model_ui() -> zoo.ZooEntry | None:
    entries = _entries()
    wanted, warnings = choose_model(_asked("model"), list(entries))
    show_messages(warnings)
    if wanted is not None:
        st.session_state["lrn_model"] = wanted
    if not entries:
        st.info(t("lrn_no_models"))
        return None
    if st.session_state.get("lrn_model") not in entries:
        st.session_state["lrn_model"] = next(iter(entries))
    key = st.selectbox(t("lrn_model"), list(entries), key="lrn_model", on_change=_reset_epoch,
                       format_func=lambda k: _label(entries[k]))
    st.query_params.update(learned_to_query(LearnedState(model=key)))
    return entries[key]


# ---------------------------------------------------------------------------------------------
# Loading (cached per file version; nothing cached is ever changed)


@st.cache_resource(show_spinner=False, max_entries=16)
def _layer(key: str, version: str) -> tuple[FirstLayer, CheckpointInfo]:
    """The first layer's parameters only: the model itself is dropped, so no session can alter it."""
    model, info = zoo.load(key)
    return first_layer(model), info


def _file_version(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return f"{stat.st_mtime_ns}-{stat.st_size}"


@st.cache_data(show_spinner=False, max_entries=16)
def _epochs(run_id: str, version: str) -> list[np.ndarray]:
    return load_filters(run_id)


def _epoch_ui(entry: zoo.ZooEntry, final: np.ndarray) -> np.ndarray:
    """For a training run, a slider over its saved epochs (0 = initialisation); the chosen kernels."""
    history = []
    if entry.kind == "run":
        history = _epochs(entry.name, _file_version(run_dir(entry.name) / "filters.safetensors"))
        history = [w for w in history if w.shape == final.shape]
    last = len(history) - 1 if len(history) >= 2 else None
    wanted, warnings = choose_epoch(_asked("epoch"), last)
    show_messages(warnings)
    if last is None:
        st.query_params.pop("lepoch", None)
        return final
    if wanted is not None:
        st.session_state["lrn_epoch"] = wanted
    if not 0 <= st.session_state.get("lrn_epoch", last) <= last:
        st.session_state["lrn_epoch"] = last
    st.session_state.setdefault("lrn_epoch", last)
    epoch = st.slider(t("lrn_epoch"), 0, last, key="lrn_epoch", help=t("lrn_epoch_help"))
    st.query_params.update(learned_to_query(LearnedState(epoch=epoch)))
    return history[epoch]


# ---------------------------------------------------------------------------------------------
# Kernels, responses and the similarity table


def _kernels_ui(weight: np.ndarray) -> None:
    o, c, kh, kw = weight.shape
    names = {1: [t("lrn_grey")], 3: [t("lrn_red"), t("lrn_green"), t("lrn_blue")]}.get(c, [])
    figures = [(name, weight[:, i:i + 1]) for i, name in enumerate(names)]
    if c != 1:
        figures.append((t("lrn_rgb") if c == 3 else t("lrn_mean"), weight))
    cols = st.columns(4)
    for i, (name, w) in enumerate(figures):
        fig = filters_figure(w, height=KERNELS_PX)
        fig.update_layout(title={"text": name, "font": {"size": 14}}, margin={"t": 30})
        cols[i].plotly_chart(fig, key=f"lrn_kernels_{i}", config=NO_FIGURE_BAR)
    st.caption(t("lrn_kernels_caption", n=o, kh=kh, kw=kw, channels=t("input_channels", n=c)))


def _responses_ui(img: np.ndarray, weight: np.ndarray, info: CheckpointInfo) -> None:
    shown = min(len(weight), MAX_SHOWN)
    maps = responses(img, weight[:shown], info.mean, info.std)  # (shown, H, W)
    cols = st.columns(RESPONSE_COLS)
    for i, resp in enumerate(maps):
        with cols[i % RESPONSE_COLS]:
            fig = response_figure(resp, True, RESPONSE_PX, RESPONSE_SIDE, RESPONSE_SIDE, hover=t("map_hover"))
            st.plotly_chart(fig, config=NO_FIGURE_BAR, key=f"lrn_resp_{i}")
            st.caption(f"#{i + 1}")
    st.caption(t("lrn_resp_caption", h=img.shape[0], w=img.shape[1], shown=shown, n=len(weight),
                 side=info.in_shape[1]) + " " + t("map_colour_note"))


def _table_ui(matches: list[Match]) -> None:
    score = t("lrn_col_score")
    rows = {t("lrn_col_classic"): [t(f"flt_{m.classic}") for m in matches],
            t("lrn_col_learned"): ["—" if m.index is None else f"#{m.index + 1}" for m in matches],
            t("lrn_col_sign"): ["" if m.index is None else "+" if m.sign > 0 else "−" for m in matches],
            score: [m.score for m in matches]}
    st.dataframe(rows, hide_index=True, key="lrn_table", height=TABLE_ROW_PX * (len(matches) + 1) + 3,
                 column_config={
                     score: st.column_config.ProgressColumn(score, min_value=0.0, max_value=1.0, format="%.2f")})
    st.caption(t("lrn_table_caption"))


def _pair_ui(img: np.ndarray | None, weight: np.ndarray, info: CheckpointInfo, matches: list[Match],
             sigma: float) -> None:
    """One classic kernel and its most similar learned kernel (sign-corrected), with both responses."""
    by_name = {m.classic: m for m in matches}
    best = max(matches, key=lambda m: -1.0 if m.score is None else m.score).classic
    wanted, warnings = choose_pair(_asked("pair"), list(by_name))
    show_messages(warnings)
    if wanted is not None:
        st.session_state["lrn_pair"] = wanted
    if st.session_state.get("lrn_pair") not in by_name:
        st.session_state["lrn_pair"] = best
    name = st.selectbox(t("lrn_pair"), list(by_name), key="lrn_pair", format_func=lambda n: t(f"flt_{n}"),
                        help=t("lrn_pair_help"))
    st.query_params.update(learned_to_query(LearnedState(pair=name)))
    match = by_name[name]
    if match.index is None:
        st.info(t("lrn_no_match"))
        return
    f = classic_filter(name, sigma=sigma) if name == "gaussian" else classic_filter(name)
    learned = grey_kernels(weight[match.index:match.index + 1], info.std)[0] * match.sign
    learned = learned / (np.abs(learned).max() or 1.0)
    cols = st.columns(4)
    title = t("lrn_pair_learned", n=match.index + 1, sign="" if match.sign > 0 else " × (−1)")
    for col, kernel, label, key in ((cols[0], f.kernel, t(f"flt_{name}"), "lrn_pair_classic"),
                                    (cols[1], learned, title, "lrn_pair_learned")):
        col.plotly_chart(matrix_figure(np.asarray(kernel, np.float64), ""), key=key, config=NO_FIGURE_BAR)
        col.caption(label)
    if img is not None:
        classic_resp = apply_cv2(to_gray(img), f)
        learned_resp = responses(img, weight[match.index:match.index + 1], info.mean, info.std)[0] * match.sign
        for i, (col, resp, caption) in enumerate(((cols[2], classic_resp, t(f"flt_{name}")),
                                                  (cols[3], learned_resp, title))):
            col.plotly_chart(response_figure(resp, f.signed, PAIR_PX, PAIR_SIDE, hover=t("map_hover")),
                             config=NO_FIGURE_BAR, key=f"lrn_pair_resp_{i}")
            col.caption(caption)
    st.caption(t("lrn_pair_caption", score=f"{match.score:.2f}"))


def learned_ui(img: np.ndarray | None, sigma: float) -> None:
    """The learned-filters section: model, (epoch), kernels, responses to ``img``, similarity."""
    st.header(t("lrn_title"), divider="gray")
    st.markdown(t("lrn_intro"))
    _seed_from_url()
    entry = _model_ui()
    if entry is None:
        return
    try:
        layer, info = _layer(entry.key, zoo.version(entry.key))
    except (CheckpointError, LearnedError, OSError, ValueError) as exc:
        show_error(exc, "err_lrn_load")
        return
    acc = info.metrics.get("val_acc")
    st.caption(t("lrn_model_info", model=model_line(info.config), dataset=dataset_name(info.dataset),
                 acc="—" if acc is None else t("nm_percent", p=acc)))
    weight = _epoch_ui(entry, layer.weight)
    st.subheader(t("lrn_kernels"))
    _kernels_ui(weight)
    if img is not None:
        st.subheader(t("lrn_responses"))
        try:
            _responses_ui(img, weight, info)
        except (LearnedError, ValueError) as exc:
            st.error(_explain(exc))
            img = None
    st.subheader(t("lrn_similar"))
    matches = best_matches(grey_kernels(weight, info.std), classic_kernels(sigma=sigma))
    _table_ui(matches)
    _pair_ui(img, weight, info, matches, sigma)


# ---------------------------------------------------------------------------------------------
# The hand-crafted first layer experiment


def _submit(n_train: int, epochs: int, freeze: bool) -> dict[str, str]:
    """Two runs that differ only in the first layer: same seed, data, model and recipe."""
    titles = {"hand": t("lrn_exp_hand_frozen") if freeze else t("lrn_exp_hand_trained"),
              "random": t("lrn_exp_random")}
    return {role: submit(spec, spec.title) for role, spec in experiment_specs(n_train, epochs, freeze, titles).items()}


def _on_start() -> None:
    state = st.session_state
    try:
        state["lrn_exp"] = _submit(state["lrn_n_train"], state["lrn_epochs"], state["lrn_freeze"])
    except ValueError as exc:  # a classroom limit, or a setting out of range
        state["lrn_submit_error"] = error_text(exc)


def _run_column(run_id: str, view: JobView | None) -> tuple[str, list[dict[str, float]]]:
    if view is None:
        title, history, kernels = saved_run(run_id)
        st.markdown(f"##### {title}")
        st.caption(t("lrn_exp_saved") if history else t("lrn_exp_missing"))
    else:
        title, history, kernels = view.title, view.progress.get("history", []), view.progress.get("filters")
        st.markdown(f"##### {title}")
        status_ui(view)
    if history:
        st.caption(t("lrn_exp_val", acc=f"{100 * history[-1]['val_acc']:.1f}", epoch=history[-1]["epoch"]))
    if kernels is not None:
        st.plotly_chart(filters_figure(np.asarray(kernels), height=160), key=f"lrn_exp_k_{run_id}",
                        config=NO_FIGURE_BAR)
    return title, history


def _panel(ids: dict[str, str], was_active: bool) -> None:
    """Both runs: status, live first-layer kernels, and their curves on one chart."""
    views = {role: store().view(job_id) for role, job_id in ids.items()}
    active = [v for v in views.values() if v is not None and v.active]
    if was_active and not active:
        st.rerun()  # both finished since the page was drawn: redraw all (new runs in the model list)
    runs = []
    for col, (role, job_id) in zip(st.columns(len(ids)), ids.items()):
        with col:
            runs.append(_run_column(job_id, views[role]))
    if active and st.button(t("lrn_exp_cancel"), key="lrn_cancel", icon=":material/stop:"):
        for view in active:
            store().cancel(view.id, owner=owner())
    if not active and all(history for _, history in runs):
        st.caption(t("lrn_exp_see_above"))
    if any(history for _, history in runs):
        st.plotly_chart(curves_figure(runs, (t("lrn_loss"), t("lrn_acc")),
                                      (t("lrn_train"), t("lrn_val"), t("lrn_epoch_axis"))), key="lrn_curves")


def experiment_ui() -> None:
    """Settings, the Start button, and the two runs (polled every second while they train)."""
    st.header(t("lrn_exp_title"), divider="gray")
    st.markdown(t("lrn_exp_intro"))
    ids = st.session_state.get("lrn_exp")
    views = [store().view(i) for i in ids.values()] if ids else []
    active = any(v is not None and v.active for v in views)
    c1, c2, c3 = st.columns(3)
    n_train = c1.select_slider(t("lrn_exp_n_train"), N_TRAIN_CHOICES, value=4000, key="lrn_n_train")
    c2.slider(t("lrn_exp_epochs"), 1, 10, 3, key="lrn_epochs")
    c3.toggle(t("lrn_exp_freeze"), value=True, key="lrn_freeze", help=t("lrn_exp_freeze_help"))
    st.caption(t("lrn_exp_setup", n_train=n_train, n_val=experiment_n_val(n_train),
                 device=t(f"tr_device_{job_device()}")))
    workers_ui()
    # A callback: the jobs exist before this run draws the button, so it is disabled at once (the
    # live panel below reruns alone, and would leave an enabled button behind until both finish).
    st.button(t("lrn_exp_start"), type="primary", key="lrn_start", disabled=active, on_click=_on_start,
              icon=":material/play_arrow:")
    error = st.session_state.pop("lrn_submit_error", None)
    if error is not None:
        st.error(t("err_lrn_submit", reason=error))
    if ids:
        fragment(run_every=POLL_S if active else None)(_panel)(ids, active)
