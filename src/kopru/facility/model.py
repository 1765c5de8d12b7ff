"""The facility-location MILP built in one shot from arrays (a column-wise sparse matrix for HiGHS).

    min  sum_i f_i y_i + sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1                        every market j is served        (J rows)
         sum_j d_j x_ij <= q_i y_i             capacity of candidate i          (I rows)
         x_ij <= y_i                           strong linking (optional)        (I*J rows)
         sum_i q_i y_i >= sum_j d_j            total capacity covers demand     (1 row)
         sum_i y_i >= k_min                    as many sites as capacity needs  (1 row)
         sum_{i in site s} y_i <= 1            one capacity level per site      (S rows)
         + options: at most K sites, a capex budget, a minimum share of demand from a subset
    y_i binary; x_ij in [0, 1] (multi-sourcing) or binary (single sourcing)

Only arcs that exist (finite cost, candidate not fixed closed) become columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

from kopru.facility.problem import Array, FacilityProblem
from kopru.highs import RowFamilies


@dataclass(frozen=True)
class _Columns:
    """The model's columns: y for each candidate kept, then x for each arc that exists."""

    cand: NDArray[np.int64]  # (k,) candidates kept
    xi: NDArray[np.int64]  # (n_x,) candidate position (in cand) of each arc column
    xj: NDArray[np.int64]  # (n_x,) market of each arc column

    @property
    def k(self) -> int:
        return len(self.cand)

    @property
    def x_cols(self) -> NDArray[np.int64]:
        return self.k + np.arange(len(self.xi))

    @property
    def n(self) -> int:
        return self.k + len(self.xi)


def _build(p: FacilityProblem, strong: bool, keep: NDArray[np.bool_]):
    """The MILP over the candidates in ``keep``, row family by row family (see the module docstring)."""
    cand = np.flatnonzero(keep)
    xi, xj = np.nonzero(np.isfinite(p.assign_cost[cand]))  # only arcs that exist become columns
    c = _Columns(cand, xi, xj)
    rows = RowFamilies()
    _assignment_rows(rows, p, c)
    _capacity_rows(rows, p, c)
    if strong:
        _linking_rows_all(rows, c)
    _cover_rows(rows, p, c)
    _level_rows(rows, p, c)
    _option_rows(rows, p, c)
    return _highs_lp(p, c, rows), cand, xi, xj


def _assignment_rows(rows: RowFamilies, p: FacilityProblem, c: _Columns) -> None:
    """Every market served in full: sum_i x_ij = 1."""
    n_j = p.shape[1]
    rows.add(c.xj, c.x_cols, np.ones(len(c.xi)), np.ones(n_j), np.ones(n_j))


def _capacity_rows(rows: RowFamilies, p: FacilityProblem, c: _Columns) -> None:
    """Capacity of each candidate, tied to its opening: sum_j d_j x_ij - q_i y_i <= 0."""
    rows.add(
        np.concatenate([c.xi, np.arange(c.k)]),
        np.concatenate([c.x_cols, np.arange(c.k)]),
        np.concatenate([p.demand[c.xj], -p.capacity[c.cand]]),
        np.full(c.k, -np.inf),
        np.zeros(c.k),
    )


def _linking_rows_all(rows: RowFamilies, c: _Columns) -> None:
    """Strong linking, every arc: x_ij - y_i <= 0."""
    n_x = len(c.xi)
    r = np.arange(n_x)
    rows.add(
        np.concatenate([r, r]),
        np.concatenate([c.x_cols, c.xi]),
        np.concatenate([np.ones(n_x), -np.ones(n_x)]),
        np.full(n_x, -np.inf),
        np.zeros(n_x),
    )


def _cover_rows(rows: RowFamilies, p: FacilityProblem, c: _Columns) -> None:
    """Total capacity covers demand (valid, and it guides branching on the aggregated model), and
    at least as many sites as the largest capacities need: a cheap valid cut that the LP
    relaxation, which opens fractions of sites, does not see on its own."""
    rows.one_row(np.arange(c.k), p.capacity[c.cand], p.demand.sum(), np.inf)
    need = _min_open(p, c.cand)
    if need > 1:
        rows.one_row(np.arange(c.k), np.ones(c.k), float(need), np.inf)


def _level_rows(rows: RowFamilies, p: FacilityProblem, c: _Columns) -> None:
    """One capacity level per site; a forced site opens exactly one."""
    site_ids, site_of = np.unique(p.sites[c.cand], return_inverse=True)
    multi = np.bincount(site_of) > 1
    forced_site = np.isin(site_ids, list(p.force_open))
    group = multi | forced_site
    if not group.any():
        return
    remap = -np.ones(len(site_ids), dtype=np.int64)
    remap[group] = np.arange(group.sum())
    members = np.flatnonzero(group[site_of])
    rows.add(
        remap[site_of[members]],
        members,
        np.ones(len(members)),
        np.where(forced_site[group], 1.0, 0.0),
        np.ones(group.sum()),
    )


def _option_rows(rows: RowFamilies, p: FacilityProblem, c: _Columns) -> None:
    """The user's options: at most K sites, a capex budget, a minimum share of demand from a subset."""
    if p.max_sites is not None:
        rows.one_row(np.arange(c.k), np.ones(c.k), -np.inf, float(p.max_sites))
    if p.budget is not None and p.capex is not None:
        rows.one_row(np.arange(c.k), p.capex[c.cand], -np.inf, p.budget)
    if p.min_share > 0 and p.share_mask is not None:
        counted = p.share_mask[c.cand][c.xi]
        rows.one_row(c.x_cols[counted], p.demand[c.xj][counted], p.min_share * p.demand.sum(), np.inf)


def _highs_lp(p: FacilityProblem, c: _Columns, rows: RowFamilies) -> highspy.HighsLp:
    """The model as HiGHS's column-wise LP, with y (and x, under single sourcing) integer."""
    k, n_cols = c.k, c.n
    lower, upper = np.zeros(n_cols), np.ones(n_cols)
    forced = np.isin(p.sites[c.cand], list(p.force_open))
    singles = np.bincount(p.sites[c.cand], minlength=p.sites.max() + 1)
    lower[:k][forced & (singles[p.sites[c.cand]] == 1)] = 1.0
    matrix = rows.matrix(n_cols)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, rows.count
    lp.col_cost_ = np.concatenate([p.fixed_cost[c.cand], p.assign_cost[c.cand][c.xi, c.xj]])
    lp.col_lower_, lp.col_upper_ = lower, upper
    lp.row_lower_, lp.row_upper_ = np.concatenate(rows.lo), np.concatenate(rows.hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, rows.count
    integrality = np.full(
        n_cols, highspy.HighsVarType.kInteger if p.single_source else highspy.HighsVarType.kContinuous
    )
    integrality[:k] = highspy.HighsVarType.kInteger
    lp.integrality_ = list(integrality)
    return lp


def _min_open(p: FacilityProblem, cand: NDArray[np.int64]) -> int:
    """Fewest sites whose capacities can cover total demand (largest level per site)."""
    best = np.zeros(p.sites.max() + 1)
    np.maximum.at(best, p.sites[cand], p.capacity[cand])
    cum = np.cumsum(np.sort(best)[::-1])
    return int(np.searchsorted(cum, p.demand.sum() * (1 - 1e-12)) + 1)


def _linking_rows(h, k: int, arcs: NDArray[np.int64], xi: NDArray[np.int64]) -> None:
    """Add x_a - y_i(a) <= 0 for the given arc columns."""
    n = len(arcs)
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2] = k + arcs
    index[1::2] = xi[arcs]
    starts = np.arange(0, 2 * n, 2, dtype=np.int32)
    h.addRows(n, np.full(n, -np.inf), np.zeros(n), 2 * n, starts, index, np.tile([1.0, -1.0], n))


def _set_integrality(h, cols: NDArray[np.int64], integer: bool) -> None:
    kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
    h.changeColsIntegrality(len(cols), cols.astype(np.int32), [kind] * len(cols))


def _set_start(h, y: Array) -> None:
    """Hand HiGHS a plan's open sites (0/1 per candidate column); it completes the flows itself."""
    h.setSolution(len(y), np.arange(len(y), dtype=np.int32), y)
