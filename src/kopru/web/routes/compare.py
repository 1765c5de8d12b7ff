"""Sites side by side: the same comparison as ``kopru compare``, for the Compare page.

The sites are those of an example's plan, of a posted profile's, or of a plan run of this server:
a run's comparison is computed with that run's overrides, closures and avoided countries, so its
figures are the plan's figures (the page compares what the user planned, not the plain example).
"""

from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kopru import api
from kopru.display import COUNTRY_NAMES
from kopru.errors import OptionError
from kopru.profile import Profile
from kopru.web.bodies import CheckedRoute
from kopru.web.errors import web_words
from kopru.web.examples import example_dict
from kopru.web.history import replaced_values  # the Runs page's words for the same overrides
from kopru.web.routes.profiles import validate_profile
from kopru.web.runs import RUN_ID_PATTERN, Run
from kopru.web.schemas import MIN_RISK_SAMPLES, ExampleName
from kopru.web.state import State, authorized

MAX_COMPARE_SAMPLES = 20_000  # a request answers within seconds; larger runs belong to POST /api/risk

router = APIRouter(prefix="/api", tags=["api"], route_class=CheckedRoute, dependencies=[Depends(authorized)])
SiteName = Annotated[str, Field(min_length=1, max_length=200)]


class CompareRequest(BaseModel):
    """Two or three sites of a plan, named by id, name or a part of a name; the plan is an example's,
    a profile's or a plan run's of this server."""

    model_config = ConfigDict(extra="forbid")

    example: ExampleName | None = Field(default=None, description="one of GET /api/examples")  # type: ignore[valid-type]
    profile: dict[str, Any] | None = Field(default=None, description="a company profile, as in the YAML")
    run: str | None = Field(
        default=None,
        pattern=RUN_ID_PATTERN,
        description="a plan run of this server, from GET /api/runs: its profile, overrides and closures",
    )
    sites: list[SiteName] = Field(min_length=2, max_length=3, description="2 or 3 sites: id, name or part")
    samples: int = Field(
        default=0,
        ge=0,
        le=MAX_COMPARE_SAMPLES,
        description=f"draws for the risk rows: 0 for none, else {MIN_RISK_SAMPLES:,} or more",
    )
    seed: int = Field(default=0, ge=0, le=2**32 - 1)

    @field_validator("samples")
    @classmethod
    def _enough_draws(cls, samples: int) -> int:
        # the Plan page's minimum: percentiles and chances of 5 draws read as figures they are not
        if 0 < samples < MIN_RISK_SAMPLES:
            most = f"{MAX_COMPARE_SAMPLES:,}"
            raise ValueError(f"expected 0 (no risk) or {MIN_RISK_SAMPLES:,} to {most} draws, got {samples}")
        return samples

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [x for x in (self.example, self.profile, self.run) if x is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of example (a name), profile (a mapping) or run (a run id of GET /api/runs)"
            )
        return self


def _server_run(state: State, run_id: str) -> Run:
    run = state.runs.get(run_id)
    if run is None:  # a restarted server, or one that dropped the run to keep its memory bounded
        raise HTTPException(
            status_code=404, detail=f"no run {run_id} on this server; choose a plan run of GET /api/runs"
        )
    return run


def _run_inputs(run: Run) -> tuple[Profile, dict[str, Any], dict[str, Any]]:
    """The run's profile, the arguments that make its plan again, and what the run changed, in words."""
    plan = run.plan
    profile = validate_profile(plan.profile)
    # the plan's closures and countries hold the profile's own: a plan closes and avoids each once
    inputs = {"overrides": run.overrides, "disruptions": plan.disruptions, "avoid": plan.avoid}
    source = {
        "run": run.id,
        "created": run.created,
        "closed": plan.closed_parts or plan.disruptions,
        "replaced": replaced_values(run.overrides or {}),
        "avoided": [COUNTRY_NAMES.get(c, c) for c in plan.avoid],
    }
    return profile, inputs, source


@router.post("/compare-sites")
def compare_sites(state: State, req: CompareRequest) -> dict[str, Any]:
    """Two or three sites side by side: cost by component and market, routes, duties, incentives,
    appraisal, the inputs with their publishers and years, and with ``samples`` their risk.

    ``source`` says whose plan it is: ``{"example": name}``, ``{"profile": true}`` or, for a run,
    ``{"run": id, "created", "closed", "replaced", "avoided"}`` (closures and values in words)."""
    inputs: dict[str, Any] = {}
    if req.run is not None:
        profile, inputs, source = _run_inputs(_server_run(state, req.run))
    elif req.example is not None:
        profile, source = validate_profile(example_dict(req.example)), {"example": req.example}
    else:
        profile, source = validate_profile(req.profile), {"profile": True}
    try:
        result = api.compare(profile, req.sites, samples=req.samples, seed=req.seed, **inputs)
    except OptionError as exc:  # a name that fits no site or several: the client's to fix
        raise HTTPException(
            status_code=422,
            detail=[
                {
                    "loc": ["body", "sites"],
                    "msg": web_words(str(exc)),
                    "type": "value_error",
                    "field": "sites",
                }
            ],
        ) from None
    return result.as_dict() | {"source": source}
