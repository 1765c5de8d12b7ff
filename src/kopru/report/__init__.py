"""The HTML report of a plan: one self-contained offline file (plotly.js inlined, no CDN, no tiles).

The map is drawn as filled polygons on plain longitude/latitude axes rather than on a plotly
``geo`` subplot, because the geo subplot downloads its base map from the internet at view time.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.colors import sample_colorscale
from plotly.offline import get_plotlyjs

from kopru.datapack import DataPack
from kopru.planner import Plan

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


def render_html(plan: Plan, pack: DataPack) -> str:
    """The report as one HTML string with plotly.js inlined."""
    to_div = dict(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    best = plan.site(plan.recommendation.site) if plan.recommendation.site else None
    template = _env.get_template("report.html.j2")
    return template.render(
        plan=plan,
        best=best,
        plotlyjs=get_plotlyjs(),
        chart=cost_chart(plan).to_html(div_id="cost-chart", **to_div),
        map=site_map(plan, pack).to_html(div_id="site-map", **to_div),
        sites=[plan.site(s) for s in plan.ranking],
        esc=html.escape,
    )


def write_report(plan: Plan, pack: DataPack, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(render_html(plan, pack), encoding="utf-8")
    return path
