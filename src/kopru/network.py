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

Smaller instances go straight to HiGHS with every row. Past 20,000 arcs:

1. a Lagrangian relaxation of the assignment rows (subgradient steps, every facility a continuous
   knapsack solved for all facilities at once with sorted arrays) gives a lower bound and a plan;
   candidates whose reduced cost proves they cannot be in a cheaper plan are left out;
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
from dataclasses import dataclass, field, replace
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
    duals: Array | None = field(default=None, repr=False)  # (J,) LP duals of the assignment rows

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
    p: FacilityProblem, iterations: int = 600, primal_rounds: int = 3, patience: int = 20
) -> Lagrangian:
    """Subgradient optimisation of the assignment-relaxed multi-source CFLP (Beasley 1988 style).

    Steps follow Polyak's rule towards the best plan found so far; a plan is rebuilt from the
    relaxation's open set a few times (a transportation LP each), which keeps the target honest.
    """
    t0 = time.perf_counter()
    rel = _Relaxation.of(p)
    u = rel.start()
    best_bound, best_u, best_values = -np.inf, u.copy(), rel.fixed.copy()
    best_upper, best_open = np.inf, np.zeros(p.shape[0], dtype=bool)
    checkpoints = set(np.linspace(0, iterations - 1, primal_rounds).astype(int).tolist())
    step_scale, stall = 2.0, 0
    for it in range(iterations):
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
) -> Solution:
    """Solve to proven optimality (or to the time limit, reporting the gap).

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
        raise ValueError(f"formulation must be auto, strong, aggregated or cuts, got {formulation!r}")
    deadline = t0 + time_limit if time_limit is not None else np.inf
    if formulation == "auto" and np.isfinite(p.assign_cost).sum() > RESTRICT_MIN_ARCS:
        return _solve_restricted(p, gap, t0, deadline)
    form = choose_formulation(p) if formulation == "auto" else formulation
    return _solve_model(p, gap, form, lagrange, t0, deadline)


def _solve_model(
    p: FacilityProblem,
    gap: float,
    form: str,
    lagrange: bool,
    t0: float,
    deadline: float,
    start: NDArray[np.bool_] | None = None,
) -> Solution:
    keep = ~np.isin(p.sites, list(p.force_closed))
    lag = None
    simple = not p.single_source and p.max_sites is None and p.budget is None and p.min_share == 0
    arcs = np.isfinite(p.assign_cost).sum()
    # on small instances HiGHS alone is faster than the relaxation's bookkeeping (measured on the
    # 37 OR-Library sets); above that, its start plan and fixing pay (capb: 47 of 100 fixed)
    relaxing = time.perf_counter()
    if lagrange and simple and STRONG_MAX_ARCS < arcs <= LAGRANGE_MAX_ARCS:
        lag = lagrangian(p)
        if np.isfinite(lag.upper):
            keep &= ~reduced_cost_fixing(p, lag, lag.upper)
            keep |= lag.open  # never drop the start plan's candidates
            start = lag.open if start is None else start
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
    return _result(h, p, cand, xi, xj, loop, **done)


def _lp_guided_plan(h, lp, k: int, loop: _CutLoop, remaining) -> tuple[float, Array] | None:
    """A plan from the LP relaxation: fix the sites it opens or closes in full, solve the rest.

    The small MIP over the fractional sites usually finds the optimum or close to it in a second
    (capa: 0.8 s, where HiGHS's own heuristics took 78 s), and the reduced-cost fixing and the
    search that follow are only as good as the plan they start from.
    """
    import highspy

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


def _set_integrality(h, cols: NDArray[np.int64], integer: bool) -> None:
    import highspy

    kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
    h.changeColsIntegrality(len(cols), cols.astype(np.int32), [kind] * len(cols))


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
    best.gap = (
        max(0.0, (best.objective - bound) / max(abs(best.objective), 1e-12)) if np.isfinite(bound) else None
    )
    best.seconds, best.build_seconds, best.formulation = seconds, built, best_form
    return best


def _linking_rows(h, k: int, arcs: NDArray[np.int64], xi: NDArray[np.int64]) -> None:
    """Add x_a - y_i(a) <= 0 for the given arc columns."""
    n = len(arcs)
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2] = k + arcs
    index[1::2] = xi[arcs]
    starts = np.arange(0, 2 * n, 2, dtype=np.int32)
    h.addRows(n, np.full(n, -np.inf), np.zeros(n), 2 * n, starts, index, np.tile([1.0, -1.0], n))


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
    import highspy

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


def _set_start(h, y: Array) -> None:
    """Hand HiGHS a plan's open sites (0/1 per candidate column); it completes the flows itself."""
    h.setSolution(len(y), np.arange(len(y), dtype=np.int32), y)


def _result(h, p, cand, xi, xj, loop: _CutLoop, **done) -> Solution:
    import highspy

    status = h.getModelStatus()
    info = h.getInfo()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status == highspy.HighsModelStatus.kInfeasible or not has_plan:
        infeasible = status == highspy.HighsModelStatus.kInfeasible
        lag = done["lag"]
        return Solution.empty(
            Status.INFEASIBLE if infeasible else Status.NO_SOLUTION,
            "the solver proved that no plan meets every constraint together"
            if infeasible
            else "no plan was found before the time limit",
            bound=None if infeasible else _best_bound(info.mip_dual_bound, loop, lag),
            seconds=time.perf_counter() - done["t0"],
            build_seconds=done["build_seconds"],
            lagrangian_seconds=lag.seconds if lag else 0.0,
            fixed_closed=done["fixed_closed"],
            formulation=done["form"],
        )
    values = np.asarray(h.getSolution().col_value)
    objective = float(info.objective_function_value)
    bound = _best_bound(info.mip_dual_bound, loop, done["lag"])
    optimal = status == highspy.HighsModelStatus.kOptimal
    return _finish(p, cand, xi, xj, values, objective, bound, optimal, loop, **done)


def _best_bound(mip_bound: float, loop: _CutLoop, lag: Lagrangian | None) -> float:
    """The best proven lower bound: the MIP's, the cut loop's LP or the Lagrangian's."""
    mip = float(mip_bound) if np.isfinite(mip_bound) else -np.inf  # -inf before the MIP's root
    return max(mip, loop.bound, lag.bound if lag is not None else -np.inf)


def _finish(
    p, cand, xi, xj, values, objective, bound, optimal, loop, *, t0, build_seconds, lag, fixed_closed, form
) -> Solution:
    k = len(cand)
    y = values[:k] > 0.5
    flows = np.zeros(p.shape)
    flows[cand[xi], xj] = np.clip(values[k:], 0.0, 1.0)
    if p.single_source:  # integer columns come back within the solver's tolerance of 0 or 1
        flows = np.round(flows)
    gap = max(0.0, (objective - bound) / max(abs(objective), 1e-12)) if np.isfinite(bound) else None
    return Solution(
        status=Status.OPTIMAL if optimal else Status.TIME_LIMIT,
        objective=objective,
        bound=bound,
        gap=gap,
        open=np.sort(cand[y]),
        flows=flows,
        seconds=time.perf_counter() - t0,
        build_seconds=build_seconds,
        lagrangian_seconds=lag.seconds if lag else 0.0,
        fixed_closed=fixed_closed,
        formulation=form,
        duals=loop.duals,
    )


def plan_cost(p: FacilityProblem, open_: NDArray[np.int64], flows: Array) -> float:
    """Objective recomputed from the plan: fixed costs of the open candidates plus flow costs."""
    used = flows > 0
    return float(p.fixed_cost[open_].sum() + np.sum(np.where(used, p.assign_cost, 0.0) * flows))
