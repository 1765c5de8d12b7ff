"""Checks that a plotly geo map drew kopru's shipped base map, by reading pixels where seas and
neighbouring countries are (the oracle: Natural Earth puts the Caspian, the Black Sea, Russia and
Uzbekistan there)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from kopru import basemap

SEA = (214, 230, 242)  # basemap.SEA
LAND = (243, 241, 234)  # basemap.LAND, the neighbours' fill
# points away from every drawn corridor line, so that no route covers them
SEA_POINTS = {"the Caspian Sea": (49.3, 42.3), "the Black Sea": (31.0, 45.3)}
LAND_POINTS = {"Uzbekistan": (63.5, 41.5), "Russia": (47.0, 56.0)}


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def pixel_colours(page, selector: str, points: dict[str, tuple[float, float]]) -> dict[str, tuple]:
    """The screen colour at each (lon, lat), through the map's own projection."""
    page.locator(selector).scroll_into_view_if_needed()
    xy = page.evaluate(
        """([sel, pts]) => {
          const gd = document.querySelector(sel);
          const geo = gd._fullLayout.geo._subplot;
          const svg = gd.querySelector('.main-svg').getBoundingClientRect();
          const out = {};
          for (const [k, v] of Object.entries(pts)) {
            const q = geo.projection(v);
            out[k] = [svg.x + q[0], svg.y + q[1]];
          }
          return out;
        }""",
        [selector, points],
    )
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    return {k: image.getpixel((round(x), round(y))) for k, (x, y) in xy.items()}


def assert_basemap(page, selector: str, *, black_sea: bool = True) -> None:
    """The map shows land, seas and borders of the shipped base map: neighbours and seas visible."""
    assert _hex(basemap.SEA) == SEA and _hex(basemap.LAND) == LAND
    for layer in ("land", "ocean", "lakes", "countries", "coastlines"):
        d = page.locator(f"{selector} .geo .layer.{layer} path").first.get_attribute("d") or ""
        assert len(d) > 1000, f"the {layer} layer is empty"
    seas = dict(SEA_POINTS) if black_sea else {"the Caspian Sea": SEA_POINTS["the Caspian Sea"]}
    colours = pixel_colours(page, selector, {**seas, **LAND_POINTS})
    for name in seas:
        assert colours[name] == SEA, f"{name} is not drawn as sea: {colours[name]}"
    for name in LAND_POINTS:
        assert colours[name] == LAND, f"{name} is not drawn as a neighbouring country: {colours[name]}"


def inside(rings: list[np.ndarray], pts: np.ndarray) -> np.ndarray:
    """Even-odd rule over all rings (holes included): True where a (lon, lat) point is inside."""
    inside = np.zeros(len(pts), dtype=bool)
    x, y = pts[:, 0], pts[:, 1]
    for r in rings:
        lo, hi = r.min(axis=0), r.max(axis=0)
        near = (x >= lo[0]) & (x <= hi[0]) & (y >= lo[1]) & (y <= hi[1])
        if not near.any():
            continue
        x0, y0, x1, y1 = r[:-1, 0], r[:-1, 1], r[1:, 0], r[1:, 1]
        px, py = x[near, None], y[near, None]
        crosses = ((y0 > py) != (y1 > py)) & (
            px < (x1 - x0) * (py - y0) / np.where(y1 == y0, 1, y1 - y0) + x0
        )
        inside[near] ^= (crosses.sum(axis=1) % 2).astype(bool)
    return inside
