"""The scenario store: every recorded run, the command line's too, one run, two side by side."""

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam

from kopru import api
from kopru.web import history
from kopru.web.bodies import CheckedRoute
from kopru.web.runs import RUN_ID_PATTERN
from kopru.web.state import State, WebState, authorized

router = APIRouter(prefix="/api", tags=["api"], route_class=CheckedRoute, dependencies=[Depends(authorized)])
StoreKind = Annotated[
    history.Kind | None, Query(description="only runs of this kind (plan, risk, rank, sweep, match)")
]
RunPath = Annotated[str, PathParam(pattern=RUN_ID_PATTERN, description="a run id from GET /api/store/runs")]
RunQuery = Annotated[str, Query(pattern=RUN_ID_PATTERN, description="a run id from GET /api/store/runs")]


@cache
def _site_names() -> dict[str, str]:
    return history.site_names(api.data_pack())


def _held(state: WebState) -> history.Held:
    return history.held_by(state.runs, state.matches)


@router.get("/store/runs")
def store_runs(
    state: State,
    limit: Annotated[int, Query(ge=1, le=1000, description="the newest runs only")] = 200,
    kind: StoreKind = None,
) -> history.StoreListing:
    """Every run recorded in the scenario store (kopru plan, risk, rank, sweep and this app),
    newest first, with its headline result; ``on_server`` runs are still held by this server (a
    plan's files from GET /api/runs/{id}/plan.json and the like, a match's from GET /api/match/{id}).
    A store that does not exist yet is an empty list."""
    return history.listing(state.scenario_store, _held(state), _site_names(), limit, kind)


@router.get("/store/runs/{run_id}")
def store_run(state: State, run_id: RunPath) -> history.StoredRunDetail:
    """One recorded run: its inputs, options, data-pack version and every result."""
    return history.detail(state.scenario_store, _held(state), _site_names(), run_id)


@router.delete("/store/runs/{run_id}")
def store_delete(state: State, run_id: RunPath) -> history.Deleted:
    """Delete a recorded run and its results from the scenario store (it cannot be undone); this
    server forgets it too. Nothing else stored changes."""
    deleted = history.delete(state.scenario_store, run_id)
    for gone in deleted.deleted:
        state.runs.forget(gone["id"])
        state.matches.forget(gone["id"])
    return deleted


@router.get("/store/compare")
def store_compare(state: State, a: RunQuery, b: RunQuery) -> history.StoreComparison:
    """Two recorded runs side by side: every item (site or scenario) and metric, with b - a."""
    return history.comparison(state.scenario_store, _held(state), _site_names(), a, b)
