"""The Convolution lab page: each control changes what it should; the URL restores and mirrors state."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest

from tests.app.conftest import no_exception, output_maps, run_page

COURSE_OUT = [["4", "3", "4"], ["2", "4", "3"], ["2", "3", "4"]]


def _expr(at: AppTest) -> str:
    return at.code[0].value


def _size(at: AppTest) -> tuple[int, int]:
    m = output_maps(at)[0]
    return len(m), len(m[0])


def test_default_view_is_the_course_example(conv: AppTest) -> None:
    assert output_maps(conv) == [COURSE_OUT]
    assert _expr(conv) == "1×1 + 1×0 + 1×1 + 0×0 + 1×1 + 1×0 + 0×1 + 0×0 + 1×1 = 4"
    assert any("= 3" in latex.value for latex in conv.latex)
    assert "nn.Conv2d(in_channels=1, out_channels=1, kernel_size=3" in conv.code[1].value


def test_next_and_back_step_through_the_cells(conv: AppTest) -> None:
    conv.button(key="conv_next").click().run()
    assert _expr(conv).endswith("= 3") and conv.query_params["step"] == "1"
    conv.button(key="conv_prev").click().run()
    conv.button(key="conv_prev").click().run()
    assert conv.query_params["step"] == "8"  # back from the first cell wraps to the last
    assert _expr(conv).endswith("= 4")


def test_stride_padding_dilation_change_the_output_size(conv: AppTest) -> None:
    conv.slider(key="lab_stride").set_value(2).run()
    assert _size(conv) == (2, 2) and conv.query_params["stride"] == "2"
    conv.selectbox(key="lab_padding").set_value(1).run()
    assert _size(conv) == (3, 3)
    conv.slider(key="lab_stride").set_value(1).run()
    conv.selectbox(key="lab_padding").set_value("same").run()
    assert _size(conv) == (5, 5)
    conv.selectbox(key="lab_padding").set_value(0).run()
    conv.slider(key="lab_dilation").set_value(2).run()
    assert _size(conv) == (1, 1)
    no_exception(conv)


def test_stride_that_does_not_fit_is_explained() -> None:
    at = run_page("pages/convolution.py", {"input": ";".join([",".join(["1"] * 7)] * 7), "stride": "3"})
    no_exception(at)
    assert _size(at) == (2, 2)
    assert any("2.33" in i.value for i in at.info)
    assert any("6" in w.value and "never covered" in w.value for w in at.warning)


def test_kernel_too_big_is_a_message_not_a_traceback(conv: AppTest) -> None:
    conv.slider(key="lab_dilation").set_value(3).run()
    no_exception(conv)
    assert any("no position where it fits" in e.value for e in conv.error)
    assert output_maps(conv) == []
    conv.selectbox(key="lab_padding").set_value(2).run()
    assert _size(conv) == (3, 3)


def test_same_padding_with_stride_is_refused_with_a_reason(conv: AppTest) -> None:
    conv.selectbox(key="lab_padding").set_value("same").run()
    conv.slider(key="lab_stride").set_value(2).run()
    no_exception(conv)
    assert any("stride 1" in e.value for e in conv.error)
    # no layer to write: PyTorch refuses it as well, and no empty formula heading is left
    with pytest.raises(ValueError, match="strided"):
        torch.nn.Conv2d(1, 1, 3, stride=2, padding="same")
    assert not any("nn.Conv2d" in c.value for c in conv.code)
    assert [h.value for h in conv.subheader if h.value.startswith(("Output size", "The same layer"))] == []
    conv.slider(key="lab_stride").set_value(1).run()
    assert any("padding='same'" in c.value for c in conv.code)
    assert any(h.value.startswith("Output size") for h in conv.subheader)


def test_kernel_preset_size_and_filters(conv: AppTest) -> None:
    conv.selectbox(key="lab_kpreset").set_value("identity").run()
    conv.slider(key="lab_k").set_value(1).run()
    assert _size(conv) == (5, 5)
    conv.slider(key="lab_cout").set_value(3).run()
    assert len(output_maps(conv)) == 3
    assert "out_channels=3, kernel_size=1" in conv.code[1].value
    assert any("3·(1·1·1 + 1)" not in m.value for m in conv.markdown)  # no bias yet
    conv.checkbox(key="lab_bias_on").check().run()
    conv.text_input(key="lab_bias").input("1, 2, -0.5").run()
    assert [m[0][0] for m in output_maps(conv)] == ["2", "3", "0.5"]
    assert any("3·(1·1·1 + 1) = 6" in m.value for m in conv.markdown)
    assert conv.query_params["bias"] == "1,2,-0.5"


def test_input_preset_size_and_channels(conv: AppTest) -> None:
    conv.selectbox(key="lab_preset").set_value("vertical_edge").run()
    conv.number_input(key="lab_rows").set_value(8).run()
    conv.number_input(key="lab_cols").set_value(6).run()
    assert _size(conv) == (6, 4)
    conv.number_input(key="lab_cin").set_value(3).run()
    no_exception(conv)
    assert len(conv.text_area) == 6  # 3 input channels + 3 kernel slices
    assert "in_channels=3" in conv.code[1].value
    assert len(_expr(conv).splitlines()) == 4  # one line per channel, then the total


def test_image_patch_preset_gives_pixel_values(conv: AppTest) -> None:
    conv.selectbox(key="lab_preset").set_value("image").run()
    no_exception(conv)
    values = [float(v) for row in conv.text_area(key="lab_in_0").value.splitlines() for v in row.split()]
    assert max(values) > 50 and len(values) == 25


def test_editing_the_input_recomputes_and_bad_text_keeps_the_last_valid(conv: AppTest) -> None:
    conv.text_area(key="lab_in_0").input("1 2 3\n4 5 6\n7 8 9").run()
    conv.selectbox(key="lab_kpreset").set_value("identity").run()
    assert output_maps(conv) == [[["5"]]]
    conv.text_area(key="lab_in_0").input("1 2 3\n4 oops 6\n7 8 9").run()
    no_exception(conv)
    assert any("oops" in e.value and "last valid" in e.value for e in conv.error)
    assert output_maps(conv) == [[["5"]]]


def test_editing_the_kernel_recomputes(conv: AppTest) -> None:
    conv.text_area(key="lab_kin_0").input("0 0 0\n0 2 0\n0 0 0").run()
    assert output_maps(conv)[0][0] == ["2", "2", "2"]
    conv.text_area(key="lab_kin_0").input("1 2\n3").run()
    assert any("different lengths" in e.value for e in conv.error)


def test_no_formula_heading_over_a_pooling_or_transpose_that_cannot_run(conv: AppTest) -> None:
    conv.radio(key="lab_view").set_value("pool").run()
    conv.slider(key="lab_pool_size").set_value(4).run()  # the 3×3 ReLU map has no 4×4 window
    no_exception(conv)
    assert conv.error and output_maps(conv) == []
    assert not any(h.value.startswith("Output size") for h in conv.subheader)
    conv.slider(key="lab_pool_size").set_value(2).run()
    assert any(h.value.startswith("Output size") for h in conv.subheader)
    conv.radio(key="lab_view").set_value("transpose").run()
    conv.slider(key="lab_output_padding").set_value(1).run()  # output padding must stay below the stride
    with pytest.raises(RuntimeError, match="output padding"):
        torch.nn.functional.conv_transpose2d(torch.ones(1, 1, 5, 5), torch.ones(1, 1, 3, 3), output_padding=1)
    no_exception(conv)
    assert conv.error and not any(h.value.startswith("Output size") for h in conv.subheader)


def test_pooling_view(conv: AppTest) -> None:
    conv.selectbox(key="lab_preset").set_value("pool_example").run()
    conv.radio(key="lab_view").set_value("pool").run()
    assert output_maps(conv) == [[["9", "7"], ["8", "6"]]]
    assert _expr(conv) == "max(2, 2, 9, 4) = 9"
    conv.radio(key="lab_pool").set_value("avg").run()
    assert output_maps(conv) == [[["4.25", "4.25"], ["4.25", "3.5"]]]
    assert conv.query_params["pool"] == "avg" and conv.query_params["view"] == "pool"
    conv.slider(key="lab_pool_size").set_value(3).run()
    conv.slider(key="lab_pool_stride").set_value(1).run()
    assert _size(conv) == (2, 2)


def test_url_restores_the_whole_view() -> None:
    params = {"input": "1,2,3,4;5,6,7,8;9,10,11,12;13,14,15,16", "kernel": "1,0;0,-1", "stride": "2",
              "padding": "1", "dilation": "1", "step": "4", "lang": "vi"}
    at = run_page("pages/convolution.py", params)
    no_exception(at)
    assert at.slider(key="lab_stride").value == 2 and at.selectbox(key="lab_padding").value == 1
    assert at.slider(key="lab_k").value == 2
    x = torch.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    expected = F.conv2d(x, torch.tensor([[[[1.0, 0.0], [0.0, -1.0]]]]), stride=2, padding=1)[0, 0]
    assert output_maps(at)[0] == [[str(int(v)) for v in row] for row in expected.tolist()]
    assert _expr(at) == "6×1 + 7×0 + 10×0 + 11×(-1) = -5"
    assert at.title[0].value == "Phòng thí nghiệm tích chập"


def test_bad_url_values_get_a_message_and_defaults() -> None:
    at = run_page("pages/convolution.py", {"stride": "banana", "input": "1,2;x", "lang": "klingon"})
    no_exception(at)
    texts = " ".join(w.value for w in at.warning)
    assert "stride=banana" in texts and "input" in texts and "klingon" in texts
    assert output_maps(at) == [COURSE_OUT]


def test_custom_input_keeps_the_typed_numbers_when_resized(conv: AppTest) -> None:
    conv.text_area(key="lab_in_0").input("1 2 3\n4 5 6\n7 8 9").run()
    assert conv.selectbox(key="lab_preset").value == "custom"
    conv.number_input(key="lab_cols").set_value(4).run()
    assert conv.text_area(key="lab_in_0").value == "1 2 3 0\n4 5 6 0\n7 8 9 0"
    conv.number_input(key="lab_cin").set_value(2).run()
    assert conv.text_area(key="lab_in_1").value == conv.text_area(key="lab_in_0").value
    assert conv.query_params["input"] == "1,2,3,0;4,5,6,0;7,8,9,0|1,2,3,0;4,5,6,0;7,8,9,0"


def test_choosing_a_filter_shows_its_weights_and_its_steps(conv: AppTest) -> None:
    conv.selectbox(key="lab_kpreset").set_value("random").run()
    conv.slider(key="lab_cout").set_value(2).run()
    first = conv.text_area(key="lab_kin_0").value
    conv.button_group(key="lab_kout").set_value(1).run()
    no_exception(conv)
    assert conv.text_area(key="lab_kin_0").value != first  # random filters differ
    assert conv.query_params["channel"] == "1"
    assert "map 1" in " ".join(m.value for m in conv.markdown)


def test_language_switch_on_the_lab(conv: AppTest) -> None:
    conv.button_group(key="lang_switch").set_value("vi").run()
    no_exception(conv)
    assert conv.title[0].value == "Phòng thí nghiệm tích chập"
    assert any(h.value == "Đầu vào" for h in conv.subheader)
    assert output_maps(conv) == [COURSE_OUT]  # the numbers do not change with the language


def test_switching_the_operation_changes_the_intro_the_views_and_the_url() -> None:
    """The operation reshapes the lab (it reruns the page, not the lab's fragment): pooling's intro,
    views and link follow. The fragment itself is tested in Chromium (test_conv_lab_browser)."""
    at = run_page("pages/convolution.py")
    no_exception(at)
    before = [c.value for c in at.caption]
    at.radio(key="lab_view").set_value("pool").run()
    no_exception(at)
    after = [c.value for c in at.caption]
    assert before != after and at.query_params["view"] == "pool"
