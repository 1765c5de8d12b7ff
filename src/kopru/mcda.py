"""Ranking sites on more than cost: TOPSIS, VIKOR, PROMETHEE II and AHP weights.

The methods are plain array functions over a decision matrix ``X`` (alternatives × criteria),
weights ``w`` (summing to 1) and a boolean ``benefit`` per criterion (more is better).
:func:`rank_sites` builds the matrix for a profile from the plan (annual cost and the appraisal's
NPV), the risk engine (the cost's tail) and the data pack (distance to the markets, border
crossings and ferry legs on the routes, and the distance along the corridor network to a seaport;
see ``datapack/data/criteria.yaml`` for each one's unit, direction and source).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kopru import documents
from kopru.datapack import DataPack
from kopru.errors import RankError
from kopru.geo import haversine_km
from kopru.provenance import RunInputs
from kopru.units import brief, finite_number

__all__ = [
    "CRITERIA",
    "RANDOM_INDEX",
    "RankResult",
    "ahp_weights",
    "criteria_info",
    "criteria_table",
    "promethee2",
    "rank_sites",
    "read_weights",
    "topsis",
    "vikor",
]

Array = NDArray[np.float64]
Method = Literal["topsis", "vikor", "promethee2"]
CRITERIA_FILE = resources.files("kopru") / "datapack" / "data" / "criteria.yaml"
CRITERIA = ("cost", "risk", "npv", "distance", "crossings", "port_access")
# Saaty's random consistency index by matrix size (Saaty 1980, Table 1.7 of "The Analytic Hierarchy Process")
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
MAX_CR = 0.10
COLLINEAR = 0.95  # |Pearson r| across the sites from which two criteria measure one thing twice
WEIGHT_SUM_TOLERANCE = 1e-6  # a weights file summing to 1 within this is taken as meant to

# how each method scales the criteria and what it measures a site against: a score means nothing
# without them (the operations review: TOPSIS with min-max instead of vector normalisation moved a
# seaport SEZ from 2nd to 8th)
METHODS: dict[str, dict[str, str]] = {
    "topsis": {
        "normalisation": "vector",
        "reference": "ideal and anti-ideal: the best and the worst weighted value of each criterion among"
        " the sites ranked",
        "text": "TOPSIS (Hwang and Yoon 1981): each criterion divided by the square root of its sum of"
        " squares over the sites (vector normalisation), then weighted; the score is the distance to the"
        " anti-ideal over the sum of the distances to the ideal and the anti-ideal (the best and the worst"
        " weighted value of each criterion among these sites), so it moves when sites are added or left"
        " out; higher is better",
    },
    "vikor": {
        "normalisation": "linear (min-max)",
        "reference": "the best and the worst value of each criterion among the sites ranked",
        "text": "VIKOR (Opricovic 1998), v = 0.5: each criterion's gap to the best site as a share of the"
        " range between the best and the worst site (min-max normalisation), weighted; Q averages the"
        " sum of the weighted gaps and the largest one, each rescaled over the sites; lower is better",
    },
    "promethee2": {
        "normalisation": "none (pairwise differences)",
        "reference": "every other site, pair by pair",
        "text": "PROMETHEE II (Brans and Vincke 1985), usual criterion: in each pair of sites a criterion"
        " gives its whole weight to the better one however small the difference (no normalisation, no"
        " indifference threshold); the score is the net outranking flow; higher is better",
    },
}


# -- methods -------------------------------------------------------------------------------------
def _oriented(matrix: Array, benefit: NDArray[np.bool_]) -> Array:
    """Flip cost criteria so that more is better everywhere (the methods' shared first step)."""
    return np.where(benefit, matrix, -matrix)


# Each method scores the rows (sites) of a matrix (N, C) at weights (C,), or at once a stack of
# matrices (..., N, C) at a stack of weights (..., C), broadcast: a ranking's robustness checks score
# a thousand resamples or two hundred weights a criterion in one call, not one call each.


def topsis(matrix: Array, weights: Array, benefit: NDArray[np.bool_]) -> Array:
    """Relative closeness to the ideal (Hwang and Yoon 1981), vector normalisation; higher is better."""
    x = np.asarray(matrix, float)
    norm = np.sqrt((x**2).sum(axis=-2, keepdims=True))
    v = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0) * _stacked(weights)
    top, bottom = v.max(axis=-2, keepdims=True), v.min(axis=-2, keepdims=True)
    best, worst = np.where(benefit, top, bottom), np.where(benefit, bottom, top)
    d_best = np.sqrt(((v - best) ** 2).sum(axis=-1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=-1))
    total = d_best + d_worst
    # every alternative equal on every criterion: all are as close to the ideal as can be
    return np.divide(d_worst, total, out=np.full_like(total, 0.5), where=total > 0)


def _stacked(weights: Array) -> Array:
    """Weights (..., C) as (..., 1, C): one row of weights for every site of its matrix."""
    return np.asarray(weights, float)[..., None, :]


def vikor(matrix: Array, weights: Array, benefit: NDArray[np.bool_], v: float = 0.5) -> Array:
    """VIKOR's Q (Opricovic 1998); lower is better. A criterion equal for all sites weighs nothing."""
    f = _oriented(np.asarray(matrix, float), benefit)
    f_star, f_minus = f.max(axis=-2, keepdims=True), f.min(axis=-2, keepdims=True)
    span = f_star - f_minus
    gap = np.divide(f_star - f, span, out=np.zeros_like(f), where=span > 0) * _stacked(weights)
    s, r = gap.sum(axis=-1), gap.max(axis=-1)

    def scaled(a: Array) -> Array:
        low = a.min(axis=-1, keepdims=True)
        width = a.max(axis=-1, keepdims=True) - low
        return np.divide(a - low, width, out=np.zeros_like(a), where=width > 0)

    return v * scaled(s) + (1 - v) * scaled(r)


def promethee2(matrix: Array, weights: Array, benefit: NDArray[np.bool_]) -> Array:
    """Net outranking flow of PROMETHEE II (Brans and Vincke 1985), usual criterion; higher is better."""
    f = _oriented(np.asarray(matrix, float), benefit)
    n = f.shape[-2]
    w = np.asarray(weights, float)
    if n < 2:
        return np.zeros((*np.broadcast_shapes(f.shape[:-2], w.shape[:-1]), n))
    preferred = (f[..., :, None, :] - f[..., None, :, :]) > 0  # (a, b, criterion): a strictly better than b
    pi = (preferred * w[..., None, None, :]).sum(axis=-1)
    return (pi.sum(axis=-1) - pi.sum(axis=-2)) / (n - 1)


def ahp_weights(pairwise: Array) -> tuple[Array, float]:
    """Weights (principal eigenvector) and Saaty's consistency ratio of a pairwise matrix."""
    a = np.asarray(pairwise, float)
    n = a.shape[0]
    if a.ndim != 2 or a.shape != (n, n) or n < 1:
        raise RankError(f"AHP matrix must be square, got shape {a.shape}")
    # 0.111 for 1/9 is on the scale, as 0.333 is reciprocal enough for 1/3 (1 %)
    if not np.isfinite(a).all() or (a < 0.99 / 9).any() or (a > 9 * 1.01).any():
        raise RankError("AHP matrix entries must be numbers from 1/9 to 9 (Saaty's scale)")
    # 0.333 for 1/3 is reciprocal enough (1 %); the matrix is then made exactly so from its upper half
    if not np.allclose(np.diag(a), 1.0) or not np.allclose(a * a.T, 1.0, rtol=0.01):
        raise RankError(
            "AHP matrix must be reciprocal: a[j][i] = 1 / a[i][j] (write 1/3 or 0.333) and a[i][i] = 1"
        )
    upper = np.triu(a, 1)
    a = upper + np.tril(1.0 / a.T, -1) + np.eye(n)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    w /= w.sum()
    if n <= 2:
        return w, 0.0
    ci = (values[k].real - n) / (n - 1)
    ri = RANDOM_INDEX.get(n, 1.49)
    return w, max(float(ci / ri), 0.0)


# -- weights -------------------------------------------------------------------------------------
def _criteria_spec() -> dict[str, Any]:
    data = documents.shipped_yaml(CRITERIA_FILE)
    missing = set(CRITERIA) - set(data.get("criteria", {}))
    if missing:
        raise RankError(f"criteria.yaml lacks {', '.join(sorted(missing))}")
    return data


@dataclass(frozen=True)
class Weights:
    """Weights by criterion (summing to 1), the AHP consistency ratio when a matrix gave them, and
    a note when the file's weights were rescaled to sum to 1."""

    weights: dict[str, float]
    consistency_ratio: float | None = None
    note: str | None = None


def read_weights(path: str | Path | Mapping[str, Any] | None) -> tuple[dict[str, float], float | None]:
    """Weights by criterion (summing to 1) and the AHP consistency ratio when a matrix was given."""
    w = load_weights(path)
    return w.weights, w.consistency_ratio


def load_weights(path: str | Path | Mapping[str, Any] | None) -> Weights:
    """:func:`read_weights`, with a note when the weights given do not sum to 1 and were rescaled;
    ``path`` a YAML file, or its content as a mapping ({criterion: w} alone will do)."""
    if path is None:
        return _normalised(_criteria_spec()["weights"], "criteria.yaml")
    if isinstance(path, Mapping):
        data: Any = dict(path) if {"weights", "ahp"} & set(path) else {"weights": dict(path)}
        path = "weights"  # what the messages name (a mapping has no file name)
    else:
        path = Path(path)
        data = documents.read_document(path, "weights file", error=RankError, fmt="yaml")
    if not isinstance(data, dict) or not ({"weights", "ahp"} & set(data)):
        raise RankError(
            f"weights file {path}: expected 'weights: {{criterion: w}}' or 'ahp: {{criteria, matrix}}'"
        )
    if "weights" in data and "ahp" in data:
        raise RankError(f"weights file {path}: give either 'weights' or 'ahp', not both")
    if "weights" in data:
        return _normalised(data["weights"], str(path))
    ahp = data["ahp"]
    if not isinstance(ahp, dict) or "criteria" not in ahp or "matrix" not in ahp:
        raise RankError(f"weights file {path}: ahp needs 'criteria' (a list) and 'matrix' (rows)")
    names = [str(c) for c in ahp["criteria"]]
    _known(names, str(path))
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise RankError(f"weights file {path}: ahp criteria list {twice[0]!r} twice; name each once")
    try:
        matrix = np.array([[_ratio(x) for x in row] for row in ahp["matrix"]], dtype=float)
    except (TypeError, ValueError, ZeroDivisionError):
        raise RankError(f"weights file {path}: ahp matrix must be rows of numbers (3, 0.5 or 1/3)") from None
    if matrix.shape != (len(names), len(names)):
        raise RankError(
            f"weights file {path}: ahp matrix must be {len(names)} × {len(names)}, got {matrix.shape}"
        )
    w, cr = ahp_weights(matrix)
    if cr > MAX_CR:
        raise RankError(
            f"weights file {path}: the AHP matrix is inconsistent (consistency ratio {cr:.3f} > {MAX_CR});"
            " revise the comparisons that contradict each other (if A > B and B > C, then A > C)"
        )
    return Weights(dict(zip(names, (float(x) for x in w), strict=True)), cr)


def _ratio(x: Any) -> float:
    """An AHP entry: a number, or a fraction written as text ('1/3')."""
    if isinstance(x, str):
        return float(Fraction(x.strip()))
    if isinstance(x, bool):
        raise TypeError("a comparison is a number")
    return float(x)


def _known(names: list[str], where: str) -> None:
    unknown = [n for n in names if n not in CRITERIA]
    if unknown:
        raise RankError(f"{where}: unknown criterion {unknown[0]!r}; criteria are {', '.join(CRITERIA)}")


def _normalised(raw: Any, where: str) -> Weights:
    if isinstance(raw, dict) and not raw:  # a CLI review: {} was told it must be a mapping
        raise RankError(
            f"{where}: weights is empty; give at least one criterion: weight ({', '.join(CRITERIA)})"
        )
    if not isinstance(raw, dict):
        raise RankError(f"{where}: weights must be a mapping criterion: weight")
    _known([str(k) for k in raw], where)
    for k, v in raw.items():
        if not finite_number(v) or v < 0:
            raise RankError(f"{where}: weight of {k} must be a finite number >= 0, got {brief(v)}")
    total = float(sum(float(v) for v in raw.values()))  # inf when they overflow (fsum would raise)
    if not math.isfinite(total):
        raise RankError(f"{where}: weights are too large to add up; use shares such as 0.5 and 0.3")
    if total <= 0:
        raise RankError(f"{where}: weights must not all be zero")
    weights = {str(k): float(v) / total for k, v in raw.items()}
    note = None
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        # a typo in one weight changes every other: say what was used
        shares = ", ".join(f"{k} {v:.3f}" for k, v in weights.items())
        note = f"weights in {where} sum to {total:.4g}, not 1: rescaled to {shares}"
    return Weights(weights, None, note)


# -- the criteria of a plan ----------------------------------------------------------------------
def criteria_table(plan: Any, risk_result: Any, pack: Any) -> pd.DataFrame:
    """Sites × criteria for the sites that can serve every market."""
    tail = {s.id: tail_of(s) for s in risk_result.sites}
    sites = [s for s in plan.sites if s.landed_cost.total is not None and s.id in tail]
    demand = np.array([m["demand"] for m in plan.markets], float)
    share = demand / demand.sum()
    m_lat = np.array([float(pack.markets.at[m["id"], "lat"]) for m in plan.markets])
    m_lon = np.array([float(pack.markets.at[m["id"], "lon"]) for m in plan.markets])
    lat = np.array([s.lat for s in sites])
    lon = np.array([s.lon for s in sites])
    distance = haversine_km(lat[:, None], lon[:, None], m_lat[None, :], m_lon[None, :]) @ share
    port_km = _port_access(pack, plan, [s.node for s in sites])
    rows = []
    for i, s in enumerate(sites):
        rows.append(
            {
                "id": s.id,
                "cost": s.landed_cost.total,
                "risk": tail[s.id],
                "npv": s.appraisal.npv if s.appraisal and s.appraisal.npv is not None else np.nan,
                "distance": distance[i],
                "crossings": _crossings(plan, pack, s, share),
                "port_access": port_km[i],
            }
        )
    return pd.DataFrame(rows).set_index("id")


def tail_of(site: Any) -> float:
    """A site's cost tail, (CVaR95 - mean) / mean, of its cost per unit sold where the run has it:
    the annual cost's tail is mostly the units each draw sells, the same at every site."""
    unit = site.per_unit
    if unit is not None and unit.cvar95 is not None:
        return (unit.cvar95 - unit.mean) / unit.mean
    return (site.cvar95 - site.mean) / site.mean


def route_crossings(pack: Any, legs: list[dict[str, Any]]) -> int:
    """The borders a route crosses (each change of country from one node to the next, by land or
    by sea) and its ferry legs. A CLI review: counting border nodes missed every crossing by sea
    (Samsun to Novorossiysk) and land borders with no node of their own (Turkmenistan-Uzbekistan)."""
    if not legs:
        return 0
    country = pack.nodes["country"]
    path = [legs[0]["from"], *(leg["to"] for leg in legs)]
    countries = [country.get(n) for n in path]
    changes = sum(a != b for a, b in itertools.pairwise(countries))
    return changes + sum(leg["mode"] == "ferry" for leg in legs)


def _crossings(plan: Any, pack: Any, site: Any, share: Array) -> float:
    """Borders crossed and ferry legs on the cheapest route to each market, weighted by demand."""
    counts = []
    for m in plan.markets:
        route = plan.routes.get(f"{site.node}>{m['node']}:cost")
        counts.append(route_crossings(pack, route.legs if route is not None else []))
    return float(np.dot(counts, share))


def _port_access(pack: Any, plan: Any, nodes: list[str]) -> Array:
    """Km along the corridor network (as the plan left it open) from each node to its nearest port."""
    from kopru.corridors import Network

    ports = tuple(pack.nodes.index[pack.nodes["kind"] == "port"])
    if not nodes or not ports:
        return np.full(len(nodes), np.nan)
    lanes = Network(pack, tuple(plan.disruptions)).lanes(sorted(set(nodes)), ports, "distance")
    nearest = dict(zip(lanes.origins, lanes.distance_km.min(axis=1), strict=True))
    return np.array([nearest[n] for n in nodes])


# -- ranking -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RankResult:
    method: str
    weights: dict[str, float]
    consistency_ratio: float | None
    table: pd.DataFrame  # sites × criteria, with score and rank
    higher_is_better: bool
    names: dict[str, str] = field(default_factory=dict)  # site id -> the name a person reads
    currency: str = ""
    warnings: tuple[str, ...] = ()  # about the inputs: weights rescaled
    collinear: tuple[Collinear, ...] = ()  # weighted criteria that tell the sites apart alike
    assumed: dict[str, str] = field(default_factory=dict)  # criterion -> what it assumes
    # each weight's range over which the #1 stays first (the others rescaled in proportion)
    stability: tuple[WeightRange, ...] = ()
    # how often the #1 stays first within the cost tail's Monte Carlo error (None: risk unweighted)
    sampling: SamplingStability | None = None
    # the risk criterion's draws, and what the plan and the draws were computed from (kopru.rank)
    samples: int = 0
    seed: int = 0
    inputs: RunInputs | None = None

    @property
    def first(self) -> str:
        return str(self.table["rank"].idxmin())

    def to_frame(self) -> pd.DataFrame:
        """The ranking as a table a person reads: sites by rank, with their names first, then the
        criteria, the score and the rank (``table`` is the same, by id, unordered)."""
        frame = self.table.sort_values(["rank"]).copy()
        frame.insert(0, "name", [self.names.get(str(sid), str(sid)) for sid in frame.index])
        return frame

    @property
    def cheapest(self) -> str:
        """The site of the lowest annual cost, ties broken by id (the plan's order)."""
        cost = self.table["cost"]
        return str(min(cost.index, key=lambda sid: (cost[sid], sid)))

    def cheapest_note(self) -> str | None:
        """When the ranking's #1 is not the cheapest site: both, and what the #1 costs more."""
        first, cheapest = self.first, self.cheapest
        if first == cheapest:
            return None
        t = self.table
        gap = float(t.at[first, "cost"] - t.at[cheapest, "cost"])
        money = f"{gap:,.0f} {self.currency}".strip()
        return (
            f"{self.method.upper()}'s #1, {self.names.get(first, first)}, costs {money} a year"
            f" ({gap / t.at[cheapest, 'cost']:.1%}) more than the cheapest site,"
            f" {self.names.get(cheapest, cheapest)} (#{int(t.at[cheapest, 'rank'])} here): the other"
            " criteria outweigh that gap at these weights"
        )

    def notes(self) -> list[str]:
        """What a reader must know to read the scores: method, #1 against the cheapest, criteria
        counted twice, criteria resting on assumptions."""
        info = criteria_info()
        texts = [f"{METHODS[self.method]['text']}."]
        cheapest = self.cheapest_note()
        if cheapest:
            texts.append(cheapest + ".")
        texts += [c.text(info) for c in self.collinear]
        texts += [f"{info[c]['label']} ({c}): {why}." for c, why in self.assumed.items()]
        stability = self.stability_text()
        texts += [stability] if stability else []
        return texts + ([self.sampling.text(self.first, self.names)] if self.sampling else [])

    def as_dict(self) -> dict[str, Any]:
        """``kopru rank --json``: method (with its normalisation and reference points), weights,
        consistency ratio, the cheapest site against the #1, collinear criteria, assumptions,
        warnings and the sites by rank."""
        rows = []
        for sid, r in self.table.sort_values("rank").iterrows():
            rows.append(
                {
                    "id": sid,
                    "name": self.names.get(sid, sid),
                    "rank": int(r["rank"]),
                    "score": float(r["score"]),
                    "criteria": {c: _finite(r[c]) for c in CRITERIA},
                }
            )
        cheapest = self.cheapest
        t = self.table
        return {
            "method": self.method,
            "method_notes": METHODS[self.method],
            "weights": self.weights,
            "consistency_ratio": self.consistency_ratio,
            "higher_is_better": self.higher_is_better,
            "criteria": criteria_info(),
            "cheapest": {
                "id": cheapest,
                "name": self.names.get(cheapest, cheapest),
                "rank": int(t.at[cheapest, "rank"]),
                "cost": float(t.at[cheapest, "cost"]),
                "first_costs_more_by": float(t.at[self.first, "cost"] - t.at[cheapest, "cost"]),
            },
            "collinear": [c.as_dict() for c in self.collinear],
            "assumptions": self.assumed,
            "warnings": list(self.warnings),
            "notes": self.notes(),
            "weight_stability": [r.as_dict() for r in self.stability],
            "sampling_stability": self.sampling.as_dict() if self.sampling else None,
            "sites": rows,
        }

    def stability_text(self) -> str | None:
        """Each weight's range over which the #1 stays first, in one sentence."""
        if not self.stability:
            return None
        info = criteria_info()
        first = self.names.get(self.first, self.first)
        ranges = "; ".join(r.text(info[r.criterion]["label"], self.names) for r in self.stability)
        return (
            f"{first} stays first while each weight alone (the others rescaled in proportion) stays in"
            f" its range: {ranges}."
        )


# resamples of the cost tail's batches: their own noise is under 1.6 points of the share; the larger
# error is the spread's, estimated from 10 to 40 batches (a verdict near 95 % can go either way)
SAMPLING_REPLICATES = 1000
SAMPLING_HOLDS = 0.95  # below this share the #1 rests on the draws, and rank says to draw more


@dataclass(frozen=True)
class SamplingStability:
    """How often the ranking's #1 stays first when the cost tail (the risk criterion, a Monte Carlo
    estimate) moves within its sampling error: the batches of draws resampled (a bootstrap of batch
    means, every site's batch from the same draws, so their errors move together as they do)."""

    samples: int  # the run's draws
    batches: int  # 0: too few draws for batches, nothing resampled
    replicates: int
    holds: float | None  # share of the resamples in which the #1 stays first
    instead: dict[str, float]  # site id -> share of the resamples in which it comes first instead
    covered: int = 0  # the first draws the batches cover (all of them up to TAIL_DRAWS)
    missing: bool = False  # the risk run lacks some ranked site's cost per unit: nothing resampled

    def text(self, first: str, names: dict[str, str]) -> str:
        if self.missing:
            return (
                "The cost tail's Monte Carlo error is not gauged: the risk run lacks some sites' cost per"
                " unit sold (rank with kopru.rank, or a risk run with per_unit=True)."
            )
        if self.holds is None:
            from kopru.montecarlo.statistics import MIN_BATCH, MIN_BATCHES  # numba: only when said

            return (
                f"The cost tail is a Monte Carlo estimate over {self.samples:,} draws, too few to gauge its"
                f" error ({MIN_BATCHES} batches of {MIN_BATCH} draws need {MIN_BATCHES * MIN_BATCH:,}):"
                " rank with more --samples before reading the top order."
            )
        of = f"the first {self.covered:,} draws" if 0 < self.covered < self.samples else "the draws"
        head = (
            f"The cost tail is a Monte Carlo estimate over {self.samples:,} draws: within its error"
            f" ({self.replicates:,} resamples of {self.batches} batches of {of})"
            f" {names.get(first, first)} stays first in"
            f" {'every one' if self.holds == 1 else f'{self.holds:.1%}'}"
        )
        if not self.instead:
            return head + "."
        others = sorted(self.instead.items(), key=lambda kv: (-kv[1], kv[0]))
        said = ", ".join(f"{names.get(sid, sid)} in {share:.1%}" for sid, share in others[:3])
        if len(others) > 3:
            said += f" and {len(others) - 3} more in {sum(share for _, share in others[3:]):.1%}"
        if self.holds >= SAMPLING_HOLDS:
            return f"{head} (first instead: {said})."
        return (
            f"{head}, and another site comes first in the rest ({said}): the top order rests on the"
            " draws; rank with more --samples (four times the draws halve the error)."
        )

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def sampling_stability(
    table: pd.DataFrame, weights: dict[str, float], method: Method, risk_result: Any
) -> SamplingStability | None:
    """The share of resamples of the cost tail's batches (``SiteRisk.tail_batches``) in which the
    #1 stays first, the other criteria as they are; None when the risk criterion has no weight
    (nothing resampled, ``holds`` None, when the run has too few draws). The batch means'
    deviations from their average, scaled by
    sqrt(draws the batches cover / all draws), move each site's tail as a rerun with another seed
    would (four times the draws: half the spread)."""
    if weights.get("risk", 0.0) <= 0 or len(table) < 2:  # nothing to weigh, or no other site
        return None
    if not risk_result.tail_batch_draws:
        return SamplingStability(risk_result.samples, 0, 0, None, {})
    by_id = {s.id: s for s in risk_result.sites}
    rows = [by_id[sid].tail_batches for sid in table.index]
    if len({len(r) for r in rows}) != 1 or len(rows[0]) < 2:  # kopru.rank draws every site's
        return SamplingStability(risk_result.samples, 0, 0, None, {}, missing=True)
    batches = np.array(rows)  # (sites, batches)
    n_batches = batches.shape[1]
    # the batches' mean moves with the spread of B batch values over sqrt(B): a plain bootstrap of it
    # is (B - 1) / B too narrow, made up; then scaled from the draws covered to all of them
    scale = math.sqrt(n_batches / (n_batches - 1) * risk_result.tail_batch_draws / risk_result.samples)
    picks = np.random.default_rng(risk_result.seed).integers(0, n_batches, (SAMPLING_REPLICATES, n_batches))
    moved = (batches[:, picks].mean(axis=2) - batches.mean(axis=1, keepdims=True)) * scale  # (sites, R)
    ranker = _Ranker.of(table, method)
    first = ranker.top(weights)
    column = ranker.cols.index("risk")
    x = np.repeat(ranker.x[None], SAMPLING_REPLICATES, axis=0)  # (replicates, sites, criteria)
    x[:, :, column] += moved.T
    counts: dict[str, int] = {}
    for top in ranker.tops(ranker.vector(weights), x):
        counts[top] = counts.get(top, 0) + 1
    holds = counts.pop(first, 0) / SAMPLING_REPLICATES
    instead = {sid: n / SAMPLING_REPLICATES for sid, n in counts.items()}
    return SamplingStability(
        risk_result.samples, n_batches, SAMPLING_REPLICATES, holds, instead, risk_result.tail_batch_draws
    )


@dataclass(frozen=True)
class WeightRange:
    """How far one criterion's weight may move, the others rescaled in proportion so that the
    weights still sum to 1, before another site comes first."""

    criterion: str
    weight: float  # as given
    low: float  # the least weight at which the #1 stays first (0: all the way down)
    high: float  # the greatest (1: all the way up)
    below: str | None  # the site first just below ``low`` (None: the #1 holds at 0)
    above: str | None  # the site first just above ``high`` (None: it holds at 1)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def text(self, label: str, names: dict[str, str]) -> str:
        parts = []
        if self.below is not None:
            parts.append(f"below {self.low:.3g} {names.get(self.below, self.below)} comes first")
        if self.above is not None and self.high > 1 - 5e-4:  # only with this criterion alone
            parts.append(f"at 1, this criterion alone, {names.get(self.above, self.above)} comes first")
        elif self.above is not None:
            parts.append(f"above {self.high:.3g} {names.get(self.above, self.above)}")
        if not parts:
            return f"{label} {self.weight:.3g}: any weight from 0 to 1"
        # at 1 another site comes first: the range ends just below it
        upto = "to just below 1" if self.above is not None and self.high > 1 - 5e-4 else f"to {self.high:.3g}"
        return f"{label} {self.weight:.3g}: {self.low:.3g} {upto} ({'; '.join(parts)})"


STABILITY_GRID = 200  # steps of a weight from 0 to 1; each edge found is then bisected
STABILITY_BISECTIONS = 30


def weight_stability(table: pd.DataFrame, weights: dict[str, float], method: Method) -> list[WeightRange]:
    """For each criterion with a value at every site: the range of its weight, the others rescaled
    in proportion, over which the ranking's #1 stays first (a weight-sensitivity interval, as MCDA
    practice reads a ranking's robustness), and who comes first beyond each end."""
    ranker = _Ranker.of(table, method)
    first = ranker.top(weights)
    grid = np.linspace(0.0, 1.0, STABILITY_GRID + 1)
    out = []
    for c in ranker.cols:
        w0 = float(weights.get(c, 0.0))
        tops = list(ranker.tops(_moved_grid(ranker, weights, c, grid)))
        here = min(int(np.searchsorted(grid, w0)), STABILITY_GRID)
        # walk out from the given weight to the first grid point where another site is first
        lo_i = next((i for i in range(here, -1, -1) if tops[i] != first and grid[i] < w0), None)
        hi_i = next((i for i in range(here, STABILITY_GRID + 1) if tops[i] != first and grid[i] > w0), None)
        # bisect between the grid point nearest the change on the #1's side and the change
        low, below = (0.0, None)
        if lo_i is not None:
            low, below = ranker.edge(weights, c, first, grid[lo_i], min(grid[lo_i + 1], w0))
        high, above = (1.0, None)
        if hi_i is not None:
            high, above = ranker.edge(weights, c, first, grid[hi_i], max(grid[hi_i - 1], w0))
        out.append(WeightRange(c, w0, float(low), float(high), below, above))
    return out


def _moved_grid(ranker: _Ranker, weights: dict[str, float], c: str, grid: Array) -> Array:
    """:func:`_moved` at every weight of ``grid`` at once, as rows of the ranker's columns (G, C)."""
    rest = sum(v for k, v in weights.items() if k != c)
    scale = (1.0 - grid) / rest if rest > 0 else np.zeros_like(grid)
    rows = ranker.vector(weights)[None, :] * scale[:, None]
    rows[:, ranker.cols.index(c)] = grid
    return rows


def _moved(weights: dict[str, float], c: str, t: float) -> dict[str, float]:
    """Criterion c at weight t, the others rescaled in proportion to sum to 1 - t."""
    rest = sum(v for k, v in weights.items() if k != c)
    scale = (1.0 - t) / rest if rest > 0 else 0.0
    return {k: (t if k == c else v * scale) for k, v in weights.items()} | {c: t}


@dataclass(frozen=True)
class _Ranker:
    """The sites' criteria as one matrix, ranked again and again at other weights (a criterion of
    weight 0 adds nothing to TOPSIS's distances, VIKOR's regrets or PROMETHEE's flows, so keeping
    its column changes no score)."""

    cols: list[str]
    x: Array
    benefit: NDArray[np.bool_]
    ids: NDArray[np.str_]
    method: Method

    @classmethod
    def of(cls, table: pd.DataFrame, method: Method) -> _Ranker:
        spec = _criteria_spec()["criteria"]
        cols = [c for c in CRITERIA if np.isfinite(table[c].to_numpy(float)).all()]
        benefit = np.array([spec[c]["direction"] == "benefit" for c in cols])
        return cls(cols, table[cols].to_numpy(float), benefit, table.index.to_numpy(str), method)

    def vector(self, weights: dict[str, float]) -> Array:
        return np.array([weights.get(c, 0.0) for c in self.cols])

    def top(self, weights: dict[str, float]) -> str:
        """The first site at these weights, ties to the smaller id, as rank_sites orders them."""
        return str(self.tops(self.vector(weights)[None, :])[0])

    def tops(self, w: Array, x: Array | None = None, chunk: int = 128) -> NDArray[np.str_]:
        """The first site at each row of weights ``w`` (W, C), or at one row for each matrix of a
        stack ``x`` (R, N, C); ties to the smaller id. In chunks: PROMETHEE compares every pair of
        sites on every criterion, (chunk, N, N, C) at once."""
        x = self.x if x is None else x
        n = max(len(w) if w.ndim > 1 else 1, len(x) if x.ndim > 2 else 1)
        by_id = np.argsort(self.ids, kind="stable")  # the first of equal scores is the smaller id
        out = []
        for lo in range(0, n, chunk):
            part_w = w[lo : lo + chunk] if w.ndim > 1 else w
            part_x = x[lo : lo + chunk] if x.ndim > 2 else x
            scores, higher = scores_of(part_x, part_w, self.benefit, self.method)
            ordered = scores[..., by_id]
            out.append(self.ids[by_id][ordered.argmax(axis=-1) if higher else ordered.argmin(axis=-1)])
        return np.concatenate(out)

    def edge(
        self, weights: dict[str, float], c: str, first: str, out: float, inside: float
    ) -> tuple[float, str]:
        """Bisect between a weight where ``first`` is first (``inside``) and one where it is not."""
        for _ in range(STABILITY_BISECTIONS):
            mid = (out + inside) / 2
            if self.top(_moved(weights, c, mid)) == first:
                inside = mid
            else:
                out = mid
        return inside, self.top(_moved(weights, c, out))


@dataclass(frozen=True)
class Collinear:
    """Two weighted criteria nearly collinear across the sites: their weights count one thing twice."""

    a: str
    b: str
    r: float  # Pearson's correlation across the sites ranked
    weight_a: float
    weight_b: float

    def text(self, info: dict[str, dict[str, str]]) -> str:
        return (
            f"{info[self.a]['label']} and {info[self.b]['label']} are nearly collinear across the sites"
            f" (Pearson r = {self.r:+.3f}): their weights, {self.weight_a:.2f} and {self.weight_b:.2f},"
            f" count one dimension twice ({self.weight_a + self.weight_b:.2f} in all); weigh one of them"
            " only, or split the weight (--weights)."
        )

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "r": self.r, "weights": [self.weight_a, self.weight_b]}


def collinear_criteria(table: pd.DataFrame, weights: dict[str, float]) -> tuple[Collinear, ...]:
    """Pairs of weighted criteria whose values across the sites correlate by more than
    :data:`COLLINEAR` in absolute value (a criterion equal for every site correlates with none)."""
    used = [c for c in CRITERIA if weights.get(c, 0) > 0 and c in table]
    x = table[used].to_numpy(float)
    varies = np.isfinite(x).all(axis=0) & (np.nanstd(x, axis=0) > 0)
    found = []
    for i, a in enumerate(used):
        for j in range(i + 1, len(used)):
            if not (varies[i] and varies[j]):
                continue
            r = float(np.corrcoef(x[:, i], x[:, j])[0, 1])
            if abs(r) > COLLINEAR:
                found.append(Collinear(a, used[j], r, weights[a], weights[used[j]]))
    return tuple(found)


def assumed_criteria(risk_result: Any) -> dict[str, str]:
    """Criteria that rest on assumptions: as criteria.yaml labels them, and the risk criterion
    whenever the distributions it is drawn from are labelled assumptions (the run's, not the file's)."""
    spec = _criteria_spec()["criteria"]
    assumed = {c: "labelled an assumption in criteria.yaml" for c in CRITERIA if spec[c].get("assumption")}
    variables = risk_result.uncertainty.variables.values() if risk_result.uncertainty else ()
    guessed = [d for d in variables if d.assumption]
    if guessed:
        per_unit = all(x.per_unit is not None and x.per_unit.cvar95 is not None for x in risk_result.sites)
        of = (
            f"a tail of the cost per unit sold over {risk_result.samples:,} draws"
            if per_unit
            else f"a tail of the annual cost over {risk_result.samples:,} draws, which moves mostly with"
            " the units sold (kopru risk --per-unit shows the cost without the volume)"
        )
        assumed["risk"] = (
            f"{len(guessed)} of the {len(variables)} distributions it is drawn from are labelled"
            f" assumptions, and it is {of}"
        )
    return assumed


def _finite(value: Any) -> float | None:
    return float(value) if np.isfinite(value) else None


def criteria_info() -> dict[str, dict[str, str]]:
    """Each criterion's column label, what it measures (name), unit and direction (cost: less is
    better), for tables."""
    spec = _criteria_spec()["criteria"]
    return {
        c: {k: str(spec[c].get(k, spec[c]["label"])) for k in ("label", "name", "unit", "direction")}
        for c in CRITERIA
    }


def score(table: pd.DataFrame, weights: dict[str, float], method: Method) -> tuple[Array, bool]:
    """Scores of the sites with ``method`` and whether higher is better."""
    used = [c for c in CRITERIA if weights.get(c, 0) > 0]
    spec = _criteria_spec()["criteria"]
    x = table[used].to_numpy(float)
    missing = ~np.isfinite(x)
    if missing.any():
        j = int(np.flatnonzero(missing.any(axis=0))[0])
        sites = table.index[missing[:, j]].tolist()
        more = f" and {len(sites) - 3} more" if len(sites) > 3 else ""
        raise RankError(
            f"criterion {used[j]} has no value for {', '.join(sites[:3])}{more}; give it weight 0"
            " (--weights) or add the value to the data pack",
            field=f"weights.{used[j]}",
        )
    w = np.array([weights[c] for c in used])
    benefit = np.array([spec[c]["direction"] == "benefit" for c in used])
    return scores_of(x, w, benefit, method)


def scores_of(x: Array, w: Array, benefit: NDArray[np.bool_], method: Method) -> tuple[Array, bool]:
    """The method's scores of the rows of ``x`` at weights ``w``, and whether higher is better."""
    if method == "topsis":
        return topsis(x, w, benefit), True
    if method == "vikor":
        return vikor(x, w, benefit), False
    if method == "promethee2":
        return promethee2(x, w, benefit), True
    raise RankError(f"method must be topsis, vikor or promethee2, got {method!r}")


def rank_sites(
    plan: Any,
    risk_result: Any,
    pack: DataPack,
    weights: str | Path | Mapping[str, Any] | None = None,
    method: Method = "topsis",
) -> RankResult:
    """Rank a plan's sites on cost, the risk result's tail and the non-cost criteria with ``method``."""
    if method not in ("topsis", "vikor", "promethee2"):
        raise RankError(f"method must be topsis, vikor or promethee2, got {method!r}", field="method")
    given = load_weights(weights)
    w = given.weights
    table = criteria_table(plan, risk_result, pack)
    scores, higher = score(table, w, method)
    table = table.assign(score=scores)
    order = np.lexsort((table.index.to_numpy(), -scores if higher else scores))
    ranks = np.empty(len(order), dtype=int)
    ranks[order] = np.arange(1, len(order) + 1)
    names = {s.id: s.name for s in plan.sites}
    return RankResult(
        method,
        w,
        given.consistency_ratio,
        table.assign(rank=ranks),
        higher,
        names,
        currency=plan.currency,
        warnings=(given.note,) if given.note else (),
        collinear=collinear_criteria(table, w),
        assumed=assumed_criteria(risk_result),
        stability=tuple(weight_stability(table.drop(columns=["score"]), w, method)),
        sampling=sampling_stability(table.drop(columns=["score"]), w, method, risk_result),
        samples=risk_result.samples,
        seed=risk_result.seed,
        inputs=RunInputs.of_plan(plan),
    )
