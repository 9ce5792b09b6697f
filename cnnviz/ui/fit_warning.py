"""Warnings next to a prediction and next to every map when the picture is not the kind the model
was trained on, or the weights are random (the check itself is cnnviz.explain.domain)."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cnnviz.explain.domain import kind_of, mismatches, origin_of
from cnnviz.ui.i18n import t
from cnnviz.ui.image_source import Source
from cnnviz.ui.model_picker import Picked

__all__ = ["map_note", "reasons_for", "fit_warnings_ui"]


def reasons_for(picked: Picked, source: Source | None) -> list[str]:
    """Why this model's answer on this picture should not be trusted (empty: nothing found)."""
    image = None if source is None else source.image
    origin = "sample" if source is None else origin_of(source.choice, picked.dataset)
    return mismatches(image, picked.dataset, picked.in_shape[0], picked.trained, origin)


def fit_warnings_ui(picked: Picked, reasons: list[str], where: DeltaGenerator | None = None) -> None:
    """Every reason as a warning box, written where the prediction is."""
    kind = t(f"dom_kind_{kind_of(picked.dataset)}")
    for reason in reasons:
        (where or st).warning(t(f"dom_{reason}", kind=kind, n=len(picked.classes)), icon=":material/warning:")


def map_note(reasons: list[str]) -> str | None:
    """The one-line warning under each map, or None when nothing is wrong."""
    if "random" in reasons:
        return t("dom_map_random")
    return t("dom_map_other") if reasons else None
