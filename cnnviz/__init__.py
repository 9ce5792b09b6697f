"""cnnviz: the library behind the app. Convolution arithmetic, images, models and plots.

Nothing here imports Streamlit except the ``cnnviz.ui`` package.
"""
