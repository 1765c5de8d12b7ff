"""One reader for every document a user hands kopru: profiles, overrides, weights, uncertainty and
scenario files, uploads, OR-Library instances, element sets and CSV tables.

Whatever the document, the same checks run in the same order and fail with the same kind of
one-line message naming the file (and the line where there is one):

1. the path exists, is a regular file (not a folder, a FIFO or a device, which would block or
   never end) and is not larger than the document can reasonably be;
2. the bytes are text: no NUL byte (binary), UTF-8 (a UTF-8 byte-order mark is dropped; UTF-16 is
   recognised and named, so the user knows how to save the file instead);
3. structured text (YAML, JSON) is nested at most :data:`MAX_DEPTH` levels deep, and YAML uses no
   anchors or aliases: a profile never needs them, and they let a small file expand into a huge
   document ("billion laughs"). Both are checked on the event stream before any object is built,
   so a hostile file costs a scan, never a deep recursion or a blow-up;
4. then the document is parsed; a syntax error names its line and column.

Errors are raised as the caller's class (a :class:`~kopru.errors.ProfileError` for a profile, an
:class:`~kopru.errors.OverrideError` for an overrides file, ...), always a
:class:`~kopru.errors.KopruError` with ``file``, ``line`` and ``column`` set where they apply.
"""

from __future__ import annotations

import copy
import csv
import difflib
import functools
import io
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from kopru.errors import DocumentError, KopruError
from kopru.units import brief, kind_of

Format = Literal["yaml", "json"]
MAX_BYTES = 1_000_000  # a profile or an overrides file is a page of YAML; anything larger is a mistake
MAX_DEPTH = 40  # a profile is 4 levels deep; 40 leaves room for any honest document
MAX_CSV_FIELD = 1_000_000  # one CSV cell; the csv module's own limit (131,072) fails with a traceback
_OPENERS, _CLOSERS = b"[{", b"]}"
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: 10x faster


class _Loader(_SafeLoader):  # type: ignore[misc,valid-type]
    """YAML 1.1 as PyYAML reads it, but a number with a leading zero stays text, as YAML 1.2 reads
    it: an unquoted HS heading 0713 (or subheading 010121) is not the octal number 459 (4177), and
    a capacity written 0100 is not 64."""


_Loader.yaml_implicit_resolvers = {k: list(v) for k, v in _SafeLoader.yaml_implicit_resolvers.items()}
_Loader.yaml_implicit_resolvers["0"].insert(0, ("tag:yaml.org,2002:str", re.compile(r"^0[0-9_]+$")))


def read_bytes(
    path: str | Path, what: str, *, error: type[KopruError] = DocumentError, max_bytes: int = MAX_BYTES
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; ``what`` names it in messages."""
    if not str(path).strip():  # Path('') is '.', the folder one stands in (a CLI review)
        raise error(f"{what}: the path is empty; give a file")
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist{_nearby(path)}", file=path) from None
    except OSError as exc:  # a name too long, a loop of symbolic links, no permission
        raise error(f"{what} {_short(path)} cannot be opened: {exc.strerror or exc}", file=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{what} {path} is a folder; expected a file", file=path)
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{what} {path} is not a regular file (a pipe or a device); expected a file", file=path)
    if info.st_size > max_bytes:
        raise error(
            f"{what} {path} is {_size(info.st_size)}; at most {_size(max_bytes)} is accepted", file=path
        )
    try:
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"{what} {path} cannot be read: {exc.strerror or exc}", file=path) from None


def decode(raw: bytes, what: str, *, error: type[KopruError] = DocumentError, encoding: str = "utf-8") -> str:
    """Text from bytes: refuses empty, binary and non-UTF-8 input with a message that says which."""
    if not raw.strip():
        raise error(f"{what} is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error(f"{what} is UTF-16 text; save it as UTF-8")
    if b"\x00" in raw:
        raise error(f"{what} is binary; expected text")
    try:
        return raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        expected = "UTF-8" if encoding == "utf-8" else encoding.upper()
        said = f"{what} is not {expected} text (line {line}); save it as {expected}"
        raise error(said, line=line) from None


def read_text(
    path: str | Path,
    what: str,
    *,
    error: type[KopruError] = DocumentError,
    max_bytes: int = MAX_BYTES,
    encoding: str = "utf-8",
) -> str:
    """A text file, checked as :func:`read_bytes` and :func:`decode` do."""
    raw = read_bytes(path, what, error=error, max_bytes=max_bytes)
    try:
        return decode(raw, f"{what} {path}", error=error, encoding=encoding)
    except KopruError as exc:
        exc.file = str(path)
        raise


def format_of(name: str | Path) -> Format:
    """JSON for ``.json`` files, YAML (a superset of JSON) for anything else."""
    return "json" if str(name).lower().endswith(".json") else "yaml"


NumberHint = Callable[[str], str | None]


def parse(
    text: str,
    what: str,
    fmt: Format = "yaml",
    *,
    error: type[KopruError] = DocumentError,
    number_hint: NumberHint | None = None,
) -> Any:
    """A YAML or JSON document, after the depth and alias checks; errors name line and column.
    ``number_hint``: what to write instead of a plain YAML value as typed, or None to take it (YAML
    reads '600.000' as 600 before any field sees the text)."""
    depth = _flow_depth(text)
    if depth > MAX_DEPTH:
        raise error(f"{what} is nested {depth} levels deep; at most {MAX_DEPTH} are accepted")
    if fmt == "json":
        slips: list[tuple[str, str]] = []  # (the number as typed, what to write instead)
        try:
            data = json.loads(
                text,
                parse_constant=_no_constant,
                object_pairs_hook=_unique_keys,
                parse_float=_checked_float(number_hint, slips),
            )
        except json.JSONDecodeError as exc:
            raise error(
                f"{what}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                line=exc.lineno,
                column=exc.colno,
            ) from None
        except ValueError as exc:  # NaN or Infinity, which JSON does not have
            raise error(f"{what}: malformed JSON: {exc}") from None
        if slips:
            literal, hint = slips[0]
            line, key = _json_number_at(text, literal)
            raise error(f"{what}: line {line}, {key or 'value'}: {hint}", line=line)
        return data
    try:
        _check_yaml_events(text, what, error, number_hint)
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        at = f" at line {line}, column {column}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{what}: malformed YAML{at}: {problem}", line=line, column=column) from None


def shipped_yaml(resource: Any) -> Any:
    """A YAML file shipped in the package (criteria.yaml, uncertainty.yaml), parsed once per process
    with libyaml where built in; a deep copy, as callers may change what they read. A rank or a
    plan's switching values read these on every call: parsed each time, they cost a rank 10-40 ms in
    pure-Python YAML. (sez_relief.yaml and quantities.yaml are read once by their own cached
    readers, which check them.)"""
    return copy.deepcopy(_shipped_yaml(resource))


@functools.cache
def _shipped_yaml(resource: Any) -> Any:
    return yaml.load(resource.read_text(encoding="utf-8"), Loader=_SafeLoader)


def read_document(
    path: str | Path,
    what: str,
    *,
    error: type[KopruError] = DocumentError,
    max_bytes: int = MAX_BYTES,
    fmt: Format | None = None,
    number_hint: NumberHint | None = None,
) -> Any:
    """Read, check and parse a YAML or JSON file (by its suffix unless ``fmt`` says)."""
    text = read_text(path, what, error=error, max_bytes=max_bytes)
    try:
        return parse(text, f"{what} {path}", fmt or format_of(path), error=error, number_hint=number_hint)
    except KopruError as exc:
        exc.file = str(path)
        raise


def parse_document(
    raw: bytes | str,
    what: str,
    *,
    name: str = "",
    error: type[KopruError] = DocumentError,
    max_bytes: int = MAX_BYTES,
    fmt: Format | None = None,
    number_hint: NumberHint | None = None,
) -> Any:
    """The same checks for a document that arrives as bytes or text (an upload, a request body)."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(data) > max_bytes:
        raise error(f"{what} is {_size(len(data))}; at most {_size(max_bytes)} is accepted")
    text = decode(data, what, error=error)
    return parse(text, what, fmt or format_of(name), error=error, number_hint=number_hint)


def read_mapping(path: str | Path, what: str, *, error: type[KopruError] = DocumentError, **kw: Any) -> dict:
    """A document that must be a mapping (a profile, an overrides or a scenario file)."""
    data = read_document(path, what, error=error, **kw)
    if data is None:
        raise error(f"{what} {path} holds no data", file=path)
    if not isinstance(data, dict):
        raise error(f"{what} {path} must be a mapping of key: value, got {kind_of(data)}", file=path)
    return data


def csv_rows(
    text: str, what: str, *, error: type[KopruError] = DocumentError
) -> tuple[list[str], list[dict]]:
    """Header and rows of a CSV text (keys stripped); a broken row names its line. A row shorter
    than the header has None in the columns it does not reach ('' is an empty cell)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CSV_FIELD)
    try:
        # strict: a quote left open runs to the end of the file, swallowing every row after it
        start = 1  # the line the next row starts on (a quote left open: where it was opened)
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = [(c or "").strip() for c in reader.fieldnames or []]
        twice = sorted({c for c in header if c and header.count(c) > 1})
        if twice:  # the last column of that name would win silently (a CLI review)
            raise error(
                f"{what}: the header names {', '.join(map(repr, twice))} twice; keep one column of each"
            )
        rows = []
        start = reader.line_num + 1
        for row in reader:
            start = reader.line_num + 1
            if None in row:  # more fields than the header names: an unquoted comma moved them
                raise error(
                    f"{what}: line {reader.line_num} has {len(header) + len(row[None])} fields, the header"
                    f" {len(header)}; quote a text that holds a comma",
                    line=reader.line_num,
                )
            rows.append({(k or "").strip(): v for k, v in row.items()})
    except csv.Error as exc:
        line = reader.line_num if "reader" in locals() else None
        hint = ""
        if "end of data" in str(exc):
            line, hint = start, " (a quote opened and never closed?)"
        raise error(f"{what}: malformed CSV at line {line}: {exc}{hint}", line=line) from None
    finally:
        csv.field_size_limit(limit)
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs")):
            if sep in header[0]:
                raise error(
                    f"{what}: the header {brief(header[0], 60)} has its columns separated by {name};"
                    " save the file comma-separated (CSV, with ',' between columns)"
                )
    return header, rows


def require_columns(
    header: list[str],
    required: tuple[str, ...] | list[str],
    what: str,
    expected: str,
    *,
    error: type[KopruError] = DocumentError,
    **where: Any,
) -> None:
    """Refuse a table that lacks a required column, saying what its header holds instead."""
    missing = [c for c in required if c not in header]
    if not missing:
        return
    found = ",".join(header) or "nothing"
    case = " (column names are lower case)" if all(c in {h.lower() for h in header} for c in missing) else ""
    raise error(
        f"{what}: missing column(s) {', '.join(missing)}{case}; expected {expected}"
        f" (found {brief(found, 120)})",
        **where,
    )


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a key repeats (json keeps the last silently)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice in one object; keep one")
        out[key] = value
    return out


_YAML_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})  # YAML 1.1 values


def _key(event: Any) -> Any:
    """A mapping key as YAML reads it: 1 and '1' differ, null and ~ (or true and True) are one."""
    if event.style:  # quoted or block ('' or None: plain): text as written
        return (str, event.value)
    if event.value.isidentifier() and event.value.lower() not in _YAML_WORDS:  # a field name: text
        return (str, event.value)
    try:
        value = yaml.load(event.value, Loader=_Loader)
    except yaml.YAMLError:
        return (str, event.value)
    return (
        (type(value), value)
        if isinstance(value, str | int | float | bool | type(None))
        else (str, event.value)
    )


@dataclass
class _Open:
    """A collection open on the YAML event stream."""

    mapping: bool
    flow: bool  # written in { } or [ ]
    at_key: bool = True  # the next node of a mapping is a key
    keys: dict[Any, int] = field(default_factory=dict)  # the keys seen, with their line
    last: str = ""  # the last key, which names the value after it


def _check_yaml_events(
    text: str, what: str, error: type[KopruError], number_hint: NumberHint | None = None
) -> None:
    """Refuse aliases, nesting past :data:`MAX_DEPTH` and a key twice in a mapping; with
    ``number_hint``, also a plain value it has a hint for and a number written with thousands
    commas inside { }, on the event stream (no objects built)."""
    open_: list[_Open] = []
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise error(f"{what}: YAML anchors and aliases (&, *) are not supported (line {line})", line=line)
        inner = open_[-1] if open_ else None
        is_key = bool(inner and inner.mapping and inner.at_key)
        if isinstance(event, yaml.ScalarEvent) and not event.style and number_hint:
            slip = _number_slip(event.value, open_, is_key, number_hint)
            if slip:
                raise error(f"{what}: line {line}, {slip}", line=line)
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent) and inner and inner.mapping:
            if inner.at_key and isinstance(event, yaml.ScalarEvent):
                key = _key(event)
                if key in inner.keys:  # YAML would keep the last silently: a field typed twice
                    raise error(
                        f"{what}: key {event.value!r} appears twice in one mapping (lines"
                        f" {inner.keys[key]} and {line}); keep one",
                        line=line,
                    )
                inner.keys[key] = line or 0
                inner.last = event.value
            inner.at_key = not inner.at_key
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_) >= MAX_DEPTH:
                raise error(f"{what} is nested more than {MAX_DEPTH} levels deep (line {line})", line=line)
            open_.append(_Open(isinstance(event, yaml.MappingStartEvent), bool(event.flow_style)))
        elif isinstance(event, yaml.CollectionEndEvent):
            open_.pop()


def _number_slip(value: str, open_: list[_Open], is_key: bool, number_hint: NumberHint) -> str | None:
    """What is wrong with a plain scalar as a number a person wrote, named by the key it is under;
    None when nothing is."""
    inner = open_[-1] if open_ else None
    if not is_key:
        hint = number_hint(value)
    elif inner is not None and inner.flow and re.fullmatch(r"\d{3}", value):
        # 'demand: 1,500' inside { } is 'demand: 1' and a key '500'
        hint = (
            "a number written with a thousands comma inside { } is read as several entries (a key"
            f" {value!r}); write the digits alone, such as 1500000"
        )
    else:
        hint = None
    if not hint:
        return None
    named = next((o.last for o in reversed(open_) if o.mapping and o.last), "") or "value"
    return f"{named}: {hint}"


def _flow_depth(text: str) -> int:
    """Deepest run of brackets, counted on the raw bytes (quoted brackets count too: this only
    guards the parsers against pathological input, the exact check runs on the events)."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    opens = np.isin(data, np.frombuffer(_OPENERS, dtype=np.uint8))
    closes = np.isin(data, np.frombuffer(_CLOSERS, dtype=np.uint8))
    if not opens.any():
        return 0
    level = np.cumsum(opens.astype(np.int64) - closes.astype(np.int64))
    return int(level.max())


def _checked_float(number_hint: NumberHint | None, slips: list[tuple[str, str]]) -> Callable[[str], float]:
    """JSON's float reader, given each number as typed: with ``number_hint``, a Turkish 600.000
    (six hundred thousand, which JSON reads as 600) goes to ``slips``, to be refused as YAML's is
    before any field sees 600."""

    def read(literal: str) -> float:
        hint = number_hint(literal) if number_hint else None
        if hint:
            slips.append((literal, hint))
        return float(literal)

    return read


_JSON_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')


def _json_number_at(text: str, literal: str) -> tuple[int, str | None]:
    """The line of the first number written ``literal`` in a JSON text (not inside a string), and
    the key it is the value of (the key of the nearest key-value pair when in a list)."""
    key = None
    for token in _JSON_TOKEN.finditer(text):
        word = token.group()
        if word.startswith('"'):
            if text[token.end() :].lstrip().startswith(":"):
                key = json.loads(word)
        elif word == literal:
            return text.count("\n", 0, token.start()) + 1, key
    return 1, key


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _nearby(path: Path) -> str:
    """A hint for a path that does not exist: the files of its folder with the closest names (a
    typo, or an example's name remembered short), or that the folder itself is missing."""
    folder = path.parent
    try:
        names = [p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    except FileNotFoundError:
        parts = path.parts
        # the README's paths (examples/...), run outside the repository: the files ship in the package
        shipped = resources.files("kopru").joinpath(*parts) if parts[:1] == ("examples",) else None
        if shipped is not None and shipped.is_file():
            return f" (no folder {folder}); kopru's shipped example is {shipped}"
        return f" (no folder {folder})" if str(folder) not in ("", ".") else ""
    except OSError:
        return ""
    stem = path.stem.lower()
    # a remembered prefix ('food' for food_processing.yaml) first, then difflib's near spellings
    # stems against stems: a shared '.yaml' made 'missing.yaml' look like 'inf.yaml' (a CLI review)
    by_stem = {Path(n).stem.lower(): n for n in names}
    close = sorted(n for n in names if n.lower().startswith(stem) and stem) or [
        by_stem[m] for m in difflib.get_close_matches(stem, list(by_stem), n=3, cutoff=0.6)
    ]
    if not close:
        return ""
    said = " or ".join(str(folder / n) if str(folder) not in ("", ".") else n for n in close[:3])
    return f"; did you mean {said}?"


def _short(path: Path) -> str:
    """A path short enough to print: a 300-character file name is itself the problem."""
    text = os.fspath(path)
    return text if len(text) <= 120 else text[:60] + "…" + text[-40:]
