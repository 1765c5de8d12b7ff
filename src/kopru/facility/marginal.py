"""What the last unit is worth: marginal values of a network plan, and how far each holds.

With the sites and capacity levels a plan opened held as chosen, what is left is a transportation
LP in units::

    min  sum_ij c_ij y_ij
    s.t. sum_i y_ij - q_j = 0                    each market's sales q_j, fixed at its demand d_j
         sum_j y_ij <= Q_i                       capacity of each open candidate
         sum_{i in M, j} y_ij - s sum_j q_j >= 0 the minimum share from a subset M (if asked)

Its duals are the marginal values, as rates per unit: the reduced cost of q_j is what each more
unit sold in market j adds to the annual cost (the share row moves with it, as the share is of
total sales), the dual of a capacity row what each more unit of capacity at that site would save,
and the share row's what each more point of the minimum share costs. HiGHS's ranging says how far
each rate holds before the flows re-route. Where the plan sits on a corner (a full plant whose
demand is met exactly), a dual holds on one side only; the other side's rate is read at a point a
unit away (a thousandth of a unit where the cost bends sooner) whose basis reaches back to the
plan's, and a side on which no step is feasible (no room left anywhere open) has no rate (NaN),
which is itself the answer: the next unit needs a larger plant or another site, which only
re-solving the whole plan weighs.

Under single sourcing each market is served whole by one site, a yes-or-no choice with no dual:
:func:`single_source_steps` re-solves the assignment (an exact MIP) with one unit more or less
instead, a step rather than a rate, with no range (a larger change can move a whole market).

These are marginal values of a plan, not of the decision to open: a change large enough to make
another site or level worth opening is what ``kopru optimize``'s sensitivity re-solves answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from kopru.facility.problem import Array
from kopru.highs import new_highs

__all__ = ["MarginalValues", "Side", "marginal_values", "single_source_steps"]

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class Side:
    """A one-sided marginal rate per unit and the level of the quantity up to (or down to) which
    it holds; ``value`` is NaN where a step that way cannot be served, ``until`` inf without limit."""

    value: Array
    until: Array


@dataclass(frozen=True)
class MarginalValues:
    """Marginal values of a plan with its open candidates fixed: rates per unit, plan currency a year.

    ``cost_up``: each more unit sold in a market adds; ``cost_down``: each unit fewer saves.
    ``capacity_up``: each more unit of capacity at an open candidate saves; ``capacity_down``: each
    unit less costs. ``share_up``/``share_down``: each point (1 %) more or less of the minimum share.
    """

    cost_up: Side  # (J,)
    cost_down: Side  # (J,)
    capacity_up: Side  # (K,) in the order of ``open_``
    capacity_down: Side  # (K,)
    spare: Array  # (K,) units of capacity the plan leaves unused
    share_up: Side | None
    share_down: Side | None
    objective: float  # the transportation LP's cost (the plan's cost beyond its fixed costs)
    share_cost: float | None = None  # single sourcing: what the minimum share costs against none


@dataclass
class _Lp:
    z: float
    col_value: Array
    col_dual: Array
    row_dual: Array
    ranging: object | None
    col_basic: NDArray[np.bool_]
    row_basic: NDArray[np.bool_]


def marginal_values(
    per_unit: Array,
    capacity: Array,
    demand: Array,
    open_: NDArray[np.int64],
    share_mask: NDArray[np.bool_] | None = None,
    min_share: float = 0.0,
) -> MarginalValues:
    """Marginal values of serving ``demand`` (J,) from the candidates ``open_`` at ``per_unit`` (I, J)
    costs (inf where there is no arc) within ``capacity`` (I,); see the module docstring."""
    cand = np.asarray(open_, dtype=np.int64)
    cost = np.asarray(per_unit, dtype=float)[cand]
    n_k, n_j = cost.shape
    ki, kj = np.nonzero(np.isfinite(cost))
    n_y = len(ki)
    share = min_share > 0 and share_mask is not None and demand.sum() > 0
    h = new_highs()
    _pass(
        h,
        cost[ki, kj],
        ki,
        kj,
        n_k,
        n_j,
        capacity[cand],
        demand,
        share_mask[cand] if share else None,
        min_share,
    )
    lp = _solve(h)
    if lp is None:
        raise ValueError("the open sites cannot serve the demand: no marginal values without a plan")
    q = n_y + np.arange(n_j)

    def set_demand(j: int) -> Callable[[float], None]:
        return lambda v: h.changeColBounds(int(q[j]), v, v)

    def set_capacity(k: int) -> Callable[[float], None]:
        return lambda v: h.changeRowBounds(n_j + k, -_INF, v)

    up_d, down_d = _sides(
        h, lp, [set_demand(j) for j in range(n_j)], demand, lp.col_dual[q], lp.col_basic[q], "col", q, 1.0
    )
    down_d.until[:] = np.maximum(down_d.until, 0.0)
    down_d.value[demand <= 0] = np.nan
    rows_k = n_j + np.arange(n_k)
    used = np.zeros(n_k)
    np.add.at(used, ki, lp.col_value[:n_y])
    spare = np.maximum(capacity[cand] - used, 0.0)
    slack = spare > 1e-7 * np.maximum(1.0, capacity[cand])
    spare[~slack] = 0.0  # a solver's rounding is not room to spare
    up_c, down_c = _sides(
        h,
        lp,
        [set_capacity(k) for k in range(n_k)],
        capacity[cand],
        lp.row_dual[rows_k],
        lp.row_basic[rows_k],
        "row",
        rows_k,
        1.0,
        skip=slack,
    )
    # A plant with room to spare: more capacity saves nothing, and less costs nothing until its use.
    up_c.value[slack], up_c.until[slack] = 0.0, np.inf
    down_c.value[slack], down_c.until[slack] = 0.0, used[slack]
    share_up = share_down = None
    if share:
        row = n_j + n_k
        total = float(demand.sum())
        point = 0.01 * total  # one point of the share, in units of the row
        counted = share_mask[cand][ki]
        surplus = lp.col_value[:n_y][counted].sum() - min_share * total  # made beyond the minimum
        if surplus > 1e-7 * max(1.0, total):  # the minimum does not bind: free until the surplus
            up_s, down_s = Side(np.zeros(1), np.array([surplus])), Side(np.zeros(1), np.array([-np.inf]))
        else:
            up_s, down_s = _sides(
                h,
                lp,
                [lambda v: h.changeRowBounds(row, v, _INF)],
                np.zeros(1),
                lp.row_dual[[row]],
                lp.row_basic[[row]],
                "row",
                np.array([row]),
                point,
            )
        share_up = Side(up_s.value * point, np.minimum(min_share + up_s.until / total, 1.0))
        share_down = Side(down_s.value * point, np.maximum(min_share + down_s.until / total, 0.0))
    # The cost is convex and falls with capacity: where one more unit saves nothing, no more will.
    up_c.until[up_c.value == 0] = np.inf
    return MarginalValues(
        cost_up=up_d,
        cost_down=down_d,
        capacity_up=Side(0.0 - up_c.value, up_c.until),  # a dual <= 0: more capacity lowers the cost
        capacity_down=Side(0.0 - down_c.value, np.maximum(down_c.until, 0.0)),
        spare=spare,
        share_up=share_up,
        share_down=share_down,
        objective=lp.z,
    )


def single_source_steps(
    per_unit: Array,
    capacity: Array,
    demand: Array,
    open_: NDArray[np.int64],
    share_mask: NDArray[np.bool_] | None = None,
    min_share: float = 0.0,
    step: float = 1.0,
    time_limit_s: float = 30.0,
) -> MarginalValues:
    """Under single sourcing, where each market is served whole by one open candidate: what one
    unit more or less costs, found by re-solving the assignment (an exact MIP, a generalised
    assignment problem) with that unit changed. A step, not a rate: there is no dual to range, and a
    larger change can move a whole market to another site (``until`` is NaN: unknown). Each value
    is per unit of the step actually taken (a demand or capacity below one unit steps down to zero,
    a share near 100 % up to 100 %). A step that cannot be served has no value (NaN); all the
    re-solves share ``time_limit_s``, and if any is left unsolved the whole set is refused
    (:class:`TimeoutError`): a missing value must not read as a step that cannot be served.
    ``share_cost`` is what the minimum share costs against none."""
    cand = np.asarray(open_, dtype=np.int64)
    cost = np.asarray(per_unit, dtype=float)[cand]
    cap, demand = np.asarray(capacity, dtype=float)[cand], np.asarray(demand, dtype=float)
    mask = share_mask[cand] if share_mask is not None and min_share > 0 else None
    n_k, n_j = cost.shape
    deadline = time.monotonic() + time_limit_s
    solves = [0]

    def z(d: Array = demand, q: Array = cap, share: float = min_share) -> tuple[float, Array | None]:
        left = deadline - time.monotonic()
        value, assign = _assignment(cost, q, d, mask, share, left) if left > 0 else (None, None)
        if value is None:  # stopped by the clock: unknown, not infeasible
            raise TimeoutError(
                f"the single-sourcing re-solves did not finish within {time_limit_s:g} s ({solves[0]} done)"
            )
        solves[0] += 1
        return value, assign

    base, assign = z()
    if assign is None:
        raise ValueError("the open sites cannot serve the demand whole: no marginal values without a plan")

    def stepped(values: Array, j: int, by: float) -> Array:
        out = values.copy()
        out[j] += by
        return out

    d_down = np.minimum(demand, step)  # a demand below one unit steps down to zero
    q_down = np.minimum(cap, step)
    more = np.array([z(d=stepped(demand, j, step))[0] for j in range(n_j)])
    less = np.array([z(d=stepped(demand, j, -d_down[j]))[0] if d_down[j] > 0 else np.nan for j in range(n_j)])
    cap_more = np.array([z(q=stepped(cap, k, step))[0] for k in range(n_k)])
    cap_less = np.array(
        [z(q=stepped(cap, k, -q_down[k]))[0] if q_down[k] > 0 else np.nan for k in range(n_k)]
    )
    used = np.zeros(n_k)
    np.add.at(used, assign, demand)
    share_up = share_down = None
    share_cost = None
    if mask is not None:
        up_to, down_to = min(min_share + 0.01, 1.0), max(min_share - 0.01, 0.0)
        up = (z(share=up_to)[0] - base) / ((up_to - min_share) / 0.01) if up_to > min_share else np.nan
        down = (base - z(share=down_to)[0]) / ((min_share - down_to) / 0.01)
        share_up, share_down = (
            Side(np.array([up]), np.full(1, np.nan)),
            Side(np.array([down]), np.full(1, np.nan)),
        )
        share_cost = base - z(share=0.0)[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return MarginalValues(
            cost_up=Side((more - base) / step, np.full(n_j, np.nan)),
            cost_down=Side((base - less) / d_down, np.full(n_j, np.nan)),
            capacity_up=Side((base - cap_more) / step, np.full(n_k, np.nan)),
            capacity_down=Side((cap_less - base) / q_down, np.full(n_k, np.nan)),
            spare=np.maximum(cap - used, 0.0),
            share_up=share_up,
            share_down=share_down,
            objective=base,
            share_cost=share_cost,
        )


def _assignment(
    cost: Array,
    cap: Array,
    demand: Array,
    mask: NDArray[np.bool_] | None,
    min_share: float,
    time_limit_s: float,
) -> tuple[float, NDArray[np.int64] | None]:
    """The cheapest single-source assignment of markets to the candidates (rows of ``cost``, inf
    where there is no arc): its cost and each market's candidate; (NaN, None) if none is found."""
    n_k, n_j = cost.shape
    ki, kj = np.nonzero(np.isfinite(cost))
    h = new_highs()
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", 0.0)
    n = len(ki)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost[ki, kj] * demand[kj])
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
    a = sparse.csr_matrix((np.ones(n), (kj, np.arange(n))), shape=(n_j, n))
    h.addRows(
        n_j,
        np.ones(n_j),
        np.ones(n_j),
        a.nnz,
        a.indptr[:-1].astype(np.int32),
        a.indices.astype(np.int32),
        a.data,
    )
    b = sparse.csr_matrix((demand[kj], (ki, np.arange(n))), shape=(n_k, n))
    h.addRows(
        n_k,
        np.full(n_k, -_INF),
        cap,
        b.nnz,
        b.indptr[:-1].astype(np.int32),
        b.indices.astype(np.int32),
        b.data,
    )
    if mask is not None:
        counted = np.flatnonzero(mask[ki])
        h.addRow(min_share * demand.sum(), _INF, len(counted), counted.astype(np.int32), demand[kj[counted]])
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kTimeLimit:
        return None, None
    if status != highspy.HighsModelStatus.kOptimal:
        return np.nan, None
    x = np.asarray(h.getSolution().col_value) > 0.5
    assign = np.full(n_j, -1, dtype=np.int64)
    assign[kj[x]] = ki[x]
    return float(h.getInfo().objective_function_value), assign


def _pass(h, c, ki, kj, n_k, n_j, cap, demand, mask, min_share) -> None:
    """Columns y (arcs) then q (sales); rows: market balances, capacities, the share."""
    n_y = len(ki)
    cols = np.arange(n_y)
    # arcs from 0 up; each market's sales fixed at its demand
    h.addVars(
        n_y + n_j, np.concatenate([np.zeros(n_y), demand]), np.concatenate([np.full(n_y, _INF), demand])
    )
    h.changeColsCost(n_y, cols.astype(np.int32), c)
    rows, idx, val = [kj, n_j + ki], [cols, cols], [np.ones(n_y), np.ones(n_y)]
    rows.append(np.arange(n_j))
    idx.append(n_y + np.arange(n_j))
    val.append(-np.ones(n_j))
    lo = [np.zeros(n_j), np.full(n_k, -_INF)]
    hi = [np.zeros(n_j), cap]
    if mask is not None:
        counted = mask[ki]
        r = n_j + n_k
        rows += [np.full(counted.sum(), r), np.full(n_j, r)]
        idx += [cols[counted], n_y + np.arange(n_j)]
        val += [np.ones(counted.sum()), np.full(n_j, -min_share)]
        lo.append(np.zeros(1))
        hi.append(np.array([_INF]))
    n_rows = n_j + n_k + (mask is not None)
    a = sparse.csr_matrix(
        (np.concatenate(val), (np.concatenate(rows), np.concatenate(idx))), shape=(n_rows, n_y + n_j)
    )
    h.addRows(
        n_rows,
        np.concatenate(lo),
        np.concatenate(hi),
        a.nnz,
        a.indptr[:-1].astype(np.int32),
        a.indices.astype(np.int32),
        a.data,
    )


def _solve(h) -> _Lp | None:
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    sol, basis = h.getSolution(), h.getBasis()
    status, ranging = h.getRanging()
    basic = highspy.HighsBasisStatus.kBasic
    return _Lp(
        z=h.getInfo().objective_function_value,
        col_value=np.asarray(sol.col_value, dtype=float),
        col_dual=np.asarray(sol.col_dual, dtype=float),
        row_dual=np.asarray(sol.row_dual, dtype=float),
        ranging=ranging if status == highspy.HighsStatus.kOk else None,
        col_basic=np.array([s == basic for s in basis.col_status]),
        row_basic=np.array([s == basic for s in basis.row_status]),
    )


def _sides(h, lp: _Lp, setters, base: Array, dual: Array, basic, kind: str, index, step: float, skip=None):
    """Both one-sided rates dz/db of each bound b (up: as b rises; down: as it falls) and how far each
    holds: the LP's dual where ranging says its basis holds that way, else read a step away. The
    elements in ``skip`` (known otherwise) are left NaN."""
    n = len(base)
    up, down = Side(np.full(n, np.nan), np.full(n, np.nan)), Side(np.full(n, np.nan), np.full(n, np.nan))
    hi, lo = _range(lp, kind, index)
    for e in np.flatnonzero(~skip) if skip is not None else range(n):
        b = float(base[e])
        tol = 1e-9 * max(1.0, abs(b))
        if not basic[e] and hi[e] > b + tol:
            up.value[e], up.until[e] = dual[e], hi[e]
        else:
            up.value[e], up.until[e] = _step(h, lp, setters[e], b, step, kind, index[e])
        if not basic[e] and lo[e] < b - tol:
            down.value[e], down.until[e] = dual[e], lo[e]
        else:
            down.value[e], down.until[e] = _step(h, lp, setters[e], b, -step, kind, index[e])
    return up, down


def _range(lp: _Lp, kind: str, index) -> tuple[Array, Array]:
    """The values up to and down to which each bound can move with the optimal basis unchanged."""
    if lp.ranging is None:
        return np.full(len(index), -np.inf), np.full(len(index), np.inf)  # every side by a step
    up = lp.ranging.col_bound_up if kind == "col" else lp.ranging.row_bound_up
    dn = lp.ranging.col_bound_dn if kind == "col" else lp.ranging.row_bound_dn
    return _finite_or_inf(np.asarray(up.value_)[index]), _finite_or_inf(np.asarray(dn.value_)[index])


def _finite_or_inf(values: Array) -> Array:
    out = np.array(values, dtype=float)
    big = np.abs(out) >= _INF
    out[big] = np.copysign(np.inf, out[big])
    return out


def _step(h, lp: _Lp, set_bound, b: float, delta: float, kind: str, where: int) -> tuple[float, float]:
    """The one-sided rate dz/db from b towards ``delta`` and how far it holds, read at a point a step
    away whose basis reaches back to b (its dual is then the rate on the whole stretch, its ranging
    the far end); a thousandth of the step if the cost bends within the step; else the average rate
    over the smaller step, said to hold for that step only. NaN where no step that way is feasible."""
    found = (np.nan, np.nan)
    for d in (delta, delta * 1e-3):
        set_bound(b + d)
        moved = _solve(h)
        set_bound(b)
        if moved is None:
            continue
        found = ((moved.z - lp.z) / d, b + d)
        basic = moved.col_basic if kind == "col" else moved.row_basic
        if basic[where]:
            continue
        hi, lo = _range(moved, kind, np.array([where]))
        back, reach = (lo[0], hi[0]) if d > 0 else (hi[0], lo[0])
        if (back - b) * np.sign(d) <= 1e-9 * max(1.0, abs(b)):
            dual = (moved.col_dual if kind == "col" else moved.row_dual)[where]
            return float(dual), float(reach)
    return found
