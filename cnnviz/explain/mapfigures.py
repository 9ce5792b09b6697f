"""Figures of maps a student reads values from: filter responses, attribution overlays, a layer's
output vector and conv kernels. Plotly and numpy only, no Streamlit.

Every map's colours span what it contains (robust percentiles, symmetric about zero when the
values are signed) and every figure carries a colour bar; hovering always shows the true value,
never the display colour's. Magnitudes use one perceptually uniform map (Viridis), signed values
one diverging map (blue negative, white zero, red positive).
"""

from __future__ import annotations

import base64
import functools
import math

import cv2

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go

__all__ = ["GREY_SCALE", "MAGNITUDE_SCALE", "PERCENTILES", "SIGNED_SCALE", "attribution_figure", "colour_lut", "coloured",
           "figure", "kernel_figure", "map_scale", "overlay", "response_figure", "robust_range", "subsample",
           "vector_figure"]

SIGNED_SCALE = "RdBu_r"
MAGNITUDE_SCALE = "Viridis"
GREY_SCALE = [[0.0, "black"], [1.0, "white"]]  # an unsigned filter response is a picture: grey levels
PERCENTILES = (1.0, 99.0)  # a few extreme pixels (zero-padded borders) must not wash out the rest
MAX_SIDE = 160  # cells per side sent to the browser; bigger maps are sampled every k-th pixel
BASE_DIM = 0.5  # the picture under an overlay keeps half its contrast, centred on mid-grey...
BASE_OFFSET = 64.0  # ...so white strokes become light grey and never look like "zero" on white
COLOURBAR = {"thickness": 10, "len": 0.9, "tickformat": ".3~g", "outlinewidth": 0}
KERNEL_TEXT_MAX = 7  # kernels up to 7x7 have their values written in the cells
VECTOR_BARS_MAX = 512  # longer vectors are drawn as a grid of cells instead of bars
VECTOR_ROW = 64
POSITIVE, NEGATIVE = "#d6604d", "#4393c3"  # the diverging map's red and blue, solid: small bars stay visible


def robust_range(values: np.ndarray, signed: bool,
                 percentiles: tuple[float, float] = PERCENTILES) -> tuple[float, float]:
    """The colour range of a map: its 1st..99th percentiles, or for signed values -m..m with
    m the larger magnitude of the two, so that zero sits in the middle of the colour map.

    Falls back to min..max, then to a unit range, so a flat or empty map still gets a range."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return (-1.0, 1.0) if signed else (0.0, 1.0)
    low, high = (float(p) for p in np.percentile(v, percentiles))
    if signed:
        m = max(abs(low), abs(high)) or float(np.abs(v).max()) or 1.0
        return -m, m
    if high <= low:
        low, high = float(v.min()), float(v.max())
    if high <= low:
        high = low + 1.0
    return low, high


def subsample(values: np.ndarray, max_side: int = MAX_SIDE) -> tuple[np.ndarray, int]:
    """Every k-th pixel of a (H, W) map so that no side exceeds ``max_side``, and k. The values
    kept are true responses at those pixels (an average would show values no pixel has)."""
    step = max(1, math.ceil(max(values.shape[:2]) / max_side))
    return values[::step, ::step], step


def _square(height: int, hidden: bool = True, **axes: dict) -> dict:
    """The layout of a map: pixel-square cells, no gestures, y down. Figures here are built from
    one spec (one validation by Plotly) instead of update_* calls, each of which validates again.
    ``axes`` adds keys per axis, e.g. ``xaxis={"range": [...]}``."""
    x = {"visible": not hidden, "showgrid": False, "zeroline": False, "constrain": "domain", "fixedrange": True}
    y = {**x, "autorange": "reversed", "scaleanchor": "x"}
    return {"height": height, "margin": {"l": 4, "r": 4, "t": 4, "b": 4}, "dragmode": False,
            "plot_bgcolor": "white", "xaxis": {**axes.get("xaxis", {}), **x}, "yaxis": {**axes.get("yaxis", {}), **y}}


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, validated once."""
    return go.Figure({"data": traces, "layout": layout})


def _png_uri(rgb: np.ndarray) -> str:
    """An RGB uint8 picture as a PNG data URI: a fraction of the bytes of a Plotly array."""
    ok, data = cv2.imencode(".png", np.ascontiguousarray(rgb[..., ::-1]))
    if not ok:
        raise ValueError("could not encode the picture as PNG")
    return "data:image/png;base64," + base64.b64encode(data.tobytes()).decode("ascii")


def coloured(values: np.ndarray, signed: bool, low: float, high: float) -> np.ndarray:
    """A map (H, W) as RGB uint8 on the figure's colour scale over low..high (clipped)."""
    v = np.clip((np.nan_to_num(np.asarray(values, dtype=np.float32)) - low) / (high - low), 0.0, 1.0)
    lut = _lut(signed) if signed else _GREY
    return lut[np.rint(v * 255).astype(np.int64)].round().astype(np.uint8)


def _picture_with_values(rgb: np.ndarray, values: np.ndarray, low: float, high: float, scale: object,
                         hover: str, f: float, height: int, max_side: int = MAX_SIDE) -> go.Figure:
    """The picture (a PNG, ``f`` picture pixels per map pixel) under an invisible heatmap of the
    true values, sampled to at most ``max_side`` per side, that gives the hover and the colour bar."""
    h, w = values.shape
    shown, step = subsample(values, max_side)
    ys, xs = np.arange(0, h, step), np.arange(0, w, step)
    picture = {"type": "image", "source": _png_uri(rgb), "dx": 1 / f, "dy": 1 / f, "x0": -0.5 + 0.5 / f,
               "y0": -0.5 + 0.5 / f, "hoverinfo": "skip"}
    heat = {"type": "heatmap", "z": shown, "x": xs, "y": ys, "opacity": 0, "zmin": low, "zmax": high,
            "colorscale": scale, "colorbar": COLOURBAR, "hovertemplate": hover + "<extra></extra>"}
    return figure([picture, heat], _square(height, xaxis={"range": [-0.5, w - 0.5]},
                                           yaxis={"range": [h - 0.5, -0.5]}))


def response_figure(values: np.ndarray, signed: bool, height: int = 240, picture_side: int | None = None,
                    max_side: int = MAX_SIDE, hover: str = "x %{x} · y %{y}<br>%{z:.4g}") -> go.Figure:
    """A filter response (H, W) coloured over its robust range (every pixel, or every k-th one
    up to ``picture_side`` per side), a colour bar, and the true response at the hovered pixel
    (picture coordinates; at most ``max_side`` sampled pixels per side)."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float32))
    low, high = robust_range(values, signed)
    shown, step = subsample(values, picture_side) if picture_side else (values, 1)
    rgb = coloured(shown, signed, low, high)
    return _picture_with_values(rgb, values, low, high, SIGNED_SCALE if signed else GREY_SCALE, hover,
                                1 / step, height, max_side)


def colour_lut(scale: str | list, n: int = 256) -> np.ndarray:
    """``n`` colours (n, 3) float32 sampled evenly along a Plotly colour scale, 0..255."""
    colours = pc.sample_colorscale(scale, list(np.linspace(0.0, 1.0, n)))
    return np.array([pc.unlabel_rgb(c) for c in colours], dtype=np.float32)


_GREY = np.repeat(np.arange(256, dtype=np.float32)[:, None], 3, axis=1)


@functools.lru_cache(maxsize=2)
def _lut(signed: bool) -> np.ndarray:
    """The overlay's colours, built once per process; read only."""
    lut = colour_lut(SIGNED_SCALE if signed else MAGNITUDE_SCALE)
    lut.setflags(write=False)
    return lut


def map_scale(a: np.ndarray, signed: bool, clip_percentile: float = 99.0) -> float:
    """The value an attribution map is divided by for display (the rule of
    ``cnnviz.explain.attribution.normalise_map``): the 99th percentile of |a| (negatives dropped when
    unsigned), else max |a|; 0 for an all-zero map."""
    a = np.nan_to_num(np.asarray(a, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    mag = np.abs(a if signed else np.maximum(a, 0.0))
    if mag.size == 0:
        return 0.0
    return float(np.percentile(mag, clip_percentile)) or float(mag.max())


def overlay(seen: np.ndarray, amap: np.ndarray, signed: bool, opacity: float, px: int = 224) -> np.ndarray:
    """A normalised map (-1..1 signed, 0..1 unsigned) over a greyed copy of the picture, RGB uint8
    enlarged by a whole factor to about ``px``.

    Colours come from the diverging map (signed) or Viridis (magnitudes); each pixel's colour
    weight is ``opacity`` times the magnitude there, so where the map is zero only the greyed
    picture is seen. The picture is greyed to mid-tones: white strokes stay visible under white.
    """
    grey = seen.astype(np.float32).mean(axis=2, keepdims=True)  # (H, W, 1)
    base = np.repeat(BASE_OFFSET + BASE_DIM * grey, 3, axis=2)
    v = np.clip(np.nan_to_num(np.asarray(amap, dtype=np.float32)), -1.0 if signed else 0.0, 1.0)
    index = np.rint(((v + 1) / 2 if signed else v) * 255).astype(np.int64)
    colour = _lut(signed)[index]  # (H, W, 3)
    alpha = float(opacity) * np.abs(v)[..., None]
    out = np.clip(base * (1 - alpha) + colour * alpha, 0, 255).round().astype(np.uint8)
    factor = max(1, px // max(out.shape[:2]))
    return np.repeat(np.repeat(out, factor, axis=0), factor, axis=1)


def attribution_figure(seen: np.ndarray, raw: np.ndarray, signed: bool, opacity: float, px: int = 224,
                       hover: str = "x %{x} · y %{y}<br>%{z:.3g}") -> go.Figure:
    """The overlay of an attribution map on its picture, with a colour bar in the map's own units
    (0..its 99th percentile, or symmetric about 0) and hover showing the true attribution."""
    raw = np.nan_to_num(np.asarray(raw, dtype=np.float32))
    scale = map_scale(raw, signed)
    amap = np.clip(raw / scale, -1.0, 1.0) if scale > 0 else np.zeros_like(raw)
    rgb = overlay(seen, amap if signed else np.maximum(amap, 0), signed, opacity, px)
    limit = scale or 1.0
    return _picture_with_values(rgb, raw, -limit if signed else 0.0, limit,
                                SIGNED_SCALE if signed else MAGNITUDE_SCALE, hover, rgb.shape[0] / raw.shape[0], px + 8)


def vector_figure(values: np.ndarray, labels: list[str] | None = None, height: int = 260,
                  hover: str = "%{x}: %{y:.4g}") -> go.Figure:
    """A fully connected layer's output (N,): one bar per unit (class names on the last layer),
    red positive and blue negative, or for a long vector a grid of cells, 64 per row, coloured on
    the diverging map."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float32).ravel())
    if v.size <= VECTOR_BARS_MAX:
        x = labels if labels is not None and len(labels) == v.size else list(range(v.size))
        bars = {"type": "bar", "x": x, "y": v, "marker": {"color": np.where(v >= 0, POSITIVE, NEGATIVE)},
                "hovertemplate": hover + "<extra></extra>"}
        return figure([bars], {"height": height, "margin": {"l": 40, "r": 10, "t": 10, "b": 30}, "bargap": 0.1,
                               "plot_bgcolor": "white",
                               "xaxis": {"type": "category" if labels else "linear", "fixedrange": True},
                               "yaxis": {"zeroline": True, "zerolinecolor": "#888", "gridcolor": "#eee",
                                         "fixedrange": True}})
    rows = math.ceil(v.size / VECTOR_ROW)
    grid = np.full(rows * VECTOR_ROW, np.nan, dtype=np.float32)
    grid[:v.size] = v
    unit = np.arange(rows * VECTOR_ROW).reshape(rows, VECTOR_ROW)
    low, high = robust_range(v, signed=True)
    heat = {"type": "heatmap", "z": grid.reshape(rows, VECTOR_ROW), "customdata": unit, "zmin": low, "zmax": high,
            "colorscale": SIGNED_SCALE, "colorbar": COLOURBAR, "xgap": 1, "ygap": 1,
            "hovertemplate": "%{customdata}: %{z:.4g}<extra></extra>"}
    return figure([heat], _square(max(120, min(height * 2, rows * 10 + 20))))


def kernel_figure(image: np.ndarray, cell_px: int, write_values: bool) -> go.Figure:
    """Kernels laid out as one mosaic (NaN gaps between them) on the diverging map, symmetric
    about 0, with a colour bar; hover shows each weight, and small kernels have it written."""
    finite = image[np.isfinite(image)]
    limit = float(np.abs(finite).max()) if finite.size else 1.0
    text = None
    if write_values:  # only small kernels: formatting every weight of a big layer would be slow
        text = [["" if not np.isfinite(w) else f"{w:.2f}" for w in row] for row in image]
    heat = {"type": "heatmap", "z": image, "zmin": -(limit or 1.0), "zmax": limit or 1.0,
            "colorscale": SIGNED_SCALE, "colorbar": COLOURBAR, "hovertemplate": "%{z:.4g}<extra></extra>",
            "textfont": {"size": max(8, min(12, cell_px // 3))}}
    if write_values:
        heat.update(text=text, texttemplate="%{text}")
    rows, cols = image.shape
    return figure([heat], {**_square(rows * cell_px + 12), "width": cols * cell_px + 90})
