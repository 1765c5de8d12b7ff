"""Plans, optimizations and risk analyses as background jobs, and the runs they leave.

A job's work is the Python API's: ``kopru.plan`` (with the optimizer when asked) and, for a risk
job, ``kopru.risk`` on the same profile, whose result the report's risk view draws — the same
steps as ``kopru risk --out``. Every run is kept whole in memory and recorded in the scenario store.
"""

import asyncio
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kopru import api
from kopru.corridors import check_closures
from kopru.language import Words
from kopru.planner import Plan
from kopru.report import (
    cash_flow_chart,
    cost_chart,
    render_html,
    risk_best_chart,
    risk_distribution_chart,
    risk_view,
    site_label,
    site_map,
    tornado_chart,
)
from kopru.report.summary import build_summary, render_summary_html, write_summary_pdf
from kopru.report.workbook import write_plan_workbook
from kopru.web import history
from kopru.web.bodies import CheckedRoute
from kopru.web.cache import PlanCache, plan_key
from kopru.web.errors import job_error
from kopru.web.examples import example_dict
from kopru.web.jobs import JOB_ID_PATTERN, JobProgress, JobView
from kopru.web.routes.pages import WHAT_IF
from kopru.web.routes.profiles import validate_profile
from kopru.web.runs import RUN_ID_PATTERN, Run, RunSummary
from kopru.web.schemas import (
    DEFAULT_RISK_SAMPLES,
    MAX_RISK_SAMPLES,
    MAX_SEED,
    MIN_RISK_SAMPLES,
    JobRequest,
    PlanRequest,
    RiskOut,
    RiskRequest,
    RiskSite,
    RunComparison,
    RunSide,
)
from kopru.web.state import State, WebState, authorized, get_run

MAX_OPTIMIZE_SECONDS = 120.0  # a web job may not hold a worker longer, whatever the profile asks
SYNC_TIMEOUT_SECONDS = 60.0
PLANS = PlanCache()  # shared by every app of this process: the shipped data pack is the same
RunId = Annotated[str, PathParam(pattern=RUN_ID_PATTERN, description="a run id from GET /api/runs")]

router = APIRouter(prefix="/api", tags=["api"], route_class=CheckedRoute, dependencies=[Depends(authorized)])


def _work(state: WebState, req: JobRequest, cached: bool = False) -> tuple[Callable[[JobProgress], Run], str]:
    """What a job does, and its kind; the profile is validated here, before the job is queued.
    ``cached``: a plan computed before for the same inputs is reused (POST /api/plan, whose
    caller waits for the answer; a job's caller follows the steps of its own computation)."""
    if req.example is not None:
        profile, source = validate_profile(example_dict(req.example)), f"example:{req.example}"
    else:
        profile, source = validate_profile(req.profile), "profile"
    check_closures(api.data_pack(), req.disruptions)  # a typo is said now, at its input, not after the run
    optimize: bool | dict[str, Any] = False
    if req.optimize:
        optimize = {"time_limit": min(profile.optimize.time_limit, MAX_OPTIMIZE_SECONDS)}

    key = plan_key(profile.model_dump(mode="json"), req.overrides, req.disruptions, optimize)

    def plan_of(progress: JobProgress) -> Plan:
        def compute() -> Plan:
            return api.plan(
                profile,
                overrides=req.overrides,
                disruptions=req.disruptions,
                progress=progress,
                optimize=optimize,
            )

        return PLANS.plan(key, compute) if cached else compute()

    if isinstance(req, RiskRequest):

        def risk_work(progress: JobProgress) -> Run:
            plan = plan_of(progress)
            progress(f"drawing {req.samples:,} samples")
            result = api.risk(
                profile,
                samples=req.samples,
                seed=req.seed,
                overrides=req.overrides,
                disruptions=req.disruptions,
                progress=progress.count,
            )
            progress("summarising the distributions")
            view = risk_view(result)
            return state.runs.add(plan, source, req.overrides, risk=result, risk_view=view, record=req.record)

        return risk_work, "risk"

    def work(progress: JobProgress) -> Run:
        return state.runs.add(plan_of(progress), source, req.overrides, record=req.record)

    return work, "optimize" if req.optimize else "plan"


def _submit(state: WebState, req: JobRequest, cached: bool = False) -> JobView:
    work, kind = _work(state, req, cached)
    return state.jobs.submit(kind, work, job_error).view()  # a full queue is a QueueFull: 429


@router.post("/jobs", status_code=202)
def submit_job(state: State, req: JobRequest) -> JobView:
    """Start a plan (and optionally the optimizer) in the background; poll GET /api/jobs/{id}."""
    return _submit(state, req)


@router.post("/risk", status_code=202)
def submit_risk(state: State, req: RiskRequest) -> JobView:
    """Start the plan and the Monte Carlo risk of every site (as ``kopru risk``) in the background.

    Poll GET /api/jobs/{id} (``step_done`` of ``step_total`` samples drawn); when done, GET
    /api/runs/{run}/risk has the statistics. The run is recorded in the scenario store."""
    return _submit(state, req)


@router.get("/jobs/{job_id}")
def job(state: State, job_id: Annotated[str, PathParam(pattern=JOB_ID_PATTERN)]) -> JobView:
    """A job's status and progress; when done, ``run`` is the id of its run."""
    j = state.jobs.get(job_id)
    if j is None:
        raise HTTPException(status_code=404, detail=f"no job {job_id} on this server")
    return j.view()


def _plan_response(plan: Plan, headers: dict[str, str] | None = None) -> Response:
    # The plan is already a validated Plan: dumping it directly skips FastAPI's re-validation and
    # encoding of ~0.8 MB (a third of a plan's cost under load), and a cached plan is encoded once.
    # response_model keeps the schema.
    return Response(PLANS.json(plan), media_type="application/json", headers=headers)


@router.post(
    "/plan", response_model=Plan, responses={202: {"model": JobView, "description": "still running"}}
)
async def plan_now(state: State, req: PlanRequest) -> Response:
    """Compute a plan and return it (~0.1 s; runs in the same bounded pool as jobs).

    When the pool is so busy that the plan is not done within 60 s, the answer is 202 with the job
    (poll GET /api/jobs/{id}); a full queue is 429. The optimizer takes longer: use POST /api/jobs."""
    view = _submit(state, JobRequest(**req.model_dump()), cached=True)
    j = state.jobs.get(view.id)
    assert j is not None and j.future is not None
    try:
        # a KopruError from the worker propagates to its handler (422)
        # shielded: a timeout must not cancel the job (a queued one would stay "queued" for ever)
        run = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(j.future)), SYNC_TIMEOUT_SECONDS)
    except TimeoutError:  # not a failure of the server: the plan goes on, as a job to poll
        still = state.jobs.get(view.id)
        body = (still.view() if still else view).model_dump(mode="json")
        return JSONResponse(status_code=202, content=body, headers={"Location": f"/api/jobs/{view.id}"})
    return _plan_response(run.plan, {"X-Kopru-Run": run.id})


@router.get("/runs")
def list_runs(state: State) -> list[RunSummary]:
    """The runs this server has done since it started and still holds, newest first.

    GET /api/store/runs lists every recorded run, the command line's too."""
    return state.runs.list()


@router.get("/runs/{run_id}", response_model=Plan)
def run_plan(state: State, run_id: RunId) -> Response:
    """The plan of a run: the same object as ``kopru.plan`` returns and plan.json holds."""
    return _plan_response(get_run(state, run_id).plan)


def _held_row(run: Run) -> dict[str, Any]:
    """A run of this server as the scenario store shows a run: the same form comes of either."""
    p = run.plan
    params: dict[str, Any] = {"optimize": p.network is not None}
    if run.risk is not None:
        params |= {"samples": run.risk["samples"], "seed": run.risk["seed"]}
    if p.avoid:
        params["avoid"] = list(p.avoid)
    return {
        "kind": run.kind,
        "company": p.company,
        "product": p.product,
        "inputs": {"profile": p.profile},
        "overrides": run.overrides,
        "disruptions": p.disruptions,
        "params": params,
    }


@router.get("/runs/{run_id}/form")
def run_form(state: State, run_id: RunId) -> history.PlanForm:
    """A plan or risk run's profile and options as the Plan page's form holds them: this server's
    run as it was asked, else the scenario store's record of it (after a restart, or a ``kopru plan``
    or ``kopru risk`` run), with what the store does not record (``missing``) and what the form
    cannot hold (``notes``). Its profile, disruptions, optimize and overrides (a risk run's samples
    and seed too), posted to POST /api/jobs (POST /api/risk), run it again."""
    risk = (MIN_RISK_SAMPLES, MAX_RISK_SAMPLES, DEFAULT_RISK_SAMPLES)
    keys = tuple(key for key, _ in WHAT_IF)
    run = state.runs.get(run_id)
    if run is not None:
        form = history.plan_form(_held_row(run), keys, risk, MAX_SEED)
        return history.PlanForm(run=run.id, created=run.created, on_server=True, **form)
    held = history.held_by(state.runs, state.matches)
    version = api.data_pack().version
    return history.stored_plan_form(state.scenario_store, held, run_id, keys, risk, MAX_SEED, version)


@router.get("/runs/{run_id}/plan.json")
def run_plan_json(state: State, run_id: RunId) -> Response:
    """plan.json as a download."""
    return Response(
        get_run(state, run_id).plan.model_dump_json(indent=1),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="plan.json"'},
    )


@router.get("/runs/{run_id}/report.html", response_class=HTMLResponse)
def run_report(state: State, run_id: RunId) -> HTMLResponse:
    """The self-contained HTML report (plotly.js inlined) as a download."""
    run = get_run(state, run_id)
    html = render_html(run.plan, api.data_pack(run.overrides), risk=run.risk)
    return HTMLResponse(html, headers={"Content-Disposition": 'attachment; filename="report.html"'})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(run: Run, name: str, media_type: str, write: Callable[[Path], Path]) -> Response:
    """A file written by the report code into a temporary folder, returned as a download."""
    with tempfile.TemporaryDirectory(prefix="kopru-export-") as folder:
        content = write(Path(folder)).read_bytes()
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/runs/{run_id}/plan.xlsx", response_class=Response)
def run_workbook(state: State, run_id: RunId) -> Response:
    """The plan as an Excel workbook: ranking, costs, markets, routes, incentives, risk, inputs, sources."""
    run = get_run(state, run_id)
    pack = api.data_pack(run.overrides)
    return _export(
        run, "plan.xlsx", XLSX, lambda f: write_plan_workbook(run.plan, f / "plan.xlsx", run.risk, pack)
    )


Lang = Annotated[
    Literal["en", "tr"], Query(description="the summary's language: en (English) or tr (Türkçe)")
]


@router.get("/runs/{run_id}/summary.pdf", response_class=Response)
def run_summary_pdf(state: State, run_id: RunId, lang: Lang = "en") -> Response:
    """The one-page summary as a PDF: the recommendation, the top five sites, the main risks."""
    run = get_run(state, run_id)
    summary = build_summary(run.plan, run.risk, Words(lang))
    return _export(run, "summary.pdf", "application/pdf", lambda f: write_summary_pdf(summary, f / "s.pdf"))


@router.get("/runs/{run_id}/summary.html", response_class=HTMLResponse)
def run_summary_html(state: State, run_id: RunId, lang: Lang = "en") -> HTMLResponse:
    """The one-page summary as HTML that prints to one A4 page."""
    run = get_run(state, run_id)
    html = render_summary_html(build_summary(run.plan, run.risk, Words(lang)))
    return HTMLResponse(html, headers={"Content-Disposition": 'attachment; filename="summary.html"'})


@router.get("/runs/{run_id}/figures")
def run_figures(state: State, run_id: RunId) -> dict[str, Any]:
    """The report's map, cost chart, cash-flow chart and the tornado of the saving (None for a plan
    without switching values, such as one stored before them) as plotly figure JSON, for the Plan page."""
    run = get_run(state, run_id)
    pack = api.data_pack(run.overrides)
    switching = run.plan.switching
    return {
        "map": json.loads(site_map(run.plan, pack).to_json()),
        "chart": json.loads(cost_chart(run.plan).to_json()),
        "cash_flow": json.loads(cash_flow_chart(run.plan).to_json()),
        "tornado": json.loads(tornado_chart(run.plan).to_json()) if switching and switching.swings else None,
    }


def _risk_run(state: WebState, run_id: str) -> Run:
    run = get_run(state, run_id)
    if run.risk is None:
        raise HTTPException(status_code=404, detail=f"run {run_id} is a plan without a risk analysis")
    return run


@router.get("/runs/{run_id}/risk")
def run_risk(state: State, run_id: RunId) -> RiskOut:
    """The risk analysis of a run from POST /api/risk: every site's mean, p5, p50, p95, CVaR95,
    P(best) and expected regret, cheapest mean first (the numbers of ``kopru risk --json``)."""
    run = _risk_run(state, run_id)
    view = run.risk
    assert view is not None
    return RiskOut(
        run=run.id,
        samples=view["samples"],
        seed=view["seed"],
        currency=view["currency"],
        baseline=view["baseline"],
        recommended=view.get("recommended"),
        p_recommendation_changes=view.get("p_recommendation_changes"),
        excluded=view["excluded"],
        drawn=len(next(iter(view["draws"].values()))) if view.get("draws") else 0,
        sites=[RiskSite(**s, label=site_label(run.plan, s["id"], s["name"])) for s in view["sites"]],
    )


@router.get("/runs/{run_id}/risk/figures")
def run_risk_figures(state: State, run_id: RunId) -> dict[str, Any]:
    """The report's risk charts as plotly figure JSON: cost distributions, P(best) and regret."""
    run = _risk_run(state, run_id)
    assert run.risk is not None
    return {
        "distribution": json.loads(risk_distribution_chart(run.risk, run.plan).to_json()),
        "best": json.loads(risk_best_chart(run.risk, run.plan).to_json()),
    }


def _run_side(run: Run) -> RunSide:
    p = run.plan
    best = p.site(p.recommendation.site) if p.recommendation.site else None
    top = [
        dict(
            id=s.id,
            name=s.name,
            country=s.country,
            total=s.landed_cost.total,
            per_unit=s.landed_cost.per_unit,
        )
        for s in (p.site(sid) for sid in p.ranking[:8])
    ]
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


@router.get("/compare")
def compare(
    state: State,
    a: Annotated[str, Query(pattern=RUN_ID_PATTERN)],
    b: Annotated[str, Query(pattern=RUN_ID_PATTERN)],
) -> RunComparison:
    """Two runs of this server side by side: recommendation, best sites, cost by component,
    optimizer answer (GET /api/store/compare compares any two recorded runs)."""
    return RunComparison(a=_run_side(get_run(state, a)), b=_run_side(get_run(state, b)))
