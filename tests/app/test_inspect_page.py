"""The Inspect page: layer totals, predictions and feature maps against torch, the layer walk,
model and picture switches, uploads (pictures and checkpoints, good and bad) and bad links."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import safetensors.torch
import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest

from cnnviz.data.datasets import load_embedded
from cnnviz.models import zoo
from cnnviz.models.shipped import HANDWRITTEN_HELD_OUT, HANDWRITTEN_TRAIN
from tests.helpers import image_bytes

ROOT = Path(__file__).resolve().parents[2]
# The first run of a process imports torch, Captum and the samples: slower than conftest's 30 s
# allow on a loaded 2-core machine.
TIMEOUT = 120


def run(params: dict[str, str] | None = None, page: str = "pages/inspect.py") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def chart(at: AppTest, key: str) -> dict:
    el = next(el for el in at.get("plotly_chart") if el.proto.id.endswith(key))
    return json.loads(el.proto.spec)


def array(z: dict) -> np.ndarray:
    """A typed array of a Plotly spec (base64 bytes, dtype, and a shape unless it is 1-D)."""
    flat = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"])
    return flat.reshape(tuple(int(s) for s in str(z["shape"]).split(","))) if "shape" in z else flat


def handwritten(digit: int) -> np.ndarray:
    """The held-out sample the page offers as hw:<digit>, uint8 (28, 28)."""
    split = load_embedded("handwritten", HANDWRITTEN_TRAIN, HANDWRITTEN_HELD_OUT, seed=0)
    i = int(np.flatnonzero(split.y_val.numpy() == digit)[0])
    return split.x_val[i, 0].numpy()


def lenet_input(digit: int) -> tuple[torch.nn.Module, torch.Tensor]:
    model, info = zoo.load("shipped:lenet5_digits")
    x = (torch.from_numpy(handwritten(digit)).float() / 255 - info.mean[0]) / info.std[0]
    return model, x[None, None]


def test_lenet_totals_and_prediction_match_torch() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "hw:3"})
    assert metric(at, "Total parameters") == "61,706"
    assert metric(at, "Trainable") == "61,706"
    model, x = lenet_input(3)
    with torch.no_grad():
        probs = torch.softmax(model(x)[0].double(), 0)
    top = at.dataframe[0].value
    expected = torch.topk(probs, 5)
    assert list(top["Class"]) == [str(i) for i in expected.indices.tolist()]
    np.testing.assert_allclose(top["Probability"], expected.values.numpy(), rtol=1e-4, atol=1e-7)
    table = at.dataframe[1].value
    assert table["Parameters"].sum() == 61_706
    assert list(table["Output shape"][:4]) == ["6 × 28 × 28", "6 × 28 × 28", "6 × 14 × 14", "16 × 10 × 10"]
    assert dict(at.query_params) | {"lang": "en"} == {"model": "shipped:lenet5_digits", "image": "hw:3",
                                                       "layer": "conv1", "lang": "en"}


def test_vgg16_imagenet_head_has_138_million_parameters() -> None:
    at = run({"model": "imagenet:vgg16", "layer": "features.0"})
    assert metric(at, "Total parameters") == "138,357,544"
    # No weights file here: the page says so and labels the random weights.
    assert any("random weights" in w.value for w in at.warning)
    assert at.selectbox(key="insp_model").value == "imagenet:vgg16"
    assert "RANDOM" in at.selectbox(key="insp_model").format_func("imagenet:vgg16")


def test_mosaic_holds_every_conv1_map_scaled_to_its_own_range() -> None:
    """The one heatmap's tiles are F.conv2d of conv1's kernels, each map scaled min..max."""
    at = run({"model": "shipped:lenet5_digits", "image": "hw:7", "layer": "conv1"})
    model, x = lenet_input(7)
    maps = F.conv2d(x, model.conv1.weight, model.conv1.bias, padding=2)[0].detach().numpy()  # (6, 28, 28)
    spec = chart(at, "insp_mosaic")
    z = array(spec["data"][0]["z"])
    assert z.shape == (2 * 28 + 1, 3 * 28 + 2)  # 6 maps: 2 rows x 3 columns, 1-pixel gaps
    for c in range(6):
        r, q = divmod(c, 3)
        tile = z[r * 29:r * 29 + 28, q * 29:q * 29 + 28]
        want = (maps[c] - maps[c].min()) / (maps[c].max() - maps[c].min())
        np.testing.assert_allclose(tile, want, atol=1e-5)
    # Every click target lies on the tile of the channel it reports.
    marks = spec["data"][1]
    data = np.array(marks["customdata"])  # (markers, 4): channel, min, max, mean for the hover
    assert sorted(set(data[:, 0].astype(int))) == list(range(6))
    for x_, y_, (c, low, high, _) in zip(marks["x"], marks["y"], data):
        r, q = divmod(int(c), 3)
        assert r * 29 <= y_ < r * 29 + 28 and q * 29 <= x_ < q * 29 + 28
        assert (low, high) == pytest.approx((maps[int(c)].min(), maps[int(c)].max()), rel=1e-5, abs=1e-6)


def test_walk_next_back_and_kernels_of_conv2() -> None:
    at = run({"model": "shipped:lenet5_digits", "layer": "pool1"})
    assert at.select_slider(key="insp_layer").value == "pool1"
    assert any("AvgPool2d layer has no kernels" in c.value for c in at.caption)
    at.button(key="insp_next").click().run()
    ok(at)
    assert at.select_slider(key="insp_layer").value == "conv2"
    assert at.query_params["layer"] == "conv2"
    assert any(m.value.startswith("Layer 4 of 12") for m in at.markdown)
    assert any(c.value.startswith("16 filters (rows) × 6 input") for c in at.caption)
    kernels = array(chart(at, "insp_kernel_fig")["data"][0]["z"])
    model, _ = zoo.load("shipped:lenet5_digits")
    w = model.conv2.weight.detach().numpy()
    np.testing.assert_allclose(kernels[6 * 3:6 * 3 + 5, 2 * 6:2 * 6 + 5], w[3, 2], atol=1e-6)  # filter 3, channel 2
    at.button(key="insp_back").click().run()
    at.button(key="insp_back").click().run()
    ok(at)
    assert at.select_slider(key="insp_layer").value == "act1"


def test_chosen_map_is_enlarged_and_sorting_by_mean() -> None:
    at = run({"model": "shipped:lenet5_digits", "layer": "conv2"})
    at.session_state["insp_map"] = 11  # what a click on map 11 sets
    at.toggle(key="insp_sort").set_value(True).run()
    ok(at)
    title = next(m.value for m in at.markdown if m.value.startswith("**Map"))
    assert title.startswith("**Map 11**")
    stats = at.dataframe[2].value
    means = stats["Mean"].to_numpy()
    assert len(means) == 16 and np.all(np.diff(means) <= 0)
    enlarged = array(chart(at, "insp_enlarged")["data"][0]["z"])
    assert enlarged.shape == (10, 10)
    row = stats[stats["Map"] == 11].iloc[0]
    assert np.isclose(enlarged.min(), row["min"], rtol=1e-5) and np.isclose(enlarged.max(), row["max"], rtol=1e-5)


def test_switching_model_changes_pictures_layers_and_totals() -> None:
    at = run({"model": "shipped:lenet5_digits", "layer": "conv2"})
    at.selectbox(key="insp_model").set_value("shipped:tinyvgg_shapes").run()
    ok(at)
    assert metric(at, "Total parameters") == "5,520"
    assert at.selectbox(key="insp_image").value == "shape:3"
    assert at.select_slider(key="insp_layer").value == "conv1_1"
    assert at.query_params["model"] == "shipped:tinyvgg_shapes"


def test_bad_link_values_warn_and_fall_back() -> None:
    at = run({"model": "shipped:nope", "image": "hw:99", "layer": "conv9"})
    text = " ".join(w.value for w in at.warning)
    assert "model=shipped:nope" in text and "image=hw:99" in text and "layer=conv9" in text
    assert at.selectbox(key="insp_model").value == "shipped:lenet5_digits"
    assert at.select_slider(key="insp_layer").value == "conv1"


def test_upload_a_picture_then_a_corrupt_one() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "upload"})
    assert any("Choose an image file" in i.value for i in at.info)
    paper = np.full((60, 40, 3), 255, np.uint8)  # a dark "1" on white paper
    paper[10:50, 18:23] = 0
    at.file_uploader(key="insp_img_file").set_value(("one.png", image_bytes(paper), "image/png")).run()
    ok(at)
    steps = next(c.value for c in at.caption if "grey" in c.value)
    assert "inverted" in steps and "centred by mass" in steps  # auto-inverted: light background
    assert any(m.value.startswith("The model says") for m in at.markdown)
    at.file_uploader(key="insp_img_file").set_value(("bad.png", image_bytes(paper)[:60], "image/png")).run()
    ok(at)
    assert any("incomplete" in e.value or "damaged" in e.value for e in at.error)


def test_upload_checkpoints_ours_foreign_and_garbage(tmp_path: Path) -> None:
    at = run({"model": "upload"})
    assert any(".safetensors" in i.value for i in at.info)
    ours = (ROOT / "checkpoints" / "tinyvgg_shapes.safetensors").read_bytes()
    at.file_uploader(key="insp_ckpt_file").set_value(("mine.safetensors", ours, "application/octet-stream")).run()
    ok(at)
    assert metric(at, "Total parameters") == "5,520"
    assert at.selectbox(key="insp_image").value == "shape:3"
    foreign = safetensors.torch.save({"weight": torch.ones(3, 3)})
    at.file_uploader(key="insp_ckpt_file").set_value(("other.safetensors", foreign, "application/octet-stream")).run()
    ok(at)
    assert any("not saved by this app" in e.value for e in at.error)
    at.file_uploader(key="insp_ckpt_file").set_value(("model.pt", b"\x80\x04garbage", "application/octet-stream")).run()
    ok(at)
    assert any("not a usable model checkpoint" in e.value for e in at.error)


def test_canvas_and_camera_without_a_browser() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "draw"})
    assert any("canvas" in i.value for i in at.info)  # empty (AppTest cannot draw) or unavailable
    assert not any(m.value.startswith("The model says") for m in at.markdown)
    at.selectbox(key="insp_image").set_value("camera").run()
    ok(at)
    assert any("Take a photo" in i.value for i in at.info)


def test_vietnamese_and_a_sample_photo_on_a_digit_model() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "photo:camera", "lang": "vi"})
    assert metric(at, "Tổng số tham số") == "61,706"
    assert any(m.value.startswith("Mô hình trả lời") for m in at.markdown)


def test_a_link_to_a_training_run_and_this_sessions_runs(tmp_path: Path, monkeypatch) -> None:
    """?run=<id> lists and opens that run; runs of this session (my_runs) are listed too."""
    for run_id in ("run-a", "run-b"):
        (tmp_path / run_id).mkdir()
        (tmp_path / run_id / "model.safetensors").write_bytes(
            (ROOT / "checkpoints" / "tinyvgg_shapes.safetensors").read_bytes())
    monkeypatch.setenv("CNNVIZ_RUNS", str(tmp_path))
    at = run({"run": "run-a"})
    model = at.selectbox(key="insp_model")  # AppTest lists options by their labels
    # a run opened by a link is someone's, not "yours"
    assert model.value == "run:run-a" and sum("run run-a from a link" in o for o in model.options) == 1
    assert not any("your run" in o for o in model.options)
    assert not any("run-b" in o for o in model.options)  # another student's run is not listed
    assert metric(at, "Total parameters") == "5,520"
    mine = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    mine.session_state["my_runs"] = ["run-b", "../etc"]
    mine.switch_page("pages/inspect.py").run()
    ok(mine)
    assert sum("your run run-b" in o for o in mine.selectbox(key="insp_model").options) == 1
    assert mine.selectbox(key="insp_model").value == "shipped:lenet5_digits"


def test_only_shipped_models_on_samples_share_results_between_students() -> None:
    """A class on the same sample shares one computation; an upload stays in its session."""
    from types import SimpleNamespace

    from cnnviz.ui.image_source import CAMERA, DRAW, UPLOAD, Source, public
    from cnnviz.ui.model_picker import _shared_store

    pic = np.zeros((4, 4, 3), np.uint8)
    for key, choice, want in [("shipped:lenet5_digits", "hw:3", True), ("imagenet:resnet18", "photo:chelsea", True),
                              ("shipped:lenet5_digits", UPLOAD, False), ("shipped:lenet5_digits", CAMERA, False),
                              ("shipped:lenet5_digits", DRAW, False), ("upload:0123", "hw:3", False),
                              ("run:abcdefghijk", "hw:3", False)]:
        assert public(SimpleNamespace(key=key), Source(choice, pic, "d")) is want, (key, choice)
    assert public(SimpleNamespace(key="shipped:lenet5_digits"), None) is False

    store, _ = _shared_store()
    store.clear()
    first = run({"model": "shipped:lenet5_digits", "image": "hw:7", "layer": "conv1"})
    ok(first)
    kept = set(store)
    assert any(k[2] == "maps" and k[3] == "conv1" for k in kept) and any(k[2] == "mosaic" for k in kept)
    second = run({"model": "shipped:lenet5_digits", "image": "hw:7", "layer": "conv1"})  # another student
    ok(second)
    assert set(store) == kept  # nothing new computed
    assert chart(first, "insp_mosaic") == chart(second, "insp_mosaic")

    store.clear()
    at = run({"model": "shipped:lenet5_digits", "image": "upload", "layer": "conv1"})
    paper = np.full((60, 40, 3), 255, np.uint8)
    paper[10:50, 18:23] = 0
    at.file_uploader(key="insp_img_file").set_value(("one.png", image_bytes(paper), "image/png")).run()
    ok(at)
    assert any(el.proto.id.endswith("insp_mosaic") for el in at.get("plotly_chart"))
    # the uploaded picture's maps and figures stayed in that session; only the shipped model's own
    # kernel figures (no student's data) are shared
    assert store and all(k[1] == "kernels" for k in store), list(store)
