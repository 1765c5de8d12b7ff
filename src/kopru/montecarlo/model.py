"""The risk model of a plan: its base inputs, split by transport mode so the draws can act on them.

A :class:`RiskModel` is small and picklable, so Dask ships it once to every worker. Sites that
cannot reach every market at base values are left out (and named).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from kopru.borrowing import borrowed_inputs, national_inputs
from kopru.costs import CostInputs, annual_totals, landed_cost
from kopru.errors import RiskError
from kopru.montecarlo import kernels
from kopru.montecarlo.spec import DAY_PARTS, MODES, Array, Uncertainty

if TYPE_CHECKING:  # the worker processes of a run import this module: keep it light
    from kopru.inputs import PlanInputs

COUNTRY_CURRENCY = {"KZ": "KZT", "TR": "TRY"}  # currency of the sites' local prices and wages


@dataclass(frozen=True)
class RiskModel:
    """Everything a chunk needs; small and picklable, so Dask ships it once to every worker."""

    site_ids: tuple[str, ...]
    site_names: tuple[str, ...]
    excluded: tuple[str, ...]  # sites with no route to some market at base values
    x: CostInputs  # base inputs, feasible sites only
    freight_by_mode: Array  # (S, M, R, 4) USD per unit, the outbound freight split by mode
    days_by_mode: Array  # (S, M, R, 6): travel by mode, then waiting at borders and ports (DAY_PARTS)
    material_freight_by_mode: Array  # (S, K, 4)
    site_country: tuple[str, ...]
    demand: Array  # (M,)
    fx: float  # plan currency per USD at the data pack's rate
    currency: str
    uncertainty: Uncertainty
    baseline: str | None = None  # the cheapest Turkish site at base values (the plan's baseline)
    recommended: str | None = None  # the cheapest site at base values (the plan's recommendation)
    site_region: tuple[str, ...] = ()  # sites of one region share part of their site.* factors
    # sites at one place (region and corridor node: a zone at its region's centre) share all of them:
    # one labour market, one supplier, so two such sites differ only in what the plan gives them
    site_place: tuple[str, ...] = ()
    # (S, len(SITE_INPUTS)): whether the site's value is borrowed (another region's, a national
    # figure, or labelled an assumption), which widens its site.* factor
    site_borrowed: NDArray[np.bool_] | None = None
    # (S, len(SITE_INPUTS)): a national value by rule (Türkiye's electricity tariff), one for every
    # site of the country: the country's factor moves it, no site draws its own
    site_national: NDArray[np.bool_] | None = None
    base: Array | None = None  # (S,) annual cost at the data pack's values: the plan's, plan currency
    # (S,) units a year each site can make: a new plant's design volume; an existing plant as the plan
    # costs it, expanded to the profile's demand when short. The draws do not respect it (see statistics)
    capacity: Array | None = None
    # (S,) SEZ incentives counted without the product confirmed as a priority activity of the zone
    # (kopru.sites.unconfirmed_incentives): the plan's caveat, which no draw moves
    unconfirmed: NDArray[np.bool_] | None = None
    # (S,) land priced in the site's own currency (a lease or price in KZT or TRY): the site's
    # exchange rate moves it in USD, as it moves wages and energy
    land_local: NDArray[np.bool_] | None = None

    # units of each currency per USD at the data pack's rate (KZT, TRY, EUR): switching values of the
    # exchange rates are said in them
    fx_per_usd: tuple[tuple[str, float], ...] = ()
    # each country's labour hours a unit relative to a Turkish plant's, at the data pack's value:
    # switching values of labour_hours.* are said as such a factor
    labour_hours_factor: tuple[tuple[str, float], ...] = ()

    # per-unit quantiles cost as much again as the annual ones, a second sort of every column; by
    # default only the sites the output names (the pick and the Turkish baseline) get them
    per_unit_all: bool = False

    def wants_per_unit(self, site: int) -> bool:
        """Whether the run takes site ``site``'s per-unit quantiles (its per-unit mean it always has)."""
        return self.per_unit_all or self.site_ids[site] in (self.recommended, self.baseline)

    @property
    def site_currency(self) -> tuple[str, ...]:
        """The currency of each site's local prices and wages."""
        return tuple(COUNTRY_CURRENCY.get(c, "USD") for c in self.site_country)

    @functools.cached_property
    def kernel_constants(self) -> KernelConstants:
        """What the compiled evaluation takes that no draw moves, laid out once per model."""
        x = self.x
        n_sites, n_markets = x.duty_rate.shape

        c = kernels.as_argument
        return KernelConstants(
            site=c(
                np.stack([np.broadcast_to(getattr(x, k), (n_sites,)) for k in kernels.SITE_COLUMNS], axis=1)
            ),
            scalar=np.array([float(getattr(x, k)) for k in kernels.SCALARS]),
            material_cost=c(np.broadcast_to(x.material_cost_usd, x.material_duty_rate.shape)),
            material_duty=c(x.material_duty_rate),
            material_by_mode=c(self.material_freight_by_mode),
            freight_by_mode=c(self.freight_by_mode),
            days_by_mode=c(self.days_by_mode),
            duty_rate=c(x.duty_rate),
            duty_min=c(x.duty_min_usd),
            input_due=c(np.broadcast_to(x.input_duty_due, x.duty_rate.shape)),
            price=c(np.broadcast_to(x.price_usd, (n_markets,))),
        )


@dataclass(frozen=True)
class KernelConstants:
    """A model's base inputs as :func:`kopru.montecarlo.kernels.annual_costs` takes them."""

    site: Array  # (S, kernels.SITE_COLUMNS)
    scalar: Array  # (kernels.SCALARS,)
    material_cost: Array  # (S, K)
    material_duty: Array  # (S, K)
    material_by_mode: Array  # (S, K, modes)
    freight_by_mode: Array  # (S, M, R, modes)
    days_by_mode: Array  # (S, M, R, day parts)
    duty_rate: Array  # (S, M)
    duty_min: Array  # (S, M)
    input_due: Array  # (S, M)
    price: Array  # (M,)


def _by_mode(routes: Mapping[tuple[str, str], Any], pairs: list[tuple[str, str]], attr: str) -> Array:
    """Sum of a leg attribute by mode along each route, (len(pairs), 4); zero where no route."""
    out = np.zeros((len(pairs), len(MODES)))
    for i, pair in enumerate(pairs):
        route = routes.get(pair)
        for leg in route.legs if route is not None else ():
            out[i, MODES.index(leg.mode)] += getattr(leg, attr)
    return out


def _days_by_part(routes: Mapping[tuple[str, str], Any], pairs: list[tuple[str, str]]) -> Array:
    """Days along each route split into travel by mode and waiting at borders and ports,
    (len(pairs), len(DAY_PARTS)); zero where no route."""
    out = np.zeros((len(pairs), len(DAY_PARTS)))
    border, port = DAY_PARTS.index("border"), DAY_PARTS.index("port")
    for i, pair in enumerate(pairs):
        route = routes.get(pair)
        for leg in route.legs if route is not None else ():
            out[i, MODES.index(leg.mode)] += leg.days - leg.wait_border_days - leg.wait_port_days
            out[i, border] += leg.wait_border_days
            out[i, port] += leg.wait_port_days
    return out


def _with_residual_on_road(parts: Array, total: Array) -> Array:
    """Put what the legs do not explain (the road connector to the site) on road."""
    parts = parts.copy()
    parts[..., 0] += np.maximum(total - parts.sum(axis=-1), 0.0)
    return parts


def build_model(pre: PlanInputs, uncertainty: Uncertainty) -> RiskModel:
    """Split the plan's base inputs by mode and drop sites that cannot reach every market."""
    x = pre.x
    feasible = np.isfinite(x.freight_usd).all(axis=(1, 2)) & np.isfinite(x.material_freight_usd).all(axis=1)
    if not feasible.any():
        raise RiskError(pre.no_site_reason())
    payload_kg = pre.pack.param("container:teu", "teu_payload").value
    teu_m3 = pre.pack.param("container:teu", "teu_volume").value
    p = pre.profile
    units_per_teu = min(payload_kg / p.unit_weight, teu_m3 / p.unit_volume)
    site_nodes = list(pre.sites["node"])
    market_nodes = [m["node"] for m in pre.markets]
    # a few dozen node pairs: the legs of each route, looped once per plan, not per sample
    outbound = []
    for criterion in ("cost", "time"):
        routes = pre.network.routes(pre.site_nodes, pre.market_nodes, criterion)
        pairs = [(s, m) for s in site_nodes for m in market_nodes]
        cost = _by_mode(routes, pairs, "cost_usd_per_teu") / units_per_teu
        days = _days_by_part(routes, pairs)
        outbound.append((cost, days))
    shape = (len(site_nodes), len(market_nodes), 2)
    freight = np.stack([c for c, _ in outbound], axis=1).reshape((*shape, len(MODES)))
    days = np.stack([d for _, d in outbound], axis=1).reshape((*shape, len(DAY_PARTS)))
    freight = _with_residual_on_road(freight, np.where(np.isfinite(x.freight_usd), x.freight_usd, 0.0))
    days = _with_residual_on_road(days, np.where(np.isfinite(x.transit_days), x.transit_days, 0.0))
    material = _material_by_mode(pre, payload_kg, teu_m3)
    material = _with_residual_on_road(
        material, np.where(np.isfinite(x.material_freight_usd), x.material_freight_usd, 0.0)
    )
    keep = np.flatnonzero(feasible)
    sites = pre.sites
    x_kept = x.at_sites(keep)
    base = annual_totals(landed_cost(x_kept) * pre.fx, pre.demand).sum(axis=-1)
    return RiskModel(
        site_ids=tuple(sites["id"].iloc[keep]),
        site_names=tuple(sites["name"].iloc[keep]),
        excluded=tuple(sites["id"][~feasible]),
        x=x_kept,
        freight_by_mode=freight[keep],
        days_by_mode=days[keep],
        material_freight_by_mode=material[keep],
        site_country=tuple(sites["country"].iloc[keep]),
        demand=pre.demand.astype(float),
        fx=float(pre.fx),
        currency=p.currency,
        uncertainty=uncertainty,
        baseline=_cheapest(base, pre, keep, country="TR"),
        recommended=_cheapest(base, pre, keep),
        site_region=tuple(sites["region"].iloc[keep]),
        site_place=tuple((sites["region"] + "@" + sites["node"]).iloc[keep]),
        site_borrowed=borrowed_inputs(pre)[keep],
        site_national=national_inputs(pre)[keep],
        base=base,
        capacity=_capacity(pre)[keep],
        unconfirmed=_unconfirmed(pre)[keep],
        land_local=_land_local(pre)[keep],
        fx_per_usd=tuple(
            (c, float(pre.pack.param(c, "fx_per_usd").value))
            for c in ("KZT", "TRY", "EUR")
            if pre.pack.has_param(c, "fx_per_usd")
        ),
        labour_hours_factor=tuple(
            (c, float(pre.pack.param(c, "labour_hours_factor").value))
            for c in sorted(set(sites["country"]))
            if pre.pack.has_param(c, "labour_hours_factor")
        ),
    )


def _capacity(pre: PlanInputs) -> Array:
    """Units a year each site can make as the plan costs it: an existing plant short of the demand
    is expanded to it (kopru.sites.capex_share), any other keeps its capacity."""
    capacity = pre.sites["capacity"].to_numpy(float)
    existing = pre.sites["existing"].to_numpy(bool)
    return np.where(existing, np.maximum(capacity, pre.demand.sum()), capacity)


def _land_local(pre: PlanInputs) -> NDArray[np.bool_]:
    """Whether each site's land (the lease it pays, else the price it pays or owns; for a zone whose
    land is free, its region's price, which it pays once the zone ends) is quoted in the currency of
    the site's country."""
    from kopru.sites import land_price_param, places  # the parent only: workers never build a model

    out = np.zeros(len(pre.sites), dtype=bool)
    for i, site in enumerate(pre.sites.itertuples(index=False)):
        lease = pre.inputs.params[i].get("land_lease")
        land = lease if lease is not None and lease.value > 0 else land_price_param(pre.pack, places(site))
        if land is not None:
            out[i] = land.unit.split("/")[0] == COUNTRY_CURRENCY.get(site.country)
    return out


def _unconfirmed(pre: PlanInputs) -> NDArray[np.bool_]:
    from kopru.sites import unconfirmed_incentives  # the parent only: workers never build a model

    return np.array([unconfirmed_incentives(notes) for notes in pre.inputs.notes], dtype=bool)


def _material_by_mode(pre: PlanInputs, payload_kg: float, teu_m3: float) -> Array:
    """(S, K, modes) each input's freight per product unit, split by the modes of its route."""
    from kopru.inputs import container_share  # the parent only, as the model is built

    materials = pre.profile.materials
    out = np.zeros((len(pre.sites), len(materials), len(MODES)))
    origins = sorted({str(o) for o in np.unique(pre.sources) if o != "local"})
    if not origins:
        return out
    routes = pre.network.routes(origins, pre.site_nodes, "cost")
    for k, m in enumerate(materials):
        bought = np.flatnonzero(pre.sources[:, k] != "local")  # each site from the source it buys at
        if len(bought) == 0:
            continue
        pairs = [(pre.sources[s, k], pre.sites["node"].iat[s]) for s in bought]
        out[bought, k] = _by_mode(routes, pairs, "cost_usd_per_teu") * container_share(m, payload_kg, teu_m3)
    return out


def _cheapest(
    totals: Array, pre: PlanInputs, keep: NDArray[np.intp], country: str | None = None
) -> str | None:
    """The cheapest site (of ``country``) at base values, ties broken by id, as the plan ranks them:
    the plan's recommendation, or with country TR its baseline."""
    sites = pre.sites.iloc[keep]
    among = np.flatnonzero(sites["country"].to_numpy() == country) if country else np.arange(len(sites))
    if len(among) == 0:
        return None
    ids = sites["id"].to_numpy()[among]
    return str(ids[np.lexsort((ids, totals[among]))[0]])
