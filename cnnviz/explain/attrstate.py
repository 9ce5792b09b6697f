"""State of the Attributions page and its URL form, and the rules behind its settings.

``from_query`` reads the methods, the class explained and the layer (``methods=gradcam,ig``,
``target=pred`` or a class index, ``layer=conv2``) against what the loaded model offers; a bad
value becomes its default plus a translatable warning. ``to_query`` writes the state back. Also
here: what Occlusion costs and may cost, its default window, and where scores are computed. The
model and the picture are cnnviz.explain.inputstate's. No Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cnnviz.explain.attribution import METHODS
from cnnviz.text import untrusted
from cnnviz.urlvalues import UrlValueError, parse_int

__all__ = ["BIG_SIDE", "DEFAULT_METHODS", "MAX_OCCLUSION_EVALS", "MAX_OCCLUSION_EVALS_BIG_CPU", "MAX_SIDE_CPU",
           "PATH_METHODS", "PRED", "AttrState", "Message", "fmt_score", "from_query", "occlusion_defaults",
           "occlusion_evals", "occlusion_limit", "scores_fit", "to_query"]

Message = tuple[str, dict[str, object]]  # (catalog key, format arguments)
PRED = "pred"  # the class explained is the one the model predicts
DEFAULT_METHODS = ("gradcam", "ig", "occlusion")
PATH_METHODS = ("ig", "layer_ig", "conductance")  # share the "steps" slider
# Occluded copies allowed: beyond this a click takes far too long. A CPU runs ResNet-18 at 224x224
# about 20 times a second (benchmarks/results/inspect.json), so big inputs get a lower cap there.
MAX_OCCLUSION_EVALS = 4096
MAX_OCCLUSION_EVALS_BIG_CPU = 1024
BIG_SIDE = 64
# On a CPU, scores cost (layers + 1) maps per method: ResNet-18's 42 layers at 224x224 would take
# minutes per click (one IG alone takes 3.3 s, benchmarks/results/inspect.json).
MAX_SIDE_CPU = 64


@dataclass(frozen=True)
class AttrState:
    """The chosen methods in order, the class explained (PRED or a class index) and the layer of the
    layer methods (one of the model's layers with feature maps)."""

    layer: str
    methods: tuple[str, ...] = DEFAULT_METHODS
    target: int | str = PRED


def _bad(name: str, raw: object) -> Message:
    return "warn_url_value", {"name": name, "value": untrusted(raw, 40)}


def from_query(params: Mapping[str, str], layers: Sequence[str], default_layer: str,
               n_classes: int) -> tuple[AttrState, list[Message]]:
    """The page's state a link describes for a model with these ``layers`` (``default_layer``
    among them) and ``n_classes`` classes; unknown methods are warned about and left out (none
    left: the default methods), a bad target or layer becomes the default, with a warning."""
    warn: list[Message] = []
    wanted = [m for m in params.get("methods", ",".join(DEFAULT_METHODS)).split(",") if m]
    warn += [_bad("methods", m) for m in wanted if m not in METHODS]
    methods = tuple(m for m in wanted if m in METHODS) or DEFAULT_METHODS
    raw = params.get("target", PRED)
    try:
        target: int | str = PRED if raw == PRED else parse_int(raw, 0, n_classes - 1)
    except UrlValueError:
        warn.append(_bad("target", raw))
        target = PRED
    layer = params.get("layer", default_layer)
    if layer not in layers:
        warn.append(_bad("layer", layer))
        layer = default_layer
    return AttrState(layer, methods, target), warn


def to_query(s: AttrState) -> dict[str, str]:
    """URL parameters that reproduce ``s`` (no methods chosen: an empty list, which a link reads as
    the default methods)."""
    return {"target": str(s.target), "methods": ",".join(s.methods), "layer": s.layer}


def occlusion_evals(side: int, window: int, stride: int) -> int:
    """Forward passes Occlusion needs on a side x side input: one per window position (Captum
    also places a last, clipped window when the stride does not fit: hence the ceiling)."""
    per_axis = math.ceil((side - window) / stride) + 1
    return per_axis * per_axis


def occlusion_defaults(side: int) -> tuple[int, int]:
    """A window of about 1/8 of the picture (at least 4 pixels) moving half a window."""
    window = min(side, max(4, side // 8))
    return window, max(1, window // 2)


def occlusion_limit(side: int, device_type: str) -> int:
    """The most occluded copies one click may ask for, on a side x side input run on ``device_type``."""
    return MAX_OCCLUSION_EVALS_BIG_CPU if side > BIG_SIDE and device_type == "cpu" else MAX_OCCLUSION_EVALS


def scores_fit(in_shape: tuple[int, ...], device_type: str) -> bool:
    """Whether a model with this (C, H, W) input is scored on ``device_type``: on a CPU only small ones."""
    return device_type != "cpu" or max(in_shape[1:]) <= MAX_SIDE_CPU


def fmt_score(v: float) -> str:
    """A score as the page writes it."""
    return f"{v:.2f}"
