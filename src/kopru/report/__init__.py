"""The HTML report of a plan: one self-contained offline file (plotly.js inlined, no CDN, no tiles).

The map is drawn as filled polygons on plain longitude/latitude axes rather than on a plotly
``geo`` subplot, because the geo subplot downloads its base map from the internet at view time.

When ``kopru risk`` or ``kopru rank`` were run, the report also shows their views: per-site
distributions of annual landed cost, P(best) and expected regret, and the MCDA ranking. Both are
passed as plain dicts (:func:`risk_view`, :func:`ranking_view`) so that the CLI can keep them
next to the report as JSON and redraw the report when the other command runs.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.colors import sample_colorscale
from plotly.offline import get_plotlyjs

from kopru.datapack import DataPack
from kopru.planner import Plan

if TYPE_CHECKING:  # the report imports neither engine unless the caller already used it
    from kopru.mcda import RankResult
    from kopru.risk import RiskResult

COLORSCALE = "RdYlGn_r"
COMPONENT_COLOURS = {
    "materials": "#4e79a7",
    "energy": "#f28e2b",
    "labour": "#e15759",
    "logistics": "#76b7b2",
    "duties": "#59a14f",
    "taxes": "#edc948",
    "capital": "#b07aa1",
}
CHART_SITES = 15
RISK_SITES = 12  # sites in the distribution chart, besides the Turkish baseline
DRAWS_SHOWN = 2048  # samples per site drawn in the distribution chart (the table uses all of them)
BASELINE_COLOUR = "#e8a33d"
SITE_COLOUR = "#4e79a7"
STAT_KEYS = ("mean", "p5", "p50", "p95", "cvar95", "p_best", "expected_regret")

_env = Environment(
    loader=PackageLoader("kopru", "report/templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def cost_chart(plan: Plan) -> go.Figure:
    """Stacked bars of annual landed cost by component: the best sites and every Turkish site."""
    feasible = [plan.site(s) for s in plan.ranking if plan.site(s).feasible]
    shown = feasible[:CHART_SITES] + [s for s in feasible[CHART_SITES:] if s.country == "TR"]
    shown = list(reversed(shown))  # best at the top of a horizontal bar chart
    labels = [f"{s.name} ({s.country})" for s in shown]
    fig = go.Figure()
    for comp in plan.components:
        fig.add_bar(
            y=labels,
            x=[s.landed_cost.components[comp] or 0.0 for s in shown],
            name=comp,
            orientation="h",
            marker_color=COMPONENT_COLOURS.get(comp),
            hovertemplate=f"%{{y}}<br>{comp}: %{{x:,.0f}} {plan.currency}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        height=max(380, 26 * len(shown) + 120),
        margin=dict(l=10, r=10, t=40, b=40),
        title=f"Annual landed cost by component ({plan.currency} per year)",
        legend=dict(orientation="h", y=-0.08),
        xaxis_title=plan.currency,
    )
    return fig


def _rings(geometry: dict[str, Any]):
    if geometry["type"] == "Polygon":
        yield geometry["coordinates"][0]
    elif geometry["type"] == "MultiPolygon":
        for poly in geometry["coordinates"]:
            yield poly[0]


def site_map(plan: Plan, pack: DataPack) -> go.Figure:
    """Kazakh regions coloured by landed cost, SEZs and Turkish sites as markers, routes as lines."""
    costs = {s.id: s.landed_cost.per_unit for s in plan.sites if s.feasible}
    values = [v for v in costs.values() if v is not None]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    span = (hi - lo) or 1.0

    def colour(v: float | None) -> str:
        if v is None:
            return "#cccccc"
        return sample_colorscale(COLORSCALE, [(v - lo) / span])[0]

    fig = go.Figure()
    for feature in pack.boundaries["features"]:
        iso = feature["properties"]["iso"]
        region = pack.regions.loc[iso]
        value = costs.get(iso)
        for ring in _rings(feature["geometry"]):
            lons, lats = zip(*[(p[0], p[1]) for p in ring], strict=True)
            fig.add_scatter(
                x=lons,
                y=lats,
                mode="lines",
                fill="toself",
                fillcolor=colour(value),
                line=dict(color="#555", width=0.6),
                name=region["name"],
                showlegend=False,
                hoverinfo="text",
                text=f"{region['name']}: {value:,.2f} {plan.currency}/unit" if value else region["name"],
            )
    if plan.network is not None and plan.network.flows:
        _draw_flows(fig, plan)
    else:
        _draw_routes(fig, plan, pack)
    for kind, symbol, label in (
        ("sez", "diamond", "SEZ"),
        ("tr_plant", "square", "Turkish site"),
        ("kz_region", "circle", "region centre"),
    ):
        group = [s for s in plan.sites if s.kind == kind]
        if not group:
            continue
        fig.add_scatter(
            x=[s.lon for s in group],
            y=[s.lat for s in group],
            mode="markers",
            name=label,
            marker=dict(
                symbol=symbol,
                size=11 if kind != "kz_region" else 6,
                color=[s.landed_cost.per_unit if s.feasible else None for s in group],
                colorscale=COLORSCALE,
                cmin=lo,
                cmax=hi,
                line=dict(color="black", width=1),
                showscale=kind == "sez",
                colorbar=dict(title=f"{plan.currency}/unit", len=0.6),
            ),
            text=[
                f"{s.name}: "
                + (f"{s.landed_cost.per_unit:,.2f} {plan.currency}/unit" if s.feasible else "no route")
                for s in group
            ],
            hoverinfo="text",
        )
    markets = plan.markets
    fig.add_scatter(
        x=[m["lon"] for m in markets],
        y=[m["lat"] for m in markets],
        mode="markers+text",
        marker=dict(symbol="star", size=10, color="#1f3b73"),
        name="market",
        text=[m["name"] if not m["id"].startswith("mkt_KZ") else "" for m in markets],
        textposition="top center",
        textfont=dict(size=9),
        hoverinfo="text",
        hovertext=[f"{m['name']}: {m['demand']:,.0f} units/year" for m in markets],
    )
    mid_lat = 45.0
    fig.update_layout(
        height=620,
        margin=dict(l=10, r=10, t=40, b=10),
        title=(
            "Landed cost per unit by site, and "
            + (
                "the optimizer's flows"
                if plan.network and plan.network.flows
                else "the recommended site's routes"
            )
        ),
        plot_bgcolor="#eaf2f8",
        legend=dict(orientation="h", y=-0.02),
        xaxis=dict(title="longitude", showgrid=False, zeroline=False),
        yaxis=dict(
            title="latitude",
            showgrid=False,
            zeroline=False,
            scaleanchor="x",
            scaleratio=1 / math.cos(math.radians(mid_lat)),
        ),
    )
    return fig


def _draw_routes(fig: go.Figure, plan: Plan, pack: DataPack) -> None:
    """The route actually used from the recommended site to each market, node by node."""
    best = plan.site(plan.recommendation.site) if plan.recommendation.site else None
    if best is None:
        return
    for market_id, mc in best.by_market.items():
        if mc.route is None:
            continue
        route = plan.routes[mc.route]
        if not route.legs:
            continue
        nodes = [route.legs[0]["from"]] + [leg["to"] for leg in route.legs]
        xy = pack.nodes.loc[nodes, ["lon", "lat"]].to_numpy(float)
        fig.add_scatter(
            x=xy[:, 0],
            y=xy[:, 1],
            mode="lines",
            line=dict(color="#1f3b73", width=2),
            name=f"route to {market_id}",
            showlegend=False,
            hoverinfo="text",
            text=f"{best.name} → {market_id}: {route.days:.1f} days",
        )


def _draw_flows(fig: go.Figure, plan: Plan) -> None:
    """The optimizer's flows: a line from each open site to each market it serves, width by volume."""
    markets = {m["id"]: m for m in plan.markets}
    sites = {s.id: s for s in plan.sites}
    biggest = max(f.units for f in plan.network.flows)
    for f in plan.network.flows:
        s, m = sites[f.site], markets[f.market]
        fig.add_scatter(
            x=[s.lon, m["lon"]],
            y=[s.lat, m["lat"]],
            mode="lines",
            line=dict(color="#8e44ad", width=1 + 7 * f.units / biggest),
            name="flow",
            showlegend=False,
            hoverinfo="text",
            text=f"{s.name} → {m['name']}: {f.units:,.0f} units ({f.share:.0%})",
        )


# -- the risk and MCDA views -------------------------------------------------------------------
def shown_risk_sites(site_ids: list[str], baseline: str | None, limit: int = RISK_SITES) -> list[str]:
    """The ``limit`` cheapest sites (``site_ids`` is sorted by mean cost) and the Turkish baseline."""
    shown = list(site_ids[:limit])
    if baseline and baseline in site_ids and baseline not in shown:
        shown.append(baseline)
    return shown


def risk_view(
    result: RiskResult,
    draws: Mapping[str, Any] | None = None,
    baseline: str | None = None,
    limit: int = DRAWS_SHOWN,
) -> dict[str, Any]:
    """The risk result as the plain dict the report draws (and ``--out`` keeps as risk.json).

    ``draws`` maps site ids to annual costs of some of the run's samples (the first ones, see
    ``kopru.risk.compute_chunk``); only the shown sites' first ``limit`` draws are kept, rounded to
    whole currency units, so that the report stays small. Without draws the chart shows the
    p5-p95 range, median, mean and CVaR95 of each site instead of its distribution.
    """
    sites = [{"id": s.id, "name": s.name, **{k: getattr(s, k) for k in STAT_KEYS}} for s in result.sites]
    view: dict[str, Any] = {
        "samples": result.samples,
        "seed": result.seed,
        "currency": result.currency,
        "baseline": baseline,
        "excluded": list(result.excluded),
        "sites": sites,
        "draws": None,
    }
    if draws is not None:
        shown = shown_risk_sites([s["id"] for s in sites], baseline)
        view["draws"] = {
            sid: np.round(np.asarray(draws[sid], float)[:limit]).tolist() for sid in shown if sid in draws
        }
    return view


def ranking_view(result: RankResult) -> dict[str, Any]:
    """The MCDA result as the plain dict the report draws (and ``--out`` keeps as ranking.json)."""
    return result.to_json()


def site_label(plan: Plan, site_id: str, fallback: str | None = None) -> str:
    try:
        s = plan.site(site_id)
    except KeyError:  # a stale view may name a site the plan no longer has
        return fallback or site_id
    return f"{s.name} ({s.country})"


def risk_distribution_chart(view: Mapping[str, Any], plan: Plan) -> go.Figure:
    """Annual landed cost per site: violins of the drawn samples, or p5-p95 ranges without draws."""
    by_id = {s["id"]: s for s in view["sites"]}
    shown = shown_risk_sites(list(by_id), view.get("baseline"))
    shown = list(reversed(shown))  # cheapest at the top of a horizontal chart
    currency = view["currency"]
    draws = view.get("draws") or {}
    fig = go.Figure()
    if draws:
        for sid in shown:
            if sid not in draws:
                continue
            colour = BASELINE_COLOUR if sid == view.get("baseline") else SITE_COLOUR
            label = site_label(plan, sid, by_id[sid]["name"])
            fig.add_violin(
                x=draws[sid],
                y0=label,
                name=label,
                orientation="h",
                side="both",
                width=0.9,
                points=False,
                # a dark quartile box and mean line on a pale violin: the shape and the centre both read
                box=dict(visible=True, width=0.25, fillcolor="white", line=dict(color="#1d2430", width=1)),
                meanline=dict(visible=True, color="#1d2430"),
                line=dict(color=colour, width=1),
                fillcolor=colour,
                opacity=0.7,
                showlegend=False,
                hoverinfo="x",
            )
        n = len(next(iter(draws.values())))
        title = f"Annual landed cost, distribution of {n:,} of the {view['samples']:,} samples"
    else:
        labels = [site_label(plan, sid, by_id[sid]["name"]) for sid in shown]
        stats = [by_id[sid] for sid in shown]
        p5, p50, p95 = (np.array([s[k] for s in stats]) for k in ("p5", "p50", "p95"))
        fig.add_scatter(
            x=p50,
            y=labels,
            mode="markers",
            name="p50, with p5-p95",
            marker=dict(color=SITE_COLOUR, size=9),
            error_x=dict(
                type="data",
                symmetric=False,
                array=p95 - p50,
                arrayminus=p50 - p5,
                thickness=2,
            ),
        )
        fig.add_scatter(
            x=[s["mean"] for s in stats], y=labels, mode="markers", name="mean", marker_symbol="diamond"
        )
        fig.add_scatter(
            x=[s["cvar95"] for s in stats], y=labels, mode="markers", name="CVaR95", marker_symbol="x"
        )
        title = f"Annual landed cost over {view['samples']:,} samples: p5-p95, median, mean, CVaR95"
    fig.update_layout(
        height=max(380, 34 * len(shown) + 120),
        margin=dict(l=10, r=10, t=40, b=40),
        title=title,
        legend=dict(orientation="h", y=-0.08),
        xaxis_title=f"{currency} per year",
        plot_bgcolor="white",
        xaxis=dict(gridcolor="#e5e8ec"),
    )
    return fig


def risk_best_chart(view: Mapping[str, Any], plan: Plan) -> go.Figure:
    """P(best) and expected regret side by side, for the sites of the distribution chart."""
    from plotly.subplots import make_subplots

    by_id = {s["id"]: s for s in view["sites"]}
    shown = shown_risk_sites(list(by_id), view.get("baseline"))
    # a site that wins in some samples belongs here even when its mean is not among the cheapest
    shown += [sid for sid, s in by_id.items() if s["p_best"] > 0 and sid not in shown]
    shown = list(reversed(shown))
    labels = [site_label(plan, sid, by_id[sid]["name"]) for sid in shown]
    colours = [BASELINE_COLOUR if sid == view.get("baseline") else SITE_COLOUR for sid in shown]
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=("P(best): share of samples in which the site is cheapest", "Expected regret"),
    )
    fig.add_bar(
        x=[by_id[sid]["p_best"] for sid in shown],
        y=labels,
        orientation="h",
        marker_color=colours,
        name="P(best)",
        hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_bar(
        x=[by_id[sid]["expected_regret"] for sid in shown],
        y=labels,
        orientation="h",
        marker_color=colours,
        name="expected regret",
        hovertemplate=f"%{{y}}: %{{x:,.0f}} {view['currency']}<extra></extra>",
        row=1,
        col=2,
    )
    fig.update_xaxes(tickformat=".0%", row=1, col=1, gridcolor="#e5e8ec")
    fig.update_xaxes(title_text=f"{view['currency']} per year", row=1, col=2, gridcolor="#e5e8ec")
    fig.update_layout(
        height=max(380, 26 * len(shown) + 120),
        margin=dict(l=10, r=10, t=50, b=40),
        showlegend=False,
        plot_bgcolor="white",
    )
    return fig


def _as_risk_view(risk: RiskResult | Mapping[str, Any], plan: Plan) -> dict[str, Any]:
    if isinstance(risk, Mapping):
        missing = {"samples", "seed", "currency", "sites"} - set(risk)
        if missing:
            raise ValueError(f"risk view lacks {', '.join(sorted(missing))}; build it with risk_view()")
        return dict(risk)
    return risk_view(risk, baseline=plan.recommendation.baseline_site)


def _as_ranking_view(ranking: RankResult | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(ranking, Mapping):
        missing = {"method", "weights", "sites", "higher_is_better"} - set(ranking)
        if missing:
            raise ValueError(f"ranking view lacks {', '.join(sorted(missing))}; build it with ranking_view()")
        return dict(ranking)
    return ranking_view(ranking)


def render_html(
    plan: Plan,
    pack: DataPack,
    risk: RiskResult | Mapping[str, Any] | None = None,
    ranking: RankResult | Mapping[str, Any] | None = None,
) -> str:
    """The report as one HTML string with plotly.js inlined.

    ``risk`` (a :class:`~kopru.risk.RiskResult` or a :func:`risk_view` dict, which can carry
    sample draws for the distribution chart) and ``ranking`` (a :class:`~kopru.mcda.RankResult`
    or a :func:`ranking_view` dict) add their sections; without them the report is unchanged.
    """
    to_div = dict(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    best = plan.site(plan.recommendation.site) if plan.recommendation.site else None
    extra: dict[str, Any] = {"risk": None, "ranking": None}
    if risk is not None:
        view = _as_risk_view(risk, plan)
        extra["risk"] = view
        extra["risk_rows"] = [{**s, "label": site_label(plan, s["id"], s["name"])} for s in view["sites"]]
        extra["risk_chart"] = risk_distribution_chart(view, plan).to_html(
            div_id="risk-distribution", **to_div
        )
        extra["best_chart"] = risk_best_chart(view, plan).to_html(div_id="risk-best", **to_div)
    if ranking is not None:
        rv = _as_ranking_view(ranking)
        extra["ranking"] = rv
        extra["ranking_rows"] = [{**s, "label": site_label(plan, s["id"])} for s in rv["sites"]]
    template = _env.get_template("report.html.j2")
    return template.render(
        plan=plan,
        best=best,
        plotlyjs=get_plotlyjs(),
        chart=cost_chart(plan).to_html(div_id="cost-chart", **to_div),
        map=site_map(plan, pack).to_html(div_id="site-map", **to_div),
        sites=[plan.site(s) for s in plan.ranking],
        esc=html.escape,
        **extra,
    )


def write_report(
    plan: Plan,
    pack: DataPack,
    path: str | Path,
    risk: RiskResult | Mapping[str, Any] | None = None,
    ranking: RankResult | Mapping[str, Any] | None = None,
) -> Path:
    path = Path(path)
    path.write_text(render_html(plan, pack, risk, ranking), encoding="utf-8")
    return path
