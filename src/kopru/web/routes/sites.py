"""The candidate sites of the data pack: a list, a map and each site's sourced values."""

import json
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParam

from kopru import api
from kopru.web import sites as site_views
from kopru.web.schemas import SITE_ID_PATTERN
from kopru.web.state import authorized

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(authorized)])


@cache
def _sites_figure() -> dict[str, Any]:
    # the shipped pack does not change while the server runs: build the figure once
    return json.loads(site_views.figure(api.load_data()).to_json())


@router.get("/sites")
def list_sites() -> list[site_views.SiteRow]:
    """Every candidate site of the data pack: Kazakh regions, SEZs, Turkish provinces."""
    return site_views.catalogue(api.load_data())


@router.get("/markets")
def list_markets() -> list[site_views.MarketRow]:
    """Every market a profile may name: its id (for the profile), name and country."""
    return site_views.markets(api.load_data())


@router.get("/sites/map")
def sites_map() -> dict[str, Any]:
    """The Sites page's map as plotly figure JSON (regions, corridor lines, sites)."""
    return _sites_figure()


@router.get("/sites/{site_id}")
def site(site_id: Annotated[str, PathParam(pattern=SITE_ID_PATTERN)]) -> site_views.SiteDetail:
    """A site's data-pack row and parameters, each with its source."""
    found = site_views.detail(api.load_data(), site_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no site {site_id} in the data pack")
    return found
