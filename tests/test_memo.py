"""kopru.memo.LRU: made once, least recently used out, shared by threads. Oracle: counting calls."""

from __future__ import annotations

import threading

from kopru.memo import LRU


def test_an_answer_is_made_once_and_the_least_recently_used_goes_first():
    made: list[str] = []
    memo: LRU[str] = LRU(2)

    def make(key: str):
        return lambda: made.append(key) or key.upper()

    assert memo.get("a", make("a")) == "A" and memo.get("b", make("b")) == "B"
    assert memo.get("a", make("a")) == "A"  # kept: "a" is now the most recently used
    memo.get("c", make("c"))  # full: "b", the least recently used, goes
    assert memo.get("a", make("a")) == "A" and memo.get("b", make("b")) == "B"
    assert made == ["a", "b", "c", "b"] and len(memo) == 2


def test_threads_share_one_map():
    memo: LRU[int] = LRU(100)
    start = threading.Barrier(8)
    seen: list[int] = []

    def one(i: int) -> None:
        start.wait()
        for k in range(50):
            seen.append(memo.get(k % 10, lambda k=k: (k % 10) * 2))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 400 and sorted(set(seen)) == [2 * k for k in range(10)] and len(memo) == 10
