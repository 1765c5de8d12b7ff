"""How the web app answers errors: field messages for 422, Retry-After for 429 (a full queue) and
503 (a busy store), nothing internal. Every error body has ``message``, one line a person reads,
whatever the status, so a client needs one key to show what went wrong.

Every :class:`~kopru.errors.KopruError` carries the fields it is about (``fields`` for a profile
that fails validation, ``field`` for one named value), so the answer names them without reading
the message. The shape is FastAPI's (``loc``, ``msg``, ``type``) so generated clients understand
it, plus ``field``, the name a person reads (``markets[1].demand``).
"""

import logging
import math
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kopru.errors import (
    FieldIssue,
    InfeasibleError,
    KopruError,
    MatchError,
    OverrideError,
    QueueFull,
    Unreachable,
    ZonesFileError,
)
from kopru.profile import clean_message, field_path, union_errors
from kopru.units import brief
from kopru.web.runs import RUN_ID_PATTERN
from kopru.web.schemas import REGION_PATTERN, SITE_ID_PATTERN, SITES_PATTERN, FieldError, JobError

log = logging.getLogger("kopru.web")
EXAMPLE_BODY = 'such as {"example": "apparel"}'
FASTAPI_PARSE_ERROR = "There was an error parsing the body"
UNREADABLE_BODY = (
    "the request body could not be parsed as JSON (nested too deeply or not JSON);"
    f" expected a JSON object, {EXAMPLE_BODY}"
)
PROFILE = ("body", "profile")  # where a profile sits in a request body
RETRY_AFTER_S = "5"


# what a message says for the command line, as a page says it (a web review: "see 'kopru data show
# markets'", "(--min-jobs)", backticks; a reader of a page has pages, not commands)
WEB_WORDS = (
    (re.compile(r" ?\(see 'kopru data show \w+'\)"), ""),
    (
        re.compile(r"; see 'kopru data show sez' and 'kopru data show industrial_zones'"),
        "; the Sites page lists them",
    ),
    (re.compile(r"; see 'kopru data show \w+'(?: for ids)?"), ""),
    (re.compile(r"`kopru data list` shows them"), "the Sites page lists them"),
    (re.compile(r"kopru plan lists the candidates"), "a plan's ranking lists the candidates"),
    (re.compile(r" \(see quantities\.yaml\)"), ""),
    (re.compile(r" \(--[a-z-]+\)"), ""),
    (re.compile(r"; see 'kopru runs list'"), "; the Runs page lists them"),
    (re.compile(r" ?\(see 'kopru runs list'\)"), ""),
    (re.compile(r"in a --zones file"), "in zones_csv (POST /api/match)"),
    (
        re.compile(r"include_operating, --include-operating on the command line,"),
        "“place operating plants too” on the Match page (include_operating in POST /api/match),",
    ),
)


def web_words(message: str) -> str:
    for pattern, said in WEB_WORDS:
        message = pattern.sub(said, message)
    return message


# a check of the whole profile (pydantic's loc is empty, the field 'profile') that one field settles:
# that field is the one a form outlines (a web review: the volume below the markets' demand outlined
# the JSON box far below the volume). Read from the words, which name the field in any wording.
WHOLE_PROFILE_FIELDS = (
    (re.compile(r"\bannual[_ ]volume\b", re.IGNORECASE), "annual_volume"),
    (re.compile(r"^unit_volume .* lighter than the air"), "unit_volume"),
    (re.compile(r"^unit_weight .* lighter than the air"), "unit_weight"),
)


def _settled_by(issue: FieldIssue) -> str | None:
    if issue.loc or issue.field != "profile":
        return None
    return next((f for pattern, f in WHOLE_PROFILE_FIELDS if pattern.search(issue.message)), None)


def field_errors(issues: tuple[FieldIssue, ...] | list[FieldIssue]) -> list[FieldError]:
    out = []
    for i in issues:
        field = _settled_by(i)
        if field:
            out.append(FieldError(field=field, msg=web_words(i.message), loc=[field]))
        else:
            out.append(FieldError(field=i.field, msg=web_words(i.message), loc=list(i.loc)))
    return out


def _count(value: float, rounding: Any = round) -> str:
    """A bound in whole units, rounded the way that keeps the sentence true (2,912.53 jobs
    reachable: 2,912); below 1, two figures."""
    return f"{rounding(value):,.0f}" if abs(value) >= 1 or value == 0 else f"{value:.2g}"


def _unreachable_words(bound: Unreachable) -> str:
    """A target no portfolio reaches, in a page's words (the region by its name, whole jobs)."""
    if bound.side == "at least":
        return (
            f"no portfolio places {_count(bound.wanted, math.ceil)} {bound.subject}: at most"
            f" {_count(bound.reachable, math.floor)} can be reached there with this pipeline"
        )
    return (
        f"no portfolio keeps {bound.subject} within {_count(bound.wanted, math.floor)}: at least"
        f" {_count(bound.reachable, math.ceil)} cannot be avoided with this pipeline"
    )


def job_error(exc: KopruError) -> JobError:
    """A KopruError as a job's error: its message and the fields it names, as a page says them; a
    target no portfolio reaches outlines its field with the solver's figures in words."""
    message = web_words(str(exc))
    bound = exc.unreachable if isinstance(exc, InfeasibleError) else None
    if bound is not None and exc.field:
        msg = _unreachable_words(bound)
        return JobError(
            message=f"{exc.field}: {msg}", fields=[FieldError(field=exc.field, msg=msg, loc=[exc.field])]
        )
    if exc.fields:
        return JobError(message=message, fields=field_errors(exc.fields))
    if exc.field:
        msg = message.removeprefix(f"{exc.field}: ")
        return JobError(message=message, fields=[FieldError(field=exc.field, msg=msg)])
    return JobError(message=message)


def detail(errors: list[FieldError], prefix: tuple[str, ...] = PROFILE) -> list[dict[str, Any]]:
    return [
        {"loc": [*prefix, *(e.loc or [e.field])], "msg": e.msg, "type": "value_error", "field": e.field}
        for e in errors
    ]


def _request_message(request: Request, err: dict[str, Any]) -> str:
    """What was wrong with a request, in words that say what to send instead."""
    loc, kind = tuple(err["loc"]), err["type"]
    if kind == "json_invalid":
        where = f" at character {loc[1]}" if len(loc) > 1 else ""
        reason = err.get("ctx", {}).get("error", "malformed")
        return (
            f"the request body is not valid JSON ({reason}{where}); expected a JSON object,"
            f" {example_body(request)}"
        )
    if loc[-1:] == ("file",) and (kind == "missing" or "UploadFile" in err["msg"]):
        return "expected a file upload (multipart/form-data) in the field 'file', with its file name"
    if loc == ("body",) and kind == "missing":  # pydantic's 'Field required' for no body at all
        return f"the request body is empty; expected a JSON object, {example_body(request)}"
    if loc == ("body",) and kind in ("model_attributes_type", "dict_type"):
        sent = request.headers.get("content-type", "no Content-Type")
        if "json" not in sent:
            return f"expected a JSON body with Content-Type: application/json, got {brief(sent)}"
        return f"expected the request body to be a JSON object, {example_body(request)}"
    if kind == "int_parsing_size":
        return "Input should be an integer, and this one is too large to read"
    if kind in BOUND_WORDS:  # 'expected at most 14, got 20', not 'Input should be less than or equal to 14'
        key, words = BOUND_WORDS[kind]
        limit = err.get("ctx", {}).get(key)
        if isinstance(limit, int | float):
            got = err.get("input")
            said = _number(got) if isinstance(got, int | float) and not isinstance(got, bool) else brief(got)
            return f"expected {words} {_number(limit)}, got {said}"
    if kind == "string_pattern_mismatch":  # a regular expression is not a message a person reads
        pattern = err.get("ctx", {}).get("pattern", "")
        wanted = JOB_WORDS if loc[-1] == "job_id" else PATTERN_WORDS.get(pattern, "a value of another form")
        return f"{brief(str(err.get('input', '')))} is not {wanted}"
    return clean_message(err["msg"])


# a body each route takes, for its messages (a web review: the space routes' message offered
# {"example": "apparel"}, which they refuse)
ROUTE_EXAMPLES = (
    ("/api/space/", '{"days": 1}'),
    ("/api/match", '{"example": "pipeline"}'),
    ("/api/compare-sites", '{"example": "apparel", "sites": ["Turan", "Denizli"]}'),
    ("/api/profiles/validate", '{"profile": {...}} (a profile as GET /api/examples/apparel gives it)'),
)


def example_body(request: Request) -> str:
    path = request.url.path
    body = next((b for prefix, b in ROUTE_EXAMPLES if path.startswith(prefix)), None)
    return f"such as {body}" if body else EXAMPLE_BODY


def _number(x: float) -> str:
    """A number as typed, grouped: 99999999 -> '99,999,999', not '1e+08' (a web review)."""
    if abs(x) < 1e15 and float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.10g}"


# a bound a request's number failed, as a person says it (pydantic's type, its context key, the words)
BOUND_WORDS = {
    "less_than": ("lt", "less than"),
    "less_than_equal": ("le", "at most"),
    "greater_than": ("gt", "more than"),
    "greater_than_equal": ("ge", "at least"),
}

# what each pattern of the API's ids and codes asks for, in words (a job id has a run id's form)
JOB_WORDS = "a job id (32 hexadecimal characters in lower case, as POST /api/jobs returns it)"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
PATTERN_WORDS = {
    RUN_ID_PATTERN: (
        "a run id (32 hexadecimal characters in lower case, as GET /api/runs and /api/store/runs list them)"
    ),
    COUNTRY_PATTERN: "a two-letter ISO country code, such as RU or IR",
    SITE_ID_PATTERN: "a site id (letters, digits, _ : -; GET /api/sites lists them)",
    SITES_PATTERN: "SEZ (every zone) or SEZ:id,id with zone ids from GET /api/sites (such as SEZ:sez_turan)",
    REGION_PATTERN: "a Kazakh region code such as KZ-75 (GET /api/sites names the regions)",
}


def _wants_a_page(request: Request) -> bool:
    """A browser asking for an address outside the API (which answers JSON to every client)."""
    path = request.url.path
    api = path.startswith(("/api/", "/static/", "/basemap/", "/docs", "/openapi"))
    return not api and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Register the app's error handlers."""

    @app.exception_handler(QueueFull)
    async def _queue_full(_: Request, exc: QueueFull) -> JSONResponse:
        return JSONResponse(status_code=429, content=plain(str(exc)), headers={"Retry-After": RETRY_AFTER_S})

    @app.exception_handler(KopruError)
    async def _kopru_error(request: Request, exc: KopruError) -> JSONResponse:
        err = job_error(exc)
        if _sent_in(request.method) == "query":  # a web review: a GET's 422 said ["body"]
            prefix: tuple[str, ...] = ("query",)
        elif isinstance(exc, ZonesFileError):  # a row of the request's zones (a diff review: it was
            prefix = ("body", "zones_csv")  # put on the pipeline)
        elif isinstance(exc, MatchError):  # a pipeline's row and column, in the uploaded CSV
            prefix = ("body", "pipeline_csv")
        elif isinstance(exc, OverrideError):  # a key of the request's overrides, not of its profile
            prefix = ("body", "overrides")
        else:
            # the upload, or a field of the request itself (what to close or avoid), not the profile's
            prefix = ("body",) if exc.field in ("file", "disruptions", "avoid") else PROFILE
        # no field named: the part of the request it is about (the zones, the pipeline, the overrides)
        where = ["body"] if prefix in (PROFILE, ("body",)) else list(prefix)  # GET: ["query"]
        found = detail(err.fields, prefix) or [
            {"loc": where, "msg": err.message, "type": "value_error", "field": ""}
        ]
        return JSONResponse(status_code=422, content={"detail": found, "message": err.message})

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the whole input back; a 1 MB profile would come back too
        found = [
            {
                "loc": list(e["loc"]),
                "msg": _request_message(request, e),
                "type": e["type"],
                "field": "" if e["type"] == "json_invalid" else field_path(e["loc"][1:]),
            }
            for e in union_errors(list(exc.errors()))
        ]
        first = found[0]
        message = f"{first['field']}: {first['msg']}" if first["field"] else first["msg"]
        return JSONResponse(status_code=422, content={"detail": found, "message": message})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        page = getattr(request.app.state, "not_found_page", None)
        if exc.status_code == 404 and page is not None and _wants_a_page(request):
            return page(request)
        if exc.status_code == 400 and exc.detail == FASTAPI_PARSE_ERROR:
            # FastAPI says only this when the JSON parser itself fails (a body nested thousands deep)
            return JSONResponse(status_code=400, content=plain(UNREADABLE_BODY))
        if exc.status_code in (204, 304):  # no body may follow
            return await http_exception_handler(request, exc)
        if exc.detail in ("Not Found", "Method Not Allowed"):  # Starlette's words for the router's answers
            return JSONResponse(
                status_code=exc.status_code, content=plain(_routing_words(request, exc)), headers=exc.headers
            )
        return JSONResponse(
            status_code=exc.status_code, content=_http_body(exc, request.method), headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(status_code=500, content=plain("internal error; the server log has details"))


def _routing_words(request: Request, exc: StarletteHTTPException) -> str:
    """What an address or a method the app has no route for should be instead (a web review:
    bare 'Not Found' and 'Method Not Allowed')."""
    asked = f"{request.method} {request.url.path}"
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return f"{asked} is not answered; this address takes {allowed or 'other methods'}"
    return f"no address {request.url.path} in this app; /docs lists the API's addresses"


def _sent_in(method: str) -> str:
    """Where a request's input is: a GET's (or HEAD's) in its query, any other's in its body."""
    return "query" if method in ("GET", "HEAD") else "body"


def plain(message: str) -> dict[str, str]:
    """The body of an error that is about the request as a whole, not one of its fields."""
    return {"detail": message, "message": message}


def _http_body(exc: StarletteHTTPException, method: str = "POST") -> dict[str, Any]:
    """An HTTPException's body: a 422's words as field entries (like every other 422), about the
    body of a POST and the query of a GET, and a message."""
    if isinstance(exc.detail, list):  # already field entries
        first = exc.detail[0] if exc.detail else {}
        words = f"{first.get('field')}: {first.get('msg')}" if first.get("field") else first.get("msg", "")
        return {"detail": exc.detail, "message": words or "the request is not valid"}
    message = str(exc.detail)
    if exc.status_code == 422:
        return {
            "detail": [
                {
                    "loc": [_sent_in(method)],
                    "msg": message,
                    "type": "value_error",
                    "field": "",
                }
            ],
            "message": message,
        }
    return plain(message)
