"""The one-page summary a manager forwards: ``summary.html`` (prints to one A4 page) and ``summary.pdf``.

One sentence of recommendation, the five cheapest sites against the best Turkish option, the main
risks (the risk run's odds that another site wins, routes through sanctioned countries, inputs
that are not the site's own figures, the oldest input) and the data's as-of date. Names, never ids.
The PDF is drawn with fpdf2 and the DejaVu Sans font shipped in the package (Turkish and Kazakh
letters need more than the PDF core fonts' Latin-1), so it needs no browser.

In English and in Turkish (``kopru plan --lang tr``: ``tr/summary.html``, ``tr/summary.pdf``), a
board's language: the messages are gettext's, numbers written as each language writes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from kopru.borrowing import describe as describe_stress
from kopru.datapack.freshness import dated_label
from kopru.datapack.labels import quantity_label
from kopru.display import COUNTRY_NAMES, and_list
from kopru.language import ENGLISH, Words
from kopru.planner import Plan, network_clause, revenue_of, stress_clause, unconfirmed_sentence
from kopru.sites import unconfirmed_incentives
from kopru.switching import brief as brief_switching

FONTS = Path(__file__).parent / "fonts"
TOP = 5
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
    lang: str = "en"
    # the page's own words: headings, column headers, the footer
    labels: Mapping[str, str] = field(default_factory=dict)


def _money(value: float | None, words: Words) -> str:
    return "—" if value is None else words.number(value)


def _per_unit(value: float | None, words: Words) -> str:
    return "—" if value is None else words.number(value, 2)


def page_labels(currency: str, words: Words = ENGLISH) -> dict[str, str]:
    """The summary's headings and column headers in ``words``' language."""
    return {
        "site": words("Site"),
        "country": words("Country"),
        "annual": words("Annual cost (%(currency)s)", currency=currency),
        "per_unit": words("Per unit (%(currency)s)", currency=currency),
        "versus": words("cost vs Türkiye"),
        "risks": words("Main risks"),
        "no_risk": words("None found in this run."),
        "more": words("More in summary.html and report.html."),
        "as_of": words("As of"),
        "made_by": words("Made by %(maker)s; sources in plan.xlsx and report.html."),
    }


def local_names(plan: Plan, words: Words) -> Plan:
    """The plan with its sites named in ``words``' language where the data pack's English names
    have a regular form ('Turkistan Region' -> 'Turkistan bölgesi', '(formerly Turkistan)' ->
    '(eski adı Turkistan)'; a CLI review: the Turkish summary kept them in English); a copy, the
    plan itself unchanged. A name a profile gave its plant is its own and stays as written."""
    if words.lang == "en":
        return plan

    def local(name: str) -> str:
        name = re.sub(r"\(formerly ([^)]+)\)", lambda m: words("(formerly %(name)s)", name=m.group(1)), name)
        return re.sub(r"^(.+) Region$", lambda m: words("%(name)s Region", name=m.group(1)), name)

    given = {p["name"] for p in plan.profile.get("baseline", []) if isinstance(p, dict) and p.get("name")}
    renamed = {s.name: local(s.name) for s in plan.sites if s.name not in given}
    renamed = {old: new for old, new in renamed.items() if old != new}
    if not renamed:
        return plan
    out = plan.model_copy(deep=True)
    for site in out.sites:
        site.name = renamed.get(site.name, site.name)
    out.recommendation.name = renamed.get(out.recommendation.name, out.recommendation.name)
    for part in (out.switching, out.borrowed_stress):  # their sentences are made from their names
        _rename(part, renamed)
    return out


def _rename(obj: Any, renamed: Mapping[str, str]) -> Any:
    """``obj`` with every name of ``renamed`` replaced where a string holds it ('SEZ Turan (formerly
    Turkistan)'s own wage'), in models, lists and dicts; the longest names first."""
    if isinstance(obj, str):
        for old in sorted(renamed, key=len, reverse=True):
            obj = obj.replace(old, renamed[old])
        return obj
    if isinstance(obj, list):
        obj[:] = [_rename(v, renamed) for v in obj]
    elif isinstance(obj, dict):
        for k, v in obj.items():
            obj[k] = _rename(v, renamed)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        for k, v in vars(obj).items():
            new = _rename(v, renamed)
            if new is not v:
                object.__setattr__(obj, k, new)
    return obj


def build_summary(plan: Plan, risk: Mapping[str, Any] | None = None, words: Words = ENGLISH) -> Summary:
    plan = local_names(plan, words)
    rec = plan.recommendation
    base = rec.baseline_total
    rows = []
    for sid in plan.ranking[:TOP]:
        s = plan.site(sid)
        total = s.landed_cost.total
        versus = "—" if not base or total is None else words.signed_share((total - base) / base, 1)
        name = f"{s.name} *" if unconfirmed_incentives(s.notes) else s.name
        rows.append(
            SummaryRow(
                s.rank or "",
                name,
                s.country,
                _money(total, words),
                _per_unit(s.landed_cost.per_unit, words),
                versus,
            )
        )
    if rec.baseline_site and rec.baseline_site not in plan.ranking[:TOP]:
        b = plan.site(rec.baseline_site)
        rows.append(
            SummaryRow(
                b.rank or "",
                b.name,
                b.country,
                _money(b.landed_cost.total, words),
                _per_unit(b.landed_cost.per_unit, words),
                words("baseline"),
                is_baseline=True,
            )
        )
    return Summary(
        title=words("%(company)s: where to make %(product)s", company=plan.company, product=plan.product),
        subtitle=words(
            "HS %(hs)s · %(volume)s · %(markets)s markets · %(currency)s",
            hs=plan.hs,
            volume=volume_line(plan, words),
            markets=len(plan.markets),
            currency=plan.currency,
        ),
        sentence=_sentence(plan, words),
        currency=plan.currency,
        rows=rows,
        risks=page_risks(plan, risk, words),
        as_of=_as_of(plan, words),
        made_by=f"kopru {plan.kopru_version}",
        investment=investment_line(plan, words),
        footnote=_footnote(plan, words),
        lang=words.lang,
        labels=page_labels(plan.currency, words),
    )


def _as_of(plan: Plan, words: Words) -> str:
    text = words(
        "data pack %(version)s; plan made %(date)s", version=plan.data_pack_version, date=plan.created[:10]
    )
    oldest = plan.oldest_input or {}
    if oldest:
        text += words("; the oldest input of the recommended site is from %(year)s", year=oldest.get("year"))
        older = _older_baseline_input(plan)
        if older:  # this line is never cut
            text += words(", of the Turkish baseline from %(year)s", year=older["year"])
    if plan.exchange_rates:
        rates = ", ".join(
            f"{r.subject} {words.significant(r.value, 4)} ({_rate_basis(r, words)})"
            for r in plan.exchange_rates
        )
        text += words("; per USD: %(rates)s", rates=rates)
    return text


def _footnote(plan: Plan, words: Words = ENGLISH) -> str:
    """The asterisk: SEZ incentives counted without the product confirmed for the zone, and what the
    recommended site costs without them (a review found the note cut as the seventh of six risks)."""
    assumed = [plan.site(s).name for s in plan.ranking[:TOP] if unconfirmed_incentives(plan.site(s).notes)]
    if not assumed:
        return ""
    text = words(
        "* SEZ incentives counted without the product confirmed as a priority activity of the zone"
        " (its sectors are not sourced, the product's are not given, or they match only through a general"
        " word): %(sites)s;"
        " check that the product qualifies before relying on their rank.",
        sites=and_list(assumed, words),
    )
    rec = plan.recommendation
    if rec.site is not None:
        by_id = {s.id: s for s in plan.sites}
        base = by_id.get(rec.baseline_site or "")
        text += unconfirmed_sentence(
            by_id[rec.site], by_id, plan.ranking, base, plan.currency, said=True, words=words
        )
    return text


def _rate_basis(rate: Any, words: Words = ENGLISH) -> str:
    """What an exchange rate is: a mean of its year, or of the year so far (a CFO review: a mean to
    October sat beside October's own rates, which move the saving by two points)."""
    if rate.overridden:
        return words("given")
    if "year to date" in rate.note:
        return words("mean of %(year)s to date", year=rate.year)
    return words("mean of %(year)s", year=rate.year) if "mean" in rate.note.lower() else str(rate.year)


def investment_line(plan: Plan, words: Words = ENGLISH) -> str:
    """Capex, NPV, IRR and payback of the recommended site, each with its basis."""
    rec = plan.recommendation
    a = plan.site(rec.site).appraisal if rec.site else None
    if a is None:
        return ""
    values = {
        "currency": plan.currency,
        "capex": words.number(sum(a.cash_flows.capex)),
        "npv": words.number(a.npv),
        "wacc": words.share(a.wacc, 1),
    }
    if not a.outlay:  # an existing plant (or one that pays its way from the start): nothing to pay back
        if sum(a.cash_flows.capex):
            message = (
                "Investment case: no outlay to pay back; NPV %(npv)s %(currency)s over the plant's life at a"
                " WACC of %(wacc)s, with %(capex)s %(currency)s of capex."
            )
        else:
            message = (
                "Investment case: no outlay to pay back; NPV %(npv)s %(currency)s over the plant's life at a"
                " WACC of %(wacc)s."
            )
        return words(message, **values)
    irr = "—" if a.irr is None else words.share(a.irr, 1)
    if a.payback_years is None:
        payback = words("never")
    else:
        payback = words("%(years)s years after construction", years=words.number(a.payback_years, 1))
    text = words(
        "Investment case: %(capex)s %(currency)s of capex; NPV %(npv)s %(currency)s over the plant's life at"
        " a WACC of %(wacc)s; IRR %(irr)s; simple payback %(payback)s",
        irr=irr,
        payback=payback,
        **values,
    )
    move = a.vs_baseline
    if move is not None and move.npv is not None and rec.baseline_site:
        base = plan.site(rec.baseline_site)
        text += words(
            "; moving from %(base)s is worth %(npv)s %(currency)s",
            base=base.name,
            npv=words.number(move.npv),
            currency=plan.currency,
        )
        # a manufacturer's review: the board read the standalone IRR as the move's
        if move.outlay and move.irr is not None:
            paid_back = (
                words("never")
                if move.payback_years is None
                else words("%(years)s years", years=words.number(move.payback_years, 1))
            )
            text += words(
                " (its IRR %(irr)s, payback %(payback)s)", irr=words.share(move.irr, 1), payback=paid_back
            )
        if base.existing:  # nor that closing the plant has costs of its own
            text += words("; not counted: the costs of closing %(base)s", base=base.name)
    return text + "."


def volume_line(plan: Plan, words: Words = ENGLISH) -> str:
    """The plant's size and, when they differ, the units sold, which every per-unit figure divides by."""
    sold = plan.units_sold
    if abs(sold - plan.volume) <= 1e-9 * max(sold, 1.0):
        return words("%(volume)s units a year", volume=words.number(plan.volume))
    return words(
        "plant of %(volume)s units a year, %(sold)s sold (per-unit figures are per unit sold)",
        volume=words.number(plan.volume),
        sold=words.number(sold),
    )


def _sentence(plan: Plan, words: Words = ENGLISH) -> str:
    rec = plan.recommendation
    if rec.site is None or rec.total is None:
        return words("No site can serve every market: see the report for what blocks each one.")
    cur = plan.currency
    revenue = revenue_of(plan.markets)
    # no site covers its cost: said first, not "Produce at" (a CFO's review)
    opening = (
        "Produce at %(site)s: %(total)s %(currency)s a year landed at the markets (%(per_unit)s %(currency)s"
        " per unit)"
        if rec.total <= revenue
        else "No site covers its cost at the profile's prices (the markets pay %(revenue)s %(currency)s a"
        " year); the least costly is %(site)s: %(total)s %(currency)s a year landed at the markets"
        " (%(per_unit)s %(currency)s per unit)"
    )
    text = words(
        opening,
        site=rec.name,
        total=words.number(rec.total),
        per_unit=words.number(rec.per_unit or 0.0, 2),
        currency=cur,
        revenue=words.number(revenue),
    )
    if rec.baseline_site and rec.saving_pct is not None:
        message = (
            ", %(share)s below the best Turkish option, %(base)s, after profit tax"
            if rec.saving_pct >= 0
            else ", %(share)s above the best Turkish option, %(base)s, after profit tax"
        )
        text += words(
            message, share=words.share(abs(rec.saving_pct), 1), base=plan.site(rec.baseline_site).name
        )
        if rec.saving_pct_before_profit_tax is not None:
            text += words(" (%(share)s before it)", share=words.share(rec.saving_pct_before_profit_tax, 1))
    text += "."
    if unconfirmed_incentives(plan.site(rec.site).notes) and plan.site(rec.site).kind == "sez":
        text += words(" Its SEZ incentives are not confirmed to apply to the product (*).")
    stress = plan.borrowed_stress
    if stress is not None and not stress.holds:  # the headline must not read firmer than the data
        text += words(" But %(clause)s.", clause=stress_clause(stress, words))
    if plan.network is not None:  # nor firmer than the optimizer's answer within the user's limits
        names = {s.id: s.name for s in plan.sites}
        clause = network_clause(plan.network, rec, names, words, why=words.lang == "en")
        if clause:
            text += words(" But %(clause)s.", clause=clause)
    return text


def main_risks(plan: Plan, risk: Mapping[str, Any] | None = None, words: Words = ENGLISH) -> list[str]:
    """The few things that could overturn the recommendation, most telling first."""
    rec = plan.recommendation
    out: list[str] = []
    if risk is not None and risk.get("p_recommendation_changes") is not None:
        out.append(_monte_carlo(plan, risk, words))
    if rec.site is None:
        return out
    stress = plan.borrowed_stress
    stress_text = ""
    if stress is not None:  # in English, the plan's own sentence (a plan stored before Words kept it)
        stress_text = stress.text if words.lang == "en" else describe_stress(stress, plan.currency, words)
    if stress is not None and not stress.holds:
        out.append(stress_text)  # it overturns the pick: first, not fourth
    out.extend(_profit_tax(plan, words))
    if plan.switching is not None:  # how far the pick is from changing: before what it rests on
        out.append(brief_switching(plan.switching, words))
    out.extend(_baseline_expansion(plan, words))
    site = plan.site(rec.site)
    names = _market_names(plan, words)
    borrowed = [
        q
        for q, p in site.inputs.items()
        if p.assumption or p.subject not in (site.id, site.region, site.country)
    ]
    if borrowed:
        out.append(
            words(
                "%(n)s of the %(of)s inputs of %(site)s are labelled assumptions or another region's figures"
                " (%(inputs)s).",
                n=len(borrowed),
                of=len(site.inputs),
                site=site.name,
                inputs=and_list([quantity_label(q, words) for q in borrowed], words),
            )
        )
    if stress is not None and stress.holds:
        out.append(stress_text)
    out.extend(_sanctions(plan, names, words))
    oldest = plan.oldest_input
    if oldest:
        text = words(
            "The oldest figure under the recommended site's cost: %(what)s, from %(year)s",
            what=dated_label(oldest, words),
            year=oldest["year"],
        )
        older = _older_baseline_input(plan)
        if older:  # the saving rests on the baseline's cost too
            text += words(
                "; under the Turkish baseline's: %(what)s, from %(year)s",
                what=dated_label(older, words),
                year=older["year"],
            )
        out.append(text + ".")
    if site.landed_cost.utilisation > 1:
        out.append(
            words(
                "%(site)s would run at %(share)s of one plant's capacity.",
                site=site.name,
                share=words.share(site.landed_cost.utilisation, 0),
            )
        )
    return out


def page_risks(plan: Plan, risk: Mapping[str, Any] | None = None, words: Words = ENGLISH) -> list[str]:
    """The main risks that fit one page (MAX_RISKS), in their order, never leaving out a route
    through a sanctioned country (the pick's or the baseline's): the lines after the cap give way
    to them, so whether management reads of sanctions never depends on how much came before."""
    every = main_risks(plan, risk, words)
    sanctions = set()
    if plan.recommendation.site is not None:
        sanctions = set(_sanctions(plan, _market_names(plan, words), words))
    room = MAX_RISKS - sum(line in sanctions for line in every)
    kept = []
    for line in every:
        if line in sanctions or room > 0:
            kept.append(line)
            room -= line not in sanctions
    return kept


def _market_names(plan: Plan, words: Words) -> dict[str, str]:
    return {m["id"]: words(m["name"]) for m in plan.markets}


def _older_baseline_input(plan: Plan) -> dict[str, Any] | None:
    """The Turkish baseline's oldest input when it is older than the recommended site's, else None."""
    older, oldest = plan.oldest_baseline_input, plan.oldest_input
    return older if older and oldest and older["year"] < oldest["year"] else None


def _sanctions(plan: Plan, names: Mapping[str, str], words: Words) -> list[str]:
    """The pick's routes through restricted countries and the baseline's, one line (it must fit the
    page whatever else does)."""
    lines = _restricted(plan, names, words) + _baseline_transit(plan, names, words)
    if len(lines) < 2:
        return lines
    first, then = lines
    return [f"{first.removesuffix('.')}; {then[0].lower()}{then[1:]}"]


def _monte_carlo(plan: Plan, risk: Mapping[str, Any], words: Words) -> str:
    """The risk run's odds that another site wins, and the spread of the pick's cost."""
    stats = next((s for s in risk["sites"] if s["id"] == plan.recommendation.site), None)
    text = words(
        "In %(n)s Monte Carlo draws of FX, energy, wages, freight, duties and demand, another site is cheaper"
        " in %(share)s of them",
        n=words.number(risk["samples"]),
        share=words.share(risk["p_recommendation_changes"], 0),
    )
    if stats and stats["mean"]:
        text += words(
            "; the recommended site's p95 cost is %(spread)s on its mean",
            spread=words.signed_share(stats["p95"] / stats["mean"] - 1, 0),
        )
        if stats.get("per_unit_p95") and stats.get("per_unit_mean"):
            # the annual cost's spread is mostly the units sold: the cost per unit is the cost risk
            unit = stats["per_unit_p95"] / stats["per_unit_mean"] - 1
            text += words(
                ", %(spread)s per unit sold (the rest is sales volume)", spread=words.signed_share(unit, 0)
            )
    if risk.get("conditions"):
        text += words("; all of it assumes the incentives are granted as the plan counts them (not drawn)")
    return text + "."


def _restricted(plan: Plan, names: Mapping[str, str], words: Words) -> list[str]:
    """The recommended site's routes through sanctioned or restricted countries, and what avoiding
    them costs."""
    site = plan.site(plan.recommendation.site or "")
    restricted = {mid: mc.restricted_transit for mid, mc in site.by_market.items() if mc.restricted_transit}
    if not restricted:
        return []
    countries = sorted({_country(c, words) for r in restricted.values() for c in r.countries})
    extra = [r.extra_cost_per_unit for r in restricted.values() if r.extra_cost_per_unit is not None]
    text = words(
        "Routes to %(markets)s pass through %(countries)s, under sanctions or transit restrictions",
        markets=and_list([names.get(m, m) for m in restricted], words),
        countries=and_list(countries, words),
    )
    a_year = sum(
        r.extra_cost_per_unit * site.by_market[m].demand
        for m, r in restricted.items()
        if r.extra_cost_per_unit is not None
    )
    if extra:
        # the detour keeps out of every country under restrictions at once, not only those crossed
        around = sorted({c for r in restricted.values() for c in r.detour_avoids or r.countries})
        text += words(
            "; routes through none of %(around)s cost %(a_year)s %(currency)s a year more in freight (up to"
            " %(per_unit)s %(currency)s per unit)",
            around=and_list(sorted(_country(c, words) for c in around), words),
            a_year=words.number(a_year),
            per_unit=words.number(max(extra), 3),
            currency=plan.currency,
        )
    return [text + "."]


def _country(code: str, words: Words) -> str:
    name = COUNTRY_NAMES.get(code)
    return words(name) if name else code


def _profit_tax(plan: Plan, words: Words = ENGLISH) -> list[str]:
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
        why = words(
            "; the %(rate)s %% rate %(site)s pays while its relief lasts is an assumption",
            rate=words.significant(cit.value, 6),
            site=site.name,
        )
    gap, cur = theirs - ours, plan.currency
    paid = words(
        "%(site)s pays %(ours)s %(currency)s of profit tax a year, %(base)s %(theirs)s",
        site=site.name,
        ours=words.number(ours),
        currency=cur,
        base=base.name,
        theirs=words.number(theirs),
    )
    values = {"saving": words.number(saving), "currency": cur, "paid": paid, "why": why}
    if gap >= saving:  # before tax the pick is not cheaper: the tax is all of its lead
        message = (
            "All of the %(saving)s %(currency)s a year saved is profit tax: before it %(site)s costs"
            " %(more)s %(currency)s a year more than %(base)s (%(paid)s%(why)s)."
        )
        return [words(message, site=site.name, base=base.name, more=words.number(gap - saving), **values)]
    message = "%(gap)s of the %(saving)s %(currency)s a year saved is profit tax: %(paid)s%(why)s."
    return [words(message, gap=words.number(gap), **values)]


def _baseline_transit(plan: Plan, names: Mapping[str, str], words: Words = ENGLISH) -> list[str]:
    """The status quo's own exposure: the Turkish baseline's routes that cross a restricted country."""
    sid = plan.recommendation.baseline_site
    if sid is None or sid == plan.recommendation.site:
        return []
    base = plan.site(sid)
    crossing = {m: mc.restricted_transit for m, mc in base.by_market.items() if mc.restricted_transit}
    if not crossing:
        return []
    countries = sorted({_country(c, words) for r in crossing.values() for c in r.countries})
    return [
        words(
            "The Turkish baseline, %(base)s, is exposed too: its routes to %(markets)s pass through"
            " %(countries)s.",
            base=base.name,
            markets=and_list([names.get(m, m) for m in crossing], words),
            countries=and_list(countries, words),
        )
    ]


def _baseline_expansion(plan: Plan, words: Words = ENGLISH) -> list[str]:
    """The Turkish baseline's cost includes an expansion when the existing plant lacks capacity."""
    sid = plan.recommendation.baseline_site
    if sid is None:
        return []
    base = plan.site(sid)
    lc = base.landed_cost
    if not base.existing or lc.expansion <= 0 or base.appraisal is None:
        return []
    return [
        words(
            "The Turkish baseline, %(base)s, can make %(can)s of the %(units)s units sold: its cost includes"
            " an expansion of %(capex)s %(currency)s at a new plant's capex per unit of capacity"
            " (an assumption).",
            base=base.name,
            can=words.number(lc.capacity - lc.expansion),
            units=words.number(lc.units),
            capex=words.number(sum(base.appraisal.cash_flows.capex)),
            currency=plan.currency,
        )
    ]


_env = Environment(loader=PackageLoader("kopru.report", "templates"), autoescape=select_autoescape())


def render_summary_html(summary: Summary) -> str:
    return _env.get_template("summary.html.j2").render(s=summary, t=summary.labels, footer=footer(summary))


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
    pdf.cell(width, 6, summary.labels["risks"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for text in summary.risks or [summary.labels["no_risk"]]:
        height = pdf.multi_cell(width, 4.8, f"•  {text}", dry_run=True, output="HEIGHT")
        if pdf.get_y() + height > pdf.h - 28:  # room for the "more" line above the footer (h - 22)
            more = f"•  {summary.labels['more']}"
            pdf.multi_cell(width, 4.8, more, new_x="LMARGIN", new_y="NEXT")
            break
        pdf.multi_cell(width, 4.8, f"•  {text}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.set_y(pdf.h - 22)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(width, 4, footer(summary))
    path = Path(path)
    pdf.output(str(path))
    return path


def _pdf_table(pdf: Any, summary: Summary, width: float) -> None:
    t = summary.labels
    headers = ["#", t["site"], t["country"], t["annual"], t["per_unit"], t["versus"]]
    left = headers[:3]
    shares = [0.05, 0.36, 0.09, 0.18, 0.14, 0.18]
    cols = [width * s for s in shares]
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_fill_color(31, 59, 90)
    pdf.set_text_color(255, 255, 255)
    # the headers wrap within their columns (Turkish ones are about a fifth longer and ran into each
    # other on one line), on one band as tall as the longest
    line = 3.6
    lines = [
        len(pdf.multi_cell(w, line, h, dry_run=True, output="LINES", padding=(0, 1)))
        for h, w in zip(headers, cols, strict=True)
    ]
    band = max(7.0, line * max(lines) + 1.6)
    x, y = pdf.get_x(), pdf.get_y()
    pdf.rect(x, y, sum(cols), band, style="F")
    for h, w, n in zip(headers, cols, lines, strict=True):
        top = y + (band - line * n) / 2
        pdf.set_xy(x, top)
        pdf.multi_cell(w, line, h, align="L" if h in left else "R", padding=(0, 1))
        x += w
    pdf.set_xy(pdf.l_margin, y + band)
    pdf.set_text_color(0, 0, 0)
    for row in summary.rows:
        pdf.set_font("DejaVu", "B" if row.is_baseline else "", 9)
        name = row.name if len(row.name) <= 44 else row.name[:43] + "…"
        cells = [str(row.rank), name, row.country, row.total, row.per_unit, row.versus]
        for text, w, h in zip(cells, cols, headers, strict=True):
            pdf.cell(w, 6.5, text, border="B", align="L" if h in left else "R")
        pdf.ln()


def footer(summary: Summary) -> str:
    """The page's last line: as of when, made by what, sources where."""
    made_by = summary.labels["made_by"] % {"maker": summary.made_by}
    return f"{summary.labels['as_of']}: {summary.as_of}. {made_by}"


def write_summary(
    plan: Plan, folder: str | Path, risk: Mapping[str, Any] | None = None, lang: str = "en"
) -> tuple[Path, Path]:
    """``summary.html`` and ``summary.pdf`` in ``folder``, in ``lang``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = build_summary(plan, risk, Words(lang))
    html = folder / "summary.html"
    html.write_text(render_summary_html(summary), encoding="utf-8")
    return html, write_summary_pdf(summary, folder / "summary.pdf")
