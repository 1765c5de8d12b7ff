"""Imaging opportunities of Earth-observation satellites over sites (by default every Kazakh SEZ).

An opportunity is a pass of a non-geostationary, active satellite over a site whose closest
approach (taken as the time of maximum elevation of the satellite seen from the site) has an
off-nadir angle within the sensor's limit (the satellites file's ``max_off_nadir_deg`` where it
gives one, else the run's) and the Sun high enough for optical imaging.

Per site, the result also gives the revisit that pooling the satellites buys: the number of
opportunities and the longest time without one (from the window's start to its end) with the
site's own country's satellites alone and with every satellite. Sites at the same point (the
data pack gives some SEZs one city-level centroid) repeat each other's opportunities; each row
names the others (``same_point_as``). A satellite without a row in the satellites file is kept as
an Earth-observation satellite of unknown country, with a warning.

The off-nadir angle is measured at the satellite between the geocentric nadir and the site. The
pass search runs at the elevation that the off-nadir limit allows at the satellite's highest
altitude, on a polar-radius Earth, minus a margin — a conservative threshold — and every
candidate is then checked with the exact angle.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from kopru import datapack
from kopru.errors import SpaceWarning, StationError
from kopru.space.frames import Window
from kopru.space.propagation import PairPropagator
from kopru.space.satellites import SatelliteInfo
from kopru.space.stations import Stations, parse_stations, read_text
from kopru.space.sun import sun_elevation_deg
from kopru.space.tle import Constellation
from kopru.space.visibility import ELEMENT_COLUMNS, element_columns, find_passes

POLAR_RADIUS_KM = 6356.752
#: The keys of an opportunity's row, in order.
OPPORTUNITY_COLUMNS = (
    "satellite",
    "norad",
    "country",
    "site",
    "time",
    "off_nadir_deg",
    "sun_elevation_deg",
    "elevation_deg",
    "same_point_as",
)
THRESHOLD_MARGIN_DEG = 1.0


@dataclass(frozen=True)
class Opportunities:
    window: Window
    rows: list[dict[str, object]]
    excluded: list[dict[str, object]]
    sites: list[dict[str, object]] = field(default_factory=list)  # revisit per site
    constellation: Constellation | None = field(default=None, repr=False)  # every element set read
    warnings: tuple[str, ...] = ()  # besides stale element sets, which as_dict adds
    # the rows as arrays, in the same order: NORAD number, row of the sites table, seconds from the
    # window's start (kopru.space.delivery reads these)
    # by NORAD number, the warning of each satellite whose SGP4 fails in the window (also in warnings)
    failures: dict[int, str] = field(default_factory=dict, repr=False)
    norad: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    site: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    t: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def as_dict(self) -> dict[str, object]:
        start, end = self.window.start, self.window.end
        stale = self.constellation.stale_warning(start, end) if self.constellation else ""
        return {
            "opportunities": self.rows,
            "sites": self.sites,
            "element_sets": self.constellation.ages(start, end) if self.constellation else [],
            "warnings": [w for w in (stale, *self.warnings) if w],
            "excluded": self.excluded,
        }

    def csv_rows(self) -> list[dict[str, object]]:
        """The opportunities with each satellite's element-set epoch, age and warning (see
        :meth:`kopru.space.visibility.Passes.csv_rows`)."""
        if self.constellation is None:
            return self.rows
        ages = {a["norad"]: a for a in self.constellation.ages(self.window.start, self.window.end)}
        return [
            {
                **r,
                "same_point_as": "; ".join(r["same_point_as"]),
                **element_columns(ages[r["norad"]], self.failures.get(int(r["norad"]), "")),
            }
            for r in self.rows
        ]

    def csv_columns(self) -> list[str]:
        """The columns of :meth:`csv_rows`, in order: a CSV without an opportunity still has its header."""
        return [*OPPORTUNITY_COLUMNS, *(ELEMENT_COLUMNS if self.constellation is not None else ())]

    def repeated(self) -> int:
        """Opportunities that repeat another's over a site at the same point."""
        seen = {(r["norad"], r["time"], frozenset([r["site"], *r["same_point_as"]])) for r in self.rows}
        return len(self.rows) - len(seen)


def _sez_names() -> dict[str, str]:
    """SEZ id -> the name a reader sees (``sez_pit`` -> ``SEZ Park of Innovative Technologies ...``)."""
    return {str(i): f"SEZ {r['name']}" for i, r in datapack.load().sez.iterrows()}


def sez_sites() -> Stations:
    """Every special economic zone of the data pack as an imaging site, named as people read it."""
    sez = datapack.load().sez
    names = _sez_names()
    rows = [
        {"name": names[str(i)], "country": "Kazakhstan", "lat": r["lat"], "lon": r["lon"]}
        for i, r in sez.iterrows()
    ]
    return Stations.from_rows(rows, "data pack sez table")


def read_sites(spec: str | None) -> Stations:
    """``SEZ`` (or None): every SEZ; ``SEZ:id,id``: some of them (by id, such as sez_pit, or by
    name); otherwise a CSV with name, lat, lon (country and elev_m optional)."""
    if spec is None or spec.upper() == "SEZ":
        return sez_sites()
    if spec.upper().startswith("SEZ:"):
        names = _sez_names()
        wanted = [s.strip() for s in spec[4:].split(",") if s.strip()]
        if not wanted:
            raise StationError(
                f"sites {spec!r} names no SEZ; expected SEZ:id[,id...], e.g. SEZ:sez_pit", field="sites"
            )
        unknown = [w for w in wanted if w not in names and w not in names.values()]
        if unknown:
            raise StationError(f"unknown SEZ id {unknown[0]!r}; known: {', '.join(names)}", field="sites")
        chosen = [names.get(w, w) for w in wanted]
        sites = sez_sites()
        return sites.subset(np.isin(np.array(sites.name), chosen))
    return parse_stations(read_text(spec, "sites"), spec, required=("name", "lat", "lon"))


def off_nadir_limit_elevation_deg(max_off_nadir_deg: float, altitude_km: float) -> float:
    """The lowest elevation at which a satellite at ``altitude_km`` sees a site within the off-nadir
    limit: cos(el) = (R + h) / R · sin(off-nadir), on a sphere of the polar radius."""
    c = (POLAR_RADIUS_KM + altitude_km) / POLAR_RADIUS_KM * math.sin(math.radians(max_off_nadir_deg))
    return 0.0 if c >= 1.0 else math.degrees(math.acos(c))


def imaging_opportunities(
    constellation: Constellation,
    sites: Stations,
    start: datetime,
    days: float,
    owners: dict[int, SatelliteInfo] | None = None,
    max_off_nadir_deg: float = 30.0,
    min_sun_elevation_deg: float = 10.0,
    satellites_file: str = "the satellites file",
) -> Opportunities:
    owners = owners or {}
    if not 0.0 < max_off_nadir_deg < 90.0:
        raise StationError(f"--max-off-nadir must be in (0, 90) degrees, got {max_off_nadir_deg:g}")
    keep, excluded = [], []
    for e in constellation:
        info = owners.get(e.norad)
        reason = "geostationary" if e.is_geostationary else ("inactive" if info and not info.active else "")
        if info and info.mission and info.mission != "earth-observation" and not reason:
            reason = f"mission: {info.mission}"
        if reason:
            excluded.append({"satellite": e.name, "norad": e.norad, "reason": reason})
        keep.append(not reason)
    sats = constellation.subset(keep)
    notes = _unknown_satellites(sats, owners, satellites_file)
    window = Window(start, days * 86400.0)
    if len(sats) == 0:
        return Opportunities(window, [], excluded, [], constellation, notes)
    # each satellite's own sensor limit where the satellites file gives one, else the run's
    own_limits = {n: i.max_off_nadir_deg for n, i in owners.items() if i.max_off_nadir_deg is not None}
    limit = np.array([own_limits.get(e.norad, max_off_nadir_deg) for e in sats])
    apogee = max(
        (398600.4418 / (e.satrec.no_kozai / 60.0) ** 2) ** (1 / 3) * (1 + e.eccentricity) - POLAR_RADIUS_KM
        for e in sats
    )
    threshold = max(0.0, off_nadir_limit_elevation_deg(float(limit.max()), apogee) - THRESHOLD_MARGIN_DEG)
    passes = find_passes(sats, sites, start, days, threshold)
    notes += passes.warnings  # SGP4 failures
    jd0, fr0 = window.jd
    r, _, ok = PairPropagator(sats, window, passes.sat)(passes.tca)
    to_site = sites.topocentric.position[passes.station] - r
    cos_nadir = np.einsum("kj,kj->k", -r, to_site) / (
        np.linalg.norm(r, axis=1) * np.linalg.norm(to_site, axis=1)
    )
    off_nadir = np.degrees(np.arccos(np.clip(cos_nadir, -1.0, 1.0)))
    sun = sun_elevation_deg(sites.topocentric, passes.station, jd0, fr0 + passes.tca / 86400.0)
    good = ok & (off_nadir <= limit[passes.sat]) & (sun >= min_sun_elevation_deg)
    owner = np.array([owners[e.norad].country if e.norad in owners else "" for e in sats], dtype=object)
    same_point = co_located(sites)
    times = window.iso(passes.tca[good])
    rows = [
        {
            "satellite": sats[int(s)].name,
            "norad": sats[int(s)].norad,
            "country": owner[int(s)],
            "site": sites.name[int(g)],
            "time": t,
            "off_nadir_deg": round(float(o), 2),
            "sun_elevation_deg": round(float(z), 2),
            "elevation_deg": round(float(el), 2),
            "same_point_as": same_point[int(g)],
        }
        for s, g, t, o, z, el in zip(
            passes.sat[good],
            passes.station[good],
            times,
            off_nadir[good],
            sun[good],
            passes.max_elevation_deg[good],
            strict=True,
        )
    ]
    revisit = site_revisits(
        sites, sats, owner, passes.sat[good], passes.station[good], passes.tca[good], window.seconds
    )
    norads = np.array([e.norad for e in sats], dtype=np.int64)
    return Opportunities(
        window,
        rows,
        excluded,
        revisit,
        constellation,
        notes,
        failures=passes.failures,
        norad=norads[passes.sat[good]],
        site=passes.station[good].astype(np.int64),
        t=passes.tca[good].astype(float),
    )


def check_satellites(found: Opportunities) -> Opportunities:
    """The opportunities, or a :class:`StationError` naming every satellite left out and why when
    none could image: an empty table would read as satellites that never pass over the sites."""
    if found.constellation is None or len(found.excluded) < len(found.constellation):
        return found
    left = ", ".join(f"{e['satellite']} ({e['reason']})" for e in found.excluded)
    raise StationError(
        f"no satellite to image: every satellite is left out: {left}; expected at least one active"
        " Earth-observation satellite that is not geostationary (the satellites file's mission and"
        " active columns)"
    )


def _unknown_satellites(
    sats: Constellation, owners: dict[int, SatelliteInfo], satellites_file: str
) -> tuple[str, ...]:
    names = [f"{e.name} (NORAD {e.norad})" for e in sats if e.norad not in owners]
    if not names:
        return ()
    note = (
        f"{len(names)} satellite(s) have no row in {satellites_file}: {', '.join(names)} — kept as"
        " Earth-observation satellites of unknown country (no site's own satellites)"
    )
    warnings.warn(note, SpaceWarning, stacklevel=3)
    return (note,)


def co_located(sites: Stations) -> list[list[str]]:
    """For each site, the other sites at the same coordinates (to 1e-6°, about 0.1 m)."""
    _, point = np.unique(np.round(np.c_[sites.lat, sites.lon], 6), axis=0, return_inverse=True)
    point = point.ravel()
    return [[sites.name[j] for j in np.flatnonzero(point == point[i]) if j != i] for i in range(len(sites))]


def longest_gaps(
    group: np.ndarray, t: np.ndarray, n_groups: int, span: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per group, the longest time in [0, span] without an event: between two events, or from the
    window's start to the first or from the last to the end; ``span`` for a group with none. And
    whether that longest gap runs to an edge of the window: it is then only a lower bound (what
    comes before the start or after the end is not computed)."""
    o = np.lexsort((t, group))
    g, t = group[o], t[o]
    first = np.r_[True, g[1:] != g[:-1]] if len(g) else np.zeros(0, bool)
    last = np.r_[g[1:] != g[:-1], True] if len(g) else np.zeros(0, bool)
    longest = np.where(np.bincount(g, minlength=n_groups) > 0, 0.0, span)
    inner = t - np.where(first, 0.0, np.r_[0.0, t[:-1]])
    np.maximum.at(longest, g, inner)
    np.maximum.at(longest, g[last], span - t[last])
    at_edge = np.bincount(g, minlength=n_groups) == 0
    at_edge[g[first & (inner >= longest[g])]] = True
    at_edge[g[last][span - t[last] >= longest[g[last]]]] = True
    return longest, at_edge


def site_revisits(
    sites: Stations,
    sats: Constellation,
    owner: np.ndarray,
    sat: np.ndarray,
    site: np.ndarray,
    t: np.ndarray,
    span: float,
) -> list[dict[str, object]]:
    """Per site: opportunities and the longest gap with the site's own country's satellites alone
    (None when the site has no country) and with every satellite."""
    n = len(sites)
    site_country = np.array(sites.country, dtype=object)
    own = (owner[sat] == site_country[site]) & (site_country[site] != "")
    counts = {"all": np.bincount(site, minlength=n), "own": np.bincount(site[own], minlength=n)}
    gaps = {"all": longest_gaps(site, t, n, span), "own": longest_gaps(site[own], t[own], n, span)}
    same_point = co_located(sites)

    def scope(key: str, g: int) -> dict[str, object]:
        longest, at_edge = gaps[key]
        return {
            "opportunities": int(counts[key][g]),
            "longest_gap_h": round(float(longest[g]) / 3600.0, 1),
            "longest_gap_at_least": bool(at_edge[g]),  # it runs to the window's edge: a lower bound
        }

    return [
        {
            "site": sites.name[g],
            "country": sites.country[g],
            "own_satellites": [
                e.name for e, c in zip(sats, owner, strict=True) if c and c == sites.country[g]
            ],
            "own": scope("own", g) if sites.country[g] else None,
            "all": scope("all", g),
            "same_point_as": same_point[g],
        }
        for g in range(n)
    ]
