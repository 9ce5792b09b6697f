"""Activation functions and their derivatives, from autograd and from their closed forms, and the
product of derivatives through a deep chain that makes gradients vanish.

Softmax is drawn as the probability of class 0 when its own logit is x and the others are fixed
(SOFTMAX_OTHERS); its full Jacobian is diag(p) − p·pᵀ. The chain is x_l = f(x_(l-1) + b_l): by the
chain rule dx_L/dx_0 = Π f'(z_l), and sigmoid' ≤ 1/4 bounds it by (1/4)^L. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from cnnviz.models.builders import LEAKY_SLOPE

__all__ = ["ELEMENTWISE", "FUNCTIONS", "SOFTMAX_OTHERS", "chain_gradient", "closed_form", "derivative",
           "max_derivative", "softmax_jacobian", "value"]

FUNCTIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "silu", "softmax")
ELEMENTWISE = FUNCTIONS[:-1]
SOFTMAX_OTHERS = (0.0, 0.0)  # the other two logits of the softmax curve
MAX_DEPTH = 50

_TORCH: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, LEAKY_SLOPE),
    "silu": F.silu,
}


def _softmax_p0(x: torch.Tensor) -> torch.Tensor:
    others = torch.tensor(SOFTMAX_OTHERS, dtype=x.dtype).expand(*x.shape, len(SOFTMAX_OTHERS))
    return torch.softmax(torch.cat([x[..., None], others], dim=-1), dim=-1)[..., 0]


def _apply(name: str, x: torch.Tensor) -> torch.Tensor:
    return _softmax_p0(x) if name == "softmax" else _TORCH[name](x)


def value(name: str, xs: np.ndarray) -> np.ndarray:
    """f(x) for every x (float64)."""
    return _apply(name, torch.as_tensor(np.asarray(xs, np.float64))).numpy()


def derivative(name: str, xs: np.ndarray) -> np.ndarray:
    """f'(x) for every x by autograd: each output depends on its own x only, so the gradient of
    the sum is the elementwise derivative."""
    x = torch.tensor(np.asarray(xs, np.float64), requires_grad=True)
    (grad,) = torch.autograd.grad(_apply(name, x).sum(), x)
    return grad.numpy()


def closed_form(name: str, xs: np.ndarray) -> np.ndarray:
    """f'(x) written out: σ(1−σ), 1−tanh², [x>0], [x>0] + slope·[x≤0], σ(x)(1 + x(1−σ(x))), p(1−p).

    At x = 0 ReLU's derivative is taken as 0 and Leaky ReLU's as its slope, as PyTorch does."""
    x = np.asarray(xs, np.float64)
    s = 1.0 / (1.0 + np.exp(-x))
    if name == "sigmoid":
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(x) ** 2
    if name == "relu":
        return (x > 0).astype(np.float64)
    if name == "leaky_relu":
        return np.where(x > 0, 1.0, LEAKY_SLOPE)
    if name == "silu":
        return s * (1 + x * (1 - s))
    if name == "softmax":
        p = np.exp(x) / (np.exp(x) + np.exp(np.asarray(SOFTMAX_OTHERS)).sum())
        return p * (1 - p)
    raise ValueError(f"unknown function {name!r}; choose from {FUNCTIONS}")


def max_derivative(name: str) -> float:
    """The largest f'(x) over x in [-10, 10] (sigmoid 1/4, tanh 1, ReLU 1, SiLU about 1.1)."""
    return float(derivative(name, np.linspace(-10, 10, 20_001)).max())


def softmax_jacobian(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∂p_i/∂z_j of softmax at ``z``, by autograd and as diag(p) − p·pᵀ."""
    zt = torch.tensor(np.asarray(z, np.float64))
    auto = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, dim=0), zt).numpy()
    p = torch.softmax(zt, dim=0).numpy()
    return auto, np.diag(p) - np.outer(p, p)


def chain_gradient(name: str, depth: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """|dx_l/dx_0| after each of ``depth`` layers x_l = f(x_(l−1) + b_l), b_l ~ N(0, 1), x_0 = 0.5:
    by autograd (one backward pass per depth) and as the running product of f'(z_l)."""
    if name not in ELEMENTWISE:
        raise ValueError(f"{name!r} is not elementwise; choose from {ELEMENTWISE}")
    biases = torch.tensor(np.random.default_rng([seed, 3]).normal(size=depth))
    x0 = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    auto, pre = [], []
    x = x0
    for b in biases:
        z = x + b
        pre.append(float(z.detach()))
        x = _TORCH[name](z)
        (grad,) = torch.autograd.grad(x, x0, retain_graph=True)
        auto.append(abs(float(grad)))
    product = np.abs(np.cumprod(closed_form(name, np.array(pre))))
    return np.array(auto), product
