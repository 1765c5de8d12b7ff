"""A ranking's robustness checks, scored as arrays, against the same scores one call at a time.

`kopru rank` re-ranks the sites at 201 weights of each criterion (the weight-stability ranges) and
at 1,000 resamples of the cost tail (the sampling stability). This times, on the apparel example's
criteria table (38 sites × 6 criteria):

- kopru: every weight of the grid (201 rows) or every resampled matrix (1,000) in one call;
- kopru, one call per weight or matrix (what `kopru.mcda` did before 2026-12-08);
- pymcdm, the MCDA library a user would reach for, one call per weight or matrix (it takes one
  weight vector a call), validation off;

then `kopru.rank` whole on the four examples.

python benchmarks/bench_rank.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
from machine import describe, package

import kopru
from kopru import mcda
from kopru.api import data_pack

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
METHODS = ("topsis", "vikor", "promethee2")


def _median_ms(run, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def _pymcdm(method: str):
    from pymcdm.methods import PROMETHEE_II, TOPSIS, VIKOR
    from pymcdm.normalizations import vector_normalization

    if method == "topsis":
        return TOPSIS(normalization_function=vector_normalization)
    return VIKOR() if method == "vikor" else PROMETHEE_II("usual")


def main() -> None:
    print(describe({"numpy": "numpy", "pymcdm": "pymcdm"}))
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    risk = kopru.risk(EXAMPLES / "apparel.yaml", per_unit=True)
    table = mcda.criteria_table(plan, risk, data_pack())
    ranker = mcda._Ranker.of(table, "topsis")
    x, benefit = ranker.x, ranker.benefit
    rng = np.random.default_rng(1)
    grid = rng.dirichlet(np.ones(x.shape[1]), 201)  # (201, C) weight vectors
    resampled = x[None] + rng.normal(0, 0.01, (1000, *x.shape)) * np.abs(x).mean(axis=0)
    w = grid[0]
    types = np.where(benefit, 1, -1)
    print(f"\ncriteria table: {x.shape[0]} sites × {x.shape[1]} criteria\n")
    print(
        "| method | scores of | kopru, one call | kopru, a call each | pymcdm, a call each | pymcdm / kopru |"
    )
    print("|---|---|---|---|---|---|")
    for method in METHODS:
        theirs = _pymcdm(method)
        cases = {
            "201 weights": (
                lambda m=method: mcda.scores_of(x, grid, benefit, m),
                lambda m=method: [mcda.scores_of(x, row, benefit, m) for row in grid],
                lambda t=theirs: [t(x, row, types, validation=False) for row in grid],
            ),
            "1,000 matrices": (
                lambda m=method: mcda.scores_of(resampled, w, benefit, m),
                lambda m=method: [mcda.scores_of(r, w, benefit, m) for r in resampled],
                lambda t=theirs: [t(r, w, types, validation=False) for r in resampled],
            ),
        }
        for what, (ours, each, peer) in cases.items():
            a, b, c = _median_ms(ours), _median_ms(each), _median_ms(peer, 3)
            print(f"| {method} | {what} | {a:.1f} ms | {b:.1f} ms | {c:.1f} ms | {c / a:.0f}× |")
    print("\n| example | kopru.rank, topsis (median of 3) |")
    print("|---|---|")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        kopru.rank(path)
        print(f"| {path.stem} | {_median_ms(lambda p=path: kopru.rank(p), 3):.0f} ms |")
    print(f"\nkopru {package('kopru')}")


if __name__ == "__main__":
    main()
