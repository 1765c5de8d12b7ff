"""``kopru gap``: OR-Library generalized assignment instances, solved to proven optimality.

Light on purpose, like ``kopru cflp``: it imports the solver and NumPy, never pandas or the data
pack, because it is timed as a whole process against other solvers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kopru import api
from kopru.cli.common import JsonOpt, out, print_json
from kopru.errors import InfeasibleError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command()
def gap(
    file: Annotated[Path, typer.Argument(help="OR-Library GAP file (gap1 ... gap12, gapa ... gapd).")],
    maximize: Annotated[
        bool | None,
        typer.Option(
            "--maximize/--minimize", help="Objective sense; default from the file name (gap1–12 maximise)."
        ),
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for each instance of the file.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Solve every instance of an OR-Library GAP file to proven optimality or a time limit."""
    solutions = api.solve_gap(file, maximize=maximize, time_limit=time_limit)
    # an instance no assignment can satisfy: exit 2 after the answer, as kopru cflp does
    infeasible = [k for k, s in enumerate(solutions, 1) if s.status.value == "infeasible"]
    if as_json:
        keys = ("agents", "jobs", "sense", "status", "objective", "bound", "assignment")
        # every instance has the same keys: message is "" unless something needs saying (why not)
        records = [{**{k: s.as_dict()[k] for k in keys}, "message": s.message} for s in solutions]
        print_json({"instances": records}, indent=None)
        if infeasible:
            raise typer.Exit(2)
        return
    senses = {"maximise" if s.maximize else "minimise" for s in solutions}
    how = "by the file name; --maximize or --minimize to set" if maximize is None else "as asked"
    _table(f"{file.name}: {', '.join(sorted(senses))} ({how})", solutions)
    if infeasible:
        which = ", ".join(map(str, infeasible))
        raise InfeasibleError(
            f"{file.name}: instance {which} of {len(solutions)} infeasible (no assignment fits)"
        )


def _table(title: str, solutions: list) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), title_justify="left", highlight=False)
    for column in ("#", "agents × jobs", "status", "objective", "bound", "gap", "seconds"):
        table.add_column(column, justify="left" if column == "status" else "right")
    for k, s in enumerate(solutions, 1):
        table.add_row(
            str(k),
            f"{s.agents} × {s.jobs}",
            s.status.value,
            _number(s.objective),
            _number(s.bound),
            "—" if s.gap is None else f"{s.gap:.2e}",
            f"{s.seconds:.2f}",
        )
    out.print(table)
    for k, s in enumerate(solutions, 1):
        if s.message:
            out.print(f"{k}: {s.message}", highlight=False, markup=False)


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value == round(value) else f"{value:,.3f}"
