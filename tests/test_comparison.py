"""Sites side by side. Oracles: the plan's own figures (kopru.plan) and kopru.risk on the same seed,
row by row; the components per unit add up to the cost per unit; names resolve as a person types
them, and a name that fits several sites or none is refused with the candidates."""

from __future__ import annotations

import json
import re

import pytest
from conftest import EXAMPLES

import kopru
from kopru.comparison import compare_sites, resolve_sites
from kopru.errors import OptionError

APPAREL = EXAMPLES / "apparel.yaml"


@pytest.fixture(scope="module")
def plan():
    return kopru.plan(APPAREL)


def test_sites_are_found_by_id_name_or_a_part_of_a_name(plan):
    found = resolve_sites(plan, ["sez_turan", "SEZ Aktobe", "denizli"])
    assert [s.id for s in found] == ["sez_turan", "sez_aktobe", "plant_TR-20"]


@pytest.mark.parametrize(
    ("queries", "message"),
    [
        (["Aktobe", "Turan"], r"'Aktobe' fits 2 sites \(Aktobe Region; SEZ Aktobe\)"),
        (["Turan", "Atlantis"], r"no site is called 'Atlantis'"),
        (["Turan", "SEZ Aktobee"], r"did you mean SEZ Aktobe"),
        (["Turan"], r"compare takes 2 or 3 sites, got 1"),
        (["Turan", "sez_turan"], r"named twice"),
        (["a", "b", "c", "d"], r"got 4"),
    ],
)
def test_names_that_fit_none_or_several_are_refused(plan, queries, message):
    with pytest.raises(OptionError, match=message):
        resolve_sites(plan, queries)


def test_every_row_is_the_plans_own_figure(plan):
    sites = resolve_sites(plan, ["Turan", "SEZ Aktobe", "Denizli"])
    result = compare_sites(plan, sites)
    rows = {(r.section, r.label): r for r in result.rows}
    assert rows["Cost", "Annual landed cost"].values == [s.landed_cost.total for s in sites]
    per_unit = rows["Cost", "Cost per unit delivered"].values
    parts = [rows["Cost", c.capitalize()].values for c in plan.components]
    for j in range(3):  # hand check: the components per unit add up to the cost per unit
        assert sum(p[j] for p in parts) == pytest.approx(per_unit[j], rel=1e-12)
    russia = rows["Markets", "Russia: cost per unit"].values
    assert russia == [s.by_market["mkt_RU"].per_unit for s in sites]
    duty = rows["Markets", "Türkiye: import duty"].values
    assert duty == [s.by_market["mkt_TR"].duty["rate_pct"] / 100 for s in sites]
    assert duty[2] == 0.0 and duty[0] > 0.3  # the İGV on apparel from Kazakhstan, none at home
    wage = rows["Inputs", "Wage"]
    assert wage.units == ["KZT/month", "KZT/month", "TRY/month"]
    assert wage.values == [s.inputs["wage"].value for s in sites]
    assert rows["Inputs", "Corporate income tax"].values[2] == pytest.approx(0.25)
    # a factor is one column unit, not "1" after each value: Kazakh sites 1.2, the Turkish plant 1
    hours = rows["Inputs", "Labour hours a unit, × a Turkish plant's"]
    assert hours.unit == "×" and hours.units is None and hours.values == [1.2, 1.2, 1.0]


def test_inputs_of_other_currencies_and_years_are_shown_as_costed_too(plan):
    """A manufacturer's review: compare set a 2025 KZT wage beside a TRY one, figures no reader can
    weigh against each other. Oracle, by hand from the data pack: Turkistan Region's 318,990 KZT of
    2025, grown by Kazakhstan's 9.3 % nominal wage growth to 2026 and converted at the 2026 rate."""
    pack = kopru.load_data()
    sites = resolve_sites(plan, ["Turan", "Denizli"])
    rows = {(r.section, r.label): r for r in compare_sites(plan, sites).rows}
    wage = rows["Inputs", "Wage, as costed (USD)"]
    kzt = pack.param("KZT", "fx_per_usd").value
    growth = pack.param("KZ", "wage_growth_nominal").value / 100
    assert wage.unit == "USD/month"
    assert wage.values[0] == pytest.approx(318_990 / kzt * (1 + growth), rel=1e-12)
    denizli = sites[1].inputs["wage"]
    assert denizli.year == 2026  # of the rate's year: converted, not grown
    assert wage.values[1] == pytest.approx(denizli.value / pack.param("TRY", "fx_per_usd").value, rel=1e-12)
    assert wage.notes[0] == "318,990 KZT/month of 2025, grown to 2026 and converted at its rate"
    assert wage.notes[1] == f"{denizli.value:,.6g} TRY/month converted at the 2026 rate"
    assert rows["Inputs", "Electricity price industrial, as costed (USD)"].unit == "USD/kWh"
    assert ("Inputs", "Corporate income tax, as costed (USD)") not in rows  # a rate is not money


def test_a_specific_duty_is_shown_next_to_its_zero_ad_valorem_rate(plan):
    """The EAEU charges T-shirts 1.75 EUR per kg and no ad valorem duty (CCT line 6109 10 000 0):
    the 0 % row must say so, and the duty paid is the plan's duties component for that market."""
    sites = resolve_sites(plan, ["Turan", "Denizli"])
    rows = {(r.section, r.label): r for r in compare_sites(plan, sites).rows}
    rate = rows["Markets", "Russia: import duty"]
    assert rate.values[1] == 0.0 and rate.notes[1].endswith("at least 1.75 EUR/kg")
    paid = rows["Markets", "Russia: import duty paid"].values
    assert paid == [s.by_market["mkt_RU"].components["duties"] for s in sites]
    eur_per_usd = kopru.load_data().fx_per_usd("EUR")
    assert paid[0] == 0.0 and paid[1] == pytest.approx(0.2 * 1.75 / eur_per_usd, rel=1e-9)  # 200 g a shirt


def test_risk_rows_are_kopru_risk_on_the_same_seed():
    result = kopru.compare(APPAREL, ["Turan", "Denizli"], samples=600, seed=4)
    risk = {s.id: s for s in kopru.risk(APPAREL, samples=600, seed=4).sites}
    rows = {r.label: r for r in result.rows if r.section == "Risk"}
    assert rows["p95 annual cost"].values == [risk["sez_turan"].p95, risk["plant_TR-20"].p95]
    assert rows["Chance of being the cheapest site"].values[0] == risk["sez_turan"].p_best
    assert rows["Chance of being the cheapest site"].notes == ["", ""]  # neither has a twin


def test_twins_are_said_beside_their_chance_of_being_cheapest():
    """Sites with the same cost in every draw share their chance (one takes each tied draw). Oracle:
    kopru risk's own same_draws_as on the same seed (appliances: North Kazakhstan Region and SEZ
    Qyzyljar)."""
    appliances = APPAREL.parent / "appliances.yaml"
    result = kopru.compare(
        appliances, ["North Kazakhstan Region", "SEZ Qyzyljar", "Turan"], samples=600, seed=4
    )
    row = next(r for r in result.rows if r.label == "Chance of being the cheapest site")
    assert row.notes == [
        "the same cost in every draw as SEZ Qyzyljar: the chance is theirs together",
        "the same cost in every draw as North Kazakhstan Region: the chance is theirs together",
        "",
    ]


def test_cli_compare_reads_names_and_writes_strict_json(cli):
    r = cli("compare", APPAREL, "Turan", "SEZ Aktobe")
    assert r.code == 0, r.err
    assert "SEZ Turan (formerly Turkistan)" in " ".join(r.out.split())
    assert not re.search(r"\b(sez_[a-z]+|mkt_[A-Z]{2}|plant_TR-\d\d)\b", r.out)
    r = cli("compare", APPAREL, "Turan", "Denizli", "--json")
    data = json.loads(r.out, parse_constant=lambda c: pytest.fail(c))
    assert [s["id"] for s in data["sites"]] == ["sez_turan", "plant_TR-20"]
    r = cli("compare", APPAREL, "Turan", "Aktobe")
    assert r.code == 2 and "fits 2 sites" in r.err and len(r.err.strip().splitlines()) == 1


def test_cli_compare_reads_payback_to_a_tenth_of_a_year(cli):
    # oracle: the appraisal's own payback, rounded as a reader reads it (months, not hours)
    r = cli("compare", APPAREL, "Turan", "Denizli")
    assert r.code == 0, r.err
    payback = kopru.plan(APPAREL).site("sez_turan").appraisal.payback_years
    line = next(ln for ln in r.out.splitlines() if "Payback" in ln)
    assert f"{payback:.1f}" in line and f"{payback:.4g}" not in line


def test_compare_without_a_feasible_site_keeps_its_table_and_says_why_risk_is_missing(cli):
    """With --samples the risk engine refused, and the whole comparison was lost (exit 2; CLI QA)."""
    closed = ["--close", "mode:road", "--close", "mode:sea"]
    r = cli("compare", EXAMPLES / "apparel.yaml", "Turan", "Denizli", "--samples", "20", "--json", *closed)
    assert r.code == 0, r.err
    result = json.loads(r.out)
    assert not any(row["section"] == "Risk" for row in result["rows"])
    (note,) = result["notes"]
    assert note.startswith("Risk rows not drawn: No candidate site can serve every target market")
    assert "Kyrgyzstan" in note


def test_a_route_through_a_restricted_country_is_flagged_as_the_plan_flags_it(plan):
    """A manufacturer's review: compare showed the route to Türkiye by rail and sea without saying it
    runs through Russia, which the plan's summary flags. Oracle: the plan's own restricted_transit."""
    flagged = [
        (s, m, mc.restricted_transit)
        for s in plan.sites
        for m, mc in s.by_market.items()
        if mc.restricted_transit and mc.restricted_transit.extra_cost_per_unit is not None
    ]
    assert flagged
    site, market, crossed = flagged[0]
    other = next(s for s in plan.sites if s.id != site.id and s.landed_cost.total is not None)
    table = compare_sites(plan, [site, other])
    name = next(m["name"] for m in plan.markets if m["id"] == market)
    row = next(r for r in table.rows if r.label == f"{name}: transit")
    assert "under sanctions or transit restrictions" in row.notes[0]
    assert f"{crossed.extra_cost_per_unit:+,.3f} {plan.currency}/unit" in row.notes[0]
