"""Browser-test harness: Streamlit servers driven by a headless Chrome/Chromium.

Tests in a module share one server (started for its first test, with a runs and data folder of
its own), as Streamlit's own browser tests do; a test marked `fresh_server` gets a server of its
own instead, for what must be the first request a server sees (a cold deep link), a classroom, a
training run, or anything else that must not be seen by, or see, another test. Every test has its
own browser context, so no cookies, storage or Streamlit session are shared.

The browser is CNNVIZ_CHROMIUM, else the first Chrome, Chromium or Edge found (dev.find_chromium);
without one the browser tests are skipped, unless CNNVIZ_REQUIRE_BROWSER=1 (CI) makes that a
failure. Every test in this folder carries the `browser` marker, and every one that starts a
Streamlit server also `slow`. Set CNNVIZ_APP to another entry script to run these tests against it
instead of the repo's app.py.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from cnnviz.imaging.images import sample_image
from dev import CHROMIUM_ENV, find_chromium

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
APP = Path(os.environ.get("CNNVIZ_APP", REPO / "app.py"))
REQUIRE_ENV = "CNNVIZ_REQUIRE_BROWSER"  # set by CI: a missing browser fails instead of skipping
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# Flags known to work on these machines: no GPU, no sandbox as root, and no network chatter.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
SERVER_START_S = 60.0
# A cold server's first render took ~6 s; the margin covers a loaded 2-core CI machine.
RENDER_TIMEOUT_MS = 60_000
# Once a run has finished, its elements are on the page: a missing one should fail fast.
ELEMENT_TIMEOUT_MS = 10_000
# After a run, the page counts as laid out once this many samples in a row, taken LAYOUT_POLL_MS
# apart, found it as the sample before (~250 ms still); it never waits longer than LAYOUT_MAX_MS.
LAYOUT_SAMPLES = 4
LAYOUT_POLL_MS = 50
LAYOUT_MAX_MS = 5_000
LOG_TAIL_CHARS = 4_000
MAX_SCREENSHOT_HEIGHT = 8_000


NOT_RUN = pytest.StashKey[str]()
FRESH = "fresh_server"  # the marker of a test that needs a Streamlit server of its own
# Fixtures that start a Streamlit server (app_url here; the classroom launchers of test_replicas).
SERVER_FIXTURES = {"app_url", "classroom", "real_classroom"}


def pytest_itemcollected(item: pytest.Item) -> None:
    """Every test in this folder is a browser test, whether or not its module says so, and one
    that starts a Streamlit server is also slow (runs before `-m` selects by marker)."""
    if HERE in Path(str(item.path)).resolve().parents:
        item.add_marker(pytest.mark.browser)
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True)  # after -m and -k chose the tests
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a browser (and without CNNVIZ_REQUIRE_BROWSER), the browser tests do not run and
    the summary says why in one line, instead of one skip line per test."""
    browser_items = [i for i in items if i.get_closest_marker("browser")]
    if not browser_items or find_chromium() is not None or _required():
        return
    items[:] = [i for i in items if not i.get_closest_marker("browser")]
    config.hook.pytest_deselected(items=browser_items)
    config.stash[NOT_RUN] = f"{len(browser_items)} browser tests not run: {_missing_browser()}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if NOT_RUN in config.stash:
        terminalreporter.write_line(config.stash[NOT_RUN], yellow=True)


def _required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0")


def _missing_browser() -> str:
    named = os.environ.get(CHROMIUM_ENV, "").strip()
    if named:
        return f"{CHROMIUM_ENV}={named} is not a file"
    return (f"no Chrome or Chromium found; install one (Debian: apt-get install chromium) or name "
            f"it with {CHROMIUM_ENV}=/path/to/chrome")


def skip_or_fail(reason: str) -> None:
    """Skip with one clear line; on CI (CNNVIZ_REQUIRE_BROWSER=1) that is a failure instead."""
    if _required():
        pytest.fail(f"{reason} ({REQUIRE_ENV} is set)")
    pytest.skip(reason)


def isolated_env(tmp_path: Path) -> dict[str, str]:
    """The server's environment: runs and datasets it makes go to the test's folder, not the repo."""
    return {**os.environ, "CNNVIZ_RUNS": str(tmp_path / "runs"), "CNNVIZ_DATA": str(tmp_path / "data")}


def free_port() -> int:
    """Ask the OS for a port nobody is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(log_path: Path) -> str:
    """The end of the server log, the part that explains a crash."""
    if not log_path.exists():
        return "(no server log)"
    return log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:]


def server_command(port: int) -> list[str]:
    """Command line of a headless Streamlit server bound to localhost only."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]


def wait_until_healthy(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    """Poll Streamlit's health endpoint until it answers "ok"; fail early if the server died."""
    url = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with code {process.returncode}:\n{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not listening yet
        time.sleep(0.2)
    pytest.fail(f"streamlit not healthy after {SERVER_START_S:.0f} s:\n{log_tail(log_path)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server politely, then by force if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Server:
    """A running Streamlit server with its training worker, and the log both write to."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def serving(folder: Path) -> Iterator[Server]:
    """Start a server whose runs, datasets and log live in ``folder``; stop it on leaving."""
    port = free_port()
    log_path = folder / "streamlit.log"
    with log_path.open("wb") as log:
        # Training runs and generated datasets are saved in the folder, and trained by a worker
        # process of their own, as `dev.py serve` starts one.
        env = isolated_env(folder)
        process = subprocess.Popen(server_command(port), cwd=REPO, stdout=log, env=env,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        worker = subprocess.Popen([sys.executable, "-m", "cnnviz.train.worker", "--threads", "1"], cwd=REPO,
                                  stdout=log, env=env, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_until_healthy(process, port, log_path)
        yield Server(f"http://127.0.0.1:{port}", process, log_path)
    finally:
        stop(worker)
        stop(process)


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Server]:
    """The server the tests of one module share, with a runs and data folder of the module's own."""
    with serving(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])) as server:
        yield server


@pytest.fixture
def app_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The base URL (no trailing slash) of the module's shared server, or of a fresh server of the
    test's own when the test is marked `fresh_server` (a deep link must work as the very FIRST
    request a server sees; a class or a training run must not be seen by another test)."""
    if request.node.get_closest_marker(FRESH):
        with serving(tmp_path) as server:
            try:
                yield server.url
            finally:
                # Shown by pytest only when the test failed: the server side of the story.
                print(f"--- streamlit log ({server.log}) ---\n{log_tail(server.log)}")
        return
    server: Server = request.getfixturevalue("module_server")
    if server.process.poll() is not None:
        pytest.fail(f"the module's streamlit server exited with code {server.process.returncode}:\n"
                    f"{log_tail(server.log)}")
    start = server.log.stat().st_size
    try:
        yield server.url
    finally:
        # What the server wrote during this test, shown by pytest only when the test failed.
        with server.log.open("rb") as log:
            log.seek(start)
            written = log.read().decode(errors="replace")
        print(f"--- streamlit log during this test ({server.log}) ---\n{written[-LOG_TAIL_CHARS:]}")


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    """One Playwright driver for the whole run."""
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    """A Chrome/Chromium of the machine; Playwright's own browser download does not work offline."""
    chromium = find_chromium()
    if chromium is None:
        skip_or_fail(_missing_browser())
    # launch() gives the browser a fresh temporary profile of its own.
    browser = playwright_session.chromium.launch(
        executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a new browser context, so no cookies or storage leak between tests."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(ELEMENT_TIMEOUT_MS)
    context.set_default_navigation_timeout(RENDER_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def wait_for_script(page: Page) -> None:
    """Wait until the app's script run has finished and the page has settled."""
    app = page.get_by_test_id("stApp")
    expect(app).to_be_attached(timeout=RENDER_TIMEOUT_MS)
    # "initial" before the first run, "running" during one, "notRunning" once it is done.
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=RENDER_TIMEOUT_MS)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=RENDER_TIMEOUT_MS)
    # Elements of the finished run are still being laid out for a moment.
    wait_for_layout(page)


# What the page shows, for telling whether it still changes: the main block's size, where it is
# scrolled to, its elements and text, and the text inside open shadow roots (the step view draws
# there); null while the main block is missing or one of its pictures is still loading.
LAYOUT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || [...main.querySelectorAll('img')].some(i => !i.complete)) return null;
  const shadows = [...main.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot.textContent);
  const top = main.firstElementChild?.getBoundingClientRect().top;  // moves while the page scrolls
  return [main.scrollWidth, main.scrollHeight, top, main.getElementsByTagName('*').length, main.innerText,
          ...shadows];
}"""


def wait_for_layout(page: Page) -> None:
    """Wait until the page has stopped changing: LAYOUT_SAMPLES samples in a row, LAYOUT_POLL_MS
    apart, each the same as the one before (at most LAYOUT_MAX_MS, then go on: a page that keeps
    moving is not a failure of this wait, and whatever a test reads next is checked by the test)."""
    deadline = time.monotonic() + LAYOUT_MAX_MS / 1000
    previous, same = None, 0
    while same < LAYOUT_SAMPLES and time.monotonic() < deadline:
        page.wait_for_timeout(LAYOUT_POLL_MS)
        try:
            sample = page.evaluate(LAYOUT_JS)
        except PlaywrightError:  # the page was navigating: nothing to compare yet
            sample = None
        same = same + 1 if sample is not None and sample == previous else 0
        previous = sample


def open_page(page: Page, url: str) -> None:
    """Navigate to `url` and wait until the app has finished rendering it."""
    page.goto(url)
    wait_for_script(page)


def assert_no_exception(page: Page) -> None:
    """Fail if the app shows an exception box or a traceback anywhere on the page."""
    exceptions = page.locator('[data-testid="stException"]')
    count = exceptions.count()
    texts = "\n---\n".join(exceptions.all_inner_texts())
    assert count == 0, f"{count} exception(s) shown on {page.url}:\n{texts}"
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, f"traceback shown on {page.url}:\n{body[-LOG_TAIL_CHARS:]}"


def cat_photo(folder: Path) -> Path:
    """The bundled cat photo (451x300) as a JPEG in ``folder``, the file a student would upload."""
    path = folder / "cat.jpg"
    Image.fromarray(np.asarray(sample_image("chelsea"))).save(path, quality=90)
    return path


def screenshot_path(name: str) -> Path:
    """Where a screenshot named after a test goes; brackets and slashes become underscores."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") + ".png")


def save_screenshot(page: Page, name: str) -> Path:
    """Save a PNG of the whole app, below the fold included, and return its path.

    Streamlit scrolls inside its own container, so a "full page" screenshot would stop at the
    viewport: the viewport is stretched to the content's height for the shot instead.
    """
    height = int(page.evaluate(
        "() => Math.max(document.body.scrollHeight,"
        " document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 0)"))
    size = page.viewport_size or VIEWPORT
    tall_height = min(max(height, size["height"]), MAX_SCREENSHOT_HEIGHT)
    tall: ViewportSize = {"width": size["width"], "height": tall_height}
    page.set_viewport_size(tall)
    path = screenshot_path(name)
    try:
        wait_for_layout(page)  # the layout follows the new viewport
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path
