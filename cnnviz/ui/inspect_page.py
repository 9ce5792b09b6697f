"""Widgets of the Inspect page: the layer table, top-k predictions, a walk through the layers with
every feature map of the chosen layer in one clickable mosaic, its statistics and its kernels.

Computation comes from cnnviz.explain.activations; this module lays it out and caches it (per session
for anything that depends on the student's picture, globally for the architecture's table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import plotly.graph_objects as go
import streamlit as st
from torch import nn

from cnnviz.text import untrusted
from cnnviz.explain.activations import Mosaic, capture, layer_table, map_stats, mosaic, top_k, walk_layers
from cnnviz.explain.inspectstate import InspectState, from_query, to_query
from cnnviz.explain.mapfigures import figure, kernel_figure, vector_figure
from cnnviz.plots import FrozenFigure
from cnnviz.explain.mapview import colour_kernels as _colour_kernels, scale_tiles as _scaled, shape_text as _shape, \
    shrink_maps
from cnnviz.sizes import fmt_bytes
from cnnviz.ui.classroom_ui import share_view
from cnnviz.ui.common import fragment, show_messages
from cnnviz.ui.fit_warning import map_note, reasons_for, fit_warnings_ui
from cnnviz.ui.i18n import t
from cnnviz.imaging.preprocess import Prepared
from cnnviz.ui.image_source import Source, public
from cnnviz.ui.model_picker import Picked, cached, compute_failed, logits_of

__all__ = ["MAX_TILES", "fmt_bytes", "kernels_ui", "layer_ui", "maps_ui", "mosaic_figure",
           "predictions_ui", "shrink_maps", "table_ui", "walk_ui"]

TOP_K = 5
MAX_TILES = 64  # maps shown in the mosaic; a wider layer shows its first (or strongest) 64
ENLARGED_SIDE = 112
KERNEL_GRID_MAX = 256  # kernels drawn as a filters x input-channels grid up to this many
MARKS = 4  # invisible click targets per tile side
MOSAIC_PX = 460
TABLE_MAX_PX = 600  # LeNet-5's 12 rows whole; bigger models scroll
PLOT_CONFIG = {"displayModeBar": False}
KERNEL_WIDTH_PX = 820  # the kernel mosaic fits the page's width at 1366 px...
KERNEL_HEIGHT_PX = 640  # ...and about one screen's height...
KERNEL_TALL_PX = 1200  # ...or two, when that is what it takes to write small kernels' values
KERNEL_CELL_MIN, KERNEL_CELL_MAX = 6, 44
KERNEL_TEXT_MAX = 7  # kernels up to 7x7 get their values written in the cells...
KERNEL_TEXT_CELL = 26  # ...when a cell is at least this many pixels wide
KERNEL_ROW_CELLS = 24  # kernels with written values: at most this many cells per mosaic row
LINEAR_ROWS, LINEAR_COLS = 128, 512  # a fully connected layer's weights: at most this much is drawn
_ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.SiLU, nn.Sigmoid, nn.Tanh, nn.GELU, nn.ELU)
_POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)


# ---------------------------------------------------------------------------------------------
# Architecture: the table (shared, cached per model version)


@st.cache_resource(show_spinner=False, max_entries=16)
def _architecture(cache_id: str, _picked: Picked) -> tuple[list, dict, list[str]]:
    with _picked.lock:
        rows, totals = layer_table(_picked.model, _picked.in_shape)
        names = walk_layers(_picked.model, _picked.in_shape)
    return rows, totals, names


def architecture(picked: Picked) -> tuple[list, dict, list[str]]:
    """(layer rows, totals, names of the layers the walk steps through) of the picked model."""
    return _architecture(picked.cache_id, picked)


def table_ui(picked: Picked) -> None:
    """Every layer like torchsummary prints it, and the totals."""
    rows, totals, _ = architecture(picked)
    st.subheader(t("insp_table"))
    df = pd.DataFrame({
        t("insp_col_layer"): ["\u2003" * r.depth + r.name for r in rows],
        t("insp_col_type"): [r.kind for r in rows],
        t("insp_col_shape"): [_shape(r.out_shape) for r in rows],
        t("insp_col_params"): [r.params for r in rows],
        t("insp_col_memory"): [fmt_bytes(r.act_bytes) if r.allocates else t("insp_reuses_input")
                               for r in rows],
    })
    st.dataframe(df, hide_index=True, width="stretch", height=min(38 + 35 * len(rows), TABLE_MAX_PX),
                 key="insp_table")
    top, bottom = st.columns(2), st.columns(2)
    top[0].metric(t("insp_total_params"), f"{totals['total_params']:,}")
    top[1].metric(t("insp_trainable"), f"{totals['trainable_params']:,}")
    bottom[0].metric(t("insp_param_memory"), fmt_bytes(totals["param_bytes"]))
    bottom[1].metric(t("insp_act_memory"), fmt_bytes(totals["act_bytes_total"]))
    st.caption(t("insp_table_note", inp=_shape(totals["in_shape"]), out=_shape(totals["out_shape"]),
                 all=fmt_bytes(totals["act_bytes_all_outputs"])))


# ---------------------------------------------------------------------------------------------
# Prediction


def predictions_ui(picked: Picked, prepared: Prepared, source: Source) -> None:
    """The k most probable classes with their softmax probabilities."""
    try:
        logits = logits_of(picked, prepared.x, prepared.digest)
    except RuntimeError as exc:
        compute_failed(exc)
        return
    top = top_k(logits, list(picked.classes), TOP_K)
    st.subheader(t("insp_prediction"))
    st.markdown(t("insp_predicted", cls=untrusted(top[0][0]), p=f"{top[0][1]:.1%}"))
    if source.true_class is not None:
        st.caption(t("insp_true_class", cls=untrusted(picked.classes[source.true_class])))
    fit_warnings_ui(picked, reasons_for(picked, source))
    df = pd.DataFrame({t("insp_col_class"): [c for c, _ in top],
                       t("insp_col_prob"): [p for _, p in top]})
    st.dataframe(df, hide_index=True, width="stretch", key="insp_topk", column_config={
        t("insp_col_prob"): st.column_config.ProgressColumn(format="percent", min_value=0.0,
                                                            max_value=1.0)})


# ---------------------------------------------------------------------------------------------
# The walk through the layers


def _step(names: list[str], delta: int) -> None:
    i = names.index(st.session_state["insp_layer"]) if st.session_state.get("insp_layer") in names else 0
    st.session_state["insp_layer"] = names[max(0, min(len(names) - 1, i + delta))]


def _seed_layer(names: list[str]) -> None:
    ss = st.session_state
    if "insp_layer" not in ss:
        state, warnings = from_query(st.query_params.to_dict(), names)
        show_messages(warnings)
        ss["insp_layer"] = state.layer
    elif ss["insp_layer"] not in names:  # another model: start at its first layer
        ss["insp_layer"] = names[0]


def layer_ui(picked: Picked) -> str | None:
    """Choose a layer with feature maps: a slider through them in forward order, Back and Next."""
    rows, _, names = architecture(picked)
    if not names:
        st.info(t("insp_no_maps"))
        return None
    kinds = {r.name: r.kind for r in rows}
    _seed_layer(names)
    st.subheader(t("insp_walk"))
    i = names.index(st.session_state["insp_layer"])
    back, slider, forward = st.columns([1, 8, 1], vertical_alignment="bottom")
    back.button(t("insp_back"), key="insp_back", on_click=_step, args=(names, -1), disabled=i == 0,
                width="stretch")
    forward.button(t("insp_next"), key="insp_next", on_click=_step, args=(names, 1),
                   disabled=i == len(names) - 1, width="stretch")
    slider.select_slider(t("insp_layer"), options=names, key="insp_layer",
                         format_func=lambda n: f"{n} · {kinds.get(n, '')}")
    layer = st.session_state["insp_layer"]
    st.query_params.update(to_query(InspectState(layer)))
    shape = next(r.out_shape for r in rows if r.name == layer)
    st.markdown(_explain(picked.model.get_submodule(layer), shape, names.index(layer) + 1, len(names)))
    return layer


def _explain(module: nn.Module, shape: tuple[int, ...], n: int, total: int) -> str:
    """One sentence on what this kind of layer does, with its numbers."""
    head = t("insp_step", n=n, total=total, shape=_shape(shape))
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        body = t("insp_kind_conv", n=module.out_channels, k=f"{kh}×{kw}",
                 channels=t("input_channels", n=module.in_channels), stride=module.stride[0],
                 pad=module.padding[0] if isinstance(module.padding, tuple) else module.padding)
    elif isinstance(module, _ACTIVATIONS):
        body = t("insp_kind_act", kind=type(module).__name__)
    elif isinstance(module, _POOLS):
        body = t("insp_kind_pool", kind=type(module).__name__)
    elif isinstance(module, nn.Linear):
        body = t("insp_kind_linear", n=module.out_features, c=module.in_features)
    elif isinstance(module, nn.Flatten):
        body = t("insp_kind_flatten", n=shape[0] if len(shape) == 1 else "?")
    elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm, nn.LayerNorm)):
        body = t("insp_kind_norm")
    elif next(module.children(), None) is not None:
        body = t("insp_kind_block", kind=type(module).__name__)
    else:
        body = t("insp_kind_other", kind=type(module).__name__)
    return f"{head} {body}"


# ---------------------------------------------------------------------------------------------
# Feature maps


def _layer_maps(picked: Picked, prepared: Prepared, layer: str) -> np.ndarray:
    """The layer's output for the picture, float32 (C, H, W) on the CPU (one forward pass)."""
    with picked.lock:
        _, acts = capture(picked.model, prepared.x.to(picked.device), [layer])
    maps = acts[layer][0].float().cpu().numpy()
    maps.setflags(write=False)  # may be shared between sessions (see maps_ui)
    return maps


def mosaic_figure(mos: Mosaic, stats: list[dict], selected: int | None, hover: str) -> go.Figure:
    """ONE heatmap of every tile plus a grid of invisible markers that make each tile clickable
    (Plotly heatmaps report no clicked points to Streamlit; markers do). ``hover`` is a
    template with {c}, {min}, {max}, {mean}."""
    h, w = mos.tile
    k_r, k_c = min(MARKS, h), min(MARKS, w)
    origins = np.array([mos.origin(i) for i in range(len(mos.order))], dtype=np.float64).reshape(-1, 2)
    rows = (np.arange(k_r) + 0.5) * h / k_r - 0.5  # marker centres inside a tile
    cols = (np.arange(k_c) + 0.5) * w / k_c - 0.5
    ys = (origins[:, 0, None, None] + rows[None, :, None] + 0 * cols).ravel().astype(np.float32)  # (tiles*k_r*k_c,)
    xs = (origins[:, 1, None, None] + cols[None, None, :] + 0 * rows[:, None]).ravel().astype(np.float32)
    # Per marker [channel, min, max, mean]; the browser writes the hover from them (one text per
    # marker would repeat the same words k_r * k_c times per tile).
    per_tile = np.array([[c, stats[c]["min"], stats[c]["max"], stats[c]["mean"]] for c in mos.order],
                        dtype=np.float64).reshape(-1, 4)
    tip = hover.format(c="%{customdata[0]}", min="%{customdata[1]:.3~g}", max="%{customdata[2]:.3~g}",
                       mean="%{customdata[3]:.3~g}")
    width, height = _size(mos.image.shape, MOSAIC_PX)
    mark = max(6, int(width / (mos.cols * k_c)))
    traces = [{"type": "heatmap", "z": mos.image.astype(np.float32), "colorscale": "Viridis", "zmin": 0, "zmax": 1, "showscale": False,
               "hoverinfo": "skip"},
              # plain lists: a clicked point then reports its [channel, min, max, mean] as a list
              {"type": "scatter", "x": xs.tolist(), "y": ys.tolist(), "mode": "markers",
               "customdata": np.repeat(per_tile, k_r * k_c, axis=0).tolist(),
               "hovertemplate": tip + "<extra></extra>",
               "showlegend": False, "marker": {"size": mark, "opacity": 0, "symbol": "square"}}]
    layout = _square_layout(mos.image.shape, width, height)
    if selected in mos.order:
        top, left = mos.origin(mos.order.index(selected))
        layout["shapes"] = [{"type": "rect", "x0": left - 0.5, "x1": left + w - 0.5, "y0": top - 0.5,
                             "y1": top + h - 0.5, "line": {"color": "#ff4b4b", "width": 3}}]
    return figure(traces, layout)


def _size(shape: tuple[int, ...], longest: int) -> tuple[int, int]:
    rows, cols = shape
    scale = longest / max(rows, cols)
    return int(cols * scale), int(rows * scale)


def _square_layout(shape: tuple[int, ...], width: int, height: int) -> dict:
    """Pixel-square axes, no toolbar gestures: the whole layout in one dict, so that Plotly
    validates the figure once (update_layout/update_xaxes/update_yaxes validate at every call)."""
    rows, cols = shape
    return {"width": width + 20, "height": height + 20, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "dragmode": False, "clickmode": "event+select", "plot_bgcolor": "white",
            "xaxis": {"range": [-0.5, cols - 0.5], "visible": False, "fixedrange": True, "constrain": "domain"},
            "yaxis": {"range": [rows - 0.5, -0.5], "visible": False, "fixedrange": True, "scaleanchor": "x",
                      "constrain": "domain"}}


def _on_map_click() -> None:
    event = st.session_state.get("insp_mosaic")
    points = (event or {}).get("selection", {}).get("points", [])
    if points and points[0].get("customdata") is not None:
        data = points[0]["customdata"]
        st.session_state["insp_map"] = int(data[0] if isinstance(data, list) else data)


def _vector_ui(picked: Picked, layer: str, values: np.ndarray, note: str | None, key: tuple, share: bool) -> None:
    """A flattened or fully connected layer's output: one bar per number (per class at the end).
    Its figure is kept like the maps (``key``, ``share``): a bar's colour is validated one by one."""
    _, _, names = architecture(picked)
    last = layer == names[-1] and values.size == len(picked.classes)
    st.markdown(f"**{t('insp_vector_header', layer=layer, n=values.size)}**")
    if note:
        st.caption(note)
    labels = [untrusted(c) for c in picked.classes] if last else None
    hover = t("insp_vector_hover")
    fig = cached((*key, hover), lambda: FrozenFigure(vector_figure(values, labels, hover=hover)), shared=share)
    st.plotly_chart(fig, key="insp_vector", config=PLOT_CONFIG)
    st.caption(t("insp_vector_logits") if last else t("insp_vector_note"))


def maps_ui(picked: Picked, prepared: Prepared, layer: str, source: Source | None = None) -> int | None:
    """Every feature map of ``layer`` in one mosaic, the clicked one enlarged, per-map numbers
    (a vector layer: its output as bars); the picture/model warning above.

    Returns the channel shown enlarged."""
    share = public(picked, source)  # a shipped model on a sample: one computation for the class
    try:
        maps = cached((picked.cache_id, prepared.digest, "maps", layer),
                      lambda: _layer_maps(picked, prepared, layer), shared=share)
    except RuntimeError as exc:
        compute_failed(exc)
        return None
    note = map_note(reasons_for(picked, source))
    if maps.ndim == 1:
        _vector_ui(picked, layer, maps, note, (picked.cache_id, prepared.digest, "vector", layer), share)
        return None
    if note:
        st.caption(note)
    stats = cached((picked.cache_id, prepared.digest, "stats", layer), lambda: map_stats(maps), shared=share)
    toggles = st.columns(2)
    by_mean = toggles[0].toggle(t("insp_sort"), key="insp_sort")
    shared = toggles[1].toggle(t("insp_shared_scale"), key="insp_shared")
    order = sorted(range(len(stats)), key=lambda c: -stats[c]["mean"]) if by_mean else list(
        range(len(stats)))
    shown = order[:MAX_TILES]
    selected = st.session_state.get("insp_map")
    if selected not in range(len(stats)):
        selected = shown[0]
    # The figures of a state seen before are kept (like the maps): a student stepping back and
    # forth between layers, or a class on the same sample, costs no new figure.
    fig, _ = cached((picked.cache_id, prepared.digest, "mosaic", layer, by_mean, shared, selected,
                     t("insp_map_hover")), lambda: _mosaic_of(maps, stats, shown, shared, selected), shared=share)
    grid, detail = st.columns([3, 2], gap="medium")
    with grid:
        st.markdown(t("insp_maps_header", n=len(stats), h=maps.shape[1], w=maps.shape[2]))
        st.plotly_chart(fig, key="insp_mosaic",
                        on_select=_on_map_click, selection_mode="points", config=PLOT_CONFIG,
                        width="content")
        note = t("insp_click_map")
        if len(shown) < len(stats):
            note += " " + t("insp_maps_capped", shown=len(shown), total=len(stats))
        st.caption(note)
    with detail:
        _enlarged_ui(maps[selected], stats[selected], (picked.cache_id, prepared.digest, "enlarged", layer), share)
    with st.expander(t("insp_stats_header")):
        columns = (t("insp_col_map"), t("insp_col_mean"))
        table = cached((picked.cache_id, prepared.digest, "stats_table", layer, by_mean, columns),
                       lambda: _stats_table(stats, order, columns), shared=share)
        st.dataframe(table, hide_index=True, width="stretch", key="insp_stats")
    return selected


def _stats_table(stats: list[dict], order: list[int], columns: tuple[str, str]) -> pa.Table:
    """The per-map numbers as an Arrow table, made once: st.dataframe converts a DataFrame on
    every rerun, an Arrow table it only writes out."""
    df = pd.DataFrame([stats[c] for c in order]).rename(columns={"channel": columns[0], "mean": columns[1]})
    return pa.Table.from_pandas(df, preserve_index=False)


def _mosaic_of(maps: np.ndarray, stats: list[dict], shown: list[int], shared: bool,
               selected: int) -> tuple[go.Figure, np.ndarray]:
    """The mosaic's figure (frozen: it is kept and drawn again), and its picture: the session cache
    counts a result's bytes by its arrays."""
    tiles = _scaled(shrink_maps(maps, shown), shared)  # (n, h, w) in 0..1, in placement order
    mos = mosaic(tiles)
    mos = Mosaic(image=mos.image, rows=mos.rows, cols=mos.cols, tile=mos.tile, order=shown,
                 pad=mos.pad)
    return FrozenFigure(mosaic_figure(mos, stats, selected, t("insp_map_hover"))), mos.image


def _enlarged_figure(one: np.ndarray) -> tuple[go.Figure, np.ndarray]:
    shown = shrink_maps(one[None], [0], ENLARGED_SIDE * ENLARGED_SIDE)[0]
    width, height = _size(shown.shape, 240)
    heat = {"type": "heatmap", "z": shown, "colorscale": "Viridis", "hovertemplate": "%{z:.3g}<extra></extra>",
            "colorbar": {"thickness": 12}}
    return FrozenFigure(figure([heat], _square_layout(shown.shape, width + 60, height))), shown


def _enlarged_ui(one: np.ndarray, s: dict, key: tuple, share: bool) -> None:
    fig, _ = cached((*key, s["channel"]), lambda: _enlarged_figure(one), shared=share)
    st.markdown(t("insp_map_title", c=s["channel"], min=f"{s['min']:.3g}", max=f"{s['max']:.3g}",
                  mean=f"{s['mean']:.3g}"))
    st.plotly_chart(fig, key="insp_enlarged", config=PLOT_CONFIG, width="content")


# ---------------------------------------------------------------------------------------------
# Kernels


def _kernel_cols(c_out: int, kw: int, write: bool) -> int:
    """Kernels per mosaic row: few enough that written values stay readable."""
    if not write:
        return min(c_out, 16)
    return max(1, min(c_out, (KERNEL_ROW_CELLS + 1) // (kw + 1)))


def _kernel_chart(mos: Mosaic, kh: int, key: tuple, share: bool) -> None:
    rows, cols = mos.image.shape
    cell = int(max(KERNEL_CELL_MIN, min(KERNEL_CELL_MAX, KERNEL_WIDTH_PX / cols, KERNEL_HEIGHT_PX / rows)))
    tall = int(min(KERNEL_CELL_MAX, KERNEL_WIDTH_PX / cols, KERNEL_TALL_PX / rows))
    if kh <= KERNEL_TEXT_MAX and cell < KERNEL_TEXT_CELL <= tall:
        cell = tall  # small kernels: a taller figure is worth their values written out
    write = kh <= KERNEL_TEXT_MAX and cell >= KERNEL_TEXT_CELL
    fig = cached(key, lambda: FrozenFigure(kernel_figure(mos.image, cell, write)), shared=share)
    st.plotly_chart(fig, key="insp_kernel_fig", config=PLOT_CONFIG, width="content")
    st.caption(t("insp_kernel_values") if write else t("insp_kernel_hover"))


def _linear_ui(module: nn.Linear, layer: str, key: tuple, share: bool) -> None:
    weight = module.weight.detach().float().cpu().numpy()[:LINEAR_ROWS, :LINEAR_COLS]  # (out, in), a copy
    st.caption(t("insp_linear_weights", layer=layer, n=module.out_features, c=module.in_features)
               + ("" if weight.shape == (module.out_features, module.in_features)
                  else " " + t("insp_linear_part", r=weight.shape[0], c=weight.shape[1])))
    rows, cols = weight.shape
    cell = max(2, min(KERNEL_CELL_MAX, KERNEL_WIDTH_PX // cols, KERNEL_HEIGHT_PX // rows))
    fig = cached(key, lambda: FrozenFigure(kernel_figure(weight, cell, write_values=False)), shared=share)
    st.plotly_chart(fig, key="insp_kernel_fig", config=PLOT_CONFIG, width="content")


def kernels_ui(picked: Picked, layer: str, channel: int | None) -> None:
    """The layer's kernels as one diverging heatmap (filters down, input channels across), or a
    fully connected layer's weight matrix; values on hover, written in the cells of small kernels."""
    module = picked.model.get_submodule(layer)
    st.subheader(t("insp_kernels"))
    # Figures of a model's weights are kept like its maps; a model that ships with the app is the
    # same for every student (its weights are no student's data)
    key, share = (picked.cache_id, "kernels", layer), picked.key.startswith(("shipped:", "imagenet:"))
    if isinstance(module, nn.Linear):
        _linear_ui(module, layer, key, share)
        return
    if not isinstance(module, nn.Conv2d):
        st.caption(t("insp_no_kernels", kind=type(module).__name__))
        return
    weight = module.weight.detach().float().cpu().numpy()  # (C_out, C_in/groups, kh, kw); a copy
    c_out, c_in, kh, kw = weight.shape
    if c_in == 3 and c_out * c_in > 48:  # a first layer on colour pictures: each filter in colour
        st.image(_colour_kernels(weight[:MAX_TILES]), caption=t("insp_kernels_rgb", n=min(c_out, MAX_TILES),
                                                                 k=f"{kh}×{kw}"))
        return
    if c_in == 1:  # one kernel per filter: rows of a few kernels, big enough to read
        mos = mosaic(weight[:MAX_TILES, 0], cols=_kernel_cols(min(c_out, MAX_TILES), kw, kh <= KERNEL_TEXT_MAX))
        st.caption(t("insp_kernels_row", n=c_out, k=f"{kh}×{kw}"))
    elif c_out * c_in <= KERNEL_GRID_MAX:
        mos = mosaic(weight.reshape(c_out * c_in, kh, kw), cols=c_in)
        st.caption(t("insp_kernels_all", n=c_out, channels=t("input_channels", n=c_in), k=f"{kh}×{kw}"))
    else:
        c = channel if channel is not None and 0 <= channel < c_out else 0
        mos = mosaic(weight[c][:MAX_TILES])
        key = (*key, c)
        st.caption(t("insp_kernels_one", c=c, n=min(c_in, MAX_TILES), total=c_in, k=f"{kh}×{kw}"))
    _kernel_chart(mos, kh, key, share)


@fragment
def walk_ui(picked: Picked, prepared: Prepared, source: Source | None) -> None:
    """The walk through the layers: the layer, its maps and its kernels. A fragment: choosing a
    layer or a map reruns only this part of the page (the picture and the model stay as they are)."""
    layer = layer_ui(picked)
    if layer:
        channel = maps_ui(picked, prepared, layer, source)
        kernels_ui(picked, layer, channel)
    share_view()
