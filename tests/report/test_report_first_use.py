"""A first-time user's review (/tmp/review2): a pitch sheet opened on a phone was laid out 980 px wide
and shrunk to 40 % (no viewport meta); the match report read 'where the sources give none.Exports'."""

from __future__ import annotations

import html
import re

import pytest
from conftest import EXAMPLES

import kopru


@pytest.fixture(scope="module")
def match():
    return kopru.match(EXAMPLES / "match" / "pipeline.csv")


def _text(page: str) -> str:
    """The words a reader sees: without the embedded plotly.js, whose '<'s make tag stripping slow."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", " ", page)))


@pytest.mark.browser
def test_a_pitch_sheet_is_laid_out_for_a_phones_width(browser, match, tmp_path):
    """Oracle: Chromium emulating a phone lays the page out at the device's width (390 px) and at
    scale 1; the same sheet without its viewport meta is laid out at 980 px (the oracle's control)."""
    from kopru.report.portfolio import render_pitch_html

    sheet = render_pitch_html(match, 0)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in sheet
    bare = tmp_path / "bare.html"
    bare.write_text(
        sheet.replace('<meta name="viewport" content="width=device-width, initial-scale=1">', ""),
        encoding="utf-8",
    )
    path = tmp_path / "pitch.html"
    path.write_text(sheet, encoding="utf-8")
    phone = {"width": 390, "height": 844}
    context = browser.new_context(viewport=phone, is_mobile=True, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(bare.as_uri())
        assert page.evaluate("document.documentElement.clientWidth") > 390  # the review's 980 px
        page.goto(path.as_uri())
        assert page.evaluate("document.documentElement.clientWidth") == 390
        assert page.evaluate("window.visualViewport.scale") == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # a wide table scrolls in its box
        size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 12  # read at scale 1, not shrunk
    finally:
        context.close()


def test_the_match_report_keeps_the_space_after_the_estimates_sentence(match):
    from kopru.report.portfolio import render_match_html

    estimated = match.as_dict()["impact"]["estimated"]
    assert estimated["jobs"] or estimated["investment_usd"]  # the sentence is in this report
    text = _text(render_match_html(match, kopru.load_data()))
    assert "where the sources give none. Exports, value added" in text
    assert not re.search(r"[a-z]\.[A-Z][a-z]", text), re.findall(r"\S*[a-z]\.[A-Z][a-z]\S*", text)
