"""Reference frames: TEME → Earth-fixed, WGS84 geodetic positions, topocentric angles, UTC times.

SGP4 returns positions in TEME. We rotate them to the Earth-fixed frame by the 1982 Greenwich mean
sidereal time (AIAA 2006-6753, appendix C), as skyfield does. Two simplifications, both far below
the 1 s / 0.05° accuracy target: UT1 is taken equal to UTC (|UT1−UTC| < 0.9 s turns the Earth by
less than 14″, a few hundred metres at the station) and polar motion (< 0.5″, ~15 m) is neglected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sgp4.api import jday

WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
DAY_S = 86400.0
J2000_JD = 2451545.0
TAU = 2.0 * np.pi


@dataclass(frozen=True)
class Window:
    """A UTC time window; times inside it are float seconds since ``start``."""

    start: datetime
    seconds: float

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            object.__setattr__(self, "start", self.start.replace(tzinfo=UTC))

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)

    @property
    def jd(self) -> tuple[float, float]:
        """The start as sgp4's two-part Julian date (whole, fraction), UTC."""
        s = self.start.astimezone(UTC)
        return jday(s.year, s.month, s.day, s.hour, s.minute, s.second + s.microsecond * 1e-6)

    def iso(self, t: np.ndarray | float) -> list[str]:
        """ISO 8601 UTC strings (millisecond precision) for seconds since the start."""
        base = self.start.astimezone(UTC)
        ts = np.atleast_1d(np.asarray(t, dtype=float))
        return [
            (base + timedelta(seconds=float(x))).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            for x in ts
        ]


def gmst82(jd: float | np.ndarray, fr: float | np.ndarray) -> tuple[np.ndarray, float]:
    """Greenwich mean sidereal time (IAU 1982) in radians, and its rate in rad/s, at UT1 ≈ UTC."""
    jd = np.asarray(jd, dtype=float)
    fr = np.asarray(fr, dtype=float)
    t = (jd - J2000_JD + fr) / 36525.0
    g = 67310.54841 + (8640184.812866 + (0.093104 + (-6.2e-6) * t) * t) * t
    theta = (jd % 1.0 + fr % 1.0 + (g / DAY_S) % 1.0) % 1.0 * TAU
    dg = 8640184.812866 + (0.093104 * 2.0 + (-6.2e-6 * 3.0) * t) * t
    rate = (1.0 + dg / (DAY_S * 36525.0)) * TAU / DAY_S
    # no times (a window with no passes to refine): the rate is not used; no mean of nothing
    return theta, float(np.mean(rate)) if rate.size else EARTH_RATE


def teme_to_ecef(
    r: np.ndarray, v: np.ndarray, theta: np.ndarray, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate TEME position/velocity (``[..., 3]``, km, km/s) to Earth-fixed; ``theta`` broadcasts
    over the leading axes. The velocity is relative to the rotating Earth (ω × r removed)."""
    c, s = np.cos(theta), np.sin(theta)
    x = c * r[..., 0] + s * r[..., 1]
    y = -s * r[..., 0] + c * r[..., 1]
    vx = c * v[..., 0] + s * v[..., 1] + rate * y
    vy = -s * v[..., 0] + c * v[..., 1] - rate * x
    return np.stack([x, y, r[..., 2]], axis=-1), np.stack([vx, vy, v[..., 2]], axis=-1)


@dataclass(frozen=True)
class Topocentric:
    """Earth-fixed positions (km) and local east/north/up unit vectors of N sites, shape (N, 3)."""

    position: np.ndarray
    east: np.ndarray
    north: np.ndarray
    up: np.ndarray

    @classmethod
    def from_geodetic(cls, lat_deg: np.ndarray, lon_deg: np.ndarray, height_m: np.ndarray) -> Topocentric:
        lat = np.radians(np.asarray(lat_deg, dtype=float))
        lon = np.radians(np.asarray(lon_deg, dtype=float))
        h = np.asarray(height_m, dtype=float) / 1000.0
        e2 = WGS84_F * (2.0 - WGS84_F)
        n = WGS84_A_KM / np.sqrt(1.0 - e2 * np.sin(lat) ** 2)
        pos = np.stack(
            [
                (n + h) * np.cos(lat) * np.cos(lon),
                (n + h) * np.cos(lat) * np.sin(lon),
                (n * (1.0 - e2) + h) * np.sin(lat),
            ],
            axis=-1,
        )
        up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
        east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lon)], axis=-1)
        north = np.cross(up, east)
        return cls(pos, east, north, up)


def sin_elevation_grid(r: np.ndarray, sites: Topocentric) -> tuple[np.ndarray, np.ndarray]:
    """sin(elevation) and height above each site's horizon plane (km), shape (S, T, G), from
    Earth-fixed r of shape (S, T, 3). Built from matrix products, so no (S, T, G, 3) difference
    array is ever held."""
    h = r @ sites.up.T - np.einsum("gk,gk->g", sites.position, sites.up)
    rp = r @ sites.position.T
    rr = np.einsum("stk,stk->st", r, r)
    pp = np.einsum("gk,gk->g", sites.position, sites.position)
    rho2 = rr[..., None] - 2.0 * rp + pp
    return h / np.sqrt(rho2), h


MU_KM3_S2 = 398600.4418
EARTH_RATE = 7.2921159e-5


def look_angles(
    r: np.ndarray, v: np.ndarray, sites: Topocentric, site: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For K (satellite, site) pairs: sin(elevation), its first and second time derivatives (1/s,
    1/s²) and the azimuth in degrees (from north through east). ``r``, ``v`` are (K, 3)
    Earth-fixed. The second derivative uses two-body gravity plus the frame's Coriolis and
    centrifugal terms: it only steers Newton steps, whose convergence is checked on the first."""
    rho = r - sites.position[site]
    up = sites.up[site]
    w = np.array([0.0, 0.0, EARTH_RATE])
    acc = -MU_KM3_S2 * r / np.linalg.norm(r, axis=-1, keepdims=True) ** 3
    acc = acc - 2.0 * np.cross(w, v) - np.cross(w, np.cross(w, r))
    d = np.linalg.norm(rho, axis=-1)
    h = np.einsum("kj,kj->k", rho, up)
    h1 = np.einsum("kj,kj->k", v, up)
    h2 = np.einsum("kj,kj->k", acc, up)
    d1 = np.einsum("kj,kj->k", rho, v) / d
    d2 = (np.einsum("kj,kj->k", v, v) + np.einsum("kj,kj->k", rho, acc)) / d - d1**2 / d
    s = h / d
    s1 = h1 / d - h * d1 / d**2
    s2 = h2 / d - 2.0 * h1 * d1 / d**2 - h * d2 / d**2 + 2.0 * h * d1**2 / d**3
    az = np.degrees(
        np.arctan2(
            np.einsum("kj,kj->k", rho, sites.east[site]), np.einsum("kj,kj->k", rho, sites.north[site])
        )
    )
    return s, s1, s2, az % 360.0
