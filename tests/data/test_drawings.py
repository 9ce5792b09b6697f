"""The evaluation drawings: every style on the canvas with its pen, deterministic by seed, a hand
that follows its way points, and independent of the training generator (cnnviz.data.strokes)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from benchmarks.drawn_digits import familiar_styles
from cnnviz.data import drawings, strokes
from cnnviz.data.drawings import BOX_H, HAND_STYLES, hand_drawing, make_drawings, parse_stroke
from cnnviz.data.strokes import STYLES, make_strokes
from cnnviz.imaging.canvas import CANVAS_SIDE, MAX_WIDTH, MIN_WIDTH, paint
from tests.ink import painted_width

EVERY_STYLE = [(digit, style) for digit in range(10) for style in sorted(HAND_STYLES[digit])]


def test_parse_stroke_reads_points_and_sharp_corners() -> None:
    pts, sharp = parse_stroke("0,0.5 10,0* 3.25,16")
    np.testing.assert_array_equal(pts, [[0, 0.5], [10, 0], [3.25, 16]])
    assert sharp.tolist() == [False, True, False]


def test_the_named_styles_exist() -> None:
    assert sorted(HAND_STYLES) == list(range(10)) and all(len(HAND_STYLES[d]) >= 3 for d in range(10))
    assert {"open", "closed", "open_cross"} <= set(HAND_STYLES[4])
    assert {"plain", "crossed"} <= set(HAND_STYLES[7]) and {"stick", "serif"} <= set(HAND_STYLES[1])
    assert {"stick_tail", "hook_tail"} <= set(HAND_STYLES[9])


@pytest.mark.parametrize(("digit", "style"), EVERY_STYLE)
def test_every_style_fits_the_canvas_with_the_pen_it_reports(digit: int, style: str) -> None:
    rng = np.random.default_rng([digit, len(style), 1])
    for _ in range(5):
        paths, width = hand_drawing(digit, style, rng)
        assert MIN_WIDTH <= width <= MAX_WIDTH and len(paths) == len(HAND_STYLES[digit][style])
        pts = np.concatenate(paths)
        assert pts.min() >= width / 2 and pts.max() <= CANVAS_SIDE - 1 - width / 2
        img = paint(paths, width)
        assert img[0].max() == img[-1].max() == img[:, 0].max() == img[:, -1].max() == 0
        assert 0.25 * CANVAS_SIDE < np.ptp(pts[:, 1]) + width
        assert painted_width(paths, img) == pytest.approx(width, abs=1.5)


def test_a_straight_stroke_wobbles_but_stays_near_its_line() -> None:
    rng = np.random.default_rng(2)
    for _ in range(20):
        (path,), _ = hand_drawing(1, "stick", rng)
        top, bottom = path[path[:, 1].argmin()], path[path[:, 1].argmax()]
        axis = (bottom - top) / np.linalg.norm(bottom - top)
        rel = path - top
        off = np.abs(axis[0] * rel[:, 1] - axis[1] * rel[:, 0])  # distance from the top-bottom line
        assert 0.1 < off.max() < 0.1 * np.linalg.norm(bottom - top)


def test_same_seed_same_drawings_other_seed_other_drawings() -> None:
    a, b, c = make_drawings(40, 5), make_drawings(40, 5), make_drawings(40, 6)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1].tolist() == b[1].tolist() and a[2] == b[2]
    assert not np.array_equal(a[0], c[0])


def test_a_set_is_balanced_and_names_every_style() -> None:
    x, y, styles = make_drawings(400, 0)
    assert x.shape == (400, 1, 28, 28) and x.dtype == np.uint8 and y.dtype == np.int64
    assert np.bincount(y, minlength=10).tolist() == [40] * 10
    assert set(zip(y.tolist(), styles)) == set(EVERY_STYLE)


def _imports(module: object) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}


def test_neither_generator_uses_the_other() -> None:
    assert "cnnviz.data.strokes" not in _imports(drawings) and "cnnviz.data.drawings" not in _imports(strokes)
    assert "STYLES" not in Path(drawings.__file__).read_text(encoding="utf-8").replace("HAND_STYLES", "")


def test_most_evaluation_styles_have_no_twin_among_the_training_skeletons() -> None:
    """Canonical shapes (a one's bar, a plain seven) come out alike when written twice; the rest
    must not, and every digit keeps at least one style the training set has nothing like."""
    twins = familiar_styles()
    assert twins and twins <= set(EVERY_STYLE)  # the check finds twins where there are some
    assert len(twins) < len(EVERY_STYLE) / 2
    for digit in range(10):
        assert {(digit, s) for s in HAND_STYLES[digit]} - twins


def test_a_copied_skeleton_would_be_found(monkeypatch: pytest.MonkeyPatch) -> None:
    copied = tuple(" ".join(f"{p[0] * BOX_H},{p[1] * BOX_H}" for p in stroke)
                   for stroke in STYLES[2]["looped"])
    assert (2, "copy") not in familiar_styles()
    monkeypatch.setitem(HAND_STYLES, 2, {**HAND_STYLES[2], "copy": copied})
    assert (2, "copy") in familiar_styles()


@pytest.mark.slow
def test_no_evaluation_drawing_is_a_training_drawing() -> None:
    x_eval = make_drawings(300, 3)[0].reshape(300, -1)
    x_train = make_strokes(1500, 3)[0].reshape(1500, -1)
    assert not {bytes(row) for row in x_eval} & {bytes(row) for row in x_train}
