"""The Inspect page's map helpers without Streamlit, against hand computations: tiles scaled onto
0..1, colour filters as one RGB picture, shapes as the layer table writes them (shrinking is
tested in tests/explain/test_inspect_helpers.py)."""

from __future__ import annotations

import numpy as np

from cnnviz.explain.mapview import colour_kernels, scale_tiles, shape_text


def test_each_tile_is_scaled_by_its_own_range() -> None:
    tiles = np.stack([np.array([[1.0, 3.0], [2.0, 5.0]]), np.full((2, 2), 7.0), np.array([[-2.0, 0.0], [2.0, 0.0]])])
    got = scale_tiles(tiles, shared=False)
    np.testing.assert_allclose(got[0], [[0.0, 0.5], [0.25, 1.0]])
    np.testing.assert_array_equal(got[1], np.zeros((2, 2)))  # a constant map: nothing to show
    np.testing.assert_allclose(got[2], [[0.0, 0.5], [1.0, 0.5]])


def test_shared_scaling_uses_one_range_for_all_tiles() -> None:
    tiles = np.stack([np.array([[1.0, 3.0], [2.0, 5.0]]), np.full((2, 2), 7.0)])
    got = scale_tiles(tiles, shared=True)
    np.testing.assert_allclose(got, (tiles - 1.0) / 6.0)
    np.testing.assert_array_equal(scale_tiles(np.full((3, 2, 2), 4.0), shared=True), np.zeros((3, 2, 2)))


def test_colour_kernels_are_grey_at_zero_with_white_gaps() -> None:
    weight = np.zeros((2, 3, 2, 2), np.float32)
    weight[0, 0] = [[1.0, -1.0], [0.5, 0.0]]  # red plane of filter 0; its max |w| is 1
    weight[0, 2] = [[-0.5, 0.0], [0.0, 1.0]]
    image = colour_kernels(weight, px=10)
    # two 2x2 tiles side by side with a one-pixel gap: 2 x 5 cells, each drawn 10 // 5 = 2 pixels wide
    assert image.shape == (4, 10, 3) and image.dtype == np.uint8
    cells = image[::2, ::2]  # (2, 5, 3): one pixel per cell
    np.testing.assert_array_equal(cells[:, 0:2, 0], [[255, 0], [191, 128]])  # 255 * (w + 1) / 2, rounded
    np.testing.assert_array_equal(cells[:, 0:2, 1], [[128, 128], [128, 128]])  # an all-zero plane is grey
    np.testing.assert_array_equal(cells[:, 0:2, 2], [[64, 128], [128, 255]])
    np.testing.assert_array_equal(cells[:, 2], np.full((2, 3), 255))  # the gap is white
    np.testing.assert_array_equal(cells[:, 3:5], np.full((2, 2, 3), 128))  # an all-zero filter is grey
    np.testing.assert_array_equal(image[0:2, 0:2, 0], np.full((2, 2), 255))  # each cell a 2x2 square


def test_shape_text() -> None:
    assert shape_text((6, 28, 28)) == "6 × 28 × 28" and shape_text((10,)) == "10" and shape_text(None) == "–"
