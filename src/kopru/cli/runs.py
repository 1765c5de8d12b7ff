"""``kopru runs``: the scenario store — list, show, compare and export recorded runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from kopru import api
from kopru.cli.common import JsonOpt, StoreOpt, out, print_json

app = typer.Typer(
    help="The scenario store: every run of plan, risk, rank and sweep.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command("list")
def runs_list(
    store: StoreOpt = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the recorded runs, newest first."""
    rows = api.open_store(store).list(limit)
    if as_json:
        print_json({"runs": rows})
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


@app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or its first characters).")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One run: its inputs, hash, data-pack version, overrides and results."""
    run = api.open_store(store).show(run_id)
    if as_json:
        print_json(run)
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


@app.command("compare")
def runs_compare(
    a: Annotated[str, typer.Argument(help="First run id.")],
    b: Annotated[str, typer.Argument(help="Second run id.")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Two runs side by side: every site (or scenario) and metric, with the difference."""
    rows = api.open_store(store).compare(a, b)
    if as_json:
        print_json({"a": a, "b": b, "rows": rows})
        return
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("item", "metric", "a", "b", "b - a"):
        table.add_column(col, justify="left" if col in ("item", "metric") else "right")
    for r in rows:
        cells = [("—" if r[k] is None else f"{r[k]:,.4g}") for k in ("a", "b", "diff")]
        table.add_row(r["item"], r["metric"], *cells)
    out.print(table)


@app.command("export")
def runs_export(
    target: Annotated[Path, typer.Argument(help="Folder for runs.<fmt> and results.<fmt>.")],
    run_id: Annotated[str | None, typer.Option("--run", help="Export one run only.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the runs and their results to Parquet or CSV."""
    written = api.open_store(store).export(target, fmt, run_id)
    if as_json:
        print_json(written)
        return
    out.print("wrote " + ", ".join(written.values()))
