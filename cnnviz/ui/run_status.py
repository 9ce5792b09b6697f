"""What the Train page and the Filters page's experiment both need of training runs: the
student's identity, submitting to the shared job store, and showing a run's state.

Runs train in worker processes (cnnviz.train.worker); the page only writes to and reads the job store.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3

import numpy as np
import streamlit as st

from cnnviz.errors import CnnvizError
from cnnviz.models.checkpoints import CheckpointError, read_info
from cnnviz.train.jobs import JobView
from cnnviz.train.jobstore import JobStore, default_store
from cnnviz.train.progress import epoch_in_progress
from cnnviz.train.runs import RunSpec, check_budget, load_filters, max_active_runs, read_outcome, run_dir
from cnnviz.ui.i18n import t

__all__ = ["job_device", "my_runs", "outcome_ui", "owner", "saved_run", "status_ui", "store", "submit",
           "workers_ui"]

LOG = logging.getLogger("cnnviz.ui")
OWNER = "tr_owner"  # one random token per browser session: whose runs these are


def store() -> JobStore:
    """The server's job store; CnnvizError("job_store_unavailable") when its folder is unusable."""
    try:
        return default_store()
    except (OSError, sqlite3.Error) as exc:
        LOG.error("the job store cannot be opened", exc_info=exc)
        raise CnnvizError("job_store_unavailable") from None


def owner() -> str:
    """This browser session's owner token (never shown, never in a link)."""
    return st.session_state.setdefault(OWNER, secrets.token_urlsafe(12))


def my_runs() -> list[str]:
    return st.session_state.setdefault("my_runs", [])


def job_device() -> str:
    """Where new runs go: "cuda" when a GPU worker is alive, else "cpu"."""
    return "cuda" if any(w["device"].startswith("cuda") for w in store().live_workers()) else "cpu"


def submit(spec: RunSpec, title: str) -> str:
    """Queue ``spec`` for this student (CnnvizError when over a classroom limit); returns its id."""
    device = job_device()
    check_budget(spec, device)
    class_id, nickname = _membership()
    job_id = store().submit(spec.to_dict(), owner=owner(), title=title, device=device,
                            max_active=max_active_runs(), nickname=nickname, class_id=class_id)
    my_runs().append(job_id)
    return job_id


def _membership() -> tuple[str, str]:
    """(class id, nickname) of a student in a class, so the teacher sees whose run this is."""
    from cnnviz.ui import classroom_ui  # classroom_ui imports this module's neighbours

    info = classroom_ui.in_class()
    if info is None:
        return "", ""
    member = classroom_ui.room().member(info.id, st.session_state.get(classroom_ui.MEMBER, ""))
    return info.id, member.nickname if member else ""


def workers_ui() -> None:
    """Say so when no worker is alive to train what is queued."""
    if not store().live_workers():
        st.warning(t("tr_no_worker"))


def status_ui(view: JobView) -> None:
    """Queue position, progress with speed and ETA, or how the run ended (translated)."""
    p = view.progress
    if view.state == "queued":
        st.info(t("tr_queued", position=view.position))
    elif view.state == "running":
        total, step, epoch = p.get("total_steps") or 0, p.get("step") or 0, epoch_in_progress(p)
        waiting = t("tr_starting") if p.get("phase") == "train" else t("tr_preparing")
        st.progress(step / total if total else 0.0, text=waiting if epoch is None else
                    t("tr_running", epoch=epoch, epochs=p["spec"]["train"]["epochs"]))
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
