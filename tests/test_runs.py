"""Tests for cnnviz.runs: specs, run ids, hand-crafted first layers, and run jobs end to end.

Run jobs go through a real JobManager on tiny embedded data (64 digits, LeNet-5, two epochs) with
CNNVIZ_DATA and the runs folder inside tmp_path. Jobs that must wait are held by Events, and every
wait has a timeout, so a bug fails a test instead of hanging it.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz import zoo
from cnnviz.checkpoints import load_checkpoint
from cnnviz.data import DATASETS, load_embedded
from cnnviz.jobs import JobContext, JobManager
from cnnviz.models import ModelConfig, build_model
from cnnviz.runs import (
    HANDCRAFTED,
    RunSpec,
    first_conv,
    handcrafted_first_layer,
    load_filters,
    load_spec,
    run_dir,
    run_job,
    valid_run_id,
)
from cnnviz.train import TrainConfig, train

TIMEOUT = 60.0
LENET = ModelConfig("lenet5", (1, 28, 28))
TINYVGG = ModelConfig("tinyvgg", (3, 32, 32))
TINY_TRAIN = TrainConfig(epochs=2, batch_size=32, seed=0)

# The classic 3x3 kernels, written out by hand, in HANDCRAFTED's order
KERNELS = {
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "scharr_x": [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]],
    "scharr_y": [[-3, -10, -3], [0, 0, 0], [3, 10, 3]],
    "prewitt_x": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "prewitt_y": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "laplacian_4": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "laplacian_8": [[1, 1, 1], [1, -8, 1], [1, 1, 1]],
}


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The runs folder; embedded data is cached under tmp_path too (never the repository)."""
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CNNVIZ_RUNS", str(tmp_path / "elsewhere"))  # root= must win over this
    return tmp_path / "runs"


@pytest.fixture
def manager() -> Iterator[JobManager]:
    mgr = JobManager(limits={"cpu": 1})
    yield mgr
    assert mgr.shutdown(cancel=True, timeout=TIMEOUT)


def _spec(model: ModelConfig = LENET, train_cfg: TrainConfig = TINY_TRAIN, **kw) -> RunSpec:
    return RunSpec("digits", 64, 32, model, train_cfg, **kw)


# --- RunSpec -------------------------------------------------------------------------------------

BAD_SPECS = [
    {"dataset": "imagenet"},
    {"n_train": 0}, {"n_train": 60_001}, {"n_train": 10.0}, {"n_train": True}, {"n_val": 0},
    {"first_layer": "sobel"},
    {"model": ModelConfig("lenet5", (3, 32, 32))},  # shapes' input, digits' dataset
    {"model": ModelConfig("lenet5", (1, 28, 28), num_classes=5)},
]


@pytest.mark.parametrize("change", BAD_SPECS)
def test_run_spec_rejects_bad_values(change: dict[str, object]) -> None:
    args = {"dataset": "digits", "n_train": 64, "n_val": 32, "model": LENET, "train": TINY_TRAIN}
    with pytest.raises(ValueError):
        RunSpec(**{**args, **change})


def test_run_spec_round_trips_through_json() -> None:
    spec = RunSpec("shapes", 500, 100, TINYVGG, TrainConfig(flip=True, translate=2),
                   first_layer="handcrafted", freeze_first=True, title="edges")
    text = json.dumps(spec.to_dict())
    assert RunSpec.from_dict(json.loads(text)) == spec
    data = json.loads(text)
    data["train"]["warmup"] = 3
    with pytest.raises(ValueError):
        RunSpec.from_dict(data)


# --- run ids and folders -------------------------------------------------------------------------

@pytest.mark.parametrize("run_id", ["../x", "a/b", "", "x" * 65, "..", ".", "a b", "a\\b",
                                    "/etc", "é", None, 5])
def test_path_tricks_are_not_run_ids(run_id: object, tmp_path: Path) -> None:
    assert not valid_run_id(run_id)
    with pytest.raises(ValueError):
        run_dir(run_id, tmp_path)  # type: ignore[arg-type]


@pytest.mark.parametrize("run_id", ["a", "x" * 64, "Run_1-b"])
def test_run_dir_is_inside_its_root(run_id: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert valid_run_id(run_id)
    assert run_dir(run_id, tmp_path) == tmp_path / run_id
    monkeypatch.setenv("CNNVIZ_RUNS", str(tmp_path / "env"))
    assert run_dir(run_id) == tmp_path / "env" / run_id


# --- hand-crafted first layers -------------------------------------------------------------------

def _unit(name: str) -> torch.Tensor:
    k = torch.tensor(KERNELS[name], dtype=torch.float32)
    return k / k.norm()


@pytest.mark.parametrize("cfg, size", [(LENET, 5), (TINYVGG, 3)])
def test_handcrafted_kernels_are_centred_unit_norm_and_split_over_channels(
        cfg: ModelConfig, size: int) -> None:
    model = build_model(cfg)
    handcrafted_first_layer(model, freeze=False)
    conv = first_conv(model)
    c_out, c_in, kh, kw = conv.weight.shape
    assert (kh, kw) == (size, size) and tuple(HANDCRAFTED) == tuple(KERNELS)
    lo = (size - 3) // 2
    for j in range(c_out):
        w = conv.weight[j].detach()
        expected = torch.zeros(size, size)
        expected[lo:lo + 3, lo:lo + 3] = _unit(HANDCRAFTED[j % len(HANDCRAFTED)])
        for c in range(c_in):  # each channel holds an equal share
            torch.testing.assert_close(w[c], expected / c_in)
        torch.testing.assert_close(w.sum(0), expected)  # the grey level sees the unit kernel
    assert torch.equal(conv.bias.detach(), torch.zeros(c_out))
    assert conv.weight.requires_grad and conv.bias.requires_grad


def test_frozen_handcrafted_layer_does_not_train(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = build_model(LENET)
    handcrafted_first_layer(model, freeze=True)
    conv1, conv2 = model.conv1, model.conv2
    assert not conv1.weight.requires_grad and not conv1.bias.requires_grad
    assert conv2.weight.requires_grad
    w1, w2 = conv1.weight.detach().clone(), conv2.weight.detach().clone()
    split = load_embedded("digits", 64, 16, seed=0, cache_dir=tmp_path)
    train(model, split, DATASETS["digits"], TrainConfig(epochs=1, batch_size=32))
    assert torch.equal(conv1.weight, w1) and not torch.equal(conv2.weight, w2)


def test_handcrafted_needs_a_convolution() -> None:
    with pytest.raises(ValueError):
        handcrafted_first_layer(build_model(ModelConfig("mlp", (1, 28, 28))), freeze=False)
    with pytest.raises(ValueError):
        handcrafted_first_layer(nn.Sequential(nn.Conv2d(1, 4, 2)), freeze=False)


# --- run jobs ------------------------------------------------------------------------------------

def _done(mgr: JobManager, job_id: str, state: str = "done"):
    view = mgr.wait(job_id, timeout=TIMEOUT)
    assert view.state == state, (view.state, view.error_key, view.error_args)
    return view


@pytest.mark.parametrize("first_layer", ["random", "handcrafted"])
def test_run_job_saves_spec_model_and_filters(runs: Path, manager: JobManager,
                                              first_layer: str) -> None:
    spec = _spec(first_layer=first_layer, title="tiny")
    job_id = manager.submit(run_job(spec, root=runs), device="cpu")
    view = _done(manager, job_id)
    folder = run_dir(job_id, runs)
    assert {p.name for p in folder.iterdir()} == {"spec.json", "model.safetensors",
                                                  "filters.safetensors", "status.json"}
    assert load_spec(job_id, runs) == spec
    assert not (runs.parent / "elsewhere").exists()

    model, info = load_checkpoint(folder / "model.safetensors")
    assert info.config == LENET and info.dataset == "digits" and info.note == "tiny"
    assert len(info.history) == spec.train.epochs
    assert info.metrics["val_acc"] == info.history[-1]["val_acc"]
    assert info.train == spec.train.to_dict()

    filters = load_filters(job_id, runs)
    assert len(filters) == spec.train.epochs + 1
    # epoch 0 is the model the job built: seeded by the spec, then hand-crafted if asked
    torch.manual_seed(spec.train.seed)
    initial = build_model(LENET)
    if first_layer == "handcrafted":
        handcrafted_first_layer(initial, freeze=False)
    np.testing.assert_array_equal(filters[0], initial.conv1.weight.detach().numpy())
    np.testing.assert_array_equal(filters[-1], model.conv1.weight.detach().numpy())
    assert not np.array_equal(filters[0], filters[1])

    progress = view.progress
    assert progress["phase"] == "done" and progress["stopped"] == "done"
    assert progress["history"] == info.history and progress["saved_epoch"] == 2
    np.testing.assert_array_equal(progress["filters"], filters[-1])
    assert progress["step"] == progress["total_steps"] == 4 and progress["eta"] >= 0
    assert view.result == {"stopped": "done", "epochs": 2}


def test_run_job_of_an_mlp_saves_no_filters(runs: Path, manager: JobManager) -> None:
    spec = _spec(ModelConfig("mlp", (1, 28, 28), depth=1, width=8),
                 TrainConfig(epochs=1, batch_size=32))
    job_id = manager.submit(run_job(spec, root=runs), device="cpu")
    view = _done(manager, job_id)
    assert load_filters(job_id, runs) == [] and view.progress["filters"] is None
    assert len(load_checkpoint(run_dir(job_id, runs) / "model.safetensors")[1].history) == 1


def _cancel_after_epoch(mgr: JobManager, spec: RunSpec, root: Path,
                        epoch: int) -> Callable[[JobContext], object]:
    """run_job, cancelled through the manager right after epoch ``epoch`` has been saved."""
    def job(ctx: JobContext) -> object:
        report = ctx.report

        def report_then_cancel(**values: object) -> None:
            report(**values)
            if values.get("saved_epoch") == epoch:
                assert mgr.cancel(ctx.job_id)
        ctx.report = report_then_cancel  # type: ignore[method-assign]
        return run_job(spec, root=root)(ctx)
    return job


def test_cancelled_run_keeps_its_finished_epochs(runs: Path, manager: JobManager) -> None:
    spec = _spec(train_cfg=TrainConfig(epochs=6, batch_size=32))
    job_id = manager.submit(_cancel_after_epoch(manager, spec, runs, 1), device="cpu")
    view = _done(manager, job_id, "cancelled")
    assert view.progress["stopped"] == "cancelled" and len(view.progress["history"]) == 1
    _, info = load_checkpoint(run_dir(job_id, runs) / "model.safetensors")
    assert len(info.history) == 1
    assert len(load_filters(job_id, runs)) == 2  # initialisation + epoch 1
    assert load_spec(job_id, runs) == spec


def _held(job: Callable[[JobContext], object], started: threading.Event,
          release: threading.Event) -> Callable[[JobContext], object]:
    def held(ctx: JobContext) -> object:
        started.set()
        if not release.wait(TIMEOUT):
            raise RuntimeError("never released")
        return job(ctx)
    return held


def test_runs_queue_one_after_another(runs: Path, manager: JobManager) -> None:
    started, release = threading.Event(), threading.Event()
    first = manager.submit(_held(run_job(_spec(), root=runs), started, release), device="cpu")
    second = manager.submit(run_job(_spec(), root=runs), device="cpu")
    assert started.wait(TIMEOUT)
    assert (manager.view(first).state, manager.view(second).state) == ("running", "queued")
    assert manager.view(second).position == 1
    assert not run_dir(second, runs).exists()  # it has not started
    release.set()
    one, two = _done(manager, first), _done(manager, second)
    assert one.finished <= two.started
    assert len(load_checkpoint(run_dir(second, runs) / "model.safetensors")[1].history) == 2


def test_run_outlives_the_thread_that_submitted_it(runs: Path, manager: JobManager) -> None:
    started, release = threading.Event(), threading.Event()
    spec = _spec(title="from a closed tab")
    ids: list[str] = []
    submitter = threading.Thread(target=lambda: ids.append(
        manager.submit(_held(run_job(spec, root=runs), started, release), device="cpu")))
    submitter.start()
    submitter.join(TIMEOUT)
    assert not submitter.is_alive() and started.wait(TIMEOUT)
    release.set()  # the job goes on only now, after its submitter is gone
    (job_id,) = ids
    _done(manager, job_id)
    assert manager.view(job_id).state == "done"
    assert load_spec(job_id, runs) == spec
    entries = zoo.available(runs=runs, shipped=runs / "no-shipped", run_ids=[job_id])
    assert [(e.key, e.kind, e.name) for e in entries] == [(f"run:{job_id}", "run", job_id)]
    assert entries[0].info.note == "from a closed tab" and len(entries[0].info.history) == 2
    model, _ = zoo.load(f"run:{job_id}", runs=runs)
    assert isinstance(model, nn.Module)


def test_offline_torchvision_dataset_fails_with_data_offline(
        tmp_path: Path, runs: Path, manager: JobManager, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", offline)  # no network is ever touched
    spec = RunSpec("mnist", 100, 50, LENET, TrainConfig(epochs=1))
    data_root = tmp_path / "torchvision"
    job_id = manager.submit(run_job(spec, root=runs, data_root=data_root), device="cpu")
    view = _done(manager, job_id, "failed")
    assert view.progress["error_key"] == "data_offline"
    assert view.progress["error_args"]["name"] == "mnist"
    assert view.progress["error_args"]["folder"] == str(data_root)
    assert view.error_key == "data_offline"  # the library's own message, not a generic failure
    assert not (run_dir(job_id, runs) / "model.safetensors").exists()


# --- how a saved run ended ----------------------------------------------------------------------

_KILLED_RUN = """
import sys, time
from pathlib import Path
from cnnviz.jobs import JobManager
from cnnviz.models import ModelConfig
from cnnviz.runs import RunSpec, run_job
from cnnviz.train import TrainConfig
spec = RunSpec("digits", 256, 64, ModelConfig("lenet5", (1, 28, 28)), TrainConfig(epochs=8, batch_size=32))
JobManager().submit(run_job(spec, root=Path(sys.argv[1])), job_id="killed")
time.sleep(600)
"""


def test_a_run_killed_mid_training_says_it_was_cut_short(runs: Path, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from cnnviz.checkpoints import read_info
    from cnnviz.runs import read_outcome

    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, str(runs)], env=env)
    model = run_dir("killed", runs) / "model.safetensors"
    try:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:  # until epoch 2 is saved
            try:
                if len(read_info(model).history) >= 2:
                    break
            except Exception:  # noqa: BLE001 - not written yet
                pass
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(TIMEOUT)
    saved = len(read_info(model).history)
    assert 2 <= saved < 8
    outcome = read_outcome("killed", saved, runs)
    assert (outcome.state, outcome.epochs, outcome.planned) == ("interrupted", saved, 8)


def test_finished_cancelled_and_failed_runs_say_how_they_ended(runs: Path, manager: JobManager,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from cnnviz.runs import read_outcome

    done = manager.submit(run_job(_spec(), root=runs), device="cpu")
    assert manager.wait(done, TIMEOUT).state == "done"
    assert read_outcome(done, 2, runs) == read_outcome(done, 2, runs)
    assert (read_outcome(done, 2, runs).state, read_outcome(done, 2, runs).planned) == ("done", 2)
    cancelled = manager.submit(_cancel_after_epoch(manager, _spec(), runs, 1), device="cpu")
    assert manager.wait(cancelled, TIMEOUT).state == "cancelled"
    assert read_outcome(cancelled, 1, runs).state == "cancelled"
    monkeypatch.setattr("cnnviz.runs.save_checkpoint", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "full")))
    failed = manager.submit(run_job(_spec(), root=runs), device="cpu")
    assert manager.wait(failed, TIMEOUT).state == "failed"
    outcome = read_outcome(failed, 0, runs)
    assert (outcome.state, outcome.error_key, outcome.planned) == ("failed", "job_storage", 2)
