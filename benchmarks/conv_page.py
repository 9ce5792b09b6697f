"""What one Convolution-lab click costs at the largest settings the UI allows.

A click is timed end to end against a real ``streamlit run app.py`` server, through the class
simulator's protocol client (benchmarks.stclient): from the BackMsg to ``script_finished``, with
the server's CPU time per click read from /proc (the script run, Plotly's figure work, protobuf
and websocket sending, garbage collection: all of it) and the bytes received. The home page's
rerun is the floor. Also times the pieces of a rerun separately, so a regression can be located.
Usage (from the repository root): .venv/bin/python -m benchmarks.conv_page [--runs 40]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from benchmarks.classload import Server
from benchmarks.common import machine, percentiles, save, time_it
from benchmarks.stclient import Tab
from cnnviz.conv.arithmetic import conv_trace
from cnnviz.conv.grids import format_matrices
from cnnviz.conv.stepview import step_component_data
from cnnviz.conv.transposed import transpose_trace
from cnnviz.plots import matrix_figure

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "conv_page.json"


def largest_state() -> tuple[np.ndarray, np.ndarray, dict[str, str]]:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (3, 12, 12)).astype(float)
    w = rng.integers(-2, 3, (4, 3, 7, 7)).astype(float)
    params = {"input": format_matrices(x), "kernel": format_matrices(w.reshape(-1, 7, 7)), "stride": "1",
              "padding": "3", "dilation": "1", "bias": "1,2,3,4"}
    return x, w, params


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _clicks(server: Server, page: str, query: str, runs: int, press: str | None) -> dict[str, object]:
    """``runs`` clicks of button ``press`` (or plain reruns), one after another, after 3 warm-ups."""
    tab = Tab(server.base, page, query, timeout=60)
    first = await tab.open()
    assert first.ok, first.error

    async def click() -> object:
        r = await (tab.change(press, "trigger_value", True) if press else tab.rerun())
        assert r.ok, r.error
        return r

    for _ in range(3):
        await click()
    cpu0, samples, sizes = server.cpu_s(), [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = await click()
        samples.append(time.perf_counter() - t0)
        sizes.append(r.bytes)
    cpu = server.cpu_s() - cpu0
    await tab.close()
    return {**percentiles(samples), "server_cpu_ms_per_click": round(1000 * cpu / runs, 1),
            "bytes_per_click": round(statistics.mean(sizes))}


def served_clicks(params: dict[str, str], runs: int) -> tuple[dict[str, object], dict[str, object]]:
    """The lab's 'Next' and the home page's rerun, each on a real server of this checkout."""
    server = Server(ROOT, _free_port(), Path(tempfile.mkdtemp(prefix="cnnviz-conv-page-")), "conv_page")
    server.start()
    try:
        lab = asyncio.run(_clicks(server, "convolution", urlencode(params), runs, "conv_next"))
        home = asyncio.run(_clicks(server, "", "", runs, None))
    finally:
        server.stop()
    return lab, home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    x, w, params = largest_state()
    trace = conv_trace(x, w, np.arange(1.0, 5.0), 1, 3, 1)
    labels = {}
    # the largest transposed scatter the lab draws (40x40: 12x12 input, 7x7 kernel, stride 3)
    transposed = transpose_trace(x, w.transpose(1, 0, 2, 3), None, 3, 0, 0, 1)
    lab, home = served_clicks(params, args.runs)
    result = {
        "what": "one click from the protocol client to script_finished on a real server (loopback), "
                "and the server process's CPU per click",
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
        "target": "page_rerun p95 <= 150 ms; server CPU <= 20 ms per typical click",
        "command": ".venv/bin/python -m benchmarks.conv_page --runs 40",
    }
    save(result, RESULTS)


if __name__ == "__main__":
    main()
