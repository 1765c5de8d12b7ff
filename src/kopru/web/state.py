"""What every route of one app shares: its runs, its job pool, its token and its scenario store.

Routes reach it through FastAPI dependencies (:func:`web_state`, :func:`authorized`), so the same
route modules serve any number of apps (one per test, with its own store and token).
"""

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kopru.web.jobs import JobManager
from kopru.web.runs import MatchRuns, Run, RunStore


@dataclass
class WebState:
    runs: RunStore
    jobs: JobManager
    token: str | None  # None: no authentication
    scenario_store: str | Path | None  # None: KOPRU_STORE or the user's data folder, read per request
    matches: MatchRuns = field(default_factory=MatchRuns)  # matchmaking runs of this process


def web_state(request: Request) -> WebState:
    return request.app.state.kopru


State = Annotated[WebState, Depends(web_state)]
bearer = HTTPBearer(auto_error=False, description="set when the server runs with KOPRU_TOKEN")


def authorized(state: State, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """Every /api route but health needs the bearer token when the server has one."""
    if state.token is None:
        return
    if creds is None or not secrets.compare_digest(creds.credentials.encode(), state.token.encode()):
        raise HTTPException(
            status_code=401,
            detail="missing or wrong bearer token (the server runs with KOPRU_TOKEN)",
            headers={"WWW-Authenticate": "Bearer"},
        )


def get_run(state: WebState, run_id: str) -> Run:
    run = state.runs.get(run_id)
    if run is None:
        # where the run is instead (a web review: a match run of this server, or a run the store
        # recorded before a restart, was 'no run on this server' with no word where to look)
        if state.matches.get(run_id) is not None:
            detail = f"run {run_id} is a match run: GET /api/match/{run_id} gives it"
        else:
            detail = (
                f"no plan or risk run {run_id} on this server (it keeps its own process's last runs);"
                f" GET /api/store/runs/{run_id} shows a run the scenario store recorded, and"
                f" /api/runs/{run_id}/form fills the Plan page with it again"
            )
        raise HTTPException(status_code=404, detail=detail)
    return run
