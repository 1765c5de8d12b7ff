"""The HTML report of a plan: one self-contained offline file (plotly.js inlined, no CDN, no tiles).

When ``kopru risk`` or ``kopru rank`` were run, the report also shows their views: per-site
distributions of annual landed cost, P(best) and expected regret, and the MCDA ranking.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from kopru import basemap, plotlyjs
from kopru.datapack import DataPack
from kopru.display import subject_names
from kopru.dossier import Dossier, dossier
from kopru.planner import Plan
from kopru.report.charts import (
    appraisal_sites,
    cash_flow_chart,
    cost_chart,
    narrow_screens_js,
    risk_best_chart,
    risk_distribution_chart,
    tornado_chart,
)
from kopru.report.maps import site_map
from kopru.report.summary import volume_line
from kopru.report.views import as_ranking_view, as_risk_view, site_label

if TYPE_CHECKING:
    from kopru.mcda import RankResult
    from kopru.montecarlo import RiskResult

_env = Environment(
    loader=PackageLoader("kopru", "report/templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class _Lookups:
    """What a plan's report reads its names and sources from (passed to each render, so one compiled
    template serves every plan and thread: compiling report.html.j2 takes ~0.15 s)."""

    names: Mapping[str, str]
    subjects: Mapping[str, str]
    quantities: Mapping[str, Any]
    titles: Mapping[str, str]
    publishers: Mapping[str, str]

    def label(self, quantity: str) -> str:
        return str(self.quantities.get(quantity, {}).get("description", quantity.replace("_", " ")))

    def joined(self, ids: str, by: Mapping[str, str], unique: bool = False) -> str:
        found = [by.get(x.strip(), x.strip()) for x in ids.split(";") if x.strip() or not unique]
        return "; ".join(dict.fromkeys(found) if unique else found)


def _lookup_filter(read: Callable[[_Lookups, str], str]) -> Callable[..., str]:
    @pass_context
    def apply(context: Context, value: Any) -> str:
        return read(context["lookups"], str(value))

    return apply


_env.filters |= {
    "name": _lookup_filter(lambda lk, key: lk.names.get(key, key)),
    "subject": _lookup_filter(lambda lk, key: lk.subjects.get(key, key)),
    "label": _lookup_filter(_Lookups.label),
    "titles": _lookup_filter(lambda lk, ids: lk.joined(ids, lk.titles)),
    # a source as a reader knows it (its publisher), the data pack's id kept in a tooltip
    "publishers": _lookup_filter(lambda lk, ids: lk.joined(ids, lk.publishers, unique=True)),
    "figure": lambda v: f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}",
}


def report_dossiers(plan: Plan, pack: DataPack, most: int = 4) -> list[Dossier]:
    """The dossiers a report carries: the recommended site, the next of the ranking, the baseline.

    A Turkish plant's dossier is its province's (the data pack holds provinces, not plants).
    """

    def subject(site_id: str | None) -> str | None:
        site = plan.site(site_id) if site_id else None
        if site is None:
            return None
        return site.region if site.kind == "tr_plant" else site.id

    ids: list[str] = []
    for site_id in [plan.recommendation.site, *plan.ranking]:
        found = subject(site_id)
        if found and found not in ids:
            ids.append(found)
        if len(ids) == most - 1:
            break
    baseline = subject(plan.recommendation.baseline_site)
    if baseline and baseline not in ids:
        ids.append(baseline)
    return [dossier(pack, i) for i in ids[:most]]


def _names(plan: Plan, pack: DataPack) -> dict[str, str]:
    """What a reader sees for each id the report would otherwise print: sites and plants (as the
    plan names them), markets, corridor nodes, and the subjects of data-pack values."""
    names = subject_names(pack)
    names |= {str(i): str(n) for i, n in pack.nodes["name"].items()}
    names |= {m["id"]: m["name"] for m in plan.markets}
    names |= {s.id: s.name for s in plan.sites}
    return names


def dossier_html(d: Dossier, heading: int = 4) -> str:
    """One site's dossier as an HTML fragment (the web app's site page shows the same), its
    headings at level ``heading`` (under the page's own: a page of its own starts at 2)."""
    return _env.get_template("dossier.html.j2").render(d=d, heading=heading)


def render_html(
    plan: Plan,
    pack: DataPack,
    risk: RiskResult | Mapping[str, Any] | None = None,
    ranking: RankResult | Mapping[str, Any] | None = None,
    files: list[tuple[str, str]] | None = None,
) -> str:
    """The report as one HTML string with plotly.js inlined.

    ``risk`` (a :class:`~kopru.montecarlo.RiskResult` or a :func:`risk_view` dict, which can carry
    sample draws for the distribution chart) and ``ranking`` (a :class:`~kopru.mcda.RankResult`
    or a :func:`ranking_view` dict) add their sections; without them the report is unchanged.
    """
    to_div = dict(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    best = plan.site(plan.recommendation.site) if plan.recommendation.site else None
    extra: dict[str, Any] = {"risk": None, "ranking": None, "files": files or []}
    if risk is not None:
        view = as_risk_view(risk)
        extra["risk"] = view
        if view.get("recommended"):
            extra["risk_recommended"] = site_label(plan, view["recommended"])
        names = {s["id"]: s["name"] for s in view["sites"]}
        extra["risk_rows"] = [
            {
                **s,
                "label": site_label(plan, s["id"], s["name"]),
                "twins": [names.get(i, i) for i in s.get("same_draws_as") or ()],
            }
            for s in view["sites"]
        ]
        extra["risk_chart"] = risk_distribution_chart(view, plan).to_html(
            div_id="risk-distribution", **to_div
        )
        extra["best_chart"] = risk_best_chart(view, plan).to_html(div_id="risk-best", **to_div)
    if ranking is not None:
        rv = as_ranking_view(ranking)
        extra["ranking"] = rv
        extra["ranking_rows"] = [{**s, "label": site_label(plan, s["id"])} for s in rv["sites"]]
    extra |= _appraisal(plan, to_div)
    if plan.switching is not None and plan.switching.swings:
        extra["tornado_chart"] = tornado_chart(plan).to_html(div_id="tornado-chart", **to_div)
    lookups = _Lookups(
        names=_names(plan, pack),
        subjects=subject_names(pack),
        quantities=pack.quantities,
        titles={src["id"]: src["title"] for src in plan.sources},
        publishers={src["id"]: src.get("publisher") or src["title"] for src in plan.sources},
    )
    template = _env.get_template("report.html.j2")
    return template.render(
        plan=plan,
        best=best,
        # the best Turkish site beside the recommendation, unless it is the recommendation
        home=plan.site(rec.baseline_site)
        if (rec := plan.recommendation).baseline_site not in (None, rec.site)
        else None,
        plotlyjs=plotlyjs.script(),
        narrow_js=narrow_screens_js(),
        dossiers=report_dossiers(plan, pack),
        basemap=basemap.preload_script(),
        chart=cost_chart(plan).to_html(div_id="cost-chart", **to_div),
        map=site_map(plan, pack).to_html(div_id="site-map", **to_div),
        sites=[plan.site(s) for s in plan.ranking],
        volume_line=volume_line(plan),
        esc=html.escape,
        lookups=lookups,
        **extra,
    )


def _appraisal(plan: Plan, to_div: dict[str, Any]) -> dict[str, Any]:
    """The appraisal table (feasible sites as ranked), cash-flow chart and incentive tables."""
    shown = [plan.site(s) for s in plan.ranking]
    shown = [s for s in shown if s.feasible and s.appraisal is not None]
    if not shown:
        return {"appraisal_rows": []}
    rows = [
        {"site": s, "incentives": sum(i.annual_value or 0.0 for i in s.incentives if i.status == "applied")}
        for s in shown
    ]
    # an existing plant gets a certificate on its expansion only: show the best new Turkish plant's as well
    new_tr = next((s.id for s in shown if s.country == "TR" and not s.existing), None)
    ids = appraisal_sites(plan) + [s for s in [new_tr] if s and s not in appraisal_sites(plan)]
    blocks = [
        {
            "id": sid,
            "label": site_label(plan, sid),
            "rows": plan.site(sid).incentives,
            "existing": plan.site(sid).existing,
        }
        for sid in ids
    ]
    base = plan.recommendation.baseline_site
    return {
        "appraisal_rows": rows,
        "appraisal_notes": shown[0].appraisal.notes,
        "cash_flow_chart": cash_flow_chart(plan).to_html(div_id="cash-flow-chart", **to_div),
        "incentive_blocks": blocks,
        "baseline_label": site_label(plan, base) if base else None,
    }


def write_report(
    plan: Plan,
    pack: DataPack,
    path: str | Path,
    risk: RiskResult | Mapping[str, Any] | None = None,
    ranking: RankResult | Mapping[str, Any] | None = None,
    files: list[tuple[str, str]] | None = None,
) -> Path:
    """The report at ``path``; ``files`` (relative link, label) are the files beside it it links to."""
    path = Path(path)
    path.write_text(render_html(plan, pack, risk, ranking, files), encoding="utf-8")
    return path
