"""Space cooperation planner: satellite passes over ground stations, pooled contact scheduling
and imaging opportunities, for Kazakh, Turkish and OTS satellites.

    from kopru import space
    passes = space.passes("2026-06-01", days=1)                  # the shipped satellites and stations
    print(passes.records()[0])
    result = space.pool("2026-06-01", days=7)                     # own stations vs the pooled network
    print(result.as_dict()["satellites"][0])
    waits = space.latency("2026-06-01", days=7)                   # request to image on the ground, per SEZ
    print(waits.as_dict()["sites"][0])

The verbs (:mod:`kopru.space.api`) wire the parts, one module per concept: element sets
(:mod:`~kopru.space.tle`), stations and satellites (:mod:`~kopru.space.stations`,
:mod:`~kopru.space.satellites`), SGP4 propagation (:mod:`~kopru.space.propagation`, the ``sgp4``
package vectorized with ``SatrecArray``) and frames (:mod:`~kopru.space.frames`), passes found on a
coarse grid and refined by root finding (:mod:`~kopru.space.visibility`), optimal schedules as
MILPs solved by HiGHS (:mod:`~kopru.space.schedule`, :mod:`~kopru.space.pooling`), imaging
opportunities (:mod:`~kopru.space.observation`), the time from a request to the image on the
ground (:mod:`~kopru.space.delivery`), ground-track geometry
(:mod:`~kopru.space.geometry`) and the HTML report (:mod:`~kopru.space.report`).
"""

from kopru.errors import (
    PropagationWarning,
    ScheduleError,
    SpaceError,
    SpaceWarning,
    StaleElementsWarning,
    StationError,
    TLEError,
)
from kopru.space.api import imaging, latency, parse_start, passes, pool
from kopru.space.delivery import NETWORKS, Latency, LatencyOptions
from kopru.space.observation import Opportunities, imaging_opportunities, read_sites, sez_sites
from kopru.space.pooling import PoolOptions, PoolResult
from kopru.space.satellites import SatelliteInfo, read_satellites
from kopru.space.schedule import Schedule, SolveReport, schedule_contacts
from kopru.space.stations import Stations, parse_stations, read_stations
from kopru.space.sun import sun_direction_ecef, sun_elevation_deg
from kopru.space.tle import Constellation, ElementSet, parse_tle, read_tle
from kopru.space.visibility import Passes, find_passes

__all__ = [
    "NETWORKS",
    "Constellation",
    "ElementSet",
    "Latency",
    "LatencyOptions",
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
    "imaging",
    "imaging_opportunities",
    "latency",
    "parse_start",
    "parse_stations",
    "parse_tle",
    "passes",
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
