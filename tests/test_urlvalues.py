"""The one parser of link values: ASCII digits, bounded length and range, nothing Python's int()
and float() would also take."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnviz.urlvalues import MAX_CHARS, UrlValueError, parse_bool, parse_choice, parse_float, parse_int

# Each of these is accepted by str.isdigit, int() or float(), and none may come from a link.
HOSTILE = ["²", "١٢", "1_000", " 3", "3 ", "+3", "-0", "0x10", "nan", "inf", "1e999", "9" * 4301, "",
           "３", "1\n", "1.5.2", "e5", "٣.٥"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_values_are_refused_everywhere(text: str) -> None:
    for parse in (lambda v: parse_int(v, 0, 10**9), lambda v: parse_float(v, 0, 1e300), parse_bool,
                  lambda v: parse_choice(v, (1, 2, 3, 0.5, "adam"))):
        with pytest.raises(UrlValueError):
            parse(text)


def test_ordinary_values() -> None:
    assert parse_int("0", 0, 4) == 0 and parse_int("12", 3, 12) == 12
    assert parse_float("0.003", 0, 1) == 0.003 and parse_float(".5", 0, 1) == 0.5
    assert parse_float("1e-05", 0, 1) == 1e-5 and parse_float("3", 0.1, 3) == 3.0
    assert parse_bool("1") is True and parse_bool("0") is False
    assert parse_choice("128", (32, 64, 128)) == 128 and parse_choice("adam", ("sgd", "adam")) == "adam"
    assert parse_choice("0.0030", (0.001, 0.003)) == 0.003


@pytest.mark.parametrize("call", [lambda: parse_int("13", 3, 12), lambda: parse_int("2", 3, 12),
                                  lambda: parse_float("3.01", 0.1, 3), lambda: parse_choice("48", (32, 64)),
                                  lambda: parse_bool("true"), lambda: parse_int(None, 0, 1),
                                  lambda: parse_int("1" * (MAX_CHARS + 1), 0, 10**30)])
def test_out_of_range_or_malformed(call) -> None:
    with pytest.raises(UrlValueError):
        call()


@given(st.text(max_size=40))
def test_any_text_either_parses_to_an_ascii_number_or_is_refused(text: str) -> None:
    try:
        value = parse_int(text, 0, 10**9)
    except UrlValueError:
        assert not (text.isascii() and text.isdigit() and len(text) <= 9)
    else:
        assert text.isascii() and str(value) == text.lstrip("0").rjust(1, "0")
    try:
        number = parse_float(text, 0, 1e9)
    except UrlValueError:
        return
    assert text.isascii() and 0 <= number <= 1e9 and number == float(text)
