"""A bounded, thread-safe map of results that every session of a server may share.

For results that are cheap to key and costly to make again (figures and step data drawn on every
click): a lookup is one dict access under a lock, where ``st.cache_resource`` hashes its arguments
on every call (a fifth of a stride click's cost in the Convolution lab). Values are shared, so
they are read, never changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["SharedLRU"]

T = TypeVar("T")


class SharedLRU(Generic[T]):
    """At most ``entries`` results, the least recently used dropped first."""

    def __init__(self, entries: int) -> None:
        if entries < 1:
            raise ValueError("a SharedLRU keeps at least one entry")
        self.entries = entries
        self._store: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._store)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result kept for ``key``, or ``compute()`` kept for it. ``compute`` runs outside the
        lock: one slow result does not hold up every other session's lookups (two sessions may
        both compute a new key; the first kept wins and both get it)."""
        with self._lock:
            if key in self._store:
                self._store.move_to_end(key)
                return self._store[key]
        value = compute()
        with self._lock:
            kept = self._store.setdefault(key, value)
            self._store.move_to_end(key)
            while len(self._store) > self.entries:
                self._store.popitem(last=False)
            return kept
