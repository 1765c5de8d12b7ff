"""Plan and risk runs of the scenario store that this server no longer holds (a first-time user's
review: after a restart they could not be reopened), two runs compared side by side, and one run's
details in words.

Oracle of the refill: a plan run through the API, the app restarted (a new app over the same store
file), its form from GET /api/runs/{id}/form posted back gives the stored run's recommendation and
total; the risk run's form gives its own draws and seed back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import EXAMPLES
from web_server import serving

import kopru
from kopru.web import create_app

APPAREL = EXAMPLES / "apparel.yaml"
WHAT_IF = {"KZT.fx_per_usd": "520"}
FACTOR = {"KZ.labour_hours_factor": {"factor": 1.5}}  # a what-if key, but not a value its input holds
CLOSED = ["water:caspian"]
EVERY_WAY_CLOSED = ["water:caspian", "water:black_sea", "water:turkish_straits", "mode:rail", "mode:road"]
FILLED = "document.getElementById('source-note').textContent.includes('scenario store')"
NOT_FOUND = ("404 (Not Found)",)  # the Plan page asks this server for the run first


def _job(client: httpx.Client, path: str, body: dict[str, Any]) -> str:
    """A job as the Plan page runs it (POST, then poll): its run's id."""
    response = client.post(path, json=body)
    assert response.status_code == 202, response.text
    job = response.json()
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
        job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["status"] == "done", job
    return job["run"]


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Runs of a first server, which then stops: a plan with what-if values and a closure, a risk
    run with its own draws and seed, a plan of another product, and one that no site can serve."""
    store = tmp_path_factory.mktemp("stored-runs") / "runs.duckdb"
    app = create_app(token="", scenario_store=store)
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as c:
        plan_id = _job(
            c,
            "/api/jobs",
            {"example": "apparel", "overrides": WHAT_IF | FACTOR, "disruptions": CLOSED, "optimize": False},
        )
        risk_id = _job(c, "/api/risk", {"example": "apparel", "samples": 150, "seed": 7})
        other_id = _job(c, "/api/jobs", {"example": "appliances"})
        none_id = _job(c, "/api/jobs", {"example": "apparel", "disruptions": EVERY_WAY_CLOSED})
        runs = {
            "store": store,
            "plan": (plan_id, c.get(f"/api/runs/{plan_id}").json()),
            "risk": (risk_id, c.get(f"/api/runs/{risk_id}/risk").json()),
            "other": other_id,
            "none": none_id,
        }
    # and a command line's `kopru plan --avoid RU`: the country is the run's, not its profile's
    around = kopru.plan(APPAREL, avoid=["RU"])
    runs["around"] = (kopru.open_store(store).record_plan(around), around)
    return runs


@pytest.fixture(scope="module")
def base(earlier: dict[str, Any]) -> Iterator[str]:
    """The restarted server: a new app over the same store file."""
    with serving(create_app(token="", scenario_store=earlier["store"])) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=120) as c:
        yield c


def test_a_stored_plans_form_posted_back_gives_its_recommendation_and_total(
    client: httpx.Client, earlier: dict[str, Any]
) -> None:
    run_id, plan = earlier["plan"]
    assert client.get(f"/api/runs/{run_id}").status_code == 404  # the restart: not held any more
    response = client.get(f"/api/runs/{run_id}/form")
    assert response.status_code == 200, response.text
    form = response.json()
    assert form["run"] == run_id and form["kind"] == "plan" and form["on_server"] is False
    assert form["profile"] == plan["profile"]
    assert form["disruptions"] == CLOSED and form["optimize"] is False
    assert form["overrides"] == WHAT_IF | FACTOR
    # the form's input holds the exchange rate as typed; the factor it cannot hold is said
    assert form["what_if"] == WHAT_IF
    assert form["missing"] == []
    assert len(form["notes"]) == 1 and "× 1.5" in form["notes"][0] and "leaves it out" in form["notes"][0]
    assert form["samples"] is None and form["seed"] is None

    body = {k: form[k] for k in ("profile", "disruptions", "optimize", "overrides")}
    again = client.get(f"/api/runs/{_job(client, '/api/jobs', body)}").json()
    assert again["recommendation"]["site"] == plan["recommendation"]["site"]
    assert again["recommendation"]["total"] == plan["recommendation"]["total"]
    # and the store's own record of the first run says the same
    stored = client.get(f"/api/store/runs/{run_id}").json()["headline"]
    assert stored["item"] == plan["recommendation"]["site"]
    assert stored["value"] == pytest.approx(plan["recommendation"]["total"], rel=1e-12)


def test_a_stored_risk_runs_form_has_its_draws_and_seed(
    client: httpx.Client, earlier: dict[str, Any]
) -> None:
    run_id, risk = earlier["risk"]
    form = client.get(f"/api/runs/{run_id}/form").json()
    assert form["kind"] == "risk" and form["on_server"] is False
    assert (form["samples"], form["seed"]) == (150, 7)
    assert form["disruptions"] == [] and form["overrides"] is None and form["what_if"] == {}
    # a risk run does not record whether its plan optimized: said, and the box left unticked
    assert form["missing"] == ["optimize"] and form["optimize"] is False
    assert form["notes"] == [
        "the store does not record whether its plan also optimized the network (the box is left unticked)"
    ]
    body = {k: form[k] for k in ("profile", "disruptions", "optimize", "overrides", "samples", "seed")}
    again = client.get(f"/api/runs/{_job(client, '/api/risk', body)}/risk").json()
    assert [(s["id"], s["mean"], s["p_best"]) for s in again["sites"]] == [
        (s["id"], s["mean"], s["p_best"]) for s in risk["sites"]
    ]


def test_a_stored_plan_that_avoided_a_country_on_the_command_line_ticks_it(
    client: httpx.Client, earlier: dict[str, Any]
) -> None:
    """The form has a box for each restricted country: a run's --avoid joins its profile's avoid,
    and posted back the profile routes around Russia again (the same total)."""
    run_id, plan = earlier["around"]
    assert plan.avoid == ["RU"] and plan.profile["avoid"] == []
    form = client.get(f"/api/runs/{run_id}/form").json()
    assert form["profile"] == plan.profile | {"avoid": ["RU"]}
    assert form["notes"] == [] and form["missing"] == []
    body = {k: form[k] for k in ("profile", "disruptions", "optimize", "overrides")}
    again = client.get(f"/api/runs/{_job(client, '/api/jobs', body)}").json()
    assert again["avoid"] == ["RU"]
    assert again["recommendation"]["total"] == pytest.approx(plan.recommendation.total, rel=1e-12)


def test_a_run_s_avoided_countries_join_a_profile_s_own_list_and_leave_a_broken_one_alone() -> None:
    from kopru.web.history import _with_avoided

    notes: list[str] = []
    assert _with_avoided({"avoid": ["IR"]}, ["ru", "IR"], notes) == {"avoid": ["IR", "RU"]} and notes == []
    assert _with_avoided({"avoid": "BY"}, ["RU"], notes) == {"avoid": "BY"}
    assert notes == [
        "the countries its routes went around are not put in the form: its profile's avoid is not a list"
    ]


def test_a_held_runs_form_and_runs_without_one(client: httpx.Client) -> None:
    held = _job(client, "/api/jobs", {"example": "apparel", "overrides": WHAT_IF})
    form = client.get(f"/api/runs/{held}/form").json()
    assert form["on_server"] is True and form["what_if"] == WHAT_IF and form["notes"] == []
    missing = client.get(f"/api/runs/{'0' * 32}/form")
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"no run {'0' * 32} in the scenario store"
    assert client.get("/api/runs/not-a-run/form").status_code == 422


def test_a_match_run_has_no_plan_form(client: httpx.Client) -> None:
    run_id = _job(client, "/api/match", {"example": "pipeline", "objective": "jobs"})
    said = client.get(f"/api/runs/{run_id}/form")
    assert said.status_code == 404 and "is a match run, not a plan or risk run" in said.json()["detail"]


# -- the pages -------------------------------------------------------------------------------------
@pytest.mark.browser
def test_runs_page_fills_the_plan_form_again_with_a_stored_plan(
    browser: Any, base: str, earlier: dict[str, Any]
) -> None:
    from test_web_browser import Watched

    run_id, plan = earlier["plan"]
    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(base + "/runs")
        row = page.locator(f"#runs-table tr[data-run='{run_id}']")
        link = row.get_by_role("link", name="fill the Plan form with the profile and options of the run")
        assert link.inner_text() == "fill the Plan form again"
        assert link.get_attribute("href") == f"/plan?run={run_id}"
        link.click()
        note = page.locator("#source-note")
        page.wait_for_function(FILLED)
        said = note.inner_text()
        assert said.startswith("Filled in with the profile and options of the plan of ")
        assert "as the scenario store recorded it" in said and "Run plan to compute them again" in said
        assert "leaves it out" in said  # the factor the form cannot hold
        assert page.locator("#toast").is_hidden()
        assert page.locator("[name=company]").input_value() == plan["company"]
        assert page.locator("#disruptions").input_value() == "water:caspian"
        assert page.locator("[data-override='KZT.fx_per_usd']").input_value() == "520"
        assert page.locator("[data-override='KZ.labour_hours_factor']").input_value() == ""
        assert page.locator("#example").input_value() == ""
        assert page.locator("#results").is_hidden()
        # run again: the same recommendation, this time on this server
        page.click("#run-btn")
        page.wait_for_selector("#plan-map[data-drawn='1']", timeout=60_000)
        new_id = page.url.split("run=")[1]
        again = httpx.get(f"{base}/api/runs/{new_id}", timeout=60).json()
        assert again["recommendation"]["site"] == plan["recommendation"]["site"]
        watched.check(NOT_FOUND)
    finally:
        watched.close()


@pytest.mark.browser
def test_the_plan_pages_boxes_route_around_a_country_as_the_command_line_did(
    browser: Any, base: str, earlier: dict[str, Any]
) -> None:
    """The Plan page's "No route through" boxes: a stored --avoid RU run ticks Russia alone (the
    profile's JSON keeps no avoid); run again it routes as the command line did; unticked, the plan
    goes through Russia again (the shipped apparel plan's cheapest routes pass there)."""
    from test_web_browser import Watched

    run_id, plan = earlier["around"]
    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(f"{base}/plan?run={run_id}")
        page.wait_for_function(FILLED)
        boxes = {b.get_attribute("data-avoid"): b for b in page.locator("#avoid input[type=checkbox]").all()}
        assert sorted(boxes) == ["BY", "IR", "RU"]
        assert [code for code, b in boxes.items() if b.is_checked()] == ["RU"]
        assert page.locator("#avoid label").all_inner_texts() == ["Russia", "Belarus", "Iran"]
        assert "avoid" not in json.loads(page.locator("#other").input_value())
        assert page.locator("#source-note").inner_text().count("Note:") == 0  # nothing it cannot hold
        page.click("#run-btn")
        page.wait_for_selector("#plan-map[data-drawn='1']", timeout=60_000)
        again = httpx.get(f"{base}/api/runs/{page.url.split('run=')[1]}", timeout=60).json()
        assert again["avoid"] == ["RU"]
        assert again["recommendation"]["total"] == pytest.approx(plan.recommendation.total, rel=1e-12)
        # unticked: the plan of the profile alone, whose routes pass through Russia
        boxes["RU"].uncheck()
        shown = page.url
        page.click("#run-btn")
        page.wait_for_function(f"location.href !== {json.dumps(shown)}")
        page.wait_for_selector("#plan-map[data-drawn='1']", timeout=60_000)
        through = httpx.get(f"{base}/api/runs/{page.url.split('run=')[1]}", timeout=60).json()
        assert through["avoid"] == [] and "pass through Russia" in through["recommendation"]["text"]
        # the advice as this page follows it: the box, not the profile's key or the command line's flag
        page.wait_for_function(
            "document.getElementById('recommendation').textContent.includes('through Russia')"
        )
        said = page.locator("#recommendation").inner_text()
        # every country the priced detour keeps out of, as the boxes name them
        assert "tick Belarus, Iran and Russia under “No route through” and run again" in said
        assert "--avoid" not in said and "avoid: [RU]" not in said
        watched.check(NOT_FOUND)
    finally:
        watched.close()


@pytest.mark.browser
def test_plan_page_fills_the_risk_fields_of_a_stored_risk_run(
    browser: Any, base: str, earlier: dict[str, Any]
) -> None:
    from test_web_browser import Watched

    run_id, _ = earlier["risk"]
    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(f"{base}/plan?run={run_id}&risk=1")
        page.wait_for_function(FILLED)
        said = page.locator("#source-note").inner_text()
        assert said.startswith("Filled in with the profile and options of the risk analysis of ")
        assert "Run risk to compute them again" in said and "optimized the network" in said
        assert page.locator("#risk-samples").input_value() == "150"
        assert page.locator("#risk-seed").input_value() == "7"
        assert page.locator("#toast").is_hidden()
        # a run in neither place: said in words, the example stays in the form
        page.goto(f"{base}/plan?run={'0' * 32}")
        page.wait_for_selector("#toast:not([hidden])")
        assert "neither on this server nor in its scenario store" in page.locator("#toast").inner_text()
        assert page.locator("[name=company]").input_value() != ""
        watched.check(NOT_FOUND)
    finally:
        watched.close()


def _tick(page: Any, *run_ids: str) -> None:
    for box in page.locator("#runs-table tbody input[type=checkbox]").all():
        box.set_checked(box.get_attribute("value") in run_ids)
    # the comparison shown before is hidden, so the wait is for this one
    page.evaluate("document.getElementById('comparison').hidden = true")
    page.click("#compare-btn")
    page.wait_for_selector("#comparison:not([hidden])")


@pytest.mark.browser
def test_runs_comparison_says_when_the_runs_are_of_other_products_or_serve_no_market(
    browser: Any, base: str, earlier: dict[str, Any]
) -> None:
    from test_web_browser import Watched

    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(base + "/runs")
        page.wait_for_selector("#runs-table tbody input[type=checkbox]")
        plan_id, plan = earlier["plan"]
        _tick(page, plan_id, earlier["other"])
        warning = page.locator("#compare-warning").inner_text()
        assert warning.startswith("A and B are runs of a different company and product: A is ")
        assert plan["product"] in warning and "B − A and the change compare unlike things" in warning
        assert page.locator("#compare-table tbody tr").count() > 0  # compared, with the warning above
        _tick(page, plan_id, earlier["none"])
        warning = page.locator("#compare-warning").inner_text()
        assert "has no site that can serve every market" in warning
        assert page.locator("#compare-metric-row").is_hidden() and page.locator("#compare-chart").is_hidden()
        assert page.locator("#compare-table-wrap").is_hidden()
        # two runs of one product that both serve their markets: no warning
        _tick(page, plan_id, earlier["risk"][0])
        assert page.locator("#compare-warning").is_hidden()
        watched.check()
    finally:
        watched.close()


@pytest.mark.browser
def test_a_risk_runs_details_read_in_words(browser: Any, base: str, earlier: dict[str, Any]) -> None:
    from test_web_browser import Watched

    run_id, _ = earlier["risk"]
    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(base + "/runs")
        page.click(f"#runs-table tr[data-run='{run_id}'] button[data-open]")
        page.wait_for_selector("#run-detail:not([hidden]) table.results")
        heads = page.locator("#run-detail table.results th").all_inner_texts()
        for raw in ("mean se", "p best se", "per unit cvar95", "p over capacity", "at means"):
            assert raw not in heads
        assert "standard error of the mean" in heads and "chance of selling more than capacity" in heads
        cells = page.locator("#run-detail table.results td").all_inner_texts()
        assert not {"True", "False"} & set(cells) and {"yes", "no"} & set(cells)
        # every share is a percentage: no fraction beside P(best)'s "100.0 %"
        column = heads.index("chance of selling more than capacity")
        shares = page.locator(f"#run-detail table.results tbody td:nth-child({column + 1})").all_inner_texts()
        assert shares and all(s == "—" or s.endswith(" %") for s in shares)
        facts = page.locator("#run-detail table.facts th").all_inner_texts()
        assert "samples" in facts and "uncertain inputs" in facts
        link = page.locator("#run-detail a", has_text="fill the Plan form again")
        assert link.get_attribute("href") == f"/plan?run={run_id}&risk=1"
        watched.check()
    finally:
        watched.close()


@pytest.mark.browser
def test_the_runs_page_names_the_countries_a_run_routed_around(
    browser: Any, base: str, earlier: dict[str, Any]
) -> None:
    """A web review: a run that avoided Russia read like one that did not ('ranking of sites'), and
    its details showed 'routes around ["RU"]'. Oracle: the stored run's avoid (RU), by its name."""
    from test_web_browser import Watched

    run_id, _ = earlier["around"]
    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(f"{base}/runs")
        row = page.locator(f"tr:has(button[data-open='{run_id}'])")
        row.wait_for()
        assert "routes around Russia" in row.locator("td[data-label='options']").inner_text()
        row.locator(f"button[data-open='{run_id}']").click()
        detail = page.locator("#run-detail")
        detail.locator("th:text-is('routes around')").wait_for()
        said = detail.locator("tr:has(th:text-is('routes around')) td").inner_text()
        assert said == "Russia"
        assert '["RU"]' not in detail.inner_text()
        watched.check()
    finally:
        watched.close()


def test_the_server_runs_list_names_the_countries_routed_around(client: httpx.Client) -> None:
    """Compare's Plan list labels each run by what it changed: a run with no route through Russia
    read like one without (a web review). Oracle: the profile's avoid, by name."""
    profile = client.get("/api/examples/apparel").json()["profile"]
    around = _job(client, "/api/jobs", {"profile": {**profile, "avoid": ["RU"]}})
    plain = _job(client, "/api/jobs", {"profile": profile})
    listed = {r["id"]: r for r in client.get("/api/runs").json()}
    assert listed[around]["avoided"] == ["Russia"] and listed[plain]["avoided"] == []


def test_a_run_is_deleted_from_the_store_and_forgotten_by_the_server(client: httpx.Client) -> None:
    """A web review: runs could not be deleted. DELETE /api/store/runs/{id} removes the run and its
    results from the store and this server's memory; the other runs stay; a run that is not there
    is a 404 and a malformed id a 422, nothing deleted."""
    held = _job(client, "/api/jobs", {"example": "apparel"})
    others = {r["id"] for r in client.get("/api/store/runs").json()["runs"]} - {held}
    assert client.get(f"/api/runs/{held}").status_code == 200
    r = client.delete(f"/api/store/runs/{held}")
    assert r.status_code == 200, r.text
    (gone,) = r.json()["deleted"]
    assert gone["id"] == held and gone["kind"] == "plan" and gone["product"] == "knitted cotton T-shirts"
    assert client.get(f"/api/store/runs/{held}").status_code == 404
    assert client.get(f"/api/runs/{held}").status_code == 404  # forgotten here too
    assert {r["id"] for r in client.get("/api/store/runs").json()["runs"]} == others
    assert client.delete(f"/api/store/runs/{held}").status_code == 404
    assert client.delete("/api/store/runs/nonsense").status_code == 422
    assert {r["id"] for r in client.get("/api/store/runs").json()["runs"]} == others


@pytest.mark.browser
def test_the_runs_pages_delete_button_asks_then_deletes(
    browser: Any, base: str, client: httpx.Client
) -> None:
    """The details' 'delete this run' asks first; dismissed, nothing goes; accepted, the run leaves
    the list and the store."""
    from test_web_browser import Watched

    run_id = _job(client, "/api/jobs", {"example": "appliances"})
    watched = Watched(browser, base)
    page = watched.page
    try:
        page.goto(f"{base}/runs")
        page.locator(f"button[data-open='{run_id}']").click()
        page.once("dialog", lambda d: d.dismiss())
        page.locator("#delete-run").click()
        assert client.get(f"/api/store/runs/{run_id}").status_code == 200
        asked = []
        page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
        page.locator("#delete-run").click()
        page.locator(f"button[data-open='{run_id}']").wait_for(state="detached")
        assert "It cannot be undone" in asked[0]
        assert client.get(f"/api/store/runs/{run_id}").status_code == 404
        watched.check()
    finally:
        watched.close()
