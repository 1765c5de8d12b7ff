"""Monte Carlo risk: how sure is the ranking when FX, energy, wages, freight, duties and demand move?

The uncertain inputs are drawn from the distributions in ``datapack/data/uncertainty.yaml`` (or a
user file in the same format) with a Gaussian copula for their correlations, turned into
:class:`~kopru.costs.CostInputs` arrays with a leading sample axis ``(n, S, ...)`` and pushed
through :func:`kopru.costs.landed_cost` in one broadcast per chunk of samples.

Reproducibility does not depend on how the work is cut: samples live in fixed blocks of
:data:`BLOCK` draws, and block ``b`` draws from ``SeedSequence(seed, spawn_key=(b, stream))``
(counter-based seeding), so sample ``i`` is the same in one chunk, in many chunks or on a Dask
worker. Sums are kept per block and added in block order, and quantiles are taken over the
whole column of samples, so the statistics are bit-identical too.

Memory stays bounded: a chunk holds a few blocks (its size follows sites × markets), and the
annual cost per sample and site (needed for exact quantiles) spills to a temporary file laid out
site by site when it would not fit in :data:`MEMORY_BUDGET`.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from numpy.typing import NDArray
from scipy.special import ndtr

from kopru.costs import CostInputs, landed_cost
from kopru.datapack import DataPack
from kopru.errors import KopruError
from kopru.inputs import PlanInputs

__all__ = [
    "BLOCK",
    "RiskError",
    "RiskModel",
    "RiskResult",
    "SiteRisk",
    "Uncertainty",
    "build_model",
    "first_draws",
    "load_uncertainty",
    "risk",
    "run",
    "summarize",
]

Array = NDArray[np.float64]
Kind = Literal["factor", "rate", "shift"]
Progress = Callable[[int, int], None]  # (samples done, samples in all)

SHIPPED = resources.files("kopru") / "datapack" / "data" / "uncertainty.yaml"
BLOCK = 1024  # samples per seeding block: the unit of reproducibility, never changes with chunking
CHUNK_BYTES = 64 * 2**20  # target size of one chunk's cost cube (samples × sites × markets × 7)
MEMORY_BUDGET = 256 * 2**20  # above this the per-sample annual costs spill to a temporary file
MODES = ("road", "rail", "ferry", "sea")
COUNTRY_CURRENCY = {"KZ": "KZT", "TR": "TRY"}  # currency of the sites' local prices and wages

# variable family -> (kind, what the suffix names)
FAMILIES: dict[str, tuple[Kind, str]] = {
    "fx": ("factor", "currency"),
    "electricity": ("factor", "country"),
    "gas": ("factor", "country"),
    "wage_growth": ("rate", "country"),
    "freight": ("factor", "mode"),
    "transit": ("factor", "mode"),
    "vat": ("shift", "country"),
    "duty": ("shift", ""),
    "demand": ("factor", ""),
}
DISTS: dict[str, tuple[str, ...]] = {
    "lognormal": ("median", "sigma"),
    "normal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "fixed": ("value",),
}


class RiskError(KopruError):
    """An uncertainty file or a risk request is invalid."""


# -- the uncertainty specification -------------------------------------------------------------
@dataclass(frozen=True)
class Distribution:
    """One uncertain input: its marginal distribution and where the numbers come from."""

    name: str
    kind: Kind
    dist: str
    params: dict[str, float]
    source: str
    assumption: bool
    note: str

    def transform(self, z: Array) -> Array:
        """Map standard normals (the copula's) to this marginal by its inverse CDF."""
        p = self.params
        if self.dist == "normal":
            return p["mean"] + p["sd"] * z
        if self.dist == "lognormal":
            return p["median"] * np.exp(p["sigma"] * z)
        if self.dist == "fixed":
            return np.full_like(z, p["value"])
        u = ndtr(z)
        if self.dist == "uniform":
            return p["low"] + (p["high"] - p["low"]) * u
        low, mode, high = p["low"], p["mode"], p["high"]
        width = high - low
        cut = (mode - low) / width if width > 0 else 0.5
        left = low + np.sqrt(u * width * (mode - low))
        right = high - np.sqrt((1.0 - u) * width * (high - mode))
        return np.where(u < cut, left, right)

    def positive(self) -> bool:
        """Whether every draw is > 0 (a multiplying factor must be)."""
        p = self.params
        if self.dist == "lognormal":
            return True  # median > 0 is checked on reading
        if self.dist == "fixed":
            return p["value"] > 0
        return self.dist != "normal" and p["low"] > 0


@dataclass(frozen=True)
class Uncertainty:
    """The uncertain inputs and the correlation matrix of their copula normals."""

    variables: dict[str, Distribution]
    correlation: Array  # over ``copula_names``
    copula_names: tuple[str, ...]  # every variable but demand (drawn per market, independently)

    @property
    def cholesky(self) -> Array:
        return np.linalg.cholesky(self.correlation)

    def as_dict(self) -> dict[str, Any]:
        """A plain description, for the scenario store (inputs and their hash)."""
        return {
            "variables": {
                k: {"dist": d.dist, **d.params, "source": d.source, "assumption": d.assumption}
                for k, d in sorted(self.variables.items())
            },
            "copula": list(self.copula_names),
            "correlation": self.correlation.round(12).tolist(),
        }


def _read_yaml(path: Path | Any, what: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RiskError(f"{what} {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RiskError(f"{what} {path} cannot be read as UTF-8 text: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RiskError(f"{what} {path} is not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise RiskError(f"{what} {path} must be a mapping with 'variables' (and 'correlations')")
    return data


def _kind_of(name: str, pack: DataPack | None) -> Kind:
    family, _, suffix = name.partition(".")
    if family not in FAMILIES:
        raise RiskError(
            f"uncertain variable {name!r}: unknown; expected one of {', '.join(f + '.*' for f in FAMILIES)}"
        )
    kind, what = FAMILIES[family]
    if bool(what) != bool(suffix):
        form = f"{family}.<{what}>" if what else family
        raise RiskError(f"uncertain variable {name!r}: expected the form {form}")
    if what == "mode" and suffix not in MODES:
        raise RiskError(f"uncertain variable {name!r}: mode must be one of {', '.join(MODES)}")
    if what == "country" and not re.fullmatch(r"[A-Z]{2}", suffix):
        raise RiskError(f"uncertain variable {name!r}: expected a 2-letter country code such as KZ or TR")
    if what == "currency" and pack is not None and not pack.has_param(suffix, "fx_per_usd"):
        raise RiskError(f"uncertain variable {name!r}: the data pack has no fx_per_usd for {suffix}")
    return kind


def _distribution(name: str, raw: Any, pack: DataPack | None) -> Distribution:
    if not isinstance(raw, dict):
        raise RiskError(f"uncertain variable {name}: expected a mapping with dist and its parameters")
    kind = _kind_of(name, pack)
    dist = raw.get("dist")
    if dist not in DISTS:
        raise RiskError(f"uncertain variable {name}: dist must be one of {', '.join(DISTS)}, got {dist!r}")
    params: dict[str, float] = {}
    for key in DISTS[dist]:
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise RiskError(f"uncertain variable {name}: {dist} needs a number {key!r}, got {value!r}")
        params[key] = float(value)
    extra = set(raw) - {"dist", "source", "assumption", "note", *DISTS[dist]}
    if extra:
        raise RiskError(f"uncertain variable {name}: unknown key(s) {', '.join(sorted(extra))}")
    source = str(raw.get("source") or "").strip()
    assumption = raw.get("assumption", False)
    if not isinstance(assumption, bool):
        raise RiskError(f"uncertain variable {name}: assumption must be true or false")
    if not source and not assumption:
        raise RiskError(f"uncertain variable {name}: give a source (data-pack source id) or assumption: true")
    if pack is not None and source:
        unknown = [s for s in source.split(";") if s.strip() and s.strip() not in pack.source_ids()]
        if unknown:
            raise RiskError(f"uncertain variable {name}: source {unknown[0]!r} is not in the data pack")
    _check_params(name, dist, params)
    d = Distribution(name, kind, dist, params, source, assumption, str(raw.get("note", "")).strip())
    if kind == "factor" and not d.positive():
        raise RiskError(
            f"uncertain variable {name}: a factor must stay positive; use lognormal, or a"
            " triangular/uniform with low > 0"
        )
    return d


def _check_params(name: str, dist: str, p: dict[str, float]) -> None:
    if dist == "lognormal" and (p["median"] <= 0 or p["sigma"] < 0):
        raise RiskError(f"uncertain variable {name}: lognormal needs median > 0 and sigma >= 0")
    if dist == "normal" and p["sd"] < 0:
        raise RiskError(f"uncertain variable {name}: normal needs sd >= 0")
    if dist == "uniform" and not p["low"] <= p["high"]:
        raise RiskError(f"uncertain variable {name}: uniform needs low <= high")
    if dist == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        raise RiskError(f"uncertain variable {name}: triangular needs low <= mode <= high")


def _correlation(raw: Any, names: tuple[str, ...]) -> Array:
    corr = np.eye(len(names))
    if raw is None:
        return corr
    if not isinstance(raw, list):
        raise RiskError("correlations: expected a list of {a, b, rho}")
    index = {n: i for i, n in enumerate(names)}
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not {"a", "b", "rho"} <= set(item):
            raise RiskError(f"correlations[{i}]: expected a mapping with a, b and rho")
        a, b, rho = item["a"], item["b"], item["rho"]
        for v in (a, b):
            if v not in index:
                raise RiskError(f"correlations[{i}]: {v!r} is not a correlated variable ({', '.join(names)})")
        if a == b or isinstance(rho, bool) or not isinstance(rho, int | float) or not -1 < rho < 1:
            raise RiskError(f"correlations[{i}]: need two different variables and -1 < rho < 1")
        corr[index[a], index[b]] = corr[index[b], index[a]] = float(rho)
    if np.linalg.eigvalsh(corr).min() <= 1e-10:
        raise RiskError(
            "correlations: the matrix is not positive definite (the pairs contradict each other);"
            " lower some of the rho values"
        )
    return corr


def load_uncertainty(
    path: str | Path | None = None,
    pack: DataPack | None = None,
) -> Uncertainty:
    """The shipped distributions, with those of the file at ``path`` replacing or adding entries."""
    shipped = _read_yaml(SHIPPED, "uncertainty file")
    variables = dict(shipped.get("variables") or {})
    correlations = shipped.get("correlations")
    if path is not None:
        user = _read_yaml(Path(path), "uncertainty file")
        unknown = set(user) - {"variables", "correlations", "version", "horizon"}
        if unknown:
            raise RiskError(f"uncertainty file {path}: unknown key(s) {', '.join(sorted(unknown))}")
        variables |= user.get("variables") or {}
        if "correlations" in user:
            correlations = user["correlations"]
    dists = {str(k): _distribution(str(k), v, pack) for k, v in variables.items()}
    names = tuple(sorted(k for k in dists if k != "demand"))
    return Uncertainty(dists, _correlation(correlations, names), names)


# -- the model: base inputs of one plan, split so that the draws can act on them ---------------
@dataclass(frozen=True)
class RiskModel:
    """Everything a chunk needs; small and picklable, so Dask ships it once to every worker."""

    site_ids: tuple[str, ...]
    site_names: tuple[str, ...]
    excluded: tuple[str, ...]  # sites with no route to some market at base values
    x: CostInputs  # base inputs, feasible sites only
    freight_by_mode: Array  # (S, M, R, 4) USD per unit, the outbound freight split by mode
    days_by_mode: Array  # (S, M, R, 4)
    material_freight_by_mode: Array  # (S, K, 4)
    site_country: tuple[str, ...]
    demand: Array  # (M,)
    fx: float  # plan currency per USD at the data pack's rate
    currency: str
    uncertainty: Uncertainty


def _by_mode(routes: Mapping[tuple[str, str], Any], pairs: list[tuple[str, str]], attr: str) -> Array:
    """Sum of a leg attribute by mode along each route, (len(pairs), 4); zero where no route."""
    out = np.zeros((len(pairs), len(MODES)))
    for i, pair in enumerate(pairs):
        route = routes.get(pair)
        for leg in route.legs if route is not None else ():
            out[i, MODES.index(leg.mode)] += getattr(leg, attr)
    return out


def _with_residual_on_road(parts: Array, total: Array) -> Array:
    """Put what the legs do not explain (the road connector to the site) on road."""
    parts = parts.copy()
    parts[..., 0] += np.maximum(total - parts.sum(axis=-1), 0.0)
    return parts


def build_model(pre: PlanInputs, uncertainty: Uncertainty) -> RiskModel:
    """Split the plan's base inputs by mode and drop sites that cannot reach every market."""
    x = pre.x
    feasible = np.isfinite(x.freight_usd).all(axis=(1, 2)) & np.isfinite(x.material_freight_usd).all(axis=1)
    if not feasible.any():
        raise RiskError("no site can reach every market; reopen part of the corridor network")
    payload_kg = pre.pack.param("container:teu", "teu_payload").value
    teu_m3 = pre.pack.param("container:teu", "teu_volume").value
    p = pre.profile
    units_per_teu = min(payload_kg / p.unit_weight, teu_m3 / p.unit_volume)
    site_nodes = list(pre.sites["node"])
    market_nodes = [m["node"] for m in pre.markets]
    # a few dozen node pairs: the legs of each route, looped once per plan, not per sample
    outbound = []
    for criterion in ("cost", "time"):
        routes = pre.network.routes(pre.site_nodes, pre.market_nodes, criterion)
        pairs = [(s, m) for s in site_nodes for m in market_nodes]
        cost = _by_mode(routes, pairs, "cost_usd_per_teu") / units_per_teu
        days = _by_mode(routes, pairs, "days")
        outbound.append((cost, days))
    shape = (len(site_nodes), len(market_nodes), 2, len(MODES))
    freight = np.stack([c for c, _ in outbound], axis=1).reshape(shape)
    days = np.stack([d for _, d in outbound], axis=1).reshape(shape)
    freight = _with_residual_on_road(freight, np.where(np.isfinite(x.freight_usd), x.freight_usd, 0.0))
    days = _with_residual_on_road(days, np.where(np.isfinite(x.transit_days), x.transit_days, 0.0))
    material = _material_by_mode(pre, payload_kg)
    material = _with_residual_on_road(
        material, np.where(np.isfinite(x.material_freight_usd), x.material_freight_usd, 0.0)
    )
    keep = np.flatnonzero(feasible)
    sites = pre.sites
    return RiskModel(
        site_ids=tuple(sites["id"].iloc[keep]),
        site_names=tuple(sites["name"].iloc[keep]),
        excluded=tuple(sites["id"][~feasible]),
        x=_take_sites(x, keep),
        freight_by_mode=freight[keep],
        days_by_mode=days[keep],
        material_freight_by_mode=material[keep],
        site_country=tuple(sites["country"].iloc[keep]),
        demand=pre.demand.astype(float),
        fx=float(pre.fx),
        currency=p.currency,
        uncertainty=uncertainty,
    )


def _material_by_mode(pre: PlanInputs, payload_kg: float) -> Array:
    materials = pre.profile.materials
    out = np.zeros((len(pre.sites), len(materials), len(MODES)))
    origins = sorted({m.origin for m in materials if m.origin != "local"})
    if not origins:
        return out
    routes = pre.network.routes(origins, pre.site_nodes, "cost")
    for k, m in enumerate(materials):
        if m.origin == "local":
            continue
        pairs = [(m.origin, node) for node in pre.sites["node"]]
        out[:, k] = _by_mode(routes, pairs, "cost_usd_per_teu") * m.weight / payload_kg
    return out


def _take_sites(x: CostInputs, keep: NDArray[np.intp]) -> CostInputs:
    """The cost inputs of some sites: every array with a site axis first is sliced."""
    site_axis = {
        "wage_usd_per_hour",
        "social_rate",
        "electricity_usd_per_kwh",
        "gas_usd_per_m3",
        "land_usd_per_m2_year",
        "corporate_tax_rate",
        "property_tax_rate",
        "input_duty_share",
        "capex_usd",
        "material_freight_usd",
        "material_duty_rate",
        "freight_usd",
        "transit_days",
        "duty_rate",
        "duty_min_usd",
    }
    changes = {k: np.asarray(getattr(x, k))[keep] for k in site_axis}
    cost = np.asarray(x.material_cost_usd)
    if cost.ndim == 2:
        changes["material_cost_usd"] = cost[keep]
    return replace(x, **changes)


# -- drawing the samples -----------------------------------------------------------------------
def _rng(seed: int, block: int, stream: int) -> np.random.Generator:
    """Counter-based stream: depends on (seed, block, stream) only, never on the chunk layout."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, stream))))


def draw(model: RiskModel, seed: int, block: int, size: int) -> tuple[dict[str, Array], Array]:
    """The draws of one block: ``({variable: (size,)}, demand factors (size, M))``.

    The first ``size`` rows of a block do not depend on ``size`` (each array has its own stream),
    so a run of n samples is a prefix of a run of more.
    """
    u = model.uncertainty
    z = _rng(seed, block, 0).standard_normal((size, len(u.copula_names))) @ u.cholesky.T
    values = {name: u.variables[name].transform(z[:, j]) for j, name in enumerate(u.copula_names)}
    demand = np.ones((size, len(model.demand)))
    if "demand" in u.variables:
        demand = u.variables["demand"].transform(_rng(seed, block, 1).standard_normal(demand.shape))
    return values, demand


def _per_site(
    model: RiskModel, values: dict[str, Array], family: str, keys: tuple[str, ...], n: int
) -> Array:
    """(n, S) factor of a per-country (or per-currency) variable; 1 where none is given."""
    out = np.ones((n, len(keys)))
    for key in set(keys):
        name = f"{family}.{key}"
        if name in values:
            out[:, np.array(keys) == key] = values[name][:, None]
    return out


def _mode_factors(values: dict[str, Array], family: str, n: int) -> Array:
    return np.stack([values.get(f"{family}.{m}", np.ones(n)) for m in MODES], axis=-1)


def sampled_inputs(model: RiskModel, values: dict[str, Array], n: int) -> CostInputs:
    """CostInputs with a leading sample axis: (n, S), (n, S, K), (n, S, M), (n, S, M, R)."""
    x = model.x
    currency = tuple(COUNTRY_CURRENCY.get(c, "USD") for c in model.site_country)
    # local prices and wages are in the site's currency: more units per USD makes them cheaper in USD
    fx_site = _per_site(model, values, "fx", currency, n)
    # nominal local wage growth; floored so that a far tail of a normal cannot make wages negative
    growth = np.maximum(1.0 + _growth(model, values, n), 0.01)
    electricity = _per_site(model, values, "electricity", model.site_country, n)
    gas = _per_site(model, values, "gas", model.site_country, n)
    freight_f = _mode_factors(values, "freight", n)
    transit_f = _mode_factors(values, "transit", n)
    shift = values.get("duty", np.zeros(n)) / 100.0
    eur = values.get("fx.EUR", np.ones(n))
    return replace(
        x,
        wage_usd_per_hour=x.wage_usd_per_hour * growth / fx_site,
        electricity_usd_per_kwh=x.electricity_usd_per_kwh * electricity / fx_site,
        gas_usd_per_m3=x.gas_usd_per_m3 * gas / fx_site,
        freight_usd=np.einsum("smrk,nk->nsmr", model.freight_by_mode, freight_f),
        transit_days=np.einsum("smrk,nk->nsmr", model.days_by_mode, transit_f),
        material_freight_usd=np.einsum("skq,nq->nsk", model.material_freight_by_mode, freight_f),
        # a duty change moves rates that apply; duty-free trade (rate 0) stays free
        duty_rate=_shifted(x.duty_rate, shift),
        material_duty_rate=_shifted(x.material_duty_rate, shift),
        # EAEU specific minimums are in EUR: more EUR per USD makes them smaller in USD
        duty_min_usd=x.duty_min_usd / eur[:, None, None],
    )


def _growth(model: RiskModel, values: dict[str, Array], n: int) -> Array:
    """Wage growth rate per sample and site, (n, S); 0 where the country has no variable."""
    out = np.zeros((n, len(model.site_country)))
    keys = np.array(model.site_country)
    for country in set(model.site_country):
        name = f"wage_growth.{country}"
        if name in values:
            out[:, keys == country] = values[name][:, None]
    return out


def _shifted(rate: Array, shift: Array) -> Array:
    expand = shift.reshape((-1,) + (1,) * np.ndim(rate))
    return np.where(rate > 0, np.maximum(rate + expand, 0.0), 0.0)


def annual_cost(model: RiskModel, x: CostInputs, demand_factor: Array) -> Array:
    """Annual landed cost per sample and site in the plan's currency, (n, S)."""
    per_unit = landed_cost(x).sum(axis=-1)  # (n, S, M)
    # a batched matrix product over markets: much faster than a generic einsum here
    return np.matmul(per_unit, (model.demand * demand_factor)[:, :, None])[..., 0] * model.fx


# -- chunks: the unit of work, on this process or on a Dask worker -----------------------------
@dataclass(frozen=True)
class Chunk:
    """The result of blocks ``first .. first + len(sums) - 1``."""

    first_block: int
    start: int  # first sample
    costs: Array  # (n_chunk, S) annual cost per sample and site
    sums: Array  # (blocks, S) sum of the cost per block
    best: NDArray[np.int64]  # (blocks, S) how often each site was the cheapest
    regret: Array  # (blocks, S) sum of cost minus the sample's cheapest cost


def block_bounds(samples: int, block: int) -> tuple[int, int]:
    start = block * BLOCK
    return start, min(start + BLOCK, samples)


def compute_chunk(model: RiskModel, seed: int, first_block: int, stop_block: int, samples: int) -> Chunk:
    """Draw and evaluate blocks ``first_block .. stop_block - 1`` of a run of ``samples``."""
    values: list[dict[str, Array]] = []
    demand: list[Array] = []
    for b in range(first_block, stop_block):
        lo, hi = block_bounds(samples, b)
        v, d = draw(model, seed, b, hi - lo)
        values.append(v)
        demand.append(d)
    joined = {k: np.concatenate([v[k] for v in values]) for k in values[0]}
    factors = np.concatenate(demand)
    n = len(factors)
    costs = annual_cost(model, sampled_inputs(model, joined, n), factors)
    cheapest = costs.min(axis=1, keepdims=True)
    winner = np.argmin(costs, axis=1)
    n_sites = costs.shape[1]
    sums, best, regret = [], [], []
    offset = 0
    for b in range(first_block, stop_block):
        lo, hi = block_bounds(samples, b)
        rows = slice(offset, offset + hi - lo)
        offset += hi - lo
        sums.append(costs[rows].sum(axis=0))
        best.append(np.bincount(winner[rows], minlength=n_sites))
        regret.append((costs[rows] - cheapest[rows]).sum(axis=0))
    return Chunk(
        first_block,
        first_block * BLOCK,
        costs,
        np.array(sums),
        np.array(best, dtype=np.int64),
        np.array(regret),
    )


def chunk_blocks(model: RiskModel) -> int:
    """Blocks per chunk so that the chunk's cost cube stays near :data:`CHUNK_BYTES`."""
    n_sites, n_markets = model.x.duty_rate.shape
    per_block = BLOCK * n_sites * n_markets * 7 * 8
    return max(1, CHUNK_BYTES // per_block)


class _Sink:
    """Annual cost per sample and site: in memory, or site-major in a temporary file when large.

    The file is written with plain writes (page cache, not this process's memory) so the
    resident size stays bounded however many samples there are.
    """

    def __init__(self, samples: int, sites: int, budget: int = MEMORY_BUDGET) -> None:
        self.samples, self.sites = samples, sites
        self.memory: Array | None = None
        self.file = None
        if samples * sites * 8 <= budget:
            self.memory = np.empty((samples, sites))
        else:
            # closed in close(), called from run()'s finally: the file lives across many writes
            self.file = tempfile.TemporaryFile(prefix="kopru-risk-")  # noqa: SIM115

    def write(self, start: int, costs: Array) -> None:
        if self.memory is not None:
            self.memory[start : start + len(costs)] = costs
            return
        by_site = np.ascontiguousarray(costs.T)
        for s in range(self.sites):
            self.file.seek((s * self.samples + start) * 8)
            self.file.write(by_site[s].tobytes())

    def column(self, site: int) -> Array:
        if self.memory is not None:
            return self.memory[:, site]
        self.file.seek(site * self.samples * 8)
        return np.frombuffer(self.file.read(self.samples * 8), dtype=np.float64)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


# -- statistics --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteRisk:
    id: str
    name: str
    mean: float
    p5: float
    p50: float
    p95: float
    cvar95: float
    p_best: float
    expected_regret: float

    def as_dict(self) -> dict[str, Any]:
        keys = ("id", "mean", "p5", "p50", "p95", "cvar95", "p_best", "expected_regret")
        return {k: getattr(self, k) for k in keys}


@dataclass(frozen=True)
class RiskResult:
    """Per-site statistics of the annual landed cost (plan currency) over ``samples`` draws."""

    samples: int
    seed: int
    currency: str
    sites: list[SiteRisk]
    excluded: tuple[str, ...]
    uncertainty: Uncertainty

    def to_json(self) -> dict[str, Any]:
        return {"samples": self.samples, "seed": self.seed, "sites": [s.as_dict() for s in self.sites]}


def tail_mean(values: Array, share: float = 0.05) -> float:
    """Mean of the costliest ``ceil(share × n)`` values (CVaR): always >= the linear p95."""
    n = len(values)
    k = max(1, math.ceil(round(share * n, 9)))
    top = np.partition(values, n - k)[n - k :]
    return float(top.mean())


def summarize(
    model: RiskModel, chunks_sums: Array, best: NDArray[np.int64], regret: Array, sink: _Sink, seed: int
) -> RiskResult:
    """Combine per-block sums (in block order) and per-site columns into the statistics."""
    n = sink.samples
    mean = chunks_sums.sum(axis=0) / n
    p_best = best.sum(axis=0) / n
    exp_regret = regret.sum(axis=0) / n
    sites = []
    for s, sid in enumerate(model.site_ids):
        col = sink.column(s)
        p5, p50, p95 = (float(q) for q in np.quantile(col, [0.05, 0.5, 0.95]))
        # the k costliest are all >= p95, so their mean is too; max() only absorbs rounding
        cvar = max(tail_mean(col), p95)
        sites.append(
            SiteRisk(
                sid,
                model.site_names[s],
                float(mean[s]),
                p5,
                p50,
                p95,
                cvar,
                float(p_best[s]),
                max(float(exp_regret[s]), 0.0),
            )
        )
    sites.sort(key=lambda r: (r.mean, r.id))
    return RiskResult(n, seed, model.currency, sites, model.excluded, model.uncertainty)


def run(
    model: RiskModel,
    samples: int,
    seed: int,
    blocks_per_chunk: int | None = None,
    client: Any = None,
    progress: Progress | None = None,
    memory_budget: int = MEMORY_BUDGET,
) -> RiskResult:
    """Evaluate ``samples`` draws in chunks, here or on a Dask ``client``; same result either way."""
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise RiskError(f"samples must be a whole number >= 1, got {samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise RiskError(f"seed must be a whole number >= 0, got {seed!r}")
    n_blocks = -(-samples // BLOCK)
    step = blocks_per_chunk or chunk_blocks(model)
    spans = [(b, min(b + step, n_blocks)) for b in range(0, n_blocks, step)]
    n_sites = len(model.site_ids)
    sums = np.zeros((n_blocks, n_sites))
    best = np.zeros((n_blocks, n_sites), dtype=np.int64)
    regret = np.zeros((n_blocks, n_sites))
    sink = _Sink(samples, n_sites, memory_budget)
    done = 0
    try:
        for chunk in _chunks(model, seed, spans, samples, client):
            rows = slice(chunk.first_block, chunk.first_block + len(chunk.sums))
            sums[rows], best[rows], regret[rows] = chunk.sums, chunk.best, chunk.regret
            sink.write(chunk.start, chunk.costs)
            done += len(chunk.costs)
            if progress is not None:
                progress(done, samples)
        return summarize(model, sums, best, regret, sink, seed)
    finally:
        sink.close()


def _chunks(model: RiskModel, seed: int, spans: list[tuple[int, int]], samples: int, client: Any):
    if client is None:
        for first, stop in spans:
            yield compute_chunk(model, seed, first, stop, samples)
        return
    from distributed import as_completed

    shared = client.scatter(model, broadcast=True)
    futures = [client.submit(compute_chunk, shared, seed, a, b, samples, pure=False) for a, b in spans]
    for future in as_completed(futures):
        yield future.result()
        future.release()


def risk(
    profile: Any,
    samples: int = 10_000,
    seed: int = 0,
    overrides: str | Path | dict[str, Any] | None = None,
    disruptions: tuple[str, ...] | list[str] = (),
    uncertainty: str | Path | None = None,
    client: Any = None,
    progress: Progress | None = None,
    blocks_per_chunk: int | None = None,
) -> RiskResult:
    """Monte Carlo risk of every candidate site's annual landed cost for ``profile``."""
    model = _model(profile, overrides, disruptions, uncertainty)
    return run(model, samples, seed, blocks_per_chunk, client, progress)


def first_draws(
    profile: Any,
    samples: int,
    seed: int,
    overrides: str | Path | dict[str, Any] | None = None,
    disruptions: tuple[str, ...] | list[str] = (),
    uncertainty: str | Path | None = None,
    limit: int = 2048,
) -> dict[str, Array]:
    """Annual costs of the first ``min(samples, limit)`` samples of :func:`risk`'s run, per site id.

    Blocks are seeded by their index alone, so blocks 0.. of the same (seed, samples) are exactly
    the first samples of the run: recomputing them (a fraction of a second) is cheaper than keeping
    every sample of a large run. The report draws them as distributions.
    """
    model = _model(profile, overrides, disruptions, uncertainty)
    blocks = -(-min(samples, limit) // BLOCK)
    costs = compute_chunk(model, seed, 0, blocks, samples).costs[:limit]
    return {sid: costs[:, i] for i, sid in enumerate(model.site_ids)}


def _model(
    profile: Any,
    overrides: str | Path | dict[str, Any] | None,
    disruptions: tuple[str, ...] | list[str],
    uncertainty: str | Path | None,
) -> RiskModel:
    """The risk model of a profile (a path, a mapping or a Profile) with the data pack's overrides."""
    from kopru import api
    from kopru.inputs import prepare

    prof = api.load_profile(profile) if isinstance(profile, str | Path) else profile
    if isinstance(profile, dict):
        from kopru.profile import profile_from_dict

        prof = profile_from_dict(profile)
    pack = api.load_data(overrides)
    spec = load_uncertainty(uncertainty, pack)
    return build_model(prepare(prof, pack, tuple(disruptions)), spec)
