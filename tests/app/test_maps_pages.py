"""What a student reads off the maps of Filters, Attributions and Inspect: results beside the
controls, colour ranges and colour bars with true values, warnings next to the prediction and the
maps, every layer of the table in the walk, readable kernels, and the compared pair in the link."""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pytest
import torch
from captum.attr import LayerAttribution, LayerGradCam
from streamlit.testing.v1 import AppTest

from cnnviz.explain.mapfigures import map_scale, robust_range
from cnnviz.imaging.filters import CLASSIC_FILTERS, apply_cv2, classic_filter
from cnnviz.imaging.images import sample_image, to_gray
from cnnviz.models import zoo
from tests.app.test_inspect_page import array, chart, lenet_input, ok, run


def _has_chart(block: object, key: str) -> bool:
    return any(el.proto.id.endswith(key) for el in block.get("plotly_chart"))


def _beside(at: AppTest, widget: str, key: str) -> bool:
    """Whether the chart ``key`` is in a column of its own, not the column of ``widget`` (the
    outermost columns come first in ``at.columns``)."""
    controls = next(c for c in at.columns if any(w.key == widget for w in c.get(_kind(at, widget))))
    results = next(c for c in at.columns if _has_chart(c, key))
    return results is not controls and not _has_chart(controls, key)


def _kind(at: AppTest, widget: str) -> str:
    return "multiselect" if widget.endswith(("filters", "methods")) else "selectbox"


def values(obj: object) -> np.ndarray:
    """A Plotly spec's array: a plain list, or numpy's base64 form (1-D ones carry no shape)."""
    if isinstance(obj, dict):
        return array(obj) if "shape" in obj else np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
    return np.asarray(obj)


def warnings_near(at: AppTest, key: str) -> list[str]:
    """The warnings in the column that holds the chart ``key``."""
    column = next(c for c in at.columns if _has_chart(c, key))
    return [w.value for w in column.get("warning")]


# --- Filters ---------------------------------------------------------------------------------


def test_filter_responses_sit_beside_the_controls_with_true_values() -> None:
    at = run({"image": "camera", "filters": "laplacian_4,gaussian"}, page="pages/filters.py")
    assert _beside(at, "flt_filters", "flt_r_laplacian_4")
    heat = chart(at, "flt_r_laplacian_4")["data"][1]
    gray = to_gray(np.asarray(sample_image("camera")))
    want = apply_cv2(gray, classic_filter("laplacian_4"))  # the true response (float32, zero borders)
    z = array(heat["z"])
    step = 512 // z.shape[0] + (512 % z.shape[0] > 0)
    np.testing.assert_allclose(z, want[::step, ::step], atol=1e-5)
    low, high = robust_range(want, signed=True)
    assert heat["zmin"] == pytest.approx(low) and heat["zmax"] == pytest.approx(high)
    assert high < 0.5 * float(np.abs(want).max())  # not set by the few extreme pixels: not faint
    assert heat["colorscale"][0][1] != heat["colorscale"][-1][1] and "colorbar" in heat
    blur = chart(at, "flt_r_gaussian")["data"][1]
    assert blur["colorscale"][0][1] == "black"  # unsigned: grey levels, from its own 1st to 99th percentile
    assert any("1st–99th percentile" in c.value for c in at.caption)


def test_the_compared_pair_is_in_the_link() -> None:
    at = run({"lpair": "sobel_y"}, page="pages/filters.py")
    assert at.selectbox(key="lrn_pair").value == "sobel_y"
    assert at.query_params["lpair"] == "sobel_y"
    at.selectbox(key="lrn_pair").set_value("laplacian_4").run()
    ok(at)
    assert at.query_params["lpair"] == "laplacian_4"
    again = run({"lpair": "laplacian_4", "lang": "vi"}, page="pages/filters.py")
    assert again.selectbox(key="lrn_pair").value == "laplacian_4"


def test_a_bad_pair_in_the_link_warns_and_falls_back() -> None:
    at = run({"lpair": "sobel_x\u0000<b>"}, page="pages/filters.py")
    assert any("lpair=" in w.value for w in at.warning)
    fallback = at.selectbox(key="lrn_pair").value
    assert fallback in CLASSIC_FILTERS
    assert at.query_params["lpair"] == fallback  # the link now names what is shown


# --- Attributions ----------------------------------------------------------------------------


def test_maps_sit_beside_the_controls_with_colour_bars_and_true_values() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "hw:3", "methods": "gradcam,ig"},
             page="pages/attributions.py")
    assert _beside(at, "attr_methods", "attr_map_gradcam") and _beside(at, "attr_model", "attr_map_ig")
    model, x = lenet_input(3)
    cam = LayerGradCam(model, model.conv2).attribute(x, target=3, relu_attributions=True)
    cam = LayerAttribution.interpolate(cam, (28, 28), interpolate_mode="bilinear")[0, 0].detach().numpy()
    heat = chart(at, "attr_map_gradcam")["data"][1]
    np.testing.assert_allclose(array(heat["z"]), cam, rtol=1e-4, atol=1e-7)  # hover: the true map
    assert heat["zmin"] == 0 and heat["zmax"] == pytest.approx(map_scale(cam, False), rel=1e-4)
    assert "Viridis" in str(heat["colorscale"]) or heat["colorscale"][0][1].lower() == "#440154"
    ig = chart(at, "attr_map_ig")["data"][1]
    assert ig["zmin"] == pytest.approx(-ig["zmax"])  # signed: symmetric about zero
    assert not [w for w in at.warning if "Not a picture" in w.value]  # a held-out digit: no warning
    assert any(m.value.startswith("The model says **3**") for m in at.markdown)


def test_a_cat_into_lenet_is_warned_about_next_to_the_answer_and_every_map() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "photo:chelsea", "methods": "gradcam,ig,saliency"},
             page="pages/attributions.py")
    boxes = [w for w in warnings_near(at, "attr_map_gradcam") if "Not a picture this model knows" in w]
    assert len(boxes) == 1 and "handwritten digits" in boxes[0]
    assert _beside(at, "attr_model", "attr_map_gradcam")
    notes = [c for c in at.caption if c.value == "⚠ Not a picture this model knows: this map explains a guess."]
    assert len(notes) >= 3 + 1 + 1  # under each of the 3 maps, under the prediction, above the Grad-CAM row


def test_random_weights_are_warned_about_next_to_every_map() -> None:
    at = run({"model": "imagenet:resnet18", "image": "photo:chelsea", "methods": "gradcam"},
             page="pages/attributions.py")
    assert any("Random weights:" in w and "learned nothing" in w for w in warnings_near(at, "attr_map_gradcam"))
    assert sum(c.value.startswith("⚠ Random weights") for c in at.caption) >= 2


def test_vietnamese_warning() -> None:
    at = run({"model": "shipped:tinyvgg_shapes", "image": "photo:chelsea", "methods": "gradcam", "lang": "vi"},
             page="pages/attributions.py")
    assert any("Không phải loại ảnh mô hình này biết" in w.value and "hình màu" in w.value for w in at.warning)


# --- Inspect ---------------------------------------------------------------------------------


def test_the_walk_reaches_the_fully_connected_layers() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "hw:3", "layer": "fc"})
    assert at.select_slider(key="insp_layer").value == "fc"
    options = [o.split(" · ")[0] for o in at.select_slider(key="insp_layer").options]
    assert len(options) == 12 and options[-6:] == ["flatten", "fc1", "act3", "fc2", "act4", "fc"]
    model, x = lenet_input(3)
    with torch.no_grad():
        logits = model(x)[0].numpy()
    bars = chart(at, "insp_vector")["data"][0]
    np.testing.assert_allclose(values(bars["y"]), logits, rtol=1e-5, atol=1e-6)
    assert list(bars["x"]) == [str(d) for d in range(10)]  # the last layer: one bar per class
    assert any(m.value.startswith("Layer 12 of 12") for m in at.markdown)
    weights = array(chart(at, "insp_kernel_fig")["data"][0]["z"])
    np.testing.assert_allclose(weights, model.fc.weight.detach().numpy(), atol=1e-6)  # (10, 84)
    at.button(key="insp_back").click().run()
    ok(at)
    assert at.select_slider(key="insp_layer").value == "act4"


def test_fc1_output_is_the_models() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "hw:5", "layer": "fc1"})
    model, x = lenet_input(5)
    with torch.no_grad():
        feats = model.fc1(torch.flatten(model.pool2(model.act2(model.conv2(model.pool1(model.act1(
            model.conv1(x)))))), 1))[0].numpy()
    bars = chart(at, "insp_vector")["data"][0]
    np.testing.assert_allclose(values(bars["y"]), feats, rtol=1e-5, atol=1e-5)
    assert any("120 numbers" in m.value for m in at.markdown)


def test_small_kernels_have_their_values_written() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "hw:3", "layer": "conv1"})
    spec = chart(at, "insp_kernel_fig")
    heat = spec["data"][0]
    w = zoo.load("shipped:lenet5_digits")[0].conv1.weight.detach().numpy()[:, 0]  # (6, 5, 5)
    text = heat["text"]
    assert text[0][:5] == [f"{v:.2f}" for v in w[0, 0]]  # kernel 0, first row, written in its cells
    assert heat["texttemplate"] == "%{text}" and "%{z" in heat["hovertemplate"]
    assert spec["layout"]["height"] >= 300  # big enough to read, not ~65 px
    assert any("written in its cell" in c.value for c in at.caption)


def test_inspect_warns_next_to_the_prediction() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "photo:chelsea"})
    summary = next(c for c in at.columns if any(h.value == "Prediction" for h in c.get("subheader")))
    assert any("Not a picture this model knows" in w.value for w in summary.get("warning"))
    clean = run({"model": "shipped:lenet5_digits", "image": "hw:3"})
    assert not [w for w in clean.warning if "Not a picture" in w.value]


def test_colour_upload_into_the_digits_model() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "upload"})
    photo = cv2.cvtColor(np.asarray(sample_image("coffee")), cv2.COLOR_RGB2BGR)
    _, data = cv2.imencode(".png", photo)
    at.file_uploader(key="insp_img_file").set_value(("coffee.png", data.tobytes(), "image/png")).run()
    ok(at)
    text = " ".join(w.value for w in at.warning)
    assert "A colour picture into a model of grey pictures" in text and "no plain background" in text


def test_a_grid_of_small_kernels_gets_a_taller_figure_with_values() -> None:
    at = run({"model": "shipped:tinyvgg_shapes", "image": "shape:2", "layer": "conv1_1"})
    spec = chart(at, "insp_kernel_fig")
    w = zoo.load("shipped:tinyvgg_shapes")[0].get_submodule("conv1_1").weight.detach().numpy()  # (10, 3, 3, 3)
    z = array(spec["data"][0]["z"])
    np.testing.assert_allclose(z[:3, :3], w[0, 0], atol=1e-6)  # filter 0, input channel 0
    assert spec["data"][0]["text"][0][:3] == [f"{v:.2f}" for v in w[0, 0, 0]]
    assert spec["layout"]["height"] > 640
