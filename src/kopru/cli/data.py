"""``kopru data``: show and check the data pack and its sources."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kopru import api
from kopru.cli.common import JsonOpt, OverridesOpt, out, print_json
from kopru.display import code_of, fold, subject_names
from kopru.dossier import dossier
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
    pack = api.data_pack(overrides)
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


def _part_of_one(text: str, names: dict[str, str]) -> str | None:
    """The code of the one subject whose name holds ``text`` ('Atyrau' for Atyrau Region, as
    compare reads a part of a site's name; a CLI review); a part of several names is refused with
    them, and a part of none is None."""
    wanted = fold(text)
    if len(wanted) < 3:
        return None
    # a market is named as its region, whose values it has: the region stands for both
    hits = sorted({c for c, n in names.items() if wanted in fold(str(n)) and not str(c).startswith("mkt_")})
    if len(hits) > 1:
        listed = "; ".join(f"{names[c]} ({c})" for c in hits[:6]) + ("; …" if len(hits) > 6 else "")
        raise KopruError(f"{text!r} is a part of {len(hits)} names ({listed}); name one of them")
    return hits[0] if hits else None


@app.command("show")
def data_show(
    what: Annotated[str, typer.Argument(help="A table name, or a subject such as KZ-23, TR-16, KZT.")],
    overrides: OverridesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a table, or every parameter of one subject, with units and sources."""
    pack = api.data_pack(overrides)
    title = what
    if what in pack.TABLE_NAMES:
        df = pack.table(what)
    else:
        names = subject_names(pack)
        # a subject by its code (KZ-23) or its name as people write it (Atyrau Region, atyrau region)
        subjects = set(pack.parameters["subject"])  # a market shares its region's name and has no values
        code = code_of(what, {c: n for c, n in names.items() if c in subjects}) or what
        df = pack.parameters[pack.parameters["subject"] == code]
        site = code_of(what, names) or what
        if df.empty and not _is_site(pack, site):  # a part of one name ('Turan'), as compare reads it
            site = code = _part_of_one(what, names) or what
            df = pack.parameters[pack.parameters["subject"] == code]
        if df.empty and _is_site(pack, site):  # a province or zone whose values are all borrowed
            _show_borrowed(pack, site, names, as_json)
            return
        if df.empty:
            raise KopruError(
                f"{what!r} is neither a table ({', '.join(pack.TABLE_NAMES)}) nor a subject with values;"
                " subjects are codes or names such as KZ-23 (Atyrau Region), TR-16 (Bursa), KZT or sez_turan"
            )
        title = f"{names.get(code, code)} ({code})" if names.get(code, code) != code else code
    df = df.drop(columns=[c for c in ("file",) if c in df.columns])
    if as_json:
        sys.stdout.write(df.to_json(orient="records", indent=1, force_ascii=False) + "\n")
        return
    table = Table(title=escape(title), show_lines=False)
    for col in df.columns:
        table.add_column(str(col), overflow="fold", max_width=48)
    for row in df.itertuples(index=False):
        # an empty cell (a cost left to the mode's rate) is blank, not 'nan'
        table.add_row(*[_cell(v) for v in row])
    out.print(table)


def _is_site(pack, code: str) -> bool:
    return any(code in t.index for t in (pack.regions, pack.sez, pack.provinces))


def _show_borrowed(pack, code: str, names: dict[str, str], as_json: bool) -> None:
    """A site with no values of its own (a Turkish province takes Türkiye's): the values a plan
    uses for it, and whose they are (a CLI review: 'TR-20 is neither a table nor a subject')."""
    values = dossier(pack, code).values
    rows = [
        {
            "quantity": v.quantity,
            "value": v.value,
            "unit": v.unit,
            "year": v.year,
            "whose": v.subject,
            "assumption": v.assumption,
            "source": "; ".join(dict.fromkeys(s.publisher or s.title or s.id for s in v.sources)),
        }
        for v in values
    ]
    if as_json:
        print_json({"site": code, "own_values": 0, "values": rows})
        return
    table = Table(title=escape(f"{names.get(code, code)} ({code}): no values of its own; a plan uses these"))
    columns = ("quantity", "value", "unit", "year", "whose", "assumption", "source")
    for col in columns:
        table.add_column(col, overflow="fold", max_width=40)
    for r in rows:
        table.add_row(*(_cell(r[c]) for c in columns))
    out.print(table)


def _cell(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else escape(str(v))


@app.command("sources")
def data_sources(as_json: JsonOpt = False) -> None:
    """Every source of the data pack."""
    df = api.data_pack().sources.drop(columns=["file"])
    if as_json:
        sys.stdout.write(df.to_json(orient="records", indent=1, force_ascii=False) + "\n")
        return
    table = Table(title=f"{len(df)} sources")
    for col in ("id", "title", "publisher", "year", "url"):
        table.add_column(col, overflow="fold", max_width=50)
    for _, r in df.iterrows():
        table.add_row(*(escape(str(r[k])) for k in ("id", "title", "publisher", "year", "url")))
    out.print(table)


@app.command("validate")
def data_validate(
    overrides: OverridesOpt = None,
    regions: Annotated[
        bool, typer.Option("--regions", help="Also show each region's status per family.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load and check the whole data pack (exit 2 on the first problem), then show how much of it is
    sourced: per table, and per family of regional values (own, estimate, borrowed)."""
    s = api.check_data(overrides)
    if as_json:
        print_json(s)
        return
    out.print(
        f"[green]data pack {s['version']} is valid[/]: {s['values']} parameter rows"
        f" ({s['current_values']} current values, {s['values'] - s['current_values']} of earlier years),"
        f" {s['sources']} sources,"
        f" {s['nodes']} nodes, {s['edges']} edges, every value names its source"
        + (f"; {s['overrides']} overrides applied" if s["overrides"] else "")
    )
    tables = Table(title="Rows by table (parameters: the latest year of each)", title_justify="left")
    for col in ("table", "rows", "sourced", "assumptions"):
        tables.add_column(col, justify="left" if col == "table" else "right")
    for t in s["tables"]:
        tables.add_row(t["table"], str(t["values"]), str(t["sourced"]), str(t["assumptions"]))
    out.print(tables)
    families = Table(
        title="Regional values: the region's own figure, its own estimate, national, or borrowed",
        title_justify="left",
    )
    statuses = ("own", "estimate", "national", "borrowed", "missing")
    for col in ("family", "country", *statuses):
        families.add_column(col, justify="left" if col in ("family", "country") else "right")
    for f in s["families"]:
        n = f["regions"]
        families.add_row(f["family"], f["country"], *(f"{f[k]}/{n}" for k in statuses))
    out.print(families)
    if regions:
        _print_regions(s["regions"])
        _print_borrowed(s["borrowed"])
    else:
        out.print("each region's status: [bold]kopru data validate --regions[/]")


MARK = {
    "own": "own",
    "estimate": "[yellow]estimate[/]",
    "national": "national",
    "borrowed": "[red]borrowed[/]",
    "missing": "[red]—[/]",
}


def _print_regions(rows: list[dict]) -> None:
    families = list(dict.fromkeys(r["family"] for r in rows))
    table = Table(title="Per region: own sourced value, own estimate, or borrowed from the country")
    table.add_column("region", no_wrap=True)
    for f in families:
        table.add_column(f)
    by_region: dict[str, dict[str, str]] = {}
    names: dict[str, str] = {}
    for r in rows:
        by_region.setdefault(r["region"], {})[r["family"]] = MARK[r["status"]]
        names[r["region"]] = f"{r['region']} {r['name']}"
    for rid, marks in by_region.items():
        table.add_row(names[rid], *(marks[f] for f in families))
    out.print(table)


PLACES = {"KZ": "regions", "TR": "provinces"}


def _print_borrowed(groups: list[dict]) -> None:
    if not groups:
        return
    out.print("[bold]Borrowed values, and why[/] (the note of the country's row they take):")
    for g in groups:
        names = ", ".join(g["regions"])
        p = g["param"]
        value = f"{p['value']:,.6g} {p['unit']} ({p['year']}, {p['source']})"
        places = f"{len(g['regions'])} {PLACES.get(g['country'], 'regions')}"
        out.print(f"\n[bold]{g['family']}, {g['country']}[/]: {escape(f'{places} take {value}: {names}.')}")
        out.print(p["note"], highlight=False, markup=False)


@app.command("stale")
def data_stale(
    months: Annotated[int, typer.Option("--months", min=0, help="Older than this many months.")] = 24,
    overrides: OverridesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Values older than N months (a value of year Y counts as of 31 December Y), oldest first."""
    today = date.today()
    stale = api.stale_data(months, overrides=overrides, today=today)
    if as_json:
        print_json(
            {"months": months, "today": today.isoformat(), "values": [v.as_dict(today) for v in stale]}
        )
        return
    if not stale:
        out.print(f"No value of the data pack is older than {months} months (as of {today.isoformat()}).")
        return
    table = Table(title=f"{len(stale)} values older than {months} months (as of {today.isoformat()})")
    for col in ("year", "what", "key", "source"):
        table.add_column(col, overflow="fold", max_width=60 if col == "what" else 40)
    # a source as a reader knows it: its publisher (the id is in kopru data sources)
    publisher = api.data_pack(overrides).sources["publisher"].to_dict()
    for v in stale:
        cited = dict.fromkeys(publisher.get(s.strip()) or s.strip() for s in v.source.split(";") if s.strip())
        table.add_row(str(v.year), escape(v.what), escape(v.key), escape("; ".join(cited)))
    out.print(table)
    if stale:
        out.print("replace one with an overrides file (--overrides), using the key shown")


refresh = typer.Typer(help="Fetch current values from official sources.", no_args_is_help=True)
app.add_typer(refresh, name="refresh")


@refresh.command("fx")
def refresh_fx(
    out_file: Annotated[Path, typer.Option("--out", help="Overrides file to write.")] = Path("fx.yaml"),
) -> None:
    """Official KZT, TRY and EUR rates per US dollar (National Bank of Kazakhstan, CBRT, ECB),
    written as an overrides file to use with --overrides. Needs the network."""
    rates = api.refresh_fx(out_file)
    for r in rates:
        out.print(
            f"{r.currency}: {r.per_usd:,.4f} per USD on {r.date.isoformat()} ({r.publisher})", markup=False
        )
    out.print(f"written to {escape(str(out_file))}: use it with [bold]--overrides {escape(str(out_file))}[/]")


@app.command("lanes")
def data_lanes(
    overrides: OverridesOpt = None,
    markdown: Annotated[bool, typer.Option("--markdown", help="The table of docs/lanes.md.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """kopru's cost and days on named lanes against published freight quotes (within ±25 %?)."""
    checks = api.check_lanes(overrides)
    if as_json:
        print_json({"tolerance": 0.25, "lanes": [c.as_dict() for c in checks]})
        return
    if markdown:
        from kopru.quotes import markdown as table_md

        sys.stdout.write(table_md(checks))
        return
    table = Table(title="kopru against published quotes (within: ±25 % of the quoted range)")
    for col in ("lane", "quantity", "quoted", "kopru", "ratio", "within"):
        table.add_column(col, justify="left" if col in ("lane", "quantity") else "right", overflow="fold")
    for c in checks:
        quoted = f"{c.low:,.4g}" if c.low == c.high else f"{c.low:,.4g}-{c.high:,.4g}"
        unit = "USD/TEU" if c.quantity == "cost_usd_per_teu" else "days"
        mark = "yes" if c.within else "[red]no[/]"
        table.add_row(escape(c.lane), unit, escape(quoted), f"{c.kopru:,.1f}", f"{c.ratio:.2f}", mark)
    out.print(table)
    out.print("sources, conversions and why a lane differs: [bold]kopru data lanes --markdown[/]")
