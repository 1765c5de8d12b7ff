"""``kopru risk`` and ``kopru rank`` after the operations review (findings 1, 2, 4, 5, 13 and 14):
what the commands print and write, checked against their own JSON, scipy and the plan."""

from __future__ import annotations

import functools
import json

import pytest
import scipy.stats
from conftest import EXAMPLES

APPAREL = EXAMPLES / "apparel.yaml"
SAMPLES = "2000"
SEED = "3"


def _no_nan(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON")

    return json.loads(text, parse_constant=refuse)


def flat(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def risk_json() -> dict:
    from kopru import api

    return _no_nan(
        json.dumps(api.risk(APPAREL, samples=int(SAMPLES), seed=int(SEED)).as_dict(), allow_nan=False)
    )


def test_risk_prints_the_plans_cost_the_reconciliation_the_conditions_and_the_errors(cli):
    r = cli("risk", APPAREL, "--samples", SAMPLES, "--seed", SEED, "--no-store")
    assert r.code == 0, r.err
    text = flat(r.out)
    data = risk_json()
    pick = next(s for s in data["sites"] if s["id"] == data["recommended"])
    assert "one year ahead of the data pack's values" in text  # the horizon, in the title
    assert " plan " in text and "for the units sold in each draw" in text
    # a CLI review: plan and compare show the Turkish baseline, the risk table left it out
    base = next(s for s in data["sites"] if s["id"] == data["baseline"])
    assert f"{base['name']} (Turkish baseline)" in text
    # finding 4: the plan's cost beside the mean, and the difference split
    rec = data["reconciliation"]
    assert f"the plan's cost {rec['base']:,.0f}, the Monte Carlo mean {rec['mean']:,.0f}" in text
    assert f"{rec['from_input_means']:+,.0f} from the inputs' means" in text
    assert f"{rec['from_spreads']:+,.0f} from their spreads" in text
    # finding 1: volume and capacity; finding 2: the conditions; finding 13: the errors
    assert (
        "Plant capacity is not enforced" in text
        and f"{pick['p_over_capacity']:.0%} of draws that sell more" in text
    )
    assert f"Per unit sold, {pick['name']} costs {pick['per_unit_base']:,.3f} in the plan" in text
    assert "assume the incentives are granted as the plan counts them" in text
    assert flat(data["conditions"]["text"]) in text
    assert (
        f"mean ± {pick['mean_se']:,.0f}" in text and f"P(best) ± {pick['p_best_se'] * 100:.2f} points" in text
    )
    assert data["notes"] and all(flat(note) in text for note in data["notes"])


def test_risk_json_states_the_inputs_conditions_and_errors(cli):
    r = cli("risk", APPAREL, "--samples", SAMPLES, "--seed", SEED, "--json", "--no-store")
    assert r.code == 0, r.err
    data = _no_nan(r.out)
    assert data == risk_json()  # the API's and the command's JSON are one
    pick = next(s for s in data["sites"] if s["id"] == data["recommended"])
    assert data["p_recommendation_changes_se"] == pick["p_best_se"] > 0
    assert pick["base"] < pick["mean"]  # the one-year-ahead drift is upwards
    without = data["conditions"]["recommended_without_incentives"]
    assert without["base"] > pick["base"]  # without its SEZ incentives the pick costs more
    names = [i["name"] for i in data["inputs"]]
    assert "demand" in names and "wage_growth.KZ" in names
    assert all(
        {"median", "mean", "spread", "applies_to", "source", "assumption"} <= set(i) for i in data["inputs"]
    )


def test_risk_per_unit_table_shows_the_cost_per_unit_sold(cli):
    r = cli("risk", APPAREL, "--samples", SAMPLES, "--seed", SEED, "--per-unit", "--no-store")
    assert r.code == 0, r.err
    first = risk_json()["sites"][0]
    row = next(line for line in r.out.splitlines() if line.strip().startswith(first["name"][:12]))
    cells = row.split()[-7:]  # no regret column: it is a year's money
    keys = (
        "per_unit_base",
        "per_unit_mean",
        "per_unit_p5",
        "per_unit_p50",
        "per_unit_p95",
        "per_unit_cvar95",
    )
    assert cells[:6] == [f"{first[k]:,.3f}" for k in keys]
    assert cells[6] == f"{first['p_best']:.1%}"  # P(best) is the same per unit
    assert "Cost per unit sold under uncertainty" in flat(r.out)


def test_risk_show_inputs_lists_every_distribution(cli):
    r = cli("risk", APPAREL, "--samples", "200", "--show-inputs", "--no-store")
    assert r.code == 0, r.err
    text = flat(r.out)
    assert "Inputs drawn (one year ahead of the data pack's values)" in text
    for i in risk_json()["inputs"]:
        assert i["name"] in text
    assert "log-σ 15%" in text and "assumption" in text


def test_rank_warns_on_weights_not_summing_to_one_and_still_ranks(cli, tmp_path):
    w = tmp_path / "w.yaml"
    w.write_text(
        "weights: {cost: 0.3, risk: 0.15, npv: 0.15, distance: 0.1, crossings: 0.1, port_access: 0.1}\n"
    )
    r = cli("rank", APPAREL, "--weights", w, "--samples", "300", "--no-store")
    assert r.code == 0, r.err
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "sum to 0.9, not 1: rescaled to cost 0.333, risk 0.167" in lines[0]
    assert "weights: cost 0.33, risk 0.17" in r.out
    r = cli("rank", APPAREL, "--weights", w, "--samples", "300", "--json", "--no-store")
    assert r.code == 0 and "sum to 0.9" in r.err
    assert _no_nan(r.out)["warnings"] == [lines[0].removeprefix("warning: ")]
    w.write_text("weights: {cost: 0.5, npv: 0.5}\n")
    r = cli("rank", APPAREL, "--weights", w, "--samples", "300", "--no-store")
    assert r.code == 0 and "rescaled" not in r.err


@pytest.mark.parametrize(
    ("method", "normalisation"),
    [("topsis", "vector"), ("vikor", "linear (min-max)"), ("promethee2", "none (pairwise differences)")],
)
def test_rank_states_its_normalisation_and_reference(cli, method, normalisation):
    r = cli("rank", APPAREL, "--method", method, "--samples", "300", "--json", "--no-store")
    assert r.code == 0, r.err
    data = _no_nan(r.out)
    assert data["method_notes"]["normalisation"] == normalisation and data["method_notes"]["reference"]
    r = cli("rank", APPAREL, "--method", method, "--samples", "300", "--no-store")
    assert flat(f"method: {data['method_notes']['text']}") in flat(r.out)


def test_rank_names_the_cheapest_site_when_its_first_is_another(cli, tmp_path):
    w = tmp_path / "w.yaml"
    w.write_text("weights: {port_access: 1}\n")
    r = cli("rank", APPAREL, "--weights", w, "--samples", "300", "--json", "--no-store")
    data = _no_nan(r.out)
    by_cost = min(data["sites"], key=lambda s: (s["criteria"]["cost"], s["id"]))  # brute force
    first = data["sites"][0]
    assert data["cheapest"]["id"] == by_cost["id"] != first["id"]
    gap = first["criteria"]["cost"] - by_cost["criteria"]["cost"]
    assert data["cheapest"]["first_costs_more_by"] == pytest.approx(gap)
    r = cli("rank", APPAREL, "--weights", w, "--samples", "300", "--no-store")
    text = flat(r.out)
    assert f"TOPSIS's #1, {first['name']}, costs {gap:,.0f} USD a year" in text
    assert f"the cheapest site, {by_cost['name']} (#{by_cost['rank']} here)" in text
    w.write_text("weights: {cost: 1}\n")
    r = cli("rank", APPAREL, "--weights", w, "--samples", "300", "--no-store")
    assert "more than the cheapest site" not in flat(r.out)


def test_rank_flags_nearly_collinear_criteria_as_scipy_finds_them(cli):
    r = cli("rank", APPAREL, "--samples", "300", "--json", "--no-store")
    data = _no_nan(r.out)
    used = [c for c, w in data["weights"].items() if w > 0]
    values = {c: [s["criteria"][c] for s in data["sites"]] for c in used}
    want = []
    for i, a in enumerate(used):
        for b in used[i + 1 :]:
            if len(set(values[a])) > 1 and len(set(values[b])) > 1:
                r_ab = scipy.stats.pearsonr(values[a], values[b])[0]
                if abs(r_ab) > 0.95:
                    want.append((a, b, r_ab))
    got = [(c["a"], c["b"], c["r"]) for c in data["collinear"]]
    assert [(a, b) for a, b, _ in got] == [(a, b) for a, b, _ in want]
    assert ("cost", "npv") in [(a, b) for a, b, _ in got]  # the review's r = -0.999
    for (_, _, ours), (_, _, theirs) in zip(got, want, strict=True):
        assert ours == pytest.approx(theirs, rel=1e-9)
    assert "risk" in data["assumptions"]


def test_report_shows_the_risk_notes_inputs_and_the_rankings_notes(cli, tmp_path):
    out = tmp_path / "out"
    r = cli("risk", APPAREL, "--samples", SAMPLES, "--seed", SEED, "--out", out, "--no-store")
    assert r.code == 0, r.err
    html = (out / "report.html").read_text(encoding="utf-8")
    view = json.loads((out / "risk.json").read_text(encoding="utf-8"))["view"]
    assert 'id="risk-notes"' in html and 'id="risk-inputs"' in html
    assert view["reconciliation"] == risk_json()["reconciliation"]
    assert f"{view['reconciliation']['base']:,.0f}" in html
    assert "Plant capacity is not enforced" in html and "one year ahead of the data pack" in html
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "per unit sold (the rest is sales volume)" in summary
    assert "assumes the incentives are granted as the plan counts them (not drawn)" in summary
    r = cli("rank", APPAREL, "--samples", SAMPLES, "--out", out, "--no-store")
    assert r.code == 0, r.err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="mcda-notes"' in html and "vector normalisation" in html and "nearly collinear" in html


def test_a_stale_risk_view_without_the_new_keys_still_renders(tmp_path):
    """A risk.json kept from before this change lacks the notes and inputs: the report leaves them out."""
    import kopru
    from kopru.report import render_html

    data = risk_json()
    old = {k: data[k] for k in ("samples", "seed", "currency", "recommended", "p_recommendation_changes")}
    keys = ("id", "name", "mean", "p5", "p50", "p95", "cvar95", "p_best", "expected_regret")
    old |= {
        "baseline": None,
        "excluded": [],
        "draws": None,
        "sites": [{k: s[k] for k in keys} for s in data["sites"]],
    }
    html = render_html(kopru.plan(APPAREL), kopru.load_data(), risk=old)
    assert 'id="risk-table"' in html and 'id="risk-notes"' not in html and 'id="risk-inputs"' not in html
