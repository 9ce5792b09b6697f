"""The Inspect page's walk state without Streamlit: the layer a link names, checked against the
model's layers, and hostile text kept as untrusted text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.explain.inspectstate import InspectState, from_query, to_query
from cnnviz.text import Untrusted

LAYERS = ["conv1", "relu1", "pool1", "conv2", "layer1.0.conv1", "fc3"]
HOSTILE = ["x`![](//e.vil/a.png)`", "<img src=//e.vil/c>", "[x](//e.vil/d)", "²", "9" * 4301, "nan", "ä" * 500, "",
           "Conv1", "conv1 "]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(LAYERS))
def test_state_round_trips_through_the_url(layer: str) -> None:
    assert from_query(to_query(InspectState(layer)), LAYERS) == (InspectState(layer), [])


def test_no_link_starts_at_the_first_layer() -> None:
    assert from_query({}, LAYERS) == (InspectState("conv1"), [])
    assert from_query({"model": "shipped:lenet5_digits"}, ["features.0"]) == (InspectState("features.0"), [])


@pytest.mark.parametrize("raw", HOSTILE)
def test_a_layer_the_model_lacks_falls_back_with_a_warning(raw: str) -> None:
    state, warnings = from_query({"layer": raw}, LAYERS)
    assert state == InspectState("conv1")
    assert warnings == [("warn_url_value", {"name": "layer", "value": raw if len(raw) <= 40 else raw[:39] + "…"})]
    assert type(warnings[0][1]["value"]) is Untrusted
