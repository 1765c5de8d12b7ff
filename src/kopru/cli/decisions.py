"""``kopru risk``, ``rank`` and ``sweep``: decisions under uncertainty and on more than cost."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from kopru import api
from kopru.cli.common import (
    AvoidOpt,
    CloseOpt,
    JsonOpt,
    NoStoreOpt,
    OverridesOpt,
    ProfileArg,
    StoreOpt,
    compact,
    count_bar,
    err,
    interactive,
    money,
    out,
    print_json,
    recorded,
    shown,
)
from kopru.cluster import dask_client
from kopru.errors import OptionError, SweepError
from kopru.language import check_language
from kopru.montecarlo import explain

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Folder: (re)write plan.json and report.html with this view (kept as risk.json, ranking.json).",
    ),
]
DaskOpt = Annotated[bool, typer.Option("--dask", help="Run on a local Dask cluster.")]
SchedulerOpt = Annotated[
    str | None, typer.Option("--scheduler", help="Run on an existing Dask cluster: tcp://HOST:8786.")
]


def _report(
    out_dir: Path,
    profile: Path,
    overrides: Path | None,
    close: list[str],
    avoid: list[str],
    as_json: bool,
    **view: Any,
) -> None:
    """Redraw the report folder with this view; notes and the path go to stderr under --json."""
    plan = api.plan(profile, overrides=overrides, disruptions=close, avoid=avoid)
    written = api.write_report(plan, out_dir, overrides=overrides, **view)
    console = err if as_json else out  # --json keeps stdout for the JSON alone
    for note in written.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    views = " and ".join(f"the {v} view" for v in written.views)
    # every file the folder got, not the report alone (a review: plan.json and the summaries were
    # rewritten unsaid); the views are kept beside them as risk.json or ranking.json
    w = written
    others = [w.plan_json, w.workbook, w.summary_html, w.summary_pdf, *w.translated]
    kept = [f"{v}.json" for v in written.views]
    names = [str(p.relative_to(written.folder)) for p in others if p is not None] + kept
    console.print(
        f"wrote [bold]{escape(str(written.report_html))}[/] with {escape(views)}, and beside it"
        f" {escape(', '.join(names))}",
        highlight=False,
    )


@app.command()
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
    dask: DaskOpt = False,
    scheduler: SchedulerOpt = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes on this machine (default: one per core from 500,000 samples; 1: this one"
            " only). The answer is the same.",
        ),
    ] = None,
    overrides: OverridesOpt = None,
    close: CloseOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    out_dir: ReportOpt = None,
    avoid: AvoidOpt = None,
    per_unit: Annotated[
        bool,
        typer.Option(
            "--per-unit",
            help="Show the cost per unit sold in each draw (the risk without the volume) instead of the"
            " annual cost.",
        ),
    ] = False,
    show_inputs: Annotated[
        bool,
        typer.Option(
            "--show-inputs",
            help="List the distributions drawn: what each moves, median, mean, spread and source (always"
            " in --json).",
        ),
    ] = False,
) -> None:
    """Monte Carlo risk of every site's annual landed cost: mean, p5/p50/p95, CVaR95, P(best), regret,
    against the plan's cost, with the cost per unit sold and what P(best) takes as given."""
    bar, count = count_bar(interactive(as_json), "sampling")
    with dask_client(dask, scheduler) as client, shown(bar):
        result = api.risk(
            profile,
            samples=samples,
            seed=seed,
            overrides=overrides,
            disruptions=close or (),
            uncertainty=uncertainty,
            client=client,
            progress=count,
            avoid=avoid or (),
            workers=workers,
            per_unit=per_unit,
        )
    run_id = None
    if not no_store:
        run_id = api.open_store(store).record_risk(result, profile, overrides, close or [], avoid or [])
    if out_dir is not None:
        _report(out_dir, profile, overrides, close or [], avoid or [], as_json, risk=result)
    if as_json:
        print_json(result.as_dict())
        return
    print_risk(result, per_unit)
    if show_inputs:
        print_inputs(result)
    recorded(run_id)


FEW_SAMPLES = 100  # below this a 5 % tail holds fewer than five draws
SITES_SHOWN = 15  # rows of the risk table; --json has them all


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def print_risk(result: Any, per_unit: bool = False) -> None:
    out.print(_risk_table(result, per_unit))
    hidden = len(result.sites) - len(_shown_sites(result))
    if hidden > 0:
        out.print(f"({hidden} more sites with --json)")
    change = result.p_recommendation_changes
    if change is not None:
        name = escape(next(s.name for s in result.sites if s.id == result.recommended))
        out.print(
            f"The plan's pick, {name}, is the cheapest in {1 - change:.1%} of samples:"
            f" [bold]the recommendation changes in {change:.1%}[/]."
        )
    for line in (
        explain.reconciliation_text(result),
        explain.volume_text(result),
        explain.per_unit_text(result),
    ):
        if line:
            out.print(escape(line), highlight=False)
    if result.switching is not None:
        out.print(f"[bold]Switching values:[/] {escape(result.switching.text)}", highlight=False)
    out.print(f"[yellow]note:[/] {escape(explain.conditions_text(result))}", highlight=False)
    error = explain.error_text(result)
    if error:
        out.print(escape(error), highlight=False)
    if result.samples < FEW_SAMPLES:
        out.print(
            f"[yellow]note:[/] with {plural(result.samples, 'sample')} the percentiles, CVaR95 and P(best)"
            f" are rough ({_tail(result.samples)}); draw {FEW_SAMPLES * 10:,} or more to decide"
        )
    if result.excluded:
        out.print(f"[red]no route to every market, left out:[/] {escape(', '.join(result.excluded))}")


def _tail(samples: int) -> str:
    """What the 5 % tail of a few draws holds, in words (0.05 draws says nothing)."""
    tail = samples * 0.05
    if tail < 1.0:
        return "the costliest 5 % is less than one draw"
    return f"the costliest 5 % is {tail:g} draw{'s' if tail != 1 else ''}"


def _risk_table(result: Any, per_unit: bool) -> Table:
    """The sites' statistics: of the annual cost, or of the cost per unit sold in each draw."""
    horizon = f", {result.uncertainty.horizon}" if result.uncertainty.horizon else ""
    what = "Cost per unit sold" if per_unit else "Annual landed cost"
    unit = (
        f"{result.currency} a unit"
        if per_unit
        else f"{result.currency} a year for the units sold in each draw"
    )
    table = Table(
        title=escape(
            f"{what} under uncertainty{horizon} ({plural(result.samples, 'sample')}, seed {result.seed})"
        ),
        caption=f"{unit}; plan = every input at the data pack's value; CVaR95 = mean of the costliest 5 %",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    table.add_column("site", overflow="fold", min_width=18)
    # regret is a year's money: it has no per-unit column (P(best) is the same per unit)
    columns = ("plan", "mean", "p5", "p50", "p95", "CVaR95", "P(best)", *(() if per_unit else ("regret",)))
    for col in columns:
        table.add_column(col, justify="right", no_wrap=True, min_width=6)
    shown = _shown_sites(result)
    for s in shown:
        regret = () if per_unit else (money(s.expected_regret),)
        mark = " (Turkish baseline)" if s.id == result.baseline else ""
        mark += " =" if s.same_draws_as else ""
        table.add_row(escape(s.name) + mark, *_statistics(s, per_unit), f"{s.p_best:.1%}", *regret)
    twins = [s for s in shown if s.same_draws_as]
    if twins:  # a tie goes to one of them: the other's P(best) of 0 would read as never cheapest
        said = dict.fromkeys(" and ".join(sorted({s.name, *result.names(s.same_draws_as)})) for s in twins)
        table.caption = (
            f"{table.caption}\n=: the same cost in every draw ({'; '.join(said)}): each draw's tie counts"
            " for one of them, so P(best) is theirs together"
        )
    return table


def _shown_sites(result: Any) -> list[Any]:
    """The cheapest sites and, below them, the Turkish baseline the saving is measured against (as
    the report's chart shows it; a review: plan and compare show it, the risk table left it out)."""
    shown = list(result.sites[:SITES_SHOWN])
    base = result.site(result.baseline) if result.baseline else None
    if base is not None and base not in shown:
        shown.append(base)
    return shown


def _statistics(s: Any, per_unit: bool) -> list[str]:
    """plan, mean, p5, p50, p95 and CVaR95 of one site, as the table shows them."""
    if per_unit:
        u = s.per_unit
        if u is None:
            return ["—"] * 6
        return [f"{v:,.3f}" for v in (u.base, u.mean, u.p5, u.p50, u.p95, u.cvar95)]
    plan = "—" if s.base is None else money(s.base)
    return [plan, *(money(v) for v in (s.mean, s.p5, s.p50, s.p95, s.cvar95))]


def print_inputs(result: Any) -> None:
    """The distributions drawn, with the horizon: what each moves, median, mean, spread, source."""
    u = result.uncertainty
    table = Table(
        title=escape(f"Inputs drawn ({u.horizon or 'horizon not stated'})"),
        caption="factors multiply the data pack's value (1 = unchanged); rates and points are added",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    for col in ("input", "moves", "median", "mean", "spread", "source"):
        table.add_column(col, overflow="fold", justify="right" if col in ("median", "mean") else "left")
    for row in u.describe():
        source = row["source"] or ""
        if row["assumption"]:
            source = f"assumption{'; ' + source if source else ''}"
        table.add_row(
            escape(row["name"]),
            escape(row["applies_to"]),
            f"{row['median']:.4g}",
            f"{row['mean']:.4g}",
            escape(row["spread"]),
            escape(source.replace(";", "; ")),
        )
    out.print(table)


@app.command()
def rank(
    profile: ProfileArg,
    weights: Annotated[
        Path | None,
        typer.Option("--weights", help="YAML: 'weights: {cost: 0.5, ...}' or 'ahp: {criteria, matrix}'."),
    ] = None,
    method: Annotated[str, typer.Option("--method", help="topsis, vikor or promethee2.")] = "topsis",
    samples: Annotated[int, typer.Option("--samples", min=1, help="Draws for the risk criterion.")] = 5_000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the risk draws: same seed, same answer.")
    ] = 0,
    overrides: OverridesOpt = None,
    close: CloseOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    out_dir: ReportOpt = None,
    avoid: AvoidOpt = None,
) -> None:
    """Rank the sites on cost, cost risk, NPV, distance to markets, border crossings and
    access to a seaport (units and sources: criteria.yaml)."""
    with err.status("ranking", spinner="dots") if interactive(as_json) else shown(None):
        result = api.rank(
            profile,
            weights=weights,
            method=method,  # type: ignore[arg-type]
            samples=samples,
            seed=seed,
            overrides=overrides,
            disruptions=close or (),
            avoid=avoid or (),
        )
    run_id = None
    if not no_store:
        run_id = api.open_store(store).record_rank(
            result, profile, samples, seed, overrides, close or [], avoid or []
        )
    if out_dir is not None:
        _report(out_dir, profile, overrides, close or [], avoid or [], as_json, ranking=result)
    for warning in result.warnings:  # stderr: under --json too, and stdout stays the JSON alone
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    data = result.as_dict()
    if as_json:
        print_json(data)
        return
    table = Table(
        title=f"Ranking by {method.upper()}"
        f" ({'higher' if result.higher_is_better else 'lower'} score is better)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    table.add_column("#", justify="right")
    table.add_column("site", overflow="fold", min_width=18)
    info = data["criteria"]
    # one format a column: a port's 0 km among 1,990 km reads 0, not 0.00
    largest = {
        k: max((abs(v) for s in data["sites"] if (v := s["criteria"].get(k)) is not None), default=0.0)
        for k in info
    }
    rows = [
        [
            str(s["rank"]),
            escape(s["name"]),
            f"{s['score']:.3f}",
            *(_criterion(k, v, largest[k]) for k, v in s["criteria"].items()),
        ]
        for s in data["sites"][:15]
    ]
    for j, label in enumerate(["score", *(c["label"] for c in info.values())], start=2):
        width = max([len(label), *(len(r[j]) for r in rows)])
        table.add_column(label, justify="right", no_wrap=True, min_width=width)
    for row in rows:
        table.add_row(*row)
    out.print(table)
    money = result.currency or "plan currency"
    said = [f"{c['label']}: {c['name']}, {c['unit'].replace('plan currency', money)}" for c in info.values()]
    out.print("columns: " + "; ".join(said))
    out.print(f"weights: {', '.join(f'{k} {v:.2f}' for k, v in result.weights.items())}")
    if result.consistency_ratio is not None:
        out.print(f"AHP consistency ratio: {result.consistency_ratio:.3f} (<= 0.10)")
    method, *notes = result.notes()
    out.print(f"method: {escape(method)}", highlight=False)
    for note in notes:
        out.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    recorded(run_id)


def _criterion(name: str, value: float | None, largest: float) -> str:
    """A criterion's value in its column's format, set by the column's largest value."""
    if value is None:
        return "—"
    if name == "risk":
        return f"{value:.1%}"
    if largest >= 10_000:
        return compact(value)
    return f"{value:,.0f}" if largest >= 100 else f"{value:.2f}"


@app.command()
def sweep(
    scenarios: Annotated[Path, typer.Argument(help="Scenario file (YAML): profile, scenarios and/or grid.")],
    dask: DaskOpt = False,
    scheduler: SchedulerOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    avoid: AvoidOpt = None,
    optimize: Annotated[
        bool,
        typer.Option("--optimize", help="Run the network optimizer in every scenario (or optimize: true)."),
    ] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for sweep.json, sweep.html and sweep.xlsx.")
    ] = None,
    languages: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            help="With --out, also write sweep.html and sweep.xlsx in this language (tr: Türkçe, in tr/).",
        ),
    ] = None,
) -> None:
    """Run a list or grid of what-if scenarios (VAT, closures, tariffs, FX shocks) through plan."""
    languages = [check_language(lang) for lang in languages or []]  # refused before the sweep
    if languages and out_dir is None:
        raise OptionError(
            "--lang writes sweep.html into the --out folder; give --out DIR as well", field="lang"
        )
    if out_dir is not None:  # a folder that cannot be written is said before the sweep runs
        api.check_out_folder(out_dir)
    bar, count = count_bar(interactive(as_json), "scenarios")
    with dask_client(dask, scheduler) as client, shown(bar):
        result = api.sweep(
            scenarios, client=client, progress=count, avoid=avoid or (), optimize=True if optimize else None
        )
    run_id = (
        None if no_store else api.open_store(store).record_sweep(result, dask=dask or scheduler is not None)
    )
    written = api.write_sweep(result, out_dir, languages=languages) if out_dir is not None else []
    if as_json:
        print_json(result.as_dict())
        _fail_if_all_failed(result.scenarios)
        return
    optimized = any("optimizer" in s for s in result.scenarios)
    currency = result.currency
    # a manufacturer's review: a scenario that puts another site first read as one more name
    reference = next((s for s in result.scenarios if s.get("best")), None)
    flips = reference is not None and any(
        s.get("best") and s["best"] != reference["best"] for s in result.scenarios
    )
    caption = (
        (f"◆: the first site differs from {reference['name']}'s ({reference['best_name']}); " * flips)
        + "vs first row: the best cost's change against it; best TR: the cheapest Turkish option"
        if reference
        else None
    )
    title = escape(f"Sweep of {scenarios.name} (costs in {currency} a year)")
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("scenario", overflow="fold", min_width=12)
    table.add_column("best site", overflow="fold", min_width=14)
    table.add_column("best cost", justify="right", no_wrap=True)
    table.add_column("vs first row", justify="right", no_wrap=True)
    table.add_column("best TR", justify="right", no_wrap=True)
    table.add_column("saving vs TR", justify="right", no_wrap=True)
    if optimized:
        table.add_column("network cost", justify="right", no_wrap=True)
        table.add_column("optimizer opens", overflow="fold", min_width=14)
    rows: list[list[str]] = []
    for s in result.scenarios:
        if "error" in s:
            rows.append(
                [escape(s["name"]), f"[red]{escape(s['error'])}[/]", *[""] * (len(table.columns) - 2)]
            )
            continue
        saving = "—" if s["saving_pct"] is None else f"{s['saving_pct']:.1%}"
        turkish = "—" if s.get("baseline_total") is None else money(s["baseline_total"])
        if s["best"] is None:
            row = [escape(s["name"]), "no site serves every market", "—", "—", turkish, saving]
        else:
            flip = " ◆" if reference and s["best"] != reference["best"] else ""
            change = s["best_total"] / reference["best_total"] - 1 if reference else None
            row = [
                escape(s["name"]),
                escape(s.get("best_name") or s["best"]) + flip,
                money(s["best_total"]),
                "—" if change is None or s is reference else f"{change:+.1%}",
                turkish,
                saving,
            ]
        if optimized:
            net = s.get("optimizer") or {}
            cost = "—" if net.get("objective") is None else money(net["objective"])
            opened = escape(", ".join(o["name"] for o in net.get("open", [])))
            status = net.get("status", "—")
            row += [cost, opened if status == "optimal" else f"{opened} ({status})"]
        rows.append(row)
    # a number is never cut (a review: '9' for a network cost of 9.83M at 120 columns): the names
    # fold instead, and the legend is its own wrapped line, not a caption cut to the table's width
    for j, column in enumerate(table.columns):
        if column.no_wrap:
            column.min_width = max(len(str(column.header)), *(len(r[j]) for r in rows))
    needed = sum(c.min_width or 0 for c in table.columns) + 3 * len(table.columns)
    if needed > out.width:  # a narrow terminal: one scenario a line, every figure whole
        out.print(title)
        for row in rows:
            said = ", ".join(f"{c.header} {v}" for c, v in zip(table.columns[1:], row[1:], strict=True))
            out.print(f"  {row[0]}: {said}", highlight=False)
    else:
        for row in rows:
            table.add_row(*row)
        out.print(table)
    if caption:
        out.print(escape(caption), highlight=False)
    _print_lost_sites(result.scenarios)
    where = result.execution.replace("in-process", "one after another in this process", 1)
    out.print(f"[dim]ran {escape(where)}[/]")
    if written:
        out.print(f"wrote {escape(', '.join(str(p) for p in written))}")
    recorded(run_id)
    _fail_if_all_failed(result.scenarios)


def _print_lost_sites(scenarios: list[dict]) -> None:
    """The sites a scenario leaves without a route to every market, against the first scenario:
    a closure can remove a candidate, not only move costs (OR review)."""
    ran = [s for s in scenarios if "error" not in s and "unserved" in s]
    if len(ran) < 2:
        return
    first = set(ran[0]["unserved"])
    for s in ran[1:]:
        lost = [n for n in s["unserved"] if n not in first]
        if lost:
            shown = ", ".join(lost[:6]) + (f" and {len(lost) - 6} more" if len(lost) > 6 else "")
            out.print(
                f"[yellow]{escape(s['name'])}:[/] {len(lost)} site(s) no longer serve every market against"
                f" {escape(ran[0]['name'])}: {escape(shown)}",
                highlight=False,
            )


def _fail_if_all_failed(scenarios: list[dict]) -> None:
    """A sweep none of whose scenarios ran is an error (exit 2), after the table that says why."""
    failed = [s for s in scenarios if "error" in s]
    if scenarios and len(failed) == len(scenarios):
        raise SweepError(f"every scenario failed; the first, {failed[0]['name']}: {failed[0]['error']}")
