"""The ``kopru`` command line: a thin layer over :mod:`kopru.api`.

Every :class:`~kopru.errors.KopruError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kopru.errors import KopruError

app = typer.Typer(
    help="kopru: where to produce, for whom, at what landed cost — Kazakhstan and Türkiye.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Show and check the data pack and its sources.", no_args_is_help=True)
app.add_typer(data_app, name="data")


out = Console()
err = Console(stderr=True)

OverridesOpt = Annotated[
    Path | None,
    typer.Option("--overrides", help="YAML file of values that replace the data pack's."),
]
CloseOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--close",
        help="Close a node, edge or mode before routing: khorgos, aktau-baku_alat, mode:ferry.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="Scenario store (DuckDB) to record the run in; default: user data folder."),
]
ProfileArg = Annotated[Path, typer.Argument(help="Company profile, YAML or JSON.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Folder for plan.json and report.html.")]

EXAMPLES = resources.files("kopru") / "examples"


def _progress(enabled: bool):
    if not enabled:
        return None, None
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("planning", total=7)

    def step(message: str) -> None:
        bar.update(task, description=message, advance=1)

    return bar, step


def _api():
    from kopru import api  # imported on use: `kopru cflp` and `--help` stay light

    return api


def _run_plan(
    profile: Path, out_dir: Path | None, as_json: bool, overrides, close, optimize=False, store=None
):
    from kopru.report import write_report

    api = _api()
    bar, step = _progress(not as_json and err.is_terminal)
    kwargs = dict(overrides=overrides, disruptions=close or (), optimize=optimize)
    if bar is not None:
        with bar:
            plan = api.plan(profile, progress=step, **kwargs)
    else:
        plan = api.plan(profile, **kwargs)
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            raise KopruError(f"--out {out_dir} is a file; expected a folder")
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "plan.json").write_text(plan.model_dump_json(indent=1), encoding="utf-8")
        write_report(plan, api.load_data(), out_dir / "report.html")
    from kopru.store import record_plan

    run_id = record_plan(plan, store, overrides)
    if as_json:
        sys.stdout.write(plan.model_dump_json(indent=1) + "\n")
        return plan
    _print_plan(plan)
    if out_dir is not None:
        out.print(f"wrote [bold]{out_dir / 'plan.json'}[/] and [bold]{out_dir / 'report.html'}[/]")
    out.print(f"[dim]recorded as run {run_id} (kopru runs show {run_id})[/]")
    return plan


def _compact(value: float | None) -> str:
    """12,345,678 -> 12.3M: keeps the ranking table readable in an 80-column terminal."""
    if value is None:
        return "—"
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"{value / div:.3g}{suffix}"
    return f"{value:.3g}"


SHORT = {
    "materials": "mat",
    "energy": "enrg",
    "labour": "lab",
    "logistics": "logi",
    "duties": "duty",
    "taxes": "tax",
    "capital": "cap",
}


def _per_unit(annual: float | None, volume: float) -> str:
    return "—" if annual is None else f"{annual / volume:.2f}"


def _print_plan(plan) -> None:
    table = Table(
        title=f"{plan.company}: {plan.product}",
        caption=f"total: annual landed cost; other columns: {plan.currency} per unit",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    table.add_column("#", justify="right", min_width=2)
    table.add_column("site", no_wrap=True, max_width=18, overflow="ellipsis")
    table.add_column("total", justify="right", no_wrap=True, min_width=6)
    table.add_column("unit", justify="right", no_wrap=True, min_width=5)
    for comp in plan.components:
        table.add_column(SHORT.get(comp, comp), justify="right", no_wrap=True, min_width=4)
    shown = [plan.site(s) for s in plan.ranking]
    top = shown[:12] + [s for s in shown[12:] if s.country == "TR"]
    volume = sum(m["demand"] for m in plan.markets)
    for s in top:
        lc = s.landed_cost
        best = s.id == plan.recommendation.site
        style = "bold green" if best else ("yellow" if s.country == "TR" else None)
        table.add_row(
            str(s.rank or "—"),
            f"{s.country} {s.name}",
            _compact(lc.total) if lc.total is not None else "no route",
            f"{lc.per_unit:.2f}" if lc.per_unit is not None else "—",
            *[_per_unit(lc.components[c], volume) for c in plan.components],
            style=style,
        )
    out.print(table)
    if len(shown) > len(top):
        out.print(f"({len(shown) - len(top)} more sites in plan.json and the report)")
    if plan.network is not None:
        _print_network(plan)
    if plan.overrides:
        out.print(f"[red]overridden:[/] {', '.join(o['key'] for o in plan.overrides)}")
    if plan.disruptions:
        out.print(f"[red]closed:[/] {', '.join(plan.disruptions)}")
    out.print(f"[bold]Recommendation:[/] {plan.recommendation.text}")


def _print_network(plan) -> None:
    n = plan.network
    if n.objective is None:
        out.print(f"[red]network optimizer: {n.status}[/] — {n.message}")
        return
    head = (
        f"[bold]Network plan[/] ({n.status}, gap {n.gap:.2%}, {n.seconds:.2f} s):"
        f" total {n.objective:,.0f} {n.currency} a year"
    )
    if n.saving_vs_single_site is not None:
        head += f", {n.saving_vs_single_site:,.0f} below the best single site ({n.best_single_site})"
    out.print(head)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("open site", "capacity", "units", "use", "markets served"):
        table.add_column(col, justify="left" if col in ("open site", "markets served") else "right")
    for o in n.open:
        served = [
            f"{f.market}" + (f" {f.share:.0%}" if f.share < 0.999 else "")
            for f in n.flows
            if f.site == o.site
        ]
        table.add_row(
            o.name, _compact(o.capacity), _compact(o.units), f"{o.utilisation:.0%}", ", ".join(served)
        )
    out.print(table)
    if n.sensitivity:
        cheapest = [s for s in n.sensitivity if s.delta is not None][:3]
        alt = "; ".join(f"{s.action} {s.site}: +{s.delta:,.0f}" for s in cheapest)
        out.print(f"closest alternatives: {alt}")


@app.command()
def plan(
    profile: ProfileArg,
    out_dir: OutOpt = None,
    as_json: JsonOpt = False,
    overrides: OverridesOpt = None,
    close: CloseOpt = None,
    optimize: Annotated[
        bool, typer.Option("--optimize", help="Also run the network optimizer (see kopru optimize).")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Landed cost of every candidate site for every market, ranked, with a report."""
    _run_plan(profile, out_dir, as_json, overrides, close, optimize, store)


@app.command("optimize")
def optimize_cmd(
    profile: ProfileArg,
    out_dir: OutOpt = None,
    as_json: JsonOpt = False,
    overrides: OverridesOpt = None,
    close: CloseOpt = None,
    single_source: Annotated[
        bool | None, typer.Option("--single-source/--split", help="Serve each market from one site.")
    ] = None,
    max_sites: Annotated[int | None, typer.Option("--max-sites", help="Open at most N sites.")] = None,
    budget: Annotated[float | None, typer.Option("--capex-budget", help="Total capex allowed.")] = None,
    min_kz_share: Annotated[
        float | None, typer.Option("--min-kz-share", help="Minimum share of demand made in Kazakhstan (0-1).")
    ] = None,
    force_open: Annotated[
        list[str] | None, typer.Option("--force-open", help="Site id to keep open.")
    ] = None,
    force_closed: Annotated[
        list[str] | None, typer.Option("--force-closed", help="Site id to keep closed.")
    ] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds for the solver.")] = None,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity/--no-sensitivity", help="Re-solve with each site forced.")
    ] = True,
    store: StoreOpt = None,
) -> None:
    """Which sites to open, at what capacity, and who serves whom (a facility-location MILP)."""
    given = {
        "single_source": single_source,
        "max_sites": max_sites,
        "capex_budget": budget,
        "min_kz_share": min_kz_share,
        "force_open": tuple(force_open) if force_open else None,
        "force_closed": tuple(force_closed) if force_closed else None,
        "time_limit": time_limit,
        "sensitivity": sensitivity,
    }
    options = {k: v for k, v in given.items() if v is not None}
    _run_plan(profile, out_dir, as_json, overrides, close, options, store)


@app.command()
def cflp(
    file: Annotated[Path, typer.Argument(help="OR-Library capacitated warehouse location file.")],
    single_source: Annotated[
        bool, typer.Option("--single-source", help="Each customer from one warehouse.")
    ] = False,
    capacity: Annotated[
        float | None, typer.Option("--capacity", help="Capacity of every warehouse (capa, capb, capc).")
    ] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds for the solver.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Solve an OR-Library CFLP instance (cap41 ... capc) to proven optimality or a time limit."""
    from kopru.network import solve
    from kopru.orlib import read_cap

    if capacity is not None and capacity <= 0:
        raise KopruError(f"--capacity must be > 0, got {capacity:g}")
    if time_limit is not None and time_limit <= 0:
        raise KopruError(f"--time-limit must be > 0, got {time_limit:g}")
    from kopru.network import InfeasibleError, Solution, Status

    try:
        solution = solve(read_cap(file, capacity, single_source), time_limit=time_limit)
    except InfeasibleError as exc:  # an answer, not a usage error: report it like a solution
        solution = Solution.empty(Status.INFEASIBLE, str(exc))
    if as_json:
        sys.stdout.write(json.dumps(solution.as_dict()) + "\n")
        return
    if solution.objective is None:
        out.print(f"{file.name}: {solution.status.value} — {solution.message}")
        return
    out.print(
        f"{file.name}: {solution.status.value}, objective {solution.objective:,.3f}, bound"
        f" {solution.bound:,.3f}, gap {solution.gap:.2e}, {len(solution.open)} open"
        f" ({', '.join(map(str, solution.open))}), {solution.seconds:.2f} s"
        f" (build {solution.build_seconds:.2f} s, {solution.formulation} linking)"
    )


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's output.")] = Path("out/demo"),
) -> None:
    """Run the apparel example end to end: plan, table, plan.json and report.html."""
    with resources.as_file(EXAMPLES / "apparel.yaml") as path:
        out.print(f"[dim]profile: {path}[/]")
        _run_plan(path, out_dir, False, None, None)


@app.command()
def route(
    origin: Annotated[str, typer.Argument(help="Corridor node id, e.g. almaty.")],
    destination: Annotated[str, typer.Argument(help="Corridor node id, e.g. istanbul.")],
    fastest: Annotated[bool, typer.Option("--fastest", help="Minimise days, not cost.")] = False,
    close: CloseOpt = None,
    overrides: OverridesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The cheapest (or fastest) corridor route between two nodes, leg by leg."""
    r = _api().route(origin, destination, "time" if fastest else "cost", close or (), overrides)
    if as_json:
        sys.stdout.write(json.dumps(r.as_dict(), indent=1) + "\n")
        return
    table = Table(title=f"{origin} → {destination} ({'fastest' if fastest else 'cheapest'})")
    for col in ("from", "to", "mode", "km", "days", "USD/TEU", "kg CO2e/t"):
        table.add_column(col, justify="right" if col[0].isdigit() or col in ("km", "days") else "left")
    for leg in r.legs:
        table.add_row(
            leg.origin,
            leg.destination,
            leg.mode,
            f"{leg.distance_km:,.0f}",
            f"{leg.days:.1f}",
            f"{leg.cost_usd_per_teu:,.0f}",
            f"{leg.co2_kg_per_t:,.1f}",
        )
    table.add_row(
        "total",
        "",
        ", ".join(r.modes),
        f"{r.distance_km:,.0f}",
        f"{r.days:.1f}",
        f"{r.cost_usd_per_teu:,.0f}",
        f"{r.co2_kg_per_t:,.1f}",
        style="bold",
    )
    out.print(table)


DATA_TABLES = (
    "parameters",
    "sources",
    "regions",
    "sez",
    "industrial_zones",
    "provinces",
    "markets",
    "tariffs",
    "trade_rules",
    "nodes",
    "edges",
)


@data_app.command("list")
def data_list(overrides: OverridesOpt = None, as_json: JsonOpt = False) -> None:
    """The tables of the data pack and their sizes."""
    pack = _api().load_data(overrides)
    sizes = {name: len(_table(pack, name)) for name in DATA_TABLES}
    if as_json:
        sys.stdout.write(json.dumps({"version": pack.version, "tables": sizes}, indent=1) + "\n")
        return
    table = Table(title=f"kopru data pack {pack.version}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in sizes.items():
        table.add_row(name, str(n))
    out.print(table)
    out.print("show one with [bold]kopru data show TABLE[/] or a subject: [bold]kopru data show KZ-23[/]")


def _table(pack, name: str):
    return (
        pack.parameters if name == "parameters" else pack.sources if name == "sources" else pack.tables[name]
    )


@data_app.command("show")
def data_show(
    what: Annotated[str, typer.Argument(help="A table name, or a subject such as KZ-23, TR-16, KZT.")],
    overrides: OverridesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a table, or every parameter of one subject, with units and sources."""
    pack = _api().load_data(overrides)
    if what in DATA_TABLES:
        df = _table(pack, what)
    else:
        df = pack.parameters[pack.parameters["subject"] == what]
        if df.empty:
            raise KopruError(
                f"{what!r} is neither a table ({', '.join(DATA_TABLES)}) nor a subject with values"
            )
    df = df.drop(columns=[c for c in ("file",) if c in df.columns])
    if as_json:
        sys.stdout.write(df.to_json(orient="records", indent=1, force_ascii=False) + "\n")
        return
    table = Table(title=what, show_lines=False)
    for col in df.columns:
        table.add_column(str(col), overflow="fold", max_width=48)
    for row in df.itertuples(index=False):
        table.add_row(*["" if v is None else str(v) for v in row])
    out.print(table)


@data_app.command("sources")
def data_sources(as_json: JsonOpt = False) -> None:
    """Every source of the data pack."""
    pack = _api().load_data()
    df = pack.sources.drop(columns=["file"])
    if as_json:
        sys.stdout.write(df.to_json(orient="records", indent=1, force_ascii=False) + "\n")
        return
    table = Table(title=f"{len(df)} sources")
    for col in ("id", "title", "publisher", "year", "url"):
        table.add_column(col, overflow="fold", max_width=50)
    for _, r in df.iterrows():
        table.add_row(r["id"], r["title"], r["publisher"], r["year"], r["url"])
    out.print(table)


@data_app.command("validate")
def data_validate(overrides: OverridesOpt = None) -> None:
    """Load and check the whole data pack (and an overrides file); exit 2 on the first problem."""
    from kopru.corridors import Network

    pack = _api().load_data(overrides)
    network = Network(pack)
    lanes = network.lanes(list(pack.nodes.index), list(pack.nodes.index))
    if not lanes.reachable.all():
        o, d = (int(i[0]) for i in (~lanes.reachable).nonzero())
        raise KopruError(
            f"corridor network is not connected: no route from {lanes.origins[o]} to {lanes.destinations[d]}"
        )
    n_values = len(pack.parameters)
    out.print(
        f"[green]data pack {pack.version} is valid[/]: {n_values} values, {len(pack.sources)} sources,"
        f" {len(pack.nodes)} nodes, {len(pack.edges)} edges, every value sourced"
        + (f"; {len(pack.overrides)} overrides applied" if pack.overrides else "")
    )


_mounted = False
LIGHT_COMMANDS = ("cflp",)  # timed as whole processes: they skip the heavier command groups


def mount_all() -> typer.Typer:
    """Register the risk, ranking, store, sweep, space and web commands (once).

    They are mounted on demand because their modules import NumPy, DuckDB and the satellite
    code; ``kopru cflp`` is timed as a whole process and needs none of them.
    """
    global _mounted
    if not _mounted:
        from kopru.decisions_cli import rank, risk, runs_app, sweep
        from kopru.space.cli import app as space_app
        from kopru.web.cli import serve  # light: uvicorn and the app load only when it runs

        app.command()(risk)
        app.command()(rank)
        app.command()(sweep)
        app.add_typer(runs_app, name="runs")
        app.add_typer(
            space_app,
            name="space",
            help="Pooled ground stations and imaging for Kazakh, Turkish and OTS satellites.",
        )
        app.command("serve")(serve)
        _mounted = True
    return app


def main() -> None:
    """Entry point: run the app, turning kopru's errors into one line and exit code 2."""
    if not (len(sys.argv) > 1 and sys.argv[1] in LIGHT_COMMANDS):
        mount_all()
    try:
        app()  # typer reports its own usage errors with exit code 2
    except KopruError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
