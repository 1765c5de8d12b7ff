"""The operations review of ``kopru risk`` (findings 1, 2, 4 and 13): the plan's cost beside the
mean and the attribution of their difference, the cost per unit sold and capacity, what P(best) is
conditional on, and the Monte Carlo errors.

Oracles: the deterministic plan; runs of the whole engine with one input fixed at its mean (the
draw path, not the reconciliation's own evaluation); scipy.stats for the distributions' means and
medians; NumPy recomputations from the chunks' per-sample costs and units; brute-force argmins;
the plan's own sentence on unconfirmed SEZ incentives.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.stats

from kopru import api
from kopru import montecarlo as risk
from kopru.inputs import prepare
from kopru.montecarlo import explain
from kopru.montecarlo.reconcile import input_shifts

ROOT = Path(__file__).resolve().parents[2]
APPAREL = ROOT / "examples" / "apparel.yaml"
N = 3 * risk.BLOCK + 17  # a partial last block
SEED = 5


@functools.cache
def model(spec: Path | None = None) -> risk.RiskModel:
    pack = api.load_data()
    pre = prepare(api.load_profile(APPAREL), pack)
    return risk.build_model(pre, risk.load_uncertainty(spec, pack))


@functools.cache
def run() -> risk.RiskResult:
    return risk.run(model(), N, SEED)


@functools.cache
def per_sample() -> tuple[np.ndarray, np.ndarray]:
    """(costs (N, S), units (N,)) of the run, recomputed block by block outside the statistics."""
    chunk = risk.compute_chunk(model(), SEED, 0, -(-N // risk.BLOCK), N)
    return chunk.costs, chunk.units


def fixed_file(tmp_path: Path, values: dict[str, float]) -> Path:
    """Every shipped variable fixed at the data pack's value (factor 1, rate and shift 0), but
    those of ``values`` fixed at the value given."""
    lines = []
    for name, d in risk.load_uncertainty().variables.items():
        value = values.get(name, 1.0 if d.kind == "factor" else 0.0)
        lines.append(f"  {name}: {{dist: fixed, value: {value!r}, assumption: true}}")
    path = tmp_path / "fixed.yaml"
    path.write_text("variables:\n" + "\n".join(lines) + "\ncorrelations: []\n", encoding="utf-8")
    return path


# -- finding 4: the plan's cost beside the mean, and the difference attributed ---------------------
def test_each_site_carries_the_plans_cost():
    plan = api.plan(APPAREL)
    for s in run().sites:
        assert s.base == pytest.approx(plan.site(s.id).landed_cost.total, rel=1e-12)
        assert s.per_unit.base == pytest.approx(s.base / sum(m["demand"] for m in plan.markets), rel=1e-12)


@pytest.mark.parametrize(
    ("name", "mean"),
    [
        # the means by hand: a lognormal's median x exp(sigma^2 / 2), a triangle's (low + mode + high) / 3
        ("wage_growth.KZ", 0.10),
        ("demand", math.exp(0.15**2 / 2)),
        ("fx.TRY", 1.15 * math.exp(0.10**2 / 2)),
        ("transit.rail", (0.9 + 1.0 + 1.5) / 3),
        ("wait.port", (0.8 + 1.0 + 4.0) / 3),
    ],
)
def test_each_inputs_shift_is_a_run_with_it_fixed_at_its_mean(tmp_path, name, mean):
    """The reconciliation moves one input to its mean in one compiled evaluation; the oracle is the
    whole engine drawing from a file in which that input is fixed at its mean and every other at
    the data pack's value: all its samples cost the same, the plan's cost plus the shift."""
    shifts = input_shifts(model())
    fixed = risk.run(model(fixed_file(tmp_path, {name: mean})), 50, 0)
    k = shifts.names.index(name)
    for s, sid in enumerate(model().site_ids):
        one = fixed.site(sid)
        assert one.p5 == pytest.approx(one.p95, rel=1e-12)  # no spread left
        assert shifts.alone[k, s] == pytest.approx(one.mean, rel=1e-11)
    if name in ("wage_growth.KZ", "demand"):  # they move every Kazakh site up
        pick = model().site_ids.index(model().recommended)
        assert shifts.alone[k, pick] > model().base[pick]


def test_every_input_at_its_mean_is_a_run_with_all_fixed_there(tmp_path):
    """Sites' own factors are left out (fixed at 1 in both), since their mean differs by site."""
    spec = risk.load_uncertainty()
    means = {name: d.mean for name, d in spec.variables.items() if not name.startswith("site.")}
    own = {name: 1.0 for name in spec.variables if name.startswith("site.")}
    path = fixed_file(tmp_path, means | own)
    drawn = tmp_path / "drawn.yaml"
    lines = [f"  {name}: {{dist: fixed, value: 1.0, assumption: true}}" for name in own]
    drawn.write_text("variables:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    shifts = input_shifts(model(drawn))
    fixed = risk.run(model(path), 10, 0)
    for s, sid in enumerate(model().site_ids):
        assert shifts.together[s] == pytest.approx(fixed.site(sid).mean, rel=1e-11)


def test_reconciliation_splits_the_difference_and_names_the_largest_inputs():
    result = run()
    r = result.reconciliation
    pick = result.site(result.recommended)
    assert r.site == pick.id and r.base == pick.base and r.mean == pick.mean and r.at_means == pick.at_means
    assert r.central + r.spread == pytest.approx(r.mean - r.base, rel=1e-12)
    assert sum(r.shifts.values()) + r.interplay == pytest.approx(r.central, rel=1e-12)
    assert list(r.shifts) == sorted(r.shifts, key=lambda k: -abs(r.shifts[k]))
    assert r.shifts["vat.KZ"] == pytest.approx(0.0, abs=1e-9 * r.base)  # drawn, but recoverable
    text = explain.reconciliation_text(result)
    top = next(iter(r.shifts))
    assert result.uncertainty.variables[top].label in text
    assert f"{r.base:,.0f}" in text and f"{r.mean:,.0f}" in text and f"{r.mean_se:,.0f}" in text


def test_a_neutral_run_reconciles_to_nothing(tmp_path):
    result = risk.run(model(fixed_file(tmp_path, {})), 300, 1)
    r = result.reconciliation
    assert r.mean == pytest.approx(r.base, rel=1e-12) and r.at_means == pytest.approx(r.base, rel=1e-12)
    assert all(abs(v) < 1e-6 * r.base for v in r.shifts.values())
    assert r.mean_se == pytest.approx(0.0, abs=1e-6 * r.base)


def test_distributions_mean_and_median_equal_scipys():
    """Oracle: scipy.stats, parametrised from the same numbers."""
    for name, d in risk.load_uncertainty().variables.items():
        p = d.params
        if d.dist == "lognormal":
            oracle = scipy.stats.lognorm(s=p["sigma"], scale=p["median"])
        elif d.dist == "normal":
            oracle = scipy.stats.norm(p["mean"], p["sd"])
        elif d.dist == "triangular":
            width = p["high"] - p["low"]
            oracle = scipy.stats.triang((p["mode"] - p["low"]) / width, loc=p["low"], scale=width)
        else:
            continue
        assert d.mean == pytest.approx(oracle.mean(), rel=1e-12), name
        assert d.median == pytest.approx(oracle.median(), rel=1e-12), name


def test_inputs_are_listed_with_the_horizon(tmp_path):
    data = run().as_dict()
    shipped = risk.load_uncertainty()
    assert data["horizon"] == shipped.horizon == "one year ahead of the data pack's values"
    assert [i["name"] for i in data["inputs"]] == sorted(shipped.variables)
    fx = next(i for i in data["inputs"] if i["name"] == "fx.TRY")
    assert fx["median"] == 1.15 and fx["assumption"] is True and "TRY" in fx["applies_to"]
    assert fx["correlated_with"]["wage_growth.TR"] == 0.6 and fx["source"] == "fx_ecb_eurofxref"
    own = tmp_path / "u.yaml"
    own.write_text("horizon: two years ahead\nvariables: {}\n", encoding="utf-8")
    assert risk.load_uncertainty(own).horizon == "two years ahead"


# -- finding 1: the cost per unit sold, the units and capacity -------------------------------------
def test_per_unit_statistics_equal_numpys_on_the_same_draws():
    costs, units = per_sample()
    per_unit = costs / units[:, None]
    result = risk.run(dataclasses.replace(model(), per_unit_all=True), N, SEED)
    k = math.ceil(0.05 * N)
    for s, sid in enumerate(model().site_ids):
        u = result.site(sid).per_unit
        assert u.mean == pytest.approx(per_unit[:, s].mean(), rel=1e-12)
        p5, p50, p95 = np.quantile(per_unit[:, s], [0.05, 0.5, 0.95])
        assert (u.p5, u.p50, u.p95) == (p5, p50, p95)
        assert u.cvar95 == pytest.approx(np.sort(per_unit[:, s])[-k:].mean(), rel=1e-12)
    # one divisor per draw for every site: per unit, the cheapest site of each draw is the same
    wins = np.bincount(per_unit.argmin(axis=1), minlength=costs.shape[1]) / N
    assert [result.site(sid).p_best for sid in model().site_ids] == wins.tolist()
    # by default only the sites the output names get per-unit quantiles (they double the sorting)
    default = run()
    named = {default.recommended, default.baseline}
    for sid in model().site_ids:
        u = default.site(sid).per_unit
        assert u.mean == result.site(sid).per_unit.mean
        assert (u.p95 is not None) == (sid in named)


def test_units_sold_and_capacity_equal_numpys():
    _, units = per_sample()
    result = run()
    sold = result.units
    assert sold.base == model().demand.sum() == 3_000_000
    assert sold.mean == pytest.approx(units.mean(), rel=1e-12)
    assert (sold.p5, sold.p50, sold.p95) == tuple(np.quantile(units, [0.05, 0.5, 0.95]))
    pick = result.site(result.recommended)
    assert pick.capacity == 3_000_000  # the profile's plant; the draws sell more in about half
    assert pick.p_over_capacity == np.mean(units > 3_000_000) and 0.3 < pick.p_over_capacity < 0.7
    # the existing Denizli plant is costed expanded to the demand: that is its capacity here
    assert result.site("plant_TR-20").capacity == 3_000_000
    text = explain.volume_text(result)
    assert "not enforced" in text and f"{pick.p_over_capacity:.0%}" in text


def test_new_statistics_do_not_depend_on_the_chunk_layout():
    m = model()
    one = risk.run(m, N, 9, blocks_per_chunk=8)
    others = [
        risk.run(m, N, 9, blocks_per_chunk=1),
        risk.run(m, N, 9, blocks_per_chunk=2, memory_budget=0),  # the site-major file, units column last
        risk.run(m, N, 9, blocks_per_chunk=1, workers=2),  # the workers write the units into the file
    ]
    want = json.dumps(one.as_dict())
    assert one.site(one.recommended).per_unit is not None and one.units is not None
    for other in others:
        assert json.dumps(other.as_dict()) == want


# -- finding 13: Monte Carlo errors ----------------------------------------------------------------
def test_standard_errors_equal_numpys():
    costs, _ = per_sample()
    result = run()
    for s, sid in enumerate(model().site_ids):
        site = result.site(sid)
        assert site.mean_se == pytest.approx(costs[:, s].std(ddof=1) / math.sqrt(N), rel=1e-9)
        assert site.p_best_se == pytest.approx(math.sqrt(site.p_best * (1 - site.p_best) / N), rel=1e-12)
    text = explain.error_text(result)
    pick = result.site(result.recommended)
    assert f"± {pick.mean_se:,.0f}" in text and f"{N:,} draws" in text


def test_one_sample_has_no_standard_error_and_a_sure_share_is_bounded(tmp_path):
    one = risk.run(model(), 1, 0)
    assert one.site(one.recommended).mean_se is None
    json.dumps(one.as_dict(), allow_nan=False)  # no NaN reaches a user
    # every draw alike: the pick wins all 300, its binomial error is 0 and the rule of three gives 3 / 300
    sure = risk.run(model(fixed_file(tmp_path, {})), 300, 0)
    pick = sure.site(sure.recommended)
    assert pick.p_best == 1.0 and pick.p_best_se == 0.0
    assert "another site is cheaper in fewer than 1.00% of draws" in explain.error_text(sure)
    assert "quarter the rule of three's" in explain.error_text(sure)  # 3 / n: 4 n quarters it
    # CLI review: one draw said 'fewer than 100.00% of draws' and '1 draws'; three draws bound nothing
    for n in (1, 3):
        few = explain.error_text(risk.run(model(fixed_file(tmp_path, {})), n, 0))
        assert f"({n} draw{'s' * (n > 1)}): " in few and "too few to bound" in few and "100.00%" not in few
    assert "not enforced, but no draw sells more than 3,000,000." in explain.volume_text(sure)


# -- finding 2: what P(best) is conditional on -----------------------------------------------------
def test_p_best_without_the_unconfirmed_incentives_is_a_brute_force_argmin():
    costs, _ = per_sample()
    m = model()
    confirmed = np.flatnonzero(~m.unconfirmed)
    wins = np.bincount(costs[:, confirmed].argmin(axis=1), minlength=len(confirmed)) / N
    result = run()
    for j, s in enumerate(confirmed):
        assert result.site(m.site_ids[s]).p_best_confirmed == wins[j]
    for s in np.flatnonzero(m.unconfirmed):
        assert result.site(m.site_ids[s]).p_best_confirmed is None
    fail = explain.conditions(result)["if_unconfirmed_incentives_fail"]
    assert fail["id"] == m.site_ids[confirmed[wins.argmax()]] and fail["p_best"] == wins.max()


def test_conditions_name_the_picks_unconfirmed_incentives_as_the_plan_does():
    """Oracle: the plan's recommendation, which says what the pick costs without its SEZ incentives."""
    plan = api.plan(APPAREL)
    result = run()
    assert result.recommended == plan.recommendation.site
    best = plan.site(plan.recommendation.site)
    region = plan.site(best.region)
    conditions = explain.conditions(result)
    assert conditions["recommended_incentives_unconfirmed"] is True
    assert conditions["not_drawn"] == [
        "incentive eligibility",
        "capex",
        "fixed costs",
        "material prices (and where each input is bought)",
        "selling prices",
    ]
    without = conditions["recommended_without_incentives"]
    assert without["name"] == region.name and without["plan_rank"] == region.rank
    assert without["base"] == pytest.approx(region.landed_cost.total, rel=1e-12)
    said = f"without them it costs what {region.name} does, {region.landed_cost.total:,.0f}"
    assert said in plan.recommendation.text and said in conditions["text"]
    assert set(conditions["unconfirmed_incentives"]) == {
        s.name for s in result.sites if s.incentives_unconfirmed
    }


def test_a_confirmed_pick_says_only_what_is_not_drawn():
    m = model()
    confirmed = np.zeros(len(m.site_ids), dtype=bool)
    result = risk.run(dataclasses.replace(m, unconfirmed=confirmed), 200, 0)
    conditions = explain.conditions(result)
    assert conditions["recommended_incentives_unconfirmed"] is False
    assert conditions["recommended_without_incentives"] is None
    assert conditions["if_unconfirmed_incentives_fail"] is None
    assert "not confirmed" not in conditions["text"] and "none is drawn" in conditions["text"]
    # with no site left out of the confirmed set, its P(best) is the P(best)
    assert all(s.p_best_confirmed == s.p_best for s in result.sites)


def test_a_site_factors_mean_uses_each_sites_own_spread(tmp_path):
    """Oracle: the draws themselves. With site.land the only input drawn, the cost moves linearly in
    each site's land factor, so the run's mean is the cost at the factor's mean, exp(sigma^2 / 2)
    with the site's sigma (0.4 where its land price is borrowed, 0.2 where it is its region's), to
    within four standard errors; the wrong sigma would miss by far more."""
    fixed = fixed_file(tmp_path, {})
    text = fixed.read_text(encoding="utf-8")
    land = "  site.land: {dist: lognormal, median: 1.0, sigma: 0.2, sigma_borrowed: 0.4, within_region: 0.3,"
    fixed.write_text(text.replace("  site.land: {dist: fixed, value: 1.0,", land), encoding="utf-8")
    m = model(fixed)
    shifts = input_shifts(m)
    k = shifts.names.index("site.land")
    result = risk.run(m, 20_000, 2)
    column = risk.SITE_INPUTS.index("land")
    checked = 0
    for s, sid in enumerate(m.site_ids):
        site = result.site(sid)
        moved = shifts.alone[k, s] - m.base[s]
        assert abs(site.mean - shifts.alone[k, s]) <= 4 * site.mean_se + 1e-6 * site.mean
        sigma = 0.4 if m.site_borrowed[s, column] else 0.2
        wrong = 0.2 if sigma == 0.4 else 0.4
        if moved > 0:  # a site paying for land: the other sigma's shift is far outside the error
            other = moved * (math.exp(wrong**2 / 2) - 1) / (math.exp(sigma**2 / 2) - 1)
            assert abs(site.mean - (m.base[s] + other)) > 4 * site.mean_se
            checked += 1
    assert checked >= 10


def test_a_bulky_input_s_freight_is_split_by_the_modes_of_its_route():
    """Review: the risk engine split a material's freight by weight alone and put the rest on road,
    so a bulky input's rail and sea freight escaped their shocks. Oracle: the split without volume,
    scaled: each mode's share of the input's freight is the same whichever measure fills the box."""
    from kopru.profile import Profile

    pack = api.load_data()
    data = api.load_profile(APPAREL).model_dump()
    payload = pack.param("container:teu", "teu_payload").value
    box = pack.param("container:teu", "teu_volume").value
    data["materials"][1]["volume"] = 20 * data["materials"][1]["weight"] / payload * box
    bulky = risk.build_model(prepare(Profile.model_validate(data), pack), risk.load_uncertainty(None, pack))
    by_weight = model().material_freight_by_mode[:, 1]
    by_volume = bulky.material_freight_by_mode[:, 1]
    assert by_volume == pytest.approx(20 * by_weight, rel=1e-9)
    assert (by_weight[:, 1:].sum(axis=1) > 0).any()  # some of it goes by rail, ferry or sea
