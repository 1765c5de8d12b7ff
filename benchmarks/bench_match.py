"""Matchmaking at scale: 2,000 enterprises × 60 zones × 3 resources, kopru against the usual tools.

The instance is built from the example pipeline (examples/match/pipeline.csv): 2,000 rows drawn
from it with replacement (seed 0), each with a planned investment drawn lognormal around USD 30 m
and a water need around 300 m3 a day; the 27 zones of the data pack repeated to 60, and either

* ``published``: the zones' published capacities (SEZ total areas, two power plants; most do not
  bind), or
* ``binding``: synthetic capacities drawn uniform (land 100-400 ha, power 40-150 MW, water
  3,000-12,000 m3 a day, seed 0), so that capacity decides who gets in.

Jobs and needs are rounded to whole units so that every tool (CP-SAT needs integers) solves the
same problem. Timed in the child process after imports: costing the eight sector templates,
pricing every enterprise × zone pair (the arrays behind eligibility, savings and values), and the
portfolio solve (objective: jobs; no tie-break or shadow solves), to a relative gap of 0.1 % or
60 s. Peers get the same assignment problem (kopru.matchmaking.portfolio.build_problem), built as
a user of each library writes it (benchmarks/bench_gap.py): PuLP + CBC, OR-Tools CP-SAT (2
workers) and the plain model in HiGHS. Each (scenario, tool) runs in a fresh process; peak memory
is ``ru_maxrss`` of that process (or its largest child, such as CBC).

    python benchmarks/bench_match.py            # both scenarios, every tool: about 8 minutes
    python benchmarks/bench_match.py --tools kopru --scenarios binding
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("kopru", "highs", "pulp", "cpsat")
LABEL = {
    "kopru": "kopru `match`",
    "highs": "HiGHS (plain model)",
    "pulp": "PuLP + CBC",
    "cpsat": "CP-SAT (2 workers)",
}
SCENARIOS = ("published", "binding")
N_ENTERPRISES, N_ZONES, LIMIT, GAP = 2000, 60, 60.0, 1e-3


def _bench_gap():
    """The peers' model builders of benchmarks/bench_gap.py (the same code, not a copy)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_gap

    return bench_gap


def instance(scenario: str):
    """Pipeline, zones, templates and the pair table (rounded to whole units), and timings."""
    import pandas as pd

    import kopru
    from kopru.matchmaking import TEMPLATES, Zones, cost_template, load_zones, pair_table, read_pipeline
    from kopru.matchmaking.pipeline import Pipeline
    from kopru.matchmaking.templates import EXAMPLES

    pack = kopru.load_data()
    rng = np.random.default_rng(0)
    base = read_pipeline(EXAMPLES / "match" / "pipeline.csv", pack, set(TEMPLATES)).table
    rows = base.sample(N_ENTERPRISES, replace=True, random_state=0).reset_index(drop=True)
    rows["id"] = [f"e{k:04d}" for k in range(len(rows))]
    rows["investment_usd"] = rng.lognormal(np.log(30e6), 0.8, len(rows))
    rows["volume"] = np.nan
    for col in ("jobs", "land_ha", "power_mw"):
        rows[col] = np.nan  # estimated from the templates
    rows["water_m3_day"] = rng.lognormal(np.log(300), 0.6, len(rows))
    pipe = Pipeline(rows)
    z = load_zones(pack)
    reps = int(np.ceil(N_ZONES / len(z)))
    table = pd.concat([z.table.assign(id=z.table["id"] + (f"#{k}" if k else "")) for k in range(reps)])
    table = table.iloc[:N_ZONES].reset_index(drop=True)
    if scenario == "binding":
        capacity = {
            "land_ha": np.round(rng.uniform(100, 400, N_ZONES)),
            "power_mw": np.round(rng.uniform(40, 150, N_ZONES)),
            "water_m3_day": np.round(rng.uniform(3000, 12000, N_ZONES)),
        }
    else:
        capacity = {r: np.tile(v, reps)[:N_ZONES] for r, v in z.capacity.items()}
        capacity["water_m3_day"] = np.full(N_ZONES, np.nan)
    zones = Zones(table, capacity, {r: [scenario] * N_ZONES for r in capacity})
    t0 = time.perf_counter()
    templates = {n: cost_template(n, pack) for n in sorted(set(rows["template"]))}
    t1 = time.perf_counter()
    pairs = pair_table(pipe, zones, templates, pack)
    t2 = time.perf_counter()
    pairs.jobs = np.round(pairs.jobs)
    for r in pairs.needs:
        pairs.needs[r] = np.ceil(pairs.needs[r])
    return pipe, zones, pairs, {"templates_s": t1 - t0, "pairs_s": t2 - t1}


def child(tool: str, scenario: str) -> dict:
    import highspy  # noqa: F401 - imports before the clock

    from kopru.matchmaking import Targets, solve_portfolio
    from kopru.matchmaking.portfolio import build_problem, objective_values

    pipe, zones, pairs, timings = instance(scenario)
    out = {"tool": tool, "scenario": scenario, **timings, "possible_pairs": int(pairs.possible.sum())}
    if tool == "kopru":
        t0 = time.perf_counter()
        r = solve_portfolio(pipe, zones, pairs, "jobs", None, LIMIT, shadow=False, refine=False, gap=GAP)
        s = r.solution
        out.update(
            total=time.perf_counter() - t0,
            status=s.status.value,
            objective=s.objective,
            bound=s.bound,
            engine=s.engine,
            placed=int((r.assignment >= 0).sum()),
        )
        return out
    problem = build_problem(pairs, zones, objective_values("jobs", pairs), Targets())
    peer = {"highs": "_highs", "pulp": "_pulp", "cpsat": "_cpsat"}[tool]
    out.update(getattr(_bench_gap(), peer)(problem, LIMIT, GAP))
    return out


def run(tool: str, scenario: str) -> dict:
    cmd = [sys.executable, __file__, "--child", tool, "--scenario", scenario]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    text = proc.stdout.read()
    ok = status == 0 and text.strip()
    result = json.loads(text.strip().splitlines()[-1]) if ok else {"status": "crashed"}
    result.update(tool=tool, scenario=scenario, peak_mb=usage.ru_maxrss / 1024)
    return result


def gap_of(r: dict) -> float | None:
    o, b = r.get("objective"), r.get("bound")
    if o is None or b is None:
        return None
    return abs(b - o) / max(abs(o), 1e-9)


def _cell(value, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def table(rows: list[dict]) -> str:
    head = (
        "| scenario | tool | pairs priced, s | solve, s | status | jobs placed (objective) | bound | gap"
        " | peak MB |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [
            r["scenario"],
            LABEL[r["tool"]],
            _cell(r.get("pairs_s"), ".3f"),
            _cell(r.get("total"), ".1f"),
            str(r.get("status")),
            _cell(r.get("objective"), ",.0f"),
            _cell(r.get("bound"), ",.0f"),
            _cell(gap_of(r), ".3%"),
            _cell(r.get("peak_mb"), ",.0f"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child")
    ap.add_argument("--scenario", default="binding")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.scenario)))
        return
    rows = []
    for scenario in args.scenarios.split(","):
        for tool in args.tools.split(","):
            r = run(tool, scenario)
            rows.append(r)
            print(json.dumps(r), file=sys.stderr)
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Machine: {machine}; limit {LIMIT:g} s, gap {GAP:g}\n")
    print(table(rows))


if __name__ == "__main__":
    main()
