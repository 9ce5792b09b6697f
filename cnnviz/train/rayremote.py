"""The remote half of training on a Ray cluster: the task that trains one run with the unchanged
``cnnviz.train.runs.run_job`` in a temporary folder on whichever machine Ray chose, and the mailbox actor
through which its progress and run files travel to the dispatcher (cnnviz.train.rayjobs) and Stop travels
back. No shared filesystem: files go both ways through Ray. Knows nothing about the job store.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import time
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import ray
from ray.exceptions import GetTimeoutError, RayError

from cnnviz.train.jobs import JobCancelled, JobContext, error_of, is_oom, release_memory

__all__ = ["FLUSH_S", "HANDBACK", "CANCEL", "Mailbox", "RemoteContext", "changed_files", "plain_name",
           "train_remote"]

FLUSH_S = 0.5  # as cnnviz.train.worker: progress (and changed files) leave at most twice a second
PUT_TIMEOUT_S = 60.0  # a mailbox that does not answer for this long is gone: stop the run
CANCEL = "cancel"  # a student pressed Stop: end the run as cancelled
HANDBACK = "handback"  # the dispatcher stops: end the run so that it resumes elsewhere


def plain_name(name: str) -> bool:
    """A run file's name: no folders, no hidden or temporary files (write_atomic's are '.x.tmp')."""
    return (bool(name) and not name.startswith(".") and "/" not in name and "\\" not in name
            and name not in ("..", ".") and len(name) <= 128)


def changed_files(folder: Path, seen: dict[str, tuple[int, int, int]]) -> dict[str, bytes]:
    """The files of ``folder`` written since the last call (``seen`` remembers inode, size and
    mtime; write_atomic replaces a file, so a new version is a new inode)."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if not plain_name(path.name) or not path.is_file():
            continue
        st = path.stat()
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if seen.get(path.name) != stamp:
            out[path.name] = path.read_bytes()
            seen[path.name] = stamp
    return out


@ray.remote(num_cpus=0, max_restarts=0)
class Mailbox:
    """One per dispatcher: per job, the latest progress and the files not yet collected, and the
    signal (Stop or hand back) the dispatcher left for it. A sync actor: one call at a time."""

    def __init__(self) -> None:
        self._boxes: dict[str, dict[str, Any]] = {}

    def open(self, job_id: str) -> None:
        self._boxes[job_id] = {"progress": None, "files": {}, "signal": None}

    def close(self, job_id: str) -> None:
        self._boxes.pop(job_id, None)

    def signal(self, job_id: str, what: str) -> None:
        box = self._boxes.get(job_id)
        if box is not None and box["signal"] != HANDBACK:  # handing back wins over a later Stop
            box["signal"] = what

    def put(self, job_id: str, progress: dict[str, Any], files: dict[str, bytes]) -> str | None:
        """A run's news; returns the signal waiting for it (None: go on)."""
        box = self._boxes.get(job_id)
        if box is None:  # closed: nobody collects this run any more
            return HANDBACK
        box["progress"] = progress
        box["files"].update(files)  # only the newest version of each file matters
        return box["signal"]

    def drain(self) -> dict[str, tuple[dict[str, Any] | None, dict[str, bytes]]]:
        """Everything new since the last drain, per job; the boxes are emptied."""
        out = {}
        for job_id, box in self._boxes.items():
            if box["progress"] is not None or box["files"]:
                out[job_id] = (box["progress"], box["files"])
                box["progress"], box["files"] = None, {}
        return out


class RemoteContext(JobContext):
    """The job context on the remote machine: every flush sends the progress and the run files
    changed since the last one to the mailbox, and learns from its answer whether to stop."""

    def __init__(self, job_id: str, device: str, mailbox: Any, folder: Path) -> None:
        super().__init__(job_id, device)
        self.mailbox, self.folder = mailbox, folder
        self.handing_back = False  # read by run_job: a handed-back run does not say it ended
        self._sent = 0.0
        self._seen: dict[str, tuple[int, int, int]] = {}

    def known(self) -> None:
        """The files in the folder now are where they came from: send only what changes later."""
        for path in self.folder.iterdir():
            st = path.stat()
            self._seen[path.name] = (st.st_ino, st.st_size, st.st_mtime_ns)

    def changed(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._sent >= FLUSH_S:
            self._sent = now
            self.flush()

    def flush(self) -> None:
        files = changed_files(self.folder, self._seen)
        try:
            answer = ray.get(self.mailbox.put.remote(self.job_id, self.progress(), files),
                             timeout=PUT_TIMEOUT_S)
        except (RayError, GetTimeoutError):
            answer = HANDBACK  # the dispatcher is gone; whoever takes the run back resumes it
        if answer in (CANCEL, HANDBACK):
            self.handing_back = self.handing_back or answer == HANDBACK
            self.cancelled.set()


@contextlib.contextmanager
def _data_folder(data: str | None) -> Iterator[None]:
    """Where datasets are generated and cached on this machine while the run trains: ``data`` if
    the dispatcher says, else this machine's CNNVIZ_DATA, else its temp folder (never the cwd).
    Restored afterwards: Ray reuses a worker process for the next task."""
    before = os.environ.get("CNNVIZ_DATA")
    os.environ["CNNVIZ_DATA"] = data or before or str(Path(tempfile.gettempdir()) / "cnnviz-data")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("CNNVIZ_DATA", None)
        else:
            os.environ["CNNVIZ_DATA"] = before


def _train_here(job_id: str, spec: dict[str, Any], attempts: int, files: Mapping[str, bytes],
                mailbox: Any, device: str, root: Path) -> dict[str, Any]:
    from cnnviz.train.runs import RunSpec, run_job  # the training stack loads in the task only

    folder = root / job_id
    folder.mkdir()
    for name, data in files.items():  # a resumed run starts from the files it left
        if plain_name(name):
            (folder / name).write_bytes(data)
    ctx = RemoteContext(job_id, device, mailbox, folder)
    ctx.known()
    result: dict[str, Any] = {"state": "done", "error": None, "trace": None}
    try:
        run_job(RunSpec.from_dict(spec), root=root, resume=attempts > 0)(ctx)
        result["state"] = "cancelled" if ctx.cancelled.is_set() else "done"
    except JobCancelled:
        result["state"] = "cancelled"
    except BaseException as exc:  # noqa: BLE001 - every failure becomes the job's state
        result.update(state="failed", error=error_of(exc, device), trace=traceback.format_exc())
        if is_oom(exc):
            release_memory()
    ctx.flush()  # the last progress and files, before the dispatcher learns that the task ended
    return result


@ray.remote(max_retries=0)  # a lost task goes back to the job store's queue, to resume from its files
def train_remote(job_id: str, spec: dict[str, Any], attempts: int, files: dict[str, bytes],
                 mailbox: Any, device: str, threads: int, data: str | None = None) -> dict[str, Any]:
    """Train one claimed job on this machine; returns its state, its translated error (key, args)
    and traceback if it failed, and where it ran (host, the GPUs Ray gave it, torch version)."""
    import torch

    torch.set_num_threads(threads)  # the task's num_cpus: never more threads than Ray gave it
    with _data_folder(data), tempfile.TemporaryDirectory(prefix="cnnviz-run-") as tmp:
        result = _train_here(job_id, spec, attempts, files, mailbox, device, Path(tmp))
    gpus = ray.get_runtime_context().get_accelerator_ids().get("GPU", [])
    return {**result, "host": socket.gethostname(), "gpus": list(gpus), "torch": torch.__version__}
