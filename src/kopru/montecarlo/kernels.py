"""Compiled inner loops of the Monte Carlo: the route choice, duties and taxes per sample, site
and market; drawing the standard normals and mixing the site factors' ones; one pass over a
site's column of costs for its quantiles.

NumPy evaluates these as a dozen passes over (samples, sites, markets, routes) arrays, each
larger than the CPU's caches; compiled with Numba they are one pass with the sample axis
innermost, so the compiler uses SIMD lanes across samples and nothing but (samples,) rows is
written between steps. The arithmetic is the NumPy engine's, operation for operation and in
the same order (no fused multiply-adds: Numba does not contract without ``fastmath``), so the
results equal it to rounding (tests compare at 1e-13).

Compiled code is cached beside this file (or in the user's cache directory when the package's
is read-only); :func:`warm` compiles it in the parent before worker processes start, so that they
load it instead of compiling it each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from kopru.montecarlo.spec import DAY_PARTS, MODES, Array


def _compiled(fn: Callable[..., Array]) -> Callable[..., Array]:
    try:
        return numba.njit(cache=True, nogil=True)(fn)
    except RuntimeError:  # no writable cache directory at all: compile in each process instead
        return numba.njit(nogil=True)(fn)


@_compiled
def _minimum(a: float, b: float) -> float:
    """As np.minimum: a NaN in either wins (Python's min would drop one in ``b``)."""
    return a if (a < b or a != a) else b


@_compiled
def _maximum(a: float, b: float) -> float:
    """As np.maximum: a NaN in either wins."""
    return a if (a > b or a != a) else b


def as_argument(a: Any) -> Array:
    """A C-ordered, writeable float64 array: the one type the kernels take (a read-only view or
    another layout would compile a second copy of a kernel)."""
    return np.require(a, np.float64, ("C", "W"))


# columns of the per-site constants and entries of the product's scalars given to annual_costs
SITE_COLUMNS = (
    "labour_hours",
    "wage_usd_per_hour",
    "social_rate",
    "electricity_usd_per_kwh",
    "gas_usd_per_m3",
    "land_usd_per_m2_year",
    "capex_usd",
    "property_tax_rate",
    "corporate_tax_rate",
    "input_duty_share",
    "land_imputed",
)
SCALARS = (
    "electricity_kwh",
    "gas_m3",
    "land_m2",
    "fixed_costs_usd",
    "building_share",
    "capital_recovery",
    "carrying_rate",
    "depreciation",
)
# the per-country (or per-currency) factor families, in the order of annual_costs' ``keyed``
FAMILIES = ("fx", "wage_growth", "electricity", "gas", "labour_hours")


@_compiled
def annual_costs(
    site: Array,  # (S, SITE_COLUMNS): base values
    scalar: Array,  # (SCALARS,)
    keyed: Array,  # (FAMILIES, keys, n): each family's factor per key (country or currency)
    key_of: Array,  # (FAMILIES, S) int: the row of ``keyed`` each site reads
    own_wage: Array,  # (n, S): the site's own factors (kopru.montecarlo.spec.SITE_INPUTS)
    own_electricity: Array,  # (n, S)
    own_gas: Array,  # (n, S)
    own_land: Array,  # (n, S)
    volume: Array,  # (n,): units produced and sold
    material_cost: Array,  # (S, K)
    material_duty: Array,  # (S, K): base duty rate on each bought input
    material_by_mode: Array,  # (S, K, modes): inbound freight, USD per unit
    freight_f: Array,  # (modes, n): freight factor by mode
    transit_f: Array,  # (day parts, n): travel time factor by mode, then border and port waits
    shift: Array,  # (n,): duty rate shift (fraction), applied where a rate is > 0
    material_f: Array,  # (n,): factor on the inputs' prices at their origins
    eur: Array,  # (n,): EUR factor (more EUR per USD makes the EUR minimums smaller)
    freight_by_mode: Array,  # (S, M, R, 4 modes): USD per unit
    days_by_mode: Array,  # (S, M, R, 6 day parts: the modes, border and port waits)
    duty_rate: Array,  # (S, M)
    duty_min: Array,  # (S, M): specific minimum duty per unit, USD at the base EUR rate
    input_due: Array,  # (S, M): share of the inputs' duty due on units sold in the market
    price: Array,  # (M,)
    weight: Array,  # (M, n): units sold per market in each sample
    out: Array,  # (S, n): annual landed cost, USD
) -> Array:
    """Annual landed cost per site and sample, the arithmetic of :func:`kopru.costs.landed_cost`:
    ex-works cost (materials with inbound freight and duty, energy, labour, capital, land), the
    cheaper route alternative per market with the carrying cost of goods in transit, duties on the
    customs value with their minimums, property and profit tax, summed over markets by units sold."""
    n_sites, n = out.shape
    n_markets, n_routes = freight_by_mode.shape[1], freight_by_mode.shape[2]
    kwh, gas_m3, land_m2, fixed, building, recovery, carrying, depreciation = scalar
    ex_works = np.empty(n)
    materials_free, input_duty, rest = np.empty(n), np.empty(n), np.empty(n)
    property_tax = np.empty(n)
    allowance = np.empty(n)
    best = np.empty(n)
    carried = np.empty(n)  # the carrying part of the best route's cost, which the tax base adds back
    total = np.empty(n)
    for s in range(n_sites):
        hours, wage, social, electricity, gas, land, capex, property_rate, tax, input_share, imputed = site[s]
        fx, growth, el, gs, lh = key_of[0, s], key_of[1, s], key_of[2, s], key_of[3, s], key_of[4, s]
        for i in range(n):
            rate_fx = keyed[0, fx, i]
            # nominal local wage growth, floored so a far tail cannot make wages negative
            labour = (hours * keyed[4, lh, i]) * (
                wage * _maximum(1.0 + keyed[1, growth, i], 0.01) * own_wage[i, s] / rate_fx
            )
            labour = labour * (1.0 + social)
            energy = kwh * (electricity * keyed[2, el, i] * own_electricity[i, s] / rate_fx)
            energy = energy + gas_m3 * (gas * keyed[3, gs, i] * own_gas[i, s] / rate_fx)
            capital = (capex * recovery + fixed + land_m2 * (land * own_land[i, s])) / volume[i]
            bought, duty = 0.0, 0.0
            for k in range(material_cost.shape[1]):
                inbound = 0.0
                for q in range(material_by_mode.shape[2]):
                    inbound += freight_f[q, i] * material_by_mode[s, k, q]
                rate = material_duty[s, k]
                shifted = _maximum(rate + shift[i], 0.0) if rate > 0 else 0.0
                value = material_cost[s, k] * material_f[i] + inbound
                bought = value if k == 0 else bought + value
                # an unreachable input's infinite value at a 0 % duty pays none (inf x 0 is NaN)
                factor = shifted * input_share
                levied = value * factor if factor > 0 else 0.0
                duty = levied if k == 0 else duty + levied
            materials_free[i], input_duty[i] = bought, duty
            rest[i] = energy + labour + capital
            property_tax[i] = property_rate * building * capex / volume[i]
            # the tax base deducts depreciation, not the capital charge's return on capital, nor
            # owned land's price x WACC
            owned = land_m2 * (land * own_land[i, s]) * imputed
            allowance[i] = (capex * (recovery - depreciation) + owned) / volume[i]
            total[i] = 0.0
        for m in range(n_markets):
            due = input_due[s, m]
            for i in range(n):
                best[i] = np.inf
                carried[i] = 0.0
                # the inputs of exported units may be duty-free (inward processing)
                levied = input_duty[i] * due if due > 0 else 0.0  # inf x 0 would be NaN
                ex_works[i] = (materials_free[i] + levied) + rest[i]
            for r in range(n_routes):
                # four modes and six day parts written out: one pass over the samples per route
                f0, f1, f2, f3 = freight_by_mode[s, m, r]
                d0, d1, d2, d3, d4, d5 = days_by_mode[s, m, r]
                for i in range(n):
                    freight = (
                        freight_f[0, i] * f0
                        + freight_f[1, i] * f1
                        + freight_f[2, i] * f2
                        + freight_f[3, i] * f3
                    )
                    days = (
                        transit_f[0, i] * d0
                        + transit_f[1, i] * d1
                        + transit_f[2, i] * d2
                        + transit_f[3, i] * d3
                        + transit_f[4, i] * d4
                        + transit_f[5, i] * d5
                    )
                    # freight + ex-works value x carrying rate x days / 365, the engine's order; the
                    # first of equal costs, as the engine's argmin; a NaN is passed on, as np.minimum
                    carry = days * (ex_works[i] * carrying) / 365.0
                    cost = carry + freight
                    if (cost < best[i] or cost != cost) and best[i] == best[i]:
                        best[i], carried[i] = cost, carry
            rate, minimum, p = duty_rate[s, m], duty_min[s, m], price[m]
            for i in range(n):
                delivered = ex_works[i] + best[i]
                # a duty change moves rates that apply; duty-free trade (rate 0) stays free
                shifted = _maximum(rate + shift[i], 0.0) if rate > 0 else 0.0
                # on the customs value, price / (1 + rate) (kopru.costs.customs_value); an unreachable
                # lane's infinite cost stays infinite, even at a 0 % duty
                ad_valorem = np.inf if delivered == np.inf else shifted * (p / (1.0 + shifted))
                pre_tax = delivered + _maximum(ad_valorem, minimum / eur[i]) + property_tax[i]
                untaxed = allowance[i] + carried[i]
                total[i] += (pre_tax + tax * _maximum(p - pre_tax + untaxed, 0.0)) * weight[m, i]
        for i in range(n):
            out[s, i] = total[i]
    return out


def standard_normals(rng: np.random.Generator, out: Array) -> Array:
    """``out`` (C-ordered) filled with ``rng.standard_normal(out.shape)``'s values, in the same order.

    Numba's Generator runs NumPy's own algorithm (the ziggurat of ``random_standard_normal``) on
    the generator's bit stream, so the values are bit for bit NumPy's (tested) and the generator
    advances by as much; compiled, with the draw inlined, it takes a third of NumPy's time here
    (NumPy calls through a pointer per value, and branches on each sign)."""
    if out.dtype != np.float64 or not out.flags.c_contiguous:  # else reshape would fill a copy
        raise ValueError("out must be a C-contiguous float64 array")
    _fill_normals(rng, out.reshape(-1))  # a view: one compiled variant for every shape
    return out


@_compiled
def _fill_normals(rng: np.random.Generator, flat: Array) -> None:
    for i in range(flat.size):
        flat[i] = rng.standard_normal()


@_compiled
def mix_site_normals(
    shared: Array, own: Array, region_of: Array, place_of: Array, w: Array, out: Array
) -> Array:
    """(V, n, S) normals of the site factors, into ``out``, from the (n, V, regions) and (n, V, places)
    draws: sqrt(w) x the region's normal + sqrt(1 - w) x the site's place's own, so two sites of one
    region correlate by ``w[v]`` (per variable), two at one place (a zone at its region's centre)
    fully, and sites of two regions not at all."""
    n_vars, n, n_sites = out.shape
    for v in range(n_vars):
        a, b = np.sqrt(w[v]), np.sqrt(1.0 - w[v])
        for i in range(n):
            for s in range(n_sites):
                out[v, i, s] = a * shared[i, v, region_of[s]] + b * own[i, v, place_of[s]]
    return out


@_compiled
def block_sums(
    cost: Array,  # (n, S) annual cost of each sample and site
    units: Array,  # (n,) units sold in each sample
    confirmed: NDArray[np.bool_],  # (S,) sites whose incentives need no confirmation
    sums: Array,  # (S,) out: sum of the cost
    best: NDArray[np.int64],  # (S,) out: how often the site is the cheapest
    regret: Array,  # (S,) out: sum of the cost less the sample's cheapest
    squares: Array,  # (S,) out: sum of the squared deviations from the block's mean
    unit_sums: Array,  # (S,) out: sum of the cost per unit sold
    best_confirmed: NDArray[np.int64],  # (S,) out: cheapest among the confirmed sites
) -> float:
    """A block's sums in two passes over its costs (numpy took seven), into zeroed ``out`` arrays;
    returns the units sold in all. Ties go to the first site, as np.argmin's."""
    n, n_sites = cost.shape
    sold = 0.0
    for i in range(n):
        low, k = cost[i, 0], 0
        low_confirmed, kc = np.inf, -1
        per_unit = 1.0 / units[i]
        for s in range(n_sites):
            c = cost[i, s]
            sums[s] += c
            unit_sums[s] += c * per_unit
            if c < low:
                low, k = c, s
            if confirmed[s] and c < low_confirmed:
                low_confirmed, kc = c, s
        best[k] += 1
        if kc >= 0:
            best_confirmed[kc] += 1
        for s in range(n_sites):
            regret[s] += cost[i, s] - low
        sold += units[i]
    for s in range(n_sites):
        mean = sums[s] / n
        total = 0.0
        for i in range(n):
            d = cost[i, s] - mean
            total += d * d
        squares[s] = total
    return sold


@_compiled
def sift(values: Array, low: Array, high: Array, kept: Array, n_kept: Array, gaps: Array) -> float:
    """One pass over ``values`` through sorted brackets [low[b], high[b]] (high increasing): the
    values inside bracket b go to ``kept[b]`` (``n_kept[b]`` counts them, also past its capacity),
    ``gaps[g]`` counts the values between bracket g - 1 and bracket g (``gaps[-1]``: above the
    last). Returns the sum of the values above the last bracket (compensated, so the order adds no
    error), NaN when a value is NaN (or +inf: the compensation turns it into NaN)."""
    n_brackets, capacity = kept.shape
    floor = np.empty(n_brackets + 1)
    floor[:n_brackets] = low
    floor[n_brackets] = np.nan  # nothing is kept above the last bracket, not even +inf
    total, carry = 0.0, 0.0
    nans = 0
    for i in range(values.size):
        v = values[i]
        nans += v != v
        b = 0
        for g in range(n_brackets):  # counted, not branched on: the bracket of a value is random
            b += v > high[g]
        if v >= floor[b]:
            j = n_kept[b]
            if j < capacity:
                kept[b, j] = v
            n_kept[b] = j + 1
        else:
            gaps[b] += 1
            if b == n_brackets:  # Kahan's summation
                y = v - carry
                t = total + y
                carry = (t - total) - y
                total = t
    return np.nan if nans else total


def warm() -> None:
    """Compile (or load from the cache) every kernel, on tiny arrays of the types used."""
    one = np.ones((1, 1))
    annual_costs(
        np.ones((1, len(SITE_COLUMNS))),
        np.ones(len(SCALARS)),
        np.ones((len(FAMILIES), 1, 1)),
        np.zeros((len(FAMILIES), 1), dtype=np.intp),
        one,
        one,
        one,
        one,
        np.ones(1),
        one,
        one,
        np.ones((1, 1, len(MODES))),
        np.ones((len(MODES), 1)),
        np.ones((len(DAY_PARTS), 1)),
        np.zeros(1),
        np.ones(1),
        np.ones(1),
        np.ones((1, 1, 1, len(MODES))),
        np.ones((1, 1, 1, len(DAY_PARTS))),
        one,
        one,
        one,
        np.ones(1),
        one,
        np.empty((1, 1)),
    )
    ones = np.ones((1, 1, 1))
    first = np.zeros(1, dtype=np.intp)
    mix_site_normals(ones, ones, first, first, np.ones(1) * 0.5, np.empty((1, 1, 1)))
    counts = np.zeros(1, dtype=np.int64)
    sift(np.ones(1), np.ones(1), np.ones(1), np.empty((1, 1)), counts, np.zeros(2, dtype=np.int64))
    z, k = np.zeros(1), np.zeros(1, dtype=np.int64)
    block_sums(
        np.ones((1, 1)), np.ones(1), np.ones(1, dtype=np.bool_), z, k, z.copy(), z.copy(), z.copy(), k.copy()
    )
    standard_normals(np.random.default_rng(0), np.empty(1))
