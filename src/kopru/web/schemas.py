"""What the web API takes and gives: request and response models (they are also its OpenAPI schema)."""

from importlib import resources
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kopru.web.runs import RunSummary

# Monte Carlo from the web: enough samples for stable p5/p95, few enough for a shared worker
# (100,000 take about 5 s, the CLI's default); larger runs belong to kopru risk --dask
MIN_RISK_SAMPLES, MAX_RISK_SAMPLES, DEFAULT_RISK_SAMPLES = 100, 100_000, 10_000
MAX_SEED = 2**32 - 1
SITE_ID_PATTERN = r"^[A-Za-z0-9_:-]{1,64}$"
SITES_PATTERN = r"^SEZ(:[A-Za-z0-9_]{1,40}(,[A-Za-z0-9_]{1,40}){0,30})?$"  # every SEZ, or SEZ:id,id
REGION_PATTERN = r"^KZ-\d{2}$"

_EXAMPLES_DIR = resources.files("kopru") / "examples"
# The fixed list of examples: a request names one of these, never a path.
EXAMPLES: dict[str, Any] = {
    p.name.removesuffix(".yaml"): p for p in _EXAMPLES_DIR.iterdir() if p.name.endswith(".yaml")
}
ExampleName = Literal[tuple(sorted(EXAMPLES))]  # type: ignore[valid-type]  # an enum in the OpenAPI schema


class FieldError(BaseModel):
    """One validation problem: where (``markets[1].demand``) and what."""

    field: str
    msg: str
    loc: list[str | int] = []  # pydantic's path, when the error comes from validation


class JobError(BaseModel):
    message: str
    fields: list[FieldError] = []


class PlanRequest(BaseModel):
    """A plan to compute: an example by name, or a profile as a mapping (the YAML file's content)."""

    model_config = ConfigDict(extra="forbid")  # a typo ("optimise") would silently run a plain plan

    example: ExampleName | None = Field(default=None, description="one of GET /api/examples")
    profile: dict[str, Any] | None = Field(default=None, description="a company profile, as in the YAML")
    disruptions: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default=[],
        max_length=50,
        description="corridor parts to close: khorgos, aktau-baku_alat, mode:ferry, water:caspian",
    )
    overrides: dict[str, Any] | None = Field(
        default=None, description="data-pack values to replace, as in an overrides YAML file"
    )
    record: bool = Field(
        default=True,
        description="record the run in the scenario store; false for a look-up (a form's list of sites)",
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
    base: float | None = Field(None, description="the plan's cost: every input at the data pack's value")
    at_means: float | None = Field(None, description="the cost with every input at its mean")
    mean_se: float | None = Field(None, description="Monte Carlo standard error of the mean")
    p_best_se: float | None = Field(None, description="Monte Carlo standard error of P(best)")
    per_unit_base: float | None = Field(None, description="the plan's cost per unit sold")
    per_unit_mean: float | None = None
    per_unit_p5: float | None = None
    per_unit_p50: float | None = None
    per_unit_p95: float | None = None
    per_unit_cvar95: float | None = None
    capacity: float | None = Field(None, description="units a year the site's plant can make")
    p_over_capacity: float | None = Field(None, description="share of draws selling more than capacity")
    incentives_unconfirmed: bool | None = Field(
        None, description="its SEZ incentives rest on a sector match the zone has not confirmed"
    )
    p_best_if_unconfirmed_incentives_fail: float | None = None
    same_draws_as: list[str] = Field(
        default=[],
        description="ids of the sites with this one's cost in every draw: P(best) is theirs together",
    )


class RiskOut(BaseModel):
    """The risk analysis of a run: the numbers of ``kopru risk --json``, sites by mean cost."""

    run: str
    samples: int
    seed: int
    currency: str
    baseline: str | None = Field(description="the best Turkish option, drawn in another colour")
    recommended: str | None = Field(None, description="the plan's pick: the cheapest site at base values")
    p_recommendation_changes: float | None = Field(
        None, description="share of samples in which another site is cheaper than the recommended one"
    )
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


class RunComparison(BaseModel):
    a: RunSide
    b: RunSide
