"""Convolution lab: step a kernel across an input and see every product, sum and output cell."""

import streamlit as st

from cnnviz.convlab import problem
from cnnviz.ui import conv_lab as lab
from cnnviz.ui.common import page_end, page_setup, show_messages
from cnnviz.ui.i18n import t


def the_lab() -> None:
    """What the chosen operation does; settings, input and kernel on the left; step view, output maps,
    formula and layer on the right."""
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
            lab.stepping_ui()
            lab.questions_ui(state)
        lab.formula_ui(state)
        if state.view != "pool":
            lab.layer_ui(state)
    lab.save_url(state)


page_setup("nav_conv")
lab.load()
st.title(t("conv_title"))
lab.run_lab(the_lab)  # a changed setting reruns the lab, not the whole page
page_end()
