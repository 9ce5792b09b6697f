"""The model and picture that the Inspect and Attributions pages both start with, and their URL form.

A link names a model (``model=shipped:<name>``, ``run:<id>``, ``imagenet:<name>``, ``upload``; or
``run=<id>``) and a picture (``image=hw:3``, ``photo:chelsea``, ``upload``, ...). Which ones are
offered is known only later (the session's runs, the model's input): ``from_query`` keeps the
link's values as written and ``choose_model``/``choose_image`` check them against the options,
falling back to what the other page chose, then to a default. Pictures never enter a link. No
Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cnnviz.data.datasets import SHAPE_CLASSES
from cnnviz.imaging.images import PATTERNS, SAMPLE_PHOTOS
from cnnviz.text import untrusted
from cnnviz.train.runs import valid_run_id

__all__ = ["CAMERA", "DEFAULT_IMAGES", "DEFAULT_MODEL", "DRAW", "UPLOAD", "InputLink", "InputState", "Message",
           "choose_image", "choose_model", "digit_model", "from_query", "image_options", "to_query"]

Message = tuple[str, dict[str, object]]  # (catalog key, format arguments)
DEFAULT_MODEL = "shipped:lenet5_digits"
UPLOAD, CAMERA, DRAW = "upload", "camera", "draw"
DEFAULT_IMAGES = ("hw:3", "shape:3", "photo:chelsea")  # the first of these offered is the default picture
DIGITS = tuple(str(d) for d in range(10))


@dataclass(frozen=True)
class InputLink:
    """What a link asks for, as written (None: not asked)."""

    model: str | None = None  # ``model``, or ``run:<id>`` from ``run`` when the link names no model
    image: str | None = None
    runs: tuple[str, ...] = ()  # well-formed run ids the link names: listed with the session's runs


def from_query(params: Mapping[str, str]) -> InputLink:
    """What the link asks for; nothing is refused here (the options are not known yet)."""
    model = params.get("model")
    run = params.get("run", "")
    if model is None and run:
        model = f"run:{run}"
    ids = [run]
    if (params.get("model") or "").startswith("run:"):
        ids.append(params["model"][4:])
    return InputLink(model, params.get("image"), tuple(dict.fromkeys(i for i in ids if valid_run_id(i))))


@dataclass(frozen=True)
class InputState:
    """The model and picture shown; None for one not chosen yet (the picture waits for its model)."""

    model: str | None = None
    image: str | None = None


def to_query(s: InputState) -> dict[str, str]:
    """URL parameters of the chosen parts of ``s``."""
    return {name: value for name, value in (("model", s.model), ("image", s.image)) if value is not None}


def _choose(name: str, wanted: str | None, options: Sequence[str], fallback: str) -> tuple[str, list[Message]]:
    if wanted is None:
        return fallback, []
    if wanted in options:
        return wanted, []
    return fallback, [("warn_url_value", {"name": name, "value": untrusted(wanted, 40)})]


def choose_model(link: InputLink, options: Sequence[str], current: str | None = None) -> tuple[str, list[Message]]:
    """The link's model if offered (else a warning); otherwise ``current``, the model last chosen on
    the other page, if offered; otherwise the default model, or the first option."""
    fallback = current if current in options else (DEFAULT_MODEL if DEFAULT_MODEL in options else options[0])
    return _choose("model", link.model, options, fallback)


def choose_image(link: InputLink, options: Sequence[str], current: str | None = None) -> tuple[str, list[Message]]:
    """The link's picture if offered for this model (else a warning); otherwise ``current``, the
    picture last chosen on the other page, if offered; otherwise the first of DEFAULT_IMAGES offered."""
    fallback = current if current in options else next((o for o in DEFAULT_IMAGES if o in options), options[0])
    return _choose("image", link.image, options, fallback)


def digit_model(in_shape: tuple[int, ...], classes: Sequence[str]) -> bool:
    """A grey-image model whose classes are the ten digits (draw and handwriting samples)."""
    return in_shape[0] == 1 and tuple(classes) == DIGITS


def image_options(in_shape: tuple[int, ...], classes: Sequence[str]) -> list[str]:
    """The pictures offered for a model with this input and these classes, dataset samples first."""
    general = [f"photo:{n}" for n in SAMPLE_PHOTOS] + [f"pattern:{n}" for n in PATTERNS]
    if digit_model(in_shape, classes):
        return [f"hw:{d}" for d in range(10)] + [DRAW] + [f"gen:{d}" for d in range(10)] + [UPLOAD, CAMERA] + general
    if in_shape[0] == 3 and tuple(classes) == SHAPE_CLASSES:
        return [f"shape:{d}" for d in range(10)] + [UPLOAD, CAMERA] + general
    return general + [UPLOAD, CAMERA]
