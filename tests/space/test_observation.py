"""Imaging: the low-precision Sun against skyfield with a JPL ephemeris, and the opportunity filters."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from kopru.space import StationError, imaging_opportunities, read_satellites, read_sites, read_tle
from kopru.space.frames import Topocentric, Window
from kopru.space.observation import off_nadir_limit_elevation_deg
from kopru.space.sun import sun_elevation_deg

SUN_TOLERANCE_DEG = 0.02  # the Astronomical Almanac's formulas are good to 0.01° in 1950–2050


@pytest.mark.parametrize(
    ("kernel", "start"),
    [
        ("de430-2015-03-02.bsp", datetime(2015, 2, 27, tzinfo=UTC)),
        ("de441-1969.bsp", datetime(1969, 7, 29, tzinfo=UTC)),
    ],
)
def test_sun_elevation_matches_skyfield(kernel, start):
    import skyfield
    from skyfield.api import load, load_file, wgs84

    # small JPL ephemeris segments shipped with skyfield's own tests: no download
    eph = load_file(Path(skyfield.__file__).parent / "tests" / "data" / kernel)
    ts = load.timescale(builtin=True)
    lat, lon = np.array([51.13, 39.89, 43.5, -33.9, 70.0]), np.array([71.43, 32.78, 77.0, 151.2, -20.0])
    sites = Topocentric.from_geodetic(lat, lon, np.zeros(5))
    secs = np.arange(0, 3 * 86400, 3600.0)
    jd0, fr0 = Window(start, 3 * 86400).jd
    t = ts.from_datetimes([start + timedelta(seconds=float(s)) for s in secs])
    try:
        for g in range(5):
            mine = sun_elevation_deg(sites, np.full(len(secs), g), jd0, fr0 + secs / 86400)
            ref = (
                (eph["earth"] + wgs84.latlon(lat[g], lon[g])).at(t).observe(eph["sun"]).apparent().altaz()[0]
            )
            np.testing.assert_allclose(mine, ref.degrees, atol=SUN_TOLERANCE_DEG)
    finally:
        eph.close()


def test_off_nadir_limit_matches_the_spherical_triangle():
    assert off_nadir_limit_elevation_deg(30.0, 600.0) == pytest.approx(
        np.degrees(np.arccos((6356.752 + 600) / 6356.752 * 0.5)), rel=1e-12
    )
    assert off_nadir_limit_elevation_deg(89.0, 600.0) == 0.0


def test_opportunities_over_sezs_respect_the_limits():
    o = imaging_opportunities(
        read_tle(),
        read_sites("SEZ:sez_pit,sez_turan"),
        datetime(2026, 6, 1, tzinfo=UTC),
        2.0,
        read_satellites(),
        max_off_nadir_deg=25.0,
        min_sun_elevation_deg=15.0,
    )
    assert o.rows
    assert all(r["off_nadir_deg"] <= 25.0 and r["sun_elevation_deg"] >= 15.0 for r in o.rows)
    # named as people read them, picked by id
    assert {r["site"] for r in o.rows} <= {
        "SEZ Park of Innovative Technologies (Alatau)",
        "SEZ Turan (formerly Turkistan)",
    }
    assert "RASAT" not in {r["satellite"] for r in o.rows}
    loose = imaging_opportunities(
        read_tle(),
        read_sites("SEZ:sez_pit,sez_turan"),
        datetime(2026, 6, 1, tzinfo=UTC),
        2.0,
        read_satellites(),
        max_off_nadir_deg=45.0,
        min_sun_elevation_deg=0.0,
    )
    assert len(loose.rows) > len(o.rows)


def test_bad_sites_are_named_errors(tmp_path):
    with pytest.raises(StationError, match="unknown SEZ id 'sez_mars'"):
        read_sites("SEZ:sez_mars")
    f = tmp_path / "sites.csv"
    f.write_text("name,lat\nx,1\n")
    with pytest.raises(StationError, match="missing column"):
        read_sites(str(f))
