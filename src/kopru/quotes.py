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

from kopru.corridors import Network
from kopru.datapack import DataPack, split_list

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
    names = pack.nodes["name"]
    out = []
    for q in pack.table("lane_quotes").to_dict("records"):
        network = Network(pack, tuple(split_list(q["close"])))
        avoid = tuple(split_list(q["avoid"]))
        if avoid:
            network = network.avoiding(avoid, (q["origin"], q["destination"]))
        route = network.route(q["origin"], q["destination"], q["criterion"])
        value = route.cost_usd_per_teu if q["quantity"] == "cost_usd_per_teu" else route.days
        path = [q["origin"], *(leg.as_dict()["to"] for leg in route.legs)]
        out.append(
            QuoteCheck(
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
            )
        )
    return out


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
