"""Developer entry point: `python3 dev.py serve` runs the app, `python3 dev.py test` runs the tests.

Both create `.venv` on first use and reinstall requirements only when the requirement files change.
Standard library only, so it works from a fresh clone with nothing but Python 3.11.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
RUNTIME_REQUIREMENTS = ROOT / "requirements.txt"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"
CHROMIUM = Path("/usr/bin/chromium")
APP_PORT = "8501"
SUBCOMMANDS = {
    "serve": "run the app on http://localhost:8501; extra args go to streamlit",
    "test": "run the tests; extra args go to pytest",
}


def log(message: str) -> None:
    """Print a progress line to stderr so stdout stays clean for the tools we run."""
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def requirements_digest(files: list[Path]) -> str:
    """Hash the requirement files together; any edit to any of them forces a reinstall."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create `.venv` with pip if it does not exist yet."""
    if VENV_PYTHON.exists():
        return
    log("creating virtual environment…")
    venv.EnvBuilder(with_pip=True).create(VENV)


def install_requirements(requirements: Path, files: list[Path]) -> None:
    """Install `requirements` unless the stamp says these exact files are already installed."""
    wanted = requirements_digest(files)
    # One stamp per requirements file, so alternating `serve` and `test` does not reinstall.
    stamp = VENV / f".{requirements.name}.sha256"
    if stamp.exists() and stamp.read_text().strip() == wanted:
        log("requirements up to date")
        return
    log("installing requirements (first run takes a few minutes)…")
    command = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check",
               "-q", "-r", str(requirements)]
    # pip's own output goes straight to the terminal, so a failure explains itself.
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0:
        log(f"pip install failed (exit code {result.returncode}); see the output above")
        sys.exit(result.returncode)
    # Written only after success, so an interrupted install is retried next time.
    stamp.write_text(wanted + "\n")


def prepare(requirements: Path, files: list[Path]) -> None:
    """Make sure the virtual environment exists and holds the given requirements."""
    ensure_venv()
    install_requirements(requirements, files)


def privilege_prefix() -> list[str] | None:
    """Return the prefix that runs a command as root, or None when that is not possible."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo"):
        # -n: never prompt; CI has no stdin and a hanging password prompt is worse than an error.
        return ["sudo", "-n"]
    return None


def ensure_chromium() -> None:
    """Install Debian's Chromium for the browser tests (Playwright's own download fails offline)."""
    if CHROMIUM.exists():
        return
    prefix = privilege_prefix()
    if prefix is None:
        sys.exit("dev.py: the browser tests need Debian's Chromium at /usr/bin/chromium; as root, "
                 "run: apt-get update && apt-get install -y --no-install-recommends chromium")
    log("installing Chromium for the browser tests…")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"],
                    ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        result = subprocess.run(prefix + command, env=env)
        if result.returncode != 0:
            sys.exit(f"dev.py: `{' '.join(prefix + command)}` failed (exit code "
                     f"{result.returncode}); install Debian's chromium package and re-run")


def run_python(args: list[str]) -> None:
    """Become the venv's Python, so signals and the exit code pass straight through."""
    os.chdir(ROOT)
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *args])


def serve(extra: list[str]) -> None:
    """Run the Streamlit app on http://localhost:8501."""
    prepare(RUNTIME_REQUIREMENTS, [RUNTIME_REQUIREMENTS])
    run_python(["-m", "streamlit", "run", "app.py", "--server.port", APP_PORT, *extra])


def test(extra: list[str]) -> None:
    """Run the whole test suite, browser tests included."""
    prepare(DEV_REQUIREMENTS, [DEV_REQUIREMENTS, RUNTIME_REQUIREMENTS])
    ensure_chromium()
    run_python(["-m", "pytest", *extra])


def main() -> None:
    """Parse the subcommand; anything after it is handed to streamlit or pytest unchanged."""
    parser = argparse.ArgumentParser(description="Run the cnnviz app or its tests in .venv.")
    commands = parser.add_subparsers(dest="command", required=True)
    # No -h/--help of their own, so `dev.py test -h` shows pytest's help and `serve -h` streamlit's.
    for name, purpose in SUBCOMMANDS.items():
        commands.add_parser(name, help=purpose, add_help=False, allow_abbrev=False)
    args, extra = parser.parse_known_args()
    {"serve": serve, "test": test}[args.command](extra)


if __name__ == "__main__":
    main()
