"""The Filters page: samples, filter choice, URL state, and uploads (good, corrupt, not an image)."""

from __future__ import annotations

import json

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.app.conftest import no_exception, run_page
from tests.helpers import image_bytes


def _cards(at: AppTest) -> list[str]:
    return [m.value.strip("*") for m in at.markdown if m.value.startswith("**")]


def test_default_sample_and_filters() -> None:
    at = run_page("pages/filters.py")
    no_exception(at)
    assert sorted(_cards(at)) == ["Gaussian blur", "Laplacian (4 neighbours)", "Sobel x", "Sobel y"]
    assert all("agrees to" in c.value for c in at.caption if "cv2.filter2D" in c.value)
    assert sum("white is zero" in c.value for c in at.caption) == 3  # Sobel x, Sobel y, Laplacian are signed


def test_url_restores_image_filters_and_sigma() -> None:
    at = run_page("pages/filters.py", {"image": "checkerboard", "filters": "roberts_x,canny", "sigma": "2",
                                       "lang": "vi"})
    no_exception(at)
    assert at.selectbox(key="flt_image").value == "checkerboard"
    assert _cards(at) == ["Roberts x", "Cạnh Canny"]
    assert at.slider(key="flt_sigma").value == 2.0


def test_bad_url_values_warn() -> None:
    at = run_page("pages/filters.py", {"image": "nope", "filters": "sobel_x,bogus", "sigma": "99"})
    no_exception(at)
    text = " ".join(w.value for w in at.warning)
    assert "image=nope" in text and "filters=bogus" in text and "sigma=99" in text
    assert _cards(at) == ["Sobel x"]


def test_changing_filters_updates_cards_and_url() -> None:
    at = run_page("pages/filters.py")
    at.multiselect(key="flt_filters").set_value(["scharr_y", "sobel_magnitude"]).run()
    no_exception(at)
    assert _cards(at) == ["Scharr y", "Sobel magnitude"]
    assert at.query_params["filters"] == "scharr_y,sobel_magnitude"


def _kernel_font_sizes(at: AppTest) -> list[int]:
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return [s["data"][0]["textfont"]["size"] for s in specs if s["layout"].get("title", {}).get("text") == "Kernel"]


def test_presenter_view_draws_the_kernels_twice_as_large() -> None:
    at = run_page("pages/filters.py", {"filters": "sobel_x,sobel_y"})
    assert _kernel_font_sizes(at) == [13, 13]
    at.session_state["cls_big_on"] = True  # what the teacher's presenter-view toggle keeps (classroom_ui.BIG)
    at.run()
    no_exception(at)
    assert _kernel_font_sizes(at) == [26, 26]


def test_upload_a_png_and_a_corrupt_file() -> None:
    at = run_page("pages/filters.py")
    at.selectbox(key="flt_image").set_value("upload").run()
    assert any("Choose an image" in i.value for i in at.info)
    rgb = np.zeros((40, 60, 3), np.uint8)
    rgb[:, 30:] = 255
    at.file_uploader(key="flt_file").set_value(("edge.png", image_bytes(rgb), "image/png")).run()
    no_exception(at)
    assert any("60×40" in c.value for c in at.caption) and len(_cards(at)) == 4
    at.file_uploader(key="flt_file").set_value(("broken.png", image_bytes(rgb)[:50], "image/png")).run()
    no_exception(at)
    assert any("incomplete" in e.value or "damaged" in e.value for e in at.error)
    at.file_uploader(key="flt_file").set_value(("notes.png", b"hello, not an image", "image/png")).run()
    no_exception(at)
    assert any("not an image" in e.value for e in at.error)


def test_camera_source_asks_for_a_photo() -> None:
    at = run_page("pages/filters.py", {"image": "webcam"})
    no_exception(at)
    assert at.query_params["image"] == "webcam"
    assert any("Take a photo" in i.value for i in at.info)
    assert _cards(at) == []  # nothing to filter until a photo is taken


def test_page_canny_is_opencv_canny_of_the_rounded_grey_picture(monkeypatch) -> None:
    """The page's Canny runs through the library: cv2.Canny of round(255 * grey), on every photo."""
    import cv2

    from cnnviz.imaging import filters
    from cnnviz.imaging.images import SAMPLE_PHOTOS, downscale_for_display, sample_image, to_gray

    seen: list[np.ndarray] = []
    real = filters.canny
    monkeypatch.setattr(filters, "canny", lambda img, *a, **k: seen.append(img.copy()) or real(img, *a, **k))
    for photo in SAMPLE_PHOTOS:
        seen.clear()
        no_exception(run_page("pages/filters.py", {"image": photo, "filters": "canny"}))
        gray = to_gray(downscale_for_display(np.asarray(sample_image(photo)), 512))
        rounded = np.clip(np.rint(gray * 255.0), 0, 255).astype(np.uint8)
        assert len(seen) == 1 and np.array_equal(seen[0], rounded), photo
        np.testing.assert_array_equal(filters.respond("canny", gray).values,
                                      cv2.Canny(rounded, 50, 150, L2gradient=True))
