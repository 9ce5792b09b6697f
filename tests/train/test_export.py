"""The exported PyTorch script: it imports no cnnviz, builds the same model with the same initial
weights, and trains like the engine (same first step; one epoch run in a subprocess on tiny data)."""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import math
import os
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch

from cnnviz.data.datasets import DATASETS, load_torchvision
from cnnviz.errors import CnnvizError
from cnnviz.models.builders import ACTIVATIONS, MODELS, ModelConfig, build_model
from cnnviz.train.engine import Event, TrainConfig, train
from cnnviz.train.export import export_zip, script_of
from cnnviz.train.runs import RunSpec, load_split
from cnnviz.train.transfer import initial_model
from tests.helpers import LENET_RELU_HE, idx_bytes

AUGMENTED = TrainConfig(epochs=1, batch_size=32, optimizer="adam", lr=3e-3, flip=True, translate=2, erase=0.5,
                        seed=5)
TIMEOUT_S = 240
ALLOWED_IMPORTS = {"__future__", "argparse", "json", "math", "time", "collections", "pathlib", "numpy", "torch",
                   "torchvision"}

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(autouse=True)
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CNNVIZ_RUNS", str(tmp_path / "runs"))
    return tmp_path


def _unzip(data: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into)
        (folder,) = {Path(n).parts[0] for n in archive.namelist()}
    return into / folder


def _module(script: str, path: Path) -> ModuleType:
    """The script as a module (its main() does not run), to call its functions."""
    path.write_text(script, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(folder: Path, *args: str) -> dict:
    """Run the script in a fresh interpreter that cannot import cnnviz (isolated mode, another folder)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}
    done = subprocess.run([sys.executable, "-I", "train.py", "--device", "cpu", "--metrics", "m.json", *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((folder / "m.json").read_text())


def _engine(spec: RunSpec, split) -> tuple[float, list[dict[str, float]]]:
    """The engine's first-step loss (metrics synced every step) and its history, from the run's start."""
    steps = []
    model = initial_model(spec)
    cfg = replace(spec.train, sync_every=1)
    result = train(model, split, DATASETS[spec.dataset], cfg,
                   callback=lambda e: steps.append(e) if isinstance(e, Event) and e.kind == "step" else None)
    return steps[0].values["loss"], result.history


@pytest.mark.parametrize("arch", sorted(MODELS))
@pytest.mark.parametrize("init, activation", [("he", "relu"), ("glorot", "tanh"), ("default", "sigmoid"),
                                              ("he", "leaky_relu"), ("he", "silu")])
def test_the_script_builds_the_same_initial_weights(tmp_path: Path, arch: str, init: str, activation: str) -> None:
    cfg = ModelConfig(arch, (3, 32, 32), activation=activation, init=init, batchnorm=arch in ("vgg", "resnet"),
                      dropout=0.3, depth=2, width=8)
    spec = RunSpec("shapes", 64, 32, cfg, TrainConfig(seed=11))
    module = _module(script_of(spec, initial_model(spec)), tmp_path / "train.py")
    torch.manual_seed(11)
    exported = module.build_model()
    module.init_weights(exported)
    torch.manual_seed(11)
    ours = build_model(cfg)
    assert list(exported.state_dict()) == list(ours.state_dict())
    for name, tensor in ours.state_dict().items():
        assert torch.equal(exported.state_dict()[name], tensor), name
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(exported.eval()(x), ours.eval()(x))
    assert set(ACTIVATIONS) == set(module.HE_GAIN)


def test_the_script_imports_nothing_of_cnnviz(tmp_path: Path) -> None:
    spec = RunSpec("digits", 64, 32, LENET_RELU_HE, AUGMENTED)
    tree = ast.parse(script_of(spec, initial_model(spec)))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= ALLOWED_IMPORTS and "cnnviz" not in imported


@pytest.mark.slow
def test_the_exported_script_trains_like_the_engine(folders: Path) -> None:
    spec = RunSpec("digits", 640, 200, LENET_RELU_HE, AUGMENTED, title="a `title` \"\"\" with quotes\n")
    folder = _unzip(export_zip(spec), folders / "out")
    assert sorted(p.name for p in folder.iterdir()) == ["data.npz", "train.py"]
    with np.load(folder / "data.npz") as arrays:
        split = load_split(spec, None)
        assert np.array_equal(arrays["x_train"], split.x_train.numpy())
        assert np.array_equal(arrays["y_val"], split.y_val.numpy())
    metrics = _run(folder)
    first, history = _engine(spec, split)
    assert metrics["first_step_loss"] == pytest.approx(first, rel=1e-6, abs=1e-7)
    (ours,), (theirs,) = history, metrics["history"]
    assert math.isfinite(theirs["train_loss"]) and theirs["val_acc"] > 0.3  # chance is 0.1
    # after an epoch, equal up to float rounding (the engine may hand a conv another memory layout)
    assert theirs["val_loss"] == pytest.approx(ours["val_loss"], rel=1e-4)
    assert theirs["val_acc"] == pytest.approx(ours["val_acc"], abs=0.01)
    assert (folder / "model.pt").is_file()


@pytest.mark.slow
def test_a_transfer_run_exports_its_starting_weights_and_frozen_layers(folders: Path) -> None:
    spec = RunSpec("handwritten", 96, 64, LENET_RELU_HE, replace(AUGMENTED, flip=False, erase=0.0),
                   init_from="shipped:lenet5_digits", freeze="features", new_head=True)
    folder = _unzip(export_zip(spec), folders / "out")
    start = torch.load(folder / "start_weights.pt", weights_only=True)
    model = initial_model(spec)
    assert start.keys() == model.state_dict().keys()
    assert all(torch.equal(start[k], v) for k, v in model.state_dict().items())
    metrics = _run(folder)
    first, _ = _engine(spec, load_split(spec, None))
    assert metrics["first_step_loss"] == pytest.approx(first, rel=1e-6, abs=1e-7)
    trained = torch.load(folder / "model.pt", weights_only=True)
    for name in ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"):
        assert torch.equal(trained[name], start[name]), f"{name} trained although frozen"
    assert not torch.equal(trained["fc.weight"], start["fc.weight"])


@pytest.mark.slow
def test_a_torchvision_dataset_is_loaded_by_the_script_itself(folders: Path) -> None:
    rng = np.random.default_rng(0)
    raw = folders / "mnist" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    labels = rng.integers(0, 10, 96)
    arrays = {"train-images-idx3-ubyte": (labels[:, None, None] * 25 + rng.integers(0, 20, (96, 28, 28))),
              "train-labels-idx1-ubyte": labels, "t10k-images-idx3-ubyte": rng.integers(0, 256, (40, 28, 28)),
              "t10k-labels-idx1-ubyte": rng.integers(0, 10, 40)}
    for stem, array in arrays.items():
        (raw / stem).write_bytes(idx_bytes(array))  # as torchvision leaves them after downloading
    spec = RunSpec("mnist", 64, 32, LENET_RELU_HE, replace(AUGMENTED, erase=0.0))
    folder = _unzip(export_zip(spec), folders / "out")
    assert sorted(p.name for p in folder.iterdir()) == ["train.py"]  # no data: it downloads (or finds) it
    metrics = _run(folder, "--data", str(folders / "mnist"))
    split = load_torchvision("mnist", folders / "mnist", download=False)
    split = type(split)(split.x_train[:64], split.y_train[:64], split.x_val[:32], split.y_val[:32])
    first, _ = _engine(spec, split)
    assert metrics["first_step_loss"] == pytest.approx(first, rel=1e-6, abs=1e-7)


def test_too_many_generated_images_are_refused_before_any_work() -> None:
    spec = RunSpec("shapes", 60_000, 1000, ModelConfig("tinyvgg", (3, 32, 32)), TrainConfig(epochs=1))
    with pytest.raises(CnnvizError) as err:
        export_zip(spec)
    assert err.value.key == "export_too_large" and err.value.args_["images"] == 61_000
