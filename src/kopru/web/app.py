"""The FastAPI app: JSON API over :mod:`kopru.api`, server-rendered pages, offline static assets.

(No ``from __future__ import annotations`` here: FastAPI resolves the routes' annotations at run
time, and they refer to names local to ``create_app``.)

Everything the pages do goes through the ``/api`` routes, which return the same :class:`Plan`
objects as the Python API and the CLI. Plans and risk analyses run in a background pool
(``kopru.web.jobs``) and land in a run store (``kopru.web.runs``) that also records them in the
DuckDB scenario store; pages poll the job, then fetch the run. The Runs page reads the scenario
store itself (``kopru.web.history``), so it lists the command line's runs too.

Nothing the browser loads comes from outside the server: plotly.js is served from the installed
plotly package, Swagger UI from vendored files, and the Content-Security-Policy forbids other
origins, so a stray CDN reference fails loudly in the browser tests instead of silently leaking.
"""

import asyncio
import copy
import json
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import plotly
import yaml
from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    File,
    HTTPException,
    Query,
    Request,
    UploadFile,
)
from fastapi import (
    Path as PathParam,
)
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field, ValidationError, model_validator

import kopru
from kopru import api
from kopru.errors import KopruError
from kopru.planner import Plan
from kopru.profile import Profile
from kopru.web import history
from kopru.web import sites as site_views
from kopru.web.jobs import JOB_ID_PATTERN, FieldError, JobError, JobManager, JobView, Progress, QueueFull
from kopru.web.runs import RUN_ID_PATTERN, MemoryRunStore, Run, RunStore, RunSummary

log = logging.getLogger("kopru.web")

HERE = Path(__file__).parent
MAX_BODY_BYTES = 1_000_000  # a profile is a page of YAML; the CLI has the same limit
MAX_OPTIMIZE_SECONDS = 120.0  # a web job may not hold a worker longer, whatever the profile asks
SYNC_TIMEOUT_SECONDS = 60.0
# Monte Carlo from the web: enough samples for stable p5/p95, few enough for a shared worker
# (100,000 take about 5 s, the CLI's default); larger runs belong to kopru risk --dask
MIN_RISK_SAMPLES, MAX_RISK_SAMPLES, DEFAULT_RISK_SAMPLES = 100, 100_000, 10_000
MAX_SEED = 2**32 - 1
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    # plotly.js compiles some functions at run time; FastAPI's Swagger page has an inline script
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

_EXAMPLES_DIR = resources.files("kopru") / "examples"
# The fixed list of examples: a request names one of these, never a path.
EXAMPLES: dict[str, Any] = {
    p.name.removesuffix(".yaml"): p for p in _EXAMPLES_DIR.iterdir() if p.name.endswith(".yaml")
}
ExampleName = Literal[tuple(sorted(EXAMPLES))]  # type: ignore[valid-type]  # an enum in the OpenAPI schema
SITE_ID_PATTERN = r"^[A-Za-z0-9_:-]{1,64}$"


# -- request and response models ------------------------------------------------------------------
class PlanRequest(BaseModel):
    """A plan to compute: an example by name, or a profile as a mapping (the YAML file's content)."""

    example: ExampleName | None = Field(default=None, description="one of GET /api/examples")
    profile: dict[str, Any] | None = Field(default=None, description="a company profile, as in the YAML")
    disruptions: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default=[], max_length=50, description="corridor parts to close: khorgos, aktau-baku_alat, mode:ferry"
    )
    overrides: dict[str, Any] | None = Field(
        default=None, description="data-pack values to replace, as in an overrides YAML file"
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.example is None) == (self.profile is None):
            raise ValueError("give either example (a name) or profile (a mapping), not both or neither")
        return self


class JobRequest(PlanRequest):
    optimize: bool = Field(default=False, description="also run the network optimizer (1–2 s, capped)")


class RiskRequest(JobRequest):
    """A plan and the Monte Carlo risk of every site's annual landed cost, as ``kopru risk`` does."""

    samples: int = Field(
        default=DEFAULT_RISK_SAMPLES,
        ge=MIN_RISK_SAMPLES,
        le=MAX_RISK_SAMPLES,
        description=f"Monte Carlo draws, {MIN_RISK_SAMPLES:,} to {MAX_RISK_SAMPLES:,}",
    )
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="same seed, same answer")


class RiskSite(BaseModel):
    """One site's annual landed cost over the samples (plan currency a year)."""

    id: str
    name: str
    label: str
    mean: float
    p5: float
    p50: float
    p95: float
    cvar95: float = Field(description="mean of the costliest 5 % of samples")
    p_best: float = Field(description="share of samples in which the site is the cheapest")
    expected_regret: float = Field(description="mean of (this site's cost - the cheapest site's cost)")


class RiskOut(BaseModel):
    """The risk analysis of a run: the numbers of ``kopru risk --json``, sites by mean cost."""

    run: str
    samples: int
    seed: int
    currency: str
    baseline: str | None = Field(description="the best Turkish option, drawn in another colour")
    excluded: list[str] = Field(description="sites with no route to every market, left out")
    drawn: int = Field(description="samples per site in the distribution chart")
    sites: list[RiskSite]


class ExampleInfo(BaseModel):
    name: str
    company: str
    product: str


class ExampleDoc(BaseModel):
    name: str
    profile: dict[str, Any]
    text: str


class ParsedProfile(BaseModel):
    """An uploaded file read into a mapping, with what is wrong with it (empty when it is valid)."""

    profile: dict[str, Any]
    errors: list[FieldError]


class ProfileCheck(BaseModel):
    profile: dict[str, Any]


class ProfileOK(BaseModel):
    valid: bool
    company: str
    volume: float
    markets: int


class Health(BaseModel):
    status: str
    version: str
    data_pack: str


class RunSide(BaseModel):
    summary: RunSummary
    recommendation: str
    components: dict[str, float | None]  # the recommended site's annual cost by component
    top: list[dict[str, Any]]  # the best sites: id, name, country, total, per_unit
    network: dict[str, Any] | None


class Comparison(BaseModel):
    a: RunSide
    b: RunSide


# -- errors -------------------------------------------------------------------------------------
def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    """('markets', 1, 'demand') -> 'markets[1].demand', as the CLI's messages name fields."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _clean(msg: str) -> str:
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def profile_errors(exc: ValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif err["type"] == "missing":
            msg = "missing required field"
        else:
            msg = _clean(err["msg"])
        out.append(FieldError(field=_field(err["loc"]) or "profile", msg=msg, loc=list(err["loc"])))
    return out


def kopru_error(exc: KopruError) -> JobError:
    """A KopruError's message, with the fields it names ('baseline[0].province: ...; x: ...')."""
    message = str(exc)
    text = message.removeprefix("profile: ")
    fields = []
    for part in text.split("; "):
        name, sep, msg = part.partition(": ")
        if sep and name.replace("[", "").replace("]", "").replace(".", "").replace("_", "").isalnum():
            fields.append(FieldError(field=name, msg=msg))
    return JobError(message=message, fields=fields)


class FieldErrors(Exception):
    """Validation failed on named fields: answered with 422 in FastAPI's error shape."""

    def __init__(self, errors: list[FieldError], prefix: tuple[str, ...]) -> None:
        self.errors, self.prefix = errors, prefix


def _detail(errors: list[FieldError], prefix: tuple[str, ...]) -> list[dict[str, Any]]:
    # FastAPI's shape (loc, msg, type) so generated clients understand it, plus our 'field'
    return [
        {"loc": [*prefix, *(e.loc or [e.field])], "msg": e.msg, "type": "value_error", "field": e.field}
        for e in errors
    ]


def _validate_profile(data: Any, prefix: tuple[str, ...] = ("body", "profile")) -> Profile:
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise FieldErrors(profile_errors(exc), prefix) from None


# -- helpers --------------------------------------------------------------------------------------
@cache
def _example_text(name: str) -> str:
    return EXAMPLES[name].read_text(encoding="utf-8")


def _example_dict(name: str) -> dict[str, Any]:
    return copy.deepcopy(_example_parsed(name))  # a copy: callers may not change the cached one


@cache
def _example_parsed(name: str) -> dict[str, Any]:
    return yaml.safe_load(_example_text(name))


def _read_document(raw: bytes, filename: str) -> dict[str, Any]:
    """An uploaded profile (YAML or JSON) as a mapping; a FieldErrors on anything unreadable."""

    def bad(msg: str) -> FieldErrors:
        return FieldErrors([FieldError(field="file", msg=msg)], ("body",))

    if not raw.strip():
        raise bad("the file is empty; expected YAML with company, product, ...")
    if b"\x00" in raw:
        raise bad("the file is binary; expected YAML or JSON text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad("the file is not UTF-8 text; expected YAML or JSON") from None
    try:
        if filename.lower().endswith(".json"):
            data = json.loads(text)
        else:
            # Aliases let a small YAML expand into a huge document when echoed back as JSON
            # ("billion laughs"): a profile never needs them, so refuse them before building.
            if any(isinstance(ev, yaml.AliasEvent) for ev in yaml.parse(text, Loader=yaml.SafeLoader)):
                raise bad("YAML anchors and aliases (&, *) are not supported in a profile")
            data = yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise bad(
            f"malformed {'JSON' if filename.lower().endswith('.json') else 'YAML'}{at}: {problem}"
        ) from None
    except RecursionError:
        raise bad("the document is nested too deeply to be a profile") from None
    if not isinstance(data, dict):
        raise bad("expected a mapping of fields (company, product, ...)")
    return data


def _run_side(run: Run) -> RunSide:
    p = run.plan
    best = p.site(p.recommendation.site) if p.recommendation.site else None
    top = []
    for sid in p.ranking[:8]:
        s = p.site(sid)
        top.append(
            dict(
                id=s.id,
                name=s.name,
                country=s.country,
                total=s.landed_cost.total,
                per_unit=s.landed_cost.per_unit,
            )
        )
    net = None
    if p.network is not None:
        net = dict(
            status=p.network.status,
            objective=p.network.objective,
            gap=p.network.gap,
            open=[dict(site=o.site, name=o.name, capacity=o.capacity, units=o.units) for o in p.network.open],
            message=p.network.message,
        )
    return RunSide(
        summary=run.summary(),
        recommendation=p.recommendation.text,
        components=dict(best.landed_cost.components) if best else {},
        top=top,
        network=net,
    )


def _plan_response(plan: Plan, headers: dict[str, str] | None = None) -> Response:
    # The plan is already a validated Plan: dumping it directly skips FastAPI's re-validation and
    # encoding of ~0.8 MB (a third of a plan's cost under load). response_model keeps the schema.
    return Response(plan.model_dump_json(), media_type="application/json", headers=headers)


def _plotly_js() -> Path:
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


# -- the app --------------------------------------------------------------------------------------
def create_app(
    store: RunStore | None = None,
    token: str | None = None,
    workers: int = 4,
    max_pending: int = 64,
    scenario_store: str | Path | None = None,
) -> FastAPI:
    """The web app. ``token`` (default: the ``KOPRU_TOKEN`` environment variable) turns on bearer
    auth for every ``/api`` route but health; ``workers`` is the size of the planning pool;
    ``scenario_store`` is the DuckDB file runs are recorded in and listed from (default:
    ``KOPRU_STORE``, else the user's data folder, read at each request)."""
    token = (token if token is not None else os.environ.get("KOPRU_TOKEN")) or None  # "": no auth
    runs: RunStore = store if store is not None else MemoryRunStore(store=scenario_store)
    jobs = JobManager(workers=workers, max_pending=max_pending)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # load the data pack once before the first request rather than during it (~1 s)
        await asyncio.to_thread(api.load_data)
        yield
        jobs.shutdown()

    app = FastAPI(
        title="kopru",
        version=kopru.__version__,
        description="Where to produce, for whom, at what landed cost — Kazakhstan and Türkiye. "
        "Plans run as background jobs: POST /api/jobs (or POST /api/risk for the Monte Carlo risk), "
        "poll GET /api/jobs/{id}, then GET /api/runs/{run}. GET /api/store/runs lists every run "
        "recorded in the scenario store, the command line's too.",
        docs_url=None,  # the default /docs loads Swagger UI from a CDN; ours is served locally below
        redoc_url=None,
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.runs, app.state.jobs = runs, jobs

    # -- errors: field messages for 422, nothing internal for 500 ----------------------------
    @app.exception_handler(FieldErrors)
    async def _field_errors(_: Request, exc: FieldErrors) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": _detail(exc.errors, exc.prefix)})

    @app.exception_handler(KopruError)
    async def _kopru_error(_: Request, exc: KopruError) -> JSONResponse:
        err = kopru_error(exc)
        detail = _detail(err.fields, ("body", "profile")) or [
            {"loc": ["body"], "msg": err.message, "type": "value_error", "field": ""}
        ]
        return JSONResponse(status_code=422, content={"detail": detail, "message": err.message})

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the whole input back; a 1 MB profile would come back too
        detail = [
            {"loc": list(e["loc"]), "msg": _clean(e["msg"]), "type": e["type"], "field": _field(e["loc"][1:])}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(status_code=500, content={"detail": "internal error; the server log has details"})

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    # -- auth ----------------------------------------------------------------------------------
    bearer = HTTPBearer(auto_error=False, description="set when the server runs with KOPRU_TOKEN")

    def authorized(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        if token is None:
            return
        if creds is None or not secrets.compare_digest(creds.credentials.encode(), token.encode()):
            raise HTTPException(
                status_code=401,
                detail="missing or wrong bearer token (the server runs with KOPRU_TOKEN)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    open_api = APIRouter(prefix="/api", tags=["api"])
    guarded = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(authorized)])
    RunId = Annotated[str, PathParam(pattern=RUN_ID_PATTERN, description="a run id from GET /api/runs")]

    def get_run(run_id: str) -> Run:
        run = runs.get(run_id)
        if run is None:
            raise HTTPException(status_code=404, detail=f"no run {run_id} on this server")
        return run

    @open_api.get("/health")
    def health() -> Health:
        """Liveness: open even when a token is required."""
        return Health(status="ok", version=kopru.__version__, data_pack=api.load_data().version)

    @guarded.get("/examples")
    def examples() -> list[ExampleInfo]:
        """The example profiles shipped with kopru."""
        out = []
        for name in sorted(EXAMPLES):
            d = _example_dict(name)
            out.append(ExampleInfo(name=name, company=str(d.get("company")), product=str(d.get("product"))))
        return out

    @guarded.get("/examples/{name}")
    def example(name: ExampleName) -> ExampleDoc:  # type: ignore[valid-type]
        """One example profile, as a mapping and as its YAML text."""
        return ExampleDoc(name=name, profile=_example_dict(name), text=_example_text(name))

    @guarded.post("/profiles/parse")
    async def parse_profile(
        file: Annotated[UploadFile, File(description="profile, YAML or JSON")],
    ) -> ParsedProfile:
        """Read an uploaded profile into a mapping (422 when it is not readable), with its field errors."""
        raw = await file.read(MAX_BODY_BYTES + 1)
        data = _read_document(raw, file.filename or "")
        try:
            Profile.model_validate(data)
            errors: list[FieldError] = []
        except ValidationError as exc:
            errors = profile_errors(exc)
        return ParsedProfile(profile=data, errors=errors)

    @guarded.post("/profiles/validate")
    def validate_profile(body: ProfileCheck) -> ProfileOK:
        """Check a profile: 200 when valid, 422 with one message per field otherwise."""
        p = _validate_profile(body.profile)
        return ProfileOK(valid=True, company=p.company, volume=p.volume, markets=len(p.markets))

    def _work(req: JobRequest) -> tuple[Callable[[Progress], Run], str]:
        if req.example is not None:
            profile, source = _validate_profile(_example_dict(req.example)), f"example:{req.example}"
        else:
            profile, source = _validate_profile(req.profile), "profile"
        optimize: bool | dict[str, Any] = False
        if req.optimize:
            optimize = {"time_limit": min(profile.optimize.time_limit, MAX_OPTIMIZE_SECONDS)}

        def plan_of(progress: Progress) -> Plan:
            return api.plan(
                profile,
                overrides=req.overrides,
                disruptions=req.disruptions,
                progress=progress,
                optimize=optimize,
            )

        if isinstance(req, RiskRequest):

            def risk_work(progress: Progress) -> Run:
                # the same steps as kopru risk --out: the plan (for the baseline and the report),
                # the statistics over every sample, the first samples again for the chart
                from kopru import risk as risk_mod
                from kopru.report import DRAWS_SHOWN, risk_view

                plan = plan_of(progress)
                progress(f"drawing {req.samples:,} samples")
                args = (profile, req.samples, req.seed, req.overrides, req.disruptions)
                result = risk_mod.risk(*args, progress=progress.step)
                progress("summarising the distributions")
                draws = risk_mod.first_draws(*args, limit=DRAWS_SHOWN)
                view = risk_view(result, draws, baseline=plan.recommendation.baseline_site)
                return runs.add(plan, source, req.overrides, risk=result, risk_view=view)

            return risk_work, "risk"

        def work(progress: Progress) -> Run:
            return runs.add(plan_of(progress), source, req.overrides)

        return work, "optimize" if req.optimize else "plan"

    def _submit(req: JobRequest) -> JobView:
        work, kind = _work(req)
        try:
            return jobs.submit(kind, work, kopru_error).view()
        except QueueFull as exc:
            raise HTTPException(status_code=503, detail=str(exc), headers={"Retry-After": "5"}) from None

    @guarded.post("/jobs", status_code=202)
    def submit_job(req: JobRequest) -> JobView:
        """Start a plan (and optionally the optimizer) in the background; poll GET /api/jobs/{id}."""
        return _submit(req)

    @guarded.post("/risk", status_code=202)
    def submit_risk(req: RiskRequest) -> JobView:
        """Start the plan and the Monte Carlo risk of every site (as ``kopru risk``) in the background.

        Poll GET /api/jobs/{id} (``step_done`` of ``step_total`` samples drawn); when done, GET
        /api/runs/{run}/risk has the statistics. The run is recorded in the scenario store."""
        return _submit(req)

    @guarded.get("/jobs/{job_id}")
    def job(job_id: Annotated[str, PathParam(pattern=JOB_ID_PATTERN)]) -> JobView:
        """A job's status and progress; when done, ``run`` is the id of its run."""
        j = jobs.get(job_id)
        if j is None:
            raise HTTPException(status_code=404, detail=f"no job {job_id} on this server")
        return j.view()

    @guarded.post("/plan", response_model=Plan)
    async def plan_now(req: PlanRequest) -> Response:
        """Compute a plan and return it (~0.1 s; runs in the same bounded pool as jobs).

        The optimizer takes longer: run it through POST /api/jobs."""
        view = _submit(JobRequest(**req.model_dump()))
        j = jobs.get(view.id)
        assert j is not None and j.future is not None
        try:
            # a KopruError from the worker propagates to its handler (422)
            run = await asyncio.wait_for(asyncio.wrap_future(j.future), SYNC_TIMEOUT_SECONDS)
        except TimeoutError:
            raise HTTPException(status_code=504, detail=f"job {view.id} is still running; poll it") from None
        return _plan_response(run.plan, {"X-Kopru-Run": run.id})

    @guarded.get("/runs")
    def list_runs() -> list[RunSummary]:
        """The runs this server has done since it started and still holds, newest first.

        GET /api/store/runs lists every recorded run, the command line's too."""
        return runs.list()

    @guarded.get("/runs/{run_id}", response_model=Plan)
    def run_plan(run_id: RunId) -> Response:
        """The plan of a run: the same object as ``kopru.plan`` returns and plan.json holds."""
        return _plan_response(get_run(run_id).plan)

    @guarded.get("/runs/{run_id}/plan.json")
    def run_plan_json(run_id: RunId) -> Response:
        """plan.json as a download."""
        return Response(
            get_run(run_id).plan.model_dump_json(indent=1),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="plan.json"'},
        )

    @guarded.get("/runs/{run_id}/report.html", response_class=HTMLResponse)
    def run_report(run_id: RunId) -> HTMLResponse:
        """The self-contained HTML report (plotly.js inlined) as a download."""
        from kopru.report import render_html

        run = get_run(run_id)
        html = render_html(run.plan, api.load_data(run.overrides), risk=run.risk)
        return HTMLResponse(html, headers={"Content-Disposition": 'attachment; filename="report.html"'})

    @guarded.get("/runs/{run_id}/figures")
    def run_figures(run_id: RunId) -> dict[str, Any]:
        """The report's map and cost chart as plotly figure JSON, for the Plan page."""
        from kopru.report import cost_chart, site_map

        run = get_run(run_id)
        pack = api.load_data(run.overrides)
        return {
            "map": json.loads(site_map(run.plan, pack).to_json()),
            "chart": json.loads(cost_chart(run.plan).to_json()),
        }

    def get_risk(run_id: str) -> Run:
        run = get_run(run_id)
        if run.risk is None:
            raise HTTPException(status_code=404, detail=f"run {run_id} is a plan without a risk analysis")
        return run

    @guarded.get("/runs/{run_id}/risk")
    def run_risk(run_id: RunId) -> RiskOut:
        """The risk analysis of a run from POST /api/risk: every site's mean, p5, p50, p95, CVaR95,
        P(best) and expected regret, cheapest mean first (the numbers of ``kopru risk --json``)."""
        from kopru.report import site_label

        run = get_risk(run_id)
        view = run.risk
        assert view is not None
        return RiskOut(
            run=run.id,
            samples=view["samples"],
            seed=view["seed"],
            currency=view["currency"],
            baseline=view["baseline"],
            excluded=view["excluded"],
            drawn=len(next(iter(view["draws"].values()))) if view.get("draws") else 0,
            sites=[RiskSite(**s, label=site_label(run.plan, s["id"], s["name"])) for s in view["sites"]],
        )

    @guarded.get("/runs/{run_id}/risk/figures")
    def run_risk_figures(run_id: RunId) -> dict[str, Any]:
        """The report's risk charts as plotly figure JSON: cost distributions, P(best) and regret."""
        from kopru.report import risk_best_chart, risk_distribution_chart

        run = get_risk(run_id)
        assert run.risk is not None
        return {
            "distribution": json.loads(risk_distribution_chart(run.risk, run.plan).to_json()),
            "best": json.loads(risk_best_chart(run.risk, run.plan).to_json()),
        }

    # -- the scenario store: every recorded run, the command line's too --------------------------
    StoreKind = Annotated[
        history.Kind | None, Query(description="only runs of this kind (plan, risk, rank, sweep)")
    ]

    @guarded.get("/store/runs")
    def store_runs(
        limit: Annotated[int, Query(ge=1, le=1000, description="the newest runs only")] = 200,
        kind: StoreKind = None,
    ) -> history.StoreListing:
        """Every run recorded in the scenario store (kopru plan, risk, rank, sweep and this app),
        newest first, with its headline result; ``on_server`` runs can be downloaded from
        GET /api/runs/{id}/plan.json. A store that does not exist yet is an empty list."""
        return history.listing(scenario_store, runs, _site_names(), limit, kind)

    @guarded.get("/store/runs/{run_id}")
    def store_run(run_id: RunId) -> history.StoredRunDetail:
        """One recorded run: its inputs, options, data-pack version and every result."""
        return history.detail(scenario_store, runs, _site_names(), run_id)

    @guarded.get("/store/compare")
    def store_compare(
        a: Annotated[str, Query(pattern=RUN_ID_PATTERN, description="a run id from GET /api/store/runs")],
        b: Annotated[str, Query(pattern=RUN_ID_PATTERN, description="another run id")],
    ) -> history.StoreComparison:
        """Two recorded runs side by side: every item (site or scenario) and metric, with b - a."""
        return history.comparison(scenario_store, runs, _site_names(), a, b)

    @guarded.get("/compare")
    def compare(
        a: Annotated[str, Query(pattern=RUN_ID_PATTERN)], b: Annotated[str, Query(pattern=RUN_ID_PATTERN)]
    ) -> Comparison:
        """Two runs of this server side by side: recommendation, best sites, cost by component,
        optimizer answer (GET /api/store/compare compares any two recorded runs)."""
        return Comparison(a=_run_side(get_run(a)), b=_run_side(get_run(b)))

    @guarded.get("/sites")
    def list_sites() -> list[site_views.SiteRow]:
        """Every candidate site of the data pack: Kazakh regions, SEZs, Turkish provinces."""
        return site_views.catalogue(api.load_data())

    @guarded.get("/sites/map")
    def sites_map() -> dict[str, Any]:
        """The Sites page's map as plotly figure JSON (regions, corridor lines, sites)."""
        return _sites_figure()

    @guarded.get("/sites/{site_id}")
    def site(site_id: Annotated[str, PathParam(pattern=SITE_ID_PATTERN)]) -> site_views.SiteDetail:
        """A site's data-pack row and parameters, each with its source."""
        found = site_views.detail(api.load_data(), site_id)
        if found is None:
            raise HTTPException(status_code=404, detail=f"no site {site_id} in the data pack")
        return found

    app.include_router(open_api)
    app.include_router(guarded)

    # -- pages and static files ------------------------------------------------------------------
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    page_context = {
        "version": kopru.__version__,
        "auth": token is not None,
        "risk_min": MIN_RISK_SAMPLES,
        "risk_max": MAX_RISK_SAMPLES,
        "risk_default": DEFAULT_RISK_SAMPLES,
        "max_seed": MAX_SEED,
    }

    def page(name: str, title: str) -> Callable[[Request], HTMLResponse]:
        def render(request: Request) -> HTMLResponse:
            return templates.TemplateResponse(
                request, f"{name}.html", {"page": name, "title": title, **page_context}
            )

        return render

    app.add_api_route("/", lambda: RedirectResponse("/plan"), include_in_schema=False)
    app.add_api_route("/plan", page("plan", "Plan"), include_in_schema=False, response_class=HTMLResponse)
    app.add_api_route("/sites", page("sites", "Sites"), include_in_schema=False, response_class=HTMLResponse)
    app.add_api_route("/runs", page("runs", "Runs"), include_in_schema=False, response_class=HTMLResponse)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="kopru API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from validator.swagger.io
        )

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        # served from the installed plotly package, so the page and the report use the same plotly.js
        path = _plotly_js()
        headers = {"Cache-Control": "public, max-age=86400"}
        if path.exists():
            return FileResponse(path, media_type="text/javascript", headers=headers)
        from plotly.offline import get_plotlyjs

        return Response(get_plotlyjs(), media_type="text/javascript", headers=headers)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    return app


@cache
def _site_names() -> dict[str, str]:
    return history.site_names(api.load_data())


@cache
def _sites_figure() -> dict[str, Any]:
    # the shipped pack does not change while the server runs: build the figure once
    return json.loads(site_views.figure(api.load_data()).to_json())
