"""Solving the generalized assignment problem: the engine, its bound, its plan, its proof.

Two engines, chosen by :func:`choose_engine`:

``"lagrangian"`` (one resource, integer weights and capacities, no side constraints):

1. the LP relaxation (HiGHS) gives a bound and the duals of the assignment rows;
2. from those duals, subgradient steps on the Lagrangian relaxation of the assignment rows, with
   each agent's 0-1 knapsack solved exactly (:mod:`kopru.assignment.lagrangian`), raise the bound
   above the LP's, and the knapsack solutions, repaired, give plans;
3. if the bound proves the best plan (within 1 when costs are integers), the solve ends there;
4. otherwise the Lagrangian reduced costs fix pairs to 0 or 1 exactly (Posta, Ferland & Michelon
   2012), twice, re-optimising the multipliers on the smaller problem in between, and HiGHS
   solves what is left from the best plan.

``"mip"`` (anything else: several resources, side constraints, fractional weights): the LP
relaxation gives a bound and, rounded (each job to the agent its LP value prefers, while every
capacity holds, then the rest greedily by value per unit of resource), a plan; when that plan is
within the requested gap of the LP bound the solve ends there (a matchmaking portfolio whose
zones' published capacities do not bind ends in half a second); else HiGHS solves the whole model,
and the better of its plan and the rounded or greedy one is kept.

Why (measured on this 2-core machine; see BENCHMARKS.md and ``benchmarks/bench_gap.py``): HiGHS
alone solves gapa in 0.02–0.07 s but needs 1–16 s per gapc instance (30 s for the six) and
cannot close 10 × 100 type D instances in a minute (gap 0.3 %); CP-SAT (2 workers) is slower
still (gapc 10 × 200 and 20 × 200 unproven at 60 s). The Lagrangian bound is within a few units
of the optimum on types B–D, so the fixing removes most pairs and leaves HiGHS a small MIP.
With 30 s limits, gapa–c took 28 s summed with this engine against 51 s for HiGHS alone, 118 s
for CP-SAT (2 unproven) and 189 s for CBC (5 unproven); type D stays open for every tool.
Several resources or side constraints go to HiGHS whole: the knapsacks would be
multi-dimensional, and no relaxation of them was measured to pay yet.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

from kopru.assignment.checks import infeasibility
from kopru.assignment.lagrangian import (
    Relaxation,
    applicable,
    fix_by_reduced_cost,
    improve,
    lagrangian,
    plan_cost,
)
from kopru.assignment.model import assignment_of, build, set_start
from kopru.assignment.problem import Array, GapProblem, GapSolution, Mask
from kopru.errors import InfeasibleError, OptionError
from kopru.highs import Status, empty_model, new_highs, relative_gap, status_of

STEP = 2e-4  # first threshold above the bound, relative (at least 1 with integer costs)


def choose_engine(p: GapProblem) -> str:
    """``"lagrangian"`` where exact knapsacks apply (see the module docstring), else ``"mip"``."""
    return "lagrangian" if applicable(p) else "mip"


def solve_gap(
    problem: GapProblem, time_limit: float | None = None, gap: float = 1e-9, engine: str = "auto"
) -> GapSolution:
    """Solve to proven optimality (within ``gap``) or to ``time_limit`` seconds, reporting the gap.

    Raises :class:`~kopru.errors.InfeasibleError` with the reason when a check before solving
    proves there is no plan; a problem found infeasible by the solver itself comes back with
    status ``infeasible``.
    """
    t0 = time.perf_counter()
    if time_limit is not None and not time_limit > 0:
        raise OptionError(f"time_limit must be > 0 seconds, got {time_limit:g}", field="time_limit")
    if not 0 <= gap < 1:
        raise OptionError(f"gap must be in [0, 1), got {gap:g}", field="gap")
    if engine not in ("auto", "lagrangian", "mip"):
        raise OptionError(f"engine must be auto, lagrangian or mip, got {engine!r}", field="engine")
    why = infeasibility(problem)
    if why:
        field = why.side.field if why.side is not None and why.side.field else None
        raise InfeasibleError(
            f"no assignment can exist: {why.text}", field=field, unreachable=why.unreachable
        )
    chosen = choose_engine(problem) if engine == "auto" else engine
    if chosen == "lagrangian" and not applicable(problem):
        raise OptionError("the lagrangian engine needs one resource, integer data, no side constraints")
    run = _Run(problem, gap, t0, t0 + time_limit if time_limit is not None else math.inf)
    return run.lagrangian() if chosen == "lagrangian" else run.mip()


@dataclass
class _Mip:
    """What HiGHS said about a (possibly reduced) model, in minimisation form."""

    status: Status
    plan: NDArray[np.int64] | None
    objective: float  # inf without a plan
    bound: float  # over the model's own space: inf when it is proven empty


@dataclass
class _Run:
    """One solve: the problem, the requested gap and the clock."""

    p: GapProblem
    gap: float
    t0: float
    deadline: float
    built: float = 0.0
    lag_seconds: float = 0.0
    fixed: int = 0

    def remaining(self) -> float:
        return max(self.deadline - time.perf_counter(), 0.01)

    # -- engines ---------------------------------------------------------------------------------
    def mip(self) -> GapSolution:
        """The LP bound and its rounded plan, then HiGHS on the whole model when they are apart."""
        p = self.p
        start = _greedy(p) if not p.side else None
        lp_bound, rounded = self._lp_rounding()
        if rounded is not None and (
            start is None or plan_cost(p.min_cost, rounded) < plan_cost(p.min_cost, start)
        ):
            start = rounded
        if (
            start is not None
            and math.isfinite(lp_bound)
            and self._proven(plan_cost(p.min_cost, start), lp_bound)
        ):
            return self._solution(start, lp_bound, True, "lp rounding")
        # HiGHS is not handed the plan: on the 2,000 x 60 matchmaking instance it searched worse
        # from it (405,718 against 405,935 jobs at 60 s); the plan is kept if HiGHS finds worse
        found = self._run_mip(p.usable, np.zeros(p.shape, dtype=bool), None, timed_build=True)
        if start is not None and plan_cost(p.min_cost, start) < found.objective:
            found = _Mip(found.status, start, plan_cost(p.min_cost, start), found.bound)
        if found.status is Status.INFEASIBLE:
            return self._empty(
                Status.INFEASIBLE, "the solver proved that no assignment meets every constraint"
            )
        if found.plan is None:
            return self._empty(
                Status.NO_SOLUTION, "no assignment was found before the time limit", found.bound
            )
        return self._solution(found.plan, found.bound, found.status is Status.OPTIMAL, "mip")

    def lagrangian(self) -> GapSolution:
        """LP duals, subgradient on the knapsack relaxation, then fix-and-solve rounds.

        Each round keeps only the plans that may cost at most a threshold T (pairs whose forced
        bound exceeds T are fixed) and solves that small MIP. Every plan outside costs more than
        T, so the bound rises past T when the reduced MIP has nothing cheaper; T grows fourfold
        each round until it reaches the best plan's cost, where the round proves optimality.
        """
        p = self.p
        lp_bound, u = self._lp_relaxation()
        if u is None:
            status = Status.INFEASIBLE if lp_bound == math.inf else Status.NO_SOLUTION
            return self._empty(
                status,
                "no assignment exists: the LP relaxation is infeasible"
                if status is Status.INFEASIBLE
                else "the time limit came before the LP relaxation",
            )
        relaxing = time.perf_counter()
        rel = Relaxation(p)
        lag_deadline = min(self.deadline, relaxing + 0.3 * self.remaining())
        lag = lagrangian(rel, rel.project(u), lag_deadline, delta=self.delta)
        self.lag_seconds = time.perf_counter() - relaxing
        bound = self._round_up(max(lp_bound, lag.bound))
        upper, plan = lag.upper, lag.plan
        # a first threshold at the bound itself, or a growth of 2x, measured slower on gapb/gapc
        step = max(self.delta, STEP * abs(bound), 1e-6)
        while not self._proven(upper, bound):
            threshold = bound + step
            if math.isfinite(upper):
                threshold = min(threshold, upper - self._enough(upper))
            to0, to1, outside = fix_by_reduced_cost(rel, lag.u, threshold)
            self.fixed = int(to0.sum() + to1.sum())
            keep = p.usable & ~to0 & ~(to1.any(axis=0)[None, :] & ~to1)
            found = self._run_mip(keep, to1, plan)
            if found.objective < upper:
                plan, upper = found.plan, found.objective
            if found.status not in (Status.OPTIMAL, Status.INFEASIBLE):  # the time limit
                bound = max(bound, min(found.bound, outside))
                break
            # every plan lies in the reduced space (costing >= its bound) or outside (> threshold)
            bound = self._round_up(max(bound, min(found.bound, outside)))
            if bound == math.inf:  # nothing in the reduced space, nothing fixed away
                return self._empty(
                    Status.INFEASIBLE, "the solver proved that no assignment meets every constraint"
                )
            step *= 4
        if plan is None:
            return self._empty(Status.NO_SOLUTION, "no assignment was found before the time limit", bound)
        proven = self._proven(upper, bound)
        return self._solution(plan, bound, proven, "lagrangian" if not self.fixed else "lagrangian + mip")

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def delta(self) -> float:
        """How much better a plan must be to count: 1 with integer costs (none lies between)."""
        return 1.0 if self.p.integral else 0.0

    def _enough(self, upper: float) -> float:
        """A plan must beat ``upper`` by this much to matter (integer step, or the requested gap)."""
        return max(self.delta, self.gap * abs(upper), 1e-9 * max(1.0, abs(upper)))

    def _proven(self, upper: float, bound: float) -> bool:
        return math.isfinite(upper) and upper - bound < self._enough(upper)

    def _round_up(self, bound: float) -> float:
        """With integer costs no plan lies between two integers: a bound rounds up."""
        return math.ceil(bound - 1e-6) if self.p.integral and math.isfinite(bound) else bound

    def _highs(self, lp: highspy.HighsLp) -> highspy.Highs:
        h = new_highs()
        h.setOptionValue("mip_rel_gap", self.gap)
        h.setOptionValue("random_seed", 0)
        if self.delta:  # integer costs: a gap below 1 is closed
            h.setOptionValue("mip_abs_gap", 1 - 1e-6)
        h.passModel(lp)
        return h

    def _lp_rounding(self) -> tuple[float, NDArray[np.int64] | None]:
        """The LP bound (-inf if not solved) and a plan rounded from the LP solution (None if the
        problem has side constraints, which rounding does not keep, or the LP was not solved)."""
        p = self.p
        lp, cols = build(p, p.usable)
        h = self._highs(lp)
        h.setOptionValue("solve_relaxation", True)
        h.setOptionValue("time_limit", float(self.remaining()))
        h.run()
        if status_of(h) is not Status.OPTIMAL:
            return -math.inf, None
        bound = 0.0 if empty_model(h) else float(h.getInfo().objective_function_value)
        if p.side:
            return bound, None
        x = np.zeros(p.shape)
        x[cols.xi, cols.xj] = np.asarray(h.getSolution().col_value)
        return bound, _round(p, x)

    def _lp_relaxation(self) -> tuple[float, Array | None]:
        """The LP bound and the assignment rows' duals (None, with bound inf when infeasible)."""
        lp, _ = build(self.p, self.p.usable)
        self.built = time.perf_counter() - self.t0
        h = self._highs(lp)
        h.setOptionValue("solve_relaxation", True)
        h.setOptionValue("time_limit", float(self.remaining()))
        h.run()
        status = status_of(h)
        if status is Status.INFEASIBLE:
            return math.inf, None
        if status is not Status.OPTIMAL:
            return -math.inf, None
        if empty_model(h):  # no usable pair: assigning nothing is the only plan, and it costs 0
            return 0.0, np.zeros(self.p.shape[1])
        u = np.asarray(h.getSolution().row_dual)[: self.p.shape[1]].copy()
        return float(h.getInfo().objective_function_value), u

    def _run_mip(
        self,
        keep: Mask,
        ones: Mask,
        start: NDArray[np.int64] | None,
        timed_build: bool = False,
    ) -> _Mip:
        """HiGHS on the pairs in ``keep`` (``ones`` fixed to 1), from ``start`` if it lies there."""
        lp, cols = build(self.p, keep, ones)
        if timed_build:
            self.built = time.perf_counter() - self.t0
        h = self._highs(lp)
        if start is not None and _inside(start, keep, ones, self.p.optional):
            set_start(h, cols, start)
        h.setOptionValue("time_limit", float(self.remaining()))
        h.run()
        status = status_of(h)
        info = h.getInfo()
        bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else -math.inf
        if status is Status.INFEASIBLE:
            return _Mip(status, None, math.inf, math.inf)
        if status is Status.NO_SOLUTION:
            return _Mip(status, None, math.inf, bound)
        plan = assignment_of(np.asarray(h.getSolution().col_value), cols, self.p.shape[1])
        return _Mip(status, plan, plan_cost(self.p.min_cost, plan), bound)

    def _solution(self, plan: NDArray[np.int64], bound: float, optimal: bool, engine: str) -> GapSolution:
        """A solution from a plan and a bound in minimisation form (converted to the problem's sense)."""
        p = self.p
        objective = plan_cost(p.min_cost, plan)
        bound = self._round_up(bound)
        if optimal and p.integral and objective - bound < 1.0:
            bound = max(bound, objective)  # proven within 1: the plan is the optimum
        bound = min(bound, objective)
        jobs = np.flatnonzero(plan >= 0)
        used = np.zeros((p.resources, p.shape[0]))
        for r in range(p.resources):
            np.add.at(used[r], plan[jobs], p.weight[r, plan[jobs], jobs])
        return GapSolution(
            status=Status.OPTIMAL if optimal else Status.TIME_LIMIT,
            objective=self._sense(objective),
            bound=self._sense(bound) if math.isfinite(bound) else None,
            gap=relative_gap(objective, bound),
            seconds=time.perf_counter() - self.t0,
            assignment=plan,
            used=used,
            agents=p.shape[0],
            jobs=p.shape[1],
            engine=engine,
            build_seconds=self.built,
            lagrangian_seconds=self.lag_seconds,
            fixed=self.fixed,
        )

    def _empty(self, status: Status, message: str, bound: float = -math.inf) -> GapSolution:
        m, n = self.p.shape
        return GapSolution(
            status,
            None,
            self._sense(bound) if math.isfinite(bound) and status is not Status.INFEASIBLE else None,
            None,
            time.perf_counter() - self.t0,
            assignment=-np.ones(n, dtype=np.int64),
            used=np.zeros((self.p.resources, m)),
            agents=m,
            jobs=n,
            message=message,
            build_seconds=self.built,
            lagrangian_seconds=self.lag_seconds,
        )

    def _sense(self, value: float) -> float:
        """Minimisation form back to the problem's own sense (profits positive again)."""
        return (-value if self.p.maximize else value) + 0.0  # never -0.0


def _inside(plan: NDArray[np.int64], keep: Mask, ones: Mask, optional: bool) -> bool:
    """Whether a plan uses only kept pairs and every pair fixed to 1."""
    jobs = np.flatnonzero(plan >= 0)
    if not optional and len(jobs) < plan.size:
        return False
    x = np.zeros_like(keep)
    x[plan[jobs], jobs] = True
    return bool(keep[x].all() and x[ones].all())


def _round(p: GapProblem, x: Array) -> NDArray[np.int64] | None:
    """A plan from LP values ``x`` (m, n): jobs the LP puts mostly at one agent go there first
    (largest LP value first) while every capacity holds; then every job still open, by its best
    value per unit of resource, to the agent that gains most and has room. None when a job that
    must be assigned (not optional) finds no room."""
    n = p.shape[1]
    cost, usable = p.min_cost, p.usable
    plan = -np.ones(n, dtype=np.int64)
    room = p.capacity.astype(float).copy()
    top = x.argmax(axis=0)
    mass = x[top, np.arange(n)]
    for j in np.argsort(-mass, kind="stable"):
        i = int(top[j])
        if mass[j] < 0.5 or not usable[i, j] or (p.optional and cost[i, j] >= 0):
            continue
        if (p.weight[:, i, j] <= room[:, i] + 1e-9).all():
            plan[j] = i
            room[:, i] -= p.weight[:, i, j]
    scale = np.maximum(p.capacity.sum(axis=1, keepdims=True), 1e-12)[:, :, None]  # (R, 1, 1)
    density = -cost / (1e-12 + (p.weight / scale).sum(axis=0))  # (m, n) gain per share of resources
    open_ = np.flatnonzero(plan < 0)
    best = np.where(usable, density, -np.inf).max(axis=0)
    return plan if _place(p, plan, room, open_[np.argsort(-best[open_], kind="stable")]) else None


def _place(p: GapProblem, plan: NDArray[np.int64], room: Array, order) -> bool:
    """Put each job of ``order`` at the cheapest agent with room (in place); False when a job that
    must be assigned finds none."""
    cost, usable = p.min_cost, p.usable
    for j in order:
        fits = usable[:, j] & (p.weight[:, :, j] <= room + 1e-9).all(axis=0)
        if p.optional:
            fits &= cost[:, j] < 0
        if not fits.any():
            if p.optional:
                continue
            return False
        i = int(np.argmin(np.where(fits, cost[:, j], np.inf)))
        plan[j] = i
        room[:, i] -= p.weight[:, i, j]
    return True


def _greedy(p: GapProblem) -> NDArray[np.int64] | None:
    """A plan by regret over every resource, improved by shifts; None when it gets stuck."""
    m, n = p.shape
    cost = p.min_cost
    plan = -np.ones(n, dtype=np.int64)
    room = p.capacity.copy()
    usable = p.usable
    order = np.argsort(-(np.sort(np.where(usable, cost, 1e18), axis=0)[min(1, m - 1)] - cost.min(axis=0)))
    if not _place(p, plan, room, order):
        return None
    if p.resources == 1:  # shifts and swaps know one resource
        rel = Relaxation(p)
        improve(rel, plan, (p.capacity[0] - room[0]).astype(rel.weight.dtype))
    return plan
