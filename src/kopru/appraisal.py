"""Investment appraisal: a site's cash flows over the plant's life, their NPV, IRR and payback.

The landed cost (:mod:`kopru.costs`) is one steady year. A finance team also asks what the move is
worth over time: capex spent during construction, output ramping up, working capital tied up,
incentives that end (a tax holiday, a premium support of a few years) and what is left at the end.
This module turns the same inputs into yearly free cash flows for every site at once, as arrays
(sites × years), and discounts them at the profile's WACC:

    FCF_t = revenue_t − operating cost_t − corporate income tax_t − capex_t − Δ working capital_t

- year 0 is construction: the capex of a new plant is spent over ``construction_months`` (the
  share falling after year 0 lands in year 1), nothing is produced;
- output ramps up linearly over ``ramp_up_months`` from the first production year, then stays at
  the plan's demand;
- operating cost = variable cost per unit × units + fixed operating costs (fixed costs, land,
  property tax), each from the plan's cost engine;
- corporate income tax is charged on revenue − operating cost − straight-line depreciation of the
  capex over the plant's life (an assumption: tax depreciation schedules differ by asset class),
  at each year's rate after incentives (a reduced rate until its cap or its last year); the
  operating cost it deducts leaves out what is an opportunity cost, not an expense: owned land's
  price × WACC and the carrying cost of goods in transit (``untaxed_fixed``, ``untaxed_variable``);
- working capital is ``working_capital_days`` of operating cost, built up as output grows and
  released in the last year;
- a terminal value, when ``terminal_growth`` is given, is the Gordon perpetuity of the last year's
  operating cash flow; otherwise the plant is worth nothing after its life.

An existing plant makes what its capacity allows from year 1; the capacity it lacks is an
expansion, built and ramped up like a new plant. Its appraisal is the value of staying; its IRR and
payback are the expansion's own (:func:`expansion_flows`), since the plant it already has needs no
investment to recover. The comparison a board reads is the difference between a site and that
baseline (``vs_baseline``).

IRR is the rate at which the NPV is zero, found by bracketing and Brent's method on the NPV
polynomial (checked against ``numpy_financial.irr`` in the tests); a cash-flow series with no sign
change has no IRR (``None``, with the reason). Payback is the first time the cumulative cash flow
reaches zero, interpolated within the year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Schedule:
    """How a plant's life unfolds: its length, the ramp-up and the construction before it."""

    lifetime_years: int
    ramp_up_months: float = 12.0
    construction_months: float = 12.0
    working_capital_days: float = 60.0
    terminal_growth: float | None = None

    @property
    def years(self) -> int:
        """Columns of the cash-flow arrays: year 0 (construction) and the production years."""
        return self.lifetime_years + 1

    def output_share(self, running: NDArray[np.float64] | NDArray[np.bool_]) -> Array:
        """(S, T) share of full output in each year: 0 in year 0 for a new plant, then the ramp.

        ``running`` (S,) is the share of full output a site makes already (1 for an existing plant
        with the capacity, capacity / output for one that expands, 0 for a new plant): that share
        is made from year 1, the rest ramps up as a new plant does. Output grows linearly from 0 to
        full over ``ramp_up_months``; a year's share is the average over its 12 months, the
        integral of min(m / R, 1) divided by 12.
        """
        t = np.arange(self.years, dtype=float)
        a = np.clip(t - 1.0, 0.0, None) * 12.0  # months of production before year t
        ramp = float(self.ramp_up_months)
        if ramp > 0:

            def integral(m: Array) -> Array:
                return np.where(m <= ramp, m**2 / (2.0 * ramp), ramp / 2.0 + (m - ramp))

            share = (integral(a + 12.0) - integral(a)) / 12.0
        else:
            share = np.ones_like(t)
        new = np.where(t >= 1, share, 0.0)
        old = np.where(t >= 1, 1.0, 0.0)
        kept = np.clip(np.asarray(running, dtype=float), 0.0, 1.0)[:, None]
        return kept * old[None, :] + (1.0 - kept) * new[None, :]

    def capex_share(self) -> Array:
        """(T,) share of a new plant's capex spent in each year (construction in years 0 and 1)."""
        share = np.zeros(self.years)
        first = min(self.construction_months, 12.0) / max(self.construction_months, 1e-9)
        share[0] = first if self.construction_months > 0 else 1.0
        if self.years > 1:
            share[1] = 1.0 - share[0]
        return share


@dataclass(frozen=True)
class CashFlows:
    """Per site and year, in the plan's currency: the parts of the free cash flow."""

    revenue: Array  # (S, T)
    operating: Array  # (S, T) variable + fixed operating costs
    tax: Array  # (S, T) corporate income tax after incentives
    capex: Array  # (S, T)
    working_capital: Array  # (S, T) change in working capital (positive = cash tied up)
    terminal: Array  # (S, T) terminal value, in the last year only

    @property
    def free(self) -> Array:
        return self.revenue - self.operating - self.tax - self.capex - self.working_capital + self.terminal


@dataclass(frozen=True)
class TaxTerms:
    """Corporate income tax per site: the standard rate, and a reduction that lasts until its cap
    of tax forgone is reached or for at most ``years`` production years (a tax holiday is a
    reduction of 1 without a cap)."""

    rate: Array  # (S,)
    reduction: Array  # (S,) share of the rate removed
    cap: Array  # (S,) tax that may be forgone in all (inf: no cap)
    years: Array  # (S,) production years the reduction may last (inf: the plant's life)


def term_share(years: Array, n_years: int) -> Array:
    """(S, T) share of each year of the appraisal inside a term of ``years`` production years (S,):
    nothing in year 0 (construction), 1 for the years the term covers, the covered part of the year
    it ends in (a term of 3.5 years covers half of year 4), 0 after."""
    t = np.arange(n_years, dtype=float)
    share = np.clip(np.asarray(years, dtype=float)[:, None] - (t[None, :] - 1.0), 0.0, 1.0)
    return np.where(t[None, :] >= 1, share, 0.0)


def cash_flows(
    schedule: Schedule,
    running: NDArray[np.float64] | NDArray[np.bool_],
    revenue_full: Array,
    variable_full: Array,
    fixed_operating: Array,
    capex: Array,
    tax: TaxTerms,
    wacc: float,
    support: Array | None = None,
    support_years: Array | None = None,
    untaxed_fixed: Array | float = 0.0,
    untaxed_variable: Array | float = 0.0,
) -> CashFlows:
    """Yearly cash flows of every site.

    ``running`` (S,) is the share of full output each site makes already (see
    :meth:`Schedule.output_share`); ``revenue_full`` (S,) is a full year's revenue at the plan's
    demand, ``variable_full`` (S,) a full year's variable cost, or (S, T) one per year (duty-free
    inputs that end with a zone);
    ``fixed_operating`` (S,) a year's fixed operating cost once producing, or (S, T) one per year (a
    tax relief that ends);
    ``capex`` (S,) the investment; ``support`` (S,) a full year's operating-cost support (premium
    support), paid for ``support_years`` production years; ``untaxed_fixed`` and ``untaxed_variable``
    (each (S,) or (S, T), as the fixed and the full year's variable cost they are part of): what
    the tax base does not deduct.
    """
    share = schedule.output_share(running)  # (S, T)
    producing = share > 0
    revenue = revenue_full[:, None] * share
    fixed = np.asarray(fixed_operating, dtype=float)
    fixed = fixed[:, None] if fixed.ndim == 1 else fixed  # (S,) every year alike, or (S, T) year by year
    variable = np.asarray(variable_full, dtype=float)
    variable = variable[:, None] if variable.ndim == 1 else variable
    operating = variable * share + np.where(producing, fixed, 0.0)
    if support is not None and support_years is not None:
        within = term_share(support_years, schedule.years)
        operating = operating - support[:, None] * share * within
    life = schedule.lifetime_years
    depreciation = np.where(producing, (capex / life)[:, None], 0.0)
    untaxed = _per_year(untaxed_variable, share) * share + np.where(
        producing, _per_year(untaxed_fixed, share), 0.0
    )
    taxable = np.maximum(revenue - (operating - untaxed) - depreciation, 0.0)
    paid = _tax_by_year(taxable, tax)
    spent = capex[:, None] * schedule.capex_share()[None, :]
    level = operating * schedule.working_capital_days / 365.0
    level[:, -1] = 0.0  # released when the plant's life ends
    change = np.diff(level, axis=1, prepend=0.0)
    terminal = np.zeros_like(revenue)
    if schedule.terminal_growth is not None:
        g = schedule.terminal_growth
        last = revenue[:, -1] - operating[:, -1] - paid[:, -1]
        terminal[:, -1] = last * (1.0 + g) / (wacc - g)
    return CashFlows(revenue, operating, paid, spent, change, terminal)


def _per_year(values: Array | float, like: Array) -> Array:
    """(S, T) from one value, one per site (S,) or one per site and year (S, T)."""
    a = np.asarray(values, dtype=float)
    return np.broadcast_to(a[:, None] if a.ndim == 1 else a, like.shape)


def expansion_flows(
    schedule: Schedule,
    running: Array,
    revenue_full: Array,
    variable_full: Array,
    fixed_operating: Array,
    capex: Array,
    tax: TaxTerms,
    wacc: float,
    support: Array | None = None,
    support_years: Array | None = None,
    fixed_without: Array | None = None,
    certified: Array | None = None,
    untaxed_fixed: Array | float = 0.0,
    untaxed_variable: Array | float = 0.0,
) -> CashFlows:
    """The cash flows an existing plant's expansion adds: the plant with it less the plant without
    it, which makes the ``running`` share of the output at full from year 1 with no capex and
    ``fixed_without`` fixed costs (default: the same; the expansion's property tax is the
    difference). Where ``certified`` (S,) is true, the tax reduction and premium support are the
    expansion's incentive certificate: the plant without the expansion has neither. Arguments as
    :func:`cash_flows`."""
    kept = np.clip(np.asarray(running, dtype=float), 0.0, 1.0)
    variable = np.asarray(variable_full, dtype=float)
    untaxed = np.asarray(untaxed_variable, dtype=float)
    whole = cash_flows(
        schedule,
        kept,
        revenue_full,
        variable,
        fixed_operating,
        capex,
        tax,
        wacc,
        support,
        support_years,
        untaxed_fixed,
        untaxed,
    )
    uncertified = np.zeros(len(kept), dtype=bool) if certified is None else np.asarray(certified, dtype=bool)
    tax_without = replace(tax, reduction=np.where(uncertified, 0.0, tax.reduction))
    support_without = None if support is None else np.where(uncertified, 0.0, support) * kept
    without = cash_flows(
        schedule,
        np.ones_like(kept),
        revenue_full * kept,
        variable * (kept if variable.ndim == 1 else kept[:, None]),
        fixed_operating if fixed_without is None else fixed_without,
        np.zeros_like(capex),
        tax_without,
        wacc,
        support_without,
        support_years,
        untaxed_fixed,
        untaxed * (kept[:, None] if untaxed.ndim == 2 else kept),
    )
    return CashFlows(*(getattr(whole, f) - getattr(without, f) for f in CashFlows.__dataclass_fields__))


def _tax_by_year(taxable: Array, tax: TaxTerms) -> Array:
    """Tax of each year, the reduction applied until its cap or its last year (all sites at once)."""
    paid = np.zeros_like(taxable)
    forgone = np.zeros(taxable.shape[0])
    active = term_share(tax.years, taxable.shape[1])  # part of the year it ends in, pro rata
    for k in range(taxable.shape[1]):  # production starts in year 1; the cap couples the years
        full = tax.rate * taxable[:, k]
        room = np.maximum(tax.cap - forgone, 0.0)
        relief = np.minimum(full * tax.reduction * active[:, k], room)
        forgone += relief
        paid[:, k] = full - relief
    return paid


def npv(rate: float | Array, flows: Array) -> Array:
    """Net present value of flows (..., T) at ``rate``, year 0 undiscounted."""
    t = np.arange(flows.shape[-1])
    rate = np.asarray(rate, dtype=float)
    return np.sum(flows / np.power(1.0 + rate[..., None], t), axis=-1)


def irr(flows: Array) -> float | None:
    """The internal rate of return of one series (T,), or None when it has none.

    A series whose signs never change has no IRR. Otherwise the NPV is bracketed on a grid of
    growth factors 1 + r spaced evenly in logarithm from 0.001 to 10,000 (a rate from −99.9 % to
    a million per cent) and the root nearest the lowest rate is polished by Brent's method;
    conventional series (outflows first) have exactly one.
    """
    return irrs(np.asarray(flows, dtype=float)[None, :])[0]


def sign_changes(flows: Array) -> int:
    """How often a series (T,) changes sign, zeros skipped: by Descartes' rule of signs, the most
    IRRs it can have (a conventional series, outflows first, changes once)."""
    signs = np.sign(np.asarray(flows, dtype=float))
    signs = signs[signs != 0]
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


IRR_GRID = np.logspace(-3.0, 4.0, 1401) - 1.0  # the rates the NPV is bracketed on


def irrs(flows: Array) -> list[float | None]:
    """:func:`irr` of each series of ``flows`` (N, T): the NPVs of every series on the whole grid
    are one matrix product (a plan asks for some 75 series), then each root is polished alone."""
    flows = np.asarray(flows, dtype=float)
    if flows.ndim != 2:
        raise ValueError(f"irrs takes series as rows (N, T), got an array of shape {flows.shape}")
    # discount factors (grid, T): (1 + r)^-t, as npv divides by (1 + r)^t
    discount = 1.0 / np.power(1.0 + IRR_GRID[:, None], np.arange(flows.shape[-1]))
    values = flows @ discount.T  # (N, grid)
    out: list[float | None] = []
    for series, row in zip(flows, values, strict=True):
        if not (np.any(series > 0) and np.any(series < 0)):
            out.append(None)
            continue
        # the lowest root: a grid rate where the NPV is exactly 0, or a sign change before it
        exact = np.flatnonzero(row == 0.0)
        signs = np.sign(row)
        change = np.flatnonzero(signs[:-1] * signs[1:] < 0)
        if len(exact) and (len(change) == 0 or exact[0] <= change[0]):
            out.append(float(IRR_GRID[exact[0]]))
            continue
        if len(change) == 0:
            out.append(None)
            continue
        k = int(change[0])
        root = brentq(
            lambda r, f=series: float(npv(r, f)), IRR_GRID[k], IRR_GRID[k + 1], xtol=1e-12, maxiter=200
        )
        out.append(float(root))
    return out


def payback_years(flows: Array) -> float | None:
    """Years until the cumulative cash flow turns non-negative (interpolated), or None if never, or
    if it never was negative: with nothing invested there is nothing to pay back.

    Year 0 is the construction year, so a plant that pays back within its first production year
    has a payback between 0 and 1.
    """
    flows = np.asarray(flows, dtype=float)
    cumulative = np.cumsum(flows)
    if (cumulative >= 0).all():
        return None
    after = np.flatnonzero(cumulative >= 0)
    if len(after) == 0:
        return None
    k = int(after[0])
    before = cumulative[k - 1]
    return float(k - 1 + (-before) / flows[k]) if flows[k] > 0 else float(k)


def annuity_factor(rate: float, years: float) -> float:
    """Present value of 1 a year for ``years`` (fractional years pro rata) at ``rate``."""
    if years <= 0:
        return 0.0
    if rate == 0:
        return float(years)
    return float(-math.expm1(-years * math.log1p(rate)) / rate)  # exact for tiny rates too


def finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None
