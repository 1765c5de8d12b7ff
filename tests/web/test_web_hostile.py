"""Hostile requests against a live server: no 5xx, no stall, no leak, the same headers on every answer.

Oracles: the status codes and headers the contract names; the health endpoint's latency measured
while a hostile upload is being answered (at most 1 s); the server's own store path, which must not
appear in any answer; hypothesis-generated profiles with infinite, NaN, huge or tiny numbers, which
must be refused by name (422) or planned with finite totals.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_server import finished, serving, with_boom

import kopru
from kopru.web import create_app

APPAREL = yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))
NESTED = b"company: " + b"[" * 50_000 + b"]" * 50_000 + b"\n"  # the reported 100 KB stall


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("secret-server-folder") / "runs.duckdb"


@pytest.fixture(scope="module")
def base(store_path: Path) -> Iterator[str]:
    with serving(with_boom(create_app(token="", scenario_store=store_path))) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as c:
        yield c


def _secure(r: httpx.Response) -> None:
    assert "default-src 'self'" in r.headers.get("content-security-policy", ""), (r.status_code, r.headers)
    assert r.headers.get("x-content-type-options") == "nosniff", (r.status_code, r.headers)


def test_every_kind_of_answer_has_the_security_headers(client: httpx.Client) -> None:
    too_large = client.post("/api/profiles/parse", files={"file": ("p.yaml", b"#" * 1_100_000)})
    assert too_large.status_code == 413
    boom = client.get("/api/_boom")
    assert boom.status_code == 500
    answers = [too_large, boom, client.get("/api/health"), client.get("/api/nothing-here")]
    answers.append(client.post("/api/profiles/validate", json={"profile": {"company": 1}}))
    for r in answers:
        _secure(r)


def test_not_found_answers_do_not_name_the_servers_store(client: httpx.Client, store_path: Path) -> None:
    kopru.open_store(store_path).record_plan(kopru.plan(EXAMPLES / "apparel.yaml"))
    one = client.get(f"/api/store/runs/{'a' * 32}")
    two = client.get("/api/store/compare", params={"a": "a" * 32, "b": "b" * 32})
    for r in (one, two):
        assert r.status_code == 404 and "no run" in r.text
        assert str(store_path.parent) not in r.text and "secret-server-folder" not in r.text


def test_a_nested_upload_does_not_delay_health(client: httpx.Client, base: str) -> None:
    """Issue 16: 50,000 nested brackets once held the server for over 120 s and health for 28 s."""
    answers: dict[str, Any] = {}

    def upload() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            answers["upload"] = c.post("/api/profiles/parse", files={"file": ("p.yaml", NESTED)})

    def upload_json() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            deep = '{"profile": ' + "[" * 50_000 + "]" * 50_000 + "}"
            answers["json"] = c.post(
                "/api/profiles/validate", content=deep, headers={"content-type": "application/json"}
            )

    threads = [threading.Thread(target=upload), threading.Thread(target=upload_json)]
    for t in threads:
        t.start()
    latencies = []
    while any(t.is_alive() for t in threads) or len(latencies) < 5:
        start = time.perf_counter()
        assert client.get("/api/health").status_code == 200
        latencies.append(time.perf_counter() - start)
        time.sleep(0.02)
    for t in threads:
        t.join(timeout=60)
    # the regression held health for 28 s; a bound far from it and from a busy machine's noise (the
    # suite runs on every core, so another worker's browser or solver may share this one's)
    assert max(latencies) < 10.0, latencies
    assert answers["upload"].status_code == 422
    assert "levels deep" in answers["upload"].json()["detail"][0]["msg"]
    assert answers["json"].status_code in (400, 422), answers["json"].text[:200]


VALUES = [1e300, -1e300, 1e-300, 0, -1, 10**30, "inf", "nan", "1e400 g", "Infinity", "1e14 h", "-0 kg"]
PATHS = [
    ("unit_weight",),
    ("labour_hours",),
    ("price",),
    ("capex",),
    ("wacc",),
    ("land",),
    ("energy", "electricity"),
    ("markets", 0, "demand"),
    ("baseline", 0, "capacity"),
    ("materials", 0, "weight"),
]


def _with(path: tuple, value: Any) -> dict:
    data = json.loads(json.dumps(APPAREL))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(PATHS), value=st.sampled_from(VALUES))
def test_hostile_numbers_are_refused_by_name_or_planned(
    client: httpx.Client, path: tuple, value: Any
) -> None:
    profile = _with(path, value)
    checked = client.post("/api/profiles/validate", json={"profile": profile})
    planned = client.post("/api/plan", json={"profile": profile})
    assert checked.status_code in (200, 422) and planned.status_code in (200, 422)
    assert (checked.status_code == 200) == (planned.status_code == 200), (checked.text, planned.text[:300])
    if planned.status_code == 422:
        fields = {e["field"] for e in planned.json()["detail"]}
        assert any(f.startswith(str(path[0])) for f in fields), (path, fields)
        return
    plan = json.loads(planned.text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert all(math.isfinite(s["landed_cost"]["total"]) for s in plan["sites"] if s["feasible"])
    assert sum(s["feasible"] for s in plan["sites"]) == len(plan["sites"])


def test_infinity_in_a_json_body_is_not_valid(client: httpx.Client) -> None:
    """Python's JSON reader accepts Infinity; a profile with it must still be refused by name."""
    text = json.dumps({"profile": _with(("price",), "INF")}).replace('"INF"', "Infinity")
    r = client.post("/api/profiles/validate", content=text, headers={"content-type": "application/json"})
    assert r.status_code == 422 and any(e["field"] == "price" for e in r.json()["detail"]), r.text


def test_a_plan_that_outlasts_the_wait_is_a_job_to_poll(client: httpx.Client, monkeypatch) -> None:
    """Once a 504: a busy pool is not a failure of the server, so the answer is 202 and the job."""
    from kopru.web.routes import plans

    monkeypatch.setattr(plans, "SYNC_TIMEOUT_SECONDS", 0.0)
    r = client.post("/api/plan", json={"example": "apparel"})
    assert r.status_code == 202 and r.headers["location"] == f"/api/jobs/{r.json()['id']}"
    deadline = time.monotonic() + 60
    while (job := client.get(r.headers["location"]).json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job["status"] == "done" and client.get(f"/api/runs/{job['run']}").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "text"),
    [
        # a tiny exchange rate overflowed the costs into NaN: a 500 (web QA sweep)
        ("/api/plan", {"example": "apparel", "overrides": {"KZT.fx_per_usd": 1e-308}}, "at least 1e-06"),
        ("/api/plan", {"example": "apparel", "overrides": {"tariff.EAEU_CCT.6109": 1e308}}, "at most 1e+09"),
        # a typo must not silently run another request than the one meant
        ("/api/jobs", {"example": "apparel", "optimise": True}, "optimise"),
        ("/api/compare-sites", {"example": "apparel", "sites": ["Turan", "Denizli"], "sample": 5}, "sample"),
    ],
)
def test_out_of_range_overrides_and_unknown_fields_are_422(client: httpx.Client, path, body, text) -> None:
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    assert text in r.text and "Traceback" not in r.text


def test_a_bad_pipeline_upload_names_the_field_not_the_servers_file(client: httpx.Client) -> None:
    r = client.post("/api/match", json={"pipeline_csv": "name,nace\nA,14.14\n"})
    assert r.status_code == 422, r.text
    assert "pipeline_csv" in r.text and "/tmp" not in r.text and "kopru-match-" not in r.text


def test_an_override_error_points_at_the_overrides_and_does_not_echo_a_long_key(client: httpx.Client) -> None:
    r = client.post("/api/plan", json={"example": "apparel", "overrides": {"KZT.fx_per_usd": "NaN"}})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "overrides", "KZT.fx_per_usd"]
    long_key = "KZ." + "x" * 100_000
    r = client.post("/api/plan", json={"example": "apparel", "overrides": {long_key: 1}})
    assert r.status_code == 422 and len(r.content) < 2_000


def test_the_store_lists_match_runs_and_compares_only_like_with_like(client: httpx.Client) -> None:
    assert client.get("/api/store/runs", params={"kind": "match"}).status_code == 200
    plan = client.post("/api/plan", json={"example": "apparel"})
    assert plan.status_code == 200
    job = client.post("/api/match", json={"example": "pipeline"}).json()
    for _ in range(120):
        state = client.get(f"/api/jobs/{job['id']}").json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    runs = client.get("/api/store/runs").json()["runs"]
    by_kind = {r["kind"]: r["id"] for r in runs}
    r = client.get("/api/store/compare", params={"a": by_kind["plan"], "b": by_kind["match"]})
    assert r.status_code == 422 and "only runs about the same things compare" in r.text
    assert r.json()["detail"][0]["loc"] == ["query"]  # a GET's query, not a body it has none of
    # web QA: a match run's row read "portfolio: —" and counted the portfolio as a 36th site
    match = client.get(f"/api/match/{state['run']}").json()
    (listed,) = [
        r
        for r in client.get("/api/store/runs", params={"kind": "match"}).json()["runs"]
        if r["id"] == by_kind["match"]
    ]
    assert listed["headline"]["enterprises"] == match["impact"]["enterprises"]
    assert listed["headline"]["count"] == len(match["enterprises"])
    results = client.get(f"/api/store/runs/{by_kind['match']}").json()["results"]
    named = {r["item"]: r["text"] for r in results if r["metric"] == "enterprise"}
    assert named[match["enterprises"][0]["id"]] == match["enterprises"][0]["name"]


@pytest.mark.parametrize(
    ("content", "content_type", "status", "says"),
    [
        # FastAPI's own words were "There was an error parsing the body" (web QA)
        ("[" * 5000 + "]" * 5000, "application/json", 400, "could not be parsed as JSON"),
        ('{"example":', "application/json", 422, "not valid JSON (Expecting value at character 11)"),
        ('{"example": "apparel"}', "text/plain", 422, "Content-Type: application/json, got 'text/plain'"),
        ('["apparel"]', "application/json", 422, "expected the request body to be a JSON object"),
        (
            '{"example": "apparel", "samples": 1e308}',
            "application/json",
            422,
            "samples: Input should be an integer",
        ),
    ],
)
def test_an_unreadable_body_says_what_to_send(
    client: httpx.Client, content, content_type, status, says
) -> None:
    r = client.post("/api/risk", content=content, headers={"content-type": content_type})
    assert r.status_code == status, r.text
    body = r.json()
    text = body["detail"] if status == 400 else body["message"]
    assert says in text, text
    if "JSON" in says and "Content-Type" not in says:  # the body as a whole: say what a body looks like
        assert 'such as {"example": "apparel"}' in text, text
    assert "valid dictionary" not in r.text and "input string" not in r.text


def test_an_upload_named_like_the_zones_file_is_not_mistaken_for_it(client: httpx.Client) -> None:
    """Review: a pipeline uploaded as zones.csv overwrote the uploaded zones file in the temp folder."""
    pipeline = "id,name,sector,template\na,A,textiles,textiles\n"
    zones = "zone,resource,capacity\nsez_turan,land_ha,50\n"
    r = client.post(
        "/api/match", json={"pipeline_csv": pipeline, "pipeline_name": "zones.csv", "zones_csv": zones}
    )
    assert r.status_code == 202, r.text


def test_control_characters_in_names_do_not_break_the_workbook(client: httpx.Client) -> None:
    """A web review: a BEL in the company name was planned and stored, then plan.xlsx answered 500
    (openpyxl refuses control characters). The workbook now drops them; the other files keep the name."""
    profile = {**APPAREL, "company": "Acme\u0007 Ltd"}
    r = client.post("/api/plan", json={"profile": profile})
    assert r.status_code == 200, r.text
    book = client.get(f"/api/runs/{r.headers['x-kopru-run']}/plan.xlsx")
    assert book.status_code == 200 and book.content[:2] == b"PK"
    import io

    import openpyxl

    summary = openpyxl.load_workbook(io.BytesIO(book.content))["Summary"]
    assert "Acme Ltd" in {str(c.value) for row in summary.iter_rows() for c in row}


def test_a_name_that_starts_with_an_equals_sign_is_text_in_every_workbook(client: httpx.Client) -> None:
    """A web review: a company '=HYPERLINK(...)' was a live formula in plan.xlsx, and an enterprise of
    a pipeline in match.xlsx (formula injection); '=1+1 (HS 6109)' a formula Excel 'repaired' away."""
    import io

    import openpyxl

    evil = '=HYPERLINK("http://example.invalid","click")'
    r = client.post("/api/plan", json={"profile": {**APPAREL, "company": evil, "product": "=1+1"}})
    assert r.status_code == 200, r.text
    plan = client.get(f"/api/runs/{r.headers['x-kopru-run']}/plan.xlsx")
    quoted = '"' + evil.replace('"', '""') + '"'
    pipeline = f"id,name,sector,template\ne1,{quoted},textiles,textiles\n"
    job = client.post("/api/match", json={"pipeline_csv": pipeline, "pipeline_name": "p.csv"})
    assert job.status_code == 202, job.text
    done = finished(client, job.json()["id"])
    match = client.get(f"/api/match/{done['run']}/match.xlsx")
    for book in (plan, match):
        assert book.status_code == 200
        cells = [
            c
            for ws in openpyxl.load_workbook(io.BytesIO(book.content))
            for row in ws.iter_rows()
            for c in row
        ]
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        assert evil in {c.value for c in cells}
    summary = openpyxl.load_workbook(io.BytesIO(plan.content))["Summary"]
    assert "=1+1 (HS 6109)" in {c.value for row in summary.iter_rows() for c in row}


@pytest.mark.parametrize(
    ("path", "body", "said"),
    [
        (
            "/api/plan",
            "",
            'the request body is empty; expected a JSON object, such as {"example": "apparel"}',
        ),
        ("/api/space/pool", "[]", 'expected the request body to be a JSON object, such as {"days": 1}'),
        ("/api/match", "{", 'expected a JSON object, such as {"example": "pipeline"}'),
        ("/api/compare-sites", "", '{"example": "apparel", "sites": ["Turan", "Denizli"]}'),
        (
            "/api/match",
            '{"example": "pipeline", "avoid": ["RUS"]}',
            "'RUS' is not a two-letter ISO country code",
        ),
    ],
)
def test_a_body_a_route_cannot_read_is_told_one_it_can(client: httpx.Client, path, body, said) -> None:
    """A web review: an empty body was 'Field required', and every route offered {"example":
    "apparel"}, which the space, match and compare routes refuse; 'RUS' was 'a value of another form'."""
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and said in r.json()["message"], r.text
    if path == "/api/match" and "avoid" not in body:  # the example offered is one the route takes
        assert client.post(path, json={"example": "pipeline"}).status_code == 202


def test_an_address_a_method_or_an_upload_the_app_has_no_route_for_says_what_it_has(
    client: httpx.Client,
) -> None:
    """A web review: bare 'Not Found' and 'Method Not Allowed', and 'Expected UploadFile, received:
    <class 'str'>' for a profile sent as a form's text."""
    nope = client.get("/api/nope")
    assert nope.status_code == 404
    assert nope.json()["message"] == "no address /api/nope in this app; /docs lists the API's addresses"
    put = client.put("/api/plan", json={"example": "apparel"})
    assert put.status_code == 405 and put.headers["allow"] == "POST"
    assert put.json()["message"] == "PUT /api/plan is not answered; this address takes POST"
    for sent in ({"data": {"file": "company: x"}}, {"files": {"file": ("", b"company: x")}}, {"json": {}}):
        r = client.post("/api/profiles/parse", **sent)
        assert r.status_code == 422 and r.json()["message"] == (
            "file: expected a file upload (multipart/form-data) in the field 'file', with its file name"
        )


def test_a_risk_run_asked_not_to_be_recorded_is_not(client: httpx.Client) -> None:
    """``record: false`` was honoured by plans and jobs but not by risk runs (web review)."""
    job = client.post("/api/risk", json={"example": "apparel", "samples": 500, "record": False})
    assert job.status_code == 202, job.text
    done = finished(client, job.json()["id"])
    assert done["status"] == "done", done
    assert client.get(f"/api/runs/{done['run']}/risk").status_code == 200  # kept for its answer
    assert done["run"] not in {r["id"] for r in client.get("/api/runs").json()}
    assert done["run"] not in {r["id"] for r in client.get("/api/store/runs?kind=risk").json()["runs"]}


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"example": "pipeline", "min_jobs": {"KZ-79": Infinity}}', "min_jobs"),
        ('{"example": "pipeline", "max_incentive_cost": Infinity}', "max_incentive_cost"),
        ('{"example": "pipeline", "hurdle_pct": NaN}', "hurdle_pct"),
    ],
)
def test_non_finite_match_numbers_are_refused_at_once(client: httpx.Client, body: str, field: str) -> None:
    """They were accepted (202) and the job failed seconds later in the CLI's words (web review)."""
    r = client.post("/api/match", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert field in r.text and "finite" in r.text


def test_validate_refuses_a_forced_site_that_is_not_a_candidate(client: httpx.Client) -> None:
    """Validate said 200 to optimize.force_open: [atlantis], and the job failed later with a pointer
    to plan.json, which a web user does not have (web review)."""
    profile = {**APPAREL, "optimize": {"force_open": ["atlantis"], "force_closed": ["sez_turan"]}}
    r = client.post("/api/profiles/validate", json={"profile": profile})
    assert r.status_code == 422, r.text
    # a site is named as kopru compare names one (an id, a name or a part of one); no file to look in
    assert "optimize.force_open[0]" in r.text and "no site is called 'atlantis'" in r.text
    assert "plan.json" not in r.text
    assert "force_closed" not in r.text  # sez_turan is a candidate


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/api/runs/deadbeef", "is not a run id (32 hexadecimal characters"),
        ("/api/jobs/deadbeef", "is not a job id"),
        ("/api/store/runs/xyz", "is not a run id"),
    ],
)
def test_an_id_of_the_wrong_form_is_said_in_words(client: httpx.Client, path: str, words: str) -> None:
    """A web review: the answer quoted the regular expression ('should match pattern ^[0-9a-f]{32}$')."""
    r = client.get(path)
    assert r.status_code == 422 and words in r.json()["message"] and "should match" not in r.text, r.text


def test_a_region_code_of_the_wrong_form_is_said_in_words(client: httpx.Client) -> None:
    r = client.post("/api/match", json={"example": "pipeline", "min_jobs": {"Almaty": 5}})
    assert r.status_code == 422 and "a Kazakh region code such as KZ-75" in r.text
    assert "should match" not in r.text
