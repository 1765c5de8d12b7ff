"""``kopru space``: passes, pooled ground stations and imaging opportunities.

A thin layer over :mod:`kopru.space`'s verbs. Warnings (stale element sets, SGP4 failures, schedules
not proven optimal) go to stderr as one line each, are in the result's ``warnings`` (JSON, report)
too, and the run goes on.
"""

from __future__ import annotations

import csv
import json
import math
import re
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar, cast

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from kopru import space
from kopru.cli.common import JsonOpt, err, out, print_json
from kopru.errors import SpaceWarning
from kopru.report.folder import prepare_folder
from kopru.space.observation import MAX_OFF_NADIR_DEG, MIN_SUN_ELEVATION_DEG
from kopru.space.pooling import (
    GUARANTEE,
    INTEROPERABLE,
    contested_by_satellite,
    leo_assumed_passes_words,
    leo_assumed_words,
)
from kopru.space.schedule import OBJECTIVE_UNIT
from kopru.space.tle import staleness_of

app = typer.Typer(
    help="Pooled ground stations and imaging for Kazakh, Turkish and OTS satellites.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
T = TypeVar("T")

TleOpt = Annotated[
    Path | None, typer.Option("--tle", help="Two- or three-line element file (default: shipped).")
]
StationsOpt = Annotated[
    Path | None, typer.Option("--stations", help="CSV name,country,lat,lon,elev_m (default: shipped).")
]
StartOpt = Annotated[
    str, typer.Option("--start", help="Window start, ISO 8601 (UTC if no offset): 2026-06-01.")
]
DaysOpt = Annotated[float, typer.Option("--days", help="Window length in days.")]
StatusOpt = Annotated[
    str,
    typer.Option(
        "--station-status",
        help="Stations to use, by status: operational, backup, planned, not_a_station (comma-separated).",
    ),
]


def statuses(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


def print_left_out(left_out: tuple[dict[str, str], ...] | list[dict[str, str]]) -> None:
    if left_out:
        rows = ", ".join(f"{r['name']} ({r['status'].replace('_', ' ')})" for r in left_out)
        out.print(f"[dim]stations left out by status: {escape(rows)}[/]")


def print_elements(sets: list[dict[str, object]]) -> None:
    """The element sets' epochs and age on stdout, with the table (a satellite operator's review: the
    stale warning went to stderr only, lost with a redirected table, and no table gave an epoch)."""
    if not sets:
        return
    epochs = sorted(str(a["epoch"])[:10] for a in sets)
    ages = [float(a["days_from_epoch_max"]) for a in sets]  # type: ignore[arg-type]
    when = epochs[0] if epochs[0] == epochs[-1] else f"{epochs[0]} to {epochs[-1]}"
    said = f"element sets of {when}, up to {_days(round(max(ages)))} from the window"
    effect = staleness_of(sets)
    if effect:
        # the words grow with the age: "minutes off" at 31 days and at 460 misled a planner
        unusable = "not usable" in effect
        out.print(
            f"[bold {'red' if unusable else 'yellow'}]{escape(said)}: {escape(effect)}; give fresh ones"
            " with --tle[/]",
            highlight=False,
        )
    else:
        out.print(f"[dim]{escape(said)}[/]", highlight=False)


def print_excluded(excluded: list[dict[str, object]]) -> None:
    """The satellites left out, each with its reason, on one dim line."""
    if excluded:
        rows = ", ".join(f"{e['satellite']} ({e['reason']})" for e in excluded)
        out.print(f"[dim]left out: {escape(rows)}[/]")


def print_not_for_leo(refused: tuple[dict[str, str], ...] | list[dict[str, str]]) -> None:
    if refused:
        rows = ", ".join(f"{r['name']} (serves {r['serves']})" for r in refused)
        out.print(
            f"[dim]stations not offered to LEO satellites (no source of a LEO antenna; --assume-leo-antennas"
            f" offers the geo ones): {escape(rows)}[/]"
        )


MaxAgeOpt = Annotated[
    float | None,
    typer.Option(
        "--max-elements-age",
        help="Refuse element sets more than this many days from the window (default: warn past 30).",
    ),
]
RefractionOpt = Annotated[
    str,
    typer.Option(
        "--refraction",
        help="Mask on the apparent elevation: radio (ITU-R P.834), optical (Bennett) or none (geometric).",
    ),
]
AssumeLeoOpt = Annotated[
    bool,
    typer.Option(
        "--assume-leo-antennas",
        help="Offer LEO satellites the geostationary control centres too, as if they had LEO antennas.",
    ),
]


SatellitesOpt = Annotated[
    Path | None,
    typer.Option(
        "--satellites",
        help="CSV norad,country[,priority,active,mission,max_off_nadir_deg] (default: shipped).",
    ),
]


SitesOpt = Annotated[
    str,
    typer.Option("--sites", help="SEZ (every SEZ of the data pack), SEZ:id,id, or a CSV name,lat,lon."),
]
MaxOffNadirOpt = Annotated[float, typer.Option("--max-off-nadir", help="Sensor limit, degrees.")]
MinSunOpt = Annotated[
    float, typer.Option("--min-sun-elevation", help="Sun above the site's horizon, degrees.")
]
MaskOpt = Annotated[float, typer.Option("--min-elevation", help="Antenna mask, degrees.")]
SetupOpt = Annotated[float, typer.Option("--setup-s", help="Antenna set-up time between contacts, s.")]
HandoverOpt = Annotated[
    float,
    typer.Option(
        "--handover-s",
        help="Time a satellite needs between two antennas' contacts, s (0 to 3600). Whole passes feel"
        " it only where two antennas' passes come closer than this; with --shorten a hand-over mid-pass"
        " loses it.",
    ),
]
MinContactOpt = Annotated[float, typer.Option("--min-contact-s", help="Shortest useful contact, s.")]
TimeLimitOpt = Annotated[float, typer.Option("--time-limit", help="Solver time limit per MILP, s.")]


def OutOpt(what: str):
    return Annotated[Path | None, typer.Option("--out", help=f"Folder for {what}.")]


def with_warnings(fn: Callable[[], T]) -> T:
    """Run ``fn``, printing the space planner's warnings to stderr as they are, one line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SpaceWarning)
        result = fn()
    for w in caught:
        if issubclass(w.category, SpaceWarning):
            err.print(f"[yellow]warning:[/] {escape(str(w.message))}", highlight=False, soft_wrap=True)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result


def _write_rows(out_dir: Path, name: str, data: dict, rows: list[dict], columns: list[str]) -> list[Path]:
    """``name.json`` (the same JSON as --json) and ``name.csv`` (one row per record, under the header
    ``columns`` even when there is no row)."""
    folder = prepare_folder(out_dir)
    json_path, csv_path = folder / f"{name}.json", folder / f"{name}.csv"
    json_path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return [json_path, csv_path]


def _wrote(paths: list[Path]) -> None:
    # soft_wrap: a path broken over two lines cannot be copied
    out.print("wrote " + " and ".join(f"[bold]{escape(str(p))}[/]" for p in paths), soft_wrap=True)


@app.command()
def passes(
    tle: TleOpt = None,
    stations: StationsOpt = None,
    start: StartOpt = ...,
    days: DaysOpt = 1.0,
    min_elevation: Annotated[float, typer.Option("--min-elevation", help="Degrees above the horizon.")] = 0.0,
    station_status: StatusOpt = "operational",
    satellites: SatellitesOpt = None,
    assume_leo_antennas: AssumeLeoOpt = False,
    max_elements_age: MaxAgeOpt = None,
    refraction: RefractionOpt = "none",
    satellite: Annotated[
        list[str] | None,
        typer.Option(
            "--satellite",
            help="Only satellites with a word of the name starting so (any case), or a NORAD number;"
            " repeatable.",
        ),
    ] = None,
    station: Annotated[
        list[str] | None,
        typer.Option(
            "--station", help="Only stations with a word of the name starting so (any case); repeatable."
        ),
    ] = None,
    as_json: JsonOpt = False,
    out_dir: OutOpt("passes.json and passes.csv") = None,
) -> None:
    """Every pass of each satellite over each station: AOS, TCA, LOS (UTC), max elevation, azimuths."""
    result = with_warnings(
        lambda: space.passes(
            start,
            days,
            tle,
            stations,
            min_elevation,
            statuses(station_status),
            satellites,
            assume_leo_antennas,
            max_elements_age,
            refraction,
            tuple(satellite or ()),
            tuple(station or ()),
        )
    )
    rows = result.records()
    written = (
        _write_rows(out_dir, "passes", result.as_dict(), result.csv_rows(), result.csv_columns())
        if out_dir is not None
        else []
    )
    if as_json:
        print_json(result.as_dict())
        return
    table = Table(
        title=f"{len(rows)} pass{'' if len(rows) == 1 else 'es'} above {min_elevation:g}°"
        + (f" apparent ({refraction} refraction)" if refraction != "none" else "")
        + _own_masks(result.stations.own_masks())
        + " (UTC)"
        + (HYPOTHESIS if assume_leo_antennas else ""),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    # below 100 columns the closest approach and the azimuths give way (they stay in --json and the
    # CSV): otherwise the terminal squeezes out the station's name, which a reader needs more
    narrow = out.width < 100
    table.add_column("satellite", no_wrap=True, max_width=12, overflow="ellipsis")
    table.add_column("station", min_width=12, max_width=28, overflow="fold")  # wraps: a name is read whole
    widths = {"AOS": 14, "local": 8, "TCA": 8, "LOS": 8, "max°": 4, "az°": 7, "min": 6}
    if any(r["tca"][:10] != r["aos"][:10] or r["los"][:10] != r["aos"][:10] for r in rows):
        widths |= {"TCA": 12, "LOS": 12}  # room for '+1d' and the cut mark
    shown = [c for c in widths if not (narrow and c in ("TCA", "az°"))]
    for col in shown:
        width = widths[col]
        table.add_column(col, no_wrap=True, min_width=width, justify="left" if width >= 8 else "right")
    for r, cont in zip(rows, result.continuous, strict=True):
        # a cut pass's AOS or LOS is the window's edge, not a rise or a set
        cut_aos, cut_los = ("…" if r["truncated_start"] else ""), ("…" if r["truncated_end"] else "")
        # a TCA at the window's edge is the edge too, not the closest approach
        cut_tca = "…" if (r["truncated_end"] and r["tca"] == r["los"]) else ""
        tca_first = "…" if (r["truncated_start"] and r["tca"] == r["aos"]) else ""
        cells = {
            "AOS": cut_aos + str(r["aos"])[5:19].replace("T", " "),
            "local": local_time(str(r["aos"]), str(r["aos_local"])),
            # a geostationary 'pass' has no closest approach
            "TCA": "—" if cont else tca_first + later_time(str(r["aos"]), str(r["tca"])) + cut_tca,
            "LOS": "whole" if cont else later_time(str(r["aos"]), str(r["los"])) + cut_los,
            "max°": f"{r['max_elevation_deg']:.1f}",
            "az°": f"{r['aos_azimuth_deg']:.0f}-{r['los_azimuth_deg']:.0f}",
            "min": f"{float(r['duration_s']) / 60:.1f}",
        }
        table.add_row(
            escape(str(r["satellite"])) + (" ✝" if r["satellite"] in result.inactive else ""),
            escape(station_label(str(r["station"]))),
            *(cells[c] for c in shown),
        )
    print_elements(result.as_dict()["element_sets"])  # above the table: read before the times
    out.print(table)
    out.print(
        "[dim]station: its name before the first comma or bracket (in full in --json and the CSV);"
        " AOS, TCA, LOS: rise, closest approach, set (UTC; +1d: the day after the AOS's); local: AOS"
        " on the station's clock, +1d on"
        " the next day there (its zone in --json); max°: highest elevation; az°: azimuth at AOS-LOS;"
        " min: minutes in view; whole: in view for the whole window (geostationary); …: cut by the"
        " window's edge (the pass began before it or ends after it; max° is the highest within it)"
        + ("; TCA and az° need 100 columns (they are in --json and the CSV)" if narrow else "")
        + "[/]"
    )
    shown_inactive = sorted({str(r["satellite"]) for r in rows} & set(result.inactive))
    if shown_inactive:
        out.print(
            f"[dim]✝: inactive (the satellites file): {escape(', '.join(shown_inactive))}; pool and imaging"
            " leave it out[/]"
        )
    print_left_out(result.stations.left_out)
    print_not_for_leo(result.stations_not_for_leo)
    if result.leo_assumed:
        words = leo_assumed_passes_words(result.leo_assumed)
        out.print(f"[bold yellow]not established:[/] {escape(words)}", highlight=False)
    if written:
        _wrote(written)


# a review: with --assume-leo-antennas the schedule moved most contacts onto the geostationary control
# centres, and no table said the hypothesis was on
HYPOTHESIS = " [bold yellow](HYPOTHESIS: the geostationary control centres used as LEO antennas)[/]"


def _days(n: float) -> str:
    return f"{n:g} day" + ("" if n == 1 else "s")


def station_label(name: str) -> str:
    """A station's name without the description the data adds after a comma or bracket:
    "KGS National Space Centre, Astana (KazEOSat/...)" reads "KGS National Space Centre"."""
    return re.split(r",\s| \(", name, maxsplit=1)[0].strip() or name


@app.command("pool")
def pool_cmd(
    tle: TleOpt = None,
    stations: StationsOpt = None,
    start: StartOpt = ...,
    days: DaysOpt = 1.0,
    satellites: SatellitesOpt = None,
    rate_mbps: Annotated[float, typer.Option("--rate-mbps", help="Downlink rate, Mbit/s.")] = 100.0,
    setup_s: SetupOpt = 120.0,
    handover_s: HandoverOpt = 0.0,
    min_contact_s: MinContactOpt = 60.0,
    min_elevation: MaskOpt = 5.0,
    shorten: Annotated[
        bool,
        typer.Option(
            "--shorten",
            help="Allow contacts shorter than the pass. Slower: it can reach --time-limit even on a 1-day"
            " case, and a schedule stopped there (it says its gap) may differ from run to run, so its"
            " figures are reproducible only when it is proven optimal.",
        ),
    ] = False,
    time_limit: TimeLimitOpt = 60.0,
    station_status: StatusOpt = "operational",
    assume_leo_antennas: AssumeLeoOpt = False,
    max_elements_age: MaxAgeOpt = None,
    refraction: RefractionOpt = "none",
    as_json: JsonOpt = False,
    out_dir: OutOpt("space_report.html (tracks, coverage, timeline) and pool.json") = None,
) -> None:
    """Own stations alone vs the pooled network: contact time, contacts, gaps, downlink capacity."""
    if out_dir is not None:
        prepare_folder(out_dir)

    def run() -> space.PoolResult:
        return space.pool(
            start,
            days,
            tle,
            stations,
            satellites,
            rate_mbps,
            setup_s,
            min_contact_s,
            min_elevation,
            time_limit,
            shorten,
            statuses(station_status),
            assume_leo_antennas,
            max_elements_age,
            refraction,
            handover_s,
        )

    result = with_warnings(run)
    if out_dir is not None:
        _write_pool_outputs(out_dir, result, stations)
    if as_json:
        print_json(result.as_dict())
        return
    print_elements(result.as_dict()["element_sets"])
    _print_pool(result, days)
    print_left_out(result.stations.left_out if result.stations is not None else ())
    print_not_for_leo(result.stations_not_for_leo)
    if out_dir is not None:
        _wrote([out_dir / "space_report.html", out_dir / "pool.json"])


def _print_pool(result: space.PoolResult, days: float) -> None:
    assumed = [a for a in result.options.assumptions() if str(a["basis"]).startswith("assumption")]
    table = Table(
        title=f"own stations vs pooled network, {_days(days)} from {result.window.iso(0)[0][:16]} UTC"
        + (HYPOTHESIS if result.options.assume_leo_antennas else ""),
        caption=f"min/d: contact minutes a day (average); n: contacts and GB: totals over the {_days(days)};"
        " gap: longest without contact, h, the gaps across the window's ends run to the nearest pass"
        " outside it, taken as booked (≥: none within a day, so at least that long); GB: downlink"
        " capacity, rate × contact time (not data delivered); red: worse than own stations alone"
        + (
            "; assumed, no source: "
            + "; ".join(f"{a['value']:g}{_unit(a['unit'])} {a['meaning']}" for a in assumed)
            if assumed
            else ""
        )
        + _own_masks(result.stations.own_masks() if result.stations is not None else {}),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    columns = (
        "satellite",
        "country",
        "min/d own",
        "pool",
        "n own",
        "pool",
        "gap h own",
        "pool",
        "GB own",
        "pool",
    )
    # a country in full (it was cut to 'Kazakhs…' on 80 columns): the headers wrap instead
    longest = max((len(str(s["country"])) for s in result.satellites), default=7)
    for col in columns:
        table.add_column(
            col,
            justify="left" if col in ("satellite", "country") else "right",
            no_wrap=col in ("satellite", "country"),
            min_width=longest if col == "country" else None,
        )
    for s in result.satellites:
        o, p = s["own"], s["pooled"]
        worse = {w["metric"] for w in s["worse_when_pooled"]}

        def cell(metric: str, text: str, worse: set[str] = worse) -> str:
            return f"[red]{text}[/]" if metric in worse else text

        table.add_row(
            escape(str(s["satellite"])),
            escape(str(s["country"])),
            f"{o['contact_min_per_day']:.1f}",
            cell("contact_min_per_day", f"{p['contact_min_per_day']:.1f}"),
            str(o["contacts"]),
            cell("contacts", str(p["contacts"])),
            _gap(o["longest_gap_min"] / 60, o["longest_gap_at_least"]),
            cell("longest_gap_min", _gap(p["longest_gap_min"] / 60, p["longest_gap_at_least"])),
            f"{o['downlink_capacity_gb']:.0f}",
            f"{p['downlink_capacity_gb']:.0f}",
        )
    out.print(table)
    out.print(f"[bold]pooling guarantees only this:[/] {escape(GUARANTEE)}")
    out.print(f"[bold]and assumes:[/] {escape(INTEROPERABLE)}")
    _print_worse(result.satellites)
    load = "; ".join(
        f"{a['station']} {a['contact_min_per_day']:.0f} min/d ({a['busy_share']:.1%} of the time,"
        f" {a['partner_share']:.0%} for partners)"
        for a in result.antennas()
    )
    if load:
        out.print(f"[bold]antennas in the pooled schedule:[/] {escape(load)}", highlight=False)
    print_leo_assumed(result.leo_antennas_assumed())
    balance = "; ".join(
        f"{b['country']} gives {b['given_min_per_day']:.0f}, receives {b['received_min_per_day']:.0f}"
        for b in result.balance()
    )
    if balance:
        out.print(
            f"[bold]antenna time between countries, min a day:[/] {escape(balance)}"
            " (given: its antennas' contacts with other countries' satellites)",
            highlight=False,
        )
    given = contested_by_satellite(result.contested)
    if given:
        text = "; ".join(
            f"{g['satellite']} {g['passes']} ({g['minutes']:.1f} min, {g['on_own_stations']} on its own"
            " country's antennas)"
            for g in given
        )
        out.print(
            f"[bold]passes given up to another satellite on a shared antenna:[/] {escape(text)}"
            " (each pass, who took it and when: 'contested' in --json)",
            highlight=False,
        )
    for name, rep in (("own", result.own), ("pooled", result.pooled)):
        number = lambda v, fmt: "—" if v is None or not math.isfinite(v) else format(v, fmt)  # noqa: E731
        out.print(
            f"[bold]{name}[/] schedule: {rep.status.value}, objective {number(rep.objective, ',.0f')},"
            f" bound {number(rep.bound, ',.0f')} ({OBJECTIVE_UNIT}),"
            f" gap {number(rep.gap, '.2%')}, {rep.n_contacts} candidate contacts, {rep.seconds:.2f} s"
        )
    print_excluded(result.excluded)


def print_leo_assumed(rows: list[dict[str, object]]) -> None:
    if rows:
        out.print(f"[bold yellow]not established:[/] {escape(leo_assumed_words(rows))}", highlight=False)


def _unit(unit: object) -> str:
    return str(unit) if unit == "°" else f" {unit}"


def _print_worse(satellites: list[dict[str, object]]) -> None:
    """One line per satellite for which pooling makes any metric worse, with both values."""
    for s in satellites:
        worse = cast(list[dict[str, object]], s["worse_when_pooled"])
        if not worse:
            continue
        items = [f"{w['label']} {_value(w, 'own')} → {_value(w, 'pooled')}" for w in worse]
        days = cast(list[str], s["days_with_less_contact"])
        if days:
            items.append(f"less contact on {_days(len(days))}: {', '.join(days)}")
        out.print(f"[red]worse when pooled[/] {escape(str(s['satellite']))}: {escape('; '.join(items))}")


def _value(worse: dict[str, object], side: str) -> str:
    value = float(cast(float, worse[side]))
    if worse["metric"] == "longest_gap_min":
        return f"{value / 60:.1f} h"
    return f"{value:.0f}" if worse["metric"] == "contacts" else f"{value:.1f} min"


def _write_pool_outputs(out_dir: Path, result: space.PoolResult, stations_path: Path | None) -> None:
    """pool.json (the same JSON as --json) and the HTML report; the report module (plotly, jinja2)
    is imported only here, so runs without --out stay light."""
    from kopru.space.report import write_space_report

    folder = prepare_folder(out_dir)
    (folder / "pool.json").write_text(
        json.dumps(result.as_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    with_warnings(
        lambda: write_space_report(
            result,
            result.constellation,
            result.stations,
            folder / "space_report.html",
            stations_path=stations_path,
        )
    )


@app.command()
def imaging(
    tle: TleOpt = None,
    sites: SitesOpt = "SEZ",
    start: StartOpt = ...,
    days: DaysOpt = 1.0,
    satellites: SatellitesOpt = None,
    max_off_nadir: MaxOffNadirOpt = MAX_OFF_NADIR_DEG,
    min_sun_elevation: MinSunOpt = MIN_SUN_ELEVATION_DEG,
    max_elements_age: MaxAgeOpt = None,
    as_json: JsonOpt = False,
    out_dir: OutOpt("imaging.json and imaging.csv") = None,
) -> None:
    """Imaging opportunities of Earth-observation satellites over sites (default: every Kazakh SEZ)."""
    result = with_warnings(
        lambda: space.imaging(
            start, days, tle, sites, satellites, max_off_nadir, min_sun_elevation, max_elements_age
        )
    )
    written = (
        _write_rows(out_dir, "imaging", result.as_dict(), result.csv_rows(), result.csv_columns())
        if out_dir is not None
        else []
    )
    if as_json:
        print_json(result.as_dict())
        return
    print_elements(result.as_dict()["element_sets"])
    # the limits in the title: a count of opportunities means nothing without them (an operator's
    # sensor may have another)
    table = Table(
        title=f"{len(result.rows)} imaging opportunities: {escape(result.limits())}", box=box.SIMPLE_HEAD
    )
    for col in ("time (UTC)", "satellite", "country", "site", "off-nadir", "sun el"):
        table.add_column(col)
    for r in sorted(result.rows, key=lambda r: str(r["time"])):
        table.add_row(
            str(r["time"])[:19].replace("T", " "),
            escape(str(r["satellite"])),
            escape(str(r["country"]) or "—"),
            escape(str(r["site"])) + (" =" if r["same_point_as"] else ""),
            f"{r['off_nadir_deg']:.1f}°",
            f"{r['sun_elevation_deg']:.1f}°",
        )
    out.print(table)
    rejected = result.rejections()
    if rejected:
        # bold when nothing is left: the count alone read as satellites that never pass
        style = "bold yellow" if not result.rows else "dim"
        out.print(f"[{style}]{escape(rejected)}[/]", highlight=False)
    repeated = result.repeated()
    if repeated:
        out.print(
            f"[dim]=: a site at the same point as another (the data pack gives them one centroid), so"
            f" {repeated} of the opportunities repeat another's: {len(result.rows) - repeated} distinct[/]"
        )
    _print_revisits(result, days)
    print_excluded(result.excluded)
    if written:
        _wrote(written)


def _gap(hours: float, at_least: bool) -> str:
    """A longest gap in hours, '≥' when no pass lies within a day beyond the window (a lower bound)."""
    return f"{'≥' if at_least else ''}{hours:.1f}"


def later_time(aos: str, utc: str) -> str:
    """'02:31:19+1d': a UTC time of a pass with the days its date is past the AOS's (a satellite
    operator's review: a three-hour pass from 22:09 read LOS '02:31:19', no date)."""
    shift = (date.fromisoformat(utc[:10]) - date.fromisoformat(aos[:10])).days
    return utc[11:19] + (f"+{shift}d" if shift else "")


def local_time(utc: str, local: str) -> str:
    """'00:20+1d': the station's clock at a moment, with the days its date is off the UTC date (a
    satellite operator's review: 19:20 UTC at Astana read '00:20', a day early)."""
    shift = (date.fromisoformat(local[:10]) - date.fromisoformat(utc[:10])).days
    return local[11:16] + (f"{shift:+d}d" if shift else "")


def _print_revisits(result: space.Opportunities, days: float) -> None:
    """Per site: opportunities and the longest gap, own country's satellites alone vs all."""
    look = _days(result.look_days)
    table = Table(
        title=f"revisit per site over {_days(days)}: own country's satellites alone vs all satellites",
        caption=f"n: imaging opportunities ({escape(result.limits())}); gap: the longest time without"
        f" one, the first and last running to the nearest opportunity before the window's start and after"
        f" its end, up to {look} away (≥: none within {look}, so it is at least that long)",
        box=box.SIMPLE_HEAD,
    )
    for col in ("site", "country", "n own", "all", "gap h own", "all"):
        table.add_column(col, justify="left" if col in ("site", "country") else "right")
    for s in result.sites:
        own, every = cast(dict[str, float] | None, s["own"]), cast(dict[str, float], s["all"])
        table.add_row(
            escape(str(s["site"])),
            escape(str(s["country"]) or "—"),
            "—" if own is None else f"{own['opportunities']:.0f}",
            f"{every['opportunities']:.0f}",
            "—" if own is None else _gap(own["longest_gap_h"], bool(own["longest_gap_at_least"])),
            _gap(every["longest_gap_h"], bool(every["longest_gap_at_least"])),
        )
    out.print(table)


@app.command()
def latency(
    tle: TleOpt = None,
    stations: StationsOpt = None,
    sites: SitesOpt = "SEZ",
    start: StartOpt = ...,
    days: DaysOpt = 1.0,
    satellites: SatellitesOpt = None,
    downlink_s: Annotated[
        float, typer.Option("--downlink-s", help="Contact time to bring one image down, s.")
    ] = 120.0,
    follow_days: Annotated[
        float,
        typer.Option(
            "--follow-days", help="Days after the window in which late requests are still answered."
        ),
    ] = 3.0,
    max_off_nadir: MaxOffNadirOpt = 30.0,
    min_sun_elevation: MinSunOpt = 10.0,
    min_elevation: MaskOpt = 5.0,
    setup_s: SetupOpt = 120.0,
    min_contact_s: MinContactOpt = 60.0,
    time_limit: TimeLimitOpt = 60.0,
    station_status: StatusOpt = "operational",
    assume_leo_antennas: AssumeLeoOpt = False,
    max_elements_age: MaxAgeOpt = None,
    refraction: RefractionOpt = "none",
    handover_s: HandoverOpt = 0.0,
    store_and_forward: Annotated[
        bool,
        typer.Option(
            "--store-and-forward",
            help="An image waits for the next contact that begins after it (default: one taken in view of"
            " an antenna goes down at once).",
        ),
    ] = False,
    as_json: JsonOpt = False,
    out_dir: OutOpt("latency.json and latency.csv (one row per image)") = None,
) -> None:
    """Hours from a request to the image on the ground, per site: own network, partners', pooled."""
    result = with_warnings(
        lambda: space.latency(
            start,
            days,
            tle,
            stations,
            sites,
            satellites,
            downlink_s,
            follow_days,
            max_off_nadir,
            min_sun_elevation,
            min_elevation,
            setup_s,
            min_contact_s,
            time_limit,
            False,
            statuses(station_status),
            assume_leo_antennas,
            max_elements_age,
            refraction,
            not store_and_forward,
            handover_s,
        )
    )
    written = (
        _write_rows(out_dir, "latency", result.as_dict(), result.csv_rows(), result.csv_columns())
        if out_dir is not None
        else []
    )
    if as_json:
        print_json(result.as_dict())
        return
    print_elements(result.as_dict()["element_sets"])
    if result.pool.options.assume_leo_antennas:
        out.print(HYPOTHESIS.strip())
    _print_request_times(result.sites, days, follow_days)
    _print_image_latency(result.satellites, days)
    if result.rejections:
        # bold when no image is left: the empty tables read as satellites that never pass
        style = "bold yellow" if not result.images else "dim"
        span = f"the {_days(days)} and its {_days(follow_days)} after"
        said = f"images kept to {result.imaging_limits}; over {span}: {result.rejections}"
        out.print(f"[{style}]{escape(said)}[/]", highlight=False)
    out.print(f"[bold]pooled figures assume:[/] {escape(INTEROPERABLE)}")
    print_leo_assumed(result.pool.leo_antennas_assumed())
    assumed = [a for a in result.as_dict()["assumptions"] if str(a["basis"]).startswith("assumption")]
    out.print(
        "[dim]assumed, no source: "
        + escape(
            "; ".join(
                f"{a['parameter']} {a['value']:g}{_unit(a['unit'])}: {a['meaning']}"
                if isinstance(a["value"], int | float) and not isinstance(a["value"], bool)
                else f"{a['parameter']}: {a['meaning']}"
                for a in assumed
            )
        )
        + "[/]"
    )
    for name, rep in (("own", result.pool.own), ("pooled", result.pool.pooled)):
        gap = "—" if rep.gap is None else f"{rep.gap:.2%}"
        out.print(f"[dim]{name} schedule: {rep.status.value}, gap {gap}, {rep.seconds:.2f} s[/]")
    print_excluded(result.excluded)
    if written:
        _wrote(written)


def _own_masks(masks: dict[str, float]) -> str:
    """', antennas with a mask of their own: A 10°, B 0°' (the stations file's min_elevation_deg)."""
    if not masks:
        return ""
    return ", antennas with a mask of their own: " + ", ".join(f"{n} {m:g}°" for n, m in masks.items())


def _hours_cell(value: object) -> str:
    return "—" if value is None else f"{float(cast(float, value)):.1f}"


LATENCY_COLUMNS = ("n own", "all", "median own", "+sats", "pool", "worst own", "+sats", "pool")
NARROW_LATENCY = 78  # the width the whole table needs, the site's name wrapped at 12 characters


def _print_request_times(sites: list[dict[str, object]], days: float, follow_days: float) -> None:
    """Per site: median and worst hours from a request to the image on the ground, per network."""
    table = Table(
        title=f"request to image on the ground, hours, requests over {_days(days)}: own satellites and"
        " antennas | with partners' satellites | pooled",
        caption="median and worst over one request a minute; n: images taken in the window; —: own for a"
        f" site of no country, or requests with no image down within {_days(follow_days)} after the"
        " window (how many below); red: worse pooled than with partners' satellites on their own antennas",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    # the site's name wraps and the numbers never do: a long SEZ name once squeezed 16.7 h to "16…";
    # below NARROW_LATENCY columns even that does not fit, so the partners' columns give way
    narrow = out.width < NARROW_LATENCY
    shown = [k for k in range(8) if not (narrow and k in (1, 3, 6))]
    table.add_column("site", min_width=12, overflow="fold")
    for k in shown:
        table.add_column(LATENCY_COLUMNS[k], justify="right", no_wrap=True, min_width=5)
    unanswered = []
    for s in sites:
        nets = [cast(dict[str, object] | None, s[n]) for n in space.NETWORKS]
        request = [cast(dict[str, object], n["request_h"]) if n else None for n in nets]
        worse = set(cast(list[str], s["worse_when_pooled"]))

        def pooled(text: str, level: str, worse: set[str] = worse) -> str:
            return f"[red]{text}[/]" if level in worse else text

        median = [_hours_cell(r["median"] if r else None) for r in request]
        worst = [_hours_cell(r["worst"] if r else None) for r in request]
        cells = [
            "—" if nets[0] is None else str(nets[0]["images"]),
            str(cast(dict[str, object], nets[2])["images"]),
            *median[:2],
            pooled(median[2], "median"),
            *worst[:2],
            pooled(worst[2], "longest"),
        ]
        table.add_row(
            escape(str(s["site"])) + (" =" if s["same_point_as"] else ""), *(cells[k] for k in shown)
        )
        shares = [
            f"{label} {n['requests_unanswered']} of {n['requests']}"
            f" ({float(cast(float, n['unanswered_share'])):.2%})"
            for label, n in zip(("own", "with partners' satellites", "pooled"), nets, strict=True)
            if n and int(cast(int, n["requests_unanswered"])) > 0
        ]
        if shares:
            unanswered.append(f"{s['site']}: {', '.join(shares)}")
    out.print(table)
    if narrow:
        out.print(
            f"[dim]the columns 'all' and '+sats' (with partners' satellites) need {NARROW_LATENCY} columns;"
            " they are in --json and the CSV[/]"
        )
    if unanswered:
        out.print(
            f"[dim]requests with no image down within {_days(follow_days)} after the window: "
            + escape("; ".join(unanswered))
            + "[/]"
        )
    if any(s["same_point_as"] for s in sites):
        out.print("[dim]=: a site at the same point as another (the data pack gives them one centroid)[/]")


def _minutes_cell(hours: object) -> str:
    return "—" if hours is None else f"{float(cast(float, hours)) * 60:.0f}"


def _print_image_latency(satellites: list[dict[str, object]], days: float) -> None:
    """Per satellite: minutes from an image to its end of downlink, own antennas vs pooled."""
    table = Table(
        title=f"image to ground, minutes, images over {_days(days)}: own country's antennas | pooled",
        caption="from the imaging opportunity to the end of its downlink in the satellite's next"
        " scheduled contact that has --downlink-s left; —: no image taken, or none down within the window"
        " and its follow-up (counts in --json); red: worse when pooled",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    for col in ("satellite", "country", "images", "median own", "pool", "p90 own", "pool", "max own", "pool"):
        if col in ("satellite", "country"):
            table.add_column(col, overflow="fold")
        else:
            table.add_column(col, justify="right", no_wrap=True, min_width=4)
    labels = {"median_h": "median", "p90_h": "90th percentile", "max_h": "longest"}
    for s in satellites:
        own, pooled = cast(dict[str, object], s["own"]), cast(dict[str, object], s["pooled"])
        worse = set(cast(list[str], s["worse_when_pooled"]))
        cells = []
        for key, label in labels.items():
            cells.append(_minutes_cell(own[key]))
            text = _minutes_cell(pooled[key])
            cells.append(f"[red]{text}[/]" if label in worse else text)
        table.add_row(escape(str(s["satellite"])), escape(str(s["country"])), str(s["images"]), *cells)
    out.print(table)
    repeated = [s for s in satellites if s.get("images_repeated")]
    if repeated:
        out.print(
            "[dim]images at sites at the same point as another (the data pack gives them one centroid) are"
            " counted at each, and weigh as many times in the median and p90: "
            + escape(", ".join(f"{s['satellite']} {s['images_repeated']} of {s['images']}" for s in repeated))
            + " repeat another[/]"
        )
