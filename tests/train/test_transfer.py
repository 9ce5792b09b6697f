"""Transfer learning: starting weights, a new head, frozen layers, what does not fit, and resuming.

Training goes through run_job on tiny embedded data (64 digits) in tmp_path, like tests/train/test_runs.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch
from torch import nn

from cnnviz.data.datasets import DATASETS
from cnnviz.errors import CnnvizError
from cnnviz.models import zoo
from cnnviz.models.builders import MODELS, ModelConfig, build_model
from cnnviz.models.checkpoints import CheckpointError, CheckpointInfo, load_checkpoint, save_checkpoint
from cnnviz.train.engine import TrainConfig
from cnnviz.train.jobs import JobContext
from cnnviz.train.runs import RunSpec, run_dir, run_job
from cnnviz.train.transfer import HEAD, check_transfer, frozen_names, initial_model
from tests.helpers import LENET_RELU_HE

RECIPE = TrainConfig(epochs=2, batch_size=32, optimizer="adam", lr=0.01, seed=3)
SHIPPED = "shipped:lenet5_digits"

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CNNVIZ_RUNS", str(tmp_path / "runs"))
    return tmp_path / "runs"


def _source(runs: Path, run_id: str, cfg: ModelConfig, classes: tuple[str, ...] = DATASETS["digits"].classes,
            seed: int = 7) -> dict[str, torch.Tensor]:
    """A finished run's checkpoint with seeded random weights; returns its weights."""
    torch.manual_seed(seed)
    model = build_model(cfg)
    c = cfg.in_shape[0]
    save_checkpoint(run_dir(run_id, runs) / "model.safetensors", model,
                    CheckpointInfo(cfg, "mine", classes, cfg.in_shape, (0.5,) * c, (0.25,) * c))
    return {k: v.clone() for k, v in model.state_dict().items()}


def _spec(dataset: str = "digits", model: ModelConfig = LENET_RELU_HE, **transfer) -> RunSpec:
    return RunSpec(dataset, 64, 32, model, RECIPE, **transfer)


def test_the_starting_weights_are_the_checkpoints_bit_for_bit() -> None:
    shipped, _ = zoo.load(SHIPPED)
    model = initial_model(_spec("handwritten", init_from=SHIPPED))
    assert model.state_dict().keys() == shipped.state_dict().keys()
    for name, tensor in shipped.state_dict().items():
        assert torch.equal(model.state_dict()[name], tensor), name
    assert all(p.requires_grad for p in model.parameters())


def test_a_new_head_has_the_new_class_count_and_starts_from_the_runs_own_init(runs: Path) -> None:
    source = _source(runs, "four", replace(LENET_RELU_HE, num_classes=4), classes=("a", "b", "c", "d"))
    spec = _spec(init_from="run:four", new_head=True)
    model = initial_model(spec, runs)
    assert (model.fc.out_features, source["fc.weight"].shape[0]) == (10, 4)
    torch.manual_seed(spec.train.seed)
    fresh = build_model(spec.model)
    assert torch.equal(model.fc.weight, fresh.fc.weight) and torch.equal(model.fc.bias, fresh.fc.bias)
    for name, tensor in source.items():
        if not name.startswith(f"{HEAD}."):
            assert torch.equal(model.state_dict()[name], tensor), name
    with pytest.raises(CnnvizError) as err:  # the old head cannot name the digits
        initial_model(replace(spec, new_head=False), runs)
    assert err.value.key == "tl_classes" and (err.value.args_["source_count"], err.value.args_["run_count"]) == (4, 10)


def _train(spec: RunSpec, runs: Path, run_id: str) -> nn.Module:
    run_job(spec, root=runs)(JobContext(run_id))
    return load_checkpoint(run_dir(run_id, runs) / "model.safetensors")[0]


@pytest.mark.parametrize("cfg, freeze, frozen", [
    (LENET_RELU_HE, "features", {"conv1", "conv2"}),
    (LENET_RELU_HE, "all_but_head", {"conv1", "conv2", "fc1", "fc2"}),
    (ModelConfig("vgg", (1, 28, 28), batchnorm=True, depth=2, width=4), "features",
     {"conv1_1", "bn1_1", "conv1_2", "bn1_2", "conv2_1", "bn2_1", "conv2_2", "bn2_2"}),
])
def test_frozen_parameters_are_unchanged_bit_for_bit_after_training(runs: Path, cfg: ModelConfig, freeze: str,
                                                                    frozen: set[str]) -> None:
    source = _source(runs, "src", cfg)
    trained = _train(_spec(model=cfg, init_from="run:src", freeze=freeze, new_head=True), runs, "tuned")
    after = trained.state_dict()
    for name, _ in trained.named_parameters():
        if name.split(".")[0] in frozen:
            assert torch.equal(after[name], source[name]), f"{name} changed although frozen"
        else:
            assert not torch.equal(after[name], source[name]), f"{name} did not train"


def test_without_freezing_every_layer_trains_from_the_checkpoint(runs: Path) -> None:
    shipped, _ = zoo.load(SHIPPED)
    trained = _train(_spec(init_from=SHIPPED), runs, "all")
    for name, tensor in shipped.state_dict().items():
        assert not torch.equal(trained.state_dict()[name], tensor), name


@pytest.mark.parametrize("arch", sorted(MODELS))
def test_what_each_freeze_holds(arch: str) -> None:
    model = build_model(ModelConfig(arch, (3, 32, 32), batchnorm=True, depth=2, width=8))
    names = [n for n, _ in model.named_parameters()]
    assert frozen_names(model, "none") == []
    assert frozen_names(model, "all_but_head") == [n for n in names if not n.startswith("fc.")]
    convs = frozen_names(model, "features")
    kinds = {type(model.get_submodule(n.rsplit(".", 1)[0])) for n in convs}
    assert kinds <= {nn.Conv2d, nn.BatchNorm2d} and ("fc.weight" not in convs)
    assert len(convs) == sum(1 for m in model.modules() if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))
                             for _ in m.parameters(recurse=False))
    assert (arch == "mlp") == (not convs)


@pytest.mark.parametrize("spec, key", [
    (_spec("shapes", ModelConfig("lenet5", (3, 32, 32), activation="relu"), init_from=SHIPPED), "tl_shape"),
    (_spec(model=ModelConfig("tinyvgg", (1, 28, 28)), init_from=SHIPPED), "tl_arch"),
    (_spec(model=replace(LENET_RELU_HE, activation="tanh"), init_from=SHIPPED), "tl_activation"),
    (_spec(model=replace(LENET_RELU_HE, batchnorm=True), init_from=SHIPPED), "tl_batchnorm_on"),
    (_spec("cifar10", ModelConfig("tinyvgg", (3, 32, 32)), init_from="shipped:tinyvgg_shapes"), "tl_classes"),
    (_spec(init_from="shipped:no_such_model"), "tl_missing"),
    (_spec(init_from="run:gone"), "tl_missing"),
])
def test_what_does_not_fit_is_said(runs: Path, spec: RunSpec, key: str) -> None:
    with pytest.raises(CnnvizError) as err:
        check_transfer(spec, runs)
    assert err.value.key == key


def test_sizes_and_batchnorm_and_freezing_an_mlp_are_checked_against_the_source(runs: Path) -> None:
    vgg = ModelConfig("vgg", (1, 28, 28), batchnorm=True, depth=2, width=8)
    _source(runs, "vgg", vgg)
    _source(runs, "mlp", ModelConfig("mlp", (1, 28, 28), depth=1, width=8))
    cases = [(_spec(model=replace(vgg, width=16), init_from="run:vgg"), "tl_size"),
             (_spec(model=replace(vgg, batchnorm=False), init_from="run:vgg"), "tl_batchnorm_off"),
             (_spec(model=ModelConfig("mlp", (1, 28, 28), depth=1, width=8), init_from="run:mlp",
                    freeze="features"), "tl_no_convs")]
    for spec, key in cases:
        with pytest.raises(CnnvizError) as err:
            check_transfer(spec, runs)
        assert err.value.key == key
    # what does not change weights may differ: the initialisation (overwritten) and the dropout
    assert check_transfer(_spec(model=replace(vgg, init="glorot", dropout=0.5), init_from="run:vgg"), runs)


def test_a_damaged_source_is_a_checkpoint_error(runs: Path) -> None:
    path = run_dir("bad", runs) / "model.safetensors"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError):
        check_transfer(_spec(init_from="run:bad"), runs)


class _StopAfterFirstEpoch(JobContext):
    def append(self, key: str, item: object) -> None:
        super().append(key, item)
        self.cancelled.set()  # the next step sees it: the run stops with one epoch saved


def test_a_resumed_run_continues_from_its_resume_point_not_from_the_source(runs: Path) -> None:
    _source(runs, "src", LENET_RELU_HE)
    spec = _spec(init_from="run:src", freeze="features", new_head=True)
    run_job(spec, root=runs)(_StopAfterFirstEpoch("cut"))
    assert len(load_checkpoint(run_dir("cut", runs) / "model.safetensors")[1].history) == 1
    straight = _train(spec, runs, "straight")  # the same run, never interrupted
    (run_dir("src", runs) / "model.safetensors").unlink()  # reading the source again would fail now
    run_job(spec, root=runs, resume=True)(JobContext("cut"))
    resumed, info = load_checkpoint(run_dir("cut", runs) / "model.safetensors")
    assert [r["epoch"] for r in info.history] == [1, 2]
    for name, tensor in straight.state_dict().items():
        assert torch.equal(resumed.state_dict()[name], tensor), name
