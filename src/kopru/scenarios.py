"""What-if scenarios and sweeps: many scenarios through the plan, in parallel on Dask.

A scenario file names a profile and a list (``scenarios:``) and/or a grid (``grid:``, every
combination) of what-ifs. Shortcuts map onto data-pack overrides and corridor closures:
``vat: {KZ: 16}``, ``tariff: {EAEU_CCT.6109: 15}``, ``fx_shock: {KZT: 1.2}``,
``close: [mode:ferry]``, or any ``overrides:`` key.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kopru import datapack, documents
from kopru.errors import KopruError, SweepError
from kopru.planner import make_plan
from kopru.profile import Profile, load_profile
from kopru.progress import Counter

# -- scenarios -----------------------------------------------------------------------------------
SCENARIO_KEYS = {"name", "overrides", "disruptions", "close", "avoid", "vat", "fx_shock", "tariff", "note"}


@dataclass(frozen=True)
class Scenario:
    """One what-if: data-pack overrides and corridor closures on top of the profile."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)
    disruptions: tuple[str, ...] = ()
    note: str = ""
    avoid: tuple[str, ...] = ()


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SweepError(f"{where}: expected a mapping")
    return {str(k): v for k, v in value.items()}


def scenario_from_dict(raw: Any, where: str, pack: Any) -> Scenario:
    """Translate shortcuts (vat, fx_shock, tariff, close) into overrides and disruptions."""
    if not isinstance(raw, dict) or "name" not in raw:
        raise SweepError(f"{where}: each scenario needs a name (and overrides, close, vat, fx_shock, tariff)")
    unknown = set(raw) - SCENARIO_KEYS
    if unknown:
        raise SweepError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(SCENARIO_KEYS))}"
        )
    overrides = _mapping(raw.get("overrides"), f"{where}.overrides")
    for country, pct in _mapping(raw.get("vat"), f"{where}.vat").items():
        overrides[f"{country}.vat_standard"] = pct  # recorded; VAT is recoverable, so no landed-cost effect
    for regime_hs, pct in _mapping(raw.get("tariff"), f"{where}.tariff").items():
        overrides[f"tariff.{regime_hs}"] = pct
    for currency, factor in _mapping(raw.get("fx_shock"), f"{where}.fx_shock").items():
        if isinstance(factor, bool) or not isinstance(factor, int | float) or factor <= 0:
            raise SweepError(
                f"{where}.fx_shock.{currency}: expected a factor > 0 (1.2 = 20 % weaker), got {factor!r}"
            )
        if not pack.has_param(currency, "fx_per_usd"):
            raise SweepError(f"{where}.fx_shock: the data pack has no fx_per_usd for {currency!r}")
        base = pack.param(currency, "fx_per_usd").value
        overrides[f"{currency}.fx_per_usd"] = {
            "value": base * factor,
            "note": f"FX shock x{factor} ({raw['name']})",
        }
    closed = [*(raw.get("disruptions") or []), *(raw.get("close") or [])]
    if not all(isinstance(c, str) for c in closed):
        raise SweepError(f"{where}.close: expected a list of names such as mode:ferry or khorgos")
    avoid = raw.get("avoid") or []
    if not isinstance(avoid, list) or not all(isinstance(c, str) for c in avoid):
        raise SweepError(f"{where}.avoid: expected a list of country codes such as RU")
    return Scenario(str(raw["name"]), overrides, tuple(closed), str(raw.get("note", "")), tuple(avoid))


def _combine(parts: tuple[Scenario, ...]) -> Scenario:
    overrides: dict[str, Any] = {}
    closed: list[str] = []
    avoid: list[str] = []
    for p in parts:
        overrides |= p.overrides
        closed += [c for c in p.disruptions if c not in closed]
        avoid += [c for c in p.avoid if c not in avoid]
    return Scenario("+".join(p.name for p in parts), overrides, tuple(closed), avoid=tuple(avoid))


def read_scenarios(path: str | Path) -> tuple[Path, list[Scenario]]:
    """The profile path and the scenarios of a sweep file (a list, a grid, or both)."""
    path = Path(path)
    data = documents.read_mapping(path, "scenario file", error=SweepError, fmt="yaml")
    if "profile" not in data:
        raise SweepError(
            f"scenario file {path}: expected 'profile:' and 'scenarios:' (a list) and/or 'grid:'", file=path
        )
    profile = (path.parent / str(data["profile"])).resolve()
    pack = datapack.load()
    scenarios = [
        scenario_from_dict(s, f"scenarios[{i}]", pack) for i, s in enumerate(data.get("scenarios") or [])
    ]
    grid = data.get("grid") or {}
    if grid:
        if not isinstance(grid, dict) or not all(isinstance(v, list) and v for v in grid.values()):
            raise SweepError(
                f"scenario file {path}: grid must map each axis to a non-empty list of scenarios", file=path
            )
        axes = [
            [scenario_from_dict(s, f"grid.{axis}[{i}]", pack) for i, s in enumerate(options)]
            for axis, options in grid.items()
        ]
        scenarios += [_combine(parts) for parts in itertools.product(*axes)]
    if not scenarios:
        raise SweepError(f"scenario file {path}: no scenarios", file=path)
    names = [s.name for s in scenarios]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SweepError(
            f"scenario file {path}: scenario names must be unique ({', '.join(sorted(dup))})", file=path
        )
    return profile, scenarios


def run_scenario(profile: Profile, scenario: Scenario, avoid: tuple[str, ...] = ()) -> dict[str, Any]:
    """Plan one scenario; a scenario that fails is reported, it does not stop the sweep."""
    try:
        # a closure makes some lanes infinite; the engine's inf * 0 on them warns, but those sites are
        # already reported infeasible, so the warning says nothing new
        with np.errstate(invalid="ignore"):
            countries = tuple(dict.fromkeys((*avoid, *scenario.avoid)))
            plan = make_plan(profile, scenario.overrides or None, scenario.disruptions, avoid=countries)
    except KopruError as exc:
        return {"name": scenario.name, "error": str(exc)}
    best = plan.site(plan.ranking[0])
    rec = plan.recommendation
    return {
        "name": scenario.name,
        "best": best.id,
        "best_total": best.landed_cost.total,
        "baseline": rec.baseline_site,
        "baseline_total": rec.baseline_total,
        "saving_pct": rec.saving_pct,
        "feasible_sites": sum(s.feasible for s in plan.sites),
        "totals": {s.id: s.landed_cost.total for s in plan.sites},
    }


@dataclass(frozen=True)
class SweepResult:
    """Every scenario's outcome, in the file's order: best site, its total, the baseline, saving."""

    file: Path
    profile: Path
    scenarios: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """``kopru sweep --json``: the profile's path and one entry per scenario."""
        return {"profile": str(self.profile), "scenarios": self.scenarios}


def sweep(
    path: str | Path, client: Any = None, progress: Counter | None = None, avoid: tuple[str, ...] = ()
) -> SweepResult:
    """Run every scenario of the file through the plan, on Dask when a ``client`` is given."""
    profile_path, scenarios = read_scenarios(path)
    profile = load_profile(profile_path)
    results: dict[str, dict[str, Any]] = {}
    if client is None:
        for i, s in enumerate(scenarios):
            results[s.name] = run_scenario(profile, s, avoid)
            if progress:
                progress(i + 1, len(scenarios))
    else:
        from distributed import as_completed  # only with a cluster: Dask loads on demand

        # a fresh key per sweep: a content-hashed key races with the cleanup of the last sweep's copy
        shared = client.scatter(profile, broadcast=True, hash=False)
        futures = {client.submit(run_scenario, shared, s, avoid, pure=False): s.name for s in scenarios}
        for i, future in enumerate(as_completed(futures)):
            results[futures[future]] = future.result()
            if progress:
                progress(i + 1, len(scenarios))
    return SweepResult(Path(path).resolve(), profile_path, [results[s.name] for s in scenarios])
