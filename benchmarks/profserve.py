"""``streamlit run`` with cProfile on: every script run (each in its session's thread) and the main
thread (the web server's event loop: websocket sends, static files). The merged statistics go to
the file named by CNNVIZ_BENCH_PROFILE when the server exits. Used by benchmarks.classroom
--profile; times are each thread's CPU time (not wall time: waiting for the GIL or a lock is not
counted). Profiling slows the server, so its timings are for finding where time goes, not results.

Usage: CNNVIZ_BENCH_PROFILE=/tmp/s.prof python -m benchmarks.profserve app.py [streamlit options]
"""

from __future__ import annotations

import atexit
import cProfile
import os
import pstats
import sys
import threading
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

_PROFILES: dict[int, cProfile.Profile] = {}
_LOCK = threading.Lock()
_run_script = script_runner.ScriptRunner._run_script


def _profiled_run(self: script_runner.ScriptRunner, *args: object, **kwargs: object) -> object:
    with _LOCK:
        prof = _PROFILES.setdefault(threading.get_ident(), cProfile.Profile(time.thread_time))
    prof.enable()
    try:
        return _run_script(self, *args, **kwargs)
    finally:
        prof.disable()


def _dump(main: cProfile.Profile, path: str) -> None:
    main.disable()
    stats = pstats.Stats(main)
    with _LOCK:
        for prof in _PROFILES.values():
            stats.add(prof)
    stats.dump_stats(path)


def main() -> None:
    path = os.environ["CNNVIZ_BENCH_PROFILE"]
    script_runner.ScriptRunner._run_script = _profiled_run  # type: ignore[method-assign]
    prof = cProfile.Profile(time.thread_time)
    atexit.register(_dump, prof, path)
    prof.enable()
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
