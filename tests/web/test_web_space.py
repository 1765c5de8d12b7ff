"""The Space API: the same answers as ``kopru.space.pool`` and ``kopru.space.latency`` (the
oracle: the Python API on the same inputs), and bad requests as 422s naming the field."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from conftest import screenshot
from web_server import serving

from kopru import space
from kopru.web import create_app
from kopru.web.routes import space as routes


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving(create_app(token="")) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=120) as c:
        yield c


def test_pool_and_latency_answer_as_the_python_api(client: httpx.Client) -> None:
    body = {"start": "2026-06-01", "days": 2, "min_elevation": 10, "downlink_s": 90}
    pool = client.post("/api/space/pool", json={k: v for k, v in body.items() if k != "downlink_s"})
    assert pool.status_code == 200
    expected = space.pool("2026-06-01", 2, min_elevation=10, time_limit=20).as_dict()
    got = pool.json()
    assert got["satellites"] == json.loads(json.dumps(expected["satellites"]))
    assert got["guarantee"] == expected["guarantee"]
    latency = client.post("/api/space/latency", json=body)
    assert latency.status_code == 200
    want = space.latency("2026-06-01", 2, min_elevation=10, downlink_s=90, time_limit=20).as_dict()
    got = latency.json()
    assert got["sites"] == json.loads(json.dumps(want["sites"])) and len(got["sites"]) == 17
    assert got["satellites"] == json.loads(json.dumps(want["satellites"]))
    assert got["parameters"]["downlink_s"] == 90


def test_one_zone_store_and_forward(client: httpx.Client) -> None:
    body = {"days": 1, "sites": "SEZ:sez_turan", "direct_downlink": False}
    got = client.post("/api/space/latency", json=body).json()
    assert [s["site"] for s in got["sites"]] == ["SEZ Turan (formerly Turkistan)"]
    assumed = {a["parameter"]: a for a in got["assumptions"]}
    assert (
        assumed["direct_downlink"]["value"] is False
        and "store and forward" in assumed["direct_downlink"]["meaning"]
    )


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"days": 20}, "days", "expected at most 14, got 20"),
        ({"start": "tomorrow"}, "start", "'tomorrow' is not an ISO 8601 date"),
        ({"days": None}, "days", "valid number"),
        ({"start": "1900-01-01"}, "start", "outside the years element sets can describe"),
        ({"sites": "SEZ:nowhere"}, "sites", "unknown SEZ id 'nowhere'"),
        ({"sites": "../etc/passwd"}, "sites", "is not SEZ (every zone) or SEZ:id,id"),
        ({"refraction": "x"}, "refraction", "'none', 'radio' or 'optical'"),
        ({"downlink_s": -1}, "downlink_s", "expected at least 0, got -1"),
        ({"follow_days": 8}, "follow_days", "expected at most 7, got 8"),
        # a web review: 99999999 was echoed as '1e+08'; a number reads as typed, grouped
        ({"downlink_s": -99999999}, "downlink_s", "expected at least 0, got -99,999,999"),
        ({"follow_days": 7.25}, "follow_days", "expected at most 7, got 7.25"),
        ({"optimise": True}, "optimise", "Extra inputs are not permitted"),
    ],
)
def test_bad_requests_name_the_field(client: httpx.Client, body: dict, field: str, words: str) -> None:
    r = client.post("/api/space/latency", json=body)
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["field"] == field and words in detail["msg"], detail
    assert r.json()["message"].startswith(f"{field}: ")  # as every other 422 of the app


def test_the_page_is_served_and_in_the_menu(client: httpx.Client) -> None:
    page = client.get("/space")
    assert page.status_code == 200 and 'id="space-form"' in page.text
    assert '<a href="/space" class="active" aria-current="page">Space</a>' in page.text
    assert '<a href="/space"' in client.get("/plan").text


@pytest.mark.parametrize(
    ("raw", "field"), [('{"days": NaN}', "days"), ('{"downlink_s": Infinity}', "downlink_s")]
)
def test_nan_and_infinity_are_refused_as_such(client: httpx.Client, raw: str, field: str) -> None:
    """Python's JSON reader takes NaN and Infinity; NaN would pass no bound's test."""
    r = client.post("/api/space/latency", content=raw, headers={"Content-Type": "application/json"})
    detail = r.json()["detail"][0]
    assert r.status_code == 422 and detail["field"] == field and "finite number" in detail["msg"]


def test_a_busy_planner_says_come_back(client: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each answer is CPU-bound for up to seconds: beyond MAX_RUNNING at once a request gets 429 with
    Retry-After, the app's answer to a full queue, not a pile-up of threads."""
    import threading

    from kopru.web.routes import space as routes

    full = threading.BoundedSemaphore(1)
    full.acquire()
    monkeypatch.setattr(routes, "_running", full)
    r = client.post("/api/space/latency", json={"days": 1})
    assert r.status_code == 429 and r.headers["retry-after"] and "try again" in r.json()["detail"]
    monkeypatch.setattr(routes, "_running", threading.BoundedSemaphore(1))
    assert client.post("/api/space/pool", json={"days": 0.5}).status_code == 200


def test_no_schedule_within_the_webs_time_limit_is_a_clear_422(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review: a pool with no schedule at all came back as zeros. A request cannot raise the web's
    time limit, so the answer says what it can do instead (1e-9 s finds no own schedule over a day)."""
    from kopru.web.routes import space as routes

    monkeypatch.setattr(routes, "WEB_TIME_LIMIT_S", 1e-9)
    for verb in ("pool", "latency"):
        r = client.post(f"/api/space/{verb}", json={"days": 1})
        assert r.status_code == 422, verb
        assert r.json()["message"] == (
            "no own schedule was found within the time limit of 1e-09 s, the web's limit for each schedule;"
            " ask for fewer days, or run kopru space on the command line with a longer --time-limit"
        )


@pytest.mark.browser
def test_the_page_says_a_refused_field_beside_it(
    browser: Any, base: str, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused field's message was said under the whole form only, by the API's name ("days:
    expected at most 14"). In Chromium: it is said beside its input, named by its label under the
    form, and cleared by the next submit; an error about no field stays under the form.
    Oracle: the server's 422 for the same field (its message), and for a run the API's answer to
    the same request with the imaging limits the result states."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda e: script_errors.append(str(e)))
    notes = page.locator("#space-form small.err")
    try:
        page.goto(base + "/space")
        page.fill("#sp-days", "20")
        page.click("#sp-run")
        page.wait_for_function("document.getElementById('sp-days-err').textContent !== ''")
        said = client.post("/api/space/pool", json={"days": 20}).json()["detail"][0]
        assert said["field"] == "days" and said["msg"] == "expected at most 14, got 20"
        beside = page.locator("label:has(#sp-days) small.err")
        assert beside.inner_text() == said["msg"]
        assert [t for t in notes.all_inner_texts() if t] == [said["msg"]]  # beside that field alone
        assert page.get_attribute("#sp-days", "aria-invalid") == "true"
        assert page.get_attribute("#sp-days", "aria-describedby") == beside.get_attribute("id")
        assert page.locator("#sp-error").inner_text() == f"Window, days (up to 14): {said['msg']}"
        # the next submit clears it; the latency's own field (the sensor's limit) is said beside its input
        page.fill("#sp-days", "0.5")
        page.fill("#sp-off-nadir", "95")
        page.click("#sp-run")
        page.wait_for_function("document.getElementById('sp-off-nadir-err').textContent !== ''")
        said = client.post("/api/space/latency", json={"max_off_nadir": 95}).json()["detail"][0]
        assert said["field"] == "max_off_nadir"
        assert [t for t in notes.all_inner_texts() if t] == [said["msg"]]
        assert page.locator("label:has(#sp-off-nadir) small.err").inner_text() == said["msg"]
        assert page.get_attribute("#sp-days", "aria-invalid") is None
        assert page.locator("#sp-error").inner_text() == f"Sensor off-nadir limit, °: {said['msg']}"
        # a run: no note, and the imaging limits it was made with, in words, over the zones' table
        page.fill("#sp-off-nadir", "25")
        page.fill("#sp-sun", "5")
        page.click("#sp-run")
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        assert not any(notes.all_inner_texts()) and page.locator("#sp-error").inner_text() == ""
        limits = page.locator("#sp-limits").inner_text()
        assert "off-nadir ≤ 25°, Sun ≥ 5° above the horizon" in limits
        body = {"start": "2026-06-01", "days": 0.5, "max_off_nadir": 25, "min_sun_elevation": 5}
        want = client.post("/api/space/latency", json=body).json()
        images = page.locator("#sp-request tbody tr td:nth-of-type(2)").all_inner_texts()
        assert images == [str(s["pooled"]["images"]) for s in want["sites"]]
        # an error about no field (a busy planner) stays under the form, beside no input
        full = threading.BoundedSemaphore(1)
        full.acquire()
        monkeypatch.setattr(routes, "_running", full)
        page.click("#sp-run")
        page.wait_for_function("document.getElementById('sp-error').textContent.includes('try again')")
        assert not any(notes.all_inner_texts())
        assert page.locator("#space-form [aria-invalid]").count() == 0
    finally:
        context.close()
    assert script_errors == []


def test_a_mask_no_pass_reaches_is_a_422_for_latency_as_for_pool(client: httpx.Client) -> None:
    """A second review: latency answered an 89° mask with a table of dashes; it is refused as pool
    refuses it, a 422 naming the field, never a 5xx. Oracle: pool's answer to the same request."""
    body = {"days": 0.5, "min_elevation": 89}
    pool = client.post("/api/space/pool", json=body)
    latency = client.post("/api/space/latency", json={**body, "sites": "SEZ:sez_pit"})
    assert pool.status_code == latency.status_code == 422
    assert latency.json() == pool.json()
    assert latency.json()["message"].startswith("min_elevation: no pass of any satellite over any antenna")


def test_the_pool_names_the_antenna_whose_leo_tracking_is_assumed(client: httpx.Client) -> None:
    """Oracle: the pooled schedule's own contacts on Azercosmos Main, per day."""
    got = client.post("/api/space/pool", json={"days": 1}).json()
    [row] = got["leo_antennas_assumed"]
    on = sum(c["duration_s"] for c in got["schedule"] if c["station"] == row["station"]) / 60
    assert row["station"].startswith("Azercosmos Main") and row["pooled_min_per_day"] == pytest.approx(
        on, abs=0.01
    )


def test_passes_answer_as_the_python_api_and_the_csv_as_the_command_line(
    client: httpx.Client, tmp_path: Any
) -> None:
    """Oracles: ``kopru.space.passes`` on the same inputs for the JSON, and the passes.csv that
    ``kopru space passes --out`` writes for the CSV, byte for byte."""
    from kopru.cli.space import app

    body = {"start": "2026-06-01", "days": 1, "min_elevation": 10, "satellite": ["39731"]}
    got = client.post("/api/space/passes", json=body)
    assert got.status_code == 200
    want = space.passes("2026-06-01", 1, min_elevation=10, satellite=["39731"]).as_dict()
    assert got.json() == json.loads(json.dumps(want))
    assert {p["satellite"] for p in got.json()["passes"]} == {"KazEOSat-1"} and len(want["passes"]) >= 3
    args = ["passes", "--start", "2026-06-01", "--days", "1", "--min-elevation", "10", "--satellite", "39731"]
    app([*args, "--out", str(tmp_path)], standalone_mode=False)
    csv_got = client.post("/api/space/passes.csv", json=body)
    assert csv_got.status_code == 200 and csv_got.headers["content-type"].startswith("text/csv")
    assert 'filename="passes.csv"' in csv_got.headers["content-disposition"]
    assert csv_got.content == (tmp_path / "passes.csv").read_bytes()


def test_passes_over_one_station_by_its_whole_name(client: httpx.Client) -> None:
    """The page names a station by its whole name: only that station's passes come back, every one
    the unfiltered list has there (oracle: the same request without the station)."""
    station = "TÜBİTAK UZAY ground station, METU (ODTÜ) campus, Ankara (RASAT/Göktürk-2/İMECE)"
    body = {"days": 1, "satellite": ["39030"]}
    every = client.post("/api/space/passes", json=body).json()["passes"]
    one = client.post("/api/space/passes", json={**body, "station": [station]}).json()["passes"]
    assert one and one == [p for p in every if p["station"] == station]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"satellite": ["Sputnik"]}, "satellite", "'Sputnik' matches no satellite; the satellites: KazSat-2"),
        ({"station": ["Baikonur"]}, "station", "status not_a_station), left out by station_status"),
        ({"station_status": "active"}, "station_status", "unknown"),
        ({"satellite": [""]}, "satellite[0]", "at least 1 character"),
        ({"days": 15}, "days", "expected at most 14, got 15"),
    ],
)
def test_bad_pass_requests_name_the_field(client: httpx.Client, body: dict, field: str, words: str) -> None:
    r = client.post("/api/space/passes", json=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"][0]
    assert detail["field"] == field and words in detail["msg"], detail
    assert "--" not in detail["msg"]  # the request's fields, not the command line's flags
    csv_r = client.post("/api/space/passes.csv", json=body)
    assert csv_r.status_code == 422 and csv_r.json()["detail"][0]["field"] == field


@pytest.mark.browser
def test_the_page_lists_the_passes_of_a_satellite_and_downloads_them(
    browser: Any, base: str, client: httpx.Client
) -> None:
    """A satellite operator's first question of a pooled network, asked on the page: when does my
    satellite pass over the antennas? Oracle: the API's answer to the request the page makes (the
    form's window and mask), row by row, and its CSV byte for byte; a refused window is said beside
    the form's field and under the pass list."""
    from pathlib import Path

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda e: script_errors.append(str(e)))
    try:
        page.goto(base + "/space")
        page.fill("#sp-days", "2")
        page.fill("#sp-mask", "10")
        assert page.locator("#ps-satellite option:checked").inner_text().startswith("KazEOSat-1 (Kazakhstan")
        assert page.locator("#ps-csv").is_disabled()
        page.click("#ps-run")
        page.wait_for_selector("body[data-passes='1']", timeout=60_000)
        body = {"start": "2026-06-01", "days": 2, "min_elevation": 10, "satellite": ["39731"]}
        want = client.post("/api/space/passes", json=body).json()["passes"]
        rows = page.locator("#ps-table tbody tr")
        assert rows.count() == len(want) > 5
        first = rows.first.locator("th, td").all_inner_texts()
        p = want[0]
        assert first[0] == "KazEOSat-1" and first[2] == p["aos"][:19].replace("T", " ")
        assert first[5] == f"{p['aos_local'][11:16]} +05:00" or p["timezone"] != "Asia/Almaty"
        assert first[7] == f"{p['max_elevation_deg']:.1f}"
        summary = page.locator("#ps-summary").inner_text()
        assert summary.startswith(f"{len(want)} passes of KazEOSat-1 over ") and "(mask 10°)" in summary
        # the geostationary control centres are said to be left out for a LEO satellite, in the page's words
        notes = page.locator("#ps-notes").inner_text()
        assert "Not offered to LEO satellites: Akkol Space Communication Centre" in notes
        assert "--assume" not in notes and "geostationary centres as LEO antennas" in notes
        # Azercosmos Main's LEO antenna is the stations file's assumption: marked on its rows, said below
        [assumed] = client.post("/api/space/passes", json=body).json()["leo_antennas_assumed"]
        assert page.locator("#ps-table tbody td .muted", has_text="‡").count() == assumed["leo_passes"] > 0
        assert (
            "‡ Not established: Azercosmos Main Satellite Ground Control Station's LEO antenna is an"
            f" assumption of the stations file, not a source: {assumed['leo_passes']} of the {len(want)}"
            " passes of LEO satellites listed"
        ) in notes
        screenshot(page.locator("#sp-passes-panel"), "web-space-passes.png")
        with page.expect_download() as dl:
            page.click("#ps-csv")
        assert dl.value.suggested_filename == "passes.csv"
        csv_want = client.post("/api/space/passes.csv", json=body).content
        assert Path(dl.value.path()).read_bytes() == csv_want
        # one station, by the choice of the list
        station = "TÜBİTAK UZAY ground station, METU (ODTÜ) campus, Ankara (RASAT/Göktürk-2/İMECE)"
        page.select_option("#ps-station", station)
        page.click("#ps-run")
        page.wait_for_selector("body[data-passes='1']", timeout=60_000)
        there = [w for w in want if w["station"] == station]
        assert rows.count() == len(there) and set(rows.locator("td:nth-of-type(1)").all_inner_texts()) == {
            "TÜBİTAK UZAY ground station"
        }
        # the station's clock says the day after the UTC date beside it (a review: Göktürk-1 rising at
        # 19:21 UTC over Astana read '00:21 +05:00' on the 1st); oracle: each row's two ISO times
        page.select_option("#ps-station", "")
        page.select_option("#ps-satellite", "41875")
        page.click("#ps-run")
        page.wait_for_selector("body[data-passes='1']", timeout=60_000)
        got = client.post("/api/space/passes", json={**body, "satellite": ["41875"]}).json()["passes"]
        clocks = page.locator("#ps-table tbody td:nth-of-type(5)").all_inner_texts()

        def clock(p: dict) -> str:
            days = (date.fromisoformat(p["aos_local"][:10]) - date.fromisoformat(p["aos"][:10])).days
            return f"{p['aos_local'][11:16]} {p['aos_local'][23:]}" + (f" +{days}d" if days else "")

        assert clocks == [clock(p) for p in got] and any(c.endswith("+1d") for c in clocks)
        assert page.locator("#ps-summary").inner_text().startswith(f"{len(got)} passes of Göktürk-1 over")
        # a window the server refuses: said beside the form's field, under the pass list, and no table
        page.fill("#sp-days", "30")
        page.click("#ps-run")
        page.wait_for_function("document.getElementById('ps-error').textContent.includes('days')")
        assert (
            page.locator("#ps-error").inner_text() == "Window, days (up to 14): expected at most 14, got 30"
        )
        assert page.locator("label:has(#sp-days) small.err").inner_text() == "expected at most 14, got 30"
        assert page.locator("#ps-result").is_hidden() and page.locator("#ps-csv").is_disabled()
    finally:
        context.close()
    assert script_errors == []
