"""A class in real browsers: one teacher and two students in separate browser contexts. The students
join with the code, follow the teacher's page and settings (their browsers poll the class's live
file), answer a question, see the reveal; the presenter view is photographed at 1920x1080. Then the
class's runs: the teacher sees each student's run by nickname, overlays them, stops one and shows
one to everyone."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .conftest import ELEMENT_TIMEOUT_MS, assert_no_exception, open_page, save_screenshot, wait_for_script

PASSWORD = "sesame-browser"
TRAIN_TIMEOUT_MS = 240_000  # a tiny run, queued behind nothing, on a loaded 2-core CI machine
FOLLOW_TIMEOUT_MS = 45_000  # that students follow, not how fast (benchmarks.classroom measures that): a cold page on a loaded CI machine
# A class started here must not be seen by another test, nor its teacher password set for one.
pytestmark = [pytest.mark.browser, pytest.mark.fresh_server]


@pytest.fixture
def teacher_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNVIZ_TEACHER_PASSWORD", PASSWORD)  # read by the app_url server


def _context_page(browser: Browser, width: int = 1366, height: int = 768) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(ELEMENT_TIMEOUT_MS)
    return context.new_page()


def _start_class(page: Page, app_url: str) -> str:
    open_page(page, f"{app_url}/?lang=en")
    page.get_by_role("textbox", name="Teacher password").fill(PASSWORD)
    page.get_by_role("button", name="I am the teacher").click()
    wait_for_script(page)
    page.get_by_role("button", name="Start a class").click()
    expect(page.get_by_text("Join code:")).to_be_visible()
    wait_for_script(page)
    code = re.search(r"Join code: ([A-Z0-9]{6})", page.locator("body").inner_text())
    assert code, page.locator("body").inner_text()[:500]
    return code.group(1)


def _join(page: Page, app_url: str, code: str, nickname: str) -> None:
    open_page(page, f"{app_url}/?join={code}&lang=en")
    page.get_by_role("textbox", name="Your nickname").fill(nickname)
    page.get_by_role("button", name="Join the class").click()
    wait_for_script(page)
    expect(page.get_by_text(f"Class {code} · {nickname}")).to_be_visible()


def _press_right(page: Page, key: str, param: str, value: int) -> None:
    """One step right on slider ``key``, until the page's URL shows ``param=value``."""
    slider = page.locator(f".st-key-{key} input[type=range]")  # react-aria's slider thumb
    for _ in range(3):  # a key pressed while a loaded server still redraws the slider can be lost
        slider.focus()
        page.keyboard.press("ArrowRight")
        wait_for_script(page)
        try:
            page.wait_for_url(re.compile(rf"\b{param}=({value}|[{value + 1}-9])\b"), timeout=15_000)
            break
        except PlaywrightTimeoutError:
            continue
    expect(page).to_have_url(re.compile(rf"/convolution\?.*\b{param}={value}\b"))  # the change itself happened


def test_students_follow_the_teacher_and_answer_a_question(teacher_env: None, app_url: str,
                                                           browser: Browser) -> None:
    teacher = _context_page(browser, 1920, 1080)
    students = [_context_page(browser) for _ in range(2)]
    code = _start_class(teacher, app_url)
    for page, name in zip(students, ("Ana", "Bảo")):
        _join(page, app_url, code, name)
    teacher.get_by_test_id("stSidebar").get_by_role("link", name="Convolution").click()  # same session
    wait_for_script(teacher)
    teacher.locator(".st-key-cls_presenting label").click()  # Present to the class
    wait_for_script(teacher)
    expect(teacher.locator(".st-key-lab_stride")).to_be_visible()
    started = time.monotonic()
    _press_right(teacher, "lab_stride", "stride", 2)  # stride 1 -> 2
    for page in students:  # each student's page moves to the teacher's page and stride by itself
        expect(page).to_have_url(re.compile(r"/convolution\?.*\bstride=2\b"), timeout=FOLLOW_TIMEOUT_MS)
        wait_for_script(page)
        assert_no_exception(page)
    followed_s = time.monotonic() - started
    assert followed_s < FOLLOW_TIMEOUT_MS / 1000
    print(f"both students followed in {followed_s:.2f} s")
    # the first question offered is the lab's own about its view: rows of the output (stride 2: 2)
    teacher.locator(".st-key-cls_ask_btn button").click()
    wait_for_script(teacher)
    for page, answer in zip(students, ("2", "5")):
        expect(page.get_by_text("Question:")).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
        page.get_by_role("textbox", name="Your answer").fill(answer)
        page.get_by_role("button", name="Send").click()
        wait_for_script(page)
        # the question reached the page by a whole-page run started in the lab's fragment: the lab's own
        # widgets still show the teacher's state
        expect(page.locator(".st-key-lab_stride")).to_contain_text("2")
        expect(page.get_by_text("1 map of 2×2")).to_be_visible()
    expect(teacher.get_by_text("2 / 2")).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
    teacher.locator(".st-key-cls_big label").click()  # presenter view
    wait_for_script(teacher)
    # the lab keeps its state (a new element above the page once reset its widgets)
    expect(teacher.locator(".st-key-lab_rows input")).to_have_value("5")
    expect(teacher.get_by_text("1 map of 2×2")).to_be_visible()
    save_screenshot(teacher, "classroom_teacher_presenter_1920")
    teacher.locator(".st-key-cls_reveal_btn button").click()
    wait_for_script(teacher)
    expect(students[0].get_by_text("You were right.")).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
    expect(students[1].get_by_text("You answered 5.")).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
    save_screenshot(students[1], "classroom_student_after_reveal_1366")
    assert_no_exception(teacher)
    # the presenter view stays on from page to page (a widget's state alone is dropped there)
    assert teacher.evaluate("getComputedStyle(document.documentElement).fontSize") == "22px"
    teacher.get_by_test_id("stSidebar").get_by_role("link", name="Filters").click()
    wait_for_script(teacher)
    expect(teacher.locator(".st-key-cls_big input")).to_be_checked()
    assert teacher.evaluate("getComputedStyle(document.documentElement).fontSize") == "22px"
    save_screenshot(teacher, "classroom_teacher_presenter_filters_1920")
    # Back on the lab: a student who changes a setting there explores alone from the teacher's next change
    teacher.get_by_test_id("stSidebar").get_by_role("link", name="Convolution").click()
    wait_for_script(teacher)
    ana, bao = students
    for page in students:
        expect(page).to_have_url(re.compile(r"/convolution\?.*\bstride=2\b"), timeout=FOLLOW_TIMEOUT_MS)
        wait_for_script(page)
    _press_right(bao, "lab_dilation", "dilation", 2)
    _press_right(teacher, "lab_stride", "stride", 3)
    expect(ana).to_have_url(re.compile(r"/convolution\?.*\bstride=3\b"), timeout=FOLLOW_TIMEOUT_MS)
    expect(bao.get_by_role("button", name="Follow the teacher again")).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
    expect(bao).to_have_url(re.compile(r"\bdilation=2\b.*\bstride=2\b"))  # her own view, kept
    save_screenshot(bao, "classroom_student_exploring_1366")
    bao.get_by_role("button", name="Follow the teacher again").click()
    expect(bao).to_have_url(re.compile(r"\bdilation=1\b.*\bstride=3\b"), timeout=FOLLOW_TIMEOUT_MS)
    # a change the lab's fragment cannot show (another operation) reruns the followers' whole page
    teacher.locator(".st-key-lab_view").get_by_text("Pooling", exact=True).click()
    wait_for_script(teacher)
    for page in students:
        expect(page).to_have_url(re.compile(r"\bview=pool\b"), timeout=FOLLOW_TIMEOUT_MS)
        expect(page.locator(".st-key-lab_pool_size")).to_be_visible()
    for page in (teacher, *students):
        assert_no_exception(page)


# The traces of the class panel's chart, read in one go (a chart being redrawn is briefly there twice)
OVERLAY_JS = """() => {
  const box = [...document.querySelectorAll('.st-key-cr_curves')].find(e => e.closest('[data-stale="true"]') === null);
  return [...(box?.querySelector('.js-plotly-plot')?.data ?? [])].map(t => ({name: t.name, n: (t.x ?? []).length}));
}"""


def _choose(page: Page, key: str, option: str) -> None:
    """Pick the option whose text holds ``option`` in the select or multiselect under ``key``."""
    page.locator(f".st-key-{key}").get_by_role("combobox").click()
    page.get_by_role("option", name=re.compile(re.escape(option))).click()
    page.keyboard.press("Escape")  # a multiselect's list stays open for more
    wait_for_script(page)


def test_the_teacher_sees_the_class_runs_overlays_them_stops_one_and_shows_one(teacher_env: None, app_url: str,
                                                                                browser: Browser) -> None:
    teacher = _context_page(browser, 1920, 1080)
    ana, bao = (_context_page(browser) for _ in range(2))
    code = _start_class(teacher, app_url)
    # Ana's run is tiny and finishes; Bảo's is long (the one worker trains it after Ana's) until stopped
    runs = {}
    for page, name, query in ((ana, "Ana", "n_train=200&n_val=100&epochs=2"),
                              (bao, "Bảo", "n_train=15000&n_val=500&epochs=25")):
        _join(page, app_url, code, name)
        page.wait_for_function("() => document.cookie.includes('cnnviz_member=')")  # the page keeps the membership
        open_page(page, f"{app_url}/train?{query}&lang=en")  # a new page of the same browser: still in the class
        expect(page.get_by_text(f"Class {code} · {name}")).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
        # and the link's settings (a rejoin a run after the page's first once showed every widget's first option)
        expect(page.locator(".st-key-tr_n_train")).to_contain_text(query.split("&")[0].split("=")[1], timeout=FOLLOW_TIMEOUT_MS)
        page.locator(".st-key-tr_start_btn button").click()
        wait_for_script(page)
        expect(page).to_have_url(re.compile(r"\brun=[\w-]+"), timeout=FOLLOW_TIMEOUT_MS)
        runs[name] = re.search(r"\brun=([\w-]+)", page.url).group(1)  # type: ignore[union-attr]
        expect(page.get_by_text("The class's runs")).to_have_count(0)  # a student sees no one else's runs
    expect(ana.get_by_text("Finished.")).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    teacher.get_by_test_id("stSidebar").get_by_role("link", name="Train").click()
    wait_for_script(teacher)
    expect(teacher.get_by_role("heading", name="The class's runs")).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
    for name in ("Ana", "Bảo"):
        _choose(teacher, "cr_overlay", f"{name} · ")
    teacher.wait_for_function(f"() => ['Ana', 'Bảo'].every(n => ({OVERLAY_JS})().some(t => t.name.startsWith(n + ' · ')))",
                              timeout=FOLLOW_TIMEOUT_MS)
    traces = teacher.evaluate(OVERLAY_JS)
    for name in ("Ana", "Bảo"):  # each run's lines carry its student's nickname and its id
        assert any(t["name"].startswith(f"{name} · ") and runs[name] in t["name"] for t in traces), traces
    assert max(t["n"] for t in traces if t["name"].startswith("Ana · ")) == 2  # her two epochs
    save_screenshot(teacher, "classroom_teacher_class_runs_1920")
    # the teacher stops Bảo's run; his own page says so
    _choose(teacher, "cr_pick", f"({runs['Bảo']})")
    teacher.get_by_role("button", name="Stop this run").click()
    wait_for_script(teacher)
    expect(bao.get_by_text("Stopped. The epochs finished before stopping are saved.")).to_be_visible(
        timeout=TRAIN_TIMEOUT_MS)
    # presenting, the teacher shows Ana's run to everyone: Bảo's page follows to it
    teacher.locator(".st-key-cls_presenting label").click()
    wait_for_script(teacher)
    _choose(teacher, "cr_pick", f"({runs['Ana']})")
    teacher.get_by_role("button", name="Show this run to everyone").click()
    wait_for_script(teacher)
    expect(teacher).to_have_url(re.compile(rf"\brun={re.escape(runs['Ana'])}(&|$)"), timeout=FOLLOW_TIMEOUT_MS)
    expect(bao).to_have_url(re.compile(rf"/train\?.*\brun={re.escape(runs['Ana'])}(&|$)"), timeout=FOLLOW_TIMEOUT_MS)
    wait_for_script(bao)
    expect(bao.get_by_text("Finished.")).to_be_visible(timeout=FOLLOW_TIMEOUT_MS)
    for page in (teacher, ana, bao):
        assert_no_exception(page)
    # Ana leaves the class: her browser forgets it, so a reload keeps her out
    ana.get_by_role("button", name="Leave the class").click()
    wait_for_script(ana)
    expect(ana.get_by_text(f"Class {code} · Ana")).to_have_count(0, timeout=FOLLOW_TIMEOUT_MS)
    ana.wait_for_function("() => !document.cookie.includes('cnnviz_member=')"
                          " && localStorage.getItem('cnnviz_member') === null")
    open_page(ana, f"{app_url}/train?lang=en")
    expect(ana.get_by_text(f"Class {code} · Ana")).to_have_count(0, timeout=FOLLOW_TIMEOUT_MS)
    assert_no_exception(ana)
