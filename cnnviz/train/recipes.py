"""The recipe ladder: ten training set-ups, each adding one classic idea to the one before.

It follows the course's sequence on CIFAR-shaped data (the embedded ``shapes`` set by default):
an MLP baseline, a deep sigmoid CNN that does not learn, then ReLU, input normalisation,
BatchNorm, He init, skip connections, dropout with weight decay, augmentation and learning-rate
decay. Each rung is data (overrides of ``ModelConfig`` and ``TrainConfig``), so the Train page, the
tests and anyone else build the same models from it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from cnnviz.data.datasets import DATASETS
from cnnviz.models.builders import ModelConfig
from cnnviz.train.engine import TrainConfig

__all__ = ["LADDER", "Rung", "rung_configs"]


@dataclass(frozen=True)
class Rung:
    """One step of the ladder: a translation key and what changes relative to the rung below."""

    key: str
    model: dict[str, Any]
    train: dict[str, Any]


# The starting point every rung modifies: plain SGD, no normalisation, no tricks.
_BASE_MODEL = {"arch": "vgg", "depth": 3, "width": 16, "activation": "sigmoid", "init": "default",
               "batchnorm": False, "dropout": 0.0}
_BASE_TRAIN = {"epochs": 8, "batch_size": 128, "optimizer": "adam", "lr": 0.002, "momentum": 0.9,
               "normalize": False}

LADDER: tuple[Rung, ...] = (
    Rung("mlp", {"arch": "mlp", "depth": 2, "width": 32, "activation": "relu"}, {}),
    Rung("sigmoid", {}, {}),
    Rung("relu", {"activation": "relu"}, {}),
    Rung("normalize", {}, {"normalize": True}),
    Rung("batchnorm", {"batchnorm": True}, {}),
    Rung("he", {"init": "he"}, {}),
    Rung("skip", {"arch": "resnet"}, {}),
    Rung("regularize", {"dropout": 0.3}, {"weight_decay": 5e-4}),
    Rung("augment", {}, {"flip": True, "translate": 2}),
    # Decay lowers the average rate, so one-cycle peaks at 3x the constant rate (at 0.002 it
    # underfitted: 0.72 against 0.96 at 0.006 on 5,000 shapes after 8 epochs).
    Rung("lr_decay", {}, {"schedule": "onecycle", "lr": 0.006}),
)


def rung_configs(index: int, dataset: str = "shapes") -> tuple[ModelConfig, TrainConfig]:
    """Model and training configs of rung ``index`` (0-based) on ``dataset``.

    Rung 0 (the MLP) stands apart; rungs 1.. accumulate: rung k applies rungs 1..k in order.
    """
    if not 0 <= index < len(LADDER):
        raise ValueError(f"the ladder has rungs 0..{len(LADDER) - 1}, got {index}")
    info = DATASETS[dataset]
    model, train = dict(_BASE_MODEL), dict(_BASE_TRAIN)
    steps = LADDER[:1] if index == 0 else LADDER[1:index + 1]
    for rung in steps:
        model.update(rung.model)
        train.update(rung.train)
    cfg = ModelConfig(in_shape=info.shape, num_classes=len(info.classes), **model)
    return cfg, replace(TrainConfig(), **train)
