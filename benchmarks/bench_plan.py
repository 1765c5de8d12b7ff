"""Wall time of a whole plan (validation, routing, trade rules, cost engine, assembly) per example,
then of writing its folder as `kopru plan --out` does (report.html, plan.xlsx, the one-page summary
in HTML and PDF, plan.json).

python benchmarks/bench_plan.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import kopru
from kopru.datapack import load

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def main() -> None:
    t0 = time.perf_counter()
    load()  # the first call reads and validates the data pack; later calls reuse it
    print(f"data pack load and validation: {(time.perf_counter() - t0) * 1e3:.0f} ms\n")
    print("| example | sites × markets | kopru.plan (median of 5) |")
    print("|---|---|---|")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            plan = kopru.plan(path)
            times.append(time.perf_counter() - t0)
        print(
            f"| {path.stem} | {len(plan.sites)} × {len(plan.markets)} |"
            f" {statistics.median(times) * 1e3:.0f} ms |"
        )
    print("\n| example | kopru.write_report, a folder (median of 5) |")
    print("|---|---|")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        plan = kopru.plan(path)
        times = []
        with tempfile.TemporaryDirectory() as out:
            for _ in range(5):
                t0 = time.perf_counter()
                kopru.write_report(plan, out, keep_views=False)
                times.append(time.perf_counter() - t0)
        print(f"| {path.stem} | {statistics.median(times) * 1e3:.0f} ms |")


if __name__ == "__main__":
    main()
