"""The pages (Plan, Match, Sites, Compare, Space, Runs), the API docs and the static files, all
served by the app itself.

Nothing the browser loads comes from outside the server: plotly.js is the package's own partial
bundle (kopru.plotlyjs), Swagger UI from vendored files, and the Content-Security-Policy forbids other
origins, so a stray CDN reference fails loudly in the browser tests instead of silently leaking.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

import kopru
from kopru import api, basemap, plotlyjs
from kopru.display import COUNTRY_NAMES
from kopru.space.observation import MAX_OFF_NADIR_DEG, MIN_SUN_ELEVATION_DEG
from kopru.web import sites as site_views
from kopru.web.routes.space import MAX_WEB_DAYS
from kopru.web.schemas import DEFAULT_RISK_SAMPLES, MAX_RISK_SAMPLES, MAX_SEED, MIN_RISK_SAMPLES

HERE = Path(__file__).resolve().parents[1]
PAGES = {
    "plan": "Plan",
    "match": "Match",
    "sites": "Sites",
    "compare": "Compare",
    "space": "Space",
    "runs": "Runs",
}


WHAT_IF = (
    ("KZ.labour_hours_factor", "Kazakh labour hours, × a Turkish plant's"),
    ("KZT.fx_per_usd", "KZT per USD"),
    ("TRY.fx_per_usd", "TRY per USD"),
)


def _what_if(pack: Any) -> list[tuple[str, str, str]]:
    """(override key, label, the data pack's value) of each what-if input the pack has."""
    out = []
    for key, label in WHAT_IF:
        subject, _, quantity = key.partition(".")
        if pack.has_param(subject, quantity):
            out.append((key, label, f"{pack.param(subject, quantity).value:g}"))
    return out


def _space_choices() -> dict[str, list[Any]]:
    """The Space page's pass list choices: each shipped satellite by its NORAD number (a name may hold
    another's, a number matches only itself) and each operational antenna by its whole name."""
    from kopru.space import read_satellites, read_stations

    satellites = [
        (
            str(norad),
            f"{s.name} ({s.country}, {s.mission.replace('-', ' ')}{'' if s.active else ', not active'})",
        )
        for norad, s in read_satellites().items()
    ]
    return {"satellites": satellites, "stations": list(read_stations().name)}


def mount(app: FastAPI, auth: bool) -> None:
    """Add the pages, /docs, plotly.js and /static to ``app`` (``auth``: the pages ask for a token)."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    context: dict[str, Any] = {
        "version": kopru.__version__,
        "auth": auth,
        "risk_min": MIN_RISK_SAMPLES,
        "risk_max": MAX_RISK_SAMPLES,
        "risk_default": DEFAULT_RISK_SAMPLES,
        "max_seed": MAX_SEED,
        "space_max_days": MAX_WEB_DAYS,
        "imaging_max_off_nadir": MAX_OFF_NADIR_DEG,
        "imaging_min_sun": MIN_SUN_ELEVATION_DEG,
        "space_choices": _space_choices(),
        # the Plan page's what-if inputs: the data-pack values a manager moves most (the tornado's
        # widest bars in the examples), each shown with the value it replaces
        "what_if": _what_if(api.data_pack()),
        # the countries under restrictions a match may route around (the Match page's check box)
        "restricted": {c: COUNTRY_NAMES.get(c, c) for c in api.data_pack().table("restrictions").index},
        # the Kazakh regions a jobs target may name (the Match page's target), by name
        "regions": dict(sorted(api.data_pack().regions["name"].items(), key=lambda kv: kv[1])),
    }

    def page(name: str, title: str) -> Callable[[Request], HTMLResponse]:
        def render(request: Request) -> HTMLResponse:
            return templates.TemplateResponse(
                request, f"{name}.html", {"page": name, "title": title, **context}
            )

        return render

    def not_found(request: Request) -> HTMLResponse:
        # a person who mistyped an address gets a page with the way back, not {"detail": "Not Found"}
        shown = {"page": "", "title": "Page not found", "path": request.url.path[:200], **context}
        return templates.TemplateResponse(request, "missing.html", shown, status_code=404)

    app.state.not_found_page = not_found
    app.add_api_route("/", lambda: RedirectResponse("/plan"), include_in_schema=False)
    for name, title in PAGES.items():
        app.add_api_route(f"/{name}", page(name, title), include_in_schema=False, response_class=HTMLResponse)

    @app.get("/sites/{site_id}", include_in_schema=False, response_class=HTMLResponse)
    def site_page(request: Request, site_id: str) -> HTMLResponse:
        # the page asks /api/sites/{id}/dossier.html for its body, with the token like every page;
        # an id the data pack does not know is answered 404, the page saying what it expected
        known = site_views.detail(api.data_pack(), site_id) is not None
        return templates.TemplateResponse(
            request,
            "site.html",
            {"page": "sites", "title": "Site profile", "site_id": site_id, **context},
            status_code=200 if known else 404,
        )

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
        # the reports' plotly.js (kopru.plotlyjs): the partial bundle, or the installed package's
        path = plotlyjs.script_path()
        headers = {"Cache-Control": "public, max-age=86400"}
        if path is not None:
            return FileResponse(path, media_type="text/javascript", headers=headers)
        return Response(plotlyjs.script(), media_type="text/javascript", headers=headers)

    @app.get(f"{basemap.URL_PATH}{basemap.TOPOJSON}.json", include_in_schema=False)
    def basemap_topojson() -> Response:
        # plotly's geo subplot asks for {topojsonURL}world_50m.json; the page points it here
        return Response(
            basemap.topojson_bytes(),
            media_type="application/json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
