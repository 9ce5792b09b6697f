"""Matrix text format and presets of the Convolution lab."""

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.conv.grids import (FIXED_KERNEL_SIZE, INPUT_PRESETS, KERNEL_PRESETS, SAMPLE_IMAGES, MatrixError,
                          format_matrices, format_matrix, input_preset, kernel_preset, parse_matrices,
                          parse_matrix)


def test_parse_accepts_url_and_editor_forms() -> None:
    expected = np.array([[1, 2.5], [-3, 0.25]])
    np.testing.assert_array_equal(parse_matrix("1,2.5;-3,.25"), expected)
    np.testing.assert_array_equal(parse_matrix(" 1  2.5\n\u22123, 0.25\n\n"), expected)


@pytest.mark.parametrize("text, key", [
    ("", "err_empty"), ("1,2;3", "err_ragged"), ("1,x;3,4", "err_not_number"), ("1,nan", "err_not_number"),
    ("1,inf", "err_not_number"), ("1e9", "err_too_large"), ("1,2,3", "err_size"),
])
def test_parse_rejects_with_a_reason(text: str, key: str) -> None:
    with pytest.raises(MatrixError) as info:
        parse_matrix(text, min_size=2 if key == "err_size" else 1, max_size=2)
    assert info.value.key == key


def test_channels_must_share_a_shape() -> None:
    assert parse_matrices("1,2;3,4|5,6;7,8").shape == (2, 2, 2)
    with pytest.raises(MatrixError) as info:
        parse_matrices("1,2;3,4|5,6")
    assert info.value.key == "err_channel_shapes"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e5, 1e5, allow_nan=False), min_size=12, max_size=12))
def test_text_round_trip_is_exact(values: list[float]) -> None:
    ms = np.array(values).reshape(3, 2, 2)
    np.testing.assert_array_equal(parse_matrices(format_matrices(ms)), ms)
    np.testing.assert_array_equal(parse_matrix(format_matrix(ms[0], "\n", " ")), ms[0])


@pytest.mark.parametrize("name", INPUT_PRESETS)
def test_every_input_preset_has_the_asked_shape(name: str) -> None:
    x = input_preset(name, 7, 9, 3)
    fixed = {"course": (5, 5), "pool_example": (4, 4)}
    assert x.shape == (3,) + fixed.get(name, (7, 9))
    assert np.isfinite(x).all()


@pytest.mark.parametrize("name", SAMPLE_IMAGES)
def test_image_patch_is_a_downsampled_photo(name: str) -> None:
    x = input_preset("image", 6, 8, 3, image=name)
    assert x.shape == (3, 6, 8) and 0 <= x.min() and x.max() <= 255
    assert x.std() > 5  # a patch with structure, not a flat area
    gray = input_preset("image", 6, 8, 1, image=name)
    assert gray.shape == (1, 6, 8)


@pytest.mark.parametrize("name", KERNEL_PRESETS)
@pytest.mark.parametrize("k", [1, 2, 5])
def test_every_kernel_preset_has_the_asked_shape(name: str, k: int) -> None:
    w = kernel_preset(name, k, 2, 3)
    size = FIXED_KERNEL_SIZE.get(name, k)
    assert w.shape == (2, 3, size, size)


def test_sobel_presets_are_opencvs_sobel() -> None:
    """Sobel x applied with filter2D equals cv2.Sobel (same taps, same orientation)."""
    img = np.random.default_rng(1).integers(0, 255, (10, 12)).astype(np.float32)
    for name, (dx, dy) in {"sobel_x": (1, 0), "sobel_y": (0, 1)}.items():
        k = kernel_preset(name, 3, 1, 1)[0, 0].astype(np.float32)
        ours = cv2.filter2D(img, cv2.CV_32F, k, borderType=cv2.BORDER_CONSTANT)
        ref = cv2.Sobel(img, cv2.CV_32F, dx, dy, ksize=3, borderType=cv2.BORDER_CONSTANT)
        np.testing.assert_allclose(ours, ref, atol=1e-4)


def test_blur_presets_sum_to_one_and_identity_keeps_the_input() -> None:
    for k in range(1, 8):
        for name in ("box_blur", "gaussian"):
            assert kernel_preset(name, k, 1, 1).sum() == pytest.approx(1.0)
        assert kernel_preset("identity", k, 1, 1).sum() == 1
