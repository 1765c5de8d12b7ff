"""Ground stations (and imaging sites): a CSV of ``name,country,lat,lon,elev_m``, ``status`` and ``serves``.

Each row is one antenna: the scheduler lets it serve one satellite at a time, so a site with two
usable antennas is two rows (the shipped file keeps a multi-antenna site as one row, its
``site_antennas`` column saying so, because which antenna could take a LEO pass is not
published). ``elev_m`` may be blank (taken as 0 m: an error of a few hundred metres in height
moves AOS/LOS of a LEO pass by well under a second). ``status`` says what the row is
(:data:`STATUSES`; blank or absent: ``operational``, the user vouches for their own file); passes
and pooling use the statuses asked for and keep the rows they left out, so reports can name them.
``serves`` says which satellites the antenna can work (:data:`SERVES`): ``leo`` (it tracks
satellites across the sky: EO downlink and TT&C), ``geo`` (a geostationary control centre, no
known tracking antenna), ``both`` or ``none``; blank or absent: ``both``, as for ``status``.
Satellites that are not geostationary get only ``leo``/``both`` antennas unless the caller assumes
otherwise. ``timezone`` (an IANA name such as ``Asia/Almaty``) gives the station's local time;
blank or absent, the country's (:data:`COUNTRY_ZONES`, one zone each for the countries of these
stations: Kazakhstan has kept one, UTC+5, since 1 March 2024), else UTC. Zones are read from the
``tzdata`` package kopru depends on, not the machine's, so local times do not differ by machine.
``min_elevation_deg`` is the antenna's own elevation mask (terrain, buildings, a radome or a
licence), in [-10°, 89°] as the run's; blank or absent, the run's (``--min-elevation``). Like the
run's, it is on the geometric elevation, or on the apparent one with a ``--refraction`` model.
``serves_basis`` says whether ``serves`` rests on a ``source`` or an ``assumption`` (blank or absent:
not said); pooling names the antennas that track LEO satellites by assumption and the contact time
that rests on them. Other extra columns are kept but unused.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from kopru import documents
from kopru.errors import SpaceWarning, StationError
from kopru.space.frames import Topocentric

REQUIRED = ("name", "country", "lat", "lon", "elev_m")
# what a row of a stations file is: an antenna in use, a backup, one to come, or not a station at all
STATUSES = ("operational", "backup", "planned", "not_a_station")
DEFAULT_STATUSES = ("operational",)
# which satellites an antenna can work: tracking (leo), geostationary only (geo), both, or none
SERVES = ("leo", "geo", "both", "none")
TRACKS_LEO = ("leo", "both")
SERVES_BASES = ("source", "assumption", "")  # what the serves column rests on; blank: not said
MASK_RANGE = (-10.0, 89.0)  # an elevation mask, degrees: an antenna's own and a run's (kopru.space.api)
NOT_FOR_LEO = {
    "geo": "a geostationary control centre: no source found of an antenna that tracks LEO satellites"
    " (--assume-leo-antennas uses it as if it had one)",
    "none": "no antenna for these satellites",
}
DATA = resources.files("kopru.space") / "data"
# a country's zone where the whole country keeps one (by the names the stations files use)
COUNTRY_ZONES = {
    "Kazakhstan": "Asia/Almaty",
    "Türkiye": "Europe/Istanbul",
    "Turkey": "Europe/Istanbul",
    "Azerbaijan": "Asia/Baku",
    "Uzbekistan": "Asia/Tashkent",
    "Kyrgyzstan": "Asia/Bishkek",
    "Turkmenistan": "Asia/Ashgabat",
    "Tajikistan": "Asia/Dushanbe",
    "Hungary": "Europe/Budapest",
    "Georgia": "Asia/Tbilisi",
}
MAX_FILE_BYTES = 10_000_000


def _status_word(text: object) -> str:
    """A status as written, in any case and with spaces or hyphens for underscores."""
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


@dataclass(frozen=True)
class Stations:
    """A table of sites: names, countries and WGS84 coordinates as arrays, one row per antenna."""

    name: tuple[str, ...]
    country: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    elev_m: np.ndarray
    status: tuple[str, ...] = ()  # one per row; empty: every row operational
    # rows of the file left out by status: {"name", "country", "status"}
    left_out: tuple[dict[str, str], ...] = ()
    serves: tuple[str, ...] = ()  # one per row; empty: every row serves both
    timezone: tuple[str, ...] = ()  # one IANA zone per row; empty: UTC for every row
    # each antenna's own elevation mask in degrees (terrain, a radome, a licence), NaN: the run's
    mask_deg: np.ndarray | None = None
    # per row, whether its serves column rests on a source or an assumption (blank: not said)
    serves_basis: tuple[str, ...] = ()
    # rows of the file that got UTC because their country has no built-in zone and they gave none:
    # (name, country); read_stations warns (a review: a Svalbard row's 'local' times were UTC, silently)
    zone_guessed: tuple[tuple[str, str], ...] = ()

    def masks(self, default_deg: float) -> np.ndarray:
        """(G,) each antenna's elevation mask: its own, else the run's ``default_deg``."""
        own = np.full(len(self.name), np.nan) if self.mask_deg is None else self.mask_deg
        return np.where(np.isnan(own), default_deg, own)

    def own_masks(self) -> dict[str, float]:
        """The antennas with a mask of their own, by name."""
        if self.mask_deg is None:
            return {}
        return {self.name[i]: float(self.mask_deg[i]) for i in np.flatnonzero(~np.isnan(self.mask_deg))}

    def zones(self) -> tuple[str, ...]:
        return self.timezone or ("UTC",) * len(self.name)

    def __len__(self) -> int:
        return len(self.name)

    @property
    def topocentric(self) -> Topocentric:
        return Topocentric.from_geodetic(self.lat, self.lon, self.elev_m)

    def statuses(self) -> tuple[str, ...]:
        return self.status or ("operational",) * len(self.name)

    def serving(self) -> tuple[str, ...]:
        return self.serves or ("both",) * len(self.name)

    def bases(self) -> tuple[str, ...]:
        return self.serves_basis or ("",) * len(self.name)

    def leo_assumed(self) -> np.ndarray:
        """Rows that track LEO satellites by an assumption of the data (``serves_basis``), not a source:
        a pooled gain that rests on them is not established (a review: Azercosmos Main's antenna)."""
        tracks = self.tracks_leo()
        return tracks & np.array([b == "assumption" for b in self.bases()], dtype=bool)

    def tracks_leo(self, assume_leo_antennas: bool = False) -> np.ndarray:
        """Rows that may work satellites which are not geostationary; ``assume_leo_antennas`` also
        takes the geostationary control centres (as if they had tracking antennas), never ``none``."""
        wanted = TRACKS_LEO + (("geo",) if assume_leo_antennas else ())
        return np.array([s in wanted for s in self.serving()], dtype=bool)

    def not_for_leo(self, assume_leo_antennas: bool = False) -> tuple[dict[str, str], ...]:
        """The rows :meth:`tracks_leo` refuses, named for reports: {"name", "country", "serves", "reason"}."""
        serves = self.serving()
        return tuple(
            {
                "name": self.name[i],
                "country": self.country[i],
                "serves": serves[i],
                "reason": NOT_FOR_LEO[serves[i]],
            }
            for i in np.flatnonzero(~self.tracks_leo(assume_leo_antennas))
        )

    def subset(self, mask: np.ndarray) -> Stations:
        idx = np.flatnonzero(mask)
        status, serves, zones, bases = self.statuses(), self.serving(), self.zones(), self.bases()
        return Stations(
            tuple(self.name[i] for i in idx),
            tuple(self.country[i] for i in idx),
            self.lat[idx],
            self.lon[idx],
            self.elev_m[idx],
            tuple(status[i] for i in idx),
            self.left_out,
            tuple(serves[i] for i in idx),
            tuple(zones[i] for i in idx),
            None if self.mask_deg is None else self.mask_deg[idx],
            tuple(bases[i] for i in idx),
        )

    def with_status(self, wanted: tuple[str, ...] = DEFAULT_STATUSES) -> Stations:
        """The rows whose status is in ``wanted``; the others are kept in ``left_out``."""
        if not wanted:
            raise StationError(
                f"station_status names no status; expected one or more of {', '.join(STATUSES)},"
                " comma-separated",
                field="station_status",
            )
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise StationError(
                f"station status {unknown[0]!r} is unknown; expected one of {', '.join(STATUSES)}",
                field="station_status",
            )
        status = self.statuses()
        keep = np.array([s in wanted for s in status], dtype=bool)
        if not keep.any():
            found = ", ".join(sorted(set(status)))
            raise StationError(
                f"no station has status {' or '.join(wanted)} (the file has {found});"
                " choose others with --station-status",
                field="station_status",
            )
        dropped = tuple(
            {"name": self.name[i], "country": self.country[i], "status": status[i]}
            for i in np.flatnonzero(~keep)
        )
        return replace(self.subset(keep), left_out=self.left_out + dropped)

    @classmethod
    def from_rows(cls, rows: list[dict[str, object]], source: str = "<rows>") -> Stations:
        """Validate dicts with name, country, lat, lon and optional elev_m (blank → 0)."""
        if not rows:
            raise StationError(f"{source}: no rows; expected at least one site")
        names, countries, lats, lons, elevs, statuses, serves, zones = [], [], [], [], [], [], [], []
        bases: list[str] = []
        guessed: list[tuple[str, str]] = []
        masks: list[float] = []
        for i, row in enumerate(rows):
            where = f"{source} row {i + 2}"  # row 1 is the header
            name = str(row.get("name") or "").strip()
            if not name:
                raise StationError(f"{where}: 'name' is blank; every site needs a name")
            # any case, as 'serves' ('Operational', 'Not a station' from a spreadsheet: a review)
            status = _status_word(row.get("status")) or "operational"
            if status not in STATUSES:
                raise StationError(f"{where}: 'status' is {status!r}; expected one of {', '.join(STATUSES)}")
            statuses.append(status)
            serve = str(row.get("serves") or "").strip().lower() or "both"
            if serve not in SERVES:
                raise StationError(f"{where}: 'serves' is {serve!r}; expected one of {', '.join(SERVES)}")
            serves.append(serve)
            basis = str(row.get("serves_basis") or "").strip().lower()
            if basis not in SERVES_BASES:
                raise StationError(
                    f"{where}: 'serves_basis' is {basis!r}; expected source, assumption or blank"
                )
            bases.append(basis)
            lat = _number(row.get("lat"), "lat", where, -90.0, 90.0)
            lon = _number(row.get("lon"), "lon", where, -180.0, 360.0)
            elev = _number(row.get("elev_m"), "elev_m", where, -500.0, 9000.0, blank=0.0)
            mask = _number(
                row.get("min_elevation_deg"), "min_elevation_deg", where, *MASK_RANGE, blank=np.nan
            )
            masks.append(mask)
            names.append(name)
            countries.append(str(row.get("country") or "").strip())
            zones.append(_zone_name(row.get("timezone"), countries[-1], where))
            if not str(row.get("timezone") or "").strip() and countries[-1] not in COUNTRY_ZONES:
                guessed.append((name, countries[-1]))
            lats.append(lat)
            lons.append(((lon + 180.0) % 360.0) - 180.0)
            elevs.append(elev)
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise StationError(f"{source}: site name {dupes[0]!r} appears twice; names must be unique")
        return cls(
            tuple(names),
            tuple(countries),
            np.array(lats),
            np.array(lons),
            np.array(elevs),
            tuple(statuses),
            serves=tuple(serves),
            timezone=tuple(zones),
            mask_deg=np.array(masks) if not np.isnan(masks).all() else None,
            serves_basis=tuple(bases),
            zone_guessed=tuple(guessed),
        )


def _zone_name(value: object, country: str, where: str) -> str:
    """The row's IANA zone: its own, else its country's, else UTC; one tzdata does not know is refused."""
    name = str(value or "").strip() or COUNTRY_ZONES.get(country, "UTC")
    try:
        zone(name)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        raise StationError(
            f"{where}: 'timezone' is {name!r}; expected an IANA zone name such as Asia/Almaty"
            " or Europe/Istanbul"
        ) from None
    return name


@functools.cache
def zone(name: str) -> ZoneInfo:
    """An IANA zone from the tzdata package (pinned in kopru's dependencies), not the machine's files."""
    parts = name.split("/")
    if not all(re.fullmatch(r"[A-Za-z0-9_+-]+", p) for p in parts):
        raise ValueError(f"not a zone name: {name!r}")
    path = resources.files("tzdata").joinpath("zoneinfo", *parts)
    with path.open("rb") as f:
        return ZoneInfo.from_file(f, key=name)


def _number(
    value: object, column: str, where: str, lo: float, hi: float, blank: float | None = None
) -> float:
    text = "" if value is None else str(value).strip()
    if not text:
        if blank is not None:
            return blank
        raise StationError(f"{where}: '{column}' is blank; expected a number in [{lo:g}, {hi:g}]")
    try:
        x = float(text)
    except ValueError:
        raise StationError(
            f"{where}: '{column}' is {text!r}, expected a number in [{lo:g}, {hi:g}]"
        ) from None
    if not (lo <= x <= hi):
        raise StationError(
            f"{where}: '{column}' is {x:g}, out of range; expected a number in [{lo:g}, {hi:g}]"
        )
    return x


def parse_stations(text: str, source: str = "<text>", required: tuple[str, ...] = REQUIRED) -> Stations:
    """Parse a stations CSV; ``required`` names the columns that must be present."""
    header, rows = documents.csv_rows(text, source, error=StationError)
    documents.require_columns(
        header, required, source, f"a header with {','.join(required)}", error=StationError
    )
    for i, row in enumerate(rows):
        if None in row.values() and "name" in row:
            raise StationError(f"{source} row {i + 2}: fewer fields than the header has columns")
    return Stations.from_rows(rows, source)


def read_stations(
    path: str | Path | None = None, statuses: tuple[str, ...] | None = DEFAULT_STATUSES
) -> Stations:
    """Read a stations CSV (``None``: the shipped Kazakh, Turkish and OTS ground stations) and keep
    the rows whose status is in ``statuses`` (None: every row)."""
    if path is None:
        stations = parse_stations(
            (DATA / "ground-stations.csv").read_text(encoding="utf-8"), "ground-stations.csv"
        )
    else:
        stations = parse_stations(read_text(path, "stations"), str(path))
        _warn_zones(stations.zone_guessed, str(path))
    return stations if statuses is None else stations.with_status(tuple(statuses))


def _warn_zones(guessed: tuple[tuple[str, str], ...], source: str) -> None:
    """One warning naming the stations whose local time is UTC for want of a zone, and the fix."""
    if not guessed:
        return
    rows = ", ".join(f"{name} ({country or 'no country'})" for name, country in guessed)
    warnings.warn(
        f"no time zone known for {rows} (their country has no built-in one): their local times are UTC;"
        f" add a timezone column to {source} with an IANA zone name such as Arctic/Longyearbyen",
        SpaceWarning,
        stacklevel=3,
    )


def read_text(path: str | Path, what: str) -> str:
    """A station, satellite or site CSV, through kopru's one document reader."""
    return documents.read_text(path, f"{what} file", error=StationError, max_bytes=MAX_FILE_BYTES)
