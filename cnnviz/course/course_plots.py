"""Plotly figures of the Architectures and Building-blocks pages: data and labels in, go.Figure out.

Labels arrive already translated; nothing here knows a language or Streamlit. A heatmap that
must report clicks carries an invisible marker on every cell (Plotly heatmaps alone report no
points to Streamlit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
import plotly.graph_objects as go

__all__ = ["confusion_figure", "depth_figure", "footprint_figure", "inception_figure", "layer_bars_figure",
           "lines_figure", "score_map_figure"]

HIGHLIGHT = "#ff4b4b"
COLOURS = {"sigmoid": "#1f77b4", "tanh": "#ff7f0e", "relu": "#2ca02c", "leaky_relu": "#9467bd",
           "silu": "#8c564b", "softmax": "#d62728"}
BLUES = [[0.0, "#f7fbff"], [0.2, "#c6dbef"], [0.6, "#6baed6"], [1.0, "#08306b"]]
# Leaky ReLU lies on ReLU for x > 0 (and on its gradient until a unit turns off): dashed, so both show.
DASHES = {"leaky_relu": "dash"}
CELL_PX = 44


def confusion_figure(matrix: np.ndarray, classes: Sequence[str], selected: tuple[int, int] | None,
                     axis_titles: tuple[str, str], hover: str) -> go.Figure:
    """Counts with rows = true class and columns = predicted class; a click reports (true, predicted).

    ``hover`` is a template with %{customdata[0]}, %{customdata[1]} and %{text} (the count)."""
    n = len(classes)
    rows, cols = np.mgrid[0:n, 0:n]
    counts = np.asarray(matrix)
    scaled = np.log1p(counts)  # the diagonal dwarfs the mistakes on a linear scale
    text = [[str(v) for v in row] for row in counts]
    fig = go.Figure(go.Heatmap(z=scaled, text=text, texttemplate="%{text}", colorscale=BLUES, showscale=False,
                               hoverinfo="skip", xgap=1, ygap=1, textfont={"size": 12}))
    names = np.array(classes, dtype=object)
    fig.add_trace(go.Scatter(
        x=cols.ravel(), y=rows.ravel(), mode="markers", showlegend=False, text=counts.ravel().astype(str),
        customdata=np.stack([rows.ravel(), cols.ravel(), names[rows.ravel()], names[cols.ravel()]], axis=1),
        hovertemplate=hover + "<extra></extra>", marker={"size": CELL_PX - 8, "opacity": 0, "symbol": "square"}))
    if selected is not None:
        i, j = selected
        fig.add_shape(type="rect", x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5,
                      line={"color": HIGHLIGHT, "width": 3})
    side = n * CELL_PX
    fig.update_layout(width=side + 190, height=side + 170, margin={"l": 150, "r": 10, "t": 10, "b": 150},
                      dragmode=False, clickmode="event+select", plot_bgcolor="white")
    fig.update_xaxes(title=axis_titles[1], tickvals=list(range(n)), ticktext=list(classes), tickangle=-45,
                     range=[-0.5, n - 0.5], fixedrange=True, showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(title=axis_titles[0], tickvals=list(range(n)), ticktext=list(classes), range=[n - 0.5, -0.5],
                     fixedrange=True, showgrid=False, zeroline=False, scaleanchor="x", constrain="domain")
    return fig


def layer_bars_figure(names: Sequence[str], series: Mapping[str, Sequence[int]], selected: str | None,
                      y_title: str) -> go.Figure:
    """Per-layer counts (e.g. activation values and parameters) as grouped bars on a log axis."""
    fig = go.Figure()
    for (label, values), colour in zip(series.items(), ("#1f77b4", "#ff7f0e", "#2ca02c")):
        shown = [v if v > 0 else None for v in values]  # log axes cannot show 0
        fig.add_trace(go.Bar(x=list(names), y=shown, name=label, marker_color=colour,
                             hovertemplate="%{x}: %{y:,}<extra>" + label + "</extra>"))
    if selected in names:
        fig.add_vline(x=list(names).index(selected), line={"color": HIGHLIGHT, "width": 2, "dash": "dot"})
    fig.update_layout(barmode="group", height=330, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": 1.12}, dragmode=False)
    fig.update_yaxes(type="log", title=y_title, fixedrange=True, dtick=1, exponentformat="power")
    fig.update_xaxes(fixedrange=True, tickangle=-45)
    return fig


def inception_figure(versions: Mapping[str, Mapping[str, int]], x_title: str) -> go.Figure:
    """Multiplications per branch, one stacked horizontal bar per version of the module."""
    fig = go.Figure()
    branches = list(dict.fromkeys(b for parts in versions.values() for b in parts))
    for branch, colour in zip(branches, ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")):
        fig.add_trace(go.Bar(y=list(versions), x=[parts.get(branch, 0) for parts in versions.values()],
                             name=branch, orientation="h", marker_color=colour,
                             hovertemplate="%{y} · " + branch + ": %{x:,}<extra></extra>"))
    fig.update_layout(barmode="stack", height=230, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": 1.25}, dragmode=False)
    fig.update_xaxes(title=x_title, fixedrange=True)
    fig.update_yaxes(fixedrange=True, autorange="reversed")
    return fig


def lines_figure(x: np.ndarray, curves: Mapping[str, np.ndarray], title: str, y_range: tuple[float, float] | None
                 = None, keys: Sequence[str] | None = None) -> go.Figure:
    """One line per named curve over the same x (the activation functions, or their derivatives);
    ``keys`` (e.g. "relu") pick each curve's colour and dash, since the names are translated."""
    fig = go.Figure()
    for key, (name, y) in zip(keys or [None] * len(curves), curves.items()):
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name,
                                 line={"color": COLOURS.get(key), "dash": DASHES.get(key, "solid"), "width": 2}))
    fig.update_layout(title={"text": title, "font": {"size": 14}}, height=330,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend={"orientation": "h", "y": -0.15})
    if y_range is not None:
        fig.update_yaxes(range=list(y_range))
    fig.update_xaxes(zeroline=True)
    return fig


def depth_figure(grads: Mapping[str, np.ndarray], bound: np.ndarray, bound_name: str, x_title: str,
                 y_title: str, keys: Sequence[str] | None = None) -> go.Figure:
    """|dx_L/dx_0| against depth L on a log axis, with the (1/4)^L bound of sigmoid dashed."""
    depth = np.arange(1, len(bound) + 1)
    fig = go.Figure()
    positive = [float(v) for g in grads.values() for v in g if v > 0] + [float(bound[-1])]
    for key, (name, g) in zip(keys or [None] * len(grads), grads.items()):  # a 0 cannot sit on a log axis: a gap
        fig.add_trace(go.Scatter(x=depth, y=[v if v > 0 else None for v in g], mode="lines+markers", name=name,
                                 line={"color": COLOURS.get(key), "dash": DASHES.get(key, "solid")},
                                 connectgaps=False))
    fig.add_trace(go.Scatter(x=depth, y=bound, mode="lines", name=bound_name, line={"color": "black", "dash": "dash"}))
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h", "y": -0.2})
    low = np.floor(np.log10(min(positive))) - 0.5
    fig.update_yaxes(type="log", title=y_title, exponentformat="power", range=[low, 0.5])
    fig.update_xaxes(title=x_title, dtick=max(1, len(bound) // 10))
    return fig


def score_map_figure(probs: np.ndarray, classes: Sequence[str], x_title: str, y_title: str) -> go.Figure:
    """Probability of every class (rows) at every horizontal position (columns) of a wide picture."""
    fig = go.Figure(go.Heatmap(z=probs, y=list(classes), colorscale="Viridis", zmin=0, zmax=1,
                               hovertemplate="%{x}: %{y} %{z:.2f}<extra></extra>", colorbar={"thickness": 12}))
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10}, dragmode=False)
    fig.update_xaxes(title=x_title, fixedrange=True, dtick=1)
    fig.update_yaxes(title=y_title, fixedrange=True, autorange="reversed", type="category")
    return fig


def _fraction(v: float) -> str:
    if np.isnan(v):
        return "max"
    if v == 0:
        return ""
    f = Fraction(float(v)).limit_denominator(256)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def footprint_figure(grid: np.ndarray, cell: int) -> go.Figure:
    """Weights of the input pixels one output reads, written as fractions; its f x f cell outlined."""
    n = grid.shape[0]
    shade = np.where(np.isnan(grid), 1.0, grid / max(float(np.nanmax(grid)), 1e-12))
    text = [[_fraction(v) for v in row] for row in grid]
    fig = go.Figure(go.Heatmap(z=shade, text=text, texttemplate="%{text}", colorscale=BLUES, zmin=0, zmax=1.6,
                               showscale=False, hoverinfo="skip", xgap=1, ygap=1, textfont={"size": 10}))
    fig.add_shape(type="rect", x0=0.5, x1=0.5 + cell, y0=0.5, y1=0.5 + cell, line={"color": HIGHLIGHT, "width": 2})
    side = 26 * n
    fig.update_layout(width=side + 10, height=side + 10, margin={"l": 5, "r": 5, "t": 5, "b": 5}, dragmode=False,
                      plot_bgcolor="white")
    fig.update_xaxes(visible=False, range=[-0.5, n - 0.5], fixedrange=True)
    fig.update_yaxes(visible=False, range=[n - 0.5, -0.5], fixedrange=True, scaleanchor="x")
    return fig
