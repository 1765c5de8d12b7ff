"""``kopru space``: JSON shapes and exit code 2 on bad files. The app is run as the main CLI runs
it (``KopruError`` → one line on stderr naming the options, exit 2), in this process."""

import csv
import json
import re
import sys
from datetime import datetime

import pytest

from kopru.cli import in_flags
from kopru.cli.space import app, local_time, station_label
from kopru.errors import KopruError, OptionError

PASS_KEYS = {
    "satellite",
    "norad",
    "station",
    "country",
    "aos",
    "tca",
    "los",
    "max_elevation_deg",
    "aos_azimuth_deg",
    "los_azimuth_deg",
    "duration_s",
    "truncated_start",
    "truncated_end",
    "timezone",
    "aos_local",
    "los_local",
}


@pytest.fixture
def space(capsys):
    def run(*args):
        try:
            app(list(map(str, args)), standalone_mode=False)
            code = 0
        except KopruError as exc:
            print(f"error: {in_flags(exc, ['space', *map(str, args)])}", file=sys.stderr)
            code = 2
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # click usage errors in non-standalone mode
            code = getattr(exc, "exit_code", 1)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_passes_json_shape_with_shipped_defaults(space):
    code, out, _ = space(
        "passes", "--start", "2026-06-01", "--days", "0.5", "--min-elevation", "10", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {
        "passes",
        "refraction",
        "element_sets",
        "warnings",
        "stations_left_out",
        "stations_not_for_leo",
        "min_elevation_deg",
        "antenna_masks_deg",
        "inactive_satellites",
        "leo_antennas_assumed",
    }
    assert data["min_elevation_deg"] == 10 and data["antenna_masks_deg"] == {}  # the shipped file has none
    assert data["refraction"] == "none"  # geometric elevations unless asked, as skyfield's find_events
    assert data["passes"] and data["warnings"] == [] and len(data["element_sets"]) == 17
    assert all(set(p) == PASS_KEYS for p in data["passes"])
    # only operational antennas by default; the others are named with their status
    left = {r["name"].split(" (")[0].split(",")[0]: r["status"] for r in data["stations_left_out"]}
    assert left["Baikonur Cosmodrome"] == "not_a_station" and "BME Masat-1 ground station" in left
    used = {p["station"] for p in data["passes"]}
    assert not any(name.startswith(("Baikonur", "TUSAŞ", "Uzbekspace")) for name in used)


def test_pool_and_imaging_json(space):
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.5", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["solver"]["pooled"]["status"] == "optimal" and data["satellites"][0]["days"]
    # a satellite operator's review: the gain assumes every antenna works every member's satellite
    assert data["interoperability"].startswith("every antenna that serves a satellite's orbit")
    code, out, _ = space(
        "imaging", "--start", "2026-06-01", "--days", "1", "--sites", "SEZ:sez_pit", "--json"
    )
    assert code == 0 and "opportunities" in json.loads(out)


def test_tables_print(space):
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.25")
    assert code == 0 and "pooled schedule: optimal" in " ".join(out.split())
    assert "and assumes: every antenna that serves a satellite's orbit" in " ".join(out.split())


def test_stale_elements_warn_in_every_output(space, tmp_path):
    """Review finding 4: the warning was on stderr only, and said km-level errors."""
    code, out, err = space("passes", "--start", "2026-09-01", "--days", "0.1", "--json")
    data = json.loads(out)
    assert code == 0 and data["passes"]
    assert "warning: stale element sets" in err and "KazSat-2 (NORAD 37749" in err
    assert "minutes after two to three months" in data["warnings"][0]
    # İMECE's set (26 June) is the youngest: 66 days old on 1 September
    assert all(a["stale"] and a["age_at_start_days"] > 65 for a in data["element_sets"])
    code, out, _ = space("passes", "--start", "2026-09-01", "--days", "0.1", "--out", tmp_path / "p")
    with (tmp_path / "p" / "passes.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert (
        code == 0
        and rows
        and all(" days from the window: its along-track error" in r["elements_warning"] for r in rows)
    )
    assert {"elements_epoch", "elements_age_at_start_days", "truncated_start"} <= set(rows[0])
    for verb in ("pool", "imaging"):
        code, out, _ = space(verb, "--start", "2026-09-01", "--days", "0.25", "--json")
        assert code == 0 and "minutes after" in json.loads(out)["warnings"][0], verb


def test_the_element_sets_age_is_said_with_every_table(space):
    """A satellite operator's review: the stale warning went to stderr only (lost with a redirected
    table), and no table gave an epoch. Oracle: the JSON's element_sets of the same run; latency's
    JSON gained them (it had none)."""
    for verb in ("passes", "pool", "imaging", "latency"):
        args = ("--start", "2026-09-01", "--days", "0.25")
        code, out, _ = space(verb, *args, "--json")
        sets = json.loads(out)["element_sets"]
        oldest = max(a["days_from_epoch_max"] for a in sets)
        code, out, _ = space(verb, *args)
        said = " ".join(out.split())
        assert code == 0 and "element sets of 2026-05-30 to 2026-06-26" in said, verb
        # 94 days (97 with latency's follow-up): past 90 the words say the times are not usable; the
        # error by SOURCE.md's measurement, 5.5 min at 104 days, times the square of the age
        error = 5.5 * (oldest / 104) ** 2
        assert (
            f"up to {oldest:.0f} days from the window: the pass times can be about {error:.0f} minutes off:"
            in said
        )
        assert "not usable for planning" in said, verb
        assert said.startswith("element sets of"), verb  # above the table: the first thing read
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.25")
    said = " ".join(out.split())
    assert "up to 26 days from the window" in said and "minutes off" not in said and "usable" not in said


@pytest.mark.parametrize("value", ["-30", "95", "nan"])
def test_pool_min_elevation_is_checked_as_passes_does(space, value):
    """Review finding 5: pool ran with masks of -30° and 95° (and NaN)."""
    for verb in ("passes", "pool"):
        code, out, err = space(verb, "--start", "2026-06-01", "--min-elevation", value)
        assert code == 2 and not out, verb
        assert err.strip() == f"error: --min-elevation must be in [-10, 89] degrees, got {value}"


@pytest.mark.parametrize("value", ["0", "90", "nan"])
def test_imaging_off_nadir_is_checked(space, value):
    code, _, err = space("imaging", "--start", "2026-06-01", "--max-off-nadir", value)
    assert code == 2 and err.strip() == f"error: --max-off-nadir must be in (0, 90) degrees, got {value}"


def test_pool_table_flags_what_gets_worse_and_labels_assumptions(space, eo_only_file):
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "7", "--stations", eo_only_file)
    text = " ".join(out.split())
    assert code == 0 and "7 days from 2026-06-01T00:00 UTC" in text
    assert "worse when pooled İMECE: longest gap 13.4 h → 21.1 h; less contact on 1 day: 2026-06-07" in text
    assert "pooling guarantees only this: no satellite gets less total contact time over the window" in text
    assert "GB: downlink capacity, rate × contact time (not data delivered)" in text
    assert "assumed, no source: 100 Mbit/s downlink" in text and "120 s antenna set-up" in text


def test_the_passes_table_reads_station_names_whole(space):
    """People read names: the table cut every station to 12 characters ("KGS Nationa…"); it now shows
    each name up to the data's description (after a comma or bracket), wrapped, never cut."""
    code, out, _ = space("passes", "--start", "2026-06-01", "--days", "0.2", "--json")
    stations = {p["station"] for p in json.loads(out)["passes"]}
    code, out, _ = space("passes", "--start", "2026-06-01", "--days", "0.2")
    assert code == 0
    header = next(line for line in out.splitlines() if " station " in line and " AOS " in line)
    start, end = header.index("station"), header.index("AOS")
    rows = out.split("─")[-1]
    station_column = " ".join(line[start:end] for line in rows.splitlines())
    words = " ".join(station_column.split())
    for name in stations:
        assert station_label(name) in words, name
    assert "KGS National Space Centre" in words and "Nationa…" not in out


def test_station_label_drops_the_description():
    assert station_label("KGS National Space Centre, Astana (KazEOSat/KazSTSAT mission control)") == (
        "KGS National Space Centre"
    )
    akkol = "Akkol Space Communication Centre"
    assert station_label(f"{akkol} (KazSat main)") == akkol
    assert station_label("Svalbard") == "Svalbard"


def test_tables_mark_cut_passes_and_imaging_revisits(space):
    code, out, _ = space("passes", "--start", "2026-06-01", "--days", "0.2")
    assert code == 0 and "…06-01 00:00:00" in out and "cut by the window's edge" in " ".join(out.split())
    code, out, _ = space("imaging", "--start", "2026-06-01", "--days", "7")
    text = " ".join(out.split())
    assert (
        code == 0
        and "revisit per site over 7 days" in text
        and "SEZ Ontustik Kazakhstan 6 14 71.6 23.7" in text
    )
    # the gaps across the window's ends run to the nearest opportunity outside it: cut at the ends,
    # Pavlodar's read ≥53.7 h (own) and 20.5 h (all), both longer across an end: 71.6 and 22.2 h (the
    # figures test_observation's oracle recomputes from a window a day longer at each end)
    assert "SEZ Pavlodar Kazakhstan 10 20 71.6 22.2" in text
    assert "the first and last running to the nearest opportunity before the window's start" in text
    assert (
        "5 of the opportunities repeat another's" in text or "of the opportunities repeat another's" in text
    )


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ((), "off-nadir ≤ 30°, Sun ≥ 10° above the horizon"),
        (
            ("--max-off-nadir", "20", "--min-sun-elevation", "25"),
            "off-nadir ≤ 20°, Sun ≥ 25° above the horizon",
        ),
        (("--min-sun-elevation", "-6"), "off-nadir ≤ 30°, Sun no more than 6° below the horizon"),
    ],
)
def test_the_imaging_tables_say_their_limits(space, options, words):
    """The tables gave no off-nadir limit or Sun elevation, so a count of opportunities could not be
    set against an operator's own sensor. Oracle: the options given (the
    defaults, 30° and 10°, when none), in the opportunities' title and the revisit's caption, and
    every opportunity within them."""
    code, out, _ = space("imaging", "--start", "2026-06-01", "--days", "1", *options)
    text = " ".join(out.split())
    assert code == 0 and f"imaging opportunities: {words}" in text
    assert f"n: imaging opportunities ({words}); gap:" in text
    code, out, _ = space("imaging", "--start", "2026-06-01", "--days", "1", *options, "--json")
    data = json.loads(out)
    assert data["limits"] == words
    nadir, sun = data["parameters"]["max_off_nadir_deg"], data["parameters"]["min_sun_elevation_deg"]
    assert all(r["off_nadir_deg"] <= nadir and r["sun_elevation_deg"] >= sun for r in data["opportunities"])


def test_the_imaging_tables_name_a_satellites_own_limit(space, tmp_path):
    """A satellites file that gives KazEOSat-2 a sensor limit of its own: the words name it beside the
    run's limit, which the other satellites keep to."""
    from kopru.space.satellites import DATA

    header, *rows = (DATA / "satellites.csv").read_text(encoding="utf-8").splitlines()
    own = tmp_path / "satellites.csv"
    own.write_text(
        "\n".join(
            [header + ",max_off_nadir_deg", *(r + (",12.5" if r.startswith("40010,") else ",") for r in rows)]
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, _ = space("imaging", "--start", "2026-06-01", "--days", "1", "--satellites", own)
    words = (
        "off-nadir ≤ 30° (KazEOSat-2 ≤ 12.5°: its own limit, from the satellites file), Sun ≥ 10° above the"
        " horizon"
    )
    assert code == 0 and f"imaging opportunities: {words}" in " ".join(out.split())


@pytest.mark.parametrize(
    ("option", "content", "message"),
    [
        (
            "--tle",
            "X\n1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2928\n"
            "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537\n",
            "line 2: checksum mismatch",
        ),
        ("--tle", "hello\n", "line 1: no line starting '1 ' found; expected two- or three-line element sets"),
        ("--stations", "name,country,lat\n", "missing column(s) lon, elev_m"),
        ("--stations", "name,country,lat,lon,elev_m\nx,KZ,100,1,\n", "'lat' is 100, out of range"),
    ],
)
def test_bad_files_exit_2_with_one_line(space, tmp_path, option, content, message):
    f = tmp_path / "bad"
    f.write_text(content)
    code, _, err = space("passes", option, f, "--start", "2026-06-01")
    assert code == 2
    assert message in " ".join(err.split()) and len(err.strip().splitlines()) == 1


def test_bad_start_and_days_exit_2(space):
    assert space("passes", "--start", "June", "--days", "1")[0] == 2
    assert space("passes", "--start", "2026-06-01", "--days", "0")[0] == 2


def test_mounted_under_the_main_cli(cli):
    """Through ``kopru.cli.main``, whose group loads ``kopru space`` on first use."""
    r = cli("space", "passes", "--start", "2026-06-01", "--days", "0.2", "--json")
    assert r.code == 0 and set(json.loads(r.out)["passes"][0]) == PASS_KEYS
    assert cli("space", "stations-typo").code == 2


def test_pool_shorten_reaches_the_scheduler(space, eo_only_file):
    """Review finding 1: --shorten was reported as applied but the whole-pass model ran."""
    runs = {}
    for flag in ((), ("--shorten",)):
        code, out, _ = space("pool", "--start", "2026-06-01", "--stations", eo_only_file, "--json", *flag)
        assert code == 0
        runs[bool(flag)] = json.loads(out)
    whole, cut = runs[False]["solver"]["pooled"], runs[True]["solver"]["pooled"]
    assert runs[True]["parameters"]["shorten"] and cut["binaries"] > cut["contacts"]
    assert whole["binaries"] == whole["contacts"] and cut["objective"] > whole["objective"]


def test_element_sets_too_far_from_the_window_are_refused_on_request(space):
    """Space review: very stale element sets were only warned about. With --max-elements-age the
    run stops (exit 2) naming each set and its age; the shipped sets (epochs 30 May and 26 June 2026)
    are 189 and 162 days from a window starting on 5 December 2026, and within 10 days of 1 June."""
    code, out, err = space("passes", "--start", "2026-12-05", "--max-elements-age", "30")
    assert code == 2 and not out
    assert err.startswith(
        "error: element sets more than 30 days from the window: KazSat-2 (epoch 2026-05-30, 189 days)"
    )
    assert "İMECE (epoch 2026-06-26, 162 days)" in err
    for verb in ("passes", "pool", "imaging"):
        code, out, _ = space(
            verb, "--start", "2026-06-01", "--days", "0.2", "--max-elements-age", "30", "--json"
        )
        assert code == 0 and out, verb
    code, _, err = space("pool", "--start", "2026-06-01", "--max-elements-age", "-1")
    assert code == 2 and "--max-elements-age must be a number of days > 0, got -1" in err


def test_latency_table_json_and_files(space, tmp_path):
    code, out, err = space(
        "latency", "--start", "2026-06-01", "--days", "1", "--sites", "SEZ:sez_pit,sez_turan"
    )
    text = " ".join(out.split())
    assert code == 0 and not err
    assert "request to image on the ground, hours" in text and "image to ground, minutes" in text
    assert "SEZ Turan (formerly Turkistan)" in out and "İMECE" in out
    assert "assumed, no source: downlink_s 120 s" in text
    code, out, _ = space(
        "latency", "--start", "2026-06-01", "--days", "1", "--sites", "SEZ:sez_pit", "--json"
    )
    data = json.loads(out)
    assert code == 0 and [s["site"] for s in data["sites"]] == [
        "SEZ Park of Innovative Technologies (Alatau)"
    ]
    code, out, _ = space(
        "latency", "--start", "2026-06-01", "--days", "1", "--sites", "SEZ:sez_pit", "--out", tmp_path / "l"
    )
    with (tmp_path / "l" / "latency.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert code == 0 and rows and rows[0]["site"] == "SEZ Park of Innovative Technologies (Alatau)"
    assert json.loads((tmp_path / "l" / "latency.json").read_text(encoding="utf-8"))["images"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--downlink-s", "-5", "--downlink-s must be a number of seconds >= 0, got -5"),
        ("--follow-days", "10", "--follow-days must be in [0, 7], got 10"),
        ("--sites", "SEZ:nowhere", "unknown SEZ id 'nowhere'"),
        ("--sites", "SEZ:", "--sites 'SEZ:' names no SEZ; expected SEZ:id[,id...], e.g. SEZ:sez_pit"),
    ],
)
def test_latency_bad_options_exit_2(space, option, value, message):
    code, out, err = space("latency", "--start", "2026-06-01", option, value)
    assert (
        code == 2 and not out and err.startswith(f"error: {message}") and len(err.strip().splitlines()) == 1
    )


def strict_json(text: str) -> dict:
    """JSON as any strict reader takes it: NaN or Infinity is an error."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


def test_sgp4_failures_are_in_the_warnings_of_every_verb(space, tmp_path):
    """Review: "SGP4 fails at 817 of 817 sample times" went to stderr only; passes, pool and imaging
    now carry it in their JSON and the passes CSV beside the rows of the satellite it concerns."""
    from test_visibility import GRID_SAMPLES, failing_files

    tle, sats = failing_files(tmp_path)
    decayed = (
        f"DECAYED (NORAD 90002): SGP4 fails at {GRID_SAMPLES} of {GRID_SAMPLES} sample times (decayed or"
        " diverging orbit); no passes are reported at those times"
    )
    common = ("--tle", tle, "--satellites", sats, "--start", "2026-06-01", "--json")
    for verb, extra in (("passes", ("--out", tmp_path / "p")), ("pool", ()), ("imaging", ())):
        code, out, err = space(verb, *common, *extra)
        warned = strict_json(out)["warnings"]
        assert code == 0 and f"warning: {decayed}" in " ".join(err.split()), verb
        assert decayed in warned and any(
            w.startswith("DECAYING (NORAD 90003): SGP4 fails at") for w in warned
        )
    with (tmp_path / "p" / "passes.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["norad"] == "90003"]
    assert rows and all(r["elements_warning"].startswith("DECAYING (NORAD 90003): SGP4 fails") for r in rows)


def test_a_pool_without_a_schedule_is_refused_and_an_unproven_one_said(space):
    """Review: --time-limit 1e-9 printed zeros (0.0 min/d, 48 h gap) from no schedule at all, and a
    schedule stopped by the time limit was not said. Over a day HiGHS finds no own schedule in 1e-9 s;
    over six hours it proves the own one in presolve and keeps the pooled one's start (unproven)."""
    code, out, err = space("pool", "--start", "2026-06-01", "--days", "1", "--time-limit", "1e-9")
    assert code == 2 and not out
    assert (
        err
        == "error: no own schedule was found within the time limit of 1e-09 s; give a longer --time-limit\n"
    )
    code, out, err = space(
        "pool", "--start", "2026-06-01", "--days", "0.25", "--time-limit", "1e-9", "--json"
    )
    unproven = (
        "the pooled schedule stopped with status time_limit, gap unknown (no finite bound): it is not proven"
        " the best schedule, so figures read from it may fall short of the best's (raise --time-limit)"
    )
    data = strict_json(out)
    assert code == 0 and data["warnings"] == [unproven] and data["solver"]["pooled"]["bound"] is None
    assert f"warning: {unproven}" in " ".join(err.split())
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.25", "--time-limit", "1e-9")
    assert code == 0 and "pooled schedule: time_limit, objective 4,499, bound —" in " ".join(out.split())


def test_the_solver_line_says_what_the_objective_counts(space, tmp_path):
    """Review: "objective 94,165, bound 94,165" had no unit. The objective is Σ priority × contact
    seconds over the window (kopru.space.schedule): with every priority 1 it is the contact seconds
    of every satellite, which the JSON's per-satellite minutes a day give back."""
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.5", "--json")
    data = strict_json(out)
    seconds = sum(s["pooled"]["contact_min_per_day"] * 60 * 0.5 for s in data["satellites"])
    assert data["solver"]["pooled"]["objective"] == pytest.approx(
        seconds, abs=0.01 * 60 * len(data["satellites"])
    )
    assert data["solver"]["pooled"]["objective_unit"] == "priority × contact seconds, summed over the window"
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.5")
    objective = f"{data['solver']['pooled']['objective']:,.0f}"
    assert code == 0 and (
        f"pooled schedule: optimal, objective {objective}, bound {objective} (priority × contact seconds,"
        " summed over the window), gap 0.00%"
    ) in " ".join(out.split())


def test_a_station_status_naming_nothing_says_so(space):
    """Review: --station-status "," said "no station has status  (the file has …)" with a blank."""
    code, out, err = space("passes", "--start", "2026-06-01", "--station-status", ",")
    assert code == 2 and not out
    assert err == (
        "error: --station-status names no status; expected one or more of operational, backup, planned,"
        " not_a_station, comma-separated\n"
    )


def test_csvs_without_rows_have_their_columns(space, tmp_path):
    """Review: an empty passes CSV had the header "none". Oracle: the header of a CSV with rows."""
    kz1 = tmp_path / "kz1.tle"
    kz1.write_text(
        "KAZEOSAT 1\n1 39731U 14024A   26150.60611006  .00000525  00000+0  17277-3 0  9996\n"
        "2 39731  98.3214 223.4898 0001572  82.8897 277.2472 14.42073180636023\n",
        encoding="utf-8",
    )

    def header_and_rows(folder, name):
        with (folder / f"{name}.csv").open(encoding="utf-8") as fh:
            reader = csv.reader(fh)
            return next(reader), list(reader)

    runs = {
        "passes": (("passes", "--start", "2026-06-01", "--days", "1"), ("--days", "0.001")),
        "imaging": (("imaging", "--start", "2026-06-01", "--days", "1"), ("--days", "0.001")),
        "latency": (
            ("latency", "--start", "2026-06-01", "--days", "1", "--sites", "SEZ:sez_pit"),
            # contacts to book (a window without any is refused, as pool refuses it) but no image
            ("--days", "0.01", "--follow-days", "0.5"),
        ),
    }
    for name, (full, short) in runs.items():
        code, _, _ = space(*full, "--out", tmp_path / f"{name}-full")
        columns, rows = header_and_rows(tmp_path / f"{name}-full", name)
        assert code == 0 and rows and columns != ["none"], name
        code, _, _ = space(*full, *short, "--tle", kz1, "--out", tmp_path / f"{name}-empty")
        assert code == 0 and header_and_rows(tmp_path / f"{name}-empty", name) == (columns, []), name


def test_pool_and_imaging_refuse_when_no_satellite_qualifies(space, tmp_path):
    """Review: with only a geostationary satellite, latency said so (exit 2) while pool and imaging
    printed empty tables (exit 0). All three now refuse, naming each satellite left out and why."""
    geo = tmp_path / "geo.tle"
    geo.write_text(
        "KAZSAT-2\n1 37749U 11035B   26150.52028483 -.00000186  00000+0  00000+0 0  9990\n"
        "2 37749   0.0394 258.5447 0000926 223.2041  40.1148  1.00272585 53224\n",
        encoding="utf-8",
    )
    expected = {
        "pool": "no satellite to pool: every satellite is left out: KazSat-2 (geostationary); expected at"
        " least one active satellite that is not geostationary, with a row norad,country in satellites.csv"
        " (shipped)",
        "imaging": "no satellite to image: every satellite is left out: KazSat-2 (geostationary); expected"
        " at least one active Earth-observation satellite that is not geostationary (the satellites file's"
        " mission and active columns)",
        "latency": "no active Earth-observation satellite with a row in the satellites file, so no image to"
        " bring down (left out: KazSat-2 (geostationary)); expected rows with mission earth-observation and"
        " active true",
    }
    for verb, message in expected.items():
        code, out, err = space(verb, "--tle", geo, "--start", "2026-06-01", "--json")
        assert (code, out, err) == (2, "", f"error: {message}\n"), verb


def test_the_local_time_says_when_the_stations_date_is_another():
    """A satellite operator's review: Göktürk-1 rising over KGS at 19:20 UTC on 1 June read '00:20'
    local, which is 2 June in Astana. Oracle: the clock by hand."""
    assert local_time("2026-06-01T19:20:00Z", "2026-06-02T00:20:00+05:00") == "00:20+1d"
    assert local_time("2026-06-01T02:10:00Z", "2026-05-31T23:10:00-03:00") == "23:10-1d"
    assert local_time("2026-06-01T09:00:00Z", "2026-06-01T14:00:00+05:00") == "14:00"


def test_pool_takes_a_handover_time(space):
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.25", "--handover-s", "20", "--json")
    assert code == 0
    given = {a["parameter"]: a for a in json.loads(out)["assumptions"]}
    assert given["handover_s"]["value"] == 20 and given["handover_s"]["basis"] == "given by the user"
    code, _, err = space("pool", "--start", "2026-06-01", "--days", "0.25", "--handover-s", "-1")
    assert code == 2 and "--handover-s must be a number >= 0, got -1" in err


def test_a_handover_time_past_an_hour_is_refused_and_latency_takes_one(space):
    """Review: --handover-s 100000 (a slip of units) left one contact per satellite without a word;
    latency listed handover_s as an assumption it had no option for, and its pooled figures did not
    say they assume full interoperability."""
    code, _, err = space("pool", "--start", "2026-06-01", "--days", "0.25", "--handover-s", "100000")
    assert code == 2 and "--handover-s must be at most 3600 s" in err and "Traceback" not in err
    # a CLI review: --rate-mbps 1e308 printed inf and a numpy warning with a source path, exit 0
    code, _, err = space("pool", "--start", "2026-06-01", "--days", "0.25", "--rate-mbps", "1e308")
    assert (
        code == 2
        and err.strip()
        == "error: --rate-mbps must be at most 100,000 Mbit/s (beyond any satellite downlink), got 1e+308"
    )
    code, out, _ = space("latency", "--start", "2026-06-01", "--days", "0.25", "--handover-s", "30", "--json")
    assert code == 0
    data = json.loads(out)
    given = {a["parameter"]: a for a in data["assumptions"]}
    assert given["handover_s"]["value"] == 30 and given["handover_s"]["basis"] == "given by the user"
    assert "full interoperability" in data["interoperability"] and data["antenna_masks_deg"] == {}


def test_the_text_output_names_the_antennas_with_a_mask_of_their_own(space, tmp_path):
    """Review: 'passes above 5°' when two antennas of the file use 0° and 10°. Oracle: the file."""
    path = tmp_path / "st.csv"
    path.write_text(
        "name,country,lat,lon,elev_m,min_elevation_deg\n"
        "Hill,Kazakhstan,43.2,76.9,800,10\nPlain,Kazakhstan,51.1,71.4,350,\n",
        encoding="utf-8",
    )
    code, out, _ = space("passes", "--start", "2026-06-01", "--days", "0.25", "--stations", path)
    assert code == 0
    said = " ".join(out.split())
    assert "passes above 0°, antennas with a mask of their own: Hill 10° (UTC)" in said


def test_the_geostationary_centres_as_leo_antennas_are_said_in_the_tables(space):
    """A satellite operator's review: with --assume-leo-antennas the schedule moved most contacts to
    the geostationary control centres, and no table said the hypothesis was on."""
    for verb in ("passes", "pool", "latency"):
        args = ("--start", "2026-06-01", "--days", "0.25")
        _, plain, _ = space(verb, *args)
        code, out, _ = space(verb, *args, "--assume-leo-antennas")
        said = " ".join(out.split())
        assert code == 0 and "HYPOTHESIS: the geostationary control centres used as LEO antennas" in said
        assert "HYPOTHESIS" not in plain, verb


def test_the_geostationary_centres_taken_as_leo_antennas_are_listed_with_their_minutes(space):
    """Left by the twenty-fifth session: with --assume-leo-antennas the centres carried pooled minutes
    and only the HYPOTHESIS tag said so; they join the assumed LEO antennas, by the run's option.
    Oracle: the pooled schedule's contacts on each; the serves-none rows stay out."""
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.5", "--assume-leo-antennas", "--json")
    data = json.loads(out)
    rows = {r["station"]: r for r in data["leo_antennas_assumed"]}
    by_option = [name for name, r in rows.items() if r["basis"] == "assume_leo_antennas"]
    assert code == 0 and len(by_option) >= 3 and any(n.startswith("Akkol") for n in by_option)
    assert rows[next(n for n in rows if n.startswith("Azercosmos Main"))]["basis"] == "serves_basis"
    days = 0.5
    for name in by_option:
        on = sum(c["duration_s"] for c in data["schedule"] if c["station"] == name) / 60 / days
        assert rows[name]["pooled_min_per_day"] == pytest.approx(on, abs=0.01)
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.5", "--assume-leo-antennas")
    said = " ".join(out.split())
    assert (
        "LEO antenna is the run's assumption (--assume-leo-antennas: a geostationary control centre)" in said
    )
    _, plain, _ = space("pool", "--start", "2026-06-01", "--days", "0.5", "--json")
    assert [r["basis"] for r in json.loads(plain)["leo_antennas_assumed"]] == ["serves_basis"]


def test_the_pooled_gain_says_its_own_network_leaves_out_contracted_stations_abroad(space):
    """A satellite operator's review: KazSTSAT works through KSAT Svalbard (the data's SOURCE.md) and
    Göktürk-2 used a station in Norway (the stations file); an own network of national antennas alone
    inflates the gain, and nothing said so."""
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.25", "--json")
    said = json.loads(out)["interoperability"]
    assert code == 0 and "KSAT Svalbard" in said and "Norway" in said and "the gain is smaller" in said


def test_passes_of_one_satellite_over_one_station(space):
    """A satellite operator's review: passes had no satellite or station filter, so planning one
    satellite over one antenna meant writing files. Oracle: the unfiltered run's rows of that pair."""
    args = ("passes", "--start", "2026-06-01", "--days", "1", "--json")
    _, every, _ = space(*args)
    want = [
        p for p in json.loads(every)["passes"] if p["norad"] == 39731 and p["station"].startswith("TÜBİTAK")
    ]
    code, out, _ = space(*args, "--satellite", "kazeosat-1", "--station", "METU")
    got = json.loads(out)["passes"]
    assert code == 0 and want and len(got) == len(want)

    def t(iso: str) -> float:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()

    # the same passes: refined from a coarser grid of fewer pairs, their times agree to a millisecond
    for g, w in zip(got, want, strict=True):
        assert g["station"] == w["station"] and abs(t(g["aos"]) - t(w["aos"])) < 0.01
        assert abs(t(g["los"]) - t(w["los"])) < 0.01
    code, out, _ = space(*args, "--satellite", "39731", "--satellite", "KazSTSAT", "--station", "metu")
    assert {p["norad"] for p in json.loads(out)["passes"]} == {39731, 43783}
    code, _, err = space("passes", "--start", "2026-06-01", "--satellite", "sputnik")
    assert code == 2 and "--satellite 'sputnik' matches no satellite; the satellites: KazSat-2" in err
    assert len(err.strip().splitlines()) == 1


def test_latency_refuses_a_mask_no_pass_reaches_as_pool_does(space):
    """A second review: latency at an 89° mask printed dashes and '1440 of 1440 unanswered', exit 0,
    while pool refused. Oracle: pool's own refusal of the same mask, word for word."""
    args = ("--start", "2026-06-01", "--days", "0.5", "--min-elevation", "89")
    pool_code, _, pool_err = space("pool", *args)
    code, out, err = space("latency", *args, "--sites", "SEZ:sez_pit")
    assert (code, out) == (2, "") and pool_code == 2 and err == pool_err
    assert err.startswith("error: no pass of any satellite over any antenna reaches the 89° mask")
    assert len(err.strip().splitlines()) == 1


def test_the_pool_table_names_each_country_in_full_on_80_columns(space, monkeypatch):
    """Left by the twenty-fifth session: 'Kazakhs…' on 80 columns. Oracle: the --json's countries,
    each whole on its satellite's row, and no cell cut."""
    from kopru.cli.common import out as console

    args = ("pool", "--start", "2026-06-01", "--days", "1")
    _, text, _ = space(*args, "--json")
    satellites = json.loads(text)["satellites"]
    monkeypatch.setattr(console, "_width", 80)
    code, text, _ = space(*args)
    table = text.split("min/d: contact minutes")[0]
    assert code == 0 and "…" not in table
    for s in satellites:
        assert re.search(rf"{re.escape(s['satellite'])}\s+{re.escape(s['country'])}\s+\d", table), s


@pytest.mark.parametrize("width", [80, 100])
def test_latency_numbers_are_whole_on_a_narrow_terminal(space, monkeypatch, width):
    """A second review: below ~110 columns the long SEZ names squeezed 16.7 h to '16…'. Oracle: the
    --json of the same run: every site's median and worst, each network, printed whole on its row."""
    from kopru.cli.common import out as console

    args = ("latency", "--start", "2026-06-01", "--days", "1")
    _, text, _ = space(*args, "--json")
    sites = json.loads(text)["sites"]
    monkeypatch.setattr(console, "_width", width)
    code, text, _ = space(*args)
    assert code == 0 and "…" not in text.split("image to ground")[0]
    table = text.split("image to ground")[0].splitlines()
    # a row's first line holds every number, its name wraps below; the rows are in the JSON's order
    rows = [
        line.split()[-8:]
        for line in table
        if len(line.split()) >= 9 and all(re.fullmatch(r"[\d.]+|—", w) for w in line.split()[-8:])
    ]
    assert len(rows) == len(sites)
    for s, numbers in zip(sites, rows, strict=True):
        want = [
            "—" if s[n] is None or s[n]["request_h"][k] is None else f"{s[n]['request_h'][k]:.1f}"
            for k in ("median", "worst")
            for n in ("own", "partners", "pooled")
        ]
        assert numbers[2:] == want, s["site"]


def test_latency_below_its_width_drops_the_partners_columns_and_says_so(space, monkeypatch):
    from kopru.cli.common import out as console

    monkeypatch.setattr(console, "_width", 60)
    code, text, _ = space("latency", "--start", "2026-06-01", "--days", "1", "--sites", "SEZ:sez_pit")
    said = " ".join(text.split())
    assert code == 0 and "the columns 'all' and '+sats' (with partners' satellites) need 78 columns" in said
    assert "16…" not in text and "+sats" not in text.split("the columns")[0]


def test_the_stale_words_grow_with_the_age(space):
    """A second review: 'minutes off' at 31 days and at 460. Oracle: SOURCE.md's measurement, 5.5 min
    at 104 days, times the square of the age: 459 days is 107 min, more than an orbit (~95-100 min)."""
    code, out, err = space("passes", "--start", "2027-09-01", "--days", "0.1")
    said = " ".join(out.split())
    assert code == 0 and "up to 459 days from the window: the pass times can be about 107 minutes off" in said
    assert "more than one orbit: not usable for planning, the passes listed are not the real ones" in said
    assert "more than one orbit" in " ".join(err.split())  # the warning says it too
    code, _, err = space("passes", "--start", "2026-06-01", "--max-elements-age", "1")
    assert code == 2 and "element sets more than 1 day from the window" in err


def test_pool_says_which_leo_antenna_is_an_assumption_and_the_time_on_it(space):
    """A second review: Azercosmos Main's LEO antenna is assumed (its serves_source says so) but the row
    said 'source', and carried 105 of 440 pooled min/d. Oracle: the pooled schedule's contacts on it."""
    code, out, _ = space("pool", "--start", "2026-06-01", "--json")
    data = json.loads(out)
    [row] = data["leo_antennas_assumed"]
    assert code == 0 and row["station"].startswith("Azercosmos Main")
    on = sum(c["duration_s"] for c in data["schedule"] if c["station"] == row["station"]) / 60
    total = sum(c["duration_s"] for c in data["schedule"]) / 60
    assert row["pooled_min_per_day"] == pytest.approx(on, abs=0.01) and on > 60
    assert row["pooled_total_min_per_day"] == pytest.approx(total, abs=0.01)
    code, out, _ = space("pool", "--start", "2026-06-01")
    said = " ".join(out.split())
    assert (
        "not established: Azercosmos Main Satellite Ground Control Station's LEO antenna is an assumption of"
        f" the stations file (serves_basis), not a source: {on:.0f} of {total:.0f} pooled min/d use it"
    ) in said


def test_passes_say_which_leo_antenna_is_an_assumption_and_how_many_passes_are_over_it(space):
    """As pool says it (above), passes say it: a satellite operator planning on the list would book
    Azercosmos Main's LEO antenna, which no source shows. Oracle: the list's own rows over it, and
    with --assume-leo-antennas the geostationary centres' rows of LEO satellites."""
    args = ("passes", "--start", "2026-06-01", "--days", "1", "--satellite", "kazeosat")
    code, out, _ = space(*args, "--json")
    data = json.loads(out)
    [row] = data["leo_antennas_assumed"]
    over = [p for p in data["passes"] if p["station"] == row["station"]]
    assert code == 0 and row["station"].startswith("Azercosmos Main") and row["basis"] == "serves_basis"
    assert row["leo_passes"] == len(over) > 0 and row["leo_passes_listed"] == len(data["passes"])
    _, text, _ = space(*args)
    assert (
        "not established: Azercosmos Main Satellite Ground Control Station's LEO antenna is an assumption of"
        f" the stations file (serves_basis), not a source: {len(over)} of the {len(data['passes'])} passes"
        " of LEO satellites listed are over it"
    ) in " ".join(text.split())
    # with every satellite: the geostationary ones' passes over it are no assumption, nor counted
    _, out, _ = space("passes", "--start", "2026-06-01", "--days", "1", "--min-elevation", "5", "--json")
    every = json.loads(out)
    [row] = every["leo_antennas_assumed"]
    geo = {e["norad"] for e in every["element_sets"] if e["geostationary"]}
    leo = [p for p in every["passes"] if p["norad"] not in geo]
    assert row["leo_passes"] == sum(p["station"] == row["station"] for p in leo)
    assert row["leo_passes_listed"] == len(leo) < len(every["passes"])
    assert any(p["station"] == row["station"] for p in every["passes"] if p["norad"] in geo)
    _, out, _ = space(*args, "--assume-leo-antennas", "--json")
    data = json.loads(out)
    by_option = {
        r["station"]: r["leo_passes"] for r in data["leo_antennas_assumed"] if r["basis"] != "serves_basis"
    }
    assert set(by_option) == {
        r["name"] for r in json.loads(space(*args, "--json")[1])["stations_not_for_leo"]
    }
    assert all(n == sum(p["station"] == s for p in data["passes"]) for s, n in by_option.items())
    # geostationary satellites over the centres that work them are no assumption
    _, out, _ = space("passes", "--start", "2026-06-01", "--days", "1", "--satellite", "KazSat-2", "--json")
    assert json.loads(out)["leo_antennas_assumed"] == []


def test_imaging_says_how_many_passes_each_limit_rejected(space, tmp_path):
    """A second review: Vostok in polar night had 0 opportunities and no word why. Oracle: the same run
    with no Sun limit (--min-sun-elevation -90) has N; the Sun-limited one says N were rejected by it."""
    sites = tmp_path / "dark.csv"
    sites.write_text("name,lat,lon\nVostok,-78.46,106.84\n", encoding="utf-8")
    args = ("imaging", "--start", "2026-06-01", "--sites", sites)
    code, out, _ = space(*args, "--min-sun-elevation", "-90", "--json")
    data = json.loads(out)
    n = len(data["opportunities"])
    assert code == 0 and n > 10 and data["rejected"]["sun"] == 0
    code, out, _ = space(*args, "--json")
    data = json.loads(out)
    assert code == 0 and data["opportunities"] == [] and data["rejected"]["sun"] == n
    code, out, _ = space(*args)
    said = " ".join(out.split())
    assert code == 0 and "0 imaging opportunities" in said
    assert (
        f"{n} passes within the off-nadir limit rejected by the Sun limit: the Sun below 10° at the site"
        in said
    )


@pytest.mark.parametrize("word", ["x", "zan", "ground-systems"[1:]])
def test_a_station_is_named_by_the_start_of_a_word_not_its_inside(space, word):
    """A review: '--station x' matched Kahramankazan's '2x9 m' antennas, a word's inside."""
    code, _, err = space("passes", "--start", "2026-06-01", "--days", "0.3", "--station", word)
    assert code == 2 and f"--station {word!r} matches no station; the stations:" in err


def test_a_decomposed_name_is_matched_at_its_words_starts_only():
    """A review: a CSV's name in decomposed form ('u' + a combining diaeresis) let 'rksat' match
    inside 'Türksat', the mark being no word character; names are composed before matching."""
    from unicodedata import normalize

    from kopru.space.api import _named_in

    names = [(normalize("NFD", "Türksat 4A"),), ("KGS Astana",)]
    assert _named_in(["türksat"], names, "satellite").tolist() == [True, False]
    assert _named_in(["TURKSAT 4"], names, "satellite").tolist() == [True, False]
    with pytest.raises(OptionError, match="'rksat' matches no satellite"):
        _named_in(["rksat"], names, "satellite")


@pytest.mark.parametrize("word", ["kahramankazan", "Ground-Systems", "2x9", "(13.2"])
def test_any_word_of_a_station_starts_a_match(space, word):
    code, out, _ = space("passes", "--start", "2026-06-01", "--days", "0.3", "--station", word, "--json")
    names = {p["station"] for p in json.loads(out)["passes"]}
    kahramankazan = "Türksat Kahramankazan ground-systems backup centre (13.2 m Ka + 2x9 m Ku)"
    assert code == 0 and names == {kahramankazan}


@pytest.mark.parametrize("word", ["tübitak", "tubitak", "TÜBİTAK", "uzay ground"])
def test_station_names_match_with_turkish_letters_typed_as_ascii(space, word):
    """A second review: 'tubitak' and 'tübitak' matched nothing; casefold leaves 'İ' as 'i' and a dot."""
    code, out, _ = space("passes", "--start", "2026-06-01", "--days", "0.3", "--station", word, "--json")
    names = {p["station"] for p in json.loads(out)["passes"]}
    assert code == 0 and len(names) == 1 and next(iter(names)).startswith("TÜBİTAK UZAY")


def test_golbasi_and_a_norad_number_match_exactly(space):
    code, out, _ = space("passes", "--start", "2026-06-01", "--days", "0.3", "--station", "golbasi", "--json")
    assert code == 0 and {p["station"][:15] for p in json.loads(out)["passes"]} == {"Türksat Gölbaşı"}
    code, out, _ = space("passes", "--start", "2026-06-01", "--days", "0.3", "--satellite", "39731", "--json")
    assert code == 0 and {p["norad"] for p in json.loads(out)["passes"]} == {39731}
    # a part of a number is no satellite's number (it matched 39728 and 39731)
    code, _, err = space("passes", "--start", "2026-06-01", "--satellite", "397")
    assert code == 2 and err.startswith("error: --satellite '397' matches no satellite; the satellites:")


def test_a_priority_of_zero_is_refused(space, tmp_path):
    """A second review: KazSTSAT at priority 0 got no contact at all with its antenna idle most of the day."""
    sats = tmp_path / "sats.csv"
    sats.write_text("norad,country,priority\n39731,Kazakhstan,1\n43783,Kazakhstan,0\n", encoding="utf-8")
    code, out, err = space("pool", "--start", "2026-06-01", "--satellites", sats)
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: {sats} row 3: priority must be > 0; 'priority' is 0, expected")


def test_geostationary_satellites_only_over_rows_that_serve_them(space):
    """A second review: KazSat-2 was listed over the LEO-only KGS Astana and TÜBİTAK METU, and over rows
    with no antenna. Oracle: each row's serves column (the shipped file, read by read_stations)."""
    from kopru.space import read_stations

    statuses = "operational,backup,planned,not_a_station"
    code, out, _ = space(
        "passes", "--start", "2026-06-01", "--days", "0.3", "--station-status", statuses, "--json"
    )
    st = read_stations(statuses=None)
    serves = dict(zip(st.name, st.serving(), strict=True))
    passes = json.loads(out)["passes"]
    geo = [p for p in passes if p["duration_s"] >= 0.3 * 86400 - 1]  # in view the whole window
    assert code == 0 and geo and {serves[p["station"]] for p in geo} <= {"geo", "both"}
    assert all(serves[p["station"]] != "none" for p in passes)


def test_pass_times_on_a_later_day_than_the_aos_say_so(space):
    """A second review: a pass from 22:27 read LOS 06:38:21 with no date, and a TCA cut by the window's
    end had no mark. Oracle: the --json times of the same passes."""
    args = (
        "passes",
        "--start",
        "2026-06-01",
        "--days",
        "2",
        "--satellite",
        "kazsat-2",
        "--station",
        "golbasi",
    )
    code, out, _ = space(*args, "--min-elevation", "18.85", "--json")
    passes = json.loads(out)["passes"]
    assert code == 0 and len(passes) == 3 and passes[1]["los"].startswith("2026-06-02T06:38:21")
    code, out, _ = space(*args, "--min-elevation", "18.85")
    rows = [line.split() for line in out.splitlines() if line.startswith(" KazSat-2")]
    assert rows[1][-6:-3] == ["01:27+1d", "02:31:20+1d", "06:38:21+1d"]
    assert rows[2][-5:-3] == ["00:00:00+1d…", "00:00:00+1d…"]  # both the window's end
    assert "+1d" not in " ".join(rows[0])


def test_the_leo_hint_only_where_it_can_help(space):
    """A second review: --assume-leo-antennas was suggested with the flag on, for rows serving none."""
    args = ("--start", "2026-06-01", "--days", "0.2", "--station-status", "not_a_station")
    code, _, err = space("passes", *args, "--satellite", "imece", "--assume-leo-antennas")
    said = " ".join(err.split())
    assert code == 0 and "the stations of these statuses have no antenna for them (serves none)" in said
    assert "--assume-leo-antennas uses" not in said
    code, _, err = space("pool", *args)
    assert (
        code == 2 and "have no antenna for them (serves none)" in err and "--assume-leo-antennas" not in err
    )
    code, _, err = space("passes", "--start", "2026-06-01", "--days", "0.2", "--station-status", "backup")
    assert code == 0 and "--assume-leo-antennas uses the geostationary control centres" in err


def test_a_station_without_a_zone_is_warned_once(space, tmp_path):
    """A second review: a KSAT Svalbard row (Norway) got UTC as its 'local' time silently."""
    path = tmp_path / "st.csv"
    path.write_text("name,country,lat,lon,elev_m\nSvalbard KSAT,Norway,78.23,15.40,500\n", encoding="utf-8")
    args = ("passes", "--start", "2026-06-01", "--days", "0.2", "--satellite", "kazstsat", "--json")
    code, out, err = space(*args, "--stations", path)
    said = " ".join(err.split())
    assert code == 0 and said.count("warning: no time zone known for Svalbard KSAT (Norway)") == 1
    assert "add a timezone column" in said and json.loads(out)["passes"][0]["timezone"] == "UTC"
    path.write_text(
        "name,country,lat,lon,elev_m,timezone\nSvalbard KSAT,Norway,78.23,15.40,500,Arctic/Longyearbyen\n",
        encoding="utf-8",
    )
    code, out, err = space(*args, "--stations", path)
    assert (
        code == 0 and "time zone" not in err and json.loads(out)["passes"][0]["aos_local"].endswith("+02:00")
    )


def test_shorten_help_says_it_may_not_be_reproducible(space):
    _, out, _ = space("pool", "--help")
    said = " ".join(out.replace("│", " ").split())
    assert "even on a 1-day case" in said and "reproducible only when it is proven optimal" in said


def test_one_pass_inactive_satellites_and_latency_repeats_are_said(space):
    """A second review: '1 passes'; RASAT (retired) with no mark in passes; latency's image counts held
    co-located SEZs twice. Oracles: the JSON of each run."""
    args = ("passes", "--start", "2026-06-01", "--days", "1", "--satellite", "rasat", "--station", "metu")
    code, out, _ = space(*args, "--json")
    data = json.loads(out)
    assert code == 0 and data["inactive_satellites"] == ["RASAT"]
    code, out, _ = space(*args)
    n = len(data["passes"])
    assert f"{n} pass{'' if n == 1 else 'es'} above 0°" in out and " RASAT ✝" in out
    assert "✝: inactive (the satellites file): RASAT" in " ".join(out.split())
    one = ("passes", "--satellite", "kazeosat-1", "--station", "kgs")
    _, out, _ = space(*one, "--start", "2026-06-01", "--json")
    first = json.loads(out)["passes"][1]  # the first whole one; a window just around it holds it alone
    start = datetime.fromisoformat(first["aos"].replace("Z", "+00:00")).timestamp() - 60
    window = (first["duration_s"] + 120) / 86400
    code, out, _ = space(
        *one, "--start", datetime.fromtimestamp(start).astimezone().isoformat(), "--days", window
    )
    said = " ".join(out.split())
    assert code == 0 and "1 pass above 0°" in said
    code, out, _ = space("latency", "--start", "2026-06-01", "--days", "1", "--json")
    data = json.loads(out)
    for s in data["satellites"]:
        mine = [i for i in data["images"] if i["norad"] == s["norad"]]
        points = {
            (
                i["time"],
                frozenset(
                    [i["site"], *next(x["same_point_as"] for x in data["sites"] if x["site"] == i["site"])]
                ),
            )
            for i in mine
        }
        assert s["images_repeated"] == len(mine) - len(points), s["satellite"]
    code, out, _ = space("latency", "--start", "2026-06-01", "--days", "1")
    said = " ".join(out.split())
    kz1 = next(s for s in data["satellites"] if s["satellite"] == "KazEOSat-1")
    assert f"KazEOSat-1 {kz1['images_repeated']} of {kz1['images']}" in said and kz1["images_repeated"] == 2


def test_pool_days_from_noon_are_labelled_by_their_start(space):
    code, out, _ = space("pool", "--start", "2026-06-03T12:00", "--days", "1.5", "--json")
    days = json.loads(out)["satellites"][0]["days"]
    assert code == 0 and [d["date"] for d in days] == ["2026-06-03 12:00", "2026-06-04 12:00"]


def test_latency_says_what_the_imaging_limits_turned_away(space, tmp_path):
    """Left by the twenty-fifth session: latency did not say what the Sun and off-nadir limits
    rejected (imaging did). Oracle: imaging over the same span (the day of requests and the three
    follow days) with no Sun limit finds N passes over a site in polar night; latency, Sun-limited,
    has no image there and says N were rejected by the Sun limit."""
    sites = tmp_path / "dark.csv"
    sites.write_text("name,lat,lon\nVostok,-78.46,106.84\n", encoding="utf-8")
    code, out, _ = space(
        "imaging",
        "--start",
        "2026-06-01",
        "--days",
        "4",
        "--sites",
        sites,
        "--min-sun-elevation",
        "-90",
        "--json",
    )
    n = len(json.loads(out)["opportunities"])
    assert code == 0 and n > 10
    args = ("latency", "--start", "2026-06-01", "--days", "1", "--sites", sites)
    code, out, _ = space(*args, "--json")
    data = json.loads(out)
    assert (
        code == 0
        and data["images"] == []
        and data["rejected"] == {"off_nadir": data["rejected"]["off_nadir"], "sun": n}
    )
    assert data["imaging_limits"].startswith("off-nadir ≤ 30°") and data["rejected_span_days"] == 4
    code, out, _ = space(*args)
    said = " ".join(out.split())
    assert code == 0 and f"over the 1 day and its 3 days after: {n} passes within the off-nadir limit" in said
    assert "rejected by the Sun limit" in said


def _shipped_sets(*names: str) -> str:
    """The shipped element sets of these satellites, as a TLE file's text."""
    from kopru.space.tle import DATA

    lines = (DATA / "tle-kz-tr.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.strip() in names:
            out += lines[i : i + 3]
    assert len(out) == 3 * len(names)
    return "\n".join(out) + "\n"


def test_the_element_sets_age_counts_only_the_satellites_the_run_uses(space, tmp_path):
    """A satellite operator's review: --max-elements-age refused a run of KazEOSat-1 (its set 5-6
    days from the window) for İMECE's, which the run did not use; and pool and imaging were refused
    for the geostationary KazSat-2 and the inactive RASAT they leave out. Oracle: the shipped epochs,
    30 May 2026 (day 150) for KazEOSat-1, KazSat-2 and RASAT, 26 June (day 177) for İMECE."""
    code, out, err = space(
        "passes", "--start", "2026-05-25", "--satellite", "KazEOSat-1", "--station", "KGS",
        "--max-elements-age", "30", "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["passes"] and "İMECE" not in err
    assert [a["satellite"] for a in data["element_sets"]] == ["KazEOSat-1"]
    code, _, err = space(
        "passes", "--start", "2026-05-25", "--satellite", "IMECE", "--max-elements-age", "30"
    )
    assert code == 2 and "İMECE (epoch 2026-06-26, 33 days)" in err and "KazEOSat" not in err
    # a file of a geostationary, an inactive and an imaging satellite: only İMECE's age is the run's
    mixed = tmp_path / "mixed.tle"
    mixed.write_text(_shipped_sets("KAZSAT-2", "RASAT", "IMECE"), encoding="utf-8")
    for verb in ("pool", "imaging", "latency"):
        code, out, err = space(
            verb, "--start", "2026-07-15", "--tle", mixed, "--max-elements-age", "30", "--json",
            *(("--sites", "SEZ:sez_turan") if verb == "latency" else ()),
        )  # fmt: skip
        assert code == 0, (verb, err)
        data = json.loads(out)
        assert [a["satellite"] for a in data["element_sets"]] == ["İMECE"], verb
        assert "KazSat-2" not in err and not any("KazSat-2" in w for w in data["warnings"]), verb
    code, _, err = space("pool", "--start", "2026-08-15", "--tle", mixed, "--max-elements-age", "30")
    assert code == 2 and "İMECE (epoch 2026-06-26, 50 days)" in err and "KazSat-2" not in err


def test_a_station_left_out_by_its_status_is_said_so_not_unknown(space):
    """A review: '--station Nakhchivan matches no station' for a row the file has, left out by the
    default --station-status operational; the message now names its status and the option."""
    code, _, err = space("passes", "--start", "2026-06-01", "--days", "0.2", "--station", "Nakhchivan")
    assert code == 2 and "matches no station" not in err
    assert "(status backup), left out by --station-status operational" in err
    assert err.rstrip().endswith("to include it: --station-status operational,backup")
    code, out, err = space(
        "passes", "--start", "2026-06-01", "--days", "0.2", "--station", "Nakhchivan",
        "--station-status", "Operational,Backup", "--json", "--assume-leo-antennas",
    )  # fmt: skip
    assert code == 0, err
    assert {p["station"] for p in json.loads(out)["passes"]} == {
        "Azercosmos backup ground control station, Nakhchivan AR (Julfa district)"
    }


def test_the_latency_csv_carries_each_satellites_element_set(space, tmp_path):
    """A review: latency.csv, the file that is forwarded, had no element-set columns, which the README
    promises in every CSV (passes.csv and imaging.csv had them). Oracle: İMECE's epoch, 26 June 2026
    23:36:45 UTC, 54.02 days before 20 August."""
    code, _, err = space(
        "latency", "--start", "2026-08-20", "--sites", "SEZ:sez_turan", "--out", tmp_path / "l"
    )
    assert code == 0, err
    with (tmp_path / "l" / "latency.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    imece = [r for r in rows if r["satellite"] == "İMECE"]
    assert imece and all(r["elements_epoch"] == "2026-06-26T23:36:45Z" for r in imece)
    assert all(r["elements_age_at_start_days"] == "54.02" for r in imece)
    assert all("58 days from the window" in r["elements_warning"] for r in imece)


def test_an_empty_file_option_is_said_empty_not_a_folder(space):
    """A CLI review: --sites '' was 'sites file . is a folder' (Path('') is the current folder)."""
    code, _, err = space("imaging", "--start", "2026-06-01", "--days", "0.25", "--sites", "")
    assert code == 2 and err.strip() == "error: sites file: the path is empty; give a file"
