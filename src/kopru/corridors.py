"""The multimodal corridor network (road, rail, ferry, sea) and the lanes through it.

Nodes are cities, border crossings, ports and rail hubs; edges carry a mode, a distance, a
transit time and a cost per TEU. Handling (cost and days) is charged on every arc that enters a
border, hub or city node, and at a port on the arcs that load or unload a ship there.
``Network.lanes`` finds, for many origins and destinations at once, the cheapest or the
fastest path (scipy's Dijkstra on a sparse matrix) and sums cost, days, distance and CO2 along
it for all pairs together.
"""

from __future__ import annotations

import difflib
import functools
import itertools
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from kopru.datapack import DataPack
from kopru.datapack.loader import MODES, WATERS
from kopru.display import code_of
from kopru.errors import DataPackError, RouteError
from kopru.memo import LRU

Criterion = Literal["cost", "time", "distance"]
WATER_MODES = ("ferry", "sea")
PORT_KINDS = ("port", "pier")  # where a ship is loaded or unloaded (a pier: a lake ferry's)
_WEIGHT = {"cost": "cost", "time": "days", "distance": "distance_km"}


@dataclass(frozen=True)
class Leg:
    """One edge of a route, as travelled."""

    origin: str
    destination: str
    mode: str
    distance_km: float
    days: float
    cost_usd_per_teu: float
    co2_kg_per_t: float
    source: str = ""
    # of ``days``, the waiting at the nodes of the leg: border crossings and port dwell
    wait_border_days: float = 0.0
    wait_port_days: float = 0.0

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "from": self.origin,
            "to": self.destination,
            "mode": self.mode,
            "distance_km": round(self.distance_km, 1),
            "days": round(self.days, 2),
            "cost_usd_per_teu": round(self.cost_usd_per_teu, 2),
            "co2_kg_per_t": round(self.co2_kg_per_t, 2),
        }


@dataclass(frozen=True)
class Route:
    """A path from one node to another with its totals (handling included)."""

    origin: str
    destination: str
    criterion: Criterion
    legs: tuple[Leg, ...]
    # the countries under restrictions it passes through (restrictions.csv; not its two ends):
    # {"country", "name", "restriction"}, set by kopru.route
    restricted: tuple[dict[str, str], ...] = ()

    @property
    def cost_usd_per_teu(self) -> float:
        return sum(leg.cost_usd_per_teu for leg in self.legs)

    @property
    def days(self) -> float:
        return sum(leg.days for leg in self.legs)

    @property
    def distance_km(self) -> float:
        return sum(leg.distance_km for leg in self.legs)

    @property
    def co2_kg_per_t(self) -> float:
        return sum(leg.co2_kg_per_t for leg in self.legs)

    @property
    def modes(self) -> list[str]:
        return sorted({leg.mode for leg in self.legs})

    def as_dict(self) -> dict:
        return {
            "from": self.origin,
            "to": self.destination,
            "criterion": self.criterion,
            "cost_usd_per_teu": round(self.cost_usd_per_teu, 2),
            "days": round(self.days, 2),
            "distance_km": round(self.distance_km, 1),
            "co2_kg_per_t": round(self.co2_kg_per_t, 2),
            "legs": [leg.as_dict() for leg in self.legs],
            "restricted": list(self.restricted),
        }


@dataclass(frozen=True)
class Lanes:
    """Totals of the best path for every origin × destination pair (inf where unreachable)."""

    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    criterion: Criterion
    cost_usd_per_teu: NDArray[np.float64]
    days: NDArray[np.float64]
    distance_km: NDArray[np.float64]
    co2_kg_per_t: NDArray[np.float64]

    @property
    def reachable(self) -> NDArray[np.bool_]:
        return np.isfinite(self.cost_usd_per_teu)


class Network:
    """The corridor graph built from the data pack, with some parts possibly closed."""

    def __init__(
        self,
        pack: DataPack,
        closed: tuple[str, ...] = (),
        avoid: tuple[str, ...] = (),
        ends: tuple[str, ...] = (),
    ) -> None:
        self.pack = pack
        self.closed = tuple(closed)
        self.avoid = tuple(avoid)
        self.ends = tuple(ends)
        self.nodes: pd.DataFrame = pack.nodes
        self.index = {node: i for i, node in enumerate(self.nodes.index)}
        self.arcs = self._arcs(pack, self.closed)
        # a network does not change once built: what is asked of it twice is answered once
        # (bounded: a server asks with every profile's own markets)
        self._lanes: LRU[Lanes] = LRU(MEMO_KEPT)
        self._avoiding: LRU[Network] = LRU(MEMO_KEPT)
        self._graphs: dict[str, _Graph] = {}  # by criterion: every routes() and lanes() call reads one

    # -- construction ----------------------------------------------------------------------
    def _mode_rate(self, mode: str, quantity: str) -> float:
        return self.pack.param(f"mode:{mode}", quantity).value

    def _arcs(self, pack: DataPack, closed: tuple[str, ...]) -> pd.DataFrame:
        edges = pack.edges.copy()
        fixed = edges["mode"].map(lambda m: self._mode_rate(m, "cost_fixed_per_teu"))
        per_km = edges["mode"].map(lambda m: self._mode_rate(m, "cost_per_teu_km"))
        co2 = edges["mode"].map(lambda m: self._mode_rate(m, "co2_per_tkm"))
        edges["leg_cost"] = edges["cost_usd_per_teu"].fillna(fixed + per_km * edges["distance_km"])
        edges["co2_kg_per_t"] = co2 * edges["distance_km"] / 1000.0
        forward = edges.rename(columns={"from": "u", "to": "v"})
        backward = edges.rename(columns={"from": "v", "to": "u"})
        arcs = pd.concat([forward, backward], ignore_index=True)
        arcs = arcs[_open_mask(arcs, closed, set(self.index), set(MODES))]
        # A border or hub is handled by every path through it; a port only where the container
        # is loaded onto or unloaded from a ship, so a train passing through Aktau pays nothing.
        is_port = self.nodes["kind"].isin(PORT_KINDS)
        waterborne = arcs["mode"].isin(WATER_MODES)
        at_v = ~arcs["v"].map(is_port) | waterborne
        at_u = arcs["u"].map(is_port) & waterborne
        for col, handling in (("cost", "handling_usd_per_teu"), ("days", "handling_days")):
            base = arcs["leg_cost"] if col == "cost" else arcs["days"]
            per_node = self.nodes[handling]
            arcs[col] = (
                base + arcs["v"].map(per_node).where(at_v, 0.0) + arcs["u"].map(per_node).where(at_u, 0.0)
            )
        # the waiting part of the days, by where it happens (the risk engine varies each on its own)
        days_at = self.nodes["handling_days"]
        at_v_days = arcs["v"].map(days_at).where(at_v, 0.0)
        at_u_days = arcs["u"].map(days_at).where(at_u, 0.0)
        v_port = arcs["v"].map(is_port)
        arcs["wait_port_days"] = at_v_days.where(v_port, 0.0) + at_u_days
        arcs["wait_border_days"] = at_v_days.where(~v_port, 0.0)
        arcs["iu"] = arcs["u"].map(self.index).astype(np.int64)
        arcs["iv"] = arcs["v"].map(self.index).astype(np.int64)
        return arcs.reset_index(drop=True)

    def avoiding(
        self, countries: tuple[str, ...] | list[str], ends: tuple[str, ...] | list[str] = ()
    ) -> Network:
        """A copy that passes through no node of ``countries``: a lane may start in one of them and
        leave it, or enter one and end there, over that country's own lines (a market in Russia is
        reached at its border or port and on by Russian rail), never cross one. ``ends`` is kept for
        the callers' cache keys; every origin and destination is treated so."""
        key = (tuple(countries), tuple(ends))
        return self._avoiding.get(key, lambda: Network(self.pack, self.closed, *key))

    def close(self, *names: str) -> Network:
        """A copy of the network with nodes, edges or whole modes closed.

        A name is a node id (``khorgos``), an edge (``aktau-baku_alat``, every mode),
        an edge of one mode (``aktau-baku_alat:ferry``), a mode (``mode:ferry``: the Lake Van
        ferry too) or a body of water (``water:caspian``: every ship's leg that crosses it, so
        ``water:turkish_straits`` closes Black Sea ships to Istanbul and the Mediterranean).
        """
        return Network(self.pack, self.closed + tuple(names), self.avoid, self.ends)

    def _best_arcs(self, criterion: Criterion) -> pd.DataFrame:
        weight = _WEIGHT[criterion]
        # among parallel arcs (road and rail between the same nodes) keep the best one
        ordered = self.arcs.sort_values([weight, "cost", "days"], kind="stable")
        return ordered.drop_duplicates(["iu", "iv"], keep="first")

    def _graph(self, criterion: Criterion) -> _Graph:
        got = self._graphs.get(criterion)
        if got is None:  # two threads may build it at once: both build the same graph
            got = self._graphs[criterion] = self._build_graph(criterion)
        return got

    def _build_graph(self, criterion: Criterion) -> _Graph:
        """The graph Dijkstra searches: the nodes of no avoided country, and each avoided node twice,
        once on the way in (entered from outside, then only its own country's arcs) and once on the
        way out (left towards outside, from an origin there): so a path can end or start in an
        avoided country but never pass through one."""
        best = self._best_arcs(criterion)
        n = len(self.index)
        iu, iv = best["iu"].to_numpy(np.int64), best["iv"].to_numpy(np.int64)
        banned = self.nodes["country"].isin(self.avoid).to_numpy(bool)
        inside = np.flatnonzero(banned)
        entry = np.arange(n, dtype=np.int64)  # where a lane that ends at a node is read
        start = np.arange(n, dtype=np.int64)  # where a lane that starts at a node begins
        entry[inside] = n + np.arange(len(inside))
        start[inside] = n + len(inside) + np.arange(len(inside))
        country = self.nodes["country"].to_numpy()
        bu, bv = banned[iu], banned[iv]
        same = country[iu] == country[iv]
        parts = [
            (~bu & ~bv, iu, iv),  # outside every avoided country
            (~bu & bv, iu, entry[iv]),  # into one, towards a lane's end there
            (bu & bv & same, entry[iu], entry[iv]),  # on within it
            (bu & bv & same, start[iu], start[iv]),  # from a lane's start, within its country
            (bu & ~bv, start[iu], iv),  # out of it
            (bu & bv & ~same, start[iu], entry[iv]),  # out of one straight into the lane's end country
        ]
        rows = np.concatenate([np.flatnonzero(mask) for mask, _, _ in parts])
        au = np.concatenate([u[mask] for mask, u, _ in parts])
        av = np.concatenate([v[mask] for mask, _, v in parts])
        size = n + 2 * len(inside)
        real = np.concatenate([np.arange(n), inside, inside]).astype(np.int64)
        # Dijkstra treats stored zeros as edges in csr input, but a tiny floor keeps it explicit
        weights = np.maximum(best[_WEIGHT[criterion]].to_numpy(float)[rows], 1e-9)
        matrix = csr_matrix((weights, (au, av)), shape=(size, size))
        return _Graph(matrix, best.iloc[rows].reset_index(drop=True), au, av, real, start, entry)

    def _node_indices(self, names: list[str] | tuple[str, ...], role: str) -> NDArray[np.int64]:
        missing = [n for n in names if n not in self.index]
        if missing:
            raise RouteError(f"{role} {missing[0]!r} is not a node of the corridor network")
        return np.array([self.index[n] for n in names], dtype=np.int64)

    # -- queries ---------------------------------------------------------------------------
    def lanes(
        self,
        origins: list[str] | tuple[str, ...],
        destinations: list[str] | tuple[str, ...],
        criterion: Criterion = "cost",
    ) -> Lanes:
        """Best-path totals for all origin × destination pairs at once (read-only arrays: the
        network keeps them for the next caller)."""
        origins, destinations = tuple(origins), tuple(destinations)
        key = (origins, destinations, criterion)
        return self._lanes.get(key, lambda: self._solve_lanes(origins, destinations, criterion))

    def _solve_lanes(
        self, origins: tuple[str, ...], destinations: tuple[str, ...], criterion: Criterion
    ) -> Lanes:
        oi = self._node_indices(origins, "origin")
        di = self._node_indices(destinations, "destination")
        g = self._graph(criterion)
        starts = g.start[oi]
        dist, pred = dijkstra(g.matrix, directed=True, indices=starts, return_predecessors=True)
        ends = g.ends(dist, oi, di)  # (O, D) the graph node each lane is read at
        size = g.matrix.shape[0]
        attrs = {}
        for col in ("cost", "days", "distance_km", "co2_kg_per_t"):
            dense = np.zeros((size, size))
            dense[g.au, g.av] = g.arcs[col].to_numpy(float)
            attrs[col] = dense
        totals = {col: np.zeros((len(oi), len(di))) for col in attrs}
        rows = np.repeat(np.arange(len(oi))[:, None], len(di), axis=1)
        cur = ends.copy()
        origin_of = np.broadcast_to(starts[:, None], cur.shape)
        unreachable = np.zeros(cur.shape, dtype=bool)
        # walk all paths back one hop at a time, every pair in the same array step
        for _ in range(size):
            active = (cur != origin_of) & ~unreachable
            if not active.any():
                break
            prev = np.where(active, pred[rows, cur], cur)
            unreachable |= active & (prev < 0)
            step = active & (prev >= 0)
            for col, dense in attrs.items():
                totals[col] += np.where(step, dense[np.maximum(prev, 0), cur], 0.0)
            cur = np.where(step, prev, cur)
        for col in totals:
            totals[col][unreachable] = np.inf
            totals[col].flags.writeable = False
        return Lanes(
            origins=origins,
            destinations=destinations,
            criterion=criterion,
            cost_usd_per_teu=totals["cost"],
            days=totals["days"],
            distance_km=totals["distance_km"],
            co2_kg_per_t=totals["co2_kg_per_t"],
        )

    def route(self, origin: str, destination: str, criterion: Criterion = "cost") -> Route:
        """The best path between two nodes, leg by leg."""
        found = self.routes([origin], [destination], criterion)
        if (origin, destination) not in found:
            closed = f" with {', '.join(self.closed)} closed" if self.closed else ""
            avoided = (
                f" avoiding {', '.join(self.avoid)} (a route may start or end there, not pass through)"
                * bool(self.avoid)
            )
            raise RouteError(f"no route from {origin} to {destination}{closed}{avoided}")
        return found[(origin, destination)]

    def routes(
        self,
        origins: list[str] | tuple[str, ...],
        destinations: list[str] | tuple[str, ...],
        criterion: Criterion = "cost",
    ) -> dict[tuple[str, str], Route]:
        """Best routes leg by leg for every reachable origin × destination pair (for reports)."""
        oi = self._node_indices(tuple(origins), "origin")
        di = self._node_indices(tuple(destinations), "destination")
        g = self._graph(criterion)
        starts = g.start[oi]
        dist, pred = dijkstra(g.matrix, directed=True, indices=starts, return_predecessors=True)
        ends = g.ends(dist, oi, di)
        names = list(self.index)
        row_of, fields = g.row_of, g.leg_fields
        legs: dict[tuple[int, int], Leg] = {}  # only the arcs the routes use are made into legs

        def leg(u: int, v: int) -> Leg:
            if (u, v) not in legs:
                k = row_of[(u, v)]
                legs[(u, v)] = Leg(names[g.real[u]], names[g.real[v]], *(f[k] for f in fields))
            return legs[(u, v)]

        found = {}
        for row, o in enumerate(oi):
            for col, d in enumerate(di):
                end = int(ends[row, col])
                if end != starts[row] and pred[row, end] < 0:
                    continue
                chain = [end]
                while chain[-1] != starts[row]:
                    chain.append(int(pred[row, chain[-1]]))
                chain.reverse()
                route_legs = tuple(leg(u, v) for u, v in itertools.pairwise(chain))
                found[(names[o], names[d])] = Route(names[o], names[d], criterion, route_legs)
        return found


@dataclass(frozen=True)
class _Graph:
    """A network's search graph: its nodes (an avoided country's twice, on the way in and on the
    way out) and the arcs among them, each an arc of the network (``arcs``, row for row)."""

    matrix: csr_matrix
    arcs: pd.DataFrame  # the network's arc of each graph arc
    au: NDArray[np.int64]
    av: NDArray[np.int64]
    real: NDArray[np.int64]  # graph node -> network node
    start: NDArray[np.int64]  # network node -> the graph node a lane from it starts at
    entry: NDArray[np.int64]  # network node -> the graph node a lane into it ends at (from outside)

    @functools.cached_property
    def row_of(self) -> dict[tuple[int, int], int]:
        """Each graph arc's row, by its two graph nodes."""
        return {(u, v): k for k, (u, v) in enumerate(zip(self.au.tolist(), self.av.tolist(), strict=True))}

    @functools.cached_property
    def leg_fields(self) -> list[list[Any]]:
        """The columns a route's legs are made of (LEG_COLUMNS), as lists."""
        return [self.arcs[c].tolist() for c in LEG_COLUMNS]

    def ends(
        self, dist: NDArray[np.float64], oi: NDArray[np.int64], di: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """(O, D) the graph node each lane ends at: a destination in an avoided country is reached
        from outside it, or, from an origin in the same country, without leaving it."""
        entered = np.broadcast_to(self.entry[di], (len(oi), len(di)))
        within = np.broadcast_to(self.start[di], (len(oi), len(di)))
        rows = np.arange(len(oi))[:, None]
        from_within = dist[rows, within] < dist[rows, entered]
        return np.where(from_within, within, entered).astype(np.int64)


# the columns of an arc a Leg keeps after its two ends, in Leg's order
LEG_COLUMNS = (
    "mode",
    "distance_km",
    "days",
    "cost",
    "co2_kg_per_t",
    "source",
    "wait_border_days",
    "wait_port_days",
)
MEMO_KEPT = 16  # answers a network keeps of each kind (lanes, networks avoiding countries)


ROUTING_OVERRIDES = ("edge.", "node.", "mode:")  # override keys that change the network
NETWORKS_KEPT = 16
_NETWORKS: LRU[Network] = LRU(NETWORKS_KEPT)


def routing_key(pack: DataPack) -> tuple:
    """What a network built from ``pack`` depends on: the shipped data and the overrides of its
    edges, nodes and mode rates (an exchange rate or a wage does not move a route)."""
    moved = sorted((o.key, o.new) for o in pack.overrides if o.key.startswith(ROUTING_OVERRIDES))
    return (pack.version, tuple(moved))


def network_for(pack: DataPack, closed: tuple[str, ...] = ()) -> Network:
    """The network of ``pack`` with ``closed`` parts, built once per routing data and closures.

    A sweep's scenarios that change only numbers (exchange rates, tariffs, prices, wages) share
    one network and its lanes, so routing runs once per closure set; so do a server's plans.
    """
    key = (routing_key(pack), tuple(closed))
    return _NETWORKS.get(key, lambda: Network(pack, tuple(closed)))


def _open_mask(arcs: pd.DataFrame, closed: tuple[str, ...], nodes: set[str], modes: set[str]):
    keep = pd.Series(True, index=arcs.index)
    for name in closed:
        if name.startswith("mode:"):
            mode = name.removeprefix("mode:")
            if mode not in modes:
                raise RouteError(
                    f"cannot close {name!r}: modes are {', '.join(sorted(modes))}", field="disruptions"
                )
            keep &= arcs["mode"] != mode
        elif name.startswith("water:"):
            water = water_id(name.removeprefix("water:"))
            if water is None:
                raise RouteError(
                    f"cannot close {name!r}: waters are {', '.join(WATERS)}", field="disruptions"
                )
            keep &= ~arcs["waters"].str.split(";").map(frozenset).map(lambda listed, w=water: w in listed)
        elif "-" in name:
            pair, _, mode = name.partition(":")
            a, _, b = pair.partition("-")
            hit = (arcs["u"] == a) & (arcs["v"] == b) | (arcs["u"] == b) & (arcs["v"] == a)
            if mode:
                hit &= arcs["mode"] == mode
            if not hit.any():
                raise RouteError(
                    f"cannot close {name!r}: no such edge (use <node>-<node>[:<mode>]){_nearest(pair, arcs)}",
                    field="disruptions",
                )
            keep &= ~hit
        elif name in nodes:
            keep &= (arcs["u"] != name) & (arcs["v"] != name)
        else:
            raise RouteError(
                f"cannot close {name!r}: expected a node id, <node>-<node>[:<mode>], mode:<mode>"
                f" or water:<water>{_nearest(name, nodes)}",
                field="disruptions",
            )
    return keep


WATER_NAMES = {
    "caspian": "the Caspian Sea",
    "black_sea": "the Black Sea",
    "turkish_straits": "the Turkish Straits",
    "mediterranean": "the Mediterranean",
    "lake_van": "Lake Van",
}
MODE_LEGS = {"ferry": "every ferry leg (Caspian, Lake Van)"}


def water_id(name: str) -> str | None:
    """A body of water by its id or its name, in any case ('caspian', 'Caspian Sea', 'the Black Sea')."""
    key = name.strip().lower().removeprefix("the ").replace(" ", "_")
    by_name = {n.lower().removeprefix("the ").replace(" ", "_"): w for w, n in WATER_NAMES.items()}
    return key if key in WATERS else by_name.get(key)


def closure_label(pack: DataPack, name: str) -> str:
    """A closed part of the network as a reader names it: 'Khorgos border crossing', 'every ship
    across the Caspian Sea', 'Aktau seaport-Baku ... by ferry' (ids are for the command line)."""
    names = pack.nodes["name"]
    if name.startswith("mode:"):
        mode = name.removeprefix("mode:")
        return MODE_LEGS.get(mode, f"every {mode} leg")
    if name.startswith("water:"):
        water = water_id(name.removeprefix("water:"))
        return f"every ship across {WATER_NAMES.get(water or '', name)}"
    if "-" in name:
        pair, _, mode = name.partition(":")
        a, _, b = pair.partition("-")
        leg = f"between {names.get(a, a)} and {names.get(b, b)}"
        return f"{leg} by {mode}" if mode else leg
    return str(names.get(name, name))


def _nearest(name: str, known: set[str] | pd.DataFrame) -> str:
    """'; did you mean khorgos?' for a closure that matches nothing (a node id, or an edge's pair)."""
    if isinstance(known, pd.DataFrame):
        known = {f"{u}-{v}" for u, v in zip(known["u"], known["v"], strict=True)}
    near = difflib.get_close_matches(name.lower(), sorted(known), n=1, cutoff=0.75)
    return f"; did you mean {near[0]}?" if near else ""


def check_closures(pack: DataPack, names: tuple[str, ...] | list[str]) -> None:
    """Refuse a name to close that matches no node, edge, mode or water, before any routing (a web
    form's typo is said at its input, not when the job has run)."""
    edges = pack.edges.rename(columns={"from": "u", "to": "v"})
    _open_mask(edges, tuple(names), set(pack.nodes.index), set(MODES))


def check_connected(network: Network) -> None:
    """Refuse a network in which some node cannot reach some other (a gap in the data pack)."""
    nodes = list(network.nodes.index)
    lanes = network.lanes(nodes, nodes)
    if not lanes.reachable.all():
        o, d = (int(i[0]) for i in (~lanes.reachable).nonzero())
        raise DataPackError(
            f"corridor network is not connected: no route from {lanes.origins[o]} to {lanes.destinations[d]}"
        )


def node_id(pack: DataPack, name: str, role: str) -> str:
    """A corridor node by its id or its name, in any case ('Almaty', 'ALMATY' and 'almaty' are one)."""
    found = code_of(name, pack.nodes["name"].to_dict())
    if found is not None:
        return found
    raise RouteError(
        f"{role} {name!r} is not a node of the corridor network; see 'kopru data show nodes' for ids"
        " and names (e.g. almaty, istanbul_ambarli)",
        field=role,
    )


def check_countries(pack: DataPack, countries: tuple[str, ...]) -> None:
    """Refuse a country code that is neither a corridor node's nor a market's country."""
    known = set(pack.nodes["country"]) | set(pack.markets["country"]) | set(pack.table("restrictions").index)
    for code in countries:
        if code not in known:
            raise RouteError(
                f"avoid: unknown country code {code!r}; expected an ISO code the corridor network has:"
                f" {', '.join(sorted(known))}",
                field="avoid",
            )


def restricted_crossed(pack: DataPack, passed: list[str] | tuple[str, ...], ends: set[str]) -> list[str]:
    """The countries under restrictions (restrictions.csv) of the nodes a route ``passed`` through,
    in the order it meets them; the countries in ``ends`` are left out (a market or a source in such
    a country is reached, not crossed)."""
    rules = pack.table("restrictions").index
    country = _NODE_COUNTRY.get(
        pack.version, lambda: pack.nodes["country"].to_dict()
    )  # a plan asks 250 times
    met = (country.get(n) for n in passed)
    return list(dict.fromkeys(c for c in met if c in rules and c not in ends))


# each node's country, per shipped data (an override moves a node's charges and days, not its country)
_NODE_COUNTRY: LRU[dict[str, str]] = LRU(8)
