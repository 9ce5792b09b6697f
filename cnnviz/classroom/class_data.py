"""The class draws a dataset: digits the students draw on the canvas, stored with their labels in the
class's database, become a training set the teacher trains on live (Teachable Machine's idea, for a
whole class). Pictures are stored as the 28x28 model inputs the canvas gives (cnnviz.imaging.canvas), so a
model trained on them reads new drawings made the same way. No Streamlit.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from cnnviz.classroom.classes import Classroom
from cnnviz.data.datasets import Split
from cnnviz.errors import CnnvizError, register

__all__ = ["CLASS_DATASET", "MAX_PER_STUDENT", "MESSAGES", "MIN_TO_TRAIN", "ClassDrawings"]

CLASS_DATASET = "class_drawings"
SIDE = 28
MAX_PER_STUDENT = 100
MIN_TO_TRAIN = 20  # fewer drawings than this cannot make a training and a validation set
VAL_FRACTION = 0.2

MESSAGES = register({
    "cd_too_many": "You have given {limit} drawings already, the most one student may give.",
    "cd_bad_label": "The label must be a digit from 0 to 9.",
    "cd_empty": "The canvas is empty: draw the digit first.",
    "cd_too_few": ("The class has drawn {count} digits; at least {need} are needed to train (some are kept "
                   "aside to check the model)."),
})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drawings (
    class TEXT NOT NULL, member TEXT NOT NULL, label INTEGER NOT NULL, pixels BLOB NOT NULL,
    time REAL NOT NULL);
CREATE INDEX IF NOT EXISTS drawings_class ON drawings (class, member);
"""


class ClassDrawings:
    """The drawings of the classes of one Classroom database."""

    def __init__(self, room: Classroom) -> None:
        self.room = room
        room._db().executescript(_SCHEMA)

    def add(self, class_id: str, member_id: str, label: int, image: np.ndarray) -> int:
        """Store one drawing, a uint8 (28, 28) model input with white ink; returns how many this
        student has given."""
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label <= 9:
            raise CnnvizError("cd_bad_label")
        pixels = np.ascontiguousarray(image, dtype=np.uint8).reshape(-1)
        if pixels.size != SIDE * SIDE:
            raise ValueError(f"a drawing is {SIDE}x{SIDE}, got {np.shape(image)}")
        if int(pixels.max()) == 0:
            raise CnnvizError("cd_empty")
        with self.room._tx() as db:
            given = db.execute("SELECT COUNT(*) FROM drawings WHERE class = ? AND member = ?",
                               (class_id, member_id)).fetchone()[0]
            if given >= MAX_PER_STUDENT:
                raise CnnvizError("cd_too_many", limit=MAX_PER_STUDENT)
            db.execute("INSERT INTO drawings (class, member, label, pixels, time) VALUES (?, ?, ?, ?, ?)",
                       (class_id, member_id, int(label), pixels.tobytes(), time.time()))
        return given + 1

    def counts(self, class_id: str) -> dict[int, int]:
        """Drawings per digit (only digits drawn at least once)."""
        rows = self.room._db().execute("SELECT label, COUNT(*) FROM drawings WHERE class = ? GROUP BY label",
                                       (class_id,)).fetchall()
        return {int(label): int(n) for label, n in rows}

    def given(self, class_id: str, member_id: str) -> int:
        return self.room._db().execute("SELECT COUNT(*) FROM drawings WHERE class = ? AND member = ?",
                                       (class_id, member_id)).fetchone()[0]

    def split(self, class_id: str, seed: int = 0) -> Split:
        """All the class's drawings, shuffled by ``seed``, a fifth (at least one) kept for validation."""
        rows = self.room._db().execute("SELECT label, pixels FROM drawings WHERE class = ? ORDER BY rowid",
                                       (class_id,)).fetchall()
        if len(rows) < MIN_TO_TRAIN:
            raise CnnvizError("cd_too_few", count=len(rows), need=MIN_TO_TRAIN)
        x = np.stack([np.frombuffer(p, np.uint8).reshape(1, SIDE, SIDE) for _, p in rows])
        y = np.array([label for label, _ in rows], np.int64)
        order = np.random.default_rng(seed).permutation(len(rows))
        n_val = max(1, round(len(rows) * VAL_FRACTION))
        val, train = order[:n_val], order[n_val:]
        return Split(torch.from_numpy(x[train].copy()), torch.from_numpy(y[train]),
                     torch.from_numpy(x[val].copy()), torch.from_numpy(y[val]))
