"""The generated nginx config, run by a real nginx in front of two tiny local HTTP servers that
stand in for Streamlit replicas: new browsers take turns, a cookie keeps a browser on its replica,
a dead replica's browsers move, websocket headers and uploads pass, too-big bodies stop at nginx.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cnnviz.classroom.nginx import (COOKIE, HEADER, LIVE_URL, find_nginx, nginx_command, nginx_config,
                                   worker_user)
from cnnviz.fileio import write_atomic

pytestmark = pytest.mark.skipif(find_nginx() is None, reason="nginx is not installed")
UPLOAD_MB = 1
DEADLINE_S = 20.0


class Replica(BaseHTTPRequestHandler):
    """Answers with its own port and the headers it got; /hold waits until the test releases it."""

    release = threading.Event()

    def _answer(self, body_length: int = 0) -> None:
        if self.path == "/hold":
            self.release.wait(DEADLINE_S)
        body = json.dumps({"port": self.server.server_address[1], "headers": dict(self.headers),
                           "received": body_length}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer()

    def do_PUT(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self._answer(len(self.rfile.read(length)))

    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[tuple[int, list[ThreadingHTTPServer]]]:
    """nginx on a free port in front of two replicas; yields (port, replica servers)."""
    replicas = [ThreadingHTTPServer(("127.0.0.1", 0), Replica) for _ in range(2)]
    for server in replicas:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    port = free_port()
    ports = [s.server_address[1] for s in replicas]
    (tmp_path / "live").mkdir()
    (tmp_path / "nginx.conf").write_text(nginx_config(tmp_path, ports, port, "127.0.0.1", UPLOAD_MB,
                                                      live_dir=tmp_path / "live", user=worker_user()))
    nginx = subprocess.Popen(nginx_command(find_nginx(), tmp_path), stderr=subprocess.PIPE)
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert nginx.poll() is None, nginx.stderr.read().decode() if nginx.stderr else ""
            time.sleep(0.05)
    Replica.release.clear()
    yield port, replicas
    Replica.release.set()
    nginx.terminate()
    nginx.wait(timeout=10)
    for server in replicas:
        server.shutdown()
        server.server_close()


def request(port: int, path: str = "/", cookie: str | None = None, method: str = "GET",
            body: bytes | None = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = f"{COOKIE}={cookie}"
    conn.request(method, path, body=body, headers=sent)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, (json.loads(data) if response.status == 200 else None)


def test_a_cookie_keeps_a_browser_on_its_replica(proxy) -> None:  # type: ignore[no-untyped-def]
    port, replicas = proxy
    for name, server in (("web-1", replicas[0]), ("web-2", replicas[1])):
        for _ in range(3):
            response, answer = request(port, cookie=name)
            assert answer["port"] == server.server_address[1]
            assert response.getheader(HEADER) == name
            assert response.getheader("Set-Cookie").startswith(f"{COOKIE}={name};")


def test_new_browsers_take_turns(proxy) -> None:  # type: ignore[no-untyped-def]
    """Browsers seen for the first time alternate between the replicas, and each cookie names the
    replica that answered; a class opening the app at once is spread evenly."""
    port, replicas = proxy
    names = {server.server_address[1]: f"web-{i + 1}" for i, server in enumerate(replicas)}
    served = []
    for _ in range(4):
        response, answer = request(port)
        assert response.getheader(HEADER) == names[answer["port"]]
        assert response.getheader("Set-Cookie").startswith(f"{COOKIE}={names[answer['port']]};")
        served.append(names[answer["port"]])
    assert served[0] != served[1] and served[:2] == served[2:]


def test_a_new_browser_avoids_a_replica_busy_with_a_first_request(proxy) -> None:  # type: ignore[no-untyped-def]
    port, _ = proxy
    held: dict[str, object] = {}
    thread = threading.Thread(target=lambda: held.update(zip(("response", "answer"), request(port, "/hold"))))
    thread.start()
    time.sleep(0.5)  # let nginx pass the held request on first (a wait, not a measurement)
    others = [request(port)[0].getheader(HEADER) for _ in range(2)]
    Replica.release.set()
    thread.join(DEADLINE_S)
    busy = held["response"].getheader(HEADER)  # type: ignore[attr-defined]
    assert busy in ("web-1", "web-2") and others == [{"web-1": "web-2", "web-2": "web-1"}[busy]] * 2


def test_a_dead_replicas_browsers_move_and_their_cookie_follows(proxy) -> None:  # type: ignore[no-untyped-def]
    port, replicas = proxy
    replicas[1].shutdown()
    replicas[1].server_close()
    response, answer = request(port, cookie="web-2")
    assert answer["port"] == replicas[0].server_address[1]
    assert response.getheader(HEADER) == "web-1"
    assert response.getheader("Set-Cookie").startswith(f"{COOKIE}=web-1;")


def test_websocket_and_host_headers_reach_the_replica(proxy) -> None:  # type: ignore[no-untyped-def]
    port, _ = proxy
    _, answer = request(port, cookie="web-1", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    got = {k.lower(): v for k, v in answer["headers"].items()}
    assert got["upgrade"] == "websocket" and got["connection"].lower() == "upgrade"
    assert got["host"] == f"127.0.0.1:{port}"  # with the port: Streamlit compares it to Origin
    _, plain = request(port, cookie="web-1")
    assert {k.lower(): v for k, v in plain["headers"].items()}["connection"] == "close"


def test_uploads_pass_up_to_the_limit_and_bigger_ones_stop_at_nginx(proxy) -> None:  # type: ignore[no-untyped-def]
    port, _ = proxy
    body = b"x" * (UPLOAD_MB << 20)  # exactly the app's limit: nginx must let it through
    response, answer = request(port, "/_stcore/upload_file/s/f", cookie="web-2", method="PUT", body=body)
    assert response.status == 200 and answer["received"] == len(body)
    assert response.getheader(HEADER) == "web-2"
    too_big = b"x" * ((UPLOAD_MB + 2) << 20)
    response, _ = request(port, "/_stcore/upload_file/s/f", cookie="web-2", method="PUT", body=too_big)
    assert response.status == 413
    assert response.getheader("Set-Cookie") is None  # the browser keeps its replica


def test_nginx_serves_the_live_files_itself_fresh_each_time(proxy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What every follower polls never reaches a replica; a new version is seen at once."""
    port, _ = proxy
    live = tmp_path / "live" / "abc.json"
    for version in (1, 2):
        write_atomic(live, json.dumps({"version": version}).encode())  # as Classroom writes it (0644, replaced)
        response, answer = request(port, f"{LIVE_URL}abc.json?t={version}")
        assert response.status == 200 and answer == {"version": version}
        assert response.getheader(HEADER) is None  # nginx answered, no replica
        assert response.getheader("Cache-Control") == "no-store"
        assert response.getheader("Content-Type") == "application/json"
    response, answer = request(port, f"{LIVE_URL}other.json")
    assert response.status == 404 and response.getheader(HEADER) is None


def test_a_live_folder_nginx_cannot_name_is_left_to_the_replicas(tmp_path: Path) -> None:
    odd = tmp_path / "my class" / "live"
    text = nginx_config(tmp_path, [1, 2], 80, live_dir=odd)
    assert LIVE_URL not in text and "location / {" in text
    assert f"alias {tmp_path.resolve()}/live/;" in nginx_config(tmp_path, [1], 80, live_dir=tmp_path / "live")


def test_workers_run_as_the_user_named_and_only_a_plain_name_is_written(tmp_path: Path) -> None:
    assert "\nuser teacher;\n" in nginx_config(tmp_path, [1], 80, user="teacher")
    assert "user " not in nginx_config(tmp_path, [1], 80, user="x; include /etc/passwd")
    assert "user " not in nginx_config(tmp_path, [1], 80)
