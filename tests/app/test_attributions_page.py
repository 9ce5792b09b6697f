"""The Attributions page: maps against Captum, target/method/layer switches and their URL state,
bad links, occlusion settings, the Grad-CAM row, the randomisation sanity check and the scores
(deletion, insertion, cascading randomisation) against cnnviz.explain.scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam
from streamlit.testing.v1 import AppTest

from cnnviz.explain.attribution import METHODS
from cnnviz.explain.scores import random_order_curves, score
from cnnviz.ui.attributions_page import occlusion_evals
from tests.app.test_inspect_page import chart, lenet_input, ok

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def run(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page("pages/attributions.py")
    at.run()
    ok(at)
    return at


def captions(at: AppTest) -> dict[str, str]:
    """The text under each map, by method label (the part before the first " · ")."""
    out = {}
    for m in at.markdown:
        if m.value.startswith("**") and "peak |value|" in m.value:
            out[m.value.split("**")[1]] = m.value
    return out


def peak(text: str) -> str:
    return text.split("peak |value| ")[1].split(" ")[0]


def gradcam_reference(digit: int, target: int) -> float:
    model, x = lenet_input(digit)
    cam = LayerGradCam(model, model.conv2).attribute(x, target=target, relu_attributions=True)
    cam = LayerAttribution.interpolate(cam, (28, 28), interpolate_mode="bilinear")
    return float(cam.detach().abs().max())


def test_defaults_explain_the_prediction_like_captum() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "hw:3"})
    assert at.selectbox(key="attr_target").value == "pred"
    assert any("class “3”" in h.value for h in at.subheader)
    found = captions(at)
    assert set(found) == {"Grad-CAM", "Integrated Gradients", "Occlusion"}
    assert peak(found["Grad-CAM"]) == f"{gradcam_reference(3, 3):.3g}"
    model, x = lenet_input(3)
    attr, delta = IntegratedGradients(model).attribute(x, baselines=torch.zeros_like(x), target=3, n_steps=50,
                                                       return_convergence_delta=True)
    assert peak(found["Integrated Gradients"]) == f"{float(attr.abs().max()):.3g}"
    shown = float(found["Integrated Gradients"].split("convergence Δ ")[1])
    assert abs(shown - float(delta)) <= 0.02 * abs(float(delta)) + 1e-6
    assert dict(at.query_params) | {"lang": "en"} == {
        "model": "shipped:lenet5_digits", "image": "hw:3", "target": "pred", "methods": "gradcam,ig,occlusion",
        "layer": "conv2", "lang": "en"}


def test_another_target_class_changes_the_maps() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "hw:3"})
    at.selectbox(key="attr_target").set_value(8).run()
    ok(at)
    assert any("class “8”" in h.value for h in at.subheader)
    assert peak(captions(at)["Grad-CAM"]) == f"{gradcam_reference(3, 8):.3g}"
    assert at.query_params["target"] == "8"


def test_every_method_runs_and_the_url_keeps_them() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "gen:5"})
    at.multiselect(key="attr_methods").set_value(list(METHODS)).run()
    ok(at)
    assert not at.error
    assert set(captions(at)) == {spec.label for spec in METHODS.values()}
    assert at.query_params["methods"] == ",".join(METHODS)
    assert sum("convergence Δ" in c for c in captions(at).values()) == 3  # IG, layer IG, conductance


def test_link_sets_methods_target_and_layer() -> None:
    at = run({"model": "shipped:lenet5_digits", "methods": "saliency,gradcam", "target": "7", "layer": "conv1"})
    assert at.multiselect(key="attr_methods").value == ["saliency", "gradcam"]
    assert at.selectbox(key="attr_target").value == 7
    assert at.selectbox(key="attr_layer").value == "conv1"
    assert captions(at)["Grad-CAM"].startswith("**Grad-CAM** · conv1")


def test_bad_link_values_warn_and_fall_back() -> None:
    at = run({"model": "shipped:lenet5_digits", "methods": "ig,bogus", "target": "99", "layer": "fc9"})
    text = " ".join(w.value for w in at.warning)
    assert "methods=bogus" in text and "target=99" in text and "layer=fc9" in text
    assert at.multiselect(key="attr_methods").value == ["ig"]
    assert at.selectbox(key="attr_target").value == "pred"
    assert at.selectbox(key="attr_layer").value == "conv2"


def test_occlusion_window_and_stride() -> None:
    at = run({"model": "shipped:lenet5_digits", "methods": "occlusion"})
    assert (at.slider(key="attr_window").value, at.slider(key="attr_stride").value) == (4, 2)
    at.slider(key="attr_window").set_value(8).run()
    at.slider(key="attr_stride").set_value(5).run()
    ok(at)
    assert any(f"on {occlusion_evals(28, 8, 5)} copies" in c.value for c in at.caption)
    at.slider(key="attr_window").set_value(3).run()  # the stride may not exceed the window
    ok(at)
    assert at.slider(key="attr_stride").value == 3
    assert "Occlusion" in captions(at)


def test_gradcam_row_and_sanity_check_on_tinyvgg() -> None:
    at = run({"model": "shipped:tinyvgg_shapes", "image": "shape:0", "methods": "gradcam,saliency"})
    row = [c.value for c in at.caption if c.value in ("conv1_1", "conv1_2", "conv2_1", "conv2_2")]
    assert row == ["conv1_1", "conv1_2", "conv2_1", "conv2_2"]
    at.toggle(key="attr_sanity").set_value(True).run()
    ok(at)
    assert any("Adebayo" in m.value for m in at.markdown)
    corr = [m.value for m in at.markdown if "rank correlation" in m.value]
    assert len(corr) == 2
    for text in corr:  # a number, or undefined where a random map came out constant
        assert text.endswith("(a map is constant)") or -1.0 <= float(text.rsplit(" ", 1)[1]) <= 1.0


def test_no_method_chosen() -> None:
    at = run({"model": "shipped:lenet5_digits"})
    at.multiselect(key="attr_methods").set_value([]).run()
    ok(at)
    assert any("at least one method" in i.value for i in at.info)


def test_the_model_chosen_on_inspect_carries_over() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/inspect.py").run()
    at.selectbox(key="insp_model").set_value("shipped:tinyvgg_shapes").run()
    at.switch_page("pages/attributions.py").run()
    ok(at)
    assert at.selectbox(key="attr_model").value == "shipped:tinyvgg_shapes"
    assert at.selectbox(key="attr_image").value == "shape:3"


def test_vietnamese() -> None:
    # Only read: AppTest formats option labels outside the script run, in English, so changing a
    # widget of a Vietnamese page fails inside AppTest (not in the app).
    at = run({"model": "shipped:lenet5_digits", "lang": "vi", "methods": "saliency"})
    assert any(h.value.startswith("Giải thích cho nhãn") for h in at.subheader)
    assert any("|giá trị| lớn nhất" in m.value for m in at.markdown)


@pytest.mark.slow
def test_too_many_occlusion_windows_are_refused() -> None:
    at = run({"model": "shipped:lenet5_digits", "methods": "occlusion,saliency"})
    at.slider(key="attr_window").set_value(1).run()
    ok(at)
    assert at.slider(key="attr_stride").value == 1
    # 28 x 28 = 784 windows of one pixel: allowed on a small input.
    assert "Occlusion" in captions(at)
    at2 = run({"model": "imagenet:alexnet", "methods": "occlusion", "image": "pattern:circles"})
    at2.slider(key="attr_window").set_value(2).run()
    at2.slider(key="attr_stride").set_value(2).run()
    ok(at2)
    assert any("Occlusion would need 12544 forward passes" in e.value for e in at2.error)
    assert "Occlusion" not in captions(at2)


# --- scores: deletion, insertion, model randomisation ---------------------------------------------


def score_blocks(at: AppTest) -> dict[str, str]:
    """The scores under each map, by method label: each block follows its map's caption."""
    out, label = {}, None
    for m in at.markdown:
        if m.value.startswith("**") and "peak |value|" in m.value:
            label = m.value.split("**")[1]
        elif m.value.startswith("Deletion AUC") and label is not None:
            out[label] = m.value
    return out


def shown(block: str) -> tuple[str, str, str]:
    """(deletion AUC, insertion AUC, rho) as written: the bold numbers of the three lines."""
    d, i, r = block.split("  \n")
    return d.split("**")[1], i.split("**")[1], r.split("**")[1] if "**" in r else "undefined"


def expected(s) -> tuple[str, str, str]:  # noqa: ANN001 - a cnnviz.explain.scores.Scores
    rho = s.randomisation.last
    return f"{s.deletion.auc:.2f}", f"{s.insertion.auc:.2f}", "undefined" if rho != rho else f"{rho:.2f}"


def shapes_input(cls: int) -> tuple[torch.nn.Module, torch.Tensor]:
    """The shipped TinyVGG and the page's picture shape:<cls>, prepared as the page does."""
    from cnnviz.data.datasets import make_shapes
    from cnnviz.imaging.preprocess import preprocess
    from cnnviz.models import zoo
    from cnnviz.ui.image_source import SAMPLE_SEED

    model, info = zoo.load("shipped:tinyvgg_shapes")
    x, y = make_shapes(40, SAMPLE_SEED)
    img = np.transpose(np.asarray(x[int(np.flatnonzero(np.asarray(y) == cls)[0])]), (1, 2, 0))
    return model, preprocess(img, info.in_shape, info.mean, info.std).x


def test_scores_under_each_map_are_the_library_numbers() -> None:
    at = run({"model": "shipped:lenet5_digits", "image": "hw:3"})
    assert at.toggle(key="attr_scores").value is True
    blocks = score_blocks(at)
    assert set(blocks) == {"Grad-CAM", "Integrated Gradients", "Occlusion"}
    model, x = lenet_input(3)
    settings = {"gradcam": ("conv2", {}), "ig": (None, {"n_steps": 50}),
                "occlusion": (None, {"window": 4, "stride": 2})}
    for method, (layer, params) in settings.items():
        want = score(model, x, method, 3, layer, **params)
        assert shown(blocks[METHODS[method].label]) == expected(want)
    assert "lower is better" in blocks["Occlusion"] and "higher is better" in blocks["Occlusion"]
    note = next(c.value for c in at.caption if c.value.startswith("How the scores are made"))
    rand_del, rand_ins = random_order_curves(model, x, 3)
    assert f"deletion AUC {rand_del.auc:.2f}, insertion AUC {rand_ins.auc:.2f}" in note
    assert "|value|" in note and "mean colour" in note and "blurred copy" in note


def test_sanity_check_curves_are_the_library_curves() -> None:
    at = run({"model": "shipped:tinyvgg_shapes", "image": "shape:0", "methods": "gradcam,saliency"})
    at.toggle(key="attr_sanity").set_value(True).run()
    ok(at)
    model, x = shapes_input(0)
    target = int(model(x).argmax())
    want = {METHODS[m].label: score(model, x, m, target, "conv2_2" if m == "gradcam" else None)
            for m in ("gradcam", "saliency")}
    rand = chart(at, "attr_rand_chart")["data"]
    assert [tr["name"] for tr in rand] == list(want)
    for tr in rand:
        s = want[tr["name"]]
        assert tr["x"] == ["none (trained)", "fc", "conv2_2", "conv2_1", "conv1_2", "conv1_1"]
        assert tr["y"][0] == 1.0
        np.testing.assert_allclose([np.nan if v is None else v for v in tr["y"][1:]],
                                   s.randomisation.correlations, rtol=1e-6)  # float32 maps: sums vary with thread order
    # The last point is the random twin drawn above: the same number under its pair of maps.
    twin = {m.value.split("**")[1]: m.value for m in at.markdown if "rank correlation" in m.value}
    for label, s in want.items():
        assert (expected(s)[2] == "undefined") == twin[label].endswith("(a map is constant)")
        if expected(s)[2] != "undefined":
            assert twin[label].endswith(f"rank correlation {expected(s)[2]}")
    curves = chart(at, "attr_curves_chart")["data"]
    assert [tr["name"] for tr in curves[::2]] == [*want, "random order"]
    for label, s in want.items():
        dele, ins = (tr for tr in curves if tr["name"] == label)
        np.testing.assert_allclose(dele["y"], s.deletion.probs, rtol=1e-6)
        np.testing.assert_allclose(ins["y"], s.insertion.probs, rtol=1e-6)


def test_scores_switch_off_shows_no_scores() -> None:
    at = run({"model": "shipped:lenet5_digits", "methods": "saliency"})
    at.toggle(key="attr_scores").set_value(False).run()
    at.toggle(key="attr_sanity").set_value(True).run()
    ok(at)
    assert score_blocks(at) == {} and "Saliency" in captions(at)
    assert not any(c.value.startswith("How the scores are made") for c in at.caption)
    assert [el for el in at.get("plotly_chart") if "attr_rand_chart" in el.proto.id] == []


def test_scores_refused_for_a_big_model_on_the_cpu() -> None:
    at = run({"model": "imagenet:alexnet", "methods": "saliency", "image": "pattern:circles"})
    assert any("only for pictures up to 64×64" in i.value for i in at.info)
    assert score_blocks(at) == {} and "Saliency" in captions(at)


def test_scores_in_vietnamese() -> None:
    at = run({"model": "shipped:lenet5_digits", "lang": "vi", "methods": "saliency"})
    text = " ".join(m.value for m in at.markdown)
    assert "AUC khi xoá" in text and "AUC khi chèn" in text and "càng gần 0 càng tốt" in text
