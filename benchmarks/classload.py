"""The pieces of the class simulator: a real Streamlit server process (its CPU time and memory
read from /proc), simulated students clicking one widget of a page, training runs going through
the real job store and worker processes, and followers polling a presenting teacher's live file.

Students are closed-loop, like people: a student clicks, waits until the page has rerun
(``script_finished``), looks at it for 2-5 s (seeded), and clicks again.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from benchmarks.stclient import Rerun, Tab

__all__ = ["PAGES", "Page", "Server", "Training", "click_stats", "open_tabs", "run_clicks"]

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
THINK_S = (2.0, 5.0)  # a student looks at the page this long between clicks
OPEN_CONCURRENCY = 4  # tabs connecting at once while a class arrives
HEALTH_TIMEOUT_S = 180.0


# ------------------------------------------------------------------ what a student clicks


@dataclass(frozen=True)
class Page:
    """One page's click: ``path`` is its URL path; ``value(tab, n)`` gives the n-th click's widget
    value and a text the rerun must draw (proof that the click really reran the page)."""

    name: str
    path: str
    widget: str
    kind: str  # WidgetState field the widget's value travels in
    value: Callable[[Tab, int], tuple[Any, str]]


def _stride(tab: Tab, n: int) -> tuple[Any, str]:
    # The lab opens on the course's 5x5 input with a 3x3 kernel, no padding: out = (5 - 3) // s + 1
    stride = 1 + (n + 1) % 3
    out = (5 - 3) // stride + 1
    return [float(stride)], f"of {out}×{out}"


def _filter(tab: Tab, n: int) -> tuple[Any, str]:
    options = list(tab.widget("flt_filters").proto.options)
    label = options[(n + 1) % len(options)]
    return [label], f"**{label}**"


def _layer(tab: Tab, n: int) -> tuple[Any, str]:
    options = list(tab.widget("insp_layer").proto.options)
    i = (n + 1) % len(options)
    return [options[i]], f"Layer {i + 1} of {len(options)}"


PAGES = {
    "conv": Page("conv", "convolution", "lab_stride", "double_array_value", _stride),
    "filters": Page("filters", "filters", "flt_filters", "string_array_value", _filter),
    "inspect": Page("inspect", "inspect", "insp_layer", "string_array_value", _layer),
}


# ------------------------------------------------------------------ the server


@dataclass
class Server:
    """``streamlit run app.py`` of the checkout ``repo`` on ``port``, with its own runs folder."""

    repo: Path
    port: int
    runs: Path
    label: str
    python: str = sys.executable
    profile: Path | None = None  # write a cProfile of every script run and the event loop here
    replicas: int = 1  # >1: the classroom launcher's Streamlit replicas behind its nginx
    proc: subprocess.Popen | None = None
    log: Path = field(init=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.runs.mkdir(parents=True, exist_ok=True)
        self.log = self.runs / "server.log"
        env = {**os.environ, "CNNVIZ_RUNS": str(self.runs), "CNNVIZ_DATA": str(self.runs / "data"),
               "PYTHONPATH": str(self.repo)}
        opts = ["--server.headless", "true", "--server.port", str(self.port), "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false"]
        if self.replicas > 1:  # the launcher as a classroom runs it (its own training workers: none)
            if self.profile is not None:
                raise ValueError("--profile measures one Streamlit process; use it without --replicas")
            env["CNNVIZ_JOBS_CPU"] = "0"
            cmd = [self.python, "-m", "cnnviz.classroom.serve", "--replicas", str(self.replicas), *opts]
        elif self.profile is not None:
            env["CNNVIZ_BENCH_PROFILE"] = str(self.profile)
            cmd = [self.python, "-m", "benchmarks.profserve", "app.py", *opts]
            env["PYTHONPATH"] = os.pathsep.join([str(self.repo), str(Path(__file__).resolve().parents[1])])
        else:
            cmd = [self.python, "-m", "streamlit", "run", "app.py", *opts]
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.repo, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} server exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.label} server not healthy after {HEALTH_TIMEOUT_S:.0f} s")

    def _pids(self) -> list[int]:
        """The server process and, behind a launcher, its replicas and nginx (its whole tree)."""
        if self.replicas == 1:
            return [self.proc.pid]
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
        tree = [self.proc.pid]
        for pid in tree:
            tree += [child for child, parent in parents.items() if parent == pid]
        return tree

    def cpu_s(self) -> float:
        """User + system CPU seconds of the server's processes so far (/proc/<pid>/stat)."""
        total = 0
        for pid in self._pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / CLK_TCK

    def rss_mb(self) -> float:
        pages = 0
        for pid in self._pids():
            try:
                pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
            except OSError:
                continue
        return pages * PAGE_SIZE / 2**20

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # SIGTERM: the profiling wrapper writes its file on the way out
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ------------------------------------------------------------------ training runs


@dataclass
class Training:
    """Worker processes (``python -m cnnviz.train.worker``, one thread each) on the server's runs
    folder, and long runs queued through the real job store, as the Train page queues them."""

    server: Server
    workers: list[subprocess.Popen] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)

    def _store(self) -> Any:
        from cnnviz.train.jobstore import DB_NAME, JobStore  # the store's format is the baseline's too

        return JobStore(self.server.runs / DB_NAME)

    def run(self, n: int) -> None:
        """Exactly ``n`` runs training (starting workers and queueing runs as needed)."""
        from cnnviz.data.datasets import DATASETS
        from cnnviz.models.builders import ModelConfig
        from cnnviz.train.engine import TrainConfig
        from cnnviz.train.runs import RunSpec

        store = self._store()
        env = {**os.environ, "CNNVIZ_RUNS": str(self.server.runs), "CNNVIZ_DATA": str(self.server.runs / "data")}
        # the served tree's own worker (a baseline from before the subpackages has cnnviz/worker.py)
        worker = "cnnviz.train.worker" if (self.server.repo / "cnnviz" / "train" / "worker.py").exists() \
            else "cnnviz.worker"
        while len(self.workers) < n:
            with (self.server.runs / f"worker{len(self.workers)}.log").open("wb") as log:
                self.workers.append(subprocess.Popen(
                    [self.server.python, "-m", worker, "--threads", "1",
                     "--runs", str(self.server.runs)],
                    cwd=self.server.repo, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        while len(self.jobs) > n:
            store.cancel(self.jobs.pop())
        while len(self.jobs) < n:
            spec = RunSpec("digits", 4096, 256, ModelConfig("lenet5", DATASETS["digits"].shape),
                           TrainConfig(epochs=200, batch_size=128, seed=len(self.jobs)), title="bench")
            self.jobs.append(store.submit(spec.to_dict(), owner=f"bench{len(self.jobs)}", title="bench",
                                          device="cpu"))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(self._step(store, j) > 0 for j in self.jobs):
            dead = [i for i, w in enumerate(self.workers) if w.poll() is not None]
            if dead:  # a window "with runs" without them would measure nothing it claims to
                log = (self.server.runs / f"worker{dead[0]}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.server.label}: training worker {dead[0]} exited:\n{log}")
            time.sleep(0.25)  # started and past its first synced window

    @staticmethod
    def _step(store: Any, job_id: str) -> int:
        view = store.view(job_id)
        return int(view.progress.get("step") or 0) if view is not None and view.state == "running" else 0

    def steps(self) -> list[int]:
        store = self._store()
        return [self._step(store, j) for j in self.jobs]

    def stop(self) -> None:
        store = self._store()
        for j in self.jobs:
            store.cancel(j)
        self.jobs.clear()
        for w in self.workers:
            w.terminate()
        for w in self.workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
        self.workers.clear()


async def images_per_s(training: Training, seconds: float, batch: int = 128) -> list[float]:
    """Each run's images/s over the next ``seconds`` (steps done x batch size / time)."""
    if not training.jobs:
        await asyncio.sleep(seconds)
        return []
    t0, s0 = time.monotonic(), await asyncio.to_thread(training.steps)
    await asyncio.sleep(seconds)
    t1, s1 = time.monotonic(), await asyncio.to_thread(training.steps)
    return [round((b - a) * batch / (t1 - t0), 1) for a, b in zip(s0, s1)]


# ------------------------------------------------------------------ students


async def open_tabs(server: Server, page: Page, n: int, timeout: float) -> tuple[list[Tab], list[Rerun]]:
    """``n`` tabs on ``page``, at most OPEN_CONCURRENCY connecting at once."""
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def one() -> tuple[Tab, Rerun]:
        async with gate:
            tab = Tab(server.base, page.path, timeout=timeout)
            try:
                return tab, await tab.open()
            except Exception as exc:  # noqa: BLE001 - a tab that never opened counts as a failure
                return tab, Rerun(timeout, 0, 0, False, error=f"{type(exc).__name__}: {exc}")

    pairs = await asyncio.gather(*(one() for _ in range(n)))
    return [t for t, r in pairs if r.ok], [r for _, r in pairs]


async def _student(tab: Tab, page: Page, rng: random.Random, until: float, out: list[dict]) -> None:
    n = rng.randrange(1000)
    while True:
        think = rng.uniform(*THINK_S)
        if time.monotonic() + think >= until:  # no click would start inside the window
            await asyncio.sleep(max(0.0, until - time.monotonic()))
            return
        await asyncio.sleep(think)
        value, expect = page.value(tab, n)
        n += 1
        r = await tab.change(page.widget, page.kind, value)
        drew = expect in r.text
        out.append({"s": r.seconds, "bytes": r.bytes, "ok": r.ok and drew,
                    "error": r.error or ("" if drew else f"the rerun did not draw {expect!r}")})


async def run_clicks(server: Server, tabs: list[Tab], page: Page, seconds: float, seed: int,
                     training: Training | None = None) -> dict[str, Any]:
    """Every tab clicks for ``seconds``; latency, bytes, failures and server CPU per click."""
    out: list[dict] = []
    until = time.monotonic() + seconds
    cpu0, t0, own0 = server.cpu_s(), time.monotonic(), time.process_time()
    students = [_student(tab, page, random.Random(seed * 1000 + i), until, out) for i, tab in enumerate(tabs)]
    rates, *_ = await asyncio.gather(images_per_s(training, seconds) if training else asyncio.sleep(0),
                                     *students)
    cpu, wall = server.cpu_s() - cpu0, time.monotonic() - t0
    stats = click_stats(out)
    # The simulator shares the machine's cores with the server: its own CPU and the machine's load
    # say how much of a latency is queueing behind other work rather than the server's.
    stats.update(server_cpu_ms_per_click=round(1000 * cpu / max(len(out), 1), 1),
                 server_cpu_share=round(cpu / wall, 2), window_s=round(wall, 1),
                 simulator_cpu_share=round((time.process_time() - own0) / wall, 2),
                 load_average_1min=float(Path("/proc/loadavg").read_text().split()[0]))
    if training is not None and training.jobs:
        stats["training_images_per_s"] = rates
    return stats


def _pct(ms: list[float], q: float) -> float:
    return round(ms[min(len(ms) - 1, int(q * len(ms)))], 1) if ms else float("nan")


def click_stats(clicks: list[dict]) -> dict[str, Any]:
    """p50/p95/p99 of click -> script_finished (ms), failures, bytes received per click."""
    ms = sorted(c["s"] * 1000 for c in clicks)
    errors = sorted({c["error"] for c in clicks if not c["ok"]})
    return {"clicks": len(clicks), "failures": sum(not c["ok"] for c in clicks),
            "p50_ms": _pct(ms, 0.5), "p95_ms": _pct(ms, 0.95), "p99_ms": _pct(ms, 0.99),
            "max_ms": round(ms[-1], 1) if ms else float("nan"),
            "bytes_per_click": round(statistics.mean(c["bytes"] for c in clicks)) if clicks else 0,
            **({"errors": errors[:5]} if errors else {})}


def open_stats(opens: list[Rerun]) -> dict[str, Any]:
    ms = sorted(r.seconds * 1000 for r in opens)
    return {"tabs": len(opens), "failures": sum(not r.ok for r in opens), "p50_ms": _pct(ms, 0.5),
            "p95_ms": _pct(ms, 0.95), "bytes_per_open": round(statistics.mean(r.bytes for r in opens)) if opens else 0}


def export_checkout(repo: Path, rev: str, into: Path) -> Path:
    """The tree of commit ``rev`` unpacked into ``into`` (git archive: the repository is not touched)."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(repo), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into
