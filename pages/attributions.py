"""Attributions: which pixels, or which units of a layer, made the model choose a class."""

import streamlit as st

from cnnviz.ui.attributions_page import controls_ui, gradcam_row_ui, results_ui, sanity_ui
from cnnviz.ui.common import show_page
from cnnviz.ui.fit_warning import map_note, reasons_for
from cnnviz.ui.i18n import t
from cnnviz.ui.image_source import inputs_ui


def page_ui() -> None:
    st.title(t("attr_title"))
    st.caption(t("attr_intro"))
    inputs, answer = st.columns([1, 1.4], gap="large")
    with inputs:
        picked, source, prepared = inputs_ui("attr_")
        reasons = reasons_for(picked, source) if picked and prepared else []
        chosen = controls_ui(picked, prepared, map_note(reasons)) if picked and prepared else None
    if chosen:
        target, layer, methods, params, opacity, sanity = chosen
        with answer:
            results = results_ui(picked, prepared, target, layer, methods, params, opacity, reasons)
        gradcam_row_ui(picked, prepared, target, opacity, map_note(reasons))
        if sanity:
            sanity_ui(picked, prepared, target, layer, methods, params, opacity, results, map_note(reasons))


show_page(page_ui)
