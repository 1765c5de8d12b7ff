"""Scenario store. Oracles: run counts after concurrent writers (nothing lost), a process
SIGKILLed inside its transaction (earlier runs intact, store readable), byte-for-byte unchanged
corrupt and foreign files, exports read back with DuckDB."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from kopru import store

ROOT = Path(__file__).resolve().parents[2]
APPAREL = ROOT / "examples" / "apparel.yaml"

WRITER = """
import sys
from kopru.store import open_store
path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = open_store(path)
for i in range(n):
    s.record("risk", params={"writer": tag, "i": i}, results={"sites": [{"id": "KZ-75", "mean": float(i)}]})
"""


def _record(path: Path, i: int) -> str:
    return store.open_store(path).record(
        "risk", params={"i": i}, results={"sites": [{"id": "sez_turan", "mean": 100.0 + i, "p_best": 0.5}]}
    )


def test_record_show_compare_export(tmp_path):
    path = tmp_path / "runs.duckdb"
    a = store.open_store(path).record(
        "risk",
        profile=APPAREL,
        overrides={"KZT.fx_per_usd": 560},
        disruptions=["mode:ferry"],
        params={"samples": 10, "seed": 7},
        results={"sites": [{"id": "sez_turan", "mean": 100.0, "p95": 120.0}]},
    )
    b = _record(path, 5)
    s = store.open_store(path)
    runs = s.list()
    assert {r["id"] for r in runs} == {a, b}
    shown = s.show(a[:8])
    assert shown["overrides"] == {"KZT.fx_per_usd": 560}
    assert shown["disruptions"] == ["mode:ferry"]
    assert shown["inputs"]["profile"]["company"].startswith("Example")
    assert shown["inputs_hash"] == store.inputs_hash(shown["inputs"])
    assert shown["data_pack_version"] == shown["inputs"]["data_pack_version"]
    assert {(r["metric"], r["value"]) for r in shown["results"]} == {("mean", 100.0), ("p95", 120.0)}
    rows = {(r["item"], r["metric"]): r for r in s.compare(a, b)}
    assert rows[("sez_turan", "mean")]["diff"] == 5.0
    assert rows[("sez_turan", "p95")]["b"] is None
    for fmt in ("parquet", "csv"):
        files = s.export(tmp_path / fmt, fmt)
        reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
        n = duckdb.sql(f"SELECT count(*) FROM {reader}('{files['runs']}')").fetchall()[0][0]
        assert n == 2
    one = s.export(tmp_path / "one", "csv", run_id=a)
    assert duckdb.sql(f"SELECT count(*) FROM read_csv_auto('{one['results']}')").fetchall()[0][0] == 2


def test_same_inputs_same_hash(tmp_path):
    path = tmp_path / "runs.duckdb"
    s = store.open_store(path)
    ids = [s.record("risk", profile=APPAREL, params={"samples": 5}) for _ in range(2)]
    hashes = {s.show(i)["inputs_hash"] for i in ids}
    assert len(hashes) == 1
    other = s.record("risk", profile=APPAREL, params={"samples": 6})
    assert s.show(other)["inputs_hash"] not in hashes


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "runs.duckdb"
    writers, each = 4, 6
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{k}", str(each)])
        for k in range(writers)
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    runs = store.open_store(path).list()
    assert len(runs) == writers * each
    con = duckdb.connect(str(path), read_only=True)
    try:
        pairs = con.execute("SELECT params FROM runs").fetchall()
        seen = {(json.loads(p[0])["writer"], json.loads(p[0])["i"]) for p in pairs}
        assert seen == {(f"w{k}", i) for k in range(writers) for i in range(each)}
        assert con.execute("SELECT count(*) FROM results").fetchall()[0][0] == writers * each
    finally:
        con.close()


def test_sigkill_in_a_transaction_keeps_earlier_runs(tmp_path):
    path = tmp_path / "runs.duckdb"
    earlier = [_record(path, i) for i in range(3)]
    marker = tmp_path / "in-transaction"
    env = {**os.environ, "KOPRU_STORE_PAUSE": str(marker)}
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "doomed", "1"], env=env, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert time.monotonic() < deadline and child.poll() is None, "writer never reached its transaction"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    s = store.open_store(path)
    assert [r["id"] for r in sorted(s.list(), key=lambda r: r["id"])] == sorted(earlier)
    later = _record(path, 9)  # and the store is still writable
    assert len(s.list()) == 4 and later in {r["id"] for r in s.list()}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is my thesis, not a database\n" * 10, "not a DuckDB file"),
        (b"", "empty file"),
        (b"\x00" * 8 + b"DUCK" + b"\xff" * 4000, "cannot be opened"),
    ],
)
def test_corrupt_files_are_refused_and_untouched(tmp_path, content, message):
    path = tmp_path / "thesis.duckdb"
    path.write_bytes(content)
    with pytest.raises(store.StoreError, match=message):
        _record(path, 1)
    assert path.read_bytes() == content


def test_a_damaged_store_is_not_called_locked_and_leaves_no_lock_file(tmp_path):
    """A corrupt file whose bytes spell 'block' was once reported as held by another program."""
    path = tmp_path / "runs.duckdb"
    content = b"\x00" * 8 + b"DUCK" + b"block " * 1000
    path.write_bytes(content)
    with pytest.raises(store.StoreError) as exc:
        _record(path, 1)
    assert "another program" not in str(exc.value) and "\n" not in str(exc.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.duckdb"] and path.read_bytes() == content


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/proc/self/status", "not a kopru store"),
        ("/dev/null", "is not a regular file"),
        ("/proc/kopru-runs.duckdb", "cannot write beside it"),
    ],
)
def test_special_and_unwritable_targets_are_refused(target, message):
    """/proc is read-only even for root, so it stands in for a read-only folder on any machine."""
    with pytest.raises(store.StoreError, match=message):
        _record(Path(target), 1)
    with pytest.raises(store.StoreError):
        store.open_store(target).list()


def test_cli_store_errors_are_one_line(tmp_path, cli):
    for target in ("/proc/self/status", "/dev/null", "/proc/kopru-runs.duckdb"):
        for args in (("runs", "list"), ("plan", APPAREL, "--json")):
            r = cli(*args, "--store", target)
            assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err, r.err


def test_foreign_duckdb_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales AS SELECT 1 AS x")
    con.close()
    before = path.read_bytes()
    with pytest.raises(store.StoreError, match="not a kopru store"):
        _record(path, 1)
    with pytest.raises(store.StoreError, match="not a kopru store"):
        store.open_store(path).list()
    assert path.read_bytes() == before


def test_a_store_missing_a_table_is_refused_and_untouched(tmp_path, cli):
    """A CLI review: a store whose results table was dropped by hand gave a CatalogException."""
    from conftest import EXAMPLES

    path = tmp_path / "runs.duckdb"
    run = _record(path, 1)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE results")
    con.close()
    before = path.read_bytes()
    with pytest.raises(store.StoreError, match="damaged: its table results is missing"):
        store.open_store(path).show(run)
    for args in (("plan", EXAMPLES / "apparel.yaml"), ("runs", "show", run)):
        r = cli(*args, "--store", path)
        assert r.code == 2 and "damaged" in r.err and "Traceback" not in r.err + r.out, r.err
    assert path.read_bytes() == before


def test_missing_store_and_unknown_run(tmp_path):
    with pytest.raises(store.StoreError, match="does not exist"):
        store.open_store(tmp_path / "none.duckdb").list()
    path = tmp_path / "runs.duckdb"
    _record(path, 1)
    with pytest.raises(store.StoreError, match="no run"):
        store.open_store(path).show("ffff0000")
    with pytest.raises(store.StoreError, match="is not a run id"):
        store.open_store(path).show("zzzz")


def test_cli_records_and_lists_runs(tmp_path, cli):
    path = tmp_path / "runs.duckdb"
    r = cli("risk", APPAREL, "--samples", "300", "--seed", "3", "--json", "--store", path)
    assert r.code == 0, r.err
    r = cli("risk", APPAREL, "--samples", "300", "--seed", "4", "--json", "--store", path)
    listed = json.loads(cli("runs", "list", "--store", path, "--json").out)["runs"]
    assert len(listed) == 2 and {x["kind"] for x in listed} == {"risk"}
    a, b = (x["id"] for x in listed)
    shown = json.loads(cli("runs", "show", a[:10], "--store", path, "--json").out)
    assert shown["params"]["samples"] == 300 and shown["results"]
    cmp = json.loads(cli("runs", "compare", a, b, "--store", path, "--json").out)
    assert any(row["metric"] == "p_best" for row in cmp["rows"])
    r = cli("runs", "export", tmp_path / "out", "--format", "csv", "--store", path, "--json")
    assert r.code == 0 and Path(json.loads(r.out)["results"]).exists()
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n" * 10, encoding="utf-8")
    r = cli("runs", "list", "--store", bad)
    assert r.code == 2 and "not a kopru store" in r.err and len(r.err.strip().splitlines()) == 1
    assert bad.read_text(encoding="utf-8") == "hello\n" * 10


def test_a_missing_folder_is_created_and_said(tmp_path, cli):
    path = tmp_path / "new" / "deeper" / "runs.duckdb"
    r = cli("runs", "list", "--store", path)
    assert r.code == 2 and "does not exist yet" in r.err and not (tmp_path / "new").exists()
    r = cli("plan", APPAREL, "--json", "--store", path)
    assert r.code == 0 and f"note: created the folder {tmp_path / 'new'}" in " ".join(r.err.split())
    assert len(store.open_store(path).list()) == 1
    r = cli("plan", APPAREL, "--json", "--store", path)
    assert "note:" not in r.err


def test_runs_show_and_compare_are_short_summaries_with_names(tmp_path, cli):
    """Issue 18: runs show printed 386 rows sorted by id; compare did not say the profiles differ."""
    import re

    path = tmp_path / "runs.duckdb"
    examples = APPAREL.parent
    for args in (
        ("plan", APPAREL),
        ("plan", APPAREL, "--close", "mode:ferry"),
        ("plan", examples / "appliances.yaml"),
        ("risk", APPAREL, "--samples", "300"),
    ):
        assert cli(*args, "--json", "--store", path).code == 0
    risk, appliances, ferry, apparel = (r["id"] for r in store.open_store(path).list())
    r = cli("runs", "show", apparel[:10], "--store", path)
    assert r.code == 0 and "Top 5 of 38 (rank by annual cost)" in r.out and "--all" in r.out
    assert "SEZ Turan (formerly Turkistan)" in r.out
    assert not re.search(r"\b(sez_[a-z]+|mkt_[A-Z]{2}|plant_TR-\d\d)\b", r.out)
    assert len(r.out.splitlines()) < 20
    full = cli("runs", "show", apparel[:10], "--all", "--store", path)
    assert len(full.out.splitlines()) > 300 and not re.search(r"\b(sez_[a-z]+|plant_TR-\d\d)\b", full.out)
    r = cli("runs", "show", risk[:10], "--store", path)
    assert "(mean annual cost, USD a year)" in r.out and "P(best)" in r.out
    r = cli("runs", "compare", apparel, appliances, "--store", path)
    assert "different profiles" in " ".join(r.out.split())
    r = cli("runs", "compare", apparel, ferry, "--store", path)
    assert "Closed: a nothing, b mode:ferry." in " ".join(r.out.split())
    assert "The figures that moved most" in r.out


def test_only_runs_about_the_same_things_compare(tmp_path):
    import kopru

    s = store.open_store(tmp_path / "runs.duckdb")
    plan = kopru.plan(APPAREL)
    a = s.record_plan(plan)
    b = s.record_plan(plan)
    m = s.record("match", params={}, results=[])
    assert s.compare(a, b)  # two plans: site by site
    with pytest.raises(store.RunsNotComparable, match=r"a plan run and run .* a match run"):
        s.compare(a, m)


def test_runs_show_reads_a_match_run_by_names(tmp_path, cli):
    """CLI QA: 'runs show' of a match run had a blank header and listed ids, metric by metric, with
    names in quotes. Oracle: the match's own JSON, names and zones as it gives them."""
    import json

    from conftest import EXAMPLES

    path = tmp_path / "runs.duckdb"
    pipeline = EXAMPLES / "match" / "pipeline.csv"
    r = cli("match", pipeline, "--store", path, "--json")
    assert r.code == 0, r.err
    result = json.loads(r.out)
    run = store.open_store(path).list()[0]["id"]
    shown = cli("runs", "show", run[:12], "--store", path)
    assert shown.code == 0 and "the example pipeline" not in shown.out.splitlines()[0]  # a file, by its name
    text = " ".join(shown.out.split())
    placed = result["assignments"]
    assert f"{len(placed)} of {len(result['enterprises'])} enterprises placed" in text
    top = max(placed, key=lambda a: a["jobs"])
    assert top["name"].split(" (")[0] in text and top["zone_name"].split(" (")[0] in text
    assert '"' not in shown.out  # names as names, not their JSON


def test_avoided_countries_are_recorded_as_codes_once():
    """Review: --avoid ru and --avoid RU recorded different inputs (and hashes) for risk and rank."""
    from kopru.store.records import _avoided

    assert _avoided(["ru", "RU", " ir"]) == {"avoid": ["IR", "RU"]}
    assert _avoided(()) == {}  # a run without avoid keeps the hash it always had


def test_every_recording_command_says_which_run_it_recorded(tmp_path, cli):
    """CLI QA: plan said 'recorded as run ...'; match, risk and rank recorded silently."""
    from conftest import EXAMPLES

    path = tmp_path / "runs.duckdb"
    for args in (
        ("match", EXAMPLES / "match" / "pipeline.csv"),
        ("risk", EXAMPLES / "apparel.yaml", "--samples", "200"),
        ("rank", EXAMPLES / "apparel.yaml", "--samples", "200"),
    ):
        r = cli(*args, "--store", path)
        assert r.code == 0 and "recorded as run" in r.out, (args[0], r.err)
    ids = {run["id"] for run in store.open_store(path).list()}
    assert len(ids) == 3


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    """One store holding a plan, the same plan avoiding Russia, a risk, a rank and a sweep run."""
    import kopru

    path = tmp_path_factory.mktemp("kinds") / "runs.duckdb"
    s = store.open_store(path)
    plan = kopru.plan(APPAREL)
    ids = {"plan": s.record_plan(plan), "avoid": s.record_plan(kopru.plan(APPAREL, avoid=["RU"]))}
    ids["risk"] = s.record_risk(kopru.risk(APPAREL, samples=200))
    ids["rank"] = s.record_rank(kopru.rank(APPAREL, samples=200))
    what_if = ROOT / "examples" / "scenarios" / "apparel_what_if.yaml"
    ids["sweep"] = s.record_sweep(kopru.sweep(what_if))
    return path, ids, plan


def _table_rows(text: str) -> list[list[str]]:
    """A rich table's body rows, split on runs of two spaces or more."""
    import re

    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if re.search(r"\d", line)]


def test_runs_compare_shows_the_percent_change_it_sorts_by(kinds, cli):
    """Review 5a: sorted by relative change, shown only as absolute. Oracle: each row's own a and
    b (b - a) / a, and the order of the column; the stored rows give a and b."""
    path, ids, _ = kinds
    r = cli("runs", "compare", ids["plan"], ids["avoid"], "--store", path)
    assert r.code == 0, r.err
    rows = [row for row in _table_rows(r.out) if row[-1].endswith("%")]
    assert len(rows) == 10
    changes = []
    for row in rows:
        a, b, diff, change = (float(x.rstrip("%").replace(",", "")) for x in row[-4:])
        assert b - a == pytest.approx(diff, abs=1.0)
        assert change == pytest.approx(100 * diff / abs(a), abs=0.06)
        changes.append(abs(change))
    assert changes == sorted(changes, reverse=True)
    assert "logistics, USD a year" in r.out and "component_logistics" not in r.out


def test_runs_of_different_kinds_that_share_no_figure_say_so(kinds, cli):
    """Review 5b, 5c: a plan and a risk run were 'No figure differs'; a plan's cost rank was
    compared with a TOPSIS rank. Oracle: the stored rows, which share no metric with a value in both
    but rank."""
    path, ids, _ = kinds
    s = store.open_store(path)
    for other in ("risk", "rank"):
        both = {r["metric"] for r in s.compare(ids["plan"], ids[other]) if None not in (r["a"], r["b"])}
        assert both <= {"rank"}
        r = cli("runs", "compare", ids["plan"], ids[other], "--store", path)
        text = " ".join(r.out.split())
        assert r.code == 0 and f"These runs share no figure: a plan run and a {other} run" in text
        assert "No figure differs" not in text and "only the metrics they share" not in text


def test_runs_show_says_metrics_as_labels_and_texts_as_words(kinds, cli):
    """Review 6. Oracle: the plan the run recorded (its names and figures) and the stored rows."""
    import re

    path, ids, plan = kinds
    full = cli("runs", "show", ids["plan"][:10], "--all", "--store", path)
    denizli = plan.site("plant_TR-20")
    lines = [" ".join(line.split()) for line in full.out.splitlines()]
    logistics = round(denizli.landed_cost.components["logistics"])
    assert f"{denizli.name} logistics, USD a year {logistics:,}" in lines
    assert f"{denizli.name} rank by annual cost {denizli.rank}" in lines
    assert "optimize no" in full.out and "False" not in full.out
    sweep = cli("runs", "show", ids["sweep"][:10], "--all", "--store", path)
    assert sweep.code == 0 and "{" not in sweep.out and '"' not in sweep.out
    assert not re.search(r"\b(sez_[a-z]+|plant_TR-\d\d|best_total|saving_pct)\b", sweep.out)
    assert "closed: water:caspian" in " ".join(sweep.out.split())  # the scenario file's own closure
    top = cli("runs", "show", ids["sweep"][:10], "--store", path)
    assert "best site's annual cost, USD a year" in " ".join(top.out.split())
    rank = cli("runs", "show", ids["rank"][:10], "--store", path)
    assert "rank by TOPSIS score" in rank.out and "weights (cost 0.4" in " ".join(rank.out.split())


def test_runs_list_says_what_differs_between_runs_of_one_profile(kinds, cli):
    """Review 6: two plan runs, one avoiding Russia, differed only by a hash. Oracle: the runs'
    recorded parameters (avoid: RU in one, none in the other)."""
    path, ids, _ = kinds
    r = cli("runs", "list", "--store", path)
    by_id = {line.split()[0]: line.split() for line in r.out.splitlines() if line.split()}
    assert r.code == 0 and "what differs" in r.out
    assert by_id[ids["avoid"][:12]][-4:-2] == ["avoid", "RU"]
    assert by_id[ids["plan"][:12]][-3] == "—"
    assert "avoid" not in by_id[ids["risk"][:12]]  # the only risk run: nothing to tell apart


def test_a_malformed_run_id_cites_a_real_one_or_none(tmp_path, kinds):
    """Review 9: 'such as c90b203e', an id no store holds."""
    path = kinds[0]
    newest = store.open_store(path).list()[0]["id"]
    with pytest.raises(store.StoreError, match=f"such as {newest[:8]} "):
        store.open_store(path).show("zzz")
    empty = tmp_path / "empty.duckdb"
    rid = _record(empty, 0)  # a store with no run left in it
    with duckdb.connect(str(empty)) as con:
        con.execute("DELETE FROM runs WHERE id = ?", [rid])
    with pytest.raises(store.StoreError, match=r"expected the first characters of one \(see") as exc:
        store.open_store(empty).show("zzz")
    assert "such as" not in str(exc.value)


def test_runs_are_deleted_with_their_results_and_nothing_else(tmp_path, cli):
    """A web review: runs could not be deleted, a confidential profile's nor a useless one's. Oracle:
    the store's own tables read with duckdb before and after; an unknown id among the ones given
    deletes nothing (all or none); the command line asks, and a script must say --yes."""
    path = tmp_path / "runs.duckdb"
    keep, a, b = (_record(path, k) for k in (1, 2, 3))
    s = store.open_store(path)

    def counts() -> tuple[int, int]:
        with duckdb.connect(str(path), read_only=True) as con:
            runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
            return runs, con.execute("SELECT count(*) FROM results").fetchone()[0]

    before = counts()
    with pytest.raises(store.RunNotFound):
        s.delete([a, "ffffffff"])
    assert counts() == before
    gone = s.delete([a[:10], b])
    assert sorted(g["id"] for g in gone) == sorted([a, b])
    assert [r["id"] for r in s.list()] == [keep]
    assert counts() == (1, before[1] - 2 * (before[1] // 3))
    assert s.show(keep)["results"]
    # the command line: a script is asked for --yes, then deletes and says what
    r = cli("runs", "delete", keep[:8], "--store", path)
    assert r.code == 2 and "add --yes to delete without asking" in r.err and counts()[0] == 1
    r = cli("runs", "delete", keep[:8], "--store", path, "--yes", "--json")
    assert r.code == 0 and [g["id"] for g in json.loads(r.out)["deleted"]] == [keep]
    assert counts() == (0, 0)
    missing = tmp_path / "none.duckdb"
    r = cli("runs", "delete", "abcdef12", "--store", missing, "--yes")
    assert r.code == 2 and "does not exist" in r.err and not missing.exists()
