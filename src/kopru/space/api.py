"""The space planner's verbs, as ``kopru.space.passes``, ``pool`` and ``imaging`` (and the CLI's).

Each takes the observation window (``start``, a datetime or ISO 8601 text, UTC if it has no
offset; ``days``) and optional files (element sets, stations, satellites, sites): ``None`` means
the shipped Kazakh, Turkish and OTS satellites and ground stations. Element sets used far from
their epoch raise a :class:`~kopru.errors.StaleElementsWarning` and the run goes on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from kopru.errors import OptionError
from kopru.space.observation import Opportunities, imaging_opportunities, read_sites
from kopru.space.pooling import PoolOptions, PoolResult
from kopru.space.pooling import pool as pool_contacts
from kopru.space.satellites import read_satellites
from kopru.space.stations import DEFAULT_STATUSES, read_stations
from kopru.space.tle import Constellation, read_tle
from kopru.space.visibility import Passes, find_passes

MAX_DAYS = 31.0
PathLike = str | Path | None


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
                f"--start {str(when)[:40]!r} is not an ISO 8601 date or time;"
                " expected e.g. 2026-06-01T00:00Z",
                field="--start",
            ) from None
    outside = OptionError(
        f"--start {str(when)[:40]} is outside the years element sets can describe"
        f" ({FIRST_EPOCH.year}-{END_OF_EPOCHS.year - 1}: a TLE epoch has a two-digit year)",
        field="--start",
    )
    try:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 lies before the calendar in UTC
        raise outside from None
    if not FIRST_EPOCH <= moment < END_OF_EPOCHS:
        raise outside
    return moment


def check_days(days: float) -> float:
    if not 0.0 < days <= MAX_DAYS:
        raise OptionError(f"--days must be in (0, {MAX_DAYS:g}], got {days:g}", field="--days")
    return float(days)


def _window(tle: PathLike, start: str | datetime, days: float) -> tuple[Constellation, datetime, float]:
    when, days = parse_start(start), check_days(days)
    constellation = read_tle(tle)
    constellation.check_age(when, when + timedelta(days=days))
    return constellation, when, days


def passes(
    start: str | datetime,
    days: float = 1.0,
    tle: PathLike = None,
    stations: PathLike = None,
    min_elevation: float = 0.0,
    station_status: tuple[str, ...] = DEFAULT_STATUSES,
) -> Passes:
    """Every pass of each satellite over each station whose status is in ``station_status``
    (operational antennas by default): AOS, TCA, LOS, maximum elevation, azimuths."""
    if not -10.0 <= min_elevation < 90.0:
        raise OptionError(
            f"--min-elevation must be in [-10, 90) degrees, got {min_elevation:g}", field="--min-elevation"
        )
    constellation, when, days = _window(tle, start, days)
    return find_passes(
        constellation, read_stations(stations, tuple(station_status)), when, days, min_elevation
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
    station_status: tuple[str, ...] = DEFAULT_STATUSES,
) -> PoolResult:
    """Own stations alone against the pooled network: contact time, contacts, gaps and data volume
    (stations whose status is in ``station_status``: operational antennas by default)."""
    for option, value, positive in (
        ("--rate-mbps", rate_mbps, True),
        ("--time-limit", time_limit, True),
        ("--setup-s", setup_s, False),
        ("--min-contact-s", min_contact_s, False),
    ):
        if not (value > 0 if positive else value >= 0) or (
            value == float("inf") and option != "--time-limit"
        ):
            need = "> 0" if positive else ">= 0"
            raise OptionError(f"{option} must be a number {need}, got {value:g}", field=option)
    options = PoolOptions(min_elevation, rate_mbps, setup_s, min_contact_s, time_limit, shorten)
    constellation, when, days = _window(tle, start, days)
    return pool_contacts(
        constellation,
        read_stations(stations, tuple(station_status)),
        when,
        days,
        read_satellites(satellites),
        options,
    )


def imaging(
    start: str | datetime,
    days: float = 1.0,
    tle: PathLike = None,
    sites: str | None = "SEZ",
    satellites: PathLike = None,
    max_off_nadir: float = 30.0,
    min_sun_elevation: float = 10.0,
) -> Opportunities:
    """Imaging opportunities of Earth-observation satellites over sites (default: every Kazakh SEZ)."""
    if not -90.0 <= min_sun_elevation < 90.0:
        raise OptionError(
            f"--min-sun-elevation must be in [-90, 90) degrees, got {min_sun_elevation:g}",
            field="--min-sun-elevation",
        )
    constellation, when, days = _window(tle, start, days)
    return imaging_opportunities(
        constellation,
        read_sites(sites),
        when,
        days,
        read_satellites(satellites),
        max_off_nadir,
        min_sun_elevation,
    )
