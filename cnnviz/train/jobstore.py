"""The classroom's training queue and every job's state, in one SQLite file in the runs folder.

Web replicas submit, poll and cancel; worker processes (cnnviz.train.worker) claim, report progress and
finish. Every change is one short transaction, so no reader waits on a training step, a server
restart loses nothing, and a job whose worker stopped heart-beating (kill -9, a crash, a lost
machine) is re-queued to resume from its last saved epoch, or failed with a message after too
many tries: never "running" forever. Knows nothing about training or Streamlit.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cnnviz.dbconn import Connections
from cnnviz.errors import CnnvizError, register
from cnnviz.train.jobs import ACTIVE_STATES, JobView

__all__ = ["DB_NAME", "HEARTBEAT_TIMEOUT_S", "MAX_ATTEMPTS", "MESSAGES", "JobStore", "default_store"]

DB_NAME = "jobs.sqlite3"
HEARTBEAT_TIMEOUT_S = 20.0  # a worker beats every 2 s; 10 missed beats and its job is taken back
MAX_ATTEMPTS = 3  # a job whose worker died this often fails instead of being tried again

MESSAGES = register({
    "job_worker_lost": ("The run stopped {attempts} times because the training worker running it "
                        "ended (the server restarted, or the worker crashed or ran out of memory). "
                        "Its finished epochs are saved; start it again with smaller settings."),
    "job_limit_active": ("You already have {count} runs queued or training; the limit is {limit} per "
                         "student so the class shares the machine. Wait for one to finish, or stop one."),
    "job_unknown": "There is no run {job_id} to do that with.",
    "job_not_yours": "Only the student who started this run can stop it.",
    "job_store_unavailable": ("This server cannot keep training runs: its runs folder cannot be written "
                              "(the disk may be full, or the folder read-only). Ask whoever runs the "
                              "server to fix it; the details are in the server's log."),
})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, device TEXT NOT NULL,
    spec TEXT NOT NULL, state TEXT NOT NULL, created REAL NOT NULL, started REAL, finished REAL,
    worker TEXT, heartbeat REAL, cancel INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0, error_key TEXT, error_args TEXT,
    progress TEXT NOT NULL DEFAULT '{}', nickname TEXT NOT NULL DEFAULT '',
    class TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (state, device, created);
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, state);
CREATE TABLE IF NOT EXISTS workers (
    id TEXT PRIMARY KEY, device TEXT NOT NULL, pid INTEGER, host TEXT, started REAL NOT NULL,
    heartbeat REAL NOT NULL, job TEXT);
"""
_COLUMNS = ("id", "owner", "title", "device", "state", "created", "started", "finished", "error_key",
            "error_args", "progress", "attempts", "nickname", "class", "spec")


def _kind(device: str) -> str:
    """'cuda:1' -> 'cuda'; jobs wait for a device kind, workers hold a device."""
    return device.split(":", 1)[0]


class JobStore:
    """One SQLite database shared by every process of a server (WAL mode: readers never wait)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connections = Connections(self.path, "PRAGMA synchronous = NORMAL")
        self._db().executescript(_SCHEMA)  # its own transaction; IF NOT EXISTS: every process may
        columns = {r["name"] for r in self._db().execute("PRAGMA table_info(jobs)")}
        if "class" not in columns:  # a store made before classes existed
            self._db().execute("ALTER TABLE jobs ADD COLUMN class TEXT NOT NULL DEFAULT ''")

    # --- connections and transactions ---------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        return self._connections.get()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE), so a claim is atomic."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self._connections.close()

    # --- web side: submit, look, cancel ------------------------------------------------------

    def submit(self, spec: Mapping[str, Any], *, owner: str, title: str, device: str = "cpu",
               job_id: str | None = None, max_active: int | None = None, nickname: str = "",
               class_id: str = "") -> str:
        """Queue a job; CnnvizError("job_limit_active") when ``owner`` has ``max_active`` already."""
        job_id = job_id or secrets.token_urlsafe(8)
        with self._tx() as db:
            if max_active is not None:
                count = db.execute("SELECT COUNT(*) FROM jobs WHERE owner = ? AND state IN (?, ?)",
                                   (owner, *ACTIVE_STATES)).fetchone()[0]
                if count >= max_active:
                    raise CnnvizError("job_limit_active", count=count, limit=max_active)
            db.execute("INSERT INTO jobs (id, owner, title, device, spec, state, created, nickname, class) "
                       "VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)",
                       (job_id, owner, title, _kind(device), json.dumps(dict(spec)), time.time(),
                        nickname, class_id))
        return job_id

    def view(self, job_id: str) -> JobView | None:
        row = self._db().execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs WHERE id = ?",
                                 (job_id,)).fetchone()
        return None if row is None else self._view(row)

    def views(self, owner: str | None = None, class_id: str | None = None) -> list[JobView]:
        """Every job (or one owner's, or one class's), oldest first."""
        where, args = ("WHERE owner = ?", (owner,)) if owner is not None else ("", ())
        if class_id is not None:
            where, args = "WHERE class = ?", (class_id,)
        rows = self._db().execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs {where} ORDER BY created",
                                  args).fetchall()
        return [self._view(r) for r in rows]

    def spec(self, job_id: str) -> dict[str, Any] | None:
        row = self._db().execute("SELECT spec FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    def _view(self, row: sqlite3.Row) -> JobView:
        position = 0
        if row["state"] == "queued":
            position = self._db().execute(
                "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND device = ? AND created <= ?",
                (row["device"], row["created"])).fetchone()[0]
        return JobView(
            id=row["id"], title=row["title"], owner=row["owner"], device=row["device"],
            state=row["state"], position=position, progress=json.loads(row["progress"]),
            error_key=row["error_key"], error_args=json.loads(row["error_args"] or "{}"),
            result=None, created=row["created"], started=row["started"], finished=row["finished"],
            attempts=row["attempts"], nickname=row["nickname"], class_id=row["class"])

    def cancel(self, job_id: str, owner: str | None = None) -> bool:
        """Cancel a queued job at once, or ask its worker to stop a running one. With ``owner``,
        only that owner's job; False if the job is unknown or already finished."""
        with self._tx() as db:
            row = db.execute("SELECT state, owner FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None or row["state"] not in ACTIVE_STATES:
                return False
            if owner is not None and row["owner"] != owner:
                raise CnnvizError("job_not_yours")
            if row["state"] == "queued":
                db.execute("UPDATE jobs SET state = 'cancelled', finished = ?, cancel = 1 WHERE id = ?",
                           (time.time(), job_id))
            else:
                db.execute("UPDATE jobs SET cancel = 1 WHERE id = ?", (job_id,))
        return True

    def active_count(self, owner: str) -> int:
        return self._db().execute("SELECT COUNT(*) FROM jobs WHERE owner = ? AND state IN (?, ?)",
                                  (owner, *ACTIVE_STATES)).fetchone()[0]

    # --- worker side ---------------------------------------------------------------------------

    def register_worker(self, worker_id: str, device: str) -> None:
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO workers (id, device, pid, host, started, heartbeat) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (worker_id, device, os.getpid(),
                                                     os.uname().nodename if hasattr(os, "uname") else "",
                                                     now, now))

    def unregister_worker(self, worker_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM workers WHERE id = ?", (worker_id,))

    def live_workers(self, within_s: float = HEARTBEAT_TIMEOUT_S) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT id, device, pid, host, job FROM workers WHERE heartbeat > ?",
                                  (time.time() - within_s,)).fetchall()
        return [dict(r) for r in rows]

    def claim(self, worker_id: str, device: str) -> tuple[str, dict[str, Any], int] | None:
        """The oldest queued job for this worker's device kind, now running on it:
        (id, spec, attempts before this one), or None when the queue is empty."""
        now = time.time()
        with self._tx() as db:
            row = db.execute("SELECT id, spec, attempts FROM jobs WHERE state = 'queued' AND device = ? "
                             "ORDER BY created LIMIT 1", (_kind(device),)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE jobs SET state = 'running', worker = ?, heartbeat = ?, started = "
                       "COALESCE(started, ?), attempts = attempts + 1 WHERE id = ?",
                       (worker_id, now, now, row["id"]))
            db.execute("UPDATE workers SET job = ?, heartbeat = ? WHERE id = ?", (row["id"], now, worker_id))
        return row["id"], json.loads(row["spec"]), row["attempts"]

    def beat(self, worker_id: str, job_id: str | None) -> str:
        """The worker (and its job) is alive. Returns "ok", "cancel" (a student pressed Stop) or
        "lost" (the job was taken back from this worker: it must stop without recording anything)."""
        now = time.time()
        with self._tx() as db:
            db.execute("UPDATE workers SET heartbeat = ?, job = ? WHERE id = ?", (now, job_id, worker_id))
            if job_id is None:
                return "ok"
            db.execute("UPDATE jobs SET heartbeat = ? WHERE id = ? AND worker = ?", (now, job_id, worker_id))
            row = db.execute("SELECT cancel, worker FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None or row["worker"] != worker_id:
            return "lost"
        return "cancel" if row["cancel"] else "ok"

    def beat_jobs(self, worker_id: str, job_ids: Sequence[str]) -> dict[str, str]:
        """``beat`` for a worker that runs several jobs at once (cnnviz.train.rayjobs), in one
        transaction: each job's answer is "ok", "cancel" or "lost", as ``beat`` gives it."""
        now, answers = time.time(), {}
        with self._tx() as db:
            db.execute("UPDATE workers SET heartbeat = ? WHERE id = ?", (now, worker_id))
            for job_id in job_ids:
                db.execute("UPDATE jobs SET heartbeat = ? WHERE id = ? AND worker = ?",
                           (now, job_id, worker_id))
                row = db.execute("SELECT cancel, worker FROM jobs WHERE id = ?", (job_id,)).fetchone()
                lost = row is None or row["worker"] != worker_id
                answers[job_id] = "lost" if lost else "cancel" if row["cancel"] else "ok"
        return answers

    def report(self, job_id: str, progress: Mapping[str, Any]) -> bool:
        """Replace the job's progress (a JSON object: numbers, strings, lists, dicts); returns
        whether the job was asked to stop, so a worker learns of Stop with every report."""
        with self._tx() as db:
            db.execute("UPDATE jobs SET progress = ?, heartbeat = ? WHERE id = ?",
                       (json.dumps(progress, allow_nan=True), time.time(), job_id))
            row = db.execute("SELECT cancel FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return bool(row and row["cancel"])

    def finish(self, job_id: str, state: str, error_key: str | None = None,
               error_args: Mapping[str, Any] | None = None, worker_id: str | None = None) -> bool:
        """Record how the job ended ("done", "failed", "cancelled"), or hand it back ("queued").

        With ``worker_id``, only while the job is still that worker's (not taken back meanwhile);
        returns whether it was recorded."""
        with self._tx() as db:
            finished = None if state == "queued" else time.time()
            mine = "" if worker_id is None else " AND worker = ?"
            done = db.execute(f"UPDATE jobs SET state = ?, finished = ?, error_key = ?, error_args = ?, "
                              f"worker = NULL WHERE id = ?{mine}",
                              (state, finished, error_key, json.dumps(dict(error_args or {})), job_id,
                               *([worker_id] if worker_id is not None else []))).rowcount
            if worker_id is not None:
                db.execute("UPDATE workers SET job = NULL WHERE id = ?", (worker_id,))
        return done == 1

    def recover(self, timeout_s: float = HEARTBEAT_TIMEOUT_S) -> list[str]:
        """Take back every running job whose worker stopped beating: re-queued to resume, or failed
        after MAX_ATTEMPTS. Returns the ids taken back. Any process may call it at any time."""
        cutoff = time.time() - timeout_s
        with self._tx() as db:
            rows = db.execute("SELECT id, attempts, cancel FROM jobs WHERE state = 'running' "
                              "AND (heartbeat IS NULL OR heartbeat < ?)", (cutoff,)).fetchall()
            for row in rows:
                if row["cancel"]:
                    db.execute("UPDATE jobs SET state = 'cancelled', finished = ?, worker = NULL "
                               "WHERE id = ?", (time.time(), row["id"]))
                elif row["attempts"] >= MAX_ATTEMPTS:
                    db.execute("UPDATE jobs SET state = 'failed', finished = ?, worker = NULL, "
                               "error_key = 'job_worker_lost', error_args = ? WHERE id = ?",
                               (time.time(), json.dumps({"attempts": row["attempts"]}), row["id"]))
                else:
                    db.execute("UPDATE jobs SET state = 'queued', worker = NULL WHERE id = ?", (row["id"],))
            db.execute("DELETE FROM workers WHERE heartbeat < ?", (cutoff - 3600,))
        return [r["id"] for r in rows]


_STORES: dict[Path, JobStore] = {}
_STORES_LOCK = threading.Lock()


def default_store(root: str | Path | None = None) -> JobStore:
    """The store of the runs folder (CNNVIZ_RUNS, default ``runs``), one object per process."""
    folder = Path(root if root is not None else os.environ.get("CNNVIZ_RUNS", "runs")).resolve()
    with _STORES_LOCK:
        if folder not in _STORES:
            _STORES[folder] = JobStore(folder / DB_NAME)
        return _STORES[folder]
