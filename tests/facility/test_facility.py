"""The facility-location MILP against published optima, brute force and an independent solver."""

import itertools
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import kopru.facility.solver as net
from kopru.errors import InfeasibleError, OptionError, OrlibError
from kopru.facility import FacilityProblem, Status, explain_infeasibility, plan_cost, read_cap, solve
from kopru.facility.lagrangian import _Relaxation, dual_bound, lagrangian, reduced_cost_fixing
from kopru.facility.solver import _restrict

ORLIB = Path(__file__).resolve().parents[1] / "data" / "orlib-cap"  # copied with its SOURCE.md
SOURCE = (ORLIB / "SOURCE.md").read_text()
# published multi-source optima (Beasley's capopt, as tabled in SOURCE.md)
OPTIMA = {
    m[0]: float(m[1]) for m in re.findall(r"\| (cap\d+) \| \d+×\d+ \| \d+ \| \d+ \| ([\d.]+) \|", SOURCE)
}
# single-source optima (Guastaroba & Speranza 2014, to about 7 significant digits)
SS_OPTIMA = {
    m[0]: float(m[1])
    for m in re.findall(r"\| (cap\d+) \| ([\d.]+) (?=\|)", SOURCE.split("## Single-source")[1])
}
SS_INFEASIBLE = ["cap41", "cap44", "cap51", "cap81", "cap114"]


def test_the_oracle_tables_were_read():
    assert len(OPTIMA) == 37
    assert len(SS_OPTIMA) == 24


@pytest.mark.parametrize("name", sorted(OPTIMA, key=lambda s: int(s[3:])))
def test_orlib_multi_source_optimum(name):
    p = read_cap(ORLIB / f"{name}.txt")
    s = solve(p)
    assert s.status is Status.OPTIMAL
    # capopt rounds to 3 decimals
    assert abs(s.objective - OPTIMA[name]) / OPTIMA[name] < 1e-6
    assert_feasible(p, s)


@pytest.mark.parametrize("name", ["cap61", "cap63", "cap64", "cap92", "cap123", "cap134"])
def test_orlib_single_source_optimum(name):
    p = read_cap(ORLIB / f"{name}.txt", single_source=True)
    s = solve(p)
    assert s.status is Status.OPTIMAL
    assert abs(s.objective - SS_OPTIMA[name]) / SS_OPTIMA[name] < 1e-6
    assert_feasible(p, s)
    assert set(np.unique(s.flows)) <= {0.0, 1.0}


@pytest.mark.parametrize("name", SS_INFEASIBLE)
def test_single_source_infeasible_instances_are_explained(name):
    p = read_cap(ORLIB / f"{name}.txt", single_source=True)
    with pytest.raises(
        InfeasibleError, match=r"market \d+ demands [\d,]+, more than any one site can supply"
    ):
        solve(p)


def assert_feasible(p: FacilityProblem, s) -> None:
    flows = s.flows
    np.testing.assert_allclose(flows.sum(axis=0), 1.0, atol=1e-6)  # every market served
    load = (flows * p.demand[None, :]).sum(axis=1)
    assert (load <= p.capacity * (1 + 1e-7) + 1e-6).all()  # capacities respected
    used = np.flatnonzero(flows.sum(axis=1) > 1e-9)
    assert set(used) <= set(s.open)  # only open sites serve
    assert plan_cost(p, s.open, flows) == pytest.approx(s.objective, rel=1e-7)


# -- small random instances against brute force and an independent LP ------------------------
def random_problem(
    seed: int, n_i: int, n_j: int, single: bool = False, levels: bool = False
) -> FacilityProblem:
    rng = np.random.default_rng(seed)
    demand = rng.integers(5, 40, n_j).astype(float)
    unit = rng.uniform(1, 20, (n_i, n_j))
    cap = rng.uniform(0.3, 0.9, n_i) * demand.sum()
    site = None
    if levels:  # every other candidate is a bigger level of the previous site
        site = np.arange(n_i) // 2
        cap = np.where(np.arange(n_i) % 2 == 1, cap * 1.8, cap)
    return FacilityProblem(
        fixed_cost=rng.uniform(50, 400, n_i),
        capacity=cap,
        demand=demand,
        assign_cost=unit * demand[None, :],
        site=site,
        single_source=single,
    )


def transport_lp(p: FacilityProblem, open_: list[int]) -> float:
    """Optimal split of demand over a fixed open set: scipy's linprog, an independent model."""
    k, n_j = len(open_), p.shape[1]
    c = p.assign_cost[open_].ravel()
    a_eq = np.kron(np.ones(k), np.eye(n_j))
    a_ub = np.kron(np.eye(k), p.demand[None, :])
    res = linprog(c, A_ub=a_ub, b_ub=p.capacity[open_], A_eq=a_eq, b_eq=np.ones(n_j), bounds=(0, 1))
    return res.fun + p.fixed_cost[open_].sum() if res.status == 0 else np.inf


def brute_force(p: FacilityProblem, allowed=lambda subset: True) -> float:
    best = np.inf
    sites = p.sites
    for r in range(1, p.shape[0] + 1):
        for subset in itertools.combinations(range(p.shape[0]), r):
            if len(set(sites[list(subset)])) < r or not allowed(subset):
                continue  # at most one level per site
            if p.single_source:
                best = min(best, single_source_brute(p, list(subset)))
            else:
                best = min(best, transport_lp(p, list(subset)))
    return best


def single_source_brute(p: FacilityProblem, open_: list[int]) -> float:
    best = np.inf
    for assign in itertools.product(open_, repeat=p.shape[1]):
        load = np.zeros(p.shape[0])
        np.add.at(load, np.array(assign), p.demand)
        if (load <= p.capacity + 1e-9).all():
            best = min(best, sum(p.assign_cost[i, j] for j, i in enumerate(assign)))
    return best + p.fixed_cost[open_].sum() if np.isfinite(best) else np.inf


@pytest.mark.parametrize("seed", range(6))
def test_multi_source_matches_brute_force(seed):
    p = random_problem(seed, 5, 7)
    assert solve(p).objective == pytest.approx(brute_force(p), rel=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_single_source_matches_brute_force(seed):
    p = random_problem(100 + seed, 4, 6, single=True)
    expected = brute_force(p)
    if np.isfinite(expected):
        assert solve(p).objective == pytest.approx(expected, rel=1e-7)
    else:
        with pytest.raises(InfeasibleError):
            solve(p)


@pytest.mark.parametrize("seed", range(4))
def test_capacity_levels_match_brute_force(seed):
    p = random_problem(200 + seed, 6, 6, levels=True)
    s = solve(p)
    assert s.objective == pytest.approx(brute_force(p), rel=1e-7)
    assert len(set(p.sites[s.open])) == len(s.open)  # one level per site


def test_max_sites_budget_share_and_forcing_match_brute_force():
    p = random_problem(7, 5, 7)
    capex = np.array([100.0, 300.0, 200.0, 250.0, 150.0])
    mask = np.array([True, False, True, False, False])
    cases = [
        (replace(p, max_sites=2), lambda s: len(s) <= 2),
        (replace(p, capex=capex, budget=450.0), lambda s: capex[list(s)].sum() <= 450),
        (replace(p, force_open=frozenset({1})), lambda s: 1 in s),
        (replace(p, force_closed=frozenset({0, 2})), lambda s: not {0, 2} & set(s)),
    ]
    for q, rule in cases:
        assert solve(q).objective == pytest.approx(brute_force(q, rule), rel=1e-7)
    # minimum share from the masked sites: check feasibility of the answer and optimality by LP
    q = replace(p, share_mask=mask, min_share=0.6)
    s = solve(q)
    served = (s.flows[mask] * p.demand[None, :]).sum()
    assert served >= 0.6 * p.demand.sum() - 1e-6
    assert s.objective >= solve(p).objective - 1e-6


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_i=st.integers(2, 8), n_j=st.integers(2, 15), single=st.booleans())
def test_every_plan_is_feasible_and_its_cost_recomputes(seed, n_i, n_j, single):
    """Property: demand met, capacities respected, only open sites used, objective = recomputed."""
    p = random_problem(seed, n_i, n_j, single=single)
    try:
        s = solve(p)
    except InfeasibleError:
        assert single or explain_infeasibility(p) is not None
        return
    if s.status is Status.INFEASIBLE:
        assert single
        return
    assert_feasible(p, s)


def test_lagrangian_bound_never_exceeds_the_optimum():
    for name in ("cap41", "cap71", "cap101", "cap131"):
        p = read_cap(ORLIB / f"{name}.txt")
        assert lagrangian(p).bound <= OPTIMA[name] * (1 + 1e-9)


def test_reduced_cost_fixing_keeps_the_optimum():
    """Closing every candidate the relaxation rules out leaves the published optimum reachable."""
    for name in ("cap61", "cap102", "cap133"):
        p = read_cap(ORLIB / f"{name}.txt")
        lag = lagrangian(p)
        assert lag.upper >= OPTIMA[name] * (1 - 1e-9) and lag.bound <= OPTIMA[name] * (1 + 1e-9)
        pruned = np.flatnonzero(reduced_cost_fixing(p, lag, lag.upper))
        assert len(pruned) > 0
        fixed = solve(replace(p, force_closed=frozenset(int(i) for i in pruned)))
        assert abs(fixed.objective - OPTIMA[name]) / OPTIMA[name] < 1e-6


def test_capb_runs_the_relaxation_and_fixes_candidates():
    p = read_cap(ORLIB / "capb.txt", capacity=5000)
    s = solve(p, time_limit=120)
    assert s.formulation == "cuts" and s.lagrangian_seconds > 0 and s.fixed_closed > 0
    assert abs(s.objective - 13656379.578) / 13656379.578 < 1e-6


@pytest.mark.parametrize("name", ["cap62", "cap94", "cap113"])
def test_formulations_agree(name):
    """Strong, aggregated and separated linking rows are three models of one problem."""
    p = read_cap(ORLIB / f"{name}.txt")
    results = {form: solve(p, formulation=form) for form in ("strong", "aggregated", "cuts")}
    for form, s in results.items():
        assert s.formulation == form and s.status is Status.OPTIMAL
        assert abs(s.objective - OPTIMA[name]) / OPTIMA[name] < 1e-6
        assert_feasible(p, s)


def test_separated_linking_on_a_generated_instance():
    # 40 sites x 600 customers; seed 7 solves in 2 s where seed 11 took 20 s (the suite's slowest test)
    p = random_problem(7, 40, 600)
    cuts, strong = solve(p, formulation="cuts"), solve(p, formulation="strong")
    assert cuts.objective == pytest.approx(strong.objective, rel=1e-8)
    assert_feasible(p, cuts)


def test_time_limit_reports_the_gap():
    p = read_cap(ORLIB / "capb.txt", capacity=7000)
    s = solve(p, time_limit=2)
    assert s.status in (Status.TIME_LIMIT, Status.OPTIMAL, Status.NO_SOLUTION)
    if s.status is Status.TIME_LIMIT:
        assert s.gap is not None and s.gap > 0 and s.bound <= s.objective


def test_a_time_limit_keeps_the_lagrangian_plan():
    """Review: capb at 5,000 with 6 s came back no_solution though the Lagrangian had a plan 0.4 %
    above the optimum. Oracle: the published optimum (13,656,379.578) bounds the plan from below
    and the bound from above; the plan's cost recomputes from its flows."""
    optimum = 13656379.578
    p = read_cap(ORLIB / "capb.txt", capacity=5000)
    s = solve(p, time_limit=1)
    assert s.status in (Status.TIME_LIMIT, Status.OPTIMAL) and s.objective is not None
    assert_feasible(p, s)
    assert s.objective >= optimum * (1 - 1e-9) and s.bound <= optimum * (1 + 1e-9)
    assert s.gap == pytest.approx((s.objective - s.bound) / s.objective)


def test_the_lagrangian_stops_at_its_deadline(monkeypatch):
    """A deadline already passed: one evaluation (the bound at the start) and one plan, not 600."""
    p = read_cap(ORLIB / "capb.txt", capacity=5000)
    calls = []
    evaluate = _Relaxation.evaluate
    monkeypatch.setattr(_Relaxation, "evaluate", lambda self, u: calls.append(1) or evaluate(self, u))
    lag = lagrangian(p, deadline=0.0)
    assert len(calls) == 1 and np.isfinite(lag.bound) and np.isfinite(lag.upper)
    assert lag.bound <= 13656379.578 <= lag.upper


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"capacity": np.full(5, 1.0)}, "total capacity of the sites that may open"),
        ({"force_open": frozenset({1}), "force_closed": frozenset({1})}, "forced both open and closed"),
        ({"max_sites": 1, "capacity": np.full(5, 60.0)}, "the 1 largest sites hold"),
    ],
)
def test_infeasibility_is_explained(change, message):
    p = replace(random_problem(3, 5, 7), **change)
    with pytest.raises(InfeasibleError, match=message):
        solve(p)


def test_market_no_site_can_serve():
    p = random_problem(3, 3, 4)
    cost = p.assign_cost.copy()
    cost[:, 2] = np.inf
    # without names a market is counted from 1, as in an OR-Library file
    with pytest.raises(InfeasibleError, match=r"market\(s\) 3 cannot be served"):
        solve(replace(p, assign_cost=cost))
    named = replace(p, assign_cost=cost, market_names=("Almaty", "Tashkent", "Baku", "Moscow"))
    with pytest.raises(InfeasibleError, match=r"market\(s\) Baku cannot be served"):
        solve(named)


def test_single_sourcing_names_the_market_too_big_for_any_site():
    p = random_problem(3, 3, 4)
    demand = np.array([10.0, 150.0, 10.0, 10.0])  # the second market needs more than any one site's 100
    big = replace(p, demand=demand, capacity=np.full(3, 100.0), single_source=True)
    with pytest.raises(InfeasibleError, match=r"single sourcing: market 2 demands 150"):
        solve(big)
    with pytest.raises(InfeasibleError, match=r"single sourcing: market Tashkent demands 150"):
        solve(replace(big, market_names=("Almaty", "Tashkent", "Baku", "Moscow")))


def test_orlib_reader_errors(tmp_path):
    with pytest.raises(OrlibError, match="does not exist"):
        read_cap(tmp_path / "none.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("2 1\n10 5\n")
    with pytest.raises(OrlibError, match="needs 9 numbers, found 4"):
        read_cap(bad)
    with pytest.raises(OrlibError, match="give its value with --capacity"):
        read_cap(ORLIB / "capa.txt")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 0\n", "m and n must be >= 1"),
        ("2 1\n-5 10\n5 10\n3 1 2\n", "capacity of warehouse 1 is -5.0; expected a number from 0 to 1e15"),
        ("2 1\n5 10\n-inf 10\n3 1 2\n", "capacity of warehouse 2 is -inf"),
        ("2 1\nnan 10\n5 10\n3 1 2\n", "capacity of warehouse 1 is nan"),
        ("2 1\n5 1e308\n5 10\n3 1 2\n", "fixed cost of warehouse 1 is 1e\\+308"),
        ("2 1\n5 10\n5 10\n-3 1 2\n", "demand of customer 1 is -3.0"),
        (
            "2 1\n5 10\n5 10\n3 nan 2\n",
            "cost row of customer 1 is nan; expected .* \\(or inf: cannot serve\\)",
        ),
    ],
)
def test_orlib_reader_refuses_hostile_numbers(tmp_path, text, message):
    path = tmp_path / "hostile.txt"
    path.write_text(text)
    with pytest.raises(OrlibError, match=message):
        read_cap(path)


def test_orlib_inf_cost_means_cannot_serve(tmp_path):
    """Hand-computed: warehouse 1 cannot serve the customer, so warehouse 2 opens (10 + 2 = 12)."""
    path = tmp_path / "inf.txt"
    path.write_text("2 1\n5 10\n5 10\n3 inf 2\n")
    s = solve(read_cap(path))
    assert s.status == "optimal" and s.objective == pytest.approx(12.0) and list(s.open) == [1]


TOKENS = st.sampled_from(
    ["0", "1", "-1", "2", "inf", "-inf", "nan", "1e400", "1e308", "7.5", "x", "capacity"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(TOKENS, min_size=0, max_size=14))
def test_any_orlib_file_is_read_or_refused_by_name(tokens):
    """Property: a file of any such numbers is a problem kopru solves, one it proves has no plan (an
    infeasible status, or, where a check sees it before solving, one InfeasibleError line naming
    why), or one OrlibError line."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.txt"
        path.write_text(" ".join(["1", "1", *tokens]) if len(tokens) % 2 else " ".join(tokens))
        try:
            p = read_cap(path)
        except OrlibError as exc:
            assert "\n" not in str(exc)
            return
        try:
            s = solve(p, time_limit=10)
        except InfeasibleError as exc:  # e.g. every capacity 0 against a demand of 1
            assert "\n" not in str(exc) and str(exc).startswith("no plan can exist: ")
            return
        assert s.status in {"optimal", "infeasible"}
        if s.status == "optimal":
            assert np.isfinite(s.objective)


# -- the bound over every arc, the integral-LP shortcut and the restricted solve -------------------
def euclidean_problem(seed: int, n_i: int, n_j: int) -> FacilityProblem:
    """Sites and markets in the unit square; cost = distance x demand (like the benchmark's gen)."""
    rng = np.random.default_rng(seed)
    sites, markets = rng.uniform(0, 1, (n_i, 2)), rng.uniform(0, 1, (n_j, 2))
    demand = rng.integers(5, 36, n_j).astype(float)
    dist = np.hypot(*(sites[:, None, :] - markets[None, :, :]).transpose(2, 0, 1))
    total = demand.sum()
    share = rng.uniform(0.5, 1.5, n_i)
    return FacilityProblem(
        fixed_cost=np.round(25.0 * total * (0.3 * n_i) ** -1.5 * rng.uniform(0.75, 1.25, n_i)),
        capacity=np.round(5.0 * total * share / share.sum()),
        demand=demand,
        assign_cost=dist * demand[None, :] * 100,
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.2, 3.0))
def test_dual_bound_never_exceeds_the_published_optimum(seed, scale):
    """Weak duality: L(u) is a lower bound for any multipliers u, however poor."""
    p = read_cap(ORLIB / "cap71.txt")
    rel = _Relaxation.of(p)
    u = rel.start() * scale * np.random.default_rng(seed).uniform(0.5, 1.5, p.shape[1])
    assert rel.evaluate(u)[0] <= OPTIMA["cap71"] * (1 + 1e-9)
    assert dual_bound(p, u, OPTIMA["cap71"], deadline=np.inf) <= OPTIMA["cap71"] * (1 + 1e-9)


def test_dual_bound_from_the_lp_duals_reaches_the_lp_bound():
    """At the strong LP's duals the Lagrangian function is the LP bound (LP duality)."""
    p = euclidean_problem(5, 30, 400)
    strong = solve(p, formulation="cuts")
    rel = _Relaxation.of(p)
    assert strong.duals is not None
    at_duals = rel.evaluate(strong.duals / p.demand)[0]
    assert at_duals <= strong.objective * (1 + 1e-9)
    assert at_duals >= strong.objective * (1 - 2e-3)  # the LP gap of such instances is small


@pytest.mark.parametrize("name", ["cap71", "cap101", "cap131"])
def test_an_integral_lp_relaxation_is_returned_without_the_mip(name, monkeypatch):
    """These instances' strong LP is integral; the cutting-plane loop proves the optimum alone."""

    def no_mip(*args, **kwargs):
        raise AssertionError("the MIP ran although the LP relaxation was integral")

    monkeypatch.setattr(net, "_result", no_mip)
    p = read_cap(ORLIB / f"{name}.txt")
    s = solve(p, formulation="cuts")
    assert s.status is Status.OPTIMAL and s.bound == s.objective and s.gap == 0.0
    assert abs(s.objective - OPTIMA[name]) / OPTIMA[name] < 1e-6
    assert_feasible(p, s)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_restricted_arcs_reach_the_full_optimum_with_a_bound_over_every_arc(seed, monkeypatch):
    """Oracle: the same problem solved with every arc (strong formulation)."""
    p = euclidean_problem(seed, 30, 300)
    full = solve(p, formulation="strong")
    monkeypatch.setattr(net, "RESTRICT_MIN_ARCS", 1_000)
    monkeypatch.setattr(net, "RESTRICT_NEAREST", 8)
    bounds = []
    original = net.dual_bound
    monkeypatch.setattr(net, "dual_bound", lambda *a, **k: bounds.append(original(*a, **k)) or bounds[-1])
    s = solve(p)
    assert bounds, "the restricted path did not run"
    assert all(b <= full.objective * (1 + 1e-9) for b in bounds)  # valid for the whole problem
    assert s.status is Status.OPTIMAL
    assert s.objective == pytest.approx(full.objective, rel=1e-7)
    assert s.bound <= s.objective * (1 + 1e-9)
    assert_feasible(p, s)


def test_restrict_keeps_each_markets_cheapest_arcs():
    p = euclidean_problem(3, 12, 30)
    r = _restrict(replace(p, force_closed=frozenset({0})), 4)
    kept = np.isfinite(r.assign_cost)
    assert (kept.sum(axis=0) == 4).all() and not kept[0].any()
    unit = p.assign_cost / p.demand
    for j in range(30):  # brute force: the 4 cheapest of sites 1..11
        assert set(np.flatnonzero(kept[:, j])) == set(1 + np.argsort(unit[1:, j])[:4])


BASE = FacilityProblem(
    np.array([10.0, 10.0, 10.0]),
    np.array([50.0, 50.0, 50.0]),
    np.array([20.0, 30.0]),
    np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]]),
)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"force_open": frozenset({7})},
            "force_open",
            "force_open names site 7, not a site of the problem; sites are 0 to 2",
        ),
        (
            {"force_closed": frozenset({-1})},
            "force_closed",
            "force_closed names site -1, not a site of the problem; sites are 0 to 2",
        ),
        (
            {"budget": float("nan"), "capex": np.ones(3)},
            "budget",
            "budget must be a finite number >= 0, got nan",
        ),
        ({"budget": -1.0, "capex": np.ones(3)}, "budget", "budget must be a finite number >= 0, got -1.0"),
        ({"max_sites": -1}, "max_sites", "max_sites must be an integer >= 0, got -1"),
        ({"max_sites": 1.5}, "max_sites", "max_sites must be an integer >= 0, got 1.5"),
        (
            {"min_share": 2.0, "share_mask": np.array([True, False, False])},
            "min_share",
            "min_share must be a share from 0 to 1, got 2.0",
        ),
        ({"min_share": float("nan")}, "min_share", "min_share must be a share from 0 to 1, got nan"),
        ({"site": np.array([0, 1])}, "site", "site must have one value per candidate (3), got shape (2,)"),
        ({"capex": np.ones(4)}, "capex", "capex must have one value per candidate (3), got shape (4,)"),
        (
            {"share_mask": np.ones(2, dtype=bool)},
            "share_mask",
            "share_mask must have one value per candidate (3), got shape (2,)",
        ),
        ({"site": np.array([0.0, 1.0, 1.0])}, "site", "site must hold site indices, integers >= 0"),
        (
            {"assign_cost": np.array([[np.nan, 2.0], [2.0, 1.0], [3.0, 3.0]])},
            "assign_cost",
            "assign_cost must be a number or inf (no arc) for every pair, found NaN",
        ),
    ],
)
def test_facility_problem_refuses_bad_options_by_name(change, field, message):
    """Review: these were ignored (forced ids outside the sites), misread (budget NaN as a time
    limit) or failed inside numpy. Oracle: the exact one-line message and the field it names."""
    with pytest.raises(OptionError) as caught:
        replace(BASE, **change)
    assert str(caught.value) == message and caught.value.field == field


def test_forcing_a_site_of_a_multi_level_problem_counts_sites_not_candidates():
    p = replace(BASE, site=np.array([0, 0, 1]), force_open=frozenset({1}))
    assert 2 in solve(p).open
    with pytest.raises(
        OptionError, match="force_open names site 2, not a site of the problem; sites are 0 to 1"
    ):
        replace(p, force_open=frozenset({2}))
