"""Train: small CNNs trained live (GPU when there is one), the recipe ladder, curves and filters."""

import streamlit as st

from cnnviz.ui.class_runs import class_runs_ui, draw_for_class_ui
from cnnviz.ui.common import show_page
from cnnviz.ui.i18n import t
from cnnviz.ui.train_page import settings_ui, start_ui
from cnnviz.ui.train_run import live_ui


def page_ui() -> None:
    st.title(t("tr_title"))
    st.caption(t("tr_intro"))
    setup, live = st.columns([1, 2], gap="large")
    with setup:
        settings = settings_ui()
        start_ui(settings)
    with live:
        live_ui(settings)
    class_runs_ui()
    draw_for_class_ui()


show_page(page_ui)
