"""Confusion matrix of a shipped model on its own validation images, and the images of each cell.

The validation images are regenerated from the model's recipe (cnnviz.models.shipped): the embedded
generators draw validation images from their own random stream, so one training image and the
recipe's seed give back exactly the images the model was scored on. Predictions go through the
training engine's own normalisation. No Streamlit; the caller caches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnviz.data.datasets import DATASETS, Split, load_embedded
from cnnviz.models.shipped import SHIPPED
from cnnviz.train.engine import DeviceData

__all__ = ["EVAL_BATCH", "Confusion", "cell_members", "confusion", "confusion_matrix", "validation_set"]

EVAL_BATCH = 500


@dataclass(frozen=True, eq=False)
class Confusion:
    """Labels, predictions and images of one model's validation set; arrays are read-only."""

    name: str  # shipped checkpoint name
    classes: tuple[str, ...]
    images: np.ndarray  # uint8 (N, C, H, W)
    labels: np.ndarray  # int64 (N,)
    predictions: np.ndarray  # int64 (N,)
    matrix: np.ndarray  # int64 (classes, classes): rows true class, columns predicted class

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.matrix)) / max(int(self.matrix.sum()), 1)


def validation_set(name: str, cache_dir: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The validation images (uint8 (N, C, H, W)) and labels the shipped model ``name`` was scored on."""
    recipe = SHIPPED[name]
    split = load_embedded(recipe.dataset, 1, recipe.n_val, seed=recipe.train.seed, cache_dir=cache_dir)
    return split.x_val, split.y_val


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, n: int) -> np.ndarray:
    """Counts of (true, predicted) pairs: entry [i, j] is how many images of class i were called j."""
    flat = np.asarray(labels, np.int64) * n + np.asarray(predictions, np.int64)
    return np.bincount(flat, minlength=n * n).reshape(n, n)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def confusion(name: str, model: nn.Module, cache_dir: str | None = None) -> Confusion:
    """Predict every validation image of shipped model ``name`` with ``model`` (its loaded weights)."""
    recipe = SHIPPED[name]
    info = DATASETS[recipe.dataset]
    x, y = validation_set(name, cache_dir)
    device = next(model.parameters()).device
    data = DeviceData(Split(x[:0], y[:0], x, y), info, device, recipe.train.normalize)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        preds = torch.cat([model(data.prepare(data.x_val[i:i + EVAL_BATCH])).argmax(1).cpu()
                           for i in range(0, len(y), EVAL_BATCH)])
    model.train(was_training)
    labels, predictions = y.numpy(), preds.numpy()
    return Confusion(name=name, classes=info.classes, images=_readonly(x.numpy()), labels=_readonly(labels),
                     predictions=_readonly(predictions),
                     matrix=_readonly(confusion_matrix(labels, predictions, len(info.classes))))


def cell_members(c: Confusion, true: int, predicted: int) -> np.ndarray:
    """Indices of the validation images of class ``true`` that the model called ``predicted``."""
    return np.flatnonzero((c.labels == true) & (c.predictions == predicted))
