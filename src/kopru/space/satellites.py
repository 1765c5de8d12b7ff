"""Who owns each satellite, what it is for, whether it is active, and its scheduling priority.

A CSV with ``norad,country`` and optional ``name,mission,active,priority`` columns. The shipped
``satellites.csv`` covers the shipped element sets; satellites missing from it are treated as
active, of unknown country (they have no "own" stations) and priority 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kopru import documents
from kopru.errors import StationError
from kopru.space.stations import read_text

DATA = resources.files("kopru.space") / "data"
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


@dataclass(frozen=True)
class SatelliteInfo:
    norad: int
    name: str
    country: str
    mission: str = ""
    active: bool = True
    priority: float = 1.0


def parse_satellites(text: str, source: str = "<text>") -> dict[int, SatelliteInfo]:
    header, rows = documents.csv_rows(text, source, error=StationError)
    documents.require_columns(
        header, ("norad", "country"), source, "norad,country[,priority,active]", error=StationError
    )
    out: dict[int, SatelliteInfo] = {}
    for i, raw in enumerate(rows):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        where = f"{source} row {i + 2}"
        try:
            norad = int(row["norad"])
        except ValueError:
            raise StationError(f"{where}: 'norad' is {row['norad']!r}, expected a catalogue number") from None
        active = (row.get("active") or "true").lower()
        if active not in TRUE | FALSE:
            raise StationError(f"{where}: 'active' is {active!r}, expected true or false")
        try:
            priority = float(row.get("priority") or 1.0)
        except ValueError:
            raise StationError(
                f"{where}: 'priority' is {row.get('priority')!r}, expected a number >= 0"
            ) from None
        if not priority >= 0:
            raise StationError(f"{where}: 'priority' is {priority:g}, expected a number >= 0")
        out[norad] = SatelliteInfo(
            norad, row.get("name", ""), row["country"], row.get("mission", ""), active in TRUE, priority
        )
    return out


def read_satellites(path: str | Path | None = None) -> dict[int, SatelliteInfo]:
    """Read a satellites CSV; ``None`` reads the shipped one."""
    if path is None:
        return parse_satellites((DATA / "satellites.csv").read_text(encoding="utf-8"), "satellites.csv")
    return parse_satellites(read_text(path, "satellites"), str(path))
