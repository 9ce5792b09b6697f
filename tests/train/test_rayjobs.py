"""The job store's API on a Ray cluster (cnnviz.train.rayjobs, cnnviz.train.rayremote), with a local Ray
instance started once for the module (3 logical CPUs and 1 announced GPU: 2 CPU runs at once): real tiny runs (digits, LeNet-5) go through the
real store and the Ray dispatcher, and leave what a local worker leaves. Deselect with -m "not ray".
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import safetensors.torch
import torch

ray = pytest.importorskip("ray", reason="the Ray backend needs ray (requirements.txt)")

from cnnviz.errors import english  # noqa: E402
from cnnviz.models.checkpoints import load_checkpoint, read_info  # noqa: E402
from cnnviz.train.engine import TrainConfig  # noqa: E402
from cnnviz.train.jobs import JobContext  # noqa: E402
from cnnviz.train.jobstore import MAX_ATTEMPTS  # noqa: E402
from cnnviz.train.rayjobs import RayDispatcher, capacity, connect, jobs_backend, task_error  # noqa: E402
from cnnviz.train.resume import load_resume  # noqa: E402
from cnnviz.train.runs import RunSpec, load_filters, run_dir, run_job  # noqa: E402
from tests.helpers import LENET, TINY_RUN, torch_threads  # noqa: E402
from tests.jobqueue import Queue  # noqa: E402

# slow: the module's Ray instance alone takes seconds to start, and most runs here take more.
pytestmark = [pytest.mark.ray, pytest.mark.slow, pytest.mark.usefixtures("one_thread")]

TIMEOUT = 120.0
LONG = RunSpec("digits", 1024, 64, LENET, TrainConfig(epochs=40, batch_size=32))  # stopped long before its end
# interrupted after its first epoch and resumed; compared with the same run never interrupted
RESUMED = RunSpec("digits", 2048, 64, LENET, TrainConfig(epochs=16, batch_size=32, optimizer="adam", lr=3e-3))
TIMING = {"seconds", "images_per_s", "elapsed", "eta"}  # differ between any two runs
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local Ray instance for the module; yields the data folder its tasks generate datasets in."""
    # 3 logical CPUs, one of them feeding a GPU that Ray announces (whether or not one is there)
    connect("local", num_cpus=3, num_gpus=1, object_store_memory=200 * 2**20)
    try:
        yield str(tmp_path_factory.mktemp("ray-data"))
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> dict[str, torch.Tensor]:
    """The weights of RESUMED trained here without interruption, on one thread."""
    root = tmp_path_factory.mktemp("straight")
    with torch_threads(1), pytest.MonkeyPatch.context() as mp:
        mp.setenv("CNNVIZ_DATA", str(root / "data"))
        run_job(RESUMED, root=root)(JobContext("straight"))
    return load_checkpoint(root / "straight" / "model.safetensors")[0].state_dict()


@contextlib.contextmanager
def dispatching(queue: Queue, data: str) -> Iterator[RayDispatcher]:
    """A Ray dispatcher for ``queue``'s store in a thread, stopped (runs handed back) at the end."""
    dispatcher = RayDispatcher(queue.store, data=data)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            dispatcher.run()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    thread = threading.Thread(target=work, name="test-ray-dispatcher", daemon=True)
    thread.start()
    try:
        yield dispatcher
    finally:
        dispatcher.stop()
        thread.join(TIMEOUT)
    assert not thread.is_alive() and not errors, errors


def _done(queue: Queue, job_id: str, state: str = "done"):
    view = queue.wait(job_id, timeout=TIMEOUT)
    assert view.state == state, (view.state, view.error_key, view.error_args)
    return view


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {TIMEOUT} s")


def _resumable(folder: Path, epoch: int = 1) -> bool:
    state = load_resume(folder)
    return state is not None and state.epoch >= epoch


def _untimed(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in TIMING} for r in records]


def _assert_same_run(ray_dir: Path, local_dir: Path) -> None:
    """Same files; the same spec; every tensor bitwise equal; the same history but for timings."""
    names = sorted(p.name for p in ray_dir.iterdir())
    assert names == sorted(p.name for p in local_dir.iterdir())
    assert (ray_dir / "spec.json").read_bytes() == (local_dir / "spec.json").read_bytes()
    for name in (n for n in names if n.endswith(".safetensors")):
        ours, theirs = (safetensors.torch.load((d / name).read_bytes()) for d in (ray_dir, local_dir))
        assert ours.keys() == theirs.keys(), name
        for key in ours:
            assert torch.equal(ours[key], theirs[key]), (name, key)
    (_, ours), (_, theirs) = (load_checkpoint(d / "model.safetensors") for d in (ray_dir, local_dir))
    assert _untimed(ours.history) == _untimed(theirs.history) and ours.metrics == theirs.metrics
    assert _untimed(load_resume(ray_dir).history) == _untimed(load_resume(local_dir).history)
    status = [json.loads((d / "status.json").read_text())["state"] for d in (ray_dir, local_dir)]
    assert status == ["done", "done"]


# --- a run on Ray is the run a local worker makes ---------------------------------------------------

def test_a_ray_run_leaves_the_files_and_progress_a_local_worker_leaves(
        cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    on_ray, local = Queue(tmp_path / "ray", start=False), Queue(tmp_path / "local")
    try:
        ray_job, local_job = on_ray.submit(TINY_RUN), local.submit(TINY_RUN)
        with dispatching(on_ray, cluster):
            ray_view = _done(on_ray, ray_job)
        local_view = _done(local, local_job)
    finally:
        local.stop()
    _assert_same_run(run_dir(ray_job, on_ray.runs), run_dir(local_job, local.runs))
    ours, theirs = ray_view.progress, local_view.progress
    assert ours.keys() == theirs.keys() and ours["stopped"] == "done" and ours["saved_epoch"] == 2
    assert _untimed(ours["history"]) == _untimed(theirs["history"])
    assert {k: v for k, v in ours.items() if k not in TIMING | {"history"}} == {
        k: v for k, v in theirs.items() if k not in TIMING | {"history"}}  # filters, gradients, loss...
    assert ray_view.attempts == 1 and ray_view.started <= ray_view.finished


def test_progress_and_finished_epochs_arrive_while_it_runs_and_stop_cancels_it(
        cluster: str, tmp_path: Path) -> None:
    queue = Queue(tmp_path / "runs", start=False)
    job = queue.submit(LONG)
    model = run_dir(job, queue.runs) / "model.safetensors"
    with dispatching(queue, cluster):
        queue.wait(job, until=lambda v: v.state == "running" and len(v.progress.get("history", [])) >= 1
                   and v.progress.get("step", 0) > 0 and v.progress["filters"] is not None)
        _until(lambda: model.exists() and len(read_info(model).history) >= 1, "an epoch in the run folder")
        assert queue.store.view(job).state == "running"  # both arrived while it trained
        assert queue.store.cancel(job, owner="student")
        view = _done(queue, job, "cancelled")
    saved = len(view.progress["history"])
    assert view.progress["stopped"] == "cancelled" and 1 <= saved < LONG.train.epochs
    assert len(read_info(model).history) == saved  # the folder holds the last epoch it sent
    assert len(load_filters(job, queue.runs)) == saved + 1
    assert json.loads((model.parent / "status.json").read_text())["state"] == "cancelled"


def test_runs_start_while_the_cluster_has_room_and_the_rest_wait_in_the_queue(
        cluster: str, tmp_path: Path) -> None:
    queue = Queue(tmp_path / "runs", start=False)
    first, second, third = (queue.submit(LONG) for _ in range(3))
    with dispatching(queue, cluster):
        for job in (first, second):  # 3 CPUs, 1 kept for the GPU, 1 per run: two train at once
            queue.wait(job, until=lambda v: v.state == "running" and v.progress.get("step", 0) > 0)
        view = queue.store.view(third)
        assert (view.state, view.position) == ("queued", 1)  # the dispatcher kept it in the queue
        assert sorted(w["device"] for w in queue.store.live_workers()) == ["cpu", "cuda"]
        queue.store.cancel(first)
        _done(queue, first, "cancelled")
        queue.wait(third, until=lambda v: v.state == "running")  # it takes the freed place
        for job in (second, third):
            queue.store.cancel(job)
            _done(queue, job, "cancelled")
    assert queue.store.live_workers() == []


# --- resuming: the dispatcher stops, or a task is lost -----------------------------------------------

def _assert_resumed(view, folder: Path, straight: dict[str, torch.Tensor]) -> None:
    assert view.attempts == 2 and view.progress["resumed_at"] >= 1  # it did not start again
    assert [r["epoch"] for r in view.progress["history"]] == list(range(1, RESUMED.train.epochs + 1))
    resumed = load_checkpoint(folder / "model.safetensors")[0].state_dict()
    for name, tensor in straight.items():
        assert torch.equal(tensor, resumed[name]), name
    assert len(load_filters(folder.name, folder.parent)) == RESUMED.train.epochs + 1


def test_a_dispatcher_stopped_by_sigterm_hands_its_run_back_and_ray_resumes_it(
        cluster: str, tmp_path: Path, straight: dict[str, torch.Tensor]) -> None:
    queue = Queue(tmp_path / "runs", start=False)
    job = queue.submit(RESUMED)
    folder = run_dir(job, queue.runs)
    address = ray.get_runtime_context().gcs_address  # a second driver on this test's Ray instance
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "cnnviz.train.worker", "--backend", "ray", "--address", address,
                             "--runs", str(queue.runs), "--threads", "1", "--data", cluster], env=env,
                            stderr=subprocess.DEVNULL)
    try:
        _until(lambda: proc.poll() is not None or _resumable(folder), "a resume point from the CLI's run")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(TIMEOUT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    view = queue.store.view(job)
    assert (view.state, view.attempts) == ("queued", 1)  # handed back, not cancelled or failed
    assert queue.store.live_workers() == []  # it said goodbye
    with dispatching(queue, cluster):
        view = _done(queue, job)
    _assert_resumed(view, folder, straight)


def test_a_task_lost_while_the_dispatcher_lives_is_queued_again_and_resumes(
        cluster: str, tmp_path: Path, straight: dict[str, torch.Tensor]) -> None:
    queue = Queue(tmp_path / "runs", start=False)
    job = queue.submit(RESUMED)
    folder = run_dir(job, queue.runs)
    with dispatching(queue, cluster):
        _until(lambda: _resumable(folder) and queue.store.view(job).state == "running", "a resume point")
        pid = json.loads((folder / "status.json").read_text())["pid"]  # the Ray worker training it
        assert pid != os.getpid()
        os.kill(pid, signal.SIGKILL)  # as when a machine of the cluster goes away
        view = _done(queue, job)
    _assert_resumed(view, folder, straight)


# --- failures ------------------------------------------------------------------------------------------

def test_a_failing_remote_run_becomes_a_failed_job_with_a_message(cluster: str, tmp_path: Path) -> None:
    queue = Queue(tmp_path / "runs", start=False)
    broken = queue.store.submit({**TINY_RUN.to_dict(), "dataset": "no-such-set"}, owner="s", title="")
    after = queue.submit(TINY_RUN)
    RayDispatcher(queue.store, data=cluster).run(once=True)  # returns when nothing is left to do
    view = queue.store.view(broken)
    assert (view.state, view.error_key, view.error_args) == ("failed", "job_failed", {"kind": "ValueError"})
    text = english(view.error_key, view.error_args)
    assert "ValueError" in text and "no-such-set" not in text  # exception texts stay in the log
    assert queue.store.view(after).state == "done"  # the next run still ran


def test_a_gpu_run_goes_to_a_task_that_holds_the_gpu(cluster: str, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    queue = Queue(tmp_path / "runs", start=False)
    job = queue.store.submit(TINY_RUN.to_dict(), owner="s", title="", device="cuda")
    with caplog.at_level("INFO", logger="cnnviz.train.rayjobs"):
        RayDispatcher(queue.store, data=cluster).run(once=True)
    view = queue.store.view(job)
    if torch.cuda.is_available():  # the announced GPU is real
        assert view.state == "done", (view.error_key, view.error_args)
    else:  # it tried CUDA where there is none: a failed job with a message, not a crash
        assert (view.state, view.error_key) == ("failed", "job_failed")
    ended = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"run {job} ")]
    assert ended[-1].endswith("GPUs ['0']")  # Ray gave the task the GPU


@pytest.mark.parametrize("exc,attempt,expected", [
    (ray.exceptions.RayTaskError("train_remote", "Traceback ...", OSError(28, "No space left", "/srv/x")), 1,
     ("failed", ("job_storage", {}))),
    (ray.exceptions.RayTaskError("train_remote", "Traceback ...", torch.cuda.OutOfMemoryError("CUDA out of "
                                                                                              "memory")), 1,
     ("failed", ("job_oom_gpu", {"device": "cuda:0"}))),
    (ray.exceptions.OutOfMemoryError("Task was killed due to the node running low on memory"), 1,
     ("failed", ("job_oom_cpu", {}))),
    (ray.exceptions.WorkerCrashedError(), 1, ("queued", None)),
    (ray.exceptions.NodeDiedError("the node died"), MAX_ATTEMPTS - 1, ("queued", None)),
    (ray.exceptions.NodeDiedError("the node died"), MAX_ATTEMPTS,
     ("failed", ("job_worker_lost", {"attempts": MAX_ATTEMPTS}))),
])
def test_what_a_task_that_raised_means_for_its_job(exc: BaseException, attempt: int, expected) -> None:
    result = task_error(exc, "cuda:0", attempt)
    assert (result["state"], result["error"]) == expected


def test_capacity_and_the_jobs_setting() -> None:
    assert capacity({"CPU": 16.0, "GPU": 2.0}, 1, 2) == {"cpu": 12, "cuda": 4}
    assert capacity({"CPU": 2.0}, 1, 1) == {"cpu": 2, "cuda": 0}
    assert capacity({"CPU": 7.0}, 2, 1) == {"cpu": 3, "cuda": 0}
    assert capacity({"CPU": 1.0, "GPU": 1.0}, 1, 1) == {"cpu": 0, "cuda": 1}  # the CPU feeds the GPU
    with pytest.raises(ValueError):
        capacity({"CPU": 2.0}, 0, 1)
    assert [jobs_backend({"CNNVIZ_JOBS": v}) for v in ("", "local", "ray", "ray:local", "ray://h:10001")] == [
        None, None, "auto", "local", "ray://h:10001"]
    assert jobs_backend({}) is None
    for bad in ("celery", "ray://", "rayx"):
        with pytest.raises(ValueError):
            jobs_backend({"CNNVIZ_JOBS": bad})


def test_the_worker_command_still_refuses_what_it_does_not_know() -> None:
    from cnnviz.train.worker import main

    with pytest.raises(SystemExit) as exit_:
        main(["--device", "cpu", "--data", "/srv/data"])  # --data belongs to --backend ray only
    assert exit_.value.code == 2
