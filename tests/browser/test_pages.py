"""Every page opens by deep link on a fresh server in a real browser, without a traceback.

Also checks the convolution page's shareable URL state and its step button end to end (these
tests share one server).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from playwright.sync_api import Page, expect

from .conftest import (
    ELEMENT_TIMEOUT_MS,
    assert_no_exception,
    cat_photo,
    open_page,
    save_screenshot,
    wait_for_script,
)

# URL path of each page (pages/home.py is "/", pages/NAME.py is "/NAME").
PAGES = {"home": "/", "convolution": "/convolution", "filters": "/filters", "train": "/train",
         "inspect": "/inspect", "attributions": "/attributions", "architectures": "/architectures",
         "blocks": "/blocks"}

# The classic 5x5 input and 3x3 "X" kernel; the first output row is 4, 3, 4.
WORKED_EXAMPLE = ("input=1,1,1,0,0;0,1,1,1,0;0,0,1,1,1;0,0,1,1,0;0,1,1,0,0"
                  "&kernel=1,0,1;0,1,0;1,0,1")
BAD_URL = "/convolution?stride=banana&input=1,2;x"
STEP_EXPR = ".st-key-conv_step_expr"
STEP_TIMEOUT_MS = 30_000

pytestmark = pytest.mark.browser


def main_text(page: Page) -> str:
    """Visible text of the page's main block (the sidebar excluded)."""
    return page.get_by_test_id("stMain").inner_text().strip()


@pytest.mark.fresh_server  # the deep link is the first request its server sees
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_opens_by_deep_link(page: Page, app_url: str, path: str,
                                 request: pytest.FixtureRequest) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((app_url, "data:", "blob:"))
            else None)
    open_page(page, app_url + path)
    assert_no_exception(page)
    assert outside == [], outside  # a classroom's browsers call no one but the server (no fonts, no icons)
    # An unknown path falls back to the main page with a "Page not found" notice.
    assert "Page not found" not in page.locator("body").inner_text()
    assert main_text(page), f"{path} rendered no text"
    save_screenshot(page, request.node.name)


def test_convolution_url_state_computes_worked_example(page: Page, app_url: str,
                                                       request: pytest.FixtureRequest) -> None:
    """A link with stride 2, padding 1 and a chosen step shows that step of that convolution."""
    open_page(page, f"{app_url}/convolution?{WORKED_EXAMPLE}&stride=2&padding=1&step=4&lang=en")
    assert_no_exception(page)
    expect(page.locator(".st-key-conv_output")).to_be_visible()
    x = torch.tensor([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0.0]])
    w = torch.tensor([[1, 0, 1], [0, 1, 0], [1, 0, 1.0]])
    out = F.conv2d(x[None, None], w[None, None], stride=2, padding=1)[0, 0]  # (3, 3); step 4 is (1, 1)
    expression = page.locator(STEP_EXPR).inner_text().strip()
    assert expression.endswith(f"= {int(out[1, 1])}"), expression
    assert expression.count("×") == 9
    save_screenshot(page, request.node.name)


def test_convolution_in_vietnamese(page: Page, app_url: str,
                                   request: pytest.FixtureRequest) -> None:
    open_page(page, f"{app_url}/convolution?{WORKED_EXAMPLE}&lang=vi")
    assert_no_exception(page)
    assert "Tích chập" in page.locator("body").inner_text()
    save_screenshot(page, request.node.name)


def test_convolution_next_step_changes_expression(page: Page, app_url: str,
                                                  request: pytest.FixtureRequest) -> None:
    open_page(page, f"{app_url}/convolution")
    assert_no_exception(page)
    expression = page.locator(STEP_EXPR)
    before = expression.inner_text().strip()
    assert before, "the step expression is empty before stepping"

    page.locator(".st-key-conv_next button").click()
    # The script state flips to "running" only briefly, so wait on the visible effect first.
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector)?.innerText.trim() !== before",
        arg=[STEP_EXPR, before], timeout=STEP_TIMEOUT_MS)
    wait_for_script(page)

    after = expression.inner_text().strip()
    assert after and after != before
    assert_no_exception(page)
    save_screenshot(page, request.node.name)


def test_bad_url_values_warn_instead_of_crashing(page: Page, app_url: str,
                                                 request: pytest.FixtureRequest) -> None:
    open_page(page, app_url + BAD_URL)
    assert_no_exception(page)
    expect(page.locator(".st-key-url_warnings")).to_be_attached(timeout=ELEMENT_TIMEOUT_MS)
    save_screenshot(page, request.node.name)


CELL_CENTRE_JS = """(el, [i, j]) => {
  const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis, box = el.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(j), box.top + ya._offset + ya.l2p(i)];
}"""


def test_clicking_an_output_cell_explains_that_cell(page: Page, app_url: str,
                                                    request: pytest.FixtureRequest) -> None:
    """A click on output cell (1, 0) of the course example selects it: its sum is 2."""
    open_page(page, f"{app_url}/convolution?{WORKED_EXAMPLE}&lang=en")
    expression = page.locator(STEP_EXPR)
    before = expression.inner_text().strip()
    plot = page.locator(".st-key-lab_out_0 .js-plotly-plot")
    plot.wait_for()
    x, y = plot.evaluate(CELL_CENTRE_JS, [1, 0])  # page coordinates of the centre of cell (1, 0)
    page.mouse.click(x, y)
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector)?.innerText.trim() !== before",
        arg=[STEP_EXPR, before], timeout=STEP_TIMEOUT_MS)
    wait_for_script(page)
    assert expression.inner_text().strip().endswith("= 2")
    assert "row 1, column 0" in main_text(page)
    assert_no_exception(page)
    save_screenshot(page, request.node.name)


def test_filters_page_filters_an_uploaded_photo(page: Page, app_url: str, tmp_path: Path,
                                                request: pytest.FixtureRequest) -> None:
    """Upload a real JPEG through the browser's file input; then a corrupt file gets a message."""
    photo = cat_photo(tmp_path)
    open_page(page, f"{app_url}/filters?image=upload&filters=sobel_x,canny&lang=en")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    expect(page.locator(".st-key-flt_card_canny")).to_be_visible(timeout=ELEMENT_TIMEOUT_MS)
    wait_for_script(page)
    assert_no_exception(page)
    assert "451×300" in main_text(page)
    save_screenshot(page, request.node.name)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(photo.read_bytes()[:2000])
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(broken))
    expect(page.get_by_text("incomplete")).to_be_visible(timeout=ELEMENT_TIMEOUT_MS)
    assert_no_exception(page)


def test_a_hostile_link_makes_the_browser_fetch_nothing_outside(page: Page, app_url: str) -> None:
    """A link whose values are Markdown images must not make a student's browser call another host."""
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(app_url) and not request.url.startswith(("data:", "blob:")) else None)
    payload = "x%60!%5B%5D(//e.vil/a.png)%60"  # x`![](//e.vil/a.png)`
    open_page(page, f"{app_url}/convolution?stride={payload}&view={payload}&lang={payload}")
    expect(page.get_by_text("e.vil/a.png", exact=False).first).to_be_visible(timeout=ELEMENT_TIMEOUT_MS)
    open_page(page, f"{app_url}/attributions?model=shipped:lenet5_digits&target={payload}&layer={payload}")
    expect(page.get_by_text("e.vil/a.png", exact=False).first).to_be_visible(timeout=ELEMENT_TIMEOUT_MS)
    assert_no_exception(page)
    assert page.locator("img[src*='e.vil']").count() == 0
    assert outside == [], outside
