"""The supervisor with real (tiny) processes: restart after a death, stop with SIGTERM, kill what
ignores it, give up on a crash loop, leave no process behind. Waits have deadlines; nothing here
asserts how long anything took."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cnnviz.classroom.supervise import (EXIT_CRASH_LOOP, EXIT_KILLED, EXIT_STOPPED, ProcSpec, Supervisor,
                              describe_exit)

pytestmark = pytest.mark.skipif(os.name == "nt", reason="process groups and signals are POSIX")
DEADLINE_S = 30.0
SLEEPER = "import time\nwhile True: time.sleep(0.1)"
# Writes its pid, then ignores SIGTERM: only SIGKILL ends it.
STUBBORN = ("import os, signal, sys, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "print('ready', flush=True)\nwhile True: time.sleep(0.1)")


def python(name: str, code: str) -> ProcSpec:
    return ProcSpec(name, (sys.executable, "-c", code), dict(os.environ))


def wait_for(condition: Callable[[], bool], tick: Callable[[], None] = lambda: None) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        tick()
        if condition():
            return
        time.sleep(0.05)
    pytest.fail("condition not met before the deadline")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def output() -> list[str]:
    return []


@pytest.fixture
def supervisor(output: list[str]) -> Iterator[Supervisor]:
    sup = Supervisor(output.append, log_prefix="sup: ", grace_s=5.0, backoff_s=0.05, stable_s=2.0,
                     give_up_after=3, poll_s=0.05)
    yield sup
    sup.stop_all()


def test_a_dead_process_is_restarted_and_logged(supervisor: Supervisor, output: list[str]) -> None:
    supervisor.add(python("sleeper", SLEEPER))
    first = supervisor.pids()["sleeper"]
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: supervisor.pids().get("sleeper", first) != first, supervisor.tick)
    text = "".join(output)
    assert f"sleeper (pid {first}) exited with signal SIGKILL" in text and "restarting sleeper" in text
    assert not alive(first)


def test_output_lines_carry_the_process_name(supervisor: Supervisor, output: list[str]) -> None:
    supervisor.add(python("talker", "print('hello'); print('world', flush=True)\n" + SLEEPER))
    wait_for(lambda: "[talker] world\n" in output)
    assert "[talker] hello\n" in output


def test_stop_request_ends_everything_with_exit_code_0(supervisor: Supervisor) -> None:
    supervisor.add(python("a", SLEEPER))
    supervisor.add(python("b", SLEEPER))
    pids = list(supervisor.pids().values())
    threading.Timer(0.3, supervisor.request_stop, args=("SIGTERM",)).start()
    assert supervisor.run() == EXIT_STOPPED
    assert len(pids) == 2 and not any(alive(pid) for pid in pids)


def test_a_process_that_ignores_sigterm_is_killed_and_the_code_says_so(output: list[str]) -> None:
    sup = Supervisor(output.append, grace_s=0.5, poll_s=0.05)
    sup.add(python("stubborn", STUBBORN))
    wait_for(lambda: "[stubborn] ready\n" in output)  # its SIGTERM handler is in place
    pid = sup.pids()["stubborn"]
    sup.request_stop("SIGTERM")
    assert sup.run() == EXIT_KILLED
    assert not alive(pid) and "did not stop" in "".join(output)


def test_a_crash_loop_gives_up_and_stops_the_others(supervisor: Supervisor, output: list[str]) -> None:
    supervisor.add(python("healthy", SLEEPER))
    healthy = supervisor.pids()["healthy"]
    supervisor.add(python("broken", "import sys; print('bad config'); sys.exit(3)"))
    assert supervisor.run() == EXIT_CRASH_LOOP
    text = "".join(output)
    assert supervisor.gave_up == "broken" and "giving up" in text and "exit code 3" in text
    assert "[broken] bad config" in text and not alive(healthy)


def test_a_missing_program_counts_as_a_crash(supervisor: Supervisor, output: list[str], tmp_path: Path) -> None:
    supervisor.add(ProcSpec("ghost", (str(tmp_path / "no-such-program"),)))
    assert supervisor.run() == EXIT_CRASH_LOOP
    assert "ghost could not start" in "".join(output)


def test_what_a_process_started_is_stopped_with_it(supervisor: Supervisor, output: list[str]) -> None:
    code = ("import subprocess, sys\n"
            f"child = subprocess.Popen([sys.executable, '-c', {SLEEPER!r}])\n"
            "print('grandchild', child.pid, flush=True)\nchild.wait()")
    supervisor.add(python("parent", code))
    wait_for(lambda: any(line.startswith("[parent] grandchild") for line in output))
    grandchild = int(next(line for line in output if line.startswith("[parent] grandchild")).split()[-1])
    assert alive(grandchild)
    assert supervisor.stop_all()
    wait_for(lambda: not alive(grandchild))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_stop_when_the_launcher_is_killed(tmp_path: Path) -> None:
    """kill -9 of the launcher itself: its children get SIGTERM from the kernel, no orphans."""
    script = tmp_path / "launcher.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, time
        from cnnviz.classroom.supervise import ProcSpec, Supervisor
        sup = Supervisor(lambda text: None)
        sup.add(ProcSpec("child", (sys.executable, "-c", {SLEEPER!r}), dict(os.environ)))
        print(sup.pids()["child"], flush=True)
        time.sleep(600)
    """))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    launcher = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    assert launcher.stdout is not None
    child = int(launcher.stdout.readline())
    assert alive(child)
    launcher.kill()
    launcher.wait()
    wait_for(lambda: not alive(child))


@pytest.mark.parametrize("code,text", [(0, "exit code 0"), (3, "exit code 3"), (-9, "signal SIGKILL"),
                                       (-15, "signal SIGTERM")])
def test_exits_are_described_for_people(code: int, text: str) -> None:
    assert describe_exit(code) == text
