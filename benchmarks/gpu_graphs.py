"""What CUDA graphs would win: one training step captured once and replayed over the data.

A ceiling for the decision whether the engine should capture its step (it does not): the same
arithmetic as the compute-only loop (bf16 autocast, channels_last, Adam) with every kernel
launched from one graph instead of from Python. CUDA only; on a CPU it reports None.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F

from cnnviz.data.datasets import DatasetInfo, Split
from cnnviz.models.builders import ModelConfig, build_model
from cnnviz.train.engine import DeviceData

__all__ = ["graphed_rate"]

WARMUP_STEPS = 3  # eager steps on a side stream before capture, as torch.cuda.graphs asks


def _capture(model: torch.nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor,
             y: torch.Tensor) -> torch.cuda.CUDAGraph:
    """A graph of forward, loss, backward and optimiser step on the static buffers ``x``, ``y``."""

    def step() -> None:
        # Autocast's weight cache would hold casts made outside the graph: off while capturing
        with torch.autocast("cuda", dtype=torch.bfloat16, cache_enabled=False):
            logits = model(x)
        F.cross_entropy(logits.float(), y).backward()
        opt.step()

    side = torch.cuda.Stream(x.device)
    side.wait_stream(torch.cuda.current_stream(x.device))
    with torch.cuda.stream(side):
        for _ in range(WARMUP_STEPS):
            opt.zero_grad(set_to_none=True)
            step()
    torch.cuda.current_stream(x.device).wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)  # gradients are then allocated from the graph's pool
    with torch.cuda.graph(graph):
        step()
    return graph


def graphed_rate(model_cfg: ModelConfig, split: Split, info: DatasetInfo, batch: int,
                 device: torch.device) -> float | None:
    """Training images/s of replaying one captured step per batch (the second pass over the
    data; the first warms up). None on a CPU."""
    if device.type != "cuda":
        return None
    data = DeviceData(split, info, device)
    x_all, y_all = data.prepare(data.x_train), data.y_train  # channels_last, normalised
    torch.manual_seed(0)
    model = build_model(model_cfg).to(device).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, capturable=True)
    x, y = x_all[:batch].clone(), y_all[:batch].clone()  # the graph's input buffers
    graph = _capture(model, opt, x, y)
    steps = len(x_all) // batch
    seconds = 0.0
    for _ in range(2):
        torch.cuda.synchronize(device)
        start = time.perf_counter()
        for i in range(steps):
            x.copy_(x_all[i * batch:(i + 1) * batch])
            y.copy_(y_all[i * batch:(i + 1) * batch])
            graph.replay()
        torch.cuda.synchronize(device)
        seconds = time.perf_counter() - start
    return steps * batch / seconds
