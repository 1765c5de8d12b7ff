"""Which sites to open: the plan's landed-cost arrays as a facility-location problem, and back.

Fixed costs (annualised capex, fixed costs, land lease, property tax on the buildings) are paid
per open site and capacity level; everything else in the landed cost is paid per unit shipped
from a site to a market. The optimizer (:mod:`kopru.facility`) decides which sites open, at which
level, and how each market's demand is split, minimising the total annual cost.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from kopru.comparison import find_site
from kopru.costs import landed_cost
from kopru.errors import InfeasibleError, OptionError, ProfileError
from kopru.facility import FacilityProblem, Solution, Status, solve
from kopru.facility.marginal import Side, marginal_values, single_source_steps
from kopru.inputs import PlanInputs
from kopru.planner import (
    CapacityMargin,
    ClosedSite,
    Flow,
    Marginals,
    MarketMargin,
    NetworkPlan,
    OpenSite,
    Sensitivity,
    ShareMargin,
    beyond_fixed,
)
from kopru.profile import OptimizeOptions


@dataclass
class Candidates:
    problem: FacilityProblem
    site_ids: list[str]
    level: np.ndarray  # (I,) level index of each candidate
    per_unit: np.ndarray  # (I, M) each candidate's variable cost per unit, plan currency


def build_problem(pre: PlanInputs, options: OptimizeOptions) -> Candidates:
    """Candidates (site × capacity level), their fixed costs, and per-market assignment costs."""
    x, fx, profile = pre.x, pre.fx, pre.profile
    land = x.land_m2 * x.land_usd_per_m2_year * fx
    crf = x.capital_recovery
    existing = pre.sites["existing"].to_numpy(bool)
    capacity = pre.sites["capacity"].to_numpy(float)
    levels = options.capacity_levels or ()
    demand_total = float(pre.demand.sum())
    rows_site, rows_level, caps, fixed, capex = [], [], [], [], []
    for s in range(len(pre.sites)):
        default = (capacity[s], profile.capex, profile.fixed_costs)
        if existing[s]:
            options_s = [(capacity[s], 0.0, profile.fixed_costs)]
            if capacity[s] < demand_total:  # or expanded to what the markets buy, as a plan costs it
                extra = profile.capex * (demand_total - capacity[s]) / profile.volume
                options_s.append((demand_total, extra, profile.fixed_costs))
        else:
            options_s = [(lv.capacity, lv.capex, lv.fixed_costs) for lv in levels] or [default]
        for lvl, (cap, cpx, fc) in enumerate(options_s):
            rows_site.append(s)
            rows_level.append(lvl)
            caps.append(cap)
            capex.append(cpx)
            ptax = x.property_tax_rate[s] * x.building_share * cpx
            fixed.append(cpx * crf + fc + land[s] + ptax)
    site = np.array(rows_site)
    demand = pre.demand
    per_unit = candidate_per_unit(pre, site, np.array(capex, dtype=float))
    assign = per_unit * demand[None, :]
    ids = list(pre.sites["id"])
    index = {sid: i for i, sid in enumerate(ids)}
    forced = forced_sites(pre, options)
    problem = FacilityProblem(
        fixed_cost=np.array(fixed),
        capacity=np.array(caps, dtype=float),
        demand=demand.astype(float),
        assign_cost=assign,
        site=site,
        capex=np.array(capex),
        budget=options.capex_budget,
        max_sites=options.max_sites,
        share_mask=(pre.sites["country"].to_numpy() == "KZ")[site],
        min_share=options.min_kz_share,
        force_open=frozenset(index[sid] for sid in forced.force_open),
        force_closed=frozenset(index[sid] for sid in forced.force_closed),
        single_source=options.single_source,
        site_names=tuple(pre.sites["name"]),
        market_names=tuple(m["name"] for m in pre.markets),
        units="units a year",
        currency=profile.currency,
    )
    return Candidates(problem, ids, np.array(rows_level), per_unit)


def forced_sites(pre: PlanInputs, options: OptimizeOptions) -> OptimizeOptions:
    """``options`` with the sites forced open or closed as ids, named as ``kopru compare`` names
    them: an id, a name or a part of one name ('Turan'); the plan table shows names only."""
    sites = list(pre.sites[["id", "name"]].itertuples(index=False))
    chosen: dict[str, tuple[str, ...]] = {}
    for field in ("force_open", "force_closed"):
        try:
            chosen[field] = tuple(find_site(sites, q, field).id for q in getattr(options, field))
        except OptionError as exc:  # --force-open, as the command line says the field
            raise ProfileError(f"{field}: {exc}", field=field) from None
    both = [s for s in sites if s.id in set(chosen["force_open"]) & set(chosen["force_closed"])]
    if both:
        raise ProfileError(
            f"'{both[0].name}' is forced both open and closed; name it in force_open or force_closed only",
            field="force_open",
        )
    return options.model_copy(update=chosen)


def candidate_per_unit(pre: PlanInputs, site: np.ndarray, capex: np.ndarray) -> np.ndarray:
    """(I, M) what a unit delivered costs from each candidate beyond its fixed costs, plan currency:
    the plan's variable cost, but with the candidate's own capex in the profit tax's base (its
    depreciation is deducted there), not the plan's (an existing plant left unexpanded deducts no
    expansion, and gets none of its incentives; a capacity level its own plant's)."""
    x, base = pre.x.at_sites(site), pre.x_base.at_sites(site)
    # an existing plant left as it is invests nothing: no incentive certificate (kopru.incentives
    # gives its expansion one), so its tax and premiums are those before incentives
    idle = pre.sites["existing"].to_numpy(bool)[site] & (capex <= 0)
    # the machinery duty a certificate spares (incentives.apply) is the same share of any level's capex
    with np.errstate(divide="ignore", invalid="ignore"):
        net = np.where(base.capex_usd > 0, x.capex_usd / base.capex_usd, 1.0)
    x = replace(
        x,
        capex_usd=capex * np.where(idle, 1.0, net),
        corporate_tax_rate=np.where(idle, base.corporate_tax_rate, x.corporate_tax_rate),
        social_rate=np.where(idle, base.social_rate, x.social_rate),
    )
    return beyond_fixed(x, landed_cost(x) * pre.fx, pre.fx)


def best_single_site(cands: Candidates) -> tuple[str, float] | None:
    """The cheapest plan that serves every market from one site at one level, if any can."""
    i = _single_site_candidate(cands)
    if i is None:
        return None
    p = cands.problem
    return cands.site_ids[int(p.sites[i])], float(p.fixed_cost[i] + p.assign_cost[i].sum())


def _single_site_candidate(cands: Candidates) -> int | None:
    """The candidate (site and level) of the cheapest one-site plan, if any serves every market."""
    p = cands.problem
    can = (p.capacity >= p.demand.sum() * (1 - 1e-12)) & np.isfinite(p.assign_cost).all(axis=1)
    can &= ~np.isin(p.sites, list(p.force_closed))
    if not can.any():
        return None
    total = np.where(can, p.fixed_cost + np.where(can[:, None], p.assign_cost, 0.0).sum(axis=1), np.inf)
    return int(np.argmin(total))


def optimize(pre: PlanInputs, options: OptimizeOptions | None = None) -> NetworkPlan:
    """Solve the network problem for a prepared profile; explain infeasibility in words."""
    options = forced_sites(pre, options or pre.profile.optimize)  # ids in the plan, whatever was typed
    cands = build_problem(pre, options)
    p = cands.problem
    best_single = best_single_site(cands)
    single = _single_site_candidate(cands)
    start = None
    if single is not None:  # a plan cut short by its time limit is then no worse than one site
        start = np.zeros(len(p.fixed_cost), dtype=bool)
        start[single] = True
    try:
        sol = solve(
            p,
            time_limit=options.time_limit,
            gap=options.gap,
            start=start,
            start_cost=best_single[1] if best_single else None,
        )
    except InfeasibleError as exc:
        return _empty(pre, options, str(exc))
    if sol.status in (Status.INFEASIBLE, Status.NO_SOLUTION):
        return _empty(pre, options, sol.message, sol)
    sensitivity = _sensitivity(pre, cands, sol, options) if options.sensitivity else []
    plan = _network_plan(pre, cands, sol, options, sensitivity, best_single)
    marginals = marginals_of(pre, cands, sol)
    text = " ".join(describe_marginals(marginals, pre.profile.currency))
    return plan.model_copy(update={"marginals": marginals.model_copy(update={"text": text})})


def _empty(
    pre: PlanInputs, options: OptimizeOptions, message: str, sol: Solution | None = None
) -> NetworkPlan:
    return NetworkPlan(
        status=sol.status.value if sol else Status.INFEASIBLE.value,
        objective=None,
        bound=sol.bound if sol else None,
        gap=None,
        seconds=sol.seconds if sol else 0.0,
        build_seconds=sol.build_seconds if sol else 0.0,
        formulation=sol.formulation if sol else "",
        currency=pre.profile.currency,
        open=[],
        flows=[],
        best_single_site=None,
        best_single_site_cost=None,
        saving_vs_single_site=None,
        sensitivity=[],
        options=options.model_dump(mode="json"),
        message=message,
    )


def _network_plan(pre, cands, sol: Solution, options, sensitivity, best_single) -> NetworkPlan:
    p = cands.problem
    names = pre.sites["name"].tolist()
    countries = pre.sites["country"].tolist()
    markets = [m["id"] for m in pre.markets]
    units = sol.flows * p.demand[None, :]
    opened = []
    for i in sol.open:
        s = int(p.sites[i])
        opened.append(
            OpenSite(
                site=cands.site_ids[s],
                name=names[s],
                country=countries[s],
                capacity=float(p.capacity[i]),
                level=int(cands.level[i]),
                units=float(units[i].sum()),
                utilisation=float(units[i].sum() / p.capacity[i]) if p.capacity[i] else 0.0,
                fixed_cost=float(p.fixed_cost[i]),
            )
        )
    ii, jj = np.nonzero(sol.flows > 1e-9)
    flows = [
        Flow(
            site=cands.site_ids[int(p.sites[i])],
            market=markets[j],
            units=float(units[i, j]),
            share=float(sol.flows[i, j]),
            cost=float(p.assign_cost[i, j] * sol.flows[i, j]),
        )
        for i, j in zip(ii, jj, strict=True)
    ]
    saving = None
    if best_single is not None and sol.objective is not None:
        saving = best_single[1] - sol.objective
    kept = {int(p.sites[i]) for i in sol.open}
    closed = [
        ClosedSite(
            site=cands.site_ids[s],
            name=names[s],
            fixed_cost=float(p.fixed_cost[np.flatnonzero(p.sites == s)].min()),
        )
        for s in np.flatnonzero(pre.sites["existing"].to_numpy(bool))
        if int(s) not in kept and (p.sites == s).any()
    ]
    return NetworkPlan(
        status=sol.status.value,
        objective=sol.objective,
        bound=sol.bound,
        gap=sol.gap,
        seconds=sol.seconds,
        build_seconds=sol.build_seconds,
        formulation=sol.formulation,
        currency=pre.profile.currency,
        open=opened,
        flows=flows,
        closed=closed,
        best_single_site=best_single[0] if best_single else None,
        best_single_site_cost=best_single[1] if best_single else None,
        saving_vs_single_site=saving,
        sensitivity=sensitivity,
        options=options.model_dump(mode="json"),
        message="" if sol.status is Status.OPTIMAL else f"time limit reached: gap {sol.gap:.2%}",
    )


def _sensitivity(pre, cands, sol: Solution, options) -> list[Sensitivity]:
    """Cost of forcing each closed site open and of closing each open site: one re-solve each."""
    p = cands.problem
    open_sites = {int(p.sites[i]) for i in sol.open}
    jobs = []
    for s in range(len(cands.site_ids)):
        if s in p.force_open or s in p.force_closed:
            continue
        if s in open_sites:
            jobs.append((s, "close", replace(p, force_closed=p.force_closed | {s})))
        else:
            jobs.append((s, "force open", replace(p, force_open=p.force_open | {s})))
    limit = max(1.0, options.time_limit / 4)

    def run(job):
        s, action, q = job
        try:
            r = solve(q, time_limit=limit, gap=options.gap)
        except InfeasibleError as exc:
            return Sensitivity(
                site=cands.site_ids[s],
                action=action,
                status="infeasible",
                objective=None,
                delta=None,
                note=str(exc),
            )
        delta = None if r.objective is None else r.objective - sol.objective
        note = "" if r.status is Status.OPTIMAL else f"not proven optimal (gap {r.gap or 0:.2%})"
        return Sensitivity(
            site=cands.site_ids[s],
            action=action,
            status=r.status.value,
            objective=r.objective,
            delta=delta,
            note=note,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:  # HiGHS releases the GIL while it solves
        results = list(pool.map(run, jobs))
    return sorted(results, key=lambda r: (r.delta is None, r.delta if r.delta is not None else 0.0))


def marginals_of(pre: PlanInputs, cands: Candidates, sol: Solution) -> Marginals:
    """The plan's marginal values by market, open site and minimum share (kopru.facility.marginal)."""
    p = cands.problem
    extra = None
    if p.single_source:  # no duals: each market's supplier is a yes-or-no choice; re-solve a step
        try:
            m = single_source_steps(cands.per_unit, p.capacity, p.demand, sol.open, p.share_mask, p.min_share)
        except (TimeoutError, ValueError) as exc:
            return Marginals(method="steps", note=f"not computed under single sourcing: {exc}")
        extra = _above_cheapest(cands.per_unit, p.demand, sol.flows, m.objective)
    else:
        m = marginal_values(cands.per_unit, p.capacity, p.demand, sol.open, p.share_mask, p.min_share)
    names = pre.sites["name"].tolist()
    reach = np.isfinite(cands.per_unit[sol.open]).any(axis=0)  # (J,) some open site can ship there
    prices = np.array([np.nan if mk.get("price") is None else mk["price"] for mk in pre.markets], dtype=float)
    markets = [
        MarketMargin(
            market=mk["id"],
            name=mk["name"],
            demand=float(p.demand[j]),
            cost=_num(m.cost_up.value[j]),
            cost_holds_to=_reach(m.cost_up, j),
            saving=_num(m.cost_down.value[j]),
            saving_holds_to=_reach(m.cost_down, j),
            price=mk.get("price"),
            reachable=bool(reach[j]),
            margin=None
            if mk.get("price") is None or _num(m.cost_up.value[j]) is None
            else float(mk["price"] - m.cost_up.value[j]),
        )
        for j, mk in enumerate(pre.markets)
    ]
    capacity = [
        CapacityMargin(
            site=cands.site_ids[int(p.sites[i])],
            name=names[int(p.sites[i])],
            capacity=float(p.capacity[i]),
            spare=float(m.spare[k]),
            value=_num(m.capacity_up.value[k]),
            value_holds_to=_reach(m.capacity_up, k),
            loss=_num(m.capacity_down.value[k]),
            loss_holds_to=_reach(m.capacity_down, k),
            **_next_level(p, int(i)),
            **_earns(cands.per_unit[i], prices),
        )
        for k, i in enumerate(sol.open)
    ]
    share = None
    if m.share_up is not None and m.share_down is not None:
        share = ShareMargin(
            share=p.min_share,
            cost_per_point=_num(m.share_up.value[0]),
            cost_holds_to=_reach(m.share_up, 0),
            saving_per_point=_num(m.share_down.value[0]),
            saving_holds_to=_reach(m.share_down, 0),
        )
    method = "steps" if p.single_source else "duals"
    return Marginals(
        markets=markets,
        capacity=capacity,
        share=share,
        method=method,
        share_cost=None if m.share_cost is None else _num(m.share_cost),
        above_cheapest=extra,
    )


def _above_cheapest(per_unit: np.ndarray, demand: np.ndarray, flows: np.ndarray | None, cheapest: float):
    """How much more a year the plan's own assignment costs than the cheapest one for its open
    sites (a plan the solver stopped with a gap); None when it is the cheapest."""
    if flows is None:
        return None
    served = flows > 0
    plan = float((np.where(served, per_unit, 0.0) * demand[None, :] * np.where(served, flows, 0.0)).sum())
    return plan - cheapest if plan - cheapest > 1e-7 * max(1.0, abs(plan)) else None


def _next_level(p: FacilityProblem, i: int) -> dict[str, float]:
    """The smallest larger capacity level of candidate i's site, and what each unit it adds costs a
    year in the fixed part of the cost (capital, fixed costs, land); nothing if there is none."""
    same = np.flatnonzero((p.sites == p.sites[i]) & (p.capacity > p.capacity[i]))
    if not len(same):
        return {}
    nxt = same[np.argmin(p.capacity[same])]
    extra = float(p.capacity[nxt] - p.capacity[i])
    return {
        "next_capacity": float(p.capacity[nxt]),
        "next_cost_per_unit": float(p.fixed_cost[nxt] - p.fixed_cost[i]) / extra,
    }


def _earns(per_unit: np.ndarray, prices: np.ndarray) -> dict[str, float]:
    """The range over priced markets of price less a site's cost per unit beyond the fixed parts."""
    margin = prices - per_unit
    margin = margin[np.isfinite(margin)]
    return {"earns_low": float(margin.min()), "earns_high": float(margin.max())} if len(margin) else {}


def _num(value: float) -> float | None:
    return float(value) + 0.0 if np.isfinite(value) else None  # + 0.0: no "-0" in JSON


def _reach(side: Side, e: int) -> float | None:
    """How far a marginal value holds; None without limit or where the value itself is missing."""
    return _num(side.until[e]) if np.isfinite(side.value[e]) else None


def describe_marginals(m: Marginals, currency: str) -> list[str]:
    """The marginal values in sentences (CLI, report, web): markets, open sites, the share."""
    if m.note:
        return [f"Marginal values {m.note}."]
    if m.method == "steps":
        return _step_lines(m, currency)
    lines = _market_lines(m, currency)
    sold = sum(x.demand for x in m.markets)
    for c in m.capacity:
        if c.value:
            reach = f" up to a capacity of {c.value_holds_to:,.0f}" if c.value_holds_to is not None else ""
            lines.append(
                f"{c.name} is full: each unit of capacity more would save {c.value:,.2f} {currency}"
                f" a year{reach}."
            )
        elif c.spare > 0:
            lines.append(f"{c.name} has {c.spare:,.0f} units of capacity spare: more saves nothing.")
        elif c.capacity > 0 and abs(c.capacity - sold) <= 1e-9 * max(1.0, sold):
            lines.append(
                f"{c.name} is full and makes all that is sold: more capacity saves nothing at today's demand."
            )
        elif c.capacity > 0:
            lines.append(f"{c.name} is full, but more capacity there would save nothing at the margin.")
    lines += _next_size_lines(m, currency)
    lines += _share_lines(m.share, currency)
    return lines


def _step_lines(m: Marginals, currency: str) -> list[str]:
    """Under single sourcing: what one unit more or less costs, re-solved, in sentences."""
    lines = [
        "Under single sourcing each market is served whole by one site, so these are steps, not rates:"
        " the assignment re-solved exactly with one unit more or one less, the open sites held as they"
        " are; a larger change can move a whole market to another site."
    ]
    if m.above_cheapest is not None:
        lines.append(
            f"The plan's own assignment costs {m.above_cheapest:,.0f} {currency} a year more than the"
            " cheapest one for its open sites (the solver stopped before proving it best): the steps and"
            " the spare capacity below are measured from the cheapest."
        )
    lines += _market_lines(m, currency)
    for c in m.capacity:
        if c.value:
            lines.append(
                f"One unit of capacity more at {c.name} would save {c.value:,.2f} {currency} a year."
            )
        elif c.spare > 0:
            lines.append(f"{c.name} has {c.spare:,.0f} units spare; one unit more saves nothing.")
        elif c.capacity > 0:
            lines.append(f"{c.name} is full, but one unit of capacity more there saves nothing.")
    lines += _next_size_lines(m, currency)
    if m.share is not None:
        lines.append(_share_step_line(m.share, m.share_cost, currency))
    return lines


def _share_step_line(s: ShareMargin, total: float | None, currency: str) -> str:
    """Under single sourcing a point of share often moves nothing while the share as a whole costs:
    say both, the whole against none first."""
    asked = f"The minimum share made in Kazakhstan ({s.share:.0%})"
    whole = (
        f" costs {total:,.0f} {currency} a year against none"
        if total is not None and total > 0
        else " costs nothing against none"
    )
    if s.cost_per_point is None:
        point = "; the Kazakh sites open cannot make a point more"
    elif s.cost_per_point > 0:
        point = f"; a point more costs {s.cost_per_point:,.2f} {currency} a year"
    else:
        point = "; a point more costs nothing more (no market moves)"
    return f"{asked}{whole}{point}."


def _next_size_lines(m: Marginals, currency: str) -> list[str]:
    """For each full site, what its next size would add and cost a year, against what a unit earns."""
    lines = []
    for c in m.capacity:
        if c.spare > 0 or c.capacity <= 0:
            continue
        if c.next_capacity is None or c.next_cost_per_unit is None:
            lines.append(f"No larger size of {c.name} is among the profile's capacity levels.")
            continue
        text = (
            f"The next size of {c.name} adds {c.next_capacity - c.capacity:,.0f} units a year for"
            f" {c.next_cost_per_unit:,.2f} {currency} a unit a year in capital, fixed costs and land"
        )
        if c.earns_low is not None and c.earns_high is not None:
            text += (
                f"; a unit made there and sold earns {c.earns_low:,.2f} to {c.earns_high:,.2f} {currency}"
                " over its cost beyond the fixed parts, at the profile's prices"
            )
        lines.append(text + ".")
    return lines


def _market_lines(m: Marginals, currency: str) -> list[str]:
    lines = []
    room = [x for x in m.markets if x.cost is not None]
    blocked = [x for x in m.markets if x.cost is None and x.reachable]
    if room:
        lo, hi = min(room, key=lambda x: x.cost), max(room, key=lambda x: x.cost)
        if hi.cost - lo.cost < 0.005:
            span = f"{lo.cost:,.2f} {currency} a unit" + (
                " in every such market" if len(room) > 1 else f" ({lo.name})"
            )
        else:
            span = f"{lo.cost:,.2f} to {hi.cost:,.2f} {currency} a unit ({lo.name} to {hi.name})"
        text = f"One more unit sold adds {span} to the annual cost, the open sites held as they are"
        more = [x.cost_holds_to - x.demand for x in room if x.cost_holds_to is not None]
        if more:
            text += f", for at least {min(more):,.0f} more units in any one market alone"
        lines.append(text + ".")
        margins = [x.margin for x in room if x.margin is not None]
        if margins:
            lines.append(
                f"At the profile's prices each unit more earns {min(margins):,.2f} to {max(margins):,.2f}"
                f" {currency} over that cost."
            )
    if blocked:
        if not room:
            fewer = [x for x in blocked if x.saving is not None]
            if fewer:
                lo, hi = min(fewer, key=lambda x: x.saving), max(fewer, key=lambda x: x.saving)
                lines.append(
                    f"One unit fewer sold saves {lo.saving:,.2f} to {hi.saving:,.2f} {currency} a unit"
                    f" ({lo.name} to {hi.name}), the open sites held as they are."
                )
        who = "No market" if not room else ", ".join(x.name for x in blocked)
        verb = "can" if not room else "cannot"
        why = "the open sites that can ship there are full"
        if m.share is not None and m.share.cost_per_point != 0:
            why += ", or the minimum share made in Kazakhstan leaves them no room"
        lines.append(
            f"{who} {verb} take one more unit: {why}; the next unit needs a larger plant or another site."
        )
    unreached = [x.name for x in m.markets if not x.reachable]
    if unreached:
        lines.append(f"No open site can ship to {', '.join(unreached)}.")
    return lines


def _share_lines(s: ShareMargin | None, currency: str) -> list[str]:
    if s is None:
        return []
    asked = f"The minimum share made in Kazakhstan ({s.share:.0%})"
    if s.cost_per_point is None:
        return [f"{asked} binds, and the Kazakh sites open cannot make a point more."]
    if s.cost_per_point == 0:
        made = f" (the plan makes {s.cost_holds_to:.0%} there)" if s.cost_holds_to is not None else ""
        return [f"{asked} does not bind{made}."]
    reach = f" up to {s.cost_holds_to:.1%}" if s.cost_holds_to is not None else ""
    return [f"{asked} binds: each point more costs {s.cost_per_point:,.2f} {currency} a year{reach}."]
