"""Who owns each satellite, what it is for, whether it is active, and its scheduling priority.

A CSV with ``norad,country`` and optional ``name,mission,active,priority,max_off_nadir_deg,
downlink_mbps`` columns (``downlink_mbps``: the satellite's own downlink rate, else the run's). The shipped
``satellites.csv`` covers the shipped element sets. A satellite missing from the file has no known
owner or status: pooling leaves it out (no member vouches for it, so it gets no member's antenna
time) and imaging keeps it as an Earth-observation satellite of unknown country; both say so.
Where a row has a ``name``, outputs use it instead of the catalogue name (``GOKTURK 1A`` is
Göktürk-1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from kopru import documents
from kopru.errors import StationError
from kopru.space.stations import read_text
from kopru.space.tle import Constellation, unique_names

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
    # the sensor's own off-nadir limit, degrees (an optional column); None: the run's --max-off-nadir
    max_off_nadir_deg: float | None = None
    # the satellite's own downlink rate, Mbit/s (an optional column); None: the run's --rate-mbps
    downlink_mbps: float | None = None


def parse_satellites(text: str, source: str = "<text>") -> dict[int, SatelliteInfo]:
    header, rows = documents.csv_rows(text, source, error=StationError)
    documents.require_columns(
        header,
        ("norad", "country"),
        source,
        "norad,country[,priority,active,mission,max_off_nadir_deg,downlink_mbps]",
        error=StationError,
    )
    out: dict[int, SatelliteInfo] = {}
    for i, raw in enumerate(rows):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        where = f"{source} row {i + 2}"
        try:
            norad = int(row["norad"])
        except ValueError:
            raise StationError(f"{where}: 'norad' is {row['norad']!r}, expected a catalogue number") from None
        if not 0 < norad <= MAX_NORAD:
            raise StationError(
                f"{where}: 'norad' is {norad}, expected a catalogue number from 1 to {MAX_NORAD}"
            )
        if norad in out:  # a second row for one satellite would silently replace the first
            first = next(k for k, r in enumerate(rows) if (r.get("norad") or "").strip() == row["norad"]) + 2
            raise StationError(
                f"{where}: NORAD {norad} is listed already in row {first}; give each satellite once"
            )
        active = (row.get("active") or "true").lower()
        if active not in TRUE | FALSE:
            raise StationError(f"{where}: 'active' is {active!r}, expected true or false")
        try:
            priority = float(row.get("priority") or 1.0)
        except ValueError:
            raise StationError(_bad_priority(where, repr(row.get("priority")))) from None
        # the schedule weighs contact seconds by priority: at 0 a satellite got no contact at all, even
        # with the antennas idle; NaN fails both tests, and infinity would break the MILP later
        if not 0 < priority < float("inf"):
            raise StationError(_bad_priority(where, f"{priority:g}"))
        out[norad] = SatelliteInfo(
            norad,
            row.get("name", ""),
            row["country"],
            _mission(row.get("mission", ""), where),
            active in TRUE,
            priority,
            _off_nadir(row.get("max_off_nadir_deg", ""), where),
            _rate(row.get("downlink_mbps", ""), where),
        )
    return out


def _bad_priority(where: str, shown: str) -> str:
    return (
        f"{where}: priority must be > 0; 'priority' is {shown}, expected a finite number such as 1, or 0.1"
        " for the lowest (at 0 a satellite gets no contact at all)"
    )


MAX_NORAD = 999_999_999  # catalogue numbers run past 99,999 (Alpha-5 and beyond): a sanity bound
MISSIONS = ("earth-observation", "communications", "navigation", "science", "technology")


def _mission(text: str, where: str) -> str:
    """A mission in any case ('Earth-Observation'), one of MISSIONS or empty: a typo would silently
    leave an imaging satellite out of imaging."""
    mission = text.strip().lower().replace(" ", "-").replace("_", "-")
    if mission and mission not in MISSIONS:
        raise StationError(f"{where}: 'mission' is {text!r}, expected one of {', '.join(MISSIONS)} or empty")
    return mission


MAX_RATE_MBPS = 100_000.0  # 100 Gbit/s: beyond any satellite downlink (a sanity bound)


def _off_nadir(text: str, where: str) -> float | None:
    """An optional sensor limit in (0, 90) degrees; empty: none of its own."""
    return _optional(
        text, where, "max_off_nadir_deg", lambda v: 0.0 < v < 90.0, "degrees in (0, 90) or empty"
    )


def _rate(text: str, where: str) -> float | None:
    """An optional downlink rate in (0, MAX_RATE_MBPS] Mbit/s; empty: the run's."""
    expected = f"Mbit/s above 0 and at most {MAX_RATE_MBPS:g}, or empty"
    return _optional(text, where, "downlink_mbps", lambda v: 0.0 < v <= MAX_RATE_MBPS, expected)


def _optional(text: str, where: str, column: str, ok: Callable[[float], bool], expected: str) -> float | None:
    """An optional number of a column: None when empty, else a value ``ok`` accepts (text that is no
    number, or NaN, never is)."""
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not ok(value):
        raise StationError(f"{where}: {column!r} is {text!r}, expected {expected}")
    return value


def read_satellites(path: str | Path | None = None) -> dict[int, SatelliteInfo]:
    """Read a satellites CSV; ``None`` reads the shipped one."""
    if path is None:
        return parse_satellites((DATA / "satellites.csv").read_text(encoding="utf-8"), "satellites.csv")
    return parse_satellites(read_text(path, "satellites"), str(path))


def named(constellation: Constellation, owners: dict[int, SatelliteInfo]) -> Constellation:
    """The constellation with each satellite called by its ``name`` in ``owners`` (the catalogue
    name kept in ``catalogue_name``). Names are keys of reports and schedules, so a name that two
    satellites would share is not used, and one they share anyway is followed by each one's NORAD
    number (:func:`~kopru.space.tle.unique_names`)."""
    wanted = [
        owners[e.norad].name if e.norad in owners and owners[e.norad].name else e.name for e in constellation
    ]
    taken = {n: wanted.count(n) for n in wanted}
    return Constellation(
        unique_names(
            [
                replace(e, name=n, catalogue_name=e.catalogue_name or e.name)
                if n != e.name and taken[n] == 1
                else e
                for e, n in zip(constellation, wanted, strict=True)
            ]
        )
    )
