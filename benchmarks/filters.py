"""Time of the classic-filters page's work on a 512x512 photo: every filter, both backends.

`respond_all` runs the 14 linear filters plus Sobel magnitude, unsharp mask and Canny; the same
set with the linear filters through F.conv2d instead of cv2.filter2D is timed in the same run,
so the ratio does not depend on the machine. Usage (from the repository root):
.venv/bin/python -m benchmarks.filters [--runs 30]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from skimage import data

from benchmarks.common import machine, percentiles, save, time_it
from cnnviz.imaging.filters import (CLASSIC_FILTERS, DEFAULT_SELECTION, apply_cv2, apply_torch, canny, classic_filter,
                            respond, respond_all, sobel_magnitude, unsharp_mask)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "filters.json"
TARGET_P95_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    img = (data.camera() / 255.0).astype(np.float32)  # (512, 512)
    filters = [classic_filter(n) for n in CLASSIC_FILTERS]
    u8 = data.camera()
    pieces = {
        "linear_14_cv2": lambda: [apply_cv2(img, f) for f in filters],
        "linear_14_torch": lambda: [apply_torch(img, f) for f in filters],
        "sobel_magnitude": lambda: sobel_magnitude(img),
        "unsharp_mask": lambda: unsharp_mask(img),
        "canny": lambda: canny(u8),
        # what the page computes when it opens: its four filters, each also through torch
        "page_default_selection": lambda: [respond(n, img, compare_torch=True) for n in DEFAULT_SELECTION],
    }
    all_cv2 = percentiles(time_it(lambda: respond_all(img), args.runs, warmup=3))
    all_torch = percentiles(time_it(lambda: respond_all(img, backend="torch"), args.runs, warmup=3))
    result = {
        "settings": "skimage camera 512x512 float32; 14 linear filters (default params: gaussian sigma 1 -> 7x7, "
                    "box 3x3) + sobel_magnitude + unsharp_mask + canny",
        "machine": machine(),
        "respond_all_cv2": all_cv2,
        "respond_all_torch": all_torch,
        "ratio_p50_torch_to_cv2": round(all_torch["p50_ms"] / all_cv2["p50_ms"], 2),
        "pieces": {name: percentiles(time_it(fn, args.runs, warmup=3)) for name, fn in pieces.items()},
        "target": f"respond_all_cv2 p95 <= {TARGET_P95_MS:.0f} ms",
        "target_met": all_cv2["p95_ms"] <= TARGET_P95_MS,
        "command": f".venv/bin/python -m benchmarks.filters --runs {args.runs}",
    }
    save(result, RESULTS)


if __name__ == "__main__":
    main()
