"""What is uncertain and how: the distributions of FX, energy, wages, freight, duties and demand.

The shipped distributions are in ``datapack/data/uncertainty.yaml``; a user file in the same format
replaces or adds entries. Each variable names a family and what it applies to (``fx.KZT``,
``electricity.TR``, ``freight.ferry``), a marginal distribution and a source (a data-pack source id)
or ``assumption: true``. Correlations between variables are those of a Gaussian copula.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from kopru import documents
from kopru.borrowing import SITE_INPUTS, UNCERTAINTY
from kopru.errors import RiskError
from kopru.memo import LRU
from kopru.switching import COUNTRY_NAMES, LABELS, SITE_WORDS

if TYPE_CHECKING:  # the worker processes of a run import this module: keep it light
    from kopru.datapack import DataPack

Array = NDArray[np.float64]
Kind = Literal["factor", "rate", "shift"]
SHIPPED = UNCERTAINTY
MODES = ("road", "rail", "ferry", "sea")
# where waiting happens on a route (corridor node handling days): the wait.* variables
WAITS = ("border", "port")
# the parts of a route's days: travel by mode, then waiting by place
DAY_PARTS = (*MODES, *WAITS)
# what a site.* variable may say besides its lognormal: the sigma of values borrowed from elsewhere
# (a national figure, another region's tariff, an estimate) and the share of the variance that
# sites of one region have in common (the same labour market, the same supplier)
SITE_EXTRAS = ("sigma_borrowed", "within_region")

# variable family -> (kind, what the suffix names)
FAMILIES: dict[str, tuple[Kind, str]] = {
    "fx": ("factor", "currency"),
    "electricity": ("factor", "country"),
    "gas": ("factor", "country"),
    "wage_growth": ("rate", "country"),
    "labour_hours": ("factor", "country"),
    "freight": ("factor", "mode"),
    "transit": ("factor", "mode"),
    "wait": ("factor", "place"),
    "vat": ("shift", "country"),
    "duty": ("shift", ""),
    "material": ("factor", ""),
    "demand": ("factor", ""),
    "site": ("factor", "input"),
}
# what each family moves, for the list of inputs a user reads ({} is the variable's suffix)
APPLIES_TO: dict[str, str] = {
    "fx": "{} per USD: the local prices and wages of sites paying in {}",
    "electricity": "electricity price of sites in {} (local currency)",
    "gas": "gas price of sites in {} (local currency)",
    "wage_growth": "nominal wage growth over the year of sites in {}",
    "labour_hours": "direct labour hours a unit takes at sites in {} (the workforce's productivity)",
    "freight": "{} freight rates, outbound and inbound",
    "transit": "days on {} legs (goods in transit carry a cost)",
    "wait": "days waiting at {}s",
    "vat": "VAT of {} (recoverable: it does not move the landed cost)",
    "duty": "every ad valorem duty that applies, in points (duty-free trade stays free)",
    "material": "the purchase price of every bought input at its origin (its freight and duty rate apart)",
    "demand": "units each market buys, drawn independently per market",
    "site": "each site's own {} beyond its country's, drawn per site",
}
FX_EUR = "EUR per USD: the EAEU's specific minimum duties, quoted in EUR"
NEUTRAL = {"factor": 1.0, "rate": 0.0, "shift": 0.0}  # a variable's value at the data pack's figure

DISTS: dict[str, tuple[str, ...]] = {
    "lognormal": ("median", "sigma"),
    "normal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "fixed": ("value",),
}


def _percent(share: float) -> str:
    """0.15 -> '15%', 0.035 -> '3.5%'."""
    return f"{share * 100:.3g}%"


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

    def site_factor(self, z: Array, borrowed: NDArray[np.bool_], out: Array | None = None) -> Array:
        """A site.* factor per sample and site, (n, S), from standard normals ``z`` of that shape;
        sites whose value is borrowed from elsewhere get the wider ``sigma_borrowed``. ``out``
        (may be ``z``) receives it, with the same values as a new array."""
        p = self.params
        out = np.empty_like(z) if out is None else out
        if self.dist == "fixed":
            out[...] = p["value"]
            return out
        sigma = np.where(borrowed, p.get("sigma_borrowed", p["sigma"]), p["sigma"])
        np.multiply(sigma, z, out=out)
        np.exp(out, out=out)
        np.multiply(p["median"], out, out=out)
        return out

    @property
    def median(self) -> float:
        """The value drawn at the copula's median (z = 0)."""
        return float(self.transform(np.zeros(1))[0])

    @property
    def mean(self) -> float:
        """The expected value (of a site.* factor: for a site whose value is its own region's)."""
        p = self.params
        if self.dist == "lognormal":
            return p["median"] * math.exp(p["sigma"] ** 2 / 2)
        if self.dist == "normal":
            return p["mean"]
        if self.dist == "triangular":
            return (p["low"] + p["mode"] + p["high"]) / 3
        if self.dist == "uniform":
            return (p["low"] + p["high"]) / 2
        return p["value"]

    def site_mean(self, borrowed: NDArray[np.bool_]) -> Array:
        """The expected site.* factor per site: a lognormal's exp(sigma^2 / 2) with each site's sigma."""
        p = self.params
        if self.dist == "fixed":
            return np.full(borrowed.shape, p["value"])
        sigma = np.where(borrowed, p.get("sigma_borrowed", p["sigma"]), p["sigma"])
        return p["median"] * np.exp(sigma**2 / 2)

    @property
    def applies_to(self) -> str:
        family, _, suffix = self.name.partition(".")
        if self.name == "fx.EUR":
            return FX_EUR
        word = SITE_WORDS[suffix] if family == "site" else COUNTRY_NAMES.get(suffix, suffix)
        return APPLIES_TO[family].format(word, word)

    @property
    def label(self) -> str:
        """The variable in a sentence, with its mean: 'wage growth in Kazakhstan +10 %'."""
        family, _, suffix = self.name.partition(".")
        word = SITE_WORDS[suffix] if family == "site" else COUNTRY_NAMES.get(suffix, suffix)
        label = LABELS[family].format(word)
        if self.kind == "rate":
            return f"{label} {self.mean:+.0%}"
        if self.kind == "shift":
            return f"{label} {self.mean:+.2g} points"
        return f"{label} ×{self.mean:.4g}"

    @property
    def spread(self) -> str:
        """The distribution's width in words: a lognormal's sigma, a normal's sd, a range."""
        p = self.params
        if self.dist == "lognormal":
            text = f"log-σ {_percent(p['sigma'])}"
            if "sigma_borrowed" in p:
                text += f", {_percent(p['sigma_borrowed'])} where the value is borrowed"
            if "within_region" in p:
                text += f"; {p['within_region']:.0%} of it shared by a region's sites"
            return text
        if self.dist == "normal":
            return f"sd {p['sd']:.3g}"
        if self.dist == "triangular":
            return f"{p['low']:g} to {p['high']:g}, most likely {p['mode']:g}"
        if self.dist == "uniform":
            return f"{p['low']:g} to {p['high']:g}"
        return "fixed"

    def describe(self) -> dict[str, Any]:
        """The variable as a user reads it: what it moves, its median, mean, spread and source."""
        return {
            "name": self.name,
            "applies_to": self.applies_to,
            "dist": self.dist,
            "params": dict(self.params),
            "median": self.median,
            "mean": self.mean,
            "spread": self.spread,
            "source": self.source or None,
            "assumption": self.assumption,
            "note": self.note or None,
        }

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
    copula_names: tuple[str, ...]  # every variable but demand and site.* (drawn per market or site)
    horizon: str = ""  # when the draws are for, relative to the data pack's values (uncertainty.yaml)

    @property
    def site_names(self) -> tuple[str, ...]:
        """The site-level variables, drawn per site (partly shared within a region), sorted."""
        return tuple(sorted(k for k in self.variables if k.startswith("site.")))

    @property
    def cholesky(self) -> Array:
        return np.linalg.cholesky(self.correlation)

    def describe(self) -> list[dict[str, Any]]:
        """Every variable as :meth:`Distribution.describe` gives it, with the variables its copula
        normal is correlated with, by name."""
        rows = []
        for name in sorted(self.variables):
            row = self.variables[name].describe()
            if name in self.copula_names:
                i = self.copula_names.index(name)
                row["correlated_with"] = {
                    other: float(self.correlation[i, j])
                    for j, other in enumerate(self.copula_names)
                    if j != i and self.correlation[i, j] != 0
                }
            rows.append(row)
        return rows

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
    data = documents.read_document(path, what, error=RiskError, fmt="yaml")
    if not isinstance(data, dict):
        raise RiskError(f"{what} {path} must be a mapping with 'variables' (and 'correlations')", file=path)
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
    if what == "input" and suffix not in SITE_INPUTS:
        raise RiskError(
            f"uncertain variable {name!r}: the site input must be one of {', '.join(SITE_INPUTS)}"
        )
    if what == "place" and suffix not in WAITS:
        raise RiskError(f"uncertain variable {name!r}: the place must be one of {', '.join(WAITS)}")
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
    site = name.startswith("site.")
    if site and dist not in ("lognormal", "fixed"):
        raise RiskError(f"uncertain variable {name}: a site factor is lognormal (or fixed), got {dist!r}")
    extras = SITE_EXTRAS if site and dist == "lognormal" else ()
    params: dict[str, float] = {}
    for key in (*DISTS[dist], *(k for k in extras if k in raw)):
        value = _number(raw.get(key))
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise RiskError(f"uncertain variable {name}: {dist} needs a number {key!r}, got {value!r}")
        params[key] = float(value)
    extra = set(raw) - {"dist", "source", "assumption", "note", *DISTS[dist], *extras}
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
    _check_range(name, kind, dist, params)
    d = Distribution(name, kind, dist, params, source, assumption, str(raw.get("note", "")).strip())
    if kind == "factor" and not d.positive():
        raise RiskError(
            f"uncertain variable {name}: a factor must stay positive; use lognormal, or a"
            " triangular/uniform with low > 0"
        )
    return d


def _number(value: Any) -> Any:
    """YAML 1.1 reads 1e300 (no dot) as text: such a string is the number it spells."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


# what a draw of each kind may be: a factor of the data pack's value, a growth rate (a fraction a
# year) or a shift in percentage points; beyond these the arithmetic overflows (a lognormal sigma
# of 50) or means nothing (wage growth of 1e300), so the file is refused when it is read
RANGES: dict[str, tuple[float, float, str]] = {
    "factor": (0.0, 1000.0, "a factor of the data pack's value, above 0 and at most 1,000"),
    "rate": (-1.0, 10.0, "a rate a year, from -1 (-100 %) to 10 (+1,000 %)"),
    "shift": (-100.0, 100.0, "a shift in percentage points, from -100 to 100"),
}
MAX_SIGMA = 2.0  # a lognormal's sigma: one standard deviation is a factor of e^2 = 7.4


def _check_range(name: str, kind: str, dist: str, p: dict[str, float]) -> None:
    low, high, what = RANGES[kind]
    if dist == "lognormal":
        sigmas = [p["sigma"], p.get("sigma_borrowed", 0.0)]
        if max(sigmas) > MAX_SIGMA:
            raise RiskError(
                f"uncertain variable {name}: lognormal sigma must be at most {MAX_SIGMA:g} (a factor"
                f" of e^{MAX_SIGMA:g} = {math.exp(MAX_SIGMA):.1f} at one standard deviation),"
                f" got {max(sigmas):g}"
            )
        values = [p["median"]]
    elif dist == "normal":
        values = [p["mean"]]
        if p["sd"] > high - low:
            raise RiskError(f"uncertain variable {name}: normal sd must be at most {high - low:g} ({what})")
    else:
        values = [p[k] for k in DISTS[dist]]
    outside = [v for v in values if not low <= v <= high]
    if outside:
        raise RiskError(f"uncertain variable {name}: {outside[0]:g} is out of range; expected {what}")


def _check_params(name: str, dist: str, p: dict[str, float]) -> None:
    if dist == "lognormal" and (p["median"] <= 0 or p["sigma"] < 0 or p.get("sigma_borrowed", 0) < 0):
        raise RiskError(f"uncertain variable {name}: lognormal needs median > 0 and sigma >= 0")
    if not 0 <= p.get("within_region", 0) <= 1:
        raise RiskError(f"uncertain variable {name}: within_region is a share of the variance, 0 to 1")
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
    seen: dict[frozenset[str], int] = {}  # each pair once: a second rho would win silently (a CLI review)
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not {"a", "b", "rho"} <= set(item):
            raise RiskError(f"correlations[{i}]: expected a mapping with a, b and rho")
        a, b, rho = item["a"], item["b"], item["rho"]
        for v in (a, b):
            if str(v).startswith("site."):
                raise RiskError(
                    f"correlations[{i}]: {v} is drawn per site; give it within_region (the share"
                    " sites of one region have in common) instead of a correlation"
                )
            if v not in index:
                raise RiskError(f"correlations[{i}]: {v!r} is not a correlated variable ({', '.join(names)})")
        if a == b or isinstance(rho, bool) or not isinstance(rho, int | float) or not -1 < rho < 1:
            raise RiskError(f"correlations[{i}]: need two different variables and -1 < rho < 1")
        pair = frozenset((a, b))
        if pair in seen:
            raise RiskError(
                f"correlations[{i}]: the pair {a}, {b} is given in correlations[{seen[pair]}] too; keep one"
            )
        seen[pair] = i
        corr[index[a], index[b]] = corr[index[b], index[a]] = float(rho)
    if np.linalg.eigvalsh(corr).min() <= 1e-10:
        raise RiskError(
            "correlations: the matrix is not positive definite (the pairs contradict each other);"
            " lower some of the rho values"
        )
    return corr


_SHIPPED: LRU[Uncertainty] = LRU(8)


def shipped_uncertainty(pack: DataPack) -> Uncertainty:
    """The shipped distributions checked against ``pack``, read once per data pack and overrides
    (every plan's switching values use them)."""
    return _SHIPPED.get((pack.version, pack.overrides), lambda: load_uncertainty(None, pack))


def load_uncertainty(
    path: str | Path | None = None,
    pack: DataPack | None = None,
) -> Uncertainty:
    """The shipped distributions, with those of the file at ``path`` replacing or adding entries."""
    shipped = documents.shipped_yaml(SHIPPED)  # package data, checked below
    variables = dict(shipped.get("variables") or {})
    correlations = shipped.get("correlations")
    horizon = str(shipped.get("horizon") or "")
    if path is not None:
        user = _read_yaml(Path(path), "uncertainty file")
        unknown = set(user) - {"variables", "correlations", "version", "horizon"}
        if unknown:
            raise RiskError(f"uncertainty file {path}: unknown key(s) {', '.join(sorted(unknown))}")
        variables |= user.get("variables") or {}
        if "correlations" in user:
            correlations = user["correlations"]
        if "horizon" in user:
            horizon = str(user["horizon"] or "")
    dists = {str(k): _distribution(str(k), v, pack) for k, v in variables.items()}
    names = tuple(sorted(k for k in dists if k != "demand" and not k.startswith("site.")))
    return Uncertainty(dists, _correlation(correlations, names), names, horizon)
