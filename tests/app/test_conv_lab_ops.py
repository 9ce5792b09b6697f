"""The Convolution lab's operations in AppTest: groups, true convolution, pooling of ReLU(conv),
Apply buttons, links that name their preset, and the questions the page offers a teacher."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest

from cnnviz.classroom import classes
from cnnviz.classroom.questions import QuestionBook
from cnnviz.conv.grids import parse_matrices
from tests.app.conftest import no_exception, output_maps, run_page
from tests.app.test_classroom_page import _teacher, isolated  # noqa: F401 (the fixture isolates the classroom)

COURSE = {"input": "1,1,1,0,0;0,1,1,1,0;0,0,1,1,1;0,0,1,1,0;0,1,1,0,0", "kernel": "1,0,1;0,1,0;1,0,1"}


def _maps(at: AppTest) -> list[list[list[float]]]:
    return [[[float(v) for v in row] for row in m] for m in output_maps(at)]


def test_a_vietnamese_course_link_names_the_preset() -> None:
    at = run_page("pages/convolution.py", {**COURSE, "lang": "vi"})
    no_exception(at)
    assert at.selectbox(key="lab_preset").value == "course" and at.selectbox(key="lab_kpreset").value == "course"
    custom = run_page("pages/convolution.py", {"input": "1,2,3;4,5,6;7,8,8", "lang": "vi"})
    assert custom.selectbox(key="lab_preset").value == "custom"


def test_true_convolution_flips_the_kernel(conv: AppTest) -> None:
    conv.text_area(key="lab_kin_0").input("1 2 0\n0 0 0\n0 0 -1")
    conv.button(key="lab_apply_k").click().run()  # the Apply button takes the typed kernel
    x = torch.tensor([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0.0]])
    w = torch.tensor([[1, 2, 0], [0, 0, 0], [0, 0, -1.0]])
    assert _maps(conv) == [F.conv2d(x[None, None], w[None, None])[0, 0].tolist()]
    conv.toggle(key="lab_flip").set_value(True).run()
    no_exception(conv)
    assert _maps(conv) == [F.conv2d(x[None, None], torch.flip(w, (0, 1))[None, None])[0, 0].tolist()]
    assert conv.query_params["flip"] == "1"
    assert any("cross-correlation" in c.value for c in conv.caption)
    assert conv.code[0].value.startswith("1×(-1)")  # the panel multiplies by the flipped kernel


def test_groups_and_depthwise_equal_torch_with_parameter_counts(conv: AppTest) -> None:
    conv.number_input(key="lab_cin").set_value(2).run()
    conv.slider(key="lab_cout").set_value(4).run()
    conv.selectbox(key="lab_kpreset").set_value("random").run()
    conv.number_input(key="lab_groups").set_value(2).run()
    no_exception(conv)
    assert conv.query_params["groups"] == "2"
    x = torch.tensor(parse_matrices(conv.query_params["input"]))
    w = torch.tensor(parse_matrices(conv.query_params["kernel"])).reshape(4, 2, 3, 3)
    grouped = torch.stack([w[o, o // 2] for o in range(4)])[:, None]  # (C_out, C_in/groups, K, K)
    assert _maps(conv) == F.conv2d(x[None], grouped, groups=2)[0].tolist()
    assert "groups=2" in conv.code[-1].value
    text = next(m.value for m in conv.markdown if "| Layer" in m.value)
    table = [row for row in text.splitlines() if row.startswith("|")]
    counts = [int(row.split("|")[2].strip().replace(",", "")) for row in table[2:]]
    assert counts == [4 * 9 * 2, 4 * 9 * 1, 2 * 9 + 4 * 2, 4 * 2]  # full, grouped, separable, 1x1
    assert len(conv.code[0].value.splitlines()) == 1  # filter 0 reads input channel 0 only


def test_groups_that_do_not_divide_are_explained(conv: AppTest) -> None:
    conv.number_input(key="lab_groups").set_value(2).run()
    no_exception(conv)
    assert any("divide" in e.value for e in conv.error)


def test_pooling_follows_the_convolution_and_the_intro_follows_the_operation(conv: AppTest) -> None:
    intro = conv.caption[0].value
    conv.radio(key="lab_view").set_value("pool").run()
    no_exception(conv)
    assert conv.radio(key="lab_pool_of").value == "conv"
    assert output_maps(conv) == [[["4"]]]  # ReLU(conv) is 3x3: one 2x2 window, its max is 4
    assert conv.caption[0].value != intro and "ReLU" in conv.caption[0].value
    assert any("floor" in c.value and "no padding" in c.value for c in conv.caption)
    conv.radio(key="lab_pool_of").set_value("input").run()
    x = torch.tensor(parse_matrices(COURSE["input"]))
    assert _maps(conv) == F.max_pool2d(x, 2, 2).tolist()  # the 0/1 input itself: zeros and ones
    assert conv.query_params["pool_of"] == "input"


def test_the_lab_offers_the_teacher_questions_about_its_view() -> None:
    teacher, info = _teacher()
    teacher.switch_page("pages/convolution.py").run()
    no_exception(teacher)
    teacher.button(key="conv_next").click().run()
    teacher.selectbox(key="cls_topic").set_value("q_lab_cell")
    teacher.button(key="cls_ask_btn").click().run()
    q = QuestionBook(classes.default_classroom()).current(info.id)
    assert q.topic == "q_lab_cell" and q.answer == "3" and q.params == {"row": 0, "col": 1, "channel": 0}


def test_transposed_convolution_view(conv: AppTest) -> None:
    conv.radio(key="lab_view").set_value("transpose").run()
    conv.slider(key="lab_stride").set_value(2).run()
    conv.slider(key="lab_output_padding").set_value(1).run()
    no_exception(conv)
    x = torch.tensor(parse_matrices(COURSE["input"]))
    w = torch.tensor(parse_matrices(COURSE["kernel"]))[None]  # (C_in, C_out, K, K)
    want = F.conv_transpose2d(x[None], w, stride=2, output_padding=1)[0]
    assert _maps(conv) == want.tolist() and want.shape[-1] == (5 - 1) * 2 + 2 + 1 + 1
    assert any("(N-1)" in latex.value and "= 12" in latex.value for latex in conv.latex)
    assert "nn.ConvTranspose2d(in_channels=1, out_channels=1, kernel_size=3, stride=2" in conv.code[-1].value
    conv.button(key="conv_next").click().run()
    assert conv.query_params["step"] == "1" and conv.code[0].value.startswith("(0, 2) += 1×1 → 2")
    conv.slider(key="lab_output_padding").set_value(2).run()
    assert any("smaller than the stride" in e.value for e in conv.error)
    no_exception(conv)


def test_a_presenting_teachers_step_reaches_the_class() -> None:
    teacher, info = _teacher()
    teacher.switch_page("pages/convolution.py").run()
    teacher.toggle(key="cls_presenting").set_value(True).run()
    teacher.button(key="conv_next").click().run()
    teacher.button(key="conv_next").click().run()
    no_exception(teacher)
    shown = classes.default_classroom().presented(info.id)
    assert shown.presenting and "step=2" in shown.query
