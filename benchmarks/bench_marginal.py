"""Marginal values of a network plan: kopru against scipy's linprog and PuLP + CBC.

For an OR-Library instance, kopru's optimizer gives the plan (not timed); with its open sites held
fixed, each tool then solves the transportation LP in units and reads its duals: what one more
unit sold in each market adds, and what one more unit of capacity at each open site saves.

- kopru: ``kopru.facility.marginal.marginal_values`` — HiGHS, its duals, its ranging (how far each
  value holds) and, where the plan sits on a corner, a re-solve one unit away for the other side;
- scipy: ``linprog(method="highs")`` with a sparse matrix, ``eqlin.marginals`` and
  ``ineqlin.marginals`` (one dual per row, no ranges);
- PuLP: ``lpSum`` rows, the bundled CBC, ``constraint.pi`` (one dual per row, no ranges).

The peers' values are checked against kopru's where the plan is not at a corner (both one-sided
values equal, so the dual is unique). Each tool runs REPEAT times in this process; the best time is
reported. Imports happen before the clock; building each tool's model is timed with its solve.

    python benchmarks/bench_marginal.py            # cap71, cap131, capb at capacity 5000
    python benchmarks/bench_marginal.py --quick    # cap71 only
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pulp
from machine import describe
from scipy import sparse
from scipy.optimize import linprog

from kopru.facility import read_cap, solve
from kopru.facility.marginal import marginal_values

ROOT = Path(__file__).resolve().parents[1]
ORLIB = ROOT / "tests" / "data" / "orlib-cap"
INSTANCES = {"cap71": None, "cap131": None, "capb@5000": 5000.0}
REPEAT = 3


def plan(name: str):
    file, capacity = (name.split("@")[0], INSTANCES[name]) if "@" in name else (name, None)
    p = read_cap(ORLIB / f"{file}.txt", capacity=capacity)
    sol = solve(p, time_limit=300)
    return p, sol


def with_scipy(cost: np.ndarray, cap: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ki, kj = np.nonzero(np.isfinite(cost))
    n = len(ki)
    a_eq = sparse.csr_matrix((np.ones(n), (kj, np.arange(n))), shape=(len(d), n))
    a_ub = sparse.csr_matrix((np.ones(n), (ki, np.arange(n))), shape=(len(cap), n))
    r = linprog(cost[ki, kj], A_ub=a_ub, b_ub=cap, A_eq=a_eq, b_eq=d, bounds=(0, None), method="highs")
    return r.eqlin.marginals, -r.ineqlin.marginals


def with_pulp(cost: np.ndarray, cap: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    prob = pulp.LpProblem("transport", pulp.LpMinimize)
    ki, kj = np.nonzero(np.isfinite(cost))
    y = [prob.add_variable(f"y_{k}_{j}", 0, None) for k, j in zip(ki, kj, strict=True)]
    prob += pulp.lpSum(float(cost[k, j]) * v for k, j, v in zip(ki, kj, y, strict=True))
    by_market = [[] for _ in d]
    by_site = [[] for _ in cap]
    for k, j, v in zip(ki, kj, y, strict=True):
        by_market[j].append(v)
        by_site[k].append(v)
    for j, vs in enumerate(by_market):
        prob += pulp.lpSum(vs) == float(d[j]), f"m{j}"
    for k, vs in enumerate(by_site):
        prob += pulp.lpSum(vs) <= float(cap[k]), f"c{k}"
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    market = np.array([prob.get_constraint_by_name(f"m{j}").pi for j in range(len(d))])
    site = -np.array([prob.get_constraint_by_name(f"c{k}").pi for k in range(len(cap))])
    return market, site


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def best_of(fn, *args):
    times, out = [], None
    for _ in range(REPEAT):
        t = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)  # PuLP's notices of its 4.0 renames
    print(describe({"NumPy": "numpy", "SciPy": "scipy", "highspy": "highspy", "PuLP": "pulp"}))
    print()
    print(
        "| instance | markets × open sites | kopru (duals, ranges, corners) | scipy linprog | PuLP + CBC |"
        " scipy / kopru | PuLP / kopru | agree |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for name in ["cap71"] if args.quick else list(INSTANCES):
        p, sol = plan(name)
        per_unit = p.assign_cost / p.demand[None, :]
        cost, cap, d = per_unit[sol.open], p.capacity[sol.open], p.demand
        t_k, m = best_of(marginal_values, per_unit, p.capacity, p.demand, sol.open)
        t_s, (s_market, s_site) = best_of(with_scipy, cost, cap, d)
        t_p, (p_market, p_site) = best_of(with_pulp, cost, cap, d)
        unique = np.isclose(m.cost_up.value, m.cost_down.value)
        unique_k = np.isclose(m.capacity_up.value, m.capacity_down.value)
        agree = all(
            np.allclose(a[mask], b[mask], rtol=1e-6, atol=1e-6)
            for a, b, mask in (
                (s_market, m.cost_up.value, unique),
                (p_market, m.cost_up.value, unique),
                (s_site, m.capacity_up.value, unique_k),
                (p_site, m.capacity_up.value, unique_k),
            )
        )
        print(
            f"| {name} | {len(d)} × {len(sol.open)} | {ms(t_k)} | {ms(t_s)} | {ms(t_p)} |"
            f" {t_s / t_k:.2f} | {t_p / t_k:.1f} | {'yes' if agree else 'NO'} ({unique.sum()} of {len(d)}"
            " markets off a corner) |"
        )


if __name__ == "__main__":
    main()
