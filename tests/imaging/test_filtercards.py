"""The Filters page's cards without Streamlit: a card holds the library's response, kernel and
OpenCV/torch difference, and a bundled picture's card is made once and shared."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cnnviz.imaging.filtercards import RESPONSE_PX, WORK_SIDE, card, sample_card, sample_gray
from cnnviz.imaging.filters import respond
from cnnviz.imaging.images import downscale_for_display, sample_image, to_gray
from cnnviz.plots import FrozenFigure, matrix_figure


@pytest.mark.parametrize("name", ["sobel_x", "gaussian", "canny"])
def test_a_card_shows_the_librarys_response(name: str) -> None:
    gray = np.random.default_rng(0).random((40, 30))
    want = respond(name, gray, 1.5, compare_torch=True)
    got = card(gray, name, 1.5, "%{z}", "Kernel")
    assert got.signed == want.signed and got.torch_diff == want.torch_diff
    assert (got.kernel is None) == (want.kernel is None) == (got.kernel_figure is None)
    if want.kernel is not None:
        np.testing.assert_array_equal(got.kernel, want.kernel)
        assert got.kernel_figure.to_dict() == matrix_figure(want.kernel.astype(np.float64), "Kernel").to_dict()
    spec = json.loads(got.figure.to_json())
    assert spec["layout"]["height"] == RESPONSE_PX


def test_a_bundled_pictures_card_is_made_once_from_its_grey_picture() -> None:
    gray = sample_gray("checkerboard")
    want = to_gray(downscale_for_display(np.asarray(sample_image("checkerboard")), WORK_SIDE))
    np.testing.assert_array_equal(gray, want)
    first = sample_card("checkerboard", "sobel_y", 1.0, "%{z}", "K")
    assert sample_card("checkerboard", "sobel_y", 1.0, "%{z}", "K") is first  # the same card for every student
    assert sample_card("checkerboard", "sobel_y", 2.0, "%{z}", "K") is not first
    fresh = card(gray, "sobel_y", 1.0, "%{z}", "K")
    assert first.torch_diff == fresh.torch_diff
    # drawn on every click, so frozen: the same figures, their dict made once
    assert isinstance(first.figure, FrozenFigure) and isinstance(first.kernel_figure, FrozenFigure)
    assert first.figure.to_dict() == fresh.figure.to_dict() and first.figure.to_dict() is first.figure.to_dict()
    assert first.kernel_figure.to_dict() == fresh.kernel_figure.to_dict()
