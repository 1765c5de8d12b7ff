"""The one-page summary a manager forwards: ``summary.html`` (prints to one A4 page) and ``summary.pdf``.

One sentence of recommendation, the five cheapest sites against the best Turkish option, the main
risks (the risk run's odds that another site wins, routes through sanctioned countries, inputs
that are not the site's own figures, the oldest input) and the data's as-of date. Names, never ids.
The PDF is drawn with fpdf2 and the DejaVu Sans font shipped in the package (Turkish and Kazakh
letters need more than the PDF core fonts' Latin-1), so it needs no browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from kopru.datapack.labels import quantity_label
from kopru.display import and_list
from kopru.planner import Plan, stress_clause, unconfirmed_sentence
from kopru.sites import unconfirmed_incentives
from kopru.switching import brief as brief_switching

FONTS = Path(__file__).parent / "fonts"
TOP = 5
# transit countries a route may cross, by ISO code (markets name their own countries)
COUNTRIES = {
    "RU": "Russia",
    "IR": "Iran",
    "BY": "Belarus",
    "GE": "Georgia",
    "AZ": "Azerbaijan",
    "TM": "Turkmenistan",
    "UZ": "Uzbekistan",
    "CN": "China",
    "KZ": "Kazakhstan",
    "TR": "Türkiye",
}
MAX_RISKS = 6


@dataclass(frozen=True)
class SummaryRow:
    rank: int | str
    name: str
    country: str
    total: str
    per_unit: str
    versus: str  # against the best Turkish option
    is_baseline: bool = False


@dataclass(frozen=True)
class Summary:
    title: str
    subtitle: str
    sentence: str
    currency: str
    rows: list[SummaryRow]
    risks: list[str]
    as_of: str
    made_by: str
    investment: str = ""  # the recommended site's investment case in one line
    footnote: str = ""  # what the table's asterisks mean: always shown, never cut like a risk


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _per_unit(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def build_summary(plan: Plan, risk: Mapping[str, Any] | None = None) -> Summary:
    rec = plan.recommendation
    base = rec.baseline_total
    rows = []
    for sid in plan.ranking[:TOP]:
        s = plan.site(sid)
        total = s.landed_cost.total
        versus = "—" if not base or total is None else f"{(total - base) / base:+.1%}"
        name = f"{s.name} *" if unconfirmed_incentives(s.notes) else s.name
        rows.append(
            SummaryRow(
                s.rank or "", name, s.country, _money(total), _per_unit(s.landed_cost.per_unit), versus
            )
        )
    if rec.baseline_site and rec.baseline_site not in plan.ranking[:TOP]:
        b = plan.site(rec.baseline_site)
        rows.append(
            SummaryRow(
                b.rank or "",
                b.name,
                b.country,
                _money(b.landed_cost.total),
                _per_unit(b.landed_cost.per_unit),
                "baseline",
                is_baseline=True,
            )
        )
    oldest = plan.oldest_input or {}
    as_of = f"data pack {plan.data_pack_version}; plan made {plan.created[:10]}"
    if oldest:
        as_of += f"; the oldest input of the recommended site is from {oldest.get('year')}"
    if plan.exchange_rates:
        rates = ", ".join(f"{r.subject} {r.value:,.4g} ({_rate_basis(r)})" for r in plan.exchange_rates)
        as_of += f"; per USD: {rates}"
    return Summary(
        title=f"{plan.company}: where to make {plan.product}",
        subtitle=f"HS {plan.hs} · {volume_line(plan)} · {len(plan.markets)} markets · {plan.currency}",
        sentence=_sentence(plan),
        currency=plan.currency,
        rows=rows,
        risks=main_risks(plan, risk)[:MAX_RISKS],
        as_of=as_of,
        made_by=f"kopru {plan.kopru_version}",
        investment=investment_line(plan),
        footnote=_footnote(plan),
    )


def _footnote(plan: Plan) -> str:
    """The asterisk: SEZ incentives counted without the product confirmed for the zone, and what the
    recommended site costs without them (a review found the note cut as the seventh of six risks)."""
    assumed = [plan.site(s).name for s in plan.ranking[:TOP] if unconfirmed_incentives(plan.site(s).notes)]
    if not assumed:
        return ""
    text = (
        "* SEZ incentives counted without the product confirmed as a priority activity of the zone"
        f" (its sectors are not sourced, or match only through a general word): {and_list(assumed)};"
        " check that the product qualifies before relying on their rank."
    )
    rec = plan.recommendation
    if rec.site is not None:
        by_id = {s.id: s for s in plan.sites}
        base = by_id.get(rec.baseline_site or "")
        text += unconfirmed_sentence(by_id[rec.site], by_id, plan.ranking, base, plan.currency, said=True)
    return text


def _rate_basis(rate: Any) -> str:
    """What an exchange rate is: a mean of its year, or of the year so far (a CFO review: a mean to
    October sat beside October's own rates, which move the saving by two points)."""
    if rate.overridden:
        return "given"
    if "year to date" in rate.note:
        return f"mean of {rate.year} to date"
    return f"mean of {rate.year}" if "mean" in rate.note.lower() else str(rate.year)


def investment_line(plan: Plan) -> str:
    """Capex, NPV, IRR and payback of the recommended site, each with its basis."""
    rec = plan.recommendation
    a = plan.site(rec.site).appraisal if rec.site else None
    if a is None:
        return ""
    cur = plan.currency
    capex = sum(a.cash_flows.capex)
    if not a.outlay:  # an existing plant (or one that pays its way from the start): nothing to pay back
        text = (
            f"Investment case: no outlay to pay back; NPV {a.npv:,.0f} {cur} over the plant's life at a"
            f" WACC of {a.wacc:.1%}" + (f", with {capex:,.0f} {cur} of capex" if capex else "")
        )
        return text + "."
    irr = "—" if a.irr is None else f"{a.irr:.0%}"
    payback = "never" if a.payback_years is None else f"{a.payback_years:.1f} years after construction"
    text = (
        f"Investment case: {capex:,.0f} {cur} of capex; NPV {a.npv:,.0f} {cur} over the plant's life at a"
        f" WACC of {a.wacc:.1%}; IRR {irr}; simple payback {payback}"
    )
    if a.vs_baseline is not None and a.vs_baseline.npv is not None and rec.baseline_site:
        text += f"; moving from {plan.site(rec.baseline_site).name} is worth {a.vs_baseline.npv:,.0f} {cur}"
    return text + "."


def volume_line(plan: Plan) -> str:
    """The plant's size and, when they differ, the units sold, which every per-unit figure divides by."""
    sold = plan.units_sold
    if abs(sold - plan.volume) <= 1e-9 * max(sold, 1.0):
        return f"{plan.volume:,.0f} units a year"
    return f"plant of {plan.volume:,.0f} units a year, {sold:,.0f} sold (per-unit figures are per unit sold)"


def _sentence(plan: Plan) -> str:
    rec = plan.recommendation
    if rec.site is None or rec.total is None:
        return "No site can serve every market: see the report for what blocks each one."
    text = (
        f"Produce at {rec.name}: {rec.total:,.0f} {plan.currency} a year landed at the markets"
        f" ({rec.per_unit:,.2f} {plan.currency} per unit)"
    )
    if rec.baseline_site and rec.saving_pct is not None:
        base = plan.site(rec.baseline_site).name
        word = "below" if rec.saving_pct >= 0 else "above"
        text += f", {abs(rec.saving_pct):.1%} {word} the best Turkish option, {base}, after profit tax"
        if rec.saving_pct_before_profit_tax is not None:
            text += f" ({rec.saving_pct_before_profit_tax:.1%} before it)"
    text += "."
    stress = plan.borrowed_stress
    if stress is not None and not stress.holds:  # the headline must not read firmer than the data
        clause = stress_clause(stress)
        text += f" But {clause}."
    return text


def main_risks(plan: Plan, risk: Mapping[str, Any] | None = None) -> list[str]:
    """The few things that could overturn the recommendation, most telling first."""
    rec = plan.recommendation
    out: list[str] = []
    if risk is not None and risk.get("p_recommendation_changes") is not None:
        stats = next((s for s in risk["sites"] if s["id"] == rec.site), None)
        text = (
            f"In {risk['samples']:,} Monte Carlo draws of FX, energy, wages, freight, duties and demand,"
            f" another site is cheaper in {risk['p_recommendation_changes']:.0%} of them"
        )
        if stats and stats["mean"]:
            text += (
                f"; the recommended site's p95 cost is {stats['p95'] / stats['mean'] - 1:+.0%} on its mean"
            )
            if stats.get("per_unit_p95") and stats.get("per_unit_mean"):
                # the annual cost's spread is mostly the units sold: the cost per unit is the cost risk
                unit = stats["per_unit_p95"] / stats["per_unit_mean"] - 1
                text += f", {unit:+.0%} per unit sold (the rest is sales volume)"
        if risk.get("conditions"):
            text += "; all of it assumes the incentives are granted as the plan counts them (not drawn)"
        out.append(text + ".")
    if rec.site is None:
        return out
    if plan.borrowed_stress is not None and not plan.borrowed_stress.holds:
        out.append(plan.borrowed_stress.text)  # it overturns the pick: first, not fourth
    out.extend(_profit_tax(plan))
    if plan.switching is not None:  # how far the pick is from changing: before what it rests on
        out.append(brief_switching(plan.switching))
    out.extend(_baseline_expansion(plan))
    site = plan.site(rec.site)
    names = {m["id"]: m["name"] for m in plan.markets}
    borrowed = [
        q
        for q, p in site.inputs.items()
        if p.assumption or p.subject not in (site.id, site.region, site.country)
    ]
    if borrowed:
        out.append(
            f"{len(borrowed)} of the {len(site.inputs)} inputs of {site.name} are labelled assumptions"
            f" or another region's figures ({and_list([quantity_label(q) for q in borrowed])})."
        )
    if plan.borrowed_stress is not None and plan.borrowed_stress.holds:
        out.append(plan.borrowed_stress.text)
    restricted = {mid: mc.restricted_transit for mid, mc in site.by_market.items() if mc.restricted_transit}
    if restricted:
        countries = sorted({COUNTRIES.get(c, c) for r in restricted.values() for c in r.countries})
        extra = [r.extra_cost_per_unit for r in restricted.values() if r.extra_cost_per_unit is not None]
        text = (
            f"Routes to {and_list([names.get(m, m) for m in restricted])} pass through {and_list(countries)},"
            " under sanctions or transit restrictions"
        )
        a_year = sum(
            r.extra_cost_per_unit * site.by_market[m].demand
            for m, r in restricted.items()
            if r.extra_cost_per_unit is not None
        )
        if extra:
            text += (
                f"; routes around them cost {a_year:,.0f} {plan.currency} a year more"
                f" (up to {max(extra):,.3f} {plan.currency} per unit)"
            )
        out.append(text + ".")
    out.extend(_baseline_transit(plan, names))
    oldest = plan.oldest_input
    if oldest:
        out.append(
            f"The oldest figure under the recommended site's cost: {oldest['what']}, from {oldest['year']}."
        )
    if site.landed_cost.utilisation > 1:
        out.append(f"{site.name} would run at {site.landed_cost.utilisation:.0%} of one plant's capacity.")
    return out


def _profit_tax(plan: Plan) -> list[str]:
    """How much of the saving is profit tax, and whether the rate behind it is an assumption (a CFO
    review: most of a zone's lead can be its corporate income tax exemption)."""
    rec = plan.recommendation
    if rec.site is None or rec.baseline_site is None or not rec.baseline_total:
        return []
    site, base = plan.site(rec.site), plan.site(rec.baseline_site)
    ours, theirs = site.landed_cost.profit_tax or 0.0, base.landed_cost.profit_tax or 0.0
    saving = rec.baseline_total - (site.landed_cost.total or 0.0)
    if saving <= 0 or theirs - ours <= 0.2 * saving:
        return []
    cit = site.inputs.get("corporate_income_tax")
    why = ""
    if cit is not None and cit.assumption:
        # the row's rate holds while the zone's relief lasts; the standard rate follows it
        why = f"; the {cit.value:g} % rate {site.name} pays while its relief lasts is an assumption"
    gap, cur = theirs - ours, plan.currency
    paid = f"{site.name} pays {ours:,.0f} {cur} of profit tax a year, {base.name} {theirs:,.0f}"
    if gap >= saving:  # before tax the pick is not cheaper: the tax is all of its lead
        return [
            f"All of the {saving:,.0f} {cur} a year saved is profit tax: before it {site.name} costs"
            f" {gap - saving:,.0f} {cur} a year more than {base.name} ({paid}{why})."
        ]
    return [f"{gap:,.0f} of the {saving:,.0f} {cur} a year saved is profit tax: {paid}{why}."]


def _baseline_transit(plan: Plan, names: Mapping[str, str]) -> list[str]:
    """The status quo's own exposure: the Turkish baseline's routes that cross a restricted country."""
    sid = plan.recommendation.baseline_site
    if sid is None or sid == plan.recommendation.site:
        return []
    base = plan.site(sid)
    crossing = {m: mc.restricted_transit for m, mc in base.by_market.items() if mc.restricted_transit}
    if not crossing:
        return []
    countries = sorted({COUNTRIES.get(c, c) for r in crossing.values() for c in r.countries})
    return [
        f"The Turkish baseline, {base.name}, is exposed too: its routes to"
        f" {', '.join(names.get(m, m) for m in crossing)} pass through {', '.join(countries)}."
    ]


def _baseline_expansion(plan: Plan) -> list[str]:
    """The Turkish baseline's cost includes an expansion when the existing plant lacks capacity."""
    sid = plan.recommendation.baseline_site
    if sid is None:
        return []
    base = plan.site(sid)
    lc = base.landed_cost
    if not base.existing or lc.expansion <= 0 or base.appraisal is None:
        return []
    capex = sum(base.appraisal.cash_flows.capex)
    return [
        f"The Turkish baseline, {base.name}, can make {lc.capacity - lc.expansion:,.0f} of the"
        f" {lc.units:,.0f} units sold:"
        f" its cost includes an expansion of {capex:,.0f} {plan.currency} at a new plant's capex per unit"
        " of capacity (an assumption)."
    ]


def render_summary_html(summary: Summary) -> str:
    env = Environment(loader=PackageLoader("kopru.report", "templates"), autoescape=select_autoescape())
    return env.get_template("summary.html.j2").render(s=summary)


def write_summary_pdf(summary: Summary, path: str | Path) -> Path:
    """An A4 page: the same content as summary.html, drawn with fpdf2."""
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(15, 15, 15)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(summary.title)
    pdf.set_creator(summary.made_by)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(width, 7, summary.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(width, 5, summary.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(width, 6, summary.sentence, new_x="LMARGIN", new_y="NEXT")
    if summary.investment:
        pdf.ln(1)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(width, 4.8, summary.investment, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _pdf_table(pdf, summary, width)
    if summary.footnote:
        pdf.ln(1.5)
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(width, 4.2, summary.footnote, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(width, 6, "Main risks", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for text in summary.risks or ["None found in this run."]:
        height = pdf.multi_cell(width, 4.8, f"•  {text}", dry_run=True, output="HEIGHT")
        if pdf.get_y() + height > pdf.h - 28:  # room for the "more" line above the footer (h - 22)
            more = "•  More in summary.html and report.html."
            pdf.multi_cell(width, 4.8, more, new_x="LMARGIN", new_y="NEXT")
            break
        pdf.multi_cell(width, 4.8, f"•  {text}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.set_y(pdf.h - 22)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(
        width, 4, f"As of: {summary.as_of}. Made by {summary.made_by}; sources in plan.xlsx and report.html."
    )
    path = Path(path)
    pdf.output(str(path))
    return path


def _pdf_table(pdf: Any, summary: Summary, width: float) -> None:
    cur = summary.currency
    headers = ["#", "Site", "Country", f"Annual cost ({cur})", f"Per unit ({cur})", "cost vs Türkiye"]
    shares = [0.05, 0.36, 0.09, 0.18, 0.14, 0.18]
    cols = [width * s for s in shares]
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_fill_color(31, 59, 90)
    pdf.set_text_color(255, 255, 255)
    for h, w in zip(headers, cols, strict=True):
        pdf.cell(w, 7, h, border=0, fill=True, align="L" if h in ("Site", "Country", "#") else "R")
    pdf.ln()
    pdf.set_text_color(0, 0, 0)
    for row in summary.rows:
        pdf.set_font("DejaVu", "B" if row.is_baseline else "", 9)
        name = row.name if len(row.name) <= 44 else row.name[:43] + "…"
        cells = [str(row.rank), name, row.country, row.total, row.per_unit, row.versus]
        for text, w, h in zip(cells, cols, headers, strict=True):
            pdf.cell(w, 6.5, text, border="B", align="L" if h in ("Site", "Country", "#") else "R")
        pdf.ln()


def write_summary(plan: Plan, folder: str | Path, risk: Mapping[str, Any] | None = None) -> tuple[Path, Path]:
    """``summary.html`` and ``summary.pdf`` in ``folder``."""
    folder = Path(folder)
    summary = build_summary(plan, risk)
    html = folder / "summary.html"
    html.write_text(render_summary_html(summary), encoding="utf-8")
    return html, write_summary_pdf(summary, folder / "summary.pdf")
