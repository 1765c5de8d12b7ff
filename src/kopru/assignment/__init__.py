"""The generalized assignment problem (GAP): which agent takes each job, within capacities.

Agents i = 1..m (zones) and jobs j = 1..n (enterprises); assigning j to i costs (or earns)
``c_ij`` and uses ``a_rij`` of each resource r, of which agent i has ``b_ri``::

    min (or max)  sum_ij c_ij x_ij
    s.t.          sum_i x_ij = 1        every job to exactly one agent (OR-Library)
                  sum_i x_ij <= 1       ... or at most one, with ``optional=True`` (matchmaking)
                  sum_j a_rij x_ij <= b_ri                  capacity of every resource r
                  L_k <= sum_{i in S_k, j} w_kij x_ij <= U_k   side constraints ("at least 20
                                        jobs in region X", "exemptions cost at most U")
                  x_ij in {0, 1}, and x_ij = 0 where the pair is forbidden

Even with one resource the problem is NP-hard (each agent is a knapsack), and the LP relaxation
is weak where capacities are tight. Relaxing the assignment rows instead leaves one knapsack per
agent; solved exactly they give a bound above the LP's, and the bound with one pair forced in or
out tells which pairs no better plan can change (see :mod:`~kopru.assignment.lagrangian`).

One module per part, in the order a solve runs through them:

- :mod:`~kopru.assignment.problem`: the arrays (:class:`GapProblem`, :class:`SideConstraint`)
  and the answer (:class:`GapSolution`, a :class:`~kopru.highs.SolveResult` with the assignment);
- :mod:`~kopru.assignment.checks`: why a problem cannot have a plan, in words, before solving;
- :mod:`~kopru.assignment.lagrangian`: bounds, plans and exact fixing by reduced cost;
- :mod:`~kopru.assignment.model`: the MILP built from arrays for HiGHS, row family by family;
- :mod:`~kopru.assignment.solver`: the solve (:func:`solve_gap`) and its choice of engine;
- :mod:`~kopru.assignment.orlib`: OR-Library GAP files (:func:`read_gap`);
- :mod:`~kopru.assignment.instances`: seeded Chu & Beasley type C and D instances and a
  matchmaking-sized one.

    from kopru.assignment import read_gap, solve_gap
    for p in read_gap("gap12.txt"):            # maximisation, from the file name
        s = solve_gap(p, time_limit=60)
        print(s.status, s.objective, s.bound, s.assignment)   # agent of each job, -1 if none
"""

from kopru.assignment.checks import explain_infeasibility
from kopru.assignment.instances import chu_beasley, matchmaking
from kopru.assignment.orlib import read_gap
from kopru.assignment.problem import GapProblem, GapSolution, SideConstraint, assignment_value
from kopru.assignment.solver import choose_engine, solve_gap
from kopru.highs import Status

__all__ = [
    "GapProblem",
    "GapSolution",
    "SideConstraint",
    "Status",
    "assignment_value",
    "choose_engine",
    "chu_beasley",
    "explain_infeasibility",
    "matchmaking",
    "read_gap",
    "solve_gap",
]
