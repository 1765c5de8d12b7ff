"""Own stations alone versus the pooled network: contact time, contacts, gaps and downlink capacity.

Both sides are scheduled by the same optimal MILP (:mod:`kopru.space.schedule`), so the
comparison is like for like:

- **own**: each country's satellites on its own antennas only (countries share nothing, so one
  MILP holds them all and decomposes);
- **pooled**: every satellite on every antenna, started from the own schedule, with one
  guarantee: each satellite gets at least its own-network contact time over the window. That is
  all the MILP promises: a satellite's longest gap, its worst day or its number of contacts can
  still get worse, and every metric that does is flagged per satellite (``worse_when_pooled``).

Only antennas that track LEO satellites are used (the stations file's ``serves`` column);
``assume_leo_antennas`` adds the geostationary control centres, as if they had such antennas.
The stations not used are listed with their reason.

Left out of the pool, each listed with its reason: geostationary satellites (in permanent view
of their own control stations on dedicated antennas, they would only block shared ones);
inactive satellites; and satellites without a row in the satellites file (no member vouches for
them, so they get no member's antenna time).

A schedule the solver proves optimal is used as it is; one stopped by the time limit is used with
a warning naming it, its status and its gap (:func:`unproven`); none found at all is an error
(:func:`_check_solved`), never a table of zeros.

Downlink capacity is rate × contact time: what the link could carry, not the data delivered (no
elevation-dependent link budget, TT&C share, onboard storage or imaging demand). The rate, the
set-up time, the mask and the shortest contact are assumptions unless the user gives them.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import numpy as np

from kopru.errors import OptionError, ScheduleError, SpaceWarning, StationError
from kopru.highs import Status
from kopru.space.frames import Window
from kopru.space.satellites import SatelliteInfo
from kopru.space.schedule import Schedule, SolveReport, conflict_pairs, schedule_contacts
from kopru.space.stations import Stations
from kopru.space.tle import Constellation
from kopru.space.visibility import Passes, find_passes

#: The one promise of the pooled schedule, in every output that states the result.
GUARANTEE = (
    "no satellite gets less total contact time over the window than from its own country's stations"
    " alone; its longest gap, worst day or number of contacts can still get worse (worse_when_pooled)"
)
#: What the pooled figures take for granted (a satellite operator's review: the headline gain read
#: as what an agreement would bring, while no antenna's band or licence is known).
INTEROPERABLE = (
    "every antenna that serves a satellite's orbit (the stations' serves column) is taken to work every"
    " member's satellite of that orbit: frequency bands, modems, licences and the operators' agreements"
    " are not checked, so the pooled figures are what full interoperability gives, an upper bound of"
    " what an agreement brings; and a satellite's own network is its country's antennas in the stations"
    " file: stations abroad that its operator contracts (KazSTSAT's at KSAT Svalbard, one in Norway"
    " for Göktürk-2) are not in it unless a stations file adds them under the satellite's country, so"
    " against an operator's whole network the gain is smaller"
)
#: The link parameters kopru assumes when the user gives none, and why each is only an assumption.
ASSUMED = {
    "rate_mbps": (
        "Mbit/s",
        "downlink, one rate for every satellite and antenna (no per-satellite rate is sourced), but those"
        " a satellites file gives its own (downlink_mbps)",
    ),
    "setup_s": ("s", "antenna set-up between two contacts (slew back, reconfigure)"),
    "handover_s": ("s", "a satellite's hand-over between two antennas (the next one acquiring it)"),
    "min_elevation_deg": ("°", "antenna elevation mask"),
    "min_contact_s": ("s", "shortest contact worth booking"),
}
#: Per-satellite metrics compared for ``worse_when_pooled``: +1 if more is worse, -1 if less is
#: worse, and the smallest change flagged — half a minute of contact, a minute of gap: below that
#: the two schedules differ by the seconds of a pass's edge, which no operator would notice.
WORSE_IF = {
    "contact_min_per_day": (-1, 0.5),
    "contacts": (-1, 0),
    "longest_gap_min": (+1, 1.0),
    "worst_day_contact_min": (-1, 0.5),
}
LESS_CONTACT_MIN = 0.5  # a day's contact counts as less when pooled falls short by more than this
METRIC_LABELS = {
    "contact_min_per_day": "contact time",
    "contacts": "contacts",
    "longest_gap_min": "longest gap",
    "worst_day_contact_min": "worst day's contact",
}


@dataclass(frozen=True)
class PoolOptions:
    """The operator's parameters; the link defaults are assumptions (:data:`ASSUMED`)."""

    min_elevation_deg: float = 5.0
    rate_mbps: float = 100.0
    setup_s: float = 120.0
    min_contact_s: float = 60.0
    time_limit_s: float = 60.0
    shorten: bool = False  # allow contacts shorter than the pass (see kopru.space.schedule)
    assume_leo_antennas: bool = False  # offer geostationary control centres to LEO satellites
    refraction: str = "none"  # the mask on the apparent elevation (kopru.space.refraction)
    handover_s: float = 0.0  # between two contacts of one satellite on different antennas

    def assumptions(self) -> list[dict[str, object]]:
        """Each link parameter, with whether it is kopru's unsourced default or the user's value."""
        defaults = {f.name: f.default for f in fields(PoolOptions)}
        return [
            {
                "parameter": name,
                "value": getattr(self, name),
                "unit": unit,
                "meaning": meaning,
                "basis": "assumption: kopru's default, no source"
                if getattr(self, name) == defaults[name]
                else "given by the user",
            }
            for name, (unit, meaning) in ASSUMED.items()
        ]


@dataclass(frozen=True)
class Contacts:
    """Scheduled contacts as arrays: each one's satellite (NORAD number), antenna (row of the
    antennas scheduled) and start and end (seconds from the window's start), in time order."""

    norad: np.ndarray
    station: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def chosen(cls, norads: np.ndarray, passes: Passes, rows: np.ndarray, sched: Schedule) -> Contacts:
        """The contacts ``sched`` books among the passes ``rows`` (the passes it was given)."""
        used = np.flatnonzero(sched.used)
        order = used[np.argsort(sched.start[used], kind="stable")]
        return cls(
            norads[passes.sat[rows[order]]],
            passes.station[rows[order]],
            sched.start[order],
            sched.end[order],
        )


@dataclass(frozen=True)
class PoolResult:
    window: Window
    options: PoolOptions
    satellites: list[dict[str, object]]
    excluded: list[dict[str, object]]
    own: SolveReport
    pooled: SolveReport
    schedule: list[dict[str, object]]
    constellation: Constellation | None = field(default=None, repr=False)  # every element set read
    # the own-country schedule every 'own' figure rests on (a satellite operator's review: only the
    # pooled one was given, so an operator could not see the bookings compared against)
    schedule_own: list[dict[str, object]] = field(default_factory=list)
    # passes the pooled schedule leaves out (or shortens) for another satellite's on the same antenna
    contested: list[dict[str, object]] = field(default_factory=list)
    stations: Stations | None = field(default=None, repr=False)  # the antennas scheduled
    stations_not_for_leo: tuple[dict[str, str], ...] = ()
    warnings: tuple[str, ...] = ()  # besides stale element sets, which as_dict adds
    # both schedules as arrays, for what is computed from them (kopru.space.delivery)
    own_contacts: Contacts | None = field(default=None, repr=False)
    pooled_contacts: Contacts | None = field(default=None, repr=False)

    def used_sets(self) -> Constellation | None:
        """The element sets of the satellites pooled: not those left out (geostationary, inactive,
        no row), whose age is no matter to the run (a review: a stale geostationary set was warned of,
        and refused by --max-elements-age, in a pool it was not in)."""
        return self.constellation.without(self.excluded) if self.constellation is not None else None

    def all_warnings(self) -> list[str]:
        used = self.used_sets()
        stale = used.stale_warning(self.window.start, self.window.end) if used else ""
        return [w for w in (stale, *self.warnings) if w]

    def balance(self) -> list[dict[str, object]]:
        """Per country, in the pooled schedule: antenna minutes a day its antennas give to other
        countries' satellites, those its satellites receive from other countries' antennas, and the
        net (a satellite operator's review: the headline gain hid who donates the antenna time)."""
        days = self.window.seconds / 86400.0
        owner = {s["norad"]: s["country"] for s in self.satellites}
        given: dict[str, float] = {}
        received: dict[str, float] = {}
        for c in self.schedule:
            if c["own_station"]:
                continue
            seconds = float(c["duration_s"])
            station_country, sat_country = str(c["station_country"]), str(owner.get(c["norad"], ""))
            given[station_country] = given.get(station_country, 0.0) + seconds
            received[sat_country] = received.get(sat_country, 0.0) + seconds
        rows = []
        for country in sorted(set(given) | set(received)):
            g, r = given.get(country, 0.0) / 60.0 / days, received.get(country, 0.0) / 60.0 / days
            rows.append(
                {
                    "country": country,
                    "given_min_per_day": round(g, 2),
                    "received_min_per_day": round(r, 2),
                    "net_min_per_day": round(g - r, 2),
                }
            )
        return rows

    def antennas(self) -> list[dict[str, object]]:
        """Each antenna's load in the pooled schedule: contacts, minutes a day, share of the window
        in contact, and how much of it goes to partners' satellites (what pooling asks of it)."""
        days = self.window.seconds / 86400.0
        rows: dict[str, dict[str, object]] = {}
        for c in self.schedule:
            row = rows.setdefault(
                str(c["station"]),
                {
                    "station": c["station"],
                    "country": c["station_country"],
                    "contacts": 0,
                    "_s": 0.0,
                    "_partner": 0.0,
                },
            )
            row["contacts"] = int(row["contacts"]) + 1
            row["_s"] = float(row["_s"]) + float(c["duration_s"])
            if not c["own_station"]:
                row["_partner"] = float(row["_partner"]) + float(c["duration_s"])
        out = []
        for row in sorted(rows.values(), key=lambda r: -float(r["_s"])):
            busy, partner = float(row.pop("_s")), float(row.pop("_partner"))
            out.append(
                row
                | {
                    "contact_min_per_day": round(busy / 60.0 / days, 3),
                    "busy_share": round(busy / self.window.seconds, 6),
                    "partner_share": round(partner / busy, 6) if busy else 0.0,
                }
            )
        return out

    def leo_antennas_assumed(self) -> list[dict[str, object]]:
        """Each antenna scheduled whose LEO tracking is an assumption of the stations file
        (``serves_basis``), with the pooled minutes a day booked on it against all pooled minutes
        (a satellite operator's review: Azercosmos Main's, marked as sourced, carried a quarter of the
        pooled gain while its own source said its LEO antenna was assumed)."""
        if self.stations is None:
            return []
        days = self.window.seconds / 86400.0
        total = sum(float(c["duration_s"]) for c in self.schedule)
        by_file = self.stations.leo_assumed()
        # --assume-leo-antennas: the geostationary control centres offered to LEO satellites too
        by_option = (
            np.array([s == "geo" for s in self.stations.serving()], dtype=bool)
            if self.options.assume_leo_antennas
            else np.zeros(len(by_file), dtype=bool)
        )
        rows = []
        for i in np.flatnonzero(by_file | by_option):
            name = self.stations.name[i]
            on = [float(c["duration_s"]) for c in self.schedule if c["station"] == name]
            own = [float(c["duration_s"]) for c in self.schedule_own if c["station"] == name]
            rows.append(
                {
                    "station": name,
                    "country": self.stations.country[i],
                    "pooled_contacts": len(on),
                    "pooled_min_per_day": round(sum(on) / 60.0 / days, 2),
                    "pooled_total_min_per_day": round(total / 60.0 / days, 2),
                    "own_min_per_day": round(sum(own) / 60.0 / days, 2),
                    "basis": "assume_leo_antennas" if by_option[i] else "serves_basis",
                }
            )
        return rows

    def as_dict(self) -> dict[str, object]:
        used = self.used_sets()
        ages = used.ages(self.window.start, self.window.end) if used else []
        return {
            "start": self.window.iso(0.0)[0],
            "end": self.window.iso(self.window.seconds)[0],
            "guarantee": GUARANTEE,
            "interoperability": INTEROPERABLE,
            "parameters": self.options.__dict__,
            # the antennas whose own mask replaces min_elevation_deg (the stations file's column)
            "antenna_masks_deg": self.stations.own_masks() if self.stations is not None else {},
            "assumptions": self.options.assumptions(),
            "element_sets": ages,
            "warnings": self.all_warnings(),
            "solver": {"own": self.own.as_dict(), "pooled": self.pooled.as_dict()},
            "excluded": self.excluded,
            "stations_left_out": list(self.stations.left_out) if self.stations is not None else [],
            "stations_not_for_leo": list(self.stations_not_for_leo),
            # antennas whose LEO tracking the stations file assumes (serves_basis), and the time on them
            "leo_antennas_assumed": self.leo_antennas_assumed(),
            "satellites": self.satellites,
            "antennas": self.antennas(),
            "country_balance": self.balance(),
            "contested": self.contested,
            "contested_by_satellite": contested_by_satellite(self.contested),
            "schedule": self.schedule,
            "schedule_own": self.schedule_own,
        }


def pool(
    constellation: Constellation,
    stations: Stations,
    start: datetime,
    days: float,
    owners: dict[int, SatelliteInfo],
    options: PoolOptions | None = None,
    satellites_file: str = "the satellites file",
    refuse_empty: bool = False,
) -> PoolResult:
    """Compare each satellite's contacts from its own country's stations with the pooled network;
    ``refuse_empty``: refuse a window in which no pass is long enough to book (every figure zero)."""
    options = options or PoolOptions()
    keep, excluded = pool_members(constellation, owners, satellites_file)
    sats = constellation.subset(keep)
    antennas, refused = _leo_antennas(stations, options.assume_leo_antennas)
    country = np.array([owners[e.norad].country for e in sats], dtype=object)
    priority = np.array([owners[e.norad].priority for e in sats])
    own_rate = [owners[e.norad].downlink_mbps for e in sats]  # a satellite's own, else the run's
    rates = np.array([options.rate_mbps if r is None else r for r in own_rate], dtype=float)
    norads = np.array([e.norad for e in sats], dtype=np.int64)
    notes = _missing_rows(constellation, owners, satellites_file) + _countries_without_station(
        sats, country, antennas, satellites_file
    )
    for note in notes:
        warnings.warn(note, SpaceWarning, stacklevel=2)
    passes = find_passes(
        sats, antennas, start, days, options.min_elevation_deg, refraction=options.refraction
    )
    notes += passes.warnings  # SGP4 failures
    if refuse_empty and len(sats) and not ((passes.los - passes.aos) >= options.min_contact_s).any():
        # every figure would be a zero and every gap the window (a satellite operator's review: that
        # was printed, exit 0, with no word why)
        raise OptionError(
            f"no pass of any satellite over any antenna reaches the {options.min_elevation_deg:g}° mask"
            f"{' (or the antennas’ own)' if antennas.own_masks() else ''} for"
            f" {options.min_contact_s:g} s or more in the window, so there is nothing to pool; lower"
            " min_elevation or min_contact_s, or give more days",
            field=_the_limit_that_binds(float((passes.los - passes.aos).max(initial=0.0)), days),
        )
    window = passes.window
    st_country = np.array(antennas.country, dtype=object)
    own_mask = st_country[passes.station] == country[passes.sat]
    args = dict(
        setup_s=options.setup_s,
        handover_s=options.handover_s,
        min_contact_s=options.min_contact_s,
        time_limit_s=options.time_limit_s,
        shorten=options.shorten,
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
    _check_solved("own", own.report, options.time_limit_s)
    own_seconds = np.bincount(passes.sat[own_idx], weights=own.duration, minlength=len(sats))
    start_used, start_s, start_e = np.zeros(len(passes), bool), passes.aos.copy(), passes.aos.copy()
    start_used[own_idx], start_s[own_idx], start_e[own_idx] = own.used, own.start, own.end
    own_all = SimpleNamespace(used=start_used, start=start_s, end=start_e)  # the own schedule, every pass
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
    _check_solved("pooled", pooled.report, options.time_limit_s)
    notes += unproven(own.report, pooled.report)
    n_days = max(1, int(np.ceil(days - 1e-9)))
    before_own, after_own, before_all, after_all = _beyond_edges(
        sats, antennas, start, days, options, country
    )
    own_m = _metrics(passes.sat[own_idx], own, len(sats), window, n_days, rates, before_own, after_own)
    pool_m = _metrics(passes.sat, pooled, len(sats), window, n_days, rates, before_all, after_all)
    rows = _satellite_rows(sats, country, window, n_days, own_m, pool_m, rates)
    return PoolResult(
        window,
        options,
        rows,
        excluded,
        own.report,
        pooled.report,
        _schedule_rows(sats, antennas, passes, pooled, own_mask),
        contested=_contested(sats, antennas, passes, pooled, own_mask, options.setup_s, own_all),
        schedule_own=_schedule_rows(sats, antennas, passes, own_all, own_mask),
        constellation=constellation,
        stations=antennas,
        stations_not_for_leo=refused,
        warnings=tuple(notes),
        own_contacts=Contacts.chosen(norads, passes, own_idx, own),
        pooled_contacts=Contacts.chosen(norads, passes, np.arange(len(passes)), pooled),
    )


def _check_solved(name: str, report: SolveReport, time_limit_s: float) -> None:
    """Refuse a schedule the solver did not find: its figures would be zeros, not a result."""
    if report.status is Status.NO_SOLUTION:
        raise ScheduleError(
            f"no {name} schedule was found within the time limit of {time_limit_s:g} s;"
            " give a longer time_limit",
            field="time_limit",
        )
    if report.status is Status.INFEASIBLE:  # the own schedule is a feasible start, so never expected
        raise ScheduleError(
            f"the {name} schedule is infeasible: no schedule gives every satellite its own-network contact"
            " time, which the own schedule does; expected a feasible model, so report this as a bug"
        )


def unproven(own: SolveReport, pooled: SolveReport) -> list[str]:
    """A warning for each schedule the solver found but did not prove optimal (a time limit): its
    figures are those of a feasible schedule, not of the best one."""
    notes = []
    for name, rep in (("own", own), ("pooled", pooled)):
        if rep.status is Status.OPTIMAL:
            continue
        gap = "unknown (no finite bound)" if rep.gap is None else f"{rep.gap:.2%}"
        notes.append(
            f"the {name} schedule stopped with status {rep.status.value}, gap {gap}: it is not proven the"
            " best schedule, so figures read from it may fall short of the best's (raise --time-limit)"
        )
        warnings.warn(notes[-1], SpaceWarning, stacklevel=3)
    return notes


def check_members(result: PoolResult, satellites_file: str) -> PoolResult:
    """The result, or a :class:`StationError` naming every satellite left out and why when none is
    pooled: an empty table would read as satellites with no contact."""
    if result.satellites:
        return result
    left = ", ".join(f"{e['satellite']} ({e['reason']})" for e in result.excluded)
    raise StationError(
        f"no satellite to pool: every satellite is left out: {left}; expected at least one active"
        f" satellite that is not geostationary, with a row norad,country in {satellites_file}"
    )


def _schedule_rows(
    sats: Constellation, antennas: Stations, passes: Passes, pooled: Any, own_mask: np.ndarray
) -> list[dict[str, object]]:
    """A schedule's contacts (``used``, ``start``, ``end`` per pass) in time order, by satellite and
    station name."""
    used = np.flatnonzero(pooled.used)
    window = passes.window
    return [
        {
            "satellite": sats[int(passes.sat[k])].name,
            "norad": sats[int(passes.sat[k])].norad,
            "station": antennas.name[int(passes.station[k])],
            "station_country": antennas.country[int(passes.station[k])],
            "own_station": bool(own_mask[k]),
            "start": window.iso(pooled.start[k])[0],
            "end": window.iso(pooled.end[k])[0],
            "duration_s": round(float(pooled.end[k] - pooled.start[k]), 3),
        }
        for k in used[np.argsort(pooled.start[used], kind="stable")]
    ]


MIN_LOSS_S = 30.0  # half a minute: below it a pass is not said to be given up (as the flags above)


def _contested(
    sats: Constellation,
    antennas: Stations,
    passes: Passes,
    pooled: Schedule,
    own_mask: np.ndarray,
    setup_s: float,
    own_all: Any,
) -> list[dict[str, object]]:
    """Each contact a satellite had in its own country's schedule that the pooled schedule leaves
    out or shortens to give its antenna to another satellite (their windows, widened by the set-up
    time, overlap), while the satellite is in contact with no other antenna for at least
    MIN_LOSS_S of it: whose, where, when, what it had and kept, the time it loses and the satellites
    that took the antenna. What a member gives up to the pool, pass by pass, in time order.

    ``own_all`` (used, start, end per pass) is the own-country schedule: a satellite operator's
    review found passes counted as given up that the own schedule had never booked either (taken
    by a satellite of the same country) or that were too short to book at all."""
    own_used, own_start, own_end = own_all.used, own_all.start, own_all.end
    pairs = conflict_pairs(passes.station, passes.aos, passes.los, setup_s)
    rival = passes.sat[pairs[0]] != passes.sat[pairs[1]]
    pairs = pairs[:, rival]
    full = passes.los - passes.aos
    kept = np.where(pooled.used, pooled.end - pooled.start, 0.0)
    lost = kept < full - 1e-6  # left out, or shortened to make room
    takers: dict[int, set[int]] = {}
    for p, q in pairs.T.tolist():
        for loser, winner in ((p, q), (q, p)):
            if lost[loser] and pooled.used[winner]:
                takers.setdefault(loser, set()).add(int(passes.sat[winner]))
    window = passes.window
    used = np.flatnonzero(pooled.used)
    rows = []
    for k in sorted(takers, key=lambda k: (passes.aos[k], k)):
        if not own_used[k]:  # not the satellite's contact without the pool: nothing given up
            continue
        # the time the satellite spends in contact anyway, on this antenna or another, is not lost
        mine = used[passes.sat[used] == passes.sat[k]]
        covered = np.maximum(
            np.minimum(pooled.end[mine], own_end[k]) - np.maximum(pooled.start[mine], own_start[k]), 0.0
        ).sum()
        had = float(own_end[k] - own_start[k])
        lost_s = had - float(covered)
        if lost_s < MIN_LOSS_S:
            continue
        rows.append(
            {
                "satellite": sats[int(passes.sat[k])].name,
                "norad": sats[int(passes.sat[k])].norad,
                "station": antennas.name[int(passes.station[k])],
                "own_station": bool(own_mask[k]),
                "aos": window.iso(passes.aos[k])[0],
                "los": window.iso(passes.los[k])[0],
                "pass_s": round(float(full[k]), 3),
                "had_s": round(had, 3),  # the contact in the own-country schedule
                "kept_s": round(float(kept[k]), 3),
                "lost_s": round(lost_s, 3),  # not in contact with any antenna meanwhile
                "taken_by": sorted(sats[s].name for s in takers[k]),
            }
        )
    return rows


LEO_ASSUMED_BY = {
    "serves_basis": "an assumption of the stations file (serves_basis)",
    "assume_leo_antennas": "the run's assumption (--assume-leo-antennas: a geostationary control centre)",
}


def leo_assumed_words(rows: list[dict[str, object]]) -> str:
    """'Azercosmos Main Satellite Ground Control Station's LEO antenna is an assumption … : 105 of 440
    pooled min/d use it', for :meth:`PoolResult.leo_antennas_assumed`."""
    whose = LEO_ASSUMED_BY
    return "; ".join(
        f"{_label(str(r['station']))}'s LEO antenna is {whose[str(r.get('basis', 'serves_basis'))]},"
        f" not a source: {float(r['pooled_min_per_day']):.0f} of"  # type: ignore[arg-type]
        f" {float(r['pooled_total_min_per_day']):.0f} pooled min/d use it"  # type: ignore[arg-type]
        for r in rows
    )


def leo_assumed_passes_words(rows: list[dict[str, object]] | tuple[dict[str, object], ...]) -> str:
    """'Azercosmos Main Satellite Ground Control Station's LEO antenna is an assumption …: 5 of the 26
    passes of LEO satellites listed are over it', for
    :attr:`~kopru.space.visibility.Passes.leo_assumed`."""
    return "; ".join(
        f"{_label(str(r['station']))}'s LEO antenna is {LEO_ASSUMED_BY[str(r['basis'])]}, not a source:"
        f" {r['leo_passes']} of the {r['leo_passes_listed']} passes of LEO satellites listed are over it"
        for r in rows
    )


def _label(name: str) -> str:
    """A station's name without the description the data adds after a comma or bracket."""
    return re.split(r",\s| \(", name, maxsplit=1)[0].strip() or name


def contested_by_satellite(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Per satellite: the passes it gives up, or shortens, for others on a shared antenna, and the
    minutes, on its own country's antennas and on partners'."""
    out: dict[int, dict[str, object]] = {}
    for r in rows:
        row = out.setdefault(
            int(r["norad"]),
            {
                "satellite": r["satellite"],
                "norad": r["norad"],
                "passes": 0,
                "minutes": 0.0,
                "on_own_stations": 0,
            },
        )
        row["passes"] = int(row["passes"]) + 1
        row["minutes"] = round(float(row["minutes"]) + float(r["lost_s"]) / 60.0, 3)
        row["on_own_stations"] = int(row["on_own_stations"]) + bool(r["own_station"])
    return sorted(out.values(), key=lambda r: -float(r["minutes"]))


def pool_members(
    constellation: Constellation, owners: dict[int, SatelliteInfo], satellites_file: str
) -> tuple[list[bool], list[dict[str, object]]]:
    """Which satellites enter the pool, and the others with their reason."""
    keep, excluded = [], []
    for e in constellation:
        info = owners.get(e.norad)
        if e.is_geostationary:
            reason = "geostationary"
        elif info is None:
            reason = f"no row in {satellites_file}: owner and status unknown"
        elif not info.active:
            reason = "inactive"
        else:
            reason = ""
        if reason:
            excluded.append({"satellite": e.name, "norad": e.norad, "reason": reason})
        keep.append(not reason)
    return keep, excluded


def _leo_antennas(
    stations: Stations, assume_leo_antennas: bool
) -> tuple[Stations, tuple[dict[str, str], ...]]:
    """The stations that track LEO satellites, and the others named with their reason."""
    tracks = stations.tracks_leo(assume_leo_antennas)
    if not tracks.any():
        found = ", ".join(sorted(set(stations.serving())))
        # the flag only where there are geostationary centres to assume and it is off (a review: it was
        # suggested with the flag on, for rows with no antenna at all)
        hint = (
            "--assume-leo-antennas uses the geostationary control centres as if they had LEO antennas"
            if "geo" in stations.serving() and not assume_leo_antennas
            else "the stations of these statuses have no antenna for them (serves none); choose others with"
            " --station-status"
        )
        raise StationError(
            f"no station used tracks LEO satellites (their 'serves' column has {found}); expected leo or"
            f" both — {hint}"
        )
    return stations.subset(tracks), stations.not_for_leo(assume_leo_antennas)


def _missing_rows(
    constellation: Constellation, owners: dict[int, SatelliteInfo], satellites_file: str
) -> list[str]:
    names = [
        f"{e.name} (NORAD {e.norad})"
        for e in constellation
        if e.norad not in owners and not e.is_geostationary
    ]
    if not names:
        return []
    return [
        f"{len(names)} satellite(s) have no row in {satellites_file} and are left out of the pool (owner and"
        f" status unknown, so no member's antenna time): {', '.join(names)} — add rows norad,country[,active]"
        " to pool them"
    ]


def _countries_without_station(
    sats: Constellation, country: np.ndarray, antennas: Stations, satellites_file: str
) -> list[str]:
    """One warning per owner country (as the satellites file spells it) with no antenna of its
    own: its satellites' own-network figures are zero and any pooled contact looks like a gain."""
    have = sorted(set(antennas.country))
    notes = []
    for owner in dict.fromkeys(c for c in country if c not in have):
        names = ", ".join(e.name for e, c in zip(sats, country, strict=True) if c == owner)
        who = f"country {owner!r}" if owner else f"no country in {satellites_file}"
        notes.append(
            f"{names} ({who}): no station of that country among the antennas used (their countries:"
            f" {', '.join(have)}), so their own-network contact is zero — check the spelling in both files"
        )
    return notes


#: How far past the window's ends a satellite's gap is followed to its nearest pass (a satellite
#: operator's review: cut at the ends, the overnight gap of a one-day window read as two short ones).
EDGE_LOOK_DAYS = 1.0


def _beyond_edges(
    sats: Constellation, antennas: Stations, start: datetime, days: float, options: PoolOptions, country
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per satellite, in seconds from the window's start: the end of its last pass before the window
    and the start of its first after it, long enough to book, on its own country's antennas and on
    any, within :data:`EDGE_LOOK_DAYS` (no pass: the limit itself, and the gap stays a lower bound).
    Such a pass is taken as booked: the schedules are not made outside the window."""
    span, end = EDGE_LOOK_DAYS * 86400.0, days * 86400.0
    n = len(sats)
    station_country = np.array(antennas.country, dtype=object)
    found = []
    for at, sign in ((start - timedelta(days=EDGE_LOOK_DAYS), -1), (start + timedelta(days=days), +1)):
        with warnings.catch_warnings():  # the window's own pass search has said any SGP4 failure
            warnings.simplefilter("ignore", SpaceWarning)
            p = find_passes(
                sats, antennas, at, EDGE_LOOK_DAYS, options.min_elevation_deg, refraction=options.refraction
            )
        usable = (p.los - p.aos) >= options.min_contact_s
        own = usable & (station_country[p.station] == country[p.sat])
        for mask in (own, usable):
            if sign < 0:  # the last LOS before the start, as a time before it
                edge = np.full(n, -span)
                np.maximum.at(edge, p.sat[mask], p.los[mask] - span)
            else:  # the first AOS after the end
                edge = np.full(n, end + span)
                np.minimum.at(edge, p.sat[mask], p.aos[mask] + end)
            found.append(edge)
    before_own, before_all, after_own, after_all = found
    return before_own, after_own, before_all, after_all


def _metrics(
    sat: np.ndarray,
    sched: Schedule,
    n_sats: int,
    window: Window,
    n_days: int,
    rate_mbps: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
):
    """Per satellite × day: contact seconds, contacts started, longest gap touching the day (its full
    length, so a gap across midnight is not cut in two), and downlink capacity in GB. ``before`` and
    ``after``: each satellite's nearest pass outside the window (:func:`_beyond_edges`), where its
    first and last gaps run to."""
    day_lo = np.arange(n_days) * 86400.0
    day_hi = np.minimum(day_lo + 86400.0, window.seconds)
    u = np.flatnonzero(sched.used)
    s_, a, b = sat[u], sched.start[u], sched.end[u]
    overlap = np.clip(np.minimum(b[:, None], day_hi) - np.maximum(a[:, None], day_lo), 0.0, None)
    seconds = np.zeros((n_sats, n_days))
    np.add.at(seconds, s_, overlap)
    count = np.zeros((n_sats, n_days), dtype=np.int64)
    np.add.at(count, (s_, np.minimum((a // 86400).astype(int), n_days - 1)), 1)
    # gaps: between consecutive contacts of a satellite, and from/to its nearest passes beyond the window
    o = np.lexsort((a, s_))
    s_, a, b = s_[o], a[o], b[o]
    first = np.r_[True, s_[1:] != s_[:-1]] if len(s_) else np.zeros(0, bool)
    last = np.r_[s_[1:] != s_[:-1], True] if len(s_) else np.zeros(0, bool)
    prev_end = np.where(first, before[s_], np.r_[0.0, b[:-1]])
    silent = np.setdiff1d(np.arange(n_sats), s_)
    g_sat = np.r_[s_, s_[last], silent]
    g_lo = np.r_[prev_end, b[last], before[silent]]
    g_hi = np.r_[a, after[s_[last]], after[silent]]
    touches = (g_lo[:, None] < day_hi) & (g_hi[:, None] > day_lo) & (g_hi > g_lo)[:, None]
    longest = np.zeros((n_sats, n_days))
    gi, di = np.nonzero(touches)
    np.maximum.at(longest, (g_sat[gi], di), (g_hi - g_lo)[gi])
    capacity = seconds * rate_mbps[:, None] / 8.0 / 1000.0  # each satellite's Mbit/s × s → GB
    # whether a satellite's longest gap runs past the look beyond the window: then it is a lower bound
    length = g_hi - g_lo
    worst = np.zeros(n_sats)
    np.maximum.at(worst, g_sat, length)
    at_edge = np.zeros(n_sats, bool)
    span = EDGE_LOOK_DAYS * 86400.0
    censored = (g_lo <= -span) | (g_hi >= window.seconds + span)
    edge = censored & (length >= worst[g_sat]) & (length > 0)
    at_edge[g_sat[edge]] = True
    return seconds, count, longest, capacity, at_edge


def _satellite_rows(sats, country, window, n_days, own_m, pool_m, rates) -> list[dict[str, object]]:
    day_lo = np.arange(n_days) * 86400.0
    full = (np.minimum(day_lo + 86400.0, window.seconds) - day_lo) >= 86400.0 - 1e-6
    # the worst day among whole days: a partial last day would always look worst
    worst_days = full if full.any() else np.ones(n_days, bool)

    def day(m, i, d) -> dict[str, object]:
        seconds, count, longest, capacity, _ = m
        return {
            "contact_min": round(float(seconds[i, d]) / 60.0, 2),
            "contacts": int(count[i, d]),
            "longest_gap_min": round(float(longest[i, d]) / 60.0, 1),
            "downlink_capacity_gb": round(float(capacity[i, d]), 3),
        }

    def total(m, i) -> dict[str, object]:
        seconds, count, longest, capacity, at_edge = m
        return {
            "contact_min_per_day": round(float(seconds[i].sum()) / 60.0 / (window.seconds / 86400.0), 2),
            "contacts": int(count[i].sum()),
            "longest_gap_min": round(float(longest[i].max()) / 60.0, 1),
            # the longest gap runs past the look beyond the window: at least this long
            "longest_gap_at_least": bool(at_edge[i]),
            "worst_day_contact_min": round(float(seconds[i, worst_days].min()) / 60.0, 2),
            "downlink_capacity_gb": round(float(capacity[i].sum()), 3),
        }

    rows = []
    for i, e in enumerate(sats):
        own, pooled = total(own_m, i), total(pool_m, i)
        days = [
            {
                "date": _day_label(window.start + timedelta(days=d)),
                "own": day(own_m, i, d),
                "pooled": day(pool_m, i, d),
            }
            for d in range(n_days)
        ]
        rows.append(
            {
                "satellite": e.name,
                "norad": e.norad,
                "country": country[i],
                "downlink_mbps": float(rates[i]),
                "own": own,
                "pooled": pooled,
                "worse_when_pooled": worse_when_pooled(own, pooled),
                "days_with_less_contact": [
                    d["date"]
                    for d in days
                    if d["pooled"]["contact_min"] < d["own"]["contact_min"] - LESS_CONTACT_MIN
                ],
                "days": days,
            }
        )
    return rows


def _day_label(start: datetime) -> str:
    """A day of the window by its start: the date when it starts at 00:00 UTC, else the date and time
    ('2026-06-03 12:00'), as a window from noon runs noon to noon (a review: such days were labelled
    with calendar dates they are not)."""
    midnight = start.hour == start.minute == start.second == start.microsecond == 0
    return start.date().isoformat() if midnight else start.strftime("%Y-%m-%d %H:%M")


def worse_when_pooled(own: dict[str, object], pooled: dict[str, object]) -> list[dict[str, object]]:
    """The metrics (:data:`WORSE_IF`) on which the pooled schedule does worse than the own one."""
    return [
        {"metric": name, "label": METRIC_LABELS[name], "own": own[name], "pooled": pooled[name]}
        for name, (sign, tolerance) in WORSE_IF.items()
        if sign * (float(pooled[name]) - float(own[name])) > tolerance
    ]


USUAL_CONTACT_S = 60.0  # the shortest contact worth booking by default (pool's min_contact_s)


def _the_limit_that_binds(longest_s: float, days: float) -> str:
    """The option a form outlines when no pass is long enough (a web review: min_elevation was
    outlined when the window or the shortest contact was the cause): passes of a usual contact's
    minute there are, so the shortest contact asked for; no pass at all in under six hours, the
    window; else the mask, which shortens every pass."""
    if longest_s >= USUAL_CONTACT_S:
        return "min_contact_s"
    return "days" if days * 24 < 6 else "min_elevation"
