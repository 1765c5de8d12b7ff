"""Optimal contact scheduling on shared antennas: a MILP solved by HiGHS, built from arrays.

Each candidate contact is one pass of one satellite over one antenna, usable in its window
[aos, los]. The operator's rules:

- an antenna serves one satellite at a time, with ``setup_s`` seconds between two contacts
  (slewing back, reconfiguring); a satellite talks to one antenna at a time (one downlink chain),
  with ``handover_s`` seconds between two of its contacts (the next antenna acquiring it; 0 by
  default, as before it was a parameter);
- a contact lasts at least ``min_contact_s`` (passes shorter than that are never used);
- the objective is the priority-weighted contact time, Σ weight · (end − start);
- optionally each satellite keeps at least a guaranteed contact time (used by pooling: no member
  gets less from the pooled network than from its own stations).

Two models:

**Whole passes** (default, ``shorten=False``): a pass is tracked from AOS to LOS (above the
minimum elevation) or not at all, as most ground networks book them. Contacts competing for an
antenna (windows widened by the set-up time) or for a satellite form interval graphs, whose
maximal cliques are the contacts in progress at each contact's start; one row per clique,
Σ x ≤ 1, gives a very tight formulation that HiGHS solves to proven optimality in well under a
second on a week of the shipped network.

**Shortened contacts** (``shorten=True``): a contact may start after AOS and end before LOS to make
room for another satellite, or hand a satellite over between antennas mid-pass. Model:
x_p ∈ {0, 1} (contact used), start s_p and end e_p in [aos_p, los_p], with
m·x_p ≤ e_p − s_p ≤ (los_p − aos_p)·x_p. For two contacts that compete for an antenna or a
satellite and could come in either order, binaries y_pq, y_qp pick the order:
y_pq + y_qp ≥ x_p + x_q − 1 and e_p + gap − s_q ≤ M_pq (1 − y_pq), with M_pq = los_p + gap − aos_q
(the largest the left side can be, so the big-M is as tight as it gets). When only one order
fits, no binary is needed; when neither fits, x_p + x_q ≤ 1. HiGHS reports status, objective,
dual bound and gap; with a time limit the best schedule found is returned with its gap. This
big-M model is exact on small instances (tested against brute force) but its bound is weak: on
networks of co-located antennas it may stop at the time limit with a large reported gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from kopru.errors import ScheduleError
from kopru.highs import SolveResult, Status, new_highs, status_of

#: What the objective and bound count: each contact's seconds times its satellite's priority.
OBJECTIVE_UNIT = "priority × contact seconds, summed over the window"
#: Guarantees are relaxed by this much (seconds) so round-off cannot make them infeasible.
GUARANTEE_SLACK_S = 1e-3


@dataclass
class SolveReport(SolveResult):
    """What HiGHS says about a schedule's solve (a maximisation: ``bound >= objective``) and the
    model's size; check ``status`` before trusting ``objective``."""

    n_contacts: int = 0
    n_binaries: int = 0
    n_rows: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            **self.summary(),
            "objective": None if self.objective is None else round(self.objective, 6),
            "bound": None if self.bound is None or not np.isfinite(self.bound) else round(self.bound, 6),
            "objective_unit": OBJECTIVE_UNIT,
            "seconds": round(self.seconds, 3),
            "contacts": self.n_contacts,
            "binaries": self.n_binaries,
            "rows": self.n_rows,
        }


@dataclass(frozen=True)
class Schedule:
    """The chosen contacts: ``used`` marks them, ``start``/``end`` are their (possibly shortened)
    times; unused contacts have start == end."""

    used: np.ndarray
    start: np.ndarray
    end: np.ndarray
    report: SolveReport
    weight: np.ndarray = field(repr=False)

    @property
    def duration(self) -> np.ndarray:
        return np.where(self.used, self.end - self.start, 0.0)

    def objective(self) -> float:
        """The weighted contact time recomputed from the schedule (equals the solver's objective)."""
        return float(np.sum(self.weight * self.duration))


def conflict_pairs(group: np.ndarray, aos: np.ndarray, los: np.ndarray, gap: float) -> np.ndarray:
    """All pairs (p, q), p earlier, of contacts in the same group whose windows, widened by
    ``gap``, overlap — found by a sort and a searchsorted sweep, not an all-pairs loop."""
    n = len(group)
    if n < 2:
        return np.empty((2, 0), dtype=np.int64)
    span = float(np.max(los) - np.min(aos)) + 2 * gap + 1.0
    key = group.astype(float) * span * 4 + (aos - np.min(aos))
    order = np.argsort(key, kind="stable")
    k_sorted = key[order]
    end_key = group[order].astype(float) * span * 4 + (los[order] + gap - np.min(aos))
    stop = np.searchsorted(k_sorted, end_key, side="left")  # first later contact not in conflict
    count = np.maximum(stop - np.arange(n) - 1, 0)
    p = np.repeat(np.arange(n), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    q = p + 1 + offset
    return np.stack([order[p], order[q]])


def schedule_contacts(
    antenna: np.ndarray,
    satellite: np.ndarray,
    aos: np.ndarray,
    los: np.ndarray,
    weight: np.ndarray | float = 1.0,
    setup_s: float = 0.0,
    min_contact_s: float = 0.0,
    guarantee_s: dict[int, float] | None = None,
    initial: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-6,
    shorten: bool = False,
    handover_s: float = 0.0,
) -> Schedule:
    """Choose and time contacts to maximize the weighted contact time (see the module docstring).

    ``guarantee_s`` maps a satellite id to the contact seconds it must get; ``initial`` is a feasible
    (used, start, end) to start from (HiGHS then only has to improve it)."""
    antenna, satellite = np.asarray(antenna, np.int64), np.asarray(satellite, np.int64)
    aos, los = np.asarray(aos, float), np.asarray(los, float)
    n = len(aos)
    weight = np.broadcast_to(np.asarray(weight, float), (n,)).copy()
    _check(antenna, satellite, aos, los, weight, setup_s, min_contact_s, handover_s)
    usable = (los - aos) >= min_contact_s
    m = float(min_contact_s)
    if not shorten:
        return _whole_passes(
            antenna,
            satellite,
            aos,
            los,
            weight,
            (setup_s, handover_s),
            usable,
            guarantee_s,
            initial,
            time_limit_s,
            mip_rel_gap,
        )

    # competing pairs: (p, q, gap) on the same antenna (with set-up) or the same satellite
    pa = conflict_pairs(antenna, aos, los, setup_s)
    ps = conflict_pairs(satellite, aos, los, handover_s)
    p = np.r_[pa[0], ps[0]]
    q = np.r_[pa[1], ps[1]]
    gap = np.r_[np.full(pa.shape[1], float(setup_s)), np.full(ps.shape[1], float(handover_s))]
    # a pair listed both ways (same antenna and same satellite) keeps the larger gap
    key = np.minimum(p, q) * n + np.maximum(p, q)
    order = np.lexsort((-gap, key))
    first = order[np.r_[True, np.diff(key[order]) != 0]] if len(order) else order
    p, q, gap = p[first], q[first], gap[first]
    keep = usable[p] & usable[q]
    p, q, gap = p[keep], q[keep], gap[keep]
    pq_ok = aos[p] + m + gap + m <= los[q] + 1e-9  # p can come before q
    qp_ok = aos[q] + m + gap + m <= los[p] + 1e-9

    # columns: x (n), s (n), e (n), then y for each fitting order of each two-way pair
    both = pq_ok & qp_ok
    nb = int(both.sum())
    col_x, col_s, col_e = np.arange(n), n + np.arange(n), 2 * n + np.arange(n)
    col_y1 = 3 * n + np.arange(nb)
    col_y2 = 3 * n + nb + np.arange(nb)
    n_cols = 3 * n + 2 * nb
    lower = np.r_[np.zeros(n), aos, aos, np.zeros(2 * nb)]
    upper = np.r_[usable.astype(float), los, los, np.ones(2 * nb)]
    cost = np.r_[np.zeros(n), -weight, weight, np.zeros(2 * nb)]

    rows = _Rows()
    # m·x − e + s ≤ 0 ;  e − s − (los − aos)·x ≤ 0
    rows.add(np.c_[col_x, col_e, col_s], np.c_[np.full(n, m), -np.ones(n), np.ones(n)], -np.inf, 0.0)
    rows.add(np.c_[col_e, col_s, col_x], np.c_[np.ones(n), -np.ones(n), -(los - aos)], -np.inf, 0.0)
    # neither order fits: x_p + x_q ≤ 1
    nf = ~pq_ok & ~qp_ok
    rows.add(np.c_[col_x[p[nf]], col_x[q[nf]]], np.ones((nf.sum(), 2)), -np.inf, 1.0)
    # one order fits (a before b): e_a + gap − s_b ≤ M (2 − x_a − x_b)
    for only, a, b in ((pq_ok & ~qp_ok, p, q), (qp_ok & ~pq_ok, q, p)):
        a, b, g = a[only], b[only], gap[only]
        big = los[a] + g - aos[b]
        rows.add(
            np.c_[col_e[a], col_s[b], col_x[a], col_x[b]],
            np.c_[np.ones(len(a)), -np.ones(len(a)), big, big],
            -np.inf,
            2 * big - g,
        )
    # two-way pairs: y1 + y2 − x_p − x_q ≥ −1 ; e_p + gap − s_q ≤ M1 (1 − y1) ; e_q + gap − s_p ≤ M2 (1 − y2)
    bp, bq, bg = p[both], q[both], gap[both]
    rows.add(
        np.c_[col_y1, col_y2, col_x[bp], col_x[bq]], np.tile([1.0, 1.0, -1.0, -1.0], (nb, 1)), -1.0, np.inf
    )
    rows.add(np.c_[col_y1, col_y2], np.ones((nb, 2)), -np.inf, 1.0)
    for a, b, col in ((bp, bq, col_y1), (bq, bp, col_y2)):
        big = los[a] + bg - aos[b]
        rows.add(np.c_[col_e[a], col_s[b], col], np.c_[np.ones(nb), -np.ones(nb), big], -np.inf, big - bg)
    # guarantees: Σ_p∈k (e_p − s_p) ≥ G_k
    for sat_id, need in (guarantee_s or {}).items():
        mine = np.flatnonzero(satellite == sat_id)
        if need > GUARANTEE_SLACK_S and len(mine):
            rows.add(
                np.r_[col_e[mine], col_s[mine]][None, :],
                np.r_[np.ones(len(mine)), -np.ones(len(mine))][None, :],
                need - GUARANTEE_SLACK_S,
                np.inf,
            )

    integer = np.r_[col_x, col_y1, col_y2]
    return _solve(n, n_cols, lower, upper, cost, rows, integer, weight, initial, time_limit_s, mip_rel_gap)


def _whole_passes(
    antenna, satellite, aos, los, weight, gaps, usable, guarantee_s, initial, time_limit_s, mip_rel_gap
) -> Schedule:
    """x_p ∈ {0, 1} per pass; one clique row per contact start, per antenna and per satellite;
    ``gaps``: (set-up on an antenna, hand-over of a satellite)."""
    n = len(aos)
    dur = los - aos
    rows = _Rows()
    setup_s, handover_s = gaps
    for group, gap in ((antenna, float(setup_s)), (satellite, float(handover_s))):
        p, q = conflict_pairs(group, aos, los, gap)
        # the clique at q's start: q and every earlier p still in progress (or setting up)
        order = np.argsort(q, kind="stable")
        p, q = p[order], q[order]
        heads, size = np.unique(q, return_counts=True)
        width = size.max() + 1 if len(size) else 1
        cols = np.full((len(heads), width), -1)
        cols[:, 0] = heads
        slot = np.arange(len(q)) - np.repeat(np.cumsum(size) - size, size) + 1
        cols[np.repeat(np.arange(len(heads)), size), slot] = p
        # pad ragged rows by repeating the head with coefficient 0
        vals = np.where(cols >= 0, 1.0, 0.0)
        cols = np.where(cols >= 0, cols, heads[:, None])
        rows.add(cols, vals, -np.inf, 1.0)
    for sat_id, need in (guarantee_s or {}).items():
        mine = np.flatnonzero(satellite == sat_id)
        if need > GUARANTEE_SLACK_S and len(mine):
            rows.add(mine[None, :], dur[mine][None, :], need - GUARANTEE_SLACK_S, np.inf)
    lower, upper = np.zeros(n), usable.astype(float)
    start_values = None
    if initial is not None:
        start_values = (np.asarray(initial[0], float),)
    sched = _solve(
        n,
        n,
        lower,
        upper,
        weight * dur,
        rows,
        np.arange(n),
        weight,
        None,
        time_limit_s,
        mip_rel_gap,
        start_values,
    )
    used = sched.used
    return Schedule(used, np.where(used, aos, aos), np.where(used, los, aos), sched.report, weight)


def _check(antenna, satellite, aos, los, weight, setup_s, min_contact_s, handover_s=0.0) -> None:
    n = len(aos)
    if not (len(antenna) == len(satellite) == len(los) == n):
        raise ScheduleError("antenna, satellite, aos and los must have the same length")
    if setup_s < 0 or min_contact_s < 0 or not 0 <= handover_s < float("inf"):
        raise ScheduleError(
            "set-up time, minimum contact and hand-over must be >= 0 s, got"
            f" {setup_s:g}, {min_contact_s:g} and {handover_s:g}"
        )
    if np.any(los < aos) or not np.all(np.isfinite(np.r_[aos, los])):
        raise ScheduleError("every contact needs finite times with los >= aos")
    if np.any(weight < 0) or not np.all(np.isfinite(weight)):
        raise ScheduleError("priorities (weights) must be finite and >= 0")


class _Rows:
    """Constraint rows gathered as fixed-width blocks of (column, value), assembled into one CSR."""

    def __init__(self) -> None:
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []

    def add(self, cols: np.ndarray, vals: np.ndarray, lo, hi) -> None:
        cols, vals = np.atleast_2d(cols), np.atleast_2d(vals)
        if cols.size == 0:
            return
        k = cols.shape[0]
        self.cols.append(cols.astype(np.int32))
        self.vals.append(vals.astype(float))
        self.lo.append(np.broadcast_to(np.asarray(lo, float), (k,)))
        self.hi.append(np.broadcast_to(np.asarray(hi, float), (k,)))

    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if not self.cols:
            return (np.zeros(0), np.zeros(0), np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0))
        widths = np.concatenate([np.full(c.shape[0], c.shape[1]) for c in self.cols])
        starts = np.r_[0, np.cumsum(widths)].astype(np.int32)
        index = np.concatenate([c.ravel() for c in self.cols]).astype(np.int32)
        value = np.concatenate([v.ravel() for v in self.vals])
        return np.concatenate(self.lo), np.concatenate(self.hi), starts, index, value


def _solve(
    n, n_cols, lower, upper, cost, rows, integer, weight, initial, time_limit_s, mip_rel_gap, x_start=None
) -> Schedule:
    h = new_highs()
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    inf = highspy.kHighsInf
    lower = np.where(np.isinf(lower), -inf, lower)
    upper = np.where(np.isinf(upper), inf, upper)
    h.addVars(n_cols, lower, upper)
    h.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), cost)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    if len(integer):
        h.changeColsIntegrality(
            len(integer), integer.astype(np.int32), np.full(len(integer), highspy.HighsVarType.kInteger)
        )
    lo, hi, starts, index, value = rows.csr()
    n_rows = len(lo)
    if n_rows:
        h.addRows(
            n_rows,
            np.where(np.isinf(lo), -inf, lo),
            np.where(np.isinf(hi), inf, hi),
            len(index),
            starts[:-1],
            index,
            value,
        )
    if initial is not None:
        _set_start(h, n, n_cols, initial)
    elif x_start is not None:
        h.setSolution(n, np.arange(n, dtype=np.int32), x_start[0])
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    if n_cols == 0:
        empty = np.zeros(0)
        return Schedule(
            np.zeros(0, bool), empty, empty, SolveReport(Status.OPTIMAL, 0.0, 0.0, 0.0, seconds), empty
        )
    status = status_of(h)
    col = np.array(h.getSolution().col_value) if info.primal_solution_status else np.zeros(n_cols)
    used = col[:n] > 0.5
    if n_cols == n:  # whole passes: times are filled in by the caller
        start = end = np.zeros(n)
    else:
        start, end = col[n : 2 * n], col[2 * n : 3 * n]
        start, end = np.where(used, start, lower[n : 2 * n]), np.where(used, end, lower[n : 2 * n])
    objective = float(info.objective_function_value) if info.primal_solution_status else None
    bound = float(info.mip_dual_bound)
    gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else None
    report = SolveReport(status, objective, bound, gap, seconds, n, len(integer), n_rows)
    return Schedule(used, start, end, report, weight)


def _set_start(h: highspy.Highs, n: int, n_cols: int, initial) -> None:
    """Hand HiGHS a feasible schedule; the order binaries are left for it to complete."""
    used, start, end = (np.asarray(a) for a in initial)
    sol = highspy.HighsSolution()
    values = np.full(n_cols, np.nan)
    values[:n] = used.astype(float)
    values[n : 2 * n] = start
    values[2 * n : 3 * n] = end
    idx = np.flatnonzero(np.isfinite(values)).astype(np.int32)
    try:
        h.setSolution(len(idx), idx, values[idx])
    except (TypeError, AttributeError):  # older highspy: full solutions only
        sol.col_value = list(np.nan_to_num(values))
        sol.value_valid = True
        h.setSolution(sol)
