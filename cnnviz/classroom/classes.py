"""A class: a teacher, a join code, students with nicknames, what the teacher presents, questions
and their answers, kept in one SQLite file in the runs folder so a restart loses nothing.

The teacher is whoever knows the server's teacher password (CNNVIZ_TEACHER_PASSWORD; without it
there are no teacher features). Students join with a short code and a nickname: no accounts, no
personal data. Wrong codes are rate-limited, so codes cannot be enumerated cheaply. What the
teacher presents is also written to a small JSON file that students' browsers poll without
running any Python (see ``live_file``). No Streamlit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from cnnviz.dbconn import Connections
from cnnviz.errors import CnnvizError, register
from cnnviz.fileio import write_atomic

__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "ENV_PASSWORD", "MESSAGES", "ClassInfo", "Classroom", "Member",
           "Presented", "check_nickname", "default_classroom", "join_link", "poll_ms", "teacher_enabled",
           "teacher_identity", "teacher_password_ok"]

ENV_PASSWORD = "CNNVIZ_TEACHER_PASSWORD"
ENV_POLL_MS = "CNNVIZ_POLL_MS"
POLL_MS = 700  # Streamlit serves the live files: 100 followers at 700 ms are 143 requests a second to it
POLL_LIMITS_MS = (100, 10_000)
ENV_PUBLIC_URL = "CNNVIZ_PUBLIC_URL"  # e.g. http://10.0.0.5:8501: the address students' devices use
DB_NAME = "classroom.sqlite3"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on phones
CODE_LENGTH = 6  # 32**6 = 1.07e9 codes
MAX_WRONG_CODES = 5  # per browser session and per minute; then joining waits
MAX_WRONG_CODES_ALL = 60  # for the whole server, per minute
WRONG_WINDOW_S = 60.0
MAX_NICKNAME = 24
_NICK = re.compile(r"[^\W_][\w .'-]*", re.UNICODE)  # letters of any script, digits, space . ' -

MESSAGES = register({
    "cls_no_teacher": ("Teacher features are off on this server: whoever runs it sets a teacher password "
                       "(CNNVIZ_TEACHER_PASSWORD) to turn them on."),
    "cls_bad_password": "That is not the teacher password.",
    "cls_bad_code": "No class has the code {code}. Check it with your teacher (letters and digits, {length} long).",
    "cls_too_many_tries": "Too many wrong codes: wait {seconds} seconds, then try again.",
    "cls_ended": "This class has ended. Ask your teacher for the new code.",
    "cls_bad_nickname": ("A nickname is 1 to {limit} letters, digits, spaces, dots, apostrophes or hyphens, "
                         "starting with a letter or digit."),
    "cls_nickname_taken": "Someone in this class already uses the nickname {nickname}; pick another.",
    "cls_not_teacher": "Only the teacher of this class can do that.",
})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    id TEXT PRIMARY KEY, code TEXT UNIQUE NOT NULL, title TEXT NOT NULL, teacher TEXT NOT NULL,
    created REAL NOT NULL, ended REAL, page TEXT NOT NULL DEFAULT '', query TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 0, presenting INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS members (
    class TEXT NOT NULL, id TEXT NOT NULL, nickname TEXT NOT NULL, joined REAL NOT NULL,
    seen REAL NOT NULL, PRIMARY KEY (class, id), UNIQUE (class, nickname));
CREATE TABLE IF NOT EXISTS wrong_codes (who TEXT NOT NULL, time REAL NOT NULL);
CREATE INDEX IF NOT EXISTS wrong_codes_who ON wrong_codes (who, time);
"""


def _lan_address() -> str | None:
    """This machine's address on the local network (no packet is sent; None without a route)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def join_link(page_url: str | None, code: str, env: Mapping[str, str] = os.environ) -> str:
    """The link students open to join: CNNVIZ_PUBLIC_URL if the operator set one, else the address
    the teacher's browser uses, with "localhost" replaced by the machine's network address (the
    teacher's laptop on the projector often opens the app as localhost, which no student reaches)."""
    base = env.get(ENV_PUBLIC_URL, "").strip() or (page_url or "http://localhost:8501")
    parts = urlsplit(base)
    host = parts.hostname or "localhost"
    if host in ("localhost", "127.0.0.1", "::1") and not env.get(ENV_PUBLIC_URL):
        lan = _lan_address()
        if lan:
            host = lan
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme or "http", netloc, "/", urlencode({"join": code}), ""))


def poll_ms(env: Mapping[str, str] = os.environ) -> int:
    """How often a follower's browser fetches its class's live file, in ms: CNNVIZ_POLL_MS (a whole
    number, held between 100 and 10,000), else 700. Half the interval is half of a follower's mean
    wait for a change, and twice the requests: the classroom launcher sets 350 where nginx serves
    the live files (a static file costs nginx next to nothing, a Streamlit process a thread's turn)."""
    text = env.get(ENV_POLL_MS, "").strip()
    if not (text.isascii() and text.isdigit()):
        return POLL_MS
    lo, hi = POLL_LIMITS_MS
    return min(max(int(text), lo), hi)


def teacher_enabled(env: Mapping[str, str] = os.environ) -> bool:
    return bool(env.get(ENV_PASSWORD, ""))


def teacher_password_ok(given: str, env: Mapping[str, str] = os.environ) -> bool:
    """Constant-time comparison with the server's teacher password; False when none is set."""
    wanted = env.get(ENV_PASSWORD, "")
    return bool(wanted) and hmac.compare_digest(given.encode(), wanted.encode())


def teacher_identity(password: str) -> str:
    """The teacher's token: the same for every login with the password, so a teacher who closed
    the tab (or whose server restarted) finds their classes again after logging in."""
    return hashlib.sha256(f"cnnviz teacher\0{password}".encode()).hexdigest()


def check_nickname(nickname: str) -> str:
    """The nickname with outer spaces removed; CnnvizError("cls_bad_nickname") when unusable."""
    nick = " ".join(str(nickname).split())
    if not (1 <= len(nick) <= MAX_NICKNAME and _NICK.fullmatch(nick)):
        raise CnnvizError("cls_bad_nickname", limit=MAX_NICKNAME)
    return nick


def _digest(token: str) -> str:
    """Tokens are stored hashed: a copy of the database does not let anyone act as the teacher."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ClassInfo:
    id: str  # secret: also names the class's live file, so it never appears to students unjoined
    code: str
    title: str
    created: float
    ended: float | None
    presenting: bool
    version: int


@dataclass(frozen=True)
class Member:
    class_id: str
    id: str
    nickname: str


@dataclass(frozen=True)
class Presented:
    """What the teacher shows now: a page of the app and its URL state (``version`` counts changes)."""

    page: str
    query: str
    version: int
    presenting: bool


class Classroom:
    """Classes of one server, in ``<runs>/classroom.sqlite3`` (WAL mode), plus live files in
    ``live_dir`` for students' browsers."""

    def __init__(self, path: str | Path, live_dir: str | Path) -> None:
        self.path, self.live_dir = Path(path), Path(live_dir)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connections = Connections(self.path)
        self._db().executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        return self._connections.get()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # --- the teacher ---------------------------------------------------------------------------

    def start(self, teacher_token: str, title: str = "") -> ClassInfo:
        """A new class with a fresh join code, owned by the teacher holding ``teacher_token``."""
        with self._tx() as db:
            while True:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if db.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone() is None:
                    break
            class_id = secrets.token_urlsafe(12)
            db.execute("INSERT INTO classes (id, code, title, teacher, created) VALUES (?, ?, ?, ?, ?)",
                       (class_id, code, title[:80], _digest(teacher_token), time.time()))
        self._write_live(class_id)
        return self.info(class_id)  # type: ignore[return-value]

    def info(self, class_id: str) -> ClassInfo | None:
        row = self._db().execute("SELECT * FROM classes WHERE id = ?", (class_id,)).fetchone()
        return None if row is None else ClassInfo(row["id"], row["code"], row["title"], row["created"],
                                                  row["ended"], bool(row["presenting"]), row["version"])

    def teaching(self, teacher_token: str, ended: bool = False) -> list[ClassInfo]:
        """The classes this teacher started that are still open (or, with ``ended``, that have
        ended), newest first."""
        rows = self._db().execute(f"SELECT id FROM classes WHERE teacher = ? AND ended IS {'NOT ' if ended else ''}"
                                  "NULL ORDER BY created DESC", (_digest(teacher_token),)).fetchall()
        return [self.info(r["id"]) for r in rows]  # type: ignore[misc]

    def is_teacher(self, class_id: str, teacher_token: str | None) -> bool:
        row = self._db().execute("SELECT teacher FROM classes WHERE id = ?", (class_id,)).fetchone()
        return bool(row and teacher_token and hmac.compare_digest(row["teacher"], _digest(teacher_token)))

    def _require_teacher(self, class_id: str, teacher_token: str) -> None:
        if not self.is_teacher(class_id, teacher_token):
            raise CnnvizError("cls_not_teacher")

    def present(self, class_id: str, teacher_token: str, page: str, query: str) -> Presented:
        """Record the teacher's page and URL state; followers see it within their poll interval."""
        self._require_teacher(class_id, teacher_token)
        with self._tx() as db:
            db.execute("UPDATE classes SET page = ?, query = ?, version = version + 1, presenting = 1 "
                       "WHERE id = ? AND (page != ? OR query != ? OR presenting = 0)",
                       (page, query, class_id, page, query))
        self._write_live(class_id)
        return self.presented(class_id)  # type: ignore[return-value]

    def stop_presenting(self, class_id: str, teacher_token: str) -> None:
        self._require_teacher(class_id, teacher_token)
        with self._tx() as db:
            db.execute("UPDATE classes SET presenting = 0, version = version + 1 WHERE id = ?", (class_id,))
        self._write_live(class_id)

    def end(self, class_id: str, teacher_token: str) -> None:
        """End the class: nobody can join it any more; its runs and answers are kept."""
        self._require_teacher(class_id, teacher_token)
        with self._tx() as db:
            db.execute("UPDATE classes SET ended = ?, presenting = 0, version = version + 1 WHERE id = ?",
                       (time.time(), class_id))
        self._write_live(class_id)

    def touch(self, class_id: str) -> None:
        """Something followers must see changed (a question asked or revealed): bump the version."""
        with self._tx() as db:
            db.execute("UPDATE classes SET version = version + 1 WHERE id = ?", (class_id,))
        self._write_live(class_id)

    def presented(self, class_id: str) -> Presented | None:
        row = self._db().execute("SELECT page, query, version, presenting FROM classes WHERE id = ?",
                                 (class_id,)).fetchone()
        return None if row is None else Presented(row["page"], row["query"], row["version"],
                                                  bool(row["presenting"]))

    def live_file(self, class_id: str) -> Path:
        """The JSON file followers poll: {"version", "page", "query", "presenting", "ended"}."""
        return self.live_dir / f"{class_id}.json"

    def _write_live(self, class_id: str) -> None:
        info, shown = self.info(class_id), self.presented(class_id)
        if info is None or shown is None:
            return
        body = {"version": shown.version, "page": shown.page, "query": shown.query,
                "presenting": shown.presenting, "ended": info.ended is not None}
        self.live_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.live_file(class_id), json.dumps(body).encode())

    # --- students ------------------------------------------------------------------------------

    def _throttle(self, db: sqlite3.Connection, who: str) -> None:
        since = time.time() - WRONG_WINDOW_S
        db.execute("DELETE FROM wrong_codes WHERE time < ?", (since,))
        mine = db.execute("SELECT COUNT(*), MIN(time) FROM wrong_codes WHERE who = ?", (who,)).fetchone()
        everyone = db.execute("SELECT COUNT(*), MIN(time) FROM wrong_codes").fetchone()
        # Per browser session, and for the whole server: a script opening new sessions to guess
        # still gets MAX_WRONG_CODES_ALL tries a minute, ~15,000 years for half the codes.
        for count, first, limit in ((*mine, MAX_WRONG_CODES), (*everyone, MAX_WRONG_CODES_ALL)):
            if count >= limit:
                raise CnnvizError("cls_too_many_tries", seconds=max(1, round(first + WRONG_WINDOW_S - time.time())))

    def find(self, code: str, who: str) -> ClassInfo:
        """The open class with join ``code``; wrong codes from ``who`` (a browser session) are
        counted, and after MAX_WRONG_CODES in a minute every try is refused for a while."""
        code = "".join(str(code).upper().split())[:CODE_LENGTH + 2]
        with self._tx() as db:
            self._throttle(db, who)
            row = db.execute("SELECT id, ended FROM classes WHERE code = ?", (code,)).fetchone()
            if row is None:
                db.execute("INSERT INTO wrong_codes (who, time) VALUES (?, ?)", (who, time.time()))
        if row is None:
            raise CnnvizError("cls_bad_code", code=code, length=CODE_LENGTH)
        if row["ended"] is not None:
            raise CnnvizError("cls_ended")
        return self.info(row["id"])  # type: ignore[return-value]

    def join(self, class_id: str, nickname: str, member_id: str | None = None) -> Member:
        """Add a student (or, with the ``member_id`` the browser kept, let them back in under the
        same nickname). Nicknames are unique within a class."""
        nick = check_nickname(nickname)
        member_id = member_id or secrets.token_urlsafe(12)
        now = time.time()
        with self._tx() as db:
            ended = db.execute("SELECT ended FROM classes WHERE id = ?", (class_id,)).fetchone()
            if ended is None or ended["ended"] is not None:
                raise CnnvizError("cls_ended")
            owner = db.execute("SELECT id FROM members WHERE class = ? AND nickname = ?",
                               (class_id, nick)).fetchone()
            if owner is not None and owner["id"] != member_id:
                raise CnnvizError("cls_nickname_taken", nickname=nick)
            db.execute("INSERT INTO members (class, id, nickname, joined, seen) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (class, id) DO UPDATE SET nickname = excluded.nickname, seen = ?",
                       (class_id, member_id, nick, now, now, now))
        return Member(class_id, member_id, nick)

    def member(self, class_id: str, member_id: str) -> Member | None:
        row = self._db().execute("SELECT nickname FROM members WHERE class = ? AND id = ?",
                                 (class_id, member_id)).fetchone()
        return None if row is None else Member(class_id, member_id, row["nickname"])

    def seen(self, class_id: str, member_id: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE members SET seen = ? WHERE class = ? AND id = ?", (time.time(), class_id, member_id))

    def members(self, class_id: str, within_s: float | None = None) -> list[Member]:
        """Everyone who joined (or only those seen in the last ``within_s`` seconds), by nickname."""
        cutoff = 0.0 if within_s is None else time.time() - within_s
        rows = self._db().execute("SELECT id, nickname FROM members WHERE class = ? AND seen >= ? "
                                  "ORDER BY nickname COLLATE NOCASE", (class_id, cutoff)).fetchall()
        return [Member(class_id, r["id"], r["nickname"]) for r in rows]


_ROOMS: dict[tuple[str, str, str], Classroom] = {}
_ROOMS_LOCK = threading.Lock()


def default_classroom(root: str | Path | None = None, live_dir: str | Path | None = None) -> Classroom:
    """The classroom of the runs folder (CNNVIZ_RUNS), with live files in the app's static folder.
    Kept by the names it was asked for (every script run asks: resolving the paths each time cost
    a follower's rerun as much as reading the class)."""
    named = (str(root if root is not None else os.environ.get("CNNVIZ_RUNS", "runs")),
             str(live_dir if live_dir is not None else LIVE_DIR), os.getcwd())
    with _ROOMS_LOCK:
        if named not in _ROOMS:
            folder, live = Path(named[0]).resolve(), Path(named[1]).resolve()
            _ROOMS[named] = Classroom(folder / DB_NAME, live)
        return _ROOMS[named]


# Streamlit serves <app folder>/static/ at /app/static/ when server.enableStaticServing is on.
LIVE_DIR = Path(__file__).resolve().parents[2] / "static" / "live"
