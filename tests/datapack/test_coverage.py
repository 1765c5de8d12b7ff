"""Where each region's values come from. Oracles: rows of the data pack read by hand."""

from __future__ import annotations

import re

import pytest

import kopru
from kopru.datapack.coverage import FAMILIES, borrowed, family_counts, region_values, table_counts


@pytest.fixture(scope="module")
def pack():
    return kopru.load_data()


@pytest.fixture(scope="module")
def status(pack):
    return {(v.region, v.family): v for v in region_values(pack)}


def test_statuses_by_hand(status):
    # every Kazakh unit has its own 2025 annual wage from one BNS table (element 5676), e.g. East
    # Kazakhstan 416,781 KZT and Abai 377,347 on rows of their own
    kz = [v for (region, family), v in status.items() if family == "wage" and region.startswith("KZ-")]
    assert len(kz) == 20 and all(v.status == "own" and v.subject == v.region for v in kz)
    assert {v.source for v in kz} == {"kz_bns_wages_regions_2025"}
    # Astana's 2026 electricity: an estimate (a supplier page quoted in public code), on its own row
    assert status[("KZ-71", "electricity")].status == "estimate"
    assert status[("KZ-71", "electricity")].subject == "KZ-71"
    # Turkish provinces have no wage of their own: the national figure, borrowed
    assert status[("TR-34", "wage")].status == "borrowed" and status[("TR-34", "wage")].subject == "TR"
    # Türkiye's electricity tariff is national by rule (quantities.yaml), not borrowed
    assert status[("TR-34", "electricity")].status == "national"
    assert status[("KZ-10", "electricity")].status == "borrowed"
    assert status[("TR-41", "gas")].status == "own"  # Kocaeli's distributor tariff (İZGAZ, İzmit)


def test_counts_add_up(pack):
    values = region_values(pack)
    counts = family_counts(values)
    n_regions = {"KZ": len(pack.regions), "TR": len(pack.provinces)}
    for (family, country), row in counts.iterrows():
        assert family in FAMILIES
        assert row["regions"] == n_regions[country]
        assert row[["own", "estimate", "national", "borrowed", "missing"]].sum() == row["regions"]
    tables = table_counts(pack)
    assert (tables["sourced"] + tables["assumptions"] == tables["values"]).all()


def test_cli_validate_prints_coverage(cli):
    r = cli("data", "validate")
    assert r.code == 0, r.err
    assert "is valid" in r.out and "Regional values" in r.out and "electricity" in r.out
    # the header's count and the table's say what they count: all rows, and the current values
    params = kopru.load_data().parameters
    current = len(params.drop_duplicates(["subject", "quantity"]))
    assert f"{len(params)} parameter rows ({current} current values" in r.out
    assert re.search(rf"│ parameters +│ +{current} │", r.out)
    r = cli("data", "validate", "--regions")
    assert "KZ-63 East Kazakhstan" in r.out.replace("\\n", " ")


def test_borrowed_values_say_why(pack):
    """Oracle: the borrowed column of family_counts, and the country rows read by hand."""
    values = region_values(pack)
    counts = family_counts(values)
    groups = {(b.family, b.country): b for b in borrowed(pack, values)}
    for (family, country), row in counts.iterrows():
        n = len(groups[(family, country)].regions) if (family, country) in groups else 0
        assert n == row["borrowed"]
    electricity = groups[("electricity", "KZ")]
    assert "Abai Region" in electricity.regions and "Kostanay Region" not in electricity.regions
    assert electricity.param.value == 29.14 and "Kostanay" in electricity.param.note  # EPK-forfait
    assert ("electricity", "TR") not in groups  # national by rule, not borrowed


def test_cli_validate_regions_explains_borrowed_values(cli):
    r = cli("data", "validate", "--regions")
    assert r.code == 0, r.err
    text = " ".join(r.out.split())
    assert "Borrowed values, and why" in text
    assert "electricity, KZ: 16 regions take 29.14 KZT/kWh" in text and "search passes" in text
    assert "wage, TR: 12 provinces take" in text
    data = kopru.api.check_data()
    assert sum(len(b["regions"]) for b in data["borrowed"]) == sum(f["borrowed"] for f in data["families"])
