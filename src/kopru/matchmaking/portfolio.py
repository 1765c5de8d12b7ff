"""The portfolio: which enterprise to pitch to which zone, as a generalized assignment problem.

Zones are the agents and enterprises the jobs of :mod:`kopru.assignment`: each enterprise goes to
at most one zone where the pair is possible (:mod:`~kopru.matchmaking.pairs`), within every zone's
capacity per resource, under optional targets (at least N jobs in a region; a cap on what the
zones' tax exemptions cost the state), maximising the chosen objective. Ties are then broken
toward the least cost to the state: a second solve keeps the objective at its optimum and
minimises what the zones' incentives cost (then favours the enterprises' saving); a third finds
the portfolio of the same objective that saves the enterprises most, so the report can say what
that choice would cost the state (``prefer="saving"`` swaps the two). The shadow value of a zone's resource
is what one more unit of it (a hectare, a megawatt) would add to the objective, found by solving
again with that unit added.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from kopru.assignment import GapProblem, GapSolution, SideConstraint, solve_gap
from kopru.datapack.loader import ZONE_RESOURCES
from kopru.display import COUNTRY_NAMES, and_list, code_of
from kopru.errors import MatchError, OptionError
from kopru.highs import Status
from kopru.language import ENGLISH, Words
from kopru.matchmaking.pairs import REASONS, SCALE_FLAG, Pairs
from kopru.matchmaking.pipeline import Pipeline
from kopru.matchmaking.zones import Zones

OBJECTIVES = ("jobs", "investment", "exports", "value_added", "savings", "npv_gain", "weighted")
WEIGHTED = ("jobs", "investment", "exports", "value_added")  # equal weights, each over its largest
EXACT_UP_TO = 500  # enterprises solved to proven optimality by default; larger pipelines to 0.1 %
SHADOW_MAX_PAIRS = 20_000  # above this many pairs shadow values are not re-solved (say so)
RESOURCE_UNITS = {"land_ha": "ha", "power_mw": "MW", "water_m3_day": "m3 a day"}
REASON_TEXT = {"route": "no zone it may use has a route to every one of its markets"}
#: Where a run is read: "cli", the command line (``kopru match``, and the Python API, whose keywords
#: are its flags' names), or "web", the Match page and POST /api/match. A message that tells its
#: reader how to ask for an option names the flag on the one and the page's field (or the API's,
#: where the page has none) on the other: a web review found a report downloaded from the page
#: telling its reader to pass --zones and --include-operating, which a page cannot take.
SURFACES = ("cli", "web")
LAND_HINT = {
    "cli": "give their free land in a --zones file",
    "web": "give their free land in zones_csv (POST /api/match; the Match page has no input for it)",
}


def check_surface(surface: str) -> str:
    if surface not in SURFACES:
        raise OptionError(f"surface must be one of {', '.join(SURFACES)}, got {surface!r}", field="surface")
    return surface


# how ties at the optimum are broken: the portfolio a promotion agency should prefer by default
PREFER = {
    "state_cost": "the least cost to the state of the zones' incentives",
    "saving": "the largest saving for the enterprises",
}
INCENTIVE_COST_BASIS = (
    "an estimate: the annual value to the enterprise of each zone's applied incentives (corporate"
    " income tax exempted on the template's margin, property tax, free land, duty-free inputs), each"
    " spread over the plant's life by its term; VAT, one-off equipment duties, grants and the zones'"
    " infrastructure are not in it, nor are an industrial zone's incentives (in-kind grants, tax relief"
    " under an investment agreement: listed on its pitch sheets, not valued, so its placements count"
    " 0), and it is revenue forgone only if the plant would have come without the incentives"
)


@dataclass(frozen=True)
class Targets:
    """Optional portfolio targets: jobs per region (at least), the state's incentive cost (at most)."""

    min_jobs: dict[str, float] = field(default_factory=dict)  # region id -> jobs
    max_incentive_cost: float | None = None  # USD a year


@dataclass
class MatchResult:
    """The portfolio and everything behind it (``as_dict`` is ``kopru match --json``)."""

    objective_name: str
    solution: GapSolution
    refined: GapSolution | None  # the tie-break solve (see PREFER), if run
    assignment: np.ndarray  # (E,) zone index, -1 unassigned
    pipeline: Pipeline
    zones: Zones
    pairs: Pairs
    values: np.ndarray  # (E, Z) the objective's value of each pair
    shadow: dict[str, np.ndarray]  # resource -> (Z,) objective gained by one more unit; NaN: not computed
    notes: list[str]
    seconds: float
    templates: dict[str, Any] = field(default_factory=dict, repr=False)  # name -> TemplateCosts
    targets: Targets = field(default_factory=Targets)  # the portfolio's targets, for the reasons given
    prefer: str = "state_cost"  # how ties at the optimum were broken (PREFER)
    alternative: np.ndarray | None = None  # (E,) the tied portfolio the other preference picks
    provenance: dict[str, Any] = field(default_factory=dict)  # versions and time, as a plan has
    trade_offs: list[dict[str, Any]] = field(default_factory=list)  # what each objective's portfolio gives
    avoid: tuple[str, ...] = ()  # countries no route passes through (ISO codes)
    _transit: dict[bytes, dict[str, Any] | None] = field(default_factory=dict, init=False, repr=False)

    @property
    def objective(self) -> float | None:
        """The objective of the portfolio shown: the tie-break may give up to a millionth of the
        first solve's optimum (its solver tolerance), so it is summed from the assignment itself."""
        if self.solution.objective is None:
            return None
        placed = np.flatnonzero(self.assignment >= 0)
        return float(np.sum(self.values[placed, self.assignment[placed]]))

    def enterprise_rows(self) -> list[dict[str, Any]]:
        df, p, z = self.pipeline.table, self.pairs, self.zones.table
        rows = []
        for e, r in enumerate(df.itertuples()):
            zone = int(self.assignment[e])
            rows.append(
                {
                    "id": r.id,
                    "name": r.name,
                    "sector": r.sector,
                    "template": r.template,
                    "hs": r.hs or None,  # as the pipeline gives it (context: the template's is costed)
                    "status": r.status,
                    "source": r.source,
                    "volume": _num(p.volume[e]),
                    "jobs": _num(p.jobs[e]),
                    "investment_usd": _num(p.investment[e]),
                    "needs": {k: _num(v[e]) for k, v in p.needs.items() if np.isfinite(v[e])},
                    "estimated": p.estimated[e],
                    "scale": _num(p.scale[e]),
                    "sez_category": p.category[e],  # its SEZ relief category, by its own investment
                    "hurdle_pct": round(100 * float(p.hurdle[e]), 4),
                    "baseline_cost_usd": _num(p.baseline_cost[e]),
                    "zone": z["id"].iloc[zone] if zone >= 0 else None,
                    "best_zones": self._best_zones(e),
                }
            )
        return rows

    def _best_zones(self, e: int, k: int = 3, words: Words | None = None) -> list[dict[str, Any]]:
        """The k zones with the largest saving among those its sector, regions and routes allow, and
        the zone it is assigned to when that is not among them (an analyst's review: the sheet pitched
        a zone its list did not show)."""
        p, z = self.pairs, self.zones.table
        open_ = self._open(e)
        order = [i for i in np.argsort(-np.nan_to_num(p.advantage[e], nan=-np.inf)) if open_[i]][:k]
        if self.assignment[e] >= 0 and int(self.assignment[e]) not in order:
            order.append(int(self.assignment[e]))
        return [
            {
                "zone": z["id"].iloc[i],
                "name": z["name"].iloc[i],
                "advantage": _num(p.advantage[e, i], 6),
                "saving_usd": _num(p.saving[e, i], 2),
                "npv_gain_usd": _num(p.npv_gain[e, i], 0),
                "reasons": self.zone_reasons(e, i, words),
            }
            for i in order
        ]

    def zone_reasons(self, e: int, i: int, words: Words | None = None) -> list[str]:
        """What speaks for (and against) zone i for enterprise e, in words."""
        w, p = words or ENGLISH, self.pairs
        share, saving = p.advantage[e, i], p.saving[e, i]
        why = (
            [
                w(
                    "saves %(share)s (%(saving)s USD a year) against its Turkish baseline",
                    share=w.share(share, 1),
                    saving=w.number(saving),
                )
            ]
            if math.isfinite(share) and math.isfinite(saving)
            else [w("its saving against its Turkish baseline is not known")]
        )
        if p.reason[e, i] == REASONS.index("hurdle"):
            why.append(w("below its hurdle of %(hurdle)s", hurdle=w.share(p.hurdle[e], 0)))
        if p.incentive_cost[e, i] > 0:
            why.append(
                w("zone incentives worth %(value)s USD a year", value=w.number(p.incentive_cost[e, i]))
            )
            if not p.confirmed[e, i]:
                why.append(w("the sector's eligibility for them is not confirmed"))
        if self.assignment[e] == i:
            why.append(w("assigned"))
            why.extend(self._over(e, i, w))
        return why

    def _open(self, e: int) -> np.ndarray:
        """(Z,) the zones enterprise e could go to but for its hurdle: those a pitch may name."""
        return (self.pairs.reason[e] < 0) | (self.pairs.reason[e] == REASONS.index("hurdle"))

    def _elsewhere(self, e: int, w: Words, k: int = 2) -> str:
        """The zones outside its regions that would take it otherwise (its sector, a route, its
        hurdle), those that save it most first: somewhere to start the talk (an analyst's review)."""
        p, z = self.pairs, self.zones.table
        outside = p.reason[e] == REASONS.index("region")  # status and sector allow it
        fits = (
            outside
            & np.isfinite(p.cost[e])
            & (np.nan_to_num(p.advantage[e], nan=-np.inf) >= p.hurdle[e] - 1e-12)
        )
        order = [int(i) for i in np.argsort(-np.where(fits, p.advantage[e], -np.inf))[:k] if fits[i]]
        if not order:
            return ""
        named = ", ".join(
            w(
                "%(zone)s (%(region)s, saves %(share)s)",
                zone=z["name"].iloc[i],
                share=w.share(p.advantage[e, i], 1),
                region=w(self.zones.region_names.get(z["region"].iloc[i], z["region"].iloc[i])),
            )
            for i in order
        )
        return w("; outside them, %(zones)s would take it", zones=named)

    def _over(self, e: int, i: int, w: Words) -> list[str]:
        """Why the assigned zone i and not the open zone that saves enterprise e more: what each
        costs the state; the portfolio's objective, the zones' land and power and the tie-break
        (``prefer``) decide, and the sheet says which facts differ, not a cause it cannot know."""
        p, z = self.pairs, self.zones.table
        saving = np.where(self._open(e), np.nan_to_num(p.advantage[e], nan=-np.inf), -np.inf)
        best = int(np.argmax(saving))
        if best == i or not saving[best] > np.nan_to_num(p.advantage[e, i], nan=-np.inf):
            return []
        values = {"zone": z["name"].iloc[best], "share": w.share(float(p.advantage[e, best]), 1)}
        less = float(p.incentive_cost[e, best] - p.incentive_cost[e, i])
        if less > 0:
            return [
                w(
                    "chosen over %(zone)s, which saves it %(share)s; it costs the state %(less)s USD a year"
                    " less in incentives",
                    less=w.number(less),
                    **values,
                )
            ]
        return [
            w(
                "chosen over %(zone)s, which saves it %(share)s, by the portfolio's objective within the"
                " zones' land and power",
                **values,
            )
        ]

    def zone_rows(self) -> list[dict[str, Any]]:
        p, z = self.pairs, self.zones
        rows = []
        for i, r in enumerate(z.table.itertuples()):
            mine = self.assignment == i
            resources = {}
            for res in ZONE_RESOURCES:
                cap = z.capacity[res][i]
                used = float(np.nansum(p.needs[res][mine]))
                if not np.isfinite(cap) and used == 0:
                    continue
                resources[res] = {
                    "used": round(used, 6),
                    "capacity": _num(cap),
                    "basis": z.basis[res][i],
                    "shadow": _num(self.shadow.get(res, np.full(len(z), np.nan))[i]),
                }
            rows.append(
                {
                    "id": r.id,
                    "name": r.name,
                    "kind": r.kind,
                    "region": r.region,
                    "lat": r.lat,
                    "lon": r.lon,
                    "enterprises": int(mine.sum()),
                    "resources": resources,
                }
            )
        return rows

    def assignment_rows(self) -> list[dict[str, Any]]:
        p, df, z = self.pairs, self.pipeline.table, self.zones.table
        rows = []
        for e in np.flatnonzero(self.assignment >= 0):
            i = int(self.assignment[e])
            rows.append(
                {
                    "enterprise": df["id"].iloc[e],
                    "name": df["name"].iloc[e],
                    "zone": z["id"].iloc[i],
                    "zone_name": z["name"].iloc[i],
                    "region": z["region"].iloc[i],
                    "status": df["status"].iloc[e],
                    "advantage": _num(p.advantage[e, i], 6),
                    "saving_usd": _num(p.saving[e, i], 2),
                    # over the plant's life at the template's WACC: in the zone, and less at its baseline
                    "npv_usd": _num(p.npv[e, i], 0),
                    "npv_gain_usd": _num(p.npv_gain[e, i], 0),
                    # SEZ incentives counted on a general word or an unsourced sector list
                    "confirmed": bool(p.confirmed[e, i]),
                    "estimated": p.estimated[e],
                    "jobs": _num(p.jobs[e]),
                    "investment_usd": _num(p.investment[e]),
                    "exports_usd": _num(p.exports[e]),
                    # its output over its template's: its figures are the template's scaled linearly
                    "scale": _num(p.scale[e]),
                    "value_added_usd": _num(p.value_added[e, i]),
                    "incentive_cost_usd": _num(p.incentive_cost[e, i]),
                    "value": _num(self.values[e, i]),
                }
            )
        return rows

    def unassigned_rows(self, surface: str = "cli") -> list[dict[str, Any]]:
        df = self.pipeline.table
        rows = []
        for e in np.flatnonzero(self.assignment < 0):
            why = self.why_not(e, surface=surface)
            rows.append({"enterprise": df["id"].iloc[e], "name": df["name"].iloc[e], "why": why})
        return rows

    def why_not(self, e: int, words: Words | None = None, surface: str = "cli") -> str:
        """Why an enterprise has no zone, in words (English, or ``words``' language), naming the
        options as ``surface`` (:data:`SURFACES`) asks for them."""
        w = words or ENGLISH
        p = self.pairs
        web = check_surface(surface) == "web"
        if (p.reason[e] == REASONS.index("status")).all():
            status = w(str(self.pipeline.table["status"].iloc[e]))
            if web:
                return w(
                    "it operates already (status '%(status)s'): not a new project to place (the Match page"
                    " places new projects only; tick “place operating plants too” to place it as if it"
                    " were)",
                    status=status,
                )
            return w(
                "it operates already (status '%(status)s'): not a new project to place"
                " (include_operating, --include-operating on the command line, places it as if it were)",
                status=status,
            )
        if p.possible[e].any():
            return self._why_left_out(e, w)
        zones = self.zones.table
        regions = self.pipeline.table["regions"].iloc[e]
        local = np.array([not regions or reg in regions for reg in zones["region"]])
        if not local.any():
            named = ", ".join(w(self.zones.region_names.get(r, r)) for r in regions)
            text = w("no zone lies in its regions (%(regions)s)", regions=named)
            return text + self._elsewhere(e, w)
        first = p.reason[e]
        if (first[local] == REASONS.index("sector")).all():
            names = ", ".join(zones["name"][local])
            if p.confirmed_only and web:
                return w(
                    "the zones in its regions (%(zones)s) do not take its sector with its eligibility"
                    " confirmed (only those were allowed: “confirmed SEZ eligibility only” on the Match"
                    " page)",
                    zones=names,
                )
            if p.confirmed_only:
                return w(
                    "the zones in its regions (%(zones)s) do not take its sector with its eligibility"
                    " confirmed (only those were allowed: --confirmed-only)",
                    zones=names,
                )
            return w(
                "the zones in its regions (%(zones)s) do not take its sector (SEZ priority sectors)",
                zones=names,
            )
        hurdle = first == REASONS.index("hurdle")
        if hurdle.any():
            best = int(np.nanargmax(np.where(hurdle, p.advantage[e], -np.inf)))
            return w(
                "no zone saves its %(hurdle)s hurdle against its Turkish baseline: the best, %(zone)s,"
                " saves %(share)s",
                hurdle=w.share(p.hurdle[e], 0),
                zone=zones["name"].iloc[best],
                share=w.share(p.advantage[e, best], 1),
            )
        return w(REASON_TEXT["route"])

    def _why_left_out(self, e: int, w: Words) -> str:
        """Why an enterprise some zone could host has none: full zones, the budget or the targets."""
        p = self.pairs
        hosts = np.flatnonzero(p.possible[e])
        # an NPV gain can be negative (the saving clears the hurdle, the incentives end): no gain
        if self.objective_name == "npv_gain" and (self.values[e, hosts] <= 0).all():
            best = hosts[np.argmax(self.values[e, hosts])]
            return w(
                "no zone it may use adds to the %(what)s: at best, %(zone)s, producing there is worth"
                " %(value)s USD against a new plant at its Turkish baseline over the plant's life",
                what=w(self.objective_name.replace("_", " ")),
                zone=self.zones.table["name"].iloc[best],
                value=w.signed(float(self.values[e, best]), 0),
            )
        budget = self.targets.max_incentive_cost
        cheapest = hosts[np.argmin(p.incentive_cost[e, hosts])]
        if budget is not None and p.incentive_cost[e, cheapest] > budget:
            return w(
                "the incentive budget (%(budget)s USD a year) does not cover the incentives of any zone that"
                " could host it (the least, %(zone)s's: %(cost)s USD a year)",
                budget=w.number(budget),
                zone=self.zones.table["name"].iloc[cheapest],
                cost=w.number(p.incentive_cost[e, cheapest]),
            )
        full = self._full_zones(e, hosts)
        blocked = {name for name, *_ in full}
        over = []  # hosts with room whose incentives the budget has no room left for
        if budget is not None:
            placed = np.flatnonzero(self.assignment >= 0)
            left = budget - float(np.nansum(p.incentive_cost[placed, self.assignment[placed]]))
            for i in hosts:
                name = str(self.zones.table["name"].iloc[i])
                if name not in blocked and p.incentive_cost[e, i] > left + 1e-6:
                    over.append((name, float(p.incentive_cost[e, i]), left))
        parts = []
        if full:
            zone, res, need, room, users = min(full, key=lambda f: f[2] - f[3])
            taken = ""
            if users:
                others = w(" and others") if len(users) > 3 else ""
                taken = w(" (taken by %(users)s%(others)s)", users=", ".join(users[:3]), others=others)
            unit = w(RESOURCE_UNITS.get(res, ""))
            parts.append(
                w(
                    "%(full)s of the %(hosts)s zones that could host it are full; nearest, %(zone)s has"
                    " %(room)s %(unit)s of %(resource)s left%(taken)s for its %(need)s: %(more)s %(unit)s"
                    " more there would let it in",
                    full=len(full),
                    hosts=len(hosts),
                    zone=zone,
                    room=w.number(room, 1),
                    unit=unit,
                    resource=w(res.split("_")[0]),
                    taken=taken,
                    need=w.number(need, 1),
                    more=w.number(need - room, 1),
                )
            )
        if over:
            zone, cost, room = min(over, key=lambda o: o[1])
            parts.append(
                w(
                    "in %(zones)s the incentives would break the budget (%(zone)s's cost %(cost)s USD a year,"
                    " %(left)s left of %(budget)s)",
                    zones=len(over),
                    zone=zone,
                    cost=w.number(cost),
                    left=w.number(max(room, 0.0)),
                    budget=w.number(budget),
                )
            )
        if len(full) + len(over) == len(hosts):
            return "; ".join(parts)
        free = len(hosts) - len(full) - len(over)
        what = w(self.objective_name.replace("_", " "))
        if budget is not None:
            return w.plural(
                "targets or the incentive budget: it fits in %(n)s zone with room, but the portfolio that"
                " meets the targets or the incentive budget with the most %(what)s leaves it out",
                "targets or the incentive budget: it fits in %(n)s zones with room, but the portfolio that"
                " meets the targets or the incentive budget with the most %(what)s leaves it out",
                free,
                what=what,
            )
        return w.plural(
            "targets: it fits in %(n)s zone with room, but the portfolio that meets the targets with the"
            " most %(what)s leaves it out",
            "targets: it fits in %(n)s zones with room, but the portfolio that meets the targets with the"
            " most %(what)s leaves it out",
            free,
            what=what,
        )

    def impact(self) -> dict[str, Any]:
        """The portfolio's totals, summed from the placed enterprises' own figures, and by region."""
        p, a = self.pairs, self.assignment
        placed = np.flatnonzero(a >= 0)
        zone = a[placed]
        per_pair = {
            "jobs": p.jobs[placed],
            "investment_usd": p.investment[placed],
            "exports_usd": p.exports[placed],
            "value_added_usd": p.value_added[placed, zone],
            "saving_usd": p.saving[placed, zone],
            "npv_gain_usd": p.npv_gain[placed, zone],
            "incentive_cost_usd": p.incentive_cost[placed, zone],
        }
        regions = self.zones.table["region"].to_numpy()[zone]
        estimated = [self.pairs.estimated[e] for e in placed]
        unconfirmed = ~p.confirmed[placed, zone]
        big = np.nan_to_num(p.scale[placed], nan=1.0) > SCALE_FLAG
        statuses = np.array([s or "not stated" for s in self.pipeline.table["status"].iloc[placed]])
        jobs = float(np.nansum(p.jobs[placed]))
        cost = float(np.nansum(p.incentive_cost[placed, zone]))
        # the jobs in SEZs, whose incentives the cost values (an industrial zone's count 0: not valued)
        in_sez = self.zones.table["kind"].to_numpy()[zone] == "sez"
        counted = float(np.nansum(p.jobs[placed][in_sez]))
        by_region = {
            str(reg): {
                "enterprises": int((regions == reg).sum()),
                "jobs": float(p.jobs[placed][regions == reg].sum()),
                "investment_usd": float(p.investment[placed][regions == reg].sum()),
            }
            for reg in sorted(set(regions))
        }
        return {
            "enterprises": len(placed),
            **{k: float(np.nansum(v)) for k, v in per_pair.items()},
            "incentive_cost_per_job_usd": cost / jobs if jobs > 0 else None,
            # over the jobs placed in SEZs, whose incentives are counted (an analyst's review: the SEZs'
            # cost over every job, the industrial zones' too, read as a third of what it is)
            "incentive_cost_per_counted_job_usd": cost / counted if counted > 0 else None,
            # how much of the headline is kopru's estimate, not the sources' figures
            "estimated": {
                k: float(np.nansum([v for v, est in zip(per_pair[k], estimated, strict=True) if f in est]))
                for k, f in (("jobs", "jobs"), ("investment_usd", "investment_usd"))
            },
            # placements whose SEZ incentives rest on a general word or an unsourced sector list
            "unconfirmed": {
                "enterprises": int(unconfirmed.sum()),
                **{k: float(np.nansum(per_pair[k][unconfirmed])) for k in ("jobs", "investment_usd")},
                "incentive_cost_usd": float(np.nansum(per_pair["incentive_cost_usd"][unconfirmed])),
            },
            "by_status": {
                str(st): {
                    "enterprises": int((statuses == st).sum()),
                    "jobs": float(np.nansum(per_pair["jobs"][statuses == st])),
                    "investment_usd": float(np.nansum(per_pair["investment_usd"][statuses == st])),
                }
                for st in sorted(set(statuses))
            },
            "by_region": by_region,
            # placements costed at more than SCALE_FLAG times their template's size: their figures
            # are the template's scaled linearly, so the headline is also given without them
            "scaled": {
                "enterprises": int(big.sum()),
                "above": SCALE_FLAG,
                **{
                    k: float(np.nansum(per_pair[k][big]))
                    for k in ("jobs", "investment_usd", "exports_usd", "saving_usd", "npv_gain_usd")
                },
            },
        }

    def _full_zones(self, e: int, hosts: np.ndarray) -> list[tuple[str, str, float, float, list[str]]]:
        """For each host zone without room for enterprise ``e``: the zone's name, the resource short,
        what ``e`` needs, what is left, and who uses it."""
        p, z = self.pairs, self.zones
        names = self.pipeline.table["name"]
        out = []
        for i in hosts:
            mine = self.assignment == i
            for res in ZONE_RESOURCES:
                need, cap = p.needs[res][e], z.capacity[res][i]
                if not (np.isfinite(need) and np.isfinite(cap)):
                    continue
                left = cap - float(np.nansum(p.needs[res][mine]))
                if need > left + 1e-9:
                    out.append(
                        (str(z.table["name"].iloc[i]), res, float(need), max(left, 0.0), list(names[mine]))
                    )
                    break
        return out

    def tie_break(self) -> dict[str, Any]:
        """How ties at the optimum were broken, and what the other preference's portfolio gives."""
        out: dict[str, Any] = {"prefer": self.prefer, "rule": PREFER[self.prefer], "alternative": None}
        if self.alternative is None:
            return out
        p = self.pairs

        def totals(a: np.ndarray) -> tuple[float, float]:
            e = np.flatnonzero(a >= 0)
            return float(np.nansum(p.incentive_cost[e, a[e]])), float(np.nansum(p.saving[e, a[e]]))

        (cost, saving), (alt_cost, alt_saving) = totals(self.assignment), totals(self.alternative)
        if abs(alt_cost - cost) > 0.5 or abs(alt_saving - saving) > 0.5:
            other = next(k for k in PREFER if k != self.prefer)
            out["alternative"] = {
                "prefer": other,
                "rule": PREFER[other],
                "incentive_cost_usd": alt_cost,
                "saving_usd": alt_saving,
                "moved": int((self.alternative != self.assignment).sum()),
            }
        return out

    def template_at(self, e: int, z: int) -> tuple[Any, int]:
        """Enterprise ``e``'s template as costed for it (its SEZ relief category) and zone ``z``'s
        site in it."""
        t = self.templates[self.pipeline.table["template"].iloc[e]].in_category(self.pairs.category[e])
        return t, t.site(self.zones.table["site"].iloc[z])

    def restricted_transit(self) -> dict[str, Any] | None:
        """The placements whose routes to their markets cross a country under restrictions: how
        many, which countries (codes and names), and the countries a portfolio priced on routes
        through none of them would avoid (their codes, for ``avoid``); None when there are none."""
        key = self.assignment.tobytes()
        if key in self._transit:
            return self._transit[key]
        placed, crossed, avoids = 0, set(), set(self.avoid)
        for e in np.flatnonzero(self.assignment >= 0) if self.templates else ():
            t, site = self.template_at(int(e), int(self.assignment[e]))
            markets = self.pipeline.table["markets"].iloc[e]
            routes = [r for r in t.market_routes(site, markets) if r["through"]]
            placed += bool(routes)
            crossed.update(c for r in routes for c in r["through"])
            avoids.update(c for r in routes for c in r["around"]["avoids"])
        found = None
        if placed:
            found = {
                "enterprises": placed,
                "countries": sorted(crossed),
                "names": [COUNTRY_NAMES.get(c, c) for c in sorted(crossed)],
                "avoid": sorted(avoids | crossed),
            }
        self._transit[key] = found
        return found

    def as_dict(self, surface: str = "cli") -> dict[str, Any]:
        """The run as ``kopru match --json`` gives it; ``surface`` "web" names options as the Match
        page and POST /api/match ask for them (:data:`SURFACES`)."""
        s, impact = self.solution, self.impact()
        hint = LAND_HINT[check_surface(surface)]
        return {
            **self.provenance,
            "status": s.status.value,
            "objective_name": self.objective_name,
            "objective": self.objective,
            "bound": s.bound,
            "gap": s.gap,
            "seconds": round(self.seconds, 3),
            "enterprises": self.enterprise_rows(),
            "zones": self.zone_rows(),
            "assignments": self.assignment_rows(),
            "unassigned": self.unassigned_rows(surface),
            "impact": impact,
            "incentive_cost_basis": INCENTIVE_COST_BASIS,
            "tie_break": self.tie_break(),
            "targets": self.target_rows(impact),
            "trade_offs": self.trade_offs,
            "avoid": list(self.avoid),
            "include_operating": self.pairs.include_operating,
            "avoid_names": [COUNTRY_NAMES.get(c, c) for c in self.avoid],
            "restricted_transit": self.restricted_transit(),
            "notes": [n.replace(LAND_HINT["cli"], hint) for n in self.notes],
        }

    def target_rows(self, impact: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Each target given, what the portfolio reaches and whether it binds (the portfolio sits on
        it: without it another would be chosen), named as people name regions (an analyst's review:
        targets were never said back). ``impact``: :meth:`impact`, when it is at hand."""
        impact = impact or self.impact()

        def row(target: str, region: str | None, wanted: float, reached: float, at_least: bool) -> dict:
            slack = 1e-6 * max(wanted, 1.0)
            met = reached >= wanted - slack if at_least else reached <= wanted + slack
            return {
                "target": target,
                "region": region,
                "wanted": wanted,
                "reached": reached,
                "met": met,
                "binding": abs(reached - wanted) <= slack,
            }

        out = [
            row(
                f"at least {wanted:,.0f} jobs in {self.zones.region_names.get(region, region)}",
                region,
                wanted,
                impact["by_region"].get(region, {}).get("jobs", 0.0),
                at_least=True,
            )
            for region, wanted in self.targets.min_jobs.items()
        ]
        cap = self.targets.max_incentive_cost
        if cap is not None:
            target = f"the zones' incentives cost the state at most {cap:,.0f} USD a year"
            out.append(row(target, None, cap, impact["incentive_cost_usd"], at_least=False))
        return out


def _num(x: Any, digits: int | None = None) -> float | None:
    """A JSON-ready number: None for a missing or non-finite one (never NaN), rounded if asked."""
    if x is None or not np.isfinite(x):
        return None
    return float(x) if digits is None else round(float(x), digits)


def objective_values(objective: str, pairs: Pairs) -> np.ndarray:
    """(E, Z) what assigning each enterprise to each zone adds to the objective."""
    n_e, n_z = pairs.cost.shape
    per_enterprise = {
        "jobs": pairs.jobs,
        "investment": pairs.investment,
        "exports": pairs.exports,
    }
    if objective in per_enterprise:
        return np.broadcast_to(per_enterprise[objective][:, None], (n_e, n_z)).copy()
    if objective == "value_added":
        return pairs.value_added.copy()
    if objective == "savings":
        return np.where(np.isfinite(pairs.saving), pairs.saving, 0.0)
    if objective == "npv_gain":  # over the plants' lives: a zone's incentives count for their terms
        return np.where(np.isfinite(pairs.npv_gain), pairs.npv_gain, 0.0)
    if objective == "weighted":
        total = np.zeros((n_e, n_z))
        for name in WEIGHTED:
            v = objective_values(name, pairs)
            top = np.nanmax(np.abs(np.where(pairs.possible, v, np.nan))) if pairs.possible.any() else 0.0
            total += v / top / len(WEIGHTED) if top and np.isfinite(top) else 0.0
        return total
    raise MatchError(
        f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}", field="objective"
    )


def build_problem(
    pairs: Pairs,
    zones: Zones,
    values: np.ndarray,
    targets: Targets,
    capacity: dict[str, np.ndarray] | None = None,
) -> GapProblem:
    """The assignment problem: zones × enterprises, one resource row per declared resource."""
    cap = capacity or zones.capacity
    used = [r for r in ZONE_RESOURCES if np.isfinite(cap[r]).any() and np.isfinite(pairs.needs[r]).any()]
    n_z = len(zones)
    weight = np.stack(
        [np.broadcast_to(np.nan_to_num(pairs.needs[r])[None, :], (n_z, len(values))) for r in used]
    )
    # a capacity a zone does not declare does not bind: more than the whole pipeline needs
    capacity_rows = np.stack(
        [np.where(np.isfinite(cap[r]), cap[r], weight[k].sum() + 1.0) for k, r in enumerate(used)]
    )
    cost = np.where(pairs.possible, values, np.nan).T  # (Z, E)
    side = []
    region = zones.table["region"].to_numpy()
    for reg, jobs in targets.min_jobs.items():
        side.append(
            SideConstraint(
                region == reg,
                np.nan_to_num(pairs.jobs),
                lower=jobs,
                name=f"min_jobs (--min-jobs): jobs in {zones.region_names.get(reg, reg)} ({reg})",
                field="min_jobs",
                subject=f"jobs in {zones.region_names.get(reg, reg)}",
            )
        )
    if targets.max_incentive_cost is not None:
        side.append(
            SideConstraint(
                None,
                pairs.incentive_cost.T,
                upper=targets.max_incentive_cost,
                name="max_incentive_cost (--max-incentive-cost): the zones' incentives, USD a year",
                field="max_incentive_cost",
                subject="the zones' incentives' cost to the state, USD a year",
            )
        )
    if not used:  # no resource declared anywhere: a dummy row keeps the shapes (R >= 1)
        weight, capacity_rows = np.zeros((1, n_z, len(values))), np.ones((1, n_z))
    return GapProblem(cost, weight, capacity_rows, maximize=True, optional=True, side=tuple(side))


def solve_portfolio(
    pipeline: Pipeline,
    zones: Zones,
    pairs: Pairs,
    objective: str = "jobs",
    targets: Targets | None = None,
    time_limit: float | None = 60.0,
    shadow: bool = True,
    refine: bool = True,
    gap: float | None = None,
    prefer: str = "state_cost",
    alternative: bool = True,
    deadline: float | None = None,
) -> MatchResult:
    """Choose the portfolio, break ties by ``prefer`` (:data:`PREFER`) and price each zone's resources.

    ``time_limit`` is the budget in seconds for every solve of the run together (the portfolio,
    its tie-breaks and the shadow values), unless ``deadline`` (a ``time.perf_counter()`` value)
    sets the end of a longer run that this is part of. Each solve gets the time left; a tie-break
    or shadow value the time does not reach is left out, and a note says so.

    ``gap``: the relative optimality gap to stop at; by default exact (1e-9) for pipelines of up
    to :data:`EXACT_UP_TO` enterprises and 0.1 % above (the answer says which it reached)."""
    t0 = time.perf_counter()
    if deadline is None:
        deadline = t0 + time_limit if time_limit is not None else math.inf
    if prefer not in PREFER:
        raise MatchError(
            f"prefer (--prefer) must be one of {', '.join(PREFER)}, got {prefer!r}", field="prefer"
        )
    targets = _by_code(targets or Targets(), zones)
    _check_targets(targets, zones)
    values = objective_values(objective, pairs)
    problem = build_problem(pairs, zones, values, targets)
    if gap is None:
        gap = 1e-9 if len(pipeline) <= EXACT_UP_TO else 1e-3
    solution = solve_gap(problem, time_limit=_left(deadline, at_least=0.01), gap=gap)
    notes = list(pairs.notes)  # what the pipeline said that the pairs did not read, first
    assignment = solution.assignment.copy() if solution.assignment is not None else np.full(len(pipeline), -1)
    refined = other_assignment = None
    if refine and solution.status is Status.OPTIMAL and solution.objective is not None:
        refined = _refine(pairs, values, problem, solution.objective, deadline, prefer)
        if refined is not None and refined.assignment is not None:
            assignment = refined.assignment.copy()
            if alternative:  # what the other preference would give, for the report
                other = next(k for k in PREFER if k != prefer)
                second = _refine(pairs, values, problem, solution.objective, deadline, other)
                if second is not None and second.assignment is not None:
                    other_assignment = second.assignment.copy()
    if solution.status is not Status.OPTIMAL:
        notes.append(f"not proven optimal: status {solution.status.value}, gap {solution.gap}")
    notes.extend(_scale_notes(pipeline, pairs, assignment))
    notes.extend(_resting_notes(pairs, zones, assignment))
    notes.extend(_old_leads(pipeline, assignment))
    shadows = {r: np.full(len(zones), np.nan) for r in ZONE_RESOURCES}
    if shadow and solution.status is Status.OPTIMAL:
        if pairs.cost.size <= SHADOW_MAX_PAIRS:
            shadows, skipped = _shadow_values(pairs, zones, values, targets, solution.objective, deadline)
            if skipped:
                notes.append(f"{skipped} shadow value(s) not computed: the time limit ran out first")
        else:
            notes.append(
                f"shadow values not computed: {pairs.cost.size:,} pairs"
                f" (they are re-solved up to {SHADOW_MAX_PAIRS:,})"
            )
    return MatchResult(
        objective,
        solution,
        refined,
        assignment,
        pipeline,
        zones,
        pairs,
        values,
        shadows,
        notes,
        time.perf_counter() - t0,
        targets=targets,
        prefer=prefer,
        alternative=other_assignment,
    )


TRADE_OFF_KEYS = (
    "enterprises",
    "jobs",
    "investment_usd",
    "exports_usd",
    "value_added_usd",
    "saving_usd",
    "npv_gain_usd",
)


def trade_offs(result: MatchResult, deadline: float = math.inf) -> list[dict[str, Any]]:
    """What the portfolio of each objective gives, and, with targets, what they cost: the same
    pipeline, zones and preference solved again for every objective (and without the targets),
    each within the time left before ``deadline`` (a ``time.perf_counter()`` value); a portfolio
    the time does not reach is left out of the table, and a note on the result says so."""
    runs = [(name, result.targets) for name in OBJECTIVES]
    if result.targets.min_jobs or result.targets.max_incentive_cost is not None:
        runs.append((result.objective_name, Targets()))
    rows = []
    for name, targets in runs:
        if name == result.objective_name and targets is result.targets:
            other = result
        elif time.perf_counter() >= deadline:  # an infinite deadline never passes
            label = name + ("" if targets is result.targets else " (no targets)")
            result.notes.append(f"trade-off for {label} not solved: the time limit ran out first")
            continue
        else:
            other = solve_portfolio(
                result.pipeline,
                result.zones,
                result.pairs,
                name,
                targets,
                None,
                shadow=False,
                prefer=result.prefer,
                alternative=False,  # only each portfolio's own totals are shown
                deadline=deadline,
            )
        impact = other.impact()
        rows.append(
            {
                "objective": name,
                "targets": targets is result.targets,
                "status": other.solution.status.value,
                **{k: impact[k] for k in TRADE_OFF_KEYS},
                "incentive_cost_usd": impact["incentive_cost_usd"],
                # what each objective buys per USD the state gives up (an analyst's review: value added
                # could come at a high cost to the state, unflagged); None where nothing is placed
                "incentive_cost_per_job_usd": impact["incentive_cost_per_job_usd"],
                "value_added_per_incentive_usd": (
                    impact["value_added_usd"] / impact["incentive_cost_usd"]
                    if impact["incentive_cost_usd"] > 0
                    else None
                ),
            }
        )
    result.notes.extend(_dear_jobs(result, rows))
    return rows


DEAR = 3.0  # a portfolio whose incentives cost this many times another's per job, for as many jobs


def _dear_jobs(result: MatchResult, rows: list[dict[str, Any]]) -> list[str]:
    """A note when the portfolio shown costs the state DEAR times or more per job than another
    objective's that places as many jobs (the example: value added bought 67,859 USD of incentives a
    job where jobs bought the same 4,963 jobs at 3,237)."""
    chosen = next((r for r in rows if r["objective"] == result.objective_name and r["targets"]), None)
    if chosen is None or not chosen["incentive_cost_per_job_usd"]:
        return []
    others = [
        r
        for r in rows
        if r["targets"] and r["incentive_cost_per_job_usd"] and r["jobs"] >= chosen["jobs"] * (1 - 1e-9)
    ]
    best = min(others, key=lambda r: r["incentive_cost_per_job_usd"], default=None)
    if best is None or chosen["incentive_cost_per_job_usd"] < DEAR * best["incentive_cost_per_job_usd"]:
        return []
    mine, theirs = chosen["incentive_cost_per_job_usd"], best["incentive_cost_per_job_usd"]
    other = best["objective"].replace("_", " ")
    return [
        f"this portfolio's incentives cost the state {mine:,.0f} USD a year per job placed; the {other}"
        f" objective's portfolio places {best['jobs']:,.0f} jobs at {theirs:,.0f} ({mine / theirs:,.0f} times"
        " less): see what each objective gives"
    ]


def _scale_notes(pipeline: Pipeline, pairs: Pairs, assignment: np.ndarray) -> list[str]:
    """A note for each placed enterprise far from its template's size (costs, land and sales scale
    linearly with it, an assumption) or whose stated jobs are far from the labour it is costed for."""
    out = []
    df = pipeline.table
    for e in np.flatnonzero(assignment >= 0):
        name, scale, said = df["name"].iloc[e], pairs.scale[e], df["jobs"].iloc[e]
        parts = []
        if scale > SCALE_FLAG:
            parts.append(
                f"{scale:,.1f} times its template ({df['template'].iloc[e]}): its costs, land and sales"
                f" are the template's scaled up linearly (an assumption), selling {scale:,.1f} times"
                " what the template's markets buy"
            )
        elif scale < 1.0 / SCALE_FLAG:
            parts.append(
                f"{scale:,.2f} times its template ({df['template'].iloc[e]}): costed per unit as the"
                " template (an assumption: a plant this small likely costs more per unit)"
            )
        workers = pairs.workers[e]
        if np.isfinite(said) and said > 0 and not 1.0 / SCALE_FLAG <= workers / said <= SCALE_FLAG:
            parts.append(
                f"its labour is costed for about {workers:,.0f} workers, against the {said:,.0f} jobs stated"
            )
        if parts:
            out.append(
                f"{name} is " + "; ".join(parts) if parts[0][0].isdigit() else f"{name}: " + "; ".join(parts)
            )
    return out


def _resting_notes(pairs: Pairs, zones: Zones, assignment: np.ndarray) -> list[str]:
    """How much of the portfolio rests on enterprises scaled far beyond their template, and how much
    land went to zones whose area is not published (an analyst's review: one row scaled 30 times
    gave 62 % of the exports; capping one zone moved seven enterprises to a zone of unknown size)."""
    placed = np.flatnonzero(assignment >= 0)
    if not len(placed):
        return []
    zone = assignment[placed]
    out = []
    big = pairs.scale[placed] > SCALE_FLAG
    if big.any():
        totals = {
            "exports": pairs.exports[placed],
            "saving": pairs.saving[placed, zone],
            "NPV gain": pairs.npv_gain[placed, zone],
            "cost to the state": pairs.incentive_cost[placed, zone],
        }
        shares = {k: float(np.nansum(v[big]) / np.nansum(v)) for k, v in totals.items() if np.nansum(v) > 0}
        said = and_list(
            [
                f"{share:.0%} of {whose} {k}"
                for j, (k, share) in enumerate(shares.items())
                for whose in ["the portfolio's" if j == 0 else "its"]
            ]
        )
        n = int(big.sum())
        out.append(
            f"{n} {'enterprise' if n == 1 else 'enterprises'} placed at more than {SCALE_FLAG:g} times"
            f" {'its' if n == 1 else 'their'} template's size give {said}: figures scaled linearly from a"
            " template (an assumption)"
        )
    uncapped = ~np.isfinite(zones.capacity["land_ha"][zone])
    if uncapped.any():
        names = zones.table["name"].to_numpy()[zone[uncapped]]
        land = float(np.nansum(pairs.needs["land_ha"][placed[uncapped]]))
        counted = ", ".join(f"{name} ({k})" for name, k in Counter(names).most_common())
        n = int(uncapped.sum())
        out.append(
            f"{n} {'enterprise' if n == 1 else 'enterprises'} ({land:,.0f} ha) placed in zones whose land is"
            f" not published, so not capped: {counted}; {LAND_HINT['cli']}"
        )
    return out


#: A lead older than this many years at the run is worth a check that it is still live before a
#: pitch (an analyst's review: leads of 2016-2018 were placed with no word of their age).
OLD_LEAD_YEARS = 5


def _old_leads(pipeline: Pipeline, assignment: np.ndarray, today: dt.date | None = None) -> list[str]:
    """The placed enterprises whose lead is dated (by the first year its date gives, '2017-09-13' or
    '[inferred 2018]') more than :data:`OLD_LEAD_YEARS` years before the run."""
    year = (today or dt.date.today()).year
    dates = pipeline.table["date"].to_numpy()
    names = pipeline.table["name"].to_numpy()
    old = []
    for e in np.flatnonzero(assignment >= 0):
        found = re.search(r"\b(19|20)\d\d\b", str(dates[e] or ""))
        if found and year - int(found.group()) > OLD_LEAD_YEARS:
            old.append((int(found.group()), str(names[e])))
    if not old:
        return []
    old.sort()
    listed = ", ".join(f"{name} ({y})" for y, name in old)
    n = len(old)
    return [
        f"{n} {'enterprise' if n == 1 else 'enterprises'} placed on leads more than {OLD_LEAD_YEARS} years"
        f" old: {listed}; check that each is still live before pitching"
    ]


def _by_code(targets: Targets, zones: Zones) -> Targets:
    """Targets with regions named as people name them ('Shymkent', 'almaty region') given by code."""
    min_jobs: dict[str, float] = {}
    given: dict[str, str] = {}
    for reg, jobs in targets.min_jobs.items():
        code = code_of(reg, zones.region_names) or reg
        if code in min_jobs:  # 'Shymkent' and 'KZ-79': one would silently win
            raise MatchError(
                f"min_jobs (--min-jobs) gives region {code} twice ({given[code]!r} and {reg!r});"
                " give each region once",
                field="min_jobs",
            )
        min_jobs[code], given[code] = jobs, reg
    return replace(targets, min_jobs=min_jobs)


def _check_targets(targets: Targets, zones: Zones) -> None:
    regions = set(zones.table["region"])
    for reg, jobs in targets.min_jobs.items():
        if reg not in regions:
            named = ", ".join(f"{zones.region_names.get(r, r)} {r}" for r in sorted(regions))
            raise MatchError(
                f"min_jobs (--min-jobs): no zone lies in region {reg!r}; zones are in {named}",
                field="min_jobs",
            )
        if not math.isfinite(jobs) or jobs < 0:
            raise MatchError(
                f"min_jobs (--min-jobs) {reg}: jobs must be a number >= 0, got {jobs}", field="min_jobs"
            )
    cap = targets.max_incentive_cost
    if cap is not None and (not math.isfinite(cap) or cap < 0):
        raise MatchError(
            f"max_incentive_cost (--max-incentive-cost) must be a number >= 0 (USD a year), got {cap}",
            field="max_incentive_cost",
        )


def tie_values(pairs: Pairs, prefer: str) -> np.ndarray:
    """(E, Z) what the tie-break maximises first: the enterprises' saving, or minus the cost to the
    state (equal costs then go to the larger saving, in a second solve: :func:`_refine`)."""
    if prefer == "saving":
        return np.where(np.isfinite(pairs.saving), pairs.saving, 0.0)
    return -np.nan_to_num(pairs.incentive_cost)


def _left(deadline: float, at_least: float | None = None) -> float | None:
    """Seconds left before ``deadline`` (None without one), at least ``at_least`` if given."""
    if not math.isfinite(deadline):
        return None
    left = deadline - time.perf_counter()
    return max(left, at_least) if at_least is not None else left


def _refine(pairs, values, problem, optimum, deadline: float, prefer: str) -> GapSolution | None:
    """At the optimum of the objective, the portfolio ``prefer`` picks: for the least cost to the
    state, that least cost first and then, at it, the largest saving (lexicographic, two solves: a
    small weight on the saving could outbid a small cost)."""
    keep = _at_least(np.where(pairs.possible, values, 0.0), optimum)
    first = _solve_tie(pairs, tie_values(pairs, prefer), problem, (keep,), deadline)
    if prefer == "saving" or first is None or first.objective is None:
        return first
    cost = _at_least(-np.nan_to_num(pairs.incentive_cost), first.objective)
    savings = np.where(np.isfinite(pairs.saving), pairs.saving, 0.0)
    second = _solve_tie(pairs, savings, problem, (keep, cost), deadline)
    return second if second is not None and second.assignment is not None else first


def _at_least(values: np.ndarray, best: float) -> SideConstraint:
    """Keep the sum of ``values`` (E, Z) over the portfolio at ``best``, within the solver's tolerance."""
    return SideConstraint(None, np.nan_to_num(values).T, lower=best - 1e-6 * max(1.0, abs(best)))


def _solve_tie(pairs, values, problem, keep, deadline: float) -> GapSolution | None:
    left = _left(deadline)
    if left is not None and left <= 0:
        return None
    tie = GapProblem(
        np.where(pairs.possible, values, np.nan).T,
        problem.weight,
        problem.capacity,
        maximize=True,
        optional=True,
        side=(*problem.side, *keep),
    )
    try:
        s = solve_gap(tie, time_limit=left)
    except Exception:
        return None
    return s if s.status in (Status.OPTIMAL, Status.TIME_LIMIT) else None


def _shadow_values(
    pairs, zones, values, targets, optimum, deadline: float = math.inf
) -> tuple[dict[str, np.ndarray], int]:
    """Objective gained by one more unit of each declared resource of each zone (a re-solve each,
    within the time left before ``deadline``; NaN where the time ran out, and how many did).

    A zone whose capacity already holds everything every enterprise that may go there needs gains
    nothing from one more unit (the row cannot bind): its value is 0 without a re-solve."""
    out = {r: np.full(len(zones), np.nan) for r in ZONE_RESOURCES}
    skipped = 0
    for r in ZONE_RESOURCES:
        if not np.isfinite(pairs.needs[r]).any():
            continue
        need = np.nan_to_num(pairs.needs[r])
        for i in np.flatnonzero(np.isfinite(zones.capacity[r])):
            if need[pairs.possible[:, i]].sum() <= zones.capacity[r][i]:
                out[r][i] = 0.0
                continue
            left = _left(deadline)
            if left is not None and left <= 0:
                skipped += 1
                continue
            cap = {k: v.copy() for k, v in zones.capacity.items()}
            cap[r][i] += 1.0
            s = solve_gap(build_problem(pairs, zones, values, targets, cap), time_limit=left)
            if s.status is Status.OPTIMAL and s.objective is not None:
                out[r][i] = max(s.objective - optimum, 0.0)
    return out, skipped
