"""The Train page in a real browser: a run trains on the CPU and its curves move while it does,
per-step points before the first epoch ends, the status line's epoch, overlaid gradient bars, and
the page at classroom screen sizes in both languages (screenshots in tests/browser/screenshots/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cnnviz.models.checkpoints import load_checkpoint

from .conftest import assert_no_exception, open_page, save_screenshot, wait_for_layout, wait_for_script

# Each test trains in a runs folder of its own: another test's runs would join the compared runs.
pytestmark = pytest.mark.fresh_server
TRAIN_TIMEOUT_MS = 240_000
POLL_MS = 250
# What the page's charts hold, read in one go (the browser changes the page between two reads)
# (a chart being redrawn is briefly there twice, the old copy marked stale: read the current one)
CHARTS_JS = """() => {
  const current = key => [...document.querySelectorAll(`.st-key-${key}`)]
    .find(e => e.closest('[data-stale="true"]') === null);
  const traces = key => [...(current(key)?.querySelector('.js-plotly-plot')?.data ?? [])]
    .map(t => ({name: t.legendgrouptitle?.text ? `${t.legendgrouptitle.text} · ${t.name}` : t.name,
                type: t.type, n: (t.x ?? []).length}));
  const bar = document.querySelector('[data-testid="stProgress"]');
  return {curves: traces('tr_curves'), grads: traces('tr_grads'), status: bar ? bar.innerText : ''};
}"""


def _charts(page: Page) -> dict:
    return page.evaluate(CHARTS_JS)


def _count(charts: dict, suffix: str) -> int:
    """Points of the shown run's (the first) trace whose name ends in ``suffix``."""
    return next((t["n"] for t in charts["curves"] if t["name"].endswith(suffix)), 0)


def _wait_for(page: Page, ready, timeout_ms: int = TRAIN_TIMEOUT_MS) -> dict:
    """Poll the charts until ``ready(charts)``; the same state read twice in a row, so that a
    page half-way through an update is not taken for its final state."""
    previous = None
    for _ in range(timeout_ms // POLL_MS):
        charts = _charts(page)
        if ready(charts) and charts == previous:
            return charts
        previous = charts
        page.wait_for_timeout(POLL_MS)
    raise AssertionError(f"the page never got there: {previous}")


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


def test_step_points_come_before_the_first_epoch_and_the_status_counts_plotted_epochs(
        page: Page, app_url: str, request: pytest.FixtureRequest) -> None:
    # TinyVGG on 12,000 shapes: an epoch takes seconds on one CPU thread, a step milliseconds
    open_page(page, f"{app_url}/train?dataset=shapes&arch=tinyvgg&n_train=12000&n_val=200&epochs=3&lang=en")
    page.locator(".st-key-tr_start_btn button").click()
    early = _wait_for(page, lambda c: _count(c, "train, per step") >= 3)
    assert _count(early, "validation") == 0, "the step points came only with the first epoch"
    assert early["status"].startswith("Epoch 1 of 3")
    save_screenshot(page, request.node.name + "_steps")
    later = _wait_for(page, lambda c: _count(c, "validation") >= 1 and c["status"].startswith("Epoch"))
    shown = int(re.match(r"Epoch (\d) of 3", later["status"]).group(1))
    assert shown == _count(later, "validation") + 1, later  # epoch 1 plotted: epoch 2 is training
    assert _count(later, "train, per step") > _count(early, "train, per step")
    page.locator(".st-key-tr_stop_btn button").click()  # enough seen: no need to train it all
    expect(page.get_by_text("Stopped.")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)


def _pick(page: Page, tab: str, label: str, option: str) -> None:
    page.get_by_role("tab", name=tab).click()
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_script(page)


def test_a_compared_runs_gradient_bars_are_overlaid(page: Page, app_url: str,
                                                   request: pytest.FixtureRequest) -> None:
    open_page(page, f"{app_url}/train?n_train=400&n_val=100&epochs=1&batch_size=64&lang=en")
    page.locator(".st-key-tr_start_btn button").click()
    expect(page.get_by_text("Finished.")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    _pick(page, "Model", "Activation", "Sigmoid")
    expect(page.get_by_text("Finished.")).to_have_count(0)  # the settings changed: not that run's banner
    page.locator(".st-key-tr_start_btn button").click()
    expect(page.get_by_text("Finished.")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    wait_for_script(page)
    charts = _wait_for(page, lambda c: len([t for t in c["grads"] if t["type"] == "bar"]) == 2, 20_000)
    assert [t["name"] for t in charts["grads"]] == ["LeNet-5 · Sigmoid · digits", "LeNet-5 · ReLU · digits"]
    assert all(t["n"] == 5 for t in charts["grads"])  # LeNet-5's five weight layers, side by side
    expect(page.get_by_text("first trained layer ÷ last layer")).to_have_count(2)
    assert_no_exception(page)
    save_screenshot(page, request.node.name)


SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}


def test_the_page_at_classroom_sizes_in_both_languages(page: Page, app_url: str,
                                                       request: pytest.FixtureRequest) -> None:
    """The transfer example, both runs finished, at two screen sizes in English and Vietnamese:
    nothing wider than the window, no error; screenshots to look at."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_page(page, f"{app_url}/train?lang=en")
    page.get_by_role("tab", name="Start from").click()
    page.locator(".st-key-tr_example_btn button").first.click()
    wait_for_script(page)
    page.locator(".st-key-tr_start_pair_btn button").first.click()  # a button with help: one more inside
    expect(page.get_by_text("Finished.")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    both = _wait_for(page, lambda c: [t["n"] for t in c["curves"] if t["name"].endswith("validation")] == [5] * 4)
    assert {t["name"].split(" · validation")[0] for t in both["curves"] if t["name"].endswith("validation")} == {
        "LeNet-5 · ReLU · handwritten ← lenet5_digits", "LeNet-5 · ReLU · handwritten"}  # both runs, both panels
    for lang, label in (("en", None), ("vi", "Tiếng Việt")):
        if label:
            page.locator(".st-key-lang_switch").get_by_text(label).click()
            wait_for_script(page)
            page.get_by_role("tab", name="Khởi đầu").click()
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            wait_for_layout(page)  # the page has followed the new window size
            overflow = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth"
                                     " - document.querySelector('[data-testid=\"stMain\"]').clientWidth")
            assert overflow <= 0, f"{overflow} px wider than the window at {size} ({lang})"
            assert_no_exception(page)
            save_screenshot(page, f"{request.node.name}_{size}_{lang}")
