"""The Train page's state without Streamlit: URL parameters in and out, bad values, the ladder, the spec."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.models.builders import build_model, param_count
from cnnviz.train.recipes import LADDER, rung_configs
from cnnviz.train.trainstate import CUSTOM, FIELDS, RUNGS, TrainState, from_query, rung_state, settings_of, spec_of, \
    to_query


def _value(name: str) -> st.SearchStrategy:
    f = FIELDS[name]
    if f.kind == "bool":
        return st.booleans()
    if f.kind == "choice":
        return st.sampled_from(f.choices)
    if f.kind == "model":
        return st.sampled_from(("", "shipped:lenet5_digits", "run:AbC_9-z"))
    steps = round((f.high - f.low) / f.step)
    if f.kind == "int":
        return st.integers(0, steps).map(lambda k: int(f.low + k * f.step))
    return st.integers(0, steps).map(lambda k: round(f.low + k * f.step, 2))


STATES = st.builds(TrainState, **{name: _value(name) for name in FIELDS},
                   rung=st.sampled_from((CUSTOM, *RUNGS)),
                   run=st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)))


def test_the_state_has_one_field_per_setting_in_order() -> None:
    names = [f.name for f in fields(TrainState)]
    assert names == [*FIELDS, "rung", "run"]
    assert settings_of(TrainState()) == {name: f.default for name, f in FIELDS.items()}


@settings(max_examples=60, deadline=None)
@given(STATES)
def test_state_round_trips_through_the_url(state: TrainState) -> None:
    back, warnings = from_query(to_query(state))
    assert warnings == []
    assert back == state


def test_no_link_is_the_default_state() -> None:
    assert from_query({}) == (TrainState(), [])
    assert "run" not in to_query(TrainState())
    assert to_query(TrainState())["lr"] == "0.003" and to_query(TrainState())["normalize"] == "1"


@pytest.mark.parametrize("name, raw", [
    ("epochs", "banana"), ("epochs", "0"), ("epochs", "31"), ("optimizer", "lion"), ("n_train", "99999999"),
    ("lr", "0.004"), ("flip", "yes"), ("dropout", "nan"), ("batch_size", "100"), ("seed", "١٢"),
    ("rung", "ladder"), ("run", "../../etc"), ("run", "x" * 65), ("init_from", "../checkpoints/x"),
    ("init_from", "lenet5_digits"), ("init_from", "run:a.b"), ("freeze", "convs"), ("new_head", "true"),
])
def test_a_bad_value_falls_back_with_a_warning(name: str, raw: str) -> None:
    state, warnings = from_query({name: raw, "depth": "2"})
    assert warnings == [("warn_url_value", {"name": name, "value": raw[:29] + "…" if len(raw) > 30 else raw})]
    assert state == replace(TrainState(), depth=2)  # the good value next to it is kept


def test_a_warning_marks_the_value_as_untrusted() -> None:
    _, warnings = from_query({"arch": "x`![](//host/p.png)"})
    assert type(warnings[0][1]["value"]).__name__ == "Untrusted"


def test_a_link_naming_only_a_rung_gets_its_settings_and_named_fields_win() -> None:
    state, warnings = from_query({"rung": "batchnorm", "epochs": "2", "init": "banana"})
    model, train = rung_configs(RUNGS.index("batchnorm"))
    assert [w[1]["name"] for w in warnings] == ["init"]
    assert state.rung == "batchnorm" and state.dataset == "shapes" and state.n_train == 5000
    assert (state.arch, state.batchnorm, state.normalize) == (model.arch, True, True)
    assert state.epochs == 2 != train.epochs  # named by the link
    assert state.init == FIELDS["init"].default != model.init  # named, but bad: the default


@pytest.mark.parametrize("index", range(len(LADDER)))
def test_every_rung_gives_the_ladders_model_and_recipe(index: int) -> None:
    state = rung_state(TrainState(), RUNGS[index])
    model, train = rung_configs(index)
    spec = spec_of(state)
    assert state.rung == RUNGS[index]
    assert spec.model == model and spec.dataset == "shapes"
    assert spec.train == train


def test_the_custom_rung_changes_no_setting() -> None:
    state = replace(TrainState(), arch="vgg", rung="relu")
    assert rung_state(state, CUSTOM) == replace(state, rung=CUSTOM)
    with pytest.raises(ValueError):
        rung_state(state, "nope")


def test_spec_of_the_defaults_is_lenet5_on_digits() -> None:
    spec = spec_of(TrainState())
    assert (spec.dataset, spec.n_train, spec.n_val, spec.model.arch) == ("digits", 4000, 1000, "lenet5")
    assert param_count(build_model(spec.model)) == 61_706
    assert spec.title == "LeNet-5 · ReLU · digits"


def test_nesterov_applies_only_to_sgd_with_momentum() -> None:
    assert not spec_of(replace(TrainState(), nesterov=True, optimizer="adam")).train.nesterov
    assert not spec_of(replace(TrainState(), nesterov=True, optimizer="sgd", momentum=0.0)).train.nesterov
    assert spec_of(replace(TrainState(), nesterov=True, optimizer="sgd", momentum=0.9)).train.nesterov


def test_settings_that_do_not_fit_together_raise_with_the_reason() -> None:
    with pytest.raises(ValueError, match="1797 images in all"):
        spec_of(replace(TrainState(), dataset="handwritten", n_train=4000, n_val=1000))


def test_a_model_to_start_from_goes_into_the_spec_and_its_title() -> None:
    state = replace(TrainState(), dataset="handwritten", n_train=300, n_val=500, init_from="shipped:lenet5_digits",
                    freeze="features", new_head=True)
    spec = spec_of(state)
    assert (spec.init_from, spec.freeze, spec.new_head) == ("shipped:lenet5_digits", "features", True)
    assert spec.title == "LeNet-5 · ReLU · handwritten ← lenet5_digits"
    assert to_query(state)["init_from"] == "shipped:lenet5_digits" and to_query(state)["new_head"] == "1"


def test_freezing_and_a_new_head_without_a_model_to_start_from_train_from_scratch() -> None:
    spec = spec_of(replace(TrainState(), freeze="all_but_head", new_head=True))
    assert (spec.init_from, spec.freeze, spec.new_head) == ("", "none", False)
    assert "init_from" not in to_query(TrainState())


def test_a_ladder_rung_trains_from_scratch() -> None:
    tuned = replace(TrainState(), init_from="shipped:tinyvgg_shapes", freeze="features", new_head=True)
    state = rung_state(tuned, "relu")
    assert (state.init_from, state.freeze, state.new_head) == ("", "none", False)
    linked, _ = from_query({"rung": "relu", "new_head": "1"})
    assert (linked.init_from, linked.new_head) == ("", True)  # named by the link
