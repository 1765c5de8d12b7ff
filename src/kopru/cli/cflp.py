"""``kopru cflp``: OR-Library capacitated facility-location instances, solved to optimality.

Light on purpose: it imports the solver and NumPy, never pandas or the data pack, because it is
timed as a whole process against other solvers' command lines.
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
    solution = api.solve_cflp(file, capacity=capacity, single_source=single_source, time_limit=time_limit)
    infeasible = solution.status.value == "infeasible"  # no plan can exist: a script must be able to tell
    if as_json:
        print_json(solution.as_dict(), indent=None)
        if infeasible:
            raise typer.Exit(2)
        return
    if infeasible:
        raise InfeasibleError(f"{file.name}: infeasible — {solution.message}")
    if solution.objective is None:
        out.print(f"{file.name}: {solution.status.value} — {solution.message}", markup=False)
        return
    out.print(
        f"{file.name}: {solution.status.value}, objective {solution.objective:,.3f}, bound"
        f" {solution.bound:,.3f}, gap {solution.gap:.2e}, {len(solution.open)} open (warehouses"
        f" {', '.join(str(i + 1) for i in solution.open)}, numbered from 1 as in the file),"
        f" {solution.seconds:.2f} s"
        f" (build {solution.build_seconds:.2f} s, {solution.formulation} linking)",
        markup=False,
    )
