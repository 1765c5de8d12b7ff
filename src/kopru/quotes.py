"""Published freight quotes against kopru's lanes: is the network's cost and time what shippers see?

Each row of ``datapack/data/lane_quotes.csv`` is a quote (a price per TEU or days door to door)
for a named lane, with its date, source and how it was converted, plus the countries and modes the
quote implies (``avoid: RU`` for the Middle Corridor, ``close: mode:rail`` for a sea-only quote).
:func:`check_quotes` routes every lane through the network as a plan would and compares: a lane is
*within* when kopru's value lies inside the quoted range widened by :data:`TOLERANCE` either side;
otherwise the row's ``explanation`` must say why (the test suite checks it does).
``kopru data lanes`` prints the table and ``--markdown`` writes the one in ``docs/lanes.md``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kopru.corridors import Network, routing_key
from kopru.datapack import DataPack, split_list
from kopru.memo import LRU

TOLERANCE = 0.25  # a kopru value within ±25 % of the quoted range counts as matching


@dataclass(frozen=True)
class QuoteCheck:
    """One quote, kopru's value for the same lane and whether they agree."""

    id: str
    lane: str
    quantity: str  # cost_usd_per_teu or days
    low: float
    high: float
    kopru: float
    route: str  # the nodes kopru's route passes through
    date: str
    source: str
    conversion: str
    explanation: str
    path: tuple[str, ...] = ()  # the node ids of kopru's route, in order
    modes: tuple[str, ...] = ()  # the mode of each of its legs

    @property
    def ratio(self) -> float:
        """kopru's value over the middle of the quoted range."""
        return self.kopru / ((self.low + self.high) / 2)

    @property
    def within(self) -> bool:
        return self.low * (1 - TOLERANCE) <= self.kopru <= self.high * (1 + TOLERANCE)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": round(self.ratio, 4), "within": self.within}


def check_quotes(pack: DataPack) -> list[QuoteCheck]:
    """Every quote of the data pack against kopru's route for its lane (a few dozen routes)."""
    return [check_quote(pack, q) for q in pack.table("lane_quotes").to_dict("records")]


# each quote's check, per routing data (the shipped data and the overrides that move a route)
_CHECKS: LRU[QuoteCheck] = LRU(128)


def check_quote(pack: DataPack, q: dict[str, Any]) -> QuoteCheck:
    """One quote (a row of lane_quotes) against kopru's route for its lane."""
    return _CHECKS.get((routing_key(pack), q["id"]), lambda: _check(pack, q))


def _check(pack: DataPack, q: dict[str, Any]) -> QuoteCheck:
    network = Network(pack, tuple(split_list(q["close"])))
    avoid = tuple(split_list(q["avoid"]))
    if avoid:
        network = network.avoiding(avoid, (q["origin"], q["destination"]))
    route = network.route(q["origin"], q["destination"], q["criterion"])
    value = route.cost_usd_per_teu if q["quantity"] == "cost_usd_per_teu" else route.days
    legs = [leg.as_dict() for leg in route.legs]
    path = (q["origin"], *(leg["to"] for leg in legs))
    names = pack.nodes["name"]
    return QuoteCheck(
        id=q["id"],
        lane=q["lane"],
        quantity=q["quantity"],
        low=float(q["low"]),
        high=float(q["high"]),
        kopru=float(value),
        route=" > ".join(str(names.get(n, n)) for n in path),
        date=q["date"],
        source=q["source"],
        conversion=str(q["conversion"] or ""),
        explanation=str(q["explanation"] or ""),
        path=path,
        modes=tuple(leg["mode"] for leg in legs),
    )


Route = tuple[tuple[str, ...], tuple[str, ...]]  # a route's nodes and the mode of each of its legs


def lanes_off_on(pack: DataPack, routes: list[Route]) -> list[QuoteCheck]:
    """The quoted lanes outside their quote's range (widened by the tolerance) that are a stretch of
    one of ``routes``. Only the quotes with both ends on a route are routed (each once per routing
    data): a plan asks for its pick's and baseline's routes, not the whole table."""
    on = {n for nodes, _ in routes for n in nodes}
    rows = [q for q in pack.table("lane_quotes").to_dict("records") if {q["origin"], q["destination"]} <= on]
    off = [c for c in (check_quote(pack, q) for q in rows) if not c.within]
    return [c for c in off if any(stretches_of(route, [c]) for route in routes)]


def stretches_of(route: Route, checks: list[QuoteCheck]) -> list[QuoteCheck]:
    """The checks whose whole lane is a stretch of ``route``, by the same nodes and modes (either way:
    the network's legs run both ways), so what the quote says of the lane holds for that part of the
    route (a diff review: by nodes alone, a road route over a rail lane's towns took its quote)."""
    nodes, modes = route
    hits = []
    for c in checks:
        n = len(c.path)
        if n < 2 or n > len(nodes):
            continue
        for i in range(len(nodes) - n + 1):
            window, legs = tuple(nodes[i : i + n]), tuple(modes[i : i + n - 1])
            if (window, legs) in ((c.path, c.modes), (c.path[::-1], c.modes[::-1])):
                hits.append(c)
                break
    return hits


def markdown(checks: list[QuoteCheck]) -> str:
    """The table of ``docs/lanes.md``."""
    unit = {"cost_usd_per_teu": "USD/TEU", "days": "days"}
    lines = [
        "| lane | quantity | quoted | kopru | kopru / quote | within ±25 % | date | source | why, if not |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in checks:
        quoted = f"{c.low:,.4g}" if c.low == c.high else f"{c.low:,.4g}–{c.high:,.4g}"
        if c.conversion:
            quoted += f" ({c.conversion})"
        lines.append(
            f"| {c.lane} | {unit[c.quantity]} | {quoted} | {c.kopru:,.1f} | {c.ratio:.2f} |"
            f" {'yes' if c.within else '**no**'} | {c.date} | `{c.source}` | {c.explanation} |"
        )
    return "\n".join(lines) + "\n"
