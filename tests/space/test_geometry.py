"""Ground geometry of the space planner. Oracles: hand-computed visibility radii (the sine rule),
points checked against the great-circle distance, and the geodetic inverse of a station's own
Earth-fixed position."""

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from kopru.space import read_tle
from kopru.space.frames import WGS84_A_KM, Topocentric, Window
from kopru.space.geometry import earth_central_angle_deg, geodetic_lat_lon, ground_tracks, small_circle

START = datetime(2026, 6, 1, tzinfo=UTC)


def test_visibility_radius_at_the_horizon():
    """Elevation 0°: the line of sight is tangent to the Earth, so the Earth-central angle is
    acos(R / (R + h)). h = 500 km, R = 6378.137 km: acos(6378.137 / 6878.137) = acos(0.927306)
    = 21.981°."""
    assert float(earth_central_angle_deg(500.0, 0.0)) == pytest.approx(21.981, abs=1e-3)
    assert float(earth_central_angle_deg(500.0, 0.0)) == pytest.approx(
        math.degrees(math.acos(WGS84_A_KM / (WGS84_A_KM + 500.0))), abs=1e-12
    )


def test_visibility_radius_above_a_mask():
    """Elevation ε = 10°, h = 500 km. Sine rule in the triangle Earth centre – station – satellite
    (angle 90° + ε at the station): nadir angle η = asin(R cos ε / (R + h)) =
    asin(6378.137 × 0.984808 / 6878.137) = asin(0.913218) = 65.954°, and the Earth-central angle is
    λ = 90° − ε − η = 90 − 10 − 65.954 = 14.046°. A higher mask shrinks the circle; a higher
    satellite widens it."""
    assert float(earth_central_angle_deg(500.0, 10.0)) == pytest.approx(14.046, abs=1e-3)
    radii = earth_central_angle_deg(np.array([500.0, 500.0, 800.0]), np.array([0.0, 5.0, 5.0]))
    assert radii[0] > radii[1] and radii[2] > radii[1]


def test_small_circle_points_are_at_the_radius_and_closed():
    lat, lon = small_circle(np.array([45.965, 39.79]), np.array([63.305, 32.81]), 21.981, n=73)
    assert lat.shape == (2, 73)
    centres = np.radians([[45.965, 63.305], [39.79, 32.81]])
    p1, p2 = np.radians(lat), np.radians(lon)
    cos_d = np.sin(centres[:, :1]) * np.sin(p1) + np.cos(centres[:, :1]) * np.cos(p1) * np.cos(
        p2 - centres[:, 1:]
    )
    np.testing.assert_allclose(np.degrees(np.arccos(cos_d)), 21.981, atol=1e-9)
    np.testing.assert_allclose(lat[:, 0], lat[:, -1], atol=1e-12)
    np.testing.assert_allclose(lon[:, 0], lon[:, -1], atol=1e-9)


def test_geodetic_inverse_recovers_a_station_and_tracks_are_leo():
    # the forward WGS84 transform of the frames module, then the report's inverse
    site = Topocentric.from_geodetic(np.array([45.965]), np.array([63.305]), np.array([700_000.0]))
    lat, lon = geodetic_lat_lon(site.position)
    assert float(lat[0]) == pytest.approx(45.965, abs=1e-7) and float(lon[0]) == pytest.approx(63.305)
    sats = read_tle().subset([not e.is_geostationary for e in read_tle()])
    tracks = ground_tracks(sats, Window(START, 86400.0), hours=2.0)
    assert tracks.lat.shape == (len(sats), 241)
    # sun-synchronous orbits reach beyond ±80° of latitude within an orbit
    assert np.nanmax(np.abs(tracks.lat)) > 80.0


def test_small_circles_take_one_radius_per_centre():
    """Oracle: each circle drawn alone with its own radius."""
    from kopru.space.geometry import small_circle

    lat, lon, radius = np.array([51.1, 39.9]), np.array([71.4, 32.8]), np.array([20.0, 12.5])
    both = small_circle(lat, lon, radius)
    for i in range(2):
        alone = small_circle(lat[i : i + 1], lon[i : i + 1], float(radius[i]))
        np.testing.assert_allclose(both[0][i], alone[0][0])
        np.testing.assert_allclose(both[1][i], alone[1][0])
