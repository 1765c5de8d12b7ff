"""Ranking sites on more than cost: TOPSIS, VIKOR, PROMETHEE II and AHP weights.

The methods are plain array functions over a decision matrix ``X`` (alternatives × criteria),
weights ``w`` (summing to 1) and a boolean ``benefit`` per criterion (more is better).
:func:`rank_sites` builds the matrix for a profile from the plan (annual cost and the appraisal's
NPV), the risk engine (the cost's tail) and the data pack (distance to the markets, border
crossings and ferry legs on the routes, and the distance along the corridor network to a seaport;
see ``datapack/data/criteria.yaml`` for each one's unit, direction and source).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray

from kopru import documents
from kopru.datapack import DataPack
from kopru.errors import RankError
from kopru.geo import haversine_km
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


# -- methods -------------------------------------------------------------------------------------
def _oriented(matrix: Array, benefit: NDArray[np.bool_]) -> Array:
    """Flip cost criteria so that more is better everywhere (the methods' shared first step)."""
    return np.where(benefit, matrix, -matrix)


def topsis(matrix: Array, weights: Array, benefit: NDArray[np.bool_]) -> Array:
    """Relative closeness to the ideal (Hwang and Yoon 1981), vector normalisation; higher is better."""
    x = np.asarray(matrix, float)
    norm = np.sqrt((x**2).sum(axis=0))
    v = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0) * weights
    best = np.where(benefit, v.max(axis=0), v.min(axis=0))
    worst = np.where(benefit, v.min(axis=0), v.max(axis=0))
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = d_best + d_worst
    # every alternative equal on every criterion: all are as close to the ideal as can be
    return np.divide(d_worst, total, out=np.full_like(total, 0.5), where=total > 0)


def vikor(matrix: Array, weights: Array, benefit: NDArray[np.bool_], v: float = 0.5) -> Array:
    """VIKOR's Q (Opricovic 1998); lower is better. A criterion equal for all sites weighs nothing."""
    f = _oriented(np.asarray(matrix, float), benefit)
    f_star, f_minus = f.max(axis=0), f.min(axis=0)
    span = f_star - f_minus
    gap = np.divide(f_star - f, span, out=np.zeros_like(f), where=span > 0) * weights
    s, r = gap.sum(axis=1), gap.max(axis=1)

    def scaled(a: Array) -> Array:
        width = a.max() - a.min()
        return (a - a.min()) / width if width > 0 else np.zeros_like(a)

    return v * scaled(s) + (1 - v) * scaled(r)


def promethee2(matrix: Array, weights: Array, benefit: NDArray[np.bool_]) -> Array:
    """Net outranking flow of PROMETHEE II (Brans and Vincke 1985), usual criterion; higher is better."""
    f = _oriented(np.asarray(matrix, float), benefit)
    n = len(f)
    if n < 2:
        return np.zeros(n)
    preferred = (f[:, None, :] - f[None, :, :]) > 0  # (a, b, criterion): a strictly better than b
    pi = (preferred * weights).sum(axis=-1)
    return (pi.sum(axis=1) - pi.sum(axis=0)) / (n - 1)


def ahp_weights(pairwise: Array) -> tuple[Array, float]:
    """Weights (principal eigenvector) and Saaty's consistency ratio of a pairwise matrix."""
    a = np.asarray(pairwise, float)
    n = a.shape[0]
    if a.ndim != 2 or a.shape != (n, n) or n < 1:
        raise RankError(f"AHP matrix must be square, got shape {a.shape}")
    if (a <= 0).any() or not np.isfinite(a).all():
        raise RankError("AHP matrix entries must be positive numbers (1/9 .. 9)")
    if not np.allclose(a * a.T, 1.0, rtol=1e-6):
        raise RankError("AHP matrix must be reciprocal: a[j][i] = 1 / a[i][j] and a[i][i] = 1")
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
    data = yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))
    missing = set(CRITERIA) - set(data.get("criteria", {}))
    if missing:
        raise RankError(f"criteria.yaml lacks {', '.join(sorted(missing))}")
    return data


def read_weights(path: str | Path | None) -> tuple[dict[str, float], float | None]:
    """Weights by criterion (summing to 1) and the AHP consistency ratio when a matrix was given."""
    if path is None:
        return _normalised(_criteria_spec()["weights"], "criteria.yaml"), None
    path = Path(path)
    data = documents.read_document(path, "weights file", error=RankError, fmt="yaml")
    if not isinstance(data, dict) or not ({"weights", "ahp"} & set(data)):
        raise RankError(
            f"weights file {path}: expected 'weights: {{criterion: w}}' or 'ahp: {{criteria, matrix}}'"
        )
    if "weights" in data:
        return _normalised(data["weights"], str(path)), None
    ahp = data["ahp"]
    if not isinstance(ahp, dict) or "criteria" not in ahp or "matrix" not in ahp:
        raise RankError(f"weights file {path}: ahp needs 'criteria' (a list) and 'matrix' (rows)")
    names = [str(c) for c in ahp["criteria"]]
    _known(names, str(path))
    try:
        matrix = np.array(ahp["matrix"], dtype=float)
    except (TypeError, ValueError):
        raise RankError(f"weights file {path}: ahp matrix must be rows of numbers") from None
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
    return dict(zip(names, (float(x) for x in w), strict=True)), cr


def _known(names: list[str], where: str) -> None:
    unknown = [n for n in names if n not in CRITERIA]
    if unknown:
        raise RankError(f"{where}: unknown criterion {unknown[0]!r}; criteria are {', '.join(CRITERIA)}")


def _normalised(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw:
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
    return {str(k): float(v) / total for k, v in raw.items()}


# -- the criteria of a plan ----------------------------------------------------------------------
def criteria_table(plan: Any, risk_result: Any, pack: Any) -> pd.DataFrame:
    """Sites × criteria for the sites that can serve every market."""
    tail = {s.id: (s.cvar95 - s.mean) / s.mean for s in risk_result.sites}
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


def _crossings(plan: Any, pack: Any, site: Any, share: Array) -> float:
    """Border crossings and ferry legs on the cheapest route to each market, weighted by demand."""
    kind = pack.nodes["kind"]
    counts = []
    for m in plan.markets:
        route = plan.routes.get(f"{site.node}>{m['node']}:cost")
        legs = route.legs if route is not None else []
        counts.append(sum((kind.get(leg["to"]) == "border") + (leg["mode"] == "ferry") for leg in legs))
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

    def as_dict(self) -> dict[str, Any]:
        """``kopru rank --json``: method, weights, consistency ratio and the sites by rank."""
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
        return {
            "method": self.method,
            "weights": self.weights,
            "consistency_ratio": self.consistency_ratio,
            "higher_is_better": self.higher_is_better,
            "criteria": criteria_info(),
            "sites": rows,
        }


def _finite(value: Any) -> float | None:
    return float(value) if np.isfinite(value) else None


def criteria_info() -> dict[str, dict[str, str]]:
    """Each criterion's column label, unit and direction (cost: less is better), for tables."""
    spec = _criteria_spec()["criteria"]
    return {c: {k: str(spec[c][k]) for k in ("label", "unit", "direction")} for c in CRITERIA}


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
    weights: str | Path | None = None,
    method: Method = "topsis",
) -> RankResult:
    """Rank a plan's sites on cost, the risk result's tail and the non-cost criteria with ``method``."""
    if method not in ("topsis", "vikor", "promethee2"):
        raise RankError(f"method must be topsis, vikor or promethee2, got {method!r}", field="method")
    w, cr = read_weights(weights)
    table = criteria_table(plan, risk_result, pack)
    scores, higher = score(table, w, method)
    table = table.assign(score=scores)
    order = np.lexsort((table.index.to_numpy(), -scores if higher else scores))
    ranks = np.empty(len(order), dtype=int)
    ranks[order] = np.arange(1, len(order) + 1)
    names = {s.id: s.name for s in plan.sites}
    return RankResult(method, w, cr, table.assign(rank=ranks), higher, names)
