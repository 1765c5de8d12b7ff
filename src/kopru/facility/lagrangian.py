"""The Lagrangian relaxation of the assignment rows: bounds, start plans and variable fixing.

Relaxing ``sum_i x_ij = 1`` with multipliers ``u_j`` splits the problem into one continuous
knapsack per candidate (solved for all candidates at once with sorted arrays) and a cover LP over
the candidates' opening decisions; any ``u`` gives a valid lower bound. Subgradient steps
(Beasley 1988) improve the bound; plans rebuilt from the relaxation's open set by a
transportation LP give upper bounds; reduced costs fix candidates that cannot be in a cheaper plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from kopru.facility.problem import Array, FacilityProblem
from kopru.highs import new_highs


@dataclass
class Lagrangian:
    bound: float
    multipliers: Array  # (J,)
    values: Array  # (I,) f_i + knapsack value at the multipliers: reduced cost of opening i
    upper: float
    open: NDArray[np.bool_]  # a feasible primal plan's open candidates (if found)
    seconds: float


def _knapsacks(p: FacilityProblem, unit_cost: Array, u: Array) -> tuple[Array, Array]:
    """For every candidate at once: min sum_j (c_ij - u_j d_j) z_ij, sum_j d_j z_ij <= q_i, z in [0,1].

    Returns the value per candidate and the optimal z (I, J); z is the fraction of market j.
    """
    reduced = (unit_cost - u[None, :]) * p.demand[None, :]  # per market, whole demand
    profitable = reduced < 0
    ratio = np.where(profitable, unit_cost - u[None, :], np.inf)  # cost per unit of capacity
    order = np.argsort(ratio, axis=1, kind="stable")
    d_sorted = np.where(np.take_along_axis(profitable, order, axis=1), p.demand[order], 0.0)
    before = np.cumsum(d_sorted, axis=1) - d_sorted
    room = np.clip(p.capacity[:, None] - before, 0.0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac_sorted = np.where(d_sorted > 0, np.minimum(1.0, room / d_sorted), 0.0)
    z = np.zeros_like(frac_sorted)
    np.put_along_axis(z, order, frac_sorted, axis=1)
    value = np.sum(np.where(z > 0, reduced * z, 0.0), axis=1)
    return value, z


def _cover_lp(
    values: Array, capacity: Array, demand: float, forced: NDArray[np.bool_]
) -> tuple[float, Array]:
    """LP of: min sum v_i y_i s.t. sum q_i y_i >= D, y in [0,1] (forced y_i = 1): greedy by v/q."""
    y = np.where(forced | (values < 0), 1.0, 0.0)
    short = demand - (capacity * y).sum()
    if short > 0:
        free = np.flatnonzero(y == 0)
        ranked = free[np.argsort(values[free] / np.maximum(capacity[free], 1e-12), kind="stable")]
        cum = np.cumsum(capacity[ranked])
        take = np.searchsorted(cum, short)  # the candidate that closes the gap (fractionally)
        y[ranked[:take]] = 1.0
        if take < len(ranked):
            prev = cum[take - 1] if take > 0 else 0.0
            y[ranked[take]] = (short - prev) / max(capacity[ranked[take]], 1e-12)
    return float((values * y).sum()), y


@dataclass
class _Relaxation:
    """The data every evaluation of the Lagrangian function needs, prepared once."""

    p: FacilityProblem
    unit_cost: Array  # (I, J) cost per unit; 1e30 where i cannot serve j
    fixed: Array  # (I,) fixed costs; 1e30 for candidates forced closed
    forced: NDArray[np.bool_]
    total: float

    @classmethod
    def of(cls, p: FacilityProblem) -> _Relaxation:
        with np.errstate(divide="ignore", invalid="ignore"):
            unit_cost = np.where(p.demand[None, :] > 0, p.assign_cost / p.demand[None, :], 0.0)
        unit_cost = np.where(np.isfinite(unit_cost), unit_cost, 1e30)
        allowed = ~np.isin(p.sites, list(p.force_closed))
        forced = np.isin(p.sites, list(p.force_open))
        return cls(p, unit_cost, np.where(allowed, p.fixed_cost, 1e30), forced, float(p.demand.sum()))

    def start(self) -> Array:
        """Each market's cheapest unit cost plus the cheapest per-unit share of a fixed cost."""
        return np.min(self.unit_cost + (self.fixed / np.maximum(self.p.capacity, 1e-12))[:, None], axis=0)

    def evaluate(self, u: Array) -> tuple[float, Array, Array]:
        """L(u), a valid lower bound for any u; the candidates' values; a subgradient at u."""
        knap, z = _knapsacks(self.p, self.unit_cost, u)
        values = self.fixed + knap
        cover_value, y = _cover_lp(values, self.p.capacity, self.total, self.forced)
        bound = float((u * self.p.demand).sum() + cover_value)
        served = (z * y[:, None]).sum(axis=0)
        return bound, values, (1.0 - served) * self.p.demand


def lagrangian(
    p: FacilityProblem,
    iterations: int = 600,
    primal_rounds: int = 3,
    patience: int = 20,
    deadline: float = np.inf,
) -> Lagrangian:
    """Subgradient optimisation of the assignment-relaxed multi-source CFLP (Beasley 1988 style).

    Steps follow Polyak's rule towards the best plan found so far; a plan is rebuilt from the
    relaxation's open set a few times (a transportation LP each), which keeps the target honest.
    Stops at ``deadline`` (a ``time.perf_counter()`` value) with the best bound and plan so far.
    """
    t0 = time.perf_counter()
    rel = _Relaxation.of(p)
    u = rel.start()
    best_bound, best_u, best_values = -np.inf, u.copy(), rel.fixed.copy()
    best_upper, best_open = np.inf, np.zeros(p.shape[0], dtype=bool)
    checkpoints = set(np.linspace(0, iterations - 1, primal_rounds).astype(int).tolist())
    step_scale, stall = 2.0, 0
    for it in range(iterations):
        if it > 0 and time.perf_counter() >= deadline:
            break
        bound, values, g = rel.evaluate(u)
        if bound > best_bound + 1e-12 * abs(bound):
            best_bound, best_u, best_values, stall = bound, u.copy(), values.copy(), 0
        else:
            stall += 1
            if stall >= patience:
                step_scale, stall = step_scale / 2, 0
        if it in checkpoints or not np.isfinite(best_upper):
            plan, cost = _primal_from_values(p, values)
            if plan is not None and cost < best_upper:
                best_upper, best_open = cost, plan
        if step_scale < 1e-3 or (np.isfinite(best_upper) and best_upper - best_bound <= 1e-9 * best_upper):
            break
        norm = float((g**2).sum())
        if norm < 1e-18:
            break
        target = best_upper if np.isfinite(best_upper) else abs(bound) * 1.1 + 1.0
        u = u + step_scale * max(target - bound, 0.0) / norm * g
    if time.perf_counter() < deadline or not np.isfinite(best_upper):
        plan, cost = _primal_from_values(p, best_values)
        if plan is not None and cost < best_upper:
            best_upper, best_open = cost, plan
    return Lagrangian(
        bound=best_bound,
        multipliers=best_u,
        values=best_values,
        upper=best_upper,
        open=best_open,
        seconds=time.perf_counter() - t0,
    )


def dual_bound(
    p: FacilityProblem, u: Array, upper: float, deadline: float, iterations: int = 100, patience: int = 5
) -> float:
    """The best Lagrangian bound L(u) found by subgradient steps from ``u`` until ``deadline``.

    Any u gives a valid lower bound on the whole problem, so this proves how far a plan found on
    a restricted arc set can be from the optimum over every arc. Starting from the LP duals of
    the assignment rows, L(u) is already about the LP bound; steps aim at ``upper``.
    """
    rel = _Relaxation.of(p)
    best, step_scale, stall = -np.inf, 0.5, 0
    for _ in range(iterations):
        if time.perf_counter() >= deadline or step_scale < 1e-3:
            break
        bound, _, g = rel.evaluate(u)
        if bound > best + 1e-12 * abs(bound):
            best, stall = bound, 0
        else:
            stall += 1
            if stall >= patience:
                step_scale, stall = step_scale / 2, 0
        norm = float((g**2).sum())
        if norm < 1e-18 or upper - best <= 1e-9 * abs(upper):
            break
        u = u + step_scale * max(upper - bound, 0.0) / norm * g
    return best


def reduced_cost_fixing(p: FacilityProblem, lag: Lagrangian, upper: float) -> NDArray[np.bool_]:
    """Candidates that cannot be open in any plan cheaper than ``upper`` (safe to fix closed).

    With the cover LP solved at the bound, forcing a closed candidate open raises the bound by
    at least its reduced cost v_i minus the LP's dual on the cover row times q_i; a simpler and
    still valid test: bound - min(0, v_i) ... is used only where v_i > 0, i.e. opening i costs at
    least v_i more than the relaxation chose.
    """
    total = p.demand.sum()
    forced = np.isin(p.sites, list(p.force_open))
    _, y = _cover_lp(lag.values, p.capacity, total, forced)
    base = float((lag.multipliers * p.demand).sum())
    prune = np.zeros(p.shape[0], dtype=bool)
    candidates = np.flatnonzero((y < 1e-9) & ~forced)
    for i in candidates:  # a few dozen LP re-evaluations, each a sort over candidates
        with_i = forced.copy()
        with_i[i] = True
        value, _ = _cover_lp(lag.values, p.capacity, total, with_i)
        if base + value > upper * (1 + 1e-9) + 1e-6:
            prune[i] = True
    return prune


def _primal_from_values(p: FacilityProblem, values: Array) -> tuple[NDArray[np.bool_] | None, float]:
    """Open what the relaxation opens, add capacity greedily, assign by a transportation LP."""
    total = p.demand.sum()
    forced = np.isin(p.sites, list(p.force_open))
    allowed = ~np.isin(p.sites, list(p.force_closed))
    values = np.where(allowed, values, 1e30)
    _, y = _cover_lp(values, p.capacity, total, forced)
    open_ = (y > 1e-9) & allowed
    # one level per site: keep the best-valued candidate of each site
    order = np.argsort(values, kind="stable")
    seen: set[int] = set()
    chosen = np.zeros_like(open_)
    for i in order[open_[order]]:
        if int(p.sites[i]) not in seen:
            seen.add(int(p.sites[i]))
            chosen[i] = True
    if (p.capacity * chosen).sum() < total:
        return None, np.inf
    cost = _transport_cost(p, chosen)
    if cost is None:
        return None, np.inf
    return chosen, cost + float(p.fixed_cost[chosen].sum())


def _transport_cost(p: FacilityProblem, open_: NDArray[np.bool_]) -> float | None:
    """Optimal multi-source assignment to a fixed set of open candidates (an LP)."""
    plan = transport_plan(p, open_)
    return None if plan is None else plan[0]


def transport_plan(p: FacilityProblem, open_: NDArray[np.bool_]) -> tuple[float, Array] | None:
    """The cost of the optimal multi-source assignment to the open candidates and its flows (I, J):
    the fraction of each market's demand each candidate serves. None when none exists."""
    idx = np.flatnonzero(open_)
    cost = p.assign_cost[idx]
    usable = np.isfinite(cost)
    xi, xj = np.nonzero(usable)
    n_x, n_j, k = len(xi), p.shape[1], len(idx)
    rows = np.concatenate([xj, n_j + xi])
    vals = np.concatenate([np.ones(n_x), p.demand[xj]])
    cols = np.concatenate([np.arange(n_x), np.arange(n_x)])
    m = sparse.csc_matrix((vals, (rows, cols)), shape=(n_j + k, n_x))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_x, n_j + k
    lp.col_cost_ = cost[xi, xj]
    lp.col_lower_, lp.col_upper_ = np.zeros(n_x), np.ones(n_x)
    lp.row_lower_ = np.concatenate([np.ones(n_j), np.full(k, -np.inf)])
    lp.row_upper_ = np.concatenate([np.ones(n_j), p.capacity[idx]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = m.indptr, m.indices, m.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_x, n_j + k
    h = new_highs()
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    flows = np.zeros(p.shape)
    flows[idx[xi], xj] = np.clip(np.asarray(h.getSolution().col_value), 0.0, 1.0)
    return float(h.getInfo().objective_function_value), flows
