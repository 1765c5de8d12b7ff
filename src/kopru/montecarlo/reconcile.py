"""Why the Monte Carlo mean differs from the plan's cost: the inputs' central values, and their spread.

The plan costs every input at the data pack's value. The draws differ from it in two ways: their
central values are not the data pack's (uncertainty.yaml looks one year ahead: wage growth, energy
tariff rises, the lira's slide; waits skewed upwards; a lognormal demand's mean above its median),
and they spread. One evaluation with every input at its mean separates the two:

    mean - plan = (cost at the inputs' means - plan) + (mean - cost at the inputs' means)

The first part is split by input, each moved alone to its mean (what is left is their interplay);
the second is what the spreads add on their own, since the cost is not linear in the inputs (a local
price divided by the FX rate, units sold times the cost per unit, the cheaper route of each draw,
duty and tax floors), plus Monte Carlo noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kopru.montecarlo.model import RiskModel
from kopru.montecarlo.sampling import annual_cost_direct
from kopru.montecarlo.spec import NEUTRAL, SITE_INPUTS, Array


@dataclass(frozen=True)
class InputShifts:
    """Annual cost per site with the inputs at their means: each alone, and all together."""

    names: tuple[str, ...]  # every uncertain variable, sorted
    alone: Array  # (V, S): variable v at its mean, every other at the data pack's value
    together: Array  # (S,): every variable at its mean


def input_shifts(model: RiskModel) -> InputShifts:
    """One compiled evaluation of V + 1 rows: row v moves variable v alone to its mean, the last
    row moves them all (a loop over the variables, never over samples)."""
    names = tuple(sorted(model.uncertainty.variables))
    n = len(names) + 1
    values = neutral_values(model, names, n)
    demand = np.ones((n, len(model.demand)))
    for v, name in enumerate(names):
        mean = _mean_of(model, name)
        rows = [v, n - 1]
        if name == "demand":
            demand[rows] = mean
        elif name in values:
            values[name][rows] = mean
    cost = annual_cost_direct(model, values, demand)
    return InputShifts(names, cost[:-1], cost[-1])


def neutral_values(model: RiskModel, names: tuple[str, ...], n: int) -> dict[str, Array]:
    """Each variable the draws move, at the data pack's value (factor 1, rate and shift 0), n rows;
    the site factors only where the draws make them (a model with sites' borrowing known)."""
    n_sites = len(model.site_ids)
    values = {}
    for name in names:
        kind = model.uncertainty.variables[name].kind
        if name.startswith("site."):
            if model.site_borrowed is not None:
                values[name] = np.ones((n, n_sites))
        elif name != "demand":
            values[name] = np.full(n, NEUTRAL[kind])
    return values


def _mean_of(model: RiskModel, name: str) -> float | Array:
    """A variable's expected value; a site factor's per site (each site's sigma, and 1 where the
    value is national by rule, as the draws make it)."""
    d = model.uncertainty.variables[name]
    if not name.startswith("site.") or model.site_borrowed is None:
        return d.mean
    column = SITE_INPUTS.index(name.removeprefix("site."))
    mean = d.site_mean(model.site_borrowed[:, column])
    if model.site_national is not None:
        mean[model.site_national[:, column]] = 1.0
    return mean


@dataclass(frozen=True)
class Reconciliation:
    """One site's Monte Carlo mean against the plan's cost (plan currency a year)."""

    site: str
    name: str
    base: float  # the plan's: every input at the data pack's value
    at_means: float  # every input at its mean, no spread
    mean: float  # over the draws
    mean_se: float | None  # its Monte Carlo standard error
    shifts: dict[str, float]  # by variable: its mean alone, less the plan's cost; largest first

    @property
    def difference(self) -> float:
        return self.mean - self.base

    @property
    def central(self) -> float:
        """What the inputs' means add, all together."""
        return self.at_means - self.base

    @property
    def interplay(self) -> float:
        """What the means add together beyond each one's own shift."""
        return self.central - sum(self.shifts.values())

    @property
    def spread(self) -> float:
        """What the spreads around the means add (and Monte Carlo noise)."""
        return self.mean - self.at_means

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "name": self.name,
            "base": self.base,
            "mean": self.mean,
            "mean_se": self.mean_se,
            "difference": self.difference,
            "at_input_means": self.at_means,
            "from_input_means": self.central,
            "by_input": self.shifts,
            "interplay": self.interplay,
            "from_spreads": self.spread,
        }


def reconcile(
    shifts: InputShifts, site: int, site_id: str, name: str, base: float, mean: float, mean_se: float | None
) -> Reconciliation:
    """The reconciliation of site ``site`` (its column in ``shifts``)."""
    by_input = {v: float(shifts.alone[k, site] - base) for k, v in enumerate(shifts.names)}
    ordered = dict(sorted(by_input.items(), key=lambda kv: (-abs(kv[1]), kv[0])))
    return Reconciliation(site_id, name, base, float(shifts.together[site]), mean, mean_se, ordered)
