"""Predict, then reveal: questions a teacher asks about the view on the projector, answered by
every student before the page shows the answer, checked by the app's own computation.

``ask`` stores a question with its correct answer (computed by the caller through the same code
the pages use: cnnviz.conv.arithmetic, cnnviz.models.builders, a model's prediction...); ``answer`` records one answer
per student (a new answer replaces the old one until the reveal); ``tally`` counts them. The ready
questions of the course (``course_question``) compute their own answers. No Streamlit.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.classroom.classes import Classroom
from cnnviz.conv.arithmetic import conv_trace, output_size, param_count
from cnnviz.errors import CnnvizError, register

__all__ = ["COURSE", "KINDS", "MESSAGES", "Question", "QuestionBook", "Tally", "course_question", "normalise"]

KINDS = ("number", "choice")
MAX_CHOICES = 12
MAX_ANSWER_CHARS = 40
TOP_WRONG = 3

MESSAGES = register({
    "q_not_open": "This question is closed: the answer has been shown.",
    "q_bad_number": "Type a number (for example 3, -2 or 0.5).",
    "q_bad_choice": "Pick one of the answers offered.",
})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY, class TEXT NOT NULL, kind TEXT NOT NULL, topic TEXT NOT NULL,
    params TEXT NOT NULL, answer TEXT NOT NULL, choices TEXT NOT NULL, state TEXT NOT NULL,
    created REAL NOT NULL, revealed REAL);
CREATE TABLE IF NOT EXISTS answers (
    question TEXT NOT NULL, member TEXT NOT NULL, value TEXT NOT NULL, time REAL NOT NULL,
    PRIMARY KEY (question, member));
"""


@dataclass(frozen=True)
class Question:
    id: str
    class_id: str
    kind: str  # "number" (typed) or "choice" (one of ``choices``)
    topic: str  # a catalog key naming the question, e.g. "q_conv_output_size"
    params: dict[str, Any]  # what the question text is filled with
    answer: Any  # the correct answer: a number, or one of ``choices``
    choices: tuple[str, ...]
    state: str  # "open" or "revealed"


@dataclass(frozen=True)
class Tally:
    """The anonymous count a teacher sees: nobody's answer is attributed to them."""

    total: int
    correct: int
    counts: list[tuple[str, int]]  # every distinct answer with its count, most frequent first
    wrong: list[tuple[str, int]]  # the most common wrong answers


def normalise(kind: str, value: Any, choices: tuple[str, ...] = ()) -> str:
    """An answer in the one form it is stored and compared in ("3", "0.5", "-2", or a choice)."""
    if kind == "choice":
        if str(value) not in choices:
            raise CnnvizError("q_bad_choice")
        return str(value)
    text = str(value).strip().replace(",", ".").replace("\u2212", "-")[:MAX_ANSWER_CHARS]
    try:
        number = float(text)
    except ValueError:
        raise CnnvizError("q_bad_number") from None
    if not math.isfinite(number):
        raise CnnvizError("q_bad_number")
    return str(int(number)) if number == int(number) and abs(number) < 1e15 else f"{number:.6g}"


class QuestionBook:
    """Questions and answers of the classes in a Classroom's database."""

    def __init__(self, room: Classroom) -> None:
        self.room = room
        room._db().executescript(_SCHEMA)

    def ask(self, class_id: str, teacher_token: str, topic: str, kind: str, answer: Any,
            params: dict[str, Any] | None = None, choices: tuple[str, ...] = ()) -> Question:
        """A new open question; an open question of the class before it is revealed first."""
        self.room._require_teacher(class_id, teacher_token)
        if kind not in KINDS or (kind == "choice" and not 2 <= len(choices) <= MAX_CHOICES):
            raise ValueError(f"a {kind!r} question needs 2-{MAX_CHOICES} choices or none")
        stored = normalise(kind, answer, tuple(choices))
        qid = secrets.token_urlsafe(9)
        with self.room._tx() as db:
            db.execute("UPDATE questions SET state = 'revealed', revealed = ? WHERE class = ? AND state = 'open'",
                       (time.time(), class_id))
            db.execute("INSERT INTO questions (id, class, kind, topic, params, answer, choices, state, created) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                       (qid, class_id, kind, topic, json.dumps(params or {}), stored, json.dumps(list(choices)),
                        time.time()))
        self.room.touch(class_id)  # followers' pages rerun and show it
        return self.get(qid)  # type: ignore[return-value]

    def get(self, question_id: str) -> Question | None:
        row = self.room._db().execute("SELECT * FROM questions WHERE id = ?", (question_id,)).fetchone()
        if row is None:
            return None
        return Question(row["id"], row["class"], row["kind"], row["topic"], json.loads(row["params"]),
                        row["answer"], tuple(json.loads(row["choices"])), row["state"])

    def current(self, class_id: str) -> Question | None:
        """The class's latest question (open, or revealed and still on screen)."""
        row = self.room._db().execute("SELECT id FROM questions WHERE class = ? ORDER BY created DESC LIMIT 1",
                                      (class_id,)).fetchone()
        return None if row is None else self.get(row["id"])

    def answer(self, question_id: str, member_id: str, value: Any) -> str:
        """Record (or replace) a student's answer while the question is open; returns it stored."""
        q = self.get(question_id)
        if q is None or q.state != "open":
            raise CnnvizError("q_not_open")
        stored = normalise(q.kind, value, q.choices)
        with self.room._tx() as db:
            db.execute("INSERT INTO answers (question, member, value, time) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (question, member) DO UPDATE SET value = excluded.value, time = excluded.time",
                       (question_id, member_id, stored, time.time()))
        return stored

    def my_answer(self, question_id: str, member_id: str) -> str | None:
        row = self.room._db().execute("SELECT value FROM answers WHERE question = ? AND member = ?",
                                      (question_id, member_id)).fetchone()
        return None if row is None else row["value"]

    def tally(self, question_id: str) -> Tally:
        q = self.get(question_id)
        rows = self.room._db().execute("SELECT value FROM answers WHERE question = ?", (question_id,)).fetchall()
        counts = Counter(r["value"] for r in rows)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        right = q.answer if q is not None else None
        return Tally(sum(counts.values()), counts.get(right, 0), ordered,
                     [(v, n) for v, n in ordered if v != right][:TOP_WRONG])

    def reveal(self, question_id: str, teacher_token: str) -> Question:
        q = self.get(question_id)
        if q is None:
            raise CnnvizError("q_not_open")
        self.room._require_teacher(q.class_id, teacher_token)
        with self.room._tx() as db:
            db.execute("UPDATE questions SET state = 'revealed', revealed = ? WHERE id = ? AND state = 'open'",
                       (time.time(), question_id))
        self.room.touch(q.class_id)
        return self.get(question_id)  # type: ignore[return-value]

    def summary(self, class_id: str) -> list[tuple[Question, Tally]]:
        """Every question of the class, oldest first, with its tally (the class's record)."""
        rows = self.room._db().execute("SELECT id FROM questions WHERE class = ? ORDER BY created",
                                       (class_id,)).fetchall()
        return [(self.get(r["id"]), self.tally(r["id"])) for r in rows]  # type: ignore[misc]


# --- the course's ready questions: each computes its answer with the app's own code --------------


def _conv_output(n: int, k: int, s: int, p: int) -> dict[str, Any]:
    size = output_size(n, k, s, p)
    return {"kind": "number", "answer": size.size, "params": {"n": n, "k": k, "s": s, "p": p}}


def _stride_fits(n: int, k: int, s: int, p: int) -> dict[str, Any]:
    size = output_size(n, k, s, p)
    fits = (n + 2 * p - k) % s == 0
    return {"kind": "choice", "answer": "yes" if fits else "no", "choices": ("yes", "no"),
            "params": {"n": n, "k": k, "s": s, "p": p, "exact": f"{(n + 2 * p - k) / s + 1:.2f}",
                       "size": size.size}}


def _course_cell() -> dict[str, Any]:
    """The course's 5x5 0/1 input with the 3x3 'X' kernel: the value of output cell (1, 1)."""
    x = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], float)
    w = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], float)
    out = conv_trace(x[None], w[None, None], None, 1, 0, 1).out[0]
    return {"kind": "number", "answer": int(out[1, 1]), "params": {"row": 2, "col": 2}}


def _lenet_params() -> dict[str, Any]:
    from cnnviz.models.builders import ModelConfig, build_model
    from cnnviz.models.builders import param_count as model_params

    return {"kind": "number", "answer": model_params(build_model(ModelConfig("lenet5", (1, 28, 28)))),
            "params": {}}


COURSE = {
    "q_course_output_5x5": lambda: _conv_output(5, 3, 1, 0),  # 5x5 input, 3x3 kernel: 3
    "q_course_stride_7": lambda: _stride_fits(7, 3, 3, 0),  # N=7, K=3, S=3: 2.33, does not fit
    "q_course_pool_4x4": lambda: _conv_output(4, 2, 2, 0),  # 2x2 pooling, stride 2, of 4x4: 2
    "q_course_cell": _course_cell,
    "q_course_conv1_params": lambda: {"kind": "number", "answer": param_count(1, 6, 5),
                                      "params": {"c_in": 1, "c_out": 6, "k": 5}},
    "q_course_lenet_params": _lenet_params,
}


def course_question(topic: str) -> dict[str, Any]:
    """The kind, answer, params (and choices) of one of the course's ready questions."""
    made = COURSE[topic]()
    return {"choices": (), **made}
