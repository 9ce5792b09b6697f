"""cnnviz entry point: every page of the app runs inside this script.

On each run it picks the page (``st.navigation`` over the scripts in pages/, each at its own URL:
/convolution, /filters, ...), draws what all pages share (page config, language, the sidebar with
the translated menu and the class), runs the page, then records what a presenting teacher shows.
"""

from cnnviz.ui.common import run_app

run_app()
