"""The GAP solver against brute force, property tests, infeasibility explained, options and the CLI."""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kopru.assignment import (
    GapProblem,
    SideConstraint,
    Status,
    assignment_value,
    choose_engine,
    chu_beasley,
    explain_infeasibility,
    matchmaking,
    solve_gap,
)
from kopru.cli.gap import app
from kopru.errors import InfeasibleError, OptionError, OrlibError, SolverError

ORLIB = Path(__file__).resolve().parents[1] / "data" / "orlib-gap"


def random_problem(
    seed: int,
    m: int,
    n: int,
    *,
    resources: int = 1,
    optional: bool = False,
    maximize: bool = False,
    forbid: float = 0.15,
    side: bool = False,
    fractional: bool = False,
) -> GapProblem:
    """Small random instances whose capacities hold about what the jobs need, give or take."""
    rng = np.random.default_rng(seed)
    weight = rng.integers(1, 10, (resources, m, n)).astype(float)
    if fractional:
        weight += rng.uniform(0, 1, weight.shape).round(2)
    capacity = np.floor(weight.sum(axis=2) / m * rng.uniform(0.8, 1.6, (resources, m)))
    cost = rng.integers(-5 if optional else 1, 30, (m, n)).astype(float)
    cost[rng.uniform(size=(m, n)) < forbid] = np.nan
    sides = ()
    if side:
        region = rng.uniform(size=m) < 0.5
        sides = (
            SideConstraint(region, np.ones(n), lower=float(rng.integers(0, 3)), name="jobs in region"),
            (None, rng.integers(0, 5, (m, n)).astype(float), None, float(rng.integers(4, 14))),
        )
    return GapProblem(cost, weight, capacity, maximize=maximize, optional=optional, side=sides)


def brute_force(p: GapProblem) -> float | None:
    """The optimum over every assignment (-1 = unassigned when optional), or None if none fits."""
    m, n = p.shape
    agents = range(-1 if p.optional else 0, m)
    plans = np.array(list(itertools.product(agents, repeat=n)), dtype=np.int64).reshape(-1, n)
    on = plans >= 0
    at = np.maximum(plans, 0)
    jobs = np.arange(n)[None, :]
    ok = np.where(on, p.usable[at, jobs], True).all(axis=1)
    for r in range(p.resources):
        use = np.where(on, p.weight[r][at, jobs], 0.0)
        load = np.stack([np.where(plans == i, use, 0.0).sum(axis=1) for i in range(m)], axis=1)
        ok &= (load <= p.capacity[r][None, :] + 1e-9).all(axis=1)
    for s in p.side:
        row = np.where(on, s.matrix(m, n)[at, jobs], 0.0).sum(axis=1)
        ok &= (row >= s.lower - 1e-9) & (row <= s.upper + 1e-9)
    if not ok.any():
        return None
    value = np.where(on, np.nan_to_num(p.cost)[at, jobs], 0.0).sum(axis=1)[ok]
    return float(value.max() if p.maximize else value.min())


def assert_valid(p: GapProblem, s) -> None:
    """Feasible (capacities, allowed pairs, each job once or at most once, side rows) and exact."""
    m, n = p.shape
    plan = s.assignment
    assert plan.shape == (n,) and plan.dtype.kind == "i"
    assert ((plan >= -1) & (plan < m)).all()
    if not p.optional:
        assert (plan >= 0).all()
    jobs = np.flatnonzero(plan >= 0)
    assert p.usable[plan[jobs], jobs].all()
    for r in range(p.resources):
        used = np.zeros(m)
        np.add.at(used, plan[jobs], p.weight[r, plan[jobs], jobs])
        assert (used <= p.capacity[r] + 1e-9).all()
        np.testing.assert_allclose(s.used[r], used)
    for side in p.side:
        value = side.matrix(m, n)[plan[jobs], jobs].sum()
        assert side.lower - 1e-6 <= value <= side.upper + 1e-6
    assert assignment_value(p, plan) == pytest.approx(s.objective, abs=1e-9)
    if s.bound is not None:  # the bound is on the right side of the plan
        assert (s.bound >= s.objective - 1e-6) if p.maximize else (s.bound <= s.objective + 1e-6)


CASES = [
    # (seed, m, n, options)
    *((seed, 3, 6, {}) for seed in range(4)),
    *((10 + seed, 2, 7, {"maximize": True}) for seed in range(3)),
    *((20 + seed, 3, 5, {"optional": True}) for seed in range(3)),
    *((30 + seed, 3, 5, {"optional": True, "maximize": True, "side": True}) for seed in range(4)),
    *((40 + seed, 3, 5, {"side": True}) for seed in range(3)),
    *((50 + seed, 2, 6, {"resources": 2}) for seed in range(3)),
    *((60 + seed, 3, 5, {"fractional": True, "optional": True, "maximize": True}) for seed in range(2)),
    (70, 3, 7, {"forbid": 0.5}),
    (71, 1, 6, {}),
]


@pytest.mark.parametrize("seed,m,n,options", CASES)
def test_small_instances_match_brute_force(seed, m, n, options):
    p = random_problem(seed, m, n, **options)
    expected = brute_force(p)
    try:
        s = solve_gap(p)
    except InfeasibleError:
        assert expected is None
        return
    if expected is None:
        assert s.status is Status.INFEASIBLE
        return
    assert s.status is Status.OPTIMAL
    assert s.objective == pytest.approx(expected, abs=1e-6)
    assert_valid(p, s)


def test_brute_force_cases_include_infeasible_ones():
    """The cases above must exercise both answers."""
    found = [brute_force(random_problem(seed, m, n, **o)) for seed, m, n, o in CASES]
    assert any(v is None for v in found) and sum(v is not None for v in found) > 15


@pytest.mark.parametrize("engine", ["lagrangian", "mip"])
def test_both_engines_agree_on_type_c_and_d(engine):
    for kind, seed in (("C", 1), ("D", 2)):
        p = chu_beasley(kind, 4, 16, seed=seed)
        s = solve_gap(p, engine=engine)
        assert s.status is Status.OPTIMAL
        assert s.objective == pytest.approx(brute_force_by_mip(p), abs=1e-6)
        assert_valid(p, s)


def brute_force_by_mip(p: GapProblem) -> float:
    """An independent model: SciPy's milp (HiGHS inside, but none of kopru's model code)."""
    from scipy.optimize import LinearConstraint, milp

    m, n = p.shape
    c = np.nan_to_num(p.min_cost, posinf=0.0).ravel()
    assign = np.kron(np.ones(m), np.eye(n))
    capacity = np.kron(np.eye(m), np.ones(n)) * p.weight[0].ravel()[None, :]
    res = milp(
        c,
        integrality=np.ones(m * n),
        bounds=(0, p.usable.ravel().astype(float)),
        constraints=[LinearConstraint(assign, 1, 1), LinearConstraint(capacity, -np.inf, p.capacity[0])],
    )
    return float(res.fun)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    m=st.integers(1, 5),
    n=st.integers(1, 14),
    resources=st.integers(1, 2),
    optional=st.booleans(),
    maximize=st.booleans(),
    side=st.booleans(),
)
def test_every_assignment_is_feasible_and_its_objective_recomputes(
    seed, m, n, resources, optional, maximize, side
):
    """Property: capacities per resource, allowed pairs, each job once (or at most once), side
    rows; the objective is the sum of the chosen pairs' costs, exactly."""
    p = random_problem(seed, m, n, resources=resources, optional=optional, maximize=maximize, side=side)
    try:
        s = solve_gap(p, time_limit=20)
    except InfeasibleError:
        assert explain_infeasibility(p) is not None
        return
    if s.objective is None:
        assert s.status in (Status.INFEASIBLE, Status.NO_SOLUTION)
        return
    assert_valid(p, s)
    if s.status is Status.OPTIMAL:
        assert s.gap is not None and s.gap <= 1e-9


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 100_000), kind=st.sampled_from("CD"), m=st.integers(2, 5), n=st.integers(5, 20))
def test_lagrangian_engine_plans_are_feasible_and_optimal_status_means_bound_met(seed, kind, m, n):
    p = chu_beasley(kind, m, n, seed)
    assert choose_engine(p) == "lagrangian"
    try:
        s = solve_gap(p, time_limit=20)
    except InfeasibleError:  # small instances may be too tight (b_i is rounded down)
        assert explain_infeasibility(p) is not None
        return
    if s.objective is None:
        assert s.status is Status.INFEASIBLE
        return
    assert_valid(p, s)
    if s.status is Status.OPTIMAL:
        assert s.bound == s.objective  # integer costs: proven means equal


# -- infeasible instances, explained -------------------------------------------------------------
def test_total_capacity_short_is_explained():
    p = GapProblem(np.ones((2, 4)), np.full((2, 4), 3.0), np.array([5.0, 5.0]))
    assert "total capacity (10) is below the least the jobs need" in explain_infeasibility(p)
    with pytest.raises(InfeasibleError, match="no assignment can exist: total capacity"):
        solve_gap(p)


def test_a_job_no_agent_can_take_is_explained():
    cost = np.array([[1.0, np.nan, 2.0], [1.0, 5.0, 2.0]])
    weight = np.array([[1.0, 1.0, 1.0], [1.0, 9.0, 1.0]])  # job 2: forbidden at one, too big for the other
    p = GapProblem(cost, weight, np.array([5.0, 5.0]))
    # counted from 1, as the jobs of an OR-Library file are
    with pytest.raises(InfeasibleError, match=r"job\(s\) 2 \(counted from 1\) can go to no agent"):
        solve_gap(p)
    allowed = np.array([[True, True, False], [True, True, False]])
    q = GapProblem(np.ones((2, 3)), np.ones((2, 3)), np.array([5.0, 5.0]), allowed=allowed)
    assert "job(s) 3 (counted from 1) can go to no agent" in explain_infeasibility(q)


def test_a_resource_short_among_several_is_named():
    weight = np.stack([np.ones((2, 3)), np.full((2, 3), 4.0)])
    p = GapProblem(np.ones((2, 3)), weight, np.array([[5.0, 5.0], [4.0, 4.0]]))
    assert "capacity of resource 2 (8)" in explain_infeasibility(p)  # the second resource


def test_unreachable_side_constraints_are_explained():
    region = np.array([True, False])
    p = GapProblem(
        np.ones((2, 3)),
        np.ones((2, 3)),
        np.array([3.0, 3.0]),
        optional=True,
        side=[(region, np.ones(3), 4, None)],
    )
    assert "side[0] needs at least 4, but at most 3 is reachable" in explain_infeasibility(p)
    q = GapProblem(
        np.ones((2, 3)), np.ones((2, 3)), np.array([3.0, 3.0]), side=[(None, np.full((2, 3), 2.0), None, 5)]
    )
    assert "allows at most 5, but at least 6 is unavoidable" in explain_infeasibility(q)


def test_an_unreachable_bound_is_raised_with_its_field_and_figures():
    """A program (the web app) reads the bound no plan meets from the error, not from its message.
    Hand case: agent 0 can take jobs worth 1, 2 and 3 (6 at most) where 10 are asked; every job at
    its cheapest use still costs 2 each (6 unavoidable) where the cap is 5."""
    from kopru.assignment import SideConstraint
    from kopru.errors import InfeasibleError, Unreachable

    at_least = SideConstraint(np.array([True, False]), np.array([1.0, 2.0, 3.0]), lower=10, field="min_jobs")
    p = GapProblem(np.ones((2, 3)), np.ones((2, 3)), np.array([3.0, 3.0]), optional=True, side=[at_least])
    with pytest.raises(InfeasibleError) as caught:
        solve_gap(p)
    assert caught.value.field == "min_jobs"
    assert caught.value.unreachable == Unreachable("side[0]", "at least", 10.0, 6.0)
    capped = SideConstraint(None, np.full((2, 3), 2.0), upper=5, name="cost", subject="the cost")
    with pytest.raises(InfeasibleError) as caught:
        solve_gap(GapProblem(np.ones((2, 3)), np.ones((2, 3)), np.array([3.0, 3.0]), side=[capped]))
    assert caught.value.field is None  # a bound of no request's field
    assert caught.value.unreachable == Unreachable("the cost", "at most", 5.0, 6.0)
    assert "cost allows at most 5, but at least 6 is unavoidable" in str(caught.value)


def test_optional_jobs_never_make_a_problem_infeasible_by_capacity():
    p = GapProblem(-np.ones((2, 4)), np.full((2, 4), 3.0), np.array([5.0, 5.0]), optional=True)
    assert explain_infeasibility(p) is None
    s = solve_gap(p)
    assert s.status is Status.OPTIMAL and s.objective == -2  # one job fits at each agent
    assert (s.assignment == -1).sum() == 2


def test_an_infeasibility_the_checks_miss_is_proven_by_the_solver():
    # each job fits anywhere and total capacity suffices, but no two jobs share an agent
    p = GapProblem(np.ones((2, 3)), np.full((2, 3), 2.0), np.array([3.0, 3.0]))
    assert explain_infeasibility(p) is None
    s = solve_gap(p)
    assert s.status is Status.INFEASIBLE and s.objective is None and s.message


# -- options and validation ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"weight": np.ones((3, 2))}, "weight"),
        ({"capacity": np.ones(3)}, "capacity"),
        ({"weight": -np.ones((2, 3))}, "weight"),
        ({"cost": np.full((2, 3), np.inf)}, "cost"),
        ({"allowed": np.ones((2, 3))}, "allowed"),
        ({"side": [(np.ones(2, dtype=bool), np.ones(4), 1, None)]}, "side[0].weights"),
        ({"side": [(None, np.ones(3), 5, 1)]}, "side[0]"),
        ({"side": [(None, np.ones(3))]}, "side[0]"),
        ({"side": [(np.ones(3, dtype=bool), np.ones(3), 1, None)]}, "side[0].agents"),
    ],
)
def test_bad_arrays_name_their_field(kwargs, field):
    base = {"cost": np.ones((2, 3)), "weight": np.ones((2, 3)), "capacity": np.ones(2)}
    with pytest.raises(OptionError) as info:
        GapProblem(**(base | kwargs))
    assert info.value.field == field


@pytest.mark.parametrize("kwargs", [{"time_limit": 0}, {"gap": 1.0}, {"engine": "simplex"}])
def test_bad_solver_options_are_refused(kwargs):
    with pytest.raises(OptionError):
        solve_gap(chu_beasley("C", 2, 5), **kwargs)


def test_the_lagrangian_engine_refuses_what_it_cannot_solve():
    with pytest.raises(OptionError, match="one resource"):
        solve_gap(random_problem(1, 2, 5, resources=2), engine="lagrangian")
    assert choose_engine(random_problem(1, 2, 5, side=True)) == "mip"


def test_a_tight_time_limit_still_answers_with_a_status_and_a_gap():
    p = chu_beasley("D", 10, 100, seed=3)
    s = solve_gap(p, time_limit=1.0)
    assert s.status in (Status.OPTIMAL, Status.TIME_LIMIT)
    assert s.seconds < 30  # the limit is respected up to one LP and one subgradient pass
    assert_valid(p, s)
    assert s.gap is not None and s.gap >= 0


def test_the_matchmaking_instance_has_its_shape_and_a_feasible_start():
    p = matchmaking(m=8, n=60, seed=1)
    assert p.shape == (8, 60) and p.resources == 3 and p.optional and p.maximize and len(p.side) == 2
    s = solve_gap(p, time_limit=20, gap=1e-3)
    assert_valid(p, s)
    assert s.status is Status.OPTIMAL and s.gap <= 1e-3


def test_as_dict_is_json_ready():
    s = solve_gap(chu_beasley("C", 3, 8, seed=4))
    d = s.as_dict()
    assert set(d) >= {"agents", "jobs", "status", "objective", "bound", "gap", "assignment", "seconds"}
    assert d["agents"] == 3 and d["jobs"] == 8 and len(d["assignment"]) == 8
    json.dumps(d, allow_nan=False)


# -- the command ---------------------------------------------------------------------------------
def test_cli_prints_a_table_per_instance():
    result = CliRunner().invoke(app, [str(ORLIB / "gap1.txt"), "--time-limit", "30"])
    assert result.exit_code == 0, result.output
    assert "gap1.txt" in result.output and result.output.count("optimal") == 5
    assert "336" in result.output


def test_cli_json_gives_every_instance_with_its_assignment():
    result = CliRunner().invoke(app, [str(ORLIB / "gap1.txt"), "--json"])
    data = json.loads(result.output)
    assert len(data["instances"]) == 5
    first = data["instances"][0]
    assert set(first) == {"agents", "jobs", "sense", "status", "objective", "bound", "assignment", "message"}
    assert first["message"] == ""
    assert first["objective"] == 336 and first["status"] == "optimal"
    assert len(first["assignment"]) == 15 and all(0 <= a < 5 for a in first["assignment"])


def test_cli_minimize_overrides_the_file_name():
    result = CliRunner().invoke(app, [str(ORLIB / "gap1.txt"), "--minimize", "--json"])
    assert json.loads(result.output)["instances"][0]["objective"] < 336


def test_cli_bad_file_and_bad_limit_raise_kopru_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("1\n2 2\n1 2\n")
    result = CliRunner().invoke(app, [str(bad)])
    assert isinstance(result.exception, OrlibError)
    result = CliRunner().invoke(app, [str(ORLIB / "gap1.txt"), "--time-limit", "-1"])
    assert isinstance(result.exception, OptionError)


def test_cli_reports_an_infeasible_instance_as_an_answer(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("1\n2 3\n1 1 1\n1 1 1\n3 3 3\n3 3 3\n4 4\n")
    result = CliRunner().invoke(app, [str(path), "--json"])
    # the answer is printed whole, and the exit code tells a script, as kopru cflp's does
    assert result.exit_code == 2
    assert json.loads(result.output)["instances"][0]["status"] == "infeasible"


@pytest.mark.parametrize("engine", ["auto", "lagrangian", "mip"])
@pytest.mark.parametrize("cost", [[5.0, 7.0], [5.5, 7.0]])
def test_optional_jobs_with_no_usable_pair_assign_nothing_optimally(engine, cost):
    """Review: HiGHS answers kModelEmpty for a model without columns, which came back as
    'the time limit came before the LP relaxation' with no time limit. Oracle: brute force over
    every assignment (each job to the agent or to none): only 'none' fits, worth 0."""
    p = GapProblem(np.array([cost]), np.array([[2.0, 2.0]]), np.array([1.0]), maximize=True, optional=True)
    if engine == "lagrangian" and choose_engine(p) != "lagrangian":
        pytest.skip("fractional costs: the lagrangian engine does not apply")
    best = max(
        sum(cost[j] for j in range(2) if plan[j] == 0)
        for plan in itertools.product([-1, 0], repeat=2)
        if sum(2.0 for j in range(2) if plan[j] == 0) <= 1.0
    )
    s = solve_gap(p, engine=engine)
    assert s.status is Status.OPTIMAL and s.message == ""
    assert s.objective == best == 0 and s.bound == 0
    assert str(s.objective) == "0.0"  # never -0.0
    assert (s.assignment == -1).all()


def test_status_of_reads_an_empty_model_by_its_rows():
    """HiGHS says kModelEmpty for a model without columns whatever its rows say; 0 in [1, 1] is
    infeasible, 0 in [0, 1] optimal."""
    import highspy

    from kopru.highs import new_highs, status_of

    for row_lower, expected in ((0.0, Status.OPTIMAL), (1.0, Status.INFEASIBLE)):
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = 0, 1
        lp.row_lower_, lp.row_upper_ = np.array([row_lower]), np.array([1.0])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.num_row_ = np.array([0]), 1
        h = new_highs()
        h.passModel(lp)
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kModelEmpty
        assert status_of(h) is expected


def test_gap_json_says_why_an_instance_is_infeasible_whoever_proves_it(tmp_path):
    """Review: --json dropped the reason, and the pre-check's record had an empty assignment where
    the solver's had one entry per job. Oracle: brute force over every assignment of each instance
    (none fits), the exact reasons, and one record shape for both."""
    precheck = "1\n2 3\n1 2 3\n4 5 6\n1 1 1\n1 1 1\n1 1\n"  # capacity 2 for 3 jobs of use 1
    solver = "1\n2 3\n1 2 3\n4 5 6\n2 2 2\n2 2 2\n3 3\n"  # each agent holds one job of use 2
    for text in (precheck, solver):
        weight = np.array([[1, 1, 1], [1, 1, 1]]) if text is precheck else np.full((2, 3), 2)
        cap = [1, 1] if text is precheck else [3, 3]
        fits = [
            plan
            for plan in itertools.product(range(2), repeat=3)
            if all(sum(weight[i, j] for j in range(3) if plan[j] == i) <= cap[i] for i in range(2))
        ]
        assert fits == []
    records = []
    for name, text in (("pre.txt", precheck), ("solver.txt", solver)):
        path = tmp_path / name
        path.write_text(text)
        result = CliRunner().invoke(app, [str(path), "--json"])
        assert result.exit_code == 2
        records.append(json.loads(result.stdout)["instances"][0])
    assert records[0]["message"] == (
        "no assignment can exist: total capacity (2) is below the least the jobs need, each at its"
        " smallest use (3)"
    )
    assert records[1]["message"] == "the solver proved that no assignment meets every constraint"
    for r in records:
        assert r["status"] == "infeasible" and r["assignment"] == [-1, -1, -1]
    assert records[0].keys() == records[1].keys()
    ok = tmp_path / "ok.txt"
    ok.write_text("1\n2 3\n1 2 3\n4 5 6\n1 1 1\n1 1 1\n5 5\n")
    record = json.loads(CliRunner().invoke(app, [str(ok), "--json"]).stdout)["instances"][0]
    assert record.keys() == records[0].keys() and record["message"] == ""


def test_status_of_maps_every_highs_status_honestly():
    """A limit is a limit (with or without a plan); a bounded model HiGHS calls unbounded-or-
    infeasible is infeasible; a solver failure is an error, never a 'time limit'."""
    from types import SimpleNamespace

    import highspy

    from kopru.highs import status_of

    S = highspy.HighsModelStatus

    def fake(model, plan=False, col_upper=(1.0,)):
        lp = SimpleNamespace(col_lower_=[0.0], col_upper_=list(col_upper), row_lower_=[], row_upper_=[])
        return SimpleNamespace(
            getModelStatus=lambda: model,
            getInfo=lambda: SimpleNamespace(primal_solution_status=2 if plan else 0),
            getLp=lambda: lp,
            modelStatusToString=lambda m: str(m),
        )

    assert status_of(fake(S.kOptimal, plan=True)) is Status.OPTIMAL
    assert status_of(fake(S.kTimeLimit, plan=True)) is Status.TIME_LIMIT
    assert status_of(fake(S.kIterationLimit)) is Status.NO_SOLUTION
    assert status_of(fake(S.kInfeasible)) is Status.INFEASIBLE
    assert status_of(fake(S.kUnboundedOrInfeasible)) is Status.INFEASIBLE
    # a memory limit is a limit like time (a review: it raised); failures are a KopruError the
    # command line prints in one line, not a RuntimeError's traceback
    assert status_of(fake(S.kMemoryLimit, plan=True)) is Status.TIME_LIMIT
    assert status_of(fake(S.kMemoryLimit)) is Status.NO_SOLUTION
    for model in (S.kSolveError, S.kModelError, S.kUnbounded):
        with pytest.raises(SolverError, match="HiGHS stopped with status"):
            status_of(fake(model))
    with pytest.raises(SolverError):
        status_of(fake(S.kUnboundedOrInfeasible, col_upper=(float("inf"),)))
