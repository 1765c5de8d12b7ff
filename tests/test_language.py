"""Languages of kopru's documents (kopru.language) and the Turkish pitch sheets.

Oracles: Babel's own catalog checks (placeholders of every translation against its message),
Babel's extractors for the messages the template and the code ask for, a translator that records
every message the Turkish sheets request and the catalog lacks, and numbers written by hand in
each language's conventions (CLDR: 1.234,5 and %36,4 in Turkish).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from conftest import recording_turkish
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.ext import babel_extract

from kopru import api
from kopru import language as lang_module
from kopru.errors import OptionError
from kopru.language import Words, catalog_path, check_language
from kopru.report import portfolio

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "kopru"
PIPELINE = ROOT / "examples" / "match" / "pipeline.csv"


def catalog():
    with catalog_path("tr").open("rb") as f:
        return read_po(f, locale="tr_TR")


def test_numbers_as_each_language_writes_them():
    en, tr = Words("en"), Words("tr")
    assert en.number(1234567.891, 2) == "1,234,567.89" and tr.number(1234567.891, 2) == "1.234.567,89"
    assert en.share(0.364, 1) == "36.4%" and tr.share(0.364, 1) == "%36,4"
    assert en.share(0.1, 0) == "10%" and tr.share(0.1, 0) == "%10"
    assert tr.signed(-0.2041, 3) == "-0,204" and tr.signed(0.0131, 3) == "+0,013"
    # the float's own value is rounded, as Python's formatting does (2.85 is 2.850000000000000088...)
    assert en.number(2.85, 1) == f"{2.85:.1f}" == "2.9"


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.floats(-50, 50, allow_nan=False),
        st.integers(-20_000, 20_000).map(lambda k: k / 20_000),  # a share of samples: ties at k/n
        st.integers(-1_000, 1_000).map(lambda k: k / 1_000),
    ),
    st.sampled_from([1e-7, 1e-3, 1.0, 1e3, 1e7]),
)
def test_english_numbers_are_pythons_own(value, scale):
    """English documents were written with f-strings; Words("en") must write the same characters
    (ties at k/n samples, small negatives, shares over 1,000 %, values too small for four figures)."""
    en = Words("en")
    for digits in (0, 1):
        assert en.share(value, digits) == f"{value:.{digits}%}"
    assert en.signed_share(value, 1) == f"{value:+.1%}"
    assert en.number(value * scale) == f"{value * scale:,.0f}"
    assert en.number(value * scale, 2) == f"{value * scale:,.2f}"
    assert en.significant(value * scale, 4) == f"{value * scale:,.4g}"
    assert en.signed_figures(value, 3) == f"{value * 100:+.3g}%"


def test_an_unknown_language_is_refused_in_words():
    with pytest.raises(OptionError, match="language 'de' is not one kopru writes; use one of en"):
        check_language("de")


def test_every_translation_keeps_its_messages_placeholders():
    """Babel's checker: a translation missing or adding a %(name)s would fail at run time. Only
    messages with named placeholders are formatted (a word from data such as "CIT -100 % up to 10
    years" is looked up, never formatted, though Babel takes its "% u" for a placeholder)."""
    cat = catalog()

    def formatted(m) -> bool:
        return "%(" in (m.id if isinstance(m.id, str) else m.id[0])

    problems = [(m.id, [str(e) for e in errors]) for m, errors in cat.check() if errors and formatted(m)]
    assert sum(formatted(m) for m in cat) > 20
    assert problems == []
    assert not any(m.fuzzy for m in cat if m.id)


def test_every_message_of_the_template_and_the_code_is_translated():
    """The messages Babel extracts from the pitch template (``_``) and from the sentences the
    matchmaking code writes (``w(...)``, ``w.plural(...)``) all have a Turkish translation."""
    wanted = set()
    with open(SRC / "report" / "templates" / "pitch.html.j2", "rb") as f:
        for _, _, message, _ in babel_extract(f, ("_",), [], {}):
            wanted.add(message if isinstance(message, str) else message[0])
    with open(SRC / "matchmaking" / "portfolio.py", "rb") as f:
        for _, message, _, _ in extract("python", f, keywords={"w": None, "plural": (1, 2)}):
            wanted.add(message if isinstance(message, str) else message[0])
    cat = catalog()
    assert len(wanted) > 50
    missing = sorted(m for m in wanted if not (cat.get(m) and (cat.get(m).string or "")))
    assert missing == []


@pytest.fixture(scope="module")
def requested(monkeypatch_module):
    """Every message the Turkish pitch sheets of the example pipeline ask for, run four ways (as
    is, with plants already operating placed, under a small incentive budget, with a high hurdle)
    so that every reason for leaving an enterprise out is written; and the sheets."""
    asked: set[str] = set()
    recording = recording_turkish(asked)
    original = lang_module.translations
    monkeypatch_module.setattr(
        lang_module, "translations", lambda lang: recording if lang == "tr" else original(lang)
    )
    portfolio._pitch_template.cache_clear()
    sheets = []
    for options in ({}, {"include_operating": True}, {"max_incentive_cost": 1e5}, {"hurdle_pct": 60}):
        result = api.match(PIPELINE, **options)
        sheets += [portfolio.render_pitch_html(result, e, "tr") for e in range(len(result.pipeline.ids))]
    portfolio._pitch_template.cache_clear()
    return asked, sheets


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_every_message_the_turkish_sheets_ask_for_is_translated(requested):
    """Words from data (markets, incentives, sectors, statuses, products, units) included."""
    asked, _ = requested
    cat = catalog()
    untranslated = sorted(m for m in asked if m and not (cat.get(m) and cat.get(m).string))
    assert untranslated == []


def visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)  # source ids
    page = re.sub(r"<cite>.*?</cite>", " ", page, flags=re.S)  # sources' own titles
    page = page.split("Kaynak (yatırım tanıtım ekibi için)")[0]  # the research note stays as written
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_turkish_sheets_read_in_turkish(requested):
    """No English sentence of kopru's own is left (zone, company and place names are proper names,
    legal citations stay as enacted), and numbers are written the Turkish way."""
    _, sheets = requested
    english = [" a year", "landed cost", "Best zones", " against ", "Pitch to", "Not placed", " saves "]
    for page in sheets:
        text = visible_text(page)
        assert not [e for e in english if e in text], text[:300]
        assert '<html lang="tr">' in page
    placed = [p for p in sheets if 'id="pitch">Önerilen bölge' in p]
    assert placed
    assert re.search(r"%\d+,\d daha düşük", visible_text(placed[0]))
    assert re.search(r"yılda \d{1,3}(\.\d{3})+ USD tasarruf", visible_text(placed[0]))


def test_cli_writes_turkish_sheets_beside_the_english_and_refuses_another(tmp_path, cli):
    out = tmp_path / "out"
    r = cli("match", str(PIPELINE), "--no-store", "--out", str(out), "--lang", "tr")
    assert r.code == 0, r.err
    english = sorted(p.name for p in (out / "pitch").glob("*.html"))
    turkish = sorted(p.name for p in (out / "pitch" / "tr").glob("*.html"))
    assert english and english == turkish
    assert "(English, Türkçe)" in " ".join(r.out.split())
    report = (out / "report.html").read_text(encoding="utf-8")
    assert 'hreflang="tr">TR</a>' in report
    # without --lang the Turkish sheets of the earlier run go: they would be out of date
    assert cli("match", str(PIPELINE), "--no-store", "--out", str(out)).code == 0
    assert not list((out / "pitch" / "tr").glob("*.html"))
    bad = cli("match", str(PIPELINE), "--no-store", "--lang", "de")
    assert bad.code == 2 and "language 'de' is not one kopru writes" in bad.err


def test_turkish_pitch_reads_as_a_turkish_reader_expects():
    """A Turkish-speaking review: the estimate note ran into the category ("A)şablondan"), headings
    were word-for-word ("Bir bakışta X"), and a machine's cost per unit had three decimals."""
    result = api.match(PIPELINE)
    ids = list(result.pipeline.ids)
    afko = portfolio.render_pitch_html(result, ids.index("afko_atyrau"), "tr")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", afko))
    assert ")şablondan" not in text and "kategorisi A) " in text
    assert ": genel bakış" in afko and "Bir bakışta" not in afko
    assert "Pazarlara giden güzergâhlar" in afko
    costs = afko.split('id="components"')[1].split("</table>")[0]
    assert not re.search(r"\d,\d{3}<", costs)  # no thousandths on a cost of thousands of USD


def test_a_pitch_sheet_names_its_sources_not_their_ids():
    """A Turkish-speaking review: the sheets cited "sez_law_242vi; sez_investgov_benefits" where the
    English report names the documents. Oracle: the data pack's sources table."""
    result = api.match(PIPELINE)
    pack = api.load_data()
    pages = (portfolio.render_pitch_html(result, i, "tr") for i in range(len(result.pipeline.ids)))
    page = next(p for p in pages if 'id="incentives"' in p)
    cells = page.split('id="incentives"')[1].split("</table>")[0]
    cited = re.findall(r"<cite>(.*?)</cite>", cells, flags=re.S)
    assert cited and "<code>" not in cells
    titles = set(pack.sources["title"])
    texts = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in cited]
    assert all(any(t.startswith(title + " (") for title in titles) for t in texts), texts


def test_every_message_of_the_sweep_pack_is_translated():
    """The sweep pack's page (``w(...)`` in sweep.html.j2) and its code (``w(...)`` in
    kopru.report.sweep, and the shortcut phrases it looks up) have a Turkish translation each."""
    from kopru.report.sweep import SHORTCUT_WORDS

    wanted = set(SHORTCUT_WORDS.values())
    with open(SRC / "report" / "templates" / "sweep.html.j2", "rb") as f:
        for _, _, message, _ in babel_extract(f, ("w",), [], {}):
            wanted.add(message if isinstance(message, str) else message[0])
    with open(SRC / "report" / "sweep.py", "rb") as f:
        for _, message, _, _ in extract("python", f, keywords={"w": None}):
            wanted.add(message if isinstance(message, str) else message[0])
    cat = catalog()
    assert len(wanted) > 35
    missing = sorted(m for m in wanted if not (cat.get(m) and (cat.get(m).string or "")))
    assert missing == []
