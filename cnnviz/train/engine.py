"""Training engine for small CNNs, built so that overhead, not arithmetic, is what we cut.

The whole dataset lives on the device as uint8; each batch is gathered through a device
``randperm``, normalised and augmented (flip, translate, random erasing) with whole-batch tensor
operations; no DataLoader, no per-sample Python. On CUDA the model runs channels_last under bf16
autocast. Metrics stay on the device and are copied to the host every ``sync_every`` steps.

``train`` reports through a callback (``Event`` of kind "step", "epoch" or "done") and stops
early when a ``threading.Event`` is set or the loss stops being finite. It never prints and knows
nothing about Streamlit, jobs or files. The same code runs on CPU.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.data.datasets import DatasetInfo, Split

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "DeviceData",
    "Event",
    "Resume",
    "TrainConfig",
    "TrainResult",
    "augment",
    "evaluate",
    "lr_factor",
    "train",
]

OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "step", "exponential", "onecycle")
MAX_EPOCHS = 200
MAX_BATCH = 4096
EVAL_BATCH = 1024


def _number(name: str, value: Any, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}")


def _integer(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an int in [{low}, {high}], got {value!r}")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides how a model is trained; validated on construction."""

    epochs: int = 5
    batch_size: int = 128
    optimizer: str = "sgd"
    lr: float = 0.05
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 0.0
    schedule: str = "constant"
    label_smoothing: float = 0.0
    normalize: bool = True  # (x/255 - mean) / std when on, x/255 when off
    flip: bool = False  # random horizontal flip
    translate: int = 0  # random shift of up to this many pixels (zero padding)
    erase: float = 0.0  # probability that an image gets one random rectangle erased
    seed: int = 0
    sync_every: int = 25  # steps between host copies of the running metrics

    def __post_init__(self) -> None:
        _integer("epochs", self.epochs, 1, MAX_EPOCHS)
        _integer("batch_size", self.batch_size, 1, MAX_BATCH)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        _number("lr", self.lr, 1e-6, 10.0)
        _number("momentum", self.momentum, 0.0, 0.999)
        _number("weight_decay", self.weight_decay, 0.0, 1.0)
        _number("label_smoothing", self.label_smoothing, 0.0, 0.5)
        _integer("translate", self.translate, 0, 8)
        _number("erase", self.erase, 0.0, 1.0)
        _integer("seed", self.seed, 0, 2**31 - 1)
        _integer("sync_every", self.sync_every, 1, 10_000)
        for flag in ("nesterov", "normalize", "flip"):
            if not isinstance(getattr(self, flag), bool):
                raise ValueError(f"{flag} must be a bool, got {getattr(self, flag)!r}")
        if self.nesterov and (self.optimizer != "sgd" or self.momentum == 0):
            raise ValueError("Nesterov momentum needs the SGD optimizer and a momentum above 0")

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown TrainConfig keys {sorted(unknown)}")
        return cls(**data)


@dataclass(frozen=True)
class Event:
    """One report: kind "step" (running metrics over the epoch so far and over the steps since the
    last step event), "epoch" (a history record) or "done"."""

    kind: str
    epoch: int
    step: int
    total_steps: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Resume:
    """Everything a run needs to continue after ``epoch`` finished epochs as if never stopped.

    Taken at the end of an epoch: the weights, the optimiser's state, the batch-order and
    augmentation generator, the global RNG (dropout), the step count and the history so far.
    """

    epoch: int
    step: int
    history: list[dict[str, float]]
    model: dict[str, torch.Tensor]
    optimizer: dict[str, Any]
    generator: torch.Tensor
    rng: torch.Tensor
    cuda_rng: torch.Tensor | None = None  # dropout on a GPU draws from the device's generator


@dataclass(frozen=True)
class TrainResult:
    history: list[dict[str, float]]
    stopped: str  # "done", "cancelled" or "diverged"
    seconds: float
    images: int  # training images processed


# ---------------------------------------------------------------------------------------------
# Data on the device


class DeviceData:
    """A split resident on ``device`` as uint8, plus its normalisation as (1, C, 1, 1) tensors."""

    def __init__(self, split: Split, info: DatasetInfo, device: torch.device | str,
                 normalize: bool = True) -> None:
        self.device = torch.device(device)
        self.x_train = split.x_train.to(self.device, non_blocking=True)
        self.y_train = split.y_train.to(self.device, non_blocking=True)
        self.x_val = split.x_val.to(self.device, non_blocking=True)
        self.y_val = split.y_val.to(self.device, non_blocking=True)
        c = info.shape[0]
        mean = torch.tensor(info.mean if normalize else (0.0,) * c, device=self.device)
        std = torch.tensor(info.std if normalize else (1.0,) * c, device=self.device)
        # One multiply-add per pixel: x * scale + shift == (x / 255 - mean) / std
        self.scale = (1.0 / (255.0 * std)).view(1, c, 1, 1)
        self.shift = (-mean / std).view(1, c, 1, 1)
        self.channels_last = self.device.type == "cuda"

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        """uint8 images to normalised float32, channels_last on CUDA."""
        out = x.float() * self.scale + self.shift
        if self.channels_last:
            out = out.contiguous(memory_format=torch.channels_last)
        return out


def _is_channels_last(x: torch.Tensor) -> bool:
    """Whether a (B, C, H, W) batch is stored pixel by pixel (NHWC), as the CUDA path keeps it."""
    return x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last)


def _translate(x: torch.Tensor, t: int, gen: torch.Generator) -> torch.Tensor:
    """Shift every image by its own random (dy, dx) in [-t, t], zero padding; keeps the layout.

    A channels_last batch is gathered as whole NHWC pixels, so the result is channels_last
    again (gathering in NCHW order would hand the convolutions a contiguous batch to convert).
    """
    b, c, h, w = x.shape
    dev = x.device
    padded = F.pad(x, (t, t, t, t))
    dy = torch.randint(0, 2 * t + 1, (b, 1), device=dev, generator=gen)
    dx = torch.randint(0, 2 * t + 1, (b, 1), device=dev, generator=gen)
    rows = (dy + torch.arange(h, device=dev)).view(b, h, 1)
    cols = (dx + torch.arange(w, device=dev)).view(b, 1, w)
    idx = torch.arange(b, device=dev).view(b, 1, 1)
    if _is_channels_last(x):
        nhwc = padded.permute(0, 2, 3, 1)  # a view: (B, H+2t, W+2t, C)
        return nhwc[idx, rows, cols].permute(0, 3, 1, 2)  # (B, H, W, C) stored, (B, C, H, W) seen
    ch = torch.arange(c, device=dev).view(1, c, 1, 1)
    return padded[idx.view(b, 1, 1, 1), ch, rows.view(b, 1, h, 1), cols.view(b, 1, 1, w)]


def _erase(x: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor:
    """With probability ``p`` per image, one random rectangle (2-25% of the area) set to 0."""
    b, _, h, w = x.shape
    dev = x.device
    area = torch.empty(b, device=dev).uniform_(0.02, 0.25, generator=gen) * h * w
    aspect = torch.exp(torch.empty(b, device=dev).uniform_(-1.1, 1.1, generator=gen))
    eh = (area * aspect).sqrt().clamp(1, h).floor()
    ew = (area / aspect).sqrt().clamp(1, w).floor()
    y0 = (torch.rand(b, device=dev, generator=gen) * (h - eh + 1)).floor()
    x0 = (torch.rand(b, device=dev, generator=gen) * (w - ew + 1)).floor()
    on = torch.rand(b, device=dev, generator=gen) < p
    ys = torch.arange(h, device=dev).view(1, h, 1)
    xs = torch.arange(w, device=dev).view(1, 1, w)
    box = ((ys >= y0.view(b, 1, 1)) & (ys < (y0 + eh).view(b, 1, 1))
           & (xs >= x0.view(b, 1, 1)) & (xs < (x0 + ew).view(b, 1, 1)) & on.view(b, 1, 1))
    # Out-of-place masked_fill returns a contiguous tensor; a layout-preserving copy does not
    out = x.clone(memory_format=torch.preserve_format)
    return out.masked_fill_(box.unsqueeze(1), 0.0)


def augment(x: torch.Tensor, cfg: TrainConfig, gen: torch.Generator) -> torch.Tensor:
    """Flip, translate and erase a normalised batch (B, C, H, W) with whole-batch operations.

    Padding and erased pixels are 0, which after normalisation is the dataset's mean colour.
    The result keeps the batch's memory format (channels_last on CUDA).
    """
    b = x.shape[0]
    if cfg.flip:
        flip = torch.rand(b, device=x.device, generator=gen) < 0.5
        x = torch.where(flip.view(b, 1, 1, 1), x.flip(3), x)
    if cfg.translate:
        x = _translate(x, cfg.translate, gen)
    if cfg.erase:
        x = _erase(x, cfg.erase, gen)
    return x


# ---------------------------------------------------------------------------------------------
# Optimiser and schedule


def _optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, nesterov=cfg.nesterov,
                               weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


def lr_factor(schedule: str, progress: float) -> float:
    """Multiplier of the base learning rate when ``progress`` (0..1) of training is done.

    step: x0.1 at half and again at three quarters; exponential: from 1 down to 0.01;
    onecycle: linear warm-up over the first 30% from 0.04 to 1, then cosine down to ~0.
    """
    p = min(max(progress, 0.0), 1.0)
    if schedule == "constant":
        return 1.0
    if schedule == "step":
        return 1.0 if p < 0.5 else 0.1 if p < 0.75 else 0.01
    if schedule == "exponential":
        return 0.01 ** p
    if schedule == "onecycle":
        warm = 0.3
        if p < warm:
            return 0.04 + 0.96 * p / warm
        return 0.5 * (1 + math.cos(math.pi * (p - warm) / (1 - warm))) * 0.9996 + 0.0004
    raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")


# ---------------------------------------------------------------------------------------------
# Evaluation and the training loop


def evaluate(model: nn.Module, data: DeviceData, x: torch.Tensor, y: torch.Tensor,
             batch: int = EVAL_BATCH) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` on device-resident uint8 ``x`` and labels."""
    was_training = model.training
    model.eval()
    loss = torch.zeros((), device=data.device)
    correct = torch.zeros((), device=data.device, dtype=torch.int64)
    with torch.no_grad(), _autocast(data.device):
        for i in range(0, len(x), batch):
            logits = model(data.prepare(x[i:i + batch])).float()
            loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum")
            correct += (logits.argmax(1) == y[i:i + batch]).sum()
    model.train(was_training)
    n = max(len(x), 1)
    return loss.item() / n, correct.item() / n


def _norms(grads: dict[str, torch.Tensor]) -> dict[str, float]:
    """L2 norm of each weight gradient, copied to the host in one transfer (shows vanishing)."""
    if not grads:
        return {}
    values = torch.stack([g.detach().float().norm() for g in grads.values()]).tolist()
    return dict(zip(grads, values))


def _autocast(device: torch.device) -> torch.autocast:
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


def _snapshot_state(model: nn.Module, opt: torch.optim.Optimizer, gen: torch.Generator, epoch: int,
                    step: int, history: list[dict[str, float]]) -> Resume:
    cuda = gen.device.type == "cuda"
    return Resume(epoch, step, [dict(r) for r in history],
                  {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
                  copy.deepcopy(opt.state_dict()), gen.get_state(), torch.get_rng_state(),
                  torch.cuda.get_rng_state(gen.device) if cuda else None)


def _restore(model: nn.Module, opt: torch.optim.Optimizer, gen: torch.Generator, resume: Resume) -> None:
    model.load_state_dict(resume.model)
    opt.load_state_dict(resume.optimizer)
    gen.set_state(resume.generator)
    torch.set_rng_state(resume.rng)
    if resume.cuda_rng is not None and gen.device.type == "cuda":
        torch.cuda.set_rng_state(resume.cuda_rng, gen.device)


def train(model: nn.Module, split: Split, info: DatasetInfo, cfg: TrainConfig, *,
          device: torch.device | str = "cpu", callback: Callable[[Event], None] | None = None,
          cancel: threading.Event | None = None, data: DeviceData | None = None,
          resume: Resume | None = None, on_epoch_state: Callable[[Resume], None] | None = None,
          ) -> TrainResult:
    """Train ``model`` in place on ``split`` and return its per-epoch history.

    Deterministic for ``cfg.seed`` on a given device (batch order and augmentation come from one
    seeded generator; dropout from the global generator, seeded here). Pass ``data`` to reuse
    tensors already on the device. ``on_epoch_state`` receives a ``Resume`` after every finished
    epoch; ``resume`` continues from one, so that 2 epochs + resume + 2 epochs gives the same
    weights as 4 epochs.
    """
    device = torch.device(device)
    emit = callback or (lambda event: None)
    data = data or DeviceData(split, info, device, cfg.normalize)
    torch.manual_seed(cfg.seed)
    gen = torch.Generator(device=device)
    gen.manual_seed(cfg.seed)
    model.to(device)
    if device.type == "cuda":
        model.to(memory_format=torch.channels_last)
    opt = _optimizer(model, cfg)
    n = len(data.x_train)
    bs = min(cfg.batch_size, n)
    steps_per_epoch = n // bs  # drop the ragged last batch: every step has the same shape
    total = steps_per_epoch * cfg.epochs
    history: list[dict[str, float]] = []
    started = time.perf_counter()
    step, images, stopped, first = 0, 0, "done", 1
    if resume is not None:
        _restore(model, opt, gen, resume)
        history, step, first = [dict(r) for r in resume.history], resume.step, resume.epoch + 1
        started -= history[-1]["elapsed"] if history else 0.0  # elapsed counts on from there
    weights = [(name, p) for name, p in model.named_parameters() if p.dim() > 1]  # conv and linear
    model.train()
    for epoch in range(first, cfg.epochs + 1):
        epoch_start = time.perf_counter()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.int64)
        seen, window_start, window_images = 0, time.perf_counter(), 0
        window_seen, window_loss, window_correct = 0, 0.0, 0  # the sums at the last sync
        order = torch.randperm(n, device=device, generator=gen)
        for i in range(steps_per_epoch):
            if cancel is not None and cancel.is_set():
                stopped = "cancelled"
                break
            lr = cfg.lr * lr_factor(cfg.schedule, step / max(total, 1))
            for group in opt.param_groups:
                group["lr"] = lr
            idx = order[i * bs:(i + 1) * bs]
            x = data.prepare(data.x_train[idx])
            y = data.y_train[idx]
            if cfg.flip or cfg.translate or cfg.erase:
                x = augment(x, cfg, gen)
            with _autocast(device):
                logits = model(x)
            loss = F.cross_entropy(logits.float(), y, label_smoothing=cfg.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            seen += bs
            window_images += bs
            loss_sum += loss.detach() * bs
            correct += (logits.detach().argmax(1) == y).sum()
            if step % cfg.sync_every == 0 or i == steps_per_epoch - 1:
                loss_total, correct_total = loss_sum.item(), correct.item()  # the host sync of the window
                running_loss = loss_total / seen
                grads = {name: p.grad for name, p in weights if p.grad is not None}
                now = time.perf_counter()
                emit(Event("step", epoch, step, total, {
                    "loss": running_loss, "acc": correct_total / seen, "lr": lr,
                    # the steps since the last event alone: a curve of these does not restart each epoch
                    "window_loss": (loss_total - window_loss) / (seen - window_seen),
                    "window_acc": (correct_total - window_correct) / (seen - window_seen),
                    "epoch_steps": steps_per_epoch,
                    "images_per_s": window_images / max(now - window_start, 1e-9),
                    "elapsed": now - started, "grad_norms": _norms(grads)}))
                window_start, window_images = now, 0
                window_seen, window_loss, window_correct = seen, loss_total, correct_total
                if not math.isfinite(running_loss):
                    stopped = "diverged"
                    break
        images += seen
        if stopped == "cancelled" and seen == 0:
            break
        val_loss, val_acc = evaluate(model, data, data.x_val, data.y_val)
        seconds = time.perf_counter() - epoch_start
        record = {
            "epoch": epoch, "train_loss": loss_sum.item() / max(seen, 1),
            "train_acc": correct.item() / max(seen, 1), "val_loss": val_loss, "val_acc": val_acc,
            "lr": opt.param_groups[0]["lr"], "seconds": seconds,
            "images_per_s": seen / max(seconds, 1e-9), "elapsed": time.perf_counter() - started,
        }
        history.append(record)
        emit(Event("epoch", epoch, step, total, dict(record)))
        if stopped != "done":
            break
        if on_epoch_state is not None:  # only whole epochs: a resumed run repeats no step
            on_epoch_state(_snapshot_state(model, opt, gen, epoch, step, history))
    result = TrainResult(history, stopped, time.perf_counter() - started, images)
    emit(Event("done", len(history), step, total, {"stopped": stopped}))
    return result
