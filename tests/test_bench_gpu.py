"""The GPU benchmark's --quick path runs on a CPU and writes every field, four worker processes
included; its helpers are checked by hand. GPU-only checks are skipped without CUDA.

Speed itself is not asserted here: it belongs to benchmarks/results/gpu_*.json.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import torch

from benchmarks import gpu as bench
from benchmarks.gpu_jobs import _together, run_summary
from cnnviz.train.jobs import JobView

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def _quick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, device: str
           ) -> tuple[dict[str, Any], list[tuple[dict[str, Any], bool]]]:
    """Run the CLI; return the JSON file's report and every (report, echo) that was saved."""
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    out = tmp_path / "gpu.json"
    saved: list[tuple[dict[str, Any], bool]] = []
    real_save = bench.save

    def recording_save(result: dict[str, Any], path: Path, echo: bool = True) -> None:
        assert path == out
        saved.append((copy.deepcopy(result), echo))
        real_save(result, path, echo)

    monkeypatch.setattr(bench, "save", recording_save)
    monkeypatch.setenv("CNNVIZ_TORCH_THREADS", "1")  # a shared 2-core machine: no spinning threads
    threads = torch.get_num_threads()
    try:
        bench.main(["--quick", "--device", device, "--out", str(out)])
    finally:
        torch.set_num_threads(threads)  # main() set it for this whole process
    report = json.loads(out.read_text())
    assert report["machine"]["torch_threads"] == 1
    return report, saved


def _check_throughput(report: dict[str, Any], cuda: bool) -> None:
    rows = report["throughput"]
    assert [(r["name"], r["dataset"], r["batch_size"]) for r in rows] == [
        (name, dataset, b) for name, (_, dataset) in bench.MODELS.items()
        for b in bench.QUICK.batches]
    for row in rows:
        assert row["flops_per_image"] > 0 and row["ratio"] > 0
        for side in ("engine", "baseline", "compute_only"):
            m = row[side]
            assert m["images_per_s"] > 0 and len(m["epochs"]) == 1 + bench.QUICK.timed_epochs
            assert m["gflop_per_s"] == pytest.approx(
                m["images_per_s"] * row["flops_per_image"] / 1e9, rel=1e-2, abs=0.01)
            assert (m["peak_fraction"] is None) is (report["peak_bf16_tflops"] is None)
        assert report["ratios"][f"{row['name']}_b{row['batch_size']}"] == row["ratio"]
        for side in ("engine", "baseline"):
            memory = row["memory"][side]
            assert memory is None if not cuda else memory["allocated_mib"] > 0
        assert row["cuda_graph"] is None if not cuda else row["cuda_graph"]["images_per_s"] > 0


def _check_race(race: dict[str, Any], epochs: int) -> None:
    for side in ("engine", "baseline"):
        curve = race[side]["curve"]
        assert 1 <= len(curve) <= epochs
        assert all(0 <= p["val_acc"] <= 1 and p["seconds"] > 0 for p in curve)
        assert len(race[side]["repeats"]) == bench.QUICK.repeats
    assert "ratio" in race and race["baseline_augmentation"].endswith("on PIL images")


def _check_jobs(jobs: dict[str, Any], device: str) -> None:
    n_train, _, epochs = bench.QUICK.jobs
    assert jobs["workers"] == 4 and jobs["worker_device"].startswith(device)
    assert jobs["warm_up_states"] == ["done"] * 4
    assert len(jobs["alone"]) == 1 and len(jobs["together"]) == 4
    for run in jobs["alone"] + jobs["together"]:
        assert run["state"] == "done" and run["epochs"] == epochs
        assert run["images_per_s"] > 0 and run["wall_images_per_s"] > 0
        assert run["finished"] > run["started"]
    assert jobs["sum_images_per_s"] == pytest.approx(
        sum(r["images_per_s"] for r in jobs["together"]), abs=0.5)
    assert jobs["span_images_per_s"] == pytest.approx(
        4 * epochs * n_train / jobs["span_s"], rel=1e-2)
    assert 0 <= jobs["overlap_fraction"] <= 1
    for key in ("per_run_vs_alone", "sum_vs_alone", "span_vs_alone_wall"):
        assert jobs[key] > 0
    assert len(jobs["worker_exit_codes"]) == 4 and None not in jobs["worker_exit_codes"]
    for pid in jobs["worker_pids"]:  # every worker process the benchmark started has ended
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    cuda = device == "cuda"
    for key in ("memory_alone", "memory_together"):
        assert jobs[key] is None if not cuda else jobs[key]["peak_mib"] >= jobs[key]["idle_mib"]


def _check_report(report: dict[str, Any], saved: list[tuple[dict[str, Any], bool]],
                  device: str) -> None:
    assert report["quick"] is True and report["device"] == device and report["finished"] is True
    assert report["skipped"] == [] and report["seconds"] > 0
    out = report["command"].split(" --out ")[1]
    assert report["command"] == f"python -m benchmarks.gpu --quick --device {device} --out {out}"
    assert Path(out).name == "gpu.json"
    assert {"cpu", "cores", "torch", "gpu"} <= set(report["machine"])
    assert len(report["load_average_1_5_15_min"]["after"]) == 3
    _check_throughput(report, device == "cuda")
    tta = report["time_to_accuracy"]
    digits, shapes = tta["digits"], tta["shapes"]
    assert digits["target_val_acc"] == bench.DIGITS_TARGET
    assert digits["calibration_final_val_acc"] is None
    _check_race(digits, bench.QUICK.tta_digits[2])
    _check_race(shapes, bench.QUICK.tta_shapes[2])
    # The calibration run (the first engine run) trains the whole schedule and sets the target
    calibration = shapes["calibration_final_val_acc"]
    assert shapes["target_val_acc"] == bench.target_below(calibration)
    assert shapes["engine"]["repeats"][0] is not None  # it reached its own target
    _check_jobs(report["concurrent_jobs"], device)
    # Partial results were written as the parts finished, quietly; the last one is printed
    assert len(saved) >= 4 and [echo for _, echo in saved] == [False] * (len(saved) - 1) + [True]
    assert saved[0][0]["finished"] is False and saved[0][0]["throughput"]
    assert json.loads(json.dumps(saved[-1][0])) == report


@pytest.mark.slow
def test_quick_cpu_run_writes_the_whole_report(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    report, saved = _quick(tmp_path, monkeypatch, "cpu")
    assert report["peak_bf16_tflops"] is None and report["device_name"].startswith("CPU")
    _check_report(report, saved, "cpu")


@CUDA
def test_quick_cuda_run_writes_the_whole_report(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    report, saved = _quick(tmp_path, monkeypatch, "cuda")
    assert report["machine"]["gpu"]["name"] == report["device_name"]
    _check_report(report, saved, "cuda")


# --- helpers, by hand ----------------------------------------------------------------------------

def test_clock_skips_and_lists_work_past_its_part_deadline() -> None:
    now = [100.0]
    clock = bench.Clock({"throughput": 10.0, "digits": 20.0}, now=lambda: now[0])
    now[0] = 105.0
    assert clock.allows("throughput", "lenet5 batch 128") and clock.skipped == []
    now[0] = 112.0
    assert not clock.allows("throughput", "lenet5 batch 512")
    assert clock.allows("digits", "digits race")
    assert clock.skipped == ["throughput: lenet5 batch 512 (past 10 s)"]


def test_a_race_past_its_deadline_trains_nothing() -> None:
    clock = bench.Clock({"shapes": -1.0})
    result = bench.race("shapes", bench.VGG_BN, (64, 32, 1), bench.SHAPES_RECIPE, None,
                        bench.QUICK, torch.device("cpu"), clock)
    assert result == {"skipped": True} and clock.skipped == ["shapes: shapes race (past -1 s)"]


@pytest.mark.parametrize("acc, target", [(1.0, 0.995), (0.983, 0.975), (0.9951, 0.99),
                                         (0.995, 0.99), (0.0, 0.0)])
def test_target_is_at_least_half_a_point_below_on_the_half_point_grid(acc: float,
                                                                      target: float) -> None:
    assert bench.target_below(acc) == pytest.approx(target)


def _view(started: float, finished: float, rates: list[float]) -> JobView:
    history = [{"epoch": i + 1, "images_per_s": r} for i, r in enumerate(rates)]
    return JobView(id="j", title="", owner="s", device="cpu", state="done", position=0,
                   progress={"history": history}, error_key=None, error_args={}, result=None,
                   created=0.0, started=started, finished=finished)


def test_runs_together_sum_their_steady_rates_and_measure_their_overlap() -> None:
    # Two runs of 3 epochs of 100 images: 10..20 s and 15..25 s overlap 5 s of a 15 s span
    a = run_summary(_view(10.0, 20.0, [50.0, 200.0, 300.0]), n_train=100)
    b = run_summary(_view(15.0, 25.0, [10.0, 100.0]), n_train=100)
    assert a["images_per_s"] == 250.0  # the median of the epochs after the first
    assert b["images_per_s"] == 100.0 and b["epochs"] == 2
    assert a["wall_images_per_s"] == 30.0  # 300 images in 10 s
    together = _together([a, b], n_train=100)
    assert together == {"sum_images_per_s": 350.0, "span_s": 15.0, "overlap_fraction": 0.333,
                        "span_images_per_s": round(500 / 15, 1)}


def test_peak_memory_runs_the_work_and_is_none_on_a_cpu() -> None:
    ran = []
    assert bench.peak_memory(torch.device("cpu"), lambda: ran.append(1)) is None
    assert ran == [1]


@CUDA
def test_peak_memory_counts_what_the_work_allocates() -> None:
    device = torch.device("cuda")
    kept = []
    memory = bench.peak_memory(device, lambda: kept.append(torch.empty(64 * 2**20, device=device,
                                                                       dtype=torch.uint8)))
    assert memory is not None and memory["allocated_mib"] >= 64
    assert memory["reserved_mib"] >= memory["allocated_mib"]


@CUDA
def test_a_graphed_step_trains_at_a_positive_rate() -> None:
    from benchmarks.gpu_graphs import graphed_rate
    from cnnviz.data.datasets import DATASETS, load_embedded

    split = load_embedded("digits", 512, 64, seed=0)
    assert graphed_rate(bench.LENET, split, DATASETS["digits"], 128, torch.device("cuda")) > 0
