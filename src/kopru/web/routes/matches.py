"""Investment matchmaking from the web: a pipeline (the example or an uploaded CSV) matched to the
zones as a background job, and its results, map, pitch sheets and downloads.

The work is the Python API's ``kopru.match`` (as ``kopru match``); the pipeline is read and checked
before the job is queued, so a bad file is answered at once (422, naming the row and the field).
Runs are kept in memory here and recorded in the scenario store; a recorded run this server no
longer holds gives back its options (GET /api/match/{run}/form), which fill the Match form again.
"""

import io
import json
import logging
import re
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kopru import api
from kopru.display import COUNTRY_NAMES, fold
from kopru.errors import KopruError
from kopru.matchmaking import OBJECTIVES, MatchResult
from kopru.matchmaking.pipeline import MAX_ID
from kopru.matchmaking.templates import EXAMPLES
from kopru.web import history
from kopru.web.bodies import CheckedRoute
from kopru.web.errors import COUNTRY_PATTERN, job_error, web_words
from kopru.web.jobs import JobProgress, JobView
from kopru.web.runs import RUN_ID_PATTERN, MatchRun
from kopru.web.schemas import REGION_PATTERN
from kopru.web.state import State, WebState, authorized

MAX_MATCH_SECONDS = 60.0
MAX_PIPELINE_CHARS = 1_000_000
#: A zip writes two pitch sheets an enterprise (about 25 ms each at 500 enterprises, a review
#: measured 12.7 s for 600), in a request, not a job: past this the command line writes the folder
MAX_ZIP_ENTERPRISES = 500
EXAMPLE = EXAMPLES / "match" / "pipeline.csv"
RunId = Annotated[str, PathParam(pattern=RUN_ID_PATTERN, description="a match run id")]
logger = logging.getLogger(__name__)

router = APIRouter(
    prefix="/api", tags=["matchmaking"], route_class=CheckedRoute, dependencies=[Depends(authorized)]
)


class MatchRequest(BaseModel):
    """A pipeline to match: the shipped example, or a CSV's text (columns as in the example)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # NaN would pass no bound's test

    example: Literal["pipeline"] | None = Field(default=None, description="the shipped example pipeline")
    pipeline_csv: str | None = Field(
        default=None, max_length=MAX_PIPELINE_CHARS, description="a pipeline CSV, as text"
    )
    pipeline_name: str | None = Field(
        default=None, max_length=200, description="the uploaded file's name, which messages name"
    )
    zones_csv: str | None = Field(
        default=None, max_length=MAX_PIPELINE_CHARS, description="zone,resource,capacity[,note] rows"
    )
    objective: Literal[OBJECTIVES] = "jobs"  # type: ignore[valid-type]
    hurdle_pct: float | None = Field(default=None, ge=0, lt=100, description="default hurdle, %")
    min_jobs: dict[Annotated[str, Field(pattern=REGION_PATTERN)], Annotated[float, Field(ge=0)]] = Field(
        default={}, max_length=20, description="at least so many jobs in a region"
    )
    max_incentive_cost: float | None = Field(default=None, ge=0, description="USD a year")
    include_operating: bool = Field(default=False, description="place plants already operating too")
    confirmed_only: bool = Field(
        default=False, description="an SEZ only where its priority sectors confirm the enterprise's"
    )
    prefer: Literal["state_cost", "saving"] = Field(
        default="state_cost", description="ties at the optimum: least cost to the state, or most saving"
    )
    avoid: list[Annotated[str, Field(pattern=COUNTRY_PATTERN)]] = Field(
        default=[], max_length=20, description="countries no route may pass through, ISO codes (RU)"
    )


def _files(req: MatchRequest) -> tuple[Path, Path | None, str, tempfile.TemporaryDirectory | None]:
    """The pipeline (and zones) as files the reader takes; uploads go to a private temporary folder."""
    if (req.example is None) == (req.pipeline_csv is None):
        raise HTTPException(status_code=422, detail="give either example: pipeline or pipeline_csv")
    if req.zones_csv is not None:
        _check_decoded(req.zones_csv, None, "zones_csv")
    if req.pipeline_csv is not None:
        _check_decoded(req.pipeline_csv, req.pipeline_name, "pipeline_csv")
    folder = tempfile.TemporaryDirectory(prefix="kopru-match-")
    zones = None
    if req.zones_csv is not None:
        zones = Path(folder.name) / "zones.csv"
        zones.write_text(req.zones_csv, encoding="utf-8")
    if req.example is not None:
        with EXAMPLE.open("rb") as f:
            path = Path(folder.name) / "pipeline.csv"
            path.write_bytes(f.read())
        return path, zones, "example:pipeline", folder
    own = Path(folder.name) / "upload"  # its own folder: an upload named zones.csv is not the zones file
    own.mkdir()
    path = own / _file_name(req.pipeline_name)
    path.write_text(req.pipeline_csv or "", encoding="utf-8")
    return path, zones, f"upload:{path.name}", folder


def _check_decoded(text: str, name: str | None, field: str) -> None:
    """A replacement character is what a reader that took other bytes for UTF-8 leaves (an analyst's
    review: a Turkish Excel CSV, Windows-1254, was matched with its names garbled, 'G�knur G�da', onto
    the pitch sheets; the command line refuses such a file)."""
    at = text.find("\ufffd")
    if at < 0:
        return
    line = text.count("\n", 0, at) + 1
    shown = Path(name).name if name else field
    msg = (
        f"{shown} is not UTF-8 text (line {line}: a character could not be read); save it as"
        " UTF-8 (in Excel: Save As, 'CSV UTF-8')"
    )
    raise HTTPException(
        status_code=422, detail=[{"loc": ["body", field], "msg": msg, "type": "value_error", "field": field}]
    )


def _file_name(name: str | None) -> str:
    """The upload's own name, made safe as a file name (messages name the row of *that* file)."""
    stem = re.sub(r"[^\w.\- ]+", "_", Path(name or "").name).strip(" .")[:100]
    return stem if stem.lower().endswith(".csv") else f"{stem or 'pipeline'}.csv"


def _record(state: WebState, result: MatchResult, req: MatchRequest, source: str) -> str | None:
    try:
        params = {
            "pipeline": source,
            "objective": req.objective,
            "hurdle_pct": req.hurdle_pct,
            "min_jobs": req.min_jobs,
            "max_incentive_cost": req.max_incentive_cost,
            "include_operating": req.include_operating,
            "prefer": req.prefer,
            "confirmed_only": req.confirmed_only,
            "avoid": list(result.avoid),
            # whether zones of its own were given (their text is not kept), as the command line's
            # path says it: a run asked again from the store says it cannot send them
            "zones": "zones_csv" if req.zones_csv is not None else None,
        }
        return api.open_store(state.scenario_store).record_match(result, params)
    except Exception as exc:  # a locked or broken store must not fail the run
        logger.warning("match run not recorded in the scenario store: %s", exc)
        return None


def _check_targets(req: MatchRequest, zones: Any) -> None:
    """The targets' regions and numbers against the zones, before any solve: a 422 on the field."""
    from kopru.errors import MatchError
    from kopru.matchmaking import Targets
    from kopru.matchmaking.portfolio import _by_code
    from kopru.matchmaking.portfolio import _check_targets as check

    try:
        check(_by_code(Targets(dict(req.min_jobs), req.max_incentive_cost), zones), zones)
    except MatchError as exc:
        field = exc.field or "min_jobs"
        # the body's field leads the answer's message; the CLI's flag after it would only repeat it
        msg = re.sub(rf"^{field} \(--[a-z-]+\):? ", "", exc.message)
        raise HTTPException(
            status_code=422,
            detail=[{"loc": ["body", field], "msg": msg, "type": "value_error", "field": field}],
        ) from None


@router.post("/match", status_code=202)
def submit_match(state: State, req: MatchRequest) -> JobView:
    """Start matching a pipeline to the zones in the background; poll GET /api/jobs/{id}, then
    GET /api/match/{run}. A pipeline that cannot be read is answered at once (422)."""
    from kopru.matchmaking import TEMPLATES, check_match_avoid, load_zones, read_pipeline

    pipeline, zones, source, folder = _files(req)
    try:
        pack = api.data_pack()
        read_pipeline(pipeline, pack, set(TEMPLATES))  # 422 now, not a failed job later
        _check_targets(req, load_zones(pack, zones))
        check_match_avoid(pack, req.avoid)
    except KopruError as exc:  # name the upload, not the server's temporary file
        folder.cleanup()
        shown = pipeline.name if req.pipeline_name else "pipeline_csv"
        for path, name in ((pipeline, shown), (zones, "zones_csv")):
            if path is not None:
                exc.message = exc.message.replace(str(path), name)
        exc.args = (exc.message,)
        raise
    except Exception:
        folder.cleanup()
        raise

    def work(progress: JobProgress) -> MatchRun:
        try:
            result = api.match(
                pipeline,
                zones=zones,
                objective=req.objective,
                hurdle_pct=req.hurdle_pct,
                min_jobs=req.min_jobs,
                max_incentive_cost=req.max_incentive_cost,
                time_limit=MAX_MATCH_SECONDS,
                progress=progress,
                include_operating=req.include_operating,
                prefer=req.prefer,
                confirmed_only=req.confirmed_only,
                avoid=req.avoid,
            )
        finally:
            folder.cleanup()
        stored = _record(state, result, req, source)
        options = req.model_dump(exclude={"example", "pipeline_csv", "zones_csv"})
        options["own_zones"] = req.zones_csv is not None  # whether zones were given, not their text
        run_id = stored or uuid.uuid4().hex
        run = MatchRun(run_id, result, source, recorded=stored is not None, options=options)
        return state.matches.add(run)

    try:
        job = state.jobs.submit("match", work, job_error)
    except BaseException:  # a full queue: the folder goes now, not when garbage collection finds it
        folder.cleanup()
        raise
    if job.future is not None:  # also a job cancelled at shutdown
        job.future.add_done_callback(lambda _: folder.cleanup())
    return job.view()


def _run(state: WebState, run_id: str) -> MatchRun:
    run = state.matches.get(run_id)
    if run is None:
        raise HTTPException(
            status_code=404,
            detail=f"no match run {run_id} on this server (it keeps the last {state.matches.capacity} match"
            " runs of its process); the Runs page lists what the scenario store recorded",
        )
    return run


@router.get("/match/{run_id}")
def match_result(state: State, run_id: RunId) -> dict[str, Any]:
    """The portfolio, as ``kopru match --json``: status, objective, bound, gap, enterprises, zones,
    assignments, unassigned and impact; with the run's ``source`` (``example:pipeline`` or
    ``upload:<file>``) and the ``options`` it was asked with."""
    run = _run(state, run_id)
    found = run.result.as_dict("web")
    return {
        "run": run.id,
        "created": run.created,
        "source": run.source,
        "recorded": run.recorded,
        "options": run.options,
        **found,
        # the page's and the API's ways, not the command line's
        "notes": [web_words(n) for n in found["notes"]],
        "unassigned": [{**u, "why": web_words(u["why"])} for u in found["unassigned"]],
    }


@router.get("/match/{run_id}/form")
def match_form(state: State, run_id: RunId) -> history.MatchForm:
    """A match run's options as the Match page's form holds them: this server's run as it was asked,
    else the scenario store's record of it (after a restart, or a ``kopru match`` run), with the
    options it does not record (``missing``) and what the form cannot hold (``notes``). Only the
    options: a portfolio this server does not hold is not shown, the form runs it again."""
    run = state.matches.get(run_id)
    if run is not None:
        options = {"own_zones": False, **run.options}
        return history.MatchForm(
            run=run.id,
            created=run.created,
            on_server=True,
            source=run.source,
            options=options,
            avoid_names=[COUNTRY_NAMES.get(c, c) for c in run.result.avoid],
            missing=[],
            notes=[],
        )
    regions = api.data_pack().regions["name"].to_dict()
    held = history.held_by(state.runs, state.matches)
    return history.stored_match_form(state.scenario_store, held, regions, run_id, EXAMPLE)


@router.get("/match/{run_id}/figures")
def match_figures(state: State, run_id: RunId) -> dict[str, Any]:
    """The report's map of the portfolio as plotly figure JSON."""
    from kopru.report.portfolio import match_map

    run = _run(state, run_id)
    return {"map": json.loads(match_map(run.result, api.data_pack()).to_json())}


@router.get("/match/{run_id}/pitch/{enterprise:path}", response_class=HTMLResponse)
def match_pitch(
    state: State,
    run_id: RunId,
    enterprise: Annotated[str, PathParam(max_length=MAX_ID)],
    lang: Annotated[
        Literal["en", "tr"], Query(description="the sheet's language: en (English) or tr (Türkçe)")
    ] = "en",
) -> HTMLResponse:
    """One enterprise's one-page pitch sheet (HTML, printable), in English or Turkish."""
    from kopru.report.portfolio import render_pitch_html

    run = _run(state, run_id)
    return HTMLResponse(render_pitch_html(run.result, _enterprise(run, enterprise), lang, surface="web"))


def _enterprise(run: MatchRun, asked: str) -> int:
    """The enterprise asked for by its id, or by its name where one enterprise has it (people read
    names: a web review asked for 'Milat Halı' and was told the run has no such enterprise)."""
    ids = run.result.pipeline.ids
    if asked in ids:
        return ids.index(asked)
    names = [fold(str(n)) for n in run.result.pipeline.table["name"]]
    named = [e for e, n in enumerate(names) if n == fold(asked)]
    if len(named) == 1:
        return named[0]
    if named:
        which = ", ".join(ids[e] for e in named[:5])
        detail = f"{len(named)} enterprises of this run are called {asked!r}; ask for one by its id ({which})"
    else:
        detail = (
            f"no enterprise {asked!r} in this run; expected an enterprise's id or name, such as {ids[0]!r}"
            f" (GET /api/match/{run.id} lists them)"
        )
    raise HTTPException(status_code=404, detail=detail)


@router.get("/match/{run_id}/report.html", response_class=HTMLResponse)
def match_report(state: State, run_id: RunId, request: Request) -> HTMLResponse:
    """The matchmaking report (map, assignments, zones, reasons) as a download; its pitch links
    are this server's sheets, in English and Turkish (the download has no files beside it)."""
    from kopru.report.portfolio import render_match_html

    run = _run(state, run_id)
    base = str(request.url_for("match_pitch", run_id=run.id, enterprise="-")).removesuffix("/-")

    def pitch_link(eid: str, lang: str | None = None) -> str:
        # '/' kept as it is (the route takes a path, and a proxy may refuse an encoded %2F in one)
        return f"{base}/{quote(eid, safe='/')}" + (f"?lang={lang}" if lang else "")

    # the page's fields, not the command line's flags: its reader has the page
    html = render_match_html(run.result, api.data_pack(), ("tr",), pitch_link, surface="web")
    return HTMLResponse(html, headers={"Content-Disposition": 'attachment; filename="match_report.html"'})


@router.get("/match/{run_id}/match.zip")
def match_zip(state: State, run_id: RunId) -> Response:
    """The whole portfolio as one file to pass on: the folder ``kopru match --out DIR --lang tr``
    writes (report.html, every pitch sheet in English and in Turkish, match.xlsx), its links
    between files relative so it reads offline once unzipped, and match.json as this API gives it
    (with the run's source and options)."""
    from kopru.report.portfolio import write_match_folder

    run = _run(state, run_id)
    if (n := len(run.result.pipeline.ids)) > MAX_ZIP_ENTERPRISES:
        raise HTTPException(
            status_code=422,
            detail=f"the zip holds the pitch sheets of at most {MAX_ZIP_ENTERPRISES} enterprises, this run"
            f" has {n:,}: download the report and the workbook; the report links each pitch sheet",
        )
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="kopru-zip-") as d:
        folder = Path(d)
        answer = match_result(state, run_id)
        written = write_match_folder(run.result, api.data_pack(), folder, ("tr",), "web", answer)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.relative_to(folder).as_posix())
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="kopru_match_{run.id[:8]}.zip"'},
    )


@router.get("/match/{run_id}/match.xlsx")
def match_workbook(state: State, run_id: RunId) -> Response:
    """The portfolio as an Excel workbook."""
    from kopru.report.portfolio import write_workbook

    run = _run(state, run_id)
    with tempfile.TemporaryDirectory(prefix="kopru-xlsx-") as d:
        path = write_workbook(run.result, Path(d) / "match.xlsx", surface="web")
        data = io.BytesIO(path.read_bytes())
    return Response(
        data.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="match.xlsx"'},
    )
