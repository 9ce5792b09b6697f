"""The job store and the worker loop: FIFO per device kind, positions, per-student limits, cancel
by the owner only, heartbeats and recovery, atomic claims across processes, failures as messages.

Training itself is replaced here by small job functions (cnnviz.train.runs.run_job is monkeypatched):
the real training runs through the same worker in tests/train/test_runs.py.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import torch

from cnnviz.errors import CnnvizError
from cnnviz.train import jobs, jobstore
from cnnviz.train.jobs import MESSAGES, JobContext, error_of
from cnnviz.train.jobstore import DB_NAME, MAX_ATTEMPTS, JobStore
from cnnviz.train.worker import StoreContext, Worker

SPEC: dict[str, Any] = {"kind": "fake"}


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    return JobStore(tmp_path / DB_NAME)


def _fake_run_job(monkeypatch: pytest.MonkeyPatch, body) -> list[tuple[str, bool]]:
    """Make the worker run ``body(ctx)`` instead of training; returns (job id, resume) per call."""
    calls: list[tuple[str, bool]] = []

    class FakeSpec:
        @staticmethod
        def from_dict(data: dict) -> dict:
            return data

    def run_job(spec: dict, root: Path, resume: bool = False):
        def job(ctx: JobContext) -> Any:
            calls.append((ctx.job_id, resume))
            return body(ctx)
        return job

    monkeypatch.setattr("cnnviz.train.runs.run_job", run_job)
    monkeypatch.setattr("cnnviz.train.runs.RunSpec", FakeSpec)
    return calls


def _drain(store: JobStore, device: str = "cpu") -> Worker:
    worker = Worker(store, device)
    worker.run(once=True)
    return worker


# --- the queue ----------------------------------------------------------------------------------


def test_fifo_per_device_kind_with_positions(store: JobStore, monkeypatch) -> None:
    ids = [store.submit(SPEC, owner=f"s{i}", title=f"t{i}", device=d)
           for i, d in enumerate(["cpu", "cuda:0", "cpu", "cuda", "cpu"])]
    assert [store.view(i).position for i in ids] == [1, 1, 2, 2, 3]
    assert [store.view(i).device for i in ids] == ["cpu", "cuda", "cpu", "cuda", "cpu"]
    calls = _fake_run_job(monkeypatch, lambda ctx: None)
    _drain(store, "cpu")
    assert [c[0] for c in calls] == [ids[0], ids[2], ids[4]]  # a CPU worker takes CPU jobs, in order
    assert [store.view(i).state for i in ids] == ["done", "queued", "done", "queued", "done"]
    assert store.view(ids[3]).position == 2
    _drain(store, "cuda:0")
    assert [c[0] for c in calls[3:]] == [ids[1], ids[3]]
    assert all(store.view(i).state == "done" and store.view(i).position == 0 for i in ids)


def test_a_student_may_have_only_so_many_active_runs(store: JobStore) -> None:
    for _ in range(2):
        store.submit(SPEC, owner="ana", title="", max_active=2)
    with pytest.raises(CnnvizError) as err:
        store.submit(SPEC, owner="ana", title="", max_active=2)
    assert err.value.key == "job_limit_active" and err.value.args_ == {"count": 2, "limit": 2}
    store.submit(SPEC, owner="bao", title="", max_active=2)  # another student is not affected
    first = store.views(owner="ana")[0].id
    assert store.cancel(first, owner="ana")
    store.submit(SPEC, owner="ana", title="", max_active=2)  # a finished run frees a place
    assert store.active_count("ana") == 2 and len(store.views()) == 4


def test_only_the_owner_stops_a_run(store: JobStore) -> None:
    job = store.submit(SPEC, owner="ana", title="")
    with pytest.raises(CnnvizError) as err:
        store.cancel(job, owner="bao")
    assert err.value.key == "job_not_yours" and store.view(job).state == "queued"
    assert store.cancel(job, owner="ana") and store.view(job).state == "cancelled"
    assert not store.cancel(job, owner="ana")  # finished: nothing to do
    assert not store.cancel("no-such-job")


def test_stop_reaches_a_running_job_through_its_reports(store: JobStore, monkeypatch) -> None:
    started = threading.Event()

    def body(ctx: StoreContext) -> None:
        started.set()
        deadline = time.monotonic() + 30
        while not ctx.cancelled.is_set() and time.monotonic() < deadline:
            ctx.report(step=1)  # each report also asks the store whether Stop was pressed
            time.sleep(0.05)

    _fake_run_job(monkeypatch, body)
    job = store.submit(SPEC, owner="ana", title="")
    worker = threading.Thread(target=_drain, args=(store,))
    worker.start()
    assert started.wait(30)
    assert store.view(job).state == "running" and store.cancel(job, owner="ana")
    worker.join(30)
    assert not worker.is_alive() and store.view(job).state == "cancelled"


def test_progress_is_visible_while_running_and_survives(store: JobStore, monkeypatch) -> None:
    seen: list[dict] = []

    def body(ctx: StoreContext) -> None:
        ctx.report(phase="train", filters=__import__("numpy").ones((2, 1, 3, 3), "float32"))
        ctx.append("history", {"epoch": 1, "val_acc": 0.5})
        seen.append(store.view(ctx.job_id).progress)

    _fake_run_job(monkeypatch, body)
    job = store.submit(SPEC, owner="ana", title="")
    _drain(store)
    assert seen[0]["history"] == [{"epoch": 1, "val_acc": 0.5}]  # an epoch is sent at once
    assert seen[0]["filters"] == [[[[1.0] * 3] * 3]] * 2  # arrays travel as lists
    assert store.view(job).progress["phase"] == "train"
    reopened = JobStore(store.path)  # another process, or the server after a restart
    assert reopened.view(job).progress == store.view(job).progress and reopened.view(job).state == "done"


# --- failures become messages --------------------------------------------------------------------


@pytest.mark.parametrize("exc,key,args", [
    (torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"), "job_oom_gpu",
     {"device": "cuda:0"}),
    (RuntimeError("DefaultCPUAllocator: out of memory"), "job_oom_cpu", {}),
    (OSError(28, "No space left on device", "/srv/cnnviz/runs/abc/model.safetensors"), "job_storage", {}),
    (ValueError("width must be positive"), "job_failed", {"kind": "ValueError"}),
    (SystemExit(3), "job_failed", {"kind": "SystemExit"}),
    (CnnvizError("job_unknown", job_id="x"), "job_unknown", {"job_id": "x"}),
])
def test_a_failure_is_a_message_and_the_worker_goes_on(store: JobStore, monkeypatch, exc, key, args) -> None:
    emptied: list[bool] = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))
    device = "cuda:0" if key == "job_oom_gpu" else "cpu"
    calls = _fake_run_job(monkeypatch, lambda ctx: (_ for _ in ()).throw(exc) if len(calls) == 1 else None)
    failed, after = (store.submit(SPEC, owner="a", title="", device=device) for _ in range(2))
    _drain(store, device)
    view = store.view(failed)
    assert (view.state, view.error_key, view.error_args) == ("failed", key, args)
    assert store.view(after).state == "done"  # the next run still ran
    text = jobs.MESSAGES.get(key, jobstore.MESSAGES.get(key, "")).format(**args)
    assert "/srv" not in text and "width must be positive" not in text
    assert emptied == ([True] if "oom" in key else [])


def test_every_job_message_formats_with_the_args_produced() -> None:
    produced = [error_of(torch.cuda.OutOfMemoryError("CUDA out of memory"), "cuda:1"),
                error_of(MemoryError(), "cpu"), error_of(PermissionError(13, "denied", "/srv"), "cpu"),
                error_of(RuntimeError("boom"), "cpu")]
    assert {key for key, _ in produced} == set(MESSAGES)
    for key, args in produced:
        text = MESSAGES[key].format(**args)
        assert all(str(v) in text for v in args.values()) and "{" not in text


# --- heartbeats, recovery, shutdown --------------------------------------------------------------


def test_a_silent_worker_loses_its_job_then_the_job_fails_after_max_attempts(store: JobStore) -> None:
    job = store.submit(SPEC, owner="a", title="")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert store.claim(f"w{attempt}", "cpu")[0] == job
        assert store.recover(timeout_s=60) == []  # beating recently: left alone
        assert store.recover(timeout_s=0) == [job]  # silent: taken back
        state = store.view(job).state
        assert state == ("queued" if attempt < MAX_ATTEMPTS else "failed"), attempt
    view = store.view(job)
    assert (view.error_key, view.error_args, view.attempts) == ("job_worker_lost", {"attempts": 3}, 3)


def test_a_taken_back_job_cannot_be_finished_by_its_old_worker(store: JobStore) -> None:
    job = store.submit(SPEC, owner="a", title="")
    store.register_worker("old", "cpu")
    store.claim("old", "cpu")
    store.recover(timeout_s=0)
    assert store.beat("old", job) == "lost"
    assert store.claim("new", "cpu")[0] == job
    assert not store.finish(job, "done", worker_id="old")  # the old worker's word no longer counts
    assert store.view(job).state == "running"
    assert store.finish(job, "done", worker_id="new") and store.view(job).state == "done"


def test_one_beat_answers_for_every_job_of_a_worker_running_several(store: JobStore) -> None:
    going, stopped, elsewhere = (store.submit(SPEC, owner="a", title="") for _ in range(3))
    store.register_worker("many", "cpu")
    store.claim("many", "cpu"), store.claim("many", "cpu"), store.claim("other", "cpu")
    store.cancel(stopped)
    store._db().execute("UPDATE jobs SET heartbeat = 0")  # every job silent for a long time
    assert store.beat_jobs("many", [going, stopped, elsewhere, "no-such-job"]) == {
        going: "ok", stopped: "cancel", elsewhere: "lost", "no-such-job": "lost"}
    assert store.recover(timeout_s=60) == [elsewhere]  # the beat counted only for its own jobs
    assert store.view(going).state == "running" and store.view(elsewhere).state == "queued"
    assert [w["id"] for w in store.live_workers()] == ["many"]


def test_cancelled_while_its_worker_died_ends_cancelled(store: JobStore) -> None:
    job = store.submit(SPEC, owner="a", title="")
    store.claim("w", "cpu")
    store.cancel(job)
    store.recover(timeout_s=0)
    assert store.view(job).state == "cancelled"


def test_workers_are_listed_while_they_beat(store: JobStore) -> None:
    worker = Worker(store, "cuda:0", worker_id="gpu-1")
    thread = threading.Thread(target=worker.run)
    thread.start()
    deadline = time.monotonic() + 10
    while not store.live_workers() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [w["device"] for w in store.live_workers()] == ["cuda:0"]
    worker.stop()
    thread.join(10)
    assert store.live_workers() == []


def _claim_many(path: str, worker: str, out) -> None:
    store = JobStore(path)
    got = []
    while (claimed := store.claim(worker, "cpu")) is not None:
        got.append(claimed[0])
    out.put(got)


@pytest.mark.slow
def test_two_processes_never_claim_the_same_job(store: JobStore) -> None:
    ids = {store.submit(SPEC, owner="a", title="") for _ in range(60)}
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_claim_many, args=(str(store.path), f"w{i}", out)) for i in range(3)]
    for p in procs:
        p.start()
    claimed = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(60)
    flat = [job for got in claimed for job in got]
    assert sorted(flat) == sorted(ids) and len(set(flat)) == len(flat)


def test_a_standalone_context_keeps_copies_and_checks_cancel() -> None:
    ctx = JobContext("t")
    history = [{"epoch": 1}]
    ctx.report(history=history)
    history.append({"epoch": 2})  # the job keeps changing its own list
    ctx.append("history", {"epoch": 2})
    assert ctx.progress()["history"] == [{"epoch": 1}, {"epoch": 2}]
    ctx.report(phase="x")
    with pytest.raises(TypeError):
        ctx.append("phase", 1)
    ctx.check_cancelled()
    ctx.cancelled.set()
    with pytest.raises(jobs.JobCancelled):
        ctx.check_cancelled()
