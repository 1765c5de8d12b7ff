"""The space planner's HTML report: ground tracks, station visibility circles, the pooled schedule as
a timeline, own-network vs pooled summaries and the provenance of every element set and station.

One self-contained offline file, like the industry report (:mod:`kopru.report`): plotly.js is
inlined and the map is drawn on plain longitude/latitude axes, because plotly's ``geo`` subplot
downloads its base map from a CDN at view time. The base layer is Kazakhstan's region outlines
from the data pack.

The geometry it draws (visibility circles, ground tracks) is computed in
:mod:`kopru.space.geometry`.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, cast

import numpy as np
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from kopru import __version__, basemap, datapack, plotlyjs
from kopru.geo import polygon_rings
from kopru.report.charts import narrow_screens_js
from kopru.space.frames import Window
from kopru.space.geometry import (
    FALLBACK_ALTITUDE_KM,
    TRACK_HOURS,
    Tracks,
    earth_central_angle_deg,
    ground_tracks,
    small_circle,
    typical_altitude_km,
)
from kopru.space.pooling import GUARANTEE, INTEROPERABLE, PoolResult, leo_assumed_words
from kopru.space.refraction import geometric_threshold_deg
from kopru.space.stations import Stations
from kopru.space.tle import STALE_AFTER_DAYS, STALE_EFFECT, Constellation, read_tle

DATA = resources.files("kopru.space") / "data"
#: The map's default extent: Türkiye to western China; widened to take in every station.
DEFAULT_EXTENT = (20.0, 100.0, 25.0, 60.0)  # lon_min, lon_max, lat_min, lat_max
EXTENT_MARGIN_DEG = 3.0
BOUNDARY_GRID_DEG = 0.05  # region outlines are snapped to this grid: under a pixel on the map

COUNTRY_COLOURS = {
    "Kazakhstan": "#1f77b4",
    "Türkiye": "#d62728",
    "Azerbaijan": "#2ca02c",
    "Uzbekistan": "#9467bd",
    "Kyrgyzstan": "#e377c2",
    "Hungary": "#8c564b",
}
OTHER_COLOURS = ("#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e", "#e7ba52", "#637939")
# Each country's satellites in shades of its stations' hue, so a bar on a partner's antenna shows
# the sharing at a glance; the shades are far enough apart to tell the tracks apart.
SATELLITE_SHADES = {
    "Kazakhstan": ("#0b3d91", "#2e86de", "#00bcd4", "#74b9ff"),
    "Türkiye": ("#8b0000", "#e74c3c", "#ff8c00", "#f1948a"),
}
OTHER_SHADES = ("#2ca02c", "#9467bd", "#8c564b", "#bcbd22", "#17becf", "#7f7f7f", "#e377c2")

_env = Environment(
    loader=PackageLoader("kopru", "space/templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def metric_text(value: float, metric: str) -> str:
    """A per-satellite metric of :mod:`kopru.space.pooling` as a reader reads it."""
    if metric == "longest_gap_min":
        return f"{value / 60:.1f} h"
    return f"{value:.0f}" if metric == "contacts" else f"{value:.1f} min"


_env.filters["metric"] = metric_text


def _circle_centres(stations: Stations, sel: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """The selected stations to draw, one per 1° cell and mask: antennas of one site (or of one
    city, as the five around Ankara) would otherwise draw the same ~20° circle several times over."""
    # a tenth of a degree of mask is about 9 km of circle at 600 km: masks are told apart to it
    cells = np.round(np.c_[stations.lat[sel], stations.lon[sel], masks[sel] * 10.0])
    _, first = np.unique(cells, axis=0, return_index=True)
    return np.flatnonzero(sel)[np.sort(first)]


def in_contact(result: PoolResult, sat_names: list[str], minutes: np.ndarray) -> np.ndarray:
    """(S, T) mask: the satellite is in a contact of the pooled schedule at that track time."""
    t0 = result.window.start.timestamp()
    mask = np.zeros((len(sat_names), len(minutes)), dtype=bool)
    t = minutes * 60.0
    for i, name in enumerate(sat_names):
        spans = np.array(
            [
                [datetime.fromisoformat(str(c[k])).timestamp() - t0 for k in ("start", "end")]
                for c in result.schedule
                if c["satellite"] == name
            ]
        ).reshape(-1, 2)
        spans = spans[np.argsort(spans[:, 0])]
        # a satellite holds one antenna at a time, so its contacts do not overlap: the last one
        # started before t is the only one that can contain t
        k = np.searchsorted(spans[:, 0], t, side="right") - 1
        mask[i] = (k >= 0) & (t <= spans[np.maximum(k, 0), 1]) if len(spans) else False
    return mask


def _with_breaks(a: np.ndarray) -> np.ndarray:
    """Rows (N, n) as one flat polyline with a NaN between rows, so one trace draws N lines."""
    return np.concatenate([a, np.full((a.shape[0], 1), np.nan)], axis=1).ravel()


# --- base layer -----------------------------------------------------------------------------


def region_outlines(boundaries: dict[str, Any], grid_deg: float = BOUNDARY_GRID_DEG) -> np.ndarray:
    """Every region's outer rings as one (K, 2) lon/lat polyline with NaN rows between rings.

    The shipped boundaries have ~30 000 vertices, detail that a 80°-wide map cannot show; snapping
    to a grid and dropping repeated points keeps a quarter of them and the file small.
    """
    parts = []
    for feature in boundaries.get("features", []):
        for ring in polygon_rings(feature["geometry"]):
            xy = np.round(np.asarray(ring, dtype=float)[:, :2] / grid_deg) * grid_deg
            keep = np.r_[True, np.any(np.diff(xy, axis=0) != 0.0, axis=1)]
            parts += [xy[keep], np.full((1, 2), np.nan)]
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def load_boundaries() -> dict[str, Any]:
    """Kazakhstan's regions from the data pack (the same GeoJSON as ``kopru.load_data().boundaries``;
    read through :mod:`kopru.datapack`, which does not load the industry planner)."""
    return datapack.load().boundaries


# --- colours and labels ---------------------------------------------------------------------


def country_colours(countries: list[str]) -> dict[str, str]:
    extra = iter(OTHER_COLOURS * (1 + len(countries)))
    return {c: COUNTRY_COLOURS.get(c) or next(extra) for c in dict.fromkeys(countries)}


def satellite_colours(names: list[str], countries: list[str]) -> dict[str, str]:
    """A shade of the owner's hue per satellite (see ``SATELLITE_SHADES``)."""
    used: dict[str, int] = {}
    colours = {}
    for name, country in zip(names, countries, strict=True):
        shades = SATELLITE_SHADES.get(country, OTHER_SHADES)
        k = used.get(country if country in SATELLITE_SHADES else "", 0)
        used[country if country in SATELLITE_SHADES else ""] = k + 1
        colours[name] = shades[k % len(shades)]
    return colours


def station_labels(names: tuple[str, ...]) -> list[str]:
    """Short axis labels: the name up to its first bracket or comma, cut at 34 characters; the full
    names where shortening would make two labels equal."""
    short = [re.split(r" \(|, ", n, maxsplit=1)[0] for n in names]
    short = [s if len(s) <= 34 else s[:33] + "…" for s in short]
    return short if len(set(short)) == len(short) else list(names)


def _plot_time(iso: list[str] | str) -> list[str] | str:
    """ISO 8601 UTC ('…Z') to the naive form plotly.js reads as-is (axis labelled UTC)."""
    if isinstance(iso, str):
        return iso.replace("T", " ").removesuffix("Z")
    return [_plot_time(s) for s in iso]


# --- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapSpec:
    altitude_km: float
    min_elevation_deg: float
    radius_deg: float
    extent: tuple[float, float, float, float]
    track_hours: float
    altitude_basis: str  # how the altitude was chosen, for the caption
    masks_deg: np.ndarray = field(default_factory=lambda: np.zeros(0))  # each station's mask
    # each station's circle: the geometric elevation its mask stands for (lower with refraction)
    circle_deg: np.ndarray = field(default_factory=lambda: np.zeros(0))
    refraction: str = "none"  # the masks are on the apparent elevation with a model


def map_extent(stations: Stations) -> tuple[float, float, float, float]:
    lo_x, hi_x, lo_y, hi_y = DEFAULT_EXTENT
    m = EXTENT_MARGIN_DEG
    return (
        min(lo_x, float(stations.lon.min()) - m),
        max(hi_x, float(stations.lon.max()) + m),
        max(-90.0, min(lo_y, float(stations.lat.min()) - m)),
        min(90.0, max(hi_y, float(stations.lat.max()) + m)),
    )


def track_map(
    tracks: Tracks,
    in_contact: np.ndarray,
    sat_names: list[str],
    sat_colour: dict[str, str],
    stations: Stations,
    st_colour: dict[str, str],
    outlines: np.ndarray,
    spec: MapSpec,
) -> go.Figure:
    fig = go.Figure()
    fig.add_scattergeo(
        lon=outlines[:, 0],
        lat=outlines[:, 1],
        mode="lines",
        # outlines only: the base map fills the land, and plotly's geo cannot fill a ring set
        line=dict(color="#8a8170", width=0.6),
        name="Kazakhstan (regions)",
        hoverinfo="skip",
        showlegend=False,
    )
    countries = np.array(stations.country, dtype=object)
    for country, colour in st_colour.items():
        idx = _circle_centres(stations, countries == country, spec.masks_deg)
        circle = spec.circle_deg if len(spec.circle_deg) else spec.masks_deg
        radius = earth_central_angle_deg(spec.altitude_km, circle[idx])  # each antenna's own mask
        lat_c, lon_c = small_circle(stations.lat[idx], stations.lon[idx], radius)
        fig.add_scattergeo(
            lon=np.round(_with_breaks(lon_c), 3),
            lat=np.round(_with_breaks(lat_c), 3),
            mode="lines",
            line=dict(color=colour, width=1.3, dash="dot"),
            name=f"{country}: visibility",
            legendgroup=f"st-{country}",
            showlegend=False,
            hoverinfo="skip",
        )
    for i, name in enumerate(sat_names):
        # the whole track thin and faint, the stretches in contact in the pooled schedule bold
        for part, width, opacity in ((np.ones_like(in_contact[i]), 0.8, 0.4), (in_contact[i], 2.2, 0.9)):
            fig.add_scattergeo(
                lon=np.round(np.where(part, tracks.lon[i], np.nan), 3),
                lat=np.round(np.where(part, tracks.lat[i], np.nan), 3),
                mode="lines",
                line=dict(color=sat_colour[name], width=width),
                opacity=opacity,
                name=name,
                legendgroup=f"sat-{name}",
                legendrank=1,
                showlegend=width > 1.0,  # the legend swatch takes the trace's line style
                customdata=np.round(tracks.minutes, 1),
                hovertemplate=f"{html.escape(name)}<br>t+%{{customdata:.0f}} min<br>"
                "%{lat:.1f}°N %{lon:.1f}°E<extra></extra>",
            )
    if sat_names:
        # where each satellite is at the window's start, so the direction of travel is readable
        fig.add_scattergeo(
            lon=np.round(tracks.lon[:, 0], 3),
            lat=np.round(tracks.lat[:, 0], 3),
            mode="markers",
            marker=dict(
                symbol="circle", size=8, color=[sat_colour[n] for n in sat_names], line=dict(width=1)
            ),
            text=[f"{n} at the window's start" for n in sat_names],
            hoverinfo="text",
            name="position at start",
            showlegend=False,
        )
    for country, colour in st_colour.items():
        idx = np.flatnonzero(countries == country)
        fig.add_scattergeo(
            lon=stations.lon[idx],
            lat=stations.lat[idx],
            mode="markers",
            marker=dict(symbol="triangle-up", size=12, color=colour, line=dict(color="black", width=1)),
            name=f"{country} stations",
            legendgroup=f"st-{country}",
            legendrank=2,
            text=[stations.name[i] for i in idx],
            hoverinfo="text",
        )
    x0, x1, y0, y1 = spec.extent
    fig.update_layout(
        height=680,
        margin=dict(l=10, r=10, t=50, b=10),
        title=dict(
            text=f"Ground tracks over the first {spec.track_hours:g} h, ground stations and their"
            f" visibility circles (satellite at {spec.altitude_km:g} km, elevation ≥"
            f" {spec.min_elevation_deg:g}°"
            + (f" apparent ({spec.refraction} refraction)" if spec.refraction != "none" else "")
            + f": {spec.radius_deg:.1f}° of arc"
            + (
                "; an antenna with a mask of its own: its own"
                if (spec.masks_deg != spec.min_elevation_deg).any()
                else ""
            )
            + ")",
            font=dict(size=14),
        ),
        legend=dict(font=dict(size=11), tracegroupgap=2),
        geo=basemap.geo_layout(lon_range=(x0, x1), lat_range=(y0, y1)),
    )
    return fig


def schedule_timeline(
    result: PoolResult, stations: Stations, sat_names: list[str], sat_colour: dict[str, str]
) -> go.Figure:
    """The pooled schedule as Gantt bars: one row per antenna, one colour per satellite; hatched
    bars are contacts on a partner country's antenna, the gain from pooling."""
    label = dict(zip(stations.name, station_labels(stations.name), strict=True))
    country_rank = {c: k for k, c in enumerate(dict.fromkeys(stations.country))}  # the file's order
    order = sorted(range(len(stations)), key=lambda i: (country_rank[stations.country[i]], stations.name[i]))
    rows = [f"{label[stations.name[i]]} ({stations.country[i]})" for i in order]
    row_of = {stations.name[i]: rows[k] for k, i in enumerate(order)}
    fig = go.Figure()
    # two traces per satellite, on its own country's antennas and on a partner's, so that the
    # legend swatch is plain and the hatching means one thing
    for name, own in ((n, own) for n in sat_names for own in (True, False)):
        cs = [c for c in result.schedule if c["satellite"] == name and bool(c["own_station"]) == own]
        fig.add_bar(
            orientation="h",
            base=_plot_time([str(c["start"]) for c in cs]),
            x=[float(c["duration_s"]) * 1000.0 for c in cs],  # a date axis measures bars in ms
            y=[row_of[str(c["station"])] for c in cs],
            name=name,
            legendgroup=name,
            showlegend=own,
            marker=dict(
                color=sat_colour[name],
                line=dict(color=sat_colour[name], width=1),
                pattern=dict(shape="" if own else "/", fillmode="overlay", fgcolor="white", solidity=0.4),
            ),
            customdata=[
                [
                    str(c["start"])[11:19],
                    str(c["end"])[11:19],
                    float(c["duration_s"]) / 60.0,
                    str(c["station"]),
                ]
                for c in cs
            ],
            hovertemplate=f"{html.escape(name)}<br>%{{customdata[3]}}<br>%{{customdata[0]}}–%{{customdata[1]}}"
            " UTC (%{customdata[2]:.1f} min)<extra></extra>",
            width=0.7,
        )
    w = result.window
    fig.update_layout(
        barmode="overlay",
        height=150 + 30 * len(rows),
        margin=dict(l=10, r=10, t=80, b=10),
        title=dict(
            text="Pooled schedule: contacts per antenna (hatched: on a partner country's antenna)",
            font=dict(size=14),
        ),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", font=dict(size=11)),
        plot_bgcolor="#f7f9fb",
        xaxis=dict(
            type="date",
            title="UTC",
            range=_plot_time(w.iso(np.array([0.0, w.seconds]))),
            gridcolor="#dde3ea",
        ),
        yaxis=dict(type="category", categoryorder="array", categoryarray=rows, range=[len(rows) - 0.5, -0.5]),
    )
    return fig


def minutes_per_day(row: dict[str, object], side: str) -> float:
    """A :class:`PoolResult` satellite row's contact minutes a day, ``side`` 'own' or 'pooled'."""
    return float(cast(dict[str, float], row[side])["contact_min_per_day"])


def contact_chart(result: PoolResult) -> go.Figure:
    """Contact minutes a day per satellite, own stations alone vs the pooled network."""
    names = [str(s["satellite"]) for s in result.satellites]
    fig = go.Figure()
    for side, colour, label in (("own", "#9aa5b1", "own stations"), ("pooled", "#1f3b73", "pooled")):
        fig.add_bar(
            x=names,
            y=[minutes_per_day(s, side) for s in result.satellites],
            name=label,
            marker_color=colour,
            hovertemplate="%{x}: %{y:.1f} min/day<extra>" + label + "</extra>",
        )
    fig.update_layout(
        barmode="group",
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        title=dict(text="Contact minutes a day", font=dict(size=14)),
        yaxis_title="min/day",
        legend=dict(orientation="h", y=1.12, x=1, xanchor="right"),
    )
    return fig


# --- provenance -----------------------------------------------------------------------------


def station_sources(path: str | Path | None) -> dict[str, dict[str, str]]:
    """Each station's raw row, for its ``source`` column and whether ``elev_m`` was blank; the file
    is already validated by :func:`~kopru.space.stations.read_stations`, which drops both."""
    if path is None:
        text = (DATA / "ground-stations.csv").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8-sig")
    rows = csv.DictReader(io.StringIO(text))
    return {
        str(r.get("name") or "").strip(): r
        for r in ({(k or "").strip(): str(v or "").strip() for k, v in row.items()} for row in rows)
    }


def accuracy(source: str) -> str:
    """The position's error bound as the source states it ('±10 km', '~100 m'), else 'not stated'."""
    m = re.search(r"±\s*\d+(?:\.\d+)?\s*k?m|~\s*\d+\s*k?m\b", source)
    return m.group(0) if m else "not stated"


def rich_text(text: str) -> Markup:
    """Escaped text with the little markdown SOURCE.md uses (`code`, *emphasis*, "- " list items)
    and bare URLs as links (followed only on a click: the page itself loads nothing)."""
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", out)
    out = re.sub(r"(https?://[^\s<>()\"]+[^\s<>()\".,;:])", r'<a href="\1">\1</a>', out)
    return Markup(out.replace("\n", "<br>"))


def source_notes() -> dict[str, list[Markup]]:
    """SOURCE.md's prose as {section heading: paragraphs}; tables are left to the structured rows."""
    notes: dict[str, list[Markup]] = {}
    section = ""
    for block in re.split(r"\n\s*\n", (DATA / "SOURCE.md").read_text(encoding="utf-8")):
        lines = [ln.strip() for ln in block.strip().splitlines()]
        if lines and lines[0].startswith("# "):
            section, lines = lines[0][2:], lines[1:]
        if lines and not lines[0].startswith("|"):
            # wrapped lines join with a space; list items keep their own line
            text = " ".join("\n• " + ln[2:] if ln.startswith("- ") else ln for ln in lines)
            notes.setdefault(section, []).append(rich_text(text))
    return notes


def shipped_elements() -> dict[int, dict[str, str]]:
    """SOURCE.md's table row per NORAD number: satellite, COSPAR id, source and path."""
    rows = {}
    for line in (DATA / "SOURCE.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[2].isdigit():
            rows[int(cells[2])] = {"satellite": cells[1], "cospar": cells[3], "source": cells[4]}
    return rows


def element_rows(constellation: Constellation, window: Window) -> list[dict[str, object]]:
    """One row per element set: epoch, age at the window's start, file, and — when the lines are
    exactly the shipped ones — SOURCE.md's description, COSPAR id and source repository path."""
    shipped_lines = {e.norad: e.line1 + e.line2 for e in read_tle()}
    described = shipped_elements()
    out = []
    for e in constellation:
        is_shipped = shipped_lines.get(e.norad) == e.line1 + e.line2
        info = described.get(e.norad, {}) if is_shipped else {}
        age = (window.start - e.epoch).total_seconds() / 86400.0
        out.append(
            {
                "name": e.name,
                "norad": e.norad,
                "epoch": e.epoch.strftime("%Y-%m-%d %H:%M:%S"),
                "age_days": age,
                "stale": abs(age) > STALE_AFTER_DAYS,
                "file": e.source,
                "satellite": info.get("satellite", ""),
                "cospar": info.get("cospar", ""),
                "source": info.get("source", ""),
            }
        )
    return out


def station_rows(stations: Stations, raw: dict[str, dict[str, str]]) -> list[dict[str, object]]:
    rows = []
    status, serves = stations.statuses(), stations.serving()
    for i, name in enumerate(stations.name):
        source = raw.get(name, {}).get("source", "")
        rows.append(
            {
                "name": name,
                "country": stations.country[i],
                "status": status[i].replace("_", " "),
                "serves": serves[i],
                "serves_basis": raw.get(name, {}).get("serves_basis", "") or "file has no serves column",
                "serves_source": rich_text(raw.get(name, {}).get("serves_source", "")),
                "site_antennas": raw.get(name, {}).get("site_antennas", ""),
                "lat": float(stations.lat[i]),
                "lon": float(stations.lon[i]),
                "elev_m": float(stations.elev_m[i]) if raw.get(name, {}).get("elev_m") else None,
                "accuracy": accuracy(source),
                "source": rich_text(source) if source else "no source column in the file",
            }
        )
    return rows


def left_out_rows(stations: Stations, raw: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """The rows the run did not use, with the evidence of their status (``status_source``)."""
    return [{**r, "evidence": raw.get(r["name"], {}).get("status_source", "")} for r in stations.left_out]


def not_for_leo_rows(result: PoolResult, raw: dict[str, dict[str, str]]) -> list[dict[str, object]]:
    """The stations not offered to LEO satellites, with the evidence of what they serve."""
    return [
        {**r, "evidence": rich_text(raw.get(r["name"], {}).get("serves_source", ""))}
        for r in result.stations_not_for_leo
    ]


def losses(result: PoolResult) -> list[dict[str, object]]:
    """Satellites for which pooling makes a metric worse: name, the metrics, the days with less."""
    return [
        {
            "satellite": s["satellite"],
            "worse": s["worse_when_pooled"],
            "days": s["days_with_less_contact"],
        }
        for s in result.satellites
        if s["worse_when_pooled"] or s["days_with_less_contact"]
    ]


# --- the page -------------------------------------------------------------------------------


def map_spec(
    result: PoolResult, sats: Constellation, stations: Stations, track_hours: float = TRACK_HOURS
) -> MapSpec:
    """What the map draws: the satellites' typical altitude, each antenna's mask and the circle it
    sees (with refraction a mask is on the apparent elevation, and the circle lies where the
    geometric elevation is that much lower), the extent and the hours of track."""
    altitude = typical_altitude_km(sats) if len(sats) else FALLBACK_ALTITUDE_KM
    elevation = result.options.min_elevation_deg
    masks = stations.masks(elevation)
    refraction = result.options.refraction
    return MapSpec(
        altitude_km=altitude,
        min_elevation_deg=elevation,
        radius_deg=float(
            earth_central_angle_deg(altitude, geometric_threshold_deg(refraction, elevation, 0.0))
        ),
        masks_deg=masks,
        circle_deg=geometric_threshold_deg(refraction, masks, stations.elev_m / 1000.0),
        refraction=refraction,
        extent=map_extent(stations),
        track_hours=min(track_hours, result.window.seconds / 3600.0),
        altitude_basis="the median altitude of the satellites shown"
        if len(sats)
        else "a typical LEO altitude: no satellite is scheduled",
    )


def render_space_report(
    result: PoolResult,
    constellation: Constellation,
    stations: Stations,
    *,
    stations_path: str | Path | None = None,
    track_hours: float = TRACK_HOURS,
) -> str:
    """The report as one HTML string with plotly.js inlined. ``constellation`` and ``stations``
    are what :func:`~kopru.space.pooling.pool` was given (of the stations, the antennas it
    scheduled are drawn); ``stations_path`` is their file (None: the shipped one), read again for
    its ``source`` columns."""
    if result.stations is not None:
        stations = result.stations
    pooled = {cast(int, s["norad"]) for s in result.satellites}
    sats = constellation.subset([e.norad in pooled for e in constellation])
    owner = {cast(int, s["norad"]): str(s["country"]) for s in result.satellites}
    sat_names = [e.name for e in sats]
    sat_colour = satellite_colours(sat_names, [owner[e.norad] for e in sats])
    st_colour = country_colours(list(stations.country))
    spec = map_spec(result, sats, stations, track_hours)
    tracks = ground_tracks(sats, result.window, track_hours)
    outlines = region_outlines(load_boundaries())
    to_div = dict(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
    own_total = sum(minutes_per_day(s, "own") for s in result.satellites)
    pooled_total = sum(minutes_per_day(s, "pooled") for s in result.satellites)
    w = result.window
    raw = station_sources(stations_path)
    return _env.get_template("space_report.html.j2").render(
        plotlyjs=plotlyjs.script(),
        narrow_js=narrow_screens_js(),
        basemap=basemap.preload_script(),
        version=__version__,
        start=w.iso(0.0)[0],
        end=w.iso(w.seconds)[0],
        days=w.seconds / 86400.0,
        options=result.options,
        spec=spec,
        own_total=own_total,
        pooled_total=pooled_total,
        satellites=result.satellites,
        schedule=result.schedule,
        antennas=result.antennas(),
        balance=result.balance(),
        contested=result.contested,
        excluded=result.excluded,
        solver=(("own", result.own), ("pooled", result.pooled)),
        map=track_map(
            tracks,
            in_contact(result, sat_names, tracks.minutes),
            sat_names,
            sat_colour,
            stations,
            st_colour,
            outlines,
            spec,
        ).to_html(div_id="track-map", **to_div),
        timeline=schedule_timeline(result, stations, sat_names, sat_colour).to_html(
            div_id="schedule-timeline", **to_div
        ),
        contacts=contact_chart(result).to_html(div_id="contact-chart", **to_div) if len(sats) else "",
        elements=element_rows(constellation, w),
        stations=station_rows(stations, raw),
        left_out=left_out_rows(stations, raw),
        not_for_leo=not_for_leo_rows(result, raw),
        warnings=result.all_warnings(),
        guarantee=GUARANTEE,
        interoperable=INTEROPERABLE,
        leo_assumed=leo_assumed_words(result.leo_antennas_assumed()),
        assumptions=result.options.assumptions(),
        losses=losses(result),
        stale_effect=STALE_EFFECT,
        notes=source_notes(),
        shipped_stations=stations_path is None,
        stations_file=str(stations_path or "ground-stations.csv (shipped)"),
        stale_days=STALE_AFTER_DAYS,
        track_end=(w.start + timedelta(hours=spec.track_hours)).strftime("%Y-%m-%d %H:%M"),
    )


def write_space_report(
    result: PoolResult,
    constellation: Constellation,
    stations: Stations,
    path: str | Path,
    *,
    stations_path: str | Path | None = None,
) -> Path:
    path = Path(path)
    path.write_text(
        render_space_report(result, constellation, stations, stations_path=stations_path), encoding="utf-8"
    )
    return path
