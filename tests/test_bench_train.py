"""The training benchmark's --quick path runs on CPU and writes every field (so it cannot rot).

Speed itself is not asserted here: it belongs to benchmarks/results/train_*.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from benchmarks import train as bench


def test_quick_run_writes_the_whole_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    out = tmp_path / "train.json"
    bench.main(["--quick", "--device", "cpu", "--out", str(out)])
    report = json.loads(out.read_text())

    assert report["quick"] is True and report["device"] == "cpu"
    assert report["peak_bf16_tflops"] is None and report["device_name"].startswith("CPU")
    assert {"cpu", "cores", "torch"} <= set(report["machine"])
    rows = report["throughput"]
    assert [(r["model"], r["dataset"], r["batch_size"]) for r in rows] == [
        ("lenet5", "digits", 512), ("lenet5", "digits", 128),
        ("tinyvgg", "shapes", 512), ("tinyvgg", "shapes", 128)]
    for row in rows:
        assert row["flops_per_image"] > 0
        for side in ("engine", "baseline", "compute_only"):
            m = row[side]
            assert m["images_per_s"] > 0 and m["peak_fraction"] is None
            assert len(m["epochs"]) == 1 + bench.QUICK.timed_epochs
            assert m["gflop_per_s"] == pytest.approx(
                m["images_per_s"] * row["flops_per_image"] / 1e9, rel=1e-2, abs=0.01)
        assert row["ratio"] > 0 and row["engine_of_compute_only"] > 0
        assert report["ratios"][f"{row['model']}_b{row['batch_size']}"] == row["ratio"]

    tta = report["time_to_accuracy"]
    assert tta["target_val_acc"] == 0.97 and tta["train"]["schedule"] == "onecycle"
    for side in ("engine", "baseline"):
        curve = tta[side]["curve"]
        assert curve and all(0 <= p["val_acc"] <= 1 and p["seconds"] > 0 for p in curve)
        assert len(tta[side]["repeats"]) == bench.QUICK.tta_repeats
    assert "ratio" in tta and "target" in report and "command" in report
    assert len(report["load_average_1_5_15_min"]["after"]) == 3
    met = report["met"]
    assert set(met["images_per_s_2x"]) == set(report["ratios"])
    assert met["digits_97_within_5_s"] is (tta["engine"]["seconds"] is not None
                                           and tta["engine"]["seconds"] <= 5)


def test_flop_count_of_lenet_matches_a_hand_count() -> None:
    # Forward FLOPs of LeNet-5 on 28x28 (2 per multiply-add): conv1 6*28*28*25, conv2
    # 16*10*10*150, fc 400*120 + 120*84 + 84*10; a training step is ~3x (forward, 2 backward
    # matmuls per layer) minus conv1's input gradient, which is never computed.
    conv1, conv2 = 6 * 28 * 28 * 25, 16 * 10 * 10 * 150
    fc = 400 * 120 + 120 * 84 + 84 * 10
    expected = 2 * (3 * (conv1 + conv2 + fc) - conv1)
    assert bench.flops_per_image(bench.LENET) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("name, peak", [("NVIDIA H100 80GB HBM3", 989.0),
                                        ("NVIDIA H100 PCIe", 756.0), ("NVIDIA H200", 989.0),
                                        ("NVIDIA A100-SXM4-40GB", 312.0), ("Tesla T4", None)])
def test_peak_table_by_device_name(name: str, peak: float | None,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)
    assert bench.peak_tflops(torch.device("cuda")) == peak
    assert bench.peak_tflops(torch.device("cpu")) is None
