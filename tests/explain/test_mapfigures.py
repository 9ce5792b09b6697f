"""Map figures: colour ranges from robust percentiles, colour bars, true values on hover, overlays
that keep the picture visible, layer vectors and kernels."""

from __future__ import annotations

import base64

import cv2
import numpy as np
import plotly.colors as pc
import pytest

from cnnviz.explain.attribution import normalise_map
from cnnviz.explain.mapfigures import (BASE_DIM, BASE_OFFSET, MAGNITUDE_SCALE, SIGNED_SCALE, VECTOR_BARS_MAX,
                               attribution_figure, colour_lut, coloured, kernel_figure, map_scale, overlay,
                               response_figure, robust_range, subsample, vector_figure)
from cnnviz.plots import response_image


def _laplacian_like(seed: int = 0) -> np.ndarray:
    """Mostly small values and a few huge ones at the border, as a zero-padded Laplacian gives."""
    rng = np.random.default_rng(seed)
    resp = rng.normal(0.0, 2.0, (128, 128)).astype(np.float32)  # each border line is 0.8 % of the pixels
    resp[0, :] = 400.0
    resp[:, 0] = -400.0
    return resp


def test_robust_range_is_the_percentiles_and_symmetric_when_signed() -> None:
    resp = _laplacian_like()
    low, high = robust_range(resp, signed=True)
    p1, p99 = np.percentile(resp, [1, 99])
    assert high == pytest.approx(max(abs(p1), abs(p99))) and low == -high
    assert high < 50  # the border's ±400 do not set the scale
    u = np.arange(101, dtype=np.float32)
    assert robust_range(u, signed=False) == pytest.approx((1.0, 99.0))


def test_robust_range_of_flat_empty_and_nan_maps() -> None:
    assert robust_range(np.zeros((4, 4)), signed=True) == (-1.0, 1.0)
    assert robust_range(np.full((4, 4), 3.0), signed=False) == (3.0, 4.0)
    assert robust_range(np.array([np.nan, np.inf]), signed=False) == (0.0, 1.0)
    spike = np.zeros(1000)
    spike[0] = 5.0  # percentiles are both 0: fall back to the magnitude
    assert robust_range(spike, signed=True) == (-5.0, 5.0)


def test_response_figure_hovers_true_values_with_a_colour_bar() -> None:
    resp = _laplacian_like()
    fig = response_figure(resp, signed=True, max_side=64)
    picture, heat = fig.data
    assert heat.opacity == 0 and heat.colorbar.thickness == 10  # invisible: hover and colour bar only
    z = np.asarray(heat.z)
    np.testing.assert_array_equal(z, resp[::2, ::2])  # sampled pixels, not averages or colours
    assert list(heat.x[:3]) == [0, 2, 4] and list(heat.y[:3]) == [0, 2, 4]  # the picture's pixel coordinates
    low, high = robust_range(resp, signed=True)
    assert (heat.zmin, heat.zmax) == (pytest.approx(low), pytest.approx(high))
    assert "%{z" in heat.hovertemplate
    shown = cv2.imdecode(np.frombuffer(base64.b64decode(picture.source.split(",", 1)[1]), np.uint8),
                         cv2.IMREAD_COLOR)[..., ::-1]
    np.testing.assert_array_equal(shown, coloured(resp, True, low, high))  # every pixel, same colours as the bar
    lut = colour_lut(SIGNED_SCALE)
    np.testing.assert_array_equal(shown[0, 5], lut[255].round())  # the +400 border: clipped to the red end
    small = response_figure(resp, signed=False, picture_side=32).data[0]
    assert small.dx == 4  # every 4th pixel drawn, each covering 4 map pixels


def test_coloured_follows_the_scale() -> None:
    v = np.array([[-2.0, 0.0, 2.0, 9.0]])
    rgb = coloured(v, True, -2.0, 2.0)
    lut = colour_lut(SIGNED_SCALE)
    np.testing.assert_array_equal(rgb[0], lut[[0, 128, 255, 255]].round())
    grey = coloured(np.array([[0.0, 5.0, 10.0]]), False, 0.0, 10.0)
    assert [int(g) for g in grey[0, :, 0]] == [0, 128, 255] and (grey[..., 0] == grey[..., 2]).all()


def test_faint_laplacian_is_not_faint_any_more() -> None:
    """With the old 99.5th-percentile scale a border spike left most pixels near white."""
    resp = _laplacian_like()
    rgb = response_image(resp, signed=True).astype(np.float32)
    inner = rgb[1:, 1:]
    assert (255 - inner.min(axis=2)).mean() > 40  # far from white on average
    assert (rgb[0, 5] == [214, 39, 40]).all() and (rgb[5, 0] == [31, 119, 180]).all()  # clipped extremes


def test_subsample_keeps_every_kth_pixel() -> None:
    a = np.arange(100 * 50, dtype=np.float32).reshape(100, 50)
    small, step = subsample(a, 30)
    assert step == 4 and small.shape == (25, 13)
    np.testing.assert_array_equal(small, a[::4, ::4])


def test_colour_luts_are_plotlys_scales() -> None:
    lut = colour_lut(SIGNED_SCALE)
    assert lut.shape == (256, 3)
    ends = [pc.unlabel_rgb(c) for c in pc.sample_colorscale(SIGNED_SCALE, [0.0, 1.0])]
    np.testing.assert_allclose(lut[[0, -1]], ends)
    viridis = colour_lut(MAGNITUDE_SCALE)
    np.testing.assert_allclose(viridis[0], pc.unlabel_rgb(pc.sample_colorscale(MAGNITUDE_SCALE, [0.0])[0]))


def test_overlay_keeps_a_greyed_picture_where_the_map_is_zero() -> None:
    seen = np.full((4, 4, 1), 255, np.uint8)  # white strokes
    amap = np.zeros((4, 4), np.float32)
    amap[0, 0], amap[3, 3] = 1.0, -1.0
    out = overlay(seen, amap, signed=True, opacity=1.0, px=8)  # factor 2
    assert out.shape == (8, 8, 3)
    grey = round(BASE_OFFSET + BASE_DIM * 255)
    np.testing.assert_array_equal(out[2:4, 2:4], grey)  # zero: the picture, greyed, never white
    assert grey < 250
    lut = colour_lut(SIGNED_SCALE)
    np.testing.assert_array_equal(out[0, 0], lut[255].round())  # +1 at full opacity: the red end
    np.testing.assert_array_equal(out[7, 7], lut[0].round())  # -1: the blue end
    half = overlay(seen, amap, signed=True, opacity=0.5, px=4)
    np.testing.assert_array_equal(half[0, 0], (0.5 * (BASE_OFFSET + BASE_DIM * 255) + 0.5 * lut[255]).round())


def test_unsigned_overlay_uses_viridis_weighted_by_magnitude() -> None:
    seen = np.zeros((2, 2, 3), np.uint8)
    amap = np.array([[0.0, 0.5], [1.0, 1.0]], np.float32)
    out = overlay(seen, amap, signed=False, opacity=1.0, px=2).astype(np.float32)
    lut = colour_lut(MAGNITUDE_SCALE)
    np.testing.assert_array_equal(out[0, 0], BASE_OFFSET)
    np.testing.assert_allclose(out[1, 1], lut[255].round())
    np.testing.assert_allclose(out[0, 1], (0.5 * BASE_OFFSET + 0.5 * lut[128]).round(), atol=1)


def test_attribution_figure_has_the_true_values_and_the_display_scale() -> None:
    rng = np.random.default_rng(1)
    raw = rng.normal(0, 1, (28, 28)).astype(np.float32)
    seen = rng.integers(0, 255, (28, 28, 1), dtype=np.uint8)
    fig = attribution_figure(seen, raw, signed=True, opacity=0.7, px=224)
    image, heat = fig.data
    np.testing.assert_array_equal(np.asarray(heat.z), raw)
    drawn = cv2.imdecode(np.frombuffer(base64.b64decode(image.source.split(",", 1)[1]), np.uint8),
                         cv2.IMREAD_COLOR)[..., ::-1]
    scale = map_scale(raw, signed=True)
    assert heat.zmax == pytest.approx(scale) and heat.zmin == pytest.approx(-scale)
    assert heat.opacity == 0 and heat.colorbar.thickness == 10  # invisible: hover and colour bar only
    expected = overlay(seen, normalise_map(raw, True), True, 0.7, 224)
    np.testing.assert_array_equal(drawn, expected)  # the same scale as normalise_map


def test_map_scale_is_normalise_maps_scale() -> None:
    rng = np.random.default_rng(2)
    a = rng.normal(0, 3, (16, 16))
    for signed in (True, False):
        np.testing.assert_allclose(normalise_map(a, signed), np.clip(
            (a if signed else np.maximum(a, 0)) / map_scale(a, signed), -1 if signed else 0, 1), rtol=1e-6)
    assert map_scale(np.zeros((3, 3)), True) == 0.0


def test_vector_figure_bars_and_grid() -> None:
    v = np.array([2.0, -1.0, 0.0], np.float32)
    fig = vector_figure(v, ["a", "b", "c"])
    bar = fig.data[0]
    assert list(bar.x) == ["a", "b", "c"] and list(bar.y) == [2.0, -1.0, 0.0]
    assert bar.marker.color[0] != bar.marker.color[1]  # positive and negative apart
    long = np.arange(VECTOR_BARS_MAX + 10, dtype=np.float32)
    heat = vector_figure(long).data[0]
    z = np.asarray(heat.z, dtype=np.float64)
    assert z.shape == (9, 64) and z[0, 5] == 5.0 and np.isnan(z[-1, -1])
    assert np.asarray(heat.customdata)[1, 0] == 64  # hover names the unit


def test_kernel_figure_writes_values_only_when_asked() -> None:
    k = np.array([[1.0, -0.5], [np.nan, 0.25]])
    fig = kernel_figure(k, 30, write_values=True)
    heat = fig.data[0]
    assert [list(r) for r in heat.text] == [["1.00", "-0.50"], ["", "0.25"]]
    assert heat.zmin == -1.0 and heat.zmax == 1.0
    assert kernel_figure(k, 30, write_values=False).data[0].text is None


# ---------------------------------------------------------------------------------------------
# One spec, one validation: the same figure as Plotly's step-by-step construction


def _square_by_updates(fig, height: int):  # the reference: Plotly's own update_* calls
    fig.update_layout(height=height, margin={"l": 4, "r": 4, "t": 4, "b": 4}, dragmode=False, plot_bgcolor="white")
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False, constrain="domain", fixedrange=True)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False, autorange="reversed", scaleanchor="x",
                     constrain="domain", fixedrange=True)
    return fig


def _json(fig) -> dict:
    import json
    return json.loads(fig.to_json())


def test_response_and_attribution_figures_equal_the_step_by_step_figure() -> None:
    import plotly.graph_objects as go

    from cnnviz.explain.mapfigures import COLOURBAR, GREY_SCALE, _png_uri

    values = _laplacian_like(1)[:40, :30]
    low, high = robust_range(values, signed=False)
    ref = go.Figure(go.Image(source=_png_uri(coloured(values, False, low, high)), dx=1, dy=1, x0=0.0, y0=0.0,
                             hoverinfo="skip"))
    ref.add_trace(go.Heatmap(z=values, x=np.arange(30), y=np.arange(40), opacity=0, zmin=low, zmax=high,
                             colorscale=GREY_SCALE, colorbar=COLOURBAR, hovertemplate="h<extra></extra>"))
    ref.update_xaxes(range=[-0.5, 29.5])
    ref.update_yaxes(range=[39.5, -0.5])
    assert _json(response_figure(values, signed=False, height=200, hover="h")) == _json(_square_by_updates(ref, 200))
    fig = _json(attribution_figure(np.zeros((8, 8, 3), np.uint8), values[:8, :8], signed=True, opacity=0.5, px=64))
    assert fig["layout"]["height"] == 72 and fig["layout"]["yaxis"]["autorange"] == "reversed"
    assert fig["layout"]["xaxis"]["range"] == [-0.5, 7.5] and fig["data"][1]["colorscale"]


def test_vector_and_kernel_figures_equal_the_step_by_step_figure() -> None:
    import plotly.graph_objects as go

    from cnnviz.explain.mapfigures import COLOURBAR, NEGATIVE, POSITIVE

    v = np.array([1.5, -2.0, 0.25], dtype=np.float32)
    ref = go.Figure(go.Bar(x=["a", "b", "c"], y=v, marker={"color": np.where(v >= 0, POSITIVE, NEGATIVE)},
                           hovertemplate="%{x}<extra></extra>"))
    ref.update_layout(height=260, margin={"l": 40, "r": 10, "t": 10, "b": 30}, bargap=0.1, plot_bgcolor="white")
    ref.update_xaxes(type="category", fixedrange=True)
    ref.update_yaxes(zeroline=True, zerolinecolor="#888", gridcolor="#eee", fixedrange=True)
    assert _json(vector_figure(v, ["a", "b", "c"], hover="%{x}")) == _json(ref)

    k = np.array([[1.0, -0.5], [np.nan, 0.25]], dtype=np.float32)
    for write in (True, False):
        text = [["1.00", "-0.50"], ["", "0.25"]] if write else None
        ref = go.Figure(go.Heatmap(z=k, zmin=-1.0, zmax=1.0, colorscale=SIGNED_SCALE, colorbar=COLOURBAR,
                                   hovertemplate="%{z:.4g}<extra></extra>", text=text,
                                   texttemplate="%{text}" if write else None, textfont={"size": 10}))
        _square_by_updates(ref, 2 * 30 + 12).update_layout(width=2 * 30 + 90)
        assert _json(kernel_figure(k, 30, write_values=write)) == _json(ref)
