"""Refraction: the models against their published formulas and skyfield, and passes whose mask is
on the apparent elevation against skyfield's geometry at our AOS and LOS."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from kopru.errors import OptionError
from kopru.space import find_passes, read_stations, read_tle
from kopru.space.refraction import (
    apparent_deg,
    check_refraction,
    geometric_threshold_deg,
    optical_deg,
    pressure_mbar,
    radio_deg,
)

START = datetime(2026, 6, 1, tzinfo=UTC)
LEO = ("KAZEOSAT 1", "GOKTURK 2", "IMECE")
STATIONS = (0, 1, 6)  # Baikonur, Astana, METU Ankara


def test_radio_refraction_is_itu_r_p834_equation_9():
    """By hand from ITU-R P.834-7 eq. (9): at the horizon from sea level 1/1.314 = 0.7610°; at 5° from
    sea level 1/(1.314 + 3.2185 + 0.717250) = 0.19049°; at 10° from 400 m 1/(1.314 + 6.437 + 2.869 +
    0.4 (0.2305 + 0.9428 + 1.096) + 0.008583 × 0.16) = 0.086737°."""
    assert radio_deg(0.0, 0.0) == pytest.approx(0.761035, abs=1e-6)
    assert radio_deg(5.0, 0.0) == pytest.approx(1 / (1.314 + 3.2185 + 0.71725), rel=1e-12)
    assert radio_deg(10.0, 0.4) == pytest.approx(0.0867371, abs=1e-7)
    assert np.all(np.diff(radio_deg(np.linspace(0, 89, 90), 0.0)) < 0)  # less bending higher up


def test_optical_refraction_is_skyfields():
    """Oracle: skyfield's earthlib.refraction (Bennett) at the same temperature and pressure."""
    from skyfield.earthlib import refraction

    alt = np.linspace(-1.0, 89.0, 181)
    for height_km in (0.0, 0.35, 1.2):
        ours = optical_deg(alt, height_km)
        theirs = refraction(alt, 10.0, pressure_mbar(height_km))
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    assert pressure_mbar(0.0) == pytest.approx(1013.25) and pressure_mbar(1.0) == pytest.approx(
        898.75, abs=0.01
    )


def test_apparent_inverts_the_threshold():
    heights = np.array([0.0, 0.35, 2.0])
    for model in ("radio", "optical"):
        geometric = geometric_threshold_deg(model, 5.0, heights)
        assert np.all(geometric < 5.0)
        assert apparent_deg(model, geometric, heights) == pytest.approx(5.0, abs=1e-9)
    assert geometric_threshold_deg("none", 5.0, heights) == pytest.approx(5.0)


def test_a_model_that_does_not_exist_is_refused_by_name():
    with pytest.raises(OptionError, match="refraction must be one of none, radio, optical, got 'metric'"):
        check_refraction("metric")


@pytest.mark.parametrize(("model", "mask"), [("radio", 0.0), ("optical", 0.0), ("radio", 10.0)])
def test_passes_start_and_end_where_the_antenna_sees_the_mask(model, mask):
    """Oracle: skyfield's own propagation and altitude at our AOS and LOS. Its geometric altitude
    plus our model's refraction is the mask (the optical model: skyfield's apparent altitude itself,
    with its own refraction), to 0.005° (1 ms of timing is about 1e-4°); and each pass begins before
    and ends after the same pass without refraction."""
    from skyfield.api import EarthSatellite, load, wgs84

    sats, st = read_tle(), read_stations()
    plain = find_passes(sats, st, START, 1.0, mask)
    bent = find_passes(sats, st, START, 1.0, mask, refraction=model)
    assert bent.refraction == model and len(bent) >= len(plain)
    ts = load.timescale(builtin=True)
    checked = 0
    for name in LEO:
        s = sats.names.index(name)
        sat = EarthSatellite(sats[s].line1, sats[s].line2, ts=ts)
        for g in STATIONS:
            topo = wgs84.latlon(st.lat[g], st.lon[g], st.elev_m[g])
            sel = np.flatnonzero((bent.sat == s) & (bent.station == g))
            for k in sel:
                for t_s, inner in ((bent.aos[k], bent.aos[k] > 0), (bent.los[k], bent.los[k] < 86400)):
                    if not inner:
                        continue
                    at = (sat - topo).at(ts.from_datetime(START + timedelta(seconds=float(t_s))))
                    if model == "optical":
                        seen = at.altaz(
                            temperature_C=10.0, pressure_mbar=float(pressure_mbar(st.elev_m[g] / 1000))
                        )
                        apparent = seen[0].degrees
                    else:
                        true = at.altaz()[0].degrees
                        apparent = true + float(radio_deg(mask, st.elev_m[g] / 1000))
                    assert apparent == pytest.approx(mask, abs=5e-3), (name, g, t_s)
                    checked += 1
            # the same pass without refraction lies inside the refracted one
            for k in np.flatnonzero((plain.sat == s) & (plain.station == g)):
                around = sel[(bent.aos[sel] <= plain.tca[k]) & (bent.los[sel] >= plain.tca[k])]
                assert len(around) == 1
                assert (
                    bent.aos[around[0]] <= plain.aos[k] + 1e-6 and bent.los[around[0]] >= plain.los[k] - 1e-6
                )
                assert bent.max_elevation_deg[around[0]] > plain.max_elevation_deg[k]
    assert checked > 20


def test_the_command_line_takes_and_reports_the_model(cli):
    r = cli("space", "passes", "--start", "2026-06-01", "--days", "0.2", "--refraction", "radio", "--json")
    assert r.code == 0
    import json

    data = json.loads(r.out)
    assert data["refraction"] == "radio"
    bad = cli("space", "passes", "--start", "2026-06-01", "--refraction", "metric")
    assert bad.code == 2 and "--refraction must be one of none, radio, optical" in bad.err
    assert "Traceback" not in bad.err


def test_a_mask_below_the_horizon_is_refused_with_a_model(cli):
    """Review: ITU-R P.834's eq. (9) has a pole near -2.3° and Bennett's is cut off at -1°; with a
    negative mask the refraction grew to 7° or turned negative, widening or shrinking passes."""
    sats, st = read_tle(), read_stations()
    for mask in (-1.0, -2.0, -5.0):
        with pytest.raises(OptionError, match="needs min_elevation of 0 or more"):
            find_passes(sats, st, START, 0.1, mask, refraction="radio")
    assert len(find_passes(sats, st, START, 0.1, -2.0)) > 0  # without a model a negative mask stays
    r = cli("space", "passes", "--start", "2026-06-01", "--min-elevation", "-2", "--refraction", "optical")
    assert (
        r.code == 2
        and "--refraction optical needs --min-elevation of 0" in r.err
        and "choose the model 'none'" in r.err
    )


def test_apparent_elevation_is_the_root_at_every_height():
    e = np.linspace(-0.7, 89.0, 400)
    for h in (0.0, 1.5, 2.9):
        for model in ("radio", "optical"):
            theta = apparent_deg(model, e, h)
            from kopru.space.refraction import refraction_deg

            assert theta - refraction_deg(model, theta, h) == pytest.approx(e, abs=1e-10)
            assert np.all(np.diff(theta) > 0)


def test_stations_at_different_heights_get_their_own_mask(tmp_path):
    """Three antennas at one place, at sea level, 1.5 km and 2.9 km: the radio refraction at the
    horizon is 1/1.314 = 0.7610°, 1/(1.314 + 1.5 × 0.2305 + 0.008583 × 2.25) = 0.5956° and
    1/(1.314 + 2.9 × 0.2305 + 0.008583 × 8.41) = 0.4867° (eq. (9) by hand), so each sees a satellite
    rise at its own geometric elevation; oracle: skyfield's geometry at each AOS (Astana's place)."""
    from skyfield.api import EarthSatellite, load, wgs84

    from kopru.space import read_stations as read

    path = tmp_path / "heights.csv"
    path.write_text(
        "name,country,lat,lon,elev_m,status,serves\n"
        + "".join(f"H{h},Kazakhstan,51.1,71.4,{h},operational,LEO\n" for h in (0, 1500, 2900)),
        encoding="utf-8",
    )
    st = read(path)
    heights = st.elev_m / 1000
    assert radio_deg(0.0, heights) == pytest.approx([0.761035, 0.595571, 0.486705], abs=2e-6)
    sats = read_tle()
    found = find_passes(sats, st, START, 1.0, 0.0, refraction="radio")
    ts = load.timescale(builtin=True)
    s = sats.names.index("KAZEOSAT 1")
    sat = EarthSatellite(sats[s].line1, sats[s].line2, ts=ts)
    seen = 0
    for k in np.flatnonzero((found.sat == s) & (found.aos > 0)):
        g = found.station[k]
        topo = wgs84.latlon(st.lat[g], st.lon[g], st.elev_m[g])
        true = (
            (sat - topo)
            .at(ts.from_datetime(START + timedelta(seconds=float(found.aos[k]))))
            .altaz()[0]
            .degrees
        )
        assert true == pytest.approx(-float(radio_deg(0.0, heights[g])), abs=5e-3)
        seen += 1
    assert seen >= 6
    # the higher antenna sees less bending: it sees the same satellite rise later
    first = {g: found.aos[(found.sat == s) & (found.station == g) & (found.aos > 0)][0] for g in range(3)}
    assert first[0] < first[1] < first[2]


def test_the_csv_says_which_elevations_it_holds():
    sats, st = read_tle(), read_stations()
    rows = find_passes(sats, st, START, 0.1, 5.0, refraction="radio").csv_rows()
    assert rows and all(r["refraction"] == "radio" for r in rows)
