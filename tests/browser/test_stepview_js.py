"""The step view's script in Chromium: for every step it shows exactly the lines Python computed,
its controls work, and it raises no page error."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from playwright.sync_api import Browser, Page

from cnnviz.conv.arithmetic import ConvTrace, conv_trace, pool_trace
from cnnviz.conv.stepview import conv_expression, conv_step_html, format_number, pool_expression, pool_step_html
from tests.conv.test_stepview import LABELS, POOL_IMAGE, course_trace, decimal_trace

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def browser_page(browser: Browser) -> Iterator[Page]:
    """One page for the module; the step view is loaded into it as a standalone document."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    page.close()


def load(page, page_html: str) -> None:  # type: ignore[no-untyped-def]
    page.errors.clear()
    page.set_content(page_html)
    page.wait_for_selector(".out-cell")


WALK_STEPS = """() => [...document.querySelectorAll('.out-cell')].map(cell => {
  cell.click();
  return {lines: [...document.querySelectorAll('#expr .line')].map(l => l.textContent),
          label: document.getElementById('steplabel').textContent,
          shown: [...document.querySelectorAll('.out-cell')].filter(c => c.textContent !== '').length,
          window: document.querySelectorAll('.host .cell.hl').length,
          argmax: document.querySelectorAll('.host .cell.am').length};
})"""


@pytest.mark.browser
@pytest.mark.parametrize("trace", [course_trace(), decimal_trace(3, stride=2, padding=1, dilation=2),
                                   conv_trace(np.arange(12.0).reshape(1, 3, 4), -np.ones((2, 1, 1, 1)))],
                         ids=["course", "multichannel-dilated", "one-by-one"])
def test_browser_shows_exactly_the_python_lines(browser_page, trace: ConvTrace) -> None:  # type: ignore[no-untyped-def]
    o = trace.weight.shape[0] - 1
    load(browser_page, conv_step_html(trace, o, 0, LABELS))
    ho, wo = trace.shape
    c_in, k = trace.weight.shape[1], trace.weight.shape[-1]
    for t, seen in enumerate(browser_page.evaluate(WALK_STEPS)):
        i, j = divmod(t, wo)
        assert seen["lines"] == conv_expression(trace, o, i, j)
        assert seen["label"] == f"Step {t + 1} of {ho * wo} — Output ({i}, {j})"
        assert seen["shown"] == t + 1 and seen["window"] == c_in * k * k
    assert browser_page.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_browser_pool_steps(browser_page, kind: str) -> None:  # type: ignore[no-untyped-def]
    trace = pool_trace(np.array([POOL_IMAGE, np.array(POOL_IMAGE)[::-1]], float), kind, 2, 1)
    load(browser_page, pool_step_html(trace, 1, 0, LABELS))
    for t, seen in enumerate(browser_page.evaluate(WALK_STEPS)):
        i, j = divmod(t, trace.shape[1])
        assert seen["lines"] == [pool_expression(trace, 1, i, j)]
        assert seen["window"] == 4 and seen["argmax"] == (1 if kind == "max" else 0)
    assert browser_page.errors == []


@pytest.mark.browser
def test_browser_controls(browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    load(page, conv_step_html(course_trace(), 0, 10**6, LABELS))
    label = page.locator("#steplabel")
    assert label.text_content() == "Step 9 of 9 — Output (2, 2)" and page.is_disabled("#next")
    page.click("#first")
    assert label.text_content() == "Step 1 of 9 — Output (0, 0)" and page.is_disabled("#prev")
    page.click("#next")
    assert label.text_content() == "Step 2 of 9 — Output (0, 1)"
    page.keyboard.press("ArrowRight")
    assert label.text_content() == "Step 3 of 9 — Output (0, 2)"
    page.keyboard.press("ArrowLeft")
    page.click("#last")
    assert label.text_content() == "Step 9 of 9 — Output (2, 2)"
    page.select_option("#speed", "4")
    page.click("#play")  # from the last step, play starts over and stops at the end
    page.wait_for_function("document.getElementById('steplabel').textContent.startsWith('Step 9 ')"
                           " && !document.getElementById('cnnviz-stepview').classList.contains('playing')",
                           timeout=10_000)
    assert page.errors == []


@pytest.mark.browser
def test_browser_grid_shows_every_padded_value(browser_page) -> None:  # type: ignore[no-untyped-def]
    trace = decimal_trace(4, padding=2)
    load(browser_page, conv_step_html(trace, 0, 0, LABELS))
    grids = browser_page.evaluate("""() => [...document.querySelectorAll('.host')].map(host =>
      [...host.querySelectorAll('.cell')].map(c => [c.querySelector('.v').textContent,
                                                   c.classList.contains('pad')]))""")
    assert len(grids) == trace.padded.shape[0]
    for c, cells in enumerate(grids):
        assert [text for text, _ in cells] == [format_number(v) for v in trace.padded[c].ravel()]
        assert [pad for _, pad in cells] == trace.pad_mask.ravel().tolist()
    assert browser_page.errors == []


@pytest.mark.browser
def test_browser_shows_escaped_labels_as_text(browser_page) -> None:  # type: ignore[no-untyped-def]
    load(browser_page, conv_step_html(course_trace(), 0, 0, {**LABELS, "next": "<b>x</b>"}))
    assert browser_page.locator("#next").text_content().startswith("<b>x</b>")
    assert browser_page.errors == []


WALK_INPUTS = """() => [...document.querySelectorAll('.host .cell')].map(cell => {
  cell.click();
  return {lines: [...document.querySelectorAll('#expr .line')].map(l => l.textContent),
          label: document.getElementById('steplabel').textContent,
          marked: document.querySelectorAll('#ohost .cell.hl').length,
          shown: [...document.querySelectorAll('#ohost .cell')].map(c => c.querySelector('.v').textContent)};
})"""


@pytest.mark.browser
def test_browser_scatter_shows_the_python_lines_and_sums(browser_page) -> None:  # type: ignore[no-untyped-def]
    from cnnviz.conv.stepview import transpose_expression, transpose_step_html
    from cnnviz.conv.transposed import transpose_trace

    rng = np.random.default_rng(5)
    trace = transpose_trace(rng.integers(-3, 4, (2, 3, 3)).astype(float), rng.normal(size=(2, 2, 2, 2)).round(2),
                            stride=2, padding=1, output_padding=1, dilation=1)
    load(browser_page, transpose_step_html(trace, 1, 0, {**LABELS, "cropped": "cut", "at": "Input"}))
    seen = browser_page.evaluate(WALK_INPUTS)
    assert len(seen) == trace.steps * 2  # both input channels' grids can be clicked: the walk goes twice
    for t, step in enumerate(seen[:trace.steps]):
        i, j = divmod(t, trace.x.shape[2])
        assert step["lines"] == transpose_expression(trace, 1, i, j, "cut")
        assert step["label"] == f"Step {t + 1} of {trace.steps} — Input ({i}, {j})"
        assert step["marked"] == 4  # a 2x2 kernel lands on 4 cells
        running = trace.running(1, t).ravel()
        touched = [k for k, v in enumerate(step["shown"]) if v != ""]
        assert [step["shown"][k] for k in touched] == [format_number(running[k]) for k in touched]
    final = seen[trace.steps - 1]["shown"]
    assert final == [format_number(v) for v in trace.full[1].ravel()]  # output padding's cells too, as 0
    assert browser_page.errors == []
