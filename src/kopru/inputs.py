"""The inputs of one plan, as arrays: sites, markets, lanes, duties and the cost engine's inputs.

``prepare`` turns a validated profile and a data pack into :class:`PlanInputs`, which the cost
engine (``kopru.costs``), the plan (``kopru.planner``) and the network optimizer (``kopru.siting``)
all start from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kopru.corridors import Lanes, Network, check_countries, network_for
from kopru.costs import CostInputs, capital_recovery_factor
from kopru.datapack import DataPack
from kopru.errors import FieldIssue, ProfileError
from kopru.geo import haversine_km
from kopru.incentives import Incentive, Terms, decide
from kopru.incentives import apply as apply_incentives
from kopru.incentives import valued as value_incentives
from kopru.profile import Profile
from kopru.progress import Steps, quiet_steps
from kopru.sites import SiteInputs, candidate_table, site_inputs
from kopru.trade import territory_of, treatment


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

    @property
    def demand(self) -> np.ndarray:
        return np.array([m["demand"] for m in self.markets])


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
        if mat.origin != "local" and mat.origin not in pack.nodes.index:
            issues.append(
                FieldIssue(
                    f"materials[{i}].origin",
                    f"{mat.origin!r} is not a corridor node; use a node id such as istanbul, urumqi,"
                    " moscow, tashkent (see 'kopru data show nodes') or 'local'",
                    ("materials", i, "origin"),
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
    say = progress or quiet_steps
    check_references(profile, pack)
    fx = pack.fx_per_usd(profile.currency)
    closed = tuple(profile.disruptions) + tuple(disruptions)
    avoid = tuple(dict.fromkeys((*profile.avoid, *avoid)))
    check_countries(pack, avoid)
    say("building the corridor network")
    base_network = network_for(pack, closed)
    sites = candidate_table(pack, profile)
    markets = _market_table(pack, profile)
    market_nodes = list(dict.fromkeys(m["node"] for m in markets))
    network = base_network.avoiding(avoid, market_nodes) if avoid else base_network
    say(f"looking up inputs for {len(sites)} sites")
    inputs = site_inputs(pack, sites, profile.sectors)
    payload_kg, teu_m3 = _teu(pack)
    connector_km = _connector_km(pack, sites)
    connector_usd = connector_km * pack.param("mode:road", "cost_per_teu_km").value
    say("routing outbound lanes")
    out = _outbound(pack, profile, network, sites, markets, connector_km, connector_usd, payload_kg, teu_m3)
    say("applying trade rules")
    treat, duty_rate, duty_min = _duties(pack, profile, sites, markets)
    sources = [m.origin for m in profile.materials if m.origin != "local"]
    inbound = base_network.avoiding(avoid, sources) if avoid else base_network
    material_freight, material_duty = _materials(profile, pack, inbound, sites, connector_usd, payload_kg)
    v = inputs.values
    terms = decide(profile, pack, sites, v["in_sez_regime"])
    x_base = CostInputs(
        wage_usd_per_hour=v["wage_usd_per_hour"],
        social_rate=v["social_rate"],
        electricity_usd_per_kwh=v["electricity_usd_per_kwh"],
        gas_usd_per_m3=v["gas_usd_per_m3"],
        land_usd_per_m2_year=v["land_usd_per_m2_year"] + v["land_price_usd_per_m2"] * profile.wacc,
        corporate_tax_rate=v["corporate_tax_rate"],
        property_tax_rate=v["property_tax_rate"],
        input_duty_share=v["input_duty_share"],
        capex_usd=np.where(sites["existing"].to_numpy(bool), 0.0, profile.capex / fx),
        material_freight_usd=material_freight,
        material_duty_rate=material_duty,
        freight_usd=out.freight_unit,
        transit_days=out.days,
        duty_rate=duty_rate,
        duty_min_usd=duty_min,
        material_cost_usd=_material_cost(profile, sites, fx),
        price_usd=np.array([m["price"] / fx for m in markets]),
        labour_hours=profile.labour_hours,
        electricity_kwh=profile.energy.electricity,
        gas_m3=profile.energy.gas,
        land_m2=profile.land,
        fixed_costs_usd=profile.fixed_costs / fx,
        building_share=profile.building_share,
        capital_recovery=float(capital_recovery_factor(profile.wacc, profile.lifetime_years)),
        volume=float(sum(m["demand"] for m in markets)),
        carrying_rate=profile.wacc,
    )
    demand = np.array([m["demand"] for m in markets], dtype=float)
    x = apply_incentives(x_base, terms, v, profile, demand)
    valued = value_incentives(x_base, x, terms, v, profile, demand, fx) if report else []
    return PlanInputs(
        profile,
        pack,
        sites,
        markets,
        inputs,
        x,
        fx,
        treat,
        out.days,
        out.co2_unit,
        network,
        out.site_nodes,
        out.market_nodes,
        closed,
        avoid,
        _detours(pack, base_network, avoid, out.site_nodes, out.market_nodes) if report else None,
        x_base,
        terms,
        valued,
    )


def _detours(pack: DataPack, network: Network, avoid, site_nodes, market_nodes) -> Lanes | None:
    """The cheapest lanes around every country under restrictions, to price the detour a plan's
    route through one of them would take (none when the plan already avoids them all)."""
    restricted = [c for c in pack.table("restrictions").index if c not in avoid]
    if not restricted:
        return None
    return network.avoiding((*avoid, *restricted), market_nodes).lanes(site_nodes, market_nodes, "cost")


def _connector_km(pack: DataPack, sites: pd.DataFrame) -> np.ndarray:
    """Road distance from each site (an SEZ away from its node city) to its corridor node."""
    circuity = pack.param("network", "road_circuity").value
    node_xy = pack.nodes.loc[sites["node"], ["lat", "lon"]].to_numpy(float)
    return circuity * haversine_km(sites["lat"], sites["lon"], node_xy[:, 0], node_xy[:, 1])


def _outbound(pack, profile, network, sites, markets, connector_km, connector_usd, payload_kg, teu_m3):
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
    days = alternatives("days", connector_km / road_speed)
    co2_unit = alternatives("co2_kg_per_t", connector_km * _road_co2(pack) / 1000) * (
        profile.unit_weight / 1000.0
    )
    return _Outbound(freight_unit, days, co2_unit, site_nodes, market_nodes)


def _duties(pack: DataPack, profile: Profile, sites: pd.DataFrame, markets: list[dict[str, Any]]):
    """Treatment per (site country, market territory), ad valorem rates and specific minimums."""
    site_countries = sorted(set(sites["country"]))
    territories = sorted({m["territory"] for m in markets})
    treat = {(c, t): treatment(pack, c, t, profile.hs) for c in site_countries for t in territories}
    duty_rate = np.array([[treat[(c, m["territory"])].rate for m in markets] for c in sites["country"]])
    usd_per_eur = 1.0 / pack.fx_per_usd("EUR")
    duty_min = np.array(
        [[treat[(c, m["territory"])].min_eur_per_kg for m in markets] for c in sites["country"]]
    ) * (usd_per_eur * profile.unit_weight)
    return treat, duty_rate, duty_min


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


def _material_cost(profile: Profile, sites, fx: float) -> np.ndarray:
    """Material prices per site (S, K): one price, or one per country of the site."""
    cost = np.zeros((len(sites), len(profile.materials)))
    for k, m in enumerate(profile.materials):
        if isinstance(m.cost, dict):
            for country in set(sites["country"]):
                if country not in m.cost:
                    raise ProfileError(
                        f"materials[{k}].cost: no price for {country}; give one for each of"
                        f" {', '.join(sorted(set(sites['country'])))}",
                        field=f"materials[{k}].cost",
                    )
                cost[(sites["country"] == country).to_numpy(), k] = m.cost[country] / fx
        else:
            cost[:, k] = m.cost / fx
    return cost


def _road_co2(pack: DataPack) -> float:
    return pack.param("mode:road", "co2_per_tkm").value


def _materials(profile, pack, network, sites, connector_usd, payload_kg):
    """Inbound freight (USD per product unit) and import duty rate per site × material."""
    n_sites, n_mat = len(sites), len(profile.materials)
    freight = np.zeros((n_sites, n_mat))
    duty = np.zeros((n_sites, n_mat))
    if n_mat == 0:
        return freight, duty
    origins = [m.origin for m in profile.materials if m.origin != "local"]
    site_nodes = list(dict.fromkeys(sites["node"]))
    s_idx = np.array([site_nodes.index(n) for n in sites["node"]])
    lanes = network.lanes(list(dict.fromkeys(origins)), site_nodes, "cost") if origins else None
    origin_order = list(dict.fromkeys(origins))
    site_territories = [territory_of(c) for c in sites["country"]]
    for k, m in enumerate(profile.materials):
        if m.origin == "local":
            continue
        per_teu = lanes.cost_usd_per_teu[origin_order.index(m.origin), s_idx] + connector_usd
        freight[:, k] = per_teu * m.weight / payload_kg
        origin_country = pack.nodes.at[m.origin, "country"]
        for territory in set(site_territories):
            cols = np.array([t == territory for t in site_territories])
            if territory_of(origin_country) == territory:
                continue
            if m.duty_pct is not None:
                rate = m.duty_pct / 100.0
            elif m.hs is not None:
                rate = treatment(pack, origin_country, territory, m.hs).rate
            else:
                raise ProfileError(
                    f"materials[{k}] ({m.name}): it comes from {origin_country} into {territory},"
                    " so give its hs heading or duty_pct",
                    field=f"materials[{k}]",
                )
            duty[cols, k] = rate
    return freight, duty
