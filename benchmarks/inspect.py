"""Speed of the Inspect and Attributions pages: the library calls behind them, and a rerun's
server time.

Library timings (p50/p95) for the shipped LeNet-5 (28x28 grey) and TinyVGG (32x32 RGB), and for
ResNet-18 at 224x224 (random weights: the same work as trained ones): feature maps of every layer
(capture), Grad-CAM of every conv layer (one forward + one backward), Integrated Gradients with 50
steps, Occlusion with the page's default window and stride. Page timings: AppTest reruns (a click
costs one) of both pages, with everything cached, and with new work (the next layer; another
target class, which recomputes three methods and the Grad-CAM row).
Usage (from the repository root): .venv/bin/python -m benchmarks.inspect [--runs 30]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch
from streamlit.testing.v1 import AppTest
from torchvision import models

from benchmarks.common import machine, percentiles, save, time_it
from cnnviz.explain.activations import capture, conv_layers
from cnnviz.explain.attribution import attribute, gradcam_all
from cnnviz.explain.attrstate import occlusion_defaults
from cnnviz.models import zoo

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "inspect.json"
TARGETS_MS = {"capture_all_layers": 50, "gradcam_every_conv": 100, "integrated_gradients_50": 500,
              "occlusion": 300}


def library(model: torch.nn.Module, in_shape: tuple[int, int, int], runs: int) -> dict[str, dict]:
    """p50/p95 of the four computations for one model and one random input."""
    model = model.eval()
    x = torch.randn(1, *in_shape, generator=torch.Generator().manual_seed(0))
    convs = conv_layers(model)
    window, stride = occlusion_defaults(min(in_shape[1:]))
    jobs = {
        "forward_only_baseline": lambda: _forward(model, x),
        "capture_all_layers": lambda: capture(model, x),
        "gradcam_every_conv": lambda: gradcam_all(model, x, 0, convs),
        "integrated_gradients_50": lambda: attribute(model, x, "ig", 0, n_steps=50),
        "occlusion": lambda: attribute(model, x, "occlusion", 0, window=window, stride=stride),
    }
    out = {name: percentiles(time_it(fn, runs, warmup=2)) for name, fn in jobs.items()}
    out["occlusion"]["settings"] = f"window {window}, stride {stride}"
    return out


def _forward(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model(x)


def library_at_threads(threads: int, models_: dict, runs: int, resnet_runs: int) -> dict:
    """Every model's timings with torch using ``threads`` intra-op threads."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return {name: library(model, shape, resnet_runs if "resnet" in name else runs)
                for name, (model, shape) in models_.items()}
    finally:
        torch.set_num_threads(before)


def _app(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def inspect_reruns(runs: int) -> dict[str, dict]:
    at = _app("pages/inspect.py", {"model": "shipped:lenet5_digits", "image": "hw:3"})
    for _ in range(3):
        at.run()
    cached = time_it(at.run, runs)
    # Next through all six layers and Back again: new maps, mosaic and kernels on each click.
    clicks = []
    for i in range(runs):
        button = "insp_next" if (i // 5) % 2 == 0 else "insp_back"
        clicks += time_it(lambda: at.button(key=button).click().run(), 1)
    assert not at.exception
    return {"rerun_cached": percentiles(cached), "next_or_back_layer": percentiles(clicks)}


def attribution_reruns(runs: int) -> dict[str, dict]:
    at = _app("pages/attributions.py", {"model": "shipped:lenet5_digits", "image": "hw:3",
                                        "methods": "gradcam,ig,occlusion"})
    for _ in range(3):
        at.run()
    cached = time_it(at.run, runs)
    # Each new class: Grad-CAM, IG (50 steps), Occlusion and the Grad-CAM row computed afresh.
    fresh = []
    for i in range(min(runs, 10)):
        fresh += time_it(lambda: at.selectbox(key="attr_target").set_value(i).run(), 1)
    assert not at.exception
    return {"rerun_cached": percentiles(cached), "new_target_class": percentiles(fresh)}


def home_reruns(runs: int) -> dict:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for _ in range(3):
        at.run()
    return percentiles(time_it(at.run, runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--resnet-runs", type=int, default=5)
    args = parser.parse_args()
    load_at_start = [round(v, 2) for v in os.getloadavg()]
    lenet, lenet_info = zoo.load("shipped:lenet5_digits")
    tiny, tiny_info = zoo.load("shipped:tinyvgg_shapes")
    with torch.random.fork_rng():
        torch.manual_seed(0)
        resnet = models.resnet18(weights=None)
    models_ = {"lenet5_28x28": (lenet, lenet_info.in_shape), "tinyvgg_32x32": (tiny, tiny_info.in_shape),
               "resnet18_224x224": (resnet, (3, 224, 224))}
    default_threads = torch.get_num_threads()
    lib = {f"torch_threads_{n}": library_at_threads(n, models_, args.runs, args.resnet_runs)
           for n in sorted({default_threads, 1}, reverse=True)}
    checks = {f"{config}.{model}.{name}": lib[config][model][name]["p95_ms"] <= limit
              for config in lib for model in ("lenet5_28x28", "tinyvgg_32x32")
              for name, limit in TARGETS_MS.items()}
    pages = {"inspect": inspect_reruns(args.runs), "attributions": attribution_reruns(args.runs),
             "home_baseline": home_reruns(args.runs)}
    result = {
        "machine": machine(),
        "library": lib,
        "pages": pages,
        "targets_ms_p95_small_models": TARGETS_MS,
        "targets_met": checks,
        "all_targets_met": {config: all(v for k, v in checks.items() if k.startswith(config + "."))
                            for config in lib},
        "load_average_1_5_15_min_at_start": load_at_start,
        "notes": "Library calls: batch 1, random input, eval mode, the model's device, with torch's default "
                 "intra-op thread count and with 1 thread. On this shared 2-core machine the 2-thread numbers "
                 "depend on what else runs: an earlier run at load average ~4 measured LeNet-5 capture at "
                 "56 ms p50 with 2 threads against 0.4 ms with 1 (threads spinning against each other). Page "
                 "timings are server time of one AppTest rerun (the script run a click causes) at the default "
                 "thread count, LeNet-5 on a held-out handwritten 3; browser drawing time is not included.",
        "command": f".venv/bin/python -m benchmarks.inspect --runs {args.runs} --resnet-runs {args.resnet_runs}",
    }
    save(result, RESULTS)


if __name__ == "__main__":
    main()
