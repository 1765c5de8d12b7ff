"""The inputs of one plan, as arrays: sites, markets, lanes, duties and the cost engine's inputs.

``prepare`` turns a validated profile and a data pack into :class:`PlanInputs`, which the cost
engine (``kopru.costs``), the plan (``kopru.planner``) and the network optimizer (``kopru.siting``)
all start from.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from kopru import datapack
from kopru.corridors import Lanes, Network, check_countries, network_for
from kopru.costs import CostInputs, capital_recovery_factor
from kopru.datapack import DataPack, reads
from kopru.display import COUNTRY_NAMES, and_list
from kopru.errors import DataPackError, FieldIssue, OptionError, ProfileError, RouteError
from kopru.geo import haversine_km
from kopru.incentives import Incentive, Terms, decide
from kopru.incentives import apply as apply_incentives
from kopru.incentives import valued as value_incentives
from kopru.profile import Option, Profile, field_path
from kopru.progress import Steps, quiet_steps
from kopru.sites import SiteInputs, annual_land, candidate_table, capex_share, site_inputs
from kopru.trade import input_duty_due, territory_of, treatment
from kopru.units import country_codes


@dataclass
class PlanInputs:
    """Everything the cost engine and the optimizer need for one profile, as arrays."""

    profile: Profile
    pack: DataPack
    sites: pd.DataFrame
    markets: list[dict[str, Any]]
    inputs: SiteInputs
    x: CostInputs
    fx: float
    treat: dict
    days: np.ndarray  # (S, M, 2): cheapest and fastest route alternatives
    co2_unit: np.ndarray  # (S, M, 2)
    network: Network
    site_nodes: list[str]
    market_nodes: list[str]
    closed: tuple[str, ...]
    avoid: tuple[str, ...]  # countries no route passes through
    detours: Lanes | None  # cheapest lanes around every restricted country (None when avoided)
    x_base: CostInputs  # the inputs before the investment incentives (SEZ regimes included)
    terms: Terms  # what the applied incentives change, per site
    incentives: list[list[Incentive]]  # per site: applied (with annual values) and listed schemes
    sources: np.ndarray  # (S, K) the origin each site buys each material from ('local' or a node)
    source_costs: np.ndarray  # (S, C) USD per unit each source lands its material for (material_options)

    @property
    def demand(self) -> np.ndarray:
        return np.array([m["demand"] for m in self.markets])

    def missing(self, i: int) -> tuple[list[str], list[str]]:
        """What site ``i`` lacks a route for: the markets it cannot reach and the materials it cannot
        bring in ('trims (from Istanbul)'), by name."""
        markets = ~np.isfinite(self.x.freight_usd[i]).any(axis=1)
        materials = ~np.isfinite(self.x.material_freight_usd[i])
        nodes = self.pack.nodes["name"]

        def origins(m: Any) -> str:  # a material unreachable at a site is so from every source
            return " or ".join(nodes.get(o.origin, o.origin) for o in m.options)

        return (
            [m["name"] for m, u in zip(self.markets, markets, strict=True) if u],
            [
                f"{m.name} (from {origins(m)})"
                for m, s in zip(self.profile.materials, materials, strict=True)
                if s
            ],
        )

    def no_site_reason(self) -> str:
        """Why no candidate site can serve every market, in the words plan, risk and optimize share."""
        x = self.x
        unreached = ~np.isfinite(x.freight_usd).any(axis=(0, 2))
        stranded = ~np.isfinite(x.material_freight_usd).any(axis=0)
        why = []
        if unreached.any():
            why.append(
                "no route reaches "
                + ", ".join(m["name"] for m, u in zip(self.markets, unreached, strict=True) if u)
            )
        if stranded.any():
            names = [m.name for m, s in zip(self.profile.materials, stranded, strict=True) if s]
            why.append("no site can bring in " + ", ".join(names))
        because = "; ".join(why) or self._what_each_site_lacks()
        remedies = []
        if self.closed:
            remedies.append(f"reopen part of what is closed ({', '.join(self.closed)})")
        if self.avoid:
            remedies.append(f"allow routes through {and_list([COUNTRY_NAMES.get(c, c) for c in self.avoid])}")
        remedy = " or ".join(remedies) or "check the markets and the materials' origins"
        return f"No candidate site can serve every target market ({because}): {remedy}"

    def _what_each_site_lacks(self) -> str:
        """Every market and material is reached by some site, but no site reaches them all: what
        the sites lack, grouped (the largest groups first, three at most)."""
        from kopru.display import FIXED_SUBJECTS

        lacking = pd.DataFrame(
            np.c_[~np.isfinite(self.x.freight_usd).any(axis=2), ~np.isfinite(self.x.material_freight_usd)]
        )
        lacking.insert(0, "country", self.sites["country"].to_numpy())
        groups = lacking.groupby(list(lacking.columns), sort=False).indices  # one site stands for each
        parts = []
        for rows in sorted(groups.values(), key=len, reverse=True)[:3]:
            n, country = len(rows), str(self.sites["country"].iloc[rows[0]])
            markets, materials = self.missing(int(rows[0]))
            lacks = []
            if materials:
                lacks.append("bring in " + " or ".join(materials))
            if markets:
                lacks.append("reach " + ", ".join(markets))
            where = FIXED_SUBJECTS.get(country, country)
            parts.append(f"{n} site{'s' if n > 1 else ''} in {where} cannot {' or '.join(lacks)}")
        return "every market and material is reached by some site, but none reaches them all: " + "; ".join(
            parts
        )


@dataclass(frozen=True)
class _Outbound:
    """Outbound lanes per site, market and route alternative (0 = cheapest, 1 = fastest)."""

    freight_unit: np.ndarray  # (S, M, 2) USD per unit of product
    days: np.ndarray  # (S, M, 2)
    co2_unit: np.ndarray  # (S, M, 2) kg CO2e per unit
    site_nodes: list[str]
    market_nodes: list[str]


def reference_issues(profile: Profile, pack: DataPack) -> list[FieldIssue]:
    """Every id of the profile that the data pack does not know: markets, material sources,
    baseline provinces (the profile's schema cannot tell; the data pack can)."""
    issues = []
    markets = ", ".join(list(pack.markets.index)[:6])
    for i, m in enumerate(profile.markets):
        if m.id not in pack.markets.index:
            issues.append(
                FieldIssue(
                    f"markets[{i}].id",
                    f"unknown market {m.id!r}; expected one of the data pack's markets"
                    f" (e.g. {markets}; see 'kopru data show markets')",
                    ("markets", i, "id"),
                )
            )
    for i, mat in enumerate(profile.materials):
        places = [((), mat.origin)] + [
            (("alternatives", j), a.origin) for j, a in enumerate(mat.alternatives)
        ]
        for at, origin in places:
            if origin != "local" and origin not in pack.nodes.index:
                where = ("materials", i, *at, "origin")
                issues.append(
                    FieldIssue(
                        field_path(where),
                        f"{origin!r} is not a corridor node; use a node id such as istanbul, urumqi,"
                        " moscow, tashkent (see 'kopru data show nodes') or 'local'",
                        where,
                    )
                )
    provinces = ", ".join(f"{n} {i}" for i, n in pack.provinces["name"].items())
    for i, plant in enumerate(profile.baseline or ()):
        if plant.province not in pack.provinces.index:
            issues.append(
                FieldIssue(
                    f"baseline[{i}].province",
                    f"{plant.province!r} is not a province of the data pack; expected one of {provinces}",
                    ("baseline", i, "province"),
                )
            )
    forced = {"force_open": profile.optimize.force_open, "force_closed": profile.optimize.force_closed}
    if not issues and any(forced.values()):  # the candidates need the baseline's provinces
        from kopru.comparison import find_site  # it imports the planner, which imports this module

        table = candidate_table(pack, profile)
        sites = list(table[["id", "name"]].itertuples(index=False))
        for field, names in forced.items():
            for j, name in enumerate(names):
                try:  # named as kopru compare names a site: an id, a name or a part of one
                    find_site(sites, name, f"optimize.{field}[{j}]")
                except OptionError as exc:
                    issues.append(FieldIssue(f"optimize.{field}[{j}]", str(exc), ("optimize", field, j)))
    return issues


def check_references(profile: Profile, pack: DataPack) -> None:
    """Raise one :class:`ProfileError` naming every unknown id of the profile, field by field."""
    issues = reference_issues(profile, pack)
    if issues:
        raise ProfileError("; ".join(map(str, issues)), field=issues[0].field, fields=tuple(issues))


def prepare(
    profile: Profile,
    pack: DataPack,
    disruptions: tuple[str, ...] = (),
    progress: Steps | None = None,
    avoid: tuple[str, ...] = (),
    report: bool = True,
) -> PlanInputs:
    """Sites, markets, lanes, duties and every input of the cost engine for ``profile``.

    ``avoid`` (with the profile's own ``avoid``) names countries no route may pass through; a
    market or a material source inside one is still reached or left by a single leg.
    ``report=False`` leaves out what only a plan's report shows (the detours around restricted
    countries, each incentive's annual value): a sweep needs the costs alone.
    """
    g = _gather(profile, lambda name, make, after=(), given=None: make(pack), disruptions, avoid, progress)
    x_base, x, chosen, landed, rebuy = _cost_inputs(profile, g)
    valued = (
        value_incentives(x_base, x, g.terms, g.inputs.values, profile, g.demand, g.fx, rebuy)
        if report
        else []
    )
    return PlanInputs(
        profile,
        pack,
        g.sites,
        g.markets,
        g.inputs,
        x,
        g.fx,
        g.treat,
        g.out.days,
        g.out.co2_unit,
        g.network,
        g.out.site_nodes,
        g.out.market_nodes,
        g.closed,
        g.avoid,
        _detours(pack, g.base_network, g.avoid, g.out.site_nodes, g.out.market_nodes) if report else None,
        x_base,
        g.terms,
        valued,
        _source_origins(profile, chosen, len(g.sites)),
        landed,
    )


# step(name, make, after, given): make(pack), or the answer an earlier scenario's make gave, when
# the step and the steps it builds on (``after``) read nothing this scenario changes, and what it
# is given besides (``given``, hashable) is the same
Step = Callable[..., Any]


@dataclass(frozen=True)
class _Gathered:
    """What :func:`prepare` looks up in the data pack, before the cost inputs are put together."""

    fx: float
    closed: tuple[str, ...]
    avoid: tuple[str, ...]
    base_network: Network
    network: Network
    sites: pd.DataFrame
    markets: list[dict[str, Any]]
    inputs: SiteInputs
    out: _Outbound
    treat: dict
    duty_rate: np.ndarray
    duty_min: np.ndarray
    input_due: np.ndarray  # (S, M) share of the inputs' duty due (0: waived on exports)
    material_freight: np.ndarray
    material_duty: np.ndarray
    material_duty_min: np.ndarray  # (S, K) specific minimum duty, USD per product unit
    terms: Terms

    @property
    def demand(self) -> np.ndarray:
        return np.array([m["demand"] for m in self.markets], dtype=float)


def _gather(
    profile: Profile,
    step: Step,
    disruptions: tuple[str, ...],
    avoid: tuple[str, ...],
    progress: Steps | None = None,
    per_site: bool = False,
) -> _Gathered:
    say = progress or quiet_steps
    # once each, in order: a reopened web run sends the profile's own closures back with its own
    closed = tuple(dict.fromkeys((*profile.disruptions, *disruptions)))
    avoid = country_codes((*profile.avoid, *avoid))

    def places(pack: DataPack):
        check_references(profile, pack)
        check_countries(pack, avoid)
        if "KZ" in avoid:  # every candidate zone and region is there: the question would be gone
            raise RouteError(
                "avoid: KZ is where the candidate zones and regions are, and the question is whether to"
                " produce there; avoid only countries routes pass through (such as RU or IR)",
                field="avoid",
            )
        say("building the corridor network")
        base_network = network_for(pack, closed)
        sites = candidate_table(pack, profile)
        markets = _market_table(pack, profile)
        market_nodes = list(dict.fromkeys(m["node"] for m in markets))
        network = base_network.avoiding(avoid, market_nodes) if avoid else base_network
        return base_network, network, sites, markets

    base_network, network, sites, markets = step("places", places)
    fx = step("fx", lambda pack: pack.fx_per_usd(profile.currency))
    say(f"looking up inputs for {len(sites)} sites")
    if per_site:
        # when a scenario's changes reach some sites' inputs (one region's tariff), only those
        # sites are looked up again; the others are kept per site
        rows = step("rows", lambda pack: list(sites.itertuples()), ("places",))

        def each_site(pack: DataPack) -> SiteInputs:
            return _joined(sites, [_site_step(step, profile, sites, rows, i) for i in range(len(rows))])

        inputs = step("site_inputs", each_site, ("places",))
    else:
        inputs = step("site_inputs", lambda pack: site_inputs(pack, sites, profile.sectors), ("places",))

    def outbound(pack: DataPack):
        payload_kg, teu_m3 = _teu(pack)
        connector = connector_km(pack, sites)
        connector_usd = connector * pack.param("mode:road", "cost_per_teu_km").value
        lanes = (network, sites, markets, connector, connector_usd, payload_kg, teu_m3)
        return connector_usd, _outbound(pack, profile, *lanes)

    say("routing outbound lanes")
    connector_usd, out = step("outbound", outbound, ("places",))
    say("applying trade rules")
    duties = step("duties", lambda pack: _duties(pack, profile, sites, markets), ("places",))
    treat, duty_rate, duty_min, input_due = duties

    def materials(pack: DataPack):
        sources = [o.origin for _, _, o in material_options(profile) if o.origin != "local"]
        inbound = base_network.avoiding(avoid, sources) if avoid else base_network
        return _materials(profile, pack, inbound, sites, connector_usd, _teu(pack))

    material_freight, material_duty, material_duty_min = step("materials", materials, ("places", "outbound"))
    v = inputs.values
    in_sez = v["in_sez_regime"]
    std = v["std_corporate_tax_rate"]
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where((in_sez > 0) & (std > 0), 1.0 - v["corporate_tax_rate"] / std, 0.0)
    # the incentives see the sites' inputs only through which sites are in an SEZ regime, and how
    # much of the standard corporate tax its regime removes
    terms = step(
        "terms",
        lambda pack: decide(profile, pack, sites, in_sez, cut),
        ("places",),
        in_sez.tobytes() + cut.tobytes(),
    )
    return _Gathered(
        fx,
        closed,
        avoid,
        base_network,
        network,
        sites,
        markets,
        inputs,
        out,
        treat,
        duty_rate,
        duty_min,
        input_due,
        material_freight,
        material_duty,
        material_duty_min,
        terms,
    )


def _site_step(step: Step, profile: Profile, sites: pd.DataFrame, rows: list[Any], i: int) -> SiteInputs:
    def look_up(pack: DataPack) -> SiteInputs:
        return site_inputs(pack, sites, profile.sectors, rows=[rows[i]])

    return step(f"site {rows[i].id}", look_up, ("places",))


def _joined(sites: pd.DataFrame, parts: list[SiteInputs]) -> SiteInputs:
    """The inputs of every site from each site's own look-up (site_inputs treats sites apart)."""
    values = {k: np.array([p.values[k][0] for p in parts]) for k in parts[0].values} if parts else {}
    return SiteInputs(sites, values, [p.params[0] for p in parts], [p.notes[0] for p in parts])


def _cost_inputs(
    profile: Profile, g: _Gathered
) -> tuple[CostInputs, CostInputs, np.ndarray | None, np.ndarray, Any]:
    """The cost engine's inputs before and after the investment incentives, with each site's
    materials from the source that lands them cheapest there (one choice for both); the sources
    chosen ((S, K), or None when no material has an alternative), what every source lands its
    material for ((S, C), :func:`landed_by_source`) and how to choose again for inputs without an
    incentive (:func:`_rebuyer`)."""
    v, sites, markets, fx = g.inputs.values, g.sites, g.markets, g.fx
    material_cost = _material_cost(profile, sites, fx)
    units = float(sum(m["demand"] for m in markets))
    x_base = CostInputs(
        wage_usd_per_hour=v["wage_usd_per_hour"],
        social_rate=v["social_rate"],
        electricity_usd_per_kwh=v["electricity_usd_per_kwh"],
        gas_usd_per_m3=v["gas_usd_per_m3"],
        land_usd_per_m2_year=annual_land(v, profile.wacc),
        # an SEZ's exemption is a reduction of the standard rate for its term (incentives.decide)
        corporate_tax_rate=np.where(
            v["in_sez_regime"] > 0, v["std_corporate_tax_rate"], v["corporate_tax_rate"]
        ),
        property_tax_rate=v["property_tax_rate"],
        input_duty_share=v["input_duty_share"],
        capex_usd=profile.capex / fx * capex_share(sites, units, profile.volume),
        material_freight_usd=g.material_freight,
        material_duty_rate=_with_minimum(
            g.material_duty, g.material_duty_min, material_cost + g.material_freight
        ),
        freight_usd=g.out.freight_unit,
        transit_days=g.out.days,
        duty_rate=g.duty_rate,
        duty_min_usd=g.duty_min,
        input_duty_due=g.input_due,
        material_cost_usd=material_cost,
        price_usd=np.array([m["price"] / fx for m in markets]),
        labour_hours=profile.labour_hours * v["labour_hours_factor"],
        electricity_kwh=profile.energy.electricity,
        gas_m3=profile.energy.gas,
        land_m2=profile.land,
        fixed_costs_usd=profile.fixed_costs / fx,
        building_share=profile.building_share,
        capital_recovery=float(capital_recovery_factor(profile.wacc, profile.lifetime_years)),
        depreciation=1.0 / profile.lifetime_years,
        volume=units,
        carrying_rate=profile.wacc,
        # a lease is paid; land bought or owned, and an SEZ's (free, then at its price), is not
        land_imputed=np.where(v["land_usd_per_m2_year"] > 0, 0.0, 1.0),
    )
    # the incentives see one source per material; the source they let a site buy from cheapest is
    # chosen at the share of input duty they leave due (a free customs zone's), which no source moves
    first = _chosen_sources(profile, x_base, g.demand)
    x = apply_incentives(_bought(x_base, first), g.terms, v, profile, g.demand)
    chosen = _chosen_sources(profile, _with_share(x_base, x), g.demand)
    if chosen is not None and not np.array_equal(chosen, first):
        x = apply_incentives(_bought(x_base, chosen), g.terms, v, profile, g.demand)
    landed = landed_by_source(_with_share(x_base, x), g.demand)
    return _bought(x_base, chosen), x, chosen, landed, _rebuyer(profile, x_base, chosen, g.demand)


def _rebuyer(
    profile: Profile, options: CostInputs, chosen: np.ndarray | None, demand: np.ndarray
) -> Callable[[CostInputs], CostInputs] | None:
    """For inputs without an incentive (a free customs zone's duty-free inputs, say), the same
    inputs with each site's materials bought where they would then land cheapest: an incentive is
    worth what the site pays without it at the sources it would then choose. None when no
    material has an alternative."""
    if chosen is None:
        return None

    def rebuy(x: CostInputs) -> CostInputs:
        again = _chosen_sources(profile, replace(options, input_duty_share=x.input_duty_share), demand)
        return replace(x, **{f: np.take_along_axis(getattr(options, f), again, axis=-1) for f in BY_SOURCE})

    return rebuy


class SharedSteps:
    """The look-ups of :func:`prepare` shared by the scenarios of a sweep that change numbers.

    Each step (the places, the sites' inputs, the outbound lanes, duties, materials, the
    incentives that apply) is kept under the overrides it can see: those of the values it and
    the steps it builds on read (recorded by :mod:`kopru.datapack.reads`). A scenario that
    changes only the tenge's rate recomputes the sites' inputs but shares the lanes and duties;
    one that changes only a tariff shares everything but the duties. Nothing is approximated:
    a kept answer is the one this scenario's own look-up would give, since every value it read
    is the same. The data pack of a scenario is loaded only when one of its steps is not kept.
    """

    KEPT = 2048  # answers kept (a few MB): a long sweep of all-different numbers stays bounded

    def __init__(self, profile: Profile, disruptions: tuple[str, ...] = (), avoid: tuple[str, ...] = ()):
        self.profile, self.disruptions, self.avoid = profile, tuple(disruptions), tuple(avoid)
        self._reads: dict[str, set[reads.Read]] = {}
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()  # least recently used first
        self._seen: dict[tuple[str, tuple[str, ...]], set[reads.Read]] = {}  # a step's and its after's
        self._valid: set[tuple[str, str]] = set()  # overrides already checked on the shipped pack

    def costs(self, overrides: Mapping[str, Any]) -> tuple[pd.DataFrame, CostInputs, float, np.ndarray]:
        """The scenario's sites, cost inputs (after incentives), plan currency per USD and demand."""
        pack: list[DataPack] = []
        # each override as a key (a note or a unit is part of it), and what it changes
        keyed = {k: (k, json.dumps(v, sort_keys=True, default=str)) for k, v in overrides.items()}
        self._check(overrides, keyed)
        changes = [(reads.override_read(k), keyed[k]) for k in sorted(keyed)]

        def step(
            name: str, make: Callable[[DataPack], Any], after: tuple[str, ...] = (), given: Hashable = None
        ) -> Any:
            key = self._key(name, after, changes, given)
            if key is not None and key in self._kept:
                self._kept.move_to_end(key)
                reads.note_all(self._seen[(name, after)])  # for a step this one is part of
                return self._kept[key]
            if not pack:
                pack.append(datapack.load(dict(overrides) or None))
            with reads.recording() as seen:
                made = make(pack[0])
            if not seen <= self._reads.setdefault(name, set()):
                self._reads[name] |= seen
                self._seen.clear()  # the unions of reads kept below are stale
            self._kept[self._key(name, after, changes, given)] = made
            while len(self._kept) > self.KEPT:
                self._kept.popitem(last=False)
            return made

        g = _gather(self.profile, step, self.disruptions, self.avoid, per_site=True)
        return g.sites, _cost_inputs(self.profile, g)[1], g.fx, g.demand

    def _check(self, overrides: Mapping[str, Any], keyed: dict[str, tuple[str, str]]) -> None:
        """Raise the error the scenario's own data pack would (an unknown key, a wrong unit, a
        negative value), even when every look-up is kept and that pack is never loaded: each
        override is applied alone to the shipped pack once, in the scenario's order."""
        for key, value in overrides.items():
            if keyed[key] not in self._valid:
                datapack.load({key: value})
                self._valid.add(keyed[key])

    def _key(
        self, name: str, after: tuple[str, ...], changes: list[tuple[reads.Read, tuple]], given: Hashable
    ) -> Hashable | None:
        if name not in self._reads:
            return None
        seen = self._seen.get((name, after))
        if seen is None:
            seen = self._reads[name].union(*(self._reads.get(a, ()) for a in after))
            self._seen[(name, after)] = seen
        return (name, given, tuple(kv for read, kv in changes if reads.visible(read, seen)))


def _detours(pack: DataPack, network: Network, avoid, site_nodes, market_nodes) -> Lanes | None:
    """The cheapest lanes around every country under restrictions, to price the detour a plan's
    route through one of them would take (none when the plan already avoids them all)."""
    restricted = [c for c in pack.table("restrictions").index if c not in avoid]
    if not restricted:
        return None
    return network.avoiding((*avoid, *restricted), market_nodes).lanes(site_nodes, market_nodes, "cost")


def connector_km(pack: DataPack, sites: pd.DataFrame) -> np.ndarray:
    """Road distance from each site (an SEZ away from its node city) to its corridor node."""
    circuity = pack.param("network", "road_circuity").value
    node_xy = pack.nodes.loc[sites["node"], ["lat", "lon"]].to_numpy(float)
    return circuity * haversine_km(sites["lat"], sites["lon"], node_xy[:, 0], node_xy[:, 1])


def _outbound(pack, profile, network, sites, markets, road_km, connector_usd, payload_kg, teu_m3):
    """Freight, days and CO2 per unit from every site to every market, both route alternatives."""
    units_per_teu = min(payload_kg / profile.unit_weight, teu_m3 / profile.unit_volume)
    road_speed = pack.param("mode:road", "speed_km_per_day").value
    site_nodes = list(dict.fromkeys(sites["node"]))
    market_nodes = list(dict.fromkeys(m["node"] for m in markets))
    cheap = network.lanes(site_nodes, market_nodes, "cost")
    fast = network.lanes(site_nodes, market_nodes, "time")
    s_idx = np.array([site_nodes.index(n) for n in sites["node"]])
    m_idx = np.array([market_nodes.index(m["node"]) for m in markets])

    def alternatives(attr: str, connector: np.ndarray) -> np.ndarray:
        both = np.stack(
            [getattr(lanes, attr)[s_idx[:, None], m_idx[None, :]] for lanes in (cheap, fast)], axis=-1
        )
        return both + connector[:, None, None]

    freight_unit = alternatives("cost_usd_per_teu", connector_usd) / units_per_teu
    days = alternatives("days", road_km / road_speed)
    co2_unit = alternatives("co2_kg_per_t", road_km * _road_co2(pack) / 1000) * (profile.unit_weight / 1000.0)
    return _Outbound(freight_unit, days, co2_unit, site_nodes, market_nodes)


def _duties(pack: DataPack, profile: Profile, sites: pd.DataFrame, markets: list[dict[str, Any]]):
    """Treatment per (site country, market territory), ad valorem rates and specific minimums."""
    site_countries = sorted(set(sites["country"]))
    territories = sorted({m["territory"] for m in markets})
    try:
        treat = {(c, t): treatment(pack, c, t, profile.hs) for c in site_countries for t in territories}
    except DataPackError as exc:
        raise ProfileError(f"hs: {exc}; give the product one of those headings", field="hs") from exc
    duty_rate = np.array([[treat[(c, m["territory"])].rate for m in markets] for c in sites["country"]])
    usd_per_eur = 1.0 / pack.fx_per_usd("EUR")
    duty_min = np.array(
        [[treat[(c, m["territory"])].min_eur_per_kg for m in markets] for c in sites["country"]]
    ) * (usd_per_eur * profile.unit_weight)
    due = {
        (c, t): input_duty_due(pack, c, t, profile.hs) if profile.inward_processing else 1.0
        for c in site_countries
        for t in territories
    }
    input_due = np.array([[due[(c, m["territory"])] for m in markets] for c in sites["country"]])
    return treat, duty_rate, duty_min, input_due.reshape(duty_rate.shape)


def _market_table(pack: DataPack, profile: Profile):
    markets = pack.markets
    rows = []
    for m in profile.markets:
        row = markets.loc[m.id]
        rows.append(
            dict(
                id=m.id,
                name=row["name"],
                country=row["country"],
                territory=row["territory"],
                node=row["node"],
                entry=row["entry"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                demand=m.demand,
                price=m.price or profile.price,
            )
        )
    return rows


def _teu(pack: DataPack) -> tuple[float, float]:
    return pack.param("container:teu", "teu_payload").value, pack.param("container:teu", "teu_volume").value


def _with_minimum(rate: np.ndarray, minimum: np.ndarray, value: np.ndarray) -> np.ndarray:
    """The duty rate on a material's customs value (price and freight) that pays at least its
    specific minimum: the larger of the ad valorem rate and minimum / value. The cost engine
    applies one rate to the value, so a minimum becomes the rate it amounts to at the base value."""
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = np.where(value > 0, minimum / value, 0.0)
    return np.maximum(rate, floor)


def material_options(profile: Profile) -> list[tuple[int, int, Option]]:
    """Every source of every material, in order: (material k, alternative j or -1 for its own, option)."""
    return [(k, j - 1, o) for k, m in enumerate(profile.materials) for j, o in enumerate(m.options)]


def _option_field(k: int, j: int, name: str) -> str:
    return f"materials[{k}].{name}" if j < 0 else f"materials[{k}].alternatives[{j}].{name}"


def _material_cost(profile: Profile, sites, fx: float) -> np.ndarray:
    """Material prices per site (S, C) for each source of each material (:func:`material_options`): one
    price, or one per country of the site."""
    options = material_options(profile)
    cost = np.zeros((len(sites), len(options)))
    for c, (k, j, o) in enumerate(options):
        if isinstance(o.cost, dict):
            for country in dict.fromkeys(sites["country"]):
                if country not in o.cost:
                    raise ProfileError(
                        f"{_option_field(k, j, 'cost')}: no price for {country}; give one for each of"
                        f" {', '.join(sorted(set(sites['country'])))}",
                        field=_option_field(k, j, "cost"),
                    )
                cost[(sites["country"] == country).to_numpy(), c] = o.cost[country] / fx
        else:
            cost[:, c] = o.cost / fx
    return cost


def _road_co2(pack: DataPack) -> float:
    return pack.param("mode:road", "co2_per_tkm").value


def container_share(material: Any, payload_kg: float, teu_m3: float) -> float:
    """The share of a container's cost one product unit's worth of an input pays: its weight's
    share of the payload, or its packed volume's of the box where that is more (it fills it first)."""
    return max(material.weight / payload_kg, (material.volume or 0.0) / teu_m3)


def _materials(profile, pack, network, sites, connector_usd, teu):
    """Inbound freight (USD per product unit), import duty rate and specific minimum duty (USD per
    product unit) per site × source of each material (:func:`material_options`). An input pays the share of
    a container's cost its weight takes of the payload, or its volume of the box where that is more
    (``teu``: payload kg, volume m3)."""
    payload_kg, teu_m3 = teu
    options = material_options(profile)
    n_sites, n_opt = len(sites), len(options)
    freight = np.zeros((n_sites, n_opt))
    duty = np.zeros((n_sites, n_opt))
    duty_min = np.zeros((n_sites, n_opt))
    origins = list(dict.fromkeys(o.origin for _, _, o in options if o.origin != "local"))
    if not origins:
        return freight, duty, duty_min
    usd_per_eur = 1.0 / pack.fx_per_usd("EUR")
    site_nodes = list(dict.fromkeys(sites["node"]))
    s_idx = np.array([site_nodes.index(n) for n in sites["node"]])
    lanes = network.lanes(origins, site_nodes, "cost")
    site_territories = [territory_of(c) for c in sites["country"]]
    for c, (k, j, o) in enumerate(options):
        if o.origin == "local":
            continue
        m = profile.materials[k]
        per_teu = lanes.cost_usd_per_teu[origins.index(o.origin), s_idx] + connector_usd
        freight[:, c] = per_teu * container_share(m, payload_kg, teu_m3)
        origin_country = pack.nodes.at[o.origin, "country"]
        for territory in dict.fromkeys(site_territories):  # in the sites' order: one message every run
            cols = np.array([t == territory for t in site_territories])
            if territory_of(origin_country) == territory:
                continue
            if o.duty_pct is not None:  # the user's rate is all the duty
                rate = o.duty_pct / 100.0
            elif m.hs is not None:
                try:
                    t = treatment(pack, origin_country, territory, m.hs)
                except DataPackError as exc:
                    raise ProfileError(
                        f"materials[{k}].hs ({m.name}, from {origin_country}): {exc}; give the material a"
                        " duty_pct (its rate in your own classification) instead of hs, or one of those"
                        " headings",
                        field=f"materials[{k}].hs",
                    ) from exc
                rate = t.rate
                duty_min[cols, c] = t.min_eur_per_kg * usd_per_eur * m.weight
            else:
                ask = (
                    "give the material its hs heading or a duty_pct"
                    if j < 0
                    else "give the material its hs heading, or this alternative a duty_pct"
                )
                raise ProfileError(
                    f"{_option_field(k, j, 'origin')} ({m.name}): it comes from {origin_country} into"
                    f" {territory}, so {ask}",
                    field=f"materials[{k}]" if j < 0 else f"materials[{k}].alternatives[{j}]",
                )
            duty[cols, c] = rate
    return freight, duty, duty_min


def _source_origins(profile: Profile, chosen: np.ndarray | None, n_sites: int) -> np.ndarray:
    """(S, K) origins of the chosen sources (each material's own origin without alternatives)."""
    origins = np.array([o.origin for _, _, o in material_options(profile)], dtype=object)
    if chosen is None:
        return np.broadcast_to(origins, (n_sites, len(origins)))
    return origins[chosen]


def landed_by_source(x: CostInputs, demand: np.ndarray) -> np.ndarray:
    """(S, C) what each source of each material (:func:`material_options`) lands it for at each site, USD
    per product unit: price, inbound freight and the duty due on the site's market mix (inputs of
    exported units may be duty-free); infinite where no route brings it in."""
    value = x.material_cost_usd + x.material_freight_usd
    rate = x.material_duty_rate * x.input_duty_share[:, None]
    due = np.broadcast_to(x.input_duty_due, x.duty_rate.shape) @ (demand / demand.sum())  # (S,)
    # no duty where none is due: an unreachable source's infinite value times 0 would be NaN, which
    # argmin would take for the cheapest
    owed = (rate > 0) & (due[:, None] > 0)
    with np.errstate(invalid="ignore"):
        return value + np.where(owed, value * rate * due[:, None], 0.0)


def _chosen_sources(profile: Profile, x: CostInputs, demand: np.ndarray) -> np.ndarray | None:
    """(S, K) the source (:func:`material_options` index) each site buys each material from: the one that
    lands it cheapest there (:func:`landed_by_source`) at the share of input duty ``x`` leaves
    due; its own origin on a tie. None when no material has an alternative."""
    options = material_options(profile)
    if len(options) == len(profile.materials):
        return None
    landed = landed_by_source(x, demand)
    owner = np.array([k for k, _, _ in options])
    chosen = np.empty((len(landed), len(profile.materials)), dtype=np.intp)
    for k in range(len(profile.materials)):
        cols = np.flatnonzero(owner == k)
        chosen[:, k] = cols[np.argmin(landed[:, cols], axis=1)]  # argmin keeps the first on a tie
    return chosen


# the cost inputs with a column per source of each material (material_options) until one is chosen
BY_SOURCE = ("material_cost_usd", "material_freight_usd", "material_duty_rate")


def _with_share(x_base: CostInputs, x: CostInputs) -> CostInputs:
    """Every source's inputs at the share of input duty the incentives leave due (``x``'s)."""
    return replace(x_base, input_duty_share=x.input_duty_share)


def _bought(x: CostInputs, chosen: np.ndarray | None) -> CostInputs:
    """The cost inputs with each site's materials from its chosen source (S, K)."""
    if chosen is None:
        return x

    return replace(x, **{f: np.take_along_axis(getattr(x, f), chosen, axis=-1) for f in BY_SOURCE})
