"""A figure drawn while another server thread imports pandas for the first time is still written.

Plotly's JSON writer takes pandas from sys.modules without importing it and reads pandas.Series: a
module that another thread is still importing has no Series yet. A fresh server's first table or
bar chart imports pandas in one session's thread while other sessions draw figures, so the app
imports pandas with its first module (cnnviz.ui.common), before any page draws.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# One thread imports pandas (as a session's first table does) while another writes a figure's JSON
# over and over (as other sessions' pages do), until the import is done; prints what failed.
RACE = """
import threading
import numpy as np
import plotly.io as pio
import cnnviz.ui.common  # what app.py imports first
from cnnviz.plots import matrix_figure

fig = matrix_figure(np.arange(9.0).reshape(3, 3), "m")
failed, imported = [], threading.Event()

def first_table():
    import pandas  # noqa: F401
    imported.set()

def other_pages():
    while not imported.is_set():
        try:
            pio.to_json(fig, validate=False)
        except Exception as e:
            failed.append(repr(e))
            return

threads = [threading.Thread(target=other_pages), threading.Thread(target=first_table)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(failed)
"""


def test_a_figure_is_written_while_another_thread_imports_pandas() -> None:
    # without pandas imported first, one try is enough to fail: every try did (4 of 4)
    run = subprocess.run([sys.executable, "-c", RACE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"
