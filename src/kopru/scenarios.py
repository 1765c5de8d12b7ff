"""What-if scenarios and sweeps: many scenarios through the plan, in parallel on Dask.

A scenario file names a profile and a list (``scenarios:``) and/or a grid (``grid:``, every
combination) of what-ifs. Shortcuts map onto data-pack overrides and corridor closures:
``vat: {KZ: 16}``, ``tariff: {EAEU_CCT.6109: 15}``, ``fx_shock: {KZT: 1.2}``,
``close: [mode:ferry]``, or any ``overrides:`` key. ``optimize: true`` (or a mapping of optimizer
options) runs the network optimizer in every scenario.

On Dask, scenarios travel in batches (a few per worker, so each task is worth its overhead), the
profile is scattered once and each worker loads the data pack once (it is cached per process).
A sweep too small for a cluster to pay runs in this process: the first scenario is timed here, and
when the rest would take less than :data:`MIN_CLUSTER_SECONDS` the cluster is not used.

The scenarios of a sweep (or of a batch) share every look-up their changes cannot reach
(:class:`kopru.inputs.SharedSteps`), per closure set: a grid of numbers looks up again only the
sites, duties or lanes its overrides touch.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kopru import datapack, documents
from kopru.corridors import check_countries, network_for
from kopru.costs import CostInputs, annual_totals, landed_cost
from kopru.datapack.overrides import apply_overrides
from kopru.errors import KopruError, SweepError
from kopru.inputs import SharedSteps
from kopru.planner import make_plan, ranking_order
from kopru.profile import OptimizeOptions, Profile, load_profile, optimize_options
from kopru.progress import Counter
from kopru.units import country_codes, dot_hint, kind_of
from kopru.valuation import baseline_index

# -- scenarios -----------------------------------------------------------------------------------
MIN_CLUSTER_SECONDS = 2.0  # below this much serial work, shipping it to a cluster costs more than it saves
TASKS_PER_WORKER = 3  # batches per worker: large enough to amortise a task, small enough to balance
MAX_SCENARIOS = 100_000  # a sweep's scenarios are built in memory first (1,000 run in about 2 s)
MAX_FX_FACTOR = 5.0  # an fx_shock beyond it is far likelier a percentage typed as a factor
FILE_KEYS = ("profile", "scenarios", "grid", "optimize")
SCENARIO_KEYS = {
    *("name", "overrides", "disruptions", "close", "avoid", "vat", "fx_shock", "pass_through"),
    *("tariff", "note"),
}
SHORTCUTS = ("vat", "tariff", "fx_shock", "pass_through")  # keys that map onto overrides
# the country whose local prices a currency's pass-through moves, and the prices it moves
PASS_THROUGH_COUNTRY = {"KZT": "KZ", "TRY": "TR"}
LOCAL_PRICES = (
    *("wage_monthly_avg", "wage_monthly_manufacturing", "electricity_price_industrial"),
    *("gas_price_industrial", "land_price", "land_lease"),
    # the tenge amount Kazakh thresholds are set in (the SEZ reliefs' category by capex in MCI): left
    # where it was, a fully passed-through tenge move put a project in another category and read as
    # a gain of 4 % (a CFO's review); the MCI is indexed each year, so it follows prices (an assumption)
    "mci",
)


@dataclass(frozen=True)
class Scenario:
    """One what-if: data-pack overrides and corridor closures on top of the profile."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)
    disruptions: tuple[str, ...] = ()
    note: str = ""
    avoid: tuple[str, ...] = ()
    # the shortcuts as written ({"fx_shock": {"KZT": 1.2}, ...}) and the override keys they became
    shortcuts: dict[str, Any] = field(default_factory=dict)
    from_shortcuts: frozenset[str] = frozenset()

    def given(self) -> dict[str, Any]:
        """What the scenario changes, as its outcome records it: the shortcuts as written, and
        every override (those the shortcuts map onto included, listed in ``from_shortcuts``)."""
        return {
            "note": self.note,
            "shortcuts": self.shortcuts,
            "overrides": self.overrides,
            "from_shortcuts": sorted(self.from_shortcuts),
            "closed": list(self.disruptions),
            "avoid": list(self.avoid),
        }


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
    own = set(overrides)
    for country, pct in _mapping(raw.get("vat"), f"{where}.vat").items():
        overrides[f"{country}.vat_standard"] = pct  # recorded; VAT is recoverable, so no landed-cost effect
    for regime_hs, pct in _mapping(raw.get("tariff"), f"{where}.tariff").items():
        overrides[f"tariff.{regime_hs}"] = pct
    for currency, factor in _mapping(raw.get("fx_shock"), f"{where}.fx_shock").items():
        if isinstance(factor, bool) or not isinstance(factor, int | float) or factor <= 0:
            raise SweepError(
                f"{where}.fx_shock.{currency}: expected a factor > 0 (1.2 = 20 % weaker), got {factor!r}"
            )
        if not 1 / MAX_FX_FACTOR <= factor <= MAX_FX_FACTOR:  # a review: 20 meant 20 %, read as 20 x
            raise SweepError(
                f"{where}.fx_shock.{currency}: {factor:g} makes the currency {factor:g} times weaker; a"
                f" factor is 1.2 for 20 % weaker, 0.9 for 10 % stronger (from 1/{MAX_FX_FACTOR:g} to"
                f" {MAX_FX_FACTOR:g}; give a larger move as an override of {currency}.fx_per_usd)"
            )
        if not pack.has_param(currency, "fx_per_usd"):
            raise SweepError(f"{where}.fx_shock: the data pack has no fx_per_usd for {currency!r}")
        base = pack.param(currency, "fx_per_usd").value
        overrides[f"{currency}.fx_per_usd"] = {
            "value": base * factor,
            "note": f"FX shock x{factor} ({raw['name']})",
        }
    shocks = _mapping(raw.get("fx_shock"), f"{where}.fx_shock")
    for currency, share in _mapping(raw.get("pass_through"), f"{where}.pass_through").items():
        passed = _passed_through(where, raw["name"], currency, share, shocks, pack)
        both = sorted(set(passed) & set(overrides))
        if both:  # one would silently replace the other
            raise SweepError(
                f"{where}: pass_through.{currency} and overrides both set {both[0]}; give the factor"
                " you want in overrides, or drop it there"
            )
        overrides |= passed
    for key in ("disruptions", "close"):  # a string would be closed letter by letter
        if not isinstance(raw.get(key) or [], list):
            raise SweepError(f"{where}.{key}: expected a list of names such as [water:caspian, khorgos]")
    closed = [*(raw.get("disruptions") or []), *(raw.get("close") or [])]
    if not all(isinstance(c, str) for c in closed):
        raise SweepError(f"{where}.close: expected a list of names such as water:caspian or khorgos")
    avoid = raw.get("avoid") or []
    if not isinstance(avoid, list) or not all(isinstance(c, str) for c in avoid):
        raise SweepError(f"{where}.avoid: expected a list of country codes such as RU")
    shortcuts = {k: raw[k] for k in SHORTCUTS if raw.get(k)}
    return Scenario(
        str(raw["name"]),
        overrides,
        tuple(closed),
        str(raw.get("note", "")),
        tuple(avoid),
        shortcuts,
        frozenset(overrides) - own,
    )


def _passed_through(
    where: str, name: str, currency: str, share: Any, shocks: dict[str, Any], pack: Any
) -> dict[str, Any]:
    """The local prices of ``currency``'s country (wages, energy, land, in that currency) times the
    shock to the power ``share``: a CFO's review found a weaker tenge read as pure gain, the tenge
    wages and tariffs left where they were. ``share`` is the user's (0: none, 1: all of it, in
    dollars nothing moves); kopru has no sourced pass-through."""
    if currency not in shocks:
        raise SweepError(
            f"{where}.pass_through.{currency}: passes through an fx_shock the scenario does not give;"
            f" add fx_shock: {{{currency}: 1.2}}"
        )
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise SweepError(
            f"{where}.pass_through.{currency}: expected a share from 0 to 1 (0.3 = 30 % of the"
            f" currency's move reaches local prices), got {share!r}"
        )
    country = PASS_THROUGH_COUNTRY.get(currency)
    if country is None:
        raise SweepError(
            f"{where}.pass_through: {currency!r} has no local prices in the data pack;"
            f" use {', '.join(PASS_THROUGH_COUNTRY)}"
        )
    factor = float(shocks[currency]) ** float(share)
    given = {"factor": factor, "note": f"{share:g} of the {currency} shock passed through ({name})"}
    params = pack.parameters
    ours = params["subject"].str.match(rf"{country}(-|$)")
    out: dict[str, Any] = {}
    for q in LOCAL_PRICES:
        rows = params[ours & (params["quantity"] == q)]
        if rows.empty:
            continue
        # each subject's latest value, as an override replaces it: in this currency or not
        latest = rows.loc[rows.groupby("subject")["year"].idxmax()]
        local = latest["unit"].str.startswith(f"{currency}/") | (latest["unit"] == currency)
        if local.all():
            out[f"{country}*.{q}"] = given
        elif local.any():  # some are priced in dollars (a province's land): those do not move
            out |= {f"{subject}.{q}": given for subject in latest.loc[local, "subject"]}
    return out


def _combine(parts: tuple[Scenario, ...]) -> Scenario:
    _one_axis_each(parts)
    overrides: dict[str, Any] = {}
    closed: list[str] = []
    avoid: list[str] = []
    for p in parts:
        overrides |= p.overrides
        closed += [c for c in p.disruptions if c not in closed]
        avoid += [c for c in p.avoid if c not in avoid]
    shortcuts: dict[str, Any] = {}
    for p in parts:  # each axis's shortcuts, merged by kind ({fx_shock: {KZT: 1.2, TRY: 1.3}})
        for kind, given in p.shortcuts.items():
            shortcuts[kind] = {**shortcuts.get(kind, {}), **given}
    return Scenario(
        "+".join(p.name for p in parts),
        overrides,
        tuple(closed),
        avoid=tuple(avoid),
        shortcuts=shortcuts,
        from_shortcuts=frozenset().union(*(p.from_shortcuts for p in parts)),
    )


def _one_axis_each(parts: tuple[Scenario, ...]) -> None:
    """Refuse two axes of a grid that set the same value (a CLI review: fx_shock KZT 1.2 on one
    axis and 1.5 on another ran as 1.5 alone, the 1.2 dropped without a word)."""
    setters: dict[str, tuple[str, Any]] = {}
    for p in parts:
        given = {f"{kind} {key}": v for kind, values in p.shortcuts.items() for key, v in values.items()}
        given |= {k: v for k, v in p.overrides.items() if k not in p.from_shortcuts}
        for key, value in given.items():
            if key in setters and setters[key][1] != value:
                first, before = setters[key]
                raise SweepError(
                    f"grid: scenarios {first!r} and {p.name!r} of two axes both set {key} ({before} and"
                    f" {value}); set it on one axis only"
                )
            setters.setdefault(key, (p.name, value))


def read_scenarios(path: str | Path) -> tuple[Path, list[Scenario]]:
    """The profile path and the scenarios of a sweep file (a list, a grid, or both)."""
    profile, scenarios, _ = read_sweep(path)
    return profile, scenarios


def _optimize_key(value: Any, path: Path) -> dict[str, Any] | None:
    """The file's ``optimize:``: false/absent (None), true ({}), or a mapping of optimizer options."""
    if value is None or value is False:
        return None
    if value is True:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    raise SweepError(
        f"scenario file {path}: optimize must be true, false or a mapping of optimizer options", file=path
    )


def read_sweep(path: str | Path) -> tuple[Path, list[Scenario], dict[str, Any] | None]:
    """The profile path, the scenarios and the ``optimize:`` options (None: plans only) of a file."""
    path = Path(path)
    data = documents.read_mapping(path, "scenario file", error=SweepError, fmt="yaml", number_hint=dot_hint)
    unknown = sorted(str(k) for k in data if k not in FILE_KEYS)
    if unknown:  # 'optimise: true' or 'scenario:' were read as nothing
        near = difflib.get_close_matches(unknown[0], FILE_KEYS, n=1, cutoff=0.6)
        raise SweepError(
            f"scenario file {path}: unknown key {unknown[0]!r}"
            + (f" (did you mean {near[0]!r}?)" if near else "")
            + f"; a scenario file has {', '.join(FILE_KEYS)}",
            file=path,
            field=unknown[0],
        )
    if "profile" not in data:
        raise SweepError(
            f"scenario file {path}: expected 'profile:' and 'scenarios:' (a list) and/or 'grid:'", file=path
        )
    if not isinstance(data["profile"], str) or not data["profile"].strip():
        # a CLI review: a profile written inline was 'profile file .../{'company': 'x'} does not exist'
        raise SweepError(
            f"scenario file {path}: profile must be the path of a profile file (relative to the scenario"
            f" file), got {kind_of(data['profile'])}; write the profile in a file of its own",
            file=path,
            field="profile",
        )
    profile = (path.parent / data["profile"]).resolve()
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
        size = math.prod(len(options) for options in grid.values())
        if size + len(scenarios) > MAX_SCENARIOS:
            shape = " x ".join(f"{len(v)} {k}" for k, v in grid.items())
            raise SweepError(
                f"scenario file {path}: the grid makes {size:,} scenarios ({shape}), more than a sweep"
                f" runs at once ({MAX_SCENARIOS:,}); shorten an axis or split the grid into files",
                file=path,
            )
        axes = [
            [scenario_from_dict(s, f"grid.{axis}[{i}]", pack) for i, s in enumerate(options)]
            for axis, options in grid.items()
        ]
        scenarios += [_combine(parts) for parts in itertools.product(*axes)]
    if not scenarios:
        raise SweepError(f"scenario file {path}: no scenarios", file=path)
    if len(scenarios) > MAX_SCENARIOS:
        raise SweepError(f"scenario file {path}: more than {MAX_SCENARIOS:,} scenarios; split it", file=path)
    _check_scenarios(pack, scenarios, path)
    named: set[str] = set()
    dup: set[str] = set()
    for s in scenarios:
        (dup if s.name in named else named).add(s.name)
    if dup:
        raise SweepError(
            f"scenario file {path}: scenario names must be unique ({', '.join(sorted(dup))})", file=path
        )
    return profile, scenarios, _optimize_key(data.get("optimize"), path)


def _check_scenarios(pack: Any, scenarios: list[Scenario], path: Path) -> None:
    """Refuse, before any scenario runs, a closure or an override that one of them would fail on
    (each distinct one is tried once on the shipped pack): a sweep whose other scenarios succeed
    would otherwise exit 0 with the error in one row."""
    tried: set[tuple[str, str]] = set()
    for s in scenarios:
        for key, value in s.overrides.items():
            seen = (key, json.dumps(value, sort_keys=True, default=str))
            if seen not in tried:
                tried.add(seen)
                try:
                    apply_overrides(pack, {key: value})
                except KopruError as exc:
                    raise SweepError(f"scenario file {path}, scenario {s.name!r}: {exc}", file=path) from None
        for name in s.disruptions:
            if ("close", name) not in tried:
                tried.add(("close", name))
                try:
                    network_for(pack, (name,))
                except KopruError as exc:
                    raise SweepError(f"scenario file {path}, scenario {s.name!r}: {exc}", file=path) from None
        try:
            check_countries(pack, country_codes(s.avoid))
        except KopruError as exc:
            raise SweepError(f"scenario file {path}, scenario {s.name!r}: {exc}", file=path) from None


def run_scenario(
    profile: Profile,
    scenario: Scenario,
    avoid: tuple[str, ...] = (),
    optimize: OptimizeOptions | None = None,
    shared: dict[tuple, SharedSteps] | None = None,
) -> dict[str, Any]:
    """Plan one scenario (and optimize it); a scenario that fails is reported, it does not stop
    the sweep. ``shared``: the look-ups of earlier scenarios of the sweep, per closure set."""
    countries = tuple(dict.fromkeys((*avoid, *scenario.avoid)))
    try:
        # a closure makes some lanes infinite; the engine's inf * 0 on them warns, but those sites are
        # already reported infeasible, so the warning says nothing new
        with np.errstate(invalid="ignore"):
            if optimize is None:
                shared = {} if shared is None else shared
                group = (scenario.disruptions, countries)
                if group not in shared:
                    shared[group] = SharedSteps(profile, scenario.disruptions, countries)
                return _outcome(scenario.name, *shared[group].costs(scenario.overrides))
            plan = make_plan(
                profile, scenario.overrides or None, scenario.disruptions, network=optimize, avoid=countries
            )
    except KopruError as exc:
        return {"name": scenario.name, "error": str(exc)}
    out = plan_outcome(plan, scenario.name)
    if plan.network is not None:
        net = plan.network
        out["optimizer"] = {
            "status": net.status,
            "objective": net.objective,
            "bound": net.bound,
            "gap": net.gap,
            "open": [{"site": o.site, "name": o.name, "units": o.units} for o in net.open],
            "message": net.message,
        }
    return out


def plan_outcome(plan: Any, name: str) -> dict[str, Any]:
    """A scenario's outcome read off its whole plan: best site, totals, baseline and saving."""
    rec = plan.recommendation
    best = plan.site(rec.site) if rec.site is not None else None  # none when no site serves every market
    return {
        "name": name,
        "best": best.id if best else None,
        "best_name": best.name if best else None,
        "best_total": best.landed_cost.total if best else None,
        "baseline": rec.baseline_site,
        "baseline_name": plan.site(rec.baseline_site).name if rec.baseline_site else None,
        "baseline_total": rec.baseline_total,
        "saving_pct": rec.saving_pct,
        "feasible_sites": sum(s.feasible for s in plan.sites),
        "unserved": [s.name for s in plan.sites if not s.feasible],  # sites no route serves every market from
        "totals": {s.id: s.landed_cost.total for s in plan.sites},
    }


def _outcome(name: str, sites: Any, x: CostInputs, fx: float, demand: np.ndarray) -> dict[str, Any]:
    """:func:`plan_outcome` from the cost arrays alone, without building the plan: the same
    totals, ranking, baseline and saving (the plan's own functions compute them)."""
    totals = annual_totals(landed_cost(x) * fx, demand).sum(axis=-1)  # as planner.annual_costs
    feasible = np.isfinite(totals)
    ids, names = sites["id"].to_numpy(), sites["name"].to_numpy()
    order = ranking_order(sites, totals)
    best = int(order[0]) if feasible[order[0]] else None  # none when no site serves every market

    def total(i: int | None) -> float | None:
        return float(totals[i]) if i is not None and feasible[i] else None

    base = baseline_index(sites, totals)  # the cheapest feasible Turkish site, as the plan's
    saving_pct = None
    if base is not None and best is not None and base != best:
        saving_pct = float((total(base) - total(best)) / total(base))
    return {
        "name": name,
        "best": str(ids[best]) if best is not None else None,
        "best_name": str(names[best]) if best is not None else None,
        "best_total": total(best),
        "baseline": str(ids[base]) if base is not None else None,
        "baseline_name": str(names[base]) if base is not None else None,
        "baseline_total": total(base),
        "saving_pct": saving_pct if saving_pct is None or np.isfinite(saving_pct) else None,
        "feasible_sites": int(feasible.sum()),
        "unserved": [str(names[i]) for i in np.flatnonzero(~feasible)],
        "totals": {str(ids[i]): total(i) for i in range(len(ids))},
    }


def run_batch(
    profile: Profile, scenarios: list[Scenario], avoid: tuple[str, ...], optimize: OptimizeOptions | None
) -> list[dict[str, Any]]:
    """One Dask task: several scenarios, so that a task is worth its scheduling and transfer
    (and shares its look-ups among them)."""
    shared: dict[tuple, SharedSteps] = {}
    return [run_scenario(profile, s, avoid, optimize, shared) for s in scenarios]


@dataclass(frozen=True)
class SweepResult:
    """Every scenario's outcome, in the file's order: best site, its total, the baseline, saving."""

    file: Path
    profile: Path
    scenarios: list[dict[str, Any]]
    # where it ran: "in-process", or "dask (N tasks on W workers)", or why the cluster was not used
    execution: str = "in-process"
    currency: str = "USD"  # of every total: the profile's

    def as_dict(self) -> dict[str, Any]:
        """``kopru sweep --json``: the profile's path, where it ran and one entry per scenario."""
        return {
            "profile": str(self.profile),
            "currency": self.currency,
            "execution": self.execution,
            "scenarios": self.scenarios,
        }


def sweep(
    path: str | Path,
    client: Any = None,
    progress: Counter | None = None,
    avoid: tuple[str, ...] = (),
    optimize: bool | dict[str, Any] | None = None,
    min_cluster_seconds: float = MIN_CLUSTER_SECONDS,
) -> SweepResult:
    """Run every scenario of the file through the plan (and the optimizer, when the file or
    ``optimize`` asks), on Dask when a ``client`` is given and the sweep is large enough to pay."""
    profile_path, scenarios, from_file = read_sweep(path)
    # refused once, before any scenario runs (a CLI review: nine scenarios failed on it, one by one)
    check_countries(datapack.load(), country_codes(avoid))
    profile = load_profile(profile_path)
    options = _options(profile, from_file if optimize is None else ({} if optimize is True else optimize))
    results: list[dict[str, Any]] = []

    def done(batch: list[dict[str, Any]]) -> None:
        results.extend(batch)
        if progress:
            progress(len(results), len(scenarios))

    execution = "in-process"
    shared: dict[tuple, SharedSteps] = {}  # the look-ups of earlier scenarios, per closure set
    if client is None:
        for s in scenarios:
            done([run_scenario(profile, s, avoid, options, shared)])
    else:
        start = time.perf_counter()
        done([run_scenario(profile, scenarios[0], avoid, options, shared)])
        rest = scenarios[1:]
        estimate = (time.perf_counter() - start) * len(rest)
        if estimate < min_cluster_seconds:
            execution = (
                f"in-process: the other {len(rest)} scenarios take about {estimate:.1f} s here, less"
                f" than the {min_cluster_seconds:g} s a cluster needs to pay"
            )
            for s in rest:
                done([run_scenario(profile, s, avoid, options, shared)])
        elif rest:
            execution = _on_dask(client, profile, rest, avoid, options, done)
    by_name = {r["name"]: r for r in results}
    ordered = [by_name[s.name] | {"given": s.given()} for s in scenarios]
    return SweepResult(Path(path).resolve(), profile_path, ordered, execution, profile.currency)


def _options(profile: Profile, optimize: dict[str, Any] | bool | None) -> OptimizeOptions | None:
    """Optimizer options for a sweep: the profile's, with the file's changes; no sensitivity
    re-solves unless asked (a sweep is itself the sensitivity analysis)."""
    if optimize is None or optimize is False:
        return None
    return optimize_options(profile, {"sensitivity": False} | dict(optimize))


def _on_dask(
    client: Any,
    profile: Profile,
    scenarios: list[Scenario],
    avoid: tuple[str, ...],
    options: OptimizeOptions | None,
    done: Any,
) -> str:
    from distributed import as_completed  # only with a cluster: Dask loads on demand

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    tasks = min(len(scenarios), workers * TASKS_PER_WORKER)
    size = math.ceil(len(scenarios) / tasks)
    batches = [scenarios[i : i + size] for i in range(0, len(scenarios), size)]
    # a fresh key per sweep: a content-hashed key races with the cleanup of the last sweep's copy
    shared = client.scatter(profile, broadcast=True, hash=False)
    futures = [client.submit(run_batch, shared, b, avoid, options, pure=False) for b in batches]
    for future in as_completed(futures):
        done(future.result())  # streamed back as each batch finishes
        future.release()
    return (
        f"dask: {_count(len(batches), 'task')} of up to {_count(size, 'scenario')}"
        f" on {_count(workers, 'worker')}"
    )


def _count(n: int, noun: str) -> str:
    """'1 task', '3 tasks'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
