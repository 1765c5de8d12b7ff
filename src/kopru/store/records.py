"""What a run leaves in the scenario store: its row (inputs, their hash, options) and its results.

Every kind of run is recorded the same way: one ``runs`` row and long ``results`` rows (item,
metric, value or text), where an item is a site or a scenario. The functions here turn results
(a :class:`~kopru.planner.Plan`, a risk, rank or sweep result) into those rows, and read the
headline of a run back from them; the CLI and the web app both record through them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from pathlib import Path
from typing import Any

from kopru import __version__, datapack
from kopru.profile import as_profile
from kopru.units import country_codes


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def inputs_hash(inputs: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a run's inputs: equal inputs, equal hash."""
    return hashlib.sha256(_canonical(inputs).encode()).hexdigest()


# -- the headline of a run: what a list of runs shows in one cell ---------------------------------
HEADLINE_METRICS = (
    *("rank", "total", "mean", "p_best", "score", "best", "best_total", "saving_pct"),
    *("objective", "enterprises"),  # a match run's portfolio
)


def headline(kind: str, rows: list[dict[str, Any]], count: int) -> dict[str, Any] | None:
    """The first thing to read in a run's results: ``{item, metric, value, count, ...}`` or None.

    plan and rank: the site ranked first and its total (or score); risk: the site with the lowest
    mean annual cost and its P(best); sweep: the scenario whose best site is cheapest, that site
    (``text``) and the number of scenarios. ``rows`` are the run's results (item, metric, value,
    text) for :data:`HEADLINE_METRICS`; ``count`` is how many items (sites, scenarios) it has.
    """
    by_item: dict[str, dict[str, Any]] = {}
    for r in rows:
        by_item.setdefault(r["item"], {})[r["metric"]] = (
            r["value"] if r["value"] is not None else result_text(r["text"])
        )

    def number(v: Any) -> float | None:
        return float(v) if isinstance(v, int | float) and math.isfinite(v) else None

    def lowest(metric: str) -> str | None:
        scored = [(number(m.get(metric)), item) for item, m in by_item.items()]
        scored = [(v, item) for v, item in scored if v is not None]
        return min(scored)[1] if scored else None

    out: dict[str, Any] = {"item": None, "metric": None, "value": None, "count": count}
    if kind in ("plan", "rank"):
        item = lowest("rank")
        metric = "total" if kind == "plan" else "score"
    elif kind == "risk":
        item, metric = lowest("mean"), "mean"
        if item is not None:
            out["p_best"] = number(by_item[item].get("p_best"))
    elif kind == "match":
        portfolio = by_item.get("portfolio", {})
        out.update(item="portfolio", metric="objective", value=number(portfolio.get("objective")))
        out["enterprises"] = number(portfolio.get("enterprises"))
        out["count"] = max(count - 1, 0)  # the enterprises, not the portfolio's own row
        return out
    elif kind == "sweep":
        item, metric = lowest("best_total"), "best_total"
        if item is not None:
            best = by_item[item].get("best")
            out["text"] = best if isinstance(best, str) else None
            out["saving_pct"] = number(by_item[item].get("saving_pct"))
    else:
        return None
    if item is None:
        return out if count else None
    out.update(item=item, metric=metric, value=number(by_item[item].get(metric)))
    return out


def result_text(text: str | None) -> Any:
    """A result's ``text`` as recorded: True/False as is, anything else as its canonical JSON
    (a site id ``"sez_turan"`` keeps its quotes there); this gives the value back."""
    if text is None or text in ("True", "False"):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _profile_data(profile: Any) -> tuple[str | None, dict[str, Any] | None]:
    if profile is None:
        return None, None
    if isinstance(profile, dict):
        return None, dict(profile)  # recorded as given (a plan's profile, as plan.json holds it)
    path = str(Path(profile).resolve()) if isinstance(profile, str | Path) else None
    return path, as_profile(profile).model_dump(mode="json")


def _overrides_data(overrides: Any) -> Any:
    if overrides is None or isinstance(overrides, dict):
        return overrides
    return datapack.read_overrides(overrides)


def run_rows(kind, profile, overrides, disruptions, params, results):
    """The ``runs`` row and the ``results`` rows of one run (a new id, now)."""
    path, prof = _profile_data(profile)
    over = _overrides_data(overrides)
    version = datapack.load().version
    inputs = {
        "kind": kind,
        "profile": prof,
        "overrides": over,
        "disruptions": list(disruptions or ()),
        "params": params,
        "data_pack_version": version,
    }
    run_id = uuid.uuid4().hex
    row = [
        run_id,
        kind,
        dt.datetime.now(dt.UTC).replace(tzinfo=None),
        path,
        (prof or {}).get("company"),
        (prof or {}).get("product"),
        inputs_hash(inputs),
        version,
        __version__,
        _canonical(inputs),
        _canonical(over),
        _canonical(list(disruptions or ())),
        _canonical(params),
    ]
    return row, _result_rows(run_id, results)


def _result_rows(run_id: str, results: dict[str, Any]) -> list[tuple]:
    """Long rows (run, item, metric, value, text) from ``{"sites"|"scenarios": [{id, ...}]}``."""
    rows = []
    for items in results.values():
        for item in items:
            key = str(item.get("id", item.get("name", "")))
            for metric, value in item.items():
                if metric in ("id", "name"):
                    continue
                if isinstance(value, bool) or value is None:
                    rows.append((run_id, key, metric, None, None if value is None else str(value)))
                elif isinstance(value, int | float):
                    rows.append((run_id, key, metric, float(value), None))
                else:
                    rows.append((run_id, key, metric, None, _canonical(value)))
    return rows


def plan_results(plan: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parameters and results of a plan run: every site's rank, totals and components."""
    sites = [
        {
            "id": s.id,
            "rank": s.rank,
            "total": s.landed_cost.total,
            "per_unit": s.landed_cost.per_unit,
            **{f"component_{k}": v for k, v in s.landed_cost.components.items()},
        }
        for s in plan.sites
    ]
    return {"optimize": plan.network is not None} | _avoided(plan.avoid), {"sites": sites}


def _avoided(avoid: Any) -> dict[str, Any]:
    """The countries no route passed through, as a parameter of the run (none: no key, so the inputs
    hash of a run without them is what it always was)."""
    codes = sorted(country_codes(avoid))  # 'ru' and 'RU' are one country
    return {"avoid": codes} if codes else {}


def risk_results(result: Any, avoid: Any = ()) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parameters (samples, seed, the distributions, avoided countries) and every site's statistics."""
    params = {"samples": result.samples, "seed": result.seed, "uncertainty": result.uncertainty.as_dict()}
    params |= _avoided(avoid)
    # the twins' names are not a metric: a list in every site's rows read as [] on the Runs page
    sites = [{k: v for k, v in s.items() if k != "same_draws_as"} for s in result.as_dict()["sites"]]
    return params, {"sites": sites}


def rank_results(
    result: Any, samples: int, seed: int, avoid: Any = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parameters (method, weights, the risk criterion's draws, avoided countries) and every site's
    score and criteria."""
    data = result.as_dict()
    params = {"method": result.method, "weights": result.weights, "samples": samples, "seed": seed}
    params |= _avoided(avoid)
    sites = [{"id": s["id"], "rank": s["rank"], "score": s["score"], **s["criteria"]} for s in data["sites"]]
    return params, {"sites": sites}


def sweep_results(result: Any, dask: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parameters (the scenario file, whether Dask ran it) and each scenario without its totals."""
    params = {"file": str(result.file), "dask": dask}
    return params, {"scenarios": [{k: v for k, v in s.items() if k != "totals"} for s in result.scenarios]}


def match_results(result: Any, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parameters (pipeline file, objective, hurdle, targets) and each enterprise's zone, saving and
    value; the portfolio's status and impact as the item ``portfolio``."""
    data = result.as_dict()
    by_enterprise = {a["enterprise"]: a for a in data["assignments"]}
    enterprises = [
        {
            "id": e["id"],
            "enterprise": e["name"],  # the store keys rows by id; the name is what a reader looks for
            "zone": e["zone"],
            "jobs": e["jobs"],
            "investment_usd": e["investment_usd"],
            "saving_usd": (by_enterprise.get(e["id"]) or {}).get("saving_usd"),
            "npv_gain_usd": (by_enterprise.get(e["id"]) or {}).get("npv_gain_usd"),
            "advantage": (by_enterprise.get(e["id"]) or {}).get("advantage"),
        }
        for e in data["enterprises"]
    ]
    impact = {k: v for k, v in data["impact"].items() if k != "by_region"}
    portfolio = {
        "id": "portfolio",
        "status": data["status"],
        "objective": data["objective"],
        "bound": data["bound"],
        "gap": data["gap"],
        **impact,
    }
    return params, {"portfolio": [portfolio], "enterprises": enterprises}
