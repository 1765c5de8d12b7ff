"""Capacitated facility location: which sites to open, at which capacity, and who serves whom.

One module per part of the model family, in the order a solve runs through them:

- :mod:`~kopru.facility.problem`: the problem as arrays (:class:`FacilityProblem`) and the answer
  (:class:`Solution`, a :class:`~kopru.highs.SolveResult` with the plan);
- :mod:`~kopru.facility.checks`: why a problem cannot have a plan, in words, before solving;
- :mod:`~kopru.facility.lagrangian`: bounds, start plans and reduced-cost fixing;
- :mod:`~kopru.facility.model`: the MILP built from arrays for HiGHS;
- :mod:`~kopru.facility.solver`: the solve itself (formulation by size, cutting planes, restarts);
- :mod:`~kopru.facility.orlib`: OR-Library instance files;
- :mod:`~kopru.facility.marginal`: what the next unit sold, or of capacity, is worth to a plan.

:mod:`kopru.siting` turns a company's plan into such a problem and the solution back into sites.
"""

from kopru.facility.checks import explain_infeasibility
from kopru.facility.orlib import read_cap
from kopru.facility.problem import FacilityProblem, Solution, plan_cost
from kopru.facility.solver import choose_formulation, solve
from kopru.highs import Status

__all__ = [
    "FacilityProblem",
    "Solution",
    "Status",
    "choose_formulation",
    "explain_infeasibility",
    "plan_cost",
    "read_cap",
    "solve",
]
