"""How well a digit checkpoint reads digits drawn with the mouse on the app's canvas.

    .venv/bin/python -m benchmarks.drawn_digits --n 5000 --seed 2026 --baseline /tmp/old_lenet.safetensors

The drawings are simulated students (cnnviz.data.drawings), not the generator the shipped model trained
on (cnnviz.data.strokes). Reports accuracy overall, per digit and per style (marking the styles whose
skeleton has a close twin among the training skeletons), and the most frequent confusions; with
``--baseline`` the same for a second checkpoint, on the same drawings in the same run.
Writes benchmarks/results/drawn_digits.json.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks.common import machine, save
from cnnviz.data.datasets import DATASETS, Split
from cnnviz.data.drawings import BOX_H, HAND_STYLES, make_drawings, parse_stroke
from cnnviz.data.strokes import STYLES
from cnnviz.models.checkpoints import load_checkpoint, read_info
from cnnviz.models.shipped import FOLDER
from cnnviz.train.engine import DeviceData

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "drawn_digits.json"
SHIPPED = FOLDER / "lenet5_digits.safetensors"
TWIN_TOLERANCE = 0.05  # way points within 5% of the digit's height of a training skeleton's
TOP_CONFUSIONS = 10


def familiar_styles(tolerance: float = TWIN_TOLERANCE) -> set[tuple[int, str]]:
    """(digit, style) of the evaluation styles whose strokes all have a twin, point for point, in
    one training style: the canonical shapes (a one's bar, a plain seven) both sets share."""
    familiar = set()
    for digit, styles in HAND_STYLES.items():
        train = [[np.array([p[:2] for p in stroke]) for stroke in s] for s in STYLES[digit].values()]
        for name, texts in styles.items():
            ours = [parse_stroke(text)[0] / BOX_H for text in texts]  # the training frame: 1 tall
            for theirs in train:
                if len(theirs) == len(ours) and all(
                        any(t.shape == o.shape and np.abs(t - o).max() < tolerance for t in theirs)
                        for o in ours):
                    familiar.add((digit, name))
    return familiar


def predict(path: Path, x: np.ndarray) -> np.ndarray:
    """Class predictions (n,) of the checkpoint at ``path`` for uint8 inputs (n, 1, 28, 28)."""
    model, info = load_checkpoint(path)
    images = torch.from_numpy(x)
    labels = torch.zeros(len(x), dtype=torch.int64)
    data = DeviceData(Split(images, labels, images, labels), DATASETS[info.dataset], "cpu")
    model.eval()
    with torch.no_grad():
        return model(data.prepare(data.x_val)).argmax(1).numpy()


def report(pred: np.ndarray, y: np.ndarray, styles: list[str]) -> dict:
    """Accuracy overall, per digit and per style, the confusion matrix and its largest entries."""
    familiar = familiar_styles()
    style_arr = np.array(styles)
    per_style = {}
    for digit in range(10):
        for name in sorted(HAND_STYLES[digit]):
            hit = (y == digit) & (style_arr == name)
            per_style[f"{digit}:{name}"] = {"acc": round(float((pred[hit] == digit).mean()), 4),
                                            "n": int(hit.sum()),
                                            "twin_in_training": (digit, name) in familiar}
    unfamiliar = np.array([(int(d), s) not in familiar for d, s in zip(y, styles)])
    matrix = np.zeros((10, 10), np.int64)
    np.add.at(matrix, (y, pred), 1)
    pairs = [(int(t), int(p), int(matrix[t, p])) for t in range(10) for p in range(10)
             if t != p and matrix[t, p] > 0]
    pairs.sort(key=lambda item: -item[2])
    return {"accuracy": round(float((pred == y).mean()), 4),
            "accuracy_styles_without_training_twin": round(float((pred == y)[unfamiliar].mean()), 4),
            "per_digit": {str(d): round(float((pred[y == d] == d).mean()), 4) for d in range(10)},
            "per_style": per_style,
            "confusions": [{"true": t, "read_as": p, "count": c} for t, p, c in pairs[:TOP_CONFUSIONS]],
            "confusion_matrix": matrix.tolist()}


def _shown(path: Path) -> str:
    """The path relative to the repository when it lies inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="drawings (balanced over the digits)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--checkpoint", type=Path, default=SHIPPED)
    parser.add_argument("--baseline", type=Path, default=None, help="a checkpoint to compare against")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    x, y, styles = make_drawings(args.n, args.seed)
    seconds = time.perf_counter() - started
    models = {"current": args.checkpoint} if args.baseline is None else {
        "current": args.checkpoint, "baseline": args.baseline}
    out = {"benchmark": "drawn_digits", "machine": machine(),
           "load_average_1_5_15_min": [round(v, 2) for v in os.getloadavg()],
           "n": args.n, "seed": args.seed, "generate_seconds": round(seconds, 1),
           "styles_with_training_twin": sorted(f"{d}:{s}" for d, s in familiar_styles())}
    for key, path in models.items():
        out[key] = {"checkpoint": _shown(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                    "note": read_info(path).note, **report(predict(path, x), y, styles)}
    out["created"] = time.strftime("%Y-%m-%d")
    out["command"] = (f".venv/bin/python -m benchmarks.drawn_digits --n {args.n} --seed {args.seed}"
                      + (f" --checkpoint {args.checkpoint}" if args.checkpoint != SHIPPED else "")
                      + (f" --baseline {args.baseline}" if args.baseline else ""))
    save(out, RESULTS)
    return out


if __name__ == "__main__":
    main()
