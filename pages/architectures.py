"""Architectures: LeNet-5, AlexNet, VGG-16, GoogLeNet and ResNet-18 walked layer by layer, and a
shipped model's confusion matrix."""

import streamlit as st

from cnnviz.ui import architectures_page as page
from cnnviz.ui.confusion_ui import confusion_ui
from cnnviz.ui.inception_ui import inception_ui
from cnnviz.ui.common import show_page
from cnnviz.ui.i18n import t


def page_ui() -> None:
    page.load()
    st.title(t("arch_title"))
    st.caption(t("arch_intro"))
    state = page.picker_ui()
    page.links_ui(state)
    page.idea_ui(state)
    page.totals_ui(state)
    page.walk_ui(state)
    formulas, course = st.columns([1.3, 1], gap="large")
    with formulas:
        page.layer_ui(state)
    with course:
        page.special_ui(state)
    if state.arch == "googlenet":
        inception_ui(state)
    st.divider()
    confusion_ui(page.current())
    page.save_url(page.current())


show_page(page_ui)
