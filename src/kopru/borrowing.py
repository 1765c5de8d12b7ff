"""Values a site borrows, and whether the recommendation survives them.

Where a region publishes no figure of its own, the data pack lends it another's: the country's
estimate, another region's tariff (``kopru data validate`` lists them with the reason). The risk
engine widens such values (``sigma_borrowed`` in uncertainty.yaml); this module asks the sharper
question a reader asks first: *if every borrowed value were at the unfavourable end of what is
plausible, would the recommended site still come first?* Each input (wage, electricity, gas,
land) is stressed alone as well, so the reader knows which missing figure to look up first.

The unfavourable end is a bound, not a forecast (``kopru risk`` gives the odds):

* the recommended site's borrowed values go up, and so do those of the sites in its region (one
  labour market, one electricity supplier); every other site's go down;
* how far: the wider of two spreads. The risk engine's, two ``sigma_borrowed`` of its lognormal
  (about 98 % of draws lie below the upper end); and the range of the figures the same country's
  regions have of their own (sourced or estimated), so that a borrowed Kazakh tariff is tried at
  least at the dearest tariff a Kazakh region is known to pay.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from kopru.costs import annual_totals, landed_cost
from kopru.datapack.coverage import is_national
from kopru.display import subject_names
from kopru.errors import DataPackError

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
# how many sigma_borrowed the unfavourable end lies from the borrowed value (the text says "two")
SPREADS = 2.0
UNCERTAINTY = resources.files("kopru") / "datapack" / "data" / "uncertainty.yaml"


def borrowed_inputs(pre: PlanInputs) -> NDArray[np.bool_]:
    """(S, len(SITE_INPUTS)): values that are not the site's own sourced figure (another subject's,
    or labelled an assumption); a national value by rule (Türkiye's electricity tariff) is the
    site's own."""
    out = np.zeros((len(pre.sites), len(SITE_INPUTS)), dtype=bool)
    for i, (site, used) in enumerate(zip(pre.sites.itertuples(), pre.inputs.params, strict=True)):
        own = {site.id, site.region}
        for k, name in enumerate(SITE_INPUTS):
            param = next((used[q] for q in SITE_QUANTITIES[name] if q in used), None)
            if param is None:
                out[i, k] = True
                continue
            national = param.subject == site.country and is_national(pre.pack, param.quantity, site.country)
            out[i, k] = param.assumption or not (param.subject in own or national)
    return out


@functools.cache
def borrowed_sigmas() -> dict[str, float]:
    """``sigma_borrowed`` of each site input in the shipped uncertainty.yaml, the spread the risk
    engine gives a borrowed value (``kopru risk`` checks the whole file when it reads it)."""
    variables = yaml.safe_load(UNCERTAINTY.read_text(encoding="utf-8"))["variables"]
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
    """One borrowed value of the recommended site, at its unfavourable end."""

    input: str  # wage, electricity, gas or land
    quantity: str
    subject: str  # whose figure the site takes, by name
    value: float
    stressed: float
    unit: str
    basis: str  # why that far: the country's dearest own figure, or the risk engine's spread


class StressCase(_Model):
    """The plan's ranking with some inputs' borrowed values at their unfavourable end."""

    inputs: list[str]
    first: str  # the site that comes first
    first_name: str
    holds: bool  # whether the recommended site is still first
    lead: float  # the recommended site's annual lead over the best other (negative: behind)
    saving_pct: float | None  # the recommended site below the cheapest Turkish site, in this case


class BorrowedStress(_Model):
    """Would the recommendation survive the values kopru had to borrow?"""

    site: str
    name: str
    raised: list[StressedInput]  # the recommended site's borrowed values, up
    lowered: dict[str, int]  # per input, how many other sites' borrowed values went down
    cases: list[StressCase]  # every stressed input together first, then each alone
    holds: bool
    text: str


def stress(pre: PlanInputs, winner: int, totals: NDArray[np.float64]) -> BorrowedStress | None:
    """The stress test of the recommended site ``winner`` (index into ``pre.sites``) against the
    borrowed values, ``totals`` the plan's annual cost per site; None when nothing is borrowed."""
    sites = pre.sites
    feasible = np.isfinite(totals)
    mask = borrowed_inputs(pre) & feasible[:, None]
    stressed = [k for k in range(len(SITE_INPUTS)) if mask[:, k].any()]
    if not stressed:
        return None
    up = (sites["region"] == sites["region"].iloc[winner]).to_numpy()
    low, high = _bounds(pre)
    per_input = np.where(up[:, None], high, low)  # (S, F)
    cases = [stressed] + ([[k] for k in stressed] if len(stressed) > 1 else [])
    factors = np.ones((len(cases), len(sites), len(SITE_INPUTS)))
    for c, inputs in enumerate(cases):
        factors[c][:, inputs] = np.where(mask[:, inputs], per_input[:, inputs], 1.0)
    x = replace(
        pre.x,
        **{
            COST_FIELDS[n]: getattr(pre.x, COST_FIELDS[n]) * factors[..., k]
            for k, n in enumerate(SITE_INPUTS)
        },
    )
    annual = annual_totals(landed_cost(x) * pre.fx, pre.demand).sum(axis=-1)  # (cases, S)
    annual = np.where(feasible, annual, np.inf)
    out = [_case(pre, annual[c], winner, [SITE_INPUTS[k] for k in inputs]) for c, inputs in enumerate(cases)]
    names = subject_names(pre.pack)
    raised = _raised(pre, winner, factors[0], mask[winner], names)
    lowered = {SITE_INPUTS[k]: int((mask[:, k] & ~up).sum()) for k in stressed}
    result = BorrowedStress(
        site=str(sites["id"].iloc[winner]),
        name=str(sites["name"].iloc[winner]),
        raised=raised,
        lowered={k: v for k, v in lowered.items() if v},
        cases=out,
        holds=out[0].holds,
        text="",
    )
    result.text = describe(result, pre.profile.currency)
    return result


def _bounds(pre: PlanInputs) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(S, F) factors to the low and the high end of each site's values: the wider of the risk
    engine's spread and the range of the country's own regional figures."""
    sigma = np.array([borrowed_sigmas()[n] for n in SITE_INPUTS])
    base = np.stack([getattr(pre.x_base, COST_FIELDS[n]) for n in SITE_INPUTS], axis=1)  # (S, F)
    regional = _regional(pre)
    country = pre.sites["country"].to_numpy()
    low = np.broadcast_to(np.exp(-SPREADS * sigma), base.shape).copy()
    high = np.broadcast_to(np.exp(SPREADS * sigma), base.shape).copy()
    positive = base > 0
    for c in np.unique(country):
        rows = country == c
        for k in range(len(SITE_INPUTS)):
            seen = base[rows & regional[:, k] & positive[:, k], k]
            if seen.size == 0:
                continue
            ok = rows & positive[:, k]
            with np.errstate(divide="ignore"):
                low[ok, k] = np.minimum(low[ok, k], seen.min() / base[ok, k])
                high[ok, k] = np.maximum(high[ok, k], seen.max() / base[ok, k])
    return low, high


def _regional(pre: PlanInputs) -> NDArray[np.bool_]:
    """(S, F): whether the site's value is a region's own figure (sourced or an estimate): the
    figures whose range a borrowed value is tried against."""
    out = np.zeros((len(pre.sites), len(SITE_INPUTS)), dtype=bool)
    for i, (site, used) in enumerate(zip(pre.sites.itertuples(), pre.inputs.params, strict=True)):
        for k, name in enumerate(SITE_INPUTS):
            param = next((used[q] for q in SITE_QUANTITIES[name] if q in used), None)
            out[i, k] = param is not None and param.subject == site.region
    return out


def _raised(pre, winner, factors, borrowed, names) -> list[StressedInput]:
    used = pre.inputs.params[winner]
    out = []
    sigma = borrowed_sigmas()
    for k, name in enumerate(SITE_INPUTS):
        param = next((used[q] for q in SITE_QUANTITIES[name] if q in used), None)
        if not borrowed[k] or param is None or param.value == 0:
            continue
        f = float(factors[winner, k])
        spread = float(np.exp(SPREADS * sigma[name]))
        country = names.get(pre.sites["country"].iloc[winner])
        basis = (
            f"two spreads of {sigma[name]:.0%}, the risk engine's for a borrowed value"
            if np.isclose(f, spread)
            else f"the dearest figure a region of {country} has of its own"
        )
        out.append(
            StressedInput(
                input=name,
                quantity=param.quantity,
                subject=names.get(param.subject, param.subject),
                value=float(param.value),
                stressed=float(param.value * f),
                unit=param.unit,
                basis=basis,
            )
        )
    return out


def _case(pre: PlanInputs, annual: NDArray[np.float64], winner: int, inputs: list[str]) -> StressCase:
    others = np.delete(annual, winner)
    other_ids = np.delete(np.arange(len(annual)), winner)
    best_other = int(other_ids[np.argmin(others)]) if others.size else winner
    first = winner if annual[winner] <= annual[best_other] else best_other
    turkish = np.where(pre.sites["country"].to_numpy() == "TR", annual, np.inf)
    base = int(np.argmin(turkish))
    saving = None
    if base != winner and np.isfinite(turkish[base]):
        saving = float((turkish[base] - annual[winner]) / turkish[base])
    return StressCase(
        inputs=inputs,
        first=str(pre.sites["id"].iloc[first]),
        first_name=str(pre.sites["name"].iloc[first]),
        holds=first == winner,
        lead=float(annual[best_other] - annual[winner]) if others.size else 0.0,
        saving_pct=saving,
    )


def describe(s: BorrowedStress, currency: str) -> str:
    """The stress test in two or three sentences, for the report, the summary and the CLI."""
    everything = s.cases[0]
    raised = " and ".join(
        f"{r.input} {_num(r.value)} → {_num(r.stressed)} {r.unit} ({r.basis})" for r in s.raised
    )
    counts = [f"{n} at {k} {'site' if k == 1 else 'sites'}" for n, k in s.lowered.items()]
    lowered = ", ".join(counts[:-1]) + (" and " if len(counts) > 1 else "") + counts[-1] if counts else ""
    text = "With every borrowed value at its unfavourable end ("
    text += f"{s.name}'s {raised}" if raised else f"{s.name} borrows nothing that costs it"
    text += f"; the other sites' borrowed {lowered} lowered)" if lowered else ")"
    saving = (
        f"{everything.saving_pct:.1%} below the best Turkish option"
        if everything.saving_pct is not None
        else None
    )
    if everything.holds:
        text += f", {s.name} still comes first, {everything.lead:,.0f} {currency} a year ahead"
        return text + (f" and {saving}." if saving else ".")
    text += f", {everything.first_name} would come first, {-everything.lead:,.0f} {currency} a year cheaper"
    text += f"; {s.name} would still be {saving}." if saving else "."
    alone = [c for c in s.cases[1:] if not c.holds]
    if alone:
        either = " or ".join(f"{c.inputs[0]} ({c.first_name} first)" for c in alone)
        which = "that figure" if len(alone) == 1 else "those figures"
        text += f" Alone, {either} would be enough: check {which} first."
    elif len(s.cases) > 1:
        text += " No input alone is enough; only together do they change the answer."
    return text


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.4g}"
