"""Text a person supplied (a link's value, a file name, a checkpoint's class names), made safe to
place inside the app's Markdown messages.

Streamlit renders messages, captions and labels as Markdown, so a link value such as
``x`![](//host/p.png)`` would otherwise close a code span and make every browser that opens the
link fetch an outside image. ``untrusted`` marks such text; the translation helper escapes marked
values for where their placeholder sits: inside a code span backticks are replaced (nothing
inside a code span is Markdown), elsewhere every ASCII punctuation mark is backslash-escaped, as
CommonMark allows. Numbers outside code spans are written in the language's own way (Babel's
decimal and group symbols: 61,706 and 0.36 in English are 61.706 and 0,36 in Vietnamese); inside a
code span they stay Python's. No Streamlit.
"""

from __future__ import annotations

import numbers
import re
import string
from functools import cache

from babel.numbers import get_decimal_symbol, get_group_symbol

__all__ = ["MAX_UNTRUSTED_CHARS", "Untrusted", "escape_code", "escape_markdown", "fill", "localize_number",
           "untrusted"]

MAX_UNTRUSTED_CHARS = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")  # newlines would end a Markdown block
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_PLACEHOLDER = re.compile(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")


class Untrusted(str):
    """A string that came from outside the app; see ``untrusted``."""


def untrusted(value: object, limit: int = MAX_UNTRUSTED_CHARS) -> Untrusted:
    """``value`` as text, control characters and line breaks turned into spaces, at most
    ``limit`` characters (an ellipsis marks a cut), marked for escaping."""
    text = _CONTROL.sub(" ", str(value))
    return Untrusted(text if len(text) <= limit else text[:limit - 1] + "…")


def escape_markdown(text: str) -> str:
    """Every ASCII punctuation mark backslash-escaped: the text renders literally."""
    return _PUNCTUATION.sub(r"\\\1", text)


def escape_code(text: str) -> str:
    """Text for the inside of a single-backtick code span: a backtick would end the span early."""
    return text.replace("`", "ʼ")


def _in_code_span(template: str, position: int) -> bool:
    """Whether ``position`` of ``template`` lies between an odd number of backticks."""
    return template.count("`", 0, position) % 2 == 1


@cache
def _symbols(lang: str) -> dict[int, str]:
    """How to turn Python's number text ("." decimal, "," group) into ``lang``'s, for str.translate."""
    return str.maketrans({".": get_decimal_symbol(lang), ",": get_group_symbol(lang)})


def localize_number(text: str, lang: str) -> str:
    """A number Python formatted ("61,706.5", "97.8%") written with ``lang``'s symbols."""
    return text if lang == "en" else text.translate(_symbols(lang))


class _Number:
    """A number that formats itself with a language's decimal and group symbols."""

    def __init__(self, value: numbers.Real | str, lang: str) -> None:
        self.value, self.lang = value, lang

    def __format__(self, spec: str) -> str:
        text = self.value if isinstance(self.value, str) else format(self.value, spec)
        return localize_number(text, self.lang)

    def __str__(self) -> str:
        return format(self, "")


_NUMBER_TEXT = re.compile(r"[+-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?(?:e[+-]?\d+)?%?|[+-]?\d*\.\d+(?:e[+-]?\d+)?%?")


def _is_number(value: object) -> bool:
    """A number, or our own text of one ("61,706", "97.8%", "1.2e-07"): a caller formatted it."""
    if isinstance(value, Untrusted):
        return False
    if isinstance(value, str):
        return _NUMBER_TEXT.fullmatch(value) is not None
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def fill(template: str, args: dict[str, object], lang: str = "en") -> str:
    """``template.format(**args)`` with every Untrusted argument escaped for its place, and numbers
    outside code spans written the way ``lang`` writes them."""
    places: dict[str, set[bool]] = {}  # for each name: in a code span, outside one, or both
    for match in _PLACEHOLDER.finditer(template):
        places.setdefault(match.group(1), set()).add(_in_code_span(template, match.start()))
    safe = dict(args)
    for name, value in args.items():
        if isinstance(value, Untrusted):
            where = places.get(name, {False})
            text = escape_markdown(value) if False in where else str(value)
            safe[name] = escape_code(text) if True in where else text
        elif lang != "en" and _is_number(value) and True not in places.get(name, {False}):
            safe[name] = _Number(value, lang)  # in a code span a number stays Python's
    return template.format(**safe)
