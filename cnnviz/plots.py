"""Plotly figure builders: arrays in, ``go.Figure`` out. No Streamlit here."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz.explain.mapfigures import robust_range

__all__ = ["CELL_PX", "FrozenFigure", "ZOOMED_MAP_PX", "matrix_figure", "response_image", "value_text"]

CELL_PX = 34
ZOOMED_MAP_PX = 360  # a zoomed map's longer side at most (a 5×5 map still fits at twice its size)
HIGHLIGHT = "#ff4b4b"
# Light enough at both ends that black numbers stay readable on every cell.
DIVERGING = [[0.0, "#6baed6"], [0.5, "#ffffff"], [1.0, "#fc9272"]]


class FrozenFigure(go.Figure):
    """A figure that is never changed after it is made, with its dict form computed once.

    ``st.plotly_chart`` turns a figure into a dict on every rerun (a deep copy of every trace and a
    walk of every array: 3 ms for a filter response, 20 ms for a 64-map mosaic with its click
    data) before it writes the JSON; a figure kept in a cache and drawn on every click pays that
    each time. This one hands out the dict it made when it was created. Never change it (or the
    dict ``to_dict`` returns): build a new figure instead.
    """

    def __init__(self, figure: go.Figure) -> None:
        spec = figure.to_dict()
        super().__init__(spec, _validate=False)  # made from a figure Plotly validated already
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def value_text(v: float) -> str:
    """A cell's value as shown: integers plain, others with up to 2 decimals."""
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.2f}".rstrip("0").rstrip(".")


def matrix_figure(m: np.ndarray, title: str, highlight: tuple[int, int] | None = None,
                  zoom: float = 1.0) -> go.Figure:
    """A heatmap of ``m`` (H, W) with every value written in its cell, rows counted from the top.

    ``zoom`` above 1 scales the cells and their type (the presenter view on a projector), but
    never past ZOOMED_MAP_PX on the map's longer side, nor below the unzoomed size. An invisible
    marker sits on every cell so that a click on any cell is reported as a point (Plotly heatmaps
    alone report no selection points to Streamlit). The figure is built from one plain spec,
    validated once: Plotly's add_trace/update_* calls each validate again and took about 17 ms
    here against 3 ms (benchmarks/results/classroom_*.json's clicks draw several of these).
    """
    h, w = m.shape
    rows, cols = np.mgrid[0:h, 0:w]
    text = [[value_text(v) for v in row] for row in m]
    scale = max(1.0, min(zoom, ZOOMED_MAP_PX / (max(w, h) * CELL_PX)))
    size = round(max(w, h) * CELL_PX * scale)
    shapes = []
    if highlight is not None:
        i, j = highlight
        shapes.append({"type": "rect", "x0": j - 0.5, "x1": j + 0.5, "y0": i - 0.5, "y1": i + 0.5,
                       "line": {"color": HIGHLIGHT, "width": round(3 * scale)}})
    heatmap = {"type": "heatmap", "z": m, "text": text, "texttemplate": "%{text}", "colorscale": DIVERGING,
               "zmid": 0, "textfont": {"color": "black", "size": round(13 * scale)}, "showscale": False,
               "hoverinfo": "skip", "xgap": 1, "ygap": 1}
    markers = {"type": "scatter", "x": cols.ravel(), "y": rows.ravel(), "mode": "markers", "hoverinfo": "x+y",
               "marker": {"size": round(18 * scale), "opacity": 0, "symbol": "square"}, "showlegend": False}
    ticks = {"tickfont": {"size": round(12 * scale)}}  # Plotly's own size, scaled
    # the title over the map's middle (a chart as wide as its column draws the map in the middle),
    # above the column numbers; zoomed, no larger than the page's own text in presenter view
    heading = {"text": title, "font": {"size": round(14 * min(scale, 1.4))}, "xref": "paper", "x": 0.5,
               "xanchor": "center", "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": round(4 * scale)}}
    layout = {"shapes": shapes, "title": heading,
              "height": size + round(86 * scale), "width": size + round(40 * scale),
              "margin": {"l": round(30 * scale), "r": 10, "t": round(56 * scale), "b": 10}, "dragmode": False,
              "clickmode": "event+select", "plot_bgcolor": "white",
              "xaxis": {"side": "top", "dtick": 1, "range": [-0.5, w - 0.5], "showgrid": False, "zeroline": False,
                        "constrain": "domain", "fixedrange": True, **ticks},
              "yaxis": {"range": [h - 0.5, -0.5], "dtick": 1, "showgrid": False, "zeroline": False,
                        "scaleanchor": "x", "constrain": "domain", "fixedrange": True, **ticks}}
    return go.Figure({"data": [heatmap, markers], "layout": layout})


def response_image(resp: np.ndarray, signed: bool) -> np.ndarray:
    """An (H, W) filter response as an RGB uint8 picture whose colours span what it contains.

    Signed responses use a diverging map (blue negative, white zero, red positive) scaled
    symmetrically by the larger magnitude of the 1st and 99th percentiles (zero-padded borders
    give a few extreme values that would wash out everything else), so zero is always white;
    unsigned ones are grey levels from the 1st to the 99th percentile (cnnviz.explain.mapfigures).
    """
    resp = np.nan_to_num(np.asarray(resp, dtype=np.float32))
    low, high = robust_range(resp, signed)
    if signed:
        v = np.clip(resp / high, -1.0, 1.0)[..., None]  # (H, W, 1) in -1..1
        red, blue, white = np.array([214, 39, 40.0]), np.array([31, 119, 180.0]), np.full(3, 255.0)
        rgb = np.where(v >= 0, white + v * (red - white), white - v * (blue - white))
        return rgb.astype(np.uint8)
    grey = np.clip((resp - low) / (high - low), 0.0, 1.0) * 255 if resp.max() > resp.min() else np.zeros_like(resp)
    return np.repeat(grey.astype(np.uint8)[..., None], 3, axis=-1)
