"""The Attributions page's state without Streamlit: methods, class and layer in and out of a link,
each bad value's warning and fallback, hostile text kept as untrusted text, and the rules behind
the settings (Occlusion's limit, where scores run)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.explain.attribution import METHODS
from cnnviz.explain.attrstate import BIG_SIDE, DEFAULT_METHODS, MAX_OCCLUSION_EVALS, MAX_OCCLUSION_EVALS_BIG_CPU, \
    MAX_SIDE_CPU, PRED, AttrState, fmt_score, from_query, occlusion_limit, scores_fit, to_query
from cnnviz.text import Untrusted

LAYERS = ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2"]
DEFAULT_LAYER = "conv2"
CLASSES = 10
PAYLOADS = ["x`![](//e.vil/a.png)`", "![](//e.vil/b.png)", "<img src=//e.vil/c>", "[x](//e.vil/d)"]
HOSTILE = [*PAYLOADS, "²", "١٢", "9" * 4301, "1_0", "nan", "ä" * 500]


def _read(params: dict[str, str]) -> tuple[AttrState, list]:
    return from_query(params, LAYERS, DEFAULT_LAYER, CLASSES)


def _warning(name: str, raw: str) -> tuple[str, dict[str, object]]:
    return "warn_url_value", {"name": name, "value": raw if len(raw) <= 40 else raw[:39] + "…"}


STATES = st.builds(AttrState, layer=st.sampled_from(LAYERS),
                   methods=st.lists(st.sampled_from(list(METHODS)), min_size=1, max_size=6).map(tuple),
                   target=st.one_of(st.just(PRED), st.integers(0, CLASSES - 1)))


@settings(max_examples=80, deadline=None)
@given(STATES)
def test_state_round_trips_through_the_url(state: AttrState) -> None:
    assert _read(to_query(state)) == (state, [])


def test_no_link_is_the_default_state() -> None:
    assert _read({}) == (AttrState(DEFAULT_LAYER, DEFAULT_METHODS, PRED), [])
    assert to_query(AttrState("conv2")) == {"target": "pred", "methods": "gradcam,ig,occlusion", "layer": "conv2"}


def test_no_methods_chosen_reads_back_as_the_default_methods() -> None:
    assert to_query(AttrState("conv1", ()))["methods"] == ""
    assert _read({"methods": ""}) == (AttrState(DEFAULT_LAYER), [])
    assert _read({"methods": ",,"}) == (AttrState(DEFAULT_LAYER), [])


def test_a_link_names_methods_class_and_layer() -> None:
    state, warnings = _read({"methods": "saliency,gradcam", "target": "7", "layer": "pool1"})
    assert warnings == [] and state == AttrState("pool1", ("saliency", "gradcam"), 7)
    assert _read({"target": "0"})[0].target == 0 and _read({"target": "9"})[0].target == 9


@pytest.mark.parametrize("raw", ["bogus", "GradCAM", *HOSTILE])
def test_each_unknown_method_is_warned_about_and_left_out(raw: str) -> None:
    state, warnings = _read({"methods": f"ig,{raw},occlusion"})
    assert state.methods == ("ig", "occlusion") and warnings == [_warning("methods", raw)]
    assert type(warnings[0][1]["value"]) is Untrusted


def test_a_link_of_only_unknown_methods_gets_the_default_methods() -> None:
    state, warnings = _read({"methods": "bogus,nope"})
    assert state.methods == DEFAULT_METHODS and warnings == [_warning("methods", "bogus"), _warning("methods", "nope")]


@pytest.mark.parametrize("raw", ["10", "-1", "Pred", "", " 3", "3.0", *HOSTILE])
def test_a_bad_target_falls_back_to_the_prediction(raw: str) -> None:
    state, warnings = _read({"target": raw, "layer": "conv1"})
    assert state == AttrState("conv1") and warnings == [_warning("target", raw)]


@pytest.mark.parametrize("raw", ["fc3", "Conv1", "", *HOSTILE])
def test_a_layer_the_model_lacks_falls_back_to_the_default(raw: str) -> None:
    state, warnings = _read({"layer": raw, "target": "2"})
    assert state == AttrState(DEFAULT_LAYER, target=2) and warnings == [_warning("layer", raw)]


def test_every_bad_value_is_reported_in_page_order() -> None:
    _, warnings = _read({"layer": "x", "target": "y", "methods": "z"})
    assert [w[1]["name"] for w in warnings] == ["methods", "target", "layer"]


def test_occlusion_limit_is_lower_for_big_inputs_on_a_cpu() -> None:
    assert occlusion_limit(BIG_SIDE, "cpu") == MAX_OCCLUSION_EVALS
    assert occlusion_limit(BIG_SIDE + 1, "cpu") == MAX_OCCLUSION_EVALS_BIG_CPU < MAX_OCCLUSION_EVALS
    assert occlusion_limit(224, "cuda") == MAX_OCCLUSION_EVALS


def test_scores_run_on_a_cpu_only_for_small_inputs() -> None:
    assert scores_fit((1, 28, 28), "cpu") and scores_fit((3, MAX_SIDE_CPU, MAX_SIDE_CPU), "cpu")
    assert not scores_fit((3, 224, 224), "cpu") and not scores_fit((3, 32, MAX_SIDE_CPU + 1), "cpu")
    assert scores_fit((3, 224, 224), "cuda")


def test_fmt_score() -> None:
    assert fmt_score(0.123) == "0.12" and fmt_score(1.0) == "1.00" and fmt_score(0.996) == "1.00"
