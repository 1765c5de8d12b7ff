"""The data pack: every value sourced, every reference resolved, bad data and overrides caught."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES
from mapcheck import inside

import kopru
from kopru.datapack import load
from kopru.datapack.loader import BOUNDARIES_SOURCE, DATA, read
from kopru.errors import DataPackError, OverrideError


@pytest.fixture(scope="module")
def pack():
    return load()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(Path(str(DATA)), target)
    return target


def test_every_value_has_unit_year_and_known_source(pack):
    params = pack.parameters
    assert len(params) > 100
    assert params["unit"].str.len().gt(0).all()
    assert params["year"].between(1990, 2030).all()
    known = set(pack.sources.index)
    for cell in params["source"]:
        assert {s.strip() for s in cell.split(";")} <= known, cell
    assert params["note"].str.len().gt(0).all()


def test_every_table_row_names_a_known_source(pack):
    known = set(pack.sources.index)
    for name, table in pack.tables.items():
        for cell in table["source"]:
            ids = [s.strip() for s in cell.split(";") if s.strip()]
            assert ids, f"{name}: a row without source"
            assert set(ids) <= known, f"{name}: unknown source in {cell!r}"


def test_sources_have_titles_and_publishers(pack):
    assert pack.sources["title"].str.len().gt(0).all()
    assert pack.sources["publisher"].str.len().gt(0).all()


# One document, one source row: the same page under two ids had drifted into two notes that a reader
# could not reconcile. Two files of one public repository, and one order read for two periods, are
# separate reads and keep separate rows.
SEPARATE_READS_OF_ONE_ADDRESS = {
    "https://github.com/makenerzhan-gif/kazakhstan-economic-data",
    "https://adilet.zan.kz/rus/docs/V2300032715",
}


def test_no_two_sources_cite_the_same_address(pack):
    urls = pack.sources["url"].fillna("").str.strip().str.rstrip("/")
    urls = urls[urls.ne("") & ~urls.isin(SEPARATE_READS_OF_ONE_ADDRESS)]
    repeated = urls[urls.duplicated(keep=False)]
    assert repeated.empty, repeated.sort_values().to_string()


def test_twenty_first_level_units_after_2022(pack):
    regions = pack.regions
    assert len(regions) == 20
    assert (regions["kind"] == "city").sum() == 3
    # the three regions created in 2022 and their centres
    assert regions.loc["KZ-10", "centre"] == "Semey"
    assert regions.loc["KZ-33", "centre"] == "Taldykorgan"
    assert regions.loc["KZ-62", "centre"] == "Zhezkazgan"
    features = pack.boundaries["features"]
    assert {f["properties"]["iso"] for f in features} == set(regions.index)


def _rings(feature: dict) -> list[np.ndarray]:
    geometry = feature["geometry"]
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [np.asarray(ring, dtype=float) for polygon in polygons for ring in polygon]


def test_places_lie_in_their_own_region(pack):
    """Oracle: the points' own region column; an even-odd test against the shipped boundaries."""
    rings = {f["properties"]["iso"]: _rings(f) for f in pack.boundaries["features"]}
    markets = pack.tables["markets"].set_index("id")
    kz_markets = markets[markets["country"] == "KZ"]
    places = pd.concat(
        [
            pack.regions.assign(region=pack.regions.index)[["region", "lat", "lon"]],
            pack.sez[["region", "lat", "lon"]],
            pack.tables["industrial_zones"].set_index("id")[["region", "lat", "lon"]],
            kz_markets.assign(region=kz_markets.index.str.removeprefix("mkt_"))[["region", "lat", "lon"]],
        ]
    )
    outside = [
        pid
        for pid, row in places.iterrows()
        if not inside(rings[row["region"]], np.array([[row["lon"], row["lat"]]], dtype=float))[0]
    ]
    assert len(kz_markets) == 20 and len(places) == 40 + len(pack.sez) + len(pack.tables["industrial_zones"])
    assert not outside, outside


def test_boundaries_carry_a_licence_that_allows_redistribution(pack):
    licence = (DATA / "kz-adm1.LICENSE.md").read_text(encoding="utf-8")
    assert "Attribution 4.0 International" in licence  # the CC BY 4.0 legal code, beside the file
    assert "geokz" in licence and "OpenStreetMap" in licence  # attribution, and the upstream named
    assert pack.sources.loc[BOUNDARIES_SOURCE, "licence"].startswith("CC BY 4.0")


def test_iso_codes_agree_with_pycountry_names(pack):
    """Oracle: the ISO 3166-2 names recorded by the pycountry source, read into each note."""
    for rid, row in pack.regions.iterrows():
        assert rid.startswith("KZ-")
        assert "pycountry" in row["source"]


def test_sez_cover_the_thirteen_of_the_facts_file(pack):
    names = " ".join(pack.sez["name"]).lower()
    for expected in (
        "technopolis",
        "new city",
        "khorgos",
        "ontustik",
        "pavlodar",
        "petrochemical",
        "seaport aktau",
        "turan",
        "chemical park taraz",
        "saryarka",
        "burabay",
        "alatau",
        "boundary cooperation",
    ):
        assert expected in names, expected
    assert len(pack.sez) >= 13
    assert set(pack.sez["region"]) <= set(pack.regions.index)


def test_sez_regime_incentives(pack):
    for quantity in ("corporate_income_tax", "property_tax", "land_tax", "customs_duty_on_inputs"):
        assert pack.param("KZ-SEZ", quantity).value == 0.0


def test_taxes_of_both_countries(pack):
    assert pack.param("KZ", "corporate_income_tax").value == 20
    assert pack.param("TR", "corporate_income_tax").value == 25
    assert pack.param("KZ", "vat_standard").value == 16  # from 1 January 2026
    assert pack.param("TR", "vat_standard").value == 20


def test_turkish_baseline_has_eight_provinces_with_wages_and_energy(pack):
    provinces = pack.provinces
    assert len(provinces) >= 8
    for pid in ("TR-34", "TR-41", "TR-16", "TR-35", "TR-06", "TR-42", "TR-38", "TR-27"):
        assert pid in provinces.index
        for q in ("electricity_price_industrial", "gas_price_industrial", "wage_monthly_avg"):
            pack.param(pid, q, fallback="TR")


def test_markets_and_tariff_headings(pack):
    countries = set(pack.markets["country"])
    assert {"RU", "UZ", "KG", "TJ", "TM", "AZ", "GE", "CN", "TR"} <= countries
    assert (pack.markets["country"] == "KZ").sum() == 20
    eaeu = pack.tariffs[pack.tariffs["regime"] == "EAEU_CCT"]
    assert eaeu["hs"].nunique() >= 10


def test_turkiye_has_no_fta_with_eaeu_and_a_customs_union_with_eu(pack):
    rules = pack.trade_rules.set_index(["origin", "territory", "hs"])
    assert rules.loc[("TR", "EAEU", ""), "treatment"] == "EAEU_CCT"
    assert rules.loc[("TR", "EU", ""), "treatment"] == "free"


@pytest.mark.parametrize(
    ("hs", "message"),
    [("190", "'190' is not a 2-digit chapter"), ("2009", "two rules for goods from EU into TR")],
)
def test_bad_heading_rules_are_rejected(data_copy, hs, message):
    def narrow(df):
        row = df[(df["origin"] == "EU") & (df["territory"] == "TR")].iloc[[0]].assign(hs=hs)
        return pd.concat([df, row], ignore_index=True)

    path = data_copy / "trade_rules.csv"
    narrow(pd.read_csv(path, dtype=str, keep_default_na=False)).to_csv(path, index=False)
    with pytest.raises(DataPackError, match=message):
        read(data_copy)


def test_fx_rates_present(pack):
    for ccy in ("KZT", "TRY", "EUR"):
        assert pack.fx_per_usd(ccy) > 0


def test_version_is_stable(pack):
    assert load().version == pack.version


def test_version_is_the_datas_not_the_installs(pack, data_copy):
    """A copy of the same data elsewhere (another clone, another virtual environment) has the same
    version; one changed byte gives another."""
    assert read(data_copy).version == pack.version
    regions = data_copy / "regions.csv"
    regions.write_bytes(regions.read_bytes() + b"\n")
    assert read(data_copy).version != pack.version


# -- bad data is caught at load time ----------------------------------------------------------
def _edit_csv(path: Path, edit) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(df)
    df.to_csv(path, index=False)


def test_unknown_source_is_rejected(data_copy):
    _edit_csv(
        data_copy / "parameters" / "taxes_fx.csv",
        lambda df: df.loc.__setitem__((0, "source"), "nowhere"),
    )
    with pytest.raises(DataPackError, match="source 'nowhere' is not in sources"):
        read(data_copy)


def test_boundaries_without_their_source_are_rejected(data_copy):
    path = data_copy / "sources" / "kz_regions.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df[df["id"] != BOUNDARIES_SOURCE].to_csv(path, index=False)
    with pytest.raises(DataPackError, match=f"its source {BOUNDARIES_SOURCE} is not in sources"):
        read(data_copy)


def test_bad_unit_is_rejected(data_copy):
    _edit_csv(
        data_copy / "parameters" / "taxes_fx.csv",
        lambda df: df.loc.__setitem__((0, "unit"), "furlongs"),
    )
    with pytest.raises(DataPackError, match="unit 'furlongs' not allowed"):
        read(data_copy)


def test_non_numeric_value_is_rejected(data_copy):
    _edit_csv(
        data_copy / "parameters" / "taxes_fx.csv",
        lambda df: df.loc.__setitem__((0, "value"), "twenty"),
    )
    with pytest.raises(DataPackError, match="must be a number, got 'twenty'"):
        read(data_copy)


def test_edge_to_unknown_node_is_rejected(data_copy):
    _edit_csv(data_copy / "corridor_edges.csv", lambda df: df.loc.__setitem__((0, "to"), "atlantis"))
    with pytest.raises(DataPackError, match="'atlantis' is not a known corridor node"):
        read(data_copy)


@pytest.mark.parametrize(
    ("row", "waters", "message"),
    [
        ("aktau-baku_alat", "caspian;atlantic", "unknown water 'atlantic'; expected one of caspian"),
        ("aktau-baku_alat", "", "a ferry leg must name the waters it crosses"),
        ("almaty-altynkol", "caspian", "a rail leg crosses no water"),
    ],
)
def test_a_leg_with_wrong_waters_is_rejected(data_copy, row, waters, message):
    a, b = row.split("-")

    def edit(df):
        df.loc[(df["from"] == a) & (df["to"] == b), "waters"] = waters

    _edit_csv(data_copy / "corridor_edges.csv", edit)
    with pytest.raises(DataPackError, match=f"corridor_edges.csv, row .* \\({row}\\): {message}"):
        read(data_copy)


def test_missing_boundary_is_rejected(data_copy):
    import json

    path = data_copy / "kz-adm1.geojson"
    gj = json.loads(path.read_text())
    gj["features"] = gj["features"][1:]
    path.write_text(json.dumps(gj))
    with pytest.raises(DataPackError, match="has no boundary for"):
        read(data_copy)


# -- overrides --------------------------------------------------------------------------------
def test_override_replaces_and_marks(pack):
    old = pack.param("KZ-23", "wage_monthly_avg").value
    changed = load({"KZ-23.wage_monthly_avg": {"value": 600000, "note": "HR survey"}})
    p = changed.param("KZ-23", "wage_monthly_avg")
    assert p.value == 600000 and p.overridden and p.source == "user_override"
    assert changed.overrides[0].old == old
    assert load().param("KZ-23", "wage_monthly_avg").value == old  # the shipped pack is untouched


def test_override_tariff_edge_and_node(pack):
    changed = load(
        {
            "tariff.EAEU_CCT.6109": 12,
            "edge.aktau.baku_alat.ferry.cost_usd_per_teu": 1500,
            "node.khorgos.handling_days": 3,
        }
    )
    t = changed.tariffs
    assert t[(t.regime == "EAEU_CCT") & (t.hs == "6109")]["rate_pct"].iloc[0] == 12
    assert changed.nodes.at["khorgos", "handling_days"] == 3
    assert [o.key for o in changed.overrides] == [
        "tariff.EAEU_CCT.6109",
        "edge.aktau.baku_alat.ferry.cost_usd_per_teu",
        "node.khorgos.handling_days",
    ]


def test_a_pattern_with_a_factor_scales_every_value_it_matches(pack):
    """A manufacturer's review: 'Kazakh wages +30 %' took one override per region, and
    KZ.wage_monthly_avg alone moved no site. Oracle: each value of the shipped pack × 1.3, in its
    own year; subjects the pattern does not match keep theirs."""
    changed = load({"KZ*.wage_monthly_avg": {"factor": 1.3, "note": "wage push"}})
    kazakh = [s for s in pack.parameters.query("quantity == 'wage_monthly_avg'")["subject"].unique()]
    kazakh = sorted(s for s in kazakh if s.startswith("KZ"))
    assert len(kazakh) == 21  # the national row and the 20 regions
    for subject in kazakh:
        before, after = pack.param(subject, "wage_monthly_avg"), changed.param(subject, "wage_monthly_avg")
        assert after.value == pytest.approx(before.value * 1.3, rel=1e-12)
        assert after.year == before.year and after.overridden
    assert changed.param("TR", "wage_monthly_avg").value == pack.param("TR", "wage_monthly_avg").value
    (o,) = changed.overrides
    assert (o.key, o.old, o.new, o.unit, o.factor, o.note) == (
        "KZ*.wage_monthly_avg",
        None,
        1.3,
        "×",
        True,
        "wage push",
    )
    assert list(o.matched) == kazakh
    # a value on a pattern sets each one; a factor on one subject is recorded as the value it gives
    flat = load({"KZ-6?.wage_monthly_avg": 300_000})
    assert {s: flat.param(s, "wage_monthly_avg").value for s in ("KZ-61", "KZ-62", "KZ-63", "KZ-59")} == {
        "KZ-61": 300_000,
        "KZ-62": 300_000,
        "KZ-63": 300_000,
        "KZ-59": pack.param("KZ-59", "wage_monthly_avg").value,
    }
    one = load({"KZ-61.wage_monthly_avg": {"factor": 2}}).overrides[0]
    wage = pack.param("KZ-61", "wage_monthly_avg")
    assert (one.old, one.new, one.year, one.factor) == (wage.value, 2 * wage.value, wage.year, False)


def test_overrides_apply_in_one_order_whatever_the_files(pack):
    """A review: KZ* x 1.3 with KZ-61 = 400000 gave 400000 one way round and 520000 the other, while
    the sweep's caches key overrides sorted. Patterns' values first, then factors, then a subject's
    own value, which wins. Oracle: both orders, and the pack's own values x 1.3 for the others."""
    one = {"KZ*.wage_monthly_avg": {"factor": 1.3}, "KZ-61.wage_monthly_avg": 400_000}
    two = dict(reversed(list(one.items())))
    for mapping in (one, two):
        changed = load(mapping)
        assert changed.param("KZ-61", "wage_monthly_avg").value == 400_000
        expected = pack.param("KZ-75", "wage_monthly_avg").value * 1.3
        assert changed.param("KZ-75", "wage_monthly_avg").value == pytest.approx(expected)
    with pytest.raises(OverrideError, match=r"KZ-61.wage_monthly_avg is set by KZ-6.* too"):
        load({"KZ-6?.wage_monthly_avg": 300_000, "KZ-6[1-2].wage_monthly_avg": 310_000})
    with pytest.raises(OverrideError, match="give land_price in TRY/m2 and USD/m2; one value cannot be both"):
        load({"TR*.land_price": 300})
    mixed = load({"TR*.land_price": {"factor": 2}})  # a factor keeps each value's own unit
    for subject in ("TR-16", "TR-38"):
        before, after = pack.param(subject, "land_price"), mixed.param(subject, "land_price")
        assert (after.value, after.unit) == (before.value * 2, before.unit)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"XX*.wage_monthly_avg": {"factor": 1.3}}, "no subject matching 'XX\\*' has a wage_monthly_avg"),
        ({"KZ*.wage_monthly_avg": {"factor": 0}}, "factor must be more than 0 and at most 100"),
        ({"KZ*.wage_monthly_avg": {"factor": 443315}}, "factor must be more than 0 and at most 100"),
        # a web review: these were told "value must not be negative" and "at most 1e+09"
        ({"KZ*.wage_monthly_avg": {"factor": -1}}, "factor must be more than 0 and at most 100"),
        ({"KZ*.wage_monthly_avg": {"factor": 1e300}}, "factor must be more than 0 and at most 100"),
        ({"KZ*.wage_monthly_avg": {"factor": 1.3, "year": 2026}}, "a factor keeps each value's unit"),
        ({"KZ*.wage_monthly_avg": {"factor": 1.3, "value": 1}}, "expected a number, {value, unit"),
        ({"tariff.EAEU_CCT.6109": {"factor": 2}}, "a factor applies to a parameter's value, not a tariff's"),
        ({"KZ*.corporate_income_tax": {"factor": 10}}, "% is more than 100 %"),
        ({"KZ*.wage_monthly_avg": {"value": 1, "unit": "USD/month"}}, "unit must be KZT/month"),
    ],
)
def test_bad_pattern_and_factor_overrides(mapping, message):
    with pytest.raises(OverrideError, match=message):
        load(mapping)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"KZ-23.wage": 1}, "unknown quantity 'wage'"),
        ({"XX-99.wage_monthly_avg": 1}, "unknown subject 'XX-99'"),
        ({"KZ-23.wage_monthly_avg": "a lot"}, "value must be a finite number"),
        ({"KZ-23.wage_monthly_avg": -3}, "must not be negative, got -3"),
        # a CLI review: a wage of 0 was a traceback (a NaN where a support is a rate on the wage)
        ({"KZ-23.wage_monthly_avg": 0}, r"value must be more than 0 \(other values divide by it"),
        ({"TR*.wage_monthly_avg": 0}, "value must be more than 0"),
        # and a Turkish 600.000 typed as text was read as 600
        ({"KZ-23.wage_monthly_avg": "600.000"}, "'600.000' reads two ways: write '600000' for thousands"),
        ({"KZ-23.wage_monthly_avg": "400,5"}, "use a point for decimals: .400.5."),
        ({"KZ-23.wage_monthly_avg": {"value": 1, "unit": "USD/month"}}, "unit must be KZT/month"),
        ({"tariff.EAEU_CCT.0000": 1}, "no tariff row"),
        ({"edge.aktau.moscow.ferry.days": 1}, "no ferry edge"),
        ({"node.atlantis.handling_days": 1}, "expected node.<id>.<field>"),
        ({"nodot": 1}, "expected <subject>.<quantity>"),
        # labour hours: Türkiye's is 1 by definition, and a region's would be read by no site
        ({"TR.labour_hours_factor": 0.8}, "refused, labour_hours_factor may be set for Kazakhstan only"),
        ({"KZ-61.labour_hours_factor": 1.5}, r"for Kazakhstan only \(KZ.labour_hours_factor\)"),
        ({"*.labour_hours_factor": {"factor": 1.1}}, r"\(it matches TR\): refused"),
    ],
)
def test_bad_overrides(mapping, message):
    with pytest.raises(OverrideError, match=message):
        load(mapping)


def test_overrides_file_errors(tmp_path):
    path = tmp_path / "o.yaml"
    with pytest.raises(OverrideError, match="does not exist"):
        load(path)
    path.write_text("")
    with pytest.raises(OverrideError, match="is empty"):
        load(path)
    path.write_text("a: [")
    with pytest.raises(OverrideError, match="malformed YAML"):
        load(path)
    path.write_text("- 1\n")
    with pytest.raises(OverrideError, match="must be a mapping"):
        load(path)
    path.write_text("KZ-23.wage_monthly_avg: 600.000\n")  # YAML's 600: refused with its line
    with pytest.raises(OverrideError, match=r"line 1, KZ-23\.wage_monthly_avg: '600\.000' reads two ways"):
        load(path)


@pytest.mark.parametrize(
    ("until", "source", "message"),
    [
        ("2030-13-01", "sez_decree_1605_ontustik", "term_until '2030-13-01' is not a date"),
        ("20300701", "sez_decree_1605_ontustik", "term_until '20300701' is not a date"),
        ("2030-W27-1", "sez_decree_1605_ontustik", "is not a date"),
        ("2300-07-01", "sez_decree_1605_ontustik", "is not a date"),
        ("2030-07-01", "", "term_until 2030-07-01 needs a term_source"),
        ("2030-07-01", "nowhere", "term_source 'nowhere' is not in sources"),
        ("", "sez_decree_1605_ontustik", "term_source given without a term_until date"),
    ],
)
def test_bad_zone_terms_are_rejected(data_copy, until, source, message):
    def edit(df):
        row = df.index[df["id"] == "sez_ontustik"][0]
        df.loc[row, ["term_until", "term_source"]] = [until, source]

    _edit_csv(data_copy / "sez.csv", edit)
    with pytest.raises(DataPackError, match=message):
        read(data_copy)


def test_zone_terms_quote_their_source(pack):
    # oracle: each term_until is the end its cited sources state, as the first day the zone no longer
    # runs: "until <year>" is 1 January of that year, "until 31 December <year>" the next 1 January
    import datetime as dt

    sez = pack.sez
    dated = sez[sez["term_until"] != ""]
    assert len(dated) >= 13
    for zid, row in dated.iterrows():
        first_day_after = dt.date.fromisoformat(row["term_until"])
        years = {str(first_day_after.year), str((first_day_after - dt.timedelta(days=1)).year)}
        cited = " ".join(pack.sources.loc[s, "note"] for s in row["term_source"].split(";"))
        assert any(y in cited for y in years), zid
    assert sez.at["sez_nipt", "term_until"] == "2033-01-01"  # "until December 31, 2032"
    assert sez.at["sez_ontustik", "term_until"] == "2030-07-01"
    assert sez.at["sez_turan", "term_until"] == "2043-01-01"
    assert sez.at["sez_saryarka", "term_until"] == "" and "Term not found" in sez.at["sez_saryarka", "note"]


def test_a_rate_others_divide_by_cannot_be_zero(data_copy):
    # quantities.yaml marks fx_per_usd, hours_per_month and the container sizes positive: neither the
    # pack nor an override may set them to 0 (every tenge value would divide by it)
    with pytest.raises(OverrideError, match=r"KZT.fx_per_usd: value must be more than 0 \(other values"):
        load({"KZT.fx_per_usd": 0})

    def zero_rate(df):
        row = df.index[(df["subject"] == "KZT") & (df["quantity"] == "fx_per_usd")][0]
        df.loc[row, "value"] = "0"

    _edit_csv(data_copy / "parameters" / "taxes_fx.csv", zero_rate)
    with pytest.raises(DataPackError, match="fx_per_usd must be > 0"):
        read(data_copy)


def test_a_tax_rate_is_at_most_100_percent_and_a_duty_at_most_1000(data_copy):
    # CLI QA: VAT 1600 (a slip for 16) planned silently; quantities.yaml marks shares of a whole max_pct
    with pytest.raises(OverrideError, match=r"KZ.vat_standard: 1600 % is more than 100 %"):
        load({"KZ.vat_standard": 1600})
    assert load({"KZ.vat_standard": 100}).param("KZ", "vat_standard").value == 100
    with pytest.raises(OverrideError, match=r"beyond any customs duty \(at most 1000 %"):
        load({"tariff.EAEU_CCT.6109": 1500})
    assert load({"tariff.EAEU_CCT.6109": 250}) is not None  # high duties exist (a few hundred %)

    def sixteen_hundred_percent_vat(df):
        row = df.index[(df["subject"] == "KZ") & (df["quantity"] == "vat_standard")][0]
        df.loc[row, "value"] = "1600"

    _edit_csv(data_copy / "parameters" / "taxes_fx.csv", sixteen_hundred_percent_vat)
    with pytest.raises(DataPackError, match="vat_standard must be at most 100 %"):
        read(data_copy)


def test_an_override_in_scientific_notation_is_a_number():
    # YAML 1.1 reads 3e5 (no dot) as text; the override takes it as the number it is
    import yaml

    raw = yaml.safe_load("KZ-61.wage_monthly_avg: 3e5")
    assert raw["KZ-61.wage_monthly_avg"] == "3e5"
    assert load(raw).param("KZ-61", "wage_monthly_avg").value == 300000.0
    with pytest.raises(OverrideError, match="must be a finite number"):
        load({"KZ-61.wage_monthly_avg": "three hundred thousand"})


def test_a_400_digit_override_is_one_line_not_an_overflow():
    with pytest.raises(
        OverrideError, match=r"must be a finite number, got 1000000000000000000000000000000000000\.\.\."
    ):
        load({"KZ-61.wage_monthly_avg": 10**400})
    with pytest.raises(OverrideError, match="beyond any value of this kind"):
        load({"KZ-61.wage_monthly_avg": 1e15})


def test_a_tariffs_specific_minimum_can_be_overridden_and_a_rate_under_it_is_flagged():
    """A manufacturer's review: 'tariff: {EAEU_CCT.6109: 0}' (an EAEU-Türkiye FTA) changed nothing,
    since the row's duty is a specific 1.75 EUR/kg, which no key reached. Oracle: the Denizli plant's
    duty to Russia before and after, and the row's own minimum."""

    base = kopru.plan(EXAMPLES / "apparel.yaml")
    denizli = next(s.id for s in base.sites if "Denizli" in s.name)
    assert base.site(denizli).by_market["mkt_RU"].components["duties"] > 0
    rate_only = kopru.plan(EXAMPLES / "apparel.yaml", overrides={"tariff.EAEU_CCT.6109": 0})
    assert rate_only.site(denizli).by_market["mkt_RU"].components["duties"] == pytest.approx(
        base.site(denizli).by_market["mkt_RU"].components["duties"]
    )
    assert "specific minimum of 1.75 EUR/kg still applies" in rate_only.overrides[0]["check"]
    free = {"tariff.EAEU_CCT.6109": 0, "tariff.EAEU_CCT.6109.min_eur_per_kg": 0}
    both = kopru.plan(EXAMPLES / "apparel.yaml", overrides=free)
    assert both.site(denizli).by_market["mkt_RU"].components["duties"] == 0
    assert [o["check"] for o in both.overrides] == ["", ""]
    assert both.overrides[1] | {"read": True} == {
        "key": "tariff.EAEU_CCT.6109.min_eur_per_kg",
        "old": 1.75,
        "new": 0.0,
        "unit": "EUR/kg",
        "note": "user override",
        "year": None,
        "check": "",
        "factor": False,
        "matched": [],
        "read": True,
    }
    with pytest.raises(kopru.OverrideError, match=r"a tariff row.s field is rate_pct .* or min_eur_per_kg"):
        load({"tariff.EAEU_CCT.6109.max": 1})


def test_a_percentage_given_as_a_fraction_is_flagged():
    """A manufacturer's review: KZ.corporate_income_tax 0.2 (meant 20 %) was read as 0.2 % and cut
    Turkistan Region's cost by 2.5 million USD a year without a word."""

    plan = kopru.plan(EXAMPLES / "apparel.yaml", overrides={"KZ.corporate_income_tax": 0.2})
    check = plan.overrides[0]["check"]
    assert check.startswith("0.2 % where the data pack has 20 %: a rate in per cent (20 means 20 %)")
    assert f"Check the overrides: KZ.corporate_income_tax: {check}" in plan.recommendation.text
    assert (
        kopru.plan(EXAMPLES / "apparel.yaml", overrides={"KZ.corporate_income_tax": 15}).overrides[0]["check"]
        == ""
    )


def test_a_value_ten_times_the_packs_or_a_tenth_of_it_is_flagged():
    """A web review: a labour hours factor of 1,000 ran without a word. Oracle: the data pack's own
    values (KZ.labour_hours_factor 1.2, KZT 474.59 per USD in 2026); at 10 times and beyond, or a
    tenth and below, the plan says to check it, and still uses it."""
    pack = kopru.load_data()
    factor = pack.param("KZ", "labour_hours_factor").value
    plan = kopru.plan(EXAMPLES / "apparel.yaml", overrides={"KZ.labour_hours_factor": 1000})
    check = plan.overrides[0]["check"]
    assert check == (
        f"1,000 is {1000 / factor:,.3g} times the data pack's {factor:g} (Kazakhstan's labour hours a unit"
        " relative to a Turkish plant's): a slip of a unit or a zero? It is used as given."
    )
    assert f"Check the overrides: KZ.labour_hours_factor: {check}" in plan.recommendation.text
    rate = pack.param("KZT", "fx_per_usd").value
    fx = load({"KZT.fx_per_usd": rate / 100}).overrides[0]
    assert fx.check.startswith(f"{rate / 100:.3g} KZT/USD is 1/100 of the data pack's {rate:,.0f} KZT/USD")
    assert load({"KZ*.wage_monthly_avg": {"factor": 12}}).overrides[0].check.startswith("× 12 makes every")
    # a diff review: a pattern given a value went unchecked; 1.25e+03 read as a ratio; 0.05 as +5 %
    wages = pack.parameters.query("quantity == 'wage_monthly_avg' and subject.str.startswith('KZ')")
    top = wages.loc[wages["value"].idxmax()]
    low = load({"KZ*.wage_monthly_avg": 5}).overrides[0].check
    assert low.startswith(f"5 KZT/month is 1/{top['value'] / 5:,.0f} of the data pack's {top['value']:,.0f}")
    assert "e+" not in load({"KZ.labour_hours_factor": 1500}).overrides[0].check
    small = load({"KZ*.wage_monthly_avg": {"factor": 0.05}}).overrides[0].check
    assert "1/20 of the data pack's" in small and "a change typed as a factor? (1.05 means +5 %)" in small
    ferry = load({"edge.aktau.baku_alat.ferry.days": 30}).overrides[0]
    assert ferry.check.startswith("30 days is") and "(" not in ferry.check  # no name but its key
    # within a tenth and ten times: a scenario, not a slip
    near = {"KZ.labour_hours_factor": factor * 9.9, "KZT.fx_per_usd": rate * 0.11}
    assert all(o.check == "" for o in load(near).overrides)
    assert load({"KZ*.wage_monthly_avg": {"factor": 9.9}}).overrides[0].check == ""


def test_a_value_for_a_subject_without_its_own_row_is_read_in_the_unit_it_takes_now():
    """A CFO's review: 'TR-20.wage_monthly_avg: 80000' (Denizli has no wage row; it takes Türkiye's)
    was read in KZT/month, the first unit the quantity lists, and the Turkish baseline's labour fell
    by nine tenths unsaid. Oracle: the data pack's own rows, Türkiye's wage in TRY/month and Turkistan
    Region's in KZT/month; a value far from the one taken now is flagged as for a row of its own."""
    pack = kopru.load_data()
    assert not pack.parameters.query("subject == 'TR-20' and quantity == 'wage_monthly_avg'").size
    national = pack.param("TR", "wage_monthly_avg")
    denizli = load({"TR-20.wage_monthly_avg": 80000})
    assert denizli.param("TR-20", "wage_monthly_avg").unit == national.unit == "TRY/month"
    assert denizli.overrides[0].unit == "TRY/month" and denizli.overrides[0].check == ""
    far = load({"TR-20.wage_monthly_avg": 800000}).overrides[0].check
    assert far.startswith(f"800,000 TRY/month is {800000 / national.value:.3g} times the data pack's")
    # an SEZ takes its region's (tenge) value; a unit given is kept, and not compared across units
    region = pack.param(pack.sez.at["sez_turan", "region"], "wage_monthly_avg")
    zone = load({"sez_turan.wage_monthly_avg": 400000})
    assert zone.param("sez_turan", "wage_monthly_avg").unit == region.unit == "KZT/month"
    dollars = load({"TR-20.wage_monthly_avg": {"value": 50, "unit": "USD/month"}}).overrides[0]
    assert dollars.unit == "USD/month" and dollars.check == ""
    # the plan costs Denizli's wage as the lira it is
    plan = kopru.plan(EXAMPLES / "apparel.yaml", overrides={"TR-20.wage_monthly_avg": 80000})
    wage = plan.site("plant_TR-20").inputs["wage"]
    assert wage.unit == "TRY/month" and wage.costed == pytest.approx(80000 / pack.fx_per_usd("TRY"), rel=1e-9)


def test_a_subject_only_the_pack_sets_may_be_given_its_own_value():
    """Re-entering a value the pack has changes nothing (older sweep files and runs may name
    TR.labour_hours_factor: 1); a pattern may cover Kazakhstan's factor."""
    assert load({"TR.labour_hours_factor": 1}).param("TR", "labour_hours_factor").value == 1
    assert load({"K*.labour_hours_factor": 1.4}).param("KZ", "labour_hours_factor").value == 1.4


def test_overrides_never_touch_what_is_kept_per_shipped_data():
    """Site names and each node's country are kept per data pack version (kopru.display,
    kopru.corridors): safe only while no override can write a name or a node's country."""
    from kopru.datapack.overrides import EDGE_FIELDS, NODE_FIELDS

    assert not {"name", "country"} & (set(NODE_FIELDS) | set(EDGE_FIELDS))
    with pytest.raises(OverrideError, match=r"expected node\.<id>\.<field>"):
        load({"node.khorgos.country": 1})
