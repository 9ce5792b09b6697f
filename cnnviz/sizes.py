"""Sizes in bytes: what the arrays and tensors inside a result hold (the per-session caches count
by it), and a byte count written the way people read it. No Streamlit.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["fmt_bytes", "nbytes"]


def nbytes(value: object) -> int:
    """Memory held by arrays and tensors inside ``value`` (containers and dataclasses followed)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(nbytes(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return sum(nbytes(getattr(value, f)) for f in value.__dataclass_fields__)
    return 0


def fmt_bytes(n: int) -> str:
    """Bytes in the unit that reads best: 240 B, 58.6 KB, 528.0 MB (powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
