"""Statistics of a run: mean, quantiles, CVaR95, P(best) and expected regret of every site.

Sums are kept per block and added in block order, and quantiles are taken over the whole column of
samples, so the statistics are bit-identical however the run was cut into chunks. Memory stays
bounded: the annual cost per sample and site (needed for exact quantiles) spills to a temporary
file laid out site by site when it would not fit in :data:`MEMORY_BUDGET`.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from kopru.errors import OptionError
from kopru.montecarlo import explain, kernels
from kopru.montecarlo.model import RiskModel
from kopru.montecarlo.reconcile import InputShifts, Reconciliation, input_shifts, reconcile
from kopru.montecarlo.sampling import BLOCK, Chunk, chunk_blocks, compute_chunk
from kopru.montecarlo.spec import Array, Uncertainty
from kopru.montecarlo.switching import switching_values
from kopru.progress import Counter
from kopru.provenance import RunInputs
from kopru.switching import SwitchingValues
from kopru.units import brief

if TYPE_CHECKING:
    import pandas as pd

MEMORY_BUDGET = 256 * 2**20  # above this the per-sample annual costs spill to a temporary file
DISK_SHARE = 0.8  # of the temporary folder's free space a run may fill
MAX_SAMPLES = 10**9  # past a billion draws the exact quantiles need terabytes; no question asks for them
DRAWS_KEPT = 2048  # samples per site a result keeps for distribution charts (the table uses all)
# the cost tail's Monte Carlo error (kopru rank's risk criterion) by batch means: the draws cut into
# up to TAIL_BATCHES consecutive batches (at least MIN_BATCHES) of at least MIN_BATCH draws each (a
# 5 % tail of five or more), of at most TAIL_DRAWS draws in all (a longer run's error is scaled
# from theirs, as 1 / sqrt(n))
TAIL_BATCHES = 40
MIN_BATCHES = 10
MIN_BATCH = 100
TAIL_DRAWS = 2_000_000


def _check_disk(needed: int) -> None:
    """Refuse a run whose per-sample costs would not fit the temporary folder's free space."""
    folder = tempfile.gettempdir()
    free = shutil.disk_usage(folder).free
    if needed > free * DISK_SHARE:
        raise OptionError(
            f"samples: {needed / 1e9:,.1f} GB of temporary space needed for the per-sample costs,"
            f" {free / 1e9:,.1f} GB free in {folder}; draw fewer samples (or set TMPDIR)",
            field="samples",
        )


class _Sink:
    """Annual cost per sample and site: in memory, or site-major in a temporary file when large;
    with ``units``, one more column after the sites' holds the units sold in each sample.

    The file is written with plain writes (page cache, not this process's memory) so the
    resident size stays bounded however many samples there are.
    """

    def __init__(
        self, samples: int, sites: int, budget: int = MEMORY_BUDGET, shared: bool = False, units: bool = False
    ) -> None:
        self.samples, self.sites, self.units = samples, sites, units
        self.memory: Array | None = None
        self.file = None
        self.path: str | None = None
        size = samples * (sites + units) * 8
        if size <= budget and not shared:
            self.memory = np.empty((samples, sites + units))
            return
        _check_disk(size)
        if shared:
            # worker processes write their chunks into it by path; unlinked in close()
            fd, self.path = tempfile.mkstemp(prefix="kopru-risk-")
            self.file = os.fdopen(fd, "w+b")
            self.file.truncate(size)
        else:
            # closed in close(), called from run()'s finally: the file lives across many writes
            self.file = tempfile.TemporaryFile(prefix="kopru-risk-")  # noqa: SIM115

    def write(self, start: int, costs: Array, units: Array | None = None) -> None:
        if self.memory is not None:
            self.memory[start : start + len(costs), : self.sites] = costs
            if units is not None:
                self.memory[start : start + len(costs), self.sites] = units
            return
        write_columns(self.file, self.samples, start, costs, units)

    def column(self, site: int) -> Array:
        """One site's costs over every sample; ``site`` = the number of sites: the units sold."""
        if self.memory is not None:
            return self.memory[:, site]
        self.file.seek(site * self.samples * 8)
        return np.fromfile(self.file, dtype=np.float64, count=self.samples)

    def units_column(self) -> Array | None:
        """The units sold in each sample (contiguous), when the sink keeps them."""
        return np.ascontiguousarray(self.column(self.sites)) if self.units else None

    def head(self, n: int) -> Array:
        """The first ``n`` samples of every site, (n, S)."""
        n = min(n, self.samples)
        if self.memory is not None:
            return self.memory[:n, : self.sites].copy()
        cols = []
        for s in range(self.sites):
            self.file.seek(s * self.samples * 8)
            cols.append(np.frombuffer(self.file.read(n * 8), dtype=np.float64))
        return np.stack(cols, axis=1)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        if self.path is not None:
            os.unlink(self.path)


def write_columns(file: Any, samples: int, start: int, costs: Array, units: Array | None = None) -> None:
    """A chunk's costs (n, S) into a site-major file of ``samples`` rows per site, and the units
    sold (n,) into the column after the sites'."""
    by_site = np.ascontiguousarray(costs.T)
    for s in range(by_site.shape[0]):
        file.seek((s * samples + start) * 8)
        file.write(by_site[s].tobytes())
    if units is not None:
        file.seek((by_site.shape[0] * samples + start) * 8)
        file.write(np.ascontiguousarray(units, dtype=np.float64).tobytes())


@dataclass(frozen=True)
class SiteRisk:
    """One site's statistics over the draws; the fields after ``expected_regret`` are None when the
    run did not keep what they need (a result summarised from bare sums)."""

    id: str
    name: str
    mean: float
    p5: float
    p50: float
    p95: float
    cvar95: float
    p_best: float
    expected_regret: float
    base: float | None = None  # the plan's annual cost: every input at the data pack's value
    at_means: float | None = None  # every input at its mean, without spread
    mean_se: float | None = None  # Monte Carlo standard error of the mean
    p_best_se: float | None = None  # binomial standard error of P(best)
    per_unit: UnitCost | None = None  # the annual cost over the units sold in each draw
    capacity: float | None = None  # units a year the site can make; the draws do not enforce it
    p_over_capacity: float | None = None  # share of draws selling more than the capacity
    incentives_unconfirmed: bool = False  # SEZ incentives counted without the product confirmed
    # P(best) when no unconfirmed SEZ incentive holds (None for a site whose incentives are unconfirmed)
    p_best_confirmed: float | None = None
    # the sites (ids) with this one's cost in every draw (a region centre and an SEZ there whose
    # incentives the product does not take): a draw's tie counts for the first of them in the
    # plan's order, so P(best) is theirs together
    same_draws_as: tuple[str, ...] = ()
    # the cost tail of the cost per unit sold, (CVaR95 - mean) / mean, of each batch of draws
    # (:func:`tail_batches`; () where the run has no cost per unit): its spread is the tail's Monte
    # Carlo error
    tail_batches: tuple[float, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        keys = ("id", "name", "base", "at_means", "mean", "mean_se", "p5", "p50", "p95", "cvar95")
        data = {k: getattr(self, k) for k in keys}
        data |= {"p_best": self.p_best, "p_best_se": self.p_best_se, "expected_regret": self.expected_regret}
        unit = self.per_unit
        data |= {f"per_unit_{k}": getattr(unit, k) if unit else None for k in UnitCost.KEYS}
        data |= {
            "capacity": self.capacity,
            "p_over_capacity": self.p_over_capacity,
            "incentives_unconfirmed": self.incentives_unconfirmed,
            "p_best_if_unconfirmed_incentives_fail": self.p_best_confirmed,
            "same_draws_as": list(self.same_draws_as),
        }
        return data


@dataclass(frozen=True)
class UnitCost:
    """A site's annual cost over the units sold in each draw (plan currency a unit): with the units
    the same for every site in a draw, the cheapest site of each draw, and so P(best), is the same
    per unit."""

    KEYS: ClassVar[tuple[str, ...]] = ("base", "mean", "p5", "p50", "p95", "cvar95")
    base: float  # the plan's cost per unit
    mean: float
    # the quantiles: None where the run did not take them (ask for every site with per_unit)
    p5: float | None = None
    p50: float | None = None
    p95: float | None = None
    cvar95: float | None = None


@dataclass(frozen=True)
class UnitsSold:
    """Units sold a year over the draws: demand varies by market, capacity is not enforced."""

    base: float  # the profile's demand
    mean: float
    p5: float
    p50: float
    p95: float

    def as_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in ("base", "mean", "p5", "p50", "p95")}


@dataclass(frozen=True)
class RiskResult:
    """Per-site statistics of the annual landed cost (plan currency) over ``samples`` draws."""

    samples: int
    seed: int
    currency: str
    sites: list[SiteRisk]
    excluded: tuple[str, ...]
    uncertainty: Uncertainty
    baseline: str | None = None  # the cheapest Turkish site at base values
    # annual cost of the run's first samples (at most DRAWS_KEPT) per site id, for charts
    draws: dict[str, Array] = field(default_factory=dict, repr=False)
    recommended: str | None = None  # the plan's pick: the cheapest site at base values
    units: UnitsSold | None = None
    reconciliation: Reconciliation | None = None  # the recommended site's mean against the plan
    # an SEZ whose incentives are unconfirmed -> the site of its region: what it costs without them
    without_incentives: dict[str, str] = field(default_factory=dict)
    # how far each input must move alone to change the recommendation, on this run's distributions
    switching: SwitchingValues | None = None
    inputs: RunInputs | None = None  # what it was computed from (kopru.risk sets it)
    tail_batch_draws: int = 0  # the draws the sites' tail_batches cover (the first ones)

    @property
    def p_recommendation_changes(self) -> float | None:
        """The share of draws in which another site is cheaper than the plan's recommendation: a draw
        its twins win (the same cost in every draw, see ``same_draws_as``) is a tie, not a change."""
        p_best = {s.id: s.p_best for s in self.sites}
        if self.recommended not in p_best:
            return None
        pick = self.site(self.recommended)
        twins = set(pick.same_draws_as) if pick else set()
        # the other sites' shares summed, not 1 less the pick's: the sentence then shows the same
        # rounded figure as the table's P(best) of the one site that takes them (1 - 0.8485 is
        # 0.15149999999999997, 15.1 %, where the table shows 0.1515 as 15.2 %)
        return sum(p for sid, p in p_best.items() if sid != self.recommended and sid not in twins)

    def site(self, site_id: str | None) -> SiteRisk | None:
        return next((s for s in self.sites if s.id == site_id), None)

    def names(self, site_ids: Iterable[str]) -> list[str]:
        """The names of sites given by id (a twin's ``same_draws_as``)."""
        by_id = {s.id: s.name for s in self.sites}
        return [by_id.get(i, i) for i in site_ids]

    def to_frame(self) -> pd.DataFrame:
        """Every site's statistics (the columns of ``as_dict()['sites']``), indexed by id, in the
        result's order; NaN where a statistic was not kept."""
        import pandas as pd

        frame = pd.DataFrame([s.as_dict() for s in self.sites]).set_index("id")
        numbers = frame.columns.difference(["name", "incentives_unconfirmed", "same_draws_as"])
        frame[numbers] = frame[numbers].astype(float)
        return frame

    def as_dict(self) -> dict[str, Any]:
        """``kopru risk --json``: the run's size, seed, horizon and inputs, the recommendation's
        robustness and what it is conditional on, the reconciliation with the plan, the units sold
        and every site's statistics."""
        pick = self.site(self.recommended)
        return {
            "samples": self.samples,
            "seed": self.seed,
            "currency": self.currency,
            "horizon": self.uncertainty.horizon or None,
            "recommended": self.recommended,
            "recommended_name": pick.name if pick else None,
            "baseline": self.baseline,  # the Turkish site the plan's saving is measured against
            "p_recommendation_changes": self.p_recommendation_changes,
            "p_recommendation_changes_se": pick.p_best_se if pick else None,
            "reconciliation": self.reconciliation.as_dict() if self.reconciliation else None,
            "units_sold": self.units.as_dict() if self.units else None,
            "conditions": explain.conditions(self),
            "notes": explain.notes(self),
            "sites": [s.as_dict() for s in self.sites],
            "excluded": list(self.excluded),
            "inputs": self.uncertainty.describe(),
            "switching": self.switching.model_dump(mode="json") if self.switching else None,
        }


def tail_mean(values: Array, share: float = 0.05) -> float:
    """Mean of the costliest ``ceil(share × n)`` values (CVaR): always >= the linear p95."""
    n = len(values)
    k = tail_size(n, share)
    top = np.partition(values, n - k)[n - k :]
    return float(top.mean())


def tail_size(n: int, share: float = 0.05) -> int:
    return max(1, math.ceil(round(share * n, 9)))


def tail_batches(values: Array) -> tuple[float, ...]:
    """The cost tail, (CVaR95 - mean) / mean, of each consecutive equal batch of the first draws
    (:func:`batching`); () when there are too few draws for batches. The draws are independent, so
    are the batches: their values' spread over sqrt(batches) is the Monte Carlo error of the tail
    of all the draws they cover (batch means)."""
    count, size = batching(len(values))
    if not count:
        return ()
    batches = np.array(values[: count * size], dtype=np.float64).reshape(count, size)
    k = tail_size(size)
    tail = np.partition(batches, size - k, axis=1)[:, size - k :].mean(axis=1)
    mean = batches.mean(axis=1)
    return tuple(float(v) for v in (tail - mean) / mean)


def batching(samples: int) -> tuple[int, int]:
    """How many batches of how many draws :func:`tail_batches` cuts a run of ``samples`` into:
    (0, 0) below MIN_BATCHES batches of MIN_BATCH draws."""
    used = min(samples, TAIL_DRAWS)
    count = min(TAIL_BATCHES, used // MIN_BATCH)
    return (count, used // count) if count >= MIN_BATCHES else (0, 0)


def tail_batch_draws(samples: int) -> int:
    """The draws :func:`tail_batches` covers in a run of ``samples`` (0: too few for batches)."""
    count, size = batching(samples)
    return count * size


QUANTILES = (0.05, 0.5, 0.95)
SIFT_MIN = 65_536  # from this many samples a column's statistics come from one pass (sift)
PILOT = 32_768  # about this many evenly spaced samples place the sift's brackets


def column_statistics(col: Array) -> tuple[float, float, float, float]:
    """p5, p50, p95 and CVaR95 of one site's annual costs over every sample.

    The quantiles are np.quantile's, bit for bit; CVaR95 is the mean of the costliest 5 %, equal
    to :func:`tail_mean` to rounding (its sum is compensated, so it does not depend on the order)."""
    sifted = _sifted_statistics(col) if len(col) >= SIFT_MIN else None
    if sifted is not None:
        return sifted
    p5, p50, p95 = quantiles(col, QUANTILES)
    # the k costliest are all >= p95, so their mean is too; max() only absorbs rounding
    return p5, p50, p95, max(tail_mean(col), p95)


def quantiles(values: Array, qs: tuple[float, ...]) -> tuple[float, ...]:
    """``np.quantile(values, qs)`` (its default, linear method), bit for bit (but for the sign of
    a zero), in about half the time.

    np.quantile partitions the whole column once at every rank it needs, plus the first and the
    last; here each rank is selected only within the stretch the previous selections left it in.
    """
    n = len(values)
    if n == 0 or np.isnan(values).any():  # NumPy's own answers (an error; NaN)
        return tuple(float(q) for q in np.quantile(values, qs))
    below, above, gamma = _neighbours(n, qs)
    ordered = np.array(values, dtype=np.float64)  # a copy to partition
    _select(ordered, 0, n, sorted(set(below) | set(above)))
    return _interpolated(ordered[below], ordered[above], gamma)


def _neighbours(n: int, qs: tuple[float, ...]) -> tuple[list[int], list[int], Array]:
    """The ranks either side of each quantile's virtual index, and the weight of the upper one."""
    virtual = (n - 1) * np.asarray(qs, dtype=np.float64)
    below = np.minimum(np.floor(virtual), n - 1).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    # at the last rank NumPy takes both neighbours at index -1, so its gamma is counted from there
    gamma = np.where(virtual >= n - 1, virtual + 1, virtual - below)
    return below.tolist(), above.tolist(), gamma


def _interpolated(a: Array, b: Array, gamma: Array) -> tuple[float, ...]:
    diff = b - a
    # NumPy's _lerp: from the nearer neighbour, so that gamma 1 gives b exactly
    return tuple(float(v) for v in np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma))


def _select(values: Array, lo: int, hi: int, ranks: list[int]) -> None:
    """Put the order statistics of ``ranks`` (sorted, within lo..hi-1) at their sorted positions."""
    if not ranks:
        return
    middle = len(ranks) // 2
    rank = ranks[middle]
    values[lo:hi].partition(rank - lo)
    _select(values, lo, rank, ranks[:middle])
    _select(values, rank + 1, hi, ranks[middle + 1 :])


def _sifted_statistics(col: Array) -> tuple[float, float, float, float] | None:
    """:func:`column_statistics` from one pass over the column instead of whole-column partitions.

    Evenly spaced samples (a pilot) place a narrow bracket of values around each rank the
    statistics need; one compiled pass (:func:`kopru.montecarlo.kernels.sift`) counts the values
    between brackets, keeps those inside and sums those above the last; each rank is then selected
    among its bracket's few values. The ranks are exact whatever the pilot: a bracket that missed
    its rank (six standard deviations of the pilot's rank error) gives None, and the caller
    partitions the whole column instead."""
    n = len(col)
    k = tail_size(n)
    below, above, gamma = _neighbours(n, QUANTILES)
    ranks = sorted(set(below) | set(above) | {n - k})
    pilot = np.sort(col[:: n // PILOT])
    groups, low, high, share = _brackets(pilot, n, ranks)
    if n - k not in groups[-1]:
        return None  # the tail's sum takes what lies above the last bracket: its rank must be there
    capacity = int(1.5 * share * n) + 1024  # room for the expected count and its spread
    kept = np.empty((len(groups), capacity))
    n_kept = np.zeros(len(groups), dtype=np.int64)
    gaps = np.zeros(len(groups) + 1, dtype=np.int64)
    above_sum = kernels.sift(np.ascontiguousarray(col, dtype=np.float64), low, high, kept, n_kept, gaps)
    if not np.isfinite(above_sum) or n_kept.max() > capacity:
        return None  # a NaN or an infinity: NumPy's way, so its answer is NumPy's
    value: dict[int, float] = {}
    tail = above_sum
    for g, group in enumerate(groups):
        before = int(gaps[: g + 1].sum() + n_kept[:g].sum())
        inside = kept[g, : n_kept[g]]
        at = [r - before for r in group]
        if at[0] < 0 or at[-1] >= len(inside):
            return None  # the pilot placed this bracket off its ranks
        _select(inside, 0, len(inside), at)
        value.update((r, float(inside[j])) for r, j in zip(group, at, strict=True))
        if n - k in group:
            tail += float(inside[n - k - before :].sum())
    p5, p50, p95 = _interpolated(
        np.array([value[r] for r in below]), np.array([value[r] for r in above]), gamma
    )
    return p5, p50, p95, max(tail / k, p95)


def _brackets(pilot: Array, n: int, ranks: list[int]) -> tuple[list[list[int]], Array, Array, float]:
    """Ranks grouped by overlapping brackets, each group's bracket (low, high) in values, and the
    largest share of the pilot a bracket spans."""
    m = len(pilot)
    r = np.asarray(ranks, dtype=np.float64)
    p = r / (n - 1)
    # a rank's place in the pilot errs by a binomial spread; 6 standard deviations and a margin
    spread = 6.0 * np.sqrt(m * p * (1.0 - p)) + 8.0
    first = np.clip(np.floor(p * (m - 1) - spread), 0, m - 1).astype(int).tolist()
    last = np.clip(np.ceil(p * (m - 1) + spread), 0, m - 1).astype(int).tolist()
    spans: list[list[int]] = []
    groups: list[list[int]] = []
    for rank, a, b in zip(ranks, first, last, strict=True):
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
            groups[-1].append(rank)
        else:
            spans.append([a, b])
            groups.append([rank])
    low = np.array([pilot[a] if a > 0 else -np.inf for a, _ in spans])
    high = np.array([pilot[b] if b < m - 1 else np.inf for _, b in spans])
    share = max(b - a + 1 for a, b in spans) / m
    return groups, low, high, share


Stats = tuple[float, float, float, float]  # p5, p50, p95, CVaR95
# a site's column: the statistics of its annual cost, of its cost per unit sold (None: not wanted),
# and the tail of each batch of draws of the latter (kopru rank's criterion; () when not wanted)
Column = tuple[Stats, Stats | None, tuple[float, ...]]


def site_statistics(col: Array, units: Array | None) -> Column:
    """:func:`column_statistics` of a site's annual costs and, given the units sold in each sample,
    of its cost per unit sold and :func:`tail_batches` of it (``units`` None: not wanted)."""
    if units is None:
        return column_statistics(col), None, ()
    unit = col / units
    return column_statistics(col), column_statistics(unit), tail_batches(unit)


@dataclass
class Totals:
    """A run's per-block sums, in block order: added up only at the end, so however the run was cut
    into chunks the statistics are the same, bit for bit."""

    sums: Array  # (blocks, S)
    best: NDArray[np.int64]  # (blocks, S)
    regret: Array  # (blocks, S)
    squares: Array  # (blocks, S) about each block's mean
    unit_sums: Array  # (blocks, S)
    units_sums: Array  # (blocks,)
    best_confirmed: NDArray[np.int64]  # (blocks, S)

    @classmethod
    def zeros(cls, n_blocks: int, n_sites: int) -> Totals:
        def z(dtype: type = np.float64) -> Any:
            return np.zeros((n_blocks, n_sites), dtype=dtype)

        return cls(z(), z(np.int64), z(), z(), z(), np.zeros(n_blocks), z(np.int64))

    def add(self, chunk: Chunk) -> None:
        rows = slice(chunk.first_block, chunk.first_block + len(chunk.sums))
        for name in ("sums", "best", "regret", "squares", "unit_sums", "units_sums", "best_confirmed"):
            getattr(self, name)[rows] = getattr(chunk, name)


def summarize(
    model: RiskModel,
    chunks_sums: Array,
    best: NDArray[np.int64],
    regret: Array,
    sink: _Sink,
    seed: int,
    columns: list[Column] | None = None,
    totals: Totals | None = None,
    shifts: InputShifts | None = None,
) -> RiskResult:
    """Combine per-block sums (in block order) and per-site columns into the statistics;
    ``columns``: each site's :func:`site_statistics` when worker processes computed them;
    ``totals`` (the run's other sums) and ``shifts`` (the cost at the inputs' means) add the
    standard errors, the cost per unit sold, capacity and the reconciliation with the plan."""
    n = sink.samples
    mean = chunks_sums.sum(axis=0) / n
    p_best = best.sum(axis=0) / n
    exp_regret = regret.sum(axis=0) / n
    units = sink.units_column()
    if columns is None:
        wants = getattr(model, "wants_per_unit", lambda _s: True)  # a bare model: every site
        columns = [
            site_statistics(sink.column(s), units if wants(s) else None) for s in range(len(model.site_ids))
        ]
    extra = _extras(model, totals, units, n, (mean, p_best), columns, shifts)
    sites = []
    for s, sid in enumerate(model.site_ids):
        p5, p50, p95, cvar = columns[s][0]
        sites.append(
            SiteRisk(
                sid,
                model.site_names[s],
                float(mean[s]),
                p5,
                p50,
                p95,
                cvar,
                float(p_best[s]),
                max(float(exp_regret[s]), 0.0),
                **extra[s],
                tail_batches=columns[s][2],
            )
        )
    sites = _twins(sites)
    sites.sort(key=lambda r: (r.mean, r.id))
    head = sink.head(DRAWS_KEPT)
    draws = {sid: head[:, s] for s, sid in enumerate(model.site_ids)}
    complete = totals is not None and shifts is not None
    return RiskResult(
        n,
        seed,
        model.currency,
        sites,
        model.excluded,
        model.uncertainty,
        model.baseline,
        draws,
        model.recommended,
        _units_sold(model, totals, units) if complete else None,
        _reconciliation(model, sites, shifts) if complete else None,
        _without_incentives(model) if complete else {},
        tail_batch_draws=tail_batch_draws(n),
    )


def _twins(sites: list[SiteRisk]) -> list[SiteRisk]:
    """Each site with the ids of those whose cost is the same in every draw, in the plan's order
    (``sites`` is). Told apart by their statistics to the last bit: the draws are continuous, so two
    sites' mean, percentiles, CVaR and regret all agree only when their costs do draw by draw."""
    groups: dict[tuple[float, ...], list[int]] = {}
    for i, s in enumerate(sites):
        groups.setdefault((s.mean, s.p5, s.p50, s.p95, s.cvar95, s.expected_regret), []).append(i)
    out = list(sites)
    for members in groups.values():
        if len(members) > 1:
            for i in members:
                out[i] = replace(out[i], same_draws_as=tuple(sites[j].id for j in members if j != i))
    return out


def _extras(
    model: RiskModel,
    totals: Totals | None,
    units: Array | None,
    n: int,
    moments: tuple[Array, Array],
    columns: list[Column],
    shifts: InputShifts | None,
) -> list[dict[str, Any]]:
    """Each site's fields of :class:`SiteRisk` past the basic statistics, as keyword arguments;
    ``moments``: the sites' mean costs and P(best)."""
    mean, p_best = moments
    n_sites = len(model.site_ids)
    if totals is None or shifts is None or model.base is None:
        return [{} for _ in range(n_sites)]
    se = _standard_errors(totals, mean, n)
    unit_mean = totals.unit_sums.sum(axis=0) / n
    base_unit = model.base / model.demand.sum()
    over = _over_capacity(model.capacity, units, n_sites)
    unconfirmed = model.unconfirmed if model.unconfirmed is not None else np.zeros(n_sites, dtype=bool)
    confirmed = totals.best_confirmed.sum(axis=0) / n
    out = []
    for s in range(n_sites):
        unit = columns[s][1]
        out.append(
            {
                "base": float(model.base[s]),
                "at_means": float(shifts.together[s]),
                "mean_se": se[s],
                "p_best_se": math.sqrt(p_best[s] * (1.0 - p_best[s]) / n),
                "per_unit": UnitCost(float(base_unit[s]), float(unit_mean[s]), *(unit or ())),
                "capacity": float(model.capacity[s]) if model.capacity is not None else None,
                "p_over_capacity": over[s],
                "incentives_unconfirmed": bool(unconfirmed[s]),
                "p_best_confirmed": None if unconfirmed[s] else float(confirmed[s]),
            }
        )
    return out


def _standard_errors(totals: Totals, mean: Array, n: int) -> list[float | None]:
    """The Monte Carlo standard error of each site's mean, sqrt(s^2 / n): the blocks' squared
    deviations about their own means combined with their means' deviations (Chan et al. 1979), so
    that no large sum of squares cancels."""
    if n < 2:
        return [None] * len(mean)
    sizes = np.minimum(BLOCK, n - BLOCK * np.arange(len(totals.sums)))[:, None].astype(np.float64)
    between = (sizes * (totals.sums / sizes - mean) ** 2).sum(axis=0)
    variance = (totals.squares.sum(axis=0) + between) / (n - 1)
    return [float(v) for v in np.sqrt(variance / n)]


def _over_capacity(capacity: Array | None, units: Array | None, n_sites: int) -> list[float | None]:
    """Per site, the share of samples whose units sold exceed its capacity (a part in 1e9 spared
    for the rounding of a demand equal to it); one pass per distinct capacity."""
    if capacity is None or units is None:
        return [None] * n_sites
    share = {c: np.count_nonzero(units > c * (1 + 1e-9)) / len(units) for c in np.unique(capacity)}
    return [float(share[c]) for c in capacity]


def _units_sold(model: RiskModel, totals: Totals, units: Array | None) -> UnitsSold | None:
    if units is None:
        return None
    p5, p50, p95, _ = column_statistics(units)
    return UnitsSold(float(model.demand.sum()), float(totals.units_sums.sum() / len(units)), p5, p50, p95)


def _reconciliation(model: RiskModel, sites: list[SiteRisk], shifts: InputShifts) -> Reconciliation | None:
    """The recommended site's mean against the plan's cost (or the cheapest site's on average)."""
    pick = next((s for s in sites if s.id == model.recommended), sites[0] if sites else None)
    if pick is None or pick.base is None:
        return None
    column = model.site_ids.index(pick.id)
    return reconcile(shifts, column, pick.id, pick.name, pick.base, pick.mean, pick.mean_se)


def _without_incentives(model: RiskModel) -> dict[str, str]:
    """Each SEZ whose incentives are unconfirmed and the site of its region, which the plan says it
    costs as without them (kopru.planner's recommendation)."""
    if model.unconfirmed is None or not model.site_region:
        return {}
    ids = set(model.site_ids)
    return {
        sid: region
        for sid, region, unconfirmed in zip(model.site_ids, model.site_region, model.unconfirmed, strict=True)
        if unconfirmed and region in ids
    }


def run(
    model: RiskModel,
    samples: int,
    seed: int,
    blocks_per_chunk: int | None = None,
    client: Any = None,
    progress: Counter | None = None,
    memory_budget: int = MEMORY_BUDGET,
    workers: int | None = None,
) -> RiskResult:
    """Evaluate ``samples`` draws in chunks, here, in worker processes or on a Dask ``client``;
    the same result, bit for bit, whichever.

    ``workers``: processes on this machine (1: this process only). By default a run of at least
    :data:`PROCESS_MIN_SAMPLES` uses one process per core; each writes its chunks' costs straight
    into the run's file, so only the per-block sums travel back.
    """
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise OptionError(
            f"samples must be a whole number from 1 to {MAX_SAMPLES:,}, got {brief(samples)}", field="samples"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise OptionError(f"seed must be a whole number >= 0, got {seed!r}", field="seed")
    n_blocks = -(-samples // BLOCK)
    step = blocks_per_chunk or chunk_blocks(model)
    spans = [(b, min(b + step, n_blocks)) for b in range(0, n_blocks, step)]
    n_sites = len(model.site_ids)
    totals = Totals.zeros(n_blocks, n_sites)
    procs = _processes(workers, samples) if client is None else 1
    sink = _Sink(samples, n_sites, memory_budget, shared=procs > 1, units=True)
    done = 0
    try:
        with _worker_pool(model, sink.path, procs) if procs > 1 else contextlib.nullcontext() as pool:
            chunks = (
                _in_processes(pool, seed, spans, samples)
                if procs > 1
                else _chunks(model, seed, spans, samples, client)
            )
            for chunk in chunks:
                totals.add(chunk)
                if len(chunk.costs):  # a worker process has written its own into the file
                    sink.write(chunk.start, chunk.costs, chunk.units)
                done = max(done, min((chunk.first_block + len(chunk.sums)) * BLOCK, samples))
                if progress is not None:
                    progress(done, samples)
            # the quantiles partition every site's column: the workers share them out
            columns = (
                list(pool.map(_column_statistics_of, [samples] * n_sites, range(n_sites)))
                if procs > 1
                else None
            )
        shifts = input_shifts(model)
        result = summarize(
            model, totals.sums, totals.best, totals.regret, sink, seed, columns, totals, shifts
        )
        return replace(result, switching=switching_values(model))
    finally:
        sink.close()


PROCESS_MIN_SAMPLES = 500_000  # below this, starting worker processes (~1 s each) does not pay


def _processes(workers: int | None, samples: int) -> int:
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise OptionError(f"workers must be a whole number >= 1, got {workers!r}", field="workers")
        return workers
    return (os.cpu_count() or 1) if samples >= PROCESS_MIN_SAMPLES else 1


_WORKER: dict[str, Any] = {}


def _start_worker(model: RiskModel, path: str) -> None:
    _WORKER["model"], _WORKER["path"] = model, path
    kernels.warm()  # load the compiled kernels once, before the first chunk


def _chunk_into_file(seed: int, first: int, stop: int, samples: int) -> Chunk:
    """A worker's task: compute the chunk, write its costs and units into the run's file, return
    the sums."""
    chunk = compute_chunk(_WORKER["model"], seed, first, stop, samples)
    with open(_WORKER["path"], "r+b") as file:
        write_columns(file, samples, chunk.start, chunk.costs, chunk.units)
    return replace(chunk, costs=chunk.costs[:0], units=chunk.units[:0])


def _column_statistics_of(samples: int, site: int) -> Column:
    """A worker's task: :func:`site_statistics` of one site's column of the run's file."""
    n_sites = len(_WORKER["model"].site_ids)
    with open(_WORKER["path"], "rb") as file:
        # writable arrays: the one type the sifting kernel is compiled (and cached) for
        file.seek(site * samples * 8)
        col = np.fromfile(file, dtype=np.float64, count=samples)
        if not _WORKER["model"].wants_per_unit(site):
            return site_statistics(col, None)
        file.seek(n_sites * samples * 8)  # the units sold: the column after the sites'
        return site_statistics(col, np.fromfile(file, dtype=np.float64, count=samples))


@contextlib.contextmanager
def _worker_pool(model: RiskModel, path: str | None, procs: int) -> Iterator[ProcessPoolExecutor]:
    """``procs`` spawned processes holding the model and the path of the run's site-major file."""
    # a single-threaded process (the command line) forks its workers, which then need no imports
    # (about 0.8 s a run); a process with other threads (the web server, a progress display)
    # spawns them, since a fork copies whatever locks those threads hold
    context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    kernels.warm()  # compiled here once and cached on disk, so that the workers only load it
    # one BLAS thread per worker: the workers are the parallelism, and a process of this run alone
    # already keeps every core's BLAS busy; both at once oversubscribe the cores (2M samples took
    # 42 s instead of 26 s on 2 cores). The variables are read when a worker imports NumPy.
    with (
        _environment(BLAS_ONE_THREAD),
        ProcessPoolExecutor(
            procs, mp_context=context, initializer=_start_worker, initargs=(model, path)
        ) as pool,
    ):
        yield pool


def _in_processes(pool: ProcessPoolExecutor, seed: int, spans: list[tuple[int, int]], samples: int):
    """Chunks computed by the pool's processes; their costs are already in the run's file."""
    futures = [pool.submit(_chunk_into_file, seed, a, b, samples) for a, b in spans]
    for future in as_completed(futures):
        yield future.result()


BLAS_ONE_THREAD = {
    name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
}


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    """Environment variables set while worker processes start, then restored."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _chunks(model: RiskModel, seed: int, spans: list[tuple[int, int]], samples: int, client: Any):
    if client is None:
        for first, stop in spans:
            yield compute_chunk(model, seed, first, stop, samples)
        return
    from distributed import as_completed

    shared = client.scatter(model, broadcast=True)
    futures = [client.submit(compute_chunk, shared, seed, a, b, samples, pure=False) for a, b in spans]
    for future in as_completed(futures):
        yield future.result()
        future.release()
