"""The one translation helper: every UI string goes through ``t(key, **args)``.

The texts live in TOML files read by ``cnnviz.ui.catalog``; the language is kept in session state under
``LANG_KEY`` (set from the ``lang`` URL parameter and the sidebar switch). Once a run has settled the
language, ``pin_language`` keeps it for the rest of the script thread's runs (a fragment's reruns
included): ``t`` is called hundreds of times a click, and each read of ``st.session_state`` goes
through a lock and several proxies (a sixteenth of a Filters click's work).
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache

import streamlit as st
from babel import Locale

from cnnviz.text import fill, localize_number
from cnnviz.ui.catalog import CATALOGS

__all__ = ["LANGUAGES", "LANG_KEY", "current_language", "num", "pin_language", "t", "translate"]

LANGUAGES = {"en": "English", "vi": "Tiếng Việt"}
LANG_KEY = "lang"
DEFAULT_LANGUAGE = "en"
# One value per script thread: a session's runs share their thread, a new thread starts unpinned.
_PINNED: ContextVar[str | None] = ContextVar("cnnviz_language", default=None)


def _plural_form(lang: str, count: object) -> str:
    """CLDR's plural category of ``count`` in ``lang`` ('one', 'other', ...), as Babel knows it."""
    if isinstance(count, bool) or not isinstance(count, (int, float)):
        return "other"
    return _locale(lang).plural_form(count)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def translate(lang: str, key: str, **args: object) -> str:
    """The text of ``key`` in ``lang`` with ``args`` filled in; falls back to English, then to the key.

    A text with plural forms takes the form for the argument ``n``."""
    entry = CATALOGS.get(lang, {}).get(key) or CATALOGS[DEFAULT_LANGUAGE].get(key) or key
    text = entry if isinstance(entry, str) else entry.get(_plural_form(lang, args.get("n"))) or entry["other"]
    if not args:
        return text
    try:
        return fill(text, args, lang)  # untrusted values escaped for Markdown, numbers localized
    except (KeyError, IndexError, ValueError):
        return text  # a catalog entry and its call site disagree: show the text rather than fail


def current_language() -> str:
    pinned = _PINNED.get()
    if pinned is not None:
        return pinned
    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def pin_language(pinned: bool) -> None:
    """``True``: the session's language now is the language of everything this script thread
    draws until it is unpinned (app.py unpins at the start of every whole run, before the sidebar
    switch or a link may change it, and pins once they have). ``False``: read it from the session."""
    _PINNED.set(None)
    if pinned:
        _PINNED.set(current_language())


def t(key: str, **args: object) -> str:
    """Translate ``key`` into the session's language."""
    return translate(current_language(), key, **args)


def num(value: float, spec: str = ",") -> str:
    """A number written the reader's way, for texts that do not pass through ``t`` (metrics, table
    cells): 61,706 in English, 61.706 in Vietnamese. Never pass its result to ``t``: there numbers
    are localized already."""
    return localize_number(format(value, spec), current_language())
