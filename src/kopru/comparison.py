"""Two or three sites side by side: what a plan knows of each, row by row, with units and sources.

A :class:`SiteComparison` is a list of rows grouped in sections (cost, markets, incentives,
appraisal, inputs, risk); each row has one value per site, a unit, and where it comes from.
Sites are named as a person names them: by id, by name, or by a part of a name that fits one site
only (``"Turan"``); anything else is an :class:`~kopru.errors.OptionError` that lists the close
matches.

A row whose unit is ``%`` holds percent (51.0 for 51 %), as plan.json's ``rate_pct`` does. An import
duty that is not a share of the value (the EAEU's EUR per kg) is given in its own unit, per site.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from kopru.display import COUNTRY_NAMES, FIXED_SUBJECTS, KIND_NAMES, fold
from kopru.errors import OptionError
from kopru.planner import Plan, SitePlan

if TYPE_CHECKING:
    from kopru.montecarlo import RiskResult

MIN_SITES, MAX_SITES = 2, 3


class _Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


_Site = TypeVar("_Site", bound=_Named)
KEY_INPUTS = (
    "wage",
    "labour_hours_factor",  # hours a unit, relative to the profile's (a Turkish plant's)
    "electricity_price_industrial",
    "gas_price_industrial",
    "land_lease",
    "land_price",
    "corporate_income_tax",
)


@dataclass(frozen=True)
class Row:
    section: str
    label: str
    unit: str
    values: list[Any]  # one per site, None where it does not apply
    notes: list[str] = field(default_factory=list)  # one per site: source and year, or why
    units: list[str] | None = None  # one per site when they differ (a wage in KZT and one in TRY)

    def as_dict(self) -> dict[str, Any]:
        out = {
            "section": self.section,
            "label": self.label,
            "unit": self.unit,
            "values": self.values,
            "notes": self.notes,
        }
        if self.units is not None:
            out["units"] = self.units
        return out


@dataclass(frozen=True)
class SiteComparison:
    company: str
    product: str
    currency: str
    sites: list[dict[str, str]]  # id, name, country, kind
    rows: list[Row]
    notes: list[str] = field(default_factory=list)  # what the table could not show, and why

    def as_dict(self) -> dict[str, Any]:
        """``kopru compare --json``: the sites and every row."""
        return {
            "company": self.company,
            "product": self.product,
            "currency": self.currency,
            "sites": self.sites,
            "rows": [r.as_dict() for r in self.rows],
            "notes": self.notes,
        }


def resolve_sites(plan: Plan, queries: list[str]) -> list[SitePlan]:
    """The sites a person named: by id, by whole name, or by a part of one name (any case)."""
    if not MIN_SITES <= len(queries) <= MAX_SITES:
        raise OptionError(f"compare takes 2 or 3 sites, got {len(queries)}", field="sites")
    found = [find_site(plan.sites, q) for q in queries]
    ids = [s.id for s in found]
    if len(set(ids)) < len(ids):
        twice = next(s for s in found if ids.count(s.id) > 1)
        raise OptionError(f"{twice.name} is named twice; give 2 or 3 different sites", field="sites")
    return found


def find_site(sites: Sequence[_Site], query: str, field: str = "sites") -> _Site:
    """The one site of ``sites`` (anything with an ``id`` and a ``name``) a person named: by id, by
    whole name, or by a part of one name (any case, with or without accents and Turkish letters:
    'DENİZLİ', 'DENIZLI' and 'Denizli' alike); kopru optimize's --force-open names them so too."""
    q = fold(query)
    by_id = [s for s in sites if fold(s.id) == q]
    by_name = [s for s in sites if fold(s.name) == q]
    part = [s for s in sites if q and q in fold(s.name)]
    for hits in (by_id, by_name, part):
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = "; ".join(s.name for s in hits[:6]) + ("; …" if len(hits) > 6 else "")
            raise OptionError(f"'{query}' fits {len(hits)} sites ({names}); name one of them", field=field)
    close = close_names(query, [s.name for s in sites])
    hint = f"; did you mean {' or '.join(close)}?" if close else "; kopru plan lists the candidates"
    raise OptionError(f"no site is called '{query}'{hint}", field=field)


def close_names(query: str, names: Sequence[str], n: int = 3, cutoff: float = 0.65) -> list[str]:
    """The names nearest a misspelt one, best first: a whole name, or one word of it, since people
    type 'Trun' for SEZ Turan (formerly Turkistan), which is far from the whole name."""
    q = query.strip().casefold()

    def score(name: str) -> float:
        parts = [name.casefold(), *(w for w in re.split(r"[\s\-(),/]+", name.casefold()) if w)]
        return max(difflib.SequenceMatcher(None, q, p).ratio() for p in parts)

    scored = sorted(((score(name), name) for name in dict.fromkeys(names)), key=lambda x: -x[0])
    return [name for s, name in scored if s >= cutoff][:n]


def compare_sites(
    plan: Plan, sites: list[SitePlan], risk: RiskResult | None = None, missing: list[str] | None = None
) -> SiteComparison:
    cur = plan.currency
    base = plan.recommendation.baseline_total
    markets = {m["id"]: m["name"] for m in plan.markets}
    publishers = {s["id"]: s.get("publisher") or s.get("title") or s["id"] for s in plan.sources}
    # whose figure an input is, by name: a region's (its site), the SEZ regime's or a country's
    whose = {s.id: s.name for s in plan.sites} | FIXED_SUBJECTS
    # each currency's rate year: the money its inputs are costed in
    rate_years = {r.subject: r.year for r in plan.exchange_rates}
    # 1 EUR a kg in the plan's currency a unit: to tell whether a duty's specific minimum binds
    fx = {r.subject: r.value for r in plan.exchange_rates} | {"USD": 1.0}
    weight = plan.profile.get("unit_weight")
    min_per_kg = weight * fx[cur] / fx["EUR"] if weight and cur in fx and "EUR" in fx else None
    rows: list[Row] = []

    def add(section: str, label: str, unit: str, values: list[Any], notes: list[str] | None = None) -> None:
        rows.append(Row(section, label, unit, values, notes or [""] * len(values)))

    add("Site", "Rank among all sites", "", [s.rank for s in sites])
    add("Site", "Country", "", [s.country for s in sites])
    add("Site", "Kind", "", [KIND_NAMES.get(s.kind, s.kind.replace("_", " ")) for s in sites])
    add("Cost", "Annual landed cost", f"{cur}/yr", [s.landed_cost.total for s in sites])
    add("Cost", "Cost per unit delivered", cur, [s.landed_cost.per_unit for s in sites])
    add(
        "Cost",
        "Against the best Turkish option",
        "%",
        [
            None if not base or s.landed_cost.total is None else (s.landed_cost.total - base) / base * 100
            for s in sites
        ],
    )
    units = [s.landed_cost.units or 1.0 for s in sites]
    for c in plan.components:
        values = [
            None if s.landed_cost.components.get(c) is None else s.landed_cost.components[c] / u
            for s, u in zip(sites, units, strict=True)
        ]
        add("Cost", c.capitalize(), f"{cur}/unit", values)
    # an input with other sources: where each site buys it and what it lands for there
    for material in dict.fromkeys(b.material for s in sites for b in s.sources):
        bought = [next((b for b in s.sources if b.material == material), None) for s in sites]
        add(
            "Cost",
            f"{material}: landed",
            f"{cur}/unit",
            [b.landed if b else None for b in bought],
            [("" if not b else "locally" if b.origin == "local" else f"from {b.name}") for b in bought],
        )
    for mid, name in markets.items():
        per_unit = [s.by_market[mid].per_unit if mid in s.by_market else None for s in sites]
        add("Markets", f"{name}: cost per unit", cur, per_unit)
        days = [s.by_market[mid].transit_days if mid in s.by_market else None for s in sites]
        routes = [_route_text(plan, s, mid) for s in sites]
        add("Markets", f"{name}: transit", "days", days, routes)
        paid = [s.by_market[mid].components.get("duties") if mid in s.by_market else None for s in sites]
        charged = [
            _duty_charged(s.by_market[mid].duty, p, min_per_kg) if mid in s.by_market else (None, "", "")
            for s, p in zip(sites, paid, strict=True)
        ]
        duty_units = [u for _, u, _ in charged]
        ad_valorem = set(duty_units) <= {"%", ""}  # one column unit; else each site's own
        rows.append(
            Row(
                "Markets",
                f"{name}: import duty",
                "%" if ad_valorem else "",
                [v for v, _, _ in charged],
                [n for _, _, n in charged],
                None if ad_valorem else duty_units,
            )
        )
        add("Markets", f"{name}: import duty paid", f"{cur}/unit", paid)
    add(
        "Incentives",
        "Valued in the landed cost",
        f"{cur}/yr",
        [sum(i.annual_value or 0.0 for i in s.incentives if i.status == "applied") for s in sites],
        ["; ".join(i.name for i in s.incentives if i.status == "applied") for s in sites],
    )
    add(
        "Incentives",
        "Listed, not valued",
        "schemes",
        [sum(1 for i in s.incentives if i.status != "applied") for s in sites],
    )
    add(
        "Appraisal",
        "NPV over the plant's life",
        cur,
        [s.appraisal.npv if s.appraisal else None for s in sites],
    )
    add(
        "Appraisal",
        "IRR",
        "%",
        [None if not s.appraisal or s.appraisal.irr is None else s.appraisal.irr * 100 for s in sites],
    )
    paybacks = [s.appraisal.payback_years if s.appraisal else None for s in sites]
    add("Appraisal", "Payback after construction (undiscounted)", "years", paybacks)
    for q in KEY_INPUTS:
        if not any(q in s.inputs for s in sites):
            continue
        params = [s.inputs.get(q) for s in sites]
        units = [p.unit if p is not None else "" for p in params]
        shares = all(u in ("%", "") for u in units)
        values = [None if p is None else p.value for p in params]
        notes = [
            ""
            if p is None
            else f"{_cited(publishers, p.source)}, {p.year}"
            + (" (assumption)" if p.assumption else "")
            + _whose(p.subject, s, whose)
            for p, s in zip(params, sites, strict=True)
        ]
        label = q.replace("_", " ").capitalize()
        if shares:
            add("Inputs", label, "%", values, notes)
            continue
        if all(u in ("1", "") for u in units):  # a factor: one column unit, not "1" after each value
            add(
                "Inputs",
                "Labour hours a unit, × a Turkish plant's" if q == "labour_hours_factor" else label,
                "×",
                values,
                notes,
            )
            continue
        rows.append(Row("Inputs", label, "", values, notes, units))
        costed = [p.costed if p is not None else None for p in params]
        if any(c is not None for c in costed):  # the figures above are of their own currency and year
            unit = next(p.costed_unit for p in params if p is not None and p.costed_unit)
            said = ["" if p is None or p.costed is None else _as_costed(p, rate_years) for p in params]
            rows.append(Row("Inputs", f"{label}, as costed (USD)", unit, costed, said))
    if risk is not None:
        by_id = {r.id: r for r in risk.sites}
        stats = [by_id.get(s.id) for s in sites]
        add(
            "Risk",
            f"Mean annual cost ({risk.samples:,} draws)",
            f"{cur}/yr",
            [r.mean if r else None for r in stats],
        )
        add("Risk", "p95 annual cost", f"{cur}/yr", [r.p95 if r else None for r in stats])
        # twins (the same cost in every draw): one of them takes each tied draw, so the chance is shared
        shared = [
            f"the same cost in every draw as {', '.join(risk.names(r.same_draws_as))}: the chance is theirs"
            " together"
            if r and r.same_draws_as
            else ""
            for r in stats
        ]
        add(
            "Risk",
            f"Chance of being the cheapest of all {len(risk.sites)} sites",
            "%",
            [r.p_best * 100 if r else None for r in stats],
            shared,
        )
        among = _cheapest_among(risk, sites)
        if among is not None:
            rows.append(among)
    return SiteComparison(
        plan.company,
        plan.product,
        cur,
        [{"id": s.id, "name": s.name, "country": s.country, "kind": s.kind} for s in sites],
        rows,
        list(missing or []),
    )


def _cited(publishers: dict[str, str], source: str) -> str:
    """Source ids (``a;b``) as their publishers, which a reader recognises; the ids stay in plan.json."""
    return "; ".join(dict.fromkeys(publishers.get(i, i) for i in source.split(";") if i))


def _cheapest_among(risk: RiskResult, sites: list[SitePlan]) -> Row | None:
    """How often each compared site is the cheapest of the compared sites alone, counted on the draws
    the result keeps (every draw up to DRAWS_KEPT); None when it kept none."""
    drawn = [sid for sid in risk.draws if any(s.id == sid for s in sites)]  # the model's order
    if not drawn or not len(risk.draws[drawn[0]]):
        return None
    costs = np.column_stack([risk.draws[sid] for sid in drawn])
    kept = len(costs)
    # ties go to the first in the model's order, as the engine's own count of the cheapest does
    wins = np.bincount(np.argmin(costs, axis=1), minlength=len(drawn))
    share = {sid: 100.0 * int(w) / kept for sid, w in zip(drawn, wins, strict=True)}
    twins = {r.id: r.same_draws_as for r in risk.sites}
    notes = []
    for s in sites:
        mates = [t for t in twins.get(s.id, ()) if t in share]
        notes.append(
            f"the same cost in every draw as {', '.join(risk.names(mates))}: the chance is theirs together"
            if s.id in share and mates
            else ""
        )
    some = "" if kept == risk.samples else f", in the first {kept:,} of the {risk.samples:,} draws"
    return Row(
        "Risk",
        f"Chance of being the cheapest of these {len(sites)} sites{some}",
        "%",
        [share.get(s.id) for s in sites],
        notes,
    )


def _as_costed(p: Any, rate_years: dict[str, int]) -> str:
    """How an input's figure became the costed one: a local currency's converted at its rate (and
    grown to the rate's year when older); a dollar figure is taken as it is."""
    currency = p.unit.split("/")[0]
    year = rate_years.get(currency)
    if currency == "USD" or year is None:
        return f"{p.value:,.6g} {p.unit} of {p.year}, as given (not converted, not grown)"
    if p.year >= year:
        return f"{p.value:,.6g} {p.unit} converted at the {year} rate"
    return f"{p.value:,.6g} {p.unit} of {p.year}, grown to {year} and converted at its rate"


def _whose(subject: str, site: SitePlan, names: dict[str, str]) -> str:
    if subject in (site.id, site.region):
        return ""
    return f"; {names.get(subject, subject)}'s figure"


def _route_text(plan: Plan, site: SitePlan, market: str) -> str:
    mc = site.by_market.get(market)
    route = plan.routes.get(mc.route or "") if mc else None
    if route is None:
        return "no route"
    modes = " + ".join(dict.fromkeys(route.modes))
    text = f"{modes}, {route.distance_km:,.0f} km"
    crossed = mc.restricted_transit if mc else None
    if crossed:  # as the plan flags it: the countries, and what the way around them costs
        names = ", ".join(COUNTRY_NAMES.get(c, c) for c in crossed.countries)
        text += f"; through {names}, under sanctions or transit restrictions"
        if crossed.extra_cost_per_unit is not None and crossed.extra_days is not None:
            text += (
                f" (around: {crossed.extra_cost_per_unit:+,.3f} {plan.currency}/unit,"
                f" {crossed.extra_days:+.1f} days)"
            )
    return text


def _duty_charged(duty: dict, paid: float | None, min_per_kg: float | None) -> tuple[Any, str, str]:
    """The duty as it is charged: its value, its unit and the rule. A purely specific duty is in EUR
    per kg, not a 0 % rate; with a rate and a specific minimum, the part that binds at the plan's
    price (``min_per_kg``: 1 EUR a kg in the plan's currency a unit), the other said beside it."""
    basis = str(duty.get("basis", ""))
    rate = duty.get("rate_pct")
    minimum = duty.get("min_eur_per_kg") or 0.0
    if not minimum:
        return rate, "%", basis
    if not rate:
        return minimum, "EUR/kg (specific)", basis
    rule = f"{rate:g} % but at least {minimum:g} EUR/kg"
    if paid is None or min_per_kg is None or not np.isfinite(paid):
        return rate, "%", f"{basis}; {rule}"
    if abs(paid - minimum * min_per_kg) <= 1e-9 * paid:  # the duty paid is the minimum's
        return minimum, "EUR/kg (the minimum binds)", f"{basis}; {rule}"
    return rate, "%", f"{basis}; {rule}, which does not bind here"
