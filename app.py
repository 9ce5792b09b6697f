"""cnnviz: an interactive app that makes convolutional neural networks visible.

Entry point: the navigation between pages, nothing else.
"""

import streamlit as st

from cnnviz.ui.i18n import t

st.navigation([
    st.Page("pages/home.py", title=t("nav_home"), icon="🏠", default=True),
    st.Page("pages/convolution.py", title=t("nav_conv"), icon="🧮", url_path="convolution"),
]).run()
