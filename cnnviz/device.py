"""Which device computations run on, and how many CPU threads each process of a server may use.

The CUDA GPU when there is one, the CPU otherwise. Thread budgets: torch's default of one thread
per core in every process oversubscribes a shared server (a busy 2-core machine ran LeNet-5 8.5x
slower with 2 threads than with 1, its OpenMP threads spinning for a core another process holds),
so every web process and every training worker gets an explicit count, set before torch starts
its thread pools.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import torch

__all__ = ["ENV_THREADS", "WEB_THREADS", "best_device", "configure_threads", "cpu_cores", "describe_device",
           "thread_budget"]

ENV_THREADS = "CNNVIZ_TORCH_THREADS"
WEB_THREADS = 1  # a click's computations are small: one thread each, many clicks side by side


def best_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def describe_device() -> str:
    """'NVIDIA H100 80GB HBM3 (CUDA 13.0)' or 'CPU (2 threads)'."""
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
    threads = torch.get_num_threads()
    return f"CPU ({threads} thread{'' if threads == 1 else 's'})"


def cpu_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS and Windows have no sched_getaffinity
        return os.cpu_count() or 1


def thread_budget(cores: int, replicas: int = 1, cpu_workers: int = 1) -> dict[str, int]:
    """Torch threads per process so that the server never asks for more threads than cores.

    Every web replica gets ``WEB_THREADS`` (1); the cores left over are shared equally by the CPU
    training workers, at least one thread each. A GPU worker needs one thread to feed its GPU.
    E.g. 2 cores, 1 replica, 1 worker: web 1, worker 1. 16 cores, 2 replicas, 2 workers: 1, 7.
    """
    for name, value in (("cores", cores), ("replicas", replicas), ("cpu_workers", cpu_workers)):
        if isinstance(value, bool) or not isinstance(value, int) or value < (1 if name != "cpu_workers" else 0):
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    spare = cores - replicas * WEB_THREADS
    worker = max(1, spare // cpu_workers) if cpu_workers else 0
    return {"web": WEB_THREADS, "cpu_worker": worker, "gpu_worker": 1}


def configure_threads(default: int = WEB_THREADS, env: Mapping[str, str] = os.environ) -> int:
    """Set torch's CPU threads: ``CNNVIZ_TORCH_THREADS`` (a positive int) wins over ``default``.

    Returns the count in use. Call it before the first computation of the process.
    """
    text = env.get(ENV_THREADS, "").strip()
    threads = int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= 1024 else default
    torch.set_num_threads(threads)
    return threads
