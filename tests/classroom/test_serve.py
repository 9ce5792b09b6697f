"""The classroom launcher's decisions, without starting anything: which processes, with which
thread budgets and arguments, and the nginx config in front of the replicas."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from cnnviz.classroom import nginx, serve
from cnnviz.classroom.classes import poll_ms
from cnnviz.classroom.serve import Plan, max_upload_mb, plan_processes, split_server_options
from cnnviz.device import cpu_cores, thread_budget

WORKER = ("python", "-m", "cnnviz.train.worker")


def by_name(specs):  # type: ignore[no-untyped-def]
    return {spec.name: spec for spec in specs}


@pytest.mark.parametrize("cores,replicas,cpu_workers,gpus", [(2, 1, 1, 0), (16, 2, 2, 2), (8, 4, 3, 1),
                                                              (64, 1, 0, 4)])
def test_every_process_gets_its_thread_budget(cores: int, replicas: int, cpu_workers: int, gpus: int) -> None:
    budget = thread_budget(cores, replicas, cpu_workers)
    plan = Plan(replicas=replicas, cpu_workers=cpu_workers, gpus=gpus, cores=cores, budget=budget,
                replica_ports=tuple(range(9000, 9000 + replicas)), worker_command=WORKER)
    specs = by_name(plan_processes(plan, {}))
    cpu = [s for n, s in specs.items() if n.startswith("worker-cpu-")]
    gpu = [s for n, s in specs.items() if n.startswith("worker-cuda")]
    web = [s for n, s in specs.items() if n.startswith("web")]
    assert (len(cpu), len(gpu), len(web)) == (cpu_workers, gpus, replicas)
    for spec, threads in [(s, budget["cpu_worker"]) for s in cpu] + [(s, budget["gpu_worker"]) for s in gpu]:
        assert spec.argv[:3] == WORKER
        assert spec.argv[spec.argv.index("--threads") + 1] == str(threads)
        assert spec.env["OMP_NUM_THREADS"] == spec.env["CNNVIZ_TORCH_THREADS"] == str(threads)
    assert sorted(s.argv[s.argv.index("--device") + 1] for s in gpu) == [f"cuda:{i}" for i in range(gpus)]
    assert {s.argv[s.argv.index("--device") + 1] for s in cpu} <= {"cpu"}
    assert all(s.env["CNNVIZ_TORCH_THREADS"] == str(budget["web"]) for s in web)


@pytest.mark.slow
def test_the_machine_is_probed_outside_the_launcher() -> None:
    """Cores, GPUs and budget come from a child Python; the launcher itself never imports torch."""
    machine = serve.probe_machine(3, 2)
    assert machine["cores"] == cpu_cores() and machine["budget"] == thread_budget(cpu_cores(), 3, 2)
    assert machine["gpus"] == (torch.cuda.device_count() if torch.cuda.is_available() else 0)
    code = "import sys, cnnviz.classroom.serve; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=serve.ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
    with pytest.raises(RuntimeError, match="could not ask torch"):
        serve.probe_machine(0, 1)  # thread_budget refuses 0 replicas in the child
    with pytest.raises(RuntimeError, match="could not ask torch"):
        serve.probe_machine(1, 1, python=sys.executable + "-missing")


def test_several_workers_per_gpu_are_named_apart() -> None:
    plan = Plan(cpu_workers=0, gpus=2, gpu_workers_per_gpu=2, worker_command=WORKER)
    names = [s.name for s in plan_processes(plan, {}) if s.name.startswith("worker")]
    assert names == ["worker-cuda0-1", "worker-cuda0-2", "worker-cuda1-1", "worker-cuda1-2"]


def test_a_user_thread_setting_stays_for_the_web_but_not_for_workers() -> None:
    plan = Plan(cores=8, budget=thread_budget(8), worker_command=WORKER)
    specs = by_name(plan_processes(plan, {"CNNVIZ_TORCH_THREADS": "3"}))
    assert specs["web"].env["CNNVIZ_TORCH_THREADS"] == "3"
    assert specs["worker-cpu-1"].env["CNNVIZ_TORCH_THREADS"] == str(thread_budget(8)["cpu_worker"])


def test_no_worker_command_means_no_workers() -> None:
    assert [s.name for s in plan_processes(Plan(cpu_workers=3, gpus=1), {})] == ["web"]


def test_runs_and_data_folders_are_absolute_and_shared(tmp_path: Path) -> None:
    plan = Plan(replicas=2, replica_ports=(9001, 9002), worker_command=WORKER)
    specs = plan_processes(plan, {"CNNVIZ_RUNS": "my-runs", "CNNVIZ_DATA": str(tmp_path)})
    assert {s.env["CNNVIZ_RUNS"] for s in specs} == {str((serve.ROOT / "my-runs").resolve())}
    assert {s.env["CNNVIZ_DATA"] for s in specs} == {str(tmp_path.resolve())}


def test_one_replica_serves_the_public_port_itself() -> None:
    plan = Plan(port=8600, streamlit_args=("--theme.base", "dark"))
    (web,) = plan_processes(plan, {})
    assert web.name == "web" and web.argv[-4:] == ("--theme.base", "dark", "--server.port", "8600")
    assert "--server.address" not in web.argv and web.cwd == serve.ROOT  # .streamlit/ is read from cwd
    plan = Plan(port=8600, address="10.0.0.5")
    assert plan_processes(plan, {})[0].argv[-2:] == ("--server.address", "10.0.0.5")


def test_replicas_listen_on_localhost_and_share_one_cookie_secret() -> None:
    plan = Plan(replicas=3, replica_ports=(9001, 9002, 9003), streamlit_args=("--logger.level", "info"))
    specs = plan_processes(plan, {})
    assert [s.name for s in specs] == ["web-1", "web-2", "web-3"]
    for spec, port in zip(specs, plan.replica_ports):
        assert spec.argv[-4:] == ("--server.port", str(port), "--server.address", "127.0.0.1")
        assert ("--logger.level", "info") == spec.argv[5:7]
    secrets = {s.env["STREAMLIT_SERVER_COOKIE_SECRET"] for s in specs}
    assert len(secrets) == 1 and len(secrets.pop()) >= 32
    again = plan_processes(plan, {})[0].env["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert again != specs[0].env["STREAMLIT_SERVER_COOKIE_SECRET"]  # a new secret per server start


@pytest.mark.parametrize("args,port,address,rest", [
    (["--server.port", "80", "--theme.base", "dark"], "80", None, ["--theme.base", "dark"]),
    (["--server.port=81", "--server.address=0.0.0.0"], "81", "0.0.0.0", []),
    (["--server.address", "::", "x"], None, "::", ["x"]),
    ([], None, None, []),
])
def test_port_and_address_are_taken_out_of_streamlit_arguments(args: list[str], port: str | None,
                                                               address: str | None, rest: list[str]) -> None:
    assert split_server_options(args) == (port, address, rest)


def test_upload_limit_as_streamlit_resolves_it(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[server]\nmaxUploadSize = 20\n")
    assert max_upload_mb([], {}, config) == 20
    assert max_upload_mb([], {"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "50"}, config) == 50
    env = {"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "50"}
    assert max_upload_mb(["--server.maxUploadSize", "7"], env, config) == 7  # the command line wins
    assert max_upload_mb(["--server.maxUploadSize=9"], {}, config) == 9
    assert max_upload_mb([], {}, tmp_path / "missing.toml") == serve.STREAMLIT_DEFAULT_UPLOAD_MB
    repo = max_upload_mb([], {}, serve.ROOT / ".streamlit" / "config.toml")
    assert repo >= 1 and f"maxUploadSize = {repo}" in (serve.ROOT / ".streamlit" / "config.toml").read_text()


def quiet(_message: str) -> None:
    pass


def fake_probe(gpus: int, cores: int = 4):  # type: ignore[no-untyped-def]
    """probe_machine without the child Python: the budget still comes from cnnviz.device."""
    return lambda replicas, cpu_workers: {"cores": cores, "gpus": gpus,
                                          "budget": thread_budget(cores, replicas, cpu_workers)}


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "probe_machine", fake_probe(gpus=0))
    env = {"CNNVIZ_REPLICAS": "3", "CNNVIZ_JOBS_CPU": "2", "STREAMLIT_SERVER_PORT": "8700"}
    plan, _ = serve.make_plan(["--worker-command", "python w.py --x 1"], env, quiet)
    assert (plan.replicas, plan.cpu_workers, plan.port) == (3, 2, 8700)
    assert plan.budget == thread_budget(4, 3, 2) and plan.cores == 4
    assert len(plan.replica_ports) == 3 and 8700 not in plan.replica_ports
    assert plan.worker_command == ("python", "w.py", "--x", "1")
    plan, _ = serve.make_plan(["--replicas", "1", "--server.port", "8800"], env, quiet)
    assert (plan.replicas, plan.port, plan.replica_ports) == (1, 8800, (8800,))


@pytest.mark.parametrize("argv,env", [(["--replicas", "0"], {}), ([], {"CNNVIZ_JOBS_CPU": "two"}),
                                      (["--server.port", "http"], {}), ([], {"CNNVIZ_REPLICAS": "-1"})])
def test_nonsense_settings_are_refused(argv: list[str], env: dict[str, str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "probe_machine", fake_probe(gpus=0))
    with pytest.raises(ValueError):
        serve.make_plan(argv, env, quiet)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert serve.main([*argv, "--dry-run"]) == 2  # the exit code of bad arguments


def test_the_real_worker_module_is_used_once_it_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    monkeypatch.setattr(serve.importlib.util, "find_spec", lambda name: None)
    assert serve._worker_command(None, "py", said.append) is None and "cnnviz.train.worker" in said[0]
    monkeypatch.setattr(serve.importlib.util, "find_spec", lambda name: object())
    assert serve._worker_command(None, "py", said.append) == ("py", "-m", "cnnviz.train.worker")


def test_replicas_without_nginx_stop_with_one_line(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(serve, "find_nginx", lambda: None)
    monkeypatch.setattr(serve, "probe_machine", fake_probe(gpus=0))
    assert serve.main(["--replicas", "2", "--worker-command", "x"]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "nginx" in lines[0] and "apt-get install nginx" in lines[0]


def test_dry_run_lists_every_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(serve, "probe_machine", fake_probe(gpus=1))
    assert serve.main(["--dry-run", "--replicas", "2", "--worker-command", "w"]) == 0
    out = capsys.readouterr().out
    for name in ("worker-cpu-1", "worker-cuda0-1", "web-1", "web-2", "nginx"):
        assert name in out


# ---------------------------------------------------------------------------------------------
# The nginx config


def test_nginx_config_routes_every_replica_and_carries_websockets(tmp_path: Path) -> None:
    ports = (9101, 9102, 9103)
    text = nginx.nginx_config(tmp_path, ports, 8501, max_upload_mb=20)
    assert "listen 0.0.0.0:8501;" in text and "daemon off;" in text
    assert f"pid {tmp_path / 'nginx.pid'};" in text and "client_max_body_size 21m;" in text
    assert "least_conn;" in text and "proxy_http_version 1.1;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text and "proxy_read_timeout 1d;" in text
    assert "proxy_set_header Host $http_host;" in text
    for i, port in enumerate(ports):
        pool = re.search(rf"upstream cnnviz_{i + 1} \{{(.*?)\}}", text, re.S)
        assert pool, f"no pool for replica {i + 1}"
        servers = re.findall(r"server 127\.0\.0\.1:(\d+)( backup)?;", pool.group(1))
        assert servers[0] == (str(port), "") and sorted(int(p) for p, _ in servers) == sorted(ports)
        assert all(backup for _, backup in servers[1:])
        assert f"{nginx.replica_name(i)} cnnviz_{i + 1};" in text  # cookie value -> its pool
    assert str(tmp_path) in text and "/var/" not in text and "/etc/" not in text


@pytest.mark.parametrize("folder", ["/tmp/a b", "/tmp/x;y", "/tmp/$x"])
def test_nginx_config_refuses_unsafe_folders(folder: str) -> None:
    with pytest.raises(ValueError):
        nginx.nginx_config(Path(folder), (9101,), 8501)
    with pytest.raises(ValueError):
        nginx.nginx_config(Path("/tmp/ok"), (), 8501)


@pytest.mark.skipif(nginx.find_nginx() is None, reason="nginx is not installed")
def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    folder = tmp_path / "ngx"
    folder.mkdir()
    (folder / "nginx.conf").write_text(nginx.nginx_config(folder, (9101, 9102), 18599, "127.0.0.1", 20))
    check = subprocess.run(nginx.nginx_command(nginx.find_nginx(), folder, check_only=True),
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    (folder / "nginx.conf").write_text("events {}\nhttp { nonsense; }\n")  # and it would say otherwise
    bad = subprocess.run(nginx.nginx_command(nginx.find_nginx(), folder, check_only=True),
                         capture_output=True, text=True, check=False)
    assert bad.returncode != 0


def test_find_nginx_honours_the_environment(tmp_path: Path) -> None:
    binary = tmp_path / "nginx"
    binary.write_bytes(b"")
    assert nginx.find_nginx({"CNNVIZ_NGINX": str(binary)}) == binary
    assert nginx.find_nginx({"CNNVIZ_NGINX": str(tmp_path / "none")}) is None


def test_cnnviz_jobs_ray_starts_one_dispatcher_instead_of_local_workers() -> None:
    import dataclasses
    import os

    from cnnviz.classroom.serve import Plan, worker_specs

    local = Plan(cpu_workers=2, gpus=1, worker_command=("py", "-m", "cnnviz.train.worker"))
    assert [s.name for s in worker_specs(local, os.environ)] == ["worker-cpu-1", "worker-cpu-2", "worker-cuda0-1"]
    ray = dataclasses.replace(local, ray_address="ray://head:10001")
    (spec,) = worker_specs(ray, os.environ)
    assert spec.argv[:7] == ("py", "-m", "cnnviz.train.worker", "--backend", "ray", "--address", "ray://head:10001")


def test_followers_poll_faster_where_nginx_serves_the_live_files() -> None:
    alone = plan_processes(Plan(port=8600), {})[0].env
    assert poll_ms(alone) == 700
    behind = [s.env for s in plan_processes(Plan(replicas=2, replica_ports=(9001, 9002)), {})]
    assert {poll_ms(env) for env in behind} == {serve.NGINX_POLL_MS} and serve.NGINX_POLL_MS < 700
    mine = plan_processes(Plan(replicas=2, replica_ports=(9001, 9002)), {"CNNVIZ_POLL_MS": "1000"})[0].env
    assert poll_ms(mine) == 1000  # the operator's own setting stays
