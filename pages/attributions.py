"""Placeholder: replaced by the real page."""

import streamlit as st

from cnnviz.ui.common import page_setup

page_setup("nav_attr")
st.title("…")
