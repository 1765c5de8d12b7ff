"""Read the data pack from package data and check it before anything uses it."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import yaml

from kopru.datapack import reads
from kopru.datapack.overrides import apply_overrides
from kopru.errors import DataPackError

DATA = resources.files("kopru") / "datapack" / "data"
TERM_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # sez.csv term_until

MODES = ("road", "rail", "ferry", "sea")
# the waters a ship's leg crosses (corridor_edges.csv, waters): what `water:<name>` closes
WATERS = ("caspian", "black_sea", "turkish_straits", "mediterranean", "lake_van")
# the source of kz-adm1.geojson: every plan draws its regions, so every plan cites it (CC BY 4.0)
BOUNDARIES_SOURCE = "kz_geokz_adm1_2024"
# a pier is a lake ferry's (Lake Van): handled like a port, but not a way to the sea
NODE_KINDS = ("city", "border", "port", "pier", "rail_hub")
TERRITORIES = ("EAEU", "UZ", "TJ", "TM", "AZ", "GE", "CN", "TR", "EU")

NODE_COLUMNS = (
    *("id", "name", "kind", "country", "lat", "lon"),
    *("handling_usd_per_teu", "handling_days", "source", "note"),
)
# table -> (file, required columns, id column or None)
TABLES: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "regions": (
        "regions.csv",
        ("id", "name", "kind", "centre", "node", "lat", "lon", "source", "note"),
        "id",
    ),
    "sez": (
        "sez.csv",
        (
            *("id", "name", "region", "city", "node", "lat", "lon", "sectors", "status"),
            *("term_until", "term_source", "source", "note"),
        ),
        "id",
    ),
    "industrial_zones": (
        "industrial_zones.csv",
        ("id", "name", "region", "city", "lat", "lon", "source", "note"),
        "id",
    ),
    "provinces": ("tr_provinces.csv", ("id", "name", "node", "lat", "lon", "source", "note"), "id"),
    "markets": (
        "markets.csv",
        ("id", "name", "country", "territory", "node", "entry", "lat", "lon", "source", "note"),
        "id",
    ),
    "tariffs": (
        "tariffs.csv",
        ("regime", "hs", "description", "rate_pct", "min_eur_per_kg", "year", "source", "note"),
        None,
    ),
    "trade_rules": (
        "trade_rules.csv",
        ("origin", "territory", "hs", "treatment", "basis", "year", "source", "note"),
        None,
    ),
    "nodes": (
        "corridor_nodes.csv",
        NODE_COLUMNS,
        "id",
    ),
    "edges": (
        "corridor_edges.csv",
        (
            *("from", "to", "mode", "distance_km", "days", "cost_usd_per_teu", "year", "source", "note"),
            "waters",
        ),
        None,
    ),
    "incentives": (
        "incentives.csv",
        (
            *("id", "country", "scheme", "name", "instrument", "value", "unit", "years", "regions"),
            *("sectors", "excluded_sectors", "min_investment", "min_investment_unit", "status"),
            *("legal_basis", "year", "source", "assumption", "note"),
        ),
        "id",
    ),
    "hs_nace": ("hs_nace.csv", ("hs", "nace", "note", "source"), "hs"),
    "restrictions": (
        "restrictions.csv",
        ("country", "restriction", "legal_basis", "year", "source", "note"),
        "country",
    ),
    # what zones publish of their capacity beyond their area (matchmaking; the SEZ area is a parameter)
    "zone_capacity": (
        "zone_capacity.csv",
        ("zone", "resource", "capacity", "unit", "basis", "year", "source", "note", "assumption"),
        None,
    ),
    # which customs territories waive the duty on inputs of exported goods (inward processing)
    "inward_processing": (
        "inward_processing.csv",
        (
            *("territory", "waives_input_duty_on_exports", "levy_on_preferential_exports"),
            *("legal_basis", "year", "source", "assumption", "note"),
        ),
        "territory",
    ),
    # published freight quotes kopru's lanes are checked against (kopru data lanes, docs/lanes.md)
    "lane_quotes": (
        "lane_quotes.csv",
        (
            *("id", "lane", "origin", "destination", "avoid", "close", "criterion", "quantity"),
            *("low", "high", "date", "source", "conversion", "explanation"),
        ),
        "id",
    ),
}
INCENTIVE_STATUSES = ("applies", "listed", "abolished")
# what an enterprise needs of a zone and a zone may cap (matchmaking), with the unit in the name
ZONE_RESOURCES = ("land_ha", "power_mw", "water_m3_day")
# operating: named in a 2024-2026 source; unverified: no recent source names the zone
SEZ_STATUSES = ("operating", "unverified")
INCENTIVE_INSTRUMENTS = (
    *("cit_rate_reduction", "investment_contribution", "employer_ssc_support", "vat_exemption_machinery"),
    *("customs_exemption_machinery", "interest_support", "property_tax_exemption", "cit_exemption"),
    *("land_free", "customs_free_zone", "in_kind_grant"),
)
PARAM_COLUMNS = ("subject", "quantity", "value", "unit", "year", "source", "note", "assumption")
SOURCE_COLUMNS = ("id", "title", "publisher", "url", "year", "licence", "note")


@dataclass(frozen=True)
class Param:
    """One sourced value of the data pack."""

    subject: str
    quantity: str
    value: float
    unit: str
    year: int
    source: str
    note: str
    assumption: bool
    overridden: bool = False


PARAM_FIELDS = tuple(Param.__dataclass_fields__)  # also the parameters table's columns


@dataclass(frozen=True)
class DataPack:
    """All tables of the data pack, validated. Tables are pandas DataFrames indexed by id."""

    sources: pd.DataFrame
    parameters: pd.DataFrame
    quantities: dict[str, dict[str, Any]]
    tables: dict[str, pd.DataFrame]
    boundaries: dict[str, Any]
    version: str
    overrides: tuple = field(default=())

    #: what ``kopru data list`` and ``kopru data show TABLE`` know by name
    TABLE_NAMES: ClassVar[tuple[str, ...]] = (
        "parameters",
        "sources",
        "regions",
        "sez",
        "industrial_zones",
        "provinces",
        "markets",
        "tariffs",
        "trade_rules",
        "nodes",
        "edges",
        "incentives",
        "hs_nace",
        "restrictions",
        "lane_quotes",
        "zone_capacity",
        "inward_processing",
    )

    def table(self, name: str) -> pd.DataFrame:
        """A table by name: ``parameters``, ``sources`` or one of the CSV tables."""
        reads.note("table", name)
        if name == "parameters":
            return self.parameters
        if name == "sources":
            return self.sources
        if name not in self.tables:
            raise DataPackError(f"no table {name!r}; the data pack has {', '.join(self.TABLE_NAMES)}")
        return self.tables[name]

    @property
    def regions(self) -> pd.DataFrame:
        reads.note("table", "regions")
        return self.tables["regions"]

    @property
    def sez(self) -> pd.DataFrame:
        reads.note("table", "sez")
        return self.tables["sez"]

    @property
    def industrial_zones(self) -> pd.DataFrame:
        reads.note("table", "industrial_zones")
        return self.tables["industrial_zones"]

    @property
    def provinces(self) -> pd.DataFrame:
        reads.note("table", "provinces")
        return self.tables["provinces"]

    @property
    def markets(self) -> pd.DataFrame:
        reads.note("table", "markets")
        return self.tables["markets"]

    @property
    def tariffs(self) -> pd.DataFrame:
        reads.note("table", "tariffs")
        return self.tables["tariffs"]

    @property
    def trade_rules(self) -> pd.DataFrame:
        reads.note("table", "trade_rules")
        return self.tables["trade_rules"]

    @property
    def nodes(self) -> pd.DataFrame:
        reads.note("table", "nodes")
        return self.tables["nodes"]

    @property
    def edges(self) -> pd.DataFrame:
        reads.note("table", "edges")
        return self.tables["edges"]

    @property
    def incentives(self) -> pd.DataFrame:
        reads.note("table", "incentives")
        return self.tables["incentives"]

    # -- parameters ---------------------------------------------------------------------------
    @functools.cached_property
    def _latest(self) -> dict[tuple[str, str], Param]:
        """(subject, quantity) -> the value of the latest year, built once per pack."""
        return _latest_params(self.parameters)

    def with_parameters(
        self, parameters: pd.DataFrame, changed: set[tuple[str, str]], **fields: Any
    ) -> DataPack:
        """A copy with ``parameters`` in which only the ``changed`` (subject, quantity) differ:
        the latest values are carried over from this pack and rebuilt for those alone (a sweep
        makes a pack per scenario; rebuilding them all took most of that)."""
        new = replace(self, parameters=parameters, **fields)
        if "_latest" in self.__dict__:
            latest = dict(self._latest)
            column = {c: parameters[c].to_numpy() for c in PARAM_FIELDS}
            for subject, quantity in changed:
                rows = np.flatnonzero((column["subject"] == subject) & (column["quantity"] == quantity))
                years = column["year"][rows]
                last = rows[np.flatnonzero(years == years.max())[-1]]  # as the stable sort by year
                latest[(subject, quantity)] = _param(**{c: v[last] for c, v in column.items()})
            new.__dict__["_latest"] = latest  # the cached_property's slot
        return new

    def param(self, subject: str, quantity: str, fallback: str | None = None) -> Param:
        """The value of ``quantity`` for ``subject`` (latest year), else for ``fallback``."""
        for key in (subject, fallback):
            if key is not None:
                reads.note("param", key, quantity)
            if key is not None and (key, quantity) in self._latest:
                return self._latest[(key, quantity)]
        where = subject if fallback is None else f"{subject} or {fallback}"
        raise DataPackError(f"data pack has no value of {quantity!r} for {where}")

    def has_param(self, subject: str, quantity: str) -> bool:
        reads.note("param", subject, quantity)
        return (subject, quantity) in self._latest

    def fx_per_usd(self, currency: str) -> float:
        """Units of ``currency`` per US dollar."""
        if currency == "USD":
            return 1.0
        return self.param(currency, "fx_per_usd").value

    def to_usd(self, param: Param) -> float:
        """Convert a money value such as 'KZT/kWh' to USD per the same denominator."""
        currency = param.unit.split("/")[0]
        if currency == "%":
            return param.value / 100.0
        return param.value / self.fx_per_usd(currency)

    def usd(self, subject: str, quantity: str, fallback: str | None = None) -> tuple[float, Param]:
        p = self.param(subject, quantity, fallback)
        return self.to_usd(p), p

    def source_ids(self) -> set[str]:
        return set(self.sources.index)


def _read_csv(path: Path | Any, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        with path.open("r", encoding="utf-8") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataPackError(f"data pack file {name} cannot be read: {exc}") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataPackError(f"data pack file {name} lacks column(s) {', '.join(missing)}")
    return df.apply(lambda col: col.str.strip())


def _numeric(df: pd.DataFrame, name: str, columns: tuple[str, ...], allow_empty=()) -> None:
    for col in columns:
        raw = df[col]
        empty = raw == ""
        values = pd.to_numeric(raw.where(~empty, None), errors="coerce")
        bad = values.isna() & ~(empty & (col in allow_empty))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataPackError(
                f"data pack file {name}, row {i + 2}: column {col!r} must be a number, got {raw.iloc[i]!r}"
            )
        df[col] = values.astype(float)


def split_list(cell: Any) -> list[str]:
    """The items of a data-pack list cell ("a;b"): stripped, empty ones dropped; none when missing."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [s.strip() for s in str(cell).split(";") if s.strip()]


def _check_sources(df: pd.DataFrame, name: str, known: set[str]) -> None:
    for i, cell in enumerate(df["source"]):
        ids = split_list(cell)
        if not ids:
            raise DataPackError(f"data pack file {name}, row {i + 2}: no source given")
        for sid in ids:
            if sid not in known:
                raise DataPackError(
                    f"data pack file {name}, row {i + 2}: source {sid!r} is not in sources/*.csv"
                )


def _check_terms(sez: pd.DataFrame, known: set[str]) -> None:
    """A zone's term: an ISO date with its source, or neither (not found)."""
    for i, (until, source) in enumerate(zip(sez["term_until"], sez["term_source"], strict=True)):
        where = f"data pack file sez.csv, row {i + 2}"
        if not until:
            if source:
                raise DataPackError(f"{where}: term_source given without a term_until date")
            continue
        try:  # fromisoformat alone takes 20300701 and week dates too
            day = dt.date.fromisoformat(until) if TERM_DATE.fullmatch(until) else None
        except ValueError:
            day = None
        if day is None or not 1990 <= day.year <= 2200:
            raise DataPackError(f"{where}: term_until {until!r} is not a date (YYYY-MM-DD, 1990-2200)")
        ids = split_list(source)
        if not ids:
            raise DataPackError(f"{where}: term_until {until} needs a term_source")
        unknown = [s for s in ids if s not in known]
        if unknown:
            raise DataPackError(f"{where}: term_source {unknown[0]!r} is not in sources/*.csv")


def _check_refs(df: pd.DataFrame, name: str, col: str, known: set[str], what: str) -> None:
    bad = ~df[col].isin(known)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataPackError(
            f"data pack file {name}, row {i + 2}: {col} {df[col].iloc[i]!r} is not a known {what}"
        )


def _check_unique(df: pd.DataFrame, name: str, col: str) -> None:
    dup = df[col][df[col].duplicated()]
    if len(dup):
        raise DataPackError(f"data pack file {name}: id {dup.iloc[0]!r} appears more than once")


def _check_coordinates(df: pd.DataFrame, name: str) -> None:
    _numeric(df, name, ("lat", "lon"))
    bad = (df["lat"].abs() > 90) | (df["lon"].abs() > 180)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataPackError(f"data pack file {name}, row {i + 2}: coordinates out of range")


def _read_sources(root) -> pd.DataFrame:
    frames = []
    folder = root / "sources"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".csv"):
            df = _read_csv(entry, f"sources/{entry.name}", SOURCE_COLUMNS)
            df["file"] = entry.name
            frames.append(df)
    if not frames:
        raise DataPackError("data pack has no sources/*.csv")
    sources = pd.concat(frames, ignore_index=True)
    _check_unique(sources, "sources/*.csv", "id")
    return sources.set_index("id", drop=False)


def _read_parameters(root, quantities: dict, known_sources: set[str]) -> pd.DataFrame:
    frames = []
    for entry in sorted((root / "parameters").iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".csv"):
            name = f"parameters/{entry.name}"
            df = _read_csv(entry, name, PARAM_COLUMNS)
            _numeric(df, name, ("value", "year"))
            _check_sources(df, name, known_sources)
            for i, (q, unit, flag) in enumerate(
                zip(df["quantity"], df["unit"], df["assumption"], strict=True)
            ):
                if q not in quantities:
                    raise DataPackError(
                        f"{name}, row {i + 2}: quantity {q!r} is not defined in quantities.yaml"
                    )
                if unit not in quantities[q]["units"]:
                    allowed = ", ".join(quantities[q]["units"])
                    raise DataPackError(
                        f"{name}, row {i + 2}: unit {unit!r} not allowed for {q} (allowed: {allowed})"
                    )
                if flag.lower() not in ("true", "false"):
                    raise DataPackError(
                        f"{name}, row {i + 2}: assumption must be true or false, got {flag!r}"
                    )
                if quantities[q].get("positive") and not df["value"].iloc[i] > 0:
                    raise DataPackError(f"{name}, row {i + 2}: {q} must be > 0 (other values divide by it)")
                if unit == "%" and df["value"].iloc[i] > quantities[q].get("max_pct", np.inf):
                    raise DataPackError(
                        f"{name}, row {i + 2}: {q} must be at most {quantities[q]['max_pct']} %"
                    )
            df["assumption"] = df["assumption"].str.lower() == "true"
            df["file"] = entry.name
            frames.append(df)
    params = pd.concat(frames, ignore_index=True)
    params["year"] = params["year"].astype(int)
    params["overridden"] = False
    dup = params.duplicated(["subject", "quantity", "year"])
    if dup.any():
        row = params[dup].iloc[0]
        raise DataPackError(f"data pack gives {row['quantity']} of {row['subject']} for {row['year']} twice")
    return params


def _check_waters(edges: pd.DataFrame) -> None:
    """A ship's leg names the waters it crosses (so `water:<name>` can close them); a land leg none."""
    for i, row in edges.iterrows():
        listed = [w for w in str(row["waters"]).split(";") if w]
        where = f"corridor_edges.csv, row {i + 2} ({row['from']}-{row['to']})"
        unknown = [w for w in listed if w not in WATERS]
        if unknown:
            raise DataPackError(f"{where}: unknown water {unknown[0]!r}; expected one of {', '.join(WATERS)}")
        if row["mode"] in ("ferry", "sea") and not listed:
            raise DataPackError(f"{where}: a {row['mode']} leg must name the waters it crosses (waters)")
        if row["mode"] not in ("ferry", "sea") and listed:
            raise DataPackError(f"{where}: a {row['mode']} leg crosses no water; leave its waters empty")


def _validate_tables(t: dict[str, pd.DataFrame], sources: set[str]) -> None:
    for key, (fname, _, idcol) in TABLES.items():
        df = t[key]
        _check_sources(df, fname, sources)
        if idcol:
            _check_unique(df, fname, idcol)
        if "lat" in df.columns:
            _check_coordinates(df, fname)
    nodes = t["nodes"]
    _check_refs(nodes, "corridor_nodes.csv", "kind", set(NODE_KINDS), "node kind")
    _numeric(nodes, "corridor_nodes.csv", ("handling_usd_per_teu", "handling_days"))
    node_ids = set(nodes["id"])
    edges = t["edges"]
    for col in ("from", "to"):
        _check_refs(edges, "corridor_edges.csv", col, node_ids, "corridor node")
    _check_refs(edges, "corridor_edges.csv", "mode", set(MODES), "mode (road, rail, ferry, sea)")
    _numeric(edges, "corridor_edges.csv", ("distance_km", "days"))
    _check_waters(edges)
    _numeric(edges, "corridor_edges.csv", ("cost_usd_per_teu",), allow_empty=("cost_usd_per_teu",))
    negative = (edges[["distance_km", "days"]] < 0).any(axis=1) | (edges["cost_usd_per_teu"] < 0)
    if negative.any():
        raise DataPackError("corridor_edges.csv: distances, days and costs must be >= 0")
    for key, fname in (
        ("regions", "regions.csv"),
        ("sez", "sez.csv"),
        ("provinces", "tr_provinces.csv"),
    ):
        _check_refs(t[key], fname, "node", node_ids, "corridor node")
    _check_refs(t["sez"], "sez.csv", "status", set(SEZ_STATUSES), "status (operating or unverified)")
    _check_terms(t["sez"], sources)
    region_ids = set(t["regions"]["id"])
    _check_refs(t["sez"], "sez.csv", "region", region_ids, "Kazakh region (ISO 3166-2:KZ)")
    markets = t["markets"]
    _check_refs(markets, "markets.csv", "node", node_ids, "corridor node")
    _check_refs(markets, "markets.csv", "entry", node_ids, "corridor node")
    _check_refs(markets, "markets.csv", "territory", set(TERRITORIES), "customs territory")
    capacity = t["zone_capacity"]
    zone_ids = set(t["sez"]["id"]) | set(t["industrial_zones"]["id"])
    _check_refs(capacity, "zone_capacity.csv", "zone", zone_ids, "zone (sez.csv or industrial_zones.csv)")
    _check_refs(capacity, "zone_capacity.csv", "resource", set(ZONE_RESOURCES), "resource")
    _numeric(capacity, "zone_capacity.csv", ("capacity",))
    if (capacity["capacity"] < 0).any():
        raise DataPackError("zone_capacity.csv: capacities must be >= 0")
    quotes = t["lane_quotes"]
    for col in ("origin", "destination"):
        _check_refs(quotes, "lane_quotes.csv", col, node_ids, "corridor node")
    _check_refs(quotes, "lane_quotes.csv", "quantity", {"cost_usd_per_teu", "days"}, "quantity")
    _check_refs(quotes, "lane_quotes.csv", "criterion", {"cost", "time"}, "criterion (cost or time)")
    _numeric(quotes, "lane_quotes.csv", ("low", "high"))
    incentives = t["incentives"]
    _check_refs(
        incentives, "incentives.csv", "status", set(INCENTIVE_STATUSES), "status (applies, listed, abolished)"
    )
    _check_refs(
        incentives, "incentives.csv", "instrument", set(INCENTIVE_INSTRUMENTS), "incentive instrument"
    )
    _check_refs(incentives, "incentives.csv", "country", {"KZ", "TR"}, "country (KZ or TR)")
    _numeric(
        incentives,
        "incentives.csv",
        ("value", "years", "min_investment"),
        allow_empty=("value", "years", "min_investment"),
    )
    tariffs = t["tariffs"]
    _numeric(tariffs, "tariffs.csv", ("rate_pct",))
    _numeric(tariffs, "tariffs.csv", ("min_eur_per_kg",), allow_empty=("min_eur_per_kg",))
    if (tariffs["rate_pct"] < 0).any() or (tariffs["min_eur_per_kg"] < 0).any():
        raise DataPackError("tariffs.csv: duty rates must be >= 0")
    bad_hs = ~tariffs["hs"].str.fullmatch(r"\d{4}")
    if bad_hs.any():
        raise DataPackError(f"tariffs.csv: HS heading {tariffs['hs'][bad_hs].iloc[0]!r} is not 4 digits")
    regimes = set(tariffs["regime"]) | {"free"}
    # a treatment is 'free' or regimes whose duties add up, such as TR_MFN+TR_IGV
    rules = t["trade_rules"]
    parts = rules.assign(treatment=rules["treatment"].str.split("+")).explode("treatment")
    _check_refs(parts, "trade_rules.csv", "treatment", regimes, "treatment or regime")
    _check_refs(t["trade_rules"], "trade_rules.csv", "territory", set(TERRITORIES), "territory")
    # a rule for one origin and territory may narrow to HS chapters or headings (empty: all goods)
    bad = rules["hs"][~rules["hs"].str.fullmatch(r"(\d{2}|\d{4})?")]
    if not bad.empty:
        raise DataPackError(
            f"trade_rules.csv: hs {bad.iloc[0]!r} is not a 2-digit chapter, a 4-digit heading or empty"
        )
    _check_inward_processing(t["inward_processing"])
    twice = rules[rules.duplicated(["origin", "territory", "hs"])]
    if not twice.empty:
        o, d, h = twice.iloc[0][["origin", "territory", "hs"]]
        raise DataPackError(f"trade_rules.csv: two rules for goods from {o} into {d} (hs {h or 'all'})")


INWARD_FLAGS = ("waives_input_duty_on_exports", "levy_on_preferential_exports", "assumption")


def _check_inward_processing(df: pd.DataFrame) -> None:
    """Territories known, flags true or false (turned into booleans in place)."""
    _check_refs(df, "inward_processing.csv", "territory", set(TERRITORIES), "customs territory")
    for col in INWARD_FLAGS:
        flags = df[col].str.lower()
        bad = ~flags.isin(("true", "false"))
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 2
            raise DataPackError(
                f"inward_processing.csv, row {row}: {col} must be true or false, got {df[col][bad].iloc[0]!r}"
            )
        df[col] = flags == "true"


def _fingerprint(root) -> str:
    """The data's version: its files' paths within the pack and their bytes (not where the pack is
    installed: two copies of the same data have one version)."""
    digest = hashlib.sha256()
    for entry in sorted(_walk(root), key=lambda p: str(p)):
        digest.update(str(entry.relative_to(root)).encode())
        digest.update(entry.read_bytes())
    return digest.hexdigest()[:12]


def _walk(root):
    for entry in root.iterdir():
        if entry.is_dir():
            yield from _walk(entry)
        else:
            yield entry


@functools.lru_cache(maxsize=1)
def _shipped() -> DataPack:
    return read(DATA)


def read(root) -> DataPack:
    """Read and validate a data pack folder (the shipped one unless tests pass another)."""
    try:
        quantities = yaml.safe_load((root / "quantities.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataPackError(f"quantities.yaml cannot be read: {exc}") from exc
    sources = _read_sources(root)
    known = set(sources.index)
    parameters = _read_parameters(root, quantities, known)
    tables = {key: _read_csv(root / fname, fname, cols) for key, (fname, cols, _) in TABLES.items()}
    _validate_tables(tables, known)
    for key, (_, _, idcol) in TABLES.items():
        if idcol:
            tables[key] = tables[key].set_index(idcol, drop=False)
    try:
        boundaries = json.loads((root / "kz-adm1.geojson").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataPackError(f"kz-adm1.geojson cannot be read: {exc}") from exc
    if BOUNDARIES_SOURCE not in known:
        raise DataPackError(f"kz-adm1.geojson: its source {BOUNDARIES_SOURCE} is not in sources/*.csv")
    isos = {f["properties"].get("iso") for f in boundaries.get("features", [])}
    missing = sorted(set(tables["regions"].index) - isos)
    if missing:
        raise DataPackError(f"kz-adm1.geojson has no boundary for {', '.join(missing)}")
    return DataPack(
        sources=sources,
        parameters=parameters,
        quantities=quantities,
        tables=tables,
        boundaries=boundaries,
        version=_fingerprint(root),
    )


def _latest_params(parameters: pd.DataFrame) -> dict[tuple[str, str], Param]:
    """(subject, quantity) -> the row of the latest year (of equal years, the last one)."""
    latest: dict[tuple[str, str], Param] = {}
    for row in parameters.sort_values("year", kind="stable").itertuples(index=False):
        latest[(row.subject, row.quantity)] = _param(
            **{c: getattr(row, c) for c in Param.__dataclass_fields__}
        )
    return latest


def _param(subject, quantity, value, unit, year, source, note, assumption, overridden) -> Param:
    return Param(
        subject=subject,
        quantity=quantity,
        value=float(value),
        unit=unit,
        year=int(year),
        source=source,
        note=note,
        assumption=bool(assumption),
        overridden=bool(overridden),
    )


def load(overrides=None) -> DataPack:
    """The shipped data pack, validated; with ``overrides`` (a path or a mapping) applied on top."""
    pack = _shipped()
    if overrides is None:
        return pack
    return apply_overrides(pack, overrides)
