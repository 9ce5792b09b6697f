"""The learned-filters section of the Filters page, opened by deep link on a fresh server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cnnviz.ui.catalog import EN

from .conftest import ELEMENT_TIMEOUT_MS, assert_no_exception, open_page, save_screenshot

pytestmark = pytest.mark.browser


@pytest.mark.fresh_server  # opened by deep link as the server's first request
def test_learned_filters_of_a_shipped_model(page: Page, app_url: str, request: pytest.FixtureRequest) -> None:
    open_page(page, f"{app_url}/filters?lmodel=shipped:tinyvgg_shapes&lang=en")
    assert_no_exception(page)
    main = page.get_by_test_id("stMain")
    for key in ("lrn_title", "lrn_kernels", "lrn_responses", "lrn_similar", "lrn_exp_title"):
        expect(main.get_by_text(EN[key], exact=True)).to_be_visible(timeout=ELEMENT_TIMEOUT_MS)
    expect(page.locator('[data-testid="stDataFrame"]')).to_be_visible()
    # Three channel mosaics and the colour one, each a drawn Plotly chart.
    expect(page.locator('[class*="st-key-lrn_kernels_"] .js-plotly-plot')).to_have_count(4)
    assert "TinyVGG · ReLU" in main.inner_text()  # the chosen model's description
    assert "lmodel=shipped%3Atinyvgg_shapes" in page.url  # the page keeps the model in its URL
    save_screenshot(page, request.node.name)
