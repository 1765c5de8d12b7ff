"""``kopru match``: which enterprises of a pipeline to pitch to which zone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from kopru import api
from kopru.cli.common import (
    AvoidOpt,
    JsonOpt,
    NoStoreOpt,
    OverridesOpt,
    StoreOpt,
    compact,
    err,
    interactive,
    out,
    print_json,
    recorded,
    shown,
)
from kopru.display import and_list
from kopru.errors import OptionError
from kopru.language import LANGUAGES, check_language
from kopru.matchmaking.pairs import SCALE_FLAG

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def _targets(values: list[str] | None) -> dict[str, float]:
    targets = {}
    for raw in values or []:
        region, sep, jobs = raw.partition("=")
        if sep and region.strip() in targets:  # one would silently win
            raise OptionError(
                f"--min-jobs gives {region.strip()!r} twice; give each region once", field="--min-jobs"
            )
        try:
            targets[region.strip()] = float(jobs)
        except ValueError:
            sep = ""
        if not sep:
            raise OptionError(
                f"--min-jobs {raw!r}: expected REGION=JOBS, e.g. KZ-61=1000", field="--min-jobs"
            )
    return targets


@app.command()
def match(
    pipeline: Annotated[Path, typer.Argument(help="Enterprises: CSV, YAML or Parquet (see examples/match).")],
    zones: Annotated[
        Path | None,
        typer.Option("--zones", help="CSV zone,resource,capacity[,note]: capacities to use instead."),
    ] = None,
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="jobs, investment, exports, value_added, savings, npv_gain or weighted (jobs, investment,"
            " exports and value added, each over its largest value in the pipeline, weighted equally).",
        ),
    ] = "jobs",
    hurdle_pct: Annotated[
        float | None,
        typer.Option(
            "--hurdle",
            help="Saving over the Turkish baseline an enterprise needs, %, where its row gives none.",
        ),
    ] = None,
    min_jobs: Annotated[
        list[str] | None,
        typer.Option("--min-jobs", help="REGION=JOBS: at least so many jobs in a region (repeatable)."),
    ] = None,
    max_incentive_cost: Annotated[
        float | None,
        typer.Option(
            "--max-incentive-cost", help="What the zones' incentives may cost the state, USD a year."
        ),
    ] = None,
    include_operating: Annotated[
        bool,
        typer.Option(
            "--include-operating", help="Place plants whose status is 'operating' too, as if they were new."
        ),
    ] = False,
    confirmed_only: Annotated[
        bool,
        typer.Option(
            "--confirmed-only",
            help="Place in an SEZ only where its priority sectors confirm the enterprise's (no"
            " eligibility to check before pitching).",
        ),
    ] = False,
    prefer: Annotated[
        str,
        typer.Option(
            "--prefer",
            help="Among portfolios equal on the objective: state_cost (the least the zones' incentives"
            " cost the state) or saving (the most the enterprises save).",
        ),
    ] = "state_cost",
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            help="Seconds for every solve together: the portfolio, its tie-breaks, shadow values and"
            " the trade-off table (what the time does not reach is left out, with a note).",
        ),
    ] = 60.0,
    overrides: OverridesOpt = None,
    avoid: AvoidOpt = None,
    as_json: JsonOpt = False,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for match.json, report.html, pitch/*.html, match.xlsx."),
    ] = None,
    languages: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            help="With --out, also write the pitch sheets in this language (tr: Türkçe, in pitch/tr/);"
            " the English ones are always written.",
        ),
    ] = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Match a pipeline of enterprises to zones: who fits where, within capacities, for the most jobs."""
    languages = [check_language(lang) for lang in languages or []]  # refused before the solve
    if languages and out_dir is None:
        raise OptionError(
            "--lang writes the pitch sheets into the --out folder; give --out DIR as well", field="lang"
        )
    targets = _targets(min_jobs)
    with err.status("matching", spinner="dots") if interactive(as_json) else shown(None):
        result = api.match(
            pipeline,
            zones=zones,
            objective=objective,
            hurdle_pct=hurdle_pct,
            min_jobs=targets,
            max_incentive_cost=max_incentive_cost,
            time_limit=time_limit,
            overrides=overrides,
            include_operating=include_operating,
            prefer=prefer,
            confirmed_only=confirmed_only,
            avoid=avoid or (),
        )
    written = []
    if out_dir is not None:
        from kopru.report.portfolio import write_match_folder

        written = write_match_folder(result, api.data_pack(overrides), out_dir, tuple(languages))
    run_id = None
    if not no_store:
        params = {
            "pipeline": str(pipeline.resolve()),
            "zones": str(zones.resolve()) if zones else None,
            "objective": objective,
            "hurdle_pct": hurdle_pct,
            "min_jobs": targets,
            "max_incentive_cost": max_incentive_cost,
            "include_operating": include_operating,
            "prefer": prefer,
            "confirmed_only": confirmed_only,
            "avoid": list(result.avoid),
        }
        run_id = api.open_store(store).record_match(result, params)
    if as_json:
        print_json(result.as_dict())
        return
    _print(result)
    if written:
        extra = [lang for lang in dict.fromkeys(languages) if lang != "en"]
        languages_said = f" (English{''.join(', ' + LANGUAGES[lang] for lang in extra)})" if extra else ""
        out.print(
            f"wrote [bold]{escape(str(written[0]))}[/], [bold]{escape(str(written[1]))}[/],"
            f" [bold]{escape(str(written[2]))}[/]"
            f" and {len(written) - 3} pitch sheets{languages_said}"
        )
    recorded(run_id)


# a row's figures that are kopru's estimates (the table shows jobs and investment)
EST_WORDS = {"jobs": "jobs", "investment_usd": "investment"}


def _print(result) -> None:
    d = result.as_dict()
    objective = d["objective_name"].replace("_", " ")
    table = Table(
        title=f"Portfolio for {objective}: {d['status']}, gap {max(d['gap'], 0):.2%}"
        if d["gap"] is not None
        else f"Portfolio: {d['status']}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    for col in ("enterprise", "zone", "saving", "NPV gain USD", "jobs", "invest USD"):
        named = col in ("enterprise", "zone")
        # names fold rather than end in '…': two enterprises of one group differ only at their ends
        table.add_column(
            col,
            justify="left" if named else "right",
            no_wrap=not named,
            max_width=32 if named else None,
            overflow="fold",
        )
    for a in d["assignments"]:
        guessed = [EST_WORDS[k] for k in EST_WORDS if k in a["estimated"]]
        scale = a.get("scale") or 1.0
        far = scale > SCALE_FLAG or scale < 1 / SCALE_FLAG  # its figures: its template's scaled linearly
        times = f"{scale:,.1f}" if scale >= 1 else f"{scale:.2f}"
        scaled = f" [yellow](×{times} its template)[/]" if far else ""
        table.add_row(
            escape(a["name"]) + (f" [dim]({' and '.join(guessed)} estimated)[/]" if guessed else "") + scaled,
            escape(a["zone_name"]) + ("" if a["confirmed"] else " *"),
            "–" if a["advantage"] is None else f"{a['advantage']:.1%}",
            "–" if a["npv_gain_usd"] is None else compact(a["npv_gain_usd"]),
            f"{a['jobs']:,.0f}",
            compact(a["investment_usd"]),
        )
    out.print(table)
    out.print(headline(d), highlight=False)
    for line in caveats(d):
        out.print(f"[yellow]{escape(line)}[/]", highlight=False)
    for t in d["targets"]:
        met = ("met, and binding" if t["binding"] else "met") if t["met"] else "[red]not met[/]"
        out.print(f"target: {escape(t['target'])}: {t['reached']:,.0f}, {met}", highlight=False)
    _print_trade_offs(d)
    for u in d["unassigned"]:
        out.print(f"[yellow]not placed:[/] {escape(u['name'])}: {escape(u['why'])}", highlight=False)
    for n in d["notes"]:
        out.print(f"[dim]{escape(n)}[/]")


def _plural(n: int, noun: str) -> str:
    """'1 enterprise', '35 enterprises'."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def headline(d: dict) -> str:
    """The portfolio in one sentence, with how much of it is kopru's estimate."""
    imp = d["impact"]
    est = imp["estimated"]
    guessed = (
        f" (of which kopru's estimates: {est['jobs']:,.0f} jobs, {compact(est['investment_usd'])} USD)"
        if est["jobs"] or est["investment_usd"]
        else ""
    )
    per_job = imp["incentive_cost_per_job_usd"]
    return (
        f"{imp['enterprises']} of {_plural(len(d['enterprises']), 'enterprise')} placed:"
        f" {imp['jobs']:,.0f} jobs,"
        f" {compact(imp['investment_usd'])} USD invested{guessed}, {compact(imp['exports_usd'])} USD exports"
        f" a year, saving {compact(imp['saving_usd'])} USD a year (NPV gain {compact(imp['npv_gain_usd'])}"
        " USD over the plants' lives); the zones' incentives cost the state an"
        f" estimated {compact(imp['incentive_cost_usd'])} USD a year"
        + _per_job(per_job, imp.get("incentive_cost_per_counted_job_usd"))
        + _without_scaled(imp)
        # as the report, workbook and page say it (a diff review: the CLI's headline alone did not)
        + "; exports, value added, savings, the NPV gain and the state's cost are kopru's estimates from"
        " the sector templates"
    )


def _per_job(per_job: float | None, per_counted: float | None) -> str:
    """The incentives' cost per job placed, and per job where they are counted (an industrial zone's
    are not valued: over every job the SEZs' cost read as a third of what it is)."""
    if not per_job:
        return ""
    if per_counted and abs(per_counted - per_job) > 0.005 * per_job:
        counted = f"{compact(per_counted)} per job where incentives are counted"
        return f" ({compact(per_job)} USD per job placed, {counted})"
    return f" ({compact(per_job)} USD per job placed)"


def _without_scaled(imp: dict) -> str:
    """The headline's exports and gains without the enterprises costed far above their template's
    size (a review: a sugar plant scaled 30 times from a biscuit template gave half the NPV gain)."""
    big = imp.get("scaled") or {}
    if not big.get("enterprises"):
        return ""
    n = big["enterprises"]
    return (
        f"; without the {_plural(n, 'enterprise')} costed at more than {big['above']:g} times"
        f" {'its' if n == 1 else 'their'} template's size: {compact(imp['exports_usd'] - big['exports_usd'])}"
        f" USD exports a year, saving {compact(imp['saving_usd'] - big['saving_usd'])} USD a year, NPV gain"
        f" {compact(imp['npv_gain_usd'] - big['npv_gain_usd'])} USD"
    )


def caveats(d: dict) -> list[str]:
    """What the headline rests on: unconfirmed SEZ eligibility, the tie-break's alternative."""
    imp, out = d["impact"], []
    un = imp["unconfirmed"]
    if un["enterprises"]:
        out.append(
            f"* {_plural(un['enterprises'], 'placement')} ({un['jobs']:,.0f} jobs,"
            f" {compact(un['incentive_cost_usd'])} USD a year of the incentives) count SEZ incentives"
            " without the sector confirmed as a priority activity of the zone: check before pitching"
        )
    alt = d["tie_break"]["alternative"]
    if alt:
        out.append(
            f"ties broken toward {d['tie_break']['rule']}; the equal portfolio with {alt['rule']} would"
            f" cost the state {compact(alt['incentive_cost_usd'])} USD a year"
            f" (--prefer {alt['prefer']}, {_plural(alt['moved'], 'enterprise')} elsewhere)"
        )
    transit = d.get("restricted_transit")
    if transit:
        out.append(
            f"{_plural(transit['enterprises'], 'placement')}"
            f" {'routes' if transit['enterprises'] == 1 else 'route'} to some of"
            f" {'its' if transit['enterprises'] == 1 else 'their'} markets through"
            f" {and_list(transit['names'])}, under sanctions or transit restrictions (each pitch sheet gives"
            f" the cheapest route through none of them; --avoid {' --avoid '.join(transit['avoid'])} places"
            " and prices on such routes)"
        )
    if d.get("avoid_names"):
        out.append(
            f"no route passes through {', '.join(d['avoid_names'])}"
            " (--avoid; a market there is still reached)"
        )
    return out


def _print_trade_offs(d: dict) -> None:
    """What each objective's portfolio gives: the choice of objective is a choice between these."""
    rows = d.get("trade_offs") or []
    if not rows:
        return
    table = Table(
        title="What each objective gives (same pipeline, zones and targets)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    for col in (
        "objective",
        "placed",
        "jobs",
        "invest",
        "exports/yr",
        "value added/yr",
        "saving/yr",
        "NPV gain",
        "state cost/yr",
    ):
        table.add_column(col, justify="left" if col == "objective" else "right", no_wrap=True)
    for r in rows:
        name = r["objective"].replace("_", " ") + ("" if r["targets"] else " (no targets)")
        chosen = r["objective"] == d["objective_name"] and r["targets"]
        table.add_row(
            name,
            str(r["enterprises"]),
            f"{r['jobs']:,.0f}",
            *(
                compact(r[k])
                for k in ("investment_usd", "exports_usd", "value_added_usd", "saving_usd", "npv_gain_usd")
            ),
            compact(r["incentive_cost_usd"]),
            style="bold" if chosen else None,
        )
    out.print(table)
