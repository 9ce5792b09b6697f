"""Two building blocks worked out by hand: BatchNorm's arithmetic on a small mini-batch, and a
LeNet-style classifier head written as fully connected layers or as convolutions.

``batchnorm_steps`` computes what ``nn.BatchNorm2d`` does in training mode (batch mean, biased
variance, normalise, scale and shift; running statistics updated with the unbiased variance) and
in eval mode (the running statistics); tests compare both with PyTorch. ``fully_convolutional``
rewrites a trained LeNet-5's fully connected layers as convolutions with the same weights
("there are no fully connected layers, only 1x1 convolutions", LeCun). No Streamlit.
"""

from __future__ import annotations

import copy
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnviz.course.architectures import Product
from cnnviz.data.datasets import make_digits

__all__ = ["BN_SHAPE", "EPS", "BatchNormSteps", "HeadLayer", "batchnorm_steps", "batchnorm_torch", "digit_strip",
           "fully_convolutional", "head_input_shape", "heads", "sample_batch", "score_map"]

BN_SHAPE = (4, 2, 1, 2)  # (N, C, H, W): 8 values per channel, few enough to add up by hand
EPS = 1e-5  # nn.BatchNorm2d's default
GAMMA = (1.5, 0.5)
BETA = (0.0, 1.0)
STRIP_SEED = 11  # the Inspect page's samples use the same seed


@dataclass(frozen=True, eq=False)
class BatchNormSteps:
    """Every intermediate of one BatchNorm2d step, per channel (float64)."""

    x: np.ndarray  # (N, C, H, W)
    gamma: np.ndarray  # (C,)
    beta: np.ndarray
    eps: float
    momentum: float | None  # None: cumulative average, as nn.BatchNorm2d(momentum=None)
    factor: float  # the weight the new batch gets in the running statistics
    mean: np.ndarray  # (C,) over N, H, W
    var: np.ndarray  # (C,) biased: divides by n, used to normalise
    var_unbiased: np.ndarray  # (C,) divides by n - 1, used for the running estimate
    x_hat: np.ndarray  # (N, C, H, W)
    y_train: np.ndarray
    running_mean_before: np.ndarray
    running_var_before: np.ndarray
    running_mean: np.ndarray  # after this step
    running_var: np.ndarray
    y_eval: np.ndarray  # eval mode with the running statistics after this step

    @property
    def count(self) -> int:
        """Values per channel: N·H·W."""
        n, _, h, w = self.x.shape
        return n * h * w


def sample_batch(seed: int, shape: tuple[int, int, int, int] = BN_SHAPE) -> np.ndarray:
    """Small whole numbers 0..9 (float64), so every mean and variance can be checked by hand."""
    return np.random.default_rng([seed, 7]).integers(0, 10, shape).astype(np.float64)


def _per_channel(v: np.ndarray) -> np.ndarray:
    return v.reshape(1, -1, 1, 1)


def batchnorm_steps(x: np.ndarray, gamma: np.ndarray | None = None, beta: np.ndarray | None = None,
                    running_mean: np.ndarray | None = None, running_var: np.ndarray | None = None,
                    momentum: float | None = 0.1, eps: float = EPS, batches_seen: int = 0) -> BatchNormSteps:
    """One training step of BatchNorm2d on ``x`` (N, C, H, W), then eval mode on the same batch.

    Running statistics start at PyTorch's (mean 0, variance 1) unless given; ``batches_seen`` is
    num_batches_tracked before this step (it only matters for momentum=None, where the new batch
    gets weight 1 / (batches_seen + 1)).
    """
    x = np.asarray(x, np.float64)
    c = x.shape[1]
    gamma = np.asarray(GAMMA[:c] if gamma is None else gamma, np.float64)
    beta = np.asarray(BETA[:c] if beta is None else beta, np.float64)
    rm0 = np.zeros(c) if running_mean is None else np.asarray(running_mean, np.float64)
    rv0 = np.ones(c) if running_var is None else np.asarray(running_var, np.float64)
    n = x.size // c
    mean = x.mean(axis=(0, 2, 3))
    var = ((x - _per_channel(mean)) ** 2).sum(axis=(0, 2, 3)) / n
    var_unbiased = var * n / (n - 1)
    x_hat = (x - _per_channel(mean)) / np.sqrt(_per_channel(var) + eps)
    factor = 1.0 / (batches_seen + 1) if momentum is None else float(momentum)
    rm = (1 - factor) * rm0 + factor * mean
    rv = (1 - factor) * rv0 + factor * var_unbiased
    y_eval = _per_channel(gamma) * (x - _per_channel(rm)) / np.sqrt(_per_channel(rv) + eps) + _per_channel(beta)
    return BatchNormSteps(x=x, gamma=gamma, beta=beta, eps=eps, momentum=momentum, factor=factor, mean=mean,
                          var=var, var_unbiased=var_unbiased, x_hat=x_hat,
                          y_train=_per_channel(gamma) * x_hat + _per_channel(beta),
                          running_mean_before=rm0, running_var_before=rv0, running_mean=rm, running_var=rv,
                          y_eval=y_eval)


# ---------------------------------------------------------------------------------------------
# Fully connected head versus convolutional head


@dataclass(frozen=True)
class HeadLayer:
    name: str
    code: str  # the PyTorch line
    weights: Product | None  # None: a layer without weights
    biases: int

    @property
    def params(self) -> int:
        return (self.weights.value if self.weights else 0) + self.biases


def heads(c: int = 16, side: int = 5, hidden: tuple[int, ...] = (120, 84), classes: int = 10
          ) -> dict[str, list[HeadLayer]]:
    """The classifier after LeNet-5's last pooling (c maps of side x side) in three forms:
    fully connected, the same as convolutions (side x side, then 1x1), and a 1x1 convolution to
    the classes followed by global average pooling (no hidden layers)."""
    widths = (*hidden, classes)
    fc = [HeadLayer("fc1", f"nn.Linear({c * side * side}, {widths[0]})", Product((c * side * side, widths[0])),
                    widths[0])]
    conv = [HeadLayer("conv_fc1", f"nn.Conv2d({c}, {widths[0]}, kernel_size={side})",
                      Product((side, side, c, widths[0])), widths[0])]
    for i, (a, b) in enumerate(zip(widths, widths[1:]), start=2):
        fc.append(HeadLayer(f"fc{i}", f"nn.Linear({a}, {b})", Product((a, b)), b))
        conv.append(HeadLayer(f"conv_fc{i}", f"nn.Conv2d({a}, {b}, kernel_size=1)", Product((1, 1, a, b)), b))
    gap = [HeadLayer("conv_classes", f"nn.Conv2d({c}, {classes}, kernel_size=1)", Product((1, 1, c, classes)),
                     classes),
           HeadLayer("gap", "nn.AdaptiveAvgPool2d(1)", None, 0)]
    return {"fc": fc, "conv": conv, "gap": gap}


def fully_convolutional(lenet: nn.Sequential) -> nn.Sequential:
    """A copy of a cnnviz LeNet-5 whose fully connected layers are convolutions with the same
    weights: fc1 (400 -> 120) becomes a 5x5 convolution of 16 maps, fc2 and fc 1x1 convolutions.

    On a 28x28 picture it gives the same scores; on a wider picture, a score for every position.
    """
    parts = OrderedDict((name, m) for name, m in lenet.named_children() if name not in ("flatten", "dropout"))
    convs = OrderedDict()
    last_maps = lenet.conv2.out_channels
    for name, module in parts.items():
        if isinstance(module, nn.Linear):
            side = math.isqrt(module.in_features // last_maps) if name == "fc1" else 1
            c_in = module.in_features // (side * side)
            conv = nn.Conv2d(c_in, module.out_features, side)
            with torch.no_grad():  # Flatten's order (C, H, W) is the kernel's order
                conv.weight.copy_(module.weight.reshape(module.out_features, c_in, side, side))
                conv.bias.copy_(module.bias)
            convs[name] = conv
        else:
            convs[name] = copy.deepcopy(module)  # the given model may be shared: never alias it
    out = nn.Sequential(convs)
    out.eval()
    return out


def score_map(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Class probabilities at every position of a fully convolutional model: (classes, H', W')."""
    with torch.no_grad():
        return torch.softmax(model(x)[0].double(), dim=0)


def digit_strip(digits: str, seed: int = STRIP_SEED) -> np.ndarray:
    """Generated digits (cnnviz.data.datasets's MNIST-like set) side by side: uint8 (28, 28·len(digits))."""
    x, y = make_digits(40, seed)
    first = {int(d): x[int(np.flatnonzero(y == int(d))[0]), 0] for d in set(digits)}
    return np.concatenate([first[int(d)] for d in digits], axis=1)


def batchnorm_torch(steps: BatchNormSteps, batches_seen: int = 0) -> float:
    """Largest difference between ``steps`` and nn.BatchNorm2d doing the same (outputs and running
    statistics, training then eval mode), computed now in float64."""
    c = steps.x.shape[1]
    bn = nn.BatchNorm2d(c, eps=steps.eps, momentum=steps.momentum).double()
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(steps.gamma))
        bn.bias.copy_(torch.from_numpy(steps.beta))
        bn.running_mean.copy_(torch.from_numpy(steps.running_mean_before))
        bn.running_var.copy_(torch.from_numpy(steps.running_var_before))
        bn.num_batches_tracked.fill_(batches_seen)
        x = torch.from_numpy(steps.x)
        y_train = bn.train()(x).numpy()
        stats = (bn.running_mean.numpy().copy(), bn.running_var.numpy().copy())
        y_eval = bn.eval()(x).numpy()
    return float(max(np.abs(y_train - steps.y_train).max(), np.abs(stats[0] - steps.running_mean).max(),
                     np.abs(stats[1] - steps.running_var).max(), np.abs(y_eval - steps.y_eval).max()))


def head_input_shape(fully_conv: nn.Sequential, x: torch.Tensor) -> tuple[int, int, int]:
    """(C, H, W) of the maps the head gets: the output just before its first layer ("fc1")."""
    names = [name for name, _ in fully_conv.named_children()]
    body = nn.Sequential(*list(fully_conv.children())[:names.index("fc1")])
    with torch.no_grad():
        c, h, w = body(x).shape[1:]
    return int(c), int(h), int(w)
