"""cnnviz home page and entry point: what each page teaches and the compute device.

Pages live in pages/ and share the sidebar (language switch, navigation) through page_setup().
"""

import streamlit as st

from cnnviz.ui.common import page_end, page_setup
from cnnviz.ui.classroom_ui import home_class_ui
from cnnviz.ui.home import device_ui, pages_ui
from cnnviz.ui.i18n import t

page_setup("nav_home")
st.title(t("home_title"))
st.markdown(t("home_intro"))
home_class_ui()
pages_ui()
device_ui()
page_end()
