"""The stress test of borrowed values (kopru.borrowing).

Oracles: the data pack's own figures (Almaty's tariff is the dearest a Kazakh region has of its own),
the shipped uncertainty.yaml read by the risk engine's own reader, the risk engine's compiled kernel
evaluating the same factors, and the direction of the stress (it can only narrow the lead).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pytest

from kopru import api
from kopru import montecarlo as risk
from kopru.borrowing import SITE_INPUTS, borrowed_inputs, borrowed_sigmas, stress
from kopru.datapack import load
from kopru.inputs import prepare
from kopru.planner import annual_costs, plan_of
from kopru.report.summary import build_summary

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def prepared(example: str):
    pre = prepare(api.load_profile(ROOT / "examples" / f"{example}.yaml"), load())
    totals = annual_costs(pre)[1].sum(axis=-1)
    winner = int(np.nanargmin(np.where(np.isfinite(totals), totals, np.nan)))
    return pre, totals, winner


def test_sigmas_are_the_risk_engines():
    # oracle: kopru risk's own reader of the shipped uncertainty.yaml
    shipped = risk.load_uncertainty()
    for name in SITE_INPUTS:
        assert borrowed_sigmas()[name] == shipped.variables[f"site.{name}"].params["sigma_borrowed"]


def test_a_borrowed_kazakh_tariff_is_tried_at_the_dearest_own_regional_tariff():
    # oracle: electricity_price_industrial in the pack; Turan (Turkistan Region) takes the country
    # row (Kostanay's tariff); the dearest region's own figure, Almaty's, is further than two spreads
    pre, totals, winner = prepared("apparel")
    assert pre.sites["id"].iloc[winner] == "sez_turan"
    s = stress(pre, winner, totals)
    raised = {r.input: r for r in s.raised}
    pack = pre.pack
    regions = pre.sites.loc[pre.sites["country"] == "KZ", "region"].unique()
    own = [
        pack.param(region, "electricity_price_industrial", "KZ").value
        for region in regions
        if pack.param(region, "electricity_price_industrial", "KZ").subject == region
    ]
    assert len(own) >= 3  # Kostanay, Almaty, Almaty Region, Astana
    el = raised["electricity"]
    assert el.value == pytest.approx(pack.param("KZ", "electricity_price_industrial").value)
    assert el.stressed == pytest.approx(max(own), rel=1e-9)
    assert el.stressed > el.value * np.exp(2 * borrowed_sigmas()["electricity"])
    assert "dearest" in el.basis
    # Turkistan Region's own gas figure is an estimate: two spreads of sigma_borrowed above it
    gas = raised["gas"]
    assert gas.stressed == pytest.approx(gas.value * np.exp(2 * borrowed_sigmas()["gas"]), rel=1e-9)
    # the zone's land is free: nothing to raise
    assert "land" not in raised


@pytest.mark.parametrize("example", ["apparel", "construction_materials"])
def test_the_stress_equals_the_risk_engines_kernel_on_the_same_factors(example):
    # oracle: kopru.montecarlo's compiled kernel, an independent implementation of the landed cost,
    # fed the factors the stress applies (the first case: every input at once)
    pre, totals, winner = prepared(example)
    s = stress(pre, winner, totals)
    model = risk.build_model(pre, risk.load_uncertainty())
    keep = [list(pre.sites["id"]).index(i) for i in model.site_ids]
    mask = borrowed_inputs(pre)
    sites = pre.sites
    up = (sites["region"] == sites["region"].iloc[winner]).to_numpy()
    from kopru.borrowing import _bounds

    low, high = _bounds(pre)
    factors = np.where(mask, np.where(up[:, None], high, low), 1.0)[keep]
    values = {f"site.{n}": factors[None, :, k].copy() for k, n in enumerate(SITE_INPUTS)}
    annual = risk.annual_cost_direct(model, values, np.ones((1, len(pre.markets))))[0]
    order = np.argsort(annual)
    first = model.site_ids[order[0]]
    assert first == s.cases[0].first
    w = model.site_ids.index(s.site)
    others = np.delete(annual, w)
    assert s.cases[0].lead == pytest.approx(others.min() - annual[w], rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("example", ["apparel", "appliances", "construction_materials", "food_processing"])
def test_the_stress_can_only_narrow_the_lead(example):
    # the recommended site's values go up and everyone else's down: its lead never grows
    pre, totals, winner = prepared(example)
    s = stress(pre, winner, totals)
    others = np.delete(totals, winner)
    base_lead = np.nanmin(np.where(np.isfinite(others), others, np.nan)) - totals[winner]
    for case in s.cases:
        assert case.lead <= base_lead + 1e-6
        assert case.holds == (case.first == s.site)
    assert s.holds == s.cases[0].holds
    # together is at least as hard as any input alone
    assert s.cases[0].lead <= min(c.lead for c in s.cases[1:]) + 1e-6


def test_a_flip_names_the_input_to_check_first():
    # construction materials: Turan stays far below Türkiye but loses first place among the zones
    pre, totals, winner = prepared("construction_materials")
    s = stress(pre, winner, totals)
    assert not s.holds
    assert s.cases[0].saving_pct > 0.3
    alone = [c.inputs[0] for c in s.cases[1:] if not c.holds]
    assert alone and all(name in s.text for name in alone)
    assert "check" in s.text and s.cases[0].first_name in s.text


def test_nothing_borrowed_gives_no_stress():
    pre, totals, winner = prepared("apparel")
    # every site's values made its own region's sourced figures: nothing is left to stress
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
