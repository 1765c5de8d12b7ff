"""What the Sites page shows: the data pack's candidate sites on a map, and each site's sourced data.

Read-only views of the data pack (:func:`kopru.api.data_pack`); nothing is computed here beyond
picking rows. The map is drawn over the shipped base map (:mod:`kopru.basemap`), like the report's.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from pydantic import BaseModel, Field

from kopru import basemap
from kopru.datapack import DataPack, split_list
from kopru.display import KIND_NAMES, fold, subject_names
from kopru.dossier import site_parameters, subjects


class SiteRow(BaseModel):
    id: str
    name: str
    kind: str
    country: str
    region: str
    lat: float
    lon: float


class ParamView(BaseModel):
    subject: str
    quantity: str
    whose: str = Field(default="", description="the subject by name: Atyrau Region, Kazakhstan")
    label: str = Field(default="", description="what the quantity is, in words")
    value: float
    unit: str
    year: int
    source: str
    assumption: bool
    overridden: bool
    note: str


class SourceView(BaseModel):
    id: str
    title: str
    publisher: str
    url: str
    year: str
    licence: str


class SiteDetail(BaseModel):
    site: SiteRow
    facts: dict[str, str]  # the row of the data pack table (centre, sectors, established, note, ...)
    parameters: list[ParamView]  # the site's own values, then those it inherits (region, SEZ regime)
    sources: list[SourceView]


class MarketRow(BaseModel):
    id: str
    name: str
    country: str


def markets(pack: DataPack) -> list[MarketRow]:
    """The data pack's markets, by name: what a profile's markets list picks from."""
    rows = [
        MarketRow(id=str(i), name=str(m["name"]), country=str(m["country"]))
        for i, m in pack.markets.iterrows()
    ]
    return sorted(rows, key=lambda r: r.name)


class NodeRow(BaseModel):
    id: str
    name: str
    kind: str
    country: str


def nodes(pack: DataPack) -> list[NodeRow]:
    """The corridor nodes, by name: where a profile's materials may be bought."""
    rows = [
        NodeRow(id=str(i), name=str(n["name"]), kind=str(n["kind"]), country=str(n["country"]))
        for i, n in pack.nodes.iterrows()
    ]
    return sorted(rows, key=lambda r: fold(r.name))  # 'İzmir' among the I's, not after 'Zhibek Zholy'


def catalogue(pack: DataPack) -> list[SiteRow]:
    """Every candidate site the data pack knows: regions, SEZs, Turkish provinces."""
    rows = [
        SiteRow(id=i, name=r["name"], kind="kz_region", country="KZ", region=i, lat=r["lat"], lon=r["lon"])
        for i, r in pack.regions.iterrows()
    ]
    rows += [
        SiteRow(
            id=i,
            name=f"SEZ {z['name']}",
            kind="sez",
            country="KZ",
            region=z["region"],
            lat=z["lat"],
            lon=z["lon"],
        )
        for i, z in pack.sez.iterrows()
    ]
    rows += [
        SiteRow(id=i, name=p["name"], kind="tr_province", country="TR", region=i, lat=p["lat"], lon=p["lon"])
        for i, p in pack.provinces.iterrows()
    ]
    return rows


def _table_for(kind: str, pack: DataPack) -> pd.DataFrame:
    return {"kz_region": pack.regions, "sez": pack.sez, "tr_province": pack.provinces}[kind]


# a data-pack column as the side panel names it (a web review: 'term_until', 'node turkistan')
FACT_LABELS = {
    "region": "region",
    "city": "city",
    "centre": "centre",
    "kind": "kind",
    "node": "corridor node",
    "established": "established",
    "sectors": "priority sectors",
    "status": "status",
    "term_until": "zone's term until",
    "term_source": "term's source",
    "source": "source",
    "note": "note",
}


def _facts(pack: DataPack, row: pd.Series) -> dict[str, str]:
    """The site's row of its data-pack table, each column named and each id as its name."""
    regions, nodes = pack.regions["name"], pack.nodes["name"]
    publisher = pack.sources["publisher"]

    def said(key: str, value: str) -> str:
        if key == "region" and value in regions.index:
            return f"{regions[value]} ({value})"
        if key == "node" and value in nodes.index:
            return str(nodes[value])
        if key in ("term_source", "source"):
            ids = [i.strip() for i in value.split(";") if i.strip()]
            return "; ".join(dict.fromkeys(str(publisher.get(i) or i) for i in ids))
        return value.replace(";", "; ")

    return {
        FACT_LABELS.get(k, k.replace("_", " ")): said(k, str(v))
        for k, v in row.items()
        if k not in ("id", "lat", "lon", "name") and pd.notna(v) and str(v)
    }


def detail(pack: DataPack, site_id: str) -> SiteDetail | None:
    """The site's data with every value's source; None for an id that is not in the data pack."""
    site = next((s for s in catalogue(pack) if s.id == site_id), None)
    if site is None:
        return None
    row = _table_for(site.kind, pack).loc[site_id]
    facts = _facts(pack, row)
    params = site_parameters(pack, subjects(site.kind, site_id, site.region, site.country))
    names = subject_names(pack)
    views = [
        ParamView(
            subject=p.subject,
            quantity=p.quantity,
            whose=names.get(p.subject, p.subject),
            label=str(pack.quantities.get(p.quantity, {}).get("description", p.quantity.replace("_", " "))),
            value=float(p.value),
            unit=p.unit,
            year=int(p.year),
            source=p.source,
            assumption=bool(p.assumption),
            overridden=bool(p.overridden),
            note=p.note,
        )
        for p in params.itertuples(index=False)
    ]
    ids = set(split_list(row.get("source", "")))
    for v in views:
        ids |= set(split_list(v.source))
    known = sorted(i for i in ids if i in pack.sources.index)
    sources = [
        SourceView(
            id=i,
            **{
                k: ("" if pd.isna(pack.sources.at[i, k]) else str(pack.sources.at[i, k]))
                for k in ("title", "publisher", "url", "year", "licence")
            },
        )
        for i in known
    ]
    return SiteDetail(site=site, facts=facts, parameters=views, sources=sources)


SELECTED_TRACE = "selected site"


def figure(pack: DataPack) -> go.Figure:
    """The base map, Kazakh regions, corridor legs by mode, and the candidate sites as clickable markers.

    The last trace is empty: the page puts the site picked from the list or the map into it, so
    the selection is ringed on the map.
    """
    fig = go.Figure()
    basemap.add_regions(fig, pack)
    basemap.add_legs(
        fig,
        pack,
        pack.edges[["from", "to", "mode"]].itertuples(index=False, name=None),
        width=1.4,
        opacity=0.75,
    )
    nodes = pack.nodes
    fig.add_scattergeo(
        lon=nodes["lon"].tolist(),
        lat=nodes["lat"].tolist(),
        mode="markers",
        marker=dict(size=4, color="#555"),
        name="corridor node",
        # not hoverable: nodes sit on the city sites, and hover picks the clicked point
        hoverinfo="skip",
    )
    sites = catalogue(pack)
    for kind, symbol, size, colour in (
        ("kz_region", "circle", 8, "#2c7fb8"),
        ("sez", "diamond", 11, "#f39c12"),
        ("tr_province", "square", 10, "#c0392b"),
    ):
        group = [s for s in sites if s.kind == kind]
        fig.add_scattergeo(
            lon=[s.lon for s in group],
            lat=[s.lat for s in group],
            mode="markers",
            name=KIND_NAMES[kind],
            marker=dict(symbol=symbol, size=size, color=colour, line=dict(color="black", width=1)),
            customdata=[s.id for s in group],  # the page asks /api/sites/{id} on click
            text=[f"{s.name} — click for data and sources" for s in group],
            hoverinfo="text",
        )
    fig.add_scattergeo(
        lon=[],
        lat=[],
        mode="markers+text",
        name=SELECTED_TRACE,
        marker=dict(symbol="circle-open", size=26, color="#e4007c", line=dict(width=3)),
        textposition="top center",
        textfont=dict(size=13, color="#e4007c"),
        hoverinfo="skip",
        showlegend=False,
    )
    fig.update_layout(
        height=640,
        margin=dict(l=10, r=10, t=10, b=10),
        legend=dict(orientation="h", y=-0.04),
        geo=basemap.geo_layout(),
        hovermode="closest",
        clickmode="event",
    )
    return fig
