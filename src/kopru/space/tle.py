"""Two- and three-line element sets: reading, validating and checking their age.

A file may mix element sets with and without a name line (CelesTrak's ``0 NAME`` form too). Each
line 1 and line 2 must carry a valid mod-10 checksum, the same NORAD catalogue number, and parse
with ``sgp4``; anything else is a :class:`~kopru.errors.TLEError` naming the file and line. A name
that two element sets share is made unique with each one's NORAD number (:func:`unique_names`).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
from sgp4.api import Satrec, SatrecArray

from kopru import documents
from kopru.errors import StaleElementsWarning, TLEError

#: SGP4 switches to its deep-space (SDP4) branch at periods of 225 minutes and above.
DEEP_SPACE_PERIOD_MIN = 225.0
#: Near-geostationary: about one revolution per sidereal day, nearly circular and equatorial.
GEO_REVS_PER_DAY = (0.9, 1.1)
#: Element sets older (or younger) than this at the time of use get a warning (see STALE_EFFECT).
#: At 39 days a KazEOSat-1 set moves AOS by about 5 s against a fresher one (SOURCE.md), so 30
#: days still gives second-level times; the error then grows fast.
STALE_AFTER_DAYS = 30.0
#: What a stale element set does to the results, in every output that carries the warning. Drag
#: is mismodelled by an error in the mean motion's decay, and a rate error integrated twice makes
#: the along-track error grow with the square of the age.
STALE_EFFECT = (
    "SGP4's along-track error grows roughly with the square of the element set's age under atmospheric"
    " drag: seconds of pass timing after a few weeks, minutes after two to three months (a review measured"
    " Göktürk-2's AOS 5-6 min early with a 104-day-old set against a fresh one) — use element sets from"
    " within a few days of the window"
)
#: The project's own measurement (SOURCE.md): Göktürk-2's AOS 5-6 min early with a 104-day-old set.
MEASURED_ERROR_MIN, MEASURED_AGE_DAYS = 5.5, 104.0
#: Past this a LEO set's pass times are minutes off (about 4 min by the measurement), more than a
#: contact plan's margins: the words say they are not usable for planning.
UNUSABLE_AFTER_DAYS = 90.0
#: A low orbit's period, about (KazEOSat-1 99.9 min, Göktürk-2 97.5 min): an error this long means
#: the listed pass is another revolution's, not the real one.
LEO_ORBIT_MIN = 95.0
#: A LEO pass at a 5° mask lasts about this long: an error beyond it puts the real pass elsewhere.
PASS_MIN = 12.0
MAX_FILE_BYTES = 50_000_000


def timing_error_min(days: float) -> float:
    """The along-track timing error of a LEO element set ``days`` from its epoch, minutes: the
    measurement scaled with the square of the age (a drag error integrated twice)."""
    return MEASURED_ERROR_MIN * (days / MEASURED_AGE_DAYS) ** 2


def _duration(minutes: float) -> str:
    return f"{minutes * 60:.0f} s" if minutes < 1.0 else f"{minutes:.0f} min"


def staleness(days: float, leo: bool = True) -> str:
    """What element sets ``days`` from the window do to pass times, in words that grow with the age;
    empty within :data:`STALE_AFTER_DAYS`. ``leo``: the oldest stale set is not geostationary (the
    drag measurement does not apply to a geostationary orbit, whose drift is manoeuvres')."""
    if days <= STALE_AFTER_DAYS:
        return ""
    if not leo:
        return f"the pass times may be minutes off (over {_days(STALE_AFTER_DAYS)})"
    error = timing_error_min(days)
    scale = (
        "Göktürk-2's error, the largest the project measured: 5-6 min at"
        f" {MEASURED_AGE_DAYS:.0f} days, growing with the square of the age"
    )
    if days <= UNUSABLE_AFTER_DAYS:
        return f"the pass times may be up to about {_duration(error)} off at {days:.0f} days ({scale})"
    if error < PASS_MIN:
        return f"the pass times can be about {error:.0f} minutes off: not usable for planning ({scale})"
    beyond = "more than one orbit" if error >= LEO_ORBIT_MIN else "longer than a pass lasts"
    return (
        f"the pass times can be about {error:.0f} minutes off, {beyond}: not usable for planning, the"
        f" passes listed are not the real ones ({scale})"
    )


def staleness_of(ages: Sequence[dict[str, object]]) -> str:
    """:func:`staleness` for the rows of :meth:`Constellation.ages`: the oldest LEO set's, else the
    oldest set's."""
    stale = [a for a in ages if a["stale"]]
    if not stale:
        return ""
    leo = [float(a["days_from_epoch_max"]) for a in stale if not a.get("geostationary")]  # type: ignore[arg-type]
    if leo:
        return staleness(max(leo))
    return staleness(max(float(a["days_from_epoch_max"]) for a in stale), leo=False)  # type: ignore[arg-type]


def _days(n: float) -> str:
    return f"{n:g} day" + ("" if n == 1 else "s")


DATA = resources.files("kopru.space") / "data"


@dataclass(frozen=True)
class ElementSet:
    """One satellite's element set, parsed by sgp4."""

    name: str
    norad: int
    line1: str
    line2: str
    satrec: Satrec
    source: str = ""
    catalogue_name: str = ""  # the element file's name line, when ``name`` is a reader's name instead

    @property
    def epoch(self) -> datetime:
        days = (self.satrec.jdsatepoch - 2440587.5) + self.satrec.jdsatepochF
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=days)

    @property
    def launch_year(self) -> int | None:
        """The year of launch, from the international designator (line 1, columns 10-11: '11042A'
        was launched in 2011); None where the designator is blank, as in some analyst sets."""
        yy = self.line1[9:11]
        if not yy.isdigit():
            return None
        return (1900 if int(yy) >= 57 else 2000) + int(yy)  # the designators began with Sputnik, 1957

    @property
    def revs_per_day(self) -> float:
        return self.satrec.no_kozai * 1440.0 / (2.0 * np.pi)

    @property
    def period_min(self) -> float:
        return 1440.0 / self.revs_per_day

    @property
    def eccentricity(self) -> float:
        return float(self.satrec.ecco)

    @property
    def is_geostationary(self) -> bool:
        lo, hi = GEO_REVS_PER_DAY
        return lo <= self.revs_per_day <= hi and self.eccentricity < 0.01 and self.satrec.inclo < 0.3

    @property
    def is_deep_space(self) -> bool:
        return self.period_min >= DEEP_SPACE_PERIOD_MIN


@dataclass(frozen=True)
class Constellation:
    """An ordered set of element sets; arrays over it are indexed in this order."""

    elements: tuple[ElementSet, ...]

    def __len__(self) -> int:
        return len(self.elements)

    def __iter__(self):
        return iter(self.elements)

    def __getitem__(self, i: int) -> ElementSet:
        return self.elements[i]

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.elements]

    @property
    def norads(self) -> np.ndarray:
        return np.array([e.norad for e in self.elements], dtype=np.int64)

    def satrec_array(self) -> SatrecArray:
        return SatrecArray([e.satrec for e in self.elements])

    def subset(self, mask: Sequence[bool] | np.ndarray) -> Constellation:
        return Constellation(tuple(e for e, keep in zip(self.elements, mask, strict=True) if keep))

    def without(self, excluded: Sequence[dict[str, object]]) -> Constellation:
        """The element sets a run uses: all but the ``excluded`` rows' (``{'norad': ...}``)."""
        left_out = {int(str(x["norad"])) for x in excluded}
        return self.subset([e.norad not in left_out for e in self.elements])

    def ages(self, start: datetime, end: datetime) -> list[dict[str, object]]:
        """Each element set's epoch, its age at ``start`` (start − epoch, days; negative when the
        epoch is later), the farthest the window gets from the epoch, and whether that is stale."""
        rows = []
        for e in self.elements:
            at_start = (start - e.epoch).total_seconds() / 86400.0
            farthest = max(abs(at_start), abs((end - e.epoch).total_seconds() / 86400.0))
            rows.append(
                {
                    "satellite": e.name,
                    "catalogue_name": e.catalogue_name or e.name,
                    "norad": e.norad,
                    "epoch": e.epoch.isoformat(timespec="seconds").replace("+00:00", "Z"),
                    "age_at_start_days": round(at_start, 2),
                    "days_from_epoch_max": round(farthest, 2),
                    "stale": farthest > STALE_AFTER_DAYS,
                    "geostationary": e.is_geostationary,
                }
            )
        return rows

    def stale_warning(self, start: datetime, end: datetime) -> str:
        """One line naming every element set used over :data:`STALE_AFTER_DAYS` days from its epoch
        and what that does to the results; empty when none is."""
        ages = self.ages(start, end)
        stale = [a for a in ages if a["stale"]]
        if not stale:
            return ""
        listed = ", ".join(
            f"{a['satellite']} (NORAD {a['norad']}, epoch {str(a['epoch'])[:10]})"
            f" {a['days_from_epoch_max']:.0f} days"
            for a in stale
        )
        return (
            f"stale element sets, more than {_days(STALE_AFTER_DAYS)} from the window: {listed};"
            f" {staleness_of(ages)}. {STALE_EFFECT}."
        )

    def check_age(self, start: datetime, end: datetime, max_days: float | None = None) -> str:
        """Warn (one ``StaleElementsWarning``) when any element set is stale; return the warning.
        With ``max_days``, refuse (a ``TLEError`` naming them) element sets farther than that from
        the window: an operator's schedule must not rest on minutes-off passes. A window that ends
        before the year every satellite was launched in is refused (a web review: 182 passes in
        1960 of satellites launched from 2011)."""
        launched = [e.launch_year for e in self.elements if e.launch_year is not None]
        if launched and len(launched) == len(self.elements) and end.year < min(launched):
            raise TLEError(
                f"the window ends on {end.date().isoformat()}, before any of these satellites was launched"
                f" (the first in {min(launched)}); choose a start after it",
                field="start",
            )
        if max_days is not None:
            old = [a for a in self.ages(start, end) if float(a["days_from_epoch_max"]) > max_days]
            if old:
                listed = ", ".join(
                    f"{a['satellite']} (epoch {str(a['epoch'])[:10]},"
                    f" {_days(round(float(a['days_from_epoch_max'])))})"
                    for a in old
                )
                raise TLEError(
                    f"element sets more than {_days(max_days)} from the window: {listed}; give fresher ones"
                    " with --tle (or a larger --max-elements-age)"
                )
        message = self.stale_warning(start, end)
        if message:
            warnings.warn(message, StaleElementsWarning, stacklevel=2)
        return message


def checksum(line: str) -> int:
    """The TLE mod-10 checksum of the first 68 columns: digits count, a minus sign counts 1."""
    # ASCII digits only: str.isdigit() also accepts '²' and other digits int() cannot read
    total = sum(int(c) for c in line[:68] if c in DIGITS) + line[:68].count("-")
    return total % 10


DIGITS = "0123456789"
# line 2's angles, by column (1-based 9-16, 18-25, 35-42, 44-51), and the range each lies in
ANGLES = (
    (slice(8, 16), "inclination", 0.0, 180.0),
    (slice(17, 25), "right ascension of the ascending node", 0.0, 360.0),
    (slice(34, 42), "argument of perigee", 0.0, 360.0),
    (slice(43, 51), "mean anomaly", 0.0, 360.0),
)
EPOCH = re.compile(r"\d{2}[\d ]{3}\.\d{8}")  # columns 19-32 of line 1: YYDDD.DDDDDDDD


def _check_line(line: str, number: str, where: str) -> None:
    if not line.startswith(number + " "):
        raise TLEError(
            f"{where}: expected line {number} of an element set (starting '{number} '), got {line!r}"
        )
    if len(line) != 69:
        raise TLEError(
            f"{where}: line {number} has {len(line)} characters, a TLE line has exactly 69"
            " (check for a truncated or wrapped line)"
        )
    if line[68] not in DIGITS:
        raise TLEError(f"{where}: line {number} ends with {line[68]!r}, expected a checksum digit")
    if checksum(line) != int(line[68]):
        raise TLEError(
            f"{where}: checksum mismatch on line {number}: the digits sum to {checksum(line)} (mod 10) but"
            f" the last digit says {line[68]} — the line was altered or corrupted; fetch the element set"
            " again"
        )


def _number(text: str, where: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise TLEError(f"{where}: {what} is {text.strip()!r}, not a number") from None
    if not np.isfinite(value):
        raise TLEError(f"{where}: {what} is {text.strip()!r}, not a finite number")
    return value


def _element_set(name: str | None, l1: str, l2: str, where1: str, where2: str, source: str) -> ElementSet:
    _check_line(l1, "1", where1)
    _check_line(l2, "2", where2)
    if not EPOCH.fullmatch(l1[18:32]):
        raise TLEError(
            f"{where1}: the epoch (columns 19-32) is {l1[18:32]!r}; expected YYDDD.DDDDDDDD,"
            " a two-digit year and the day of the year"
        )
    day = _number(l1[20:32], where1, "the epoch's day of the year (columns 21-32)")
    if not 1.0 <= day < 367.0:
        raise TLEError(
            f"{where1}: the epoch's day of the year (columns 21-32) must be in [1, 367),"
            f" got {l1[20:32].strip()}"
        )
    for columns, what, low, high in ANGLES:
        value = _number(l2[columns], where2, what)
        if not low <= value <= high:
            raise TLEError(
                f"{where2}: {what} must be in [{low:g}, {high:g}] degrees, got {l2[columns].strip()}"
            )
    if l1[2:7] != l2[2:7]:
        raise TLEError(
            f"{where2}: NORAD catalogue number {l2[2:7].strip()!r} differs from line 1's"
            f" {l1[2:7].strip()!r}; the two lines belong to different satellites"
        )
    try:
        sat = Satrec.twoline2rv(l1, l2)
    except (ValueError, IndexError) as exc:
        raise TLEError(f"{where1}: sgp4 cannot parse this element set: {exc}") from None
    if not np.isfinite(sat.no_kozai) or sat.no_kozai <= 0:
        raise TLEError(f"{where2}: mean motion must be positive, got {l2[52:63].strip()!r}")
    if not 0.0 <= sat.ecco < 1.0:
        raise TLEError(f"{where2}: eccentricity must be in [0, 1), got {sat.ecco}")
    label = name if name else f"NORAD {sat.satnum}"
    return ElementSet(label, int(sat.satnum), l1, l2, sat, source)


def parse_tle(text: str, source: str = "<text>") -> Constellation:
    """Parse two- or three-line element sets from ``text``; ``source`` names the file in messages."""
    lines = [(i + 1, raw.rstrip()) for i, raw in enumerate(text.splitlines())]
    lines = [(n, s) for n, s in lines if s.strip()]
    if not lines:
        raise TLEError(
            f"{source}: no element sets found (the file is empty); expected two- or three-line TLEs"
        )
    if not any(line.startswith("1 ") for _, line in lines):
        # without it every line reads as a name, and the message said "line 1 has no line 2"
        raise TLEError(
            f"{source} line {lines[0][0]}: no line starting '1 ' found; expected two- or three-line element"
            " sets (an optional name line, then lines starting '1 ' and '2 ')"
        )
    out: list[ElementSet] = []
    seen: dict[int, int] = {}
    i = 0
    while i < len(lines):
        n, line = lines[i]
        name = None
        if not (line.startswith("1 ") and len(line) >= 60):
            # a name line: CelesTrak's 3LE form may prefix it with "0 "
            name = line[2:].strip() if line.startswith("0 ") else line.strip()
            i += 1
            if i >= len(lines):
                raise TLEError(f"{source} line {n}: name {name!r} is not followed by lines 1 and 2")
        if i + 1 >= len(lines):
            nn, _last = lines[i]
            raise TLEError(f"{source} line {nn}: line 1 has no line 2 after it (truncated file?)")
        (n1, l1), (n2, l2) = lines[i], lines[i + 1]
        es = _element_set(name, l1, l2, f"{source} line {n1}", f"{source} line {n2}", source)
        if es.norad in seen:
            raise TLEError(
                f"{source} line {n1}: NORAD {es.norad} appears twice (first at line {seen[es.norad]});"
                " keep one element set per satellite"
            )
        seen[es.norad] = n1
        out.append(es)
        i += 2
    return Constellation(unique_names(out))


def unique_names(elements: Sequence[ElementSet]) -> tuple[ElementSet, ...]:
    """The element sets with every name that two or more share followed by each one's NORAD number
    ("KAZEOSAT 1 (NORAD 40010)"), its name line kept in ``catalogue_name``: names are the keys of
    reports and schedules, and CelesTrak calls every new object "TBA - TO BE ASSIGNED"."""
    count = Counter(e.name for e in elements)
    return tuple(
        replace(e, name=f"{e.name} (NORAD {e.norad})", catalogue_name=e.catalogue_name or e.name)
        if count[e.name] > 1
        else e
        for e in elements
    )


def read_tle(path: str | Path | None = None) -> Constellation:
    """Read an element-set file; ``None`` reads the shipped Kazakh, Turkish and OTS satellites."""
    if path is None:
        text = (DATA / "tle-kz-tr.txt").read_text(encoding="utf-8")
        return parse_tle(text, "tle-kz-tr.txt (shipped)")
    text = documents.read_text(path, "element-set file", error=TLEError, max_bytes=MAX_FILE_BYTES)
    return parse_tle(text, str(path))
