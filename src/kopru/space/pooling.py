"""Own stations alone versus the pooled network: contact time, contacts, gaps and data volume.

Both sides are scheduled by the same optimal MILP (:mod:`kopru.space.schedule`), so the
comparison is like for like:

- **own**: each country's satellites on its own antennas only (countries share nothing, so one
  MILP holds them all and decomposes);
- **pooled**: every satellite on every antenna, with the guarantee that each satellite gets at
  least its own-network contact time (pooling never makes a member worse off), started from the
  own schedule.

Geostationary satellites are left out: they sit in permanent view of their own control stations
on dedicated antennas and would only block shared ones. Inactive satellites are left out too.
Every left-out satellite is listed with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from kopru.space.frames import Window
from kopru.space.satellites import SatelliteInfo
from kopru.space.schedule import Schedule, SolveReport, schedule_contacts
from kopru.space.stations import Stations
from kopru.space.tle import Constellation
from kopru.space.visibility import find_passes


@dataclass(frozen=True)
class PoolOptions:
    """The operator's parameters; defaults are typical X-band EO downlink figures (assumptions)."""

    min_elevation_deg: float = 5.0
    rate_mbps: float = 100.0
    setup_s: float = 120.0
    min_contact_s: float = 60.0
    time_limit_s: float = 60.0
    shorten: bool = False  # allow contacts shorter than the pass (see kopru.space.schedule)


@dataclass(frozen=True)
class PoolResult:
    window: Window
    options: PoolOptions
    satellites: list[dict[str, object]]
    excluded: list[dict[str, object]]
    own: SolveReport
    pooled: SolveReport
    schedule: list[dict[str, object]]
    constellation: Constellation | None = field(default=None, repr=False)  # what was scheduled
    stations: Stations | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.window.iso(0.0)[0],
            "end": self.window.iso(self.window.seconds)[0],
            "parameters": self.options.__dict__,
            "solver": {"own": self.own.as_dict(), "pooled": self.pooled.as_dict()},
            "excluded": self.excluded,
            "stations_left_out": list(self.stations.left_out) if self.stations is not None else [],
            "satellites": self.satellites,
            "schedule": self.schedule,
        }


def pool(
    constellation: Constellation,
    stations: Stations,
    start: datetime,
    days: float,
    owners: dict[int, SatelliteInfo],
    options: PoolOptions | None = None,
) -> PoolResult:
    """Compare each satellite's contacts from its own country's stations with the pooled network."""
    options = options or PoolOptions()
    keep, excluded = [], []
    for e in constellation:
        info = owners.get(e.norad)
        if e.is_geostationary:
            excluded.append({"satellite": e.name, "norad": e.norad, "reason": "geostationary"})
        elif info is not None and not info.active:
            excluded.append({"satellite": e.name, "norad": e.norad, "reason": "inactive"})
        keep.append(not e.is_geostationary and (info is None or info.active))
    sats = constellation.subset(keep)
    country = np.array([owners[e.norad].country if e.norad in owners else "" for e in sats], dtype=object)
    priority = np.array([owners[e.norad].priority if e.norad in owners else 1.0 for e in sats])
    passes = find_passes(sats, stations, start, days, options.min_elevation_deg)
    window = passes.window
    st_country = np.array(stations.country, dtype=object)
    own_mask = st_country[passes.station] == country[passes.sat]
    args = dict(
        setup_s=options.setup_s, min_contact_s=options.min_contact_s, time_limit_s=options.time_limit_s
    )

    own_idx = np.flatnonzero(own_mask)
    own = schedule_contacts(
        passes.station[own_idx],
        passes.sat[own_idx],
        passes.aos[own_idx],
        passes.los[own_idx],
        priority[passes.sat[own_idx]],
        **args,
    )
    own_seconds = np.bincount(passes.sat[own_idx], weights=own.duration, minlength=len(sats))
    start_used, start_s, start_e = np.zeros(len(passes), bool), passes.aos.copy(), passes.aos.copy()
    start_used[own_idx], start_s[own_idx], start_e[own_idx] = own.used, own.start, own.end
    pooled = schedule_contacts(
        passes.station,
        passes.sat,
        passes.aos,
        passes.los,
        priority[passes.sat],
        guarantee_s={int(s): float(v) for s, v in enumerate(own_seconds)},
        initial=(start_used, start_s, start_e),
        **args,
    )
    n_days = max(1, int(np.ceil(days - 1e-9)))
    own_m = _metrics(passes.sat[own_idx], own, len(sats), window, n_days, options.rate_mbps)
    pool_m = _metrics(passes.sat, pooled, len(sats), window, n_days, options.rate_mbps)
    rows = _satellite_rows(sats, country, window, n_days, own_m, pool_m)
    used = np.flatnonzero(pooled.used)
    schedule = [
        {
            "satellite": sats[int(passes.sat[k])].name,
            "norad": sats[int(passes.sat[k])].norad,
            "station": stations.name[int(passes.station[k])],
            "station_country": stations.country[int(passes.station[k])],
            "own_station": bool(own_mask[k]),
            "start": window.iso(pooled.start[k])[0],
            "end": window.iso(pooled.end[k])[0],
            "duration_s": round(float(pooled.end[k] - pooled.start[k]), 3),
        }
        for k in used[np.argsort(pooled.start[used], kind="stable")]
    ]
    return PoolResult(
        window, options, rows, excluded, own.report, pooled.report, schedule, constellation, stations
    )


def _metrics(sat: np.ndarray, sched: Schedule, n_sats: int, window: Window, n_days: int, rate_mbps: float):
    """Per satellite × day: contact seconds, contacts started, longest gap touching the day (its full
    length, so a gap across midnight is not cut in two), and volume in GB."""
    day_lo = np.arange(n_days) * 86400.0
    day_hi = np.minimum(day_lo + 86400.0, window.seconds)
    u = np.flatnonzero(sched.used)
    s_, a, b = sat[u], sched.start[u], sched.end[u]
    overlap = np.clip(np.minimum(b[:, None], day_hi) - np.maximum(a[:, None], day_lo), 0.0, None)
    seconds = np.zeros((n_sats, n_days))
    np.add.at(seconds, s_, overlap)
    count = np.zeros((n_sats, n_days), dtype=np.int64)
    np.add.at(count, (s_, np.minimum((a // 86400).astype(int), n_days - 1)), 1)
    # gaps: between consecutive contacts of a satellite, and from/to the window's edges
    o = np.lexsort((a, s_))
    s_, a, b = s_[o], a[o], b[o]
    first = np.r_[True, s_[1:] != s_[:-1]] if len(s_) else np.zeros(0, bool)
    last = np.r_[s_[1:] != s_[:-1], True] if len(s_) else np.zeros(0, bool)
    prev_end = np.where(first, 0.0, np.r_[0.0, b[:-1]])
    silent = np.setdiff1d(np.arange(n_sats), s_)
    g_sat = np.r_[s_, s_[last], silent]
    g_lo = np.r_[prev_end, b[last], np.zeros(len(silent))]
    g_hi = np.r_[a, np.full(last.sum(), window.seconds), np.full(len(silent), window.seconds)]
    touches = (g_lo[:, None] < day_hi) & (g_hi[:, None] > day_lo) & (g_hi > g_lo)[:, None]
    longest = np.zeros((n_sats, n_days))
    gi, di = np.nonzero(touches)
    np.maximum.at(longest, (g_sat[gi], di), (g_hi - g_lo)[gi])
    volume = seconds * rate_mbps / 8.0 / 1000.0  # Mbit/s × s → GB
    return seconds, count, longest, volume


def _satellite_rows(sats, country, window, n_days, own_m, pool_m) -> list[dict[str, object]]:
    def day(m, i, d) -> dict[str, object]:
        seconds, count, longest, volume = m
        return {
            "contact_min": round(float(seconds[i, d]) / 60.0, 2),
            "contacts": int(count[i, d]),
            "longest_gap_min": round(float(longest[i, d]) / 60.0, 1),
            "volume_gb": round(float(volume[i, d]), 3),
        }

    def total(m, i) -> dict[str, object]:
        seconds, count, _, volume = m
        return {
            "contact_min_per_day": round(float(seconds[i].sum()) / 60.0 / (window.seconds / 86400.0), 2),
            "contacts": int(count[i].sum()),
            "longest_gap_min": round(float(m[2][i].max()) / 60.0, 1),
            "volume_gb": round(float(volume[i].sum()), 3),
        }

    return [
        {
            "satellite": e.name,
            "norad": e.norad,
            "country": country[i],
            "own": total(own_m, i),
            "pooled": total(pool_m, i),
            "days": [
                {
                    "date": (window.start + timedelta(days=d)).date().isoformat(),
                    "own": day(own_m, i, d),
                    "pooled": day(pool_m, i, d),
                }
                for d in range(n_days)
            ],
        }
        for i, e in enumerate(sats)
    ]
