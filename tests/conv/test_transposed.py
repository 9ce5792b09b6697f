"""Transposed convolution against F.conv_transpose2d, its size formula, and the scatter replay."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.conv.transposed import transpose_size, transpose_trace


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 5), st.integers(1, 5), st.integers(1, 4),
       st.integers(1, 3), st.integers(0, 2), st.integers(0, 2), st.integers(1, 2), st.booleans(), st.integers(0, 99))
def test_equals_torch(c_in, c_out, h, w, k, stride, padding, output_padding, dilation, bias, seed) -> None:
    size = transpose_size(h, k, stride, padding, output_padding, dilation)
    sizes_w = transpose_size(w, k, stride, padding, output_padding, dilation)
    rng = np.random.default_rng(seed)
    x, weight = rng.normal(size=(c_in, h, w)), rng.normal(size=(c_in, c_out, k, k))
    b = rng.normal(size=c_out) if bias else None
    if not (size.valid and sizes_w.valid):
        with pytest.raises(ValueError):
            transpose_trace(x, weight, b, stride, padding, output_padding, dilation)
        return
    trace = transpose_trace(x, weight, b, stride, padding, output_padding, dilation)
    want = F.conv_transpose2d(torch.tensor(x)[None], torch.tensor(weight), None if b is None else torch.tensor(b),
                              stride, padding, output_padding, 1, dilation)[0].numpy()
    assert trace.out.shape == want.shape == (c_out, size.size, sizes_w.size)
    np.testing.assert_allclose(trace.out, want, rtol=1e-7, atol=1e-9)


def test_size_formula_matches_the_course() -> None:
    # (N-1)S - 2P + D(K-1) + OP + 1: 2x2 input, 3x3 kernel, stride 2, padding 1, output padding 1 -> 4
    assert transpose_size(2, 3, 2, 1, 1).size == 4
    assert transpose_size(3, 3, 1).size == 5  # stride 1, no padding: the inverse shape of a 5->3 convolution
    assert not transpose_size(3, 3, 1, 0, 1).valid  # output padding must stay below stride or dilation
    assert transpose_size(3, 3, 2, 0, 1).full == 8


def test_replay_adds_up_to_the_output_and_each_cell_scatters_a_scaled_kernel() -> None:
    x = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    w = np.array([[[[1.0, 0.0], [0.0, 1.0]]]])
    trace = transpose_trace(x, w, stride=2)
    np.testing.assert_array_equal(trace.blocks[0, 1, 0], 3 * w[0, 0])
    rows, cols = trace.targets(1, 0)
    assert rows.tolist() == [2, 3] and cols.tolist() == [0, 1]
    np.testing.assert_array_equal(trace.running(0, trace.steps - 1), trace.full[0])
    np.testing.assert_array_equal(trace.running(0, 0)[:2, :2], w[0, 0])
    assert trace.running(0, 0)[2:].sum() == 0  # only the first input cell has scattered so far
