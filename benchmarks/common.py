"""What every benchmark shares: timing a callable, summarising samples, describing the machine."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import torch

__all__ = ["machine", "percentiles", "save", "time_it"]


def time_it(fn: Callable[[], object], runs: int, warmup: int = 0) -> list[float]:
    """Seconds per call of ``fn`` over ``runs`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):  # first calls pay for kernel selection, imports and allocations
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
            "min_ms": round(ms[0], 2), "max_ms": round(ms[-1], 2), "runs": len(ms)}


def machine() -> dict[str, object]:
    """CPU model, core count and library versions, written next to every result."""
    import streamlit  # imported here: only the page benchmarks need it loaded

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"device": "cuda" if torch.cuda.is_available() else "cpu", "cpu": cpu, "cores": os.cpu_count(),
            "python": platform.python_version(), "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), "cv2": cv2.__version__, "numpy": np.__version__,
            "streamlit": streamlit.__version__, "platform": platform.platform()}


def save(result: dict, path: Path) -> None:
    """Write ``result`` as indented JSON to ``path`` (creating its folder) and print it."""
    text = json.dumps(result, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    print(text)
