"""``kopru data``: show and check the data pack and its sources."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from kopru import api
from kopru.cli.common import JsonOpt, OverridesOpt, out, print_json
from kopru.errors import KopruError

app = typer.Typer(
    help="Show and check the data pack and its sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command("list")
def data_list(overrides: OverridesOpt = None, as_json: JsonOpt = False) -> None:
    """The tables of the data pack and their sizes."""
    pack = api.load_data(overrides)
    sizes = {name: len(pack.table(name)) for name in pack.TABLE_NAMES}
    if as_json:
        print_json({"version": pack.version, "tables": sizes})
        return
    table = Table(title=f"kopru data pack {pack.version}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in sizes.items():
        table.add_row(name, str(n))
    out.print(table)
    out.print("show one with [bold]kopru data show TABLE[/] or a subject: [bold]kopru data show KZ-23[/]")


@app.command("show")
def data_show(
    what: Annotated[str, typer.Argument(help="A table name, or a subject such as KZ-23, TR-16, KZT.")],
    overrides: OverridesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a table, or every parameter of one subject, with units and sources."""
    pack = api.load_data(overrides)
    if what in pack.TABLE_NAMES:
        df = pack.table(what)
    else:
        df = pack.parameters[pack.parameters["subject"] == what]
        if df.empty:
            raise KopruError(
                f"{what!r} is neither a table ({', '.join(pack.TABLE_NAMES)}) nor a subject with values"
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


@app.command("sources")
def data_sources(as_json: JsonOpt = False) -> None:
    """Every source of the data pack."""
    df = api.load_data().sources.drop(columns=["file"])
    if as_json:
        sys.stdout.write(df.to_json(orient="records", indent=1, force_ascii=False) + "\n")
        return
    table = Table(title=f"{len(df)} sources")
    for col in ("id", "title", "publisher", "year", "url"):
        table.add_column(col, overflow="fold", max_width=50)
    for _, r in df.iterrows():
        table.add_row(r["id"], r["title"], r["publisher"], r["year"], r["url"])
    out.print(table)


@app.command("validate")
def data_validate(overrides: OverridesOpt = None) -> None:
    """Load and check the whole data pack (and an overrides file); exit 2 on the first problem."""
    s = api.check_data(overrides)
    out.print(
        f"[green]data pack {s['version']} is valid[/]: {s['values']} values, {s['sources']} sources,"
        f" {s['nodes']} nodes, {s['edges']} edges, every value sourced"
        + (f"; {s['overrides']} overrides applied" if s["overrides"] else "")
    )
