"""The one parser of single values from a link (``?stride=2&lr=0.003&flip=1``).

Python's ``int``/``float`` accept far more than a link should carry: "²" passes ``str.isdigit``
but not ``int``, ``int("١٢")`` is 12, ``float("1_0")`` is 10.0, "nan" and "inf" are floats, and a
4,301-digit number raises. Here a value is ASCII digits (with an optional decimal part and
exponent for floats), bounded in length and range; anything else raises ``UrlValueError``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

__all__ = ["MAX_CHARS", "UrlValueError", "parse_bool", "parse_choice", "parse_float", "parse_int"]

MAX_CHARS = 24
_INT = re.compile(r"[0-9]{1,9}")  # non-negative, up to 999,999,999: every count the app takes
_FLOAT = re.compile(r"[0-9]{1,9}(\.[0-9]{0,9})?([eE][+-]?[0-9]{1,2})?|\.[0-9]{1,9}([eE][+-]?[0-9]{1,2})?")


class UrlValueError(ValueError):
    """A link's value that is not of the expected form or outside its range."""


def _text(text: object) -> str:
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        raise UrlValueError(repr(text)[:MAX_CHARS])
    return text


def parse_int(text: object, low: int, high: int) -> int:
    """A whole number written in ASCII digits, low <= value <= high."""
    value = _text(text)
    if not _INT.fullmatch(value) or not low <= int(value) <= high:
        raise UrlValueError(value)
    return int(value)


def parse_float(text: object, low: float, high: float) -> float:
    """A non-negative decimal number ("0.5", "3", ".25", "1e-05"), low <= value <= high."""
    value = _text(text)
    if not _FLOAT.fullmatch(value):
        raise UrlValueError(value)
    number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        raise UrlValueError(value)
    return number


def parse_bool(text: object) -> bool:
    """"1" is on, "0" is off."""
    value = _text(text)
    if value not in ("0", "1"):
        raise UrlValueError(value)
    return value == "1"


def parse_choice(text: object, choices: Sequence[object]) -> object:
    """The choice whose text form ("adam", "128", "0.003") the link names exactly, or whose number
    equals the link's number ("0.0030" is 0.003)."""
    value = _text(text)
    for choice in choices:
        if str(choice) == value:
            return choice
    numbers = [c for c in choices if isinstance(c, (int, float)) and not isinstance(c, bool)]
    if numbers and _FLOAT.fullmatch(value):
        for choice in numbers:
            if float(value) == choice:
                return choice
    raise UrlValueError(value)
