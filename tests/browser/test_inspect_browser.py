"""Inspect and Attributions in a real browser: deep links, an ImageNet model on a photo and LeNet-5
on a digit, clicking a feature map, and drawing digits on the canvas."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_no_exception, open_page, save_screenshot, wait_for_script

pytestmark = pytest.mark.browser

SLOW_MS = 90_000  # ResNet-18 on a loaded 2-core CPU, first render of a fresh server
PREDICTION = re.compile(r"The model says (\S+) \(")

# Page coordinates of the centre of the first click target of map ``channel`` in the mosaic.
MAP_CENTRE_JS = """(el, channel) => {
  const marks = el.data[1], xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
  const box = el.getBoundingClientRect();
  const i = marks.customdata.findIndex(c => c[0] === channel) + 5;  // [channel, min, max, mean]; a mark inside the tile
  return [box.left + xa._offset + xa.l2p(marks.x[i]), box.top + ya._offset + ya.l2p(marks.y[i])];
}"""


def main_text(page: Page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def prediction(page: Page) -> str | None:
    found = PREDICTION.search(main_text(page))
    return found.group(1) if found else None


def test_inspect_imagenet_model_on_a_photo(page: Page, app_url: str, request: pytest.FixtureRequest) -> None:
    """ResNet-18 (random weights offline) on the cat photo; clicking map 5 enlarges map 5."""
    page.set_default_timeout(SLOW_MS)
    open_page(page, f"{app_url}/inspect?model=imagenet:resnet18&image=photo:chelsea&lang=en")
    assert_no_exception(page)
    text = main_text(page)
    assert "11,689,512" in text and "random weights" in text and "64 feature maps of 112×112" in text
    plot = page.locator(".st-key-insp_mosaic .js-plotly-plot")
    plot.wait_for()
    plot.scroll_into_view_if_needed()  # the mouse only reaches what is inside the viewport
    x, y = plot.evaluate(MAP_CENTRE_JS, 5)
    page.mouse.click(x, y)
    page.wait_for_function("() => document.body.innerText.includes('Map 5 ·')", timeout=SLOW_MS)
    wait_for_script(page)
    assert_no_exception(page)
    save_screenshot(page, request.node.name)


def test_inspect_lenet_on_a_digit_and_walk(page: Page, app_url: str, request: pytest.FixtureRequest) -> None:
    open_page(page, f"{app_url}/inspect?model=shipped:lenet5_digits&image=hw:3&lang=en")
    assert_no_exception(page)
    assert prediction(page) == "3"
    assert "61,706" in main_text(page)
    save_screenshot(page, request.node.name)
    page.locator(".st-key-insp_next button").click()
    page.wait_for_function("() => document.body.innerText.includes('Layer 2 of 12')")
    wait_for_script(page)
    assert "layer=act1" in page.url
    assert_no_exception(page)


def test_attributions_on_a_photo(page: Page, app_url: str, request: pytest.FixtureRequest) -> None:
    page.set_default_timeout(SLOW_MS)
    open_page(page, f"{app_url}/attributions?model=imagenet:resnet18&image=photo:chelsea"
                    "&methods=gradcam,saliency,guided_backprop&lang=en")
    assert_no_exception(page)
    grid = page.locator(".st-key-attr_grid .js-plotly-plot")
    expect(grid).to_have_count(3, timeout=SLOW_MS)
    expect(page.locator(".st-key-attr_gradcam_row img")).to_have_count(20)  # ResNet-18 has 20 convolutions
    save_screenshot(page, request.node.name)


def test_attributions_on_a_digit_with_sanity_check(page: Page, app_url: str,
                                                   request: pytest.FixtureRequest) -> None:
    open_page(page, f"{app_url}/attributions?model=shipped:lenet5_digits&image=hw:3&lang=en")
    assert_no_exception(page)
    expect(page.locator(".st-key-attr_grid .js-plotly-plot")).to_have_count(3)
    assert "convergence Δ" in main_text(page)
    page.locator(".st-key-attr_sanity label").click()
    expect(page.get_by_text("Adebayo", exact=False)).to_be_visible(timeout=30_000)
    wait_for_script(page)
    expect(page.locator(".st-key-attr_sanity_grid .js-plotly-plot")).to_have_count(6)
    assert_no_exception(page)
    save_screenshot(page, request.node.name)


def _stroke(page: Page, box: dict, points: list[tuple[float, float]]) -> None:
    """Press, move through ``points`` (fractions of the canvas), release."""
    def at(p: tuple[float, float]) -> tuple[float, float]:
        return box["x"] + p[0] * box["width"], box["y"] + p[1] * box["height"]
    page.mouse.move(*at(points[0]))
    page.mouse.down()
    for a, b in zip(points, points[1:]):
        for k in range(1, 5):
            f = k / 4
            page.mouse.move(*at((a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))))
    page.mouse.up()


def _wait_for_prediction(page: Page, wanted: str) -> None:
    page.wait_for_function("(w) => document.body.innerText.includes(w)", arg=f"The model says {wanted} (",
                           timeout=30_000)
    wait_for_script(page)


def test_drawing_digits_changes_the_prediction(page: Page, app_url: str,
                                               request: pytest.FixtureRequest) -> None:
    """Draw a seven with the mouse, clear the canvas, draw a zero: the prediction follows."""
    open_page(page, f"{app_url}/inspect?model=shipped:lenet5_digits&image=draw&lang=en")
    assert_no_exception(page)
    assert prediction(page) is None  # nothing drawn yet
    canvas = page.locator(".st-key-insp_canvas canvas").last
    canvas.wait_for()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    _stroke(page, box, [(0.3, 0.18), (0.7, 0.18)])  # the bar of a seven
    _stroke(page, box, [(0.7, 0.18), (0.42, 0.85)])  # its diagonal
    _wait_for_prediction(page, "7")
    assert_no_exception(page)
    save_screenshot(page, request.node.name)
    page.get_by_role("button", name="Reset canvas & history").click()
    page.wait_for_function("() => !document.body.innerText.includes('The model says')", timeout=30_000)
    wait_for_script(page)
    turns = [2 * math.pi * k / 40 for k in range(41)]
    _stroke(page, box, [(0.5 + 0.22 * math.cos(a), 0.5 + 0.33 * math.sin(a)) for a in turns])  # a zero
    _wait_for_prediction(page, "0")
    assert_no_exception(page)


def test_attributions_on_a_drawn_digit(page: Page, app_url: str, request: pytest.FixtureRequest) -> None:
    """Draw a seven on the Attributions page: the maps explain the drawing."""
    open_page(page, f"{app_url}/attributions?model=shipped:lenet5_digits&image=draw&lang=en")
    assert_no_exception(page)
    canvas = page.locator(".st-key-attr_canvas canvas").last
    canvas.wait_for()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    _stroke(page, box, [(0.3, 0.18), (0.7, 0.18)])
    _stroke(page, box, [(0.7, 0.18), (0.42, 0.85)])
    page.wait_for_function("() => document.body.innerText.includes('Attributions for class')", timeout=30_000)
    wait_for_script(page)
    expect(page.locator(".st-key-attr_grid .js-plotly-plot")).to_have_count(3)
    assert "Attributions for class “7”" in main_text(page)
    assert_no_exception(page)
    save_screenshot(page, request.node.name)
