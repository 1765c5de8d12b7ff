"""The FastAPI app: a JSON API over :mod:`kopru.api`, server-rendered pages, offline static assets.

``create_app`` composes the parts: the shared state (:mod:`~kopru.web.state`), the error answers
(:mod:`~kopru.web.errors`), the security headers and the routes (:mod:`kopru.web.routes`). Plans
and risk analyses run in a background pool (:mod:`~kopru.web.jobs`) and land in a run store
(:mod:`~kopru.web.runs`) that also records them in the DuckDB scenario store; pages poll the job,
then fetch the run. The Runs page reads the scenario store itself (:mod:`~kopru.web.history`), so it
lists the command line's runs too.
"""

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import kopru
from kopru import api
from kopru.web import errors
from kopru.web.jobs import JobManager
from kopru.web.routes import compare, matches, pages, plans, profiles, sites, space
from kopru.web.routes import store as store_routes
from kopru.web.runs import MemoryRunStore, RunStore
from kopru.web.state import WebState

MAX_BODY_BYTES = profiles.MAX_BODY_BYTES
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    # plotly.js compiles some functions at run time; FastAPI's Swagger page has an inline script
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


TOO_LARGE = json.dumps(
    errors.plain(f"the request body is over {MAX_BODY_BYTES:,} bytes; send a smaller profile or file")
).encode()


class SecurityHeaders:
    """Every answer carries the security headers, also the 413 and 500 that FastAPI sends from
    outside the user middleware (a pure ASGI wrapper around the whole stack, so none escapes it).
    FastAPI's 413 is plain text: it is answered in JSON, with the limit, like every other error."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = False

        async def with_headers(message: Message) -> None:
            nonlocal too_large
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if message["status"] == 413:
                    too_large = True
                    kept = [
                        (k, v) for k, v in headers if k.lower() not in (b"content-type", b"content-length")
                    ]
                    headers = [
                        *kept,
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(TOO_LARGE)).encode()),
                    ]
                present = {name.lower() for name, _ in headers}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*headers, *extra]
            elif message["type"] == "http.response.body" and too_large:
                if message.get("more_body", False):
                    return  # the plain text's parts: replaced by one JSON body
                message = {"type": "http.response.body", "body": TOO_LARGE, "more_body": False}
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadAsGet:
    """HEAD answers what GET would, without the body (HTTP's rule; FastAPI's routes list GET only,
    so `curl -I` got 405)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


class KopruApp(FastAPI):
    token_required = True  # without KOPRU_TOKEN the schema offers no 'Authorize' to a reader of /docs

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(HeadAsGet(super().build_middleware_stack()))

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None and not self.token_required:
            schema = super().openapi()
            schema.get("components", {}).pop("securitySchemes", None)
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    if isinstance(operation, dict):
                        operation.pop("security", None)
            return schema
        return super().openapi()


DESCRIPTION = (
    "Where to produce, for whom, at what landed cost — Kazakhstan and Türkiye. "
    "Plans run as background jobs: POST /api/jobs (or POST /api/risk for the Monte Carlo risk), "
    "poll GET /api/jobs/{id}, then GET /api/runs/{run}. GET /api/store/runs lists every run "
    "recorded in the scenario store, the command line's too. POST /api/space/pool and "
    "/api/space/latency compare the partners' own ground stations with the pooled network. "
    "The app's pages: [Plan](/plan), [Match](/match), [Sites](/sites), [Compare](/compare), "
    "[Space](/space), [Runs](/runs)."
)


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
        await asyncio.to_thread(api.data_pack)
        yield
        jobs.shutdown()

    app = KopruApp(
        title="kopru",
        version=kopru.__version__,
        description=DESCRIPTION,
        docs_url=None,  # the default /docs loads Swagger UI from a CDN; ours is served locally
        redoc_url=None,
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )
    app.token_required = token is not None
    app.state.kopru = WebState(runs, jobs, token, scenario_store)
    app.state.runs, app.state.jobs = runs, jobs
    errors.install(app)

    app.include_router(profiles.open_router)
    for module in (profiles, plans, matches, store_routes, sites, compare, space):
        app.include_router(module.router)
    pages.mount(app, auth=token is not None)
    return app
