"""Keep Python's cyclic garbage collector away from what lives as long as the server process.

torch, plotly, streamlit and pandas leave millions of long-lived objects; a full collection
walks every one of them (measured: about 330 ms per page rerun when Streamlit collected after
each script run). ``freeze_imports`` moves the objects alive right after new modules were
imported into the collector's permanent generation, so later collections only walk what the
pages make. It does not free anything, and it never runs the collector on its own.
"""

from __future__ import annotations

import gc
import sys
import threading

__all__ = ["freeze_imports"]

_LOCK = threading.Lock()
_seen = [0]  # how many modules were imported at the last freeze: one number for the process


def freeze_imports() -> bool:
    """Freeze the heap if modules were imported since the last call; True when it froze.

    Called at the start of every page run: after the first run of each page (its imports), it
    does nothing but compare a count. What else is alive at a freeze (the session states of that
    moment) stays too; that happens only while the server still meets new pages, a few times.
    """
    with _LOCK:
        if len(sys.modules) == _seen[0]:
            return False
        gc.collect()  # garbage of the imports themselves is not kept forever
        gc.freeze()
        _seen[0] = len(sys.modules)
        return True
