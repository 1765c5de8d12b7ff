"""The Lagrangian relaxation of the assignment rows: bounds, plans and exact variable fixing.

In minimisation form, relaxing ``sum_i x_ij = 1`` with multipliers ``u_j`` (Fisher, Jaikumar &
Van Wassenhove 1986) leaves one 0-1 knapsack per agent:

    L(u) = sum_j u_j - sum_i Z_i(u),   Z_i(u) = max { sum_j (u_j - c_ij) x_ij : sum_j a_ij x_ij <= b_i }

Any u gives a lower bound (for optional jobs, ``sum_i x_ij <= 1``, any u <= 0). The knapsacks are
solved exactly by dynamic programming over the integer capacity, so the bound is at least the LP
bound (the knapsacks lose their integrality gap). Subgradient steps from the LP's duals improve it.

Fixing (Posta, Ferland & Michelon 2012): the bound of the problem with ``x_ij`` forced to v is
``L + Z_i - Z_i(x_ij = v)``, and forward and backward DP tables give ``Z_i(x_ij = v)`` for every
item of a knapsack in one pass. Where that bound exceeds the best plan's cost (less one, when
every cost is an integer), x_ij may be fixed to 1 - v without losing any better plan.

The plan (upper bound) repairs the knapsack solution: each job keeps its cheapest agent among
those that took it, the others go where they fit by regret, then shifts and swaps improve it.

Only problems with one resource, integer weights and capacities and no side constraints use this
module (:func:`applicable`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kopru.assignment.problem import Array, GapProblem, Mask

MAX_DP_CELLS = 4_000_000  # n × mean capacity: above this, one DP pass costs more than it saves


def applicable(p: GapProblem) -> bool:
    """One resource, integer weights and capacities, no side constraints, DP tables of sane size."""
    if p.resources != 1 or p.side:
        return False
    w, b = p.weight[0][p.usable], p.capacity[0]
    integral = bool(np.all(w == np.round(w)) and np.all(b == np.floor(b)))
    return integral and p.shape[1] * float(b.mean()) <= MAX_DP_CELLS


@dataclass
class Knapsacks:
    """The relaxation at one u: the chosen pairs and each agent's knapsack value."""

    bound: float  # L(u)
    x: Mask  # (m, n) the knapsacks' choice
    z: Array  # (m,) Z_i(u)


@dataclass
class Lagrangian:
    bound: float
    u: Array  # (n,) multipliers at the best bound
    upper: float  # cost of the best plan (inf if none)
    plan: NDArray[np.int64] | None  # agent per job (-1 unassigned)
    iterations: int
    seconds: float


class Relaxation:
    """What every evaluation of L(u) needs, prepared once; ``fixed0``/``fixed1`` narrow it."""

    def __init__(self, p: GapProblem) -> None:
        self.p = p
        self.cost = p.min_cost  # inf where unusable
        exact = applicable(p)  # integer data for the knapsacks; plans alone work on any data
        self.weight = np.round(p.weight[0]).astype(np.int64) if exact else p.weight[0]
        self.capacity = np.floor(p.capacity[0]).astype(np.int64) if exact else p.capacity[0]
        self.optional = p.optional
        self.fixed0 = ~p.usable
        self.fixed1 = np.zeros(p.shape, dtype=bool)

    def evaluate(self, u: Array) -> Knapsacks:
        """L(u) and the knapsacks' choice (pairs fixed to 1 are always taken)."""
        m = self.p.shape[0]
        profit = u[None, :] - self.cost
        x = self.fixed1.copy()
        z = np.zeros(m)
        for i in range(m):
            forced = np.flatnonzero(self.fixed1[i])
            room = int(self.capacity[i] - self.weight[i, forced].sum())
            items = np.flatnonzero((profit[i] > 0) & ~self.fixed0[i] & ~self.fixed1[i])
            value, taken = knapsack(profit[i, items], self.weight[i, items], room)
            x[i, items[taken]] = True
            z[i] = value + profit[i, forced].sum()
        return Knapsacks(float(u.sum() - z.sum()), x, z)

    def subgradient(self, x: Mask) -> Array:
        return 1.0 - x.sum(axis=0)

    def project(self, u: Array) -> Array:
        """Multipliers of ``<= 1`` rows must be <= 0 (in minimisation form)."""
        return np.minimum(u, 0.0) if self.optional else u


def knapsack(profit: Array, weight: NDArray[np.int64], capacity: int) -> tuple[float, Mask]:
    """max profit·x s.t. weight·x <= capacity, x binary: DP over capacities, one item at a time."""
    k = len(profit)
    taken = np.zeros(k, dtype=bool)
    if k == 0 or capacity < 0:
        return (0.0 if capacity >= 0 else -np.inf), taken
    best = np.zeros(capacity + 1)  # best[c]: most profit within capacity c
    keep = np.zeros((k, capacity + 1), dtype=bool)
    for t in range(k):
        w = int(weight[t])
        if w > capacity:
            continue
        candidate = best[: capacity + 1 - w] + profit[t]
        better = candidate > best[w:]
        keep[t, w:] = better
        best[w:] = np.where(better, candidate, best[w:])
    c = capacity
    for t in range(k - 1, -1, -1):
        if keep[t, c]:
            taken[t] = True
            c -= int(weight[t])
    return float(best[capacity]), taken


def forced_values(profit: Array, weight: NDArray[np.int64], capacity: int) -> tuple[Array, Array]:
    """For each item: the knapsack's best value with it forced in, and with it forced out.

    Forward tables F_t (items before t) and backward tables G_t (items from t on) give both in one
    pass: out_t = max_c F_t(c) + G_{t+1}(C - c), in_t = p_t + max_c F_t(c) + G_{t+1}(C - w_t - c).
    """
    k = len(profit)
    forward = np.zeros((k + 1, capacity + 1))
    for t in range(k):
        forward[t + 1] = _add_item(forward[t], profit[t], int(weight[t]))
    backward = np.zeros((k + 1, capacity + 1))
    for t in range(k - 1, -1, -1):
        backward[t] = _add_item(backward[t + 1], profit[t], int(weight[t]))
    value_in, value_out = np.full(k, -np.inf), np.zeros(k)
    for t in range(k):
        value_out[t] = np.max(forward[t] + backward[t + 1][::-1])
        room = capacity - int(weight[t])
        if room >= 0:
            value_in[t] = profit[t] + np.max(forward[t][: room + 1] + backward[t + 1][room::-1])
    return value_in, value_out


def _add_item(best: Array, profit: float, w: int) -> Array:
    out = best.copy()
    if w < len(best):
        out[w:] = np.maximum(best[w:], best[: len(best) - w] + profit)
    return out


def lagrangian(
    rel: Relaxation,
    u: Array,
    deadline: float,
    upper: float = np.inf,
    plan: NDArray[np.int64] | None = None,
    delta: float = 0.0,
    iterations: int = 400,
    patience: int = 15,
) -> Lagrangian:
    """Subgradient optimisation from ``u`` (Polyak steps towards the best plan's cost).

    Stops when the bound proves the plan (within ``delta``, 1 for integer costs), when the step
    has shrunk to nothing or at ``deadline``. Plans are rebuilt from the knapsacks every few
    iterations, which keeps the step's target honest.
    """
    t0 = time.perf_counter()
    best_bound, best_u = -np.inf, u.copy()
    scale, stall, it = 1.0, 0, 0
    for it in range(1, iterations + 1):
        relaxed = rel.evaluate(u)
        if relaxed.bound > best_bound + 1e-9 * max(1.0, abs(relaxed.bound)):
            best_bound, best_u, stall = relaxed.bound, u.copy(), 0
        else:
            stall += 1
            if stall >= patience:
                scale, stall = scale / 2, 0
        if it <= 3 or it % 10 == 0 or stall == 0:
            found = repair(rel, relaxed.x)
            if found is not None and found[1] < upper:
                plan, upper = found
        if upper - best_bound < delta + 1e-9 * max(1.0, abs(upper)) or scale < 1e-3:
            break
        if time.perf_counter() >= deadline:
            break
        g = rel.subgradient(relaxed.x)
        norm = float(g @ g)
        if norm == 0:  # the knapsacks form a plan: it is optimal for the relaxation and feasible
            break
        target = upper if np.isfinite(upper) else relaxed.bound + abs(relaxed.bound) * 0.05 + 1.0
        u = rel.project(u + scale * max(target - relaxed.bound, 1e-6) / norm * g)
    return Lagrangian(best_bound, best_u, upper, plan, it, time.perf_counter() - t0)


# -- the plan: repair the relaxation, then improve ------------------------------------------------
def repair(rel: Relaxation, x: Mask) -> tuple[NDArray[np.int64], float] | None:
    """A feasible plan near the knapsacks' choice, improved by shifts and swaps; None if stuck."""
    cost, weight = rel.cost, rel.weight
    m = cost.shape[0]
    chosen = np.where(x, cost, np.inf)
    plan = np.where(x.any(axis=0), np.argmin(chosen, axis=0), -1)
    plan[rel.fixed1.any(axis=0)] = np.argmax(rel.fixed1, axis=0)[rel.fixed1.any(axis=0)]
    load = np.zeros(m, dtype=weight.dtype)
    on = plan >= 0
    np.add.at(load, plan[on], weight[plan[on], np.flatnonzero(on)])
    if not _place_by_regret(rel, plan, load):
        return None
    improve(rel, plan, load)
    return plan, plan_cost(cost, plan)


def plan_cost(cost: Array, plan: NDArray[np.int64]) -> float:
    jobs = np.flatnonzero(plan >= 0)
    return float(cost[plan[jobs], jobs].sum())


def _place_by_regret(rel: Relaxation, plan: NDArray[np.int64], load: NDArray) -> bool:
    """Place the unassigned jobs, the one that loses most if it misses its best agent first."""
    cost, weight, cap = rel.cost, rel.weight, rel.capacity
    open_jobs = np.flatnonzero(plan < 0)
    while len(open_jobs):
        fits = (weight[:, open_jobs] <= (cap - load)[:, None]) & np.isfinite(cost[:, open_jobs])
        if rel.optional:
            fits &= cost[:, open_jobs] < 0  # an optional job is placed only where it pays
        c = np.where(fits, cost[:, open_jobs], np.inf)
        placeable = fits.any(axis=0)
        if not placeable.any():
            return rel.optional  # optional jobs may stay out; required ones cannot
        two = np.partition(c, 1, axis=0)[:2] if len(c) > 1 else np.vstack([c[0], np.full(c.shape[1], np.inf)])
        second = np.where(np.isfinite(two[1]), two[1], 1e12)  # one place left: most urgent
        regret = np.where(placeable, second - np.where(placeable, two[0], 0.0), -np.inf)
        k = int(np.argmax(regret))
        j, i = int(open_jobs[k]), int(np.argmin(c[:, k]))
        plan[j] = i
        load[i] += weight[i, j]
        open_jobs = np.delete(open_jobs, k)
    return True


def improve(rel: Relaxation, plan: NDArray[np.int64], load: NDArray, rounds: int = 50) -> None:
    """Best shift (move one job) and swap (exchange two jobs' agents) until neither pays."""
    for _ in range(rounds):
        if not (_shift(rel, plan, load) or _swap(rel, plan, load)):
            return


def _shift(rel: Relaxation, plan: NDArray[np.int64], load: NDArray) -> bool:
    cost, weight, cap = rel.cost, rel.weight, rel.capacity
    n = plan.size
    jobs = np.arange(n)
    current = np.where(plan >= 0, cost[np.maximum(plan, 0), jobs], 0.0)
    fits = (weight <= (cap - load)[:, None]) & (np.arange(len(cap))[:, None] != plan[None, :])
    fits &= ~rel.fixed0 & ~rel.fixed1.any(axis=0)[None, :]
    gain = np.where(fits, current[None, :] - cost, 0.0)
    if rel.optional:  # dropping a job that costs (a negative profit) also pays
        gain = np.vstack([gain, np.where(plan >= 0, current, 0.0)[None, :]])
    moved = False
    for j in np.argsort(-gain.max(axis=0))[: max(1, n // 4)]:
        i = int(np.argmax(gain[:, j]))
        if gain[i, j] <= 1e-9:
            break
        old = int(plan[j])
        if i < len(cap):
            if weight[i, j] > cap[i] - load[i]:
                continue  # an earlier move this round took the room
            load[i] += weight[i, j]
            plan[j] = i
        else:
            plan[j] = -1
        if old >= 0:
            load[old] -= weight[old, j]
        moved = True
    return moved


def _swap(rel: Relaxation, plan: NDArray[np.int64], load: NDArray, max_jobs: int = 1000) -> bool:
    """The best exchange of agents between two assigned jobs that fits and pays."""
    cost, weight, cap = rel.cost, rel.weight, rel.capacity
    jobs = np.flatnonzero((plan >= 0) & ~rel.fixed1.any(axis=0))
    if len(jobs) < 2 or len(jobs) > max_jobs:
        return False
    a = plan[jobs]
    c_now = cost[a, jobs]
    c_new = cost[a[None, :], jobs[:, None]]  # [k, l]: job k at l's agent
    gain = c_now[:, None] + c_now[None, :] - c_new - c_new.T
    w_now = weight[a, jobs]
    w_new = weight[a[None, :], jobs[:, None]]
    slack = cap - load
    # job k moves to agent a_l and job l to a_k: both agents must hold the exchange
    fits_l = w_new - w_now[None, :] <= slack[a][None, :]
    ok = fits_l & fits_l.T & (a[:, None] != a[None, :]) & np.isfinite(gain)
    ok &= ~rel.fixed0[a[None, :], jobs[:, None]] & ~rel.fixed0[a[:, None], jobs[None, :]]
    gain = np.where(ok, gain, 0.0)
    k, q = np.unravel_index(int(np.argmax(gain)), gain.shape)
    if gain[k, q] <= 1e-9:
        return False
    jk, jl, ak, al = jobs[k], jobs[q], a[k], a[q]
    load[ak] += weight[ak, jl] - weight[ak, jk]
    load[al] += weight[al, jk] - weight[al, jl]
    plan[jk], plan[jl] = al, ak
    return True


# -- fixing ---------------------------------------------------------------------------------------
def fix_by_reduced_cost(rel: Relaxation, u: Array, threshold: float) -> tuple[Mask, Mask, float]:
    """Pairs that no plan costing at most ``threshold`` can use (to 0) or do without (to 1).

    Returns (to 0, to 1, the least bound among the fixed alternatives, which exceeds the
    threshold): every plan outside the reduced space costs at least that much.
    """
    m, n = rel.p.shape
    relaxed = rel.evaluate(u)
    profit = u[None, :] - rel.cost
    lower = np.full((m, n), -np.inf)  # the bound with x_ij flipped from the knapsack's choice
    for i in range(m):
        forced = np.flatnonzero(rel.fixed1[i])
        room = int(rel.capacity[i] - rel.weight[i, forced].sum())
        base = profit[i, forced].sum()
        free = ~rel.fixed0[i] & ~rel.fixed1[i]
        items = np.flatnonzero((profit[i] > 0) & free)
        value_in, value_out = forced_values(profit[i, items], rel.weight[i, items], room)
        flipped = np.where(relaxed.x[i, items], value_out, value_in) + base
        lower[i, items] = relaxed.bound + relaxed.z[i] - flipped
        # pairs the knapsack skipped for a non-positive profit: forcing one in spends its weight
        others = np.flatnonzero(~(profit[i] > 0) & free)
        best = _capacity_table(profit[i, items], rel.weight[i, items], room)
        w = rel.weight[i, others]
        inside = w <= room
        value = np.full(len(others), -np.inf)
        value[inside] = profit[i, others[inside]] + best[room - w[inside]] + base
        lower[i, others] = relaxed.bound + relaxed.z[i] - value
    cut = lower > threshold
    to0 = cut & ~relaxed.x & ~rel.fixed0
    to1 = cut & relaxed.x & ~rel.fixed1
    least = float(lower[to0 | to1].min()) if (to0 | to1).any() else np.inf
    return to0, to1, least


def _capacity_table(profit: Array, weight: NDArray[np.int64], capacity: int) -> Array:
    best = np.zeros(max(capacity, 0) + 1)
    for t in range(len(profit)):
        best = _add_item(best, profit[t], int(weight[t]))
    return best
