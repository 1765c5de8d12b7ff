"""A material with alternatives: each site buys it where it lands cheapest (price, inbound freight,
the duty due on its market mix). Oracle: the same profile with each source alone, planned apart
(brute force over the sources), and the cost engine's own components."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from openpyxl import load_workbook

from kopru import api, datapack
from kopru.errors import ProfileError
from kopru.inputs import prepare
from kopru.montecarlo.model import _material_by_mode, _with_residual_on_road
from kopru.profile import as_profile

EXAMPLES = Path(__file__).parents[1] / "examples"
FOOD = yaml.safe_load((EXAMPLES / "food_processing.yaml").read_text(encoding="utf-8"))
FAT = 2  # vegetable fat: Istanbul, or a local supplier (the example's alternative)


def _alone(origin: str, cost) -> dict:
    """The food profile with vegetable fat from one source only."""
    d = copy.deepcopy(FOOD)
    fat = d["materials"][FAT]
    fat.pop("alternatives")
    fat["origin"], fat["cost"] = origin, cost
    return d


def _components(plan) -> dict[str, dict[str, float]]:
    return {s.id: s.landed_cost.components for s in plan.sites}


def test_each_site_costs_what_the_plan_with_its_chosen_source_alone_costs():
    fat = FOOD["materials"][FAT]
    assert fat["alternatives"], "the food example shows a material with an alternative"
    both = api.plan(FOOD)
    alone = {
        "Istanbul": api.plan(_alone("istanbul", fat["cost"])),
        "local": api.plan(_alone("local", fat["alternatives"][0]["cost"])),
    }
    chosen = {s.id: s.sources[0].name for s in both.sites}
    # the example is one where the choice differs by site: free customs zones import, regions buy locally
    assert set(chosen.values()) == {"Istanbul", "local"}
    for site in both.sites:
        same = alone[chosen[site.id]].site(site.id)
        assert site.landed_cost.total == pytest.approx(same.landed_cost.total, rel=1e-12), site.id
        # the materials component is the cheaper of the two, site by site
        mats = [p.site(site.id).landed_cost.components["materials"] for p in alone.values()]
        assert site.landed_cost.components["materials"] == pytest.approx(min(mats), rel=1e-12), site.id
        # what plan.json says each source lands it for is what that source's plan costs per unit
        per_unit = {n: p.site(site.id).landed_cost.components["materials"] for n, p in alone.items()}
        landed = site.sources[0].landed_by_source
        assert landed["Istanbul"] - landed["local"] == pytest.approx(
            (per_unit["Istanbul"] - per_unit["local"]) / site.landed_cost.units, rel=1e-9, abs=1e-12
        )
        # a cheaper input never makes a site dearer (profit tax takes less than it saves)
        assert site.landed_cost.total <= min(p.site(site.id).landed_cost.total for p in alone.values())


def test_a_free_customs_zone_imports_what_a_region_buys_locally():
    """Hand check at two sites of the example: the fat's 5 % duty is due outside a free customs zone
    on the share of units sold in the EAEU (exports' inputs go duty-free), not inside one."""
    both = api.plan(FOOD)
    zone, region = both.site("sez_turan"), both.site("KZ-61")  # the zone and its own region
    assert zone.sources[0].name == "Istanbul" and region.sources[0].name == "local"
    at_zone, at_region = zone.sources[0].landed_by_source, region.sources[0].landed_by_source
    assert at_zone["local"] == at_region["local"] == pytest.approx(0.225)
    assert at_region["Istanbul"] > 0.225 > at_zone["Istanbul"] > 0.21
    # in the region: (price + freight) x (1 + 5 % x the EAEU's share of the units sold: Astana,
    # Almaty, Shymkent and Kyrgyzstan, 10.5 of 23.5 million kg; the rest is exported duty-free)
    pre = prepare(as_profile(_alone("istanbul", 0.21)), datapack.load())
    freight = pre.x.material_freight_usd[list(pre.sites["id"]).index("KZ-61"), FAT]
    assert at_region["Istanbul"] == pytest.approx((0.21 + freight) * (1 + 0.05 * 10.5 / 23.5), rel=1e-12)
    assert any(
        n.startswith("buys vegetable fat locally: ") and "less than from Istanbul" in n for n in region.notes
    )


def test_the_risk_engine_routes_each_sites_freight_from_the_source_it_buys_at():
    pack = datapack.load()
    teu = [pack.param("container:teu", k).value for k in ("teu_payload", "teu_volume")]
    pre = prepare(as_profile(FOOD), pack)
    by_mode = _material_by_mode(pre, *teu)
    fat = FOOD["materials"][FAT]
    istanbul = _material_by_mode(prepare(as_profile(_alone("istanbul", fat["cost"])), pack), *teu)
    local = pre.sources[:, FAT] == "local"
    assert local.any() and (~local).any()
    assert (by_mode[local, FAT] == 0).all()  # a local source has no legs to draw
    np.testing.assert_array_equal(by_mode[~local, FAT], istanbul[~local, FAT])
    assert (by_mode[~local, FAT].sum(axis=-1) > 0).all()
    # with the road connector to the site put on road, as the risk model does, the split adds up to
    # the plan's inbound freight at the chosen source
    whole = _with_residual_on_road(by_mode, pre.x.material_freight_usd)
    np.testing.assert_allclose(whole.sum(axis=-1), pre.x.material_freight_usd, rtol=1e-12, atol=1e-15)


def test_cli_says_where_the_inputs_are_bought_and_the_report_tabulates_it(cli, tmp_path):
    r = cli("plan", EXAMPLES / "food_processing.yaml", "--no-store", "--out", tmp_path)
    assert r.code == 0, r.err
    said = " ".join(r.out.split())
    assert "Inputs bought where each lands cheapest (USD a unit: price, inbound freight and duty)" in said
    assert (
        "vegetable fat from Istanbul 0.224 (local 0.225); at Gaziantep plant (existing) locally 0.210" in said
    )
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="sources-bought-table"' in html and "the other sources would land it at" in html
    sheet = load_workbook(tmp_path / "plan.xlsx")["Materials bought"]
    rows = list(sheet.iter_rows(min_row=2, max_row=39, values_only=True))
    assert len(rows) == 38  # every site, by rank, with its one material that has an alternative
    first = rows[0]
    assert first[:4] == ("SEZ Turan (formerly Turkistan)", 1, "vegetable fat", "Istanbul")
    assert first[4] == pytest.approx(0.2236, abs=1e-4) and first[5] == "local 0.225"


@pytest.mark.parametrize(
    ("alternative", "field", "expected"),
    [
        ({"origin": "istanbul", "cost": 0.2}, "materials[2]", "origin 'istanbul' is given twice"),
        (
            {"origin": "atlantis", "cost": 0.2},
            "materials[2].alternatives[0].origin",
            "is not a corridor node",
        ),
        ({"origin": "local", "cost": {"KZ": 0.2}}, "materials[2].alternatives[0].cost", "no price for TR"),
    ],
)
def test_a_wrong_alternative_is_named_with_what_is_expected(alternative, field, expected):
    d = copy.deepcopy(FOOD)
    d["materials"][FAT]["alternatives"] = [alternative]
    with pytest.raises(ProfileError) as info:
        api.plan(d)
    message = str(info.value)
    assert field in message and expected in message and "\n" not in message


def test_a_sweep_prices_each_scenario_at_the_sources_it_would_choose(tmp_path):
    """The sweep's shared look-ups choose the sources again per scenario: dearer rail sends five
    of the zones that import the fat to the local supplier, exactly as a whole plan of that
    scenario does."""
    from kopru import scenarios as sweep
    from kopru.planner import make_plan

    profile = tmp_path / "food.yaml"
    profile.write_text(yaml.safe_dump(FOOD, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(
        f"profile: {profile}\nscenarios:\n  - {{name: base}}\n  - {{name: lira, fx_shock: {{TRY: 0.5}}}}\n"
        "  - {name: rail, overrides: {mode:rail.cost_per_teu_km: 3}}\n",
        encoding="utf-8",
    )
    profile_path, scenarios, _ = sweep.read_sweep(path)
    got = sweep.sweep(path).scenarios
    imports = {}
    for outcome, s in zip(got, scenarios, strict=True):
        plan = make_plan(as_profile(profile_path), s.overrides or None, s.disruptions, avoid=s.avoid)
        assert outcome == sweep.plan_outcome(plan, s.name) | {"given": s.given()}, s.name
        imports[s.name] = {site.id for site in plan.sites if site.sources[0].name == "Istanbul"}
    assert len(imports["base"]) == 6 and len(imports["rail"]) == 1 and imports["rail"] < imports["base"]


def test_an_incentive_is_worth_what_the_site_would_pay_without_it_at_the_sources_it_would_then_buy():
    """Without its free customs zone a zone site pays duty on Istanbul's fat, so it would buy it
    locally: the zone is worth the cheaper of the two single-source plans without it (each one's
    total plus the zone's value there) less the cost with it."""
    fat = FOOD["materials"][FAT]
    both = api.plan(FOOD)
    alone = [
        api.plan(_alone("istanbul", fat["cost"])),
        api.plan(_alone("local", fat["alternatives"][0]["cost"])),
    ]

    def zone_value(site) -> float:
        return sum(
            i.annual_value or 0.0
            for i in site.incentives
            if i.status == "applied" and "customs zone" in i.name
        )

    checked = 0
    for site in both.sites:
        if site.rank is None or not zone_value(site):
            continue
        without = min(p.site(site.id).landed_cost.total + zone_value(p.site(site.id)) for p in alone)
        assert zone_value(site) == pytest.approx(without - site.landed_cost.total, abs=0.01), site.id
        checked += 1
    assert checked >= 5


def test_a_source_without_a_route_is_never_chosen():
    """A closed origin's infinite cost times no duty due (an all-export market mix) is not a NaN that
    wins: the sites buy where a route is, as if that source were not offered."""
    d = copy.deepcopy(FOOD)
    d["markets"] = [{"id": "mkt_UZ", "demand": 5_000_000}]
    without = api.plan(d)
    d["materials"][FAT]["alternatives"].append({"origin": "urumqi", "cost": 0.05, "duty_pct": 5})
    d["disruptions"] = ["urumqi"]
    closed = api.plan(d)
    assert closed.ranking == without.ranking and len(closed.ranking) == len(closed.sites)
    for site in closed.sites:
        assert site.sources[0].name != "Urumqi" and site.sources[0].landed_by_source["Urumqi"] is None
        assert site.landed_cost.total == pytest.approx(without.site(site.id).landed_cost.total, rel=1e-12)


def test_a_bought_alternative_pays_its_own_freight_and_tariff():
    """Apparel's fabric from Istanbul as well as Tashkent: a non-local alternative whose duty comes
    from the material's hs heading (6006 from Türkiye into the EAEU, from Uzbekistan into Türkiye).
    Each site costs what the plan with its chosen source alone costs."""
    apparel = yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))
    d = copy.deepcopy(apparel)
    d["materials"][0]["alternatives"] = [{"origin": "istanbul", "cost": 1.23}]
    both = api.plan(d)
    single = {}
    for origin, cost, name in (("tashkent", 1.3, "Tashkent"), ("istanbul", 1.23, "Istanbul")):
        one = copy.deepcopy(apparel)
        one["materials"][0].update(origin=origin, cost=cost)
        single[name] = api.plan(one)
    chosen = {s.id: s.sources[0].name for s in both.sites}
    assert chosen["plant_TR-20"] == "Istanbul" and "Tashkent" in chosen.values()
    for site in both.sites:
        same = single[chosen[site.id]].site(site.id)
        assert site.landed_cost.total == pytest.approx(same.landed_cost.total, rel=1e-12), site.id


def test_a_turkish_recommendation_says_its_sources_once(cli, tmp_path):
    d = copy.deepcopy(FOOD)
    d["markets"] = [{"id": "mkt_TR", "demand": 3_000_000, "price": 2.3}]
    path = tmp_path / "tr.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    r = cli("plan", path, "--no-store", "--out", tmp_path / "out")
    assert r.code == 0, r.err
    said = " ".join(r.out.split())
    line = said[said.index("Inputs bought") :]
    assert line.count("Gaziantep") == 1 and "vegetable fat locally 0.210 (Istanbul" in line
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    start = html.index('<table id="sources-bought-table">')
    table = html[start : html.index("</table>", start)]
    assert table.count("<tr>") == 2  # the header and the one site


def test_an_alternative_from_another_territory_without_a_rate_asks_for_one():
    d = copy.deepcopy(FOOD)
    fat = d["materials"][FAT]
    fat.pop("duty_pct")
    fat.update(
        origin="local", cost={"KZ": 0.225, "TR": 0.21}, alternatives=[{"origin": "urumqi", "cost": 0.2}]
    )
    with pytest.raises(ProfileError) as info:
        api.plan(d)
    assert str(info.value) == (
        "materials[2].alternatives[0].origin (vegetable fat): it comes from CN into EAEU, so give the"
        " material its hs heading, or this alternative a duty_pct"
    )
    assert info.value.field == "materials[2].alternatives[0]"


def test_compare_puts_each_sites_source_side_by_side(cli):
    r = cli("compare", EXAMPLES / "food_processing.yaml", "sez_turan", "KZ-61", "--no-store", "--json")
    assert r.code == 0, r.err
    rows = {row["label"]: row for row in json.loads(r.out)["rows"]}
    fat = rows["vegetable fat: landed"]
    assert fat["values"] == [pytest.approx(0.2236, abs=1e-4), pytest.approx(0.225)]
    assert fat["notes"] == ["from Istanbul", "locally"]
