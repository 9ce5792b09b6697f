"""What a run reports while it trains: the sync cadence, bounded per-step points, the epoch in
progress, the gradient ratio; and a real run's points arriving before its first epoch ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnnviz.models.builders import ModelConfig
from cnnviz.train.engine import Event, TrainConfig
from cnnviz.train.jobs import JobContext
from cnnviz.train.progress import MAX_POINTS, add_point, epoch_in_progress, gradient_ratio, sync_every
from cnnviz.train.runs import RunSpec, run_job

pytestmark = pytest.mark.usefixtures("one_thread")


def _step(step: int, epoch_steps: int = 10, loss: float = 1.0, acc: float = 0.5) -> Event:
    return Event("step", 1 + (step - 1) // epoch_steps, step, epoch_steps * 3,
                 {"window_loss": loss, "window_acc": acc, "epoch_steps": epoch_steps})


@pytest.mark.parametrize("steps, most, expected", [(3, 25, 1), (31, 25, 1), (39, 25, 1), (40, 25, 2),
                                                   (468, 25, 23), (5000, 25, 25), (100, 1, 1)])
def test_the_engine_syncs_about_twenty_times_an_epoch(steps: int, most: int, expected: int) -> None:
    assert sync_every(steps, most) == expected


def test_points_are_fractions_of_epochs_with_the_windows_metrics() -> None:
    points: list[list[float]] = []
    for step in (2, 4, 10, 12):
        add_point(points, _step(step, loss=0.123456789, acc=0.25))
    assert [p[0] for p in points] == [0.2, 0.4, 1.0, 1.2]
    assert points[0][1:] == [0.12346, 0.25]


def test_points_stay_bounded_keep_their_span_and_the_newest() -> None:
    points: list[list[float]] = []
    for step in range(1, 5 * MAX_POINTS + 1):
        add_point(points, _step(step, epoch_steps=MAX_POINTS, loss=float(step)))
        assert len(points) <= MAX_POINTS
        assert points[-1][1] == float(step)  # the newest point is always there
    xs = [p[0] for p in points]
    assert xs == sorted(xs) and xs[0] < 0.05 and len(points) > MAX_POINTS // 2


@pytest.mark.parametrize("progress, expected", [
    ({}, None),  # preparing the data
    ({"epoch": 1, "spec": {"train": {"epochs": 3}}, "history": []}, 1),
    ({"epoch": 1, "spec": {"train": {"epochs": 3}}, "history": [{}]}, 2),  # epoch 1 plotted: 2 trains
    ({"epoch": 2, "spec": {"train": {"epochs": 3}}, "history": [{}]}, 2),
    ({"epoch": 3, "spec": {"train": {"epochs": 3}}, "history": [{}, {}, {}]}, 3),  # never "4 of 3"
])
def test_the_epoch_in_progress_follows_the_plotted_epochs(progress: dict, expected: int | None) -> None:
    assert epoch_in_progress(progress) == expected


def test_gradient_ratio_is_first_over_last() -> None:
    assert gradient_ratio({"conv1.weight": 1e-6, "conv2.weight": 1e-3, "fc.weight": 0.5}) == pytest.approx(2e-6)
    assert gradient_ratio([2.0, 1.0]) == 2.0
    assert gradient_ratio({"fc.weight": 1.0}) is None and gradient_ratio([1.0, 0.0]) is None
    assert gradient_ratio([float("nan"), 1.0]) is None


class _Recorder(JobContext):
    """Keeps what the progress held each time an epoch record arrived."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.at_epochs: list[dict] = []

    def append(self, key: str, item: object) -> None:
        self.at_epochs.append(self.progress())
        super().append(key, item)


def test_a_run_reports_step_points_before_its_first_epoch_ends(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    spec = RunSpec("digits", 640, 64, ModelConfig("lenet5", (1, 28, 28)), TrainConfig(epochs=2, batch_size=32))
    ctx = _Recorder("steps")
    run_job(spec, root=tmp_path / "runs")(ctx)
    first = ctx.at_epochs[0]
    assert first["history"] == [] and len(first["points"]) == 20  # 20 steps an epoch, a point each
    assert [p[0] for p in first["points"]] == pytest.approx([(i + 1) / 20 for i in range(20)])
    assert len(ctx.progress()["points"]) == 40 and ctx.progress()["points"][-1][0] == 2.0
