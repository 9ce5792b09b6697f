"""Background jobs with bounded concurrency per device: the classroom's shared CPU and GPU.

A process-wide ``JobManager`` runs each job in its own daemon thread, at most ``limit`` at once
per device key ("cpu", "cuda:0", ...); the rest wait in a FIFO queue with a visible position.
Jobs survive the Streamlit script run (browser tab) that submitted them. Out-of-memory and other
errors become a failed job with a translatable ``error_key``. This module knows nothing about
training or Streamlit: a job is any ``fn(ctx: JobContext) -> result``.
"""

from __future__ import annotations

import copy
import gc
import logging
import os
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from cnnviz.errors import CnnvizError, register

__all__ = [
    "ACTIVE_STATES",
    "MESSAGES",
    "STATES",
    "JobCancelled",
    "JobContext",
    "JobManager",
    "JobView",
    "default_manager",
    "error_of",
    "manager_from_env",
]

STATES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE_STATES = ("queued", "running")
ENV_CPU = "CNNVIZ_JOBS_CPU"
ENV_GPU = "CNNVIZ_JOBS_GPU"

MESSAGES = register({
    "job_oom_gpu": ("The run ran out of GPU memory on {device}. Lower the batch size, the model width "
                    "or the number of images, or train on the CPU."),
    "job_oom_cpu": ("The run ran out of the server's memory (it trained on the CPU). Lower the batch "
                    "size, the model width or the number of images."),
    "job_storage": ("The run could not save its files: the server's runs folder is full or cannot be "
                    "written. Ask whoever runs the server to free disk space or fix the folder; the "
                    "details are in the server's log."),
    "job_failed": ("The run stopped because of an unexpected error ({kind}). The details are in the "
                   "server's log; starting the run again may help."),
})
LOG = logging.getLogger("cnnviz.jobs")

# Ids appear in URLs and thread names: url-safe characters only.
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ATOMIC = (type(None), bool, int, float, complex, str, bytes)


class JobCancelled(Exception):
    """Raised inside a job (by ``JobContext.check_cancelled``) to stop it after a cancel."""


def _snapshot(value: Any) -> Any:
    """A copy that shares nothing mutable with ``value``; containers are copied recursively.

    Cheaper than ``copy.deepcopy`` for the common case (a history of dicts of floats), which
    matters because every open browser tab polls its job a few times a second.
    """
    if isinstance(value, _ATOMIC):
        return value
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_snapshot(v) for v in value)
    return copy.deepcopy(value)


class JobContext:
    """What a running job sees: its id and device, a cancel flag, and progress reporting.

    Progress lives in a dict shared with the manager and guarded by its lock; ``report`` and
    ``append`` store copies, so a job may keep mutating its own lists afterwards. A context can
    also be built standalone (``JobContext("test")``) to call a job function without a manager.
    """

    def __init__(self, job_id: str, device: str = "cpu",
                 lock: threading.Lock | None = None) -> None:
        self.job_id = job_id
        self.device = device
        self.cancelled = threading.Event()
        self._lock = lock if lock is not None else threading.Lock()
        self._progress: dict[str, Any] = {}

    def report(self, **values: Any) -> None:
        """Merge ``values`` into the progress dict, as copies: the job may keep changing its own.

        Report plain values (numbers, strings, lists, dicts); anything else is deep-copied.
        """
        values = _snapshot(values)
        with self._lock:
            self._progress.update(values)

    def append(self, key: str, item: Any) -> None:
        """Append one item to the list ``progress[key]`` (created if missing): a growing history."""
        item = _snapshot(item)
        with self._lock:
            target = self._progress.setdefault(key, [])
            if not isinstance(target, list):
                raise TypeError(f"progress[{key!r}] is a {type(target).__name__}, not a list")
            target.append(item)

    def progress(self) -> dict[str, Any]:
        """A copy of the progress reported so far (for standalone use; the manager has ``view``)."""
        with self._lock:
            return _snapshot(self._progress)

    def check_cancelled(self) -> None:
        """Raise ``JobCancelled`` if someone cancelled this job; call it once per step or batch."""
        if self.cancelled.is_set():
            raise JobCancelled(self.job_id)


@dataclass(frozen=True)
class JobView:
    """An immutable snapshot of one job; ``progress``/``error_args`` are copies owned by the caller.

    ``position`` is the 1-based place in its device's queue while queued, else 0. ``result`` is
    whatever the job function returned (shared, not copied: it may be a model).
    """

    id: str
    title: str
    owner: str
    device: str
    state: str
    position: int
    progress: dict[str, Any]
    error_key: str | None
    error_args: dict[str, Any]
    result: Any
    created: float
    started: float | None
    finished: float | None

    @property
    def active(self) -> bool:
        """True while queued or running."""
        return self.state in ACTIVE_STATES


@dataclass(eq=False)
class _Job:
    """The manager's mutable record of a job; only touched under the manager's lock."""

    id: str
    fn: Callable[[JobContext], Any] | None
    title: str
    owner: str
    device: str
    ctx: JobContext
    state: str = "queued"
    error_key: str | None = None
    error_args: dict[str, Any] = field(default_factory=dict)
    result: Any = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None


def _is_oom(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, a RuntimeError saying "out of memory", or Python's MemoryError."""
    if isinstance(exc, (torch.cuda.OutOfMemoryError, MemoryError)):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def error_of(exc: BaseException, device: str) -> tuple[str, dict[str, Any]]:
    """The translatable (key, args) a failed job shows. Exception texts can hold server paths,
    so they go to the log, never into the message."""
    if isinstance(exc, CnnvizError):
        return exc.key, dict(exc.args_)
    LOG.error("job on %s failed", device, exc_info=exc)
    if _is_oom(exc):
        return ("job_oom_cpu", {}) if _device_kind(device) == "cpu" else ("job_oom_gpu", {"device": device})
    if isinstance(exc, OSError):
        return "job_storage", {}
    return "job_failed", {"kind": type(exc).__name__}


def _release_memory() -> None:
    """Free what a failed job left behind (reference cycles, the CUDA caching allocator).

    Best effort: if a broken CUDA context makes this fail, the next job on that device meets
    the same error and reports it; the queue itself must keep going.
    """
    gc.collect()
    if torch.cuda.is_available():
        try:
            torch.cuda.empty_cache()
        except RuntimeError:
            pass


def _device_kind(device: str) -> str:
    """The kind of a device key: 'cuda:1' -> 'cuda', 'cpu' -> 'cpu'."""
    return device.split(":", 1)[0]


class JobManager:
    """Runs jobs in daemon threads, at most ``limit(device)`` at once per device key, FIFO.

    ``limits`` maps a device key ("cuda:0") or a device kind ("cuda", "cpu") to its concurrency;
    an exact key wins over its kind, anything else gets ``default_limit``. Finished jobs are
    remembered (for ``view``) up to ``keep_finished``, then forgotten oldest-finished first.
    """

    def __init__(self, limits: dict[str, int] | None = None, default_limit: int = 1,
                 keep_finished: int = 200) -> None:
        limits = dict(limits or {})
        for name, value in {**limits, "default_limit": default_limit}.items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"job limit for {name!r} must be an integer >= 1, got {value!r}")
        if not isinstance(keep_finished, int) or keep_finished < 0:
            raise ValueError(f"keep_finished must be an integer >= 0, got {keep_finished!r}")
        self._limits = limits
        self._default_limit = default_limit
        self._keep_finished = keep_finished
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # notified on every state change
        self._jobs: dict[str, _Job] = {}  # submission order
        self._queues: dict[str, deque[_Job]] = {}
        self._running: dict[str, int] = {}
        self._finished: deque[str] = deque()  # finish order, for eviction
        self._closed = False

    def limit(self, device: str) -> int:
        """How many jobs may run at once on ``device``."""
        return self._limits.get(device, self._limits.get(_device_kind(device),
                                                         self._default_limit))

    # --- submitting and cancelling ----------------------------------------------------------

    def submit(self, fn: Callable[[JobContext], Any], *, device: str = "cpu", owner: str = "",
               title: str = "", job_id: str | None = None) -> str:
        """Queue ``fn(ctx)`` on ``device``; it starts as soon as a slot is free. Returns the id."""
        if not callable(fn):
            raise TypeError(f"a job must be callable, got {type(fn).__name__}")
        if not isinstance(device, str) or not device:
            raise ValueError(f"device must be a non-empty string such as 'cpu', got {device!r}")
        if job_id is not None and not (isinstance(job_id, str) and _ID_PATTERN.fullmatch(job_id)):
            raise ValueError(f"job id must be 1-64 characters of A-Z a-z 0-9 _ -, got {job_id!r}")
        with self._lock:
            if self._closed:
                raise RuntimeError("the job manager has been shut down")
            if job_id is None:
                job_id = secrets.token_urlsafe(8)
                while job_id in self._jobs:
                    job_id = secrets.token_urlsafe(8)
            elif job_id in self._jobs:
                raise ValueError(f"a job with id {job_id!r} already exists")
            job = _Job(job_id, fn, title, owner, device, JobContext(job_id, device, self._lock))
            self._jobs[job_id] = job
            self._queues.setdefault(device, deque()).append(job)
            self._start_ready(device)
            self._changed.notify_all()
        return job_id

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued job at once, or ask a running one to stop; False if unknown/finished.

        A running job becomes "cancelled" when its function returns or raises ``JobCancelled``;
        it must look at ``ctx.cancelled`` (or call ``ctx.check_cancelled()``) now and then.
        """
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state not in ACTIVE_STATES:
                return False
            if job.state == "running":
                job.ctx.cancelled.set()
                return True
            job.ctx.cancelled.set()
            self._queues[job.device].remove(job)
            self._mark_finished(job, "cancelled")
            self._changed.notify_all()
            return True

    def shutdown(self, cancel: bool = True, timeout: float = 10) -> bool:
        """Refuse new jobs; cancel the rest (or let them finish); wait up to ``timeout`` seconds.

        Returns True when no job is left queued or running.
        """
        with self._lock:
            self._closed = True
            active = [job for job in self._jobs.values() if job.state in ACTIVE_STATES]
        if cancel:
            for job in active:
                self.cancel(job.id)
        with self._changed:
            return self._changed.wait_for(
                lambda: all(job.state not in ACTIVE_STATES for job in active), timeout)

    # --- looking at jobs --------------------------------------------------------------------

    def view(self, job_id: str) -> JobView | None:
        """A snapshot of one job, or None if the id is unknown (or long forgotten)."""
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else self._view(job)

    def views(self, owner: str | None = None) -> list[JobView]:
        """Snapshots of all remembered jobs (or one owner's) in submission order."""
        with self._lock:
            return [self._view(job) for job in self._jobs.values()
                    if owner is None or job.owner == owner]

    def wait(self, job_id: str, timeout: float | None = None) -> JobView:
        """Block until the job has finished or ``timeout`` passed; return its snapshot then.

        Check ``view.state``: after a timeout it is still "queued" or "running".
        Raises KeyError for an unknown id.
        """
        with self._changed:
            job = self._jobs.get(job_id)
            if job is None:
                raise KeyError(job_id)
            # Hold the record itself: it stays readable even if eviction forgets the id meanwhile.
            self._changed.wait_for(lambda: job.state not in ACTIVE_STATES, timeout)
            return self._view(job)

    # --- internals (all called with the lock held, except _run) -----------------------------

    def _view(self, job: _Job) -> JobView:
        position = self._queues[job.device].index(job) + 1 if job.state == "queued" else 0
        return JobView(
            id=job.id, title=job.title, owner=job.owner, device=job.device, state=job.state,
            position=position, progress=_snapshot(job.ctx._progress), error_key=job.error_key,
            error_args=_snapshot(job.error_args), result=job.result, created=job.created,
            started=job.started, finished=job.finished)

    def _start_ready(self, device: str) -> None:
        """Start queued jobs on ``device`` while it has free slots."""
        queue = self._queues[device]
        while queue and self._running.get(device, 0) < self.limit(device):
            job = queue.popleft()
            job.state, job.started = "running", time.time()
            self._running[device] = self._running.get(device, 0) + 1
            thread = threading.Thread(target=self._run, args=(job,), name=f"cnnviz-job-{job.id}",
                                      daemon=True)
            try:
                thread.start()
            except RuntimeError as exc:  # "can't start new thread": fail this job, not the queue
                self._running[device] -= 1
                self._mark_finished(job, "failed", error=error_of(exc, device))

    def _run(self, job: _Job) -> None:
        """Thread body: call the job, then record how it ended and start the next one.

        Every exception, even SystemExit, ends as a job state: a worker thread has nobody to
        raise to, and an escaping exception would only be printed to the server's log.
        """
        result, error, oom = None, None, False
        try:
            result = job.fn(job.ctx)
            state = "cancelled" if job.ctx.cancelled.is_set() else "done"
        except JobCancelled:
            state = "cancelled"
        except BaseException as exc:  # noqa: BLE001
            state, error, oom = "failed", error_of(exc, job.device), _is_oom(exc)
        try:
            if oom:  # outside the except block: the traceback's frames can be collected now
                _release_memory()
        finally:  # whatever happens, the slot is given back and the queue moves on
            with self._lock:
                self._running[job.device] -= 1
                self._mark_finished(job, state, result=result, error=error)
                self._start_ready(job.device)
                self._changed.notify_all()

    def _mark_finished(self, job: _Job, state: str, result: Any = None,
                       error: tuple[str, dict[str, Any]] | None = None) -> None:
        job.state, job.result, job.finished = state, result, time.time()
        job.fn = None  # drop the closure (and the model or data it may hold)
        if error is not None:
            job.error_key, job.error_args = error
        self._finished.append(job.id)
        while len(self._finished) > self._keep_finished:
            del self._jobs[self._finished.popleft()]


# --- the process-wide manager ----------------------------------------------------------------

_DEFAULT: JobManager | None = None
_DEFAULT_LOCK = threading.Lock()


def _env_limit(env: Mapping[str, str], name: str, default: int = 1) -> int:
    """A positive integer from ``env[name]``; missing, malformed or < 1 gives ``default``."""
    try:
        value = int(env.get(name, "").strip())
    except ValueError:
        return default
    return value if value >= 1 else default


def manager_from_env(env: Mapping[str, str]) -> JobManager:
    """A manager whose limits come from CNNVIZ_JOBS_CPU and CNNVIZ_JOBS_GPU (every cuda:N)."""
    return JobManager(limits={"cpu": _env_limit(env, ENV_CPU), "cuda": _env_limit(env, ENV_GPU)})


def default_manager() -> JobManager:
    """The one manager every session of this server process shares, created on first use."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = manager_from_env(os.environ)
        return _DEFAULT


def _reset_default_manager(timeout: float = 10) -> None:
    """For tests: shut the shared manager down (cancelling its jobs) and forget it."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        old, _DEFAULT = _DEFAULT, None
    if old is not None:
        old.shutdown(cancel=True, timeout=timeout)
