"""The Train page through AppTest: settings and URL state, the ladder, running, queueing, finding runs."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from urllib.error import URLError

import pytest
from streamlit.testing.v1 import AppTest

from cnnviz.train import jobstore
from tests.app.conftest import no_exception, run_page
from tests.jobqueue import Queue

TINY = {"n_train": "200", "n_val": "100", "epochs": "1", "batch_size": "64"}
WAIT_S = 120


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Runs and data caches in a temporary folder, served by a worker of their own."""
    monkeypatch.setenv("CNNVIZ_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    yield tmp_path


@pytest.fixture
def queue(isolated: Path):
    q = Queue(isolated / "runs")
    yield q
    q.stop()


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
             for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def start(params: dict[str, str]) -> tuple[AppTest, str]:
    at = run_page("pages/train.py", params)
    no_exception(at)
    at.button(key="tr_start_btn").click().run()
    no_exception(at)
    return at, at.session_state["tr_run"]


def test_defaults_show_lenet5_and_no_run() -> None:
    at = run_page("pages/train.py")
    no_exception(at)
    assert at.selectbox(key="tr_arch").value == "lenet5"
    assert at.selectbox(key="tr_dataset").value == "digits"
    assert "61,706 trainable parameters" in texts(at)  # LeNet-5 on 28x28x1
    assert "No run yet" in texts(at)
    assert at.query_params["arch"] == "lenet5" and at.query_params["lr"] == "0.003"


def test_url_sets_the_widgets_and_bad_values_warn() -> None:
    at = run_page("pages/train.py", {"dataset": "shapes", "arch": "vgg", "depth": "2", "lr": "0.01",
                                     "batchnorm": "1", "epochs": "banana", "optimizer": "lion",
                                     "n_train": "99999999"})
    no_exception(at)
    assert at.selectbox(key="tr_dataset").value == "shapes"
    assert at.selectbox(key="tr_arch").value == "vgg"
    assert at.slider(key="tr_depth").value == 2
    assert at.select_slider(key="tr_lr").value == 0.01
    assert at.toggle(key="tr_batchnorm").value is True
    assert at.slider(key="tr_epochs").value == 3 and at.selectbox(key="tr_optimizer").value == "adam"
    warnings = " ".join(w.value for w in at.warning)
    assert "epochs=banana" in warnings and "optimizer=lion" in warnings and "n_train=99999999" in warnings


def test_ladder_rung_sets_a_deep_sigmoid_cnn_and_explains_why() -> None:
    at = run_page("pages/train.py")
    at.selectbox(key="tr_rung").select("sigmoid").run()
    no_exception(at)
    assert at.selectbox(key="tr_dataset").value == "shapes"
    assert at.selectbox(key="tr_activation").value == "sigmoid"
    assert at.selectbox(key="tr_arch").value == "vgg" and at.toggle(key="tr_normalize").value is False
    assert "vanishing gradients" in " ".join(i.value for i in at.info)
    assert at.query_params["rung"] == "sigmoid"
    at.selectbox(key="tr_activation").select("relu").run()  # touching a setting leaves the ladder
    assert at.selectbox(key="tr_rung").value == "custom"


def test_a_run_trains_saves_and_offers_the_download(queue: Queue) -> None:
    at, run_id = start(TINY)
    view = queue.wait(run_id, timeout=WAIT_S)
    assert view.state == "done", view
    at.run()
    no_exception(at)
    assert "Finished." in texts(at)
    assert at.query_params["run"] == run_id
    # curves, the last gradient size of every layer, the first-layer filters
    assert [c.key for c in at.get("plotly_chart")] == ["tr_curves", "tr_grads", "tr_filters_fig"]
    assert [b.label for b in at.get("download_button")] == ["Download the model (.safetensors)"]
    assert at.session_state["my_runs"] == [run_id]


def test_a_closed_session_finds_its_run_again(queue: Queue, isolated: Path) -> None:
    _, run_id = start(TINY)
    assert queue.wait(run_id, timeout=WAIT_S).state == "done"
    at = run_page("pages/train.py", {"run": run_id})  # a new session, after the server restarted
    no_exception(at)
    assert "Finished." in texts(at)
    assert not at.button(key="tr_start_btn").disabled
    queue.stop()
    (isolated / "runs" / jobstore.DB_NAME).unlink()  # even without the queue's record: the files
    jobstore._STORES.clear()
    at = run_page("pages/train.py", {"run": run_id})
    no_exception(at)
    assert "A finished run: 1 of 1 epochs, all saved." in texts(at)
    assert [c.key for c in at.get("plotly_chart")] == ["tr_curves", "tr_filters_fig"]


def test_second_run_waits_in_the_queue_while_the_first_trains(queue: Queue) -> None:
    _, first = start({**TINY, "n_train": "4000", "epochs": "20"})
    queue.wait(first, until=lambda v: v.state == "running")
    at, second = start(TINY)
    assert queue.store.view(second).state == "queued"
    assert "Waiting in the queue: position 1" in texts(at)
    queue.store.cancel(first)
    assert queue.wait(second, timeout=WAIT_S).state == "done"
    assert queue.store.view(first).state == "cancelled"


@pytest.mark.parametrize("run", ["../../etc", "x" * 65])
def test_bad_run_links_warn(run: str) -> None:
    at = run_page("pages/train.py", {"run": run})
    no_exception(at)
    assert "run=" in " ".join(w.value for w in at.warning)


def test_unknown_run_says_it_was_not_found() -> None:
    at = run_page("pages/train.py", {"run": "abcdef"})
    no_exception(at)
    assert "Run `abcdef` was not found" in texts(at)


def test_offline_download_fails_with_the_folder_named(isolated: Path, queue: Queue,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # What urlopen raises when no name resolves; patched so the test never waits on a network.
    def offline(*args: object, **kwargs: object) -> None:
        raise URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    at, run_id = start({**TINY, "dataset": "mnist"})
    assert queue.wait(run_id, timeout=WAIT_S).state == "failed"
    at.run()
    errors = " ".join(e.value for e in at.error)
    assert "The mnist dataset could not be downloaded" in errors
    assert str(isolated / "data") in errors


@pytest.mark.parametrize("broken", ["not_a_folder", "read_only"])
def test_an_unwritable_runs_folder_is_explained_without_server_paths(
        isolated: Path, monkeypatch: pytest.MonkeyPatch, broken: str) -> None:
    runs = isolated / "srv-runs"
    if broken == "not_a_folder":
        runs.write_text("a file where the runs folder should be")
    else:
        runs.mkdir()
        runs.chmod(0o500)
        if os.access(runs, os.W_OK):  # root ignores permissions: a file in the way instead
            runs.chmod(0o700)
            runs.rmdir()
            runs.write_text("x")
    monkeypatch.setenv("CNNVIZ_RUNS", str(runs))
    at = run_page("pages/train.py", TINY)
    no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "cannot keep training runs" in errors and "runs folder cannot be written" in errors
    assert str(isolated) not in texts(at) and "Error" not in errors
    assert not at.get("button") or all(b.key != "tr_start_btn" for b in at.button)


def test_a_run_that_cannot_save_says_so_without_server_paths(queue: Queue, monkeypatch) -> None:
    monkeypatch.setattr("cnnviz.train.runs.save_checkpoint",
                        lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left", "/srv/runs/x")))
    at, run_id = start(TINY)
    assert queue.wait(run_id, timeout=WAIT_S).state == "failed"
    at.run()
    no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "could not save its files" in errors and "/srv" not in texts(at)


def test_too_many_handwritten_images_are_explained_before_starting() -> None:
    at = run_page("pages/train.py", {"dataset": "handwritten", "n_train": "4000", "n_val": "1000"})
    no_exception(at)
    assert "1797 images in all" in " ".join(e.value for e in at.error)
    assert not at.get("button") or all(b.key != "tr_start_btn" for b in at.button)
    at.slider(key="tr_n_train").set_value(1200).run()
    at.slider(key="tr_n_val").set_value(500).run()
    assert not at.error and at.button(key="tr_start_btn")


def test_a_link_naming_only_a_rung_gets_its_settings() -> None:
    at = run_page("pages/train.py", {"rung": "batchnorm", "epochs": "2"})
    no_exception(at)
    assert at.selectbox(key="tr_rung").value == "batchnorm"
    assert at.selectbox(key="tr_dataset").value == "shapes" and at.selectbox(key="tr_arch").value == "vgg"
    assert at.toggle(key="tr_batchnorm").value is True and at.toggle(key="tr_normalize").value is True
    assert at.slider(key="tr_epochs").value == 2  # a field the link names wins over the rung


# --- transfer learning, the panel that follows its run, export ------------------------------------

def _chart(at: AppTest, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.key == key).proto.spec)


def test_choosing_a_model_to_start_from_takes_its_architecture() -> None:
    at = run_page("pages/train.py", {"dataset": "shapes", "arch": "vgg", "activation": "sigmoid"})
    at.selectbox(key="tr_init_from").select("shipped:lenet5_digits").run()
    no_exception(at)
    assert at.selectbox(key="tr_arch").value == "lenet5" and at.selectbox(key="tr_activation").value == "relu"
    assert at.selectbox(key="tr_dataset").value == "digits"  # shapes' colour images do not fit LeNet-5's input
    assert at.query_params["init_from"] == "shipped:lenet5_digits"
    at.radio(key="tr_freeze").set_value("features").run()
    assert "59,134 of 61,706 parameters train (2,572 frozen)" in texts(at)  # conv1 156 + conv2 2,416
    assert at.button(key="tr_start_pair_btn") and not at.button(key="tr_start_btn").disabled


def test_a_model_that_does_not_fit_is_explained_and_not_started() -> None:
    at = run_page("pages/train.py", {"init_from": "shipped:lenet5_digits", "activation": "tanh"})
    no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "cannot start from the chosen model" in errors and "learned with ReLU activations" in errors
    assert not at.get("button") or all(b.key != "tr_start_btn" for b in at.button)


@pytest.mark.parametrize("value", ["run:nosuchrun", "shipped:nope", "../x"])
def test_a_link_to_a_model_that_is_not_offered_warns_and_trains_from_scratch(value: str) -> None:
    at = run_page("pages/train.py", {"init_from": value})
    no_exception(at)
    assert "init_from=" in " ".join(w.value for w in at.warning)
    assert at.selectbox(key="tr_init_from").value == "" and "init_from" not in at.query_params


def test_the_example_fine_tunes_lenet5_against_training_from_scratch(queue: Queue) -> None:
    at = run_page("pages/train.py")
    at.button(key="tr_example_btn").click().run()
    assert at.selectbox(key="tr_dataset").value == "handwritten" and at.slider(key="tr_n_train").value == 300
    assert at.radio(key="tr_freeze").value == "features" and at.toggle(key="tr_new_head").value is True
    at.slider(key="tr_epochs").set_value(1).run()
    at.button(key="tr_start_pair_btn").click().run()
    no_exception(at)
    tuned, scratch = at.session_state["tr_run"], at.session_state["tr_compare"][0]
    assert at.session_state["my_runs"] == [tuned, scratch]
    specs = {r: queue.store.spec(r) for r in (tuned, scratch)}
    assert (specs[tuned]["init_from"], specs[scratch]["init_from"]) == ("shipped:lenet5_digits", "")
    assert {**specs[tuned], "init_from": "", "freeze": "none", "new_head": False, "title": ""} == \
        {**specs[scratch], "title": ""}  # nothing else differs
    for run in (tuned, scratch):
        assert queue.wait(run, timeout=WAIT_S).state == "done"
    at.run()
    names = {f"{t['legendgrouptitle']['text']} · {t['name']}" for t in _chart(at, "tr_curves")["data"]}
    assert {"LeNet-5 · ReLU · handwritten ← lenet5_digits · validation", "LeNet-5 · ReLU · handwritten · validation"} \
        <= names


def test_the_panel_follows_the_settings_and_overlays_the_gradient_bars(queue: Queue) -> None:
    at, first = start(TINY)
    assert queue.wait(first, timeout=WAIT_S).state == "done"
    at.run()
    assert "Finished." in texts(at)
    at.selectbox(key="tr_activation").select("sigmoid").run()  # another setting: not this run's "Finished"
    assert "Finished." not in texts(at) and "the settings on the left have changed" in texts(at)
    at.button(key="tr_start_btn").click().run()
    second = at.session_state["tr_run"]
    assert second != first and at.session_state["tr_compare"] == [first]
    assert queue.wait(second, timeout=WAIT_S).state == "done"
    at.run()
    no_exception(at)
    bars = [t for t in _chart(at, "tr_grads")["data"] if t["type"] == "bar"]
    assert [b["name"] for b in bars] == ["LeNet-5 · Sigmoid · digits", "LeNet-5 · ReLU · digits"]
    ratios = [c.value for c in at.caption if "first trained layer ÷ last layer" in c.value]
    assert len(ratios) == 2 and ratios[0].startswith("LeNet\\-5 · Sigmoid")


def test_start_waits_while_the_run_shown_trains_these_very_settings(queue: Queue) -> None:
    queue.stop()  # nothing trains: the run stays queued
    at, run_id = start(TINY)
    assert queue.store.view(run_id).state == "queued"
    assert at.button(key="tr_start_btn").disabled
    at.slider(key="tr_seed").set_value(1).run()
    assert not at.button(key="tr_start_btn").disabled  # other settings: another run may queue


def test_export_offers_the_script_for_these_settings_and_explains_a_refusal() -> None:
    at = run_page("pages/train.py", TINY)
    assert not at.get("download_button")  # behind a button: nothing is built on a plain visit
    at.button(key="tr_export_open").click().run()
    no_exception(at)
    assert [b.label for b in at.get("download_button")] == ["Download the script for these settings (.zip)"]
    big = run_page("pages/train.py", {"dataset": "shapes", "arch": "tinyvgg", "n_train": "60000", "epochs": "1"})
    big.button(key="tr_export_open").click().run()
    assert not big.get("download_button") and "too many to export" in texts(big)


def test_a_finished_run_of_the_student_can_be_the_start_of_the_next(queue: Queue) -> None:
    at, first = start(TINY)
    assert queue.wait(first, timeout=WAIT_S).state == "done"
    at.run()
    assert any(first in label for label in at.selectbox(key="tr_init_from").options)  # offered once finished
    at.selectbox(key="tr_init_from").select(f"run:{first}").run()
    at.radio(key="tr_freeze").set_value("all_but_head").run()
    at.button(key="tr_start_btn").click().run()
    no_exception(at)
    second = at.session_state["tr_run"]
    spec = queue.store.spec(second)
    assert (spec["init_from"], spec["freeze"], spec["title"]) == (f"run:{first}", "all_but_head",
                                                                  f"LeNet-5 · ReLU · digits ← {first}")
    assert queue.wait(second, timeout=WAIT_S).state == "done"
