"""A Streamlit browser tab at the protocol level: one websocket to ``/_stcore/stream``, BackMsg
protobufs out, ForwardMsg protobufs in, as Streamlit's frontend speaks them. No JavaScript runs:
custom components, timers and fragments' ``run_every`` only happen when the caller asks.

What the frontend does, and so this client does (streamlit/streamlit frontend/connection and
lib/WidgetStateManager; server side web/server/starlette/starlette_websocket.py and
runtime/app_session.py):
- connect with the subprotocol ``streamlit``; the first BackMsg is ``rerun_script`` with the
  URL's query string and page name and no widget states;
- every later interaction sends ``rerun_script`` with the current page's ``page_script_hash``,
  the query string the server last set (PageInfo), every widget value the user has set, and the
  fragment id of the widget's delta when the widget lives in a fragment;
- it lists the hashes of cacheable messages it already holds (``cached_message_hashes``); the
  server then sends only a ``ref_hash`` for those, which the tab resolves from its cache;
- a run ends with ForwardMsg ``script_finished``.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

__all__ = ["Rerun", "Tab", "Widget", "http_get", "trigger_id"]

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
TRIGGERS = ("trigger_value", "string_trigger_value", "json_trigger_value")
INTERNAL = "$$STREAMLIT_INTERNAL_KEY"  # streamlit.runtime.state.session_state.STREAMLIT_INTERNAL_KEY_PREFIX


@dataclass
class Widget:
    """A widget as the tab last saw it: its server id, proto (options, value) and fragment."""

    id: str
    kind: str
    proto: Any
    fragment_id: str = ""


@dataclass
class Rerun:
    """One interaction: seconds from sending to ``script_finished``, bytes and messages received."""

    seconds: float
    bytes: int
    messages: int
    ok: bool
    text: str = ""  # every markdown/text/heading/caption body the run drew, for checking what it drew
    error: str = ""


def trigger_id(component_id: str, event: str = "events") -> str:
    """The id of a custom component's trigger widget (components v2: one aggregator per instance)."""
    return f"{INTERNAL}_{component_id}__{event}"


def _text_of(element: Any) -> str:
    kind = element.WhichOneof("type")
    if kind in ("markdown", "text", "heading", "code", "alert"):
        return getattr(getattr(element, kind), "body", "")
    if kind == "metric":
        return f"{element.metric.label} {element.metric.body}"
    return ""


@dataclass
class Tab:
    """One student's browser tab: ``await open()``, then ``await change(key, value)``."""

    base: str  # e.g. http://127.0.0.1:8501
    page: str = ""  # URL path of the page: "" for home, "convolution"
    query: str = ""
    timeout: float = 60.0
    widgets: dict[str, Widget] = field(default_factory=dict)  # by user key (or component id)
    states: dict[str, WidgetState] = field(default_factory=dict)  # what the user set, by widget id
    cache: dict[str, ForwardMsg] = field(default_factory=dict)
    page_hash: str = ""
    received: int = 0

    async def open(self) -> Rerun:
        ws_url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout,
                                ping_interval=None, origin=self.base)  # type: ignore[arg-type]
        return await self._run()

    async def close(self) -> None:
        await self.ws.close()

    def widget(self, key: str) -> Widget:
        """The widget created with ``key=...`` (its id ends with ``-<key>``), or a component's id."""
        return self.widgets[key]

    async def change(self, key: str, kind: str, value: Any) -> Rerun:
        """Set widget ``key``'s value (``kind``: the WidgetState field, e.g. double_array_value) and rerun."""
        w = self.widget(key)
        state = WidgetState(id=w.id)
        _set_value(state, kind, value)
        if kind in TRIGGERS:  # a button press is sent once, as the frontend does, never kept
            return await self._run(extra=[state], fragment_id=w.fragment_id)
        self.states[w.id] = state
        return await self._run(fragment_id=w.fragment_id)

    async def trigger(self, component_id: str, event: str, value: Any) -> Rerun:
        """A custom component's ``setTriggerValue(event, value)``: a one-off value, then a rerun."""
        state = WidgetState(id=trigger_id(component_id), json_trigger_value=json.dumps([{"event": event,
                                                                                          "value": value}]))
        fragment = next((w.fragment_id for w in self.widgets.values() if w.id == component_id), "")
        return await self._run(extra=[state], fragment_id=fragment)

    async def set_component_state(self, component_id: str, values: dict[str, Any]) -> Rerun:
        """A custom component's ``setStateValue``: its JSON state, kept for later reruns."""
        self.states[component_id] = WidgetState(id=component_id, json_value=json.dumps(values))
        return await self._run()

    async def rerun(self) -> Rerun:
        return await self._run()

    def _back_msg(self, extra: list[WidgetState], fragment_id: str) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        cs.page_name = "" if self.page_hash else self.page
        cs.fragment_id = fragment_id
        cs.widget_states.widgets.extend([*self.states.values(), *extra])
        cs.cached_message_hashes.extend(self.cache)
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
        ci.url, ci.is_embedded, ci.color_scheme = f"{self.base}/{self.page}", False, "light"
        return msg.SerializeToString()

    async def _run(self, extra: list[WidgetState] | None = None, fragment_id: str = "") -> Rerun:
        t0 = time.perf_counter()
        size = count = 0
        texts: list[str] = []
        try:
            await self.ws.send(self._back_msg(extra or [], fragment_id))
            async with asyncio.timeout(self.timeout):
                while True:
                    frame = await self.ws.recv()
                    size += len(frame)
                    count += 1
                    msg = ForwardMsg()
                    msg.ParseFromString(frame)
                    if msg.WhichOneof("type") == "ref_hash":
                        msg = self.cache[msg.ref_hash]
                    status = self._absorb(msg, texts)
                    if status is not None and status in DONE:
                        break
        except (TimeoutError, OSError, KeyError, Exception) as exc:  # noqa: BLE001 - a failed click, counted
            self.received += size
            return Rerun(time.perf_counter() - t0, size, count, False, "\n".join(texts), f"{type(exc).__name__}: {exc}")
        self.received += size
        return Rerun(time.perf_counter() - t0, size, count, True, "\n".join(texts))

    def _absorb(self, msg: ForwardMsg, texts: list[str]) -> int | None:
        """Take in one ForwardMsg; the script_finished status when it is one."""
        kind = msg.WhichOneof("type")
        if msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash
        elif kind == "navigation":  # st.navigation's choice: the page actually run
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            texts.append(_text_of(element))
            self._remember(element, msg.delta.fragment_id)
        elif kind == "script_finished":
            return msg.script_finished
        return None

    def _remember(self, element: Any, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind, None)
        wid = getattr(proto, "id", "") if proto is not None else ""
        if not isinstance(wid, str) or not wid:
            return
        key = wid.rsplit("-", 1)[-1] if wid.startswith("$$ID-") else wid
        if kind == "bidi_component":
            key = proto.component_name.rsplit(".", 1)[-1] + ":" + _component_key(wid)
        self.widgets[key] = Widget(wid, kind, proto, fragment_id)


def _component_key(wid: str) -> str:
    return wid.rsplit("-", 1)[-1]


def _set_value(state: WidgetState, kind: str, value: Any) -> None:
    if kind in ("double_array_value", "int_array_value", "string_array_value"):
        getattr(state, kind).data.extend(value)
    else:
        setattr(state, kind, value)


async def http_get(host: str, port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """One HTTP/1.1 GET on a fresh connection (a browser's ``fetch`` of a static file): status, body."""
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCache-Control: no-store\r\n"
                         "Connection: close\r\n\r\n".encode())
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunk(body)
    return status, body


def _dechunk(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out
