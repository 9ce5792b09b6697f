"""Which device computations run on: the CUDA GPU when there is one, the CPU otherwise."""

from __future__ import annotations

import os
from collections.abc import Mapping

import torch

__all__ = ["best_device", "configure_threads", "describe_device"]


def best_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def describe_device() -> str:
    """'NVIDIA H100 80GB HBM3 (CUDA 13.0)' or 'CPU (2 threads)'."""
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
    return f"CPU ({torch.get_num_threads()} threads)"


def configure_threads(env: Mapping[str, str] = os.environ) -> int | None:
    """Apply ``CNNVIZ_TORCH_THREADS`` (a positive int) to torch's CPU thread pool; returns it.

    A busy classroom server runs many small computations at once; there, one thread per
    computation beats torch's default of one per core, whose threads then wait on each other.
    Unset or invalid: torch's default is kept and None returned.
    """
    text = env.get("CNNVIZ_TORCH_THREADS", "").strip()
    if not text.isdigit() or int(text) < 1:
        return None
    torch.set_num_threads(int(text))
    return int(text)
