"""What the Train page and the Filters page's experiment both show about a training run."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz.checkpoints import CheckpointError, read_info
from cnnviz.jobs import JobView
from cnnviz.runs import load_filters, read_outcome, run_dir
from cnnviz.ui.i18n import t

__all__ = ["outcome_ui", "saved_run", "status_ui"]


def status_ui(view: JobView) -> None:
    """Queue position, progress with speed and ETA, or how the run ended (translated)."""
    p = view.progress
    if view.state == "queued":
        st.info(t("tr_queued", position=view.position))
    elif view.state == "running":
        total, step = p.get("total_steps") or 0, p.get("step") or 0
        st.progress(step / total if total else 0.0,
                    text=t("tr_running", epoch=p["epoch"], epochs=p["spec"]["train"]["epochs"])
                    if "epoch" in p and "spec" in p else t("tr_preparing"))
        if "images_per_s" in p:
            st.caption(t("tr_speed", ips=f"{p['images_per_s']:,.0f}", eta=f"{p.get('eta', 0):.0f}",
                         loss=f"{p.get('loss', 0):.3f}", acc=f"{100 * p.get('acc', 0):.1f}"))
    elif view.state == "failed":
        key = p.get("error_key") or view.error_key or "job_failed"
        st.error(t(key, **(p.get("error_args") or view.error_args)))
    elif view.state == "cancelled":
        st.warning(t("tr_cancelled"))
    else:
        st.success(t("tr_done_" + p.get("stopped", "done")))


def saved_run(run_id: str) -> tuple[str, list[dict[str, float]], np.ndarray | None]:
    """(title, history, last first-layer kernels) of a run read from disk; the history is empty
    when the run has no finished epoch (or does not exist), the kernels None when none were saved."""
    try:
        info = read_info(run_dir(run_id) / "model.safetensors")
        title, history = info.note, list(info.history)
    except (CheckpointError, OSError, ValueError):
        title, history = run_id, []
    epochs = load_filters(run_id)
    return title or run_id, history, epochs[-1] if epochs else None


def outcome_ui(run_id: str, epochs: int) -> None:
    """How a run that is no longer training ended: finished, stopped, failed, or cut short."""
    o = read_outcome(run_id, epochs)
    args = {"epochs": o.epochs, "planned": o.planned}
    if o.state in ("done", "unknown"):
        st.success(t("tr_saved_done", **args))
    elif o.state == "cancelled":
        st.warning(t("tr_saved_cancelled", **args))
    elif o.state == "diverged":
        st.warning(t("tr_saved_diverged", **args))
    elif o.state == "failed":
        reason = t(o.error_key, **(o.error_args or {})) if o.error_key else t("err_unexpected", kind="?")
        st.error(t("tr_saved_failed", reason=reason, **args))
    else:
        st.warning(t("tr_saved_interrupted", **args))
