"""Server-side time of one Convolution-lab rerun at the largest settings the UI allows.

A rerun is what a click costs on the server: the page script runs again (AppTest drives it
in-process; in the browser the step controls rerun only the stepping fragment, which this upper bound
includes). Also times the pieces of a rerun separately, so a regression can be located.
Usage (from the repository root): .venv/bin/python -m benchmarks.conv_page [--runs 40]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from streamlit.testing.v1 import AppTest

from benchmarks.common import machine, percentiles, save, time_it
from cnnviz.conv import conv_trace
from cnnviz.grids import format_matrices
from cnnviz.plots import matrix_figure
from cnnviz.stepview import step_component_data
from cnnviz.transposed import transpose_trace

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "conv_page.json"


def largest_state() -> tuple[np.ndarray, np.ndarray, dict[str, str]]:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (3, 12, 12)).astype(float)
    w = rng.integers(-2, 3, (4, 3, 7, 7)).astype(float)
    params = {"input": format_matrices(x), "kernel": format_matrices(w.reshape(-1, 7, 7)), "stride": "1",
              "padding": "3", "dilation": "1", "bias": "1,2,3,4"}
    return x, w, params


def page_reruns(params: dict[str, str], runs: int) -> list[float]:
    """Click 'Next' on the lab ``runs`` times; each click is one rerun of the page script."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page("pages/convolution.py").run()
    assert not at.exception, at.exception
    for _ in range(3):  # warm-up: imports, caches
        at.button(key="conv_next").click().run()
    samples = time_it(lambda: at.button(key="conv_next").click().run(), runs)
    assert not at.exception and len(at.get("plotly_chart")) == 4
    return samples


def home_reruns(runs: int) -> list[float]:
    """Baseline: reruns of the home page (text only), the floor of what any rerun costs here."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for _ in range(3):
        at.run()
    return time_it(at.run, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    x, w, params = largest_state()
    trace = conv_trace(x, w, np.arange(1.0, 5.0), 1, 3, 1)
    labels = {}
    # the largest transposed scatter the lab draws (40x40: 12x12 input, 7x7 kernel, stride 3)
    transposed = transpose_trace(x, w.transpose(1, 0, 2, 3), None, 3, 0, 0, 1)
    lab, home = percentiles(page_reruns(params, args.runs)), percentiles(home_reruns(args.runs))
    result = {
        "settings": "input 12x12x3, kernel 7x7, 4 output channels, padding 3, stride 1 (12x12 outputs, 144 steps)",
        "machine": machine(),
        "page_rerun": lab,
        "home_rerun_baseline": home,
        "ratio_p50_lab_to_home": round(lab["p50_ms"] / home["p50_ms"], 2),
        "pieces": {
            "conv_trace": percentiles(time_it(lambda: conv_trace(x, w, None, 1, 3, 1), args.runs)),
            "step_view_data": percentiles(time_it(lambda: step_component_data(trace, 0, 0, labels), args.runs)),
            "transposed_step_view_data_40x40": percentiles(time_it(
                lambda: step_component_data(transposed, 0, 0, labels), args.runs)),
            "four_output_figures": percentiles(time_it(
                lambda: [matrix_figure(trace.out[o], "", (0, 0)).to_json() for o in range(4)], args.runs)),
        },
        "target": "page_rerun p95 <= 150 ms",
        "command": ".venv/bin/python -m benchmarks.conv_page --runs 40",
    }
    save(result, RESULTS)


if __name__ == "__main__":
    main()
