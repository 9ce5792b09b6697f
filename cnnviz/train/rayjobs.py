"""Training on a Ray cluster behind the same job store: a dispatcher claims queued runs while the
cluster has room, starts each as a Ray task (cnnviz.train.rayremote) that Ray places on a machine with a
free CPU or GPU, writes the progress and files that come back into the store and the run folder,
and beats for every run. It places nothing itself (Ray does) and queues nothing (the store does).

    python -m cnnviz.train.rayjobs --address auto        # the same: python -m cnnviz.train.worker --backend ray
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ray
import torch
from ray.exceptions import OutOfMemoryError, RayError, RayTaskError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from cnnviz.fileio import write_atomic
from cnnviz.train.backends import ENV_JOBS, jobs_backend
from cnnviz.train.jobs import error_of
from cnnviz.train.jobstore import MAX_ATTEMPTS, JobStore, default_store
from cnnviz.train.rayremote import CANCEL, HANDBACK, Mailbox, plain_name, train_remote
from cnnviz.train.runs import run_dir
from cnnviz.train.worker import BEAT_S, StoreContext

__all__ = ["ENV_JOBS", "RayDispatcher", "capacity", "connect", "jobs_backend", "main", "task_error"]

ENV_JOBS_GPU = "CNNVIZ_JOBS_GPU"
POLL_S = 0.5
HANDBACK_S = 15.0  # on shutdown, runs get this long to stop at a step and send their last files
GPU_TASK_CPUS = 1  # the CPU thread that feeds a GPU
LOG = logging.getLogger("cnnviz.train.rayjobs")


def capacity(resources: Mapping[str, float], cpus_per_run: int, runs_per_gpu: int) -> dict[str, int]:
    """Runs that fit in a cluster of ``resources`` (ray.cluster_resources()) at once, per device kind.

    Each GPU takes ``runs_per_gpu`` runs, each holding one CPU to feed it; the remaining CPUs take
    runs of ``cpus_per_run``. E.g. 16 CPUs and 2 GPUs, 1 CPU per run, 2 runs per GPU: 4 + 12."""
    if cpus_per_run < 1 or runs_per_gpu < 1:
        raise ValueError("cpus_per_run and runs_per_gpu must be at least 1")
    cuda = int(resources.get("GPU", 0)) * runs_per_gpu
    cpu = int((resources.get("CPU", 0) - cuda * GPU_TASK_CPUS) // cpus_per_run)
    return {"cpu": max(cpu, 0), "cuda": cuda}


def connect(address: str, **init: Any) -> None:
    """ray.init for the dispatcher. The cnnviz package travels to every machine with the runs
    (Ray's py_modules), so a worker machine needs only the same Python and packages, no checkout."""
    import cnnviz

    package = str(Path(cnnviz.__file__).resolve().parent)
    kwargs: dict[str, Any] = {"namespace": "cnnviz",
                              "runtime_env": {"py_modules": [package], "excludes": ["__pycache__"]}}
    if address == "local":
        kwargs["include_dashboard"] = False
    ray.init(address=address, **{**kwargs, **init})


def task_error(exc: BaseException, device: str, attempt: int) -> dict[str, Any]:
    """What a task that raised instead of returning means for its job: failed with a translated
    message, or handed back to the queue ("queued") when its worker or machine was lost."""
    if isinstance(exc, RayTaskError):  # the task's code raised outside run_job (say, an import there)
        cause = exc.cause if isinstance(exc.cause, BaseException) else exc
        return {"state": "failed", "error": error_of(cause, device), "trace": str(exc)}
    if isinstance(exc, OutOfMemoryError):  # Ray's memory monitor killed it: the machine's memory
        return {"state": "failed", "error": ("job_oom_cpu", {}), "trace": str(exc)}
    if attempt >= MAX_ATTEMPTS:  # lost this often: as JobStore.recover decides for a silent worker
        return {"state": "failed", "error": ("job_worker_lost", {"attempts": attempt}), "trace": str(exc)}
    return {"state": "queued", "error": None, "trace": str(exc)}  # resumes from its last epoch


def _run_files(folder: Path) -> dict[str, bytes]:
    """What a resumed run takes to the machine that continues it: every file of its folder."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if plain_name(p.name) and p.is_file()}


@dataclass
class _Run:
    ref: Any  # the task's ObjectRef
    ctx: StoreContext
    kind: str
    attempt: int  # 1 for the first try
    signalled: str | None = None
    error: tuple[str, dict[str, Any]] | None = None  # set when its files could not be saved here


class RayDispatcher:
    """Claims jobs from ``store`` for the device kinds the cluster offers and runs them as Ray tasks
    until ``stop`` is called. Needs ray.init first (``connect``)."""

    def __init__(self, store: JobStore, *, cpus_per_run: int = 1, runs_per_gpu: int = 1,
                 data: str | None = None, dispatcher_id: str | None = None) -> None:
        if cpus_per_run < 1 or runs_per_gpu < 1:
            raise ValueError("cpus_per_run and runs_per_gpu must be at least 1")
        self.store, self.root = store, store.path.parent
        self.cpus_per_run, self.runs_per_gpu, self.data = cpus_per_run, runs_per_gpu, data
        self.id = dispatcher_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}:ray"
        self.worker_ids = {kind: f"{self.id}:{kind}" for kind in ("cpu", "cuda")}
        self.slots: dict[str, int] = {}
        self.registered: set[str] = set()
        self.running: dict[str, _Run] = {}
        self.stopping = threading.Event()
        self.mailbox: Any = None

    def stop(self) -> None:
        """Finish soon: running runs stop at their next step and go back to the queue."""
        self.stopping.set()

    def run(self, once: bool = False) -> None:
        """Work until stopped (or, with ``once``, until nothing is queued or running)."""
        self.mailbox = self._new_mailbox()
        try:
            self._loop(once)
            self._hand_back_all()
        except RayError:
            LOG.exception("lost the Ray cluster; every run goes back to the queue")
            self._abandon_all()
            raise
        finally:
            for kind in list(self.registered):
                self.store.unregister_worker(self.worker_ids[kind])
            self.registered.clear()
            with contextlib.suppress(Exception):
                ray.kill(self.mailbox)

    @staticmethod
    def _new_mailbox() -> Any:
        try:  # next to the dispatcher: files cross the network once
            here = ray.get_runtime_context().get_node_id()
            strategy = NodeAffinitySchedulingStrategy(here, soft=True)
            return Mailbox.options(scheduling_strategy=strategy).remote()
        except (RayError, AttributeError, ValueError):
            return Mailbox.remote()

    def _loop(self, once: bool) -> None:
        next_beat = 0.0
        while not self.stopping.is_set():
            if time.monotonic() >= next_beat:
                self._sync_kinds()
                self._beat()
                self.store.recover()
                next_beat = time.monotonic() + BEAT_S
            claimed = self._claim()
            if once and not claimed and not self.running:
                return
            self._signal()
            if self.running:
                self._collect()
                self._reap(POLL_S)
            else:
                self.stopping.wait(POLL_S)

    # --- the store's side: kinds, claims, beats ----------------------------------------------------

    def _sync_kinds(self) -> None:
        """Be a worker for each device kind the cluster has room for (nodes come and go)."""
        self.slots = capacity(ray.cluster_resources(), self.cpus_per_run, self.runs_per_gpu)
        for kind, slots in self.slots.items():
            if slots > 0 and kind not in self.registered:
                self.store.register_worker(self.worker_ids[kind], kind)
                self.registered.add(kind)
                LOG.info("taking %s runs from the queue, %d at a time", kind, slots)
            elif slots == 0 and kind in self.registered:
                self.store.unregister_worker(self.worker_ids[kind])
                self.registered.discard(kind)

    def _claim(self) -> int:
        claimed = 0
        for kind in sorted(self.registered):
            while sum(r.kind == kind for r in self.running.values()) < self.slots.get(kind, 0):
                job = self.store.claim(self.worker_ids[kind], kind)
                if job is None:
                    break
                self._start(kind, *job)
                claimed += 1
        return claimed

    def _beat(self) -> None:
        for kind, worker_id in self.worker_ids.items():
            jobs = [job_id for job_id, run in self.running.items() if run.kind == kind]
            if kind not in self.registered and not jobs:
                continue
            try:
                answers = self.store.beat_jobs(worker_id, jobs)
            except Exception:  # noqa: BLE001 - a busy database must not stop the runs
                LOG.warning("heartbeat failed", exc_info=True)
                continue
            for job_id, answer in answers.items():
                ctx = self.running[job_id].ctx
                if answer == "lost":  # taken back by the store: record nothing more
                    ctx.lost = ctx.handing_back = True
                if answer != "ok":
                    ctx.cancelled.set()

    # --- the cluster's side: start, collect, signal, end -------------------------------------------

    def _start(self, kind: str, job_id: str, spec: dict[str, Any], attempts: int) -> None:
        device = "cpu" if kind == "cpu" else "cuda:0"  # Ray makes the task's GPU its cuda:0
        try:
            files = _run_files(run_dir(job_id, self.root)) if attempts > 0 else {}
        except (OSError, ValueError) as exc:
            self.store.finish(job_id, "failed", *error_of(exc, device), worker_id=self.worker_ids[kind])
            return
        ray.get(self.mailbox.open.remote(job_id))
        if kind == "cpu":
            options, threads = {"num_cpus": self.cpus_per_run, "num_gpus": 0}, self.cpus_per_run
        else:
            options, threads = {"num_cpus": GPU_TASK_CPUS, "num_gpus": 1 / self.runs_per_gpu}, 1
        ref = train_remote.options(**options).remote(job_id, spec, attempts, files, self.mailbox,
                                                     device, threads, self.data)
        self.running[job_id] = _Run(ref, StoreContext(job_id, device, self.store), kind, attempts + 1)
        LOG.info("run %s started on Ray (%s, attempt %d)", job_id, kind, attempts + 1)

    def _collect(self) -> None:
        """Write what the runs sent into their folders (files first) and the store (progress)."""
        for job_id, (progress, files) in ray.get(self.mailbox.drain.remote()).items():
            run = self.running.get(job_id)
            if run is None or run.ctx.lost:
                continue
            folder = run_dir(job_id, self.root)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                for name, data in files.items():
                    if plain_name(name):
                        write_atomic(folder / name, data)
            except OSError as exc:  # a full disk here: the run stops, as it would on a local worker
                run.error = run.error or error_of(exc, run.ctx.device)
                run.ctx.cancelled.set()
            if progress is not None:
                try:  # to the store; its answer says whether Stop was pressed
                    run.ctx.report(**progress)
                except sqlite3.Error:  # busy for long: the next drain brings newer progress
                    LOG.warning("progress of run %s not saved", job_id, exc_info=True)

    def _signal(self) -> None:
        for job_id, run in self.running.items():
            want = HANDBACK if run.ctx.handing_back else CANCEL if run.ctx.cancelled.is_set() else None
            if want is not None and want != run.signalled:
                self.mailbox.signal.remote(job_id, want)
                run.signalled = want

    def _reap(self, timeout: float) -> None:
        """Wait up to ``timeout`` for a task to end; record every task that has ended."""
        refs = {run.ref: job_id for job_id, run in self.running.items()}
        ready, _ = ray.wait(list(refs), num_returns=1, timeout=timeout)
        if ready:
            ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=0)
            self._collect()  # their last progress and files, sent before they returned
            for ref in ready:
                self._end(refs[ref])

    def _end(self, job_id: str) -> None:
        run = self.running.pop(job_id)
        try:
            result = ray.get(run.ref)
        except RayError as exc:
            result = task_error(exc, run.ctx.device, run.attempt)
        self.mailbox.close.remote(job_id)
        if run.ctx.lost:
            LOG.warning("run %s was taken back from this dispatcher; its end is not recorded", job_id)
            return
        self._record(job_id, run, result)

    def _record(self, job_id: str, run: _Run, result: dict[str, Any]) -> None:
        state, error = result["state"], run.error or result.get("error")
        if run.error is not None:
            state = "failed"
        if state == "cancelled" and run.ctx.handing_back:
            state = "queued"  # the dispatcher stopped mid-run: it resumes from its last epoch
        if result.get("trace"):  # a failure inside the run was logged there too (Ray forwards it)
            LOG.warning("run %s on %s: %s", job_id, result.get("host", "a lost machine"),
                        result["trace"].strip().splitlines()[-1])
        if result.get("torch", torch.__version__) != torch.__version__:
            LOG.warning("run %s trained with torch %s on %s; this machine has %s", job_id,
                        result["torch"], result.get("host"), torch.__version__)
        key, args = error if state == "failed" and error else (None, None)
        if not self.store.finish(job_id, state, key, args, worker_id=self.worker_ids[run.kind]):
            LOG.warning("run %s was taken back from this dispatcher; its end is not recorded", job_id)
        LOG.info("run %s %s on %s, GPUs %s", job_id, state, result.get("host", "?"), result.get("gpus", []))

    # --- shutting down -------------------------------------------------------------------------------

    def _hand_back_all(self) -> None:
        """Ask every run to stop at its next step, record what comes back, hand all to the queue."""
        for run in self.running.values():
            run.ctx.handing_back = True
            run.ctx.cancelled.set()
        self._signal()
        deadline = time.monotonic() + HANDBACK_S
        next_beat = 0.0
        while self.running and time.monotonic() < deadline:
            if time.monotonic() >= next_beat:
                self._beat()
                next_beat = time.monotonic() + BEAT_S
            self._collect()
            self._reap(POLL_S)
        self._abandon_all()

    def _abandon_all(self) -> None:
        """Hand back the runs still out there without waiting for them (their last epoch is saved)."""
        for job_id, run in list(self.running.items()):
            self.running.pop(job_id)
            with contextlib.suppress(Exception):
                ray.cancel(run.ref, force=True)
            if not run.ctx.lost:
                self.store.finish(job_id, "queued", worker_id=self.worker_ids[run.kind])


def _positive(text: str | None, default: int) -> int:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else default


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train queued cnnviz runs on a Ray cluster.")
    parser.add_argument("--address", default=None,
                        help="auto: the Ray cluster this machine is part of (default); ray://host:10001: "
                             "through Ray Client; local: a private Ray on this machine only. "
                             f"Default from {ENV_JOBS} (ray, ray:local, ray://...)")
    parser.add_argument("--runs", type=Path, default=None, help="runs folder (default: CNNVIZ_RUNS or runs)")
    parser.add_argument("--threads", type=int, default=1, help="CPUs (torch threads) per CPU run (default 1)")
    parser.add_argument("--runs-per-gpu", type=int, default=None,
                        help=f"runs sharing one GPU (default: {ENV_JOBS_GPU} or 1)")
    parser.add_argument("--data", default=None,
                        help="dataset folder on every machine (default: its CNNVIZ_DATA, else its temp folder)")
    parser.add_argument("--once", action="store_true",
                        help="exit when nothing it can train is queued and nothing runs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s cnnviz.train.rayjobs %(message)s")
    try:
        address = args.address or jobs_backend() or "auto"
        connect(address)
    except (ConnectionError, RuntimeError, ValueError, ImportError) as exc:
        LOG.error("cannot reach a Ray cluster at %s (start one with `ray start --head`, see the "
                  "README, or pass --address): %s", args.address or "auto", exc)
        return 2
    dispatcher = RayDispatcher(default_store(args.runs), cpus_per_run=max(1, args.threads),
                               runs_per_gpu=args.runs_per_gpu or _positive(os.environ.get(ENV_JOBS_GPU), 1),
                               data=args.data)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: dispatcher.stop())
    LOG.info("dispatcher %s on Ray at %s: %s, runs in %s", dispatcher.id, address,
             ray.cluster_resources(), dispatcher.root)
    try:
        dispatcher.run(once=args.once)
    finally:
        ray.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
