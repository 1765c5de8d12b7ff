"""Geometry of satellites over the ground: visibility circles, sub-satellite points, ground tracks.

Spherical where it only draws: the visibility circle and the small-circle polyline use a sphere
of the WGS84 equatorial radius (the circle's radius is off by < 0.1° against the ellipsoid, a
pixel at a map's scale). Sub-satellite points are geodetic, from the package's own SGP4
propagation and TEME → Earth-fixed rotation. Every function works on whole arrays of satellites
and times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kopru.space.frames import WGS84_A_KM, WGS84_F, Window
from kopru.space.propagation import propagate_grid
from kopru.space.tle import Constellation

TRACK_STEP_S = 30.0  # 225 km of ground track at LEO speed: a smooth line at the map's scale
# About four LEO orbits: a day's 15 orbits × 6 satellites cross a map ~30 times, a tangle; a
# timeline shows the whole window
TRACK_HOURS = 6.0
CIRCLE_POINTS = 121
FALLBACK_ALTITUDE_KM = 600.0  # drawn when no LEO satellite is tracked


def earth_central_angle_deg(
    altitude_km: float | np.ndarray, min_elevation_deg: float | np.ndarray, radius_km: float = WGS84_A_KM
) -> np.ndarray:
    """Radius (degrees of arc on the ground) of the region from which a satellite at ``altitude_km``
    is seen at least ``min_elevation_deg`` above the horizon.

    In the triangle Earth centre – station – satellite the angle at the station is 90° + ε, so by
    the sine rule the angle at the satellite (nadir angle) is η = asin(R cos ε / (R + h)) and the
    Earth-central angle is λ = 90° − ε − η = acos(R cos ε / (R + h)) − ε.
    """
    eps = np.radians(np.asarray(min_elevation_deg, dtype=float))
    ratio = radius_km * np.cos(eps) / (radius_km + np.asarray(altitude_km, dtype=float))
    return np.degrees(np.arccos(ratio) - eps)


def small_circle(
    lat_deg: np.ndarray, lon_deg: np.ndarray, radius_deg: float | np.ndarray, n: int = CIRCLE_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """Closed polylines (N, n) of the points ``radius_deg`` of arc (one, or one per centre) from
    each of N centres, on a
    sphere (the great-circle destination formula over n bearings).

    Longitudes are unwrapped along each circle so a circle crossing ±180° stays one line; a circle
    around a pole then spans 360° of longitude, which is how a polar cap looks on lon/lat axes.
    """
    phi = np.radians(np.asarray(lat_deg, dtype=float))[:, None]
    lam = np.radians(np.asarray(lon_deg, dtype=float))[:, None]
    delta = np.radians(np.broadcast_to(np.asarray(radius_deg, dtype=float), phi.shape[:1]))[:, None]
    theta = np.linspace(0.0, 2.0 * np.pi, n)[None, :]
    lat2 = np.arcsin(np.sin(phi) * np.cos(delta) + np.cos(phi) * np.sin(delta) * np.cos(theta))
    lon2 = lam + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(phi), np.cos(delta) - np.sin(phi) * np.sin(lat2)
    )
    return np.degrees(lat2), np.degrees(np.unwrap(lon2, axis=1))


def geodetic_lat_lon(r_ecef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 geodetic latitude and longitude (degrees) of Earth-fixed positions ``[..., 3]`` km.

    Bowring's closed form (one step from the parametric latitude): far below a metre of error
    at LEO heights, and no iteration over the (satellites × times) array.
    """
    x, y, z = r_ecef[..., 0], r_ecef[..., 1], r_ecef[..., 2]
    a = WGS84_A_KM
    b = a * (1.0 - WGS84_F)
    e2 = WGS84_F * (2.0 - WGS84_F)
    ep2 = e2 / (1.0 - e2)
    p = np.hypot(x, y)
    beta = np.arctan2(z * a, p * b)
    lat = np.arctan2(z + ep2 * b * np.sin(beta) ** 3, p - e2 * a * np.cos(beta) ** 3)
    return np.degrees(lat), np.degrees(np.arctan2(y, x))


def typical_altitude_km(constellation: Constellation) -> float:
    """Median mean altitude of the constellation (to 10 km), for the visibility circles."""
    if not len(constellation):
        return FALLBACK_ALTITUDE_KM
    alt = [(e.satrec.a - 1.0) * e.satrec.radiusearthkm for e in constellation]
    return float(np.round(np.median(alt), -1))


@dataclass(frozen=True)
class Tracks:
    """Sub-satellite points (S, T) in degrees at ``minutes`` (T,) after the window's start; NaN
    where SGP4 fails or where a track wraps across ±180° (so the line breaks there)."""

    lat: np.ndarray
    lon: np.ndarray
    minutes: np.ndarray


def ground_tracks(
    constellation: Constellation, window: Window, hours: float = TRACK_HOURS, step_s: float = TRACK_STEP_S
) -> Tracks:
    """Ground tracks of every satellite over the first ``hours`` of the window, on one time grid."""
    t = np.arange(0.0, min(hours * 3600.0, window.seconds) + step_s / 2, step_s)
    if not len(constellation):
        return Tracks(np.zeros((0, len(t))), np.zeros((0, len(t))), t / 60.0)
    r, ok = propagate_grid(constellation, window, t)  # failures were said by the passes over the window
    lat, lon = geodetic_lat_lon(r)
    # blanking the sample after a ±180° jump drops one point near the antimeridian, far off the map
    wrap = np.zeros_like(ok)
    wrap[:, 1:] = np.abs(np.diff(lon, axis=1)) > 180.0
    bad = ~ok | wrap
    return Tracks(np.where(bad, np.nan, lat), np.where(bad, np.nan, lon), t / 60.0)
