"""Convolution lab: step a kernel across an input and see every product, sum and output cell."""

import streamlit as st

from cnnviz.conv.convlab import problem
from cnnviz.ui import conv_lab as lab
from cnnviz.ui.common import show_messages, show_page
from cnnviz.ui.i18n import t


def numbers_and_views(settings: st.delta_generator.DeltaGenerator, view: st.delta_generator.DeltaGenerator) -> None:
    """Stride, padding, dilation (or pooling) in ``settings``; step view, output maps, formula and layer in ``view``."""
    lab.follow_ui()  # a student following the teacher: the teacher's stride or padding, in this fragment
    with settings:
        lab.settings_ui()
    state = lab.current()
    with view.container():  # a container of the fragment's own: the stepping fragment nests inside it
        trouble = problem(state)
        if trouble:
            show_messages([trouble], kind="error")
            lab.save_url(state)  # the stepping views save it otherwise
        else:
            lab.stepping_ui()
            lab.questions_ui(state)
        lab.formula_ui(state)
        if state.view != "pool":
            lab.layer_ui(state)


def page_ui() -> None:
    lab.load()
    st.title(t("conv_title"))
    lab.intro_ui()
    controls, view = st.columns([1, 2.2], gap="large")
    with controls:
        lab.operation_ui()
        settings = st.container()
        lab.input_ui()
        if lab.uses_kernel():
            lab.kernel_ui()
    lab.run_lab(numbers_and_views, settings, view)  # a stride or padding change reruns only these


show_page(page_ui)
