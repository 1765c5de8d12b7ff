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


def test_an_expansion_gets_the_certificate_on_its_share_by_hand(pre):
    """Denizli (region 2) makes 1.2 of the 3.0 million units the markets buy: the plan expands it by
    1.8 million at a new plant's capex per unit (3.6 M USD), and that expansion (tevsi) gets the
    certificate a new plant in Denizli gets, an assumption said in each row's note: the reduced rate
    on its 60 % share of the profit (1.8 / 3.0, the existing lines at a new plant's capex per unit of
    capacity) until 20 % of its own capex is forgone, and the premium support on the 60 % of the jobs
    it adds (3,592.01 TL a worker-month for 1 year). By hand, as the new-plant test above."""
    pack, profile = pre.pack, pre.profile
    i = site_index(pre, "plant_TR-20")
    share = 1.8 / 3.0
    extra = profile.capex / pack.fx_per_usd(profile.currency) * 1.8 / 3.0
    assert pre.x_base.capex_usd[i] == pytest.approx(extra, rel=1e-12)
    assert {row.id for row in pre.incentives[i] if row.status == "applied"} == {
        "TR-HEDEF-VI-R2",
        "TR-HEDEF-YKO-R2",
        "TR-HEDEF-SGK-R2",
    }
    assert all(
        "tevsi" in row.note and "assumption" in row.note
        for row in pre.incentives[i]
        if row.status == "applied"
    )
    life, r = profile.lifetime_years, profile.wacc
    whole = annuity_factor(r, life)
    per_worker_year = 3592.01 * 12 / pack.fx_per_usd("TRY") * share
    hours_a_year = pack.param("TR", "hours_per_month").value * 12
    cut = per_worker_year / (pre.x_base.wage_usd_per_hour[i] * hours_a_year) * annuity_factor(r, 1) / whole
    assert pre.x.social_rate[i] == pytest.approx(pre.x_base.social_rate[i] - cut, rel=1e-12)
    from kopru.incentives import _cit_annual

    spared_a_year = 0.6 * share * _cit_annual(pre.x_base, pre.demand)[i]
    years = min(10, life, 0.20 * extra / spared_a_year)
    rate = pre.x_base.corporate_tax_rate[i] * (1 - 0.6 * share * annuity_factor(r, years) / whole)
    assert pre.x.corporate_tax_rate[i] == pytest.approx(rate, rel=1e-12)


def test_an_existing_plant_with_the_capacity_gets_no_investment_incentive(apparel):
    data = copy.deepcopy(apparel)
    data["baseline"][0]["capacity"] = 3_000_000  # Denizli makes what the markets buy as it stands
    from kopru.profile import profile_from_dict

    pre = prepare(profile_from_dict(data), kopru.load_data())
    i = site_index(pre, "plant_TR-20")
    assert pre.x.capex_usd[i] == 0 and pre.incentives[i] == []
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


@pytest.mark.parametrize(
    ("example", "category", "years"),
    [
        ("apparel", "A", 7),  # 6 M USD: about 658,000 MCI, below 1,000,000 even for clothing
        ("appliances", "B", 15),  # 60 M USD: about 6.6 M MCI
        ("construction_materials", "B", 15),  # 45 M USD: about 4.9 M MCI, not a priority activity
        ("food_processing", "B", 15),  # 18 M USD: about 2.0 M MCI, food enters B from 1 M
    ],
)
def test_sez_relief_term_follows_the_projects_cost_category(example, category, years):
    """Oracle: the 2024 categories (KPMG 2023; NIPT; SEZ Turkistan), A up to 3,000,000 MCI for 7 years,
    B up to 14,500,000 for 15, C above for 25, and B from 1,000,000 MCI for food, textiles, clothing,
    leather, electronics and electrical equipment; MCI 4,325 KZT in 2026, capex at the pack's rate."""
    from kopru.incentives import nace_of, relief_term

    pack = kopru.load_data()
    profile = kopru.load_profile(EXAMPLES / f"{example}.yaml")
    term = relief_term(profile, pack, nace_of(profile, pack))
    mci = profile.capex * pack.fx_per_usd("KZT") / 4325
    assert term.cost_mci == pytest.approx(mci, rel=1e-12)
    assert (term.category, term.years) == (category, years)


def test_a_category_given_in_the_profile_sets_the_term():
    """An investor who knows its activity agreement's category gives it (incentives.sez_category);
    the cost in MCI is still computed, and the note says the category was given."""
    from kopru.incentives import nace_of, relief_term

    pack = kopru.load_data()
    profile = kopru.load_profile(EXAMPLES / "apparel.yaml")
    given = profile.model_copy(
        update={"incentives": profile.incentives.model_copy(update={"sez_category": "C"})}
    )
    term = relief_term(given, pack, nace_of(given, pack))
    assert term.years == 25 and term.category == "C (given in the profile)"
    assert term.cost_mci == relief_term(profile, pack, nace_of(profile, pack)).cost_mci


def test_a_category_a_project_pays_corporate_tax_after_seven_years(pre):
    """SEZ Turan, apparel: no tax in production years 1-7, the standard 20 % from year 8 to 10; the
    annual cost takes the exemption as its present-value share, 20 % x (1 - a(7) / a(10)) at 12 %."""
    i = site_index(pre, "sez_turan")
    share = annuity_factor(0.12, 7) / annuity_factor(0.12, 10)
    assert pre.x_base.corporate_tax_rate[i] == pytest.approx(0.20)
    assert pre.x.corporate_tax_rate[i] == pytest.approx(0.20 * (1 - share), rel=1e-12)
    plan = kopru.plan(APPAREL)
    turan = plan.site("sez_turan")
    tax = turan.appraisal.cash_flows.tax
    assert all(t == 0 for t in tax[1:8]) and all(t > 0 for t in tax[8:11])
    cit = next(inc for inc in turan.incentives if inc.id == "KZ-SEZ-CIT")
    assert cit.years == 7 and "category A" in cit.note
    # property tax too: nil while the relief runs, 1.5 % of the buildings' cost a year after it
    profile = kopru.load_profile(APPAREL)
    step = 0.015 * profile.building_share * profile.capex
    operating = turan.appraisal.cash_flows.operating
    assert operating[8] - operating[7] == pytest.approx(step, rel=1e-6)
    assert operating[9] == pytest.approx(operating[8]) and operating[7] == pytest.approx(operating[6])


def test_a_broken_relief_table_is_refused(tmp_path, monkeypatch):
    import kopru.incentives as inc
    from kopru.errors import DataPackError

    bad = tmp_path / "sez_relief.yaml"
    bad.write_text(
        "categories: [{name: A, up_to_mci: 5, years: 7}, {name: B, up_to_mci: 3, years: 15},"
        " {name: C, up_to_mci: null, years: 25}]\npriority: {from_mci: 1, category: B, nace_divisions: []}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(inc, "RELIEF_FILE", bad)
    inc.relief_spec.cache_clear()
    try:
        with pytest.raises(DataPackError, match="must ascend"):
            inc.relief_spec()
    finally:
        monkeypatch.undo()
        inc.relief_spec.cache_clear()


def test_the_relief_table_cites_sources_of_the_pack():
    from kopru.datapack import split_list
    from kopru.incentives import relief_spec

    cited = split_list(relief_spec()["source"])
    assert cited and set(cited) <= set(kopru.load_data().sources.index)


def test_an_sez_relief_ends_with_its_zone(pre):
    """Oracle: the decrees' terms (sez.csv term_until) counted from 1 January of the plant's first year,
    2028 (a plan on the prices of 2026, the tenge rate's year, is decided at its end; 12 months of
    construction in 2027), in calendar years: Ontustik runs until 1 July 2030, 2 years and 181 of
    2030's 365 days; Turan until 1 January 2043, 15 whole years, beyond category A's 7; NIPT until
    31 December 2032, 5 whole years; Aktobe's term is not known."""
    t = pre.terms
    assert t.first_year == 2028
    assert t.sez_years[site_index(pre, "sez_ontustik")] == pytest.approx(2 + 181 / 365)
    assert t.sez_years[site_index(pre, "sez_turan")] == 7
    assert t.zone_years[site_index(pre, "sez_turan")] == 15
    assert t.zone_years[site_index(pre, "sez_nipt")] == 5
    assert t.sez_years[site_index(pre, "sez_aktobe")] == 7 and np.isinf(
        t.zone_years[site_index(pre, "sez_aktobe")]
    )
    assert t.zone_years[site_index(pre, "sez_astana_new_city")] == 0
    assert np.isinf(t.zone_years[site_index(pre, "KZ-71")])  # not a zone


def test_a_zone_past_its_term_costs_what_its_city_does(pre):
    """Astana - New City's term ended on 1 January 2027, before the plant's first year: with none of
    its advantages left, it is a plant in Astana (region KZ-71: same wage, energy and land price)."""
    from kopru.costs import annual_totals, landed_cost

    zone, city = site_index(pre, "sez_astana_new_city"), site_index(pre, "KZ-71")
    annual = annual_totals(landed_cost(pre.x), pre.demand)
    np.testing.assert_allclose(annual[zone], annual[city], rtol=1e-9)
    assert pre.x.input_duty_share[zone] == 1.0
    plan = kopru.plan(APPAREL)
    notes = " ".join(plan.site("sez_astana_new_city").notes)
    assert "1 January 2027" in notes and "none apply" in notes
    # and so does its appraisal, year by year: duties on inputs, land, taxes
    zone_flows, city_flows = (plan.site(s).appraisal.cash_flows for s in ("sez_astana_new_city", "KZ-71"))
    for part in ("operating", "tax", "capex"):
        np.testing.assert_allclose(getattr(zone_flows, part), getattr(city_flows, part), rtol=1e-9)
    assert plan.site("sez_astana_new_city").appraisal.npv == pytest.approx(plan.site("KZ-71").appraisal.npv)


def test_a_relief_that_ends_mid_year_counts_pro_rata_in_the_appraisal():
    """Ontustik's term ends on 1 July 2030, 2.5 production years after 1 January 2028: no corporate
    income tax in years 1-2, about half of it in year 3 (181 of 365 days relieved), all of it from
    year 4; the annual cost takes the same 2.496 years."""
    from kopru.appraisal import term_share

    share = term_share(np.array([2 + 181 / 365]), 7)[0]
    np.testing.assert_allclose(share, [0, 1, 1, 181 / 365, 0, 0, 0])
    tax = kopru.plan(APPAREL).site("sez_ontustik").appraisal.cash_flows.tax
    assert all(t == 0 for t in tax[1:3]) and tax[4] > 0
    assert tax[3] / tax[4] == pytest.approx(1 - 181 / 365, rel=0.02)  # years 3 and 4 alike


def test_the_first_year_moves_the_zone_terms():
    """A plant that starts in 2026 gets one year of Astana - New City; free land and duty-free inputs
    count for that year's present-value share of the plant's life."""
    base = kopru.load_profile(APPAREL)
    profile = base.model_copy(update={"appraisal": base.appraisal.model_copy(update={"first_year": 2026})})
    pre = prepare(profile, kopru.load_data())
    i = site_index(pre, "sez_astana_new_city")
    assert pre.terms.zone_years[i] == 1
    share = annuity_factor(profile.wacc, 1) / annuity_factor(profile.wacc, profile.lifetime_years)
    assert pre.x.input_duty_share[i] == pytest.approx(1 - share)


@pytest.mark.parametrize(
    ("years", "want"),
    [
        (2.0, [0, 1, 1, 0, 0]),  # a whole number of years: nothing of year 3
        (0.0, [0, 0, 0, 0, 0]),
        (np.inf, [0, 1, 1, 1, 1]),  # no end: every production year, never year 0 (construction)
        (2.25, [0, 1, 1, 0.25, 0]),
    ],
)
def test_term_share_by_hand(years, want):
    from kopru.appraisal import term_share

    np.testing.assert_allclose(term_share(np.array([years]), 5)[0], want)


def test_a_capped_reduction_runs_out_within_a_year():
    """Oracle by hand: 100 taxable a year at 20 %, the whole rate removed for 2.5 years but at most 30
    forgone: year 1 forgoes 20, year 2 the 10 left of the cap; nothing after, however long the term."""
    from kopru.appraisal import TaxTerms, _tax_by_year

    taxable = np.array([[0.0, 100.0, 100.0, 100.0, 100.0]])
    tax = TaxTerms(np.array([0.2]), np.array([1.0]), np.array([30.0]), np.array([2.5]))
    np.testing.assert_allclose(_tax_by_year(taxable, tax)[0], [0, 0, 10, 20, 20])
    half = TaxTerms(np.array([0.2]), np.array([1.0]), np.array([np.inf]), np.array([2.5]))
    np.testing.assert_allclose(_tax_by_year(taxable, half)[0], [0, 0, 0, 10, 20])
