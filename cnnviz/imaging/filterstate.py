"""State of the Filters page and of its learned-filters section, and their URL form.

``from_query`` reads the picture, the filters and sigma (a bad value becomes its default plus a
translatable warning), ``to_query`` writes them back. The learned section's link names a model, an
epoch and a kernel pair that can only be checked once the models, the run's saved epochs and the
kernels are known: ``learned_from_query`` keeps them as written and the ``choose_*`` functions check
them. Values are parsed by cnnviz.urlvalues only. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cnnviz.imaging.filters import ALL_FILTERS, DEFAULT_SELECTION
from cnnviz.imaging.images import PATTERNS, SAMPLE_PHOTOS
from cnnviz.text import untrusted
from cnnviz.train.runs import valid_run_id
from cnnviz.urlvalues import UrlValueError, parse_choice, parse_float, parse_int

__all__ = ["IMAGES", "SIGMA_RANGE", "UPLOAD", "WEBCAM", "FilterState", "LearnedLink", "LearnedState", "Message",
           "choose_epoch", "choose_model", "choose_pair", "from_query", "learned_from_query", "learned_to_query",
           "to_query"]

Message = tuple[str, dict[str, object]]  # (catalog key, format arguments)
UPLOAD = "upload"
WEBCAM = "webcam"
# A link can open the upload box or the camera; a picture itself never enters a link.
IMAGES = (*SAMPLE_PHOTOS, *PATTERNS, UPLOAD, WEBCAM)
SIGMA_RANGE = (0.1, 3.0)


def _bad(name: str, raw: object, limit: int) -> Message:
    return "warn_url_value", {"name": name, "value": untrusted(raw, limit)}


@dataclass(frozen=True)
class FilterState:
    """The picture (a sample, a pattern, the upload box or the camera), the filters in the order
    chosen, and the Gaussian's sigma."""

    image: str = "camera"
    filters: tuple[str, ...] = DEFAULT_SELECTION
    sigma: float = 1.0


def from_query(params: Mapping[str, str]) -> tuple[FilterState, list[Message]]:
    """The page's state from URL parameters; every bad value is warned about and left out (a filter)
    or replaced by its default (the picture, sigma)."""
    warn: list[Message] = []
    d = FilterState()
    image = params.get("image", d.image)
    if image not in IMAGES:
        warn.append(_bad("image", image, 30))
        image = d.image
    names = [n for n in params.get("filters", ",".join(d.filters)).split(",") if n]
    warn += [_bad("filters", n, 30) for n in names if n not in ALL_FILTERS]
    try:
        sigma = parse_float(params.get("sigma", f"{d.sigma:g}"), *SIGMA_RANGE)
    except UrlValueError:
        warn.append(_bad("sigma", params.get("sigma", ""), 30))
        sigma = d.sigma
    return FilterState(image, tuple(n for n in names if n in ALL_FILTERS), sigma), warn


def to_query(s: FilterState) -> dict[str, str]:
    """URL parameters that reproduce ``s``."""
    return {"image": s.image, "filters": ",".join(s.filters), "sigma": f"{s.sigma:g}"}


# ---------------------------------------------------------------------------------------------
# The learned-filters section


@dataclass(frozen=True)
class LearnedLink:
    """What a link asks of the learned-filters section, as written (None: not asked)."""

    model: str | None = None  # lmodel: a cnnviz.models.zoo key, "shipped:<name>" or "run:<id>"
    epoch: str | None = None  # lepoch: a saved epoch of that run, 0 = the initialisation
    pair: str | None = None  # lpair: the classic kernel compared with its most similar learned one

    @property
    def run(self) -> str | None:
        """The run of a ``lmodel=run:<id>`` link, when its id is well formed: the section lists it
        next to the session's own runs."""
        kind, _, name = (self.model or "").partition(":")
        return name if kind == "run" and valid_run_id(name) else None


def learned_from_query(params: Mapping[str, str]) -> LearnedLink:
    return LearnedLink(params.get("lmodel"), params.get("lepoch"), params.get("lpair"))


@dataclass(frozen=True)
class LearnedState:
    """What the section shows; None for a part it does not show (no model listed, no saved epochs)."""

    model: str | None = None
    epoch: int | None = None
    pair: str | None = None


def learned_to_query(s: LearnedState) -> dict[str, str]:
    """URL parameters of the parts of ``s`` that are shown."""
    q = {"lmodel": s.model, "lepoch": None if s.epoch is None else str(s.epoch), "lpair": s.pair}
    return {name: value for name, value in q.items() if value is not None}


def choose_model(wanted: str | None, keys: Sequence[str]) -> tuple[str | None, list[Message]]:
    """The model a link asks for (``LearnedLink.model``) if it is one of ``keys``, the models listed;
    else None, with a warning when one was asked for."""
    if wanted is None or wanted in keys:
        return wanted, []
    return None, [_bad("lmodel", wanted, 40)]


def choose_epoch(wanted: str | None, last: int | None) -> tuple[int | None, list[Message]]:
    """The epoch a link asks for if it is 0..``last``. ``last`` None: the model has no saved epochs
    to choose from (a shipped model, a run that saved fewer than two): any asked epoch is warned about."""
    if wanted is None:
        return None, []
    if last is not None:
        try:
            return parse_int(wanted, 0, last), []
        except UrlValueError:
            pass
    return None, [_bad("lepoch", wanted, 20)]


def choose_pair(wanted: str | None, names: Sequence[str]) -> tuple[str | None, list[Message]]:
    """The classic kernel a link asks for if it is one of ``names``, else None (with a warning)."""
    if wanted is None:
        return None, []
    try:
        return str(parse_choice(wanted, list(names))), []
    except UrlValueError:
        return None, [_bad("lpair", wanted, 30)]
