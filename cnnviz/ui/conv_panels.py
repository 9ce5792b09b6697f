"""The Convolution lab's read-only panels: the output-size formula with the user's numbers, and the
same layer in PyTorch with its parameter count beside grouped, separable and 1x1 variants."""

from __future__ import annotations

import streamlit as st

from cnnviz.conv.arithmetic import conv2d_code, output_size, param_count
from cnnviz.conv.convlab import (LabState, pool_source_shape, problem, same_with_stride, size_formula_latex,
                            transpose_formula_latex, transpose_sizes)
from cnnviz.conv.transposed import conv_transpose2d_code
from cnnviz.ui.i18n import num, t

__all__ = ["formula_ui", "layer_ui"]


def formula_ui(s: LabState) -> None:
    """The output-size formula with the user's numbers, and what a misfit stride leaves out."""
    impossible = same_with_stride(s) if s.view == "conv" else problem(s) is not None
    if impossible:
        return  # no formula for an impossible setting (no heading either); problem() already says why
    st.subheader(t("formula_header"))
    if s.view == "transpose":
        rows, cols = transpose_sizes(s)
        axes = [("H_{out} = W_{out}", rows)] if rows == cols else [("H_{out}", rows), ("W_{out}", cols)]
        for symbol, o in axes:
            st.latex(transpose_formula_latex(o, symbol))
        return
    if s.view == "pool":
        h, w = pool_source_shape(s)  # the input, or the convolution's output size
        rows = output_size(h, s.pool_size, s.pool_stride)
        cols = output_size(w, s.pool_size, s.pool_stride)
    else:
        rows = output_size(s.x.shape[1], s.k, s.stride, s.padding, s.dilation)
        cols = output_size(s.x.shape[2], s.k, s.stride, s.padding, s.dilation)
    if rows == cols:  # square: one formula serves both axes
        axes = [("H_{out} = W_{out}", rows, "rows_cols_word")]
    else:
        axes = [("H_{out}", rows, "rows_word"), ("W_{out}", cols, "cols_word")]
    for symbol, o, word in axes:
        st.latex(size_formula_latex(o, symbol))
        if o.valid and not o.fits:
            st.info(t("stride_misfit", exact=f"{float(o.exact):.2f}", n=o.size, stride=o.stride))
        missed = o.uncovered() if o.valid else []
        if missed:
            st.warning(t("uncovered", what=t(word), idx=", ".join(map(str, missed))))


def layer_ui(s: LabState) -> None:
    """Parameter count (beside full, grouped, depthwise and 1x1 versions) and the matching PyTorch line."""
    if s.view == "transpose":
        _transpose_layer_ui(s)
        return
    if s.c_in % s.groups or s.c_out % s.groups or same_with_stride(s):
        return  # no such layer (PyTorch refuses it too); problem() already says why
    st.subheader(t("layer_header"))
    bias = s.bias is not None
    n = param_count(s.c_in, s.c_out, s.k, bias, s.groups)
    per = f"{s.c_in}/{s.groups}" if s.groups > 1 else f"{s.c_in}"
    formula = (f"C_out·(K·K·C_in/g + 1) = {s.c_out}·({s.k}·{s.k}·{per} + 1) = {n}" if bias
               else f"C_out·K·K·C_in/g = {s.c_out}·{s.k}·{s.k}·{per} = {n}")
    # one markdown with its table: a st.table was a fifth of a stride click's work
    st.markdown(t("param_count", formula=formula) + "\n\n" + _param_table(s, bias))
    if s.k == 1:
        st.info(t("one_by_one_note", c_in=s.c_in, c_out=s.c_out))
    st.code(conv2d_code(s.c_in, s.c_out, s.k, s.stride, s.padding, s.dilation, bias, s.groups), language="python",
            wrap_lines=True)


def _transpose_layer_ui(s: LabState) -> None:
    st.subheader(t("layer_header"))
    bias = s.bias is not None
    n = param_count(s.c_in, s.c_out, s.k, bias)
    formula = (f"C_in·C_out·K·K + C_out = {s.c_in}·{s.c_out}·{s.k}·{s.k} + {s.c_out} = {n}" if bias
               else f"C_in·C_out·K·K = {s.c_in}·{s.c_out}·{s.k}·{s.k} = {n}")
    st.markdown(t("param_count", formula=formula))
    pad = 0 if s.padding == "valid" else s.padding
    if isinstance(pad, int):
        st.code(conv_transpose2d_code(s.c_in, s.c_out, s.k, s.stride, pad, s.output_padding, s.dilation, bias),
                language="python", wrap_lines=True)


def _param_table(s: LabState, bias: bool) -> str:
    """Parameters of this layer's variants for the same C_in, C_out and K, as a markdown table."""
    b = int(bias)
    depthwise = param_count(s.c_in, s.c_in, s.k, bias, s.c_in) + param_count(s.c_in, s.c_out, 1, bias)
    rows = [(t("pc_full"), param_count(s.c_in, s.c_out, s.k, bias)),
            *([(t("pc_grouped", g=s.groups), param_count(s.c_in, s.c_out, s.k, bias, s.groups))] if s.groups > 1
              else []),
            (t("pc_separable", k=s.k), depthwise),
            (t("pc_pointwise"), s.c_out * (s.c_in + b))]
    lines = [f"| {t('pc_layer')} | {t('pc_params')} |", "|:--|--:|", *(f"| {name} | {num(n)} |" for name, n in rows)]
    return "\n".join(lines)
