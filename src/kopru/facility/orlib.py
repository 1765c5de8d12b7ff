"""OR-Library capacitated warehouse location files (Beasley 1988): read them into a problem.

Format: ``m n``; then m pairs ``capacity fixed_cost``; then for each customer its demand followed
by m costs of serving all of its demand from each warehouse. Line breaks carry no meaning. In
capa, capb and capc the capacity is the literal word ``capacity``, to be replaced by a value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kopru import documents
from kopru.errors import OrlibError
from kopru.facility.problem import FacilityProblem

MAX_BYTES = 64_000_000  # capc is 3 MB; a generated 1,000 × 5,000 instance about 60 MB


def read_cap(path: str | Path, capacity: float | None = None, single_source: bool = False) -> FacilityProblem:
    path = Path(path)
    text = documents.read_text(
        path, "OR-Library file", error=OrlibError, max_bytes=MAX_BYTES, encoding="ascii"
    )
    tokens = text.split()
    if len(tokens) < 2:
        raise OrlibError(f"{path}: expected 'm n' and then the data, found {len(tokens)} numbers", file=path)
    try:
        m, n = int(tokens[0]), int(tokens[1])
    except ValueError:
        raise OrlibError(
            f"{path}: the first two numbers must be m and n, got {tokens[:2]}", file=path
        ) from None
    if m < 1 or n < 1:
        raise OrlibError(f"{path}: m and n must be >= 1, got m={m}, n={n}", file=path)
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise OrlibError(f"{path}: m={m}, n={n} needs {expected} numbers, found {len(tokens)}", file=path)
    head = tokens[2 : 2 + 2 * m]
    caps_raw, fixed_raw = head[0::2], head[1::2]
    if any(c == "capacity" for c in caps_raw):
        if capacity is None:
            raise OrlibError(
                f"{path} has the placeholder 'capacity': give its value with --capacity N", file=path
            )
        caps_raw = [str(capacity) if c == "capacity" else c for c in caps_raw]
    elif capacity is not None:
        caps_raw = [str(capacity)] * m
    try:
        cap = np.array(caps_raw, dtype=float)
        fixed = np.array(fixed_raw, dtype=float)
        body = np.array(tokens[2 + 2 * m :], dtype=float).reshape(n, 1 + m)
    except ValueError as exc:
        raise OrlibError(f"{path}: a value is not a number ({exc})", file=path) from None
    _check_values(path, "capacity of warehouse", cap)
    _check_values(path, "fixed cost of warehouse", fixed)
    _check_values(path, "demand of customer", body[:, 0])
    _check_values(path, "cost row of customer", body[:, 1:], inf_allowed=True)
    return FacilityProblem(
        fixed_cost=fixed,
        capacity=cap,
        demand=body[:, 0].copy(),
        assign_cost=np.ascontiguousarray(body[:, 1:].T),
        single_source=single_source,
    )


MAX_VALUE = 1e15  # far above any OR-Library figure; beyond it sums of costs lose every digit


def _check_values(path: Path, what: str, values: np.ndarray, inf_allowed: bool = False) -> None:
    """Refuse NaN, negative and absurd numbers, naming the first one (1-based, as the file counts)."""
    bad = (
        np.isnan(values)
        | (values < 0)
        | ((np.abs(values) > MAX_VALUE) & ~(inf_allowed & np.isposinf(values)))
    )
    if bad.any():
        index = np.argwhere(bad)[0]
        expected = "a number from 0 to 1e15" + (" (or inf: cannot serve)" if inf_allowed else "")
        raise OrlibError(
            f"{path}: {what} {index[0] + 1} is {values[tuple(index)]}; expected {expected}", file=path
        )
