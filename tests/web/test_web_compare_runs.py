"""The Compare page and POST /api/compare-sites on the user's own runs, not only the examples.

Oracles: ``kopru.compare`` called directly with the run's profile, overrides and closures (the
served comparison must be the same figure for figure), the run's own plan (its landed costs and its
ranking), and the plain example's comparison (the run's changes must show in the figures).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from conftest import EXAMPLES
from web_server import serving

import kopru
from kopru.web import create_app

APPAREL = EXAMPLES / "apparel.yaml"
OVERRIDES = {"KZ.labour_hours_factor": {"factor": 1.5}}
CLOSED = ["water:caspian"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("compare-runs") / "runs.duckdb"
    with serving(create_app(token="", scenario_store=store)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as c:
        yield c


def _plan(client: httpx.Client, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A plan run on the server: its id and its plan."""
    response = client.post("/api/plan", json=body)
    assert response.status_code == 200, response.text
    return response.headers["x-kopru-run"], response.json()


@pytest.fixture(scope="module")
def run(client: httpx.Client) -> tuple[str, dict[str, Any]]:
    """The apparel example planned with one value replaced and the Caspian closed."""
    return _plan(client, {"example": "apparel", "overrides": OVERRIDES, "disruptions": CLOSED})


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    """A comparison without the request's ``source``, as ``kopru compare --json`` gives it."""
    return {k: v for k, v in result.items() if k != "source"}


def _row(result: dict[str, Any], label: str) -> list[Any]:
    return next(r["values"] for r in result["rows"] if r["label"] == label)


def test_a_runs_comparison_is_the_python_api_on_its_values_and_closures(
    client: httpx.Client, run: tuple[str, dict[str, Any]]
) -> None:
    run_id, plan = run
    sites = [plan["ranking"][0], plan["recommendation"]["baseline_site"]]
    served = client.post("/api/compare-sites", json={"run": run_id, "sites": sites})
    assert served.status_code == 200, served.text
    result = served.json()
    direct = kopru.compare(kopru.load_profile(APPAREL), sites, overrides=OVERRIDES, disruptions=CLOSED)
    assert _figures(result) == json.loads(json.dumps(direct.as_dict()))
    # the figures are the run's plan's: its sites' annual landed costs
    totals = {s["id"]: s["landed_cost"]["total"] for s in plan["sites"]}
    assert _row(result, "Annual landed cost") == [totals[s] for s in sites]
    # and not the plain example's: the run's slower Kazakh labour and closed Caspian count
    plain = client.post("/api/compare-sites", json={"example": "apparel", "sites": sites}).json()
    assert plain["source"] == {"example": "apparel"}
    assert _row(plain, "Annual landed cost")[0] < _row(result, "Annual landed cost")[0]
    example = kopru.compare(kopru.load_profile(APPAREL), sites)
    assert _figures(plain) == json.loads(json.dumps(example.as_dict()))
    # what the run changed, in words, so the page can say whose plan it is
    source = result["source"]
    listed = {r["id"]: r for r in client.get("/api/runs").json()}
    assert source["run"] == run_id and source["created"] == listed[run_id]["created"]
    assert source["closed"] == plan["closed_parts"] == ["every ship across the Caspian Sea"]
    assert len(source["replaced"]) == 1 and "labour hours" in source["replaced"][0]
    assert source["replaced"][0].endswith("× 1.5") and source["avoided"] == []


def test_a_profile_runs_own_closures_and_avoided_countries_are_counted_once(client: httpx.Client) -> None:
    """A profile that closes a corridor part and avoids a country itself, run with one more closure
    and a replaced value: the comparison (risk rows too) is the Python API's on the same arguments."""
    profile = yaml.safe_load(Path(APPAREL).read_text(encoding="utf-8"))
    profile |= {"disruptions": ["khorgos"], "avoid": ["IR"]}
    overrides = {"KZT.fx_per_usd": 520}
    run_id, plan = _plan(client, {"profile": profile, "disruptions": CLOSED, "overrides": overrides})
    assert plan["disruptions"] == ["khorgos", *CLOSED]  # the profile's closures first, then the run's
    sites = plan["ranking"][:3]
    body = {"run": run_id, "sites": sites, "samples": 300, "seed": 3}
    result = client.post("/api/compare-sites", json=body).json()
    direct = kopru.compare(profile, sites, overrides=overrides, disruptions=CLOSED, samples=300, seed=3)
    assert _figures(result) == json.loads(json.dumps(direct.as_dict()))
    assert any(r["section"] == "Risk" for r in result["rows"])
    source = result["source"]
    assert source["closed"] == plan["closed_parts"] and len(source["closed"]) == 2
    assert source["avoided"] == ["Iran"] and source["replaced"] == ["KZT's exchange rate = 520"]


def test_a_run_that_is_not_on_the_server_or_not_a_run_id_is_refused_in_one_line(
    client: httpx.Client, run: tuple[str, dict[str, Any]]
) -> None:
    run_id, plan = run
    sites = plan["ranking"][:2]
    unknown = client.post("/api/compare-sites", json={"run": "0" * 32, "sites": sites})
    assert unknown.status_code == 404
    said = unknown.json()["detail"]
    assert said.startswith(f"no run {'0' * 32} on this server") and "GET /api/runs" in said
    assert "\n" not in said
    malformed = client.post("/api/compare-sites", json={"run": "../runs", "sites": sites})
    assert malformed.status_code == 422
    [error] = malformed.json()["detail"]
    assert error["field"] == "run" and "is not a run id (32 hexadecimal characters" in error["msg"]
    for body in (
        {"run": run_id, "example": "apparel", "sites": sites},
        {"run": run_id, "profile": {"company": "x"}, "sites": sites},
        {"sites": sites},
    ):
        both = client.post("/api/compare-sites", json=body)
        assert both.status_code == 422, body
        message = both.json()["message"]
        assert "exactly one of example" in message and "run (a run id" in message and "\n" not in message
    # a site the run's plan does not have is the sites' fault, as for an example
    wrong = client.post("/api/compare-sites", json={"run": run_id, "sites": [sites[0], "Atlantis"]})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "sites"


@pytest.mark.browser
def test_compare_page_compares_the_sites_of_a_run_planned_on_the_plan_page(browser: Any, base: str) -> None:
    """Plan with a what-if value and a closure on the Plan page, follow its link to the Compare page:
    the run is chosen by words, its ranking fills the lists, and the table is the run's."""
    from test_web_browser import Watched

    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(base + "/plan")
        page.wait_for_function("document.querySelector('[name=company]').value.length > 0")
        page.fill("[data-override='KZ.labour_hours_factor']", "1.5")
        page.fill("#disruptions", "water:caspian")
        page.click("#run-btn")
        page.wait_for_selector("#plan-map[data-drawn='1']", timeout=60_000)
        run_id = page.url.split("run=")[1]
        link = page.locator("#compare-link")
        assert link.get_attribute("href") == f"/compare?run={run_id}"
        assert link.inner_text() == "Compare sites of this run"
        plan = httpx.get(f"{base}/api/runs/{run_id}", timeout=60).json()
        link.click()
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        assert page.url == f"{base}/compare?run={run_id}"
        assert page.locator("#cmp-plan").input_value() == f"run:{run_id}"
        label = page.locator("#cmp-plan option:checked").inner_text()
        assert label.startswith(f"{plan['company']}: {plan['product']} — run of ")
        assert label.endswith("UTC (1 value replaced, 1 corridor part closed)") and run_id not in label
        group = page.locator("#cmp-plan option:checked").evaluate("o => o.parentElement.label")
        assert group == "Your runs on this server"
        assert page.locator("#cmp-plan optgroup[label='Examples'] option").count() == 4
        # the lists are the run's ranking, by name
        listed = page.locator("#cmp-site-1 option").evaluate_all("os => os.map((o) => o.value)")
        assert listed == plan["ranking"]
        best = next(s for s in plan["sites"] if s["id"] == plan["ranking"][0])
        assert page.locator("#cmp-site-1").input_value() == best["id"]
        shown = page.locator("#cmp-site-1 option:checked").inner_text()
        assert shown == f"1. {best['name']} ({best['country']})"
        page.click("#cmp-run")
        page.wait_for_selector("#cmp-result:not([hidden]) table.compare tbody tr")
        title = page.locator("#cmp-title").inner_text()
        assert title.startswith("Sites of your run of ") and plan["company"] in title and run_id not in title
        said = page.locator("#cmp-source").inner_text()
        assert "Closed: every ship across the Caspian Sea." in said and "labour hours" in said
        # the table's cost is the run's plan's, not the example's
        totals = {s["id"]: s["landed_cost"]["total"] for s in plan["sites"]}
        row = page.locator("#cmp-table tbody tr", has=page.locator("th", has_text="Annual landed cost"))
        assert row.locator("td").nth(1).inner_text() == f"{totals[plan['ranking'][0]]:,.0f}"
        watched.check()
    finally:
        watched.close()


@pytest.mark.browser
def test_compare_page_says_when_the_run_in_its_address_is_gone(browser: Any, base: str) -> None:
    from test_web_browser import Watched

    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(base + "/compare?run=" + "0" * 32)
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        assert "not on this server" in page.locator("#cmp-error").inner_text()
        assert "0" * 32 not in page.locator("#cmp-error").inner_text()
        first = page.locator("#cmp-plan optgroup[label='Examples'] option").first.get_attribute("value")
        assert page.locator("#cmp-plan").input_value() == first
        assert page.locator("#cmp-site-1 option").count() >= 30  # the example's sites
        page.click("#cmp-run")
        page.wait_for_selector("#cmp-result:not([hidden]) table.compare tbody tr")
        assert page.locator("#cmp-title").inner_text().startswith("Sites of the example's plan — ")
        assert page.locator("#cmp-source").is_hidden()
        watched.check()
    finally:
        watched.close()


@pytest.mark.browser
def test_compare_page_shows_percent_rows_and_a_specific_duty_as_the_json_gives_them(
    browser: Any, base: str, client: httpx.Client
) -> None:
    """compare's JSON held 0.51 under "%" and the page multiplied by 100; now the JSON holds percent
    (51.0, as plan.json's rate_pct) and a specific duty in its own unit. Oracle: the served rows,
    which are kopru.compare's, and the example's plan (its rate_pct and its EUR per kg)."""
    from test_web_browser import Watched

    sites = ["sez_turan", "plant_TR-20"]
    served = client.post("/api/compare-sites", json={"example": "apparel", "sites": sites}).json()
    plan = kopru.plan(APPAREL)
    rows = {r["label"]: r for r in served["rows"]}
    turkiye, russia = rows["Türkiye: import duty"], rows["Russia: import duty"]
    assert (
        turkiye["unit"] == "%"
        and turkiye["values"][0] == plan.site(sites[0]).by_market["mkt_TR"].duty["rate_pct"]
    )
    assert russia["units"] == ["%", "EUR/kg (specific)"]
    assert russia["values"][1] == plan.site(sites[1]).by_market["mkt_RU"].duty["min_eur_per_kg"] == 1.75
    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(base + "/compare?example=apparel")
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        page.select_option("#cmp-site-2", sites[1])
        page.select_option("#cmp-site-3", "")
        page.click("#cmp-run")
        page.wait_for_selector("#cmp-result:not([hidden]) table.compare tbody tr")

        def cells(label: str) -> list[str]:
            exact = re.compile(rf"^{re.escape(label)}$")  # not "… import duty paid" too
            row = page.locator("#cmp-table tbody tr", has=page.locator("th", has_text=exact))
            return [c.split("\n")[0] for c in row.locator("td:not(.unit)").all_inner_texts()]

        assert cells("Türkiye: import duty")[0] == f"{turkiye['values'][0]:.1f} %" == "51.0 %"
        assert cells("Russia: import duty") == ["0.0 %", "1.75 EUR/kg (specific)"]
        tax = rows["Corporate income tax"]["values"][1]
        assert cells("Corporate income tax")[1] == f"{tax:.1f} %" == "25.0 %"
        watched.check()
    finally:
        watched.close()
