"""Tests for cnnviz.jobs: queueing per device, cancel, errors, snapshots and the shared manager.

Jobs are synchronised with Events (a job signals that it started and runs until released), and
every wait has a timeout, so a bug fails a test instead of hanging it.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterator

import pytest
import torch

from cnnviz import jobs
from cnnviz.jobs import MESSAGES, JobCancelled, JobContext, JobManager, JobView

TIMEOUT = 5.0


class Gate:
    """A job that says when it started, then runs until released; records how it was called."""

    def __init__(self, result: object = None, log: list[str] | None = None, name: str = "") -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        self.thread: threading.Thread | None = None
        self.result, self.log, self.name = result, log, name

    def __call__(self, ctx: JobContext) -> object:
        self.calls += 1
        self.thread = threading.current_thread()
        if self.log is not None:
            self.log.append(self.name)
        self.started.set()
        if not self.release.wait(TIMEOUT):
            raise RuntimeError("gate never released")
        return self.result

    def wait_started(self) -> None:
        assert self.started.wait(TIMEOUT), "job did not start"


@pytest.fixture
def make() -> Iterator[Callable[..., tuple[JobManager, Callable[..., Gate]]]]:
    """Builds managers and gates; releases every gate and shuts every manager down afterwards."""
    managers: list[JobManager] = []
    gates: list[Gate] = []

    def build(**kw: object) -> tuple[JobManager, Callable[..., Gate]]:
        mgr = JobManager(**kw)
        managers.append(mgr)

        def gate(**gkw: object) -> Gate:
            gates.append(Gate(**gkw))
            return gates[-1]
        return mgr, gate

    yield build
    for g in gates:
        g.release.set()
    for mgr in managers:
        assert mgr.shutdown(cancel=True, timeout=TIMEOUT)


@pytest.fixture
def thread_errors(monkeypatch) -> list[BaseException]:
    """Exceptions that escape any thread during the test (a job's worker must let none out)."""
    errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    return errors


def _state(mgr: JobManager, job_id: str) -> tuple[str, int]:
    view = mgr.view(job_id)
    assert view is not None
    return view.state, view.position


# --- bounded concurrency and the queue ----------------------------------------------------------

def test_limit_one_runs_jobs_one_after_another(make) -> None:
    mgr, gate = make()
    a, b = gate(result="A"), gate(result="B")
    ja, jb = mgr.submit(a, title="first"), mgr.submit(b, title="second")
    a.wait_started()
    assert _state(mgr, ja) == ("running", 0)
    assert _state(mgr, jb) == ("queued", 1)
    assert not b.started.is_set()
    a.release.set()
    b.wait_started()
    first = mgr.wait(ja, TIMEOUT)
    assert (first.state, first.result, first.title) == ("done", "A", "first")
    assert _state(mgr, jb) == ("running", 0)
    b.release.set()
    second = mgr.wait(jb, TIMEOUT)
    assert (second.state, second.result, second.error_key) == ("done", "B", None)
    assert second.created <= first.finished <= second.started <= second.finished


def test_limit_two_runs_both_at_once(make) -> None:
    mgr, gate = make(limits={"cpu": 2})
    a, b, c = gate(), gate(), gate()
    ids = [mgr.submit(g) for g in (a, b, c)]
    a.wait_started()
    b.wait_started()  # b runs while a still holds its slot
    assert [_state(mgr, i) for i in ids] == [("running", 0), ("running", 0), ("queued", 1)]
    b.release.set()
    c.wait_started()
    assert _state(mgr, ids[0]) == ("running", 0)


def test_devices_do_not_block_each_other(make) -> None:
    mgr, gate = make()
    on_cpu, on_gpu = gate(), gate()
    mgr.submit(on_cpu, device="cpu")
    on_cpu.wait_started()
    jg = mgr.submit(on_gpu, device="cuda:0")
    on_gpu.wait_started()
    assert _state(mgr, jg) == ("running", 0)


def test_limit_lookup_exact_key_then_kind_then_default() -> None:
    mgr = JobManager(limits={"cuda": 2, "cuda:1": 3}, default_limit=4)
    assert [mgr.limit(d) for d in ("cuda:0", "cuda:1", "cpu", "mps")] == [2, 3, 4, 4]
    for bad in ({"cpu": 0}, {"cuda": -1}, {"cpu": 1.5}):
        with pytest.raises(ValueError, match="must be an integer >= 1"):
            JobManager(limits=bad)
    with pytest.raises(ValueError, match="keep_finished"):
        JobManager(keep_finished=-1)


def test_fifo_order_and_positions_update(make) -> None:
    mgr, gate = make()
    log: list[str] = []
    blocker = gate()
    jb = mgr.submit(blocker)
    blocker.wait_started()
    gates = [gate(log=log, name=n) for n in ("one", "two", "three")]
    ids = [mgr.submit(g) for g in gates]
    assert [_state(mgr, i) for i in ids] == [("queued", 1), ("queued", 2), ("queued", 3)]
    assert [v.position for v in mgr.views()] == [0, 1, 2, 3]
    blocker.release.set()
    gates[0].wait_started()
    assert [_state(mgr, i) for i in ids] == [("running", 0), ("queued", 1), ("queued", 2)]
    assert mgr.view(jb).state == "done"
    for g, next_g in zip(gates, gates[1:] + [None]):
        g.release.set()
        if next_g is not None:
            next_g.wait_started()
    assert [mgr.wait(i, TIMEOUT).state for i in ids] == ["done"] * 3
    assert log == ["one", "two", "three"]


# --- cancel -------------------------------------------------------------------------------------

def test_cancel_queued_job_never_runs(make) -> None:
    mgr, gate = make()
    blocker, victim, after = gate(), gate(), gate()
    mgr.submit(blocker)
    blocker.wait_started()
    jv, ja = mgr.submit(victim), mgr.submit(after)
    assert _state(mgr, ja) == ("queued", 2)
    assert mgr.cancel(jv) is True
    view = mgr.view(jv)
    assert (view.state, view.position, view.started) == ("cancelled", 0, None)
    assert view.finished is not None
    assert _state(mgr, ja) == ("queued", 1)
    assert mgr.cancel(jv) is False  # already finished
    blocker.release.set()
    after.wait_started()  # the slot went to the next job, not to the cancelled one
    after.release.set()
    assert mgr.wait(ja, TIMEOUT).state == "done"
    assert mgr.wait(jv, TIMEOUT).state == "cancelled"
    assert victim.calls == 0


@pytest.mark.parametrize("how", ["returns", "raises"])
def test_cancel_running_job(make, how: str) -> None:
    mgr, gate = make()
    started = threading.Event()
    saw_cancel: list[bool] = []

    def job(ctx: JobContext) -> str:
        ctx.report(step=1)
        started.set()
        saw_cancel.append(ctx.cancelled.wait(TIMEOUT))
        if how == "raises":
            ctx.check_cancelled()
            return "not reached"
        return "partial"

    jid = mgr.submit(job)
    nxt = gate()
    jn = mgr.submit(nxt)
    assert started.wait(TIMEOUT)
    assert mgr.cancel(jid) is True
    view = mgr.wait(jid, TIMEOUT)
    assert saw_cancel == [True]
    assert (view.state, view.error_key, view.progress) == ("cancelled", None, {"step": 1})
    assert view.result == ("partial" if how == "returns" else None)
    nxt.wait_started()
    assert _state(mgr, jn) == ("running", 0)


def test_cancel_unknown_or_finished_returns_false(make) -> None:
    mgr, _ = make()
    jid = mgr.submit(lambda ctx: 42)
    assert mgr.wait(jid, TIMEOUT).result == 42
    assert mgr.cancel(jid) is False
    assert mgr.cancel("no-such-job") is False
    assert mgr.view("no-such-job") is None
    with pytest.raises(KeyError):
        mgr.wait("no-such-job", TIMEOUT)


def test_check_cancelled_on_a_standalone_context() -> None:
    ctx = JobContext("solo")
    ctx.check_cancelled()  # not cancelled: nothing happens
    ctx.cancelled.set()
    with pytest.raises(JobCancelled):
        ctx.check_cancelled()


# --- failures -----------------------------------------------------------------------------------

@pytest.mark.parametrize("exc", [
    torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
    RuntimeError("CUDA error: out of memory"),
    MemoryError(),
], ids=["cuda-oom", "runtime-oom", "memory-error"])
def test_out_of_memory_fails_job_frees_memory_and_next_job_runs(make, monkeypatch,
                                                                exc: Exception) -> None:
    emptied: list[bool] = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))
    mgr, gate = make()
    entered, go = threading.Event(), threading.Event()

    def job(ctx: JobContext) -> None:
        entered.set()
        assert go.wait(TIMEOUT)
        raise exc

    jid = mgr.submit(job, device="cuda:0")
    nxt = gate(result="ok")
    jn = mgr.submit(nxt, device="cuda:0")
    assert entered.wait(TIMEOUT)
    assert _state(mgr, jn) == ("queued", 1)
    go.set()
    view = mgr.wait(jid, TIMEOUT)
    assert (view.state, view.error_key, view.error_args) == ("failed", "job_oom_gpu",
                                                            {"device": "cuda:0"})
    assert emptied == [True]
    text = MESSAGES[view.error_key].format(**view.error_args)
    assert "GPU memory on cuda:0" in text and "batch size" in text and "CPU" in text
    nxt.wait_started()
    nxt.release.set()
    assert mgr.wait(jn, TIMEOUT).result == "ok"


def test_oom_without_cuda_skips_empty_cache(make, monkeypatch) -> None:
    emptied: list[bool] = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))

    def job(ctx: JobContext) -> None:
        raise RuntimeError("DefaultCPUAllocator: out of memory")

    mgr, _ = make()
    view = mgr.wait(mgr.submit(job), TIMEOUT)
    # a CPU run that runs out of memory says so: not "the GPU ran out of memory"
    assert (view.error_key, view.error_args) == ("job_oom_cpu", {})
    assert "GPU" not in MESSAGES["job_oom_cpu"] and "CPU" in MESSAGES["job_oom_cpu"]
    assert emptied == []


def test_a_failing_cleanup_still_frees_the_slot(make, monkeypatch, thread_errors) -> None:
    def broken_empty_cache() -> None:
        raise RuntimeError("CUDA error: an illegal memory access was encountered")

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", broken_empty_cache)
    mgr, _ = make()

    def job(ctx: JobContext) -> None:
        raise torch.cuda.OutOfMemoryError("CUDA out of memory")

    first = mgr.wait(mgr.submit(job, device="cuda:0"), TIMEOUT)
    after = mgr.wait(mgr.submit(lambda ctx: "next", device="cuda:0"), TIMEOUT)
    assert (first.state, first.error_key) == ("failed", "job_oom_gpu")
    assert (after.state, after.result) == ("done", "next")
    assert thread_errors == []


def test_generic_exception_fails_with_message_and_queue_goes_on(make, monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    emptied: list[bool] = []
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))

    def job(ctx: JobContext) -> None:
        raise ValueError("width must be positive")

    def disk_job(ctx: JobContext) -> None:
        raise OSError(28, "No space left on device", "/srv/cnnviz/runs/abc/model.safetensors")

    mgr, _ = make()
    ids = [mgr.submit(job), mgr.submit(disk_job), mgr.submit(lambda ctx: "still running")]
    first, second, third = (mgr.wait(i, TIMEOUT) for i in ids)
    assert (first.state, first.error_key, first.error_args) == ("failed", "job_failed",
                                                                {"kind": "ValueError"})
    # what the student reads names neither the exception's text nor the server's paths
    assert (second.error_key, second.error_args) == ("job_storage", {})
    for view in (first, second):
        text = MESSAGES[view.error_key].format(**view.error_args)
        assert "/srv" not in text and "width must be positive" not in text and "log" in text
    assert (third.state, third.result) == ("done", "still running")
    assert emptied == []  # only an out-of-memory failure empties the CUDA cache


def test_system_exit_in_a_job_still_frees_the_slot(make, thread_errors) -> None:
    def job(ctx: JobContext) -> None:
        raise SystemExit(3)

    mgr, _ = make()
    first = mgr.wait(mgr.submit(job), TIMEOUT)
    after = mgr.wait(mgr.submit(lambda ctx: "next"), TIMEOUT)
    assert (first.state, first.error_key, first.error_args) == ("failed", "job_failed",
                                                                {"kind": "SystemExit"})
    assert (after.state, after.result) == ("done", "next")
    assert thread_errors == []


def test_every_message_formats_with_the_args_the_manager_produces() -> None:
    produced = [
        jobs.error_of(torch.cuda.OutOfMemoryError("CUDA out of memory"), "cuda:1"),
        jobs.error_of(MemoryError(), "cpu"),
        jobs.error_of(PermissionError(13, "Permission denied", "/srv/runs"), "cpu"),
        jobs.error_of(RuntimeError("boom"), "cpu"),
    ]
    assert {key for key, _ in produced} == set(MESSAGES)
    for key, args in produced:
        text = MESSAGES[key].format(**args)
        assert all(str(v) in text for v in args.values())
        assert "{" not in text


# --- progress snapshots -------------------------------------------------------------------------

def test_report_and_append_are_visible_as_independent_copies(make) -> None:
    mgr, _ = make()
    reported, go = threading.Event(), threading.Event()
    own_history = [{"loss": 2.0}]

    def job(ctx: JobContext) -> str:
        ctx.report(epoch=1, history=own_history)
        own_history.append({"loss": 1.5})  # the job keeps using its own list
        own_history[0]["loss"] = -1.0
        reported.set()
        assert go.wait(TIMEOUT)
        ctx.report(epoch=2)
        ctx.append("history", {"loss": 1.0})
        ctx.append("log", "epoch 2")
        return "done"

    jid = mgr.submit(job)
    assert reported.wait(TIMEOUT)
    early = mgr.view(jid)
    assert early.progress == {"epoch": 1, "history": [{"loss": 2.0}]}
    early.progress["history"][0]["loss"] = 99.0  # the caller scribbles on its snapshot
    early.progress["epoch"] = 99
    assert mgr.view(jid).progress == {"epoch": 1, "history": [{"loss": 2.0}]}
    go.set()
    final = mgr.wait(jid, TIMEOUT)
    assert final.progress == {"epoch": 2, "history": [{"loss": 2.0}, {"loss": 1.0}],
                              "log": ["epoch 2"]}
    assert early.progress["epoch"] == 99  # later reports did not touch the old snapshot
    assert len(early.progress["history"]) == 1
    final.error_args["error"] = "forged"
    assert mgr.view(jid).error_args == {}


def test_view_is_frozen() -> None:
    mgr = JobManager()
    view = mgr.wait(mgr.submit(lambda ctx: None), TIMEOUT)
    assert isinstance(view, JobView) and not view.active
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.state = "running"  # type: ignore[misc]


def test_append_refuses_a_non_list_and_copies_items() -> None:
    ctx = JobContext("solo")
    item = {"acc": 0.5}
    ctx.append("history", item)
    item["acc"] = 0.0
    ctx.report(epoch=3)
    assert ctx.progress() == {"history": [{"acc": 0.5}], "epoch": 3}
    with pytest.raises(TypeError, match="not a list"):
        ctx.append("epoch", 4)


# --- bookkeeping --------------------------------------------------------------------------------

def test_views_filter_by_owner_in_submission_order(make) -> None:
    mgr, gate = make()
    blocker = gate()
    ids = [mgr.submit(blocker, owner="alice", title="a1"),
           mgr.submit(lambda ctx: None, owner="bob", title="b1"),
           mgr.submit(lambda ctx: None, owner="alice", title="a2")]
    assert [v.id for v in mgr.views()] == ids
    assert [v.title for v in mgr.views("alice")] == ["a1", "a2"]
    assert [v.id for v in mgr.views("bob")] == [ids[1]]
    assert mgr.views("carol") == []


def test_keep_finished_forgets_oldest_finished_but_never_active(make) -> None:
    mgr, gate = make(keep_finished=2)
    blocker, queued = gate(), gate()
    jb, jq = mgr.submit(blocker), mgr.submit(queued)
    blocker.wait_started()
    done = [mgr.submit(lambda ctx, i=i: i, device="cuda:0") for i in range(4)]
    for jid in done:
        mgr.wait(jid, TIMEOUT)
    assert [mgr.view(j) is None for j in done] == [True, True, False, False]
    assert _state(mgr, jb) == ("running", 0) and _state(mgr, jq) == ("queued", 1)
    blocker.release.set()
    queued.wait_started()
    assert mgr.view(jb).state == "done"
    assert mgr.view(done[2]) is None  # jb's finish pushed out the oldest remembered one
    assert [v.id for v in mgr.views()] == [jb, jq, done[3]]


def test_wait_returns_the_final_view_even_if_the_job_is_forgotten() -> None:
    mgr = JobManager(keep_finished=0)
    view = mgr.wait(mgr.submit(lambda ctx: "r"), TIMEOUT)
    assert (view.state, view.result) == ("done", "r")
    assert mgr.views() == []


def test_wait_with_timeout_returns_the_current_state(make) -> None:
    mgr, gate = make()
    g = gate()
    jid = mgr.submit(g)
    g.wait_started()
    assert mgr.wait(jid, timeout=0.05).state == "running"


def test_job_outlives_the_thread_that_submitted_it(make) -> None:
    mgr, gate = make()
    g = gate(result="trained")
    submitted: list[str] = []
    tab = threading.Thread(target=lambda: submitted.append(mgr.submit(g, owner="s1")))
    tab.start()
    tab.join(TIMEOUT)
    assert not tab.is_alive() and len(submitted) == 1
    g.wait_started()
    g.release.set()
    view = mgr.wait(submitted[0], TIMEOUT)
    assert (view.state, view.result, view.owner) == ("done", "trained", "s1")
    assert g.thread.name == f"cnnviz-job-{submitted[0]}" and g.thread.daemon


def test_submit_ids_and_validation(make) -> None:
    mgr, _ = make()
    jid = mgr.submit(lambda ctx: None)
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,}", jid)
    assert mgr.submit(lambda ctx: None, job_id="mine") == "mine"
    with pytest.raises(ValueError, match="already exists"):
        mgr.submit(lambda ctx: None, job_id="mine")
    with pytest.raises(ValueError, match="job id"):
        mgr.submit(lambda ctx: None, job_id="a/b")
    with pytest.raises(ValueError, match="device"):
        mgr.submit(lambda ctx: None, device="")
    with pytest.raises(TypeError, match="callable"):
        mgr.submit("not a function")  # type: ignore[arg-type]


def test_shutdown_cancels_everything_and_refuses_new_jobs(make) -> None:
    mgr, _ = make()
    started = threading.Event()

    def polite(ctx: JobContext) -> None:
        started.set()
        ctx.cancelled.wait(TIMEOUT)
        ctx.check_cancelled()

    running, queued = mgr.submit(polite), mgr.submit(lambda ctx: "never")
    assert started.wait(TIMEOUT)
    assert mgr.shutdown(cancel=True, timeout=TIMEOUT) is True
    assert [mgr.view(j).state for j in (running, queued)] == ["cancelled", "cancelled"]
    with pytest.raises(RuntimeError, match="shut down"):
        mgr.submit(lambda ctx: None)


def test_shutdown_without_cancel_lets_queued_jobs_finish() -> None:
    mgr = JobManager()
    ids = [mgr.submit(lambda ctx, i=i: i) for i in range(3)]
    assert mgr.shutdown(cancel=False, timeout=TIMEOUT) is True
    assert [(mgr.view(j).state, mgr.view(j).result) for j in ids] == [("done", i) for i in range(3)]


# --- the process-wide manager -------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    (None, 1), ("3", 3), (" 2 ", 2), ("0", 1), ("-4", 1), ("abc", 1), ("", 1), ("1.5", 1),
])
def test_env_limits(raw: str | None, expected: int) -> None:
    env = {} if raw is None else {"CNNVIZ_JOBS_CPU": raw, "CNNVIZ_JOBS_GPU": raw}
    mgr = jobs.manager_from_env(env)
    assert [mgr.limit(d) for d in ("cpu", "cuda:0", "cuda:7")] == [expected] * 3


@pytest.fixture
def fresh_default() -> Iterator[None]:
    jobs._reset_default_manager()
    yield
    jobs._reset_default_manager()


def test_default_manager_is_one_shared_instance_configured_from_env(monkeypatch,
                                                                    fresh_default) -> None:
    monkeypatch.setenv("CNNVIZ_JOBS_CPU", "2")
    monkeypatch.setenv("CNNVIZ_JOBS_GPU", "nonsense")
    seen: list[JobManager] = []
    threads = [threading.Thread(target=lambda: seen.append(jobs.default_manager()))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert len(seen) == 8 and all(m is seen[0] for m in seen)
    assert (seen[0].limit("cpu"), seen[0].limit("cuda:1")) == (2, 1)
    jobs._reset_default_manager()
    monkeypatch.setenv("CNNVIZ_JOBS_GPU", "3")
    fresh = jobs.default_manager()
    assert fresh is not seen[0] and fresh.limit("cuda:0") == 3
