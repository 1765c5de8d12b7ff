"""Answers kept for the next caller: a small least-recently-used map, safe to share between threads.

A plan and every scenario of a sweep ask the same questions of data that does not change: the
corridor network of a closure set, a duty treatment, the candidate sites of a profile. Each is
kept here under a key that names everything the answer depends on, and the oldest answers go
when the map is full, so a long-running server stays bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Generic, TypeVar

V = TypeVar("V")
# set while kopru.datapack.reads records what a computation reads: a kept answer would hide
# the reads behind it, so every answer is made afresh (and not kept)
BYPASS: ContextVar[bool] = ContextVar("kopru_memo_bypass", default=False)


class LRU(Generic[V]):
    """At most ``size`` answers; :meth:`get` makes a missing one (outside the lock: two threads
    may make the same answer once each, and either is right)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        if BYPASS.get():
            return make()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        made = make()
        with self._lock:
            self._items[key] = made
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._items)
