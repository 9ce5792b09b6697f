"""Tests for cnnviz.train.runs: specs, run ids, hand-crafted first layers, and run jobs end to end.

Run jobs go through the real job store and worker on tiny embedded data (64 digits, LeNet-5, two epochs) with
CNNVIZ_DATA and the runs folder inside tmp_path. Jobs that must wait are held by Events, and every
wait has a timeout, so a bug fails a test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz.data.datasets import DATASETS, load_embedded
from cnnviz.models import zoo
from cnnviz.models.builders import ModelConfig, build_model
from cnnviz.models.checkpoints import load_checkpoint
from cnnviz.train.engine import TrainConfig, train
from cnnviz.train.jobs import JobContext
from cnnviz.train.runs import (
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
from tests.helpers import LENET, TINY_TRAIN, TINYVGG
from tests.jobqueue import Queue

TIMEOUT = 60.0

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
def queue(runs: Path) -> Iterator[Queue]:
    """The real job store with a real worker in a thread."""
    q = Queue(runs)
    yield q
    q.stop()


def _spec(model: ModelConfig = LENET, train_cfg: TrainConfig = TINY_TRAIN, **kw) -> RunSpec:
    return RunSpec("digits", 64, 32, model, train_cfg, **kw)


# --- RunSpec -------------------------------------------------------------------------------------

BAD_SPECS = [
    {"dataset": "imagenet"},
    {"n_train": 0}, {"n_train": 60_001}, {"n_train": 10.0}, {"n_train": True}, {"n_val": 0},
    {"first_layer": "sobel"},
    {"model": ModelConfig("lenet5", (3, 32, 32))},  # shapes' input, digits' dataset
    {"model": ModelConfig("lenet5", (1, 28, 28), num_classes=5)},
    {"init_from": "lenet5_digits"}, {"init_from": "shipped:../x"}, {"init_from": "run:a/b"}, {"init_from": None},
    {"init_from": "shipped:lenet5_digits", "freeze": "convs"},
    {"init_from": "shipped:lenet5_digits", "new_head": 1},
    {"freeze": "features"}, {"new_head": True},  # freezing or a new head need a model to start from
    {"init_from": "shipped:lenet5_digits", "first_layer": "handcrafted"},
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
    tuned = RunSpec("handwritten", 200, 100, LENET, TINY_TRAIN, init_from="run:abc_1", freeze="all_but_head",
                    new_head=True)
    assert RunSpec.from_dict(json.loads(json.dumps(tuned.to_dict()))) == tuned
    old = {k: v for k, v in tuned.to_dict().items() if k not in ("init_from", "freeze", "new_head")}
    assert RunSpec.from_dict(old).init_from == "" and RunSpec.from_dict(old).freeze == "none"  # older runs
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

def _done(queue: Queue, job_id: str, state: str = "done"):
    view = queue.wait(job_id)
    assert view.state == state, (view.state, view.error_key, view.error_args)
    return view


@pytest.mark.parametrize("first_layer", ["random", "handcrafted"])
def test_run_job_saves_spec_model_and_filters(runs: Path, queue: Queue, first_layer: str) -> None:
    spec = _spec(first_layer=first_layer, title="tiny")
    job_id = queue.submit(spec)
    view = _done(queue, job_id)
    folder = run_dir(job_id, runs)
    assert {p.name for p in folder.iterdir()} == {"spec.json", "model.safetensors",
                                                  "filters.safetensors", "status.json", "resume.safetensors"}
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
    assert view.attempts == 1 and view.started <= view.finished


def test_run_job_of_an_mlp_saves_no_filters(runs: Path, queue: Queue) -> None:
    spec = _spec(ModelConfig("mlp", (1, 28, 28), depth=1, width=8),
                 TrainConfig(epochs=1, batch_size=32))
    job_id = queue.submit(spec)
    view = _done(queue, job_id)
    assert load_filters(job_id, runs) == [] and view.progress["filters"] is None
    assert len(load_checkpoint(run_dir(job_id, runs) / "model.safetensors")[1].history) == 1


def test_cancelled_run_keeps_its_finished_epochs(runs: Path, queue: Queue) -> None:
    spec = RunSpec("digits", 512, 64, LENET, TrainConfig(epochs=30, batch_size=32))
    job_id = queue.submit(spec)
    queue.wait(job_id, until=lambda v: len(v.progress.get("history", [])) >= 1)
    assert queue.store.cancel(job_id, owner="student")
    view = _done(queue, job_id, "cancelled")
    saved = len(view.progress["history"])
    assert view.progress["stopped"] == "cancelled" and 1 <= saved < 30
    _, info = load_checkpoint(run_dir(job_id, runs) / "model.safetensors")
    assert len(info.history) == saved
    assert len(load_filters(job_id, runs)) == saved + 1  # initialisation + every saved epoch
    assert load_spec(job_id, runs) == spec


def test_runs_queue_one_after_another(runs: Path) -> None:
    queue = Queue(runs, start=False)  # no worker yet: both wait
    first, second = queue.submit(_spec()), queue.submit(_spec())
    assert [(v.state, v.position) for v in map(queue.store.view, (first, second))] == [
        ("queued", 1), ("queued", 2)]
    assert not run_dir(second, runs).exists()  # it has not started
    queue.start()
    try:
        one, two = _done(queue, first), _done(queue, second)
    finally:
        queue.stop()
    assert one.finished <= two.started
    assert len(load_checkpoint(run_dir(second, runs) / "model.safetensors")[1].history) == 2


def test_a_run_is_found_again_after_it_finished(runs: Path, queue: Queue) -> None:
    spec = _spec(title="from a closed tab")
    job_id = queue.submit(spec)
    _done(queue, job_id)
    assert load_spec(job_id, runs) == spec
    entries = zoo.available(runs=runs, shipped=runs / "no-shipped", run_ids=[job_id])
    assert [(e.key, e.kind, e.name) for e in entries] == [(f"run:{job_id}", "run", job_id)]
    assert entries[0].info.note == "from a closed tab" and len(entries[0].info.history) == 2
    model, _ = zoo.load(f"run:{job_id}", runs=runs)
    assert isinstance(model, nn.Module)


def test_offline_torchvision_dataset_fails_with_data_offline(
        tmp_path: Path, runs: Path, queue: Queue, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", offline)  # no network is ever touched
    spec = RunSpec("mnist", 100, 50, LENET, TrainConfig(epochs=1))
    data_root = tmp_path / "torchvision"
    monkeypatch.setenv("CNNVIZ_DATA", str(data_root))
    job_id = queue.submit(spec)
    view = _done(queue, job_id, "failed")
    assert view.progress["error_key"] == "data_offline"
    assert view.progress["error_args"]["name"] == "mnist"
    assert view.progress["error_args"]["folder"] == str(data_root)
    assert view.error_key == "data_offline"  # the library's own message, not a generic failure
    assert not (run_dir(job_id, runs) / "model.safetensors").exists()


# --- how a saved run ended ----------------------------------------------------------------------

def _wait_for_epochs(model: Path, epochs: int, proc) -> None:
    from cnnviz.models.checkpoints import read_info

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if len(read_info(model).history) >= epochs:
                return
        except Exception:  # noqa: BLE001 - not written yet, or being replaced
            pass
        time.sleep(0.02)
    raise AssertionError(f"no epoch {epochs} in {TIMEOUT} s")


def test_a_worker_killed_mid_run_loses_no_epoch_and_the_run_resumes(runs: Path, tmp_path: Path) -> None:
    """kill -9 of a real worker process at epoch 2 of 8: the run says it was cut short, is taken
    back, and a second worker finishes it with exactly the weights of an uninterrupted run."""
    from cnnviz.models.checkpoints import read_info
    from cnnviz.train.runs import read_outcome

    spec = RunSpec("digits", 256, 64, LENET, TrainConfig(epochs=8, batch_size=32, optimizer="adam", lr=3e-3))
    queue = Queue(runs, start=False)
    job_id = queue.submit(spec)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "cnnviz.train.worker", "--runs", str(runs), "--threads", "1"],
                            env=env, stderr=subprocess.DEVNULL)
    model = run_dir(job_id, runs) / "model.safetensors"
    try:
        _wait_for_epochs(model, 2, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(TIMEOUT)
    saved = len(read_info(model).history)
    assert 2 <= saved < 8
    assert queue.store.view(job_id).state == "running"  # as far as the store knows: nobody said
    assert read_outcome(job_id, saved, runs).state == "interrupted"
    assert queue.store.recover(timeout_s=0) == [job_id]  # its heartbeat stopped: taken back
    assert queue.store.view(job_id).state == "queued"
    queue.start()
    try:
        view = _done(queue, job_id)
    finally:
        queue.stop()
    assert view.attempts == 2 and [r["epoch"] for r in view.progress["history"]] == list(range(1, 9))
    resumed, _ = load_checkpoint(model)
    straight = run_dir("straight", runs)
    run_job(spec, root=runs)(JobContext("straight"))  # the same run, never interrupted
    uninterrupted, _ = load_checkpoint(straight / "model.safetensors")
    for name, tensor in uninterrupted.state_dict().items():
        assert torch.equal(tensor, resumed.state_dict()[name]), name
    assert len(load_filters(job_id, runs)) == 9 and read_outcome(job_id, 8, runs).state == "done"


@pytest.mark.slow
def test_sigterm_hands_the_run_back_and_it_resumes(runs: Path) -> None:
    spec = RunSpec("digits", 256, 64, LENET, TrainConfig(epochs=6, batch_size=32))
    queue = Queue(runs, start=False)
    job_id = queue.submit(spec)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "cnnviz.train.worker", "--runs", str(runs)], env=env,
                            stderr=subprocess.DEVNULL)
    try:
        _wait_for_epochs(run_dir(job_id, runs) / "model.safetensors", 1, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(TIMEOUT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    view = queue.store.view(job_id)
    assert view.state == "queued" and view.attempts == 1  # handed back, not cancelled or failed
    assert queue.store.live_workers() == []  # it said goodbye
    queue.start()
    try:
        assert _done(queue, job_id).attempts == 2
    finally:
        queue.stop()


def test_finished_cancelled_and_failed_runs_say_how_they_ended(runs: Path, queue: Queue,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from cnnviz.train.runs import read_outcome

    done = queue.submit(_spec())
    assert _done(queue, done)
    assert (read_outcome(done, 2, runs).state, read_outcome(done, 2, runs).planned) == ("done", 2)
    cancelled = queue.submit(RunSpec("digits", 512, 64, LENET, TrainConfig(epochs=30, batch_size=32)))
    queue.wait(cancelled, until=lambda v: len(v.progress.get("history", [])) >= 1)
    queue.store.cancel(cancelled)
    saved = len(_done(queue, cancelled, "cancelled").progress["history"])
    assert read_outcome(cancelled, saved, runs).state == "cancelled"
    monkeypatch.setattr("cnnviz.train.runs.save_checkpoint", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "full")))
    failed = queue.submit(_spec())
    assert _done(queue, failed, "failed").error_key == "job_storage"
    outcome = read_outcome(failed, 0, runs)
    assert (outcome.state, outcome.error_key, outcome.planned) == ("failed", "job_storage", 2)
