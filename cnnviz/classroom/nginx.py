"""nginx in front of several Streamlit replicas: finding the binary, writing its config, its command.

Routing: browsers seen for the first time take turns (least_conn over first requests: replicas in
turn, skipping one still busy with a first request), the response sets a cookie naming the replica,
and every later request with the cookie (page, websocket, uploads, media) goes to that replica. If
it is down, a live one answers and the cookie moves there. The classes' live files, which every
follower polls, nginx serves itself. Nothing here starts a process.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["COOKIE", "ENV_NGINX", "HEADER", "INSTALL_HINT", "LIVE_URL", "find_nginx", "nginx_command",
           "nginx_config", "replica_name", "worker_user"]

COOKIE = "cnnviz_replica"
HEADER = "X-Cnnviz-Replica"  # which replica answered: for tests and for whoever debugs a classroom
ENV_NGINX = "CNNVIZ_NGINX"
CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx",
              "/opt/homebrew/bin/nginx")
INSTALL_HINT = ("install nginx (Debian/Ubuntu: sudo apt-get install nginx; macOS: brew install "
                "nginx) or name it with CNNVIZ_NGINX=/path/to/nginx, or serve with --replicas 1")
# Streamlit enforces its own upload limit exactly; nginx only must not be stricter, and a
# multipart body carries a little more than the file.
BODY_MARGIN_MB = 1
LIVE_URL = "/app/static/live/"  # where Streamlit's static serving puts static/live/<class>.json


def find_nginx(env: Mapping[str, str] = os.environ) -> Path | None:
    """CNNVIZ_NGINX if set (None when it is not a file), else nginx on PATH or in the usual places."""
    named = env.get(ENV_NGINX, "").strip()
    if named:
        return Path(named) if Path(named).is_file() else None
    found = shutil.which("nginx")
    if found:
        return Path(found)
    return next((Path(c) for c in CANDIDATES if Path(c).is_file()), None)


def replica_name(index: int) -> str:
    """web-1, web-2, ...: the cookie value, the response header and the launcher's log prefix."""
    return f"web-{index + 1}"


def _upstreams(ports: Sequence[int]) -> list[str]:
    """One pool for new browsers, and per replica a pool where the other replicas stand by.

    nginx counts connections per pool, so least_conn sees first requests only, not the websockets
    that follow in the per-replica pools: it spreads newcomers in turn, not by open tabs.
    """
    lines = ["upstream cnnviz_any {", "    zone cnnviz_any 64k;", "    least_conn;"]
    lines += [f"    server 127.0.0.1:{port};" for port in ports]
    lines.append("}")
    for i, port in enumerate(ports):
        lines.append(f"upstream cnnviz_{i + 1} {{")
        lines.append(f"    server 127.0.0.1:{port};")
        lines += [f"    server 127.0.0.1:{other} backup;" for other in ports if other != port]
        lines.append("}")
    return lines


def _maps(ports: Sequence[int]) -> list[str]:
    """Cookie -> pool; the address that answered -> replica name -> the cookie to set."""
    names = [replica_name(i) for i in range(len(ports))]
    lines = [f"map $cookie_{COOKIE} $cnnviz_pool {{", "    default cnnviz_any;"]
    lines += [f"    {name} cnnviz_{i + 1};" for i, name in enumerate(names)]
    lines += ["}", "map $upstream_addr $cnnviz_served {", '    default "";']
    # After a failed try nginx lists every address it tried ("a, b"): the last one answered.
    lines += [f'    "~(^|\\s)127\\.0\\.0\\.1:{port}$" {name};' for port, name in zip(ports, names)]
    lines += ["}", "map $cnnviz_served $cnnviz_cookie {", '    "" "";',
              f'    default "{COOKIE}=$cnnviz_served; Path=/; HttpOnly; SameSite=Lax";', "}"]
    lines += ["map $http_upgrade $cnnviz_connection {", "    default upgrade;", '    "" close;', "}"]
    return lines


def _location() -> list[str]:
    return [
        "location / {",
        "    proxy_pass http://$cnnviz_pool;",
        # Websockets: HTTP/1.1 with the upgrade headers; a tab may sit idle for a whole lesson.
        "    proxy_http_version 1.1;",
        "    proxy_set_header Upgrade $http_upgrade;",
        "    proxy_set_header Connection $cnnviz_connection;",
        "    proxy_read_timeout 1d;",
        "    proxy_send_timeout 1d;",
        # Streamlit refuses a websocket whose Origin differs from Host: keep the port in Host.
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        # Uploads stream straight to the replica, and big responses (Plotly's 4.6 MB script) to the
        # browser, instead of through temporary files (each of which logged a warning).
        "    proxy_request_buffering off;",
        "    proxy_max_temp_file_size 0;",
        f"    add_header {HEADER} $cnnviz_served always;",
        "    add_header Set-Cookie $cnnviz_cookie always;",
        "}",
    ]


def _live_location(live_dir: Path | None) -> list[str]:
    """The classes' live files (what every follower's browser fetches each POLL_MS) straight from
    their folder: a hundred followers' polls then cost the replicas nothing. A folder whose name
    cannot stand in the config unquoted is left to the replicas, which serve the same files."""
    if live_dir is None or not _plain(Path(live_dir)):
        return []
    return [f"location {LIVE_URL} {{", f"    alias {Path(live_dir).resolve()}/;", "    default_type application/json;",
            '    add_header Cache-Control "no-store" always;', "}"]


def _plain(folder: Path) -> bool:
    return not re.search(r'[\s;{}"\'$\\]', str(folder))


def worker_user() -> str | None:
    """The user nginx's workers must run as to read the live files: started as root, nginx would
    switch them to nobody, who may not enter the app's folder; they run as the app's own user then
    (no more than the replicas beside them have). None when nginx does not switch (not root)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def nginx_config(folder: Path, ports: Sequence[int], listen_port: int,
                 listen_host: str = "0.0.0.0", max_upload_mb: int = 200, live_dir: Path | None = None,
                 user: str | None = None) -> str:
    """The whole nginx.conf for replicas on 127.0.0.1:<ports>; pid and temp files in ``folder``;
    the classes' live files from ``live_dir`` when given; workers as ``user`` (see worker_user)."""
    if not ports:
        raise ValueError("nginx needs at least one replica port")
    folder = Path(folder)
    if not _plain(folder):
        raise ValueError(f"{folder} is no folder name to put in an nginx config")
    temp = [f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                             "uwsgi", "scgi")]
    http = ["access_log off;", "server_tokens off;",
            f"client_max_body_size {max_upload_mb + BODY_MARGIN_MB}m;", *temp,
            *_upstreams(ports), *_maps(ports),
            "server {", f"    listen {listen_host}:{listen_port};",
            *("    " + line for line in _location()), *("    " + line for line in _live_location(live_dir)), "}"]
    lines = ["# Written by cnnviz.classroom.serve for one run of the server and deleted when it stops.",
             "daemon off;", *([f"user {user};"] if user and re.fullmatch(r"[\w.-]+", user) else []),
             "worker_processes 1;", f"pid {folder / 'nginx.pid'};",
             "error_log stderr warn;", "events {", "    worker_connections 4096;", "}",
             "http {", *("    " + line for line in http), "}"]
    return "\n".join(lines) + "\n"


def nginx_command(binary: Path, folder: Path, check_only: bool = False) -> list[str]:
    """nginx with our config and prefix; ``-e stderr`` keeps it off /var/log before it reads it."""
    command = [str(binary), "-p", str(folder), "-c", str(Path(folder) / "nginx.conf"), "-e", "stderr"]
    return command + ["-t", "-q"] if check_only else command
