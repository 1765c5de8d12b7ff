"""Sweeps. Oracles: each scenario's result equals a direct kopru.plan with the same overrides and
closures; the Dask run (a LocalCluster of 2 workers, processes=False to keep the test fast) equals
the serial run; the grid has the product of its axes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

import kopru
from kopru import api
from kopru import scenarios as sweep
from kopru.cluster import NO_DASHBOARD
from kopru.errors import KopruError, SweepError

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "examples" / "scenarios"
APPAREL = ROOT / "examples" / "apparel.yaml"


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, **NO_DASHBOARD
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_shortcuts_map_onto_overrides_and_closures():
    pack = api.load_data()
    s = sweep.scenario_from_dict(
        {
            "name": "x",
            "vat": {"KZ": 16},
            "tariff": {"EAEU_CCT.6109": 15},
            "fx_shock": {"KZT": 1.2},
            "close": ["mode:ferry"],
        },
        "scenarios[0]",
        pack,
    )
    assert s.overrides["KZ.vat_standard"] == 16
    assert s.overrides["tariff.EAEU_CCT.6109"] == 15
    assert s.overrides["KZT.fx_per_usd"]["value"] == pytest.approx(pack.fx_per_usd("KZT") * 1.2)
    assert s.disruptions == ("mode:ferry",)


def test_each_scenario_equals_a_direct_plan():
    result = api.sweep(SCENARIOS / "apparel_what_if.yaml")
    by_name = {s["name"]: s for s in result.scenarios}
    direct = api.plan(APPAREL, overrides={"tariff.EAEU_CCT.6109": 15})
    assert by_name["eaeu_tariff_up"]["baseline_total"] == direct.recommendation.baseline_total
    assert by_name["eaeu_tariff_up"]["best"] == direct.ranking[0]
    # VAT is recoverable: the landed cost does not move
    assert by_name["kz_vat_16"]["totals"] == by_name["baseline"]["totals"]
    # a weaker tenge makes the Kazakh sites cheaper in USD
    assert by_name["tenge_weaker_20pct"]["best_total"] < by_name["baseline"]["best_total"]
    assert by_name["kz_power_subsidy"]["totals"]["sez_turan"] < by_name["baseline"]["totals"]["sez_turan"]
    # Kazakh plants taking more hours a unit cost more; a Turkish plant's hours are the profile's own
    slower, base = by_name["kz_labour_hours_1_5x"]["totals"], by_name["baseline"]["totals"]
    assert slower["sez_turan"] > base["sez_turan"] and slower["plant_TR-20"] == base["plant_TR-20"]


@pytest.mark.parametrize(
    "name", ["apparel_what_if.yaml", "appliances_grid.yaml", "apparel_fx.yaml", "numeric_mix"]
)
def test_sweep_outcomes_equal_whole_plans_exactly(tmp_path, name):
    """The sweep's shared look-ups (kopru.inputs.SharedSteps) and cost-only evaluation give bit
    for bit what a whole plan of each scenario gives (the previous engine): closures, tariffs, FX,
    VAT, a parameter a region did not have, edges, ports and mode rates included."""
    import numpy as np

    from kopru.planner import make_plan
    from kopru.profile import load_profile

    path = SCENARIOS / name
    if name == "numeric_mix":  # a grid that mixes every kind of change with closures
        path = tmp_path / "mix.yaml"
        path.write_text(
            f"profile: {APPAREL}\n"
            "grid:\n"
            # both currencies and the duty changes in one scenario (VAT moves no landed cost); the
            # place's changes two by two (a region's wage with another's own tariff, a mode's rate with
            # one edge's), so those pairs are compared together, not each alone: every kind of change is
            # still met with and without the currency, duty and closure changes, in 10 scenarios
            "  shocks: [{name: base}, {name: shocks, fx_shock: {KZT: 1.3, TRY: 0.8},\n"
            "            tariff: {EAEU_CCT.6109: 25}, vat: {TR: 18}}]\n"
            "  place: [{name: open}, {name: ferry, close: [mode:ferry]},\n"
            # a region that borrows the national tariff gets its own; an edge and a port change
            "          {name: wage_power, overrides: {KZ-61.wage_monthly_avg: 500000,\n"
            "                                         KZ-10.electricity_price_industrial: 30}},\n"
            "          {name: rail_edge, overrides: {mode:rail.cost_per_teu_km: 2.5,\n"
            "                                        edge.almaty.altynkol.rail.cost_usd_per_teu: 900}},\n"
            "          {name: port, overrides: {node.aktau.handling_usd_per_teu: 400}}]\n",
            encoding="utf-8",
        )
    profile_path, scenarios, _ = sweep.read_sweep(path)
    profile = load_profile(profile_path)
    fast = sweep.sweep(path).scenarios
    assert len(fast) == len(scenarios) >= 8
    with np.errstate(invalid="ignore"):
        for got, s in zip(fast, scenarios, strict=True):
            plan = make_plan(profile, s.overrides or None, s.disruptions, avoid=s.avoid)
            # the whole plan: the previous engine (the outcome also records what the scenario changes)
            assert got == sweep.plan_outcome(plan, s.name) | {"given": s.given()}, s.name


def same(a: list, b: list) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_dask_equals_serial_and_grid_size(client):
    path = SCENARIOS / "appliances_grid.yaml"
    serial = api.sweep(path)
    remote = sweep.sweep(path, client=client, min_cluster_seconds=0)
    assert len(serial.scenarios) == 9 and serial.execution == "in-process"
    assert remote.execution.startswith("dask: 4 tasks of up to 2 scenarios on 2 workers")
    assert same(remote.scenarios, serial.scenarios)
    names = [s["name"] for s in serial.scenarios]
    assert "tenge_weak+no_ferry" in names


def test_a_sweep_too_small_for_the_cluster_runs_here(client):
    result = sweep.sweep(SCENARIOS / "apparel_what_if.yaml", client=client, min_cluster_seconds=3600)
    assert result.execution.startswith("in-process: the other 8 scenarios take about")
    assert same(result.scenarios, api.sweep(SCENARIOS / "apparel_what_if.yaml").scenarios)


def grid_file(tmp_path: Path, optimize: str = "true") -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(
        f"profile: {APPAREL}\noptimize: {optimize}\ngrid:\n"
        "  fx: [{name: base}, {name: tenge_weak, fx_shock: {KZT: 1.3}}]\n"
        "  corridor: [{name: open}, {name: no_ferry, close: [mode:ferry]}]\n",
        encoding="utf-8",
    )
    return path


def test_optimizer_in_every_scenario_equals_a_direct_optimize(tmp_path):
    """Oracle: kopru.plan(..., optimize=True) with the scenario's overrides and closures."""
    result = api.sweep(grid_file(tmp_path))
    assert [s["name"] for s in result.scenarios] == [
        "base+open",
        "base+no_ferry",
        "tenge_weak+open",
        "tenge_weak+no_ferry",
    ]
    pack = api.load_data()
    weak = {"KZT.fx_per_usd": {"value": pack.fx_per_usd("KZT") * 1.3}}
    direct = api.plan(APPAREL, overrides=weak, disruptions=["mode:ferry"], optimize={"sensitivity": False})
    got = result.scenarios[3]["optimizer"]
    assert got["status"] == direct.network.status == "optimal"
    assert got["objective"] == pytest.approx(direct.network.objective, rel=1e-9)
    assert [o["site"] for o in got["open"]] == [o.site for o in direct.network.open]
    assert got["open"][0]["name"] and got["gap"] is not None
    # the optimizer is never worse than the best single site of the same scenario
    for s in result.scenarios:
        assert s["optimizer"]["objective"] <= s["best_total"] * (1 + 1e-9)


def test_optimize_flag_and_key(tmp_path, cli):
    plain = grid_file(tmp_path, optimize="false")
    assert "optimizer" not in api.sweep(plain).scenarios[0]
    assert "optimizer" in api.sweep(plain, optimize=True).scenarios[0]
    r = cli("sweep", plain, "--optimize", "--json", "--no-store")
    assert r.code == 0 and all(s["optimizer"]["status"] == "optimal" for s in json.loads(r.out)["scenarios"])
    bad = grid_file(tmp_path, optimize="sometimes")
    r = cli("sweep", bad, "--no-store")
    assert r.code == 2 and "optimize must be true, false or a mapping" in r.err
    bad = grid_file(tmp_path, optimize="{max_sites: 0}")
    r = cli("sweep", bad, "--no-store")
    assert r.code == 2 and "max_sites" in r.err


def test_a_real_cluster_of_separate_processes_gives_the_serial_answer(tmp_path):
    """--scheduler against a dask scheduler and two dask worker processes on loopback."""
    from kopru.cluster import dask_client, external_cluster

    # two scenarios with the optimizer: the first is timed here, the other solved in a worker process
    path = tmp_path / "grid.yaml"
    path.write_text(
        f"profile: {APPAREL}\noptimize: true\ngrid:\n"
        "  fx: [{name: base}, {name: tenge_weak, fx_shock: {KZT: 1.3}}]\n"
        "  corridor: [{name: no_ferry, close: [mode:ferry]}]\n",
        encoding="utf-8",
    )
    serial = api.sweep(path)
    with external_cluster(workers=2) as address, dask_client(scheduler=address) as c:
        remote = sweep.sweep(path, client=c, min_cluster_seconds=0)
    assert remote.execution.startswith("dask: 1 task of up to 1 scenario on 2 workers")
    assert [s["optimizer"]["status"] for s in remote.scenarios] == ["optimal", "optimal"]
    assert same(remote.scenarios, serial.scenarios)


def test_bad_scenario_files(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("profile: x.yaml\nscenarios:\n  - {name: a, colour: red}\n", encoding="utf-8")
    with pytest.raises(SweepError, match="unknown key"):
        sweep.read_scenarios(path)
    path.write_text(f"profile: {APPAREL}\nscenarios:\n  - {{name: a}}\n  - {{name: a}}\n", encoding="utf-8")
    with pytest.raises(SweepError, match="unique"):
        sweep.read_scenarios(path)
    path.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - {{name: a, fx_shock: {{XYZ: 1.1}}}}\n", encoding="utf-8"
    )
    with pytest.raises(SweepError, match="XYZ"):
        sweep.read_scenarios(path)


def test_a_failing_scenario_is_reported_not_fatal():
    """A scenario that fails when it runs is a row with its error (the file's scenarios are checked
    before they run, so this is what a scenario built in code meets)."""
    profile = kopru.load_profile(APPAREL)
    bad = sweep.run_scenario(profile, sweep.Scenario("bad", {"KZT.fx_per_usd": 0}, ()))
    assert bad == {"name": "bad", "error": bad["error"]} and "KZT.fx_per_usd" in bad["error"]
    assert "best" in sweep.run_scenario(profile, sweep.Scenario("ok", {}, ()))


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("{name: bad, close: [atlantis]}", "scenario 'bad': cannot close 'atlantis'"),
        ("{name: bad, close: khorgos}", r"scenarios\[1\].close: expected a list"),
        ("{name: bad, tariff: {FOO.6109: 5}}", "scenario 'bad': override tariff.FOO.6109: no tariff row"),
        ("{name: bad, vat: {XX: 12}}", "scenario 'bad': override XX.vat_standard: unknown subject"),
        # a manufacturer's review: this one ran, and the sweep exited 0 with its error in one row
        ("{name: bad, avoid: [Russia]}", "scenario 'bad': avoid: unknown country code 'RUSSIA'"),
    ],
)
def test_a_scenario_that_cannot_run_is_refused_before_any_runs(tmp_path, scenario, message):
    """A CLI review: such a scenario failed only when its turn came, and a sweep whose other
    scenarios succeeded exited 0 with the error in one row; a closure written as a string was
    closed letter by letter ('cannot close k')."""
    path = tmp_path / "s.yaml"
    path.write_text(f"profile: {APPAREL}\nscenarios:\n  - {{name: ok}}\n  - {scenario}\n", encoding="utf-8")
    with pytest.raises(SweepError, match=message):
        sweep.read_sweep(path)


def test_a_grid_too_large_is_refused_before_it_is_built(tmp_path):
    """Eight axes of ten: 10^8 scenarios took 2.2 GB and two minutes before anything ran (CLI review)."""
    axes = "".join(f"  a{k}: [{', '.join(f'{{name: v{k}{j}}}' for j in range(10))}]\n" for k in range(8))
    path = tmp_path / "g.yaml"
    path.write_text(f"profile: {APPAREL}\ngrid:\n{axes}", encoding="utf-8")
    with pytest.raises(SweepError, match=r"the grid makes 100,000,000 scenarios \(10 a0 x 10 a1"):
        sweep.read_sweep(path)


def test_a_bad_override_is_refused_with_its_own_packs_error(tmp_path):
    """Each bad override of a sweep is refused before any scenario runs, with the error its own
    data pack gives (the oracle: the scenario's overrides applied alone)."""
    from kopru.datapack.overrides import apply_overrides

    bad = {
        "unknown_quantity": "{KZ.no_such_quantity: 5}",
        "negative": "{KZ.vat_standard: -3}",
        "wrong_unit": "{KZ.vat_standard: {value: 12, unit: KZT/month}}",
        "unknown_subject": "{ATLANTIS.vat_standard: 12}",
        "second_bad": "{KZ.vat_standard: 12, KZ.no_such_quantity: 5}",
    }
    for name, overrides in bad.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(
            f"profile: {APPAREL}\nscenarios:\n  - {{name: base}}\n"
            f"  - {{name: {name}, overrides: {overrides}}}\n",
            encoding="utf-8",
        )
        with pytest.raises(SweepError) as refused:
            sweep.read_sweep(path)
        scenario = sweep.scenario_from_dict(
            yaml.safe_load(path.read_text())["scenarios"][1], "s", kopru.load_data()
        )
        with pytest.raises(KopruError) as own:
            apply_overrides(kopru.load_data(), scenario.overrides)
        assert str(refused.value).endswith(f"scenario {name!r}: {own.value}"), name


def test_cli_sweep_json_and_store(tmp_path, capsys, monkeypatch):
    from kopru.cli import main

    store = tmp_path / "runs.duckdb"
    monkeypatch.setattr(
        sys,
        "argv",
        ["kopru", "sweep", str(SCENARIOS / "apparel_what_if.yaml"), "--json", "--store", str(store)],
    )
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code in (0, None)
    data = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in data["scenarios"]][:2] == ["baseline", "kz_vat_16"]
    from kopru.store import open_store

    runs = open_store(store).list()
    assert [r["kind"] for r in runs] == ["sweep"]


def test_the_shipped_optimize_file_reports_the_optimizer_in_every_scenario(cli):
    r = cli("sweep", SCENARIOS / "apparel_optimize.yaml", "--json", "--no-store")
    assert r.code == 0, r.err
    result = json.loads(r.out)
    assert len(result["scenarios"]) == 9 and result["execution"] == "in-process"
    for s in result["scenarios"]:
        net = s["optimizer"]
        assert net["status"] == "optimal" and net["open"] and net["objective"] <= s["best_total"] * (1 + 1e-9)


def test_a_scenario_no_site_survives_names_no_best_site(tmp_path):
    # closing road and rail cuts every site off: no "best" site, in the fast path and the whole plan
    spec = tmp_path / "cut.yaml"
    spec.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - name: base\n  - name: cut\n    close: [mode:rail, mode:road]\n",
        encoding="utf-8",
    )
    cut = {s["name"]: s for s in api.sweep(spec).scenarios}["cut"]
    assert cut["feasible_sites"] == 0 and cut["best"] is None and cut["best_total"] is None
    whole = sweep.plan_outcome(api.plan(APPAREL, disruptions=["mode:rail", "mode:road"]), "cut")
    assert whole["best"] is None and whole["best_total"] is None


def test_a_sweep_with_a_scenario_that_cannot_run_exits_2(tmp_path, cli):
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - name: no_rate\n    overrides: {{KZT.fx_per_usd: 0}}\n",
        encoding="utf-8",
    )
    r = cli("sweep", str(spec), "--no-store")
    assert r.code == 2 and "scenario 'no_rate': override KZT.fx_per_usd" in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_a_sweep_names_the_sites_a_closure_leaves_without_a_route(tmp_path, cli):
    """OR review: the khorgos_closed scenario removed two zones and the table was silent. Oracle: the
    plan with the same closure, whose sites that cannot serve every market are the scenario's."""
    spec = tmp_path / "s.yaml"
    spec.write_text(
        f"profile: {APPAREL.as_posix()}\nscenarios:\n  - name: baseline\n  - name: no_rail\n"
        "    close: [mode:rail]\n",
        encoding="utf-8",
    )
    result = api.sweep(spec)
    by_name = {s["name"]: s for s in result.scenarios}
    plan = api.plan(APPAREL, disruptions=["mode:rail"])
    assert by_name["no_rail"]["unserved"] == [s.name for s in plan.sites if not s.feasible]
    assert by_name["baseline"]["unserved"] == []
    r = cli("sweep", spec, "--no-store")
    lost = by_name["no_rail"]["unserved"]
    assert lost  # closing rail leaves a site without a route to every market
    assert f"no_rail: {len(lost)} site(s) no longer serve every market against baseline" in " ".join(
        r.out.split()
    )


def test_a_recorded_sweep_says_so_like_the_other_commands(tmp_path, cli):
    """plan, risk and rank print the run's id; sweep recorded silently (CLI review)."""
    r = cli("sweep", SCENARIOS / "apparel_what_if.yaml", "--store", tmp_path / "runs.duckdb")
    assert r.code == 0 and "recorded as run " in r.out, r.err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("optimise: true", "unknown key 'optimise' (did you mean 'optimize'?)"),
        ("scenario: [{name: a}]", "unknown key 'scenario' (did you mean 'scenarios'?)"),
        ("notes: board pack", "unknown key 'notes'; a scenario file has profile, scenarios, grid, optimize"),
    ],
)
def test_a_scenario_files_unknown_key_is_refused_by_name(tmp_path, line, message):
    """A manufacturer's review: 'optimise: true' was read as nothing (no optimizer ran), 'scenario:'
    as no scenarios at all."""
    path = tmp_path / "s.yaml"
    path.write_text(f"profile: {APPAREL}\nscenarios:\n  - {{name: ok}}\n{line}\n", encoding="utf-8")
    with pytest.raises(SweepError, match=re.escape(message)) as caught:
        sweep.read_sweep(path)
    assert caught.value.field == line.split(":")[0]


def test_an_fx_shock_that_reads_as_a_percentage_is_refused(tmp_path):
    """A manufacturer's review: fx_shock {KZT: 20} (meant 20 %) made the tenge 20 times weaker and
    the saving 46.5 %, without a word."""
    path = tmp_path / "s.yaml"
    path.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - {{name: weak, fx_shock: {{KZT: 20}}}}\n", encoding="utf-8"
    )
    with pytest.raises(SweepError, match=re.escape("fx_shock.KZT: 20 makes the currency 20 times weaker")):
        sweep.read_sweep(path)
    path.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - {{name: weak, fx_shock: {{KZT: 1.2}}}}\n", encoding="utf-8"
    )
    assert sweep.read_sweep(path)[1][0].overrides["KZT.fx_per_usd"]["value"] > 0


def test_the_sweep_table_marks_a_scenario_that_puts_another_site_first(tmp_path, cli):
    """A manufacturer's review: Turkistan Region's wage +30 % put SEZ Khorgos - Eastern Gate first,
    and the table showed only another name: no mark, no change against the first row, no Turkish
    cost. Oracle: the two scenarios' own plans."""
    wage = kopru.load_data().param("KZ-61", "wage_monthly_avg").value
    path = tmp_path / "s.yaml"
    path.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - {{name: baseline}}\n"
        f"  - {{name: wage_up, overrides: {{KZ-61.wage_monthly_avg: {wage * 1.3}}}}}\n",
        encoding="utf-8",
    )
    base = kopru.plan(APPAREL)
    up = kopru.plan(APPAREL, overrides={"KZ-61.wage_monthly_avg": wage * 1.3})
    assert up.recommendation.site != base.recommendation.site  # the case the mark is for
    r = cli("sweep", path, "--no-store")
    assert r.code == 0
    row = next(line for line in r.out.splitlines() if line.strip().startswith("wage_up"))
    assert f"{up.recommendation.name} ◆" in row
    change = up.recommendation.total / base.recommendation.total - 1
    assert f"{change:+.1%}" in row
    assert "◆: the first site differs from baseline's" in " ".join(r.out.split())


def test_a_sweep_writes_a_board_pack_with_what_each_scenario_changes(tmp_path, cli):
    """A manufacturer's review: the sweep had no --out, so its table could not go into a board pack.
    Oracle: the scenarios' own plans (the first site, its cost, the Turkish baseline) and the
    sweep's JSON (every site's cost, the leading sites' ranks by sorting it)."""
    from openpyxl import load_workbook

    path = tmp_path / "s.yaml"
    path.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - {{name: baseline}}\n"
        "  - {name: wages_up, note: a national wage push,"
        " overrides: {KZ-61.wage_monthly_avg: {factor: 1.3}}}\n"
        "  - {name: no_ferry, close: [mode:ferry], fx_shock: {KZT: 1.2}}\n",
        encoding="utf-8",
    )
    r = cli("sweep", path, "--no-store", "--out", tmp_path / "pack")
    assert r.code == 0, r.err
    folder = tmp_path / "pack"
    data = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    up = kopru.plan(APPAREL, overrides={"KZ-61.wage_monthly_avg": {"factor": 1.3}})
    by_name = {s["name"]: s for s in data["scenarios"]}
    assert by_name["wages_up"]["best_name"] == up.recommendation.name != by_name["baseline"]["best_name"]
    assert by_name["wages_up"]["given"] == {
        "note": "a national wage push",
        "shortcuts": {},
        "overrides": {"KZ-61.wage_monthly_avg": {"factor": 1.3}},
        "from_shortcuts": [],
        "closed": [],
        "avoid": [],
    }
    no_ferry = by_name["no_ferry"]["given"]
    assert no_ferry["closed"] == ["mode:ferry"] and no_ferry["shortcuts"] == {"fx_shock": {"KZT": 1.2}}
    assert no_ferry["from_shortcuts"] == ["KZT.fx_per_usd"]
    html = (folder / "sweep.html").read_text(encoding="utf-8")
    assert f'{up.recommendation.name} <span class="flip"' in html  # the ◆ of another first site
    assert "KZ-61.wage_monthly_avg × 1.3" in html and "closed: mode:ferry" in html
    assert "KZT weaker × 1.2" in html and "KZT.fx_per_usd" not in html  # the shortcut as written
    assert f"{up.recommendation.total:,.0f}" in html and "a national wage push" in html
    book = load_workbook(folder / "sweep.xlsx")
    rows = list(book["Scenarios"].iter_rows(min_row=2, max_row=4, values_only=True))
    assert [row[0] for row in rows] == ["baseline", "wages_up", "no_ferry"]
    assert rows[1][3] == up.recommendation.name and rows[1][4] == "yes"
    assert rows[1][5] == pytest.approx(up.recommendation.total)
    assert rows[1][8] == pytest.approx(up.recommendation.baseline_total)
    leading = list(book["Leading sites"].iter_rows(min_row=2, max_row=9, values_only=True))
    base_totals = by_name["baseline"]["totals"]
    cheapest = sorted(base_totals, key=base_totals.get)[:8]
    assert [row[1] for row in leading] == pytest.approx([base_totals[i] for i in cheapest])
    up_totals = by_name["wages_up"]["totals"]
    up_rank = sorted(up_totals, key=up_totals.get)
    assert [row[5] for row in leading] == [up_rank.index(i) + 1 for i in cheapest]  # ranks in wages_up
    assert f"wrote {folder / 'sweep.json'}" in " ".join(r.out.split())


def test_a_shock_passed_through_in_full_moves_nothing_in_dollars_near_a_category_edge(tmp_path):
    """A CFO's review: with a 30 % tenge shock passed through in full, a 22 M EUR project crossed the
    SEZ reliefs' 3,000,000 MCI edge (category A, 7 years, to B, 15) because its capex was counted
    in MCI at the shocked rate while the MCI, a tenge amount, stayed: the sweep read -4 %. The MCI
    now moves with the local prices. Oracle: the README's promise, every site's total in dollars as
    without the shock; the project is sized so that the shock alone crosses the edge (by hand: a
    garment maker's category B starts at 1,000,000 MCI; 8 M USD at 474.59 KZT/USD over 4,325 KZT is
    877,800 MCI, times 1.3 is 1.14 M), and with the MCI left where it was SEZ Turan's total moves."""
    import yaml

    from kopru.planner import make_plan
    from kopru.profile import load_profile

    raw = yaml.safe_load(APPAREL.read_text(encoding="utf-8"))
    raw["capex"] = 8_000_000
    own = tmp_path / "big.yaml"
    own.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(
        f"profile: {own}\nscenarios:\n  - {{name: base}}\n"
        "  - {name: all, fx_shock: {KZT: 1.3}, pass_through: {KZT: 1}}\n",
        encoding="utf-8",
    )
    profile_path, scenarios, _ = sweep.read_sweep(path)
    assert scenarios[1].overrides["KZ*.mci"]["factor"] == pytest.approx(1.3)
    profile = load_profile(profile_path)
    base, passed = (make_plan(profile, s.overrides or None) for s in scenarios)
    for site in base.sites:
        if site.landed_cost.total is not None and site.country == "KZ":
            assert passed.site(site.id).landed_cost.total == pytest.approx(site.landed_cost.total, rel=1e-9)
    stayed = {k: v for k, v in scenarios[1].overrides.items() if k != "KZ*.mci"}
    crossed = make_plan(profile, stayed).site("sez_turan").landed_cost.total
    assert crossed < base.site("sez_turan").landed_cost.total * 0.99  # the edge is crossed without it


def test_a_currency_shock_can_pass_through_to_local_prices(tmp_path):
    """A CFO's review: a weaker tenge read as pure gain, the tenge wages and tariffs left where they
    were. Oracle: with all of a 20 % shock passed through, a Kazakh site's labour and energy cost in
    dollars what they did without the shock; with none, what the shock alone gives; half way, the
    square root of 1.2 on the local prices (by hand from the two)."""
    from kopru.planner import make_plan
    from kopru.profile import load_profile

    path = tmp_path / "s.yaml"
    path.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - {{name: base}}\n"
        "  - {name: shock, fx_shock: {KZT: 1.2}}\n"
        "  - {name: all, fx_shock: {KZT: 1.2}, pass_through: {KZT: 1}}\n"
        "  - {name: half, fx_shock: {KZT: 1.2}, pass_through: {KZT: 0.5}}\n",
        encoding="utf-8",
    )
    profile_path, scenarios, _ = sweep.read_sweep(path)
    profile = load_profile(profile_path)
    plans = {s.name: make_plan(profile, s.overrides or None) for s in scenarios}
    assert scenarios[2].overrides["KZ*.wage_monthly_avg"] == {
        "factor": 1.2,
        "note": "1 of the KZT shock passed through (all)",
    }
    assert "TR*.wage_monthly_avg" not in scenarios[2].overrides  # the lira's prices stay

    def part(name: str, site: str, component: str) -> float:
        return plans[name].site(site).landed_cost.components[component]

    for site in ("sez_turan", "KZ-75"):
        for component in ("labour", "energy"):
            base, shock = part("base", site, component), part("shock", site, component)
            assert shock == pytest.approx(base / 1.2, rel=1e-9)  # the shock alone: cheaper in dollars
            assert part("all", site, component) == pytest.approx(base, rel=1e-9)
            assert part("half", site, component) == pytest.approx(base / 1.2**0.5, rel=1e-9)
    denizli = [part(n, "plant_TR-20", "labour") for n in ("base", "all")]
    assert denizli[0] == denizli[1]
    fast = {s["name"]: s for s in sweep.sweep(path).scenarios}
    assert fast["all"]["totals"]["sez_turan"] == pytest.approx(
        plans["all"].site("sez_turan").landed_cost.total
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{name: x, pass_through: {KZT: 0.3}}", "passes through an fx_shock the scenario does not give"),
        ("{name: x, fx_shock: {KZT: 1.2}, pass_through: {KZT: 30}}", "expected a share from 0 to 1"),
        ("{name: x, fx_shock: {EUR: 1.2}, pass_through: {EUR: 0.3}}", "'EUR' has no local prices"),
    ],
)
def test_a_bad_pass_through_is_refused(tmp_path, line, message):
    path = tmp_path / "s.yaml"
    path.write_text(f"profile: {APPAREL}\nscenarios:\n  - {line}\n", encoding="utf-8")
    with pytest.raises(SweepError, match=re.escape(message)):
        sweep.read_sweep(path)


def test_a_pass_through_moves_only_prices_in_its_currency_and_never_hides_a_users_override(tmp_path):
    """A review: a lira pass-through raised the Turkish land prices the pack gives in dollars, and a
    user's own factor on the same key was silently replaced. Oracle: the pack's units."""
    pack = kopru.load_data()
    path = tmp_path / "s.yaml"
    path.write_text(
        f"profile: {APPAREL}\nscenarios:\n"
        "  - {name: lira, fx_shock: {TRY: 1.3}, pass_through: {TRY: 1}}\n",
        encoding="utf-8",
    )
    _, (lira,), _ = sweep.read_sweep(path)
    land = {k.split(".")[0] for k in lira.overrides if k.endswith(".land_price")}
    priced_in_lira = {s for s in land if pack.param(s, "land_price").unit.startswith("TRY/")}
    assert land == priced_in_lira and "TR-16" not in land and "TR-34" not in land  # in USD/m2
    assert pack.param("TR-16", "land_price").unit == "USD/m2"
    path.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - {{name: both, fx_shock: {{KZT: 1.2}}, pass_through: {{KZT: 1}},"
        " overrides: {KZ*.wage_monthly_avg: {factor: 1.1}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(SweepError, match=r"pass_through.KZT and overrides both set KZ\*.wage_monthly_avg"):
        sweep.read_sweep(path)


def test_a_sweep_pack_takes_any_yaml_value_and_refuses_a_file_for_a_folder(tmp_path, cli):
    """A review: a note YAML reads as a date crashed the JSON after the whole sweep had run, and a
    file given as the folder was found only then."""
    path = tmp_path / "s.yaml"
    path.write_text(
        f"profile: {APPAREL}\nscenarios:\n  - {{name: base}}\n"
        "  - {name: dated, overrides: {KZ-61.wage_monthly_avg: {value: 400000, note: 2026-01-01}}}\n",
        encoding="utf-8",
    )
    r = cli("sweep", path, "--no-store", "--out", tmp_path / "pack")
    assert r.code == 0, r.err
    data = json.loads((tmp_path / "pack" / "sweep.json").read_text(encoding="utf-8"))
    assert data["scenarios"][1]["given"]["overrides"]["KZ-61.wage_monthly_avg"]["note"] == "2026-01-01"
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    r = cli("sweep", path, "--no-store", "--out", blocker)
    assert r.code == 2 and "is a file; expected a folder" in r.err and "Traceback" not in r.err


def test_the_sweep_pack_in_turkish(tmp_path, cli):
    """A Turkish board reads the pack in Turkish: tr/sweep.html with the same figures, Turkish words
    and Turkish number formats (9.474.660; %28,6). Oracle: the English page's figures."""
    path = SCENARIOS / "apparel_what_if.yaml"
    r = cli("sweep", path, "--no-store", "--out", tmp_path / "pack", "--lang", "tr")
    assert r.code == 0, r.err
    en = json.loads((tmp_path / "pack" / "sweep.json").read_text(encoding="utf-8"))
    tr = (tmp_path / "pack" / "tr" / "sweep.html").read_text(encoding="utf-8")
    assert (
        '<html lang="tr">' in tr
        and "Ya-olursa senaryoları" in tr
        and "Senaryolar boyunca öndeki yerler" in tr
    )
    base = en["scenarios"][0]
    assert f"{base['best_total']:,.0f}".replace(",", ".") in tr
    assert f"%{base['saving_pct'] * 100:.1f}".replace(".", ",") in tr
    assert "KZT değer kaybı × 1,2" in tr and "kapalı: water:caspian" in tr
    # the workbook too: every header and note in Turkish, the same numbers as the English one's
    import openpyxl

    from kopru.language import Words

    english = openpyxl.load_workbook(tmp_path / "pack" / "sweep.xlsx")
    turkish = openpyxl.load_workbook(tmp_path / "pack" / "tr" / "sweep.xlsx")
    assert (
        turkish.sheetnames == [Words("tr")("Scenarios"), Words("tr")("Leading sites")] != english.sheetnames
    )
    for en_sheet, tr_sheet in zip(english.worksheets, turkish.worksheets, strict=True):
        en_rows = list(en_sheet.iter_rows(values_only=True))
        tr_rows = list(tr_sheet.iter_rows(values_only=True))
        assert len(en_rows) == len(tr_rows)
        numbers = [[v for v in row if isinstance(v, float | int)] for row in en_rows]
        assert numbers == [[v for v in row if isinstance(v, float | int)] for row in tr_rows]
        scenario_names = {s["name"] for s in en["scenarios"]}
        for en_header, tr_header in zip(en_rows[0], tr_rows[0], strict=True):
            # a header differs from the English one unless it is a scenario's or a site's name alone
            assert en_header != tr_header or en_header in {"site", *scenario_names}, en_header
    assert "veri paketi" in " ".join(
        str(v) for row in turkish["Senaryolar"].iter_rows(values_only=True) for v in row if v
    )
    r = cli("sweep", path, "--no-store", "--lang", "tr")
    assert r.code == 2 and "--lang writes sweep.html into the --out folder" in r.err


def test_the_sweep_table_never_cuts_a_number(cli, monkeypatch):
    """A CLI review: at 120 columns the optimizer sweep's network cost read '9' (9.83M), a column
    was dropped and the legend lost its middle; at 80 two columns vanished. Oracle: the sweep's own
    figures, each whole in the output at either width."""
    from kopru.cli import common

    path = SCENARIOS / "apparel_what_if.yaml"
    runs = {}
    for width in (120, 80):
        monkeypatch.setattr(common.out, "_width", width)
        r = cli("sweep", path, "--no-store")
        assert r.code == 0, r.err
        runs[width] = r.out
    result = kopru.sweep(path)
    narrow = " ".join(runs[80].split())  # one scenario a line, each with its own figures whole
    for s in result.scenarios:
        best = f"{s['best_total'] / 1e6:.3g}M"
        saving = f"{s['saving_pct']:.1%}"
        row = next(line for line in runs[120].splitlines() if line.strip().startswith(s["name"]))
        assert best in row and saving in row  # whole in its own row of the table
        line = narrow.split(f" {s['name']}: ")[1].split(" saving vs TR ")[1].split()[0]
        assert line == saving and f"best cost {best}" in narrow.split(f" {s['name']}: ")[1]


def test_a_local_cluster_starts_beside_another_on_the_default_dashboard_port():
    """A cluster of another program on 8787 (Dask's default) made --dask warn 'Port 8787 is already
    in use' (an error under the suite's warning filter: it failed the suite once, two Dask tests
    starting together). Oracle: a socket held on 8787 while kopru's local cluster starts."""
    import contextlib
    import socket

    from kopru.cluster import dask_client

    held = socket.socket()
    with contextlib.suppress(OSError):  # in use already: held by someone else, as wanted
        held.bind(("0.0.0.0", 8787))
        held.listen()
    try:
        with dask_client(local=True, workers=1) as c:
            assert c.submit(sum, [1, 2]).result() == 3
            # its HTTP server (no login: logs, call stacks) listens on the loopback only
            sockets = c.cluster.scheduler.http_server._sockets.values()
            assert {s.getsockname()[0] for s in sockets} == {"127.0.0.1"}
    finally:
        held.close()


def test_an_unknown_country_to_avoid_is_refused_before_any_scenario_runs(monkeypatch):
    """A CLI review: --avoid XX ran all nine scenarios, each failing on it, then said so in a table."""
    from kopru import scenarios
    from kopru.errors import RouteError

    ran: list[str] = []
    monkeypatch.setattr(scenarios, "run_scenario", lambda profile, s, *a: ran.append(s.name))
    with pytest.raises(RouteError, match="avoid: unknown country code 'XX'; expected an ISO code"):
        api.sweep(SCENARIOS / "apparel_what_if.yaml", avoid=("XX",))
    assert ran == []


def test_two_axes_of_a_grid_that_set_the_same_value_are_refused(tmp_path):
    """A CLI review: fx_shock KZT 1.2 on one axis and 1.5 on another ran as 1.5, the 1.2 dropped."""
    from kopru.errors import SweepError
    from kopru.scenarios import read_scenarios

    path = tmp_path / "grid.yaml"
    profile = ROOT / "examples" / "apparel.yaml"
    path.write_text(
        f"profile: {profile}\ngrid:\n  x:\n    - {{name: a, fx_shock: {{KZT: 1.2}}}}\n"
        "  y:\n    - {name: b, fx_shock: {KZT: 1.5}}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        SweepError, match=r"scenarios 'a' and 'b' of two axes both set fx_shock KZT \(1.2 and 1.5\)"
    ):
        read_scenarios(path)
    # different currencies on two axes are two changes, combined as before
    path.write_text(path.read_text(encoding="utf-8").replace("{KZT: 1.5}", "{TRY: 1.5}"), encoding="utf-8")
    (both,) = read_scenarios(path)[1]
    assert both.shortcuts == {"fx_shock": {"KZT": 1.2, "TRY": 1.5}}


def test_a_profile_written_inline_in_a_scenario_file_is_refused_in_words(tmp_path):
    """A CLI review: 'profile file .../{'company': 'x'} does not exist', a mapping shown as a path."""
    from kopru.errors import SweepError
    from kopru.scenarios import read_scenarios

    path = tmp_path / "s.yaml"
    path.write_text("profile: {company: x}\nscenarios:\n  - {name: a}\n", encoding="utf-8")
    with pytest.raises(
        SweepError, match=r"profile must be the path of a profile file .* got a mapping; write"
    ):
        read_scenarios(path)
