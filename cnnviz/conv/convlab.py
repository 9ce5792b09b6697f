"""State of the Convolution lab and its URL form.

Everything the lab shows follows from one ``LabState``; ``from_query`` reads it from URL
query parameters (bad values become defaults plus a translatable warning) and
``to_query`` writes it back, so a link reproduces the view. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Literal, Mapping

import numpy as np

from cnnviz.text import untrusted
from cnnviz.urlvalues import UrlValueError, parse_int
from cnnviz.conv.arithmetic import (ConvTrace, OutputSize, Padding, PoolTrace, conv_trace, group_channels, output_size,
                         pool_trace)
from cnnviz.conv.transposed import TransposeSize, TransposeTrace, transpose_size, transpose_trace
from cnnviz.conv.grids import MatrixError, format_matrices, input_preset, kernel_preset, parse_matrices

__all__ = ["LIMITS", "LabState", "Message", "clamp", "from_query", "input_preset_of", "kernel_preset_of",
           "pool_input", "pool_source_shape", "problem", "questions_of", "same_with_stride", "size_formula_latex", "state_key", "step_count", "to_query", "trace_of", "trace_shape",
           "transpose_formula_latex", "transpose_sizes"]

View = Literal["conv", "pool", "transpose"]
Message = tuple[str, dict[str, object]]  # (catalog key, format arguments)

LIMITS = {
    "side": (3, 12), "channels_in": (1, 3), "channels_out": (1, 4), "kernel": (1, 7),
    "stride": (1, 4), "padding": (0, 3), "dilation": (1, 3), "pool_size": (1, 4), "pool_stride": (1, 4),
    "groups": (1, 4), "output_padding": (0, 3),
}
PADDING_WORDS = ("same", "valid")
POOL_KINDS = ("max", "avg")
VIEWS = ("conv", "pool", "transpose")
MAX_SCATTER = 40  # side of a transposed convolution's full scatter the step view draws (66 took 0.6 s a click)
POOL_OF = ("conv", "input")  # pool the ReLU of the convolution's output (as the course draws it), or the input
NAMED_INPUTS = ("course", "pool_example", "vertical_edge", "horizontal_edge", "diagonal", "checkerboard", "ramp")
NAMED_KERNELS = ("course", "identity", "box_blur", "gaussian", "sobel_x", "sobel_y", "laplacian", "sharpen", "emboss")


def _default_x() -> np.ndarray:
    return input_preset("course", 5, 5, 1)


def _default_w() -> np.ndarray:
    return kernel_preset("course", 3, 1, 1)


@dataclass(frozen=True)
class LabState:
    """Everything that defines the lab's view; arrays are float64."""

    x: np.ndarray = field(default_factory=_default_x)  # (C_in, H, W)
    weight: np.ndarray = field(default_factory=_default_w)  # (C_out, C_in, K, K)
    bias: np.ndarray | None = None  # (C_out,)
    stride: int = 1
    padding: Padding = 0
    dilation: int = 1
    view: View = "conv"
    pool: Literal["max", "avg"] = "max"
    pool_size: int = 2
    pool_stride: int = 2
    channel: int = 0  # output channel shown (conv) or channel shown (pool)
    step: int = 0  # raster index of the output cell explained
    flip: bool = False  # True: true convolution (kernel flipped); False: cross-correlation, as CNN libraries
    pool_of: Literal["conv", "input"] = "conv"  # what pooling reads: ReLU(conv output) or the input
    groups: int = 1  # channel groups: filter o reads only its group's C_in/groups channels; C_in = depthwise
    output_padding: int = 0  # transposed convolution only: extra cells at the bottom / right

    @property
    def c_in(self) -> int:
        return self.x.shape[0]

    @property
    def c_out(self) -> int:
        return self.weight.shape[0]

    @property
    def k(self) -> int:
        return self.weight.shape[-1]


def same_with_stride(s: LabState) -> bool:
    """Padding 'same' with a stride above 1: no output size to give, and a layer nn.Conv2d refuses."""
    return s.padding == "same" and s.stride != 1


def problem(s: LabState) -> Message | None:
    """Why the current settings cannot produce an output, as a translatable message, or None."""
    if s.view == "pool":
        if s.pool_of == "conv":
            trouble = problem(replace(s, view="conv"))
            if trouble:
                return trouble
        h, w = pool_source_shape(s)
        if s.pool_size > min(h, w):
            return "err_pool_too_big", {"k": s.pool_size, "h": h, "w": w}
        return None
    if s.view == "transpose":
        return _transpose_problem(s)
    if s.c_in % s.groups or s.c_out % s.groups:
        return "err_groups", {"groups": s.groups, "c_in": s.c_in, "c_out": s.c_out}
    if same_with_stride(s):
        return "err_same_stride", {"stride": s.stride}
    rows = output_size(s.x.shape[1], s.k, s.stride, s.padding, s.dilation)
    cols = output_size(s.x.shape[2], s.k, s.stride, s.padding, s.dilation)
    if not (rows.valid and cols.valid):
        return "err_kernel_too_big", {"span": rows.span, "h": rows.padded, "w": cols.padded}
    return None


def _transpose_sizes(s: LabState) -> tuple[TransposeSize, TransposeSize]:
    pad = 0 if s.padding == "valid" else int(s.padding)  # type: ignore[arg-type]
    return tuple(transpose_size(n, s.k, s.stride, pad, s.output_padding, s.dilation)  # type: ignore[return-value]
                 for n in s.x.shape[1:])


def _transpose_problem(s: LabState) -> Message | None:
    if s.padding == "same":
        return "err_transpose_same", {}
    rows, cols = _transpose_sizes(s)
    if s.output_padding >= max(s.stride, s.dilation):
        return "err_output_padding", {"op": s.output_padding, "stride": s.stride, "dilation": s.dilation}
    if rows.size < 1 or cols.size < 1:
        return "err_transpose_crop", {"p": rows.padding, "h": rows.full, "w": cols.full}
    if max(rows.full, cols.full) > MAX_SCATTER:
        return "err_transpose_big", {"h": rows.full, "w": cols.full, "max": MAX_SCATTER}
    return None


def transpose_sizes(s: LabState) -> tuple[TransposeSize, TransposeSize]:
    """The transposed convolution's size formula along rows and columns."""
    return _transpose_sizes(s)


def step_count(s: LabState) -> int:
    """Steps of the current view: output cells, or input cells for the transposed convolution's scatter."""
    if s.view == "transpose":
        return s.x.shape[1] * s.x.shape[2]
    h, w = trace_shape(s)
    return h * w


def _conv_shape(s: LabState) -> tuple[int, int]:
    return (output_size(s.x.shape[1], s.k, s.stride, s.padding, s.dilation).size,
            output_size(s.x.shape[2], s.k, s.stride, s.padding, s.dilation).size)


def pool_source_shape(s: LabState) -> tuple[int, int]:
    """(H, W) of what pooling reads: the convolution's output or the input."""
    return _conv_shape(s) if s.pool_of == "conv" else (s.x.shape[1], s.x.shape[2])


def applied_weight(s: LabState) -> np.ndarray:
    """The kernel the arithmetic uses: flipped in both spatial axes for a true convolution."""
    return s.weight[..., ::-1, ::-1].copy() if s.flip else s.weight


def pool_input(s: LabState) -> np.ndarray:
    """What pooling reads, (C, H, W): ReLU of the convolution's output, or the input itself."""
    if s.pool_of == "conv":
        return np.maximum(trace_of(replace(s, view="conv")).out, 0.0)
    return s.x


def trace_of(s: LabState) -> ConvTrace | PoolTrace | TransposeTrace:
    """The trace of the current view; call only when ``problem(s)`` is None."""
    if s.view == "transpose":  # PyTorch's layout (C_in, C_out, K, K): filter o's slice c is weight[o, c]
        rows, _ = _transpose_sizes(s)
        return transpose_trace(s.x, s.weight.transpose(1, 0, 2, 3), s.bias, s.stride, rows.padding,
                               s.output_padding, s.dilation)
    if s.view == "pool":
        return pool_trace(pool_input(s), s.pool, s.pool_size, s.pool_stride)
    w = applied_weight(s)
    if s.groups > 1:  # keep only the channels each filter reads: the (C_out, C_in/groups, K, K) of F.conv2d
        w = np.stack([w[o, list(group_channels(o, s.c_in, s.c_out, s.groups))] for o in range(s.c_out)])
    return conv_trace(s.x, w, s.bias, s.stride, s.padding, s.dilation, s.groups)


def input_preset_of(x: np.ndarray) -> str | None:
    """The name of the fixed-pattern input preset whose values ``x`` holds, if any (a link names its preset)."""
    for name in NAMED_INPUTS:
        if np.array_equal(input_preset(name, x.shape[1], x.shape[2], x.shape[0]), x):
            return name
    return None


def kernel_preset_of(w: np.ndarray) -> str | None:
    """The name of the fixed kernel preset whose values ``w`` (C_out, C_in, K, K) holds, if any."""
    for name in NAMED_KERNELS:
        try:
            if np.array_equal(kernel_preset(name, w.shape[-1], w.shape[0], w.shape[1]), w):
                return name
        except ValueError:  # this preset does not come in this size
            continue
    return None


def _int(params: Mapping[str, str], name: str, limits: tuple[int, int], default: int, warn: list[Message]) -> int:
    if name not in params:
        return default
    raw = params[name]
    try:
        return parse_int(raw, *limits)
    except UrlValueError:
        warn.append(("warn_url_range", {"name": name, "value": untrusted(raw, 30), "low": limits[0], "high": limits[1],
                                        "default": default}))
        return default


def _choice(params: Mapping[str, str], name: str, choices: tuple[str, ...], default: str, warn: list[Message]) -> str:
    raw = params.get(name, default)
    if raw not in choices:
        warn.append(("warn_url_choice", {"name": name, "value": untrusted(raw, 30), "choices": " | ".join(choices),
                                         "default": default}))
        return default
    return raw


def _matrices(params: Mapping[str, str], name: str, sides: tuple[int, int], warn: list[Message]) -> np.ndarray | None:
    if name not in params:
        return None
    try:
        return parse_matrices(params[name], *sides)
    except MatrixError as e:
        warn.append(("warn_url_matrix", {"name": name, "reason_key": e.key, **e.args_}))
        return None


def _read_arrays(params: Mapping[str, str], warn: list[Message]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    default = LabState()
    x = _matrices(params, "input", LIMITS["side"], warn)
    if x is not None and x.shape[0] > LIMITS["channels_in"][1]:
        warn.append(("warn_url_channels", {"name": "input", "count": x.shape[0], "high": LIMITS["channels_in"][1]}))
        x = None
    x = default.x if x is None else x
    w = _matrices(params, "kernel", LIMITS["kernel"], warn)
    if w is not None and (w.shape[1] != w.shape[2] or w.shape[0] % x.shape[0]
                          or not 1 <= w.shape[0] // x.shape[0] <= LIMITS["channels_out"][1]):
        warn.append(("warn_url_kernel_shape", {"count": w.shape[0], "c_in": x.shape[0]}))
        w = None
    if w is None:
        w = kernel_preset("course", 3, 1, x.shape[0])
    w = w.reshape(-1, x.shape[0], w.shape[-1], w.shape[-1])
    bias = None
    if "bias" in params:
        try:
            bias = parse_matrices(params["bias"], 1, LIMITS["channels_out"][1])[0].reshape(-1)
            if bias.size != w.shape[0]:
                raise MatrixError("err_bias_count", count=bias.size, c_out=w.shape[0])
        except MatrixError as e:
            warn.append(("warn_url_matrix", {"name": "bias", "reason_key": e.key, **e.args_}))
            bias = None
    return x, w, bias


def from_query(params: Mapping[str, str]) -> tuple[LabState, list[Message]]:
    """Read a LabState from URL parameters; every bad value falls back to its default, with a warning."""
    warn: list[Message] = []
    d = LabState()
    x, w, bias = _read_arrays(params, warn)
    raw_pad = params.get("padding", "0")
    padding: Padding = raw_pad if raw_pad in PADDING_WORDS else _int(params, "padding", LIMITS["padding"], 0, warn)
    s = LabState(
        x=x, weight=w, bias=bias,
        stride=_int(params, "stride", LIMITS["stride"], d.stride, warn),
        padding=padding,
        dilation=_int(params, "dilation", LIMITS["dilation"], d.dilation, warn),
        view=_choice(params, "view", VIEWS, d.view, warn),  # type: ignore[arg-type]
        pool=_choice(params, "pool", POOL_KINDS, d.pool, warn),  # type: ignore[arg-type]
        pool_size=_int(params, "pool_size", LIMITS["pool_size"], d.pool_size, warn),
        pool_stride=_int(params, "pool_stride", LIMITS["pool_stride"], d.pool_stride, warn),
        channel=_int(params, "channel", (0, LIMITS["channels_out"][1] - 1), 0, warn),
        step=_int(params, "step", (0, 10_000), 0, warn),
        flip=_choice(params, "flip", ("0", "1"), "0", warn) == "1",
        pool_of=_choice(params, "pool_of", POOL_OF, d.pool_of, warn),  # type: ignore[arg-type]
        groups=_int(params, "groups", LIMITS["groups"], d.groups, warn),
        output_padding=_int(params, "output_padding", LIMITS["output_padding"], d.output_padding, warn),
    )
    return clamp(s), warn


def clamp(s: LabState) -> LabState:
    """Keep the shown channel and step inside what the current settings produce."""
    channels = s.c_in if s.view == "pool" and s.pool_of == "input" else s.c_out
    channel = min(s.channel, channels - 1)
    step = s.step
    if problem(s) is None:
        step = min(step, step_count(s) - 1)
    return replace(s, channel=channel, step=max(step, 0))


def trace_shape(s: LabState) -> tuple[int, int]:
    """Output (H, W) of the current view, without computing it."""
    if s.view == "transpose":
        rows, cols = _transpose_sizes(s)
        return rows.size, cols.size
    if s.view == "pool":
        h, w = pool_source_shape(s)
        return output_size(h, s.pool_size, s.pool_stride).size, output_size(w, s.pool_size, s.pool_stride).size
    return _conv_shape(s)


def state_key(s: LabState) -> tuple:
    """A hashable key that equals another state's exactly when every field does (arrays by shape,
    dtype and bytes): what a cache of things drawn from a state is keyed by."""
    parts = []
    for f in fields(s):
        v = getattr(s, f.name)
        parts.append((v.shape, v.dtype.str, v.tobytes()) if isinstance(v, np.ndarray) else v)
    return tuple(parts)


def to_query(s: LabState) -> dict[str, str]:
    """URL parameters that reproduce ``s`` (defaults included, so a link is self-explaining)."""
    q = {
        "input": format_matrices(s.x),
        "kernel": format_matrices(s.weight.reshape(-1, s.k, s.k)),
        "stride": str(s.stride), "padding": str(s.padding), "dilation": str(s.dilation),
        "view": s.view, "pool": s.pool, "pool_size": str(s.pool_size), "pool_stride": str(s.pool_stride),
        "channel": str(s.channel), "step": str(s.step), "flip": str(int(s.flip)), "pool_of": s.pool_of,
        "groups": str(s.groups), "output_padding": str(s.output_padding),
    }
    if s.bias is not None:
        q["bias"] = format_matrices(s.bias.reshape(1, 1, -1))
    return q


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"


def size_formula_latex(o: OutputSize, symbol: str) -> str:
    """LaTeX of floor((N + 2P - D(K-1) - 1) / S) + 1 with the numbers of ``o`` substituted, one step a line."""
    pad = f"2\\cdot {o.pad_before}" if o.pad_before == o.pad_after else f"({o.pad_before}+{o.pad_after})"
    pad_sym = "2P" if o.pad_before == o.pad_after else "(P_{begin}+P_{end})"
    general = f"\\left\\lfloor \\frac{{N + {pad_sym} - D(K-1) - 1}}{{S}} \\right\\rfloor + 1"
    numbers = (f"\\left\\lfloor \\frac{{{o.n} + {pad} - {o.dilation}\\cdot({o.k}-1) - 1}}{{{o.stride}}}"
               f" \\right\\rfloor + 1")
    ratio = f"\\left\\lfloor {_num(float(o.exact - 1))} \\right\\rfloor + 1"
    result = f"{ratio} = {o.size}" if o.valid else f"{ratio} < 1"
    return f"\\begin{{aligned}} {symbol} &= {general} \\\\ &= {numbers} \\\\ &= {result} \\end{{aligned}}"


def questions_of(s: LabState) -> list[dict[str, object]]:
    """Predict-then-reveal questions about what the lab shows, answered by the lab's own arithmetic.

    Each is a dict with topic (a catalog key), kind ('number' or 'choice'), answer, params, choices.
    """
    if problem(s) is not None:
        return []
    if s.view == "transpose":
        t, _ = _transpose_sizes(s)
        params = {"n": t.n, "k": t.k, "s": t.stride, "p": t.padding, "op": t.output_padding, "d": t.dilation}
        return [{"topic": "q_lab_transpose_size", "kind": "number", "answer": t.size, "params": params,
                 "choices": ()}]
    if s.view == "pool":
        h, _ = pool_source_shape(s)
        rows = output_size(h, s.pool_size, s.pool_stride)
    else:
        rows = output_size(s.x.shape[1], s.k, s.stride, s.padding, s.dilation)
    trace = trace_of(s)
    i, j = divmod(s.step, trace.shape[1])
    size = {"n": rows.n, "k": rows.k, "s": rows.stride, "p": rows.pad_before + rows.pad_after, "d": rows.dilation}
    value = float(trace.out[s.channel, i, j])
    return [
        {"topic": "q_lab_out_size", "kind": "number", "answer": rows.size, "params": size, "choices": ()},
        {"topic": "q_lab_stride_fits", "kind": "choice", "answer": "yes" if rows.fits else "no",
         "params": size, "choices": ("yes", "no")},
        {"topic": "q_lab_cell", "kind": "number", "answer": int(value) if value.is_integer() else round(value, 4),
         "params": {"row": i, "col": j, "channel": s.channel}, "choices": ()},
    ]


def transpose_formula_latex(o: TransposeSize, symbol: str) -> str:
    """LaTeX of (N-1)S - 2P + D(K-1) + OP + 1 with the numbers of ``o`` substituted."""
    general = "(N-1)\\cdot S - 2P + D\\cdot(K-1) + OP + 1"
    numbers = (f"({o.n}-1)\\cdot {o.stride} - 2\\cdot {o.padding} + {o.dilation}\\cdot({o.k}-1) + "
               f"{o.output_padding} + 1")
    return f"\\begin{{aligned}} {symbol} &= {general} \\\\ &= {numbers} \\\\ &= {o.size} \\end{{aligned}}"
