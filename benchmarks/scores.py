"""Speed of the attribution scores (cnnviz.explain.scores) and of an Attributions click with them on and off.

Library timings (p50/p95) for the shipped LeNet-5 (28x28 grey) and TinyVGG (32x32 RGB) on one
random input, at torch's default thread count and at 1 thread, per method: the map alone (the
baseline), the cascading randomisation (one map per layer), the deletion and the insertion curve,
and ``score`` (all three, given the map), plus the page's three default methods scored together.
Page timings: AppTest reruns after choosing a new target class or picture (maps and, when on,
scores computed afresh), scores on and off, clicks interleaved in the same run; cached reruns.
Usage (from the repository root, OMP_NUM_THREADS unset as the page runs):
.venv/bin/python -m benchmarks.scores [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from streamlit.testing.v1 import AppTest

from benchmarks.common import machine, percentiles, save
from cnnviz.models import zoo
from cnnviz.explain.attribution import attribute
from cnnviz.explain.scores import deletion_curve, insertion_curve, model_randomisation, score
from cnnviz.explain.attrstate import DEFAULT_METHODS, occlusion_defaults

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "scores.json"
METHODS = ("gradcam", "ig", "occlusion", "saliency", "smoothgrad", "guided_backprop")
TARGET_MS = 1000  # p95 of the default methods' maps and scores, and of such a click: keeps the flow
LAYERS = {"lenet5_28x28": "conv2", "tinyvgg_32x32": "conv2_2"}  # the page's default layer


def _settings(method: str, side: int, layer: str) -> tuple[str | None, dict]:
    """The page's defaults: its layer for layer methods, its occlusion window and stride."""
    if method == "gradcam":
        return layer, {}
    if method == "occlusion":
        window, stride = occlusion_defaults(side)
        return None, {"window": window, "stride": stride}
    return None, {}


def _jobs(model: torch.nn.Module, x: torch.Tensor, method: str, layer: str) -> dict[str, Callable]:
    where, params = _settings(method, x.shape[-1], layer)
    amap = attribute(model, x, method, 0, where, **params).map

    def explain(m: torch.nn.Module, xx: torch.Tensor) -> np.ndarray:
        return attribute(m, xx, method, 0, where, **params).map

    return {
        "map_only_baseline": lambda: attribute(model, x, method, 0, where, **params),
        "randomisation": lambda: model_randomisation(model, x, explain, amap),
        "deletion": lambda: deletion_curve(model, x, amap, 0),
        "insertion": lambda: insertion_curve(model, x, amap, 0),
        "score_given_the_map": lambda: score(model, x, method, 0, where, original=amap, **params),
    }


def _defaults_job(model: torch.nn.Module, x: torch.Tensor, layer: str) -> Callable:
    """What a click costs: each default method's map, then its scores."""
    settings = {m: _settings(m, x.shape[-1], layer) for m in DEFAULT_METHODS}

    def run() -> None:
        for m, (where, params) in settings.items():
            amap = attribute(model, x, m, 0, where, **params).map
            score(model, x, m, 0, where, original=amap, **params)
    return run


def _with_threads(n: int, fn: Callable) -> float:
    torch.set_num_threads(n)
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def library(models: dict, runs: int, threads: list[int]) -> dict:
    """Every job of every model, each thread count in turn for every sample (same load for all)."""
    jobs: dict[tuple[str, str, str], Callable] = {}
    for name, (model, shape) in models.items():
        x = torch.randn(1, *shape, generator=torch.Generator().manual_seed(0))
        for method in METHODS:
            for job, fn in _jobs(model.eval(), x, method, LAYERS[name]).items():
                jobs[(name, method, job)] = fn
        jobs[(name, "default_methods", "maps_and_scores")] = _defaults_job(model, x, LAYERS[name])
    samples: dict[tuple, list[float]] = {(n, *k): [] for n in threads for k in jobs}
    before = torch.get_num_threads()
    try:
        for key, fn in jobs.items():
            for n in threads:
                _with_threads(n, fn)  # warm-up: kernel selection, allocations
            for _ in range(runs):
                for n in threads:
                    samples[(n, *key)].append(_with_threads(n, fn))
    finally:
        torch.set_num_threads(before)
    out: dict = {}
    for (n, name, method, job), values in samples.items():
        out.setdefault(f"torch_threads_{n}", {}).setdefault(name, {}).setdefault(method, {})[job] = \
            percentiles(values)
    return out


PAGE_MODELS = {  # the model and the pictures its clicks walk through, the first one opened
    "lenet5_28x28": ("shipped:lenet5_digits", ("hw:3", "hw:7", "hw:5", "hw:0", "hw:1")),
    "tinyvgg_32x32": ("shipped:tinyvgg_shapes", ("shape:3", "shape:0", "shape:5", "shape:8", "shape:1")),
}


def _app(model: str, picture: str, scores: bool) -> AppTest:
    """A session on the Attributions page with the default methods, explaining class 0."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for k, v in {"model": model, "image": picture, "methods": ",".join(DEFAULT_METHODS)}.items():
        at.query_params[k] = v
    at.switch_page("pages/attributions.py").run()
    at.toggle(key="attr_scores").set_value(scores).run()
    at.selectbox(key="attr_target").set_value(0).run()
    assert not at.exception, at.exception
    return at


def _fresh_clicks(pictures: tuple[str, ...], n: int) -> list[tuple[str, object]]:
    """``n`` clicks that each ask for a (picture, class) the session has not computed yet: a new
    class on the same picture, or a new picture with the class last chosen."""
    picture, target, clicks = pictures[0], 0, []
    done = {(picture, target)}
    for nxt in pictures:
        if nxt != picture:
            picture = nxt
            clicks.append(("attr_image", picture))
            done.add((picture, target))
        for cls in range(10):
            if (picture, cls) not in done:
                target = cls
                clicks.append(("attr_target", cls))
                done.add((picture, cls))
    return clicks[:n]


def page(runs: int, threads: list[int]) -> dict[str, dict]:
    """New-work clicks and cached reruns, scores on and off, at each thread count, interleaved
    click by click (one session per combination)."""
    out: dict[str, dict] = {}
    before = torch.get_num_threads()
    try:
        for name, (model, pictures) in PAGE_MODELS.items():
            apps = {(on, n): _app(model, pictures[0], on) for n in threads for on in (True, False)}
            fresh: dict[tuple, list[float]] = {k: [] for k in apps}
            cached: dict[tuple, list[float]] = {k: [] for k in apps}
            for key_, value in _fresh_clicks(pictures, runs):
                for (on, n), at in apps.items():
                    widget = at.selectbox(key=key_)
                    fresh[(on, n)].append(_with_threads(n, lambda: widget.set_value(value).run()))
                    cached[(on, n)].append(_with_threads(n, at.run))
                    assert not at.exception, at.exception
            for (on, n) in apps:
                part = out.setdefault(f"torch_threads_{n}", {}).setdefault(name, {})
                tag = "scores_on" if on else "scores_off"
                part[f"new_class_or_picture_{tag}"] = percentiles(fresh[(on, n)])
                part[f"rerun_cached_{tag}"] = percentiles(cached[(on, n)])
    finally:
        torch.set_num_threads(before)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    load_at_start = [round(v, 2) for v in os.getloadavg()]
    models = {}
    for name, key in (("lenet5_28x28", "shipped:lenet5_digits"), ("tinyvgg_32x32", "shipped:tinyvgg_shapes")):
        model, info = zoo.load(key)
        models[name] = (model, info.in_shape)
    threads = sorted({torch.get_num_threads(), 1}, reverse=True)  # torch's default first
    lib = library(models, args.runs, threads)
    pages = page(min(args.runs, 45), threads)
    ratios = {f"{config}.{name}": round(p["new_class_or_picture_scores_on"]["p50_ms"]
                                        / p["new_class_or_picture_scores_off"]["p50_ms"], 2)
              for config, per_model in pages.items() for name, p in per_model.items()}
    checks = {f"library.{config}.{name}": lib[config][name]["default_methods"]["maps_and_scores"]["p95_ms"]
              <= TARGET_MS for config in lib for name in models}
    checks |= {f"page_click_scores_on.{config}.{name}":
               p["new_class_or_picture_scores_on"]["p95_ms"] <= TARGET_MS
               for config, per_model in pages.items() for name, p in per_model.items()}
    result = {
        "machine": machine(),
        "omp_num_threads_env": os.environ.get("OMP_NUM_THREADS"),
        "library": lib,
        "pages": pages,
        "click_ratio_scores_on_vs_off_p50": ratios,
        "target_ms_p95_default_methods": TARGET_MS,
        "targets_met": checks,
        "load_average_1_5_15_min_at_start": load_at_start,
        "load_average_1_5_15_min_at_end": [round(v, 2) for v in os.getloadavg()],
        "notes": "Library: batch 1, random input, eval mode, CPU, target class 0, at torch's default "
                 "intra-op thread count (as the page runs without CNNVIZ_TORCH_THREADS) and at 1 thread, "
                 "alternating sample by sample so both see the same machine load. The page's default "
                 "settings: IG 50 steps, occlusion window/stride from the side, Grad-CAM on the last conv "
                 "layer, 50 curve steps, insertion from a blurred copy. 'randomisation' = one map per layer "
                 "(LeNet-5 and TinyVGG: 5 layers each); 'score_given_the_map' = randomisation + deletion + "
                 "insertion, as the page calls it; 'default_methods.maps_and_scores' = Grad-CAM, IG and "
                 "Occlusion, each map and its scores. Page: server time of one AppTest rerun after a new "
                 "target class or a new picture (LeNet-5: held-out handwritten digits; TinyVGG: generated "
                 "shapes), one session per (model, scores on/off, thread count), clicks interleaved; with "
                 "scores on it includes the random-order reference curves. Browser drawing time is not "
                 "included. The torch_threads_2 library p95s are contention spikes of a shared, loaded "
                 "2-core machine (GUIDE 9: spinning OpenMP threads); compare the p50s and the 1-thread run.",
        "command": f".venv/bin/python -m benchmarks.scores --runs {args.runs}",
    }
    save(result, RESULTS)


if __name__ == "__main__":
    main()
