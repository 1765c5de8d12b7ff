"""The offline base map and corridor legs drawn along their course.

Oracles: Natural Earth 1:50m land and lakes (the shipped topojson, decoded here independently of
plotly) for "a sea leg stays at sea"; the data pack's node coordinates for "a route is drawn
through its nodes"; hand-made rings for the winding rule d3 expects.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from conftest import EXAMPLES
from mapcheck import inside

import kopru
from kopru import basemap
from kopru.geo import haversine_km
from kopru.report import site_map


@pytest.fixture(scope="module")
def pack():
    return kopru.load_data()


# --- Natural Earth, decoded here ---------------------------------------------------------------


def _rings(topo: dict, name: str) -> list[np.ndarray]:
    """Every ring of a topojson object as (n, 2) lon/lat, arcs dequantized and joined."""
    scale = np.array(topo["transform"]["scale"])
    shift = np.array(topo["transform"]["translate"])
    arcs = [np.cumsum(np.array(a, dtype=float), axis=0) * scale + shift for a in topo["arcs"]]

    def ring(indices: list[int]) -> np.ndarray:
        parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indices]
        return np.vstack([parts[0]] + [p[1:] for p in parts[1:]])

    out = []
    for g in topo["objects"][name]["geometries"]:
        polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"] if g["type"] == "MultiPolygon" else []
        for poly in polys:
            out += [ring(r) for r in poly]
    return out


@pytest.fixture(scope="module")
def natural_earth():
    topo = json.loads(basemap.topojson_bytes())
    return _rings(topo, "land"), _rings(topo, "lakes")


def _great_circle(line: np.ndarray, step_km: float = 5.0) -> np.ndarray:
    """Points every ~5 km along a polyline of (lon, lat), each segment a great-circle arc (as d3 draws)."""
    out = []
    for (lon0, lat0), (lon1, lat1) in itertools.pairwise(line):
        a, b = (
            np.array(
                [
                    np.cos(np.radians(la)) * np.cos(np.radians(lo)),
                    np.cos(np.radians(la)) * np.sin(np.radians(lo)),
                    np.sin(np.radians(la)),
                ]
            )
            for lo, la in ((lon0, lat0), (lon1, lat1))
        )
        omega = np.arccos(np.clip(a @ b, -1, 1))
        n = max(2, int(haversine_km(lat0, lon0, lat1, lon1) / step_km))
        t = np.linspace(0, 1, n)[:, None]
        v = (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega) if omega > 0 else a + 0 * t
        out.append(
            np.column_stack([np.degrees(np.arctan2(v[:, 1], v[:, 0])), np.degrees(np.arcsin(v[:, 2]))])
        )
    return np.vstack(out)


# --- tests -------------------------------------------------------------------------------------


def test_every_sea_and_ferry_leg_is_drawn_at_sea(pack, natural_earth):
    land, lakes = natural_earth
    legs = pack.edges[pack.edges["mode"].isin(["sea", "ferry"])]
    assert len(legs) >= 17
    for e in legs.itertuples(index=False):
        line = basemap.leg_points(pack, e[0], e[1])
        pts = _great_circle(line)
        # the ports sit on the coast: the first and last 25 km may touch 1:50m land
        ends = line[[0, -1]]
        away = (haversine_km(pts[:, 1, None], pts[:, 0, None], ends[None, :, 1], ends[None, :, 0]) > 25).all(
            axis=1
        )
        on_land = inside(land, pts[away]) & ~inside(lakes, pts[away])
        assert not on_land.any(), (
            f"{e[0]} -> {e[1]} crosses land at {pts[away][on_land][:3].round(2).tolist()}"
        )


def test_without_waypoints_the_straight_line_would_cross_land(pack, natural_earth):
    """The check above can fail: Mersin to Poti in a straight line runs across Anatolia."""
    land, lakes = natural_earth
    ends = pack.nodes.loc[["mersin", "poti"], ["lon", "lat"]].to_numpy(float)
    pts = _great_circle(ends)
    assert (inside(land, pts) & ~inside(lakes, pts)).mean() > 0.5


def test_sea_lanes_name_sea_legs_and_run_both_ways(pack):
    sea = {
        frozenset((e[0], e[1]))
        for e in pack.edges[pack.edges["mode"].isin(["sea", "ferry"])].itertuples(index=False)
    }
    lanes = basemap._sea_lanes()
    assert lanes and {frozenset(k) for k in lanes} <= sea
    forward = basemap.leg_points(pack, "mersin", "poti")
    assert np.array_equal(basemap.leg_points(pack, "poti", "mersin"), forward[::-1])
    # through the Bosphorus: a point between 41.0 and 41.25 N at 29.0-29.15 E
    assert (
        (forward[:, 1] > 41.0) & (forward[:, 1] < 41.25) & (forward[:, 0] > 28.95) & (forward[:, 0] < 29.2)
    ).any()
    # a land leg is its two nodes
    rail = basemap.leg_points(pack, "almaty", "altynkol")
    assert np.array_equal(rail, pack.nodes.loc[["almaty", "altynkol"], ["lon", "lat"]].to_numpy(float))


def test_optimizer_flows_are_drawn_along_their_routes(pack):
    plan = kopru.optimize(EXAMPLES / "food_processing.yaml", sensitivity=False)
    fig = site_map(plan, pack)
    assert fig.layout.geo.projection.type == "conic conformal"
    sites = {s.id: s for s in plan.sites}
    markets = {m["id"]: m["name"] for m in plan.markets}
    drawn = 0
    for f in plan.network.flows:
        route = plan.routes[sites[f.site].by_market[f.market].route]
        if not route.legs:
            continue
        label = f"{sites[f.site].name} → {markets[f.market]}"
        traces = [t for t in fig.data if t.type == "scattergeo" and t.text and str(t.text).startswith(label)]
        assert {t.line.dash for t in traces} == {basemap.MODES[leg["mode"]].dash for leg in route.legs}
        vertices = {
            (round(x, 5), round(y, 5))
            for t in traces
            for x, y in zip(t.lon, t.lat, strict=False)
            if x is not None
        }
        nodes = [route.legs[0]["from"]] + [leg["to"] for leg in route.legs]
        for lon, lat in pack.nodes.loc[nodes, ["lon", "lat"]].to_numpy(float):
            assert (round(lon, 5), round(lat, 5)) in vertices
        drawn += 1
    assert drawn >= 3
    # no straight site-to-market line: every line vertex is a corridor node or a sea-lane waypoint
    known = {(round(x, 5), round(y, 5)) for x, y in pack.nodes[["lon", "lat"]].to_numpy(float)}
    known |= {(round(x, 5), round(y, 5)) for pts in basemap._sea_lanes().values() for y, x in pts}
    for t in fig.data:
        if t.type == "scattergeo" and t.mode == "lines":
            assert {
                (round(x, 5), round(y, 5)) for x, y in zip(t.lon, t.lat, strict=False) if x is not None
            } <= known


def test_region_rings_are_wound_as_d3_reads_them():
    square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]  # anticlockwise, as RFC 7946 asks
    hole = [[0.2, 0.2], [0.2, 0.8], [0.8, 0.8], [0.8, 0.2], [0.2, 0.2]]  # clockwise
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [square, hole]},
            }
        ],
    }
    out = basemap.clockwise(fc)["features"][0]["geometry"]["coordinates"]
    assert out[0] == square[::-1] and out[1] == hole[::-1]
    again = basemap.clockwise(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": out}}
            ],
        }
    )
    assert again["features"][0]["geometry"]["coordinates"] == out


def test_preload_script_carries_the_base_map_for_offline_files():
    script = basemap.preload_script()
    assert script.startswith("<script>") and script.endswith("</script>")
    assert f'topojson["{basemap.TOPOJSON}"]' in script
    body = script[script.index("] = ") + 4 : -len(";</script>")]
    topo = json.loads(body)
    assert {"land", "ocean", "lakes", "countries", "coastlines"} <= set(topo["objects"])
    assert "</" not in body
