"""Investment incentives on both sides: which schemes a site gets, what they are worth, and how they
enter its cost.

A Kazakh special economic zone spares its participants corporate income tax, property tax, land
costs and duty on imported inputs; a new plant in Türkiye gets, under the 2025 incentive system
(Presidential Decision 9903), a reduced corporate tax rate until an "investment contribution" is
used up, years of employer social-security premium support depending on its region, and, in an
organised industrial zone, no tax on its buildings. Leaving either side out biases the answer, so
both are data (``datapack/data/incentives.csv``, every row with its legal basis and source) and
both reach the cost the same way.

Eligibility is decided per site from the data: the country and region the row names, the plant
being new (investment incentives reward investment: an existing plant gets them only on the share
of it an expansion adds, an assumption for Türkiye, see :func:`expansion_note`), the activity's
NACE code against the scheme's sector list (``profile.nace``, or the HS heading's division), and
the minimum fixed investment. A profile may instead name the schemes it qualifies for, or exclude
some; naming one that does not exist, is abolished or applies to no site is an error that says why.

Time-limited incentives enter the steady-state annual cost as their share of the plant's life in
present value: a support worth ``s`` a year for ``T`` years counts as ``s × a(T) / a(L)``, with
``a(n)`` the annuity factor at the WACC and ``L`` the plant's life. An SEZ's advantages end with the
zone (its ``term_until`` in sez.csv, counted from the plant's first year): its tax reliefs last the
shorter of that and the project category's term, its free land and duty-free inputs until the zone
ends. The investment appraisal
(:mod:`kopru.appraisal`) applies them year by year instead. Each incentive's annual value in the
plan is the annual cost the site would have without it, less its cost with every incentive.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray

from kopru.appraisal import annuity_factor
from kopru.costs import CostInputs, annual_totals, landed_cost, property_tax_a_year
from kopru.datapack import DataPack, split_list
from kopru.errors import DataPackError, ProfileError
from kopru.profile import Profile
from kopru.sites import capex_share

Array = NDArray[np.float64]
# instruments whose effect kopru computes; the others are listed with the reason they are not valued
VALUED = (
    "cit_rate_reduction",
    "employer_ssc_support",
    "property_tax_exemption",
    "cit_exemption",
    "land_free",
    "customs_free_zone",
    "customs_exemption_machinery",
)
SEZ_INSTRUMENTS = ("cit_exemption", "property_tax_exemption", "land_free", "customs_free_zone")
# what an investment incentive certificate gives an expansion (tevsi yatırımı) of a Turkish plant, as it
# gives a new one: an assumption for Decision 9903 (see expansion_note)
EXPANSION_INSTRUMENTS = (
    "cit_rate_reduction",
    "investment_contribution",
    "employer_ssc_support",
    "customs_exemption_machinery",
    "vat_exemption_machinery",
    "interest_support",
)
EXPANSION_SOURCES = "tr_tevsi_communique_2012;tr_tevsi_kvk32a_practice"
RELIEF_FILE = resources.files("kopru") / "datapack" / "data" / "sez_relief.yaml"


@dataclass(frozen=True)
class Incentive:
    """One scheme at one site, as the plan shows it."""

    id: str
    name: str
    scheme: str
    instrument: str
    status: str  # "applied", or "listed" (available but not valued: the note says why)
    annual_value: float | None  # plan currency a year; None when not valued
    years: float | None  # how long it lasts (None: the plant's life or the zone's term)
    legal_basis: str
    source: str
    conditions: str
    note: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Terms:
    """What the applied incentives change, per site: the inputs the cost and the appraisal use."""

    cit_reduction: Array  # (S,) share of the CIT rate removed while the reduction lasts
    cit_cap_usd: Array  # (S,) tax that may be forgone in all (inf: no cap)
    cit_years: Array  # (S,) the reduction's longest duration
    ssc_usd_per_employee_year: Array  # (S,) premium support per worker and year
    ssc_years: Array  # (S,)
    property_tax_exempt: NDArray[np.bool_]  # (S,)
    equipment_duty_saved_usd: Array  # (S,) one-off, at the investment
    rows: list[list[dict[str, Any]]] = field(default_factory=list)  # applied rows per site
    listed: list[list[dict[str, Any]]] = field(default_factory=list)  # available, not valued, per site
    places: dict[str, str] = field(default_factory=dict)  # region and province names by code
    # how long an SEZ's tax reliefs last for this project (its cost category, at most the zone's
    # remaining term), inf outside an SEZ
    sez_years: Array = field(default_factory=lambda: np.zeros(0))
    sez_term: str = ""  # the category and the project's cost in MCI, for the plan's notes
    sez_category_years: float = np.inf  # the category's term alone
    # years each site's zone still runs from the plant's first year (inf: no zone or no known term)
    zone_years: Array = field(default_factory=lambda: np.zeros(0))
    zone_until: list[str] = field(default_factory=list)  # the zone's end date, "" where not known
    first_year: int = 0  # calendar year of the plant's first year of operation
    # (S,) an existing plant's expansion as a share of the expanded plant (0: a new plant, or an
    # existing one with the capacity): the share of its profit and jobs the certificate covers
    expansion: Array = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def none(cls, n: int) -> Terms:
        zeros = np.zeros(n)
        return cls(
            zeros.copy(),
            np.full(n, np.inf),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            np.zeros(n, dtype=bool),
            zeros.copy(),
            [[] for _ in range(n)],
            [[] for _ in range(n)],
            sez_years=np.full(n, np.inf),
            zone_years=np.full(n, np.inf),
            zone_until=["" for _ in range(n)],
            expansion=zeros.copy(),
        )


@dataclass(frozen=True)
class ReliefTerm:
    """How long a project's SEZ tax reliefs last, and why: its cost category."""

    years: float
    category: str
    cost_mci: float

    def describe(self) -> str:
        return (
            f"SEZ tax reliefs for {self.years:g} years: category {self.category}, a project of"
            f" {self.cost_mci:,.0f} MCI (activity agreements from 2024)"
        )


@functools.lru_cache(maxsize=1)
def relief_spec() -> dict[str, Any]:
    """``sez_relief.yaml``, checked: categories ascending, the last open-ended, years positive."""
    try:
        spec = yaml.safe_load(RELIEF_FILE.read_text(encoding="utf-8"))
        cats = spec["categories"]
        limits = [c["up_to_mci"] for c in cats]
        years = [float(c["years"]) for c in cats]
        prio = spec["priority"]
        float(prio["from_mci"]), str(prio["category"]), list(prio["nace_divisions"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise DataPackError(f"sez_relief.yaml cannot be read: {exc}") from exc
    if not cats or limits[-1] is not None or any(x is None for x in limits[:-1]):
        raise DataPackError("sez_relief.yaml: every category but the last needs up_to_mci, the last none")
    if limits[:-1] != sorted(limits[:-1]) or min(years) <= 0:
        raise DataPackError("sez_relief.yaml: categories must ascend in up_to_mci and last > 0 years")
    if prio["category"] not in {c["name"] for c in cats}:
        raise DataPackError(f"sez_relief.yaml: priority category {prio['category']!r} is not a category")
    return spec


def relief_term(profile: Profile, pack: DataPack, nace: str | None) -> ReliefTerm:
    """The SEZ relief term of this project: its capex in MCI picks the category (priority activities
    enter a higher one earlier), unless the profile names its agreement's category."""
    term = relief_for_cost(profile.capex / pack.fx_per_usd(profile.currency), pack, nace)
    given = profile.incentives.sez_category
    if given is None or given == term.category:
        return term
    years = next(c["years"] for c in relief_spec()["categories"] if c["name"] == given)
    return ReliefTerm(float(years), f"{given} (given in the profile)", term.cost_mci)


def relief_for_cost(capex_usd: float, pack: DataPack, nace: str | None) -> ReliefTerm:
    """The SEZ relief term of a project costing ``capex_usd``."""
    spec = relief_spec()
    cost = capex_usd * pack.fx_per_usd("KZT") / pack.param("KZ", "mci").value
    cats = spec["categories"]
    k = next(j for j, c in enumerate(cats) if c["up_to_mci"] is None or cost <= c["up_to_mci"])
    prio = spec["priority"]
    if nace and nace.split(".")[0] in {str(d) for d in prio["nace_divisions"]} and cost >= prio["from_mci"]:
        k = max(k, next(j for j, c in enumerate(cats) if c["name"] == prio["category"]))
    return ReliefTerm(float(cats[k]["years"]), str(cats[k]["name"]), cost)


def first_year(profile: Profile, pack: DataPack) -> int:
    """Calendar year of the plant's first year of operation: the profile's, else the year after the
    data pack's prices (the tenge rate's year: a plan made on them is decided at its end, as this one
    is in December 2026) plus the construction time in whole years (12 months: 2026 prices, built in
    2027, operating from 2028)."""
    if profile.appraisal.first_year is not None:
        return profile.appraisal.first_year
    decided = pack.param("KZT", "fx_per_usd").year + 1
    return decided + math.ceil(profile.appraisal.construction_months / 12)


def zone_years_left(pack: DataPack, sites: pd.DataFrame, start: int) -> tuple[Array, list[str]]:
    """Years each site's zone still runs from 1 January of ``start`` (0 once it has ended; inf outside
    a zone or where its term is not known), and the zone's end date ("" where not known).

    Calendar years: a term ending on 1 January is a whole number of years, and the part of the year
    it ends in is the share of that year's days (1 July 2030 from 2027: 3 + 181/365)."""
    until = sites["id"].map(pack.sez["term_until"]).fillna("").astype(str)
    end = pd.to_datetime(until.where(until != ""), format="%Y-%m-%d")
    days_in_year = np.where(end.dt.is_leap_year, 366.0, 365.0)
    years = (end.dt.year - start).to_numpy(float) + (end.dt.day_of_year.to_numpy(float) - 1.0) / days_in_year
    return np.where(np.isnan(years), np.inf, np.maximum(years, 0.0)), list(until)


def nace_of(profile: Profile, pack: DataPack) -> str | None:
    """The profile's NACE code, or the one the data pack maps its HS heading to (longest prefix)."""
    if profile.nace:
        return profile.nace
    table = pack.table("hs_nace")
    for n in range(len(profile.hs), 1, -1):
        if profile.hs[:n] in table.index:
            return str(table.at[profile.hs[:n], "nace"])
    return None


def _sector_match(row: Mapping[str, Any], nace: str | None) -> tuple[bool, str]:
    """Whether the activity is in the row's sector list (and not excluded), and why not."""
    sectors = str(row["sectors"]).strip()
    if sectors in ("all", "zone priority", "priority activities"):
        return True, ""
    if nace is None:
        return False, "the product's NACE code is unknown: give the profile's nace"
    # NACE codes nest by prefix: division 23, group 23.5, class 23.51, subclass 23.51.01
    listed = any(nace.startswith(c) for c in split_list(sectors))
    excluded = any(nace.startswith(c) for c in split_list(row["excluded_sectors"]))
    if not listed:
        return False, f"NACE {nace} is not among the scheme's sectors"
    if excluded:
        return False, f"NACE {nace} is excluded from the scheme"
    return True, ""


def applies_in(row: Mapping[str, Any], country: str, region: str, in_sez: bool) -> bool:
    """Whether a scheme's country and regions take in a site of ``country`` and ``region``
    (``in_sez``: under a special economic zone's regime); sector and size are checked apart."""
    if row["country"] != country:
        return False
    regions = str(row["regions"]).strip()
    if regions == "SEZ":
        return in_sez
    if regions in ("KZ", "TR"):
        return country == regions
    return region in split_list(regions)


def _eligible(
    row: Mapping[str, Any],
    site: Any,
    in_sez: bool,
    nace: str | None,
    capex_usd: float,
    pack: DataPack,
    profile: Profile,
) -> tuple[bool, str]:
    """Whether ``row`` applies at ``site``, and why not."""
    if not applies_in(row, site.country, site.region, in_sez):
        return False, "not in the scheme's country or regions"
    if site.existing and capex_usd <= 0:  # every scheme rewards an investment; this plant makes none
        return False, "an existing plant with the capacity makes no new investment"
    if site.existing and not (row["country"] == "TR" and row["instrument"] in EXPANSION_INSTRUMENTS):
        return False, "an expansion of an existing plant does not get it"
    ok, why = _sector_match(row, nace)
    if not ok:
        return False, why
    instrument = row["instrument"]
    if row["country"] == "TR" and instrument in (
        "cit_rate_reduction",
        "investment_contribution",
        "employer_ssc_support",
    ):
        minimum = row["min_investment"]
        if isinstance(minimum, float) and math.isfinite(minimum):
            unit = str(row["min_investment_unit"])
            floor_usd = minimum / pack.fx_per_usd(unit) if unit in ("TRY", "KZT", "EUR") else minimum
            if capex_usd < floor_usd:
                return False, f"the fixed investment is below the scheme's minimum ({minimum:,.0f} {unit})"
    if row["id"] == "TR-OSB-EMLAK" and not profile.incentives.osb:
        return False, "the plant is not in an organised industrial zone"
    return True, ""


_SCHEMES: dict[str, list[dict[str, Any]]] = {}


def _scheme_rows(version: str, table: pd.DataFrame) -> list[dict[str, Any]]:
    """The schemes as plain dicts, once per shipped data (no override changes incentives.csv): a
    pandas Series lookup per (site, scheme, field) was a third of a sweep's time."""
    if version not in _SCHEMES:
        _SCHEMES[version] = table.to_dict("records")
    return _SCHEMES[version]


def decide(
    profile: Profile, pack: DataPack, sites: pd.DataFrame, in_sez: Array, sez_cit_cut: Array | None = None
) -> Terms:
    """The incentives that apply at each site (and those only listed), with their terms.

    ``sez_cit_cut`` is the share of the standard corporate tax rate an SEZ regime removes (1 when its
    rate is 0 %; less when a user's override raises it): the exemption is that cut of the standard
    rate, for the relief term of the project's category."""
    cut = np.ones(len(sites)) if sez_cit_cut is None else np.asarray(sez_cit_cut, dtype=float)
    table = pack.incentives
    opts = profile.incentives
    _check_named(opts.schemes, opts.exclude, table)
    terms = Terms.none(len(sites))
    terms.places = pack.regions["name"].to_dict() | pack.provinces["name"].to_dict()
    nace = nace_of(profile, pack)
    capex_usd = profile.capex / pack.fx_per_usd(profile.currency)
    relief = relief_term(profile, pack, nace) if np.asarray(in_sez).any() else None
    terms.first_year = first_year(profile, pack)
    terms.zone_years, terms.zone_until = zone_years_left(pack, sites, terms.first_year)
    if relief is not None:
        terms.sez_term = relief.describe()
        terms.sez_category_years = relief.years
        terms.sez_years = np.where(
            np.asarray(in_sez, dtype=bool), np.minimum(relief.years, terms.zone_years), np.inf
        )
    reasons: dict[str, list[str]] = {sid: [] for sid in opts.schemes}
    # each scheme's row built once, not once per site: a Series per iterrows step was half a plan's time
    schemes = _scheme_rows(pack.version, table)
    units = float(sum(m.demand for m in profile.markets))
    invested = capex_share(sites, units, profile.volume)  # 1 for a new plant, an expansion's share
    terms.expansion = np.where(sites["existing"].to_numpy(bool), invested * profile.volume / units, 0.0)
    for i, site in enumerate(sites.itertuples()):
        site_capex = capex_usd * invested[i]
        for row in schemes:
            if row["status"] == "abolished" or row["id"] in opts.exclude:
                continue
            ok, why = _eligible(row, site, bool(in_sez[i]), nace, site_capex, pack, profile)
            if row["id"] in reasons and not ok:
                reasons[row["id"]].append(f"{site.id}: {why}")
            wanted = opts.auto or row["id"] in opts.schemes or row["regions"] == "SEZ"
            if not ok or not wanted:
                continue
            if row["status"] == "listed" and not _valued_listed(row, opts):
                terms.listed[i].append(row)
                continue
            if terms.expansion[i] > 0:  # an expansion's share of the plant: an assumption, said
                share = f"{terms.expansion[i]:.0%}"
                row = {
                    **row,
                    "name": f"{row['name']} (expansion: on its {share} of the plant)",
                    "note": f"{expansion_note(terms.expansion[i])} {row['note']}".strip(),
                }
            terms.rows[i].append(row)
            _apply(terms, i, row, site_capex, profile, pack, site, float(cut[i]))
    for sid, why in reasons.items():
        if not any(r["id"] == sid for rows in terms.rows + terms.listed for r in rows):
            elsewhere = "not in the scheme's country or regions"
            why = [w for w in why if not w.endswith(elsewhere)] or [f"no candidate site is {elsewhere[4:]}"]
            raise ProfileError(
                f"incentives.schemes: {sid} applies to no candidate site ({'; '.join(why[:3])})",
                field="incentives.schemes",
            )
    return terms


def expansion_note(share: float) -> str:
    """What kopru assumes when it gives an existing plant's expansion a new plant's certificate."""
    return (
        "An expansion (tevsi yatırımı) of the existing plant, assumed to get an investment incentive"
        " certificate as a new investment does (the 2012 system's Communiqué 2012/1 counts expansions"
        " as investments; the text of Decision 9903 on them was not at hand: an assumption). The reduced"
        " rate applies to the plant's profit times the expansion's share of its gross fixed assets, as"
        " tax practice under CIT Law 32/A does when the expansion's profit is not accounted apart, and"
        f" the premium support to the jobs it adds: {share:.0%} here, the existing lines valued at a new"
        f" plant's capex per unit of capacity (an assumption). Sources: {EXPANSION_SOURCES}."
    )


def zone_note(terms: Terms, i: int) -> str:
    """When the zone of site ``i`` ends, counted from the plant's first year."""
    years = terms.zone_years[i]
    until = dt.date.fromisoformat(terms.zone_until[i])
    when = f"{until.day} {until:%B %Y}"  # people read "1 July 2030"
    if years <= 0:
        return f"The zone's term ends on {when}, before the plant's first year, {terms.first_year}."
    return (
        f"Until the zone's term ends on {when}: {years:.1f} years from the plant's first"
        f" year ({terms.first_year})."
    )


def relief_note(terms: Terms, i: int) -> str:
    """How long site ``i``'s SEZ tax reliefs last, and what bounds them: the category or the zone."""
    if terms.zone_years[i] < terms.sez_category_years:
        return f"{zone_note(terms, i)} The project's category alone would give more: {terms.sez_term}."
    return f"{terms.sez_term}."


def _valued_listed(row: Mapping[str, Any], opts: Any) -> bool:
    """A listed customs exemption is valued once the profile says what duty the machinery pays."""
    return row["instrument"] == "customs_exemption_machinery" and opts.equipment_duty_pct is not None


def _check_named(schemes: tuple[str, ...], exclude: tuple[str, ...], table: pd.DataFrame) -> None:
    for k, sid in enumerate((*schemes, *exclude)):
        where = f"incentives.schemes[{k}]" if k < len(schemes) else f"incentives.exclude[{k - len(schemes)}]"
        if sid not in table.index:
            raise ProfileError(
                f"{where}: no incentive scheme {sid!r}; see 'kopru data show incentives'", field=where
            )
        row = table.loc[sid]
        if k < len(schemes) and row["status"] == "abolished":
            raise ProfileError(f"{where}: {sid} does not apply: {row['note']}", field=where)


def _apply(
    terms: Terms,
    i: int,
    row: Mapping[str, Any],
    capex_usd: float,
    profile: Profile,
    pack: DataPack,
    site: Any,
    sez_cut: float = 1.0,
) -> None:
    instrument, value = row["instrument"], float(row["value"]) if row["value"] == row["value"] else 0.0
    years = float(row["years"]) if row["years"] == row["years"] else np.inf
    # an expansion's profit and new jobs are its share of the expanded plant's (1 for a new plant)
    share = terms.expansion[i] if site.existing else 1.0
    if instrument == "cit_rate_reduction":
        terms.cit_reduction[i] = value / 100.0 * share
        terms.cit_years[i] = years
    elif instrument == "cit_exemption":  # an SEZ's: the standard rate, spared for the relief term
        terms.cit_reduction[i] = value / 100.0 * sez_cut
        terms.cit_years[i] = min(years, terms.sez_years[i])
    elif instrument == "investment_contribution":
        terms.cit_cap_usd[i] = value / 100.0 * capex_usd
    elif instrument == "employer_ssc_support":
        unit = str(row["unit"]).split("/")[0]
        terms.ssc_usd_per_employee_year[i] = value * 12.0 / pack.fx_per_usd(unit) * share
        terms.ssc_years[i] = years
    elif instrument == "property_tax_exemption" and site.country == "TR":
        terms.property_tax_exempt[i] = True
    elif instrument == "customs_exemption_machinery":  # a new plant's machinery, or an expansion's
        opts = profile.incentives
        equipment = capex_usd * (1.0 - profile.building_share) * opts.imported_equipment_share
        terms.equipment_duty_saved_usd[i] = equipment * (opts.equipment_duty_pct or 0.0) / 100.0


def cit_relief_years(x: CostInputs, terms: Terms, life: int, demand: Array) -> Array:
    """(S,) years a profit-tax reduction lasts: its term, the plant's life, or until the tax it
    forgoes at full output reaches its cap, whichever comes first."""
    return np.minimum(np.minimum(terms.cit_years, life), _years_to_cap(x, terms, demand))


def _years_to_cap(x: CostInputs, terms: Terms, demand: Array) -> Array:
    """(S,) years until the tax a reduction forgoes at full output reaches its cap (inf: no cap)."""
    saving = terms.cit_reduction * _cit_annual(x, demand)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(saving > 0, terms.cit_cap_usd / saving, np.inf)


def apply(
    x: CostInputs, terms: Terms, values: dict[str, Array], profile: Profile, demand: Array
) -> CostInputs:
    """The cost inputs with every applied incentive's effect, as its share of the plant's life."""
    life, r = profile.lifetime_years, profile.wacc
    whole = annuity_factor(r, life)
    lasts = cit_relief_years(x, terms, life, demand)
    cit_share = np.array([annuity_factor(r, t) / whole if np.isfinite(t) else 1.0 for t in lasts])
    ssc_share = np.array([annuity_factor(r, min(t, life)) / whole for t in terms.ssc_years])
    hours_a_year = values["hours_per_month"] * 12.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ssc_rate = np.where(
            hours_a_year > 0, terms.ssc_usd_per_employee_year / (x.wage_usd_per_hour * hours_a_year), 0.0
        )
    capex = np.maximum(x.capex_usd - terms.equipment_duty_saved_usd, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep_buildings = np.where(capex > 0, x.capex_usd / capex, 1.0)  # the buildings' tax base stays
    # an SEZ's property tax relief ends with its term too: the standard rate for the years after
    sez_share = np.array([annuity_factor(r, min(t, life)) / whole for t in terms.sez_years])
    in_sez = values["in_sez_regime"] > 0
    property_rate = np.where(
        in_sez, x.property_tax_rate + values["std_property_tax_rate"] * (1.0 - sez_share), x.property_tax_rate
    )
    # free land and duty-free inputs last as long as the zone: standard land price and duties after
    zone_share = np.array([annuity_factor(r, min(t, life)) / whole for t in terms.zone_years])
    after = np.where(in_sez, 1.0 - zone_share, 0.0)
    std_land = values["std_land_price_usd_per_m2"] * r
    return replace(
        x,
        corporate_tax_rate=x.corporate_tax_rate * (1.0 - terms.cit_reduction * cit_share),
        social_rate=np.maximum(x.social_rate - ssc_rate * ssc_share, 0.0),
        property_tax_rate=np.where(terms.property_tax_exempt, 0.0, property_rate * keep_buildings),
        capex_usd=capex,
        land_usd_per_m2_year=x.land_usd_per_m2_year + (std_land - x.land_usd_per_m2_year) * after,
        input_duty_share=x.input_duty_share + (1.0 - x.input_duty_share) * after,
    )


def _cit_annual(x: CostInputs, demand: Array) -> Array:
    """Corporate income tax a site pays a year at its rates, (S,): its taxes less property tax."""
    cube = landed_cost(x)
    taxes = annual_totals(cube, demand)[:, 5]
    property_tax = property_tax_a_year(x)
    return np.where(np.isfinite(taxes), np.maximum(taxes - property_tax, 0.0), 0.0)


def standard(x: CostInputs, values: dict[str, Array], wacc: float) -> dict[str, CostInputs]:
    """For each SEZ instrument, the inputs without it (the country's standard regime) at SEZ sites."""
    sez = values["in_sez_regime"] > 0
    return {
        "cit_exemption": replace(
            x, corporate_tax_rate=np.where(sez, values["std_corporate_tax_rate"], x.corporate_tax_rate)
        ),
        "property_tax_exemption": replace(
            x, property_tax_rate=np.where(sez, values["std_property_tax_rate"], x.property_tax_rate)
        ),
        "land_free": replace(
            x,
            land_usd_per_m2_year=np.where(
                sez, values["std_land_price_usd_per_m2"] * wacc, x.land_usd_per_m2_year
            ),
        ),
        "customs_free_zone": replace(x, input_duty_share=np.where(sez, 1.0, x.input_duty_share)),
    }


def valued(
    x_base: CostInputs,
    x_all: CostInputs,
    terms: Terms,
    values: dict[str, Array],
    profile: Profile,
    demand: Array,
    fx: float,
    rebuy: Callable[[CostInputs], CostInputs] | None = None,
) -> list[list[Incentive]]:
    """Every site's incentives with their annual values (plan currency): each one's cost without it
    less the cost with all of them; ``rebuy`` lets a site without an incentive buy its materials
    where they would then land cheapest (profiles whose materials have alternatives)."""

    def total(x: CostInputs) -> Array:
        return annual_totals(landed_cost(rebuy(x) if rebuy else x), demand).sum(axis=-1) * fx

    with_all = total(x_all)
    without_sez = {k: total(v) for k, v in standard(x_all, values, profile.wacc).items()}
    dropped: dict[str, Array] = {}

    def without(instrument: str) -> Array:
        """Every site's total with ``instrument`` off at every site: sites do not share costs, so
        one pass values it for all of them (it was one pass per site and scheme)."""
        if instrument not in dropped:
            term = _TERM_OF[instrument]
            off = replace(terms, **{term: np.zeros_like(getattr(terms, term))})
            dropped[instrument] = total(apply(x_base, off, values, profile, demand))
        return dropped[instrument]

    to_cap = _years_to_cap(x_base, terms, demand)
    life = profile.lifetime_years
    out: list[list[Incentive]] = []
    for i, rows in enumerate(terms.rows):
        site_out = []
        for row in rows:
            value = _value_of(row, i, with_all, without_sez, without)
            site_out.append(_incentive(row, "applied", value, terms, i, float(to_cap[i]), life))
        site_out += [_incentive(row, "listed", None, terms, i) for row in terms.listed[i]]
        out.append(site_out)
    return out


# the term an instrument (not an SEZ's) sets: turned off, the site's cost without that incentive
_TERM_OF = {
    "cit_rate_reduction": "cit_reduction",
    "employer_ssc_support": "ssc_usd_per_employee_year",
    "property_tax_exemption": "property_tax_exempt",
    "customs_exemption_machinery": "equipment_duty_saved_usd",
}


def _value_of(
    row: Mapping[str, Any],
    i: int,
    with_all: Array,
    without_sez: dict[str, Array],
    without: Callable[[str], Array],
) -> float | None:
    instrument = row["instrument"]
    if not np.isfinite(with_all[i]):
        return None  # a site without a route to every market has no annual cost to compare
    if row["regions"] == "SEZ" and instrument in SEZ_INSTRUMENTS:
        return float(without_sez[instrument][i] - with_all[i])
    if instrument not in _TERM_OF:  # an investment contribution: the cap of the tax reduction, valued there
        return None
    return float(without(instrument)[i] - with_all[i])


def _incentive(
    row: Mapping[str, Any],
    status: str,
    value: float | None,
    terms: Terms,
    i: int,
    to_cap: float = np.inf,
    life: float = np.inf,
) -> Incentive:
    years = float(row["years"]) if row["years"] == row["years"] else None
    conditions = []
    if str(row["sectors"]) not in ("all", ""):
        conditions.append(f"sectors: {row['sectors']}")
    if row["excluded_sectors"]:
        conditions.append(f"excluded: {row['excluded_sectors']}")
    if row["min_investment"] == row["min_investment"] and row["min_investment"]:
        conditions.append(f"minimum investment {row['min_investment']:,.0f} {row['min_investment_unit']}")
    if str(row["regions"]) not in ("KZ", "TR"):
        places = [terms.places.get(code, code) for code in split_list(row["regions"])]
        conditions.append(f"regions: {', '.join(places)}")
    note = str(row["note"])
    timed = row["instrument"] in ("cit_exemption", "property_tax_exemption")
    if row["regions"] == "SEZ" and timed and np.isfinite(terms.sez_years[i]):
        years = float(terms.sez_years[i])
        note = f"{note} {relief_note(terms, i)}".strip()
    elif (
        row["regions"] == "SEZ" and row["instrument"] in SEZ_INSTRUMENTS and np.isfinite(terms.zone_years[i])
    ):
        years = float(terms.zone_years[i])
        note = f"{note} {zone_note(terms, i)}".strip()
    if row["instrument"] == "cit_rate_reduction" and np.isfinite(terms.cit_cap_usd[i]):
        note = f"{note} Capped at {terms.cit_cap_usd[i]:,.0f} USD of tax forgone.".strip()
        if status == "applied" and years is not None and to_cap < min(years, life):
            # the cap, not the term nor the plant's life, ends it: the years shown are the years it runs
            note = f"{note} At full output the cap is reached after {to_cap:.1f} of its {years:g} years."
            years = to_cap
    return Incentive(
        id=str(row["id"]),
        name=str(row["name"]),
        scheme=str(row["scheme"]),
        instrument=str(row["instrument"]),
        status=status,
        annual_value=None if value is None else round(value, 2),
        years=None if years is None else round(years, 1),  # a zone's term gives fractions of a year
        legal_basis=str(row["legal_basis"]),
        source=str(row["source"]),
        conditions="; ".join(conditions),
        note=note,
    )
