"""Filters: classic edge filters (OpenCV) on a sample photo, a test pattern or an upload."""

import streamlit as st

from cnnviz.ui.common import page_setup
from cnnviz.ui.filters_page import controls_ui, filters_ui, image_ui
from cnnviz.ui.i18n import t

page_setup("nav_filters")
st.title(t("flt_title"))
st.caption(t("flt_intro"))
source, choice = st.columns([1, 2], gap="large")
with source:
    img = image_ui()
with choice:
    names, sigma = controls_ui()
if img is not None:
    filters_ui(img, names, sigma)
