"""Training on a GPU, measured in one run: the engine against the DataLoader course loop.

Images/s, FLOP/s and peak memory per model and batch size; time to 99% on MNIST-shaped digits and
to the best recipe's own accuracy on CIFAR-shaped shapes; four students' runs at once through the
job store and worker processes. Every part checks a time budget. See benchmarks/GPU.md.
Usage: python -m benchmarks.gpu [--device cuda|cpu] [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import copy
import gc
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch

from benchmarks.common import gpu, machine, save
from benchmarks.gpu_graphs import graphed_rate
from benchmarks.gpu_jobs import concurrent_jobs
from benchmarks.train import (LENET, TINYVGG, TTA_CFG, CourseLoop, baseline_curve, engine_curve,
                              engine_epoch, fastest, peak_tflops, throughput)
from cnnviz.data.datasets import DATASETS, Split, load_embedded
from cnnviz.device import best_device, configure_threads
from cnnviz.models.builders import ModelConfig, build_model
from cnnviz.models.shipped import SHIPPED
from cnnviz.train.engine import DeviceData, TrainConfig

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DIGITS_TARGET = 0.99  # the MNIST bar (tuomaso/train_mnist_fast: 99% in 0.76 s on a GTX 1660 Ti)
VGG_BN = SHIPPED["vgg_shapes"].model  # the VGG-style net with BatchNorm the app ships
SHAPES_RECIPE = SHIPPED["vgg_shapes"].train  # its recipe: the best the app has for shapes
MODELS = {"lenet5": (LENET, "digits"), "tinyvgg": (TINYVGG, "shapes"), "vgg_bn": (VGG_BN, "shapes")}
MIB = 2 ** 20


@dataclass(frozen=True)
class Plan:
    """Sizes of every part, and by when (seconds since the start) each part must have started its
    last piece of work: later pieces are skipped and listed, so the whole run fits its budget."""

    batches: tuple[int, ...]
    digits_train: int  # LeNet-5 throughput
    shapes_train: int  # TinyVGG and VGG throughput
    n_val: int
    timed_epochs: int
    tta_digits: tuple[int, int, int]  # train images, validation images, epochs
    tta_shapes: tuple[int, int, int]
    repeats: int
    jobs: tuple[int, int, int]  # a student's run: train images, validation images, epochs
    jobs_timeout_s: float  # for the run alone and again for the runs together: then cancelled
    deadlines: tuple[float, float, float, float]  # throughput, digits race, jobs, shapes race


GPU = Plan(batches=(128, 512, 2048), digits_train=32_768, shapes_train=24_576, n_val=1024,
           timed_epochs=3, tta_digits=(12_000, 2_000, TTA_CFG.epochs),
           tta_shapes=(20_000, 2_000, SHAPES_RECIPE.epochs), repeats=3, jobs=(20_000, 1_000, 10),
           jobs_timeout_s=90.0, deadlines=(170.0, 220.0, 270.0, 400.0))
QUICK = Plan(batches=(64,), digits_train=128, shapes_train=128, n_val=64, timed_epochs=1,
             tta_digits=(512, 128, 1), tta_shapes=(256, 64, 1), repeats=1, jobs=(128, 64, 2),
             jobs_timeout_s=120.0, deadlines=(170.0, 220.0, 270.0, 400.0))
PARTS = ("throughput", "digits", "jobs", "shapes")


class Clock:
    """Seconds since the start, progress lines on stderr, and the parts' deadlines."""

    def __init__(self, deadlines: dict[str, float], now: Callable[[], float] = time.perf_counter
                 ) -> None:
        self.now, self.start, self.deadlines = now, now(), deadlines
        self.skipped: list[str] = []

    def elapsed(self) -> float:
        return self.now() - self.start

    def allows(self, part: str, what: str) -> bool:
        """Whether ``what`` (a piece of ``part``) may start; if not, it is listed as skipped."""
        if self.elapsed() < self.deadlines[part]:
            return True
        self.skipped.append(f"{part}: {what} (past {self.deadlines[part]:.0f} s)")
        self.say(f"skipped {what}: past the {part} deadline")
        return False

    def say(self, line: str) -> None:
        print(f"[{self.elapsed():7.1f} s] {line}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Memory


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_memory(device: torch.device, fn: Callable[[], object]) -> dict[str, float] | None:
    """Runs ``fn``; on CUDA, the most memory it allocated and reserved beyond what was in use
    before (torch.cuda.max_memory_allocated / max_memory_reserved). None on a CPU."""
    cuda = device.type == "cuda"
    if cuda:
        _sync(device)
        gc.collect()  # tensors of earlier work held only by reference cycles
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
        allocated, reserved = torch.cuda.memory_allocated(device), torch.cuda.memory_reserved(device)
    fn()
    if not cuda:
        return None
    _sync(device)
    return {"allocated_mib": round((torch.cuda.max_memory_allocated(device) - allocated) / MIB, 1),
            "reserved_mib": round((torch.cuda.max_memory_reserved(device) - reserved) / MIB, 1)}


def config_memory(model_cfg: ModelConfig, split: Split, dataset: str, batch: int,
                  device: torch.device) -> dict[str, Any]:
    """Peak memory of one engine epoch (its data resident on the device) and of one baseline
    epoch over four batches (its data stays on the host), each from nothing on the device."""
    info = DATASETS[dataset]
    cfg = TrainConfig(epochs=1, batch_size=batch, optimizer="adam", lr=1e-3, seed=0)
    torch.manual_seed(0)
    initial = build_model(model_cfg)

    def engine() -> None:
        data = DeviceData(split, info, device, cfg.normalize)
        engine_epoch(copy.deepcopy(initial), split, info, cfg, data, device)

    n = min(4 * batch, len(split.y_train))
    small = Split(split.x_train[:n], split.y_train[:n], split.x_val, split.y_val)
    return {"engine": peak_memory(device, engine),
            "baseline": peak_memory(device, lambda: CourseLoop(
                copy.deepcopy(initial), small, info, cfg, device).train_epoch())}


def graph_ceiling(model_cfg: ModelConfig, split: Split, dataset: str, batch: int,
                  device: torch.device, compute_only: float) -> dict[str, Any] | None:
    """Images/s of the compute-only step replayed from a CUDA graph, against it run eagerly."""
    try:
        rate = graphed_rate(model_cfg, split, DATASETS[dataset], batch, device)
    except Exception as exc:  # noqa: BLE001 - an experiment: its failure must not end the run
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}
    if rate is None:
        return None
    return {"images_per_s": round(rate, 1), "vs_compute_only": round(rate / compute_only, 2)}


# ---------------------------------------------------------------------------------------------
# The parts


def throughput_part(plan: Plan, device: torch.device, clock: Clock, out: dict[str, Any],
                    flush: Callable[[], None]) -> None:
    """Engine, baseline and compute-only images/s for every model and batch size, and memory."""
    peak = peak_tflops(device)
    for name, (model_cfg, dataset) in MODELS.items():
        n = plan.digits_train if dataset == "digits" else plan.shapes_train
        for batch in plan.batches:
            if not clock.allows("throughput", f"{name} batch {batch}"):
                continue
            row = throughput(model_cfg, dataset, n, batch, device, peak, n_val=plan.n_val,
                             timed_epochs=plan.timed_epochs)
            split = load_embedded(dataset, n, plan.n_val, seed=0)  # the cached set it used
            row = {"name": name, **row,
                   "memory": config_memory(model_cfg, split, dataset, batch, device),
                   "cuda_graph": graph_ceiling(model_cfg, split, dataset, batch, device,
                                               row["compute_only"]["images_per_s"])}
            out["throughput"].append(row)
            out["ratios"][f"{name}_b{batch}"] = row["ratio"]
            clock.say(f"{name} b{batch}: engine {row['engine']['images_per_s']:,.0f} img/s, "
                      f"baseline {row['baseline']['images_per_s']:,.0f}, x{row['ratio']}, "
                      f"{row['engine']['gflop_per_s']:,.1f} GFLOP/s, memory {row['memory']['engine']}, "
                      f"CUDA graph {row['cuda_graph']}")
            flush()


def target_below(acc: float) -> float:
    """At least half a point below ``acc``, on the half-point grid: 1.0 -> 0.995, 0.983 -> 0.975.

    The slack lets a repeat with other rounding (GPU atomics, the baseline's own pipeline) reach
    what the calibration run reached at the end of its schedule."""
    return max(0.0, math.floor(acc * 200 - 1) / 200)


def _baseline_augmentation(cfg: TrainConfig) -> str:
    steps = (["RandomHorizontalFlip"] if cfg.flip else []) + (
        [f"RandomAffine(degrees=0, translate={cfg.translate} px)"] if cfg.translate else [])
    return " + ".join(steps) + " on PIL images" if steps else "none"


def _race_report(target: float, engine: list[list[dict[str, float]]],
                 baseline: list[list[dict[str, float]]]) -> dict[str, Any]:
    e = fastest(engine, target) if engine else None
    b = fastest(baseline, target) if baseline else None
    return {"target_val_acc": target, "engine": e, "baseline": b,
            "ratio": None if not (e and b and e["seconds"] and b["seconds"])
            else round(b["seconds"] / e["seconds"], 2)}


def race(name: str, model_cfg: ModelConfig, sizes: tuple[int, int, int], cfg: TrainConfig,
         target: float | None, plan: Plan, device: torch.device, clock: Clock,
         record: Callable[[dict[str, Any]], None] = lambda report: None) -> dict[str, Any]:
    """Engine and baseline alternate ``plan.repeats`` times from the same initial weights;
    ``record`` receives the report so far after every repeat.

    With ``target`` None the first engine run trains its whole schedule, and the target becomes
    ``target_below`` its final validation accuracy (measured, not typed in)."""
    dataset = "digits" if name == "digits" else "shapes"
    info, (n_train, n_val, epochs) = DATASETS[dataset], sizes
    if not clock.allows(name, f"{name} race"):
        return {"skipped": True}
    split = load_embedded(dataset, n_train, n_val, seed=cfg.seed)
    cfg = replace(cfg, epochs=epochs)
    torch.manual_seed(cfg.seed)
    initial = build_model(model_cfg)
    engine: list[list[dict[str, float]]] = []
    baseline: list[list[dict[str, float]]] = []
    calibration = None
    about = {"n_train": n_train, "n_val": n_val, "model": model_cfg.to_dict(),
             "train": cfg.to_dict(), "baseline_augmentation": _baseline_augmentation(cfg)}
    if target is None:
        engine.append(engine_curve(initial, split, info, cfg, device, None))
        calibration = engine[0][-1]["val_acc"]
        target = target_below(calibration)
        clock.say(f"{name}: the recipe reached {calibration:.4f}; target {target:.3f}")
    for r in range(plan.repeats):
        if not clock.allows(name, f"{name} race repeat {r + 1}"):
            break
        if len(engine) <= r:
            engine.append(engine_curve(initial, split, info, cfg, device, target))
        baseline.append(baseline_curve(initial, split, info, cfg, device, target))
        clock.say(f"{name} repeat {r + 1}: engine {fastest(engine[-1:], target)['seconds']} s, "
                  f"baseline {fastest(baseline[-1:], target)['seconds']} s to {target:.3f}")
        record({**_race_report(target, engine, baseline), "calibration_final_val_acc": calibration,
                **about})
    return {**_race_report(target, engine, baseline), "calibration_final_val_acc": calibration,
            **about}


def jobs_part(plan: Plan, device: torch.device, clock: Clock) -> dict[str, Any] | None:
    if not clock.allows("jobs", "4 concurrent runs"):
        return None
    n_train, n_val, epochs = plan.jobs
    try:
        result = concurrent_jobs(device, n_train, n_val, epochs, workers=4,
                                 timeout_s=plan.jobs_timeout_s)
    except RuntimeError as exc:  # a worker that cannot start must not cost the other parts
        clock.say(f"4 concurrent runs failed: {exc}")
        return {"error": str(exc)}
    clock.say(f"4 runs at once: {result['per_run_vs_alone']}x one alone per run, "
              f"{result['sum_vs_alone']}x in sum, overlap {result['overlap_fraction']}")
    return result


# ---------------------------------------------------------------------------------------------
# Command line


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def run(device: torch.device, plan: Plan, quick: bool, command: str,
        flush: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Every part in turn; ``flush`` receives the report after each piece (partial results)."""
    clock = Clock(dict(zip(PARTS, plan.deadlines)))
    out: dict[str, Any] = {
        "benchmark": "gpu", "quick": quick, "device": device.type,
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda"
        else f"CPU ({torch.get_num_threads()} threads)",
        "peak_bf16_tflops": peak_tflops(device), "command": command, "machine": machine(),
        "plan": asdict(plan), "load_average_1_5_15_min": {"before": _load()},
        "throughput": [], "ratios": {}, "time_to_accuracy": {}, "concurrent_jobs": None,
        "skipped": clock.skipped, "finished": False}
    tta = out["time_to_accuracy"]

    def step() -> None:
        flush(out)

    def recorder(name: str) -> Callable[[dict[str, Any]], None]:
        def record(report: dict[str, Any]) -> None:
            tta[name] = report
            step()
        return record

    throughput_part(plan, device, clock, out, step)
    tta["digits"] = race("digits", LENET, plan.tta_digits, TTA_CFG, DIGITS_TARGET, plan, device,
                         clock, recorder("digits"))
    out["concurrent_jobs"] = jobs_part(plan, device, clock)
    step()
    tta["shapes"] = race("shapes", VGG_BN, plan.tta_shapes, SHAPES_RECIPE, None, plan, device,
                         clock, recorder("shapes"))
    out.update(seconds=round(clock.elapsed(), 1), finished=True, gpu_after=gpu())
    out["load_average_1_5_15_min"]["after"] = _load()
    clock.say("done")
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args_list = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, help="cuda, cuda:1 or cpu (default: the best)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run on a CPU")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON file (default: benchmarks/results/gpu_<device>[_quick].json)")
    args = parser.parse_args(args_list)
    device = torch.device(args.device) if args.device else best_device()
    configure_threads(torch.get_num_threads())  # CNNVIZ_TORCH_THREADS, if set, wins
    out = args.out or RESULTS / f"gpu_{device.type}{'_quick' if args.quick else ''}.json"
    command = " ".join(["python", "-m", "benchmarks.gpu", *args_list])
    result = run(device, QUICK if args.quick else GPU, args.quick, command,
                 lambda partial: save(partial, out, echo=False))
    save(result, out)
    return result


if __name__ == "__main__":
    main()
