"""The candidate sites of the data pack: a list, a map and each site's sourced values."""

import json
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse

from kopru import api
from kopru.dossier import Dossier, UnknownSite, dossier, unknown_site
from kopru.report import dossier_html
from kopru.web import sites as site_views
from kopru.web.bodies import CheckedRoute
from kopru.web.errors import web_words
from kopru.web.schemas import SITE_ID_PATTERN
from kopru.web.state import authorized

router = APIRouter(prefix="/api", tags=["api"], route_class=CheckedRoute, dependencies=[Depends(authorized)])


@cache
def _sites_figure() -> dict[str, Any]:
    # the shipped pack does not change while the server runs: build the figure once
    return json.loads(site_views.figure(api.data_pack()).to_json())


@router.get("/sites")
def list_sites() -> list[site_views.SiteRow]:
    """Every candidate site of the data pack: Kazakh regions, SEZs, Turkish provinces."""
    return site_views.catalogue(api.data_pack())


@router.get("/markets")
def list_markets() -> list[site_views.MarketRow]:
    """Every market a profile may name: its id (for the profile), name and country."""
    return site_views.markets(api.data_pack())


@router.get("/nodes")
def list_nodes() -> list[site_views.NodeRow]:
    """Every corridor node a material may come from: its id (for the profile), name, kind, country."""
    return site_views.nodes(api.data_pack())


@router.get("/sites/map")
def sites_map() -> dict[str, Any]:
    """The Sites page's map as plotly figure JSON (regions, corridor lines, sites)."""
    return _sites_figure()


@router.get("/sites/{site_id}")
def site(site_id: Annotated[str, PathParam(pattern=SITE_ID_PATTERN)]) -> site_views.SiteDetail:
    """A site's data-pack row and parameters, each with its source."""
    found = site_views.detail(api.data_pack(), site_id)
    if found is None:
        # what an id looks like, as the dossier says it (a web review: a bare 'no site Turan')
        raise HTTPException(status_code=404, detail=web_words(str(unknown_site(site_id))))
    return found


def _dossier(site_id: str) -> Dossier:
    try:
        return dossier(api.data_pack(), site_id)
    except UnknownSite as e:
        raise HTTPException(status_code=404, detail=web_words(str(e))) from None


@router.get("/sites/{site_id}/dossier")
def site_dossier(site_id: Annotated[str, PathParam(pattern=SITE_ID_PATTERN)]) -> dict[str, Any]:
    """Everything the data pack knows about a site: values by theme with whose value each is, its
    date and sources; the zone's land and power; the incentive schemes of its place; the cheapest
    routes to the main hubs."""
    return _dossier(site_id).as_dict()


@router.get("/sites/{site_id}/dossier.html", response_class=HTMLResponse)
def site_dossier_html(site_id: Annotated[str, PathParam(pattern=SITE_ID_PATTERN)]) -> HTMLResponse:
    """The site's dossier as the HTML fragment the site page and the report show."""
    return HTMLResponse(dossier_html(_dossier(site_id), heading=2))
