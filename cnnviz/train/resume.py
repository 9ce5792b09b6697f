"""A training run's resume point on disk: ``resume.safetensors`` in its run folder.

One file holds everything ``train`` needs to continue after a finished epoch (weights, optimiser
state, generators, history), written atomically, so it is always one consistent epoch. The
optimiser's nested state dict becomes flat tensors plus a JSON skeleton in the header; nothing
is ever unpickled. No Streamlit, no training.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import safetensors.torch
import torch

from cnnviz.fileio import write_atomic
from cnnviz.train.engine import Resume

__all__ = ["RESUME_FILE", "load_resume", "save_resume"]

RESUME_FILE = "resume.safetensors"
_REF = "__tensor__"


def _flatten(value: Any, tensors: dict[str, torch.Tensor], path: str) -> Any:
    """The JSON skeleton of ``value``; its tensors move to ``tensors`` under their path."""
    if isinstance(value, torch.Tensor):
        tensors[path] = value.detach().cpu().contiguous()
        return {_REF: path}
    if isinstance(value, dict):
        return {"__dict__": [[k, _flatten(v, tensors, f"{path}.{k}")] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_flatten(v, tensors, f"{path}.{i}") for i, v in enumerate(value)]
    return value  # numbers, bools, None, strings


def _unflatten(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(value, dict) and _REF in value:
        return tensors[value[_REF]]
    if isinstance(value, dict) and "__dict__" in value:  # keys may be ints (optimizer param ids)
        return {k: _unflatten(v, tensors) for k, v in value["__dict__"]}
    if isinstance(value, list):
        return [_unflatten(v, tensors) for v in value]
    return value


def save_resume(folder: Path, state: Resume) -> None:
    """Write ``state`` as the run's resume point (atomically: a crash leaves the previous one)."""
    tensors: dict[str, torch.Tensor] = {}
    skeleton = {
        "epoch": state.epoch, "step": state.step, "history": state.history,
        "model": _flatten(state.model, tensors, "model"),
        "optimizer": _flatten(state.optimizer, tensors, "opt"),
        "generator": _flatten(state.generator, tensors, "generator"),
        "rng": _flatten(state.rng, tensors, "rng"),
        "cuda_rng": None if state.cuda_rng is None else _flatten(state.cuda_rng, tensors, "cuda_rng"),
    }
    data = safetensors.torch.save(tensors, metadata={"cnnviz_resume": json.dumps(skeleton)})
    write_atomic(Path(folder) / RESUME_FILE, data)


def load_resume(folder: Path) -> Resume | None:
    """The run's last resume point, or None when it has none (or it is unreadable)."""
    path = Path(folder) / RESUME_FILE
    try:
        data = path.read_bytes()
        tensors = safetensors.torch.load(data)
        header = json.loads(data[8:8 + int.from_bytes(data[:8], "little")])
        skeleton = json.loads(header["__metadata__"]["cnnviz_resume"])
        return Resume(
            epoch=int(skeleton["epoch"]), step=int(skeleton["step"]), history=list(skeleton["history"]),
            model=_unflatten(skeleton["model"], tensors), optimizer=_unflatten(skeleton["optimizer"], tensors),
            generator=_unflatten(skeleton["generator"], tensors), rng=_unflatten(skeleton["rng"], tensors),
            cuda_rng=None if skeleton["cuda_rng"] is None else _unflatten(skeleton["cuda_rng"], tensors))
    except Exception:  # noqa: BLE001 - missing or damaged: the run starts again from scratch
        return None
