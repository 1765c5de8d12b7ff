"""``kopru space``: passes, pooled ground stations and imaging opportunities. A thin layer: the
work is in :mod:`kopru.space`. Errors are :class:`~kopru.errors.KopruError` (exit code 2 through
the main CLI); warnings (stale element sets, SGP4 failures) go to stderr and the run goes on."""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from kopru.space.errors import SpaceError, SpaceWarning
from kopru.space.imaging import imaging_opportunities, read_sites
from kopru.space.passes import find_passes
from kopru.space.pooling import PoolOptions, PoolResult, pool
from kopru.space.satellites import read_satellites
from kopru.space.stations import Stations, read_stations
from kopru.space.tle import Constellation, read_tle

app = typer.Typer(
    help="Space cooperation: satellite passes, pooled ground stations, imaging opportunities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)
MAX_DAYS = 31.0
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
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
SatellitesOpt = Annotated[
    Path | None,
    typer.Option("--satellites", help="CSV norad,country[,priority,active,mission] (default: shipped)."),
]


def parse_start(text: str) -> datetime:
    """ISO 8601 date or date-time; without an offset it is UTC."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SpaceError(
            f"--start {text!r} is not an ISO 8601 date or time; expected e.g. 2026-06-01T00:00Z"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def check_days(days: float) -> float:
    if not 0.0 < days <= MAX_DAYS:
        raise SpaceError(f"--days must be in (0, {MAX_DAYS:g}], got {days:g}")
    return days


def with_warnings(fn: Callable[[], T]) -> T:
    """Run ``fn``, printing the space planner's warnings to stderr as they are one line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SpaceWarning)
        result = fn()
    for w in caught:
        if issubclass(w.category, SpaceWarning):
            err.print(f"[yellow]warning:[/] {w.message}", highlight=False, soft_wrap=True)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result


def _load(tle: Path | None, start: str, days: float):
    when, days = parse_start(start), check_days(days)
    constellation = read_tle(tle)
    constellation.check_age(when, when + timedelta(days=days))
    return constellation, when, days


def _emit(data: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


@app.command()
def passes(
    tle: TleOpt = None,
    stations: StationsOpt = None,
    start: StartOpt = ...,
    days: DaysOpt = 1.0,
    min_elevation: Annotated[float, typer.Option("--min-elevation", help="Degrees above the horizon.")] = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Every pass of each satellite over each station: AOS, TCA, LOS (UTC), max elevation, azimuths."""
    if not -10.0 <= min_elevation < 90.0:
        raise SpaceError(f"--min-elevation must be in [-10, 90) degrees, got {min_elevation:g}")

    def run():
        constellation, when, n = _load(tle, start, days)
        return find_passes(constellation, read_stations(stations), when, n, min_elevation)

    result = with_warnings(run)
    rows = result.records()
    if as_json:
        _emit({"passes": rows})
        return
    table = Table(
        title=f"{len(rows)} passes above {min_elevation:g}° (UTC)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    table.add_column("satellite", no_wrap=True, max_width=10, overflow="ellipsis")
    table.add_column("station", no_wrap=True, max_width=12, overflow="ellipsis")
    for col, width in (("AOS", 14), ("TCA", 8), ("LOS", 8), ("max°", 4), ("az°", 7), ("min", 6)):
        table.add_column(col, no_wrap=True, min_width=width, justify="left" if width >= 8 else "right")
    for r, cont in zip(rows, result.continuous, strict=True):
        table.add_row(
            str(r["satellite"]),
            str(r["station"]),
            str(r["aos"])[5:19].replace("T", " "),
            str(r["tca"])[11:19],
            "whole" if cont else str(r["los"])[11:19],
            f"{r['max_elevation_deg']:.1f}",
            f"{r['aos_azimuth_deg']:.0f}-{r['los_azimuth_deg']:.0f}",
            f"{float(r['duration_s']) / 60:.1f}",
        )
    out.print(table)
    out.print("[dim]whole: in view for the whole window (geostationary); az°: at AOS-LOS[/]")


@app.command("pool")
def pool_cmd(
    tle: TleOpt = None,
    stations: StationsOpt = None,
    start: StartOpt = ...,
    days: DaysOpt = 1.0,
    satellites: SatellitesOpt = None,
    rate_mbps: Annotated[float, typer.Option("--rate-mbps", help="Downlink rate, Mbit/s.")] = 100.0,
    setup_s: Annotated[
        float, typer.Option("--setup-s", help="Antenna set-up time between contacts, s.")
    ] = 120.0,
    min_contact_s: Annotated[
        float, typer.Option("--min-contact-s", help="Shortest useful contact, s.")
    ] = 60.0,
    min_elevation: Annotated[float, typer.Option("--min-elevation", help="Antenna mask, degrees.")] = 5.0,
    shorten: Annotated[
        bool,
        typer.Option("--shorten", help="Allow contacts shorter than the pass (slower; may report a gap)."),
    ] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Solver time limit per MILP, s.")] = 60.0,
    as_json: JsonOpt = False,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for space_report.html (tracks, coverage, timeline) and pool.json."
        ),
    ] = None,
) -> None:
    """Own stations alone vs the pooled network: contact time, contacts, gaps, data volume per day."""
    if rate_mbps <= 0 or setup_s < 0 or min_contact_s < 0 or time_limit <= 0:
        raise SpaceError("--rate-mbps and --time-limit must be > 0, --setup-s and --min-contact-s >= 0")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise SpaceError(f"--out {out_dir} is a file; expected a folder")
    options = PoolOptions(min_elevation, rate_mbps, setup_s, min_contact_s, time_limit, shorten)

    def run() -> tuple[PoolResult, Constellation, Stations]:
        constellation, when, n = _load(tle, start, days)
        table = read_stations(stations)
        return pool(constellation, table, when, n, read_satellites(satellites), options), constellation, table

    result, constellation, station_table = with_warnings(run)
    if out_dir is not None:
        _write_pool_outputs(out_dir, result, constellation, station_table, stations)
    if as_json:
        _emit(result.as_dict())
        return
    table = Table(
        title=f"own stations vs pooled network, {days:g} day(s) from {result.window.iso(0)[0][:16]}",
        caption=f"min/d: contact minutes a day; n: contacts; gap: longest without contact;"
        f" GB at {rate_mbps:g} Mbit/s",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
    for col in (
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
    ):
        table.add_column(
            col, justify="left" if col in ("satellite", "country") else "right", no_wrap=col == "satellite"
        )
    for s in result.satellites:
        o, p = s["own"], s["pooled"]
        table.add_row(
            str(s["satellite"]),
            str(s["country"]),
            f"{o['contact_min_per_day']:.1f}",
            f"{p['contact_min_per_day']:.1f}",
            str(o["contacts"]),
            str(p["contacts"]),
            f"{o['longest_gap_min'] / 60:.1f}",
            f"{p['longest_gap_min'] / 60:.1f}",
            f"{o['volume_gb']:.0f}",
            f"{p['volume_gb']:.0f}",
        )
    out.print(table)
    for name, rep in (("own", result.own), ("pooled", result.pooled)):
        out.print(
            f"[bold]{name}[/] schedule: {rep.status}, objective {rep.objective:,.0f}, bound {rep.bound:,.0f},"
            f" gap {rep.gap:.2%}, {rep.n_contacts} candidate contacts, {rep.seconds:.2f} s"
        )
    if result.excluded:
        out.print(
            "[dim]left out: "
            + ", ".join(f"{e['satellite']} ({e['reason']})" for e in result.excluded)
            + "[/]"
        )
    if out_dir is not None:
        # soft_wrap: a path broken over two lines cannot be copied
        out.print(
            f"wrote [bold]{out_dir / 'space_report.html'}[/] and [bold]{out_dir / 'pool.json'}[/]",
            soft_wrap=True,
        )


def _write_pool_outputs(
    out_dir: Path,
    result: PoolResult,
    constellation: Constellation,
    station_table: Stations,
    stations_path: Path | None,
) -> None:
    """pool.json (the same JSON as --json) and the HTML report; the report module (plotly, jinja2)
    is imported only here, so runs without --out stay light."""
    from kopru.space.report import write_space_report

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "pool.json").write_text(
        json.dumps(result.as_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    with_warnings(
        lambda: write_space_report(
            result, constellation, station_table, out_dir / "space_report.html", stations_path=stations_path
        )
    )


@app.command()
def imaging(
    tle: TleOpt = None,
    sites: Annotated[
        str,
        typer.Option("--sites", help="SEZ (every SEZ of the data pack), SEZ:id,id, or a CSV name,lat,lon."),
    ] = "SEZ",
    start: StartOpt = ...,
    days: DaysOpt = 1.0,
    satellites: SatellitesOpt = None,
    max_off_nadir: Annotated[float, typer.Option("--max-off-nadir", help="Sensor limit, degrees.")] = 30.0,
    min_sun_elevation: Annotated[
        float, typer.Option("--min-sun-elevation", help="Sun above the site's horizon, degrees.")
    ] = 10.0,
    as_json: JsonOpt = False,
) -> None:
    """Imaging opportunities of Earth-observation satellites over sites (default: every Kazakh SEZ)."""

    def run():
        constellation, when, n = _load(tle, start, days)
        return imaging_opportunities(
            constellation,
            read_sites(sites),
            when,
            n,
            read_satellites(satellites),
            max_off_nadir,
            min_sun_elevation,
        )

    result = with_warnings(run)
    if as_json:
        _emit(result.as_dict())
        return
    table = Table(title=f"{len(result.rows)} imaging opportunities", box=box.SIMPLE_HEAD)
    for col in ("time (UTC)", "satellite", "site", "off-nadir", "sun el"):
        table.add_column(col)
    for r in sorted(result.rows, key=lambda r: str(r["time"])):
        table.add_row(
            str(r["time"])[:19].replace("T", " "),
            str(r["satellite"]),
            str(r["site"]),
            f"{r['off_nadir_deg']:.1f}°",
            f"{r['sun_elevation_deg']:.1f}°",
        )
    out.print(table)
    if result.excluded:
        out.print(
            "[dim]left out: "
            + ", ".join(f"{e['satellite']} ({e['reason']})" for e in result.excluded)
            + "[/]"
        )
