"""What every training job shares, wherever it runs: its states, the context a running job
reports through, the snapshot a page reads, and how a failure becomes a translatable message.

The queue itself lives in cnnviz.train.jobstore (SQLite, shared by every process of a server) and the
jobs run in cnnviz.train.worker processes. A job is any ``fn(ctx: JobContext) -> result``; this module
knows nothing about training or Streamlit.
"""

from __future__ import annotations

import copy
import gc
import logging
import threading
from dataclasses import dataclass
from typing import Any

import torch

from cnnviz.errors import CnnvizError, register

__all__ = [
    "ACTIVE_STATES",
    "MESSAGES",
    "STATES",
    "JobCancelled",
    "JobContext",
    "JobView",
    "error_of",
    "is_oom",
    "release_memory",
]

STATES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE_STATES = ("queued", "running")

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
LOG = logging.getLogger("cnnviz.train.jobs")
_ATOMIC = (type(None), bool, int, float, complex, str, bytes)


class JobCancelled(Exception):
    """Raised inside a job (by ``JobContext.check_cancelled``) to stop it after a cancel."""


def _snapshot(value: Any) -> Any:
    """A copy that shares nothing mutable with ``value``; containers are copied recursively."""
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

    ``report`` and ``append`` store copies, so a job may keep mutating its own lists afterwards.
    Built standalone (``JobContext("test")``) it keeps progress in memory; a worker's subclass
    also sends it to the job store (``changed`` is called after every update).
    """

    def __init__(self, job_id: str, device: str = "cpu") -> None:
        self.job_id = job_id
        self.device = device
        self.cancelled = threading.Event()
        self._lock = threading.Lock()
        self._progress: dict[str, Any] = {}

    def report(self, **values: Any) -> None:
        """Merge ``values`` (plain numbers, strings, lists, dicts) into the progress dict."""
        values = _snapshot(values)
        with self._lock:
            self._progress.update(values)
        self.changed(force="history" in values)

    def append(self, key: str, item: Any) -> None:
        """Append one item to the list ``progress[key]`` (created if missing): a growing history."""
        item = _snapshot(item)
        with self._lock:
            target = self._progress.setdefault(key, [])
            if not isinstance(target, list):
                raise TypeError(f"progress[{key!r}] is a {type(target).__name__}, not a list")
            target.append(item)
        self.changed(force=True)

    def progress(self) -> dict[str, Any]:
        """A copy of the progress reported so far."""
        with self._lock:
            return _snapshot(self._progress)

    def changed(self, force: bool = False) -> None:
        """Called after every update; ``force``: an epoch ended (never skip sending it)."""

    def check_cancelled(self) -> None:
        """Raise ``JobCancelled`` if someone cancelled this job; call it once per step or batch."""
        if self.cancelled.is_set():
            raise JobCancelled(self.job_id)


@dataclass(frozen=True)
class JobView:
    """An immutable snapshot of one job, as the job store holds it.

    ``position`` is the 1-based place in its device's queue while queued, else 0; ``attempts``
    counts the workers that started it (more than 1: it resumed after a worker stopped).
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
    attempts: int = 0
    nickname: str = ""  # the student's nickname when started in a class
    class_id: str = ""

    @property
    def active(self) -> bool:
        """True while queued or running."""
        return self.state in ACTIVE_STATES


def is_oom(exc: BaseException) -> bool:
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
    if is_oom(exc):
        return ("job_oom_cpu", {}) if device.split(":")[0] == "cpu" else ("job_oom_gpu", {"device": device})
    if isinstance(exc, OSError):
        return "job_storage", {}
    return "job_failed", {"kind": type(exc).__name__}


def release_memory() -> None:
    """Free what a failed job left behind (reference cycles, the CUDA caching allocator).

    Best effort: if a broken CUDA context makes this fail, the next job on that device meets the
    same error and reports it; the worker itself must keep going.
    """
    gc.collect()
    if torch.cuda.is_available():
        try:
            torch.cuda.empty_cache()
        except RuntimeError:
            pass
