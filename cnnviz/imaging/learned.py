"""Learned first-layer kernels next to the classic ones: the kernels, their responses to an image,
and which learned kernel each classic kernel (Sobel, Laplacian, Gaussian, ...) resembles most.

Reads weights only: no training (cnnviz.train.runs trains; ``experiment_specs`` only describes the
hand-crafted first layer experiment's two runs) and no Streamlit. Responses are computed on
the picture at the resolution the classic filters see (at most 512 px), not at the model's input
resolution: a first conv layer is a bank of local linear filters that does the same thing at any
resolution, and at 28x28 the response maps would be too coarse to compare pixel for pixel with
the classic ones. What changes with resolution is only which structures are small enough to fit
in the kernel's window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.data.datasets import DATASETS
from cnnviz.errors import CnnvizError, register
from cnnviz.imaging.filters import CLASSIC_FILTERS, anchor, classic_filter
from cnnviz.imaging.images import to_gray
from cnnviz.models.builders import ModelConfig, build_model
from cnnviz.train.engine import TrainConfig
from cnnviz.train.runs import RunSpec, first_conv

__all__ = [
    "EXP_DATASET",
    "LOW_PASS",
    "MAX_SIDE",
    "MESSAGES",
    "FirstLayer",
    "LearnedError",
    "Match",
    "best_matches",
    "classic_kernels",
    "cosine",
    "equal_size",
    "experiment_n_val",
    "experiment_specs",
    "first_layer",
    "grey_kernels",
    "has_conv",
    "model_input",
    "responses",
]

MAX_SIDE = 1024  # responses are for pictures the page already shrank to 512 px; refuse giant ones
# Kernels whose job IS their mean (a weighted average): removing it would erase them.
LOW_PASS = ("gaussian", "box")
# A vector whose norm is below this fraction of its un-centred norm counts as zero (no direction).
ZERO_TOL = 1e-6
EXP_DATASET = "digits"  # the hand-crafted first layer experiment trains on the generated digits

MESSAGES = register({
    "err_lrn_no_conv": "This model has no convolution layer, so it has no learned filters to show.",
    "err_lrn_channels": ("The model's first layer reads {channels} input channels; only grey (1) and "
                         "colour (3) images can be shown to it."),
})


class LearnedError(CnnvizError):
    """A model or input this module cannot show; ``key`` and ``args_`` name a translatable message."""


@dataclass(frozen=True, eq=False)
class FirstLayer:
    """A copy of the first conv layer's parameters (read-only arrays, on the CPU)."""

    weight: np.ndarray  # (O, C, KH, KW) float32
    bias: np.ndarray | None  # (O,) float32, None without a bias (e.g. before BatchNorm)


@dataclass(frozen=True)
class Match:
    """The learned kernel most similar to one classic kernel.

    ``score`` is |cos| in [0, 1]; ``sign`` is +1 when the learned kernel looks like the classic
    one, -1 when it looks like its negative. ``index`` and ``score`` are None when no learned
    kernel can be compared (all have zero norm after centring); ``centred`` says whether means
    were removed (False for LOW_PASS kernels).
    """

    classic: str
    index: int | None
    score: float | None
    sign: int
    centred: bool


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float32)
    a.setflags(write=False)  # may be cached and shared by every session of the server
    return a


def first_layer(model: nn.Module) -> FirstLayer:
    """The first conv layer's weight and bias; LearnedError("err_lrn_no_conv") for an MLP."""
    conv = first_conv(model)
    if conv is None:
        raise LearnedError("err_lrn_no_conv")
    weight = conv.weight.detach().float().cpu().numpy().copy()
    bias = None if conv.bias is None else _frozen(conv.bias.detach().float().cpu().numpy().copy())
    return FirstLayer(_frozen(weight), bias)


def has_conv(config: ModelConfig) -> bool:
    """Whether a model built from ``config`` has a conv layer (built on the meta device: free)."""
    with torch.device("meta"):
        return first_conv(build_model(config)) is not None


def model_input(img: np.ndarray, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """An RGB uint8 (H, W, 3) picture as the model's training data looked: (1, C, H, W) float32.

    One channel: the grey level (ITU-R 601) in 0..1; three: RGB / 255. Then (x - mean) / std per
    channel, as the training engine normalised its data.
    """
    channels = len(mean)
    if channels not in (1, 3) or len(std) != channels:
        raise LearnedError("err_lrn_channels", channels=channels)
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8 or max(img.shape[:2]) > MAX_SIDE:
        raise ValueError(f"expected an RGB uint8 picture of at most {MAX_SIDE} px, got {img.dtype} {img.shape}")
    if channels == 1:
        x = torch.from_numpy(to_gray(img))[None]  # (1, H, W)
    else:
        x = torch.from_numpy(img.transpose(2, 0, 1).astype(np.float32) / 255.0)  # (3, H, W)
    m = torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(-1, 1, 1)
    return ((x - m) / s)[None]  # (1, C, H, W)


def responses(img: np.ndarray, weight: np.ndarray, mean: Sequence[float], std: Sequence[float],
              bias: np.ndarray | None = None) -> np.ndarray:
    """Each kernel's response to ``img``: (O, H, W) float32, the size of the picture.

    Cross-correlation exactly as the conv layer computes it (F.conv2d), on ``model_input(img)``,
    stride 1, with zero padding placed as the classic filters place it (``anchor`` zeros before,
    the rest after), so every response lines up pixel for pixel with the picture and with the
    classic responses. Pass ``bias`` to get the layer's pre-activation; without it zero is zero.
    """
    w = torch.from_numpy(np.array(weight, dtype=np.float32))  # (O, C, KH, KW); a writable copy
    if w.ndim != 4 or w.shape[1] != len(mean):
        raise ValueError(f"weights {tuple(w.shape)} do not fit {len(mean)} input channel(s)")
    x = model_input(img, mean, std)
    kh, kw = w.shape[2:]
    x = F.pad(x, (anchor(kw), kw - 1 - anchor(kw), anchor(kh), kh - 1 - anchor(kh)))  # left, right, top, bottom
    b = None if bias is None else torch.from_numpy(np.array(bias, dtype=np.float32))
    with torch.no_grad():
        return F.conv2d(x, w, b)[0].numpy()  # (O, H, W)


def grey_kernels(weight: np.ndarray, std: Sequence[float] | None = None) -> np.ndarray:
    """What each kernel does to a grey picture: sum over input channels of W_c / std_c, (O, KH, KW).

    For a grey picture (R = G = B = g) the layer computes sum_c W_c * (g - mean_c) / std_c, which
    is this kernel applied to g plus a constant. For one channel it is the kernel itself / std.
    """
    w = np.asarray(weight, dtype=np.float64)
    if w.ndim != 4:
        raise ValueError(f"expected weights (O, C, KH, KW), got shape {w.shape}")
    s = np.ones(w.shape[1]) if std is None else np.asarray(std, dtype=np.float64)
    if s.shape != (w.shape[1],) or not (s > 0).all():
        raise ValueError(f"need {w.shape[1]} positive std values, got {std!r}")
    return (w / s[None, :, None, None]).sum(axis=1)


def _pad_to(k: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Zero-pad a 2-D kernel to rows x cols keeping its anchor tap on the bigger kernel's anchor."""
    top, left = anchor(rows) - anchor(k.shape[-2]), anchor(cols) - anchor(k.shape[-1])
    pads = [(0, 0)] * (k.ndim - 2) + [(top, rows - k.shape[-2] - top), (left, cols - k.shape[-1] - left)]
    return np.pad(k, pads)


def equal_size(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two 2-D kernels zero-padded to the same (max rows, max cols), as float64.

    The smaller one is centred: its anchor tap (the one that lands on the output pixel,
    ``anchor(k) = (k - 1) // 2``) goes on the bigger size's anchor, so a 3x3 sits in the middle of
    a 5x5 (one zero ring) and a 2x2 Roberts kernel takes rows/columns 1-2 of a 3x3. Zero taps
    change nothing about what a kernel computes, so the padded kernel is the same operator.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"expected two 2-D kernels, got shapes {a.shape} and {b.shape}")
    rows, cols = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    return _pad_to(a, rows, cols), _pad_to(b, rows, cols)


def _directions(k: np.ndarray, centre: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``k`` (N, ...) flattened, centred if asked, as unit vectors; and which are defined."""
    v = k.reshape(len(k), -1)  # (N, KH*KW)
    raw = np.linalg.norm(v, axis=1)
    if centre:
        v = v - v.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(v, axis=1)
    ok = (raw > 0) & (norm > ZERO_TOL * raw)
    return v / np.where(ok, norm, 1.0)[:, None], ok


def cosine(a: np.ndarray, b: np.ndarray, centre: bool = True) -> float | None:
    """Signed cosine similarity of two 2-D kernels, the definition every score here uses.

    1. ``equal_size``: zero-pad the smaller to the bigger, centred.
    2. If ``centre``: subtract each padded kernel's mean over the whole window, so a constant
       offset (which only shifts the response of a flat region) does not count.
    3. cos = <a, b> / (|a| |b|).
    None when either vector is (numerically) zero, e.g. a box kernel centred over its own window:
    it has no direction, and 0/0 would be NaN.
    """
    a, b = equal_size(a, b)
    (u,), (ok_u,) = _directions(a[None], centre)
    (v,), (ok_v,) = _directions(b[None], centre)
    if not (ok_u and ok_v):
        return None
    return float(np.clip(u @ v, -1.0, 1.0))


def classic_kernels(names: Sequence[str] = CLASSIC_FILTERS, sigma: float = 1.0) -> dict[str, np.ndarray]:
    """The classic kernels by name; the Gaussian with ``sigma`` (the Filters page's slider)."""
    return {n: classic_filter(n, sigma=sigma).kernel if n == "gaussian" else classic_filter(n).kernel
            for n in names}


def best_matches(kernels: np.ndarray, classic: dict[str, np.ndarray] | None = None) -> list[Match]:
    """For each classic kernel, the learned kernel (O, KH, KW) with the largest |cosine|.

    Learned kernels are 2-D: use ``grey_kernels`` for a layer (it sums colour channels into what
    the kernel does to a grey picture, which is what the classic kernels see). Scores follow
    ``cosine`` with ``centre=True``, except for LOW_PASS kernels, compared as they are: after mean
    removal a box is all zeros and a Gaussian a centre-surround blob, neither a blur any more;
    their score says how close a learned kernel is to a weighted average. Learned kernels with no
    direction are skipped; if none is left, index and score are None. Ties go to the lower index.
    """
    learned = np.asarray(kernels, dtype=np.float64)
    if learned.ndim != 3 or len(learned) == 0:
        raise ValueError(f"expected learned kernels (O, KH, KW), got shape {learned.shape}")
    out = []
    for name, kernel in (classic_kernels() if classic is None else classic).items():
        k = np.asarray(kernel, dtype=np.float64)
        rows, cols = max(k.shape[0], learned.shape[1]), max(k.shape[1], learned.shape[2])
        centre = name not in LOW_PASS
        (c,), (ok_c,) = _directions(_pad_to(k, rows, cols)[None], centre)
        dirs, ok = _directions(_pad_to(learned, rows, cols), centre)  # (O, rows*cols)
        cos = np.clip(dirs @ c, -1.0, 1.0)  # (O,)
        score = np.where(ok & ok_c, np.abs(cos), -1.0)
        best = int(np.argmax(score))
        if score[best] < 0:
            out.append(Match(name, None, None, 0, centre))
        else:
            out.append(Match(name, best, float(score[best]), 1 if cos[best] >= 0 else -1, centre))
    return out


def experiment_n_val(n_train: int) -> int:
    """Validation images of the experiment's runs: a quarter of the training images, at least 100."""
    return max(100, n_train // 4)


def experiment_specs(n_train: int, epochs: int, freeze: bool, titles: Mapping[str, str]) -> dict[str, RunSpec]:
    """The hand-crafted first layer experiment: two runs that differ only in their first layer, the
    classic edge kernels ("hand", frozen if ``freeze``) or random weights ("random"); same seed,
    data, model and recipe. ``titles`` names each role's run."""
    info = DATASETS[EXP_DATASET]
    model = ModelConfig("lenet5", info.shape, num_classes=len(info.classes), activation="relu", init="he")
    recipe = TrainConfig(epochs=epochs, batch_size=128, optimizer="adam", lr=3e-3, seed=0)
    return {role: RunSpec(EXP_DATASET, n_train, experiment_n_val(n_train), model, recipe, first_layer=first,
                          freeze_first=freeze and first == "handcrafted", title=titles[role])
            for role, first in (("hand", "handcrafted"), ("random", "random"))}
