"""Home: what each page teaches, the class (start, join or resume one) and the compute device."""

import streamlit as st

from cnnviz.ui.classroom_ui import home_class_ui
from cnnviz.ui.common import show_page
from cnnviz.ui.home import device_ui, pages_ui
from cnnviz.ui.i18n import t


def page_ui() -> None:
    st.title(t("home_title"))
    st.markdown(t("home_intro"))
    home_class_ui()
    pages_ui()
    device_ui()


show_page(page_ui)
