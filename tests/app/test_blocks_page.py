"""The Building-blocks page: every section renders from a link, bad links warn and fall back, the
widgets change the state and the link, and what the page prints equals the library (and so
PyTorch): BatchNorm's mean, the conv head's reading, the augmentation lines, uploads good and bad."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnnviz.course.augment import KINDS, augment, sample
from cnnviz.course.blocks import sample_batch
from cnnviz.course.coursestate import SECTIONS
from cnnviz.course.downsample import METHODS, torch_line
from tests.app.conftest import no_exception, run_page
from tests.app.test_hostile_links import PAYLOADS, _markup, _shown
from tests.helpers import image_bytes, noise_rgb

PAGE = "pages/blocks.py"
PARAMS = ["section", "picture", "factor", "strip", "bn_seed", "momentum", "depth", "aug_image", "aug_seed"]


def text(at: AppTest) -> str:
    return "\n".join(str(el.value) for kind in ("markdown", "caption", "info", "warning", "success", "error")
                     for el in at.get(kind))


def open_page(params: dict[str, str] | None = None) -> AppTest:
    at = run_page(PAGE, params)
    no_exception(at)
    return at


def codes(at: AppTest) -> list[str]:
    return [el.value for el in at.code]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_renders_from_a_link(section: str) -> None:
    at = open_page({"section": section})
    assert at.button_group(key="blk_section").value == section
    assert at.query_params["section"] == section
    assert at.title[0].value == "Building blocks of a CNN"


def test_downsampling_shows_each_method_with_its_pytorch_line() -> None:
    at = open_page({"section": "downsample", "factor": "4", "picture": "checkerboard"})
    assert codes(at) == [torch_line(m, 4) for m in METHODS]
    assert text(at).count("· 32×32") == len(METHODS)
    at.button_group(key="blk_factor").set_value(2).run()
    no_exception(at)
    assert codes(at) == [torch_line(m, 2) for m in METHODS]
    assert at.query_params["factor"] == "2" and at.query_params["picture"] == "checkerboard"


def test_head_reads_a_strip_and_refuses_bad_digits() -> None:
    at = open_page({"section": "head", "strip": "2024"})
    positions = ((28 * 4 // 2 - 4) // 2) - 4  # conv1 pads, pool halves, conv2 takes 4, pool halves, 5x5 head takes 4
    assert f"each of the {positions} positions" in text(at)
    maps = ((28 * 4 // 2) - 4) // 2  # the width of the 16 maps the head gets
    assert f"16·5·{maps} = {16 * 5 * maps:,} values, and fc1 takes exactly 400" in text(at)
    at.text_input(key="blk_strip").input("12a").run()
    no_exception(at)
    assert "Type 1 to 6 digits" in text(at)
    assert at.query_params["strip"] == "2024"


def test_batchnorm_shows_the_batch_mean_and_the_torch_check() -> None:
    at = open_page({"section": "batchnorm", "bn_seed": "5", "momentum": "none"})
    x = sample_batch(5)
    mean0 = x[:, 0].mean()
    assert f"/ 8 = {mean0:.4f}".rstrip("0").rstrip(".") in text(at)
    assert "differs from these numbers by at most" in text(at)
    assert "(1 − 1)·0" in text(at)  # momentum None on the first batch: the new batch gets weight 1
    at.button(key="blk_bn_new").click().run()
    no_exception(at)
    assert at.query_params["bn_seed"] == "6"


def test_activation_depth_slider() -> None:
    at = open_page({"section": "activations", "depth": "10"})
    assert "0.25^10 = **9.54e-07**" in text(at)
    at.slider(key="blk_depth").set_value(20).run()
    no_exception(at)
    assert "0.25^20 = **9.09e-13**" in text(at)
    assert at.query_params["depth"] == "20"


def test_augmentation_prints_the_lines_that_make_its_pictures() -> None:
    at = open_page({"section": "augment", "aug_image": "digit:7", "aug_seed": "3"})
    img = sample("digit:7")
    for kind, code in zip(KINDS, codes(at)):
        assert code.startswith("torch.manual_seed(3)")
        assert augment(img, kind, 3).line in code
    at.button(key="blk_aug_next").click().run()
    no_exception(at)
    assert codes(at)[0].startswith("torch.manual_seed(7)") and at.query_params["aug_seed"] == "7"


def test_augmentation_of_an_upload_and_of_a_broken_file() -> None:
    at = open_page({"section": "augment", "aug_image": "upload"})
    assert "Upload" in text(at) or at.get("file_uploader")
    photo = noise_rgb(60, 80)
    at.get("file_uploader")[0].set_value(("photo.png", image_bytes(photo), "image/png")).run()
    no_exception(at)
    assert len(codes(at)) == len(KINDS)
    assert "T.RandomCrop((60, 80), padding=7)" in codes(at)[1]  # the upload's own size
    at.get("file_uploader")[0].set_value(("broken.png", b"not a picture", "image/png")).run()
    no_exception(at)
    assert at.error


@pytest.mark.parametrize("params, name", [({"section": "banana"}, "section"), ({"factor": "3"}, "factor"),
                                          ({"strip": "12345678"}, "strip"), ({"bn_seed": "-2"}, "bn_seed"),
                                          ({"momentum": "0.3"}, "momentum"), ({"depth": "999"}, "depth"),
                                          ({"aug_image": "photo:cat"}, "aug_image"), ({"picture": "x"}, "picture")])
def test_bad_link_values_warn_and_fall_back(params: dict[str, str], name: str) -> None:
    at = open_page(params)
    assert f"{name}=" in " ".join(w.value for w in at.warning)
    assert at.query_params[name] != params[name]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_in_a_link_stays_text(payload: str) -> None:
    at = open_page({name: payload for name in PARAMS})
    assert not [m for s in _shown(at) for m in _markup(s)]
    warned = " ".join(w.value for w in at.warning)
    assert all(f"{name}=" in warned for name in PARAMS)


def test_vietnamese() -> None:
    at = open_page({"lang": "vi", "section": "batchnorm"})
    assert at.title[0].value == "Các khối xây dựng của CNN"
    assert "Trung bình μ" in text(at)
