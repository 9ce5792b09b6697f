"""What one picture through a model costs, estimated before anything real is built.

``estimate`` runs the architecture on PyTorch's ``meta`` device (shapes only, no memory, no
arithmetic), so a file that claims a huge network or a huge input costs a fraction of a second
to refuse. ``check_servable`` refuses what this server cannot serve to a class. No Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.errors import CnnvizError, register
from cnnviz.explain.activations import layer_table
from cnnviz.models.builders import ModelConfig, build_model

__all__ = ["MAX_ACT_BYTES", "MAX_FLOPS", "MAX_PARAMS", "MESSAGES", "Cost", "check_servable", "estimate"]

# One picture through a model the app serves: VGG-16 at 224x224 needs 58 MiB of activations and
# 31 GFLOP (15.5 G multiply-adds); a shipped model needs under 1 MiB and 1 MFLOP.
MAX_ACT_BYTES = 256 * 2**20
MAX_FLOPS = 40 * 10**9
MAX_PARAMS = 50_000_000  # 200 MB of float32 weights, the checkpoint size limit

MESSAGES = register({
    "budget_too_costly": (
        "This model is too large for this server: one picture would take {act_mb:,.0f} MB of memory "
        "and {gflop:,.1f} billion operations ({params:,} parameters); the server serves models up to "
        "{limit_mb:,.0f} MB, {limit_gflop:,.0f} billion operations and {limit_params:,} parameters per "
        "picture. Use a smaller input size, width or depth."),
})


@dataclass(frozen=True)
class Cost:
    """One picture (batch 1) through the model, forward only."""

    params: int
    act_bytes: int  # float32 outputs of every layer that allocates memory (activations.layer_table)
    flops: int  # floating-point operations, a multiply-add counting 2 (torch's FlopCounterMode)

    @property
    def fits(self) -> bool:
        return (self.params <= MAX_PARAMS and self.act_bytes <= MAX_ACT_BYTES
                and self.flops <= MAX_FLOPS)


def estimate(cfg: ModelConfig) -> Cost:
    """The cost of ``cfg`` for one picture, from a forward pass on the meta device."""
    with torch.device("meta"):
        model = build_model(cfg).eval()
    params = sum(p.numel() for p in model.parameters())
    if params > MAX_PARAMS:  # refused anyway: skip the forward pass
        return Cost(params, 0, 0)
    _, totals = layer_table(model, cfg.in_shape)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, *cfg.in_shape, device="meta"))
    return Cost(params, totals["act_bytes_total"], counter.get_total_flops())


def check_servable(cfg: ModelConfig) -> Cost:
    """The cost of ``cfg``; CnnvizError("budget_too_costly") when it is beyond this server."""
    cost = estimate(cfg)
    if not cost.fits:
        raise CnnvizError("budget_too_costly", act_mb=cost.act_bytes / 2**20, gflop=cost.flops / 1e9,
                          params=cost.params, limit_mb=MAX_ACT_BYTES / 2**20,
                          limit_gflop=MAX_FLOPS / 1e9, limit_params=MAX_PARAMS)
    return cost
