"""Corridor routes against known legs, an independent shortest-path library, and disruptions."""

import networkx as nx
import numpy as np
import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from kopru.corridors import Network
from kopru.datapack import load
from kopru.errors import RouteError


@pytest.fixture(scope="module")
def network():
    return Network(load())


def edge(pack, a, b, mode):
    e = pack.edges
    hit = e[(e["mode"] == mode) & (((e["from"] == a) & (e["to"] == b)) | ((e["from"] == b) & (e["to"] == a)))]
    assert len(hit) == 1, f"no single {mode} edge {a}-{b}"
    return hit.iloc[0]


def test_caspian_ferries_match_published_crossing_times():
    pack = load()
    # TITR association: Aktau-Baku about 22 h, Kuryk-Baku/Alat about 18 h
    assert edge(pack, "aktau", "baku_alat", "ferry")["days"] == pytest.approx(22 / 24, abs=0.05)
    assert edge(pack, "kuryk", "baku_alat", "ferry")["days"] == pytest.approx(18 / 24, abs=0.05)


def test_khorgos_to_aktau_runs_by_rail(network):
    route = network.route("khorgos_sez", "aktau")
    assert [leg.mode for leg in route.legs] == ["rail"]
    assert route.distance_km == pytest.approx(3128)  # KTZ block train Altynkol-Aktau, 2024
    from_khorgos = network.route("khorgos", "aktau")
    assert "rail" in from_khorgos.modes
    assert from_khorgos.legs[-1].destination == "aktau"


def test_the_khorgos_zones_reach_kazakh_markets_without_a_border(network):
    """OR review: SEZ Khorgos sat on the road-border node, so every domestic lane crossed the Altynkol
    rail border (3.5 days): Khorgos to Almaty took 4.2 days for 372 km. The zones now sit on the dry
    port node inside Kazakhstan; a lane from China still crosses one border."""
    pack = load()
    assert set(pack.sez.loc[["sez_khorgos_eastern_gate", "sez_icbc_khorgos"], "node"]) == {"khorgos_sez"}
    kind = pack.nodes["kind"]
    for market in ("almaty", "astana", "aktau"):
        route = network.route("khorgos_sez", market)
        assert not [leg for leg in route.legs if kind[leg.destination] == "border"], market
    assert network.route("khorgos_sez", "almaty").days < 1.0
    from_china = network.route("urumqi", "almaty")
    assert sum(kind[leg.destination] == "border" for leg in from_china.legs) == 1


def test_baku_tbilisi_kars_is_826_km_of_rail(network):
    route = network.route("baku", "kars")
    assert [leg.destination for leg in route.legs] == ["baku_alat", "tbilisi", "kars"]
    assert route.modes == ["rail"]
    assert route.distance_km == pytest.approx(826)  # length of the BTK line


def test_middle_corridor_crosses_the_caspian_by_ferry(network):
    route = network.route("almaty", "baku")
    assert "ferry" in route.modes
    crossing = next(leg for leg in route.legs if leg.mode == "ferry")
    assert crossing.destination == "baku_alat"


def test_closing_the_ferries_reroutes_at_a_higher_cost(network):
    before = network.route("almaty", "baku")
    closed = network.close("aktau-baku_alat:ferry", "kuryk-baku_alat:ferry")
    after = closed.route("almaty", "baku")
    assert "ferry" not in after.modes or all(
        leg.origin == "turkmenbashi" for leg in after.legs if leg.mode == "ferry"
    )
    assert [leg.destination for leg in after.legs] != [leg.destination for leg in before.legs]
    assert after.cost_usd_per_teu >= before.cost_usd_per_teu


def test_closing_a_border_reroutes(network):
    route = network.route("urumqi", "almaty")
    through = {leg.destination for leg in route.legs}
    border = sorted(through & {"khorgos", "dostyk", "altynkol"})[0]
    after = network.close(border).route("urumqi", "almaty")
    assert border not in {leg.destination for leg in after.legs}


def test_closing_everything_is_a_route_error(network):
    closed = network.close("mode:ferry", "mode:rail", "mode:road", "mode:sea")
    with pytest.raises(RouteError, match="no route from almaty to baku"):
        closed.route("almaty", "baku")
    lanes = closed.lanes(["almaty"], ["baku", "almaty"])
    assert np.isinf(lanes.cost_usd_per_teu[0, 0]) and lanes.cost_usd_per_teu[0, 1] == 0


@pytest.mark.parametrize("name", ["atlantis", "aktau-atlantis", "mode:teleport", "water:atlantic"])
def test_unknown_closure_is_rejected(network, name):
    with pytest.raises(RouteError, match="cannot close"):
        network.close(name)


CASPIAN_FERRIES = ("aktau-baku_alat", "kuryk-baku_alat", "turkmenbashi-baku_alat")


def test_closing_the_caspian_closes_its_three_ferries_and_keeps_lake_van(network):
    """Oracle: the Caspian's ferries closed one by one by name (the data pack's three lines), on
    every origin x destination pair of the network; the Lake Van rail ferry stays open, as it does
    not under mode:ferry."""
    nodes = list(network.nodes.index)
    by_water = network.close("water:caspian").lanes(nodes, nodes)
    by_name = network.close(*CASPIAN_FERRIES).lanes(nodes, nodes)
    assert np.array_equal(by_water.cost_usd_per_teu, by_name.cost_usd_per_teu)
    assert np.array_equal(by_water.days, by_name.days)
    arcs = network.close("water:caspian").arcs
    assert set(arcs.loc[arcs["mode"] == "ferry", "u"]) == {"van", "tatvan"}
    assert not (network.close("mode:ferry").arcs["mode"] == "ferry").any()
    assert np.array_equal(network.close("water:Caspian Sea").lanes(nodes, nodes).days, by_water.days)


def test_closing_the_turkish_straits_stops_every_ship_through_them(network):
    """Hand oracle from the map: every ship's leg between the Black Sea and Ambarli or the
    Mediterranean passes the Bosphorus (and Mersin-Ambarli the Dardanelles); Black Sea legs between
    Black Sea ports and Mersin's ships to Ambarli's rivals do not."""
    closed = network.close("water:turkish_straits").arcs
    ships = closed[closed["mode"] == "sea"]
    through = {frozenset(p) for p in zip(ships["u"], ships["v"], strict=True)}
    assert frozenset({"poti", "samsun"}) in through and frozenset({"samsun", "constanta"}) in through
    for port in ("poti", "batumi", "samsun", "constanta", "novorossiysk", "mersin"):
        assert frozenset({port, "istanbul_ambarli"}) not in through
    assert frozenset({"mersin", "poti"}) not in through
    assert network.close("water:turkish_straits").route("poti", "istanbul_ambarli").modes != ("sea",)


def test_every_ship_names_the_waters_it_crosses_and_no_land_leg_does():
    from kopru.datapack.loader import WATERS

    edges = load().edges
    listed = edges["waters"].str.split(";")
    water = edges["mode"].isin(["ferry", "sea"])
    assert listed[water].map(lambda w: bool(w) and set(w) <= set(WATERS)).all()
    assert (edges.loc[~water, "waters"] == "").all()


def test_a_closure_is_named_as_a_reader_names_it():
    from kopru.corridors import closure_label

    pack = load()
    assert closure_label(pack, "water:caspian") == "every ship across the Caspian Sea"
    assert closure_label(pack, "mode:ferry") == "every ferry leg (Caspian, Lake Van)"
    assert closure_label(pack, "mode:rail") == "every rail leg"
    assert closure_label(pack, "aktau-baku_alat:ferry") == (
        "between Aktau seaport and Baku International Sea Trade Port (Alat) by ferry"
    )
    assert closure_label(pack, "khorgos") == pack.nodes.loc["khorgos", "name"]


def test_unknown_node_is_rejected(network):
    with pytest.raises(RouteError, match="'atlantis' is not a node"):
        network.route("atlantis", "baku")


def independent_graph(network, weight):
    """The same arcs in networkx, keeping the cheapest parallel arc: an independent Dijkstra."""
    g = nx.DiGraph()
    for arc in network.arcs.itertuples():
        w = getattr(arc, weight)
        if not g.has_edge(arc.u, arc.v) or g[arc.u][arc.v]["w"] > w:
            g.add_edge(arc.u, arc.v, w=w)
    return g


@pytest.mark.parametrize(("criterion", "weight"), [("cost", "cost"), ("time", "days")])
def test_lanes_match_networkx_dijkstra(network, criterion, weight):
    g = independent_graph(network, weight)
    nodes = list(network.nodes.index)
    lanes = network.lanes(nodes, nodes, criterion)
    field = lanes.cost_usd_per_teu if criterion == "cost" else lanes.days
    for i, o in enumerate(nodes):
        lengths = nx.single_source_dijkstra_path_length(g, o, weight="w")
        expected = np.array([lengths.get(d, np.inf) for d in nodes])
        np.testing.assert_allclose(field[i], expected, rtol=1e-9, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_lane_totals_equal_the_sum_of_route_legs(network, data):
    """Property: the array walk over all pairs agrees with the leg-by-leg route of each pair."""
    nodes = list(network.nodes.index)
    o = data.draw(st.sampled_from(nodes))
    d = data.draw(st.sampled_from(nodes))
    criterion = data.draw(st.sampled_from(["cost", "time"]))
    lanes = network.lanes([o], [d], criterion)
    route = network.route(o, d, criterion)
    assert lanes.cost_usd_per_teu[0, 0] == pytest.approx(route.cost_usd_per_teu)
    assert lanes.days[0, 0] == pytest.approx(route.days)
    assert lanes.distance_km[0, 0] == pytest.approx(route.distance_km)
    assert lanes.co2_kg_per_t[0, 0] == pytest.approx(route.co2_kg_per_t)


def test_fastest_is_never_slower_and_cheapest_never_dearer(network):
    nodes = list(network.nodes.index)
    cheap = network.lanes(nodes, nodes, "cost")
    fast = network.lanes(nodes, nodes, "time")
    assert (fast.days <= cheap.days + 1e-9).all()
    assert (cheap.cost_usd_per_teu <= fast.cost_usd_per_teu + 1e-9).all()


def test_network_is_connected(network):
    nodes = list(network.nodes.index)
    assert network.lanes(nodes, nodes).reachable.all()


def test_port_handling_only_when_a_ship_is_loaded_or_unloaded(network):
    """A train through a port pays no port dwell; loading a ship there does."""
    nodes = load().nodes
    ports = nodes[(nodes["kind"] == "port") & (nodes["handling_days"] > 0)]
    arcs = network.arcs.merge(
        load().edges[["from", "to", "mode", "days"]].rename(columns={"days": "leg_days"}),
        left_on=["u", "v", "mode"],
        right_on=["from", "to", "mode"],
    )
    checked = 0
    for port, dwell in ports["handling_days"].items():
        by_land = arcs[(arcs["v"] == port) & arcs["mode"].isin(["rail", "road"])]
        by_sea = arcs[(arcs["u"] == port) & arcs["mode"].isin(["sea", "ferry"])]
        if by_land.empty or by_sea.empty:
            continue
        assert by_land["days"].to_numpy() == pytest.approx(by_land["leg_days"].to_numpy())
        assert (by_sea["days"] >= by_sea["leg_days"] + dwell - 1e-9).all()
        checked += 1
    assert checked >= 3


def test_avoiding_a_country_leaves_no_node_of_it_on_the_route():
    import kopru

    nodes = kopru.load_data().nodes
    plain = kopru.route("almaty", "istanbul")
    assert "IR" in {nodes.at[leg.destination, "country"] for leg in plain.legs}  # via Tehran and Van today
    around = kopru.route("almaty", "istanbul", avoid=["IR", "RU"])
    touched = {nodes.at[n, "country"] for leg in around.legs for n in (leg.origin, leg.destination)}
    assert not {"IR", "RU"} & touched
    assert around.cost_usd_per_teu >= plain.cost_usd_per_teu  # a constraint never makes it cheaper


def _countries(route, nodes) -> list[str]:
    return [
        nodes.at[route.legs[0].origin, "country"],
        *(nodes.at[leg.destination, "country"] for leg in route.legs),
    ]


def test_a_market_inside_an_avoided_country_is_entered_once_and_reached_on_its_own_lines():
    """CLI review: --avoid RU sent Oral's goods for Moscow 5,492 km round by Petropavl (Iletsk, the
    Russian side of the Oral crossing, was barred as if passed through), 6 times the cost. Avoiding
    a country forbids passing through it, not reaching a market there. Oracle: the route without
    --avoid, which enters Russia once and stays: the same route and cost."""
    import kopru

    nodes = kopru.load_data().nodes
    for origin in ("oral", "denizli", "almaty"):
        plain = kopru.route(origin, "moscow")
        r = kopru.route(origin, "moscow", avoid=["RU"])
        countries = _countries(r, nodes)
        first = countries.index("RU")
        assert set(countries[first:]) == {"RU"}, (origin, countries)  # in once, never out again
        if set(_countries(plain, nodes)[_countries(plain, nodes).index("RU") :]) == {"RU"}:
            assert r.cost_usd_per_teu == pytest.approx(plain.cost_usd_per_teu), origin
    assert kopru.route("oral", "moscow", avoid=["RU"]).distance_km < 2_000  # by Iletsk, not Petropavl
    # and a lane that starts in the avoided country leaves it, never to come back
    out = kopru.route("moscow", "almaty", avoid=["RU"])
    countries = _countries(out, nodes)
    last = len(countries) - countries[::-1].index("RU")
    assert set(countries[:last]) == {"RU"} and "RU" not in countries[last:]
    # passing through stays barred: Almaty to Istanbul avoiding Russia touches none of it
    around = _countries(kopru.route("almaty", "istanbul", avoid=["RU"]), nodes)
    assert "RU" not in around


def test_plan_avoiding_russia_uses_only_such_routes():
    import kopru

    plan = kopru.plan(EXAMPLES / "apparel.yaml", avoid=["RU"])
    nodes = kopru.load_data().nodes
    for key, route in plan.routes.items():
        market_node = key.split(">")[1].split(":")[0]
        countries = [nodes.at[leg["to"], "country"] for leg in route.legs]
        # Russia only as the last stretch, to a market there: never passed through
        first = countries.index("RU") if "RU" in countries else len(countries)
        assert set(countries[first:]) <= {"RU"}, key
        assert first == len(countries) or nodes.at[market_node, "country"] == "RU", key
        assert route.legs == [] or route.legs[-1]["to"] == market_node
    assert plan.avoid == ["RU"]
    flagged = {
        c
        for s in plan.sites
        for mc in s.by_market.values()
        if mc.restricted_transit
        for c in mc.restricted_transit.countries
    }
    assert flagged == {"IR"}  # the routes through Iran stay, and flagged


def test_routes_through_a_sanctioned_country_are_flagged_with_the_detour():
    import kopru

    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    by_market = plan.site(plan.recommendation.site).by_market
    flagged = by_market["mkt_EU"].restricted_transit
    assert flagged is not None and flagged.countries == ["RU"]
    # the detour goes around every country under restrictions at once
    detour = kopru.route("turkistan", "constanta", avoid=["IR", "RU"])
    assert flagged.detour_cost_usd_per_teu == pytest.approx(detour.cost_usd_per_teu, abs=0.01)
    assert "pass through Russia, under sanctions" in plan.recommendation.text
    # the advice names what the priced detour keeps out of, so following it gives that price: round
    # Russia alone, the goods for Türkiye would cross Iran (below)
    assert flagged.detour_avoids == ["BY", "IR", "RU"]
    assert "the best routes through none of Belarus, Iran and Russia cost" in plan.recommendation.text
    assert "avoid: [BY, IR, RU]" in plan.recommendation.text
    assert "--avoid BY --avoid IR --avoid RU" in plan.recommendation.text
    # around Russia, the goods for Türkiye go through Iran (flagged too), and the detour around
    # both is the Middle Corridor
    around = kopru.plan(EXAMPLES / "apparel.yaml", avoid=["RU"])
    through_iran = around.site(around.recommendation.site).by_market["mkt_TR"].restricted_transit
    assert through_iran is not None and through_iran.countries == ["IR"]
    detour = kopru.route("turkistan", "istanbul", avoid=["IR", "RU"])
    assert "baku_alat" in [leg.destination for leg in detour.legs]
    assert through_iran.detour_cost_usd_per_teu == pytest.approx(detour.cost_usd_per_teu, abs=0.01)
    assert "pass through Iran, under sanctions" in around.recommendation.text
    assert through_iran.detour_avoids == ["BY", "IR", "RU"]  # Russia, avoided already, stays out


def test_following_the_plans_advice_to_route_around_gives_the_freight_it_priced():
    """The recommendation prices the way around the countries its routes cross and says which
    countries to avoid; planned with that avoid, each flagged market's cheapest route costs what
    the detour said, and the annual freight grows by the sentence's figure (oracle: the second run's
    own routes, not the first run's detour lanes)."""
    import kopru

    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    site = plan.site(plan.recommendation.site)
    flagged = {m: mc.restricted_transit for m, mc in site.by_market.items() if mc.restricted_transit}
    avoid = sorted({c for r in flagged.values() for c in r.detour_avoids})
    followed = kopru.plan(EXAMPLES / "apparel.yaml", avoid=avoid)
    again = followed.site(site.id)
    extra = 0.0
    for m, r in flagged.items():
        before = plan.routes[site.by_market[m].cheapest_route]
        after = followed.routes[again.by_market[m].cheapest_route]
        assert after.cost_usd_per_teu == pytest.approx(r.detour_cost_usd_per_teu, abs=0.01), m
        assert after.days == pytest.approx(r.detour_days, abs=0.01), m
        extra += (after.cost_usd_per_teu - before.cost_usd_per_teu) * site.by_market[m].demand
    # a TEU holds what its payload or its volume allows, whichever binds first (plan currency USD)
    pack, profile = kopru.load_data(), plan.profile
    teu = min(
        pack.param("container:teu", "teu_payload").value / profile["unit_weight"],
        pack.param("container:teu", "teu_volume").value / profile["unit_volume"],
    )
    said = plan.recommendation.text.split(" a year more in freight")[0].rsplit(" cost ", 1)[1]
    assert plan.currency == "USD" and said == f"{extra / teu:,.0f} USD"
    assert not any(mc.restricted_transit for mc in again.by_market.values())


def test_the_southern_road_through_iran_costs_its_legs_and_crossings():
    """The TIR road from Istanbul to Tashkent through Iran and Turkmenistan (the Turkish truckers'
    route to Central Asia). Oracle, by hand from the data pack's rows: ten legs at the CPMM road rate
    (USD 1.89 per TEU-km over 4,455 km = 8,419.95), the Turkmen transit leg Sarakhs-Farap at its own
    cost (468 km x 591/500 + fees 250 + 100 + 80 = 983) and the three border crossings (Gürbulak 208,
    Sarakhs 140, Farap 144): USD 9,894.95; days 4,923 km / 561.6 + 3 + 0.46 + 0.3."""
    import kopru

    road = kopru.route(
        "istanbul", "tashkent", avoid=["RU"], disruptions=["mode:rail", "mode:ferry", "mode:sea"]
    )
    assert [leg.destination for leg in road.legs][4:] == [
        *("gurbulak", "tabriz", "tehran", "mashhad", "sarakhs", "farap", "tashkent")
    ]
    assert road.cost_usd_per_teu == pytest.approx(4455 * 1.89 + 983 + 208 + 140 + 144, abs=0.01)
    assert road.distance_km == 4923
    assert road.days == pytest.approx(
        sum(round(d / 561.6, 2) for d in (113, 37, 305, 315, 934, 288, 660, 954, 186, 468, 663)) + 3.76,
        abs=0.01,
    )
    with pytest.raises(RouteError, match="no route"):
        kopru.route(
            "istanbul", "tashkent", avoid=["RU", "IR"], disruptions=["mode:rail", "mode:ferry", "mode:sea"]
        )


def test_the_caspian_closed_and_russia_avoided_leaves_the_route_through_iran():
    """A manufacturer's review: 'around Russia' meant only the Caspian ferry, so closing it left the
    Kazakh sites without inputs from Istanbul. Now the road through Iran carries them, flagged."""
    import kopru

    plan = kopru.plan(EXAMPLES / "apparel.yaml", disruptions="mode:ferry", avoid="RU")
    turan = plan.site("sez_turan")
    assert turan.landed_cost.total > 0 and plan.recommendation.site is not None
    assert "pass through Iran" in plan.recommendation.text
    assert not any(n.startswith("no route") for n in turan.notes)
    trims_in = kopru.route("istanbul", "turkistan", disruptions="mode:ferry", avoid="RU")  # the trims
    assert "gurbulak" in [leg.destination for leg in trims_in.legs]


def test_a_plan_names_what_was_closed_in_its_text_and_report():
    import kopru
    from kopru.report.html import render_html

    plan = kopru.plan(EXAMPLES / "apparel.yaml", disruptions=["water:caspian", "khorgos"])
    assert plan.disruptions == ["water:caspian", "khorgos"]
    khorgos = load().nodes.loc["khorgos", "name"]
    assert plan.closed_parts == ["every ship across the Caspian Sea", khorgos]
    html = render_html(plan, load())
    assert f"Closed in the corridor network: every ship across the Caspian Sea, {khorgos}." in html


def test_an_unknown_country_code_is_one_line(cli):
    r = cli("route", "almaty", "istanbul", "--avoid", "XX")
    assert r.code == 2 and "avoid: unknown country code 'XX'" in r.err
    r = cli("plan", EXAMPLES / "apparel.yaml", "--avoid", "ZZ", "--no-store")
    assert r.code == 2 and "unknown country code 'ZZ'" in r.err and "Traceback" not in r.err
    # a CLI review: --avoid KZ ran, every site without a route, and exited 0
    r = cli("plan", EXAMPLES / "apparel.yaml", "--avoid", "kz", "--no-store")
    assert r.code == 2 and "avoid: KZ is where the candidate zones and regions are" in r.err


def test_legs_split_their_days_into_travel_and_waiting():
    # hand oracle: Urumqi -> Alat crosses Altynkol (a border, 3.5 days in the data pack) and changes
    # to the ship at Kuryk and off it at Alat (2.5 days of port dwell each); Aktau is passed by rail
    pack = load()
    days = pack.nodes["handling_days"]
    route = Network(pack).avoiding(("RU",), ()).route("urumqi", "baku_alat")
    path = ["altynkol", "khorgos_sez", "aktau", "kuryk", "baku_alat"]  # the train starts at the dry port
    assert [leg.destination for leg in route.legs] == path
    assert sum(leg.wait_border_days for leg in route.legs) == pytest.approx(days["altynkol"])
    assert sum(leg.wait_port_days for leg in route.legs) == pytest.approx(days["kuryk"] + days["baku_alat"])
    for leg in route.legs:
        assert 0 <= leg.wait_border_days + leg.wait_port_days <= leg.days


def test_turkish_roads_between_provinces_are_kgms_distances():
    """Oracle: KGM's inter-provincial distance table (ilmesafe.csv as converted in
    snipeTR/Route_calculator_TPOS @148df53e), read by hand for each pair the network joins by road.
    Bursa-Istanbul is the one exception: KGM's 244 km predates the Osmangazi bridge."""
    kgm = {
        ("istanbul", "kocaeli"): 113,
        ("bursa", "kocaeli"): 131,
        ("kocaeli", "sakarya"): 37,
        ("izmir", "manisa"): 37,
        ("izmir", "bursa"): 325,
        ("denizli", "izmir"): 226,
        ("ankara", "sakarya"): 305,
        ("ankara", "konya"): 259,
        ("ankara", "kayseri"): 315,
        ("konya", "mersin"): 350,
        ("kayseri", "adana"): 335,
        ("adana", "mersin"): 70,
        ("gaziantep", "adana"): 218,
        ("ankara", "samsun"): 411,
        ("denizli", "eskisehir"): 355,
        ("eskisehir", "kocaeli"): 213,
        ("ankara", "eskisehir"): 233,
        ("eskisehir", "bursa"): 152,
    }
    pack = load()
    for (a, b), km in kgm.items():
        row = edge(pack, a, b, "road")
        assert row["distance_km"] == km, (a, b)
        assert "corr_kgm_ilmesafe" in row["source"] and row["assumption"] == "false"
    bridge = edge(pack, "bursa", "istanbul", "road")
    assert bridge["distance_km"] == 161 and bridge["assumption"] == "true"  # built over the bridge, labelled


def test_denizli_reaches_istanbul_by_the_afyon_eskisehir_line():
    """Oracle: the Pamukkale Express's 426 km Denizli-Eskisehir (a 2019 travel report), Eskisehir at
    km 321.6 and Izmit at km 91.3 of the 576.6 km Haydarpasa-Ankara line, and the 124 km Izmit-Istanbul
    edge: 780 km by rail, not the 1,703 km detour by Izmir, Manisa and Ankara it took before."""
    route = Network(load()).route("denizli", "istanbul", criterion="cost")
    assert [leg.destination for leg in route.legs] == ["eskisehir", "kocaeli", "istanbul"]
    assert {leg.mode for leg in route.legs} == {"rail"}
    assert sum(leg.distance_km for leg in route.legs) == pytest.approx(426 + 230 + 124)
    # the Ankara-Kocaeli line is split at Eskisehir, its length unchanged
    pack = load()
    assert edge(pack, "eskisehir", "ankara", "rail")["distance_km"] + edge(
        pack, "eskisehir", "kocaeli", "rail"
    )["distance_km"] == pytest.approx(485)


def test_route_takes_names_in_any_case_and_says_what_it_avoided(cli):
    """CLI QA: 'route Almaty Istanbul' was refused (ids only, case-sensitive), a lower-case --avoid
    code was unknown, and a route barred by --avoid said only 'no route'."""
    import kopru

    by_id = kopru.route("almaty", "istanbul_ambarli")
    assert kopru.route("Almaty", "ISTANBUL_AMBARLI").cost_usd_per_teu == by_id.cost_usd_per_teu
    r = cli("route", "Almaty", "Ambarli port complex (Istanbul)")
    assert r.code == 0 and "Shu junction" in r.out and "shu" not in r.out.split()
    assert kopru.route("almaty", "istanbul", avoid=["ru"]).cost_usd_per_teu > 0
    # a route may start in an avoided country (and leave it), never pass through one
    r = cli("route", "almaty", "istanbul", "--avoid", "KZ")
    assert r.code == 0, r.err
    r = cli("route", "istanbul", "urumqi", "--avoid", "KZ", "--avoid", "KG", "--avoid", "RU", "--avoid", "TJ")
    assert r.code == 2 and "(a route may start or end there, not pass through)" in r.err, r.out
    r = cli("route", "almaty", "Almaty")
    assert r.code == 2 and "the same node (almaty)" in r.err


def test_a_route_through_a_country_under_restrictions_says_so_and_prices_the_way_around(cli):
    """A manufacturer's review: kopru route showed a route through Iran with no word of the
    sanctions. Oracle: the data pack's restrictions and the route avoiding all of them."""
    import json

    import kopru

    r = kopru.route("almaty", "istanbul")
    assert [c["country"] for c in r.restricted] == ["IR"]
    assert r.restricted[0]["restriction"] == kopru.load_data().table("restrictions").at["IR", "restriction"]
    assert kopru.route("almaty", "moscow").restricted == ()  # an end in Russia is reached, not crossed
    out = cli("route", "almaty", "istanbul")
    assert out.code == 0 and "passes through Iran: UN sanctions re-applied" in " ".join(out.out.split())
    around = kopru.route("almaty", "istanbul", avoid=["RU", "BY", "IR"])
    text = " ".join(out.out.split())
    flags = "--avoid RU --avoid BY --avoid IR"
    assert (
        f"around every country under restrictions ({flags}): {around.cost_usd_per_teu:,.0f} USD/TEU" in text
    )
    data = json.loads(cli("route", "almaty", "istanbul", "--json").out)
    assert data["restricted"][0]["name"] == "Iran"


def test_aegean_plants_reach_the_sea_at_izmir():
    """A review: the Port of Izmir was no node, so Denizli's nearest port was 701 km away (Ambarli,
    through Eskisehir) and the Aegean provinces' port access criterion was wrong. Oracles: KGM's
    226 km Denizli-Izmir by road and 37 km Izmir-Manisa, plus the 4 km from the city to the port."""
    pack = load()
    port = pack.nodes.loc["izmir_alsancak"]
    assert port["kind"] == "port" and port["country"] == "TR"
    lanes = Network(pack).lanes(["denizli", "manisa", "izmir"], ("izmir_alsancak",), "distance")
    assert list(lanes.distance_km[:, 0]) == [226 + 4, 37 + 4, 4]
    # the sea legs out of the gulf agree with the legs already in the pack: Izmir-Constanta by the
    # straits and Izmir-Ambarli plus Ambarli-Constanta within 2 % (the direct leg is 7 km longer: the
    # pack's older Ambarli legs run a little short, and Ambarli lies off the line to the Bosphorus)
    direct = edge(pack, "izmir_alsancak", "constanta", "sea")["distance_km"]
    via = sum(
        edge(pack, *p, "sea")["distance_km"]
        for p in [("izmir_alsancak", "istanbul_ambarli"), ("istanbul_ambarli", "constanta")]
    )
    assert direct == pytest.approx(via, rel=0.02)
    # every ship out of Izmir crosses the Mediterranean (the Aegean), and the straits to the Black Sea
    waters = {to: edge(pack, "izmir_alsancak", to, "sea")["waters"] for to in ("mersin", "poti")}
    assert waters == {"mersin": "mediterranean", "poti": "mediterranean;turkish_straits;black_sea"}
