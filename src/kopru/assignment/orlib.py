"""OR-Library generalized assignment files (Beasley; Cattrysse, Osman; Chu & Beasley 1997).

Format: ``P``, the number of instances; then for each, ``m n``, the m × n costs (or profits), the
m × n resource uses, and the m capacities. Line breaks carry no meaning. gap1–gap12 are
maximisation problems, gapa, gapb, gapc (and the type D sets) minimisation: the file name decides
unless ``maximize`` says.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from kopru import documents
from kopru.assignment.problem import GapProblem
from kopru.errors import OrlibError

MAX_VALUE = 1e15  # far above any OR-Library figure; beyond it sums of costs lose every digit
MAX_BYTES = 64_000_000  # gapa is 60 kB; a generated 100 × 1,600 instance about 1 MB


def read_gap(path: str | Path, maximize: bool | None = None) -> list[GapProblem]:
    """Every instance of an OR-Library GAP file, in order."""
    path = Path(path)
    text = documents.read_text(
        path, "OR-Library GAP file", error=OrlibError, max_bytes=MAX_BYTES, encoding="ascii"
    )
    sense = _maximize_by_name(path) if maximize is None else maximize
    tokens = text.split()
    count = _integer(path, tokens, 0, "the number of instances P")
    if count < 1:
        raise OrlibError(f"{path}: the number of instances P must be >= 1, got {count}", file=path)
    problems, at = [], 1
    for k in range(count):
        m = _integer(path, tokens, at, f"m of instance {k + 1}")
        n = _integer(path, tokens, at + 1, f"n of instance {k + 1}")
        if m < 1 or n < 1:
            raise OrlibError(f"{path}: instance {k + 1} needs m, n >= 1, got m={m}, n={n}", file=path)
        size = 2 * m * n + m
        body = tokens[at + 2 : at + 2 + size]
        if len(body) < size:
            raise OrlibError(
                f"{path}: instance {k + 1} (m={m}, n={n}) needs {size} numbers after 'm n',"
                f" found {len(body)}",
                file=path,
            )
        values = _numbers(path, body, k, m, n)
        _non_negative(path, values, k, m, n)
        problems.append(
            GapProblem(
                cost=values[: m * n].reshape(m, n),
                weight=values[m * n : 2 * m * n].reshape(m, n),
                capacity=values[2 * m * n :],
                maximize=sense,
            )
        )
        at += 2 + size
    if at != len(tokens):
        raise OrlibError(
            f"{path}: {count} instance(s) read but {len(tokens) - at} number(s) are left over; is P right?",
            file=path,
        )
    return problems


def _maximize_by_name(path: Path) -> bool:
    """gap1–gap12 hold profits; gapa–gapd (and anything else) costs."""
    return re.fullmatch(r"gap\d+", path.stem.lower()) is not None


def _integer(path: Path, tokens: list[str], at: int, what: str) -> int:
    if at >= len(tokens):
        raise OrlibError(f"{path}: the file ends where {what} should be", file=path)
    try:
        return int(tokens[at])
    except ValueError:
        raise OrlibError(
            f"{path}: {what} must be a whole number, got {tokens[at][:20]!r}", file=path
        ) from None


def _where(k: int, m: int, n: int, at: int) -> str:
    """Which number of instance ``k`` (0-based) the ``at``-th of its body is, counted from 1."""
    if at < 2 * m * n:
        what = "cost" if at < m * n else "resource use"
        i, j = divmod(at % (m * n), n)
        return f"instance {k + 1}, the {what} of agent {i + 1} for job {j + 1}"
    return f"instance {k + 1}, the capacity of agent {at - 2 * m * n + 1}"


def _numbers(path: Path, body: list[str], k: int, m: int, n: int) -> np.ndarray:
    try:
        values = np.array(body, dtype=float)
    except ValueError:
        at = next(t for t, token in enumerate(body) if not _is_number(token))
        raise OrlibError(
            f"{path}: {_where(k, m, n, at)} is {body[at][:20]!r}, not a number", file=path
        ) from None
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        at = int(bad[0])
        raise OrlibError(
            f"{path}: {_where(k, m, n, at)} is {body[at][:20]!r}; expected a finite number", file=path
        )
    # a cost of 1e308 overflowed the bound into inf and a traceback (a CLI review), as in the CFLP reader
    huge = np.flatnonzero(np.abs(values) > MAX_VALUE)
    if len(huge):
        at = int(huge[0])
        raise OrlibError(
            f"{path}: {_where(k, m, n, at)} is {body[at][:20]!r}; expected a number from -1e15 to 1e15",
            file=path,
        )
    return values


def _non_negative(path: Path, values: np.ndarray, k: int, m: int, n: int) -> None:
    """Resource uses and capacities are >= 0 (costs may be negative)."""
    negative = np.flatnonzero(values[m * n :] < 0)
    if len(negative):
        at = m * n + int(negative[0])
        raise OrlibError(
            f"{path}: {_where(k, m, n, at)} is {values[at]:g}; expected a number >= 0", file=path
        )


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
