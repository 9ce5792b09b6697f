"""The Attributions page's scores: under each map its deletion and insertion areas and its
randomisation correlation; in the sanity check the cascading-randomisation and deletion/insertion
curves. Numbers come from cnnviz.explain.scores, figures from cnnviz.train.curves; results are cached per
session, so one student's picture never reaches another's.
"""

from __future__ import annotations

import math

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cnnviz.text import untrusted
from cnnviz.explain.attribution import METHODS, Attribution
from cnnviz.explain.attrstate import MAX_SIDE_CPU, fmt_score as fmt, scores_fit
from cnnviz.train.curves import deletion_insertion_figure, randomisation_figure
from cnnviz.imaging.preprocess import Prepared
from cnnviz.explain.scores import CURVE_STEPS, START_BLUR, Curve, Scores, random_order_curves, score
from cnnviz.ui.i18n import t
from cnnviz.ui.model_picker import Picked, cached, compute_failed

__all__ = ["MAX_SIDE_CPU", "SCORES_KEY", "fmt", "rho_text", "score_lines_ui", "scores_for",
           "scores_curves_ui", "scores_note_ui", "scores_on", "scores_toggle_ui"]

SCORES_KEY = "attr_scores"
SEED = 0  # the random twin's seed (model_picker.random_twin): its map is the cascade's last step
# What a cached result depends on besides (model, picture, method, target, layer, parameters).
SETTINGS = (CURVE_STEPS, START_BLUR, SEED, "abs")


def rho_text(r: float, key: str = "attr_rank_corr", undefined: str = "attr_rank_corr_undefined") -> str:
    """A rank correlation in words; NaN (a constant map: nothing to rank) says so."""
    return t(undefined) if math.isnan(r) else t(key, r=fmt(r))


def scores_toggle_ui() -> bool:
    """The switch for every score on the page (on by default: under a second on small models)."""
    return st.toggle(t("attr_scores"), value=True, key=SCORES_KEY, help=t("attr_scores_help"))


def scores_on() -> bool:
    """Whether the scores switch (drawn with the other controls) is on."""
    return bool(st.session_state.get(SCORES_KEY, False))


def _score(picked: Picked, prepared: Prepared, a: Attribution, params: dict) -> Scores:
    key = (picked.cache_id, prepared.digest, "scores", a.method, a.target, a.layer,
           tuple(sorted(params.items())), SETTINGS)

    def run() -> Scores:
        with picked.lock:  # the copy and the curves read the shared model: no one's hooks on it
            return score(picked.model, prepared.x.to(picked.device), a.method, a.target, a.layer,
                         original=a.map, seed=SEED, **params)
    return cached(key, run)


def scores_for(picked: Picked, prepared: Prepared, results: dict[str, Attribution],
               params: dict[str, dict], notify: bool = True) -> dict[str, Scores]:
    """Scores of every computed map when the switch is on (else none); a model too big for the
    CPU is said (if ``notify``), a failing method is reported and left out."""
    if not (scores_on() and results):
        return {}
    if not scores_fit(picked.in_shape, picked.device.type):
        if notify:
            st.info(t("attr_scores_too_big", limit=MAX_SIDE_CPU, side=max(picked.in_shape[1:])))
        return {}
    out = {}
    for m, a in results.items():
        try:
            with st.spinner(t("attr_scoring", method=METHODS[m].label)):
                out[m] = _score(picked, prepared, a, params.get(m, {}))
        except Exception as exc:  # noqa: BLE001 - out of memory, an odd uploaded model, ...
            compute_failed(exc)
    return out


def score_lines_ui(col: DeltaGenerator, s: Scores) -> None:
    """The three numbers under one map, each with the direction that is good."""
    col.markdown("  \n".join([
        t("attr_score_del", v=fmt(s.deletion.auc)),
        t("attr_score_ins", v=fmt(s.insertion.auc)),
        rho_text(s.randomisation.last, "attr_score_rand", "attr_score_rand_nan")]))


def _reference(picked: Picked, prepared: Prepared, target: int) -> tuple[Curve, Curve]:
    """Deletion and insertion with the pixels in random order, for this picture and class."""
    def run() -> tuple[Curve, Curve]:
        with picked.lock:
            return random_order_curves(picked.model, prepared.x.to(picked.device), target,
                                       CURVE_STEPS, START_BLUR, SEED)
    return cached((picked.cache_id, prepared.digest, "scores_random", target, SETTINGS), run)


def scores_note_ui(picked: Picked, prepared: Prepared, scores: dict[str, Scores]) -> None:
    """How the numbers are made and which conventions they follow, and the random-order areas."""
    if not scores:
        return
    target = next(iter(scores.values())).target
    rand_del, rand_ins = _reference(picked, prepared, target)
    st.caption(t("attr_scores_note", cls=untrusted(picked.classes[target]), pct=f"{100 / CURVE_STEPS:g}")
               + " " + t("attr_scores_random", d=fmt(rand_del.auc), i=fmt(rand_ins.auc)))


def scores_curves_ui(picked: Picked, prepared: Prepared, scores: dict[str, Scores]) -> None:
    """The sanity check's curves: randomisation per layer, then deletion and insertion."""
    if not scores:
        return
    first = next(iter(scores.values()))
    labels = {m: METHODS[m].label for m in scores}
    st.markdown(f"**{t('attr_rand_header')}**")
    st.caption(t("attr_rand_explain"))
    fig = randomisation_figure(first.randomisation.layers,
                               {labels[m]: s.randomisation.correlations for m, s in scores.items()},
                               start=t("attr_rand_start"), titles=(t("attr_rand_x"), t("attr_rand_y")))
    st.plotly_chart(fig, key="attr_rand_chart", config={"displayModeBar": False})
    cls = picked.classes[first.target]
    st.markdown(f"**{t('attr_curves_header')}**")
    st.caption(t("attr_curves_explain", cls=untrusted(cls)))
    rand_del, rand_ins = _reference(picked, prepared, first.target)
    curves = {labels[m]: (s.deletion.fractions, s.deletion.probs, s.insertion.fractions,
                          s.insertion.probs) for m, s in scores.items()}
    reference = t("attr_random_order")
    curves[reference] = (rand_del.fractions, rand_del.probs, rand_ins.fractions, rand_ins.probs)
    fig = deletion_insertion_figure(
        curves, titles=(t("attr_curve_deletion"), t("attr_curve_insertion")),
        axes=(t("attr_curve_x"), t("attr_curve_y", cls=cls)), reference=reference)
    st.plotly_chart(fig, key="attr_curves_chart", config={"displayModeBar": False})
