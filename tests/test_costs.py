"""The landed-cost engine against hand-computed cases and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopru.costs import COMPONENTS, CostInputs, annual_totals, capital_recovery_factor, landed_cost


def two_by_two(**change) -> CostInputs:
    """Two sites (a KZ SEZ, a TR plant), two markets, one imported material."""
    base = dict(
        wage_usd_per_hour=np.array([4.0, 6.0]),
        social_rate=np.array([0.175, 0.2375]),
        electricity_usd_per_kwh=np.array([0.06, 0.10]),
        gas_usd_per_m3=np.array([0.10, 0.36]),
        land_usd_per_m2_year=np.array([0.0, 2.0]),
        corporate_tax_rate=np.array([0.0, 0.25]),
        property_tax_rate=np.array([0.0, 0.004]),
        input_duty_share=np.array([0.0, 1.0]),
        capex_usd=np.array([1_000_000.0, 0.0]),
        material_freight_usd=np.array([[0.5], [0.2]]),
        material_duty_rate=np.array([[0.08], [0.10]]),
        freight_usd=np.array([[0.3, 1.2], [1.0, 0.1]])[..., None],
        transit_days=np.zeros((2, 2, 1)),
        duty_rate=np.array([[0.0, 0.05], [0.10, 0.0]]),
        duty_min_usd=np.zeros((2, 2)),
        input_duty_due=np.ones((2, 2)),
        material_cost_usd=np.array([2.0]),
        price_usd=np.array([20.0, 20.0]),
        labour_hours=0.5,
        electricity_kwh=10.0,
        gas_m3=1.0,
        land_m2=1000.0,
        fixed_costs_usd=50_000.0,
        building_share=0.4,
        capital_recovery=0.1,
        depreciation=0.1,  # the capital charge equals depreciation: the tax base is the margin
        volume=100_000.0,
    )
    base.update(change)
    return CostInputs(**base)


def test_hand_computed_two_sites_two_markets():
    c = landed_cost(two_by_two())
    assert c.shape == (2, 2, len(COMPONENTS))
    comp = {name: c[..., k] for k, name in enumerate(COMPONENTS)}
    # site 0 (SEZ): free customs zone, so no duty on the material
    assert comp["materials"][0, 0] == pytest.approx(2.0 + 0.5)
    # site 1: 10 % duty on (cost + freight) = 2.2 * 1.1
    assert comp["materials"][1, 0] == pytest.approx(2.42)
    assert comp["energy"][0, 1] == pytest.approx(10 * 0.06 + 1 * 0.10)
    assert comp["energy"][1, 0] == pytest.approx(10 * 0.10 + 1 * 0.36)
    assert comp["labour"][0, 0] == pytest.approx(0.5 * 4.0 * 1.175)
    assert comp["labour"][1, 1] == pytest.approx(0.5 * 6.0 * 1.2375)
    # capital: (1e6 * 0.1 + 50,000 + 1000 m2 * land) / 100,000 units
    assert comp["capital"][0, 0] == pytest.approx(1.5)
    assert comp["capital"][1, 0] == pytest.approx((50_000 + 2000) / 100_000)
    assert comp["logistics"][1, 0] == pytest.approx(1.0)
    ex_works_1 = 2.42 + 1.36 + 3.7125 + 0.52
    # the customs value is the delivered price 20 less the duty: 20 / 1.1, not the plant's cost
    assert comp["duties"][1, 0] == pytest.approx(0.10 * 20.0 / 1.1)
    assert comp["duties"][0, 0] == 0.0
    # taxes at the TR plant: no new capex so no property tax; 25 % of the margin to the price
    pre_tax = ex_works_1 + 1.0 + 0.10 * 20.0 / 1.1
    assert comp["taxes"][1, 0] == pytest.approx(0.25 * (20.0 - pre_tax))
    # SEZ: corporate income tax and property tax are zero
    assert comp["taxes"][0].tolist() == [0.0, 0.0]


def test_specific_minimum_duty_applies_when_larger():
    """EAEU style '10 %, but not less than x EUR/kg': the larger of the two is paid."""
    ad_valorem = landed_cost(two_by_two())[..., COMPONENTS.index("duties")]
    floor = np.array([[0.0, 0.0], [5.0, 0.0]])
    c = landed_cost(two_by_two(duty_min_usd=floor))[..., COMPONENTS.index("duties")]
    assert c[1, 0] == 5.0  # the minimum beats 10 % of about 9.3
    assert c[0, 1] == pytest.approx(ad_valorem[0, 1])


def test_in_transit_carrying_cost_picks_the_cheaper_route_alternative():
    """Route 0 is cheap and slow, route 1 dear and fast: carrying cost decides, by hand."""
    freight = np.stack([np.full((2, 2), 0.30), np.full((2, 2), 0.50)], axis=-1)
    days = np.stack([np.full((2, 2), 40.0), np.full((2, 2), 10.0)], axis=-1)
    x = two_by_two(freight_usd=freight, transit_days=days, carrying_rate=0.12)
    c = landed_cost(x)
    comp = {name: c[..., k] for k, name in enumerate(COMPONENTS)}
    ex_works_0 = comp["materials"][0, 0] + comp["energy"][0, 0] + comp["labour"][0, 0] + comp["capital"][0, 0]
    slow = 0.30 + ex_works_0 * 0.12 * 40 / 365
    quick = 0.50 + ex_works_0 * 0.12 * 10 / 365
    assert comp["logistics"][0, 0] == pytest.approx(min(slow, quick))
    expected = int(quick < slow)
    from kopru.costs import route_choice

    assert route_choice(x)[0, 0] == expected
    # with no cost of capital the cheapest freight always wins
    free = two_by_two(freight_usd=freight, transit_days=days, carrying_rate=0.0)
    assert (route_choice(free) == 0).all()
    assert landed_cost(free)[..., COMPONENTS.index("logistics")] == pytest.approx(np.full((2, 2), 0.30))


def test_unreachable_lane_is_infinite_without_warnings():
    """A closed corridor leaves a site with no route: its cost is inf, not NaN (warnings are errors)."""
    freight = np.array([[0.3, np.inf], [1.0, 0.1]])[..., None]
    c = landed_cost(two_by_two(freight_usd=freight, duty_rate=np.zeros((2, 2))))
    assert np.isinf(c[0, 1, COMPONENTS.index("logistics")]) and np.isinf(c[0, 1, COMPONENTS.index("duties")])
    assert np.isfinite(c[1]).all() and np.isfinite(c[0, 0]).all()


def test_a_site_without_materials_costs_infinite_not_nan_even_zero_days_away():
    """No route for the inputs: an infinite ex-works value, carried 0 days to a market at the same
    node, is an infinite cost, not inf × 0 = NaN (warnings are errors here)."""
    c = landed_cost(two_by_two(material_freight_usd=np.array([[np.inf], [0.2]]), carrying_rate=0.12))
    assert np.isinf(c[0, :, COMPONENTS.index("logistics")]).all() and not np.isnan(c).any()
    assert np.isfinite(c[1]).all()


def test_profit_tax_deducts_depreciation_not_the_capital_charge():
    """CFO review: the tax base took off the whole capital charge (capex x CRF, a return on capital
    included), the cash flows straight-line depreciation. By hand: a taxed site with capex 1,000,000,
    a capital charge of 0.15 a year and depreciation of 0.1 adds back 1e6 x 0.05 / 1e5 = 0.5 a unit
    to the margin, so 25 % of it, 0.125, more tax a unit."""
    taxed = dict(corporate_tax_rate=np.array([0.25, 0.25]), capital_recovery=0.15)
    charge = landed_cost(two_by_two(**taxed, depreciation=0.15))  # as before: the whole charge off
    deduct = landed_cost(two_by_two(**taxed, depreciation=0.1))
    k = COMPONENTS.index("taxes")
    np.testing.assert_allclose(deduct[0, :, k] - charge[0, :, k], 0.25 * 0.5)
    np.testing.assert_allclose(deduct[1, :, k], charge[1, :, k])  # no capex at site 1: no change
    np.testing.assert_allclose(np.delete(deduct, k, axis=-1), np.delete(charge, k, axis=-1))


def test_profit_tax_deducts_a_lease_but_not_owned_lands_price_times_wacc():
    """A CFO's review: owned land's price × WACC, an opportunity cost, was deducted from taxable
    profit, which lowered the tax of the plant with the dearest land (most often the Turkish
    baseline). By hand: the TR plant's 1,000 m² at 2 USD a year is 0.02 a unit; owned, the tax base
    adds it back, so 25 % of it, 0.005, more tax a unit; leased, nothing changes. The cost itself
    (capital) is the same either way."""
    k = COMPONENTS.index("taxes")
    leased = landed_cost(two_by_two(land_imputed=np.array([0.0, 0.0])))
    owned = landed_cost(two_by_two(land_imputed=np.array([0.0, 1.0])))
    np.testing.assert_allclose(owned[1, :, k] - leased[1, :, k], 0.25 * 1000 * 2.0 / 100_000)
    np.testing.assert_allclose(owned[0], leased[0])  # the SEZ: no land cost, no tax
    np.testing.assert_allclose(np.delete(owned, k, axis=-1), np.delete(leased, k, axis=-1))
    # the default, for inputs built without it, is a lease: the tax base deducts the land
    np.testing.assert_allclose(landed_cost(two_by_two()), leased)


def test_profit_tax_does_not_deduct_the_goods_carrying_cost():
    """The carrying cost of goods in transit is a return on the capital tied up in them, part of
    logistics but not an expense: the tax base adds it back. By hand at the TR plant (25 % profit
    tax), one route of 0.1 freight and 30 days at 12 % a year: carrying = ex-works × 0.12 × 30 / 365,
    and the tax is 25 % of the margin with that carrying added back."""
    days = np.full((2, 2, 1), 30.0)
    c = landed_cost(two_by_two(transit_days=days, carrying_rate=0.12))
    comp = {name: c[..., k] for k, name in enumerate(COMPONENTS)}
    ex_works = comp["materials"][1, 1] + comp["energy"][1, 1] + comp["labour"][1, 1] + comp["capital"][1, 1]
    carrying = ex_works * 0.12 * 30 / 365
    assert comp["logistics"][1, 1] == pytest.approx(0.1 + carrying)
    pre_tax = ex_works + 0.1 + carrying + comp["duties"][1, 1]
    assert comp["taxes"][1, 1] == pytest.approx(0.25 * (20.0 - pre_tax + carrying))


def test_property_tax_on_new_buildings():
    c = landed_cost(two_by_two(property_tax_rate=np.array([0.015, 0.004])))
    taxes = c[..., COMPONENTS.index("taxes")]
    assert taxes[0, 0] == pytest.approx(0.015 * 0.4 * 1_000_000 / 100_000)


def test_no_negative_profit_tax_when_price_below_cost():
    c = landed_cost(two_by_two(price_usd=np.array([0.5, 0.5])))
    assert (c[..., COMPONENTS.index("taxes")] >= 0).all()


def test_annual_totals_weight_by_demand():
    c = landed_cost(two_by_two())
    demand = np.array([1000.0, 3000.0])
    totals = annual_totals(c, demand)
    assert totals.shape == (2, len(COMPONENTS))
    assert totals[1].sum() == pytest.approx(c[1, 0].sum() * 1000 + c[1, 1].sum() * 3000)


def test_scenario_axis_broadcasts():
    """A leading scenario axis runs through the same code path as one plan."""
    base = two_by_two()
    wages = np.array([[4.0, 6.0], [5.0, 6.0], [4.0, 9.0]])
    cube = landed_cost(two_by_two(wage_usd_per_hour=wages))
    assert cube.shape == (3, 2, 2, len(COMPONENTS))
    np.testing.assert_allclose(cube[0], landed_cost(base))
    labour = cube[..., COMPONENTS.index("labour")]
    assert labour[1, 0, 0] == pytest.approx(0.5 * 5.0 * 1.175)


@pytest.mark.parametrize(
    ("rate", "years", "expected"),
    # annuity tables; a tiny rate is no interest at all (it once divided 0 by 0)
    [(0.0, 10, 0.1), (0.10, 10, 0.16274539), (0.12, 1, 1.12), (1e-300, 10, 0.1), (1e-12, 4, 0.25)],
)
def test_capital_recovery_factor(rate, years, expected):
    assert float(capital_recovery_factor(rate, years)) == pytest.approx(expected, rel=1e-7)


def test_nan_input_is_rejected():
    with pytest.raises(ValueError, match="wage_usd_per_hour"):
        two_by_two(wage_usd_per_hour=np.array([np.nan, 1.0]))


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0, 50),
    st.floats(0, 1),
    st.floats(0, 5),
    st.floats(1, 100),
)
def test_cost_is_monotone_in_wage_and_price_only_raises_tax(wage, social, freight, price):
    """Raising a wage never lowers a cost; the components stay finite and non-negative."""
    x = two_by_two(
        wage_usd_per_hour=np.array([wage, wage]),
        social_rate=np.array([social, social]),
        freight_usd=np.full((2, 2, 1), freight),
        price_usd=np.array([price, price]),
    )
    low = landed_cost(x)
    high = landed_cost(
        two_by_two(
            wage_usd_per_hour=np.array([wage + 1, wage + 1]),
            social_rate=np.array([social, social]),
            freight_usd=np.full((2, 2, 1), freight),
            price_usd=np.array([price, price]),
        )
    )
    assert np.isfinite(low).all() and (low >= 0).all()
    pre_tax = [c for c in COMPONENTS if c != "taxes"]
    idx = [COMPONENTS.index(c) for c in pre_tax]
    assert (high[..., idx].sum(-1) >= low[..., idx].sum(-1) - 1e-9).all()


def test_inward_processing_drops_the_input_duty_on_exported_units_only():
    """Hand case: site 1 pays 10 % on its input (2.0 + 0.2 freight): 0.22 a unit where the units
    stay in its customs territory (market 0), none on units it exports under inward processing
    (market 1); the duty's customs value and the profit tax follow the lower ex-works cost."""
    due = np.array([[1.0, 1.0], [1.0, 0.0]])
    paid, waived = landed_cost(two_by_two()), landed_cost(two_by_two(input_duty_due=due))
    k = COMPONENTS.index("materials")
    assert waived[1, 0, k] == pytest.approx(2.42) and waived[1, 1, k] == pytest.approx(2.2)
    assert paid[1, 1, k] == pytest.approx(2.42)
    np.testing.assert_array_equal(waived[0], paid[0])  # the SEZ pays no input duty anyway
    np.testing.assert_array_equal(waived[1, 0], paid[1, 0])
    d = COMPONENTS.index("duties")  # 0 % into market 1, so only the profit tax moves there
    assert waived[1, 1, d] == paid[1, 1, d] == 0.0
    t = COMPONENTS.index("taxes")
    assert waived[1, 1, t] == pytest.approx(paid[1, 1, t] + 0.25 * 0.22)


def test_an_unreachable_dutiable_input_exported_duty_free_is_infinite_not_nan():
    """inf x a waived duty (0) must not turn into NaN: the site simply cannot get its input."""
    freight = np.array([[0.5], [np.inf]])
    due = np.array([[1.0, 1.0], [1.0, 0.0]])
    c = landed_cost(two_by_two(material_freight_usd=freight, input_duty_due=due))
    assert not np.isnan(c).any()
    assert np.isinf(c[1, :, COMPONENTS.index("materials")]).all()
