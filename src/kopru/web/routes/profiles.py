"""Health, the example profiles, and reading and checking a profile before planning it."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from pydantic import ValidationError

import kopru
from kopru import api, documents, units
from kopru.errors import KopruError, ProfileError
from kopru.inputs import check_references, prepare
from kopru.profile import Profile, explain, field_issues
from kopru.siting import forced_sites
from kopru.web.bodies import CheckedRoute
from kopru.web.errors import field_errors
from kopru.web.examples import example_dict, example_text
from kopru.web.schemas import (
    EXAMPLES,
    ExampleDoc,
    ExampleInfo,
    ExampleName,
    FieldError,
    Health,
    ParsedProfile,
    ProfileCheck,
    ProfileOK,
)
from kopru.web.state import authorized

MAX_BODY_BYTES = 1_000_000  # a profile is a page of YAML; the CLI has the same limit

open_router = APIRouter(prefix="/api", tags=["api"], route_class=CheckedRoute)
router = APIRouter(prefix="/api", tags=["api"], route_class=CheckedRoute, dependencies=[Depends(authorized)])


def validate_profile(data: object) -> Profile:
    """A profile from a request, or a ProfileError naming every field at fault (a 422)."""
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise explain(exc, data=data) from None


@open_router.get("/health")
def health() -> Health:
    """Liveness: open even when a token is required."""
    return Health(status="ok", version=kopru.__version__, data_pack=api.data_pack().version)


@router.get("/examples")
def examples() -> list[ExampleInfo]:
    """The example profiles shipped with kopru."""
    out = []
    for name in sorted(EXAMPLES):
        d = example_dict(name)
        out.append(ExampleInfo(name=name, company=str(d.get("company")), product=str(d.get("product"))))
    return out


@router.get("/examples/{name}")
def example(name: ExampleName) -> ExampleDoc:  # type: ignore[valid-type]
    """One example profile, as a mapping and as its YAML text."""
    return ExampleDoc(name=name, profile=example_dict(name), text=example_text(name))


def _read_upload(raw: bytes, filename: str) -> ParsedProfile:
    """An uploaded profile as a mapping with its field errors; unreadable files are a 422."""
    try:
        data = documents.parse_document(
            raw,
            "the file",
            name=filename,
            error=ProfileError,
            max_bytes=MAX_BODY_BYTES,
            number_hint=units.dot_hint,  # a Turkish 600.000, which YAML reads as 600
        )
    except KopruError as exc:
        raise ProfileError(str(exc), field="file") from None
    if not isinstance(data, dict):
        raise ProfileError("expected a mapping of fields (company, product, ...)", field="file")
    unnamed = [k for k in data if not isinstance(k, str)]  # YAML's '?' or '1: x': null or a number
    if unnamed:
        raise ProfileError(
            f"a field is named {unnamed[0]!r}, not by text; expected fields such as company, product",
            field="file",
        )
    try:
        Profile.model_validate(data)
        errors: list[FieldError] = []
    except ValidationError as exc:
        errors = field_errors(field_issues(exc, data))
    return ParsedProfile(profile=data, errors=errors)


@router.post("/profiles/parse")
async def parse_profile(
    file: Annotated[UploadFile, File(description="profile, YAML or JSON")],
) -> ParsedProfile:
    """Read an uploaded profile into a mapping (422 when it is not readable), with its field errors."""
    raw = await file.read(MAX_BODY_BYTES + 1)
    # parsing is CPU work: off the event loop, so one large upload cannot hold up other requests
    return await asyncio.to_thread(_read_upload, raw, file.filename or "")


@router.post("/profiles/validate")
def check_profile(body: ProfileCheck) -> ProfileOK:
    """Check a profile: 200 when valid, 422 with one message per field otherwise."""
    p = validate_profile(body.profile)
    pack = api.data_pack()
    check_references(p, pack)  # ids the data pack does not know: 422, field by field
    # what planning checks against the data pack too (a web review: 'valid' for a heading without a
    # duty rate, a material without its duty basis, a forced site 'SEZ' that fits 16), ~10-50 ms
    forced_sites(prepare(p, pack, report=False), p.optimize)
    return ProfileOK(valid=True, company=p.company, volume=p.volume, markets=len(p.markets))
