"""The report's charts: annual landed cost by component, the tornado of the saving, and the risk
distributions and P(best)."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kopru.costs import component_label
from kopru.planner import Plan
from kopru.report.views import shown_risk_sites, site_label

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
BASELINE_COLOUR = "#e8a33d"
SITE_COLOUR = "#4e79a7"


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
            name=component_label(comp),
            orientation="h",
            marker_color=COMPONENT_COLOURS.get(comp),
            hovertemplate=f"%{{y}}<br>{component_label(comp)}: %{{x:,.0f}} {plan.currency}<extra></extra>",
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
    by_id = {s["id"]: s for s in view["sites"]}
    shown = shown_risk_sites(list(by_id), view.get("baseline"))
    # a site that wins in some samples belongs here even when its mean is not among the cheapest
    shown += [sid for sid, s in by_id.items() if s["p_best"] > 0 and sid not in shown]
    shown = list(reversed(shown))
    # '=': the same cost in every draw as another site, so the two share a P(best) one of them shows
    labels = [
        site_label(plan, sid, by_id[sid]["name"]) + (" =" if by_id[sid].get("same_draws_as") else "")
        for sid in shown
    ]
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


@functools.cache
def narrow_screens_js() -> str:
    """The script a report inlines to lay its figures out on a phone: the kopru pages' own rules
    (``web/static/figures.js``, read as a file: the report imports nothing of the web app) and
    ``templates/report_figures.js``, which applies them to the report's figures."""
    here = Path(__file__).parent
    rules = (here.parent / "web" / "static" / "figures.js").read_text(encoding="utf-8")
    return rules + "\n" + (here / "templates" / "report_figures.js").read_text(encoding="utf-8")


TORNADO_BARS = 12
LOW_COLOUR, HIGH_COLOUR, RANGE_COLOUR = "#2b7a78", "#c0392b", "#c9d6e8"


def tornado_chart(plan: Plan) -> go.Figure:
    """The saving over the comparator with each input alone at its 5th and its 95th percentile,
    widest bar at the top, from the saving at the data pack's values."""
    v = plan.switching
    assert v is not None
    swings = list(reversed(v.swings[:TORNADO_BARS]))
    labels = [s.label for s in swings]
    low = [s.saving_pct_low for s in swings]
    high = [s.saving_pct_high for s in swings]
    fig = go.Figure()
    # a floating bar between the two ends: with a drift both ends may lie on one side of the line
    fig.add_bar(
        y=labels,
        x=[abs(h - lo) for lo, h in zip(low, high, strict=True)],
        base=[min(lo, h) for lo, h in zip(low, high, strict=True)],
        orientation="h",
        marker_color=RANGE_COLOUR,
        name="range of the saving",
        hoverinfo="skip",
    )
    for end, colour, symbol, name in (
        ("low", LOW_COLOUR, "circle", "5th percentile"),
        ("high", HIGH_COLOUR, "diamond", "95th percentile"),
    ):
        values = [getattr(s, f"saving_pct_{end}") for s in swings]
        inputs = [_input_value(s.kind, getattr(s, end)) for s in swings]
        fig.add_scatter(
            y=labels,
            x=values,
            mode="markers",
            marker=dict(color=colour, symbol=symbol, size=11, line=dict(color="white", width=1)),
            name=f"input at its {name}",
            customdata=inputs,
            hovertemplate="%{y} at %{customdata}: saving %{x:.1%}<extra></extra>",
        )
    fig.add_vline(x=v.saving_pct, line_color="#1d2430", line_width=1)
    fig.update_layout(
        barmode="overlay",
        height=max(320, 28 * len(swings) + 130),
        margin=dict(l=10, r=10, t=50, b=40),
        title=f"{v.name}: saving over {v.comparator}, one input at a time",
        legend=dict(orientation="h", y=-0.12),
        # whole percents repeat when the bars span a few points (a review read "38% 38% 39%")
        xaxis=dict(
            tickformat=".1%" if _span([*low, *high, v.saving_pct]) < 0.06 else ".0%",
            gridcolor="#e5e8ec",
            title="below the comparator's annual cost",
        ),
        plot_bgcolor="white",
    )
    return fig


def _span(values: list[float]) -> float:
    finite = [x for x in values if x is not None and math.isfinite(x)]
    return max(finite) - min(finite) if finite else 0.0


def _input_value(kind: str, value: float) -> str:
    """An input's value as the tornado's hover says it: ×1.18, +12 %, +3 points."""
    if kind == "factor":
        return f"×{value:.3g}"
    if kind == "rate":
        return f"{value:+.1%}"
    return f"{value:+.3g} points"


def appraisal_sites(plan: Plan) -> list[str]:
    """The sites whose cash flows the report draws: the recommended one and the Turkish baseline."""
    rec = plan.recommendation
    ids = [s for s in (rec.site, rec.baseline_site) if s]
    return [s for i, s in enumerate(ids) if s not in ids[:i] and plan.site(s).appraisal is not None]


def cash_flow_chart(plan: Plan) -> go.Figure:
    """Free cash flow by year (bars) and its discounted running total (lines, ending at the NPV) of
    the recommended site against the Turkish baseline."""
    fig = go.Figure()
    rec = plan.recommendation
    for sid in appraisal_sites(plan):
        s = plan.site(sid)
        a = s.appraisal
        years = np.array(a.cash_flows.year, dtype=float)
        free = np.array(a.cash_flows.free, dtype=float)
        colour = BASELINE_COLOUR if sid == rec.baseline_site and sid != rec.site else SITE_COLOUR
        label = site_label(plan, sid)
        fig.add_bar(
            x=years,
            y=free,
            name=f"{label}: free cash flow",
            marker_color=colour,
            opacity=0.55,
            hovertemplate=f"{label}<br>year %{{x}}: %{{y:,.0f}} {plan.currency}<extra></extra>",
        )
        fig.add_scatter(
            x=years,
            y=np.cumsum(free / (1.0 + a.wacc) ** years),
            name=f"{label}: discounted, cumulative (ends at the NPV)",
            mode="lines+markers",
            line=dict(color=colour, width=3),
            hovertemplate=f"{label}<br>NPV to year %{{x}}: %{{y:,.0f}} {plan.currency}<extra></extra>",
        )
    fig.update_layout(
        barmode="group",
        height=420,
        margin=dict(l=10, r=10, t=50, b=40),
        title=f"Cash flows over the plant's life ({plan.currency}; year 0 = construction)",
        legend=dict(orientation="h", y=-0.18),
        xaxis=dict(title="year", dtick=1, gridcolor="#e5e8ec"),
        yaxis=dict(title=plan.currency, gridcolor="#e5e8ec", zerolinecolor="#8a94a6"),
        plot_bgcolor="white",
    )
    return fig
