"""A server's job queue in miniature for tests: the real SQLite job store and a real Worker in a
thread (the same code a worker process runs), with bounded waits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from cnnviz.train.jobs import JobView
from cnnviz.train.jobstore import DB_NAME, JobStore
from cnnviz.train.runs import RunSpec
from cnnviz.train.worker import Worker

TIMEOUT = 120.0


class Queue:
    """``submit`` a RunSpec, ``wait`` for it; ``start``/``stop`` the worker thread."""

    def __init__(self, runs: Path, start: bool = True) -> None:
        self.runs = Path(runs)
        self.store = JobStore(self.runs / DB_NAME)
        self.worker: Worker | None = None
        self.thread: threading.Thread | None = None
        if start:
            self.start()

    def start(self) -> None:
        self.worker = Worker(self.store, "cpu")
        self.thread = threading.Thread(target=self.worker.run, name="test-worker", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = TIMEOUT) -> None:
        if self.worker is not None and self.thread is not None:
            self.worker.stop()
            self.thread.join(timeout)
            assert not self.thread.is_alive(), "the worker did not stop"
        self.worker = self.thread = None

    def submit(self, spec: RunSpec, owner: str = "student", title: str = "") -> str:
        return self.store.submit(spec.to_dict(), owner=owner, title=title or spec.title, device="cpu")

    def wait(self, job_id: str, until=lambda v: not v.active, timeout: float = TIMEOUT) -> JobView:
        """Poll the store until ``until(view)``; fails the test after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            view = self.store.view(job_id)
            if view is not None and until(view):
                return view
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not get there in {timeout} s: {self.store.view(job_id)}")
