"""The pages in headless Chromium (Debian's chromium) against a live server: they render, they work,
and the browser never requests anything outside 127.0.0.1. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_server import serving

from kopru.web import create_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving(create_app(token="")) as url:
        yield url


class Watched:
    """A page whose every request and script error is recorded."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # a 422 the page asked for (a validation message) is logged by Chromium; it is not a fault
        self.page.on(
            "console",
            lambda m: m.type == "error" and "Unprocessable" not in m.text and self.errors.append(m.text),
        )

    def check(self) -> None:
        assert not self.errors, self.errors
        outside = [
            u for u in self.requests if not u.startswith((self.base + "/", "data:", "blob:", "about:"))
        ]
        assert outside == [], f"requests outside the server: {outside}"

    def shot(self, name: str, **kw: Any) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), **kw)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any, base: str) -> Iterator[Watched]:
    w = Watched(browser, base)
    yield w
    w.close()


def test_plan_page_runs_an_example(watched: Watched) -> None:
    page = watched.page
    page.goto(watched.base + "/plan")
    page.wait_for_function("document.querySelector('[name=company]').value.length > 0")
    assert page.locator("#markets tbody tr").count() == 7  # the apparel example's markets
    page.click("#run-btn")
    page.wait_for_selector("#plan-map .main-svg", timeout=30_000)
    page.wait_for_selector("#cost-chart .main-svg")
    assert page.locator("#progress-text").inner_text() == "done"
    assert page.locator("#plan-map g.trace.scatter path.js-fill").count() >= 20  # region polygons
    assert page.locator("#plan-map g.points path.point").count() >= 30  # sites and markets
    assert page.locator("#cost-chart g.trace.bars path").count() >= 7 * 2
    assert page.locator("#ranking tbody tr").count() >= 30
    assert (
        "Produce at" in page.locator("#recommendation").inner_text()
        or "Keep" in page.locator("#recommendation").inner_text()
    )
    with page.expect_download() as dl:
        page.click("#dl-json")
    assert dl.value.suggested_filename == "plan.json"
    watched.shot("web-plan.png", full_page=True)
    page.evaluate("document.getElementById('results').scrollIntoView()")
    watched.shot("web-plan-result.png")
    watched.check()


def test_plan_page_shows_field_errors(watched: Watched) -> None:
    page = watched.page
    page.goto(watched.base + "/plan")
    page.wait_for_function("document.querySelector('[name=company]').value.length > 0")
    page.fill("[name=annual_volume]", "-5")
    page.fill("#markets tbody tr:nth-child(2) [data-m=demand]", "0")
    page.click("#check-btn")
    page.wait_for_selector("#form-errors:not([hidden])")
    assert "greater than 0" in page.locator("[name=annual_volume] + small.err").inner_text()
    assert "markets[1].demand" in page.locator("#form-errors").inner_text()
    assert page.locator("#markets tbody tr:nth-child(2) [data-m=demand].invalid").count() == 1
    watched.shot("web-plan-errors.png")
    watched.check()


def test_optimize_draws_flows_and_runs_compare(watched: Watched) -> None:
    page = watched.page
    page.goto(watched.base + "/plan")
    page.wait_for_function("document.querySelector('[name=company]').value.length > 0")
    page.select_option("#example", "food_processing")
    page.wait_for_function("document.querySelector('[name=company]').value.includes('Gıda')")
    page.check("#optimize")
    page.click("#run-btn")
    page.wait_for_selector("#network:not([hidden])", timeout=60_000)
    page.wait_for_selector("#plan-map .main-svg")
    assert page.locator("#network-open tbody tr").count() >= 1
    assert page.locator("#plan-map g.trace.scatter path.js-line").count() > 20  # flows over the regions
    watched.shot("web-plan-optimized.png", full_page=True)
    # Runs: this and earlier runs are listed; the two newest are ticked for comparison
    page.goto(watched.base + "/runs")
    page.wait_for_selector("#runs-table tbody input[type=checkbox]")
    assert page.locator("#runs-table tbody tr").count() >= 2
    page.click("#compare-btn")
    page.wait_for_selector("#compare-chart .main-svg")
    assert page.locator("#compare-cols .side").count() == 2
    assert page.locator("#compare-chart g.trace.bars path").count() >= 2
    watched.shot("web-runs.png", full_page=True)
    watched.check()


def test_sites_page_map_and_site_data(watched: Watched) -> None:
    page = watched.page
    page.goto(watched.base + "/sites")
    page.wait_for_selector("#sites-map .main-svg")
    assert page.locator("#sites-map g.trace.scatter path.js-fill").count() >= 20
    assert page.locator("#sites-map g.points path.point").count() >= 20 + 17 + 12
    # click a SEZ marker on the map (diamonds are the second group of site markers; where a zone
    # shares its city's coordinates the region centre may be the point picked: either is a site)
    point = page.locator("#sites-map g.trace.scatter").nth(-2).locator("path.point").first
    box = point.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # plotly's drag layer takes the events: click where the marker is drawn
    page.mouse.click(x, y)
    page.wait_for_function("document.querySelector('#site-detail h2').textContent !== 'Site data'")
    assert page.locator("#site-detail ul.sources li").count() >= 1
    assert page.locator("#site-detail table.params tbody tr.param").count() >= 1
    watched.shot("web-sites.png")
    page.select_option("#site-select", "TR-16")
    page.wait_for_selector("#site-detail h2:has-text('Bursa')")
    watched.check()


def test_api_docs_render_offline(watched: Watched) -> None:
    page = watched.page
    page.goto(watched.base + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() >= 15
    watched.shot("web-docs.png")
    watched.check()
