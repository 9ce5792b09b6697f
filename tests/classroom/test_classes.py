"""Classes, join codes, nicknames, presenting and follow files, questions and tallies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from cnnviz.classroom.classes import (CODE_ALPHABET, CODE_LENGTH, MAX_WRONG_CODES, Classroom, check_nickname,
                              poll_ms, teacher_password_ok)
from cnnviz.classroom.questions import COURSE, QuestionBook, course_question, normalise
from cnnviz.errors import CnnvizError

TEACHER = "teacher-session-token"


@pytest.fixture
def room(tmp_path: Path) -> Classroom:
    return Classroom(tmp_path / "runs" / "classroom.sqlite3", tmp_path / "static" / "live")


def _key(err: pytest.ExceptionInfo) -> str:
    return err.value.key


def test_teacher_password() -> None:
    env = {"CNNVIZ_TEACHER_PASSWORD": "sesame"}
    assert teacher_password_ok("sesame", env)
    assert not teacher_password_ok("Sesame", env) and not teacher_password_ok("", env)
    assert not teacher_password_ok("", {}) and not teacher_password_ok("anything", {})


def test_a_class_has_a_short_unambiguous_code_and_a_secret_id(room: Classroom) -> None:
    classes = [room.start(TEACHER, "Lớp 10A") for _ in range(20)]
    codes = [c.code for c in classes]
    assert len(set(codes)) == 20 and all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OI") & set(CODE_ALPHABET)
    assert all(len(c.id) >= 16 and c.id not in c.code for c in classes)
    assert room.info(classes[0].id).title == "Lớp 10A"
    assert [c.id for c in room.teaching(TEACHER)][:1] == [classes[-1].id]  # newest first
    assert room.teaching("someone else") == []


def test_students_join_by_code_and_nickname_and_rejoin_on_the_same_browser(room: Classroom) -> None:
    cls = room.start(TEACHER)
    found = room.find(cls.code.lower(), who="browser-1")  # typed in lower case, spaces ignored
    assert found.id == cls.id
    ana = room.join(cls.id, "  Ngọc   Anh ")
    assert ana.nickname == "Ngọc Anh"
    with pytest.raises(CnnvizError) as err:
        room.join(cls.id, "Ngọc Anh")  # another browser wants the same nickname
    assert _key(err) == "cls_nickname_taken"
    again = room.join(cls.id, "Ngọc Anh", member_id=ana.id)  # the same browser, after a reload
    assert again == ana and [m.nickname for m in room.members(cls.id)] == ["Ngọc Anh"]
    assert room.member(cls.id, ana.id) == ana and room.member(cls.id, "stranger") is None


@pytest.mark.parametrize("nick", ["", " ", "x" * 25, "<img src=x>", "_under", "a\x00b", "![](//e.vil)"])
def test_bad_nicknames_are_refused(nick: str) -> None:
    with pytest.raises(CnnvizError) as err:
        check_nickname(nick)
    assert _key(err) == "cls_bad_nickname"


def test_wrong_codes_are_rate_limited_per_browser(room: Classroom) -> None:
    cls = room.start(TEACHER)
    for _ in range(MAX_WRONG_CODES):
        with pytest.raises(CnnvizError) as err:
            room.find("ZZZZZZ", who="guesser")
        assert _key(err) == "cls_bad_code"
    with pytest.raises(CnnvizError) as err:
        room.find(cls.code, who="guesser")  # even the right code waits now
    assert _key(err) == "cls_too_many_tries" and 1 <= err.value.args_["seconds"] <= 60
    assert room.find(cls.code, who="another browser").id == cls.id


def test_guessing_from_many_sessions_is_limited_for_the_whole_server(room: Classroom) -> None:
    from cnnviz.classroom.classes import MAX_WRONG_CODES_ALL

    cls = room.start(TEACHER)
    for i in range(MAX_WRONG_CODES_ALL):
        with pytest.raises(CnnvizError):
            room.find("ZZZZZZ", who=f"session-{i}")  # a new session for every guess
    with pytest.raises(CnnvizError) as err:
        room.find(cls.code, who="a real student")
    assert _key(err) == "cls_too_many_tries"


def test_only_the_teacher_presents_and_the_live_file_follows(room: Classroom) -> None:
    cls = room.start(TEACHER)
    live = room.live_file(cls.id)
    assert json.loads(live.read_text()) == {"version": 0, "page": "", "query": "", "presenting": False,
                                            "ended": False}
    with pytest.raises(CnnvizError) as err:
        room.present(cls.id, "a student", "convolution", "stride=2")
    assert _key(err) == "cls_not_teacher"
    shown = room.present(cls.id, TEACHER, "convolution", "stride=2")
    assert (shown.version, shown.presenting) == (1, True)
    assert room.present(cls.id, TEACHER, "convolution", "stride=2").version == 1  # nothing changed
    assert room.present(cls.id, TEACHER, "filters", "image=coffee").version == 2
    assert json.loads(live.read_text())["page"] == "filters"
    room.end(cls.id, TEACHER)
    assert json.loads(live.read_text())["ended"] is True
    with pytest.raises(CnnvizError) as err:
        room.find(cls.code, who="late")
    assert _key(err) == "cls_ended"


def test_a_class_survives_a_restart(room: Classroom, tmp_path: Path) -> None:
    cls = room.start(TEACHER)
    ana = room.join(cls.id, "Ana")
    room.present(cls.id, TEACHER, "inspect", "model=shipped:lenet5_digits")
    again = Classroom(room.path, room.live_dir)  # the server restarted
    assert again.member(cls.id, ana.id) == ana and again.presented(cls.id).page == "inspect"
    assert again.is_teacher(cls.id, TEACHER) and not again.is_teacher(cls.id, "x")


# --- questions --------------------------------------------------------------------------------


def test_answers_are_checked_tallied_anonymously_and_closed_by_the_reveal(room: Classroom) -> None:
    book = QuestionBook(room)
    cls = room.start(TEACHER)
    students = [room.join(cls.id, f"s{i}") for i in range(6)]
    q = book.ask(cls.id, TEACHER, "q_course_output_5x5", **course_question("q_course_output_5x5"))
    for student, value in zip(students, ["3", "3", " 3.0 ", "5", "2", "5"]):
        book.answer(q.id, student.id, value)
    book.answer(q.id, students[4].id, "3")  # changed their mind before the reveal
    tally = book.tally(q.id)
    assert (tally.total, tally.correct) == (6, 4)
    assert tally.counts == [("3", 4), ("5", 2)] and tally.wrong == [("5", 2)]
    assert book.my_answer(q.id, students[3].id) == "5"
    with pytest.raises(CnnvizError):
        book.reveal(q.id, "a student")
    assert book.reveal(q.id, TEACHER).state == "revealed"
    with pytest.raises(CnnvizError) as err:
        book.answer(q.id, students[0].id, "4")
    assert _key(err) == "q_not_open"
    assert [t.total for _, t in book.summary(cls.id)] == [6]


def test_choice_answers_and_bad_answers(room: Classroom) -> None:
    book = QuestionBook(room)
    cls = room.start(TEACHER)
    s = room.join(cls.id, "s")
    q = book.ask(cls.id, TEACHER, "q_course_stride_7", **course_question("q_course_stride_7"))
    assert q.answer == "no" and q.choices == ("yes", "no")
    with pytest.raises(CnnvizError):
        book.answer(q.id, s.id, "maybe")
    book.answer(q.id, s.id, "no")
    assert book.tally(q.id).correct == 1
    for bad in ("", "three", "nan", "inf", "1e999"):
        with pytest.raises(CnnvizError):
            normalise("number", bad)
    assert normalise("number", "−2") == "-2" and normalise("number", "0,5") == "0.5"


def test_the_course_questions_agree_with_pytorch() -> None:
    """Each ready question's answer, recomputed here with torch."""
    answers = {topic: course_question(topic)["answer"] for topic in COURSE}
    assert answers["q_course_output_5x5"] == F.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3)).shape[-1]
    assert answers["q_course_pool_4x4"] == F.max_pool2d(torch.zeros(1, 1, 4, 4), 2, 2).shape[-1]
    assert answers["q_course_stride_7"] == "no"  # (7 - 3) / 3 + 1 = 2.33: the stride does not fit
    assert F.conv2d(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3), stride=3).shape[-1] == 2
    x = torch.tensor([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0.0]])
    w = torch.tensor([[1, 0, 1], [0, 1, 0], [1, 0, 1.0]])
    assert answers["q_course_cell"] == int(F.conv2d(x[None, None], w[None, None])[0, 0, 1, 1])
    assert answers["q_course_conv1_params"] == torch.nn.Conv2d(1, 6, 5).weight.numel() + 6 == 156
    assert answers["q_course_lenet_params"] == 61_706


def test_the_join_link_is_one_students_can_open() -> None:
    from cnnviz.classroom.classes import join_link

    env = {"CNNVIZ_PUBLIC_URL": "http://10.1.2.3:8501/whatever?x=1"}
    assert join_link("http://localhost:8501/convolution", "ABC234", env) == "http://10.1.2.3:8501/?join=ABC234"
    assert join_link("https://cnn.school.vn/train?run=x", "ABC234", {}) == "https://cnn.school.vn/?join=ABC234"
    local = join_link("http://localhost:8501/", "ABC234", {})
    assert local.endswith(":8501/?join=ABC234") and "?join=ABC234" in join_link(None, "ABC234", {})


# --- the class draws a dataset -----------------------------------------------------------------


def test_drawings_are_stored_counted_limited_and_split(room: Classroom) -> None:
    import numpy as np

    from cnnviz.classroom.class_data import MAX_PER_STUDENT, MIN_TO_TRAIN, ClassDrawings

    drawings = ClassDrawings(room)
    cls = room.start(TEACHER)
    img = np.zeros((28, 28), np.uint8)
    with pytest.raises(CnnvizError) as err:
        drawings.add(cls.id, "m1", 3, img)
    assert _key(err) == "cd_empty"
    img[10:18, 12:16] = 255
    for bad in (10, -1, True, 2.0):
        with pytest.raises(CnnvizError):
            drawings.add(cls.id, "m1", bad, img)
    for i in range(MIN_TO_TRAIN - 1):
        assert drawings.add(cls.id, f"m{i % 3}", i % 10, img * (i % 2 or 1)) == i // 3 + 1
    with pytest.raises(CnnvizError) as err:
        drawings.split(cls.id)
    assert _key(err) == "cd_too_few"
    drawings.add(cls.id, "m0", 9, img)
    split = drawings.split(cls.id, seed=0)
    assert len(split.x_train) + len(split.x_val) == MIN_TO_TRAIN and len(split.x_val) == 4
    assert split.x_train.dtype.is_floating_point is False and tuple(split.x_train.shape[1:]) == (1, 28, 28)
    assert sorted(split.y_train.tolist() + split.y_val.tolist()) == sorted([i % 10 for i in range(19)] + [9])
    assert drawings.counts(cls.id)[9] == 2 and drawings.given(cls.id, "m0") == 8
    other = room.start(TEACHER)  # another class sees none of them
    assert drawings.counts(other.id) == {}
    for _ in range(MAX_PER_STUDENT):
        drawings.add(other.id, "busy", 1, img)
    with pytest.raises(CnnvizError) as err:
        drawings.add(other.id, "busy", 1, img)
    assert _key(err) == "cd_too_many"


@pytest.mark.slow
def test_a_model_trains_on_what_the_class_drew(tmp_path: Path, monkeypatch) -> None:
    """Thirty students' drawings (the evaluation generator's) train LeNet-5 through the real queue."""
    from cnnviz.data.drawings import make_drawings
    from cnnviz.classroom.class_data import CLASS_DATASET, ClassDrawings
    from cnnviz.data.datasets import DATASETS
    from cnnviz.models.builders import ModelConfig
    from cnnviz.train.runs import RunSpec
    from cnnviz.train.engine import TrainConfig
    from tests.jobqueue import Queue

    runs = tmp_path / "runs"
    monkeypatch.setenv("CNNVIZ_RUNS", str(runs))
    room = Classroom(runs / "classroom.sqlite3", tmp_path / "live")
    cls = room.start(TEACHER)
    store = ClassDrawings(room)
    pictures, labels, _ = make_drawings(300, seed=5)
    for i, (picture, label) in enumerate(zip(pictures, labels)):
        store.add(cls.id, f"student{i % 30}", int(label), picture[0])
    spec = RunSpec(CLASS_DATASET, 1, 1, ModelConfig("lenet5", DATASETS[CLASS_DATASET].shape, init="he"),
                   TrainConfig(epochs=8, batch_size=32, optimizer="adam", lr=2e-3, translate=2), source=cls.id)
    queue = Queue(runs)
    try:
        view = queue.wait(queue.submit(spec))
    finally:
        queue.stop()
    assert view.state == "done", (view.error_key, view.error_args)
    assert view.progress["history"][-1]["val_acc"] > 0.5  # 60 held-out drawings, 10 classes: chance is 0.1


@pytest.mark.parametrize("text, ms", [("", 700), ("350", 350), (" 2000 ", 2000), ("5", 100), ("99999999", 10_000),
                                      ("-5", 700), ("1e3", 700), ("٣٥٠", 700), ("fast", 700)])
def test_poll_interval_from_the_environment(text: str, ms: int) -> None:
    assert poll_ms({"CNNVIZ_POLL_MS": text}) == ms
