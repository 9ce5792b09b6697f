"""Every trained model the app can offer: shipped checkpoints and saved training runs.

A model is named by a key: ``shipped:<file stem>`` for ``checkpoints/<stem>.safetensors`` and
``run:<run id>`` for ``<runs>/<id>/model.safetensors``. ``available()`` lists what exists now
(reading headers only); ``load(key)`` rebuilds the model through the validating checkpoint loader.
Uploaded checkpoints and torchvision ImageNet models are handled by their own modules. No
Streamlit here; pages cache ``load`` results keyed by ``version(key)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from torch import nn

from cnnviz.models.checkpoints import CheckpointInfo, list_checkpoints, load_checkpoint, read_info
from cnnviz.train.runs import run_dir, runs_root, valid_run_id

__all__ = ["SHIPPED_FOLDER", "ZooEntry", "available", "load", "path_of", "version"]

SHIPPED_FOLDER = Path(__file__).resolve().parents[2] / "checkpoints"
_MODEL_FILE = "model.safetensors"


@dataclass(frozen=True)
class ZooEntry:
    key: str
    kind: str  # "shipped" or "run"
    name: str  # file stem or run id
    info: CheckpointInfo


def path_of(key: str, runs: Path | None = None, shipped: Path | None = None) -> Path:
    """The file behind ``key``; ValueError for a malformed key (never a path outside the folders)."""
    kind, _, name = key.partition(":")
    if kind == "shipped" and name and "/" not in name and "\\" not in name and name[0] != ".":
        return (shipped or SHIPPED_FOLDER) / f"{name}.safetensors"
    if kind == "run" and valid_run_id(name):
        return run_dir(name, runs) / _MODEL_FILE
    raise ValueError(f"not a model key: {key!r}")


def available(runs: Path | None = None, shipped: Path | None = None,
              run_ids: list[str] | None = None) -> list[ZooEntry]:
    """Shipped checkpoints, then saved runs (all, or only ``run_ids``) whose file reads."""
    entries = [ZooEntry(f"shipped:{p.stem}", "shipped", p.stem, info)
               for p, info in list_checkpoints(shipped or SHIPPED_FOLDER)]
    root = runs or runs_root()
    ids = run_ids if run_ids is not None else (
        sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else [])
    for run_id in ids:
        if not valid_run_id(run_id):
            continue
        try:
            info = read_info(run_dir(run_id, root) / _MODEL_FILE)
        except (OSError, ValueError):
            continue  # still on its first epoch, or damaged
        entries.append(ZooEntry(f"run:{run_id}", "run", run_id, info))
    return entries


def version(key: str, runs: Path | None = None, shipped: Path | None = None) -> str:
    """Changes whenever the file behind ``key`` is rewritten (a run saves every epoch)."""
    try:
        stat = path_of(key, runs, shipped).stat()
    except (OSError, ValueError):
        return "missing"
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def load(key: str, device: str = "cpu", runs: Path | None = None,
         shipped: Path | None = None) -> tuple[nn.Module, CheckpointInfo]:
    """The model behind ``key`` in eval mode; CheckpointError or ValueError explain failures."""
    return load_checkpoint(path_of(key, runs, shipped), device=device)
