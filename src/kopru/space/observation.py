"""Imaging opportunities of Earth-observation satellites over sites (by default every Kazakh SEZ).

An opportunity is a pass of a non-geostationary, active satellite over a site whose closest
approach (taken as the time of maximum elevation of the satellite seen from the site) has an
off-nadir angle within the sensor's limit (the satellites file's ``max_off_nadir_deg`` where it
gives one, else the run's) and the Sun high enough for optical imaging.

Per site, the result also gives the revisit that pooling the satellites buys: the number of
opportunities and the longest time without one with the site's own country's satellites alone and
with every satellite. The gaps across the window's start and end run to the site's nearest
opportunity outside it, searched up to :data:`~kopru.space.pooling.EDGE_LOOK_DAYS` before the start
and after the end with the same checks (a gap is only a lower bound when none lies within that
look), so that the gap over a night at either end is not cut in two. Sites at the same point (the
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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from kopru import datapack
from kopru.errors import SpaceWarning, StationError
from kopru.space.frames import Window
from kopru.space.pooling import EDGE_LOOK_DAYS
from kopru.space.propagation import PairPropagator
from kopru.space.satellites import SatelliteInfo
from kopru.space.stations import Stations, parse_stations, read_text
from kopru.space.sun import sun_elevation_deg
from kopru.space.tle import Constellation
from kopru.space.visibility import ELEMENT_COLUMNS, Passes, element_columns, find_passes

POLAR_RADIUS_KM = 6356.752
MAX_OFF_NADIR_DEG = 30.0  # the run's sensor limit unless the user or the satellites file gives one
MIN_SUN_ELEVATION_DEG = 10.0  # the Sun above the site's horizon for optical imaging, unless given
#: A pass cut by a search's start or end whose highest point in it is within this of the cut has its
#: closest approach beyond it: an opportunity of the window on that side, not of this search.
CUT_TOLERANCE_S = 2e-3  # twice the pass search's 1 ms: its highest point is clipped to the cut exactly
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
    # by NORAD number, the warning of each satellite whose SGP4 fails in the window (also in warnings)
    failures: dict[int, str] = field(default_factory=dict, repr=False)
    # the rows as arrays, in the same order: NORAD number, row of the sites table, seconds from the
    # window's start (kopru.space.delivery reads these)
    norad: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    site: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    t: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    # the run's limits, which every opportunity keeps to; a satellite's own off-nadir limit (the
    # satellites file's max_off_nadir_deg), by its name, replaces the run's
    max_off_nadir_deg: float = MAX_OFF_NADIR_DEG
    min_sun_elevation_deg: float = MIN_SUN_ELEVATION_DEG
    own_off_nadir_deg: dict[str, float] = field(default_factory=dict)
    look_days: float = EDGE_LOOK_DAYS  # how far past the window's ends the revisit gaps are followed
    # passes in the window the limits turned away: 'off_nadir' (near enough to check, beyond the sensor's
    # limit) and 'sun' (within it, the Sun too low at the site); a review found 0 opportunities in
    # polar night with no word why
    rejected: dict[str, int] = field(default_factory=lambda: {"off_nadir": 0, "sun": 0})

    def used_sets(self) -> Constellation | None:
        """The element sets of the satellites that image: not those left out (geostationary,
        inactive, another mission), whose age is no matter to the run."""
        return self.constellation.without(self.excluded) if self.constellation is not None else None

    def as_dict(self) -> dict[str, object]:
        start, end = self.window.start, self.window.end
        used = self.used_sets()
        stale = used.stale_warning(start, end) if used else ""
        return {
            "parameters": {
                "max_off_nadir_deg": self.max_off_nadir_deg,
                "satellite_max_off_nadir_deg": self.own_off_nadir_deg,
                "min_sun_elevation_deg": self.min_sun_elevation_deg,
                "edge_look_days": self.look_days,
            },
            "limits": self.limits(),
            "rejected": self.rejected,
            "opportunities": self.rows,
            "sites": self.sites,
            "element_sets": used.ages(start, end) if used else [],
            "warnings": [w for w in (stale, *self.warnings) if w],
            "excluded": self.excluded,
        }

    def limits(self) -> str:
        """The run's limits as an operator reads them: 'off-nadir ≤ 30°, Sun ≥ 10° above the
        horizon', with each satellite that has its own off-nadir limit named with it."""
        imaging = len(self.constellation) - len(self.excluded) if self.constellation is not None else -1
        own = self.own_off_nadir_deg
        return imaging_limits(
            self.max_off_nadir_deg, self.min_sun_elevation_deg, own, bool(own) and len(own) == imaging
        )

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

    def rejections(self) -> str:
        """'30 passes within the off-nadir limit rejected: the Sun below 10° at the site …', or empty."""
        said = []
        sun, nadir, low = self.rejected["sun"], self.rejected["off_nadir"], self.min_sun_elevation_deg
        if sun:
            where = f"below {low:g}°" if low >= 0 else f"more than {-low:g}° below the horizon"
            said.append(
                f"{_passes(sun)} within the off-nadir limit rejected by the Sun limit: the Sun {where} at"
                " the site (--min-sun-elevation)"
            )
        if nadir:
            said.append(
                f"{_passes(nadir)} near enough to check rejected by the off-nadir limit (--max-off-nadir)"
            )
        return "; ".join(said)

    def repeated(self) -> int:
        """Opportunities that repeat another's over a site at the same point."""
        seen = {(r["norad"], r["time"], frozenset([r["site"], *r["same_point_as"]])) for r in self.rows}
        return len(self.rows) - len(seen)


def _passes(n: int) -> str:
    return f"{n} pass" + ("" if n == 1 else "es")


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


def imaging_limits(
    max_off_nadir_deg: float, min_sun_elevation_deg: float, own: dict[str, float], every_own: bool = False
) -> str:
    """'off-nadir ≤ 30°, Sun ≥ 10° above the horizon': the limits of a run in an operator's words.
    ``own``: the satellites, by name, whose own sensor limit (the satellites file's) replaces the
    run's; ``every_own``: every satellite has one, so the run's limit applies to none."""
    named = ", ".join(f"{name} ≤ {deg:g}°" for name, deg in own.items())
    if own and every_own:
        nadir = f"off-nadir within each satellite's own limit ({named}, from the satellites file)"
    elif own:
        whose = "its own limit" if len(own) == 1 else "their own limits"
        nadir = f"off-nadir ≤ {max_off_nadir_deg:g}° ({named}: {whose}, from the satellites file)"
    else:
        nadir = f"off-nadir ≤ {max_off_nadir_deg:g}°"
    sun = (
        f"Sun ≥ {min_sun_elevation_deg:g}° above the horizon"
        if min_sun_elevation_deg >= 0
        else f"Sun no more than {-min_sun_elevation_deg:g}° below the horizon"
    )
    return f"{nadir}, {sun}"


def imaging_members(
    constellation: Constellation, owners: dict[int, SatelliteInfo]
) -> tuple[list[bool], list[dict[str, object]]]:
    """Which satellites image, and the others with their reason."""
    keep, excluded = [], []
    for e in constellation:
        info = owners.get(e.norad)
        reason = "geostationary" if e.is_geostationary else ("inactive" if info and not info.active else "")
        if info and info.mission and info.mission != "earth-observation" and not reason:
            reason = f"mission: {info.mission}"
        if reason:
            excluded.append({"satellite": e.name, "norad": e.norad, "reason": reason})
        keep.append(not reason)
    return keep, excluded


def imaging_opportunities(
    constellation: Constellation,
    sites: Stations,
    start: datetime,
    days: float,
    owners: dict[int, SatelliteInfo] | None = None,
    max_off_nadir_deg: float = MAX_OFF_NADIR_DEG,
    min_sun_elevation_deg: float = MIN_SUN_ELEVATION_DEG,
    satellites_file: str = "the satellites file",
    look_days: float = EDGE_LOOK_DAYS,
) -> Opportunities:
    """The opportunities in ``[start, start + days]`` and each site's revisit; ``look_days``: how far
    before the start and after the end the revisit gaps are followed to the nearest opportunity (0:
    the gaps stop at the window's ends, as lower bounds)."""
    owners = owners or {}
    if not 0.0 < max_off_nadir_deg < 90.0:
        raise StationError(f"--max-off-nadir must be in (0, 90) degrees, got {max_off_nadir_deg:g}")
    if not 0.0 <= look_days < math.inf:
        raise ValueError(f"look_days must be a number of days >= 0, got {look_days:g}")
    keep, excluded = imaging_members(constellation, owners)
    sats = constellation.subset(keep)
    notes = _unknown_satellites(sats, owners, satellites_file)
    window = Window(start, days * 86400.0)
    # each satellite's own sensor limit where the satellites file gives one, else the run's
    own_limits = {n: i.max_off_nadir_deg for n, i in owners.items() if i.max_off_nadir_deg is not None}
    limits = {
        "max_off_nadir_deg": max_off_nadir_deg,
        "min_sun_elevation_deg": min_sun_elevation_deg,
        "own_off_nadir_deg": {e.name: float(own_limits[e.norad]) for e in sats if e.norad in own_limits},
        "look_days": look_days,
    }
    if len(sats) == 0:
        return Opportunities(window, [], excluded, [], constellation, notes, **limits)
    limit = np.array([own_limits.get(e.norad, max_off_nadir_deg) for e in sats])
    apogee = max(
        (398600.4418 / (e.satrec.no_kozai / 60.0) ** 2) ** (1 / 3) * (1 + e.eccentricity) - POLAR_RADIUS_KM
        for e in sats
    )
    threshold = max(0.0, off_nadir_limit_elevation_deg(float(limit.max()), apogee) - THRESHOLD_MARGIN_DEG)

    def search(at: datetime, length_days: float) -> tuple[Passes, np.ndarray, np.ndarray, np.ndarray]:
        return _checked_passes(sats, sites, at, length_days, threshold, limit, min_sun_elevation_deg)

    passes, off_nadir, sun, good = search(start, days)
    # a pass cut by the window at its highest point there has its closest approach outside the
    # window: not this window's opportunity (the look past the ends, or the next window, has it)
    inside = ~_cut_at_highest(passes, "start") & ~_cut_at_highest(passes, "end")
    good &= inside
    within = off_nadir <= limit[passes.sat]  # NaN (SGP4 failed) is neither within nor rejected
    rejected = {
        "off_nadir": int((inside & (off_nadir > limit[passes.sat])).sum()),
        "sun": int((inside & within & (sun < min_sun_elevation_deg)).sum()),
    }
    notes += passes.warnings  # SGP4 failures
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
    edges = _beyond_edges(search, sites, owner, start, days, look_days)
    revisit = site_revisits(
        sites,
        sats,
        owner,
        passes.sat[good],
        passes.station[good],
        passes.tca[good],
        window.seconds,
        edges,
        look_days * 86400.0,
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
        rejected=rejected,
        **limits,
    )


def _checked_passes(
    sats: Constellation,
    sites: Stations,
    start: datetime,
    days: float,
    threshold_deg: float,
    limit_deg: np.ndarray,
    min_sun_elevation_deg: float,
) -> tuple[Passes, np.ndarray, np.ndarray, np.ndarray]:
    """The passes over the sites in ``[start, start + days]`` above the search's elevation, each
    one's off-nadir angle and Sun elevation at its closest approach, and which are opportunities
    (within its satellite's off-nadir limit ``limit_deg``, the Sun high enough, SGP4 working)."""
    passes = find_passes(sats, sites, start, days, threshold_deg)
    jd0, fr0 = passes.window.jd
    r, _, ok = PairPropagator(sats, passes.window, passes.sat)(passes.tca)
    to_site = sites.topocentric.position[passes.station] - r
    cos_nadir = np.einsum("kj,kj->k", -r, to_site) / (
        np.linalg.norm(r, axis=1) * np.linalg.norm(to_site, axis=1)
    )
    off_nadir = np.degrees(np.arccos(np.clip(cos_nadir, -1.0, 1.0)))
    sun = sun_elevation_deg(sites.topocentric, passes.station, jd0, fr0 + passes.tca / 86400.0)
    good = ok & (off_nadir <= limit_deg[passes.sat]) & (sun >= min_sun_elevation_deg)
    return passes, off_nadir, sun, good


def _cut_at_highest(p: Passes, edge: str) -> np.ndarray:
    """The passes cut by their search's start (``edge`` 'start') or end whose highest point in it is
    at that cut: their closest approach lies beyond it."""
    if edge == "start":
        return p.truncated_start & (p.tca <= p.aos + CUT_TOLERANCE_S)
    return p.truncated_end & (p.tca >= p.los - CUT_TOLERANCE_S)


def _own(owner: np.ndarray, sites: Stations, sat: np.ndarray, site: np.ndarray) -> np.ndarray:
    """Which (satellite, site) pairs are of one country: the site's own satellites."""
    site_country = np.array(sites.country, dtype=object)
    return (owner[sat] == site_country[site]) & (site_country[site] != "")


def _beyond_edges(
    search: Callable[[datetime, float], tuple[Passes, np.ndarray, np.ndarray, np.ndarray]],
    sites: Stations,
    owner: np.ndarray,
    start: datetime,
    days: float,
    look_days: float,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per scope ('own', 'all'): per site, in seconds from the window's start, its last opportunity
    before the window and its first after it within ``look_days`` (none: minus the look, or the
    window's end plus the look, and a gap that runs there is a lower bound). ``search`` finds the
    opportunities of a span with the window's own checks."""
    look, end = look_days * 86400.0, days * 86400.0
    n = len(sites)
    before = {scope: np.full(n, -look) for scope in ("own", "all")}
    after = {scope: np.full(n, end + look) for scope in ("own", "all")}
    if look_days <= 0.0:
        return {scope: (before[scope], after[scope]) for scope in before}
    for at, side in ((start - timedelta(days=look_days), "before"), (start + timedelta(days=days), "after")):
        with warnings.catch_warnings():  # the window's own search has said any SGP4 failure
            warnings.simplefilter("ignore", SpaceWarning)
            p, _, _, good = search(at, look_days)
        # cut by the window's start or end at its highest: the window's own search has it
        good &= ~_cut_at_highest(p, "end" if side == "before" else "start")
        mine = good & _own(owner, sites, p.sat, p.station)
        for scope, mask in (("own", mine), ("all", good)):
            if side == "before":
                np.maximum.at(before[scope], p.station[mask], p.tca[mask] - look)
            else:
                np.minimum.at(after[scope], p.station[mask], p.tca[mask] + end)
    return {scope: (before[scope], after[scope]) for scope in before}


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
    group: np.ndarray,
    t: np.ndarray,
    n_groups: int,
    span: float,
    before: np.ndarray | None = None,
    after: np.ndarray | None = None,
    look: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Per group, the longest time without an event, its events ``t`` lying in [0, span]: between two
    events, from the group's last event before the window (``before``, ≤ 0) to its first in it, from
    its last in it to its first after the window (``after``, ≥ span), or from ``before`` to ``after``
    for a group with none in it. Without ``before`` or ``after``, or where a group has none within
    the ``look`` past the window's ends, they are ``-look`` and ``span + look``. And whether that
    longest gap runs to one of these: it is then only a lower bound (what lies beyond was not
    searched). With ``look`` 0 the gaps stop at the window's start and end."""
    before = np.full(n_groups, -look) if before is None else before
    after = np.full(n_groups, span + look) if after is None else after
    o = np.lexsort((t, group))
    g, t = group[o], t[o]
    first = np.r_[True, g[1:] != g[:-1]] if len(g) else np.zeros(0, bool)
    last = np.r_[g[1:] != g[:-1], True] if len(g) else np.zeros(0, bool)
    silent = np.setdiff1d(np.arange(n_groups), g)
    # every gap once: before each event (from the one before it, or from `before`), after each
    # group's last event, and the whole of a group with no event
    owner = np.r_[g, g[last], silent]
    lo = np.r_[np.where(first, before[g], np.r_[0.0, t[:-1]]), t[last], before[silent]]
    hi = np.r_[t, after[g[last]], after[silent]]
    length = hi - lo
    longest = np.zeros(n_groups)
    np.maximum.at(longest, owner, length)
    # by position, not value: an event at the window's very start (t = 0 with no look) bounds the gap
    # after it, which a value test (lo <= -look) would have read as running to the edge
    from_edge = np.r_[first & (before[g] <= -look), np.zeros(int(last.sum()), bool), before[silent] <= -look]
    to_edge = np.r_[np.zeros(len(g), bool), after[g[last]] >= span + look, after[silent] >= span + look]
    unbounded = from_edge | to_edge
    at_edge = np.zeros(n_groups, bool)
    at_edge[owner[unbounded & (length >= longest[owner])]] = True
    return longest, at_edge


def site_revisits(
    sites: Stations,
    sats: Constellation,
    owner: np.ndarray,
    sat: np.ndarray,
    site: np.ndarray,
    t: np.ndarray,
    span: float,
    edges: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    look: float = 0.0,
) -> list[dict[str, object]]:
    """Per site: opportunities and the longest gap with the site's own country's satellites alone
    (None when the site has no country) and with every satellite. ``edges``: per scope ('own',
    'all'), each site's nearest opportunity before the window and after it, within ``look`` seconds
    (:func:`_beyond_edges`), where its first and last gaps run to; without them the gaps stop at the
    window's start and end."""
    n = len(sites)
    own = _own(owner, sites, sat, site)
    counts = {"all": np.bincount(site, minlength=n), "own": np.bincount(site[own], minlength=n)}
    edges = edges or {}
    gaps = {
        "all": longest_gaps(site, t, n, span, *edges.get("all", (None, None)), look=look),
        "own": longest_gaps(site[own], t[own], n, span, *edges.get("own", (None, None)), look=look),
    }
    same_point = co_located(sites)

    def scope(key: str, g: int) -> dict[str, object]:
        longest, at_edge = gaps[key]
        return {
            "opportunities": int(counts[key][g]),
            # from the nearest opportunity before the window (up to the look) to the nearest after
            "longest_gap_h": round(float(longest[g]) / 3600.0, 1),
            "longest_gap_at_least": bool(at_edge[g]),  # none within the look at that end: a lower bound
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
