"""What a person reads instead of an id: the names of sites, plants and markets.

Every layer that shows a recorded run (``kopru runs``, the web app's Runs page) names its items
with these, so a run recorded with ids reads the same everywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kopru.datapack import DataPack, split_list
from kopru.language import ENGLISH, Words
from kopru.memo import LRU

_NAMES: LRU[dict[str, str]] = LRU(8)


def site_names(pack: DataPack) -> dict[str, str]:
    """Names of every id a run may hold: regions, SEZs, Turkish provinces and their plants, markets,
    industrial zones. Made once per shipped data (overrides change values, not names; a plan asks
    four times) and copied out."""
    return dict(_NAMES.get(pack.version, lambda: _site_names(pack)))


def _site_names(pack: DataPack) -> dict[str, str]:
    names = {str(i): str(r["name"]) for i, r in pack.regions.iterrows()}
    names |= {str(i): f"SEZ {z['name']}" for i, z in pack.sez.iterrows()}
    provinces = {str(i): str(p["name"]) for i, p in pack.provinces.iterrows()}
    names |= provinces
    names |= {f"plant_{i}": f"{n} (existing plant)" for i, n in provinces.items()}
    names |= {str(i): str(m["name"]) for i, m in pack.markets.iterrows()}
    zones = pack.table("industrial_zones")  # a match run's zones are SEZs and industrial zones
    names |= {str(z["id"] if "id" in zones.columns else i): str(z["name"]) for i, z in zones.iterrows()}
    return names


def code_of(text: str, names: Mapping[str, str]) -> str | None:
    """The code a person means by ``text``: a code of ``names`` as it is, or a code or a name in any
    case ('Almaty', 'almaty region', 'kz-19'); None when it is neither."""
    if text in names:
        return text
    wanted = fold(text)
    return next((str(c) for c, n in names.items() if wanted in (fold(str(c)), fold(str(n)))), None)


def fold(text: str) -> str:
    """``text`` as a person may type it: any case, accents and dots left out ('İstanbul', 'istanbul'
    and 'ISTANBUL' alike; 'Öskemen' and 'Oskemen'). Python lowercases 'İ' to 'i' and a combining dot."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    # Turkish dotless ı has no decomposition: 'Kırıkkale' and 'KIRIKKALE' fold alike only so
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ı", "i")


def item_names(names: dict[str, str], inputs: dict[str, Any]) -> dict[str, str]:
    """The global names, with the run's own baseline plants' names (the profile may name them)."""
    out = dict(names)
    for plant in (inputs.get("profile") or {}).get("baseline") or []:
        if isinstance(plant, dict) and plant.get("name") and plant.get("province"):
            key = f"plant_{plant['province']}" if plant.get("existing", True) else plant["province"]
            out[key] = str(plant["name"])
    return out


# countries by ISO code, as a reader names them: transit countries a route may cross and those a
# restriction names (markets name their own countries)
COUNTRY_NAMES = {
    "RU": "Russia",
    "IR": "Iran",
    "BY": "Belarus",
    "GE": "Georgia",
    "AZ": "Azerbaijan",
    "TM": "Turkmenistan",
    "UZ": "Uzbekistan",
    "CN": "China",
    "KZ": "Kazakhstan",
    "TR": "Türkiye",
}
# subjects of data-pack figures that are not sites: the SEZ regime and the two countries
FIXED_SUBJECTS = {"KZ-SEZ": "SEZ regime", "KZ": "Kazakhstan", "TR": "Türkiye"}
# what kind of place a site or a dossier is, as a reader says it
KIND_NAMES = {
    "kz_region": "Kazakh region",
    "sez": "special economic zone",
    "tr_province": "Turkish province",
    "tr_plant": "Turkish plant",
}


def subject_names(pack: DataPack) -> dict[str, str]:
    """Whose value a data-pack figure is, by name: regions, SEZs, provinces, the SEZ regime and
    the two countries (``KZ-61.wage_monthly_avg`` is Turkistan Region's wage)."""
    return site_names(pack) | FIXED_SUBJECTS


def source_names(pack: DataPack, cell: Any) -> str:
    """Sources as a reader names them ('Kazakhstanskaya Pravda, 2025; Kazinform, 2025'), not by their
    ids (an id the pack does not know stays as it is)."""
    names = []
    for sid in split_list(cell):
        if sid not in pack.sources.index:
            names.append(sid)
            continue
        row = pack.sources.loc[sid]
        who = next((str(row[k]) for k in ("publisher", "title") if pd.notna(row[k]) and str(row[k])), sid)
        year = str(row["year"]) if pd.notna(row["year"]) and str(row["year"]) else ""
        names.append(f"{who}, {year}" if year else who)
    return "; ".join(names)


def and_list(items: list[str] | tuple[str, ...], words: Words = ENGLISH) -> str:
    """'a', 'a and b', 'a, b and c': a list as a sentence says it."""
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return words("%(items)s and %(last)s", items=", ".join(items[:-1]), last=items[-1])
