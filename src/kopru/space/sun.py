"""The Sun's direction, by the Astronomical Almanac's low-precision formulas.

The Astronomical Almanac (section C, "Low precision formulas for the Sun") gives the apparent
right ascension and declination to 0.01° between 1950 and 2050 — ample for deciding whether a
site is in daylight. The direction is rotated to Earth-fixed axes by the same Greenwich mean
sidereal time as the satellites (the equation of the equinoxes, ≤ 1.2″, is neglected), and
parallax (8.8″) is neglected. Tests check the elevation against skyfield with a JPL ephemeris.
"""

from __future__ import annotations

import numpy as np

from kopru.space.frames import J2000_JD, Topocentric, gmst82


def sun_direction_ecef(jd: float | np.ndarray, fr: float | np.ndarray) -> np.ndarray:
    """Unit vectors (…, 3) from the Earth's centre towards the Sun, Earth-fixed, at UTC ``jd + fr``."""
    n = np.asarray(jd, float) - J2000_JD + np.asarray(fr, float)
    mean_lon = np.radians((280.460 + 0.9856474 * n) % 360.0)
    anomaly = np.radians((357.528 + 0.9856003 * n) % 360.0)
    ecl_lon = mean_lon + np.radians(1.915 * np.sin(anomaly) + 0.020 * np.sin(2.0 * anomaly))
    obliquity = np.radians(23.439 - 0.0000004 * n)
    ra = np.arctan2(np.cos(obliquity) * np.sin(ecl_lon), np.cos(ecl_lon))
    dec = np.arcsin(np.sin(obliquity) * np.sin(ecl_lon))
    theta, _ = gmst82(jd, fr)
    hour = ra - theta  # right ascension measured from Greenwich
    return np.stack([np.cos(dec) * np.cos(hour), np.cos(dec) * np.sin(hour), np.sin(dec)], axis=-1)


def sun_elevation_deg(sites: Topocentric, site: np.ndarray, jd: float, fr: np.ndarray) -> np.ndarray:
    """The Sun's geometric elevation (degrees, no refraction) at each (site, time) pair."""
    direction = sun_direction_ecef(jd, fr)
    return np.degrees(np.arcsin(np.clip(np.einsum("kj,kj->k", direction, sites.up[site]), -1.0, 1.0)))
