"""The classroom server: `python -m cnnviz.classroom.serve [--replicas N] [streamlit options]`.

Starts the training workers (CNNVIZ_JOBS_CPU on the CPU, CNNVIZ_JOBS_GPU per CUDA GPU), one
Streamlit process per replica and, with more than one replica, nginx in front; gives every
process its CPU thread budget; restarts what dies; stops everything on Ctrl+C or SIGTERM. Exit
codes: 0 stopped on request, 1 could not start, 2 bad arguments, 3 a process kept crashing,
4 stopped but a process had to be killed. It serves no page itself.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cnnviz.classroom.classes import ENV_POLL_MS, LIVE_DIR
from cnnviz.classroom.nginx import (INSTALL_HINT, find_nginx, nginx_command, nginx_config, replica_name,
                                   worker_user)
from cnnviz.classroom.supervise import EXIT_START_FAILED, ProcSpec, Supervisor
from cnnviz.train.backends import jobs_backend

__all__ = ["Plan", "main", "make_plan", "max_upload_mb", "plan_processes", "probe_machine",
           "split_server_options"]

ROOT = Path(__file__).resolve().parents[2]  # app.py and .streamlit/ live here
DEFAULT_PORT = 8501
STREAMLIT_DEFAULT_UPLOAD_MB = 200  # Streamlit's own default when nothing sets server.maxUploadSize
ENV_REPLICAS, ENV_JOBS_CPU, ENV_JOBS_GPU = "CNNVIZ_REPLICAS", "CNNVIZ_JOBS_CPU", "CNNVIZ_JOBS_GPU"
WORKER_MODULE = "cnnviz.train.worker"
NGINX_POLL_MS = 350  # cnnviz.classroom.classes.poll_ms where nginx serves the live files
ENV_THREADS = "CNNVIZ_TORCH_THREADS"  # cnnviz.device's name, not imported: it would import torch
HEALTH_TIMEOUT_S = 180.0  # a cold replica imports torch and Streamlit: seconds on a busy 2-core box
PREFIX = "cnnviz.classroom.serve: "


@dataclass(frozen=True)
class Plan:
    """What a server start means: how many of each process, on which ports, with what arguments."""

    replicas: int = 1
    cpu_workers: int = 1
    gpu_workers_per_gpu: int = 1
    gpus: int = 0
    cores: int = 1
    budget: Mapping[str, int] = field(default_factory=lambda: {"web": 1, "cpu_worker": 1, "gpu_worker": 1})
    port: int = DEFAULT_PORT
    address: str | None = None  # None: every interface
    replica_ports: tuple[int, ...] = (DEFAULT_PORT,)
    worker_command: tuple[str, ...] | None = None  # None: no worker processes
    ray_address: str | None = None  # CNNVIZ_JOBS=ray...: one dispatcher to the cluster, no local workers
    streamlit_args: tuple[str, ...] = ()
    max_upload_mb: int = STREAMLIT_DEFAULT_UPLOAD_MB
    python: str = sys.executable


def split_server_options(args: Sequence[str]) -> tuple[str | None, str | None, list[str]]:
    """Take --server.port and --server.address out of Streamlit's arguments: (port, address, rest)."""
    found: dict[str, str | None] = {"--server.port": None, "--server.address": None}
    rest: list[str] = []
    items = iter(args)
    for arg in items:
        name, eq, value = arg.partition("=")
        if name in found:
            found[name] = value if eq else next(items, None)
        else:
            rest.append(arg)
    return found["--server.port"], found["--server.address"], rest


def max_upload_mb(args: Sequence[str], env: Mapping[str, str], config: Path) -> int:
    """server.maxUploadSize as Streamlit resolves it: command line, environment, config file."""
    values = [v for a, v in zip(args, [*args[1:], ""]) if a == "--server.maxUploadSize"]
    values += [a.partition("=")[2] for a in args if a.startswith("--server.maxUploadSize=")]
    if values:
        return int(values[-1])
    if env.get("STREAMLIT_SERVER_MAX_UPLOAD_SIZE"):
        return int(env["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"])
    try:
        with config.open("rb") as f:
            return int(tomllib.load(f).get("server", {}).get("maxUploadSize",
                                                             STREAMLIT_DEFAULT_UPLOAD_MB))
    except (OSError, tomllib.TOMLDecodeError):
        return STREAMLIT_DEFAULT_UPLOAD_MB


def _environment(base: Mapping[str, str], threads: int, keep_user_threads: bool) -> dict[str, str]:
    """A child's environment: the launcher's, the thread budget, absolute runs and data folders."""
    env = dict(base)
    for name, default in (("CNNVIZ_RUNS", "runs"), ("CNNVIZ_DATA", "data")):
        env[name] = str((ROOT / env.get(name, default)).resolve())  # same folder whatever the cwd
    env["OMP_NUM_THREADS"] = str(threads)
    if not (keep_user_threads and env.get(ENV_THREADS, "").strip()):
        env[ENV_THREADS] = str(threads)
    return env


def worker_specs(plan: Plan, base: Mapping[str, str]) -> list[ProcSpec]:
    """CPU workers with the cores left over, then per GPU its workers with one feeding thread."""
    if plan.worker_command is None:
        return []
    budget = plan.budget
    if plan.ray_address is not None:  # the cluster trains; one process hands it the queue
        argv = (*plan.worker_command, "--backend", "ray", "--address", plan.ray_address,
                "--threads", str(budget["cpu_worker"]))
        return [ProcSpec("worker-ray", argv, _environment(base, 1, keep_user_threads=False), ROOT)]
    devices = [("cpu", "cpu", budget["cpu_worker"])] * plan.cpu_workers
    for gpu in range(plan.gpus):
        devices += [(f"cuda:{gpu}", f"cuda{gpu}", budget["gpu_worker"])] * plan.gpu_workers_per_gpu
    specs, seen = [], {}
    for device, label, threads in devices:
        seen[label] = seen.get(label, 0) + 1
        argv = (*plan.worker_command, "--device", device, "--threads", str(threads))
        specs.append(ProcSpec(f"worker-{label}-{seen[label]}", argv,
                              _environment(base, threads, keep_user_threads=False), ROOT))
    return specs


def replica_specs(plan: Plan, base: Mapping[str, str]) -> list[ProcSpec]:
    """One Streamlit per replica: alone it listens where asked, behind nginx on 127.0.0.1."""
    web = plan.budget["web"]
    env = _environment(base, web, keep_user_threads=True)
    if plan.replicas > 1 and not env.get("STREAMLIT_SERVER_COOKIE_SECRET"):
        env["STREAMLIT_SERVER_COOKIE_SECRET"] = secrets.token_hex(32)  # one secret for all replicas
    if plan.replicas > 1:  # nginx serves the live files: followers may ask twice as often
        env.setdefault(ENV_POLL_MS, str(NGINX_POLL_MS))
    run = (plan.python, "-m", "streamlit", "run", str(ROOT / "app.py"), *plan.streamlit_args)
    if plan.replicas == 1:
        where = ("--server.address", plan.address) if plan.address else ()
        return [ProcSpec("web", (*run, "--server.port", str(plan.port), *where), env, ROOT)]
    return [ProcSpec(replica_name(i), (*run, "--server.port", str(port), "--server.address",
                                       "127.0.0.1"), env, ROOT)
            for i, port in enumerate(plan.replica_ports)]


def plan_processes(plan: Plan, base: Mapping[str, str]) -> list[ProcSpec]:
    """Every process of the server except nginx (which starts once the replicas answer)."""
    return worker_specs(plan, base) + replica_specs(plan, base)


def _count(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    text = env.get(name, "").strip() or str(default)
    if not (text.isascii() and text.isdigit()) or int(text) < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {text!r}")
    return int(text)


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name != "nt":  # what Streamlit and nginx do too: a port in TIME_WAIT counts as free
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def choose_replica_ports(public: int, replicas: int) -> tuple[int, ...]:
    """public+1 .. public+N when they are free, otherwise ports the OS says are free."""
    wanted = [public + 1 + i for i in range(replicas)]
    if all(_port_free("127.0.0.1", p) for p in wanted):
        return tuple(wanted)
    return tuple(_free_port() for _ in range(replicas))


# Run in a short-lived Python: torch stays out of the launcher, which lives all lesson long
# (importing it there held about 290 MB of private memory for nothing).
_PROBE = """
import json, sys
import torch
from cnnviz.device import cpu_cores, thread_budget
try:
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
except Exception:  # a broken driver must not stop a CPU classroom
    gpus = 0
cores = cpu_cores()
print(json.dumps({"cores": cores, "gpus": gpus,
                  "budget": thread_budget(cores, int(sys.argv[1]), int(sys.argv[2]))}))
"""


def probe_machine(replicas: int, cpu_workers: int, python: str = sys.executable) -> dict[str, object]:
    """{"cores", "gpus", "budget"} of this machine as torch and cnnviz.device see them."""
    try:
        result = subprocess.run([python, "-c", _PROBE, str(replicas), str(cpu_workers)], cwd=ROOT,
                                capture_output=True, text=True, check=False)
    except OSError as exc:
        raise RuntimeError(f"could not ask torch about this machine ({exc})") from exc
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"could not ask torch about this machine ({last})")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cnnviz.classroom.serve", allow_abbrev=False,
        description="Start the cnnviz classroom server; unknown options go to `streamlit run`.")
    parser.add_argument("--replicas", default=None,
                        help=f"Streamlit processes behind nginx (default 1, or ${ENV_REPLICAS})")
    parser.add_argument("--worker-command", default=None,
                        help=f"command of one training worker (default: python -m {WORKER_MODULE})")
    # Streamlit with a few sessions took about 7 s to stop here; a worker may be saving a run.
    parser.add_argument("--grace", type=float, default=20.0,
                        help="seconds a process gets to stop before it is killed (default 20)")
    parser.add_argument("--dry-run", action="store_true", help="print what would start, start nothing")
    return parser


def _worker_command(option: str | None, python: str, say: Callable[[str], None]) -> tuple[str, ...] | None:
    if option is not None:
        return tuple(shlex.split(option, posix=os.name != "nt")) or None
    if importlib.util.find_spec(WORKER_MODULE) is None:
        say(f"{WORKER_MODULE} is not installed: no worker processes (the web processes train)")
        return None
    return (python, "-m", WORKER_MODULE)


def make_plan(argv: Sequence[str], env: Mapping[str, str],
              say: Callable[[str], None]) -> tuple[Plan, argparse.Namespace]:
    """Read the command line and the environment; raises ValueError with a message for a person."""
    args, rest = _parser().parse_known_args(argv)
    replicas = _count({"n": args.replicas or env.get(ENV_REPLICAS, "")}, "n", 1, 1)
    port_text, address, rest = split_server_options(rest)
    port_text = port_text or env.get("STREAMLIT_SERVER_PORT") or str(DEFAULT_PORT)
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"--server.port must be a port number, got {port_text!r}")
    port, address = int(port_text), address or env.get("STREAMLIT_SERVER_ADDRESS") or None
    ports = choose_replica_ports(port, replicas) if replicas > 1 else (port,)
    cpu_workers = _count(env, ENV_JOBS_CPU, 1, 0)
    machine = probe_machine(replicas, cpu_workers)
    plan = Plan(replicas=replicas, cpu_workers=cpu_workers,
                gpu_workers_per_gpu=_count(env, ENV_JOBS_GPU, 1, 0), gpus=int(machine["gpus"]),
                cores=int(machine["cores"]), budget=dict(machine["budget"]),  # type: ignore[arg-type]
                port=port, address=address, replica_ports=ports,
                worker_command=_worker_command(args.worker_command, sys.executable, say),
                ray_address=jobs_backend(env),
                streamlit_args=tuple(rest),
                max_upload_mb=max_upload_mb(rest, env, ROOT / ".streamlit" / "config.toml"))
    return plan, args


def wait_healthy(supervisor: Supervisor, urls: Sequence[str], timeout_s: float) -> bool:
    """Poll Streamlit's health URLs (restarting what dies meanwhile); False on stop or timeout."""
    pending, deadline = list(urls), time.monotonic() + timeout_s
    while pending and time.monotonic() < deadline:
        supervisor.tick()
        if supervisor.stop_reason or supervisor.gave_up:
            return False
        try:
            with urllib.request.urlopen(pending[0], timeout=2) as response:
                if response.read().strip() == b"ok":
                    pending.pop(0)
                    continue
        except (urllib.error.URLError, OSError):
            pass  # not listening yet
        time.sleep(0.25)
    return not pending


def _lan_address() -> str:
    """The address students type: the interface of the default route, without sending anything."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))
            return str(sock.getsockname()[0])
        except OSError:
            return "localhost"


def _install_signals(supervisor: Supervisor) -> None:
    def stop(signum: int, _frame: object) -> None:
        supervisor.request_stop(signal.Signals(signum).name)

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


def _describe(plan: Plan, specs: Sequence[ProcSpec]) -> list[str]:
    lines = [f"{plan.cores} cores, {plan.gpus} CUDA GPU(s), {plan.replicas} web replica(s)"]
    for spec in specs:
        threads = spec.env.get("OMP_NUM_THREADS", "?")
        lines.append(f"  {spec.name:<16} {threads} thread(s)  {shlex.join(spec.argv)}")
    if plan.replicas > 1:
        lines.append(f"  {'nginx':<16} on {plan.address or '0.0.0.0'}:{plan.port}, each browser kept on "
                     f"one replica, uploads up to {plan.max_upload_mb} MB")
    return lines


def _start_nginx(supervisor: Supervisor, plan: Plan, folder: Path) -> str | None:
    """Write the config, check it with `nginx -t`, start nginx; returns an error line or None."""
    binary = find_nginx()
    if binary is None:
        return f"--replicas {plan.replicas} needs nginx in front of the replicas: {INSTALL_HINT}"
    text = nginx_config(folder, plan.replica_ports, plan.port, plan.address or "0.0.0.0",
                        plan.max_upload_mb, live_dir=LIVE_DIR, user=worker_user())
    (folder / "nginx.conf").write_text(text)
    check = subprocess.run(nginx_command(binary, folder, check_only=True), capture_output=True,
                           text=True, check=False)
    if check.returncode != 0:
        return f"nginx refused its config: {check.stderr.strip()}"
    supervisor.add(ProcSpec("nginx", tuple(nginx_command(binary, folder)), dict(os.environ), folder))
    return None


def serve(plan: Plan, supervisor: Supervisor) -> int:
    """Start the plan's processes in order, then watch them until told to stop."""
    specs = plan_processes(plan, os.environ)
    for line in _describe(plan, specs):
        supervisor.say(line)
    for spec in specs:
        supervisor.add(spec)
    host = plan.address if plan.replicas == 1 and plan.address not in (None, "0.0.0.0", "::") else "127.0.0.1"
    health = [f"http://{host}:{p}/_stcore/health" for p in plan.replica_ports]
    if not wait_healthy(supervisor, health, HEALTH_TIMEOUT_S) and not supervisor.stop_reason:
        supervisor.say(f"the web processes did not answer within {HEALTH_TIMEOUT_S:.0f} s; "
                       "starting anyway (see their output above)")
    with tempfile.TemporaryDirectory(prefix="cnnviz-nginx-") as folder:
        if plan.replicas > 1 and not supervisor.stop_reason:
            os.chmod(folder, 0o755)  # nginx started as root runs its workers as nobody
            error = _start_nginx(supervisor, plan, Path(folder))
            if error:
                supervisor.say(error)
                supervisor.stop_all()
                return EXIT_START_FAILED
        if not supervisor.stop_reason:
            supervisor.say(f"ready: students open http://{_lan_address()}:{plan.port} "
                           f"(this machine: http://localhost:{plan.port}); Ctrl+C stops the server")
        return supervisor.run()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, check what can be checked before starting anything, then serve."""
    supervisor = Supervisor(log_prefix=PREFIX)
    try:
        plan, args = make_plan(sys.argv[1:] if argv is None else argv, os.environ, supervisor.say)
    except ValueError as exc:
        supervisor.say(str(exc))
        return 2
    except RuntimeError as exc:
        supervisor.say(str(exc))
        return EXIT_START_FAILED
    supervisor.grace_s = args.grace
    if args.dry_run:
        for line in _describe(plan, plan_processes(plan, os.environ)):
            print(line)
        return 0
    if plan.replicas > 1 and find_nginx() is None:
        supervisor.say(f"--replicas {plan.replicas} needs nginx in front of the replicas: {INSTALL_HINT}")
        return EXIT_START_FAILED
    if not _port_free(plan.address or "0.0.0.0", plan.port):
        supervisor.say(f"port {plan.port} is already in use (another server running?); "
                       "choose another with --server.port N")
        return EXIT_START_FAILED
    _install_signals(supervisor)
    try:
        return serve(plan, supervisor)
    finally:
        supervisor.stop_all()  # after an unexpected error too: never leave a process behind


if __name__ == "__main__":
    sys.exit(main())
