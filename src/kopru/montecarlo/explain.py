"""What a risk run's numbers mean, in the sentences ``kopru risk``, its JSON and the report share.

Four things a reader needs besides the table: why the mean differs from the plan's cost (the
inputs' one-year-ahead means, and their spreads), that the annual cost is of the units sold in each
draw (demand drawn per market, capacity not enforced), what P(best) is conditional on (incentives
granted as the plan counts them; capex, fixed costs and prices not drawn), and how large the Monte
Carlo error is.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kopru.montecarlo.reconcile import Reconciliation
    from kopru.montecarlo.statistics import RiskResult, SiteRisk

# held as the plan has them: material prices move every site of a country alike (one supplier's
# price), and each site keeps the source the plan chose for an input with alternatives
NOT_DRAWN = (
    "incentive eligibility",
    "capex",
    "fixed costs",
    "material prices (and where each input is bought)",
    "selling prices",
)
SHIFTS_NAMED = 3  # inputs named in the reconciliation; the rest are summed


def _signed(value: float) -> str:
    return f"{value:+,.0f}"


def _share(p: float) -> str:
    """A share in words: whole percent, but a few tenths of a percent not rounded to 0 %."""
    return f"{p:.0%}" if p >= 0.01 else f"{p:.2%}"


def _pick(result: RiskResult) -> SiteRisk | None:
    return result.site(result.recommended) or (result.sites[0] if result.sites else None)


def reconciliation_text(result: RiskResult) -> str | None:
    """The pick's plan cost against its Monte Carlo mean, and what makes up the difference."""
    r = result.reconciliation
    if r is None:
        return None
    error = f", ± {r.mean_se:,.0f} Monte Carlo" if r.mean_se is not None else ""
    share = f", {r.difference / r.base:+.1%}" if r.base else ""
    return (
        f"{r.name}: the plan's cost {r.base:,.0f}, the Monte Carlo mean {r.mean:,.0f}"
        f" ({_signed(r.difference)}{share}{error}): {_signed(r.central)} from the inputs' means"
        f" {_horizon(result)}({_named_shifts(result, r)}), {_signed(r.spread)} from their spreads"
        " (the cost is not linear in them: FX divides local prices, units sold multiply the cost per"
        " unit, each draw takes its cheaper route)."
    )


def _horizon(result: RiskResult) -> str:
    horizon = result.uncertainty.horizon
    return f"{horizon} " if horizon else ""


def _named_shifts(result: RiskResult, r: Reconciliation) -> str:
    variables = result.uncertainty.variables
    named = [(k, v) for k, v in r.shifts.items() if round(v)][:SHIFTS_NAMED]
    parts = [f"{variables[k].label}: {_signed(v)}" for k, v in named]
    rest = r.central - sum(v for _, v in named)
    if round(rest):
        parts.append(f"the others and their interplay: {_signed(rest)}")
    return "; ".join(parts) or "none moves it"


def volume_text(result: RiskResult) -> str | None:
    """That the annual cost is of the units sold in each draw, and that capacity is not enforced."""
    units, pick = result.units, _pick(result)
    if units is None or pick is None:
        return None
    demand = result.uncertainty.variables.get("demand")
    how = (
        f"each market's demand drawn independently, {demand.spread}"
        if demand is not None and demand.dist != "fixed"
        else "demand is not drawn"
    )
    text = (
        f"The annual cost is of the units sold in each draw: {units.base:,.0f} in the plan, mean"
        f" {units.mean:,.0f}, p5 to p95 {units.p5:,.0f} to {units.p95:,.0f} ({how})."
    )
    if pick.capacity is None or pick.p_over_capacity is None:
        return text
    if pick.p_over_capacity == 0:
        return f"{text} Plant capacity is not enforced, but no draw sells more than {pick.capacity:,.0f}."
    return text + (
        f" Plant capacity is not enforced: {pick.name} can make {pick.capacity:,.0f} a year, and the"
        f" {_share(pick.p_over_capacity)} of draws that sell more are costed as if made."
    )


def per_unit_text(result: RiskResult) -> str | None:
    """The pick's cost per unit sold: the cost risk without the volume."""
    pick = _pick(result)
    unit = pick.per_unit if pick is not None else None
    if pick is None or unit is None:
        return None
    return (
        f"Per unit sold, {pick.name} costs {unit.base:,.3f} in the plan and {unit.mean:,.3f} on average"
        f" (p95 {unit.p95:,.3f}, CVaR95 {unit.cvar95:,.3f}; fixed costs spread over the units sold);"
        " P(best) is the same per unit sold, since every site sells the same units in a draw."
    )


def conditions(result: RiskResult) -> dict[str, Any]:
    """What P(best) and every statistic take as given, the pick's unconfirmed incentives and the
    run's answer should none of the unconfirmed SEZ incentives hold."""
    pick = result.site(result.recommended)
    unconfirmed = [s for s in result.sites if s.incentives_unconfirmed]
    return {
        "not_drawn": list(NOT_DRAWN),
        "incentives": "granted as the plan counts them, SEZ incentives whose sector match is unconfirmed too",
        "unconfirmed_incentives": [s.name for s in unconfirmed],
        "recommended_incentives_unconfirmed": bool(pick and pick.incentives_unconfirmed),
        "recommended_without_incentives": _without(result, pick),
        "if_unconfirmed_incentives_fail": _if_unconfirmed_fail(result) if unconfirmed else None,
        "text": conditions_text(result),
    }


def _without(result: RiskResult, site: SiteRisk | None) -> dict[str, Any] | None:
    """The site an SEZ costs as without its incentives (its region's), with its plan rank."""
    twin = result.site(result.without_incentives.get(site.id)) if site is not None else None
    if twin is None or twin.base is None:
        return None
    ranked = sorted((s for s in result.sites if s.base is not None), key=lambda s: (s.base, s.id))
    rank = 1 + [s.id for s in ranked].index(twin.id)
    return {"id": twin.id, "name": twin.name, "base": twin.base, "mean": twin.mean, "plan_rank": rank}


def _if_unconfirmed_fail(result: RiskResult) -> dict[str, Any] | None:
    confirmed = [s for s in result.sites if s.p_best_confirmed is not None]
    if not confirmed:
        return None
    best = max(confirmed, key=lambda s: (s.p_best_confirmed, -s.mean))
    p = best.p_best_confirmed or 0.0
    return {
        "id": best.id,
        "name": best.name,
        "p_best": p,
        "p_best_se": math.sqrt(p * (1 - p) / result.samples),
    }


def conditions_text(result: RiskResult) -> str:
    pick = result.site(result.recommended)
    text = (
        "P(best) and every statistic here assume the incentives are granted as the plan counts them, and"
        f" take {', '.join(NOT_DRAWN[1:-1])} and {NOT_DRAWN[-1]} as planned: none is drawn."
    )
    if pick is not None and pick.incentives_unconfirmed:
        text += f" {pick.name}'s SEZ incentives rest on a sector match the zone has not confirmed"
        twin = _without(result, pick)
        if twin is not None:
            text += (
                f": without them it costs what {twin['name']} does, {twin['base']:,.0f} in the plan"
                f" (rank {twin['plan_rank']}), {twin['mean']:,.0f} on average here"
            )
        text += "."
    unconfirmed = sum(s.incentives_unconfirmed for s in result.sites)
    fail = _if_unconfirmed_fail(result) if unconfirmed else None
    if fail is not None:
        zones = "zone" if unconfirmed == 1 else f"{unconfirmed} zones"
        text += (
            f" If none of the unconfirmed SEZ incentives holds ({zones}), the cheapest site is"
            f" {fail['name']} in {fail['p_best']:.1%} of draws."
        )
    return text


def error_text(result: RiskResult) -> str | None:
    """The Monte Carlo standard errors of the pick's mean and of its P(best)."""
    pick = _pick(result)
    if pick is None or pick.p_best_se is None:
        return None
    mean = f"{pick.name}'s mean ± {pick.mean_se:,.0f}, " if pick.mean_se is not None else ""
    p = pick.p_best
    n = result.samples
    draws = f"{n:,} draw{'s' if n != 1 else ''}"
    # no draw disagreed (or none agreed): the binomial error is 0, so the rule of three bounds the
    # rest, a bound that says something only below 100 % and that shrinks as 1/n, not 1/sqrt(n)
    bound = f"fewer than {3 / n:.2%} of draws at 95 % (the rule of three)"
    if p in (0.0, 1.0) and 3 / n >= 1.0:
        few = f"{draws} {'is' if n == 1 else 'are'} too few to bound how often"
        share = f"{few} {'it' if p == 0.0 else 'another site'} would be cheapest"
        return f"Monte Carlo standard errors ({draws}): {mean}{share}; draw 1,000 or more."
    if p == 1.0:
        share = f"it is the cheapest in every draw: another site is cheaper in {bound}"
    elif p == 0.0:
        share = f"it is the cheapest in no draw: it is in {bound}"
    else:
        share = f"its P(best) ± {pick.p_best_se * 100:.2f} points"
    scaling = "four times the draws halve them"
    if p in (0.0, 1.0):
        scaling = (
            "four times the draws halve the mean's and quarter the rule of three's"
            if mean
            else ("four times the draws quarter the rule of three's bound")
        )
    return f"Monte Carlo standard errors ({draws}): {mean}{share}; {scaling}."


def notes(result: RiskResult) -> list[str]:
    """Every sentence above, in the order the command prints them (those that apply)."""
    texts = (
        reconciliation_text(result),
        volume_text(result),
        per_unit_text(result),
        conditions_text(result),
        error_text(result),
    )
    return [t for t in texts if t]
