"""cnnviz.explain.scores on models whose answers theory gives: a linear model, a model that only sums one
region, a method that ignores the model; Spearman against scipy; blur against OpenCV."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import torch
from torch import Tensor, nn

from cnnviz.explain.attribution import attribute, randomized_copy
from cnnviz.explain.scores import (
    CURVE_STEPS,
    START_MEAN,
    auc,
    blurred,
    deletion_curve,
    forward_layers,
    insertion_curve,
    model_randomisation,
    perturbation_order,
    random_order_curves,
    rank,
    score,
    spearman,
)
from cnnviz.train.curves import deletion_insertion_figure, randomisation_figure
from tests.helpers import LENET, seeded_model

# One torch thread: tiny models gain nothing from intra-op threads on a busy 2-core machine.
pytestmark = [pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU"),
              pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require"),
              pytest.mark.usefixtures("one_thread")]

SIDE = 12  # linear-model pictures: 144 pixels


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def linear_model(w: Tensor, b: float) -> nn.Module:
    """Two classes: logit_1 = w . x + b, logit_0 = 0, so p_1 = sigmoid(w . x + b)."""
    c, h, ww = w.shape
    fc = nn.Linear(c * h * ww, 2, dtype=torch.float64)
    with torch.no_grad():
        fc.weight.zero_()
        fc.weight[1] = w.reshape(-1)
        fc.bias.copy_(torch.tensor([0.0, b], dtype=torch.float64))
    return nn.Sequential(nn.Flatten(), fc).eval()


class RegionSum(nn.Module):
    """A CNN whose class-1 logit is the sum of a 1x1 convolution (weight 1) over ``mask``:
    nothing outside the region can change its output; logit_0 = 0."""

    def __init__(self, mask: Tensor) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1, bias=False)
        with torch.no_grad():
            self.conv.weight.fill_(1.0)
        self.register_buffer("mask", mask.double())

    def forward(self, x: Tensor) -> Tensor:
        s = (self.conv(x) * self.mask).sum(dim=(1, 2, 3))  # (B,)
        return torch.stack([torch.zeros_like(s), s], dim=1)  # (B, 2)


def _lenet(seed: int = 0) -> tuple[nn.Module, Tensor]:
    return seeded_model(LENET, seed), torch.randn(1, 1, 28, 28, generator=torch.Generator().manual_seed(seed + 1))


def _trapezoid(p: np.ndarray) -> float:
    """Area under p over 0..1, for points equally spaced (written out, not via cnnviz.explain.scores.auc)."""
    return float(sum((p[k] + p[k + 1]) / 2 for k in range(len(p) - 1)) / (len(p) - 1))


# --- Spearman ------------------------------------------------------------------------------------


def test_rank_averages_ties() -> None:
    np.testing.assert_array_equal(rank(np.array([10, 20, 20, 30])), [1, 2.5, 2.5, 4])
    np.testing.assert_array_equal(rank(np.array([[3.0, 1.0], [3.0, 3.0]])), [3, 1, 3, 3])


@pytest.mark.parametrize("levels", [3, 10, None])  # heavy ties, some ties, continuous
def test_spearman_matches_scipy(levels: int | None) -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(levels or 0)
    for _ in range(20):
        a = rng.integers(0, levels, (9, 7)) if levels else rng.normal(size=(9, 7))
        b = a + rng.integers(-2, 3, a.shape) if levels else a + rng.normal(size=a.shape)
        want = stats.spearmanr(a.ravel(), b.ravel()).statistic
        assert spearman(a, b) == pytest.approx(want, abs=1e-12)


def test_spearman_extremes_and_undefined() -> None:
    a = np.arange(20.0).reshape(4, 5)
    assert spearman(a, a ** 3) == pytest.approx(1.0, abs=1e-12)  # any increasing function
    assert spearman(a, -a) == pytest.approx(-1.0, abs=1e-12)
    assert math.isnan(spearman(a, np.zeros_like(a)))  # a constant map has no order
    with pytest.raises(ValueError):
        spearman(a, a.ravel())


# --- the linear model: every answer in closed form -----------------------------------------------


@pytest.fixture(scope="module")
def linear() -> tuple[nn.Module, Tensor, Tensor, float]:
    g = torch.Generator().manual_seed(3)
    w = torch.randn(2, SIDE, SIDE, generator=g, dtype=torch.float64) * 0.1
    x = torch.randn(1, 2, SIDE, SIDE, generator=g, dtype=torch.float64)
    return linear_model(w, 0.3), x, w, 0.3


def test_linear_saliency_is_abs_w_and_ig_is_w_times_x(linear: tuple) -> None:
    model, x, w, _ = linear
    sal = attribute(model, x, "saliency", 1).map
    np.testing.assert_allclose(sal, w.abs().sum(0).numpy(), rtol=1e-6)  # channels summed
    ig = attribute(model, x, "ig", 1, n_steps=7).map  # a constant gradient: any step count is exact
    np.testing.assert_allclose(ig, (w * x[0]).sum(0).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("steps", [SIDE * SIDE, 16])  # one pixel per step; 9 pixels per step
def test_linear_deletion_and_insertion_of_ig_in_closed_form(linear: tuple, steps: int) -> None:
    model, x, w, b = linear
    contrib = (w * x[0]).sum(0).numpy().ravel()  # each pixel's share of the logit: the IG map
    amap = contrib.reshape(SIDE, SIDE)
    top = np.sort(contrib)[::-1]  # deleted (inserted) first
    removed = np.r_[0.0, np.cumsum(top)][:: SIDE * SIDE // steps]  # sum of the first n_k pixels
    want_del = sigmoid(b + contrib.sum() - removed)
    want_ins = sigmoid(b + removed)  # inserted into the mean picture (0)
    deletion = deletion_curve(model, x, amap, 1, steps=steps)
    insertion = insertion_curve(model, x, amap, 1, steps=steps, start=START_MEAN)
    np.testing.assert_allclose(deletion.fractions, np.linspace(0, 1, steps + 1))
    np.testing.assert_allclose(deletion.probs, want_del, rtol=1e-9)
    np.testing.assert_allclose(insertion.probs, want_ins, rtol=1e-9)
    assert deletion.auc == pytest.approx(_trapezoid(want_del), rel=1e-9)
    assert insertion.auc == pytest.approx(_trapezoid(want_ins), rel=1e-9)
    # IG ranks the pixels by their true share, so no order deletes faster (the sum of the
    # first n_k contributions is the largest possible for every k): a random order loses.
    shuffled = np.random.default_rng(0).permutation(contrib).reshape(SIDE, SIDE)
    assert deletion_curve(model, x, shuffled, 1, steps=steps).auc > deletion.auc


def test_randomising_the_only_layer_decorrelates_saliency(linear: tuple) -> None:
    model, x, w, _ = linear
    result = model_randomisation(model, x, lambda m, xx: attribute(m, xx, "saliency", 1).map)
    assert result.layers == ("1",)  # the Linear, the only layer with weights
    # |w| against |w'| for w' drawn independently: rho ~ N(0, 1/sqrt(143)), sd 0.084.
    assert abs(result.last) < 0.3
    # And it is exactly the map of the random twin the page shows.
    twin = randomized_copy(model)
    assert result.last == pytest.approx(spearman(w.abs().sum(0).numpy(),
                                                 attribute(twin, x, "saliency", 1).map), abs=1e-12)


def test_ig_keeps_correlating_through_abs_x(linear: tuple) -> None:
    """|w'x| shares |x| with |wx|: with abs (Quantus' default) even a random w' correlates,
    the effect Hedström et al. 2024 criticise; the signed maps do not."""
    model, x, w, _ = linear
    explain = lambda m, xx: attribute(m, xx, "ig", 1, n_steps=4).map  # noqa: E731
    with_abs = model_randomisation(model, x, explain, absolute=True)
    signed = model_randomisation(model, x, explain, absolute=False)
    twin_map = attribute(randomized_copy(model), x, "ig", 1, n_steps=4).map
    ref = (w * x[0]).sum(0).numpy()
    assert with_abs.last == pytest.approx(spearman(np.abs(ref), np.abs(twin_map)), abs=1e-12)
    assert signed.last == pytest.approx(spearman(ref, twin_map), abs=1e-12)
    assert with_abs.last > signed.last + 0.1


# --- cascading randomisation on a CNN ------------------------------------------------------------


def test_a_method_that_ignores_the_model_correlates_exactly_one() -> None:
    model, x = _lenet()
    result = model_randomisation(model, x, lambda m, xx: xx.abs().sum(1)[0].numpy())
    assert result.layers == ("fc", "fc2", "fc1", "conv2", "conv1")  # top-down
    np.testing.assert_array_equal(result.correlations, np.ones(5))


def test_cascade_randomises_top_down_on_a_copy_and_ends_at_the_twin() -> None:
    model, x = _lenet()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    seen: list[set[str]] = []
    states: list[dict] = []

    def explain(m: nn.Module, xx: Tensor) -> np.ndarray:
        changed = {n for n in ("conv1", "conv2", "fc1", "fc2", "fc")
                   if not torch.equal(m.get_submodule(n).weight, before[f"{n}.weight"])}
        seen.append(changed)
        states.append({k: v.clone() for k, v in m.state_dict().items()})
        return attribute(m, xx, "saliency", 0).map

    model_randomisation(model, x, explain)
    assert seen == [set(), {"fc"}, {"fc", "fc2"}, {"fc", "fc2", "fc1"},
                    {"fc", "fc2", "fc1", "conv2"}, {"fc", "fc2", "fc1", "conv2", "conv1"}]
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    assert torch.equal(torch.get_rng_state(), rng)
    twin = randomized_copy(model).state_dict()
    assert all(torch.equal(v, twin[k]) for k, v in states[-1].items())


def test_forward_layers_follow_the_forward_pass_not_the_definition() -> None:
    class Backwards(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.head = nn.Linear(4, 2)
            self.unused = nn.Linear(3, 3)
            self.body = nn.Linear(5, 4)

        def forward(self, x: Tensor) -> Tensor:
            return self.head(self.body(x.flatten(1)))

    assert forward_layers(Backwards(), torch.zeros(1, 1, 1, 5)) == ["body", "head"]


def test_randomisation_seed_changes_the_draw_and_repeats() -> None:
    model, x = _lenet()
    explain = lambda m, xx: attribute(m, xx, "saliency", 0).map  # noqa: E731
    a = model_randomisation(model, x, explain, seed=0).correlations
    np.testing.assert_array_equal(a, model_randomisation(model, x, explain, seed=0).correlations)
    assert not np.array_equal(a, model_randomisation(model, x, explain, seed=1).correlations)


# --- a model that only sees one region -----------------------------------------------------------


@pytest.fixture(scope="module")
def region() -> tuple[nn.Module, Tensor, Tensor]:
    mask = torch.zeros(1, 1, 10, 10)
    mask[..., 2:5, 3:7] = 1  # 12 pixels
    g = torch.Generator().manual_seed(5)
    x = (torch.rand(1, 1, 10, 10, generator=g, dtype=torch.float64) * 0.4 + 0.1)
    return RegionSum(mask).double().eval(), x, mask


def test_deletion_drops_to_the_baseline_once_the_region_is_gone(region: tuple) -> None:
    model, x, mask = region
    amap = attribute(model, x, "saliency", 1).map  # |gradient| = the mask: 1 inside, 0 outside
    np.testing.assert_array_equal(amap, mask[0, 0].numpy())
    curve = deletion_curve(model, x, amap, 1, steps=100)
    inside = x[0, 0][mask[0, 0] > 0].numpy()  # reading order: the order ties are deleted in
    want = sigmoid(inside.sum() - np.r_[0.0, np.cumsum(inside)])  # k = 0..12 pixels removed
    np.testing.assert_allclose(curve.probs[:13], want, rtol=1e-12)
    assert np.all(curve.probs[:12] > 0.5)
    np.testing.assert_array_equal(curve.probs[12:], 0.5)  # sigmoid(0): the baseline's probability
    # Theory: the area is the trapezoids over the 12 region pixels plus 0.5 for the other 88%.
    assert curve.auc == pytest.approx(_trapezoid(want) * 12 / 100 + 0.5 * 88 / 100, rel=1e-12)


def test_insertion_reaches_the_full_probability_once_the_region_is_in(region: tuple) -> None:
    model, x, mask = region
    amap = mask[0, 0].numpy() * 2.0 - 1.0  # a signed map: the region positive, the rest negative
    curve = insertion_curve(model, x, amap, 1, steps=100, start=START_MEAN)
    with torch.no_grad():
        full = float(torch.softmax(model(x), -1)[0, 1])
    assert curve.probs[0] == 0.5
    assert np.all(np.diff(curve.probs[:13]) > 0)
    np.testing.assert_allclose(curve.probs[12:], full, rtol=1e-12)
    # The opposite order inserts the region last: the curve stays at 0.5 until 88% is in.
    late = insertion_curve(model, x, -amap, 1, steps=100, start=START_MEAN)
    np.testing.assert_array_equal(late.probs[:89], 0.5)
    assert late.auc < curve.auc


# --- curves on a CNN, helpers, validation --------------------------------------------------------


def test_curve_ends_and_batching() -> None:
    model, x = _lenet()
    amap = attribute(model, x, "ig", 2, n_steps=8).map
    deletion = deletion_curve(model, x, amap, 2)
    insertion = insertion_curve(model, x, amap, 2)
    with torch.no_grad():
        p = torch.softmax(model(torch.cat([x, torch.zeros_like(x), blurred(x, 3.5)])).double(), -1)
    assert len(deletion.probs) == CURVE_STEPS + 1
    np.testing.assert_allclose([deletion.probs[0], deletion.probs[-1]], p[:2, 2], rtol=1e-5)
    np.testing.assert_allclose([insertion.probs[0], insertion.probs[-1]], p[[2, 0], 2], rtol=1e-5)
    one_by_one = deletion_curve(model, x, amap, 2, batch=1)
    np.testing.assert_allclose(one_by_one.probs, deletion.probs, rtol=1e-5, atol=1e-9)


def test_blur_matches_opencv() -> None:
    img = np.random.default_rng(1).random((20, 17)).astype(np.float64)
    sigma = 2.5
    k = 2 * math.ceil(3 * sigma) + 1
    want = cv2.GaussianBlur(img, (k, k), sigma, borderType=cv2.BORDER_REPLICATE)
    got = blurred(torch.from_numpy(img)[None, None], sigma)[0, 0].numpy()
    np.testing.assert_allclose(got, want, atol=1e-9)


def test_auc_and_order_helpers() -> None:
    assert auc(np.array([0.0, 0.5, 1.0]), np.array([1.0, 1.0, 0.0])) == pytest.approx(0.75)
    np.testing.assert_array_equal(perturbation_order(np.array([[0.0, 2.0], [np.nan, 2.0]])),
                                  [1, 3, 0, 2])  # largest first, ties in reading order, NaN last


def test_score_puts_the_three_together() -> None:
    model, x = _lenet()
    s = score(model, x, "gradcam", 4, "conv2")
    amap = attribute(model, x, "gradcam", 4, "conv2").map
    np.testing.assert_array_equal(s.deletion.probs, deletion_curve(model, x, amap, 4).probs)
    np.testing.assert_array_equal(s.insertion.probs, insertion_curve(model, x, amap, 4).probs)
    twin = randomized_copy(model)
    assert s.randomisation.last == pytest.approx(
        spearman(np.abs(amap), np.abs(attribute(twin, x, "gradcam", 4, "conv2").map)), nan_ok=True)
    assert (s.method, s.target, len(s.randomisation.layers)) == ("gradcam", 4, 5)


@pytest.mark.parametrize("call", [
    lambda m, x: deletion_curve(m, x, np.zeros((27, 28)), 0),  # map and picture differ
    lambda m, x: deletion_curve(m, x, np.zeros((28, 28)), 10),  # LeNet has 10 classes
    lambda m, x: deletion_curve(m, x, np.zeros((28, 28)), -1),
    lambda m, x: deletion_curve(m, x, np.zeros((28, 28)), 0, steps=0),
    lambda m, x: insertion_curve(m, x, np.zeros((28, 28)), 0, start="noise"),
    lambda m, x: deletion_curve(m, x[0], np.zeros((28, 28)), 0),
])
def test_bad_arguments_raise(call) -> None:  # noqa: ANN001
    model, x = _lenet()
    with pytest.raises(ValueError):
        call(model, x)


def test_maps_that_find_the_region_beat_a_random_order(region: tuple) -> None:
    model, x, mask = region
    amap = attribute(model, x, "ig", 1, n_steps=4).map  # x inside the region, 0 outside
    deletion = deletion_curve(model, x, amap, 1)
    insertion = insertion_curve(model, x, amap, 1, start=START_MEAN)
    for seed in range(5):
        rand_del, rand_ins = random_order_curves(model, x, 1, start=START_MEAN, seed=seed)
        assert rand_del.auc > deletion.auc and rand_ins.auc < insertion.auc
    again = random_order_curves(model, x, 1, seed=3)[0].probs
    np.testing.assert_array_equal(again, random_order_curves(model, x, 1, seed=3)[0].probs)
    assert not np.array_equal(again, random_order_curves(model, x, 1, seed=4)[0].probs)


# --- figures -------------------------------------------------------------------------------------


def test_randomisation_figure_starts_at_one_and_leaves_gaps_for_constant_maps() -> None:
    fig = randomisation_figure(["fc", "conv1"], {"IG": [0.5, 0.2], "Grad-CAM": [0.1, math.nan]},
                               start="trained")
    assert [tr.name for tr in fig.data] == ["IG", "Grad-CAM"]
    assert list(fig.data[0].x) == ["trained", "fc", "conv1"]
    assert list(fig.data[0].y) == [1.0, 0.5, 0.2] and list(fig.data[1].y) == [1.0, 0.1, None]


def test_deletion_insertion_figure_one_colour_per_method_in_both_panels() -> None:
    f = np.linspace(0, 1, 3)
    fig = deletion_insertion_figure({"IG": (f, [1, 0.5, 0], f, [0, 0.5, 1]),
                                     "random": (f, [1, 0.8, 0], f, [0, 0.2, 1])}, reference="random")
    assert [(tr.name, tr.xaxis) for tr in fig.data] == [("IG", "x"), ("IG", "x2"), ("random", "x"),
                                                       ("random", "x2")]
    assert list(fig.data[1].y) == [0, 0.5, 1]
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color
    assert fig.data[2].line.dash == "dash" and fig.data[0].line.dash == "solid"
