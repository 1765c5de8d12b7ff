"""Sweeps on a real Dask cluster against serial, in the same run: is the cluster worth it?

A ``dask scheduler`` and two single-threaded ``dask worker`` processes on loopback
(:func:`kopru.cluster.external_cluster`), reached as ``--scheduler tcp://…`` reaches them. The
grid is ``benchmarks/data/apparel_grid48.yaml``: 48 scenarios, each with the network optimizer.
Serial and cluster results are checked equal before any time counts. Times are medians of
``--repeat`` runs; "first" is the first sweep on fresh workers (imports, data pack).

python benchmarks/bench_sweep.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import distributed

import kopru
from kopru import scenarios
from kopru.cluster import dask_client, external_cluster

GRID = Path(__file__).parent / "data" / "apparel_grid48.yaml"
PLAIN = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "apparel_what_if.yaml"


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{os.cpu_count()} cores, Python {platform.python_version()}, kopru {kopru.__version__},"
        f" distributed {distributed.__version__}\n"
    )
    serial_times, serial = [], None
    for _ in range(args.repeat):
        t, serial = timed(lambda: scenarios.sweep(GRID))
        serial_times.append(t)
    n = len(serial.scenarios)
    start = time.perf_counter()
    with external_cluster(workers=2) as address, dask_client(scheduler=address) as client:
        t_up = time.perf_counter() - start
        first, remote = timed(lambda: scenarios.sweep(GRID, client=client, min_cluster_seconds=0))
        warm_times = []
        for _ in range(args.repeat):
            t, remote = timed(lambda: scenarios.sweep(GRID, client=client, min_cluster_seconds=0))
            warm_times.append(t)
        auto_t, auto = timed(lambda: scenarios.sweep(PLAIN, client=client))
    same = json.dumps(remote.scenarios, sort_keys=True) == json.dumps(serial.scenarios, sort_keys=True)
    assert same, "the cluster's results differ from the serial ones"
    serial_t, warm_t = statistics.median(serial_times), statistics.median(warm_times)
    print(f"cluster start (scheduler + 2 worker processes): {t_up:.1f} s; results equal to serial: {same}\n")
    print("| sweep | scenarios | serial | cluster, first | cluster, warm | warm / serial |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {GRID.name} (optimize) | {n} | {serial_t:.2f} s | {first:.2f} s | {warm_t:.2f} s"
        f" | {warm_t / serial_t:.2f}× |"
    )
    print(f"\n{remote.execution}")
    print(f"\n{PLAIN.name} with the cluster given: {auto_t:.2f} s, ran {auto.execution}")


if __name__ == "__main__":
    main()
