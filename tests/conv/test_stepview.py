"""Tests for ``cnnviz.conv.stepview``: the written-out arithmetic and the HTML step view.

The expressions are checked by re-evaluating their text, so a wrong product or sum fails even when
it is nicely formatted. The page is checked statically (offline, escaped, small) and, where
Debian's Chromium is installed, driven in a real browser: the script must show, for every step,
exactly the lines ``conv_expression`` writes.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from cnnviz.conv.arithmetic import ConvTrace, conv_trace, pool_trace
from cnnviz.conv.stepview import conv_expression, conv_step_html, format_number, pool_expression, pool_step_html

COURSE_IMAGE = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
COURSE_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
COURSE_OUTPUT = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
POOL_IMAGE = [[2, 2, 7, 3], [9, 4, 6, 1], [8, 5, 2, 4], [3, 1, 2, 6]]
LABELS = {"play": "Play", "pause": "Pause", "prev": "Back", "next": "Next", "first": "First", "last": "Last",
          "step": "Step", "of": "of", "input": "Input", "kernel": "Kernel", "output": "Output",
          "padding": "padding", "channel": "channel", "speed": "Speed"}
SIZE_BUDGET = 400_000


def course_trace() -> ConvTrace:
    return conv_trace(np.array([COURSE_IMAGE], float), np.array([[COURSE_KERNEL]], float))


def largest_trace(seed: int = 0) -> ConvTrace:
    """The largest settings the lab allows, with 4-decimal values (the longest numbers shown)."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(-1, 1, (3, 12, 12)), 4)
    w = np.round(rng.uniform(-1, 1, (4, 3, 7, 7)), 4)
    return conv_trace(x, w, bias=np.round(rng.uniform(-1, 1, 4), 4), padding=3)


def decimal_trace(seed: int, **settings: int) -> ConvTrace:
    """Two-decimal inputs and weights: every product and sum is exact at 4 decimals."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(-5, 5, (3, 6, 7)), 2)
    w = np.round(rng.uniform(-2, 2, (2, 3, 3, 3)), 2)
    return conv_trace(x, w, bias=np.round(rng.uniform(-3, 3, 2), 2), **settings)


def evaluate(side: str) -> float:
    """Value of 'a×b + (c)×(-d) + …' computed by Python, not by the module under test."""
    if not re.fullmatch(r"[0-9.()×+\- ]+", side):
        raise AssertionError(f"unexpected characters in {side!r}")
    return float(eval(side.replace("×", "*")))  # safe: only digits, signs and parentheses


def split_line(line: str) -> tuple[str, float]:
    """('left side', stated result) of an expression line, without any 'ch k:' prefix."""
    line = re.sub(r"^ch \d+: ", "", line)
    left, _, right = line.rpartition(" = ")
    return left, float(right)


def svdata(page_html: str) -> dict:
    match = re.search(r'<script type="application/json" id="svdata">(.*?)</script>', page_html, re.S)
    assert match, "embedded data missing"
    return json.loads(match.group(1))


# --- format_number ---------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "text"), [
    (4, "4"), (4.0, "4"), (-3, "-3"), (0.0, "0"), (-0.0, "0"), (-0.00001, "0"), (4.25, "4.25"),
    (1 / 3, "0.3333"), (-1.5, "-1.5"), (-2 / 3, "-0.6667"), (0.1 + 0.2, "0.3"), (2.00000001, "2"),
    (1234567.0, "1234567"), (np.float64(2.5), "2.5"), (np.int64(-7), "-7"), (0.00005, "0.0001"),
])
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


# --- conv_expression -------------------------------------------------------------------------

def test_course_first_cell_exact() -> None:
    assert conv_expression(course_trace(), 0, 0, 0) == [
        "1×1 + 1×0 + 1×1 + 0×0 + 1×1 + 1×0 + 0×1 + 0×0 + 1×1 = 4"]


def test_course_every_cell_adds_up() -> None:
    trace = course_trace()
    for i in range(3):
        for j in range(3):
            (line,) = conv_expression(trace, 0, i, j)
            left, result = split_line(line)
            assert left.count("×") == 9
            assert result == COURSE_OUTPUT[i][j] == evaluate(left)


def test_negative_factors_in_parentheses() -> None:
    trace = conv_trace(np.array([[[9, 4], [1, 0]]], float), np.array([[[[0, 2], [1, -1]]]], float))
    assert conv_expression(trace, 0, 0, 0) == ["9×0 + 4×2 + 1×1 + 0×(-1) = 9"]


def test_one_channel_with_bias_adds_the_bias_on_its_own_line() -> None:
    trace = conv_trace(np.array([[[9, 4], [1, 0]]], float), np.array([[[[0, 2], [1, -1]]]], float),
                       bias=np.array([-1.0]))
    assert conv_expression(trace, 0, 0, 0) == ["9×0 + 4×2 + 1×1 + 0×(-1) = 9", "9 + (-1) = 8"]


@pytest.mark.parametrize("settings", [{}, {"stride": 2, "padding": 1}, {"dilation": 2, "padding": 2},
                                      {"padding": "same"}, {"stride": 3, "padding": 3}])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_multichannel_bias_lines_are_arithmetically_right(settings: dict, seed: int) -> None:
    trace = decimal_trace(seed, **settings)
    ho, wo = trace.shape
    for o in range(trace.weight.shape[0]):
        for i in range(ho):
            for j in range(wo):
                lines = conv_expression(trace, o, i, j)
                assert len(lines) == 4 and [ln[:6] for ln in lines[:3]] == ["ch 0: ", "ch 1: ", "ch 2: "]
                sums = []
                for c, line in enumerate(lines[:3]):
                    left, result = split_line(line)
                    assert left.count("×") == 9
                    assert evaluate(left) == pytest.approx(result, abs=1e-9)
                    assert result == pytest.approx(trace.products[o, c, i, j].sum(), abs=1e-9)
                    sums.append(result)
                left, result = split_line(lines[3])
                assert evaluate(left) == pytest.approx(result, abs=1e-9)
                assert evaluate(left) == pytest.approx(sum(sums) + trace.bias[o], abs=1e-9)
                assert result == pytest.approx(trace.out[o, i, j], abs=1e-9)
                assert lines[3].endswith("= " + format_number(trace.out[o, i, j]))


def test_expression_reads_the_dilated_window() -> None:
    x = np.arange(1, 50, dtype=float).reshape(1, 7, 7)
    trace = conv_trace(x, np.ones((1, 1, 2, 2)), stride=2, dilation=3)
    (line,) = conv_expression(trace, 0, 1, 0)
    # output (1, 0) reads rows 2, 5 and columns 0, 3 of the input
    assert line == "15×1 + 18×1 + 36×1 + 39×1 = 108"


def test_expression_outside_the_output_raises() -> None:
    with pytest.raises(IndexError):
        conv_expression(course_trace(), 0, 3, 0)


# --- pool_expression -------------------------------------------------------------------------

def test_pool_expressions() -> None:
    x = np.array([POOL_IMAGE], float)
    pmax, pavg = pool_trace(x, "max", 2, 2), pool_trace(x, "avg", 2, 2)
    assert [pool_expression(pmax, 0, i, j) for i in range(2) for j in range(2)] == [
        "max(2, 2, 9, 4) = 9", "max(7, 3, 6, 1) = 7", "max(8, 5, 3, 1) = 8", "max(2, 4, 2, 6) = 6"]
    assert pool_expression(pavg, 0, 0, 0) == "(2 + 2 + 9 + 4) / 4 = 4.25"
    assert pool_expression(pavg, 0, 1, 1) == "(2 + 4 + 2 + 6) / 4 = 3.5"


def test_average_pool_of_negatives() -> None:
    trace = pool_trace(np.array([[[-1, 2], [0, -3]]], float), "avg", 2)
    assert pool_expression(trace, 0, 0, 0) == "((-1) + 2 + 0 + (-3)) / 4 = -0.5"


# --- the HTML page ---------------------------------------------------------------------------

def all_pages() -> list[str]:
    x = np.array([POOL_IMAGE], float)
    return [conv_step_html(course_trace(), 0, 0, LABELS), conv_step_html(largest_trace(), 3, 50, LABELS),
            pool_step_html(pool_trace(x, "max", 2), 0, 0, LABELS), pool_step_html(pool_trace(x, "avg", 3, 1), 0, 2, {})]


def test_page_is_offline_and_drivable() -> None:
    for page_html in all_pages():
        assert "http://" not in page_html and "https://" not in page_html
        assert "<link" not in page_html and " src=" not in page_html
        for marker in ('id="cnnviz-stepview"', 'id="expr"', 'id="steplabel"', 'id="next"', "out-cell"):
            assert marker in page_html


def test_largest_settings_fit_the_budget() -> None:
    trace = largest_trace()
    page_html = conv_step_html(trace, 0, 0, LABELS)
    assert len(page_html.encode()) < SIZE_BUDGET  # its render time is measured in benchmarks/


def test_labels_are_escaped() -> None:
    evil = {**LABELS, "play": "<script>alert(1)</script>", "step": '"><img onerror=alert(1)>'}
    page_html = conv_step_html(course_trace(), 0, 0, evil)
    assert "<script>alert(1)" not in page_html and "<img onerror" not in page_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_html


def test_missing_labels_fall_back_to_keys() -> None:
    page_html = conv_step_html(course_trace(), 0, 0, {})
    assert "play" in page_html and "kernel" in page_html and "speed" in page_html


def test_embedded_data_cannot_close_its_script() -> None:
    page_html = conv_step_html(course_trace(), 0, 0, LABELS)
    block = page_html.split('id="svdata">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block


@pytest.mark.parametrize(("start", "expected"), [(-5, 0), (0, 0), (4, 4), (8, 8), (10**6, 8)])
def test_start_is_clamped(start: int, expected: int) -> None:
    assert svdata(conv_step_html(course_trace(), 0, start, LABELS))["start"] == expected
    pool = pool_trace(np.array([POOL_IMAGE], float), "max", 2)
    assert svdata(pool_step_html(pool, 0, start, LABELS))["start"] == min(expected, 3)


def test_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError):
        conv_step_html(course_trace(), 1, 0, LABELS)


# --- the transposed convolution's scatter ----------------------------------------------------------

def test_scatter_lines_add_up_to_the_output() -> None:
    from cnnviz.conv.stepview import transpose_expression
    from cnnviz.conv.transposed import transpose_trace

    rng = np.random.default_rng(3)
    trace = transpose_trace(rng.integers(-3, 4, (2, 3, 2)).astype(float), rng.integers(-2, 3, (2, 2, 3, 3)).astype(float),
                            stride=2, padding=1, output_padding=1)
    acc = np.zeros(trace.full.shape[1:])
    for t in range(trace.steps):
        i, j = divmod(t, trace.x.shape[2])
        for line in transpose_expression(trace, 1, i, j, "cut"):
            target, rest = line.split(" += ")
            r, c = (int(v) + 1 for v in target.strip("()").split(", "))  # back to full coordinates (P = 1)
            terms, after = rest.split(" → ")
            acc[r, c] += eval(terms.replace("×", "*"))  # noqa: S307 (our own arithmetic text)
            assert float(after.split(" ")[0]) == pytest.approx(acc[r, c], abs=1e-4)
            inside = 0 <= r - 1 < trace.out.shape[1] and 0 <= c - 1 < trace.out.shape[2]
            assert line.endswith("(cut)") != inside
    np.testing.assert_allclose(acc[1:1 + trace.out.shape[1], 1:1 + trace.out.shape[2]], trace.out[1])
