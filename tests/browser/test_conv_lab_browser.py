"""The Convolution lab in Chromium: one step shared by the in-page player, the selected-cell panel
and the address bar; pooling of ReLU(conv); the page in both languages at two screen sizes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from playwright.sync_api import Page, expect

from cnnviz.conv.stepview import format_number

from .conftest import assert_no_exception, open_page, save_screenshot, wait_for_script
from .test_classroom_browser import _start_class, teacher_env  # noqa: F401 (the fixture sets the password)

PLAYER = ".st-key-conv_stepview"
PANEL = ".st-key-conv_step_expr"
COURSE_X = torch.tensor([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0.0]])
COURSE_W = torch.tensor([[1, 0, 1], [0, 1, 0], [1, 0, 1.0]])

pytestmark = pytest.mark.browser


def url_step(page: Page) -> str:
    return parse_qs(urlparse(page.url).query).get("step", ["?"])[0]


def player_step(page: Page) -> str:
    return page.locator(f"{PLAYER} #sn").inner_text()  # 1-based, as the player writes it


def settle(page: Page) -> None:
    # Nothing on the page shows that a click's rerun has been asked for until it starts (the step
    # view sends its value first); Streamlit's own browser tests give a rerun ~200 ms to start.
    page.wait_for_timeout(300)
    wait_for_script(page)


def test_player_panel_and_url_share_one_step(page: Page, app_url: str) -> None:
    out = F.conv2d(COURSE_X[None, None], COURSE_W[None, None])[0, 0].flatten().int().tolist()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_page(page, f"{app_url}/convolution?lang=en")
    page.locator(f"{PLAYER} #next").click()
    page.locator(f"{PLAYER} #next").click()
    settle(page)
    expect(page.locator(PANEL)).to_contain_text(f"= {out[2]}")  # the panel follows the player
    assert url_step(page) == "2" and player_step(page) == "3"
    page.locator(f"{PLAYER} .out-cell").nth(7).click()  # a click on an output cell of the player
    settle(page)
    assert url_step(page) == "7" and page.locator(PANEL).inner_text().strip().endswith(f"= {out[7]}")
    page.locator(".st-key-conv_next button").click()  # the server's Next moves the player on, not back
    settle(page)
    assert url_step(page) == "8" and player_step(page) == "9"
    page.locator(f"{PLAYER} #cnnviz-stepview").focus()  # keys work once the player has the focus
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    settle(page)
    assert url_step(page) == "1" and player_step(page) == "2"
    link = page.url
    page.goto("about:blank")
    open_page(page, link)  # a copied link keeps the step
    assert player_step(page) == "2" and page.locator(PANEL).inner_text().strip().endswith(f"= {out[1]}")
    assert errors == []
    assert_no_exception(page)


def test_play_reports_the_step_where_it_stops(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/convolution?lang=en")
    page.locator(f"{PLAYER} #speed").select_option("4")
    page.locator(f"{PLAYER} #play").click()
    expect(page.locator(f"{PLAYER} #sn")).to_have_text("9", timeout=10_000)  # plays to the end, then stops
    settle(page)
    assert url_step(page) == "8" and page.locator(PANEL).inner_text().strip().endswith("= 4")


def test_pooling_of_the_convolution_as_the_course_draws_it(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/convolution?lang=en&view=pool&pool=avg&pool_size=2&pool_stride=1")
    relu = F.relu(F.conv2d(COURSE_X[None, None], COURSE_W[None, None]))
    pooled = F.avg_pool2d(relu, 2, 1)[0, 0].flatten().tolist()  # pooling the 0/1 input directly gives no such values
    assert len(set(pooled)) > 1
    page.locator(f"{PLAYER} #last").click()
    settle(page)
    assert page.locator(PANEL).inner_text().strip().endswith(f"= {format_number(pooled[-1])}")
    expect(page.locator(PLAYER)).to_contain_text("ReLU · channel 0")
    assert "ReLU" in page.get_by_test_id("stMain").inner_text()
    assert_no_exception(page)


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
@pytest.mark.parametrize("query", ["", "&view=pool", "&groups=2&kernel=1,0;0,1|2,1;0,-1|1,1;1,1|0,1;1,0"
                                   "&input=1,2,0;3,1,1;0,2,2|2,2,1;0,1,3;1,0,1&flip=1",
                                   "&view=transpose&stride=2&padding=1&output_padding=1&step=4"],
                         ids=["conv", "pool", "grouped-flipped", "transpose"])
def test_lab_screens(page: Page, app_url: str, lang: str, size: tuple[int, int], query: str,
                     request: pytest.FixtureRequest) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_page(page, f"{app_url}/convolution?lang={lang}{query}")
    assert_no_exception(page)
    expect(page.locator(f"{PLAYER} .out-cell").first).to_be_visible()
    save_screenshot(page, request.node.name)


SHADOW = "[...document.querySelectorAll('.st-key-conv_stepview *')].map(e => e.shadowRoot).find(r => r)"
VALUE_HEIGHT = f"() => {SHADOW}.querySelector('.host .cell').getBoundingClientRect().height"


@pytest.mark.fresh_server  # a class of its own, on a server started with the teacher password
@pytest.mark.parametrize("screen", [(1920, 1080, 1.0), (1280, 720, 1.5)], ids=["1920x1080", "1920x1080-at-150%"])
def test_presenter_view_scales_the_step_view(teacher_env: None, app_url: str, browser, screen,
                                             request: pytest.FixtureRequest) -> None:
    """In presenter view the step view and the output map grow (up to twice their size) while the
    step view still fits its column."""
    width, height, zoom = screen
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=zoom)
    teacher = context.new_page()
    _start_class(teacher, app_url)
    teacher.get_by_test_id("stSidebar").get_by_role("link", name="Convolution").click()
    wait_for_script(teacher)
    expect(teacher.locator(f"{PLAYER} .out-cell").first).to_be_visible()
    before = teacher.evaluate(VALUE_HEIGHT) * zoom  # device pixels, as the projector shows them
    out_map = teacher.locator(".st-key-lab_out_0 .js-plotly-plot")
    map_before = out_map.bounding_box()["height"]
    teacher.locator(".st-key-cls_big label").click()
    wait_for_script(teacher)
    expect(teacher.locator(f"{PLAYER} .out-cell").first).to_be_visible()
    after = teacher.evaluate(VALUE_HEIGHT) * zoom
    assert after >= 1.4 * before and after >= 48, (before, after)  # a 34 px cell at least 48 device px tall
    expect(out_map).to_have_count(1)
    assert out_map.bounding_box()["height"] >= 1.9 * map_before  # the 3×3 map's cells and numbers doubled
    player = teacher.locator(PLAYER).bounding_box()
    column = teacher.locator(".st-key-conv_output").bounding_box()
    assert player["width"] <= column["width"] + 2  # scaled up, not spilling out of the page's column
    scroll = teacher.evaluate(f"() => {SHADOW}.querySelector('.svbox').scrollWidth")
    assert scroll <= player["width"] + 2
    assert_no_exception(teacher)
    save_screenshot(teacher, request.node.name)
    context.close()


def test_settings_rerun_the_lab_and_keep_the_page_around_it(page: Page, app_url: str) -> None:
    """A student's stride or padding reruns the lab's settings and views alone (a fragment writing
    into the page's columns): the views and the address bar follow, nothing is drawn twice, and
    what reshapes the page (operation, editors, language) still reruns it whole."""
    open_page(page, f"{app_url}/convolution?lang=en")
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("Output: 1 map of 3×3")
    page.locator(".st-key-lab_stride input[type=range]").focus()  # react-aria's slider thumb
    page.keyboard.press("ArrowRight")  # stride 1 -> 2
    settle(page)
    expect(main).to_contain_text("Output: 1 map of 2×2")
    assert parse_qs(urlparse(page.url).query)["stride"] == ["2"]
    page.locator(".st-key-conv_next button").click()  # the stepping fragment, nested in the lab's
    settle(page)
    assert url_step(page) == "1"
    page.locator(".st-key-lab_stride input[type=range]").focus()
    page.keyboard.press("ArrowLeft")  # back to 1, again inside the fragment
    settle(page)
    expect(main).to_contain_text("Output: 1 map of 3×3")
    for key in ("lab_stride", "lab_padding", "lab_dilation", "lab_rows", "lab_out_0", "conv_step_expr"):
        expect(page.locator(f".st-key-{key}")).to_have_count(1)  # drawn once, in its place
    intro = main.locator("[data-testid=stCaptionContainer]").first.inner_text()
    assert intro.startswith("A convolution slides")
    page.locator(".st-key-lab_view").get_by_text("Pooling", exact=True).click()
    settle(page)
    expect(main).to_contain_text("ReLU")
    assert main.locator("[data-testid=stCaptionContainer]").first.inner_text() != intro  # the intro changed
    assert parse_qs(urlparse(page.url).query)["view"] == ["pool"]
    page.locator(".st-key-lab_pool_size input[type=range]").focus()
    page.keyboard.press("ArrowRight")  # pooling window 2 -> 3, in the fragment
    settle(page)
    assert parse_qs(urlparse(page.url).query)["pool_size"] == ["3"]
    expect(page.locator(".st-key-lab_pool_size")).to_have_count(1)
    page.get_by_test_id("stSidebar").get_by_text("Tiếng Việt").click()
    settle(page)
    expect(main).to_contain_text("Phép toán")
    query = parse_qs(urlparse(page.url).query)
    assert query["view"] == ["pool"] and query["lang"] == ["vi"] and query["pool_size"] == ["3"]
    assert_no_exception(page)
