"""A company profile: the product line a manufacturer wants to place, as a validated model.

Profiles are YAML (or JSON) files. Money is in the profile's ``currency``; physical quantities are
numbers in the canonical unit (kg, m3, kWh, h, m2) or strings with their unit (``"250 g"``).
``load_profile`` turns every problem into a :class:`~kopru.errors.ProfileError` whose message
names the field and what is expected.
"""

from __future__ import annotations

import functools
import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kopru import documents, units
from kopru.errors import DataPackError, FieldIssue, ProfileError

MAX_PROFILE_BYTES = 1_000_000  # a profile is a page of YAML; anything larger is a mistake
CURRENCIES = ("USD", "EUR", "TRY", "KZT")


def _dimension(dim: str):
    return BeforeValidator(lambda raw: units.parse(raw, dim))


# Ceilings far above any honest product line (a 10,000 t unit, a trillion units a year) that keep
# every product of two inputs finite: past them a typo, not a plan, is what the user typed.
MAX_MONEY = 1e13
OSMIUM_KG_M3 = 22_590  # the densest element (CRC Handbook of Chemistry and Physics)
AIR_KG_M3 = 1.204  # dry air at 20 °C and 101.325 kPa (CRC Handbook): a packed unit outweighs its air
MAX_UNITS = 1e12
Mass = Annotated[float, _dimension("mass"), Field(gt=0, le=1e7)]
Volume = Annotated[float, _dimension("volume"), Field(gt=0, le=1e6)]
Energy = Annotated[float, _dimension("energy"), Field(ge=0, le=1e9)]
GasVolume = Annotated[float, _dimension("volume"), Field(ge=0, le=1e8)]
Hours = Annotated[float, _dimension("time"), Field(ge=0, le=1e6)]
Area = Annotated[float, _dimension("area"), Field(ge=0, le=1e10)]
Rate = Annotated[float, _dimension("fraction"), Field(ge=0, le=1)]


def _not_dot_grouped(raw: Any) -> Any:
    """A number given as text ('600.000', quoted or from a form) is refused as a plain YAML one is
    (documents' number_hint): fifteen thousand to a Turkish writer, fifteen to float()."""
    hint = units.dot_hint(raw)
    if hint:
        raise ValueError(hint)
    return raw


Written = BeforeValidator(_not_dot_grouped)
Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False), Written]


def _units(x: float) -> str:
    """Units a year as a reader reads them: 3,000,000 but 1.5 and 0.001 (a web review: an
    annual_volume of 1.5 was said as 2)."""
    if abs(x) < 1:
        return f"{x:g}"
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 1e6 else f"{x:,.2f}".rstrip("0").rstrip(".")


def _density(kg_m3: float) -> str:
    """22,590 kg/m3 as such; a density no matter has in three figures (1e+308, not 309 digits)."""
    return f"{kg_m3:,.0f}" if kg_m3 < 1e7 else f"{kg_m3:.3g}"


def _at_least_a_millionth(units: float) -> float:
    if units < 1e-6:  # plants divide by it: 1e-300 units a year overflows every per-unit figure
        raise ValueError(f"expected at least 1e-06 units a year, got {units:g}")
    return units


Units = Annotated[
    float, Field(gt=0, le=MAX_UNITS, allow_inf_nan=False), Written, AfterValidator(_at_least_a_millionth)
]


def _hs_text(v: object) -> object:
    """An HS heading as text; a number YAML read from an unquoted 0713 (octal: 459) is said so."""
    if isinstance(v, bool) or not isinstance(v, int):
        return v
    octal = f"0{v:o}"
    if 0 < v < 0o1000 and len(octal) == 4:
        raise ValueError(
            f"got the number {v}: YAML reads an unquoted {octal} as an octal number; quote the heading,"
            f' hs: "{octal}"'
        )
    return str(v)


HSHeading = Annotated[str, BeforeValidator(_hs_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any, info: ValidationInfo) -> Any:
        """JSON's true is not the number 1, which pydantic's lax mode reads it as (a web review: a
        price of true was planned at 1 USD a unit)."""
        if isinstance(value, bool) and info.field_name and _takes_a_number_only(cls, info.field_name):
            raise ValueError(f"expected a number, got {str(value).lower()}")
        return value


@functools.cache
def _takes_a_number_only(model: type[BaseModel], name: str) -> bool:
    """Whether a field takes a number (or a mapping or list of them) and never a yes or no."""
    kinds, todo = set(), [model.model_fields[name].annotation]
    while todo:
        kind = todo.pop()
        kinds.add(typing.get_origin(kind) or kind)
        todo.extend(typing.get_args(kind))
    return bool(kinds & {int, float}) and bool not in kinds


PriceAtOrigin = Money | dict[Literal["KZ", "TR"], Money]


class Source(Strict):
    """Another place the same input can be bought, at its own price (and the user's own duty rate
    from there, when the material gives one)."""

    origin: str = Field(min_length=1, description="corridor node where it is bought, or 'local'")
    cost: PriceAtOrigin = Field(description="price per unit of product there, profile currency")
    duty_pct: float | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="the duty from this origin, all of it (default: the tariff of the material's hs"
        " heading from this origin's country; the material's own duty_pct when it gives no hs)",
    )


@dataclass(frozen=True)
class Option:
    """One source of a material as the cost engine reads it: the material's own or an alternative."""

    origin: str
    cost: float | dict[str, float]
    duty_pct: float | None


class Material(Strict):
    """An input consumed per unit of product, bought at ``origin`` (or at whichever of its
    ``alternatives`` lands it cheapest at a site)."""

    name: str = Field(min_length=1)
    cost: PriceAtOrigin = Field(
        description="price per unit of product at the origin, profile currency; a mapping"
        " {KZ: .., TR: ..} when a local input costs differently in each country"
    )
    weight: Mass = Field(description="mass of this input per unit of product")
    volume: Volume | None = Field(
        default=None,
        description="space this input takes in a container per unit of product, packed; a light, bulky"
        " input fills a box before its weight does (none: its freight goes by weight alone)",
    )
    origin: str = Field(
        min_length=1, description="corridor node where it is bought, or 'local' (at the site)"
    )
    hs: HSHeading | None = Field(default=None, pattern=r"^\d{4}$")
    duty_pct: float | None = Field(default=None, ge=0, le=1000)
    alternatives: tuple[Source, ...] = Field(
        default=(),
        max_length=20,
        description="other origins of the same input, each at its own price: every site buys from the"
        " one that lands it cheapest there (price, inbound freight and duty)",
    )

    @model_validator(mode="after")
    def _distinct_origins(self) -> Material:
        origins = [self.origin, *(a.origin for a in self.alternatives)]
        twice = sorted({o for o in origins if origins.count(o) > 1})
        if twice:
            raise ValueError(f"origin {twice[0]!r} is given twice; give each source once")
        return self

    @property
    def options(self) -> tuple[Option, ...]:
        """Its sources, its own origin first (the one kept on a tie)."""
        own = Option(self.origin, self.cost, self.duty_pct)
        # a rate depends on the origin: the material's own holds elsewhere only when no hs is given
        inherited = self.duty_pct if self.hs is None else None
        others = (
            Option(a.origin, a.cost, a.duty_pct if a.duty_pct is not None else inherited)
            for a in self.alternatives
        )
        return (own, *others)


class Energy_(Strict):
    electricity: Energy = 0.0
    gas: GasVolume = Field(default=0.0, description="natural gas per unit, m3")


class Plant(Strict):
    """A Turkish plant of the company: the baseline every Kazakh site is compared with."""

    province: str = Field(pattern=r"^TR-\d{2}$", description="ISO 3166-2:TR code, e.g. TR-16")
    name: str | None = None
    existing: bool = Field(default=True, description="existing plants carry no new capex")
    capacity: Units | None = Field(default=None, description="units per year (default: annual_volume)")


class CapacityLevel(Strict):
    """One size of plant a new site can be built at (modular capacity)."""

    capacity: Units = Field(description="units per year")
    capex: Money
    fixed_costs: Money = 0.0


class OptimizeOptions(Strict):
    """Options of the network optimizer (``kopru optimize``)."""

    capacity_levels: tuple[CapacityLevel, ...] = Field(
        default=(), description="plant sizes; default one level: annual_volume at capex/fixed_costs"
    )
    single_source: bool = False
    max_sites: int | None = Field(default=None, ge=1)
    capex_budget: Money | None = None
    min_kz_share: Rate = Field(default=0.0, description="minimum share of demand made in Kazakhstan")
    force_open: tuple[str, ...] = ()
    force_closed: tuple[str, ...] = ()
    time_limit: float = Field(default=60.0, gt=0, le=86_400)
    gap: float = Field(default=1e-6, ge=0, le=1)
    sensitivity: bool = True

    @model_validator(mode="after")
    def _open_or_closed(self) -> OptimizeOptions:
        both = sorted(set(self.force_open) & set(self.force_closed))
        if both:
            raise ValueError(f"site {both[0]!r} is forced both open and closed; name it in one list only")
        return self


class MarketDemand(Strict):
    id: str = Field(min_length=1)
    demand: Units = Field(description="units per year")
    price: Money | None = Field(default=None, description="delivered selling price per unit")


class IncentiveOptions(Strict):
    """Which incentive schemes apply: decided by kopru from sector, region and size, or named."""

    auto: bool = Field(
        default=True, description="apply every scheme the data pack says the product line qualifies for"
    )
    schemes: tuple[str, ...] = Field(
        default=(), description="scheme ids (kopru data show incentives) the company qualifies for"
    )
    exclude: tuple[str, ...] = Field(default=(), description="scheme ids not to apply")
    osb: bool = Field(
        default=True,
        description="a new Turkish plant is built in an organised industrial zone (OSB), as new"
        " plants mostly are (an assumption the report states)",
    )
    equipment_duty_pct: float | None = Field(
        default=None,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="customs duty the imported machinery would pay, % (values the equipment exemptions)",
    )
    imported_equipment_share: Rate = Field(
        default=0.5, description="share of the non-building capex that is imported machinery"
    )
    sez_category: Literal["A", "B", "C"] | None = Field(
        default=None,
        description="the SEZ cost category of the project's activity agreement (sez_relief.yaml), when"
        " known; default: from the capex",
    )


class AppraisalOptions(Strict):
    """How the investment appraisal unfolds over the plant's life."""

    first_year: int | None = Field(
        default=None,
        ge=2000,
        le=2100,
        description="calendar year of the plant's first year of operation (an SEZ's advantages end with"
        " the zone); default: the year after the data pack's prices plus the construction time",
    )
    ramp_up_months: float = Field(default=12.0, ge=0, le=600, allow_inf_nan=False)
    construction_months: float = Field(default=12.0, ge=0, le=60, allow_inf_nan=False)
    working_capital_days: float = Field(default=60.0, ge=0, le=365, allow_inf_nan=False)
    terminal_growth: float | None = Field(
        default=None,
        ge=-0.5,
        le=0.5,
        allow_inf_nan=False,
        description="growth of the last year's cash flow for a perpetuity terminal value; none by default",
    )


class Candidates(Strict):
    kz_regions: bool = True
    sez: bool = True
    exclude: tuple[str, ...] = ()
    unverified_zones: bool = Field(
        default=False,
        description="also place SEZs that no 2024-2026 source confirms are operating (sez.csv status)",
    )


class Profile(Strict):
    """The product line to place, the markets to serve and what it takes to make it."""

    company: str = Field(min_length=1)
    product: str = Field(min_length=1)
    hs: HSHeading = Field(pattern=r"^\d{4}$", description="HS heading of the product, 4 digits")
    sectors: tuple[str, ...] = Field(
        default=(),
        description="activities of the product line (e.g. textiles, garments); SEZ incentives"
        " apply only where one of them is a priority sector of the zone",
    )
    nace: str | None = Field(
        default=None,
        pattern=r"^\d{2}(\.\d{1,2}(\.\d{2})?)?$",
        description="NACE Rev.2 activity of the plant (e.g. 14.14); default: from the HS heading",
    )
    currency: Literal["USD", "EUR", "TRY", "KZT"] = "USD"
    annual_volume: Units | None = Field(default=None, description="plant output, units per year")
    unit_weight: Mass
    unit_volume: Volume
    price: Money = Field(description="delivered selling price per unit, net of VAT")
    materials: tuple[Material, ...] = ()
    energy: Energy_ = Energy_()
    labour_hours: Hours = Field(
        description="direct labour per unit, as in your Turkish plant (a Kazakh site takes the data"
        " pack's labour_hours_factor times it)"
    )
    capex: Money = 0.0
    fixed_costs: Money = Field(default=0.0, description="annual fixed costs")
    land: Area = Field(default=0.0, description="land or premises leased")
    building_share: Rate = Field(
        default=0.4, description="share of capex in buildings, subject to property tax"
    )
    wacc: Rate = 0.12
    lifetime_years: int = Field(default=10, ge=1, le=60)
    baseline: tuple[Plant, ...] = ()
    markets: tuple[MarketDemand, ...] = Field(min_length=1)
    candidates: Candidates = Candidates()
    disruptions: tuple[str, ...] = ()
    avoid: tuple[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], ...] = Field(
        default=(), description="ISO country codes no route may pass through (e.g. RU)"
    )
    inward_processing: bool = Field(
        default=True,
        description="use the customs territory's inward processing: no duty on the inputs of exported"
        " units (Türkiye's DİR, the EAEU's processing in the customs territory; inward_processing.csv)",
    )
    incentives: IncentiveOptions = IncentiveOptions()
    appraisal: AppraisalOptions = AppraisalOptions()
    optimize: OptimizeOptions = OptimizeOptions()

    @field_validator("markets")
    @classmethod
    def _unique_markets(cls, markets: tuple[MarketDemand, ...]) -> tuple[MarketDemand, ...]:
        seen: set[str] = set()
        for m in markets:
            if m.id in seen:
                raise ValueError(f"market {m.id!r} is listed twice")
            seen.add(m.id)
        return markets

    @model_validator(mode="after")
    def _volume_covers_demand(self) -> Profile:
        total = sum(m.demand for m in self.markets)
        if self.annual_volume is not None and total > self.annual_volume * (1 + 1e-9):
            raise ValueError(
                f"total market demand {_units(total)} exceeds annual_volume {_units(self.annual_volume)};"
                " raise annual_volume or lower the markets' demand"
            )
        return self

    @model_validator(mode="after")
    def _a_unit_of_matter(self) -> Profile:
        # a unit weight without its unit is read in kg: "200" for a 200 g T-shirt in 1.2 l is
        # 167 t/m3, which no matter reaches (osmium, the densest element, 22,590 kg/m3: CRC
        # Handbook of Chemistry and Physics); the plan would run on 1,000 times the freight
        density = self.unit_weight / self.unit_volume
        if density > OSMIUM_KG_M3:
            raise ValueError(
                f"unit_weight {self.unit_weight:g} kg in unit_volume {self.unit_volume * 1000:g} l is"
                f" {_density(density)} kg/m3, denser than any matter (osmium: {OSMIUM_KG_M3:,} kg/m3);"
                f" a number without a unit is read in kg (if you meant grams, write {self.unit_weight:g} g);"
                " otherwise check unit_volume"
            )
        if density >= AIR_KG_M3:
            return self
        if density * 1000 >= AIR_KG_M3:
            # the other slip: unit_volume: 1.2 for a 1.2 l box is read as 1.2 m3, and the freight of
            # a bulky unit is charged on 1,000 times its space
            raise ValueError(
                f"unit_volume {self.unit_volume:g} m3 for a unit of {self.unit_weight:g} kg is"
                f" {density:.3g} kg/m3, lighter than the air it holds ({AIR_KG_M3} kg/m3); a number"
                f" without a unit is read in m3 (if you meant litres, write {self.unit_volume:g} l);"
                " otherwise check unit_weight"
            )
        raise ValueError(  # not litres either: the weight is the slip
            f"unit_weight {self.unit_weight:g} kg in unit_volume {self.unit_volume * 1000:g} l is"
            f" {density:.3g} kg/m3, lighter than the air it holds ({AIR_KG_M3} kg/m3); check"
            " unit_weight"
        )

    @model_validator(mode="after")
    def _ramp_within_life(self) -> Profile:
        if self.appraisal.ramp_up_months > self.lifetime_years * 12:
            raise ValueError(
                f"appraisal.ramp_up_months ({self.appraisal.ramp_up_months:g}) is longer than the plant's"
                f" life ({self.lifetime_years} years)"
            )
        return self

    @property
    def volume(self) -> float:
        """Units produced per year: annual_volume, or total demand when it is not given."""
        return self.annual_volume or sum(m.demand for m in self.markets)


# the names pydantic gives the arms of a union ('constrained-float', 'dict[...]', 'function-after[...]'):
# not fields a person wrote
_UNION_ARM = re.compile(r"^(constrained-\w+|function-\w+\[.*\]|(dict|list|tuple|literal|union)\[.*\])$")


# errors that only say the value is not of an arm's type: noise when another arm says what is wrong
_TYPE_MISMATCH = frozenset(
    {"dict_type", "float_type", "float_parsing", "int_type", "int_parsing", "string_type", "list_type"}
    | {"model_type", "model_attributes_type", "bool_type", "bool_parsing"}
)


def _union_site(loc: tuple) -> tuple | None:
    """The field a union's arm is about (the loc before the arm's name), or None outside a union."""
    for i, part in enumerate(loc):
        if isinstance(part, str) and _UNION_ARM.match(part):
            return loc[:i]
    return None


def union_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors with a union's arms pruned: the arm that matches the value's type speaks
    ('greater than or equal to 0', not also 'a valid dictionary'); when no arm matches, one error
    lists what each arm expects ('a valid number or a valid dictionary')."""
    sites: dict[tuple, list[dict[str, Any]]] = {}
    for err in errors:
        site = _union_site(tuple(err["loc"]))
        if site is not None:
            sites.setdefault(site, []).append(err)
    out, done = [], set()
    for err in errors:
        site = _union_site(tuple(err["loc"]))
        if site is None:
            out.append(err)
        elif site not in done:
            done.add(site)
            arms = sites[site]
            # an arm that took the value's type and failed inside it ({KZ: "x"}) says what is wrong
            telling = [e for e in arms if e["type"] not in _TYPE_MISMATCH or len(e["loc"]) > len(site) + 1]
            out.extend(telling or [_no_arm_matches(site, arms)])
    return out


def _no_arm_matches(site: tuple, arms: list[dict[str, Any]]) -> dict[str, Any]:
    wants = dict.fromkeys(
        e["msg"].removeprefix("Input should be ").split(",")[0].replace("a valid dictionary", "a mapping")
        for e in arms
    )
    value = arms[0].get("input")
    msg = f"Input should be {' or '.join(wants)}, got {units.brief(value)}"
    return {"loc": site, "type": "union_mismatch", "msg": msg, "input": value}


def field_path(loc: tuple | list) -> str:
    """('markets', 1, 'demand') -> 'markets[1].demand', as messages and forms name fields (without the
    names pydantic gives the arms of a union, nor its '[key]' marker: the key is named before it)."""
    out = ""
    for part in loc:
        if isinstance(part, str) and (_UNION_ARM.match(part) or part == "[key]"):
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def clean_message(msg: str) -> str:
    """Pydantic's message without the prefix it puts on a validator's own words."""
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg


# pydantic's kinds of error for a whole number (a year count) it could not read
WHOLE_NUMBER_ERRORS = frozenset({"int_parsing_size", "int_from_float", "int_parsing"})
# the profile's units a year (Units)
UNITS_FIELDS = frozenset({"annual_volume", "demand", "capacity"})
# the profile's shares (Rate): 12 % or 0.12
SHARE_FIELDS = frozenset({"min_kz_share", "imported_equipment_share", "building_share", "wacc"})


def _number_message(err: Any) -> str | None:
    """Say what was wrong with a number pydantic refused in words a user acts on, or None."""
    value = err.get("input")
    if err["type"] == "finite_number" or (
        err["type"].startswith(("less_than", "greater_than"))
        and isinstance(value, float)
        and math.isnan(value)
    ):  # NaN fails every bound: 'expected at most 86,400, got nan' says the wrong thing (a CLI review)
        return f"expected a finite number, got {value}"
    if err["type"] == "float_parsing" and units.comma_hint(value):
        return units.comma_hint(value)
    if err["type"] in ("float_parsing", "float_type") and isinstance(value, int):
        # units a year have their own ceiling (a CLI review: annual_volume was told 1e+13)
        ceiling = MAX_UNITS if str((err.get("loc") or ("",))[-1]) in UNITS_FIELDS else MAX_MONEY
        return f"expected a number up to {ceiling:.0e}, got one of {len(str(abs(value)))} digits"
    share = str((err.get("loc") or ("",))[-1]) in SHARE_FIELDS
    if err["type"] == "less_than_equal" and share and isinstance(value, int | float):
        return f"expected a share of at most 1 (write 12 % or 0.12), got {value:g}"
    if err["type"] == "less_than_equal" and share:  # given in % ('120 %')
        return f"expected a share of at most 100 %, got {units.brief(value)}"
    if err["type"] == "less_than_equal":
        return f"expected at most {err['ctx']['le']:,g}, got {value}"
    if err["type"] == "greater_than_equal" and err["ctx"]["ge"] > 0:
        return f"expected at least {err['ctx']['ge']:g}, got {value}"
    if err["type"] == "greater_than_equal":
        return f"expected 0 or more, got {value}"
    if err["type"] in WHOLE_NUMBER_ERRORS:
        # a web review: 1e308 years was 'Unable to parse input string as an integer' (it was no string)
        size = " of sensible size" if err["type"] == "int_parsing_size" else ""
        return f"expected a whole number{size}, got {units.brief(value)}"
    if err["type"] in ("model_type", "dict_type"):  # a CLI review: 'instance of Candidates' is not for a user
        return f"expected a mapping of its own fields (key: value), got {units.kind_of(value)}"
    if err["type"] in ("tuple_type", "list_type"):
        example = " such as [textiles, garments]" if (err.get("loc") or ("",))[-1] == "sectors" else ""
        return f"expected a list{example}, got {units.brief(value)}"
    if err["type"] == "string_too_short" and err["ctx"].get("min_length") == 1:
        return "expected some text, got none"
    if err["type"] == "greater_than":
        return f"expected more than {err['ctx']['gt']:g}, got {value}"
    if err["type"] == "string_pattern_mismatch":
        pattern = err["ctx"]["pattern"]
        return f"expected {PATTERN_HINTS.get(pattern, f'text matching {pattern}')}, got {units.brief(value)}"
    if err["type"] == "too_short" and err["ctx"].get("min_length"):
        least, got = err["ctx"]["min_length"], err["ctx"].get("actual_length", 0)
        return f"expected {_items(least, 'at least ')}, got {_items(got) if got else 'none'}"
    return None


# what a pattern means, for a person who typed something else
PATTERN_HINTS = {
    r"^TR-\d{2}$": "a Turkish province code such as TR-20 (Denizli)",
    r"^\d{4}$": "a 4-digit HS heading such as 6109",
    r"^[A-Z]{2}$": "a two-letter ISO country code such as RU",
}
# the name a list item goes by, so an error names the market or material, not only its position
ITEM_NAMES = {"markets": ("market", "id"), "materials": ("material", "name"), "baseline": ("plant", "name")}


def _item(data: Any, loc: tuple) -> str:
    """' (market mkt_KG)' for an error inside markets[4] of ``data``, '' when it has no name."""
    if len(loc) < 2 or loc[0] not in ITEM_NAMES or not isinstance(loc[1], int) or not isinstance(data, dict):
        return ""
    items = data.get(loc[0])
    if (
        not isinstance(items, list | tuple)
        or not 0 <= loc[1] < len(items)
        or not isinstance(items[loc[1]], dict)
    ):
        return ""
    what, key = ITEM_NAMES[loc[0]]
    name = items[loc[1]].get(key) or items[loc[1]].get("province")
    if not isinstance(name, str) or not name:
        return ""
    # people read names: a market or a province as the page and the report name it, its id beside
    # (a web review: 'markets[1].demand ... (market mkt_KZ-75)' for a row that reads Almaty (city))
    shown = _known_name(loc[0], name)
    said = f"{shown}, {units.brief(name, 60)}" if shown and shown != name else units.brief(name, 60)
    return f" ({what} {said})"


def _known_name(items: str, code: str) -> str | None:
    """The data pack's name of a market id or of a Turkish province code, else None."""
    from kopru import datapack  # read when an error is said: the pack is cached by then

    try:
        pack = datapack.load()
    except DataPackError:  # a name is a courtesy: the error must still be said
        return None
    table = pack.markets if items == "markets" else pack.provinces if items == "baseline" else None
    if table is None or code not in table.index:
        return None
    return str(table.at[code, "name"])


def field_issues(exc: ValidationError, data: Any = None) -> tuple[FieldIssue, ...]:
    """Every problem pydantic found, one per field, in the words the CLI and the web app use;
    ``data``, the document validated, lets a message name the list item (market, material) at fault."""
    issues = []
    errors = union_errors(exc.errors())
    inner = [tuple(e["loc"]) for e in errors]
    for err in errors:
        here = tuple(err["loc"])
        if err["type"] == "too_short" and any(len(o) > len(here) and o[: len(here)] == here for o in inner):
            continue  # a list emptied by its own bad items: the items' errors say what is wrong
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif err["type"] == "missing":
            msg = "missing required field"
        elif loc[-1:] == ("[key]",):  # a mapping's key, not its value: say which key
            loc = loc[:-1]
            msg = (
                f"unknown key {units.brief(loc[-1])}: expected {err['msg'].removeprefix('Input should be ')}"
            )
            loc = loc[:-1]
        else:
            msg = _number_message(err) or clean_message(err["msg"])
        msg += _item(data, loc)
        issues.append(FieldIssue(field_path(loc) or "profile", msg, loc))
    return tuple(issues)


def _items(n: int, at_least: str = "") -> str:
    return f"{at_least}one item" if n == 1 else f"{at_least}{n} items"


def explain(exc: ValidationError, origin: str = "profile", data: Any = None) -> ProfileError:
    """One line for up to five fields: 'markets[1].demand: expected more than 0, got 0 (market mkt_KG)';
    the missing fields all named at once, since a user adds them all in one go."""
    issues = field_issues(exc, data)
    missing = [i.field for i in issues if i.message == "missing required field"]
    # a check of the whole profile is said as itself: 'profile: profile: total market demand ...' read twice
    said = [
        i.message if not i.loc and i.field == "profile" else str(i)
        for i in issues
        if i.message != "missing required field"
    ]
    if len(missing) > 1:
        said.insert(0, f"missing required fields {', '.join(missing)}")
    elif missing:
        said.insert(0, f"{missing[0]}: missing required field")
    more = len(said) - 5
    tail = f" (and {more} more)" if more > 0 else ""
    text = f"{origin}: " + "; ".join(said[:5]) + tail
    return ProfileError(text, field=issues[0].field if issues else None, fields=issues)


def profile_from_dict(data: Any, origin: str = "profile") -> Profile:
    if not isinstance(data, dict):
        raise ProfileError(f"{origin}: expected a mapping of fields (company, product, ...)")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise explain(exc, origin, data) from None


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file (YAML or JSON)."""
    data = documents.read_document(
        path, "profile file", error=ProfileError, max_bytes=MAX_PROFILE_BYTES, number_hint=units.dot_hint
    )
    if data is None:
        raise ProfileError(f"{path}: the file holds no data; expected company, product, ...", file=path)
    try:
        return profile_from_dict(data, str(path))
    except ProfileError as exc:
        exc.file = str(path)
        raise


def profile_from_text(text: str, origin: str = "profile", json_first: bool = False) -> Profile:
    fmt: documents.Format = "json" if json_first else "yaml"
    data = documents.parse(text, origin, fmt, error=ProfileError, number_hint=units.dot_hint)
    if data is None:
        raise ProfileError(f"{origin}: the file holds no data; expected company, product, ...")
    return profile_from_dict(data, origin)


ProfileLike = Profile | str | Path | Mapping[str, Any]


def as_profile(profile: ProfileLike) -> Profile:
    """The one way every entry point takes a profile: a :class:`Profile`, a path or a mapping."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, str | Path):
        return load_profile(profile)
    if isinstance(profile, Mapping):
        return profile_from_dict(dict(profile))
    raise ProfileError(
        f"profile: expected a Profile, a path to a YAML/JSON file or a mapping, got {type(profile).__name__}"
    )


def optimize_options(profile: Profile, optimize: bool | Mapping[str, Any] | None) -> OptimizeOptions | None:
    """The profile's optimizer options with ``optimize``'s changes (True: none); None: do not
    optimize. Bad changes are a ProfileError naming the option."""
    if not optimize:
        return None
    changes = dict(optimize) if isinstance(optimize, Mapping) else {}
    try:
        return OptimizeOptions.model_validate(profile.optimize.model_dump() | changes)
    except ValidationError as exc:
        raise explain(exc, "optimize options") from None
