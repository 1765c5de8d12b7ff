"""Checks before solving: say in words why a facility-location problem cannot have a plan."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from kopru.facility.problem import FacilityProblem


def explain_infeasibility(p: FacilityProblem) -> str | None:
    """A sentence that says why no plan exists, or None when the simple checks pass."""
    sites = p.sites
    q = _quantity(p.units)
    m = _quantity(p.currency)
    closed = np.isin(sites, list(p.force_closed))
    allowed = ~closed
    reachable = np.isfinite(p.assign_cost) & allowed[:, None]
    orphans = np.flatnonzero(~reachable.any(axis=0))
    if len(orphans):
        named = [_name(p.market_names, j) for j in orphans[:10]] + (["..."] if len(orphans) > 10 else [])
        return f"market(s) {', '.join(named)} cannot be served by any site that may open"
    conflict = set(p.force_open) & set(p.force_closed)
    if conflict:
        named = [_name(p.site_names, s) for s in sorted(conflict)]
        return f"site(s) {', '.join(named)} are forced both open and closed"
    best_cap = np.zeros(sites.max() + 1)
    np.maximum.at(best_cap, sites[allowed], p.capacity[allowed])
    total_demand = p.demand.sum()
    if best_cap.sum() < total_demand * (1 - 1e-12):
        return (
            f"total capacity of the sites that may open ({q(best_cap.sum())}) is below total"
            f" demand ({q(total_demand)})"
        )
    if p.max_sites is not None:
        if len(p.force_open) > p.max_sites:
            return f"{len(p.force_open)} sites are forced open but at most {p.max_sites} may open"
        top = np.sort(best_cap)[::-1][: p.max_sites].sum()
        if top < total_demand * (1 - 1e-12):
            return f"the {p.max_sites} largest sites hold {q(top)}, below total demand {q(total_demand)}"
    if p.single_source:
        too_big = np.flatnonzero(p.demand > p.capacity[allowed].max(initial=0) * (1 + 1e-12))
        if len(too_big):
            j = int(too_big[0])
            return (
                f"single sourcing: market {_name(p.market_names, j)} demands {q(p.demand[j])}, more than"
                f" any one site can supply ({q(p.capacity[allowed].max(initial=0))})"
            )
    if p.budget is not None and p.capex is not None:
        forced = np.isin(sites, list(p.force_open))
        cheapest = {}
        for i in np.flatnonzero(forced):
            cheapest[sites[i]] = min(cheapest.get(sites[i], np.inf), p.capex[i])
        if sum(cheapest.values()) > p.budget:
            return (
                f"the forced sites need capex of {m(sum(cheapest.values()))}, above the budget of"
                f" {m(p.budget)}; expected a budget of at least {m(sum(cheapest.values()))}"
            )
    if p.budget is not None and p.capex is not None:
        least = _least_capex(p, allowed, total_demand)
        if least > p.budget * (1 + 1e-12):
            return (
                f"making the demand of {q(total_demand)} needs capex of at least {m(least)} (the sites"
                f" with the least capex per unit of capacity), above the budget of {m(p.budget)};"
                f" expected a budget of at least {m(least)}"
            )
    if p.min_share > 0 and p.share_mask is not None:
        share_cap = np.zeros(sites.max() + 1)
        mask = allowed & p.share_mask
        np.maximum.at(share_cap, sites[mask], p.capacity[mask])
        if share_cap.sum() < p.min_share * total_demand:
            return (
                f"the sites counted for the minimum share can make {q(share_cap.sum())},"
                f" below {p.min_share:.0%} of demand ({q(p.min_share * total_demand)})"
            )
    return None


def _quantity(unit: str) -> Callable[[float], str]:
    """'3,000,000 units a year' (or '3,000,000' for a problem without units, as OR-Library's)."""
    return lambda value: f"{value:,.0f} {unit}" if unit else f"{value:,.0f}"


def _name(names: tuple[str, ...], index: int) -> str:
    """A site's or market's name, or its number counted from 1 as in an OR-Library file."""
    return names[index] if names else str(index + 1)


def _least_capex(p: FacilityProblem, allowed: np.ndarray, demand: float) -> float:
    """A lower bound on the capex of any plan that can make ``demand``.

    A site's capex for making q is its cheapest level of capacity >= q; the lower convex hull of
    its levels (capacity, capex) and (0, 0) lies below that (the chord to any level does), so the
    hull's segments, cheapest capex per unit first across every site, filled up to the demand
    (the last fractionally), cost no more than any plan."""
    segments: list[tuple[float, float]] = []  # (capex per unit, units)
    for s in np.unique(p.sites[allowed]):
        rows = np.flatnonzero(allowed & (p.sites == s))
        segments += _hull_segments(p.capacity[rows], p.capex[rows])
    segments.sort()
    least, left = 0.0, demand
    for slope, units in segments:
        take = min(units, left)
        least, left = least + slope * take, left - take
        if left <= 0:
            break
    return least


def _hull_segments(capacity: np.ndarray, capex: np.ndarray) -> list[tuple[float, float]]:
    """The lower convex hull from (0, 0) through a site's levels, as (slope, length) segments."""
    points = sorted(zip(capacity.tolist(), capex.tolist(), strict=True))
    hull = [(0.0, 0.0)]
    for c, k in points:
        if c <= hull[-1][0]:
            continue
        while len(hull) >= 2:
            (c0, k0), (c1, k1) = hull[-2], hull[-1]
            if (k1 - k0) * (c - c0) >= (k - k0) * (c1 - c0):  # the middle point is not below the chord
                hull.pop()
            else:
                break
        hull.append((c, k))
    return [((k1 - k0) / (c1 - c0), c1 - c0) for (c0, k0), (c1, k1) in itertools.pairwise(hull)]
