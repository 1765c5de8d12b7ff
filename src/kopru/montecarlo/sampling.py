"""Drawing the samples and pushing them through the cost engine, one chunk of blocks at a time.

Reproducibility does not depend on how the work is cut: samples live in fixed blocks of
:data:`BLOCK` draws, and block ``b`` draws from ``SeedSequence(seed, spawn_key=(b, stream))``
(counter-based seeding), so sample ``i`` is the same in one chunk, in many chunks or on a Dask
worker. A chunk holds a few blocks; its size follows sites × markets (:data:`CHUNK_BYTES`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from kopru.costs import CostInputs, landed_cost
from kopru.montecarlo.model import COUNTRY_CURRENCY, RiskModel
from kopru.montecarlo.spec import MODES, SITE_INPUTS, WAITS, Array

BLOCK = 1024  # samples per seeding block: the unit of reproducibility, never changes with chunking
CHUNK_BYTES = 16 * 2**20  # target size of one chunk's annual costs (samples × sites × 8 bytes)


def _rng(seed: int, block: int, stream: int) -> np.random.Generator:
    """Counter-based stream: depends on (seed, block, stream) only, never on the chunk layout."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, stream))))


def draw(model: RiskModel, seed: int, block: int, size: int) -> tuple[dict[str, Array], Array]:
    """The draws of one block: ``({variable: (size,) or (size, S) for site.*}, demand (size, M))``.

    The first ``size`` rows of a block do not depend on ``size`` (each array has its own stream,
    filled row by row), so a run of n samples is a prefix of a run of more.
    """
    u = model.uncertainty
    z = _rng(seed, block, 0).standard_normal((size, len(u.copula_names))) @ u.cholesky.T
    values = {name: u.variables[name].transform(z[:, j]) for j, name in enumerate(u.copula_names)}
    demand = np.ones((size, len(model.demand)))
    if "demand" in u.variables:
        demand = u.variables["demand"].transform(_rng(seed, block, 1).standard_normal(demand.shape))
    return values | _site_draws(model, seed, block, size), demand


def _site_draws(model: RiskModel, seed: int, block: int, size: int) -> dict[str, Array]:
    """Site-level factors, (size, S) each: a region's common normal and the site's own, mixed so
    that two sites of one region correlate by ``within_region`` and sites of two regions not at all.
    """
    names = model.uncertainty.site_names
    if not names or model.site_borrowed is None:
        return {}
    regions, region_of = np.unique(np.array(model.site_region), return_inverse=True)
    n_sites = len(model.site_ids)
    shared = _rng(seed, block, 2).standard_normal((size, len(names), len(regions)))
    own = _rng(seed, block, 3).standard_normal((size, len(names), n_sites))
    out = {}
    for k, name in enumerate(names):
        d = model.uncertainty.variables[name]
        w = d.params.get("within_region", 0.0)
        z = np.sqrt(w) * shared[:, k, region_of] + np.sqrt(1.0 - w) * own[:, k]
        borrowed = model.site_borrowed[:, SITE_INPUTS.index(name.removeprefix("site."))]
        out[name] = d.site_factor(z, borrowed)
    return out


def _per_site(
    model: RiskModel, values: dict[str, Array], family: str, keys: tuple[str, ...], n: int
) -> Array:
    """(n, S) factor of a per-country (or per-currency) variable; 1 where none is given."""
    out = np.ones((n, len(keys)))
    for key in set(keys):
        name = f"{family}.{key}"
        if name in values:
            out[:, np.array(keys) == key] = values[name][:, None]
    return out


def _mode_factors(values: dict[str, Array], family: str, n: int) -> Array:
    return np.stack([values.get(f"{family}.{m}", np.ones(n)) for m in MODES], axis=-1)


def sampled_inputs(
    model: RiskModel, values: dict[str, Array], n: int, demand_factor: Array | None = None
) -> CostInputs:
    """CostInputs with a leading sample axis: (n, S), (n, S, K), (n, S, M), (n, S, M, R).

    With ``demand_factor`` (n, M), the units sold move with it, and the fixed costs are spread over
    each sample's units (the one cost definition of :mod:`kopru.costs`)."""
    x = model.x
    currency = tuple(COUNTRY_CURRENCY.get(c, "USD") for c in model.site_country)
    # local prices and wages are in the site's currency: more units per USD makes them cheaper in USD
    fx_site = _per_site(model, values, "fx", currency, n)
    # nominal local wage growth; floored so that a far tail of a normal cannot make wages negative
    growth = np.maximum(1.0 + _growth(model, values, n), 0.01)
    electricity = _per_site(model, values, "electricity", model.site_country, n)
    gas = _per_site(model, values, "gas", model.site_country, n)
    freight_f = _mode_factors(values, "freight", n)
    waits = np.stack([values.get(f"wait.{w}", np.ones(n)) for w in WAITS], axis=-1)
    transit_f = np.concatenate([_mode_factors(values, "transit", n), waits], axis=-1)  # DAY_PARTS
    shift = values.get("duty", np.zeros(n)) / 100.0
    eur = values.get("fx.EUR", np.ones(n))
    own = {name: values.get(f"site.{name}", 1.0) for name in SITE_INPUTS}  # (n, S) or 1
    return replace(
        x,
        wage_usd_per_hour=x.wage_usd_per_hour * growth * own["wage"] / fx_site,
        electricity_usd_per_kwh=x.electricity_usd_per_kwh * electricity * own["electricity"] / fx_site,
        gas_usd_per_m3=x.gas_usd_per_m3 * gas * own["gas"] / fx_site,
        # land prices are quoted in KZT, TRY or USD (see land.csv): only the site factor moves them
        land_usd_per_m2_year=x.land_usd_per_m2_year * own["land"],
        freight_usd=np.einsum("smrk,nk->nsmr", model.freight_by_mode, freight_f),
        transit_days=np.einsum("smrk,nk->nsmr", model.days_by_mode, transit_f),
        material_freight_usd=np.einsum("skq,nq->nsk", model.material_freight_by_mode, freight_f),
        # a duty change moves rates that apply; duty-free trade (rate 0) stays free
        duty_rate=_shifted(x.duty_rate, shift),
        material_duty_rate=_shifted(x.material_duty_rate, shift),
        # EAEU specific minimums are in EUR: more EUR per USD makes them smaller in USD
        duty_min_usd=x.duty_min_usd / eur[:, None, None],
        volume=x.volume if demand_factor is None else (model.demand * demand_factor).sum(axis=-1)[:, None],
    )


def _growth(model: RiskModel, values: dict[str, Array], n: int) -> Array:
    """Wage growth rate per sample and site, (n, S); 0 where the country has no variable."""
    out = np.zeros((n, len(model.site_country)))
    keys = np.array(model.site_country)
    for country in set(model.site_country):
        name = f"wage_growth.{country}"
        if name in values:
            out[:, keys == country] = values[name][:, None]
    return out


def _shifted(rate: Array, shift: Array) -> Array:
    """Rates moved by ``shift`` (n,), floored at 0; a rate of 0 (duty-free trade) stays 0."""
    expand = shift.reshape((-1,) + (1,) * np.ndim(rate))
    shifted = np.maximum(rate + expand, 0.0)
    shifted *= rate > 0  # the same as np.where(rate > 0, shifted, 0.0) for finite rates, faster
    return shifted


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


def annual_cost(model: RiskModel, x: CostInputs, demand_factor: Array) -> Array:
    """Annual landed cost per sample and site in the plan's currency, (n, S)."""
    per_unit = landed_cost(x).sum(axis=-1)  # (n, S, M)
    # a batched matrix product over markets: much faster than a generic einsum here
    return np.matmul(per_unit, (model.demand * demand_factor)[:, :, None])[..., 0] * model.fx


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
    fx_site = _per_site(model, values, "fx", currency, n)
    own = {name: values.get(f"site.{name}", 1.0) for name in SITE_INPUTS}
    growth = np.maximum(1.0 + _growth(model, values, n), 0.01)
    shift = values.get("duty", np.zeros(n)) / 100.0
    volume = (model.demand * demand_factor).sum(axis=-1)[:, None] if demand_factor is not None else x.volume

    labour = x.labour_hours * (x.wage_usd_per_hour * growth * own["wage"] / fx_site) * (1.0 + x.social_rate)
    electricity = _per_site(model, values, "electricity", model.site_country, n)
    gas = _per_site(model, values, "gas", model.site_country, n)
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
    priced = (x.material_cost_usd + material_freight) * (1.0 + material_duty * x.input_duty_share[..., None])
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


@dataclass(frozen=True)
class Chunk:
    """The result of blocks ``first .. first + len(sums) - 1``."""

    first_block: int
    start: int  # first sample
    costs: Array  # (n_chunk, S) annual cost per sample and site
    sums: Array  # (blocks, S) sum of the cost per block
    best: NDArray[np.int64]  # (blocks, S) how often each site was the cheapest
    regret: Array  # (blocks, S) sum of cost minus the sample's cheapest cost


def block_bounds(samples: int, block: int) -> tuple[int, int]:
    start = block * BLOCK
    return start, min(start + BLOCK, samples)


def compute_chunk(model: RiskModel, seed: int, first_block: int, stop_block: int, samples: int) -> Chunk:
    """Draw and evaluate blocks ``first_block .. stop_block - 1`` of a run of ``samples``.

    Each block is drawn and evaluated on its own: its arrays fit in the CPU's caches (one block of
    the apparel example is ~4 MB per site x market x route array; several blocks at once ran 20-40 %
    slower), and the arithmetic of a sample never depends on how the run was cut into chunks."""
    costs, sums, best, regret = [], [], [], []
    for b in range(first_block, stop_block):
        lo, hi = block_bounds(samples, b)
        values, demand = draw(model, seed, b, hi - lo)
        block = annual_cost_direct(model, values, demand)
        cheapest = block.min(axis=1, keepdims=True)
        costs.append(block)
        sums.append(block.sum(axis=0))
        best.append(np.bincount(np.argmin(block, axis=1), minlength=block.shape[1]))
        regret.append((block - cheapest).sum(axis=0))
    return Chunk(
        first_block,
        first_block * BLOCK,
        np.concatenate(costs),
        np.array(sums),
        np.array(best, dtype=np.int64),
        np.array(regret),
    )


def chunk_blocks(model: RiskModel) -> int:
    """Blocks per chunk (a task on Dask, a progress step here) so that the chunk's annual costs,
    (samples, sites), stay near :data:`CHUNK_BYTES`: large enough to pay for a task."""
    per_block = BLOCK * len(model.site_ids) * 8
    return max(1, CHUNK_BYTES // per_block)
