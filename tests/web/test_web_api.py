"""The JSON API on a live server (httpx): same plans as the Python API, validation, limits, auth.

Oracles: ``kopru.plan`` called directly (the API must return the same plan), the size limit
(1 MB), and the error contract (422 with field names, never a stack trace).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from web_server import serving

import kopru
from kopru.planner import Plan
from kopru.web import create_app

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    app = create_app(token="")  # "" = no auth, whatever KOPRU_TOKEN says in the environment

    @app.get("/api/_boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("internal detail /etc/secret that must not leak")

    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as c:
        yield c


def wait(client: httpx.Client, job_id: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


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
    job = wait(client, submitted.json()["id"])
    assert job["status"] == "done", job
    assert "optimizing the network" in job["progress"]
    run = job["run"]
    plan = client.get(f"/api/runs/{run}").json()
    assert plan["network"]["status"] == "optimal" and plan["network"]["flows"]
    dl = client.get(f"/api/runs/{run}/plan.json")
    assert "attachment" in dl.headers["content-disposition"]
    assert Plan.model_validate_json(dl.content).network is not None
    report = client.get(f"/api/runs/{run}/report.html")
    assert report.status_code == 200 and "<html" in report.text[:500] and "cdn" not in report.text[:2000]
    figures = client.get(f"/api/runs/{run}/figures").json()
    assert len(figures["map"]["data"]) > 20 and figures["chart"]["data"]
    listed = client.get("/api/runs").json()
    assert listed[0]["id"] == run and listed[0]["optimized"] is True


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
        assert "greater than 0" in fields["markets[1].demand"]
        assert "unknown field" in fields["colour"]


def test_profile_error_found_while_planning_names_the_field(client: httpx.Client) -> None:
    profile = kopru.load_profile("examples/apparel.yaml").model_dump(mode="json")
    profile["baseline"][0]["province"] = "TR-99"
    job = wait(client, client.post("/api/jobs", json={"profile": profile}).json()["id"])
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
    binary = client.post("/api/profiles/parse", files={"file": ("p.yaml", b"\x00\x01\x02")})
    assert binary.status_code == 422 and "binary" in binary.json()["detail"][0]["msg"]
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    assert client.post("/api/profiles/parse", files={"file": ("p.yaml", bomb)}).status_code == 422
    partial = client.post("/api/profiles/parse", files={"file": ("p.json", b'{"company": "A"}')}).json()
    assert {e["field"] for e in partial["errors"]} >= {"product", "markets"}


def test_body_over_one_megabyte_is_refused(client: httpx.Client) -> None:
    big = {"profile": {"company": "x" * 1_100_000}}
    assert client.post("/api/profiles/validate", json=big).status_code == 413
    upload = client.post("/api/profiles/parse", files={"file": ("p.yaml", b"#" * 1_100_000)})
    assert upload.status_code == 413


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
    assert client.get("/static/plotly.min.js").status_code == 200
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
    # every source a value cites is listed with its title
    listed = {s["id"] for s in turan["sources"]}
    cited = {x for p in turan["parameters"] for x in p["source"].split(";")}
    assert cited <= listed
    assert client.get("/api/sites/KZ-99").status_code == 404
    fig = client.get("/api/sites/map").json()
    assert any(t.get("customdata") for t in fig["data"])


def test_token_auth() -> None:
    with serving(create_app(token=TOKEN)) as url, httpx.Client(base_url=url) as c:
        assert c.get("/api/health").status_code == 200  # open for load balancers and monitors
        assert c.get("/api/examples").status_code == 401
        wrong = c.get("/api/examples", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert c.get("/api/examples", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert c.post("/api/plan", json={"example": "apparel"}).status_code == 401
        assert 'id="token"' in c.get("/plan").text  # the pages ask for it


def test_full_queue_answers_503() -> None:
    with serving(create_app(token="", workers=1, max_pending=1)) as url, httpx.Client(base_url=url) as c:
        first = c.post("/api/jobs", json={"example": "food_processing", "optimize": True})
        second = c.post("/api/jobs", json={"example": "apparel"})
        assert first.status_code == 202
        assert second.status_code == 503 and second.headers["retry-after"]
        assert wait(c, first.json()["id"])["status"] == "done"
        assert c.post("/api/jobs", json={"example": "apparel"}).status_code == 202


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
