"""Drawing the samples and pushing them through the cost engine, one chunk of blocks at a time.

Reproducibility does not depend on how the work is cut: samples live in fixed blocks of
:data:`BLOCK` draws, and block ``b`` draws from ``SeedSequence(seed, spawn_key=(b, stream))``
(counter-based seeding), so sample ``i`` is the same in one chunk, in many chunks or on a Dask
worker. A chunk holds a few blocks; its size follows sites × markets (:data:`CHUNK_BYTES`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from kopru.costs import CostInputs, landed_cost
from kopru.montecarlo import kernels
from kopru.montecarlo.model import RiskModel
from kopru.montecarlo.spec import MODES, SITE_INPUTS, WAITS, Array

BLOCK = 1024  # samples per seeding block: the unit of reproducibility, never changes with chunking
CHUNK_BYTES = 16 * 2**20  # target size of one chunk's annual costs (samples × sites × 8 bytes)


def _rng(seed: int, block: int, stream: int) -> np.random.Generator:
    """Counter-based stream: depends on (seed, block, stream) only, never on the chunk layout."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, stream))))


def draw(
    model: RiskModel, seed: int, block: int, size: int, scratch: bool = False
) -> tuple[dict[str, Array], Array]:
    """The draws of one block: ``({variable: (size,) or (size, S) for site.*}, demand (size, M))``.

    The first ``size`` rows of a block do not depend on ``size`` (each array has its own stream,
    filled row by row), so a run of n samples is a prefix of a run of more. With ``scratch``, the
    site factors live in this thread's buffer until the next scratch draw (a chunk evaluates each
    block before it draws the next).
    """
    u = model.uncertainty
    z = kernels.standard_normals(_rng(seed, block, 0), np.empty((size, len(u.copula_names)))) @ u.cholesky.T
    values = {name: u.variables[name].transform(z[:, j]) for j, name in enumerate(u.copula_names)}
    demand = np.ones((size, len(model.demand)))
    if "demand" in u.variables:
        demand = u.variables["demand"].transform(kernels.standard_normals(_rng(seed, block, 1), demand))
    return values | _site_draws(model, seed, block, size, scratch), demand


def _site_draws(
    model: RiskModel, seed: int, block: int, size: int, scratch: bool = False
) -> dict[str, Array]:
    """Site-level factors, (size, S) each: a region's common normal and the site's place's own, mixed
    so that two sites of one region correlate by ``within_region``, two at one place fully (a zone
    and the region whose centre it is in: otherwise noise alone would rank two equal sites), and
    sites of two regions not at all.
    """
    names = model.uncertainty.site_names
    if not names or model.site_borrowed is None:
        return {}
    regions, region_of = np.unique(np.array(model.site_region), return_inverse=True)
    places, place_of = np.unique(np.array(model.site_place or model.site_ids), return_inverse=True)
    n_sites = len(model.site_ids)
    # the normals are mixed and dropped at once: drawn into this thread's buffers, the same values
    normals = kernels.standard_normals
    shared = normals(_rng(seed, block, 2), _buffer("shared", (size, len(names), len(regions))))
    own = normals(_rng(seed, block, 3), _buffer("own", (size, len(names), len(places))))
    variables = [model.uncertainty.variables[name] for name in names]
    within = np.array([d.params.get("within_region", 0.0) for d in variables])
    shape = (len(names), size, n_sites)  # the factors are computed in place, in this array
    z = kernels.mix_site_normals(
        shared, own, region_of, place_of, within, _buffer("factors", shape) if scratch else np.empty(shape)
    )
    out = {}
    for k, (name, d) in enumerate(zip(names, variables, strict=True)):
        column = SITE_INPUTS.index(name.removeprefix("site."))
        out[name] = d.site_factor(z[k], model.site_borrowed[:, column], out=z[k])
        if model.site_national is not None:
            out[name][:, model.site_national[:, column]] = 1.0
    return out


_BUFFERS = threading.local()


def _buffer(name: str, shape: tuple[int, ...], fill: float | None = None) -> Array:
    """A scratch array of this thread, kept between blocks (fresh arrays of this size cost their
    page faults every block); with ``fill``, a constant array, filled once."""
    kept = getattr(_BUFFERS, name, None)
    if kept is None or kept.shape != shape:
        kept = np.empty(shape) if fill is None else np.full(shape, fill)
        setattr(_BUFFERS, name, kept)
    return kept


def _per_site(
    values: dict[str, Array],
    family: str,
    keys: tuple[str, ...],
    n: int,
    neutral: float = 1.0,
) -> Array:
    """(n, S) factor of a per-country (or per-currency) variable; ``neutral`` where none is given."""
    rows, index = _keyed(values, family, keys, neutral, n)
    return rows[index].T


def _keyed(
    values: dict[str, Array], family: str, keys: tuple[str, ...], neutral: float, n: int
) -> tuple[Array, NDArray[np.intp]]:
    """A per-country (or per-currency) family as rows, (1 + drawn keys, n), and each site's row:
    row 0 is ``neutral`` for the keys the family does not draw."""
    drawn = sorted({k for k in keys if f"{family}.{k}" in values})
    rows = np.full((1 + len(drawn), n), neutral)
    for r, key in enumerate(drawn, start=1):
        rows[r] = values[f"{family}.{key}"]
    index = np.array([drawn.index(k) + 1 if k in drawn else 0 for k in keys], dtype=np.intp)
    return rows, index


def _mode_factors(values: dict[str, Array], family: str, n: int) -> Array:
    return np.stack([values.get(f"{family}.{m}", np.ones(n)) for m in MODES], axis=-1)


def sampled_inputs(
    model: RiskModel, values: dict[str, Array], n: int, demand_factor: Array | None = None
) -> CostInputs:
    """CostInputs with a leading sample axis: (n, S), (n, S, K), (n, S, M), (n, S, M, R).

    With ``demand_factor`` (n, M), the units sold move with it, and the fixed costs are spread over
    each sample's units (the one cost definition of :mod:`kopru.costs`)."""
    x = model.x
    # local prices and wages are in the site's currency: more units per USD makes them cheaper in USD
    fx_site = _per_site(values, "fx", model.site_currency, n)
    # nominal local wage growth; floored so that a far tail of a normal cannot make wages negative
    growth = np.maximum(1.0 + _per_site(values, "wage_growth", model.site_country, n, 0.0), 0.01)
    electricity = _per_site(values, "electricity", model.site_country, n)
    gas = _per_site(values, "gas", model.site_country, n)
    hours = _per_site(values, "labour_hours", model.site_country, n)
    freight_f = _mode_factors(values, "freight", n)
    waits = np.stack([values.get(f"wait.{w}", np.ones(n)) for w in WAITS], axis=-1)
    transit_f = np.concatenate([_mode_factors(values, "transit", n), waits], axis=-1)  # DAY_PARTS
    shift = values.get("duty", np.zeros(n)) / 100.0
    eur = values.get("fx.EUR", np.ones(n))
    own = {name: values.get(f"site.{name}", 1.0) for name in SITE_INPUTS}  # (n, S) or 1
    # the inputs' prices at their origins, (K,) or (S, K), one factor a draw for them all
    material = np.asarray(values.get("material", np.ones(n))).reshape((n, 1, 1))
    return replace(
        x,
        labour_hours=x.labour_hours * hours,
        wage_usd_per_hour=x.wage_usd_per_hour * growth * own["wage"] / fx_site,
        electricity_usd_per_kwh=x.electricity_usd_per_kwh * electricity * own["electricity"] / fx_site,
        gas_usd_per_m3=x.gas_usd_per_m3 * gas * own["gas"] / fx_site,
        # land quoted in the site's currency moves with its exchange rate, like wages (land.csv)
        land_usd_per_m2_year=x.land_usd_per_m2_year * own["land"] * _land_fx(model, fx_site),
        freight_usd=np.einsum("smrk,nk->nsmr", model.freight_by_mode, freight_f),
        transit_days=np.einsum("smrk,nk->nsmr", model.days_by_mode, transit_f),
        material_freight_usd=np.einsum("skq,nq->nsk", model.material_freight_by_mode, freight_f),
        material_cost_usd=np.asarray(x.material_cost_usd) * material,
        # a duty change moves rates that apply; duty-free trade (rate 0) stays free
        duty_rate=_shifted(x.duty_rate, shift),
        material_duty_rate=_shifted(x.material_duty_rate, shift),
        # EAEU specific minimums are in EUR: more EUR per USD makes them smaller in USD
        duty_min_usd=x.duty_min_usd / eur[:, None, None],
        volume=x.volume if demand_factor is None else (model.demand * demand_factor).sum(axis=-1)[:, None],
    )


def _land_fx(model: RiskModel, fx_site: Array) -> Array | float:
    """(n, S) the factor an exchange-rate draw puts on each site's land in USD: 1 / the site's fx
    factor where the land is quoted in the site's currency, else 1."""
    if model.land_local is None or not model.land_local.any():
        return 1.0
    return np.where(model.land_local, 1.0 / fx_site, 1.0)


def _shifted(rate: Array, shift: Array) -> Array:
    """Rates moved by ``shift`` (n,), floored at 0; a rate of 0 (duty-free trade) stays 0."""
    expand = shift.reshape((-1,) + (1,) * np.ndim(rate))
    shifted = np.maximum(rate + expand, 0.0)
    shifted *= rate > 0  # the same as np.where(rate > 0, shifted, 0.0) for finite rates, faster
    return shifted


def annual_cost(model: RiskModel, x: CostInputs, demand_factor: Array) -> Array:
    """Annual landed cost per sample and site in the plan's currency, (n, S)."""
    per_unit = landed_cost(x).sum(axis=-1)  # (n, S, M)
    # a batched matrix product over markets: much faster than a generic einsum here
    return np.matmul(per_unit, (model.demand * demand_factor)[:, :, None])[..., 0] * model.fx


def annual_cost_direct(model: RiskModel, values: dict[str, Array], demand_factor: Array) -> Array:
    """Annual landed cost per sample and site, (n, S): the same arithmetic as :func:`annual_cost`
    on :func:`sampled_inputs`, evaluated straight from the factor draws.

    One compiled pass (:func:`kopru.montecarlo.kernels.annual_costs`) per site with the sample
    axis innermost: route freight and transit are linear in the mode factors, and the non-linear
    parts (the route choice, duties with their specific minimums and shifted rates, the profit
    tax's floor at zero) are taken exactly where they act. No (n, S, M, R) array and no CostInputs
    are built: the results equal the engine's to rounding (tested).
    """
    n = len(demand_factor)
    n_sites = len(model.site_ids)
    const = model.kernel_constants
    arg = kernels.as_argument
    keyed = [
        _keyed(values, "fx", model.site_currency, 1.0, n),
        _keyed(values, "wage_growth", model.site_country, 0.0, n),
        _keyed(values, "electricity", model.site_country, 1.0, n),
        _keyed(values, "gas", model.site_country, 1.0, n),
        _keyed(values, "labour_hours", model.site_country, 1.0, n),
    ]
    rows = np.ones((len(keyed), max(len(k) for k, _ in keyed), n))
    for f, (factors, _) in enumerate(keyed):
        rows[f, : len(factors)] = factors
    none = _buffer("ones", (n, n_sites), fill=1.0)  # the factor of a site input with no draw
    own = [values.get(f"site.{name}", none) for name in SITE_INPUTS]
    land = SITE_INPUTS.index("land")
    if model.land_local is not None and model.land_local.any():
        own[land] = own[land] * _land_fx(model, _per_site(values, "fx", model.site_currency, n))
    own = [arg(o) for o in own]
    weight = model.demand * demand_factor  # (n, M) units sold
    waits = np.stack([values.get(f"wait.{w}", np.ones(n)) for w in WAITS])
    out = kernels.annual_costs(
        const.site,
        const.scalar,
        rows,
        np.array([index for _, index in keyed], dtype=np.intp),
        *own,
        arg(weight.sum(axis=-1)),
        const.material_cost,
        const.material_duty,
        const.material_by_mode,
        arg(_mode_factors(values, "freight", n).T),
        arg(np.concatenate([_mode_factors(values, "transit", n).T, waits])),  # (DAY_PARTS, n)
        arg(np.broadcast_to(values.get("duty", 0.0) / 100.0, (n,))),
        arg(np.broadcast_to(values.get("material", 1.0), (n,))),
        arg(np.broadcast_to(values.get("fx.EUR", 1.0), (n,))),
        const.freight_by_mode,
        const.days_by_mode,
        const.duty_rate,
        const.duty_min,
        const.input_due,
        const.price,
        arg(weight.T),
        np.empty((n_sites, n)),
    )
    return out.T * model.fx


@dataclass(frozen=True)
class Chunk:
    """The result of blocks ``first .. first + len(sums) - 1``."""

    first_block: int
    start: int  # first sample
    costs: Array  # (n_chunk, S) annual cost per sample and site
    sums: Array  # (blocks, S) sum of the cost per block
    best: NDArray[np.int64]  # (blocks, S) how often each site was the cheapest
    regret: Array  # (blocks, S) sum of cost minus the sample's cheapest cost
    units: Array  # (n_chunk,) units sold in each sample: the same for every site
    squares: Array  # (blocks, S) sum of the squared deviations from the block's mean cost
    unit_sums: Array  # (blocks, S) sum of the cost per unit sold
    units_sums: Array  # (blocks,) sum of the units sold
    # (blocks, S) how often each site was the cheapest of the sites whose incentives need no
    # confirmation (kopru.sites.unconfirmed_incentives): zero for the others
    best_confirmed: NDArray[np.int64]


def block_bounds(samples: int, block: int) -> tuple[int, int]:
    start = block * BLOCK
    return start, min(start + BLOCK, samples)


def compute_chunk(model: RiskModel, seed: int, first_block: int, stop_block: int, samples: int) -> Chunk:
    """Draw and evaluate blocks ``first_block .. stop_block - 1`` of a run of ``samples``.

    Each block is drawn and evaluated on its own: its arrays fit in the CPU's caches (one block of
    the apparel example is ~4 MB per site x market x route array; several blocks at once ran 20-40 %
    slower), and the arithmetic of a sample never depends on how the run was cut into chunks."""
    blocks = [_block(model, seed, b, samples) for b in range(first_block, stop_block)]

    def stacked(name: str, dtype: type = np.float64) -> Array:
        return np.array([getattr(b, name) for b in blocks], dtype=dtype)

    return Chunk(
        first_block,
        first_block * BLOCK,
        np.concatenate([b.costs for b in blocks]),
        stacked("sums"),
        stacked("best", np.int64),
        stacked("regret"),
        np.concatenate([b.units for b in blocks]),
        stacked("squares"),
        stacked("unit_sums"),
        stacked("units_sum"),
        stacked("best_confirmed", np.int64),
    )


class _Block(NamedTuple):
    """One block's costs and units sold, and its sums (see :class:`Chunk`)."""

    costs: Array
    units: Array
    sums: Array
    best: NDArray[np.int64]
    regret: Array
    squares: Array
    unit_sums: Array
    units_sum: float
    best_confirmed: NDArray[np.int64]


def _block(model: RiskModel, seed: int, b: int, samples: int) -> _Block:
    """Block ``b`` drawn and evaluated, with its sums."""
    lo, hi = block_bounds(samples, b)
    values, demand = draw(model, seed, b, hi - lo, scratch=True)
    cost = np.ascontiguousarray(annual_cost_direct(model, values, demand))
    units = np.ascontiguousarray((model.demand * demand).sum(axis=-1))  # the kernel's volume, to the bit
    n_sites = cost.shape[1]
    # the cheapest of the sites whose incentives need no confirmation: the world in which no
    # unconfirmed SEZ incentive holds (such a zone then costs what its region does, a site of its own)
    unconfirmed = model.unconfirmed if model.unconfirmed is not None else np.zeros(n_sites, dtype=bool)
    sums, regret, squares, unit_sums = (np.zeros(n_sites) for _ in range(4))
    best, best_confirmed = np.zeros(n_sites, dtype=np.int64), np.zeros(n_sites, dtype=np.int64)
    sold = kernels.block_sums(
        cost, units, ~unconfirmed, sums, best, regret, squares, unit_sums, best_confirmed
    )
    return _Block(cost, units, sums, best, regret, squares, unit_sums, sold, best_confirmed)


def chunk_blocks(model: RiskModel) -> int:
    """Blocks per chunk (a task on Dask, a progress step here) so that the chunk's annual costs,
    (samples, sites), stay near :data:`CHUNK_BYTES`: large enough to pay for a task."""
    per_block = BLOCK * len(model.site_ids) * 8
    return max(1, CHUNK_BYTES // per_block)
