"""``kopru space``: JSON shapes and exit code 2 on bad files. The app is run as the main CLI runs
it (``KopruError`` → one line on stderr, exit 2) until it is mounted as ``kopru space``."""

import json
import sys

import pytest

from kopru.cli.space import app
from kopru.errors import KopruError

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
}


@pytest.fixture
def space(capsys):
    def run(*args):
        try:
            app(list(map(str, args)), standalone_mode=False)
            code = 0
        except KopruError as exc:
            print(f"error: {exc}", file=sys.stderr)
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
    assert set(data) == {"passes", "stations_left_out"} and data["passes"]
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
    code, out, _ = space(
        "imaging", "--start", "2026-06-01", "--days", "1", "--sites", "SEZ:sez_pit", "--json"
    )
    assert code == 0 and "opportunities" in json.loads(out)


def test_tables_print(space):
    code, out, _ = space("pool", "--start", "2026-06-01", "--days", "0.25")
    assert code == 0 and "pooled schedule: optimal" in " ".join(out.split())


def test_stale_elements_warn_on_stderr_and_run(space):
    code, out, err = space("passes", "--start", "2026-09-01", "--days", "0.1", "--json")
    assert code == 0 and json.loads(out)["passes"]
    assert "warning: KAZSAT-2 (NORAD 37749)" in err


@pytest.mark.parametrize(
    ("option", "content", "message"),
    [
        (
            "--tle",
            "X\n1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2928\n"
            "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537\n",
            "line 2: checksum mismatch",
        ),
        ("--tle", "hello\n", "is not followed by lines 1 and 2"),
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
