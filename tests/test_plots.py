"""Figure and picture builders: values written in cells, colour maps that keep zero white."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from cnnviz.plots import CELL_PX, DIVERGING, HIGHLIGHT, ZOOMED_MAP_PX, matrix_figure, response_image, value_text


def test_matrix_figure_writes_every_value() -> None:
    m = np.array([[1.0, -2.5], [0.125, 3.0]])
    fig = matrix_figure(m, "t", highlight=(1, 0))
    assert [list(r) for r in fig.data[0].text] == [["1", "-2.5"], ["0.12", "3"]]
    assert len(fig.data[1].x) == 4  # one click target per cell
    assert fig.layout.shapes[0].x0 == -0.5 and fig.layout.shapes[0].y0 == 0.5


def test_value_text() -> None:
    assert [value_text(v) for v in (4.0, -3.0, 4.25, 1 / 3)] == ["4", "-3", "4.25", "0.33"]


def test_signed_response_keeps_zero_white_and_signs_apart() -> None:
    resp = np.zeros((4, 4), np.float32)
    resp[0, 0], resp[3, 3] = 5.0, -5.0
    rgb = response_image(resp, signed=True)
    assert rgb.shape == (4, 4, 3) and rgb.dtype == np.uint8
    assert (rgb[1, 1] == 255).all()
    assert rgb[0, 0, 0] > rgb[0, 0, 2] and rgb[3, 3, 2] > rgb[3, 3, 0]  # red positive, blue negative


def test_unsigned_response_spans_grey_levels() -> None:
    rgb = response_image(np.array([[0.0, 1.0], [2.0, 4.0]]), signed=False)
    assert rgb[0, 0, 0] == 0 and rgb[1, 1, 0] == 255 and (rgb[..., 0] == rgb[..., 2]).all()
    assert (response_image(np.ones((3, 3)), signed=False) == 0).all()  # flat input: no division by zero


def _matrix_figure_by_updates(m: np.ndarray, title: str, highlight: tuple[int, int] | None) -> go.Figure:
    """The same (unzoomed) figure built the slow way, with Plotly's add_trace/add_shape/update_* calls."""
    h, w = m.shape
    rows, cols = np.mgrid[0:h, 0:w]
    fig = go.Figure(go.Heatmap(z=m, text=[[value_text(v) for v in row] for row in m], texttemplate="%{text}",
                               colorscale=DIVERGING, zmid=0, textfont={"color": "black", "size": 13},
                               showscale=False, hoverinfo="skip", xgap=1, ygap=1))
    fig.add_trace(go.Scatter(x=cols.ravel(), y=rows.ravel(), mode="markers", hoverinfo="x+y",
                             marker={"size": 18, "opacity": 0, "symbol": "square"}, showlegend=False))
    if highlight is not None:
        i, j = highlight
        fig.add_shape(type="rect", x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5,
                      line={"color": HIGHLIGHT, "width": 3})
    size = max(w, h) * CELL_PX
    fig.update_layout(title={"text": title, "font": {"size": 14}, "xref": "paper", "x": 0.5,
                             "xanchor": "center", "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 4}},
                      height=size + 86, width=size + 40, margin={"l": 30, "r": 10, "t": 56, "b": 10},
                      dragmode=False, clickmode="event+select", plot_bgcolor="white")
    fig.update_xaxes(side="top", dtick=1, range=[-0.5, w - 0.5], showgrid=False, zeroline=False,
                     constrain="domain", fixedrange=True, tickfont={"size": 12})
    fig.update_yaxes(range=[h - 0.5, -0.5], dtick=1, showgrid=False, zeroline=False, scaleanchor="x",
                     constrain="domain", fixedrange=True, tickfont={"size": 12})
    return fig


@pytest.mark.parametrize("shape, highlight", [((1, 1), None), ((3, 5), (2, 4)), ((12, 12), (0, 0)), ((7, 2), None)])
def test_matrix_figure_is_the_figure_plotly_updates_would_build(shape: tuple[int, int],
                                                                 highlight: tuple[int, int] | None) -> None:
    m = np.random.default_rng(sum(shape)).normal(size=shape).round(2) * 10
    fast, slow = matrix_figure(m, "out", highlight), _matrix_figure_by_updates(m, "out", highlight)
    assert json.loads(fast.to_json()) == json.loads(slow.to_json())


def test_a_zoomed_matrix_figure_has_bigger_cells_and_type_up_to_a_limit() -> None:
    small, big = matrix_figure(np.ones((2, 2)), "m", (0, 0)), matrix_figure(np.ones((2, 2)), "m", (0, 0), zoom=2.0)
    assert big.data[0].textfont.size == 2 * small.data[0].textfont.size == 26
    assert (big.layout.width, big.layout.height) == (2 * small.layout.width, 2 * small.layout.height)
    assert big.layout.shapes[0].line.width == 6 and big.layout.xaxis.tickfont.size == 24
    # a bigger map grows only until its side is ZOOMED_MAP_PX, and never shrinks below its own size
    scale = ZOOMED_MAP_PX / (9 * CELL_PX)
    assert matrix_figure(np.ones((9, 9)), "m", zoom=2.0).layout.width == ZOOMED_MAP_PX + round(40 * scale)
    assert matrix_figure(np.ones((12, 12)), "m", zoom=2.0).to_dict() == matrix_figure(np.ones((12, 12)), "m").to_dict()


def test_a_frozen_figure_is_drawn_as_the_figure_it_was_made_from() -> None:
    """What st.plotly_chart sends (its dict step, then Plotly's JSON) is the same for a frozen
    figure, and the dict is the one made at creation, not a new conversion per draw."""
    import plotly.io as pio
    import plotly.tools as ptools

    from cnnviz.plots import FrozenFigure

    fig = matrix_figure(np.arange(12.0).reshape(3, 4) - 5.5, "k", highlight=(1, 2))
    frozen = FrozenFigure(fig)
    drawn = ptools.return_figure_from_figure_or_data(frozen, validate_figure=True)
    assert drawn is frozen.to_dict() is ptools.return_figure_from_figure_or_data(frozen, validate_figure=True)
    want = pio.to_json(ptools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)
    assert pio.to_json(drawn, validate=False) == want
    assert frozen.layout.title.text == "k" and frozen.layout.shapes[0].x0 == 1.5
