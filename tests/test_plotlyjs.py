"""kopru.plotlyjs: the partial plotly.js bundle the web pages and the reports load.

Oracles: the bundle's own first line (written by scripts/plotly_bundle.sh) for its version and
trace types; plotly.js in Chromium, which draws a trace type it has no module for as a scatter;
the installed plotly package's full plotly.js for the fallback. Every page and report the browser
tests open also checks that no trace type of theirs is missing (conftest.unknown_traces)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import EXAMPLES, unknown_traces

import kopru
from kopru import basemap, plotlyjs


@pytest.fixture
def fresh_cache():
    plotlyjs.bundle_header.cache_clear()
    plotlyjs.script.cache_clear()
    yield
    plotlyjs.bundle_header.cache_clear()
    plotlyjs.script.cache_clear()


def test_the_bundle_says_its_version_and_holds_every_trace_type_kopru_draws():
    version, traces = plotlyjs.bundle_header()
    assert version.count(".") == 2
    assert traces == plotlyjs.TRACES
    # about a third of the full plotly.js, which is why it is shipped
    assert plotlyjs.BUNDLE.stat().st_size < 2_000_000


def test_the_bundle_is_used_only_for_the_plotly_js_version_the_installed_plotly_writes_for(
    monkeypatch, fresh_cache
):
    from plotly.offline import get_plotlyjs

    version, _ = plotlyjs.bundle_header()
    monkeypatch.setattr(plotlyjs, "get_plotlyjs_version", lambda: version)
    assert plotlyjs.uses_bundle() and plotlyjs.script_path() == plotlyjs.BUNDLE
    assert plotlyjs.script().startswith(f"/* plotly.js v{version}, traces ")
    plotlyjs.script.cache_clear()
    monkeypatch.setattr(plotlyjs, "get_plotlyjs_version", lambda: "0.0.1")
    assert not plotlyjs.uses_bundle() and plotlyjs.script_path() != plotlyjs.BUNDLE
    assert plotlyjs.script() == get_plotlyjs()


def trace_types(html: str) -> set[str]:
    """The trace types of every figure in a report (plotly's to_html writes Plotly.newPlot(id, data, ...))."""
    decoder = json.JSONDecoder()
    found: set[str] = set()
    calls = list(re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', html))
    for call in calls:
        data, _ = decoder.raw_decode(html, call.end())
        found |= {trace.get("type", "scatter") for trace in data}
    assert calls, "no figure found"
    return found


def test_the_plan_reports_figures_use_every_trace_type_of_the_bundle_and_no_other():
    """Oracle: the figures' own JSON in the apparel plan report with its risk view and ranking (cost
    bars, the map's regions and routes, the risk violins, the ranking's points). The matchmaking and
    space reports' trace types are checked where the browser opens them (test_report_widths)."""
    from kopru.report import render_html, risk_view

    apparel = EXAMPLES / "apparel.yaml"
    risk = risk_view(kopru.risk(apparel, samples=500, seed=3))
    ranking = kopru.rank(apparel, samples=500, seed=3)
    html = render_html(kopru.plan(apparel), kopru.load_data(), risk=risk, ranking=ranking)
    assert trace_types(html) == set(plotlyjs.TRACES)


def test_a_bundle_without_its_first_line_is_not_used(tmp_path, monkeypatch, fresh_cache):
    fake = tmp_path / "plotly-kopru.min.js"
    fake.write_text("var Plotly = {};\n", encoding="utf-8")
    monkeypatch.setattr(plotlyjs, "BUNDLE", fake)
    assert plotlyjs.bundle_header() is None and not plotlyjs.uses_bundle()


@pytest.mark.browser
def test_the_bundle_draws_its_trace_types_and_a_missing_one_is_caught(browser, tmp_path):
    """Each of TRACES is drawn as itself; a heatmap, not in the bundle, is drawn as a scatter, and
    the check the browser tests run names it."""
    traces = {
        "bar": {"type": "bar", "x": ["a", "b"], "y": [1, 2]},
        "choropleth": {"type": "choropleth", "locations": ["KAZ", "TUR"], "z": [1, 2]},
        "scatter": {"type": "scatter", "x": [1, 2], "y": [1, 2]},
        "scattergeo": {"type": "scattergeo", "lon": [71.4, 32.9], "lat": [51.2, 39.9]},
        "violin": {"type": "violin", "y": [1, 2, 3, 4, 5]},
    }
    assert set(traces) == set(plotlyjs.TRACES)
    plots = {**traces, "heatmap": {"type": "heatmap", "z": [[1, 2], [3, 4]]}}
    divs = "".join(f'<div id="{name}" style="width:300px;height:200px"></div>' for name in plots)
    calls = "".join(
        f"Plotly.newPlot('{name}', [{json.dumps(trace)}], {{geo: {{resolution: 50}}}});"
        for name, trace in plots.items()
    )
    page_file = tmp_path / "traces.html"
    page_file.write_text(
        f"<!doctype html><meta charset='utf-8'><body>{divs}{basemap.preload_script()}"
        # the shipped bundle itself, whichever plotly.js the installed plotly would have used
        f"<script>{plotlyjs.BUNDLE.read_text(encoding='utf-8')}</script>"
        f"<script>{calls}</script></body>",
        encoding="utf-8",
    )
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(page_file.as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length === 6")
        drawn = page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')]"
            ".map(gd => [gd.id, gd._fullData[0].type]))"
        )
        assert drawn == {name: name for name in traces} | {"heatmap": "scatter"}
        assert unknown_traces(page) == ["heatmap"]
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []  # the maps' base map too
    finally:
        page.close()
