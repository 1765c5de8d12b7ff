"""What every command shares: the consoles, the option types, JSON output and number formats."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from kopru.units import strict_json


def _width() -> int | None:
    """The terminal's width; piped or redirected output (no terminal) gets 120 columns, not rich's 80,
    so that names are not cut (COLUMNS, when set, wins)."""
    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return None
    return 120


out = Console(width=_width())
err = Console(stderr=True)

ProfileArg = Annotated[Path, typer.Argument(help="Company profile, YAML or JSON.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
OverridesOpt = Annotated[
    Path | None, typer.Option("--overrides", help="YAML file of values that replace the data pack's.")
]
CloseOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--close",
        help="Close a node, edge, mode or water before routing: khorgos, aktau-baku_alat, mode:ferry,"
        " water:caspian.",
    ),
]
AvoidOpt = Annotated[
    list[str] | None,
    typer.Option("--avoid", help="Country no route may pass through, ISO code (repeatable): --avoid RU."),
]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Scenario store (DuckDB file) to record the run in; default: user data folder."
    ),
]
ReadStoreOpt = Annotated[  # the runs commands read the store; they record nothing
    Path | None,
    typer.Option("--store", help="Scenario store (DuckDB file) to read; default: user data folder."),
]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="Do not record this run in the scenario store.")]


def print_json(data: Any, indent: int | None = 1) -> None:
    """Strict JSON on stdout: no NaN or Infinity ever reaches a user (they become null)."""
    sys.stdout.write(strict_json(data, indent) + "\n")


def compact(value: float | None) -> str:
    """12,345,678 -> 12.3M, 10,040,000 -> 10.0M: three significant digits, trailing zeros kept so
    that 10.0M and 10.1M read as the different figures they are; keeps a table inside 80 columns."""
    if value is None:
        return "—"
    if abs(value) >= 1e15:  # past trillions a suffix reads worse than the exponent
        return f"{value:.3g}"
    for div, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"{value / div:#.3g}".rstrip(".") + suffix
    return f"{value:.3g}"


def money(value: float) -> str:
    """Like :func:`compact`, with four significant digits below a thousand."""
    return compact(value) if abs(value) >= 1e3 else f"{value:.4g}"


def steps_bar(enabled: bool, total: int = 7) -> tuple[Progress | None, Any]:
    """A progress bar on stderr that a planner's :data:`~kopru.progress.Steps` callback advances."""
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
    task = bar.add_task("planning", total=total)

    def step(message: str) -> None:
        bar.update(task, description=message, advance=1)

    return bar, step


def count_bar(enabled: bool, label: str) -> tuple[Progress | None, Any]:
    """A progress bar on stderr that a :data:`~kopru.progress.Counter` callback advances."""
    if not enabled:
        return None, None
    # redrawn by each count, not by a refresh thread: a risk run forks its worker processes only
    # when the process has no other thread (a fork copies the locks other threads hold), and
    # spawning them instead costs about 0.8 s
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        auto_refresh=False,
    )
    task = bar.add_task(label, total=None)

    def count(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)
        bar.refresh()

    return bar, count


@contextlib.contextmanager
def shown(bar: Progress | None) -> Iterator[None]:
    """Show ``bar`` while the block runs (nothing when there is no bar)."""
    if bar is None:
        yield
        return
    with bar:
        yield


def interactive(as_json: bool) -> bool:
    """Whether to draw progress: not for JSON, and only on a terminal."""
    return not as_json and err.is_terminal


def recorded(run_id: str | None, console: Console = out) -> None:
    if run_id is not None:
        console.print(f"[dim]recorded as run {run_id} (kopru runs show {run_id})[/]")
