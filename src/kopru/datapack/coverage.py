"""How much of the data pack is a region's own sourced figure, an estimate or borrowed.

A site is costed with its region's value when the pack has one, else with its country's: that
value is *borrowed*, unless the quantity is national by rule there (quantities.yaml ``national``,
e.g. Türkiye's equalised electricity tariff). A region's own value may still be an estimate
(``assumption: true``, e.g. a ratio method). ``kopru data validate`` prints these counts per family
of values and per region, and why values are borrowed: the note of the country row they take.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from kopru.datapack.loader import DataPack, Param

Status = Literal["own", "estimate", "national", "borrowed", "missing"]
# the regional families a site's cost reads, and the quantities behind each (first found wins,
# as kopru.sites looks them up)
FAMILIES: dict[str, tuple[str, ...]] = {
    "wage": ("wage_monthly_manufacturing", "wage_monthly_avg"),
    "electricity": ("electricity_price_industrial",),
    "gas": ("gas_price_industrial",),
    "land": ("land_price",),
}
STATUSES: tuple[Status, ...] = ("own", "estimate", "national", "borrowed", "missing")


def is_national(pack: DataPack, quantity: str, country: str) -> bool:
    """Whether one value is right for every region of ``country`` (quantities.yaml ``national``),
    so that a region using the country's value does not borrow it."""
    return country in (pack.quantities.get(quantity, {}).get("national") or {})


@dataclass(frozen=True)
class RegionValue:
    """Where one region's value of one family comes from."""

    country: str
    region: str
    name: str
    family: str
    status: Status
    subject: str | None  # the subject whose value is used (the region, or the country it falls back to)
    year: int | None
    source: str | None


def _status(pack: DataPack, region: str, country: str, family: str) -> tuple[Status, Any]:
    for quantity in FAMILIES[family]:
        if pack.has_param(region, quantity):
            p = pack.param(region, quantity)
            return ("estimate" if p.assumption else "own"), p
    for quantity in FAMILIES[family]:
        if pack.has_param(country, quantity):
            status: Status = "national" if is_national(pack, quantity, country) else "borrowed"
            return status, pack.param(country, quantity)
    return "missing", None


def region_values(pack: DataPack) -> list[RegionValue]:
    """Every Kazakh region and Turkish province × family, with where its value comes from."""
    regions = [("KZ", rid, r["name"]) for rid, r in pack.regions.iterrows()]
    regions += [("TR", pid, p["name"]) for pid, p in pack.table("provinces").iterrows()]
    out = []
    for country, rid, name in regions:
        for family in FAMILIES:
            status, p = _status(pack, rid, country, family)
            out.append(
                RegionValue(
                    country,
                    rid,
                    name,
                    family,
                    status,
                    p.subject if p is not None else None,
                    p.year if p is not None else None,
                    p.source if p is not None else None,
                )
            )
    return out


@dataclass(frozen=True)
class Borrowed:
    """The regions of one country that take its value of one family, and why: the country row's
    note says what the value is and what was searched for the regions' own."""

    family: str
    country: str
    regions: tuple[str, ...]  # names, in the pack's order
    param: Param  # the country's row they take


def borrowed(pack: DataPack, values: list[RegionValue]) -> list[Borrowed]:
    """Per family and country, the regions on a borrowed value, with the borrowed row's note."""
    out = []
    for (family, country), group in _borrowers(values).items():
        p = next(pack.param(country, q) for q in FAMILIES[family] if pack.has_param(country, q))
        out.append(Borrowed(family, country, tuple(group), p))
    return out


def _borrowers(values: list[RegionValue]) -> dict[tuple[str, str], list[str]]:
    groups: dict[tuple[str, str], list[str]] = {}
    for v in values:
        if v.status == "borrowed":
            groups.setdefault((v.family, v.country), []).append(v.name)
    return groups


def family_counts(values: list[RegionValue]) -> pd.DataFrame:
    """Counts per (family, country) of own, estimated, borrowed and missing values, and the total."""
    df = pd.DataFrame([{"family": v.family, "country": v.country, "status": v.status} for v in values])
    counts = df.groupby(["family", "country"])["status"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=list(STATUSES), fill_value=0)
    counts["regions"] = counts.sum(axis=1)
    order = pd.MultiIndex.from_product([list(FAMILIES), sorted(set(df["country"]))])
    return counts.reindex(order).dropna().astype(int)


def table_counts(pack: DataPack) -> pd.DataFrame:
    """Rows per table with an ``assumption`` flag: how many are sourced and how many assumptions."""
    rows = []
    for name in pack.TABLE_NAMES:
        df = pack.table(name)
        if name == "parameters":
            df = df.sort_values("year").drop_duplicates(["subject", "quantity"], keep="last")
        if "assumption" not in df.columns:
            continue
        flags = df["assumption"].astype(str).str.lower().isin(["true", "1"])
        rows.append(
            {
                "table": name,
                "values": len(df),
                "sourced": int((~flags).sum()),
                "assumptions": int(flags.sum()),
            }
        )
    return pd.DataFrame(rows).set_index("table")
