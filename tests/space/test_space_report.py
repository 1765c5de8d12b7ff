"""The space planner's HTML report: the page opened in
headless Chromium (Debian's chromium) renders its map and timeline without touching the network."""

import json
from datetime import UTC, datetime

import pytest
from conftest import screenshot, unknown_traces

from kopru.space import read_satellites, read_stations, read_tle
from kopru.space.pooling import pool
from kopru.space.report import render_space_report

START = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def report_html() -> str:
    sats, stations = read_tle(), read_stations()
    result = pool(sats, stations, START, 1.0, read_satellites())
    return render_space_report(result, sats, stations)


def test_report_is_self_contained_and_lists_provenance(report_html):
    assert "<script src=" not in report_html and '<link rel="stylesheet" href="http' not in report_html
    for text in ("39731", "2014-024A", "±10 km", "astrion-tech/celestrak-mirror"):
        assert text in report_html
    # rows that are not antennas are named as left out, with their evidence
    left = report_html[report_html.index('id="stations-left-out"') :]
    assert "Baikonur Cosmodrome" in left and "re-entered on 9-10 January 2015" in left


def test_report_shows_each_antenna_s_load(report_html):
    """What pooling asks of each antenna: a row per antenna of the pooled schedule, KGS Astana among
    them (the LEO-capable Kazakh station)."""
    table = report_html[report_html.index('id="antennas"') :]
    table = table[: table.index("</table>")]
    assert "KGS National Space Centre" in table and "of which for partners" in table


@pytest.mark.browser
def test_report_renders_map_and_timeline_offline(browser, tmp_path, report_html):
    path = tmp_path / "space_report.html"
    path.write_text(report_html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("#track-map .geo .layer.land path")
    page.wait_for_selector("#schedule-timeline .main-svg")
    # map: the base map, the regions' outlines, one line per track and per country's circles,
    # the station markers
    for layer in ("land", "ocean", "lakes", "countries"):
        assert len(page.locator(f"#track-map .geo .layer.{layer} path").first.get_attribute("d")) > 1000
    assert page.locator("#track-map g.trace.scattergeo path.js-line").count() >= 1 + 6 + 4
    assert page.locator("#track-map g.trace.scattergeo path.point").count() >= len(read_stations())
    # timeline: one bar per scheduled contact
    n_contacts = page.locator("#schedule-timeline g.trace.bars g.point path").count()
    assert n_contacts >= 30
    assert page.locator("#pool-summary tr").count() == 2 + 6
    assert not errors, errors
    assert unknown_traces(page) == []
    outside = [u for u in requests if not u.startswith(("file://", "data:", "about:", "blob:"))]
    assert outside == [], f"report made network requests: {outside}"
    screenshot(page.locator("#track-map"), "space-map.png")
    screenshot(page.locator("#schedule-timeline"), "space-timeline.png")
    screenshot(page, "space-report.png", full_page=True)
    page.close()


def test_pool_out_writes_the_report_and_the_json(tmp_path):
    from typer.testing import CliRunner

    from kopru.cli.space import app

    out = tmp_path / "space"
    res = CliRunner().invoke(app, ["pool", "--start", "2026-06-01", "--days", "0.25", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "space_report.html" in res.output
    data = json.loads((out / "pool.json").read_text(encoding="utf-8"))
    assert data["solver"]["pooled"]["status"] == "optimal" and data["schedule"]
    assert "schedule-timeline" in (out / "space_report.html").read_text(encoding="utf-8")


def test_report_states_its_limits_at_the_top(eo_only):
    """Review findings 2, 3, 4 and 7 in the page: the claim is total contact time only and losses
    are named; stale element sets are warned of before the results; the GEO control centres are
    listed as not offered to LEO satellites, with their evidence; the link figures are tagged
    as assumptions and the volume is called downlink capacity."""
    sats = read_tle()
    week = pool(sats, eo_only, START, 7.0, read_satellites())
    page = render_space_report(week, sats, eo_only)
    summary = page[page.index('id="summary"') : page.index("<h2>")]
    assert "no satellite gets less total contact time over the window" in summary
    # the gain is full interoperability's: no band, licence or agreement is checked
    assert "bands, licences and agreements are not checked: an upper bound" in " ".join(summary.split())
    assert 'id="interoperability">It assumes that every antenna that serves' in page
    assert "IMECE: longest gap 13.4 h → 21.1 h; less contact on 2026-06-07" in summary
    assert 'class="num loss">21.1</td>' in page
    assert page.count('<span class="assume"') >= 4 and "downlink capacity, GB" in page
    assert 'id="warnings"' not in page  # element sets two days old: nothing to warn of

    stale_start = datetime(2026, 12, 5, tzinfo=UTC)
    late = pool(sats, read_stations(), stale_start, 0.25, read_satellites())
    page = render_space_report(late, sats, read_stations())
    top = page[page.index('id="warnings"') : page.index('id="summary"')]
    assert "stale element sets" in top and "minutes after two to three months" in top
    refused = page[page.index('id="stations-not-for-leo"') :]
    assert "Akkol Space Communication Centre" in refused and "operates in the Ku-band" in refused
    assert "serves" in page[page.index('id="station-sources"') :]


def test_an_antennas_own_mask_draws_its_own_visibility_circle():
    """A review: the map drew every circle at the run's mask. Oracle: the title says so, and a
    masked antenna's circle is the smaller (a higher mask sees a smaller cap)."""
    import numpy as np

    from kopru.space.geometry import earth_central_angle_deg

    rows = read_stations()
    leo = rows.subset(rows.tracks_leo())
    masked = type(leo)(**{**leo.__dict__, "mask_deg": np.where(np.arange(len(leo)) == 0, 30.0, np.nan)})
    result = pool(read_tle(), masked, START, 0.25, read_satellites())
    page = render_space_report(result, read_tle(), masked)
    assert "an antenna with a mask of its own: its own" in page
    assert earth_central_angle_deg(700.0, 30.0) < earth_central_angle_deg(700.0, 5.0)


def test_with_refraction_each_circle_is_where_the_geometric_elevation_is():
    """Review: with --refraction the map drew the apparent mask as if it were geometric, a circle too
    small by about 17 km at 5°. Oracle: ITU-R P.834-7 eq. (9) by hand at each antenna's height, and
    the great-circle radius of the drawn circle."""
    import numpy as np

    from kopru.space.geometry import earth_central_angle_deg
    from kopru.space.pooling import PoolOptions
    from kopru.space.report import map_spec

    rows = read_stations()
    leo = rows.subset(rows.tracks_leo())
    result = pool(read_tle(), leo, START, 0.25, read_satellites(), PoolOptions(refraction="radio"))
    spec = map_spec(result, read_tle(), result.stations)
    h, theta = result.stations.elev_m / 1000.0, 5.0
    tau = 1.0 / (
        1.314
        + 0.6437 * theta
        + 0.02869 * theta**2
        + h * (0.2305 + 0.09428 * theta + 0.01096 * theta**2)
        + 0.008583 * h**2
    )
    assert np.allclose(spec.masks_deg, 5.0) and np.allclose(spec.circle_deg, 5.0 - tau, atol=1e-12)
    assert 0.15 < tau.max() < 0.2  # a fifth of a degree at 5°: tens of kilometres of circle
    assert earth_central_angle_deg(spec.altitude_km, spec.circle_deg).min() > earth_central_angle_deg(
        spec.altitude_km, 5.0
    )
    page = render_space_report(result, read_tle(), result.stations)
    assert "visibility" in page


def test_the_summary_reads_as_sentences(report_html):
    """A satellite operator's review: '(+98%)if every antenna' and '(3 day(s))' in the report."""
    import re

    text = " ".join(re.sub(r"<[^>]+>", " ", report_html).split())
    assert re.search(r"\([+-]\d+%\) if every antenna", text)
    assert "day(s)" not in report_html and re.search(r"\(\d+(\.\d+)? days?\)", text)
