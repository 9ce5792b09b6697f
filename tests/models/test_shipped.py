"""The shipped checkpoints load, match their recipes, and their quoted accuracies are reproduced."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from cnnviz.data.datasets import DATASETS, Split, load_embedded
from cnnviz.data.drawings import make_drawings
from cnnviz.models.checkpoints import list_checkpoints, load_checkpoint
from cnnviz.models.shipped import FOLDER, HANDWRITTEN_HELD_OUT, HANDWRITTEN_TRAIN, SHIPPED
from cnnviz.train.engine import DeviceData, evaluate

TARGET = {"digits": 0.97, "shapes": 0.90}
DRAWN_TARGET = 0.95  # what an MNIST-trained LeNet-5 reads of digits drawn on a canvas
DRAWN_SEED = 11  # not benchmarks/drawn_digits.py's seed: these drawings are fresh


def test_every_recipe_has_its_file_and_nothing_else_ships() -> None:
    assert sorted(p.stem for p, _ in list_checkpoints(FOLDER)) == sorted(SHIPPED)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_checkpoint_reproduces_its_validation_accuracy(name: str, tmp_path: Path) -> None:
    recipe = SHIPPED[name]
    model, info = load_checkpoint(FOLDER / f"{name}.safetensors")
    assert info.config == recipe.model and info.dataset == recipe.dataset
    assert info.train == recipe.train.to_dict()
    assert info.classes == DATASETS[recipe.dataset].classes
    assert len(info.history) == recipe.train.epochs
    assert info.metrics["val_acc"] == info.history[-1]["val_acc"] >= TARGET[recipe.dataset]
    # The validation images come from their own random stream: one training image regenerates them.
    split = load_embedded(recipe.dataset, 1, recipe.n_val, seed=recipe.train.seed, cache_dir=tmp_path)
    data = DeviceData(split, DATASETS[recipe.dataset], "cpu", recipe.train.normalize)
    loss, acc = evaluate(model, data, data.x_val, data.y_val)
    assert acc == pytest.approx(info.metrics["val_acc"], abs=1 / recipe.n_val)
    assert loss == pytest.approx(info.metrics["val_loss"], rel=1e-3, abs=1e-4)


def test_digits_model_reads_real_handwriting_it_never_trained_on() -> None:
    model, info = load_checkpoint(FOLDER / "lenet5_digits.safetensors")
    held_out = load_embedded("handwritten", HANDWRITTEN_TRAIN, HANDWRITTEN_HELD_OUT, seed=0)
    trained_on = {bytes(x) for x in held_out.x_train.numpy()}
    unseen = torch.tensor([bytes(x) not in trained_on for x in held_out.x_val.numpy()])
    data = DeviceData(held_out, DATASETS["digits"], "cpu")
    _, acc = evaluate(model, data, data.x_val, data.y_val)
    assert acc == pytest.approx(info.metrics["handwriting_acc"], abs=1e-9)
    assert acc >= 0.90 and info.metrics["handwriting_samples"] == HANDWRITTEN_HELD_OUT
    _, acc_unseen = evaluate(model, data, data.x_val[unseen], data.y_val[unseen])
    assert unseen.sum() >= 495 and acc_unseen >= 0.90  # not carried by duplicates of training images


def test_digits_model_reads_digits_drawn_on_the_canvas() -> None:
    """Simulated student drawings (cnnviz.data.drawings), from a generator the model never trained on."""
    model, _ = load_checkpoint(FOLDER / "lenet5_digits.safetensors")
    x, y, _ = make_drawings(300, DRAWN_SEED)
    images, labels = torch.from_numpy(x), torch.from_numpy(y)
    data = DeviceData(Split(images, labels, images, labels), DATASETS["digits"], "cpu")
    _, acc = evaluate(model, data, data.x_val, data.y_val)
    assert acc >= DRAWN_TARGET
    for digit in range(10):  # no digit is carried by the others
        _, acc_digit = evaluate(model, data, data.x_val[data.y_val == digit], data.y_val[data.y_val == digit])
        assert acc_digit >= 0.8, digit
