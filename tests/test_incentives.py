"""Investment incentives on both sides. Oracles: the Turkish reduced rate and premium support worked
out by hand from the data pack's rows, an SEZ exemption's value against a plan with the exemption
overridden away (an independent path through the data pack), and the data's own legal notes."""

import copy

import numpy as np
import pytest
import yaml
from conftest import EXAMPLES

import kopru
from kopru.appraisal import annuity_factor
from kopru.inputs import prepare

APPAREL = EXAMPLES / "apparel.yaml"


@pytest.fixture(scope="module")
def apparel():
    return yaml.safe_load(APPAREL.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pre():
    return prepare(kopru.load_profile(APPAREL), kopru.load_data())


def site_index(pre, site_id: str) -> int:
    return int(np.flatnonzero(pre.sites["id"].to_numpy() == site_id)[0])


def test_turkish_new_plant_gets_hedef_terms_by_hand(pre):
    """Gaziantep (region 3): CIT 25 % charged 60 % lower until 20 % of the investment is forgone, for
    at most 10 years; half the employer premium on the minimum wage (3,592.01 TL a worker-month) for
    2 years. Each enters the annual cost as its share of the plant's life in present value."""
    pack, profile = pre.pack, pre.profile
    i = site_index(pre, "TR-27")
    life, r = profile.lifetime_years, profile.wacc
    whole = annuity_factor(r, life)
    # premium support, as a cut in the employer's social rate
    fx_try = pack.fx_per_usd("TRY")
    per_worker_year = 3592.01 * 12 / fx_try
    hours_a_year = pack.param("TR", "hours_per_month").value * 12
    cut = per_worker_year / (pre.x_base.wage_usd_per_hour[i] * hours_a_year) * annuity_factor(r, 2) / whole
    assert pre.x.social_rate[i] == pytest.approx(pre.x_base.social_rate[i] - cut, rel=1e-12)
    # the tax reduction: its years from the cap over the tax spared a year
    from kopru.incentives import _cit_annual

    spared_a_year = 0.6 * _cit_annual(pre.x_base, pre.demand)[i]
    cap = 0.20 * profile.capex / pack.fx_per_usd(profile.currency)
    years = min(10, life, cap / spared_a_year)
    rate = 0.25 * (1 - 0.6 * annuity_factor(r, years) / whole)
    assert pre.x_base.corporate_tax_rate[i] == 0.25
    assert pre.x.corporate_tax_rate[i] == pytest.approx(rate, rel=1e-12)
    # and no building tax in an organised industrial zone
    assert pre.x.property_tax_rate[i] == 0.0 and pre.x_base.property_tax_rate[i] > 0


def test_existing_plant_gets_no_investment_incentive(pre):
    i = site_index(pre, "plant_TR-20")
    assert pre.incentives[i] == []
    assert pre.x.corporate_tax_rate[i] == pre.x_base.corporate_tax_rate[i]


def test_sez_exemption_is_worth_what_overriding_it_away_costs(apparel):
    """Oracle: the same plan with the SEZ regime's CIT set to the standard 20 % by an override."""
    plan = kopru.plan(apparel)
    turan = plan.site("sez_turan")
    value = next(i.annual_value for i in turan.incentives if i.id == "KZ-SEZ-CIT")
    taxed = kopru.plan(apparel, overrides={"KZ-SEZ.corporate_income_tax": 20})
    difference = taxed.site("sez_turan").landed_cost.total - turan.landed_cost.total
    assert difference == pytest.approx(value, abs=0.01)  # values are given to the cent


def test_every_example_shows_incentives_with_sources_on_both_sides():
    known = set(kopru.load_data().sources.index)
    for path in sorted(EXAMPLES.glob("*.yaml")):
        plan = kopru.plan(path)
        for country in ("KZ", "TR"):
            applied = [
                inc
                for s in plan.sites
                if s.country == country
                for inc in s.incentives
                if inc.status == "applied"
            ]
            assert applied, f"{path.name}: no applied incentive at any {country} site"
            for inc in applied:
                assert inc.legal_basis and set(inc.source.split(";")) <= known
                assert inc.annual_value is None or inc.annual_value >= 0


def test_incentives_lower_the_cost_they_are_worth(pre):
    """With every incentive, a site's annual cost is below its cost without any."""
    from kopru.costs import annual_totals, landed_cost

    with_all = annual_totals(landed_cost(pre.x), pre.demand).sum(-1)
    without = annual_totals(landed_cost(pre.x_base), pre.demand).sum(-1)
    i = site_index(pre, "TR-27")
    assert with_all[i] < without[i]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schemes": ["KZ-IPP"]}, "KZ-IPP does not apply: Abolished for projects from 1 January 2026"),
        ({"schemes": ["XX-NONE"]}, "no incentive scheme 'XX-NONE'"),
        ({"exclude": ["nope"]}, r"incentives.exclude\[0\]: no incentive scheme 'nope'"),
    ],
)
def test_schemes_named_that_do_not_exist_or_apply(apparel, change, message):
    data = copy.deepcopy(apparel)
    data["incentives"] = change
    with pytest.raises(kopru.ProfileError, match=message):
        kopru.plan(data)


def test_a_scheme_named_for_an_excluded_sector_says_why(apparel):
    data = copy.deepcopy(apparel)
    data["nace"] = "23.51"  # cement: excluded from the target-investment scheme
    data["incentives"] = {"schemes": ["TR-HEDEF-VI-R3"]}
    with pytest.raises(kopru.ProfileError, match=r"TR-27: NACE 23.51 is excluded from the scheme"):
        kopru.plan(data)


def test_excluding_a_scheme_removes_it(apparel):
    data = copy.deepcopy(apparel)
    data["incentives"] = {"exclude": ["TR-OSB-EMLAK"]}
    plan = kopru.plan(data)
    assert "TR-OSB-EMLAK" not in {i.id for i in plan.site("TR-27").incentives}


def test_ramp_up_longer_than_the_life_is_refused(apparel):
    data = copy.deepcopy(apparel)
    data["appraisal"] = {"ramp_up_months": 200}
    with pytest.raises(kopru.ProfileError, match=r"ramp_up_months \(200\) is longer than the plant's life"):
        kopru.plan(data)
