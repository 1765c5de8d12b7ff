"""Every enterprise × zone pair at once: can it go there, what does it save, what does it bring.

For each template the per-unit cost cube (sites × markets × components) is weighted by each of
its enterprises' market shares in one matrix product, so the pipeline's costs are arrays of
enterprises × zones, not one plan per enterprise. A pair is *possible* when the enterprise is a
new project (a plant already operating is not placed unless asked), the zone takes its sector (an
SEZ's priority sectors, read against the enterprise's own sector and its template's; industrial
zones take any; a sector word no SEZ and no template knows is said in the run's notes, as the
template's sectors then decide alone), lies in one of its regions, has a route to every market,
and saves at least the enterprise's hurdle against its Turkish baseline (a new plant in its home
province). Missing jobs and needs are estimated from the template, and the estimate is flagged. A
pair whose SEZ incentives rest only on a general word ('manufacturing') or on a zone without a
sourced sector list is possible but *unconfirmed*, as in a plan.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field

import numpy as np

from kopru.appraisal import npv
from kopru.costs import COMPONENTS
from kopru.datapack import DataPack
from kopru.datapack.loader import ZONE_RESOURCES
from kopru.display import and_list
from kopru.matchmaking.pipeline import Pipeline
from kopru.matchmaking.templates import TEMPLATES, TemplateCosts, template_path
from kopru.matchmaking.zones import Zones
from kopru.sites import sez_eligibility

DEFAULT_HURDLE_PCT = 10.0  # saving over the Turkish baseline an enterprise needs by default (assumption)
LOAD_FACTOR = 0.6  # average power over connected capacity, to estimate MW from kWh (assumption)
HOURS_PER_YEAR = 8760.0
# why a pair is impossible, in the order they are checked (the first that applies is reported)
BOUGHT_IN = [COMPONENTS.index(c) for c in ("materials", "energy", "logistics", "duties")]
REASONS = ("status", "sector", "region", "route", "hurdle")
ALREADY_BUILT = ("operating",)  # statuses of a plant that exists: not a project to place
SCALE_FLAG = 3.0  # an enterprise this many times its template's size (or 1/this) is flagged
NAMED_AT_MOST = 10  # enterprises a note names before it counts the rest
WORDS_AT_MOST = 20  # sector words a note names before it counts the rest (a free-text column)


@dataclass
class Pairs:
    """Arrays over enterprises (E) and zones (Z); money in USD a year."""

    volume: np.ndarray  # (E,) units a year
    jobs: np.ndarray  # (E,)
    investment: np.ndarray  # (E,) USD
    needs: dict[str, np.ndarray]  # resource -> (E,), NaN where not needed
    estimated: list[list[str]]  # per enterprise: the figures kopru estimated
    baseline_cost: np.ndarray  # (E,) annual landed cost at the Turkish baseline
    cost: np.ndarray  # (E, Z) annual landed cost in the zone (inf: no route)
    advantage: np.ndarray  # (E, Z) 1 - cost / baseline_cost
    hurdle: np.ndarray  # (E,) as a share
    reason: np.ndarray  # (E, Z) int: -1 possible, else an index of REASONS
    revenue: np.ndarray  # (E,)
    exports: np.ndarray  # (E,) revenue from markets outside Kazakhstan
    value_added: np.ndarray  # (E, Z) revenue less what is bought in: materials, energy, freight, duties
    # at the markets (the duty on the inputs is a tax the zone's country collects)
    incentive_cost: np.ndarray  # (E, Z) what the zone's incentives cost the state a year
    confirmed: np.ndarray  # (E, Z) bool: the zone's incentives need no check of the sector
    scale: np.ndarray  # (E,) the enterprise's output over its template's
    workers: np.ndarray  # (E,) the head count its labour cost is for (the template's hours per unit)
    category: list[str]  # (E,) its SEZ relief category, by its own investment (sez_relief.yaml)
    # NPV at the template's WACC over the plant's life, USD (kopru.valuation's cash flows)
    npv: np.ndarray  # (E, Z) of a new plant in the zone
    baseline_npv: np.ndarray  # (E,) of a new plant at its Turkish baseline
    notes: list[str] = field(default_factory=list)
    confirmed_only: bool = False  # SEZ pairs whose eligibility is not confirmed are not possible
    include_operating: bool = False  # plants already operating are placed as if they were projects

    @property
    def possible(self) -> np.ndarray:
        return self.reason < 0

    @property
    def saving(self) -> np.ndarray:
        return self.baseline_cost[:, None] - self.cost

    @property
    def npv_gain(self) -> np.ndarray:
        """(E, Z) what producing in the zone is worth over its Turkish baseline, as an NPV (USD)."""
        return self.npv - self.baseline_npv[:, None]


def _shares(rows, t: TemplateCosts) -> np.ndarray:
    """(E_t, M) each enterprise's split of sales: its markets evenly, else the template's."""
    return np.array([t.market_shares(tuple(markets)) for markets in rows["markets"]]).reshape(
        len(rows), len(t.market_ids)
    )


def pair_table(
    pipeline: Pipeline,
    zones: Zones,
    templates: dict[str, TemplateCosts],
    pack: DataPack,
    hurdle_pct: float | None = None,
    include_operating: bool = False,
    confirmed_only: bool = False,
) -> Pairs:
    """Costs, savings, values and reasons for every enterprise × zone pair; plants already
    operating are placed only with ``include_operating``; with ``confirmed_only`` an SEZ only where
    its incentives need no check of the enterprise's sector (a portfolio to pitch without caveats)."""
    df = pipeline.table
    n_e, n_z = len(df), len(zones)
    out = _empty(n_e, n_z)
    for name, t in templates.items():
        rows_idx = np.flatnonzero(df["template"].to_numpy() == name)
        if len(rows_idx) == 0:
            continue
        _fill_template(out, df.iloc[rows_idx], rows_idx, t, zones, pack)
    default = DEFAULT_HURDLE_PCT if hurdle_pct is None else hurdle_pct
    given = df["hurdle_pct"].to_numpy(float)
    out.hurdle = np.where(np.isnan(given), default, given) / 100.0
    with np.errstate(invalid="ignore", divide="ignore"):
        out.advantage = 1.0 - out.cost / out.baseline_cost[:, None]
    out.reason, confirmed = _reasons(df, zones, templates, out, include_operating)
    out.include_operating = include_operating
    out.notes.extend(unread_sectors(df, zones, templates))
    out.notes.extend(template_homes(df, templates, pack))
    out.confirmed = confirmed | (out.incentive_cost <= 0)  # no incentive counted: nothing to confirm
    if confirmed_only:
        out.reason = np.where((out.reason < 0) & ~out.confirmed, REASONS.index("sector"), out.reason)
        out.confirmed_only = True
    return out


def _empty(n_e: int, n_z: int) -> Pairs:
    nan_e = np.full(n_e, np.nan)
    return Pairs(
        volume=nan_e.copy(),
        jobs=nan_e.copy(),
        investment=nan_e.copy(),
        needs={r: nan_e.copy() for r in ZONE_RESOURCES},
        estimated=[[] for _ in range(n_e)],
        baseline_cost=nan_e.copy(),
        cost=np.full((n_e, n_z), np.inf),
        advantage=np.full((n_e, n_z), np.nan),
        hurdle=nan_e.copy(),
        reason=np.full((n_e, n_z), -1),
        revenue=nan_e.copy(),
        exports=nan_e.copy(),
        value_added=np.zeros((n_e, n_z)),
        incentive_cost=np.zeros((n_e, n_z)),
        confirmed=np.ones((n_e, n_z), dtype=bool),
        scale=nan_e.copy(),
        workers=nan_e.copy(),
        category=["" for _ in range(n_e)],
        npv=np.full((n_e, n_z), np.nan),
        baseline_npv=nan_e.copy(),
    )


def _fill_template(out: Pairs, rows, idx: np.ndarray, t: TemplateCosts, zones: Zones, pack: DataPack) -> None:
    p = t.profile
    capex = t.capex_usd  # a row's investment is in USD, whatever the template's currency
    hours_year = pack.param("KZ", "hours_per_month").value * 12.0
    # a unit takes the template's (Turkish) hours times Kazakhstan's factor, as the plan costs it
    unit_hours = p.labour_hours * (
        pack.param("KZ", "labour_hours_factor").value if pack.has_param("KZ", "labour_hours_factor") else 1.0
    )
    given_jobs = rows["jobs"].to_numpy(float)
    volume = rows["volume"].to_numpy(float)
    scale_from_investment = rows["investment_usd"].to_numpy(float) / capex * t.volume
    volume = np.where(np.isnan(volume), scale_from_investment, volume)
    # a size from its jobs next: a stated head count says more than the template's plant
    volume = np.where(np.isnan(volume), given_jobs * hours_year / unit_hours, volume)
    volume = np.where(np.isnan(volume), t.volume, volume)  # no size given: the template's plant
    scale = volume / t.volume
    given_investment = rows["investment_usd"].to_numpy(float)
    investment = np.where(np.isnan(given_investment), capex * scale, given_investment)
    workers = unit_hours * volume / hours_year
    jobs = np.where(np.isnan(given_jobs), workers, given_jobs)
    estimates = {
        "volume": np.isnan(rows["volume"].to_numpy(float)),
        "investment_usd": np.isnan(rows["investment_usd"].to_numpy(float)),
        "jobs": np.isnan(rows["jobs"].to_numpy(float)),
        # its Turkish baseline: the template's province where the row names none (every row of the
        # example): the saving is against a plant there, not the company's own province
        "home_province": (rows["home_province"] == "").to_numpy(bool),
    }
    need_default = {
        "land_ha": p.land * scale / 1e4,
        "power_mw": p.energy.electricity * volume / (HOURS_PER_YEAR * LOAD_FACTOR) / 1e3,
        "water_m3_day": np.full(len(rows), np.nan),  # no template figure: only when given
    }
    out.volume[idx], out.jobs[idx], out.investment[idx] = volume, jobs, investment
    out.scale[idx], out.workers[idx] = scale, workers
    for name, default in need_default.items():
        given = rows[name].to_numpy(float)
        out.needs[name][idx] = np.where(np.isnan(given), default, given)
        estimates[name] = np.isnan(given) & ~np.isnan(default)
    for k, e in enumerate(idx):
        out.estimated[e] = [f for f, mask in estimates.items() if mask[k]]
    # the SEZ relief term goes by each project's own cost (and NACE), not the template's
    naces = [str(n).split(";")[0].strip() or None for n in rows["nace"]]
    categories = np.array([t.category_of(c, n) for c, n in zip(investment, naces, strict=True)])
    for category in sorted(set(categories)):
        mine = categories == category
        for e in idx[mine]:
            out.category[e] = category
        _fill_costs(out, rows[mine], idx[mine], t.in_category(category), volume[mine], zones, pack)


def _fill_costs(
    out: Pairs, rows, idx: np.ndarray, t: TemplateCosts, volume: np.ndarray, zones: Zones, pack: DataPack
) -> None:
    """Costs, revenue and values of enterprises of one template (and SEZ category) at every zone."""
    shares = _shares(rows, t)  # (E_t, M)
    unit = np.where(np.isfinite(t.cube), t.cube, np.inf).sum(axis=-1)  # (S, M)
    # value added is what the plant adds: wages, capital, taxes on it and profit, so everything
    # bought in (materials, energy, the freight to the markets, the import duties there) comes off.
    # The duty on its inputs is a tax the zone's country collects, not a purchase: a free customs
    # zone's relief moves it from the state to the plant and adds nothing (gross value added plus
    # taxes on products, as GDP counts them)
    bought = t.cube[..., BOUGHT_IN].sum(axis=-1) - t.input_duty
    bought = np.where(np.isfinite(bought), bought, 0.0)
    per_unit = _weighted(shares, unit)  # (E_t, S)
    sites = [t.site(s) for s in zones.table["site"]]
    home = [r if r else t.home for r in rows["home_province"]]
    base_sites = [t.site(h) for h in home]
    out.cost[idx] = volume[:, None] * per_unit[:, sites]
    out.baseline_cost[idx] = volume * per_unit[np.arange(len(idx)), base_sites]
    revenue_unit = shares @ t.price
    domestic = np.array([pack.markets.at[m, "country"] == "KZ" for m in t.market_ids])
    out.revenue[idx] = volume * revenue_unit
    out.exports[idx] = volume * (shares[:, ~domestic] @ t.price[~domestic])
    out.value_added[idx] = volume[:, None] * (revenue_unit[:, None] - (shares @ bought.T)[:, sites])
    out.incentive_cost[idx] = volume[:, None] * t.incentive_per_unit[sites][None, :]
    # a plant k times the template's has k times its cash flows: one appraisal per market mix
    mixes = [tuple(m) for m in rows["markets"]]
    per_mix = {mix: npv(t.profile.wacc, t.free_cash_usd(mix)) for mix in dict.fromkeys(mixes)}
    by_site = np.array([per_mix[mix] for mix in mixes]).reshape(len(idx), len(t.site_ids))
    scale = volume / t.volume
    out.npv[idx] = scale[:, None] * by_site[:, sites]
    out.baseline_npv[idx] = scale * by_site[np.arange(len(idx)), base_sites]


def _weighted(shares: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """(E, S): each enterprise's cost per unit at each site over its markets (inf if a market has no
    route from the site), as one matrix product."""
    finite = np.isfinite(unit)
    cost = shares @ np.where(finite, unit, 0.0).T
    unreachable = (shares > 0) @ (~finite).T.astype(float) > 0
    return np.where(unreachable, np.inf, cost)


def _reasons(
    df, zones: Zones, templates: dict[str, TemplateCosts], out: Pairs, include_operating: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(E, Z) the first reason a pair is impossible, -1 where it is possible; and (E, Z) whether a
    zone's incentives need no check of the enterprise's sector."""
    n_e, n_z = out.cost.shape
    reason = np.full((n_e, n_z), -1)
    sector_ok = np.ones((n_e, n_z), dtype=bool)
    confirmed = np.ones((n_e, n_z), dtype=bool)
    sez = [z for z, kind in enumerate(zones.table["kind"]) if kind == "sez"]
    zone_sectors = zones.table["sectors"].to_numpy()
    # one check per sector and template (a pipeline repeats them), written to all its enterprises
    groups = df.groupby(["sector", "template"], sort=False).indices
    for (sector, template), rows in groups.items():
        # its own sector first ('petrochemicals' on the plastics template), then its template's
        sectors = (sector.replace("_", " "), *templates[template].profile.sectors)
        for z in sez:
            ok, note = sez_eligibility(zone_sectors[z], sectors)
            sector_ok[rows, z], confirmed[rows, z] = ok, ok and note is None
    region_ok = np.array(
        [[not regions or zone in regions for zone in zones.table["region"]] for regions in df["regions"]]
    ).reshape(n_e, n_z)
    route_ok = np.isfinite(out.cost) & np.isfinite(out.baseline_cost)[:, None]
    hurdle_ok = np.nan_to_num(out.advantage, nan=-np.inf) >= out.hurdle[:, None] - 1e-12
    new = df["status"].str.strip().str.lower().isin(ALREADY_BUILT).to_numpy()
    status_ok = np.broadcast_to(~new[:, None] | include_operating, (n_e, n_z))
    for k, ok in enumerate((status_ok, sector_ok, region_ok, route_ok, hurdle_ok)):
        reason = np.where((reason < 0) & ~ok, k, reason)
    return reason, confirmed


def sector_key(sector: str) -> str:
    """A sector as the SEZ check reads it (:func:`_reasons`, then ``sez_eligibility``):
    'Machinery_Equipment' is 'machinery equipment'."""
    return str(sector).replace("_", " ").strip().lower()


@functools.cache
def shipped_sectors() -> frozenset[str]:
    """The sector words of every template kopru ships (those a pipeline may name by template)."""
    from kopru.profile import load_profile

    return frozenset(sector_key(s) for name in TEMPLATES for s in load_profile(template_path(name)).sectors)


def unread_sectors(df, zones: Zones, templates: dict[str, TemplateCosts]) -> list[str]:
    """A note for each sector word of the pipeline that no SEZ lists as a priority sector and no
    template names: the SEZ check reads it and finds nothing, so its template's sectors decide
    alone, and a misspelt 'textils' would otherwise pass unseen (an analyst's review). The word is
    context, so the row is kept; the note names its enterprises, a close known word, and the
    template(s) that decided."""
    known = set(shipped_sectors())
    known.update(sector_key(s) for t in templates.values() for s in t.profile.sectors)
    known.update(sector_key(s) for z in zones.table["sectors"] for s in str(z).split(";") if s.strip())
    vocabulary = sorted(known)
    words: dict[str, list[int]] = {}
    for e, sector in enumerate(df["sector"]):
        key = sector_key(sector)
        if key not in known:
            words.setdefault(key, []).append(e)
    if len(words) > 1:  # one note for them all: a pipeline written in its own words has many
        return [_unread_words(df, words, vocabulary)]
    out = []
    for key, rows in words.items():
        names = [str(df["name"].iloc[e]) for e in rows]
        # semicolons: names hold commas ('Turkish investor (unnamed): stove plant, Almaty region')
        shown = "; ".join(names[:NAMED_AT_MOST]) + (
            f"; and {len(names) - NAMED_AT_MOST} more" if len(names) > NAMED_AT_MOST else ""
        )
        who = shown if len(rows) == 1 else f"{len(rows)} enterprises: {shown}"
        near = difflib.get_close_matches(key, vocabulary, n=1, cutoff=0.75)
        closest = f" (closest: {near[0]!r})" if near else ""
        used = list(dict.fromkeys(str(df["template"].iloc[e]) for e in rows))
        decided = and_list(
            [f"the {name} template ({', '.join(templates[name].profile.sectors) or 'none'})" for name in used]
        )
        out.append(
            f"sector {df['sector'].iloc[rows[0]]!r} ({who}) is no SEZ's priority sector and no template's"
            f" sector{closest}, so it was not read: the sectors of {decided} decided"
            f" {'its' if len(rows) == 1 else 'their'} SEZ eligibility"
        )
    return out


def template_homes(df, templates: dict[str, TemplateCosts], pack: DataPack) -> list[str]:
    """A note on the enterprises that name no home province: each saving is against a new plant in
    its template's province, not in the company's own (an analyst's review: every pitch sheet of the
    example compared with Denizli or Kayseri whatever the company's home)."""
    blank = (df["home_province"] == "").to_numpy(bool)
    if not blank.any():
        return []
    names = pack.provinces["name"].to_dict()
    homes = dict.fromkeys(templates[t].home for t in df.loc[blank, "template"])
    where = and_list([names.get(h, h) for h in homes])
    return [
        f"{int(blank.sum())} of {len(df)} enterprises name no home province: each is compared with a new"
        f" plant in its template's province ({where}); give home_province for the company's own"
    ]


def _unread_words(df, words: dict[str, list[int]], vocabulary: list[str]) -> str:
    """Several unread sector words in one note: each with its enterprise (or how many) and a close
    known word, if any."""
    parts = []
    for key, rows in list(words.items())[:WORDS_AT_MOST]:
        who = str(df["name"].iloc[rows[0]]) if len(rows) == 1 else f"{len(rows)} enterprises"
        near = difflib.get_close_matches(key, vocabulary, n=1, cutoff=0.75)
        parts.append(f"{df['sector'].iloc[rows[0]]!r} ({who}" + (f"; closest: {near[0]!r})" if near else ")"))
    return (
        f"{len(words)} sector words are no SEZ's priority sector and no template's, so they were not read"
        f" and each enterprise's template's sectors decided its SEZ eligibility: {'; '.join(parts)}"
        + (f"; and {len(words) - WORDS_AT_MOST} more" if len(words) > WORDS_AT_MOST else "")
    )


def unit_components(t: TemplateCosts, markets: tuple[str, ...], site: int) -> np.ndarray:
    """(C,) an enterprise's landed cost per unit at one site by component, over its markets."""
    return t.market_shares(markets) @ np.where(np.isfinite(t.cube[site]), t.cube[site], np.nan)
