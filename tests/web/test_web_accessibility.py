"""Accessibility of the web app's pages, with their results drawn.

Oracle: axe-core (Deque's engine, bundled by axe-playwright-python), run in the page; and by hand
what axe cannot see: where the keyboard's focus goes after a run, and whether a field in error
says so to a screen reader (aria-invalid, its message as its description).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from web_server import serving

from kopru.web import create_app

pytestmark = pytest.mark.browser
AXE = Axe()


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving(create_app(token="")) as url:
        yield url


@pytest.fixture
def page(browser: Any, base: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.base = base
    yield page
    context.close()


def violations(page: Any) -> list[str]:
    """Every rule the page breaks, with the elements, as one line each."""
    found = AXE.run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:4]]}" for v in found]


def test_the_plan_page_before_and_after_a_run(page: Any) -> None:
    page.goto(page.base + "/plan")
    page.wait_for_function("document.querySelector('[name=company]').value.length > 0")
    assert violations(page) == []
    page.focus("#run-btn")
    page.keyboard.press("Enter")
    page.wait_for_selector("#plan-map[data-drawn='1']", timeout=60_000)
    page.wait_for_selector("#cost-chart[data-drawn='1']")
    # the run button was disabled under the focus: it goes to the result's heading, not the page
    assert page.evaluate("document.activeElement.closest('#results') !== null")
    assert page.evaluate("document.activeElement.tagName") == "H2"
    assert page.get_attribute("#progress-text", "role") == "status"
    # each chart is one named figure, not its svg layers read out
    assert page.get_attribute("#cost-chart", "role") == "figure"
    assert page.get_attribute("#cost-chart", "aria-label")
    assert violations(page) == []


def test_a_field_in_error_says_so_to_a_screen_reader(page: Any) -> None:
    page.goto(page.base + "/plan")
    page.wait_for_function("document.querySelector('[name=company]').value.length > 0")
    page.fill("[name=annual_volume]", "-5")
    page.click("#check-btn")
    page.wait_for_selector("#form-errors:not([hidden])")
    field = page.locator("[name=annual_volume]")
    assert field.get_attribute("aria-invalid") == "true"
    note = field.get_attribute("aria-describedby")
    assert note and "expected" in page.locator(f"#{note}").inner_text()
    assert page.get_attribute("#form-errors", "role") == "alert"
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert "Annual volume (units): expected more than 0" in page.locator("#form-errors").inner_text()
    # fixed and checked again: no longer in error
    page.fill("[name=annual_volume]", "3000000")
    page.click("#check-btn")
    page.wait_for_selector("#form-errors", state="hidden")
    assert field.get_attribute("aria-invalid") is None and field.get_attribute("aria-describedby") is None


@pytest.mark.parametrize("path", ["/sites", "/sites/sez_seaport_aktau", "/runs", "/compare", "/space"])
def test_the_other_pages(page: Any, path: str) -> None:
    page.goto(page.base + path)
    page.wait_for_load_state("networkidle")
    if path == "/sites":
        page.wait_for_selector("#sites-map[data-drawn='1']")
    if path.startswith("/sites/"):
        page.wait_for_selector("#site-profile[data-ready='1']")
    assert violations(page) == []


def test_the_space_and_match_pages_with_their_results(page: Any) -> None:
    page.goto(page.base + "/space")
    page.fill("#sp-days", "2")
    page.click("#sp-run")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    assert page.evaluate("document.activeElement.closest('#sp-result') !== null")
    page.click("#ps-run")  # and the pass list under them
    page.wait_for_selector("body[data-passes='1']", timeout=60_000)
    assert violations(page) == []
    page.goto(page.base + "/match")
    page.click("#match-btn")
    page.wait_for_selector("#match-map[data-drawn='1']", timeout=90_000)
    assert page.evaluate("document.activeElement.closest('#match-results') !== null")
    # the tables in scrolling boxes are reachable from the keyboard and named
    boxes = page.locator("#match-results .table-wrap.scroll")
    assert boxes.count() >= 2
    assert all(boxes.nth(i).get_attribute("tabindex") == "0" for i in range(boxes.count()))
    assert all(boxes.nth(i).get_attribute("aria-label") for i in range(boxes.count()))
    assert violations(page) == []
