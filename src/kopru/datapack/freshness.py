"""How old the data pack's values are: which are stale, and the oldest one a plan rests on.

Values carry a year, not a day, so a value of year Y counts as of 31 December Y, the latest it can
be: a value is called stale only when even that date is more than N months ago. Only measured
values in use are looked at: the latest year of each parameter, every tariff (the year of the
schedule read) and every corridor edge with a figure of its own that can age: its rate, or, for an
edge its mode's rates price, its own transit time. An edge whose days are its length at its mode's
speed has neither: its length does not age (a line's 1996 length was the baseline's "oldest value"),
and a plan's oldest value takes its mode's rates and speed instead. Trade rules, incentives and
restrictions carry the year their law was made, which does not age while it is in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pandas as pd

from kopru.datapack.labels import quantity_label, value_label
from kopru.datapack.loader import DataPack, load
from kopru.language import ENGLISH, Words
from kopru.memo import LRU
from kopru.trade import territory_of, treatment


@dataclass(frozen=True)
class DatedValue:
    """One value of the data pack and its year; ``key`` is the name an overrides file uses."""

    table: str
    key: str
    what: str  # a readable name
    year: int
    source: str

    def months_old(self, today: date) -> int:
        """Whole months from 31 December of the value's year to ``today`` (0 if not yet)."""
        return max(0, (today.year - self.year) * 12 + today.month - 12)

    def as_dict(self, today: date | None = None) -> dict[str, Any]:
        out = asdict(self)
        if today is not None:
            out["months_old"] = self.months_old(today)
        return out


# what an edge's year dates when its freight is at its mode's rates
PRICED_BY_MODE = "(distance and days; its freight at the mode's rates)"


def dated_label(value: Mapping[str, Any], words: Words = ENGLISH) -> str:
    """A dated value's readable name (``DatedValue.as_dict()``) in ``words``' language: the names of
    places, regimes and products stay as the data gives them."""
    what = str(value["what"])
    if words.lang == "en":
        return what
    table, key = value.get("table"), str(value.get("key", ""))
    if table == "parameters":
        subject, _, quantity = key.partition(".")
        whose = what.removesuffix(f"'s {quantity_label(quantity)}")
        return value_label(subject, quantity, {subject: whose}, words)
    if table == "tariffs":
        _, regime, hs = key.split(".", 2)
        description = what.removeprefix(f"{regime} duty on HS {hs} (").removesuffix(")")
        return words(
            "%(regime)s duty on HS %(hs)s (%(description)s)", regime=regime, hs=hs, description=description
        )
    if table == "edges":
        mode = key.split(".")[3]  # edge.<from>.<to>.<mode>.<field>
        bare = what.removeprefix(f"{mode} ")
        if bare.endswith(f" {PRICED_BY_MODE}"):
            return f"{words(mode)} {bare.removesuffix(f' {PRICED_BY_MODE}')} {words(PRICED_BY_MODE)}"
        return f"{words(mode)} {bare}"
    return what


def dated_values(pack: DataPack) -> list[DatedValue]:
    """Every value in use with its year, oldest first (ties by key)."""
    values = [*_parameters(pack), *_tariffs(pack), *_edges(pack)]
    return sorted(values, key=lambda v: (v.year, v.key))


def stale_values(pack: DataPack, months: int, today: date | None = None) -> list[DatedValue]:
    """The values whose year ended more than ``months`` months before ``today``, oldest first."""
    today = today or date.today()
    return [v for v in dated_values(pack) if v.months_old(today) > months]


MODE_RATES = ("cost_per_teu_km", "cost_fixed_per_teu")  # what prices an edge with no rate of its own


def _edges_without_rate(pack: DataPack) -> set[str]:
    """Keys of the edges priced by their mode's rates (no cost of their own)."""
    edges = pack.edges
    bare = edges[edges["cost_usd_per_teu"].isna()]
    return {f"edge.{a}.{b}.{m}" for a, b, m in zip(bare["from"], bare["to"], bare["mode"], strict=True)}


def _bought(m: dict[str, Any], site: Any) -> tuple[Any, Any]:
    """The origin a site buys material ``m`` at (its own, or the alternative the plan chose there)
    and the user's duty rate from it, if any (the rates the cost engine read: Material.options)."""
    from kopru.profile import Material  # the profile module reads units: imported when a plan asks

    chosen = next((s.origin for s in getattr(site, "sources", ()) if s.material == m.get("name")), None)
    if chosen is None or chosen == m.get("origin"):
        return m.get("origin"), m.get("duty_pct")
    option = next(o for o in Material.model_validate(m).options if o.origin == chosen)
    return chosen, option.duty_pct


def _input_tariffs(pack: DataPack, plan: Any, site: Any, tariffs: dict[str, DatedValue]) -> list[DatedValue]:
    """The tariff rows behind the duty a site pays on the inputs it buys from another territory (at
    the source it buys each at)."""
    found = []
    home = territory_of(site.country)
    for m in plan.profile.get("materials") or ():
        hs = m.get("hs")
        origin, duty_pct = _bought(m, site)
        if not hs or duty_pct is not None or origin in (None, "local") or origin not in pack.nodes.index:
            continue
        source = pack.nodes.at[origin, "country"]
        if territory_of(source) == home:
            continue
        for regime in treatment(pack, source, home, hs).regime.split("+"):
            hit = tariffs.get(f"tariff.{regime}.{hs}")
            if hit is not None:
                found.append(hit)
    return found


def _subject_names(pack: DataPack) -> dict[str, str]:
    from kopru.display import subject_names  # kopru.display reads the data pack: imported late

    return subject_names(pack)


def _parameters(pack: DataPack) -> Iterable[DatedValue]:
    params = pack.parameters
    latest = params.sort_values("year").drop_duplicates(["subject", "quantity"], keep="last")
    names = _subject_names(pack)
    for r in latest.itertuples():
        what = value_label(r.subject, r.quantity, names)
        yield DatedValue("parameters", f"{r.subject}.{r.quantity}", what, int(r.year), r.source)


def _tariffs(pack: DataPack) -> Iterable[DatedValue]:
    for r in pack.tariffs.itertuples():
        what = f"{r.regime} duty on HS {r.hs} ({r.description})"
        yield DatedValue("tariffs", f"tariff.{r.regime}.{r.hs}", what, int(r.year), r.source)


def _connector_km(pack: DataPack, site: Any) -> float:
    """Road km from a site to its corridor node, as the cost engine prices the connector."""
    from kopru.inputs import connector_km  # kopru.inputs reads the data pack: imported late

    return float(connector_km(pack, pd.DataFrame([{"lat": site.lat, "lon": site.lon, "node": site.node}]))[0])


def _timed_by_mode(pack: DataPack) -> set[str]:
    """Keys of the edges priced by their mode's rates whose days are their length at the mode's
    speed (to the hundredth of a day the data rounds to): nothing of theirs but a length, which
    does not age. The speed is the data's own, not an override's: the days were computed from it
    (an override replaces the row, so the shipped pack it was applied to gives the data's)."""
    shipped = load()
    params = (shipped if shipped.version == pack.version else pack).parameters
    own = params[(params["quantity"] == "speed_km_per_day") & ~params["overridden"].astype(bool)]
    speeds = own.sort_values("year", kind="stable").drop_duplicates("subject", keep="last")
    speed_of = dict(zip(speeds["subject"], speeds["value"].astype(float), strict=True))
    edges = pack.edges[pack.edges["cost_usd_per_teu"].isna()]
    out = set()
    for a, b, mode, km, days in zip(
        edges["from"], edges["to"], edges["mode"], edges["distance_km"], edges["days"], strict=True
    ):
        speed = speed_of.get(f"mode:{mode}")
        if speed and abs(days - km / speed) < 0.006:
            out.add(f"edge.{a}.{b}.{mode}")
    return out


def _edges(pack: DataPack, timeless: set[str] | None = None) -> Iterable[DatedValue]:
    """Each edge's year, keyed as an overrides file replaces it (a CLI review: 'edge.a.b.rail', which
    the overrides refused, wanting a field): its cost where it has one of its own, else its distance,
    which with its own days is then what its year dates (its freight is at the mode's rates). An edge
    whose days are its length at its mode's speed has no dated value of its own."""
    names = pack.nodes["name"]
    timeless = _timed_by_mode(pack) if timeless is None else timeless
    for r in pack.edges.to_dict("records"):
        a, b, mode = r["from"], r["to"], r["mode"]
        if f"edge.{a}.{b}.{mode}" in timeless:
            continue
        what = f"{mode} {names.get(a, a)} - {names.get(b, b)}"
        own_cost = r["cost_usd_per_teu"] == r["cost_usd_per_teu"]  # not NaN
        field = "cost_usd_per_teu" if own_cost else "distance_km"
        what += "" if own_cost else f" {PRICED_BY_MODE}"
        yield DatedValue("edges", f"edge.{a}.{b}.{mode}.{field}", what, int(r["year"]), r["source"])


# the dated values by key, per shipped data and overrides (an override changes a value's year): a
# plan asks for them for its recommendation and its Turkish baseline
_DATED: LRU[tuple[dict, dict, dict, set, set]] = LRU(8)


def _dated(pack: DataPack) -> tuple[dict, dict, dict, set, set]:
    timed = _timed_by_mode(pack)
    edges = {v.key.rsplit(".", 1)[0]: v for v in _edges(pack, timed)}  # by edge: edge.<from>.<to>.<mode>
    tariffs = {v.key: v for v in _tariffs(pack)}
    params = {v.key: v for v in _parameters(pack)}
    return edges, tariffs, params, _edges_without_rate(pack), timed


def oldest_behind(pack: DataPack, plan: Any, site_id: str, pays_input_duty: bool = True) -> DatedValue | None:
    """The oldest value the site's cost rests on, ties broken by key: its inputs, the legs of the
    routes it uses (an edge's own rate, or the mode's rates that price an edge without one; the road
    circuity and rate of its connector to its node, when it is away from it), the
    duties it pays on its product and, where it pays any (``pays_input_duty``: not in a free
    customs zone for the plant's life, nor only on exports), the duties on its bought inputs. The
    inbound freight's legs are not traced: they are routed per material, not kept in the plan."""
    site = plan.site(site_id)
    names = _subject_names(pack)
    found: list[DatedValue] = []
    for ref in site.inputs.values():
        what = value_label(ref.subject, ref.quantity, names)
        found.append(
            DatedValue("parameters", f"{ref.subject}.{ref.quantity}", what, int(ref.year), ref.source)
        )
    edges, tariffs, params, priced_by_mode, timed_by_mode = _DATED.get(
        (pack.version, pack.overrides), lambda: _dated(pack)
    )
    if _connector_km(pack, site) > 0.5:  # a site away from its node reaches it by road
        keys = ("network.road_circuity", "mode:road.cost_per_teu_km")
        found += [params[k] for k in keys if k in params]
    known = edges.keys() | priced_by_mode
    for market in site.by_market.values():
        route = plan.routes.get(market.route) if market.route else None
        for leg in route.legs if route is not None else ():
            a, b, mode = leg["from"], leg["to"], leg["mode"]
            key = next((k for k in (f"edge.{a}.{b}.{mode}", f"edge.{b}.{a}.{mode}") if k in known), None)
            if key is None:
                continue
            if key in edges:
                found.append(edges[key])
            if key in priced_by_mode:
                found += [params[f"mode:{mode}.{q}"] for q in MODE_RATES if f"mode:{mode}.{q}" in params]
            if key in timed_by_mode and f"mode:{mode}.speed_km_per_day" in params:
                found.append(params[f"mode:{mode}.speed_km_per_day"])
        for regime in str(market.duty.get("regime", "free")).split("+"):
            hit = tariffs.get(f"tariff.{regime}.{plan.hs}")
            if hit is not None:
                found.append(hit)
    if pays_input_duty:
        found += _input_tariffs(pack, plan, site, tariffs)
    return min(found, key=lambda v: (v.year, v.key), default=None)
