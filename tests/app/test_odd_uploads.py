"""Pictures of extreme shapes (N×1, 1×N, 3×5000, ...) uploaded to every page that takes a picture:
each page shows its results, never an exception."""

from __future__ import annotations

import pytest

from tests.app.conftest import no_exception, run_page
from tests.helpers import image_bytes, noise_rgb

SHAPES = [(1, 8000), (8000, 1), (3, 5000), (5000, 3), (1, 1), (2, 700)]  # (height, width)
# (page, URL parameters, the upload widget's key)
PAGES = [
    ("pages/filters.py", {"image": "upload", "filters": "sobel_x,gaussian,canny"}, "flt_file"),
    ("pages/inspect.py", {"model": "shipped:lenet5_digits", "image": "upload"}, "insp_img_file"),
    ("pages/inspect.py", {"model": "shipped:tinyvgg_shapes", "image": "upload"}, "insp_img_file"),
    ("pages/inspect.py", {"model": "imagenet:resnet18", "image": "upload"}, "insp_img_file"),
    ("pages/attributions.py", {"model": "shipped:lenet5_digits", "image": "upload",
                               "methods": "gradcam,saliency"}, "attr_img_file"),
]


def _png(height: int, width: int) -> bytes:
    return image_bytes(noise_rgb(height, width, seed=height * 7 + width))


@pytest.mark.parametrize("page,params,key", PAGES, ids=[f"{p}:{q['model'] if 'model' in q else ''}"
                                                        for p, q, _ in PAGES])
def test_extreme_shapes_upload_cleanly(page: str, params: dict, key: str) -> None:
    at = run_page(page, params)
    no_exception(at)
    for height, width in SHAPES:
        at.file_uploader(key=key).set_value((f"{height}x{width}.png", _png(height, width), "image/png")).run()
        no_exception(at)
        assert not at.error, (height, width, [e.value for e in at.error])
        text = " ".join(m.value for m in at.markdown)
        if page.endswith("filters.py"):  # a card per filter
            assert sum(m.value.startswith("**") for m in at.markdown) == 3, (height, width)
        else:  # the picture, what the model sees, the normalised input; a prediction or maps
            assert len(at.get("image")) >= 3, (height, width)
            marker = "The model says" if page.endswith("inspect.py") else "**Grad-CAM**"
            assert marker in text, (height, width)
