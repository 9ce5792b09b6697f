"""Several students' runs at once, the way the app runs them: a job store and worker processes.

Starts ``workers`` processes of ``python -m cnnviz.train.worker`` on one device (cuda:0, or cpu in the
tests) over a job store in a temporary runs folder, warms each up with a tiny run (its first run
imports the training stack and creates the CUDA context), trains one run alone, then ``workers``
runs at once, and reports each run's images/s, their sum and the device memory in use, against the
run alone. Knows nothing about the other GPU measurements (benchmarks.gpu calls it).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import torch

from cnnviz.data.datasets import load_embedded
from cnnviz.models.builders import ModelConfig
from cnnviz.train.engine import TrainConfig
from cnnviz.train.jobs import JobView
from cnnviz.train.jobstore import DB_NAME, JobStore
from cnnviz.train.runs import RunSpec

__all__ = ["JOB_MODEL", "JOB_TRAIN", "concurrent_jobs", "job_spec", "run_summary"]

ROOT = Path(__file__).resolve().parents[1]
# A student's run on the Train page: its defaults (Adam 3e-3, one-cycle, batch 128) with
# TinyVGG on the CIFAR-shaped set, the model the page offers for colour images
JOB_MODEL = ModelConfig("tinyvgg", (3, 32, 32), activation="relu", init="he")
JOB_TRAIN = TrainConfig(epochs=3, batch_size=128, optimizer="adam", lr=3e-3, schedule="onecycle",
                        seed=0)
START_TIMEOUT_S = 90.0
POLL_S = 0.1


def job_spec(n_train: int, n_val: int, epochs: int) -> RunSpec:
    return RunSpec("shapes", n_train, n_val, JOB_MODEL,
                   TrainConfig(**{**JOB_TRAIN.to_dict(), "epochs": epochs}), title="benchmark")


# ---------------------------------------------------------------------------------------------
# Worker processes


def _start_workers(count: int, device: str, runs: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "CNNVIZ_RUNS": str(runs), "PYTHONUNBUFFERED": "1",
           "CNNVIZ_DATA": str(Path(os.environ.get("CNNVIZ_DATA", "data")).resolve()),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    procs = []
    for i in range(count):
        log = open(runs / f"worker-{i}.log", "wb")  # noqa: SIM115 - closed with the process
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "cnnviz.train.worker", "--device", device, "--runs", str(runs)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        log.close()  # the child holds its own descriptor
    return procs


def _log_tail(runs: Path, i: int, chars: int = 1500) -> str:
    try:
        return (runs / f"worker-{i}.log").read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def _wait_registered(store: JobStore, procs: list[subprocess.Popen], runs: Path,
                     timeout_s: float) -> float:
    """Seconds until every worker process has registered in the store; RuntimeError if one dies."""
    start = time.perf_counter()
    want = {p.pid for p in procs}
    while time.perf_counter() - start < timeout_s:
        for i, p in enumerate(procs):
            if p.poll() is not None:
                raise RuntimeError(f"worker {i} exited with {p.returncode}: {_log_tail(runs, i)}")
        if want <= {w["pid"] for w in store.live_workers()}:
            return time.perf_counter() - start
        time.sleep(POLL_S)
    raise RuntimeError(f"the workers did not register within {timeout_s:.0f} s")


def _stop_workers(procs: list[subprocess.Popen]) -> None:
    """SIGTERM (the worker hands its run back and exits), then SIGKILL for any that hang."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# Device memory while runs train


class _MemorySampler:
    """Peak memory in use on the whole GPU (every process), sampled every 0.1 s; None on a CPU."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.idle = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="gpu-memory", daemon=True)

    def _used(self) -> int:
        free, total = torch.cuda.mem_get_info(self.device)
        return total - free

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self._used())

    def __enter__(self) -> _MemorySampler:
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
            self.idle = self.peak = self._used()
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def report(self) -> dict[str, float] | None:
        if self.device.type != "cuda":
            return None
        mib = 2 ** 20
        return {"idle_mib": round(self.idle / mib, 1), "peak_mib": round(self.peak / mib, 1),
                "added_by_runs_mib": round((self.peak - self.idle) / mib, 1)}


# ---------------------------------------------------------------------------------------------
# Runs and their numbers


def _run_all(store: JobStore, spec: RunSpec, count: int, kind: str,
             timeout_s: float) -> list[JobView]:
    """Submit ``count`` copies of ``spec`` (one per student) at once and wait until all ended."""
    ids = [store.submit(spec.to_dict(), owner=f"student{i}", title=spec.title, device=kind)
           for i in range(count)]
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        views = [store.view(i) for i in ids]
        if all(v is not None and not v.active for v in views):
            return views  # type: ignore[return-value]
        time.sleep(POLL_S)
    for job_id in ids:  # over time: stop them, report what finished
        store.cancel(job_id)
    return [v for v in (store.view(i) for i in ids) if v is not None]


def run_summary(view: JobView, n_train: int) -> dict[str, Any]:
    """One run's state, per-epoch images/s and wall-clock rate, from its job-store record.

    ``images_per_s`` is the median of the epochs after the first (which pays for the process's
    first CUDA calls); the only epoch's rate when there is one. Epoch seconds include evaluation.
    """
    history = view.progress.get("history", [])
    rates = [round(r["images_per_s"], 1) for r in history]
    steady = rates[1:] or rates
    wall = (view.finished or 0) - (view.started or 0)
    images = n_train * len(history)
    return {"state": view.state, "error_key": view.error_key, "epochs": len(history),
            "epoch_images_per_s": rates,
            "images_per_s": round(statistics.median(steady), 1) if steady else None,
            "started": view.started, "finished": view.finished, "wall_s": round(wall, 3),
            "wall_images_per_s": round(images / wall, 1) if wall > 0 and images else None}


def _together(runs: list[dict[str, Any]], n_train: int) -> dict[str, Any]:
    """Sum of the runs' rates, the whole span's rate, and how much of the span they overlapped."""
    rates = [r["images_per_s"] for r in runs if r["images_per_s"]]
    starts = [r["started"] for r in runs if r["started"]]
    ends = [r["finished"] for r in runs if r["finished"]]
    span = max(ends) - min(starts) if starts and ends else 0.0
    overlap = max(0.0, min(ends) - max(starts)) if starts and ends else 0.0
    images = n_train * sum(r["epochs"] for r in runs)
    return {"sum_images_per_s": round(sum(rates), 1) if rates else None,
            "span_s": round(span, 3), "overlap_fraction": round(overlap / span, 3) if span else None,
            "span_images_per_s": round(images / span, 1) if span > 0 and images else None}


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def concurrent_jobs(device: torch.device, n_train: int, n_val: int, epochs: int,
                    workers: int = 4, timeout_s: float = 240.0) -> dict[str, Any]:
    """One run alone, then ``workers`` runs at once, on ``workers`` worker processes."""
    spec = job_spec(n_train, n_val, epochs)
    load_embedded(spec.dataset, n_train, n_val, seed=spec.train.seed)  # cached for the workers
    worker_device = f"cuda:{device.index or 0}" if device.type == "cuda" else "cpu"
    with tempfile.TemporaryDirectory(prefix="cnnviz-bench-runs-") as folder:
        runs = Path(folder)
        store = JobStore(runs / DB_NAME)
        procs = _start_workers(workers, worker_device, runs)
        try:
            started_s = _wait_registered(store, procs, runs, START_TIMEOUT_S)
            # Runs that outlast a worker's 1 s poll: every idle worker claims one of them
            warm = job_spec(min(n_train, 2 * spec.train.batch_size), n_val, 1)
            load_embedded(warm.dataset, warm.n_train, n_val, seed=warm.train.seed)
            warmed = [v.state for v in _run_all(store, warm, workers, device.type, timeout_s)]
            with _MemorySampler(device) as mem_alone:
                alone = [run_summary(v, n_train) for v in _run_all(store, spec, 1, device.type, timeout_s)]
            with _MemorySampler(device) as mem_all:
                together = [run_summary(v, n_train)
                            for v in _run_all(store, spec, workers, device.type, timeout_s)]
        finally:
            _stop_workers(procs)
            store.close()
    one = alone[0]["images_per_s"] if alone else None
    summary = _together(together, n_train)
    per_run = [r["images_per_s"] for r in together if r["images_per_s"]]
    return {
        "workers": workers, "worker_device": worker_device, "worker_pids": [p.pid for p in procs],
        "worker_exit_codes": [p.returncode for p in procs], "worker_start_s": round(started_s, 2),
        "warm_up_states": warmed,
        "spec": spec.to_dict(), "alone": alone, "together": together, **summary,
        "per_run_vs_alone": _ratio(statistics.median(per_run) if per_run else None, one),
        "sum_vs_alone": _ratio(summary["sum_images_per_s"], one),
        "span_vs_alone_wall": _ratio(summary["span_images_per_s"],
                                     alone[0]["wall_images_per_s"] if alone else None),
        "memory_alone": mem_alone.report(), "memory_together": mem_all.report(),
    }
