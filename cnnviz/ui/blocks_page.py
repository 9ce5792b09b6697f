"""Widgets of the Building-blocks page: downsampling compared, a 1x1-convolution head, BatchNorm's
arithmetic and activation functions (augmentation lives in cnnviz.ui.augment_ui).

One ``BlocksState`` lives in session state; widgets change it through callbacks and the URL
mirrors it after every run. Every number shown is computed by the library and checked against
PyTorch there (and, for BatchNorm, again on the page).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st
import torch

from cnnviz.course.blocks import (BatchNormSteps, batchnorm_steps, batchnorm_torch, digit_strip, fully_convolutional,
                           head_input_shape, heads, sample_batch, score_map)
from cnnviz.course.course_plots import depth_figure, footprint_figure, lines_figure, score_map_figure
from cnnviz.course.coursestate import MAX_SEED, MOMENTA, SECTIONS, BlocksState, blocks_from_query, blocks_to_query, \
    momentum_value
from cnnviz.course.downsample import FACTORS, METHODS, PICTURES, downsample, footprint, picture, torch_line
from cnnviz.course.nonlinear import ELEMENTWISE, FUNCTIONS, MAX_DEPTH, chain_gradient, closed_form, derivative, \
    max_derivative, softmax_jacobian, value
from cnnviz.data.datasets import DATASETS
from cnnviz.models import zoo
from cnnviz.ui.common import show_error, show_messages
from cnnviz.ui.i18n import t

__all__ = ["activations_ui", "batchnorm_ui", "current", "downsample_ui", "head_ui", "load", "save_url", "section_ui",
           "set_state"]

STATE = "blk_state"
WARNINGS = "blk_url_warnings"
PLOT_CONFIG = {"displayModeBar": False}
SHOW_PX = 256
HEAD_MODEL = "shipped:lenet5_digits"
SOFTMAX_AT = np.array([2.0, 1.0, 0.1])
X_RANGE = np.linspace(-6, 6, 601)


def current() -> BlocksState:
    return st.session_state[STATE]


def set_state(**changes: object) -> None:
    st.session_state[STATE] = replace(current(), **changes)


def _push(s: BlocksState) -> None:
    st.session_state.update(blk_section=s.section, blk_picture=s.picture, blk_factor=s.factor, blk_strip=s.strip,
                            blk_bn_seed=s.bn_seed, blk_momentum=s.momentum, blk_depth=s.depth,
                            blk_aug_image=s.aug_image, blk_aug_seed=s.aug_seed)


def load() -> BlocksState:
    """The page state: from the URL on a session's first visit, kept in session state after."""
    if STATE not in st.session_state:
        state, warnings = blocks_from_query(st.query_params.to_dict())
        st.session_state[STATE] = state
        st.session_state[WARNINGS] = warnings
        _push(state)
    elif "blk_section" not in st.session_state:  # back from another page: its widgets were cleaned up
        _push(current())
    with st.container(key="url_warnings"):
        show_messages(st.session_state.get(WARNINGS, []))
    return current()


def save_url(s: BlocksState) -> None:
    for name, text in blocks_to_query(s).items():
        st.query_params[name] = text


def _from_widget(field: str, key: str, cast: type = str) -> None:
    raw = st.session_state.get(key)
    if raw is None:  # a cleared segmented control: keep the current value
        st.session_state[key] = getattr(current(), field)
        return
    set_state(**{field: cast(raw)})


def _section_label(name: str) -> str:
    return {"downsample": t("blk_sec_downsample"), "head": t("blk_sec_head"), "batchnorm": t("blk_sec_batchnorm"),
            "activations": t("blk_sec_activations"), "augment": t("blk_sec_augment")}[name]


def section_ui() -> str:
    st.segmented_control(t("blk_section"), list(SECTIONS), key="blk_section", format_func=_section_label,
                         on_change=_from_widget, args=("section", "blk_section"))
    return current().section


# ---------------------------------------------------------------------------------------------
# Downsampling


def _picture_label(name: str) -> str:
    return {"fine_lines": t("blk_pic_lines"), "checkerboard": t("blk_pic_checker"), "text": t("img_name_text"),
            "camera": t("img_name_camera"), "chelsea": t("img_name_chelsea")}[name]


def _method_text(method: str, f: int) -> tuple[str, str]:
    """(title, what it keeps) of a downsampling method."""
    texts = {"max": (t("blk_ds_max"), t("blk_ds_max_keeps", f=f)), "avg": (t("blk_ds_avg"), t("blk_ds_avg_keeps", f=f)),
             "conv": (t("blk_ds_conv"), t("blk_ds_conv_keeps", f=f)),
             "nearest": (t("blk_ds_nearest"), t("blk_ds_nearest_keeps", f=f)),
             "bilinear": (t("blk_ds_bilinear"), t("blk_ds_bilinear_keeps", f=f))}
    return texts[method]


def _shown(x: np.ndarray) -> np.ndarray:
    """(C, h, w) float 0..255 -> RGB uint8 enlarged by whole pixels to about SHOW_PX."""
    img = np.clip(np.rint(np.transpose(x, (1, 2, 0))), 0, 255).astype(np.uint8)
    k = max(1, SHOW_PX // img.shape[0])
    return np.repeat(np.repeat(img, k, axis=0), k, axis=1)


def downsample_ui(s: BlocksState) -> None:
    st.markdown(t("blk_ds_intro"))
    left, right = st.columns(2)
    left.selectbox(t("blk_picture"), list(PICTURES), key="blk_picture", format_func=_picture_label,
                   on_change=_from_widget, args=("picture", "blk_picture"))
    right.segmented_control(t("blk_factor"), list(FACTORS), key="blk_factor", format_func=lambda f: f"÷{f}",
                            on_change=_from_widget, args=("factor", "blk_factor", int))
    img = picture(s.picture)
    x = np.transpose(img, (2, 0, 1)).astype(np.float64)  # (3, H, W)
    cards = [*st.columns(3), *st.columns(3)]  # two rows, read left to right
    with cards[0], st.container(border=True, key="blk_ds_original"):
        st.markdown(t("blk_ds_original", h=img.shape[0], w=img.shape[1]))
        st.image(_shown(x), width=SHOW_PX)
    for card, method in zip(cards[1:], METHODS):
        with card, st.container(border=True, key=f"blk_ds_{method}"):
            _method_card(x, method, s.factor)


def _method_card(x: np.ndarray, method: str, f: int) -> None:
    out = downsample(x, method, f)
    title, keeps = _method_text(method, f)
    st.markdown(f"**{title}** · {out.shape[1]}×{out.shape[2]}")
    st.image(_shown(out), width=SHOW_PX)
    st.caption(keeps)
    st.code(torch_line(method, f), language="python", wrap_lines=True)
    st.plotly_chart(footprint_figure(footprint(method, f), f), key=f"blk_fp_{method}", config=PLOT_CONFIG,
                    width="content")


# ---------------------------------------------------------------------------------------------
# Fully connected head versus 1x1 convolutions


@st.cache_resource(show_spinner=False, max_entries=2)
def _conv_lenet(version: str) -> tuple[torch.nn.Module, torch.nn.Module]:
    """The shipped LeNet-5 and its fully convolutional copy (shared: never changed)."""
    model, _ = zoo.load(HEAD_MODEL)
    return model, fully_convolutional(model)


def _head_column(title: str, layers: list) -> None:
    st.markdown(f"**{title}**")
    for layer in layers:
        factors = "·".join(str(f) for f in layer.weights.factors) if layer.weights else ""
        count = f"{factors} + {layer.biases:,} = {layer.params:,}" if layer.weights else "0"
        st.markdown(f"`{layer.code}`  \n{t('blk_head_params')}: `{count}`")
    st.markdown(t("blk_head_total", total=f"{sum(layer.params for layer in layers):,}"))


def _on_strip() -> None:
    raw = st.session_state.get("blk_strip", "")
    if isinstance(raw, str) and 1 <= len(raw) <= 6 and raw.isascii() and raw.isdigit():
        set_state(strip=raw)
    else:
        st.session_state["blk_strip_bad"] = True
        st.session_state["blk_strip"] = current().strip


def head_ui(s: BlocksState) -> None:
    st.markdown(t("blk_head_intro"))
    parts = heads()
    cols = st.columns(3, gap="medium")
    for col, (name, title) in zip(cols, (("fc", t("blk_head_fc")), ("conv", t("blk_head_conv")),
                                         ("gap", t("blk_head_gap")))):
        with col, st.container(border=True, key=f"blk_head_{name}"):
            _head_column(title, parts[name])
    st.markdown(t("blk_head_same"))
    st.text_input(t("blk_strip"), key="blk_strip", on_change=_on_strip, max_chars=6, help=t("blk_strip_help"))
    if st.session_state.pop("blk_strip_bad", False):
        st.warning(t("blk_strip_bad"))
    try:
        lenet, conv = _conv_lenet(zoo.version(HEAD_MODEL))
    except Exception as exc:  # noqa: BLE001 - a damaged checkpoint is a message
        show_error(exc)
        return
    _strip_ui(lenet, conv, s.strip)


def _strip_ui(lenet: torch.nn.Module, conv: torch.nn.Module, digits: str) -> None:
    strip = digit_strip(digits)
    info = DATASETS["digits"]
    x = (torch.from_numpy(strip).float()[None, None] / 255.0 - info.mean[0]) / info.std[0]  # (1, 1, 28, W)
    probs = score_map(conv, x)[:, 0].numpy()  # (10, positions)
    c, h, w = head_input_shape(conv, x)
    st.image(np.repeat(np.repeat(strip, 3, axis=0), 3, axis=1), caption=t("blk_strip_caption", w=strip.shape[1]),
             width=3 * strip.shape[1])
    st.markdown(t("blk_head_fc_fails", c=c, h=h, w=w, got=f"{c * h * w:,}", need=f"{lenet.fc1.in_features:,}"))
    st.plotly_chart(score_map_figure(probs, info.classes, t("blk_score_x"), t("blk_score_y")), key="blk_score",
                    config=PLOT_CONFIG)
    best = probs.argmax(axis=0)
    st.markdown(t("blk_score_reading", positions=probs.shape[1], read=" ".join(str(int(b)) for b in best)))


# ---------------------------------------------------------------------------------------------
# BatchNorm


def _num(v: float) -> str:
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def _factor(v: float) -> str:
    """A number as a factor of a product: negative ones in brackets, 0.5·(−1.7)."""
    text = _num(v)
    return f"({text})" if text.startswith("−") else text


def _new_batch() -> None:
    seed = (current().bn_seed + 1) % (MAX_SEED + 1)
    set_state(bn_seed=seed)
    st.session_state["blk_bn_seed"] = seed


def _channel_table(values: np.ndarray) -> pd.DataFrame:
    """(N, H, W) of one channel: a row per sample, a column per position."""
    n, h, w = values.shape
    flat = values.reshape(n, h * w)
    columns = [t("blk_bn_position", row=i, col=j) for i in range(h) for j in range(w)]
    return pd.DataFrame([[_num(v) for v in row] for row in flat], columns=columns,
                        index=[t("blk_bn_sample", n=k + 1) for k in range(n)])


def _bn_channel_ui(steps: BatchNormSteps, c: int) -> None:
    x = steps.x[:, c]
    n = steps.count
    mu, var, g, b = steps.mean[c], steps.var[c], steps.gamma[c], steps.beta[c]
    st.markdown(t("blk_bn_channel", c=c, gamma=_num(g), beta=_num(b)))
    st.dataframe(_channel_table(x), key=f"blk_bn_x{c}")
    st.markdown(t("blk_bn_mean") + f" `({' + '.join(_num(v) for v in x.ravel())}) / {n} = {_num(mu)}`")
    squares = float(((x - mu) ** 2).sum())
    st.markdown(t("blk_bn_var") + f" `Σ(x − {_num(mu)})² / {n} = {_num(squares)} / {n} = {_num(var)}`")
    x0 = float(x.ravel()[0])
    st.markdown(t("blk_bn_norm") + f" `({_num(x0)} − {_num(mu)}) / √({_num(var)} + {steps.eps:g}) = "
                f"{_num(steps.x_hat[:, c].ravel()[0])}`")
    st.markdown(t("blk_bn_scale") + f" `{_num(g)}·{_factor(steps.x_hat[:, c].ravel()[0])} + {_num(b)} = "
                f"{_num(steps.y_train[:, c].ravel()[0])}`")
    st.dataframe(_channel_table(steps.y_train[:, c]), key=f"blk_bn_y{c}")
    m = steps.factor
    rm0, rv0, rm, rv = (steps.running_mean_before[c], steps.running_var_before[c], steps.running_mean[c],
                        steps.running_var[c])
    st.markdown(t("blk_bn_running_mean") + f" `(1 − {_num(m)})·{_num(rm0)} + {_num(m)}·{_num(mu)} = {_num(rm)}`")
    st.markdown(t("blk_bn_running_var") + f" `(1 − {_num(m)})·{_num(rv0)} + {_num(m)}·{_num(var)}·{n}/{n - 1} = "
                f"{_num(rv)}`")
    st.markdown(t("blk_bn_eval") + f" `{_num(g)}·({_num(x0)} − {_num(rm)}) / √({_num(rv)} + {steps.eps:g}) + "
                f"{_num(b)} = {_num(steps.y_eval[:, c].ravel()[0])}`")
    st.dataframe(_channel_table(steps.y_eval[:, c]), key=f"blk_bn_e{c}")
    st.caption(t("blk_bn_eval_note"))


def batchnorm_ui(s: BlocksState) -> None:
    st.markdown(t("blk_bn_intro"))
    cols = st.columns([1, 1, 2], vertical_alignment="bottom")
    cols[0].number_input(t("blk_bn_seed"), 0, MAX_SEED, key="blk_bn_seed", on_change=_from_widget,
                         args=("bn_seed", "blk_bn_seed", int))
    cols[1].button(t("blk_bn_new"), key="blk_bn_new", on_click=_new_batch)
    cols[2].segmented_control(t("blk_bn_momentum"), list(MOMENTA), key="blk_momentum",
                              format_func=lambda m: t("blk_bn_cumulative") if m == "none" else m,
                              on_change=_from_widget, args=("momentum", "blk_momentum"))
    steps = batchnorm_steps(sample_batch(s.bn_seed), momentum=momentum_value(s.momentum))
    n, c, h, w = steps.x.shape
    st.caption(t("blk_bn_shape", n=n, c=c, h=h, w=w, count=steps.count, eps=f"{steps.eps:g}"))
    channels = st.columns(c, gap="large")
    for i, col in enumerate(channels):
        with col, st.container(border=True, key=f"blk_bn_c{i}"):
            _bn_channel_ui(steps, i)
    st.success(t("blk_bn_torch", diff=f"{batchnorm_torch(steps):.1e}"))


# ---------------------------------------------------------------------------------------------
# Activation functions


def _function_label(name: str) -> str:
    return {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU", "silu": "SiLU",
            "softmax": t("blk_act_softmax")}[name]


def activations_ui(s: BlocksState) -> None:
    st.markdown(t("blk_act_intro"))
    values = {_function_label(n): value(n, X_RANGE) for n in FUNCTIONS}
    slopes = {_function_label(n): derivative(n, X_RANGE) for n in FUNCTIONS}
    gap = max(float(np.abs(derivative(n, X_RANGE) - closed_form(n, X_RANGE)).max()) for n in FUNCTIONS)
    cols = st.columns(2)
    cols[0].plotly_chart(lines_figure(X_RANGE, values, t("blk_act_values"), (-1.5, 3.0), FUNCTIONS), key="blk_act_f",
                         config=PLOT_CONFIG)
    cols[1].plotly_chart(lines_figure(X_RANGE, slopes, t("blk_act_slopes"), (-0.1, 1.2), FUNCTIONS), key="blk_act_d",
                         config=PLOT_CONFIG)
    st.caption(t("blk_act_check", gap=f"{gap:.1e}", n=len(X_RANGE)))
    _depth_ui(s)
    _softmax_ui()


def _depth_ui(s: BlocksState) -> None:
    st.markdown(t("blk_depth_intro"))
    st.slider(t("blk_depth"), 1, MAX_DEPTH, key="blk_depth", on_change=_from_widget, args=("depth", "blk_depth", int))
    depth = current().depth
    grads = {_function_label(n): chain_gradient(n, depth)[0] for n in ELEMENTWISE}
    bound = 0.25 ** np.arange(1, depth + 1)
    st.plotly_chart(depth_figure(grads, bound, t("blk_depth_bound"), t("blk_depth_x"), t("blk_depth_y"), ELEMENTWISE),
                    key="blk_depth_chart", config=PLOT_CONFIG)
    rows = [{t("blk_act_col_f"): _function_label(n), t("blk_act_col_max"): f"{max_derivative(n):.4f}",
             t("blk_act_col_bound", L=depth): f"{max_derivative(n) ** depth:.3g}",
             t("blk_act_col_chain", L=depth): f"{grads[_function_label(n)][-1]:.3g}"} for n in ELEMENTWISE]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="blk_depth_table")
    st.markdown(t("blk_depth_sigmoid", L=depth, bound=f"{0.25 ** depth:.3g}"))
    st.caption(t("blk_depth_relu"))


def _softmax_ui() -> None:
    auto, closed = softmax_jacobian(SOFTMAX_AT)
    z = ", ".join(_num(v) for v in SOFTMAX_AT)
    st.markdown(t("blk_softmax_jacobian", z=z))
    st.dataframe(pd.DataFrame(auto, columns=[f"∂/∂z{j}" for j in range(3)], index=[f"p{i}" for i in range(3)])
                 .map(_num), key="blk_softmax_table")
    st.caption(t("blk_softmax_check", gap=f"{float(np.abs(auto - closed).max()):.1e}"))
