"""Pooling: optimal schedules on both sides, and no satellite worse off in the pooled network."""

import itertools
from datetime import UTC, datetime

import pytest

from kopru.space import PoolOptions, read_satellites, read_stations, read_tle
from kopru.space.pooling import pool


@pytest.fixture(scope="module")
def result():
    return pool(read_tle(), read_stations(), datetime(2026, 6, 1, tzinfo=UTC), 1.0, read_satellites())


def test_both_schedules_are_proven_optimal(result):
    for rep in (result.own, result.pooled):
        assert rep.status == "optimal" and rep.gap <= 1e-6
        assert rep.bound == pytest.approx(rep.objective, rel=1e-6)


def test_pooling_never_makes_a_satellite_worse_off_and_helps_overall(result):
    own = sum(s["own"]["contact_min_per_day"] for s in result.satellites)
    pooled = sum(s["pooled"]["contact_min_per_day"] for s in result.satellites)
    for s in result.satellites:
        assert s["pooled"]["contact_min_per_day"] >= s["own"]["contact_min_per_day"] - 0.01
        assert s["pooled"]["volume_gb"] == pytest.approx(
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
    from datetime import datetime as dt

    by_station: dict[str, list[tuple[float, float]]] = {}
    for c in result.schedule:
        a, b = dt.fromisoformat(c["start"]).timestamp(), dt.fromisoformat(c["end"]).timestamp()
        assert b - a >= result.options.min_contact_s - 1e-3
        by_station.setdefault(c["station"], []).append((a, b))
    for spans in by_station.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end + result.options.setup_s - 1e-3


def test_shortening_mode_runs_and_reports_its_gap():
    r = pool(
        read_tle(),
        read_stations(),
        datetime(2026, 6, 1, tzinfo=UTC),
        0.25,
        read_satellites(),
        PoolOptions(shorten=True, time_limit_s=5.0),
    )
    assert r.pooled.status in ("optimal", "time_limit") and r.pooled.gap >= 0
