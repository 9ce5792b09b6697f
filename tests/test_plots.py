"""Figure and picture builders: values written in cells, colour maps that keep zero white."""

import numpy as np

from cnnviz.plots import matrix_figure, response_image, value_text


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
