"""The report's map: regions coloured by landed cost, sites, markets, and routes or optimizer flows.

Drawn on plotly's ``geo`` subplot over the shipped Natural Earth base map (:mod:`kopru.basemap`):
neighbouring countries, the Caspian and Black Seas, and every route along its legs.
"""

from __future__ import annotations

import plotly.graph_objects as go

from kopru import basemap
from kopru.datapack import DataPack
from kopru.planner import Plan

COLORSCALE = "RdYlGn_r"
NO_ROUTE = "#9aa0a6"  # a site that cannot serve every market


def site_map(plan: Plan, pack: DataPack) -> go.Figure:
    """Kazakh regions coloured by landed cost, SEZs and Turkish sites as markers, routes along legs."""
    costs = {s.id: s.landed_cost.per_unit for s in plan.sites if s.feasible}
    values = [v for v in costs.values() if v is not None]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)

    fig = go.Figure()
    names = pack.regions["name"].to_dict()
    basemap.add_regions(
        fig,
        pack,
        {iso: costs.get(iso) for iso in names},
        hover={
            iso: f"{name}: {costs[iso]:,.2f} {plan.currency}/unit" if costs.get(iso) else name
            for iso, name in names.items()
        },
        colorscale=COLORSCALE,
        colorbar_title=f"{plan.currency}/unit",
        zrange=(lo, hi),
    )
    flows = plan.network is not None and bool(plan.network.flows)
    if flows:
        _draw_flows(fig, plan, pack)
    else:
        _draw_routes(fig, plan, pack)
    best = plan.recommendation.site
    for kind, symbol, label in (
        ("sez", "diamond", "SEZ"),
        ("tr_plant", "square", "Turkish site"),
        ("kz_region", "circle", "region centre"),
    ):
        # sites that cannot serve every market have no cost to colour: grey, in a trace of their own
        # (a colour scale takes numbers only)
        for feasible in (True, False):
            group = [s for s in plan.sites if s.kind == kind and s.feasible == feasible]
            if not group:
                continue
            fig.add_scattergeo(
                lon=[s.lon for s in group],
                lat=[s.lat for s in group],
                mode="markers+text" if kind != "kz_region" else "markers",
                name=label if feasible else f"{label}, no route",
                marker=dict(
                    symbol=symbol,
                    size=11 if kind != "kz_region" else 6,
                    line=dict(color=["#000" if s.id != best else "#1f3b73" for s in group], width=1),
                    **(
                        dict(
                            color=[s.landed_cost.per_unit for s in group],
                            colorscale=COLORSCALE,
                            cmin=lo,
                            cmax=hi,
                        )
                        if feasible
                        else dict(color=NO_ROUTE)
                    ),
                ),
                text=_labels(group, best),
                textposition="top center",
                textfont=dict(size=11, color="#1f3b73"),
                hovertext=[
                    f"{s.name}: "
                    + (f"{s.landed_cost.per_unit:,.2f} {plan.currency}/unit" if feasible else "no route")
                    for s in group
                ],
                hoverinfo="text",
            )
    _ring_best(fig, plan)
    markets = plan.markets
    fig.add_scattergeo(
        lon=[m["lon"] for m in markets],
        lat=[m["lat"] for m in markets],
        mode="markers+text",
        marker=dict(symbol="star", size=10, color="#1f3b73"),
        name="market",
        text=[m["name"] if not m["id"].startswith("mkt_KZ") else "" for m in markets],
        textposition="bottom center",
        textfont=dict(size=9),
        hoverinfo="text",
        hovertext=[f"{m['name']}: {m['demand']:,.0f} units/year" for m in markets],
    )
    fig.update_layout(
        height=620,
        margin=dict(l=10, r=10, t=40, b=10),
        title=(
            "Landed cost per unit by site, and "
            + ("the optimizer's flows along their routes" if flows else "the recommended site's routes")
        ),
        legend=dict(orientation="h", y=-0.02),
        geo=basemap.geo_layout(),
    )
    return fig


def _labels(group: list, best: str | None) -> list[str]:
    """The Turkish sites are labelled, one label per spot (the recommended site's label is its ring's,
    :func:`_ring_best`); others on hover."""
    taken: set[tuple[float, float]] = set()
    labels = []
    for s in group:
        spot = (round(s.lat, 2), round(s.lon, 2))
        wanted = s.kind == "tr_plant" and s.id != best
        labels.append(s.name if wanted and spot not in taken else "")
        if wanted:
            taken.add(spot)
    return labels


def _ring_best(fig: go.Figure, plan: Plan) -> None:
    """A ring round the recommended site, with its name: the one label a phone's map keeps (the
    reports' narrow-screen script drops the others, ``meta`` says which to keep), and in the legend
    (its outline alone was the only mark of it)."""
    best = plan.site(plan.recommendation.site) if plan.recommendation.site else None
    if best is None:
        return
    fig.add_scattergeo(
        lon=[best.lon],
        lat=[best.lat],
        mode="markers+text",
        name=f"recommended: {best.name}",
        marker=dict(symbol="circle-open", size=24, line=dict(color="#1f3b73", width=2.5), color="#1f3b73"),
        text=[best.name],
        textposition="top center",
        textfont=dict(size=12, color="#1f3b73"),
        hoverinfo="skip",
        meta="keep-label",
    )


def _legs(plan: Plan, route_id: str) -> list[tuple[str, str, str]]:
    return [(leg["from"], leg["to"], leg["mode"]) for leg in plan.routes[route_id].legs]


def _draw_routes(fig: go.Figure, plan: Plan, pack: DataPack) -> None:
    """The route actually used from the recommended site to each market, leg by leg."""
    best = plan.site(plan.recommendation.site) if plan.recommendation.site else None
    if best is None:
        return
    markets = {m["id"]: m["name"] for m in plan.markets}
    seen: set[str] = set()
    for market_id, mc in best.by_market.items():
        if mc.route is None or not plan.routes[mc.route].legs:
            continue
        route = plan.routes[mc.route]
        basemap.add_legs(
            fig,
            pack,
            _legs(plan, mc.route),
            width=2.5,
            hover=f"{best.name} → {markets.get(market_id, market_id)}: {route.days:.1f} days",
            in_legend=seen,
            group="route-",
        )


def _draw_flows(fig: go.Figure, plan: Plan, pack: DataPack) -> None:
    """The optimizer's flows along the routes they take, width by volume."""
    markets = {m["id"]: m for m in plan.markets}
    sites = {s.id: s for s in plan.sites}
    biggest = max(f.units for f in plan.network.flows)
    seen: set[str] = set()
    for f in plan.network.flows:
        s, m = sites[f.site], markets[f.market]
        text = f"{s.name} → {m['name']}: {f.units:,.0f} units ({f.share:.0%})"
        route_id = s.by_market[f.market].route if f.market in s.by_market else None
        if route_id is None or not plan.routes[route_id].legs:
            continue  # a site serving its own market has no leg to draw
        basemap.add_legs(
            fig,
            pack,
            _legs(plan, route_id),
            width=1.5 + 6 * f.units / biggest,
            hover=text,
            in_legend=seen,
            group="flow-",
            opacity=0.8,
        )
