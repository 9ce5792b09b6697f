"""Training curves, filter grids and attribution-score curves as Plotly figures (no Streamlit).

``curves_figure`` draws loss and accuracy of one or more runs side by side (train dashed,
validation solid, the running values inside an epoch thin, one colour per run), so runs can be
overlaid and compared; ``gradients_figure`` overlays their gradient sizes per layer. ``filters_figure``
draws a first conv layer's kernels as one mosaic heatmap (grey for one input channel, RGB for three).
``randomisation_figure`` and ``deletion_insertion_figure`` draw the curves of cnnviz.explain.scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

__all__ = ["curves_figure", "deletion_insertion_figure", "filters_figure", "filters_mosaic",
           "gradients_figure", "randomisation_figure"]

PLOT_PX = 240  # height of the curves' plotting area
LEGEND_LINE_PX = 19
LEGEND_GROUPS_A_ROW = 2  # legend groups that fit side by side in the Train page's column
GRADIENT_DECADES = 3  # the least span of the gradient bars' log axis, in powers of ten
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22")


def curves_figure(runs: Sequence[tuple[str, Sequence[dict[str, float]]]],
                  titles: tuple[str, str] = ("Loss", "Accuracy"),
                  labels: tuple[str, str, str] = ("train", "validation", "epoch"),
                  steps: Sequence[Sequence[Sequence[float]] | None] | None = None,
                  step_label: str = "train, per step", grouped: bool = False) -> go.Figure:
    """Loss (left) and accuracy (right) per epoch for each ``(name, history)`` in ``runs``; with
    ``steps`` (one list of ``[epochs as a fraction, loss, accuracy]`` points per run, or None), a
    thin line of the running values inside the epochs too, so a curve moves before an epoch ends.

    Lines are named "<run> · <line>"; ``grouped`` names them "<line>" under a legend title per run."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.08)
    lines = 0  # the tallest legend group: the run's title and its lines
    for i, (name, history) in enumerate(runs):
        colour = _COLOURS[i % len(_COLOURS)]
        epochs = [h["epoch"] for h in history]
        points = (steps[i] if steps is not None and i < len(steps) else None) or []
        lines = max(lines, grouped + bool(points) + 2)
        group = {"legendgroup": f"run{i}", "legendgrouptitle_text": name} if grouped else {"legendgroup": name}
        line_name = (lambda label: label) if grouped else (lambda label, run=name: f"{run} · {label}")
        for col, metric in ((1, "loss"), (2, "acc")):
            if points:
                fig.add_trace(go.Scatter(
                    x=[p[0] for p in points], y=[p[col] for p in points], mode="lines", name=line_name(step_label),
                    showlegend=col == 1, opacity=0.6, line={"color": colour, "width": 1.5}, **group),
                    row=1, col=col)
            for split, dash in (("train", "dash"), ("val", "solid")):
                fig.add_trace(go.Scatter(
                    x=epochs, y=[h[f"{split}_{metric}"] for h in history], mode="lines+markers",
                    name=line_name(labels[0] if split == "train" else labels[1]), showlegend=col == 1,
                    line={"color": colour, "dash": dash}, marker={"size": 5}, **group), row=1, col=col)
    fig.update_xaxes(title_text=labels[2], rangemode="tozero")
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    # The top margin holds the panel titles below the toolbar Plotly shows on hover (it covered
    # them); the bottom one holds the legend under the axis title: its groups side by side, two a row.
    bottom = 50 + LEGEND_LINE_PX * lines * (math.ceil(len(runs) / LEGEND_GROUPS_A_ROW) if grouped else len(runs))
    fig.update_layout(height=PLOT_PX + 56 + bottom, margin={"l": 10, "r": 10, "t": 56, "b": bottom},
                      legend={"orientation": "h", "yanchor": "top", "y": -60 / PLOT_PX,
                              "groupclick": "toggleitem" if grouped else "togglegroup"})
    return fig


def filters_mosaic(weights: np.ndarray, pad: int = 1) -> np.ndarray:
    """Kernels (O, C, K, K) as one image: (rows*(K+pad), cols*(K+pad)) for C=1, with an RGB
    axis for C=3. Each kernel is scaled to 0..1 on its own (its largest |w| maps to 0 or 1, 0 to
    0.5), gaps are NaN (grey) or 1 (white for RGB)."""
    w = np.asarray(weights, dtype=np.float32)
    o, c, kh, kw = w.shape
    scale = np.abs(w).reshape(o, -1).max(1).reshape(o, 1, 1, 1)
    w = 0.5 + 0.5 * w / np.where(scale > 0, scale, 1)
    if c not in (1, 3):
        w = w.mean(1, keepdims=True)  # more channels than a colour image: show their mean
        c = 1
    cols = int(np.ceil(np.sqrt(o)))
    rows = int(np.ceil(o / cols))
    fill = np.nan if c == 1 else 1.0
    out = np.full((rows * (kh + pad) - pad, cols * (kw + pad) - pad, c), fill, np.float32)
    for i in range(o):
        r, q = divmod(i, cols)
        out[r * (kh + pad):r * (kh + pad) + kh, q * (kw + pad):q * (kw + pad) + kw] = \
            w[i].transpose(1, 2, 0)
    return out[..., 0] if c == 1 else out


def filters_figure(weights: np.ndarray, height: int = 260) -> go.Figure:
    """A first conv layer's kernels as one mosaic (grey map or RGB image), one figure for all."""
    mosaic = filters_mosaic(weights)
    if mosaic.ndim == 2:
        trace = go.Heatmap(z=mosaic, colorscale="gray", zmin=0, zmax=1, showscale=False,
                           hoverinfo="skip")
    else:
        trace = go.Image(z=(mosaic * 255).round().astype(np.uint8), hoverinfo="skip")
    fig = go.Figure(trace)
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig


def gradients_figure(runs: Sequence[tuple[str, Mapping[str, float]]],
                     axis_title: str = "gradient norm") -> go.Figure:
    """Bars of each layer's weight-gradient norm, input side first, on a log scale, one colour per
    ``(name, norms)`` run (the colours of ``curves_figure``), side by side for each layer."""
    fig = go.Figure()
    # layers in the network's order: the run with the most layers (frozen ones have no gradient) first
    order = list(dict.fromkeys(n.removesuffix(".weight") for _, norms in sorted(runs, key=lambda r: -len(r[1]))
                               for n in norms))
    for i, (name, norms) in enumerate(runs):
        values = [max(v, 1e-12) for v in norms.values()]
        fig.add_trace(go.Bar(x=[n.removesuffix(".weight") for n in norms], y=values, name=name,
                             marker_color=_COLOURS[i % len(_COLOURS)],
                             text=[f"{v:.1e}" for v in values] if len(runs) == 1 else None,
                             textposition="outside"))
    # At least GRADIENT_DECADES on the axis: autoscaled, a 2x spread would look like a 100x one
    values = [max(v, 1e-12) for _, norms in runs for v in norms.values()] or [1.0]
    top = math.log10(max(values)) + 0.4
    bottom = min(math.log10(min(values)) - 0.3, top - GRADIENT_DECADES)
    fig.update_yaxes(type="log", title_text=axis_title, exponentformat="power", range=[bottom, top])
    fig.update_xaxes(categoryorder="array", categoryarray=order)
    fig.update_layout(height=260, margin={"l": 10, "r": 10, "t": 10, "b": 10}, barmode="group",
                      showlegend=len(runs) > 1, legend={"orientation": "h", "y": -0.3})
    return fig


def randomisation_figure(layers: Sequence[str], correlations: Mapping[str, Sequence[float]],
                         start: str = "trained",
                         titles: tuple[str, str] = ("randomised down to layer",
                                                    "rank correlation")) -> go.Figure:
    """One line per method: rank correlation with the trained map (y) as the layers are
    randomised from the output down (x: ``layers`` top-down), after a first point ``start`` at 1
    (the trained map against itself). A NaN (a constant map) leaves a gap in its line."""
    fig = go.Figure()
    x = [start, *layers]
    for i, (name, rhos) in enumerate(correlations.items()):
        y = [1.0, *(None if math.isnan(r) else float(r) for r in rhos)]
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=name,
                                 line={"color": _COLOURS[i % len(_COLOURS)]}, marker={"size": 7}))
    fig.add_hline(y=0, line={"color": "#999999", "width": 1, "dash": "dot"})
    fig.update_xaxes(title_text=titles[0], type="category", categoryorder="array",
                     categoryarray=x)
    fig.update_yaxes(title_text=titles[1], range=[-1.05, 1.05])
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      legend={"orientation": "h", "y": -0.3})
    return fig


def deletion_insertion_figure(curves: Mapping[str, tuple[Sequence[float], Sequence[float],
                                                         Sequence[float], Sequence[float]]],
                              titles: tuple[str, str] = ("Deletion", "Insertion"),
                              axes: tuple[str, str] = ("share of pixels", "probability"),
                              reference: str | None = None) -> go.Figure:
    """Deletion (left) and insertion (right) curves: for each name, ``(fractions, deletion
    probabilities, fractions, insertion probabilities)``, one colour per name in both panels.
    The entry named ``reference`` (e.g. pixels in random order) is drawn grey and dashed."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.08)
    for i, (name, (f_del, p_del, f_ins, p_ins)) in enumerate(curves.items()):
        ref = name == reference
        line = {"color": "#7f7f7f" if ref else _COLOURS[i % len(_COLOURS)],
                "dash": "dash" if ref else "solid"}
        for col, (f, p) in ((1, (f_del, p_del)), (2, (f_ins, p_ins))):
            fig.add_trace(go.Scatter(x=list(map(float, f)), y=list(map(float, p)), mode="lines",
                                     name=name, legendgroup=name, showlegend=col == 1,
                                     line=line), row=1, col=col)
    fig.update_xaxes(title_text=axes[0], range=[0, 1], tickformat=".0%")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", title_text=axes[1], row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": -0.3})
    return fig
