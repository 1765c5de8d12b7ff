"""Switching values and the tornado of a recommendation: what it would take to change the answer.

The types a plan and ``kopru risk`` carry, and the sentences that say them; the arithmetic is in
:mod:`kopru.montecarlo.switching` (here nothing imports the compiled Monte Carlo kernels, so a plan
can be read without them).
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from kopru.display import COUNTRY_NAMES, FIXED_SUBJECTS
from kopru.language import ENGLISH, Words

Direction = Literal["up", "down"]
# a variable in a sentence: "wage growth in Kazakhstan +10 %"
LABELS: dict[str, str] = {
    "fx": "{} per USD",
    "electricity": "electricity in {}",
    "gas": "gas in {}",
    "wage_growth": "wage growth in {}",
    "labour_hours": "labour hours a unit in {}",
    "freight": "{} freight",
    "transit": "{} transit days",
    "wait": "{} waits",
    "vat": "VAT in {}",
    "duty": "duties",
    "material": "material prices",
    "demand": "demand",
    "site": "each site's own {}",
}
SITE_WORDS = {
    "wage": "wage",
    "electricity": "electricity price",
    "gas": "gas price",
    "land": "land price or lease",
}
DEMAND_LABEL = "demand, all markets together (today's plant sizes)"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Swing(_Model):
    """One bar of the tornado: the saving with one input at the 5th and at the 95th percentile of
    its distribution, the others at the data pack's values."""

    input: str  # the variable (``site.wage`` for a site's own: see ``site``)
    site: str | None  # whose own value, for a site-level input
    label: str  # the input in words
    kind: str  # factor, rate or shift (percentage points)
    low: float  # the input's 5th percentile
    high: float  # its 95th
    saving_low: float  # the recommended site's lead over its comparator, plan currency a year
    saving_high: float
    saving_pct_low: float  # the lead as a share of the comparator's cost (the plan's "below")
    saving_pct_high: float
    # the lead over the best other site, whichever country (what first place turns on)
    lead_low: float = 0.0
    lead_high: float = 0.0

    @property
    def width(self) -> float:
        """The bar's length: the saving's range in points of the comparator's cost."""
        return abs(self.saving_pct_high - self.saving_pct_low)


class Switch(_Model):
    """How far one input must move alone for the answer to change."""

    input: str
    site: str | None
    label: str
    kind: str
    question: Literal["site", "country"]  # another site first / first place leaves the country
    direction: Direction
    value: float  # the input's switching value (a factor, a growth rate or percentage points)
    change: str  # the move in words: "+38 %", "x0.62", "+12 points"
    first: str  # the site that comes first beyond it
    first_name: str
    p_beyond: float | None  # what the input's own distribution puts beyond it (None: no distribution)
    # a freight, transit or waiting input: the value holds today's routes (the planner may re-route)
    on_todays_routes: bool = False
    # demand: the value holds today's plant sizes (an existing plant's expansion, and its incentives,
    # follow demand in the plan)
    at_todays_sizes: bool = False
    reference: float | None = None  # the input's level at neutral: an exchange rate, a labour hours factor
    expected: float | None = None  # a growth rate's expected value over the year

    @property
    def bound(self) -> bool:
        """A value that holds something the plan would change: a bound, kept out of the sentences."""
        return self.on_todays_routes or self.at_todays_sizes


class TwoWayAxis(_Model):
    """One input of a two-way table: its values at the table's percentiles, and those in words."""

    input: str
    site: str | None
    label: str
    values: list[float]
    changes: list[str]  # each value as a table's header says it: "+12 %", an exchange rate "540.2"


class TwoWay(_Model):
    """The two inputs that swing the saving most, moved together over a grid of their percentiles
    (independently: each cell is one pair of values, the other inputs at the data pack's values)."""

    rows: TwoWayAxis
    columns: TwoWayAxis
    percentiles: list[float]  # of each input's one-year distribution, the grid's rows and columns
    first: list[list[str]]  # [row][column]: the site that comes first
    first_name: list[list[str]]
    # the recommended site's saving over its comparator (measure "saving"), or its lead over the best
    # other site (measure "lead"), as a share of that site's cost
    saving_pct: list[list[float]]
    holds: float  # share of the cells where the recommended site stays first
    holds_country: float = 1.0  # share of the cells where first place stays in its country
    measure: Literal["saving", "lead"] = "saving"


class SwitchingValues(_Model):
    """The recommendation's switching values and tornado."""

    site: str
    name: str
    country: str
    comparator: str  # what the saving is over: "the best Turkish site" or "the best other site"
    saving: float  # at the data pack's values, plan currency a year
    saving_pct: float  # as a share of the comparator's cost
    currency: str
    swings: list[Swing]  # widest first
    switches: list[Switch]  # most likely (largest p_beyond) first
    unchanged: list[str]  # levers searched that change nothing within reach, in words
    no_effect: list[str]  # inputs that do not move any site's cost (VAT: recoverable)
    text: str
    two_way: TwoWay | None = None  # the two widest bars of the tornado moved together
    # the two inputs that move the lead over the best other site most, together: which site first
    two_way_site: TwoWay | None = None

    def rows(self) -> list[dict[str, str]]:
        """The switches as a table reads them, most likely first: one row per input and direction,
        saying whether first place only changes site or leaves the country as well."""
        where = FIXED_SUBJECTS.get(self.country, self.country)
        leaves = {(s.input, s.site, s.direction, s.first) for s in self.switches if s.question == "country"}
        out, seen = [], set()
        for s in self.switches:
            key = (s.input, s.site, s.direction)
            if (*key, s.question) in seen:
                continue
            both = s.question == "site" and (*key, s.first) in leaves
            if s.question == "country" and (*key, "site") in seen:
                continue  # said with its site row
            seen.add((*key, s.question))
            what = "another site first" if s.question == "site" else f"first place leaves {where}"
            what += _held(s)
            out.append(
                {
                    "input": s.label,
                    "change": s.change,
                    "first": s.first_name,
                    "what": f"another site first, and first place leaves {where}{_held(s)}" if both else what,
                    "chance": chance(s.p_beyond),
                }
            )
        return out

    note: str = (
        "One input at a time, the others at the plan's values: inputs that move together change the"
        " answer more often than any one alone, and kopru risk gives those odds with the inputs'"
        " correlations. The share beside a switching value is what that input's own distribution puts"
        " beyond it. Freight, transit and waiting inputs keep today's routes (the planner may re-route"
        " around a dearer leg), and demand today's plant sizes (the plan resizes an existing plant's"
        " expansion, and its incentives, with demand), so their switching values are bounds and stay out"
        " of the sentences above. Demand is all markets together, its range the total of independently"
        " drawn markets. The two-way table moves the tornado's two widest inputs together over their"
        " percentiles, every other input at the plan's values, including those the two move with in"
        " kopru risk (the lira's with Turkish wage growth and energy, for one): its middle cell is the"
        " inputs' medians, not the plan."
    )


def chance(p: float | None, words: Words = ENGLISH) -> str:
    """A small probability in words: '3 %', '1 in 400', 'under 1 in a million'."""
    if p is None:
        return words("not drawn")
    if p == 0:
        return words("outside its range")
    if p >= 0.01:
        return words.share(p, 0)
    if p < 1e-6:
        return words("under 1 in a million")
    return words("1 in %(n)s", n=words.number(_round(1 / p)))


def _round(x: float) -> int:
    """Two significant figures: 1 in 2,345 reads 1 in 2,300."""
    digits = max(int(np.floor(np.log10(x))) - 1, 0)
    return int(round(x, -digits))


def _held(s: Switch) -> str:
    if s.on_todays_routes:
        return " (on today's routes: re-routing may avoid it)"
    if s.at_todays_sizes:
        return " (at today's plant sizes: the plan would resize an expansion with demand)"
    return ""


def _odds(s: Switch, words: Words = ENGLISH) -> str:
    if s.p_beyond is None:
        return words("not drawn")
    if s.p_beyond == 0:
        return words("outside its distribution's range")
    # the data pack's value sits in a tail: a year ahead the input is more likely past it than not
    if s.p_beyond > 0.5:
        return words(
            "%(chance)s of its distribution beyond: likely within the year", chance=chance(s.p_beyond, words)
        )
    return words("%(chance)s of its distribution beyond", chance=chance(s.p_beyond, words))


def switch_label(s: Switch, words: Words = ENGLISH) -> str:
    """The switch's input in ``words``' language (the English label is the one the plan keeps)."""
    if words.lang == "en":
        return s.label
    family, _, suffix = s.input.partition(".")
    if family == "site":
        word = SITE_WORDS[suffix]
        site = s.label.removesuffix(f"'s own {word}")
        return words("%(site)s's own %(input)s", site=site, input=words(word))
    if s.input == "capex":
        return words("%(site)s's capex", site=s.label.removesuffix("'s capex"))
    if s.input == "demand":
        return words(DEMAND_LABEL)
    country = COUNTRY_NAMES.get(suffix)
    # a currency code stays as it is; a country, a mode or a place of waiting is a word
    word = words(country) if country else suffix if family == "fx" else words(suffix)
    return words(LABELS[family]).format(word)


def switch_change(s: Switch, words: Words = ENGLISH) -> str:
    """The switching value as a move in ``words``' language ('+38 %', 'at 540.2 instead of 500')."""
    old = (s.change.startswith("at ") and s.reference is None) or (
        "expected" in s.change and s.expected is None
    )
    if words.lang == "en" or old:  # a plan stored before the values behind the words were kept
        return s.change
    if s.reference is not None and s.input.startswith("labour_hours."):
        return words(
            "at %(value)s instead of %(reference)s times a Turkish plant's hours",
            value=words.significant(s.reference * s.value),
            reference=words.significant(s.reference),
        )
    if s.reference is not None:
        return words(
            "at %(value)s instead of %(reference)s",
            value=words.significant(s.reference * s.value),
            reference=words.significant(s.reference),
        )
    if s.kind == "rate" and s.expected is not None:
        return words(
            "%(growth)s over the year (%(expected)s expected)",
            growth=words.signed_figures(s.value),
            expected=words.signed_figures(s.expected),
        )
    if s.kind == "factor":
        return words.signed_figures(s.value - 1) if s.value < 10 else "×" + words.significant(s.value, 3)
    if s.kind == "rate":
        return words.signed_figures(s.value)
    sign = "-" if s.value < 0 else "+"
    return words("%(n)s points", n=sign + words.significant(abs(s.value), 3))


REACH_WORDS = "factors 1/20 to 20 times, growth rates -95 % to +400 %, duties ±100 points"


def _key(s: Switch) -> tuple:
    return (s.input, s.site, s.direction, round(s.value, 9))


def headline_switches(v: SwitchingValues, question: str, n: int = 2) -> list[Switch]:
    """The nearest switching values of drawn inputs that hold whatever the routes (a freight,
    transit or waiting input's holds today's routes, which the planner may leave)."""
    return [s for s in v.switches if s.question == question and s.p_beyond is not None and not s.bound][:n]


def describe(v: SwitchingValues) -> str:
    """The switching values in two to four sentences, for the CLI, the report and plan.json."""
    where = FIXED_SUBJECTS.get(v.country, v.country)
    out = []
    near_site = headline_switches(v, "site")
    if near_site:
        unless = " or ".join(f"{s.label} {s.change} ({s.first_name} first; {_odds(s)})" for s in near_site)
        out.append(f"{v.name} stays first until one input alone reaches its switching value: {unless}.")
    else:
        out.append(
            f"{v.name} stays first whichever drawn input moves alone, as far as kopru looks ({REACH_WORDS})."
        )
    said = {_key(s) for s in near_site}
    near_country = [s for s in headline_switches(v, "country") if _key(s) not in said]
    also = [s for s in headline_switches(v, "country") if _key(s) in said]
    if near_country:
        unless = " or ".join(f"{s.label} {s.change} ({s.first_name} first; {_odds(s)})" for s in near_country)
        out.append(
            f"First place stays in {where} until one input alone reaches its switching value: {unless}."
        )
    elif also:
        out.append(f"The same value{'s' if len(also) > 1 else ''} would take first place out of {where}.")
    else:
        out.append(f"First place stays in {where} whichever drawn input moves alone, as far as kopru looks.")
    said |= {_key(s) for s in near_country}
    labour = _labour_sentence(v, said)
    if labour:
        out.append(labour)
    capex = {}
    for s in v.switches:
        if s.input == "capex" and s.site == v.site and s.direction == "up":
            capex.setdefault(_key(s), s)
    if capex:
        outside = f"a site outside {where}"
        said_capex = [
            f"{s.change} before {s.first_name if s.question == 'site' else outside} came first"
            for s in capex.values()
        ]
        # named, not "Its": the sentence before ends on another site or on a unit made in the country
        out.append(
            f"{v.name}'s capex, which kopru does not draw, could rise by {' and by '.join(said_capex)}."
        )
    if v.swings:
        s = v.swings[0]
        out.append(
            f"Of the inputs each across its 5-95 % range, {s.label} spans the widest range of the saving over"
            f" {v.comparator}: {s.saving_pct_low:.1%} to {s.saving_pct_high:.1%} ({v.saving_pct:.1%} at the"
            " plan's values)."
        )
    if v.two_way is not None:
        out.append(two_way_sentence(v))
    if v.two_way_site is not None:
        out.append(two_way_site_sentence(v))
    return " ".join(out)


def _labour_sentence(v: SwitchingValues, said: set[tuple], words: Words = ENGLISH) -> str | None:
    """How many hours a unit the recommendation's workforce could take before first place left
    its country (the labour hours' switching value upwards): the question a manager asks of a
    plant abroad, said whether or not it is near; None when ``said`` has it already."""
    s = next(
        (
            s
            for s in v.switches
            if s.input == f"labour_hours.{v.country}" and s.question == "country" and s.direction == "up"
        ),
        None,
    )
    if s is None or s.reference is None or _key(s) in said:
        return None
    return words(
        "A unit made in %(country)s could take up to %(times)s times a Turkish plant's labour hours"
        " (%(given)s in this plan; %(odds)s) before %(site)s came first.",
        times=words.significant(s.reference * s.value, 3),
        country=words(FIXED_SUBJECTS.get(v.country, v.country)),
        given=words.significant(s.reference, 3),
        odds=_odds(s, words),
        site=s.first_name,
    )


def two_way_site_sentence(v: SwitchingValues) -> str:
    """Which site comes first with the two inputs that move the lead over the best other most."""
    t = v.two_way_site
    assert t is not None
    n = sum(len(row) for row in t.first)
    kept = sum(f == v.site for row in t.first for f in row)
    lost = _first_instead(t, v.site)
    head = (
        f"Which site comes first turns most on {t.rows.label} and {t.columns.label}: moved together over"
        f" their 5-95 % ranges, {v.name} stays first in {kept} of {n} combinations"
    )
    return f"{head}; first instead: {lost}." if lost else head + "."


def _first_instead(t: TwoWay, site: str) -> str:
    """The sites that come first in a table's cells instead of ``site``, with their counts, most first."""
    taken = Counter(
        name
        for row_f, row_n in zip(t.first, t.first_name, strict=True)
        for f, name in zip(row_f, row_n, strict=True)
        if f != site
    )
    return ", ".join(f"{name} in {k}" for name, k in taken.most_common())


def two_way_sentence(v: SwitchingValues) -> str:
    """How often first place stays, with only the tornado's two widest inputs moved together."""
    t = v.two_way
    assert t is not None
    where = FIXED_SUBJECTS.get(v.country, v.country)
    n = sum(len(row) for row in t.first)
    kept = sum(f == v.site for row in t.first for f in row)
    in_country = round(t.holds_country * n)
    pct = [x for row in t.saving_pct for x in row]
    low, high = min(pct), max(pct)
    if low >= 0:
        span = f"{low:.1%} to {high:.1%} below {v.comparator}"
    else:
        span = f"from {-low:.1%} above to {high:.1%} below {v.comparator}"
    both = (
        f"With only {t.rows.label} and {t.columns.label} moved, together over their 5-95 % ranges,"
        f" first place stays in {where} in {in_country} of {n} combinations"
    )
    if kept == n:
        return f"{both}, at {v.name} in all of them ({span})."
    return f"{both}, at {v.name} in {kept} ({span}); first instead: {_first_instead(t, v.site)}."


def brief(v: SwitchingValues, words: Words = ENGLISH) -> str:
    """The nearest switching value of each question in one sentence (the one-page summary's)."""
    where = words(FIXED_SUBJECTS.get(v.country, v.country))
    parts, said = [], set()
    for question in ("site", "country"):
        near = headline_switches(v, question, 1)
        if not near or _key(near[0]) in said:
            continue
        s = near[0]
        said.add(_key(s))
        if question == "site":
            what = words("%(site)s comes first", site=s.first_name)
        else:
            what = words("first place leaves %(country)s", country=where)
        values = {"what": what, "input": switch_label(s, words), "change": switch_change(s, words)}
        # a change "at X instead of Y" reads as a level, not as a move
        message = (
            "%(what)s if %(input)s is %(change)s (%(odds)s)"
            if s.change.startswith("at ")
            else "%(what)s if %(input)s moves %(change)s (%(odds)s)"
        )
        parts.append(words(message, odds=_odds(s, words), **values))
    if not parts:
        out = words("No single input moves first place from %(site)s within reach.", site=v.name)
    else:
        out = words("Switching values, one input alone: %(parts)s.", parts="; ".join(parts))
    labour = _labour_sentence(v, said, words)
    return f"{out} {labour}" if labour else out


def likelihood_order(s: Switch) -> tuple[float, float]:
    """Most likely first; among the unlikely, the smallest move first."""
    if s.kind == "factor":
        move = abs(float(np.log(s.value)))
    elif s.kind == "rate":
        move = abs(float(np.log1p(s.value)))
    else:
        move = abs(s.value) / 100
    return (-round(s.p_beyond or 0.0, 9), move)
