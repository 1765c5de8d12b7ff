"""Switching values and the tornado (kopru.montecarlo.switching).

Oracles: the NumPy cost engine (:func:`kopru.costs.landed_cost` on
:func:`kopru.montecarlo.sampled_inputs`, not the compiled kernel the search uses) on either side of
every switching value and on a dense grid inside it (for a site's capex, which the search costs
with the NumPy engine, the compiled kernel on a model with that capex); a whole plan with the data
pack's KZT rate overridden (the path a user's override takes); a risk run drawing from a file in which every
input is fixed (the draw path); scipy.stats for the percentiles and tail shares, and by hand for a
lognormal's.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from kopru import api
from kopru import montecarlo as risk
from kopru.inputs import prepare
from kopru.montecarlo.spec import NEUTRAL
from kopru.montecarlo.switching import switching_values
from kopru.switching import SwitchingValues, brief, chance, describe

ROOT = Path(__file__).resolve().parents[2]
APPAREL = ROOT / "examples" / "apparel.yaml"
FOOD = ROOT / "examples" / "food_processing.yaml"
NUDGE = 1e-6  # either side of a switching value, relative (the search narrows to about 5e-10)


@functools.cache
def model(profile: Path = APPAREL, overrides: tuple = ()) -> risk.RiskModel:
    pack = api.load_data(dict(overrides) or None)
    return risk.build_model(prepare(api.load_profile(profile), pack), risk.load_uncertainty(None, pack))


@functools.cache
def values_of(profile: Path = APPAREL) -> SwitchingValues:
    v = switching_values(model(profile))
    assert v is not None
    return v


def engine_costs(m: risk.RiskModel, variable: str, site: str | None, values: np.ndarray) -> np.ndarray:
    """(n, S) annual cost with ``variable`` (at ``site`` only, for a site-level one) at each value,
    every other input at the data pack's, by the NumPy engine; a site's capex (which the search
    evaluates with the NumPy engine) by the compiled kernel, on a model with that capex."""
    n, n_sites = len(values), len(m.site_ids)
    if variable == "capex":
        rows = []
        for factor in values:
            capex = np.broadcast_to(m.x.capex_usd, (n_sites,)).astype(float)
            capex[m.site_ids.index(site)] *= factor
            moved = dataclasses.replace(m, x=dataclasses.replace(m.x, capex_usd=capex))
            rows.append(risk.annual_cost_direct(moved, {}, np.ones((1, len(m.demand))))[0])
        return np.array(rows)
    drawn = {}
    for name, d in m.uncertainty.variables.items():
        if name.startswith("site."):
            drawn[name] = np.ones((n, n_sites))
        elif name != "demand":
            drawn[name] = np.full(n, NEUTRAL[d.kind])
    demand = np.ones((n, len(m.demand)))
    if variable == "demand":
        demand[:] = values[:, None]
    elif site is not None:
        drawn[variable][:, m.site_ids.index(site)] = values
    else:
        drawn[variable][:] = values
    return risk.annual_cost(m, risk.sampled_inputs(m, drawn, n, demand), demand)


def first(m: risk.RiskModel, costs: np.ndarray) -> list[str]:
    """The cheapest site of each row, ties to the smaller id (as the plan ranks)."""
    ids = np.array(m.site_ids)
    return [str(ids[np.lexsort((ids, row))[0]]) for row in costs]


def either_side(kind: str, value: float) -> tuple[float, float]:
    """A value just inside (towards the neutral value) and just outside a switching value."""
    if kind == "factor":
        inside, outside = (value * (1 - NUDGE), value * (1 + NUDGE))
        return (inside, outside) if value > 1 else (outside, inside)
    step = NUDGE * max(abs(value), 1.0)
    return (value - step, value + step) if value > 0 else (value + step, value - step)


@pytest.mark.parametrize("profile", [APPAREL, FOOD])
def test_every_switching_value_flips_the_numpy_engine(profile):
    m, v = model(profile), values_of(profile)
    assert v.switches, "the examples have switching values within reach"
    for s in v.switches:
        inside, outside = either_side(s.kind, s.value)
        costs = engine_costs(m, s.input, s.site, np.array([inside, outside]))
        where = [m.site_country[m.site_ids.index(f)] for f in first(m, costs)]
        if s.question == "site":
            assert first(m, costs)[0] == v.site, s.label
            assert first(m, costs)[1] == s.first != v.site, s.label
        else:
            assert where[0] == v.country != where[1], s.label
            assert first(m, costs)[1] == s.first, s.label


@pytest.mark.parametrize("profile", [APPAREL, FOOD])
def test_nothing_between_the_data_packs_value_and_a_switching_value_changes_the_answer(profile):
    """The nearest switching value each way: a dense grid inside it keeps the answer."""
    m, v = model(profile), values_of(profile)
    for s in v.switches:
        neutral = NEUTRAL[s.kind]
        if s.kind == "factor":
            grid = np.exp(np.linspace(0, math.log(s.value), 402)[1:-1])
        else:
            grid = np.linspace(neutral, s.value, 402)[1:-1]
        firsts = first(m, engine_costs(m, s.input, s.site, grid))
        if s.question == "site":
            assert set(firsts) == {v.site}, s.label
        else:
            assert {m.site_country[m.site_ids.index(f)] for f in firsts} == {v.country}, s.label


def test_the_tenges_switching_value_against_a_plan_with_the_rate_overridden():
    """Kazakhstan loses first place only when the tenge is about 2.5 times stronger; the oracle is
    a whole plan with the data pack's KZT per USD overridden either side of it (SEZ Turan's land is
    free and Denizli pays in lira, so the plan moves nothing the risk model keeps fixed)."""
    v = values_of()
    s = next(s for s in v.switches if s.input == "fx.KZT" and s.question == "country")
    assert s.direction == "down" and s.first == "plant_TR-20"
    assert 0.35 < s.value < 0.45
    rate = api.load_data().param("KZT", "fx_per_usd").value
    stronger = api.plan(APPAREL, overrides={"KZT.fx_per_usd": rate * s.value * 0.995})
    weaker = api.plan(APPAREL, overrides={"KZT.fx_per_usd": rate * s.value * 1.005})
    assert stronger.recommendation.site == "plant_TR-20"
    assert weaker.site(weaker.recommendation.site).country == "KZ"


def test_a_run_with_every_input_fixed_beyond_a_switching_value_picks_the_other_site(tmp_path):
    """The draw path: with every input fixed (one at just past its switching value), every draw
    is the same and P(best) is 0 or 1."""
    v = values_of()
    s = next(s for s in v.switches if s.site is None and s.question == "site")
    for value, best in zip(either_side(s.kind, s.value), (v.site, s.first), strict=True):
        lines = [
            f"  {name}: {{dist: fixed, value: {value if name == s.input else NEUTRAL[d.kind]!r},"
            " assumption: true}"
            for name, d in risk.load_uncertainty().variables.items()
        ]
        path = tmp_path / "fixed.yaml"
        path.write_text("variables:\n" + "\n".join(lines) + "\ncorrelations: []\n", encoding="utf-8")
        pack = api.load_data()
        pre = prepare(api.load_profile(APPAREL), pack)
        result = risk.run(risk.build_model(pre, risk.load_uncertainty(path, pack)), 64, 0)
        assert result.site(best).p_best == 1.0


def test_the_tornados_ends_are_the_inputs_percentiles_and_the_engines_savings():
    m, v = model(), values_of()
    spec = m.uncertainty.variables
    z = norm.ppf(0.95)
    for s in v.swings:
        d = spec[s.input]
        if (
            d.dist == "lognormal" and s.input != "demand"
        ):  # by hand: median x exp(-+1.645 sigma), a site's own sigma
            sigma = d.params["sigma"]
            if s.site is not None:
                column = risk.SITE_INPUTS.index(s.input.removeprefix("site."))
                if m.site_borrowed[m.site_ids.index(s.site), column]:
                    sigma = d.params.get("sigma_borrowed", sigma)
            assert s.low == pytest.approx(d.params["median"] * math.exp(-z * sigma), rel=1e-12)
            assert s.high == pytest.approx(d.params["median"] * math.exp(z * sigma), rel=1e-12)
        costs = engine_costs(m, s.input, s.site, np.array([s.low, s.high]))
        turkish = [i for i, c in enumerate(m.site_country) if c == "TR"]
        cheapest = costs[:, turkish].min(axis=1)
        lead = cheapest - costs[:, m.site_ids.index(v.site)]
        assert [s.saving_low, s.saving_high] == pytest.approx(lead.tolist(), rel=1e-9)
        assert [s.saving_pct_low, s.saving_pct_high] == pytest.approx((lead / cheapest).tolist(), rel=1e-9)
    widths = [s.width for s in v.swings]
    assert widths == sorted(widths, reverse=True)


def test_the_share_beyond_is_the_distributions_tail():
    """A lognormal's tail by hand: 1 - Phi(ln(x / median) / sigma) above, Phi(...) below."""
    m, v = model(), values_of()
    for s in v.switches:
        if s.input == "capex":
            assert s.p_beyond is None  # not drawn
            continue
        d = m.uncertainty.variables[s.input]
        if d.dist != "lognormal" or s.site is not None or s.input == "demand":
            continue
        zed = math.log(s.value / d.params["median"]) / d.params["sigma"]
        expected = norm.sf(zed) if s.direction == "up" else norm.cdf(zed)
        # far out the tail is below a float's range: said as the smallest share, never as none
        assert s.p_beyond == pytest.approx(max(expected, 1e-300), rel=1e-9, abs=1e-300)


def test_demands_range_is_the_total_of_independent_markets():
    """Oracle: 400,000 draws of each market's factor on its own (the risk engine's way), summed
    with the markets' units; the Fenton-Wilkinson lognormal's 5th and 95th percentiles are within
    1 % of the simulated total's, and much narrower than one market's."""
    m, v = model(), values_of()
    d = m.uncertainty.variables["demand"]
    swing = next(s for s in v.swings if s.input == "demand")
    rng = np.random.default_rng(11)
    factors = d.params["median"] * np.exp(d.params["sigma"] * rng.standard_normal((400_000, len(m.demand))))
    total = factors @ m.demand / m.demand.sum()
    low, high = np.quantile(total, [0.05, 0.95])
    assert swing.low == pytest.approx(low, rel=0.01) and swing.high == pytest.approx(high, rel=0.01)
    one_market = d.params["median"] * math.exp(norm.ppf(0.95) * d.params["sigma"])
    assert swing.high < one_market


def test_the_saving_at_the_data_packs_values_is_the_plans():
    plan = api.plan(APPAREL)
    v = plan.switching
    assert v is not None and v.site == plan.recommendation.site
    rec = plan.recommendation
    assert v.saving == pytest.approx(rec.baseline_total - rec.total, rel=1e-12)
    assert v.saving_pct == pytest.approx(plan.recommendation.saving_pct, rel=1e-12)
    assert v.comparator == "the best Turkish site"
    assert "VAT in Kazakhstan" in v.no_effect  # recoverable: it moves no cost
    assert v.text.startswith(f"{v.name} stays first until one input alone reaches its switching value")


def test_a_turkish_pick_is_compared_with_the_best_kazakh_site_as_the_plan_is():
    """With the tenge five times stronger (an override), a Turkish site comes first: its saving is
    over the best Kazakh site, the plan's own comparison, and first place leaving Türkiye is the
    country question."""
    pack = api.load_data()
    rate = pack.param("KZT", "fx_per_usd").value
    overrides = {"KZT.fx_per_usd": rate * 0.2}
    m = model(APPAREL, tuple(overrides.items()))
    v = switching_values(m)
    assert v is not None and v.country == "TR" and v.comparator == "the best Kazakh site"
    country = [s for s in v.switches if s.question == "country"]
    assert country and all(m.site_country[m.site_ids.index(s.first)] != "TR" for s in country)
    plan = api.plan(APPAREL, overrides=overrides)
    kazakh = min(s.landed_cost.total for s in plan.sites if s.country == "KZ" and s.feasible)
    assert v.saving == pytest.approx(kazakh - plan.recommendation.total, rel=1e-9)
    assert f"{v.saving / kazakh:.1%}" in plan.recommendation.text


def test_inputs_without_spread_and_site_inputs_of_any_distribution(tmp_path):
    """A user file with demand's sigma at 0 and each site's own wage fixed: no division by a zero
    spread (a share of 0 or 1), and the site-level wage is still searched (as a fixed input)."""
    path = tmp_path / "u.yaml"
    path.write_text(
        "variables:\n"
        "  demand: {dist: lognormal, median: 1.0, sigma: 0.0, assumption: true}\n"
        "  site.wage: {dist: fixed, value: 1.0, assumption: true}\n",
        encoding="utf-8",
    )
    pack = api.load_data()
    m = risk.build_model(prepare(api.load_profile(APPAREL), pack), risk.load_uncertainty(path, pack))
    v = switching_values(m)
    demand = [s for s in v.switches if s.input == "demand"]
    assert demand and all(s.p_beyond == 0.0 for s in demand)
    assert any(s.input == "site.wage" and s.site == v.site for s in v.switches)
    assert v.text and all(math.isfinite(s.value) for s in v.switches)


def test_no_switching_values_for_a_site_that_is_not_first():
    m = model()
    assert switching_values(m, "no_such_site") is None
    assert switching_values(m, m.baseline) is None  # Denizli is not first: there is no answer to keep


def test_the_recommended_sites_capex_has_a_switching_value():
    """Capex is not drawn, so it has a switching value but no tornado bar. Every new plant has the same
    capex, so SEZ Turan's overrun that lets SEZ Khorgos first is close to the saving on Khorgos' that
    does (not equal: the two zones' property and profit taxes on capex differ)."""
    v = values_of()
    up = next(s for s in v.switches if s.input == "capex" and s.site == v.site)
    down = next(s for s in v.switches if s.input == "capex" and s.site == "sez_khorgos_eastern_gate")
    assert up.direction == "up" and down.direction == "down" and up.first == down.first == down.site
    assert up.value - 1 == pytest.approx(1 - down.value, rel=0.01)
    assert "capex" not in {s.input for s in v.swings}
    # named: "Its" read as the labour sentence's unit or the site that came first before it (a review)
    assert f"{v.name}'s capex, which kopru does not draw, could rise by {up.change} before" in v.text
    assert v.name == "SEZ Turan (formerly Turkistan)" and "Its capex" not in v.text


def test_words():
    assert chance(0.056) == "6%"
    assert chance(1 / 2345) == "1 in 2,300"
    assert chance(1e-9) == "under 1 in a million"
    v = values_of()
    assert brief(v).startswith("Switching values, one input alone: SEZ Khorgos - Eastern Gate comes first if")
    assert chance(0.0) == "outside its range"
    fx = next(s for s in v.switches if s.input == "fx.KZT")
    rate = api.load_data().param("KZT", "fx_per_usd").value
    assert fx.change == f"at {rate * fx.value:,.4g} instead of {rate:,.4g}"
    # freight keeps today's routes: a bound, kept out of the sentences (around Iran, SEZ Turan's goods
    # for Türkiye go by sea from Poti, and sea freight has a switching value)
    around_iran = prepare(api.load_profile(APPAREL), api.load_data(), avoid=("IR",))
    sea_v = switching_values(risk.build_model(around_iran, risk.load_uncertainty(None, api.load_data())))
    sea = [s for s in sea_v.switches if s.input.startswith(("freight.", "transit.", "wait."))]
    assert sea and all(s.on_todays_routes for s in sea)
    assert not any(f"{s.label} {s.change}" in sea_v.text for s in sea)
    # demand holds today's plant sizes (the plan resizes an existing plant's expansion with it)
    demand = [s for s in v.switches if s.input == "demand"]
    assert demand and all(s.at_todays_sizes and s.bound for s in demand)
    assert not any(f"{s.label} {s.change}" in v.text for s in demand)
    rows = v.rows()
    both = [r for r in rows if r["input"] == "KZT per USD"]
    assert len(both) == 1 and both[0]["what"] == "another site first, and first place leaves Kazakhstan"


def test_plan_outputs_carry_the_switching_values(tmp_path, cli):
    result = cli("plan", str(APPAREL), "--no-store", "--out", str(tmp_path))
    assert result.code == 0
    assert "Switching values:" in " ".join(result.out.split())
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="switching"' in html and 'id="tornado-chart"' in html and 'id="switching-values"' in html
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "plan.xlsx")
    assert {"Switching values", "Tornado", "Two-way"} <= set(book.sheetnames)
    assert 'id="two-way-table"' in html and 'id="two-way-site-table"' in html
    t = values_of().two_way
    assert book["Two-way"]["B2"].value == pytest.approx(t.saving_pct[0][0])
    assert book["Two-way"]["H8"].value == pytest.approx(t.saving_pct[6][6])
    assert book["Switching values"]["A2"].value == values_of().rows()[0]["input"]


def test_risk_json_carries_the_switching_values_on_its_own_distributions():
    result = api.risk(APPAREL, samples=2_000, seed=1)
    data = result.as_dict()
    assert data["switching"]["site"] == result.recommended
    assert data["switching"]["switches"] == values_of().model_dump(mode="json")["switches"]


def test_the_two_way_table_moves_the_two_widest_inputs_at_their_percentiles():
    """The apparel table moves the tenge and the lira together (its two widest tornado bars); each
    axis is that input's percentiles (by hand: median × exp(z σ)), and each cell's saving the NumPy
    engine's (not the compiled kernel the table uses) with both inputs at the cell's values."""
    m, v = model(), values_of()
    t = v.two_way
    assert t is not None and [t.rows.input, t.columns.input] == [s.input for s in v.swings[:2]]
    assert t.percentiles == [5, 10, 25, 50, 75, 90, 95]
    spec = m.uncertainty.variables
    for axis in (t.rows, t.columns):
        d = spec[axis.input]
        expected = d.params["median"] * np.exp(norm.ppf(np.array(t.percentiles) / 100) * d.params["sigma"])
        assert axis.values == pytest.approx(expected.tolist(), rel=1e-12)
    n = 49
    drawn = {
        name: np.ones((n, len(m.site_ids))) if name.startswith("site.") else np.full(n, NEUTRAL[d.kind])
        for name, d in spec.items()
        if name != "demand"
    }
    drawn[t.rows.input] = np.repeat(t.rows.values, 7)
    drawn[t.columns.input] = np.tile(t.columns.values, 7)
    demand = np.ones((n, len(m.demand)))
    cost = risk.annual_cost(m, risk.sampled_inputs(m, drawn, n, demand), demand).reshape(7, 7, -1)
    turkish = [i for i, c in enumerate(m.site_country) if c == "TR"]
    cheapest = cost[..., turkish].min(axis=-1)
    pct = (cheapest - cost[..., m.site_ids.index(v.site)]) / cheapest
    assert np.array(t.saving_pct) == pytest.approx(pct, rel=1e-9)
    assert t.holds == 1.0 and all(f == v.site for row in t.first for f in row)
    assert t.holds_country == 1.0
    assert "first place stays in Kazakhstan in 49 of 49 combinations, at SEZ Turan" in v.text


def test_the_two_way_table_against_whole_plans_with_both_rates_overridden():
    """Oracle: whole plans with the data pack's KZT and TRY per USD overridden to a corner cell's
    values (the path a user's override takes): the same site first, and the same saving over the best
    Turkish site to 0.1 points; every component but one agrees exactly. The exception: the plan also
    recomputes Denizli's effective profit-tax rate under its expansion certificate (its tax reduction
    is capped), which the risk model holds at the plan's: up to 9,500 USD of Denizli's 14 M a year at
    the weakest lira, 0.05 points of the saving."""
    v = values_of()
    t = v.two_way
    assert {t.rows.input, t.columns.input} == {"fx.KZT", "labour_hours.KZ"}
    pack = api.load_data()
    # each input's value in the data pack, which an override multiplies
    value_of = {"fx": "fx_per_usd", "labour_hours": "labour_hours_factor"}
    for i, j in ((0, 0), (6, 6), (0, 6)):
        factors = {t.rows.input: t.rows.values[i], t.columns.input: t.columns.values[j]}
        overrides = {}
        for name, factor in factors.items():
            family, key = name.split(".")
            overrides[f"{key}.{value_of[family]}"] = pack.param(key, value_of[family]).value * factor
        plan = api.plan(APPAREL, overrides=overrides)
        assert plan.recommendation.site == t.first[i][j]
        assert plan.recommendation.saving_pct == pytest.approx(t.saving_pct[i][j], abs=1e-3)


def test_kazakh_labour_hours_switching_value_against_whole_plans():
    """The manager's question of a plant abroad: how many more hours a unit can the workforce take
    before the Turkish plant wins? Oracle: whole plans with the data pack's Kazakh factor (1.2 times
    a Turkish plant's hours) overridden just either side of the switching value; the plan's text says
    the level."""
    v = values_of()
    s = next(s for s in v.switches if s.input == "labour_hours.KZ" and s.question == "country")
    assert s.direction == "up" and s.first == "plant_TR-20" and s.reference == 1.2
    assert 2.0 < s.value < 3.5  # apparel: Kazakhstan's wages leave room for about 3 times the hours
    inside, outside = either_side(s.kind, s.value)
    kept = api.plan(APPAREL, overrides={"KZ.labour_hours_factor": 1.2 * inside})
    lost = api.plan(APPAREL, overrides={"KZ.labour_hours_factor": 1.2 * outside})
    assert kept.site(kept.recommendation.site).country == "KZ"
    assert lost.recommendation.site == "plant_TR-20"
    said = describe(v)
    assert f"A unit made in Kazakhstan could take up to {1.2 * s.value:.3g} times a Turkish plant's" in said
    assert "(1.2 in this plan;" in said and s.change.endswith("instead of 1.2 times a Turkish plant's hours")
    # the plan's factor, not the data pack's: an override is said as the plan's
    over = switching_values(model(APPAREL, (("KZ.labour_hours_factor", 1.5),)))
    assert over is not None
    said = describe(over)  # near enough now to be a headline switch, else the sentence of its own
    assert "instead of 1.5 times a Turkish plant's hours" in said or "(1.5 in this plan;" in said
    # a Turkish site's hours are the profile's own: no factor moves them
    assert not any(sw.input == "labour_hours.TR" for sw in v.switches)


def test_land_priced_in_lira_moves_with_the_lira():
    """Review of the two-way table: a plan with the lira overridden moved Denizli's land (leased in
    TRY) while the risk model held it in USD. Oracle: each Turkish site's capital component (capex,
    fixed costs and land) in a whole plan with TRY per USD overridden equals the risk model's with
    the lira's factor drawn at the same value."""
    from kopru.costs import COMPONENTS, landed_cost

    m = model()
    assert m.land_local is not None and m.land_local[m.site_ids.index("plant_TR-20")]
    rate = api.load_data().param("TRY", "fx_per_usd").value
    factor = 1.3
    plan = api.plan(APPAREL, overrides={"TRY.fx_per_usd": rate * factor})
    drawn = {
        name: np.ones((1, len(m.site_ids))) if name.startswith("site.") else np.full(1, NEUTRAL[d.kind])
        for name, d in m.uncertainty.variables.items()
        if name != "demand"
    }
    drawn["fx.TRY"] = np.array([factor])
    x = risk.sampled_inputs(m, drawn, 1, np.ones((1, len(m.demand))))
    capital = (landed_cost(x)[0, :, :, COMPONENTS.index("capital")] * m.demand).sum(axis=-1) * m.fx
    for i, sid in enumerate(m.site_ids):
        if m.site_country[i] == "TR":
            assert capital[i] == pytest.approx(plan.site(sid).landed_cost.components["capital"], rel=1e-9), (
                sid
            )
    direct = risk.annual_cost_direct(m, drawn, np.ones((1, len(m.demand))))[0]
    engine = risk.annual_cost(m, x, np.ones((1, len(m.demand))))[0]
    assert direct == pytest.approx(engine, rel=1e-9)  # the compiled kernel moves the land too


def test_the_two_way_sentence_counts_the_cells_another_site_takes():
    from kopru.switching import two_way_sentence

    v = values_of()
    t = v.two_way
    first = [list(r) for r in t.first]
    names = [list(r) for r in t.first_name]
    for i, j in ((6, 5), (6, 6), (5, 6)):
        first[i][j], names[i][j] = "sez_aktobe", "SEZ Aktobe"
    moved = v.model_copy(update={"two_way": t.model_copy(update={"first": first, "first_name": names})})
    text = two_way_sentence(moved)
    assert f"stays in Kazakhstan in 49 of 49 combinations, at {v.name} in 46" in text
    assert "first instead: SEZ Aktobe in 3" in text
    pct = [list(r) for r in t.saving_pct]
    pct[0][0] = -0.25
    low = moved.model_copy(update={"two_way": moved.two_way.model_copy(update={"saving_pct": pct})})
    assert "from 25.0% above to" in two_way_sentence(low)


def test_the_which_site_table_moves_the_two_inputs_that_move_the_lead_most():
    """The second table answers the other question: which site comes first. Its pair is the two
    inputs whose 5-95 % range moves the lead over the best other site most (apparel: SEZ Khorgos's
    and SEZ Turan's own wages); each cell's lead and first site by the NumPy engine with both sites'
    own wage factors at the cell's values."""
    m, v = model(), values_of()
    t = v.two_way_site
    assert t is not None and t.measure == "lead"
    widths = sorted(v.swings, key=lambda s: -abs(s.lead_high - s.lead_low))
    assert [(t.rows.input, t.rows.site), (t.columns.input, t.columns.site)] == [
        (s.input, s.site) for s in widths[:2]
    ]
    assert {t.rows.site, t.columns.site} == {"sez_turan", "sez_khorgos_eastern_gate"}
    n = 49
    drawn = {
        name: np.ones((n, len(m.site_ids))) if name.startswith("site.") else np.full(n, NEUTRAL[d.kind])
        for name, d in m.uncertainty.variables.items()
        if name != "demand"
    }
    drawn["site.wage"][:, m.site_ids.index(t.rows.site)] = np.repeat(t.rows.values, 7)
    drawn["site.wage"][:, m.site_ids.index(t.columns.site)] = np.tile(t.columns.values, 7)
    demand = np.ones((n, len(m.demand)))
    cost = risk.annual_cost(m, risk.sampled_inputs(m, drawn, n, demand), demand)
    r = m.site_ids.index(v.site)
    others = np.delete(cost, r, axis=1).min(axis=1)
    assert np.array(t.saving_pct).ravel() == pytest.approx(
        (others - cost[:, r]) / others, rel=1e-9, abs=1e-12
    )
    assert [f for row in t.first for f in row] == first(m, cost)
    assert 0 < t.holds < 1  # the two wages decide between the two zones within their ranges
    assert "Which site comes first turns most on" in v.text
