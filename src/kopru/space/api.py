"""The space planner's verbs, as ``kopru.space.passes``, ``pool`` and ``imaging`` (and the CLI's).

Each takes the observation window (``start``, a datetime or ISO 8601 text, UTC if it has no
offset; ``days``) and optional files (element sets, stations, satellites, sites): ``None`` means
the shipped Kazakh, Turkish and OTS satellites and ground stations. Satellites are called by their
name in the satellites file where it has one. Element sets used far from their epoch raise a
:class:`~kopru.errors.StaleElementsWarning` and the run goes on; every result carries the element
sets' epochs and ages and its warnings, so its JSON, CSV and report say them too.

Satellites that are not geostationary get only the stations whose ``serves`` column says they
track LEO satellites; ``assume_leo_antennas`` also gives them the geostationary control centres.
``station_status`` is a tuple of statuses or a string of one (or several, comma-separated).

``pool``, ``imaging`` and ``latency`` refuse (a :class:`~kopru.errors.StationError` naming every
satellite left out and why) when no satellite qualifies, and ``pool`` and ``latency`` refuse (a
:class:`~kopru.errors.ScheduleError`) a schedule the solver found none of within the time limit:
an empty or all-zero table would read as a result.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from kopru.errors import OptionError, SpaceWarning
from kopru.space.delivery import Latency, LatencyOptions, measure
from kopru.space.observation import (
    MAX_OFF_NADIR_DEG,
    MIN_SUN_ELEVATION_DEG,
    Opportunities,
    check_satellites,
    imaging_members,
    imaging_opportunities,
    read_sites,
)
from kopru.space.pooling import PoolOptions, PoolResult, check_members, pool_members
from kopru.space.pooling import pool as pool_contacts
from kopru.space.refraction import check_refraction
from kopru.space.satellites import MAX_RATE_MBPS, SatelliteInfo, named, read_satellites
from kopru.space.stations import DEFAULT_STATUSES, MASK_RANGE, Stations, read_stations
from kopru.space.tle import Constellation, read_tle
from kopru.space.visibility import Passes, find_passes

MAX_DAYS = 31.0
PathLike = str | Path | None
ASSUME_HINT = "; --assume-leo-antennas uses the geostationary control centres as if they had LEO antennas"


def leo_hint(sites: Stations, assume_leo_antennas: bool) -> str:
    """What can be done when no station used tracks LEO satellites: the flag where geostationary
    control centres are there to assume and it is off; else that the stations have no antenna."""
    if "geo" in sites.serving() and not assume_leo_antennas:
        return ASSUME_HINT
    return "; the stations of these statuses have no antenna for them (serves none)"


FIRST_EPOCH = datetime(1957, 10, 4, tzinfo=UTC)  # Sputnik 1: no element set is older
END_OF_EPOCHS = datetime(2057, 1, 1, tzinfo=UTC)  # TLE years 57-99 are 1957-1999, 00-56 are 2000-2056


def parse_start(when: str | datetime) -> datetime:
    """An ISO 8601 date or date-time (or a datetime); without an offset it is UTC."""
    if isinstance(when, datetime):
        moment = when
    else:
        try:
            moment = datetime.fromisoformat(str(when).strip().replace("Z", "+00:00"))
        except ValueError:
            raise OptionError(
                f"start {str(when)[:40]!r} is not an ISO 8601 date or time; expected e.g. 2026-06-01T00:00Z",
                field="start",
            ) from None
    outside = OptionError(
        f"start {str(when)[:40]} is outside the years element sets can describe"
        f" ({FIRST_EPOCH.year}-{END_OF_EPOCHS.year - 1}: a TLE epoch has a two-digit year)",
        field="start",
    )
    try:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 lies before the calendar in UTC
        raise outside from None
    if not FIRST_EPOCH <= moment < END_OF_EPOCHS:
        raise outside
    return moment


MAX_HANDOVER_S = 3600.0  # an hour: a LEO satellite's passes over one antenna are an orbit apart


def check_days(days: float) -> float:
    if not 0.0 < days <= MAX_DAYS:
        raise OptionError(f"days must be in (0, {MAX_DAYS:g}], got {days:g}", field="days")
    return float(days)


def check_min_elevation(degrees: float) -> float:
    """An antenna mask: [-10°, 89°] (below the horizon for a station on a height), as an antenna's own
    in a stations file (:data:`kopru.space.stations.MASK_RANGE`)."""
    lo, hi = MASK_RANGE
    if not lo <= degrees <= hi:
        raise OptionError(
            f"min_elevation must be in [{lo:g}, {hi:g}] degrees, got {degrees:g}", field="min_elevation"
        )
    return float(degrees)


def check_max_off_nadir(degrees: float) -> float:
    if not 0.0 < degrees < 90.0:
        raise OptionError(f"max_off_nadir must be in (0, 90) degrees, got {degrees:g}", field="max_off_nadir")
    return float(degrees)


def check_min_sun_elevation(degrees: float) -> float:
    if not -90.0 <= degrees < 90.0:
        raise OptionError(
            f"min_sun_elevation must be in [-90, 90) degrees, got {degrees:g}", field="min_sun_elevation"
        )
    return float(degrees)


def _window(
    tle: PathLike,
    start: str | datetime,
    days: float,
    owners: dict[int, SatelliteInfo],
    max_elements_age: float | None = None,
    follow_days: float = 0.0,
) -> tuple[Constellation, datetime, float]:
    """The element sets, named as the satellites file names them, and the checked window. Their age
    is checked by each verb (:func:`_check_age`) over the satellites it uses."""
    when, days = parse_start(start), check_days(days)
    if max_elements_age is not None and not 0 < max_elements_age < float("inf"):
        raise OptionError(
            f"max_elements_age must be a number of days > 0, got {max_elements_age:g}",
            field="max_elements_age",
        )
    return named(read_tle(tle), owners), when, days


def _check_age(used: Constellation, when: datetime, days: float, max_elements_age: float | None) -> None:
    """Warn of the element sets of ``used`` stale over the window's ``days`` (the days after it that the
    run also computes included), and refuse those farther than ``max_elements_age`` days from it: only
    the satellites the run uses (a review: a set the run left out, or another satellite's than the one
    asked for, refused an operator's run)."""
    used.check_age(when, when + timedelta(days=days), max_elements_age)


def station_statuses(wanted: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The statuses asked for: a string is one status, or several comma-separated as on the command
    line ('operational,backup'), never its characters; blanks are dropped."""
    items = wanted.split(",") if isinstance(wanted, str) else wanted
    return tuple(s.strip().lower() for s in items if s.strip())


def _warn(message: str) -> str:
    warnings.warn(message, SpaceWarning, stacklevel=3)
    return message


def passes(
    start: str | datetime,
    days: float = 1.0,
    tle: PathLike = None,
    stations: PathLike = None,
    min_elevation: float = 0.0,
    station_status: str | tuple[str, ...] = DEFAULT_STATUSES,
    satellites: PathLike = None,
    assume_leo_antennas: bool = False,
    max_elements_age: float | None = None,
    refraction: str = "none",
    satellite: Sequence[str] = (),
    station: Sequence[str] = (),
) -> Passes:
    """Every pass of each satellite over each station whose status is in ``station_status``
    (operational antennas by default): AOS, TCA, LOS, maximum elevation, azimuths. Satellites that
    are not geostationary are listed only over stations that track them (see the module).
    ``satellite`` and ``station``: only those with a word of the name starting with one of these
    (any case; a satellite also by its NORAD number), as an operator plans one satellite over one
    antenna."""
    check_min_elevation(min_elevation)
    check_refraction(refraction, min_elevation)
    owners = read_satellites(satellites)
    constellation, when, days = _window(tle, start, days, owners, max_elements_age)
    sites = read_stations(stations, station_statuses(station_status))
    if satellite:
        names = [(e.name, e.catalogue_name or e.name) for e in constellation]
        norads = [str(e.norad) for e in constellation]
        constellation = constellation.subset(_named_in(satellite, names, "satellite", norads))
    if station:
        _said_left_out(station, sites, station_statuses(station_status))
        sites = sites.subset(_named_in(station, [(n,) for n in sites.name], "station"))
    _check_age(constellation, when, days, max_elements_age)
    found = find_passes(constellation, sites, when, days, min_elevation, refraction=refraction)
    geostationary = np.array([e.is_geostationary for e in constellation], dtype=bool)
    tracks = sites.tracks_leo(assume_leo_antennas)
    # a geostationary satellite only over the antennas that work one (a review found KazSat-2 listed
    # over the LEO-only KGS Astana and over rows with no antenna at all)
    serving = np.array(sites.serving(), dtype=object)
    works_geo = np.isin(serving, ("geo", "both"))
    kept = found.where(np.where(geostationary[found.sat], works_geo[found.station], tracks[found.station]))
    refused = sites.not_for_leo(assume_leo_antennas)
    notes = ()
    if refused and not geostationary.all() and not tracks.any():
        notes = (
            _warn(
                "no station used tracks LEO satellites, so they have no passes"
                + leo_hint(sites, assume_leo_antennas)
            ),
        )
    inactive = tuple(e.name for e in constellation if e.norad in owners and not owners[e.norad].active)
    return replace(
        kept,
        stations_not_for_leo=refused,
        warnings=found.warnings + notes,
        inactive=inactive,
        leo_assumed=_leo_assumed(kept, sites, geostationary, assume_leo_antennas),
    )


def _leo_assumed(
    kept: Passes, sites: Stations, geostationary: np.ndarray, assume_leo_antennas: bool
) -> tuple[dict[str, object], ...]:
    """The antennas whose listed passes of satellites that are not geostationary rest on an
    assumption: of the stations file (``serves_basis``), or of the run (a geostationary control
    centre offered to them), with how many such passes each has; as the pool names them."""
    by_file = sites.leo_assumed()
    by_option = np.array([s == "geo" for s in sites.serving()], dtype=bool) & assume_leo_antennas
    on_leo = ~geostationary[kept.sat.astype(np.intp)]
    leo = np.bincount(kept.station.astype(np.intp)[on_leo], minlength=len(sites.name))
    return tuple(
        {
            "station": sites.name[i],
            "country": sites.country[i],
            "basis": "assume_leo_antennas" if by_option[i] else "serves_basis",
            "leo_passes": int(leo[i]),
            # of all listed passes of satellites that are not geostationary (those of a geostationary
            # satellite over it rest on its serving them, not on a LEO antenna)
            "leo_passes_listed": int(on_leo.sum()),
        }
        for i in np.flatnonzero((by_file | by_option) & (leo > 0))
    )


# Turkish and Kazakh letters an operator types as ASCII ('tubitak', 'golbasi'); casefold alone leaves
# 'İ' as 'i' and a combining dot, which plain 'i' never matches
FOLD = str.maketrans(
    {
        "ü": "u",
        "ş": "s",
        "ç": "c",
        "ğ": "g",
        "ö": "o",
        "ı": "i",
        "\u0307": None,
        "ә": "a",
        "ғ": "g",
        "қ": "k",
        "ң": "n",
        "ө": "o",
        "ұ": "u",
        "ү": "u",
        "һ": "h",
        "і": "i",
    }
)


def fold(text: str) -> str:
    """``text`` as matched: any case, Turkish and Kazakh letters as their ASCII ones."""
    # composed first: a CSV's decomposed 'u' + '\u0308' would leave a mark no word-start test sees
    return unicodedata.normalize("NFC", text).strip().casefold().translate(FOLD)


def _names(key: str, name: str) -> bool:
    """Whether folded ``key`` starts a word of ``name`` (or is all of it): 'astana' names KGS Astana,
    'x' does not name Kahramankazan's '2x9 m' antenna (a word's inside matched before, a review)."""
    return bool(key) and re.search(r"(?<!\w)" + re.escape(key), fold(name)) is not None


def _named_in(
    wanted: Sequence[str], names: list[tuple[str, ...]], what: str, numbers: Sequence[str] = ()
) -> np.ndarray:
    """Which of ``names`` (each a row of a thing's names) have a word that starts with one of
    ``wanted``, in any case and with Turkish letters as ASCII; ``numbers`` (one per row, such as a
    NORAD number) match only whole: '3' matched every satellite with a 3 in its number. A word that
    matches nothing is refused, naming what there is."""
    keep = np.zeros(len(names), dtype=bool)
    for word in wanted:
        key = fold(word)
        hit = np.array([any(_names(key, n) for n in row) for row in names], bool)
        if numbers:
            hit |= np.array([key == n for n in numbers], bool)
        if not key or not hit.any():
            listed = ", ".join(row[0] for row in names)
            raise OptionError(f"--{what} {word!r} matches no {what}; the {what}s: {listed}", field=what)
        keep |= hit
    return keep


def _said_left_out(wanted: Sequence[str], sites: Stations, statuses: tuple[str, ...]) -> None:
    """Refuse a station asked for by name that the status filter left out, saying so: 'matches no
    station' told an operator who named Nakhchivan rightly that it does not exist (a review)."""
    for word in wanted:
        key = fold(word)
        if not key or any(_names(key, n) for n in sites.name):
            continue
        hits = [r for r in sites.left_out if _names(key, r["name"])]
        if hits:
            named = ", ".join(f"{r['name']} (status {r['status']})" for r in hits)
            more = ",".join(dict.fromkeys([*statuses, *(r["status"] for r in hits)]))
            raise OptionError(
                f"--station {word!r} is {named}, left out by --station-status {','.join(statuses)};"
                f" to include it: --station-status {more}",
                field="station",
            )


def _pool_options(
    rate_mbps: float,
    setup_s: float,
    min_contact_s: float,
    min_elevation: float,
    time_limit: float,
    shorten: bool,
    assume_leo_antennas: bool,
    refraction: str,
    handover_s: float = 0.0,
) -> PoolOptions:
    """The pool's parameters, each checked, as one line naming the option when it is wrong."""
    for option, value, positive in (
        ("--rate-mbps", rate_mbps, True),
        ("--time-limit", time_limit, True),
        ("--setup-s", setup_s, False),
        ("--min-contact-s", min_contact_s, False),
        ("--handover-s", handover_s, False),
    ):
        if not (value > 0 if positive else value >= 0) or (
            value == float("inf") and option != "--time-limit"
        ):
            need = "> 0" if positive else ">= 0"
            raise OptionError(f"{option} must be a number {need}, got {value:g}", field=option)
    if rate_mbps > MAX_RATE_MBPS:  # the satellites file's bound (a CLI review: 1e308 printed inf)
        raise OptionError(
            f"--rate-mbps must be at most {MAX_RATE_MBPS:,.0f} Mbit/s (beyond any satellite downlink),"
            f" got {rate_mbps:g}",
            field="--rate-mbps",
        )
    if handover_s > MAX_HANDOVER_S:  # a slip of units would leave one contact per satellite
        raise OptionError(
            f"--handover-s must be at most {MAX_HANDOVER_S:g} s (an antenna acquiring a satellite takes"
            f" seconds to minutes), got {handover_s:g}",
            field="--handover-s",
        )
    check_min_elevation(min_elevation)
    return PoolOptions(
        min_elevation,
        rate_mbps,
        setup_s,
        min_contact_s,
        time_limit,
        shorten,
        assume_leo_antennas,
        check_refraction(refraction, min_elevation),
        handover_s,
    )


def pool(
    start: str | datetime,
    days: float = 1.0,
    tle: PathLike = None,
    stations: PathLike = None,
    satellites: PathLike = None,
    rate_mbps: float = 100.0,
    setup_s: float = 120.0,
    min_contact_s: float = 60.0,
    min_elevation: float = 5.0,
    time_limit: float = 60.0,
    shorten: bool = False,
    station_status: str | tuple[str, ...] = DEFAULT_STATUSES,
    assume_leo_antennas: bool = False,
    max_elements_age: float | None = None,
    refraction: str = "none",
    handover_s: float = 0.0,
) -> PoolResult:
    """Own stations alone against the pooled network: contact time, contacts, gaps and downlink
    capacity (stations whose status is in ``station_status``: operational antennas by default,
    and of those the ones that track LEO satellites unless ``assume_leo_antennas``)."""
    options = _pool_options(
        rate_mbps,
        setup_s,
        min_contact_s,
        min_elevation,
        time_limit,
        shorten,
        assume_leo_antennas,
        refraction,
        handover_s,
    )
    owners = read_satellites(satellites)
    constellation, when, days = _window(tle, start, days, owners, max_elements_age)
    name = str(satellites or "satellites.csv (shipped)")
    members = constellation.subset(pool_members(constellation, owners, name)[0])
    _check_age(members, when, days, max_elements_age)
    result = pool_contacts(
        constellation,
        read_stations(stations, station_statuses(station_status)),
        when,
        days,
        owners,
        options,
        satellites_file=name,
        refuse_empty=True,
    )
    return check_members(result, name)


def imaging(
    start: str | datetime,
    days: float = 1.0,
    tle: PathLike = None,
    sites: str | None = "SEZ",
    satellites: PathLike = None,
    max_off_nadir: float = MAX_OFF_NADIR_DEG,
    min_sun_elevation: float = MIN_SUN_ELEVATION_DEG,
    max_elements_age: float | None = None,
) -> Opportunities:
    """Imaging opportunities of Earth-observation satellites over sites (default: every Kazakh SEZ),
    and per site the longest gap without one, across the window's ends to the nearest opportunity
    outside it (up to :data:`~kopru.space.pooling.EDGE_LOOK_DAYS` either way)."""
    check_max_off_nadir(max_off_nadir)
    check_min_sun_elevation(min_sun_elevation)
    owners = read_satellites(satellites)
    constellation, when, days = _window(tle, start, days, owners, max_elements_age)
    _check_age(constellation.subset(imaging_members(constellation, owners)[0]), when, days, max_elements_age)
    found = imaging_opportunities(
        constellation,
        read_sites(sites),
        when,
        days,
        owners,
        max_off_nadir,
        min_sun_elevation,
        satellites_file=str(satellites or "satellites.csv (shipped)"),
    )
    return check_satellites(found)


MAX_FOLLOW_DAYS = 7.0


def latency(
    start: str | datetime,
    days: float = 1.0,
    tle: PathLike = None,
    stations: PathLike = None,
    sites: str | None = "SEZ",
    satellites: PathLike = None,
    downlink_s: float = 120.0,
    follow_days: float = 3.0,
    max_off_nadir: float = 30.0,
    min_sun_elevation: float = 10.0,
    min_elevation: float = 5.0,
    setup_s: float = 120.0,
    min_contact_s: float = 60.0,
    time_limit: float = 60.0,
    shorten: bool = False,
    station_status: str | tuple[str, ...] = DEFAULT_STATUSES,
    assume_leo_antennas: bool = False,
    max_elements_age: float | None = None,
    refraction: str = "none",
    direct_downlink: bool = True,
    handover_s: float = 0.0,
) -> Latency:
    """From a request to the image on the ground, per site, with each country's own satellites and
    antennas, with partners' satellites, and pooled (:mod:`kopru.space.delivery`). Requests fall in
    the window; contacts and images are found ``follow_days`` beyond it."""
    if not 0.0 <= downlink_s < float("inf"):
        raise OptionError(
            f"downlink_s must be a number of seconds >= 0, got {downlink_s:g}", field="downlink_s"
        )
    if not 0.0 <= follow_days <= MAX_FOLLOW_DAYS:
        raise OptionError(
            f"follow_days must be in [0, {MAX_FOLLOW_DAYS:g}], got {follow_days:g}", field="follow_days"
        )
    check_max_off_nadir(max_off_nadir)
    check_min_sun_elevation(min_sun_elevation)
    pool_options = _pool_options(
        100.0,
        setup_s,
        min_contact_s,
        min_elevation,
        time_limit,
        shorten,
        assume_leo_antennas,
        refraction,
        handover_s,
    )
    owners = read_satellites(satellites)
    constellation, when, days = _window(tle, start, days, owners, max_elements_age)
    site_table = read_sites(sites)
    name = str(satellites or "satellites.csv (shipped)")
    span = days + follow_days
    # the pool's members: the satellites whose contacts and images the latencies rest on
    members = constellation.subset(pool_members(constellation, owners, name)[0])
    _check_age(members, when, span, max_elements_age)
    pooled = pool_contacts(
        constellation,
        read_stations(stations, station_statuses(station_status)),
        when,
        span,
        owners,
        pool_options,
        name,
        # as pool: with no contact to book, every request would read as unanswered by the network
        refuse_empty=True,
    )
    with warnings.catch_warnings():
        # the pool has said which satellites it leaves out; imaging would keep them as of unknown country
        warnings.simplefilter("ignore", SpaceWarning)
        # latency reads the opportunities only, not the revisit gaps: no look past the window's ends;
        # over the pool's satellites only, so that what the limits turned away is theirs (a review)
        found = imaging_opportunities(
            members,
            site_table,
            when,
            span,
            owners,
            max_off_nadir,
            min_sun_elevation,
            name,
            look_days=0.0,
        )
    return measure(
        pooled,
        found,
        site_table,
        days * 86400.0,
        LatencyOptions(downlink_s, follow_days, direct_downlink=direct_downlink),
    )
