"""The zones a pipeline is matched to: Kazakh SEZs and industrial zones, with what they can host.

A zone is costed as a site of the landed-cost engine: an SEZ as itself (its tax and customs regime
for its priority sectors), an industrial zone as its region (no special regime, no sector rule).
Its capacity per resource (:data:`~kopru.datapack.loader.ZONE_RESOURCES`: land in ha, power in MW,
water in m3 a day) comes from the data pack: an SEZ's land is its total area (the ``area``
parameter: free land is not published), other figures are in ``zone_capacity.csv``, each with its
basis and source. A resource a zone does not declare is not capped there (and says so). A user's
zones file (CSV ``zone,resource,capacity[,note]``) replaces or adds capacities, for instance the
free land a zone's management company quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kopru import documents, units
from kopru.datapack import DataPack
from kopru.datapack.loader import ZONE_RESOURCES
from kopru.display import source_names
from kopru.errors import ZonesFileError

Array = np.ndarray


@dataclass(frozen=True)
class Zones:
    """Zones as a table and their capacity per resource as arrays (NaN: not declared)."""

    table: pd.DataFrame  # id, name, kind (sez | iz), region, lat, lon, sectors, site
    capacity: dict[str, Array]  # resource -> (Z,)
    basis: dict[str, list[str]] = field(default_factory=dict)  # resource -> (Z,) where it comes from
    region_names: dict[str, str] = field(default_factory=dict)  # KZ-61 -> Turkistan Region

    @property
    def ids(self) -> list[str]:
        return list(self.table["id"])

    def __len__(self) -> int:
        return len(self.table)


def _zone_table(pack: DataPack) -> pd.DataFrame:
    sez = pack.sez[pack.sez["status"] == "operating"]
    rows = [
        {
            "id": sid,
            "name": f"SEZ {z['name']}",
            "kind": "sez",
            "region": z["region"],
            "lat": float(z["lat"]),
            "lon": float(z["lon"]),
            "sectors": z["sectors"],
            "site": sid,  # costed as the SEZ itself
        }
        for sid, z in sez.iterrows()
    ]
    rows += [
        {
            "id": iid,
            "name": z["name"],
            "kind": "iz",
            "region": z["region"],
            "lat": float(z["lat"]),
            "lon": float(z["lon"]),
            "sectors": "",
            "site": z["region"],  # costed as its region: no special regime
        }
        for iid, z in pack.industrial_zones.iterrows()
    ]
    return pd.DataFrame(rows)


def load_zones(pack: DataPack, path: str | Path | None = None) -> Zones:
    """The data pack's zones and capacities, with a user's zones file applied on top."""
    table = _zone_table(pack)
    index = {zid: i for i, zid in enumerate(table["id"])}
    capacity = {r: np.full(len(table), np.nan) for r in ZONE_RESOURCES}
    basis = {r: ["not published: not capped"] * len(table) for r in ZONE_RESOURCES}
    for i, zid in enumerate(table["id"]):
        if pack.has_param(zid, "area"):
            p = pack.param(zid, "area")
            capacity["land_ha"][i] = p.value
            basis["land_ha"][i] = (
                f"total area {p.year} ({source_names(pack, p.source)}); free land not published"
            )
    for r in pack.table("zone_capacity").to_dict("records"):
        i = index.get(r["zone"])
        if i is None:  # an unverified SEZ is not a zone to match
            continue
        capacity[r["resource"]][i] = float(r["capacity"])
        basis[r["resource"]][i] = (
            f"{r['basis'].replace('_', ' ')} {r['year']} ({source_names(pack, r['source'])})"
        )
    if path is not None:
        # a zone by id or by its name as the tables show it ('SEZ Ontustik', 'Saran industrial zone')
        named = {str(n).strip().lower(): zid for zid, n in zip(table["id"], table["name"], strict=True)}
        _apply_user_file(
            Path(path), index | {n: index[z] for n, z in named.items() if n not in index}, capacity, basis
        )
    return Zones(table, capacity, basis, region_names=pack.regions["name"].to_dict())


ZONE_COLUMNS = ("zone", "resource", "capacity", "note")


def _apply_user_file(path: Path, index: dict[str, int], capacity: dict, basis: dict) -> None:
    text = documents.read_text(path, "zones file", error=ZonesFileError)
    header, rows = documents.csv_rows(text, str(path), error=ZonesFileError)
    documents.require_columns(
        header,
        ("zone", "resource", "capacity"),
        f"zones file {path}",
        "zone,resource,capacity[,note]",
        error=ZonesFileError,
        file=path,
    )
    unknown = [c for c in header if c not in ZONE_COLUMNS]
    if unknown:  # a CLI review: a 'colour' column was read as nothing, where a pipeline's is refused
        raise ZonesFileError(
            f"zones file {path}: column {unknown[0]!r} is not read by kopru; the columns are"
            f" {', '.join(ZONE_COLUMNS)} (what else you know of a zone goes in note)",
            file=path,
        )
    given: dict[tuple[int, str], int] = {}
    for k, row in enumerate(rows):
        where = f"zones file {path} row {k + 2}"
        zid = str(row.get("zone") or "").strip()
        zid = zid if zid in index else zid.lower()
        if zid not in index:
            raise ZonesFileError(
                f"{where}: zone {row.get('zone')!r} is neither a zone's id nor its name (such as sez_ontustik"
                " or SEZ Ontustik); see 'kopru data show sez' and 'kopru data show industrial_zones'"
            )
        resource = str(row.get("resource") or "").strip()
        if resource not in capacity:
            raise ZonesFileError(
                f"{where}: resource {resource!r} is unknown; expected one of {', '.join(capacity)}"
            )
        raw = str(row.get("capacity") or "").strip()
        slip = units.dot_hint(raw) or units.comma_hint(raw)  # 15.000 ha: fifteen thousand to its writer
        if slip:
            raise ZonesFileError(f"{where}: capacity {slip}")
        try:
            value = float(raw)
        except ValueError:
            raise ZonesFileError(f"{where}: capacity {raw!r} is not a number") from None
        if not np.isfinite(value) or value < 0:
            raise ZonesFileError(f"{where}: capacity must be a number >= 0, got {raw}")
        if (index[zid], resource) in given:  # the last would win silently
            raise ZonesFileError(
                f"{where}: zone {row.get('zone')!r} has its {resource} given already in row"
                f" {given[index[zid], resource]}; keep one"
            )
        given[index[zid], resource] = k + 2
        capacity[resource][index[zid]] = value
        note = str(row.get("note") or "").strip()
        basis[resource][index[zid]] = f"user zones file {path.name}" + (f": {note}" if note else "")
