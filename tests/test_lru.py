"""The shared LRU: computes a key once, keeps the most recently used, computes outside its lock."""

from __future__ import annotations

import threading

import pytest

from cnnviz.lru import SharedLRU


def test_a_key_is_computed_once_and_the_least_recently_used_goes_first() -> None:
    lru: SharedLRU[str] = SharedLRU(2)
    calls: list[str] = []

    def make(k: str):
        return lambda: calls.append(k) or k.upper()

    assert lru.get("a", make("a")) == "A" and lru.get("a", make("a")) == "A"
    lru.get("b", make("b"))
    lru.get("a", make("a"))  # a is now the most recently used...
    lru.get("c", make("c"))  # ...so b is dropped
    assert len(lru) == 2
    lru.get("a", make("a"))
    lru.get("b", make("b"))
    assert calls == ["a", "b", "c", "b"]


def test_compute_runs_outside_the_lock() -> None:
    lru: SharedLRU[int] = SharedLRU(4)
    inside, release = threading.Event(), threading.Event()

    def slow() -> int:
        inside.set()
        release.wait(5)
        return 1

    worker = threading.Thread(target=lambda: lru.get("slow", slow))
    worker.start()
    assert inside.wait(5)
    assert lru.get("fast", lambda: 2) == 2  # not held up by the slow computation
    release.set()
    worker.join(5)
    assert lru.get("slow", lambda: 3) == 1


def test_at_least_one_entry() -> None:
    with pytest.raises(ValueError):
        SharedLRU(0)
