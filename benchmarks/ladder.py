"""Validation accuracy of every rung of the recipe ladder, trained one after the other.

    .venv/bin/python -m benchmarks.ladder --n-train 5000 --epochs 8 --seed 0

Same data and seed for every rung (shapes, generated), so the rungs differ only by their recipe.
Writes benchmarks/results/ladder.json.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from pathlib import Path

import torch

from benchmarks.common import machine, save
from cnnviz.data.datasets import DATASETS, load_embedded
from cnnviz.device import best_device
from cnnviz.models.builders import build_model
from cnnviz.train.engine import train
from cnnviz.train.recipes import LADDER, rung_configs

RESULTS = Path(__file__).resolve().parent / "results" / "ladder.json"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=5000)
    parser.add_argument("--n-val", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    device = best_device()
    split = load_embedded("shapes", args.n_train, args.n_val, seed=args.seed)
    rungs = []
    for index, rung in enumerate(LADDER):
        model_cfg, train_cfg = rung_configs(index, "shapes")
        torch.manual_seed(args.seed)
        model = build_model(model_cfg)
        result = train(model, split, DATASETS["shapes"], replace(train_cfg, epochs=args.epochs, seed=args.seed),
                       device=device)
        rungs.append({"rung": index, "key": rung.key, "val_acc": [round(h["val_acc"], 4) for h in result.history],
                      "final_val_acc": round(result.history[-1]["val_acc"], 4),
                      "seconds": round(result.seconds, 1)})
    out = {"benchmark": "ladder", "machine": machine(), "device": str(device),
           "load_average_1_5_15_min": [round(v, 2) for v in os.getloadavg()],
           "n_train": args.n_train, "n_val": args.n_val, "epochs": args.epochs, "seed": args.seed,
           "rungs": rungs, "created": time.strftime("%Y-%m-%d"),
           "command": f".venv/bin/python -m benchmarks.ladder --n-train {args.n_train} --epochs {args.epochs} "
                      f"--seed {args.seed}"}
    save(out, RESULTS)
    return out


if __name__ == "__main__":
    main()
