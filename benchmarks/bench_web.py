"""Bounded load test of the web API on loopback: many concurrent users, p50/p99 latency and errors.

Starts ``kopru serve``'s app (uvicorn, one process, the default 4 planning workers) in a subprocess
on 127.0.0.1 and a free port, then runs USERS concurrent clients (httpx.AsyncClient) until
REQUESTS requests are done or TIME_CAP seconds pass. Each user repeats: one full plan
(POST /api/plan on an example, ~0.8 MB of JSON back) and four light reads (health, the examples,
a site's data with sources, the run list).

python benchmarks/bench_web.py [--users 50] [--requests 2000] [--time-cap 120]

``--burst N`` measures overload instead: N concurrent POST /api/plan fired at once (more than the
job queue holds), the status codes they get (200, or 429 with Retry-After when the queue is full),
and the latency of GET /api/health polled every 50 ms while the burst is answered.

python benchmarks/bench_web.py --burst 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

import httpx

import kopru

EXAMPLES = ["apparel", "appliances", "construction_materials", "food_processing"]
SITES = ["KZ-75", "sez_turan", "TR-16", "KZ-23", "sez_pit"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, store: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "kopru.web.app:create_app", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--ws", "none", "--log-level", "warning"]
    # measure the API, not the auth check; a fresh scenario store, so its runs can be counted
    env = dict(os.environ, KOPRU_TOKEN="", KOPRU_STORE=store)
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


async def user(i: int, client: httpx.AsyncClient, budget: list[int], stop: float, out: dict) -> None:
    step = 0
    while budget[0] > 0 and time.monotonic() < stop:
        budget[0] -= 1
        kind = step % 5
        t0 = time.perf_counter()
        try:
            if kind == 0:
                name, r = "POST /api/plan", await client.post("/api/plan", json={"example": EXAMPLES[i % 4]})
            elif kind == 1:
                name, r = "GET /api/health", await client.get("/api/health")
            elif kind == 2:
                name, r = "GET /api/examples", await client.get("/api/examples")
            elif kind == 3:
                name, r = "GET /api/sites/{id}", await client.get(f"/api/sites/{SITES[i % len(SITES)]}")
            else:
                name, r = "GET /api/runs", await client.get("/api/runs")
            ok = r.status_code == 200
        except httpx.HTTPError:
            name, ok = (
                [
                    "POST /api/plan",
                    "GET /api/health",
                    "GET /api/examples",
                    "GET /api/sites/{id}",
                    "GET /api/runs",
                ][kind],
                False,
            )
        out[name].append((time.perf_counter() - t0, ok))
        step += 1


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def load(port: int, users: int, requests: int, time_cap: float) -> int:
    out: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    budget = [requests]
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits) as client:
        t0 = time.perf_counter()
        stop = time.monotonic() + time_cap
        await asyncio.gather(*(user(i, client, budget, stop, out) for i in range(users)))
        wall = time.perf_counter() - t0
    total = sum(len(v) for v in out.values())
    print(f"{users} concurrent users, {total} requests in {wall:.1f} s ({total / wall:.0f} requests/s)\n")
    print("| request | count | p50 | p99 | max | errors |")
    print("|---|---|---|---|---|---|")
    every = [t for v in out.values() for t, _ in v]
    for name in [*sorted(out), "all"]:
        rows = out[name] if name != "all" else [x for v in out.values() for x in v]
        times = [t for t, _ in rows] if name != "all" else every
        errors = sum(not ok for _, ok in rows)
        print(
            f"| {name} | {len(rows)} | {pct(times, 50) * 1e3:,.0f} ms | {pct(times, 99) * 1e3:,.0f} ms"
            f" | {max(times) * 1e3:,.0f} ms | {errors} |"
        )
    return sum(ok for _, ok in out["POST /api/plan"])


async def burst(port: int, n: int) -> None:
    limits = httpx.Limits(max_connections=n + 1, max_keepalive_connections=n + 1)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits) as client:
        await client.get("/api/health")  # warm: the data pack is loaded, connections are open
        done = asyncio.Event()
        health: list[float] = []

        async def poll_health() -> None:
            while not done.is_set():
                t0 = time.perf_counter()
                r = await client.get("/api/health")
                health.append(time.perf_counter() - t0)
                assert r.status_code == 200, r.status_code
                await asyncio.sleep(0.05)

        async def one(i: int) -> tuple[int, float, bool]:
            t0 = time.perf_counter()
            r = await client.post("/api/plan", json={"example": EXAMPLES[i % 4]})
            return r.status_code, time.perf_counter() - t0, "retry-after" in r.headers

        poller = asyncio.create_task(poll_health())
        t0 = time.perf_counter()
        answers = await asyncio.gather(*(one(i) for i in range(n)))
        wall = time.perf_counter() - t0
        done.set()
        await poller
    codes: dict[int, list[float]] = defaultdict(list)
    for code, seconds, _ in answers:
        codes[code].append(seconds)
    print(f"burst of {n} concurrent POST /api/plan, all answered in {wall:.1f} s\n")
    print("| answer | count | p50 | p99 | max |")
    print("|---|---|---|---|---|")
    for code in sorted(codes):
        t = codes[code]
        retry = code == 429 and all(a[2] for a in answers if a[0] == 429)
        label = f"{code}" + (" (with Retry-After)" if retry else "")
        print(
            f"| {label} | {len(t)} | {pct(t, 50) * 1e3:,.0f} ms | {pct(t, 99) * 1e3:,.0f} ms"
            f" | {max(t) * 1e3:,.0f} ms |"
        )
    print(
        f"| GET /api/health during the burst | {len(health)} | {pct(health, 50) * 1e3:,.0f} ms"
        f" | {pct(health, 99) * 1e3:,.0f} ms | {max(health) * 1e3:,.0f} ms |"
    )
    server_errors = sum(len(t) for c, t in codes.items() if c >= 500)
    print(f"\n5xx answers: {server_errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--time-cap", type=float, default=120.0)
    parser.add_argument("--burst", type=int, default=0, help="N concurrent plans at once instead")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        store = os.path.join(folder, "runs.duckdb")
        proc = start_server(port, store)
        try:
            if args.burst:
                asyncio.run(burst(port, args.burst))
            else:
                plans = asyncio.run(load(port, args.users, args.requests, args.time_cap))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        if not args.burst:
            # every plan answered is a run of its own in the scenario store
            recorded = len(kopru.open_store(store).list())
            print(f"\nplans answered: {plans}; runs recorded in the scenario store: {recorded}")


if __name__ == "__main__":
    main()
