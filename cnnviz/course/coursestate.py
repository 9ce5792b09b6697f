"""State of the Architectures and Building-blocks pages and its URL form.

Each page's view follows from one frozen state object; ``*_from_query`` reads it from URL
parameters (a bad value becomes its default plus a translatable warning) and ``*_to_query``
writes it back, so a link reproduces the view. Values are parsed by cnnviz.urlvalues only. No
Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from cnnviz.course.architectures import ARCHITECTURES, row_keys
from cnnviz.course.downsample import FACTORS, PICTURES
from cnnviz.course.inception import MAX_WIDTH
from cnnviz.course.nonlinear import MAX_DEPTH
from cnnviz.data.datasets import DATASETS
from cnnviz.models.shipped import SHIPPED
from cnnviz.text import untrusted
from cnnviz.urlvalues import UrlValueError, parse_choice, parse_int

__all__ = ["ArchState", "BlocksState", "CM_MODELS", "MOMENTA", "SECTIONS", "AUG_SOURCES", "Message",
           "arch_from_query", "arch_to_query", "blocks_from_query", "blocks_to_query", "momentum_value"]

Message = tuple[str, dict[str, object]]  # (catalog key, format arguments)
CM_MODELS = tuple(f"shipped:{name}" for name in SHIPPED)
SECTIONS = ("downsample", "head", "batchnorm", "activations", "augment")
MOMENTA = ("0.1", "0.01", "0.5", "1", "none")
AUG_SOURCES = tuple(f"shape:{k}" for k in range(10)) + tuple(f"digit:{k}" for k in range(10)) + ("upload",)
MAX_STRIP = 6
MAX_SEED = 9999


@dataclass(frozen=True)
class ArchState:
    arch: str = "lenet5"
    layer: str = ""  # a walk row's key; "" means the first row
    reduce3: int = 64
    reduce5: int = 64
    pool_proj: int = 64
    cm_model: str = "shipped:tinyvgg_shapes"
    cell: tuple[int, int] | None = None  # (true class, predicted class) of the listed images


@dataclass(frozen=True)
class BlocksState:
    section: str = "downsample"
    picture: str = "fine_lines"
    factor: int = 2
    strip: str = "372"  # the digits laid side by side for the convolutional head
    bn_seed: int = 0
    momentum: str = "0.1"
    depth: int = 10
    aug_image: str = "shape:0"
    aug_seed: int = 0


def _int(params: Mapping[str, str], name: str, low: int, high: int, default: int, warn: list[Message]) -> int:
    if name not in params:
        return default
    try:
        return parse_int(params[name], low, high)
    except UrlValueError:
        warn.append(("warn_url_range", {"name": name, "value": untrusted(params[name], 30), "low": low,
                                        "high": high, "default": default}))
        return default


def _choice(params: Mapping[str, str], name: str, choices: Sequence[str], default: str,
            warn: list[Message], listed: bool = True) -> str:
    if name not in params:
        return default
    try:
        return str(parse_choice(params[name], choices))
    except UrlValueError:
        value = untrusted(params[name], 30)
        if listed:
            warn.append(("warn_url_choice", {"name": name, "value": value, "choices": " | ".join(choices),
                                             "default": default}))
        else:  # too many choices to list in a message
            warn.append(("warn_url_value", {"name": name, "value": value}))
        return default


def _cell(params: Mapping[str, str], classes: int, warn: list[Message]) -> tuple[int, int] | None:
    """``cell=<true>,<predicted>``: two class indices of the confusion matrix's model."""
    raw = params.get("cell")
    if raw is None:
        return None
    parts = raw.split(",") if isinstance(raw, str) and len(raw) <= 12 else []
    try:
        if len(parts) != 2:
            raise UrlValueError(raw)
        return parse_int(parts[0], 0, classes - 1), parse_int(parts[1], 0, classes - 1)
    except UrlValueError:
        warn.append(("warn_url_value", {"name": "cell", "value": untrusted(raw, 30)}))
        return None


def arch_from_query(params: Mapping[str, str]) -> tuple[ArchState, list[Message]]:
    """The Architectures page's state from URL parameters, and what was wrong with them."""
    warn: list[Message] = []
    d = ArchState()
    arch = _choice(params, "arch", tuple(ARCHITECTURES), d.arch, warn)
    keys = row_keys(arch)
    layer = _choice(params, "layer", keys, keys[0], warn, listed=False) if "layer" in params else keys[0]
    state = ArchState(
        arch=arch, layer=layer,
        reduce3=_int(params, "reduce3", 1, MAX_WIDTH, d.reduce3, warn),
        reduce5=_int(params, "reduce5", 1, MAX_WIDTH, d.reduce5, warn),
        pool_proj=_int(params, "pool_proj", 1, MAX_WIDTH, d.pool_proj, warn),
        cm_model=_choice(params, "cm_model", CM_MODELS, d.cm_model, warn))
    classes = len(DATASETS[SHIPPED[state.cm_model.partition(":")[2]].dataset].classes)
    return replace(state, cell=_cell(params, classes, warn)), warn


def arch_to_query(s: ArchState) -> dict[str, str]:
    q = {"arch": s.arch, "layer": s.layer or row_keys(s.arch)[0], "reduce3": str(s.reduce3),
         "reduce5": str(s.reduce5), "pool_proj": str(s.pool_proj), "cm_model": s.cm_model}
    if s.cell is not None:
        q["cell"] = f"{s.cell[0]},{s.cell[1]}"
    return q


def _strip(params: Mapping[str, str], default: str, warn: list[Message]) -> str:
    raw = params.get("strip", default)
    if isinstance(raw, str) and 1 <= len(raw) <= MAX_STRIP and all(ch in "0123456789" for ch in raw):
        return raw
    warn.append(("warn_url_value", {"name": "strip", "value": untrusted(raw, 30)}))
    return default


def blocks_from_query(params: Mapping[str, str]) -> tuple[BlocksState, list[Message]]:
    """The Building-blocks page's state from URL parameters, and what was wrong with them."""
    warn: list[Message] = []
    d = BlocksState()
    factors = tuple(str(f) for f in FACTORS)
    state = BlocksState(
        section=_choice(params, "section", SECTIONS, d.section, warn),
        picture=_choice(params, "picture", PICTURES, d.picture, warn),
        factor=int(_choice(params, "factor", factors, str(d.factor), warn)),
        strip=_strip(params, d.strip, warn),
        bn_seed=_int(params, "bn_seed", 0, MAX_SEED, d.bn_seed, warn),
        momentum=_choice(params, "momentum", MOMENTA, d.momentum, warn),
        depth=_int(params, "depth", 1, MAX_DEPTH, d.depth, warn),
        aug_image=_choice(params, "aug_image", AUG_SOURCES, d.aug_image, warn, listed=False),
        aug_seed=_int(params, "aug_seed", 0, MAX_SEED, d.aug_seed, warn))
    return state, warn


def blocks_to_query(s: BlocksState) -> dict[str, str]:
    return {"section": s.section, "picture": s.picture, "factor": str(s.factor), "strip": s.strip,
            "bn_seed": str(s.bn_seed), "momentum": s.momentum, "depth": str(s.depth), "aug_image": s.aug_image,
            "aug_seed": str(s.aug_seed)}


def momentum_value(text: str) -> float | None:
    """The momentum a MOMENTA entry stands for; "none" is PyTorch's cumulative average."""
    return None if text == "none" else float(text)
