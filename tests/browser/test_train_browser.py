"""The Train page in a real browser: a run trains on the CPU and its curves move while it does."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cnnviz.checkpoints import load_checkpoint

from .conftest import assert_no_exception, open_page, save_screenshot, wait_for_script

TRAIN_TIMEOUT_MS = 240_000


def test_training_curves_move_while_the_run_trains(page: Page, app_url: str,
                                                    request: pytest.FixtureRequest) -> None:
    open_page(page, f"{app_url}/train?n_train=20000&n_val=500&epochs=6&lang=en")
    assert_no_exception(page)
    page.locator(".st-key-tr_start_btn button").click()
    last_epoch = page.get_by_text("Last epoch:")
    expect(last_epoch).to_be_visible(timeout=TRAIN_TIMEOUT_MS)  # drawn by the polling fragment
    early = last_epoch.inner_text()
    expect(page.locator(".st-key-tr_curves .js-plotly-plot")).to_be_visible()
    save_screenshot(page, request.node.name + "_early")
    expect(page.get_by_text("Finished.")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    wait_for_script(page)
    late = page.get_by_text("Last epoch:").inner_text()
    assert late != early, "the curves did not move during training"
    expect(page.locator(".st-key-tr_download_btn")).to_be_visible()
    with page.expect_download() as download:
        page.locator(".st-key-tr_download_btn button").click()
    model, info = load_checkpoint(Path(download.value.path()).read_bytes())  # a valid checkpoint
    assert info.config.arch == "lenet5" and len(info.history) == 6
    assert "run=" in page.url
    assert_no_exception(page)
    save_screenshot(page, request.node.name + "_done")
