"""The compiled kernels against the NumPy arithmetic they replace (the oracle: the same formulas
written as NumPy array expressions, and kopru.costs.landed_cost through the engine tests)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopru.montecarlo import kernels
from kopru.montecarlo.sampling import _keyed


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 40),
    n_vars=st.integers(1, 5),
    n_sites=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_site_normals_mix_exactly_as_numpy_does(n: int, n_vars: int, n_sites: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    region_of = rng.integers(0, max(1, n_sites // 3), n_sites).astype(np.intp)
    shared = rng.standard_normal((n, n_vars, region_of.max() + 1))
    own = rng.standard_normal((n, n_vars, n_sites))
    within = rng.uniform(0, 1, n_vars)
    place_of = np.arange(n_sites)
    mixed = kernels.mix_site_normals(shared, own, region_of, place_of, within, np.empty((n_vars, n, n_sites)))
    for v in range(n_vars):
        expected = np.sqrt(within[v]) * shared[:, v, region_of] + np.sqrt(1.0 - within[v]) * own[:, v]
        assert np.array_equal(mixed[v], expected)  # bit for bit: the draws of a seed do not move


@pytest.mark.parametrize("seed", [0, 7, 2**31 + 5])
def test_standard_normals_are_numpys_bit_for_bit(seed: int) -> None:
    # oracle: NumPy's Generator.standard_normal on the same seed. 3 million values take the ziggurat's
    # rare branches too (about 1 in 140 is rejected at a layer's edge, some fall in the tail)
    shape = (1500, 2, 1000)
    ours = kernels.standard_normals(np.random.default_rng(seed), np.empty(shape))
    theirs = np.random.default_rng(seed).standard_normal(shape)
    assert np.array_equal(ours, theirs)
    assert (np.abs(ours) > 3.6541528853610088).sum() > 100  # the ziggurat's tail was drawn
    # the generator advances by as much as NumPy's: the next value is NumPy's next value
    rng_ours, rng_theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    kernels.standard_normals(rng_ours, np.empty(1001))
    rng_theirs.standard_normal(1001)
    assert rng_ours.random() == rng_theirs.random()


@pytest.mark.parametrize(
    "out", [np.zeros((3, 4))[:, :2], np.zeros((2, 3), order="F"), np.zeros(4, dtype=np.float32)]
)
def test_standard_normals_refuse_an_array_they_cannot_fill_in_place(out: np.ndarray) -> None:
    with pytest.raises(ValueError, match="C-contiguous float64"):
        kernels.standard_normals(np.random.default_rng(0), out)


def test_sites_of_one_region_share_their_normal() -> None:
    shared = np.array([[[1.0, -2.0]]])  # one sample, one variable, two regions
    own = np.array([[[0.5, 0.5, 0.5]]])
    regions = np.array([0, 1, 0], dtype=np.intp)
    places = np.arange(3)
    mixed = kernels.mix_site_normals(shared, own, regions, places, np.array([1.0]), np.empty((1, 1, 3)))
    assert mixed[0, 0].tolist() == [1.0, -2.0, 1.0]  # within_region 1: the region's normal alone
    own = np.array([[[0.5, -1.5]]])  # two places: the first and third site at the first
    mixed = kernels.mix_site_normals(
        shared, own, regions, np.array([0, 1, 0]), np.array([0.0]), np.empty((1, 1, 3))
    )
    assert mixed[0, 0].tolist() == [0.5, -1.5, 0.5]  # within_region 0: the place's own alone


def test_keyed_rows_put_undrawn_keys_on_the_neutral_row() -> None:
    values = {"fx.KZT": np.array([1.1, 0.9]), "fx.TRY": np.array([1.3, 1.2])}
    rows, index = _keyed(values, "fx", ("KZT", "USD", "TRY", "KZT"), 1.0, 2)
    assert rows.tolist() == [[1.0, 1.0], [1.1, 0.9], [1.3, 1.2]]  # neutral, then KZT, TRY (sorted)
    assert index.tolist() == [1, 0, 2, 1]


@pytest.mark.parametrize("material_f", [1.0, 2.0])
def test_one_site_one_market_by_hand(material_f: float) -> None:
    """A hand-computed landed cost: ex-works 100 (labour 40, energy 10 + 5, capital 11, one
    material 30 with 4 of inbound freight), two routes (freight 12 and 9 with 10 and 20 days), 10 %
    duty on the price less the duty, 20 % profit tax on the margin after depreciation (0.04 of
    capex a year, where the capital charge takes 0.1), the owned land's price × WACC (5 m² at 2 a
    year) and the carrying cost of the goods in transit, which the tax base does not deduct. A
    material price drawn twice the pack's doubles the 30 at the origin, not its freight: ex-works 130."""
    site = np.array([[4.0, 10.0, 0.0, 0.1, 0.5, 2.0, 1000.0, 0.0, 0.2, 0.0, 1.0]])  # kernels.SITE_COLUMNS
    scalar = np.array([100.0, 10.0, 5.0, 0.0, 0.5, 0.1, 0.365, 0.04])  # kernels.SCALARS
    volume = np.array([10.0])
    # capital: (1000 x 0.1 + 0 + 5 m² x 2 USD) / 10 units = 11; + materials 34 -> ex-works 100
    args = dict(
        keyed=np.array([[[1.0]], [[0.0]], [[1.0]], [[1.0]], [[1.0]]]),  # fx 1, wage growth 0, energy, hours 1
        key_of=np.zeros((5, 1), dtype=np.intp),
        own_wage=np.ones((1, 1)),
        own_electricity=np.ones((1, 1)),
        own_gas=np.ones((1, 1)),
        own_land=np.ones((1, 1)),
        material_cost=np.array([[30.0]]),
        material_duty=np.array([[0.0]]),
        material_by_mode=np.array([[[4.0, 0.0, 0.0, 0.0]]]),
        freight_f=np.ones((4, 1)),
        transit_f=np.ones((6, 1)),
        shift=np.zeros(1),
        material_f=np.array([material_f]),
        eur=np.ones(1),
        freight_by_mode=np.array([[[[12.0, 0, 0, 0], [0, 9.0, 0, 0]]]]),
        days_by_mode=np.array([[[[10.0, 0, 0, 0, 0, 0], [0, 20.0, 0, 0, 0, 0]]]]),
        duty_rate=np.array([[0.1]]),
        duty_min=np.array([[0.0]]),
        input_due=np.array([[1.0]]),
        price=np.array([200.0]),
        weight=np.array([[10.0]]),
    )
    out = kernels.annual_costs(site, scalar, volume=volume, out=np.empty((1, 1)), **args)
    ex_works = 30.0 * material_f + 4.0 + (100 * 0.1 + 10 * 0.5) + 4 * 10.0 + 11.0
    assert ex_works == {1.0: 100.0, 2.0: 130.0}[material_f]
    # carrying 0.365 a year: 0.1 per day on 100 -> road 12 + 1.0 = 13, rail 9 + 2.0 = 11: rail
    logistics = 9 + 20 * ex_works * 0.365 / 365
    assert logistics < 12 + 10 * ex_works * 0.365 / 365
    # 10 % duty on the customs value, the price 200 less the duty: 200 / 1.1
    pre_tax = ex_works + logistics + 0.1 * 200 / 1.1
    # not deductible: the return on capital, owned land's price × WACC, the goods' carrying cost
    allowance = (1000 * (0.1 - 0.04) + 5 * 2.0) / 10 + 20 * ex_works * 0.365 / 365
    per_unit = pre_tax + 0.2 * (200 - pre_tax + allowance)
    assert out[0, 0] == pytest.approx(per_unit * 10, rel=1e-14)


def test_a_kernel_compiles_without_a_writable_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no cache directory is writable (a read-only install), Numba refuses cache=True at
    decoration; the kernel is then compiled in each process instead of failing the import."""
    import numba

    real = numba.njit

    def njit(*args, **kwargs):
        if kwargs.get("cache"):
            raise RuntimeError("cannot cache function: no locator available")
        return real(*args, **kwargs)

    monkeypatch.setattr(numba, "njit", njit)
    twice = kernels._compiled(lambda a: a * 2.0)
    assert twice(np.array([1.5])).tolist() == [3.0]


def _one_site(
    freight: list[float], eur: float = 1.0, duty: float = 0.1, minimum: float = 0.0, oracle: bool = True
):
    """annual_costs on one site, one market, one sample with the given freight per route (road
    only), and the same landed cost from kopru.costs (the oracle, which takes no NaN), per unit."""
    from kopru.costs import CostInputs, landed_cost

    site = np.array([[4.0, 10.0, 0.0, 0.1, 0.5, 2.0, 1000.0, 0.0, 0.2, 0.0, 1.0]])  # land owned
    scalar = np.array([100.0, 10.0, 5.0, 0.0, 0.5, 0.1, 0.365, 0.04])
    routes = len(freight)
    out = kernels.annual_costs(
        site,
        scalar,
        np.array([[[1.0]], [[0.0]], [[1.0]], [[1.0]], [[1.0]]]),
        np.zeros((5, 1), dtype=np.intp),
        *[np.ones((1, 1))] * 4,
        np.array([10.0]),
        np.array([[30.0]]),
        np.array([[0.0]]),
        np.array([[[4.0, 0.0, 0.0, 0.0]]]),
        np.ones((4, 1)),
        np.ones((6, 1)),
        np.zeros(1),
        np.ones(1),
        np.array([eur]),
        np.array([[[[f, 0.0, 0.0, 0.0] for f in freight]]]),
        np.array([[[[10.0, 0, 0, 0, 0, 0]] * routes]]),
        np.array([[duty]]),
        np.array([[minimum]]),
        np.array([[1.0]]),
        np.array([200.0]),
        np.array([[1.0]]),
        np.empty((1, 1)),
    )[0, 0]
    if not oracle:
        return out, None
    x = CostInputs(
        wage_usd_per_hour=np.array([10.0]),
        social_rate=np.array([0.0]),
        electricity_usd_per_kwh=np.array([0.1]),
        gas_usd_per_m3=np.array([0.5]),
        land_usd_per_m2_year=np.array([2.0]),
        corporate_tax_rate=np.array([0.2]),
        property_tax_rate=np.array([0.0]),
        input_duty_share=np.array([0.0]),
        capex_usd=np.array([1000.0]),
        material_freight_usd=np.array([[4.0]]),
        material_duty_rate=np.array([[0.0]]),
        freight_usd=np.array([[freight]]),
        transit_days=np.array([[[10.0] * routes]]),
        duty_rate=np.array([[duty]]),
        duty_min_usd=np.array([[minimum / eur]]),
        input_duty_due=np.array([[1.0]]),
        material_cost_usd=np.array([[30.0]]),
        price_usd=np.array([200.0]),
        labour_hours=4.0,
        electricity_kwh=100.0,
        gas_m3=10.0,
        land_m2=5.0,
        fixed_costs_usd=0.0,
        building_share=0.5,
        capital_recovery=0.1,
        depreciation=0.04,
        volume=10.0,
        carrying_rate=0.365,
        land_imputed=np.array([1.0]),
    )
    return out, float(landed_cost(x).sum(axis=-1)[0, 0])


@pytest.mark.parametrize(
    "freight",
    [[12.0, 9.0], [np.inf, 9.0], [np.inf, np.inf]],
    ids=["both", "one unreachable", "none reachable"],
)
@pytest.mark.parametrize("duty", [0.1, 0.0])
def test_unreachable_routes_as_the_engine_treats_them(freight, duty):
    kernel, engine = _one_site(freight, duty=duty)
    assert kernel == pytest.approx(engine, rel=1e-14) if np.isfinite(engine) else kernel == engine == np.inf


def test_a_nan_is_passed_on_not_dropped():
    """np.minimum and np.maximum pass a NaN on; so do the kernels (a route or a factor that went
    wrong shows, instead of the other route or the duty minimum quietly standing in)."""
    assert np.isnan(_one_site([12.0, np.nan], oracle=False)[0])
    assert np.isnan(_one_site([12.0, 9.0], eur=np.nan, minimum=1.0, oracle=False)[0])


def test_block_sums_equal_numpys() -> None:
    """The fused block sums against NumPy's passes on the same costs (ties to the first site, as
    np.argmin; the cheapest confirmed site among a mask)."""
    rng = np.random.default_rng(3)
    cost = np.round(rng.lognormal(2.0, 0.3, (257, 6)), 1)  # rounded: ties happen
    units = rng.lognormal(5.0, 0.1, 257)
    confirmed = np.array([True, False, True, True, False, True])
    out = [
        np.zeros(6),
        np.zeros(6, dtype=np.int64),
        np.zeros(6),
        np.zeros(6),
        np.zeros(6),
        np.zeros(6, dtype=np.int64),
    ]
    sums, best, regret, squares, unit_sums, best_confirmed = out
    sold = kernels.block_sums(cost, units, confirmed, *out)
    assert sold == pytest.approx(units.sum(), rel=1e-14)
    np.testing.assert_allclose(sums, cost.sum(axis=0), rtol=1e-13)
    assert best.tolist() == np.bincount(cost.argmin(axis=1), minlength=6).tolist()
    np.testing.assert_allclose(regret, (cost - cost.min(axis=1, keepdims=True)).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(squares, ((cost - cost.mean(axis=0)) ** 2).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(unit_sums, (cost / units[:, None]).sum(axis=0), rtol=1e-12)
    idx = np.flatnonzero(confirmed)
    want = np.zeros(6, dtype=np.int64)
    want[idx] = np.bincount(cost[:, idx].argmin(axis=1), minlength=len(idx))
    assert best_confirmed.tolist() == want.tolist()
