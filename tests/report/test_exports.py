"""What a manager forwards: plan.xlsx and the one-page summary.

Oracles: the workbook read back with openpyxl (sheets, headers with units, the ranking and totals
of plan.json, names not ids); the PDF's page count read with pypdf, an independent reader; the
HTML summary printed by headless Chromium and its pages counted the same way; id patterns searched
in everything a person reads.
"""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from conftest import EXAMPLES
from pypdf import PdfReader

import kopru
from kopru.costs import component_label
from kopru.datapack.labels import quantity_label

# what a site, market or plant id looks like: sez_turan, mkt_RU, plant_TR-20, KZ-75, TR-16
ID = re.compile(r"\b(sez_[a-z_]+|mkt_[A-Z]{2}|plant_TR-\d\d|KZ-\d\d|TR-\d\d|iz_[a-z_]+)\b")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    risk = kopru.risk(EXAMPLES / "apparel.yaml", samples=2000, seed=3)
    kopru.write_report(plan, out, risk=risk)
    return out, plan


def test_the_workbook_has_a_sheet_per_question_with_units(folder):
    out, plan = folder
    book = openpyxl.load_workbook(out / "plan.xlsx")
    assert book.sheetnames == [
        "Summary",
        "Ranking",
        "Costs",
        "By market",
        "Routes",
        "Incentives",
        "Cash flows",
        "Switching values",
        "Tornado",
        "Two-way",
        "Two-way, which site",
        "Risk",
        "Inputs",
        "Sources",
    ]
    ranking = book["Ranking"]
    headers = [c.value for c in ranking[1]]
    assert "Annual landed cost (USD/yr)" in headers and "Cost per unit (USD)" in headers
    rows = list(ranking.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [plan.site(s).name for s in plan.ranking]
    assert rows[0][4] == pytest.approx(plan.recommendation.total)
    assert ranking["E2"].number_format == "#,##0" and ranking.freeze_panes == "B2"
    costs = [c.value for c in book["Costs"][1]]
    assert costs[2:9] == [f"{component_label(c).capitalize()} (USD/yr)" for c in plan.components]
    assert costs[8] == "Capital, fixed costs and land (USD/yr)"  # CFO review: 'Capital' held fixed costs too
    first = next(book["Costs"].iter_rows(min_row=2, values_only=True))
    assert sum(first[2:9]) == pytest.approx(first[10], rel=1e-9)  # components add up to the total
    assert 0 < first[9] <= first[7]  # the profit tax is part of the taxes
    risk = [c.value for c in book["Risk"][1]]
    assert risk[:2] == ["Site", "Mean (USD/yr)"] and "P(best) (%)" in risk
    legs = list(book["Routes"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert legs[0][3] and not ID.search(str(legs[0][3]))  # the leg's ends are named


def test_the_cash_flows_sheet_holds_what_the_npv_is_made_of(folder):
    """CFO review: NPVs of 64 M on 6 M of capex with no cash flows to audit. Oracle: the sheet's free
    cash flows discounted at the WACC give the plan's NPV; each year's parts add up to its free flow."""
    out, plan = folder
    rec = plan.site(plan.recommendation.site)
    rows = [
        r
        for r in openpyxl.load_workbook(out / "plan.xlsx")["Cash flows"].iter_rows(
            min_row=2, values_only=True
        )
    ]
    mine = [r for r in rows if r[0] == rec.name]
    wacc = rec.appraisal.wacc
    assert sum(r[8] / (1 + wacc) ** r[1] for r in mine) == pytest.approx(rec.appraisal.npv, rel=1e-9)
    for _, _, revenue, operating, tax, capex, wc, terminal, free in mine:
        assert revenue - operating - tax - capex - wc + terminal == pytest.approx(free, abs=0.02)  # cents
    assert {r[0] for r in rows} == {rec.name, plan.site(plan.recommendation.baseline_site).name}
    summary = {
        r[0]: r[1] for r in openpyxl.load_workbook(out / "plan.xlsx")["Summary"].iter_rows(values_only=True)
    }
    assert summary["Saving against it, before profit tax"] == pytest.approx(
        plan.recommendation.saving_pct_before_profit_tax
    )


def test_no_id_where_a_person_reads_the_workbook(folder):
    out, _ = folder
    book = openpyxl.load_workbook(out / "plan.xlsx")
    for sheet in ("Ranking", "Costs", "By market", "Routes", "Incentives", "Risk", "Inputs"):
        ws = book[sheet]
        for name in ("Site", "Market", "Whose value"):
            headers = [c.value for c in ws[1]]
            if name not in headers:
                continue
            j = headers.index(name)
            found = [
                r[j] for r in ws.iter_rows(min_row=2, values_only=True) if r[j] and ID.fullmatch(str(r[j]))
            ]
            assert not found, (sheet, name, found[:3])


def test_the_inputs_sheet_names_quantities_and_the_exchange_rates(folder):
    out, plan = folder
    rows = list(openpyxl.load_workbook(out / "plan.xlsx")["Inputs"].iter_rows(min_row=2, values_only=True))
    quantities = {r[1] for r in rows}
    assert (
        "average monthly nominal gross wage, all sectors" in quantities
        and "wage_monthly_avg" not in quantities
    )
    rates = {r[5]: r[2] for r in rows if r[0] == "every site"}
    assert rates.keys() >= {"KZT", "TRY", "EUR"}
    assert rates["KZT"] == next(r.value for r in plan.exchange_rates if r.subject == "KZT")
    # each money input also as costed (USD of the rates' year), beside its own currency and year
    best = plan.site(plan.recommendation.site)
    wage = next(r for r in rows if r[0] == best.name and r[4] == best.inputs["wage"].year and "wage" in r[1])
    assert (wage[9], wage[10]) == (pytest.approx(best.inputs["wage"].costed), "USD/month")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "as costed (USD)</th>" in page and f"{best.inputs['wage'].costed:,.6g} USD/month" in page


def test_the_summary_says_what_the_saving_rests_on(folder):
    """The Turkish baseline's expansion, the exchange rates, every borrowed input of the recommended
    site and the zones whose incentives are assumed are all on the page a manager forwards."""
    out, plan = folder
    text = " ".join(re.sub(r"<[^>]+>", " ", (out / "summary.html").read_text(encoding="utf-8")).split())
    base = plan.site(plan.recommendation.baseline_site)
    lc = base.landed_cost  # the apparel plant makes 1.2 of 3.0 M and is costed with 1.8 M more
    assert (lc.capacity, lc.expansion, lc.units, lc.utilisation) == (3_000_000, 1_800_000, 3_000_000, 1.0)
    assert "can make 1,200,000 of the 3,000,000 units" in text
    assert "an expansion of 3,600,000 USD" in text  # 6 M capex x 1.8 / 3.0, by hand
    # each rate says it is a mean of 2026 so far, not a spot rate
    to_date = r"\(mean of 2026 to date\)"
    assert re.search(rf"per USD: EUR [\d.]+ {to_date}, KZT [\d.]+ {to_date}, TRY [\d.]+ {to_date}", text)
    best = plan.site(plan.recommendation.site)
    borrowed = [
        q
        for q, p in best.inputs.items()
        if p.assumption or p.subject not in (best.id, best.region, best.country)
    ]
    assert f"{len(borrowed)} of the {len(best.inputs)} inputs" in text
    # every one named by what it is, none cut off (a CFO review: "wage growth nominal" read as an id)
    assert all(quantity_label(q) in text for q in borrowed)
    assert not any(q in text for q in borrowed if "_" in q)
    assumed = [
        plan.site(s).name
        for s in plan.ranking[:5]
        if any("assumed to apply" in n for n in plan.site(s).notes)
    ]
    for name in assumed:
        assert f"{name} *" in text
    if assumed:  # the asterisk is explained under the table, whatever else the page holds
        assert "* SEZ incentives counted without the product confirmed" in text
        assert text.index("* SEZ incentives") < text.index("Main risks")


def test_the_summary_says_how_much_of_the_saving_is_profit_tax(folder):
    """A CFO review: half of apparel's saving is the zone's corporate income tax exemption, an
    assumption for 2026; the page said so only as 'corporate income tax' in a list. Oracle: the
    plan's own profit tax of the two sites."""
    out, plan = folder
    text = " ".join(re.sub(r"<[^>]+>", " ", (out / "summary.html").read_text(encoding="utf-8")).split())
    rec = plan.recommendation
    best, base = plan.site(rec.site), plan.site(rec.baseline_site)
    gap = base.landed_cost.profit_tax - best.landed_cost.profit_tax
    saving = rec.baseline_total - best.landed_cost.total
    assert gap > 0.2 * saving
    assert f"{gap:,.0f} of the {saving:,.0f} USD a year saved is profit tax" in text
    assert best.inputs["corporate_income_tax"].assumption and "is an assumption" in text
    # and what the pick costs without its unconfirmed incentives, under the table
    region = plan.site(best.region)
    assert f"Without them {best.name} costs what {region.name} does, {region.landed_cost.total:,.0f}" in text


def test_the_summary_pdf_is_one_page_with_names(folder):
    out, plan = folder
    reader = PdfReader(io.BytesIO((out / "summary.pdf").read_bytes()))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert plan.recommendation.name.split(" (")[0] in text
    assert "Main risks" in text and "Monte Carlo draws" in text and "As of" in text
    assert "Türkiye" in text  # the shipped font draws Turkish letters
    assert not ID.search(text), ID.search(text)


def test_the_summary_names_the_top_five_and_the_baseline(folder):
    out, plan = folder
    html = (out / "summary.html").read_text(encoding="utf-8")
    for sid in plan.ranking[:5]:
        assert plan.site(sid).name.replace("&", "&amp;") in html
    assert plan.site(plan.recommendation.baseline_site).name in html
    assert not ID.search(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.browser
def test_the_summary_html_prints_to_one_page(folder, browser):
    out, _ = folder
    page = browser.new_page()
    page.goto((out / "summary.html").as_uri())
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    page.close()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_cli_plan_out_writes_the_exports(cli, tmp_path):
    r = cli("plan", EXAMPLES / "appliances.yaml", "--out", tmp_path, "--no-store")
    assert r.code == 0, r.err
    for name in ("plan.json", "report.html", "plan.xlsx", "summary.pdf", "summary.html"):
        assert (tmp_path / name).stat().st_size > 1000, name
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert len(PdfReader(tmp_path / "summary.pdf").pages) == 1
    assert (
        openpyxl.load_workbook(tmp_path / "plan.xlsx")["Ranking"]["B2"].value
        == plan["recommendation"]["name"]
    )


def test_the_pdf_keeps_the_subtitle_on_the_page(tmp_path):
    """The title's cell once left the cursor at the right margin, pushing the subtitle off the page:
    pypdf must read it whole, with the plant's size and the units sold."""
    from kopru.report.summary import build_summary, write_summary_pdf

    plan = kopru.plan(EXAMPLES / "appliances.yaml")
    pdf = write_summary_pdf(build_summary(plan), tmp_path / "summary.pdf")
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "HS 8418 · plant of 250,000 units a year, 233,000 sold" in text
    assert "9 markets · USD" in text


def test_the_summary_qualifies_a_pick_the_borrowed_values_overturn():
    """CFO review: the one-pager said 'Produce at SEZ Turan' without qualification while the stress
    test put SEZ Saryarka first; the baseline's own routes through Russia went unmentioned; there was
    no investment case. Oracle: the plan's own stress case and routes."""
    from kopru.report.summary import build_summary

    plan = kopru.plan(EXAMPLES / "construction_materials.yaml")
    stress = plan.borrowed_stress
    assert stress is not None and not stress.holds
    s = build_summary(plan)
    assert s.sentence.endswith(
        f"at their unfavourable end, {stress.cases[0].first_name} would come first instead."
    )
    # ... and so does the recommendation every other document shows (second CFO review)
    assert f"{stress.cases[0].first_name} would come first instead" in plan.recommendation.text.split(". ")[0]
    # every incentive's source is in the plan's list, so the report names its publisher
    cited = {i for s in plan.sites for inc in s.incentives for i in inc.source.split(";") if i}
    assert cited <= {src["id"] for src in plan.sources}
    assert s.risks[0] == stress.text  # what overturns the pick comes first
    base = plan.site(plan.recommendation.baseline_site)
    if any(mc.restricted_transit for mc in base.by_market.values()):
        assert any(r.startswith(f"The Turkish baseline, {base.name}, is exposed too") for r in s.risks)
    a = plan.site(plan.recommendation.site).appraisal
    assert s.investment.startswith(
        f"Investment case: {sum(a.cash_flows.capex):,.0f} USD of capex; NPV {a.npv:,.0f}"
    )
    assert "years after construction" in s.investment


def test_a_capped_tax_reduction_shows_the_years_it_runs():
    """CFO review: Gaziantep's tax reduction showed '10 years' while its cap ended it in year 2. Oracle:
    the appraisal's own cash flows, where the site pays its full profit tax once the cap is used up."""
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    rows = [i for i in plan.site("TR-27").incentives if i.status == "applied" and "Capped at" in i.note]
    assert rows
    for i in rows:
        assert i.years is not None and i.years < 10
        assert f"the cap is reached after {i.years:.1f} of its 10 years" in i.note
    # the appraisal pays the full tax from the third year (the first two ramp up), not after ten
    taxes = plan.site("TR-27").appraisal.cash_flows.tax
    assert next(y for y, t in enumerate(taxes) if t >= 0.999 * max(taxes)) == 3


def test_the_investment_line_of_an_existing_plant_says_there_is_nothing_to_pay_back():
    """Review: with the existing plant as the pick, the line read '0 USD of capex; IRR —; simple
    payback never'. Oracle: the plant's own appraisal (no outlay) and its NPV."""
    import yaml

    from kopru.report.summary import build_summary

    data = yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))
    data["candidates"] = {"kz_regions": False, "sez": False}
    data["annual_volume"] = 1_000_000  # the existing plant's 1.2 M a year suffice
    data["markets"] = [{"id": "mkt_TR", "demand": 1_000_000, "price": 6.8}]
    plan = kopru.plan(data)
    site = plan.site(plan.recommendation.site)
    assert site.existing and not site.appraisal.outlay
    line = build_summary(plan).investment
    assert line.startswith(f"Investment case: no outlay to pay back; NPV {site.appraisal.npv:,.0f} USD")
    assert "never" not in line and "IRR" not in line


def test_an_optimized_plan_adds_the_network_and_its_marginal_values(tmp_path):
    """Read back with openpyxl: the flows sum to the network's total with the open sites' fixed
    costs, and each market's next unit is the plan.json value, by name."""
    plan = kopru.optimize(EXAMPLES / "food_processing.yaml", sensitivity=False)
    kopru.write_report(plan, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert book.sheetnames.index("Network") < book.sheetnames.index("Marginal values")
    net = [r for r in book["Network"].iter_rows(min_row=2, values_only=True) if r[1] is not None]
    fixed = {r[0]: r[3] for r in net}
    assert sum(fixed.values()) + sum(r[7] for r in net) == pytest.approx(plan.network.objective, rel=1e-9)
    rows = {r[0]: r for r in book["Marginal values"].iter_rows(min_row=2, values_only=True)}
    for m in plan.network.marginals.markets:
        assert rows[m.name][2] == pytest.approx(m.cost) and rows[m.name][7] == pytest.approx(m.margin)
    for sheet in ("Network", "Marginal values"):
        cells = [str(v) for r in book[sheet].iter_rows(values_only=True) for v in r if v is not None]
        assert not [c for c in cells if ID.search(c)], sheet


def test_notes_sit_under_a_sheet_outside_its_filter(folder):
    """Sorting a filtered sheet must not mix its notes into the data: the filter ends at the last
    data row, and each note is in column A after a blank row."""
    out, plan = folder
    book = openpyxl.load_workbook(out / "plan.xlsx")
    for sheet in ("Risk", "Switching values", "Tornado", "Two-way", "Two-way, which site"):
        ws = book[sheet]
        last = int(ws.auto_filter.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        assert all(c.value is None for c in ws[last + 1]), sheet
        notes = [ws.cell(r, 1).value for r in range(last + 2, ws.max_row + 1)]
        assert notes and all(isinstance(n, str) and n for n in notes), sheet
    tornado = book["Tornado"]
    assert len(
        list(tornado.iter_rows(min_row=2, max_row=int(tornado.auto_filter.ref.split(":")[1][1:])))
    ) == len(plan.switching.swings)
    # each input says what its percentiles are (a CFO review: multipliers, growth rates and duty
    # points shared one unlabelled column)
    header = [c.value for c in tornado[1]]
    kinds = {
        r[header.index("What its percentiles are")] for r in tornado.iter_rows(min_row=2, values_only=True)
    }
    want = {
        {
            "factor": "a multiple of the data pack's value (1 = unchanged)",
            "rate": "a growth over the year (0.10 = 10 %)",
        }.get(s.kind, "a change in percentage points")
        for s in plan.switching.swings
    }
    assert want <= kinds and len(want) >= 2


def test_the_workbook_says_an_expanded_plant_is_costed_with_its_expansion(folder):
    """A CFO review: the Costs sheet's header said an expanded plant shows above 100 %, but its
    capacity includes the expansion (Denizli: 1.2 M + 1.8 M = 3.0 M, 100 %)."""
    out, plan = folder
    rows = list(openpyxl.load_workbook(out / "plan.xlsx")["Costs"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and "Units sold / capacity" in " ".join(map(str, r)))
    cols = list(rows[at])
    denizli = plan.site(plan.recommendation.baseline_site)
    row = next(r for r in rows[at + 1 :] if r and r[0] == denizli.name)
    assert row[cols.index("Expansion of an existing plant (units a year)")] == 1_800_000
    assert row[next(i for i, c in enumerate(cols) if c and str(c).startswith("Units sold / capacity"))] == 1.0
    assert "above 100" not in " ".join(str(c) for c in cols)


def test_a_saving_that_is_all_profit_tax_is_said_so():
    """Diff review: with the tenge at 90 per USD (80 before Kazakh plants took 1.2 times a Turkish
    plant's hours) the pick is dearer before tax and wins on profit tax alone; the line read
    "3,941,437 of the 1,041,180 USD a year saved is profit tax". Oracle: the plan's own profit tax
    and totals."""
    from kopru.report.summary import main_risks

    plan = kopru.plan(EXAMPLES / "construction_materials.yaml", overrides={"KZT.fx_per_usd": 90})
    rec = plan.recommendation
    best, base = plan.site(rec.site), plan.site(rec.baseline_site)
    gap = base.landed_cost.profit_tax - best.landed_cost.profit_tax
    saving = rec.baseline_total - best.landed_cost.total
    assert gap > saving > 0
    line = next(r for r in main_risks(plan) if "profit tax" in r)
    assert line.startswith(f"All of the {saving:,.0f} USD a year saved is profit tax")
    assert f"costs {gap - saving:,.0f} USD a year more than {base.name}" in line
    assert f"{saving:,.0f} USD a year saved is profit tax" in line and f"{gap:,.0f} of the" not in line


def test_the_one_page_summary_never_leaves_out_a_route_through_a_sanctioned_country():
    """A CLI review: the summary's six risks were the first six, so a risk run's Monte Carlo line
    pushed 'pass through Russia' off the page, and the apparel baseline's routes through Iran were
    never said. Oracle: the full list (main_risks), the cap and the plan's own restricted routes."""
    from kopru.report.summary import MAX_RISKS, main_risks, page_risks

    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    risk = {"p_recommendation_changes": 0.15, "samples": 5000, "sites": []}
    every, page = main_risks(plan, risk), page_risks(plan, risk)
    sanctions = [r for r in every if "under sanctions or transit restrictions" in r]
    assert len(sanctions) == 1 and len(every) > MAX_RISKS  # the pick's routes through Russia and
    assert "the Turkish baseline, Denizli plant (existing), is exposed too" in sanctions[0]  # Denizli's
    assert "pass through Iran and Russia" in sanctions[0]
    assert sanctions[0] in page and len(page) == MAX_RISKS
    assert [r for r in every if r in page] == page  # in their order, the last others giving way
    assert page[0].startswith("In 5,000 Monte Carlo draws")


def test_the_report_links_every_file_beside_it_and_each_link_is_there(tmp_path):
    """A reader of report.html did not learn that the one-page summary, the workbook or the Turkish
    summary were in the same folder. Oracle: the folder's own files."""

    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    written = kopru.write_report(plan, tmp_path, languages=["tr"])
    html = written.report_html.read_text(encoding="utf-8")
    links = dict(
        re.findall(r'<a href="([^"#:]+)"[^>]*>([^<]+)</a>', html.split('id="files"')[1].split("</p>")[0])
    )
    assert links == {
        "summary.pdf": "one-page summary (PDF)",
        "summary.html": "one-page summary (HTML)",
        "plan.xlsx": "workbook (Excel)",
        "plan.json": "plan.json",
        "tr/summary.pdf": "one-page summary in Turkish (PDF)",
        "tr/summary.html": "one-page summary in Turkish (HTML)",
    }
    assert all((tmp_path / href).is_file() for href in links)


def test_the_investment_line_gives_the_moves_own_return_and_what_closing_is_not_counted():
    """A manufacturer's review: the summary led with the standalone IRR (147 %) and payback (1.0
    years) as if every sale were new, and said only in the optimizer's output that closing Denizli
    (severance, write-offs) is not modelled. Oracle: the recommended site's appraisal against the
    baseline, as plan.json carries it."""
    from kopru.report.summary import build_summary

    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    move = plan.site(plan.recommendation.site).appraisal.vs_baseline
    base = plan.site(plan.recommendation.baseline_site)
    assert base.existing and move.outlay
    line = build_summary(plan).investment
    assert (
        f"moving from {base.name} is worth {move.npv:,.0f} USD (its IRR {move.irr:.1%},"
        f" payback {move.payback_years:.1f} years)"
    ) in line
    assert line.endswith(f"; not counted: the costs of closing {base.name}.")


def test_the_longest_turkish_summary_prints_to_one_page(tmp_path, browser):
    """The Turkish wording runs about a fifth longer: the food example's summary.html printed to two
    pages. Oracle: Chromium's own A4 print."""
    plan = kopru.plan(EXAMPLES / "food_processing.yaml")
    kopru.write_report(
        plan,
        tmp_path,
        risk=kopru.risk(EXAMPLES / "food_processing.yaml", samples=2000, seed=3),
        languages=["tr"],
    )
    page = browser.new_page()
    page.goto((tmp_path / "tr" / "summary.html").as_uri())
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    page.close()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_summary_pdfs_table_headers_stay_in_their_columns(tmp_path, lang):
    """Web review: the Turkish PDF's headers ('Yıllık maliyet (USD)', 'Birim başına (USD)',
    "Türkiye'ye göre maliyet farkı") ran into each other on one line. Oracle: the PDF's own text
    positions (pypdf), each header line measured in the PDF's font (its advance widths, fontTools),
    against the columns' edges."""
    from fontTools.ttLib import TTFont

    from kopru.report.summary import FONTS, write_summary

    _, path = write_summary(kopru.plan(EXAMPLES / "food_processing.yaml"), tmp_path, lang=lang)
    runs = []
    PdfReader(path).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, fd, size: runs.append((tm[4], tm[5], text.strip(), size))
    )
    pt = 72 / 25.4
    edges = [15 + 180 * e for e in (0.0, 0.05, 0.41, 0.5, 0.68, 0.82, 1.0)]  # mm: margins, shares
    with TTFont(FONTS / "DejaVuSans-Bold.ttf") as font:  # closed: an open font file warns later
        glyphs, advance, em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm

        def width_mm(text: str) -> float:
            return sum(advance[glyphs[ord(c)]][0] for c in text) * 8 / em / pt

        country = next(r for r in runs if r[2] in ("Country", "Ülke"))
        band = [r for r in runs if r[3] == 8 and r[2] and abs(r[1] - country[1]) < 14]
        assert len(band) >= 6
        for x, _, text, _ in band:
            left, right = x / pt, x / pt + width_mm(text)
            column = next(k for k in range(6) if edges[k] - 0.5 <= left < edges[k + 1])
            assert right <= edges[column + 1] + 0.5, (text, left, right, edges[column + 1])
