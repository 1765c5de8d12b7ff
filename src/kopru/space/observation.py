"""Imaging opportunities of Earth-observation satellites over sites (by default every Kazakh SEZ).

An opportunity is a pass of a non-geostationary, active satellite over a site whose closest
approach (taken as the time of maximum elevation of the satellite seen from the site) has an
off-nadir angle within the sensor's limit and the Sun high enough for optical imaging.

The off-nadir angle is measured at the satellite between the geocentric nadir and the site. The
pass search runs at the elevation that the off-nadir limit allows at the satellite's highest
altitude, on a polar-radius Earth, minus a margin — a conservative threshold — and every
candidate is then checked with the exact angle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from kopru import datapack
from kopru.errors import StationError
from kopru.space.frames import Window
from kopru.space.propagation import PairPropagator
from kopru.space.satellites import SatelliteInfo
from kopru.space.stations import Stations, parse_stations, read_text
from kopru.space.sun import sun_elevation_deg
from kopru.space.tle import Constellation
from kopru.space.visibility import find_passes

POLAR_RADIUS_KM = 6356.752
THRESHOLD_MARGIN_DEG = 1.0


@dataclass(frozen=True)
class Opportunities:
    window: Window
    rows: list[dict[str, object]]
    excluded: list[dict[str, object]]

    def as_dict(self) -> dict[str, object]:
        return {"opportunities": self.rows, "excluded": self.excluded}


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
        unknown = [w for w in wanted if w not in names and w not in names.values()]
        if unknown:
            raise StationError(f"unknown SEZ id {unknown[0]!r}; known: {', '.join(names)}")
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
    if len(sats) == 0:
        return Opportunities(Window(start, days * 86400.0), [], excluded)
    apogee = max(
        (398600.4418 / (e.satrec.no_kozai / 60.0) ** 2) ** (1 / 3) * (1 + e.eccentricity) - POLAR_RADIUS_KM
        for e in sats
    )
    threshold = max(0.0, off_nadir_limit_elevation_deg(max_off_nadir_deg, apogee) - THRESHOLD_MARGIN_DEG)
    passes = find_passes(sats, sites, start, days, threshold)
    window = passes.window
    jd0, fr0 = window.jd
    r, _, ok = PairPropagator(sats, window, passes.sat)(passes.tca)
    to_site = sites.topocentric.position[passes.station] - r
    cos_nadir = np.einsum("kj,kj->k", -r, to_site) / (
        np.linalg.norm(r, axis=1) * np.linalg.norm(to_site, axis=1)
    )
    off_nadir = np.degrees(np.arccos(np.clip(cos_nadir, -1.0, 1.0)))
    sun = sun_elevation_deg(sites.topocentric, passes.station, jd0, fr0 + passes.tca / 86400.0)
    good = ok & (off_nadir <= max_off_nadir_deg) & (sun >= min_sun_elevation_deg)
    times = window.iso(passes.tca[good])
    rows = [
        {
            "satellite": sats[int(s)].name,
            "norad": sats[int(s)].norad,
            "site": sites.name[int(g)],
            "time": t,
            "off_nadir_deg": round(float(o), 2),
            "sun_elevation_deg": round(float(z), 2),
            "elevation_deg": round(float(el), 2),
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
    return Opportunities(window, rows, excluded)
