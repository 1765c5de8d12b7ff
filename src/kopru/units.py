"""Quantities with units in profiles: ``"250 g"``, ``"1.2 kWh"``, ``"0.35 h"`` or a bare number.

A bare number is read in the field's canonical unit (kg, m3, kWh, h, m2). A string carries its
own unit, which must measure the right thing: a mass for a weight, an energy for electricity.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

DIMENSIONS: dict[str, dict[str, float]] = {
    "mass": {"kg": 1.0, "g": 1e-3, "t": 1000.0, "tonne": 1000.0, "lb": 0.45359237},
    "volume": {"m3": 1.0, "m³": 1.0, "l": 1e-3, "L": 1e-3, "dm3": 1e-3, "cm3": 1e-6},
    "energy": {"kWh": 1.0, "Wh": 1e-3, "MWh": 1e3, "MJ": 1 / 3.6, "GJ": 1e3 / 3.6},
    "time": {"h": 1.0, "min": 1 / 60, "s": 1 / 3600},
    "area": {"m2": 1.0, "m²": 1.0, "ha": 1e4, "km2": 1e6},
    "fraction": {"%": 1e-2, "": 1.0},
}
CANONICAL = {
    "mass": "kg",
    "volume": "m3",
    "energy": "kWh",
    "time": "h",
    "area": "m2",
    "fraction": "",
}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)?\s*$")


def parse(raw: object, dimension: str) -> float:
    """Value of ``raw`` in the canonical unit of ``dimension``; ValueError says what was expected."""
    table = DIMENSIONS[dimension]
    article = "an" if dimension[0] in "aeiou" else "a"
    expected = (
        "a share such as 12 % or 0.12"
        if dimension == "fraction"
        else f"{article} {dimension} such as 12 {CANONICAL[dimension]}"
    )
    allowed = ", ".join(u for u in table if u) or "a plain number"
    if isinstance(raw, bool):
        raise ValueError(f"expected {expected}, got {kind_of(raw)}")
    if isinstance(raw, int | float):
        return _finite(raw, expected)
    if not isinstance(raw, str):
        raise ValueError(f"expected {expected}, got {kind_of(raw)}")
    comma = comma_hint(raw) or dot_hint(raw)
    if comma:
        raise ValueError(comma)
    match = _QUANTITY.match(raw)
    if not match:
        raise ValueError(f"expected {expected} (units: {allowed}), got {raw!r}")
    number, unit = float(match.group(1)), (match.group(2) or "").strip()
    if not unit and "" not in table:  # '5' typed in a box: which unit is not for kopru to guess
        raise ValueError(f"expected {expected} (units: {allowed}), got {brief(raw)} without a unit")
    if unit not in table:
        other = next((d for d, t in DIMENSIONS.items() if unit in t and d != dimension), None)
        what = f"{unit!r} is a unit of {other}" if other else f"unknown unit {unit!r}"
        raise ValueError(f"expected {expected} (units: {allowed}); {what}")
    return _finite(number * table[unit], expected)


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+(?![,\d])")
_ONE_GROUP = re.compile(r"^\s*[-+]?\d{1,3},\d{3}(?![,\d.])")  # 1,500: 1500 or 1.5?
_GROUPED = re.compile(r"^\s*[-+]?\d{1,3}(?:(,\d{3}){2,}(\.\d+)?|,\d{3}\.\d+)(?![,\d])")
# Turkish and Kazakh writing groups thousands with dots: 1.800.000 (or 1.800.000,50)
_DOT_GROUPED = re.compile(r"^\s*[-+]?\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?(?![.\d])")
# one such group ending in 0, alone or with a unit: 15.000 (fifteen thousand in Turkish, fifteen
# with a point); a decimal is seldom written with trailing zeros, so '1.25' and '12.345' pass and any
# value can be written, and a text that starts with one ('1.500 dtex yarn') is text
# ('12.500 %' is a share: twelve and a half, never 12,500 %)
_UNIT_WORDS = sorted(
    {u for table in DIMENSIONS.values() for u in table if u not in ("", "%")}, key=len, reverse=True
)
_ONE_DOT_GROUP = re.compile(
    r"^\s*([-+]?[1-9]\d{0,2}\.\d\d0)\s*(?:" + "|".join(map(re.escape, _UNIT_WORDS)) + r")?\s*$"
)


def dot_hint(raw: object) -> str | None:
    """What to write instead of '15.000' (with or without a unit): a Turkish writer's fifteen
    thousand, which a point reads as fifteen; None for any other number."""
    found = _ONE_DOT_GROUP.match(raw) if isinstance(raw, str) else None
    if not found:
        return None
    n = found.group(1)
    return (
        f"{n!r} reads two ways: write {n.replace('.', '').lstrip('+')!r} for thousands or"
        f" {format(float(n), 'g')!r} for a decimal, got {raw.strip()!r}"
    )


def comma_hint(raw: object) -> str | None:
    """What to write instead when a number carries a comma: '6,8' is a decimal comma (kopru reads a
    point), '1,000,000' a thousands separator (kopru reads the digits alone); None otherwise."""
    if not isinstance(raw, str) or not raw.split():
        return None
    if _ONE_GROUP.match(raw):  # a thousands separator or a decimal comma: kopru cannot tell
        n = raw.strip().split()[0]
        return (
            f"{n!r} reads two ways: write {n.replace(',', '').lstrip('+')!r} for thousands or"
            f" {format(float(n.replace(',', '.')), 'g')!r} for a decimal, got {raw!r}"
        )
    if _GROUPED.match(raw):
        plain = re.sub(r"(?<=\d),(?=\d{3})", "", raw.strip())
        return f"write {plain!r} without the thousands separator, got {raw!r}"
    if "," in raw.strip().split()[0] and re.match(r"^\s*[-+]?[\d,]+", raw) and not _DECIMAL_COMMA.match(raw):
        return f"expected a number such as 1500 or 1.5 (no commas), got {raw!r}"
    if _DECIMAL_COMMA.match(raw):
        return f"use a point for decimals: {raw.strip().replace(',', '.', 1)!r}, got {raw!r}"
    return dot_groups_hint(raw)


def dot_groups_hint(raw: object) -> str | None:
    """What to write instead of '6.000.000', thousands grouped with points as Turkish and Kazakh
    write them (a CFO's review: pydantic said 'unable to parse string as a number'); else None."""
    if not isinstance(raw, str) or not _DOT_GROUPED.match(raw):
        return None
    n = raw.strip().split()[0]
    plain = n.replace(".", "").replace(",", ".")
    return f"write {plain!r} without the thousands separator (the dots), got {raw!r}"


def finite_number(value: Any) -> bool:
    """A real number (not a bool) that fits a float and is finite: a 400-digit integer is not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def finite_json(data: Any) -> Any:
    """``data`` with every NaN or infinite number replaced by null (a value that cannot be computed)."""
    if isinstance(data, dict):
        return {k: finite_json(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite_json(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def strict_json(data: Any, indent: int | None = 1) -> str:
    """JSON no reader chokes on: NaN and infinities as null, dates and other objects as text (a
    YAML date in a scenario's note), non-ASCII letters as they are."""
    return json.dumps(finite_json(data), indent=indent, ensure_ascii=False, allow_nan=False, default=str)


def kind_of(value: Any) -> str:
    """What a value is, in the words of the JSON or YAML it came from (null, not NoneType)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    words = {
        list: "a list",
        tuple: "a list",
        dict: "a mapping",
        str: "text",
        int: "a number",
        float: "a number",
    }
    return words.get(type(value), f"a {type(value).__name__}")


def brief(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters: an error must not echo a 400-digit number."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def country_codes(codes: Any) -> tuple[str, ...]:
    """ISO country codes as a person may type them ('ru', ' RU'), upper case and once each, in order."""
    return tuple(dict.fromkeys(str(c).strip().upper() for c in codes or ()))


MAX_MAGNITUDE = 1e15  # no quantity of a profile comes near it; past it a value is a typing slip


def _finite(value: float, expected: str) -> float:
    """A finite float of sensible size; infinities, NaN and 400-digit numbers are refused."""
    try:
        x = float(value)
    except OverflowError:
        raise ValueError(f"expected {expected}, got a number too large to use") from None
    if not math.isfinite(x) or abs(x) > MAX_MAGNITUDE:
        raise ValueError(f"expected {expected} as a finite number up to {MAX_MAGNITUDE:g}, got {value!r}")
    return x
