"""Sites side by side: the same comparison as ``kopru compare``, for the Compare page."""

from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kopru import api
from kopru.errors import OptionError
from kopru.web.errors import web_words
from kopru.web.examples import example_dict
from kopru.web.routes.profiles import validate_profile
from kopru.web.schemas import ExampleName
from kopru.web.state import authorized

MAX_COMPARE_SAMPLES = 20_000  # a request answers within seconds; larger runs belong to POST /api/risk

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(authorized)])
SiteName = Annotated[str, Field(min_length=1, max_length=200)]


class CompareRequest(BaseModel):
    """Two or three sites of a profile's plan, named by id, name or a part of a name."""

    model_config = ConfigDict(extra="forbid")

    example: ExampleName | None = Field(default=None, description="one of GET /api/examples")  # type: ignore[valid-type]
    profile: dict[str, Any] | None = Field(default=None, description="a company profile, as in the YAML")
    sites: list[SiteName] = Field(min_length=2, max_length=3, description="2 or 3 sites: id, name or part")
    samples: int = Field(default=0, ge=0, le=MAX_COMPARE_SAMPLES, description="draws for the risk rows")
    seed: int = Field(default=0, ge=0, le=2**32 - 1)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.example is None) == (self.profile is None):
            raise ValueError("give either example (a name) or profile (a mapping), not both or neither")
        return self


@router.post("/compare-sites")
def compare_sites(req: CompareRequest) -> dict[str, Any]:
    """Two or three sites side by side: cost by component and market, routes, duties, incentives,
    appraisal, the inputs with their publishers and years, and with ``samples`` their risk."""
    profile = validate_profile(example_dict(req.example) if req.example else req.profile)
    try:
        result = api.compare(profile, req.sites, samples=req.samples, seed=req.seed)
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
    return result.as_dict()
