"""A site's dossier. Oracles: the data pack's own rows (read here with pandas), kopru.route for
the logistics access (the public routing API), and the incentive table's region column."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES

import kopru
from kopru.dossier import UnknownSite, dossier
from kopru.report.html import render_html, report_dossiers


@pytest.fixture(scope="module")
def pack():
    return kopru.load_data()


def test_a_zone_dossier_carries_its_own_its_regime_and_its_country_values(pack):
    d = dossier(pack, "sez_turan")
    assert d.name == "SEZ Turan (formerly Turkistan)" and d.region == "Turkistan Region" and d.country == "KZ"
    themes = [t for t, _ in d.themes()]
    assert themes[:4] == ["Labour", "Energy", "Land and premises", "Taxes"]
    # every value is a row of the data pack: same value, unit and year for its subject
    params = pack.parameters
    names = {"SEZ Turan (formerly Turkistan)": "sez_turan", "SEZ regime (all zones)": "KZ-SEZ"}
    names |= {"Turkistan Region": "KZ-61", "Kazakhstan": "KZ"}
    for v in d.values:
        rows = params[(params["subject"] == names[v.subject]) & (params["quantity"] == v.quantity)]
        newest = rows.sort_values("year").iloc[-1]
        assert (v.value, v.unit, v.year) == (float(newest["value"]), newest["unit"], int(newest["year"]))
    # the SEZ regime's 0 % corporate tax and the national 20 % are both shown, the zone's first
    cit = [v for v in d.values if v.quantity == "corporate_income_tax"]
    assert [(v.subject, v.value) for v in cit] == [("SEZ regime (all zones)", 0.0), ("Kazakhstan", 20.0)]
    # every source a value cites is listed
    cited = {s.id for v in d.values for s in v.sources}
    assert cited and cited <= {s.id for s in d.sources}


def test_incentives_follow_the_schemes_regions(pack):
    zone = {s.name for s in dossier(pack, "sez_turan").incentives}
    region = {s.name for s in dossier(pack, "KZ-61").incentives}
    table = pack.incentives
    sez_only = set(table[(table["country"] == "KZ") & (table["regions"] == "SEZ")]["name"])
    assert sez_only and sez_only <= zone and not (sez_only & region)
    bursa = sorted(s.name for s in dossier(pack, "TR-16").incentives)
    tr = table[table["country"] == "TR"]
    here = tr[tr["regions"].map(lambda r: r == "TR" or "TR-16" in str(r).split(";"))]
    assert bursa and bursa == sorted(here["name"])


def test_logistics_access_is_kopru_route(pack):
    d = dossier(pack, "TR-16")
    assert {a.destination for a in d.access} >= {"Moscow", "Almaty", "Urumqi"}
    for a in d.access:
        hub = pack.nodes.index[pack.nodes["name"] == a.destination][0]
        route = kopru.route("bursa", hub)
        assert a.days == pytest.approx(route.days) and a.usd_per_teu == pytest.approx(route.cost_usd_per_teu)


def test_an_unknown_site_is_named_with_what_is_expected(pack):
    with pytest.raises(UnknownSite, match=r"no site 'KZ-99' in the data pack: expected a Kazakh region"):
        dossier(pack, "KZ-99")


def test_the_report_carries_the_leaders_and_the_baselines_dossiers(pack):
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    ds = report_dossiers(plan, pack)
    assert (
        ds[0].id == plan.recommendation.site
        and ds[-1].id == plan.site(plan.recommendation.baseline_site).region
    )
    assert len(ds) == 4 and len({d.id for d in ds}) == 4
    html = render_html(plan, pack)
    assert html.count('class="dossier"') == 4 and 'id="site-profiles"' in html
    section = html[html.index('id="site-profiles"') : html.index("Assumptions used")]
    assert "Logistics access" in section and "Incentive schemes of this place" in section


def test_a_zones_facts_name_their_sources_not_their_ids(pack):
    """A browser review: the site page's 'term source' row read 'sez_kazpravda_aktau_2025; ...'.
    Oracle: the data pack's sources table (every id, and the publisher the row names)."""
    ids = set(pack.sources.index)
    for zone in pack.sez.index:
        d = dossier(pack, zone)
        shown = " ".join(d.facts.values())
        assert [i for i in ids if i in shown] == [], zone
        for source in str(pack.sez.at[zone, "term_source"]).split(";"):
            if source in ids:
                assert pack.sources.at[source, "publisher"] in d.facts["term_source"]
                assert source in {s.id for s in d.sources}  # and cited in the list of sources
