"""``kopru runs``: the scenario store — list, show, compare and export recorded runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from kopru import api
from kopru.cli.common import JsonOpt, ReadStoreOpt, out, print_json
from kopru.display import item_names, site_names
from kopru.store.records import result_text

app = typer.Typer(
    help="The scenario store: every run of plan, optimize, risk, rank, sweep and match.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command("list")
def runs_list(
    store: ReadStoreOpt = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the newest N runs.")] = None,
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
            escape(r["company"] or ""),
            r["inputs_hash"][:12],
            r["data_pack_version"],
        )
    out.print(table)


# the metrics a summary shows, by kind of run, best first (the rest with --all or --json)
SUMMARY: dict[str, tuple[tuple[str, ...], str]] = {
    "plan": (("rank", "total"), "rank"),
    "risk": (("mean", "p95", "p_best", "expected_regret"), "mean"),
    "rank": (("rank", "score"), "rank"),
    "sweep": (("best_total", "saving_pct"), "best_total"),
}
TOP = 5
AllOpt = Annotated[bool, typer.Option("--all", help="Every result row, not only the summary.")]


def _names(run: dict[str, Any]) -> dict[str, str]:
    return item_names(site_names(api.data_pack()), run.get("inputs") or {})


def _option(value: Any) -> str | int | float | bool | None:
    """A run parameter as one word or number ('RU, IR' for a list of codes); None for a table."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return None


def _value(metric: str, value: Any, text: str | None = None) -> str:
    if value is None:
        return text or "—"
    if metric in ("p_best", "saving_pct"):
        return f"{value:.1%}"
    if metric == "rank":
        return f"{value:.0f}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.4g}"


def _by_item(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in run["results"]:
        out.setdefault(r["item"], {})[r["metric"]] = r["value"] if r["value"] is not None else r["text"]
    return out


@app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or its first characters).")],
    store: ReadStoreOpt = None,
    as_json: JsonOpt = False,
    show_all: AllOpt = False,
) -> None:
    """One run: what it was, its headline and the top sites; --all for every result row."""
    run = api.open_store(store).show(run_id)
    if as_json:
        print_json(run)
        return
    names = _names(run)
    if run["kind"] == "match":  # a pipeline, not a company's product
        source = str((run.get("params") or {}).get("pipeline") or "")
        about = "the example pipeline" if source == "example:pipeline" else f"pipeline {source}"
    else:
        about = f"{run['company'] or ''} — {run['product'] or ''}"
    out.print(
        f"[bold]{run['kind']}[/] run {run['id'][:12]} of {str(run['created'])[:16]}: {escape(about)}",
        highlight=False,
    )
    out.print(f"data pack {run['data_pack_version']}, inputs hash {run['inputs_hash'][:12]}", highlight=False)
    if run["overrides"]:
        out.print(f"[red]overridden:[/] {escape(', '.join(run['overrides']))}")
    if run.get("disruptions"):
        out.print(f"closed: {', '.join(run['disruptions'])}", markup=False)
    scalars = {k: _option(v) for k, v in (run.get("params") or {}).items() if _option(v) is not None}
    if scalars:
        out.print(
            "options: " + ", ".join(f"{k} {v}" for k, v in scalars.items()), highlight=False, markup=False
        )
    rows = _by_item(run)
    if run["kind"] == "match" and not show_all:
        _match_rows(rows, names)
        return
    metrics, order = SUMMARY.get(run["kind"], ((), ""))
    if show_all or not metrics:
        _all_rows(run, names)
        return
    ranked = sorted(
        (item for item in rows if isinstance(rows[item].get(order), int | float)),
        key=lambda item: rows[item][order],
    )
    table = Table(title=f"Top {min(TOP, len(ranked))} of {len(rows)} by {order}", box=box.SIMPLE_HEAD)
    table.add_column("site" if run["kind"] != "sweep" else "scenario", overflow="fold", min_width=24)
    for m in metrics:
        table.add_column(m.replace("_", " "), justify="right", no_wrap=True)
    if run["kind"] == "sweep":
        table.add_column("best site", overflow="fold")
    for item in ranked[:TOP]:
        cells = [_value(m, rows[item].get(m)) for m in metrics]
        if run["kind"] == "sweep":
            best = str(rows[item].get("best") or "").strip('"')
            cells.append(escape(names.get(best, best)))
        table.add_row(escape(names.get(item, item)), *map(escape, cells))
    out.print(table)
    if len(rows) > TOP:
        out.print(f"[dim]{len(rows) - TOP} more: kopru runs show {run['id'][:12]} --all[/]")


def _match_rows(rows: dict[str, dict[str, Any]], names: dict[str, str]) -> None:
    """A match run: its portfolio in one line, then each placed enterprise by name with its zone."""
    portfolio = rows.pop("portfolio", {})
    placed = [e for e in rows.values() if result_text(e.get("zone")) not in (None, "")]
    status = result_text(portfolio.get("status"))
    out.print(
        f"portfolio ({status}): {len(placed)} of {len(rows)} enterprises placed,"
        f" {portfolio.get('jobs') or 0:,.0f} jobs, {portfolio.get('investment_usd') or 0:,.0f} USD invested",
        highlight=False,
        markup=False,
    )
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("enterprise", "zone", "saving", "jobs", "investment USD"):
        table.add_column(col, justify="left" if col in ("enterprise", "zone") else "right", overflow="fold")
    for e in sorted(placed, key=lambda e: -(e.get("jobs") or 0)):
        zone = str(result_text(e.get("zone")))
        saving = e.get("advantage")
        table.add_row(
            escape(str(result_text(e.get("enterprise")) or "")),
            escape(names.get(zone, zone)),
            "—" if not isinstance(saving, int | float) else f"{saving:.1%}",
            f"{e.get('jobs') or 0:,.0f}",
            f"{e.get('investment_usd') or 0:,.0f}",
        )
    out.print(table)


def _all_rows(run: dict[str, Any], names: dict[str, str]) -> None:
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("item", "metric", "value"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for r in sorted(run["results"], key=lambda r: (names.get(r["item"], r["item"]), r["metric"])):
        cells = (names.get(r["item"], r["item"]), r["metric"], _value(r["metric"], r["value"], r["text"]))
        table.add_row(*map(escape, cells))
    out.print(table)


@app.command("compare")
def runs_compare(
    a: Annotated[str, typer.Argument(help="First run id.")],
    b: Annotated[str, typer.Argument(help="Second run id.")],
    store: ReadStoreOpt = None,
    as_json: JsonOpt = False,
    show_all: AllOpt = False,
) -> None:
    """Two runs side by side: what differs between them, then the figures that moved most."""
    s = api.open_store(store)
    rows = s.compare(a, b)
    if as_json:
        print_json({"a": a, "b": b, "rows": rows})
        return
    ra, rb = s.show(a), s.show(b)
    names = item_names(_names(ra), rb.get("inputs") or {})
    for line in _what_differs(ra, rb):
        out.print(line, highlight=False)
    if not show_all:
        moved = [r for r in rows if r["diff"] not in (None, 0)]
        moved.sort(key=lambda r: -abs(r["diff"] / r["a"]) if r["a"] else -abs(r["diff"]))
        rows = moved[:10]
        if not rows:
            out.print("No figure differs between the two runs.")
            return
    table = Table(title=None if show_all else "The figures that moved most", box=box.SIMPLE_HEAD)
    for col in ("item", "metric", "a", "b", "b - a"):
        table.add_column(col, justify="left" if col in ("item", "metric") else "right", overflow="fold")
    for r in rows:
        cells = [_value(r["metric"], r[k]) for k in ("a", "b", "diff")]
        table.add_row(escape(names.get(r["item"], r["item"])), escape(r["metric"]), *map(escape, cells))
    out.print(table)
    if not show_all:
        out.print(f"[dim]every figure: kopru runs compare {a[:12]} {b[:12]} --all[/]")


def _differing(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _what_differs(ra: dict[str, Any], rb: dict[str, Any]) -> list[str]:
    """The sentences a reader needs before the numbers: are these comparable, and what changed."""
    lines = []
    same_product = (ra["company"], ra["product"]) == (rb["company"], rb["product"])
    if ra["kind"] != rb["kind"]:
        lines.append(
            f"[yellow]a is a {ra['kind']} run, b a {rb['kind']} run: only the metrics they share compare.[/]"
        )
    if not same_product:
        lines.append(
            "[yellow]"
            + escape(
                f"These runs are of different profiles: a is {ra['company']} — {ra['product']},"
                f" b is {rb['company']} — {rb['product']}; the differences are not like for like."
            )
            + "[/]"
        )
    elif ra["inputs_hash"] != rb["inputs_hash"]:
        changed = _differing(ra.get("inputs") or {}, rb.get("inputs") or {})
        if "params" in changed:  # say which option: 'avoid', not 'params'
            params = _differing(ra["inputs"].get("params") or {}, rb["inputs"].get("params") or {})
            changed[changed.index("params")] = f"the options ({', '.join(params)})"
        lines.append(
            escape(f"Same profile, different inputs: {', '.join(changed) or 'the profile'} changed.")
        )
    if ra["data_pack_version"] != rb["data_pack_version"]:
        lines.append(f"Data pack {ra['data_pack_version']} against {rb['data_pack_version']}.")
    if (ra.get("disruptions") or []) != (rb.get("disruptions") or []):
        lines.append(
            f"Closed: a {ra.get('disruptions') or 'nothing'}, b {rb.get('disruptions') or 'nothing'}."
        )
    if (ra.get("overrides") or []) != (rb.get("overrides") or []):
        lines.append(
            f"Overridden: a {ra.get('overrides') or 'nothing'}, b {rb.get('overrides') or 'nothing'}."
        )
    return lines


@app.command("export")
def runs_export(
    target: Annotated[Path, typer.Argument(help="Folder for runs.<fmt> and results.<fmt>.")],
    run_id: Annotated[str | None, typer.Option("--run", help="Export one run only.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    store: ReadStoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the runs and their results to Parquet or CSV."""
    written = api.open_store(store).export(target, fmt, run_id)
    if as_json:
        print_json(written)
        return
    out.print("wrote " + ", ".join(written.values()))
