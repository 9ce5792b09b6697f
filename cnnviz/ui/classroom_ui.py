"""Teaching a class: the teacher's and the students' side of every page.

``class_ui`` (drawn by app.py around every page) shows who is in which class, lets a student
follow the teacher or explore alone, lets the teacher present, ask and reveal; ``page_end`` (run by
app.py after every page) records what the teacher shows. A student's browser polls the class's
small live file (cnnviz.classroom.classes) and reruns the page only when the teacher changed something,
so 100 followers cost no Python while the teacher talks; on a page of FOLLOW_IN_PAGE the poller sits
in the page's main fragment, which takes over a change it can show without a whole-page run.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote, urlencode

import streamlit as st

from cnnviz.classroom.classes import Classroom, ClassInfo, default_classroom, join_link, poll_ms, teacher_enabled, \
    teacher_identity, teacher_password_ok
from cnnviz.classroom.questions import QuestionBook
from cnnviz.errors import CnnvizError
from cnnviz.text import untrusted
from cnnviz.ui.common import fragment, page_script, show_error, whole_run
from cnnviz.ui.i18n import t

__all__ = ["PAGE_KEYS", "class_ui", "follow_point", "home_class_ui", "in_class", "page_end", "room", "teacher_token", "teaching"]

CLASS, MEMBER, TEACHER, FOLLOW, APPLIED, WHO = ("cls_class", "cls_member", "cls_teacher", "cls_follow",
                                                "cls_applied", "cls_who")
HOSTED = "cls_hosted"  # the class version a page's own fragment polls from (see follow_point)
# Pages whose main fragment draws the class poller: a teacher's change there reruns only that fragment
FOLLOW_IN_PAGE = ("pages/convolution.py",)
# Widget and state keys of the pages, cleared when a follower takes over the teacher's view
PAGE_KEYS = ("lab", "conv", "flt", "lrn", "tr_", "insp", "attr", "arch", "blk", "mp_current")
KEEP = ("tr_owner", "my_runs")  # whose runs these are survives following
NOT_FOLLOWED = ("lang", "join")  # a student keeps their own language
POLL_MS = poll_ms()  # the same for every session of this process
RETRY_MS = 6_000  # a follower asks again for a rerun that did not come (longer than a loaded run)
# The browser keeps its membership in a cookie too: sent with a page's connection, it lets a reload
# back into the class in the page's first run. (Told by the recall component instead, a run later,
# the first run could be cut short before its widgets reached the browser: they then showed their
# first option, not the link's values.)
KEPT_COOKIE = "cnnviz_member"
LEFT = "cls_left"  # this session's student pressed Leave: no recall from the browser's memory
KEPT_DAYS = 30

# Streamlit calls a component's function again, without its cleanup, each time its data changes
# (a new class version): the page keeps ONE poller, which always compares the live file with the
# version of the page's latest run and asks through the latest setTriggerValue. A rerun that was
# asked for but never came (a loaded server, a run cut short) is asked for again after RETRY_MS.
_FOLLOW_JS = """
export default function(component) {
  const { data, setTriggerValue } = component;
  const f = window.cnnvizFollow || (window.cnnvizFollow = { timer: null, run: 0, asked: null, askedAt: 0 });
  const me = {};
  f.owner = me;
  f.data = data;
  f.trigger = setTriggerValue;
  if (data.remember) {
    const kept = data.remember;  // JSON text already
    try { localStorage.setItem("cnnviz_member", kept); } catch (e) {}
    document.cookie = `${data.cookie}=${encodeURIComponent(kept)}; path=/; max-age=${data.cookieAge}; SameSite=Lax`;
  }
  async function poll(run) {
    try {
      const r = await fetch(f.data.url + "?t=" + Date.now(), { cache: "no-store" });
      if (r.ok) {
        const live = await r.json();
        const now = Date.now();
        if (live.version !== f.data.version
            && (live.version !== f.asked || now - f.askedAt > f.data.retry)) {
          f.asked = live.version;
          f.askedAt = now;
          f.trigger("changed", live.version);
        }
      }
    } catch (e) {}
    if (run === f.run) f.timer = setTimeout(() => poll(run), f.data.interval);
  }
  if (f.timer === null) {
    const run = f.run;
    f.timer = setTimeout(() => poll(run), data.interval);
  }
  return () => {  // unmounted (the student left): stop, unless a newer mount already took over
    if (f.owner === me) { clearTimeout(f.timer); f.timer = null; f.run += 1; }
  };
}
"""
_RECALL_JS = """
export default function(component) {
  const { data, setStateValue } = component;
  if (data && data.forget) {  // the student left the class: this browser forgets it
    try { localStorage.removeItem("cnnviz_member"); } catch (e) {}
    document.cookie = `${data.forget}=; path=/; max-age=0; SameSite=Lax`;
    return;
  }
  let kept = null;
  try { kept = JSON.parse(localStorage.getItem("cnnviz_member") || "null"); } catch (e) {}
  if (kept) setStateValue("kept", kept);
}
"""
_follow = st.components.v2.component("cnnviz_follow", js=_FOLLOW_JS)
_recall = st.components.v2.component("cnnviz_recall", js=_RECALL_JS)


def room() -> Classroom:
    return default_classroom()


def teacher_token() -> str | None:
    return st.session_state.get(TEACHER)


def teaching() -> bool:
    """This session is a class's teacher (pages then offer questions about what they show)."""
    return teacher_token() is not None and in_class() is not None


def in_class() -> ClassInfo | None:
    class_id = st.session_state.get(CLASS)
    return room().info(class_id) if class_id else None


def _who() -> str:
    return st.session_state.setdefault(WHO, secrets.token_urlsafe(9))


def _query() -> str:
    """This page's URL state without what each visitor keeps for themselves (the language)."""
    return urlencode(sorted((k, v) for k, v in st.query_params.to_dict().items() if k not in NOT_FOLLOWED))


def _explored(query: str) -> bool:
    """This page's URL no longer holds a value of the teacher's state ``query``: the student changed
    it. A parameter the page adds by itself (a default the teacher's state did not carry yet) is no
    change of the student's."""
    now = st.query_params
    return any(now.get(k) != v for k, v in parse_qsl(query) if k not in NOT_FOLLOWED)


def _page() -> str:
    return st.session_state.get("cls_page", "")


# --- following the teacher ---------------------------------------------------------------------


def _with_language(query: str) -> dict[str, str]:
    """The teacher's URL state ``query`` with this visitor's own language."""
    lang = st.query_params.get("lang")
    return {**dict(parse_qsl(query)), **({"lang": lang} if lang else {})}


def _take_over(page: str, query: str) -> None:
    """Show the teacher's page and state: the page's own widget state is dropped, so the page
    reads everything again from the URL, as it does for a shared link."""
    ss = st.session_state
    for key in [k for k in ss if isinstance(k, str) and k.startswith(PAGE_KEYS) and k not in KEEP]:
        del ss[key]
    wanted = _with_language(query)
    ss[APPLIED] = (page, query)
    if page and page_script(page) != _page():  # a page an older server named differently is its own page now
        st.switch_page(page_script(page), query_params=wanted)  # a page switch alone would drop the URL state
    st.query_params.from_dict(wanted)


def _follow_ui(info: ClassInfo) -> None:
    shown = room().presented(info.id)
    ss = st.session_state
    following = ss.setdefault(FOLLOW, True)
    if following and shown is not None and shown.presenting:
        if ss.get(APPLIED) != (shown.page, shown.query):
            _take_over(shown.page, shown.query)
        elif _page() == shown.page and _explored(shown.query):
            ss[FOLLOW] = following = False  # the student changed something: exploring alone now
    version = info.version if shown is None else shown.version  # read last: a newer change reruns again
    if _page() in FOLLOW_IN_PAGE:
        ss[HOSTED] = version  # the page's fragment draws the poller (follow_point)
    else:
        _poller(info.id, version)
    if shown is not None and shown.presenting:
        if following:
            st.caption(t("cls_following"))
        elif st.button(t("cls_follow_again"), key="cls_follow_btn", icon=":material/sync:"):
            ss[FOLLOW] = True
            ss.pop(APPLIED, None)
            st.rerun()


def _poller(class_id: str, version: int) -> None:
    """The browser's poll of the class's live file: it reruns what it sits in when the version moves on.
    The membership to remember goes as JSON text: Streamlit looks for a dataframe in each value of a
    component's data, and in a dict of two strings that took 2.4 ms of every follower's rerun."""
    remember = json.dumps({"class": class_id, "member": st.session_state.get(MEMBER)}, separators=(",", ":"))
    _follow(key="cls_follow_poll", data={"url": f"app/static/live/{class_id}.json", "version": version,
                                         "interval": POLL_MS, "retry": RETRY_MS,
                                         "cookie": KEPT_COOKIE, "cookieAge": KEPT_DAYS * 86_400,
                                         "remember": remember},
            on_changed_change=lambda: None, height=0)


def follow_point(apply: Callable[[str], bool]) -> None:
    """First call of the main fragment of a page of FOLLOW_IN_PAGE: the class poller, for a student.

    When the teacher's change stays on this page and ``apply(query)`` can show it in the fragment
    (it returns False otherwise), only the fragment reruns: about half the server's CPU of a whole
    run (the class simulator: 37 ms of CPU a follower against 73), a hundred times over when a class
    follows. Anything else (another page, new numbers, a question, a student who
    explores alone) reruns the whole page, whose sidebar takes it over (_follow_ui)."""
    ss = st.session_state
    seen, class_id = ss.get(HOSTED), ss.get(CLASS)
    shown = room().presented(class_id) if seen is not None and class_id else None
    if shown is None:
        return
    if shown.version != seen:
        applied = ss.get(APPLIED)
        if ss.get(FOLLOW, True) and applied and applied[0] == _page() and _explored(applied[1]):
            ss[FOLLOW] = False  # the student changed something since (in this fragment): exploring alone now
            st.rerun()
        if ss.get(FOLLOW, True) and shown.presenting and shown.page == _page() \
                and applied != (shown.page, shown.query) and apply(shown.query):
            st.query_params.from_dict(_with_language(shown.query))
            ss[APPLIED], ss[HOSTED] = (shown.page, shown.query), shown.version
        else:
            st.rerun()
    _poller(class_id, ss[HOSTED])


def _is_kept(kept: object) -> bool:
    return isinstance(kept, dict) and all(isinstance(kept.get(k), str) and 0 < len(kept[k]) <= 64
                                          for k in ("class", "member"))


def _kept_in_cookie() -> dict | None:
    """The membership this browser's cookie holds (any text a browser sends: checked), or None."""
    try:
        raw = st.context.cookies.get(KEPT_COOKIE)
        kept = json.loads(unquote(raw)) if raw and len(raw) <= 512 else None
    except (ValueError, TypeError, AttributeError, RuntimeError):
        return None
    return kept if _is_kept(kept) else None


def _recall_ui() -> None:
    """A browser that was in a class before (a reload, a closed tab) is let back in: at once when its
    cookie says so, else when the recall component has read the browser's storage (a run later)."""
    if st.session_state.get(LEFT):  # this session left its class: the browser forgets it, nothing is recalled
        _recall(key="cls_recall", data={"forget": KEPT_COOKIE}, default={"kept": None}, on_kept_change=lambda: None,
                height=0)
        return
    kept = _kept_in_cookie()
    if kept is None:
        told = _recall(key="cls_recall", default={"kept": None}, on_kept_change=lambda: None, height=0)
        kept = getattr(told, "kept", None)
    if _is_kept(kept):
        member = room().member(kept["class"], kept["member"])  # type: ignore[index]
        info = room().info(kept["class"])  # type: ignore[index]
        if member is not None and info is not None and info.ended is None:
            st.session_state.update({CLASS: info.id, MEMBER: member.id})


# --- the sidebar block on every page -------------------------------------------------------------


def class_ui(page: str) -> None:
    """In the sidebar: the class this session is in and what it can do there."""
    st.session_state["cls_page"] = page
    st.session_state.pop(HOSTED, None)  # set again below for a student on a page of FOLLOW_IN_PAGE
    try:
        info = in_class()
        if info is None and not teacher_token():
            _recall_ui()
            info = in_class()  # let back in: this run draws the class (and its poller) already
        if info is None:
            return
        if info.ended is not None:
            st.session_state.pop(CLASS, None)
            st.info(t("cls_ended"))
            return
        if room().is_teacher(info.id, teacher_token()):
            _teacher_sidebar(info)
        else:
            _student_sidebar(info)
    except CnnvizError as exc:
        show_error(exc)


def _student_sidebar(info: ClassInfo) -> None:
    member = room().member(info.id, st.session_state.get(MEMBER, ""))
    if member is None:
        st.session_state.pop(CLASS, None)
        return
    st.markdown(t("cls_in_class", code=info.code, nickname=untrusted(member.nickname)))
    _follow_ui(info)
    if st.button(t("cls_leave"), key="cls_leave_btn"):
        st.session_state[LEFT] = True
        for key in (CLASS, MEMBER, FOLLOW, APPLIED):
            st.session_state.pop(key, None)
        st.rerun()


def _teacher_sidebar(info: ClassInfo) -> None:
    present = st.toggle(t("cls_present"), key="cls_presenting", value=info.presenting,
                        help=t("cls_present_help"))
    if not present and info.presenting:
        room().stop_presenting(info.id, teacher_token())  # type: ignore[arg-type]
    # The choice is kept under BIG, which every page reads (presenter_view), so the presenter view
    # stays on from page to page until it is turned off.
    st.toggle(t("cls_big"), key="cls_big", value=presenter_view(), help=t("cls_big_help"), on_change=_keep_big)
    n = len(room().members(info.id))
    st.markdown(t("cls_teaching", code=info.code, n=n))
    st.session_state["cls_ask_box"] = st.container()  # filled by page_end, after the page offered its questions


def presenter_view() -> bool:
    """Whether this teacher's pages are in presenter view (large type for the projector)."""
    return bool(st.session_state.get(BIG, False))


def presenter_zoom() -> float:
    """How much the pages' cell drawings (step view, maps, kernels) grow: PRESENTER_ZOOM in
    presenter view, else 1."""
    return PRESENTER_ZOOM if presenter_view() else 1.0


def _keep_big() -> None:
    st.session_state[BIG] = bool(st.session_state.get("cls_big"))


def share_view() -> None:
    """For a part of a page that reruns alone (a fragment): a presenting teacher's view reaches the class
    without a whole-page run. In a whole run page_end does it, once the whole page has written its URL
    (presenting half of it here would cost every follower a second rerun)."""
    token = teacher_token()
    if whole_run() or token is None or not st.session_state.get("cls_presenting"):
        return  # a student's fragment run reads nothing from the class's store here
    info = in_class()
    if info is not None and room().is_teacher(info.id, token):
        room().present(info.id, token, _page(), _query())


def page_end() -> None:
    """Last call of a page: the teacher's view, when presenting, becomes what followers see."""
    info = in_class()
    token = teacher_token()
    if info is None or token is None or not room().is_teacher(info.id, token):
        return
    box = st.session_state.pop("cls_ask_box", None)
    if box is not None:
        with box:
            ask_ui(info)
    if st.session_state.get("cls_presenting"):
        room().present(info.id, token, _page(), _query())


# --- the home page: start, resume or join a class -----------------------------------------------


def home_class_ui() -> None:
    st.subheader(t("cls_header"))
    join, teach = st.columns(2, gap="large")
    with join:
        _join_form()
    with teach:
        _teacher_form()


def _join_form() -> None:
    info = in_class()
    if info is not None and not teacher_token():
        st.success(t("cls_joined", code=info.code))
        return
    with st.form("cls_join_form", border=True):
        code = st.text_input(t("cls_code"), value=st.query_params.get("join", "")[:12], max_chars=12)
        nickname = st.text_input(t("cls_nickname"), max_chars=24, help=t("cls_nickname_help"))
        if st.form_submit_button(t("cls_join"), type="primary"):
            try:
                found = room().find(code, who=_who())
                member = room().join(found.id, nickname, st.session_state.get(MEMBER))
                st.session_state.update({CLASS: found.id, MEMBER: member.id, FOLLOW: True})
                st.rerun()
            except CnnvizError as exc:
                show_error(exc)


def _teacher_form() -> None:
    if not teacher_enabled():
        st.caption(t("cls_no_teacher"))
        return
    if not teacher_token():
        with st.form("cls_teacher_form", border=True):
            password = st.text_input(t("cls_password"), type="password")
            if st.form_submit_button(t("cls_teacher_login")):
                if teacher_password_ok(password):
                    st.session_state[TEACHER] = teacher_identity(password)
                    st.rerun()
                st.error(t("cls_bad_password"))
        return
    _teacher_panel()


def _teacher_panel() -> None:
    token = teacher_token()
    info = in_class()
    if info is None:
        for open_class in room().teaching(token):  # type: ignore[arg-type]
            if st.button(t("cls_resume", code=open_class.code, title=open_class.title or "–"),
                         key=f"cls_resume_{open_class.id}"):
                st.session_state[CLASS] = open_class.id
                st.rerun()
        title = st.text_input(t("cls_title"), max_chars=80, key="cls_title_in")
        if st.button(t("cls_start"), type="primary", key="cls_start_btn"):
            st.session_state[CLASS] = room().start(token, title).id  # type: ignore[arg-type]
            st.rerun()
        _past_classes_ui(token)  # type: ignore[arg-type]
        return
    _join_card(info)
    if st.button(t("cls_end"), key="cls_end_btn", help=t("cls_end_help")):
        room().end(info.id, token)  # type: ignore[arg-type]
        st.session_state.pop(CLASS, None)
        st.rerun()


def _past_classes_ui(token: str) -> None:
    """What each ended class kept: who came, the questions and how the class answered them."""
    ended = room().teaching(token, ended=True)
    if not ended:
        return
    with st.expander(t("cls_past", n=len(ended))):
        for info in ended[:10]:
            st.markdown(t("cls_past_line", code=info.code, title=untrusted(info.title or "–"),
                          n=len(room().members(info.id))))
            for q, tally in book().summary(info.id):
                st.caption(t("cls_past_question", text=question_text(q.topic, q.params), total=tally.total,
                             correct=tally.correct, answer=_choice_label(q.answer)))


def _join_card(info: ClassInfo) -> None:
    """The code, the link and a QR code, large enough to read from the back of a room."""
    import io

    import segno

    link = join_link(st.context.url, info.code)
    st.markdown(t("cls_code_big", code=info.code))
    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=8, border=2)
    st.image(buf.getvalue(), width=240)
    st.code(link, language=None)
    names = [m.nickname for m in room().members(info.id)]
    st.caption(t("cls_who_is_in", n=len(names), names=untrusted(", ".join(names), 400) if names else "–"))


# --- predict, then reveal ------------------------------------------------------------------------

# Ready questions of the course, per page (their answers come from cnnviz.classroom.questions)
READY = {"pages/convolution.py": ("q_course_output_5x5", "q_course_stride_7", "q_course_pool_4x4",
                                  "q_course_cell", "q_course_conv1_params"),
         "pages/inspect.py": ("q_course_lenet_params",), "pages/train.py": ("q_course_lenet_params",),
         "pages/architectures.py": ("q_course_lenet_params",)}
BIG = "cls_big_on"  # the presenter view, kept across pages
PRESENTER_ZOOM = 2.0  # cells in presenter view at most: the step view's values 26 px, products 18 px at 1920x1080
OFFERS = "cls_offers"  # questions about the current view, offered by the page during this run


def book() -> QuestionBook:
    return QuestionBook(room())


def offer_question(topic: str, kind: str, answer: object, params: dict | None = None,
                   choices: tuple[str, ...] = ()) -> None:
    """A page offers the teacher a question about what it shows now, with the answer it computed."""
    if teaching():
        st.session_state.setdefault(OFFERS, {})[topic] = {"kind": kind, "answer": answer,
                                                          "params": params or {}, "choices": choices}


def question_text(q_topic: str, params: dict) -> str:
    return t(q_topic, **params)


def _choice_label(value: str) -> str:
    text = t(f"q_choice_{value}")
    return value if text == f"q_choice_{value}" else text


def question_ui() -> None:
    """A student's side of the current question: answer it while open; the answer once revealed."""
    info = in_class()
    member = st.session_state.get(MEMBER)
    if info is None or member is None or room().is_teacher(info.id, teacher_token()):
        return
    q = book().current(info.id)
    if q is None:
        return
    with st.container(border=True, key="cls_question"):
        st.markdown(t("cls_question_head") + " " + question_text(q.topic, q.params))
        mine = book().my_answer(q.id, member)
        if q.state == "revealed":
            right = mine == q.answer
            st.markdown(t("cls_answer_was", answer=_choice_label(q.answer)) + " " +
                        (t("cls_you_right") if right else t("cls_you_wrong", yours=untrusted(mine or "–"))))
            return
        with st.form(f"cls_answer_{q.id}", border=False):
            if q.kind == "choice":
                value = st.radio(t("cls_your_answer"), q.choices, format_func=_choice_label, horizontal=True)
            else:
                value = st.text_input(t("cls_your_answer"), value=mine or "", max_chars=20)
            if st.form_submit_button(t("cls_send")):
                try:
                    book().answer(q.id, member, value)
                    st.rerun()
                except CnnvizError as exc:
                    show_error(exc)
        if mine is not None:
            st.caption(t("cls_answer_sent", answer=untrusted(_choice_label(mine))))


def ask_ui(info: ClassInfo) -> None:
    """The teacher's question panel (in the sidebar): ask a ready or a current-view question,
    watch the anonymous tally grow, reveal."""
    token = teacher_token()
    offers = st.session_state.pop(OFFERS, {})
    ready = {topic: None for topic in READY.get(_page(), ())}
    topics = [*offers, *ready]
    with st.expander(t("cls_ask"), expanded=True):
        if topics:
            topic = st.selectbox(t("cls_ask_which"), topics, key="cls_topic",
                                 format_func=lambda k: question_text(k, (offers.get(k) or _ready(k))["params"]))
            if st.button(t("cls_ask_btn"), key="cls_ask_btn", icon=":material/help:"):
                made = offers.get(topic) or _ready(topic)
                book().ask(info.id, token, topic, made["kind"], made["answer"], made["params"],  # type: ignore[arg-type]
                           tuple(made.get("choices", ())))
        fragment(run_every=1.0)(_tally_ui)(info.id)


def _ready(topic: str) -> dict:
    from cnnviz.classroom.questions import course_question

    return course_question(topic)


def _tally_ui(class_id: str) -> None:
    q = book().current(class_id)
    if q is None:
        st.caption(t("cls_no_question"))
        return
    tally = book().tally(q.id)
    st.markdown(question_text(q.topic, q.params))
    st.metric(t("cls_answers"), f"{tally.total} / {len(room().members(class_id))}",
              delta=t("cls_right_count", n=tally.correct) if q.state == "revealed" else None)
    if tally.counts:
        st.bar_chart({_choice_label(v): n for v, n in tally.counts}, height=160, horizontal=True)
    if q.state == "open":
        if st.button(t("cls_reveal"), key="cls_reveal_btn", type="primary"):
            book().reveal(q.id, teacher_token())  # type: ignore[arg-type]
            st.rerun()
    else:
        st.markdown(t("cls_answer_was", answer=_choice_label(q.answer)))
        if tally.wrong:
            st.caption(t("cls_common_wrong", wrong=untrusted(", ".join(f"{v} ({n})" for v, n in tally.wrong))))
