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
    # a Turkish keyboard's capitals (a CLI review: 'DENİZLİ' was no site, 'DENIZLI' was)
    assert [s.id for s in resolve_sites(plan, ["DENİZLİ", "TURAN"])] == ["plant_TR-20", "sez_turan"]


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
    assert duty == [s.by_market["mkt_TR"].duty["rate_pct"] for s in sites]  # percent, as plan.json's
    assert duty[2] == 0.0 and duty[0] > 30  # the İGV on apparel from Kazakhstan, none at home
    wage = rows["Inputs", "Wage"]
    assert wage.units == ["KZT/month", "KZT/month", "TRY/month"]
    assert wage.values == [s.inputs["wage"].value for s in sites]
    assert rows["Inputs", "Corporate income tax"].values[2] == pytest.approx(25.0)
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


def test_a_specific_duty_is_shown_as_charged_not_as_a_zero_rate(cli):
    """The EAEU charges T-shirts 1.75 EUR per kg and no ad valorem duty (CCT line 6109 10 000 0). A
    review read "0.0 %, at least 1.75 EUR/kg" beside 0.40 USD paid: the row must say the duty is
    exactly 1.75 EUR/kg. Oracle, by hand: 0.2 kg x 1.75 EUR at the pack's EUR per USD is the duty
    paid in the same output and in kopru plan --json."""
    r = cli("compare", APPAREL, "Turan", "Denizli", "--json")
    assert r.code == 0, r.err
    rows = {row["label"]: row for row in json.loads(r.out)["rows"]}
    rate = rows["Russia: import duty"]
    assert rate["values"] == [0.0, 1.75] and rate["units"] == ["%", "EUR/kg (specific)"]
    assert rate["unit"] == "" and not any("at least" in n for n in rate["notes"])
    by_hand = 0.2 * 1.75 / kopru.load_data().fx_per_usd("EUR")  # 200 g a shirt
    paid = rows["Russia: import duty paid"]["values"]
    assert paid[0] == 0.0 and paid[1] == pytest.approx(by_hand, rel=1e-12)
    r = cli("plan", APPAREL, "--no-store", "--json")
    assert r.code == 0, r.err
    denizli = next(s for s in json.loads(r.out)["sites"] if s["id"] == "plant_TR-20")
    assert denizli["by_market"]["mkt_RU"]["components"]["duties"] == pytest.approx(by_hand, rel=1e-12)
    table = " ".join(cli("compare", APPAREL, "Turan", "Denizli").out.split())
    assert "1.75 EUR/kg (specific)" in table and "at least" not in table


@pytest.mark.parametrize(
    ("rate", "shown", "unit", "said"),
    [
        (5, 1.75, "EUR/kg (the minimum binds)", "5 % but at least 1.75 EUR/kg"),
        (30, 30.0, "%", "30 % but at least 1.75 EUR/kg, which does not bind here"),
    ],
)
def test_a_rate_with_a_specific_minimum_shows_the_part_that_binds(rate, shown, unit, said):
    """With an ad valorem part (a what-if rate on the EAEU's T-shirt line) the duty is the larger of
    the rate and 1.75 EUR/kg. Oracle: the duty paid against the minimum by hand, 0.2 kg x 1.75 EUR at
    the pack's EUR per USD: 5 % of a shirt's value is under it, 30 % over it."""
    table = kopru.compare(APPAREL, ["Turan", "Denizli"], overrides={"tariff.EAEU_CCT.6109": rate})
    rows = {r.label: r for r in table.rows}
    duty, paid = rows["Russia: import duty"], rows["Russia: import duty paid"].values[1]
    floor = 0.2 * 1.75 / kopru.load_data().fx_per_usd("EUR")
    assert (paid == pytest.approx(floor, rel=1e-12)) == (rate == 5) and paid >= floor * (1 - 1e-12)
    assert duty.values[1] == shown and (duty.units or ["%", duty.unit])[1] == unit
    assert duty.notes[1].endswith(f"; {said}")


def test_risk_rows_are_kopru_risk_on_the_same_seed():
    result = kopru.compare(APPAREL, ["Turan", "Denizli"], samples=600, seed=4)
    risk = {s.id: s for s in kopru.risk(APPAREL, samples=600, seed=4).sites}
    rows = {r.label: r for r in result.rows if r.section == "Risk"}
    assert rows["p95 annual cost"].values == [risk["sez_turan"].p95, risk["plant_TR-20"].p95]
    every = rows[f"Chance of being the cheapest of all {len(risk)} sites"]
    assert every.values[0] == risk["sez_turan"].p_best * 100 and every.unit == "%"
    assert every.notes == ["", ""]  # neither has a twin


def test_the_chance_among_the_compared_sites_is_counted_on_the_same_draws():
    """A review read "Chance of being the cheapest site" 0.0 % for SEZ Aktobe as a duel with SEZ Turan;
    it is among every site. Oracle: kopru risk's kept draws on the same seed, counted by hand."""
    sites = ["Turan", "SEZ Aktobe", "Denizli"]
    result = kopru.compare(APPAREL, sites, samples=600, seed=4)
    risk = kopru.risk(APPAREL, samples=600, seed=4)
    ids = ["sez_turan", "sez_aktobe", "plant_TR-20"]
    wins = dict.fromkeys(ids, 0)
    for i in range(600):
        costs = {sid: float(risk.draws[sid][i]) for sid in ids}
        wins[min(ids, key=lambda sid: costs[sid])] += 1
    row = next(r for r in result.rows if r.label == "Chance of being the cheapest of these 3 sites")
    assert row.unit == "%" and row.values == [100 * wins[sid] / 600 for sid in ids]
    assert sum(row.values) == pytest.approx(100) and row.notes == ["", "", ""]
    every = next(
        r for r in result.rows if r.label == f"Chance of being the cheapest of all {len(risk.sites)} sites"
    )
    assert all(a >= b for a, b in zip(row.values, every.values, strict=True))  # fewer rivals, more wins


def test_the_chance_among_the_compared_sites_says_when_it_is_counted_on_the_first_draws_only():
    # the result keeps its first 2,048 draws per site: the row counts those and says so
    result = kopru.compare(APPAREL, ["Turan", "SEZ Aktobe"], samples=3000, seed=1)
    labels = [r.label for r in result.rows if r.section == "Risk"]
    assert "Chance of being the cheapest of these 2 sites, in the first 2,048 of the 3,000 draws" in labels


def test_percent_rows_hold_percent_as_plan_json_does(plan, cli):
    """compare --json labelled fractions "%" (0.51 for 51 %) where plan.json gives rate_pct 51.0.
    Oracle: the plan's own rate_pct, IRR and totals, by hand; the table prints the same figure."""
    r = cli("compare", APPAREL, "Turan", "Denizli", "--json")
    rows = {row["label"]: row for row in json.loads(r.out)["rows"]}
    turan, denizli = plan.site("sez_turan"), plan.site("plant_TR-20")
    assert rows["Türkiye: import duty"]["values"][0] == turan.by_market["mkt_TR"].duty["rate_pct"] == 51.0
    assert rows["IRR"]["values"] == [100 * turan.appraisal.irr, 100 * denizli.appraisal.irr]
    base = plan.recommendation.baseline_total
    against = rows["Against the best Turkish option"]["values"][0]
    assert against == pytest.approx(100 * (turan.landed_cost.total - base) / base, rel=1e-12)
    assert rows["Corporate income tax"]["values"][1] == denizli.inputs["corporate_income_tax"].value == 25
    line = next(
        ln
        for ln in cli("compare", APPAREL, "Turan", "Denizli").out.splitlines()
        if "Türkiye: import duty " in ln
    )
    assert "51.0%" in line and "5100" not in line


def test_twins_are_said_beside_their_chance_of_being_cheapest():
    """Sites with the same cost in every draw share their chance (one takes each tied draw). Oracle:
    kopru risk's own same_draws_as on the same seed (appliances: North Kazakhstan Region and SEZ
    Qyzyljar)."""
    appliances = APPAREL.parent / "appliances.yaml"
    result = kopru.compare(
        appliances, ["North Kazakhstan Region", "SEZ Qyzyljar", "Turan"], samples=600, seed=4
    )
    every, these = (r for r in result.rows if r.label.startswith("Chance of being the cheapest"))
    twins = [
        "the same cost in every draw as SEZ Qyzyljar: the chance is theirs together",
        "the same cost in every draw as North Kazakhstan Region: the chance is theirs together",
        "",
    ]
    assert every.label.startswith("Chance of being the cheapest of all") and every.notes == twins
    # among the compared sites too: the first of the twins in the plan's order takes their tied draws
    assert these.label == "Chance of being the cheapest of these 3 sites" and these.notes == twins
    assert min(these.values[:2]) == 0 and sum(these.values[:2]) >= sum(every.values[:2])


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


def test_the_help_does_not_say_a_comparison_is_recorded(cli):
    """A CLI review: --no-store's help read 'Do not record this run', but a comparison never is."""
    r = cli("compare", "--help")
    assert r.code == 0 and "never recorded" in " ".join(r.out.split()) and "Do not record" not in r.out
