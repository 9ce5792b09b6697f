"""Building blocks: downsampling, a 1x1-convolution head, BatchNorm, activation functions and data
augmentation, each computed and checked against PyTorch."""

import streamlit as st

from cnnviz.ui import blocks_page as page
from cnnviz.ui.augment_ui import augment_ui
from cnnviz.ui.common import show_page
from cnnviz.ui.i18n import t


def page_ui() -> None:
    page.load()
    st.title(t("blk_title"))
    st.caption(t("blk_intro"))
    section = page.section_ui()
    state = page.current()
    if section == "downsample":
        page.downsample_ui(state)
    elif section == "head":
        page.head_ui(state)
    elif section == "batchnorm":
        page.batchnorm_ui(state)
    elif section == "activations":
        page.activations_ui(state)
    else:
        augment_ui(state)
    page.save_url(page.current())


show_page(page_ui)
