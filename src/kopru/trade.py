"""Customs territories, trade rules and the import duty a good pays when it enters a market."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kopru.datapack import DataPack
from kopru.errors import DataPackError
from kopru.memo import LRU

EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
EAEU_MEMBERS = frozenset({"KZ", "RU", "KG", "BY", "AM"})


def territory_of(country: str) -> str:
    """The customs territory a country belongs to (EAEU and EU members share one)."""
    if country in EAEU_MEMBERS:
        return "EAEU"
    if country in EU_MEMBERS:
        return "EU"
    return country


def rule_origin(country: str) -> str:
    """Trade rules are written per origin country, the EU as one origin."""
    return "EU" if country in EU_MEMBERS else country


@dataclass(frozen=True)
class Treatment:
    """How goods of one origin enter one territory: the rate and why."""

    origin: str
    territory: str
    rate: float  # fraction of the customs value
    regime: str  # 'free' or the tariff regime id
    basis: str
    source: str
    min_eur_per_kg: float = 0.0  # specific minimum: the duty is the larger of the two


TREATMENTS_KEPT = 4096
_TREATMENTS: LRU[Treatment] = LRU(TREATMENTS_KEPT)


def treatment(pack: DataPack, origin: str, territory: str, hs: str) -> Treatment:
    """Duty on goods of HS heading ``hs`` made in ``origin`` entering ``territory``.

    Looked up once per tariff data (the shipped tables and the tariff overrides): the trade rules
    and tariffs are table scans, and a sweep asks the same questions for every scenario."""
    moved = tuple(sorted((o.key, o.new) for o in pack.overrides if o.key.startswith("tariff.")))
    key = (pack.version, moved, origin, territory, hs)
    return _TREATMENTS.get(key, lambda: _treatment(pack, origin, territory, hs))


def _treatment(pack: DataPack, origin: str, territory: str, hs: str) -> Treatment:
    if territory_of(origin) == territory:
        return Treatment(origin, territory, 0.0, "free", "same customs territory", "")
    rules = pack.trade_rules
    pair = rules[(rules["origin"] == rule_origin(origin)) & (rules["territory"] == territory)]
    # the most specific rule wins: a heading's, then its chapter's, then the one for all goods
    # (a customs union or FTA may leave out agricultural chapters)
    fits = pair[pair["hs"].map(hs.startswith)]
    if fits.empty:
        raise DataPackError(
            f"data pack has no trade rule for goods from {origin} into {territory} (trade_rules.csv)"
        )
    rule = fits.loc[fits["hs"].str.len().idxmax()]
    if rule["treatment"] == "free":
        return Treatment(origin, territory, 0.0, "free", rule["basis"], rule["source"])
    # an MFN duty and an additional duty on top (TR_MFN+TR_IGV) add up
    rows = [_tariff(pack, regime, hs) for regime in rule["treatment"].split("+")]
    minimums = [float(r["min_eur_per_kg"]) for r in rows if pd.notna(r["min_eur_per_kg"])]
    return Treatment(
        origin,
        territory,
        round(sum(float(r["rate_pct"]) for r in rows) / 100.0, 12),
        rule["treatment"],
        rule["basis"],
        ";".join(dict.fromkeys(s for r in rows for s in str(r["source"]).split(";"))),
        max(minimums, default=0.0),
    )


def _tariff(pack: DataPack, regime: str, hs: str) -> pd.Series:
    tariffs = pack.tariffs
    hit = tariffs[(tariffs["regime"] == regime) & (tariffs["hs"] == hs)]
    if hit.empty:
        covered = ", ".join(sorted(set(tariffs["hs"])))
        # an override changes a heading's rate, it adds none: what to do is said by the caller
        # (a CFO's review: the advice to add one with an override, which then refused it)
        raise DataPackError(f"HS heading {hs} has no duty rate in {regime}; the data pack covers {covered}")
    return hit.iloc[0]


def duty_matrix(
    pack: DataPack, origins: list[str], territories: list[str], hs: str
) -> tuple[NDArray[np.float64], list[list[Treatment]]]:
    """Rates for every (origin country, territory) pair: small, so built pair by pair."""
    table = [[treatment(pack, o, t, hs) for t in territories] for o in origins]
    rates = np.array([[tr.rate for tr in row] for row in table], dtype=float)
    return rates.reshape(len(origins), len(territories)), table


def input_duty_due(pack: DataPack, origin: str, territory: str, hs: str) -> float:
    """Share of the import duty on a plant's bought inputs that its goods of heading ``hs`` carry
    when made in ``origin`` and sold into ``territory`` (inward_processing.csv): 0 where the
    plant's customs territory waives it on exports, 1 where the goods stay in that territory, the
    territory has no such regime, or a compensatory levy restores it because the goods enter
    under a preference (Türkiye's telafi edici vergi on exports to the EU and FTA partners)."""
    home = territory_of(origin)
    regimes = pack.table("inward_processing")
    if home == territory or home not in regimes.index:
        return 1.0
    regime = regimes.loc[home]
    if not regime["waives_input_duty_on_exports"]:
        return 1.0
    preferential = treatment(pack, origin, territory, hs).regime == "free"
    return 1.0 if preferential and regime["levy_on_preferential_exports"] else 0.0
