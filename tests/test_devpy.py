"""dev.py, the entry point of a fresh clone: its Windows/macOS/Linux branches, requirement stamps,
browser discovery and when the browser tests need one. Nothing here installs or downloads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import dev


@pytest.fixture
def fake_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """dev.py's .venv moved into tmp_path, so stamps written by a test touch nothing real."""
    venv_dir = tmp_path / ".venv"
    venv_dir.mkdir()
    monkeypatch.setattr(dev, "VENV", venv_dir)
    return venv_dir


@pytest.mark.parametrize("os_name,layout", [("nt", ("Scripts", "python.exe")), ("posix", ("bin", "python"))])
def test_the_venv_interpreter_is_where_each_platform_puts_it(tmp_path: Path, os_name: str,
                                                             layout: tuple[str, str]) -> None:
    python = tmp_path / ".venv" / layout[0] / layout[1]
    python.parent.mkdir(parents=True)
    python.write_bytes(b"")
    found = dev.venv_python(tmp_path / ".venv", os_name)
    assert found == python and found.is_file()


@pytest.mark.parametrize("os_name,advice", [("nt", "py -3.11 dev.py"), ("posix", "python3.11 dev.py")])
def test_an_old_python_is_refused_with_the_command_to_type(os_name: str, advice: str) -> None:
    with pytest.raises(SystemExit) as refused:
        dev.check_python((3, 9, 6), os_name)
    assert "3.9.6" in str(refused.value) and advice in str(refused.value)
    dev.check_python((3, 11, 0), os_name)  # new enough: returns quietly
    dev.check_python((3, 13, 1), os_name)


def test_no_root_prefix_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "geteuid", raising=False)  # what Windows' os module looks like
    assert dev.privilege_prefix() is None
    assert not dev.can_apt_install()


def test_a_test_install_covers_serve(fake_venv: Path) -> None:
    """`serve` after `test` installs nothing: the dev requirements include the runtime ones."""
    assert not dev.is_installed(dev.RUNTIME_REQUIREMENTS)
    digest = dev.requirements_digest(dev.COVERS[dev.DEV_REQUIREMENTS])
    dev.stamp_path(dev.DEV_REQUIREMENTS).write_text(digest + "\n")
    assert dev.is_installed(dev.RUNTIME_REQUIREMENTS) and dev.is_installed(dev.DEV_REQUIREMENTS)
    dev.stamp_path(dev.DEV_REQUIREMENTS).write_text("0" * 64 + "\n")  # a requirement file changed
    assert not dev.is_installed(dev.RUNTIME_REQUIREMENTS)


def test_install_runs_pip_once_and_says_how_big_the_first_install_is(
        fake_venv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(dev.subprocess, "run",
                        lambda cmd, **_: calls.append(cmd) or subprocess.CompletedProcess(cmd, 0))
    dev.install_requirements(dev.DEV_REQUIREMENTS)
    first = capsys.readouterr().err
    assert len(calls) == 1 and calls[0][-1] == str(dev.DEV_REQUIREMENTS)
    assert "first install" in first and "GB" in first
    dev.install_requirements(dev.RUNTIME_REQUIREMENTS)  # serve after test
    dev.install_requirements(dev.DEV_REQUIREMENTS)
    assert len(calls) == 1, "pip ran again although nothing changed"
    assert "installing" not in capsys.readouterr().err
    dev.stamp_path(dev.DEV_REQUIREMENTS).write_text("0" * 64 + "\n")  # requirements-dev.txt edited
    dev.install_requirements(dev.DEV_REQUIREMENTS)
    again = capsys.readouterr().err
    assert len(calls) == 2 and "requirements changed" in again and "first install" not in again


def test_a_failed_install_is_retried_next_time(fake_venv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dev.subprocess, "run", lambda cmd, **_: subprocess.CompletedProcess(cmd, 1))
    with pytest.raises(SystemExit):
        dev.install_requirements(dev.RUNTIME_REQUIREMENTS)
    assert not dev.is_installed(dev.RUNTIME_REQUIREMENTS)


def test_the_size_note_names_the_cuda_libraries_only_on_linux() -> None:
    assert "CUDA" in dev.first_install_note("linux") and "CPU-only" in dev.first_install_note("linux")
    assert "CUDA" not in dev.first_install_note("darwin")
    assert "CUDA" not in dev.first_install_note("win32")


@pytest.mark.parametrize("os_name,platform,expected", [
    ("nt", "win32", Path("C:/PF/Google/Chrome/Application/chrome.exe")),
    ("nt", "win32", Path("C:/PF/Microsoft/Edge/Application/msedge.exe")),
    ("posix", "darwin", Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")),
    ("posix", "darwin", Path("/Users/t/Applications/Chromium.app/Contents/MacOS/Chromium")),
    ("posix", "linux", Path("/usr/bin/chromium")),
    ("posix", "linux", Path("/usr/bin/google-chrome")),
])
def test_browser_candidates_per_platform(os_name: str, platform: str, expected: Path) -> None:
    env = {"PROGRAMFILES": "C:/PF", "LOCALAPPDATA": "C:/Users/t/AppData/Local", "HOME": "/Users/t"}
    candidates = dev.chromium_candidates(os_name, platform, env)
    assert expected in candidates
    others = {"nt": "/usr/bin/chromium", "posix": "C:/PF/Google/Chrome/Application/chrome.exe"}
    assert Path(others[os_name]) not in candidates


def test_a_named_browser_wins_and_a_wrong_name_finds_none(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    chrome = tmp_path / "my chrome"
    chrome.write_bytes(b"")
    assert dev.find_chromium({dev.CHROMIUM_ENV: str(chrome)}) == chrome
    assert dev.find_chromium({dev.CHROMIUM_ENV: str(tmp_path / "missing")}) is None
    # Nothing named: the first candidate that exists, then PATH.
    monkeypatch.setattr(dev, "chromium_candidates", lambda *a: [tmp_path / "nope", chrome])
    assert dev.find_chromium({}) == chrome
    monkeypatch.setattr(dev, "chromium_candidates", lambda *a: [])
    monkeypatch.setattr(dev.shutil, "which", lambda name: "/opt/bin/chrome" if name == "chrome" else None)
    assert dev.find_chromium({}) == Path("/opt/bin/chrome")
    monkeypatch.setattr(dev.shutil, "which", lambda name: None)
    assert dev.find_chromium({}) is None


def test_no_browser_and_no_apt_means_skip_not_fail(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(dev.CHROMIUM_ENV, raising=False)
    monkeypatch.setattr(dev, "find_chromium", lambda *a, **k: None)
    monkeypatch.setattr(dev, "can_apt_install", lambda: False)
    monkeypatch.setattr(dev, "apt_install", lambda package: pytest.fail("must not install"))
    assert dev.ensure_chromium() is None
    assert "skipped" in capsys.readouterr().err


@pytest.mark.parametrize("expression,selects", [
    ("not browser", False), ("browser", True), ("not slow", True), ("slow and not browser", False),
    ("(slow or browser) and not gpu", True), ("not (browser or slow)", False), ("gpu", True),
    ("run(x=1)", True), ("browser and", True),
])
def test_marker_expressions(expression: str, selects: bool) -> None:
    assert dev.marker_may_select(expression) is selects


@pytest.mark.parametrize("args,wanted", [
    ([], True), (["-m", "not browser"], False), (["-mnot browser"], False), (["-k", "conv"], True),
    (["tests/conv/test_arithmetic.py"], False), (["tests/conv/test_arithmetic.py", "tests/browser"], True),
    (["tests/browser/test_pages.py::test_page_opens_by_deep_link"], True), (["tests"], True),
    (["-m", "browser", "tests/conv/test_arithmetic.py"], False),
])
def test_which_pytest_arguments_need_a_browser(args: list[str], wanted: bool) -> None:
    assert dev.wants_browser_tests(args) is wanted


def test_unit_tests_alone_never_look_for_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(dev, "prepare", lambda requirements: None)
    monkeypatch.setattr(dev, "ensure_chromium", lambda: pytest.fail("looked for a browser"))
    monkeypatch.setattr(dev, "ensure_nginx", lambda reason: pytest.fail("looked for nginx"))
    monkeypatch.setattr(dev, "run_python", lambda args, env=None, python=None: ran.append(args) or 5)
    assert dev.main(["test", "-m", "not browser", "-q"]) == 5
    assert ran == [["-m", "pytest", "-m", "not browser", "-q"]]


def test_browser_tests_get_the_browser_that_was_found(monkeypatch: pytest.MonkeyPatch) -> None:
    envs: list[dict[str, str]] = []
    monkeypatch.setattr(dev, "prepare", lambda requirements: None)
    monkeypatch.setattr(dev, "ensure_chromium", lambda: Path("/somewhere/chrome"))
    monkeypatch.setattr(dev, "ensure_nginx", lambda reason: None)
    monkeypatch.setattr(dev, "run_python", lambda args, env=None, python=None: envs.append(env) or 0)
    assert dev.main(["test"]) == 0
    assert envs[0][dev.CHROMIUM_ENV] == str(Path("/somewhere/chrome"))


def test_serve_hands_everything_to_the_launcher(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[list[str]] = []
    nginx: list[str] = []
    monkeypatch.setattr(dev, "prepare", lambda requirements: None)
    monkeypatch.setattr(dev, "ensure_nginx", nginx.append)
    monkeypatch.setattr(dev, "run_python", lambda args, env=None, python=None: ran.append(args) or 0)
    monkeypatch.delenv(dev.REPLICAS_ENV, raising=False)
    dev.main(["serve", "--server.port", "8600"])
    assert ran[-1] == ["-m", "cnnviz.classroom.serve", "--server.port", "8600"] and nginx == []
    dev.main(["serve", "--replicas", "3"])
    assert ran[-1] == ["-m", "cnnviz.classroom.serve", "--replicas", "3"] and len(nginx) == 1
    monkeypatch.setenv(dev.REPLICAS_ENV, "2")
    dev.main(["serve"])
    assert len(nginx) == 2


@pytest.mark.skipif(os.name == "nt", reason="signals are POSIX")
@pytest.mark.parametrize("code,expected", [
    ("import sys; sys.exit(7)", 7), ("pass", 0),
    ("import os, signal; os.kill(os.getpid(), signal.SIGTERM)", 128 + signal.SIGTERM)])
def test_the_exit_code_passes_through(code: str, expected: int) -> None:
    assert dev.run_python(["-c", code], python=Path(sys.executable)) == expected


def test_apt_install_keeps_services_from_starting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """policy-rc.d says "exit 101" while apt-get runs, and is gone afterwards; one already there stays."""
    guard = tmp_path / "policy-rc.d"
    seen: list[tuple[str, bool]] = []
    real_run = subprocess.run

    def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        if cmd[0] == "apt-get":
            seen.append((" ".join(cmd), guard.exists() and "exit 101" in guard.read_text()))
            return subprocess.CompletedProcess(cmd, 0)
        return real_run(cmd, check=False)  # the guard's own sh/rm, on the file in tmp_path

    monkeypatch.setattr(dev, "POLICY_RC", guard)
    monkeypatch.setattr(dev, "privilege_prefix", lambda: [])
    monkeypatch.setattr(dev.subprocess, "run", run)
    dev.apt_install("nginx")
    assert [s[0].split()[1] for s in seen] == ["update", "install"] and all(s[1] for s in seen)
    assert not guard.exists()
    guard.write_text("#!/bin/sh\nexit 0\n")  # the machine's own policy is left alone
    dev.apt_install("nginx")
    assert guard.read_text() == "#!/bin/sh\nexit 0\n"
