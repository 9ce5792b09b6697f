"""Widgets of the Architectures page: pick a classic CNN and walk its layers (every number with
its formula) and the idea it introduced. The inception module and the confusion matrix have
their own modules (cnnviz.ui.inception_ui, cnnviz.ui.confusion_ui).

One ``ArchState`` lives in session state; widgets change it through callbacks and the URL
mirrors it after every run.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from cnnviz.course.archexplain import idea_numbers, megabytes, row_formulas, total_params_line, values_product
from cnnviz.course.architectures import ARCHITECTURES, WalkRow, row_keys, totals, walk_of
from cnnviz.course.course_plots import layer_bars_figure
from cnnviz.course.coursestate import ArchState, arch_from_query, arch_to_query
from cnnviz.models.pretrained import weights_file
from cnnviz.ui.classroom_ui import offer_question
from cnnviz.ui.common import show_messages
from cnnviz.ui.i18n import current_language, num, t

__all__ = ["PLOT_CONFIG", "current", "idea_ui", "layer_ui", "links_ui", "load", "picker_ui", "save_url", "set_state",
           "special_ui", "totals_ui", "walk_ui"]

STATE = "arch_state"
WARNINGS = "arch_url_warnings"
PLOT_CONFIG = {"displayModeBar": False}


def current() -> ArchState:
    return st.session_state[STATE]


def set_state(**changes: object) -> None:
    st.session_state[STATE] = replace(current(), **changes)


def _push(s: ArchState) -> None:
    """Widget keys from the state (only before the widgets exist, or in callbacks)."""
    st.session_state.update(arch_arch=s.arch, arch_layer=s.layer or row_keys(s.arch)[0], arch_r3=s.reduce3,
                            arch_r5=s.reduce5, arch_pp=s.pool_proj, arch_cm=s.cm_model)


def load() -> ArchState:
    """The page state: from the URL on a session's first visit, kept in session state after."""
    if STATE not in st.session_state:
        state, warnings = arch_from_query(st.query_params.to_dict())
        st.session_state[STATE] = state
        st.session_state[WARNINGS] = warnings
        _push(state)
    elif "arch_arch" not in st.session_state:  # back from another page: its widgets were cleaned up
        _push(current())
    with st.container(key="url_warnings"):
        show_messages(st.session_state.get(WARNINGS, []))
    return current()


def save_url(s: ArchState) -> None:
    query = arch_to_query(s)
    for name, value in query.items():
        st.query_params[name] = value
    if "cell" not in query and "cell" in st.query_params:
        del st.query_params["cell"]


# ---------------------------------------------------------------------------------------------
# Picking an architecture


def _on_arch() -> None:
    chosen = st.session_state.get("arch_arch")
    if chosen not in ARCHITECTURES:  # a segmented control can be cleared: keep what we had
        st.session_state["arch_arch"] = current().arch
        return
    set_state(arch=chosen, layer=row_keys(chosen)[0])
    st.session_state["arch_layer"] = current().layer


def picker_ui() -> ArchState:
    st.segmented_control(t("arch_pick"), list(ARCHITECTURES), key="arch_arch", on_change=_on_arch,
                         format_func=lambda k: ARCHITECTURES[k].label)
    s = current()
    a = ARCHITECTURES[s.arch]
    c, h, w = a.in_shape
    st.caption(t("arch_source", source=a.source, h=h, w=w, c=c))
    return s


def _attributions_model(s: ArchState) -> str | None:
    """Attributions only where trained weights exist: shipped models, ImageNet with its file."""
    key = ARCHITECTURES[s.arch].inspect_model
    if key is None or key.startswith("shipped:"):
        return key
    return key if weights_file(key.partition(":")[2]).is_file() else None


def links_ui(s: ArchState) -> None:
    a = ARCHITECTURES[s.arch]
    cols = st.columns(2)
    if a.inspect_model is None:
        cols[0].caption(t("arch_no_inspect", name=a.label))
    else:
        cols[0].page_link("pages/inspect.py", label=t("arch_open_inspect", name=a.label), icon=":material/layers:",
                          query_params={"model": a.inspect_model, "lang": current_language()})
    attr = _attributions_model(s)
    if attr is not None:
        cols[1].page_link("pages/attributions.py", label=t("arch_open_attr", name=a.label),
                          icon=":material/visibility:", query_params={"model": attr, "lang": current_language()})
    elif a.inspect_model is not None:
        cols[1].caption(t("arch_no_weights", name=a.label))


# ---------------------------------------------------------------------------------------------
# The idea, the totals and the walk


def _idea_text(arch: str, numbers: dict[str, object]) -> str:
    if arch == "lenet5":
        return t("arch_idea_lenet5", **numbers)
    if arch == "alexnet":
        return t("arch_idea_alexnet", **numbers)
    if arch == "vgg16":
        return t("arch_idea_vgg16", **{k: f"{v:,}" if isinstance(v, int) else v for k, v in numbers.items()})
    if arch == "googlenet":
        return t("arch_idea_googlenet", **numbers)
    return t("arch_idea_resnet18", **numbers)


def idea_ui(s: ArchState) -> None:
    rows = walk_of(s.arch)
    total = totals(rows, ARCHITECTURES[s.arch].in_shape)
    with st.container(key="arch_idea"):
        st.info(_idea_text(s.arch, idea_numbers(s.arch, rows, total)), icon=":material/lightbulb:")


def _last_field(rows: tuple[WalkRow, ...]) -> WalkRow:
    """The last row that still has a receptive field (not a pass-through pooling)."""
    return [r for r in rows if r.rf is not None and len(r.out_shape) == 3 and not r.kind.startswith("Adaptive")][-1]


def totals_ui(s: ArchState) -> None:
    rows = walk_of(s.arch)
    total = totals(rows, ARCHITECTURES[s.arch].in_shape)
    last = _last_field(rows)
    top, bottom = st.columns(3), st.columns(3)
    top[0].metric(t("arch_m_params"), num(total.params), help=t("arch_m_params_help"))
    top[1].metric(t("arch_m_weights"), num(total.weights), help=t("arch_m_weights_help"))
    top[2].metric(t("arch_m_macs"), num(total.macs), help=t("arch_m_macs_help"))
    bottom[0].metric(t("arch_m_memory"), num(total.memory_values), help=t("arch_m_memory_help"))
    bottom[1].metric(t("arch_m_bytes"), megabytes(total.memory_values * 4).split(" (")[0],
                     help=t("arch_m_bytes_help"))
    bottom[2].metric(t("arch_m_rf", layer=last.key), f"{last.rf}×{last.rf}", help=t("arch_m_rf_help"))
    st.caption(t("arch_memory_line", values=f"{total.memory_values:,}", input=f"{total.input_values:,}",
                 layers=f"{total.allocated:,}", bytes=f"{total.memory_values * 4:,}",
                 size=megabytes(total.memory_values * 4)))
    name = ARCHITECTURES[s.arch].label
    offer_question("q_arch_params", "number", total.params, {"name": name})  # a teacher may ask it
    offer_question("q_arch_rf", "number", last.rf, {"name": name, "layer": last.key})


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(v) for v in values_product(shape).factors)


def _table(rows: tuple[WalkRow, ...]) -> pd.DataFrame:
    every = t("arch_rf_all")
    return pd.DataFrame({
        t("arch_c_layer"): [r.key for r in rows], t("arch_c_kind"): [r.kind for r in rows],
        t("arch_c_shape"): [_shape_text(r.out_shape) for r in rows],
        t("arch_c_values"): [num(r.values) for r in rows],
        t("arch_c_weights"): [num(r.weight_count) for r in rows],
        t("arch_c_params"): [num(r.params) for r in rows],
        t("arch_c_memory"): [num(r.allocated) for r in rows],
        t("arch_c_bytes"): [num(r.bytes) for r in rows],
        t("arch_c_macs"): [num(r.mac_count) for r in rows],
        t("arch_c_rf"): [every if r.rf is None else f"{r.rf}" for r in rows],
        t("arch_c_jump"): ["–" if r.jump is None else f"{r.jump}" for r in rows],
    })


def _on_table_pick() -> None:
    picked = (st.session_state.get("arch_table") or {}).get("selection", {}).get("rows", [])
    keys = row_keys(current().arch)
    if picked and 0 <= picked[0] < len(keys):
        set_state(layer=keys[picked[0]])
        st.session_state["arch_layer"] = keys[picked[0]]


def walk_ui(s: ArchState) -> None:
    rows = walk_of(s.arch)
    st.subheader(t("arch_walk_header", name=ARCHITECTURES[s.arch].label, n=len(rows)))
    st.caption(t("arch_walk_caption"))
    table = _table(rows)
    helps = {t("arch_c_weights"): t("arch_h_weights"), t("arch_c_params"): t("arch_h_params"),
             t("arch_c_memory"): t("arch_h_memory"), t("arch_c_bytes"): t("arch_h_bytes"),
             t("arch_c_macs"): t("arch_h_macs"), t("arch_c_rf"): t("arch_h_rf"), t("arch_c_jump"): t("arch_h_jump")}
    config = {name: st.column_config.TextColumn(help=text) for name, text in helps.items()}
    st.dataframe(table, hide_index=True, key="arch_table", on_select=_on_table_pick, column_config=config,
                 selection_mode="single-row", height=min(38 + 35 * len(rows), 420))
    shown = [r for r in rows if r.allocated or r.params]
    fig = layer_bars_figure([r.key for r in shown], {t("arch_bar_memory"): [r.allocated for r in shown],
                                                     t("arch_bar_params"): [r.params for r in shown]},
                            s.layer, t("arch_bar_axis"))
    st.plotly_chart(fig, key="arch_bars", config=PLOT_CONFIG)
    st.caption(t("arch_bar_caption"))


def _on_layer() -> None:
    set_state(layer=st.session_state["arch_layer"])


def layer_ui(s: ArchState) -> None:
    rows = walk_of(s.arch)
    keys = [r.key for r in rows]
    by_key = {r.key: r for r in rows}
    st.selectbox(t("arch_layer"), keys, key="arch_layer", on_change=_on_layer,
                 format_func=lambda k: f"{k} · {by_key[k].kind} · {_shape_text(by_key[k].out_shape)}")
    index = keys.index(current().layer) if current().layer in keys else 0
    with st.container(key="arch_formulas", border=True):
        for key, formula in row_formulas(rows, index):
            st.markdown(f"{t(key)} `{formula}`" if formula else t(key))


def special_ui(s: ArchState) -> None:
    """What the course writes about this architecture, reproduced from the walk."""
    rows = walk_of(s.arch)
    if s.arch == "lenet5":
        st.markdown(t("arch_lenet_sum", line=total_params_line(rows)))
    elif s.arch == "vgg16":
        _vgg_table(rows)
    elif s.arch == "googlenet":
        st.caption(t("arch_googlenet_note"))


def _vgg_table(rows: tuple[WalkRow, ...]) -> None:
    by_key = {r.key: r for r in rows}
    total = totals(rows, ARCHITECTURES["vgg16"].in_shape)
    conv, fc1 = by_key["conv1_1"], by_key["fc1"]
    lines = [(t("arch_vgg_conv_values"), values_product(conv.out_shape).text()),
             (t("arch_vgg_conv_weights"), conv.weights[0].text()),
             (t("arch_vgg_fc1_weights"), fc1.weights[0].text()),
             (t("arch_vgg_total"), f"{total.weights:,} + {total.params - total.weights:,} = {total.params:,}"),
             (t("arch_vgg_memory"), f"{total.memory_values:,} × 4 B = {total.memory_values * 4:,} B"
                                    f" = {megabytes(total.memory_values * 4)}")]
    with st.container(key="arch_vgg_course", border=True):
        st.markdown(t("arch_vgg_header"))
        for label, formula in lines:
            st.markdown(f"{label}: `{formula}`")
