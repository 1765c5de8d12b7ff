"""Which data-pack values a computation reads, so that its answer can be shared by every
scenario that leaves those values alone.

Inside :func:`recording`, each look-up of a parameter (``param``, ``has_param``, and through them
exchange rates and conversions) and of a table (``table()`` and the table properties) is noted
as ``("param", subject, quantity)`` or ``("table", name)``. :func:`override_read` names what an
override changes in the same terms, so a sweep can tell which of a scenario's overrides a
computation could see. While recording, the answer caches of :mod:`kopru.memo` are bypassed, so
that a cached answer does not hide the reads behind it.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Iterator
from contextvars import ContextVar

from kopru import memo

Read = tuple[str, ...]
_READS: ContextVar[set[Read] | None] = ContextVar("kopru_pack_reads", default=None)


def note(*read: str) -> None:
    """Note one read, when a recording is under way."""
    reads = _READS.get()
    if reads is not None:
        reads.add(read)


def note_all(seen: set[Read]) -> None:
    """Note the reads behind an answer kept from an earlier computation, now given again."""
    reads = _READS.get()
    if reads is not None:
        reads |= seen


@contextlib.contextmanager
def recording() -> Iterator[set[Read]]:
    """The reads of the code run inside the block; an outer recording sees them too."""
    outer = _READS.get()
    reads: set[Read] = set()
    token = _READS.set(reads)
    bypass = memo.BYPASS.set(True)
    try:
        yield reads
    finally:
        memo.BYPASS.reset(bypass)
        _READS.reset(token)
        if outer is not None:
            outer |= reads


def override_read(key: str) -> Read:
    """What an override key (as :func:`kopru.datapack.overrides.apply_overrides` takes it)
    changes: a table, or one parameter."""
    head = key.partition(".")[0]
    table = {"tariff": "tariffs", "edge": "edges", "node": "nodes"}.get(head)
    if table:
        return ("table", table)
    subject, _, quantity = key.partition(".")
    return ("param", subject, quantity)


def visible(read: Read, reads: set[Read]) -> bool:
    """Whether a computation with ``reads`` could see a change of ``read`` (reading the whole
    parameters table sees every parameter; a subject pattern, ``KZ*``, every subject it matches)."""
    if read in reads or (read[0] == "param" and ("table", "parameters") in reads):
        return True
    if read[0] != "param" or not any(c in read[1] for c in "*?["):
        return False
    _, pattern, quantity = read
    return any(r[0] == "param" and r[2] == quantity and fnmatch.fnmatchcase(r[1], pattern) for r in reads)
