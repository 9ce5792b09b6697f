"""The Filters page's state and its learned section's link, without Streamlit: URL parameters in and
out, every bad value's warning and fallback, and hostile text kept as untrusted text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.imaging.filters import ALL_FILTERS, DEFAULT_SELECTION
from cnnviz.imaging.filterstate import IMAGES, FilterState, LearnedLink, LearnedState, choose_epoch, choose_model, \
    choose_pair, from_query, learned_from_query, learned_to_query, to_query
from cnnviz.text import Untrusted

PAYLOADS = ["x`![](//e.vil/a.png)`", "![](//e.vil/b.png)", "<img src=//e.vil/c>", "[x](//e.vil/d)"]
HOSTILE = [*PAYLOADS, "²", "١٢", "9" * 4301, "1_0", "nan", "ä" * 500]


def _shown(raw: str, limit: int) -> str:
    """What ``untrusted(raw, limit)`` keeps of a value: control characters aside, its first characters."""
    return raw if len(raw) <= limit else raw[:limit - 1] + "…"


STATES = st.builds(FilterState, image=st.sampled_from(IMAGES),
                   filters=st.lists(st.sampled_from(ALL_FILTERS), max_size=8).map(tuple),
                   sigma=st.integers(1, 30).map(lambda k: round(k * 0.1, 1)))  # the slider's steps


@settings(max_examples=80, deadline=None)
@given(STATES)
def test_state_round_trips_through_the_url(state: FilterState) -> None:
    assert from_query(to_query(state)) == (state, [])


def test_no_link_is_the_default_state() -> None:
    assert from_query({}) == (FilterState("camera", DEFAULT_SELECTION, 1.0), [])
    assert to_query(FilterState()) == {"image": "camera", "filters": "sobel_x,sobel_y,laplacian_4,gaussian",
                                       "sigma": "1"}


def test_a_link_names_the_picture_filters_and_sigma() -> None:
    state, warnings = from_query({"image": "checkerboard", "filters": "roberts_x,canny", "sigma": "2"})
    assert warnings == [] and state == FilterState("checkerboard", ("roberts_x", "canny"), 2.0)
    assert from_query({"image": "webcam"})[0].image == "webcam"  # the camera box, never a picture
    assert from_query({"filters": ""})[0].filters == ()  # none chosen
    assert from_query({"filters": ",sobel_x,,"})[0].filters == ("sobel_x",)  # empty names are no names


@pytest.mark.parametrize("name, raw", [
    ("image", "nope"), ("image", "Camera"), ("image", "../x.png"), ("sigma", "99"), ("sigma", "0.05"),
    ("sigma", "-1"), ("sigma", "banana"), ("sigma", ""), *[(n, v) for n in ("image", "sigma") for v in HOSTILE],
])
def test_a_bad_value_falls_back_with_a_warning(name: str, raw: str) -> None:
    state, warnings = from_query({name: raw, "filters": "canny"})
    assert warnings == [("warn_url_value", {"name": name, "value": _shown(raw, 30)})]
    assert type(warnings[0][1]["value"]) is Untrusted
    assert state == FilterState(filters=("canny",))  # the good value next to it is kept


@pytest.mark.parametrize("raw", HOSTILE)
def test_each_unknown_filter_is_warned_about_and_left_out(raw: str) -> None:
    state, warnings = from_query({"filters": f"sobel_x,{raw},canny"})
    assert state.filters == ("sobel_x", "canny")
    assert warnings == [("warn_url_value", {"name": "filters", "value": _shown(raw, 30)})]


def test_a_link_of_only_unknown_filters_shows_none() -> None:
    state, warnings = from_query({"filters": "bogus,nope"})
    assert state.filters == () and [w[1]["value"] for w in warnings] == ["bogus", "nope"]


# ---------------------------------------------------------------------------------------------
# The learned-filters section


def test_the_learned_link_is_kept_as_written() -> None:
    assert learned_from_query({}) == LearnedLink()
    link = learned_from_query({"lmodel": "run:abc", "lepoch": "²", "lpair": PAYLOADS[0], "image": "ramp"})
    assert link == LearnedLink("run:abc", "²", PAYLOADS[0]) and link.run == "abc"


@pytest.mark.parametrize("model", ["shipped:lenet5_digits", "run:../../etc", "run:", "run:a.b", "runx:abc", None])
def test_only_a_well_formed_run_link_names_a_run(model: str | None) -> None:
    assert LearnedLink(model=model).run is None


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(("shipped:lenet5_digits", "shipped:tinyvgg_shapes", "run:AbC_9-z")),
       epoch=st.one_of(st.none(), st.integers(0, 30)), pair=st.sampled_from(("sobel_x", "laplacian_4", "gaussian")))
def test_learned_state_round_trips_through_the_url(model: str, epoch: int | None, pair: str) -> None:
    link = learned_from_query(learned_to_query(LearnedState(model, epoch, pair)))
    last = None if epoch is None else 30
    assert choose_model(link.model, [model, "shipped:other"]) == (model, [])
    assert choose_epoch(link.epoch, last) == (epoch, [])
    assert choose_pair(link.pair, ["sobel_x", "laplacian_4", "gaussian"]) == (pair, [])


def test_learned_to_query_writes_only_what_is_shown() -> None:
    assert learned_to_query(LearnedState()) == {}
    assert learned_to_query(LearnedState(model="shipped:x")) == {"lmodel": "shipped:x"}
    assert learned_to_query(LearnedState(epoch=0, pair="canny")) == {"lepoch": "0", "lpair": "canny"}


@pytest.mark.parametrize("raw", ["shipped:nope", "run:../../etc", *HOSTILE])
def test_a_model_not_listed_is_warned_about(raw: str) -> None:
    assert choose_model(raw, ["shipped:lenet5_digits"]) == (None, [
        ("warn_url_value", {"name": "lmodel", "value": _shown(raw, 40)})])
    assert choose_model(None, ["shipped:lenet5_digits"]) == (None, [])


@pytest.mark.parametrize("raw", ["4", "-1", "banana", "", " 1", "1.0", *HOSTILE])
def test_an_epoch_outside_the_run_is_warned_about(raw: str) -> None:
    assert choose_epoch(raw, 3) == (None, [("warn_url_value", {"name": "lepoch", "value": _shown(raw, 20)})])


def test_an_epoch_of_a_model_without_saved_epochs_is_warned_about() -> None:
    assert choose_epoch("0", None) == (None, [("warn_url_value", {"name": "lepoch", "value": "0"})])
    assert choose_epoch(None, None) == (None, []) and choose_epoch(None, 5) == (None, [])
    assert choose_epoch("007", 7) == (7, [])  # ASCII digits, in range


@pytest.mark.parametrize("raw", ["sobel", "Sobel_x", "sobel_x ", *HOSTILE])
def test_a_pair_not_compared_is_warned_about(raw: str) -> None:
    assert choose_pair(raw, ["sobel_x", "canny"]) == (None, [
        ("warn_url_value", {"name": "lpair", "value": _shown(raw, 30)})])
    assert choose_pair(None, ["sobel_x"]) == (None, [])
