"""Duties between customs territories. Oracles: the EAEU Common Customs Tariff's chapter 61 line for
T-shirts (purely specific, 1.75 EUR per kg) and hand arithmetic on the apparel example."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES

import kopru
from kopru.trade import input_duty_due, treatment


@pytest.fixture(scope="module")
def pack():
    return kopru.load_data()


def test_eaeu_specific_duty_on_t_shirts_is_read(pack):
    t = treatment(pack, "TR", "EAEU", "6109")
    assert t.regime == "EAEU_CCT" and t.rate == 0.0
    assert t.min_eur_per_kg == 1.75


def test_ad_valorem_lines_have_no_specific_minimum(pack):
    assert treatment(pack, "KZ", "EU", "6109").min_eur_per_kg == 0.0
    assert treatment(pack, "KZ", "EAEU", "6109").regime == "free"


def test_turkish_t_shirts_pay_the_specific_duty_into_kazakhstan(pack):
    # hand oracle: 1.75 EUR/kg x 0.2 kg a T-shirt / (EUR per USD) = the duty per unit in USD
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    profile = kopru.load_profile(EXAMPLES / "apparel.yaml")
    market = plan.site("plant_TR-20").by_market["mkt_KZ-75"]
    want = 1.75 * profile.unit_weight / pack.fx_per_usd("EUR")
    assert market.duty["min_eur_per_kg"] == 1.75
    assert market.components["duties"] == pytest.approx(want, rel=1e-9)
    # Kazakh sites sell into the EAEU duty-free
    assert plan.site("sez_turan").by_market["mkt_KZ-75"].components["duties"] == 0.0


def test_kazakh_goods_pay_turkeys_additional_duty(pack):
    # oracle: the 2026 Turkish list, column 7 (trade_tr_rejim_igv_2026): T-shirts 12 % + İGV 39 %,
    # fridges 1.9 % + 15 %, cement 1.7 % and no İGV
    for hs, want in (("6109", 0.51), ("8418", 0.169), ("2523", 0.017)):
        t = treatment(pack, "KZ", "TR", hs)
        assert t.regime == "TR_MFN+TR_IGV" and t.rate == pytest.approx(want, abs=1e-12)
        assert "trade_tr_rejim_igv_2026" in t.source.split(";")
    # an EU FTA partner pays neither; Georgia neither (FTA)
    assert treatment(pack, "EU", "TR", "6109").rate == 0.0


def test_every_heading_has_an_additional_duty_row(pack):
    tariffs = pack.tariffs
    assert set(tariffs[tariffs["regime"] == "TR_IGV"]["hs"]) == set(tariffs["hs"])


def test_every_mapped_heading_has_a_duty_in_every_regime(pack):
    # hs_nace.csv maps a heading to an industry; a profile may name any of them, so each needs a row in
    # every regime (8516, 7005 and 2009 had none, and such a profile stopped with an error)
    tariffs = pack.tariffs
    headings = {h for h in pack.table("hs_nace")["hs"].astype(str) if len(h) == 4}
    for regime, rows in tariffs.groupby("regime"):
        assert headings <= set(rows["hs"]), (regime, sorted(headings - set(rows["hs"])))


def test_water_heaters_glass_and_juice_by_hand(pack):
    # oracles: EEC CCT chapter files 85, 70, 20 (lines 8516 10 800 0: 10 %; 7005 29 350 0: 13 %;
    # 2009 71 990 9: 14 %, not less than 0.065 EUR per litre = 0.062 EUR/kg at 1.045 kg/l) and the 2026
    # Turkish list (8516.10: 2.7 % + İGV 30 %; apple juice 58.5 % for "other countries")
    assert treatment(pack, "TR", "EAEU", "8516").rate == pytest.approx(0.10, abs=1e-12)
    assert treatment(pack, "TR", "EAEU", "7005").rate == pytest.approx(0.13, abs=1e-12)
    juice = treatment(pack, "TR", "EAEU", "2009")
    assert juice.rate == pytest.approx(0.14, abs=1e-12) and juice.min_eur_per_kg == pytest.approx(0.062)
    assert treatment(pack, "KZ", "TR", "8516").rate == pytest.approx(0.327, abs=1e-12)
    assert treatment(pack, "KZ", "TR", "2009").rate == pytest.approx(0.585, abs=1e-12)


def test_a_heading_rule_overrides_the_pair_rule(pack):
    # oracle: the 2026 Turkish agricultural list, 2009.71.99: 'AB / İngiltere' 58.5 %, the same as
    # 'Diğer Ülkeler'; the customs union (Decision 1/95) covers industrial goods only, and the list
    # gives 0 % for EU biscuits (1905.31), so the all-goods rule stands there
    juice = treatment(pack, "EU", "TR", "2009")
    assert juice.regime == "TR_MFN" and juice.rate == pytest.approx(0.585, abs=1e-12)
    assert treatment(pack, "EU", "TR", "1905").rate == 0.0
    assert treatment(pack, "EU", "TR", "6109").regime == "free"


def test_inward_processing_waives_input_duty_on_exports_only(pack):
    """Türkiye's DİR and the EAEU's processing in the customs territory (inward_processing.csv):
    inputs of units that stay home pay duty; of exports, none, unless Türkiye's compensatory levy
    (telafi edici vergi) restores it on goods entering the EU or an FTA partner under a preference."""
    assert input_duty_due(pack, "TR", "TR", "6109") == 1.0  # sold at home
    assert input_duty_due(pack, "TR", "EAEU", "6109") == 0.0  # MFN into the EAEU: waived
    assert input_duty_due(pack, "TR", "UZ", "6109") == 0.0
    assert input_duty_due(pack, "TR", "EU", "6109") == 1.0  # A.TR into the EU: levy
    assert input_duty_due(pack, "TR", "GE", "6109") == 1.0  # FTA with Georgia: levy
    assert input_duty_due(pack, "KZ", "EAEU", "6109") == 1.0  # Russia is inside the Union
    assert input_duty_due(pack, "KZ", "TR", "6109") == 0.0
    assert input_duty_due(pack, "KZ", "UZ", "6109") == 0.0  # CIS FTA: no levy (labelled assumption)
    assert pack.table("inward_processing").at["EAEU", "assumption"]
    assert input_duty_due(pack, "CN", "EAEU", "6109") == 1.0  # no regime in the pack: duty paid


def test_inward_processing_flags_are_checked(tmp_path):
    import shutil
    from pathlib import Path

    from kopru.datapack.loader import DATA, read
    from kopru.errors import DataPackError

    root = tmp_path / "pack"
    shutil.copytree(Path(str(DATA)), root)
    path = root / "inward_processing.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",true,true,", ",yes,true,", 1), encoding="utf-8")
    with pytest.raises(DataPackError, match=r"row 2: waives_input_duty_on_exports must be true or false"):
        read(root)
