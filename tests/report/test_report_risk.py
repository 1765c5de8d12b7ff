"""The report's risk view and MCDA ranking: rendered in headless Chromium, offline, and wired to the CLI."""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, screenshot

import kopru
from kopru import api
from kopru import montecarlo as risk_mod
from kopru.inputs import prepare
from kopru.report import DRAWS_SHOWN, RISK_SITES, render_html, risk_view

APPAREL = EXAMPLES / "apparel.yaml"
SAMPLES = 2_000
SEED = 3


@functools.cache
def views() -> tuple[Any, Any, dict[str, Any], Any]:
    """(plan, risk result, risk view with draws, rank result) of the apparel example."""
    plan = kopru.plan(APPAREL)
    result = kopru.risk(APPAREL, samples=SAMPLES, seed=SEED)
    ranking = kopru.rank(APPAREL, samples=SAMPLES, seed=SEED)
    return plan, result, risk_view(result), ranking


def test_result_keeps_the_first_samples_and_the_plans_baseline():
    """Oracles: the first blocks recomputed on their own (seeding depends on the block alone), and
    the plan's baseline, found by a different path (its ranking)."""
    plan, result, view, _ = views()
    pack = api.load_data()
    model = risk_mod.build_model(
        prepare(api.load_profile(APPAREL), pack), risk_mod.load_uncertainty(None, pack)
    )
    blocks = -(-SAMPLES // risk_mod.BLOCK)
    costs = risk_mod.compute_chunk(model, SEED, 0, blocks, SAMPLES).costs
    for i, sid in enumerate(model.site_ids):
        assert (result.draws[sid] == costs[:, i]).all()
    assert result.baseline == plan.recommendation.baseline_site == view["baseline"]


def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, requests, errors


def _offline(requests: list[str]) -> list[str]:
    return [u for u in requests if not u.startswith(("file://", "data:", "about:"))]


@pytest.mark.browser
def test_risk_view_and_ranking_render_offline(browser, tmp_path):
    plan, result, view, ranking = views()
    path = tmp_path / "report.html"
    path.write_text(render_html(plan, kopru.load_data(), risk=view, ranking=ranking), encoding="utf-8")
    page, requests, errors = _open(browser, path)
    page.wait_for_selector("#risk-distribution .main-svg")
    page.wait_for_selector("#risk-best .main-svg")
    # one violin per shown site: the cheapest RISK_SITES and the Turkish baseline
    baseline = plan.recommendation.baseline_site
    assert baseline is not None and baseline not in [s.id for s in result.sites[:RISK_SITES]]
    violins = page.locator("#risk-distribution g.trace.violins path.violin").count()
    assert violins == RISK_SITES + 1
    assert page.locator("#risk-distribution g.trace.violins path.box").count() == RISK_SITES + 1
    # P(best) and regret bars: two bar traces, with at least one visible bar each
    assert page.locator("#risk-best g.trace.bars").count() == 2
    bar_paths = page.locator("#risk-best g.trace.bars g.point path")
    widths = [float(bar_paths.nth(i).bounding_box()["width"]) for i in range(bar_paths.count())]
    assert sum(w > 1 for w in widths) >= 2
    # the tables: every site under risk, every site in the MCDA ranking
    assert page.locator("#risk-table tr").count() == len(result.sites) + 1
    assert page.locator("#mcda-ranking tr").count() == len(ranking.table) + 1
    assert page.locator("#mcda-weights tr").count() == len(ranking.weights) + 1
    assert "TOPSIS" in page.locator("#mcda").inner_text()
    robust = page.locator("#risk-robustness").inner_text()
    change = f"{result.p_recommendation_changes:.1%}"
    assert plan.site(result.recommended).name in robust and f"changes in {change}" in robust
    # the plan's own sections are still there
    page.wait_for_selector("#site-map .choroplethlocation")
    page.wait_for_selector("#cost-chart .main-svg")
    assert not errors, errors
    assert _offline(requests) == [], f"report made network requests: {_offline(requests)}"
    screenshot(page.locator("#risk-distribution"), "risk-distribution-apparel.png")
    screenshot(page.locator("#risk-best"), "risk-best-apparel.png")
    screenshot(page.locator("#mcda-ranking"), "mcda-ranking-apparel.png")
    page.close()


@pytest.mark.browser
def test_risk_result_without_draws_shows_ranges(browser, tmp_path):
    """A RiskResult without sample draws still gets a chart: p5-p95, median, mean and CVaR95."""
    plan, result, _, _ = views()
    result = dataclasses.replace(result, draws={})
    path = tmp_path / "report.html"
    path.write_text(render_html(plan, kopru.load_data(), risk=result), encoding="utf-8")
    page, requests, errors = _open(browser, path)
    page.wait_for_selector("#risk-distribution .main-svg")
    page.wait_for_selector("#risk-best .main-svg")
    assert page.locator("#risk-distribution g.trace.scatter").count() == 3
    assert page.locator("#risk-distribution g.errorbar").count() == RISK_SITES + 1
    assert page.locator("#mcda").count() == 0
    assert not errors, errors
    assert _offline(requests) == []
    screenshot(page.locator("#risk-distribution"), "risk-ranges-apparel.png")
    page.close()


def test_views_are_optional_and_the_plan_report_is_unchanged():
    plan, _, _, _ = views()
    pack = kopru.load_data()
    html = render_html(plan, pack)
    assert html == render_html(plan, pack, risk=None, ranking=None)
    for marker in ('id="risk"', "risk-distribution", "risk-best", 'id="mcda"', "mcda-ranking"):
        assert marker not in html


def test_risk_view_keeps_the_shown_sites_draws_only():
    plan, result, view, _ = views()
    shown = [s.id for s in result.sites[:RISK_SITES]] + [plan.recommendation.baseline_site]
    assert list(view["draws"]) == shown
    assert all(len(v) == min(SAMPLES, DRAWS_SHOWN) for v in view["draws"].values())
    # the draws are the run's own first samples: their mean is near the run's mean
    first = next(s for s in result.sites if s.id == shown[0])
    mean = sum(view["draws"][shown[0]]) / len(view["draws"][shown[0]])
    assert mean == pytest.approx(first.mean, rel=1e-6)  # the same samples, rounded to whole units
    json.dumps(view)  # plain data: the CLI keeps it as risk.json


def test_view_text_is_escaped():
    plan, _, view, ranking = views()
    hostile = "<img src=x onerror=alert(1)>"
    bad = {**view, "sites": [{**view["sites"][0], "id": hostile, "name": hostile}, *view["sites"][1:]]}
    html = render_html(plan, kopru.load_data(), risk=bad, ranking=ranking)
    assert hostile not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_risk_and_rank_out_add_up_in_one_report(cli, tmp_path):
    out = tmp_path / "out"
    r = cli("risk", APPAREL, "--samples", SAMPLES, "--seed", SEED, "--out", out, "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["samples"] == SAMPLES  # stdout stays pure JSON with --out
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "risk-distribution" in html and "mcda-ranking" not in html
    assert (out / "plan.json").exists() and (out / "risk.json").exists()

    r = cli("rank", APPAREL, "--samples", SAMPLES, "--out", out)
    assert r.code == 0, r.err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "risk-distribution" in html and "mcda-ranking" in html
    assert "risk view and the ranking view" in " ".join(r.out.split())

    # a ranking of other inputs must not sit beside the risk view of these
    r = cli("rank", APPAREL, "--samples", SAMPLES, "--close", "mode:ferry", "--out", out)
    assert r.code == 0, r.err
    assert "risk.json is for another profile" in " ".join(r.out.split())
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "risk-distribution" not in html and "mcda-ranking" in html


def test_out_that_is_a_file_is_refused(cli, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("mine", encoding="utf-8")
    r = cli("risk", APPAREL, "--samples", 1024, "--out", target)
    assert r.code == 2
    assert "is a file" in r.err
    assert target.read_text(encoding="utf-8") == "mine"


def test_twins_are_named_in_the_report_workbook_and_cli(cli, tmp_path):
    """Sites with the same cost in every draw: --json gives their ids (as it gives "recommended"),
    people read names. Oracle: kopru risk's own pairs on the same seed (appliances: North Kazakhstan
    Region and SEZ Qyzyljar, whose incentives the product does not take)."""
    import openpyxl

    r = cli(
        "risk",
        EXAMPLES / "appliances.yaml",
        "--samples",
        SAMPLES,
        "--seed",
        5,
        "--out",
        tmp_path,
        "--no-store",
    )
    assert r.code == 0, r.err
    said = " ".join(r.out.split())
    assert "=: the same cost in every draw (North Kazakhstan Region and SEZ Qyzyljar)" in said  # those shown
    sites = json.loads((tmp_path / "risk.json").read_text(encoding="utf-8"))["view"]["sites"]
    by_name = {s["name"]: s for s in sites}
    assert by_name["SEZ Qyzyljar"]["same_draws_as"] == [by_name["North Kazakhstan Region"]["id"]]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'title="the same cost in every draw as North Kazakhstan Region"' in html
    assert "= marks sites with the same cost in every draw (North Kazakhstan Region and SEZ Qyzyljar;" in html
    sheet = openpyxl.load_workbook(tmp_path / "plan.xlsx")["Risk"]
    twins = {row[0]: row[-1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert twins["SEZ Qyzyljar"] == "North Kazakhstan Region"
