"""HiGHS, quiet, and the one way kopru reports what a solver did.

Every model kopru solves (facility location, contact scheduling, assignment) reports a
:class:`SolveResult`: a :class:`Status`, the objective of the plan found, the best proven bound,
the relative gap between them and the seconds spent. Check ``status`` before trusting a plan:
``time_limit`` means a plan exists but is not proven optimal (``gap`` says how far it may be).

HiGHS's C++ constructor prints a licence banner straight to file descriptor 1, which would corrupt
``--json`` output on stdout, so :func:`new_highs` constructs with fd 1 muted.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import sys
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from kopru.errors import SolverError

_lock = threading.Lock()  # fd 1 is process-wide: one construction at a time


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"  # the plan is proven optimal (within the requested gap)
    TIME_LIMIT = "time_limit"  # a plan was found but not proven optimal before the limit
    NO_SOLUTION = "no_solution"  # the limit came before any plan
    INFEASIBLE = "infeasible"  # proven: no plan meets every constraint


@dataclass
class SolveResult:
    """Status, objective, bound, gap and time of a solve; models add their plan's fields."""

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float

    @property
    def proven(self) -> bool:
        return self.status is Status.OPTIMAL

    def summary(self) -> dict[str, Any]:
        """The fields every solver reports, JSON-ready (no NaN or infinity: None instead)."""
        return {
            "status": self.status.value,
            "objective": _finite(self.objective),
            "bound": _finite(self.bound),
            "gap": _finite(self.gap),
            "seconds": round(self.seconds, 4),
        }


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective - bound) / |objective| for a minimisation, never negative; None if unknown."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return max(0.0, (objective - bound) / max(abs(objective), 1e-12))


_LIMITS = frozenset(
    {
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kSolutionLimit,
        highspy.HighsModelStatus.kObjectiveBound,
        highspy.HighsModelStatus.kObjectiveTarget,
        highspy.HighsModelStatus.kInterrupt,
        highspy.HighsModelStatus.kMemoryLimit,
        highspy.HighsModelStatus.kHighsInterrupt,
    }
)


def status_of(h: Any) -> Status:
    """The :class:`Status` of a HiGHS instance after ``run()`` (an LP or a MIP).

    ``kModelEmpty`` (no columns) is optimal when every row admits 0, else infeasible (HiGHS does
    not check the rows of a model without columns). ``kUnboundedOrInfeasible`` on a model whose
    columns are all bounded can only be infeasible. A limit (time, iterations, solutions,
    interrupt) is ``time_limit`` with a plan and ``no_solution`` without; any other status is a
    solver failure, not a limit, and raises :class:`RuntimeError` naming it.
    """
    model = h.getModelStatus()
    if model == highspy.HighsModelStatus.kModelEmpty:
        return Status.OPTIMAL if _rows_admit_zero(h) else Status.INFEASIBLE
    if model == highspy.HighsModelStatus.kInfeasible:
        return Status.INFEASIBLE
    if model == highspy.HighsModelStatus.kUnboundedOrInfeasible and _columns_bounded(h):
        return Status.INFEASIBLE
    has_plan = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    if model == highspy.HighsModelStatus.kOptimal:
        return Status.OPTIMAL if has_plan else Status.NO_SOLUTION
    if model in _LIMITS:
        return Status.TIME_LIMIT if has_plan else Status.NO_SOLUTION
    words = h.modelStatusToString(model)
    raise SolverError(
        f"HiGHS stopped with status {words!r}, neither an answer nor a limit it was given;"
        " expected a solvable model: try a smaller instance or a longer time limit"
    )


def empty_model(h: Any) -> bool:
    """Whether HiGHS reported the model it was given as empty (no columns)."""
    return h.getModelStatus() == highspy.HighsModelStatus.kModelEmpty


def _rows_admit_zero(h: Any, tol: float = 1e-9) -> bool:
    lp = h.getLp()
    lower, upper = np.asarray(lp.row_lower_, dtype=float), np.asarray(lp.row_upper_, dtype=float)
    return bool((lower <= tol).all() and (upper >= -tol).all())


def _columns_bounded(h: Any) -> bool:
    lp = h.getLp()
    lower, upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    return bool(np.isfinite(lower).all() and np.isfinite(upper).all())


def new_highs() -> Any:
    """A ``highspy.Highs`` with its banner swallowed and logging off."""
    with _lock:
        sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no real stdout (embedded interpreter): nothing to protect
            h = highspy.Highs()
        else:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
                with contextlib.suppress(OSError, AttributeError, TypeError):
                    ctypes.CDLL(None).fflush(None)  # C stdio buffers, before fd 1 comes back
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
    h.setOptionValue("output_flag", False)
    return h


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


class RowFamilies:
    """Constraint rows gathered family by family as (row, column, value) triples and bounds, so a
    model is built from arrays in one pass (no per-row Python calls) and handed to HiGHS whole."""

    def __init__(self) -> None:
        self.rows: list[NDArray] = []
        self.cols: list[NDArray] = []
        self.vals: list[NDArray] = []
        self.lo: list[NDArray] = []
        self.hi: list[NDArray] = []

    @property
    def count(self) -> int:
        return sum(len(x) for x in self.lo)

    def add(self, r: NDArray, c: NDArray, v: NDArray, row_lo: NDArray, row_hi: NDArray) -> None:
        """A family of rows: triples with row numbers counted from 0 within the family."""
        self.rows.append(r + self.count)
        self.cols.append(c)
        self.vals.append(v)
        self.lo.append(row_lo)
        self.hi.append(row_hi)

    def one_row(self, c: NDArray, v: NDArray, row_lo: float, row_hi: float) -> None:
        self.add(np.zeros(len(c), dtype=np.int64), c, v, np.array([row_lo]), np.array([row_hi]))

    def matrix(self, n_cols: int) -> sparse.csc_matrix:
        if not self.rows:
            return sparse.csc_matrix((0, n_cols))
        data = (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols)))
        return sparse.csc_matrix(data, shape=(self.count, n_cols))
