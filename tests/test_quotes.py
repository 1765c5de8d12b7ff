"""kopru's lanes against published freight quotes (lane_quotes.csv). Oracles: the quotes, each with
its source; the rule that a lane outside ±25 % of its quote carries an explanation."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

import kopru
from kopru.quotes import TOLERANCE, check_quotes, markdown


@pytest.fixture(scope="module")
def checks():
    return check_quotes(kopru.load_data())


def test_at_least_eight_named_lanes(checks):
    assert len({(c.lane) for c in checks}) >= 8


def test_every_lane_matches_or_is_explained(checks):
    for c in checks:
        why = f"{c.id}: kopru {c.kopru:.1f} against {c.low}-{c.high} and no reason given"
        assert c.within or len(c.explanation) > 40, why


def test_within_means_the_tolerance(checks):
    for c in checks:
        lo, hi = c.low * (1 - TOLERANCE), c.high * (1 + TOLERANCE)
        assert c.within == (lo <= c.kopru <= hi)


def test_middle_corridor_lanes_avoid_russia(checks):
    by_id = {c.id: c for c in checks}
    for lane in ("almaty_poti_days", "altynkol_istanbul_cost", "china_europe_cost"):
        assert "Moscow" not in by_id[lane].route and "Novorossiysk" not in by_id[lane].route
        assert "Alat" in by_id[lane].route


def test_the_calibration_point_is_met_exactly(checks):
    by_id = {c.id: c for c in checks}
    # the 2024 Mersin - Poti quote: USD 6,900 per 40 ft / 2, 21.5 days door to door (Argus)
    assert by_id["mersin_poti_cost"].kopru == pytest.approx(3450, rel=1e-9)
    assert by_id["mersin_poti_days"].kopru == pytest.approx(21.5, abs=1e-9)


def test_the_caspian_ferry_calibration_still_holds(checks):
    """Oracle: Interrail's through-tariffs Tashkent (Sergeli) - Derince of 1 April 2020, USD 2,305.42
    per 20 ft via Turkmenbashi - Alat and 2,704.32 via Aktau - Baku, from which the ferry rate was
    solved. Later rail, border and distance changes may move the lanes a little, not the calibration."""
    by_id = {c.id: c for c in checks}
    via_turkmenbashi = by_id["tashkent_derince_turkmenbashi_cost"]
    via_aktau = by_id["tashkent_derince_aktau_cost"]
    assert via_turkmenbashi.kopru == pytest.approx(2305.42, rel=0.02)
    assert via_aktau.kopru == pytest.approx(2704.32, rel=0.02)
    assert "Turkmenbashi" in via_turkmenbashi.route and "Aktau" not in via_turkmenbashi.route
    assert "Aktau" in via_aktau.route and "Turkmenbashi" not in via_aktau.route


def test_docs_table_is_current(checks):
    doc = (ROOT / "docs" / "lanes.md").read_text(encoding="utf-8")
    assert markdown(checks) in doc, "docs/lanes.md is stale: regenerate with kopru data lanes --markdown"


def test_cli_lanes_json(cli):
    r = cli("data", "lanes", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["tolerance"] == 0.25 and len(data["lanes"]) >= 8
    assert all({"lane", "kopru", "ratio", "within", "source"} <= set(row) for row in data["lanes"])


def test_a_lane_off_its_quote_is_found_on_a_route_that_runs_over_it(checks):
    """Oracle: the quote table itself: Ambarli-Novorossiysk by sea is outside its quote (5.4 days
    against 9-12); a route that sails it, either way, is flagged; one that only touches one of its
    ends, and a lane within its quote (Mersin-Poti, the calibration point), are not."""
    from kopru.quotes import lanes_off_on, stretches_of

    pack = kopru.load_data()
    by_id = {c.id: c for c in checks}
    sea = by_id["istanbul_novorossiysk_days"]
    assert not sea.within and sea.path == ("istanbul_ambarli", "novorossiysk")
    # sailed the other way
    route = (("moscow", "novorossiysk", "istanbul_ambarli", "istanbul"), ("rail", "sea", "road"))
    assert [c.id for c in lanes_off_on(pack, [route])] == ["istanbul_novorossiysk_days"]
    one_end = (("moscow", "novorossiysk", "samsun", "istanbul_ambarli"), ("rail", "sea", "sea"))
    assert lanes_off_on(pack, [one_end]) == []
    calibrated = by_id["mersin_poti_cost"]
    own = (calibrated.path, calibrated.modes)
    assert calibrated.within and stretches_of(own, [calibrated]) == [calibrated]
    assert lanes_off_on(pack, [own]) == []
    # a diff review: the same towns by another mode are not the quoted lane
    rail = by_id["kapikoy_ankara_rail_days"]
    assert not rail.within and "rail" in rail.modes
    by_road = (rail.path, tuple("road" for _ in rail.modes))
    assert stretches_of((rail.path, rail.modes), [rail]) == [rail] and stretches_of(by_road, [rail]) == []
