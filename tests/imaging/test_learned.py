"""Tests for cnnviz.imaging.learned: padding, the similarity score against a brute-force reference, the
responses against the model's own conv layer, and a tiny hand-crafted vs random training run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnnviz.data.datasets import DATASETS, Split
from cnnviz.imaging.filters import CLASSIC_FILTERS, apply_torch, classic_filter, custom
from cnnviz.imaging.learned import (
    LOW_PASS,
    MESSAGES,
    LearnedError,
    best_matches,
    classic_kernels,
    cosine,
    equal_size,
    experiment_n_val,
    experiment_specs,
    first_layer,
    grey_kernels,
    has_conv,
    model_input,
    responses,
)
from cnnviz.models.builders import ModelConfig, build_model
from tests.jobqueue import Queue
from cnnviz.train.engine import DeviceData, TrainConfig
from cnnviz.train.runs import RunSpec, load_filters, run_dir
from tests.helpers import noise_rgb

SOBEL_X = classic_filter("sobel_x").kernel


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _in_5x5(k3: np.ndarray) -> np.ndarray:
    out = np.zeros((5, 5), np.float32)
    out[1:4, 1:4] = k3
    return out


# --- equal size -----------------------------------------------------------------------------


def test_equal_size_centres_the_smaller_kernel_by_hand() -> None:
    a, b = equal_size(SOBEL_X, np.ones((5, 5)))
    assert a.shape == b.shape == (5, 5)
    np.testing.assert_array_equal(a, _in_5x5(SOBEL_X))
    roberts, big = equal_size(classic_filter("roberts_x").kernel, SOBEL_X)
    np.testing.assert_array_equal(roberts, [[0, 0, 0], [0, 1, 0], [0, 0, -1]])  # anchor (0,0) -> (1,1)
    np.testing.assert_array_equal(big, SOBEL_X)
    three, four = equal_size(SOBEL_X, np.ones((4, 4)))
    np.testing.assert_array_equal(three[:3, :3], SOBEL_X)  # anchor(4) == anchor(3) == 1: no shift
    assert not three[3].any() and not three[:, 3].any()


@pytest.mark.parametrize("name", ["roberts_x", "sobel_y", "laplacian_8"])
def test_padding_keeps_the_operator(name: str) -> None:
    """The padded kernel gives exactly the same response everywhere, borders included."""
    k = classic_filter(name).kernel
    img = _rng(1).random((23, 17)).astype(np.float32)
    for size in (3, 5, 7):
        if size < k.shape[0]:
            continue
        padded, _ = equal_size(k, np.zeros((size, size)))
        np.testing.assert_allclose(apply_torch(img, custom(padded)), apply_torch(img, custom(k)), atol=1e-5)


# --- the similarity score -------------------------------------------------------------------


def test_sobel_as_learned_filter_scores_one_either_sign() -> None:
    learned = np.stack([_rng().normal(size=(5, 5)), _in_5x5(SOBEL_X), _rng(2).normal(size=(5, 5))])
    match = {m.classic: m for m in best_matches(learned)}["sobel_x"]
    assert (match.index, match.sign) == (1, 1) and match.score == pytest.approx(1.0, abs=1e-12)
    negative = {m.classic: m for m in best_matches(-learned)}["sobel_x"]
    assert (negative.index, negative.sign) == (1, -1) and negative.score == pytest.approx(1.0, abs=1e-12)
    assert cosine(SOBEL_X, -SOBEL_X) == pytest.approx(-1.0)


def test_transposed_sobel_x_matches_sobel_y() -> None:
    learned = np.stack([_rng(3).normal(size=(3, 3)), SOBEL_X.T])
    matches = {m.classic: m for m in best_matches(learned)}
    assert matches["sobel_y"].index == 1 and matches["sobel_y"].score == pytest.approx(1.0)
    assert matches["prewitt_y"].index == 1 and matches["prewitt_y"].score < 0.99  # similar, not equal


def test_known_cosines_between_classic_kernels() -> None:
    # Sobel . Scharr = 2 * (3 + 20 + 3) = 52; |Sobel|^2 = 12, |Scharr|^2 = 236 (both zero-mean)
    assert cosine(SOBEL_X, classic_filter("scharr_x").kernel) == pytest.approx(52 / np.sqrt(12 * 236))
    assert cosine(SOBEL_X, classic_filter("sobel_y").kernel) == pytest.approx(0.0, abs=1e-12)


def test_adding_a_constant_does_not_change_centred_scores() -> None:
    learned = _rng(4).normal(size=(6, 5, 5))
    before = best_matches(learned)
    after = best_matches(learned + 3.7)
    for b, a in zip(before, after):
        if b.centred:
            assert (a.index, a.sign) == (b.index, b.sign)
            assert a.score == pytest.approx(b.score, abs=1e-9)
    assert cosine(SOBEL_X, learned[0] - 2.0) == pytest.approx(cosine(SOBEL_X, learned[0]))


def _reference(classic: np.ndarray, learned: np.ndarray, centre: bool) -> tuple[int | None, float | None, int]:
    """Brute force with plain loops: pad each to the common size around its anchor, centre, cos."""
    best = (None, None, 0)
    for i, k in enumerate(learned):
        rows, cols = max(classic.shape[0], k.shape[0]), max(classic.shape[1], k.shape[1])
        pair = []
        for m in (classic, k):
            big = np.zeros((rows, cols))
            top, left = (rows - 1) // 2 - (m.shape[0] - 1) // 2, (cols - 1) // 2 - (m.shape[1] - 1) // 2
            for r in range(m.shape[0]):
                for c in range(m.shape[1]):
                    big[top + r, left + c] = m[r, c]
            v = big.ravel() - (big.mean() if centre else 0.0)
            pair.append(v)
        na, nb = np.sqrt(np.dot(pair[0], pair[0])), np.sqrt(np.dot(pair[1], pair[1]))
        if na < 1e-9 or nb < 1e-9:
            continue
        cos = float(np.dot(pair[0], pair[1]) / (na * nb))
        if best[1] is None or abs(cos) > best[1]:
            best = (i, abs(cos), 1 if cos >= 0 else -1)
    return best


@pytest.mark.parametrize("shape", [(7, 5, 5), (5, 3, 3), (4, 2, 2), (3, 7, 7)])
def test_best_matches_agree_with_brute_force(shape: tuple[int, int, int]) -> None:
    learned = _rng(shape[1]).normal(size=shape)
    for match in best_matches(learned, classic_kernels(sigma=0.8)):
        classic = classic_kernels([match.classic], sigma=0.8)[match.classic]
        index, score, sign = _reference(np.asarray(classic, np.float64), learned, match.classic not in LOW_PASS)
        assert (match.index, match.sign) == (index, sign), match.classic
        assert match.score == pytest.approx(score, abs=1e-9)
        assert match.centred == (match.classic not in LOW_PASS)
    assert [m.classic for m in best_matches(learned)] == list(CLASSIC_FILTERS)


def test_constant_kernels_never_give_nan() -> None:
    box = classic_filter("box").kernel
    assert cosine(box, _rng().normal(size=(3, 3)), centre=True) is None  # centred box: zero vector
    assert cosine(box, np.full((3, 3), -2.0), centre=False) == pytest.approx(-1.0)
    flat = np.stack([np.zeros((3, 3)), np.full((3, 3), 0.1)])  # a dead kernel and a constant one
    for m in best_matches(flat):
        if m.centred:
            assert (m.index, m.score, m.sign) == (None, None, 0), m.classic
        else:
            assert m.index == 1 and 0 < m.score <= 1 and not np.isnan(m.score)
    box_match = {m.classic: m for m in best_matches(flat)}["box"]
    assert box_match.score == pytest.approx(1.0) and box_match.sign == 1


def test_grey_kernels_sum_channels_over_std() -> None:
    w = _rng(5).normal(size=(4, 3, 3, 3)).astype(np.float32)
    std = (0.2, 0.4, 0.5)
    expected = w[:, 0] / 0.2 + w[:, 1] / 0.4 + w[:, 2] / 0.5
    np.testing.assert_allclose(grey_kernels(w, std), expected, rtol=1e-6)
    np.testing.assert_allclose(grey_kernels(w[:, :1]), w[:, 0], rtol=1e-6)
    with pytest.raises(ValueError):
        grey_kernels(w, (1.0, 0.0, 1.0))


# --- responses ------------------------------------------------------------------------------


def _picture(h: int = 30, w: int = 41, seed: int = 6) -> np.ndarray:
    return noise_rgb(h, w, seed)


def test_model_input_normalises_like_the_training_engine() -> None:
    img = _picture()
    info = DATASETS["shapes"]
    x = torch.from_numpy(img.transpose(2, 0, 1).copy())[None]  # (1, 3, H, W) uint8
    prepared = DeviceData(Split(x, torch.zeros(1, dtype=torch.long), x, torch.zeros(1, dtype=torch.long)),
                          info, "cpu").prepare(x)
    np.testing.assert_allclose(model_input(img, info.mean, info.std).numpy(), prepared.numpy(), atol=1e-5)
    with pytest.raises(LearnedError) as err:
        model_input(img, (0.5, 0.5), (1.0, 1.0))
    assert err.value.key == "err_lrn_channels" and err.value.key in MESSAGES


def test_responses_equal_the_models_own_first_layer() -> None:
    img = _picture()
    torch.manual_seed(0)
    lenet = build_model(ModelConfig("lenet5", (1, 28, 28)))  # conv1: 5x5, padding 2 = same size
    layer = first_layer(lenet)
    mean, std = (0.136,), (0.318,)
    ours = responses(img, layer.weight, mean, std, layer.bias)
    with torch.no_grad():
        theirs = lenet.conv1(model_input(img, mean, std))[0].numpy()
    assert ours.shape == (6, 30, 41)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    vgg = build_model(ModelConfig("tinyvgg", (3, 32, 32)))  # conv1_1: 3x3, no padding
    layer = first_layer(vgg)
    ours = responses(img, layer.weight, (0.5,) * 3, (0.29,) * 3, layer.bias)
    with torch.no_grad():
        theirs = vgg.conv1_1(model_input(img, (0.5,) * 3, (0.29,) * 3))[0].numpy()
    np.testing.assert_allclose(ours[:, 1:-1, 1:-1], theirs, atol=1e-5)


def test_colour_kernels_on_a_grey_picture_act_like_their_grey_kernel() -> None:
    """Away from the border, response = grey kernel applied to g, plus a constant per kernel."""
    g = _rng(7).integers(0, 256, size=(20, 24), dtype=np.uint8)
    img = np.repeat(g[:, :, None], 3, axis=2)
    w = _rng(8).normal(size=(5, 3, 3, 3)).astype(np.float32)
    mean, std = (0.4, 0.5, 0.6), (0.2, 0.3, 0.25)
    ours = responses(img, w, mean, std)[:, 1:-1, 1:-1]
    grey = torch.from_numpy(grey_kernels(w, std)).float()[:, None]  # (5, 1, 3, 3)
    ref = F.conv2d(torch.from_numpy(g.astype(np.float32) / 255)[None, None], grey)[0].numpy()
    offset = -sum(m / s * w[:, c].sum(axis=(1, 2)) for c, (m, s) in enumerate(zip(mean, std)))
    np.testing.assert_allclose(ours, ref + offset[:, None, None], atol=1e-4)


def test_first_layer_needs_a_conv() -> None:
    mlp = build_model(ModelConfig("mlp", (1, 28, 28)))
    with pytest.raises(LearnedError) as err:
        first_layer(mlp)
    assert err.value.key == "err_lrn_no_conv" and err.value.key in MESSAGES
    assert not has_conv(ModelConfig("mlp", (1, 28, 28)))
    assert has_conv(ModelConfig("resnet", (3, 32, 32))) and has_conv(ModelConfig("lenet5", (1, 28, 28)))
    layer = first_layer(build_model(ModelConfig("vgg", (3, 32, 32), batchnorm=True, depth=1, width=4)))
    assert layer.weight.shape == (4, 3, 3, 3) and layer.bias is None
    assert not layer.weight.flags.writeable


# --- the hand-crafted first layer experiment ------------------------------------------------


def test_handcrafted_frozen_vs_random_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    model = ModelConfig("lenet5", (1, 28, 28))
    recipe = TrainConfig(epochs=1, batch_size=50, optimizer="adam", lr=3e-3)
    queue = Queue(tmp_path / "runs")
    ids = {}
    try:
        for first in ("handcrafted", "random"):
            spec = RunSpec("digits", 300, 100, model, recipe, first_layer=first,
                           freeze_first=first == "handcrafted")
            ids[first] = queue.submit(spec)
        views = [queue.wait(job_id, timeout=120) for job_id in ids.values()]
    finally:
        queue.stop()
    for job_id, view in zip(ids.values(), views):
        assert view.state == "done", (view.state, view.error_args)
        folder = run_dir(job_id, tmp_path / "runs")
        assert {"spec.json", "model.safetensors", "filters.safetensors"} <= {p.name for p in folder.iterdir()}
    frozen = load_filters(ids["handcrafted"], tmp_path / "runs")
    free = load_filters(ids["random"], tmp_path / "runs")
    assert len(frozen) == len(free) == 2  # epochs 0 (initialisation) and 1
    np.testing.assert_array_equal(frozen[0], frozen[1])
    assert np.abs(free[1] - free[0]).max() > 1e-4
    matches = {m.classic: m for m in best_matches(grey_kernels(frozen[1]))}
    for j, name in enumerate(("sobel_x", "sobel_y", "scharr_x", "scharr_y", "prewitt_x", "prewitt_y")):
        assert matches[name].index == j and matches[name].score == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("freeze", [True, False])
def test_experiment_runs_differ_only_in_their_first_layer(freeze: bool) -> None:
    specs = experiment_specs(2000, 4, freeze, {"hand": "Hand-crafted", "random": "Random"})
    assert list(specs) == ["hand", "random"]
    hand, random = specs["hand"], specs["random"]
    assert (hand.first_layer, hand.freeze_first, hand.title) == ("handcrafted", freeze, "Hand-crafted")
    assert (random.first_layer, random.freeze_first, random.title) == ("random", False, "Random")
    same = ("dataset", "n_train", "n_val", "model", "train", "init_from", "freeze", "new_head")
    assert all(getattr(hand, f) == getattr(random, f) for f in same)
    assert (hand.dataset, hand.n_train, hand.n_val, hand.train.epochs, hand.train.seed) == ("digits", 2000, 500, 4, 0)
    assert hand.model.num_classes == len(DATASETS["digits"].classes)


def test_experiment_validation_is_a_quarter_of_training_at_least_100() -> None:
    assert [experiment_n_val(n) for n in (200, 400, 500, 4000, 8000)] == [100, 100, 125, 1000, 2000]
