"""The model picker shared by the Inspect and Attributions pages, and a small per-session cache.

Offers shipped checkpoints, this session's training runs (plus one named by ``?run=``), an
uploaded ``.safetensors`` checkpoint and torchvision's ImageNet classifiers. Models loaded from
files live in ``st.cache_resource`` keyed by (key, version) and are shared by every student: a
page must never change them, and must hold ``Picked.lock`` while hooks are on the model
(activation capture, Captum). An upload stays in its student's session only.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import streamlit as st
import torch
from torch import nn

from cnnviz.models import zoo
from cnnviz.text import untrusted
from cnnviz.explain.attribution import randomized_copy
from cnnviz.explain.inputstate import (DEFAULT_MODEL, UPLOAD, InputLink, InputState, choose_model, digit_model,
                                       from_query, to_query)
from cnnviz.models.checkpoints import CheckpointInfo, load_checkpoint
from cnnviz.device import best_device
from cnnviz.errors import CnnvizError
from cnnviz.models.builders import ARCH_LABELS
from cnnviz.models.pretrained import IMAGENET_MODELS, Pretrained, load_imagenet, weights_file
from cnnviz.train.runs import valid_run_id
from cnnviz.sizes import nbytes
from cnnviz.ui.common import show_error, show_messages
from cnnviz.ui.i18n import t
from cnnviz.ui.names import model_line

__all__ = ["DEFAULT_MODEL", "IMAGENET_LABELS", "UPLOAD", "Picked", "cached", "compute_failed",
           "logits_of", "model_ui", "nbytes", "random_twin", "zoo_entries"]

IMAGENET_LABELS = {"alexnet": "AlexNet", "vgg16": "VGG-16", "resnet18": "ResNet-18"}
CURRENT = "mp_current"  # the model last chosen on either page: the other page starts with it
UPLOADED = "mp_upload"  # (digest, file name, Picked, CheckpointInfo) of this session's uploaded checkpoint
CACHE = "mp_cache"  # this session's computed results, see cached()
CACHE_ENTRIES = 48
CACHE_BYTES = 64 * 2**20
SHARED_ENTRIES = 256  # results shared by every session (see cached(shared=True))
SHARED_BYTES = 256 * 2**20

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Picked:
    """A ready model and what it takes to feed and read it. ``model`` may be shared: read only."""

    key: str  # "shipped:<stem>", "run:<id>", "imagenet:<name>" or "upload:<sha256 prefix>"
    version: str  # changes when the weights behind ``key`` change
    model: nn.Module
    classes: tuple[str, ...]
    in_shape: tuple[int, int, int]  # (C, H, W) the model is fed
    mean: tuple[float, ...]
    std: tuple[float, ...]
    label: str
    trained: bool  # False: random weights (an ImageNet model without its weights file)
    dataset: str  # "digits", "shapes", ..., or "imagenet"
    resize: int | None = None  # ImageNet: shorter side resized to this, then centre-cropped
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def cache_id(self) -> str:
        return f"{self.key}@{self.version}"

    @property
    def device(self) -> torch.device:
        param = next(self.model.parameters(), None)
        return param.device if param is not None else torch.device("cpu")

    @property
    def digits(self) -> bool:
        """A grey-image model whose classes are the ten digits (draw and handwriting samples)."""
        return digit_model(self.in_shape, self.classes)


def cached(key: tuple, compute: Callable[[], T], shared: bool = False) -> T:
    """``compute()`` remembered in this session only (one student's image never reaches another
    student). The least recently used results are dropped first, beyond ``CACHE_ENTRIES``
    results or ``CACHE_BYTES`` of arrays (VGG-16's first maps alone are 12.8 MB).

    ``shared=True`` (only for what ``image_source.public()`` allows: a shipped model on a built-in picture)
    keeps the result for every session of this server instead: a class looking at the same
    sample costs one computation, not one per student. Shared results are read, never changed."""
    if not shared:
        store = st.session_state.setdefault(CACHE, OrderedDict())
        hit = _found(store, key)
        return hit[0] if hit else _keep(store, key, compute(), CACHE_ENTRIES, CACHE_BYTES)
    store, lock = _shared_store()
    with lock:
        hit = _found(store, key)
    if hit:
        return hit[0]
    value = compute()  # outside the lock: one student's slow computation does not hold up the class
    with lock:
        return _keep(store, key, value, SHARED_ENTRIES, SHARED_BYTES)


def _found(store: OrderedDict, key: tuple) -> tuple | None:
    """(value,) when ``key`` is kept (now the most recently used), else None."""
    if key not in store:
        return None
    store.move_to_end(key)
    return (store[key][0],)


def _keep(store: OrderedDict, key: tuple, value: T, entries: int, limit: int) -> T:
    store[key] = (value, nbytes(value))
    while len(store) > 1 and (len(store) > entries or sum(size for _, size in store.values()) > limit):
        store.popitem(last=False)
    return value


@st.cache_resource(show_spinner=False)
def _shared_store() -> tuple[OrderedDict, threading.Lock]:
    return OrderedDict(), threading.Lock()


# ---------------------------------------------------------------------------------------------
# Shared, cached models (never mutated)


@st.cache_resource(show_spinner=False, max_entries=8)
def _zoo_model(key: str, version: str) -> tuple[nn.Module, CheckpointInfo, threading.Lock]:
    model, info = zoo.load(key, device=str(best_device()))
    return model, info, threading.Lock()


@st.cache_resource(show_spinner=False, max_entries=3)
def _imagenet_model(name: str, version: str) -> tuple[Pretrained, threading.Lock]:
    pretrained = load_imagenet(name, allow_download=False)
    pretrained.model.to(best_device())  # our own fresh object: moving it before sharing is fine
    return pretrained, threading.Lock()


def _locked_copy(picked: Picked) -> tuple[nn.Module, threading.Lock]:
    # Under the model's lock: no other student's hooks are on it while it is copied.
    with picked.lock:
        return randomized_copy(picked.model), threading.Lock()


@st.cache_resource(show_spinner=False, max_entries=4)
def _random_twin(cache_id: str, _picked: Picked) -> tuple[nn.Module, threading.Lock]:
    return _locked_copy(_picked)


def random_twin(picked: Picked) -> Picked:
    """The same architecture with re-initialised weights (the model-randomisation test)."""
    if picked.key.startswith("upload:"):  # a per-session model: its twin stays in the session too
        twin = cached(("twin", picked.cache_id), lambda: _locked_copy(picked))
    else:
        twin = _random_twin(picked.cache_id, picked)
    return Picked(key=picked.key + "#random", version=picked.version, model=twin[0],
                  classes=picked.classes, in_shape=picked.in_shape, mean=picked.mean,
                  std=picked.std, label=picked.label, trained=False, dataset=picked.dataset,
                  resize=picked.resize, lock=twin[1])


def _weights_version(name: str) -> str:
    try:
        stat = weights_file(name).stat()
    except OSError:
        return "missing"
    return f"{stat.st_mtime_ns}-{stat.st_size}"


# ---------------------------------------------------------------------------------------------
# Choosing


def zoo_entries() -> list[zoo.ZooEntry]:
    """Shipped checkpoints and this session's runs (and the link's), as the picker lists them."""
    mine = [r for r in st.session_state.get("my_runs", []) if valid_run_id(r)]
    linked = from_query(st.query_params.to_dict()).runs  # read on every run: the link changes as models are chosen
    return zoo.available(run_ids=list(dict.fromkeys(mine + list(linked))))


def _entry_label(entry: zoo.ZooEntry) -> str:
    info = entry.info
    data = t(f"mp_ds_{info.dataset}")
    args = {"arch": ARCH_LABELS.get(info.config.arch, info.config.arch),
            "data": info.dataset if data == f"mp_ds_{info.dataset}" else data}
    if entry.kind == "run":
        acc = info.metrics.get("val_acc")
        mine = entry.name in st.session_state.get("my_runs", [])  # a link's run is not "yours"
        return t("mp_run" if mine else "mp_run_linked", id=entry.name,
                 acc="–" if acc is None else f"{acc:.1%}", **args)
    return t("mp_shipped", **args)


def _imagenet_label(name: str) -> str:
    if weights_file(name).is_file():
        return t("mp_imagenet", name=IMAGENET_LABELS[name])
    return t("mp_imagenet_random", name=IMAGENET_LABELS[name])


def _seed_choice(key: str, options: list[str]) -> None:
    """The widget's first value in this session: the link's, else the other page's, else default."""
    if key in st.session_state and st.session_state[key] in options:
        return
    link = from_query(st.query_params.to_dict()) if key not in st.session_state else InputLink()
    choice, warnings = choose_model(link, options, st.session_state.get(CURRENT))
    show_messages(warnings)
    st.session_state[key] = choice


def model_ui(prefix: str) -> Picked | None:
    """Choose a model; returns it ready to use, or None (an upload missing or refused)."""
    entries = {e.key: e for e in zoo_entries()}
    labels = {k: _entry_label(e) for k, e in entries.items()}
    labels.update({f"imagenet:{n}": _imagenet_label(n) for n in IMAGENET_MODELS})
    labels[UPLOAD] = t("mp_upload_option")
    options = list(labels)
    key = f"{prefix}model"
    _seed_choice(key, options)
    choice = st.selectbox(t("mp_model"), options, key=key, format_func=labels.get)
    st.session_state[CURRENT] = choice
    st.query_params.update(to_query(InputState(model=choice)))
    if choice == UPLOAD:
        return _upload_ui(prefix)
    if choice.startswith("imagenet:"):
        return _imagenet_ui(prefix, choice.partition(":")[2])
    return _zoo_ui(entries[choice], labels[choice])


def _from_info(key: str, version: str, model: nn.Module, info: CheckpointInfo, label: str,
               lock: threading.Lock) -> Picked:
    return Picked(key=key, version=version, model=model, classes=info.classes,
                  in_shape=info.in_shape, mean=info.mean, std=info.std, label=label,
                  trained=True, dataset=info.dataset, lock=lock)


def _describe_ui(info: CheckpointInfo) -> None:
    line = model_line(info.config)
    acc = info.metrics.get("val_acc")
    if acc is not None:
        line += " · " + t("mp_val_acc", acc=acc)
    st.caption(line)


def _zoo_ui(entry: zoo.ZooEntry, label: str) -> Picked | None:
    version = zoo.version(entry.key)
    try:
        with st.spinner(t("mp_loading")):
            model, info, lock = _zoo_model(entry.key, version)
    except Exception as exc:  # noqa: BLE001 - CheckpointError, OSError, ... all become a message
        show_error(exc, "mp_load_failed")
        return None
    _describe_ui(info)
    return _from_info(entry.key, version, model, info, label, lock)


def _imagenet_ui(prefix: str, name: str) -> Picked:
    with st.spinner(t("mp_loading")):
        pretrained, lock = _imagenet_model(name, _weights_version(name))
    if pretrained.pretrained:
        st.caption(t("mp_imagenet_caption", name=IMAGENET_LABELS[name]))
    else:
        st.warning(t(pretrained.message_key, **pretrained.message_args))
        if st.button(t("mp_try_download"), key=f"{prefix}download_{name}"):
            with st.spinner(t("mp_downloading")):
                load_imagenet(name, allow_download=True)  # the file appears: the version changes
            if _weights_version(name) != "missing":
                st.rerun()
            st.error(t("mp_download_failed", file=weights_file(name).name,
                       folder=str(weights_file(name).parent)))
    side = pretrained.input_size
    return Picked(key=f"imagenet:{name}", version=_weights_version(name), model=pretrained.model,
                  classes=pretrained.categories, in_shape=(3, side, side), mean=pretrained.mean,
                  std=pretrained.std, label=_imagenet_label(name), trained=pretrained.pretrained,
                  dataset="imagenet", resize=pretrained.resize_size, lock=lock)


def _upload_ui(prefix: str) -> Picked | None:
    """A checkpoint file the student uploads: validated, kept in this session only."""
    file = st.file_uploader(t("mp_upload"), key=f"{prefix}ckpt_file", help=t("mp_upload_help"))
    stored = st.session_state.get(UPLOADED)
    if file is None:
        if stored is None:
            st.info(t("mp_upload_hint"))
            return None
        st.caption(t("mp_upload_kept", name=untrusted(stored[1], 60)))
        _describe_ui(stored[3])
        return stored[2]
    data = file.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if stored is not None and stored[0] == digest:
        _describe_ui(stored[3])
        return stored[2]
    try:
        with st.spinner(t("mp_loading")):
            model, info = load_checkpoint(data, device=best_device())
    except Exception as exc:  # noqa: BLE001 - every refusal is shown, none is raised
        show_error(exc, "mp_load_failed")
        return None
    label = t("mp_uploaded", name=untrusted(file.name, 60))
    picked = _from_info(f"upload:{digest[:16]}", digest[:16], model, info, label, threading.Lock())
    st.session_state[UPLOADED] = (digest, file.name[:60], picked, info)
    _describe_ui(info)
    return picked


def logits_of(picked: Picked, x: torch.Tensor, digest: str) -> torch.Tensor:
    """The model's scores (num_classes,) for the prepared input, on the CPU; cached per session."""
    def forward() -> torch.Tensor:
        with picked.lock, torch.no_grad():
            return picked.model(x.to(picked.device))[0].float().cpu()
    return cached((picked.cache_id, digest, "logits"), forward)


def compute_failed(exc: BaseException) -> None:
    """A computation that failed at run time (out of memory, an odd uploaded model): say so."""
    show_error(exc, None if isinstance(exc, CnnvizError) else "mp_compute_failed")
