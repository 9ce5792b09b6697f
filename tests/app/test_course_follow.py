"""Students following a presenting teacher see the teacher's view of the Architectures and
Building-blocks pages (their state lives under the page prefixes a follower's takeover clears)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from cnnviz.classroom import classes
from tests.app.conftest import no_exception
from tests.app.test_classroom_page import _student, _teacher, isolated  # noqa: F401 - isolated is autouse


def _present(page: str):
    """The teacher presents ``page``; the student already has a view of it of their own."""
    teacher, info = _teacher()
    student = _student(info.code, "Ana")
    student.switch_page(page).run()
    no_exception(student)
    teacher.switch_page(page).run()
    teacher.toggle(key="cls_presenting").set_value(True).run()
    no_exception(teacher)
    return teacher, student, info


def test_students_follow_the_architecture_walk() -> None:
    teacher, ana, info = _present("pages/architectures.py")
    teacher.button_group(key="arch_arch").set_value("vgg16").run()
    teacher.selectbox(key="arch_layer").set_value("fc1").run()
    no_exception(teacher)
    shown = dict(parse_qsl(classes.default_classroom().presented(info.id).query))
    assert shown["arch"] == "vgg16" and shown["layer"] == "fc1"
    ana.run()
    no_exception(ana)
    assert ana.button_group(key="arch_arch").value == "vgg16" and ana.selectbox(key="arch_layer").value == "fc1"
    assert "7·7·512·4096 = 102,760,448" in " ".join(m.value for m in ana.markdown)


def test_students_follow_the_building_blocks() -> None:
    teacher, ana, _ = _present("pages/blocks.py")
    teacher.button_group(key="blk_section").set_value("batchnorm").run()
    teacher.number_input(key="blk_bn_seed").set_value(7).run()
    no_exception(teacher)
    ana.run()
    no_exception(ana)
    assert ana.button_group(key="blk_section").value == "batchnorm"
    assert ana.number_input(key="blk_bn_seed").value == 7
