"""Developer entry point: `python3 dev.py serve` runs the classroom server, `test` runs the tests,
`prefetch` fetches the datasets and weights for an offline classroom.

All three create `.venv` on first use and reinstall requirements only when the requirement files
change. Standard library only, so it works from a fresh clone with nothing but Python 3.11+, on
Linux, macOS and Windows. Browser tests use a Chrome or Chromium found on the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import venv
from pathlib import Path

MIN_PYTHON = (3, 11)
ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
RUNTIME_REQUIREMENTS = ROOT / "requirements.txt"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"
# Which requirement files one install covers: the dev file includes the runtime one (-r).
COVERS = {DEV_REQUIREMENTS: [DEV_REQUIREMENTS, RUNTIME_REQUIREMENTS],
          RUNTIME_REQUIREMENTS: [RUNTIME_REQUIREMENTS]}
BROWSER_TESTS = ROOT / "tests" / "browser"
CHROMIUM_ENV = "CNNVIZ_CHROMIUM"
NGINX_ENV = "CNNVIZ_NGINX"
REPLICAS_ENV = "CNNVIZ_REPLICAS"
POLICY_RC = Path("/usr/sbin/policy-rc.d")  # Debian's switch that stops packages starting services
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
                  "msedge")
SUBCOMMANDS = {
    "serve": "run the classroom server on http://localhost:8501; --replicas N, the rest to streamlit",
    "test": "run the tests; extra args go to pytest",
    "prefetch": "fetch the datasets and ImageNet weights once, for a classroom without internet",
}


def log(message: str) -> None:
    """Print a progress line to stderr so stdout stays clean for the tools we run."""
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def check_python(version: tuple[int, ...] | None = None, os_name: str | None = None) -> None:
    """Exit with the command to type instead when this interpreter is older than 3.11."""
    version = tuple(sys.version_info) if version is None else version
    os_name = os.name if os_name is None else os_name
    if version[:2] >= MIN_PYTHON:
        return
    found = ".".join(map(str, version[:3]))
    retry = "py -3.11 dev.py ..." if os_name == "nt" else "python3.11 dev.py ..."
    sys.exit(f"dev.py: needs Python 3.11 or newer, this is {found}; install 3.11+ (python.org) and "
             f"run `{retry}`")


def venv_python(venv_dir: Path | None = None, os_name: str | None = None) -> Path:
    """The venv's interpreter: Scripts\\python.exe on Windows, bin/python elsewhere."""
    venv_dir = VENV if venv_dir is None else venv_dir
    windows = (os.name if os_name is None else os_name) == "nt"
    return venv_dir / "Scripts" / "python.exe" if windows else venv_dir / "bin" / "python"


def requirements_digest(files: list[Path]) -> str:
    """Hash the requirement files together; any edit to any of them forces a reinstall."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def stamp_path(requirements: Path, venv_dir: Path | None = None) -> Path:
    return (VENV if venv_dir is None else venv_dir) / f".{requirements.name}.sha256"


def is_installed(requirements: Path, venv_dir: Path | None = None) -> bool:
    """True when a stamp says these files (or a set that includes them) were installed as they are."""
    for stamped, files in COVERS.items():
        stamp = stamp_path(stamped, venv_dir)
        if requirements in files and stamp.exists() and stamp.read_text().strip() == requirements_digest(files):
            return True
    return False


def first_install_note(platform: str | None = None) -> str:
    """How big the first install is and why, said before it starts."""
    if (sys.platform if platform is None else platform).startswith("linux"):
        return ("first install: about 6.6 GB in .venv, a few minutes; PyPI's torch for Linux brings "
                "4 GB of NVIDIA CUDA libraries. Without an NVIDIA GPU, the README's CPU-only line "
                "installs under 3 GB")
    return "first install: about 1-2 GB in .venv (PyTorch is large), a few minutes"


def ensure_venv() -> None:
    """Create `.venv` with pip if it does not exist yet."""
    if venv_python().exists():
        return
    log("creating virtual environment…")
    venv.EnvBuilder(with_pip=True).create(VENV)


def install_requirements(requirements: Path) -> None:
    """Install `requirements` unless a stamp says these exact files are already installed."""
    if is_installed(requirements):
        log("requirements up to date")
        return
    if any(stamp_path(r).exists() for r in COVERS):
        log("requirements changed: updating .venv…")
    else:
        log(first_install_note())
        log("installing requirements (first run takes a few minutes)…")
    command = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check",
               "-q", "-r", str(requirements)]
    # pip's own output goes straight to the terminal, so a failure explains itself.
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0:
        log(f"pip install failed (exit code {result.returncode}); see the output above")
        sys.exit(result.returncode)
    # Written only after success, so an interrupted install is retried next time. Every file
    # this install covered is stamped, so `serve` after `test` installs nothing.
    for stamped, files in COVERS.items():
        if set(files) <= set(COVERS[requirements]):
            stamp_path(stamped).write_text(requirements_digest(files) + "\n")


def prepare(requirements: Path) -> None:
    """Make sure the virtual environment exists and holds the given requirements."""
    ensure_venv()
    install_requirements(requirements)


def privilege_prefix() -> list[str] | None:
    """The prefix that runs a command as root, or None when that is not possible (or not Linux)."""
    geteuid = getattr(os, "geteuid", None)  # absent on Windows
    if geteuid is None:
        return None
    if geteuid() == 0:
        return []
    if shutil.which("sudo"):
        # -n: never prompt; CI has no stdin and a hanging password prompt is worse than an error.
        allowed = subprocess.run(["sudo", "-n", "true"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, check=False).returncode == 0
        return ["sudo", "-n"] if allowed else None
    return None


def can_apt_install() -> bool:
    return shutil.which("apt-get") is not None and privilege_prefix() is not None


def apt_install(package: str) -> None:
    """`apt-get install` one Debian package; packages that come with a service do not start it."""
    prefix = privilege_prefix() or []
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    guard = not POLICY_RC.exists()  # exit 101 = "do not start services"; Docker images have one
    if guard:
        subprocess.run(prefix + ["sh", "-c", f"printf '#!/bin/sh\\nexit 101\\n' > {POLICY_RC} && "
                                             f"chmod 755 {POLICY_RC}"], check=False)
    try:
        for command in (["apt-get", "update"],
                        ["apt-get", "install", "-y", "--no-install-recommends", package]):
            result = subprocess.run(prefix + command, env=env)
            if result.returncode != 0:
                sys.exit(f"dev.py: `{' '.join(prefix + command)}` failed (exit code "
                         f"{result.returncode}); install Debian's {package} package and re-run")
    finally:
        if guard:
            subprocess.run(prefix + ["rm", "-f", str(POLICY_RC)], check=False)


def chromium_candidates(os_name: str | None = None, platform: str | None = None,
                        env: dict[str, str] | None = None) -> list[Path]:
    """Where Chrome, Chromium or Edge usually live on this kind of machine, most likely first."""
    env = dict(os.environ) if env is None else env
    platform = sys.platform if platform is None else platform
    if (os.name if os_name is None else os_name) == "nt":
        roots = [env[k] for k in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA") if env.get(k)]
        tails = [("Google", "Chrome", "Application", "chrome.exe"),
                 ("Chromium", "Application", "chrome.exe"),
                 ("Microsoft", "Edge", "Application", "msedge.exe")]
        return [Path(root, *tail) for tail in tails for root in roots]
    if platform == "darwin":
        apps = [Path("/Applications"), Path(env.get("HOME", "~"), "Applications")]
        bundles = [("Google Chrome.app", "Google Chrome"), ("Chromium.app", "Chromium"),
                   ("Microsoft Edge.app", "Microsoft Edge")]
        return [app / bundle / "Contents" / "MacOS" / exe for bundle, exe in bundles for app in apps]
    return [Path("/usr/bin/chromium"), Path("/usr/bin/chromium-browser"),
            Path("/usr/bin/google-chrome"), Path("/usr/bin/google-chrome-stable"),
            Path("/snap/bin/chromium")]


def find_chromium(env: dict[str, str] | None = None, os_name: str | None = None,
                  platform: str | None = None) -> Path | None:
    """The browser named by CNNVIZ_CHROMIUM, else the first Chrome/Chromium found, else None."""
    env = dict(os.environ) if env is None else env
    named = env.get(CHROMIUM_ENV, "").strip()
    if named:
        return Path(named) if Path(named).is_file() else None
    for path in chromium_candidates(os_name, platform, env):
        if path.is_file():
            return path
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def ensure_chromium() -> Path | None:
    """A browser for the browser tests: found, or Debian's package installed; None means skip them."""
    found = find_chromium()
    if found or os.environ.get(CHROMIUM_ENV, "").strip():
        if not found:
            log(f"{CHROMIUM_ENV}={os.environ[CHROMIUM_ENV]} is not a file: browser tests will be skipped")
        return found
    if not can_apt_install():
        log(f"no Chrome or Chromium found: the browser tests will be skipped (install one, or name it "
            f"with {CHROMIUM_ENV}=/path/to/chrome)")
        return None
    log("installing Chromium for the browser tests…")
    apt_install("chromium")
    return find_chromium()


def nginx_present() -> bool:
    return bool(os.environ.get(NGINX_ENV) or shutil.which("nginx") or Path("/usr/sbin/nginx").exists())


def ensure_nginx(reason: str) -> None:
    """Install Debian's nginx when it is missing and we may; otherwise whoever needs it says so."""
    if nginx_present() or not can_apt_install():
        return
    log(f"installing nginx ({reason})…")
    apt_install("nginx")
    if shutil.which("systemctl"):  # a system with systemd enabled the package's own service
        subprocess.run((privilege_prefix() or []) + ["systemctl", "disable", "--now", "nginx"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def marker_may_select(expression: str, marker: str = "browser") -> bool:
    """Could a test carrying `marker` pass pytest's `-m expression`? When in doubt, yes."""
    tokens = re.findall(r"\(|\)|[^\s()]+", expression)
    operators = {"(", ")", "and", "or", "not"}
    names = sorted({t for t in tokens if t not in operators})
    if not all(re.fullmatch(r"[A-Za-z_]\w*", n) for n in names) or len(names) > 10:
        return True  # marker arguments or unusual syntax: do not guess
    others = [n for n in names if n != marker]
    for values in itertools.product((False, True), repeat=len(others)):
        truth = {**dict(zip(others, values)), marker: True}
        code = " ".join(t if t in operators else str(truth[t]) for t in tokens)
        try:  # only True/False, and/or/not and brackets reach eval
            if eval(code, {"__builtins__": {}}):  # noqa: S307
                return True
        except SyntaxError:
            return True
    return False


def wants_browser_tests(pytest_args: list[str]) -> bool:
    """Whether these pytest arguments may run a browser test (so a browser must be there)."""
    expression = None
    for i, arg in enumerate(pytest_args):
        if arg == "-m" and i + 1 < len(pytest_args):
            expression = pytest_args[i + 1]
        elif arg.startswith("-m") and len(arg) > 2 and not arg.startswith("--"):
            expression = arg[2:]
    if expression is not None and not marker_may_select(expression):
        return False
    # pytest runs in the repository root, so relative paths are relative to it.
    paths = [(ROOT / a.split("::")[0]).resolve() for a in pytest_args
             if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()]
    browser = BROWSER_TESTS.resolve()
    return not paths or any(p == browser or browser in p.parents or p in browser.parents for p in paths)


def run_python(args: list[str], env: dict[str, str] | None = None, python: Path | None = None) -> int:
    """Run the venv's Python as a child and return its exit code (128+N when killed by signal N).

    Ctrl+C reaches the child directly (terminal process group, Windows console); dev.py only
    waits for it. SIGTERM and SIGHUP sent to dev.py are passed on.
    """
    python = python or venv_python()
    previous = {signal.SIGINT: signal.signal(signal.SIGINT, lambda *_: None)}
    process = subprocess.Popen([str(python), *args], cwd=ROOT, env=env)
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and os.name != "nt":
            previous[signum] = signal.signal(signum, lambda s, _f: process.send_signal(s))
    try:
        code = process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code


def requested_replicas(extra: list[str]) -> int:
    """The replica count `serve` was asked for (the launcher validates it; this only looks)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--replicas", default=os.environ.get(REPLICAS_ENV, "1"))
    value = parser.parse_known_args(extra)[0].replicas
    return int(value) if str(value).strip().isdigit() else 1


def serve(extra: list[str]) -> int:
    """Run the classroom launcher (workers, Streamlit replicas, nginx when there are several)."""
    prepare(RUNTIME_REQUIREMENTS)
    if requested_replicas(extra) > 1:
        ensure_nginx("it sits in front of the replicas")
    return run_python(["-m", "cnnviz.classroom.serve", *extra])


def test(extra: list[str]) -> int:
    """Run the whole test suite; browser tests when a browser is there (CI installs one)."""
    prepare(DEV_REQUIREMENTS)
    env = dict(os.environ)
    if wants_browser_tests(extra):
        chromium = ensure_chromium()
        if chromium:
            env[CHROMIUM_ENV] = str(chromium)
        ensure_nginx("the replica test runs it")
    return run_python(["-m", "pytest", *extra], env=env)


def prefetch(extra: list[str]) -> int:
    """Download every dataset and weights file the app can use, verified, for offline teaching."""
    prepare(RUNTIME_REQUIREMENTS)
    return run_python(["-m", "cnnviz.data.prefetch", *extra])


def main(argv: list[str] | None = None) -> int:
    """Parse the subcommand; anything after it is handed to the launcher, pytest or prefetch."""
    check_python()
    parser = argparse.ArgumentParser(description="Run the cnnviz app or its tests in .venv.")
    commands = parser.add_subparsers(dest="command", required=True)
    # No -h/--help of their own, so `dev.py test -h` shows pytest's help.
    for name, purpose in SUBCOMMANDS.items():
        commands.add_parser(name, help=purpose, add_help=False, allow_abbrev=False)
    args, extra = parser.parse_known_args(argv)
    return {"serve": serve, "test": test, "prefetch": prefetch}[args.command](extra)


if __name__ == "__main__":
    sys.exit(main())
