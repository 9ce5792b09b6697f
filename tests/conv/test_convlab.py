"""Lab state: URL parameters in and out, bad values, and what cannot be computed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataclasses import replace

from cnnviz.conv.convlab import (LabState, clamp, state_key, from_query, input_preset_of, kernel_preset_of, problem, questions_of,
                            size_formula_latex, step_count, to_query, trace_of, transpose_formula_latex,
                            transpose_sizes)
from cnnviz.conv.arithmetic import output_size

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
         "channel", "step", "flip", "pool_of", "groups", "output_padding"]
TOKENS = st.sampled_from(["0", "1", "3", "7", "12", "-1", "1.5", "same", "valid", "max", "avg", "pool", "conv",
                          "transpose", "input", "2",
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
        assert np.isfinite(out).all() and 0 <= state.step < step_count(state)
    else:
        assert reason[0].startswith("err_")


# --- groups, true convolution, pooling of the convolution, preset names, questions ------------------

def _torch_out(s: LabState) -> np.ndarray:
    """What PyTorch computes for the lab's conv settings (weights cut to each filter's group)."""
    import torch
    import torch.nn.functional as F

    w = torch.tensor(s.weight)
    if s.flip:
        w = torch.flip(w, dims=(2, 3))
    per = s.c_in // s.groups
    w = torch.stack([w[o, (o // (s.c_out // s.groups)) * per:][:per] for o in range(s.c_out)])
    b = None if s.bias is None else torch.tensor(s.bias)
    return F.conv2d(torch.tensor(s.x)[None], w, b, s.stride, s.padding, s.dilation, s.groups)[0].numpy()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([(1, 1, 1), (2, 2, 2), (2, 4, 2), (3, 3, 3), (3, 3, 1), (2, 4, 1)]),
       st.integers(1, 3), st.integers(1, 2), st.integers(0, 1), st.booleans(), st.booleans(), st.integers(0, 99))
def test_grouped_and_flipped_convolution_equal_torch(chans, k, stride, padding, flip, bias, seed) -> None:
    c_in, c_out, groups = chans
    rng = np.random.default_rng(seed)
    s = LabState(x=rng.normal(size=(c_in, 6, 5)), weight=rng.normal(size=(c_out, c_in, k, k)),
                 bias=rng.normal(size=c_out) if bias else None, stride=stride, padding=padding, flip=flip,
                 groups=groups)
    assert problem(s) is None
    np.testing.assert_allclose(trace_of(s).out, _torch_out(s), rtol=1e-6, atol=1e-9)


def test_grouped_trace_shows_only_the_channels_a_filter_reads() -> None:
    rng = np.random.default_rng(1)
    s = LabState(x=rng.normal(size=(2, 5, 5)), weight=rng.normal(size=(2, 2, 3, 3)), groups=2)
    sub = trace_of(s).for_output(1)
    assert sub.channel_ids == (1,) and sub.padded.shape[0] == 1
    np.testing.assert_allclose(sub.products[1].sum(axis=(0, 3, 4)), trace_of(s).out[1])


def test_groups_that_do_not_divide_the_channels_are_explained() -> None:
    s = LabState(x=np.zeros((3, 5, 5)), weight=np.zeros((2, 3, 3, 3)), groups=2)
    assert problem(s)[0] == "err_groups"


def test_flip_turns_the_kernel_by_180_degrees() -> None:
    x = np.zeros((1, 3, 3))
    x[0, 1, 1] = 1  # an impulse: correlation shows the kernel turned, true convolution the kernel itself
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    corr = trace_of(LabState(x=x, weight=w, padding=1)).out[0]
    conv = trace_of(LabState(x=x, weight=w, padding=1, flip=True)).out[0]
    np.testing.assert_array_equal(conv, w[0, 0])
    np.testing.assert_array_equal(corr, w[0, 0, ::-1, ::-1])


def test_pooling_reads_relu_of_the_convolution_or_the_input() -> None:
    import torch
    import torch.nn.functional as F

    state, _ = from_query({**COURSE, "view": "pool", "pool": "avg", "pool_size": "2", "pool_stride": "1"})
    assert state.pool_of == "conv"
    x, w = torch.tensor(state.x)[None], torch.tensor(state.weight)
    want = F.avg_pool2d(F.relu(F.conv2d(x, w)), 2, 1)[0].numpy()
    np.testing.assert_allclose(trace_of(state).out, want)
    direct, _ = from_query({**COURSE, "view": "pool", "pool_of": "input"})
    np.testing.assert_array_equal(trace_of(direct).out, F.max_pool2d(x, 2, 2)[0].numpy())
    negative = replace(state, weight=-state.weight)
    assert (trace_of(negative).out == 0).all()  # ReLU before pooling: negatives become 0


def test_links_to_preset_values_name_the_preset() -> None:
    state, _ = from_query(COURSE)
    assert input_preset_of(state.x) == "course" and kernel_preset_of(state.weight) == "course"
    state, _ = from_query({"input": "2,2,7,3;9,4,6,1;8,5,2,4;3,1,2,6", "kernel": "0,1,0;1,-4,1;0,1,0"})
    assert input_preset_of(state.x) == "pool_example" and kernel_preset_of(state.weight) == "laplacian"
    state, _ = from_query({"input": "1,2,3;3,4,5;0,0,1", "kernel": "1,2;3,5"})
    assert input_preset_of(state.x) is None and kernel_preset_of(state.weight) is None


def test_new_settings_round_trip_and_bad_values_warn() -> None:
    s = LabState(flip=True, pool_of="input", groups=1, view="pool")
    back, warnings = from_query(to_query(s))
    assert warnings == [] and (back.flip, back.pool_of, back.view) == (True, "input", "pool")
    for params in ({"flip": "yes"}, {"pool_of": "x"}, {"groups": "9"}):
        _, warnings = from_query(params)
        assert len(warnings) == 1


def test_questions_are_answered_by_the_lab() -> None:
    state, _ = from_query({**COURSE, "step": "4"})
    answers = {q["topic"]: q["answer"] for q in questions_of(state)}
    assert answers == {"q_lab_out_size": 3, "q_lab_stride_fits": "yes", "q_lab_cell": 4}
    state, _ = from_query({"input": ";".join([",".join(["1"] * 7)] * 7), "stride": "3", "kernel": "1,1,1;1,1,1;1,1,1"})
    answers = {q["topic"]: q["answer"] for q in questions_of(state)}
    assert answers["q_lab_out_size"] == 2 and answers["q_lab_stride_fits"] == "no"
    assert questions_of(replace(state, dilation=4)) == []  # a kernel that does not fit: no question


def test_transposed_view_equals_torch_and_steps_through_input_cells() -> None:
    import torch
    import torch.nn.functional as F

    params = {"input": "1,2,3;4,5,6;7,8,9|0,1,0;1,0,1;0,1,0", "kernel": "1,0,2;0,-1,0;1,1,1|0,1,0;2,0,0;1,0,-1",
              "view": "transpose", "stride": "2", "padding": "1", "output_padding": "1", "step": "8"}
    state, warnings = from_query(params)
    assert warnings == [] and problem(state) is None and state.step == 8
    w = torch.tensor(state.weight).transpose(0, 1)  # the lab's (C_out, C_in, K, K) read as (C_in, C_out, K, K)
    want = F.conv_transpose2d(torch.tensor(state.x)[None], w, stride=2, padding=1, output_padding=1)[0].numpy()
    np.testing.assert_allclose(trace_of(state).out, want)
    assert step_count(state) == 9 and trace_of(state).out.shape[1:] == (6, 6)  # (3-1)*2 - 2 + 2 + 1 + 1
    assert "= 6 \\end{aligned}" in transpose_formula_latex(transpose_sizes(state)[0], "H")
    assert {q["topic"]: q["answer"] for q in questions_of(state)} == {"q_lab_transpose_size": 6}
    assert clamp(replace(state, step=50)).step == 8
    assert problem(replace(state, output_padding=2))[0] == "err_output_padding"
    assert problem(replace(state, padding="same"))[0] == "err_transpose_same"
    assert problem(replace(state, padding=3, stride=1, output_padding=0))[0] == "err_transpose_crop"
    big = replace(state, x=np.ones((1, 12, 12)), weight=np.ones((1, 1, 7, 7)), stride=4, padding=0, output_padding=0)
    assert problem(big)[0] == "err_transpose_big"  # a 51x51 scatter: too many cells to draw, and to send per click


def test_state_key_tells_states_apart_by_every_field() -> None:
    s = LabState()
    assert state_key(s) == state_key(LabState()) and hash(state_key(s)) == hash(state_key(LabState()))
    changed = [replace(s, stride=2), replace(s, step=1), replace(s, channel=1), replace(s, flip=True),
               replace(s, view="pool"), replace(s, pool_size=3), replace(s, padding="same"),
               replace(s, bias=np.zeros(s.c_out)), replace(s, x=s.x + 1e-12), replace(s, weight=-s.weight),
               replace(s, x=s.x.reshape(s.c_in, -1)), replace(s, x=s.x.astype(np.float32))]
    keys = {state_key(c) for c in changed}
    assert len(keys) == len(changed) and state_key(s) not in keys
