"""Build the data pack's ``kz-adm1.geojson`` from the geokz ADM1 shapefile (a one-off, for maintainers).

Source: the R package geokz by Alexander Rodionov (github.com/arodionoff/geokz, CC BY 4.0),
``inst/shape/kaz_admbnda_adm1_2024.*``: the 20 first-level units after the 2022 reform, derived
from OCHA's COD-AB for Kazakhstan (UNHCR, with city polygons from OpenStreetMap) with the
author's corrections. See ``src/kopru/datapack/data/kz-adm1.LICENSE.md``.

Steps: read the shapefile; repair invalid rings (``make_valid``) and keep the polygonal parts;
simplify the 20 shapes as one coverage, so that neighbours keep a shared edge (tolerance 0.001°,
about 100 m, far below what a country map shows); round coordinates to 1e-5°; orient rings as
RFC 7946 asks (exteriors anticlockwise); key each feature by its ISO 3166-2 code (``iso``,
"KZ-" and the digits of ``ADM1_PCODE``), keeping the source's names and codes.

Needs ``pyshp`` and ``shapely`` >= 2.1, which kopru itself does not::

    python -m pip install pyshp shapely
    python scripts/boundaries.py PATH/kaz_admbnda_adm1_2024.shp src/kopru/datapack/data/kz-adm1.geojson
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile  # pyshp
import shapely
from shapely.geometry import mapping, shape

TOLERANCE_DEG = 0.001
GRID_DEG = 1e-5
KEPT = ("ADM1_EN", "ADM1_KK", "ADM1_RU", "ADM1_PCODE", "KATO")


def polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a repaired geometry (make_valid may add lines or points where rings touched)."""
    fixed = shapely.make_valid(geometry)
    parts = [g for g in shapely.get_parts(fixed) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def noded(shapes: list[shapely.Geometry]) -> list[shapely.Geometry]:
    """The same regions rebuilt from the faces of all their boundaries noded together.

    In the source, a border shared by two regions does not always have the same vertices on both
    sides (one side has a vertex in the middle of the other's segment), which coverage_simplify
    rejects; faces of the noded lines share every edge exactly. Each face goes to the region that
    contains a point inside it."""
    lines = shapely.union_all([s.boundary for s in shapes])
    faces = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))))
    points = [f.point_on_surface() for f in faces]
    owner = [next((i for i, s in enumerate(shapes) if s.contains(p)), None) for p in points]
    lost = sum(f.area for f, o in zip(faces, owner, strict=True) if o is None)
    if lost > 1e-6 * sum(s.area for s in shapes):
        raise SystemExit(f"noding left {lost:.3g} square degrees outside every region")
    return [
        shapely.coverage_union_all([f for f, o in zip(faces, owner, strict=True) if o == i])
        for i in range(len(shapes))
    ]


def build(shp: Path) -> dict:
    reader = shapefile.Reader(str(shp), encoding="utf-8")
    names = [f[0] for f in reader.fields[1:]]
    records = [dict(zip(names, r, strict=True)) for r in reader.records()]
    shapes = noded([polygonal(shape(s.__geo_interface__)) for s in reader.shapes()])
    if not shapely.coverage_is_valid(shapes):
        raise SystemExit("the shapes overlap or leave gaps: not a coverage to simplify")
    simple = shapely.coverage_simplify(shapes, TOLERANCE_DEG)
    simple = shapely.set_precision(simple, GRID_DEG, mode="pointwise")
    simple = shapely.orient_polygons(simple, exterior_cw=False)
    features = []
    for record, geometry in zip(records, simple, strict=True):
        if not geometry.is_valid or geometry.is_empty:
            raise SystemExit(f"{record['ADM1_EN']}: simplification left an invalid shape")
        properties = {k: record[k] for k in KEPT} | {"iso": "KZ-" + record["ADM1_PCODE"].removeprefix("KZ")}
        features.append({"type": "Feature", "properties": properties, "geometry": mapping(geometry)})
    features.sort(key=lambda f: f["properties"]["iso"])
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    shp, out = Path(sys.argv[1]), Path(sys.argv[2])
    collection = build(shp)
    out.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{out}: {len(collection['features'])} features, {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
