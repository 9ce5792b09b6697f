"""Training curves and gradient bars as figures: per-step lines, one legend group per run, the
gradient bars of several runs side by side in the network's order on a log axis that does not
magnify small differences."""

from __future__ import annotations

import math

from cnnviz.train.curves import GRADIENT_DECADES, curves_figure, gradients_figure

HISTORY = [{"epoch": e, "train_loss": 1 / e, "val_loss": 1.2 / e, "train_acc": 0.5 + e / 10, "val_acc": 0.4 + e / 10}
           for e in (1, 2)]
POINTS = [[0.5, 1.5, 0.3], [1.0, 1.1, 0.5], [1.5, 0.7, 0.6], [2.0, 0.5, 0.7]]


def test_steps_add_a_line_per_panel_only_to_the_runs_that_have_them() -> None:
    fig = curves_figure([("a", HISTORY), ("b", HISTORY)], steps=[POINTS, None], step_label="per step", grouped=True)
    names = [(t.legendgrouptitle.text, t.name, t.xaxis) for t in fig.data]
    assert names.count(("a", "per step", "x")) == 1 and names.count(("a", "per step", "x2")) == 1
    assert not [n for n in names if n[0] == "b" and n[1] == "per step"]
    loss, acc = [t for t in fig.data if t.name == "per step"]
    assert list(loss.x) == [0.5, 1.0, 1.5, 2.0] and list(loss.y) == [1.5, 1.1, 0.7, 0.5] and list(acc.y)[-1] == 0.7
    assert [t.showlegend for t in fig.data if t.legendgrouptitle.text == "a"] == [True, True, True, False, False, False]


def test_without_steps_the_figure_is_the_epoch_curves_alone_named_by_run() -> None:
    fig = curves_figure([("a", HISTORY)])
    assert [t.name for t in fig.data] == ["a · train", "a · validation"] * 2
    assert fig.layout.margin.t >= 50  # room for the hover toolbar above the panel titles


def test_gradient_bars_of_runs_are_grouped_in_the_networks_order() -> None:
    full = {"conv1.weight": 0.1, "conv2.weight": 0.2, "fc.weight": 0.4}
    frozen = {"fc.weight": 0.3}  # its convolutions were frozen: no gradient
    fig = gradients_figure([("frozen", frozen), ("full", full)])
    assert fig.layout.barmode == "group" and [b.name for b in fig.data] == ["frozen", "full"]
    assert list(fig.layout.xaxis.categoryarray) == ["conv1", "conv2", "fc"]
    assert fig.data[0].text is None and fig.layout.showlegend  # several runs: a legend, no labels


def test_the_log_axis_spans_at_least_some_decades() -> None:
    fig = gradients_figure([("healthy", {"a": 0.32, "b": 0.54})])
    low, high = fig.layout.yaxis.range
    assert high - low >= GRADIENT_DECADES and low < math.log10(0.32) and high > math.log10(0.54)
    wide = gradients_figure([("sigmoid", {"a": 1e-7, "b": 0.3})]).layout.yaxis.range
    assert wide[0] < -7 and list(gradients_figure([("one", {"a": 0.5})]).data[0].text) == ["5.0e-01"]
