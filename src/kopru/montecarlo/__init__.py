"""Monte Carlo risk: how sure is the ranking when FX, energy, wages, freight, duties and demand move?

The uncertain inputs (:mod:`~kopru.montecarlo.spec`) are drawn with a Gaussian copula for their
correlations, applied to the plan's base inputs split by transport mode
(:mod:`~kopru.montecarlo.model`) and evaluated block by block straight from the draws in one
compiled pass (:mod:`~kopru.montecarlo.kernels`): route freight and transit linear in the mode
factors, the non-linear terms (route choice, duty minimums, the profit tax's floor) exactly where
they act (:mod:`~kopru.montecarlo.sampling`; equal to :func:`kopru.costs.landed_cost` on the same
draws, to rounding);
:mod:`~kopru.montecarlo.statistics` turns the annual costs into mean, p5/p50/p95, CVaR95, P(best)
and expected regret per site, with their Monte Carlo standard errors, the same of the cost per unit
sold (the annual cost is of the units each draw sells; capacity is not enforced) and P(best) should
no unconfirmed SEZ incentive hold. The same seed gives bit-identical answers in one chunk, many
chunks or on Dask workers. :mod:`~kopru.montecarlo.reconcile` splits the mean's difference from
the plan's cost into the inputs' one-year-ahead means and their spreads;
:mod:`~kopru.montecarlo.explain` says all this in the sentences the command, its JSON and the
report share.

``kopru.risk(profile, samples, seed, ...)`` (in :mod:`kopru.api`) wires them together; the
package is named for its method, so that it does not shadow that verb.
"""

from kopru.montecarlo.model import COUNTRY_CURRENCY, RiskModel, build_model
from kopru.montecarlo.reconcile import InputShifts, Reconciliation, input_shifts
from kopru.montecarlo.sampling import (
    BLOCK,
    Chunk,
    annual_cost,
    annual_cost_direct,
    compute_chunk,
    draw,
    sampled_inputs,
)
from kopru.montecarlo.spec import (
    DAY_PARTS,
    MODES,
    SITE_INPUTS,
    WAITS,
    Distribution,
    Uncertainty,
    load_uncertainty,
)
from kopru.montecarlo.statistics import (
    DRAWS_KEPT,
    MEMORY_BUDGET,
    RiskResult,
    SiteRisk,
    UnitCost,
    UnitsSold,
    run,
    summarize,
    tail_mean,
)

__all__ = [
    "BLOCK",
    "COUNTRY_CURRENCY",
    "DAY_PARTS",
    "DRAWS_KEPT",
    "MEMORY_BUDGET",
    "MODES",
    "SITE_INPUTS",
    "WAITS",
    "Chunk",
    "Distribution",
    "InputShifts",
    "Reconciliation",
    "RiskModel",
    "RiskResult",
    "SiteRisk",
    "Uncertainty",
    "UnitCost",
    "UnitsSold",
    "annual_cost",
    "annual_cost_direct",
    "build_model",
    "compute_chunk",
    "draw",
    "input_shifts",
    "load_uncertainty",
    "run",
    "sampled_inputs",
    "summarize",
    "tail_mean",
]
