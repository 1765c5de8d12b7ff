"""7-day pass prediction over every shipped satellite and station: kopru against skyfield.

kopru evaluates elevation on a coarse grid for all satellites × stations × times at once and
refines AOS, TCA and LOS by bracketed Newton steps; the peer is skyfield's ``find_events`` run for
each satellite and station, as a user of skyfield would. Same element sets, same stations, same
window, same process; the script checks that both find the same passes (AOS/LOS within 1 s) before
reporting medians.

    .venv/bin/python benchmarks/bench_space.py
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np
from skyfield.api import EarthSatellite, load, wgs84

from kopru.space import find_passes, read_stations, read_tle

START = datetime(2026, 6, 1, tzinfo=UTC)
DAYS = 7.0
MIN_ELEVATION = 0.0


def skyfield_passes(sats, stations, ts):
    """(satellite, station) → (seconds of events, event codes), from skyfield's find_events."""
    t0, t1 = ts.from_datetime(START), ts.from_datetime(START + timedelta(days=DAYS))
    out = {}
    for s, e in enumerate(sats):
        sat = EarthSatellite(e.line1, e.line2, e.name, ts)
        for g in range(len(stations)):
            topo = wgs84.latlon(stations.lat[g], stations.lon[g], stations.elev_m[g])
            t, ev = sat.find_events(topo, t0, t1, altitude_degrees=MIN_ELEVATION)
            out[s, g] = ((t.tt - t0.tt) * 86400.0, ev)
    return out


def check_same(mine, peer, sats) -> tuple[int, float]:
    """Every rise and set skyfield finds matches one of ours within 1 s, and vice versa."""
    worst, n = 0.0, 0
    for (s, g), (secs, ev) in peer.items():
        sel = (mine.sat == s) & (mine.station == g)
        aos, los = mine.aos[sel], mine.los[sel]
        for ours, theirs in ((aos[aos > 0], secs[ev == 0]), (los[los < DAYS * 86400], secs[ev == 2])):
            assert len(ours) == len(theirs), (sats[s].name, g, len(ours), len(theirs))
            if len(ours):
                worst = max(worst, float(np.max(np.abs(np.sort(ours) - np.sort(theirs)))))
        n += int(sel.sum())
    assert worst < 1.0, worst
    return n, worst


def median_time(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    sats, stations = read_tle(), read_stations()
    ts = load.timescale(builtin=True)
    find_passes(sats, stations, START, 0.1)  # warm-up (imports, first sgp4 calls)
    t_k, mine = median_time(lambda: find_passes(sats, stations, START, DAYS, MIN_ELEVATION), 7)
    t_s, peer = median_time(lambda: skyfield_passes(sats, stations, ts), 3)
    n, worst = check_same(mine, peer, sats)
    print(
        f"| 7-day passes, {len(sats)} satellites × {len(stations)} stations ({n:,} passes) |"
        f" kopru {t_k * 1e3:.0f} ms | skyfield find_events {t_s * 1e3:,.0f} ms | {t_s / t_k:.1f}× |"
        f" worst AOS/LOS difference {worst:.2f} s |"
    )


if __name__ == "__main__":
    main()
