"""The model and picture Inspect and Attributions share, without Streamlit: what a link asks for, how
it is checked against the options, the fallbacks (the other page's choice, then the default), the
pictures offered per model, and hostile text kept as untrusted text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.data.datasets import SHAPE_CLASSES
from cnnviz.explain.inputstate import CAMERA, DEFAULT_MODEL, DRAW, UPLOAD, InputLink, InputState, choose_image, \
    choose_model, digit_model, from_query, image_options, to_query
from cnnviz.imaging.images import PATTERNS, SAMPLE_PHOTOS
from cnnviz.text import Untrusted

DIGITS = tuple(str(d) for d in range(10))
MODELS = ["shipped:lenet5_digits", "shipped:tinyvgg_shapes", "run:AbC_9-z", "imagenet:resnet18", UPLOAD]
PAYLOADS = ["x`![](//e.vil/a.png)`", "![](//e.vil/b.png)", "<img src=//e.vil/c>", "[x](//e.vil/d)"]
HOSTILE = [*PAYLOADS, "²", "9" * 4301, "1_0", "nan", "ä" * 500, ""]


def _warning(name: str, raw: str) -> tuple[str, dict[str, object]]:
    return "warn_url_value", {"name": name, "value": raw if len(raw) <= 40 else raw[:39] + "…"}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(MODELS), st.sampled_from(image_options((1, 28, 28), DIGITS)))
def test_state_round_trips_through_the_url(model: str, image: str) -> None:
    link = from_query(to_query(InputState(model, image)))
    options = image_options((1, 28, 28), DIGITS)
    assert choose_model(link, MODELS, current="shipped:tinyvgg_shapes") == (model, [])
    assert choose_image(link, options, current="gen:5") == (image, [])


def test_to_query_writes_only_what_is_chosen() -> None:
    assert to_query(InputState()) == {}
    assert to_query(InputState(model="upload")) == {"model": "upload"}
    assert to_query(InputState(image="photo:chelsea")) == {"image": "photo:chelsea"}


def test_the_link_is_kept_as_written() -> None:
    assert from_query({}) == InputLink()
    assert from_query({"model": "imagenet:vgg16", "image": "²", "layer": "conv1"}) == InputLink(
        "imagenet:vgg16", "²", ())


def test_a_run_link_names_the_model_and_lists_the_run() -> None:
    assert from_query({"run": "abc"}) == InputLink("run:abc", None, ("abc",))
    assert from_query({"model": "run:xyz"}) == InputLink("run:xyz", None, ("xyz",))
    # a named model wins over run=, and both runs are listed, once each
    assert from_query({"model": "run:xyz", "run": "abc"}) == InputLink("run:xyz", None, ("abc", "xyz"))
    assert from_query({"model": "run:abc", "run": "abc"}).runs == ("abc",)
    assert from_query({"model": "shipped:lenet5_digits", "run": "abc"}).model == "shipped:lenet5_digits"


@pytest.mark.parametrize("run", ["../../etc", "a.b", "x" * 65, "", *PAYLOADS])
def test_a_malformed_run_id_is_not_listed(run: str) -> None:
    assert from_query({"run": run}).runs == () and from_query({"model": f"run:{run}"}).runs == ()


def test_a_bad_run_link_is_warned_about_as_its_model() -> None:
    link = from_query({"run": "../../etc"})
    assert choose_model(link, MODELS) == (DEFAULT_MODEL, [_warning("model", "run:../../etc")])


@pytest.mark.parametrize("raw", ["shipped:nope", "run:gone", "imagenet:vgg19", *HOSTILE])
def test_a_model_not_offered_falls_back_with_a_warning(raw: str) -> None:
    choice, warnings = choose_model(InputLink(model=raw), MODELS)
    assert choice == DEFAULT_MODEL and warnings == [_warning("model", raw)]
    assert type(warnings[0][1]["value"]) is Untrusted


def test_the_model_falls_back_to_the_other_pages_then_the_default_then_the_first() -> None:
    assert choose_model(InputLink(), MODELS, current="run:AbC_9-z") == ("run:AbC_9-z", [])
    assert choose_model(InputLink(), MODELS, current="run:gone") == (DEFAULT_MODEL, [])
    assert choose_model(InputLink(), ["imagenet:alexnet", UPLOAD]) == ("imagenet:alexnet", [])
    assert choose_model(InputLink("nope"), MODELS, current=UPLOAD) == (UPLOAD, [_warning("model", "nope")])


@pytest.mark.parametrize("raw", ["hw:3", "gen:11", "photo:nope", "draw", *HOSTILE])
def test_a_picture_not_offered_falls_back_with_a_warning(raw: str) -> None:
    options = image_options((3, 224, 224), tuple(f"c{i}" for i in range(1000)))  # no dataset samples
    assert choose_image(InputLink(image=raw), options) == ("photo:chelsea", [_warning("image", raw)])


def test_the_picture_falls_back_to_the_other_pages_then_the_models_default() -> None:
    digits = image_options((1, 28, 28), DIGITS)
    shapes = image_options((3, 32, 32), SHAPE_CLASSES)
    assert choose_image(InputLink(), digits) == ("hw:3", [])
    assert choose_image(InputLink(), shapes) == ("shape:3", [])
    assert choose_image(InputLink(), shapes, current="photo:rocket") == ("photo:rocket", [])
    assert choose_image(InputLink(), shapes, current="hw:3") == ("shape:3", [])  # not offered for shapes
    assert choose_image(InputLink(image=UPLOAD), shapes, current="photo:rocket") == (UPLOAD, [])


def test_pictures_offered_per_model() -> None:
    general = [f"photo:{n}" for n in SAMPLE_PHOTOS] + [f"pattern:{n}" for n in PATTERNS]
    digits = image_options((1, 28, 28), DIGITS)
    assert digits == [f"hw:{d}" for d in range(10)] + [DRAW] + [f"gen:{d}" for d in range(10)] + \
        [UPLOAD, CAMERA] + general
    assert image_options((3, 32, 32), SHAPE_CLASSES) == [f"shape:{d}" for d in range(10)] + [UPLOAD, CAMERA] + general
    assert image_options((1, 28, 28), tuple("abcdefghij")) == general + [UPLOAD, CAMERA]  # grey, not digits
    assert image_options((3, 32, 32), DIGITS) == general + [UPLOAD, CAMERA]  # digits in colour: no samples
    assert digit_model((1, 28, 28), list(DIGITS)) and not digit_model((3, 28, 28), DIGITS)
