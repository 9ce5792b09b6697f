"""Restart trials: a run trains in a real worker process, which is killed at a random moment
(kill -9, as a crash or a power cut does, or SIGTERM, as a server stop does); a fresh worker then
takes the run back through the job store's heartbeat recovery, as after a server restart.

Counted per trial: epochs lost (an epoch saved before the kill missing afterwards), whether the run
got stuck (not finished within the time limit), whether the final weights equal an uninterrupted
run of the same spec (bitwise, one CPU thread), and how long the recovery took.
Usage (from the repository root): .venv/bin/python -m benchmarks.restart [--trials 6]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from benchmarks.common import machine, save
from cnnviz.models.builders import ModelConfig
from cnnviz.models.checkpoints import load_checkpoint, read_info
from cnnviz.train.engine import TrainConfig
from cnnviz.train.jobs import JobContext
from cnnviz.train.jobstore import DB_NAME, HEARTBEAT_TIMEOUT_S, JobStore
from cnnviz.train.runs import RunSpec, run_dir, run_job

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "restart.json"
SPEC = RunSpec("digits", 1024, 128, ModelConfig("lenet5", (1, 28, 28), init="he"),
               TrainConfig(epochs=8, batch_size=64, optimizer="adam", lr=3e-3, schedule="onecycle", translate=1))
LIMIT_S = 300.0


def _worker(runs: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "cnnviz.train.worker", "--runs", str(runs), "--threads", "1"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _saved(path: Path) -> int:
    try:
        return len(read_info(path).history)
    except Exception:  # noqa: BLE001 - not written yet
        return 0


def _trial(runs: Path, kill: signal.Signals, after_epochs: int, reference: dict) -> dict:
    store = JobStore(runs / DB_NAME)
    job = store.submit(SPEC.to_dict(), owner="trial", title="restart trial")
    model = run_dir(job, runs) / "model.safetensors"
    first = _worker(runs)
    deadline = time.monotonic() + LIMIT_S
    while _saved(model) < after_epochs and time.monotonic() < deadline:
        time.sleep(random.uniform(0.01, 0.2))  # the kill lands at a random point within an epoch
    first.send_signal(kill)
    first.wait(60)
    before, killed_at = _saved(model), time.monotonic()
    second = _worker(runs)  # the restarted server's worker
    try:
        while time.monotonic() < deadline:
            view = store.view(job)
            if view is not None and not view.active:
                break
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(60)
    view = store.view(job)
    history = [r["epoch"] for r in view.progress.get("history", [])]
    resumed, _ = load_checkpoint(model)
    same = all(torch.equal(t, resumed.state_dict()[k]) for k, t in reference.items())
    return {"signal": kill.name, "epochs_saved_before": before, "state": view.state, "attempts": view.attempts,
            "epochs": history, "lost_epochs": max(0, before - len(set(history) & set(range(1, before + 1)))),
            "stuck": view.active, "same_weights_as_uninterrupted": same,
            "recovery_s": round(time.monotonic() - killed_at, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    random.seed(args.seed)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CNNVIZ_DATA"] = str(Path(tmp) / "data")
        run_job(SPEC, root=Path(tmp) / "ref")(JobContext("ref"))
        reference, _ = load_checkpoint(Path(tmp) / "ref" / "ref" / "model.safetensors")
        trials = [_trial(Path(tmp) / f"runs{i}", (signal.SIGKILL, signal.SIGTERM)[i % 2],
                         random.randint(1, SPEC.train.epochs - 2), reference.state_dict())
                  for i in range(args.trials)]
    result = {
        "spec": SPEC.to_dict(), "machine": machine(), "heartbeat_timeout_s": HEARTBEAT_TIMEOUT_S,
        "trials": trials, "lost_epochs": sum(t["lost_epochs"] for t in trials),
        "stuck": sum(t["stuck"] for t in trials), "finished": sum(t["state"] == "done" for t in trials),
        "all_same_weights": all(t["same_weights_as_uninterrupted"] for t in trials),
        "load_average": os.getloadavg(),
        "command": f".venv/bin/python -m benchmarks.restart --trials {args.trials} --seed {args.seed}",
    }
    save(result, RESULTS)


if __name__ == "__main__":
    main()
