"""Filters: classic edge filters (OpenCV) on a sample photo, a test pattern or an upload; then the
filters a CNN learned on the same picture, and the hand-crafted first layer experiment."""

import streamlit as st

from cnnviz.ui.common import page_end, page_setup
from cnnviz.ui.filters_page import controls_ui, filters_ui, image_ui, picture_ui
from cnnviz.ui.i18n import t
from cnnviz.ui.learned_page import experiment_ui, learned_ui

page_setup("nav_filters")
st.title(t("flt_title"))
st.caption(t("flt_intro"))
inputs, results = st.columns([1, 2], gap="medium")
with inputs:
    img = image_ui()
    names, sigma = controls_ui()
    if img is not None:
        picture_ui(img)
with results:
    if img is not None:
        filters_ui(img, names, sigma)
learned_ui(img, sigma)
experiment_ui()
page_end()
