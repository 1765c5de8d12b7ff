"""Capacitated facility location: which sites to open, at which capacity, and who serves whom.

The model is built in one shot from arrays into HiGHS (highspy, column-wise sparse matrix):

    min  sum_i f_i y_i + sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1                        every market j is served        (J rows)
         sum_j d_j x_ij <= q_i y_i             capacity of candidate i          (I rows)
         x_ij <= y_i                           strong linking (optional)        (I*J rows)
         sum_i q_i y_i >= sum_j d_j            total capacity covers demand     (1 row)
         sum_{i in site s} y_i <= 1            one capacity level per site      (S rows)
         + options: at most K sites, a capex budget, a minimum share of demand from a subset
    y_i binary; x_ij in [0, 1] (multi-sourcing) or binary (single sourcing)

``c_ij`` is the cost of serving *all* of j's demand from i (the OR-Library convention), so
``x_ij`` is the fraction of j's demand that i serves. A candidate is a site at one capacity level;
sites with several levels group their candidates.

On instances past 20,000 arcs, a Lagrangian relaxation of the assignment rows (subgradient
steps, every facility a continuous knapsack solved for all facilities at once with sorted arrays)
first gives a lower bound and a primal plan; the plan is handed to HiGHS as a start, candidates
whose reduced cost proves they cannot be in an optimal plan are fixed closed, and only the linking
rows the LP relaxation violates are added. Smaller instances go straight to HiGHS with every row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from kopru.errors import KopruError
from kopru.highs import new_highs

Array = NDArray[np.float64]


class InfeasibleError(KopruError):
    """The facility-location problem has no solution; the message says why."""


class Status(StrEnum):
    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"  # a plan was found but not proven optimal
    NO_SOLUTION = "no_solution"  # the time limit came before any plan
    INFEASIBLE = "infeasible"


@dataclass(frozen=True)
class FacilityProblem:
    """Arrays of a capacitated facility-location problem (candidates i, markets j)."""

    fixed_cost: Array  # (I,)
    capacity: Array  # (I,)
    demand: Array  # (J,)
    assign_cost: Array  # (I, J), cost of serving all of j from i; inf where i cannot serve j
    site: NDArray[np.int64] | None = None  # (I,) site index of each candidate (levels share a site)
    capex: Array | None = None  # (I,) for the budget constraint
    budget: float | None = None
    max_sites: int | None = None
    share_mask: NDArray[np.bool_] | None = None  # (I,) candidates counted for the minimum share
    min_share: float = 0.0
    force_open: frozenset[int] = field(default_factory=frozenset)  # site indices
    force_closed: frozenset[int] = field(default_factory=frozenset)  # site indices
    single_source: bool = False

    def __post_init__(self) -> None:
        i, j = self.assign_cost.shape
        if self.fixed_cost.shape != (i,) or self.capacity.shape != (i,) or self.demand.shape != (j,):
            raise ValueError("fixed_cost, capacity (I,) and demand (J,) must match assign_cost (I, J)")
        if (self.demand < 0).any() or (self.capacity < 0).any():
            raise ValueError("demand and capacity must be >= 0")

    @property
    def shape(self) -> tuple[int, int]:
        return self.assign_cost.shape

    @property
    def sites(self) -> NDArray[np.int64]:
        return np.arange(self.shape[0]) if self.site is None else self.site


@dataclass
class Solution:
    """What the solver found, with honest status, bound and gap."""

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    open: NDArray[np.int64]  # indices of open candidates
    flows: Array | None  # (I, J) fraction of each market's demand served by each candidate
    seconds: float
    build_seconds: float
    lagrangian_seconds: float = 0.0
    fixed_closed: int = 0  # candidates excluded by reduced-cost fixing
    formulation: str = ""
    message: str = ""

    @classmethod
    def empty(cls, status: Status, message: str, bound: float | None = None, **timing) -> Solution:
        """A result without a plan (infeasible, or nothing found before the time limit)."""
        timing.setdefault("seconds", 0.0)
        timing.setdefault("build_seconds", 0.0)
        return cls(status, None, bound, None, np.array([], dtype=np.int64), None, message=message, **timing)

    def as_dict(self) -> dict:
        return {
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "open": [int(i) for i in self.open],
            "seconds": round(self.seconds, 4),
            "build_seconds": round(self.build_seconds, 4),
            **({"message": self.message} if self.message else {}),
        }


# -- checks before solving ----------------------------------------------------------------------
def explain_infeasibility(p: FacilityProblem) -> str | None:
    """A sentence that says why no plan exists, or None when the simple checks pass."""
    sites = p.sites
    closed = np.isin(sites, list(p.force_closed))
    allowed = ~closed
    reachable = np.isfinite(p.assign_cost) & allowed[:, None]
    orphans = np.flatnonzero(~reachable.any(axis=0))
    if len(orphans):
        return f"market(s) {', '.join(map(str, orphans[:10]))} cannot be served by any site that may open"
    conflict = set(p.force_open) & set(p.force_closed)
    if conflict:
        return f"site(s) {sorted(conflict)} are forced both open and closed"
    best_cap = np.zeros(sites.max() + 1)
    np.maximum.at(best_cap, sites[allowed], p.capacity[allowed])
    total_demand = p.demand.sum()
    if best_cap.sum() < total_demand * (1 - 1e-12):
        return (
            f"total capacity of the sites that may open ({best_cap.sum():,.0f}) is below total"
            f" demand ({total_demand:,.0f})"
        )
    if p.max_sites is not None:
        if len(p.force_open) > p.max_sites:
            return f"{len(p.force_open)} sites are forced open but at most {p.max_sites} may open"
        top = np.sort(best_cap)[::-1][: p.max_sites].sum()
        if top < total_demand * (1 - 1e-12):
            return f"the {p.max_sites} largest sites hold {top:,.0f}, below total demand {total_demand:,.0f}"
    if p.single_source:
        too_big = np.flatnonzero(p.demand > p.capacity[allowed].max(initial=0) * (1 + 1e-12))
        if len(too_big):
            j = int(too_big[0])
            return (
                f"single sourcing: market {j} demands {p.demand[j]:,.0f}, more than any one site"
                f" can supply ({p.capacity[allowed].max(initial=0):,.0f})"
            )
    if p.budget is not None and p.capex is not None:
        forced = np.isin(sites, list(p.force_open))
        cheapest = {}
        for i in np.flatnonzero(forced):
            cheapest[sites[i]] = min(cheapest.get(sites[i], np.inf), p.capex[i])
        if sum(cheapest.values()) > p.budget:
            return (
                f"the forced sites need capex {sum(cheapest.values()):,.0f}, above the budget {p.budget:,.0f}"
            )
    if p.min_share > 0 and p.share_mask is not None:
        share_cap = np.zeros(sites.max() + 1)
        mask = allowed & p.share_mask
        np.maximum.at(share_cap, sites[mask], p.capacity[mask])
        if share_cap.sum() < p.min_share * total_demand:
            return (
                f"the sites counted for the minimum share can make {share_cap.sum():,.0f},"
                f" below {p.min_share:.0%} of demand ({p.min_share * total_demand:,.0f})"
            )
    return None


# -- Lagrangian relaxation of the assignment rows ------------------------------------------------
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


def lagrangian(
    p: FacilityProblem, iterations: int = 600, primal_rounds: int = 3, patience: int = 20
) -> Lagrangian:
    """Subgradient optimisation of the assignment-relaxed multi-source CFLP (Beasley 1988 style).

    Steps follow Polyak's rule towards the best plan found so far; a plan is rebuilt from the
    relaxation's open set a few times (a transportation LP each), which keeps the target honest.
    """
    t0 = time.perf_counter()
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_cost = np.where(p.demand[None, :] > 0, p.assign_cost / p.demand[None, :], 0.0)
    unit_cost = np.where(np.isfinite(unit_cost), unit_cost, 1e30)
    forced = np.isin(p.sites, list(p.force_open))
    allowed = ~np.isin(p.sites, list(p.force_closed))
    fixed = np.where(allowed, p.fixed_cost, 1e30)
    total = p.demand.sum()
    # start from each market's cheapest unit cost plus the cheapest per-unit share of a fixed cost
    u = np.min(unit_cost + (fixed / np.maximum(p.capacity, 1e-12))[:, None], axis=0)
    best_bound, best_u, best_values = -np.inf, u.copy(), fixed.copy()
    best_upper, best_open = np.inf, np.zeros(p.shape[0], dtype=bool)
    checkpoints = set(np.linspace(0, iterations - 1, primal_rounds).astype(int).tolist())
    step_scale, stall = 2.0, 0
    for it in range(iterations):
        knap, z = _knapsacks(p, unit_cost, u)
        values = fixed + knap
        cover_value, y = _cover_lp(values, p.capacity, total, forced)
        bound = float((u * p.demand).sum() + cover_value)
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
        served = (z * y[:, None]).sum(axis=0)
        g = (1.0 - served) * p.demand  # subgradient of L at u
        norm = float((g**2).sum())
        if norm < 1e-18:
            break
        target = best_upper if np.isfinite(best_upper) else abs(bound) * 1.1 + 1.0
        u = u + step_scale * max(target - bound, 0.0) / norm * g
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


# -- the MIP ------------------------------------------------------------------------------------
def _build(p: FacilityProblem, strong: bool, keep: NDArray[np.bool_]):
    import highspy
    from scipy import sparse

    _n_i, n_j = p.shape
    cand = np.flatnonzero(keep)
    k = len(cand)
    cost = p.assign_cost[cand]
    usable = np.isfinite(cost)
    xi, xj = np.nonzero(usable)  # only arcs that exist become columns
    n_x = len(xi)
    n_cols = k + n_x
    col_cost = np.concatenate([p.fixed_cost[cand], cost[xi, xj]])
    lower = np.zeros(n_cols)
    upper = np.ones(n_cols)
    forced = np.isin(p.sites[cand], list(p.force_open))
    singles = np.bincount(p.sites[cand], minlength=p.sites.max() + 1)
    lower[:k][forced & (singles[p.sites[cand]] == 1)] = 1.0

    rows, cols, vals, lo, hi = [], [], [], [], []

    def add(r: NDArray, c: NDArray, v: NDArray, row_lo: NDArray, row_hi: NDArray) -> None:
        offset = sum(len(x) for x in lo)
        rows.append(r + offset)
        cols.append(c)
        vals.append(v)
        lo.append(row_lo)
        hi.append(row_hi)

    x_cols = k + np.arange(n_x)
    # every market served in full
    add(xj, x_cols, np.ones(n_x), np.ones(n_j), np.ones(n_j))
    # capacity of each candidate, tied to its opening
    add(
        np.concatenate([xi, np.arange(k)]),
        np.concatenate([x_cols, np.arange(k)]),
        np.concatenate([p.demand[xj], -p.capacity[cand]]),
        np.full(k, -np.inf),
        np.zeros(k),
    )
    if strong:
        r = np.arange(n_x)
        add(
            np.concatenate([r, r]),
            np.concatenate([x_cols, xi]),
            np.concatenate([np.ones(n_x), -np.ones(n_x)]),
            np.full(n_x, -np.inf),
            np.zeros(n_x),
        )
    # total capacity covers demand: valid, and it guides branching on the aggregated model
    add(
        np.zeros(k, dtype=np.int64),
        np.arange(k),
        p.capacity[cand],
        np.array([p.demand.sum()]),
        np.array([np.inf]),
    )
    # at least as many sites as the largest capacities need to cover demand: a cheap valid cut
    # that the LP relaxation (which opens fractions of sites) does not see on its own
    need = _min_open(p, cand)
    if need > 1:
        add(
            np.zeros(k, dtype=np.int64), np.arange(k), np.ones(k), np.array([float(need)]), np.array([np.inf])
        )
    # one capacity level per site; forced sites open exactly one level
    site_ids, site_of = np.unique(p.sites[cand], return_inverse=True)
    multi = np.bincount(site_of) > 1
    forced_site = np.isin(site_ids, list(p.force_open))
    group = multi | forced_site
    if group.any():
        remap = -np.ones(len(site_ids), dtype=np.int64)
        remap[group] = np.arange(group.sum())
        members = np.flatnonzero(group[site_of])
        add(
            remap[site_of[members]],
            members,
            np.ones(len(members)),
            np.where(forced_site[group], 1.0, 0.0),
            np.ones(group.sum()),
        )
    if p.max_sites is not None:
        add(
            np.zeros(k, dtype=np.int64),
            np.arange(k),
            np.ones(k),
            np.array([-np.inf]),
            np.array([float(p.max_sites)]),
        )
    if p.budget is not None and p.capex is not None:
        add(
            np.zeros(k, dtype=np.int64),
            np.arange(k),
            p.capex[cand],
            np.array([-np.inf]),
            np.array([p.budget]),
        )
    if p.min_share > 0 and p.share_mask is not None:
        counted = p.share_mask[cand][xi]
        add(
            np.zeros(int(counted.sum()), dtype=np.int64),
            x_cols[counted],
            p.demand[xj][counted],
            np.array([p.min_share * p.demand.sum()]),
            np.array([np.inf]),
        )

    n_rows = sum(len(x) for x in lo)
    matrix = sparse.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, n_cols)
    )
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = col_cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.concatenate(lo)
    lp.row_upper_ = np.concatenate(hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    integrality = np.full(
        n_cols, highspy.HighsVarType.kInteger if p.single_source else highspy.HighsVarType.kContinuous
    )
    integrality[:k] = highspy.HighsVarType.kInteger
    lp.integrality_ = list(integrality)
    return lp, cand, xi, xj


def _min_open(p: FacilityProblem, cand: NDArray[np.int64]) -> int:
    """Fewest sites whose capacities can cover total demand (largest level per site)."""
    best = np.zeros(p.sites.max() + 1)
    np.maximum.at(best, p.sites[cand], p.capacity[cand])
    cum = np.cumsum(np.sort(best)[::-1])
    return int(np.searchsorted(cum, p.demand.sum() * (1 - 1e-12)) + 1)


STRONG_MAX_ARCS = 20_000  # measured: above this, separated linking rows beat the full set
LAGRANGE_MAX_ARCS = 500_000  # above this, one subgradient step costs more than it saves
NEAREST = 10  # linking rows seeded per market: its cheapest candidates


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
) -> Solution:
    """Solve to proven optimality (or to the time limit, reporting the gap).

    ``formulation`` is ``"strong"`` (every linking row), ``"aggregated"`` (capacity rows only),
    ``"cuts"`` (aggregated, then the linking rows the LP relaxation violates) or ``"auto"``.
    """
    t0 = time.perf_counter()
    why = explain_infeasibility(p)
    if why:
        raise InfeasibleError(f"no plan can exist: {why}")
    form = choose_formulation(p) if formulation == "auto" else formulation
    if form not in ("strong", "aggregated", "cuts"):
        raise ValueError(f"formulation must be auto, strong, aggregated or cuts, got {formulation!r}")
    keep = ~np.isin(p.sites, list(p.force_closed))
    lag = None
    start_open = None
    simple = not p.single_source and p.max_sites is None and p.budget is None and p.min_share == 0
    arcs = np.isfinite(p.assign_cost).sum()
    # on small instances HiGHS alone is faster than the relaxation's bookkeeping (measured on the
    # 37 OR-Library sets); above that, its start plan and fixing pay (capb: 47 of 100 fixed)
    if lagrange and simple and STRONG_MAX_ARCS < arcs <= LAGRANGE_MAX_ARCS:
        lag = lagrangian(p)
        start_open, upper = (lag.open, lag.upper) if np.isfinite(lag.upper) else (None, np.inf)
        if start_open is not None:
            keep &= ~reduced_cost_fixing(p, lag, upper)
            keep |= start_open  # never drop the start plan's candidates
    lp, cand, xi, xj = _build(p, form == "strong", keep)
    build_seconds = time.perf_counter() - t0
    h = new_highs()
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("random_seed", 0)
    h.passModel(lp)

    def remaining() -> float:
        return max(time_limit - (time.perf_counter() - t0), 0.01) if time_limit is not None else np.inf

    lp_bound = -np.inf
    if form == "cuts":
        lp_bound = _separate_linking(h, p, cand, xi, xj, remaining)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(remaining()))
    if start_open is not None:
        _set_start(h, cand, start_open)
    h.run()
    return _result(h, p, cand, xi, xj, t0, build_seconds, lag, int((~keep).sum()), form, lp_bound)


def _linking_rows(h, k: int, arcs: NDArray[np.int64], xi: NDArray[np.int64]) -> None:
    """Add x_a - y_i(a) <= 0 for the given arc columns."""
    n = len(arcs)
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2] = k + arcs
    index[1::2] = xi[arcs]
    starts = np.arange(0, 2 * n, 2, dtype=np.int32)
    h.addRows(n, np.full(n, -np.inf), np.zeros(n), 2 * n, starts, index, np.tile([1.0, -1.0], n))


def _separate_linking(h, p: FacilityProblem, cand, xi, xj, remaining, max_rounds: int = 60) -> float:
    """Cutting-plane loop on the LP relaxation: add the linking rows it violates until none are.

    Seeds each market's cheapest candidates, solves the first LP by interior point (much faster
    than simplex from scratch here), then re-solves by warm-started dual simplex.
    """
    import highspy

    k = len(cand)
    cols = np.arange(k, dtype=np.int32)
    integer = [highspy.HighsVarType.kInteger] * k
    h.changeColsIntegrality(k, cols, [highspy.HighsVarType.kContinuous] * k)
    unit = p.assign_cost[cand[xi], xj] / np.maximum(p.demand[xj], 1e-12)
    order = np.lexsort((unit, xj))  # arcs grouped by market, cheapest first
    first = np.searchsorted(xj[order], np.arange(p.shape[1]))
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.append(first, len(order))))
    seeded = order[rank < NEAREST]
    _linking_rows(h, k, seeded, xi)
    h.setOptionValue("solver", "ipm")
    lp_bound = -np.inf  # every optimal LP relaxation on the way is a valid lower bound
    for _ in range(max_rounds):
        if remaining() < 1.0:  # leave the MIP its time: the rows added so far already help it
            break
        h.setOptionValue("time_limit", float(remaining()))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        lp_bound = max(lp_bound, float(h.getInfo().objective_function_value))
        h.setOptionValue("solver", "simplex")
        values = np.asarray(h.getSolution().col_value)
        violated = np.flatnonzero(values[k:] > values[:k][xi] + 1e-7)
        if len(violated) == 0:
            break
        _linking_rows(h, k, violated, xi)
    h.setOptionValue("solver", "choose")
    h.changeColsIntegrality(k, cols, integer)
    return lp_bound


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
    import highspy
    from scipy import sparse

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
    return float(h.getInfo().objective_function_value)


def _set_start(h, cand, start_open) -> None:
    """Hand HiGHS the open set of the Lagrangian plan; it completes the flows as a sub-MIP."""
    k = len(cand)
    h.setSolution(k, np.arange(k, dtype=np.int32), start_open[cand].astype(float))


def _result(h, p, cand, xi, xj, t0, build_seconds, lag, fixed_closed, form, lp_bound=-np.inf) -> Solution:
    import highspy

    status = h.getModelStatus()
    info = h.getInfo()
    seconds = time.perf_counter() - t0
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    lag_seconds = lag.seconds if lag else 0.0
    if status == highspy.HighsModelStatus.kInfeasible or not has_plan:
        infeasible = status == highspy.HighsModelStatus.kInfeasible
        return Solution.empty(
            Status.INFEASIBLE if infeasible else Status.NO_SOLUTION,
            "the solver proved that no plan meets every constraint together"
            if infeasible
            else "no plan was found before the time limit",
            bound=None if infeasible else float(info.mip_dual_bound),
            seconds=seconds,
            build_seconds=build_seconds,
            lagrangian_seconds=lag_seconds,
            fixed_closed=fixed_closed,
            formulation=form,
        )
    values = np.asarray(h.getSolution().col_value)
    k = len(cand)
    y = values[:k] > 0.5
    flows = np.zeros(p.shape)
    flows[cand[xi], xj] = np.clip(values[k:], 0.0, 1.0)
    if p.single_source:  # integer columns come back within the solver's tolerance of 0 or 1
        flows = np.round(flows)
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound)
    if not np.isfinite(bound):  # stopped before the MIP's root: keep the best proven lower bound
        bound = -np.inf
    bound = max(bound, lp_bound, lag.bound if lag is not None else -np.inf)
    optimal = status == highspy.HighsModelStatus.kOptimal
    gap = max(0.0, (objective - bound) / max(abs(objective), 1e-12)) if np.isfinite(bound) else None
    return Solution(
        status=Status.OPTIMAL if optimal else Status.TIME_LIMIT,
        objective=objective,
        bound=bound,
        gap=gap,
        open=np.sort(cand[y]),
        flows=flows,
        seconds=seconds,
        build_seconds=build_seconds,
        lagrangian_seconds=lag_seconds,
        fixed_closed=fixed_closed,
        formulation=form,
    )


def plan_cost(p: FacilityProblem, open_: NDArray[np.int64], flows: Array) -> float:
    """Objective recomputed from the plan: fixed costs of the open candidates plus flow costs."""
    used = flows > 0
    return float(p.fixed_cost[open_].sum() + np.sum(np.where(used, p.assign_cost, 0.0) * flows))
