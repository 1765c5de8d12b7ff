"""Sector templates: a product profile standing for a typical plant of a sector, costed once.

An enterprise of the pipeline is its template scaled to its size. Every cost of a profile scales
with the plant (capex, fixed costs and land in proportion to output, an assumption of linear
scaling), so the landed cost per unit of each site and market does not depend on the size: a
template is planned once, for every Kazakh region, SEZ and Turkish province, and every enterprise
of it reads its costs from that one cube (:mod:`~kopru.matchmaking.pairs`). The one thing size
changes is the SEZ relief term (its category goes by the project's cost in MCI): an enterprise in
another category than its template reads the template planned in that category
(:meth:`TemplateCosts.in_category`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kopru.appraisal import CashFlows
from kopru.corridors import Route, check_countries, restricted_crossed
from kopru.costs import landed_cost
from kopru.datapack import DataPack
from kopru.errors import MatchError, OptionError
from kopru.incentives import nace_of, relief_for_cost, relief_term
from kopru.inputs import PlanInputs, prepare
from kopru.profile import Profile, load_profile
from kopru.units import country_codes
from kopru.valuation import site_cash_flows

EXAMPLES = resources.files("kopru") / "examples"
# sector template -> profile shipped with kopru (the four examples and the match templates)
TEMPLATES = {
    "apparel": "apparel.yaml",
    "appliances": "appliances.yaml",
    "ceramics": "construction_materials.yaml",
    "food": "food_processing.yaml",
    "textiles": "match/templates/textiles.yaml",
    "plastics": "match/templates/plastics.yaml",
    "furniture": "match/templates/furniture.yaml",
    "machinery": "match/templates/machinery.yaml",
}

KEPT: dict[str, Any] = dict(default_factory=dict, init=False, repr=False, compare=False)  # a cache field


@dataclass(frozen=True)
class TemplateCosts:
    """One template planned at every site: per-unit landed cost by site and market (USD)."""

    name: str
    profile: Profile
    site_ids: tuple[str, ...]  # Kazakh regions, SEZs and every Turkish province (a new plant)
    market_ids: tuple[str, ...]
    cube: np.ndarray  # (S, M, C) USD per unit, components as kopru.costs.COMPONENTS
    # (S, M) USD per unit: the import duty on the inputs within the materials, a tax paid to the
    # site's country (none in a free customs zone), not something bought in
    input_duty: np.ndarray
    price: np.ndarray  # (M,) USD per unit delivered
    demand_share: np.ndarray  # (M,) the template's own split of its sales over the markets
    incentive_per_unit: np.ndarray  # (S,) USD a unit: the applied incentives' annual value
    eligible_sez: np.ndarray  # (S,) bool: an SEZ whose priority sectors include the template's
    inputs: PlanInputs  # for pitch sheets: routes, incentives and sources of each site
    home: str  # the template's own Turkish province: an enterprise's baseline when it names none
    category: str = ""  # the SEZ relief category of the template's own capex
    pack: DataPack | None = field(default=None, repr=False)
    variants: dict[str, TemplateCosts] = field(default_factory=dict, repr=False)  # category -> costs
    # what is asked of a template again and again (per market mix; its zones' routes), kept
    _flows: dict[tuple[str, ...], CashFlows] = field(**KEPT)
    _routes: dict[tuple[str, str], Route] = field(**KEPT)

    def site(self, site_id: str) -> int:
        return self.site_ids.index(site_id)

    def market_shares(self, markets: tuple[str, ...] = ()) -> np.ndarray:
        """(M,) a split of the sales over the markets: ``markets`` evenly, else the template's own."""
        if not markets:
            return self.demand_share.copy()
        shares = np.zeros(len(self.market_ids))
        shares[[self.market_ids.index(m) for m in markets]] = 1.0 / len(markets)
        return shares

    def cash_flows(self, markets: tuple[str, ...] = ()) -> CashFlows:
        """(S, T) every site's cash flows over the plant's life (:mod:`kopru.valuation`, in the
        profile's currency) for a plant of the template's size selling its volume in ``markets``
        (evenly; none: the template's split). Every cost scales with the plant (the module's
        assumption), and so does the tax, its cap (a share of capex) and the terminal value: a
        plant ``k`` times the size has ``k`` times these flows."""
        key = tuple(markets)
        if key not in self._flows:
            demand = self.market_shares(key) * self.volume
            pre = self.inputs
            markets_sold = [{**m, "demand": float(d)} for m, d in zip(pre.markets, demand, strict=True)]
            # its fixed costs spread over its volume, without the token demand of the markets it
            # does not sell in (a plan of a profile selling just that spreads them so)
            sold = float(demand.sum())
            self._flows[key] = site_cash_flows(
                replace(
                    pre,
                    markets=markets_sold,
                    x=replace(pre.x, volume=sold),
                    x_base=replace(pre.x_base, volume=sold),
                )
            )
        return self._flows[key]

    def free_cash_usd(self, markets: tuple[str, ...] = (), scale: float = 1.0) -> np.ndarray:
        """(S, T) free cash flow by year, USD, of a plant ``scale`` times the template's at every site."""
        return self.cash_flows(markets).free * (scale / self.inputs.fx)

    @property
    def capex_usd(self) -> float:
        """The template's capex in USD (NaN when the profile gives none)."""
        return (self.profile.capex or np.nan) / self.inputs.fx

    def route(self, site: int, market: int) -> Route | None:
        """The cheapest route from a site to a market (None: unreachable); every site's routes to
        every market are found at once, the first time one is asked for."""
        pre = self.inputs
        if not self._routes:
            nodes = list(dict.fromkeys(pre.sites["node"]))
            markets = list(dict.fromkeys(m["node"] for m in pre.markets))
            self._routes.update(pre.network.routes(nodes, markets, "cost"))
        return self._routes.get((pre.sites["node"].iloc[site], pre.markets[market]["node"]))

    def market_routes(self, site: int, markets: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """The cheapest route from ``site`` to each market an enterprise sells in (``markets``, else
        the template's own): the path by node names, days, USD/TEU and modes. One through a country
        under restrictions (restrictions.csv) names them, ``through`` (codes), with the cheapest
        route through none of them, ``around``: its cost and days, their difference and the
        countries it ``avoids`` (every one under restrictions and those avoided; cost None: none)."""
        pre = self.inputs
        own = zip(self.market_ids, self.demand_share, strict=True)
        wanted = set(markets) or {m for m, share in own if share > 1e-3}
        node = pre.sites["node"].iloc[site]
        country = pre.pack.nodes["country"]
        names = pre.network.nodes["name"]
        out: list[dict[str, Any]] = []
        for k, m in enumerate(pre.markets):
            if m["id"] not in wanted:
                continue
            route = self.route(site, k)
            if route is None:
                out.append({"market": m["name"], "path": "no route", "days": None, "cost": None, "modes": []})
                out[-1].update(through=[], around=None)
                continue
            path = [node, *(leg.destination for leg in route.legs)]
            through = restricted_crossed(pre.pack, path[1:-1], {country.get(node), m["country"]})
            out.append(
                {
                    "market": m["name"],
                    "path": " > ".join(str(names.get(n, n)) for n in path),
                    "days": route.days,
                    "cost": route.cost_usd_per_teu,
                    "modes": list(route.modes),
                    "through": through,
                    "around": self._around(site, k, route) if through else None,
                }
            )
        return out

    def _around(self, site: int, market: int, route: Route) -> dict[str, Any]:
        """The cheapest route from a site to a market through no country under restrictions (nor
        one avoided), against ``route``; the market's own country is still reached."""
        pre = self.inputs
        avoids = [*pre.avoid, *(c for c in pre.pack.table("restrictions").index if c not in pre.avoid)]
        out: dict[str, Any] = {"avoids": [c for c in avoids if c != pre.markets[market]["country"]]}
        lanes = pre.detours
        cost = days = np.inf
        if lanes is not None:
            o = lanes.origins.index(pre.sites["node"].iloc[site])
            d = lanes.destinations.index(pre.markets[market]["node"])
            cost, days = float(lanes.cost_usd_per_teu[o, d]), float(lanes.days[o, d])
        if not np.isfinite(cost):
            return {**out, "cost": None, "days": None, "extra_cost": None, "extra_days": None}
        return {
            **out,
            "cost": cost,
            "days": days,
            "extra_cost": cost - route.cost_usd_per_teu,
            "extra_days": days - route.days,
        }

    def category_of(self, capex_usd: float, nace: str | None = None) -> str:
        """The SEZ relief category of a project of this template costing ``capex_usd``."""
        assert self.pack is not None
        return relief_for_cost(capex_usd, self.pack, nace or nace_of(self.profile, self.pack)).category

    def in_category(self, category: str) -> TemplateCosts:
        """The template planned with its SEZ reliefs in ``category`` (itself when it is its own)."""
        if category in ("", self.category) or self.pack is None:
            return self
        if category not in self.variants:
            options = self.profile.incentives.model_copy(update={"sez_category": category})
            profile = self.profile.model_copy(update={"incentives": options})
            self.variants[category] = _costed(self.name, profile, self.pack, self.home)
        return self.variants[category]

    @property
    def volume(self) -> float:
        return self.profile.volume


def check_match_avoid(pack: DataPack, countries: Any) -> tuple[str, ...]:
    """The countries a match's routes avoid, as ISO codes: known ones, and neither Kazakhstan (every
    zone is there) nor Türkiye (every baseline)."""
    avoid = country_codes(countries)
    check_countries(pack, avoid)
    if {"KZ", "TR"} & set(avoid):
        raise OptionError(
            "avoid cannot name Kazakhstan (KZ) or Türkiye (TR): every zone is in the one and every"
            " baseline in the other; name countries routes pass through, such as RU",
            field="avoid",
        )
    return avoid


def template_path(name: str, folder: Path | None = None) -> Path | Any:
    """The profile of a template name (shipped), or a profile file relative to ``folder``."""
    if name in TEMPLATES:
        return EXAMPLES / TEMPLATES[name]
    if folder is not None and (folder / name).is_file():
        return folder / name
    raise MatchError(
        f"template {name!r} is unknown; expected one of {', '.join(TEMPLATES)} or a profile file"
    )


def cost_template(
    name: str,
    pack: DataPack,
    extra_markets: tuple[str, ...] = (),
    folder: Path | None = None,
    avoid: tuple[str, ...] = (),
) -> TemplateCosts:
    """Plan a template at every site, with ``extra_markets`` (the pipeline's) added to its own and
    no route through the ``avoid`` countries (ISO codes) besides the template's own."""
    source = template_path(name, folder)
    profile = load_profile(source)
    data = profile.model_dump()
    own = [m["id"] for m in data["markets"]]
    home = profile.baseline[0].province if profile.baseline else str(pack.provinces.index[0])
    # an enterprise's size is what it makes and sells a year: the template's plant sells its whole
    # volume in its own split (a template whose markets buy less would spread its fixed costs over
    # fewer units than an enterprise of its size sells)
    bought = sum(m["demand"] for m in data["markets"])
    if bought > 0:
        data["markets"] = [{**m, "demand": m["demand"] * profile.volume / bought} for m in data["markets"]]
    # a market the template does not serve is added with a token demand: per-unit costs only
    token = 1e-6 * profile.volume
    data["markets"] = [
        *data["markets"],
        *({"id": m, "demand": token, "price": None} for m in extra_markets if m not in own),
    ]
    # every Turkish province as a new plant: the baseline of an enterprise is its home province
    data["baseline"] = [{"province": p, "existing": False} for p in pack.provinces.index]
    data["candidates"] = {**data["candidates"], "exclude": (), "kz_regions": True, "sez": True}
    data["avoid"] = list(dict.fromkeys([*data["avoid"], *avoid]))
    profile = Profile.model_validate(data)
    return _costed(name, profile, pack, home)


def _costed(name: str, profile: Profile, pack: DataPack, home: str) -> TemplateCosts:
    """One template profile planned at every site."""
    pre = prepare(profile, pack)
    cube = landed_cost(pre.x)  # USD
    duty_free = landed_cost(replace(pre.x, input_duty_share=np.zeros_like(pre.x.input_duty_share)))
    with np.errstate(invalid="ignore"):  # an unreachable input: infinite materials either way
        input_duty = cube[..., 0] - duty_free[..., 0]
    demand = np.array([m["demand"] for m in pre.markets], float)
    price = np.array([m["price"] for m in pre.markets], float) / pre.fx
    incentive = np.array(
        [sum(i.annual_value or 0.0 for i in site if i.status == "applied") for site in pre.incentives]
    ) / (pre.fx * profile.volume)
    regime = pre.inputs.values["in_sez_regime"].astype(bool)
    return TemplateCosts(
        name=name,
        profile=profile,
        site_ids=tuple(pre.sites["id"]),
        market_ids=tuple(m["id"] for m in pre.markets),
        cube=cube,
        input_duty=np.where(np.isfinite(input_duty), input_duty, 0.0),
        price=price,
        demand_share=demand / demand.sum(),
        incentive_per_unit=incentive,
        eligible_sez=regime,
        inputs=pre,
        home=home,
        category=relief_term(profile, pack, nace_of(profile, pack)).category.split(" ")[0],
        pack=pack,
    )
