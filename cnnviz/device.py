"""Which device computations run on: the CUDA GPU when there is one, the CPU otherwise."""

from __future__ import annotations

import torch

__all__ = ["best_device", "describe_device"]


def best_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def describe_device() -> str:
    """'NVIDIA H100 80GB HBM3 (CUDA 13.0)' or 'CPU (2 threads)'."""
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
    return f"CPU ({torch.get_num_threads()} threads)"
