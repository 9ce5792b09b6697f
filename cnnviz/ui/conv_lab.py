"""Widgets of the Convolution lab. One canonical ``LabState`` lives in session state;
widgets edit it through callbacks, and the URL mirrors it after every run."""

from __future__ import annotations

from dataclasses import replace
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

import numpy as np
import streamlit as st

from cnnviz.conv.arithmetic import ConvTrace, PoolTrace
from cnnviz.conv.convlab import (LIMITS, LabState, clamp, from_query, input_preset_of, kernel_preset_of, questions_of,
                                 state_key, step_count, to_query, trace_of)
from cnnviz.conv.grids import (FIXED_KERNEL_SIZE, INPUT_PRESETS, KERNEL_PRESETS, SAMPLE_IMAGES, MatrixError,
                               format_matrix, input_preset, kernel_preset, parse_matrix)
from cnnviz.conv.stepview import (COMPONENT_CSS, COMPONENT_JS, conv_expression, pool_expression, step_component_data,
                                  transpose_expression)
from cnnviz.conv.transposed import TransposeTrace
from cnnviz.lru import SharedLRU
from cnnviz.plots import FrozenFigure, matrix_figure
from cnnviz.ui.classroom_ui import follow_point, offer_question, presenter_zoom, share_view, teaching
from cnnviz.ui.common import fragment, show_messages
from cnnviz.ui.conv_panels import formula_ui, layer_ui
from cnnviz.ui.i18n import t

__all__ = ["current", "follow_ui", "formula_ui", "input_ui", "intro_ui", "kernel_ui", "layer_ui", "load", "operation_ui",
           "output_ui", "questions_ui", "run_lab", "settings_ui", "stepping_ui", "step_ui", "step_view_ui", "save_url", "uses_kernel"]

CUSTOM = "custom"  # preset entry meaning "the numbers as typed or as given by a link"
LAB = "lab"  # canonical LabState
META = "lab_meta"  # presets chosen, for regenerating on size changes
PADDINGS = [0, 1, 2, 3, "same", "valid"]
STEP_LABELS = ("play", "pause", "prev", "next", "first", "last", "step", "of", "input", "kernel", "output",
               "padding", "channel", "speed", "bias")
# The settings widgets the lab's fragment draws (settings_ui), each under key lab_<name>
FRAGMENT_SETTINGS = ("stride", "padding", "dilation", "flip", "output_padding", "pool", "pool_size", "pool_stride")
PLAYER = "lab_player"  # the step view's component: its state "step" is the step a person chose there
IN_PAGE = "lab_in_page"  # True while the whole page runs (not only one of the lab's fragments)
# (a fragment must not st.rerun() the app to share a step: in Chromium that dropped the lab's widget state)
# Drawn on every click and the same for every session on the same numbers (read, never changed)
_STEP_DATA: SharedLRU[dict] = SharedLRU(256)
_TRACES: SharedLRU[ConvTrace | PoolTrace | TransposeTrace] = SharedLRU(64)
_OUTPUT_FIGURES: SharedLRU[FrozenFigure] = SharedLRU(512)
# The teacher's lab from the URL state each follower is given (a parse took 0.45 ms): the followers
# share it, as every edit of the lab makes new arrays (replace, copy) and none changes one in place
_TEACHERS_LABS: SharedLRU[tuple[LabState, list]] = SharedLRU(64)
# The step view runs in the page (not an iframe) and reports the step a person chooses there.
_step_view = st.components.v2.component("cnnviz_stepview", css=COMPONENT_CSS, js=COMPONENT_JS)


def current() -> LabState:
    return st.session_state[LAB]


def _set(**changes: object) -> None:
    st.session_state[LAB] = clamp(replace(current(), **changes))


def load() -> LabState:
    """The lab state: read from the URL on a session's first visit, kept in session state after."""
    if LAB not in st.session_state:
        state, warnings = from_query(st.query_params.to_dict())
        st.session_state[LAB] = state
        # a link to a preset's values names the preset; other typed values are "custom"
        st.session_state[META] = {"preset": input_preset_of(state.x) or CUSTOM, "image": "camera", "seed": 0,
                                  "kpreset": kernel_preset_of(state.weight) or CUSTOM}
        st.session_state["lab_url_warnings"] = warnings
        _push(state)
    elif "lab_rows" not in st.session_state:  # back from another page: widgets were cleaned up
        _push(current())
    with st.container(key="url_warnings"):
        show_messages(st.session_state.get("lab_url_warnings", []))
    return current()


def _push(s: LabState) -> None:
    """Write the state into every widget's session key (only before widgets exist, or in callbacks)."""
    ss = st.session_state
    meta = ss[META]
    ss.update(lab_rows=s.x.shape[1], lab_cols=s.x.shape[2], lab_cin=s.c_in, lab_k=s.k, lab_cout=s.c_out,
              lab_stride=s.stride, lab_padding=s.padding, lab_dilation=s.dilation, lab_view=s.view,
              lab_pool=s.pool, lab_pool_size=s.pool_size, lab_pool_stride=s.pool_stride,
              lab_preset=meta["preset"], lab_kpreset=meta["kpreset"], lab_image=meta["image"],
              lab_bias_on=s.bias is not None, lab_kout=min(ss.get("lab_kout", 0), s.c_out - 1),
              lab_flip=s.flip, lab_pool_of=s.pool_of, lab_groups=s.groups, lab_output_padding=s.output_padding)
    ss["lab_bias"] = ", ".join(format_matrix(s.bias[None]).split(",")) if s.bias is not None else "0"
    for c in range(s.c_in):
        ss[f"lab_in_{c}"] = format_matrix(s.x[c], "\n", " ")
        ss[f"lab_kin_{c}"] = format_matrix(s.weight[ss["lab_kout"], c], "\n", " ")
    for key in [k for k in ss if k.startswith("lab_err_")]:
        del ss[key]


# ---------------------------------------------------------------- callbacks

def _resized(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``a`` cropped or zero-padded (at the end of each axis) to ``shape``."""
    out = np.zeros(shape)
    common = tuple(slice(0, min(m, n)) for m, n in zip(a.shape, shape))
    out[common] = a[common]
    return out


def _regenerate_input() -> None:
    ss, meta, s = st.session_state, st.session_state[META], current()
    meta.update(preset=ss["lab_preset"], image=ss["lab_image"])
    if meta["preset"] == "random":
        meta["seed"] += 1
    shape = (ss["lab_cin"], ss["lab_rows"], ss["lab_cols"])
    if meta["preset"] == CUSTOM:  # keep the typed numbers, only change the size
        x = _resized(np.tile(s.x, (3, 1, 1))[: shape[0]], shape)
    else:
        x = input_preset(meta["preset"], shape[1], shape[2], shape[0], meta["seed"], meta["image"])
    # the course pools its 4x4 example directly, and pools the convolution of its 5x5 example
    pool_of = {"pool_example": "input", "course": "conv"}.get(meta["preset"], s.pool_of)
    _set(x=x, weight=_weight(meta["kpreset"], s, s.c_out, x.shape[0], s.k), step=0, pool_of=pool_of)
    _push(current())


def _weight(preset: str, s: LabState, c_out: int, c_in: int, k: int) -> np.ndarray:
    """A (c_out, c_in, k, k) kernel from a preset, or the typed one resized (new slices repeat old ones)."""
    if preset != CUSTOM:
        return kernel_preset(preset, k, c_out, c_in, st.session_state[META]["seed"])
    tiled = np.tile(s.weight, (4, 3, 1, 1))[:c_out, :c_in]
    return _resized(tiled, (c_out, c_in, k, k))


def _regenerate_kernel() -> None:
    ss, meta = st.session_state, st.session_state[META]
    meta["kpreset"] = ss["lab_kpreset"]
    if meta["kpreset"] == "random":
        meta["seed"] += 1
    s = current()
    k = FIXED_KERNEL_SIZE.get(meta["kpreset"], ss["lab_k"])
    bias = _bias_values(s, ss["lab_cout"]) if ss["lab_bias_on"] else None
    _set(weight=_weight(meta["kpreset"], s, ss["lab_cout"], s.c_in, k), bias=bias, step=0)
    _push(current())


def _bias_values(s: LabState, c_out: int) -> np.ndarray:
    old = s.bias if s.bias is not None else np.zeros(0)
    return np.concatenate([old, np.zeros(c_out)])[:c_out]


def _edit_input(c: int) -> None:
    ss = st.session_state
    try:
        m = parse_matrix(ss[f"lab_in_{c}"], *LIMITS["side"])
    except MatrixError as e:
        ss[f"lab_err_in_{c}"] = (e.key, e.args_)
        return
    ss.pop(f"lab_err_in_{c}", None)
    s = current()
    # a new size applies to every channel: the others start as copies of the edited one
    x = s.x.copy() if m.shape == s.x.shape[1:] else np.repeat(m[None], s.c_in, axis=0)
    x[c] = m
    ss[META]["preset"] = CUSTOM
    _set(x=x)
    _push(current())


def _edit_kernel(c: int) -> None:
    ss = st.session_state
    s, o = current(), ss["lab_kout"]
    try:
        m = parse_matrix(ss[f"lab_kin_{c}"], *LIMITS["kernel"])
        if m.shape[0] != m.shape[1]:
            raise MatrixError("err_kernel_square", rows=m.shape[0], cols=m.shape[1])
    except MatrixError as e:
        ss[f"lab_err_kin_{c}"] = (e.key, e.args_)
        return
    ss.pop(f"lab_err_kin_{c}", None)
    w = s.weight.copy() if m.shape[0] == s.k else np.zeros((s.c_out, s.c_in) + m.shape)
    w[o, c] = m
    ss[META]["kpreset"] = CUSTOM
    _set(weight=w)
    _push(current())


def _edit_bias() -> None:
    ss = st.session_state
    try:
        b = parse_matrix(ss["lab_bias"].replace(" ", ","), 1, LIMITS["channels_out"][1]).reshape(-1)
        if b.size != current().c_out:
            raise MatrixError("err_bias_count", count=b.size, c_out=current().c_out)
    except MatrixError as e:
        ss["lab_err_bias"] = (e.key, e.args_)
        return
    ss.pop("lab_err_bias", None)
    _set(bias=b)


def _edit_settings() -> None:
    """Copy the settings widgets into the state; widgets of the other operation are not on the page."""
    ss, s = st.session_state, current()
    names = ("stride", "padding", "dilation", "view", "pool", "pool_size", "pool_stride", "flip", "pool_of", "groups",
             "output_padding")
    _set(**{n: ss[f"lab_{n}"] if ss.get(f"lab_{n}") is not None else getattr(s, n) for n in names})
    if ss.get("lab_view") is None:  # a segmented control can be cleared: show the operation still in use
        ss["lab_view"] = current().view


def _step_by(delta: int) -> None:
    s = current()
    _set(step=(s.step + delta) % max(step_count(s), 1))


def _show_kernel_channel() -> None:
    _set(channel=st.session_state["lab_kout"])
    _push(current())


def _error_under(key: str) -> None:
    err = st.session_state.get(key)
    if err:
        st.error(t("err_kept_last", reason=t(err[0], **err[1])))


# ---------------------------------------------------------------- widgets

def _apply_button(key: str) -> None:
    """A typed matrix is taken when its box loses focus; this button is where the focus goes."""
    st.button(t("apply_typed"), key=key, icon=":material/check:", help=t("apply_typed_help"))
    st.caption(t("apply_typed_note"))


def input_ui() -> None:
    """Input matrix: preset, size, channels, sample image, and one editor per channel."""
    st.subheader(t("input_header"))
    st.selectbox(t("preset"), (CUSTOM, *INPUT_PRESETS), key="lab_preset", format_func=lambda p: t(f"in_{p}"),
                 on_change=_regenerate_input)
    a, b, c = st.columns(3)
    a.number_input(t("rows"), *LIMITS["side"], key="lab_rows", on_change=_regenerate_input)
    b.number_input(t("cols"), *LIMITS["side"], key="lab_cols", on_change=_regenerate_input)
    c.number_input(t("channels_in"), *LIMITS["channels_in"], key="lab_cin", on_change=_regenerate_input)
    if st.session_state["lab_preset"] == "image":
        st.selectbox(t("sample_image"), SAMPLE_IMAGES, key="lab_image", on_change=_regenerate_input)
    if st.session_state["lab_preset"] in ("course", "pool_example"):
        st.caption(t("fixed_size_preset"))
    cols = st.columns(current().c_in)
    for ch, col in enumerate(cols):
        with col:
            st.text_area(t("channel_n", n=ch), key=f"lab_in_{ch}", on_change=_edit_input, args=(ch,),
                         height=150, help=t("matrix_help"))
            _error_under(f"lab_err_in_{ch}")
    _apply_button("lab_apply_in")


def kernel_ui() -> None:
    """Kernel: preset, size, output channels, bias, and an editor per input channel of one filter."""
    s = current()
    st.subheader(t("kernel_header"))
    st.selectbox(t("preset"), (CUSTOM, *KERNEL_PRESETS), key="lab_kpreset", format_func=lambda p: t(f"k_{p}"),
                 on_change=_regenerate_kernel)
    a, b = st.columns(2)
    a.slider(t("kernel_size"), *LIMITS["kernel"], key="lab_k", on_change=_regenerate_kernel,
             disabled=st.session_state["lab_kpreset"] in FIXED_KERNEL_SIZE, help=t("kernel_size_help"))
    b.slider(t("channels_out"), *LIMITS["channels_out"], key="lab_cout", on_change=_regenerate_kernel)
    if s.view != "transpose":  # groups set the kernel's shape: C_in / groups channels per filter
        st.number_input(t("groups"), *LIMITS["groups"], key="lab_groups", on_change=_edit_settings,
                        help=t("groups_help"))
    if s.c_out > 1:
        st.segmented_control(t("filter_shown"), list(range(s.c_out)), key="lab_kout", on_change=_show_kernel_channel,
                             format_func=str)
    cols = st.columns(s.c_in)
    for ch, col in enumerate(cols):
        with col:
            st.text_area(t("kernel_channel_n", n=ch), key=f"lab_kin_{ch}", on_change=_edit_kernel, args=(ch,),
                         height=120, help=t("matrix_help"))
            _error_under(f"lab_err_kin_{ch}")
    _apply_button("lab_apply_k")
    st.checkbox(t("use_bias"), key="lab_bias_on", on_change=_regenerate_kernel)
    if s.bias is not None:
        st.text_input(t("bias_values", n=s.c_out), key="lab_bias", on_change=_edit_bias)
        _error_under("lab_err_bias")


def uses_kernel() -> bool:
    """True when the page shows a convolution: the conv view, or pooling of the conv's output."""
    s = current()
    return s.view in ("conv", "transpose") or s.pool_of == "conv"


def intro_ui() -> None:
    """What the chosen operation does, in one paragraph."""
    s = current()
    st.caption(t("pool_intro_" + s.pool_of) if s.view == "pool" else t(f"{s.view}_intro"))


def _slider(label: str, limit: str, **kwargs: Any) -> None:
    """A settings slider between LIMITS[limit]. Its value is given (the lower limit, which only a key
    not set yet takes): without one, Streamlit reads the whole session state to tell a range slider
    from a single one (7% of the GIL-holding samples of a follower's rerun in a py-spy profile of the
    class simulator; with this stop's other savings, 3% less server CPU per follow in its A/B)."""
    lo, hi = LIMITS[limit]
    st.slider(label, lo, hi, lo, **kwargs)


def _conv_settings_ui() -> None:
    _slider(t("stride"), "stride", key="lab_stride", on_change=_edit_settings)
    st.selectbox(t("padding"), PADDINGS, key="lab_padding", on_change=_edit_settings,
                 format_func=lambda p: t(f"pad_{p}") if isinstance(p, str) else str(p), help=t("padding_help"))
    _slider(t("dilation"), "dilation", key="lab_dilation", on_change=_edit_settings)
    st.toggle(t("flip"), key="lab_flip", on_change=_edit_settings)
    st.caption(t("flip_note"))


def operation_ui() -> None:
    """The operation switch (and what pooling pools): a change here reshapes the whole lab."""
    # a radio, not a segmented control: three operations wrap onto two lines in a narrow column
    st.radio(t("operation"), ["conv", "transpose", "pool"], key="lab_view", on_change=_edit_settings, horizontal=True,
             format_func=lambda v: t(f"view_{v}"))
    if current().view == "pool":
        st.radio(t("pool_of"), ["conv", "input"], key="lab_pool_of", on_change=_edit_settings,
                 format_func=lambda p: t(f"pool_of_{p}"))


def settings_ui() -> None:
    """The stride / padding / dilation (or pooling) controls of the chosen operation: they change the
    numbers, never the editors' shapes (they run in the lab's fragment, see run_lab)."""
    if current().view == "conv":
        _conv_settings_ui()
        return
    if current().view == "transpose":
        _slider(t("stride"), "stride", key="lab_stride", on_change=_edit_settings)
        st.selectbox(t("padding"), PADDINGS, key="lab_padding", on_change=_edit_settings,
                     format_func=lambda p: t(f"pad_{p}") if isinstance(p, str) else str(p),
                     help=t("transpose_padding_help"))
        _slider(t("output_padding"), "output_padding", key="lab_output_padding", on_change=_edit_settings,
                help=t("output_padding_help"))
        _slider(t("dilation"), "dilation", key="lab_dilation", on_change=_edit_settings)
        return
    st.radio(t("pool_kind"), ["max", "avg"], key="lab_pool", horizontal=True, on_change=_edit_settings,
             format_func=lambda p: t(f"pool_{p}"))
    _slider(t("pool_size"), "pool_size", key="lab_pool_size", on_change=_edit_settings)
    _slider(t("pool_stride"), "pool_stride", key="lab_pool_stride", on_change=_edit_settings)
    st.caption(t("pool_conventions"))
    if current().pool_of == "conv":
        with st.expander(t("conv_settings_header")):
            _conv_settings_ui()


def step_ui(s: LabState, trace: ConvTrace | PoolTrace | TransposeTrace) -> None:
    """Previous / next buttons and the full computation of the selected output (or input) cell."""
    scatter = isinstance(trace, TransposeTrace)
    w = trace.x.shape[2] if scatter else trace.shape[1]
    i, j = divmod(s.step, w)
    st.subheader(t("selected_input_header" if scatter else "selected_header"))
    # one row (a flex container, not three columns: a click draws a fraction of the blocks)
    with st.container(horizontal=True, vertical_alignment="center", key="conv_step_row"):
        st.button("◀ " + t("prev"), key="conv_prev", on_click=_step_by, args=(-1,))
        st.markdown(t("step_label_input" if scatter else "step_label", s=s.step + 1, n=step_count(s), i=i, j=j,
                      c=s.channel), width="stretch")
        st.button(t("next") + " ▶", key="conv_next", on_click=_step_by, args=(1,))
    with st.container(key="conv_step_expr"):
        if scatter:
            lines = transpose_expression(trace, s.channel, i, j, t("sv_cropped"))
        elif isinstance(trace, ConvTrace):
            lines = conv_expression(trace.for_output(s.channel), s.channel, i, j)
        else:
            lines = [pool_expression(trace, s.channel, i, j)]
        st.code("\n".join(lines), language=None, wrap_lines=True)


def _on_player_step() -> None:
    """The person stepped in the player: that step becomes the lab's step (panel, output maps, URL)."""
    value = st.session_state.get(PLAYER) or {}
    step = value.get("step") if hasattr(value, "get") else getattr(value, "step", None)
    if isinstance(step, int) and not isinstance(step, bool):
        _set(step=step)


def _step_labels(s: LabState) -> dict[str, str]:
    labels = {k: t(f"sv_{k}") for k in STEP_LABELS}
    if s.view == "pool" and s.pool_of == "conv":
        labels["input"] = t("sv_relu_conv")
    if s.view == "conv" and s.flip:
        labels["kernel"] = t("sv_kernel_flipped")
    if s.view == "transpose":
        labels.update(at=t("sv_input"), output=t("sv_scatter_output"), cropped=t("sv_cropped"))
    return labels


def step_view_ui(s: LabState, trace: ConvTrace | PoolTrace | TransposeTrace) -> None:
    """The animated step view; it plays in the browser and tells the page the step a person picks."""
    zoom = presenter_zoom()
    labels = _step_labels(s)
    data = _step_data(s, trace, labels, zoom)
    with st.container(key="conv_stepview"):
        _step_view(key=PLAYER, data=data, default={"step": s.step}, on_step_change=_on_player_step)


def _step_data(s: LabState, trace: ConvTrace | PoolTrace | TransposeTrace, labels: dict[str, str],
               zoom: float) -> dict:  # read only
    """The step view's data for state ``s`` (whose trace is ``trace``), kept for every session: a
    class stepping through the same numbers builds it once."""
    shown = trace.for_output(s.channel) if isinstance(trace, ConvTrace) else trace
    return _STEP_DATA.get((state_key(s), tuple(labels.items()), zoom),
                          lambda: step_component_data(shown, s.channel, s.step, labels, zoom))


def _teachers_settings(query: str) -> bool:
    """Take over the teacher's lab from ``query`` when it has this lab's numbers, operation and groups
    (only what the lab's fragment shows differs: stride, padding, dilation, pooling, step): the
    fragment then shows it without a whole-page run. False otherwise, changing nothing."""
    new, warnings = _TEACHERS_LABS.get(query, lambda: from_query(dict(parse_qsl(query))))
    s = current()
    same = not warnings and (s.view, s.pool_of, s.groups) == (new.view, new.pool_of, new.groups) \
        and np.array_equal(s.x, new.x) and np.array_equal(s.weight, new.weight) \
        and (s.bias is None) == (new.bias is None) and (s.bias is None or np.array_equal(s.bias, new.bias))
    if same:
        st.session_state[LAB] = new
        st.session_state.update({f"lab_{n}": getattr(new, n) for n in FRAGMENT_SETTINGS})
    return same


def follow_ui() -> None:
    """First call of the lab's fragment: a student following the teacher gets the teacher's stride,
    padding or pooling here, in a fragment run (see classroom_ui.follow_point)."""
    follow_point(_teachers_settings)


def run_lab(body: Callable[..., None], *args: object) -> None:
    """Run ``body(*args)``, the lab's settings and views, as a fragment: a stride, padding or pooling
    change reruns them, not the page around them (sidebar, editors: half the work of a click).
    The operation, the editors and the groups stay outside: they reshape the page, which then
    reruns whole. A teacher in a class runs it with the whole page: the sidebar's questions are
    about the numbers shown now."""
    st.session_state[IN_PAGE] = True
    (body if teaching() else fragment(body))(*args)
    st.session_state[IN_PAGE] = False


@fragment
def stepping_ui() -> None:
    """Step view, output maps and the selected cell: their clicks rerun only this part of the page."""
    s = current()
    # the same for every step and channel shown, and for every session on the same numbers
    trace = _TRACES.get(state_key(replace(s, step=0, channel=0)), lambda: trace_of(s))
    step_view_ui(s, trace)
    output_ui(s, trace)
    step_ui(s, trace)
    save_url(s)
    if not st.session_state.get(IN_PAGE):
        share_view()  # the class follows a presenting teacher's steps (a whole run does it in page_end)


def questions_ui(s: LabState) -> None:
    """Offer the teacher questions about this very view, answered by the lab's own arithmetic."""
    if not teaching():
        return  # a student's click computes no questions
    for q in questions_of(s):
        offer_question(q["topic"], q["kind"], q["answer"], q["params"], q["choices"])  # type: ignore[arg-type]


def _on_cell_click(key: str, channel: int, width: int) -> None:
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", [])
    if points:
        i, j = int(points[0]["y"]), int(points[0]["x"])
        _set(channel=channel, step=i * width + j)


def _output_figure(m: np.ndarray, title: str, highlight: tuple[int, int] | None,
                   zoom: float) -> FrozenFigure:  # read only
    """An output map's figure, kept for every session: numbers a class steps through together are
    drawn once, and frozen, so drawing it again makes no new copy of it."""
    key = (m.shape, m.dtype.str, m.tobytes(), title, highlight, zoom)
    return _OUTPUT_FIGURES.get(key, lambda: FrozenFigure(matrix_figure(m, title, highlight, zoom)))


def output_ui(s: LabState, trace: ConvTrace | PoolTrace | TransposeTrace) -> None:
    """Every output map with every value written; clicking a cell jumps the step view there."""
    h, w = trace.shape
    i, j = divmod(s.step, w)
    scatter = isinstance(trace, TransposeTrace)  # its steps are input cells: no output cell is selected
    zoom = presenter_zoom()  # the maps' cells as large as the step view's
    st.subheader(t("output_header", h=h, w=w, n=trace.out.shape[0]))
    with st.container(key="conv_output"):
        n = min(trace.out.shape[0], 4)
        cols = st.columns(n) if n > 1 else [st]  # one map needs no columns around it
        for o, col in enumerate(cols):
            key = f"lab_out_{o}"
            fig = _output_figure(trace.out[o], t("output_map_n", n=o),
                                 (i, j) if o == s.channel and not scatter else None, zoom)
            if scatter:
                col.plotly_chart(fig, key=key, config={"displayModeBar": False})
            else:
                col.plotly_chart(fig, key=key, on_select=partial(_on_cell_click, key, o, w),
                                 selection_mode="points", config={"displayModeBar": False})
    st.caption(t("transpose_output_note" if scatter else "click_to_jump"))


def save_url(s: LabState) -> None:
    """Mirror the state into the URL so the address bar is always a shareable link."""
    for key, value in to_query(s).items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    if s.bias is None and "bias" in st.query_params:
        del st.query_params["bias"]
