"""What a computation reads of the data pack (kopru.datapack.reads), and packs with overrides
built from their base pack's latest values (the oracle: rebuilding them from the whole table)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kopru
from kopru import memo
from kopru.datapack import reads
from kopru.datapack.loader import _latest_params
from kopru.datapack.overrides import apply_overrides


def test_param_and_table_look_ups_are_recorded():
    pack = kopru.load_data()
    with reads.recording() as seen:
        pack.has_param("KZ-10", "electricity_price_industrial")
        pack.param("KZ", "electricity_price_industrial")
        pack.to_usd(pack.param("KZ-75", "wage_monthly_avg"))  # through the tenge's rate
        _ = pack.tariffs
    assert ("param", "KZ-10", "electricity_price_industrial") in seen  # asked, even though absent
    assert ("param", "KZT", "fx_per_usd") in seen
    assert ("table", "tariffs") in seen
    with reads.recording() as later:
        pass
    assert later == set()  # nothing outside a recording is noted


def test_an_outer_recording_sees_the_inner_ones_and_caches_are_bypassed():
    pack = kopru.load_data()
    cache: memo.LRU[int] = memo.LRU(4)
    cache.get("k", lambda: 1)
    with reads.recording() as outer:
        with reads.recording() as inner:
            pack.param("KZ", "vat_standard")
        assert cache.get("k", lambda: 2) == 2  # a kept answer would hide the reads behind it
    assert ("param", "KZ", "vat_standard") in inner <= outer
    assert cache.get("k", lambda: 3) == 1  # outside, the kept answer again


@pytest.mark.parametrize(
    ("key", "read"),
    [
        ("KZT.fx_per_usd", ("param", "KZT", "fx_per_usd")),
        ("mode:rail.cost_per_teu_km", ("param", "mode:rail", "cost_per_teu_km")),
        ("tariff.EAEU_CCT.6109", ("table", "tariffs")),
        ("edge.almaty.altynkol.rail.days", ("table", "edges")),
        ("node.aktau.handling_days", ("table", "nodes")),
    ],
)
def test_what_an_override_changes(key, read):
    assert reads.override_read(key) == read


def test_a_pattern_is_seen_by_a_read_of_any_subject_it_matches():
    seen = {("param", "KZ-61", "wage_monthly_avg"), ("param", "TR", "vat_standard")}
    assert reads.visible(reads.override_read("KZ*.wage_monthly_avg"), seen)
    assert reads.visible(("param", "KZ-6?", "wage_monthly_avg"), seen)
    assert not reads.visible(("param", "KZ-7*", "wage_monthly_avg"), seen)  # no such read
    assert not reads.visible(("param", "KZ*", "vat_standard"), seen)  # TR does not match


def test_reading_the_whole_parameters_table_sees_every_parameter():
    assert reads.visible(("param", "KZ", "vat_standard"), {("table", "parameters")})
    assert not reads.visible(("table", "tariffs"), {("table", "parameters")})


QUANTITIES = ["electricity_price_industrial", "gas_price_industrial", "wage_monthly_avg", "fx_per_usd"]
SUBJECTS = ["KZ", "KZ-10", "KZ-61", "KZ-75", "TR", "KZT", "TRY", "sez_turan"]


@settings(max_examples=25, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(QUANTITIES)), st.floats(1, 1e6), max_size=4
    )
)
def test_latest_values_after_overrides_equal_a_full_rebuild(changes):
    pack = kopru.load_data()
    pack.has_param("KZ", "vat_standard")  # the base pack's latest values are built
    overrides = {f"{s}.{q}": v for (s, q), v in changes.items() if _allowed(pack, s, q)}
    new = apply_overrides(pack, overrides)
    assert "_latest" in new.__dict__  # carried over, not rebuilt
    assert new._latest == _latest_params(new.parameters)


def _allowed(pack, subject: str, quantity: str) -> bool:
    """Whether an override of (subject, quantity) is valid: money values of regions in their
    currency, exchange rates only for currencies."""
    is_currency = subject in ("KZT", "TRY")
    return (quantity == "fx_per_usd") == is_currency
