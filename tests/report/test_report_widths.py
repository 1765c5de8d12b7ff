"""The HTML reports a user opens on a phone or forwards by mail fit the screen: no page that scrolls
sideways at 390 px (a wide table scrolls in its own box) nor at 1280 px. Oracle: Chromium's layout,
the document's scroll width against the viewport's.

Reviews found the matchmaking report 957 px wide on a phone, the space report 1,277 px (a table of
sources with long addresses) and 13 px too wide on a desktop (its map's layers drawn past it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import EXAMPLES, unknown_traces

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
    ids = match.pipeline.ids
    pages = {
        "match": render_match_html(match, kopru.load_data()),
        "pitch": render_pitch_html(match, 0, "tr"),
        # two sheets that printed to four A4 pages (one placed, one not), in English
        **{
            f"pitch-{e}": render_pitch_html(match, ids.index(e)) for e in ("petronet_ordabasy", "afko_atyrau")
        },
    }
    sats, stations = read_tle(), read_stations()
    pooled = pool(sats, stations, datetime(2026, 6, 1, tzinfo=UTC), 1.0, read_satellites())
    pages["space"] = render_space_report(pooled, sats, stations)
    for name, html in pages.items():
        out[name] = folder / f"{name}.html"
        out[name].write_text(html, encoding="utf-8")
    return out


@pytest.mark.browser
def test_no_report_scrolls_sideways_and_tables_keep_their_numbers_whole(browser, reports):
    """No report scrolls sideways at 390 or 1280 px; a table too wide for a phone scrolls in its
    box, its cells keep their words and numbers whole. A review found 'anywhere' wrapping squeezing
    columns to one character, the plan report 5 times as tall at 390 px as at 1280 (167,000 px).
    Oracle: Chromium's layout at both widths (each report loaded once, on a desktop, then narrowed
    to a phone's width as a window is: the figures lay themselves out again, as after a load)."""
    page = browser.new_page()
    try:
        for name, path in reports.items():
            heights = {}
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(path.as_uri())
            assert unknown_traces(page) == [], name  # every trace type is in kopru.plotlyjs's bundle
            for width in (1280, 390):
                _resized(page, width)
                heights[width] = page.evaluate("document.documentElement.scrollHeight")
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            # a number in one line: no cell of numbers taller than its text's one line and a badge's
            # a number in one line: the line boxes of a cell's text (not the cell, which is as tall as
            # its row) all at one height
            broken = page.evaluate(
                """[...document.querySelectorAll('td.num')].filter(td => {
                    if (td.children.length || !td.textContent.trim()) return false;  // a bare number
                    const range = document.createRange();
                    range.selectNodeContents(td);
                    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
                }).length"""
            )
            assert broken == 0, (name, broken)
            assert heights[390] < 3 * heights[1280], (name, heights)
    finally:
        page.close()


FIGURES = """[...document.querySelectorAll('.plotly-graph-div')].map(d => ({
    id: d.id,
    narrow: !!d.kopruNarrow,
    title: (d.layout.title && d.layout.title.text) || '',
    ticks: (d.layout.yaxis && d.layout.yaxis.ticktext) || [],
    legend: d.layout.legend || {},
    height: d.layout.height,
    bars: d.data.filter(t => t.colorbar).map(t => t.colorbar.orientation || 'v'),
    labelled: d.data.filter(t => t.type === 'scattergeo' && String(t.mode).includes('text')).map(t => t.name),
}))"""


def _drawn(page) -> int:
    """How many times the report's figures were drawn for the window's width (0: not yet; -1: a page
    without figures, such as a pitch sheet, which has no script to wait for)."""
    return page.evaluate(
        "typeof kopruFigures === 'undefined' ? -1 : Number(document.body.dataset.figuresDrawn || 0)"
    )


def _resized(page, width: int) -> None:
    """The window at ``width`` and every figure drawn for it (report_figures.js says when: the
    figures of a phone are drawn anew, plotly fits the others to the width)."""
    before = _drawn(page)
    if before == -1:
        page.set_viewport_size({"width": width, "height": 900})
        return
    if before == 0:  # the load's drawing first
        page.wait_for_function("Number(document.body.dataset.figuresDrawn || 0) > 0")
        before = _drawn(page)
    if page.viewport_size["width"] != width:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_function(f"Number(document.body.dataset.figuresDrawn) > {before}")


def _figures(page, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("Number(document.body.dataset.figuresDrawn || 0) > 0")
    return {f["id"]: f for f in page.evaluate(FIGURES)}


@pytest.mark.browser
def test_figures_are_laid_out_for_a_phone_and_given_back_on_a_desktop(browser, reports):
    """On a phone a report's figures follow the kopru pages' rules (web/static/figures.js): titles
    and site names wrapped, the legend under everything, a map's colour bar flat under it; on a
    desktop, or back at desktop width, each has the layout it was written with. A review found
    titles cut off, names taking three quarters of the width and a legend on the axis title.
    Oracle: the figures' layouts as plotly.js holds them in Chromium, against those at 1280 px."""
    page = browser.new_page()
    try:
        wide = _figures(page, reports["plan"], 1280)
        assert wide and not any(f["narrow"] for f in wide.values())
        assert all("<br>" not in f["title"] for f in wide.values()), wide
        phone = _figures(page, reports["plan"], 390)
        assert all(f["narrow"] for f in phone.values()), phone
        tornado, costs, site_map = phone["tornado-chart"], phone["cost-chart"], phone["site-map"]
        assert "<br>" in tornado["title"] and tornado["legend"]["orientation"] == "h"
        assert tornado["legend"]["yref"] == "container" and tornado["legend"]["y"] == 0  # under everything
        assert any("<br>" in t for t in costs["ticks"]) and costs["height"] >= wide["cost-chart"]["height"]
        assert wide["site-map"]["bars"] == ["v"] and site_map["bars"] == ["h"]
        # the recommended site's the one label a phone's map keeps (seven piled up over Türkiye)
        assert len(wide["site-map"]["labelled"]) > 1
        assert len(site_map["labelled"]) == 1 and site_map["labelled"][0].startswith("recommended: ")
        # wide again: the layouts the report was written with
        _resized(page, 1280)
        assert page.evaluate("document.body.dataset.narrowCharts") == "0"
        back = {f["id"]: f for f in page.evaluate(FIGURES)}
        keys = ("narrow", "title", "ticks", "height", "bars", "labelled")
        for fid, f in wide.items():
            assert {k: back[fid][k] for k in keys} == {k: f[k] for k in keys}, fid
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["match", "space"])
def test_the_match_and_space_figures_are_laid_out_for_a_phone(browser, reports, name):
    """The matchmaking and space reports' figures by the same rules. Oracle: their layouts in
    Chromium at 390 px."""
    page = browser.new_page()
    try:
        figures = _figures(page, reports[name], 390)
        assert figures and all(f["narrow"] for f in figures.values()), figures
        assert all("h" in f["bars"] for f in figures.values() if f["bars"])  # maps' colour bars lie flat
        if name == "space":
            assert any("<br>" in t for t in figures["schedule-timeline"]["ticks"])
    finally:
        page.close()


@pytest.mark.browser
def test_a_pitch_sheet_prints_to_at_most_three_pages(browser, reports):
    """A sheet handed over in a meeting: the example's longest printed to four A4 pages. Oracle:
    Chromium's own print layout (its PDF's pages), A4 as the sheet's @page asks."""
    import re

    page = browser.new_page()
    try:
        for name in ("pitch", "pitch-petronet_ordabasy", "pitch-afko_atyrau"):
            page.goto(reports[name].as_uri())
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
            pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
            assert 1 <= pages <= 3, (name, pages)
    finally:
        page.close()
