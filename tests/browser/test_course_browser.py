"""The Architectures and Building-blocks pages in a real browser: a click on a confusion-matrix cell
lists its images and one opens in Inspect; every section of both pages in both languages at a
projector's and a laptop's size, with screenshots to look at."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from cnnviz.course.confusion import confusion
from cnnviz.course.coursestate import SECTIONS
from cnnviz.models import zoo

from .conftest import assert_no_exception, open_page, save_screenshot, wait_for_layout, wait_for_script
from .test_pages import CELL_CENTRE_JS, main_text

pytestmark = pytest.mark.browser

VIEWPORTS = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
CLICK_TIMEOUT_MS = 30_000


def _shapes_mistake() -> tuple[int, int, int, tuple[str, ...]]:
    """(true, predicted, count, classes) of the first off-diagonal cell of the shipped TinyVGG."""
    model, _ = zoo.load("shipped:tinyvgg_shapes")
    c = confusion("tinyvgg_shapes", model)
    true, pred = (int(v) for v in np.argwhere(c.matrix - np.diag(np.diag(c.matrix)))[0])
    return true, pred, int(c.matrix[true, pred]), c.classes


def test_clicking_a_confusion_cell_lists_it_and_opens_an_image_in_inspect(page: Page, app_url: str,
                                                                          request: pytest.FixtureRequest) -> None:
    true, pred, count, classes = _shapes_mistake()
    open_page(page, f"{app_url}/architectures?lang=en")
    plot = page.locator(".st-key-arch_cm_chart .js-plotly-plot")
    plot.wait_for()
    plot.scroll_into_view_if_needed()  # the matrix is below the fold; a click must land in the viewport
    wait_for_layout(page)  # scrolled there and still: the cell's coordinates hold for the click
    x, y = plot.evaluate(CELL_CENTRE_JS, [true, pred])  # viewport coordinates of that cell's centre
    page.mouse.click(x, y)
    header = page.locator(".st-key-arch_cell")
    expect(header).to_contain_text(f"True class {classes[true]}, predicted {classes[pred]} · images: {count}",
                                   timeout=CLICK_TIMEOUT_MS)
    wait_for_script(page)
    assert f"cell={true}%2C{pred}" in page.url or f"cell={true},{pred}" in page.url
    save_screenshot(page, request.node.name + "_cell")
    page.locator(".st-key-arch_open button").click()
    page.wait_for_url("**/inspect?**", timeout=CLICK_TIMEOUT_MS)
    wait_for_script(page)
    assert_no_exception(page)
    assert "Inspect a CNN" in main_text(page)
    assert "model=shipped%3Atinyvgg_shapes" in page.url or "model=shipped:tinyvgg_shapes" in page.url
    save_screenshot(page, request.node.name + "_inspect")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_architectures_page_at_both_sizes(page: Page, app_url: str, lang: str,
                                          request: pytest.FixtureRequest) -> None:
    for arch in ("lenet5", "vgg16", "googlenet", "resnet18", "alexnet"):
        for name, (w, h) in VIEWPORTS.items():
            page.set_viewport_size({"width": w, "height": h})
            open_page(page, f"{app_url}/architectures?arch={arch}&lang={lang}")
            assert_no_exception(page)
            if arch in ("vgg16", "googlenet") or name == "1920x1080":
                save_screenshot(page, f"{request.node.name}_{arch}_{name}")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_blocks_page_at_both_sizes(page: Page, app_url: str, lang: str, request: pytest.FixtureRequest) -> None:
    for section in SECTIONS:
        for name, (w, h) in VIEWPORTS.items():
            page.set_viewport_size({"width": w, "height": h})
            open_page(page, f"{app_url}/blocks?section={section}&lang={lang}")
            assert_no_exception(page)
            assert main_text(page)
            save_screenshot(page, f"{request.node.name}_{section}_{name}")
