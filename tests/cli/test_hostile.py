"""Hostile profiles through every profile command: the contract is exit 2 with one line naming the
field, or exit 0 with strict JSON and a right answer (every site still costed, finite totals).

Oracle: the contract itself, checked on hypothesis-generated profiles in which one numeric field of
the apparel example becomes infinite, NaN, overflowing, zero, negative, huge or tiny, bare or with
its unit, or the company field becomes deeply nested. Bounded: about a minute in all.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

APPAREL = yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))
BASE_FEASIBLE = 38  # every candidate site of the apparel example has a route to every market


def _numeric_paths(node: Any, path: tuple = ()) -> list[tuple]:
    """Every leaf that is a number or a number with its unit ("200 g", "12 %")."""
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _numeric_paths(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _numeric_paths(v, (*path, i))]
    if isinstance(node, bool):
        return []
    if isinstance(node, int | float):
        return [path]
    if isinstance(node, str) and node[:1].isdigit() and " " in node:
        return [path]
    return []


PATHS = _numeric_paths(APPAREL)
NUMBERS = [math.inf, -math.inf, math.nan, 10**400, 0, -1, 1e300, 1e-300, 1e15, -1e-9]
TEXTS = ["1e400", "inf", "nan", "-0", "1e-320", "9" * 400, "1,5", "²", "0x10", "1_000"]


@st.composite
def hostile(draw: st.DrawFn) -> tuple[tuple, Any]:
    path = draw(st.sampled_from(PATHS))
    number = draw(st.sampled_from(NUMBERS) | st.sampled_from(TEXTS))
    old = _get(APPAREL, path)
    if isinstance(old, str) and draw(st.booleans()):  # keep the unit: "inf kg", "1e400 g"
        number = f"{number} {old.split(' ', 1)[1]}"
    return path, number


def _get(node: Any, path: tuple) -> Any:
    for key in path:
        node = node[key]
    return node


def _with(path: tuple, value: Any) -> dict:
    data = json.loads(json.dumps(APPAREL))
    parent = _get(data, path[:-1])
    parent[path[-1]] = value
    return data


def _strict(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


def check_contract(r: Any, command: str) -> None:
    assert "Traceback" not in r.err, r.err
    if r.code == 2:
        lines = [line for line in r.err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), r.err
        return
    assert r.code == 0, (r.code, r.err)
    data = _strict(r.out)
    if command == "plan":
        assert sum(s["feasible"] for s in data["sites"]) == BASE_FEASIBLE
        assert all(math.isfinite(s["landed_cost"]["total"]) for s in data["sites"])
        assert data["recommendation"]["site"] == data["ranking"][0]
    elif command == "risk":
        assert all(math.isfinite(s["mean"]) for s in data["sites"])
    elif command == "rank":
        assert len(data["sites"]) == BASE_FEASIBLE
        assert all(math.isfinite(s["score"]) for s in data["sites"])
    elif command == "optimize":
        network = data["network"]
        assert network["status"] in {"optimal", "feasible"} and network["open"], network.get("message")
        assert math.isfinite(network["objective"])


ARGS = {
    "plan": ["--json", "--no-store"],
    "risk": ["--json", "--no-store", "--samples", "200"],
    "rank": ["--json", "--no-store", "--samples", "200"],
    "optimize": ["--json", "--no-store", "--time-limit", "20"],
}
# plan answers in ~0.1 s, so it gets the most draws; the suite's time is spread over the four
EXAMPLES_PER_COMMAND = {"plan": 120, "risk": 50, "rank": 50, "optimize": 30}
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.mark.parametrize("command", list(ARGS))
def test_hostile_numbers_get_one_line_or_a_right_answer(command, cli, tmp_path):
    codes: list[int] = []

    @settings(
        max_examples=EXAMPLES_PER_COMMAND[command],
        deadline=None,
        database=None,
        suppress_health_check=SUPPRESS,
    )
    @given(case=hostile())
    def run(case: tuple[tuple, Any]) -> None:
        path, value = case
        profile = tmp_path / "p.yaml"
        profile.write_text(yaml.safe_dump(_with(path, value), allow_unicode=True), encoding="utf-8")
        r = cli(command, profile, *ARGS[command])
        check_contract(r, command)
        codes.append(r.code)
        if r.code == 2:
            field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
            assert field.split("[")[0].split(".")[0] in r.err, (field, r.err)

    run()
    assert 2 in codes and (0 in codes or command != "plan")  # both doors are exercised


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("unit_weight",), ".inf", "unit_weight: expected a mass such as 12 kg as a finite number"),
        (("unit_weight",), "1e400 g", "unit_weight: expected a mass"),
        (("labour_hours",), ".inf", "labour_hours: expected a time"),
        (("land",), ".inf", "land: expected an area"),
        (("price",), "9" * 400, "price: expected a number up to 1e+13, got one of 400 digits"),
        (("price",), "1.0e+300", "price: expected at most 1e+13"),
        (("capex",), ".nan", "capex: expected a finite number, got nan"),
        (("markets", 0, "demand"), "-.inf", "markets[0].demand: expected a finite number"),
        # a web review: a decimal comma was read as 68 by the form; kopru says what to write
        (("price",), '"6,8"', "price: use a point for decimals: '6.8', got '6,8'"),
        (("annual_volume",), '"3,000,000"', "annual_volume: write '3000000' without the thousands separator"),
        # a CFO's review: Turkish writing groups thousands with dots, which pydantic could not parse
        (
            ("fixed_costs",),
            "1.800.000",
            "fixed_costs: write '1800000' without the thousands separator (the dots)",
        ),
        (("wacc",), "12", "wacc: expected a share of at most 1 (write 12 % or 0.12), got 12"),
        # a CLI review: a bare 200 was read as 200 kg and the plan ran on 1,000 times the freight
        (("unit_weight",), "200", "unit_weight 200 kg in unit_volume 1.2 l is 166,667 kg/m3, denser than"),
        # the same review: pydantic's words where the rest say 'expected X, got Y'; YAML's octal
        (("price",), "-6.80", "price: expected 0 or more, got -6.8"),
        (("sectors",), "textiles", "sectors: expected a list such as [textiles, garments], got 'textiles'"),
        (("company",), '""', "company: expected some text, got none"),
        # YAML 1.1 read an unquoted 0713 as the octal 459; kopru reads it as text, as YAML 1.2 does
        (("hs",), "0713", "HS heading 0713 has no duty rate in"),
        # a CFO's review: the advice was an override tariff.<regime>.<hs>, which an override refuses
        (("hs",), '"8703"', "; give the product one of those headings"),
        (
            ("materials", 1, "hs"),
            '"7201"',
            "materials[1].hs (trims, labels and poly bags, from TR): HS heading 7201 has no duty rate in"
            " EAEU_CCT; the data pack covers 1704, ",
        ),
        (
            ("materials", 1, "hs"),
            '"7201"',
            "give the material a duty_pct (its rate in your own classification)",
        ),
    ],
)
def test_the_reported_cases_name_their_field(path, value, message, cli, tmp_path):
    """Issue 16's reproductions, written as YAML text so that .inf and 400 digits reach the reader."""
    data = _with(path, "PLACEHOLDER")
    text = yaml.safe_dump(data, allow_unicode=True).replace("PLACEHOLDER", value)
    profile = tmp_path / "p.yaml"
    profile.write_text(text, encoding="utf-8")
    for command in ("plan", "risk", "rank", "optimize"):
        r = cli(command, profile, *ARGS[command])
        assert r.code == 2 and message in r.err and len(r.err.strip().splitlines()) == 1, (command, r.err)


def test_tiny_wacc_gives_strict_json(cli, tmp_path):
    """wacc 1e-300 once printed Infinity and NaN: the annuity is then 1/n (no interest)."""
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump(_with(("wacc",), 1e-300)), encoding="utf-8")
    for command in ("plan", "risk"):
        r = cli(command, profile, *ARGS[command])
        check_contract(r, command)
        assert r.code == 0


def test_deep_nesting_is_refused_without_recursion(cli, tmp_path):
    for suffix, text in (
        (".yaml", "company: " + "[" * 100_000 + "]" * 100_000 + "\n"),
        (".json", '{"company": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ):
        profile = tmp_path / f"deep{suffix}"
        profile.write_text(text, encoding="utf-8")
        r = cli("plan", profile, "--json", "--no-store")
        assert r.code == 2 and "levels deep; at most 40" in r.err, r.err


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "{long}.yaml", "--json", "--no-store"),
        ("plan", EXAMPLES / "apparel.yaml", "--out", "{long}", "--no-store"),
        ("plan", EXAMPLES / "apparel.yaml", "--json", "--store", "{long}.duckdb"),
        ("runs", "list", "--store", "{long}.duckdb"),
        ("cflp", "{long}.txt"),
    ],
    ids=["profile", "out", "store", "runs-list", "cflp"],
)
def test_a_300_character_file_name_is_a_one_line_error(cli, tmp_path, args):
    """Issue 16: 'OSError: File name too long' was a traceback; every path a user gives is checked."""
    long = str(tmp_path / ("x" * 300))
    r = cli(*(str(a).replace("{long}", long) for a in args))
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert "too long" in r.err


def test_a_missing_file_names_the_nearest_ones(cli, tmp_path, monkeypatch):
    """A typo or a short name is answered with the files it probably meant; the README's
    examples/... path run outside the repository points at the examples shipped in the package."""
    for name in (
        "food_processing.yaml",
        "apparel.yaml",
        "notes.txt",
        "inf.yaml",
        "hs_int.yaml",
        "mat_neg.yaml",
    ):
        (tmp_path / name).write_text("x: 1\n")
    cases = {
        tmp_path / "food.yaml": f"did you mean {tmp_path / 'food_processing.yaml'}?",  # a prefix
        tmp_path / "aparel.yaml": f"did you mean {tmp_path / 'apparel.yaml'}?",  # a typo
        tmp_path / "zzz.yaml": "does not exist",  # nothing near: no guess
        tmp_path / "gone" / "apparel.yaml": f"(no folder {tmp_path / 'gone'})",
    }
    for path, said in cases.items():
        r = cli("plan", path, "--no-store")
        assert r.code == 2 and said in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert "did you mean" not in cli("plan", tmp_path / "zzz.yaml", "--no-store").err
    # a CLI review: 'missing.yaml' was offered inf.yaml, hs_int.yaml and mat_neg.yaml, alike only in '.yaml'
    assert "did you mean" not in cli("plan", tmp_path / "missing.yaml", "--no-store").err
    monkeypatch.chdir(tmp_path)  # no examples folder here
    r = cli("plan", "examples/apparel.yaml", "--no-store")
    shipped = EXAMPLES / "apparel.yaml"
    assert r.code == 2 and "kopru's shipped example is" in r.err, r.err
    assert Path(r.err.strip().split(" is ")[-1]).read_bytes() == shipped.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("risk", EXAMPLES / "apparel.yaml", "--samples", "0", "--no-store"), "'--samples'"),
        (("data", "stale", "--months", "-1"), "'--months'"),
        (("plan",), "Missing argument 'profile'"),
        (("plan", EXAMPLES / "apparel.yaml", "--bogus"), "No such option: --bogus"),
        (("nosuchcommand",), "No such command 'nosuchcommand'"),
        # review 9: click offered --dask for --draws, by spelling
        (
            ("risk", EXAMPLES / "apparel.yaml", "--draws", "2000"),
            "the number of Monte Carlo draws is --samples",
        ),
        (("plan", EXAMPLES / "apparel.yaml", "--draws", "2000"), "No such option: --draws (see"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(cli, args, message):
    # typer would draw a framed box over several lines; the standard is one line naming the problem
    r = cli(*args)
    assert r.code == 2 and message in r.err
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "--help" in lines[0]


def test_help_still_exits_0(cli):
    r = cli("plan", "--help")
    assert r.code == 0 and "Usage: kopru plan" in r.out


@pytest.mark.parametrize("group", ["", "data", "space", "runs"])
def test_a_list_of_commands_gives_each_its_summary_in_one_run_of_text(cli, monkeypatch, group):
    """'kopru --help' broke risk's summary after 'regret,' and rank's after 'border crossings and'
    mid-list (rich kept the docstrings' own line breaks). Oracle: on a screen wide enough for every
    summary, each command's is on one line, as the first paragraph of its docstring reads."""
    import inspect

    from kopru.cli import COMMANDS, _command

    monkeypatch.setenv("COLUMNS", "300")
    r = cli(*([group] if group else []), "--help")
    assert r.code == 0
    commands = _command(group).commands.values() if group else [_command(n) for n in COMMANDS]
    for command in commands:
        summary = " ".join(inspect.cleandoc(command.help).split("\n\n")[0].split())
        assert any(summary in line for line in r.out.splitlines()), (command.name, summary)


def test_ctrl_c_in_a_command_says_interrupted_and_exits_130(cli, monkeypatch):
    """typer turns a KeyboardInterrupt inside a command into exit 130 without a word (CLI QA)."""
    from kopru import api

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "plan", interrupted)
    r = cli("plan", EXAMPLES / "apparel.yaml", "--no-store")
    assert r.code == 130 and r.err.strip() == "interrupted", r.err


MARKUP = "[/x] Evil [bold]Co"  # rich reads [..] as markup: '[/x]' closed no tag and crashed the CLI


def test_text_that_looks_like_markup_is_printed_as_typed(cli, tmp_path):
    """CLI QA: any user text with '[/...]' was a MarkupError traceback (exit 1), in an error message
    or a table; '[bold]' in a name restyled the output and vanished from it."""
    r = cli("route", "[/x]", "istanbul")
    assert r.code == 2 and "origin '[/x]' is not a node" in r.err and "Traceback" not in r.err
    r = cli("plan", tmp_path / "[/x]missing.yaml", "--no-store")
    assert r.code == 2 and "[/x]missing.yaml" in r.err and len(r.err.strip().splitlines()) == 1
    profile = yaml.safe_load((EXAMPLES / "apparel.yaml").read_text(encoding="utf-8"))
    profile["company"] = MARKUP
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    r = cli("plan", path, "--no-store")
    assert r.code == 0 and MARKUP in r.out, r.err
    # review: 'runs list' printed the recorded company as markup, and crashed on every call after
    store = tmp_path / "s.duckdb"
    assert cli("plan", path, "--store", store).code == 0
    r = cli("runs", "list", "--store", store)
    assert r.code == 0 and "[/x] Evil" in r.out, r.err


def test_risk_refuses_more_samples_than_it_can_hold_and_warns_below_a_hundred(cli):
    """CLI QA: --samples 1e12 was a 276 GiB MemoryError traceback, 1e23 a hang; one sample printed
    p5/p95 and 'cheapest in 100.0 % of samples' as if they meant something."""
    r = cli("risk", EXAMPLES / "apparel.yaml", "--samples", str(10**23), "--no-store")
    assert r.code == 2 and "from 1 to 1,000,000,000" in r.err
    r = cli("risk", EXAMPLES / "apparel.yaml", "--samples", "1", "--no-store")
    assert r.code == 0 and "(1 sample, seed 0)" in " ".join(r.out.split())
    assert "are rough" in " ".join(r.out.split())


def test_risk_refuses_a_run_whose_costs_would_not_fit_the_disk(monkeypatch):
    from kopru.errors import OptionError
    from kopru.montecarlo import statistics

    monkeypatch.setattr(statistics.shutil, "disk_usage", lambda _: type("U", (), {"free": 10**6})())
    with pytest.raises(OptionError, match=r"GB of temporary space needed .* draw fewer samples"):
        statistics._Sink(10**6, 40)  # 320 MB past the memory budget: spilled to disk


def test_a_key_given_twice_is_refused_with_both_lines(cli, tmp_path):
    # YAML keeps the last silently: 'company: First' then 'company: Second' ran as Second (CLI QA)
    text = (EXAMPLES / "apparel.yaml").read_text(encoding="utf-8")
    path = tmp_path / "dup.yaml"
    path.write_text("company: First\n" + text, encoding="utf-8")
    r = cli("plan", path, "--no-store")
    assert r.code == 2 and "key 'company' appears twice in one mapping (lines 1 and" in r.err
    path = tmp_path / "dup.json"
    path.write_text('{"company": "A", "company": "B"}', encoding="utf-8")
    r = cli("plan", path, "--no-store")
    assert r.code == 2 and "key 'company' appears twice" in r.err


def test_a_run_id_is_a_literal_prefix(cli, tmp_path):
    # the store matched ids with SQL LIKE: '%4cf' showed a run whose id does not start with it
    store = tmp_path / "s.duckdb"
    assert cli("plan", EXAMPLES / "apparel.yaml", "--store", store).code == 0
    for wild in ("%", "_", "%4", ""):
        r = cli("runs", "show", wild, "--store", store)
        assert r.code == 2 and "is not a run id" in r.err, (wild, r.err)


def test_avoid_is_part_of_a_recorded_run(cli, tmp_path):
    """CLI QA: a plan with --avoid RU had the same inputs hash as one without, and neither
    'runs show' nor 'runs compare' said the two differ."""
    store = tmp_path / "s.duckdb"
    assert cli("plan", EXAMPLES / "apparel.yaml", "--store", store).code == 0
    assert cli("plan", EXAMPLES / "apparel.yaml", "--avoid", "RU", "--store", store).code == 0
    runs = json.loads(cli("runs", "list", "--store", store, "--json").out)
    runs = runs if isinstance(runs, list) else runs["runs"]
    assert len({r["inputs_hash"] for r in runs}) == 2
    avoided, plain = runs[0]["id"], runs[1]["id"]
    assert "avoid RU" in cli("runs", "show", avoided[:12], "--store", store).out
    r = cli("runs", "compare", plain[:12], avoided[:12], "--store", store)
    assert "the options (avoid) changed" in r.out


def test_gap_says_which_sense_it_solved_and_cflp_exits_2_when_infeasible(cli, tmp_path):
    gap1 = ROOT / "tests" / "data" / "orlib-gap" / "gap1.txt"
    r = cli("gap", gap1)
    assert r.code == 0 and "maximise (by the file name" in " ".join(r.out.split())
    data = json.loads(cli("gap", gap1, "--minimize", "--json").out)
    assert {i["sense"] for i in data["instances"]} == {"minimise"}
    cap = ROOT / "tests" / "data" / "orlib-cap" / "cap101.txt"
    r = cli("cflp", cap, "--capacity", "1")
    assert r.code == 2 and r.err.startswith("error: cap101.txt: infeasible") and not r.out
    r = cli("cflp", cap, "--capacity", "1", "--json")
    assert r.code == 2 and json.loads(r.out)["status"] == "infeasible"
    # and gap does too, after its answer (it exited 0 on an infeasible instance: CLI review)
    infeasible = tmp_path / "g.txt"  # 2 agents of capacity 1, 2 jobs each needing 5 to 8: none fits
    infeasible.write_text("1\n2 2\n1 2\n3 4\n5 6\n7 8\n1 1\n", encoding="utf-8")
    r = cli("gap", infeasible)
    assert r.code == 2 and "infeasible" in r.out and "instance 1 of 1 infeasible" in r.err
    r = cli("gap", infeasible, "--json")
    assert r.code == 2 and json.loads(r.out)["instances"][0]["status"] == "infeasible"


def test_space_dates_and_angles_out_of_range_are_one_line(cli):
    r = cli("space", "passes", "--start", "9999-12-31")
    assert r.code == 2 and "outside the years element sets can describe" in r.err
    r = cli("space", "imaging", "--start", "2026-06-01", "--min-sun-elevation", "100")
    assert r.code == 2 and "--min-sun-elevation must be in [-90, 90)" in r.err


@pytest.mark.parametrize(
    ("text", "twice"),
    [
        ("1: a\n'1': b\n", None),  # an integer key and a string key: two keys
        ("~: a\nnull: b\n", "null"),  # both null
        ("true: a\nTrue: b\n", "True"),
        ("a: 1\nb: {a: 2}\nc: [{a: 1}, {a: 2}]\n", None),  # the same name in other mappings
        ("--- {a: 1}\n--- {a: 2}\n", None),
    ],
)
def test_duplicate_keys_are_keys_as_yaml_reads_them(text, twice):
    """Review: the check compared the keys' text, so 1 and '1' were refused and ~ and null passed."""
    from kopru import documents
    from kopru.errors import DocumentError

    if twice is None:
        if text.startswith("---"):
            with pytest.raises(DocumentError):  # one document per file; the check does not mistake it
                documents.parse(text, "t")
            return
        documents.parse(text, "t")
    else:
        with pytest.raises(DocumentError, match=f"key '{twice}' appears twice"):
            documents.parse(text, "t")


def test_smaller_cli_qa_findings(cli):
    """CLI QA sweep 9, the smaller items: each one line, naming what is wrong, or a reader's words."""
    from kopru.cli.common import compact

    assert (compact(9.9e12), compact(2.5e15)) == ("9.90T", "2.5e+15")  # was '9.90e+03G'
    r = cli("data", "show", "atyrau region")
    assert r.code == 0 and "Atyrau Region (KZ-23)" in r.out
    r = cli("data", "stale", "--months", "100000")
    assert r.code == 0 and r.out.startswith("No value of the data pack is older than 100000 months")
    r = cli("space", "pool", "--start", "2026-06-01", "--rate-mbps", "0")
    assert r.code == 2 and "--rate-mbps must be a number > 0, got 0" in r.err
    cap41 = ROOT / "tests" / "data" / "orlib-cap" / "cap41.txt"
    r = cli("cflp", cap41, "--capacity", "1e400")
    assert r.code == 2 and "--capacity must be a number above 0 and at most 1e15, got inf" in r.err
    r = cli("cflp", cap41)
    assert r.code == 0 and "(warehouses 1, 2, 3" in " ".join(r.out.split()) and "numbered from 1" in r.out
    assert "to read" in " ".join(cli("runs", "list", "--help").out.split())
