"""What a training run reports while it trains, kept small for the job store's row (rewritten about
twice a second): running metrics, a bounded list of per-step curve points, and how the page reads
them back (the epoch in progress, the gradient ratio). No Streamlit, no training.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from cnnviz.train.engine import Event

__all__ = ["MAX_POINTS", "POINTS_PER_EPOCH", "add_point", "epoch_in_progress", "gradient_ratio", "step_values",
           "sync_every"]

MAX_POINTS = 400  # per-step points kept in the row; beyond, every other one is dropped
POINTS_PER_EPOCH = 20  # how often per epoch the engine copies its metrics to the host (at most every step)


def sync_every(steps_per_epoch: int, most: int) -> int:
    """Steps between the engine's host syncs: about POINTS_PER_EPOCH curve points per epoch, never
    fewer steps than 1 nor more than ``most`` (the recipe's own setting)."""
    return max(1, min(most, steps_per_epoch // POINTS_PER_EPOCH))


def add_point(points: list[list[float]], event: Event) -> None:
    """Append (epochs done as a fraction, loss, accuracy) of the steps since the last step event;
    when there are more than MAX_POINTS, keep every other one (the curve keeps its whole span)."""
    v = event.values
    steps = v.get("epoch_steps") or event.total_steps or 1
    points.append([round(event.step / steps, 4), _short(v["window_loss"]), round(v["window_acc"], 4)])
    if len(points) > MAX_POINTS:
        points[:] = points[::2] if len(points) % 2 else points[1::2]  # the newest point stays


def _short(x: float) -> float:
    """Five significant digits: enough for a curve, half the JSON of a full float."""
    return x if not math.isfinite(x) or x == 0 else round(x, 4 - int(math.floor(math.log10(abs(x)))))


def step_values(event: Event, first_step: int, seconds: float) -> dict[str, Any]:
    """The progress keys of a step event; ``first_step`` and ``seconds`` (since this worker
    started the run) give the ETA from this worker's own speed."""
    v = event.values
    rate = (event.step - first_step) / max(seconds, 1e-9)
    return {"epoch": event.epoch, "step": event.step, "total_steps": event.total_steps, "loss": v["loss"],
            "acc": v["acc"], "lr": v["lr"], "images_per_s": v["images_per_s"],
            "eta": (event.total_steps - event.step) / max(rate, 1e-9), "grad_norms": v.get("grad_norms", {})}


def epoch_in_progress(progress: Mapping[str, Any]) -> int | None:
    """The epoch a running run is in (1-based), or None before its first step.

    A step event says which epoch it came from, but the next one comes only some steps into the
    next epoch: once epoch k is in the history, epoch k + 1 is the one training."""
    planned = progress.get("spec", {}).get("train", {}).get("epochs")
    if "epoch" not in progress or not planned:
        return None
    return min(max(int(progress["epoch"]), len(progress.get("history", [])) + 1), int(planned))


def gradient_ratio(norms: Mapping[str, float] | Sequence[float]) -> float | None:
    """First layer's weight-gradient norm over the last layer's (input side first), or None when
    there are fewer than two layers or the last gradient is 0."""
    values = list(norms.values()) if isinstance(norms, Mapping) else list(norms)
    if len(values) < 2 or not values[-1] or not all(math.isfinite(v) for v in values):
        return None
    return values[0] / values[-1]
