"""Pooling: optimal schedules on both sides, the one guarantee (total contact time) and the flags
on everything else, the shortened-contact model, LEO-capable antennas and data mismatches."""

import itertools
import warnings
from datetime import UTC, datetime

import numpy as np
import pytest

from kopru.errors import SpaceWarning, StationError
from kopru.space import PoolOptions, find_passes, parse_stations, read_satellites, read_stations, read_tle
from kopru.space.pooling import pool
from kopru.space.satellites import parse_satellites
from kopru.space.tle import parse_tle as parse_tle_text

START = datetime(2026, 6, 1, tzinfo=UTC)


def seconds(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() - START.timestamp()


@pytest.fixture(scope="module")
def result():
    return pool(read_tle(), read_stations(), START, 1.0, read_satellites())


def test_both_schedules_are_proven_optimal(result):
    for rep in (result.own, result.pooled):
        assert rep.status == "optimal" and rep.gap <= 1e-6
        assert rep.bound == pytest.approx(rep.objective, rel=1e-6)


def test_pooling_never_gives_less_total_contact_and_helps_overall(result):
    own = sum(s["own"]["contact_min_per_day"] for s in result.satellites)
    pooled = sum(s["pooled"]["contact_min_per_day"] for s in result.satellites)
    for s in result.satellites:
        assert s["pooled"]["contact_min_per_day"] >= s["own"]["contact_min_per_day"] - 0.01
        # capacity is rate × contact time: 100 Mbit/s × 60 s/min / 8 bit/byte / 1000 MB/GB
        assert s["pooled"]["downlink_capacity_gb"] == pytest.approx(
            s["pooled"]["contact_min_per_day"] * 60 * 100 / 8000, rel=1e-3
        )
    assert pooled > 1.2 * own


def test_geostationary_and_retired_satellites_are_left_out_with_a_reason(result):
    reasons = {e["satellite"]: e["reason"] for e in result.excluded}
    assert reasons["RASAT"] == "inactive" and reasons["KAZSAT-2"] == "geostationary"
    assert {s["satellite"] for s in result.satellites} == {
        "KAZEOSAT 1",
        "KAZEOSAT 2",
        "KAZSTSAT",
        "GOKTURK 1A",
        "GOKTURK 2",
        "IMECE",
    }


def test_schedule_respects_setup_and_min_contact(result):
    by_station: dict[str, list[tuple[float, float]]] = {}
    for c in result.schedule:
        a, b = seconds(c["start"]), seconds(c["end"])
        assert b - a >= result.options.min_contact_s - 1e-3
        by_station.setdefault(c["station"], []).append((a, b))
    for spans in by_station.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end + result.options.setup_s - 1e-3


def test_only_antennas_that_track_leo_satellites_are_pooled(result):
    """The shipped file's serves column, read by hand: KGS Astana and TÜBİTAK UZAY METU serve LEO,
    Azercosmos Main both; Akkol, Kokterek and the two Türksat centres are GEO control only."""
    used = {c["station"].split(",")[0].split(" (")[0] for c in result.schedule}
    assert used <= {
        "KGS National Space Centre",
        "TÜBİTAK UZAY ground station",
        "Azercosmos Main Satellite Ground Control Station",
    }
    refused = {r["name"].split(" ")[0]: r["serves"] for r in result.stations_not_for_leo}
    assert (
        refused == {"Akkol": "geo", "Kokterek": "geo", "Türksat": "geo"}
        and len(result.stations_not_for_leo) == 4
    )
    assert all("no source found" in r["reason"] for r in result.stations_not_for_leo)
    assert len(result.as_dict()["stations_not_for_leo"]) == 4


def test_assuming_leo_antennas_offers_the_geo_centres():
    r = pool(
        read_tle(), read_stations(), START, 1.0, read_satellites(), PoolOptions(assume_leo_antennas=True)
    )
    assert r.stations_not_for_leo == () and len(r.stations) == 7
    assert any(c["station"].startswith(("Akkol", "Kokterek", "Türksat")) for c in r.schedule)


def test_no_station_that_tracks_leo_is_a_named_error():
    geo_only = parse_stations("name,country,lat,lon,elev_m,serves\nAkkol,Kazakhstan,51.99,70.94,,geo\n")
    with pytest.raises(StationError, match=r"no station used tracks LEO satellites .* --assume-leo-antennas"):
        pool(read_tle(), geo_only, START, 0.25, read_satellites())


def test_shortened_contacts_are_scheduled_and_hand_over_between_antennas(eo_only):
    """Review finding 1: --shorten was ignored. Whole passes are feasible contacts of the shortened
    model, so its optimum is at least the whole-pass one; over two antennas 2 500 km apart a
    satellite often sees both at once, so a hand-over mid-pass gains contact time."""
    whole = pool(read_tle(), eo_only, START, 1.0, read_satellites())
    cut = pool(read_tle(), eo_only, START, 1.0, read_satellites(), PoolOptions(shorten=True, time_limit_s=30))
    assert whole.pooled.n_binaries == whole.pooled.n_contacts  # one binary per pass
    assert cut.pooled.n_binaries > cut.pooled.n_contacts  # and order binaries: the big-M model
    assert cut.pooled.status == "optimal" and cut.pooled.objective > whole.pooled.objective + 60.0
    # every contact lies inside a pass of its satellite over its antenna, and some are cut short
    passes = find_passes(read_tle(), eo_only, START, 1.0, cut.options.min_elevation_deg)
    names = read_tle().names
    shorter = 0
    for c in cut.schedule:
        a, b = seconds(c["start"]), seconds(c["end"])
        mine = (passes.sat == names.index(c["satellite"])) & (
            passes.station == eo_only.name.index(c["station"])
        )
        inside = mine & (passes.aos <= a + 1e-3) & (passes.los >= b - 1e-3)
        assert inside.sum() == 1, c
        shorter += bool(b - a < float(passes.duration_s[inside][0]) - 1.0)
    assert shorter > 0
    # a hand-over: one contact ends on an antenna as the next of the same satellite starts on another
    by_sat: dict[str, list[tuple[float, float, str]]] = {}
    for c in cut.schedule:
        by_sat.setdefault(c["satellite"], []).append((seconds(c["start"]), seconds(c["end"]), c["station"]))
    handovers = [
        (x, y)
        for spans in by_sat.values()
        for x, y in itertools.pairwise(sorted(spans))
        if x[2] != y[2] and abs(y[0] - x[1]) < 1.0
    ]
    assert handovers


@pytest.fixture(scope="module")
def eo_week(eo_only):
    """The review's case: only KGS Astana and METU, 7 days from 2026-06-01."""
    return pool(read_tle(), eo_only, START, 7.0, read_satellites())


def test_a_longer_gap_when_pooled_is_flagged(eo_week):
    """Review finding 3: İMECE's longest gap grows from 13.4 h to 21.1 h (2026-06-06 22:39 to
    06-07 19:44 UTC) and 2026-06-07 has 19.8 min of contact pooled against 25.6 min own, while its
    total contact time still grows. The longest gap is recomputed here from the schedule alone."""
    imece = next(s for s in eo_week.satellites if s["satellite"] == "IMECE")
    assert imece["pooled"]["contact_min_per_day"] > imece["own"]["contact_min_per_day"]
    worse = {w["metric"]: w for w in imece["worse_when_pooled"]}
    assert set(worse) == {"longest_gap_min"}
    assert worse["longest_gap_min"]["own"] / 60 == pytest.approx(13.4, abs=0.05)
    assert worse["longest_gap_min"]["pooled"] / 60 == pytest.approx(21.1, abs=0.05)
    spans = sorted(
        (seconds(c["start"]), seconds(c["end"])) for c in eo_week.schedule if c["satellite"] == "IMECE"
    )
    edges = [0.0, *itertools.chain.from_iterable(spans), 7 * 86400.0]
    gaps = [edges[k + 1] - edges[k] for k in range(0, len(edges), 2)]
    assert max(gaps) / 3600 == pytest.approx(21.1, abs=0.05)
    assert imece["days_with_less_contact"] == ["2026-06-07"]
    day = next(d for d in imece["days"] if d["date"] == "2026-06-07")
    assert (day["own"]["contact_min"], day["pooled"]["contact_min"]) == pytest.approx((25.6, 19.8), abs=0.05)
    # the satellites that lose nothing carry no flag
    assert not next(s for s in eo_week.satellites if s["satellite"] == "GOKTURK 2")["worse_when_pooled"]
    assert "total contact time over the window" in eo_week.as_dict()["guarantee"]


def test_worst_day_counts_whole_days_only(eo_only):
    """Over 1.5 days the half day would always look worst: the worst day is the one whole day."""
    r = pool(read_tle(), eo_only, START, 1.5, read_satellites())
    for s in r.satellites:
        assert [d["date"] for d in s["days"]] == ["2026-06-01", "2026-06-02"]
        for side in ("own", "pooled"):
            assert s[side]["worst_day_contact_min"] == s["days"][0][side]["contact_min"]


def test_satellites_without_a_row_are_left_out_and_said():
    """Review finding 6: with a satellites file holding only KazEOSat-1, retired RASAT competed for
    antenna time as an active satellite of unknown country."""
    owners = parse_satellites("norad,country\n39731,Kazakhstan\n", "one_sat.csv")
    with pytest.warns(SpaceWarning, match=r"no row in one_sat.csv and are left out of the pool"):
        r = pool(read_tle(), read_stations(), START, 0.25, owners, satellites_file="one_sat.csv")
    assert [s["satellite"] for s in r.satellites] == ["KAZEOSAT 1"]
    reasons = {e["satellite"]: e["reason"] for e in r.excluded}
    assert reasons["RASAT"] == "no row in one_sat.csv: owner and status unknown"
    assert any("RASAT (NORAD 37791)" in w for w in r.as_dict()["warnings"])


def test_a_country_without_a_station_is_said():
    """Review finding 6: stations spelled 'Turkey' gave every Turkish satellite zero own contact
    and pooling a gain from nothing, silently."""
    turkey = parse_stations(
        "name,country,lat,lon,elev_m\nKGS Astana,Kazakhstan,51.13,71.43,\nMETU,Turkey,39.89,32.78,\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SpaceWarning)
        r = pool(read_tle(), turkey, START, 0.25, read_satellites())
    notes = [str(w.message) for w in caught]
    assert len(notes) == 1 and "(country 'Türkiye'): no station of that country" in notes[0]
    assert "Kazakhstan, Turkey" in notes[0] and notes == r.as_dict()["warnings"]


def test_assumptions_are_labelled_and_a_users_value_is_not():
    own_rate = PoolOptions(rate_mbps=320.0).assumptions()
    basis = {a["parameter"]: a["basis"] for a in own_rate}
    assert basis["rate_mbps"] == "given by the user"
    assert {k for k, v in basis.items() if v.startswith("assumption")} == {
        "setup_s",
        "handover_s",
        "min_elevation_deg",
        "min_contact_s",
    }


def test_stale_element_sets_are_in_the_result(eo_only):
    r = pool(read_tle(), eo_only, datetime(2026, 9, 11, tzinfo=UTC), 0.25, read_satellites())
    data = r.as_dict()
    ages = {a["norad"]: a for a in data["element_sets"]}
    # KazEOSat-1's epoch 26150.60611006 is 2026-05-30 14:32:48 UTC: 103.39 days before 2026-09-11
    assert ages[39731]["age_at_start_days"] == pytest.approx(103.39, abs=0.01) and ages[39731]["stale"]
    assert "minutes after two to three months" in data["warnings"][0]
    assert np.isfinite([a["age_at_start_days"] for a in data["element_sets"]]).all()


def test_each_antenna_s_load_adds_up_from_the_schedule(result):
    """An operator asks what pooling asks of each antenna (space review, left last time). Oracle by
    hand: the pooled schedule's contacts summed per station, and the partners' share of them."""
    seconds = result.window.seconds
    rows = {a["station"]: a for a in result.antennas()}
    assert rows and sum(a["contacts"] for a in rows.values()) == len(result.schedule)
    for station, a in rows.items():
        mine = [c for c in result.schedule if c["station"] == station]
        busy = sum(c["duration_s"] for c in mine)
        partner = sum(c["duration_s"] for c in mine if not c["own_station"])
        assert a["busy_share"] == pytest.approx(busy / seconds, abs=1e-6)
        assert a["contact_min_per_day"] == pytest.approx(busy / 60 / (seconds / 86400), abs=1e-3)
        assert a["partner_share"] == pytest.approx(partner / busy, abs=1e-6)
        assert 0 <= a["busy_share"] <= 1
    assert result.as_dict()["antennas"] == result.antennas()


def test_passes_given_up_on_a_shared_antenna_by_brute_force(result):
    """What a member gives up to the pool, pass by pass (space review: no conflict list). Oracle: all
    passes (find_passes again, not the pool's conflict sweep) against both schedules' contacts, in
    plain Python: a contact of the own-country schedule is listed exactly when the pooled schedule
    cuts its pass, another satellite's contact takes the antenna within the set-up time, and the
    satellite is out of contact for at least MIN_LOSS_S of what it had (a satellite operator's
    review: passes its own schedule never had, or of 2 s, were listed as given up to the pool)."""
    from kopru.space.pooling import MIN_LOSS_S

    setup = result.options.setup_s
    passes = find_passes(
        read_tle().subset([e.norad in {s["norad"] for s in result.satellites} for e in read_tle()]),
        result.stations,
        START,
        1.0,
        result.options.min_elevation_deg,
    )
    names = {s["norad"]: s["satellite"] for s in result.satellites}

    def contacts(rows):
        return [(c["norad"], c["station"], seconds(c["start"]), seconds(c["end"])) for c in rows]

    pooled, own = contacts(result.schedule), contacts(result.schedule_own)
    expected = {}
    for k in range(len(passes)):
        norad = int(passes.constellation.norads[passes.sat[k]])
        station = result.stations.name[int(passes.station[k])]
        aos, los = float(passes.aos[k]), float(passes.los[k])

        def within(c, norad=norad, station=station, aos=aos, los=los):
            return c[0] == norad and c[1] == station and c[2] >= aos - 1e-3 and c[3] <= los + 1e-3

        had = [c for c in own if within(c)]
        if not had or sum(e - s for *_, s, e in filter(within, pooled)) >= los - aos - 1e-6:
            continue
        (_, _, s0, e0) = had[0]
        takers = {
            names[n]
            for n, st, s, e in pooled
            if st == station and n != norad and s < los + setup and e > aos - setup
        }
        covered = sum(max(0.0, min(e, e0) - max(s, s0)) for n, _, s, e in pooled if n == norad)
        if takers and (e0 - s0) - covered >= MIN_LOSS_S:
            expected[(names[norad], station, round(aos, 1))] = (sorted(takers), (e0 - s0) - covered)
    got = {(c["satellite"], c["station"], round(seconds(c["aos"]), 1)): c for c in result.contested}
    assert got.keys() == expected.keys() and got
    for key, (takers, lost) in expected.items():
        assert got[key]["taken_by"] == takers
        assert got[key]["lost_s"] == pytest.approx(lost, abs=1e-2)
    by_sat = {r["satellite"]: r for r in result.as_dict()["contested_by_satellite"]}
    for name, row in by_sat.items():
        mine = [c for c in result.contested if c["satellite"] == name]
        assert row["passes"] == len(mine)
        assert row["minutes"] == pytest.approx(sum(c["lost_s"] for c in mine) / 60, abs=1e-3)


def test_an_unproven_schedule_is_said_with_its_status_and_gap():
    """Oracle by hand: objective 100 under a bound of 103.2 is a gap of 3.20%; an optimal schedule
    needs no warning."""
    from kopru.highs import Status
    from kopru.space.pooling import unproven
    from kopru.space.schedule import SolveReport

    proven = SolveReport(Status.OPTIMAL, 100.0, 100.0, 0.0, 0.1)
    stopped = SolveReport(Status.TIME_LIMIT, 100.0, 103.2, 0.032, 60.0)
    with pytest.warns(SpaceWarning) as caught:
        notes = unproven(proven, stopped)
    assert notes == [
        "the pooled schedule stopped with status time_limit, gap 3.20%: it is not proven the best schedule,"
        " so figures read from it may fall short of the best's (raise --time-limit)"
    ]
    assert [str(w.message) for w in caught] == notes
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert unproven(proven, proven) == []


def test_no_schedule_within_the_time_limit_is_an_error():
    from kopru.errors import ScheduleError

    with pytest.raises(ScheduleError) as caught:
        pool(read_tle(), read_stations(), START, 1.0, read_satellites(), PoolOptions(time_limit_s=1e-9))
    assert str(caught.value) == (
        "no own schedule was found within the time limit of 1e-09 s; give a longer time_limit"
    )


SAME_NAME_TLE = """KAZEOSAT 1
1 40010U 14033A   26150.58151813  .00001200  00000+0  14488-3 0  9992
2 40010  97.5416 351.1236 0009320  26.8922 333.2775 14.85448035646348
KAZEOSAT 1
1 39731U 14024A   26150.60611006  .00000525  00000+0  17277-3 0  9996
2 39731  98.3214 223.4898 0001572  82.8897 277.2472 14.42073180636023
"""


def test_satellites_that_share_a_name_are_kept_apart():
    """Review: two element sets named "KAZEOSAT 1" (or CelesTrak's "TBA - TO BE ASSIGNED") were merged
    in the per-satellite summaries, which are keyed by name. Each now carries its NORAD number, and
    each row counts the contacts the schedule books for that NORAD number, not both satellites'."""
    sats = parse_tle_text(SAME_NAME_TLE)
    assert [e.name for e in sats] == ["KAZEOSAT 1 (NORAD 40010)", "KAZEOSAT 1 (NORAD 39731)"]
    assert {e.catalogue_name for e in sats} == {"KAZEOSAT 1"}
    owners = parse_satellites("norad,country\n40010,Kazakhstan\n39731,Kazakhstan\n", "s.csv")
    result = pool(sats, read_stations(), START, 1.0, owners)
    rows = {s["norad"]: s for s in result.satellites}
    assert {s["satellite"] for s in result.satellites} == {
        "KAZEOSAT 1 (NORAD 40010)",
        "KAZEOSAT 1 (NORAD 39731)",
    }
    # each row is that satellite's own: its contacts are those the schedule books for its NORAD number
    for norad, row in rows.items():
        mine = [c for c in result.schedule if c["norad"] == norad]
        assert row["pooled"]["contacts"] == len(mine) > 0
        assert {c["satellite"] for c in mine} == {row["satellite"]}
    ages = {a["norad"]: a for a in result.as_dict()["element_sets"]}
    assert ages[40010]["catalogue_name"] == "KAZEOSAT 1" == ages[39731]["catalogue_name"]


def test_passes_given_up_are_summed_per_satellite_not_per_name():
    from kopru.space.pooling import contested_by_satellite

    rows = [
        {"satellite": "TBA - TO BE ASSIGNED", "norad": 1, "lost_s": 60.0, "own_station": True},
        {"satellite": "TBA - TO BE ASSIGNED", "norad": 2, "lost_s": 120.0, "own_station": False},
        {"satellite": "TBA - TO BE ASSIGNED", "norad": 2, "lost_s": 60.0, "own_station": True},
    ]
    assert contested_by_satellite(rows) == [
        {"satellite": "TBA - TO BE ASSIGNED", "norad": 2, "passes": 2, "minutes": 3.0, "on_own_stations": 1},
        {"satellite": "TBA - TO BE ASSIGNED", "norad": 1, "passes": 1, "minutes": 1.0, "on_own_stations": 1},
    ]


def test_a_pool_of_no_satellite_is_refused_naming_who_is_left_out():
    from kopru.space.pooling import check_members

    sats = parse_tle_text(SAME_NAME_TLE)
    owners = parse_satellites("norad,country,active\n40010,Kazakhstan,false\n", "s.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpaceWarning)  # 39731 has no row: said, and left out
        result = pool(sats, read_stations(), START, 0.25, owners, satellites_file="s.csv")
    assert result.satellites == []
    with pytest.raises(StationError) as caught:
        check_members(result, "s.csv")
    assert str(caught.value) == (
        "no satellite to pool: every satellite is left out: KAZEOSAT 1 (NORAD 40010) (inactive),"
        " KAZEOSAT 1 (NORAD 39731) (no row in s.csv: owner and status unknown); expected at least one"
        " active satellite that is not geostationary, with a row norad,country in s.csv"
    )


def test_the_gaps_across_the_windows_ends_run_to_the_nearest_pass_outside_it(result):
    """Two satellite operator's reviews: KazSTSAT's pooled longest gap over a day was its last contact
    to the window's end (7.3 h), shown as if it were the gap; then KazEOSat-1's overnight gap, cut at
    both ends, read as two short ones (7.9 h shown against about 11 h). Oracle: the pooled schedule's
    own contacts gap by gap, and the passes of the day before and after (kopru's pass finder, checked
    against skyfield elsewhere) long enough to book, on any antenna."""
    from datetime import timedelta

    from kopru.space.pooling import _leo_antennas

    window = result.window.seconds
    antennas, _ = _leo_antennas(read_stations(), False)
    sats = read_tle()
    norads = [e.norad for e in sats]
    book = result.options.min_contact_s
    before = find_passes(sats, antennas, START - timedelta(days=1), 1.0, result.options.min_elevation_deg)
    after = find_passes(sats, antennas, START + timedelta(days=1), 1.0, result.options.min_elevation_deg)
    cut = 0
    for s in result.satellites:
        i = norads.index(s["norad"])
        ends = [
            [
                los - 86400.0
                for sat, aos, los in zip(before.sat, before.aos, before.los, strict=True)
                if sat == i and los - aos >= book
            ],
            [
                aos + window
                for sat, aos, los in zip(after.sat, after.aos, after.los, strict=True)
                if sat == i and los - aos >= book
            ],
        ]
        last_before = max(ends[0], default=-86400.0)
        first_after = min(ends[1], default=window + 86400.0)
        mine = sorted(
            (seconds(c["start"]), seconds(c["end"])) for c in result.schedule if c["norad"] == s["norad"]
        )
        if not mine:
            continue
        edges = [mine[0][0] - last_before, first_after - mine[-1][1]]
        cut += mine[0][0] > 0 or mine[-1][1] < window
        inner = [b[0] - a[1] for a, b in itertools.pairwise(mine)]
        longest = max(edges + inner)
        assert s["pooled"]["longest_gap_min"] == pytest.approx(longest / 60, abs=0.06), s["satellite"]
        assert not s["pooled"]["longest_gap_at_least"]  # every one has a pass within a day of each end
    assert cut  # the case the review found: contacts that leave the window's ends uncovered
    kaz = next(r for r in result.satellites if r["norad"] == 39731)  # KazEOSat-1
    assert kaz["own"]["longest_gap_min"] / 60 > 10  # its overnight gap, not a half of it


def test_a_mask_no_pass_reaches_is_refused_not_shown_as_zeros():
    """A satellite operator's review: --min-elevation 89 printed every satellite at 0.0 min with
    24-hour gaps, exit 0, and no word that no pass reaches the mask."""
    from kopru import space
    from kopru.errors import OptionError

    with pytest.raises(
        OptionError, match="no pass of any satellite over any antenna reaches the 89° mask"
    ) as e:
        space.pool(START, days=0.25, min_elevation=89)
    assert e.value.field == "min_elevation"
    assert space.pool(START, days=0.25).satellites  # a mask passes reach: the pool as before
    # the option to change is the one that binds (a web review: min_elevation was outlined for both)
    with pytest.raises(OptionError, match="for 3600 s or more") as e:
        space.pool(START, days=0.25, min_contact_s=3600, setup_s=0)
    assert e.value.field == "min_contact_s"  # passes there are, none an hour long
    with pytest.raises(OptionError, match="no pass of any satellite") as e:
        space.pool(START, days=1e-6)
    assert e.value.field == "days"


def test_the_country_balance_adds_up_to_the_partner_contacts(result):
    """A satellite operator's review: the headline gain hid who donates antenna time. Oracle: the
    pooled schedule's contacts, summed by hand per station country and satellite country."""
    days = result.window.seconds / 86400.0
    owner = {s["norad"]: s["country"] for s in result.satellites}
    partner = [c for c in result.schedule if c["station_country"] != owner[c["norad"]]]
    assert partner and all(not c["own_station"] for c in partner)
    balance = {b["country"]: b for b in result.balance()}
    for country, row in balance.items():
        gives = sum(c["duration_s"] for c in partner if c["station_country"] == country) / 60 / days
        gets = sum(c["duration_s"] for c in partner if owner[c["norad"]] == country) / 60 / days
        assert row["given_min_per_day"] == pytest.approx(gives, abs=0.006)
        assert row["received_min_per_day"] == pytest.approx(gets, abs=0.006)
    total = sum(c["duration_s"] for c in partner) / 60 / days
    assert sum(b["given_min_per_day"] for b in balance.values()) == pytest.approx(total, abs=0.05)
    assert sum(b["net_min_per_day"] for b in balance.values()) == pytest.approx(0, abs=0.05)
    assert result.as_dict()["country_balance"] == result.balance()


def test_an_antennas_own_mask_holds_in_both_schedules():
    """A satellite operator's review: terrain or a licence sets an antenna's mask. Oracle: every
    contact scheduled on the masked antenna lies inside a pass of that mask (find_passes alone)."""
    rows = read_stations()
    leo = rows.subset(rows.tracks_leo())
    name = leo.name[0]
    masked = type(leo)(**{**leo.__dict__, "mask_deg": np.where(np.arange(len(leo)) == 0, 30.0, np.nan)})
    r = pool(read_tle(), masked, START, 1.0, read_satellites())
    assert r.as_dict()["antenna_masks_deg"] == {name: 30.0}
    high = find_passes(read_tle(), leo.subset(np.arange(len(leo)) == 0), START, 1.0, 30.0)
    windows = [(seconds(p["aos"]), seconds(p["los"]), p["satellite"]) for p in high.records()]
    on_it = [c for c in (*r.schedule, *r.schedule_own) if c["station"] == name]
    assert on_it  # the masked antenna is used
    for c in on_it:
        start, end = seconds(c["start"]), seconds(c["end"])
        assert any(a - 1e-3 <= start and end <= b + 1e-3 and s == c["satellite"] for a, b, s in windows), c


def test_a_satellites_own_downlink_rate_sets_its_capacity(result):
    """A satellite operator's review: one rate for every satellite. Oracle: the rate does not enter
    the schedules, so a satellite with 4 times the run's rate has 4 times the capacity over the same
    contact time, and the others keep theirs; a rate that is not one is refused."""
    text = read_text_of_shipped_satellites()
    header, *lines = text.splitlines()
    faster = "\n".join(
        [
            header + ",downlink_mbps",
            *(line + (",400" if line.startswith("40010,") else ",") for line in lines),
        ]
    )
    owners = parse_satellites(faster, "rates.csv")
    r = pool(read_tle(), read_stations(), START, 1.0, owners)
    base = {s["norad"]: s for s in result.satellites}
    for s in r.satellites:
        b = base[s["norad"]]
        assert s["pooled"]["contact_min_per_day"] == pytest.approx(b["pooled"]["contact_min_per_day"])
        factor = 4.0 if s["norad"] == 40010 else 1.0
        assert s["downlink_mbps"] == 100.0 * factor
        for which in ("own", "pooled"):
            assert s[which]["downlink_capacity_gb"] == pytest.approx(
                factor * b[which]["downlink_capacity_gb"], abs=2e-3
            )
    assert any(s["norad"] == 40010 and s["pooled"]["downlink_capacity_gb"] > 0 for s in r.satellites)
    with pytest.raises(StationError, match=r"'downlink_mbps' is 'fast', expected Mbit/s above 0"):
        parse_satellites("norad,country,downlink_mbps\n40010,Kazakhstan,fast\n", "s.csv")


def read_text_of_shipped_satellites() -> str:
    from importlib import resources

    return (resources.files("kopru.space") / "data" / "satellites.csv").read_text(encoding="utf-8")
