"""The HTML reports a user opens on a phone or forwards by mail fit the screen: no page that scrolls
sideways at 390 px (a wide table scrolls in its own box) nor at 1280 px. Oracle: Chromium's layout,
the document's scroll width against the viewport's.

Reviews found the matchmaking report 957 px wide on a phone, the space report 1,277 px (a table of
sources with long addresses) and 13 px too wide on a desktop (its map's layers drawn past it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import EXAMPLES

import kopru


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict:
    from kopru.report import write_report
    from kopru.report.portfolio import render_match_html, render_pitch_html
    from kopru.space import read_satellites, read_stations, read_tle
    from kopru.space.pooling import pool
    from kopru.space.report import render_space_report

    folder = tmp_path_factory.mktemp("widths")
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    out = {"plan": write_report(plan, kopru.load_data(), folder / "report.html")}
    match = kopru.match(EXAMPLES / "match" / "pipeline.csv")
    pages = {
        "match": render_match_html(match, kopru.load_data()),
        "pitch": render_pitch_html(match, 0, "tr"),
    }
    sats, stations = read_tle(), read_stations()
    pooled = pool(sats, stations, datetime(2026, 6, 1, tzinfo=UTC), 1.0, read_satellites())
    pages["space"] = render_space_report(pooled, sats, stations)
    for name, html in pages.items():
        out[name] = folder / f"{name}.html"
        out[name].write_text(html, encoding="utf-8")
    return out


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_no_report_scrolls_sideways(browser, reports, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        for name, path in reports.items():
            page.goto(path.as_uri())
            page.wait_for_timeout(300)  # plotly lays its figures out after the load
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
    finally:
        page.close()
