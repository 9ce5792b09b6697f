"""What every benchmark shares: timing a callable, summarising samples, describing the machine."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import torch

__all__ = ["gpu", "machine", "percentiles", "save", "time_it"]


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


def _nvidia_smi(fields: str) -> list[str] | None:
    """One CSV row of ``nvidia-smi --query-gpu=<fields>`` for GPU 0, or None without the tool."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, f"--query-gpu={fields}", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    rows = out.strip().splitlines()
    return [v.strip() for v in rows[0].split(",")] if rows else None


def gpu() -> dict[str, object] | None:
    """The CUDA GPU (name, memory, capability, CUDA/cuDNN/driver versions, load now), or None."""
    if not torch.cuda.is_available():
        return None
    props = torch.cuda.get_device_properties(0)
    smi = _nvidia_smi("driver_version,utilization.gpu,memory.used,memory.total")
    keys = ("driver", "utilization_percent", "memory_used_mib", "memory_total_mib")
    return {"name": props.name, "count": torch.cuda.device_count(),
            "memory_gib": round(props.total_memory / 2**30, 1),
            "capability": f"{props.major}.{props.minor}",
            "multiprocessors": props.multi_processor_count, "cuda_runtime": torch.version.cuda,
            "cudnn": torch.backends.cudnn.version(),
            "cudnn_benchmark": torch.backends.cudnn.benchmark,
            "tf32": {"cudnn": torch.backends.cudnn.allow_tf32,
                     "matmul": torch.backends.cuda.matmul.allow_tf32},
            "nvidia_smi": dict(zip(keys, smi)) if smi else None}


def _version(module: str) -> str | None:
    try:  # the GPU machines have no Streamlit: a benchmark must not need it to describe them
        return __import__(module).__version__
    except ImportError:
        return None


def machine() -> dict[str, object]:
    """CPU model, core count, the GPU if any, and library versions, written next to every result."""
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"device": "cuda" if torch.cuda.is_available() else "cpu", "cpu": cpu, "cores": os.cpu_count(),
            "python": platform.python_version(), "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), "cv2": cv2.__version__, "numpy": np.__version__,
            "torchvision": _version("torchvision"), "streamlit": _version("streamlit"),
            "platform": platform.platform(), "gpu": gpu()}


def save(result: dict, path: Path, echo: bool = True) -> None:
    """Write ``result`` as indented JSON to ``path`` (creating its folder); print it if ``echo``.

    Written to a temporary file and renamed, so a run cut off mid-write leaves the last whole file.
    """
    text = json.dumps(result, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n")
    os.replace(tmp, path)
    if echo:
        print(text)
