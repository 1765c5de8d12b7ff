"""kopru's public API: every verb the command line and the web app use, and nothing deeper.

    import kopru
    plan = kopru.plan("examples/apparel.yaml")              # a path, a mapping or a Profile
    print(plan.recommendation.text)
    risk = kopru.risk("examples/apparel.yaml", samples=20_000, seed=7)
    ranking = kopru.rank("examples/apparel.yaml", method="vikor")
    kopru.write_report(plan, "out/", risk=risk, ranking=ranking)
    kopru.open_store().record_plan(plan)

Every verb that works on a company profile takes it as a :class:`~kopru.profile.Profile`, a path
to a YAML/JSON file or a mapping of its fields, and coerces it in one place
(:func:`kopru.profile.as_profile`). Every result has ``as_dict()``, which is what ``--json``
prints. Every error is a :class:`~kopru.errors.KopruError` (see :mod:`kopru.errors`).

The space planner's verbs are ``kopru.space.passes``, ``pool`` and ``imaging``.

Engines load on first use, so that ``import kopru`` and each command start fast: the optimizer
(HiGHS), the Monte Carlo engine (SciPy), Dask, DuckDB and the report (plotly, Jinja2) are imported
by the verbs that need them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kopru.errors import OptionError, RiskError, RouteError
from kopru.profile import ProfileLike, as_profile, optimize_options
from kopru.profile import load_profile as _load_profile
from kopru.progress import Counter, Steps

if TYPE_CHECKING:
    from kopru.assignment import GapProblem, GapSolution
    from kopru.comparison import SiteComparison
    from kopru.corridors import Criterion, Route
    from kopru.datapack import DataPack
    from kopru.datapack.freshness import DatedValue
    from kopru.facility import FacilityProblem, Solution
    from kopru.matchmaking import MatchResult
    from kopru.mcda import Method, RankResult
    from kopru.montecarlo import RiskResult
    from kopru.planner import Plan
    from kopru.profile import Profile
    from kopru.quotes import QuoteCheck
    from kopru.report import ReportFolder
    from kopru.scenarios import SweepResult
    from kopru.store import Store

__all__ = [
    "check_data",
    "check_lanes",
    "check_out_folder",
    "compare",
    "load_data",
    "load_profile",
    "match",
    "open_store",
    "optimize",
    "plan",
    "rank",
    "refresh_fx",
    "risk",
    "route",
    "solve_cflp",
    "solve_gap",
    "stale_data",
    "sweep",
    "write_report",
    "write_sweep",
]

Overrides = str | Path | Mapping[str, Any] | None
Disruptions = tuple[str, ...] | list[str]
Countries = tuple[str, ...] | list[str]


def load_data(overrides: Overrides = None) -> DataPack:
    """The validated data pack, with the user's overrides (a YAML file or a mapping) applied: a copy
    of its own, to change freely (kopru's plans and routes keep reading the pack as shipped)."""
    import copy

    return copy.deepcopy(data_pack(overrides))


def data_pack(overrides: Overrides = None) -> DataPack:
    """The data pack kopru itself reads, shared by every call (not to be changed: see load_data)."""
    from kopru import datapack

    return datapack.load(_overrides(overrides))


def load_profile(path: str | Path) -> Profile:
    """Read and validate a company profile file (YAML or JSON)."""
    return _load_profile(path)


def check_data(overrides: Overrides = None) -> dict[str, Any]:
    """Load the data pack (and overrides), check that every corridor node reaches every other, and
    say what it holds: ``{"version", "values", "sources", "nodes", "edges", "overrides"}``, and how
    much is sourced: ``"tables"`` (sourced and assumed rows per table), ``"families"`` (per family
    of regional values and country: regions with their own sourced value, an estimate, a borrowed
    value or none), ``"regions"`` (each region's status per family) and ``"borrowed"`` (per family
    and country, the regions on the country's value and that row's note: why)."""
    from dataclasses import asdict

    from kopru.corridors import Network, check_connected
    from kopru.datapack.coverage import borrowed, family_counts, region_values, table_counts

    pack = data_pack(overrides)
    check_connected(Network(pack))
    regions = region_values(pack)
    families = family_counts(regions)
    return {
        "version": pack.version,
        "values": len(pack.parameters),  # every parameter row, earlier years' included
        "current_values": len(pack.parameters.drop_duplicates(["subject", "quantity"])),
        "sources": len(pack.sources),
        "nodes": len(pack.nodes),
        "edges": len(pack.edges),
        "overrides": len(pack.overrides),
        "tables": table_counts(pack).reset_index().to_dict("records"),
        "families": [
            {"family": f, "country": c, **{k: int(v) for k, v in row.items()}}
            for (f, c), row in families.iterrows()
        ],
        "regions": [asdict(v) for v in regions],
        "borrowed": [asdict(b) for b in borrowed(pack, regions)],
    }


def check_lanes(overrides: Overrides = None) -> list[QuoteCheck]:
    """Every published freight quote of the data pack (lane_quotes.csv) against kopru's route for
    the same lane: kopru's cost per TEU or days, the ratio and whether it lies within ±25 %."""
    from kopru.quotes import check_quotes

    return check_quotes(data_pack(overrides))


def refresh_fx(out: str | Path, *, client: Any = None) -> list[Any]:
    """Ask the National Bank of Kazakhstan, the CBRT and the ECB for their latest rates per US
    dollar and write them to the overrides file ``out``; returns the rates. ``client`` is an
    ``httpx.Client`` (one is made when None); offline, a :class:`~kopru.errors.FeedError` says so."""
    import httpx

    from kopru.datapack.fxfeeds import check_target, fetch_rates, write_overrides

    out = check_target(out)  # before asking the network: a file kopru must not overwrite is refused
    if client is None:
        with httpx.Client(headers={"User-Agent": "kopru"}) as own:
            rates = fetch_rates(own)
    else:
        rates = fetch_rates(client)
    draft = write_overrides(rates, out.with_name(out.name + ".part"))
    try:
        data_pack(draft)  # a valid overrides file of this data pack, or the old file stays
        draft.replace(out)
    finally:
        draft.unlink(missing_ok=True)
    return rates


def stale_data(months: int, *, overrides: Overrides = None, today: date | None = None) -> list[DatedValue]:
    """Values of the data pack older than ``months`` months (a year Y counts as of 31 December Y),
    oldest first; each names the key an overrides file replaces it with."""
    from kopru.datapack.freshness import stale_values

    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise OptionError(f"months must be a whole number >= 0, got {months!r}", field="months")
    return stale_values(data_pack(overrides), months, today)


def plan(
    profile: ProfileLike,
    *,
    overrides: Overrides = None,
    disruptions: Disruptions = (),
    progress: Steps | None = None,
    optimize: bool | Mapping[str, Any] = False,
    avoid: Countries = (),
) -> Plan:
    """Landed cost of every candidate site for every target market, ranked, with sources.

    ``disruptions`` closes corridor nodes, edges or modes (``"khorgos"``, ``"aktau-baku_alat"``,
    ``"mode:ferry"``) before routing; ``avoid`` names countries no route may pass through (ISO
    codes such as ``"RU"``; a market inside one is still served by a single leg into it).
    ``optimize`` also runs the network optimizer, with the profile's ``optimize`` options updated
    by a mapping when one is given.
    """
    from kopru.planner import make_plan

    prof = as_profile(profile)
    if not isinstance(optimize, bool | Mapping):
        raise OptionError(
            f"optimize must be True, False or a mapping of optimizer options, got {optimize!r}",
            field="optimize",
        )
    options = optimize_options(prof, optimize)
    return make_plan(
        prof,
        _overrides(overrides),
        _names(disruptions, "disruptions"),
        progress,
        options,
        _names(avoid, "avoid"),
    )


def optimize(
    profile: ProfileLike,
    *,
    overrides: Overrides = None,
    disruptions: Disruptions = (),
    progress: Steps | None = None,
    avoid: Countries = (),
    **options: Any,
) -> Plan:
    """The plan with the network optimizer run: which sites open, at what capacity, who serves whom.

    Keyword options override the profile's ``optimize`` block: ``single_source``, ``max_sites``,
    ``capex_budget``, ``min_kz_share``, ``force_open``, ``force_closed``, ``time_limit``, ``gap``,
    ``sensitivity``, ``capacity_levels``.
    """
    return plan(
        profile,
        overrides=overrides,
        disruptions=disruptions,
        progress=progress,
        optimize=options or True,
        avoid=avoid,
    )


def route(
    origin: str,
    destination: str,
    *,
    criterion: Criterion = "cost",
    disruptions: Disruptions = (),
    overrides: Overrides = None,
    avoid: Countries = (),
) -> Route:
    """The cheapest (``criterion="cost"``) or fastest (``"time"``) corridor route between nodes,
    passing through none of the ``avoid`` countries: it may start in one and leave it, or enter one
    and end there over that country's own lines."""
    from kopru.corridors import Network, check_countries, node_id
    from kopru.units import country_codes

    if criterion not in ("cost", "time", "distance"):
        raise OptionError(f"criterion must be cost, time or distance, got {criterion!r}", field="criterion")
    for name, node in (("origin", origin), ("destination", destination)):
        if not isinstance(node, str):
            raise OptionError(f"{name} must be a node's id or name (text), got {node!r}", field=name)
    pack = data_pack(overrides)
    avoid = country_codes(_names(avoid, "avoid"))
    check_countries(pack, avoid)
    origin, destination = node_id(pack, origin, "origin"), node_id(pack, destination, "destination")
    if origin == destination:
        raise RouteError(f"origin and destination are the same node ({origin}); name two different nodes")
    network = Network(pack)
    if disruptions:
        network = network.close(*_names(disruptions, "disruptions"))
    if avoid:
        network = network.avoiding(tuple(avoid), (origin, destination))
    found = network.route(origin, destination, criterion)
    return dataclasses.replace(found, restricted=_restricted_transit(pack, found))


def _restricted_transit(pack: Any, found: Route) -> tuple[dict[str, str], ...]:
    """The countries under restrictions a route passes through, the countries of its two ends left
    out (a market or a source in such a country is reached, not crossed), in the order it meets them."""
    from kopru.corridors import restricted_crossed
    from kopru.display import COUNTRY_NAMES

    rules = pack.table("restrictions")
    country = pack.nodes["country"]
    ends = {country.get(found.origin), country.get(found.destination)}
    met = restricted_crossed(pack, [leg.destination for leg in found.legs[:-1]], ends)
    return tuple(
        {"country": c, "name": COUNTRY_NAMES.get(c, c), "restriction": str(rules.at[c, "restriction"])}
        for c in met
    )


def risk(
    profile: ProfileLike,
    *,
    samples: int = 10_000,
    seed: int = 0,
    overrides: Overrides = None,
    disruptions: Disruptions = (),
    uncertainty: str | Path | None = None,
    client: Any = None,
    progress: Counter | None = None,
    blocks_per_chunk: int | None = None,
    avoid: Countries = (),
    workers: int | None = None,
    per_unit: bool = False,
) -> RiskResult:
    """Monte Carlo risk of every candidate site's annual landed cost.

    ``uncertainty`` is a YAML file of distributions that replace or add to the shipped ones;
    ``client`` a Dask client to run the chunks on, ``workers`` processes on this machine (default:
    one per core from 500,000 samples); the answer is the same bit for bit. The cost per unit sold
    has its quantiles for the recommended site and the Turkish baseline, for every site with
    ``per_unit`` (a second sort of every column: about a fifth more time at 10 million samples).
    """
    from kopru.inputs import prepare
    from kopru.montecarlo import build_model, load_uncertainty, run
    from kopru.provenance import RunInputs

    prof = as_profile(profile)
    pack = data_pack(overrides)
    spec = load_uncertainty(uncertainty, pack)
    prepared = prepare(prof, pack, _names(disruptions, "disruptions"), avoid=_names(avoid, "avoid"))
    model = dataclasses.replace(build_model(prepared, spec), per_unit_all=per_unit)
    result = run(model, samples, seed, blocks_per_chunk, client, progress, workers=workers)
    return dataclasses.replace(result, inputs=RunInputs.of_prepared(prepared))


def rank(
    profile: ProfileLike,
    *,
    weights: str | Path | Mapping[str, Any] | None = None,
    method: Method = "topsis",
    samples: int = 5_000,
    seed: int = 0,
    overrides: Overrides = None,
    disruptions: Disruptions = (),
    avoid: Countries = (),
) -> RankResult:
    """Rank the sites on cost, cost risk, NPV, distance to markets, border crossings and
    access to a seaport (see ``datapack/data/criteria.yaml``).

    ``weights`` is a YAML file (``weights: {cost: 0.5, ...}`` or an AHP pairwise matrix) or its
    content as a mapping (``{"cost": 0.5, ...}`` alone will do); the risk
    criterion comes from ``samples`` Monte Carlo draws with ``seed``.
    """
    from kopru.mcda import rank_sites

    prof = as_profile(profile)
    the_plan = plan(prof, overrides=overrides, disruptions=disruptions, avoid=avoid)
    # every site's cost per unit sold: the tail criterion is of the cost, not of the volume sold
    result = risk(
        prof,
        samples=samples,
        seed=seed,
        overrides=overrides,
        disruptions=disruptions,
        avoid=avoid,
        per_unit=True,
    )
    return rank_sites(the_plan, result, data_pack(overrides), weights, method)


def compare(
    profile: ProfileLike,
    sites: list[str] | tuple[str, ...],
    *,
    samples: int = 0,
    seed: int = 0,
    overrides: Overrides = None,
    disruptions: Disruptions = (),
    avoid: Countries = (),
) -> SiteComparison:
    """Two or three sites of the plan side by side: cost by component and market, routes, duties,
    incentives, appraisal, the data-pack inputs with their sources and, with ``samples``, risk.

    Sites are named by id, by name or by a part of one name (``"Turan"``)."""
    from kopru.comparison import compare_sites, resolve_sites

    prof = as_profile(profile)
    the_plan = plan(prof, overrides=overrides, disruptions=disruptions, avoid=avoid)
    chosen = resolve_sites(the_plan, list(_names(sites, "sites")))
    result, notes = None, []
    if samples:
        try:
            result = risk(
                prof, samples=samples, seed=seed, overrides=overrides, disruptions=disruptions, avoid=avoid
            )
        except RiskError as exc:  # the comparison stands without its risk rows: say why they are missing
            notes.append(f"Risk rows not drawn: {exc}")
    return compare_sites(the_plan, chosen, result, notes)


def sweep(
    path: str | Path,
    *,
    client: Any = None,
    progress: Counter | None = None,
    avoid: Countries = (),
    optimize: bool | Mapping[str, Any] | None = None,
) -> SweepResult:
    """Run every scenario of a scenario file (a list and/or a grid of what-ifs) through the plan;
    ``avoid`` adds countries no route of any scenario may pass through; ``optimize`` (True or
    optimizer options; default: the file's ``optimize:``) runs the network optimizer in each.
    With a Dask ``client``, scenarios go to the cluster in batches when the sweep is large enough
    to pay (``SweepResult.execution`` says where it ran)."""
    from kopru.scenarios import sweep as run_sweep

    chosen = dict(optimize) if isinstance(optimize, Mapping) else optimize
    return run_sweep(path, client, progress, _names(avoid, "avoid"), chosen)


def check_out_folder(out: str | Path) -> Path:
    """The folder ``out``, created if needed; a path that is a file is an OptionError (checked
    before a long run, not after it)."""
    from kopru.report.folder import prepare_folder

    return prepare_folder(out)


def write_sweep(result: SweepResult, out: str | Path, *, languages: Sequence[str] = ()) -> list[Path]:
    """Write a sweep's ``sweep.json``, ``sweep.html`` and ``sweep.xlsx`` into the folder ``out``: each
    scenario with what it changes, the site that comes first and its cost against the reference
    scenario and the best Turkish option, and the leading sites' cost and rank in every scenario;
    ``languages``: the page and the workbook also in these (``tr``: ``tr/sweep.html``, ``tr/sweep.xlsx``)."""
    from kopru.report.sweep import write_sweep_folder

    return write_sweep_folder(result, data_pack(), out, tuple(languages))


def match(
    pipeline: str | Path,
    *,
    zones: str | Path | None = None,
    objective: str = "jobs",
    hurdle_pct: float | None = None,
    min_jobs: Mapping[str, float] | None = None,
    max_incentive_cost: float | None = None,
    time_limit: float | None = 60.0,
    overrides: Overrides = None,
    progress: Steps | None = None,
    shadow: bool = True,
    include_operating: bool = False,
    prefer: str = "state_cost",
    confirmed_only: bool = False,
    avoid: Countries = (),
) -> MatchResult:
    """Match a pipeline of enterprises (CSV, YAML or Parquet) to the zones (the data pack's SEZs and
    industrial zones; ``zones`` a CSV of capacities replacing or adding to theirs): each enterprise
    to at most one zone where its sector and regions allow, that has a route to its markets and
    saves its hurdle (``hurdle_pct``, default 10 %) against its Turkish baseline, within the zones'
    capacities, maximising ``objective`` (jobs, investment, exports, value_added, savings, npv_gain or
    weighted), with optional targets (at least ``min_jobs[region]`` jobs in a region; the zones'
    incentives costing the state at most ``max_incentive_cost`` USD a year). Plants already
    operating are placed only with ``include_operating``; ties at the optimum go to the least cost
    to the state (``prefer="state_cost"``) or the largest saving for the enterprises ("saving");
    ``confirmed_only`` places in an SEZ only where its priority sectors confirm the enterprise's;
    ``avoid`` names countries no route may pass through (a market or a source in one is still
    reached), as a plan's ``avoid`` does."""
    import math
    import time

    from kopru.matchmaking import (
        OBJECTIVES,
        TEMPLATES,
        Targets,
        check_match_avoid,
        cost_template,
        load_zones,
        pair_table,
        read_pipeline,
        solve_portfolio,
    )
    from kopru.matchmaking.portfolio import EXACT_UP_TO, trade_offs
    from kopru.provenance import provenance

    say = progress or (lambda _msg: None)
    if objective not in OBJECTIVES:
        raise OptionError(
            f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}", field="objective"
        )
    if hurdle_pct is not None and not 0 <= hurdle_pct < 100:  # as a row's hurdle_pct
        raise OptionError(
            f"hurdle_pct must be a saving in per cent, from 0 to below 100, got {hurdle_pct:g}",
            field="hurdle_pct",
        )
    if time_limit is not None and not time_limit > 0:
        raise OptionError(f"time_limit must be > 0, got {time_limit:g}", field="time_limit")
    pack = data_pack(overrides)
    avoid = check_match_avoid(pack, _names(avoid, "avoid"))
    say("reading the pipeline and the zones")
    pipe = read_pipeline(pipeline, pack, set(TEMPLATES))
    zone_table = load_zones(pack, zones)
    for resource, capacity in zone_table.capacity.items():
        needed = pipe.table[resource].notna()
        if needed.any() and not (capacity == capacity).any():  # given needs, but no zone declares it
            row = int(needed.to_numpy().argmax()) + 2
            from kopru.errors import MatchError

            raise MatchError(
                f"pipeline row {row}: {resource} is a need no zone declares a capacity for;"
                f" give zones' {resource} in --zones or leave the column blank",
                field=resource,
            )
    say("costing each sector template at every site")
    markets = tuple(sorted({m for ms in pipe.table["markets"] for m in ms}))
    templates = {
        name: cost_template(name, pack, markets, pipe.folder, avoid)
        for name in sorted(set(pipe.table["template"]))
    }
    say("pricing every enterprise × zone pair")
    pairs = pair_table(pipe, zone_table, templates, pack, hurdle_pct, include_operating, confirmed_only)
    say("choosing the portfolio")
    targets = Targets(dict(min_jobs or {}), max_incentive_cost)
    # the time limit is one budget for every solve: portfolio, tie-breaks, shadow values, trade-offs
    started = time.perf_counter()
    deadline = started + time_limit if time_limit is not None else math.inf
    result = solve_portfolio(
        pipe, zone_table, pairs, objective, targets, time_limit, shadow, prefer=prefer, deadline=deadline
    )
    result.templates = templates
    result.avoid = avoid
    result.provenance = provenance(pack.version)
    if shadow and len(pipe) <= EXACT_UP_TO:  # a few solves more; a large pipeline skips them
        say("comparing the objectives")
        result.trade_offs = trade_offs(result, deadline)
    result.seconds = time.perf_counter() - started  # every solve, the trade-off table's too
    return result


def solve_gap(
    problem: str | Path | GapProblem,
    *,
    maximize: bool | None = None,
    time_limit: float | None = None,
    gap: float = 1e-9,
) -> list[GapSolution]:
    """Solve a generalized assignment problem (a GapProblem, or every instance of an OR-Library GAP
    file) to proven optimality or the time limit; an infeasible one gives a solution whose status
    says so and whose message says why."""
    from kopru.assignment import GapProblem, GapSolution, Status, read_gap
    from kopru.assignment import solve_gap as solve
    from kopru.errors import InfeasibleError

    if time_limit is not None and not time_limit > 0:
        raise OptionError(f"time_limit must be > 0, got {time_limit:g}", field="time_limit")
    problems = [problem] if isinstance(problem, GapProblem) else read_gap(problem, maximize)
    out = []
    for p in problems:
        try:
            solution = solve(p, time_limit=time_limit, gap=gap)
        except InfeasibleError as exc:  # an answer, not a usage error: reported like a solution
            import numpy as np

            m, n = p.shape
            # the shape the solver's own proof gives: every job unassigned, nothing used
            solution = GapSolution(
                Status.INFEASIBLE,
                None,
                None,
                None,
                0.0,
                assignment=-np.ones(n, dtype=np.int64),
                used=np.zeros((p.resources, m)),
                agents=m,
                jobs=n,
                message=str(exc),
            )
        solution.maximize = p.maximize  # the sense the objective is read in (a file name may decide it)
        out.append(solution)
    return out


def solve_cflp(
    problem: str | Path | FacilityProblem,
    *,
    capacity: float | None = None,
    single_source: bool = False,
    time_limit: float | None = None,
) -> Solution:
    """Solve a capacitated facility-location problem (an OR-Library file or a problem) to proven
    optimality or the time limit; an infeasible one gives a solution whose status says so."""
    from kopru.errors import InfeasibleError
    from kopru.facility import FacilityProblem, Solution, Status, read_cap, solve

    if capacity is not None and not 0 < capacity <= 1e15:
        raise OptionError(
            f"capacity must be a number above 0 and at most 1e15, got {capacity:g}", field="capacity"
        )
    if time_limit is not None and not time_limit > 0:
        raise OptionError(f"time_limit must be > 0, got {time_limit:g}", field="time_limit")
    p = problem if isinstance(problem, FacilityProblem) else read_cap(problem, capacity, single_source)
    try:
        return solve(p, time_limit=time_limit)
    except InfeasibleError as exc:  # an answer, not a usage error: reported like a solution
        return Solution.empty(Status.INFEASIBLE, str(exc))


def open_store(path: str | Path | None = None) -> Store:
    """The scenario store (DuckDB) at ``path``; default ``$KOPRU_STORE`` or the user's data folder."""
    from kopru.store import open_store as open_

    return open_(path)


def write_report(
    plan: Plan,
    out: str | Path,
    *,
    risk: RiskResult | Mapping[str, Any] | None = None,
    ranking: RankResult | Mapping[str, Any] | None = None,
    overrides: Overrides = None,
    keep_views: bool = True,
    languages: Sequence[str] = (),
) -> ReportFolder:
    """Write ``plan.json`` and ``report.html`` into the folder ``out``, with the risk and ranking views.

    Views are kept beside the report (``risk.json``, ``ranking.json``): a later call for the same
    inputs adds its view to those kept, so a risk run and a ranking into one folder give one report.
    ``keep_views=False`` draws only what is given. ``overrides`` are the plan's, for the sources.
    ``languages``: the one-page summary also in these (``tr``: ``tr/summary.html`` and ``.pdf``).
    """
    from kopru.report import write_folder

    return write_folder(out, plan, data_pack(overrides), risk, ranking, keep_views, tuple(languages))


def _overrides(overrides: Overrides) -> Any:
    if overrides is None or isinstance(overrides, str | Path):
        return overrides
    if isinstance(overrides, Mapping):
        return dict(overrides)
    raise OptionError(
        f"overrides must be a YAML file's path or a mapping of key to value, got {type(overrides).__name__}",
        field="overrides",
    )


def _names(value: Any, field: str) -> tuple[str, ...]:
    """Names given one or several ways: 'khorgos' or ['khorgos', 'mode:ferry'] (a single string is
    one name, not its letters)."""
    if value is None:
        return ()
    items = (value,) if isinstance(value, str) else value
    try:
        items = tuple(items)
    except TypeError:
        raise OptionError(f"{field} must be a name or a list of names, got {value!r}", field=field) from None
    bad = [v for v in items if not isinstance(v, str)]
    if bad:
        raise OptionError(f"{field} must be names (text), got {bad[0]!r}", field=field)
    return items
