"""Space cooperation planner: satellite passes over ground stations, pooled contact scheduling
and imaging opportunities, for Kazakh, Turkish and OTS satellites.

    from kopru import space
    sats, stations = space.read_tle(), space.read_stations()        # the shipped files
    passes = space.find_passes(sats, stations, datetime(2026, 6, 1, tzinfo=UTC), days=1)
    print(passes.records()[0])

Propagation is SGP4 (the ``sgp4`` package, vectorized with ``SatrecArray``); passes are found on a
coarse grid and refined by root finding (:mod:`kopru.space.passes`); schedules are optimal MILPs
solved by HiGHS (:mod:`kopru.space.schedule`).
"""

from kopru.space.errors import (
    PropagationWarning,
    ScheduleError,
    SpaceError,
    SpaceWarning,
    StaleElementsWarning,
    StationError,
    TLEError,
)
from kopru.space.imaging import Opportunities, imaging_opportunities, read_sites, sez_sites
from kopru.space.passes import Passes, find_passes
from kopru.space.pooling import PoolOptions, PoolResult, pool
from kopru.space.satellites import SatelliteInfo, read_satellites
from kopru.space.schedule import Schedule, SolveReport, schedule_contacts
from kopru.space.stations import Stations, parse_stations, read_stations
from kopru.space.sun import sun_direction_ecef, sun_elevation_deg
from kopru.space.tle import Constellation, ElementSet, parse_tle, read_tle

__all__ = [
    "Constellation",
    "ElementSet",
    "Opportunities",
    "Passes",
    "PoolOptions",
    "PoolResult",
    "PropagationWarning",
    "SatelliteInfo",
    "Schedule",
    "ScheduleError",
    "SolveReport",
    "SpaceError",
    "SpaceWarning",
    "StaleElementsWarning",
    "StationError",
    "Stations",
    "TLEError",
    "find_passes",
    "imaging_opportunities",
    "parse_stations",
    "parse_tle",
    "pool",
    "read_satellites",
    "read_sites",
    "read_stations",
    "read_tle",
    "schedule_contacts",
    "sez_sites",
    "sun_direction_ecef",
    "sun_elevation_deg",
]
