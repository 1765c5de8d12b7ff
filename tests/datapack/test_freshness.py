"""Stale values and the oldest input behind a recommendation. Oracles: rows of the data pack
read by hand and the rule that a value of year Y counts as of 31 December Y."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from conftest import EXAMPLES

import kopru
from kopru.datapack.freshness import DatedValue, dated_values, oldest_behind, stale_values

TODAY = date(2026, 12, 5)


@pytest.fixture(scope="module")
def pack():
    return kopru.load_data()


def test_age_counts_from_the_end_of_the_values_year():
    v = DatedValue("parameters", "KZ.x", "x of KZ", 2025, "s")
    assert v.months_old(date(2026, 12, 5)) == 12  # 31 Dec 2025 to December 2026
    assert v.months_old(date(2025, 6, 1)) == 0  # not yet over
    assert DatedValue("edges", "e", "e", 2018, "s").months_old(TODAY) == 96


def test_stale_values_are_the_old_ones_only(pack):
    stale = stale_values(pack, 24, TODAY)
    assert stale and all(v.months_old(TODAY) > 24 for v in stale)
    fresh = {v.key for v in dated_values(pack)} - {v.key for v in stale}
    assert "KZT.fx_per_usd" in fresh  # 2025 year-end rate: 12 months old
    # the 2018 BTK-based Turkish rail rate is stale
    assert any(v.key == "edge.adana.mersin.rail.cost_usd_per_teu" and v.year == 2018 for v in stale)
    # only the latest year of a parameter counts (TRY has 2025 and 2026 rows)
    assert sum(v.key == "TRY.fx_per_usd" for v in dated_values(pack)) == 1


def test_oldest_input_of_the_recommendation(pack):
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    oldest = oldest_behind(pack, plan, plan.recommendation.site)
    assert plan.oldest_input == oldest.as_dict()
    # named as a person reads it (a CFO review found "cost_fixed_per_teu of mode:sea")
    assert (oldest.key, oldest.what) == (
        "mode:sea.cost_fixed_per_teu",
        "sea freight's terminal charge per TEU",
    )
    # brute force over the recommended site's inputs: none is older
    site = plan.site(plan.recommendation.site)
    assert all(ref.year >= oldest.year for ref in site.inputs.values())
    # ... and over the rates of its routes' legs: an edge without a cost of its own is priced by its
    # mode's rates (SEZ Turan's routes to Türkiye and the EU have sea legs, whose terminal charge
    # is of 2018), so those count as well as the edge's year
    edges, params = pack.edges, pack.parameters
    years = []
    for mc in site.by_market.values():
        for leg in plan.routes[mc.route].legs:
            pair = ((edges["from"] == leg["from"]) & (edges["to"] == leg["to"])) | (
                (edges["from"] == leg["to"]) & (edges["to"] == leg["from"])
            )
            row = edges[pair & (edges["mode"] == leg["mode"])].iloc[0]
            years.append(int(row["year"]))
            if row["cost_usd_per_teu"] != row["cost_usd_per_teu"]:  # NaN: priced by the mode
                rates = params[
                    (params["subject"] == f"mode:{leg['mode']}") & params["quantity"].str.startswith("cost_")
                ]
                years.append(int(rates.groupby("quantity")["year"].max().min()))
    assert min(years) == oldest.year
    assert (oldest.key, oldest.year) == ("mode:sea.cost_fixed_per_teu", 2018)


def _by_hand(pack, plan, site_id) -> int:
    """The oldest year under a site's routes, read from the tables: an edge's own rate, or its mode's
    rates, and its own transit time or, where its days are its length at its mode's speed, that
    speed (its length does not age)."""
    edges, params = pack.edges, pack.parameters

    def latest(mode: str, quantity: str) -> int:
        rows = params[(params["subject"] == f"mode:{mode}") & (params["quantity"] == quantity)]
        return int(rows["year"].max())

    years = []
    for mc in plan.site(site_id).by_market.values():
        for leg in plan.routes[mc.route].legs:
            pair = ((edges["from"] == leg["from"]) & (edges["to"] == leg["to"])) | (
                (edges["from"] == leg["to"]) & (edges["to"] == leg["from"])
            )
            row = edges[pair & (edges["mode"] == leg["mode"])].iloc[0]
            if row["cost_usd_per_teu"] == row["cost_usd_per_teu"]:  # a rate of its own
                years.append(int(row["year"]))
                continue
            years += [latest(leg["mode"], q) for q in ("cost_per_teu_km", "cost_fixed_per_teu")]
            speed = latest(leg["mode"], "speed_km_per_day")
            timed = abs(
                row["days"] - row["distance_km"] / pack.param(f"mode:{leg['mode']}", "speed_km_per_day").value
            )
            years.append(speed if timed < 0.006 else int(row["year"]))
    return min(years)


def test_the_baselines_oldest_input_is_said_beside_the_picks(pack):
    """A CLI review: 'the oldest value this recommendation rests on' was the pick's (2018), while
    the saving rests on the Turkish baseline too. Its routes to Almaty and Tashkent run through
    Sarakhs on a rail line of 1996, but only the line's length is of 1996, and a length does not
    age: its days are that length at rail's 2022 speed, its freight at rail's rates. Oracle: the
    route legs of Denizli's plan, read from the tables by hand, and the report's sentence."""
    from kopru.report.html import render_html

    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    base = plan.recommendation.baseline_site
    older = oldest_behind(pack, plan, base)
    assert plan.oldest_baseline_input == older.as_dict()
    assert older.year == _by_hand(pack, plan, base) == 2018
    assert (older.key, older.what) == (
        "edge.denizli.eskisehir.rail.cost_usd_per_teu",
        "rail Denizli - Eskişehir",
    )
    legs = [leg for mc in plan.site(base).by_market.values() for leg in plan.routes[mc.route].legs]
    assert any({leg["from"], leg["to"]} == {"mashhad", "sarakhs"} for leg in legs)
    html = render_html(plan, pack)
    assert "The oldest value under the recommended site's cost: sea freight" in html
    assert "under the Turkish baseline's, which the saving is measured against: rail Denizli" in html


def test_a_length_does_not_age(pack):
    """'data stale' listed 142 edges' lengths as stale values (the Mashhad - Sarakhs line of 1996
    among them); an edge whose days are its length at its mode's speed is dated by that speed and
    its mode's rates, and an edge with a transit time of its own keeps its year. Oracle: each
    edge's days against its length at its mode's speed, from the tables."""
    keys = {v.key for v in dated_values(pack)}
    assert "edge.mashhad.sarakhs.rail.distance_km" not in keys
    assert "edge.khorgos_sez.aktau.rail.distance_km" in keys  # 3 days of its own, not 3,128 km at 528
    bare = pack.edges[pack.edges["cost_usd_per_teu"].isna()]
    for r in bare.itertuples():
        speed = pack.param(f"mode:{r.mode}", "speed_km_per_day").value
        listed = f"edge.{r._1}.{r.to}.{r.mode}.distance_km" in keys
        assert listed == (abs(r.days - r.distance_km / speed) >= 0.006), (r._1, r.to, r.mode)
    # a faster rail in an overrides file changes no edge's days: their lengths stay undated, and the
    # override's own year dates the speed
    from kopru.datapack import load

    faster = load({"mode:rail.speed_km_per_day": 800})
    keys = {v.key: v for v in dated_values(faster)}
    assert "edge.mashhad.sarakhs.rail.distance_km" not in keys and "mode:rail.speed_km_per_day" in keys


def test_cli_stale(cli):
    r = cli("data", "stale", "--months", "36", "--json")
    assert r.code == 0, r.err
    import json

    data = json.loads(r.out)
    assert data["months"] == 36 and data["values"]
    assert all(v["months_old"] > 36 for v in data["values"])
    # a CLI review: a 'value' column holding no value, ids for sources, "rail freight's freight rate"
    table = cli("data", "stale", "--months", "36")
    said = " ".join(table.out.split())
    assert table.code == 0 and "┃ what " in table.out and "Caucasus Business Week" in said
    assert "corr_cbw_2018" not in table.out
    assert not any("freight's freight" in v["what"] for v in data["values"])
    from kopru.datapack.labels import value_label

    assert value_label("mode:rail", "cost_per_teu_km") == "rail freight's rate per TEU-km"


def test_input_tariffs_count_only_where_the_site_pays_them(pack):
    """A review: a zone whose inputs are duty-free for the plant's life (SEZ Turan) was dated by the
    tariff on an input it never pays; a Turkish plant that pays it on its home sales is."""
    from kopru.datapack.freshness import _input_tariffs, _tariffs

    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    tariffs = {v.key: v for v in _tariffs(pack)}
    paid = _input_tariffs(pack, plan, plan.site("plant_TR-20"), tariffs)
    assert {v.key for v in paid} >= {"tariff.TR_MFN.6006", "tariff.TR_IGV.6006"}
    turan = oldest_behind(pack, plan, "sez_turan", pays_input_duty=False)
    assert turan.key not in {v.key for v in paid}
    # with Turkish fabric as an alternative the Denizli plant buys at home: no tariff on Uzbek fabric
    profile = yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))
    profile["materials"][0]["alternatives"] = [{"origin": "istanbul", "cost": 1.23}]
    plan = kopru.plan(profile)
    denizli = plan.site("plant_TR-20")
    assert denizli.sources[0].name == "Istanbul"
    assert not {v.key for v in _input_tariffs(pack, plan, denizli, tariffs)} & {
        "tariff.TR_MFN.6006",
        "tariff.TR_IGV.6006",
    }
    assert oldest_behind(pack, plan, "plant_TR-20").year <= min(v.year for v in paid)


def test_a_site_away_from_its_node_rests_on_the_road_circuity_too(pack):
    """Data review: the road circuity (2018) prices every connector from a site to its corridor node,
    but the oldest-value check did not see it. SEZ Ontustik lies 7 km from Shymkent's node; SEZ Turan
    sits on its node and does not rest on it."""
    from kopru.geo import haversine_km

    plan = kopru.plan(EXAMPLES / "construction_materials.yaml")
    ontustik, turan = plan.site("sez_ontustik"), plan.site("sez_turan")
    for site, away in ((ontustik, True), (turan, False)):
        node = pack.nodes.loc[site.node]
        km = float(haversine_km(site.lat, site.lon, float(node["lat"]), float(node["lon"])))
        assert (km > 0.5) is away
    circuity = pack.param("network", "road_circuity")
    assert circuity.year == 2018
    assert oldest_behind(pack, plan, "sez_ontustik").key == "network.road_circuity"
    assert oldest_behind(pack, plan, "sez_turan").key != "network.road_circuity"


def test_every_key_listed_is_one_an_overrides_file_takes(pack):
    """A CLI review: 'data stale' and the report listed 'edge.mashhad.sarakhs.rail', which an
    overrides file refused (it wants the edge's field). Oracle: the overrides loader itself, given
    each listed edge key (every one) and a few tariffs and parameters with the pack's own values."""
    from kopru.datapack import load

    values = dated_values(pack)
    edges = pack.edges.set_index(["from", "to", "mode"])
    chosen = [v for v in values if v.table == "edges"]
    chosen += [v for v in values if v.table == "tariffs"][:3] + [
        v for v in values if v.table == "parameters"
    ][:3]
    overrides = {}
    for v in chosen:
        if v.table == "edges":
            _, a, b, mode, field = v.key.split(".")
            overrides[v.key] = float(edges.loc[(a, b, mode), field])
        elif v.table == "tariffs":
            _, regime, hs = v.key.split(".")
            hit = pack.tariffs[(pack.tariffs["regime"] == regime) & (pack.tariffs["hs"] == hs)]
            overrides[v.key] = float(hit["rate_pct"].iloc[0])
        else:
            subject, quantity = v.key.split(".", 1)
            overrides[v.key] = pack.param(subject, quantity).value
    applied = load(overrides).overrides
    assert {o.key for o in applied} == set(overrides)
