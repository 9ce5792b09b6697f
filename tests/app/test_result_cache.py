"""The per-session and the shared result caches of the model pages (model_picker.cached)."""

from __future__ import annotations

import numpy as np

from cnnviz.ui import model_picker as mp


def test_session_cache_drops_the_least_recently_used_beyond_its_bytes() -> None:
    mp.st.session_state.pop(mp.CACHE, None)
    calls: list[int] = []

    def big(i: int):
        calls.append(i)
        return np.zeros(mp.CACHE_BYTES // 3 + 1, np.uint8)  # three of them do not fit

    first = mp.cached(("t", 0), lambda: big(0))
    mp.cached(("t", 1), lambda: big(1))
    assert mp.cached(("t", 0), lambda: big(99)) is first  # a hit, and now the most recent
    mp.cached(("t", 2), lambda: big(2))  # ("t", 1) is the least recently used: dropped
    mp.cached(("t", 0), lambda: big(99))
    mp.cached(("t", 1), lambda: big(1))
    assert calls == [0, 1, 2, 1]
    mp.st.session_state.pop(mp.CACHE, None)


def test_shared_cache_computes_once_and_not_under_its_lock() -> None:
    store, lock = mp._shared_store()
    store.clear()
    calls: list[str] = []

    def outer() -> str:
        calls.append("outer")
        assert not lock.locked()  # other students are not held up by this computation
        return mp.cached(("inner",), lambda: calls.append("inner") or "i", shared=True) + "o"

    assert mp.cached(("outer",), outer, shared=True) == "io"
    assert mp.cached(("outer",), outer, shared=True) == "io"
    assert calls == ["outer", "inner"] and set(store) == {("outer",), ("inner",)}
    store.clear()
