"""``kopru runs``: the scenario store — list, show, compare and export recorded runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from kopru import api
from kopru.cli.common import JsonOpt, ReadStoreOpt, out, print_json
from kopru.display import item_names, site_names
from kopru.errors import OptionError
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
    s = api.open_store(store)
    if as_json:
        print_json({"runs": s.list(limit)})
        return
    _, rows = s.summaries(limit)
    differs = _what_varies(rows)
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("id", "kind", "created", "company", "what differs", "inputs hash", "data pack"):
        # the company and what differs wrap; the ids and the time are read whole
        table.add_column(col, no_wrap=col not in ("company", "what differs"), overflow="fold", min_width=8)
    for r in rows:
        table.add_row(
            r["id"][:12],
            r["kind"],
            str(r["created"])[:16],
            escape(r["company"] or ""),
            escape(differs.get(r["id"], "")),
            r["inputs_hash"][:8],
            r["data_pack_version"],
        )
    out.print(table)


def _features(run: dict[str, Any]) -> dict[str, str]:
    """What a reader tells runs of one profile apart by: options, closures, avoided countries and
    overridden values, each as words ('avoid RU', 'optimize yes')."""
    said = {k: _option(v) for k, v in (run.get("params") or {}).items()}
    features = {k: str(_word(v)) for k, v in said.items() if v is not None and k != "file"}
    file = (run.get("params") or {}).get("file")
    if isinstance(file, str):
        features["file"] = Path(file).name
    if run.get("disruptions"):
        features["closed"] = ", ".join(map(str, run["disruptions"]))
    overrides = run.get("overrides")
    if overrides:
        keys = overrides if isinstance(overrides, list) else list(overrides)
        features["overridden"] = ", ".join(map(str, keys))
    return features


def _what_varies(rows: list[dict[str, Any]]) -> dict[str, str]:
    """For each run, the features that differ among the listed runs of its profile and kind
    ('avoid RU' beside a plan run without it); '' when it is the only one, '—' for none."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["company"], r["product"], r["kind"]), []).append(r)
    said: dict[str, str] = {}
    for runs in groups.values():
        if len(runs) < 2:
            continue
        features = {r["id"]: _features(r) for r in runs}
        keys = sorted({k for f in features.values() for k in f})
        varying = [k for k in keys if len({f.get(k) for f in features.values()}) > 1]
        for rid, f in features.items():
            said[rid] = ", ".join(f"{k} {f[k]}" for k in varying if k in f) or "—"
    return said


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


def _currency(run: dict[str, Any]) -> str:
    return str(((run.get("inputs") or {}).get("profile") or {}).get("currency") or "USD")


# what each metric a run records is, for a reader: {cur} is the run's currency
LABELS = {
    "total": "annual landed cost, {cur} a year",
    "per_unit": "cost per unit delivered, {cur}",
    "base": "annual cost at the plan's values, {cur}",
    "at_means": "annual cost at the inputs' means, {cur}",
    "mean": "mean annual cost, {cur} a year",
    "mean_se": "standard error of the mean, {cur}",
    "p5": "5th percentile, {cur} a year",
    "p50": "median, {cur} a year",
    "p95": "95th percentile, {cur} a year",
    "cvar95": "CVaR95 (mean of the worst 5 %), {cur} a year",
    "expected_regret": "expected regret, {cur} a year",
    "p_best": "P(best)",
    "p_best_se": "standard error of P(best)",
    "p_best_if_unconfirmed_incentives_fail": "P(best) if unconfirmed incentives fail",
    "p_over_capacity": "P(demand above capacity)",
    "capacity": "capacity, units a year",
    "incentives_unconfirmed": "incentives unconfirmed",
    "per_unit_base": "cost per unit at the plan's values, {cur}",
    "per_unit_mean": "mean cost per unit, {cur}",
    "per_unit_p5": "cost per unit, 5th percentile, {cur}",
    "per_unit_p50": "cost per unit, median, {cur}",
    "per_unit_p95": "cost per unit, 95th percentile, {cur}",
    "per_unit_cvar95": "cost per unit, CVaR95, {cur}",
    "score": "score (0 to 1, higher is better)",
    "cost": "cost criterion: annual cost, {cur} a year",
    "risk": "risk criterion: CVaR95 above the mean",
    "npv": "NPV, {cur}",
    "distance": "distance to the markets, km",
    "crossings": "border crossings and ferry legs a route",
    "port_access": "distance to a seaport, km",
    "best_total": "best site's annual cost, {cur} a year",
    "best": "best site",
    "baseline": "best Turkish option",
    "baseline_total": "best Turkish option's annual cost, {cur} a year",
    "saving_pct": "saving against the best Turkish option",
    "feasible_sites": "sites with a route to every market",
    "given": "what the scenario changes",
    "unserved": "markets no site can serve",
    "investment_usd": "investment, USD",
    "saving_usd": "saving, USD a year",
    "npv_gain_usd": "NPV gain, USD",
    "advantage": "saving share",
}
SHARES = {
    *("p_best", "p_best_se", "p_best_if_unconfirmed_incentives_fail", "p_over_capacity"),
    *("saving_pct", "risk", "advantage", "gap"),
}
SAME_AS = {"best_name": "best", "baseline_name": "baseline"}  # a name row beside its id's row


def _label(metric: str, run: dict[str, Any]) -> str:
    """'logistics, USD a year' for component_logistics; a rank says what it ranks by."""
    cur = _currency(run)
    if metric == "rank":
        if run["kind"] == "plan":
            return "rank by annual cost"
        method = (run.get("params") or {}).get("method")
        return f"rank by {str(method).upper()} score" if method else "rank"
    if metric.startswith("component_"):
        return f"{metric.removeprefix('component_')}, {cur} a year"
    return LABELS.get(metric, metric.replace("_", " ")).format(cur=cur)


def _option(value: Any) -> str | int | float | bool | None:
    """A run parameter as one word or number ('RU, IR' for a list of codes, 'cost 0.4, risk 0.15'
    for weights); None for what a line cannot hold (the distributions of a risk run)."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, dict) and value and all(isinstance(v, int | float) for v in value.values()):
        return ", ".join(f"{k} {_number(v)}" for k, v in value.items())
    return None


def _word(value: Any) -> Any:
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.4g}"


def _value(metric: str, value: Any, text: str | None = None, names: dict[str, str] | None = None) -> str:
    if value is None:
        return _text(result_text(text), names or {}) if text is not None else "—"
    if metric in SHARES:
        return f"{value:.1%}"
    if metric == "rank":
        return f"{value:.0f}"
    return _number(value)


def _text(value: Any, names: dict[str, str]) -> str:
    """A recorded text as words: yes/no, a site's name for its id, a list or mapping in plain words."""
    if value in ("True", "False", True, False):
        return "yes" if value in ("True", True) else "no"
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return ", ".join(_text(v, names) for v in value) or "none"
    if isinstance(value, dict):  # a scenario's changes: only those it makes
        said = [f"{k}: {_text(v, names)}" for k, v in value.items() if v not in (None, "", [], {})]
        return "; ".join(said) or "none"
    if isinstance(value, int | float):
        return _number(value)
    return "—" if value is None else str(value)


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
        said = [f"{k} ({v})" if k == "weights" else f"{k} {_word(v)}" for k, v in scalars.items()]
        out.print("options: " + "; ".join(said), highlight=False, markup=False)
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
    title = f"Top {min(TOP, len(ranked))} of {len(rows)} ({_label(order, run)})"
    table = Table(title=escape(title), box=box.SIMPLE_HEAD)
    table.add_column("site" if run["kind"] != "sweep" else "scenario", overflow="fold", min_width=24)
    for m in metrics:
        table.add_column(escape(_label(m, run)), justify="right", overflow="fold")
    if run["kind"] == "sweep":
        table.add_column("best site", overflow="fold")
    for item in ranked[:TOP]:
        cells = [_value(m, rows[item].get(m)) for m in metrics]
        if run["kind"] == "sweep":
            best = result_text(rows[item].get("best"))
            cells.append(names.get(best, str(best or "—")))
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
        table.add_column(col, justify="right" if col == "value" else "left", overflow="fold")
    present = {(r["item"], r["metric"]) for r in run["results"]}
    shown = [r for r in run["results"] if (r["item"], SAME_AS.get(r["metric"])) not in present]
    for r in sorted(shown, key=lambda r: (names.get(r["item"], r["item"]), r["metric"])):
        value = _value(r["metric"], r["value"], r["text"], names)
        cells = (names.get(r["item"], r["item"]), _label(r["metric"], run), value)
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
    if ra["kind"] != rb["kind"]:  # a plan ranks by cost, a ranking by its score: not one quantity
        rows = [r for r in rows if r["metric"] != "rank"]
    shared = any(r["a"] is not None and r["b"] is not None for r in rows)
    for line in _what_differs(ra, rb, shared):
        out.print(line, highlight=False)
    if not shared:
        out.print(
            f"These runs share no figure: a {ra['kind']} run and a {rb['kind']} run"
            + (
                " (a plan's rank is by cost, a ranking's by its score)."
                if {ra["kind"], rb["kind"]} == {"plan", "rank"}
                else "."
            ),
            highlight=False,
        )
        return
    if not show_all:
        moved = [r for r in rows if r["diff"] not in (None, 0)]
        moved.sort(key=lambda r: -abs(r["diff"] / r["a"]) if r["a"] else -abs(r["diff"]))
        rows = moved[:10]
        if not rows:
            out.print("No figure differs between the two runs.")
            return
    title = None if show_all else "The figures that moved most, by their change in %"
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for col in ("item", "metric", "a", "b", "b - a", "change"):
        table.add_column(col, justify="left" if col in ("item", "metric") else "right", overflow="fold")
    for r in rows:
        cells = [_value(r["metric"], r[k]) for k in ("a", "b", "diff")]
        cells.append(_change(r))
        label = _label(r["metric"], ra if ra["kind"] == rb["kind"] or r["metric"] != "rank" else rb)
        table.add_row(escape(names.get(r["item"], r["item"])), escape(label), *map(escape, cells))
    out.print(table)
    if not show_all:
        out.print(f"[dim]every figure: kopru runs compare {a[:12]} {b[:12]} --all[/]")


def _change(row: dict[str, Any]) -> str:
    """b against a in %, as the table is sorted; '—' where a is zero or missing."""
    if row["a"] in (None, 0) or row["diff"] is None:
        return "—"
    return f"{row['diff'] / abs(row['a']):+.1%}"


def _differing(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _what_differs(ra: dict[str, Any], rb: dict[str, Any], shared: bool = True) -> list[str]:
    """The sentences a reader needs before the numbers: are these comparable, and what changed."""
    lines = []
    same_product = (ra["company"], ra["product"]) == (rb["company"], rb["product"])
    if ra["kind"] != rb["kind"] and shared:
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
        # the kind has its own sentence above
        changed = [k for k in _differing(ra.get("inputs") or {}, rb.get("inputs") or {}) if k != "kind"]
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
            escape(f"Closed: a {_listed(ra.get('disruptions'))}, b {_listed(rb.get('disruptions'))}.")
        )
    if (ra.get("overrides") or []) != (rb.get("overrides") or []):
        lines.append(
            escape(f"Overridden: a {_listed(ra.get('overrides'))}, b {_listed(rb.get('overrides'))}.")
        )
    return lines


def _listed(values: Any) -> str:
    if not values:
        return "nothing"
    return ", ".join(map(str, values if isinstance(values, list) else list(values)))


@app.command("delete")
def runs_delete(
    run_ids: Annotated[list[str], typer.Argument(help="Run ids (or their first characters) to delete.")],
    yes: Annotated[bool, typer.Option("--yes", help="Delete without asking.")] = False,
    store: ReadStoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete runs and their results from the scenario store (all or none; it cannot be undone)."""
    opened = api.open_store(store)
    runs = [opened.show(r) for r in run_ids]  # every id is checked before anything is deleted
    if not yes:
        said = "; ".join(_about(r) for r in runs)
        if not sys.stdin.isatty():  # a script must say so: nothing stored is lost by a slip
            raise OptionError(f"this would delete {said}: add --yes to delete without asking", field="--yes")
        if not typer.confirm(f"Delete {said}?", default=False):
            out.print("nothing deleted")
            return
    gone = opened.delete([r["id"] for r in runs])
    if as_json:
        print_json({"deleted": gone})
        return
    out.print("deleted " + "; ".join(_about(r) for r in gone), highlight=False, markup=False)


def _about(run: dict[str, Any]) -> str:
    """A run as a person tells it: its kind, what it was of and when, its id's first characters."""
    what = run.get("product") or run.get("company") or ""
    return f"{run['kind']} run {run['id'][:8]} of {str(run['created'])[:16]}" + (f" ({what})" if what else "")


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
