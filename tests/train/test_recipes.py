"""Tests for cnnviz.train.recipes: every rung builds, rungs accumulate, and the ladder's first contrast.

The contrast test trains two small CNNs on 2,000 embedded shapes (about 20 s on one loaded core);
everything else only builds configs and runs one forward pass.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from cnnviz.data.datasets import DATASETS, load_embedded
from cnnviz.models.builders import build_model
from cnnviz.train.engine import TrainConfig, train
from cnnviz.train.recipes import LADDER, rung_configs
from cnnviz.train.runs import RunSpec


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("dataset", ["shapes", "cifar10", "digits"])
@pytest.mark.parametrize("index", range(len(LADDER)))
def test_every_rung_builds_a_working_model(index: int, dataset: str) -> None:
    info = DATASETS[dataset]
    model_cfg, train_cfg = rung_configs(index, dataset)
    assert model_cfg.in_shape == info.shape and model_cfg.num_classes == len(info.classes)
    assert isinstance(train_cfg, TrainConfig)
    RunSpec(dataset, 100, 20, model_cfg, train_cfg)  # the Train page can submit it as it is
    model = build_model(model_cfg).eval()
    with torch.no_grad():
        out = model(torch.zeros(2, *info.shape))
    assert out.shape == (2, len(info.classes)) and torch.isfinite(out).all()


@pytest.mark.parametrize("index", [-1, len(LADDER)])
def test_rungs_outside_the_ladder_are_refused(index: int) -> None:
    with pytest.raises(ValueError):
        rung_configs(index)


def test_rung_keys_are_unique() -> None:
    keys = [rung.key for rung in LADDER]
    assert len(set(keys)) == len(keys)


def test_first_rungs_are_the_mlp_and_the_deep_sigmoid_cnn() -> None:
    mlp, _ = rung_configs(0)
    sigmoid, sigmoid_train = rung_configs(1)
    assert mlp.arch == "mlp"
    assert sigmoid.arch == "vgg" and sigmoid.activation == "sigmoid" and not sigmoid.batchnorm
    assert sigmoid_train.normalize is False and sigmoid_train.schedule == "constant"


@pytest.mark.parametrize("index", range(2, len(LADDER)))
def test_each_rung_changes_exactly_its_overrides(index: int) -> None:
    prev_model, prev_train = rung_configs(index - 1)
    model, train_cfg = rung_configs(index)
    rung = LADDER[index]
    for before, after, overrides in ((prev_model.to_dict(), model.to_dict(), rung.model),
                                     (prev_train.to_dict(), train_cfg.to_dict(), rung.train)):
        assert set(overrides) <= set(after)
        for key in after:
            assert after[key] == (overrides[key] if key in overrides else before[key]), key
    assert (prev_model, prev_train) != (model, train_cfg)  # every rung changes something


def _val_acc(index: int, split, epochs: int, seed: int) -> float:
    model_cfg, train_cfg = rung_configs(index, "shapes")
    torch.manual_seed(seed)
    model = build_model(model_cfg)
    result = train(model, split, DATASETS["shapes"], replace(train_cfg, epochs=epochs, seed=seed))
    assert result.stopped == "done"
    return result.history[-1]["val_acc"]


@pytest.mark.slow
def test_deep_sigmoid_stays_at_chance_where_relu_learns(tmp_path: Path) -> None:
    # Measured on 3,000/500 shapes, 4 epochs, seeds 0-2: rung 1 (sigmoid) 0.100 every time;
    # rung 2 (the same network with ReLU) 0.44, 0.27, 0.43.
    split = load_embedded("shapes", 3000, 500, seed=0, cache_dir=tmp_path)
    assert _val_acc(1, split, epochs=4, seed=0) < 0.2
    assert _val_acc(2, split, epochs=4, seed=0) > 0.3
