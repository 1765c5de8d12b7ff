"""The space planner on the shipped satellites and ground stations, for the Space page: own
antennas against the pooled network (``kopru space pool``), the time from a request to the
image on the ground (``kopru space latency``), and each pass of a satellite over the antennas
(``kopru space passes``, as JSON or as the command line's CSV).

A request runs the same verbs as the CLI, synchronously (a week takes about a second); its window
is bounded tighter than the CLI's so that one request cannot hold a worker for minutes.
"""

import csv
import io
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kopru import space
from kopru.errors import KopruError, QueueFull
from kopru.web.bodies import CheckedRoute
from kopru.web.schemas import SITES_PATTERN
from kopru.web.state import authorized

MAX_WEB_DAYS = 14.0  # the CLI allows 31; two MILPs over a fortnight stay within seconds
WEB_TIME_LIMIT_S = 20.0  # per MILP; the result says its gap if a schedule stops there

# Each answer is CPU-bound for up to seconds on a machine of a few cores: more at once would only
# slow every one of them down, so a request beyond these is told to come back (429, Retry-After).
MAX_RUNNING = 2
_running = threading.BoundedSemaphore(MAX_RUNNING)


@contextmanager
def _slot() -> Iterator[None]:
    if not _running.acquire(blocking=False):
        raise QueueFull(
            f"the space planner is answering {MAX_RUNNING} requests already; try again in a few seconds"
        )
    try:
        yield
    finally:
        _running.release()


router = APIRouter(
    prefix="/api/space", tags=["space"], route_class=CheckedRoute, dependencies=[Depends(authorized)]
)


class Sky(BaseModel):
    """The window and antennas of a request; each field is the verb's parameter of the same name."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # NaN would pass no bound's test

    start: str = Field(
        default="2026-06-01",
        max_length=40,
        description="window start, ISO 8601 (UTC without an offset); the shipped element sets date from"
        " late May / June 2026",
    )
    days: float = Field(default=7.0, gt=0, le=MAX_WEB_DAYS, description="window length, days")
    min_elevation: float = Field(default=5.0, ge=-10, le=89, description="antenna mask, degrees")
    refraction: Literal["none", "radio", "optical"] = Field(
        default="none", description="the mask on the apparent elevation: radio (ITU-R P.834), optical"
    )
    assume_leo_antennas: bool = Field(
        default=False, description="offer the geostationary control centres to LEO satellites too"
    )


class Window(Sky):
    """A window to schedule contacts in: the antennas' set-up time and the shortest contact booked."""

    setup_s: float = Field(default=120.0, ge=0, le=3600, description="antenna set-up between contacts, s")
    min_contact_s: float = Field(default=60.0, ge=0, le=3600, description="shortest contact worth booking, s")


Name = Annotated[str, Field(min_length=1, max_length=200)]


class PassesRequest(Sky):
    """Which passes to list; each name as ``kopru space passes --satellite/--station`` takes it."""

    satellite: list[Name] = Field(
        default=[],
        max_length=20,
        description="only satellites with a word of the name starting with one of these (any case),"
        " or NORAD numbers; none: every satellite",
    )
    station: list[Name] = Field(
        default=[],
        max_length=20,
        description="only stations with a word of the name starting with one of these (any case);"
        " none: every antenna of station_status",
    )
    station_status: str = Field(
        default="operational",
        max_length=100,
        description="the stations' statuses used, comma-separated: operational, backup, planned,"
        " not_a_station",
    )


class LatencyRequest(Window):
    sites: str = Field(
        default="SEZ", pattern=SITES_PATTERN, description="SEZ (every SEZ) or SEZ:id,id (GET /api/sites)"
    )
    downlink_s: float = Field(
        default=120.0, ge=0, le=3600, description="contact time to bring one image down, s"
    )
    follow_days: float = Field(
        default=3.0, ge=0, le=7, description="days after the window in which late requests are still answered"
    )
    max_off_nadir: float = Field(default=30.0, gt=0, lt=90, description="sensor's off-nadir limit, degrees")
    min_sun_elevation: float = Field(default=10.0, ge=-90, lt=90, description="Sun above the site, degrees")
    direct_downlink: bool = Field(
        default=True,
        description="an image taken in view of an antenna goes down at once; false: store and forward",
    )


def _field(exc: KopruError) -> str:
    """The request's field an error is about: ``--start`` reads ``start``."""
    return (exc.field or "").lstrip("-").replace("-", "_")


def _refused(exc: KopruError) -> JSONResponse:
    """A 422 naming the request's field, shaped as the app's other 422s; the verbs' messages name
    the CLI's options, which read here as the request's fields (``--start`` as ``start``)."""
    field = _field(exc)
    msg = re.sub(r"--([a-z][a-z-]*)", lambda m: m.group(1).replace("-", "_"), str(exc))
    if field:
        msg = msg.removeprefix(f"{field} ")  # the page shows "start: ..." already
    where = ["body", field] if field else ["body"]
    detail = [{"loc": where, "msg": msg, "type": "value_error", "field": field}]
    return JSONResponse(
        status_code=422, content={"detail": detail, "message": f"{field}: {msg}" if field else msg}
    )


def _no_schedule(exc: KopruError) -> JSONResponse:
    """A 422 for a schedule not found within the web's time limit, which a request cannot raise:
    it says what a request can do instead."""
    found = str(exc).split(";")[0]
    msg = (
        f"{found}, the web's limit for each schedule; ask for fewer days, or run kopru space on the"
        " command line with a longer --time-limit"
    )
    detail = [{"loc": ["body"], "msg": msg, "type": "value_error", "field": ""}]
    return JSONResponse(status_code=422, content={"detail": detail, "message": msg})


def _answer(compute: Callable[[], Any]) -> dict[str, Any] | JSONResponse:
    """The verb's result as JSON, or a 422 naming the field; 429 while the planner is busy."""
    with _slot():
        try:
            return compute().as_dict()
        except KopruError as exc:
            return _no_schedule(exc) if _field(exc) == "time_limit" else _refused(exc)


@router.post("/pool", response_model=None)
def pool(req: Window) -> dict[str, Any] | JSONResponse:
    """Each satellite's contact time, contacts, longest gap and downlink capacity from its own
    country's antennas alone and from the pooled network (both optimal schedules)."""
    return _answer(lambda: space.pool(**req.model_dump(), time_limit=WEB_TIME_LIMIT_S))


@router.post("/latency", response_model=None)
def latency(req: LatencyRequest) -> dict[str, Any] | JSONResponse:
    """Hours from a request to the image on the ground per site (own satellites and antennas, with
    partners' satellites, pooled) and minutes from an image to its downlink per satellite."""
    return _answer(lambda: space.latency(**req.model_dump(), time_limit=WEB_TIME_LIMIT_S))


def _passes(req: PassesRequest) -> space.Passes:
    return space.passes(**req.model_dump())


@router.post("/passes", response_model=None)
def passes(req: PassesRequest) -> dict[str, Any] | JSONResponse:
    """Every pass of the satellites over the operational antennas that work them: AOS, TCA, LOS
    (UTC and the station's clock), maximum elevation, azimuths, as ``kopru space passes --json``."""
    return _answer(lambda: _passes(req))


@router.post("/passes.csv", response_model=None)
def passes_csv(req: PassesRequest) -> Response:
    """The same passes as ``kopru space passes --out``'s passes.csv: one row per pass, with each
    satellite's element-set epoch and age, so that the file read alone says how far to trust it."""
    with _slot():
        try:
            found = _passes(req)
        except KopruError as exc:
            return _refused(exc)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=found.csv_columns(), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(found.csv_rows())
    return Response(
        text.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="passes.csv"'},
    )
