"""Attributions: which pixels, or which units of a layer, made the model choose a class."""

import streamlit as st

from cnnviz.ui.attributions_page import controls_ui, gradcam_row_ui, results_ui, sanity_ui
from cnnviz.ui.common import page_end, page_setup
from cnnviz.ui.i18n import t
from cnnviz.ui.image_source import inputs_ui

page_setup("nav_attr")
st.title(t("attr_title"))
st.caption(t("attr_intro"))
inputs, choices = st.columns([1, 1], gap="large")
with inputs:
    picked, source, prepared = inputs_ui("attr_")
with choices:
    chosen = controls_ui(picked, prepared) if picked and prepared else None
if chosen:
    target, layer, methods, params, opacity, sanity = chosen
    results = results_ui(picked, prepared, target, layer, methods, params, opacity)
    gradcam_row_ui(picked, prepared, target, opacity)
    if sanity:
        sanity_ui(picked, prepared, target, layer, methods, params, opacity, results)
page_end()
