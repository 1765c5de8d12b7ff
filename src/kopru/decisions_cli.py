"""CLI commands for decisions under uncertainty: ``kopru risk``, ``rank``, ``sweep`` and ``runs``.

Plain functions registered on the main app by :mod:`kopru.cli`; no logic lives here beyond
printing (the work is in :mod:`kopru.risk`, :mod:`kopru.mcda`, :mod:`kopru.store` and
:mod:`kopru.sweep`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

out = Console()
err = Console(stderr=True)

ProfileArg = Annotated[Path, typer.Argument(help="Company profile, YAML or JSON.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
OverridesOpt = Annotated[
    Path | None, typer.Option("--overrides", help="YAML file of values that replace the data pack's.")
]
CloseOpt = Annotated[
    list[str] | None, typer.Option("--close", help="Close a node, edge or mode: khorgos, mode:ferry.")
]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="Scenario store (DuckDB file); default in the user's data folder."),
]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="Do not record this run.")]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Folder: (re)write plan.json and report.html with this view (kept as risk.json, ranking.json).",
    ),
]
VIEWS = ("risk", "ranking")  # the report views; each is kept as <name>.json next to report.html


def _bar(enabled: bool, label: str):
    """A progress bar on stderr when it is a terminal; else a no-op callback."""
    if not enabled:
        return None, None
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task(label, total=None)

    def step(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, step


def _money(value: float) -> str:
    """12,345,678 -> 12.35M: keeps the tables inside an 80-column terminal."""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"{value / div:.3g}{suffix}"
    return f"{value:.4g}"


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n")


def _record(store: Path | None, no_store: bool, kind: str, **fields: Any) -> str | None:
    if no_store:
        return None
    from kopru import store as store_mod

    return store_mod.open_store(store).record(kind, **fields)


def risk(
    profile: ProfileArg,
    samples: Annotated[int, typer.Option("--samples", min=1, help="Monte Carlo draws.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed: same seed, same answer.")] = 0,
    uncertainty: Annotated[
        Path | None,
        typer.Option(
            "--uncertainty", help="YAML of distributions replacing the data pack's uncertainty.yaml."
        ),
    ] = None,
    dask: Annotated[bool, typer.Option("--dask", help="Run the chunks on a local Dask cluster.")] = False,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run on an existing Dask cluster: tcp://HOST:8786.")
    ] = None,
    overrides: OverridesOpt = None,
    close: CloseOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    out_dir: OutOpt = None,
) -> None:
    """Monte Carlo risk of every site's annual landed cost: mean, p5/p50/p95, CVaR95, P(best), regret."""
    from kopru import risk as risk_mod
    from kopru.sweep import dask_client

    bar, step = _bar(not as_json and err.is_terminal, "sampling")
    with dask_client(dask, scheduler) as client:
        kwargs = dict(
            samples=samples,
            seed=seed,
            overrides=overrides,
            disruptions=close or (),
            uncertainty=uncertainty,
            client=client,
        )
        if bar is not None:
            with bar:
                result = risk_mod.risk(profile, progress=step, **kwargs)
        else:
            result = risk_mod.risk(profile, **kwargs)
    data = result.to_json()
    if not no_store:
        from kopru.store import record_risk

        record_risk(result, profile, store, overrides, close or [])
    if out_dir is not None:

        def view(plan: Any) -> dict[str, Any]:
            from kopru.report import risk_view

            draws = _risk_draws(profile, samples, seed, overrides, close or [], uncertainty)
            return risk_view(result, draws, baseline=plan.recommendation.baseline_site)

        _write_report(out_dir, "risk", view, profile, overrides, close or [], as_json)
    if as_json:
        _print_json(data)
        return
    _print_risk(result)


def _print_risk(result) -> None:
    table = Table(
        title=f"Annual landed cost under uncertainty ({result.samples:,} samples, seed {result.seed})",
        caption=f"{result.currency} a year; CVaR95 = mean of the costliest 5 %",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    table.add_column("site", no_wrap=True, max_width=16, overflow="ellipsis")
    for col in ("mean", "p5", "p50", "p95", "CVaR95", "P(best)", "regret"):
        table.add_column(col, justify="right", no_wrap=True, min_width=6)
    for s in result.sites[:15]:
        table.add_row(
            s.id,
            *(_money(v) for v in (s.mean, s.p5, s.p50, s.p95, s.cvar95)),
            f"{s.p_best:.1%}",
            _money(s.expected_regret),
        )
    out.print(table)
    if len(result.sites) > 15:
        out.print(f"({len(result.sites) - 15} more sites with --json)")
    if result.excluded:
        out.print(f"[red]no route to every market, left out:[/] {', '.join(result.excluded)}")


def rank(
    profile: ProfileArg,
    weights: Annotated[
        Path | None,
        typer.Option("--weights", help="YAML: 'weights: {cost: 0.5, ...}' or 'ahp: {criteria, matrix}'."),
    ] = None,
    method: Annotated[str, typer.Option("--method", help="topsis, vikor or promethee2.")] = "topsis",
    samples: Annotated[int, typer.Option("--samples", min=1, help="Draws for the risk criterion.")] = 5_000,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 0,
    overrides: OverridesOpt = None,
    close: CloseOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    out_dir: OutOpt = None,
) -> None:
    """Rank the sites on cost, risk, incentives, workforce, distance, reliability and infrastructure."""
    from kopru import mcda

    with err.status("ranking", spinner="dots") if not as_json and err.is_terminal else _null():
        result = mcda.rank(profile, weights, method, samples, seed, overrides, close or ())  # type: ignore[arg-type]
    data = result.to_json()
    _record(
        store,
        no_store,
        "rank",
        profile=profile,
        overrides=overrides,
        disruptions=close or [],
        params={"method": method, "weights": result.weights, "samples": samples, "seed": seed},
        results={
            "sites": [
                {"id": s["id"], "rank": s["rank"], "score": s["score"], **s["criteria"]}
                for s in data["sites"]
            ]
        },
    )
    if out_dir is not None:
        from kopru.report import ranking_view

        _write_report(
            out_dir, "ranking", lambda _plan: ranking_view(result), profile, overrides, close or [], as_json
        )
    if as_json:
        _print_json(data)
        return
    table = Table(
        title=f"Ranking by {method.upper()}"
        f" ({'higher' if result.higher_is_better else 'lower'} score is better)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    table.add_column("#", justify="right")
    table.add_column("site", no_wrap=True, max_width=16, overflow="ellipsis")
    for col in ("score", "cost", "risk", "inc", "labour k", "km", "borders", "infra"):
        table.add_column(col, justify="right", no_wrap=True, min_width=len(col))
    for s in data["sites"][:15]:
        c = s["criteria"]
        table.add_row(
            str(s["rank"]),
            s["id"],
            f"{s['score']:.3f}",
            _money(c["cost"]),
            f"{c['risk']:.1%}",
            f"{c['incentives']:.0f}",
            f"{c['workforce']:,.0f}",
            f"{c['distance']:,.0f}",
            f"{c['reliability']:.2f}",
            f"{c['infrastructure']:.0f}",
        )
    out.print(table)
    w = ", ".join(f"{k} {v:.2f}" for k, v in result.weights.items())
    out.print(f"weights: {w}")
    if result.consistency_ratio is not None:
        out.print(f"AHP consistency ratio: {result.consistency_ratio:.3f} (<= 0.10)")


def _risk_draws(
    profile: Path, samples: int, seed: int, overrides: Path | None, close: list[str], uncertainty: Path | None
) -> dict[str, Any]:
    """Annual costs of the run's first samples per site, for the report's distribution chart."""
    from kopru import risk as risk_mod
    from kopru.report import DRAWS_SHOWN

    return risk_mod.first_draws(profile, samples, seed, overrides, close, uncertainty, DRAWS_SHOWN)


def _view_key(profile: Path, overrides: Path | None, close: list[str]) -> dict[str, Any]:
    """What a kept view was computed for: a view of other inputs must not join this report."""
    return {
        "profile": str(profile.resolve()),
        "overrides": str(overrides.resolve()) if overrides is not None else None,
        "close": sorted(close),
    }


def _read_view(path: Path, key: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """A kept view if it is for the same inputs; else None and why it was left out."""
    if not path.exists():
        return None, None
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        view, kept_key = kept["view"], kept["key"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None, f"{path.name} cannot be read; left out of the report"
    if kept_key != key:
        return None, f"{path.name} is for another profile, overrides or closures; left out of the report"
    return view, None


def _write_report(
    out_dir: Path,
    name: str,
    make_view: Any,
    profile: Path,
    overrides: Path | None,
    close: list[str],
    as_json: bool,
) -> None:
    """Keep this command's view as ``<name>.json`` and redraw plan.json and report.html with every
    view kept for the same inputs, so that ``kopru risk`` and ``kopru rank`` into one folder add up."""
    from kopru import api
    from kopru.errors import KopruError
    from kopru.report import write_report

    if out_dir.exists() and not out_dir.is_dir():
        raise KopruError(f"--out {out_dir} is a file; expected a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = api.plan(profile, overrides=overrides, disruptions=close)
    key = _view_key(profile, overrides, close)
    views: dict[str, dict[str, Any] | None] = {}
    notes: list[str] = []
    for other in VIEWS:
        if other == name:
            views[other] = make_view(plan)
            kept = {"key": key, "view": views[other]}
            (out_dir / f"{other}.json").write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
        else:
            views[other], note = _read_view(out_dir / f"{other}.json", key)
            if note:
                notes.append(note)
    (out_dir / "plan.json").write_text(plan.model_dump_json(indent=1), encoding="utf-8")
    path = write_report(plan, api.load_data(overrides), out_dir / "report.html", **views)
    console = err if as_json else out  # --json keeps stdout for the JSON alone
    for note in notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    shown = " and ".join(f"the {v} view" for v in VIEWS if views[v] is not None)
    console.print(f"wrote [bold]{path}[/] with {shown}", highlight=False)


def _null():
    import contextlib

    return contextlib.nullcontext()


def sweep(
    scenarios: Annotated[Path, typer.Argument(help="Scenario file (YAML): profile, scenarios and/or grid.")],
    dask: Annotated[bool, typer.Option("--dask", help="Run the scenarios on a local Dask cluster.")] = False,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run on an existing Dask cluster: tcp://HOST:8786.")
    ] = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Run a list or grid of what-if scenarios (VAT, closures, tariffs, FX shocks) through plan."""
    from kopru import sweep as sweep_mod

    bar, step = _bar(not as_json and err.is_terminal, "scenarios")
    with sweep_mod.dask_client(dask, scheduler) as client:
        if bar is not None:
            with bar:
                result = sweep_mod.sweep(scenarios, client, step)
        else:
            result = sweep_mod.sweep(scenarios, client)
    _record(
        store,
        no_store,
        "sweep",
        profile=Path(result["profile"]),
        params={"file": str(scenarios.resolve()), "dask": dask or scheduler is not None},
        results={"scenarios": [{k: v for k, v in s.items() if k != "totals"} for s in result["scenarios"]]},
    )
    if as_json:
        _print_json(result)
        return
    table = Table(title=f"Sweep of {scenarios.name}", box=box.SIMPLE_HEAD)
    for col in ("scenario", "best site", "annual cost", "baseline", "saving"):
        table.add_column(col, justify="right" if col in ("annual cost", "saving") else "left", no_wrap=True)
    for s in result["scenarios"]:
        if "error" in s:
            table.add_row(s["name"], f"[red]{s['error']}[/]", "", "", "")
            continue
        saving = "—" if s["saving_pct"] is None else f"{s['saving_pct']:.1%}"
        table.add_row(s["name"], s["best"], _money(s["best_total"]), s["baseline"] or "—", saving)
    out.print(table)


runs_app = typer.Typer(
    help="The scenario store: every run of plan, risk, rank and sweep.", no_args_is_help=True
)


def _store(path: Path | None):
    from kopru.store import open_store

    return open_store(path)


@runs_app.command("list")
def runs_list(
    store: StoreOpt = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the recorded runs, newest first."""
    rows = _store(store).list(limit)
    if as_json:
        _print_json({"runs": rows})
        return
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("id", "kind", "created", "company", "inputs hash", "data pack"):
        table.add_column(col, no_wrap=True)
    for r in rows:
        table.add_row(
            r["id"][:12],
            r["kind"],
            str(r["created"])[:19],
            r["company"] or "",
            r["inputs_hash"][:12],
            r["data_pack_version"],
        )
    out.print(table)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or its first characters).")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One run: its inputs, hash, data-pack version, overrides and results."""
    run = _store(store).show(run_id)
    if as_json:
        _print_json(run)
        return
    out.print(f"[bold]{run['kind']}[/] {run['id']}  {run['created']}  {run['company'] or ''}")
    out.print(f"inputs hash {run['inputs_hash']}, data pack {run['data_pack_version']}")
    if run["overrides"]:
        out.print(f"[red]overridden:[/] {', '.join(run['overrides'])}")
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("item", "metric", "value"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for r in run["results"]:
        value = f"{r['value']:,.4g}" if r["value"] is not None else (r["text"] or "—")
        table.add_row(r["item"], r["metric"], value)
    out.print(table)


@runs_app.command("compare")
def runs_compare(
    a: Annotated[str, typer.Argument(help="First run id.")],
    b: Annotated[str, typer.Argument(help="Second run id.")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Two runs side by side: every site (or scenario) and metric, with the difference."""
    rows = _store(store).compare(a, b)
    if as_json:
        _print_json({"a": a, "b": b, "rows": rows})
        return
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("item", "metric", "a", "b", "b - a"):
        table.add_column(col, justify="left" if col in ("item", "metric") else "right")
    for r in rows:
        cells = [("—" if r[k] is None else f"{r[k]:,.4g}") for k in ("a", "b", "diff")]
        table.add_row(r["item"], r["metric"], *cells)
    out.print(table)


@runs_app.command("export")
def runs_export(
    target: Annotated[Path, typer.Argument(help="Folder for runs.<fmt> and results.<fmt>.")],
    run_id: Annotated[str | None, typer.Option("--run", help="Export one run only.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the runs and their results to Parquet or CSV."""
    written = _store(store).export(target, fmt, run_id)
    if as_json:
        _print_json(written)
        return
    out.print("wrote " + ", ".join(written.values()))


def register(app: typer.Typer) -> None:
    """Add ``risk``, ``rank``, ``sweep`` and ``runs`` to a typer app (the main one in kopru.cli)."""
    app.command()(risk)
    for name in ("rank", "sweep"):
        if name in globals():
            app.command()(globals()[name])
    if "runs_app" in globals():
        app.add_typer(globals()["runs_app"], name="runs")


def standalone() -> typer.Typer:
    """These commands alone, for tests and for use before they are registered in kopru.cli."""
    app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _group() -> None:
        """kopru decision commands."""  # a callback keeps typer in sub-command mode

    register(app)
    return app


def main() -> None:
    """Like kopru.cli.main: a KopruError becomes one line on stderr and exit code 2."""
    from kopru.errors import KopruError

    try:
        standalone()()
    except KopruError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
