"""How far an attribution map can be trusted, as numbers: model randomisation and deletion/insertion.

Model randomisation (Adebayo et al. 2018) compares a method's map with its maps after the model's
layers are re-initialised from the output down; deletion and insertion (Petsiuk et al. 2018) run
the model on copies of the picture with its most-attributed pixels removed or inserted. The maps
come from cnnviz.explain.attribution (Captum); nothing here draws, and nothing here knows Streamlit.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from cnnviz.explain.hooks import forward_hooks, strip_hooks
from cnnviz.explain.attribution import attribute, reset_layer, resettable_layers

__all__ = ["CURVE_BATCH", "CURVE_STEPS", "START_BLUR", "START_MEAN", "Curve", "Explainer",
           "Randomisation", "Scores", "auc", "blurred", "deletion_curve", "forward_layers",
           "insertion_curve", "model_randomisation", "perturbation_order", "random_order_curves",
           "rank", "rank_correlation", "score", "spearman"]

CURVE_STEPS = 50  # points after the start: the whole picture is swapped in 50 equal steps
CURVE_BATCH = 64  # perturbed copies per forward pass: 51 points make one pass per curve
START_MEAN = "mean"  # the baseline picture: 0 in normalised space, the dataset's mean colour
START_BLUR = "blur"  # Petsiuk et al.'s insertion start: a blurred copy of the picture
# Petsiuk et al. blur 224-pixel pictures with sigma 5; on 28-32 pixel pictures the same ratio
# (sigma 0.6) leaves a digit intact, so sigma is an eighth of the shorter side (3.5 px on 28).
BLUR_FRACTION = 1 / 8

Explainer = Callable[[nn.Module, Tensor], np.ndarray]  # (model, x (1, C, H, W)) -> map (H, W)


# --- rank correlation ----------------------------------------------------------------------------


def rank(a: np.ndarray) -> np.ndarray:
    """Ranks 1..n of the flattened ``a``; tied values share the mean of their ranks
    (``[10, 20, 20, 30]`` gives ``[1, 2.5, 2.5, 4]``)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    order = np.argsort(a, kind="stable")
    ordered = a[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]]  # where each run of equal values starts
    starts = np.r_[np.flatnonzero(new), a.size]  # (groups + 1,)
    mean_rank = (starts[:-1] + starts[1:] + 1) / 2.0  # 1-based: positions i..j-1 average (i+j+1)/2
    out = np.empty(a.size)
    out[order] = mean_rank[np.cumsum(new) - 1]
    return out


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation: the Pearson correlation of ``rank(a)`` and ``rank(b)``,
    rho = sum (r_a - mean)(r_b - mean) / sqrt(sum (r_a - mean)^2 * sum (r_b - mean)^2).

    NaN and infinities count as 0. A constant array has no order, so rho is undefined: NaN (as
    ``scipy.stats.spearmanr`` returns).
    """
    a, b = (np.nan_to_num(np.asarray(v, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
            for v in (a, b))
    if a.shape != b.shape:
        raise ValueError(f"maps of different shapes: {a.shape} and {b.shape}")
    ra, rb = rank(a) - (a.size + 1) / 2.0, rank(b) - (b.size + 1) / 2.0
    denom = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return float(ra @ rb) / denom if denom > 0 else math.nan


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two maps' magnitudes, ties sharing their mean rank (broken
    by position instead, the zeros of two ReLU maps looked alike wherever they lay); NaN if a map
    is constant. The same number as the last step of the cascading test."""
    return spearman(np.abs(a), np.abs(b))


# --- model randomisation -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Randomisation:
    """``correlations[i]``: rho(trained map, map once ``layers[0..i]`` are all random)."""

    layers: tuple[str, ...]  # top-down: the output layer first, the first layer last
    correlations: np.ndarray  # (len(layers),) float64, NaN where a map is constant
    absolute: bool  # whether |map| was compared (Quantus' MPRT default) or the signed map

    @property
    def last(self) -> float:
        """rho with every layer random (the same weights as ``randomized_copy``); NaN if none."""
        return float(self.correlations[-1]) if len(self.correlations) else math.nan


def forward_layers(model: nn.Module, x: Tensor) -> list[str]:
    """The modules ``randomized_copy`` resets, in the order a forward pass on ``x`` first runs
    them (modules the forward never reaches are left out: they cannot change a map)."""
    names = set(resettable_layers(model))
    order: list[str] = []
    modules = {n: m for n, m in model.named_modules() if n in names}
    with forward_hooks(modules, on_output=lambda name, _out: order.append(name)), torch.no_grad():
        model(x)
    return list(dict.fromkeys(order))


def model_randomisation(model: nn.Module, x: Tensor, explain: Explainer,
                        original: np.ndarray | None = None, seed: int = 0,
                        absolute: bool = True) -> Randomisation:
    """The cascading model-randomisation test (Adebayo et al. 2018), top-down.

    On a deep copy of ``model`` (never ``model`` itself), the layers of ``forward_layers`` are
    re-initialised one more at a time from the output down, each with its own
    ``reset_parameters`` under a seed fixed by (``seed``, layer name): after step i, layers
    ``0..i`` of the top-down list are random and the rest keep their trained weights. After each
    step, rho_i = spearman(|m|, |m_i|) of the trained map m (``original``, else
    ``explain(model, x)``) and the copy's map m_i; ``absolute=False`` compares signed maps.
    Quantus' MPRT also normalises each map by its largest |value|: a positive scale leaves ranks,
    and so rho, unchanged, so no normalisation is needed here. High rho all the way down: the
    method ignores what the model learned. Hold the model's lock while this runs (the copy must
    not catch another thread's hooks).
    """
    reference = explain(model, x) if original is None else original
    clone = strip_hooks(copy.deepcopy(model)).eval()
    layers = forward_layers(clone, x)[::-1]  # top-down
    fold = np.abs if absolute else np.asarray
    rhos = []
    for name in layers:
        reset_layer(clone, name, seed)
        rhos.append(spearman(fold(reference), fold(explain(clone, x))))
    return Randomisation(tuple(layers), np.asarray(rhos, dtype=np.float64), absolute)


# --- deletion and insertion ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Curve:
    """The target's probability as pixels are swapped, in the order of the map."""

    kind: str  # "deletion" or "insertion"
    fractions: np.ndarray  # (steps + 1,) share of the pixels swapped so far, 0 .. 1
    probs: np.ndarray  # (steps + 1,) softmax probability of the target class on each copy

    @property
    def auc(self) -> float:
        """Area under the curve over 0..1 (``auc``): deletion low and insertion high is good."""
        return auc(self.fractions, self.probs)


def auc(fractions: np.ndarray, values: np.ndarray) -> float:
    """Trapezoid rule: sum_k (f_{k+1} - f_k) * (v_k + v_{k+1}) / 2."""
    f, v = np.asarray(fractions, dtype=np.float64), np.asarray(values, dtype=np.float64)
    return float(np.sum(np.diff(f) * (v[1:] + v[:-1]) / 2.0))


def perturbation_order(amap: np.ndarray) -> np.ndarray:
    """Pixel indices (row by row) from the most attributed to the least: the largest SIGNED value
    first (positive evidence for the class before negative), ties in reading order; NaN last."""
    values = np.nan_to_num(np.asarray(amap, dtype=np.float64).ravel(), nan=-np.inf)
    return np.argsort(-values, kind="stable")


def blurred(x: Tensor, sigma: float) -> Tensor:
    """Each channel of ``x`` (B, C, H, W) blurred by a Gaussian of ``sigma`` pixels, truncated at
    3 sigma, borders replicated (OpenCV's ``GaussianBlur`` with ``BORDER_REPLICATE``)."""
    radius = max(1, math.ceil(3 * sigma))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    kernel = torch.exp(-t * t / (2 * sigma * sigma))
    kernel = kernel / kernel.sum()
    c = x.shape[1]
    out = F.pad(x, (radius, radius, radius, radius), mode="replicate")
    out = F.conv2d(out, kernel.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)  # along W
    return F.conv2d(out, kernel.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)  # along H


def _check_curve_args(x: Tensor, amap: np.ndarray, target: Any, steps: Any) -> None:
    if not (isinstance(x, Tensor) and x.ndim == 4 and x.shape[0] == 1):
        raise ValueError(f"x must be one image (1, C, H, W), got {getattr(x, 'shape', x)!r}")
    if np.shape(amap) != tuple(x.shape[2:]):
        raise ValueError(f"the map is {np.shape(amap)}, the picture {tuple(x.shape[2:])}")
    for name, value, low in (("target", target, 0), ("steps", steps, 1)):
        if not (isinstance(value, Integral) and not isinstance(value, bool) and value >= low):
            raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")


def _swap_curve(model: nn.Module, start: Tensor, end: Tensor, amap: np.ndarray, target: int,
                steps: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Copy k is ``start`` with its first n_k pixels (in the map's order) taken from ``end``,
    n_k = round(k * H*W / steps), all channels of a pixel together."""
    h, w = start.shape[2:]
    n = h * w
    steps = min(steps, n)
    counts = np.rint(np.linspace(0, n, steps + 1)).astype(np.int64)
    ranks = np.empty(n, dtype=np.int64)
    ranks[perturbation_order(amap)] = np.arange(n)
    ranks_t = torch.from_numpy(ranks).view(1, 1, h, w).to(start.device)
    probs = []
    with torch.no_grad():
        for chunk in torch.from_numpy(counts).to(start.device).split(batch):
            swapped = ranks_t < chunk.view(-1, 1, 1, 1)  # (k, 1, H, W)
            logits = model(torch.where(swapped, end, start))  # (k, num_classes)
            if target >= logits.shape[-1]:
                raise ValueError(f"target {target} but the model has {logits.shape[-1]} classes")
            probs.append(torch.softmax(logits.double(), dim=-1)[:, target].cpu())
    return counts / n, torch.cat(probs).numpy()


def deletion_curve(model: nn.Module, x: Tensor, amap: np.ndarray, target: int,
                   steps: int = CURVE_STEPS, batch: int = CURVE_BATCH) -> Curve:
    """Deletion (Petsiuk et al. 2018): p(target) as the most-attributed pixels of ``x`` are
    replaced by the baseline 0, in normalised space the dataset's mean colour.

    Point k removes the first round(k * H*W / steps) pixels of ``perturbation_order(amap)``; the
    copies go through ``model`` ``batch`` at a time, without gradients. A map that finds the
    evidence makes the probability fall fast: a LOW area under the curve is good.
    """
    _check_curve_args(x, amap, target, steps)
    x = x.detach()
    f, p = _swap_curve(model, x, torch.zeros_like(x), amap, int(target), steps, batch)
    return Curve("deletion", f, p)


def insertion_curve(model: nn.Module, x: Tensor, amap: np.ndarray, target: int,
                    steps: int = CURVE_STEPS, start: str = START_BLUR,
                    batch: int = CURVE_BATCH) -> Curve:
    """Insertion (Petsiuk et al. 2018): p(target) as the most-attributed pixels of ``x`` are
    put back into a start picture: ``START_BLUR`` a blurred copy (sigma = ``BLUR_FRACTION`` of the
    shorter side; Petsiuk et al.'s choice, it keeps the colours and removes the shapes) or
    ``START_MEAN`` the baseline 0 (the dataset's mean colour). A HIGH area under the curve is good.
    """
    _check_curve_args(x, amap, target, steps)
    x = x.detach()
    if start == START_BLUR:
        first = blurred(x, BLUR_FRACTION * min(x.shape[2:]))
    elif start == START_MEAN:
        first = torch.zeros_like(x)
    else:
        raise ValueError(f"start must be {START_BLUR!r} or {START_MEAN!r}, got {start!r}")
    f, p = _swap_curve(model, first, x, amap, int(target), steps, batch)
    return Curve("insertion", f, p)


def random_order_curves(model: nn.Module, x: Tensor, target: int, steps: int = CURVE_STEPS,
                        start: str = START_BLUR, seed: int = 0) -> tuple[Curve, Curve]:
    """Deletion and insertion with the pixels in a random order (fixed ``seed``): the reference
    a map must beat, with a lower deletion and a higher insertion area than this."""
    h, w = int(x.shape[2]), int(x.shape[3])
    order = np.random.default_rng(seed).permutation(h * w).reshape(h, w).astype(np.float64)
    return (deletion_curve(model, x, order, target, steps),
            insertion_curve(model, x, order, target, steps, start))


# --- all scores of one method --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Scores:
    """Every score of one method's map of class ``target`` on one picture."""

    method: str
    target: int
    randomisation: Randomisation
    deletion: Curve
    insertion: Curve


def score(model: nn.Module, x: Tensor, method: str, target: int, layer: str | None = None, *,
          original: np.ndarray | None = None, seed: int = 0, steps: int = CURVE_STEPS,
          start: str = START_BLUR, absolute: bool = True, **params: Any) -> Scores:
    """Randomisation, deletion and insertion of ``attribute(model, x, method, target, layer,
    **params)``; pass that map as ``original`` if it is already computed. Hold the model's lock."""
    def explain(m: nn.Module, xx: Tensor) -> np.ndarray:
        return attribute(m, xx, method, target, layer, **params).map

    reference = explain(model, x) if original is None else original
    return Scores(method=method, target=int(target),
                  randomisation=model_randomisation(model, x, explain, reference, seed, absolute),
                  deletion=deletion_curve(model, x, reference, target, steps),
                  insertion=insertion_curve(model, x, reference, target, steps, start))
