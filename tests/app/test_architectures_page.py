"""The Architectures page: URL state, bad links, every architecture and section, the inception
sliders, the confusion matrix's cells and the hand-over of one of their images to Inspect."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnnviz.course.architectures import ARCHITECTURES, build
from cnnviz.course.confusion import confusion
from cnnviz.models import zoo
from cnnviz.ui.confusion_ui import cell_of
from tests.app.conftest import no_exception, run_page
from tests.app.test_hostile_links import PAYLOADS, _markup, _shown

PAGE = "pages/architectures.py"
PARAMS = ["arch", "layer", "reduce3", "reduce5", "pool_proj", "cm_model", "cell"]


def text(at: AppTest) -> str:
    return "\n".join(str(el.value) for kind in ("markdown", "caption", "info", "warning", "success", "subheader")
                     for el in at.get(kind))


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def open_page(params: dict[str, str] | None = None) -> AppTest:
    at = run_page(PAGE, params)
    no_exception(at)
    return at


@pytest.fixture(scope="module")
def shapes_confusion():
    model, _ = zoo.load("shipped:tinyvgg_shapes")
    return confusion("tinyvgg_shapes", model)


def test_default_page_walks_lenet5() -> None:
    at = open_page()
    assert at.title[0].value == "Classic CNN architectures"
    assert metric(at, "Parameters") == "61,706"
    table = at.dataframe[0].value
    assert list(table["Layer"]) == ["conv1", "act1", "pool1", "conv2", "act2", "pool2", "flatten", "fc1", "act3",
                                    "fc2", "act4", "fc"]
    assert "156 + 2,416 + 48,120 + 10,164 + 850 = 61,706" in text(at)
    assert at.query_params["arch"] == "lenet5" and at.query_params["layer"] == "conv1"


def test_a_link_opens_vgg16s_fc1_with_the_courses_numbers() -> None:
    at = open_page({"arch": "vgg16", "layer": "fc1"})
    assert at.selectbox(key="arch_layer").value == "fc1"
    shown = text(at)
    assert "7·7·512·4096 = 102,760,448" in shown
    assert "224·224·64 = 3,211,264" in shown and "3·3·3·64 = 1,728" in shown
    total = sum(p.numel() for p in build("vgg16").parameters())
    assert metric(at, "Parameters") == f"{total:,}"
    assert f"= {total:,}" in shown
    assert at.query_params["layer"] == "fc1"


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_every_architecture_renders(arch: str) -> None:
    at = open_page({"arch": arch})
    assert metric(at, "Parameters") == f"{sum(p.numel() for p in build(arch).parameters()):,}"
    assert ARCHITECTURES[arch].label in text(at)
    assert len(at.dataframe[0].value) == len(at.selectbox(key="arch_layer").options)


@pytest.mark.parametrize("arch, layer, field", [("lenet5", "pool2", 16), ("alexnet", "pool3", 195),
                                               ("vgg16", "pool5", 212), ("resnet18", "layer4.1", 435)])
def test_the_last_feature_maps_receptive_field(arch: str, layer: str, field: int) -> None:
    at = open_page({"arch": arch})
    assert metric(at, f"Receptive field of {layer}") == f"{field}×{field}"


def test_switching_architecture_resets_the_layer_and_the_link() -> None:
    at = open_page({"arch": "vgg16", "layer": "fc1"})
    at.button_group(key="arch_arch").set_value("resnet18").run()
    no_exception(at)
    assert at.selectbox(key="arch_layer").value == "conv1"
    assert at.query_params["arch"] == "resnet18" and at.query_params["layer"] == "conv1"
    at.selectbox(key="arch_layer").set_value("layer4.1").run()
    no_exception(at)
    assert "r = 307 + (5 − 1)·32 = 435" in text(at)  # two 3x3 convs: a 5x5 window, 32 pixels a step
    assert at.query_params["layer"] == "layer4.1"


@pytest.mark.parametrize("params, name", [({"arch": "banana"}, "arch"), ({"arch": "vgg16", "layer": "conv9_9"}, "layer"),
                                          ({"reduce3": "0"}, "reduce3"), ({"cm_model": "run:abc"}, "cm_model"),
                                          ({"cell": "4,99"}, "cell")])
def test_bad_link_values_warn_and_fall_back(params: dict[str, str], name: str) -> None:
    at = open_page(params)
    warned = " ".join(w.value for w in at.warning)
    assert f"{name}=" in warned
    assert at.query_params.get(name) != params[name]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_in_a_link_stays_text(payload: str) -> None:
    at = open_page({name: payload for name in PARAMS})
    assert not [m for s in _shown(at) for m in _markup(s)]
    warned = " ".join(w.value for w in at.warning)
    assert all(f"{name}=" in warned for name in PARAMS)


def test_inception_section_counts_and_sliders() -> None:
    at = open_page({"arch": "googlenet"})
    shown = text(at)
    naive = 28 * 28 * 256 * (128 * 1 + 192 * 9 + 96 * 25)
    assert f"= {naive:,}" in shown and "≈ **854M**" in shown
    at.slider(key="arch_r3").set_value(96).run()
    no_exception(at)
    reduced = 28 * 28 * (128 * 256 + 96 * 256 + 192 * 9 * 96 + 64 * 256 + 96 * 25 * 64 + 64 * 256)
    assert f"= {reduced:,}" in text(at)
    assert at.query_params["reduce3"] == "96"


def test_confusion_cell_from_a_link_lists_its_images(shapes_confusion) -> None:
    wrong = np.argwhere(shapes_confusion.matrix - np.diag(np.diag(shapes_confusion.matrix)))
    true, pred = (int(v) for v in wrong[0])
    at = open_page({"cell": f"{true},{pred}"})
    count = int(shapes_confusion.matrix[true, pred])
    names = shapes_confusion.classes
    assert f"True class {names[true]}, predicted {names[pred]}** · images: {count}" in text(at)
    members = np.flatnonzero((shapes_confusion.labels == true) & (shapes_confusion.predictions == pred))
    assert at.selectbox(key="arch_pick").options == [f"#{i}" for i in members[:40]]


def test_confusion_chart_reports_cells_and_click_events_select_them(shapes_confusion) -> None:
    at = open_page()
    spec = next(json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith("arch_cm_chart"))
    markers = spec["data"][1]
    assert markers["type"] == "scatter" and len(markers["customdata"]) == 100  # one invisible marker a cell
    assert [int(v) for v in markers["customdata"][12][:2]] == [1, 2]
    event = {"selection": {"points": [{"x": 2, "y": 1, "customdata": markers["customdata"][12]}]}}
    assert cell_of(event) == (1, 2)
    assert cell_of({"selection": {"points": []}}) is None and cell_of(None) is None


def test_opening_a_cell_image_in_inspect(shapes_confusion) -> None:
    at = open_page({"cell": "1,2"})
    index = int(at.selectbox(key="arch_pick").value)  # the first image of the cell
    at.button(key="arch_open").click().run()
    no_exception(at)
    assert at.title[0].value == "Inspect a CNN"
    assert at.query_params["model"] == "shipped:tinyvgg_shapes" and at.query_params["image"] == "upload"
    handed = at.session_state["src_upload"][1]
    np.testing.assert_array_equal(handed, np.transpose(shapes_confusion.images[index], (1, 2, 0)))


def test_vietnamese() -> None:
    at = open_page({"lang": "vi", "arch": "vgg16"})
    assert at.title[0].value == "Các kiến trúc CNN kinh điển"
    assert "Trọng số của FC1" in text(at)
