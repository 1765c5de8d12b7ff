"""``plan.xlsx``: the plan as a workbook a manager forwards, one sheet per question, names not ids.

Sheets: Summary (the recommendation, the investment case and the data's as-of date), Ranking,
Costs (annual cost by component), By market (cost per unit delivered to each market), Routes (the
route used for each site and market, leg by leg), Incentives, Cash flows (the recommended site's and
the baseline's, year by year), Switching values, Tornado, Two-way and Two-way, which site (what one
input alone, or two together, would take to change the answer), Network and Marginal
values (when the network was optimized: who serves whom, and what the next unit sold or of capacity
is worth), Risk (when a risk run is given), Inputs (every data-pack value each site's cost rests on)
and Sources. Every header names its unit; money is in the profile's currency, formatted with
thousands separators; headers are frozen and filterable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kopru.costs import component_label
from kopru.datapack import DataPack
from kopru.display import KIND_NAMES, subject_names
from kopru.errors import UnknownSite
from kopru.planner import Plan

HEADER_FILL = PatternFill("solid", fgColor="1F3B5A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MONEY = "#,##0"
MONEY_2 = "#,##0.00"
SHARE = "0.0%"
NUMBER = "#,##0.0"
Column = tuple[str, str | None]  # header, number format
Sheet = tuple[list[Column], list[list[Any]], list[str]]  # columns, rows, notes under the table


def write_plan_workbook(
    plan: Plan,
    path: str | Path,
    risk: Mapping[str, Any] | None = None,
    pack: DataPack | None = None,
) -> Path:
    """Write ``plan.xlsx`` for ``plan`` (and a risk view, as the report keeps it); ``pack`` names
    the legs' ends, whose value each input is and what each quantity means."""
    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    cur = plan.currency
    names = {s.id: s.name for s in plan.sites} | {m["id"]: m["name"] for m in plan.markets}
    nodes = dict(zip(pack.nodes["id"], pack.nodes["name"], strict=True)) if pack is not None else {}
    subjects = subject_names(pack) if pack is not None else {}
    labels = {q: str(d.get("description", q)) for q, d in pack.quantities.items()} if pack is not None else {}
    _summary(book.create_sheet("Summary"), plan)
    add_sheet(book, "Ranking", *_ranking(plan, cur))
    add_sheet(book, "Costs", *_costs(plan, cur))
    add_sheet(book, "By market", *_by_market(plan, cur, names))
    add_sheet(book, "Routes", *_routes(plan, names, nodes))
    add_sheet(book, "Incentives", *_incentives(plan, cur))
    if any(s.sources for s in plan.sites):
        add_sheet(book, "Materials bought", *_materials_bought(plan, cur))
    add_sheet(book, "Cash flows", *_cash_flows(plan, cur))
    if plan.switching is not None:
        add_sheet(book, "Switching values", *_switching(plan))
        add_sheet(book, "Tornado", *_tornado(plan))
        if plan.switching.two_way is not None:
            add_sheet(book, "Two-way", *_two_way(plan))
        if plan.switching.two_way_site is not None:
            add_sheet(book, "Two-way, which site", *_two_way(plan, "two_way_site"))
    if plan.network is not None and plan.network.objective is not None:
        add_sheet(book, "Network", *_network(plan, names))
        if plan.network.marginals is not None and plan.network.marginals.markets:
            add_sheet(book, "Marginal values", *_marginals(plan))
    if risk is not None:
        add_sheet(book, "Risk", *_risk(risk, names))
    add_sheet(book, "Inputs", *_inputs(plan, subjects, labels))
    add_sheet(book, "Sources", *_sources(plan))
    book.save(path)
    return path


def _summary(ws: Worksheet, plan: Plan) -> None:
    rec = plan.recommendation
    oldest = plan.oldest_input or {}
    base_oldest = plan.oldest_baseline_input or {}
    rows: list[tuple[str, Any, str | None]] = [
        ("Company", plan.company, None),
        ("Product", f"{plan.product} (HS {plan.hs})", None),
        ("Recommendation", rec.text, None),
        (f"Recommended site's annual landed cost ({plan.currency})", rec.total, MONEY),
        (f"Cost per unit ({plan.currency})", rec.per_unit, MONEY_2),
        ("Best Turkish option", _name(plan, rec.baseline_site), None),
        (f"Its annual landed cost ({plan.currency})", rec.baseline_total, MONEY),
        ("Saving against it, after profit tax (negative: dearer)", rec.saving_pct, SHARE),
        ("Saving against it, before profit tax", rec.saving_pct_before_profit_tax, SHARE),
        *_appraisal_rows(plan),
        ("Plant size (units a year)", plan.volume, MONEY),
        ("Units sold a year (what per-unit costs divide by)", plan.units_sold, MONEY),
        ("Corridor parts closed", ", ".join(plan.closed_parts or plan.disruptions) or "none", None),
        ("Countries avoided", ", ".join(plan.avoid) or "none", None),
        (
            "Borrowed values at their unfavourable end",
            plan.borrowed_stress.text if plan.borrowed_stress else "nothing borrowed",
            None,
        ),
        (
            "Switching values (one input at a time)",
            plan.switching.text if plan.switching else "not computed",
            None,
        ),
        (
            "Oldest input of the recommended site",
            f"{oldest.get('what', '—')} ({oldest.get('year', '—')})",
            None,
        ),
        (
            "Oldest input of the Turkish baseline",
            f"{base_oldest.get('what', '—')} ({base_oldest.get('year', '—')})",
            None,
        ),
        ("Data pack", plan.data_pack_version, None),
        ("Made by", f"kopru {plan.kopru_version}, {plan.created}", None),
    ]
    ws.append(["", ""])
    ws["A1"], ws["B1"] = "What", "Value"
    _style_header(ws, 2)
    for label, value, fmt in rows:
        _append(ws, [label, value])
        if fmt:
            ws.cell(ws.max_row, 2).number_format = fmt
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def _appraisal_rows(plan: Plan) -> list[tuple[str, Any, str | None]]:
    """The recommended site's investment case: capex, NPV, IRR and payback, with their basis."""
    rec = plan.recommendation
    site = plan.site(rec.site) if rec.site else None
    a = site.appraisal if site else None
    if a is None:
        return []
    cur = plan.currency
    capex = sum(a.cash_flows.capex)
    return [
        (f"Investment of the recommended site ({cur})", -capex if capex < 0 else capex, MONEY),
        (f"NPV over the plant's life at a WACC of {a.wacc:.1%} ({cur})", a.npv, MONEY),
        ("IRR", a.irr, SHARE),
        ("Payback (years after construction, undiscounted)", a.payback_years, NUMBER),
        (
            f"NPV of moving from {_name(plan, rec.baseline_site)} ({cur})",
            a.vs_baseline.npv if a.vs_baseline else None,
            MONEY,
        ),
    ]


def _cash_flows(plan: Plan, cur: str) -> tuple[list[Column], list[list[Any]]]:
    """Year by year, the recommended site's and the baseline's cash flows (the NPV's inputs)."""
    cols: list[Column] = [("Site", None), ("Year (0: construction)", "0")]
    labels = {  # costs are shown as positive amounts; the free cash flow is revenue less them, plus terminal
        "revenue": "Revenue",
        "operating": "Operating costs",
        "tax": "Taxes paid",
        "capex": "Capex",
        "working_capital": "Working capital added",
        "terminal": "Terminal value",
        "free": "Free cash flow",
    }
    parts = tuple(labels)
    cols += [(f"{labels[p]} ({cur})", MONEY) for p in parts]
    rows = []
    rec = plan.recommendation
    for sid in dict.fromkeys(s for s in (rec.site, rec.baseline_site) if s):
        site = plan.site(sid)
        if site.appraisal is None:
            continue
        cf = site.appraisal.cash_flows
        for k, year in enumerate(cf.year):
            rows.append([site.name, year, *(getattr(cf, p)[k] for p in parts)])
    return cols, rows


def _name(plan: Plan, site_id: str | None) -> str:
    if site_id is None:
        return "—"
    try:
        return plan.site(site_id).name
    except UnknownSite:
        return site_id


def _ranking(plan: Plan, cur: str) -> tuple[list[Column], list[list[Any]]]:
    base = plan.recommendation.baseline_total
    cols = [
        ("Rank", "0"),
        ("Site", None),
        ("Country", None),
        ("Kind", None),
        (f"Annual landed cost ({cur}/yr)", MONEY),
        (f"Cost per unit ({cur})", MONEY_2),
        ("Saving vs best Turkish option (%; negative: dearer)", SHARE),
        (f"NPV ({cur})", MONEY),
        ("IRR (%)", SHARE),
        ("Payback (years after construction, undiscounted)", NUMBER),
        ("Site id", None),
    ]
    rows = []
    for sid in plan.ranking:
        s = plan.site(sid)
        a = s.appraisal
        total = s.landed_cost.total
        saving = (base - total) / base if base and total is not None else None
        rows.append(
            [
                s.rank,
                s.name,
                s.country,
                _kind(s),
                total,
                s.landed_cost.per_unit,
                saving,
                a.npv if a else None,
                a.irr if a else None,
                a.payback_years if a else None,
                s.id,
            ]
        )
    return cols, rows


def _kind(site: Any) -> str:
    """What kind of site, in words; an expanded plant's IRR and payback are its expansion's."""
    expanded = site.existing and site.landed_cost.expansion > 0
    return KIND_NAMES.get(site.kind, site.kind) + ("; IRR and payback of its expansion" if expanded else "")


def _costs(plan: Plan, cur: str) -> tuple[list[Column], list[list[Any]]]:
    cols: list[Column] = [("Site", None), ("Country", None)]
    cols += [(f"{component_label(c).capitalize()} ({cur}/yr)", MONEY) for c in plan.components]
    cols += [
        (f"Profit tax, part of taxes ({cur}/yr)", MONEY),
        (f"Total ({cur}/yr)", MONEY),
        ("Units a year", MONEY),
        # an existing plant's capacity includes the expansion its cost pays for (a CFO review: the
        # header still said such a plant shows above 100 %)
        ("Units sold / capacity (%; an existing plant's capacity includes its expansion)", SHARE),
        ("Expansion of an existing plant (units a year)", MONEY),
    ]
    rows = []
    for sid in plan.ranking:
        s = plan.site(sid)
        lc = s.landed_cost
        rows.append(
            [
                s.name,
                s.country,
                *(lc.components.get(c) for c in plan.components),
                lc.profit_tax,
                lc.total,
                lc.units,
                lc.utilisation,
                lc.expansion if s.existing else None,
            ]
        )
    return cols, rows


def _by_market(plan: Plan, cur: str, names: dict[str, str]) -> tuple[list[Column], list[list[Any]]]:
    cols: list[Column] = [("Site", None), ("Market", None), (f"Cost per unit delivered ({cur})", MONEY_2)]
    cols += [(f"{component_label(c).capitalize()} ({cur}/unit)", MONEY_2) for c in plan.components]
    cols += [
        ("Demand (units/yr)", MONEY),
        (f"Annual ({cur}/yr)", MONEY),
        ("Import duty (%)", "0.0"),
        ("Specific minimum duty (EUR/kg)", "0.00"),
        ("Duty basis", None),
        ("Transit (days)", NUMBER),
    ]
    rows = []
    for sid in plan.ranking:
        s = plan.site(sid)
        for mid, mc in s.by_market.items():
            rows.append(
                [
                    s.name,
                    names.get(mid, mid),
                    mc.per_unit,
                    *(mc.components.get(c) for c in plan.components),
                    mc.demand,
                    mc.annual,
                    mc.duty.get("rate_pct"),
                    mc.duty.get("min_eur_per_kg") or None,
                    mc.duty.get("basis"),
                    mc.transit_days,
                ]
            )
    return cols, rows


def _routes(plan: Plan, names: dict[str, str], nodes: dict[str, str]) -> tuple[list[Column], list[list[Any]]]:
    cols: list[Column] = [
        ("Site", None),
        ("Market", None),
        ("Leg", "0"),
        ("From", None),
        ("To", None),
        ("Mode", None),
        ("Distance (km)", MONEY),
        ("Days", NUMBER),
        ("Cost (USD/TEU)", MONEY),
        ("Source", None),
    ]
    rows = []
    for sid in plan.ranking:
        s = plan.site(sid)
        for mid, mc in s.by_market.items():
            route = plan.routes.get(mc.route or "")
            for i, leg in enumerate(route.legs if route else [], start=1):
                rows.append(
                    [
                        s.name,
                        names.get(mid, mid),
                        i,
                        nodes.get(leg["from"]) or _place(leg["from"]),
                        nodes.get(leg["to"]) or _place(leg["to"]),
                        leg["mode"],
                        leg.get("distance_km"),
                        leg.get("days"),
                        leg.get("cost_usd_per_teu"),
                        leg.get("source"),
                    ]
                )
    return cols, rows


def _place(node: str) -> str:
    """A node the data pack does not name: its id as words (aktau_port -> Aktau port)."""
    return node.replace("_", " ").capitalize()


def _incentives(plan: Plan, cur: str) -> tuple[list[Column], list[list[Any]]]:
    cols: list[Column] = [
        ("Site", None),
        ("Incentive", None),
        ("Scheme", None),
        ("Status", None),
        (f"Annual value ({cur}/yr)", MONEY),
        ("Years", "0.0"),  # a zone's term or a capped relief gives fractions of a year
        ("Legal basis", None),
        ("Note", None),
    ]
    rows = [
        [s.name, i.name, i.scheme, i.status, i.annual_value, i.years, i.legal_basis, i.note]
        for sid in plan.ranking
        for s in [plan.site(sid)]
        for i in s.incentives
    ]
    return cols, rows


def _materials_bought(plan: Plan, cur: str) -> Sheet:
    """Where each site buys each input that has other sources, and what every source lands it for."""
    cols: list[Column] = [
        ("Site", None),
        ("Rank", "0"),
        ("Material", None),
        ("Bought from", None),
        (f"Landed ({cur}/unit)", "#,##0.000"),
        ("The other sources would land it at", None),
    ]
    rows = [
        [
            site.name,
            site.rank,
            s.material,
            "locally" if s.origin == "local" else s.name,
            s.landed,
            "; ".join(
                f"{name} {v:,.3f}" if v is not None else f"{name}: no route"
                for name, v in s.landed_by_source.items()
                if name != s.name
            ),
        ]
        for site in sorted(plan.sites, key=lambda x: (x.rank is None, x.rank or 0))
        for s in site.sources
    ]
    notes = [
        "Landed: price, inbound freight and the import duty due on the site's market mix (inputs of"
        " exported units may be duty-free), per unit of product; each site buys where it is least."
    ]
    return cols, rows, notes


def _risk(risk: Mapping[str, Any], names: dict[str, str]) -> Sheet:
    cur = risk.get("currency", "")
    money = [(f"{k} ({cur}/yr)", MONEY) for k in ("Mean", "p5", "p50", "p95", "CVaR95")]
    cols: list[Column] = [
        ("Site", None),
        *money,
        ("P(best) (%)", SHARE),
        (f"Expected regret ({cur}/yr)", MONEY),
        ("Same cost in every draw as", None),
    ]
    rows = [
        [
            s.get("name") or names.get(s["id"], s["id"]),
            s["mean"],
            s["p5"],
            s["p50"],
            s["p95"],
            s["cvar95"],
            s["p_best"],
            s["expected_regret"],
            ", ".join(names.get(i, i) for i in s.get("same_draws_as") or ()),
        ]
        for s in risk["sites"]
    ]
    notes = [f"{risk['samples']:,} samples, seed {risk['seed']}"]
    if any(s.get("same_draws_as") for s in risk["sites"]):
        notes.append(
            "Sites with the same cost in every draw: each draw's tie counts for one of them, so P(best)"
            " is theirs together."
        )
    return cols, rows, notes


def _switching(plan: Plan) -> Sheet:
    """How far each input must move alone to change the answer, most likely first."""
    v = plan.switching
    assert v is not None
    cols: list[Column] = [
        ("Input, alone", None),
        ("Switching value (move from the data pack's)", None),
        ("Then first", None),
        ("What changes", None),
        ("Share of its distribution beyond", None),
    ]
    rows = [[r["input"], r["change"], r["first"], r["what"], r["chance"]] for r in v.rows()]
    return cols, rows, [v.note]


def _network(plan: Plan, names: Mapping[str, str]) -> Sheet:
    """The optimized network: each flow from an open site to a market, with the site's use."""
    n = plan.network
    assert n is not None
    cur = plan.currency
    cols: list[Column] = [
        ("Open site", None),
        ("Capacity (units/yr)", MONEY),
        ("Utilisation", SHARE),
        (f"Fixed cost ({cur}/yr)", MONEY),
        ("Market", None),
        ("Units a year", MONEY),
        ("Share of the market", SHARE),
        (f"Variable cost ({cur}/yr)", MONEY),
    ]
    sites = {o.site: o for o in n.open}
    rows = [
        [
            *(names.get(f.site, f.site), sites[f.site].capacity, sites[f.site].utilisation),
            *(sites[f.site].fixed_cost, names.get(f.market, f.market), f.units, f.share, f.cost),
        ]
        for f in n.flows
        if f.site in sites
    ]
    return cols, rows, [f"Total {n.objective:,.0f} {cur} a year ({n.status}, gap {n.gap or 0:.4%})"]


def _marginals(plan: Plan) -> Sheet:
    """What the next unit sold in each market, or of capacity at each open site, is worth."""
    m = plan.network.marginals if plan.network is not None else None
    assert m is not None
    cur = plan.currency
    cols: list[Column] = [
        ("Market or open site", None),
        ("Demand or capacity (units/yr)", MONEY),
        (f"One more unit adds ({cur}/unit) or saves ({cur}/yr)", MONEY_2),
        ("Holds up to (units/yr)", MONEY),
        (f"One unit fewer saves ({cur}/unit) or costs ({cur}/yr)", MONEY_2),
        ("Holds down to (units/yr)", MONEY),
        (f"Price ({cur}/unit)", MONEY_2),
        (f"Earns over that cost ({cur}/unit)", MONEY_2),
    ]
    rows: list[list[Any]] = [
        [x.name, x.demand, x.cost, x.cost_holds_to, x.saving, x.saving_holds_to, x.price, x.margin]
        for x in m.markets
    ]
    rows += [
        [f"capacity at {c.name}", c.capacity, c.value, c.value_holds_to, c.loss, c.loss_holds_to, None, None]
        for c in m.capacity
    ]
    return cols, rows, [m.text, f"Held fixed: {m.held_fixed}."]


def _two_way(plan: Plan, which: str = "two_way") -> Sheet:
    """Two inputs together, rows the first, columns the second: the tornado's two widest and the
    saving over the comparator ("two_way"), or the two that move the lead over the best other site
    most and that lead ("two_way_site")."""
    v = plan.switching
    t = getattr(v, which) if v is not None else None
    assert v is not None and t is not None
    cols: list[Column] = [(f"{t.rows.label} (down) / {t.columns.label} (across)", None)]
    fmt = "+0.00%" if t.measure == "lead" else SHARE
    cols += [(f"{p:g}th: {c}", fmt) for p, c in zip(t.percentiles, t.columns.changes, strict=True)]
    rows: list[list[Any]] = [
        [f"{p:g}th: {c}", *t.saving_pct[i]]
        for i, (p, c) in enumerate(zip(t.percentiles, t.rows.changes, strict=True))
    ]
    others = sorted({(i, j) for i, r in enumerate(t.first) for j, f in enumerate(r) if f != v.site})
    notes = [
        f"{t.rows.changes[i]} with {t.columns.changes[j]}: {t.first_name[i][j]} first" for i, j in others
    ]
    what = f"saving over {v.comparator}" if t.measure == "saving" else "lead over the best other site"
    notes.append(f"{v.name}'s {what} (share of that site's cost); {v.note}")
    return cols, rows, notes


# what a tornado input's percentiles are, by its kind (a CFO review: one unlabelled column mixed
# multipliers, growth rates and duty points)
PERCENTILE_KINDS = {
    "factor": "a multiple of the data pack's value (1 = unchanged)",
    "rate": "a growth over the year (0.10 = 10 %)",
}


def _tornado(plan: Plan) -> Sheet:
    """The saving over the comparator with each input alone at its 5th and 95th percentiles."""
    v = plan.switching
    assert v is not None
    cur = plan.currency
    cols: list[Column] = [
        ("Input", None),
        ("What its percentiles are", None),
        ("Its 5th percentile", "0.000"),
        ("Its 95th percentile", "0.000"),
        (f"Saving at the 5th ({cur}/yr)", MONEY),
        (f"Saving at the 95th ({cur}/yr)", MONEY),
        ("Saving at the 5th (% of the comparator)", SHARE),
        ("Saving at the 95th (% of the comparator)", SHARE),
        (f"Lead over the best other site at the 5th ({cur}/yr)", MONEY),
        (f"Lead over the best other site at the 95th ({cur}/yr)", MONEY),
    ]
    rows = [
        [
            s.label,
            PERCENTILE_KINDS.get(s.kind, "a change in percentage points"),
            *(s.low, s.high, s.saving_low, s.saving_high, s.saving_pct_low, s.saving_pct_high),
            *(s.lead_low, s.lead_high),
        ]
        for s in v.swings
    ]
    at_base = (
        f"At the plan's values, the saving over {v.comparator}: {v.saving:,.0f} {cur} a year,"
        f" {v.saving_pct:.1%}"
    )
    return cols, rows, [at_base]


def _inputs(
    plan: Plan, subjects: Mapping[str, str], labels: Mapping[str, str]
) -> tuple[list[Column], list[list[Any]]]:
    cols: list[Column] = [
        ("Site", None),
        ("Quantity", None),
        ("Value", "General"),  # '#,##0.####' shows 6 as '6.' in Excel
        ("Unit", None),
        ("Year", "0"),
        ("Whose value", None),
        ("Assumption", None),
        ("Source", None),
        ("Note", None),
        ("As costed, USD (at its currency's rate, grown to the rate's year)", "General"),
        ("Its unit", None),
    ]

    def row(site: str, p: Any, key: str = "") -> list[Any]:
        label, whose = labels.get(p.quantity, p.quantity), subjects.get(p.subject, p.subject)
        if key.endswith("_after_relief"):
            label += ", once the SEZ relief has ended"
        assumed = "yes" if p.assumption else ""
        costed = [p.costed, p.costed_unit or ""]
        return [site, label, p.value, p.unit, p.year, whose, assumed, p.source, p.note, *costed]

    rows = [row(s.name, p, k) for sid in plan.ranking for s in [plan.site(sid)] for k, p in s.inputs.items()]
    rates = [row("every site", r) for r in plan.exchange_rates]
    return cols, rows + rates


def _sources(plan: Plan) -> tuple[list[Column], list[list[Any]]]:
    cols: list[Column] = [
        ("Id", None),
        ("Title", None),
        ("Publisher", None),
        ("Year", None),
        ("Address", None),
    ]
    rows = [
        [s.get("id"), s.get("title"), s.get("publisher"), s.get("year"), s.get("url")] for s in plan.sources
    ]
    return cols, rows


def add_sheet(
    book: Workbook,
    title: str,
    cols: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    notes: Sequence[str] = (),
) -> None:
    """A sheet of ``rows`` under ``cols`` (header, number format): frozen, filterable headers; then
    ``notes``, each in a row of its own under a blank one, outside the filter (sorting leaves them)."""
    ws = book.create_sheet(title)
    _append(ws, [c for c, _ in cols])
    _style_header(ws, len(cols))
    for row in rows:
        _append(ws, row)
    for j, (header, fmt) in enumerate(cols, start=1):
        letter = get_column_letter(j)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
        longest = max([len(header)] + [len(str(r[j - 1])) for r in rows[:200] if r[j - 1] is not None])
        ws.column_dimensions[letter].width = min(max(10, longest + 2), 60)
    ws.freeze_panes = "B2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(rows) + 1}"
    if notes:
        ws.append([])
        for note in notes:
            _append(ws, [note])
            ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=False)


def _append(ws: Worksheet, values: Sequence[Any]) -> None:
    """A row of values, each text as text: openpyxl makes a formula of any text that starts with
    '=', so a company named '=HYPERLINK(...)' would be a live link in the user's Excel (a web
    review); the workbook has no formulas of its own."""
    ws.append([_cell(v) for v in values])
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN: an empty cell, never the text 'nan'
        return None
    if isinstance(value, list | tuple | dict):
        value = str(value)
    if isinstance(value, str):  # a control character in a name (BEL, ESC) is illegal in a workbook
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _style_header(ws: Worksheet, n: int) -> None:
    for j in range(1, n + 1):
        cell = ws.cell(1, j)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = 30
