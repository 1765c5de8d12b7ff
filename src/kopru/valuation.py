"""What a plan says of each site's value: its incentives and its investment appraisal.

The arrays come from the plan's inputs (:mod:`kopru.inputs`) and cost engine; the cash-flow
arithmetic is :mod:`kopru.appraisal`'s, the incentive rules :mod:`kopru.incentives`'s. Money is in
the plan's currency.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from kopru.appraisal import (
    CashFlows,
    Schedule,
    TaxTerms,
    cash_flows,
    expansion_flows,
    finite,
    irrs,
    npv,
    payback_years,
    sign_changes,
    term_share,
)
from kopru.costs import COMPONENTS, CostInputs, cost_parts, property_tax_a_year
from kopru.inputs import PlanInputs

VARIABLE = ("materials", "energy", "labour", "logistics", "duties")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncentiveOut(_Model):
    """One incentive scheme at one site: applied (and worth ``annual_value`` a year) or listed."""

    id: str
    name: str
    scheme: str
    instrument: str
    status: str
    annual_value: float | None
    years: float | None
    legal_basis: str
    source: str
    conditions: str
    note: str


class CashFlowsOut(_Model):
    """A site's cash flows by year (year 0: construction), plan currency."""

    year: list[int]
    revenue: list[float]
    operating: list[float]
    tax: list[float]
    capex: list[float]
    working_capital: list[float]
    terminal: list[float]
    free: list[float]


class Comparison(_Model):
    """A site against the plan's baseline (the best Turkish option): the value of moving."""

    baseline: str
    npv: float | None  # this site's NPV less the baseline's
    irr: float | None  # of the difference in cash flows (None when it has none)
    payback_years: float | None  # None: never, or nothing to pay back (see ``outlay``)
    outlay: bool = True  # the move costs more than staying in some year, so a payback is due


class AppraisalOut(_Model):
    """NPV at the profile's WACC, IRR and payback of producing at a site over the plant's life."""

    wacc: float
    npv: float | None
    irr: float | None
    payback_years: float | None  # None: never, or nothing to pay back (see ``outlay``)
    cash_flows: CashFlowsOut
    outlay: bool = True  # the cumulative cash flow goes below zero (an investment to pay back)
    vs_baseline: Comparison | None
    notes: list[str]
    # revenue less kopru's costs over revenue at full output (the last year): before the selling,
    # design and head-office costs kopru does not count, so an upper bound of the plant's margin
    margin: float | None = None


def incentives_out(pre: PlanInputs) -> list[list[IncentiveOut]]:
    """Every site's incentives with their annual values converted to the plan's currency."""
    out = []
    for site in pre.incentives:
        rows = []
        for inc in site:
            d = inc.as_dict()
            if d["annual_value"] is not None:
                d["annual_value"] = round(d["annual_value"], 2)
            rows.append(IncentiveOut(**d))
        out.append(rows)
    return out


def site_cash_flows(pre: PlanInputs) -> CashFlows:
    """Cash flows of every site over the plant's life, the incentives year by year."""
    return cash_flows(**_flow_terms(pre))


def _flow_terms(pre: PlanInputs) -> dict[str, Any]:
    """The arguments of :func:`kopru.appraisal.cash_flows` for every site of a plan."""
    profile, fx, x, base = pre.profile, pre.fx, pre.x, pre.x_base
    demand = pre.demand
    opts = profile.appraisal
    schedule = Schedule(
        lifetime_years=profile.lifetime_years,
        ramp_up_months=opts.ramp_up_months,
        construction_months=opts.construction_months,
        working_capital_days=opts.working_capital_days,
        terminal_growth=opts.terminal_growth,
    )
    t = pre.terms
    # the premium support is applied year by year below; an SEZ's duty-free inputs end with its zone
    variable, carried = (a * fx for a in _variable(base, demand))
    zoned = (pre.inputs.values["in_sez_regime"] > 0) & np.isfinite(t.zone_years)
    if zoned.any():
        # after the zone: inputs pay duty, and land its price (in the ex-works value)
        std_land = pre.inputs.values["std_land_price_usd_per_m2"] * profile.wacc
        after, after_carried = _variable(
            replace(
                base,
                input_duty_share=np.where(zoned, 1.0, base.input_duty_share),
                land_usd_per_m2_year=np.where(zoned, std_land, base.land_usd_per_m2_year),
            ),
            demand,
        )
        inside = term_share(t.zone_years, schedule.years)
        variable = variable[:, None] * inside + after[:, None] * fx * (1.0 - inside)
        carried = carried[:, None] * inside + after_carried[:, None] * fx * (1.0 - inside)
    prices = np.array([m["price"] for m in pre.markets], dtype=float)
    revenue = np.full(len(pre.sites), float(prices @ demand))
    fixed, owned_land = (a * fx for a in _fixed_by_year(pre, schedule.years))
    # each site's hours a unit (the profile's, times its country's labour_hours_factor)
    employees = base.labour_hours * demand.sum() / (pre.inputs.values["hours_per_month"] * 12.0)
    support = t.ssc_usd_per_employee_year * employees * fx
    tax = TaxTerms(base.corporate_tax_rate, t.cit_reduction, t.cit_cap_usd * fx, t.cit_years)
    return dict(
        schedule=schedule,
        running=_running(pre.sites, float(demand.sum())),
        revenue_full=revenue,
        variable_full=variable,
        fixed_operating=fixed,
        capex=x.capex_usd * fx,
        tax=tax,
        wacc=profile.wacc,
        support=support,
        support_years=t.ssc_years,
        # opportunity costs in the operating cost, which no tax base deducts (kopru.costs)
        untaxed_fixed=owned_land,
        untaxed_variable=carried,
    )


def _running(sites: Any, units: float) -> np.ndarray:
    """(S,) share of the output each site makes already: an existing plant's capacity, up to the
    units the markets buy; nothing for a new plant."""
    capacity = sites["capacity"].to_numpy(float)
    made = np.minimum(np.nan_to_num(capacity, nan=0.0), units) / units if units > 0 else np.zeros(len(sites))
    return np.where(sites["existing"].to_numpy(bool), made, 0.0)


def _variable(x: CostInputs, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(S,) a full year's variable cost (materials, energy, labour, logistics, duties), USD, and
    (S,) the carrying cost of the goods in transit in it."""
    cube, carrying = cost_parts(x)
    idx = [COMPONENTS.index(c) for c in VARIABLE]
    finite_cube = np.where(np.isfinite(cube), cube, 0.0)
    carried = np.where(np.isfinite(cube[..., 0]), carrying, 0.0) @ demand
    return np.einsum("smc,m->s", finite_cube[:, :, idx], demand), carried


def _fixed_by_year(pre: PlanInputs, years: int) -> tuple[np.ndarray, np.ndarray]:
    """(S, T) fixed operating cost: an SEZ's property tax is nil while its relief runs and at the
    standard rate after, its land free while the zone runs and at the standard price × WACC after
    (the annual cost spreads both instead), the rest the same every year; and (S, T) the part of it
    that is owned land's price × WACC, an opportunity cost."""
    x, base, t, v = pre.x, pre.x_base, pre.terms, pre.inputs.values
    in_sez = v["in_sez_regime"] > 0
    relief = term_share(t.sez_years, years)
    zone = term_share(t.zone_years, years)
    buildings = base.building_share * base.capex_usd
    rate = base.property_tax_rate[:, None] * relief + v["std_property_tax_rate"][:, None] * (1.0 - relief)
    property_tax = np.where(
        (in_sez & np.isfinite(t.sez_years))[:, None],
        rate * buildings[:, None],
        property_tax_a_year(x)[:, None],
    )
    std_land = v["std_land_price_usd_per_m2"] * pre.profile.wacc
    land = np.where(
        (in_sez & np.isfinite(t.zone_years))[:, None],
        base.land_usd_per_m2_year[:, None] * zone + std_land[:, None] * (1.0 - zone),
        x.land_usd_per_m2_year[:, None],
    )
    owned = x.land_m2 * land * np.broadcast_to(x.land_imputed, (len(land),))[:, None]
    return x.fixed_costs_usd + x.land_m2 * land + property_tax, owned


def appraise(pre: PlanInputs, feasible: np.ndarray, baseline: int | None) -> list[AppraisalOut | None]:
    """Every feasible site's appraisal, and its comparison with the baseline site."""
    terms = _flow_terms(pre)
    flows = cash_flows(**terms)
    free = flows.free
    # an existing plant's IRR and payback are its expansion's: the plant it has recovers nothing
    expanding = pre.sites["existing"].to_numpy(bool) & (pre.x.capex_usd > 0)
    if expanding.any():
        # without the expansion its buildings pay no property tax: the one fixed cost it adds
        added = property_tax_a_year(pre.x) * pre.fx
        fixed = np.asarray(terms["fixed_operating"], dtype=float)
        without = fixed - (added if fixed.ndim == 1 else added[:, None])
        # the expansion's certificate (kopru.incentives): the plant without the expansion has none
        certified = pre.terms.expansion > 0 if len(pre.terms.expansion) else None
        added_flows = expansion_flows(**terms, fixed_without=without, certified=certified)
        own = np.where(expanding[:, None], added_flows.free, free)
    else:
        own = free
    wacc = pre.profile.wacc
    values = npv(wacc, free)
    # every site's IRR and that of its move from the baseline, each batch on one grid of NPVs
    shown = np.flatnonzero(feasible)  # an infeasible site's flows are not finite
    rates = dict(zip(shown, irrs(own[shown]), strict=True))
    moves = dict(zip(shown, irrs(free[shown] - free[baseline]), strict=True)) if baseline is not None else {}
    out: list[AppraisalOut | None] = []
    for i in range(len(pre.sites)):
        if not feasible[i]:
            out.append(None)
            continue
        notes = _notes(pre, i)
        margin = _margin(flows, i)
        if margin is not None:
            notes.append(
                f"at full output, revenue less operating costs is {margin:.0%} of revenue (before capital,"
                " depreciation and profit tax): kopru counts no selling, marketing, design or head-office"
                " costs, so the NPV and IRR are before them (an upper bound); the move's NPV against the"
                " baseline is not, where those costs are the same in both places"
            )
        rate = rates[i]
        if rate is None and pre.sites["existing"].iloc[i] and not expanding[i]:
            notes.append("no IRR or payback: an existing plant with the capacity invests nothing")
        elif rate is None:
            notes.append("no IRR: the cash flows never change sign (no investment, or no return)")
        elif (n := sign_changes(own[i])) > 1:
            notes.append(_several_irrs("the cash flows", n))
        vs = None
        if baseline is not None and baseline != i:
            diff = free[i] - free[baseline]
            if moves[i] is not None and (n := sign_changes(diff)) > 1:
                notes.append(_several_irrs("the move's cash flows", n))
            vs = Comparison(
                baseline=str(pre.sites["id"].iloc[baseline]),
                npv=finite(float(values[i] - values[baseline])),
                irr=finite(moves[i]),
                payback_years=finite(payback_years(diff)),
                outlay=bool((np.cumsum(diff) < 0).any()),
            )
        out.append(
            AppraisalOut(
                wacc=wacc,
                npv=finite(float(values[i])),
                irr=finite(rate),
                payback_years=finite(payback_years(own[i])),
                outlay=bool((np.cumsum(free[i]) < 0).any()),
                cash_flows=_flows_out(flows, i),
                vs_baseline=vs,
                notes=notes,
                margin=margin,
            )
        )
    return out


def _margin(flows: CashFlows, i: int) -> float | None:
    """Revenue less operating cost over revenue in the last year (full output), or None."""
    revenue = float(flows.revenue[i, -1])
    if revenue <= 0 or not np.isfinite(revenue):
        return None
    return finite(round((revenue - float(flows.operating[i, -1])) / revenue, 6))


def _several_irrs(what: str, changes: int) -> str:
    """A note for flows that change sign more than once: their IRR is not one number."""
    return (
        f"{what} change sign {changes} times, so they may have up to {changes} IRRs: the lowest is shown;"
        " judge them by the NPV"
    )


def _flows_out(flows: CashFlows, i: int) -> CashFlowsOut:
    def row(a: np.ndarray) -> list[float]:
        return [round(float(v), 2) for v in a[i]]

    return CashFlowsOut(
        year=list(range(flows.revenue.shape[1])),
        revenue=row(flows.revenue),
        operating=row(flows.operating),
        tax=row(flows.tax),
        capex=row(flows.capex),
        working_capital=row(flows.working_capital),
        terminal=row(flows.terminal),
        free=row(flows.free),
    )


def _notes(pre: PlanInputs, i: int) -> list[str]:
    opts = pre.profile.appraisal
    notes = []
    if pre.sites["existing"].iloc[i] and pre.x.capex_usd[i] > 0:
        made = float(min(pre.sites["capacity"].iloc[i], pre.demand.sum()))
        notes.append(
            f"existing plant: its {made:,.0f} units a year of capacity produce from year 1; the"
            f" expansion is built over {opts.construction_months:g} months (year 0) and ramps up over"
            f" {opts.ramp_up_months:g} months, like a new plant"
        )
        notes.append(
            "IRR and payback are the expansion's own (its capex against the margin of the units it"
            " adds); the NPV is the whole plant's"
        )
    elif pre.sites["existing"].iloc[i]:
        notes.append("existing plant: no capex, producing at full output from year 1")
    else:
        notes.append(
            f"capex over {opts.construction_months:g} months of construction (year 0), output ramping"
            f" up over {opts.ramp_up_months:g} months"
        )
    notes.append(
        "corporate income tax on revenue less operating cost and straight-line depreciation over the"
        " plant's life (an assumption: tax depreciation schedules differ by asset)"
    )
    if opts.terminal_growth is None:
        notes.append("no terminal value: the plant is worth nothing after its life")
    return notes


def baseline_index(sites: Any, totals: np.ndarray) -> int | None:
    """The cheapest Turkish site that can serve every market (ties by id), as the plan ranks them."""
    turkish = np.flatnonzero((sites["country"].to_numpy() == "TR") & np.isfinite(totals))
    if len(turkish) == 0:
        return None
    ids = sites["id"].to_numpy()[turkish]
    return int(turkish[np.lexsort((ids, totals[turkish]))[0]])
