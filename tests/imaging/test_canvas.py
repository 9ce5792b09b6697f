"""The canvas model: pen width and caps as painted, fabric.js's smoothing of mouse points computed
by hand, and the page's preprocessing of a painted picture."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.imaging.canvas import CANVAS_PEN, CANVAS_SIDE, fabric_path, model_input, paint
from cnnviz.imaging.preprocess import centre_digit, preprocess


@pytest.mark.parametrize("width", [12, 13, 20, 27, 28])
@pytest.mark.parametrize("y", [100.0, 100.25, 100.5])
def test_a_straight_stroke_is_as_wide_as_the_pen_with_round_caps(width: int, y: float) -> None:
    img = paint([np.array([[40.0, y], [180.0, y]])], width)
    assert img.shape == (CANVAS_SIDE, CANVAS_SIDE, 3) and img.dtype == np.uint8
    assert (img[:, :, 0] == img[:, :, 1]).all() and (img[:, :, 0] == img[:, :, 2]).all()
    ink = img[:, :, 0].astype(np.float64) / 255
    assert ink[:, 110].sum() == pytest.approx(width, abs=0.5)  # ink across the stroke
    assert ink[int(y)].sum() == pytest.approx(140 + width, abs=1.0)  # half a pen beyond each end
    assert ink[int(y), 110] == 1.0 and ink[0].max() == 0.0  # white ink, black elsewhere


def test_a_round_cap_is_a_half_disc() -> None:
    ink = paint([np.array([[60.0, 100.0], [160.0, 100.0]])], 20)[:, :, 0] > 127
    ys, xs = np.nonzero(ink[:, :60])  # the cap left of the stroke's start
    assert np.hypot(xs - 60, ys - 100).max() <= 10.5
    assert ink[100, 51] and not ink[91, 51]  # a square cap would have ink in its corner


def test_fabric_path_is_straight_to_the_first_midpoint_then_quadratic_through_midpoints() -> None:
    # fabric's decimation never keeps the last-but-one point: the path is that of p[[0, 1, 2, 4]].
    p = np.array([[10.0, 10.0], [50.0, 10.0], [50.0, 50.0], [90.0, 60.0], [100.0, 60.0]])
    kept = p[[0, 1, 2, 4]]
    path = fabric_path(p)
    np.testing.assert_allclose(path[0], p[0])
    np.testing.assert_allclose(path[-1], p[-1])
    m01, m12, m24 = (kept[0] + kept[1]) / 2, (kept[1] + kept[2]) / 2, (kept[2] + kept[3]) / 2
    # The curve around corner p1 runs from m01 to m12 with p1 as control: B(1/2) = m01/4 + p1/2 + m12/4.
    halfway = m01 / 4 + p[1] / 2 + m12 / 4
    assert np.min(np.linalg.norm(path - halfway, axis=1)) < 1.0
    assert np.min(np.linalg.norm(path - p[1], axis=1)) > 5.0  # the corner itself is cut
    for m in (m01, m12, m24):
        assert np.min(np.linalg.norm(path - m, axis=1)) < 1e-9
    assert np.min(np.linalg.norm(path - p[3], axis=1)) > 3.0  # the dropped point is not passed
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    assert steps[1:-1].max() < 2.0  # curves are dense; the two straight ends are single lines


def test_fabric_path_drops_mouse_points_closer_than_its_decimation() -> None:
    p = np.array([[10.0, 10.0], [10.2, 10.1], [30.0, 10.0], [30.0, 30.0], [30.0, 50.0]])
    without = np.delete(p, 1, axis=0)
    np.testing.assert_allclose(fabric_path(p), fabric_path(without))


def test_model_input_is_the_pages_centred_preprocessing() -> None:
    img = paint([np.array([[150.0, 40.0], [150.0, 200.0]]), np.array([[150.0, 40.0], [120.0, 70.0]])],
                CANVAS_PEN)
    seen = model_input(img)
    assert seen.shape == (28, 28) and seen.dtype == np.uint8
    page = preprocess(img, (1, 28, 28), (0.136,), (0.318,), invert=False, centre=True)
    np.testing.assert_array_equal(seen, page.seen[:, :, 0])
    np.testing.assert_array_equal(seen, centre_digit(img[:, :, 0]))
    rows, cols = np.nonzero(seen > 0.2 * 255)
    assert rows.max() - rows.min() + 1 == 20 and cols.max() - cols.min() < 20  # MNIST's 20-pixel box


def test_dark_ink_on_white_is_inverted_like_the_page_does() -> None:
    img = paint([np.array([[112.0, 40.0], [112.0, 190.0]])], CANVAS_PEN)
    np.testing.assert_array_equal(model_input(255 - img), model_input(img))
