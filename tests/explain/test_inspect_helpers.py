"""Pure helpers behind the Inspect and Attributions pages, against torchvision, Captum, scipy and
hand computations: preprocessing, digit centring, map shrinking, the clickable mosaic, occlusion
cost and rank correlation (overlays: tests/explain/test_mapfigures.py)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
import torch
import torch.nn.functional as F
from captum.attr import Occlusion
from torch import nn
from torchvision import transforms

from cnnviz.explain.activations import mosaic, map_stats
from cnnviz.explain.attrstate import occlusion_defaults, occlusion_evals
from cnnviz.explain.mapview import shrink_maps
from cnnviz.explain.scores import rank_correlation
from cnnviz.imaging.preprocess import centre_digit, fit_to_input, needs_invert, preprocess
from cnnviz.sizes import fmt_bytes, nbytes

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def test_imagenet_preprocessing_equals_torchvision_when_no_resampling_is_needed() -> None:
    """Shorter side already 256: Resize(256) is the identity, so crop and normalisation must agree
    with torchvision exactly."""
    img = np.random.default_rng(0).integers(0, 256, (256, 341, 3), dtype=np.uint8)
    got = preprocess(img, (3, 224, 224), MEAN, STD, resize=256)
    ref = transforms.Compose([transforms.ToTensor(), transforms.CenterCrop(224),
                              transforms.Normalize(MEAN, STD)])(img)
    torch.testing.assert_close(got.x[0], ref, atol=1e-6, rtol=0)
    assert got.seen.shape == (224, 224, 3) and not got.seen.flags.writeable


def test_imagenet_preprocessing_close_to_torchvision_after_resizing() -> None:
    yy, xx = np.mgrid[0:300, 0:500] / 300.0
    img = np.stack([127 + 120 * np.sin(3 * xx + c) * np.cos(2 * yy) for c in range(3)], axis=2)
    img = img.round().astype(np.uint8)  # smooth, so any two good resampling methods agree closely
    got = preprocess(img, (3, 224, 224), MEAN, STD, resize=256).x[0]
    ref = transforms.Compose([transforms.ToTensor(), transforms.Resize(256, antialias=True),
                              transforms.CenterCrop(224), transforms.Normalize(MEAN, STD)])(img)
    assert float((got - ref).abs().max()) < 0.05  # normalised units: under 3 grey levels anywhere


def test_fit_to_input_crops_the_centre_to_the_aspect() -> None:
    img = np.arange(6 * 10, dtype=np.uint8).reshape(6, 10)
    np.testing.assert_array_equal(fit_to_input(img, 6, 6), img[:, 2:8])  # wide: cut left and right
    np.testing.assert_array_equal(fit_to_input(img.T.copy(), 6, 6), img.T[2:8])  # tall: cut top and bottom
    assert fit_to_input(img, 3, 3).shape == (3, 3)


def test_grey_model_input_is_luma_normalised_and_inverted() -> None:
    img = np.zeros((28, 28, 3), np.uint8)
    img[..., 0] = 200  # pure red 200: luma 0.299 * 200 = 59.8 -> 60
    got = preprocess(img, (1, 28, 28), (0.1,), (0.3,))
    assert int(got.seen[0, 0, 0]) == 60
    assert float(got.x[0, 0, 0, 0]) == pytest.approx((60 / 255 - 0.1) / 0.3, abs=1e-6)
    inv = preprocess(img, (1, 28, 28), (0.1,), (0.3,), invert=True)
    assert int(inv.seen[0, 0, 0]) == 255 - 60
    assert [k for k, _ in inv.steps] == ["prep_gray", "prep_invert", "prep_same_size", "prep_normalise"]


def test_centre_digit_fits_box_and_centres_mass() -> None:
    canvas = np.zeros((200, 300), np.uint8)
    canvas[20:120, 200:240] = 255  # a bar far from the centre, 100 tall and 40 wide
    out = centre_digit(canvas)
    ys, xs = np.nonzero(out > 127)
    assert ys.max() - ys.min() + 1 == 20  # the longer side scaled to the 20-pixel box
    assert 7 <= xs.max() - xs.min() + 1 <= 9  # 40 * 20/100 = 8
    mass = out.astype(float)
    cy = (mass.sum(1) * np.arange(28)).sum() / mass.sum()
    cx = (mass.sum(0) * np.arange(28)).sum() / mass.sum()
    assert abs(cy - 13.5) <= 0.5 and abs(cx - 13.5) <= 0.5
    np.testing.assert_array_equal(centre_digit(np.zeros((50, 50), np.uint8)), np.zeros((28, 28), np.uint8))


def test_needs_invert_looks_at_the_border() -> None:
    paper = np.full((20, 20), 240, np.uint8)
    paper[5:15, 9:11] = 10
    assert needs_invert(paper) and not needs_invert(255 - paper)


def test_shrink_maps_is_a_block_mean_within_budget() -> None:
    maps = np.random.default_rng(2).random((5, 12, 12)).astype(np.float32)
    assert shrink_maps(maps, [4, 1], budget=10_000).shape == (2, 12, 12)  # fits: untouched
    small = shrink_maps(maps, [4, 1], budget=2 * 36)  # factor 2
    want = maps[[4, 1]].reshape(2, 6, 2, 6, 2).mean(axis=(2, 4))
    np.testing.assert_allclose(small, want, rtol=1e-6)


def test_mosaic_figure_click_targets_report_their_tile() -> None:
    from cnnviz.ui.inspect_page import mosaic_figure  # the page's own figure code

    maps = np.random.default_rng(3).random((7, 9, 5)).astype(np.float32)
    order = [6, 0, 3, 2, 5, 1, 4]
    mos = mosaic(maps, order=order)
    fig = mosaic_figure(mos, map_stats(maps), selected=3, hover="{c} {min} {max} {mean}")
    marks = fig.data[1]
    assert sorted(set(np.array(marks.customdata)[:, 0].astype(int))) == list(range(7))
    stats = map_stats(maps)
    for x, y, (c, low, high, mean) in zip(marks.x, marks.y, marks.customdata):
        assert mos.channel_at(int(round(y)), int(round(x))) == c
        assert (low, high, mean) == pytest.approx((stats[int(c)]["min"], stats[int(c)]["max"], stats[int(c)]["mean"]),
                                                  rel=1e-6)  # what the hover writes
    assert marks.hovertemplate == "%{customdata[0]} %{customdata[1]:.3~g} %{customdata[2]:.3~g} %{customdata[3]:.3~g}" \
        "<extra></extra>"
    rect = fig.layout.shapes[0]  # the selected map's frame lies on map 3's tile
    assert mos.channel_at(int(rect.y0 + 1), int(rect.x0 + 1)) == 3


@pytest.mark.parametrize(("side", "window", "stride"), [(28, 4, 2), (32, 5, 3), (12, 12, 1), (10, 3, 3)])
def test_occlusion_evals_counts_captums_forward_passes(side: int, window: int, stride: int) -> None:
    model = nn.Sequential(nn.Flatten(), nn.Linear(side * side, 2))
    seen = []
    model.register_forward_hook(lambda m, i, o: seen.append(o.shape[0]))
    Occlusion(model).attribute(torch.rand(1, 1, side, side), sliding_window_shapes=(1, window, window),
                               strides=(1, stride, stride), target=0, perturbations_per_eval=1)
    assert sum(seen) - 1 == occlusion_evals(side, window, stride)  # minus the unoccluded pass


def test_occlusion_defaults_fit_the_input() -> None:
    assert occlusion_defaults(28) == (4, 2) and occlusion_defaults(224) == (28, 14)
    assert occlusion_defaults(3) == (3, 1)


def test_rank_correlation_is_spearman_of_magnitudes() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(6, 7)), rng.normal(size=(6, 7))
    assert rank_correlation(a, b) == pytest.approx(scipy.stats.spearmanr(np.abs(a).ravel(),
                                                                         np.abs(b).ravel())[0])
    assert rank_correlation(a, -2 * a) == pytest.approx(1.0)


def test_rank_correlation_averages_tied_zeros() -> None:
    """Two ReLU-like maps lit in different corners: their zeros are ties, not a shared order."""
    a, b = np.zeros((10, 10)), np.zeros((10, 10))
    a[2:5, 2:5] = np.arange(1, 10).reshape(3, 3)
    b[6:9, 6:9] = 1.0
    want = scipy.stats.spearmanr(a.ravel(), b.ravel())[0]
    assert want < 0 and rank_correlation(a, b) == pytest.approx(want)
    assert np.isnan(rank_correlation(a, np.zeros_like(a)))  # a blank map has no order


def test_fmt_bytes() -> None:
    assert fmt_bytes(240) == "240 B"
    assert fmt_bytes(60_008) == "58.6 KB"
    assert fmt_bytes(138_357_544 * 4) == "527.8 MB"
    assert fmt_bytes(3 * 2**30) == "3.0 GB"


def test_shrunk_maps_of_a_real_layer_keep_mean() -> None:
    x = torch.rand(1, 3, 64, 64)
    maps = F.conv2d(x, torch.randn(8, 3, 3, 3))[0].numpy()  # (8, 62, 62): 62 is not a multiple of 3
    small = shrink_maps(maps, list(range(8)), budget=8 * 21 * 21)
    assert small.shape == (8, 21, 21)
    np.testing.assert_allclose(small[:, :20, :20], maps[:, :60, :60].reshape(8, 20, 3, 20, 3).mean(axis=(2, 4)),
                               rtol=1e-5, atol=1e-6)


def test_nbytes_counts_arrays_inside_results() -> None:
    from cnnviz.explain.attribution import Attribution

    a = Attribution(method="ig", layer=None, target=0, map=np.zeros((28, 28), np.float32), raw_shape=(1, 1, 28, 28),
                    delta=0.1, signed=True)
    assert nbytes(a) == 28 * 28 * 4
    assert nbytes({"x": torch.zeros(2, 3, dtype=torch.float64), "y": [np.zeros(5, np.uint8), "text"]}) == 48 + 5


@pytest.mark.parametrize("key", ["shipped:lock_test", "upload:lock_test"])
def test_random_twin_copies_the_shared_model_under_its_lock(monkeypatch, key: str) -> None:
    """Another student's Captum hooks are only ever on a model while its lock is held."""
    from cnnviz.ui import model_picker

    held = []
    monkeypatch.setattr(model_picker, "randomized_copy",
                        lambda model: held.append(picked.lock.locked()) or model)
    monkeypatch.setattr(model_picker, "cached", lambda _key, compute: compute())  # no session here
    picked = model_picker.Picked(key=key, version=str(id(held)), model=nn.Linear(2, 2),
                                 classes=("a", "b"), in_shape=(1, 1, 2), mean=(0.0,), std=(1.0,),
                                 label="x", trained=True, dataset="digits")
    twin = model_picker.random_twin(picked)
    assert held == [True] and not picked.lock.locked()
    assert twin.lock is not picked.lock and not twin.trained


def test_imagenet_fit_of_a_long_strip_stays_small(monkeypatch) -> None:
    """An 8000x1 strip scaled so its short side is 256 would be 2 GB; the centre is cut first."""
    from cnnviz.imaging import preprocess as prep

    sizes = []
    real = prep._resize
    monkeypatch.setattr(prep, "_resize", lambda img, w, h: sizes.append(w * h) or real(img, w, h))
    for shape in [(1, 8000, 3), (8000, 1, 3), (3, 5000, 3)]:
        img = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
        out = fit_to_input(img, 224, 224, resize=256)
        assert out.shape == (224, 224, 3)
    assert max(sizes) <= 4 * 256 * 256
    photo = np.random.default_rng(1).integers(0, 256, (300, 1000, 3), dtype=np.uint8)  # 3.3:1
    assert np.array_equal(prep._cut_to_aspect(photo, prep.MAX_ASPECT), photo)


def test_square_layout_gives_the_layout_plotly_updates_would() -> None:
    """One layout dict, a shape included, against update_layout/update_xaxes/update_yaxes."""
    import json

    import plotly.graph_objects as go

    from cnnviz.ui.inspect_page import _square_layout

    z = np.arange(12.0).reshape(3, 4)
    rect = {"type": "rect", "x0": 0, "x1": 1, "y0": 0, "y1": 1}
    fast = go.Figure({"data": [{"type": "heatmap", "z": z, "showscale": False}],
                      "layout": {**_square_layout((3, 4), 200, 150), "shapes": [rect]}})
    slow = go.Figure(go.Heatmap(z=z, showscale=False))
    slow.add_shape(**rect)
    slow.update_layout(width=220, height=170, margin={"l": 10, "r": 10, "t": 10, "b": 10}, dragmode=False,
                       clickmode="event+select", plot_bgcolor="white")
    slow.update_xaxes(range=[-0.5, 3.5], visible=False, fixedrange=True, constrain="domain")
    slow.update_yaxes(range=[2.5, -0.5], visible=False, fixedrange=True, scaleanchor="x", constrain="domain")
    assert json.loads(fast.to_json()) == json.loads(slow.to_json())
    assert len(fast.layout.shapes) == 1
