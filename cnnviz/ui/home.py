"""Widgets of the home page: one card per page saying what it teaches, and the device in use."""

from __future__ import annotations

import streamlit as st
import torch

from cnnviz.ui.i18n import t
from cnnviz.ui.names import device_name

__all__ = ["device_ui", "pages_ui"]

# (page file, icon, catalog key prefix); the text of each card is "<prefix>_title" / "<prefix>_teaches".
PAGES = [("pages/convolution.py", ":material/grid_on:", "card_conv"),
         ("pages/filters.py", ":material/filter:", "card_filters"),
         ("pages/train.py", ":material/model_training:", "card_train"),
         ("pages/inspect.py", ":material/layers:", "card_inspect"),
         ("pages/attributions.py", ":material/visibility:", "card_attr"),
         ("pages/architectures.py", ":material/account_tree:", "card_arch"),
         ("pages/blocks.py", ":material/widgets:", "card_blocks")]


def pages_ui() -> None:
    for path, icon, prefix in PAGES:
        with st.container(border=True):
            st.page_link(path, label=t(f"{prefix}_title"), icon=icon)
            st.markdown(t(f"{prefix}_teaches"))


def device_ui() -> None:
    st.subheader(t("device_header"))
    st.markdown(t("device_text", device=device_name(), torch=torch.__version__))
