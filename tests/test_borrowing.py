"""The stress test of borrowed and estimated values (kopru.borrowing).

Oracles: the data pack's own figures read here region by region (Almaty's tariff is the dearest a
Kazakh region has of its own), the shipped uncertainty.yaml read by the risk engine's own reader,
the risk engine's compiled kernel evaluating the same factors, the direction of the stress (it can
only narrow the lead), and hand-made cases for the sentence a reader gets.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pytest

from kopru import api
from kopru import montecarlo as risk
from kopru.borrowing import (
    SITE_INPUTS,
    BorrowedStress,
    StressCase,
    borrowed_inputs,
    borrowed_sigmas,
    cases_of,
    describe,
    stress,
)
from kopru.datapack import load
from kopru.inputs import prepare
from kopru.planner import annual_costs, plan_of
from kopru.report.summary import build_summary

ROOT = Path(__file__).resolve().parents[1]
APPAREL = ROOT / "examples" / "apparel.yaml"


def prepared_profile(profile):
    pre = prepare(profile, load())
    totals = annual_costs(pre)[1].sum(axis=-1)
    winner = int(np.nanargmin(np.where(np.isfinite(totals), totals, np.nan)))
    return pre, totals, winner


@functools.cache
def prepared(example: str):
    return prepared_profile(api.load_profile(ROOT / "examples" / f"{example}.yaml"))


def with_candidates(**changes):
    profile = api.load_profile(APPAREL)
    return profile.model_copy(update={"candidates": profile.candidates.model_copy(update=changes)})


def own_regional(quantity: str, country: str = "KZ") -> dict[str, float]:
    """Every region's own figure of ``quantity`` in the pack (the region is the row's subject)."""
    pack = load()
    regions = pack.regions.index if country == "KZ" else pack.provinces.index
    out = {}
    for region in regions:
        p = pack.param(region, quantity, country)
        if p.subject == region:
            out[region] = p.value
    return out


def test_sigmas_are_the_risk_engines():
    # oracle: kopru risk's own reader of the shipped uncertainty.yaml
    shipped = risk.load_uncertainty()
    for name in SITE_INPUTS:
        assert borrowed_sigmas()[name] == shipped.variables[f"site.{name}"].params["sigma_borrowed"]


def test_a_borrowed_kazakh_tariff_is_tried_at_the_dearest_own_regional_tariff():
    # oracle: the pack's electricity rows, region by region: Turan (Turkistan Region) takes the country
    # row (Kostanay's 2025 tariff, indexed to 2026 by a year of inflation, shown in 2026 money); the
    # dearest region's own figure, Almaty's 2026 one (43.13), lies within two spreads of it, so the two
    # spreads bound it; Turkistan Region's own gas figure is an estimate: two spreads above it
    pre, totals, winner = prepared("apparel")
    assert pre.sites["id"].iloc[winner] == "sez_turan"
    s = stress(pre, winner, totals)
    raised = {r.input: r for r in s.raised}
    pack = pre.pack
    dearest = max(own_regional("electricity_price_industrial").values())
    el = raised["electricity"]
    kz = pack.param("KZ", "electricity_price_industrial")
    inflation = pack.param("KZ", "consumer_price_inflation").value / 100
    assert kz.year == 2025 and el.value == pytest.approx(kz.value * (1 + inflation))
    assert "of 2025, indexed to the exchange rate's year" in el.basis
    two_spreads = el.value * np.exp(2 * borrowed_sigmas()["electricity"])
    assert dearest == pytest.approx(43.13) and two_spreads > dearest
    assert el.stressed == pytest.approx(two_spreads, rel=1e-9) and "two standard deviations" in el.basis
    gas = raised["gas"]
    assert gas.stressed == pytest.approx(gas.value * np.exp(2 * borrowed_sigmas()["gas"]), rel=1e-9)
    assert "own estimate" in gas.basis
    assert "land" not in raised and "land once the zone has ended" not in raised  # Turan's zone outlives it
    # a dearer region beyond two spreads bounds it instead (Almaty at 60 KZT/kWh)
    dear = {"KZ-75.electricity_price_industrial": 60, "KZ-19.electricity_price_industrial": 60}
    el = next(r for r in api.plan(APPAREL, overrides=dear).borrowed_stress.raised if r.input == "electricity")
    assert el.stressed == pytest.approx(60, rel=1e-9) and "the dearest a region of Kazakhstan has" in el.basis


def test_the_range_comes_from_the_pack_not_the_candidates():
    # without any Almaty site among the candidates, Almaty's tariff still bounds the borrowed one
    excluded = with_candidates(exclude=("KZ-75", "KZ-19", "sez_pit", "sez_alatau"))
    dear = {"KZ-75.electricity_price_industrial": 60, "KZ-19.electricity_price_industrial": 60}
    pre = prepare(excluded, load(dear))
    totals = annual_costs(pre)[1].sum(axis=-1)
    winner = int(np.nanargmin(np.where(np.isfinite(totals), totals, np.nan)))
    assert not {"KZ-75", "KZ-19"} & set(pre.sites["id"])
    el = next(r for r in stress(pre, winner, totals).raised if r.input == "electricity")
    assert el.stressed == pytest.approx(60, rel=1e-9)


def test_only_values_not_the_sites_own_move():
    # Türkiye's electricity tariff is national by rule: the same for every Turkish site, so it never
    # moves; a region's own gas cap (an estimate) moves by two spreads only, not across the country
    pre, totals, winner = prepared("construction_materials")
    c = cases_of(pre, winner, np.isfinite(totals))
    el, gas = SITE_INPUTS.index("electricity"), SITE_INPUTS.index("gas")
    turkish = (pre.sites["country"] == "TR").to_numpy()
    assert not c.moves[turkish, el].any()
    saryarka = list(pre.sites["id"]).index("sez_saryarka")
    assert c.factors[0, saryarka, gas] == pytest.approx(np.exp(-2 * borrowed_sigmas()["gas"]))


def test_an_sez_pays_for_land_once_its_zone_has_ended_and_that_price_moves():
    # Ontustik's zone ends in 2030, inside the plant's life: afterwards it pays Shymkent's land price,
    # a value the stress moves (up when Ontustik is the recommended site)
    profile = with_candidates(exclude=("sez_turan", "sez_khorgos_eastern_gate", "sez_alatau", "sez_aktobe"))
    pre, totals, winner = prepared_profile(profile)
    assert pre.sites["id"].iloc[winner] == "sez_ontustik"
    s = stress(pre, winner, totals)
    land = next(r for r in s.raised if r.input == "land once the zone has ended")
    assert land.quantity == "land_price" and land.stressed > land.value


def test_the_stress_equals_the_risk_engines_kernel_on_the_same_factors():
    # oracle: kopru.montecarlo's compiled kernel, an independent implementation of the landed cost,
    # fed the stress's factors for every input at once (construction materials: no Turkish premium
    # support between the sites that decide it)
    pre, totals, winner = prepared("construction_materials")
    s = stress(pre, winner, totals)
    c = cases_of(pre, winner, np.isfinite(totals))
    model = risk.build_model(pre, risk.load_uncertainty())
    keep = [list(pre.sites["id"]).index(i) for i in model.site_ids]
    factors = c.factors[0][keep]
    values = {f"site.{n}": factors[None, :, k].copy() for k, n in enumerate(SITE_INPUTS)}
    annual = risk.annual_cost_direct(model, values, np.ones((1, len(pre.markets))))[0]
    assert model.site_ids[int(np.argmin(annual))] == s.cases[0].first
    w = model.site_ids.index(s.site)
    assert s.cases[0].lead == pytest.approx(np.delete(annual, w).min() - annual[w], rel=1e-9)


@pytest.mark.parametrize("example", ["apparel", "appliances", "construction_materials", "food_processing"])
def test_the_stress_can_only_narrow_the_lead(example):
    # the recommended site's values go up and everyone else's down: its lead never grows
    pre, totals, winner = prepared(example)
    s = stress(pre, winner, totals)
    others = np.delete(totals, winner)
    base_lead = np.nanmin(np.where(np.isfinite(others), others, np.nan)) - totals[winner]
    for case in s.cases:
        assert case.lead <= base_lead + 1e-6
    # together is at least as hard as any input alone
    assert s.cases[0].lead <= min(c.lead for c in s.cases[1:]) + 1e-6


def test_a_flip_names_the_input_to_check_first():
    # construction materials: Turan stays far below Türkiye but loses first place among the zones
    pre, totals, winner = prepared("construction_materials")
    s = stress(pre, winner, totals)
    assert not s.holds and s.cases[0].first != s.site
    assert s.cases[0].saving_pct > 0.3 and "below the best Turkish option" in s.text
    alone = [c.inputs[0] for c in s.cases[1:] if not c.holds]
    assert alone and all(f"{name} (" in s.text for name in alone)
    assert "check" in s.text and s.cases[0].first_name in s.text


def test_a_site_above_the_turkish_option_is_not_called_below_it():
    case = StressCase(
        inputs=["wage"], first="TR-27", first_name="Gaziantep", holds=False, lead=-5.0, saving_pct=-0.083
    )
    s = BorrowedStress(
        site="KZ-75", name="Almaty", raised=[], lowered={"wage": 2}, cases=[case], holds=False, text=""
    )
    text = describe(s, "USD")
    assert "8.3% above the best Turkish option" in text and "below" not in text


def test_a_turkish_winner_has_no_saving_against_itself():
    pre, totals, winner = prepared_profile(with_candidates(kz_regions=False, sez=False))
    assert pre.sites["country"].iloc[winner] == "TR"
    s = stress(pre, winner, totals)
    assert all(c.saving_pct is None for c in s.cases) and "Turkish option" not in s.text


def test_nothing_to_compare_gives_no_stress():
    # one site left that can serve every market: no lead to speak of (and no infinite one in JSON)
    pre, totals, winner = prepared("apparel")
    alone = np.where(np.arange(len(totals)) == winner, totals, np.inf)
    assert stress(pre, winner, alone) is None


def test_nothing_borrowed_gives_no_stress():
    # no zones (whose land after the zone is read from the pack), and every site's values made its
    # own region's sourced figures: nothing is left to stress
    pre, totals, winner = prepared_profile(with_candidates(sez=False))
    params = [
        {k: dataclasses.replace(p, subject=site.region, assumption=False) for k, p in used.items()}
        for used, site in zip(pre.inputs.params, pre.sites.itertuples(), strict=True)
    ]
    own = dataclasses.replace(pre, inputs=dataclasses.replace(pre.inputs, params=params))
    assert not borrowed_inputs(own).any()
    assert stress(own, winner, totals) is None


def test_the_plan_carries_the_stress_into_its_report(tmp_path):
    pre, _, _ = prepared("apparel")
    plan = plan_of(pre)
    assert plan.borrowed_stress is not None and plan.borrowed_stress.holds
    folder = api.write_report(plan, tmp_path)
    html = folder.report_html.read_text(encoding="utf-8")
    assert 'id="borrowed-stress"' in html and "43.13" in html
    assert plan.borrowed_stress.text in build_summary(plan).risks
    assert type(plan).model_validate(plan.as_dict()).borrowed_stress == plan.borrowed_stress


def test_the_stress_sees_the_plans_own_overrides_in_any_order():
    # the regions' figures are read with the plan's overrides, not from a cache of an earlier plan
    # (an override keeps the pack's version): an Almaty tariff of 90 bounds Turan's borrowed one at 90;
    # without it, two spreads do
    dear = {"KZ-75.electricity_price_industrial": 90, "KZ-19.electricity_price_industrial": 90}
    for first, second in ((dear, None), (None, dear)):
        api.plan(APPAREL, overrides=first)
        plan = api.plan(APPAREL, overrides=second)
        el = next(r for r in plan.borrowed_stress.raised if r.input == "electricity")
        spreads = el.value * np.exp(2 * borrowed_sigmas()["electricity"])
        assert el.stressed == pytest.approx(90 if second else spreads, rel=1e-9)


def test_the_turkish_premium_support_stays_a_sum_of_money():
    # oracle by hand: the support is USD per worker a year, so moving the wage must not move it:
    # (base rate - rate after support) × wage × hours is the same before and after the factor
    from kopru.borrowing import _moved

    pre = prepared("apparel")[0]
    i = list(pre.sites["id"]).index("TR-27")  # a new plant in Gaziantep: two years of premium support
    support = pre.x_base.social_rate[i] - pre.x.social_rate[i]
    assert support > 0
    factors = np.ones((1, len(pre.sites), len(SITE_INPUTS)))
    factors[0, i, SITE_INPUTS.index("wage")] = 0.8
    moved = _moved(pre, factors)
    paid = (pre.x_base.social_rate[i] - moved.social_rate[0, i]) * moved.wage_usd_per_hour[0, i]
    assert paid == pytest.approx(support * pre.x.wage_usd_per_hour[i], rel=1e-12)


def test_a_tiny_override_does_not_overflow_the_factors():
    plan = api.plan(APPAREL, overrides={"KZ.electricity_price_industrial": 1.0e-300})
    for r in plan.borrowed_stress.raised:
        assert np.isfinite(r.stressed) and r.stressed <= 1e3 * max(r.value, 1e-300)
    assert "inf" not in plan.borrowed_stress.text


def test_only_the_region_raised_is_said_so():
    case = StressCase(inputs=["gas"], first="a", first_name="A", holds=True, lead=5.0, saving_pct=None)
    s = BorrowedStress(
        site="a", name="A", raised=[], lowered={}, cases=[case], holds=True, text="", raised_region=2
    )
    text = describe(s, "USD")
    assert "the values of A's region's other sites raised." in text and ": ." not in text


def test_the_lead_says_whom_it_is_over():
    """A CFO review: "still comes first, 19,287 USD a year ahead" named no one. Oracle: the stressed
    costs of every other site; the lead is over the cheapest of them."""
    pre, totals, winner = prepared("apparel")
    s = stress(pre, winner, totals)
    everything = s.cases[0]
    assert everything.holds and everything.runner_up
    assert everything.runner_up != pre.sites["name"].iloc[winner]
    assert f"a year ahead of {everything.runner_up}" in s.text
