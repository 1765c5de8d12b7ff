"""The report's map: regions coloured by landed cost, sites, markets, and routes or optimizer flows.

The map is drawn as filled polygons on plain longitude/latitude axes rather than on a plotly
``geo`` subplot, because the geo subplot downloads its base map from the internet at view time.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from kopru.datapack import DataPack
from kopru.geo import latlon_axes, polygon_rings
from kopru.planner import Plan

COLORSCALE = "RdYlGn_r"


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
        for ring in polygon_rings(feature["geometry"]):
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
        **latlon_axes(mid_lat),
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
