"""Filters, Attributions and Inspect as a student on a 1366x768 laptop sees them: the answer on the
first screen, colour bars and true values on hover, warnings next to the answer, the fully
connected layers in the walk, readable kernels, the layer table at 150 % zoom, the pair in a link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_no_exception, open_page, save_screenshot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
SLOW_MS = 90_000

# Move the mouse onto cell (row, col) of the heatmap trace ``trace`` of a Plotly chart; returns
# the page coordinates and the value stored at that cell.
CELL_JS = """([el, trace, row, col]) => {
  const d = el._fullData[trace], xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
  const box = el.getBoundingClientRect();
  const x = d.x ? d.x[col] : col, y = d.y ? d.y[row] : row;
  return [box.left + xa._offset + xa.l2p(x), box.top + ya._offset + ya.l2p(y), d.z[row][col]];
}"""


def _top(page: Page, selector: str) -> float:
    locator = page.locator(selector).first
    locator.wait_for()
    box = locator.bounding_box()
    assert box is not None
    return box["y"]


def _hover_value(page: Page, selector: str, trace: int, row: int, col: int) -> tuple[float, str]:
    plot = page.locator(selector).first
    x, y, value = plot.evaluate(f"(el) => ({CELL_JS})([el, {trace}, {row}, {col}])")
    page.mouse.move(x, y)
    hover = page.locator(".hoverlayer .hovertext").first
    expect(hover).to_be_visible()
    return value, hover.text_content() or ""


def _close(shown: str, value: float) -> bool:
    """The hover's number (4 significant digits) is the stored value."""
    number = shown.replace("−", "-").split()[-1]
    return abs(float(number) - value) <= 1e-3 * max(1.0, abs(value))


def test_filter_answers_on_the_first_laptop_screen(page: Page, app_url: str,
                                                   request: pytest.FixtureRequest) -> None:
    page.set_viewport_size(LAPTOP)
    open_page(page, f"{app_url}/filters?image=camera&filters=laplacian_4,sobel_x&lang=en")
    assert_no_exception(page)
    chart = ".st-key-flt_r_laplacian_4 .js-plotly-plot"
    assert _top(page, chart) < LAPTOP["height"] - 150  # the response itself, not just its title, is visible
    expect(page.locator(f"{chart} .colorbar")).to_have_count(1)
    page.locator(chart).scroll_into_view_if_needed()
    _, shown = _hover_value(page, chart, 1, 40, 60)  # trace 1: the true values, invisible
    # Cells are ~1.5 screen pixels here: read which pixel the hover names, and check its value.
    found = re.search(r"x (\d+) · y (\d+)", shown)
    assert found and "value" in shown, shown
    x, y = int(found.group(1)), int(found.group(2))
    stored = page.locator(chart).first.evaluate(
        "(el, xy) => { const d = el._fullData[1]; return d.z[d.y.indexOf(xy[1])][d.x.indexOf(xy[0])]; }", [x, y])
    assert _close(shown, stored)
    save_screenshot(page, request.node.name)


def test_attribution_answer_and_warning_on_the_first_laptop_screen(page: Page, app_url: str,
                                                                   request: pytest.FixtureRequest) -> None:
    page.set_viewport_size(LAPTOP)
    open_page(page, f"{app_url}/attributions?model=shipped:lenet5_digits&image=photo:chelsea"
                    "&methods=gradcam,ig&lang=en")
    assert_no_exception(page)
    warning = page.locator('[data-testid="stAlert"]').filter(has_text="Not a picture this model knows:").first
    expect(warning).to_be_in_viewport()
    expect(page.get_by_text("The model says", exact=False).first).to_be_in_viewport()
    chart = ".st-key-attr_map_gradcam .js-plotly-plot"
    assert _top(page, chart) < LAPTOP["height"] - 120
    expect(page.locator(f"{chart} .colorbar")).to_have_count(1)
    notes = page.get_by_text("⚠ Not a picture this model knows: this map explains a guess.")
    assert notes.count() >= 3
    value, shown = _hover_value(page, chart, 1, 14, 14)  # trace 1: the true map, invisible
    assert _close(shown, value)
    save_screenshot(page, request.node.name)


def test_the_walk_shows_a_fully_connected_layer_and_readable_kernels(page: Page, app_url: str,
                                                                      request: pytest.FixtureRequest) -> None:
    page.set_viewport_size(LAPTOP)
    open_page(page, f"{app_url}/inspect?model=shipped:lenet5_digits&image=hw:3&layer=fc1&lang=en")
    assert_no_exception(page)
    expect(page.get_by_text("Output of fc1: a vector of 120 numbers")).to_be_visible()
    bars = page.locator(".st-key-insp_vector .js-plotly-plot .bars path")
    expect(bars).to_have_count(120)
    page.locator(".st-key-insp_next button").click()
    page.wait_for_function("() => document.body.innerText.includes('Layer 9 of 12')")
    assert "layer=act3" in page.url
    open_page(page, f"{app_url}/inspect?model=shipped:lenet5_digits&image=hw:3&layer=conv1&lang=en")
    kernels = page.locator(".st-key-insp_kernel_fig .js-plotly-plot").first
    kernels.scroll_into_view_if_needed()
    box = kernels.bounding_box()
    assert box is not None and box["height"] >= 300  # was about 65 px
    written = kernels.evaluate("(el) => [...el.querySelectorAll('text')].map(t => t.textContent)")
    assert sum(t.replace("−", "-").lstrip("-").startswith("0.") for t in written) >= 6 * 25 - 10
    save_screenshot(page, request.node.name)


def test_the_layer_table_fits_at_150_percent_zoom(browser, app_url: str,  # noqa: ANN001 - Playwright's Browser
                                                  request: pytest.FixtureRequest) -> None:
    context = browser.new_context(viewport={"width": 911, "height": 512}, device_scale_factor=1.5)
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    try:
        open_page(page, f"{app_url}/inspect?model=shipped:lenet5_digits&image=hw:3&lang=en")
        assert_no_exception(page)
        table = page.locator('[data-testid="stDataFrame"]').nth(1)  # after the top-5 predictions
        table.scroll_into_view_if_needed()
        fits = table.evaluate("""(el) => {
          const s = el.querySelector('.dvn-scroller');
          return s ? [s.scrollWidth, s.clientWidth] : [0, 0];
        }""")
        assert fits[0] > 0 and fits[0] <= fits[1] + 1, fits  # no column cut off behind a scroll bar
        save_screenshot(page, request.node.name)
    finally:
        context.close()


def test_a_link_restores_the_compared_pair(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/filters?lpair=laplacian_4&lang=en")
    assert_no_exception(page)
    pair = page.locator(".st-key-lrn_pair")
    pair.scroll_into_view_if_needed()
    expect(pair.get_by_role("combobox")).to_have_value("Laplacian (4 neighbours)")
    assert "lpair=laplacian_4" in page.url
