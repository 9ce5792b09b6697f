"""The class simulator in its quick mode: a real server, two students clicking the Convolution
lab's stride, two followers of a presenting teacher. Checks the report's shape and that every
click really reran the page (the rerun drew the new stride's output size)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from benchmarks import classroom
from benchmarks.classload import Server, click_stats
from benchmarks.stclient import Tab
from cnnviz.classroom.nginx import find_nginx
from tests.browser.conftest import free_port

T = TypeVar("T")


def _own_thread(call: Callable[[], T]) -> T:
    """Run ``call`` in a thread of its own: the browser tests' Playwright session keeps an event
    loop running in the main thread for the rest of the test run, and asyncio.run refuses to start
    a loop inside a running one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@pytest.mark.slow
def test_quick_run_reports_every_scenario(tmp_path: Path) -> None:
    files = _own_thread(lambda: classroom.main(["--quick", "--pages", "conv", "--out", str(tmp_path)]))
    assert sorted(p.name for p in tmp_path.glob("*.json")) == sorted(files) == [
        "classroom_2.json", "classroom_follow.json", "classroom_training.json"]
    assert files["classroom_2.json"]["commit"]  # the measured tree
    conv = files["classroom_2.json"]["servers"]["current"]["conv"]
    assert conv["open"] == {**conv["open"], "tabs": 2, "failures": 0}
    clicks = conv["training_0"]
    assert clicks["clicks"] >= 2 and clicks["failures"] == 0, clicks
    assert 0 < clicks["p50_ms"] <= clicks["p95_ms"] <= clicks["p99_ms"] <= clicks["max_ms"]
    assert clicks["bytes_per_click"] > 1000 and clicks["server_cpu_ms_per_click"] > 0
    assert {"simulator_cpu_share", "load_average_1min"} <= clicks.keys() and clicks["window_s"] >= 3.5
    assert conv["rss_per_idle_session_mb"] >= 0 and conv["server_rss_mb"] > 100
    follow = files["classroom_follow.json"]["servers"]["current"]
    assert follow["joined"] == 2 and follow["changes"] == 3 and follow["followed"] == 6, follow
    assert follow["failures"] == 0 and 0 < follow["fetched_p50_ms"] <= follow["p50_ms"]
    assert files["classroom_training.json"]["servers"]["current"]["solo_images_per_s"] == {}


@pytest.mark.slow
@pytest.mark.skipif(find_nginx() is None, reason="nginx is not installed")
def test_quick_run_through_the_launchers_replicas_and_nginx(tmp_path: Path) -> None:
    """--replicas 2: the same class through `python -m cnnviz.classroom.serve --replicas 2`."""
    files = _own_thread(lambda: classroom.main(["--quick", "--pages", "conv", "--replicas", "2",
                                                "--out", str(tmp_path)]))
    assert files["classroom_2.json"]["replicas"] == 2
    conv = files["classroom_2.json"]["servers"]["current"]["conv"]
    assert conv["open"]["failures"] == 0 and conv["training_0"]["failures"] == 0
    assert conv["server_rss_mb"] > 200  # two Streamlit processes (and nginx) counted, not the launcher alone
    follow = files["classroom_follow.json"]["servers"]["current"]
    assert follow["followed"] == 6 and follow["failures"] == 0, follow


@pytest.mark.slow
def test_a_click_reruns_the_page_in_its_new_state(tmp_path: Path) -> None:
    """The protocol client alone: each stride drawn as its output size, the URL following."""
    server = Server(classroom.ROOT, free_port(), tmp_path / "runs", "test")
    server.start()

    async def clicks() -> list[tuple[int, bool, bool, str]]:
        tab = Tab(server.base, "convolution", timeout=60)
        first = await tab.open()
        assert first.ok and "of 3×3" in first.text, first.error
        seen = []
        for stride, out in ((2, 2), (3, 1), (1, 3)):
            r = await tab.change("lab_stride", "double_array_value", [float(stride)])
            seen.append((stride, r.ok, f"of {out}×{out}" in r.text, tab.query))
        await tab.close()
        return seen

    try:
        for stride, ok, drew, query in _own_thread(lambda: asyncio.run(clicks())):
            assert ok and drew, stride
            assert f"stride={stride}&" in query + "&"
    finally:
        server.stop()


def test_click_stats_count_failures_and_order_percentiles() -> None:
    clicks = [{"s": s / 1000, "bytes": 100, "ok": s != 40, "error": "" if s != 40 else "late"}
              for s in range(1, 101)]
    stats = click_stats(clicks)
    assert stats["clicks"] == 100 and stats["failures"] == 1 and stats["errors"] == ["late"]
    assert (stats["p50_ms"], stats["p95_ms"], stats["p99_ms"], stats["max_ms"]) == (51.0, 96.0, 100.0, 100.0)
