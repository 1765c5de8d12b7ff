"""A 1,000-scenario numeric grid: kopru's sweep against a whole plan per scenario, in the same run.

The grid (``benchmarks/data/apparel_numeric_grid1000.yaml``) crosses 10 tenge rates, 10 EAEU
duties on T-shirts and 10 electricity tariffs of Turkistan region for the apparel example: numbers
only, no closure. ``kopru.sweep`` shares every look-up a scenario's changes cannot reach
(``kopru.inputs.SharedSteps``) and evaluates each scenario's costs without the report's extras;
the peer is what a user would write with kopru's public API: ``make_plan`` for every scenario.
Every scenario's outcome is checked identical (best site, totals of every site, baseline, saving)
before the times count. One plan of the same profile (median of 5, warm) is the unit; then whole
processes as a user runs them, ``kopru sweep`` of the grid against one ``kopru plan`` (median of 3).

python benchmarks/bench_numeric_sweep.py
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import kopru
from kopru import scenarios
from kopru.planner import make_plan
from kopru.profile import load_profile

GRID = Path(__file__).parent / "data" / "apparel_numeric_grid1000.yaml"


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    print(f"{os.cpu_count()} cores, Python {platform.python_version()}, kopru {kopru.__version__}\n")
    profile_path, grid, _ = scenarios.read_sweep(GRID)
    profile = load_profile(profile_path)
    kopru.plan(profile)  # warm: data pack, imports
    plan_s = statistics.median(timed(lambda: kopru.plan(profile))[0] for _ in range(5))
    sweep_s, fast = timed(lambda: scenarios.sweep(GRID))

    def whole() -> list[dict]:
        with np.errstate(invalid="ignore"):
            return [
                scenarios.plan_outcome(
                    make_plan(profile, s.overrides or None, s.disruptions, avoid=s.avoid), s.name
                )
                for s in grid
            ]

    whole_s, slow = timed(whole)
    same = json.dumps(fast.scenarios, sort_keys=True) == json.dumps(slow, sort_keys=True)
    assert same, "the sweep and the whole plans disagree"
    n = len(grid)
    print(f"{n} scenarios, outcomes identical: {same}\n")
    print("| engine | wall | per scenario | × one plan |")
    print("|---|---|---|---|")
    print(f"| one plan (median of 5) | {plan_s:.3f} s | — | 1× |")
    print(f"| kopru.sweep | {sweep_s:.1f} s | {sweep_s / n * 1e3:.1f} ms | {sweep_s / plan_s:.0f}× |")
    print(
        f"| make_plan per scenario | {whole_s:.1f} s | {whole_s / n * 1e3:.1f} ms | {whole_s / plan_s:.0f}× |"
    )
    print(f"\nsweep / whole plans: {sweep_s / whole_s:.2f}")

    cli = str(Path(sys.executable).with_name("kopru"))

    def process(*args: str) -> float:
        return timed(
            lambda: subprocess.run([cli, *args, "--json", "--no-store"], check=True, capture_output=True)
        )[0]

    plan_p = statistics.median(process("plan", str(profile_path)) for _ in range(3))
    sweep_p = statistics.median(process("sweep", str(GRID)) for _ in range(3))
    print("\n| whole process | wall (median of 3) | × one plan |")
    print("|---|---|---|")
    print(f"| kopru plan {profile_path.name} | {plan_p:.2f} s | 1.0× |")
    print(f"| kopru sweep {GRID.name} ({n} scenarios) | {sweep_p:.2f} s | {sweep_p / plan_p:.1f}× |")


if __name__ == "__main__":
    main()
