"""Keeps a set of processes running: starts them, restarts one that dies (after a growing pause),
stops them all (SIGTERM, a grace period, then SIGKILL) and prefixes their output with their name.

Each child gets its own process group, and on Linux it is told to stop if the launcher itself dies,
so nothing is left behind. Knows nothing about Streamlit, nginx or training: cnnviz.classroom.serve says what
to run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

__all__ = ["EXIT_CRASH_LOOP", "EXIT_KILLED", "EXIT_START_FAILED", "EXIT_STOPPED", "ProcSpec",
           "Supervisor", "describe_exit"]

EXIT_STOPPED = 0  # stopped on request (Ctrl+C, SIGTERM), every process exited in time
EXIT_START_FAILED = 1  # could not start: nginx missing, port taken, bad settings
EXIT_CRASH_LOOP = 3  # a process kept dying right after its start; everything was stopped
EXIT_KILLED = 4  # stopped on request, but a process ignored SIGTERM and was killed
POSIX = os.name != "nt"
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


@dataclass(frozen=True)
class ProcSpec:
    """One process to keep running: its name in the log, command line, environment and folder."""

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: Path | None = None


@dataclass
class _Child:
    spec: ProcSpec
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    fast_failures: int = 0
    restart_at: float = 0.0
    pump: threading.Thread | None = None


def describe_exit(code: int) -> str:
    """'exit code 1' or 'signal SIGKILL' (Popen reports death by signal N as -N)."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
        return f"signal {-code}"
    return f"exit code {code}"


def _die_with_parent() -> None:  # runs in the child between fork and exec (Linux only)
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _write_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def _pump(stream: IO[bytes], prefix: str, write: Callable[[str], None]) -> None:
    """Copy a child's output line by line, each line prefixed with the child's name."""
    with stream:
        for raw in iter(stream.readline, b""):
            write(f"[{prefix}] {raw.decode('utf-8', 'replace').rstrip()}\n")


class Supervisor:
    """Starts, watches, restarts and stops processes. Call ``tick`` often (``run`` does)."""

    def __init__(self, write: Callable[[str], None] | None = None, *, log_prefix: str = "",
                 grace_s: float = 10.0, backoff_s: float = 1.0, max_backoff_s: float = 30.0,
                 stable_s: float = 10.0, give_up_after: int = 5, poll_s: float = 0.2) -> None:
        self._lock, self.log_prefix = threading.Lock(), log_prefix
        self._write = write or _write_stderr
        self.grace_s, self.backoff_s, self.max_backoff_s = grace_s, backoff_s, max_backoff_s
        self.stable_s, self.give_up_after, self.poll_s = stable_s, give_up_after, poll_s
        self._children: list[_Child] = []
        self.stop_reason: str | None = None
        self.gave_up: str | None = None
        self._hurry = False

    def _print(self, text: str) -> None:
        with self._lock:
            self._write(text)

    def say(self, message: str) -> None:
        """One line of the launcher's own, never interleaved with a child's line."""
        self._print(f"{self.log_prefix}{message}\n")

    def add(self, spec: ProcSpec) -> None:
        """Start ``spec`` now and keep it running."""
        child = _Child(spec)
        self._children.append(child)
        self._spawn(child)

    def _spawn(self, child: _Child) -> None:
        spec, extra = child.spec, {}
        if POSIX:
            extra = {"start_new_session": True, "preexec_fn": _die_with_parent if _LIBC else None}
        child.started = time.monotonic()
        try:
            child.proc = subprocess.Popen(spec.argv, env=dict(spec.env), cwd=spec.cwd,
                                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, **extra)
        except OSError as exc:  # no such program, not executable: counts as dying at once
            self.say(f"{spec.name} could not start: {exc}")
            child.proc = None
            self._schedule_restart(child, child.started)
            return
        assert child.proc.stdout is not None
        child.pump = threading.Thread(target=_pump, args=(child.proc.stdout, spec.name, self._print),
                                      name=f"output of {spec.name}", daemon=True)
        child.pump.start()

    def _schedule_restart(self, child: _Child, now: float) -> None:
        lived = now - child.started
        child.fast_failures = child.fast_failures + 1 if lived < self.stable_s else 1
        if child.fast_failures >= self.give_up_after:
            self.gave_up = child.spec.name
            self.say(f"{child.spec.name} died {child.fast_failures} times in a row within "
                      f"{self.stable_s:.0f} s of starting: giving up (see its output above)")
            return
        delay = min(self.backoff_s * 2 ** (child.fast_failures - 1), self.max_backoff_s)
        child.restart_at = now + delay
        self.say(f"restarting {child.spec.name} in {delay:.1f} s")

    def tick(self) -> None:
        """Notice processes that died and restart those whose pause is over."""
        now = time.monotonic()
        for child in self._children:
            if self.stop_reason or self.gave_up:
                return
            if child.proc is None:
                if now >= child.restart_at:
                    self._spawn(child)
            elif child.proc.poll() is not None:
                code = child.proc.returncode
                self.say(f"{child.spec.name} (pid {child.proc.pid}) exited with "
                          f"{describe_exit(code)} after {now - child.started:.1f} s")
                if child.pump:
                    child.pump.join(timeout=1)
                child.proc = None
                self._schedule_restart(child, now)

    def request_stop(self, reason: str) -> None:
        """Ask ``run`` to stop everything; asked twice, the grace period is cut short."""
        if self.stop_reason:
            self._hurry = True
        self.stop_reason = self.stop_reason or reason

    def run(self) -> int:
        """Watch until a stop is requested or a process keeps crashing; then stop everything."""
        while not (self.stop_reason or self.gave_up):
            self.tick()
            time.sleep(self.poll_s)
        clean = self.stop_all()
        if self.gave_up:
            return EXIT_CRASH_LOOP
        return EXIT_STOPPED if clean else EXIT_KILLED

    def pids(self) -> dict[str, int]:
        """Name -> pid of every process running now."""
        return {c.spec.name: c.proc.pid for c in self._children if c.proc and c.proc.poll() is None}

    def _signal(self, child: _Child, signum: int) -> None:
        assert child.proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if POSIX:  # the whole group: nginx's worker, anything a training worker started
                os.killpg(child.proc.pid, signum)
            elif signum == signal.SIGTERM:
                child.proc.terminate()
            else:
                child.proc.kill()

    def stop_all(self) -> bool:
        """SIGTERM to every process, SIGKILL to those still there after the grace period.

        Returns True when every process exited by itself within the grace period.
        """
        self.stop_reason = self.stop_reason or "stop"
        alive = [c for c in self._children if c.proc and c.proc.poll() is None]
        if alive:
            self.say(f"stopping {len(alive)} process(es) ({self.stop_reason}), "
                     f"{self.grace_s:.0f} s grace")
        for child in alive:
            self._signal(child, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        while not self._hurry and time.monotonic() < deadline and any(
                c.proc.poll() is None for c in alive if c.proc):
            time.sleep(0.05)
        stubborn = [c for c in alive if c.proc and c.proc.poll() is None]
        for child in stubborn:
            self.say(f"{child.spec.name} (pid {child.proc.pid}) did not stop in "  # type: ignore[union-attr]
                      f"{self.grace_s:.0f} s: killing it")
        for child in self._children:
            if child.proc:  # also the leftovers of groups whose leader already exited
                if POSIX:
                    self._signal(child, signal.SIGKILL)
                elif child.proc.poll() is None:
                    child.proc.kill()
                child.proc.wait()
                if child.pump:
                    child.pump.join(timeout=1)
        return not stubborn
