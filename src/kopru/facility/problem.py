"""A capacitated facility-location problem as arrays, and a solver's answer to it.

Candidates ``i`` are sites at one capacity level (sites with several levels group their
candidates); markets ``j`` have a demand. ``assign_cost[i, j]`` is the cost of serving *all* of
``j``'s demand from ``i`` (the OR-Library convention), so a flow ``x_ij`` is the fraction of j's
demand that i serves; ``inf`` marks an arc that does not exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kopru.errors import OptionError
from kopru.highs import SolveResult, Status

Array = NDArray[np.float64]

__all__ = ["Array", "FacilityProblem", "Solution", "Status", "plan_cost"]


@dataclass(frozen=True)
class FacilityProblem:
    """Arrays of a capacitated facility-location problem (candidates i, markets j)."""

    fixed_cost: Array  # (I,)
    capacity: Array  # (I,)
    demand: Array  # (J,)
    assign_cost: Array  # (I, J), cost of serving all of j from i; inf where i cannot serve j
    site: NDArray[np.int64] | None = None  # (I,) site index of each candidate (levels share a site)
    capex: Array | None = None  # (I,) for the budget constraint
    budget: float | None = None
    max_sites: int | None = None
    share_mask: NDArray[np.bool_] | None = None  # (I,) candidates counted for the minimum share
    min_share: float = 0.0
    force_open: frozenset[int] = field(default_factory=frozenset)  # site indices
    force_closed: frozenset[int] = field(default_factory=frozenset)  # site indices
    single_source: bool = False
    # names for the sentences that say why no plan exists (default: the indices)
    site_names: tuple[str, ...] = ()
    market_names: tuple[str, ...] = ()
    # and the units those sentences give quantities and money in ('units a year', 'USD'; default none)
    units: str = ""
    currency: str = ""

    def __post_init__(self) -> None:
        i, j = self.assign_cost.shape
        if self.fixed_cost.shape != (i,) or self.capacity.shape != (i,) or self.demand.shape != (j,):
            raise OptionError("fixed_cost, capacity (I,) and demand (J,) must match assign_cost (I, J)")
        for name, values in (
            ("demand", self.demand),
            ("capacity", self.capacity),
            ("fixed cost", self.fixed_cost),
        ):
            if not np.isfinite(values).all():
                raise OptionError(
                    f"every {name} must be a finite number, found {values[~np.isfinite(values)][0]}"
                )
        if np.isnan(self.assign_cost).any():
            raise OptionError(
                "assign_cost must be a number or inf (no arc) for every pair, found NaN", field="assign_cost"
            )
        if (self.demand < 0).any() or (self.capacity < 0).any():
            raise OptionError("demand and capacity must be >= 0")
        self._check_options(i)

    def _check_options(self, i: int) -> None:
        """The per-candidate arrays, the limits and the forced sites: each named with its range."""
        for name, values in (("site", self.site), ("capex", self.capex), ("share_mask", self.share_mask)):
            if values is not None and np.shape(values) != (i,):
                raise OptionError(
                    f"{name} must have one value per candidate ({i}), got shape {np.shape(values)}",
                    field=name,
                )
        if self.site is not None and (
            not np.issubdtype(np.asarray(self.site).dtype, np.integer) or (i and np.min(self.site) < 0)
        ):
            raise OptionError("site must hold site indices, integers >= 0", field="site")
        if self.capex is not None and not np.isfinite(self.capex).all():
            raise OptionError("every capex must be a finite number", field="capex")
        if self.budget is not None and not (math.isfinite(self.budget) and self.budget >= 0):
            raise OptionError(f"budget must be a finite number >= 0, got {self.budget}", field="budget")
        if self.max_sites is not None and (
            isinstance(self.max_sites, bool) or int(self.max_sites) != self.max_sites or self.max_sites < 0
        ):
            raise OptionError(f"max_sites must be an integer >= 0, got {self.max_sites}", field="max_sites")
        if not (isinstance(self.min_share, int | float) and 0 <= self.min_share <= 1):
            raise OptionError(
                f"min_share must be a share from 0 to 1, got {self.min_share}", field="min_share"
            )
        known = set(self.sites.tolist())
        for name, ids in (("force_open", self.force_open), ("force_closed", self.force_closed)):
            unknown = sorted(set(ids) - known, key=str)
            if unknown:
                raise OptionError(
                    f"{name} names site {unknown[0]}, not a site of the problem; sites are"
                    f" {_ranges(sorted(known))}",
                    field=name,
                )

    @property
    def shape(self) -> tuple[int, int]:
        return self.assign_cost.shape

    @property
    def sites(self) -> NDArray[np.int64]:
        return np.arange(self.shape[0]) if self.site is None else self.site


@dataclass
class Solution(SolveResult):
    """What the solver found (status, objective, bound, gap, seconds) and the plan itself."""

    open: NDArray[np.int64] = field(default_factory=lambda: np.array([], dtype=np.int64))  # candidates
    flows: Array | None = None  # (I, J) fraction of each market's demand served by each candidate
    build_seconds: float = 0.0
    lagrangian_seconds: float = 0.0
    fixed_closed: int = 0  # candidates excluded by reduced-cost fixing
    formulation: str = ""
    message: str = ""
    duals: Array | None = field(default=None, repr=False)  # (J,) LP duals of the assignment rows

    @classmethod
    def empty(cls, status: Status, message: str, bound: float | None = None, **timing) -> Solution:
        """A result without a plan (infeasible, or nothing found before the time limit)."""
        timing.setdefault("seconds", 0.0)
        return cls(status, None, bound, None, message=message, **timing)

    def as_dict(self) -> dict:
        """``kopru cflp --json``: the solve's summary, the open candidates (0-based) and build time."""
        return {
            **self.summary(),
            "open": [int(i) for i in self.open],
            "build_seconds": round(self.build_seconds, 4),
            **({"message": self.message} if self.message else {}),
        }


def _ranges(ids: list[int]) -> str:
    """0-99, or a list when the ids are not one run."""
    if not ids:
        return "none"
    if ids == list(range(ids[0], ids[-1] + 1)):
        return f"{ids[0]} to {ids[-1]}"
    return ", ".join(str(k) for k in ids[:20]) + (", ..." if len(ids) > 20 else "")


def plan_cost(p: FacilityProblem, open_: NDArray[np.int64], flows: Array) -> float:
    """Objective recomputed from the plan: fixed costs of the open candidates plus flow costs."""
    used = flows > 0
    return float(p.fixed_cost[open_].sum() + np.sum(np.where(used, p.assign_cost, 0.0) * flows))
