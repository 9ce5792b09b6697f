"""Training runs: a job that trains one model and saves it every epoch, and finding runs again.

A run is a folder ``<runs>/<run id>/`` holding ``spec.json`` (what was asked), ``model.safetensors``
(the latest epoch's weights with the history in its header) and ``filters.safetensors`` (the
first conv layer's kernels after every epoch, epoch 0 being the initialisation). The run id is the
job id, so a link with ``?run=<id>`` finds the run while it trains and after the server restarts.
No Streamlit here: the page submits ``run_job(spec)`` to the job manager and polls its progress.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import safetensors.torch
import torch
from torch import nn

from cnnviz.classroom.class_data import CLASS_DATASET, ClassDrawings
from cnnviz.data.datasets import DATASETS, HANDWRITTEN_SIZE, DatasetUnavailable, load_embedded, load_torchvision
from cnnviz.errors import CnnvizError, register
from cnnviz.fileio import write_atomic
from cnnviz.imaging.filters import classic_filter
from cnnviz.models.builders import ModelConfig
from cnnviz.models.checkpoints import CheckpointInfo, save_checkpoint
from cnnviz.train.engine import Event, Resume, TrainConfig, train
from cnnviz.train.jobs import JobCancelled, JobContext, error_of
from cnnviz.train.progress import add_point, step_values, sync_every
from cnnviz.train.resume import load_resume, save_resume

__all__ = [
    "FREEZE",
    "HANDCRAFTED",
    "MESSAGES",
    "Outcome",
    "RunSpec",
    "check_budget",
    "first_conv",
    "handcrafted_first_layer",
    "load_filters",
    "load_spec",
    "load_split",
    "max_active_runs",
    "max_image_epochs",
    "read_outcome",
    "run_dir",
    "run_job",
    "runs_root",
    "valid_model_key",
    "valid_run_id",
]

MAX_IMAGES = 60_000
HANDCRAFTED = ("sobel_x", "sobel_y", "scharr_x", "scharr_y", "prewitt_x", "prewitt_y",
               "laplacian_4", "laplacian_8")
FIRST_LAYERS = ("random", "handcrafted")
FREEZE = ("none", "features", "all_but_head")  # features: every convolution and its BatchNorm
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MODEL_KEY = re.compile(r"(shipped|run):[A-Za-z0-9_-]{1,64}")  # a cnnviz.models.zoo key
ENV_MAX_IMAGE_EPOCHS = "CNNVIZ_MAX_IMAGE_EPOCHS"
ENV_MAX_ACTIVE = "CNNVIZ_MAX_RUNS_PER_STUDENT"
DEFAULT_IMAGE_EPOCHS = 400_000
GPU_FACTOR = 10
DEFAULT_MAX_ACTIVE = 3
MESSAGES = register({
    "run_too_long": ("This run asks for {images:,} images × {epochs} epochs = {asked:,} images to train on; "
                     "this server allows {limit:,} per run so that the whole class gets its turn. Use "
                     "fewer images or epochs."),
})
STATUS_FILE = "status.json"  # how the run ended: written when it starts, and again when it ends
ENDED = ("done", "cancelled", "diverged", "failed")


@dataclass(frozen=True)
class RunSpec:
    """What to train: data, model, training recipe, and an optional hand-crafted first layer or a
    trained model to start from (``init_from``, a cnnviz.models.zoo key; see cnnviz.train.transfer)."""

    dataset: str
    n_train: int
    n_val: int
    model: ModelConfig
    train: TrainConfig
    first_layer: str = "random"  # "handcrafted": classic edge kernels in the first conv
    freeze_first: bool = False
    title: str = ""
    source: str = ""  # for the class's own drawings: the class they come from
    init_from: str = ""  # "shipped:<name>" or "run:<id>": start from that model's weights
    freeze: str = "none"  # one of FREEZE: which of the starting weights stay as they are
    new_head: bool = False  # a new, randomly initialised classifier instead of the source's

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r}")
        for name, n in (("n_train", self.n_train), ("n_val", self.n_val)):
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_IMAGES:
                raise ValueError(f"{name} must be an int in [1, {MAX_IMAGES}], got {n!r}")
        if self.dataset == "handwritten" and self.n_train + self.n_val > HANDWRITTEN_SIZE:
            raise ValueError(f"the handwritten set has {HANDWRITTEN_SIZE} images in all; lower the "
                             f"training + validation images ({self.n_train} + {self.n_val})")
        if (self.dataset == CLASS_DATASET) != bool(self.source):
            raise ValueError("the class's drawings need the class they come from, and only they do")
        if self.first_layer not in FIRST_LAYERS:
            raise ValueError(f"first_layer must be one of {FIRST_LAYERS}")
        self._check_transfer_fields()
        info = DATASETS[self.dataset]
        if self.model.in_shape != info.shape or self.model.num_classes != len(info.classes):
            raise ValueError("the model's input shape and class count must match the dataset")

    def _check_transfer_fields(self) -> None:
        if not isinstance(self.init_from, str) or (self.init_from and not valid_model_key(self.init_from)):
            raise ValueError(f"init_from must be a model key like shipped:<name> or run:<id>, got {self.init_from!r}")
        if self.freeze not in FREEZE or not isinstance(self.new_head, bool):
            raise ValueError(f"freeze must be one of {FREEZE} and new_head a bool")
        if not self.init_from and (self.freeze != "none" or self.new_head):
            raise ValueError("freezing layers or replacing the head needs a model to start from")
        if self.init_from and self.first_layer != "random":
            raise ValueError("a hand-crafted first layer and a model to start from exclude each other")

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**data, "model": self.model.to_dict(), "train": self.train.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSpec:
        return cls(**{**data, "model": ModelConfig.from_dict(data["model"]),
                      "train": TrainConfig.from_dict(data["train"])})


def max_image_epochs(device_kind: str, env: Mapping[str, str] = os.environ) -> int:
    """How many training images times epochs one run may ask for: CNNVIZ_MAX_IMAGE_EPOCHS, else
    400,000 on a CPU (LeNet-5 trains that in about a minute on one core, a VGG in a few) and ten
    times that on a GPU. Keeps one student from holding the class's machine for hours."""
    text = env.get(ENV_MAX_IMAGE_EPOCHS, "").strip()
    if text.isascii() and text.isdigit() and int(text) > 0:
        return int(text)
    return DEFAULT_IMAGE_EPOCHS * (1 if device_kind == "cpu" else GPU_FACTOR)


def max_active_runs(env: Mapping[str, str] = os.environ) -> int:
    """Runs one student may have queued or training at once (CNNVIZ_MAX_RUNS_PER_STUDENT, default 3)."""
    text = env.get(ENV_MAX_ACTIVE, "").strip()
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else DEFAULT_MAX_ACTIVE


def check_budget(spec: RunSpec, device_kind: str, env: Mapping[str, str] = os.environ) -> None:
    """CnnvizError("run_too_long") when ``spec`` asks for more images x epochs than allowed."""
    limit, asked = max_image_epochs(device_kind, env), spec.n_train * spec.train.epochs
    if asked > limit:
        raise CnnvizError("run_too_long", images=spec.n_train, epochs=spec.train.epochs, asked=asked,
                          limit=limit)


def runs_root() -> Path:
    return Path(os.environ.get("CNNVIZ_RUNS", "runs"))


def valid_run_id(run_id: object) -> bool:
    return isinstance(run_id, str) and _RUN_ID.fullmatch(run_id) is not None


def valid_model_key(key: object) -> bool:
    """``shipped:<name>`` or ``run:<run id>``, as cnnviz.models.zoo names models (no paths, no dots)."""
    return isinstance(key, str) and _MODEL_KEY.fullmatch(key) is not None


def run_dir(run_id: str, root: Path | None = None) -> Path:
    if not valid_run_id(run_id):
        raise ValueError(f"not a run id: {run_id!r}")
    return (runs_root() if root is None else Path(root)) / run_id


def first_conv(model: nn.Module) -> nn.Conv2d | None:
    """The first Conv2d in definition order (the layer that looks at pixels), or None for an MLP."""
    return next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)


def handcrafted_first_layer(model: nn.Module, freeze: bool) -> None:
    """Fill the first conv with classic 3x3 edge kernels (Sobel, Scharr, Prewitt, Laplacian).

    Each kernel is scaled to unit L2 norm, centred in the layer's KxK window and split equally over
    the input channels (so a colour image is filtered through its grey level); filters beyond the
    eight kernels repeat them. Biases become 0. ``freeze`` stops the layer from training.
    """
    conv = first_conv(model)
    if conv is None:
        raise ValueError("this model has no convolution layer to hand-craft")
    c_out, c_in, kh, kw = conv.weight.shape
    if kh < 3 or kw < 3:
        raise ValueError("hand-crafted kernels need a first conv of at least 3x3")
    weight = torch.zeros_like(conv.weight)
    top, left = (kh - 3) // 2, (kw - 3) // 2
    for j in range(c_out):
        # torch.tensor copies: the filter registry's kernels are read-only numpy arrays
        kernel = classic_filter(HANDCRAFTED[j % len(HANDCRAFTED)]).kernel
        k = torch.tensor(kernel, dtype=torch.float32)
        weight[j, :, top:top + 3, left:left + 3] = k / k.norm() / c_in
    with torch.no_grad():
        conv.weight.copy_(weight)
        if conv.bias is not None:
            conv.bias.zero_()
    conv.weight.requires_grad_(not freeze)
    if conv.bias is not None:
        conv.bias.requires_grad_(not freeze)


def load_split(spec: RunSpec, data_root: Path | None, root: Path | None = None):
    """The images and labels ``spec`` trains on (generated, read from the cache, or downloaded)."""
    if spec.dataset == CLASS_DATASET:  # all the class has drawn; n_train / n_val do not apply
        from cnnviz.classroom.classes import default_classroom

        return ClassDrawings(default_classroom(root if root is not None else runs_root())).split(
            spec.source, seed=spec.train.seed)
    if DATASETS[spec.dataset].embedded:
        return load_embedded(spec.dataset, spec.n_train, spec.n_val, seed=spec.train.seed)
    split = load_torchvision(spec.dataset, data_root or Path(os.environ.get("CNNVIZ_DATA", "data")),
                             download=True)
    return type(split)(split.x_train[:spec.n_train], split.y_train[:spec.n_train],
                       split.x_val[:spec.n_val], split.y_val[:spec.n_val])


def _filters_of(model: nn.Module) -> np.ndarray | None:
    conv = first_conv(model)
    return None if conv is None else conv.weight.detach().float().cpu().numpy().copy()


@dataclass(frozen=True)
class Outcome:
    """How a saved run ended, from its folder alone.

    ``state`` is one of ENDED, or "interrupted": it started and never said it ended (the server
    or its worker stopped while it trained), or "unknown" for a folder without a status.
    """

    state: str
    epochs: int  # epochs saved
    planned: int  # epochs asked for
    error_key: str | None = None
    error_args: dict[str, Any] | None = None


def _write_status(folder: Path, state: str, **info: Any) -> None:
    write_atomic(folder / STATUS_FILE, json.dumps({"state": state, "time": time.time(), **info}).encode())


def read_outcome(run_id: str, epochs: int, root: Path | None = None) -> Outcome:
    """The outcome of a run that is not training now, given how many epochs it saved."""
    folder = run_dir(run_id, root)
    try:
        planned = load_spec(run_id, root).train.epochs
    except ValueError:
        planned = epochs
    try:
        status = json.loads((folder / STATUS_FILE).read_text(encoding="utf-8"))
        state = status["state"] if status["state"] in ENDED else "interrupted"
        key, args = status.get("error_key"), status.get("error_args")
    except (OSError, ValueError, KeyError, TypeError):
        state, key, args = ("unknown" if epochs >= planned else "interrupted"), None, None
    return Outcome(state, epochs, planned, key if isinstance(key, str) else None,
                   args if isinstance(args, dict) else None)


def run_job(spec: RunSpec, root: Path | None = None, data_root: Path | None = None,
            resume: bool = False):
    """A job function (``fn(ctx)``) that trains ``spec`` and saves every epoch in the run folder.

    With ``resume``, it continues from the folder's last resume point (an earlier worker stopped
    mid-run), if there is one. Progress keys: phase, epoch, step, total_steps, loss, acc, lr,
    images_per_s, eta, filters (first-layer kernels), grad_norms (weight-gradient norm per layer),
    points (per-step [epochs as a fraction, loss, accuracy], see cnnviz.train.progress), history (epoch
    records), error_key/error_args.
    """

    def job(ctx: JobContext) -> dict[str, Any]:
        folder = run_dir(ctx.job_id, root)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "spec.json", json.dumps(spec.to_dict(), indent=1).encode())
        _write_status(folder, "running", pid=os.getpid())
        try:
            outcome = _train_run(spec, ctx, folder, data_root, load_resume(folder) if resume else None)
        except BaseException as exc:
            key, args = error_of(exc, ctx.device)
            with contextlib.suppress(OSError):  # a full disk must not hide the first error
                _write_status(folder, "cancelled" if isinstance(exc, JobCancelled) else "failed",
                              error_key=key, error_args=args)
            raise
        if outcome["stopped"] != "cancelled" or not getattr(ctx, "handing_back", False):
            _write_status(folder, outcome["stopped"])
        return outcome

    return job


def _checkpoint_info(spec: RunSpec, history: list[dict[str, float]]) -> CheckpointInfo:
    info, last = DATASETS[spec.dataset], history[-1]
    return CheckpointInfo(
        config=spec.model, dataset=spec.dataset, classes=info.classes, in_shape=info.shape,
        mean=info.mean if spec.train.normalize else (0.0,) * info.shape[0],
        std=info.std if spec.train.normalize else (1.0,) * info.shape[0],
        metrics={"val_acc": last["val_acc"], "val_loss": last["val_loss"]},
        history=history, train=spec.train.to_dict(), note=spec.title)


class _Snapshots:
    """The first layer's kernels after every epoch (epoch 0: the start), kept in filters.safetensors."""

    def __init__(self, folder: Path, model: nn.Module, resumed: bool) -> None:
        self.path, self.model = folder / "filters.safetensors", model
        self.saved: dict[str, torch.Tensor] = {}
        if resumed:
            with contextlib.suppress(Exception):
                self.saved = dict(safetensors.torch.load(self.path.read_bytes()))

    def save(self, epoch: int) -> None:
        filters = _filters_of(self.model)
        if filters is not None:
            self.saved[f"epoch_{epoch}"] = torch.from_numpy(filters)
            write_atomic(self.path, safetensors.torch.save(self.saved))


def _train_run(spec: RunSpec, ctx: JobContext, folder: Path, data_root: Path | None,
               state: Resume | None) -> dict[str, Any]:
    ctx.report(phase="data", history=list(state.history) if state else [], title=spec.title,
               spec=spec.to_dict(), resumed_at=state.epoch if state else 0)
    try:
        split = load_split(spec, data_root, folder.parent)
    except DatasetUnavailable as exc:
        ctx.report(error_key=exc.key, error_args=dict(exc.args_))
        raise
    from cnnviz.train.transfer import initial_model  # it reads checkpoints through cnnviz.models.zoo, which imports us

    # A resumed run does not read its starting model again: the resume point's weights replace it
    model = initial_model(spec, folder.parent, load=state is None)
    snapshots = _Snapshots(folder, model, resumed=state is not None)
    if state is None:
        snapshots.save(0)
    else:
        model.load_state_dict(state.model)
    ctx.report(phase="train", filters=_filters_of(model), points=[])
    started, first_step, points = time.perf_counter(), state.step if state else 0, []

    def on_event(event: Event) -> None:
        if event.kind == "step":
            add_point(points, event)
            ctx.report(**step_values(event, first_step, time.perf_counter() - started),
                       filters=_filters_of(model), points=points)
        elif event.kind == "epoch":
            ctx.append("history", dict(event.values))
            save_checkpoint(folder / "model.safetensors", model,
                            _checkpoint_info(spec, ctx.progress()["history"]))
            snapshots.save(event.epoch)
            ctx.report(saved_epoch=event.epoch)

    n = len(split.x_train)  # reporting only: curve points about POINTS_PER_EPOCH times an epoch
    steps = n // max(min(spec.train.batch_size, n), 1)
    cfg = replace(spec.train, sync_every=sync_every(steps, spec.train.sync_every))
    result = train(model, split, DATASETS[spec.dataset], cfg, device=ctx.device,
                   callback=on_event, cancel=ctx.cancelled, resume=state,
                   on_epoch_state=lambda s: save_resume(folder, s))
    ctx.report(phase="done", stopped=result.stopped, seconds=result.seconds)
    return {"stopped": result.stopped, "epochs": len(result.history)}


def load_spec(run_id: str, root: Path | None = None) -> RunSpec:
    """The spec a saved run was started with; ValueError when missing or unreadable."""
    path = run_dir(run_id, root) / "spec.json"
    try:
        return RunSpec.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"run {run_id!r} has no readable spec: {exc}") from exc


def load_filters(run_id: str, root: Path | None = None) -> list[np.ndarray]:
    """First-layer kernels per saved epoch (index 0 = initialisation); [] when there are none."""
    path = run_dir(run_id, root) / "filters.safetensors"
    try:
        tensors = safetensors.torch.load(path.read_bytes())
    except Exception:  # noqa: BLE001 - missing or damaged: the run simply has no filter history
        return []
    epochs = sorted(int(k.split("_")[1]) for k in tensors if re.fullmatch(r"epoch_\d+", k))
    return [tensors[f"epoch_{e}"].numpy() for e in epochs]
