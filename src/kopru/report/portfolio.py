"""What a matchmaking run hands to people: a report with the map of the portfolio, a one-page pitch
sheet per enterprise and an Excel workbook, written to one folder with ``match.json``.

The map, like the plan report's, draws regions as polygons on plain axes (no tiles, no CDN); the
pages inline plotly.js and work offline. A pitch sheet compares the enterprise's landed cost per
unit in its zone with its Turkish baseline component by component, lists the zone's incentives
with their legal basis, and the routes to its markets.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, Template, select_autoescape
from markupsafe import Markup, escape

from kopru import basemap, datapack, plotlyjs
from kopru.appraisal import finite, irr, npv, payback_years
from kopru.costs import COMPONENTS, component_label
from kopru.datapack import DataPack
from kopru.display import COUNTRY_NAMES
from kopru.language import ENGLISH, LANGUAGES, Words, check_language
from kopru.matchmaking import MatchResult
from kopru.matchmaking.pairs import SCALE_FLAG, unit_components
from kopru.matchmaking.portfolio import check_surface
from kopru.report.charts import narrow_screens_js
from kopru.report.folder import prepare_folder

_env = Environment(
    loader=PackageLoader("kopru", "report/templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
KIND_COLOUR = {"sez": "#1f3b73", "iz": "#2a9d8f"}
# the pipeline's field names as a reader says them, on the pitch sheets
ESTIMATE_WORDS = {
    "volume": "output",
    "investment_usd": "investment",
    "jobs": "jobs",
    "land_ha": "land",
    "power_mw": "power",
    "water_m3_day": "water",
    "home_province": "home province",
}
_env.filters["estimate_word"] = lambda name: ESTIMATE_WORDS.get(name, name.replace("_", " "))
_env.filters["country"] = lambda code: COUNTRY_NAMES.get(code, code)


def match_map(result: MatchResult, pack: DataPack) -> go.Figure:
    """Regions shaded by the jobs the portfolio brings, zones sized by the enterprises they host."""
    jobs = {}
    for a in result.assignment_rows():
        jobs[a["region"]] = jobs.get(a["region"], 0.0) + (a["jobs"] or 0.0)
    top = max(jobs.values(), default=0.0) or 1.0
    fig = go.Figure()
    names = pack.regions["name"].to_dict()
    basemap.add_regions(
        fig,
        pack,
        {iso: jobs.get(iso, 0.0) for iso in names},
        hover={
            iso: f"{name}: {jobs.get(iso, 0.0):,.0f} jobs in the portfolio" for iso, name in names.items()
        },
        colorscale=[[0, "rgba(42, 157, 143, 0.08)"], [1, "rgba(42, 157, 143, 0.68)"]],
        colorbar_title="jobs",
        zrange=(0.0, top),
    )
    zones = result.zone_rows()
    hosted: dict[str, list[str]] = {}
    for a in result.assignment_rows():
        hosted.setdefault(a["zone"], []).append(a["name"])
    for kind, label in (("sez", "SEZ"), ("iz", "industrial zone")):
        group = [z for z in zones if z["kind"] == kind]
        fig.add_scattergeo(
            lon=[z["lon"] for z in group],
            lat=[z["lat"] for z in group],
            mode="markers",
            name=label,
            marker=dict(
                size=[8 + 4 * math.sqrt(z["enterprises"]) * 2 for z in group],
                color=KIND_COLOUR[kind],
                opacity=[0.9 if z["enterprises"] else 0.35 for z in group],
                line=dict(color="white", width=1),
            ),
            text=[
                f"{z['name']}: {z['enterprises']} enterprise(s)"
                + ("<br>" + "<br>".join(hosted[z["id"]][:12]) if z["id"] in hosted else "")
                for z in group
            ],
            hoverinfo="text",
        )
    fig.update_layout(
        height=560,
        margin=dict(l=10, r=10, t=40, b=10),
        title="The portfolio: zones by the enterprises they host, regions by the jobs",
        legend=dict(orientation="h", y=-0.02),
        geo=basemap.geo_layout(lon_range=(45.0, 90.0), lat_range=(39.0, 56.5)),
    )
    return fig


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80] or "enterprise"


def pitch_files(ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Each enterprise's pitch sheet, ``pitch/<id>.html``; ids that read alike as file names ('a/b'
    and 'a_b', or 'A_B' on a file system that ignores case) get -2, -3: no sheet overwrites another."""
    files: dict[str, str] = {}
    taken: set[str] = set()
    for eid in ids:
        stem = _slug(eid)
        name, n = stem, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        files[eid] = f"pitch/{name}.html"
    return files


def pitch_rows(result: MatchResult, e: int, words: Words = ENGLISH, surface: str = "cli") -> dict[str, Any]:
    """Everything a pitch sheet shows for enterprise ``e``: its zone (or best zone), the cost per
    unit there and at its Turkish baseline by component, the zone's incentives and routes; the
    sentences kopru writes (why it is not placed, what speaks for each zone) in ``words``' language,
    naming options as ``surface`` asks for them (:data:`kopru.matchmaking.portfolio.SURFACES`)."""
    df, p, zones = result.pipeline.table, result.pairs, result.zones.table
    row = df.iloc[e]
    # the template as costed for this enterprise: its own SEZ relief category
    t = result.templates[row["template"]].in_category(p.category[e])
    assigned = int(result.assignment[e])
    best = result._best_zones(e, words=words)
    z = assigned if assigned >= 0 else (zones["id"].tolist().index(best[0]["zone"]) if best else -1)
    out: dict[str, Any] = {
        "id": row["id"],
        "name": row["name"],
        "parent": row["parent"],
        "sector": row["sector"],
        "template": row["template"],
        "product": t.profile.product,
        "status": row["status"],
        "date": row["date"],
        "source": row["source"],
        "quote": row["quote"],
        "note": row["note"],
        "volume": p.volume[e],
        # its output over its template's; far from 1 its figures are the template's scaled linearly
        "scale": float(p.scale[e]) if p.scale[e] == p.scale[e] else None,
        "scale_flag": SCALE_FLAG,
        "jobs": p.jobs[e],
        "investment": p.investment[e],
        "estimated": p.estimated[e],
        "sez_category": p.category[e],
        "hurdle": p.hurdle[e],
        "assigned": assigned >= 0,
        "why_not": None if assigned >= 0 else result.why_not(e, words, surface),
        "best_zones": best,
        "avoided": [COUNTRY_NAMES.get(c, c) for c in result.avoid],
        "zone": None,
        **result.provenance,
    }
    if z < 0:
        return out
    home = row["home_province"] or t.home
    zone_site, base_site = zones["site"].iloc[z], home
    comp_zone = unit_components(t, row["markets"], t.site(zone_site))
    comp_base = unit_components(t, row["markets"], t.site(base_site))
    pre = t.inputs
    site_index = t.site(zone_site)
    routes = t.market_routes(site_index, row["markets"])
    out["zone"] = {
        "id": zones["id"].iloc[z],
        "name": zones["name"].iloc[z],
        "region": zones["region"].iloc[z],
        "baseline_province": _province(pre, base_site),
        "advantage": float(p.advantage[e, z]),
        "saving": float(p.saving[e, z]),
        "confirmed": bool(p.confirmed[e, z]),
        "components": [
            {
                "name": c,
                "label": component_label(c),
                "zone": float(comp_zone[k]),
                "baseline": float(comp_base[k]),
            }
            for k, c in enumerate(COMPONENTS)
        ],
        "total_zone": float(np.sum(comp_zone)),
        "total_baseline": float(np.sum(comp_base)),
        # the template's annual values, scaled to the enterprise's size
        "incentives": [
            {
                **i.as_dict(),
                "annual_value": None if i.annual_value is None else i.annual_value * p.volume[e] / t.volume,
                # applied with no year left (the zone's term ends before the plant starts): ended
                "status": "ended" if i.status == "applied" and i.years == 0 else i.status,
                "term": _term(i.years, words),
            }
            for i in pre.incentives[site_index]
        ],
        "routes": routes,
        "facts": _zone_facts(pre, site_index),
        "appraisal": _appraisal(
            t,
            row["markets"],
            (site_index, t.site(base_site)),
            p.volume[e] / t.volume,
            np.nan if "investment_usd" in p.estimated[e] else p.investment[e],
        ),
    }
    rows = [*out["zone"]["incentives"], *out["zone"]["facts"]]
    cited = {i for r in rows for i in str(r["source"]).split(";")}
    out["zone"]["sources"] = _source_titles(pre.pack, cited)
    return out


def _appraisal(
    t: Any, markets: tuple[str, ...], sites: tuple[int, int], scale: float, stated: float
) -> dict[str, Any]:
    """The zone's plant and the baseline's over the plant's life (kopru.valuation): capex, NPV at the
    template's WACC, IRR and payback of each, and of producing in the zone rather than at home (the
    difference of their cash flows); USD, both plants the enterprise's size. ``stated``: the
    investment the enterprise's row gives (NaN: none), against the template's capex scaled."""
    free = t.free_cash_usd(tuple(markets), scale)[list(sites)]
    capex = t.cash_flows(tuple(markets)).capex[list(sites)].sum(axis=1) * scale / t.inputs.fx
    wacc = t.profile.wacc

    def measures(series: np.ndarray) -> dict[str, Any]:
        return {
            "npv": finite(float(npv(wacc, series))),
            "irr": finite(irr(series)),
            "payback_years": finite(payback_years(series)),
            # it needs cash in some year, so a payback is due (none when it never does)
            "outlay": bool((np.cumsum(series) < 0).any()),
        }

    # a row's stated investment is not what the cash flows spend when its size came from elsewhere
    differs = bool(np.isfinite(stated) and abs(capex[0] / stated - 1.0) > 0.1) if stated > 0 else False
    return {
        "wacc": wacc,
        "years": t.profile.lifetime_years,
        "terminal_growth": t.profile.appraisal.terminal_growth,
        "zone": {"capex": float(capex[0]), **measures(free[0])},
        "baseline": {"capex": float(capex[1]), **measures(free[1])},
        "move": measures(free[0] - free[1]),
        "stated_investment": float(stated) if differs else None,
    }


def _source_titles(pack: Any, ids: set[str]) -> dict[str, dict[str, str]]:
    """Title, publisher, year and address of each cited source id the data pack knows: an investor
    reads "Law 242-VI ... (adilet.zan.kz, 2019)", not "sez_law_242vi"."""
    table = pack.sources
    out = {}
    for sid in sorted(i.strip() for i in ids if i.strip() in table.index):
        row = table.loc[sid]
        out[sid] = {
            "title": str(row["title"]),
            "publisher": str(row["publisher"]),
            "year": str(row["year"]),
            "url": str(row["url"]) if str(row["url"]).startswith("http") else "",
        }
    return out


# what an investor asks of a zone first, from the data pack values its costs rest on
ZONE_FACTS = {
    "wage": "average wage",
    "electricity_price_industrial": "electricity for industry",
    "gas_price_industrial": "gas for industry",
    "land_lease": "land lease",
    "corporate_income_tax": "corporate income tax",
    "property_tax": "property tax",
    "customs_duty_on_inputs": "customs duty on imported inputs",
}


# the tax rates the cost engine uses over the plant's life, incentives and their terms applied
COSTED_RATES = {"corporate_income_tax": "corporate_tax_rate", "property_tax": "property_tax_rate"}


def _zone_facts(pre: Any, site: int) -> list[dict[str, Any]]:
    """The zone's wage, energy prices, land and tax rates, each with its unit, year and source, and
    whether it is an assumption or another place's figure; a tax rate the plant does not pay all
    its life (a zone's relief that ends with its term) with the rate it is costed at."""
    params = pre.inputs.params[site]
    own = {pre.sites["id"].iloc[site], pre.sites["region"].iloc[site], pre.sites["country"].iloc[site]}
    out = []
    for key, label in ZONE_FACTS.items():
        if key not in params:
            continue
        fact = {
            "what": label,
            "value": params[key].value,
            "unit": params[key].unit,
            "year": params[key].year,
            "source": params[key].source,
            "caveat": "assumption"
            if params[key].assumption
            else ("" if params[key].subject in own else "borrowed"),
            "costed": None,
        }
        if key in COSTED_RATES and params[key].unit == "%":
            costed = 100.0 * float(
                np.broadcast_to(getattr(pre.x, COSTED_RATES[key]), (len(pre.sites),))[site]
            )
            if abs(costed - params[key].value) > 0.005:
                fact["costed"] = costed
        out.append(fact)
    return out


def _term(years: float | None, words: Words) -> str:
    """How long an incentive lasts, as the pitch says it."""
    if years is None:
        return words("the plant's life or the zone's term")
    if years == 0:
        return words("ended before the plant's first year")
    return (
        words.plural("%(n)s year", "%(n)s years", int(years))
        if float(years).is_integer()
        else words("%(years)s years", years=words.number(years, 1))
    )


def _province(pre: Any, site_id: str) -> str:
    """The baseline plant's province and code, 'Konya (TR-42)': a place name in every language."""
    sites = pre.sites.set_index("id")
    if site_id not in sites.index:
        return site_id
    region = str(sites.at[site_id, "region"])
    names = pre.pack.provinces["name"]
    return f"{names.get(region, region)} ({region})"


def render_match_html(
    result: MatchResult,
    pack: DataPack,
    languages: tuple[str, ...] = (),
    pitch_link: Callable[[str, str | None], str] | None = None,
    surface: str = "cli",
) -> str:
    """The matchmaking report; ``languages`` are those the pitch sheets are also written in (linked
    from each row). ``pitch_link(enterprise, language or None)`` is each sheet's address: by
    default the files :func:`write_match_folder` writes beside the report, ``pitch/<lang>/<id>.html``
    (a server gives its own addresses, as a downloaded report has no such files beside it).
    ``surface`` "web" names the options as the Match page asks for them, not as flags."""
    if pitch_link is None:
        files = pitch_files(result.pipeline.ids)

        def pitch_link(eid: str, lang: str | None = None) -> str:
            return files[eid] if lang is None else files[eid].replace("pitch/", f"pitch/{lang}/", 1)

    to_div = dict(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    data = result.as_dict(check_surface(surface))
    env = _env.overlay()
    regions = pack.regions["name"].to_dict()
    # a dict of its own: overlay() shares the parent's filters
    env.filters = {**_env.filters, "name": lambda key: regions.get(key, key)}  # a zone's region
    return env.get_template("match.html.j2").render(
        d=data,
        plotlyjs=plotlyjs.script(),
        narrow_js=narrow_screens_js(),
        basemap=basemap.preload_script(),
        map=match_map(result, pack).to_html(div_id="match-map", **to_div),
        pitch=pitch_link,
        languages=languages,
        avoided=[COUNTRY_NAMES.get(c, c) for c in result.avoid],
        surface=surface,
        around_box=around_box(pack),
    )


def around_box(pack: DataPack) -> str:
    """The Match page's check box that routes around the countries under restrictions, as its
    label reads (kopru.web's match.html writes it from the same table)."""
    return "routes around " + ", ".join(COUNTRY_NAMES.get(c, c) for c in pack.table("restrictions").index)


def render_pitch_html(result: MatchResult, e: int, lang: str = "en", surface: str = "cli") -> str:
    """Enterprise ``e``'s pitch sheet in ``lang`` (``kopru.language.LANGUAGES``); ``surface`` "web"
    names the options as the Match page asks for them, not as flags."""
    words = Words(lang)
    html = _pitch_template(words.lang).render(s=pitch_rows(result, e, words, check_surface(surface)), w=words)
    if words.lang == "en":
        return html
    # the zones as the sheet's language names them (an analyst's review: 'Önerilen bölge: Aktobe
    # industrial zone'); the longest first, so that no name is renamed inside another
    for name in sorted(result.zones.table["name"], key=len, reverse=True):
        html = html.replace(str(escape(name)), str(escape(zone_name(name, words))))
    return html


def zone_name(name: str, words: Words) -> str:
    """A zone's data-pack name in ``words``' language where it has a regular form: 'SEZ Turan (formerly
    Turkistan)' -> 'Turan ÖEB (eski adı Turkistan)', 'Aktobe industrial zone' -> 'Aktobe sanayi
    bölgesi'; the place names themselves stay as the data pack spells them."""
    sez = re.fullmatch(r"SEZ (.+?)(?: \(formerly ([^)]+)\))?", name)
    if sez:
        said = words("SEZ %(name)s", name=sez.group(1))
        return said + (" " + words("(formerly %(name)s)", name=sez.group(2)) if sez.group(2) else "")
    zone = re.fullmatch(r"(.+?) industrial zone(?: \((.+)\))?", name)
    if zone:
        said = words("%(name)s industrial zone", name=zone.group(1))
        # a level is words; a place in brackets ('(Shymkent)') stays as the data pack spells it
        aside = zone.group(2) or ""
        aside = words("national level") if aside == "national level" else aside
        return said + (f" ({aside})" if aside else "")
    return name


def _has_words(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _message(words: Words, message: str, values: dict[str, Any]) -> Markup:
    """A template's own message (trusted: its HTML is kept) with the values escaped into it."""
    text = Markup(words(message))
    return text % values if values else text


@functools.cache
def _pitch_template(lang: str) -> Template:
    """The pitch sheet's template with ``_`` for its own messages (HTML in them kept, the values put
    into them escaped) and ``tr`` for words that come from data (escaped like any value)."""
    env = _env.overlay()
    words = Words(lang)
    # a unit such as "%" or "USD/TEU" is the same in every language (and "%" is no message)
    env.filters = {**_env.filters, "tr": lambda text: words(str(text)) if _has_words(str(text)) else text}
    env.globals = {**_env.globals, "_": lambda message, **values: _message(words, message, values)}
    return env.get_template("pitch.html.j2")


def write_workbook(result: MatchResult, path: str | Path, surface: str = "cli") -> Path:
    """The portfolio as an Excel workbook a promotion team forwards: Summary, Assignments,
    Enterprises, Zones, Unassigned, By region and Objectives; every header names its unit, money
    has thousands separators, shares are per cent, headers are frozen and filterable; ``surface``
    "web" names the options as the Match page asks for them."""
    from openpyxl import Workbook

    from kopru.report.workbook import MONEY, NUMBER, SHARE, add_sheet

    path = Path(path)
    data = result.as_dict(check_surface(surface))
    names = {z["id"]: z["name"] for z in data["zones"]}
    book = Workbook()
    book.remove(book.active)
    add_sheet(
        book,
        "Summary",
        [("item", None), ("value", MONEY), ("what it rests on", None)],
        _summary_rows(data, surface),
    )
    add_sheet(
        book,
        "Assignments",
        [
            ("enterprise", None),
            ("status", None),
            ("zone", None),
            ("region", None),
            ("saving vs Turkish baseline", SHARE),
            ("saving, USD a year", MONEY),
            ("NPV in the zone, USD", MONEY),
            ("NPV gain over the Turkish baseline, USD", MONEY),
            ("jobs", MONEY),
            ("investment, USD", MONEY),
            ("exports, USD a year", MONEY),
            ("value added, USD a year", MONEY),
            ("cost to the state, USD a year (estimate)", MONEY),
            ("SEZ eligibility", None),
            ("kopru's estimates", None),
        ],
        [
            [
                a["name"],
                a["status"] or "not stated",
                a["zone_name"],
                result.zones.region_names.get(a["region"], a["region"]),
                a["advantage"],
                a["saving_usd"],
                a["npv_usd"],
                a["npv_gain_usd"],
                round(a["jobs"] or 0),
                a["investment_usd"],
                a["exports_usd"],
                a["value_added_usd"],
                a["incentive_cost_usd"],
                "confirmed" if a["confirmed"] else "unconfirmed: check",
                ", ".join(ESTIMATE_WORDS.get(f, f) for f in a["estimated"]),
            ]
            for a in data["assignments"]
        ],
    )
    add_sheet(
        book,
        "Enterprises",
        [
            ("enterprise", None),
            ("sector", None),
            ("template", None),
            ("status", None),
            ("jobs", MONEY),
            ("investment, USD", MONEY),
            ("SEZ relief category", None),
            ("size, times the template", NUMBER),
            ("kopru's estimates", None),
            ("zone", None),
            ("best zone", None),
            ("source", None),
        ],
        [
            [
                r["name"],
                r["sector"].replace("_", " "),
                r["template"].replace("_", " "),
                r["status"] or "not stated",
                round(r["jobs"] or 0),
                r["investment_usd"],
                r["sez_category"],
                r["scale"],
                ", ".join(ESTIMATE_WORDS.get(f, f) for f in r["estimated"]),
                names.get(r["zone"], "") if r["zone"] else "not placed",
                r["best_zones"][0]["name"] if r["best_zones"] else None,
                r["source"],
            ]
            for r in data["enterprises"]
        ],
    )
    add_sheet(
        book,
        "Zones",
        [
            ("zone", None),
            ("kind", None),
            ("region", None),
            ("enterprises", None),
            ("resource", None),
            ("used", NUMBER),
            ("capacity", NUMBER),
            ("shadow value (objective per unit)", NUMBER),
            ("basis", None),
        ],
        [
            [
                z["name"],
                "SEZ" if z["kind"] == "sez" else "industrial zone",
                result.zones.region_names.get(z["region"], z["region"]),
                z["enterprises"],
                RESOURCE_WORDS.get(res, res),
                v.get("used"),
                v.get("capacity"),
                v.get("shadow"),
                v.get("basis"),
            ]
            for z in data["zones"]
            for res, v in (z["resources"] or {"": {}}).items()
        ],
    )
    add_sheet(
        book,
        "Unassigned",
        [("enterprise", None), ("why", None)],
        [[u["name"], u["why"]] for u in data["unassigned"]] or [["(none)", "every enterprise has a zone"]],
    )
    add_sheet(
        book,
        "By region",
        [("region", None), ("enterprises", None), ("jobs", MONEY), ("investment, USD", MONEY)],
        [
            [result.zones.region_names.get(reg, reg), v["enterprises"], round(v["jobs"]), v["investment_usd"]]
            for reg, v in data["impact"]["by_region"].items()
        ],
    )
    if data["trade_offs"]:
        add_sheet(
            book,
            "Objectives",
            [
                ("objective", None),
                ("targets", None),
                ("placed", None),
                ("jobs", MONEY),
                ("investment, USD", MONEY),
                ("exports, USD a year", MONEY),
                ("value added, USD a year", MONEY),
                ("saving, USD a year", MONEY),
                ("NPV gain, USD", MONEY),
                ("cost to the state, USD a year", MONEY),
                ("cost to the state per job, USD", MONEY),
                ("value added per USD of the state's cost", None),
            ],
            [
                [
                    r["objective"].replace("_", " "),
                    "as given" if r["targets"] else "none",
                    r["enterprises"],
                    round(r["jobs"]),
                    *(r[k] for k in ("investment_usd", "exports_usd", "value_added_usd", "saving_usd")),
                    r["npv_gain_usd"],
                    r["incentive_cost_usd"],
                    r["incentive_cost_per_job_usd"],
                    None
                    if r["value_added_per_incentive_usd"] is None
                    else round(r["value_added_per_incentive_usd"], 2),
                ]
                for r in data["trade_offs"]
            ],
        )
    book.save(path)
    return path


RESOURCE_WORDS = {"land_ha": "land, ha", "power_mw": "power, MW", "water_m3_day": "water, m3 a day"}


# what the portfolio's sales and gains are (an analyst's review: only jobs and investment were marked
# as estimates, the rest read as the enterprises' own figures)
MODELLED = "kopru's estimate: the sector template's costs and sales scaled to the enterprise's size"
SCALED = "a template scaled far beyond its size is a straight line drawn far from its point"


def _summary_rows(data: dict[str, Any], surface: str = "cli") -> list[list[Any]]:
    """The Summary sheet: the run, the portfolio's totals as numbers (an analyst's review: they were
    text, which a spreadsheet cannot add up) with what each rests on beside it; ``surface`` "web"
    names the Match page's box, not the command line's codes."""
    imp, tie = data["impact"], data["tie_break"]
    est = imp["estimated"]
    rows: list[list[Any]] = [
        ["prepared", data.get("created"), None],
        [
            "kopru, code, data pack",
            f"{data.get('kopru_version')}, {data.get('code_digest')}, {data.get('data_pack_version')}",
            None,
        ],
        ["objective", data["objective_name"].replace("_", " "), None],
        ["status", data["status"], None],
        ["enterprises placed", imp["enterprises"], f"of {len(data['enterprises'])}"],
        ["jobs", imp["jobs"], f"of which kopru's estimates: {est['jobs']:,.0f}"],
        [
            "investment, USD",
            imp["investment_usd"],
            f"of which kopru's estimates: {est['investment_usd']:,.0f}",
        ],
        ["exports, USD a year (delivered value)", imp["exports_usd"], MODELLED],
        ["value added, USD a year", imp["value_added_usd"], MODELLED],
        ["saving to the enterprises, USD a year", imp["saving_usd"], MODELLED],
        [
            "NPV gain to the enterprises, USD",
            imp["npv_gain_usd"],
            "each plant in its zone against a new one at its Turkish baseline, over the template's life; "
            + MODELLED,
        ],
        ["cost to the state, USD a year (estimate)", imp["incentive_cost_usd"], data["incentive_cost_basis"]],
        ["cost to the state per job placed, USD a year", imp["incentive_cost_per_job_usd"], None],
        [
            "cost to the state per job in an SEZ, USD a year",
            imp.get("incentive_cost_per_counted_job_usd"),
            "over the jobs where incentives are counted (an industrial zone's are not valued)",
        ],
        [
            "placements on unconfirmed SEZ eligibility",
            imp["unconfirmed"]["enterprises"],
            f"{imp['unconfirmed']['jobs']:,.0f} jobs",
        ],
        ["ties broken toward", tie["rule"], None],
        ["routes avoid", ", ".join(data["avoid_names"]) or "no country", None],
    ]
    big = imp.get("scaled") or {}
    if big.get("enterprises"):  # an analyst's review: the figures without them were the CLI's only
        above = (
            f"without the {big['enterprises']} costed at more than {big['above']:g} times their"
            " template's size"
        )
        rows += [
            [f"exports, USD a year, {above}", imp["exports_usd"] - big["exports_usd"], SCALED],
            [f"saving, USD a year, {above}", imp["saving_usd"] - big["saving_usd"], SCALED],
            [f"NPV gain, USD, {above}", imp["npv_gain_usd"] - big["npv_gain_usd"], SCALED],
        ]
    transit = data["restricted_transit"]
    if transit:
        rows.append(
            [
                "placements whose routes cross a country under restrictions",
                transit["enterprises"],
                f"through {', '.join(transit['names'])}; "
                + (
                    f"tick “{around_box(datapack.load())}” on the Match page"
                    if surface == "web"
                    else f"avoid {', '.join(transit['avoid'])}"
                )
                + " to price routes through none of them",
            ]
        )
    if tie["alternative"]:
        alt = tie["alternative"]
        rows.append([f"with {alt['rule']}: cost to the state, USD a year", alt["incentive_cost_usd"], None])
    for t in data.get("targets", []):
        met = ("met, and binding" if t["binding"] else "met") if t["met"] else "not met"
        rows.append([f"target: {t['target']}", t["reached"], met])
    rows += [["note", n, None] for n in data["notes"]]
    return rows


def write_match_folder(
    result: MatchResult,
    pack: DataPack,
    out_dir: str | Path,
    languages: tuple[str, ...] = (),
    surface: str = "cli",
    answer: Mapping[str, Any] | None = None,
) -> list[Path]:
    """``match.json``, ``report.html``, ``pitch/<enterprise>.html`` and ``match.xlsx`` in ``out_dir``;
    for each of ``languages`` besides English (``tr``), the pitch sheets again in ``pitch/<lang>/``.
    ``surface`` "web" names the options as the Match page asks for them (the page's zip), whose
    ``answer`` (the API's) is match.json instead of the result's own dict."""
    extra = tuple(dict.fromkeys(lang for lang in map(check_language, languages) if lang != "en"))
    folder = prepare_folder(out_dir)
    written = [folder / "match.json", folder / "report.html", folder / "match.xlsx"]
    data = answer if answer is not None else result.as_dict(check_surface(surface))
    written[0].write_text(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    written[1].write_text(render_match_html(result, pack, extra, surface=surface), encoding="utf-8")
    write_workbook(result, written[2], surface=surface)
    files = pitch_files(result.pipeline.ids)
    for lang in ("en", *extra):
        sheets = folder / "pitch" if lang == "en" else folder / "pitch" / lang
        sheets.mkdir(parents=True, exist_ok=True)
        mine = []
        for e, eid in enumerate(result.pipeline.ids):
            path = sheets / Path(files[eid]).name
            path.write_text(render_pitch_html(result, e, lang, surface=surface), encoding="utf-8")
            mine.append(path)
        # an earlier run's sheets would sit beside this run's and could be sent by mistake
        for stale in set(sheets.glob("*.html")) - set(mine):
            stale.unlink()
        written += mine
    for lang in LANGUAGES:  # a language not asked for this time: its old sheets go
        if lang != "en" and lang not in extra and (folder / "pitch" / lang).is_dir():
            for stale in (folder / "pitch" / lang).glob("*.html"):
                stale.unlink()
    return written
