"""Corridor lanes for every origin × destination pair against networkx, the usual peer.

kopru runs one scipy Dijkstra per criterion over all origins and walks every path back in array
steps (cost, days, km and CO2 summed together); the peer runs networkx's single-source Dijkstra
per origin and sums the same attributes along each returned path. Same arcs, same answers
(checked), same process.

    python benchmarks/bench_corridors.py
"""

from __future__ import annotations

import itertools
import statistics
import time

import networkx as nx
import numpy as np

from kopru.corridors import Network
from kopru.datapack import load


def networkx_lanes(network: Network, nodes: list[str]) -> dict[str, np.ndarray]:
    best = network._best_arcs("cost")
    g = nx.DiGraph()
    for arc in best.itertuples():
        g.add_edge(arc.u, arc.v, cost=arc.cost, days=arc.days, km=arc.distance_km, co2=arc.co2_kg_per_t)
    index = {n: i for i, n in enumerate(nodes)}
    out = {k: np.full((len(nodes), len(nodes)), np.inf) for k in ("cost", "days", "km", "co2")}
    for o in nodes:
        _, paths = nx.single_source_dijkstra(g, o, weight="cost")
        for d, path in paths.items():
            i, j = index[o], index[d]
            for key in out:
                out[key][i, j] = sum(g[u][v][key] for u, v in itertools.pairwise(path))
    return out


def median_time(fn, repeat: int = 5):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    network = Network(load())
    nodes = list(network.nodes.index)
    t_k, lanes = median_time(lambda: network.lanes(nodes, nodes, "cost"))
    t_nx, peer = median_time(lambda: networkx_lanes(network, nodes))
    np.testing.assert_allclose(lanes.cost_usd_per_teu, peer["cost"], rtol=1e-9)
    # ties between equal-cost paths may differ in days, so compare where the paths agree on km
    same = np.isclose(lanes.distance_km, peer["km"])
    assert same.mean() > 0.95
    pairs = len(nodes) ** 2
    print(
        f"| lanes, all pairs ({len(nodes)} × {len(nodes)} = {pairs:,}) | kopru {t_k * 1e3:.1f} ms"
        f" | networkx {t_nx * 1e3:.1f} ms | {t_nx / t_k:.1f}× |"
    )


if __name__ == "__main__":
    main()
