"""Imaging: the low-precision Sun against skyfield with a JPL ephemeris, and the opportunity filters."""

import itertools
import re
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopru.space import StationError, imaging_opportunities, read_satellites, read_sites, read_tle
from kopru.space.frames import Topocentric, Window
from kopru.space.observation import imaging_limits, longest_gaps, off_nadir_limit_elevation_deg
from kopru.space.pooling import EDGE_LOOK_DAYS
from kopru.space.satellites import named
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


@pytest.fixture(scope="module")
def week():
    from kopru import space

    return space.imaging("2026-06-01", 7)


@pytest.fixture(scope="module")
def week_cut():
    """The week of :func:`week` with its gaps stopped at the window's start and end (no look past
    them), as the review computed them."""
    owners = read_satellites()
    start = datetime(2026, 6, 1, tzinfo=UTC)
    return imaging_opportunities(
        named(read_tle(), owners), read_sites("SEZ"), start, 7.0, owners, look_days=0
    )


def test_revisit_per_site_matches_the_reviews_table(week_cut):
    """Review finding 8, recomputed by the reviewer from the JSON (longest gap over 7 days,
    window edges included): Kazakh satellites alone → every satellite."""
    expected = {
        "SEZ Ontustik": (71.6, 23.7),
        "SEZ Turan (formerly Turkistan)": (71.6, 23.7),
        "SEZ Pavlodar": (53.7, 20.5),
        "SEZ Atyrau": (48.3, 22.8),
        "SEZ Saryarka": (43.4, 43.4),
    }
    sites = {s["site"]: s for s in week_cut.sites}
    for name, (own, every) in expected.items():
        assert (sites[name]["own"]["longest_gap_h"], sites[name]["all"]["longest_gap_h"]) == (own, every)
    assert sites["SEZ Ontustik"]["own_satellites"] == ["KazEOSat-1", "KazEOSat-2", "KazSTSAT"]


def seconds_from(t0: datetime, rows: list[dict], site: str, country: str | None) -> list[float]:
    """The times of a site's opportunities, seconds from ``t0``, in order; ``country``: only its
    satellites'."""
    return sorted(
        (datetime.fromisoformat(str(r["time"]).replace("Z", "+00:00")) - t0).total_seconds()
        for r in rows
        if r["site"] == site and (country is None or r["country"] == country)
    )


def test_revisit_gaps_match_a_plain_loop(week_cut):
    """Brute force: per site and scope, sort the opportunity times and take the largest step,
    window start and end included."""
    span = 7 * 86400.0
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    for s in week_cut.sites:
        for scope in ("own", "all"):
            times = seconds_from(t0, week_cut.rows, s["site"], s["country"] if scope == "own" else None)
            edges = [0.0, *times, span]
            gap = max(b - a for a, b in itertools.pairwise(edges))
            assert s[scope]["opportunities"] == len(times)
            assert s[scope]["longest_gap_h"] == pytest.approx(gap / 3600, abs=0.051)


@pytest.mark.parametrize(
    ("start", "days"), [(datetime(2026, 6, 2, tzinfo=UTC), 1.0), (datetime(2026, 6, 1, tzinfo=UTC), 7.0)]
)
def test_revisit_gaps_across_the_ends_are_those_a_longer_window_sees(start, days):
    """Cut at the window's ends, a night's gap at either end read as a short one (as the pool's did).
    Oracle: the same sites (every SEZ) and element sets over a window longer by the
    look (EDGE_LOOK_DAYS) at each end, which contains this one: per site and scope, the longest of
    its gaps that touch this window (between two of its opportunities, or from its start or to its
    end when none lies between), and whether that one runs to its start or end, where the look
    found nothing. The opportunities are counted the same, the gaps agree to the 0.1 h they are
    rounded to."""
    from kopru import space

    look = EDGE_LOOK_DAYS * 86400.0
    inner = space.imaging(start, days)
    t0 = start - timedelta(days=EDGE_LOOK_DAYS)
    outer = space.imaging(t0, days + 2 * EDGE_LOOK_DAYS)
    lo, hi, span = look, look + days * 86400.0, days * 86400.0 + 2 * look
    across = 0
    for s in inner.sites:
        for scope in ("own", "all"):
            times = seconds_from(t0, outer.rows, s["site"], s["country"] if scope == "own" else None)
            touching = [(a, b) for a, b in itertools.pairwise([0.0, *times, span]) if b > lo and a < hi]
            a, b = max(touching, key=lambda g: g[1] - g[0])
            got = s[scope]
            assert got["opportunities"] == sum(lo <= t <= hi for t in times), (s["site"], scope)
            assert got["longest_gap_h"] == pytest.approx((b - a) / 3600, abs=0.05 + 1e-6), (s["site"], scope)
            assert got["longest_gap_at_least"] == (a == 0.0 or b == span), (s["site"], scope)
            across += a < lo or b > hi
    assert across  # some longest gap runs past an end: the window alone would have cut it


@pytest.mark.parametrize(
    "hour", [4.5, 5.0, 5.5, 22.25]
)  # 22:15: a review counted SEZ Aktobe's KazSTSAT twice
def test_a_pass_cut_by_the_window_at_its_highest_is_the_other_window_s(hour):
    """A window starting or ending in daylight over Kazakhstan cut passes there, and the cut piece's
    highest point, the window's edge, was taken as an opportunity at 05:00:00.000 (a review found it
    in 3 of 90 such windows: counts one off). Oracle: the same window inside a longer one, whose
    search sees each pass whole: the opportunities that lie in this window, one for one, at the same
    times."""
    from kopru import space

    start = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(hours=hour)
    before = start - timedelta(hours=6)
    inner, outer = space.imaging(start, 0.25), space.imaging(before, 0.75)

    def when(rows, t0, shift=0.0):
        return sorted(
            (r["site"], r["norad"], seconds_from(t0, [r], r["site"], None)[0] + shift) for r in rows
        )

    lo, hi = 6 * 3600.0, 6 * 3600.0 + 0.25 * 86400.0
    want = [w for w in when(outer.rows, before) if lo <= w[2] <= hi]
    got = when(inner.rows, start, lo)
    assert got and [g[:2] for g in got] == [w[:2] for w in want]
    assert max(abs(g[2] - w[2]) for g, w in zip(got, want, strict=True)) < 2.0  # the searches' refinement


@pytest.mark.parametrize("offset_s", [0.2, 0.9, 5.0])
def test_a_pass_whose_highest_point_is_just_inside_a_window_is_that_window_s_alone(offset_s):
    """Two windows meeting ``offset_s`` after a pass's closest approach (SEZ Aktobe, KazEOSat-2,
    02:04:31.810 UTC on 1 June 2026): the first has it, the next does not, and a window starting
    ``offset_s`` before it has it (a review: within a second of an edge it was dropped by both sides).
    Oracle: the closest approach of a window that holds the whole pass."""
    from kopru import space

    def parse(text):
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))

    whole = space.imaging(datetime(2026, 6, 1, 1, 30, tzinfo=UTC), 0.05)
    tca = next(parse(r["time"]) for r in whole.rows if r["site"] == "SEZ Aktobe" and r["norad"] == 39030)

    def has(found):
        return any(
            r["site"] == "SEZ Aktobe"
            and r["norad"] == 39030
            and abs((parse(r["time"]) - tca).total_seconds()) < 2
            for r in found.rows
        )

    edge = tca + timedelta(seconds=offset_s)
    assert has(space.imaging(edge - timedelta(days=0.05), 0.05)) and not has(space.imaging(edge, 0.05))
    assert has(space.imaging(tca - timedelta(seconds=offset_s), 0.05))


def test_longest_gaps_by_hand():
    # group 0: events at 2 and 5 in [0, 10] → gaps 2, 3, 5; group 1: one at 9 → 9; group 2: none → 10;
    # group 3: events at 1 and 8 → gaps 1, 7, 2: the longest lies inside the window
    got, at_edge = longest_gaps(np.array([0, 1, 0, 3, 3]), np.array([5.0, 9.0, 2.0, 1.0, 8.0]), 4, 10.0)
    np.testing.assert_array_equal(got, [5.0, 9.0, 10.0, 7.0])
    # a satellite operator's review: a gap cut by the window's edge read as the gap itself (22.3 h
    # over a day, 71.6 h over a week); only the inner one is not a lower bound
    np.testing.assert_array_equal(at_edge, [True, True, True, False])


def test_longest_gaps_past_the_ends_by_hand():
    """In [0, 10] with a look of 5 each way: each group's nearest event before (``before``; -5: none
    within the look) and after (``after``; 15: none). Group 0: events at 2 and 5, one at -1 and one at
    12 → gaps 3, 3, 7; group 1: one at 9, none before, one at 11 → 14 (from the look's far end: at
    least), 2; group 2: none in the window, one at -3, none after → 18, at least; group 3: 1 and 8,
    -2 and 13 → 3, 7, 5; group 4: none in the window, -4 and 12 → 16, both ends found."""
    got, at_least = longest_gaps(
        np.array([0, 1, 0, 3, 3]),
        np.array([5.0, 9.0, 2.0, 1.0, 8.0]),
        5,
        10.0,
        before=np.array([-1.0, -5.0, -3.0, -2.0, -4.0]),
        after=np.array([12.0, 11.0, 15.0, 13.0, 12.0]),
        look=5.0,
    )
    np.testing.assert_array_equal(got, [7.0, 14.0, 18.0, 7.0, 16.0])
    np.testing.assert_array_equal(at_least, [False, True, True, False, False])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_longest_gaps_match_a_plain_loop(data):
    """Brute force, per group: its events in order between its nearest before and after the window,
    the largest step, and whether a largest step starts or ends where the look found nothing."""
    span, look = 10.0, data.draw(st.sampled_from([0.0, 4.0]))
    n = data.draw(st.integers(1, 4))
    group = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=8)), dtype=np.int64)
    t = np.array(data.draw(st.lists(st.floats(0.0, span), min_size=len(group), max_size=len(group))))
    outside = st.floats(0.0, look) | st.just(look)  # st.just: none within the look
    before = -np.array(data.draw(st.lists(outside, min_size=n, max_size=n)))
    after = span + np.array(data.draw(st.lists(outside, min_size=n, max_size=n)))
    got, at_least = longest_gaps(group, t, n, span, before, after, look)
    for g in range(n):
        steps = list(itertools.pairwise([before[g], *sorted(t[group == g]), after[g]]))
        longest = max(b - a for a, b in steps)
        assert got[g] == longest
        # a step from the group's `before` or to its `after` (its first or last, by position) that
        # the look found nothing at
        last = len(steps) - 1
        open_end = [
            (i == 0 and a <= -look) or (i == last and b >= span + look) for i, (a, b) in enumerate(steps)
        ]
        assert at_least[g] == any(b - a == longest and o for (a, b), o in zip(steps, open_end, strict=True))


def test_an_event_at_the_window_s_start_bounds_the_gap_after_it():
    """Without a look, events at 0, 8 and 10 in [0, 10]: the longest gap, 0 to 8, runs between two
    events, so it is not a lower bound (a review found it flagged, tested by value, not position)."""
    got, at_least = longest_gaps(np.array([0, 0, 0]), np.array([0.0, 8.0, 10.0]), 1, 10.0)
    assert got.tolist() == [8.0] and at_least.tolist() == [False]


def test_the_look_past_the_ends_repeats_no_warning(tmp_path):
    """The passes searched past the window's ends warn of nothing the window's own search has not:
    one SGP4 failure each for the satellite that fails in the window (and whose count of failed
    samples differs in the days around it)."""
    from test_visibility import failing_files

    from kopru import space
    from kopru.errors import PropagationWarning

    tle, sats = failing_files(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = space.imaging("2026-06-01", 1, tle=tle, satellites=sats)
    said = [str(w.message) for w in caught if issubclass(w.category, PropagationWarning)]
    assert sorted(said) == sorted(found.failures.values()) and len(said) == 2
    assert sorted(w for w in found.warnings if "SGP4 fails" in w) == sorted(said)


def test_sites_at_one_point_are_named_and_counted(week):
    """Review finding 9: three SEZ pairs share one centroid in the data pack, so their
    opportunities repeat; each row names the other site and repeated() counts the repeats."""
    pairs = {r["site"]: r["same_point_as"] for r in week.rows if r["same_point_as"]}
    assert pairs["SEZ Astana - New City"] == ["SEZ Astana - Technopolis"]
    assert pairs["SEZ Atyrau"] == ["SEZ National Industrial Petrochemical Technopark"]
    keys = [(r["satellite"], r["time"], min(r["site"], *r["same_point_as"])) for r in week.rows]
    assert week.repeated() == len(keys) - len(set(keys)) > 0


def test_rows_name_the_owner_and_unknown_satellites_are_said(tmp_path):
    from kopru import space
    from kopru.errors import SpaceWarning

    assert {r["country"] for r in space.imaging("2026-06-01", 1).rows} == {"Kazakhstan", "Türkiye"}
    f = tmp_path / "one.csv"
    f.write_text("norad,country\n39731,Kazakhstan\n", encoding="utf-8")
    with pytest.warns(SpaceWarning, match="no row in .*one.csv.* kept as Earth-observation satellites"):
        o = space.imaging("2026-06-01", 1, satellites=f)
    assert "" in {r["country"] for r in o.rows} and o.as_dict()["warnings"]


def test_a_satellites_own_sensor_limit_is_used(tmp_path):
    """A satellites file may give a sensor's own off-nadir limit (max_off_nadir_deg); that
    satellite's opportunities keep to it, the others to the run's limit; a bad value is one line."""
    from kopru.space.satellites import DATA, parse_satellites

    header, *rows = (DATA / "satellites.csv").read_text(encoding="utf-8").splitlines()
    limited = [r + (",10" if r.startswith("40010,") else ",") for r in rows]  # KazEOSat-2 at 10°
    path = tmp_path / "satellites.csv"
    path.write_text("\n".join([header + ",max_off_nadir_deg", *limited]) + "\n", encoding="utf-8")
    start = datetime(2026, 6, 1, tzinfo=UTC)
    wide = imaging_opportunities(read_tle(), read_sites("SEZ"), start, 3.0, read_satellites(), 30.0)
    narrow = imaging_opportunities(read_tle(), read_sites("SEZ"), start, 3.0, read_satellites(path), 30.0)
    mine = [r for r in narrow.rows if r["norad"] == 40010]
    assert mine and all(r["off_nadir_deg"] <= 10.0 + 1e-9 for r in mine)
    assert len(mine) < len([r for r in wide.rows if r["norad"] == 40010])

    def others(o):
        return sorted((r["norad"], r["site"], r["time"]) for r in o.rows if r["norad"] != 40010)

    assert others(narrow) == others(wide)
    # the run's limits say the satellite's own (it read '30°' for every sensor)
    assert wide.limits() == "off-nadir ≤ 30°, Sun ≥ 10° above the horizon"
    name = next(e.name for e in read_tle() if e.norad == 40010)
    assert narrow.limits() == (
        f"off-nadir ≤ 30° ({name} ≤ 10°: its own limit, from the satellites file),"
        " Sun ≥ 10° above the horizon"
    )
    assert narrow.as_dict()["parameters"]["satellite_max_off_nadir_deg"] == {name: 10.0}
    with pytest.raises(
        StationError, match=r"row 2: 'max_off_nadir_deg' is '95', expected degrees in \(0, 90\)"
    ):
        parse_satellites("norad,country,max_off_nadir_deg\n40010,Kazakhstan,95\n", "s.csv")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("norad,country\n40010,Kazakhstan\n40010,Türkiye\n", "NORAD 40010 is listed already in row 2"),
        ("norad,country\n-5,Kazakhstan\n", "'norad' is -5, expected a catalogue number from 1"),
        ("norad,country,mission\n40010,Kazakhstan,imaging\n", "'mission' is 'imaging', expected one of"),
    ],
)
def test_a_satellites_file_that_would_mislead_is_refused(text, words):
    """A CLI review: a duplicate row silently replaced the first (with another country), a negative
    catalogue number passed, and a mission in another case dropped a satellite from imaging."""
    from kopru.errors import StationError
    from kopru.space.satellites import parse_satellites

    with pytest.raises(StationError, match=re.escape(words)):
        parse_satellites(text, "s.csv")
    sat = parse_satellites("norad,country,mission\n40010,Kazakhstan,Earth Observation\n", "s.csv")
    assert sat[40010].mission == "earth-observation"  # any case, spaces for hyphens


@pytest.mark.parametrize(
    ("value", "shown"),
    [("inf", "inf"), ("-inf", "-inf"), ("nan", "nan"), ("-1", "-1"), ("high", "'high'"), ("0", "0")],
)
def test_a_priority_that_is_not_a_finite_number_is_refused_where_it_is(value, shown):
    """Review: 'inf' passed `not priority >= 0` and failed later in the scheduler without naming the
    file, row or column; a second review: priority 0 gave KazSTSAT no contact at all with its antenna
    idle 87 % of the day (the objective is priority × seconds)."""
    from kopru.errors import StationError
    from kopru.space.satellites import parse_satellites

    with pytest.raises(StationError) as caught:
        parse_satellites(
            f"norad,country,priority\n40010,Kazakhstan,1\n39731,Kazakhstan,2\n43783,x,{value}\n", "sat.csv"
        )
    assert str(caught.value) == (
        f"sat.csv row 4: priority must be > 0; 'priority' is {shown}, expected a finite number such as 1,"
        " or 0.1 for the lowest (at 0 a satellite gets no contact at all)"
    )
    assert parse_satellites("norad,country,priority\n40010,Kazakhstan,0.1\n")[40010].priority == 0.1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((30.0, 10.0, {}), "off-nadir ≤ 30°, Sun ≥ 10° above the horizon"),
        ((22.5, -6.0, {}), "off-nadir ≤ 22.5°, Sun no more than 6° below the horizon"),
        (
            (30.0, 0.0, {"A": 10.0, "B": 45.0}),
            "off-nadir ≤ 30° (A ≤ 10°, B ≤ 45°: their own limits, from the satellites file), Sun ≥ 0° above"
            " the horizon",
        ),
        (
            (30.0, 10.0, {"A": 10.0}, True),
            "off-nadir within each satellite's own limit (A ≤ 10°, from the satellites file), Sun ≥ 10°"
            " above the horizon",
        ),
    ],
)
def test_the_limits_in_an_operators_words(args, words):
    assert imaging_limits(*args) == words
