"""A site's dossier: everything the data pack knows about one candidate site, each value sourced.

What an investor reads on a zone's page at Kazakh Invest or in a location benchmark: where the
site is and how it reaches the markets, its labour, energy, land and tax figures, the incentive
schemes of its place, the zone's land and power, and where every figure comes from. Nothing is
costed here (that needs a company profile: :func:`kopru.plan`); the dossier only gathers, names
and dates what the data pack holds.

A site's value comes from the most specific subject that has one, as :mod:`kopru.sites` looks it
up: the site itself, then the SEZ regime (for a zone), its region, its country. The dossier says
which subject each value belongs to, by name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from kopru.corridors import network_for
from kopru.datapack import DataPack, split_list
from kopru.display import KIND_NAMES, source_names
from kopru.errors import UnknownSite
from kopru.incentives import applies_in

# the order a reader expects, and the quantities each theme holds (by prefix)
THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Labour", ("wage_", "hours_per_month", "labour_force", "labour_hours", "social_")),
    ("Energy", ("electricity_", "gas_")),
    ("Land and premises", ("land_lease", "land_price", "premises_rent", "area")),
    ("Taxes", ("corporate_income_tax", "property_tax", "land_tax", "vat_", "customs_duty_on_inputs")),
)

# where a site's goods go: the hubs of the markets kopru serves (corridor node ids)
HUBS: tuple[str, ...] = ("istanbul", "moscow", "almaty", "tashkent", "urumqi", "baku", "tbilisi")


@dataclass(frozen=True)
class SourceRef:
    id: str
    title: str
    publisher: str
    year: str
    url: str


@dataclass(frozen=True)
class Value:
    theme: str
    quantity: str
    label: str  # what the quantity means, from quantities.yaml
    value: float
    unit: str
    year: int
    subject: str  # whose value it is, by name: the site, the SEZ regime, the region or the country
    assumption: bool
    note: str
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class Access:
    destination: str
    days: float
    usd_per_teu: float
    km: float
    modes: str
    via: str  # the nodes between, by name


@dataclass(frozen=True)
class Scheme:
    name: str
    scheme: str
    value: str
    years: str
    sectors: str
    status: str
    legal_basis: str
    year: int
    assumption: bool
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class Dossier:
    id: str
    name: str
    kind: str
    kind_label: str
    country: str
    region: str  # the region's or province's name
    lat: float
    lon: float
    node: str  # the corridor node the site ships from, by name
    facts: dict[str, str]
    values: list[Value]
    capacity: list[dict[str, Any]]
    incentives: list[Scheme]
    access: list[Access]
    sources: list[SourceRef] = field(default_factory=list)

    def themes(self) -> list[tuple[str, list[Value]]]:
        """The values grouped by theme, in reading order; empty themes left out."""
        order = [t for t, _ in THEMES] + ["Other"]
        groups = [(t, [v for v in self.values if v.theme == t]) for t in order]
        return [(t, vs) for t, vs in groups if vs]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _theme(quantity: str) -> str:
    for theme, prefixes in THEMES:
        if any(quantity.startswith(p) for p in prefixes):
            return theme
    return "Other"


def _refs(pack: DataPack, cell: Any) -> tuple[SourceRef, ...]:
    refs = []
    for i in split_list(cell):
        if i not in pack.sources.index:
            continue
        row = pack.sources.loc[i]
        refs.append(
            SourceRef(
                id=i,
                **{k: "" if pd.isna(row[k]) else str(row[k]) for k in ("title", "publisher", "year", "url")},
            )
        )
    return tuple(refs)


def _named(pack: DataPack, text: str) -> str:
    """A note with the sources it cites by id named instead ('... (Kazinform, 2025)')."""
    for i in sorted((i for i in pack.sources.index if i in text), key=len, reverse=True):
        text = text.replace(i, source_names(pack, i))
    return text


def _where(pack: DataPack, site_id: str) -> tuple[str, pd.Series]:
    for kind, table in (("kz_region", pack.regions), ("sez", pack.sez), ("tr_province", pack.provinces)):
        if site_id in table.index:
            return kind, table.loc[site_id]
    raise unknown_site(site_id)


def unknown_site(site_id: str) -> UnknownSite:
    """The error for an id that is no site: what a site id looks like, and where they are listed."""
    return UnknownSite(
        f"no site {site_id!r} in the data pack: expected a Kazakh region (KZ-11), a SEZ id "
        "(sez_turan) or a Turkish province (TR-16); `kopru data list` shows them"
    )


def subjects(kind: str, site_id: str, region: str, country: str) -> list[str]:
    """The subjects a site's values come from, most specific first (as kopru.sites looks them up)."""
    chain = [site_id]
    if kind == "sez":
        chain += ["KZ-SEZ", region]
    chain.append(country)
    return list(dict.fromkeys(chain))


def site_parameters(pack: DataPack, chain: list[str]) -> pd.DataFrame:
    """The parameter rows of the subjects in ``chain``, most specific subject first."""
    params = pack.parameters[pack.parameters["subject"].isin(chain)].copy()
    params["order"] = params["subject"].map({s: i for i, s in enumerate(chain)})
    return params.sort_values(["order", "quantity", "year"], kind="stable")


def _subject_name(pack: DataPack, subject: str, site_name: str, site_id: str) -> str:
    if subject == site_id:
        return site_name
    if subject == "KZ-SEZ":
        return "SEZ regime (all zones)"
    if subject in pack.regions.index:
        return str(pack.regions.at[subject, "name"])
    return {"KZ": "Kazakhstan", "TR": "Türkiye"}.get(subject, subject)


def _values(pack: DataPack, kind: str, site_id: str, name: str, region: str, country: str) -> list[Value]:
    params = site_parameters(pack, subjects(kind, site_id, region, country))
    # each subject's newest value of each quantity, most specific subject first: the first is the
    # one a plan uses, the others show what it stands in for (the SEZ regime's 0 % and the national
    # corporate tax, a region's wage and the national average)
    params = params.sort_values(["quantity", "order", "year"], ascending=[True, True, False], kind="stable")
    params = params.drop_duplicates(["quantity", "subject"])
    out = []
    for p in params.itertuples(index=False):
        out.append(
            Value(
                theme=_theme(p.quantity),
                quantity=p.quantity,
                label=str(pack.quantities.get(p.quantity, {}).get("description", p.quantity)),
                value=float(p.value),
                unit=p.unit,
                year=int(p.year),
                subject=_subject_name(pack, p.subject, name, site_id),
                assumption=bool(p.assumption),
                note=str(p.note),
                sources=_refs(pack, p.source),
            )
        )
    return out


def _incentives(pack: DataPack, kind: str, region: str, country: str) -> list[Scheme]:
    out = []
    for r in pack.incentives.itertuples(index=False):
        if not applies_in(r._asdict(), country, region, kind == "sez"):  # the plan's own rule
            continue
        sectors = str(r.sectors)
        out.append(
            Scheme(
                name=str(r.name),
                scheme=str(r.scheme),
                value=f"{r.value:g} {r.unit}" if pd.notna(r.value) else str(r.unit),
                years="" if pd.isna(r.years) else f"{r.years:g}",
                sectors=sectors if len(sectors) <= 60 else f"{len(split_list(sectors))} NACE sectors",
                status=str(r.status),
                legal_basis=str(r.legal_basis),
                year=int(r.year),
                assumption=bool(r.assumption),
                sources=_refs(pack, r.source),
            )
        )
    return out


def _access(pack: DataPack, node: str) -> list[Access]:
    names = pack.nodes["name"]
    hubs = [h for h in HUBS if h != node and h in pack.nodes.index]
    routes = network_for(pack).routes([node], hubs)  # the shipped network, built once
    out = []
    for hub in hubs:
        route = routes.get((node, hub))
        if route is None:
            continue
        between = [leg.destination for leg in route.legs[:-1]]
        out.append(
            Access(
                destination=str(names[hub]),
                days=route.days,
                usd_per_teu=route.cost_usd_per_teu,
                km=route.distance_km,
                modes=", ".join(route.modes),
                via=", ".join(str(names[n]) for n in between),
            )
        )
    return out


def dossier(pack: DataPack, site_id: str) -> Dossier:
    """Everything the data pack holds about one site; :class:`UnknownSite` for an unknown id."""
    kind, row = _where(pack, site_id)
    country = "TR" if kind == "tr_province" else "KZ"
    region = str(row["region"]) if kind == "sez" else site_id
    name = f"SEZ {row['name']}" if kind == "sez" else str(row["name"])
    region_name = str(pack.regions.at[region, "name"]) if region in pack.regions.index else name
    node = str(row["node"])
    facts = {
        k: source_names(pack, v) if k.endswith("_source") else _named(pack, str(v).replace(";", "; "))
        for k, v in row.items()
        if k not in ("id", "name", "lat", "lon", "node", "region", "source", "kind")
        and pd.notna(v)
        and str(v)
    }
    capacity = []
    if "zone_capacity" in pack.tables:
        cap = pack.tables["zone_capacity"]
        for c in cap[cap["zone"] == site_id].itertuples(index=False):
            capacity.append(
                {
                    "resource": c.resource,
                    "capacity": float(c.capacity),
                    "unit": c.unit,
                    "basis": c.basis,
                    "year": int(c.year),
                    "note": str(c.note),
                    "sources": _refs(pack, c.source),
                }
            )
    values = _values(pack, kind, site_id, name, region, country)
    incentives = _incentives(pack, kind, region, country)
    cited: dict[str, SourceRef] = {s.id: s for s in _refs(pack, row.get("source"))}
    for k in row.index[row.index.str.endswith("_source")]:  # a fact's own source (the zone's term)
        cited.update({s.id: s for s in _refs(pack, row[k])})
    for item in [*values, *incentives]:
        cited.update({s.id: s for s in item.sources})
    for c in capacity:
        cited.update({s.id: s for s in c["sources"]})
    return Dossier(
        id=site_id,
        name=name,
        kind=kind,
        kind_label=KIND_NAMES[kind],
        country=country,
        region=region_name,
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        node=str(pack.nodes.at[node, "name"]) if node in pack.nodes.index else node,
        facts=facts,
        values=values,
        capacity=capacity,
        incentives=incentives,
        access=_access(pack, node) if node in pack.nodes.index else [],
        sources=sorted(cited.values(), key=lambda s: s.id),
    )
