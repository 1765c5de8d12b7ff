"""Landed-cost engine: sites × markets scaling, against a plain pandas implementation.

The peer is what an analyst would write without kopru: a long table of site × market rows
(pandas merges and column arithmetic), computing the same components. Both run in the same
process on the same random inputs; the results are checked equal before timing counts.

    python benchmarks/bench_costs.py            # prints a markdown table for BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
import pandas as pd

from kopru.costs import COMPONENTS, CostInputs, landed_cost


def random_inputs(n_sites: int, n_markets: int, n_materials: int = 5, seed: int = 0) -> CostInputs:
    rng = np.random.default_rng(seed)
    return CostInputs(
        wage_usd_per_hour=rng.uniform(2, 12, n_sites),
        social_rate=rng.uniform(0.1, 0.25, n_sites),
        electricity_usd_per_kwh=rng.uniform(0.04, 0.15, n_sites),
        gas_usd_per_m3=rng.uniform(0.05, 0.4, n_sites),
        land_usd_per_m2_year=rng.uniform(0, 10, n_sites),
        corporate_tax_rate=rng.choice([0.0, 0.2, 0.25], n_sites),
        property_tax_rate=rng.uniform(0, 0.015, n_sites),
        input_duty_share=rng.choice([0.0, 1.0], n_sites),
        capex_usd=rng.uniform(0, 5e7, n_sites),
        material_freight_usd=rng.uniform(0, 2, (n_sites, n_materials)),
        material_duty_rate=rng.uniform(0, 0.15, (n_sites, n_materials)),
        freight_usd=rng.uniform(0.1, 5, (n_sites, n_markets, 2)),
        transit_days=rng.uniform(2, 40, (n_sites, n_markets, 2)),
        duty_rate=rng.uniform(0, 0.2, (n_sites, n_markets)),
        duty_min_usd=rng.uniform(0, 0.5, (n_sites, n_markets)),
        input_duty_due=rng.choice([0.0, 1.0], (n_sites, n_markets)),
        material_cost_usd=rng.uniform(0.1, 10, n_materials),
        price_usd=rng.uniform(20, 40, n_markets),
        labour_hours=0.5,
        electricity_kwh=3.0,
        gas_m3=0.4,
        land_m2=20_000.0,
        fixed_costs_usd=1e6,
        building_share=0.4,
        capital_recovery=0.15,
        depreciation=0.1,
        volume=1e6,
        carrying_rate=0.12,
    )


def pandas_landed_cost(x: CostInputs) -> pd.DataFrame:
    """The same model as a long site × market table, the way a spreadsheet-minded peer does it."""
    n_sites, n_markets = x.duty_rate.shape
    sites = pd.DataFrame(
        {
            "site": np.arange(n_sites),
            "wage": x.wage_usd_per_hour,
            "social": x.social_rate,
            "elec": x.electricity_usd_per_kwh,
            "gas": x.gas_usd_per_m3,
            "land": x.land_usd_per_m2_year,
            "cit": x.corporate_tax_rate,
            "ptax": x.property_tax_rate,
            "share": x.input_duty_share,
            "capex": x.capex_usd,
        }
    )
    mats = pd.DataFrame(
        {
            "site": np.repeat(np.arange(n_sites), len(x.material_cost_usd)),
            "cost": np.tile(x.material_cost_usd, n_sites),
            "freight": x.material_freight_usd.ravel(),
            "duty": x.material_duty_rate.ravel(),
        }
    ).merge(sites[["site", "share"]], on="site")
    mats["value"] = mats["cost"] + mats["freight"]
    mats["input_duty"] = mats["value"] * mats["duty"] * mats["share"]
    sites = sites.merge(mats.groupby("site", as_index=False)[["value", "input_duty"]].sum(), on="site")
    sites["energy"] = x.electricity_kwh * sites["elec"] + x.gas_m3 * sites["gas"]
    sites["labour"] = x.labour_hours * sites["wage"] * (1 + sites["social"])
    sites["capital"] = (
        sites["capex"] * x.capital_recovery + x.fixed_costs_usd + x.land_m2 * sites["land"]
    ) / x.volume
    sites["ptax_unit"] = sites["ptax"] * x.building_share * sites["capex"] / x.volume
    sites["allowance"] = sites["capex"] * (x.capital_recovery - x.depreciation) / x.volume
    # the inputs' duty is due on units sold in a market unless exported under inward processing
    pairs = pd.DataFrame(
        {
            "site": np.repeat(np.arange(n_sites), n_markets),
            "market": np.tile(np.arange(n_markets), n_sites),
            "due": np.broadcast_to(x.input_duty_due, (n_sites, n_markets)).ravel(),
        }
    ).merge(sites[["site", "value", "input_duty", "energy", "labour", "capital"]], on="site")
    pairs["materials"] = pairs["value"] + pairs["input_duty"] * pairs["due"]
    pairs["ex_works"] = pairs["materials"] + (pairs["energy"] + pairs["labour"] + pairs["capital"])
    n_routes = x.freight_usd.shape[-1]
    routes = pd.DataFrame(
        {
            "site": np.repeat(np.arange(n_sites), n_markets * n_routes),
            "market": np.tile(np.repeat(np.arange(n_markets), n_routes), n_sites),
            "freight": x.freight_usd.ravel(),
            "days": x.transit_days.ravel(),
        }
    ).merge(pairs[["site", "market", "ex_works"]], on=["site", "market"])
    routes["logistics"] = routes["freight"] + routes["ex_works"] * x.carrying_rate * routes["days"] / 365
    lanes = routes.groupby(["site", "market"], as_index=False)["logistics"].min()
    lanes["rate"] = x.duty_rate.ravel()
    lanes["minimum"] = x.duty_min_usd.ravel()
    lanes = (
        lanes.merge(pairs.drop(columns=["value", "input_duty", "due"]), on=["site", "market"])
        .merge(sites[["site", "cit", "ptax_unit", "allowance"]], on="site")
        .merge(pd.DataFrame({"market": np.arange(n_markets), "price": x.price_usd}), on="market")
    )
    # duty on the customs value: the delivered price less the duty
    lanes["duties"] = np.maximum(lanes["rate"] * lanes["price"] / (1 + lanes["rate"]), lanes["minimum"])
    pre_tax = lanes["ex_works"] + lanes["logistics"] + lanes["duties"] + lanes["ptax_unit"]
    margin = (lanes["price"] - pre_tax + lanes["allowance"]).clip(lower=0)
    lanes["taxes"] = lanes["ptax_unit"] + lanes["cit"] * margin
    return lanes.sort_values(["site", "market"])[["site", "market", *COMPONENTS]]


def best_of(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sizes = [(100, 10), (1000, 100), (2000, 500), (5000, 1000)]
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__},"
        f" {platform.machine()}, median of {args.repeat} runs\n"
    )
    print("| sites × markets | cells (×7 components) | kopru (NumPy) | pandas peer | speed-up |")
    print("|---|---|---|---|---|")
    for n_sites, n_markets in sizes:
        x = random_inputs(n_sites, n_markets)
        t_np, cube = best_of(lambda x=x: landed_cost(x), args.repeat)
        t_pd, frame = best_of(lambda x=x: pandas_landed_cost(x), max(1, args.repeat // 2))
        expected = frame[list(COMPONENTS)].to_numpy().reshape(n_sites, n_markets, len(COMPONENTS))
        np.testing.assert_allclose(cube, expected, rtol=1e-10, atol=1e-9)
        cells = n_sites * n_markets
        print(
            f"| {n_sites:,} × {n_markets:,} | {cells * len(COMPONENTS):,} | {t_np * 1e3:,.2f} ms"
            f" | {t_pd * 1e3:,.1f} ms | {t_pd / t_np:,.1f}× |"
        )


if __name__ == "__main__":
    main()
