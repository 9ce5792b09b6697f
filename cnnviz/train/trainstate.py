"""The Train page's settings as one frozen ``TrainState``, its URL form, the recipe ladder's
settings, and the ``RunSpec`` the settings describe.

``from_query`` reads a state from URL parameters (a bad value becomes its default plus a
translatable warning), ``to_query`` writes it back, ``spec_of`` builds the run. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from cnnviz.classroom.class_data import CLASS_DATASET
from cnnviz.data.datasets import DATASETS
from cnnviz.models.builders import ACTIVATION_LABELS, ARCH_LABELS, INIT_LABELS, MODELS, ModelConfig
from cnnviz.text import untrusted
from cnnviz.train.engine import OPTIMIZERS, SCHEDULES, TrainConfig
from cnnviz.train.recipes import LADDER, rung_configs
from cnnviz.train.runs import FREEZE, RunSpec, valid_model_key, valid_run_id
from cnnviz.urlvalues import parse_bool, parse_choice, parse_float, parse_int

__all__ = ["CUSTOM", "FIELDS", "MAX_TRAIN", "MODEL_FIELDS", "RUNGS", "SCRATCH", "TRAIN_FIELDS", "TRANSFER_FIELDS",
           "Field", "Message", "TrainState", "from_query", "rung_state", "settings_of", "spec_of", "to_query"]

Message = tuple[str, dict[str, object]]  # (catalog key, format arguments)
MAX_TRAIN = 60_000  # images per run; the server's images x epochs budget bounds the run's length
CUSTOM = "custom"
RUNGS = tuple(r.key for r in LADDER)
LR_CHOICES = (0.0001, 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3)
WD_CHOICES = (0.0, 1e-5, 1e-4, 5e-4, 1e-3, 1e-2)
RUNG_DATA = {"dataset": "shapes", "n_train": 5000, "n_val": 1000}  # the ladder's CIFAR-shaped set


@dataclass(frozen=True)
class Field:
    """One setting: its widget kind, allowed values (choices, or low/high/step) and default."""

    kind: str  # "choice", "int", "float" or "bool"
    default: Any
    choices: tuple[Any, ...] = ()
    low: float = 0
    high: float = 0
    step: float = 1


FIELDS: dict[str, Field] = {
    # the class's own drawings are trained by its teacher from the class panel, not picked here
    "dataset": Field("choice", "digits", tuple(n for n in DATASETS if n != CLASS_DATASET)),
    "n_train": Field("int", 4000, low=200, high=MAX_TRAIN, step=100),
    "n_val": Field("int", 1000, low=100, high=10_000, step=100),
    "arch": Field("choice", "lenet5", tuple(MODELS)),
    "activation": Field("choice", "relu", tuple(ACTIVATION_LABELS)),
    "init": Field("choice", "he", tuple(INIT_LABELS)),
    "batchnorm": Field("bool", False),
    "dropout": Field("float", 0.0, low=0.0, high=0.8, step=0.05),
    "depth": Field("int", 3, low=1, high=4),
    "width": Field("int", 16, low=4, high=64, step=4),
    "epochs": Field("int", 3, low=1, high=30),
    "batch_size": Field("choice", 128, (32, 64, 128, 256, 512)),
    "optimizer": Field("choice", "adam", OPTIMIZERS),
    "lr": Field("choice", 0.003, LR_CHOICES),
    "momentum": Field("float", 0.9, low=0.0, high=0.99, step=0.01),
    "nesterov": Field("bool", False),
    "weight_decay": Field("choice", 0.0, WD_CHOICES),
    "schedule": Field("choice", "onecycle", SCHEDULES),
    "label_smoothing": Field("float", 0.0, low=0.0, high=0.3, step=0.05),
    "normalize": Field("bool", True),
    "flip": Field("bool", False),
    "translate": Field("int", 0, low=0, high=4),
    "erase": Field("float", 0.0, low=0.0, high=1.0, step=0.05),
    "seed": Field("int", 0, low=0, high=9999),
    # transfer learning: a model to start from ("" = random weights), what stays frozen, a new head
    "init_from": Field("model", ""),
    "freeze": Field("choice", "none", FREEZE),
    "new_head": Field("bool", False),
}
MODEL_FIELDS = ("arch", "activation", "init", "batchnorm", "dropout", "depth", "width")
TRAIN_FIELDS = ("epochs", "batch_size", "optimizer", "lr", "momentum", "nesterov", "weight_decay",
                "schedule", "label_smoothing", "normalize", "flip", "translate", "erase", "seed")
TRANSFER_FIELDS = ("init_from", "freeze", "new_head")
SCRATCH = {"init_from": "", "freeze": "none", "new_head": False}


def _default(name: str) -> Any:
    return FIELDS[name].default


@dataclass(frozen=True)
class TrainState:
    """Everything the Train page's settings say, the ladder rung they came from, and the run shown."""

    dataset: str = _default("dataset")
    n_train: int = _default("n_train")
    n_val: int = _default("n_val")
    arch: str = _default("arch")
    activation: str = _default("activation")
    init: str = _default("init")
    batchnorm: bool = _default("batchnorm")
    dropout: float = _default("dropout")
    depth: int = _default("depth")
    width: int = _default("width")
    epochs: int = _default("epochs")
    batch_size: int = _default("batch_size")
    optimizer: str = _default("optimizer")
    lr: float = _default("lr")
    momentum: float = _default("momentum")
    nesterov: bool = _default("nesterov")
    weight_decay: float = _default("weight_decay")
    schedule: str = _default("schedule")
    label_smoothing: float = _default("label_smoothing")
    normalize: bool = _default("normalize")
    flip: bool = _default("flip")
    translate: int = _default("translate")
    erase: float = _default("erase")
    seed: int = _default("seed")
    init_from: str = _default("init_from")  # a cnnviz.models.zoo key, or "" for random weights
    freeze: str = _default("freeze")
    new_head: bool = _default("new_head")
    rung: str = CUSTOM  # a key of the ladder, or CUSTOM
    run: str | None = None  # the run the page shows


def settings_of(state: TrainState) -> dict[str, Any]:
    """The settings alone (every name of FIELDS), as a plain dict."""
    return {name: getattr(state, name) for name in FIELDS}


def _parse(field: Field, text: str) -> Any:
    """A URL value as the field's type; UrlValueError when it is not one of the allowed values."""
    if field.kind == "bool":
        return parse_bool(text)
    if field.kind == "choice":
        return parse_choice(text, field.choices)
    if field.kind == "int":
        return parse_int(text, int(field.low), int(field.high))
    if field.kind == "model":
        if not valid_model_key(text):
            raise ValueError(text)
        return text
    return parse_float(text, field.low, field.high)


def _to_url(field: Field, value: Any) -> str:
    if field.kind == "bool":
        return "1" if value else "0"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _rung_values(key: str) -> dict[str, Any]:
    """Every setting of ladder rung ``key``, on the CIFAR-shaped ``shapes`` set."""
    model, train = rung_configs(RUNGS.index(key), RUNG_DATA["dataset"])
    return {**{k: getattr(model, k) for k in MODEL_FIELDS}, **{k: getattr(train, k) for k in TRAIN_FIELDS},
            **RUNG_DATA}


def rung_state(state: TrainState, key: str) -> TrainState:
    """``state`` with every setting of ladder rung ``key``, trained from scratch as the ladder is
    (CUSTOM changes nothing but the rung)."""
    if key == CUSTOM:
        return replace(state, rung=CUSTOM)
    if key not in RUNGS:
        raise ValueError(f"no ladder rung {key!r}")
    return replace(state, **_rung_values(key), **SCRATCH, rung=key)


def _bad(name: str, raw: object) -> Message:
    return "warn_url_value", {"name": name, "value": untrusted(raw, 30)}


def from_query(params: Mapping[str, str]) -> tuple[TrainState, list[Message]]:
    """The state a link describes; every bad value falls back to its default, with a warning.

    A link naming a rung gets the rung's settings, except the fields the link names itself."""
    warn: list[Message] = []
    values: dict[str, Any] = {}
    for name, field in FIELDS.items():
        if name in params:
            try:
                values[name] = _parse(field, params[name])
            except ValueError:
                warn.append(_bad(name, params[name]))
    rung = params.get("rung", CUSTOM)
    if rung != CUSTOM and rung not in RUNGS:
        warn.append(_bad("rung", rung))
        rung = CUSTOM
    if rung != CUSTOM:
        rung_values = {**_rung_values(rung), **SCRATCH}
        values = {**{k: v for k, v in rung_values.items() if k not in params}, **values}
    run = params.get("run")
    if run is not None and not valid_run_id(run):
        warn.append(_bad("run", run))
        run = None
    return TrainState(**values, rung=rung, run=run), warn


def to_query(state: TrainState) -> dict[str, str]:
    """URL parameters that reproduce ``state`` (every setting, so a link explains itself; no
    ``init_from`` for random weights, no ``run`` when none is shown)."""
    query = {name: _to_url(FIELDS[name], getattr(state, name)) for name in FIELDS if name != "init_from"}
    if state.init_from:
        query["init_from"] = state.init_from
    query["rung"] = state.rung
    if state.run is not None:
        query["run"] = state.run
    return query


def spec_of(state: TrainState) -> RunSpec:
    """The RunSpec the settings describe; ValueError says what does not fit together. Freezing
    and a new head apply only to a run with a model to start from (cnnviz.train.transfer checks it)."""
    info = DATASETS[state.dataset]
    model = ModelConfig(in_shape=info.shape, num_classes=len(info.classes),
                        **{k: getattr(state, k) for k in MODEL_FIELDS})
    train_args = {k: getattr(state, k) for k in TRAIN_FIELDS}
    train_args["nesterov"] = bool(state.nesterov and state.optimizer == "sgd" and state.momentum > 0)
    title = f"{ARCH_LABELS[model.arch]} · {ACTIVATION_LABELS[model.activation]} · {info.name}"
    transfer = dict(SCRATCH)
    if state.init_from:
        transfer = {k: getattr(state, k) for k in TRANSFER_FIELDS}
        title += f" ← {state.init_from.partition(':')[2]}"
    return RunSpec(state.dataset, state.n_train, state.n_val, model, TrainConfig(**train_args), title=title,
                   **transfer)
