"""The plan: landed cost of every candidate site for every target market, ranked and explained.

``build_plan`` wires the pieces: candidate sites and their sourced inputs, corridor lanes for
inbound materials and outbound product, duties from the trade rules, and the array cost engine.
The result is a :class:`Plan`, the one object the CLI prints, the report draws and the web app
serves (``plan.json`` is :meth:`Plan.as_dict`). With optimizer options, the facility-location
optimizer (:mod:`kopru.siting`) also decides which sites to open; its answer is ``Plan.network``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from kopru import datapack
from kopru.borrowing import BorrowedStress
from kopru.borrowing import stress as borrowed_stress
from kopru.corridors import Network, closure_label, restricted_crossed
from kopru.costs import COMPONENTS, annual_totals, landed_cost, property_tax_per_unit, route_choice
from kopru.datapack import DataPack, Param, reads, split_list
from kopru.datapack.freshness import oldest_behind
from kopru.datapack.labels import value_label
from kopru.datapack.loader import BOUNDARIES_SOURCE
from kopru.display import COUNTRY_NAMES, and_list, source_names, subject_names
from kopru.errors import UnknownSite
from kopru.incentives import zone_note
from kopru.inputs import PlanInputs, material_options, prepare
from kopru.language import ENGLISH, Words
from kopru.profile import OptimizeOptions, Profile
from kopru.progress import Steps, quiet_steps
from kopru.provenance import provenance
from kopru.quotes import QuoteCheck, lanes_off_on, stretches_of
from kopru.sites import ASSUMED_INCENTIVES, is_generic_match, unconfirmed_incentives
from kopru.switching import SwitchingValues
from kopru.trade import territory_of
from kopru.valuation import AppraisalOut, IncentiveOut, appraise, baseline_index, incentives_out


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LandedCost(Model):
    """A site's annual cost: its fixed costs plus its variable cost times the units it sells."""

    total: float | None  # per year, plan currency; None where the site cannot serve every market
    per_unit: float | None  # total / units
    components: dict[str, float | None]
    units: float  # units made and sold a year (the markets' demand)
    # units a year the plant can make: annual_volume, or an existing plant's with the expansion
    # the cost includes when demand exceeds it
    capacity: float
    utilisation: float  # units / capacity; above 1 the site could not make it all
    expansion: float = 0.0  # units a year of capacity an existing plant adds (in ``capacity``)
    # the corporate income tax inside ``components['taxes']`` (the rest is property tax): a reader
    # compares sites before profit tax too, where a tax holiday does not count
    profit_tax: float | None = None


class MarketCost(Model):
    per_unit: float | None
    components: dict[str, float | None]
    demand: float
    annual: float | None
    duty: dict[str, Any]
    route: str | None  # the alternative used: freight plus in-transit carrying cost is lower
    cheapest_route: str | None
    fastest_route: str | None
    transit_days: float | None
    co2_kg_per_unit: float | None
    restricted_transit: RestrictedTransit | None = None  # the route crosses a sanctioned country


class RestrictedTransit(Model):
    """The route used passes through a country under sanctions or transit restrictions."""

    countries: list[str]
    legal_basis: str
    # the countries the detour passes through none of: those avoided and every other under
    # restrictions, but the market's own (empty in runs stored before it was said)
    detour_avoids: list[str] = Field(default_factory=list)
    detour_cost_usd_per_teu: float | None  # the cheapest route through none of detour_avoids
    detour_days: float | None
    extra_cost_per_unit: float | None  # plan currency per unit, detour less the route used
    extra_days: float | None


class OpenSite(Model):
    site: str
    name: str
    country: str
    capacity: float
    level: int
    units: float
    utilisation: float
    fixed_cost: float


class ClosedSite(Model):
    """An existing plant the network plan does not keep open."""

    site: str
    name: str
    fixed_cost: float  # what closing it saves a year (fixed costs and land); closure costs not modelled


class Flow(Model):
    site: str
    market: str
    units: float
    share: float
    cost: float


class Sensitivity(Model):
    site: str
    action: str  # "force open" or "close"
    status: str
    objective: float | None
    delta: float | None
    note: str


class MarketMargin(Model):
    """What one more (or one fewer) unit sold in a market does to the plan's annual cost, its open
    sites and their sizes held fixed (kopru.facility.marginal), and over which demand it holds."""

    market: str
    name: str
    demand: float
    cost: float | None  # one more unit adds (plan currency); None: no open site has room for it
    cost_holds_to: float | None  # demand up to which `cost` holds; None: without limit, or no room
    saving: float | None  # one unit fewer saves
    saving_holds_to: float | None  # demand down to which `saving` holds
    price: float | None = None  # the profile's delivered price per unit, where given
    margin: float | None = None  # price less `cost`: what one more unit sold there earns
    reachable: bool = True  # some open site can ship there


class CapacityMargin(Model):
    """What one more (or one less) unit of capacity at an open site would save (or cost) a year."""

    site: str
    name: str
    capacity: float
    spare: float  # units of capacity the plan leaves unused
    value: float | None  # one more unit of capacity saves (0 with room to spare)
    value_holds_to: float | None  # capacity up to which `value` holds; None: without limit
    loss: float | None  # one unit less costs; None: the markets could no longer all be served
    loss_holds_to: float | None  # capacity down to which `loss` holds
    # the site's next larger capacity level, if the profile has one: the units it adds and what each
    # costs a year in capital, fixed costs and land (the difference of the two levels' fixed costs)
    next_capacity: float | None = None
    next_cost_per_unit: float | None = None
    # what a unit made here and sold earns over its cost beyond the fixed parts, at the profile's
    # prices: the lowest and highest over the markets with a price
    earns_low: float | None = None
    earns_high: float | None = None


class ShareMargin(Model):
    """What one point (1 %) more of the minimum share made in Kazakhstan costs a year."""

    share: float  # the minimum share asked
    cost_per_point: float | None  # one point more costs; None: the open sites cannot make more
    cost_holds_to: float | None  # share up to which it holds
    saving_per_point: float | None  # one point less saves
    saving_holds_to: float | None


class Marginals(Model):
    """Marginal values of the network plan (the transportation LP's duals and their ranges; under
    single sourcing, steps of one unit re-solved)."""

    held_fixed: str = "the open sites and their capacity levels, as the plan chose them"
    # duals: the transportation LP's duals and HiGHS's ranging; steps: under single sourcing, the
    # assignment MIP re-solved with one unit more or less (no range)
    method: Literal["duals", "steps"] = "duals"
    share_cost: float | None = None  # steps: what the minimum share costs a year against none
    above_cheapest: float | None = None  # steps: the plan's assignment's cost above the cheapest
    markets: list[MarketMargin] = []
    capacity: list[CapacityMargin] = []
    share: ShareMargin | None = None
    note: str = ""  # why none were computed, where so
    text: str = ""  # the values in sentences (kopru.siting.describe_marginals)


class NetworkPlan(Model):
    """The optimizer's answer, as plan.json carries it."""

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    build_seconds: float
    formulation: str
    currency: str
    open: list[OpenSite]
    flows: list[Flow]
    closed: list[ClosedSite] = []  # existing plants left closed: the plan moves their output
    best_single_site: str | None
    best_single_site_cost: float | None
    saving_vs_single_site: float | None
    sensitivity: list[Sensitivity]
    options: dict[str, Any]
    message: str
    marginals: Marginals | None = None


class ParamRef(Model):
    quantity: str
    value: float
    unit: str
    year: int
    source: str
    subject: str
    assumption: bool
    overridden: bool
    note: str
    # the value as the cost engine uses it: in USD at the exchange rate's year, a wage or tariff of
    # an earlier year grown to it (a review: compare put a 2025 KZT wage beside a 2023 TRY one)
    costed: float | None = None
    costed_unit: str | None = None


class MaterialSource(Model):
    """Where a site buys a material that has other sources, and what each lands it for there."""

    material: str
    origin: str  # corridor node id, or 'local' (at the site)
    name: str  # the origin as people read it
    landed: float | None  # plan currency per unit of product: price, inbound freight, duty due
    landed_by_source: dict[str, float | None]  # every source by name; None: no route brings it in


class SitePlan(Model):
    id: str
    name: str
    kind: str
    country: str
    region: str
    lat: float
    lon: float
    node: str
    existing: bool
    feasible: bool
    rank: int | None
    landed_cost: LandedCost
    by_market: dict[str, MarketCost]
    inputs: dict[str, ParamRef]
    incentives: list[IncentiveOut]  # applied (valued in the landed cost) and listed schemes
    appraisal: AppraisalOut | None  # NPV, IRR, payback over the plant's life; None without a route
    notes: list[str]
    # the materials with alternatives (the profile's alternatives): where this site buys each
    sources: list[MaterialSource] = []


class RouteSummary(Model):
    origin: str
    destination: str
    criterion: str
    cost_usd_per_teu: float
    days: float
    distance_km: float
    co2_kg_per_t: float
    modes: list[str]
    legs: list[dict[str, Any]]


class Recommendation(Model):
    site: str | None
    name: str | None
    total: float | None
    per_unit: float | None
    baseline_site: str | None
    baseline_total: float | None
    saving: float | None
    saving_pct: float | None
    best_by_market: dict[str, str]  # market -> cheapest source at the margin (beyond fixed costs)
    text: str  # the headline and every point, as one paragraph
    # the saving with neither site's profit tax: what a tax holiday is not behind
    saving_pct_before_profit_tax: float | None = None
    headline: str = ""  # the decision in one sentence (qualified when the borrowed values overturn it)
    points: list[str] = []  # what the headline rests on: split markets, unconfirmed incentives, routes

    def add_point(self, point: str) -> None:
        """One more thing the headline rests on, said after the others."""
        self.points.append(point)
        self.text = " ".join([self.headline, *self.points])

    def qualify(self, clause: str) -> None:
        """Put ``clause`` into the headline: the decision must not read firmer than the data."""
        head = self.headline.removesuffix(".")
        self.headline = f"{head}; {clause}."
        self.text = " ".join([self.headline, *self.points])


class Plan(Model):
    """Everything kopru found for one profile; plan.json is this object."""

    kopru_version: str
    data_pack_version: str
    created: str
    code_digest: str = ""  # the package's source files (kopru.provenance): two edits of one version differ
    company: str
    product: str
    hs: str
    currency: str
    volume: float
    components: list[str]
    markets: list[dict[str, Any]]
    sites: list[SitePlan]
    ranking: list[str]
    recommendation: Recommendation
    routes: dict[str, RouteSummary]
    disruptions: list[str]
    avoid: list[str]  # countries no route passes through
    sources: list[dict[str, str]]
    overrides: list[dict[str, Any]]
    assumptions: list[str]
    profile: dict[str, Any]
    network: NetworkPlan | None = None  # the optimizer's plan, when it was run
    # the disruptions as a reader names them ('every ship across the Caspian Sea'), in their order
    closed_parts: list[str] = []
    # the oldest value the recommended site's cost rests on: {table, key, what, year, source}
    oldest_input: dict[str, Any] | None = None
    # the same for the Turkish baseline: the saving rests on its cost too (its routes may be older)
    oldest_baseline_input: dict[str, Any] | None = None
    # units of each currency per USD that turned the inputs into the plan's money (not USD itself)
    exchange_rates: list[ParamRef] = []
    # whether the recommendation survives the borrowed values at their unfavourable end
    borrowed_stress: BorrowedStress | None = None
    # how far each uncertain input must move alone to change the answer, and the tornado of the saving
    switching: SwitchingValues | None = None

    @property
    def units_sold(self) -> float:
        """What the markets buy a year: every per-unit figure divides by it."""
        return float(sum(m["demand"] for m in self.markets))

    def site(self, site_id: str) -> SitePlan:
        """One site of the plan by its id (``sez_turan``); :class:`~kopru.errors.UnknownSite` else."""
        for s in self.sites:
            if s.id == site_id:
                return s
        first = ", ".join(self.ranking[:5])
        raise UnknownSite(
            f"no site {site_id!r} in this plan; its sites are ids such as {first} (plan.ranking lists them)",
            field="site_id",
        )

    def as_dict(self) -> dict[str, Any]:
        """plan.json as a mapping (``kopru plan --json`` prints it)."""
        return self.model_dump(mode="json")

    def to_frame(self) -> pd.DataFrame:
        """One row per site in the plan's order (cheapest first, sites that cannot serve every
        market last), indexed by id: name, country, region, kind, rank, the annual total and per
        unit sold, each cost component, the profit tax inside ``taxes``, units and utilisation;
        NaN where a site has no cost."""
        rows = []
        for s in self._in_order():
            cost = s.landed_cost
            rows.append(
                {
                    "id": s.id,
                    **{k: getattr(s, k) for k in ("name", "country", "region", "kind", "rank", "feasible")},
                    "total": cost.total,
                    "per_unit": cost.per_unit,
                    **{k: cost.components.get(k) for k in self.components},
                    "profit_tax": cost.profit_tax,
                    "units": cost.units,
                    "utilisation": cost.utilisation,
                }
            )
        frame = pd.DataFrame(rows).set_index("id")
        numeric = ["total", "per_unit", *self.components, "profit_tax"]
        frame[numeric] = frame[numeric].astype(float)
        frame["rank"] = frame["rank"].astype("Int64")  # a site without a cost has no rank
        return frame

    def _in_order(self) -> list[SitePlan]:
        order = {sid: i for i, sid in enumerate(self.ranking)}
        return sorted(self.sites, key=lambda s: (order.get(s.id, len(order)), s.id))

    def markets_frame(self) -> pd.DataFrame:
        """One row per site and market (long), indexed by (site, market): cost per unit delivered
        and a year, demand, the duty's regime and rate, the route used, days in transit and CO2."""
        names = {m["id"]: m["name"] for m in self.markets}
        rows = []
        for s in self._in_order():
            for market, m in s.by_market.items():
                rows.append(
                    {
                        "site": s.id,
                        "market": market,
                        "site_name": s.name,
                        "market_name": names.get(market, market),
                        "per_unit": m.per_unit,
                        "annual": m.annual,
                        "demand": m.demand,
                        "duty_regime": m.duty.get("regime"),
                        "duty_pct": m.duty.get("rate_pct"),
                        "route": m.route,
                        "transit_days": m.transit_days,
                        "co2_kg_per_unit": m.co2_kg_per_unit,
                    }
                )
        frame = pd.DataFrame(rows).set_index(["site", "market"])
        numeric = ["per_unit", "annual", "duty_pct", "transit_days", "co2_kg_per_unit"]
        frame[numeric] = frame[numeric].astype(float)
        return frame


def make_plan(
    profile: Profile,
    overrides: Any = None,
    disruptions: tuple[str, ...] | list[str] = (),
    progress: Steps | None = None,
    network: OptimizeOptions | None = None,
    avoid: tuple[str, ...] | list[str] = (),
) -> Plan:
    """The plan of a validated profile with the data pack (and ``overrides``) as it stands."""
    pack = datapack.load(overrides)
    return build_plan(profile, pack, tuple(disruptions), progress, network, tuple(avoid))


def build_plan(
    profile: Profile,
    pack: DataPack,
    disruptions: tuple[str, ...] = (),
    progress: Steps | None = None,
    network: OptimizeOptions | None = None,
    avoid: tuple[str, ...] = (),
) -> Plan:
    """Compute the plan for ``profile`` with data pack ``pack`` (overrides already applied).

    With ``network`` (optimizer options), the facility-location optimizer also decides which
    sites to open and who serves whom; its answer is ``Plan.network``. ``avoid`` names countries
    no route may pass through.
    """
    say = progress or quiet_steps
    if pack.overrides:  # which of them the plan reads: one nobody reads is a what-if that did nothing
        with reads.recording() as seen:
            pre = prepare(profile, pack, disruptions, say, avoid)
            plan = plan_of(pre, say)
        _say_overrides(plan, seen)
    else:
        pre = prepare(profile, pack, disruptions, say, avoid)
        plan = plan_of(pre, say)
    _say_lanes(plan, pack)  # after the reads above: quoting lanes is no read of an override
    if network is not None:
        say("optimizing the network")
        # HiGHS (0.1 s to import) loads only for the plans that ask for the optimizer
        from kopru.siting import optimize

        plan.network = n = optimize(pre, network)
        clause = network_clause(n, plan.recommendation, {s.id: s.name for s in plan.sites})
        if clause:
            plan.recommendation.qualify(clause)
        if n.objective is not None:
            sites = ", ".join(o.name for o in n.open)
            plan.recommendation.text += (
                f" Network optimisation ({n.status}): open {sites}, total {n.objective:,.0f}"
                f" {n.currency} a year."
            )
    return plan


def _say_lanes(plan: Plan, pack: DataPack) -> None:
    """Say where the pick's and the baseline's routes run over a lane that published quotes put more
    than 25 % away from kopru (a review: the apparel pick's route to Türkiye sails Novorossiysk-Ambarli
    in 5.4 days, against 9-12 quoted, and no plan said so; ``kopru data lanes`` lists them all)."""
    rec, names = plan.recommendation, {m["id"]: m["name"] for m in plan.markets}
    paths: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}  # (site, market) -> route
    for site_id in dict.fromkeys(s for s in (rec.site, rec.baseline_site) if s):
        for market, mc in plan.site(site_id).by_market.items():
            legs = plan.routes[mc.route].legs if mc.route in plan.routes else []
            if legs:
                nodes = (legs[0]["from"], *(leg["to"] for leg in legs))
                paths[site_id, market] = (nodes, tuple(leg["mode"] for leg in legs))
    off = lanes_off_on(pack, list(paths.values())) if paths else []
    hits: dict[tuple[str, str], list[str]] = {}  # (site, lane id) -> the markets whose route runs over it
    by_id = {c.id: c for c in off}
    for (site_id, market), path in paths.items():
        for c in stretches_of(path, off):
            hits.setdefault((site_id, c.id), []).append(names.get(market, market))
    said = [
        f"{plan.site(s).name} to {and_list(to)}: {_quote_gap(pack, by_id[lane])}"
        for (s, lane), to in hits.items()
    ]
    if said:
        rec.add_point(
            "Published quotes put a stretch of these routes more than 25 % from kopru's figure: "
            + "; ".join(said)
            + " (a time moves only the cost of goods in transit; a price, the freight)."
        )


def _quote_gap(pack: DataPack, c: QuoteCheck) -> str:
    unit = "days" if c.quantity == "days" else "USD/TEU"
    quoted = f"{c.low:,.4g}" if c.low == c.high else f"{c.low:,.4g}-{c.high:,.4g}"
    lane = c.lane.replace(" -> ", " to ")
    return f"{lane}, {c.kopru:,.1f} {unit} in kopru against {quoted} quoted ({source_names(pack, c.source)})"


def _say_overrides(plan: Plan, seen: set[reads.Read]) -> None:
    """Mark each override ``read`` or not, and say the unread ones and those that look like a slip
    (a manufacturer's review: Kazakh wages +30 % as ``KZ.wage_monthly_avg`` left every cost
    unchanged, since every region has its own wage; 0.2 for a 20 % tax read as 0.2 %; nothing
    said so)."""
    unread = []
    for o in plan.overrides:
        quantity = o["key"].partition(".")[2]
        if o.get("matched"):  # a pattern is read when a subject it changed is (not any it could match)
            o["read"] = any(reads.visible(("param", s, quantity), seen) for s in o["matched"])
        else:
            o["read"] = reads.visible(reads.override_read(o["key"]), seen)
        if not o["read"]:
            unread.append(o["key"])
    checks = [f"{o['key']}: {o['check']}" for o in plan.overrides if o.get("check")]
    if checks:
        plan.recommendation.add_point(f"Check the overrides: {' '.join(checks)}")
    if unread:
        plan.recommendation.add_point(
            f"Overridden but read by no site of this plan, so without effect: {', '.join(unread)} (a site"
            " takes its own zone's, region's or province's value before its country's, and a value of the"
            " exchange rates' year is not grown)."
        )


def limits_said(options: dict[str, Any], currency: str, names: dict[str, str], words: Words = ENGLISH) -> str:
    """The optimizer's limits a user set, as a sentence says them ('a capex budget of 4,000,000 USD
    and at most 2 sites'); empty when none is set."""
    said = []
    if options.get("capex_budget") is not None:
        said.append(
            words(
                "a capex budget of %(amount)s %(currency)s",
                amount=words.number(options["capex_budget"]),
                currency=currency,
            )
        )
    if options.get("max_sites") is not None:
        said.append(words.plural("at most %(n)s site", "at most %(n)s sites", int(options["max_sites"])))
    if options.get("min_kz_share"):
        said.append(
            words("at least %(share)s made in Kazakhstan", share=words.share(options["min_kz_share"], 0))
        )
    for key, message in (("force_open", "%(sites)s kept open"), ("force_closed", "%(sites)s kept closed")):
        if options.get(key):
            said.append(words(message, sites=and_list([names.get(s, s) for s in options[key]], words)))
    if options.get("single_source"):
        said.append(words("each market served from one site"))
    return and_list(said, words)


def network_clause(
    n: NetworkPlan, rec: Recommendation, names: dict[str, str], words: Words = ENGLISH, why: bool = True
) -> str:
    """What the headline must say when the network optimizer's answer is not the single site it
    names (a manufacturer's review: 'Produce at SEZ Turan, 6,000,000 USD of capex' stood beside a
    network plan kept within a 4,000,000 USD budget at Denizli); ``why`` adds the optimizer's reason
    when no plan exists (its own English words)."""
    limits = limits_said(n.options, n.currency, names, words)
    within = words("within %(limits)s, ", limits=limits) if limits else ""
    if n.objective is None:
        reason = n.message.removeprefix("no plan can exist: ") if why else ""
        clause = within + words("no network plan exists")
        return f"{clause} ({reason})" if reason else clause
    if [o.site for o in n.open] == [rec.site]:
        return ""
    values = {
        "sites": and_list([o.name for o in n.open], words),
        "total": words.number(n.objective),
        "currency": n.currency,
        "site": rec.name,
    }
    single = n.best_single_site_cost
    if single is None:
        message = "the network optimizer opens %(sites)s instead (%(total)s %(currency)s a year)"
    elif n.objective > single:
        message = (
            "the network optimizer opens %(sites)s instead (%(total)s %(currency)s a year,"
            " %(difference)s more than %(site)s alone)"
        )
    else:
        message = (
            "the network optimizer opens %(sites)s instead (%(total)s %(currency)s a year,"
            " %(difference)s less than %(site)s alone)"
        )
    difference = words.number(abs(n.objective - single)) if single is not None else ""
    return within + words(message, difference=difference, **values)


def annual_costs(pre: PlanInputs) -> tuple[np.ndarray, np.ndarray]:
    """Per unit delivered (S, M, C) and a year (S, C), in the plan's currency."""
    cube = landed_cost(pre.x) * pre.fx
    return cube, annual_totals(cube, pre.demand)


def ranking_order(sites: Any, totals: np.ndarray) -> np.ndarray:
    """Site indices as a plan ranks them: feasible by total cost (ties by id), then the rest."""
    return np.lexsort((sites["id"].to_numpy(), np.where(np.isfinite(totals), totals, np.inf)))


def plan_of(pre: PlanInputs, say: Steps = quiet_steps) -> Plan:
    """The plan of prepared inputs: landed cost, ranking, routes and recommendation."""
    say("computing landed cost")
    cube, annual = annual_costs(pre)
    choice = np.where(np.isfinite(pre.days).all(axis=-1), route_choice(pre.x), 0)[..., None]
    arrays = _Arrays(
        cube=cube,
        annual=annual,
        days=np.take_along_axis(pre.days, choice, axis=-1)[..., 0],
        co2_unit=np.take_along_axis(pre.co2_unit, choice, axis=-1)[..., 0],
        choice=choice[..., 0],
    )
    say("writing the plan")
    routes = _route_summaries(pre.network, pre.site_nodes, pre.market_nodes)
    return _assemble(pre, arrays, routes)


@dataclass(frozen=True)
class _Arrays:
    """The plan's numbers per site, market and component, in the plan's currency."""

    cube: np.ndarray  # (S, M, C) per unit delivered
    annual: np.ndarray  # (S, C) a year
    days: np.ndarray  # (S, M) on the route used
    co2_unit: np.ndarray  # (S, M)
    choice: np.ndarray  # (S, M) 0 = cheapest route, 1 = fastest


def _route_summaries(network: Network, site_nodes, market_nodes) -> dict[str, RouteSummary]:
    out = {}
    for criterion in ("cost", "time"):
        for (o, d), route in network.routes(site_nodes, market_nodes, criterion).items():
            out[f"{o}>{d}:{criterion}"] = RouteSummary(
                origin=o,
                destination=d,
                criterion=criterion,
                cost_usd_per_teu=round(route.cost_usd_per_teu, 2),
                days=round(route.days, 2),
                distance_km=round(route.distance_km, 1),
                co2_kg_per_t=round(route.co2_kg_per_t, 2),
                modes=route.modes,
                legs=[leg.as_dict() for leg in route.legs],
            )
    return out


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _assemble(pre: PlanInputs, a: _Arrays, routes: dict[str, RouteSummary]) -> Plan:
    profile, pack, sites = pre.profile, pre.pack, pre.sites
    totals = a.annual.sum(axis=-1)
    feasible = np.isfinite(totals)
    ranking = [sites["id"].iloc[i] for i in ranking_order(sites, totals)]
    rank_of = {sid: r + 1 for r, sid in enumerate(ranking)}
    volume_served = pre.demand.sum()
    # property tax is a fixed charge per unit; the rest of the taxes is profit tax
    property_tax = property_tax_per_unit(pre.x) * pre.fx * volume_served
    profit_tax = a.annual[:, COMPONENTS.index("taxes")] - property_tax
    incentives = incentives_out(pre)
    appraisals = appraise(pre, feasible, baseline_index(sites, totals))
    site_plans = []
    for i, site in enumerate(sites.itertuples()):
        bought = _sources(pre, i)
        site_plans.append(
            SitePlan(
                id=site.id,
                name=site.name,
                kind=site.kind,
                country=site.country,
                region=site.region,
                lat=float(site.lat),
                lon=float(site.lon),
                node=site.node,
                existing=bool(site.existing),
                feasible=bool(feasible[i]),
                rank=rank_of[site.id] if feasible[i] else None,
                landed_cost=LandedCost(
                    total=_num(totals[i]),
                    per_unit=_num(totals[i] / volume_served),
                    components={c: _num(a.annual[i, k]) for k, c in enumerate(COMPONENTS)},
                    units=float(volume_served),
                    capacity=(capacity := _capacity_costed(site, volume_served)),
                    utilisation=float(volume_served / capacity),
                    expansion=capacity - float(site.capacity),
                    profit_tax=_num(profit_tax[i]),
                ),
                by_market=_by_market(pre, a, routes, i, site),
                inputs={
                    k: ParamRef(**_param_fields(p), **_costed(pre, k, i))
                    for k, p in pre.inputs.params[i].items()
                },
                incentives=incentives[i],
                appraisal=appraisals[i],
                notes=_site_notes(pre, a, i, site, bought),
                sources=bought,
            )
        )
    recommendation = _recommend(site_plans, ranking, pre, a.cube, profile.currency)
    used_sources = _used_sources(pack, site_plans, pre.treat, routes)
    subjects = subject_names(pack)
    assumptions = _assumptions(site_plans, recommendation.site, subjects)
    plan = Plan(
        **provenance(pack.version),
        company=profile.company,
        product=profile.product,
        hs=profile.hs,
        currency=profile.currency,
        volume=profile.volume,
        components=list(COMPONENTS),
        markets=pre.markets,
        sites=site_plans,
        ranking=ranking,  # feasible sites by total cost, then those that cannot serve every market
        recommendation=recommendation,
        routes=routes,
        disruptions=list(pre.closed),
        closed_parts=[closure_label(pack, c) for c in pre.closed],
        avoid=list(pre.avoid),
        sources=used_sources,
        overrides=[o.as_dict() for o in pack.overrides],
        assumptions=assumptions,
        profile=profile.model_dump(mode="json"),
        exchange_rates=_exchange_rates(pack, site_plans, profile.currency),
    )
    if recommendation.site is not None:
        winner = int(np.flatnonzero(sites["id"].to_numpy() == recommendation.site)[0])
        oldest = oldest_behind(pack, plan, recommendation.site, _pays_input_duty(pre, winner))
        plan.oldest_input = oldest.as_dict() if oldest is not None else None
        base_id = recommendation.baseline_site
        if base_id is not None and base_id != recommendation.site:
            at = int(np.flatnonzero(sites["id"].to_numpy() == base_id)[0])
            older = oldest_behind(pack, plan, base_id, _pays_input_duty(pre, at))
            plan.oldest_baseline_input = older.as_dict() if older is not None else None
        plan.borrowed_stress = borrowed_stress(pre, winner, totals)
        stress = plan.borrowed_stress
        if stress is not None and not stress.holds:  # the headline must not read firmer than the data
            plan.recommendation.qualify(stress_clause(stress))
        plan.switching = switching_of(pre, recommendation.site)
    return plan


def switching_of(pre: PlanInputs, site: str) -> SwitchingValues | None:
    """The switching values of the plan's pick on the risk engine's shipped distributions (which
    ``kopru risk --uncertainty`` may replace; its own output has them on the user's)."""
    from kopru.montecarlo import build_model  # compiled kernels: only when planning
    from kopru.montecarlo.spec import shipped_uncertainty
    from kopru.montecarlo.switching import switching_values

    return switching_values(build_model(pre, shipped_uncertainty(pre.pack)), site)


def stress_clause(stress: BorrowedStress, words: Words = ENGLISH) -> str:
    """What overturns the pick, for the headline of every document."""
    return words(
        "with the values borrowed from other regions or estimated at their unfavourable end,"
        " %(site)s would come first instead",
        site=stress.cases[0].first_name,
    )


def _exchange_rates(pack: DataPack, site_plans: list[SitePlan], currency: str) -> list[ParamRef]:
    """The rates used: the currencies of the sites' inputs, the plan's, and the euro of specific duties."""
    used = {p.unit.split("/")[0] for s in site_plans for p in s.inputs.values()} | {currency, "EUR"}
    out = []
    for code in sorted(used - {"USD"}):
        if pack.has_param(code, "fx_per_usd"):
            out.append(ParamRef(**_param_fields(pack.param(code, "fx_per_usd"))))
    return out


# an input's value as the engine costs it: (the site arrays that give it, their product's unit)
COSTED = {
    "wage": (("wage_usd_per_hour", "hours_per_month"), "USD/month"),
    "electricity_price_industrial": (("electricity_usd_per_kwh",), "USD/kWh"),
    "gas_price_industrial": (("gas_usd_per_m3",), "USD/m3"),
    "land_lease": (("land_usd_per_m2_year",), "USD/m2/year"),
    "land_price": (("land_price_usd_per_m2",), "USD/m2"),
}


def _costed(pre: PlanInputs, key: str, i: int) -> dict[str, Any]:
    """``costed`` and ``costed_unit`` of site ``i``'s input ``key`` (none for a rate or a count)."""
    if key not in COSTED:
        return {}
    arrays, unit = COSTED[key]
    return {"costed": _num(float(np.prod([pre.inputs.values[a][i] for a in arrays]))), "costed_unit": unit}


def _param_fields(p: Any) -> dict[str, Any]:
    keys = ("quantity", "note", "value", "unit", "year", "source", "subject", "assumption", "overridden")
    return {k: getattr(p, k) for k in keys}


def _by_market(pre: PlanInputs, a: _Arrays, routes: dict[str, RouteSummary], i: int, site: Any):
    """One site's cost, duty, route and transit to each market."""
    out = {}
    taxed_inputs, due = _input_duty(pre, i)
    for j, m in enumerate(pre.markets):
        per_unit = a.cube[i, j].sum()
        cheap_key = f"{site.node}>{m['node']}:cost"
        fast_key = f"{site.node}>{m['node']}:time"
        tr = pre.treat[(site.country, m["territory"])]
        out[m["id"]] = MarketCost(
            per_unit=_num(per_unit),
            components={c: _num(a.cube[i, j, k]) for k, c in enumerate(COMPONENTS)},
            demand=m["demand"],
            annual=_num(per_unit * m["demand"]),
            duty={
                "regime": tr.regime,
                "rate_pct": round(tr.rate * 100, 3),
                "min_eur_per_kg": tr.min_eur_per_kg,
                "basis": tr.basis,
                # the plant's bought inputs pay no import duty on the units it exports here
                "inputs_duty_waived": (waived := bool(taxed_inputs and due[j] == 0)),
                "inputs_basis": _inward_basis(pre.pack, site.country) if waived else None,
            },
            route=(cheap_key, fast_key)[a.choice[i, j]] if cheap_key in routes else None,
            cheapest_route=cheap_key if cheap_key in routes else None,
            fastest_route=fast_key if fast_key in routes else None,
            transit_days=_num(a.days[i, j]),
            co2_kg_per_unit=_num(a.co2_unit[i, j]),
            restricted_transit=_restricted(pre, routes, site, m),
        )
    return out


def _input_duty(pre: PlanInputs, i: int) -> tuple[bool, np.ndarray]:
    """Whether site ``i`` buys any input that pays import duty there (inside a free customs zone
    for the plant's life, none does), and the share of that duty due per market (M,)."""
    x = pre.x
    taxed = bool((x.material_duty_rate[i] * x.input_duty_share[i] > 0).any())
    return taxed, np.broadcast_to(x.input_duty_due, x.duty_rate.shape)[i]


def _pays_input_duty(pre: PlanInputs, i: int) -> bool:
    """Whether site ``i`` pays import duty on any bought input on any unit it sells (not inside a
    free customs zone for the plant's life, nor on exports under inward processing alone)."""
    taxed, due = _input_duty(pre, i)
    return taxed and bool((due > 0).any())


def _inward_basis(pack: DataPack, country: str) -> str:
    """The law under which a plant's exports carry no duty on its inputs (inward_processing.csv)."""
    return str(pack.table("inward_processing").at[territory_of(country), "legal_basis"])


def _restricted(
    pre: PlanInputs, routes: dict[str, RouteSummary], site: Any, m: dict
) -> RestrictedTransit | None:
    """Whether the cheapest route passes through a restricted country, and the detour around it."""
    route = routes.get(f"{site.node}>{m['node']}:cost")
    rules = pre.pack.table("restrictions")
    if route is None or not route.legs:
        return None
    inner = [leg["to"] for leg in route.legs[:-1]]  # the nodes passed through, not the two ends
    # entering the market's own country is selling there, not transit
    crossed = sorted(restricted_crossed(pre.pack, inner, {m["country"]}))
    if not crossed:
        return None
    basis = "; ".join(f"{c}: {rules.at[c, 'legal_basis']}" for c in crossed)
    # the detour goes round all of them at once (round Russia alone, goods for Türkiye cross Iran)
    avoids = sorted({*pre.avoid, *rules.index} - {m["country"]})
    detour = pre.detours
    cost = days = extra = extra_days = None
    if detour is not None:
        o, d = detour.origins.index(site.node), detour.destinations.index(m["node"])
        if np.isfinite(detour.cost_usd_per_teu[o, d]):
            cost = round(float(detour.cost_usd_per_teu[o, d]), 2)
            days = round(float(detour.days[o, d]), 2)
            per_teu_to_unit = pre.fx / units_per_teu(pre)
            extra = (cost - route.cost_usd_per_teu) * per_teu_to_unit  # unrounded: times a million units
            extra_days = round(days - route.days, 2)
    return RestrictedTransit(
        countries=crossed,
        legal_basis=basis,
        detour_avoids=avoids,
        detour_cost_usd_per_teu=cost,
        detour_days=days,
        extra_cost_per_unit=extra,
        extra_days=extra_days,
    )


def units_per_teu(pre: PlanInputs) -> float:
    payload = pre.pack.param("container:teu", "teu_payload").value
    volume = pre.pack.param("container:teu", "teu_volume").value
    return min(payload / pre.profile.unit_weight, volume / pre.profile.unit_volume)


def _origin_name(pack: DataPack, origin: str) -> str:
    return "local" if origin == "local" else str(pack.nodes["name"].get(origin, origin))


def _sources(pre: PlanInputs, i: int) -> list[MaterialSource]:
    """Where site ``i`` buys each material that has alternatives, and what each source costs there."""
    options = material_options(pre.profile)
    out = []
    for k, m in enumerate(pre.profile.materials):
        if not m.alternatives:
            continue
        landed = {
            _origin_name(pre.pack, o.origin): _num(pre.source_costs[i, c] * pre.fx)
            for c, (owner, _, o) in enumerate(options)
            if owner == k
        }
        origin = str(pre.sources[i, k])
        name = _origin_name(pre.pack, origin)
        out.append(
            MaterialSource(
                material=m.name, origin=origin, name=name, landed=landed[name], landed_by_source=landed
            )
        )
    return out


def _source_notes(pre: PlanInputs, bought: list[MaterialSource]) -> list[str]:
    """A note for each material a site buys elsewhere than at its own origin, with the difference."""
    notes = []
    for s, m in zip(bought, [m for m in pre.profile.materials if m.alternatives], strict=True):
        own = _origin_name(pre.pack, m.origin)
        if s.origin == m.origin or s.landed is None:
            continue
        at_own = s.landed_by_source[own]
        if at_own is None:
            saving = f": no route brings it in from {own}"
        else:
            less = at_own - s.landed
            saving = f": {less:,.2f}" if less >= 0.1 else f": {less:.2g}"
            saving += f" {pre.profile.currency} a unit less than from {own}"
        notes.append(f"buys {m.name} {'locally' if s.origin == 'local' else 'from ' + s.name}{saving}")
    return notes


def _site_notes(pre: PlanInputs, a: _Arrays, i: int, site: Any, bought: list[MaterialSource]) -> list[str]:
    notes = list(pre.inputs.notes[i]) + _source_notes(pre, bought)
    markets, materials = pre.missing(i)
    if markets or materials:
        lacks = ([f"no route to {', '.join(markets)}"] if markets else []) + (
            [f"no route in for {' or '.join(materials)}"] if materials else []
        )
        closed = [closure_label(pre.pack, c) for c in pre.closed]
        given = ([f"{', '.join(closed)} closed"] if closed else []) + (
            [f"routes through {and_list([COUNTRY_NAMES.get(c, c) for c in pre.avoid])} avoided"]
            if pre.avoid
            else []
        )
        notes.append("; ".join(lacks) + (f" with {' and '.join(given)}" if given else ""))
    zone_years = pre.terms.zone_years[i]
    in_regime = pre.inputs.values["in_sez_regime"][i] > 0
    if in_regime and np.isfinite(zone_years) and round(zone_years, 1) < pre.profile.lifetime_years:
        if zone_years <= 0:  # no incentive is counted, so none needs confirming (a review: it said both)
            notes = [n for n in notes if n != ASSUMED_INCENTIVES and not is_generic_match(n)]
        notes.append(
            f"{zone_note(pre.terms, i)} Its advantages end then"
            + (": none apply to this plant" if zone_years <= 0 else " (the cost counts them for those years)")
        )
    units = pre.demand.sum()
    short = units > site.capacity * (1 + 1e-9)
    if site.existing and short:
        capex = float(pre.x_base.capex_usd[i]) * pre.fx
        notes.append(
            f"demand {units:,.0f} a year exceeds the existing plant's capacity {site.capacity:,.0f}:"
            f" the {units - site.capacity:,.0f} it lacks are costed as an expansion at a new plant's capex"
            f" per unit of capacity ({capex:,.0f} {pre.profile.currency}; an assumption: it fits on the"
            " plant's land); kopru optimize sizes plants itself"
        )
    elif site.existing:
        notes.append("existing plant: no new capex counted")
    elif short:
        notes.append(
            f"demand {units:,.0f} a year exceeds the plant's capacity {site.capacity:,.0f}"
            f" ({units / site.capacity:.0%} utilisation): this cost assumes it could make it all;"
            " kopru optimize respects capacity"
        )
    return notes


def _capacity_costed(site: Any, units: float) -> float:
    """The capacity the site's cost pays for: an existing plant short of the demand is costed with
    the expansion it lacks (sites.expansion_share), so it makes all it sells."""
    capacity = float(site.capacity)
    return max(capacity, float(units)) if site.existing else capacity


def unconfirmed_sentence(
    best: SitePlan,
    by_id: dict[str, SitePlan],
    ranking: list[str],
    base: SitePlan | None,
    currency: str,
    said: bool = False,
    words: Words = ENGLISH,
) -> str:
    """When the pick's SEZ incentives are not confirmed for the product: what it costs without them
    (its region's site, the same place outside the zone's regime), and the best site whose
    incentives need no such confirmation. ``said``: the reader was told already that they are not
    confirmed (the summary's footnote), so the sentence starts at what it costs without them."""
    if not unconfirmed_incentives(best.notes) or best.kind != "sez":
        return ""
    region = by_id.get(best.region or "")
    if region is None or region.landed_cost.total is None:
        return ""

    def against(site: SitePlan) -> str:
        if base is None or not base.landed_cost.total or site.landed_cost.total is None:
            return ""
        gap = (base.landed_cost.total - site.landed_cost.total) / base.landed_cost.total
        message = ", %(gap)s below %(base)s" if gap >= 0 else ", %(gap)s above %(base)s"
        return words(message, gap=words.share(abs(gap), 1), base=base.name)

    def cost(site: SitePlan) -> dict[str, str]:
        total = words.number(site.landed_cost.total or 0.0)
        return {"cost": total, "currency": currency, "rank": str(site.rank), "against": against(site)}

    region_cost = words("%(cost)s %(currency)s a year (rank %(rank)s%(against)s)", **cost(region))
    if said:
        text = words(
            " Without them %(site)s costs what %(region)s does, %(cost)s",
            site=best.name,
            region=region.name,
            cost=region_cost,
        )
    else:
        text = words(
            " %(site)s's SEZ incentives are counted without the product confirmed as a priority activity of"
            " the zone: without them it costs what %(region)s does, %(cost)s",
            site=best.name,
            region=region.name,
            cost=region_cost,
        )
    sure = next(
        (by_id[s] for s in ranking if by_id[s].feasible and not unconfirmed_incentives(by_id[s].notes)), None
    )
    if sure is not None and sure.id != region.id and sure.country == "KZ":
        text += words(
            "; the best site whose incentives need no such check is %(site)s (rank %(rank)s,"
            " %(cost)s %(currency)s a year%(against)s)",
            site=sure.name,
            **cost(sure),
        )
    return text + "."


def _assumptions(site_plans: list[SitePlan], pick: str | None, subjects: dict[str, str]) -> list[str]:
    """Every assumption a site's cost uses, named as a person reads it; the recommended site's first
    (a CFO review: its few were lost among 39 gas caps of other regions, in alphabetical order)."""
    mine = {
        (p.subject, p.quantity) for s in site_plans if s.id == pick for p in s.inputs.values() if p.assumption
    }
    found = {(p.subject, p.quantity): p for s in site_plans for p in s.inputs.values() if p.assumption}

    def line(p: Param) -> str:
        return f"{value_label(p.subject, p.quantity, subjects)} ({p.year}): {p.note}"

    first = sorted(line(p) for k, p in found.items() if k in mine)
    return first + sorted(line(p) for k, p in found.items() if k not in mine)


def _before_profit_tax(site: SitePlan) -> float:
    lc = site.landed_cost
    return (lc.total or 0.0) - (lc.profit_tax or 0.0)


def _second_plant_a_year(pre: PlanInputs, site: SitePlan) -> tuple[float, str]:
    """What running ``site`` beside the pick costs a year before it makes a unit, and in words: an
    existing plant's fixed costs (it is built), or the smallest new plant's fixed costs and capex as
    an annuity over the plant's life at the WACC (as kopru optimize charges them)."""
    profile, crf = pre.profile, pre.x.capital_recovery
    if site.existing:
        return profile.fixed_costs, f"keeping {site.name} open (its fixed costs)"
    levels = profile.optimize.capacity_levels
    sizes = [(lv.capex, lv.fixed_costs) for lv in levels] or [(profile.capex, profile.fixed_costs)]
    cheapest = min(capex * crf + fixed for capex, fixed in sizes)
    return cheapest, "a second plant of the smallest size (fixed costs and capital)"


def variable_per_unit(pre: PlanInputs, cube: np.ndarray) -> np.ndarray:
    """(S, M) what a unit delivered costs beyond a site's fixed costs (capital, fixed costs, land,
    property tax): the cost of serving one more unit from a plant that runs anyway, as kopru optimize
    charges it."""
    return beyond_fixed(pre.x, cube, pre.fx)


def beyond_fixed(x: Any, cube: np.ndarray, fx: float) -> np.ndarray:
    """(S, M) the landed cost ``cube`` (plan currency) less the per-site fixed parts that ``x``
    charges per unit: capital, fixed costs, land and property tax."""
    fixed = cube[:, :, COMPONENTS.index("capital")] + (property_tax_per_unit(x) * fx)[:, None]
    return cube.sum(axis=-1) - fixed


def _recommend(site_plans, ranking, pre: PlanInputs, cube, currency) -> Recommendation:
    markets = pre.markets
    by_id = {s.id: s for s in site_plans}
    index = {s.id: i for i, s in enumerate(site_plans)}
    feasible = [sid for sid in ranking if by_id[sid].feasible]
    best_by_market = {}
    # a market's cheapest source at the margin: a second plant's fixed costs are weighed apart
    per_unit = variable_per_unit(pre, cube)
    column = {m["id"]: j for j, m in enumerate(markets)}

    def _margin(cheaper: SitePlan, best: SitePlan, market: str) -> float:
        """How much less a unit costs in ``market`` from ``cheaper`` than from ``best``, at the margin."""
        j = column[market]
        return float(per_unit[index[best.id], j] - per_unit[index[cheaper.id], j])

    for j, m in enumerate(markets):
        col = np.where(np.isfinite(per_unit[:, j]), per_unit[:, j], np.inf)
        if np.isfinite(col).any():
            best_by_market[m["id"]] = site_plans[int(np.argmin(col))].id
    if not feasible:
        return Recommendation(
            site=None,
            name=None,
            total=None,
            per_unit=None,
            baseline_site=None,
            baseline_total=None,
            saving=None,
            saving_pct=None,
            best_by_market=best_by_market,
            text=pre.no_site_reason(),
            headline=pre.no_site_reason(),
        )
    best = by_id[feasible[0]]
    turkish = [by_id[s] for s in feasible if by_id[s].country == "TR"]
    base = turkish[0] if turkish else None
    total = best.landed_cost.total
    # a CFO's review: with cost above the price everywhere (a price typed a tenth of itself, a unit
    # slip) the headline still began "Produce at"; the loss was said only in the appraisal line
    produce = _lead(best, revenue_of(markets), currency)
    if base is None or base.id == best.id:
        saving = saving_pct = saving_pct_pre_tax = None
        kazakh = [by_id[s] for s in feasible if by_id[s].country == "KZ"]
        if base is not None and kazakh:
            runner = kazakh[0]
            gap = runner.landed_cost.total - total
            verb = "Keep producing at" if best.existing else "Produce at"
            verb = produce if produce != "Produce at" else verb
            text = (
                f"{verb} {best.name}: its annual landed cost of {total:,.0f} {currency}"
                f" is {gap:,.0f} {currency} ({gap / runner.landed_cost.total:.1%}) below the best"
                f" Kazakh alternative, {runner.name}."
            )
        else:
            text = f"{produce} {best.name}: annual landed cost {total:,.0f} {currency}."
    else:
        saving = base.landed_cost.total - total
        saving_pct = saving / base.landed_cost.total
        before_tax = _before_profit_tax(base) - _before_profit_tax(best)
        saving_pct_pre_tax = before_tax / _before_profit_tax(base)
        lc = base.landed_cost
        expanded = (
            f", expanded by the {lc.expansion:,.0f} units a year it lacks"
            if base.existing and lc.expansion > 0
            else ""
        )
        text = (
            f"{produce} {best.name}: annual landed cost {total:,.0f} {currency}"
            f" ({best.landed_cost.per_unit:,.2f} {currency} per unit), {saving:,.0f} {currency}"
            f" ({saving_pct:.1%}; {saving_pct_pre_tax:.1%} before profit tax) below the best Turkish"
            f" option, {base.name}{expanded}."
        )
    points: list[str] = []
    split = {best_by_market[m] for m in best_by_market}
    if len(split) > 1:
        # people read names: "Russia: SEZ Aktobe", not "mkt_RU: sez_aktobe"
        market_name = {m["id"]: m["name"] for m in markets}
        # with the margin per unit, so a reader sees how thin a split is (a few cents can rest on
        # one assumed duty)
        others = [
            f"{market_name.get(m, m)}: {by_id[s].name},"
            f" {_margin(by_id[s], best, m):,.2f} {currency} a unit less"
            for m, s in best_by_market.items()
            if s != best.id
        ]
        shown = "; ".join(others[:5]) + (f"; and {len(others) - 5} more" if len(others) > 5 else "")
        demand = {m["id"]: m["demand"] for m in markets}
        moved = [(m, s) for m, s in best_by_market.items() if s != best.id]
        at_stake = sum(_margin(by_id[s], best, m) * demand[m] for m, s in moved)
        plant, what = min(_second_plant_a_year(pre, by_id[s]) for _, s in moved)
        if at_stake > plant:
            verdict = "a second plant may pay (kopru optimize weighs it)"
        else:  # a few cents on a few markets do not carry a plant's fixed costs
            verdict = f"less than {what} costs a year ({plant:,.0f} {currency}): one plant serves them all"
        points.append(
            f"Market by market, the cheapest sources at the margin (beyond each plant's fixed costs)"
            f" differ ({shown}), by {at_stake:,.0f}"
            f" {currency} a year in all: {verdict}."
        )
    points += [
        p.strip()
        for p in (
            unconfirmed_sentence(best, by_id, ranking, base, currency),
            _restricted_sentence(best, currency, markets),
        )
        if p.strip()
    ]
    recommendation = Recommendation(
        site=best.id,
        name=best.name,
        total=total,
        per_unit=best.landed_cost.per_unit,
        baseline_site=base.id if base else None,
        baseline_total=base.landed_cost.total if base else None,
        saving=_num(saving) if saving is not None else None,
        saving_pct=_num(saving_pct) if saving_pct is not None else None,
        best_by_market=best_by_market,
        text=" ".join([text, *points]),
        saving_pct_before_profit_tax=_num(saving_pct_pre_tax) if saving_pct_pre_tax is not None else None,
        headline=text,
        points=points,
    )
    if unconfirmed_incentives(best.notes) and best.kind == "sez":
        # a web review: all four examples' headlines named SEZ Turan with no word that its lead rests
        # on incentives the zone's sectors match only through 'manufacturing'
        recommendation.qualify(UNCONFIRMED_CLAUSE)
    return recommendation


UNCONFIRMED_CLAUSE = "if its SEZ incentives apply to the product, which is not confirmed (see below)"


def revenue_of(markets: list[dict[str, Any]]) -> float:
    """What the markets pay a year at the profile's prices, plan currency."""
    return float(sum(m["price"] * m["demand"] for m in markets))


def _lead(best: SitePlan, revenue: float, currency: str) -> str:
    """How the headline opens: 'Produce at', or, where even the cheapest site costs more than the
    markets pay, that no site covers its cost."""
    total = best.landed_cost.total
    if total is None or total <= revenue:
        return "Produce at"
    return (
        f"No site covers its cost at the profile's prices (the markets pay {revenue:,.0f} {currency}"
        f" a year, {total - revenue:,.0f} less than the cheapest site costs); the least costly is"
    )


def _restricted_sentence(site: SitePlan, currency: str, markets: list[dict[str, Any]]) -> str:
    """A sentence on the recommended site's routes through sanctioned countries, and the detour."""
    hits = {m: mc.restricted_transit for m, mc in site.by_market.items() if mc.restricted_transit}
    if not hits:
        return ""
    crossed = [COUNTRY_NAMES.get(c, c) for c in sorted({c for r in hits.values() for c in r.countries})]
    # the advice names every country the priced detour keeps out of, so following it gives that price
    codes = sorted({c for r in hits.values() for c in r.detour_avoids or r.countries})
    market_name = {m["id"]: m["name"] for m in markets}
    extra = [
        r.extra_cost_per_unit * site.by_market[m].demand
        for m, r in hits.items()
        if r.extra_cost_per_unit is not None
    ]
    days = [r.extra_days for r in hits.values() if r.extra_days is not None]
    around = (
        f"; the best routes through none of {and_list([COUNTRY_NAMES.get(c, c) for c in codes])}"
        f" cost {sum(extra):,.0f} {currency} a year more in freight (up to {max(days):+.1f} days)"
        if extra and len(extra) == len(hits)
        else ""
    )
    return (
        f" {site.name}'s cheapest routes to {and_list([market_name.get(m, m) for m in hits])} pass through"
        f" {and_list(crossed)}, under sanctions or transit restrictions{around};"
        f" to use only such routes, plan with avoid: [{', '.join(codes)}] in the profile"
        f" (--avoid {' --avoid '.join(codes)} on the command line)."
    )


def _used_sources(pack: DataPack, site_plans, treat, routes) -> list[dict[str, str]]:
    cells: list[str] = [BOUNDARIES_SOURCE]  # the maps' regions
    for s in site_plans:
        cells += [p.source for p in s.inputs.values()]
        cells += [i.source for i in s.incentives]  # the schemes' laws and programmes, cited in the report
    cells += [tr.source for tr in treat.values()]
    cells += list(pack.table("inward_processing")["source"])  # whether inputs of exports pay duty
    for table in (pack.nodes, pack.edges, pack.markets, pack.regions, pack.sez, pack.provinces):
        cells += list(table["source"])
    params = pack.parameters
    cells += list(params[params["subject"].str.startswith(("mode:", "container:", "network"))]["source"])
    cells += list(params[params["quantity"] == "fx_per_usd"]["source"])
    ids = {sid for cell in cells for sid in split_list(cell)}  # a cell may name several: each is cited
    rows = pack.sources.loc[sorted(i for i in ids if i in pack.sources.index)]
    # every cell as str() writes it, column by column (a row at a time cost a plan 40 ms)
    columns = ["id", "title", "publisher", "url", "year", "licence"]
    return rows[columns].astype(str).to_dict("records")


__all__ = ["NetworkPlan", "Plan", "build_plan", "make_plan", "plan_of"]
