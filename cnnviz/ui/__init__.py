"""The only Streamlit code of cnnviz: widgets (``*_ui`` functions), state keys and translations."""
