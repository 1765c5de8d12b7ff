"""The GAP solver against the published OR-Library optima (gap1–gap12, gapa–gapc) and its reader."""

import re
from pathlib import Path

import numpy as np
import pytest

from kopru.assignment import GapProblem, Status, assignment_value, read_gap, solve_gap
from kopru.assignment.lagrangian import Relaxation, fix_by_reduced_cost, lagrangian
from kopru.assignment.model import build
from kopru.errors import OrlibError
from kopru.highs import new_highs

ORLIB = Path(__file__).resolve().parents[1] / "data" / "orlib-gap"  # copied with its SOURCE.md
SOURCE = (ORLIB / "SOURCE.md").read_text()
# gap1–gap12: "| gap1 | 5 × 15 | 336 327 339 341 326 |"; gapa–c: "5×100: 1698 · 5×200: 3235 ..."
OPTIMA: dict[str, list[float]] = {
    name: [float(v) for v in values.split()]
    for name, values in re.findall(r"\| (gap\d+) \| \d+ × \d+ \| ([\d ]+) \|", SOURCE)
}
OPTIMA |= {
    name: [float(v) for v in re.findall(r"\d+×\d+: (\d+)", row)]
    for name, row in re.findall(r"\| (gap[abc]) \| (.*) \|", SOURCE)
}


def test_the_oracle_tables_were_read():
    assert sorted(OPTIMA) == sorted([f"gap{k}" for k in range(1, 13)] + ["gapa", "gapb", "gapc"])
    assert all(len(v) == (5 if k[3:].isdigit() else 6) for k, v in OPTIMA.items())


def assert_feasible(p: GapProblem, assignment: np.ndarray) -> None:
    """Every job once, only usable pairs, every capacity respected."""
    m, n = p.shape
    assert assignment.shape == (n,)
    assert ((assignment >= -1) & (assignment < m)).all()
    if not p.optional:
        assert (assignment >= 0).all()
    jobs = np.flatnonzero(assignment >= 0)
    assert p.usable[assignment[jobs], jobs].all()
    for r in range(p.resources):
        used = np.zeros(m)
        np.add.at(used, assignment[jobs], p.weight[r, assignment[jobs], jobs])
        assert (used <= p.capacity[r] + 1e-9).all()


@pytest.mark.parametrize("name", [f"gap{k}" for k in range(1, 13)])
def test_cattrysse_osman_sets_reach_their_published_optima(name):
    problems = read_gap(ORLIB / f"{name}.txt")
    assert all(p.maximize for p in problems)  # profits, from the file name
    for p, optimum in zip(problems, OPTIMA[name], strict=True):
        s = solve_gap(p)
        assert s.status is Status.OPTIMAL
        assert s.objective == optimum == s.bound
        assert_feasible(p, s.assignment)
        assert assignment_value(p, s.assignment) == s.objective


@pytest.mark.parametrize("name", ["gapa", "gapb", "gapc"])
@pytest.mark.parametrize("k", range(6))
def test_chu_beasley_sets_reach_their_published_optima(name, k):
    p = read_gap(ORLIB / f"{name}.txt")[k]
    assert not p.maximize
    s = solve_gap(p)
    assert s.status is Status.OPTIMAL
    assert s.objective == OPTIMA[name][k] == s.bound
    assert s.gap == 0
    assert_feasible(p, s.assignment)
    assert assignment_value(p, s.assignment) == s.objective
    assert s.used.shape == (1, p.shape[0])


def lp_duals(p: GapProblem) -> tuple[float, np.ndarray]:
    lp, _ = build(p, p.usable)
    h = new_highs()
    h.passModel(lp)
    h.setOptionValue("solve_relaxation", True)
    h.run()
    return h.getInfo().objective_function_value, np.asarray(h.getSolution().row_dual)[: p.shape[1]]


@pytest.mark.parametrize("name,k", [("gapb", 0), ("gapc", 2), ("gapc", 4)])
def test_lagrangian_bound_lies_between_the_lp_and_the_optimum_and_fixing_keeps_every_optimum(name, k):
    """Oracles: the LP bound below, the published optimum above; an optimal plan (from the
    solver) must survive fixing at a threshold equal to the optimum, since fixing only removes
    plans that cost more than the threshold."""
    p = read_gap(ORLIB / f"{name}.txt")[k]
    optimum = OPTIMA[name][k]
    lp_bound, u = lp_duals(p)
    rel = Relaxation(p)
    lag = lagrangian(rel, u, deadline=float("inf"), delta=1.0)
    assert lp_bound - 1e-6 <= lag.bound <= optimum + 1e-6
    assert lag.upper >= optimum
    to0, to1, least = fix_by_reduced_cost(rel, lag.u, optimum)
    assert least > optimum
    plan = solve_gap(p).assignment
    jobs = np.arange(p.shape[1])
    assert not to0[plan, jobs].any()
    assert plan[np.nonzero(to1)[1]].tolist() == np.nonzero(to1)[0].tolist()
    assert to0.sum() > 0.3 * p.usable.sum()  # the bound is tight enough to fix many pairs


def test_sense_follows_the_file_name_unless_told(tmp_path):
    assert not read_gap(ORLIB / "gapa.txt")[0].maximize
    flipped = read_gap(ORLIB / "gap1.txt", maximize=False)[0]
    assert not flipped.maximize
    s = solve_gap(flipped)  # the cheapest assignment of the same data
    assert s.status is Status.OPTIMAL and s.objective < OPTIMA["gap1"][0]


# -- bad files: one line each, as OrlibError -----------------------------------------------------
GOOD = "1\n2 3\n1 2 3\n4 5 6\n1 1 1\n1 1 1\n5 5\n"


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "is empty"),
        ("1\n2 3\n1 2 3\n4 5 6\n1 1 1\n", r"needs 14 numbers after 'm n', found 9"),
        (GOOD + "7\n", r"1 instance\(s\) read but 1 number\(s\) are left over"),
        (GOOD.replace("4 5 6", "4 x 6"), r"instance 1, the cost of agent 2 for job 2 is 'x', not a number$"),
        ("two\n", r"the number of instances P must be a whole number, got 'two'"),
        ("0\n", r"P must be >= 1, got 0"),
        ("2\n" + GOOD[2:], r"the file ends where m of instance 2 should be"),
        ("1\n0 3\n", r"needs m, n >= 1, got m=0, n=3"),
        # review: the negative number quoted was the least of every value, costs included
        (
            "1\n2 3\n-10 2 3\n4 5 6\n1 1 1\n1 1 1\n5 -5\n",
            r"instance 1, the capacity of agent 2 is -5; expected a number >= 0$",
        ),
        (
            "1\n2 3\n-10 2 3\n4 5 6\n1 1 1\n1 -2 1\n5 5\n",
            r"instance 1, the resource use of agent 2 for job 2 is -2; expected a number >= 0$",
        ),
        (
            GOOD.replace("4 5 6", "4 nan 6"),
            r"instance 1, the cost of agent 2 for job 2 is 'nan'; expected a finite",
        ),
        (
            GOOD.replace("5 5", "5 inf"),
            r"instance 1, the capacity of agent 2 is 'inf'; expected a finite number$",
        ),
        # a CLI review: a cost of 1e308 overflowed into a traceback, or the solver ran on without end
        (
            GOOD.replace("4 5 6", "4 1e308 6"),
            r"instance 1, the cost of agent 2 for job 2 is '1e308'; expected a number from -1e15 to 1e15$",
        ),
        (
            "2\n" + GOOD[2:] + GOOD[2:].replace("1 1 1\n1 1 1", "1 1 1\n1 1 -inf"),
            r"instance 2, the resource use of agent 2 for job 3 is '-inf'; expected a finite number$",
        ),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(OrlibError, match=message) as info:
        read_gap(path)
    assert "\n" not in str(info.value)
    assert info.value.file == str(path)


def test_a_missing_file_and_a_folder_are_refused(tmp_path):
    with pytest.raises(OrlibError, match="does not exist"):
        read_gap(tmp_path / "nope.txt")
    with pytest.raises(OrlibError, match="is a folder"):
        read_gap(tmp_path)


def test_a_good_small_file_reads_into_arrays(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text(GOOD)
    (p,) = read_gap(path)
    assert p.shape == (2, 3) and p.resources == 1 and not p.maximize
    np.testing.assert_array_equal(p.cost, [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(p.capacity, [[5, 5]])


def test_cli_and_api_twins_on_gap1(cli):
    # oracle: the published optima of gap1 (SOURCE.md); kopru gap --json prints kopru.solve_gap
    import json

    import kopru

    r = cli("gap", ORLIB / "gap1.txt", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)["instances"]
    assert [d["objective"] for d in data] == OPTIMA["gap1"]
    assert all(d["status"] == "optimal" and d["bound"] == d["objective"] for d in data)
    direct = kopru.solve_gap(ORLIB / "gap1.txt")
    assert [s.as_dict()["assignment"] for s in direct] == [d["assignment"] for d in data]


def test_cli_bad_input_is_one_line(cli, tmp_path):
    r = cli("gap", tmp_path / "missing.txt")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "does not exist" in r.err
    r = cli("gap", ORLIB / "gap1.txt", "--time-limit", "0")
    assert r.code == 2 and "--time-limit must be > 0" in r.err
