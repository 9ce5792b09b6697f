"""Lab state: URL parameters in and out, bad values, and what cannot be computed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.convlab import LabState, from_query, problem, size_formula_latex, to_query, trace_of
from cnnviz.conv import output_size

COURSE = {"input": "1,1,1,0,0;0,1,1,1,0;0,0,1,1,1;0,0,1,1,0;0,1,1,0,0", "kernel": "1,0,1;0,1,0;1,0,1"}


def test_course_link_computes_the_course_answer() -> None:
    state, warnings = from_query({**COURSE, "stride": "1", "padding": "0"})
    assert warnings == []
    np.testing.assert_array_equal(trace_of(state).out[0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])


def test_state_round_trips_through_the_url() -> None:
    rng = np.random.default_rng(0)
    s = LabState(x=rng.integers(-9, 9, (2, 6, 7)).astype(float), weight=rng.normal(size=(3, 2, 4, 4)),
                 bias=np.array([0.5, -1.0, 2.0]), stride=2, padding="valid", dilation=2, view="pool",
                 pool="avg", pool_size=3, pool_stride=1, channel=1, step=5)
    back, warnings = from_query(to_query(s))
    assert warnings == []
    np.testing.assert_array_equal(back.x, s.x)
    np.testing.assert_array_equal(back.weight, s.weight)
    np.testing.assert_array_equal(back.bias, s.bias)
    for name in ("stride", "padding", "dilation", "view", "pool", "pool_size", "pool_stride", "channel", "step"):
        assert getattr(back, name) == getattr(s, name), name


@pytest.mark.parametrize("params, name", [
    ({"stride": "banana"}, "stride"), ({"stride": "9"}, "stride"), ({"padding": "-1"}, "padding"),
    ({"dilation": "1.5"}, "dilation"), ({"pool": "median"}, "pool"), ({"view": "x"}, "view"),
    ({"input": "1,2;x"}, "input"), ({"input": "1,2;3,4"}, "input"), ({"kernel": "1,2,3;4,5,6"}, "kernel"),
    ({"kernel": "1|2|3|4|5|6|7|8|9|10"}, "kernel"), ({"bias": "1,2"}, "bias"),
    ({"input": "|".join(["1,2,3;4,5,6;7,8,9"] * 4)}, "input"),
])
def test_bad_url_values_fall_back_with_a_warning(params: dict[str, str], name: str) -> None:
    state, warnings = from_query(params)
    default = LabState()
    assert len(warnings) == 1 and warnings[0][1]["name" if "name" in warnings[0][1] else "count"] is not None
    assert name in str(warnings[0]) or warnings[0][0] == "warn_url_kernel_shape"
    assert trace_of(state).out.shape[0] >= 1
    if name in ("stride", "padding", "dilation", "pool", "view"):
        assert getattr(state, name) == getattr(default, name)


def test_kernel_channels_follow_the_input_channels() -> None:
    state, warnings = from_query({"input": "1,2,3;4,5,6;7,8,9|1,1,1;1,1,1;1,1,1", "kernel": "1|2|3|4|5|6"})
    assert warnings == [] and state.weight.shape == (3, 2, 1, 1)
    np.testing.assert_array_equal(trace_of(state).out[2], 5 * np.arange(1, 10).reshape(3, 3) + 6)


def test_step_and_channel_are_kept_inside_the_output() -> None:
    state, _ = from_query({**COURSE, "step": "100", "channel": "3"})
    assert state.step == 8 and state.channel == 0


@pytest.mark.parametrize("params, key", [
    ({"stride": "2", "padding": "same"}, "err_same_stride"),
    ({"kernel": ";".join([",".join(["1"] * 7)] * 7)}, "err_kernel_too_big"),
    ({"dilation": "3"}, "err_kernel_too_big"),
    ({"view": "pool", "pool_size": "4", "input": "1,2,3;4,5,6;7,8,9"}, "err_pool_too_big"),
])
def test_impossible_settings_are_explained(params: dict[str, str], key: str) -> None:
    state, _ = from_query({**COURSE, **params})
    assert problem(state)[0] == key
    with pytest.raises(ValueError):
        trace_of(state)


def test_formula_shows_the_users_numbers() -> None:
    latex = size_formula_latex(output_size(7, 3, 3), "H")
    assert "\\frac{7 + 2\\cdot 0 - 1\\cdot(3-1) - 1}{3}" in latex and latex.endswith("= 2 \\end{aligned}")
    assert "1.33" in latex
    assert size_formula_latex(output_size(7, 3, 1, 1), "H").endswith("= 7 \\end{aligned}")
    assert "(0+1)" in size_formula_latex(output_size(5, 2, 1, "same"), "H")


NAMES = ["input", "kernel", "bias", "stride", "padding", "dilation", "view", "pool", "pool_size", "pool_stride",
         "channel", "step"]
TOKENS = st.sampled_from(["0", "1", "3", "7", "12", "-1", "1.5", "same", "valid", "max", "avg", "pool", "conv",
                          ",", ";", "|", "x", "", "1e400", "nan", "\u2212", " ", "9" * 30])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(NAMES), st.lists(TOKENS, max_size=40).map("".join) | st.text(max_size=30)))
def test_any_url_gives_a_page_state_never_an_exception(params: dict[str, str]) -> None:
    """Whatever a link holds, the lab gets a usable state and either an output or a stated problem."""
    state, warnings = from_query(params)
    assert all(isinstance(key, str) and isinstance(args, dict) for key, args in warnings)
    reason = problem(state)
    if reason is None:
        out = trace_of(state).out
        assert np.isfinite(out).all() and 0 <= state.step < out.shape[1] * out.shape[2]
    else:
        assert reason[0].startswith("err_")
