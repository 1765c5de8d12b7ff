"""The one-page summary in Turkish (``kopru plan --lang tr``, ``/api/runs/{id}/summary.pdf?lang=tr``).

Oracles: the Turkish catalog (every message the summary asks for, recorded at run time over the four
examples with and without a risk view, and every literal message of the code, read from each
module's syntax tree, has a translation); the English summary of the same plan (the same figures,
written the Turkish way: 28.7% is %28,7, 1,234 is 1.234); switching values written by hand; pypdf,
an independent reader, for the PDF.
"""

from __future__ import annotations

import ast
import html
import io
import re

import pytest
from babel.messages.pofile import read_po
from conftest import EXAMPLES, ROOT, recording_turkish
from pypdf import PdfReader

import kopru
from kopru import language as lang_module
from kopru.language import Words, catalog_path
from kopru.report.summary import build_summary, render_summary_html, write_summary_pdf
from kopru.report.views import as_risk_view
from kopru.switching import Switch, switch_change, switch_label

SRC = ROOT / "src" / "kopru"
NAMES = ("apparel", "appliances", "construction_materials", "food_processing")
# the modules whose sentences the summary writes, each asking through ``words(...)``
SENTENCES = (
    "report/summary.py",
    "switching.py",
    "borrowing.py",
    "planner.py",
    "datapack/labels.py",
    "datapack/freshness.py",
    "display.py",
)
TR = Words("tr")


def catalog():
    with catalog_path("tr").open("rb") as f:
        return read_po(f, locale="tr_TR")


@pytest.fixture(scope="module")
def summaries():
    """Every example's plan, its risk view, its English and Turkish summaries, and every message the
    Turkish ones asked the catalog for."""
    asked: set[str] = set()
    recording, original = recording_turkish(asked), lang_module.translations
    mp = pytest.MonkeyPatch()
    mp.setattr(lang_module, "translations", lambda lang: recording if lang == "tr" else original(lang))
    out = {}
    try:
        for name in NAMES:
            plan = kopru.plan(EXAMPLES / f"{name}.yaml")
            risk = as_risk_view(kopru.risk(EXAMPLES / f"{name}.yaml", samples=1000, seed=1))
            tr = [build_summary(plan, view, Words("tr")) for view in (None, risk)]
            out[name] = (plan, risk, build_summary(plan, risk), tr)
    finally:
        mp.undo()
    return out, asked


def test_every_message_the_turkish_summary_asks_for_is_translated(summaries):
    _, asked = summaries
    cat = catalog()
    assert len(asked) > 60
    assert sorted(m for m in asked if m and not (cat.get(m) and cat.get(m).string)) == []


def _messages(node: ast.AST) -> list[str]:
    """The literal messages of an argument: a string, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _messages(node.body) + _messages(node.orelse)
    return []


def test_every_message_the_summary_code_writes_is_translated():
    """Branches the examples do not reach (no route, an outlay-free plant, a pick that loses first
    place) included: the literal first argument of every ``words(...)`` call, and every ``message =``
    a call is then given, read from the modules' syntax trees."""
    wanted = set()
    for module in SENTENCES:
        for node in ast.walk(ast.parse((SRC / module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "words":
                wanted.update(_messages(node.args[0]) if node.args else [])
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "message" for t in node.targets
            ):
                wanted.update(_messages(node.value))
    cat = catalog()
    assert len(wanted) > 80
    assert sorted(m for m in wanted if m and not (cat.get(m) and cat.get(m).string)) == []


def test_every_word_a_sentence_looks_up_is_translated():
    """The words the sentences take from tables rather than from literals: quantities, modes, the
    risk engine's variables and site inputs, transit countries, the stressed inputs."""
    from kopru.borrowing import SITE_INPUTS
    from kopru.datapack.labels import MODE_NAMES, QUANTITY_LABELS
    from kopru.display import COUNTRY_NAMES, FIXED_SUBJECTS
    from kopru.switching import DEMAND_LABEL, LABELS, SITE_WORDS

    words = {*QUANTITY_LABELS.values(), *MODE_NAMES.values(), *LABELS.values(), *SITE_WORDS.values()}
    words |= {*COUNTRY_NAMES.values(), *FIXED_SUBJECTS.values(), DEMAND_LABEL}
    # the suffixes of the risk engine's variables (freight.sea, wait.port) and the stressed inputs
    words |= {"sea", "rail", "road", "ferry", "border", "port", *SITE_INPUTS, "land once the zone has ended"}
    cat = catalog()
    assert sorted(w for w in words if not (cat.get(w) and cat.get(w).string)) == []


def visible(page: str) -> str:
    page = re.sub(r"<style\b.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_turkish_summary_reads_in_turkish(summaries):
    """No sentence of kopru's own left in English (sites, plants, products and companies are the
    data's names, and units and currency codes are the same in both)."""
    out, _ = summaries
    english = [
        " a year",
        "below the best",
        "Main risks",
        "Produce at",
        "Switching values",
        "Investment case",
        "Borrowed and estimated",
        "Monte Carlo draws",
        "profit tax",
        "of its distribution",
        "As of",
        " units ",
    ]
    for name, (_, _, _, tr) in out.items():
        for summary in tr:
            page = render_summary_html(summary)
            assert '<html lang="tr">' in page
            text = visible(page)
            assert [e for e in english if e in text] == [], (name, text[:400])
            assert "Başlıca riskler" in text and "Yıllık maliyet (USD)" in text


def test_the_turkish_summary_has_the_english_figures_written_the_turkish_way(summaries):
    """The saving, the annual cost and the table's shares are the English summary's, with the
    decimal comma, the dot between thousands and the percent sign first."""
    out, _ = summaries
    for name, (plan, _, en, tr) in out.items():
        rec = plan.recommendation
        share = f"{abs(rec.saving_pct):.1%}"
        assert f"{share} below the best Turkish option" in en.sentence
        turkish_share = "%" + share.rstrip("%").replace(".", ",")
        assert f"{turkish_share} daha düşük" in tr[1].sentence, name
        total = f"{rec.total:,.0f}"
        assert f"yıllık maliyet {total.replace(',', '.')} USD" in tr[1].sentence
        for row_en, row_tr in zip(en.rows, tr[1].rows, strict=True):
            # the same site, named in Turkish where its English name has a regular form
            said = row_en.name.replace(" Region", " bölgesi").replace("(formerly ", "(eski adı ")
            assert row_tr.name == said and row_tr.country == row_en.country
            assert row_tr.total == row_en.total.replace(",", ".")
            if row_en.versus.endswith("%"):
                sign, number = row_en.versus[0], row_en.versus[1:-1]
                assert row_tr.versus == f"{sign}%{number.replace('.', ',')}"
        # as many risks, in the same order: the same checks said in the other language
        assert len(tr[1].risks) == len(en.risks)
        assert ("Monte Carlo" in tr[1].risks[0]) == ("Monte Carlo" in en.risks[0])


def _switch(**fields) -> Switch:
    base = dict(
        input="site.electricity",
        site="sez_turan",
        label="SEZ Turan's own electricity price",
        kind="factor",
        question="site",
        direction="up",
        value=1.855,
        change="+85.5 %",
        first="sez_qyzyljar",
        first_name="SEZ Qyzyljar",
        p_beyond=1e-5,
    )
    return Switch(**(base | fields))


@pytest.mark.parametrize(
    ("fields", "label", "change"),
    [
        ({}, "yalnızca SEZ Turan sahasındaki elektrik fiyatı", "+%85,5"),
        ({"value": 0.62, "change": "-38 %"}, "yalnızca SEZ Turan sahasındaki elektrik fiyatı", "-%38"),
        ({"value": 25.0, "change": "×25"}, "yalnızca SEZ Turan sahasındaki elektrik fiyatı", "×25"),
        (
            {"input": "fx.KZT", "site": None, "label": "KZT per USD", "value": 0.1596, "reference": 474.6},
            "1 USD karşılığı KZT",
            "474,6 yerine 75,75",
        ),
        (
            {"input": "wage_growth.TR", "site": None, "label": "wage growth in Türkiye", "kind": "rate"}
            | {"value": 0.523, "expected": 0.30},
            "ücret artışı (Türkiye)",
            "yıl içinde +%52,3 (beklenen +%30)",
        ),
        (
            {"input": "duty", "site": None, "label": "duties", "kind": "shift", "value": -12.25},
            "gümrük vergileri",
            "-12,2 puan",
        ),
        (
            {"input": "wait.port", "site": None, "label": "port waits", "value": 3.0},
            "liman beklemeleri",
            "+%200",
        ),
        (
            {"input": "capex", "label": "SEZ Turan's capex", "value": 1.2},
            "SEZ Turan sahasının yatırım harcaması",
            "+%20",
        ),
    ],
)
def test_a_switching_value_in_turkish(fields, label, change):
    """Written by hand: 474.6 × 0.1596 = 75.746; -12.25 points to three figures is -12.2 (the
    float's own value, 12.25 exactly, rounds half to even as Python's formatting does)."""
    s = _switch(**fields)
    assert switch_label(s, TR) == label
    assert switch_change(s, TR) == change


def test_the_switching_values_of_the_examples_keep_their_numbers_in_turkish(summaries):
    """Every switch of the four plans: the Turkish change holds the English one's numbers."""
    out, _ = summaries

    def numbers(text: str, decimal: str) -> list[float]:
        group = "," if decimal == "." else "."
        found = re.findall(r"\d[\d" + re.escape(group + decimal) + r"]*", text)
        return [float(n.replace(group, "").replace(decimal, ".")) for n in found]

    seen = 0
    for plan, *_ in out.values():
        for s in plan.switching.switches:
            english = numbers(s.change, ".")
            turkish = numbers(switch_change(s, TR), ",")
            if s.reference is not None:  # "at X instead of Y" / "Y yerine X"
                turkish = turkish[::-1]
            assert turkish == pytest.approx(english, rel=1e-9), (s.change, switch_change(s, TR))
            seen += 1
    assert seen > 10


def test_the_turkish_pdf_is_one_page_in_turkish(summaries, tmp_path):
    out, _ = summaries
    for name, (_, _, _, tr) in out.items():
        pdf = write_summary_pdf(tr[1], tmp_path / f"{name}.pdf")
        reader = PdfReader(io.BytesIO(pdf.read_bytes()))
        assert len(reader.pages) == 1
        text = " ".join(reader.pages[0].extract_text().split())
        assert "Başlıca riskler" in text and "Önerilen üretim yeri" in text and "Main risks" not in text


def test_cli_writes_the_turkish_summary_beside_the_english_and_refuses_another(cli, tmp_path):
    out = tmp_path / "out"
    example = EXAMPLES / "apparel.yaml"
    r = cli("plan", example, "--no-store", "--out", out, "--lang", "tr")
    assert r.code == 0, r.err
    assert (out / "summary.html").exists() and (out / "summary.pdf").exists()
    page = (out / "tr" / "summary.html").read_text(encoding="utf-8")
    assert '<html lang="tr">' in page and "Başlıca riskler" in page
    assert len(PdfReader(out / "tr" / "summary.pdf").pages) == 1
    assert "tr/summary.pdf" in " ".join(r.out.split()).replace(str(out) + "/", "")
    # a risk run into the same folder keeps the report's views: the Turkish summary is written again
    plan = kopru.plan(example)
    kopru.write_report(plan, out, risk=kopru.risk(example, samples=500, seed=2))
    assert "Monte Carlo senaryosunun" in (out / "tr" / "summary.html").read_text(encoding="utf-8")
    # a plan written without --lang leaves no Turkish summary of another plan behind
    assert cli("plan", example, "--no-store", "--out", out).code == 0
    assert not (out / "tr" / "summary.html").exists() and not (out / "tr" / "summary.pdf").exists()
    bad = cli("plan", example, "--no-store", "--out", out, "--lang", "de")
    assert bad.code == 2 and "language 'de' is not one kopru writes" in bad.err
    alone = cli("plan", example, "--no-store", "--lang", "tr")
    assert alone.code == 2 and "--lang writes the summary into the --out folder" in alone.err


def test_the_stress_test_in_turkish_when_the_pick_loses_first_place():
    """Written by hand from the messages: the raised values without their reasons (left to the
    report), the region's other sites, the lowered counts, who comes first and what alone suffices."""
    from kopru.borrowing import BorrowedStress, StressCase, StressedInput, describe

    raised = StressedInput(
        input="gas",
        quantity="gas_price_industrial",
        subject="Turkistan Region",
        value=53.61,
        stressed=79.98,
        unit="KZT/m3",
        basis="Turkistan Region's own estimate",
    )
    cases = [
        StressCase(
            inputs=["gas", "wage"], first="q", first_name="SEZ Q", holds=False, lead=-1234.5, saving_pct=0.382
        ),
        StressCase(inputs=["gas"], first="q", first_name="SEZ Q", holds=False, lead=-10.0, saving_pct=0.39),
        StressCase(inputs=["wage"], first="t", first_name="SEZ T", holds=True, lead=5.0, saving_pct=0.40),
    ]
    s = BorrowedStress(
        site="t",
        name="SEZ T",
        raised=[raised],
        lowered={"wage": 2, "gas": 36},
        cases=cases,
        holds=False,
        text="",
        raised_region=2,
    )
    assert describe(s, "USD", TR) == (
        "Başka bölgelerden aktarılan ve tahmini değerler en olumsuz uçlarında: SEZ T sahasının değerleri"
        " yükseltildi: doğalgaz 53,61 → 79,98 KZT/m3; bölgesindeki diğer 2 sahanın değerleri de yükseltildi;"
        " diğer sahaların değerleri düşürüldü: 2 sahada ücret ve 36 sahada doğalgaz. SEZ Q birinci olurdu,"
        " yılda 1.234 USD daha ucuz; SEZ T sahasının maliyeti ise Türkiye'deki en iyi seçenekten %38,2 daha"
        " düşük olurdu. Yalnızca doğalgaz (SEZ Q birinci) bile sonucu değiştirmeye yeterdi: önce bu rakamı"
        " doğrulayın. Her değerin neden bu kadar oynatıldığı: report.html."
    )
    # the English keeps each value's reason
    assert "(Turkistan Region's own estimate)" in describe(s, "USD")


def test_a_language_kopru_does_not_write_is_refused_before_anything_is_written(tmp_path):
    from kopru.errors import OptionError

    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    with pytest.raises(OptionError, match="language 'de' is not one kopru writes"):
        kopru.write_report(plan, tmp_path / "out", languages=["de"])
    assert not (tmp_path / "out").exists()
