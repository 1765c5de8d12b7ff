"""A pipeline of enterprises to place: one row each, read from CSV, YAML or Parquet and validated.

Each enterprise names a sector template (``template``: a shipped one such as ``apparel`` or a
profile file next to the pipeline) and its size, as units a year (``volume``), as its planned
investment (``investment_usd``, or ``investment_kzt`` converted at the data pack's tenge rate,
scaled against the template's capex) or as its jobs (at the template's hours per unit). Jobs and
needs (``land_ha``, ``power_mw``, ``water_m3_day``) are taken as given; missing ones are
estimated from the template and flagged. ``regions`` (ISO codes joined by ``;``) limits where
it would go, ``markets`` where it sells (market ids; default: the template's),
``home_province`` its Turkish baseline, and ``hurdle_pct`` the saving over that baseline it needs
before it would move. Without a size the enterprise is taken at its template's size, and that is
flagged as an estimate. ``status`` says whether the plant operates already.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kopru import documents
from kopru.datapack import DataPack
from kopru.datapack.loader import ZONE_RESOURCES
from kopru.display import code_of
from kopru.errors import PipelineError
from kopru.units import brief, dot_groups_hint, dot_hint, kind_of

REQUIRED = ("id", "name", "sector", "template")
MAX_ID = 200  # characters: the web app's pitch-sheet address takes ids this long
NUMBERS = ("volume", "investment_usd", "investment_kzt", "jobs", "hurdle_pct", *ZONE_RESOURCES)
LISTS = ("regions", "markets")
TEXT = ("parent", "nace", "hs", "home_province", "status", "date", "source", "quote", "note")
MAX_ROWS = 100_000
MAX_NUMBER = 1e13  # dollars, jobs, hectares: far above any enterprise; beyond it sums lose their digits


@dataclass(frozen=True)
class Pipeline:
    """The enterprises as a table (one row each, columns of :data:`REQUIRED`, :data:`NUMBERS`
    (NaN where not given), :data:`LISTS` (tuples) and :data:`TEXT`) and the folder it came from."""

    table: pd.DataFrame
    folder: Path | None = None

    def __len__(self) -> int:
        return len(self.table)

    @property
    def ids(self) -> list[str]:
        return list(self.table["id"])


def _records(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import duckdb  # already a dependency (the scenario store): reads Parquet without pyarrow

        if not path.is_file():
            raise PipelineError(f"pipeline {path} does not exist", file=path)
        try:  # the path as a parameter: a quote in a file name is not SQL
            cursor = duckdb.connect().execute("SELECT * FROM read_parquet(?)", [path.as_posix()])
            names = [d[0] for d in cursor.description]
            # as Python values: a null is None (a blank), a NaN stays NaN (refused below); pandas
            # made both NaN, and a NaN investment was estimated as if left out (a CLI review)
            records = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except duckdb.Error as exc:
            reason = str(exc).strip().splitlines()[0]
            said = f"pipeline {path}: not a readable Parquet file ({reason})"
            raise PipelineError(said, file=path) from None
        _no_nan(records, path, lambda k: f"row {k + 2}")
        return records
    if suffix in (".yaml", ".yml", ".json"):
        data = documents.read_document(path, "pipeline", error=PipelineError, number_hint=dot_hint)
        if isinstance(data, dict):
            data = data.get("enterprises")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise PipelineError(
                f"pipeline {path}: expected a list of enterprises (or 'enterprises: [...]')", file=path
            )
        _no_nan(data, path, lambda k: f"item {k + 1}")
        return data
    text = documents.read_text(path, "pipeline", error=PipelineError)
    header, rows = documents.csv_rows(text, f"pipeline {path}", error=PipelineError)
    expected = f"at least {','.join(REQUIRED)}"
    documents.require_columns(header, REQUIRED, f"pipeline {path}", expected, error=PipelineError, file=path)
    return rows


def _no_nan(rows: list[dict[str, Any]], path: Path, place: Callable[[int], str]) -> None:
    """A NaN written in YAML or stored in Parquet is not a blank (as a null is): refused by its row."""
    for k, row in enumerate(rows):
        nan = next((key for key, v in row.items() if isinstance(v, float) and math.isnan(v)), None)
        if nan is not None:
            raise PipelineError(
                f"pipeline {path.name} {place(k)}: {nan} is NaN; give a number, or leave it out to have"
                " it estimated",
                field=str(nan),
                file=path,
            )


# a project's stage, as the sources say it; 'operating' plants exist already and are not placed
STATUSES = ("announced", "MoU", "agreement", "under construction", "operating")
STATUS_WORDS = {"operational": "operating", "in operation": "operating", "memorandum": "MoU"}


def _status(text: str, where: str) -> str:
    """The row's status in the pipeline's words (any case; 'operational' is 'operating'): a free
    word such as 'in production' would have placed a plant that exists as a new project."""
    if not text:
        return ""
    key = " ".join(text.replace("_", " ").replace("-", " ").split()).lower()
    known = {st.lower(): st for st in STATUSES} | STATUS_WORDS
    if key not in known:
        raise PipelineError(
            f"{where}: status {text!r} is not one of {', '.join(STATUSES)} (or empty)", field="status"
        )
    return known[key]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")  # 1,500,000 or 12,345.6


def _number(value: Any, where: str, name: str) -> float:
    if _blank(value):
        return math.nan
    if isinstance(value, bool):
        raise PipelineError(f"{where}: {name} must be a number, got {value!r}", field=name)
    text = str(value).strip()
    # 1.500 jobs: fifteen hundred in a Turkish sheet, 1.5 to float(); 20.000.000 not a number to it
    dotted = dot_hint(text) or dot_groups_hint(text)
    if dotted:
        raise PipelineError(f"{where}: {name} {dotted}", field=name)
    if "," in text:
        if not THOUSANDS.fullmatch(text):  # "1,5" is a decimal comma: read as 15 it would be 10x off
            raise PipelineError(
                f"{where}: {name} {text!r} is not a number; use a dot for decimals (1.5), commas only"
                " between groups of three digits (1,500,000)",
                field=name,
            )
        text = text.replace(",", "")
    try:
        x = float(text)
    except ValueError:
        raise PipelineError(f"{where}: {name} must be a number, got {value!r}", field=name) from None
    if not math.isfinite(x):
        raise PipelineError(f"{where}: {name} must be a finite number, got {brief(value)}", field=name)
    if x > MAX_NUMBER:
        raise PipelineError(
            f"{where}: {name} must be at most {MAX_NUMBER:.0e}, got {brief(value)}", field=name
        )
    if x < 0:  # the column's own upper bound, if any, is checked with the column
        raise PipelineError(f"{where}: {name} must not be negative, got {brief(value)}", field=name)
    return x


def _list(value: Any) -> tuple[str, ...]:
    if _blank(value):
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(";")
    return tuple(str(v).strip() for v in items if str(v).strip())


def read_pipeline(path: str | Path, pack: DataPack, templates: set[str]) -> Pipeline:
    """Read and check a pipeline; ``templates`` are the template names it may use."""
    path = Path(path)
    rows = _records(path)
    if not rows:
        raise PipelineError(f"pipeline {path}: no enterprises; expected at least one row", file=path)
    if len(rows) > MAX_ROWS:
        raise PipelineError(f"pipeline {path}: {len(rows):,} rows; at most {MAX_ROWS:,} are read", file=path)
    _check_columns(rows, path)
    seen: dict[str, int] = {}
    out = []
    # a table's rows are counted as a spreadsheet shows them (the header is row 1), a list's items from 1
    tabular = path.suffix.lower() in (".csv", ".parquet")
    place = (lambda k: f"row {k + 2}") if tabular else (lambda k: f"item {k + 1}")
    for k, raw in enumerate(rows):
        where = f"pipeline {path.name} {place(k)}"
        row = _row(raw, where, pack, templates, path.parent, path.suffix.lower() == ".csv")
        _check_id(row["id"], where)
        if row["id"] in seen:
            raise PipelineError(f"{where}: id {row['id']!r} repeats {place(seen[row['id']])}", field="id")
        seen[row["id"]] = k
        out.append(row)
    return Pipeline(pd.DataFrame(out), path.parent)


COLUMNS = (*REQUIRED, *NUMBERS, *LISTS, *TEXT)


def _check_columns(rows: list[dict[str, Any]], path: Path) -> None:
    """A column kopru does not read is refused, not skipped: a misspelt 'investmnet_usd' would have
    sized the plant at its template's defaults (an analyst's review), and a file of another kind
    (a match.json) would have been read as enterprises."""
    found = dict.fromkeys(str(k) for row in rows for k in row if not str(k).startswith("__"))
    unknown = [k for k in found if k.strip() not in COLUMNS]
    if not unknown:
        return
    hints = []
    for k in unknown:
        near = difflib.get_close_matches(k.strip().lower(), COLUMNS, n=1, cutoff=0.75)
        hints.append(f"{k!r}" + (f" (did you mean {near[0]}?)" if near else ""))
    raise PipelineError(
        f"pipeline {path.name}: {'column' if len(unknown) == 1 else 'columns'} {', '.join(hints)} not read by"
        f" kopru; the columns are {', '.join(COLUMNS)} (what else you know of an enterprise goes in note)",
        field=unknown[0],
        file=path,
    )


def _check_id(eid: str, where: str) -> None:
    """An id each pitch sheet's address can carry (a web review: a 5,000-character id was placed,
    then its sheet refused; '../../x' made a link a browser reads as another address)."""
    if len(eid) > MAX_ID:
        raise PipelineError(
            f"{where}: id is {len(eid):,} characters long; at most {MAX_ID} are taken", field="id"
        )
    if any(part in (".", "..") for part in eid.split("/")):
        raise PipelineError(
            f"{where}: id {brief(eid)} has '.' or '..' between slashes, which an address reads as a"
            " folder; write it without them",
            field="id",
        )


def _row(
    raw: dict[str, Any], where: str, pack: DataPack, templates: set[str], folder: Path, from_csv: bool = False
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in REQUIRED:
        value = raw.get(name)
        if _blank(value):
            short = from_csv and name in raw and value is None  # a CSV row that stops before the column
            said = " (the row ends before this column: a comma left out?)" if short else ""
            raise PipelineError(f"{where}: {name} is blank{said}; every enterprise needs one", field=name)
        if isinstance(value, dict | list):  # a CLI review: name {a: 1} named the enterprise "{'a': 1}"
            raise PipelineError(f"{where}: {name} must be text, got {kind_of(value)}", field=name)
        row[name] = str(value).strip()
    template = row["template"]
    if template not in templates and not (folder / template).is_file():
        known = ", ".join(sorted(templates))
        raise PipelineError(
            f"{where}: template {template!r} is neither a sector template ({known}) nor a profile file",
            field="template",
        )
    for name in NUMBERS:
        row[name] = _number(raw.get(name), where, name)
    for name in ("volume", "investment_usd", "investment_kzt", "jobs"):  # each sizes the plant
        if row[name] == 0:
            raise PipelineError(f"{where}: {name} must be > 0 when given, got 0", field=name)
    if not math.isnan(row["investment_usd"]) and not math.isnan(row["investment_kzt"]):
        raise PipelineError(
            f"{where}: investment_usd and investment_kzt are both given; give one (the other is derived)",
            field="investment_kzt",
        )
    if not math.isnan(row["investment_kzt"]):  # the pack's rate: a source's own USD figure is better
        row["investment_usd"] = row["investment_kzt"] / pack.param("KZT", "fx_per_usd").value
    if not math.isnan(row["hurdle_pct"]) and row["hurdle_pct"] >= 100:
        raise PipelineError(
            f"{where}: hurdle_pct is a saving in per cent, below 100, got {row['hurdle_pct']:g}",
            field="hurdle_pct",
        )
    for name in LISTS:
        row[name] = _list(raw.get(name))
    for name in TEXT:
        row[name] = "" if _blank(raw.get(name)) else str(raw.get(name)).strip()
    row["status"] = _status(row["status"], where)
    _check_ids(row, where, pack)
    return row


def _check_ids(row: dict[str, Any], where: str, pack: DataPack) -> None:
    """Regions, markets and the home province by code, or by name as people write them."""
    regions, markets = pack.regions["name"], pack.markets["name"]
    row["regions"] = tuple(
        _code(r, regions, where, "regions", "region", "a Kazakh region") for r in row["regions"]
    )
    row["markets"] = tuple(_code(m, markets, where, "markets", "market", "a market") for m in row["markets"])
    hs = str(row.get("hs") or "").strip()
    # context (the template's heading is costed), but checked as plan checks a heading
    bad = [h for h in hs.split(";") if hs and not re.fullmatch(r"\d{4}(\d{2})?", h.strip().replace(".", ""))]
    if bad:
        raise PipelineError(
            f"{where}: hs {bad[0].strip()!r} is not an HS heading; expected a 4-digit heading such as 6109"
            " or a 6-digit subheading such as 6109.10, several separated by ';' (only the template's"
            " heading is costed)",
            field="hs",
        )
    if row["home_province"]:
        row["home_province"] = _code(
            row["home_province"],
            pack.provinces["name"],
            where,
            "home_province",
            "home_province",
            "a Turkish province",
        )


def _code(value: str, names: pd.Series, where: str, field: str, noun: str, what: str) -> str:
    """``value`` as the code of ``names``' index: a code as it is, a name (any case) as its code."""
    found = code_of(value, names.to_dict())
    if found is not None:
        return found
    known = ", ".join(f"{n} {code}" for code, n in names.items())
    raise PipelineError(f"{where}: {noun} {value!r} is not {what}; expected one of {known}", field=field)
