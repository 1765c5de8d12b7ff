"""Passes against skyfield's find_events (an independent implementation): AOS/LOS within 1 s,
maximum elevation within 0.05°, no pass missed or invented."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from kopru.space import find_passes, read_stations, read_tle

ONE_SECOND = 1.0
MAX_EL_DEG = 0.05
# skyfield stops at 0.5 s: near the zenith, where elevation peaks in a cusp, its culmination
# altitude can be 0.06° low; there we compare the geometry at our TCA instead
SHARP_PEAK_DEG = 85.0

LEO = ("KAZEOSAT 1", "GOKTURK 2", "IMECE")
STATIONS = (0, 1, 6)  # Baikonur, Astana, METU Ankara


def _skyfield_events(sat_line1, sat_line2, lat, lon, elev, start, days, min_el):
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    sat = EarthSatellite(sat_line1, sat_line2, ts=ts)
    topo = wgs84.latlon(lat, lon, elev)
    t, ev = sat.find_events(
        topo, ts.from_datetime(start), ts.from_datetime(start + timedelta(days=days)), min_el
    )
    secs = np.array([(x - start).total_seconds() for x in t.utc_datetime()])
    return secs, ev, sat, topo, ts


@pytest.mark.parametrize(
    ("start", "days", "min_el"),
    [(datetime(2026, 6, 1, tzinfo=UTC), 1.0, 0.0), (datetime(2026, 6, 9, 7, 30, tzinfo=UTC), 1.0, 10.0)],
)
def test_passes_match_skyfield_find_events(start, days, min_el):
    sats, st = read_tle(), read_stations()
    mine = find_passes(sats, st, start, days, min_el)
    compared = 0
    for name in LEO:
        s = sats.names.index(name)
        for g in STATIONS:
            secs, ev, sat, topo, ts = _skyfield_events(
                sats[s].line1, sats[s].line2, st.lat[g], st.lon[g], st.elev_m[g], start, days, min_el
            )
            sel = (mine.sat == s) & (mine.station == g)
            aos, los, tca, mx = mine.aos[sel], mine.los[sel], mine.tca[sel], mine.max_elevation_deg[sel]
            rises, sets = secs[ev == 0], secs[ev == 2]
            # passes cut by the window have no rise (or set) in skyfield: compare the inner ones
            assert len(rises) == np.sum(aos > 0) and len(sets) == np.sum(los < days * 86400)
            np.testing.assert_allclose(aos[aos > 0], rises, atol=ONE_SECOND)
            np.testing.assert_allclose(los[los < days * 86400], sets, atol=ONE_SECOND)
            for t_c in secs[ev == 1]:
                k = int(np.argmin(np.abs(tca - t_c)))
                assert abs(tca[k] - t_c) < 5 * ONE_SECOND
                sky_alt = (sat - topo).at(ts.from_datetime(start + timedelta(seconds=float(t_c)))).altaz()
                at_ours = (sat - topo).at(ts.from_datetime(start + timedelta(seconds=float(tca[k])))).altaz()
                assert abs(mx[k] - at_ours[0].degrees) < MAX_EL_DEG / 10
                assert mx[k] >= sky_alt[0].degrees - 1e-3  # ours is the true maximum
                if mx[k] < SHARP_PEAK_DEG:
                    assert abs(mx[k] - sky_alt[0].degrees) < MAX_EL_DEG
                compared += 1
    assert compared > 20


def test_short_passes_between_grid_samples_are_found():
    """Passes above 75° last well under the 2-minute grid step; skyfield finds the same ones."""
    sats, st = read_tle(), read_stations()
    start = datetime(2026, 6, 2, tzinfo=UTC)
    mine = find_passes(sats, st, start, 3.0, 75.0)
    assert np.any(mine.duration_s[mine.duration_s > 0] < 100)
    s = sats.names.index("KAZEOSAT 2")
    total = 0
    for g in range(len(st)):
        secs, ev, *_ = _skyfield_events(
            sats[s].line1, sats[s].line2, st.lat[g], st.lon[g], st.elev_m[g], start, 3, 75
        )
        sel = (mine.sat == s) & (mine.station == g)
        assert np.sum(ev == 0) == sel.sum()
        np.testing.assert_allclose(mine.aos[sel], secs[ev == 0], atol=ONE_SECOND)
        total += sel.sum()
    assert total >= 3


def test_geostationary_satellites_are_one_continuous_entry_or_none():
    sats, st = read_tle(), read_stations(statuses=None)  # every row, Budapest's last
    days = 2.0
    p = find_passes(sats, st, datetime(2026, 6, 1, tzinfo=UTC), days, 10.0)
    geo = np.array([sats[int(s)].is_geostationary for s in p.sat])
    assert geo.any()
    assert np.all(p.continuous[geo]) and np.all(p.duration_s[geo] == days * 86400)
    pairs = set(zip(p.sat[geo].tolist(), p.station[geo].tolist(), strict=True))
    assert len(pairs) == geo.sum()  # one entry per satellite and station, never spurious passes
    # Budapest (19°E) sees KazSat-2 (86.5°E) at 6.4°, below 10°: no entry at all
    assert (sats.names.index("KAZSAT-2"), len(st) - 1) not in pairs


def test_records_have_the_documented_keys_and_utc_times():
    p = find_passes(read_tle(), read_stations(), datetime(2026, 6, 1, tzinfo=UTC), 0.25, 10.0)
    rec = p.records()
    assert set(rec[0]) == {
        "satellite",
        "norad",
        "station",
        "country",
        "aos",
        "tca",
        "los",
        "max_elevation_deg",
        "aos_azimuth_deg",
        "los_azimuth_deg",
        "duration_s",
        "truncated_start",
        "truncated_end",
        "timezone",
        "aos_local",
        "los_local",
    }
    assert all(r["aos"].endswith("Z") and r["aos"] <= r["tca"] <= r["los"] for r in rec)


def test_each_pass_is_on_its_station_s_clock_too():
    """Oracle by hand: Kazakhstan keeps one zone, UTC+5, since 1 March 2024 (tzdata 2024a); Türkiye
    UTC+3 all year since 2016; Azerbaijan UTC+4. A station file may name its own zone: Budapest is
    UTC+2 in June and UTC+1 in January (summer time)."""
    p = find_passes(read_tle(), read_stations(), datetime(2026, 6, 1, tzinfo=UTC), 0.25, 10.0)
    offsets = {"Kazakhstan": 5, "Türkiye": 3, "Azerbaijan": 4}
    for r in p.records():
        hours = offsets[r["country"]]
        aos = datetime.fromisoformat(r["aos"].replace("Z", "+00:00"))
        expected = (aos + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + f"+0{hours}:00"
        assert r["aos_local"] == expected
    from kopru.space import parse_stations

    mine = parse_stations(
        "name,country,lat,lon,elev_m,timezone\nBudapest,Hungary,47.5,19.0,100,Europe/Budapest\n"
    )
    for month, offset in ((6, "+02:00"), (1, "+01:00")):
        q = find_passes(read_tle(), mine, datetime(2026, month, 1, tzinfo=UTC), 1.0, 10.0)
        assert q.records() and all(r["aos_local"].endswith(offset) for r in q.records())
    # no zone and no country kopru knows: UTC, said as such
    there = parse_stations("name,country,lat,lon,elev_m\nSomewhere,Atlantis,40,60,0\n")
    q = find_passes(read_tle(), there, datetime(2026, 6, 1, tzinfo=UTC), 0.5, 10.0)
    assert all(r["timezone"] == "UTC" and r["aos_local"].endswith("+00:00") for r in q.records())


def test_passes_cut_by_the_window_are_flagged():
    """A window that starts at a pass's TCA cuts it: AOS is the window's start and the maximum is
    the elevation there (the satellite only sinks afterwards), as skyfield computes it."""
    from skyfield.api import EarthSatellite, load, wgs84

    sats, st = read_tle(), read_stations()
    day = find_passes(sats, st, datetime(2026, 6, 1, tzinfo=UTC), 1.0, 0.0)
    s, g = sats.names.index("KAZEOSAT 1"), 0  # KGS Astana
    k = np.flatnonzero((day.sat == s) & (day.station == g) & (day.max_elevation_deg > 20))[0]
    start = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(seconds=float(day.tca[k]) + 60.0)
    cut = find_passes(sats, st, start, 0.5, 0.0)
    first = np.flatnonzero((cut.sat == s) & (cut.station == g))[0]
    rec = cut.records()[first]
    assert rec["truncated_start"] and not rec["truncated_end"] and rec["aos"] == rec["tca"]
    ts = load.timescale(builtin=True)
    topo = wgs84.latlon(st.lat[g], st.lon[g], st.elev_m[g])
    alt = (EarthSatellite(sats[s].line1, sats[s].line2, ts=ts) - topo).at(ts.from_datetime(start)).altaz()[0]
    assert rec["max_elevation_deg"] == pytest.approx(alt.degrees, abs=0.01)
    assert rec["max_elevation_deg"] < day.max_elevation_deg[k]
    whole = [r for r in cut.records() if not (r["truncated_start"] or r["truncated_end"])]
    assert whole and all(0 < float(r["duration_s"]) < 0.5 * 86400 for r in whole)


def test_leo_satellites_get_only_antennas_that_track_them():
    from kopru import space

    p = space.passes("2026-06-01", 0.5)
    refused = {r["name"] for r in p.stations_not_for_leo}
    assert len(refused) == 4 and all(r["serves"] == "geo" for r in p.stations_not_for_leo)
    geo = {e.name for e in p.constellation if e.is_geostationary}
    for r in p.records():
        assert r["station"] not in refused or r["satellite"] in geo
    # geostationary satellites stay in view of their control centres
    assert any(r["station"] in refused for r in p.records())
    everywhere = space.passes("2026-06-01", 0.5, assume_leo_antennas=True)
    assert everywhere.stations_not_for_leo == () and len(everywhere) > len(p)
    # people read names: the satellites file's, not the catalogue's
    assert {"Göktürk-1", "İMECE", "KazEOSat-1"} <= {r["satellite"] for r in p.records()}


# Two satellites SGP4 cannot follow through 1 June 2026: one decayed before the window (epoch 30 May,
# B* 0.5), one that decays during it (epoch 1 June 00:00, B* 0.2: the sgp4 package fails from minute
# 905), and KazEOSat-1, which it follows throughout.
FAILING_TLE = """DECAYED
1 90002U          26150.50000000  .00000000  00000-0  50000-1 0    09
2 90002  51.6000 100.0000 0005000   0.0000   0.0000 16.30000000    01
DECAYING
1 90003U          26152.00000000  .00000000  00000-0  20000-1 0    04
2 90003  97.5000 100.0000 0005000   0.0000   0.0000 16.10000000    09
KAZEOSAT 1
1 39731U 14024A   26150.60611006  .00000525  00000+0  17277-3 0  9996
2 39731  98.3214 223.4898 0001572  82.8897 277.2472 14.42073180636023
"""
# The coarse grid's step, by hand: 0.02 of the fastest orbit (16.3 rev/d: 5300.6 s) at perigee,
# 106.01 s × (1 − e²)^1.5 / (1 + e)² with e = 0.0005, = 105.91 s; ceil(86400 / 105.91) + 1 samples.
GRID_SAMPLES = 817


def failing_files(folder: Path) -> tuple[Path, Path]:
    """FAILING_TLE and a satellites file making its two failing satellites and KazEOSat-2 Kazakh
    Earth-observation satellites, written in ``folder``: (element sets, satellites)."""
    tle, sats = folder / "failing.tle", folder / "sats.csv"
    tle.write_text(FAILING_TLE, encoding="utf-8")
    sats.write_text(
        "norad,country,mission\n90002,Kazakhstan,earth-observation\n90003,Kazakhstan,earth-observation\n"
        "39731,Kazakhstan,earth-observation\n",
        encoding="utf-8",
    )
    return tle, sats


def sgp4_failures(line1: str, line2: str, start: datetime, t: np.ndarray) -> int:
    """Samples at which the sgp4 package's own Satrec fails, called directly (the oracle)."""
    from sgp4.api import Satrec, jday

    sat = Satrec.twoline2rv(line1, line2)
    jd, fr = jday(start.year, start.month, start.day, 0, 0, 0.0)
    err, _, _ = sat.sgp4_array(np.full(len(t), jd), fr + t / 86400.0)
    return int((err != 0).sum())


@pytest.mark.parametrize("chunk_cells", [4_000_000, 500])
def test_sgp4_failures_are_one_warning_per_satellite_and_in_the_result(monkeypatch, chunk_cells):
    """Review: the failure went to stderr only, and once per chunk of the grid. It is now one warning
    per satellite over the whole window, counted once however the grid is cut, and in the result."""
    from kopru.errors import PropagationWarning
    from kopru.space import parse_tle, visibility

    monkeypatch.setattr(visibility, "CHUNK_CELLS", chunk_cells)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    sats = parse_tle(FAILING_TLE)
    with pytest.warns(PropagationWarning) as caught:
        found = find_passes(sats, read_stations(), start, 1.0)
    t = np.linspace(0.0, 86400.0, GRID_SAMPLES)
    lines = FAILING_TLE.splitlines()
    failing = {
        norad: sgp4_failures(lines[k + 1], lines[k + 2], start, t) for norad, k in ((90002, 0), (90003, 3))
    }
    assert failing[90002] == GRID_SAMPLES and 0 < failing[90003] < GRID_SAMPLES
    expected = tuple(
        f"{name} (NORAD {norad}): SGP4 fails at {failing[norad]} of {GRID_SAMPLES} sample times (decayed or"
        " diverging orbit); no passes are reported at those times"
        for name, norad in (("DECAYED", 90002), ("DECAYING", 90003))
    )
    assert tuple(str(w.message) for w in caught) == expected
    assert found.warnings == expected and found.as_dict()["warnings"] == list(expected)
    # the decaying satellite still has its passes before it decays, and its CSV rows say it
    decaying = [r for r in found.csv_rows() if r["norad"] == 90003]
    first_failure = t[GRID_SAMPLES - failing[90003]]
    assert decaying and all(float(p) <= first_failure for p in found.los[found.sat == 1])
    assert all(r["elements_warning"] == expected[1] for r in decaying)
    assert all(r["elements_warning"] == "" for r in found.csv_rows() if r["norad"] == 39731)


def test_an_antenna_with_its_own_mask_sees_the_passes_of_that_mask():
    """A satellite operator's review: one mask for every antenna, while terrain or a licence sets
    each its own. Oracle: the same antenna alone, run at its own mask (AOS, LOS and maximum
    elevation identical); the other antenna keeps the run's mask; an out-of-range mask is refused."""
    from kopru.errors import StationError
    from kopru.space import parse_stations

    header = "name,country,lat,lon,elev_m,min_elevation_deg\n"
    both = parse_stations(header + "Astana,Kazakhstan,51.13,71.43,350,20\nAnkara,Türkiye,39.89,32.78,900,\n")
    start = datetime(2026, 6, 1, tzinfo=UTC)
    mixed = find_passes(read_tle(), both, start, 1.0, 5.0).records()
    alone = {
        "Astana": find_passes(read_tle(), both.subset(np.array([True, False])), start, 1.0, 20.0).records(),
        "Ankara": find_passes(read_tle(), both.subset(np.array([False, True])), start, 1.0, 5.0).records(),
    }
    keys = ("satellite", "aos", "los", "max_elevation_deg")
    for name, oracle in alone.items():
        mine = [tuple(r[k] for k in keys) for r in mixed if r["station"] == name]
        assert mine and mine == [tuple(r[k] for k in keys) for r in oracle], name
    assert all(r["max_elevation_deg"] >= 20.0 for r in mixed if r["station"] == "Astana")
    assert find_passes(read_tle(), both, start, 0.2, 5.0).as_dict()["antenna_masks_deg"] == {"Astana": 20.0}
    with pytest.raises(StationError, match=r"row 2: 'min_elevation_deg' is 95, out of range"):
        parse_stations(header + "Astana,Kazakhstan,51.13,71.43,350,95\n")


def test_an_antennas_mask_below_the_horizon_with_refraction_is_named():
    from kopru.errors import OptionError
    from kopru.space import parse_stations

    low = parse_stations(
        "name,country,lat,lon,elev_m,min_elevation_deg\nValley,Kazakhstan,43.2,76.9,800,-5\n"
    )
    start = datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(
        OptionError,
        match="refraction radio needs the min_elevation_deg the stations file gives antenna 'Valley'"
        " of 0 or more",
    ):
        find_passes(read_tle(), low, start, 0.1, 10.0, refraction="radio")
    assert find_passes(read_tle(), low, start, 0.1, 10.0).records() is not None  # geometric: allowed
