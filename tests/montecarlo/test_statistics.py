"""Statistics of a run's columns against NumPy (the oracle: np.quantile, bit for bit)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kopru.montecarlo.statistics import (
    PILOT,
    QUANTILES,
    SIFT_MIN,
    _sifted_statistics,
    column_statistics,
    quantiles,
    tail_mean,
)

finite = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
levels = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(values=hnp.arrays(np.float64, st.integers(1, 300), elements=finite), qs=levels)
def test_quantiles_are_numpys_bit_for_bit(values: np.ndarray, qs: list[float]) -> None:
    expected = np.quantile(values, qs).tolist()
    assert list(quantiles(values, tuple(qs))) == expected


@settings(max_examples=100, deadline=None)
@given(values=hnp.arrays(np.float64, st.integers(1, 200), elements=st.sampled_from([1.0, 2.0, 2.5, -3.0])))
def test_quantiles_with_many_ties(values: np.ndarray) -> None:
    assert list(quantiles(values, QUANTILES)) == np.quantile(values, QUANTILES).tolist()


def test_quantiles_leave_the_column_as_it_was() -> None:
    values = np.random.default_rng(3).lognormal(10, 0.3, 100_001)
    kept = values.copy()
    assert list(quantiles(values, QUANTILES)) == np.quantile(values, QUANTILES).tolist()
    assert np.array_equal(values, kept)


def test_a_nan_gives_numpys_nan() -> None:
    values = np.array([1.0, np.nan, 3.0])
    assert all(np.isnan(q) for q in quantiles(values, QUANTILES))


def test_column_statistics_by_hand() -> None:
    # 1..20: p5 at rank 0.95 -> 1.95, p50 at 9.5 -> 10.5, p95 at 18.05 -> 19.05; the top
    # ceil(0.05 x 20) = 1 value is 20
    col = np.arange(1.0, 21.0)[::-1].copy()
    p5, p50, p95, cvar = column_statistics(col)
    assert (p5, p50, p95, cvar) == pytest.approx((1.95, 10.5, 19.05, 20.0), rel=1e-15)
    assert tail_mean(col, 0.1) == 19.5


def _numpys(col: np.ndarray) -> tuple[float, float, float, float]:
    """The oracle: np.quantile and the mean of a partition's top 5 %."""
    p5, p50, p95 = np.quantile(col, QUANTILES).tolist()
    return p5, p50, p95, max(tail_mean(col), p95)


@pytest.mark.parametrize(
    ("make", "sifted"),
    [
        (lambda rng: rng.lognormal(15, 0.2, 300_000), True),  # a site's annual costs
        (lambda rng: np.sort(rng.normal(0, 1, 100_000)), True),  # ordered: the pilot is still even
        (lambda rng: rng.standard_cauchy(150_000), True),  # heavy tails
        (lambda rng: rng.integers(0, 6, 200_001).astype(float), False),  # ties overfill a bracket
        (lambda rng: np.full(70_000, 2.5), False),  # one value
    ],
    ids=["lognormal", "sorted", "cauchy", "ties", "constant"],
)
def test_column_statistics_equal_numpys(make, sifted: bool) -> None:
    col = make(np.random.default_rng(11))
    assert len(col) >= SIFT_MIN
    assert (_sifted_statistics(col) is not None) == sifted  # which path is under test
    p5, p50, p95, cvar = column_statistics(col)
    e5, e50, e95, ecvar = _numpys(col)
    assert (p5, p50, p95) == (e5, e50, e95)  # bit for bit
    assert cvar == pytest.approx(ecvar, rel=1e-14)  # sums in another order


def test_a_pilot_that_misses_falls_back_to_whole_partitions() -> None:
    # every value the pilot reads is 0 and every other one is spread out: the brackets around 0
    # hold none of the ranks, and the statistics are still exact
    n = 131_072
    col = np.random.default_rng(2).uniform(1, 2, n)
    col[:: n // PILOT] = 0.0
    assert _sifted_statistics(col) is None
    assert column_statistics(col) == _numpys(col)


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_an_infinity_in_a_long_column_gives_numpys_answer(bad: float) -> None:
    # a +inf once fell past the sifting kernel's arrays (found in review): now it takes NumPy's way
    col = np.random.default_rng(0).lognormal(10, 0.3, 100_000)
    col[7] = bad
    ours, numpys = column_statistics(col), _numpys(col)
    assert ours[:3] == numpys[:3]
    assert ours[3] == pytest.approx(numpys[3], rel=1e-14)  # +inf: inf; -inf: a finite tail


def test_a_nan_in_a_long_column_gives_nan() -> None:
    col = np.random.default_rng(4).lognormal(10, 0.3, SIFT_MIN + 5)
    col[1234] = np.nan
    assert all(np.isnan(v) for v in column_statistics(col))


def test_tail_batches_are_each_batchs_tail_by_sorting() -> None:
    """Oracle: each of the 40 consecutive batches sorted, its dearest 5 % averaged against its mean;
    fewer than 10 batches of 100 draws give none; a short run has fewer, longer batches' worth of
    draws cut into as many as fit; a long run's batches cover its first TAIL_DRAWS."""
    from kopru.montecarlo.statistics import TAIL_DRAWS, batching, tail_batch_draws, tail_batches

    values = np.random.default_rng(5).lognormal(3, 0.4, 40 * 250 + 7)
    got = tail_batches(values)
    assert len(got) == 40
    for b, value in enumerate(got):
        batch = np.sort(values[b * 250 : (b + 1) * 250])
        assert value == pytest.approx((batch[-13:].mean() - batch.mean()) / batch.mean(), rel=1e-12)
    assert tail_batches(values[:999]) == () and tail_batch_draws(999) == 0
    assert (
        batching(1_000) == (10, 100)
        and batching(1_550) == (15, 103)
        and len(tail_batches(values[:1_550])) == 15
    )
    assert tail_batch_draws(40 * 250 + 7) == 40 * 250
    assert tail_batch_draws(10 * TAIL_DRAWS) == TAIL_DRAWS
