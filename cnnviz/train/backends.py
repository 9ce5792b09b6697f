"""Where training runs: local worker processes, or a Ray cluster (CNNVIZ_JOBS). Imports nothing
heavy, so the launcher can read it without loading torch or Ray."""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["ENV_JOBS", "jobs_backend"]

ENV_JOBS = "CNNVIZ_JOBS"  # "ray", "ray:local" or "ray://host:10001": train on Ray; unset: local workers


def jobs_backend(env: Mapping[str, str] = os.environ) -> str | None:
    """The Ray address CNNVIZ_JOBS asks for, or None for local workers (unset, "" or "local").

    "ray" is "auto" (the cluster this machine belongs to), "ray:local" a private one-machine
    instance, "ray://host:10001" a cluster reached through Ray Client. ValueError otherwise."""
    text = env.get(ENV_JOBS, "").strip()
    if text in ("", "local"):
        return None
    if text in ("ray", "ray:auto"):
        return "auto"
    if text == "ray:local":
        return "local"
    if text.startswith("ray://") and len(text) > len("ray://"):
        return text
    raise ValueError(f"{ENV_JOBS}={text!r}: use ray, ray:local or ray://host:10001 (or leave it unset)")
