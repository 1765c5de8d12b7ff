"""Candidate sites: Kazakh regions, Kazakh SEZs and the company's Turkish plants, as one table.

Each site gets the sourced inputs the cost engine needs (wage, energy prices, taxes, incentives),
converted to USD, with the data-pack parameter behind each value kept for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kopru.datapack import DataPack, Param
from kopru.errors import DataPackError, OptionError, ProfileError
from kopru.memo import LRU
from kopru.profile import Plant, Profile

SEZ_REGIME = "KZ-SEZ"


@dataclass
class SiteInputs:
    """Per-site values in USD and the parameters they come from."""

    table: pd.DataFrame  # id, name, kind, country, region, node, lat, lon, existing, capacity
    values: dict[str, np.ndarray]
    params: list[dict[str, Param]] = field(default_factory=list)
    notes: list[list[str]] = field(default_factory=list)


_TABLES: LRU[pd.DataFrame] = LRU(32)


def candidate_table(pack: DataPack, profile: Profile) -> pd.DataFrame:
    """The candidate sites of ``profile``: Kazakh regions, SEZs and Turkish plants, one row each.

    Built once per profile and shipped data (the site tables take no overrides) and copied out:
    a sweep asks for the same table in every scenario."""
    key = (pack.version, profile.model_dump_json())
    return _TABLES.get(key, lambda: _candidate_table(pack, profile)).copy()


def _candidate_table(pack: DataPack, profile: Profile) -> pd.DataFrame:
    rows = []
    if profile.candidates.kz_regions:
        for rid, r in pack.regions.iterrows():
            rows.append(
                dict(
                    id=rid,
                    name=r["name"],
                    kind="kz_region",
                    country="KZ",
                    region=rid,
                    node=r["node"],
                    lat=r["lat"],
                    lon=r["lon"],
                    existing=False,
                    capacity=profile.volume,
                )
            )
    if profile.candidates.sez:
        for sid, z in pack.sez.iterrows():
            if z["status"] != "operating" and not profile.candidates.unverified_zones:
                continue
            rows.append(
                dict(
                    id=sid,
                    name=f"SEZ {z['name']}",
                    kind="sez",
                    country="KZ",
                    region=z["region"],
                    node=z["node"],
                    lat=z["lat"],
                    lon=z["lon"],
                    existing=False,
                    capacity=profile.volume,
                )
            )
    # the provinces are known: kopru.inputs.check_references runs before, naming every unknown id
    plants = profile.baseline or tuple(_default_plant(pid) for pid in pack.provinces.index)
    for plant in plants:
        p = pack.provinces.loc[plant.province]
        sid = plant_id(plant.province, plant.existing)
        rows.append(
            dict(
                id=sid,
                name=plant.name or f"{p['name']} ({'existing plant' if plant.existing else 'new plant'})",
                kind="tr_plant",
                country="TR",
                region=plant.province,
                node=p["node"],
                lat=p["lat"],
                lon=p["lon"],
                existing=plant.existing,
                capacity=plant.capacity or profile.volume,
            )
        )
    table = pd.DataFrame(rows)
    if table["id"].duplicated().any():
        dup = table["id"][table["id"].duplicated()].iloc[0]
        raise ProfileError(f"baseline: site {dup!r} is listed twice", field="baseline")
    if profile.candidates.exclude:
        known = set(table["id"]) | set(pack.sez.index)  # an unverified zone may be named
        rows = list(table[["id", "name"]].itertuples(index=False))
        excluded = {q if q in known else _excluded_site(q, rows) for q in profile.candidates.exclude}
    else:
        excluded = set()
    table = table[~table["id"].isin(excluded)].reset_index(drop=True)
    if table.empty:
        raise ProfileError("candidates: every site is excluded; keep at least one", field="candidates")
    return table


def _default_plant(province: str) -> Plant:
    return Plant(province=province, existing=False)


def _first(pack: DataPack, subjects: list[str], quantities: list[str]) -> Param | None:
    for quantity in quantities:
        for subject in subjects:
            if pack.has_param(subject, quantity):
                return pack.param(subject, quantity)
    return None


def plant_id(province: str, existing: bool) -> str:
    """A profile's plant as a site id: an existing plant its own, a new one its province's."""
    return f"plant_{province}" if existing else province


# the note of an SEZ whose incentives are counted without its priority sectors being known
ASSUMED_INCENTIVES = "the zone's priority sectors are not sourced: incentives assumed to apply"
NO_SECTORS = "incentives assume the product is a priority activity of the zone (give sectors)"
# ... or whose list matches the product only through a word as wide as "manufacturing" or
# "construction" (building, or a building-materials plant?): a zone's priority activities are specific
# (its decree lists them), so the match needs confirming
GENERIC_SECTORS = frozenset({"manufacturing", "construction"})
GENERIC_MATCH = "matches the zone only through a general word"


def generic_match(shared: set[str] | frozenset[str]) -> str:
    """The note of a zone matched only through ``shared`` general words: those words, no others."""
    said = ", ".join(f"'{w}'" for w in sorted(shared))
    return (
        f"{GENERIC_MATCH} ({said}): incentives counted, but confirm the product is on the zone's list"
        " of priority activities"
    )


def is_generic_match(note: str) -> bool:
    return note.startswith(GENERIC_MATCH)


def unconfirmed_incentives(notes: list[str] | tuple[str, ...]) -> bool:
    """Whether a site's SEZ incentives are counted without the product confirmed as a priority activity:
    the zone's sectors unsourced, the product's not given, or matched only through a general word."""
    return ASSUMED_INCENTIVES in notes or NO_SECTORS in notes or any(is_generic_match(n) for n in notes)


def sez_eligibility(zone_sectors: str, product_sectors: tuple[str, ...]) -> tuple[bool, str | None]:
    """Whether SEZ incentives apply: only to priority activities of the zone."""
    zone = {s.strip().lower() for s in zone_sectors.split(";") if s.strip()}
    if not product_sectors:
        return True, NO_SECTORS
    if not zone:
        return True, ASSUMED_INCENTIVES
    wanted = {s.strip().lower() for s in product_sectors}
    shared = wanted & zone
    if shared and shared <= GENERIC_SECTORS:
        return True, generic_match(shared)
    if shared:
        return True, None
    return False, f"not a priority sector of this SEZ ({'; '.join(sorted(zone))}): no SEZ incentives"


SITE_KEYS = (
    "wage_usd_per_hour",
    "hours_per_month",
    "labour_hours_factor",
    "social_rate",
    "electricity_usd_per_kwh",
    "gas_usd_per_m3",
    "land_usd_per_m2_year",
    "land_price_usd_per_m2",
    "corporate_tax_rate",
    "property_tax_rate",
    "input_duty_share",
    # the same outside any SEZ regime: what a zone's participant is spared (kopru.incentives)
    "in_sez_regime",
    "std_corporate_tax_rate",
    "std_property_tax_rate",
    "std_land_price_usd_per_m2",
)


def site_inputs(
    pack: DataPack, table: pd.DataFrame, sectors: tuple[str, ...] = (), rows: list[Any] | None = None
) -> SiteInputs:
    """Look up every site's sourced inputs (a handful of sites, so a plain pass over them);
    ``rows``: some of the table's rows (``itertuples``) to look up instead of all, each apart."""
    rows = list(table.itertuples()) if rows is None else rows
    values = {k: np.zeros(len(rows)) for k in SITE_KEYS}
    out = SiteInputs(table=table, values=values)
    for i, site in enumerate(rows):
        used: dict[str, Param] = {}
        notes: list[str] = []
        place = places(site)
        _labour(pack, site, place, i, values, used)
        for key, quantity in (
            ("electricity_usd_per_kwh", "electricity_price_industrial"),
            ("gas_usd_per_m3", "gas_price_industrial"),
        ):
            p = _required(pack, place, quantity, site.id)
            used[quantity] = p
            values[key][i] = pack.to_usd(p) * _price_index(pack, site.country, p, used)
        regime = []
        if site.kind == "sez":
            eligible, why = sez_eligibility(pack.sez.at[site.id, "sectors"], sectors)
            regime = [site.id, SEZ_REGIME] if eligible else []
            if why:
                notes.append(why)
        values["in_sez_regime"][i] = float(bool(regime))
        _land(pack, site, place, regime, i, values, used, notes)
        _taxes(pack, site, regime, i, values, used)
        out.params.append(used)
        out.notes.append(notes)
    return out


def _required(pack: DataPack, subjects: list[str], quantity: str, site_id: str) -> Param:
    p = _first(pack, subjects, [quantity])
    if p is None:
        raise DataPackError(f"data pack has no {quantity} for site {site_id}")
    return p


def _labour(pack: DataPack, site, place: list[str], i: int, values, used) -> None:
    """Hourly wage in USD, the employer's social charges on it and the labour hours a unit takes
    in the site's country relative to the profile's (a Turkish plant's)."""
    wage = _first(pack, place, ["wage_monthly_manufacturing", "wage_monthly_avg"])
    if wage is None:
        raise DataPackError(f"data pack has no wage for site {site.id}")
    hours = pack.param(site.country, "hours_per_month")
    used["wage"], used["hours_per_month"] = wage, hours
    index = _wage_index(pack, site.country, wage, used)
    values["wage_usd_per_hour"][i] = pack.to_usd(wage) * index / hours.value
    values["hours_per_month"][i] = hours.value
    # the profile's hours are a Turkish plant's: a country without a factor takes them as they are
    factor = _first(pack, [site.country], ["labour_hours_factor"])
    if factor is not None:
        used["labour_hours_factor"] = factor
    values["labour_hours_factor"][i] = factor.value if factor is not None else 1.0
    social = 0.0
    for q in ("social_tax_employer", "social_contributions_employer"):
        p = _first(pack, [site.country], [q])
        if p is not None:
            used[q] = p
            social += p.value / 100.0
    # a relief every compliant employer gets (Türkiye's Treasury-paid points) is what the plant pays,
    # so it comes off the statutory rate here, not as an incentive a project has to win
    relief = _first(pack, [site.country], ["social_contributions_employer_relief"])
    if relief is not None:
        used["social_contributions_employer_relief"] = relief
        social -= relief.value / 100.0
    values["social_rate"][i] = max(social, 0.0)


def _wage_index(pack: DataPack, country: str, wage: Param, used: dict[str, Param]) -> float:
    """A wage of an earlier year than the exchange rate it is converted at, brought to that year
    by the country's nominal wage growth (Kazakhstan's 2025 regional wages to the prices of 2026,
    the year of the tenge's rate and of Türkiye's wage)."""
    return _index(pack, country, wage, "wage_growth_nominal", used)


def _price_index(pack: DataPack, country: str, price: Param, used: dict[str, Param]) -> float:
    """A price of an earlier year than the exchange rate it is converted at (a 2025 tariff, a 2024
    land price), brought to that year by the country's consumer price inflation: converting it
    unchanged at a later year's rate would price it at the old level in the new money."""
    return _index(pack, country, price, "consumer_price_inflation", used)


def rate_year_index(pack: DataPack, country: str, value: Param) -> float:
    """The factor that brings a site's wage, tariff or land price to the year of the exchange rate,
    as the cost engine applies it (for a reader who shows the value in that year's money)."""
    growth = "wage_growth_nominal" if value.quantity.startswith("wage_") else "consumer_price_inflation"
    return _index(pack, country, value, growth, {})


def _index(pack: DataPack, country: str, value: Param, growth_quantity: str, used: dict[str, Param]) -> float:
    """(1 + g)^(rate year - value year) for a local-currency value, g the country's latest
    ``growth_quantity``; 1 when the years agree and for a USD value. A value an override gives is of
    the year of the value it replaced, or of the year it names (kopru.datapack.overrides). Every year
    of the gap grows at the latest growth the pack has."""
    currency = value.unit.split("/")[0]
    if currency in ("USD", "%"):
        return 1.0
    years = pack.param(currency, "fx_per_usd").year - value.year
    if years <= 0:
        return 1.0
    if not pack.has_param(country, growth_quantity):
        raise DataPackError(
            f"the {value.quantity} of {value.subject} is of {value.year}, the {currency} rate of"
            f" {value.year + years}: the data pack needs {growth_quantity} for {country} to bring it"
            " to that year"
        )
    growth = pack.param(country, growth_quantity)
    used[growth_quantity] = growth
    return (1.0 + growth.value / 100.0) ** years


def annual_land(values: dict[str, np.ndarray], wacc: float) -> np.ndarray:
    """A year's cost of a m2 of land, USD: the lease, or the price × WACC (see quantities.yaml)."""
    return values["land_usd_per_m2_year"] + values["land_price_usd_per_m2"] * wacc


def places(site: Any) -> list[str]:
    """Where a site's values are looked up, most specific first: a zone, its region, its country."""
    return [site.id, site.region, site.country] if site.kind == "sez" else [site.region, site.country]


def land_price_param(pack: DataPack, place: list[str]) -> Param | None:
    """The price of land a site pays when it pays for land (outside an SEZ, or after its zone ends)."""
    return _first(pack, place, ["land_price"])


def _land(pack: DataPack, site, place: list[str], regime: list[str], i: int, values, used, notes) -> None:
    """Leased land (free in an SEZ, by law, for a priority activity), or bought or owned land, whose
    annual cost is price × WACC (see quantities.yaml)."""
    price = land_price_param(pack, place)
    if price is None:
        raise DataPackError(f"data pack has no land_price for site {site.id}")
    indexed: dict[str, Param] = {}  # the inflation that indexes the price, listed when the price is used
    price_usd = pack.to_usd(price) * _price_index(pack, site.country, price, indexed)
    values["std_land_price_usd_per_m2"][i] = price_usd
    land = _first(pack, regime + place, ["land_lease"])
    if land is not None:
        used["land_lease"] = land
        values["land_usd_per_m2_year"][i] = pack.to_usd(land) * _price_index(pack, site.country, land, used)
        return
    used["land_price"] = price
    used.update(indexed)
    values["land_price_usd_per_m2"][i] = price_usd
    if site.existing:
        notes.append("land owned: counted at its opportunity cost, land price × WACC")


def _taxes(pack: DataPack, site, regime: list[str], i: int, values, used) -> None:
    """Corporate income and property tax rates, and the share of import duty paid on inputs."""
    for key, quantity in (
        ("corporate_tax_rate", "corporate_income_tax"),
        ("property_tax_rate", "property_tax"),
    ):
        p = _first(pack, [*regime, site.country], [quantity])
        std = _first(pack, [site.country], [quantity])
        if p is None or std is None:
            raise DataPackError(f"data pack has no {quantity} for {site.country}")
        used[quantity] = p
        if regime:  # the SEZ's relief ends with its term (incentives.relief_term): then this rate
            used[f"{quantity}_after_relief"] = std
        values[key][i] = p.value / 100.0
        values[f"std_{key}"][i] = std.value / 100.0
    if regime:  # the relief term's category is set in MCI
        used["mci"] = pack.param(site.country, "mci")
    duty = _first(pack, regime, ["customs_duty_on_inputs"]) if regime else None
    values["input_duty_share"][i] = 1.0 if duty is None else duty.value / 100.0
    if duty is not None:
        used["customs_duty_on_inputs"] = duty


def capex_share(sites: pd.DataFrame, units: float, plant_volume: float) -> np.ndarray:
    """Each site's capex as a share of a new plant's: 1 for a new plant; for an existing plant, the
    capacity it lacks to make the ``units`` the markets buy, at a new plant's capex per unit of
    capacity (an expansion on its own land; 0 when it has the capacity)."""
    lacking = np.maximum(units - sites["capacity"].to_numpy(float), 0.0) / plant_volume
    return np.where(sites["existing"].to_numpy(bool), lacking, 1.0)


def _excluded_site(query: str, rows: list[Any]) -> str:
    """The id of the site ``candidates.exclude`` names by a name or a part of one, as
    ``optimize.force_open`` reads them (a CLI review: 'Turan' was 'unknown site')."""
    from kopru.comparison import find_site  # the comparison module builds on the sites

    try:
        return find_site(rows, query, "candidates.exclude").id
    except OptionError as exc:
        raise ProfileError(f"candidates.exclude: {exc}", field="candidates.exclude") from None
