"""Investment appraisal. Oracles: cash flows computed by hand for a two-year plant, numpy_financial's
npv and irr, and hypothesis properties (NPV at the IRR is zero; payback bounds)."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kopru.appraisal import (
    Schedule,
    TaxTerms,
    annuity_factor,
    cash_flows,
    expansion_flows,
    irr,
    irrs,
    npv,
    payback_years,
    sign_changes,
)


def test_npv_and_irr_match_numpy_financial():
    flows = np.array([-1000.0, 300.0, 420.0, 680.0])
    assert float(npv(0.1, flows)) == pytest.approx(npf.npv(0.1, flows), rel=1e-12)
    assert irr(flows) == pytest.approx(npf.irr(flows), abs=1e-10)


def test_the_lowest_root_even_when_a_higher_one_is_on_the_grid():
    """Review: 2 - 3/(1+r) + 1/(1+r)^2 has roots -0.5 and 0 (x = 1/(1+r) = 2 or 1); the NPV is exactly
    0 at the grid's rate 0, and the lower root came second. The docstring promises the lowest."""
    assert irr(np.array([2.0, -3.0, 1.0])) == pytest.approx(-0.5, abs=1e-10)
    assert irr(np.array([-1.0, 1.0])) == 0.0  # a root on the grid, nothing below it
    with pytest.raises(ValueError, match=r"rows \(N, T\)"):
        irrs(np.array([-1.0, 2.0]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=12))
def test_no_more_irrs_than_sign_changes(flows):
    """Descartes' rule of signs (in x = 1/(1+r) > 0): a series has at most as many positive-x roots
    as it changes sign, so the roots the NPV grid brackets never outnumber sign_changes, the count
    behind the appraisal's 'may have up to N IRRs' note."""
    from kopru.appraisal import IRR_GRID

    f = np.array(flows)
    row = np.array([float(npv(r, f)) for r in IRR_GRID])
    signs = np.sign(row[row != 0])
    assert np.count_nonzero(signs[1:] != signs[:-1]) <= sign_changes(f)
    assert sign_changes(np.array([-1.0, 0.0, 2.0, -3.0, 0.0])) == 2  # zeros skipped


def test_a_batch_of_series_has_each_series_own_irr():
    """A plan asks for some 75 IRRs at once (one matrix product of NPVs); each equals
    numpy_financial's for its own series, and a series without a sign change has none."""
    rng = np.random.default_rng(7)
    batch = np.concatenate([-rng.uniform(1e3, 1e6, (12, 1)), rng.uniform(0.0, 4e5, (12, 15))], axis=1)
    batch[3] = np.abs(batch[3])  # no outflow: no IRR
    rates = irrs(batch)
    assert rates[3] is None
    for k in (i for i in range(len(batch)) if i != 3):
        assert rates[k] == pytest.approx(npf.irr(batch[k]), abs=1e-9)
        assert rates[k] == irr(batch[k])


@settings(max_examples=60, deadline=None)
@given(
    st.floats(100.0, 1e7),
    st.lists(st.floats(0.0, 5.0), min_size=2, max_size=25),  # each year's return, x the investment
)
def test_irr_properties(investment, multiples):
    returns = [m * investment for m in multiples]
    flows = np.array([-investment, *returns])
    rate = irr(flows)
    if sum(returns) <= 0:
        assert rate is None
        return
    assume(sum(multiples) >= 0.01)  # below, the IRR is under -99.9 %, outside the search
    assert rate is not None
    assert abs(float(npv(rate, flows))) <= 1e-6 * investment
    # numpy_financial's root, where it is one: its companion-matrix solver can overflow, fail to
    # converge or stop short on extreme flows, and then it is no oracle
    # (or return an absurd root, e.g. 1e157 for flows ending in a subnormal, whose NPV overflows)
    try:
        with np.errstate(all="ignore"):
            expected = npf.irr(flows)
            residual = abs(npf.npv(expected, flows)) if np.isfinite(expected) else np.inf
    except np.linalg.LinAlgError:
        expected, residual = np.nan, np.inf
    if np.isfinite(expected) and expected > -0.99 and residual <= 1e-9 * investment:
        assert rate == pytest.approx(expected, rel=1e-6, abs=1e-7)


def test_no_sign_change_has_no_irr():
    assert irr(np.array([0.0, 10.0, 10.0])) is None
    assert irr(np.array([-5.0, -1.0])) is None


def test_payback_by_hand():
    # -100, +30, +40, +50: cumulative -100, -70, -30, +20: pays back 30/50 into year 3 -> 2.6
    assert payback_years(np.array([-100.0, 30.0, 40.0, 50.0])) == pytest.approx(2.6)
    assert payback_years(np.array([-100.0, 10.0, 10.0])) is None
    assert payback_years(np.array([5.0, 5.0])) is None  # nothing invested: no payback to show


def test_annuity_factor_by_hand():
    assert annuity_factor(0.1, 2) == pytest.approx(1 / 1.1 + 1 / 1.21)
    assert annuity_factor(0.0, 3) == 3.0
    assert annuity_factor(0.1, 0) == 0.0
    assert annuity_factor(1e-300, 10) == pytest.approx(10.0)  # no ZeroDivisionError for tiny rates


def test_ramp_up_shares_by_hand():
    # an 18-month linear ramp: year 1 averages m/18 over m = 0..12 (6/18), year 2 covers
    # 12..18 (average 15/18 over 6 months) and 18..24 (full): (6 * 15/18 + 6) / 12 = 11/12
    share = Schedule(5, ramp_up_months=18).output_share(np.array([False, True]))
    np.testing.assert_allclose(share[0], [0, 1 / 3, 11 / 12, 1, 1, 1])
    np.testing.assert_allclose(share[1], [0, 1, 1, 1, 1, 1])  # an existing plant: full from year 1
    # a plant making 60 % of the output expands by 40 %, which ramps up like a new plant
    part = Schedule(5, ramp_up_months=18).output_share(np.array([0.6]))
    np.testing.assert_allclose(part[0], 0.6 * np.array([0, 1, 1, 1, 1, 1]) + 0.4 * share[0])


def test_an_expansion_s_own_cash_flows_by_hand():
    """An existing plant making 60 of the 100 units it sells expands by 40: capex 100 in year 0, no
    ramp-up, no tax, no working capital. Full revenue 200, variable cost 100, fixed 30: the expansion
    adds 0.4 × (200 - 100) = 40 a year and the fixed cost is the plant's either way, so its flows are
    -100, 40, 40, 40 (IRR 9.7 %, numpy_financial; payback 2.5 years)."""
    schedule = Schedule(3, ramp_up_months=0, construction_months=12, working_capital_days=0)
    tax = TaxTerms(np.array([0.0]), np.array([0.0]), np.array([np.inf]), np.array([np.inf]))
    args = (schedule, np.array([0.6]), np.array([200.0]), np.array([100.0]), np.array([30.0]))
    f = expansion_flows(*args, np.array([100.0]), tax, 0.1)
    np.testing.assert_allclose(f.free[0], [-100, 40, 40, 40])
    assert irr(f.free[0]) == pytest.approx(npf.irr([-100, 40, 40, 40]), abs=1e-10)
    assert payback_years(f.free[0]) == pytest.approx(2.5)
    whole = cash_flows(*args, np.array([100.0]), tax, 0.1)
    np.testing.assert_allclose(whole.free[0], [-100, 70, 70, 70])  # the plant: 200 - 100 - 30
    # the expansion's buildings pay 5 a year of property tax the plant without them would not
    taxed = expansion_flows(*args, np.array([100.0]), tax, 0.1, fixed_without=np.array([25.0]))
    np.testing.assert_allclose(taxed.free[0], [-100, 35, 35, 35])


def test_an_expansion_s_certificate_is_its_own_by_hand():
    """The same plant taxed at 20 %, with a certificate that halves the rate, the expansion's.
    With the expansion the plant pays 10 % on 200 - 100 - 30 - 33.33 of depreciation (capex 100 over
    3 years) = 36.67: 3.67 a year. Without it (60 of the 100 units: 120 - 60 - 30 = 30 taxable) it has
    no certificate and pays 20 %: 6 a year. The expansion adds 66.33 - 24 = 42.33 a year (39.33 when
    the plant without the expansion kept the certificate: a review of the eleventh session)."""
    schedule = Schedule(3, ramp_up_months=0, construction_months=12, working_capital_days=0)
    tax = TaxTerms(np.array([0.2]), np.array([0.5]), np.array([np.inf]), np.array([np.inf]))
    args = (schedule, np.array([0.6]), np.array([200.0]), np.array([100.0]), np.array([30.0]))
    f = expansion_flows(*args, np.array([100.0]), tax, 0.1, certified=np.array([True]))
    np.testing.assert_allclose(
        f.free[0], [-100, 70 - 3.6666667 - 24, 70 - 3.6666667 - 24, 70 - 3.6666667 - 24]
    )
    kept = expansion_flows(*args, np.array([100.0]), tax, 0.1)  # a relief the plant has anyway
    np.testing.assert_allclose(
        kept.free[0], [-100, 70 - 3.6666667 - 27, 70 - 3.6666667 - 27, 70 - 3.6666667 - 27]
    )


def test_cash_flows_of_a_two_year_plant_by_hand():
    """One new plant: capex 1,000 in year 0, no ramp-up, revenue 2,000, variable 1,000, fixed 200,
    tax 25 % on revenue - costs - depreciation (500 a year), 36.5 days of working capital."""
    schedule = Schedule(2, ramp_up_months=0, construction_months=12, working_capital_days=36.5)
    tax = TaxTerms(np.array([0.25]), np.array([0.0]), np.array([np.inf]), np.array([np.inf]))
    f = cash_flows(
        schedule,
        np.array([False]),
        np.array([2000.0]),
        np.array([1000.0]),
        np.array([200.0]),
        np.array([1000.0]),
        tax,
        wacc=0.1,
    )
    np.testing.assert_allclose(f.revenue[0], [0, 2000, 2000])
    np.testing.assert_allclose(f.operating[0], [0, 1200, 1200])
    np.testing.assert_allclose(f.tax[0], [0, 75, 75])  # (2000 - 1200 - 500) * 0.25
    np.testing.assert_allclose(f.capex[0], [1000, 0, 0])
    np.testing.assert_allclose(f.working_capital[0], [0, 120, -120])  # 1200 * 36.5 / 365, released
    np.testing.assert_allclose(f.free[0], [-1000, 605, 845])


def test_the_tax_base_leaves_out_owned_land_and_the_goods_carrying_cost_by_hand():
    """The plant above, whose fixed 200 holds 80 of owned land's price × WACC and whose variable 1,000
    holds 40 of carrying cost on goods in transit: opportunity costs, in the cash flows but not
    deducted by the tax base (a CFO's review). Tax: (2000 - 1200 + 80 + 40 - 500) × 0.25 = 105 a year
    instead of 75; while output ramps up, the carrying added back is that of the units made, and the
    land's all of it (the plant holds its land whatever it makes)."""
    schedule = Schedule(2, ramp_up_months=0, construction_months=12, working_capital_days=36.5)
    tax = TaxTerms(np.array([0.25]), np.array([0.0]), np.array([np.inf]), np.array([np.inf]))
    terms = (schedule, np.array([False]), np.array([2000.0]), np.array([1000.0]), np.array([200.0]))
    untaxed = {"untaxed_fixed": np.array([80.0]), "untaxed_variable": np.array([40.0])}
    f = cash_flows(*terms, np.array([1000.0]), tax, 0.1, **untaxed)
    np.testing.assert_allclose(f.operating[0], [0, 1200, 1200])  # the costs are unchanged
    np.testing.assert_allclose(f.tax[0], [0, 105, 105])
    ramped = Schedule(2, ramp_up_months=24, construction_months=12, working_capital_days=0)
    share = ramped.output_share(np.array([False]))[0]
    g = cash_flows(
        ramped, *terms[1:], np.array([1000.0]), tax, 0.1, untaxed_fixed=80.0, untaxed_variable=40.0
    )
    taxable = np.maximum(2000 * share - (1000 * share + 200) + 80 + 40 * share - 500, 0) * (share > 0)
    np.testing.assert_allclose(g.tax[0], 0.25 * taxable)


def test_a_tax_reduction_stops_at_its_cap():
    """A 60 % reduction of a 25 % rate on 1,000 of profit a year spares 150 a year; a cap of 200
    spares 150 in year 1 and 50 in year 2, nothing after."""
    schedule = Schedule(3, ramp_up_months=0, construction_months=0, working_capital_days=0)
    tax = TaxTerms(np.array([0.25]), np.array([0.6]), np.array([200.0]), np.array([10.0]))
    f = cash_flows(
        schedule,
        np.array([True]),
        np.array([1000.0]),
        np.array([0.0]),
        np.array([0.0]),
        np.array([0.0]),
        tax,
        wacc=0.1,
    )
    np.testing.assert_allclose(f.tax[0], [0, 100, 200, 250])


def test_premium_support_lasts_its_years():
    schedule = Schedule(3, ramp_up_months=0, construction_months=0, working_capital_days=0)
    tax = TaxTerms(np.zeros(1), np.zeros(1), np.full(1, np.inf), np.full(1, np.inf))
    f = cash_flows(
        schedule,
        np.array([True]),
        np.array([100.0]),
        np.array([50.0]),
        np.array([0.0]),
        np.array([0.0]),
        tax,
        wacc=0.1,
        support=np.array([10.0]),
        support_years=np.array([2.0]),
    )
    np.testing.assert_allclose(f.operating[0], [0, 40, 40, 50])


def test_terminal_value_is_a_gordon_perpetuity():
    schedule = Schedule(
        1, ramp_up_months=0, construction_months=0, working_capital_days=0, terminal_growth=0.02
    )
    tax = TaxTerms(np.zeros(1), np.zeros(1), np.full(1, np.inf), np.full(1, np.inf))
    f = cash_flows(
        schedule,
        np.array([True]),
        np.array([100.0]),
        np.array([60.0]),
        np.array([0.0]),
        np.array([0.0]),
        tax,
        wacc=0.1,
    )
    assert f.terminal[0, -1] == pytest.approx(40 * 1.02 / (0.1 - 0.02))
