"""Animated step-by-step view of a convolution or pooling, as one self-contained HTML page.

Python formats every number; the inline script only places precomputed strings, so it runs offline.
The stylesheet and scripts are files next to this module: one player (``stepview_player.js``) for
convolution, pooling (a window slides over the input) and transposed convolution (each input cell
scatters the kernel), started by ``stepview_page.js`` in the standalone page and by
``stepview_component.js`` as an in-page Streamlit component.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz.conv.arithmetic import ConvTrace, PoolTrace
from cnnviz.conv.transposed import TransposeTrace

__all__ = ["COMPONENT_CSS", "COMPONENT_JS", "conv_expression", "conv_step_html", "format_number", "pool_expression",
           "pool_step_html", "step_component_data", "transpose_expression",
           "transpose_step_html"]

ASSET_FILES = ("stepview.css", "stepview_player.js", "stepview_page.js", "stepview_component.js")


def _asset(name: str) -> str:
    """A file of the step view, read once at import; each begins on a line of its own where it is used."""
    return "\n" + Path(__file__).with_name(name).read_text(encoding="utf-8")


CSS, _PLAYER_JS, _PAGE_JS, _COMPONENT_JS = (_asset(name) for name in ASSET_FILES)
JS = _PLAYER_JS + _PAGE_JS
# The player as a Streamlit component: rebuilt when the view changes (data.key), moved when the page's
# step changes (data.start), and it reports the step a person chooses with setStateValue("step", ...).
COMPONENT_JS = _PLAYER_JS + _COMPONENT_JS
# Inside the component's shadow root the page's body rule applies to the root itself.
COMPONENT_CSS = CSS.replace("body{margin:0;", ":host{display:block;") + ".svbox{overflow-x:auto}"

TIMES = "\u00d7"
LEVELS = 8  # colour steps on each side of zero
POSITIVE_RGB = (244, 165, 130)  # light ends of a red-blue diverging scale keep dark text readable
NEGATIVE_RGB = (146, 197, 222)
CELL_PX = ((8, 34), (11, 30), (14, 27), (math.inf, 24))  # (largest grid side, cell size)
# Glyph widths in em of the widest common fallback font (DejaVu Sans), to size cells before any rendering.
DIGIT_EM, OTHER_EM, TIMES_EM, PLUS_EM = 0.64, 0.4, 0.84, 1.5
# Width of the lab's view column at a 1280 px screen with the sidebar open; the height is predicted
# for this width, so wider frames only leave some space below.
DESIGN_WIDTH = 530
# Fixed sizes (px) shared by stepview.css and the height prediction.
INDEX_W, INDEX_H, CAPTION_H, SIGN_W, SIGN_H, ROW_GAP, CHANNEL_GAP, GAP = 22, 16, 20, 20, 30, 6, 10, 16
BIAS_ROW_H, PREFIX_W, EXPR_PAD_X, EXPR_BOX_H, LINE_H, LINE_GAP = 34, 50, 20, 28, 20, 4
HEADER_H = 96  # step label, controls and paddings above the grids
SAFETY_PX = 24
TAG_SLACK_PX = 8  # a highlighted input may widen this much to show its weight
MIN_FONT_PX = 9
EXPR_FONT_PX = 13
POOL_EXPR_MIN_W = 160  # a pooling line wraps like prose, so its column may be narrow
BASE_INTERVAL_MS = 900
SPEEDS = ("0.5", "1", "2", "4")
LABEL_KEYS = ("play", "pause", "prev", "next", "first", "last", "step", "of", "input", "kernel", "output",
              "padding", "channel", "speed", "bias")


def format_number(v: float) -> str:
    """Integers without decimals, others with up to 4 decimals; never "-0"."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    r = round(v, 4) + 0.0  # adding 0.0 turns -0.0 into 0.0
    if r.is_integer():
        return str(int(r))
    return f"{r:.4f}".rstrip("0").rstrip(".")


def _factor(token: str) -> str:
    """A number as it appears inside a product or sum: negatives in parentheses."""
    return f"({token})" if token.startswith("-") else token


def _check_cell(shape: tuple[int, int], i: int, j: int) -> None:
    if not (0 <= i < shape[0] and 0 <= j < shape[1]):
        raise IndexError(f"output cell ({i}, {j}) is outside the {shape[0]}x{shape[1]} output")


def _channel_sums(trace: ConvTrace, out_channel: int) -> np.ndarray:
    """(C_in, H_out, W_out) sums of products; one routine so the page and the text agree."""
    return trace.products[out_channel].sum(axis=(-2, -1))


def conv_expression(trace: ConvTrace, out_channel: int, i: int, j: int) -> list[str]:
    """Every product of output cell (i, j) written out, one line per input channel, then the total."""
    _check_cell(trace.shape, i, j)
    xs, w = trace.inputs(i, j), trace.weight[out_channel]
    sums = _channel_sums(trace, out_channel)[:, i, j]
    out = format_number(trace.out[out_channel, i, j])
    multi, two_stage = xs.shape[0] > 1, xs.shape[0] > 1 or trace.bias is not None
    lines = []
    for c in range(xs.shape[0]):
        terms = " + ".join(f"{_factor(format_number(a))}{TIMES}{_factor(format_number(b))}"
                           for a, b in zip(xs[c].ravel(), w[c].ravel()))
        prefix = f"ch {trace.channel_ids[c] if trace.channel_ids else c}: " if multi else ""
        lines.append(f"{prefix}{terms} = {format_number(sums[c]) if two_stage else out}")
    if two_stage:
        parts = [_factor(format_number(s)) for s in sums]
        if trace.bias is not None:
            parts.append(_factor(format_number(trace.bias[out_channel])))
        lines.append(f"{' + '.join(parts)} = {out}")
    return lines


def pool_expression(trace: PoolTrace, channel: int, i: int, j: int) -> str:
    """The pooling of output cell (i, j): "max(2, 9) = 9" or "(2 + 9) / 2 = 5.5"."""
    _check_cell(trace.shape, i, j)
    values = [format_number(v) for v in trace.windows[channel, i, j].ravel()]
    out = format_number(trace.out[channel, i, j])
    if trace.kind == "max":
        return f"max({', '.join(values)}) = {out}"
    return f"({' + '.join(_factor(v) for v in values)}) / {len(values)} = {out}"


def _tokens(a: np.ndarray) -> list[str]:
    return [format_number(v) for v in np.ravel(a)]


def _longest(tokens: list[str], factor: bool = False) -> float:
    """Width in em of the widest number, written as a factor (in parentheses if negative) or not."""
    return max((sum(DIGIT_EM if ch.isdigit() else OTHER_EM for ch in (_factor(t) if factor else t))
                for t in set(tokens)), default=DIGIT_EM)


def _levels(a: np.ndarray) -> list[int]:
    """Colour level in -LEVELS..LEVELS per value, scaled to the grid's largest magnitude."""
    a = np.nan_to_num(np.asarray(a, dtype=np.float64).ravel(), posinf=0.0, neginf=0.0)
    top = float(np.abs(a).max()) if a.size else 0.0
    return np.rint(a / top * LEVELS).astype(int).tolist() if top > 0 else [0] * a.size


def _palette() -> list[str]:
    def mix(rgb: tuple[int, int, int], t: float) -> str:
        return "#%02x%02x%02x" % tuple(round(255 + (c - 255) * t) for c in rgb)
    return [mix(NEGATIVE_RGB if k < 0 else POSITIVE_RGB, abs(k) / LEVELS) for k in range(-LEVELS, LEVELS + 1)]


def _cell(side: int, cols: int, longest: float, tag: float = 0) -> dict[str, int]:
    """Cell box and font sizes for a grid: smaller for big grids, wider for long numbers.

    Long numbers get a smaller font before the grid outgrows DESIGN_WIDTH. ``tag`` is the width (em)
    of the weight shown under highlighted inputs; it is shown only when it fits with little
    widening, because the kernel grid beside already shows every weight.
    """
    base = next(px for limit, px in CELL_PX if side <= limit)
    fs, tfs = (13 if base >= 30 else 12 if base >= 27 else 11), (9 if base >= 30 else 8)
    widest = (DESIGN_WIDTH - INDEX_W - GAP) // cols
    while fs > MIN_FONT_PX and math.ceil(longest * fs) + 6 > widest:
        fs -= 1
    w = max(base, math.ceil(longest * fs) + 6)
    tag_w = math.ceil(tag * tfs) + 4
    tags = 0 < tag and tag_w <= max(w, base + TAG_SLACK_PX)
    return {"w": max(w, tag_w) if tags else w, "h": base, "fs": fs, "tfs": tfs, "tags": int(tags)}


def _grid_box(rows: int, cols: int, cell: dict[str, int], index: bool = True) -> tuple[int, int]:
    extra_w, extra_h = (INDEX_W, INDEX_H) if index else (0, 0)
    return extra_w + cols * cell["w"], CAPTION_H + extra_h + rows * cell["h"]


def _wrap(items: list[tuple[int, int]], gap: int) -> tuple[int, int]:
    """(width, height) of a wrapping flex row inside the view, items centred vertically."""
    rows: list[list[tuple[int, int]]] = [[]]
    used = 0
    for w, h in items:
        if rows[-1] and used + gap + w > DESIGN_WIDTH - GAP:
            rows.append([])
        used = used + gap + w if rows[-1] else w
        rows[-1].append((w, h))
    width = max(sum(w for w, _ in r) + gap * (len(r) - 1) for r in rows)
    return width, sum(max(h for _, h in r) for r in rows) + gap * (len(rows) - 1)


def _placement(left: tuple[int, int], out: tuple[int, int], need: int,
               expr_height: Callable[[int], int]) -> dict[str, int]:
    """Width the output-and-expression column asks for, and the page height that follows.

    The column sits beside the inputs when ``need`` px are left, else below them at full width.
    """
    need = min(max(out[0], need), DESIGN_WIDTH - GAP)
    beside = DESIGN_WIDTH - GAP - left[0] - GAP
    if beside >= need:
        stage = max(left[1], out[1] + expr_height(beside))
    else:
        stage = left[1] + GAP + out[1] + expr_height(DESIGN_WIDTH - GAP)
    return {"rw": need, "height": HEADER_H + stage + SAFETY_PX}


def _conv_layout(trace: ConvTrace) -> dict[str, Any]:
    """Cell sizes and placement, from every output channel so switching channel keeps the layout."""
    c_in, hp, wp = trace.padded.shape
    k = trace.weight.shape[-1]
    x_tok, w_tok, o_tok = _tokens(trace.padded), _tokens(trace.weight), _tokens(trace.out)
    # kernel cells as large as input cells, so the kernel looks like the window it is laid on
    gx = _cell(max(hp, wp), wp, _longest(x_tok), _longest(w_tok) + TIMES_EM)
    gk, go = _cell(max(hp, wp), k, _longest(w_tok)), _cell(max(trace.shape), trace.shape[1], _longest(o_tok))
    row_w, row_h = _wrap([_grid_box(hp, wp, gx), (SIGN_W, SIGN_H), _grid_box(k, k, gk, False)], ROW_GAP)
    left = (row_w, c_in * row_h + CHANNEL_GAP * (c_in - 1) + (BIAS_ROW_H if trace.bias is not None else 0))
    term = math.ceil((_longest(x_tok, True) + _longest(w_tok, True) + TIMES_EM + PLUS_EM) * EXPR_FONT_PX)
    finals, prefix = int(c_in > 1 or trace.bias is not None), PREFIX_W if c_in > 1 else 0

    def expr_height(width: int) -> int:
        avail = width - EXPR_PAD_X - prefix
        rows = k if k * term <= avail else math.ceil(k * k * term / avail)  # too wide: terms flow
        return EXPR_BOX_H + (c_in * rows + finals) * LINE_H + LINE_GAP * (c_in - 1 + finals)

    place = _placement(left, _grid_box(*trace.shape, go), k * term + EXPR_PAD_X + prefix, expr_height)
    return {"gx": gx, "gk": gk, "go": go, **place}


def _pool_layout(trace: PoolTrace) -> dict[str, Any]:
    _, h, w = trace.x.shape
    x_tok, o_tok = _tokens(trace.x), _tokens(trace.out)
    gx, go = _cell(max(h, w), w, _longest(x_tok)), _cell(max(trace.shape), trace.shape[1], _longest(o_tok))
    line_em = trace.windows.shape[-1] ** 2 * (_longest(x_tok, True) + PLUS_EM) + 5 + _longest(o_tok)

    def expr_height(width: int) -> int:
        return EXPR_BOX_H + math.ceil(line_em * EXPR_FONT_PX / (width - EXPR_PAD_X)) * LINE_H

    place = _placement(_grid_box(h, w, gx), _grid_box(*trace.shape, go), POOL_EXPR_MIN_W, expr_height)
    return {"gx": gx, "go": go, **place}


def _script_json(data: object) -> str:
    """JSON that cannot close the <script> element it sits in."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def transpose_expression(trace: TransposeTrace, out_channel: int, i: int, j: int, cropped: str = "cropped") -> list[str]:
    """Where input cell (i, j) scatters in output channel ``out_channel``: one line per kernel tap,
    "(row, col) += x×w → running sum", in output coordinates (cells outside the output are cropped)."""
    if not (0 <= i < trace.x.shape[1] and 0 <= j < trace.x.shape[2]):
        raise IndexError(f"input cell ({i}, {j}) is outside the {trace.x.shape[1]}x{trace.x.shape[2]} input")
    run = trace.running(out_channel, i * trace.x.shape[2] + j)
    return [line for line, _ in _scatter_lines(trace, out_channel, i, j, run, cropped)]


def _scatter_lines(trace: TransposeTrace, o: int, i: int, j: int, run: np.ndarray,
                   cropped: str) -> list[tuple[str, int]]:
    """(line, flat index into the full scatter) for every tap of input cell (i, j)."""
    rows, cols = trace.targets(i, j)
    p, k = trace.rows.padding, trace.weight.shape[-1]
    lines = []
    for a in range(k):
        for b in range(k):
            r, c = int(rows[a]), int(cols[b])
            terms = " + ".join(f"{_factor(format_number(trace.x[ch, i, j]))}{TIMES}"
                               f"{_factor(format_number(trace.weight[ch, o, a, b]))}" for ch in range(trace.x.shape[0]))
            inside = 0 <= r - p < trace.rows.size and 0 <= c - p < trace.cols.size
            tail = "" if inside else f" ({cropped})"
            lines.append((f"({r - p}, {c - p}) += {terms} → {format_number(run[r, c])}{tail}",
                          r * trace.full.shape[2] + c))
    return lines


def _transpose_data(trace: TransposeTrace, o: int, start: int, cropped: str) -> tuple[dict[str, Any], list[int], int]:
    _check_channel(o, trace.weight.shape[1])
    c_in, h, w = trace.x.shape
    k = trace.weight.shape[-1]
    hf, wf = trace.full.shape[1:]
    p = trace.rows.padding
    x_tok, w_tok, f_tok = _tokens(trace.x), _tokens(trace.weight), _tokens(trace.full)
    gx = _cell(max(h, w), w, _longest(x_tok))
    gk, go = _cell(max(h, w, k), k, _longest(w_tok)), _cell(max(hf, wf), wf, _longest(f_tok))
    crop = np.ones((hf, wf), dtype=bool)
    crop[p:p + trace.rows.size, p:p + trace.cols.size] = False
    acc = np.zeros((hf, wf))
    run = []  # per step, (flat index, running sum) of each tap in kernel order; the script writes the lines
    for t in range(h * w):
        i, j = divmod(t, w)
        r, c = trace.targets(i, j)
        acc[r[:, None], c[None, :]] += trace.blocks[o, i, j]
        flat = (r[:, None] * wf + c[None, :]).ravel()
        run.append([[int(idx), format_number(acc.flat[idx])] for idx in flat])
    data = {
        "kind": "scatter", "c": c_in, "h_in": h, "w_in": w, "ho": h, "wo": w, "n": h * w, "k": k,
        "start": max(0, min(h * w - 1, int(start))), "L": LEVELS, "pal": _palette(), "ms": BASE_INTERVAL_MS,
        "x": [_tokens(trace.x[ch]) for ch in range(c_in)], "xl": [_levels(trace.x[ch]) for ch in range(c_in)],
        "w": [_tokens(trace.weight[ch, o]) for ch in range(c_in)], "wl": _levels(trace.weight[:, o]),
        "hf": hf, "wf": wf, "full": _tokens(trace.full[o]), "fl": _levels(trace.full[o]),
        "crop": "".join("1" if v else "0" for v in crop.ravel()), "run": run, "p": p, "cropped": cropped,
        "gx": gx, "gk": gk, "go": go, "rw": _grid_box(hf, wf, go)[0], "pad": "",
        "b": None if trace.bias is None else format_number(trace.bias[o]),
    }
    return data, list(range(c_in)), o


def _check_channel(channel: int, count: int) -> None:
    if not 0 <= channel < count:
        raise ValueError(f"channel {channel} does not exist: there are {count}")


def _common(trace: ConvTrace | PoolTrace, x: np.ndarray, out: np.ndarray, start: int) -> dict[str, Any]:
    """Data both views share: sizes, colours and every number of the input and output grids."""
    ho, wo = trace.shape
    return {"c": x.shape[0], "hp": x.shape[1], "wp": x.shape[2], "ho": ho, "wo": wo,
            "start": max(0, min(ho * wo - 1, int(start))), "L": LEVELS, "pal": _palette(), "ms": BASE_INTERVAL_MS,
            "x": [_tokens(x[c]) for c in range(x.shape[0])], "xl": [_levels(x[c]) for c in range(x.shape[0])],
            "out": _tokens(out), "ol": _levels(out)}


def conv_step_html(trace: ConvTrace, out_channel: int, start: int, labels: Mapping[str, str]) -> str:
    """The step view of output channel ``out_channel``, opened at raster step ``start`` (clamped)."""
    return _document(*_conv_data(trace, out_channel, start), labels)


def pool_step_html(trace: PoolTrace, channel: int, start: int, labels: Mapping[str, str]) -> str:
    """The step view of pooling channel ``channel``, opened at raster step ``start`` (clamped)."""
    return _document(*_pool_data(trace, channel, start), labels)


def transpose_step_html(trace: TransposeTrace, out_channel: int, start: int, labels: Mapping[str, str]) -> str:
    """The scatter view of a transposed convolution's output channel, opened at input step ``start``."""
    return _document(*_transpose_data(trace, out_channel, start, str(labels.get("cropped", "cropped"))), labels)


def step_component_data(trace: ConvTrace | PoolTrace | TransposeTrace, channel: int, start: int, labels: Mapping[str, str],
                        scale: float = 1.0) -> dict[str, Any]:
    """What the step-view component is mounted with: skeleton, numbers (as JSON text), the step shown,
    a key that changes with the view (not with the step, so stepping moves the player instead of
    rebuilding it) and a zoom factor. The numbers go as text because Streamlit looks for a dataframe
    in every value of a component's data: in a dict of numbers that took 3 ms of each rerun (the
    course's 5x5 example), in a string nothing."""
    if isinstance(trace, TransposeTrace):
        data, chans, o = _transpose_data(trace, channel, start, str(labels.get("cropped", "cropped")))
    else:
        data, chans, o = (_conv_data if isinstance(trace, ConvTrace) else _pool_data)(trace, channel, start)
    skeleton = _skeleton(data, labels, chans, o)
    key = hashlib.sha1(_script_json({**data, "start": 0, "html": skeleton}).encode()).hexdigest()[:16]
    return {"html": skeleton, "data": json.dumps(data, separators=(",", ":")), "start": data["start"], "key": key,
            "scale": scale, "pad": 2 * GAP}


def _conv_data(trace: ConvTrace, out_channel: int, start: int) -> tuple[dict[str, Any], list[int], int]:
    o = out_channel
    _check_channel(o, trace.weight.shape[0])
    c_in = trace.padded.shape[0]
    two_stage = c_in > 1 or trace.bias is not None
    sums = _channel_sums(trace, o).reshape(c_in, -1).T
    data = {
        **_common(trace, trace.padded, trace.out[o], start), **_conv_layout(trace),
        "k": trace.weight.shape[-1], "d": trace.dilation, "s": trace.stride,
        "ids": list(trace.channel_ids) if trace.channel_ids else None,
        "pad": "".join("1" if p else "0" for p in trace.pad_mask.ravel()),
        "w": [_tokens(trace.weight[o, c]) for c in range(c_in)], "wl": _levels(trace.weight[o]),
        "b": None if trace.bias is None else format_number(trace.bias[o]),
        "sums": [[format_number(v) for v in row] for row in sums] if two_stage else None,
    }
    return data, list(trace.channel_ids or range(c_in)), o


def _pool_data(trace: PoolTrace, channel: int, start: int) -> tuple[dict[str, Any], list[int], int]:
    _check_channel(channel, trace.x.shape[0])
    ho, wo = trace.shape
    steps = [(i, j) for i in range(ho) for j in range(wo)]
    k = trace.windows.shape[-1]
    argmax = [trace.argmax(channel, i, j) for i, j in steps] if trace.kind == "max" else None
    data = {
        **_common(trace, trace.x[channel:channel + 1], trace.out[channel], start), **_pool_layout(trace),
        "k": k, "d": 1, "s": trace.rows.stride, "pad": "0" * trace.x[channel].size, "w": None, "b": None,
        "expr": [pool_expression(trace, channel, i, j) for i, j in steps],
        "am": None if argmax is None else [a * k + b for a, b in argmax],
    }
    return data, [channel], channel


def _skeleton(data: dict[str, Any], labels: Mapping[str, str], chans: list[int], out_channel: int) -> str:
    """The static, labelled skeleton that the script fills."""
    lab = {key: html.escape(str(labels.get(key, key))) for key in LABEL_KEYS}
    n = data.get("n", data["ho"] * data["wo"])
    at = html.escape(str(labels.get("at", labels.get("output", "output"))))  # what one step is about

    def kernel(idx: int) -> str:
        return (f'<div class="sign">{TIMES}</div><div><div class="cap">{lab["kernel"]}</div>'
                f'<div class="khost" data-c="{idx}"></div></div>') if data["w"] is not None else ""
    rows = "".join(f'<div class="chanrow"><div><div class="cap">{lab["input"]} · {lab["channel"]} {c}</div>'
                   f'<div class="host" data-c="{idx}"></div></div>{kernel(idx)}</div>' for idx, c in enumerate(chans))
    bias = (f'<div class="biasrow">+ {lab["bias"]} <span class="cell bias">{html.escape(data["b"])}</span></div>'
            if data["b"] is not None else "")
    legend = f'<span class="legend"><i class="cell pad sw"></i>{lab["padding"]}</span>' if "1" in data["pad"] else ""
    speeds = "".join(f'<option value="{s}"{" selected" if s == "1" else ""}>{s}{TIMES}</option>' for s in SPEEDS)
    return (
        f'<div id="cnnviz-stepview" tabindex="0"><div class="top"><span id="steplabel">{lab["step"]} '
        f'<b id="sn">1</b> {lab["of"]} <b>{n}</b> — {at} (<b id="si">0</b>, <b id="sj">0</b>)</span>'
        f'{legend}<label class="speed">{lab["speed"]} <select id="speed">{speeds}</select></label></div>'
        f'<div class="ctl"><button id="first" title="{lab["first"]}" aria-label="{lab["first"]}">⇤</button>'
        f'<button id="prev">◀\ufe0e {lab["prev"]}</button><button id="play">'
        f'<span class="lp">▶\ufe0e {lab["play"]}</span><span class="lz">❚❚ {lab["pause"]}</span></button>'
        f'<button id="next">{lab["next"]} ▶\ufe0e</button>'
        f'<button id="last" title="{lab["last"]}" aria-label="{lab["last"]}">⇥</button><input id="slider" '
        f'type="range" min="0" max="{n - 1}" value="0" aria-label="{lab["step"]}"></div>'
        f'<div class="stage"><div class="chans">{rows}{bias}</div><div class="right" style="min-width:{data["rw"]}px">'
        f'<div class="cap">{lab["output"]} · {lab["channel"]} {out_channel}</div><div id="ohost"></div>'
        f'<div id="expr"></div></div></div></div>'
    )


def _document(data: dict[str, Any], chans: list[int], out_channel: int, labels: Mapping[str, str]) -> str:
    """A standalone page: the skeleton, data as JSON, and the script that fills the grids."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{CSS}</style></head><body>'
        f'{_skeleton(data, labels, chans, out_channel)}'
        f'<script type="application/json" id="svdata">{_script_json(data)}</script><script>{JS}</script></body></html>'
    )
