"""A training worker: a process that takes runs from the job store one at a time and trains them.

    python -m cnnviz.train.worker --device cpu --threads 1       # what `python3 dev.py serve` starts
    python -m cnnviz.train.worker --backend ray --address auto   # the same queue on a Ray cluster (cnnviz.train.rayjobs)

Training outside the web server means no student's click waits on the GIL of a training step, and
a crash takes down one run, not the class. The worker beats every 2 s; a run it drops (kill -9,
out of memory) is taken back by ``JobStore.recover`` and resumes elsewhere from its last epoch.
SIGTERM stops the current run at its next step and hands it back to the queue.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz.device import configure_threads
from cnnviz.train.jobs import JobCancelled, JobContext, error_of, is_oom, release_memory
from cnnviz.train.jobstore import JobStore, default_store

__all__ = ["BEAT_S", "FLUSH_S", "StoreContext", "Worker", "main"]

BEAT_S = 2.0
FLUSH_S = 0.5  # progress reaches the store at most twice a second (and at every epoch)
POLL_S = 1.0
LOG = logging.getLogger("cnnviz.train.worker")


def _plain(value: Any) -> Any:
    """JSON for the store: arrays become nested lists, non-finite floats stay (json allows NaN)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON: {type(value).__name__}")


class StoreContext(JobContext):
    """A job context whose progress goes to the job store (throttled) and whose cancel flag is set
    by the worker's heartbeat when a student presses Stop."""

    def __init__(self, job_id: str, device: str, store: JobStore) -> None:
        super().__init__(job_id, device)
        self.store = store
        self.handing_back = False  # set on shutdown: the run goes back to the queue, not "cancelled"
        self.lost = False  # the store gave the run to another worker: record nothing more
        self._sent = 0.0

    def changed(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._sent >= FLUSH_S:
            self._sent = now
            self.flush()

    def flush(self) -> None:
        if not self.lost and self.store.report(self.job_id,
                                               json.loads(json.dumps(self.progress(), default=_plain))):
            self.cancelled.set()  # a student pressed Stop


class Worker:
    """Claims jobs for ``device`` from ``store`` and runs them until ``stop`` is called."""

    def __init__(self, store: JobStore, device: str = "cpu", worker_id: str | None = None) -> None:
        self.store, self.device = store, device
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.stopping = threading.Event()
        self.current: StoreContext | None = None
        self._lock = threading.Lock()

    def stop(self) -> None:
        """Finish soon: the current run stops at its next step and is handed back to the queue."""
        self.stopping.set()
        with self._lock:
            if self.current is not None:
                self.current.handing_back = True
                self.current.cancelled.set()

    def _beat(self) -> None:
        while not self.stopping.wait(BEAT_S):
            with self._lock:
                ctx = self.current
            try:
                answer = self.store.beat(self.id, ctx.job_id if ctx else None)
            except Exception:  # noqa: BLE001 - a busy database must not kill the heartbeat
                LOG.warning("heartbeat failed", exc_info=True)
                continue
            if ctx is not None and answer != "ok":  # Stop pressed, or the run was taken back
                if answer == "lost":
                    ctx.lost = ctx.handing_back = True
                ctx.cancelled.set()

    def run(self, once: bool = False) -> None:
        """Work until stopped (or, with ``once``, until the queue is empty)."""
        self.store.register_worker(self.id, self.device)
        beat = threading.Thread(target=self._beat, name="cnnviz-worker-beat", daemon=True)
        beat.start()
        try:
            while not self.stopping.is_set():
                self.store.recover()
                claimed = self.store.claim(self.id, self.device)
                if claimed is None:
                    if once:
                        return
                    self.stopping.wait(POLL_S)
                    continue
                self.run_one(*claimed)
        finally:
            self.stopping.set()
            self.store.unregister_worker(self.id)

    def run_one(self, job_id: str, spec: dict[str, Any], attempts: int) -> str:
        """Train one claimed job to its end; returns the state recorded in the store."""
        from cnnviz.train.runs import RunSpec, run_job  # the training stack loads only in workers

        ctx = StoreContext(job_id, self.device, self.store)
        with self._lock:
            self.current = ctx
        state, error = "done", None
        try:
            run_job(RunSpec.from_dict(spec), root=self.store.path.parent, resume=attempts > 0)(ctx)
            state = "cancelled" if ctx.cancelled.is_set() else "done"
        except JobCancelled:
            state = "cancelled"
        except BaseException as exc:  # noqa: BLE001 - every failure becomes the job's state
            state, error = "failed", error_of(exc, self.device)
            if is_oom(exc):
                release_memory()
        finally:
            with self._lock:
                self.current = None
        if state == "cancelled" and ctx.handing_back:
            state = "queued"  # shut down mid-run: another worker resumes it from its last epoch
        ctx.flush()
        key, args = error if state == "failed" and error else (None, None)
        if not self.store.finish(job_id, state, key, args, worker_id=self.id):
            LOG.warning("run %s was taken back from this worker; its end is not recorded", job_id)
        return state


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train queued cnnviz runs, one at a time.")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda:N for a GPU")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: 1)")
    parser.add_argument("--runs", type=Path, default=None, help="runs folder (default: CNNVIZ_RUNS or runs)")
    parser.add_argument("--once", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--backend", choices=("local", "ray"), default="local",
                        help="local: train here on --device; ray: dispatch to a Ray cluster (cnnviz.train.rayjobs)")
    parser.add_argument("--address", default=None, help="with --backend ray: the cluster's address")
    args, rest = parser.parse_known_args(argv)
    if args.backend == "ray":  # --threads: CPUs per run there; other options go to cnnviz.train.rayjobs
        from cnnviz.train.rayjobs import main as ray_main

        return ray_main([*(["--address", args.address] if args.address else []),
                         *(["--runs", str(args.runs)] if args.runs else []),
                         "--threads", str(args.threads or 1), *(["--once"] if args.once else []), *rest])
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s cnnviz.train.worker %(message)s")
    threads = configure_threads(args.threads or 1)
    worker = Worker(default_store(args.runs), args.device)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    LOG.info("worker %s on %s with %d thread(s), runs in %s", worker.id, args.device, threads,
             worker.store.path.parent)
    worker.run(once=args.once)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
