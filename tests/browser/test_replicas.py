"""The classroom launcher end to end: `python -m cnnviz.classroom.serve --replicas 2` (nginx in front), two
students in separate browser contexts, each kept on one replica, on different replicas, an upload
through the proxy, a run one student trains seen by the other on the other replica (the job store
is shared, not in a process's memory), then SIGTERM stops everything cleanly."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from cnnviz.classroom.nginx import HEADER, find_nginx
from cnnviz.device import cpu_cores, thread_budget

from .conftest import (ELEMENT_TIMEOUT_MS, RENDER_TIMEOUT_MS, REPO, VIEWPORT, assert_no_exception, cat_photo,
                       free_port, isolated_env, log_tail, open_page, save_screenshot, skip_or_fail)

pytestmark = pytest.mark.browser
STANDIN = REPO / "tests" / "worker_standin.py"
START_S = 240.0  # two cold replicas import torch and Streamlit side by side on a 2-core machine
STOP_S = 60.0


@dataclass
class Classroom:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    runs: Path
    ports: list[int] = field(default_factory=list)


def wait_through_proxy(room: Classroom) -> None:
    """Poll the health URL through nginx until a replica answers; fail early if the launcher died."""
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if room.process.poll() is not None:
            pytest.fail(f"launcher exited with {room.process.returncode}:\n{log_tail(room.log)}")
        try:
            with urllib.request.urlopen(f"{room.url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok" and "ready:" in room.log.read_text():
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"the classroom server did not come up in {START_S:.0f} s:\n{log_tail(room.log)}")


@pytest.fixture
def classroom(tmp_path: Path) -> Iterator[Classroom]:
    yield from _launch(tmp_path, ["--worker-command", shlex.join([sys.executable, str(STANDIN)])])


@pytest.fixture
def real_classroom(tmp_path: Path) -> Iterator[Classroom]:
    """The launcher as `python3 dev.py serve --replicas 2` starts it: real training workers."""
    yield from _launch(tmp_path, [])


def _launch(tmp_path: Path, worker: list[str]) -> Iterator[Classroom]:
    if find_nginx() is None:
        skip_or_fail("nginx is not installed (Debian: apt-get install nginx)")
    port = free_port()
    command = [sys.executable, "-m", "cnnviz.classroom.serve", "--replicas", "2", *worker,
               "--server.port", str(port), "--server.address", "127.0.0.1"]
    env = {**isolated_env(tmp_path), "CNNVIZ_JOBS_CPU": "1", "CNNVIZ_JOBS_GPU": "0"}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   stdin=subprocess.DEVNULL)
    room = Classroom(f"http://127.0.0.1:{port}", process, log, tmp_path / "runs", [port])
    try:
        wait_through_proxy(room)
        room.ports += [int(a.split("--server.port ")[1].split()[0])
                       for a in log.read_text().splitlines() if "web-" in a and "--server.port" in a]
        yield room
    finally:
        if process.poll() is None:  # the test failed before stopping it: politely first, so
            process.send_signal(signal.SIGTERM)  # the launcher removes its nginx folder
            try:
                process.wait(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        print(f"--- launcher log ({log}) ---\n{log_tail(log)}")


Served = list[tuple[str, int, str | None]]  # url, status, replica


def student(browser: Browser, url: str) -> tuple[BrowserContext, Page, Served]:
    """A browser context of its own (its own cookies), recording which replica answered what."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(ELEMENT_TIMEOUT_MS)
    context.set_default_navigation_timeout(RENDER_TIMEOUT_MS)
    served: Served = []
    context.on("response", lambda r: served.append((r.url, r.status, r.headers.get(HEADER.lower())))
               if r.url.startswith(url) else None)
    return context, context.new_page(), served


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_two_students_on_two_replicas_and_an_upload(classroom: Classroom, browser: Browser, tmp_path: Path,
                                                    request: pytest.FixtureRequest) -> None:
    url = classroom.url
    ctx_a, page_a, served_a = student(browser, url)
    ctx_b, page_b, served_b = student(browser, url)
    open_page(page_a, f"{url}/?lang=en")
    assert_no_exception(page_a)
    open_page(page_b, f"{url}/convolution?lang=en")
    assert_no_exception(page_b)
    save_screenshot(page_b, request.node.name + "_b")

    photo = cat_photo(tmp_path)
    open_page(page_a, f"{url}/filters?image=upload&filters=sobel_x,canny&lang=en")
    page_a.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    expect(page_a.locator(".st-key-flt_card_canny")).to_be_visible(timeout=ELEMENT_TIMEOUT_MS)
    assert_no_exception(page_a)
    assert "451×300" in page_a.get_by_test_id("stMain").inner_text()
    save_screenshot(page_a, request.node.name + "_upload")
    open_page(page_b, f"{url}/filters?image=chelsea&lang=en")  # B again, after A's upload
    assert_no_exception(page_b)

    replicas_a = {replica for _, _, replica in served_a}
    replicas_b = {replica for _, _, replica in served_b}
    assert len(replicas_a) == 1 and len(replicas_b) == 1, (served_a, served_b)
    assert replicas_a | replicas_b == {"web-1", "web-2"}, "both students were put on one replica"
    uploads = [replica for u, _, replica in served_a if "/_stcore/upload_file/" in u]
    assert uploads and set(uploads) == replicas_a  # the upload went to the student's own replica
    # Media (the filtered pictures) live in one replica's memory: on another they are a 404.
    assert any("/media/" in u for u, _, _ in served_a)
    # (Streamlit's frontend probes <page>/_stcore/health, a 404 by design, before the root one.)
    failed = [(u, status) for u, status, _ in served_a + served_b
              if status >= 400 and ("/media/" in u or "/_stcore/upload_file/" in u)]
    assert failed == [], failed
    ctx_a.close()
    ctx_b.close()
    stop_and_check(classroom)


def stop_and_check(room: Classroom) -> None:
    """SIGTERM: exit code 0, the worker stopped by SIGTERM, no port of the server left open."""
    (record,) = [json.loads(p.read_text()) for p in room.runs.glob("standin-*.json")]
    threads = thread_budget(cpu_cores(), 2, 1)["cpu_worker"]
    assert record["argv"] == ["--device", "cpu", "--threads", str(threads)]
    assert record["env"] == {"OMP_NUM_THREADS": str(threads), "CNNVIZ_TORCH_THREADS": str(threads)}
    room.process.send_signal(signal.SIGTERM)
    assert room.process.wait(timeout=STOP_S) == 0, log_tail(room.log)
    (record,) = [json.loads(p.read_text()) for p in room.runs.glob("standin-*.json")]
    assert record["stopped"] == "SIGTERM"
    assert len(room.ports) == 3 and not any(listening(p) for p in room.ports), room.ports
    with pytest.raises(ProcessLookupError):
        os.kill(record["pid"], 0)


def test_a_run_trained_from_one_replica_is_seen_from_the_other(real_classroom: Classroom, browser: Browser,
                                                              request: pytest.FixtureRequest) -> None:
    url = real_classroom.url
    _, page_a, served_a = student(browser, url)
    _, page_b, served_b = student(browser, url)
    open_page(page_a, f"{url}/train?n_train=2000&n_val=200&epochs=2&lang=en")
    open_page(page_b, f"{url}/?lang=en")
    page_a.locator(".st-key-tr_start_btn button").click()
    expect(page_a.get_by_text("Finished.")).to_be_visible(timeout=120_000)  # a real worker trained it
    run_id = page_a.url.split("run=")[1].split("&")[0]
    open_page(page_b, f"{url}/train?run={run_id}&lang=en")
    expect(page_b.get_by_text("Finished.")).to_be_visible()
    assert_no_exception(page_b)
    assert not page_b.locator(".st-key-tr_stop_btn").count()  # not B's run to stop
    save_screenshot(page_b, request.node.name)
    replicas = {r for _, _, r in served_a}, {r for _, _, r in served_b}
    assert len(replicas[0]) == len(replicas[1]) == 1 and replicas[0] != replicas[1], replicas
    real_classroom.process.send_signal(signal.SIGTERM)
    assert real_classroom.process.wait(timeout=STOP_S) == 0, log_tail(real_classroom.log)
