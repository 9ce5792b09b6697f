"""cnnviz.imaging.filters against OpenCV's dedicated functions, torch's conv2d and a plain numpy loop."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import data

from cnnviz.imaging.filters import (CLASSIC_FILTERS, COMPOSITE_FILTERS, MAX_KERNEL_SIZE, anchor, apply_cv2,
                            apply_torch, canny, classic_filter, custom, gaussian_size, respond_all,
                            sobel_magnitude, unsharp_mask)

SHAPES = [(1, 1), (2, 3), (5, 5), (6, 7), (31, 32), (64, 48)]


def _random(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def _camera() -> np.ndarray:
    return (data.camera() / 255.0).astype(np.float32)  # (512, 512) in 0..1


def _tol(img: np.ndarray, kernel: np.ndarray) -> float:
    # float32 sums of up to 49 products: error scales with the largest possible response
    return 1e-5 * float(np.abs(kernel).sum() * max(np.abs(img).max(), 1e-3)) + 1e-6


def _reference(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlation with zero padding, tap (anchor, anchor) on the output pixel, in float64."""
    k, a = kernel.shape[0], anchor(kernel.shape[0])
    padded = np.pad(img.astype(np.float64), ((a, k - 1 - a), (a, k - 1 - a)))
    h, w = img.shape
    return sum(kernel[u, v] * padded[u:u + h, v:v + w] for u in range(k) for v in range(k))


def _step(h: int = 12, w: int = 12) -> np.ndarray:
    img = np.zeros((h, w), np.float32)
    img[:, w // 2:] = 1.0  # dark left half, bright right half: a vertical edge
    return img


# --- the two backends agree ----------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", CLASSIC_FILTERS)
def test_cv2_and_torch_agree_on_random_images(name: str, shape: tuple[int, int]) -> None:
    f, img = classic_filter(name), _random(shape, seed=len(name))
    got_cv, got_t = apply_cv2(img, f), apply_torch(img, f)
    assert got_cv.shape == got_t.shape == shape and got_cv.dtype == got_t.dtype == np.float32
    np.testing.assert_allclose(got_cv, got_t, rtol=0, atol=_tol(img, f.kernel))
    np.testing.assert_allclose(got_cv, _reference(img, f.kernel), rtol=0, atol=_tol(img, f.kernel))


@pytest.mark.parametrize("name", CLASSIC_FILTERS)
def test_cv2_and_torch_agree_on_a_photo(name: str) -> None:
    f, img = classic_filter(name), _camera()
    np.testing.assert_allclose(apply_cv2(img, f), apply_torch(img, f), rtol=0, atol=_tol(img, f.kernel))


@settings(max_examples=60, deadline=None)
@given(kernel=st.integers(1, MAX_KERNEL_SIZE).flatmap(
           lambda k: arrays(np.float32, (k, k), elements=st.floats(-10, 10, width=32))),
       h=st.integers(1, 20), w=st.integers(1, 20), seed=st.integers(0, 2**16))
def test_custom_kernels_agree_odd_and_even(kernel: np.ndarray, h: int, w: int, seed: int) -> None:
    f, img = custom(kernel), _random((h, w), seed) * 4 - 2
    got = apply_cv2(img, f)
    np.testing.assert_allclose(got, apply_torch(img, f), rtol=0, atol=_tol(img, kernel))
    np.testing.assert_allclose(got, _reference(img, kernel), rtol=0, atol=_tol(img, kernel))


# torch warns that "same" with an even kernel pads a copy of the input; that is the point here.
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("k", range(1, MAX_KERNEL_SIZE + 1))
def test_alignment_matches_torch_same_padding(k: int) -> None:
    # An independent statement of the even-kernel rule: the extra zero row/column goes after.
    kernel = np.arange(k * k, dtype=np.float32).reshape(k, k) - k
    img = _random((9, 10), seed=k)
    same = F.conv2d(torch.from_numpy(img)[None, None], torch.from_numpy(kernel)[None, None], padding="same")
    np.testing.assert_allclose(apply_cv2(img, custom(kernel)), same[0, 0].numpy(), rtol=0, atol=_tol(img, kernel))


def test_roberts_impulse_response_sits_at_anchor_zero() -> None:
    # out[i, j] = sum k[u, v] img[i + u, j + v]: an impulse at (r, c) writes k[u, v] to (r - u, c - v).
    img = np.zeros((6, 6), np.float32)
    img[3, 3] = 1.0
    f = classic_filter("roberts_x")  # [[1, 0], [0, -1]]
    expected = np.zeros((6, 6), np.float32)
    expected[3, 3], expected[2, 2] = 1.0, -1.0
    for apply in (apply_cv2, apply_torch):
        np.testing.assert_array_equal(apply(img, f), expected)


# --- cross-checks against OpenCV's dedicated functions ---------------------------------------

def test_sobel_matches_cv2_sobel() -> None:
    img = _camera()
    for name, (dx, dy) in (("sobel_x", (1, 0)), ("sobel_y", (0, 1))):
        want = cv2.Sobel(img, cv2.CV_32F, dx, dy, ksize=3, borderType=cv2.BORDER_CONSTANT)
        np.testing.assert_allclose(apply_cv2(img, classic_filter(name)), want, rtol=0, atol=1e-5)


def test_scharr_matches_cv2_scharr() -> None:
    img = _camera()
    for name, (dx, dy) in (("scharr_x", (1, 0)), ("scharr_y", (0, 1))):
        want = cv2.Scharr(img, cv2.CV_32F, dx, dy, borderType=cv2.BORDER_CONSTANT)
        np.testing.assert_allclose(apply_cv2(img, classic_filter(name)), want, rtol=0, atol=1e-4)


def test_sobel_and_scharr_taps_are_the_textbook_ones() -> None:
    np.testing.assert_array_equal(classic_filter("sobel_x").kernel, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(classic_filter("sobel_y").kernel, [[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    np.testing.assert_array_equal(classic_filter("scharr_x").kernel, [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])
    np.testing.assert_array_equal(classic_filter("scharr_y").kernel, classic_filter("scharr_x").kernel.T)


def test_laplacians_match_cv2_laplacian() -> None:
    img = _camera()
    lap1 = cv2.Laplacian(img, cv2.CV_32F, ksize=1, borderType=cv2.BORDER_CONSTANT)  # 4-neighbour
    lap3 = cv2.Laplacian(img, cv2.CV_32F, ksize=3, borderType=cv2.BORDER_CONSTANT)  # [[2,0,2],[0,-8,0],[2,0,2]]
    np.testing.assert_allclose(apply_cv2(img, classic_filter("laplacian_4")), lap1, rtol=0, atol=1e-5)
    # 8-neighbour = 4-neighbour + diagonal part, and OpenCV's ksize=3 is twice the diagonal part
    np.testing.assert_allclose(apply_cv2(img, classic_filter("laplacian_8")), lap1 + 0.5 * lap3, rtol=0, atol=1e-5)
    assert np.abs(apply_cv2(img, classic_filter("laplacian_8")) - lap3).max() > 0.1  # not the same thing


@pytest.mark.parametrize("sigma", [0.3, 0.8, 1.0, 1.5, 3.0])
def test_gaussian_matches_cv2_gaussian_blur(sigma: float) -> None:
    img, k = _camera(), gaussian_size(sigma)
    want = cv2.GaussianBlur(img, (k, k), sigma, sigmaY=sigma, borderType=cv2.BORDER_CONSTANT)
    f = classic_filter("gaussian", sigma=sigma)
    assert f.kernel.shape == (k, k)
    np.testing.assert_allclose(apply_cv2(img, f), want, rtol=0, atol=1e-5)
    np.testing.assert_allclose(apply_torch(img, f), want, rtol=0, atol=1e-5)


def test_sobel_magnitude_is_the_norm_of_the_linear_sobels() -> None:
    img = _random((40, 33))
    gx, gy = (apply_cv2(img, classic_filter(n)) for n in ("sobel_x", "sobel_y"))
    np.testing.assert_allclose(sobel_magnitude(img), np.hypot(gx, gy), rtol=1e-5, atol=1e-5)


def test_unsharp_mask_adds_back_detail() -> None:
    img = _camera()
    blur = apply_cv2(img, classic_filter("gaussian", sigma=1.5))
    np.testing.assert_allclose(unsharp_mask(img, 1.5, 0.7), img + 0.7 * (img - blur), rtol=0, atol=1e-5)
    np.testing.assert_allclose(unsharp_mask(img, 1.5, 0.0), img, rtol=0, atol=1e-6)


# --- known answers ---------------------------------------------------------------------------

def test_sobel_x_on_vertical_step_responds_only_at_the_edge_with_positive_sign() -> None:
    img = _step()
    inner = apply_cv2(img, classic_filter("sobel_x"))[1:-1, 1:-1]  # away from the zero border
    cols = np.flatnonzero(np.abs(inner).max(axis=0) > 0) + 1
    assert cols.tolist() == [5, 6]  # the last dark and the first bright column
    np.testing.assert_array_equal(inner[:, 4:6], 4.0)  # dark -> bright is positive, weight 1+2+1
    np.testing.assert_array_equal(apply_cv2(img, classic_filter("sobel_y"))[1:-1, 1:-1], 0.0)


def test_roberts_sees_only_the_diagonal_across_it() -> None:
    i, j = np.indices((10, 10))
    img = (j > i).astype(np.float32)  # an edge running along the main diagonal
    rx = apply_cv2(img, classic_filter("roberts_x"))[:-1, :-1]  # last row/col meet the zero border
    ry = apply_cv2(img, classic_filter("roberts_y"))[:-1, :-1]
    np.testing.assert_array_equal(rx, 0.0)  # img[i, j] - img[i+1, j+1]: constant along the edge
    ii, jj = np.indices(ry.shape)
    np.testing.assert_array_equal(ry, ((jj == ii) | (jj == ii + 1)).astype(np.float32))


@pytest.mark.parametrize("k", range(1, MAX_KERNEL_SIZE + 1))
def test_box_kernel_sums_to_one(k: int) -> None:
    f = classic_filter("box", k=k)
    assert f.kernel.shape == (k, k) and not f.signed
    assert f.kernel.sum() == pytest.approx(1.0, abs=1e-6)
    assert np.ptp(f.kernel) == 0


@pytest.mark.parametrize("sigma", [0.1, 0.5, 1.0, 2.0, 3.0])
def test_gaussian_kernel_is_normalised_symmetric_and_peaked(sigma: float) -> None:
    k = classic_filter("gaussian", sigma=sigma).kernel
    assert k.shape[0] % 2 == 1 and k.shape[0] <= MAX_KERNEL_SIZE
    assert k.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(k, k.T, atol=1e-7)
    np.testing.assert_allclose(k, k[::-1, ::-1], atol=1e-7)
    c = k.shape[0] // 2
    assert k[c, c] == k.max()


def test_filters_are_float32_read_only_and_typed() -> None:
    for name in CLASSIC_FILTERS:
        f = classic_filter(name)
        assert f.name == name and f.kernel.dtype == np.float32 and f.kernel.ndim == 2
        assert np.isfinite(f.kernel).all()
        with pytest.raises(ValueError):
            f.kernel[0, 0] = 1.0
    assert classic_filter("sobel_x").signed and not classic_filter("gaussian").signed
    assert classic_filter("laplacian_8").family == "laplacian"
    zero_sum = [n for n in CLASSIC_FILTERS if abs(classic_filter(n).kernel.sum()) < 1e-6]
    assert set(zero_sum) == {n for n in CLASSIC_FILTERS if classic_filter(n).family in ("gradient", "laplacian")}


# --- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.ones((2, 3)), np.ones((8, 8)), np.ones((0, 0)), np.ones((3, 3, 1)),
                                 np.ones(3), np.array([[1.0, np.nan], [0, 1]]),
                                 np.array([[np.inf]]), np.array([[1e39]])])
def test_custom_rejects_bad_kernels(bad: np.ndarray) -> None:
    with pytest.raises(ValueError):
        custom(bad)


def test_custom_accepts_sizes_one_to_seven() -> None:
    for k in range(1, 8):
        assert custom(np.ones((k, k))).kernel.shape == (k, k)
    assert custom(-np.eye(2)).signed and not custom(np.eye(3)).signed


@pytest.mark.parametrize("name, params", [("nope", {}), ("sobel_x", {"k": 3}), ("box", {"k": 8}),
                                          ("box", {"k": 0}), ("gaussian", {"sigma": 0.0}),
                                          ("gaussian", {"sigma": 5.0})])
def test_classic_filter_rejects_bad_names_and_params(name: str, params: dict) -> None:
    with pytest.raises(ValueError):
        classic_filter(name, **params)


def test_apply_rejects_non_grey_images() -> None:
    f = classic_filter("box")
    for bad in (np.zeros((3, 4, 3), np.float32), np.zeros((0, 4), np.float32), np.zeros(5)):
        for apply in (apply_cv2, apply_torch):
            with pytest.raises(ValueError):
                apply(bad, f)


# --- Canny and respond_all -------------------------------------------------------------------

def test_canny_finds_the_step_edge() -> None:
    img = (_step(32, 32) * 200).astype(np.uint8)
    edges = canny(img, 50, 150)
    assert edges.dtype == np.uint8 and set(np.unique(edges)) == {0, 255}
    cols = np.flatnonzero(edges[4:-4].any(axis=0))  # rows away from the top/bottom borders
    assert set(cols) <= {15, 16} and len(cols) >= 1
    assert (edges[4:-4, 15:17] == 255).any(axis=1).all()  # the edge is found on every row
    assert not canny(np.full((32, 32), 90, np.uint8)).any()


def test_canny_rejects_float_images_and_bad_thresholds() -> None:
    with pytest.raises(ValueError):
        canny(_step())
    with pytest.raises(ValueError):
        canny(np.zeros((4, 4), np.uint8), 100, 50)


def test_respond_all_covers_every_filter_and_both_backends_agree() -> None:
    img = _random((37, 50))
    by_cv, by_torch = respond_all(img), respond_all(img, backend="torch")
    assert list(by_cv) == list(CLASSIC_FILTERS) + list(COMPOSITE_FILTERS) == list(by_torch)
    for name, out in by_cv.items():
        assert out.shape == img.shape
        np.testing.assert_allclose(out, by_torch[name], rtol=0, atol=1e-4)
    assert by_cv["canny"].dtype == np.uint8


def test_respond_is_the_one_path_for_every_filter() -> None:
    from cnnviz.imaging.filters import ALL_FILTERS, respond

    img = np.random.default_rng(3).random((40, 33)).astype(np.float32)
    for name in ALL_FILTERS:
        r = respond(name, img, sigma=1.5, compare_torch=True)
        assert r.values.shape == img.shape and r.name == name
        if r.kernel is not None:
            f = classic_filter(name, sigma=1.5) if name == "gaussian" else classic_filter(name)
            np.testing.assert_array_equal(r.values, apply_cv2(img, f))
            assert r.torch_diff == float(np.abs(apply_cv2(img, f) - apply_torch(img, f)).max()) < 1e-4
        else:
            assert r.torch_diff is None and not r.signed
    np.testing.assert_array_equal(respond("canny", img).values,
                                  canny(np.clip(np.rint(img * 255), 0, 255).astype(np.uint8)))
