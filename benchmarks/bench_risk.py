"""Risk engine throughput and memory against a plain pandas peer, a 10-million-sample run, and sweeps on Dask.

Three parts, all measured in the same run of this script:

- ``throughput``: ``kopru.montecarlo.run`` on a shipped example against the same Monte Carlo written as a
  long sample × site × market table in pandas (merges and column arithmetic, as an analyst would
  without kopru). Both use the same draws; the per-site statistics are checked equal on a small
  case before any timing counts. Every configuration runs in a fresh subprocess, so its peak RSS
  (``os.wait4``'s rusage of that child, the per-child form of ``RUSAGE_CHILDREN``) is its own.
- ``big``: one run of 10,000,000 samples in a fresh subprocess: wall time and peak RSS (bar: 2 GiB).
- ``sweep``: ``kopru.sweep`` of each shipped scenario file, serially and on a Dask ``LocalCluster``
  with 2 worker processes (1 thread each); the results are checked equal.

    python benchmarks/bench_risk.py                       # all three parts, markdown tables
    python benchmarks/bench_risk.py --parts throughput sweep
    python benchmarks/bench_risk.py --big-samples 1000000 # a smaller "big" run
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kopru import api
from kopru import montecarlo as risk_mod
from kopru.inputs import prepare
from kopru.montecarlo import (
    BLOCK,
    COUNTRY_CURRENCY,
    DAY_PARTS,
    MODES,
    SITE_INPUTS,
    WAITS,
    RiskModel,
    RiskResult,
)
from kopru.montecarlo.sampling import block_bounds

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCENARIOS = ROOT / "src" / "kopru" / "examples" / "scenarios"
GiB = 2**30
STATS = ("mean", "p5", "p50", "p95", "cvar95", "p_best", "expected_regret")


def build(example: str) -> RiskModel:
    pack = api.load_data()
    pre = prepare(api.load_profile(EXAMPLES / f"{example}.yaml"), pack)
    return risk_mod.build_model(pre, risk_mod.load_uncertainty(None, pack))


# -- the pandas peer -----------------------------------------------------------------------------
def _draws(model: RiskModel, seed: int, samples: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """kopru's own draws (block-seeded) as tables, so both sides evaluate the very same samples:
    the per-sample variables, the per-sample-and-site factors (site.*) and the demand factors."""
    values: list[dict[str, np.ndarray]] = []
    demand: list[np.ndarray] = []
    for b in range(-(-samples // BLOCK)):
        lo, hi = block_bounds(samples, b)
        v, d = risk_mod.draw(model, seed, b, hi - lo)
        values.append(v)
        demand.append(d)
    joined = {k: np.concatenate([v[k] for v in values]) for k in values[0]}
    draws = pd.DataFrame({k: a for k, a in joined.items() if a.ndim == 1})
    draws.insert(0, "sample", np.arange(samples))
    n_sites = len(model.site_ids)
    site_factors = pd.DataFrame(
        {
            "sample": np.repeat(np.arange(samples), n_sites),
            "site": np.tile(np.arange(n_sites), samples),
            **{f"own_{n}": joined.get(f"site.{n}", np.ones((samples, n_sites))).ravel() for n in SITE_INPUTS},
        }
    )
    factors = np.concatenate(demand)
    n_markets = factors.shape[1]
    demand_long = pd.DataFrame(
        {
            "sample": np.repeat(np.arange(samples), n_markets),
            "market": np.tile(np.arange(n_markets), samples),
            "factor": factors.ravel(),
        }
    )
    return draws, site_factors, demand_long


def _pick(table: pd.DataFrame, long: pd.DataFrame, family: str, key: str, default: float) -> pd.Series:
    """The value of ``family.<key>`` for each row's sample and key (country or currency)."""
    sub = long[long["variable"].str.startswith(family + ".")].copy()
    sub[key] = sub["variable"].str.slice(len(family) + 1)
    merged = table[["sample", key]].merge(sub[["sample", key, "value"]], on=["sample", key], how="left")
    return merged["value"].fillna(default).to_numpy()


def pandas_risk(model: RiskModel, seed: int, samples: int) -> pd.DataFrame:
    """The same Monte Carlo as a long sample × site × market (× route, × material) table."""
    x = model.x
    draws, site_factors, demand = _draws(model, seed, samples)
    for family, default in (("freight", 1.0), ("transit", 1.0)):
        for m in MODES:
            if f"{family}.{m}" not in draws:
                draws[f"{family}.{m}"] = default
    for w in WAITS:
        if f"wait.{w}" not in draws:
            draws[f"wait.{w}"] = 1.0
    # units sold per sample move with demand, and the fixed costs are spread over them
    volume = (
        demand.assign(units=lambda d: d["factor"] * model.demand[d["market"].to_numpy()])
        .groupby("sample", as_index=False)["units"]
        .sum()
    )
    for col, default in (("duty", 0.0), ("fx.EUR", 1.0)):
        if col not in draws:
            draws[col] = default
    n_sites, n_markets = x.duty_rate.shape
    sites = pd.DataFrame(
        {
            "site": np.arange(n_sites),
            "country": list(model.site_country),
            "currency": [COUNTRY_CURRENCY.get(c, "USD") for c in model.site_country],
            "hours0": np.broadcast_to(x.labour_hours, (n_sites,)),
            "wage0": x.wage_usd_per_hour,
            "social": x.social_rate,
            "elec0": x.electricity_usd_per_kwh,
            "gas0": x.gas_usd_per_m3,
            "land": x.land_usd_per_m2_year,
            "cit": x.corporate_tax_rate,
            "ptax": x.property_tax_rate,
            "share": x.input_duty_share,
            "capex": x.capex_usd,
        }
    )
    # sample × site: the per-country and per-currency variables looked up by merge
    ss = draws.merge(sites, how="cross").merge(site_factors, on=["sample", "site"]).merge(volume, on="sample")
    long = draws.melt(id_vars="sample", var_name="variable")
    fx = _pick(ss, long, "fx", "currency", 1.0)
    growth = np.maximum(1.0 + _pick(ss, long, "wage_growth", "country", 0.0), 0.01)
    ss["wage"] = ss["wage0"] * growth * ss["own_wage"] / fx
    ss["hours"] = ss["hours0"] * _pick(ss, long, "labour_hours", "country", 1.0)
    ss["elec"] = ss["elec0"] * _pick(ss, long, "electricity", "country", 1.0) * ss["own_electricity"] / fx
    ss["gas"] = ss["gas0"] * _pick(ss, long, "gas", "country", 1.0) * ss["own_gas"] / fx
    # land quoted in the site's own currency moves with its exchange rate, as wages do
    local = np.asarray(model.land_local if model.land_local is not None else np.zeros(n_sites, bool))
    ss["land"] = ss["land"] * ss["own_land"] / np.where(local[ss["site"].to_numpy()], fx, 1.0)

    # sample × site × material
    n_mat = x.material_cost_usd.shape[-1]
    cost = np.broadcast_to(x.material_cost_usd, (n_sites, n_mat))
    mats = pd.DataFrame(
        {
            "site": np.repeat(np.arange(n_sites), n_mat),
            "cost": cost.ravel(),
            "rate": x.material_duty_rate.ravel(),
            **{f"mf_{m}": model.material_freight_by_mode[:, :, k].ravel() for k, m in enumerate(MODES)},
        }
    ).merge(sites[["site", "share"]], on="site")
    sm = mats.merge(draws[["sample", "duty", *(f"freight.{m}" for m in MODES)]], how="cross")
    sm["freight"] = sum(sm[f"mf_{m}"] * sm[f"freight.{m}"] for m in MODES)
    sm["duty_rate"] = np.where(sm["rate"] > 0, np.maximum(sm["rate"] + sm["duty"] / 100.0, 0.0), 0.0)
    sm["value"] = sm["cost"] + sm["freight"]
    sm["input_duty"] = sm["value"] * sm["duty_rate"] * sm["share"]
    bought = sm.groupby(["sample", "site"], as_index=False)[["value", "input_duty"]].sum()
    ss = ss.merge(bought, on=["sample", "site"])
    ss["energy"] = x.electricity_kwh * ss["elec"] + x.gas_m3 * ss["gas"]
    ss["labour"] = ss["hours"] * ss["wage"] * (1.0 + ss["social"])
    ss["capital"] = (ss["capex"] * x.capital_recovery + x.fixed_costs_usd + x.land_m2 * ss["land"]) / ss[
        "units"
    ]
    ss["ptax_unit"] = ss["ptax"] * x.building_share * ss["capex"] / ss["units"]
    ss["allowance"] = ss["capex"] * (x.capital_recovery - x.depreciation) / ss["units"]
    # sample × site × market: the inputs' duty is due unless the units are exported under inward
    # processing, so the ex-works value is per market
    dues = pd.DataFrame(
        {
            "site": np.repeat(np.arange(n_sites), n_markets),
            "market": np.tile(np.arange(n_markets), n_sites),
            "due": np.broadcast_to(x.input_duty_due, (n_sites, n_markets)).ravel(),
        }
    )
    sx = ss[["sample", "site", "value", "input_duty", "energy", "labour", "capital"]].merge(dues, on="site")
    sx["ex_works"] = (sx["value"] + sx["input_duty"] * sx["due"]) + (
        sx["energy"] + sx["labour"] + sx["capital"]
    )

    # sample × site × market × route: freight and days rebuilt from their split by mode
    n_routes = model.freight_by_mode.shape[2]
    routes = pd.DataFrame(
        {
            "site": np.repeat(np.arange(n_sites), n_markets * n_routes),
            "market": np.tile(np.repeat(np.arange(n_markets), n_routes), n_sites),
            **{f"c_{m}": model.freight_by_mode[..., k].ravel() for k, m in enumerate(MODES)},
            **{f"d_{p}": model.days_by_mode[..., k].ravel() for k, p in enumerate(DAY_PARTS)},
        }
    )
    # days: travel by mode moves with transit.<mode>, waiting at borders and ports with wait.<place>
    day_factor = {p: f"transit.{p}" if p in MODES else f"wait.{p}" for p in DAY_PARTS}
    modes = [*(f"freight.{m}" for m in MODES), *day_factor.values()]
    sr = routes.merge(draws[["sample", *modes]], how="cross")
    sr["freight"] = sum(sr[f"c_{m}"] * sr[f"freight.{m}"] for m in MODES)
    sr["days"] = sum(sr[f"d_{p}"] * sr[day_factor[p]] for p in DAY_PARTS)
    sr = sr.merge(sx[["sample", "site", "market", "ex_works"]], on=["sample", "site", "market"])
    sr["logistics"] = sr["freight"] + sr["ex_works"] * x.carrying_rate * sr["days"] / 365.0
    lanes = sr.groupby(["sample", "site", "market"], as_index=False)["logistics"].min()

    # sample × site × market: duties, taxes, the per-unit total and the annual cost
    lane_base = pd.DataFrame(
        {
            "site": np.repeat(np.arange(n_sites), n_markets),
            "market": np.tile(np.arange(n_markets), n_sites),
            "rate0": x.duty_rate.ravel(),
            "minimum0": x.duty_min_usd.ravel(),
        }
    )
    markets = pd.DataFrame({"market": np.arange(n_markets), "price": x.price_usd, "demand0": model.demand})
    lanes = (
        lanes.merge(lane_base, on=["site", "market"])
        .merge(markets, on="market")
        .merge(demand, on=["sample", "market"])
        .merge(
            ss[["sample", "site", "duty", "fx.EUR", "cit", "ptax_unit", "allowance"]],
            on=["sample", "site"],
        )
        .merge(sx[["sample", "site", "market", "ex_works"]], on=["sample", "site", "market"])
    )
    rate = np.where(lanes["rate0"] > 0, np.maximum(lanes["rate0"] + lanes["duty"] / 100.0, 0.0), 0.0)
    minimum = lanes["minimum0"] / lanes["fx.EUR"]
    # duty on the customs value: the delivered price less the duty
    lanes["duties"] = np.maximum(rate * (lanes["price"] / (1.0 + rate)), minimum)
    pre_tax = lanes["ex_works"] + lanes["logistics"] + lanes["duties"] + lanes["ptax_unit"]
    margin = (lanes["price"] - pre_tax + lanes["allowance"]).clip(lower=0.0)
    lanes["taxes"] = lanes["ptax_unit"] + lanes["cit"] * margin
    lanes["per_unit"] = lanes["ex_works"] + lanes["logistics"] + lanes["duties"] + lanes["taxes"]
    lanes["annual"] = lanes["per_unit"] * lanes["demand0"] * lanes["factor"] * model.fx
    annual = lanes.groupby(["sample", "site"], as_index=False)["annual"].sum()

    # per-site statistics
    annual["regret"] = annual["annual"] - annual.groupby("sample")["annual"].transform("min")
    winners = annual.loc[annual.groupby("sample")["annual"].idxmin(), "site"]
    k = max(1, math.ceil(round(0.05 * samples, 9)))
    g = annual.groupby("site")["annual"]
    stats = pd.DataFrame(
        {
            "mean": g.mean(),
            "p5": g.quantile(0.05),
            "p50": g.quantile(0.5),
            "p95": g.quantile(0.95),
            "cvar95": g.apply(lambda s: s.nlargest(k).mean()),
            "p_best": winners.value_counts().reindex(range(n_sites), fill_value=0) / samples,
            "expected_regret": annual.groupby("site")["regret"].mean(),
        }
    )
    stats.index = [model.site_ids[i] for i in stats.index]
    return stats


def kopru_stats(result: RiskResult) -> pd.DataFrame:
    return pd.DataFrame([s.as_dict() for s in result.sites]).set_index("id")[list(STATS)]


def check_equal(example: str, samples: int = 2_000, seed: int = 7) -> None:
    """Both implementations give the same per-site statistics (the gate before timing counts)."""
    model = build(example)
    ours = kopru_stats(risk_mod.run(model, samples, seed))
    peer = pandas_risk(model, seed, samples).loc[ours.index]
    np.testing.assert_allclose(ours.to_numpy(), peer.to_numpy(), rtol=1e-9, atol=1e-6)
    print(f"check: kopru and pandas agree on {example}, {samples:,} samples, {len(ours)} sites (rtol 1e-9)")


# -- one configuration in a fresh process ----------------------------------------------------------
def _status(field: str) -> int:
    """A size from /proc/self/status in bytes: VmRSS (now) or VmHWM (peak since the last reset)."""
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field + ":"))


def _numpy_draws_and_quantiles() -> None:
    """The "before" rows draw with NumPy's own normals and take np.quantile, as they did."""
    import numpy_direct

    from kopru.montecarlo import kernels, statistics

    kernels.standard_normals = numpy_direct.standard_normals
    statistics.column_statistics = numpy_direct.column_statistics


def child(impl: str, example: str, samples: int, seed: int) -> None:
    """Runs in the subprocess: build the model, time the Monte Carlo, print JSON."""
    model = build(example)
    # Start-up (imports, reading and validating the data pack) peaks higher than a small run, which
    # would hide the engine's own memory; "5" resets this process's peak RSS (Linux >= 4.0), so
    # VmHWM at the end is the peak of the sampling phase alone.
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")
    before = _status("VmRSS")
    t0 = time.perf_counter()
    if impl == "kopru":  # the engine in this one process
        risk_mod.run(model, samples, seed, workers=1)
    elif impl == "kopru-procs":  # one spawned worker process per core, writing into the run's file
        risk_mod.run(model, samples, seed, workers=os.cpu_count() or 1)
    elif impl == "engine":  # the evaluation it replaced: kopru.costs.landed_cost on CostInputs
        from kopru.montecarlo import sampling

        _numpy_draws_and_quantiles()

        def engine(m: RiskModel, values: Any, demand: Any) -> Any:
            return sampling.annual_cost(m, sampling.sampled_inputs(m, values, len(demand), demand), demand)

        sampling.annual_cost_direct = engine
        risk_mod.run(model, samples, seed)
    elif impl == "numpy":  # the NumPy evaluation and site draws the compiled kernels replaced
        import numpy_direct

        from kopru.montecarlo import sampling

        sampling.annual_cost_direct = numpy_direct.annual_cost_direct
        sampling._site_draws = numpy_direct._site_draws
        _numpy_draws_and_quantiles()
        risk_mod.run(model, samples, seed, workers=1)
    elif impl == "kopru-dask":  # a LocalCluster of one single-threaded worker process per core
        from kopru.cluster import dask_client

        with dask_client(local=True) as client:
            t0 = time.perf_counter()  # the cluster's start-up is not the engine's time
            risk_mod.run(model, samples, seed, client=client)
    elif impl == "pandas":
        pandas_risk(model, seed, samples)
    seconds = time.perf_counter() - t0
    n_sites, n_markets = model.x.duty_rate.shape
    print(
        json.dumps(
            {
                "seconds": seconds,
                "sites": n_sites,
                "markets": n_markets,
                "before": before,
                "peak": _status("VmHWM"),
            }
        )
    )


def measure(impl: str, example: str, samples: int, seed: int = 7) -> dict[str, Any]:
    """Run one configuration in a fresh interpreter and read its timings and peak RSS.

    The peak is the child's own VmHWM rather than its rusage: on Linux a child's ru_maxrss (per
    wait4 or RUSAGE_CHILDREN) also counts the parent's memory image it was forked from before
    exec, which here is this process after the pandas check, several hundred MiB. wait4's figure
    is still kept as ``rusage`` for the record.
    """
    cmd = [sys.executable, __file__, "--child", impl, "--example", example, "--samples", str(samples)]
    cmd += ["--seed", str(seed)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it is reaped
    if proc.returncode != 0:
        raise SystemExit(f"{impl} {example} {samples}: exit {proc.returncode}")
    data = json.loads(output.strip().splitlines()[-1])
    data["wall"] = time.perf_counter() - t0
    data["rusage"] = usage.ru_maxrss * 1024  # Linux reports KiB
    data["rss"] = data["peak"]
    return data


def _size(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:,.0f} MiB"


def part_throughput(example: str, kopru_sizes: list[int], pandas_sizes: list[int]) -> None:
    check_equal(example)
    base = measure("model", example, 1)
    print(
        f"\n{example}: {base['sites']} sites × {base['markets']} markets; cells = samples × sites × markets;"
        " one fresh process per row. RSS before = resident size after imports, data pack and model;"
        " peak = the peak RSS of the sampling phase (reset before it), which includes that.\n"
    )
    print("| implementation | samples | cells | time | cells / s | RSS before | peak RSS | peak − before |")
    print("|---|---|---|---|---|---|---|---|")
    rows = [("kopru (compiled kernels)", "kopru", n) for n in kopru_sizes]
    rows += [("kopru before (NumPy direct, a551746)", "numpy", n) for n in kopru_sizes[:3]]
    rows += [("kopru before that (landed_cost on CostInputs)", "engine", n) for n in kopru_sizes[:3]]
    rows += [("pandas long table", "pandas", n) for n in pandas_sizes]
    for label, impl, n in rows:
        r = measure(impl, example, n)
        cells = n * r["sites"] * r["markets"]
        print(
            f"| {label} | {n:,} | {cells:,} | {r['seconds']:,.2f} s | {cells / r['seconds']:,.3g}"
            f" | {_size(r['before'])} | {_size(r['rss'])} | {_size(r['rss'] - r['before'])} |",
            flush=True,
        )


def part_big(example: str, samples: int) -> None:
    print("\n| example | engine | samples | cells | time | cells / s | RSS before | peak RSS | 2 GiB bar |")
    print("|---|---|---|---|---|---|---|---|---|")
    for impl, label in (
        ("kopru", "one process"),
        ("kopru-procs", f"{os.cpu_count()} worker processes (default)"),
        ("kopru-dask", "LocalCluster, 2 workers"),
    ):
        r = measure(impl, example, samples)
        cells = samples * r["sites"] * r["markets"]
        verdict = "within" if r["rss"] <= 2 * GiB else "ABOVE"
        print(
            f"| {example} | {label} | {samples:,} | {cells:,} | {r['seconds']:,.0f} s"
            f" | {cells / r['seconds']:,.3g} | {_size(r['before'])} | {_size(r['rss'])} | {verdict} |",
            flush=True,
        )


def part_processes(example: str, samples: int, repeat: int) -> None:
    """Whole processes, as a user runs them: ``kopru risk --samples N`` against one ``kopru plan``."""
    profile = str(Path(__file__).resolve().parents[1] / "examples" / f"{example}.yaml")
    kopru_cli = [str(Path(sys.executable).with_name("kopru"))]

    def run(args: list[str]) -> float:
        t0 = time.perf_counter()
        subprocess.run([*kopru_cli, *args, "--json", "--no-store"], check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0

    plan = statistics.median(run(["plan", profile]) for _ in range(repeat))
    risk = statistics.median(run(["risk", profile, "--samples", str(samples)]) for _ in range(repeat))
    print(f"\n| command | wall (median of {repeat}) | × one plan |")
    print("|---|---|---|")
    print(f"| kopru plan {example}.yaml | {plan:.2f} s | 1.0× |")
    print(f"| kopru risk {example}.yaml --samples {samples:,} | {risk:.2f} s | {risk / plan:.1f}× |")


def _timed(fn: Any, repeat: int, pause: float = 0.0) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        time.sleep(pause)  # untimed
    return statistics.median(times), out


def part_sweep(repeat: int) -> None:
    from kopru.cluster import dask_client
    from kopru.scenarios import read_scenarios, sweep

    files = sorted(SCENARIOS.glob("*.yaml"))
    serial = {}
    for f in files:
        sweep(f)  # warm: the data pack is read once per process, as it is once per Dask worker below
        serial[f.name] = _timed(lambda f=f: sweep(f), repeat)
    t0 = time.perf_counter()
    with dask_client(local=True, workers=2) as client:
        start = time.perf_counter() - t0
        rows = []
        for f in files:
            # kopru.sweep scatters the profile under a content-hashed key; scattering it again before the
            # scheduler has forgotten the previous sweep's copy races ("lost dependencies"), so the
            # sweeps are spaced by an untimed pause
            t_cold, cold = _timed(lambda f=f: sweep(f, client), 1, pause=1.0)
            t_warm, warm = _timed(lambda f=f: sweep(f, client), repeat, pause=1.0)
            assert cold == warm == serial[f.name][1], f"{f.name}: Dask and serial sweeps differ"
            rows.append((f, t_cold, t_warm))
    print(f"\nLocalCluster start (2 worker processes, 1 thread each): {start:.1f} s\n")
    print("| scenario file | scenarios | serial | Dask, first sweep | Dask, warm | speed-up (warm) |")
    print("|---|---|---|---|---|---|")
    for f, t_cold, t_warm in rows:
        n = len(read_scenarios(f)[1])
        t_serial = serial[f.name][0]
        print(
            f"| {f.name} | {n} | {t_serial:.2f} s | {t_cold:.2f} s | {t_warm:.2f} s"
            f" | {t_serial / t_warm:.2f}× |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["throughput", "processes", "big", "sweep"])
    parser.add_argument("--process-samples", type=int, default=2_000_000)
    parser.add_argument("--example", default="apparel")
    parser.add_argument("--kopru-samples", type=int, nargs="+", default=[2_000, 20_000, 200_000, 1_000_000])
    parser.add_argument("--pandas-samples", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--big-samples", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--child",
        choices=["kopru", "kopru-procs", "numpy", "engine", "kopru-dask", "pandas", "model"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--samples", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.example, args.samples, args.seed)
        return
    print(
        f"{os.cpu_count()} cores, python {platform.python_version()}, numpy {np.__version__},"
        f" pandas {pd.__version__}, {platform.machine()}\n"
    )
    if "throughput" in args.parts:
        part_throughput(args.example, args.kopru_samples, args.pandas_samples)
    if "processes" in args.parts:
        part_processes(args.example, args.process_samples, args.repeat)
    if "big" in args.parts:
        part_big(args.example, args.big_samples)
    if "sweep" in args.parts:
        part_sweep(args.repeat)


if __name__ == "__main__":
    main()
