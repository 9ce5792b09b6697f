"""Tests for cnnviz.train.engine: config validation, schedules, batch augmentation, and the training loop.

Everything runs on tiny hand-made data (8x8 images, linear or one-conv models) so the file stays
fast on a loaded 2-core CPU. References are hand computations, F.cross_entropy and brute force.
"""

from __future__ import annotations

import copy
import json
import math
import threading

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.data.datasets import DatasetInfo, Split
from cnnviz.train.engine import (
    OPTIMIZERS,
    SCHEDULES,
    DeviceData,
    Event,
    TrainConfig,
    augment,
    evaluate,
    lr_factor,
    train,
)

INFO = DatasetInfo("tiny", (1, 8, 8), ("left", "right"), (0.4,), (0.3,), True)
INFO3 = DatasetInfo("tiny3", (3, 4, 5), ("a", "b"), (0.2, 0.5, 0.7), (0.1, 0.25, 0.4), True)
# History fields that depend on the clock, not on the arithmetic
CLOCK_FIELDS = {"seconds", "images_per_s", "elapsed"}


pytestmark = pytest.mark.usefixtures("one_thread")


def _images(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n uint8 (1, 8, 8) images: class 0 is brighter on the left half, class 1 on the right."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randint(0, 120, (n, 1, 8, 8), generator=g)
    bright = torch.zeros(n, 1, 8, 8, dtype=torch.bool)
    bright[y == 0, :, :, :4] = True
    bright[y == 1, :, :, 4:] = True
    x = torch.where(bright, x + 120, x)
    return x.to(torch.uint8), y.to(torch.int64)


def _split(n_train: int = 64, n_val: int = 32, seed: int = 0) -> Split:
    return Split(*_images(n_train, seed), *_images(n_val, seed + 1))


def _linear(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 2))


def _small_cnn(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Dropout(0.25),
                         nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(16, 2))


def _arithmetic(history: list[dict[str, float]]) -> list[dict[str, float]]:
    return [{k: v for k, v in record.items() if k not in CLOCK_FIELDS} for record in history]


# --- TrainConfig ---------------------------------------------------------------------------------

BAD_VALUES = [
    ("epochs", 0), ("epochs", 201), ("epochs", 2.0), ("epochs", True),
    ("batch_size", 0), ("batch_size", 4097), ("batch_size", "64"),
    ("optimizer", "rmsprop"), ("optimizer", "SGD"),
    ("schedule", "cosine"), ("schedule", None),
    ("lr", 0.0), ("lr", 11.0), ("lr", float("nan")), ("lr", "0.1"), ("lr", True),
    ("momentum", -0.1), ("momentum", 1.0),
    ("weight_decay", -1e-4), ("weight_decay", 1.5),
    ("label_smoothing", 0.6), ("label_smoothing", -0.1),
    ("normalize", 1), ("normalize", "yes"), ("flip", 0), ("nesterov", "true"),
    ("translate", -1), ("translate", 9), ("translate", 1.0),
    ("erase", -0.1), ("erase", 1.5),
    ("seed", -1), ("seed", 2**31), ("seed", 0.5),
    ("sync_every", 0), ("sync_every", 10_001),
]


@pytest.mark.parametrize("name, value", BAD_VALUES)
def test_config_rejects_each_bad_value(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        TrainConfig(**{name: value})


@pytest.mark.parametrize("kw", [{"optimizer": "adam", "nesterov": True},
                                {"optimizer": "sgd", "momentum": 0.0, "nesterov": True}])
def test_nesterov_needs_sgd_with_momentum(kw: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="Nesterov"):
        TrainConfig(**kw)


def test_config_accepts_the_bounds() -> None:
    TrainConfig(epochs=200, batch_size=4096, lr=10.0, momentum=0.999, weight_decay=1.0,
                label_smoothing=0.5, translate=8, erase=1.0, seed=2**31 - 1, sync_every=10_000)
    TrainConfig(epochs=1, batch_size=1, lr=1e-6, momentum=0.0, translate=0, erase=0.0, seed=0)


def test_config_round_trips_through_json() -> None:
    cfg = TrainConfig(epochs=3, batch_size=32, optimizer="sgd", lr=0.2, momentum=0.8,
                      nesterov=True, weight_decay=1e-3, schedule="step", label_smoothing=0.1,
                      normalize=False, flip=True, translate=2, erase=0.25, seed=7, sync_every=5)
    data = cfg.to_dict()
    assert data["nesterov"] is True and data["translate"] == 2 and data["schedule"] == "step"
    assert TrainConfig.from_dict(json.loads(json.dumps(data))) == cfg
    assert TrainConfig.from_dict({}) == TrainConfig()


def test_from_dict_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="learning_rate"):
        TrainConfig.from_dict({**TrainConfig().to_dict(), "learning_rate": 0.1})


# --- learning-rate schedules ---------------------------------------------------------------------

def _onecycle(p: float) -> float:
    """By hand: 0.04 -> 1 linearly over the first 30%, then half a cosine from 1 down to 0.0004."""
    if p < 0.3:
        return 0.04 + 0.96 * p / 0.3
    return 0.0004 + 0.9996 * 0.5 * (1 + math.cos(math.pi * (p - 0.3) / 0.7))


PROGRESS = (0.0, 0.29, 0.3, 0.5, 0.74, 0.75, 1.0)
EXPECTED = {
    "constant": (1, 1, 1, 1, 1, 1, 1),
    "step": (1, 1, 1, 0.1, 0.1, 0.01, 0.01),
    "exponential": tuple(10 ** (-2 * p) for p in PROGRESS),
    "onecycle": (0.04, 0.04 + 0.96 * 29 / 30, 1.0, _onecycle(0.5), _onecycle(0.74),
                 _onecycle(0.75), 0.0004),
}


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_lr_factor_matches_hand_values(schedule: str) -> None:
    got = [lr_factor(schedule, p) for p in PROGRESS]
    assert got == pytest.approx(EXPECTED[schedule], rel=1e-9, abs=1e-12)
    # progress outside 0..1 is clamped
    assert lr_factor(schedule, -0.5) == pytest.approx(EXPECTED[schedule][0])
    assert lr_factor(schedule, 1.5) == pytest.approx(EXPECTED[schedule][-1])


def test_onecycle_midpoint_of_the_cosine_is_half() -> None:
    # p = 0.65 is halfway through the cosine part: cos(pi/2) = 0
    assert lr_factor("onecycle", 0.65) == pytest.approx(0.0004 + 0.9996 / 2)
    decay = [lr_factor("onecycle", 0.3 + 0.7 * i / 50) for i in range(51)]
    assert all(a >= b for a, b in zip(decay, decay[1:]))


def test_lr_factor_rejects_unknown_schedules() -> None:
    with pytest.raises(ValueError):
        lr_factor("cosine", 0.5)


# --- augmentation --------------------------------------------------------------------------------

def _batch(b: int = 64, c: int = 2, h: int = 7, w: int = 9, seed: int = 0) -> torch.Tensor:
    """Random values in [1, 2): no pixel is 0, so zero padding and erasing are recognisable."""
    return torch.rand(b, c, h, w, generator=torch.Generator().manual_seed(seed)) + 1


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _shifted(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """out[..., r, c] = x[..., r + dy, c + dx] where that exists, else 0 (written with slices)."""
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    rows_out = slice(max(0, -dy), min(h, h - dy))
    rows_in = slice(max(0, dy), min(h, h + dy))
    cols_out = slice(max(0, -dx), min(w, w - dx))
    cols_in = slice(max(0, dx), min(w, w + dx))
    out[..., rows_out, cols_out] = x[..., rows_in, cols_in]
    return out


def test_flip_gives_each_image_or_its_mirror_and_both_occur() -> None:
    x = _batch()
    out = augment(x, TrainConfig(flip=True), _gen())
    same = (out == x).flatten(1).all(1)
    mirrored = (out == x.flip(3)).flatten(1).all(1)
    assert (same ^ mirrored).all()  # exactly one of the two, for every image
    assert same.any() and mirrored.any()


@pytest.mark.parametrize("t", [1, 2])
def test_translate_is_a_zero_filled_shift_within_range(t: int) -> None:
    x = _batch(b=400)
    out = augment(x, TrainConfig(translate=t), _gen())
    shifts = [(dy, dx) for dy in range(-t, t + 1) for dx in range(-t, t + 1)]
    found = []
    for i in range(len(x)):
        matches = [s for s in shifts if torch.equal(out[i], _shifted(x[i], *s))]
        assert len(matches) == 1, f"image {i} is no shift of its input within {t} pixels"
        found.append(matches[0])
    assert set(found) == set(shifts)  # every shift in range is drawn (400 draws of <= 25)


def _erased_box(before: torch.Tensor, after: torch.Tensor) -> tuple[int, int, int, int] | None:
    """The rectangle (top, bottom, left, right) where ``after`` differs; checks it is one box."""
    diff = (after != before).any(0)  # (H, W)
    if not diff.any():
        return None
    rows = diff.any(1).nonzero().flatten()
    cols = diff.any(0).nonzero().flatten()
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    box = torch.zeros_like(diff)
    box[top:bottom, left:right] = True
    assert torch.equal(diff, box), "the changed pixels are not one axis-aligned rectangle"
    assert (after[:, top:bottom, left:right] == 0).all(), "erased pixels are not 0 in every channel"
    return top, bottom, left, right


def test_erase_always_blanks_one_rectangle_per_image() -> None:
    x = _batch(b=100, h=16, w=12)
    out = augment(x, TrainConfig(erase=1.0), _gen())
    boxes = [_erased_box(x[i], out[i]) for i in range(len(x))]
    assert all(b is not None for b in boxes)
    assert len(set(boxes)) > 50  # positions and sizes vary


def test_erase_probability_picks_some_images() -> None:
    x = _batch(b=200)
    out = augment(x, TrainConfig(erase=0.5), _gen())
    erased = [_erased_box(x[i], out[i]) is not None for i in range(len(x))]
    assert 60 < sum(erased) < 140


def test_no_augmentation_leaves_the_batch_alone() -> None:
    x = _batch()
    assert torch.equal(augment(x, TrainConfig(erase=0.0), _gen()), x)


def test_augment_is_reproducible_by_generator_seed() -> None:
    cfg = TrainConfig(flip=True, translate=2, erase=0.5)
    x = _batch(b=32)
    a, b = augment(x, cfg, _gen(3)), augment(x, cfg, _gen(3))
    assert torch.equal(a, b)
    assert not torch.equal(a, augment(x, cfg, _gen(4)))


@pytest.mark.parametrize("cfg", [TrainConfig(flip=True), TrainConfig(translate=2),
                                 TrainConfig(erase=1.0),
                                 TrainConfig(flip=True, translate=2, erase=0.5)])
def test_augment_keeps_a_channels_last_batch_channels_last_with_the_same_values(
        cfg: TrainConfig) -> None:
    """The CUDA path feeds channels_last batches; a contiguous result would cost a conversion
    before every convolution. Same generator seed: the same images as the contiguous path."""
    x = _batch(b=32, c=3)
    nhwc = x.contiguous(memory_format=torch.channels_last)
    out = augment(nhwc, cfg, _gen(5))
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert not out.is_contiguous()  # 3 channels: the two layouts differ
    reference = augment(x, cfg, _gen(5))
    assert reference.is_contiguous()
    assert torch.equal(out, reference)


# --- data on the device --------------------------------------------------------------------------

def test_device_data_prepare_normalises_per_channel() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (6, 3, 4, 5), generator=g, dtype=torch.uint8)
    y = torch.zeros(6, dtype=torch.int64)
    data = DeviceData(Split(x, y, x[:2], y[:2]), INFO3, "cpu")
    assert data.x_train.dtype == torch.uint8 and data.x_train.device.type == "cpu"
    mean = torch.tensor(INFO3.mean).view(1, 3, 1, 1)
    std = torch.tensor(INFO3.std).view(1, 3, 1, 1)
    expected = (x.double() / 255 - mean.double()) / std.double()
    got = data.prepare(x)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got.double(), expected, rtol=1e-5, atol=1e-5)

    plain = DeviceData(Split(x, y, x[:2], y[:2]), INFO3, "cpu", normalize=False)
    torch.testing.assert_close(plain.prepare(x).double(), x.double() / 255, rtol=1e-6, atol=1e-6)


# --- evaluate ------------------------------------------------------------------------------------

def test_evaluate_equals_a_manual_loop() -> None:
    split = _split(n_val=30)
    model = _small_cnn()
    model.train()
    data = DeviceData(split, INFO, "cpu")
    loss, acc = evaluate(model, data, data.x_val, data.y_val, batch=7)  # ragged last chunk
    assert model.training  # mode is restored

    reference = copy.deepcopy(model).eval()  # eval: dropout off
    with torch.no_grad():
        x = (split.x_val.float() / 255 - INFO.mean[0]) / INFO.std[0]
        logits = reference(x)
    assert loss == pytest.approx(F.cross_entropy(logits, split.y_val).item(), rel=1e-5)
    assert acc == pytest.approx((logits.argmax(1) == split.y_val).float().mean().item())


# --- the training loop ---------------------------------------------------------------------------

def test_training_is_deterministic_for_a_seed() -> None:
    split = _split()
    cfg = TrainConfig(epochs=3, batch_size=16, flip=True, translate=1, erase=0.5, seed=5)
    model = _small_cnn()  # has dropout: the global generator matters too
    runs = []
    for seed in (5, 5, 6):
        m = copy.deepcopy(model)
        result = train(m, split, INFO, TrainConfig.from_dict({**cfg.to_dict(), "seed": seed}))
        runs.append((m, result))
    (m1, r1), (m2, r2), (m3, r3) = runs
    assert r1.stopped == r2.stopped == "done" and len(r1.history) == 3
    assert _arithmetic(r1.history) == _arithmetic(r2.history)
    for a, b in zip(m1.state_dict().values(), m2.state_dict().values()):
        assert torch.equal(a, b)
    assert any(not torch.equal(a, c) for a, c in zip(m1.state_dict().values(),
                                                     m3.state_dict().values()))


def test_cancel_before_the_start_trains_nothing() -> None:
    model = _linear()
    before = copy.deepcopy(model.state_dict())
    cancel = threading.Event()
    cancel.set()
    events: list[Event] = []
    result = train(model, _split(), INFO, TrainConfig(epochs=2, batch_size=16),
                   callback=events.append, cancel=cancel)
    assert result.stopped == "cancelled" and result.history == [] and result.images == 0
    assert [e.kind for e in events] == ["done"] and events[0].values == {"stopped": "cancelled"}
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, before[name])


def test_cancel_from_the_callback_stops_after_that_step() -> None:
    cancel = threading.Event()
    events: list[Event] = []

    def callback(event: Event) -> None:
        events.append(event)
        if event.kind == "step":
            cancel.set()

    result = train(_linear(), _split(), INFO, TrainConfig(epochs=3, batch_size=16, sync_every=1),
                   callback=callback, cancel=cancel)
    assert result.stopped == "cancelled"
    assert [e.kind for e in events] == ["step", "epoch", "done"]
    assert result.images == 16 and len(result.history) == 1  # the one step's partial epoch
    assert events[-1].values == {"stopped": "cancelled"}


# NaN weights, and finite weights so large that the logits overflow to inf
@pytest.mark.parametrize("value", [float("nan"), 3e38])
def test_non_finite_loss_stops_as_diverged(value: float) -> None:
    model = _linear()
    with torch.no_grad():
        model[1].weight.fill_(value)
    events: list[Event] = []
    result = train(model, _split(), INFO, TrainConfig(epochs=3, batch_size=16, sync_every=2),
                   callback=events.append)
    assert result.stopped == "diverged"
    assert [e.kind for e in events] == ["step", "epoch", "done"] and events[0].step == 2
    assert len(result.history) == 1 and not math.isfinite(result.history[0]["train_loss"])


def test_event_sequence_and_sync_points() -> None:
    # 42 images in batches of 4: 10 steps per epoch (the ragged 2 are dropped), 20 in all.
    events: list[Event] = []
    result = train(_linear(), _split(n_train=42), INFO,
                   TrainConfig(epochs=2, batch_size=4, sync_every=3), callback=events.append)
    # a step event every 3rd step and at the end of each epoch, then the epoch's record
    expected = [("step", 1, 3), ("step", 1, 6), ("step", 1, 9), ("step", 1, 10), ("epoch", 1, 10),
                ("step", 2, 12), ("step", 2, 15), ("step", 2, 18), ("step", 2, 20),
                ("epoch", 2, 20), ("done", 2, 20)]
    assert [(e.kind, e.epoch, e.step) for e in events] == expected
    assert all(e.total_steps == 20 for e in events)
    assert result.stopped == "done" and result.images == 80
    assert events[-1].values == {"stopped": "done"}
    epochs = [e for e in events if e.kind == "epoch"]
    assert [e.values for e in epochs] == result.history
    for e in events:
        if e.kind == "step":
            assert set(e.values) == {"loss", "acc", "lr", "images_per_s", "elapsed",
                                     "grad_norms", "window_loss", "window_acc", "epoch_steps"}
            assert e.values["epoch_steps"] == 10
            assert set(e.values["grad_norms"]) == {"1.weight"}  # weights only, not biases
    # the last running loss of an epoch is that epoch's training loss
    assert events[3].values["loss"] == pytest.approx(result.history[0]["train_loss"])
    assert events[8].values["acc"] == pytest.approx(result.history[1]["train_acc"])



def test_window_metrics_cover_the_steps_since_the_last_event() -> None:
    # 10 steps per epoch, events after steps 3, 6, 9 and 10 of each: windows of 3, 3, 3 and 1 steps
    events: list[Event] = []
    result = train(_linear(), _split(n_train=42), INFO, TrainConfig(epochs=2, batch_size=4, sync_every=3),
                   callback=lambda e: events.append(e) if e.kind == "step" else None)
    for epoch, record in zip((1, 2), result.history):
        steps = [e for e in events if e.epoch == epoch]
        sizes = [3, 3, 3, 1]
        assert steps[0].values["window_loss"] == pytest.approx(steps[0].values["loss"])  # the same steps
        assert sum(n * e.values["window_loss"] for n, e in zip(sizes, steps)) / 10 == pytest.approx(
            record["train_loss"], rel=1e-5)
        assert sum(n * e.values["window_acc"] for n, e in zip(sizes, steps)) / 10 == pytest.approx(
            record["train_acc"])
        assert all(0 <= e.values["window_acc"] <= 1 for e in steps)


OPTIMIZER_CASES = [("sgd", False, 0.1), ("sgd", True, 0.1), ("adam", False, 0.02),
                   ("adamw", False, 0.02)]


def _loss_drop(cfg: TrainConfig) -> tuple[float, float, list[dict[str, float]]]:
    """Training loss before and after training a linear model on the separable tiny set."""
    split = _split(n_train=64, n_val=64)
    split = Split(split.x_train, split.y_train, split.x_train, split.y_train)  # val = train
    model = _linear()
    data = DeviceData(split, INFO, "cpu", cfg.normalize)
    before, _ = evaluate(model, data, data.x_train, data.y_train)
    result = train(model, split, INFO, cfg, data=data)
    after, _ = evaluate(model, data, data.x_train, data.y_train)
    assert result.history[-1]["val_loss"] == pytest.approx(after, rel=1e-5)
    return before, after, result.history


@pytest.mark.parametrize("optimizer, nesterov, lr", OPTIMIZER_CASES)
def test_each_optimizer_reduces_the_training_loss(optimizer: str, nesterov: bool,
                                                  lr: float) -> None:
    assert optimizer in OPTIMIZERS
    before, after, _ = _loss_drop(TrainConfig(epochs=4, batch_size=16, optimizer=optimizer, lr=lr,
                                              nesterov=nesterov, weight_decay=1e-4))
    assert after < 0.5 * before


@pytest.mark.parametrize("optimizer, nesterov, lr", OPTIMIZER_CASES)
def test_full_batch_steps_match_torchs_optimizer(optimizer: str, nesterov: bool, lr: float) -> None:
    # One full batch per epoch: the mean loss does not depend on the shuffled order, so three
    # epochs are three steps that torch.optim, driven by hand, must reproduce.
    split = _split(n_train=64)
    cfg = TrainConfig(epochs=3, batch_size=64, optimizer=optimizer, lr=lr, momentum=0.9,
                      nesterov=nesterov, weight_decay=0.05)
    model, reference = _linear(), _linear()
    train(model, split, INFO, cfg)
    kinds = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
    extra = {"momentum": 0.9, "nesterov": nesterov} if optimizer == "sgd" else {}
    opt = kinds[optimizer](reference.parameters(), lr=lr, weight_decay=0.05, **extra)
    x = (split.x_train.float() / 255 - INFO.mean[0]) / INFO.std[0]
    for _ in range(3):
        loss = F.cross_entropy(reference(x), split.y_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
    for got, want in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_each_schedule_reduces_the_training_loss_and_sets_the_lr(schedule: str) -> None:
    cfg = TrainConfig(epochs=4, batch_size=16, lr=0.1, schedule=schedule)
    before, after, history = _loss_drop(cfg)
    assert after < 0.5 * before
    steps = 4 * 4
    for record in history:  # each record holds the learning rate of its epoch's last step
        last = record["epoch"] * 4 - 1
        assert record["lr"] == pytest.approx(0.1 * lr_factor(schedule, last / steps))


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_label_smoothing_is_cross_entropys(smoothing: float) -> None:
    # One full batch, one step: the reported loss is the loss of the initial model.
    split = _split(n_train=32)
    model = _linear()
    reference = copy.deepcopy(model)
    events: list[Event] = []
    cfg = TrainConfig(epochs=1, batch_size=32, sync_every=1, label_smoothing=smoothing)
    train(model, split, INFO, cfg, callback=events.append)
    x = (split.x_train.float() / 255 - INFO.mean[0]) / INFO.std[0]
    logits = reference(x)
    loss = F.cross_entropy(logits, split.y_train, label_smoothing=smoothing)
    plain = F.cross_entropy(logits, split.y_train).item()
    assert events[0].kind == "step"
    assert events[0].values["loss"] == pytest.approx(loss.item(), rel=1e-5)
    assert (loss.item() == pytest.approx(plain)) == (smoothing == 0.0)
    # the reported gradient size is that of this step's loss
    loss.backward()
    assert events[0].values["grad_norms"]["1.weight"] == pytest.approx(
        reference[1].weight.grad.norm().item(), rel=1e-4)


def test_train_uses_the_device_data_it_is_given() -> None:
    split = _split()
    cfg = TrainConfig(epochs=2, batch_size=16, translate=1, seed=3)
    m1, m2 = _linear(), _linear()
    r1 = train(m1, split, INFO, cfg)
    # The split argument is ignored when data is passed: give it one with the labels swapped.
    decoy = Split(split.x_train, 1 - split.y_train, split.x_val, 1 - split.y_val)
    r2 = train(m2, decoy, INFO, cfg, data=DeviceData(split, INFO, "cpu"))
    assert _arithmetic(r1.history) == _arithmetic(r2.history)
    assert torch.equal(m1[1].weight, m2[1].weight)
    assert r1.history[-1]["val_acc"] > 0.9


@pytest.mark.parametrize("cfg", [
    TrainConfig(epochs=4, batch_size=16, optimizer="adam", lr=0.01, schedule="onecycle", seed=3),
    TrainConfig(epochs=4, batch_size=16, optimizer="sgd", lr=0.05, momentum=0.9, flip=True,
                translate=1, erase=0.5, seed=1),
])
def test_resuming_after_two_epochs_gives_the_same_run_as_four_epochs(cfg: TrainConfig) -> None:
    """The worker resumes an interrupted run from its last finished epoch: nothing may differ."""
    from cnnviz.train.engine import Resume

    split = _split()
    straight = _small_cnn()
    whole = train(straight, split, INFO, cfg)
    states: list[Resume] = []
    first = _small_cnn()
    train(first, split, INFO, cfg, on_epoch_state=states.append,
          cancel=None, callback=lambda e: None)
    assert [s.epoch for s in states] == [1, 2, 3, 4]
    again = _small_cnn(seed=99)  # other weights: the resume state must overwrite them all
    rest = train(again, split, INFO, cfg, resume=states[1])
    assert [r["epoch"] for r in rest.history] == [1, 2, 3, 4]
    for name, tensor in straight.state_dict().items():
        assert torch.equal(tensor, again.state_dict()[name]), name
    for a, b in zip(whole.history, rest.history):
        assert a["val_acc"] == b["val_acc"] and a["train_loss"] == b["train_loss"]
