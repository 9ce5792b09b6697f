"""The parts of Filters and Inspect that rerun on their own (fragments), in a real browser: a new
filter redraws the grid and leaves the learned section as it was; Next on Inspect walks to the next
layer; both pages at 1366x768 and 1920x1080 in both languages, with screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_no_exception, open_page, save_screenshot, wait_for_script

pytestmark = pytest.mark.browser

SLOW_MS = 90_000
SIZES = [(1366, 768), (1920, 1080)]


def main_text(page: Page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def test_a_new_filter_redraws_only_the_grid(page: Page, app_url: str, request: pytest.FixtureRequest) -> None:
    page.set_default_timeout(SLOW_MS)
    open_page(page, f"{app_url}/filters?lang=en&filters=sobel_x&image=camera")
    assert_no_exception(page)
    expect(page.locator(".st-key-flt_card_sobel_x")).to_be_visible()
    assert "Filters a CNN learned" in main_text(page)
    learned_before = main_text(page).split("Filters a CNN learned", 1)[1]
    box = page.locator(".stMultiSelect").first
    box.click()
    page.keyboard.type("Canny")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.locator(".st-key-flt_card_canny")).to_be_visible(timeout=SLOW_MS)
    wait_for_script(page)
    assert_no_exception(page)
    assert "filters=sobel_x%2Ccanny" in page.url or "filters=sobel_x,canny" in page.url
    assert main_text(page).split("Filters a CNN learned", 1)[1] == learned_before  # drawn once, left as it was
    save_screenshot(page, request.node.name)


def test_next_walks_to_the_next_layer(page: Page, app_url: str, request: pytest.FixtureRequest) -> None:
    page.set_default_timeout(SLOW_MS)
    open_page(page, f"{app_url}/inspect?lang=en")
    assert_no_exception(page)
    text = main_text(page)
    assert "Layer 1 of" in text
    total = text.split("Layer 1 of ", 1)[1].split(",", 1)[0]
    page.locator(".st-key-insp_next button").click()
    page.wait_for_function("() => document.body.innerText.includes('Layer 2 of')", timeout=SLOW_MS)
    wait_for_script(page)
    assert_no_exception(page)
    assert f"Layer 2 of {total}" in main_text(page) and "layer=" in page.url
    save_screenshot(page, request.node.name)


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("width, height", SIZES)
@pytest.mark.parametrize("path", ["filters", "inspect"])
def test_pages_at_classroom_sizes(page: Page, app_url: str, request: pytest.FixtureRequest, path: str,
                                  width: int, height: int, lang: str) -> None:
    page.set_default_timeout(SLOW_MS)
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, f"{app_url}/{path}?lang={lang}")
    assert_no_exception(page)
    save_screenshot(page, request.node.name)


def test_a_new_picture_reruns_the_whole_page_and_keeps_the_choice(page: Page, app_url: str) -> None:
    """From the fragment, a new picture reruns the whole page (the learned section shows it too);
    the chosen filters and sigma stay as they were (a whole-page rerun started inside a fragment
    must not drop the fragment's widget state)."""
    page.set_default_timeout(SLOW_MS)
    open_page(page, f"{app_url}/filters?lang=en&filters=sobel_y,canny&sigma=1.5&image=camera")
    expect(page.locator(".st-key-flt_card_canny")).to_be_visible()
    page.locator(".stSelectbox").first.click()
    page.get_by_role("option", name="Pattern: checkerboard").click()
    page.wait_for_function("() => location.search.includes('image=checkerboard')", timeout=SLOW_MS)
    wait_for_script(page)
    assert_no_exception(page)
    assert "filters=sobel_y%2Ccanny" in page.url and "sigma=1.5" in page.url
    expect(page.locator(".st-key-flt_card_sobel_y")).to_be_visible()
    expect(page.locator(".st-key-flt_card_canny")).to_be_visible()
