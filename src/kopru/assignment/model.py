"""The GAP MILP built in one shot from arrays (a column-wise sparse matrix for HiGHS).

In minimisation form (profits negated), over the pairs that may be assigned and are not fixed:

    min  sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1   (or <= 1 when optional)        every job once         (n rows)
         sum_j a_rij x_ij <= b_ri                         capacity of resource r (R*m rows)
         L_k <= sum_{i in S_k, j} w_kij x_ij <= U_k       side constraints       (K rows)
    x_ij binary

A job whose every pair is fixed to 0 keeps no column; its assignment row then reads 0 = 1 and
HiGHS reports the model infeasible, which is right.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

from kopru.assignment.problem import Array, GapProblem, Mask
from kopru.highs import RowFamilies


@dataclass(frozen=True)
class Columns:
    """One binary column per pair kept: its agent and its job (job-major order)."""

    xi: NDArray[np.int64]
    xj: NDArray[np.int64]

    @classmethod
    def of(cls, keep: Mask) -> Columns:
        xj, xi = np.nonzero(keep.T)  # job-major: a job's columns are adjacent
        return cls(xi, xj)

    @property
    def n(self) -> int:
        return len(self.xi)


def build(p: GapProblem, keep: Mask, ones: Mask | None = None) -> tuple[highspy.HighsLp, Columns]:
    """The MILP over the pairs in ``keep``; pairs in ``ones`` (fixed to 1) get lower bound 1."""
    c = Columns.of(keep)
    rows = RowFamilies()
    assignment_rows(rows, p, c)
    capacity_rows(rows, p, c)
    side_rows(rows, p, c)
    lower = np.zeros(c.n) if ones is None else ones[c.xi, c.xj].astype(float)
    return highs_lp(p.min_cost[c.xi, c.xj], lower, rows, c.n), c


def assignment_rows(rows: RowFamilies, p: GapProblem, c: Columns) -> None:
    """Every job once: sum_i x_ij = 1, or <= 1 when jobs are optional."""
    n = p.shape[1]
    lo = np.zeros(n) if p.optional else np.ones(n)
    rows.add(c.xj, np.arange(c.n), np.ones(c.n), lo, np.ones(n))


def capacity_rows(rows: RowFamilies, p: GapProblem, c: Columns) -> None:
    """Each agent's capacity in each resource: sum_j a_rij x_ij <= b_ri (row r*m + i)."""
    m = p.shape[0]
    for r in range(p.resources):
        rows.add(
            c.xi,
            np.arange(c.n),
            p.weight[r, c.xi, c.xj],
            np.full(m, -np.inf),
            p.capacity[r].copy(),
        )


def side_rows(rows: RowFamilies, p: GapProblem, c: Columns) -> None:
    """One row per side constraint: L <= sum_{i in S, j} w_ij x_ij <= U."""
    for s in p.side:
        w = s.matrix(*p.shape)[c.xi, c.xj]
        nz = np.flatnonzero(w)
        rows.one_row(nz, w[nz], s.lower, s.upper)


def highs_lp(cost: Array, lower: Array, rows: RowFamilies, n_cols: int) -> highspy.HighsLp:
    """The model as HiGHS's column-wise LP, every column binary."""
    matrix = rows.matrix(n_cols)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, rows.count
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = lower, np.ones(n_cols)
    lp.row_lower_ = np.concatenate(rows.lo) if rows.lo else np.zeros(0)
    lp.row_upper_ = np.concatenate(rows.hi) if rows.hi else np.zeros(0)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, rows.count
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cols
    return lp


def set_start(h: highspy.Highs, c: Columns, assignment: NDArray[np.int64]) -> None:
    """Hand HiGHS an assignment (agent per job, -1 unassigned) as its starting plan."""
    x = (assignment[c.xj] == c.xi).astype(float)
    h.setSolution(c.n, np.arange(c.n, dtype=np.int32), x)


def assignment_of(values: Array, c: Columns, n: int) -> NDArray[np.int64]:
    """Agent of each job from the column values (-1 where none is at 1)."""
    out = -np.ones(n, dtype=np.int64)
    on = values > 0.5
    out[c.xj[on]] = c.xi[on]
    return out
