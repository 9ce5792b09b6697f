"""Tests for ``cnnviz.conv.arithmetic``: convolution and pooling traces and the output-size formula.

Three kinds of check, none of which compares the module with itself:

* worked examples from the course material, asserted exactly;
* Hypothesis property tests against PyTorch (``F.conv2d``, ``F.max_pool2d``, ``F.avg_pool2d``,
  ``nn.Conv2d``) over every setting the UI offers, including settings that cannot work, where
  both sides must refuse;
* brute-force references written out in this file (window indices, padding masks, which input
  positions no window reads), for the step data that PyTorch does not expose.

The padding rule used by the references (``reference_pads``) is itself checked against what
PyTorch's ``padding='same'`` does, in ``test_same_padding_matches_torch``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnviz.conv.arithmetic import (
    ConvTrace,
    Padding,
    conv2d_code,
    conv_trace,
    output_size,
    param_count,
    pool_trace,
    resolve_padding,
)

# PyTorch warns that 'same' with an even kernel may copy the input; that is expected here.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")

# Every setting the UI allows.
INPUT_SIZES = (3, 12)
C_IN = (1, 3)
C_OUT = (1, 4)
KERNEL_SIZES = (1, 7)
STRIDES = (1, 4)
DILATIONS = (1, 3)
PADDINGS: tuple[Padding, ...] = (0, 1, 2, 3, "same", "valid")
POOL_SIZES = (1, 4)

ValueKind = Literal["int", "decimal"]
TIGHT = {"rtol": 1e-12, "atol": 1e-12}

# Sized so the whole file runs in well under 30 s on 2 CPU cores.
FAST = settings(max_examples=150, deadline=None)
SLOW = settings(max_examples=300, deadline=None)


# --------------------------------------------------------------------------------------------
# Helpers and strategies
# --------------------------------------------------------------------------------------------


def reference_pads(padding: Padding, k: int, dilation: int) -> tuple[int, int]:
    """Zeros (before, after) on each axis, as PyTorch documents its padding argument.

    'same' pads D*(K-1) in total with the odd zero after; ``test_same_padding_matches_torch``
    confirms this against PyTorch itself.
    """
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = dilation * (k - 1)
        return total // 2, total - total // 2
    assert isinstance(padding, int)
    return padding, padding


def element_values(kind: ValueKind) -> st.SearchStrategy[float]:
    """Small integers -9..9, or decimals with 2 places in [-10, 10] (as the UI rounds them)."""
    if kind == "int":
        return st.integers(-9, 9).map(float)
    return st.integers(-1000, 1000).map(lambda v: v / 100)


def value_arrays(kind: ValueKind, shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=element_values(kind))


@dataclass(frozen=True)
class ConvCase:
    """One convolution as the UI could set it up."""

    x: np.ndarray  # (C_in, H, W)
    weight: np.ndarray  # (C_out, C_in, K, K)
    bias: np.ndarray | None  # (C_out,)
    stride: int
    padding: Padding
    dilation: int
    kind: ValueKind

    @property
    def k(self) -> int:
        return self.weight.shape[-1]

    def trace(self) -> ConvTrace:
        return conv_trace(self.x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def torch_out(self) -> torch.Tensor:
        """PyTorch's result (C_out, H_out, W_out) in float64; raises where PyTorch refuses."""
        bias = None if self.bias is None else torch.from_numpy(self.bias)
        return F.conv2d(
            torch.from_numpy(self.x)[None],
            torch.from_numpy(self.weight),
            bias,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
        )[0]


@st.composite
def conv_cases(draw: st.DrawFn, valid_only: bool = False) -> ConvCase:
    """Any UI combination; with ``valid_only`` only those where the kernel fits the padded input."""
    h = draw(st.integers(*INPUT_SIZES))
    w = draw(st.integers(*INPUT_SIZES))
    c_in = draw(st.integers(*C_IN))
    c_out = draw(st.integers(*C_OUT))
    padding = draw(st.sampled_from(PADDINGS))
    dilation = draw(st.integers(*DILATIONS))
    if valid_only:
        stride = 1 if padding == "same" else draw(st.integers(*STRIDES))
        if padding == "same":
            k_max = KERNEL_SIZES[1]
        else:
            room = min(h, w) + 2 * (0 if padding == "valid" else int(padding))
            k_max = min(KERNEL_SIZES[1], (room - 1) // dilation + 1)
        k = draw(st.integers(KERNEL_SIZES[0], k_max))
    else:
        stride = draw(st.integers(*STRIDES))
        k = draw(st.integers(*KERNEL_SIZES))
    kind: ValueKind = draw(st.sampled_from(("int", "decimal")))
    x = draw(value_arrays(kind, (c_in, h, w)))
    weight = draw(value_arrays(kind, (c_out, c_in, k, k)))
    bias = draw(st.none() | value_arrays(kind, (c_out,)))
    return ConvCase(x, weight, bias, stride, padding, dilation, kind)


def brute_force_uncovered(n: int, k: int, stride: int, dilation: int, before: int, n_out: int) -> list[int]:
    """Input positions 0..n-1 that no tap of any of the ``n_out`` windows reads."""
    read: set[int] = set()
    for o in range(n_out):
        for t in range(k):
            read.add(o * stride + t * dilation - before)
    return [i for i in range(n) if i not in read]


def torch_refuses(fn: object, *args: object, **kwargs: object) -> bool:
    """True when calling ``fn`` raises the RuntimeError / ValueError PyTorch uses for bad settings."""
    try:
        fn(*args, **kwargs)  # type: ignore[operator]
    except (RuntimeError, ValueError):
        return True
    return False


# --------------------------------------------------------------------------------------------
# Worked examples from the course material
# --------------------------------------------------------------------------------------------


def test_worked_example_convolution() -> None:
    image = np.array(
        [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], dtype=float
    )
    kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)
    trace = conv_trace(image[None], kernel[None, None], stride=1, padding=0)
    np.testing.assert_array_equal(trace.out[0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])


def test_worked_example_pooling() -> None:
    x = np.array([[2, 2, 7, 3], [9, 4, 6, 1], [8, 5, 2, 4], [3, 1, 2, 6]], dtype=float)[None]
    np.testing.assert_array_equal(pool_trace(x, "max", 2, 2).out[0], [[9, 7], [8, 6]])
    np.testing.assert_array_equal(pool_trace(x, "avg", 2, 2).out[0], [[4.25, 4.25], [4.25, 3.5]])


@pytest.mark.parametrize("stride, expected", [(1, 5), (2, 3)])
def test_worked_example_output_size_fits(stride: int, expected: int) -> None:
    size = output_size(7, 3, stride)
    assert size.size == expected
    assert size.exact == expected
    assert size.fits
    assert size.uncovered() == []


def test_worked_example_output_size_stride_does_not_fit() -> None:
    size = output_size(7, 3, 3)
    assert size.exact == Fraction(7, 3)
    assert not size.fits
    assert size.size == 2
    assert size.uncovered() == [6]  # windows read rows 0-2 and 3-5; row 6 is never read


def test_worked_example_output_size_with_padding() -> None:
    assert output_size(7, 3, stride=1, padding=1).size == 7


# --------------------------------------------------------------------------------------------
# Convolution against PyTorch
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
@SLOW
@given(case=conv_cases())
def test_conv_trace_matches_torch(case: ConvCase) -> None:
    try:
        expected = case.torch_out()
    except (RuntimeError, ValueError):
        event("refused")
        with pytest.raises(ValueError) as refusal:
            case.trace()
        assert str(refusal.value).strip(), "the refusal must say why"
        return
    event(f"valid, {case.kind}")
    out = case.trace().out
    assert out.shape == tuple(expected.shape)
    if case.kind == "int":
        np.testing.assert_array_equal(out, expected.numpy())
    else:
        torch.testing.assert_close(torch.from_numpy(out), expected, **TIGHT)


@pytest.mark.slow
@FAST
@given(case=conv_cases(valid_only=True), data=st.data())
def test_conv_step_data_is_consistent(case: ConvCase, data: st.DataObject) -> None:
    trace = case.trace()
    expected_out = case.torch_out().numpy()
    c_out, h_out, w_out = expected_out.shape
    _, h, w = case.x.shape
    before, after = reference_pads(case.padding, case.k, case.dilation)

    # The padded input and where the padding is.
    padded = np.pad(case.x, ((0, 0), (before, after), (before, after)))
    np.testing.assert_array_equal(trace.padded, padded)
    mask = np.pad(np.zeros((h, w), dtype=bool), ((before, after), (before, after)), constant_values=True)
    np.testing.assert_array_equal(trace.pad_mask, mask)
    assert int(trace.pad_mask.sum()) == (h + before + after) * (w + before + after) - h * w
    np.testing.assert_array_equal(trace.weight, case.weight)

    # A few cells, always including the last one (where off-by-one errors show).
    cells = [(c_out - 1, h_out - 1, w_out - 1)] + [
        (
            data.draw(st.integers(0, c_out - 1), label="o"),
            data.draw(st.integers(0, h_out - 1), label="i"),
            data.draw(st.integers(0, w_out - 1), label="j"),
        )
        for _ in range(3)
    ]
    taps = range(case.k)
    for o, i, j in cells:
        rows = [i * case.stride + t * case.dilation for t in taps]
        cols = [j * case.stride + t * case.dilation for t in taps]
        window_rows, window_cols = trace.window(i, j)
        np.testing.assert_array_equal(window_rows, rows)
        np.testing.assert_array_equal(window_cols, cols)

        inputs = np.array([[[padded[c, r, s] for s in cols] for r in rows] for c in range(case.x.shape[0])])
        np.testing.assert_array_equal(trace.inputs(i, j), inputs)
        np.testing.assert_array_equal(trace.padded[:, window_rows[:, None], window_cols[None, :]], inputs)

        products = trace.products[o, :, i, j]
        np.testing.assert_array_equal(products, trace.inputs(i, j) * trace.weight[o])
        np.testing.assert_array_equal(products, inputs * case.weight[o])

        bias = 0.0 if case.bias is None else case.bias[o]
        total = products.sum() + bias
        np.testing.assert_allclose(total, trace.out[o, i, j], **TIGHT)
        np.testing.assert_allclose(total, expected_out[o, i, j], **TIGHT)


# --------------------------------------------------------------------------------------------
# Output-size formula
# --------------------------------------------------------------------------------------------


def test_output_size_matches_torch_for_every_ui_combination() -> None:
    """All N, K, S, P, D the UI offers (5040 combinations), one axis at a time via ``F.conv1d``."""
    for n in range(INPUT_SIZES[0], INPUT_SIZES[1] + 1):
        x = torch.zeros(1, 1, n, dtype=torch.float64)
        for k in range(KERNEL_SIZES[0], KERNEL_SIZES[1] + 1):
            weight = torch.zeros(1, 1, k, dtype=torch.float64)
            for stride in range(STRIDES[0], STRIDES[1] + 1):
                for padding in PADDINGS:
                    for dilation in range(DILATIONS[0], DILATIONS[1] + 1):
                        setting = f"n={n} k={k} stride={stride} padding={padding!r} dilation={dilation}"
                        try:
                            n_out = F.conv1d(x, weight, stride=stride, padding=padding, dilation=dilation).shape[-1]
                        except (RuntimeError, ValueError):
                            if padding == "same" and stride > 1:  # refused outright, as torch does
                                with pytest.raises(ValueError, match=r"\w"):
                                    output_size(n, k, stride, padding, dilation)
                            else:  # kernel larger than the padded input: no output cells
                                size = output_size(n, k, stride, padding, dilation)
                                assert not size.valid, setting
                                assert size.size == 0, setting
                            continue
                        size = output_size(n, k, stride, padding, dilation)
                        before, after = reference_pads(padding, k, dilation)
                        padded = n + before + after
                        span = dilation * (k - 1) + 1
                        assert size.valid, setting
                        assert size.size == n_out, setting
                        assert size.exact == Fraction(padded - span, stride) + 1, setting
                        assert size.size == math.floor(size.exact), setting
                        # fits: the last window ends exactly on the padded input's last cell
                        assert size.fits == ((n_out - 1) * stride + span == padded), setting
                        assert size.uncovered() == brute_force_uncovered(
                            n, k, stride, dilation, before, n_out
                        ), setting


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": 7, "k": 0},
        {"n": 7, "k": 3, "stride": 0},
        {"n": 0, "k": 3},
        {"n": 7, "k": 3, "dilation": 0},
        {"n": 7, "k": 2.5},
        {"n": 7.5, "k": 3},
        {"n": 7, "k": 3, "stride": 1.5},
        {"n": 7, "k": 3, "dilation": 1.5},
        {"n": 7, "k": 3, "padding": -1},
        {"n": 7, "k": 3, "padding": 1.5},
        {"n": 7, "k": 3, "padding": "banana"},
        {"n": 7, "k": 3, "stride": 2, "padding": "same"},
    ],
    ids=lambda kwargs: ",".join(f"{key}={value!r}" for key, value in kwargs.items()),
)
def test_output_size_rejects_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        output_size(**kwargs)  # type: ignore[arg-type]


def test_conv_trace_rejects_mismatched_channels() -> None:
    x = np.zeros((2, 5, 5))
    weight = np.zeros((4, 3, 3, 3))  # expects 3 input channels
    assert torch_refuses(F.conv2d, torch.from_numpy(x)[None], torch.from_numpy(weight))
    with pytest.raises(ValueError, match=r"\w"):
        conv_trace(x, weight)


# --------------------------------------------------------------------------------------------
# padding='same'
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
@FAST
@given(
    h=st.integers(*INPUT_SIZES),
    w=st.integers(*INPUT_SIZES),
    k=st.integers(*KERNEL_SIZES),
    dilation=st.integers(*DILATIONS),
    seed=st.integers(0, 2**32 - 1),
)
def test_same_padding_matches_torch(h: int, w: int, k: int, dilation: int, seed: int) -> None:
    """Find where PyTorch's 'same' puts its zeros by trying every split, then compare."""
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((1, 2, h, w)))  # generic values: only one split matches
    weight = torch.from_numpy(rng.standard_normal((3, 2, k, k)))
    expected = F.conv2d(x, weight, padding="same", dilation=dilation)
    assert expected.shape[-2:] == (h, w)

    total = dilation * (k - 1)
    torch_splits = [
        (b, total - b)
        for b in range(total + 1)
        if torch.allclose(F.conv2d(F.pad(x, (b, total - b, b, total - b)), weight, dilation=dilation), expected)
    ]
    assert len(torch_splits) == 1
    torch_split = torch_splits[0]
    assert torch_split[1] - torch_split[0] == total % 2  # the odd zero goes after

    assert resolve_padding("same", k, 1, dilation) == torch_split
    assert reference_pads("same", k, dilation) == torch_split  # the rule the other tests rely on
    assert output_size(h, k, 1, "same", dilation).size == h
    assert output_size(w, k, 1, "same", dilation).size == w
    trace = conv_trace(x[0].numpy(), weight.numpy(), padding="same", dilation=dilation)
    torch.testing.assert_close(torch.from_numpy(trace.out), expected[0], **TIGHT)


# --------------------------------------------------------------------------------------------
# Pooling against PyTorch
# --------------------------------------------------------------------------------------------


@st.composite
def pool_cases(draw: st.DrawFn) -> tuple[np.ndarray, int, int, ValueKind]:
    h = draw(st.integers(*INPUT_SIZES))
    w = draw(st.integers(*INPUT_SIZES))
    c = draw(st.integers(*C_IN))
    size = draw(st.integers(*POOL_SIZES))
    stride = draw(st.integers(*STRIDES))
    kind: ValueKind = draw(st.sampled_from(("int", "decimal")))
    return draw(value_arrays(kind, (c, h, w))), size, stride, kind


@pytest.mark.slow
@SLOW
@given(case=pool_cases())
def test_pool_trace_matches_torch(case: tuple[np.ndarray, int, int, ValueKind]) -> None:
    x, size, stride, kind = case
    batch = torch.from_numpy(x)[None]
    if torch_refuses(F.max_pool2d, batch, size, stride):
        event("refused")
        assert torch_refuses(F.avg_pool2d, batch, size, stride)
        for pooling in ("max", "avg"):
            with pytest.raises(ValueError, match=r"\w"):
                pool_trace(x, pooling, size, stride)  # type: ignore[arg-type]
        return
    event(f"valid, {kind}")
    expected_max, indices = F.max_pool2d(batch, size, stride, return_indices=True)
    expected_avg = F.avg_pool2d(batch, size, stride)

    max_trace = pool_trace(x, "max", size, stride)
    np.testing.assert_array_equal(max_trace.out, expected_max[0].numpy())
    avg_trace = pool_trace(x, "avg", size, stride)
    assert avg_trace.out.shape == tuple(expected_avg.shape[1:])
    torch.testing.assert_close(torch.from_numpy(avg_trace.out), expected_avg[0], **TIGHT)

    channels, h_out, w_out = expected_max.shape[1:]
    width = x.shape[2]
    for c in range(channels):
        for i in range(h_out):
            for j in range(w_out):
                block = x[c, i * stride : i * stride + size, j * stride : j * stride + size]
                rows, cols = max_trace.window(i, j)
                np.testing.assert_array_equal(x[c][np.ix_(rows, cols)], block)
                np.testing.assert_array_equal(max_trace.windows[c, i, j], block)
                a, b = max_trace.argmax(c, i, j)
                assert x[c, rows[a], cols[b]] == expected_max[0, c, i, j]
                # the same (first) maximum that max_pool2d picks
                assert rows[a] * width + cols[b] == indices[0, c, i, j]


def test_pool_trace_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match=r"\w"):
        pool_trace(np.zeros((1, 4, 4)), "median", 2)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Parameter count and the nn.Conv2d line
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_param_count_matches_torch(bias: bool) -> None:
    for c_in in range(C_IN[0], C_IN[1] + 1):
        for c_out in range(C_OUT[0], C_OUT[1] + 1):
            for k in range(KERNEL_SIZES[0], KERNEL_SIZES[1] + 1):
                layer = torch.nn.Conv2d(c_in, c_out, k, bias=bias)
                expected = sum(p.numel() for p in layer.parameters())
                assert param_count(c_in, c_out, k, bias) == expected, (c_in, c_out, k, bias)


@FAST
@given(
    c_in=st.integers(*C_IN),
    c_out=st.integers(*C_OUT),
    k=st.integers(*KERNEL_SIZES),
    stride=st.integers(*STRIDES),
    padding=st.sampled_from(PADDINGS),
    dilation=st.integers(*DILATIONS),
    bias=st.booleans(),
)
def test_conv2d_code_builds_the_layer(
    c_in: int, c_out: int, k: int, stride: int, padding: Padding, dilation: int, bias: bool
) -> None:
    code = conv2d_code(c_in, c_out, k, stride, padding, dilation, bias)
    if padding == "same" and stride > 1:
        event("refused")
        with pytest.raises(ValueError):  # nn.Conv2d refuses it, as resolve_padding does
            eval(code, {"nn": torch.nn})
        return
    layer = eval(code, {"nn": torch.nn})
    assert isinstance(layer, torch.nn.Conv2d)
    assert layer.in_channels == c_in
    assert layer.out_channels == c_out
    assert layer.kernel_size == (k, k)
    assert layer.stride == (stride, stride)
    assert layer.padding == (padding if isinstance(padding, str) else (padding, padding))
    assert layer.dilation == (dilation, dilation)
    assert (layer.bias is not None) == bias
    assert param_count(c_in, c_out, k, bias) == sum(p.numel() for p in layer.parameters())


@pytest.mark.parametrize("k", [None, float("inf"), 3.0, True, "3"])
def test_output_size_rejects_non_integers_with_value_error(k: object) -> None:
    with pytest.raises(ValueError):
        output_size(7, k)  # type: ignore[arg-type]


def test_bias_of_the_wrong_length_is_explained() -> None:
    with pytest.raises(ValueError, match="one value per output channel"):
        conv_trace(np.zeros((1, 5, 5)), np.zeros((2, 1, 3, 3)), bias=np.zeros(3))
