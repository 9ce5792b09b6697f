"""A class through AppTest: the teacher starts it, students join, follow the teacher's page and
state, explore alone and come back; a question is asked, answered, tallied and revealed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from cnnviz.classroom import classes
from cnnviz.classroom.questions import QuestionBook
from tests.app.conftest import ROOT, no_exception, run_page

PASSWORD = "sesame-for-tests"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CNNVIZ_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("CNNVIZ_TEACHER_PASSWORD", PASSWORD)
    monkeypatch.setattr(classes, "LIVE_DIR", tmp_path / "live")
    classes._ROOMS.clear()
    return tmp_path


def _submit(at: AppTest, form: str) -> None:
    button = next(b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:{form}"))
    button.click().run()
    no_exception(at)


def _teacher() -> tuple[AppTest, classes.ClassInfo]:
    at = run_page("app.py")
    next(w for w in at.text_input if w.label == "Teacher password").set_value(PASSWORD)
    _submit(at, "cls_teacher_form")
    at.text_input(key="cls_title_in").set_value("10A")
    at.button(key="cls_start_btn").click().run()
    no_exception(at)
    (info,) = classes.default_classroom().teaching(at.session_state["cls_teacher"])
    assert f"Join code: `{info.code}`" in " ".join(m.value for m in at.markdown)
    assert len(at.get("image")) == 1  # the QR code
    return at, info


def _student(code: str, nickname: str) -> AppTest:
    at = run_page("app.py", {"join": code})
    assert next(w for w in at.text_input if w.label == "Class code").value == code  # from the join link
    next(w for w in at.text_input if w.label == "Your nickname").set_value(nickname)
    _submit(at, "cls_join_form")
    return at


def test_a_wrong_password_gives_no_teacher_features() -> None:
    at = run_page("app.py")
    next(w for w in at.text_input if w.label == "Teacher password").set_value("guess")
    _submit(at, "cls_teacher_form")
    assert "not the teacher password" in " ".join(e.value for e in at.error)
    assert "cls_teacher" not in at.session_state


def test_without_a_password_set_there_are_no_teacher_features(monkeypatch) -> None:
    monkeypatch.delenv("CNNVIZ_TEACHER_PASSWORD")
    at = run_page("app.py")
    assert not [w for w in at.text_input if w.label == "Teacher password"]
    assert "Teacher features are off" in " ".join(c.value for c in at.caption)


def test_students_follow_the_teacher_and_can_explore_alone() -> None:
    teacher, info = _teacher()
    ana = _student(info.code, "Ana")
    assert f"Class **{info.code}** · Ana" in " ".join(m.value for m in ana.sidebar.markdown)
    teacher.switch_page("pages/convolution.py").run()
    teacher.toggle(key="cls_presenting").set_value(True).run()
    teacher.slider(key="lab_stride").set_value(2).run()
    no_exception(teacher)
    shown = dict(parse_qsl(classes.default_classroom().presented(info.id).query))
    assert shown["stride"] == "2" and "lang" not in shown  # each student keeps their own language
    ana.run()  # what the browser's poll triggers when the live file changes
    no_exception(ana)
    assert ana.slider(key="lab_stride").value == 2 and ana.query_params["stride"] == "2"
    assert "Following the teacher." in " ".join(c.value for c in ana.sidebar.caption)
    ana.slider(key="lab_stride").set_value(3).run()  # the student explores
    ana.run()
    assert ana.slider(key="lab_stride").value == 3
    teacher.selectbox(key="lab_padding").set_value(1).run()
    ana.run()
    assert ana.slider(key="lab_stride").value == 3  # not following any more
    ana.button(key="cls_follow_btn").click().run()
    no_exception(ana)
    assert ana.slider(key="lab_stride").value == 2 and ana.selectbox(key="lab_padding").value == 1


def test_what_a_page_adds_to_its_url_by_itself_is_no_change_of_the_students() -> None:
    """A teacher's state that does not carry every parameter (a link, an older page): the student's
    page writes the rest into its URL, and still follows."""
    teacher, info = _teacher()
    ana = _student(info.code, "Ana")
    classes.default_classroom().present(info.id, teacher.session_state["cls_teacher"], "pages/convolution.py",
                                        "stride=2")
    ana.run()
    ana.run()  # the lab wrote padding, dilation, ... into the URL in the run before
    no_exception(ana)
    assert ana.query_params["stride"] == "2" and ana.query_params["padding"] == "0"
    assert "Following the teacher." in " ".join(c.value for c in ana.sidebar.caption)
    ana.slider(key="lab_stride").set_value(3).run()  # a value of the teacher's: that is exploring
    ana.run()
    assert not [c for c in ana.sidebar.caption if c.value == "Following the teacher."]
    assert ana.button(key="cls_follow_btn")


@pytest.mark.parametrize("page", ["pages/filters.py", "pages/inspect.py", "pages/convolution.py"])
def test_a_presenting_teacher_moving_to_a_page_makes_one_new_version(page: str) -> None:
    """One new class version per change: a fragment of the page must not present half of its URL
    before page_end presents all of it (each version costs every follower a rerun); a rerun that
    changes nothing makes none."""
    teacher, info = _teacher()
    teacher.toggle(key="cls_presenting").set_value(True).run()
    room = classes.default_classroom()
    before = room.presented(info.id).version
    teacher.switch_page(page).run()
    no_exception(teacher)
    shown = room.presented(info.id)
    assert (shown.page, shown.version) == (page, before + 1)
    teacher.run()
    assert room.presented(info.id) == shown


def test_a_class_shown_under_the_old_home_page_name_follows_to_home() -> None:
    """A class a server recorded before the home page moved from app.py to pages/home.py."""
    teacher, info = _teacher()
    ana = _student(info.code, "Ana")
    ana.switch_page("pages/convolution.py").run()
    classes.default_classroom().present(info.id, teacher.session_state["cls_teacher"], "app.py", "")
    ana.run()
    no_exception(ana)
    assert ana.title[0].value == "cnnviz: see inside a convolutional network"
    assert "Following the teacher." in " ".join(c.value for c in ana.sidebar.caption)

def test_a_question_is_answered_tallied_and_revealed() -> None:
    teacher, info = _teacher()
    students = [_student(info.code, name) for name in ("Ana", "Bảo", "Chi")]
    teacher.switch_page("pages/convolution.py").run()
    teacher.selectbox(key="cls_topic").set_value("q_course_output_5x5")
    teacher.button(key="cls_ask_btn").click().run()
    no_exception(teacher)
    for at, answer in zip(students, ["3", "3", "5"]):
        at.run()
        box = [m.value for m in at.markdown if "Question:" in m.value]
        assert box and "how many rows" in box[0]
        next(w for w in at.text_input if w.label == "Your answer").set_value(answer)
        _submit(at, "cls_answer_")
    book = QuestionBook(classes.default_classroom())
    q = book.current(info.id)
    assert (book.tally(q.id).total, book.tally(q.id).correct) == (3, 2)
    teacher.run()
    assert any(m.value == "3 / 3" for m in teacher.get("metric"))
    teacher.button(key="cls_reveal_btn").click().run()
    for at, right in zip(students, [True, True, False]):
        at.run()
        text = " ".join(m.value for m in at.markdown)
        assert "The answer: **3**." in text and (("You were right." in text) == right)


def test_the_teacher_sees_the_class_runs_with_nicknames_and_can_stop_them(isolated: Path) -> None:
    from tests.jobqueue import Queue

    teacher, info = _teacher()
    ana = _student(info.code, "Ana")
    ana.switch_page("pages/train.py").run()
    ana.button(key="tr_start_btn").click().run()
    no_exception(ana)
    run_id = ana.session_state["tr_run"]
    queue = Queue(isolated / "runs", start=False)  # no worker: the run waits
    view = queue.store.view(run_id)
    assert (view.nickname, view.class_id) == ("Ana", info.id)
    outsider = run_page("pages/train.py")  # not in the class: no class panel
    assert "The class's runs" not in " ".join(h.value for h in outsider.subheader)
    teacher.switch_page("pages/train.py").run()
    no_exception(teacher)
    assert "The class's runs" in " ".join(h.value for h in teacher.subheader)
    table = teacher.dataframe[0].value
    assert list(table["Student"]) == ["Ana"] and "waiting" in table["State"][0]
    teacher.button(key="cr_stop_btn").click().run()
    assert queue.store.view(run_id).state == "cancelled"  # the teacher may stop a student's run
    teacher.button(key="cr_show_btn").click().run()
    assert teacher.query_params["run"] == run_id


def test_students_draw_for_the_class_and_the_teacher_trains_on_it(isolated: Path) -> None:
    import numpy as np

    from cnnviz.classroom.class_data import MIN_TO_TRAIN, ClassDrawings
    from tests.jobqueue import Queue

    teacher, info = _teacher()
    ana = _student(info.code, "Ana")
    ana.switch_page("pages/train.py").run()
    no_exception(ana)
    assert "Draw for the class's dataset" in " ".join(h.value for h in ana.subheader)
    assert "Draw the digit **0**" in " ".join(m.value for m in ana.markdown)
    teacher.switch_page("pages/train.py").run()
    assert teacher.button(key="cd_train_btn").disabled  # nothing drawn yet
    assert "Draw for the class's dataset" not in " ".join(h.value for h in teacher.subheader)
    img = np.zeros((28, 28), np.uint8)
    img[8:20, 12:15] = 255
    drawings = ClassDrawings(classes.default_classroom())
    for i in range(MIN_TO_TRAIN):  # what the canvas gives, added as the Give button does
        drawings.add(info.id, ana.session_state["cls_member"], i % 10, img)
    ana.run()
    assert f"You have given {MIN_TO_TRAIN}." in " ".join(m.value for m in ana.markdown)
    teacher.run()
    teacher.button(key="cd_train_btn").click().run()
    no_exception(teacher)
    run_id = teacher.session_state["tr_run"]
    spec = Queue(isolated / "runs", start=False).store.spec(run_id)
    assert (spec["dataset"], spec["source"]) == ("class_drawings", info.id)
    assert teacher.query_params["run"] == run_id  # shown to everyone who follows


def test_a_teacher_who_closed_the_tab_finds_the_class_again_and_its_record() -> None:
    teacher, info = _teacher()
    ana = _student(info.code, "Ana")
    teacher.switch_page("pages/convolution.py").run()
    teacher.selectbox(key="cls_topic").set_value("q_course_output_5x5")
    teacher.button(key="cls_ask_btn").click().run()
    ana.run()
    next(w for w in ana.text_input if w.label == "Your answer").set_value("3")
    _submit(ana, "cls_answer_")
    again = run_page("app.py")  # a new tab: the old session is gone
    next(w for w in again.text_input if w.label == "Teacher password").set_value(PASSWORD)
    _submit(again, "cls_teacher_form")
    again.button(key=f"cls_resume_{info.id}").click().run()
    no_exception(again)
    assert f"Join code: `{info.code}`" in " ".join(m.value for m in again.markdown)
    again.button(key="cls_end_btn").click().run()
    no_exception(again)
    record = " ".join(c.value for c in again.caption)
    assert "how many rows" in record and "answers: 1, right: 1 (the answer: 3)" in record
    assert not [b for b in again.button if b.key == f"cls_resume_{info.id}"]  # ended: nothing to resume


def test_a_page_offers_the_teacher_a_question_about_what_it_shows() -> None:
    import torchvision

    from cnnviz.course.architectures import ARCHITECTURES

    teacher, info = _teacher()
    ana = _student(info.code, "Ana")
    teacher.switch_page("pages/architectures.py").run()
    no_exception(teacher)
    teacher.selectbox(key="cls_topic").set_value("q_arch_params")  # offered by the page itself
    teacher.button(key="cls_ask_btn").click().run()
    q = QuestionBook(classes.default_classroom()).current(info.id)
    arch = teacher.query_params.get("arch", "lenet5")
    assert q.topic == "q_arch_params" and q.params["name"] == ARCHITECTURES[arch].label
    builder = {"vgg16": torchvision.models.vgg16, "alexnet": torchvision.models.alexnet,
               "resnet18": torchvision.models.resnet18}.get(arch)
    expected = 61_706 if arch == "lenet5" else sum(p.numel() for p in builder().parameters())
    assert q.answer == str(expected)  # the app's own count, checked against torchvision
    ana.run()
    assert any(ARCHITECTURES[arch].label in m.value for m in ana.markdown if "Question:" in m.value)
