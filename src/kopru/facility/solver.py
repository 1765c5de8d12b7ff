"""Solving the facility-location MILP: formulation by size, cutting planes, start plans, bounds.

Smaller instances go straight to HiGHS with every row. Past 20,000 arcs:

1. a Lagrangian relaxation of the assignment rows (:mod:`kopru.facility.lagrangian`) gives a
   lower bound and a plan; candidates whose reduced cost proves they cannot be in a cheaper plan
   are left out;
2. a cutting-plane loop solves the LP relaxation, adding only the linking rows it violates; an
   integral LP solution is the optimum, and the MIP is skipped;
3. a small MIP over the sites the LP leaves fractional gives a plan, the LP's reduced costs fix
   sites against it, and HiGHS searches from that plan (interior point at the root, no restarts).

Past half a million arcs, the problem is first solved on each market's 20 cheapest arcs; the
Lagrangian function of the whole problem at that LP's duals proves how far the plan can be from
the optimum over every arc (see ``_solve_restricted``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import highspy
import numpy as np
from numpy.typing import NDArray

from kopru.errors import InfeasibleError, OptionError
from kopru.facility.checks import explain_infeasibility
from kopru.facility.lagrangian import (
    Lagrangian,
    _Relaxation,
    dual_bound,
    lagrangian,
    reduced_cost_fixing,
    transport_plan,
)
from kopru.facility.model import _build, _linking_rows, _set_integrality, _set_start
from kopru.facility.problem import Array, FacilityProblem, Solution
from kopru.highs import Status, new_highs, relative_gap, status_of

STRONG_MAX_ARCS = 20_000  # measured: above this, separated linking rows beat the full set
LAGRANGE_MAX_ARCS = 500_000  # above this, one subgradient step costs more than it saves
NEAREST = 10  # linking rows seeded per market: its cheapest candidates
RESTRICT_MIN_ARCS = 500_000  # above this, solve on each market's cheapest arcs first
RESTRICT_NEAREST = 20  # arcs kept per market at first (optimal plans use rank <= 6 on gen100x1000)


def choose_formulation(p: FacilityProblem) -> str:
    """Strong linking on small instances; separated (cutting-plane) linking on larger ones.

    Measured (BENCHMARKS.md): all I*J rows x_ij <= y_i give the tightest LP, and on the
    OR-Library sets (up to 2,500 arcs) HiGHS solves that model fastest. On capa-sized instances
    (100 x 1,000) the 100,000 rows make every LP slow; adding only the rows the LP violates
    reaches the same root bound with about a tenth of the rows, and the MIP then closes faster.
    """
    return "strong" if np.isfinite(p.assign_cost).sum() <= STRONG_MAX_ARCS else "cuts"


def solve(
    p: FacilityProblem,
    time_limit: float | None = None,
    gap: float = 1e-9,
    formulation: str = "auto",
    lagrange: bool = True,
    start: NDArray[np.bool_] | None = None,
    start_cost: float | None = None,
) -> Solution:
    """Solve to proven optimality (or to the time limit, reporting the gap).

    ``start`` (one flag per candidate, costing ``start_cost``) is a plan HiGHS searches from unless
    the Lagrangian heuristic finds a cheaper one, so a run cut short by its time limit is never worse
    than it (when it is feasible).

    ``formulation`` is ``"strong"`` (every linking row), ``"aggregated"`` (capacity rows only),
    ``"cuts"`` (aggregated, then the linking rows the LP relaxation violates) or ``"auto"``.
    With ``"auto"``, problems past half a million arcs are first solved on each market's cheapest
    arcs; the bound is then proven over every arc (see ``_solve_restricted``).
    """
    t0 = time.perf_counter()
    why = explain_infeasibility(p)
    if why:
        raise InfeasibleError(f"no plan can exist: {why}")
    if formulation not in ("auto", "strong", "aggregated", "cuts"):
        raise OptionError(f"formulation must be auto, strong, aggregated or cuts, got {formulation!r}")
    deadline = t0 + time_limit if time_limit is not None else np.inf
    if formulation == "auto" and np.isfinite(p.assign_cost).sum() > RESTRICT_MIN_ARCS:
        return _solve_restricted(p, gap, t0, deadline)
    form = choose_formulation(p) if formulation == "auto" else formulation
    return _solve_model(p, gap, form, lagrange, t0, deadline, start, start_cost)


def _solve_model(
    p: FacilityProblem,
    gap: float,
    form: str,
    lagrange: bool,
    t0: float,
    deadline: float,
    start: NDArray[np.bool_] | None = None,
    start_cost: float | None = None,
) -> Solution:
    keep = ~np.isin(p.sites, list(p.force_closed))
    lag = None
    simple = not p.single_source and p.max_sites is None and p.budget is None and p.min_share == 0
    arcs = np.isfinite(p.assign_cost).sum()
    # on small instances HiGHS alone is faster than the relaxation's bookkeeping (measured on the
    # 37 OR-Library sets); above that, its start plan and fixing pay (capb: 47 of 100 fixed)
    relaxing = time.perf_counter()
    if lagrange and simple and STRONG_MAX_ARCS < arcs <= LAGRANGE_MAX_ARCS:
        # at most half the time left: the MIP that follows needs the rest
        lag = lagrangian(p, deadline=relaxing + 0.5 * (deadline - relaxing))
        if np.isfinite(lag.upper):
            keep &= ~reduced_cost_fixing(p, lag, lag.upper)
            keep |= lag.open  # never drop the start plan's candidates
            # the cheaper of the two plans (a single site is often far from the heuristic's)
            if start is None or start_cost is None or lag.upper <= start_cost:
                start = lag.open
        lag.seconds = time.perf_counter() - relaxing  # the bound, its plans and the fixing
    if start is not None:
        keep |= start
    lp, cand, xi, xj = _build(p, form == "strong", keep)
    # model building: the checks and the matrix; the relaxation is solving, counted apart
    build_seconds = time.perf_counter() - t0 - (lag.seconds if lag else 0.0)
    h = new_highs()
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("random_seed", 0)
    h.passModel(lp)

    def remaining() -> float:
        return max(deadline - time.perf_counter(), 0.01)

    loop = _CutLoop()
    done = dict(t0=t0, build_seconds=build_seconds, lag=lag, fixed_closed=int((~keep).sum()), form=form)
    incumbent = None
    if form == "cuts":
        relaxed = np.arange(len(cand) + (len(xi) if p.single_source else 0))  # the integer columns
        _set_integrality(h, relaxed, integer=False)
        loop = _separate_linking(h, p, cand, xi, xj, remaining)
        if loop.complete and _integral(loop.values, len(cand), p.single_source):
            # the LP relaxation is already integral: it is the MIP's optimum, proven
            return _finish(p, cand, xi, xj, loop.values, loop.bound, loop.bound, True, loop, **done)
        _set_integrality(h, relaxed, integer=True)
        if loop.values is not None:
            incumbent = _lp_guided_plan(h, lp, len(cand), loop, remaining)
            upper = min(incumbent[0] if incumbent else np.inf, lag.upper if lag else np.inf)
            keeps = None if start is None else start[cand]
            done["fixed_closed"] += _fix_by_reduced_cost(h, lp, len(cand), loop, upper, keeps)
        # the root LP of this model is the slow part of the search; interior point solves it in a
        # fraction of dual simplex's time (capa: 27 s against 6 s). With a good plan from the
        # start, HiGHS restarts as soon as a few sites are fixed and throws its root cuts away
        # each time: without restarts gen100x1000 takes 31 s instead of 50 (capa 46, capc 19).
        h.setOptionValue("mip_lp_solver", "ipm")
        h.setOptionValue("mip_allow_restart", False)
    if np.isfinite(deadline):
        h.setOptionValue("time_limit", float(remaining()))
    if incumbent is not None and (lag is None or incumbent[0] <= lag.upper):
        _set_start(h, np.round(incumbent[1][: len(cand)]))
    elif start is not None:
        _set_start(h, start[cand].astype(float))
    h.run()
    return _result(h, p, cand, xi, xj, loop, incumbent, **done)


def _lp_guided_plan(h, lp, k: int, loop: _CutLoop, remaining) -> tuple[float, Array] | None:
    """A plan from the LP relaxation: fix the sites it opens or closes in full, solve the rest.

    The small MIP over the fractional sites usually finds the optimum or close to it in a second
    (capa: 0.8 s, where HiGHS's own heuristics took 78 s), and the reduced-cost fixing and the
    search that follow are only as good as the plan they start from.
    """
    y = loop.values[:k]
    cols = np.arange(k, dtype=np.int32)
    lower, upper = np.asarray(lp.col_lower_)[:k], np.asarray(lp.col_upper_)[:k]
    h.changeColsBounds(k, cols, np.where(y >= 1 - 1e-6, 1.0, lower), np.where(y <= 1e-6, 0.0, upper))
    h.setOptionValue("time_limit", float(min(0.1 * remaining(), 30.0)))
    h.run()
    found = (
        h.getInfo().primal_solution_status == 2 and h.getModelStatus() != highspy.HighsModelStatus.kInfeasible
    )
    plan = (
        (float(h.getInfo().objective_function_value), np.asarray(h.getSolution().col_value))
        if found
        else None
    )
    h.changeColsBounds(k, cols, lower, upper)
    return plan


def _fix_by_reduced_cost(h, lp, k: int, loop: _CutLoop, upper: float, start) -> int:
    """Fix the sites whose LP reduced cost proves they cannot change in a plan cheaper than ``upper``.

    For a site at 0 in the LP with reduced cost r > 0, opening it costs at least LP + r; at 1 with
    r < 0, closing it costs at least LP - r. Valid because y is binary and the LP a relaxation.
    """
    if not np.isfinite(upper) or loop.reduced is None:
        return 0
    slack = upper - loop.bound + 1e-9 * abs(upper)
    y = loop.values[:k]
    close = (y <= 1e-9) & (loop.reduced > slack)
    open_ = (y >= 1 - 1e-9) & (-loop.reduced > slack)
    if start is not None:  # the start plan must stay feasible
        close &= ~start
    lower, up = np.asarray(lp.col_lower_)[:k], np.asarray(lp.col_upper_)[:k]
    h.changeColsBounds(k, np.arange(k, dtype=np.int32), np.where(open_, 1.0, lower), np.where(close, 0.0, up))
    return int(close.sum())


def _restrict(p: FacilityProblem, nearest: int) -> FacilityProblem:
    """The same problem with only each market's ``nearest`` cheapest arcs (per unit) left."""
    allowed = ~np.isin(p.sites, list(p.force_closed))
    unit = np.where(allowed[:, None], p.assign_cost, np.inf) / np.maximum(p.demand, 1e-12)[None, :]
    nearest = min(nearest, p.shape[0])
    kth = np.partition(unit, nearest - 1, axis=0)[nearest - 1]
    return replace(p, assign_cost=np.where(unit <= kth[None, :], p.assign_cost, np.inf))


def _solve_restricted(p: FacilityProblem, gap: float, t0: float, deadline: float) -> Solution:
    """Solve on each market's cheapest arcs; prove the bound over every arc; then the whole.

    Every plan on a subset of arcs is a plan of the whole problem. The restricted MIP's own bound
    is not (a dropped arc might pay), so the bound reported is the Lagrangian function of the
    whole problem, evaluated from the restricted LP's duals, which is valid for any multipliers.
    When that bound leaves a gap and time remains, the whole problem is solved from the best
    plan. The bound's time is kept back from the restricted MIP.
    """
    n_i = p.shape[0]
    nearest, best, start, bound = RESTRICT_NEAREST, None, None, -np.inf
    built, best_form = time.perf_counter() - t0, ""  # the checks, then every stage's model
    while True:
        whole = nearest >= n_i
        reserve = 0.0 if whole else min(max(0.05 * (deadline - time.perf_counter()), 2.0), 20.0)
        stage = time.perf_counter()
        restricted = _restrict(p, nearest)
        sol = _solve_model(restricted, gap, "cuts", False, stage, deadline - reserve, start)
        built += sol.build_seconds
        if sol.objective is not None and (best is None or sol.objective <= best.objective):
            best = sol
            best_form = "cuts" if whole else f"cuts on the {nearest} cheapest arcs per market"
        if whole:  # nothing was left out: this MIP's bound holds for the problem
            bound = max(bound, sol.bound if sol.bound is not None else -np.inf)
            break
        if best is not None:
            u = _Relaxation.of(p).start() if sol.duals is None else sol.duals / np.maximum(p.demand, 1e-12)
            bound = max(bound, dual_bound(p, u, best.objective, min(deadline, time.perf_counter() + reserve)))
            if best.objective - bound <= gap * abs(best.objective):
                break
            start = np.isin(np.arange(n_i), best.open)
        if time.perf_counter() >= deadline - 1.0:
            break
        nearest = n_i if best is not None else 2 * nearest  # no plan: the cheapest arcs were too few
    seconds = time.perf_counter() - t0
    if best is None:
        return Solution.empty(
            Status.NO_SOLUTION,
            "no plan was found before the time limit",
            bound=bound if np.isfinite(bound) else None,
            seconds=seconds,
            build_seconds=built,
            formulation="cuts",
        )
    proven = best.objective - bound <= gap * abs(best.objective)
    optimal = proven or (best is sol and whole and sol.status is Status.OPTIMAL)
    best.status = Status.OPTIMAL if optimal else Status.TIME_LIMIT
    best.bound = bound if np.isfinite(bound) else None
    best.gap = relative_gap(best.objective, bound)
    best.seconds, best.build_seconds, best.formulation = seconds, built, best_form
    return best


@dataclass
class _CutLoop:
    """What the cutting-plane loop learnt about the LP relaxation."""

    bound: float = -np.inf  # every optimal LP relaxation on the way is a valid lower bound
    duals: Array | None = None  # (J,) duals of the assignment rows at the last optimal LP
    values: Array | None = None  # column values of that LP
    reduced: Array | None = None  # (k,) reduced costs of the site columns in that LP
    complete: bool = False  # no linking row is violated: the LP is the strong relaxation


def _separate_linking(h, p: FacilityProblem, cand, xi, xj, remaining, max_rounds: int = 60) -> _CutLoop:
    """Cutting-plane loop on the LP relaxation: add the linking rows it violates until none are.

    Seeds each market's cheapest candidates, solves the first LP by interior point (much faster
    than simplex from scratch here), then re-solves by warm-started dual simplex.
    """
    k = len(cand)
    unit = p.assign_cost[cand[xi], xj] / np.maximum(p.demand[xj], 1e-12)
    order = np.lexsort((unit, xj))  # arcs grouped by market, cheapest first
    first = np.searchsorted(xj[order], np.arange(p.shape[1]))
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.append(first, len(order))))
    seeded = order[rank < NEAREST]
    _linking_rows(h, k, seeded, xi)
    h.setOptionValue("solver", "ipm")
    loop = _CutLoop()
    for _ in range(max_rounds):
        if remaining() < 1.0:  # leave the MIP its time: the rows added so far already help it
            break
        h.setOptionValue("time_limit", float(remaining()))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        solution = h.getSolution()
        loop.bound = max(loop.bound, float(h.getInfo().objective_function_value))
        loop.values = np.asarray(solution.col_value)
        loop.duals = np.asarray(solution.row_dual)[: p.shape[1]].copy()
        loop.reduced = np.asarray(solution.col_dual)[:k].copy()
        h.setOptionValue("solver", "simplex")
        violated = np.flatnonzero(loop.values[k:] > loop.values[:k][xi] + 1e-7)
        if len(violated) == 0:
            loop.complete = True
            break
        _linking_rows(h, k, violated, xi)
    h.setOptionValue("solver", "choose")
    return loop


def _integral(values: Array, k: int, single_source: bool, tol: float = 1e-9) -> bool:
    """True when the LP solution already meets the MIP's integrality (then it is optimal)."""
    part = values if single_source else values[:k]
    return bool(np.all(np.minimum(np.abs(part), np.abs(1.0 - part)) <= tol))


def _result(h, p, cand, xi, xj, loop: _CutLoop, incumbent: tuple[float, Array] | None, **done) -> Solution:
    """The solver's plan when it is proven optimal; otherwise the cheapest plan known (HiGHS's,
    the LP-guided one's, the Lagrangian heuristic's) with status ``time_limit``, and
    ``no_solution`` only when there is none."""
    status = status_of(h)
    info = h.getInfo()
    lag = done["lag"]
    if status is Status.INFEASIBLE:
        return Solution.empty(
            status, "the solver proved that no plan meets every constraint together", **_timing(**done)
        )
    bound = _best_bound(info.mip_dual_bound, loop, lag)
    if status is Status.OPTIMAL:
        values = np.asarray(h.getSolution().col_value)
        objective = float(info.objective_function_value)
        return _finish(p, cand, xi, xj, values, objective, bound, True, loop, **done)
    plans = []  # (objective, this model's column values): HiGHS's incumbent, the LP-guided plan
    if status is Status.TIME_LIMIT:
        plans.append((float(info.objective_function_value), np.asarray(h.getSolution().col_value)))
    if incumbent is not None:
        plans.append(incumbent)
    best = min(plans, key=lambda plan: plan[0], default=None)
    if lag is not None and np.isfinite(lag.upper) and (best is None or lag.upper < best[0]):
        found = transport_plan(p, lag.open)
        if found is not None:
            objective = float(p.fixed_cost[lag.open].sum()) + found[0]
            return _plan(np.flatnonzero(lag.open), found[1], objective, bound, False, loop, **done)
    if best is None:
        return Solution.empty(
            Status.NO_SOLUTION,
            "no plan was found before the time limit",
            bound=bound if np.isfinite(bound) else None,
            **_timing(**done),
        )
    return _finish(p, cand, xi, xj, best[1], best[0], bound, False, loop, **done)


def _best_bound(mip_bound: float, loop: _CutLoop, lag: Lagrangian | None) -> float:
    """The best proven lower bound: the MIP's, the cut loop's LP or the Lagrangian's."""
    mip = float(mip_bound) if np.isfinite(mip_bound) else -np.inf  # -inf before the MIP's root
    return max(mip, loop.bound, lag.bound if lag is not None else -np.inf)


def _finish(p, cand, xi, xj, values, objective, bound, optimal, loop, **done) -> Solution:
    """A solution from this model's column values (open flags, then flows)."""
    k = len(cand)
    y = values[:k] > 0.5
    flows = np.zeros(p.shape)
    flows[cand[xi], xj] = np.clip(values[k:], 0.0, 1.0)
    if p.single_source:  # integer columns come back within the solver's tolerance of 0 or 1
        flows = np.round(flows)
    return _plan(np.sort(cand[y]), flows, objective, bound, optimal, loop, **done)


def _plan(open_, flows, objective, bound, optimal, loop, **done) -> Solution:
    """A solution from a plan: its open candidates, flows and objective, and the best bound."""
    return Solution(
        status=Status.OPTIMAL if optimal else Status.TIME_LIMIT,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        open=open_,
        flows=flows,
        duals=loop.duals,
        **_timing(**done),
    )


def _timing(*, t0, build_seconds, lag, fixed_closed, form) -> dict:
    """What every result of the model reports besides its plan: times, and how it was built."""
    return {
        "seconds": time.perf_counter() - t0,
        "build_seconds": build_seconds,
        "lagrangian_seconds": lag.seconds if lag else 0.0,
        "fixed_closed": fixed_closed,
        "formulation": form,
    }
