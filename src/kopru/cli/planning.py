"""``kopru plan``, ``optimize``, ``route`` and ``demo``: the landed-cost plan and its routes."""

from __future__ import annotations

import sys
from importlib import resources
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
    interactive,
    out,
    print_json,
    recorded,
    shown,
    steps_bar,
)
from kopru.errors import InfeasibleError, KopruError, OptionError
from kopru.language import check_language
from kopru.sites import unconfirmed_incentives

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
OutOpt = Annotated[Path | None, typer.Option("--out", help="Folder for plan.json and report.html.")]
LangOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--lang",
        help="With --out, also write the one-page summary in this language (tr: Türkçe, in tr/);"
        " the English one is always written.",
    ),
]
EXAMPLES = resources.files("kopru") / "examples"
SHORT = {
    "materials": "mat",
    "energy": "enrg",
    "labour": "lab",
    "logistics": "logi",
    "duties": "duty",
    "taxes": "tax",
    "capital": "cap",
}


def run_plan(
    profile: Path,
    out_dir: Path | None,
    as_json: bool,
    overrides: Path | None,
    close: list[str] | None,
    optimize: bool | dict[str, Any] = False,
    store: Path | None = None,
    no_store: bool = False,
    avoid: list[str] | None = None,
    languages: list[str] | None = None,
    refuse_infeasible: bool = False,
) -> Any:
    """Plan, write the report folder, record the run, print: the shared body of plan and optimize;
    ``refuse_infeasible``: options no network plan can meet are an error, before anything is written."""
    languages = [check_language(lang) for lang in languages or []]  # refused before the plan
    if languages and out_dir is None:
        raise OptionError(
            "--lang writes the summary into the --out folder; give --out DIR as well", field="lang"
        )
    bar, step = steps_bar(interactive(as_json))
    with shown(bar):
        plan = api.plan(
            profile,
            overrides=overrides,
            disruptions=close or (),
            progress=step,
            optimize=optimize,
            avoid=avoid or (),
        )
    n = plan.network
    if refuse_infeasible and n is not None and n.objective is None and n.status == "infeasible":
        # the options ask for the impossible: a usage error, said on stderr (exit 2), not a plan
        reason = n.message.removeprefix("no plan can exist: ")
        raise InfeasibleError(f"no network plan can meet these options: {reason}", field="optimize")
    if out_dir is not None:
        written = api.write_report(plan, out_dir, overrides=overrides, keep_views=False, languages=languages)
    run_id = None if no_store else api.open_store(store).record_plan(plan, overrides)
    if as_json:
        sys.stdout.write(plan.model_dump_json(indent=1) + "\n")
        return plan
    print_plan(plan, written=out_dir is not None)
    if out_dir is not None:
        files = [
            out_dir / f for f in ("plan.json", "report.html", "plan.xlsx", "summary.pdf", "summary.html")
        ]
        files += written.translated
        out.print("wrote " + ", ".join(f"[bold]{escape(str(f))}[/]" for f in files), soft_wrap=True)
    recorded(run_id)
    return plan


def _per_unit(annual: float | None, volume: float) -> str:
    return "—" if annual is None else f"{annual / volume:.2f}"


def print_plan(plan: Any, written: bool = False) -> None:
    """The ranking table and the recommendation; ``written``: a report folder was written (the
    sites left out of the table are in it)."""
    table = Table(
        title=escape(f"{plan.company}: {plan.product}"),
        caption=(
            f"total: annual landed cost; other columns: {plan.currency} per unit; mat: with inbound freight"
            " and duty; tax: property and profit; cap: capital, fixed costs and land"
        ),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    table.add_column("#", justify="right", min_width=2)
    table.add_column("site", overflow="fold", min_width=18)
    table.add_column("total", justify="right", no_wrap=True, min_width=6)
    table.add_column("unit", justify="right", no_wrap=True, min_width=5)
    for comp in plan.components:
        table.add_column(SHORT.get(comp, comp), justify="right", no_wrap=True, min_width=4)
    sites = [plan.site(s) for s in plan.ranking]
    top = sites[:12] + [s for s in sites[12:] if s.country == "TR"]
    volume = plan.units_sold
    assumed = [s for s in top if unconfirmed_incentives(s.notes)]
    for s in top:
        lc = s.landed_cost
        best = s.id == plan.recommendation.site
        style = "bold green" if best else ("yellow" if s.country == "TR" else None)
        table.add_row(
            str(s.rank or "—"),
            escape(f"{s.country} {s.name}") + (" *" if s in assumed else ""),
            compact(lc.total) if lc.total is not None else "no route",
            f"{lc.per_unit:.2f}" if lc.per_unit is not None else "—",
            *[_per_unit(lc.components[c], volume) for c in plan.components],
            style=style,
        )
    out.print(table)
    if len(sites) > len(top):
        where = "plan.json and the report" if written else "--out DIR's plan.json and report, or --json"
        out.print(f"({len(sites) - len(top)} more sites in {where})")
    if assumed:
        out.print("* SEZ incentives counted without the product confirmed as a priority activity of the zone")
    if plan.network is not None:
        _print_network(plan)
    if plan.overrides:
        out.print(f"[red]overridden:[/] {escape('; '.join(_override_said(o) for o in plan.overrides))}")
        unread = [o["key"] for o in plan.overrides if o.get("read") is False]
        if unread:
            out.print(f"[yellow]read by no site, so without effect:[/] {escape(', '.join(unread))}")
        for o in plan.overrides:
            if o.get("check"):
                out.print(f"[yellow]check:[/] {escape(o['key'])}: {escape(o['check'])}", highlight=False)
    if plan.disruptions:
        out.print(f"[red]closed:[/] {escape(', '.join(plan.closed_parts or plan.disruptions))}")
    rec = plan.recommendation
    out.print(f"[bold]Recommendation:[/] {escape(rec.headline or rec.text)}")
    for point in rec.points if rec.headline else []:
        out.print(f"  • {escape(point)}")
    if plan.borrowed_stress is not None:
        colour = "green" if plan.borrowed_stress.holds else "yellow"
        out.print(f"[bold {colour}]Stress test:[/] {escape(plan.borrowed_stress.text)}")
    if plan.switching is not None:
        out.print(f"[bold]Switching values:[/] {escape(plan.switching.text)}")
    _print_appraisal(plan)


def _rate(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _print_appraisal(plan: Any) -> None:
    """The recommended site's NPV, IRR and payback, against the baseline, and its incentives."""
    rec = plan.recommendation
    if rec.site is None or plan.site(rec.site).appraisal is None:
        return
    site = plan.site(rec.site)
    a = site.appraisal
    if a.payback_years is not None:
        payback = f"{a.payback_years:.1f} years after construction (undiscounted)"
    else:
        payback = "never" if a.outlay else "none due (nothing invested)"
    line = (
        f"[bold]Appraisal:[/] {escape(site.name)}: NPV {a.npv:,.0f} {plan.currency}"
        f" at a WACC of {a.wacc:.1%},"
        f" IRR {_rate(a.irr)}, payback {payback}"
    )
    if a.margin is not None:  # a CLI review: an IRR of 143 % read as a flaw without it
        line += f" (operating margin {a.margin:.0%} of revenue, before selling and head-office costs)"
    v = a.vs_baseline
    if v is not None and v.baseline != site.id and v.npv is not None:
        base = escape(plan.site(v.baseline).name)
        line += (
            f"; moving from {base} is worth {v.npv:+,.0f} {plan.currency} (IRR of the move {_rate(v.irr)})"
        )
    out.print(line)
    applied = [i for i in site.incentives if i.status == "applied"]
    if applied:
        parts = [
            escape(i.name)
            + (f" {i.annual_value:,.0f} {plan.currency} a year" if i.annual_value is not None else "")
            for i in applied
        ]
        out.print(
            f"[bold]Incentives applied:[/] {'; '.join(parts)} (each averaged over the plant's life;"
            " plan.json lists each with its term and legal basis)"
        )
    _print_sources(plan, site)


def _print_sources(plan: Any, site: Any) -> None:
    """Where the recommended site and the best Turkish one buy the inputs that have alternatives."""
    base = plan.site(plan.recommendation.baseline_site) if plan.recommendation.baseline_site else None
    there = {b.material: b for b in base.sources} if base is not None and base.id != site.id else {}
    parts = []
    for s in site.sources:
        part = f"{escape(s.material)} {_bought_at(s)}"
        if s.material in there:
            part += f"; at {escape(base.name)} {_bought_at(there[s.material])}"
        parts.append(part)
    if parts:
        out.print(
            f"[bold]Inputs bought[/] where each lands cheapest ({plan.currency} a unit: price, inbound"
            f" freight and duty): at {escape(site.name)}: {'. '.join(parts)}"
        )


def _bought_at(s: Any) -> str:
    """'locally 0.200 (Istanbul 0.224)': the source a site buys at, and what the others would land at."""
    others = ", ".join(
        f"{escape(name)} {_unit_cost(v)}" if v is not None else f"{escape(name)}: no route"
        for name, v in s.landed_by_source.items()
        if name != s.name
    )
    where = "locally" if s.origin == "local" else f"from {escape(s.name)}"
    return f"{where} {_unit_cost(s.landed)} ({others})"


def _unit_cost(v: float) -> str:
    return f"{v:,.2f}" if v >= 1 else f"{v:.3f}"


STATUS_TEXT = {
    "optimal": "proven optimal",
    "time_limit": "time limit reached",
    "no_solution": "no plan found within the time limit",
    "infeasible": "infeasible",
}


def _print_network(plan: Any) -> None:
    n = plan.network
    status = STATUS_TEXT.get(n.status, n.status.replace("_", " "))
    if n.objective is None:
        out.print(f"[red]network optimizer: {status}[/] — {escape(n.message)}")
        return
    names = {s.id: escape(s.name) for s in plan.sites} | {m["id"]: escape(m["name"]) for m in plan.markets}
    head = (
        f"[bold]Network plan[/] ({status}, gap {n.gap:.2%}, {n.seconds:.2f} s):"
        f" total {n.objective:,.0f} {n.currency} a year"
    )
    if n.saving_vs_single_site is not None:
        best = names.get(n.best_single_site, n.best_single_site)
        saving = n.saving_vs_single_site
        if abs(saving) < 0.5:  # "-0 below" read as a loss
            head += f", the best single site's plan ({best})"
        else:
            word = "below" if saving > 0 else "above"
            head += f", {abs(saving):,.0f} {n.currency} {word} the best single site ({best})"
    out.print(head)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("open site", "capacity", "units", "use", "markets served"):
        table.add_column(col, justify="left" if col in ("open site", "markets served") else "right")
    for o in n.open:
        served = [
            names.get(f.market, f.market) + (f" {f.share:.0%}" if f.share < 0.999 else "")
            for f in n.flows
            if f.site == o.site
        ]
        table.add_row(
            escape(o.name), compact(o.capacity), compact(o.units), f"{o.utilisation:.0%}", ", ".join(served)
        )
    out.print(table)
    for c in n.closed:
        out.print(
            f"closed: {escape(c.name)}, saving its fixed costs and land ({c.fixed_cost:,.0f} {n.currency} a"
            " year); closure costs (severance, write-offs) are not modelled"
        )
    if n.marginals is not None:
        out.print(f"[bold]Marginal values:[/] {escape(n.marginals.text)}")
    if n.sensitivity:
        cheapest = [s for s in n.sensitivity if s.delta is not None][:3]
        money = f"{plan.currency} a year"
        alt = "; ".join(f"{s.action} {names.get(s.site, s.site)}: +{s.delta:,.0f} {money}" for s in cheapest)
        if alt:  # every move infeasible, or none tried: no line at all rather than an empty one
            out.print(f"closest alternatives: {alt}")


@app.command()
def plan(
    profile: ProfileArg,
    out_dir: OutOpt = None,
    as_json: JsonOpt = False,
    overrides: OverridesOpt = None,
    close: CloseOpt = None,
    optimize: Annotated[
        bool, typer.Option("--optimize", help="Also run the network optimizer (see kopru optimize).")
    ] = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    avoid: AvoidOpt = None,
    languages: LangOpt = None,
) -> None:
    """Landed cost of every candidate site for every market, ranked, with a report."""
    run_plan(profile, out_dir, as_json, overrides, close, optimize, store, no_store, avoid, languages)


@app.command("optimize")
def optimize_cmd(
    profile: ProfileArg,
    out_dir: OutOpt = None,
    as_json: JsonOpt = False,
    overrides: OverridesOpt = None,
    close: CloseOpt = None,
    single_source: Annotated[
        bool | None, typer.Option("--single-source/--split", help="Serve each market from one site.")
    ] = None,
    max_sites: Annotated[int | None, typer.Option("--max-sites", help="Open at most N sites.")] = None,
    budget: Annotated[
        float | None,
        typer.Option(
            "--capex-budget", help="Total capex allowed, in the profile's currency (USD by default)."
        ),
    ] = None,
    min_kz_share: Annotated[
        float | None, typer.Option("--min-kz-share", help="Minimum share of demand made in Kazakhstan (0-1).")
    ] = None,
    force_open: Annotated[
        list[str] | None,
        typer.Option("--force-open", help="Site to keep open: a name, a part of one ('Turan') or an id."),
    ] = None,
    force_closed: Annotated[
        list[str] | None,
        typer.Option("--force-closed", help="Site to keep closed: a name, a part of one or an id."),
    ] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds for the solver.")] = None,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity/--no-sensitivity", help="Re-solve with each site forced.")
    ] = True,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    avoid: AvoidOpt = None,
    languages: LangOpt = None,
) -> None:
    """Which sites to open, at what capacity, and who serves whom (a facility-location MILP)."""
    given = {
        "single_source": single_source,
        "max_sites": max_sites,
        "capex_budget": budget,
        "min_kz_share": min_kz_share,
        "force_open": tuple(force_open) if force_open else None,
        "force_closed": tuple(force_closed) if force_closed else None,
        "time_limit": time_limit,
        "sensitivity": sensitivity,
    }
    options = {k: v for k, v in given.items() if v is not None}
    plan = run_plan(
        profile, out_dir, as_json, overrides, close, options, store, no_store, avoid, languages, True
    )
    if plan.network is not None and plan.network.objective is None:
        raise typer.Exit(1)  # no plan found within the time limit: scripts must see it


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's output.")] = Path("out/demo"),
    no_store: NoStoreOpt = False,
) -> None:
    """Run the apparel example end to end: plan, table, plan.json and report.html."""
    with resources.as_file(EXAMPLES / "apparel.yaml") as path:
        run_plan(path, out_dir, False, None, None, no_store=no_store)
        out.print(f"[dim]profile: {escape(str(path))}[/]")  # after the run: an --out error comes alone


@app.command()
def route(
    origin: Annotated[str, typer.Argument(help="Corridor node id or name, e.g. almaty or Almaty.")],
    destination: Annotated[str, typer.Argument(help="Corridor node id or name, e.g. istanbul_ambarli.")],
    fastest: Annotated[bool, typer.Option("--fastest", help="Minimise days, not cost.")] = False,
    close: CloseOpt = None,
    overrides: OverridesOpt = None,
    as_json: JsonOpt = False,
    avoid: AvoidOpt = None,
) -> None:
    """The cheapest (or fastest) corridor route between two nodes, leg by leg."""

    def find(countries: list[str]) -> Any:
        return api.route(
            origin,
            destination,
            criterion="time" if fastest else "cost",
            disruptions=close or (),
            overrides=overrides,
            avoid=countries,
        )

    r = find(list(avoid or ()))
    if as_json:
        print_json(r.as_dict())
        return
    names = api.data_pack(overrides).nodes["name"].to_dict()  # people read Alat (Baku port), not baku_alat
    ends = f"{names.get(r.origin, r.origin)} → {names.get(r.destination, r.destination)}"
    table = Table(title=escape(f"{ends} ({'fastest' if fastest else 'cheapest'})"))
    for col in ("from", "to", "mode", "km", "days", "USD/TEU", "kg CO2e/t"):
        table.add_column(col, justify="left" if col in ("from", "to", "mode") else "right")
    for leg in r.legs:
        table.add_row(
            escape(names.get(leg.origin, leg.origin)),
            escape(names.get(leg.destination, leg.destination)),
            leg.mode,
            f"{leg.distance_km:,.0f}",
            f"{leg.days:.1f}",
            f"{leg.cost_usd_per_teu:,.0f}",
            f"{leg.co2_kg_per_t:,.1f}",
        )
    table.add_row(
        "total",
        "",
        ", ".join(r.modes),
        f"{r.distance_km:,.0f}",
        f"{r.days:.1f}",
        f"{r.cost_usd_per_teu:,.0f}",
        f"{r.co2_kg_per_t:,.1f}",
        style="bold",
    )
    out.print(table)
    _say_restricted(r, find, overrides, avoid)


def _override_said(o: dict[str, Any]) -> str:
    """An override as its key, its value and unit ('TR-20.wage_monthly_avg = 80,000 TRY/month'): the
    unit it was read in is said (a review: a province's wage read in tenge was listed by key alone)."""
    new, unit = o.get("new"), o.get("unit") or ""
    count = f" ({len(o['matched'])} values)" if o.get("matched") else ""
    if not isinstance(new, int | float):
        return o["key"] + count
    if unit == "×":
        return f"{o['key']} × {new:g}{count}"
    shown = f"{new:,.0f}" if abs(new) >= 1000 else f"{new:g}"
    return f"{o['key']} = {shown}{'' if unit in ('', '1') else ' ' + unit}{count}"


def _say_restricted(r: Any, find: Any, overrides: Any, avoid: list[str] | None) -> None:
    """The countries under restrictions the route passes through, and the best route around them
    (a manufacturer's review: the table showed a route through Iran with no word of sanctions)."""
    if not r.restricted:
        return
    for c in r.restricted:
        out.print(
            f"[yellow]passes through {escape(c['name'])}:[/] {escape(c['restriction'])}", highlight=False
        )
    # around all of them at once, as a plan prices its detours: around Iran alone runs through Russia
    listed = api.data_pack(overrides).table("restrictions").index
    codes = [c for c in listed if c not in (avoid or ())]
    flags = " ".join(f"--avoid {c}" for c in codes)
    try:
        around = find([*(avoid or ()), *codes])
    except KopruError:
        out.print(f"[yellow]no route around them[/] ({flags})")
        return
    more = around.cost_usd_per_teu - r.cost_usd_per_teu
    out.print(
        f"around every country under restrictions ({flags}): {around.cost_usd_per_teu:,.0f} USD/TEU"
        f" ({more:+,.0f}), {around.days:.1f} days ({around.days - r.days:+.1f})",
        highlight=False,
    )
