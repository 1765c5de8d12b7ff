"""The landed-cost engine: C[..., site, market, component] in USD per unit of product.

Everything is an array operation. Site inputs have shape ``(..., S)``, lane inputs
``(..., S, M)``, material inputs ``(..., S, K)``; any leading axes (scenarios, Monte Carlo
samples) broadcast through, so one code path serves one plan and a million draws.

Components (USD per unit delivered to the market):

- materials: purchase cost + inbound freight, plus import duty on them where the site is not
  in the material's customs territory (none inside a free customs zone, and none on the inputs of
  units exported under inward processing: ``input_duty_due`` per site and market);
- energy: electricity and gas at the site's industrial prices;
- labour: direct hours × hourly wage × (1 + employer social charges);
- logistics: outbound freight from the site to the market (full container loads) plus the
  carrying cost of the goods in transit (ex-works value × annual rate × days / 365), on the
  route alternative (cheapest or fastest) for which that sum is lower;
- duties: the market's import duty on the customs value (the delivered price less the duty:
  :func:`customs_value`), or its specific minimum per kg where that is larger;
- taxes: property tax on the new buildings, and corporate income tax on the margin
  between the selling price and the cost (zero in a SEZ), the cost as a tax base counts it: the
  capex's depreciation, not the capital charge's return on it, and neither owned land's price ×
  WACC nor the carrying cost of goods in transit, which are opportunity costs, not expenses;
- capital: annualised capex (capital recovery factor), fixed costs and land, per unit.

Fixed costs (capital, property tax) are spread over the units actually produced and sold
(``volume``, the demand served), not over the plant's capacity: a plant that runs below capacity
carries its whole fixed cost. So the annual cost of a site is its fixed cost plus its variable cost
times the units sold, the same definition the network optimizer minimises.

VAT is left out on purpose: a registered manufacturer recovers it, so it is not a cost.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray

COMPONENTS = ("materials", "energy", "labour", "logistics", "duties", "taxes", "capital")
# what a component holds, where its one-word key would mislead a reader ('capital' has fixed costs too)
COMPONENT_LABELS = {
    "materials": "materials, with inbound freight and duty",
    "taxes": "taxes (property and profit)",
    "capital": "capital, fixed costs and land",
}


def component_label(key: str) -> str:
    return COMPONENT_LABELS.get(key, key)


Array = NDArray[np.float64]


def capital_recovery_factor(rate: float | Array, years: int | Array) -> Array:
    """Annuity that repays 1 over ``years`` at ``rate``: r(1+r)^n / ((1+r)^n - 1); 1/n at r=0."""
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    # expm1/log1p keep (1+r)^n - 1 exact for tiny rates (1e-300 would give 0 and a division by 0)
    excess = np.expm1(years * np.log1p(rate))
    with np.errstate(invalid="ignore", divide="ignore"):
        crf = np.where(rate > 0, rate * (1.0 + excess) / excess, 1.0 / years)
    return crf


@dataclass(frozen=True)
class CostInputs:
    """Arrays in USD (per unit of product unless named otherwise)."""

    # per site (..., S)
    wage_usd_per_hour: Array
    social_rate: Array
    electricity_usd_per_kwh: Array
    gas_usd_per_m3: Array
    land_usd_per_m2_year: Array
    corporate_tax_rate: Array
    property_tax_rate: Array
    input_duty_share: Array
    capex_usd: Array
    # per site and material (..., S, K)
    material_freight_usd: Array
    material_duty_rate: Array
    # per site, market and route alternative (..., S, M, R)
    freight_usd: Array
    transit_days: Array
    # per site and market (..., S, M)
    duty_rate: Array
    duty_min_usd: Array  # specific minimum duty per unit (0 where the duty is ad valorem only)
    # share of the inputs' import duty due on units sold in the market: 0 where inward processing
    # waives it on exports (kopru.trade.input_duty_due), 1 where the units stay in the territory
    input_duty_due: Array
    # per site and material (..., S, K), or per material (K,)
    material_cost_usd: Array
    # per market (M,)
    price_usd: Array
    # direct labour hours a unit takes at each site (S,): the profile's, times its country's factor
    labour_hours: float | Array
    # product scalars
    electricity_kwh: float
    gas_m3: float
    land_m2: float
    fixed_costs_usd: float
    building_share: float
    capital_recovery: float
    depreciation: float  # share of capex the tax base deducts a year (straight line: 1 / life)
    volume: float | Array  # units produced and sold a year: the fixed costs are spread over them
    carrying_rate: float = 0.0  # annual cost of capital tied up in goods in transit
    # per site (S,), or one for all: 1 where the land's annual cost is its price × WACC (land owned or
    # bought: an opportunity cost), 0 where a lease or rent is paid (an expense the tax base deducts)
    land_imputed: float | Array = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and np.isnan(value).any():
                raise ValueError(f"cost input {f.name} contains NaN")

    def at_sites(self, index: NDArray[np.intp]) -> CostInputs:
        """The inputs of the sites ``index`` (in that order, repeats allowed): every array with a
        site axis first is taken along it."""
        changes = {k: np.asarray(getattr(self, k))[index] for k in SITE_AXIS}
        cost = np.asarray(self.material_cost_usd)
        if cost.ndim == 2:
            changes["material_cost_usd"] = cost[index]
        for name in ("labour_hours", "land_imputed"):
            per_site = np.asarray(getattr(self, name))
            if per_site.ndim == 1:
                changes[name] = per_site[index]
        return replace(self, **changes)


# the inputs with a site axis first (material_cost_usd has one when it is (S, K))
SITE_AXIS = (
    "wage_usd_per_hour",
    "social_rate",
    "electricity_usd_per_kwh",
    "gas_usd_per_m3",
    "land_usd_per_m2_year",
    "corporate_tax_rate",
    "property_tax_rate",
    "input_duty_share",
    "capex_usd",
    "material_freight_usd",
    "material_duty_rate",
    "freight_usd",
    "transit_days",
    "duty_rate",
    "duty_min_usd",
    "input_duty_due",
)


def property_tax_a_year(x: CostInputs) -> Array:
    """(..., S) property tax on the buildings' share of capex, USD a year."""
    return x.property_tax_rate * x.building_share * x.capex_usd


def property_tax_per_unit(x: CostInputs) -> Array:
    """(..., S) property tax on the buildings' share of capex, spread over the plant's units."""
    return property_tax_a_year(x) / x.volume


def _allowance(x: CostInputs) -> Array:
    """(..., S, 1) what the tax base adds back per unit: the capital charge recovers the capex with
    a return on it, which no tax code deducts; profit tax is on the margin after depreciation, as
    in the appraisal's cash flows (:mod:`kopru.appraisal`). Nor does any deduct owned land's price
    × WACC, an opportunity cost (a CFO's review: it lowered the tax of the plant with the dearest
    land, most often the Turkish baseline)."""
    land = x.land_m2 * x.land_usd_per_m2_year * x.land_imputed
    return ((x.capex_usd * (x.capital_recovery - x.depreciation) + land) / x.volume)[..., None]


def landed_cost(x: CostInputs) -> Array:
    """C[..., site, market, component], USD per unit delivered."""
    return cost_parts(x)[0]


def cost_parts(x: CostInputs) -> tuple[Array, Array]:
    """The landed-cost cube, and (..., S, M) the carrying cost of the goods in transit on the route
    it uses, USD per unit: part of logistics, and, as a return on the capital tied up in them, not
    deducted by the tax base."""
    value = x.material_cost_usd + x.material_freight_usd
    rate = x.material_duty_rate * x.input_duty_share[..., None]
    # an unreachable input's infinite value pays no duty where none is due (inf x 0 would be NaN);
    # its materials stay infinite through the sum of the values
    with np.errstate(invalid="ignore"):
        duty = np.sum(np.where(rate > 0, value * rate, 0.0), axis=-1)[..., None]
        due = np.where(x.input_duty_due > 0, duty * x.input_duty_due, 0.0)
    # (..., S, M): the inputs of exported units may be duty-free (inward processing)
    materials = np.sum(value, axis=-1)[..., None] + due
    energy = x.electricity_kwh * x.electricity_usd_per_kwh + x.gas_m3 * x.gas_usd_per_m3
    labour = x.labour_hours * x.wage_usd_per_hour * (1.0 + x.social_rate)
    capital = (
        x.capex_usd * x.capital_recovery + x.fixed_costs_usd + x.land_m2 * x.land_usd_per_m2_year
    ) / x.volume
    property_tax = property_tax_per_unit(x)

    ex_works = materials + (energy + labour + capital)[..., None]
    carrying = _carrying(x, ex_works)
    routes = x.freight_usd + carrying
    pick = np.argmin(routes, axis=-1)[..., None]
    logistics = np.take_along_axis(routes, pick, axis=-1)[..., 0]
    carried = np.take_along_axis(np.broadcast_to(carrying, routes.shape), pick, axis=-1)[..., 0]
    carried = np.where(np.isfinite(carried), carried, 0.0)  # an unreachable lane is infinite already
    delivered = ex_works + logistics
    # an unreachable lane (infinite cost) pays infinite duty, even at 0 %
    ad_valorem = np.where(np.isinf(delivered), np.inf, x.duty_rate * customs_value(x.price_usd, x.duty_rate))
    duties = np.maximum(ad_valorem, x.duty_min_usd)
    pre_tax = ex_works + logistics + duties + property_tax[..., None]
    untaxed = _allowance(x) + carried
    profit_tax = x.corporate_tax_rate[..., None] * np.maximum(x.price_usd - pre_tax + untaxed, 0.0)
    taxes = property_tax[..., None] + profit_tax

    shape = np.broadcast_shapes(logistics.shape, duties.shape, taxes.shape)

    def per_market(site_values: Array) -> Array:
        return np.broadcast_to(site_values[..., None], shape)

    cube = np.stack(
        [
            np.broadcast_to(materials, shape),
            per_market(energy),
            per_market(labour),
            np.broadcast_to(logistics, shape),
            np.broadcast_to(duties, shape),
            np.broadcast_to(taxes, shape),
            per_market(capital),
        ],
        axis=-1,
    )
    return cube, np.broadcast_to(carried, shape)


def customs_value(price: Array, rate: Array) -> Array:
    """The value an ad valorem duty is charged on: the transaction value of the goods at the
    border, the delivered selling price less the duty itself, price / (1 + rate) (WTO Customs
    Valuation Agreement art. 1; the price includes the seller's margin, which a plant's cost
    does not). The inland freight after the border is not deducted, so it is an upper bound."""
    return price / (1.0 + rate)


def _carrying(x: CostInputs, ex_works: Array) -> Array:
    """In-transit carrying cost for each route alternative, (..., S, M, R)."""
    with np.errstate(invalid="ignore"):  # a site that gets no materials (infinite value) times 0 days
        carrying = ex_works[..., None] * x.carrying_rate * x.transit_days / 365.0
    return np.where(np.isnan(carrying), np.inf, carrying)


def _route_costs(x: CostInputs, ex_works: Array) -> Array:
    """Freight plus in-transit carrying cost for each route alternative, (..., S, M, R)."""
    return x.freight_usd + _carrying(x, ex_works)


def route_choice(x: CostInputs) -> NDArray[np.intp]:
    """Index of the route alternative the engine uses for each site and market, (..., S, M)."""
    c = landed_cost(x)
    ex_works = c[..., [0, 1, 2, 6]].sum(axis=-1)
    return np.argmin(_route_costs(x, ex_works), axis=-1)


def annual_totals(cube: Array, demand: Array) -> Array:
    """Annual cost per site and component, (..., S, C): per-unit cost × demand, summed over markets."""
    return np.einsum("...smc,m->...sc", np.where(np.isfinite(cube), cube, np.inf), demand)
