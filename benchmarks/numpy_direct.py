"""The risk engine's NumPy evaluation as it was before the compiled kernels (commit a551746), kept
so that ``bench_risk.py`` measures the two side by side on the same draws; with NumPy's own
normals and np.quantile, as both "before" rows had them (the draws are the same values).

Route freight and transit as matrix products of the mode factors, per-site terms on (n, S), the
route choice, duty minimums and the profit tax's floor on (n, S, M) NumPy arrays.
"""

from __future__ import annotations

import numpy as np

from kopru.montecarlo.model import COUNTRY_CURRENCY, RiskModel
from kopru.montecarlo.sampling import _mode_factors, _per_site, _rng, _shifted
from kopru.montecarlo.spec import SITE_INPUTS, WAITS, Array


def _sum_last(a: Array) -> Array:
    """Sum over a short last axis (materials) as adds of slices, in index order as np.sum adds so
    few terms: a reduce over a last axis of 2-8 is slow in NumPy."""
    if a.shape[-1] == 0:  # a product made of no bought inputs
        return np.zeros(a.shape[:-1])
    out = a[..., 0].copy()
    for k in range(1, a.shape[-1]):
        out += a[..., k]
    return out


def _min_last(a: Array) -> Array:
    """Minimum over a short last axis (route alternatives) as element-wise minimums of slices."""
    out = a[..., 0].copy()
    for r in range(1, a.shape[-1]):
        np.minimum(out, a[..., r], out=out)
    return out


def annual_cost_direct(model: RiskModel, values: dict[str, Array], demand_factor: Array) -> Array:
    """Annual landed cost per sample and site, (n, S): the same arithmetic as :func:`annual_cost`
    on :func:`sampled_inputs`, evaluated straight from the factor draws.

    The freight and transit of every route are linear in the mode factors, so they come from two
    matrix products ``(n, modes) @ (modes, S·M·R)``; per-site terms stay (n, S); the non-linear
    parts (the route choice, duties with their specific minimums and shifted rates, the profit
    tax's floor at zero) are taken exactly where they act, on (n, S, M). No (n, S, M, components)
    cube is built, and no CostInputs: the results equal the engine's to rounding (tested).
    """
    x = model.x
    n = len(demand_factor)
    n_sites, n_markets = x.duty_rate.shape
    currency = tuple(COUNTRY_CURRENCY.get(c, "USD") for c in model.site_country)
    fx_site = _per_site(values, "fx", currency, n)
    own = {name: values.get(f"site.{name}", 1.0) for name in SITE_INPUTS}
    growth = np.maximum(1.0 + _per_site(values, "wage_growth", model.site_country, n, 0.0), 0.01)
    shift = values.get("duty", np.zeros(n)) / 100.0
    volume = (model.demand * demand_factor).sum(axis=-1)[:, None] if demand_factor is not None else x.volume

    hours = x.labour_hours * _per_site(values, "labour_hours", model.site_country, n)
    labour = hours * (x.wage_usd_per_hour * growth * own["wage"] / fx_site) * (1.0 + x.social_rate)
    electricity = _per_site(values, "electricity", model.site_country, n)
    gas = _per_site(values, "gas", model.site_country, n)
    energy = x.electricity_kwh * (x.electricity_usd_per_kwh * electricity * own["electricity"] / fx_site)
    energy = energy + x.gas_m3 * (x.gas_usd_per_m3 * gas * own["gas"] / fx_site)
    land = x.land_usd_per_m2_year * own["land"]
    capital = (x.capex_usd * x.capital_recovery + x.fixed_costs_usd + x.land_m2 * land) / volume
    property_tax = x.property_tax_rate * x.building_share * x.capex_usd / volume

    freight_f = _mode_factors(values, "freight", n)  # (n, 4)
    k = model.material_freight_by_mode.shape[1]
    by_mode = model.material_freight_by_mode.reshape(n_sites * k, freight_f.shape[1])
    material_freight = (freight_f @ by_mode.T).reshape(n, n_sites, k)
    material_duty = _shifted(x.material_duty_rate, shift)  # (n, S, K)
    material = np.asarray(values.get("material", np.ones(n))).reshape(n, 1, 1)  # the inputs' prices
    priced = (x.material_cost_usd * material + material_freight) * (
        1.0 + material_duty * x.input_duty_share[..., None]
    )
    materials = _sum_last(priced)
    ex_works = materials + energy + labour + capital  # (n, S)

    waits = np.stack([values.get(f"wait.{w}", np.ones(n)) for w in WAITS], axis=-1)
    transit_f = np.concatenate([_mode_factors(values, "transit", n), waits], axis=-1)  # (n, DAY_PARTS)
    lanes = (n_sites, n_markets, model.freight_by_mode.shape[2])
    freight = freight_f @ model.freight_by_mode.reshape(-1, freight_f.shape[1]).T  # (n, S·M·R)
    days = transit_f @ model.days_by_mode.reshape(-1, transit_f.shape[1]).T
    # freight + ex-works value x carrying rate x days / 365, in place on the (n, S, M, R) arrays
    route = days.reshape(n, *lanes)
    route *= ex_works[..., None, None] * x.carrying_rate
    route /= 365.0
    route += freight.reshape(n, *lanes)
    logistics = _min_last(route)  # (n, S, M): the cheaper alternative, as the engine chooses
    customs = ex_works[..., None] + logistics
    eur = values.get("fx.EUR", np.ones(n))
    duties = np.maximum(_shifted(x.duty_rate, shift) * customs, x.duty_min_usd / eur[:, None, None])
    pre_tax = customs + duties + property_tax[..., None]
    total = pre_tax + x.corporate_tax_rate[..., None] * np.maximum(x.price_usd - pre_tax, 0.0)
    return np.matmul(total, (model.demand * demand_factor)[:, :, None])[..., 0] * model.fx


def _site_draws(
    model: RiskModel, seed: int, block: int, size: int, scratch: bool = False
) -> dict[str, Array]:
    """Site-level factors, (size, S) each: a region's common normal and the site's own, mixed so
    that two sites of one region correlate by ``within_region`` and sites of two regions not at all.
    (``scratch`` is taken as today's draw passes it, and ignored: new arrays every block.)
    """
    names = model.uncertainty.site_names
    if not names or model.site_borrowed is None:
        return {}
    regions, region_of = np.unique(np.array(model.site_region), return_inverse=True)
    places, place_of = np.unique(np.array(model.site_place or model.site_ids), return_inverse=True)
    shared = _rng(seed, block, 2).standard_normal((size, len(names), len(regions)))
    own = _rng(seed, block, 3).standard_normal((size, len(names), len(places)))
    out = {}
    for k, name in enumerate(names):
        d = model.uncertainty.variables[name]
        w = d.params.get("within_region", 0.0)
        z = np.sqrt(w) * shared[:, k, region_of] + np.sqrt(1.0 - w) * own[:, k, place_of]
        borrowed = model.site_borrowed[:, SITE_INPUTS.index(name.removeprefix("site."))]
        out[name] = d.site_factor(z, borrowed)
    return out


def standard_normals(rng: np.random.Generator, out: Array) -> Array:
    """NumPy's standard normals into ``out``: the values of kopru.montecarlo.kernels.standard_normals."""
    return rng.standard_normal(out=out)


def column_statistics(col: Array) -> tuple[float, float, float, float]:
    """p5, p50, p95 and CVaR95 by np.quantile and a partition, as before the sifting pass."""
    from kopru.montecarlo.statistics import tail_mean

    p5, p50, p95 = (float(q) for q in np.quantile(col, [0.05, 0.5, 0.95]))
    return p5, p50, p95, max(tail_mean(col), p95)
