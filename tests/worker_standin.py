"""A stand-in for `python -m cnnviz.train.worker` in the launcher's tests: it records how it was started
(arguments, thread variables, pid) in CNNVIZ_RUNS, then waits for SIGTERM or SIGINT and records
that it stopped cleanly. It trains nothing.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path


def main() -> int:
    folder = Path(os.environ["CNNVIZ_RUNS"])
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / f"standin-{os.getpid()}.json"
    state = {"argv": sys.argv[1:], "pid": os.getpid(), "stopped": None,
             "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "CNNVIZ_TORCH_THREADS")}}
    record.write_text(json.dumps(state))
    stopping: list[str] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda s, _f: stopping.append(signal.Signals(s).name))
    while not stopping:
        time.sleep(0.1)
    state["stopped"] = stopping[0]
    record.write_text(json.dumps(state))
    return 0


if __name__ == "__main__":
    sys.exit(main())
