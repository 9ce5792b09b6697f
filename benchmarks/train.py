"""Training speed: our engine (cnnviz.train.engine) against the loop the course material writes.

The baseline is the textbook pipeline: a Dataset that turns each uint8 image into a PIL image and
runs torchvision's ToTensor + Normalize on it, a DataLoader (shuffle, num_workers=0, same batch
size) and a plain loop that moves every batch to the device and calls loss.item() each step. Both
train the same initial model with the same optimiser on the same images, in the same run.

Measured: images/s (median of a few epochs after a warm-up epoch) for LeNet-5 on digits and
TinyVGG on shapes at batch 512 and 128, plus a compute-only loop over ready-made device tensors
(the ceiling any data pipeline can approach); time until LeNet-5 reaches 97% validation accuracy on
digits (the shipped recipe without the handwriting); FLOPs per image of one training step
(FlopCounterMode) and the FLOP/s they imply, against the GPU's bf16 peak when it is known.
Usage (from the repository root): .venv/bin/python -m benchmarks.train [--device cpu] [--quick]
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torch.utils.flop_counter import FlopCounterMode
from torchvision import transforms

from benchmarks.common import machine, save
from cnnviz.data.datasets import DATASETS, DatasetInfo, Split, load_embedded
from cnnviz.device import best_device
from cnnviz.models.builders import ModelConfig, build_model
from cnnviz.train.engine import DeviceData, Event, TrainConfig, lr_factor, train

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TARGET_ACC = 0.97
# Dense bf16 tensor-core peaks in TFLOP/s, from the vendors' data sheets (no sparsity)
PEAK_BF16_TFLOPS = {"H100 PCIe": 756.0, "H100": 989.0, "H200": 989.0, "A100": 312.0}
TARGETS = {
    "cpu": "images/s >= 2x the baseline; LeNet-5 on digits reaches 97% val acc in <= 5 s",
    "cuda": "images/s >= 10x the baseline for LeNet-5 at batch 512, >= 3x for TinyVGG",
}
LENET = ModelConfig("lenet5", (1, 28, 28), activation="relu", init="he")
TINYVGG = ModelConfig("tinyvgg", (3, 32, 32), activation="relu", init="he")
# cnnviz.models.shipped's lenet5_digits recipe, trained on the font digits only
TTA_CFG = TrainConfig(epochs=6, batch_size=128, optimizer="adam", lr=3e-3, schedule="onecycle",
                      translate=2, seed=0)


@dataclass(frozen=True)
class Sizes:
    """How much data and how many epochs each measurement uses."""

    lenet_train: int
    tinyvgg_train: int
    n_val: int
    timed_epochs: int
    tta_train: int
    tta_val: int
    tta_epochs: int
    tta_repeats: int


FULL = Sizes(lenet_train=4096, tinyvgg_train=2048, n_val=512, timed_epochs=7,
             tta_train=12_000, tta_val=2_000, tta_epochs=TTA_CFG.epochs, tta_repeats=3)
QUICK = Sizes(lenet_train=512, tinyvgg_train=512, n_val=64, timed_epochs=1,
              tta_train=512, tta_val=128, tta_epochs=1, tta_repeats=1)


# ---------------------------------------------------------------------------------------------
# The baseline, written the way the course writes it


class CourseDataset(Dataset):
    """Like torchvision's MNIST/CIFAR10: uint8 arrays kept on the host, a PIL image per item."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, transform: Callable[[Any], Any]) -> None:
        array = x.permute(0, 2, 3, 1).numpy()  # (N, H, W, C), as CIFAR10 stores it
        array = array[..., 0] if array.shape[-1] == 1 else array  # MNIST keeps (N, H, W)
        self.images = np.ascontiguousarray(array)
        self.labels = y.tolist()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        img = Image.fromarray(self.images[i])
        return self.transform(img), self.labels[i]


def _course_transform(info: DatasetInfo, translate: int = 0, flip: bool = False
                      ) -> transforms.Compose:
    steps: list[Any] = [transforms.RandomHorizontalFlip()] if flip else []
    if translate:
        side = info.shape[1]
        steps.append(transforms.RandomAffine(degrees=0, translate=(translate / side,) * 2))
    return transforms.Compose(steps + [transforms.ToTensor(),
                                       transforms.Normalize(info.mean, info.std)])


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class CourseLoop:
    """The plain loop: loaders, optimiser and scheduler built once, then epoch after epoch."""

    def __init__(self, model: nn.Module, split: Split, info: DatasetInfo, cfg: TrainConfig,
                 device: torch.device) -> None:
        torch.manual_seed(cfg.seed)
        train_set = CourseDataset(split.x_train, split.y_train,
                                  _course_transform(info, cfg.translate, cfg.flip))
        val_set = CourseDataset(split.x_val, split.y_val, _course_transform(info))
        self.train_loader = DataLoader(train_set, batch_size=cfg.batch_size, shuffle=True,
                                       num_workers=0)
        self.val_loader = DataLoader(val_set, batch_size=cfg.batch_size, shuffle=False,
                                     num_workers=0)
        self.model, self.device = model.to(device), device
        self.criterion = nn.CrossEntropyLoss()
        if cfg.optimizer == "adam":
            self.optimizer: torch.optim.Optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
        else:
            self.optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
        total_steps = len(self.train_loader) * cfg.epochs  # the same schedule as the engine's
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda step: lr_factor(cfg.schedule, step / total_steps))

    def train_epoch(self) -> float:
        """One pass over the training set; returns its seconds."""
        _sync(self.device)  # nothing queued earlier may land in this epoch's time
        start = time.perf_counter()
        self.model.train()
        running_loss = 0.0
        for images, labels in self.train_loader:
            images, labels = images.to(self.device), labels.to(self.device)
            self.optimizer.zero_grad()
            outputs = self.model(images)
            loss = self.criterion(outputs, labels)
            loss.backward()
            self.optimizer.step()
            self.scheduler.step()
            running_loss += loss.item()
        _sync(self.device)
        return time.perf_counter() - start

    def evaluate(self) -> float:
        """Validation accuracy, the textbook way."""
        self.model.eval()
        correct, total = 0, 0
        with torch.no_grad():
            for images, labels in self.val_loader:
                images, labels = images.to(self.device), labels.to(self.device)
                outputs = self.model(images)
                correct += (outputs.argmax(1) == labels).sum().item()
                total += labels.size(0)
        return correct / total


# ---------------------------------------------------------------------------------------------
# Throughput


def engine_epoch(model: nn.Module, split: Split, info: DatasetInfo, cfg: TrainConfig,
                 data: DeviceData, device: torch.device) -> float:
    """Training images/s of one engine epoch, evaluation excluded.

    With ``sync_every`` above the epoch's step count the engine reports once, at the epoch's
    last step, over a window that began when the epoch began.
    """
    rates: list[float] = []

    def on_event(event: Event) -> None:
        if event.kind == "step":
            rates.append(event.values["images_per_s"])

    train(model, split, info, replace(cfg, epochs=1, sync_every=10_000), device=device,
          callback=on_event, data=data)
    return rates[-1]


def compute_epoch(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor,
                  y: torch.Tensor, batch: int) -> float:
    """Images/s of the model's arithmetic alone: steps over ready-made device batches.

    No data pipeline, no augmentation: the ceiling a data pipeline can approach. The arithmetic
    is the engine's: fp32 on a CPU, bf16 autocast on CUDA (``x`` and ``model`` channels_last).
    """
    device = x.device
    _sync(device)
    start = time.perf_counter()
    for i in range(0, len(x) - batch + 1, batch):
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            logits = model(x[i:i + batch])
        loss = F.cross_entropy(logits.float(), y[i:i + batch])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    _sync(device)
    return (len(x) // batch) * batch / (time.perf_counter() - start)


def flops_per_image(cfg: ModelConfig, batch: int = 4) -> float:
    """FLOPs of one training step (forward, loss, backward) divided by the batch size."""
    model = build_model(cfg)
    x = torch.randn(batch, *cfg.in_shape)
    y = torch.zeros(batch, dtype=torch.int64)
    with FlopCounterMode(display=False) as counter:
        F.cross_entropy(model(x), y).backward()
    return counter.get_total_flops() / batch


def peak_tflops(device: torch.device) -> float | None:
    """The dense bf16 peak of a known GPU, else None (and None for a CPU)."""
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, peak in PEAK_BF16_TFLOPS.items():  # "H100 PCIe" is listed before "H100"
        if key in name:
            return peak
    return None


def _utilisation(rate: float, flops: float, peak: float | None) -> dict[str, float | None]:
    achieved = rate * flops
    return {"images_per_s": round(rate, 1), "gflop_per_s": round(achieved / 1e9, 2),
            "peak_fraction": None if peak is None else round(achieved / (peak * 1e12), 5)}


def throughput(model_cfg: ModelConfig, dataset: str, n_train: int, batch: int,
               device: torch.device, peak: float | None, *, n_val: int,
               timed_epochs: int) -> dict[str, Any]:
    """Engine and baseline from the same initial weights on the same data, epochs interleaved.

    Alternating epochs (engine, baseline, compute-only, engine, ...) exposes all three to the same
    load on a shared machine; ratios are medians of per-epoch ratios, the first epoch a warm-up.
    """
    info = DATASETS[dataset]
    split = load_embedded(dataset, n_train, n_val, seed=0)
    cfg = TrainConfig(epochs=1 + timed_epochs, batch_size=batch, optimizer="adam", lr=1e-3,
                      seed=0)
    torch.manual_seed(0)
    initial = build_model(model_cfg)
    engine_model = copy.deepcopy(initial)
    data = DeviceData(split, info, device, cfg.normalize)
    loop = CourseLoop(copy.deepcopy(initial), split, info, cfg, device)
    bare = copy.deepcopy(initial).to(device)
    if device.type == "cuda":
        bare.to(memory_format=torch.channels_last)  # as the engine runs it
    bare_opt = torch.optim.Adam(bare.parameters(), lr=cfg.lr)
    x, y = data.prepare(data.x_train), data.y_train  # normalised once, outside the timing
    engine, baseline, compute = [], [], []
    for epoch in range(cfg.epochs):
        engine.append(engine_epoch(engine_model, split, info, replace(cfg, seed=epoch), data,
                                   device))
        baseline.append(len(loop.train_loader.dataset) / loop.train_epoch())
        compute.append(compute_epoch(bare, bare_opt, x, y, batch))
    flops = flops_per_image(model_cfg)

    def summary(rates: list[float]) -> dict[str, Any]:
        rate = statistics.median(rates[1:])  # the first epoch warms up
        return {**_utilisation(rate, flops, peak), "epochs": [round(r, 1) for r in rates]}

    return {
        "model": model_cfg.arch, "dataset": dataset, "batch_size": batch, "n_train": n_train,
        "flops_per_image": flops,
        "engine": summary(engine), "baseline": summary(baseline), "compute_only": summary(compute),
        "ratio": round(statistics.median(e / b for e, b in zip(engine[1:], baseline[1:])), 2),
        "engine_of_compute_only": round(
            statistics.median(e / c for e, c in zip(engine[1:], compute[1:])), 2),
    }


# ---------------------------------------------------------------------------------------------
# Time to accuracy


def engine_curve(initial: nn.Module, split: Split, info: DatasetInfo, cfg: TrainConfig,
                 device: torch.device, target: float | None) -> list[dict[str, float]]:
    """(epoch, val_acc, wall seconds since the call) per epoch, until ``target`` is reached
    (every epoch of ``cfg`` when ``target`` is None)."""
    curve: list[dict[str, float]] = []
    reached = threading.Event()  # cancelling after the target skips the epochs nobody needs
    start = time.perf_counter()

    def on_event(event: Event) -> None:
        if event.kind == "epoch":
            curve.append({"epoch": event.epoch, "val_acc": event.values["val_acc"],
                          "seconds": round(time.perf_counter() - start, 3)})
            if target is not None and event.values["val_acc"] >= target:
                reached.set()

    train(copy.deepcopy(initial), split, info, cfg, device=device, callback=on_event,
          cancel=reached)
    return curve


def baseline_curve(initial: nn.Module, split: Split, info: DatasetInfo, cfg: TrainConfig,
                   device: torch.device, target: float | None) -> list[dict[str, float]]:
    """The same curve for the course loop."""
    curve: list[dict[str, float]] = []
    start = time.perf_counter()
    loop = CourseLoop(copy.deepcopy(initial), split, info, cfg, device)
    for epoch in range(1, cfg.epochs + 1):
        loop.train_epoch()
        acc = loop.evaluate()
        curve.append({"epoch": epoch, "val_acc": acc,
                      "seconds": round(time.perf_counter() - start, 3)})
        if target is not None and acc >= target:
            break
    return curve


def first_reaching(curve: list[dict[str, float]], target: float) -> float | None:
    return next((p["seconds"] for p in curve if p["val_acc"] >= target), None)


def fastest(curves: list[list[dict[str, float]]], target: float) -> dict[str, Any]:
    """The fastest of the repeats (the same arithmetic each time; only the load differs)."""
    times = [first_reaching(c, target) for c in curves]
    reached = [t for t in times if t is not None]
    best = min(range(len(curves)), key=lambda i: times[i] if times[i] is not None else math.inf)
    return {"seconds": min(reached) if reached else None, "repeats": times, "curve": curves[best]}


def time_to_accuracy(sizes: Sizes, device: torch.device) -> dict[str, Any]:
    """Wall-clock seconds (data set-up, training, per-epoch evaluation) until 97% val accuracy.

    Engine and baseline alternate ``sizes.tta_repeats`` times; each keeps its fastest repeat.
    """
    split = load_embedded("digits", sizes.tta_train, sizes.tta_val, seed=0)
    cfg = replace(TTA_CFG, epochs=sizes.tta_epochs)
    torch.manual_seed(cfg.seed)
    initial = build_model(LENET)
    engine, baseline = [], []
    info = DATASETS["digits"]
    for _ in range(sizes.tta_repeats):
        engine.append(engine_curve(initial, split, info, cfg, device, TARGET_ACC))
        baseline.append(baseline_curve(initial, split, info, cfg, device, TARGET_ACC))
    e, b = fastest(engine, TARGET_ACC), fastest(baseline, TARGET_ACC)
    return {
        "target_val_acc": TARGET_ACC, "n_train": sizes.tta_train, "n_val": sizes.tta_val,
        "model": LENET.to_dict(), "train": cfg.to_dict(),
        "baseline_augmentation": "RandomAffine(degrees=0, translate=2 px) on PIL images",
        "stops_at_target": True, "engine": e, "baseline": b,
        "ratio": None if e["seconds"] is None or b["seconds"] is None
        else round(b["seconds"] / e["seconds"], 2),
    }


# ---------------------------------------------------------------------------------------------
# Command line


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"CPU ({torch.get_num_threads()} threads)"


def against_targets(kind: str, rows: list[dict[str, Any]], tta: dict[str, Any]) -> dict[str, Any]:
    """Whether each target in ``TARGETS`` was met (reported, never asserted)."""
    ratios = {f"{r['model']}_b{r['batch_size']}": r["ratio"] for r in rows}
    if kind == "cuda":
        return {"lenet5_b512_10x": ratios.get("lenet5_b512", 0) >= 10,
                "tinyvgg_3x": all(v >= 3 for k, v in ratios.items() if k.startswith("tinyvgg"))}
    seconds = tta["engine"]["seconds"]
    return {"images_per_s_2x": {k: v >= 2 for k, v in ratios.items()},
            "digits_97_within_5_s": seconds is not None and seconds <= 5}


def run(device: torch.device, quick: bool) -> dict[str, Any]:
    sizes = QUICK if quick else FULL
    load_before = os.getloadavg()  # the machine may be shared: say how busy it was
    peak = peak_tflops(device)
    cases = [(LENET, "digits", sizes.lenet_train), (TINYVGG, "shapes", sizes.tinyvgg_train)]
    rows = [throughput(cfg, name, n, batch, device, peak, n_val=sizes.n_val,
                       timed_epochs=sizes.timed_epochs)
            for cfg, name, n in cases for batch in (512, 128)]
    tta = time_to_accuracy(sizes, device)
    return {
        "benchmark": "train", "quick": quick, "machine": machine(), "device": device.type,
        "device_name": _device_name(device), "peak_bf16_tflops": peak,
        "throughput": rows,
        "ratios": {f"{r['model']}_b{r['batch_size']}": r["ratio"] for r in rows},
        "time_to_accuracy": tta,
        "target": TARGETS["cuda" if device.type == "cuda" else "cpu"],
        "met": against_targets(device.type, rows, tta),
        "load_average_1_5_15_min": {"before": [round(v, 2) for v in load_before],
                                    "after": [round(v, 2) for v in os.getloadavg()]},
        "command": ".venv/bin/python -m benchmarks.train" + (" --quick" if quick else ""),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (default: the best)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON file (default: benchmarks/results/train_<device>.json)")
    args = parser.parse_args(argv)
    device = torch.device(args.device) if args.device else best_device()
    result = run(device, args.quick)
    out = args.out or RESULTS / f"train_{device.type}{'_quick' if args.quick else ''}.json"
    save(result, out)
    return result


if __name__ == "__main__":
    main()
