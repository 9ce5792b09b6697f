"""The training generator of drawn digits: every style of every digit, on the canvas, with the pen
widths it says, deterministic by seed. Registry-wide checks (balance, statistics) are in test_data."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.data.strokes import STYLES, draw, make_strokes
from cnnviz.imaging.canvas import CANVAS_SIDE, MAX_WIDTH, MIN_WIDTH, paint
from tests.ink import painted_width

EVERY_STYLE = [(digit, style) for digit in range(10) for style in sorted(STYLES[digit])]


def test_every_digit_has_several_styles_and_the_named_ones() -> None:
    assert sorted(STYLES) == list(range(10))
    assert all(len(STYLES[d]) >= 2 for d in range(10))
    assert {"open", "closed"} <= set(STYLES[4]) and {"plain", "bar"} <= set(STYLES[7])
    assert {"bar", "flag"} <= set(STYLES[1]) and {"straight_tail", "curved_tail"} <= set(STYLES[9])


@pytest.mark.parametrize(("digit", "style"), EVERY_STYLE)
def test_every_style_fits_the_canvas_with_the_pen_it_reports(digit: int, style: str) -> None:
    rng = np.random.default_rng([digit, len(style)])
    for _ in range(5):
        strokes, width = draw(digit, style, rng)
        assert MIN_WIDTH <= width <= MAX_WIDTH and len(strokes) == len(STYLES[digit][style])
        pts = np.concatenate(strokes)
        assert pts.min() >= width / 2 and pts.max() <= CANVAS_SIDE - 1 - width / 2
        img = paint(strokes, width)
        assert img[0].max() == img[-1].max() == img[:, 0].max() == img[:, -1].max() == 0
        height = np.ptp(pts[:, 1])
        assert 0.25 * CANVAS_SIDE < height + width  # a digit, not a speck
        assert painted_width(strokes, img) == pytest.approx(width, abs=1.5)


def test_same_seed_same_drawings_other_seed_other_drawings() -> None:
    a, b, c = make_strokes(60, 5), make_strokes(60, 5), make_strokes(60, 6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_pen_widths_cover_the_whole_range() -> None:
    rng = np.random.default_rng(0)
    widths = {draw(8, "figure", rng)[1] for _ in range(300)}
    assert widths == set(range(MIN_WIDTH, MAX_WIDTH + 1))


def test_drawings_vary_in_size_position_and_slant() -> None:
    rng = np.random.default_rng(1)
    boxes = []
    for _ in range(200):
        pts = np.concatenate(draw(1, "bar", rng)[0])
        top, bottom = pts[pts[:, 1].argmin()], pts[pts[:, 1].argmax()]
        boxes.append((np.ptp(pts[:, 1]), pts[:, 0].mean(), (top[0] - bottom[0]) / np.ptp(pts[:, 1])))
    height, centre_x, lean = np.array(boxes).T
    assert height.min() < 0.45 * CANVAS_SIDE and height.max() > 0.8 * CANVAS_SIDE
    assert centre_x.min() < 0.3 * CANVAS_SIDE and centre_x.max() > 0.7 * CANVAS_SIDE
    assert lean.min() < -0.1 and lean.max() > 0.3  # a one leans both ways, mostly right


def test_model_inputs_are_centred_white_digits_on_black() -> None:
    x, y = make_strokes(200, 3)
    assert x.shape == (200, 1, 28, 28) and x.dtype == np.uint8
    assert x[:, 0, [0, -1]].max() == 0 and x[:, 0, :, [0, -1]].max() == 0  # a black frame
    assert (x.reshape(200, -1).max(axis=1) >= 250).all()  # a thin pen on a big digit: 254
    ink = (x > 128).mean(axis=(1, 2, 3))
    assert ink[y == 1].mean() < ink[y == 8].mean()
