"""Inspect: a model's layers, its prediction, and every feature map of every layer for one picture."""

import streamlit as st

from cnnviz.ui.common import show_page
from cnnviz.ui.i18n import t
from cnnviz.ui.image_source import inputs_ui
from cnnviz.ui.inspect_page import predictions_ui, table_ui, walk_ui


def page_ui() -> None:
    st.title(t("insp_title"))
    st.caption(t("insp_intro"))
    inputs, summary = st.columns([1, 1.25], gap="large")
    with inputs:
        picked, source, prepared = inputs_ui("insp_")
    with summary:
        if picked and prepared:
            predictions_ui(picked, prepared, source)
    if picked:
        table_ui(picked)  # the page's full width: all five columns fit, also zoomed to 150 %
    if picked and prepared:
        walk_ui(picked, prepared, source)  # a fragment: a new layer reruns only the walk


show_page(page_ui)
