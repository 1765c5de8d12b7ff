"""The JSON API on a live server (httpx): same plans as the Python API, validation, limits, auth.

Oracles: ``kopru.plan`` and ``kopru.risk`` called directly (the API must return the same plan
and the same statistics), the runs the command line records in the scenario store (the API must
list and show them), the size limit (1 MB), and the error contract (422 with field names, never a
stack trace).
"""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi import APIRouter
from fastapi.routing import APIRoute
from web_server import finished, serving, with_boom

import kopru
from kopru import plotlyjs
from kopru.planner import Plan
from kopru.web import create_app, routes
from kopru.web.bodies import CheckedRoute

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    # "" = no auth, whatever KOPRU_TOKEN says in the environment
    with serving(with_boom(create_app(token=""))) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as c:
        yield c


def test_health_and_examples(client: httpx.Client) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["version"] == kopru.__version__
    names = [e["name"] for e in client.get("/api/examples").json()]
    assert names == ["apparel", "appliances", "construction_materials", "food_processing"]
    doc = client.get("/api/examples/apparel").json()
    assert doc["profile"]["hs"] == "6109" and "company:" in doc["text"]


def test_plan_is_the_python_api_plan(client: httpx.Client) -> None:
    response = client.post("/api/plan", json={"example": "appliances", "disruptions": ["mode:ferry"]})
    assert response.status_code == 200
    served = Plan.model_validate(response.json())
    direct = kopru.plan(kopru.load_profile("examples/appliances.yaml"), disruptions=["mode:ferry"])
    assert served.ranking == direct.ranking
    assert served.recommendation == direct.recommendation
    assert served.disruptions == ["mode:ferry"]
    run = response.headers["x-kopru-run"]
    assert client.get(f"/api/runs/{run}").json()["ranking"] == direct.ranking


def test_optimize_job_polls_to_a_run_with_downloads(client: httpx.Client) -> None:
    submitted = client.post("/api/jobs", json={"example": "food_processing", "optimize": True})
    assert submitted.status_code == 202
    job = finished(client, submitted.json()["id"])
    assert job["status"] == "done", job
    assert "optimizing the network" in job["progress"]
    run = job["run"]
    plan = client.get(f"/api/runs/{run}").json()
    assert plan["network"]["status"] == "optimal" and plan["network"]["flows"]
    assert plan["network"]["marginals"]["markets"] and plan["network"]["marginals"]["text"]
    dl = client.get(f"/api/runs/{run}/plan.json")
    assert "attachment" in dl.headers["content-disposition"]
    assert Plan.model_validate_json(dl.content).network is not None
    report = client.get(f"/api/runs/{run}/report.html")
    assert report.status_code == 200 and "<html" in report.text[:500] and "cdn" not in report.text[:2000]
    figures = client.get(f"/api/runs/{run}/figures").json()
    assert figures["map"]["layout"]["geo"]["projection"]["type"] == "conic conformal"
    assert any(t["type"] == "choropleth" for t in figures["map"]["data"]) and figures["chart"]["data"]
    assert [t["type"] for t in figures["cash_flow"]["data"]] == ["bar", "scatter", "bar", "scatter"]
    listed = client.get("/api/runs").json()
    assert listed[0]["id"] == run and listed[0]["optimized"] is True


def test_a_run_downloads_as_excel_and_a_one_page_summary(client: httpx.Client) -> None:
    import io

    import openpyxl
    from pypdf import PdfReader

    run = client.post("/api/plan", json={"example": "appliances"}).headers["x-kopru-run"]
    plan = client.get(f"/api/runs/{run}").json()
    xlsx = client.get(f"/api/runs/{run}/plan.xlsx")
    assert xlsx.status_code == 200 and 'filename="plan.xlsx"' in xlsx.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book["Ranking"]["B2"].value == plan["recommendation"]["name"]
    pdf = client.get(f"/api/runs/{run}/summary.pdf")
    assert (
        pdf.headers["content-type"] == "application/pdf"
        and len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
    )
    html = client.get(f"/api/runs/{run}/summary.html")
    assert html.status_code == 200 and plan["recommendation"]["name"] in html.text
    # in Turkish: the same page in a Turkish board's words; another language is refused by name
    turkish = client.get(f"/api/runs/{run}/summary.html", params={"lang": "tr"})
    assert turkish.status_code == 200 and '<html lang="tr">' in turkish.text
    # the pick, named in Turkish where its English name has a regular form
    named = plan["recommendation"]["name"].replace("(formerly ", "(eski adı ")
    assert "Başlıca riskler" in turkish.text and named in turkish.text
    pdf_tr = client.get(f"/api/runs/{run}/summary.pdf", params={"lang": "tr"})
    text = PdfReader(io.BytesIO(pdf_tr.content)).pages[0].extract_text()
    assert "Başlıca riskler" in " ".join(text.split())
    bad = client.get(f"/api/runs/{run}/summary.pdf", params={"lang": "de"})
    assert bad.status_code == 422 and "lang" in bad.json()["message"]


def test_the_same_plan_request_reuses_the_plan_as_a_new_run(client: httpx.Client) -> None:
    from kopru.web.routes.plans import PLANS

    body = {"example": "construction_materials", "disruptions": ["khorgos"]}
    first = client.post("/api/plan", json=body)
    hits = PLANS.hits
    second = client.post("/api/plan", json=body)
    assert PLANS.hits == hits + 1 and second.content == first.content  # the same plan, byte for byte
    assert second.headers["x-kopru-run"] != first.headers["x-kopru-run"]  # recorded as a run of its own
    other = client.post("/api/plan", json=body | {"disruptions": ["mode:ferry"]})
    assert PLANS.hits == hits + 1 and other.json()["disruptions"] == ["mode:ferry"]


def test_compare_two_runs(client: httpx.Client) -> None:
    a = client.post("/api/plan", json={"example": "apparel"}).headers["x-kopru-run"]
    b = client.post("/api/plan", json={"example": "apparel", "disruptions": ["mode:ferry"]}).headers[
        "x-kopru-run"
    ]
    cmp = client.get("/api/compare", params={"a": a, "b": b}).json()
    assert cmp["a"]["summary"]["id"] == a and cmp["b"]["summary"]["disruptions"] == ["mode:ferry"]
    assert set(cmp["a"]["components"]) == set(kopru.plan("examples/apparel.yaml").components)
    assert client.get("/api/compare", params={"a": a, "b": "0" * 32}).status_code == 404


def test_invalid_profile_gets_field_messages(client: httpx.Client) -> None:
    profile = kopru.load_profile("examples/apparel.yaml").model_dump(mode="json")
    profile["markets"][1]["demand"] = -5
    profile["colour"] = "blue"
    for path in ("/api/profiles/validate", "/api/jobs", "/api/plan"):
        r = client.post(path, json={"profile": profile})
        assert r.status_code == 422, path
        fields = {d["field"]: d["msg"] for d in r.json()["detail"]}
        assert fields["markets[1].demand"].startswith("expected more than 0, got -5 (market ")
        assert "unknown field" in fields["colour"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"hs": "0713"}, "hs", "HS heading 0713 has no duty rate in EU_CET"),
        (
            {"materials": [{"name": "a", "cost": 1, "weight": "1 kg", "origin": "istanbul"}]},
            "materials[0]",
            "give the material its hs heading or a duty_pct",
        ),
        ({"optimize": {"force_open": ["SEZ"]}}, "optimize.force_open[0]", "'SEZ' fits 16 sites"),
    ],
)
def test_a_profile_checked_valid_is_one_a_plan_takes(client: httpx.Client, change, field, words) -> None:
    """A web review: /api/profiles/validate said valid to profiles that /api/plan then refused (a
    heading the data pack has no duty rate for, a material without its duty basis, a forced 'SEZ')."""
    profile = kopru.load_profile("examples/apparel.yaml").model_dump(mode="json") | change
    checked = client.post("/api/profiles/validate", json={"profile": profile})
    planned = client.post("/api/plan", json={"profile": profile, "optimize": True, "record": False})
    assert checked.status_code == planned.status_code == 422, (checked.text, planned.text)
    assert field in {d["field"] for d in checked.json()["detail"]} and words in checked.json()["message"]


def test_messages_on_the_web_name_pages_not_commands(client: httpx.Client) -> None:
    """A web review: an unknown market said "see 'kopru data show markets'", an unknown site
    "`kopru data list` shows them": commands a reader of a page has no use for."""
    profile = kopru.load_profile("examples/apparel.yaml").model_dump(mode="json")
    profile["markets"][0]["id"] = "mkt_XX"
    job = finished(client, client.post("/api/jobs", json={"profile": profile}).json()["id"])
    said = job["error"]["message"]
    assert job["status"] == "failed" and "unknown market" in said and "kopru" not in said
    site = client.get("/api/sites/xyz/dossier")
    assert site.status_code == 404 and "the Sites page lists them" in site.json()["message"]


def test_profile_error_found_while_planning_names_the_field(client: httpx.Client) -> None:
    profile = kopru.load_profile("examples/apparel.yaml").model_dump(mode="json")
    profile["baseline"][0]["province"] = "TR-99"
    job = finished(client, client.post("/api/jobs", json={"profile": profile}).json()["id"])
    assert job["status"] == "failed"
    assert job["error"]["fields"][0]["field"] == "baseline[0].province"
    r = client.post("/api/plan", json={"profile": profile})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "baseline[0].province"


def test_request_shape_errors(client: httpx.Client) -> None:
    assert client.post("/api/plan", json={}).status_code == 422
    both = client.post("/api/plan", json={"example": "apparel", "profile": {}})
    assert both.status_code == 422 and "either" in both.json()["detail"][0]["msg"]
    assert (
        client.post(
            "/api/plan", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
    assert client.get("/api/examples/nope").status_code == 422


def test_upload_parse(client: httpx.Client) -> None:
    with open("examples/apparel.yaml", "rb") as f:
        ok = client.post("/api/profiles/parse", files={"file": ("apparel.yaml", f.read())}).json()
    assert ok["errors"] == [] and ok["profile"]["company"].startswith("Example")
    bad = client.post("/api/profiles/parse", files={"file": ("p.yaml", b"company: [unclosed\n")})
    assert bad.status_code == 422 and "line" in bad.json()["detail"][0]["msg"]
    # schemathesis found it: '?' is YAML for a mapping with a null key, which was a 500
    unnamed = client.post("/api/profiles/parse", files={"file": ("file", b"?")})
    assert unnamed.status_code == 422 and "a field is named None, not by text" in unnamed.json()["message"]
    binary = client.post("/api/profiles/parse", files={"file": ("p.yaml", b"\x00\x01\x02")})
    assert binary.status_code == 422 and "binary" in binary.json()["detail"][0]["msg"]
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    assert client.post("/api/profiles/parse", files={"file": ("p.yaml", bomb)}).status_code == 422
    partial = client.post("/api/profiles/parse", files={"file": ("p.json", b'{"company": "A"}')}).json()
    assert {e["field"] for e in partial["errors"]} >= {"product", "markets"}
    # a Turkish 600.000, which YAML reads as 600: refused with the line, not filled in as 600
    with open("examples/apparel.yaml", "rb") as f:
        dotted = f.read().replace(b"fixed_costs: 600000", b"fixed_costs: 600.000")
    said = client.post("/api/profiles/parse", files={"file": ("p.yaml", dotted)})
    line = next(n for n, x in enumerate(dotted.decode().splitlines(), 1) if "600.000" in x)
    assert said.status_code == 422 and said.json()["detail"][0]["field"] == "file"
    assert f"line {line}, fixed_costs: '600.000' reads two ways" in said.json()["detail"][0]["msg"]
    # and a JSON file's, which JSON reads as 600 too
    as_json = json.dumps(yaml.safe_load(dotted.replace(b"600.000", b"424242")), indent=1)
    as_json = as_json.replace("424242", "600.000")
    said = client.post("/api/profiles/parse", files={"file": ("p.json", as_json.encode())})
    line = next(n for n, x in enumerate(as_json.splitlines(), 1) if "600.000" in x)
    assert said.status_code == 422 and said.json()["detail"][0]["field"] == "file"
    assert f"line {line}, fixed_costs: '600.000' reads two ways" in said.json()["detail"][0]["msg"]


def test_a_json_body_typed_with_a_thousands_point_is_refused_not_read_as_600(client: httpx.Client) -> None:
    """A request body written by hand with a Turkish 600.000 (six hundred thousand), which JSON reads
    as 600: refused at its field with both readings, in every route that reads a JSON body."""
    profile = kopru.load_profile("examples/apparel.yaml").model_dump(mode="json")
    profile["fixed_costs"] = 424242
    body = json.dumps({"profile": profile}).replace("424242", "600.000")
    for path in ("/api/profiles/validate", "/api/jobs", "/api/plan"):
        said = client.post(path, content=body, headers={"content-type": "application/json"})
        assert said.status_code == 422, path
        [entry] = said.json()["detail"]
        assert entry["loc"] == ["body", "profile", "fixed_costs"] and entry["field"] == "fixed_costs"
        assert said.json()["message"] == (
            "fixed_costs: '600.000' reads two ways: write '600000' for thousands or '600' for a decimal,"
            " got '600.000'"
        )
    # a field outside the profile is named by its path in the body
    window = '{"setup_s": 120.000}'
    said = client.post("/api/space/pool", content=window, headers={"content-type": "application/json"})
    assert said.status_code == 422 and said.json()["detail"][0]["field"] == "setup_s"
    # a decimal (600.25), a whole number and a string as typed are what they were: the profile is valid
    for typed in ("600.25", "600000", '"600000"'):
        body = json.dumps({"profile": profile}).replace("424242", typed)
        ok = client.post("/api/profiles/validate", content=body, headers={"content-type": "application/json"})
        assert ok.status_code == 200, (typed, ok.text)


def test_every_router_reads_its_bodies_as_typed() -> None:
    """Each API router reads its JSON bodies through the check above (a new router without
    ``route_class=CheckedRoute`` would take 600.000 as 600 again)."""
    modules = [
        importlib.import_module(m.name) for m in pkgutil.iter_modules(routes.__path__, "kopru.web.routes.")
    ]
    routers = [r for m in modules for r in vars(m).values() if isinstance(r, APIRouter)]
    posting = [r for r in routers if any(isinstance(x, APIRoute) and "POST" in x.methods for x in r.routes)]
    assert len(posting) >= 5  # plans, matches, profiles, compare, space
    assert [r.prefix for r in routers if r.route_class is not CheckedRoute] == []


def test_an_unknown_match_run_is_a_404_that_says_what_the_server_keeps(client: httpx.Client) -> None:
    """A review found every unknown or evicted match run answering 500 after a refactor (the 404's
    words read the store's capacity): each of a match run's addresses says 404, in words."""
    unknown = "0" * 32
    for tail in ("", "/figures", "/report.html", "/match.zip", "/match.xlsx", "/pitch/x"):
        said = client.get(f"/api/match/{unknown}{tail}")
        assert said.status_code == 404, tail
        assert said.json()["message"].startswith(
            f"no match run {unknown} on this server (it keeps the last 50"
        )


def test_a_run_this_server_does_not_hold_says_where_to_look(client: httpx.Client) -> None:
    unknown = "1" * 32
    for tail in ("", "/plan.xlsx", "/report.html"):
        said = client.get(f"/api/runs/{unknown}{tail}")
        assert (
            said.status_code == 404 and f"GET /api/store/runs/{unknown} shows a run" in said.json()["message"]
        )


def test_body_over_one_megabyte_is_refused(client: httpx.Client) -> None:
    big = {"profile": {"company": "x" * 1_100_000}}
    refused = client.post("/api/profiles/validate", json=big)
    assert refused.status_code == 413
    # in JSON, with the limit, like every other error (FastAPI's own answer is plain text)
    assert "1,000,000 bytes" in refused.json()["detail"] or "bytes" in refused.json()["detail"]
    upload = client.post("/api/profiles/parse", files={"file": ("p.yaml", b"#" * 1_100_000)})
    assert upload.status_code == 413 and upload.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/examples/..%2F..%2Fpyproject",
        "/api/examples/../../etc/passwd",
        "/api/runs/..%2F..%2Fetc%2Fpasswd",
        "/api/runs/../../etc/passwd/plan.json",
        "/api/sites/..%2Fplan",
        "/static/../app.py",
        "/static/..%2Fapp.py",
        "/static/%2e%2e/%2e%2e/profile.py",
        "/api/jobs/..%2F..%2Fetc",
    ],
)
def test_no_path_traversal(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (404, 405, 422), (path, r.status_code)
    assert "import" not in r.text and "root:" not in r.text


def test_unexpected_error_is_a_generic_500(base: str) -> None:
    with httpx.Client(base_url=base) as c:
        r = c.get("/api/_boom")
    assert r.status_code == 500
    assert "secret" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text


def test_security_headers_and_offline_pages(client: httpx.Client) -> None:
    for path in ("/plan", "/sites", "/runs", "/docs"):
        r = client.get(path)
        assert r.status_code == 200
        assert "default-src 'self'" in r.headers["content-security-policy"]
        # every script and stylesheet is served by the app itself
        assert 'src="http' not in r.text and 'href="http' not in r.text, path
    plotly_js = client.get("/static/plotly.min.js")
    assert plotly_js.status_code == 200
    assert plotly_js.text == plotlyjs.script()  # the reports' plotly.js (the partial bundle)
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_many_users_at_once(client: httpx.Client) -> None:
    def one(i: int) -> int:
        return client.post("/api/plan", json={"example": ["apparel", "appliances"][i % 2]}).status_code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(one, range(32)))
    assert codes == [200] * 32


def test_sites_and_their_sources(client: httpx.Client) -> None:
    sites = client.get("/api/sites").json()
    kinds = {s["kind"] for s in sites}
    assert kinds == {"kz_region", "sez", "tr_province"} and len(sites) == 20 + 17 + 12
    turan = client.get("/api/sites/sez_turan").json()
    assert turan["site"]["region"] == "KZ-61"
    assert any(p["subject"] == "KZ-SEZ" for p in turan["parameters"])
    # its facts named and ids as names (a web review: 'term_until', 'node turkistan', a source id)
    facts = turan["facts"]
    assert facts["region"] == "Turkistan Region (KZ-61)" and facts["corridor node"] == "Turkistan"
    assert "zone's term until" in facts and "sez_turkistan_preferences" not in facts["term's source"]
    # every source a value cites is listed with its title
    listed = {s["id"] for s in turan["sources"]}
    cited = {x for p in turan["parameters"] for x in p["source"].split(";")}
    assert cited <= listed
    unknown = client.get("/api/sites/KZ-99")  # said as the dossier says it (a web review: a bare 'no site')
    assert unknown.status_code == 404 and unknown.json()["message"] == (
        "no site 'KZ-99' in the data pack: expected a Kazakh region (KZ-11), a SEZ id (sez_turan) or a"
        " Turkish province (TR-16); the Sites page lists them"
    )
    fig = client.get("/api/sites/map").json()
    assert any(t.get("customdata") for t in fig["data"])
    # the dossier: JSON and the HTML fragment of the site page; an unknown id says what is expected
    dossier = client.get("/api/sites/sez_turan/dossier").json()
    assert dossier["name"] == "SEZ Turan (formerly Turkistan)" and dossier["access"] and dossier["incentives"]
    fragment = client.get("/api/sites/sez_turan/dossier.html")
    assert fragment.status_code == 200 and 'data-name="SEZ Turan (formerly Turkistan)"' in fragment.text
    missing = client.get("/api/sites/KZ-99/dossier")
    assert missing.status_code == 404 and "expected a Kazakh region" in missing.text


def test_token_auth() -> None:
    with serving(create_app(token=TOKEN)) as url, httpx.Client(base_url=url) as c:
        assert c.get("/api/health").status_code == 200  # open for load balancers and monitors
        assert c.get("/api/examples").status_code == 401
        wrong = c.get("/api/examples", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert c.get("/api/examples", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert c.post("/api/plan", json={"example": "apparel"}).status_code == 401
        assert 'id="token"' in c.get("/plan").text  # the pages ask for it


def test_full_queue_answers_429_with_retry_after() -> None:
    """A full queue is the client's signal to slow down (429), not a failure of the server (5xx)."""
    with serving(create_app(token="", workers=1, max_pending=1)) as url, httpx.Client(base_url=url) as c:
        first = c.post("/api/jobs", json={"example": "food_processing", "optimize": True})
        second = c.post("/api/jobs", json={"example": "apparel"})
        assert first.status_code == 202
        assert second.status_code == 429 and second.headers["retry-after"]
        assert "jobs are waiting" in second.json()["detail"]
        assert finished(c, first.json()["id"])["status"] == "done"
        third = c.post("/api/jobs", json={"example": "apparel"})
        assert third.status_code == 202
        assert finished(c, third.json()["id"])["status"] == "done"  # no job outlives its test


def test_a_match_the_queue_refuses_or_shutdown_cancels_leaves_no_folder(tmp_path, monkeypatch) -> None:
    """A match's upload goes to a temporary folder its job removes; refused by a full queue (429) or
    cancelled while queued at shutdown, the job never runs, and the folder was left for garbage
    collection (a ResourceWarning that failed a test's teardown). The server's temporary folders
    go to this test's own folder: another worker's match makes its folders in the shared one."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with serving(create_app(token="", workers=1, max_pending=2)) as url, httpx.Client(base_url=url) as c:
        assert c.post("/api/jobs", json={"example": "food_processing", "optimize": True}).status_code == 202
        assert c.post("/api/match", json={"example": "pipeline"}).status_code == 202  # queued
        assert list(tmp_path.glob("kopru-match-*"))  # the queued match's folder, here
        refused = c.post("/api/match", json={"example": "pipeline"})
        assert refused.status_code == 429
    assert list(tmp_path.glob("kopru-match-*")) == []


def test_a_job_running_when_the_server_stops_finishes_first(tmp_path) -> None:
    """The cause of a once-flaky test: a job that outlived its server recorded its run later, in
    the next test's store. Shutdown now waits for running jobs (and cancels queued ones)."""
    from kopru.store import open_store

    path = tmp_path / "runs.duckdb"
    with (
        serving(create_app(token="", workers=1, scenario_store=path)) as url,
        httpx.Client(base_url=url) as c,
    ):
        assert c.post("/api/jobs", json={"example": "appliances", "optimize": True}).status_code == 202
    assert [r["kind"] for r in open_store(path).list()] == ["plan"]


def test_web_runs_are_recorded_in_the_scenario_store(tmp_path, monkeypatch):
    """Plans run from the browser survive a restart: they are recorded in the DuckDB store."""
    from conftest import EXAMPLES

    import kopru
    from kopru.store import open_store
    from kopru.web.runs import MemoryRunStore

    monkeypatch.setenv("KOPRU_STORE", str(tmp_path / "runs.duckdb"))
    runs = MemoryRunStore()
    runs.add(kopru.plan(EXAMPLES / "apparel.yaml"), "example:apparel")
    recorded = open_store().list()
    assert len(recorded) == 1
    # a look-up (the Compare page filling its site lists) is not a run: web QA found the store
    # filling with the same apparel plan each time the page was opened
    looked_up = runs.add(kopru.plan(EXAMPLES / "apparel.yaml"), "example:apparel", record=False)
    assert len(open_store().list()) == 1 and not looked_up.recorded
    # ... nor a run this server failed to record (the Runs page lists those): review finding
    assert looked_up.id not in {r.id for r in runs.list()} and runs.get(looked_up.id) is looked_up


# -- the scenario store on the Runs page ----------------------------------------------------------
def _cli_json(cli, *args: str) -> dict:
    r = cli(*args, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_store_runs_list_show_and_compare_the_command_lines_runs(client: httpx.Client, cli) -> None:
    """Runs recorded by `kopru plan` and `kopru risk` (their own code paths, into the tests' store)."""
    from conftest import EXAMPLES

    apparel = EXAMPLES / "apparel.yaml"
    plan = _cli_json(cli, "plan", apparel, "--close", "mode:ferry")
    first = _cli_json(cli, "risk", apparel, "--samples", "400", "--seed", "3")
    second = _cli_json(cli, "risk", apparel, "--samples", "400", "--seed", "4")

    listing = client.get("/api/store/runs").json()
    assert listing["exists"] is True and listing["total"] == 3
    # its file's name only: where it is stays on the server (a web review: the page showed the path)
    assert listing["store"] == Path(os.environ["KOPRU_STORE"]).name
    runs = listing["runs"]
    assert [r["kind"] for r in runs] == ["risk", "risk", "plan"]  # newest first
    assert [r["created"] for r in runs] == sorted((r["created"] for r in runs), reverse=True)
    newest, older, planned = runs
    assert newest["params"] == {"samples": 400, "seed": 4} and older["params"]["seed"] == 3
    assert not any(r["on_server"] for r in runs)  # recorded by the command line, not this server
    # headlines: the risk run's cheapest mean, the plan's first-ranked site and its total
    best = second["sites"][0]
    assert newest["headline"]["item"] == best["id"] and newest["headline"]["value"] == best["mean"]
    assert newest["headline"]["p_best"] == best["p_best"] and newest["headline"]["name"].startswith("SEZ")
    top = plan["ranking"][0]
    top_total = next(s for s in plan["sites"] if s["id"] == top)["landed_cost"]["total"]
    assert planned["headline"]["item"] == top and planned["headline"]["value"] == top_total
    assert planned["disruptions"] == ["mode:ferry"] and planned["company"] == plan["company"]
    assert planned["currency"] == "USD" and newest["profile_path"] == str(apparel.resolve())

    only_risk = client.get("/api/store/runs", params={"kind": "risk", "limit": 1}).json()
    assert only_risk["total"] == 2 and [r["id"] for r in only_risk["runs"]] == [newest["id"]]

    shown = client.get(f"/api/store/runs/{older['id']}").json()
    assert shown["kind"] == "risk" and shown["params"]["uncertainty"]["variables"]
    stats = {(r["item"], r["metric"]): r["value"] for r in shown["results"]}
    for s in first["sites"]:
        for key in ("mean", "p5", "p50", "p95", "cvar95", "p_best", "expected_regret"):
            assert stats[(s["id"], key)] == s[key]
    assert shown["names"]["sez_turan"].startswith("SEZ Turan")
    assert shown["inputs"]["params"]["seed"] == 3

    cmp = client.get("/api/store/compare", params={"a": older["id"], "b": newest["id"]}).json()
    assert cmp["a"]["id"] == older["id"] and cmp["b"]["headline"]["item"] == best["id"]
    rows = {(r["item"], r["metric"]): r for r in cmp["rows"]}
    for s_a, s_b in zip(
        sorted(first["sites"], key=lambda s: s["id"]),
        sorted(second["sites"], key=lambda s: s["id"]),
        strict=True,
    ):
        row = rows[(s_a["id"], "mean")]
        assert row["a"] == s_a["mean"] and row["b"] == s_b["mean"]
        assert row["diff"] == pytest.approx(s_b["mean"] - s_a["mean"])


def test_store_run_ids_are_validated(client: httpx.Client) -> None:
    run = kopru.open_store().record_plan(kopru.plan("examples/apparel.yaml"))
    assert client.get(f"/api/store/runs/{run}").status_code == 200
    assert client.get(f"/api/store/runs/{'0' * 32}").status_code == 404
    assert "no run" in client.get(f"/api/store/runs/{'0' * 32}").json()["detail"]
    for bad in (run[:12], run.upper(), run + "0", "..%2F..%2Fetc%2Fpasswd", "%25", "zz" * 16):
        assert client.get(f"/api/store/runs/{bad}").status_code in (404, 422), bad
    assert client.get(f"/api/store/runs/{run[:12]}").status_code == 422  # a prefix is not an id here
    assert client.get("/api/store/compare", params={"a": run, "b": "0" * 32}).status_code == 404
    assert client.get("/api/store/compare", params={"a": run, "b": "x"}).status_code == 422
    assert client.get("/api/store/compare", params={"a": run}).status_code == 422
    assert client.get("/api/store/runs", params={"kind": "nope"}).status_code == 422
    assert client.get("/api/store/runs", params={"limit": 0}).status_code == 422


def test_missing_store_is_an_empty_list_that_says_where(client: httpx.Client, tmp_path, monkeypatch) -> None:
    path = tmp_path / "not-yet" / "runs.duckdb"
    monkeypatch.setenv("KOPRU_STORE", str(path))
    listing = client.get("/api/store/runs")
    assert listing.status_code == 200
    body = listing.json()
    assert body["exists"] is False and body["runs"] == [] and body["total"] == 0
    assert path.name in body["message"] and str(path.parent) not in body["message"]  # its folder stays here
    assert client.get(f"/api/store/runs/{'a' * 32}").status_code == 404
    assert not path.exists() and not path.parent.exists()  # reading creates nothing


def test_a_store_held_by_a_writer_answers_503_then_recovers(client: httpx.Client, monkeypatch) -> None:
    from kopru.web import history

    run = kopru.open_store().record_plan(kopru.plan("examples/apparel.yaml"))
    store = Path(os.environ["KOPRU_STORE"])
    monkeypatch.setattr(history, "READ_TIMEOUT", 0.3)
    # another kopru writing: it holds the store's lock file
    with open(f"{store}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            busy = client.get("/api/store/runs")
            assert busy.status_code == 503 and busy.headers["retry-after"]
            assert "busy" in busy.json()["detail"]
            assert client.get(f"/api/store/runs/{run}").status_code == 503
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    assert [r["id"] for r in client.get("/api/store/runs").json()["runs"]] == [run]
    # another program (the duckdb shell) with the file open: DuckDB's own lock
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_DUCKDB, str(store)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
            held = client.get("/api/store/runs")
            assert held.status_code == 503 and "another program" in held.json()["detail"]
        finally:
            holder.kill()  # the process this test started, by its handle
            holder.wait(timeout=10)
    assert client.get("/api/store/runs").status_code == 200


HOLD_DUCKDB = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def test_web_runs_are_listed_from_the_store_with_their_downloads(client: httpx.Client) -> None:
    run = client.post("/api/plan", json={"example": "appliances"}).headers["x-kopru-run"]
    listed = client.get("/api/store/runs").json()["runs"]
    assert [r["id"] for r in listed] == [run]  # the store's id is the server's run id
    assert listed[0]["on_server"] is True and listed[0]["kind"] == "plan"
    assert client.get("/api/runs").json()[0] == {**client.get("/api/runs").json()[0], "recorded": True}
    assert Plan.model_validate_json(client.get(f"/api/runs/{run}/plan.json").content).company
    assert client.get(f"/api/store/runs/{run}").json()["params"] == {"optimize": False}


# -- risk from the web --------------------------------------------------------------------------
def test_risk_job_gives_the_numbers_of_kopru_risk(client: httpx.Client) -> None:
    submitted = client.post("/api/risk", json={"example": "apparel", "samples": 1500, "seed": 7})
    assert submitted.status_code == 202 and submitted.json()["kind"] == "risk"
    job = finished(client, submitted.json()["id"])
    assert job["status"] == "done", job
    assert "drawing 1,500 samples" in job["progress"] and "computing landed cost" in job["progress"]
    run = job["run"]
    served = client.get(f"/api/runs/{run}/risk").json()
    assert served["samples"] == 1500 and served["seed"] == 7 and served["currency"] == "USD"
    assert served["baseline"] == "plant_TR-20" and served["drawn"] == 1500
    assert served["recommended"] == direct_plan_pick()
    assert served["p_recommendation_changes"] == pytest.approx(
        1 - next(s["p_best"] for s in served["sites"] if s["id"] == served["recommended"])
    )

    direct = kopru.risk(kopru.load_profile("examples/apparel.yaml"), samples=1500, seed=7)
    assert [s["id"] for s in served["sites"]] == [s.id for s in direct.sites]
    for got, want in zip(served["sites"], direct.sites, strict=True):
        assert {k: got[k] for k in want.as_dict()} == want.as_dict()  # bit for bit, through JSON
        assert got["p5"] <= got["p50"] <= got["p95"] <= got["cvar95"]
        assert 0 <= got["p_best"] <= 1 and got["expected_regret"] >= 0
    assert sum(s["p_best"] for s in served["sites"]) == pytest.approx(1.0)

    # recorded in the scenario store as kopru risk records it
    stored = client.get(f"/api/store/runs/{run}").json()
    assert stored["kind"] == "risk" and stored["on_server"] is True
    assert stored["params"]["samples"] == 1500 and stored["params"]["seed"] == 7
    assert stored["params"]["uncertainty"] == direct.uncertainty.as_dict()
    means = {r["item"]: r["value"] for r in stored["results"] if r["metric"] == "mean"}
    assert means == {s.id: s.mean for s in direct.sites}

    figures = client.get(f"/api/runs/{run}/risk/figures").json()
    violins = [t for t in figures["distribution"]["data"] if t["type"] == "violin"]
    assert len(violins) == 13 and all(len(t["x"]) == 1500 for t in violins)  # 12 cheapest + baseline
    assert [t["type"] for t in figures["best"]["data"]] == ["bar", "bar"]
    report = client.get(f"/api/runs/{run}/report.html")
    assert report.status_code == 200 and 'id="risk-distribution"' in report.text
    assert client.get(f"/api/runs/{run}").json()["recommendation"]["site"] == direct.sites[0].id

    plan_run = client.post("/api/plan", json={"example": "apparel"}).headers["x-kopru-run"]
    assert client.get(f"/api/runs/{plan_run}/risk").status_code == 404
    assert client.get(f"/api/runs/{'0' * 32}/risk/figures").status_code == 404


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"samples": 99}, "samples"),
        ({"samples": 100_001}, "samples"),
        ({"samples": -5}, "samples"),
        ({"samples": 1000.5}, "samples"),
        ({"samples": "many"}, "samples"),
        ({"samples": None}, "samples"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"seed": "x"}, "seed"),
    ],
)
def test_risk_request_validation(client: httpx.Client, options: dict, field: str) -> None:
    r = client.post("/api/risk", json={"example": "apparel", **options})
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["detail"]] == [field]


def test_risk_of_an_invalid_profile_names_the_field(client: httpx.Client) -> None:
    profile = kopru.load_profile("examples/apparel.yaml").model_dump(mode="json")
    profile["annual_volume"] = 0
    r = client.post("/api/risk", json={"profile": profile, "samples": 500})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "annual_volume"


def test_store_headlines_of_rank_and_sweep_runs(client: httpx.Client, cli) -> None:
    from conftest import EXAMPLES

    ranked = _cli_json(cli, "rank", EXAMPLES / "apparel.yaml", "--samples", "300")
    swept = _cli_json(cli, "sweep", EXAMPLES / "scenarios" / "apparel_what_if.yaml")
    sweep_run, rank_run = client.get("/api/store/runs").json()["runs"]
    assert rank_run["kind"] == "rank" and rank_run["params"]["method"] == "topsis"
    first = ranked["sites"][0]
    assert rank_run["headline"]["item"] == first["id"] and rank_run["headline"]["value"] == first["score"]
    ok = [s for s in swept["scenarios"] if "error" not in s]
    cheapest = min(ok, key=lambda s: s["best_total"])
    head = sweep_run["headline"]
    assert sweep_run["kind"] == "sweep" and head["count"] == len(swept["scenarios"])
    assert head["item"] == cheapest["name"] and head["value"] == cheapest["best_total"]
    assert head["text"] == cheapest["best"] and head["text_name"].startswith("SEZ")  # a site id, named
    shown = client.get(f"/api/store/runs/{sweep_run['id']}").json()
    best = {r["item"]: r["text"] for r in shown["results"] if r["metric"] == "best"}
    assert best == {s["name"]: s["best"] for s in ok}


def direct_plan_pick() -> str:
    return kopru.plan(kopru.load_profile("examples/apparel.yaml")).recommendation.site


def test_a_mistyped_address_is_a_page_for_a_browser_and_json_for_a_client(client: httpx.Client) -> None:
    """Web QA: /nonexistent answered {"detail": "Not Found"} to a person in a browser."""
    page = client.get("/nonexistent", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text and 'href="/plan"' in page.text and "/nonexistent" in page.text
    said = "no address /nonexistent in this app; /docs lists the API's addresses"
    assert client.get("/nonexistent").json() == {"detail": said, "message": said}
    api = client.get("/api/nothing-here", headers={"accept": "text/html"})
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/nothing-here", None, 404),
        ("GET", f"/api/runs/{'0' * 32}", None, 404),
        ("GET", f"/api/store/runs/{'0' * 32}", None, 404),
        ("GET", f"/api/jobs/{'0' * 32}", None, 404),
        ("GET", "/api/sites/no_such_site", None, 404),
        ("DELETE", "/api/health", None, 405),
        ("POST", "/api/jobs", {"example": "no-such-example"}, 422),
        ("POST", "/api/match", {}, 422),  # neither the example pipeline nor a CSV
        ("POST", "/api/risk", "not json", 422),
    ],
)
def test_every_error_answer_has_one_message_line(client: httpx.Client, method, path, body, status) -> None:
    """Web review: 404s and some 422s answered {"detail": "..."} and others {"detail": [...],
    "message": "..."}; a client now reads ``message`` whatever the status, and every 422 lists
    field entries."""
    kwargs = {"json": body} if isinstance(body, dict) else {"content": body} if body else {}
    r = client.request(method, path, **kwargs)
    assert r.status_code == status, r.text
    answer = r.json()
    assert isinstance(answer["message"], str) and answer["message"].strip(), answer
    assert "\n" not in answer["message"] and "Traceback" not in r.text
    if status == 422:
        assert isinstance(answer["detail"], list) and {"loc", "msg", "field"} <= set(answer["detail"][0])
    else:
        assert answer["detail"] == answer["message"]


@pytest.mark.parametrize("path", ["/api/health", "/api/sites", "/plan", "/static/kopru.css"])
def test_head_answers_what_get_would_without_a_body(client: httpx.Client, path: str) -> None:
    """Web review: HEAD (curl -I, link checkers, monitors) got 405 on every page and route."""
    got, head = client.get(path), client.head(path)
    assert got.status_code == 200, (path, got.status_code)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert "content-security-policy" in head.headers
    assert client.head("/api/nothing-here").status_code == 404


def test_the_schema_offers_authorize_only_when_a_token_is_required() -> None:
    """A web review: /docs showed 'Authorize' and a lock on every operation of a server without
    KOPRU_TOKEN, and two schemas both titled 'Comparison'."""
    from kopru.web import create_app

    open_schema, locked = create_app(token="").openapi(), create_app(token="t").openapi()
    assert "securitySchemes" not in open_schema["components"]
    assert not any("security" in op for ops in open_schema["paths"].values() for op in ops.values())
    assert "securitySchemes" in locked["components"]
    assert all("security" in op for op in locked["paths"]["/api/jobs"].values())
    names = list(open_schema["components"]["schemas"])
    assert len(names) == len({n.rsplit("__", 1)[-1] for n in names})  # no title twice
    assert "[Plan](/plan)" in open_schema["info"]["description"]  # the way back to the app


def test_the_runs_list_names_what_each_run_replaced(client: httpx.Client) -> None:
    """A web review: runs with different what-if values all read '1 value overridden'."""
    from conftest import EXAMPLES

    plan = kopru.plan(EXAMPLES / "apparel.yaml", overrides={"KZ.labour_hours_factor": 1.5})
    kopru.open_store().record_plan(plan, overrides={"KZ.labour_hours_factor": 1.5})
    run = client.get("/api/store/runs").json()["runs"][0]
    assert run["overridden"] == ["KZ.labour_hours_factor"]
    assert run["replaced"] == ["Kazakhstan's labour hours a unit relative to a Turkish plant's = 1.5"]
    from kopru.web.history import replaced_values

    # a diff review: a value in its own unit and year said them (the pack's is in KZT)
    usd = {"value": 0.06, "unit": "USD/kWh", "year": 2025}
    said = replaced_values({"KZ.electricity_price_industrial": usd})
    assert said == ["Kazakhstan's industrial electricity price = 0.06 USD/kWh (of 2025)"]
    # the profile's own plant name, as the plan says it (was the data pack's 'Denizli (existing plant)')
    base = kopru.plan(EXAMPLES / "apparel.yaml", overrides={"KZ.labour_hours_factor": 9})
    kopru.open_store().record_plan(base, overrides={"KZ.labour_hours_factor": 9})
    newest = client.get("/api/store/runs").json()["runs"][0]
    assert base.recommendation.site == "plant_TR-20"
    assert newest["headline"]["name"] == base.site("plant_TR-20").name == "Denizli plant (existing)"


def test_a_what_if_value_far_from_the_packs_comes_back_with_a_check(client: httpx.Client) -> None:
    """A web review: a labour hours factor of 1,000 ran without a word. Oracle: the plan the Python
    API makes with the same override says the same check."""
    from conftest import EXAMPLES

    body = {"example": "apparel", "overrides": {"KZ.labour_hours_factor": 1000}}
    served = client.post("/api/plan", json=body).json()
    direct = kopru.plan(EXAMPLES / "apparel.yaml", overrides=body["overrides"])
    (check,) = [p for p in served["recommendation"]["points"] if p.startswith("Check the overrides")]
    assert check in direct.recommendation.points and "833 times the data pack's 1.2" in check


def test_a_closure_that_matches_nothing_is_refused_at_the_request(client: httpx.Client) -> None:
    """A web review: a mistyped closure was accepted (202) and failed after the run; a diff review:
    its error pointed inside the profile (loc body.profile.disruptions), where it is not."""
    r = client.post("/api/jobs", json={"example": "apparel", "disruptions": ["khorgoss"]})
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["loc"] == ["body", "disruptions"] and err["field"] == "disruptions"
    assert "did you mean khorgos?" in err["msg"]
