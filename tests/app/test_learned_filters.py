"""The Filters page's learned part: a shipped model's kernels and similarity table, URL state, bad
links, and the hand-crafted vs random experiment run through the job manager."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cnnviz.models import zoo
from tests.jobqueue import Queue
from cnnviz.imaging.learned import best_matches, first_layer, grey_kernels
from cnnviz.ui.catalog import EN, VI
from cnnviz.ui.learned_page import KERNELS_PX
from tests.app.conftest import no_exception, run_page

SMALL = {"image": "checkerboard"}  # 256 px: keeps every run of the page short


def _table(at: AppTest):
    frames = [d.value for d in at.dataframe]
    assert len(frames) == 1
    return frames[0]


def _charts(at: AppTest) -> dict[str, dict]:
    return {el.proto.id.rsplit("-", 1)[-1]: json.loads(el.proto.spec) for el in at.get("plotly_chart")}


def _kernel_traces(at: AppTest) -> list[str]:
    specs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return [s["data"][0]["type"] for s in specs if s["layout"].get("height") == KERNELS_PX]


def test_shipped_model_kernels_and_similarity_table() -> None:
    at = run_page("pages/filters.py", {**SMALL, "lmodel": "shipped:lenet5_digits"})
    no_exception(at)
    assert at.selectbox(key="lrn_model").value == "shipped:lenet5_digits"
    assert at.query_params["lmodel"] == "shipped:lenet5_digits" and "lepoch" not in at.query_params
    assert _kernel_traces(at) == ["heatmap"]  # one grey mosaic for a 1-channel model
    table = _table(at)
    model, _ = zoo.load("shipped:lenet5_digits")
    layer = first_layer(model)
    expected = best_matches(grey_kernels(layer.weight, (0.318,)))  # the page's default sigma is 1
    assert list(table[EN["lrn_col_classic"]]) == [EN[f"flt_{m.classic}"] for m in expected]
    assert list(table[EN["lrn_col_learned"]]) == [f"#{m.index + 1}" for m in expected]
    assert list(table[EN["lrn_col_score"]]) == pytest.approx([m.score for m in expected])
    assert all(0 <= s <= 1 for s in table[EN["lrn_col_score"]])
    best = max(expected, key=lambda m: m.score)
    assert at.selectbox(key="lrn_pair").value == best.classic
    assert any(f"Similarity {best.score:.2f}" in c.value for c in at.caption)
    other = next(m for m in expected if m.classic != best.classic and f"{m.score:.2f}" != f"{best.score:.2f}")
    at.selectbox(key="lrn_pair").set_value(other.classic).run()  # (AppTest can only drive English pages)
    no_exception(at)
    assert any(f"Similarity {other.score:.2f}" in c.value for c in at.caption)


def test_colour_model_in_vietnamese() -> None:
    at = run_page("pages/filters.py", {**SMALL, "lmodel": "shipped:tinyvgg_shapes", "lang": "vi"})
    no_exception(at)
    assert any(h.value == VI["lrn_title"] for h in at.header)
    assert _kernel_traces(at) == ["heatmap", "heatmap", "heatmap", "image"]  # R, G, B and the colour view
    table = _table(at)
    assert list(table.columns) == [VI["lrn_col_classic"], VI["lrn_col_learned"], VI["lrn_col_sign"],
                                   VI["lrn_col_score"]]
    assert set(table[VI["lrn_col_sign"]]) <= {"+", "−"}


def test_bad_links_warn_and_fall_back() -> None:
    at = run_page("pages/filters.py", {**SMALL, "lmodel": "shipped:nope", "lepoch": "7"})
    no_exception(at)
    text = " ".join(w.value for w in at.warning)
    assert "lmodel=shipped:nope" in text and "lepoch=7" in text  # shipped models have no epochs
    assert at.selectbox(key="lrn_model").value in {e.key for e in zoo.available(run_ids=[])}
    assert at.query_params["lmodel"] != "shipped:nope"
    at = run_page("pages/filters.py", {**SMALL, "lmodel": "run:../../etc"})
    no_exception(at)
    assert any("lmodel=run:../../etc" in w.value for w in at.warning)


@pytest.fixture
def isolated_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CNNVIZ_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    yield tmp_path / "runs"


@pytest.fixture
def queue(isolated_runs: Path) -> Iterator[Queue]:
    q = Queue(isolated_runs)
    yield q
    q.stop()


def test_experiment_trains_both_runs_and_scrubs_epochs(isolated_runs: Path, queue: Queue) -> None:
    at = run_page("pages/filters.py", SMALL)
    at.select_slider(key="lrn_n_train").set_value(500)
    at.slider(key="lrn_epochs").set_value(1)
    at.button(key="lrn_start").click().run()
    no_exception(at)
    ids = at.session_state["lrn_exp"]
    assert set(ids) == {"hand", "random"} and at.session_state["my_runs"] == [ids["hand"], ids["random"]]
    for job_id in ids.values():
        view = queue.wait(job_id, timeout=120)
        assert view.state == "done", view.error_args
        assert (isolated_runs / job_id / "filters.safetensors").is_file()
    at.run()
    no_exception(at)
    assert sum(s.value == EN["tr_done_done"] for s in at.success) == 2
    curves = _charts(at)["lrn_curves"]
    assert {trace["name"].split(" · ")[0] for trace in curves["data"]} == {
        EN["lrn_exp_hand_frozen"], EN["lrn_exp_random"]}
    options = at.selectbox(key="lrn_model").options  # labels: "<title> (your run <id>)"
    assert any(EN["lrn_exp_random"] in o and ids["random"] in o for o in options)
    # The frozen hand-crafted layer: its first kernel is Sobel x at every epoch.
    at.selectbox(key="lrn_model").set_value(f"run:{ids['hand']}").run()
    assert at.slider(key="lrn_epoch").value == 1 and at.slider(key="lrn_epoch").max == 1
    at.slider(key="lrn_epoch").set_value(0).run()
    no_exception(at)
    assert at.query_params["lepoch"] == "0"
    sobel = _table(at).iloc[0]
    assert sobel[EN["lrn_col_learned"]] == "#1" and sobel[EN["lrn_col_score"]] == pytest.approx(1.0, abs=1e-5)
    # A link to that run and epoch opens it in a fresh session too.
    again = run_page("pages/filters.py", {**SMALL, "lmodel": f"run:{ids['hand']}", "lepoch": "0"})
    no_exception(again)
    assert not again.warning
    assert again.selectbox(key="lrn_model").value == f"run:{ids['hand']}"
    assert again.slider(key="lrn_epoch").value == 0


def test_a_damaged_run_file_is_reported_not_raised(isolated_runs: Path, queue: Queue) -> None:
    """A run whose header reads but whose weights hold a NaN: the loader refuses it, the page explains."""
    folder = isolated_runs / "broken_run"
    folder.mkdir(parents=True)
    data = bytearray((zoo.SHIPPED_FOLDER / "lenet5_digits.safetensors").read_bytes())
    data[-4:] = b"\x00\x00\xc0\x7f"  # the last float32 becomes NaN (little-endian)
    (folder / "model.safetensors").write_bytes(bytes(data))
    at = run_page("pages/filters.py", {**SMALL, "lmodel": "run:broken_run"})
    no_exception(at)
    assert at.selectbox(key="lrn_model").value == "run:broken_run" and not at.warning
    assert len(at.error) == 1 and "could not be loaded" in at.error[0].value
    assert "NaN" in at.error[0].value
    assert not at.dataframe  # nothing is drawn from a model that did not load


def test_queued_runs_show_their_position_and_can_be_stopped(isolated_runs: Path) -> None:
    """No worker free: both runs wait in line, and Stop cancels them both."""
    queue = Queue(isolated_runs, start=False)
    try:
        at = run_page("pages/filters.py", SMALL)
        at.select_slider(key="lrn_n_train").set_value(500)
        at.button(key="lrn_start").click().run()
        no_exception(at)
        assert [i.value for i in at.info if "queue" in i.value] == [
            EN["tr_queued"].format(position=1), EN["tr_queued"].format(position=2)]
        assert at.button(key="lrn_start").disabled  # no second pair while this one waits
        at.button(key="lrn_cancel").click().run()
        at.run()
        no_exception(at)
        assert [w.value for w in at.warning] == [EN["tr_no_worker"]] + [EN["tr_cancelled"]] * 2
        assert not at.button(key="lrn_start").disabled
        assert all(queue.store.view(i).state == "cancelled" for i in at.session_state["lrn_exp"].values())
    finally:
        queue.stop()
