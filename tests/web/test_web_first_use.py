"""A first-time user's review of the web app in Chromium (/tmp/review2): an upload that is not a
profile wiped the form; a whole-profile error outlined the JSON box; a plan with no feasible site
came as a recommendation over an empty chart; the Match page dropped a jobs number without its
region, said an impossible target in API words and lost its result on Reload; the Compare page took
5 risk draws; the Sites list went by code."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from conftest import EXAMPLES
from web_server import finished, serving

import kopru
from kopru.errors import InfeasibleError
from kopru.web import create_app
from kopru.web.schemas import MIN_RISK_SAMPLES

PIPELINE = EXAMPLES / "match" / "pipeline.csv"
CLOSE_EVERYTHING = "water:caspian, water:black_sea, water:turkish_straits, mode:rail, mode:road"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving(create_app(token="")) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as c:
        yield c


@pytest.fixture
def watched(browser: Any, base: str) -> Iterator[Any]:
    from test_web_browser import Watched

    w = Watched(browser, base)
    yield w
    w.close()


def _plan_page(page: Any, base: str) -> None:
    page.goto(base + "/plan")
    page.wait_for_function("document.querySelector('[name=company]').value.length > 0")


def _upload(page: Any, name: str, text: str) -> None:
    page.set_input_files("#upload", files=[{"name": name, "mimeType": "text/yaml", "buffer": text.encode()}])


# -- 1: an upload that is not a clean profile leaves the form as it is ---------------------------


@pytest.mark.browser
def test_an_upload_that_is_not_a_profile_leaves_the_form_and_says_why(watched: Any) -> None:
    page = watched.page
    _plan_page(page, watched.base)
    page.fill("[name=company]", "Acme Tekstil")
    said = page.locator("#upload + small.err")
    note = page.locator("#source-note").inner_text()

    def kept() -> None:
        assert page.locator("[name=company]").input_value() == "Acme Tekstil"
        assert page.locator("#markets tbody tr").count() == 7  # the apparel example's markets
        assert page.locator("#materials tbody tr").count() >= 2
        assert page.locator("#source-note").inner_text() == note  # not "Loaded wrong.yaml."
        assert page.locator("#upload").get_attribute("aria-invalid") == "true"

    _upload(page, "wrong.yaml", "hello: world\nfoo: 1\n")
    page.wait_for_function("document.querySelector('#upload + small.err').textContent.length > 0")
    kept()
    assert "wrong.yaml is not a product profile" in said.inner_text() and "hello" in said.inner_text()
    assert "The form is unchanged" in said.inner_text()

    # a shipped scenario file: said to be one, and where it runs
    scenario = (EXAMPLES / "scenarios" / "apparel_fx.yaml").read_text(encoding="utf-8")
    _upload(page, "apparel_fx.yaml", scenario)
    page.wait_for_function("document.querySelector('#upload + small.err').textContent.includes('scenario')")
    kept()
    assert "is a scenario file" in said.inner_text() and "kopru sweep" in said.inner_text()

    # a profile with an error: not loaded, the error named in the form's words
    apparel = yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))
    _upload(page, "bad.yaml", yaml.safe_dump({**apparel, "company": "From File", "annual_volume": -5}))
    page.wait_for_function("document.querySelector('#upload + small.err').textContent.includes('bad.yaml')")
    kept()
    assert "bad.yaml was not loaded" in said.inner_text()
    assert "Annual volume (units): expected more than 0, got -5" in said.inner_text()

    # a clean profile replaces the form, and the upload's message goes
    _upload(page, "good.yaml", yaml.safe_dump({**apparel, "company": "From File"}))
    page.wait_for_function("document.querySelector('[name=company]').value === 'From File'")
    assert page.locator("#source-note").inner_text() == "Loaded good.yaml."
    assert said.inner_text() == "" and page.locator("#upload").get_attribute("aria-invalid") is None
    watched.check()


# -- 5a: the volume below the markets' demand is the volume's error --------------------------------


def test_a_volume_below_the_demand_is_the_volume_fields_error(client: httpx.Client) -> None:
    apparel = yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))
    r = client.post("/api/profiles/validate", json={"profile": {**apparel, "annual_volume": 1000}})
    assert r.status_code == 422
    (entry,) = r.json()["detail"]
    assert entry["field"] == "annual_volume" and entry["loc"] == ["body", "profile", "annual_volume"]
    assert "exceeds" in entry["msg"]
    # a unit volume read in m3 that was meant in litres: the unit volume's error, not the JSON box's
    r = client.post("/api/profiles/validate", json={"profile": {**apparel, "unit_volume": 1.2}})
    (entry,) = r.json()["detail"]
    assert r.status_code == 422 and entry["field"] == "unit_volume" and "lighter than the air" in entry["msg"]


@pytest.mark.browser
def test_a_volume_below_the_demand_outlines_the_volume_in_its_labels_words(watched: Any) -> None:
    page = watched.page
    _plan_page(page, watched.base)
    page.fill("[name=annual_volume]", "1000")
    page.click("#check-btn")
    page.wait_for_selector("#form-errors:not([hidden])")
    volume = page.locator("[name=annual_volume]")
    assert volume.get_attribute("aria-invalid") == "true"
    beside = page.locator("[name=annual_volume] ~ small.err").inner_text()
    assert "“Annual volume (units)” 1,000" in beside and "annual_volume" not in beside
    summary = page.locator("#form-errors").inner_text()
    assert "Annual volume (units):" in summary and "annual_volume" not in summary
    assert page.locator("#other.invalid").count() == 0  # not the JSON box
    # and the label says the field may stay empty
    label = page.locator("label:has([name=annual_volume])").inner_text()
    assert "optional" in label
    watched.check(expected=("422",))


# -- 7: a plan no site can serve is a warning, without an empty chart -------------------------------


@pytest.mark.browser
def test_a_plan_no_site_can_serve_is_a_warning_without_an_empty_chart(watched: Any) -> None:
    page = watched.page
    _plan_page(page, watched.base)
    page.fill("#disruptions", CLOSE_EVERYTHING)
    page.click("#run-btn")
    page.wait_for_selector("#plan-map[data-drawn='1']", timeout=60_000)
    box = page.locator("#recommendation")
    assert "No candidate site can serve every target market" in box.inner_text()
    assert "warning" in (box.get_attribute("class") or "").split()
    # not the green of a recommendation
    assert box.evaluate("e => getComputedStyle(e).backgroundColor") != "rgb(238, 245, 234)"
    assert page.locator("#cost-chart").is_hidden()
    assert page.locator("#cost-chart .main-svg").count() == 0  # nothing was plotted
    assert "Nothing to draw" in page.locator("#cost-none").inner_text()
    assert page.locator("#dl-json").is_visible() and page.locator("#dl-summary").is_visible()
    # a plan that serves its markets again: the green box and the chart are back
    page.fill("#disruptions", "")
    page.click("#run-btn")
    page.wait_for_selector("#cost-chart[data-drawn='1']", timeout=60_000)
    assert "warning" not in (box.get_attribute("class") or "").split()
    assert page.locator("#cost-none").is_hidden() and page.locator("#cost-chart").is_visible()
    watched.check()


# -- 20: a ranking card without notes shows no empty 'notes' label ----------------------------------


@pytest.mark.browser
def test_a_ranking_card_without_notes_has_no_notes_label(browser: Any, base: str) -> None:
    from test_web_browser import Watched

    phone = Watched(browser, base, viewport={"width": 390, "height": 844})
    try:
        page = phone.page
        _plan_page(page, base)
        page.click("#run-btn")
        page.wait_for_selector("#cost-chart[data-drawn='1']", timeout=60_000)
        shown = page.evaluate(
            """[...document.querySelectorAll('#ranking td.note')].map(td =>
                [td.textContent.trim() !== '', getComputedStyle(td).display !== 'none'])"""
        )
        plan = kopru.plan(EXAMPLES / "apparel.yaml").as_dict()
        without = sum(1 for s in plan["sites"] if not s["notes"])
        assert without > 0 and sum(1 for text, _ in shown if not text) == without
        assert all(text == visible for text, visible in shown)  # each shown exactly when it has notes
        phone.check()
    finally:
        phone.close()


# -- 9: the Match page's jobs target ----------------------------------------------------------------


def _reachable(region: str, jobs: float) -> str:
    """The most jobs the command line says a region can reach, as the page should say it."""
    with pytest.raises(InfeasibleError) as caught:
        kopru.match(PIPELINE, min_jobs={region: jobs})
    most = re.search(r"at most ([\d,.e+]+) is reachable", str(caught.value))[1]
    return f"{math.floor(float(most.replace(',', ''))):,}"


def test_an_unreachable_jobs_target_names_its_field_in_whole_jobs(client: httpx.Client) -> None:
    job = client.post("/api/match", json={"example": "pipeline", "min_jobs": {"KZ-15": 1_000_000}}).json()
    job = finished(client, job["id"])
    assert job["status"] == "failed"
    (entry,) = job["error"]["fields"]
    assert entry["field"] == "min_jobs"
    most = _reachable("KZ-15", 1_000_000)
    assert entry["msg"] == (
        f"no portfolio places 1,000,000 jobs in Aktobe Region: at most {most} can be reached there"
        " with this pipeline"
    )
    assert "1e+06" not in job["error"]["message"] and "KZ-15" not in job["error"]["message"]


@pytest.mark.browser
def test_the_match_page_says_a_jobs_target_s_faults_beside_it(watched: Any) -> None:
    page = watched.page
    page.goto(watched.base + "/match")
    jobs = page.locator("#min-jobs")
    # a number without its region: refused, nothing sent
    page.fill("#min-jobs", "500")
    sent: list[str] = []
    page.on("request", lambda r: r.url.endswith("/api/match") and sent.append(r.url))
    page.click("#match-btn")
    page.wait_for_selector("#match-errors:not([hidden])")
    assert jobs.get_attribute("aria-invalid") == "true" and sent == []
    assert "choose the region" in jobs.locator("xpath=..").locator("small.err").inner_text()
    assert page.locator("#match-errors").inner_text().startswith("Jobs target: ")
    # a target no portfolio reaches: beside the field, in whole jobs
    page.select_option("#min-jobs-region", label="Aktobe Region")
    page.fill("#min-jobs", "1000000")
    page.click("#match-btn")
    page.wait_for_function(
        "document.querySelector('#match-errors').textContent.includes('no portfolio')", timeout=90_000
    )
    assert jobs.get_attribute("aria-invalid") == "true"
    beside = jobs.locator("xpath=..").locator("small.err").inner_text()
    assert f"1,000,000 jobs in Aktobe Region: at most {_reachable('KZ-15', 1e6)} can be reached" in beside
    shown = page.locator("#match-errors").inner_text()
    assert shown.startswith("Jobs target: ") and "min_jobs" not in shown and "1e+06" not in shown
    watched.check()


# -- 17: a match's result is in the address ---------------------------------------------------------


@pytest.mark.browser
def test_a_match_result_comes_back_on_reload(watched: Any) -> None:
    page = watched.page
    page.goto(watched.base + "/match")
    page.click("#match-btn")
    page.wait_for_selector("#match-map[data-drawn='1']", timeout=90_000)
    rows = page.locator("#match-assignments tbody tr").count()
    assert rows >= 15
    run = re.fullmatch(r".*/match\?run=([0-9a-f]{32})", page.url)
    assert run, page.url
    page.reload()
    page.wait_for_selector("#match-map[data-drawn='1']", timeout=90_000)
    assert page.locator("#match-assignments tbody tr").count() == rows
    assert page.locator("#match-results").is_visible()
    watched.check()


# -- 10: the Compare page's risk draws --------------------------------------------------------------


def test_compare_takes_no_draws_or_as_many_as_the_plan_page(client: httpx.Client) -> None:
    body = {"example": "apparel", "sites": ["Turan", "Denizli"]}
    for few in (1, 5, MIN_RISK_SAMPLES - 1):
        r = client.post("/api/compare-sites", json={**body, "samples": few})
        assert r.status_code == 422, few
        (entry,) = r.json()["detail"]
        assert entry["field"] == "samples"
        assert entry["msg"] == f"expected 0 (no risk) or {MIN_RISK_SAMPLES} to 20,000 draws, got {few}"
    assert client.post("/api/compare-sites", json={**body, "samples": 0}).status_code == 200


@pytest.mark.browser
def test_the_compare_page_says_too_few_draws_beside_the_field(watched: Any) -> None:
    page = watched.page
    page.goto(watched.base + "/compare?example=apparel")
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    page.fill("#cmp-samples", "5")
    page.click("#cmp-run")
    page.wait_for_function("document.querySelector('#cmp-samples-err').textContent.length > 0")
    samples = page.locator("#cmp-samples")
    assert samples.get_attribute("aria-invalid") == "true"
    assert f"or {MIN_RISK_SAMPLES} to 20,000 draws, got 5" in page.locator("#cmp-samples-err").inner_text()
    said = page.locator("#cmp-error").inner_text()
    assert said.startswith("Risk draws: ") and "samples" not in said
    assert "100" in page.locator("label:has(#cmp-samples)").inner_text()
    # a count it takes clears the mark
    page.fill("#cmp-samples", "0")
    page.click("#cmp-run")
    page.wait_for_selector("#cmp-result:not([hidden])", timeout=60_000)
    assert samples.get_attribute("aria-invalid") is None
    assert page.locator("#cmp-samples-err").inner_text() == ""
    watched.check(expected=("422",))


# -- 20: the Sites list by name ---------------------------------------------------------------------


@pytest.mark.browser
def test_the_sites_list_goes_by_name_within_each_kind(watched: Any, client: httpx.Client) -> None:
    page = watched.page
    page.goto(watched.base + "/sites")
    page.wait_for_selector("#site-select optgroup", state="attached")
    groups = page.evaluate(
        """[...document.querySelectorAll('#site-select optgroup')].map(g =>
            [g.label, [...g.querySelectorAll('option')].map(o => o.textContent)])"""
    )
    sites = client.get("/api/sites").json()
    kinds = {
        "Kazakh regions": "kz_region",
        "Special economic zones": "sez",
        "Turkish provinces": "tr_province",
    }
    assert [label for label, _ in groups] == list(kinds)
    for label, names in groups:
        assert names == sorted((s["name"] for s in sites if s["kind"] == kinds[label]), key=str.casefold)
    regions = dict(groups)["Kazakh regions"]
    # by code, West Kazakhstan (KZ-27) sat between Atyrau (KZ-23) and Zhambyl (KZ-31)
    assert (
        regions.index("Atyrau Region")
        < regions.index("Jetisu Region")
        < regions.index("West Kazakhstan Region")
    )
    watched.check()
