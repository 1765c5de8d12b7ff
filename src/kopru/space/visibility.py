"""Passes of satellites over ground stations: AOS, TCA, LOS, maximum elevation, azimuths.

Method (cost grows with the number of passes, not with a fine time grid):

1. Elevation on a coarse grid, vectorized over satellites × stations × times. The step bounds
   how far the satellite moves along its orbit between samples (3.6° of mean anomaly, scaled for
   the faster motion at perigee): about 115 s for LEO (0.02 of a ~96-minute orbit), 15 min for
   GEO (0.02 of a sidereal day is 29 min, capped at ``MAX_STEP_S``).
2. Every sign change of elevation − threshold brackets an AOS or LOS. A pass shorter than the
   step can fall between samples, so every local maximum of the sampled elevation is also
   refined: elevation over a pass rises to one maximum and falls (the satellite crosses the
   station's sky once per revolution), so the true maximum lies within one step of the sampled
   one. A maximum that reaches the threshold between samples is a short pass of its own.
3. Vectorized bisection refines the crossings on the elevation and the maxima on its analytic
   time derivative, to ``tol_s`` (1 ms by default).

Passes cut by the window start at its start or end at its end, and say so (``truncated_start``,
``truncated_end``): their maximum elevation is the highest within the window. A geostationary
satellite in view for the whole window is therefore one entry spanning the window ("continuous
visibility"); one never in view has none. Elevations are geometric (no refraction), as
skyfield's ``find_events``, unless a refraction model is asked for (:mod:`kopru.space.refraction`):
then the mask and the maxima are apparent elevations, as the antenna sees them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from kopru.space.frames import EARTH_RATE, MU_KM3_S2, Topocentric, Window, look_angles, sin_elevation_grid
from kopru.space.propagation import PairPropagator, failure_notes, propagate_grid
from kopru.space.refraction import apparent_deg, check_refraction, geometric_threshold_deg
from kopru.space.stations import Stations, zone
from kopru.space.tle import Constellation, staleness

#: Mean anomaly swept between grid samples, in revolutions (3.6°).
STEP_REVS = 0.02
MIN_STEP_S, MAX_STEP_S = 5.0, 900.0
#: Cells (satellites × stations × times) evaluated at once; bounds memory on large jobs.
CHUNK_CELLS = 4_000_000
BELOW = -2.0  # sin(elevation) used where SGP4 failed: below any threshold
#: The keys of :meth:`Passes.records`, in order, and the element-set columns CSVs add to them.
PASS_COLUMNS = (
    "satellite",
    "norad",
    "station",
    "country",
    "aos",
    "tca",
    "los",
    "timezone",
    "aos_local",
    "los_local",
    "max_elevation_deg",
    "aos_azimuth_deg",
    "los_azimuth_deg",
    "duration_s",
    "truncated_start",
    "truncated_end",
)
ELEMENT_COLUMNS = ("elements_epoch", "elements_age_at_start_days", "elements_warning")


@dataclass(frozen=True)
class Passes:
    """Passes as a table of arrays; times are seconds since ``window.start``."""

    window: Window
    constellation: Constellation
    stations: Stations
    min_elevation_deg: float
    sat: np.ndarray
    station: np.ndarray
    aos: np.ndarray
    tca: np.ndarray
    los: np.ndarray
    max_elevation_deg: np.ndarray
    aos_azimuth_deg: np.ndarray
    los_azimuth_deg: np.ndarray
    # stations not offered to satellites that are not geostationary: {"name", "country", "serves", "reason"}
    stations_not_for_leo: tuple[dict[str, str], ...] = ()
    warnings: tuple[str, ...] = ()  # besides stale element sets, which as_dict adds
    refraction: str = "none"  # the model the mask and maxima are apparent in (kopru.space.refraction)
    # by NORAD number, the warning of each satellite whose SGP4 fails in the window (also in warnings)
    failures: dict[int, str] = field(default_factory=dict)
    # satellites the satellites file calls inactive: their passes are listed, but pool and imaging
    # leave them out (a review found RASAT, retired in 2022, listed with no mark)
    inactive: tuple[str, ...] = ()
    # antennas whose passes of satellites that are not geostationary rest on an assumption, not a
    # source: {"station", "country", "basis" (serves_basis or assume_leo_antennas), "leo_passes" over it,
    # "leo_passes_listed" in all}
    leo_assumed: tuple[dict[str, object], ...] = ()

    def __len__(self) -> int:
        return len(self.sat)

    def where(self, keep: np.ndarray) -> Passes:
        """The passes marked in ``keep``, in the same order."""
        columns = (
            "sat",
            "station",
            "aos",
            "tca",
            "los",
            "max_elevation_deg",
            "aos_azimuth_deg",
            "los_azimuth_deg",
        )
        return replace(self, **{c: getattr(self, c)[keep] for c in columns})

    @property
    def duration_s(self) -> np.ndarray:
        return self.los - self.aos

    @property
    def truncated_start(self) -> np.ndarray:
        """Passes already in progress at the window's start: their AOS is the window's start."""
        return self.aos <= 0.0

    @property
    def truncated_end(self) -> np.ndarray:
        """Passes still in progress at the window's end: their LOS is the window's end."""
        return self.los >= self.window.seconds

    @property
    def continuous(self) -> np.ndarray:
        """Passes in view for the whole window (geostationary satellites)."""
        return self.truncated_start & self.truncated_end

    def as_dict(self) -> dict[str, object]:
        """``kopru space passes --json``: one row per pass; the element sets' epochs and ages; the
        warnings; the stations of the file not used (by status) and those not offered to LEO
        satellites."""
        start, end = self.window.start, self.window.end
        stale = self.constellation.stale_warning(start, end)
        return {
            "passes": self.records(),
            "refraction": self.refraction,
            "element_sets": self.constellation.ages(start, end),
            "warnings": [w for w in (stale, *self.warnings) if w],
            "stations_left_out": list(self.stations.left_out),
            "stations_not_for_leo": list(self.stations_not_for_leo),
            "min_elevation_deg": self.min_elevation_deg,
            "antenna_masks_deg": self.stations.own_masks(),  # each replaces min_elevation_deg
            "inactive_satellites": list(self.inactive),
            "leo_antennas_assumed": list(self.leo_assumed),
        }

    def csv_rows(self) -> list[dict[str, object]]:
        """:meth:`records` with each satellite's element-set epoch, age at the window's start and,
        when stale, the warning: a CSV read alone still says how far its times can be trusted."""
        ages = {a["norad"]: a for a in self.constellation.ages(self.window.start, self.window.end)}
        return [
            {
                **r,
                "refraction": self.refraction,
                **element_columns(ages[r["norad"]], self.failures.get(int(r["norad"]), "")),
            }
            for r in self.records()
        ]

    def csv_columns(self) -> list[str]:
        """The columns of :meth:`csv_rows`, in order: a CSV without a pass still has its header."""
        return [*PASS_COLUMNS, "refraction", *ELEMENT_COLUMNS]

    def records(self) -> list[dict[str, object]]:
        """JSON-ready rows with the keys of ``kopru space passes --json`` (:data:`PASS_COLUMNS`)."""
        aos, tca, los = self.window.iso(self.aos), self.window.iso(self.tca), self.window.iso(self.los)
        names, norads = self.constellation.names, self.constellation.norads
        zones = self.stations.zones()
        return [
            {
                "satellite": names[s],
                "norad": int(norads[s]),
                "station": self.stations.name[g],
                "country": self.stations.country[g],
                "aos": aos[k],
                "tca": tca[k],
                "los": los[k],
                # the station's own clock, for the people who work it
                "timezone": zones[g],
                "aos_local": local(aos[k], zones[g]),
                "los_local": local(los[k], zones[g]),
                "max_elevation_deg": round(float(self.max_elevation_deg[k]), 3),
                "aos_azimuth_deg": round(float(self.aos_azimuth_deg[k]), 2),
                "los_azimuth_deg": round(float(self.los_azimuth_deg[k]), 2),
                "duration_s": round(float(self.duration_s[k]), 3),
                "truncated_start": bool(self.truncated_start[k]),
                "truncated_end": bool(self.truncated_end[k]),
            }
            for k, (s, g) in enumerate(zip(self.sat.tolist(), self.station.tolist(), strict=True))
        ]


def local(utc_iso: str, zone_name: str) -> str:
    """An ISO 8601 UTC time ('…Z') on a station's clock, with its offset:
    '2026-06-01T14:00:00.000+05:00' for 09:00 UTC in Astana."""
    when = datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    return when.astimezone(zone(zone_name)).isoformat(timespec="milliseconds")


def element_columns(age: dict[str, object], failure: str = "") -> dict[str, object]:
    """CSV columns for one satellite's element set (an entry of ``Constellation.ages``) and, when
    SGP4 fails with it in the window, that warning (:func:`~kopru.space.propagation.failure_notes`)."""
    days = float(age["days_from_epoch_max"])
    stale = (
        f"element set {days:.0f} days from the window: its along-track error grows with the square of its"
        f" age, so {staleness(days, leo=not age.get('geostationary'))}"
        if age["stale"]
        else ""
    )
    return {
        "elements_epoch": age["epoch"],
        "elements_age_at_start_days": age["age_at_start_days"],
        "elements_warning": "; ".join(w for w in (stale, failure) if w),
    }


def grid_step_s(constellation: Constellation) -> float:
    """The coarse step for a group of satellites: STEP_REVS of the fastest one's orbit, at perigee."""
    steps = [
        e.period_min * 60.0 * STEP_REVS * (1.0 - e.eccentricity**2) ** 1.5 / (1.0 + e.eccentricity) ** 2
        for e in constellation
    ]
    return float(np.clip(min(steps), MIN_STEP_S, MAX_STEP_S))


def find_passes(
    constellation: Constellation,
    stations: Stations,
    start: datetime,
    days: float,
    min_elevation_deg: float = 0.0,
    tol_s: float = 1e-3,
    refraction: str = "none",
) -> Passes:
    """Every pass of every satellite over every station in ``[start, start + days]``; with a
    ``refraction`` model (:mod:`kopru.space.refraction`) the mask is on the apparent elevation."""
    window = Window(start, days * 86400.0)
    height_km = stations.elev_m / 1000.0
    masks = stations.masks(min_elevation_deg)  # an antenna's own, else the run's
    check_refraction(refraction, min_elevation_deg)
    below = [n for n, m in stations.own_masks().items() if m < 0]
    if refraction != "none" and below:  # the run's mask passed, an antenna's own does not
        check_refraction(
            refraction,
            stations.own_masks()[below[0]],
            f"the min_elevation_deg the stations file gives antenna {below[0]!r}",
        )
    thresholds = geometric_threshold_deg(refraction, masks, height_km)
    parts, failures = [], {}
    deep = np.array([e.is_deep_space for e in constellation], dtype=bool)
    for mask in (~deep, deep):
        if mask.any():
            index = np.flatnonzero(mask)
            columns, failed = _group_passes(constellation, index, stations, window, thresholds, tol_s)
            parts.append(columns)
            failures |= failed
    cols = [np.concatenate([p[k] for p in parts]) if parts else np.empty(0) for k in range(8)]
    sat, station = cols[0].astype(np.int64), cols[1].astype(np.int64)
    order = np.lexsort((station, sat, cols[2]))
    sat, station, *rest = (c[order] for c in [sat, station, *cols[2:]])
    rest[3] = apparent_deg(refraction, rest[3], height_km[station])  # the maximum, as the antenna sees it
    return Passes(
        window,
        constellation,
        stations,
        min_elevation_deg,
        sat,
        station,
        *rest,
        warnings=tuple(failures.values()),
        refraction=refraction,
        failures=failures,
    )


def _max_speed_km_s(group: Constellation) -> float:
    """An upper bound of any satellite's speed relative to the rotating Earth (vis-viva at perigee
    plus the frame's rotation at apogee), so a satellite h km below a horizon plane needs at
    least h / speed seconds to reach it."""
    speeds = []
    for e in group:
        n = e.satrec.no_kozai / 60.0  # rad/s
        a = (MU_KM3_S2 / n**2) ** (1.0 / 3.0)
        rp, ra = a * (1.0 - e.eccentricity), a * (1.0 + e.eccentricity)
        speeds.append(np.sqrt(MU_KM3_S2 * (2.0 / rp - 1.0 / a)) + EARTH_RATE * ra)
    return 1.05 * max(speeds)


@dataclass
class _Events:
    """Grid events of one group; ``series`` = satellite × n_stations + station, indices are samples."""

    rise: list[np.ndarray]  # (series, j): f[j] < 0 <= f[j + 1]
    fall: list[np.ndarray]
    rise_f: list[np.ndarray]  # (f[j], f[j + 1]) for the first guess
    fall_f: list[np.ndarray]
    peak: list[np.ndarray]  # sampled maxima in view: (series, sample)
    peak_f: list[np.ndarray]  # (f[i - 1], f[i], f[i + 1])
    hidden: list[np.ndarray]  # sampled maxima below the threshold that may still reach it
    hidden_f: list[np.ndarray]
    first_up: np.ndarray | None = None
    last_up: np.ndarray | None = None


def _scan(f: np.ndarray, h: np.ndarray, reach: float, a: int, b: int, lo: int, n_t: int, ev: _Events) -> None:
    """Crossings (sample j in [a, b) and j + 1) and sampled maxima (i in [a, b)) of f = sin(el) −
    threshold, shape (series, samples [lo, lo + width)); samples outside the window count as −inf.
    ``h`` is the height above the horizon plane: a maximum with h < −reach cannot rise above it
    within one step."""
    n, width = f.shape
    pad = np.full((n, 1), -np.inf)
    fp = np.hstack([pad, f, pad])
    first = lo - 1  # sample index of fp[:, 0]; the pads are only used at the window's ends
    if lo == 0:
        ev.first_up = f[:, 0] >= 0
    if lo + width == n_t:
        ev.last_up = f[:, -1] >= 0
    jend = min(b, n_t - 1)
    here, nxt = fp[:, a - first : jend - first], fp[:, a - first + 1 : jend - first + 1]
    r_s, r_j = np.nonzero((here < 0) & (nxt >= 0))
    f_s, f_j = np.nonzero((here >= 0) & (nxt < 0))
    ev.rise.append(np.stack([r_s, r_j + a]))
    ev.fall.append(np.stack([f_s, f_j + a]))
    ev.rise_f.append(np.stack([here[r_s, r_j], nxt[r_s, r_j]]))
    ev.fall_f.append(np.stack([here[f_s, f_j], nxt[f_s, f_j]]))
    prev, cur, nxt = (fp[:, a - first + k : b - first + k] for k in (-1, 0, 1))
    is_peak = (cur > prev) & (cur >= nxt)
    p_s, p_i = np.nonzero(is_peak & (cur >= 0))
    ev.peak.append(np.stack([p_s, p_i + a]))
    ev.peak_f.append(np.stack([prev[p_s, p_i], cur[p_s, p_i], nxt[p_s, p_i]]))
    hh = h[:, a - lo : b - lo]
    q_s, q_i = np.nonzero(is_peak & (cur < 0) & (hh >= -reach))
    ev.hidden.append(np.stack([q_s, q_i + a]))
    ev.hidden_f.append(np.stack([prev[q_s, q_i], cur[q_s, q_i], nxt[q_s, q_i]]))


def _group_passes(
    constellation: Constellation,
    index: np.ndarray,
    stations: Stations,
    window: Window,
    thresholds_deg: np.ndarray,
    tol_s: float,
) -> tuple[list[np.ndarray], dict[int, str]]:
    """The passes of the satellites ``index`` of ``constellation`` as columns, and a warning by NORAD
    number for each satellite whose SGP4 fails at some sample times
    (:func:`~kopru.space.propagation.failure_notes`)."""
    group = constellation.subset(np.isin(np.arange(len(constellation)), index))
    step = grid_step_s(group)
    n_t = max(2, math.ceil(window.seconds / step) + 1)
    t = np.linspace(0.0, window.seconds, n_t)
    dt = t[1] - t[0]
    sites = stations.topocentric
    threshold = np.sin(np.radians(thresholds_deg))  # (G,) of sin(elevation), one per station
    # the horizon-plane pruning is valid for thresholds >= 0 (the visible cone lies above the plane)
    reach = _max_speed_km_s(group) * dt if thresholds_deg.min() >= 0 else np.inf
    n_s, n_g = len(group), len(stations)
    series_threshold = np.tile(threshold, n_s)  # series s * n_g + g
    ev = _Events([], [], [], [], [], [], [], [])
    chunk = max(1, CHUNK_CELLS // (n_s * n_g))
    failed = np.zeros(n_s, dtype=np.int64)  # per satellite, samples where SGP4 fails
    for a in range(0, n_t, chunk):
        b = min(a + chunk, n_t)
        lo, hi = max(a - 1, 0), min(b + 1, n_t)
        r, ok = propagate_grid(group, window, t[lo:hi])
        failed += (~ok[:, a - lo : b - lo]).sum(axis=1)  # the chunk's own samples, not its overlap
        sin_el, h = sin_elevation_grid(r, sites)  # (S, T, G)
        sin_el = np.where(ok[..., None], sin_el, BELOW)
        h = np.where(ok[..., None], h, -np.inf)
        f = sin_el.transpose(0, 2, 1).reshape(n_s * n_g, hi - lo) - series_threshold[:, None]
        _scan(f, h.transpose(0, 2, 1).reshape(n_s * n_g, hi - lo), reach, a, b, lo, n_t, ev)
    rise, fall, peak, hidden, rise_f, fall_f, peak_f, hidden_f = (
        np.concatenate(x, axis=1)
        for x in (ev.rise, ev.fall, ev.peak, ev.hidden, ev.rise_f, ev.fall_f, ev.peak_f, ev.hidden_f)
    )
    peak_value = peak_f[1]
    refine = _Refiner(group, sites, window, n_g, tol_s, threshold)

    # 1. passes that contain samples: pair rises with falls per series (window edges close them)
    series_all = np.arange(n_s * n_g)
    first_up, last_up = ev.first_up, ev.last_up
    start_series = np.r_[rise[0], series_all[first_up]]
    start_j = np.r_[rise[1], np.full(first_up.sum(), -1)]
    end_series = np.r_[fall[0], series_all[last_up]]
    end_j = np.r_[fall[1], np.full(last_up.sum(), n_t - 1)]
    key = n_t + 2
    so = np.argsort(start_series * key + start_j + 1, kind="stable")
    eo = np.argsort(end_series * key + end_j + 1, kind="stable")
    p_series, p_rise, _p_fall = start_series[so], start_j[so], end_j[eo]
    first_key = p_series * key + p_rise + 2  # key of the pass's first sample (j + 1)

    # each pass's highest sampled maximum: the refined TCA is within one step of it
    pkey = peak[0] * key + peak[1] + 1
    pid = np.searchsorted(first_key, pkey, side="right") - 1
    order = np.lexsort((-peak_value, pid))
    best = order[np.r_[True, np.diff(pid[order]) != 0]] if len(order) else order
    top = np.full(len(p_series), -1)
    top[pid[best]] = peak[1][best]
    top_f = np.zeros((3, len(p_series)))
    top_f[:, pid[best]] = peak_f[:, best]

    # 2. refine: crossings, the TCA of each pass, and maxima that may hide a pass between samples
    # rises and falls: Newton from the linear interpolation of the samples around them
    n_p = len(p_series)
    aos, los = np.zeros(n_p), np.full(n_p, window.seconds)
    aos_az, los_az = np.full(n_p, np.nan), np.full(n_p, np.nan)
    rise_j, fall_j = start_j[so], end_j[eo]
    rise_f = np.concatenate([rise_f, np.zeros((2, first_up.sum()))], axis=1)[:, so]
    fall_f = np.concatenate([fall_f, np.zeros((2, last_up.sum()))], axis=1)[:, eo]
    up, down = rise_j >= 0, fall_j < n_t - 1
    aos[up], _, aos_az[up] = refine.crossing(
        p_series[up], t[rise_j[up]], t[rise_j[up] + 1], _secant(t, rise_j[up], rise_f[:, up]), +1
    )
    los[down], _, los_az[down] = refine.crossing(
        p_series[down], t[fall_j[down]], t[fall_j[down] + 1], _secant(t, fall_j[down], fall_f[:, down]), -1
    )
    # maxima: Newton on the elevation rate from the vertex of the parabola through three samples
    m_series, m_sample = np.r_[p_series, hidden[0]], np.r_[top, hidden[1]]
    m_f = np.concatenate([top_f, hidden_f], axis=1)
    m_lo, m_hi = t[np.maximum(m_sample - 1, 0)], t[np.minimum(m_sample + 1, n_t - 1)]
    m_t, m_sin, _ = refine.maximum(m_series, m_lo, m_hi, _vertex(t, m_sample, m_f))
    tca = np.clip(m_t[:n_p], aos, los)
    # the cut-off ends of passes at the window's edges still need their azimuths
    edge = np.isnan(aos_az) | np.isnan(los_az)
    if edge.any():
        e_series = p_series[edge]
        aos_az[edge] = refine.evaluate(e_series, aos[edge])[3]
        los_az[edge] = refine.evaluate(e_series, los[edge])[3]

    # 3. short passes between samples: a sampled maximum below the threshold, refined above it
    h_idx = n_p + np.flatnonzero(m_sin[n_p:] >= series_threshold[m_series[n_p:]])
    h_series = m_series[h_idx]
    mid_a, mid_b = 0.5 * (m_lo[h_idx] + m_t[h_idx]), 0.5 * (m_t[h_idx] + m_hi[h_idx])
    h_aos, _, h_aos_az = refine.crossing(h_series, m_lo[h_idx], m_t[h_idx], mid_a, +1)
    h_los, _, h_los_az = refine.crossing(h_series, m_t[h_idx], m_hi[h_idx], mid_b, -1)

    series = np.r_[p_series, h_series].astype(np.int64)
    max_el = np.degrees(np.arcsin(np.clip(np.r_[m_sin[:n_p], m_sin[h_idx]], -1.0, 1.0)))
    columns = [
        index[series // n_g],
        series % n_g,
        np.r_[aos, h_aos],
        np.r_[tca, m_t[h_idx]],
        np.r_[los, h_los],
        max_el,
        np.r_[aos_az, h_aos_az],
        np.r_[los_az, h_los_az],
    ]
    return columns, failure_notes(group, failed, n_t)


def _secant(t: np.ndarray, j: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Where the line through (t[j], f[0]) and (t[j + 1], f[1]) crosses zero."""
    f0, f1 = f
    frac = np.clip(f0 / np.where(f0 != f1, f0 - f1, 1.0), 0.0, 1.0)
    return t[j] + frac * (t[j + 1] - t[j])


def _vertex(t: np.ndarray, i: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The vertex of the parabola through three equally spaced samples (the middle one at the edges)."""
    dt = t[1] - t[0]
    fm, f0, fp = f
    curv = fm - 2.0 * f0 + fp
    with np.errstate(invalid="ignore"):
        off = np.where(np.isfinite(curv) & (curv < 0), 0.5 * (fm - fp) / np.where(curv < 0, curv, -1.0), 0.0)
    return t[i] + np.clip(off, -1.0, 1.0) * dt


class _Refiner:
    """Vectorized, bracketed Newton iteration (rtsafe) on (satellite, station) series of one group:
    quadratic convergence from a good first guess, bisection whenever a step leaves the bracket."""

    MAX_ITER = 60

    def __init__(
        self,
        group: Constellation,
        sites: Topocentric,
        window: Window,
        n_g: int,
        tol_s: float,
        threshold: np.ndarray,
    ) -> None:
        self.group, self.sites, self.window = group, sites, window
        self.n_g, self.tol_s, self.threshold = n_g, tol_s, threshold

    def _angles(self, prop: PairPropagator, site: np.ndarray, t: np.ndarray):
        r, v, ok = prop(t)
        s, s1, s2, az = look_angles(r, v, self.sites, site)
        return np.where(ok, s, BELOW), np.where(ok, s1, 0.0), np.where(ok, s2, -1.0), az

    def evaluate(self, series: np.ndarray, t: np.ndarray):
        """sin(elevation), its two time derivatives and the azimuth of each series at its time."""
        return self._angles(PairPropagator(self.group, self.window, series // self.n_g), series % self.n_g, t)

    def _newton(self, series, lo, hi, x, sign: int, which: int):
        """Solve g = 0 in [lo, hi] with sign·g < 0 at lo and ≥ 0 at hi; g is sin(el) − threshold
        (which = 0) or the elevation rate (which = 1). Returns the root, sin(el) and the azimuth there;
        a bracket without a root converges to its end (a maximum at the window's edge)."""
        lo, hi, x = (np.asarray(a, float).copy() for a in (lo, hi, x))
        s_out, az_out = np.full(len(x), BELOW), np.zeros(len(x))
        if len(series) == 0:
            return x, s_out, az_out
        sat, site = series // self.n_g, series % self.n_g
        active = np.arange(len(x))  # only unconverged series are propagated again
        for _ in range(self.MAX_ITER):
            prop = PairPropagator(self.group, self.window, sat[active])
            xa, la, ha = x[active], lo[active], hi[active]
            s, s1, s2, az = self._angles(prop, site[active], xa)
            s_out[active], az_out[active] = s, az
            g, dg = (s - self.threshold[site[active]], s1) if which == 0 else (s1, s2)
            right = sign * g >= 0
            ha, la = np.where(right, xa, ha), np.where(right, la, xa)
            with np.errstate(divide="ignore", invalid="ignore"):
                nx = xa - g / dg
            nx = np.where(np.isfinite(nx) & (nx > la) & (nx < ha), nx, 0.5 * (la + ha))
            done = (np.abs(nx - xa) < self.tol_s) | (ha - la < self.tol_s)
            lo[active], hi[active] = la, ha
            x[active[~done]] = nx[~done]
            active = active[~done]
            if len(active) == 0:
                break
        return x, s_out, az_out

    def crossing(self, series, lo, hi, guess, sign: int):
        """AOS (sign +1) or LOS (sign −1) in [lo, hi]: time, sin(elevation), azimuth."""
        return self._newton(series, lo, hi, guess, sign, 0)

    def maximum(self, series, lo, hi, guess):
        """The maximum of elevation in [lo, hi], where it is unimodal: time, sin(elevation), azimuth."""
        return self._newton(series, lo, hi, guess, -1, 1)
