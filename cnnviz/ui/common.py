"""What every page shares: the navigation, page config, the translated menu, the language switch
and the compute-device line.

app.py is the entry of every page (``run_app``): ``navigate()`` picks the page among the pages/
scripts with ``st.navigation``, ``page_setup()`` draws the shared frame, the page runs, and
``page_end()`` closes it. A page script ends with ``show_page(page_ui)``. The built-in menu is
hidden; translated links are drawn here instead.
"""

from __future__ import annotations

import logging
import functools
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path

import pandas  # noqa: F401  (imported before any page draws: see below)
import streamlit as st

from cnnviz.text import untrusted
from cnnviz.device import configure_threads
from cnnviz.errors import CnnvizError
from cnnviz.heap import freeze_imports
from cnnviz.ui.i18n import LANG_KEY, LANGUAGES, current_language, pin_language, t
from cnnviz.ui.names import device_name

__all__ = ["NAV", "error_text", "fragment", "navigate", "page_end", "page_script", "page_setup", "run_app", "show_error",
           "show_messages", "show_page", "sync_language_to_url", "whole_run"]

LOG = logging.getLogger("cnnviz.ui")
# pandas is imported above, with the first module app.py imports, so that no page imports it for
# the first time while another session's thread draws: Plotly's JSON writer reads pandas.Series
# from sys.modules without importing it, and a module still being imported by another thread has
# no Series yet (a figure failed that way beside a session's first table on a fresh server).
ICON = Path(__file__).with_name("icon.png")
# Presenter view: every rem-sized text larger, read from the back of a room at 1920x1080.
PRESENTER_CSS = "html { font-size: 22px; } [data-testid='stSidebar'] { min-width: 260px; max-width: 300px; }"

_LANG_WIDGET = "lang_switch"
# (script, catalog key of its title, icon), in menu order; the first is the home page, served at "/".
# Each page's URL path is its file name: /convolution, /filters, ...
NAV = [("pages/home.py", "nav_home", ":material/home:"), ("pages/convolution.py", "nav_conv", ":material/grid_on:"),
       ("pages/filters.py", "nav_filters", ":material/filter:"),
       ("pages/train.py", "nav_train", ":material/model_training:"),
       ("pages/inspect.py", "nav_inspect", ":material/layers:"),
       ("pages/attributions.py", "nav_attr", ":material/visibility:"),
       ("pages/architectures.py", "nav_arch", ":material/account_tree:"),
       ("pages/blocks.py", "nav_blocks", ":material/widgets:")]
# Set while app.py runs a page: a page script run without it was started by Streamlit alone. One
# value per script thread (a new thread starts without it), so sessions never see each other's.
_IN_APP: ContextVar[bool] = ContextVar("cnnviz_in_app", default=False)


def _language_from_url() -> None:
    """The ``lang`` URL parameter wins once per session; a bad value is ignored (and reported)."""
    wanted = st.query_params.get("lang")
    if wanted is None or st.session_state.get("_lang_url_read") == wanted:
        return
    st.session_state["_lang_url_read"] = wanted
    if wanted in LANGUAGES:
        st.session_state[LANG_KEY] = wanted
        st.session_state[_LANG_WIDGET] = wanted
    else:
        st.session_state["_lang_url_bad"] = wanted[:20]


def _on_language_change() -> None:
    choice = st.session_state.get(_LANG_WIDGET)
    if choice in LANGUAGES:
        st.session_state[LANG_KEY] = choice
    else:  # a segmented control can be cleared; keep the language we had
        st.session_state[_LANG_WIDGET] = current_language()


def sync_language_to_url() -> None:
    lang = current_language()
    st.query_params["lang"] = lang
    st.session_state["_lang_url_read"] = lang  # our own write is not a new request from the URL


@st.cache_resource(show_spinner=False)
def _threads_configured() -> int:
    return configure_threads()  # once per server process: one thread per click (CNNVIZ_TORCH_THREADS overrides)


def page_script(page: str) -> str:
    """The script of a page named by another server or an older one (a class's stored page):
    a page of NAV as it is, anything else (the home page was app.py once) the home page."""
    return page if any(page == script for script, _, _ in NAV) else NAV[0][0]


def _pages() -> list[st.Page]:
    # No icon here: a page's ":material/...:" icon would become the browser tab's icon, which every
    # browser fetches from Google; the menu below draws the icons itself.
    return [st.Page(script, title=t(key), icon="", url_path=Path(script).stem, default=i == 0)
            for i, (script, key, _) in enumerate(NAV)]


def navigate() -> tuple[st.Page, str]:
    """The page to run (from the URL or a link) and its NAV script; the first call of app.py."""
    _language_from_url()  # the page titles are in the visitor's language
    pages = _pages()
    page = st.navigation(pages, position="hidden")
    return page, NAV[[p is page for p in pages].index(True)][0]


def run_app() -> None:
    """What app.py does on every run: pick the page, draw the shared frame, run the page, close it."""
    pin_language(False)  # the sidebar switch or a link may have changed it since the last run
    page, script = navigate()
    page_setup(script)
    token = _IN_APP.set(True)
    try:
        page.run()
    finally:
        _IN_APP.reset(token)
    page_end()


def whole_run() -> bool:
    """This run is the page's whole run (app.py's), not a fragment's rerun alone."""
    return _IN_APP.get()


def fragment(body: Callable[..., None] | None = None, *, run_every: float | None = None) -> Callable:
    """``st.fragment`` for the app's fragments: each run pins the session's language first
    (i18n.pin_language), as a whole run does once its sidebar has settled it. Every click a
    fragment answers starts a new script thread, which starts unpinned."""
    def wrap(func: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(func)
        def pinned(*args: object, **kwargs: object) -> None:
            pin_language(True)
            return func(*args, **kwargs)
        return st.fragment(pinned, run_every=run_every)
    return wrap if body is None else wrap(body)


def show_page(page_ui: Callable[[], None]) -> None:
    """The last line of every page script: draw the page with ``page_ui`` inside app.py.

    Until some session of the server process has called ``st.navigation``, Streamlit treats the
    pages/ folder next to app.py as its legacy page list and runs a deep-linked page's script
    without app.py (the first request of a fresh server; in AppTest, every run). Then this script
    runs app.py's work itself, which registers the navigation (ending that mode for the process)
    and runs this page inside the frame, in the same run: a click that started it is kept.
    """
    if not _IN_APP.get():
        run_app()
        return
    freeze_imports()  # the page's modules are imported by now: the collector stops walking them
    page_ui()


def page_setup(script: str) -> None:
    """Page config, language (URL, then sidebar switch) and the sidebar of the page ``script``."""
    key = next(key for s, key, _ in NAV if s == script)
    # A file of ours, served by the app: a ":material/...:" icon makes every browser fetch it from Google.
    st.set_page_config(page_title=f"{t(key)} · cnnviz", page_icon=str(ICON), layout="wide")
    st.session_state.setdefault(_LANG_WIDGET, current_language())
    with st.sidebar:
        for nav_script, nav_key, icon in NAV:
            st.page_link(nav_script, label=t(nav_key), icon=icon)
        st.divider()
        st.segmented_control(t("language"), options=list(LANGUAGES), format_func=LANGUAGES.get,
                             key=_LANG_WIDGET, on_change=_on_language_change)
        _threads_configured()
        st.caption(t("device_line", device=device_name()))
        from cnnviz.ui import classroom_ui  # it uses this module's helpers

        classroom_ui.class_ui(script)
    # One container, always there: what appears in it (the presenter view's style, a question)
    # never moves the page's own elements, whose widgets would otherwise lose their state.
    with st.container(key="cls_top"):
        if classroom_ui.presenter_view():
            st.html(f"<style>{PRESENTER_CSS}</style>")
        classroom_ui.question_ui()
    bad = st.session_state.pop("_lang_url_bad", None)
    if bad is not None:
        st.warning(t("warn_url_lang", value=untrusted(bad, 20)))
    sync_language_to_url()
    pin_language(True)  # settled for this run: t() stops reading the session state


def page_end() -> None:
    """The last call of app.py, after the page: what a presenting teacher shows becomes the class's view."""
    from cnnviz.ui import classroom_ui

    classroom_ui.page_end()


def show_messages(messages: list[tuple[str, dict[str, object]]], kind: str = "warning") -> None:
    """Show translatable (key, args) messages; args may name a nested message key as 'reason_key'."""
    for key, args in messages:
        args = dict(args)
        if "reason_key" in args:
            args["reason"] = t(str(args.pop("reason_key")), **args)
        getattr(st, kind)(t(key, **args))


def error_text(exc: BaseException) -> str:
    """What to tell a person about ``exc``: a library error's own translated message; for anything
    else a plain sentence, with the details (which can hold server paths) only in the server log."""
    if isinstance(exc, CnnvizError):
        return t(exc.key, **exc.args_)
    LOG.error("error shown to a visitor without its details", exc_info=exc)
    if isinstance(exc, MemoryError) or "out of memory" in str(exc).lower():
        return t("err_out_of_memory")
    if isinstance(exc, OSError):
        return t("err_storage")
    return t("err_unexpected", kind=type(exc).__name__)


def show_error(exc: BaseException, wrapper: str | None = None) -> None:
    """Show ``exc`` as an error box, inside the catalog message ``wrapper`` ("...: {reason}") if given."""
    text = error_text(exc)
    st.error(t(wrapper, reason=text) if wrapper else text)
