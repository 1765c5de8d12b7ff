"""The risk and ranking results as the plain dicts a report draws.

A report folder keeps them beside ``report.html`` as ``risk.json`` and ``ranking.json``, so that
``kopru risk --out DIR`` and then ``kopru rank --out DIR`` give one report with both views.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from kopru.errors import KopruError, UnknownSite
from kopru.montecarlo import DRAWS_KEPT
from kopru.planner import Plan

if TYPE_CHECKING:  # a view can be drawn without either engine loaded
    from kopru.mcda import RankResult
    from kopru.montecarlo import RiskResult

RISK_SITES = 12  # sites in the distribution chart, besides the Turkish baseline
DRAWS_SHOWN = DRAWS_KEPT  # samples per site drawn in the distribution chart (the table uses all)
STAT_KEYS = ("mean", "p5", "p50", "p95", "cvar95", "p_best", "expected_regret")


def shown_risk_sites(site_ids: list[str], baseline: str | None, limit: int = RISK_SITES) -> list[str]:
    """The ``limit`` cheapest sites (``site_ids`` is sorted by mean cost) and the Turkish baseline."""
    shown = list(site_ids[:limit])
    if baseline and baseline in site_ids and baseline not in shown:
        shown.append(baseline)
    return shown


def risk_view(result: RiskResult, limit: int = DRAWS_SHOWN) -> dict[str, Any]:
    """The risk result as the plain dict the report draws (and a report folder keeps as risk.json).

    Only the shown sites' first ``limit`` draws (the result keeps the run's first samples) are kept,
    rounded to whole currency units, so that the report stays small. Without draws the chart shows
    the p5-p95 range, median, mean and CVaR95 of each site instead of its distribution.
    """
    data = result.as_dict()
    sites = data["sites"]  # STAT_KEYS, the plan's cost, the cost per unit sold, standard errors
    view: dict[str, Any] = {
        "samples": result.samples,
        "seed": result.seed,
        "currency": result.currency,
        "baseline": result.baseline,
        "recommended": result.recommended,
        "p_recommendation_changes": result.p_recommendation_changes,
        "excluded": list(result.excluded),
        "sites": sites,
        "draws": None,
        # what the numbers mean: the horizon, the reconciliation with the plan, the units sold, what
        # P(best) assumes, the Monte Carlo error, and the distributions drawn
        **{k: data[k] for k in ("horizon", "reconciliation", "units_sold", "conditions", "notes", "inputs")},
    }
    if result.draws:
        shown = shown_risk_sites([s["id"] for s in sites], result.baseline)
        view["draws"] = {
            sid: np.round(np.asarray(result.draws[sid], float)[:limit]).tolist()
            for sid in shown
            if sid in result.draws
        }
    return view


def ranking_view(result: RankResult) -> dict[str, Any]:
    """The MCDA result as the plain dict the report draws (and a report folder keeps as ranking.json)."""
    return result.as_dict()


def site_label(plan: Plan, site_id: str, fallback: str | None = None) -> str:
    try:
        s = plan.site(site_id)
    except UnknownSite:  # a stale view may name a site the plan no longer has
        return fallback or site_id
    return f"{s.name} ({s.country})"


def as_risk_view(risk: RiskResult | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(risk, Mapping):
        missing = {"samples", "seed", "currency", "sites"} - set(risk)
        if missing:
            raise KopruError(f"risk view lacks {', '.join(sorted(missing))}; build it with risk_view()")
        return dict(risk)
    return risk_view(risk)


def as_ranking_view(ranking: RankResult | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(ranking, Mapping):
        missing = {"method", "weights", "sites", "higher_is_better"} - set(ranking)
        if missing:
            raise KopruError(f"ranking view lacks {', '.join(sorted(missing))}; build it with ranking_view()")
        return dict(ranking)
    return ranking_view(ranking)
