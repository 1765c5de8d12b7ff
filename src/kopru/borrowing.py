"""Values a site borrows, and whether the recommendation survives them.

Where a region publishes no figure of its own, the data pack lends it another's: the country's
estimate, another region's tariff (``kopru data validate`` lists them with the reason). The risk
engine widens such values (``sigma_borrowed`` in uncertainty.yaml); this module asks the sharper
question a reader asks first: *if every borrowed value were at the unfavourable end of what is
plausible, would the recommended site still come first?* Each input (wage, electricity, gas,
land) is stressed alone as well, so the reader knows which missing figure to look up first.

The unfavourable end is a bound, not a forecast (``kopru risk`` gives the odds):

* the recommended site's values go up, and so do those of the sites in its region (one labour
  market, one electricity supplier); every other site's go down;
* a value is moved when it is not the site's own sourced figure. A national value by rule
  (Türkiye's equalised electricity tariff) is every site's own and does not move. A region's own
  estimate moves by two of the risk engine's spreads for such a value. A value borrowed from another
  subject (the country's row, another region's) moves by the wider of those two spreads and the
  range of the figures the country's regions have of their own (sourced or estimated, read from the
  whole data pack, not only the candidates), so that a borrowed Kazakh tariff is tried at least at
  the dearest tariff a Kazakh region is known to pay;
* an SEZ's free land is no value; what it pays for land after its zone ends is the region's price,
  moved like any other.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from kopru import documents
from kopru.costs import annual_totals, landed_cost
from kopru.datapack import DataPack, Param
from kopru.datapack.coverage import is_national
from kopru.display import FIXED_SUBJECTS, and_list, subject_names
from kopru.errors import DataPackError
from kopru.language import ENGLISH, Words
from kopru.memo import LRU
from kopru.sites import annual_land, land_price_param, places, rate_year_index, site_inputs

if TYPE_CHECKING:
    from kopru.inputs import PlanInputs

# site inputs with a site-level uncertainty (the risk engine's ``site.*`` variables), in this order
SITE_INPUTS = ("wage", "electricity", "gas", "land")
# the data-pack quantity behind each site input (land: a lease, else a price)
SITE_QUANTITIES = {
    "wage": ("wage",),
    "electricity": ("electricity_price_industrial",),
    "gas": ("gas_price_industrial",),
    "land": ("land_lease", "land_price"),
}
# the cost engine's field that carries each site input
COST_FIELDS = {
    "wage": "wage_usd_per_hour",
    "electricity": "electricity_usd_per_kwh",
    "gas": "gas_usd_per_m3",
    "land": "land_usd_per_m2_year",
}
# how many sigma_borrowed the unfavourable end lies from the value (the text says "two")
SPREADS = 2.0
MAX_FACTOR = 1e3  # no value moves by more than this factor either way
UNCERTAINTY = resources.files("kopru") / "datapack" / "data" / "uncertainty.yaml"
OWN, ESTIMATE, BORROWED = 0, 1, 2  # a site's value: its own, its own estimate, another subject's


def _param(used: dict[str, Param], name: str) -> Param | None:
    return next((used[q] for q in SITE_QUANTITIES[name] if q in used), None)


def _national(pack: DataPack, site: Any, param: Param | None) -> bool:
    """Whether ``param`` is its country's one value by rule (Türkiye's equalised electricity tariff)."""
    return (
        param is not None
        and param.subject == site.country
        and is_national(pack, param.quantity, site.country)
    )


def _each_input(pre: PlanInputs, judge: Any) -> NDArray[np.bool_]:
    """(S, len(SITE_INPUTS)): ``judge(site, param)`` for every site and site input."""
    return np.array(
        [
            [judge(site, _param(used, name)) for name in SITE_INPUTS]
            for site, used in zip(pre.sites.itertuples(), pre.inputs.params, strict=True)
        ],
        dtype=bool,
    ).reshape(len(pre.sites), len(SITE_INPUTS))


def borrowed_inputs(pre: PlanInputs) -> NDArray[np.bool_]:
    """(S, len(SITE_INPUTS)): values that are not the site's own sourced figure (another subject's,
    or labelled an assumption), whose draws the risk engine widens; a national value by rule
    (Türkiye's electricity tariff) is the site's own unless it is labelled an assumption."""
    return _each_input(
        pre,
        lambda site, p: (
            p is None
            or p.assumption
            or not (p.subject in (site.id, site.region) or _national(pre.pack, site, p))
        ),
    )


def national_inputs(pre: PlanInputs) -> NDArray[np.bool_]:
    """(S, len(SITE_INPUTS)): values national by rule, one for the whole country (Türkiye's
    equalised electricity tariff): no site's value departs from it."""
    return _each_input(pre, lambda site, p: _national(pre.pack, site, p))


def _status(pack: DataPack, site: Any, param: Param | None) -> int:
    """OWN, ESTIMATE or BORROWED: whose figure ``param`` is, for ``site``."""
    if param is None:
        return BORROWED
    if _national(pack, site, param):
        return OWN  # one value for the whole country by rule: nothing to borrow
    if param.subject in (site.id, site.region):
        return ESTIMATE if param.assumption else OWN
    return BORROWED


@functools.cache
def borrowed_sigmas() -> dict[str, float]:
    """``sigma_borrowed`` of each site input in the shipped uncertainty.yaml, the spread the risk
    engine gives a borrowed value (``kopru risk`` checks the whole file when it reads it)."""
    variables = documents.shipped_yaml(UNCERTAINTY)["variables"]
    out = {}
    for name in SITE_INPUTS:
        entry = variables.get(f"site.{name}") or {}
        sigma = entry.get("sigma_borrowed", entry.get("sigma"))
        if not isinstance(sigma, int | float) or sigma < 0:
            raise DataPackError(f"uncertainty.yaml: site.{name} needs a sigma_borrowed >= 0, got {sigma!r}")
        out[name] = float(sigma)
    return out


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StressedInput(_Model):
    """One value of the recommended site, at its unfavourable end."""

    input: str  # wage, electricity, gas or land (after the zone ends, for an SEZ)
    quantity: str
    subject: str  # whose figure the site takes, by name
    value: float
    stressed: float
    unit: str
    basis: str  # why that far: the country's dearest own figure, or the risk engine's spread


class StressCase(_Model):
    """The plan's ranking with some inputs' values at their unfavourable end."""

    inputs: list[str]
    first: str  # the site that comes first
    first_name: str
    holds: bool  # whether the recommended site is still first
    lead: float  # the recommended site's annual lead over the best other (negative: behind)
    saving_pct: float | None  # the recommended site below the cheapest Turkish site (negative: above)
    runner_up: str = ""  # the best other site's name, whom the lead is over (a CFO review)


class BorrowedStress(_Model):
    """Would the recommendation survive the values kopru had to borrow or estimate?"""

    site: str
    name: str
    raised: list[StressedInput]  # the recommended site's values, up
    lowered: dict[str, int]  # per input, how many other sites' values went down
    cases: list[StressCase]  # every stressed input together first, then each alone
    holds: bool
    text: str
    raised_region: int = 0  # how many other sites of its region had their values raised with it


def _regions(pack: DataPack) -> tuple[pd.DataFrame, Any]:
    """Every Kazakh region and Turkish province of the pack as a site, with its looked-up inputs:
    the figures a borrowed value is tried against, whatever the candidates are."""
    kz = pack.regions.assign(kind="kz_region", country="KZ", region=pack.regions.index)
    tr = pack.provinces.assign(kind="tr_plant", country="TR", region=pack.provinces.index)
    table = pd.concat([kz, tr])[["name", "kind", "country", "region", "node", "lat", "lon"]]
    table = table.rename_axis("id").reset_index().assign(existing=False, capacity=1.0)
    return table, site_inputs(pack, table)


def _values(values: dict[str, NDArray], wacc: float) -> NDArray:
    """(S, F) each site input in the cost engine's units (land: lease + price × WACC)."""
    return np.stack(
        [
            values["wage_usd_per_hour"],
            values["electricity_usd_per_kwh"],
            values["gas_usd_per_m3"],
            annual_land(values, wacc),
        ],
        axis=1,
    )


_RANGES: LRU[dict[tuple[str, int], tuple[float, str, float, str]]] = LRU(16)


def _ranges(pack: DataPack, wacc: float) -> dict[tuple[str, int], tuple[float, str, float, str]]:
    """Per (country, input): the lowest and the highest figure a region has of its own, with the
    region's name: (low, where, high, where). Kept per data pack, overrides (which change the figures,
    not the pack's version) and WACC (land's annual cost)."""
    return _RANGES.get((pack.version, pack.overrides, wacc), lambda: _look_up_ranges(pack, wacc))


def _look_up_ranges(pack: DataPack, wacc: float) -> dict[tuple[str, int], tuple[float, str, float, str]]:
    table, found = _regions(pack)
    values = _values(found.values, wacc)
    out = {}
    for k in range(len(SITE_INPUTS)):
        own = [
            (values[i, k], site.name, site.country)
            for i, (site, used) in enumerate(zip(table.itertuples(), found.params, strict=True))
            if values[i, k] > 0 and _status(pack, site, _param(used, SITE_INPUTS[k])) != BORROWED
        ]
        for country in {c for _, _, c in own}:
            mine = [(v, n) for v, n, c in own if c == country]
            low, high = min(mine), max(mine)
            out[(country, k)] = (low[0], low[1], high[0], high[1])
    return out


@dataclass(frozen=True)
class _Inputs:
    """Per site and input: the value that can move, in the cost engine's units, whose it is, and the
    parameter it comes from (for an SEZ's land: the price it pays after its zone ends)."""

    base: NDArray  # (S, F)
    status: NDArray  # (S, F) OWN, ESTIMATE or BORROWED
    params: list[list[Param | None]]


def _inputs(pre: PlanInputs) -> _Inputs:
    v = pre.inputs.values
    base = _values(v, pre.profile.wacc)
    status = np.full(base.shape, OWN)
    params: list[list[Param | None]] = []
    land = SITE_INPUTS.index("land")
    for i, (site, used) in enumerate(zip(pre.sites.itertuples(), pre.inputs.params, strict=True)):
        row = [_param(used, name) for name in SITE_INPUTS]
        if v["in_sez_regime"][i] > 0:  # free while the zone runs; its region's price after
            row[land] = land_price_param(pre.pack, places(site))
            base[i, land] = v["std_land_price_usd_per_m2"][i] * pre.profile.wacc
        status[i] = [_status(pre.pack, site, p) for p in row]
        params.append(row)
    return _Inputs(base, status, params)


def _bounds(pre: PlanInputs, inputs: _Inputs) -> tuple[NDArray, NDArray, list[list[str]]]:
    """(S, F) factors to the low and the high end of each site's value, and why the high end is
    where it is (for the text): a region's own estimate by two spreads; a borrowed value by the
    wider of two spreads and the range of the country's own regional figures."""
    sigma = np.array([borrowed_sigmas()[n] for n in SITE_INPUTS])
    spread = np.exp(SPREADS * sigma)
    low = np.where(inputs.status == OWN, 1.0, 1.0 / spread)
    high = np.where(inputs.status == OWN, 1.0, spread)
    why = [
        [f"× {spread[k]:.2f}, two standard deviations (the risk engine's σ {sigma[k]:.0%})"] * len(pre.sites)
        for k in range(len(SITE_INPUTS))
    ]
    ranges = _ranges(pre.pack, pre.profile.wacc)
    countries = pre.sites["country"].to_numpy()
    for i, k in zip(*np.nonzero((inputs.status == BORROWED) & (inputs.base > 0)), strict=True):
        seen = ranges.get((countries[i], k))
        if seen is None:
            continue
        lo, _, hi, where = seen
        # bounded: a value a thousand times off another region's is an error, not a range
        low[i, k] = min(low[i, k], max(lo / inputs.base[i, k], 1.0 / MAX_FACTOR))
        if hi / inputs.base[i, k] > high[i, k]:
            high[i, k] = min(hi / inputs.base[i, k], MAX_FACTOR)
            why[k][i] = (
                f"{where}'s, the dearest a region of {FIXED_SUBJECTS.get(countries[i], countries[i])} has"
            )
    return low, high, why


@dataclass(frozen=True)
class Cases:
    """What the stress test moves: per case, the inputs moved and every site's factor on each."""

    inputs: _Inputs
    moves: NDArray  # (S, F) whether the value moves at all
    up: NDArray  # (S,) the recommended site and the sites of its region: their values go up
    chosen: list[list[int]]  # per case, the inputs moved (all together first, then each alone)
    factors: NDArray  # (cases, S, F)
    why: list[list[str]]  # per input and site, why the high end is where it is


def cases_of(pre: PlanInputs, winner: int, feasible: NDArray[np.bool_]) -> Cases | None:
    """The cases of the stress test of site ``winner``; None when no value moves."""
    inputs = _inputs(pre)
    # a value moves when it is not the site's own and costs something (an SEZ's land only when its
    # zone ends before the plant does)
    cost = np.stack([getattr(pre.x, COST_FIELDS[n]) for n in SITE_INPUTS], axis=1)
    moves = (inputs.status != OWN) & (inputs.base > 0) & (cost > 0) & feasible[:, None]
    stressed = [k for k in range(len(SITE_INPUTS)) if moves[:, k].any()]
    if not stressed:
        return None
    up = (pre.sites["region"] == pre.sites["region"].iloc[winner]).to_numpy()
    low, high, why = _bounds(pre, inputs)
    per_input = np.where(up[:, None], high, low)  # (S, F)
    chosen = [stressed] + ([[k] for k in stressed] if len(stressed) > 1 else [])
    factors = np.ones((len(chosen), len(pre.sites), len(SITE_INPUTS)))
    for c, ks in enumerate(chosen):
        factors[c][:, ks] = np.where(moves[:, ks], per_input[:, ks], 1.0)
    return Cases(inputs, moves, up, chosen, factors, why)


def stress(pre: PlanInputs, winner: int, totals: NDArray[np.float64]) -> BorrowedStress | None:
    """The stress test of the recommended site ``winner`` (index into ``pre.sites``) against the
    values it and the others borrow or estimate, ``totals`` the plan's annual cost per site; None
    when nothing moves or no other site can serve every market (nothing to compare)."""
    sites = pre.sites
    feasible = np.isfinite(totals)
    c = cases_of(pre, winner, feasible) if feasible.sum() >= 2 else None
    if c is None:
        return None
    annual = annual_totals(landed_cost(_moved(pre, c.factors)) * pre.fx, pre.demand).sum(axis=-1)
    annual = np.where(feasible, annual, np.inf)  # (cases, S)
    out = [_case(pre, annual[n], winner, [SITE_INPUTS[k] for k in ks]) for n, ks in enumerate(c.chosen)]
    down = c.moves & ~c.up[:, None]
    result = BorrowedStress(
        site=str(sites["id"].iloc[winner]),
        name=str(sites["name"].iloc[winner]),
        raised=_raised(pre, winner, c.inputs, c.factors[0], c.why),
        lowered={SITE_INPUTS[k]: int(down[:, k].sum()) for k in c.chosen[0] if down[:, k].any()},
        cases=out,
        holds=out[0].holds,
        text="",
    )
    mates = (c.moves & c.up[:, None]).any(axis=1)
    mates[winner] = False
    result.raised_region = int(mates.sum())
    result.text = describe(result, pre.profile.currency)
    return result


def _moved(pre: PlanInputs, factors: NDArray) -> Any:
    """The plan's cost inputs with each site input times its factor, (cases, S) per field. The
    Turkish premium support is a sum of money per worker: it does not move with the wage."""
    x, base = pre.x, pre.x_base
    f = {name: factors[..., k] for k, name in enumerate(SITE_INPUTS)}
    support = base.social_rate - x.social_rate  # the support as a rate on the plan's wage
    return replace(
        x,
        **{COST_FIELDS[n]: getattr(x, COST_FIELDS[n]) * f[n] for n in SITE_INPUTS},
        social_rate=np.maximum(base.social_rate - support / f["wage"], 0.0),
    )


def _raised(pre: PlanInputs, winner: int, inputs: _Inputs, factors: NDArray, why) -> list[StressedInput]:
    names = subject_names(pre.pack)
    out = []
    for k, name in enumerate(SITE_INPUTS):
        param = inputs.params[winner][k]
        f = float(factors[winner, k])
        if param is None or f == 1.0:
            continue
        zone = name == "land" and pre.inputs.values["in_sez_regime"][winner] > 0
        subject = names.get(param.subject, param.subject)
        whose = f"{subject}'s own estimate" if inputs.status[winner, k] == ESTIMATE else f"{subject}'s figure"
        # in the money of the exchange rate's year, as the engine costs it and as the dearer
        # region's figure it is compared with is
        index = rate_year_index(pre.pack, pre.sites["country"].iat[winner], param)
        if index != 1.0:
            whose += f" of {param.year}, indexed to the exchange rate's year"
        out.append(
            StressedInput(
                input="land once the zone has ended" if zone else name,
                quantity=param.quantity,
                subject=subject,
                value=float(param.value * index),
                stressed=float(param.value * index * f),
                unit=param.unit,
                basis=f"{whose}; {why[k][winner]}",
            )
        )
    return out


def _case(pre: PlanInputs, annual: NDArray[np.float64], winner: int, inputs: list[str]) -> StressCase:
    others = np.where(np.arange(len(annual)) == winner, np.inf, annual)
    best_other = int(np.argmin(others))
    first = winner if annual[winner] <= annual[best_other] else best_other
    turkish = np.where(pre.sites["country"].to_numpy() == "TR", annual, np.inf)
    turkish[winner] = np.inf  # a Turkish winner is not its own baseline
    base = int(np.argmin(turkish))
    saving = None
    if pre.sites["country"].iloc[winner] != "TR" and np.isfinite(turkish[base]):
        saving = float((turkish[base] - annual[winner]) / turkish[base])
    return StressCase(
        inputs=inputs,
        first=str(pre.sites["id"].iloc[first]),
        first_name=str(pre.sites["name"].iloc[first]),
        holds=first == winner,
        lead=float(annual[best_other] - annual[winner]),
        saving_pct=saving,
        runner_up=str(pre.sites["name"].iloc[best_other]),
    )


def describe(s: BorrowedStress, currency: str, words: Words = ENGLISH) -> str:
    """The stress test in two or three sentences, for the report, the summary and the CLI. In a
    language other than English the reason for each raised value is left to the report: it is
    written from the data pack's notes."""
    everything = s.cases[0]

    def raised_value(r: StressedInput) -> str:
        values = {"input": words(r.input), "value": _num(r.value, words), "unit": r.unit}
        values["stressed"] = _num(r.stressed, words)
        if words.lang == "en":
            return words("%(input)s %(value)s → %(stressed)s %(unit)s (%(basis)s)", basis=r.basis, **values)
        return words("%(input)s %(value)s → %(stressed)s %(unit)s", **values)

    raised = words(" and ").join(raised_value(r) for r in s.raised)
    n = s.raised_region
    mates = (
        ""
        if n == 0
        else words(", as are those of the other site in its region")
        if n == 1
        else words(", as are those of the %(n)s other sites in its region", n=n)
    )
    counts = [
        words("%(input)s at %(n)s sites" if j == 0 else "%(input)s at %(n)s", n=k, input=words(name))
        for j, (name, k) in enumerate(s.lowered.items())
    ]
    lowered = and_list(counts, words)
    if raised:
        parts = [words("%(site)s's %(inputs)s raised%(mates)s", site=s.name, inputs=raised, mates=mates)]
    elif n > 0:
        message = (
            "the values of %(site)s's region's other site raised"
            if n == 1
            else "the values of %(site)s's region's other sites raised"
        )
        parts = [words(message, site=s.name)]
    else:
        parts = []
    parts += [words("the other sites' %(inputs)s lowered", inputs=lowered)] if lowered else []
    text = words(
        "Borrowed and estimated values at their unfavourable end: %(parts)s. ", parts="; ".join(parts)
    )
    saving = everything.saving_pct
    versus = ""
    if saving is not None:
        message = (
            "%(share)s below the best Turkish option"
            if saving >= 0
            else "%(share)s above the best Turkish option"
        )
        versus = words(message, share=words.share(abs(saving), 1))
    values = {"site": s.name, "currency": currency}
    if everything.holds:
        lead = words.number(everything.lead)
        if everything.runner_up:
            message = "%(site)s still comes first, %(lead)s %(currency)s a year ahead of %(runner)s"
            text += words(message, lead=lead, runner=everything.runner_up, **values)
        else:
            text += words(
                "%(site)s still comes first, %(lead)s %(currency)s a year ahead", lead=lead, **values
            )
        return text + (words(" and %(versus)s.", versus=versus) if versus else ".")
    message = "%(first)s would come first, %(lead)s %(currency)s a year cheaper"
    text += words(message, first=everything.first_name, lead=words.number(-everything.lead), **values)
    text += words("; %(site)s would be %(versus)s.", versus=versus, **values) if versus else "."
    alone = [c for c in s.cases[1:] if not c.holds]
    if alone:
        either = words(" or ").join(
            words("%(input)s (%(site)s first)", input=words(c.inputs[0]), site=c.first_name) for c in alone
        )
        if len(alone) == 1:
            text += words(" Alone, %(inputs)s would be enough: check that figure first.", inputs=either)
        else:
            text += words(" Alone, %(inputs)s would be enough: check those figures first.", inputs=either)
    elif len(s.cases) > 1:
        text += words(" No input alone is enough; only together do they change the answer.")
    if words.lang != "en":
        text += words(" Why each value moves as far as it does: report.html.")
    return text


def _num(v: float, words: Words = ENGLISH) -> str:
    return words.number(v) if abs(v) >= 1000 else words.significant(v, 4)
