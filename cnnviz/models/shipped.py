"""The checkpoints shipped in ``checkpoints/``, and the command that rebuilds them.

    python -m cnnviz.models.shipped            # all of them
    python -m cnnviz.models.shipped lenet5_digits

Each recipe is fixed here (data sizes, seeds, model, training), so the files are reproducible on a
given device. Font digits alone transfer neither to handwriting nor to digits drawn with a mouse,
so the digits model also trains on generated canvas drawings (``strokes``) and on the training part
of scikit-learn's real handwriting (repeated 8x, so that it stays a fifth of the images next to the
drawings). It reports its accuracy on the held-out handwriting it never saw; benchmarks/
drawn_digits.py measures it on independently simulated drawings.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import torch

from cnnviz.data.datasets import DATASETS, Split, load_embedded
from cnnviz.device import best_device, describe_device
from cnnviz.models.builders import ModelConfig, build_model
from cnnviz.models.checkpoints import CheckpointInfo, read_info, save_checkpoint
from cnnviz.train.engine import DeviceData, TrainConfig, evaluate, train

__all__ = ["FOLDER", "SHIPPED", "Recipe", "build"]

FOLDER = Path(__file__).resolve().parents[2] / "checkpoints"
HANDWRITTEN_TRAIN, HANDWRITTEN_HELD_OUT, HANDWRITTEN_REPEAT = 1297, 500, 8


@dataclass(frozen=True)
class Recipe:
    dataset: str
    n_train: int
    n_val: int
    model: ModelConfig
    train: TrainConfig
    with_handwriting: bool = False
    drawn: int = 0  # canvas drawings (the ``strokes`` set) mixed into the training images


SHIPPED: dict[str, Recipe] = {
    "lenet5_digits": Recipe(
        "digits", 12_000, 2_000,
        ModelConfig("lenet5", (1, 28, 28), activation="relu", init="he"),
        TrainConfig(epochs=8, batch_size=128, optimizer="adam", lr=3e-3, schedule="onecycle",
                    translate=2, seed=0),
        with_handwriting=True, drawn=30_000),
    "tinyvgg_shapes": Recipe(
        "shapes", 20_000, 2_000,
        ModelConfig("tinyvgg", (3, 32, 32), activation="relu", init="he"),
        TrainConfig(epochs=12, batch_size=128, optimizer="adam", lr=3e-3, schedule="onecycle",
                    flip=True, translate=2, seed=0)),
    "vgg_shapes": Recipe(
        "shapes", 20_000, 2_000,
        ModelConfig("vgg", (3, 32, 32), activation="relu", init="he", batchnorm=True, depth=3,
                    width=16),
        TrainConfig(epochs=10, batch_size=128, optimizer="adam", lr=3e-3, schedule="onecycle",
                    flip=True, translate=2, seed=0)),
}


def _data(recipe: Recipe) -> tuple[Split, Split | None]:
    """The training split (with handwriting and drawings mixed in when asked) and the held-out
    handwriting."""
    split = load_embedded(recipe.dataset, recipe.n_train, recipe.n_val, seed=recipe.train.seed)
    xs, ys = [split.x_train], [split.y_train]
    if recipe.drawn:  # one validation image: the drawings are judged by benchmarks/drawn_digits.py
        drawn = load_embedded("strokes", recipe.drawn, 1, seed=recipe.train.seed)
        xs.append(drawn.x_train)
        ys.append(drawn.y_train)
    hand = None
    if recipe.with_handwriting:
        hand = load_embedded("handwritten", HANDWRITTEN_TRAIN, HANDWRITTEN_HELD_OUT, seed=0)
        xs += [hand.x_train] * HANDWRITTEN_REPEAT
        ys += [hand.y_train] * HANDWRITTEN_REPEAT
    return Split(torch.cat(xs), torch.cat(ys), split.x_val, split.y_val), hand


def _mix(recipe: Recipe) -> str:
    """What the training images are made of, for the checkpoint's note."""
    parts = [f"{recipe.n_train:,} of {recipe.dataset}"]
    if recipe.drawn:
        parts.append(f"{recipe.drawn:,} of strokes")
    if recipe.with_handwriting:
        parts.append(f"{HANDWRITTEN_REPEAT}x the {HANDWRITTEN_TRAIN:,}-sample training part of "
                     "scikit-learn's handwriting")
    return ": " + ", ".join(parts) if len(parts) > 1 else ""


def build(name: str, folder: Path = FOLDER, device: torch.device | None = None) -> Path:
    """Train recipe ``name`` and write ``<folder>/<name>.safetensors``; returns the path."""
    recipe = SHIPPED[name]
    device = device or best_device()
    info = DATASETS[recipe.dataset]
    split, held_out = _data(recipe)
    torch.manual_seed(recipe.train.seed)
    model = build_model(recipe.model)
    result = train(model, split, info, recipe.train, device=device)
    last = result.history[-1]
    metrics = {"val_acc": last["val_acc"], "val_loss": last["val_loss"],
               "train_seconds": result.seconds}
    if held_out is not None:
        data = DeviceData(held_out, info, device, recipe.train.normalize)
        loss, acc = evaluate(model, data, data.x_val, data.y_val)
        metrics.update(handwriting_acc=acc, handwriting_loss=loss,
                       handwriting_samples=float(len(held_out.y_val)))
    note = (f"python -m cnnviz.models.shipped {name} on {describe_device()}; trained on "
            f"{len(split.y_train)} images" + _mix(recipe))
    ckpt = CheckpointInfo(config=recipe.model, dataset=recipe.dataset, classes=info.classes,
                          in_shape=info.shape, mean=info.mean, std=info.std, metrics=metrics,
                          history=result.history, train=recipe.train.to_dict(), note=note)
    return save_checkpoint(folder / f"{name}.safetensors", model.cpu(), ckpt)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(SHIPPED)} (default: all)")
    names = parser.parse_args(argv).names or sorted(SHIPPED)
    unknown = sorted(set(names) - set(SHIPPED))
    if unknown:
        parser.error(f"unknown checkpoint(s) {unknown}; choose from {sorted(SHIPPED)}")
    for name in names:
        path = build(name)
        metrics = read_info(path).metrics
        print(f"{path}: " + ", ".join(f"{k}={v:.4g}" for k, v in metrics.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
