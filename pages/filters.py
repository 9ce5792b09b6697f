"""Filters: classic edge filters (OpenCV) on a sample photo, a test pattern or an upload; then the
filters a CNN learned on the same picture, and the hand-crafted first layer experiment."""

import streamlit as st

from cnnviz.ui.common import show_page
from cnnviz.ui.filters_page import classic_ui
from cnnviz.ui.i18n import t
from cnnviz.ui.learned_page import experiment_ui, learned_ui


def page_ui() -> None:
    st.title(t("flt_title"))
    st.caption(t("flt_intro"))
    img, sigma = classic_ui()  # a fragment: choosing filters reruns only the grid
    learned_ui(img, sigma)
    experiment_ui()


show_page(page_ui)
