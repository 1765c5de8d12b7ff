"""The report's map (kopru.report.maps)."""

from __future__ import annotations

from conftest import EXAMPLES

import kopru
from kopru.report.maps import site_map


def test_the_recommended_site_is_ringed_named_and_the_label_a_phone_keeps():
    """Its outline alone marked it (a review found no way to tell it on the map); the ring is in the
    legend and carries the one label the reports' narrow-screen script keeps. Oracle: the plan's own
    recommendation and site coordinates."""
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    best = plan.site(plan.recommendation.site)
    fig = site_map(plan, kopru.load_data())
    kept = [t for t in fig.data if t.meta == "keep-label"]
    assert len(kept) == 1
    ring = kept[0]
    assert ring.name == f"recommended: {best.name}" and list(ring.text) == [best.name]
    assert (ring.lon[0], ring.lat[0]) == (best.lon, best.lat) and ring.marker.symbol == "circle-open"
    # said once: the site's own marker is not labelled again; the Turkish sites keep theirs
    labels = [
        x for t in fig.data if t.type == "scattergeo" and t.meta is None and t.text for x in t.text if x
    ]
    assert best.name not in labels
    assert {s.name for s in plan.sites if s.kind == "tr_plant"} <= set(labels)
