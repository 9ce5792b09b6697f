"""Time decoding and preparing a 12-megapixel JPEG upload, as the Filters page does it.

Baseline in the same run: Pillow's bare open + RGB conversion of the same bytes, with none of
the checks. Usage (from the repository root): .venv/bin/python -m benchmarks.images [--runs 15]
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from benchmarks.common import machine, percentiles, save, time_it
from cnnviz.imaging.images import decode_image, downscale_for_display, sample_image, to_gray

RESULTS = Path(__file__).resolve().parent / "results" / "images.json"


def twelve_megapixel_jpeg() -> bytes:
    """A real photo upscaled to 4000x3000 with added noise (so JPEG cannot compress it trivially)."""
    big = cv2.resize(np.asarray(sample_image("astronaut")), (4000, 3000), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(0).integers(-8, 9, big.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(big + noise, 0, 255).astype(np.uint8)).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data = twelve_megapixel_jpeg()
    prepare = lambda: to_gray(downscale_for_display(decode_image(data), 512))  # noqa: E731
    bare = lambda: np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))  # noqa: E731
    prepare(), bare()  # warm-up
    ours, baseline = percentiles(time_it(prepare, args.runs)), percentiles(time_it(bare, args.runs))
    result = {
        "input": f"4000x3000 JPEG, {len(data) / 1e6:.1f} MB",
        "machine": machine(),
        "decode_and_prepare": ours,
        "pillow_bare_decode_baseline": baseline,
        "ratio_p50_ours_to_bare": round(ours["p50_ms"] / baseline["p50_ms"], 2),
        "target": "decode_and_prepare p95 <= 300 ms",
        "command": ".venv/bin/python -m benchmarks.images --runs 15",
    }
    save(result, RESULTS)


if __name__ == "__main__":
    main()
