"""The search under ``kopru space latency``: for each query (a satellite and a time), the first
moment that satellite is in a scheduled contact at or after the time. kopru against pandas.

kopru's :func:`kopru.space.delivery.earliest_in_contact` sorts contacts by (satellite, end), keeps a
running minimum of the start from the last contact backwards per satellite, and answers every
query with one binary search; it also takes a number of seconds the contact must still have (the
image's downlink), which the peer's form below does not. The peer a pandas user would write is
``merge_asof`` forward on the contacts' ends, by satellite, then max(start, time): equal to kopru's
answer when a satellite's contacts do not overlap, which holds in the pool's own schedule used here.

Contacts: the own schedule of the shipped satellites and antennas over 28 days (``kopru space
pool``), and a synthetic one of 200 satellites; queries: one a minute per satellite, as a
request-to-ground run makes. Both answers are checked equal before timing counts; best of REPEAT.

    .venv/bin/python benchmarks/bench_delivery.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from machine import describe

from kopru import space
from kopru.space.delivery import earliest_in_contact
from kopru.space.pooling import Contacts

REPEAT = 5


def with_pandas(c: Contacts, sat: np.ndarray, t: np.ndarray) -> np.ndarray:
    queries = pd.DataFrame({"sat": sat, "t": t, "row": np.arange(len(t))}).sort_values("t")
    table = pd.DataFrame({"sat": c.norad, "end": c.end, "start": c.start}).sort_values("end")
    found = pd.merge_asof(queries, table, left_on="t", right_on="end", by="sat", direction="forward")
    when = np.maximum(found["start"].to_numpy(), found["t"].to_numpy())
    out = np.full(len(t), np.inf)
    out[found["row"].to_numpy()] = np.where(np.isnan(when), np.inf, when)
    return out


def best(fn, *args) -> tuple[float, np.ndarray]:
    times, result = [], None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times), result


def synthetic(n_sat: int, days: float, rng: np.random.Generator) -> Contacts:
    """About eight contacts of 4-10 minutes a day per satellite, none overlapping another of its own."""
    rows = []
    for s in range(n_sat):
        gaps = rng.uniform(600, 20_000, int(days * 12))
        starts = np.cumsum(gaps)
        starts = starts[starts < days * 86400]
        rows.append((np.full(len(starts), 40_000 + s), starts, starts + rng.uniform(240, 600, len(starts))))
    norad, start, end = (np.concatenate(x) for x in zip(*rows, strict=True))
    return Contacts(norad.astype(np.int64), np.zeros(len(norad), np.int64), start, end)


def main() -> None:
    print(describe({"NumPy": "numpy", "pandas": "pandas", "highspy": "highspy"}))
    shipped = space.pool("2026-06-01", days=28.0).own_contacts
    cases = {
        "shipped, own schedule, 28 days": shipped,
        "synthetic, 200 satellites, 28 days": synthetic(200, 28.0, np.random.default_rng(1)),
    }
    print("| contacts | satellites × queries | kopru | pandas merge_asof | pandas / kopru |")
    print("|---|---|---:|---:|---:|")
    for label, c in cases.items():
        sats = np.unique(c.norad)
        tau = np.arange(0.0, 28 * 86400.0, 60.0)
        sat = np.repeat(sats, len(tau))
        t = np.tile(tau, len(sats))
        k_time, mine = best(lambda c=c, sat=sat, t=t: earliest_in_contact(c, sat, t, 0.0)[0])
        p_time, theirs = best(with_pandas, c, sat, t)
        assert np.array_equal(np.isinf(mine), np.isinf(theirs)) and np.allclose(
            mine[np.isfinite(mine)], theirs[np.isfinite(theirs)]
        )
        print(
            f"| {label}: {len(c.start):,} | {len(sats)} × {len(tau):,} = {len(t):,} | {k_time * 1e3:,.1f} ms"
            f" | {p_time * 1e3:,.1f} ms | {p_time / k_time:.1f} |"
        )


if __name__ == "__main__":
    main()
