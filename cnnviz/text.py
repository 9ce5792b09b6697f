"""Text a person supplied (a link's value, a file name, a checkpoint's class names), made safe to
place inside the app's Markdown messages.

Streamlit renders messages, captions and labels as Markdown, so a link value such as
``x`![](//host/p.png)`` would otherwise close a code span and make every browser that opens the
link fetch an outside image. ``untrusted`` marks such text; the translation helper escapes marked
values for where their placeholder sits: inside a code span backticks are replaced (nothing
inside a code span is Markdown), elsewhere every ASCII punctuation mark is backslash-escaped, as
CommonMark allows. No Streamlit.
"""

from __future__ import annotations

import re
import string

__all__ = ["MAX_UNTRUSTED_CHARS", "Untrusted", "escape_code", "escape_markdown", "fill", "untrusted"]

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


def fill(template: str, args: dict[str, object]) -> str:
    """``template.format(**args)`` with every Untrusted argument escaped for its place."""
    places: dict[str, set[bool]] = {}  # for each name: in a code span, outside one, or both
    for match in _PLACEHOLDER.finditer(template):
        places.setdefault(match.group(1), set()).add(_in_code_span(template, match.start()))
    safe = dict(args)
    for name, value in args.items():
        if isinstance(value, Untrusted):
            where = places.get(name, {False})
            text = escape_markdown(value) if False in where else str(value)
            safe[name] = escape_code(text) if True in where else text
    return template.format(**safe)
