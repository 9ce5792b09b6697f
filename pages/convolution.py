"""Convolution lab: step a kernel across an input and see every product, sum and output cell."""

import streamlit as st

from cnnviz.convlab import problem, trace_of
from cnnviz.ui import conv_lab as lab
from cnnviz.ui.common import page_end, page_setup, show_messages
from cnnviz.ui.i18n import t

page_setup("nav_conv")
state = lab.load()
st.title(t("conv_title"))
st.caption(t("conv_intro"))

controls, view = st.columns([1, 2.2], gap="large")
with controls:
    lab.settings_ui()
    lab.input_ui()
    if lab.current().view == "conv":
        lab.kernel_ui()

state = lab.current()
with view:
    trouble = problem(state)
    if trouble:
        show_messages([trouble], kind="error")
    else:
        trace = trace_of(state)
        lab.step_view_ui(state, trace)
        lab.output_ui(state, trace)
        lab.step_ui(state, trace)
    lab.formula_ui(state)
    if state.view == "conv":
        lab.layer_ui(state)
lab.save_url(state)
page_end()
