"""Untrusted text inside Markdown templates: rendered by a CommonMark parser it is never markup and
always reads as the text that was given."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cnnviz.text import MAX_UNTRUSTED_CHARS, Untrusted, escape_markdown, fill, untrusted

PARSER = MarkdownIt("commonmark")
TEMPLATES = ["The link's value `{name}={value}` is not valid.", "The model says **{value}** ({p}).",
             "Language '{value}' is missing.", "{value}", "`{value}` and {value}"]


def _tokens(source: str) -> list[str]:
    return [t.type for block in PARSER.parse(source) for t in [block, *(block.children or [])]]


def _plain(source: str) -> str:
    rendered = PARSER.render(source)
    for tag in ("<p>", "</p>", "<code>", "</code>", "<strong>", "</strong>", "\n"):
        rendered = rendered.replace(tag, "")
    return html.unescape(rendered)


@given(st.text(max_size=MAX_UNTRUSTED_CHARS - 1) | st.lists(st.sampled_from(["`", "![](//e.vil/x)", "<img>", "[a](b)", "x", " "]),
                                                          max_size=8).map("".join))
def test_any_text_stays_literal_text_in_every_template(value: str) -> None:
    safe = untrusted(value)
    for template in TEMPLATES:
        source = fill(template, {"name": "x", "value": safe, "p": "5%"})
        assert not {"image", "link_open", "html_inline", "html_block"} & set(_tokens(source)), source


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40))
def test_escaped_text_reads_as_given(value: str) -> None:
    value = value.strip()  # CommonMark trims a paragraph's outer spaces
    rendered = _plain(fill("{value}", {"value": untrusted(value)}))
    assert " ".join(rendered.split()) == " ".join(value.split())


def test_code_spans_cannot_be_closed_and_plain_places_are_escaped() -> None:
    payload = untrusted("x`![](//e.vil/a.png)`")
    assert fill("`{v}`", {"v": payload}) == "`xʼ![](//e.vil/a.png)ʼ`"
    assert fill("**{v}**", {"v": payload}) == "**" + escape_markdown(str(payload)) + "**"
    twice = fill("`{v}` {v}", {"v": payload})  # used in both places: escaped for both
    assert twice.count("\\!") == 2 and twice.count("`") == 2
    assert fill("{v}", {"v": "![](//ours)"}) == "![](//ours)"  # our own text is left alone
    assert fill("{n:,}", {"n": 61706}) == "61,706"


def test_untrusted_removes_line_breaks_and_bounds_length() -> None:
    value = untrusted("a\nb\r\x00c" + "z" * 200)
    assert isinstance(value, Untrusted) and "\n" not in value and "\x00" not in value
    assert len(value) == MAX_UNTRUSTED_CHARS and value.endswith("…") and value.startswith("a b")


def test_numbers_are_written_the_way_the_language_writes_them() -> None:
    assert fill("{n:,} tham số", {"n": 61706}, "vi") == "61.706 tham số"
    assert fill("{n:,} parameters", {"n": 61706}, "en") == "61,706 parameters"
    assert fill("{p:.1%} · {lr}", {"p": 0.978, "lr": 0.003}, "vi") == "97,8% · 0,003"
    # a caller's own number text is localized too; anything else is left alone
    assert fill("{a} {b} {c}", {"a": "61,706", "b": "1.2e-07", "c": "2.14.1"}, "vi") == "61.706 1,2e-07 2.14.1"
    assert fill("{v}", {"v": untrusted("1.5")}, "vi") == "1\\.5"  # someone's text stays theirs
    assert fill("{v} {w}", {"v": True, "w": "cpu"}, "vi") == "True cpu"
    # inside a code span a number is Python's, so the line still runs when copied
    assert fill("`nn.Dropout({p})`", {"p": 0.5}, "vi") == "`nn.Dropout(0.5)`"
