"""The command line: every bad input gets exit code 2 and one short line naming the problem."""

import json
import re

import pytest
from conftest import EXAMPLES

GOOD = EXAMPLES / "apparel.yaml"


def test_plan_writes_json_and_report(cli, tmp_path):
    r = cli("plan", GOOD, "--out", tmp_path)
    assert r.code == 0, r.err
    assert "Recommendation:" in r.out
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["recommendation"]["site"] == plan["ranking"][0]
    html = (tmp_path / "report.html").read_text()
    assert "cost-chart" in html and "site-map" in html


def test_plan_json_to_stdout(cli):
    r = cli("plan", GOOD, "--json")
    assert r.code == 0
    assert json.loads(r.out)["currency"] == "USD"


def test_demo_runs_end_to_end(cli, tmp_path):
    r = cli("demo", "--out", tmp_path / "demo")
    assert r.code == 0, r.err
    assert (tmp_path / "demo" / "report.html").exists()


def profile_text(**change) -> str:
    import yaml

    data = yaml.safe_load(GOOD.read_text())
    data.update(change)
    return yaml.safe_dump(data, allow_unicode=True)


BAD_PROFILES = {
    "missing field": (lambda d: d.pop("hs"), "hs: missing required field"),
    "wrong unit": (lambda d: d.update(unit_weight="2 kWh"), "unit_weight: expected a mass"),
    "negative volume": (
        lambda d: d.update(annual_volume=-5),
        "annual_volume: expected more than 0, got -5",
    ),
    "unknown market": (
        lambda d: d.update(markets=[{"id": "mkt_MARS", "demand": 5}]),
        "unknown market 'mkt_MARS'",
    ),
    "unknown site": (
        lambda d: d.update(baseline=[{"province": "TR-99"}]),
        "baseline[0].province: 'TR-99' is not a province of the data pack",
    ),
    "unknown origin": (
        lambda d: d["materials"][0].update(origin="atlantis"),
        "materials[0].origin: 'atlantis'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PROFILES))
def test_bad_profiles_exit_2_with_one_line(cli, tmp_path, case):
    import yaml

    edit, message = BAD_PROFILES[case]
    data = yaml.safe_load(GOOD.read_text())
    edit(data)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    r = cli("plan", path)
    assert r.code == 2
    assert message in " ".join(r.err.split())
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) <= 3
    # review 9: every profile error starts with the file, those found after reading it too
    assert " ".join(r.err.split()).startswith(f"error: {path}: "), r.err


def test_a_profile_missing_several_fields_names_them_all(cli, tmp_path):
    """Review 9: '... labour_hours: missing required field (and 1 more)'. Oracle: the fields the
    profile model requires, by hand."""
    path = tmp_path / "minimal.yaml"
    path.write_text("company: X\nproduct: Y\n", encoding="utf-8")
    r = cli("plan", path, "--no-store")
    assert r.code == 2 and "more)" not in r.err
    said = " ".join(r.err.split())
    assert said == (
        f"error: {path}: missing required fields hs, unit_weight, unit_volume, price, labour_hours, markets"
    )


def test_an_empty_list_is_said_in_plain_words(cli, tmp_path):
    """Review 9: 'needs at least 1 item(s), got 0'."""
    path = tmp_path / "p.yaml"
    path.write_text(profile_text(markets=[]), encoding="utf-8")
    r = cli("plan", path, "--no-store")
    assert r.code == 2 and f"{path}: markets: expected at least one item, got none" in " ".join(r.err.split())


def test_an_unknown_override_quantity_points_to_a_command(cli, tmp_path):
    """Review 9: '(see quantities.yaml)', a file inside the installed package. Oracle: the command
    it names lists the quantity it suggests."""
    bad = tmp_path / "o.yaml"
    bad.write_text("KZ-23.labour_hours_facter: 1.2\n")
    r = cli("plan", GOOD, "--overrides", bad, "--no-store")
    said = " ".join(r.err.split())
    assert r.code == 2 and "quantities.yaml" not in said
    assert "(did you mean 'labour_hours_factor'?); see 'kopru data show parameters'" in said
    shown = cli("data", "show", "parameters", "--json")
    assert "labour_hours_factor" in {row["quantity"] for row in json.loads(shown.out)}


def test_a_misspelt_site_in_compare_offers_close_names(cli):
    """Review 9: 'Trun' got 'kopru plan lists the candidates', which lists 14 of 38 sites."""
    r = cli("compare", GOOD, "Turan", "Trun")
    assert r.code == 2
    assert "no site is called 'Trun'; did you mean SEZ Turan (formerly Turkistan)?" in " ".join(r.err.split())
    r = cli("compare", GOOD, "Turan", "Atlantis")
    assert r.code == 2 and "did you mean" not in r.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"company: [oops\n", "malformed YAML"),
        (b"", "is empty"),
        (b"\x00\x01\x02\x03binary", "is binary"),
    ],
)
def test_unreadable_profiles(cli, tmp_path, content, message):
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    r = cli("plan", path)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err


def test_missing_and_oversized_profiles(cli, tmp_path):
    r = cli("plan", tmp_path / "missing.yaml")
    assert r.code == 2 and "does not exist" in r.err
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.write(b"company: x\n" * (50 * 1024 * 1024 // 11))
    r = cli("plan", big)
    assert r.code == 2 and "MB" in r.err and "Traceback" not in r.err


def test_bad_overrides_and_closures(cli, tmp_path):
    bad = tmp_path / "o.yaml"
    bad.write_text("KZ-23.wage: 1\n")
    r = cli("plan", GOOD, "--overrides", bad)
    assert r.code == 2 and "unknown quantity 'wage'" in r.err
    r = cli("plan", GOOD, "--close", "atlantis")
    assert r.code == 2 and "cannot close 'atlantis'" in r.err


def test_out_is_a_file(cli, tmp_path):
    target = tmp_path / "file"
    target.write_text("keep me")
    r = cli("plan", GOOD, "--out", target)
    assert r.code == 2 and "is a file" in r.err
    assert target.read_text() == "keep me"


def test_usage_error_is_exit_2(cli):
    r = cli("plan")
    assert r.code == 2


def test_overrides_are_marked_in_every_output(cli, tmp_path):
    o = tmp_path / "o.yaml"
    o.write_text("KZT.fx_per_usd: {value: 600, note: stress test}\n")
    r = cli("plan", GOOD, "--overrides", o, "--out", tmp_path / "out")
    assert r.code == 0 and "overridden: KZT.fx_per_usd" in r.out
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert plan["overrides"][0]["key"] == "KZT.fx_per_usd"
    assert "overridden" in (tmp_path / "out" / "report.html").read_text()


def test_route_command(cli):
    r = cli("route", "baku", "kars", "--json")
    assert r.code == 0
    route = json.loads(r.out)
    assert [leg["to"] for leg in route["legs"]] == ["baku_alat", "tbilisi", "kars"]
    r = cli("route", "baku", "atlantis")
    assert r.code == 2 and "'atlantis' is not a node" in r.err


def test_data_commands(cli):
    r = cli("data", "validate")
    assert r.code == 0 and "is valid" in r.out
    r = cli("data", "list", "--json")
    assert json.loads(r.out)["tables"]["regions"] == 20
    r = cli("data", "show", "KZ-23", "--json")
    rows = json.loads(r.out)
    assert {row["quantity"] for row in rows} >= {"wage_monthly_avg"}
    assert all(row["source"] for row in rows)
    r = cli("data", "sources", "--json")
    assert len(json.loads(r.out)) > 50
    r = cli("data", "show", "nothing-here")
    assert r.code == 2 and "neither a table" in r.err
    # a part of one name, as compare reads it; of several, they are listed (a CLI review: refused)
    assert json.loads(cli("data", "show", "Bursa", "--json").out) == json.loads(
        cli("data", "show", "TR-16", "--json").out
    )
    assert cli("data", "show", "Turan", "--json").out == cli("data", "show", "sez_turan", "--json").out
    r = cli("data", "show", "Atyrau")
    assert (
        r.code == 2
        and "'Atyrau' is a part of 2 names (Atyrau Region (KZ-23); SEZ Atyrau (sez_atyrau))" in r.err
    )


ID = re.compile(r"\b(sez_[a-z_]+|mkt_[A-Z]{2}|plant_TR-\d\d|iz_[a-z_]+)\b")


@pytest.mark.parametrize(
    "args",
    [
        ("plan", GOOD, "--no-store"),
        ("risk", GOOD, "--samples", "300", "--no-store"),
        ("rank", GOOD, "--samples", "300", "--no-store"),
        ("sweep", EXAMPLES / "scenarios" / "apparel_what_if.yaml", "--no-store"),
        ("optimize", EXAMPLES / "food_processing.yaml", "--no-store"),
    ],
    ids=["plan", "risk", "rank", "sweep", "optimize"],
)
def test_tables_name_sites_in_full_and_show_no_ids(cli, monkeypatch, args):
    """Issue 18: ids filled the risk and rank tables, and names were cut at ~16 characters."""
    import kopru.cli.common as common

    monkeypatch.setattr(common.out, "_width", 200)  # a 200-column terminal (every command prints to it)
    r = cli(*args)
    assert r.code == 0, r.err
    assert not ID.search(r.out), ID.search(r.out)
    assert "SEZ Turan (formerly Turkistan)" in r.out  # whole, on one line


def test_the_risk_progress_bar_starts_no_thread():
    # a risk run forks its workers only in a single-threaded process (else it spawns them, ~0.8 s
    # more), so the command line's sampling bar is redrawn by its counts, not by a refresh thread
    import threading

    from kopru.cli.common import count_bar, shown

    bar, count = count_bar(True, "sampling")
    before = threading.active_count()
    with shown(bar):
        count(10, 100)
        assert threading.active_count() == before
    assert bar.tasks[0].completed == 10


@pytest.mark.parametrize("address", ["garbage", "http://localhost:8786"])
def test_a_malformed_scheduler_address_is_one_line(cli, address):
    """It was a 73-line traceback (ValueError from Dask's address parser): CLI review."""
    r = cli("risk", EXAMPLES / "apparel.yaml", "--no-store", "--samples", "10", "--scheduler", address)
    assert r.code == 2 and "Traceback" not in r.err + r.out
    assert "is not a Dask scheduler address" in r.err and "tcp://host:port" in r.err


def test_serve_refuses_a_store_that_is_not_one_before_serving(cli, tmp_path):
    """`kopru serve --store notes.txt` (or a folder) started the app; plan and runs refused the path."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    for target, words in ((notes, "not a kopru store"), (tmp_path, "is a folder")):
        r = cli("serve", "--store", target, "--port", "1")
        assert r.code == 2 and words in r.err and "Traceback" not in r.err, r.err
    assert notes.read_text(encoding="utf-8") == "my notes\n"


def test_serve_refuses_a_host_it_cannot_listen_on_and_a_taken_port_before_announcing(cli, tmp_path):
    """A CLI review: --host 999.1.1.1 and a port in use said 'kopru web app on ...', then uvicorn's
    own error, exit 3. Oracle: a socket of the test's own holding the port."""
    import socket

    store = tmp_path / "runs.duckdb"
    for host, words in (
        ("999.1.1.1", "is not an address or a name this machine resolves"),
        ("", "--host is empty"),
    ):
        r = cli("serve", "--host", host, "--port", "18767", "--store", store)
        assert r.code == 2 and words in r.err and "web app on" not in r.err, r.err
        assert len(r.err.strip().splitlines()) == 1
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = cli("serve", "--port", str(port), "--store", store)
    assert (
        r.code == 2 and f"--port {port}: cannot listen on 127.0.0.1:{port} (Address already in use)" in r.err
    )


def test_names_are_read_in_any_case_and_with_or_without_accents(cli):
    """`kopru route İstanbul almaty` failed: Python lowercases 'İ' to 'i' and a combining dot (CLI review)."""
    from kopru.display import code_of, fold

    assert fold("İstanbul") == fold("ISTANBUL") == "istanbul" and fold("Öskemen") == "oskemen"
    assert fold("Kırıkkale") == fold("KIRIKKALE") == "kirikkale"  # the dotless ı has no decomposition
    assert code_of("İzmir", {"izmir": "İzmir"}) == "izmir" and code_of("Izmir", {"TR-35": "İzmir"}) == "TR-35"
    r = cli("route", "İstanbul", "almaty")
    assert r.code == 0 and "Istanbul → Almaty" in r.out, r.err


def test_plan_without_out_says_where_the_other_sites_are(cli):
    """It pointed at plan.json and the report, which only --out writes (CLI review)."""
    r = cli("plan", GOOD, "--no-store")
    assert r.code == 0 and "more sites in --out DIR's plan.json and report, or --json" in r.out


def test_the_verbs_name_their_arguments_and_the_command_line_its_options():
    """kopru.match(..., hurdle_pct=120) said '--hurdle must be ...' and named the field '--hurdle',
    which a Python caller cannot pass; the command line says its own option for the same error."""
    import kopru
    from kopru.cli import in_flags

    with pytest.raises(kopru.OptionError) as caught:
        kopru.match(EXAMPLES / "match" / "pipeline.csv", hurdle_pct=120)
    assert caught.value.field == "hurdle_pct" and str(caught.value).startswith("hurdle_pct must be")
    said = in_flags(caught.value, ["match", "pipeline.csv", "--hurdle", "120"])
    assert said.startswith("--hurdle must be a saving in per cent")
    with pytest.raises(kopru.OptionError) as caught:
        kopru.space.pool("2026-06-01", days=1, time_limit=1e-9, min_elevation=95)
    assert caught.value.field == "min_elevation"
    assert in_flags(caught.value, ["space", "pool"]).startswith("--min-elevation must be in [-10, 89]")
    # an argument's name with an underscore inside a message reads as the option too
    late = kopru.OptionError("no schedule; give a longer time_limit", field="time_limit")
    assert in_flags(late, ["space", "pool"]) == "no schedule; give a longer --time-limit"


def test_data_show_of_a_province_lists_the_values_it_borrows(cli):
    """A CLI review: `kopru data show TR-20` (or Denizli, the apparel example's plant) exited 2 as
    'neither a table nor a subject': its values are all Türkiye's. Oracle: the site's dossier."""
    import json

    from kopru.datapack import load
    from kopru.dossier import dossier

    r = cli("data", "show", "Denizli", "--json")
    assert r.code == 0, r.err
    shown = json.loads(r.out)
    values = dossier(load(), "TR-20").values
    assert shown["site"] == "TR-20" and len(shown["values"]) == len(values) > 0
    assert {v["whose"] for v in shown["values"]} == {"Türkiye"}
    table = cli("data", "show", "TR-20")
    assert table.code == 0 and "Denizli (TR-20): no values of its own; a plan uses these" in table.out
