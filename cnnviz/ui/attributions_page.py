"""Widgets of the Attributions page: which pixels (or which layer units) made the model say a class.

Target class, layer, methods and their settings; every chosen method's map overlaid on the
picture side by side; Grad-CAM of every conv layer in one row; and the model-randomisation
sanity check. The maps come from cnnviz.explain.attribution (Captum); results are cached per session.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator

from cnnviz.text import untrusted
from cnnviz.explain.activations import conv_layers
from cnnviz.explain.attrstate import DEFAULT_METHODS, PATH_METHODS, PRED, AttrState, from_query, occlusion_defaults, \
    occlusion_evals, occlusion_limit, to_query
from cnnviz.explain.attribution import METHODS, Attribution, attribute, gradcam_all, normalise_map, spatial_layers
from cnnviz.explain.mapfigures import attribution_figure, overlay
from cnnviz.explain.scores import rank_correlation
from cnnviz.ui.attribution_scores import (rho_text, score_lines_ui, scores_curves_ui, scores_for,
                                            scores_note_ui, scores_toggle_ui)
from cnnviz.ui.common import show_messages
from cnnviz.ui.fit_warning import map_note, fit_warnings_ui
from cnnviz.ui.i18n import t
from cnnviz.ui.names import device_name
from cnnviz.imaging.preprocess import Prepared
from cnnviz.ui.model_picker import Picked, cached, compute_failed, logits_of, random_twin

__all__ = ["DEFAULT_METHODS", "controls_ui", "gradcam_row_ui", "layer_ui", "occlusion_evals",
           "rank_correlation", "results_ui", "sanity_ui", "target_ui"]

PER_ROW = 2  # maps per row in the results column, beside the controls
SANITY_PER_ROW = 4
SHOW_PX = 224
FIG_CONFIG = {"displayModeBar": False}
ROW_PX = 120
ROW_TILES = 8  # Grad-CAM row: tiles per line, also for models with few convolutions
URL_KEYS = {"methods": "attr_methods", "target": "attr_target", "layer": "attr_layer"}  # parameter: widget key


# ---------------------------------------------------------------------------------------------
# Choices


@st.cache_resource(show_spinner=False, max_entries=16)
def _layers(cache_id: str, _picked: Picked) -> tuple[list[str], str]:
    """Layers with feature maps in forward order, and the default: the last convolution."""
    x = torch.zeros(1, *_picked.in_shape, device=_picked.device)
    with _picked.lock:
        names = spatial_layers(_picked.model, x)
    convs = [n for n in conv_layers(_picked.model) if n in names]
    return names, (convs[-1] if convs else names[-1])


def _seed_from_url(names: list[str], default_layer: str, n_classes: int) -> None:
    """Layer, methods and target from the link for the widgets not drawn yet (a first visit); bad
    values warned about."""
    ss = st.session_state
    unset = {name for name, key in URL_KEYS.items() if key not in ss}
    if not unset:
        return
    params = {name: value for name, value in st.query_params.to_dict().items() if name in unset}
    state, warnings = from_query(params, names, default_layer, n_classes)
    show_messages(warnings)
    chosen = {"methods": list(state.methods), "target": state.target, "layer": state.layer}
    ss.update({URL_KEYS[name]: chosen[name] for name in unset})


def target_ui(picked: Picked, logits: torch.Tensor) -> int:
    """The class to explain: the prediction unless another is chosen."""
    probs = torch.softmax(logits.double(), dim=0)
    pred = int(probs.argmax())
    n = len(picked.classes)
    if st.session_state.get("attr_target") not in (PRED, *range(n)):
        st.session_state["attr_target"] = PRED  # another model with fewer classes

    def label(o: object) -> str:
        if o == PRED:
            return t("attr_target_pred", cls=picked.classes[pred], p=f"{float(probs[pred]):.1%}")
        return f"{o} · {picked.classes[o]} ({float(probs[o]):.1%})"

    choice = st.selectbox(t("attr_target"), [PRED, *range(n)], key="attr_target", format_func=label)
    return pred if choice == PRED else int(choice)


def layer_ui(picked: Picked) -> str:
    names, default = _layers(picked.cache_id, picked)
    if st.session_state.get("attr_layer") not in names:
        st.session_state["attr_layer"] = default
    return st.selectbox(t("attr_layer"), names, key="attr_layer", help=t("attr_layer_help"))


def _clamp_stride() -> None:
    ss = st.session_state
    if ss.get("attr_stride", 1) > ss.get("attr_window", 1):
        ss["attr_stride"] = ss["attr_window"]


def _params_ui(methods: list[str], side: int) -> dict[str, dict]:
    """Settings of the chosen methods (only those), within the ranges cnnviz.explain.attribution allows."""
    params: dict[str, dict] = {m: {} for m in methods}
    if not any(m in methods for m in (*PATH_METHODS, "smoothgrad", "occlusion")):
        return params
    with st.expander(t("attr_settings"), expanded=False):
        if any(m in PATH_METHODS for m in methods):
            steps = st.slider(t("attr_steps"), 4, 200, 50, key="attr_steps", help=t("attr_steps_help"))
            for m in PATH_METHODS:
                if m in params:
                    params[m] = {"n_steps": steps}
        if "smoothgrad" in methods:
            params["smoothgrad"] = {
                "nt_samples": st.slider(t("attr_samples"), 1, 50, 20, key="attr_samples"),
                "stdevs": st.slider(t("attr_noise"), 0.0, 2.0, 0.5, 0.05, key="attr_noise",
                                    help=t("attr_noise_help"))}
        if "occlusion" in methods:
            ss = st.session_state
            if ss.get("attr_occ_side") != side:  # first time, or a model with another input size
                ss["attr_window"], ss["attr_stride"] = occlusion_defaults(side)
                ss["attr_occ_side"] = side
            window = st.slider(t("attr_window"), 1, side, key="attr_window", on_change=_clamp_stride)
            stride = st.slider(t("attr_stride"), 1, max(window, 2), key="attr_stride",
                               disabled=window == 1)
            stride = min(stride, window)
            params["occlusion"] = {"window": window, "stride": stride}
            st.caption(t("attr_occlusion_cost", n=occlusion_evals(side, window, stride)))
    return params


def controls_ui(picked: Picked, prepared: Prepared, note: str | None = None
                ) -> tuple[int, str, list[str], dict, float, bool] | None:
    """(target, layer, methods, their settings, overlay opacity, sanity check on); None when the
    model cannot even predict (the reason is shown). ``note``: the picture/model warning, written
    under the prediction."""
    try:
        logits = logits_of(picked, prepared.x, prepared.digest)
    except RuntimeError as exc:
        compute_failed(exc)
        return None
    names, default = _layers(picked.cache_id, picked)
    _seed_from_url(names, default, len(picked.classes))
    target = target_ui(picked, logits)
    if note:
        st.caption(note)
    methods = st.multiselect(t("attr_methods"), list(METHODS), key="attr_methods", placeholder=t("choose_options"),
                             format_func=lambda m: METHODS[m].label, help=t("attr_methods_help"))
    layer = layer_ui(picked)
    st.query_params.update(to_query(AttrState(layer, tuple(methods), st.session_state["attr_target"])))
    params = _params_ui(methods, min(picked.in_shape[1:]))
    opacity = st.slider(t("attr_opacity"), 0.0, 1.0, 0.7, 0.05, key="attr_opacity",
                        help=t("attr_opacity_help"))
    sanity = st.toggle(t("attr_sanity"), key="attr_sanity", help=t("attr_sanity_help"))
    scores_toggle_ui()
    return target, layer, methods, params, opacity, sanity


# ---------------------------------------------------------------------------------------------
# Results


def _attribution(picked: Picked, prepared: Prepared, method: str, target: int, layer: str,
                 params: dict) -> Attribution:
    spec = METHODS[method]
    key = (picked.cache_id, prepared.digest, method, target, layer if spec.needs_layer else None,
           tuple(sorted(params.items())))

    def run() -> Attribution:
        with picked.lock:
            return attribute(picked.model, prepared.x.to(picked.device), method, target,
                             layer if spec.needs_layer else None, **params)
    return cached(key, run)


def _caption(a: Attribution) -> str:
    spec = METHODS[a.method]
    parts = [f"**{spec.label}**" + (f" · {a.layer}" if a.layer else "")]
    peak = float(np.abs(a.map).max())
    parts.append(t("attr_peak", v=f"{peak:.3g}"))
    if a.delta is not None:
        parts.append(t("attr_delta", d=f"{a.delta:.2e}"))
    return " · ".join(parts)


def _compute_all(picked: Picked, prepared: Prepared, methods: list[str], target: int, layer: str,
                 params: dict) -> dict[str, Attribution]:
    side = min(picked.in_shape[1:])
    limit = occlusion_limit(side, picked.device.type)
    out = {}
    for m in methods:
        if m == "occlusion":
            n = occlusion_evals(side, params[m]["window"], params[m]["stride"])
            if n > limit:
                st.error(t("attr_occlusion_too_many", n=n, limit=limit))
                continue
        try:
            with st.spinner(t("attr_computing", method=METHODS[m].label)):
                out[m] = _attribution(picked, prepared, m, target, layer, params[m])
        except Exception as exc:  # noqa: BLE001 - AttributionError, out of memory, ...
            compute_failed(exc)
    return out


def _map_ui(col: DeltaGenerator, a: Attribution, seen: np.ndarray, opacity: float, key: str,
            note: str | None, caption: str | None = None) -> None:
    """One map over its picture with its colour bar (hover: the true attribution), and its note."""
    fig = attribution_figure(seen, a.map, a.signed, opacity, SHOW_PX, hover=t("map_hover"))
    col.plotly_chart(fig, key=key, config=FIG_CONFIG)
    if caption:
        col.caption(caption)
    if note:
        col.caption(note)


def _grid(results: dict[str, Attribution], seen: np.ndarray, opacity: float,
          scores: dict | None = None, note: str | None = None) -> None:
    for start in range(0, len(results), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, a in zip(cols, list(results.values())[start:start + PER_ROW]):
            col.markdown(_caption(a))
            _map_ui(col, a, seen, opacity, f"attr_map_{a.method}", note)
            if scores and a.method in scores:
                score_lines_ui(col, scores[a.method])


def results_ui(picked: Picked, prepared: Prepared, target: int, layer: str, methods: list[str],
               params: dict, opacity: float, reasons: list[str] | None = None) -> dict[str, Attribution]:
    """Every chosen method's map over the picture, side by side; the picture/model warnings
    (``reasons``, cnnviz.explain.domain) under the heading and under every map."""
    st.subheader(t("attr_results", cls=untrusted(picked.classes[target])))
    probs = torch.softmax(logits_of(picked, prepared.x, prepared.digest).double(), dim=0)
    pred = int(probs.argmax())
    st.markdown(t("insp_predicted", cls=untrusted(picked.classes[pred]), p=f"{float(probs[pred]):.1%}"))
    fit_warnings_ui(picked, reasons or [])
    if not methods:
        st.info(t("attr_pick_method"))
        return {}
    results = _compute_all(picked, prepared, methods, target, layer, params)
    scores = scores_for(picked, prepared, results, params)
    with st.container(key="attr_grid"):
        _grid(results, prepared.seen, opacity, scores, map_note(reasons or []))
    legend = [t("attr_legend_signed")] if any(a.signed for a in results.values()) else []
    if any(not a.signed for a in results.values()):
        legend.append(t("attr_legend_unsigned"))
    st.caption(" ".join(legend + [t("attr_colour_note"), t("attr_device", device=device_name(picked.device))]))
    scores_note_ui(picked, prepared, scores)
    return results


def gradcam_row_ui(picked: Picked, prepared: Prepared, target: int, opacity: float,
                   note: str | None = None) -> None:
    """Grad-CAM of every convolution from one forward and one backward pass, early to late."""
    layers = conv_layers(picked.model)
    if not layers:
        return
    st.subheader(t("attr_gradcam_row"))
    if note:
        st.caption(note)

    def run() -> dict[str, np.ndarray]:
        with picked.lock:
            return gradcam_all(picked.model, prepared.x.to(picked.device), target, layers)
    try:
        maps = cached((picked.cache_id, prepared.digest, "gradcam_all", target), run)
    except Exception as exc:  # noqa: BLE001
        compute_failed(exc)
        return
    with st.container(key="attr_gradcam_row"):
        for start in range(0, len(maps), ROW_TILES):
            cols = st.columns(ROW_TILES)
            for col, name in zip(cols, list(maps)[start:start + ROW_TILES]):
                amap = normalise_map(maps[name], signed=False)
                col.image(overlay(prepared.seen, amap, False, opacity, ROW_PX), width="stretch")
                col.caption(name)
    st.caption(t("attr_gradcam_row_note") + " " + t("attr_row_scale"))


def sanity_ui(picked: Picked, prepared: Prepared, target: int, layer: str, methods: list[str],
              params: dict, opacity: float, trained: dict[str, Attribution], note: str | None = None) -> None:
    """The same methods on the same architecture with random weights, next to the trained one."""
    st.subheader(t("attr_sanity_header"))
    st.markdown(t("attr_sanity_explain"))
    with st.spinner(t("attr_randomising")):
        twin = random_twin(picked)
    random = _compute_all(twin, prepared, [m for m in methods if m in trained], target, layer, params)
    with st.container(key="attr_sanity_grid"):
        for start in range(0, len(random), SANITY_PER_ROW):
            cols = st.columns(SANITY_PER_ROW)
            for col, m in zip(cols, list(random)[start:start + SANITY_PER_ROW]):
                a, b = trained[m], random[m]
                _map_ui(col, a, prepared.seen, opacity, f"attr_sanity_{m}_trained", note, t("attr_trained"))
                _map_ui(col, b, prepared.seen, opacity, f"attr_sanity_{m}_random", t("dom_map_random"),
                        t("attr_randomised"))
                col.markdown(f"**{METHODS[m].label}** · " + rho_text(rank_correlation(a.map, b.map)))
    st.caption(t("attr_rank_corr_note"))
    scores_curves_ui(picked, prepared, scores_for(picked, prepared, trained, params, notify=False))
