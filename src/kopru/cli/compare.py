"""``kopru compare``: two or three sites side by side, by name."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from kopru import api
from kopru.cli.common import AvoidOpt, CloseOpt, JsonOpt, OverridesOpt, out, print_json

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command()
def compare(
    profile: Annotated[Path, typer.Argument(help="Company profile, YAML or JSON.")],
    sites: Annotated[
        list[str], typer.Argument(help="2 or 3 sites: ids, names or a part of a name ('Turan').")
    ],
    samples: Annotated[
        int, typer.Option("--samples", min=0, help="Monte Carlo draws for the risk rows (0: none).")
    ] = 0,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the risk draws: same seed, same answer.")
    ] = 0,
    as_json: JsonOpt = False,
    overrides: OverridesOpt = None,
    close: CloseOpt = None,
    avoid: AvoidOpt = None,
    no_store: Annotated[  # accepted as by its siblings (a CLI review: its help said it records)
        bool,
        typer.Option("--no-store", help="Accepted as plan and risk take it; a comparison is never recorded."),
    ] = False,
) -> None:
    """Two or three sites side by side: costs, markets, duties, incentives, appraisal, inputs, risk
    (a look-up: not recorded in the scenario store)."""
    result = api.compare(
        profile,
        sites,
        samples=samples,
        seed=seed,
        overrides=overrides,
        disruptions=close or (),
        avoid=avoid or (),
    )
    if as_json:
        print_json(result.as_dict())
        return
    table = Table(
        title=escape(f"{result.company}: {result.product} ({result.currency})"),
        box=box.SIMPLE_HEAD,
        show_lines=False,
    )
    table.add_column("", overflow="fold", min_width=24)
    table.add_column("unit", no_wrap=True)
    for s in result.sites:
        table.add_column(
            escape(f"{s['name']} ({s['country']})"), justify="right", overflow="fold", min_width=16
        )
    section = None
    for row in result.rows:
        if row.section != section:
            section = row.section
            table.add_row(f"[bold]{section}[/]", "", *[""] * len(result.sites))
        units = row.units or [row.unit] * len(row.values)
        cells = [
            escape(_cell(v, u) + (f" {u}" if row.units and v is not None and u != "%" else ""))
            for v, u in zip(row.values, units, strict=True)
        ]
        if any(row.notes):
            cells = [f"{c}\n[dim]{escape(n)}[/]" if n else c for c, n in zip(cells, row.notes, strict=True)]
        table.add_row(escape(f"  {row.label}"), escape(row.unit), *cells)
    out.print(table)
    for note in result.notes:
        out.print(note, highlight=False, markup=False)


def _cell(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if unit == "%":  # the figure is in percent already (51.0), as in --json
        return f"{value:.1f}%"
    if unit == "years":  # a payback is read to the month, not to the hour
        return f"{value:.1f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4g}"
