"""Home: what each page teaches, the compute device, and the language switch (in the sidebar)."""

import streamlit as st

from cnnviz.ui.common import page_setup
from cnnviz.ui.home import device_ui, pages_ui
from cnnviz.ui.i18n import t

page_setup("nav_home")
st.title(t("home_title"))
st.markdown(t("home_intro"))
pages_ui()
device_ui()
