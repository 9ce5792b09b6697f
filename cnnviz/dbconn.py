"""SQLite connections for the threads of one process, reused after their thread has ended.

Each thread uses a connection of its own (a connection is never used by two threads at once).
Streamlit runs every script run in a new thread, so opening a connection per thread opened one
per click: connect and set-up took 0.3 ms of each run, the same as 35 of the queries a run
makes. A connection whose thread has ended goes back to a small pool for the next thread.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import weakref
from pathlib import Path

__all__ = ["Connections"]

BUSY_TIMEOUT_MS = 10_000
KEPT = 8  # connections kept for later threads; more than that are closed when their thread ends


class Connections:
    """``get()``: the calling thread's connection to ``path`` (autocommit, rows by name, WAL)."""

    def __init__(self, path: Path, *pragmas: str) -> None:
        self.path = path
        self.pragmas = (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", "PRAGMA journal_mode = WAL", *pragmas)
        self._local = threading.local()
        self._free: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()

    def _open(self) -> sqlite3.Connection:
        # check_same_thread=False: a connection passes to another thread only after its own has ended
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                             check_same_thread=False)
        for pragma in self.pragmas:
            db.execute(pragma)
        db.row_factory = sqlite3.Row
        return db

    def _hand_back(self, db: sqlite3.Connection) -> None:
        if db.in_transaction:  # a thread that died inside a transaction: nothing of it is kept
            db.execute("ROLLBACK")
        if self._free.qsize() < KEPT:
            self._free.put(db)
        else:
            db.close()

    def get(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = self._free.get_nowait()
            except queue.Empty:
                db = self._open()
            self._local.db = db
            self._local.done = weakref.finalize(threading.current_thread(), self._hand_back, db)
        return db

    def close(self) -> None:
        """Close the calling thread's connection (it is not handed on)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            self._local.done.detach()
            db.close()
            self._local.db = None
