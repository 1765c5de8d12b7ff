"""User overrides: replace any value of the data pack from a YAML file, and remember what changed.

The file is a mapping from a key to a value (or to ``{value, unit, note, year}``)::

    KZ-ATY.wage_monthly_avg: 600000          # a parameter: <subject>.<quantity>
    KZ-61.wage_monthly_avg: {value: 380000, year: 2026}   # a figure of 2026 money
    KZT.fx_per_usd: {value: 520, note: "bank forecast 2027"}
    KZ*.wage_monthly_avg: {factor: 1.3}      # every Kazakh wage (national and regional) x 1.3
    tariff.EAEU_CCT.6109: 12                 # a duty rate, % ad valorem
    tariff.EAEU_CCT.6109.min_eur_per_kg: 0   # its specific minimum, EUR per kg
    edge.aktau.baku_alat.ferry.cost_usd_per_teu: 1500
    node.khorgos.handling_days: 3

A parameter's override is of the year of the value it replaces (so that re-entering the pack's own
figure changes nothing, and 1.3 × it is 30 % more, however the cost engine brings that year to the
exchange rate's); ``year`` says the figure is of another year (today's wage: the rate's year).

A subject with ``*``, ``?`` or ``[...]`` (shell-style, as ``fnmatch``) replaces the value of every
subject it matches that has the quantity, and ``{factor: x}`` multiplies each value it replaces
(of its own year) instead of setting one: a national what-if ('Kazakh wages +30 %') in one line,
where ``KZ.wage_monthly_avg`` alone moves no region that has a wage of its own.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kopru import documents
from kopru.errors import OverrideError
from kopru.units import brief, comma_hint, dot_hint, finite_number

OVERRIDE_SOURCE = "user_override"
EDGE_FIELDS = ("distance_km", "days", "cost_usd_per_teu")
NODE_FIELDS = ("handling_usd_per_teu", "handling_days")
# the largest value an override may give (a wage in som, a tariff in %, a leg in USD are far below)
# and the smallest a rate others divide by may take (quantities.yaml 'positive')
MAX_VALUE = 1e9
MIN_POSITIVE = 1e-6
MAX_DUTY_PCT = 1000  # as a profile's duty_pct: the highest duties of any schedule are a few hundred %
MAX_FACTOR = 100  # a factor beyond it is a value typed as a factor (1.3 means +30 %)
# a value ten times the data pack's, or a tenth of it, is more often a slip (a unit, a zero, a factor
# typed as a value) than a scenario: it is used, and the plan says to check it (a web review: a
# labour hours factor of 1,000 ran without a word)
FAR = 10
WILDCARDS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Override:
    """One replaced value: what it was, what it is now, and why."""

    key: str
    old: float | None
    new: float
    unit: str
    note: str
    year: int | None = None  # of the money the new value is in (a parameter's; None for a table's)
    check: str = ""  # what looks like a slip and is worth a look (a fraction given for a percentage)
    factor: bool = False  # ``new`` multiplies each value replaced (``old`` is then None)
    matched: tuple[str, ...] = ()  # the subjects a pattern key replaced

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "old": self.old,
            "new": self.new,
            "unit": self.unit,
            "note": self.note,
            "year": self.year,
            "check": self.check,
            "factor": self.factor,
            "matched": list(self.matched),
        }


def as_given(record: dict[str, Any]) -> dict[str, Any]:
    """An override's record (``Override.as_dict()``) as an overrides file gives it: applied again,
    it sets the same values (its year too: a figure given as of 2026 stays of 2026)."""
    if record.get("factor"):
        return {"factor": record["new"], "note": record["note"]}
    given = {"value": record["new"], "unit": record["unit"], "note": record["note"]}
    if record.get("year") is not None:
        given["year"] = record["year"]
    return given


def read_overrides(path: str | Path) -> dict[str, Any]:
    """Read an overrides YAML file into a mapping; errors name the file and the problem."""
    # a Turkish 600.000 (six hundred thousand) is refused, not read as 600 (a CLI review)
    return documents.read_mapping(
        path, "overrides file", error=OverrideError, fmt="yaml", number_hint=dot_hint
    )


FIRST_YEAR, LAST_YEAR = 1990, 2100  # a year an override's money may be of


def _number(key: str, raw: Any) -> tuple[float, str | None, str, int | None, bool]:
    """The value (or factor), unit, note, year and whether it is a factor."""
    unit, note, year, factor = None, "user override", None, False
    if isinstance(raw, dict):
        unknown = set(raw) - {"value", "factor", "unit", "note", "year"}
        if unknown or len({"value", "factor"} & set(raw)) != 1:
            raise OverrideError(
                f"override {key}: expected a number, {{value, unit, note, year}} or {{factor, note}}"
            )
        unit, note, year = raw.get("unit"), str(raw.get("note", note)), _year(key, raw.get("year"))
        factor = "factor" in raw
        if factor and (unit is not None or year is not None):
            raise OverrideError(
                f"override {key}: a factor keeps each value's unit and year; give {{value, unit, year}}"
                " to set a value of another unit or year"
            )
        raw = raw["factor" if factor else "value"]
    typed = raw
    if isinstance(raw, str):  # YAML reads 1e6 (no dot, no sign) as text
        slip = comma_hint(raw) or dot_hint(raw)
        if slip:
            raise OverrideError(f"override {key}: {slip}", field=key)
        with contextlib.suppress(ValueError):
            raw = float(raw)
    if not finite_number(raw):
        raise OverrideError(f"override {key}: value must be a finite number, got {brief(typed)}", field=key)
    # a factor's own bound first (a web review: a factor of -1 was told 'value must not be negative')
    if factor and not 0 < raw <= MAX_FACTOR:
        raise OverrideError(
            f"override {key}: factor must be more than 0 and at most {MAX_FACTOR} (1.3 means 30 % more),"
            f" got {raw:g}"
        )
    if raw < 0:
        raise OverrideError(f"override {key}: value must not be negative, got {raw:g}", field=key)
    if raw > MAX_VALUE:  # 1e308 would overflow the costs into inf and NaN
        raise OverrideError(
            f"override {key}: {raw:g} is beyond any value of this kind (at most {MAX_VALUE:g})", field=key
        )
    return float(raw), unit, note, year, factor


def _year(key: str, raw: Any) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not FIRST_YEAR <= raw <= LAST_YEAR:
        raise OverrideError(
            f"override {key}: year must be a whole year from {FIRST_YEAR} to {LAST_YEAR}, got {brief(raw)}",
            field=key,
        )
    return raw


def apply_overrides(pack, overrides: str | Path | dict[str, Any]):
    """Return a copy of ``pack`` with the overrides applied and recorded."""
    mapping = overrides if isinstance(overrides, dict) else read_overrides(overrides)
    params = pack.parameters.copy()
    # copy on write: only the tables an override changes are copied (the others are shared, as
    # every load() of the shipped pack shares them); a sweep applies overrides a thousand times
    tables = dict(pack.tables)
    copied: set[str] = set()

    def writable(name: str) -> pd.DataFrame:
        if name not in copied:
            tables[name] = tables[name].copy()
            copied.add(name)
        return tables[name]

    done: list[Override] = []
    changed: set[tuple[str, str]] = set()  # the (subject, quantity) of parameter overrides
    valued: dict[tuple[str, str], str] = {}  # (subject, quantity) -> the value pattern that set it
    for key, raw in sorted(mapping.items(), key=_precedence):
        key = str(key)
        try:
            value, unit, note, year, factor = _number(key, raw)
            head, _, rest = key.partition(".")
            if year is not None and head in ("tariff", "edge", "node"):
                raise OverrideError(f"override {key}: year applies to a parameter's value, not a {head}'s")
            if factor and head in ("tariff", "edge", "node"):
                raise OverrideError(
                    f"override {key}: a factor applies to a parameter's value, not a {head}'s"
                )
            if head == "tariff":
                done.append(_tariff(writable("tariffs"), key, rest, value, note))
            elif head == "edge":
                done.append(_edge(writable("edges"), key, rest, value, note))
            elif head == "node":
                done.append(_node(writable("nodes"), key, rest, value, note))
            elif factor or WILDCARDS.search(head):
                params, change = _parameters(pack, params, key, value, unit, note, year, factor, valued)
                done.append(change)
                quantity = key.partition(".")[2]
                changed |= {(subject, quantity) for subject in change.matched or (head,)}
            else:
                params, change = _parameter(pack, params, key, value, unit, note, year)
                done.append(change)
                changed.add(tuple(key.partition(".")[::2]))
        except OverrideError as exc:
            raise _about(exc, key) from None
    done = _floor_checks(done, tables["tariffs"])
    return pack.with_parameters(params, changed, tables=tables, overrides=tuple(done))


def _precedence(item: tuple[Any, Any]) -> int:
    """The order overrides apply in, whatever the file's: values a pattern sets, then factors
    (which commute), then a subject's own value, which wins (``KZ*`` × 1.3 with ``KZ-61`` = 400000
    gives Turkistan Region 400000 either way round: the sweep's caches key overrides sorted)."""
    key, raw = str(item[0]), item[1]
    head = key.partition(".")[0]
    if head in ("tariff", "edge", "node"):
        return 2
    if isinstance(raw, dict) and "factor" in raw:
        return 1
    return 0 if WILDCARDS.search(head) else 2


def _about(exc: OverrideError, key: str) -> OverrideError:
    """The error as about ``key`` (its field), a long key shortened (an error must not echo 100 kB)."""
    shown = key if len(key) <= 80 else f"{key[:77]}..."
    message = re.sub(r"\S{81,}", lambda m: f"{m.group()[:77]}...", exc.message.replace(key, shown))
    return OverrideError(message, field=shown)


def _parameter(pack, params: pd.DataFrame, key, value, unit, note, year=None):
    subject, _, quantity = key.partition(".")
    if not quantity:
        raise OverrideError(
            f"override key {key!r}: expected <subject>.<quantity>, tariff.<regime>.<hs>,"
            " edge.<from>.<to>.<mode>.<field> or node.<id>.<field>"
        )
    if quantity not in pack.quantities:
        raise OverrideError(f"override {key}: {_unknown_quantity(pack, quantity)}")
    _check_subjects(pack, key, quantity, [subject], [value])
    allowed = pack.quantities[quantity]["units"]
    if pack.quantities[quantity].get("positive") and value < MIN_POSITIVE:
        raise OverrideError(
            f"override {key}: value must be more than 0"
            f" (other values divide by it; at least {MIN_POSITIVE:g}),"
            f" got {value:g}"
        )
    rows = np.flatnonzero(
        (params["subject"].to_numpy() == subject) & (params["quantity"].to_numpy() == quantity)
    )
    most = pack.quantities[quantity].get("max_pct")
    if most is not None and (unit or allowed[0]) == "%" and value > most:
        raise OverrideError(
            f"override {key}: {value:g} % is more than {most} % (a rate in percent: 16 means 16 %)"
        )
    if len(rows):
        years = params["year"].to_numpy()[rows]
        latest = params.index[rows[np.argmax(years)]]  # the first row of the latest year, as idxmax
        old_unit = params.at[latest, "unit"]
        unit = unit or old_unit
        if unit != old_unit:
            raise OverrideError(f"override {key}: unit must be {old_unit} (the data pack's), got {unit}")
        old = float(params.at[latest, "value"])
        year = int(params.at[latest, "year"]) if year is None else year
        _set(
            params,
            [latest],
            value=value,
            year=year,
            source=OVERRIDE_SOURCE,
            note=note,
            overridden=True,
            assumption=False,
        )
        slip = _fraction_check(value, old) if unit == "%" else ""
        check = slip or _far_check(pack, key, value, old, unit)
        return params, Override(key, old, value, unit, note, year, check)
    known = set(params["subject"]) | set(pack.regions.index) | set(pack.sez.index)
    known |= set(pack.provinces.index)
    if subject not in known:
        raise OverrideError(f"override {key}: unknown subject {subject!r}")
    # the value the subject takes now, from its region or country: its unit is the one meant (a
    # review: a Denizli wage of 80,000 was read in tenge, the first unit listed, and cut the Turkish
    # baseline's labour by nine tenths unsaid), and a value far from it is worth a look
    taken = _taken_from(pack, params, subject, quantity)
    unit = unit or (taken[1] if taken and taken[1] in allowed else allowed[0])
    if unit not in allowed:
        raise OverrideError(f"override {key}: unit {unit!r} not allowed (allowed: {', '.join(allowed)})")
    row = {
        "subject": subject,
        "quantity": quantity,
        "value": value,
        "unit": unit,
        "year": int(params["year"].max()) if year is None else year,
        "source": OVERRIDE_SOURCE,
        "note": note,
        "assumption": False,
        "file": "overrides",
        "overridden": True,
    }
    params = pd.concat([params, pd.DataFrame([row])], ignore_index=True)
    check = _far_check(pack, key, value, taken[0], unit) if taken and taken[1] == unit else ""
    return params, Override(key, None, value, unit, note, row["year"], check)


def _taken_from(pack, params: pd.DataFrame, subject: str, quantity: str) -> tuple[float, str] | None:
    """The value and unit a subject without a row of ``quantity`` takes now: its zone's region's,
    else its country's (as :func:`kopru.sites.places` looks them up), latest year; None if none."""
    if subject in pack.sez.index:
        chain = [str(pack.sez.at[subject, "region"]), "KZ"]
    elif subject in pack.regions.index:
        chain = ["KZ"]
    elif subject in pack.provinces.index:
        chain = ["TR"]
    else:
        return None
    for fallback in chain:
        rows = params[(params["subject"] == fallback) & (params["quantity"] == quantity)]
        if len(rows):
            latest = rows.loc[rows["year"].astype(int).idxmax()]
            return float(latest["value"]), str(latest["unit"])
    return None


def _parameters(pack, params: pd.DataFrame, key, value, unit, note, year, factor: bool, valued: dict):
    """Every value a pattern key matches (the latest of each subject), or one value times a factor;
    ``valued``: the values earlier patterns set, which a second pattern's value may not set again."""
    pattern, _, quantity = key.partition(".")
    if quantity not in pack.quantities:
        raise OverrideError(f"override {key}: {_unknown_quantity(pack, quantity)}")
    regex = fnmatch.translate(pattern)
    rows = params[(params["quantity"] == quantity) & params["subject"].str.match(regex)]
    if rows.empty:
        is_pattern = WILDCARDS.search(pattern)
        raise OverrideError(
            f"override {key}: no subject matching {pattern!r} has a {quantity} value in the data pack"
            if is_pattern
            else f"override {key}: the data pack has no {key} value to multiply (give a value instead)"
        )
    latest = rows.groupby("subject", sort=True)["year"].idxmax()  # the first row of the latest year
    old = params.loc[latest, "value"].to_numpy(float)
    new = old * value if factor else np.full(len(old), value)
    _check_subjects(pack, key, quantity, list(latest.index), [float(v) for v in new])
    units = set(params.loc[latest, "unit"])
    if unit is not None and units != {unit}:
        raise OverrideError(f"override {key}: unit must be {' or '.join(sorted(units))} (the data pack's)")
    if not factor and len(units) > 1:  # one number in two units (lira and dollar land prices)
        raise OverrideError(
            f"override {key}: the subjects it matches give {quantity} in {' and '.join(sorted(units))};"
            " one value cannot be both: narrow the pattern or give a factor"
        )
    if not factor:
        twice = [s for s in latest.index if (s, quantity) in valued]
        if twice:
            raise OverrideError(
                f"override {key}: {twice[0]}.{quantity} is set by {valued[(twice[0], quantity)]} too;"
                " give each subject one value"
            )
        valued |= {(s, quantity): key for s in latest.index}
    _check_range(pack, key, quantity, new, units)
    years = params.loc[latest, "year"].to_numpy() if year is None else np.full(len(old), year)
    for row, v, y in zip(latest, new, years, strict=True):
        _set(params, [row], value=float(v), year=int(y), source=OVERRIDE_SOURCE, note=note)
        _set(params, [row], overridden=True, assumption=False)
    matched = tuple(latest.index)
    # a factor far from 1; a value set on every subject, the one farthest from the value it replaces
    if factor:
        check = _far_factor_check(value)
    else:  # named by the subject it is farthest from (a diff review: a pattern's value went unchecked)
        far = max(range(len(old)), key=lambda i: abs(np.log(new[i] / old[i])) if old[i] > 0 < new[i] else 0.0)
        named = f"{latest.index[far]}.{quantity}"
        check = _far_check(pack, named, float(new[far]), float(old[far]), next(iter(units)))
    if not WILDCARDS.search(pattern):  # one value times a factor: recorded as the value it gives
        said = f"{note} ({value:g} × the data pack's {old[0]:g})"
        return params, Override(key, float(old[0]), float(new[0]), units.pop(), said, int(years[0]), check)
    unit = "×" if factor else units.pop()
    return params, Override(key, None, value, unit, note, year, check, factor=factor, matched=matched)


def _check_subjects(pack, key: str, quantity: str, subjects: list[str], values: list[float]) -> None:
    """A quantity that only some subjects may set (quantities.yaml ``override_subjects``): Türkiye's
    labour hours factor is 1 by definition, and a region's would be read by no site. Giving such a
    subject the value it has changes nothing and is let through."""
    spec = pack.quantities[quantity]
    allowed = spec.get("override_subjects")
    if allowed is None:
        return
    for subject, value in zip(subjects, values, strict=True):
        same = pack.has_param(subject, quantity) and pack.param(subject, quantity).value == value
        if subject not in allowed and not same:
            whose = "" if key.startswith(f"{subject}.") else f" (it matches {subject})"
            why = spec.get("override_note", "cannot be set here")
            raise OverrideError(f"override {key}{whose}: refused, {quantity} {why}")


def _check_range(pack, key: str, quantity: str, values: np.ndarray, units: set[str]) -> None:
    """The bounds a value of ``quantity`` keeps, on every value a key sets."""
    if pack.quantities[quantity].get("positive") and values.min() < MIN_POSITIVE:
        raise OverrideError(
            f"override {key}: value must be more than 0"
            f" (other values divide by it; at least {MIN_POSITIVE:g}),"
            f" got {values.min():g}"
        )
    most = pack.quantities[quantity].get("max_pct")
    if most is not None and units == {"%"} and values.max() > most:
        raise OverrideError(
            f"override {key}: {values.max():g} % is more than {most} % (a rate in percent: 16 means 16 %)"
        )
    if values.max() > MAX_VALUE:
        raise OverrideError(f"override {key}: {values.max():g} is beyond any value of this kind")


def _set(table: pd.DataFrame, rows: Any, **values: Any) -> None:
    """Cell by cell: a multi-column .loc assignment costs ~1.5 ms, and a sweep does it per scenario."""
    for row in rows:
        for column, value in values.items():
            table.at[row, column] = value


def _tariff(tariffs: pd.DataFrame, key, rest, value, note) -> Override:
    regime, _, hs = rest.partition(".")
    hs, _, column = hs.partition(".")
    mask = (tariffs["regime"] == regime) & (tariffs["hs"] == hs)
    if not mask.any():
        raise OverrideError(f"override {key}: no tariff row for regime {regime!r} and HS {hs!r}")
    if column == "min_eur_per_kg":  # a specific duty's floor: 'no duty' needs it gone too (a review)
        old_min = tariffs.loc[mask, "min_eur_per_kg"].iloc[0]
        _set(tariffs, tariffs.index[mask], min_eur_per_kg=value, source=OVERRIDE_SOURCE, note=note)
        return Override(key, None if pd.isna(old_min) else float(old_min), value, "EUR/kg", note)
    if column:
        raise OverrideError(
            f"override {key}: a tariff row's field is rate_pct (tariff.{regime}.{hs}) or min_eur_per_kg"
            f" (tariff.{regime}.{hs}.min_eur_per_kg), got {column!r}"
        )
    if value > MAX_DUTY_PCT:
        raise OverrideError(
            f"override {key}: {value:g} % is beyond any customs duty"
            f" (at most {MAX_DUTY_PCT} %; 12 means 12 %)"
        )
    old = float(tariffs.loc[mask, "rate_pct"].iloc[0])
    _set(tariffs, tariffs.index[mask], rate_pct=value, source=OVERRIDE_SOURCE, note=note)
    return Override(key, old, value, "%", note, check=_fraction_check(value, old))


def _floor_checks(done: list[Override], tariffs: pd.DataFrame) -> list[Override]:
    """A tariff rate changed on a row whose specific minimum still applies, once every override is in
    (a manufacturer's review: 'tariff 0', an FTA, left the 1.75 EUR/kg floor and changed nothing)."""
    out = []
    for o in done:
        parts = o.key.split(".")
        if parts[0] == "tariff" and len(parts) == 3:
            row = tariffs[(tariffs["regime"] == parts[1]) & (tariffs["hs"] == parts[2])]
            floor = row["min_eur_per_kg"].iloc[0]
            if pd.notna(floor) and floor > 0:
                said = (
                    f"Its specific minimum of {floor:g} EUR/kg still applies"
                    f" ({o.key}.min_eur_per_kg changes it)."
                )
                o = replace(o, check=f"{o.check} {said}".strip())
        out.append(o)
    return out


def _fraction_check(value: float, old: float | None) -> str:
    """A percentage given as a fraction (0.2 for 20 %) reads as 0.2 %: worth a look when the pack's
    value is a whole percentage or more (a manufacturer's review: KZ.corporate_income_tax 0.2)."""
    if old is not None and 0 < value < 1 and old >= 2:
        return (
            f"{value:g} % where the data pack has {old:g} %: a rate in per cent ({old:g} means {old:g} %);"
            f" {value:g} is taken as {value:g} %."
        )
    return ""


def _far_check(pack, key: str, value: float, old: float | None, unit: str) -> str:
    """A value :data:`FAR` times the data pack's or more, or that much less: worth a look."""
    if old is None or not old > 0 or not value > 0 or 1 / FAR < value / old < FAR:
        return ""
    ratio = value / old
    times = f"{_figure(ratio)} times" if ratio > 1 else f"1/{_figure(1 / ratio)} of"
    shown = "" if unit == "1" else f" {unit}"
    named = _named(pack, key)
    whose = f" ({named})" if named != key else ""  # the key itself leads every place a check is said
    return (
        f"{_figure(value)}{shown} is {times} the data pack's {_figure(old)}{shown}{whose}: a slip of a"
        " unit or a zero? It is used as given."
    )


def _figure(x: float) -> str:
    """A number as a check says it: '1,250', '0.0456', never '1.25e+03'."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _far_factor_check(factor: float) -> str:
    if 1 / FAR < factor < FAR:
        return ""
    if factor < 1:  # 0.05 for +5 %: a change typed as a factor
        return (
            f"× {factor:g} makes every value it replaces 1/{_figure(1 / factor)} of the data pack's: a change"
            " typed as a factor? (1.05 means +5 %) It is used as given."
        )
    return (
        f"× {factor:g} makes every value it replaces {factor:g} times the data pack's: a value typed as a"
        " factor? (1.3 means +30 %) It is used as given."
    )


def _named(pack, key: str) -> str:
    """A parameter's key as a reader names it ("Kazakhstan's labour hours ..."); other keys as given."""
    from kopru.datapack.labels import QUANTITY_LABELS, value_label
    from kopru.display import subject_names

    subject, _, quantity = key.partition(".")
    if pack is None or quantity not in QUANTITY_LABELS:
        return key
    return value_label(subject, quantity, subject_names(pack))


def _edge(edges: pd.DataFrame, key, rest, value, note) -> Override:
    parts = rest.split(".")
    if len(parts) != 4 or parts[3] not in EDGE_FIELDS:
        raise OverrideError(
            f"override {key}: expected edge.<from>.<to>.<mode>.<field>, field one of {', '.join(EDGE_FIELDS)}"
        )
    a, b, mode, fld = parts
    pair = ((edges["from"] == a) & (edges["to"] == b)) | ((edges["from"] == b) & (edges["to"] == a))
    mask = pair & (edges["mode"] == mode)
    if not mask.any():
        raise OverrideError(f"override {key}: no {mode} edge between {a!r} and {b!r}")
    old = edges.loc[mask, fld].iloc[0]
    _set(edges, edges.index[mask], **{fld: value, "source": OVERRIDE_SOURCE, "note": note})
    unit = {"distance_km": "km", "days": "days", "cost_usd_per_teu": "USD/TEU"}[fld]
    old = None if pd.isna(old) else float(old)
    return Override(key, old, value, unit, note, check=_far_check(None, key, value, old, unit))


def _node(nodes: pd.DataFrame, key, rest, value, note) -> Override:
    node, _, fld = rest.partition(".")
    if node not in nodes.index or fld not in NODE_FIELDS:
        raise OverrideError(
            f"override {key}: expected node.<id>.<field> with a known node and field one of"
            f" {', '.join(NODE_FIELDS)}"
        )
    old = float(nodes.at[node, fld])
    nodes.loc[node, [fld, "source", "note"]] = [value, OVERRIDE_SOURCE, note]
    unit = "USD/TEU" if fld == "handling_usd_per_teu" else "days"
    return Override(key, old, value, unit, note, check=_far_check(None, key, value, old, unit))


def _unknown_quantity(pack, quantity: str) -> str:
    """What to say of a misspelt quantity: the nearest one, and where every one is listed (the
    quantities file is inside the installed package, which a user does not open)."""
    near = difflib.get_close_matches(quantity, list(pack.quantities), n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    # said as the web app's errors expect a command to be said: it drops "; see 'kopru data show ...'"
    return f"unknown quantity {quantity!r}{hint}; see 'kopru data show parameters'"
