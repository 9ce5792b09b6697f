"""Convolution lab: step a kernel across an input and see every product, sum and output cell."""

import streamlit as st

from cnnviz.convlab import problem
from cnnviz.ui import conv_lab as lab
from cnnviz.ui.common import show_messages, show_page
from cnnviz.ui.i18n import t


def page_ui() -> None:
    state = lab.load()
    st.title(t("conv_title"))
    lab.intro_ui()

    controls, view = st.columns([1, 2.2], gap="large")
    with controls:
        lab.settings_ui()
        lab.input_ui()
        if lab.uses_kernel():
            lab.kernel_ui()

    state = lab.current()
    with view:
        trouble = problem(state)
        if trouble:
            show_messages([trouble], kind="error")
        else:
            st.session_state[lab.IN_PAGE] = True
            lab.stepping_ui()
            st.session_state[lab.IN_PAGE] = False
            lab.questions_ui(state)
        lab.formula_ui(state)
        if state.view != "pool":
            lab.layer_ui(state)
    lab.save_url(state)


show_page(page_ui)
