"""What it would take to change the answer: switching values and the tornado of the recommendation.

``kopru risk`` gives the odds that another site comes first when every input moves at once. A reader
deciding also asks the one-input question the appraisal guides call the *switching value*: how far
would wage growth, the tenge, ferry freight or the recommended site's own electricity price have to
move, alone, for another site to come first, or for first place to leave the recommended site's
country? And the tornado's: which inputs, each across its own one-year range (5th to 95th
percentile of its distribution in ``uncertainty.yaml``), move the saving most?

Everything is one input at a time, the others at the data pack's values (the plan's costs), on the
risk model's arithmetic (:func:`kopru.montecarlo.sampling.annual_cost_direct`). Correlations are
left out by design: the Monte Carlo run has them. A switching value is searched outward from the
data pack's value on a grid (factors from 1/20 to 20 times, growth rates from -95 % to +400 %,
duties ±100 points), then the bracket is cut in sixteen, seven times over, to about 5e-10 of a
value; every lever's grid is one compiled evaluation, and so is each refinement step of all
brackets at once. The probability
beside it is what the input's own distribution puts beyond it: how far outside its range it lies,
not the odds the recommendation changes (which need every input at once).

Levers: every uncertain variable of the spec; for the site-level ones (``site.wage`` ...), the
recommended site's own value, the best Turkish site's and the runner-up's (not a value that is
national by rule, and not one that costs nothing, such as an SEZ's free land).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr, ndtri

from kopru.costs import annual_totals, landed_cost
from kopru.montecarlo.model import RiskModel
from kopru.montecarlo.reconcile import neutral_values
from kopru.montecarlo.sampling import annual_cost_direct
from kopru.montecarlo.spec import NEUTRAL, SITE_INPUTS, Array, Distribution
from kopru.switching import (
    COUNTRY_NAMES,
    LABELS,
    SITE_WORDS,
    Swing,
    Switch,
    SwitchingValues,
    TwoWay,
    TwoWayAxis,
    describe,
    likelihood_order,
)

GRID = 24  # grid points each way from the data pack's value (1/20..20 in 24 log steps: 13 % each)
SECTIONS = 16  # a refinement step cuts every bracket into this many parts
REFINEMENTS = 7  # steps: a grid step / 16^7, about 5e-10 relative
# how far each kind of input is searched, each way from its neutral value
REACH = {"factor": (1 / 20, 20.0), "rate": (-0.95, 4.0), "shift": (-100.0, 100.0)}
TAIL = 0.05  # the tornado's range: the 5th and 95th percentiles of each input
TWO_WAY_PERCENTILES = (5, 10, 25, 50, 75, 90, 95)  # the two-way table's grid, each input
ADJECTIVES = {"TR": "Turkish", "KZ": "Kazakh"}
# inputs of the routes: their switching values hold today's routes (the planner may re-route)
ROUTE_FAMILIES = ("freight", "transit", "wait")
CAPEX = "capex"  # the lever of a site's capital expenditure: not drawn, so a switching value only
TINY = 1e-300  # the share beyond a switching value far out in a normal's or lognormal's tail


@dataclass(frozen=True)
class _Lever:
    variable: str
    site: int | None  # a site-level variable's site (index into the model's sites)
    dist: Distribution | None  # None: an input kopru does not draw (a site's capex)
    sigma: float | None  # a site-level variable's sigma at that site (its own or borrowed)
    label: str

    @property
    def kind(self) -> str:
        return self.dist.kind if self.dist is not None else "factor"

    @functools.cached_property
    def marginal(self) -> Any:
        """A triangular or uniform distribution as a scipy.stats frozen one (made once)."""
        return _marginal(self)


def switching_values(model: RiskModel, site: str | None = None) -> SwitchingValues | None:
    """The switching values and tornado of site ``site`` (default: the model's recommendation);
    None when the model has no such site or no other site to compare it with."""
    site = site or model.recommended
    if site not in model.site_ids or len(model.site_ids) < 2:
        return None
    r = model.site_ids.index(site)
    if model.base is not None and _first(model, model.base[None])[0] != r:
        return None  # not first at the data pack's values: there is no answer to keep
    country = model.site_country[r]
    comparator = _comparators(model, r)
    levers, no_effect = _levers(model, r)
    # the data pack's values, then each lever's grid: up, then down
    grids = [_grid(lever.kind) for lever in levers]
    values = [0.0] + [v for g in grids for v in g.ravel()]  # row 0 moves no lever
    owners = [-1] + [k for k, g in enumerate(grids) for _ in range(g.size)]
    cost = _evaluate(model, levers, np.array(owners), np.array(values))
    base = cost[0]
    grid_cost = cost[1:].reshape(len(levers), 2, GRID, -1)
    moved = ~np.isclose(grid_cost, base, rtol=1e-12, atol=1e-9).all(axis=(1, 2, 3))
    switches = _switches(model, levers, grids, grid_cost, r)
    unchanged = sorted({lv.label for k, lv in enumerate(levers) if moved[k]} - {s.label for s in switches})
    no_effect += sorted(lv.label for k, lv in enumerate(levers) if not moved[k] and lv.site is None)
    kept = [lv for k, lv in enumerate(levers) if moved[k] and lv.dist is not None]
    swings = _swings(model, kept, r, comparator)
    saving, saving_pct = (float(a[0]) for a in _lead(base[None], r, comparator))
    pair = _widest(kept, [s.width for s in swings])
    # the other question's pair: the inputs that move the lead over the best other site most
    pair_site = _widest(kept, [abs(s.lead_high - s.lead_low) for s in swings])
    result = SwitchingValues(
        site=site,
        name=model.site_names[r],
        country=country,
        comparator=_comparator_words(model, comparator, r),
        saving=saving,
        saving_pct=saving_pct,
        currency=model.currency,
        swings=sorted(swings, key=lambda s: -s.width),
        switches=sorted(switches, key=likelihood_order),
        unchanged=unchanged,
        no_effect=sorted(set(no_effect)),
        text="",
    )
    if len(pair) == 2:
        result.two_way = _two_way(model, pair, r, comparator)
    if len(pair_site) == 2 and {id(lv) for lv in pair_site} != {id(lv) for lv in pair}:
        others = np.arange(len(model.site_ids)) != r
        result.two_way_site = _two_way(model, pair_site, r, others, measure="lead")
    result.text = describe(result)
    return result


def _widest(levers: list[_Lever], widths: list[float]) -> list[_Lever]:
    """The two levers of the largest widths (none of zero width), widest first."""
    order = sorted((k for k in range(len(levers)) if widths[k] > 0), key=lambda k: -widths[k])
    return [levers[k] for k in order[:2]]


def _two_way(
    model: RiskModel, pair: list[_Lever], r: int, among: NDArray[np.bool_], measure: str = "saving"
) -> TwoWay:
    """Two inputs moved together over a grid of their percentiles (rows: the first, columns: the
    second), the others at the data pack's values: who comes first, and site r's lead over the
    cheapest of ``among`` as a share of its cost."""
    p = np.array(TWO_WAY_PERCENTILES) / 100
    a, b = (_percentiles(lv, p) for lv in pair)
    n = len(p)
    rows, cols = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    cost = _drawn_together(
        model,
        pair,
        [(np.zeros(n * n, dtype=np.intp), a[rows]), (np.ones(n * n, dtype=np.intp), b[cols])],
    )
    first = _first(model, cost).reshape(n, n)
    pct = _lead(cost, r, among)[1].reshape(n, n)
    names = np.array(model.site_names)
    return TwoWay(
        rows=_axis(model, pair[0], a),
        columns=_axis(model, pair[1], b),
        percentiles=list(TWO_WAY_PERCENTILES),
        first=[[model.site_ids[i] for i in row] for row in first],
        first_name=[list(names[row]) for row in first],
        saving_pct=pct.tolist(),
        holds=float((first == r).mean()),
        holds_country=float((np.array(model.site_country)[first] == model.site_country[r]).mean()),
        measure=measure,
    )


def _axis(model: RiskModel, lever: _Lever, values: Array) -> TwoWayAxis:
    return TwoWayAxis(
        input=lever.variable,
        site=model.site_ids[lever.site] if lever.site is not None else None,
        label=lever.label,
        values=[float(v) for v in values],
        changes=[_short_change(model, lever, float(v)) for v in values],
    )


def _short_change(model: RiskModel, lever: _Lever, value: float) -> str:
    """A value as a table's header says it: an exchange rate in its own units, labour hours as a
    factor of a Turkish plant's, else the move."""
    rate = _reference(model, lever)
    return f"{rate * value:,.4g}" if rate else _move(lever.kind, value)


def _comparators(model: RiskModel, r: int) -> NDArray[np.bool_]:
    """The sites the saving is over, as the plan's headline compares: those of the other country
    (the best Turkish site for a Kazakh pick, the best Kazakh one for a Turkish pick), else every
    other site."""
    country = np.array(model.site_country)
    others = np.arange(len(country)) != r
    abroad = others & (country != model.site_country[r])
    return abroad if abroad.any() else others


def _comparator_words(model: RiskModel, among: NDArray[np.bool_], r: int) -> str:
    countries = {model.site_country[i] for i in np.flatnonzero(among)}
    if len(countries) == 1 and countries != {model.site_country[r]}:
        return f"the best {ADJECTIVES.get(next(iter(countries)), next(iter(countries)))} site"
    return "the best other site"


def _levers(model: RiskModel, r: int) -> tuple[list[_Lever], list[str]]:
    """Every variable as a lever; the site-level ones once per named site where they cost something."""
    spec = model.uncertainty
    levers, no_effect = [], []
    for name in sorted(spec.variables):
        d = spec.variables[name]
        if name == "demand":
            levers.append(_Lever(name, None, _total_demand(model, d), None, _label(name)))
            continue
        if not name.startswith("site."):
            levers.append(_Lever(name, None, d, None, _label(name)))
            continue
        if model.site_borrowed is None:
            continue
        column = SITE_INPUTS.index(name.removeprefix("site."))
        for s in _named_sites(model, r):
            national = model.site_national is not None and model.site_national[s, column]
            if national:
                continue
            borrowed = bool(model.site_borrowed[s, column])
            sigma = None  # a distribution other than the lognormal is the same for every site
            if d.dist == "lognormal":
                sigma = d.params.get("sigma_borrowed", d.params["sigma"]) if borrowed else d.params["sigma"]
            word = SITE_WORDS[name.removeprefix("site.")]
            levers.append(_Lever(name, s, d, sigma, f"{model.site_names[s]}'s own {word}"))
    capex = np.broadcast_to(model.x.capex_usd, (len(model.site_ids),))
    levers += [
        _Lever(CAPEX, s, None, None, f"{model.site_names[s]}'s capex")
        for s in _named_sites(model, r)
        if capex[s] > 0
    ]
    if "vat" in {n.partition(".")[0] for n in spec.variables}:
        no_effect += [_label(n) for n in spec.variables if n.startswith("vat.")]
        levers = [lv for lv in levers if not lv.variable.startswith("vat.")]
    return levers, no_effect


def _total_demand(model: RiskModel, d: Distribution) -> Distribution:
    """The factor on the units sold in all markets together, when each market's is drawn on its own
    from ``d``: a lognormal with the sum's mean and variance (Fenton-Wilkinson), so its range is the
    total's, not one market's (the draws average out across markets)."""
    if d.dist == "fixed":
        return d
    if d.dist == "lognormal":
        sigma, median = d.params["sigma"], d.params["median"]
        mean, var = median * math.exp(sigma**2 / 2), median**2 * math.exp(sigma**2) * math.expm1(sigma**2)
    else:
        frozen = _marginal(_Lever(d.name, None, d, None, ""))
        mean, var = float(frozen.mean()), float(frozen.var())
    weights = model.demand / model.demand.sum()
    var_total = var * float(np.sum(weights**2))
    sigma2 = math.log1p(var_total / mean**2)
    params = {"median": mean * math.exp(-sigma2 / 2), "sigma": math.sqrt(sigma2)}
    note = f"the total of {len(weights)} markets drawn independently (Fenton-Wilkinson); {d.note}"
    return replace(d, dist="lognormal", params=params, note=note)


def _named_sites(model: RiskModel, r: int) -> list[int]:
    """The recommended site, the best Turkish site and the runner-up at the data pack's values."""
    base = model.base if model.base is not None else None
    named = [r]
    if model.baseline in model.site_ids:
        named.append(model.site_ids.index(model.baseline))
    if base is not None:
        order = [int(i) for i in np.argsort(base, kind="stable") if int(i) != r]
        if order:
            named.append(order[0])
    return list(dict.fromkeys(named))


def _label(name: str) -> str:
    family, _, suffix = name.partition(".")
    word = COUNTRY_NAMES.get(suffix, suffix)
    if name == "demand":
        return "demand, all markets together (today's plant sizes)"
    return LABELS[family].format(word)


def _grid(kind: str) -> Array:
    """(2, GRID) values up, then down, from next to the neutral value out to the reach."""
    low, high = REACH[kind]
    step = np.linspace(0.0, 1.0, GRID + 1)[1:]
    if kind == "factor":
        return np.stack([np.exp(step * np.log(high)), np.exp(step * np.log(low))])
    return np.stack([step * high, step * low])


def _evaluate(model: RiskModel, levers: list[_Lever], owner: NDArray[np.intp], value: Array) -> Array:
    """(n, S) annual cost, plan currency, with lever ``owner[i]`` at ``value[i]`` in row i (-1: none):
    the drawn inputs' rows in the compiled kernel, a capex lever's by the cost engine (the kernel
    takes capex as a constant of the model)."""
    capex = np.array([levers[k].variable == CAPEX if k >= 0 else False for k in owner], dtype=bool)
    out = np.empty((len(owner), len(model.site_ids)))
    if (~capex).any():
        out[~capex] = _drawn(model, levers, owner[~capex], value[~capex])
    if capex.any():
        out[capex] = _with_capex(model, [levers[k].site for k in owner[capex]], value[capex])
    return out


def _with_capex(model: RiskModel, sites: list[int | None], factor: Array) -> Array:
    """(n, S) annual cost with row i's site ``sites[i]`` at ``factor[i]`` times its capex."""
    n_sites = len(model.site_ids)
    capex = np.tile(np.broadcast_to(model.x.capex_usd, (n_sites,)).astype(float), (len(sites), 1))
    capex[np.arange(len(sites)), sites] *= factor
    per_unit = landed_cost(replace(model.x, capex_usd=capex))
    return annual_totals(per_unit * model.fx, model.demand).sum(axis=-1)


def _drawn(model: RiskModel, levers: list[_Lever], owner: NDArray[np.intp], value: Array) -> Array:
    return _drawn_together(model, levers, [(owner, value)])


def _drawn_together(
    model: RiskModel, levers: list[_Lever], moves: list[tuple[NDArray[np.intp], Array]]
) -> Array:
    """(n, S) annual cost with, for each (owner, value) of ``moves``, lever ``owner[i]`` at
    ``value[i]`` in row i (-1: none): one lever a row, or two for a two-way table."""
    n = len(moves[0][0])
    values = neutral_values(model, tuple(model.uncertainty.variables), n)
    demand = np.ones((n, len(model.demand)))
    for owner, value in moves:
        for k, lever in enumerate(levers):
            rows = np.flatnonzero(owner == k)
            if not len(rows):
                continue
            if lever.variable == "demand":
                demand[rows] = value[rows, None]
            elif lever.site is not None:
                values[lever.variable][rows, lever.site] = value[rows]
            else:
                values[lever.variable][rows] = value[rows]
    return annual_cost_direct(model, values, demand)


def _lead(cost: Array, r: int, among: NDArray[np.bool_]) -> tuple[Array, Array]:
    """(n,) the cheapest of ``among`` less site r's cost (positive while r is cheaper), and that as a
    share of the cheapest's cost."""
    cheapest = np.min(np.where(among, cost, np.inf), axis=-1)
    lead = cheapest - cost[..., r]
    return lead, lead / cheapest


def _first(model: RiskModel, cost: Array) -> NDArray[np.intp]:
    """(n,) the site that comes first in each row, ties to the smaller id, as the plan ranks them."""
    ids = np.array(model.site_ids)
    order = np.argsort(ids, kind="stable")
    return order[np.argmin(cost[:, order], axis=1)]


def _holds(
    model: RiskModel, cost: Array, r: int, site_question: NDArray[np.bool_] | bool
) -> NDArray[np.bool_]:
    """Per row: whether site r still comes first (where ``site_question``), or else a site of its
    country."""
    first = _first(model, cost)
    same_country = np.array(model.site_country)[first] == model.site_country[r]
    return np.where(site_question, first == r, same_country)


def _switches(model: RiskModel, levers: list[_Lever], grids: list[Array], grid_cost: Array, r: int):
    """The switching values of every lever, direction and question: the first grid value that
    changes the answer, narrowed against the last that does not."""
    found: list[tuple[int, int, str, float, float]] = []  # lever, direction, question, inside, outside
    for question in ("site", "country"):
        for k, lever in enumerate(levers):
            for d in (0, 1):
                holds = _holds(model, grid_cost[k, d], r, question == "site")
                if holds.all():
                    continue
                j = int(np.argmin(holds))
                inside = grids[k][d, j - 1] if j else NEUTRAL[lever.kind]
                found.append((k, d, question, float(inside), float(grids[k][d, j])))
    if not found:
        return []
    owner = np.array([f[0] for f in found])
    log = np.array([levers[f[0]].kind == "factor" for f in found])
    inside = np.array([f[3] for f in found])
    outside = np.array([f[4] for f in found])
    site_question = np.array([f[2] == "site" for f in found])
    # each step evaluates SECTIONS - 1 points inside every bracket at once and keeps the part where
    # the answer changes: the bracket shrinks SECTIONS times per compiled evaluation
    t = np.linspace(0.0, 1.0, SECTIONS + 1)[1:-1]
    rows = np.arange(len(found))
    for _ in range(REFINEMENTS):
        # factors are cut evenly on a log scale; the logs of the others are never taken
        near, far = np.log(np.where(log, inside, 1.0)), np.log(np.where(log, outside, 1.0))
        between = np.where(
            log[:, None],
            np.exp(near[:, None] * (1 - t) + far[:, None] * t),
            inside[:, None] * (1 - t) + outside[:, None] * t,
        )
        cost = _evaluate(model, levers, np.repeat(owner, len(t)), between.ravel())
        holds = _holds(model, cost, r, np.repeat(site_question, len(t))).reshape(len(found), len(t))
        changed = ~holds
        j = np.where(changed.any(axis=1), np.argmax(changed, axis=1), len(t))  # first point that changes
        outside = np.where(j < len(t), between[rows, np.minimum(j, len(t) - 1)], outside)
        inside = np.where(j > 0, between[rows, np.maximum(j - 1, 0)], inside)
    first = _first(model, _evaluate(model, levers, owner, outside))
    out = []
    for i, (k, d, question, _, _) in enumerate(found):
        lever = levers[k]
        value = float(outside[i])
        out.append(
            Switch(
                input=lever.variable,
                site=model.site_ids[lever.site] if lever.site is not None else None,
                label=lever.label,
                kind=lever.kind,
                question=question,
                direction="up" if d == 0 else "down",
                value=value,
                change=_change(model, lever, value),
                first=model.site_ids[first[i]],
                first_name=model.site_names[first[i]],
                p_beyond=_beyond(lever, value, up=d == 0),
                on_todays_routes=lever.variable.partition(".")[0] in ROUTE_FAMILIES,
                at_todays_sizes=lever.variable == "demand",
                reference=_reference(model, lever),
                expected=lever.dist.mean if lever.kind == "rate" and lever.dist is not None else None,
            )
        )
    return out


def _swings(model: RiskModel, levers: list[_Lever], r: int, among: NDArray[np.bool_]) -> list[Swing]:
    """Each lever at its 5th and 95th percentiles (rows 2k and 2k + 1)."""
    if not levers:
        return []
    ends = np.array([_quantiles(lv) for lv in levers]).ravel()
    owner = np.repeat(np.arange(len(levers)), 2)
    cost = _evaluate(model, levers, owner, ends)
    lead, pct = (a.reshape(-1, 2) for a in _lead(cost, r, among))
    others = np.arange(len(model.site_ids)) != r
    first_lead = _lead(cost, r, others)[0].reshape(-1, 2)
    return [
        Swing(
            input=lv.variable,
            site=model.site_ids[lv.site] if lv.site is not None else None,
            label=lv.label,
            kind=lv.kind,
            low=float(ends[2 * k]),
            high=float(ends[2 * k + 1]),
            saving_low=float(lead[k, 0]),
            saving_high=float(lead[k, 1]),
            saving_pct_low=float(pct[k, 0]),
            saving_pct_high=float(pct[k, 1]),
            lead_low=float(first_lead[k, 0]),
            lead_high=float(first_lead[k, 1]),
        )
        for k, lv in enumerate(levers)
    ]


def _marginal(lever: _Lever) -> Any:
    """A triangular or uniform lever's distribution as a scipy.stats frozen one, for its tail share
    (a lognormal's or a normal's is one normal CDF: see :func:`_beyond`)."""
    from scipy import stats  # a second to import: only for the distributions that need it

    d = lever.dist
    assert d is not None
    p = d.params
    if d.dist == "uniform":
        return stats.uniform(loc=p["low"], scale=p["high"] - p["low"])
    width = p["high"] - p["low"]
    return stats.triang(c=(p["mode"] - p["low"]) / width if width > 0 else 0.5, loc=p["low"], scale=width)


def _quantiles(lever: _Lever) -> tuple[float, float]:
    """The lever's 5th and 95th percentiles."""
    low, high = _percentiles(lever, np.array([TAIL, 1 - TAIL]))
    return float(low), float(high)


def _percentiles(lever: _Lever, p: Array) -> Array:
    """The lever's values at probabilities ``p``: the draws' own map of the copula's normals there
    (a site's lognormal with that site's sigma)."""
    assert lever.dist is not None
    if lever.dist.dist == "fixed" or _spread(lever) == 0:
        return np.full(len(p), lever.dist.median)
    z = ndtri(np.asarray(p, dtype=float))
    if lever.sigma is not None:
        return lever.dist.params["median"] * np.exp(lever.sigma * z)
    return np.asarray(lever.dist.transform(z), dtype=float)


def _beyond(lever: _Lever, value: float, up: bool) -> float | None:
    """The share of the lever's distribution beyond ``value`` (above it going up, below going down)."""
    d = lever.dist
    if d is None:
        return None  # not drawn: how far is for the reader to judge
    p = d.params
    if d.dist == "fixed" or _spread(lever) == 0:  # all its mass at one value
        return float(d.median >= value if up else d.median <= value)
    if d.dist in ("lognormal", "normal"):
        sigma = lever.sigma if lever.sigma is not None else p.get("sigma")
        z = math.log(value / p["median"]) / sigma if d.dist == "lognormal" else (value - p["mean"]) / p["sd"]
        # an unbounded tail is never empty, though far out it is below a float's range
        return max(float(ndtr(-z) if up else ndtr(z)), TINY)
    return float(lever.marginal.sf(value) if up else lever.marginal.cdf(value))


def _spread(lever: _Lever) -> float:
    """The width of a lever's distribution (0: every draw the same)."""
    d = lever.dist
    assert d is not None
    p = d.params
    if d.dist == "lognormal":
        return lever.sigma if lever.sigma is not None else p["sigma"]
    if d.dist == "normal":
        return p["sd"]
    if d.dist in ("uniform", "triangular"):
        return p["high"] - p["low"]
    return 0.0


def _change(model: RiskModel, lever: _Lever, value: float) -> str:
    """A lever's switching value as a reader says it: an exchange rate in its own units, a growth
    rate beside its expected one, else the move from the data pack's value."""
    rate = _reference(model, lever)
    if rate and lever.variable.startswith("labour_hours."):
        return f"at {rate * value:,.4g} instead of {rate:,.4g} times a Turkish plant's hours"
    if rate:
        return f"at {rate * value:,.4g} instead of {rate:,.4g}"
    if lever.kind == "rate" and lever.dist is not None:
        return f"{value * 100:+.3g} % over the year ({lever.dist.mean * 100:+.3g} % expected)"
    return _move(lever.kind, value)


def _reference(model: RiskModel, lever: _Lever) -> float | None:
    """An exchange rate's value in the data pack, or a country's labour hours a unit relative to a
    Turkish plant's: its switching value is said as a level."""
    family, _, key = lever.variable.partition(".")
    if family == "fx":
        return dict(model.fx_per_usd).get(key) or None
    if family == "labour_hours":
        return dict(model.labour_hours_factor).get(key) or None
    return None


def _move(kind: str, value: float) -> str:
    """A lever's value as a move from the data pack's: '+38 %', '-62 %', '+12 points'."""
    if kind == "factor":
        return f"{(value - 1) * 100:+.3g} %" if value < 10 else f"×{value:.3g}"
    if kind == "rate":
        return f"{value * 100:+.3g} %"
    return f"{value:+.3g} points"
