"""Marginal values of a network plan against hand-computed cases, re-solves and CBC's duals."""

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from kopru.facility import read_cap, solve
from kopru.facility.marginal import marginal_values

ORLIB = Path(__file__).resolve().parents[1] / "data" / "orlib-cap"

# Two plants, two markets (per-unit costs). Plant 0 is cheap and holds 10; plant 1 holds 100.
COST = np.array([[1.0, 2.0], [3.0, 5.0]])
DEMAND = np.array([6.0, 8.0])
CAPACITY = np.array([10.0, 100.0])


def transport_cost(cost, capacity, demand, share_mask=None, min_share=0.0):
    """The transportation LP's optimum by scipy's linprog (None where infeasible): the re-solve oracle."""
    k, j = cost.shape
    arcs = np.isfinite(cost)
    c = cost[arcs]
    if not len(c):
        return 0.0 if not demand.any() else None
    ki, kj = np.nonzero(arcs)
    a_eq = np.zeros((j, len(c)))
    a_eq[kj, np.arange(len(c))] = 1.0
    a_ub = np.zeros((k, len(c)))
    a_ub[ki, np.arange(len(c))] = 1.0
    b_ub = capacity
    if share_mask is not None:
        row = -share_mask[ki].astype(float)
        a_ub, b_ub = np.vstack([a_ub, row]), np.append(b_ub, -min_share * demand.sum())
    r = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=demand, bounds=(0, None), method="highs")
    return r.fun if r.status == 0 else None


def test_hand_computed_two_plants():
    """By hand: plant 0 serves market 1 (saves 3 a unit) and 2 of market 0; plant 1 the other 4.
    One more unit of market 0 comes from plant 1 (3); of market 1 from plant 0, pushing a unit of
    market 0 to plant 1 (2 + 2 = 4), until plant 0 holds only market 1 (demand 10). A unit more of
    plant 0 saves 2 (market 0 moved back) until it serves both markets (14)."""
    m = marginal_values(COST, CAPACITY, DEMAND, np.array([0, 1]))
    assert m.objective == pytest.approx(30.0)
    assert m.cost_up.value == pytest.approx([3.0, 4.0])
    assert m.cost_up.until == pytest.approx([102.0, 10.0])  # plant 1 full at 100 + 2 from plant 0
    assert m.cost_down.value == pytest.approx([3.0, 4.0])
    assert m.cost_down.until == pytest.approx([2.0, 4.0])
    assert m.capacity_up.value == pytest.approx([2.0, 0.0])
    assert m.capacity_up.until == pytest.approx([14.0, np.inf])
    assert m.capacity_down.value == pytest.approx([2.0, 0.0])
    assert m.capacity_down.until == pytest.approx([8.0, 4.0])  # below 8, market 1 moves at +3
    assert m.spare == pytest.approx([0.0, 96.0])


def test_a_full_plant_has_no_room_for_one_more_unit():
    """One plant exactly full: one more unit sold cannot be made (no value), one fewer saves its own
    cost; more capacity saves nothing, less cannot serve the markets."""
    m = marginal_values(COST[:1], np.array([14.0]), DEMAND, np.array([0]))
    assert np.isnan(m.cost_up.value).all()
    assert m.cost_down.value == pytest.approx([1.0, 2.0])
    assert m.capacity_up.value == pytest.approx([0.0])
    assert m.capacity_up.until == pytest.approx([np.inf])
    assert np.isnan(m.capacity_down.value).all()


def test_minimum_share_hand_computed():
    """Half of all units must come from plant 1 (the dear one): it takes market 0 (the cheaper to
    move, +2 a unit) and 1 unit of market 1 (+3): 37. One more unit of market 0 is made at plant 1
    (3) and frees half a unit of market 1 to go back to plant 0 (-1.5): 1.5. One more point of the
    share moves 0.14 units of market 1 at +3: 0.42, until plant 1 makes everything (share 1);
    one point less saves the same down to 6/14, below which market 0 moves back (+2)."""
    m = marginal_values(COST, CAPACITY, DEMAND, np.array([0, 1]), np.array([False, True]), 0.5)
    assert m.objective == pytest.approx(37.0)
    assert m.cost_up.value == pytest.approx([1.5, 3.5])
    assert m.share_up.value == pytest.approx([0.42])
    assert m.share_up.until == pytest.approx([1.0])
    assert m.share_down.value == pytest.approx([0.42])
    assert m.share_down.until == pytest.approx([6 / 14])
    one_more = DEMAND + np.array([1.0, 0.0])
    assert transport_cost(COST, CAPACITY, one_more, np.array([False, True]), 0.5) == pytest.approx(38.5)


def test_a_share_that_does_not_bind_is_free_up_to_what_is_made():
    m = marginal_values(COST, CAPACITY, DEMAND, np.array([0, 1]), np.array([True, False]), 0.3)
    made = 10 / 14  # plant 0 is full and is the counted one
    assert m.share_up.value == pytest.approx([0.0])
    assert m.share_up.until == pytest.approx([made])
    assert m.share_down.value == pytest.approx([0.0])
    assert m.share_down.until == pytest.approx([0.0])


def _orlib_plan(name):
    p = read_cap(ORLIB / f"{name}.txt")
    sol = solve(p, time_limit=60)
    per_unit = p.assign_cost / p.demand[None, :]
    return p, sol, per_unit


@pytest.mark.parametrize("name", ["cap71", "cap101"])
def test_orlib_plan_against_re_solves(name):
    """Oracle: scipy's linprog re-solving the OR-Library plan's transportation problem with one
    market's demand one unit up and down, and with each open plant's capacity one unit up and
    down; and at the far end of each range the cost moved by exactly the value times the distance."""
    p, sol, per_unit = _orlib_plan(name)
    m = marginal_values(per_unit, p.capacity, p.demand, sol.open)
    cost, cap, d = per_unit[sol.open], p.capacity[sol.open], p.demand
    z = transport_cost(cost, cap, d)
    assert m.objective == pytest.approx(z, rel=1e-9)
    assert m.objective + p.fixed_cost[sol.open].sum() == pytest.approx(sol.objective, rel=1e-7)
    for j in range(0, len(d), 7):
        e = np.eye(len(d))[j]
        up = transport_cost(cost, cap, d + e)
        assert (up is None and np.isnan(m.cost_up.value[j])) or up - z == pytest.approx(
            m.cost_up.value[j], rel=1e-6, abs=1e-6
        )
        assert z - transport_cost(cost, cap, d - e) == pytest.approx(m.cost_down.value[j], rel=1e-6, abs=1e-6)
        far = m.cost_up.until[j]
        if np.isfinite(far) and np.isfinite(m.cost_up.value[j]):
            moved = transport_cost(cost, cap, d + e * (far - d[j]))
            assert moved - z == pytest.approx(m.cost_up.value[j] * (far - d[j]), rel=1e-6, abs=1e-4)
    for k in range(len(sol.open)):
        e = np.eye(len(cap))[k]
        assert z - transport_cost(cost, cap + e, d) == pytest.approx(m.capacity_up.value[k], abs=1e-6)
        less = transport_cost(cost, cap - e, d)
        assert (less is None and np.isnan(m.capacity_down.value[k])) or less - z == pytest.approx(
            m.capacity_down.value[k], abs=1e-6
        )


def test_orlib_plan_against_cbc_duals():
    """Oracle: CBC (through PuLP) solving the same transportation LP; its duals of the market rows
    and capacity rows are the marginal values wherever the plan is not at a corner (one-sided values
    equal)."""
    pulp = pytest.importorskip("pulp")
    p, sol, per_unit = _orlib_plan("cap71")
    m = marginal_values(per_unit, p.capacity, p.demand, sol.open)
    cost, cap, d = per_unit[sol.open], p.capacity[sol.open], p.demand
    prob = pulp.LpProblem("transport", pulp.LpMinimize)
    arcs = [(k, j) for k in range(len(cap)) for j in range(len(d)) if np.isfinite(cost[k, j])]
    y = {a: prob.add_variable(f"y_{a[0]}_{a[1]}", 0, None) for a in arcs}
    prob += pulp.lpSum(cost[a] * v for a, v in y.items())
    for j in range(len(d)):
        prob += pulp.lpSum(v for (k, jj), v in y.items() if jj == j) == d[j], f"market_{j}"
    for k in range(len(cap)):
        prob += pulp.lpSum(v for (kk, j), v in y.items() if kk == k) <= cap[k], f"capacity_{k}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        prob.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.value(prob.objective) == pytest.approx(m.objective, rel=1e-9)
    unique = np.isclose(m.cost_up.value, m.cost_down.value)
    assert unique.sum() >= len(d) // 2  # most markets are not at a corner
    pi = np.array([prob.get_constraint_by_name(f"market_{j}").pi for j in range(len(d))])
    assert pi[unique] == pytest.approx(m.cost_up.value[unique], rel=1e-6, abs=1e-6)
    unique_k = np.isclose(m.capacity_up.value, m.capacity_down.value)
    pi_k = np.array([prob.get_constraint_by_name(f"capacity_{k}").pi for k in range(len(cap))])
    assert -pi_k[unique_k] == pytest.approx(m.capacity_up.value[unique_k], abs=1e-6)


def _claims_hold(z_at, b: float, side, e: int, up: bool) -> None:
    """A rate claimed to hold from b to ``until`` (by a convex value function, equality at the far
    end means linear all the way) matches re-solves there and at a hundredth of a unit; no rate
    means not even a millionth of a unit that way is feasible (``z_at`` is None below zero)."""
    value, until = side.value[e], side.until[e]
    sign = 1.0 if up else -1.0
    if np.isnan(value):
        assert z_at(b + sign * 1e-6) is None
        return
    z = z_at(b)
    far = until if np.isfinite(until) else b + sign * 10.0
    assert (far - b) * sign >= -1e-9
    for t in {far, b + sign * min(0.01, abs(far - b))}:
        moved = z_at(t)
        assert moved is not None, (t, b, until)
        assert moved - z == pytest.approx(value * (t - b), rel=1e-6, abs=1e-6), (t, b, until, value)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    sites=st.integers(1, 4),
    markets=st.integers(1, 5),
    tight=st.floats(1.0, 1.6),
    share=st.sampled_from([0.0, 0.0, 0.1, 0.5, 0.9]),
)
def test_every_rate_holds_over_its_range_with_floats_shares_and_missing_arcs(
    seed, sites, markets, tight, share
):
    """Oracle: scipy's linprog re-solves. Float costs and demands, some markets with no demand, arcs
    missing, a minimum share from a random subset: every one-sided rate of markets, capacities and
    the share holds, by re-solves, over the range it claims."""
    rng = np.random.default_rng(seed)
    cost = np.round(rng.uniform(1, 20, (sites, markets)), 2)
    cost[rng.random((sites, markets)) < 0.2] = np.inf
    demand = np.round(rng.uniform(0, 30, markets), 1)
    demand[rng.random(markets) < 0.2] = 0.0
    capacity = np.round(rng.dirichlet(np.ones(sites)) * demand.sum() * tight, 1)
    mask = rng.random(sites) < 0.5
    args = (mask, share) if share and mask.any() else (None, 0.0)
    if transport_cost(cost, capacity, demand, *args) is None:
        return
    m = marginal_values(cost, capacity, demand, np.arange(sites), *args)
    for j in range(markets):

        def z_at(v, j=j):
            d = demand.copy()
            d[j] = v
            return transport_cost(cost, capacity, d, *args) if v >= 0 else None

        _claims_hold(z_at, demand[j], m.cost_up, j, True)
        _claims_hold(z_at, demand[j], m.cost_down, j, False)
    for k in range(sites):

        def z_cap(v, k=k):
            c = capacity.copy()
            c[k] = v
            return None if v < 0 else transport_cost(cost, c, demand, *args)

        # a capacity's rates are savings: the cost's own rate is their negative
        up = type(m.capacity_up)(-m.capacity_up.value, m.capacity_up.until)
        down = type(m.capacity_down)(-m.capacity_down.value, m.capacity_down.until)
        _claims_hold(z_cap, capacity[k], up, k, True)
        _claims_hold(z_cap, capacity[k], down, k, False)
        assert m.spare[k] == 0 or m.capacity_up.value[k] == 0
    if args[0] is not None and demand.sum() > 0:
        point = 0.01

        def z_share(v):
            return None if v < 0 or v > 1 else transport_cost(cost, capacity, demand, mask, v)

        # the share's rates are per point: per unit of share, a hundred times that
        for side, up in ((m.share_up, True), (m.share_down, False)):
            scaled = type(side)(side.value / point, side.until)
            _claims_hold(z_share, share, scaled, 0, up)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    sites=st.integers(1, 4),
    markets=st.integers(1, 5),
    tight=st.floats(1.0, 1.6),
)
def test_one_sided_values_are_ordered_and_match_re_solves(seed, sites, markets, tight):
    """Invariants of a convex value function: one more unit sold adds at least what one fewer saves,
    one more unit of capacity saves at most what one less costs; each matches a re-solve a step away."""
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 20, (sites, markets)).astype(float)
    demand = rng.integers(1, 30, markets).astype(float)
    capacity = rng.multinomial(int(demand.sum() * tight), np.full(sites, 1 / sites)).astype(float)
    if transport_cost(cost, capacity, demand) is None:
        return
    m = marginal_values(cost, capacity, demand, np.arange(sites))
    both = np.isfinite(m.cost_up.value)
    assert (m.cost_up.value[both] >= m.cost_down.value[both] - 1e-9).all()
    fine = np.isfinite(m.capacity_down.value)
    assert (m.capacity_up.value[fine] <= m.capacity_down.value[fine] + 1e-9).all()
    z = transport_cost(cost, capacity, demand)
    for j in range(markets):
        up = transport_cost(cost, capacity, demand + np.eye(markets)[j])
        if up is None:
            assert np.isnan(m.cost_up.value[j])
        else:
            assert up - z == pytest.approx(m.cost_up.value[j], abs=1e-7)


def _brute_assignment(cost, cap, demand, mask=None, share=0.0):
    """The cheapest single-source assignment by enumerating every one (NaN where none fits)."""
    import itertools

    n_k, n_j = cost.shape
    best = np.inf
    for a in itertools.product(range(n_k), repeat=n_j):
        a = np.array(a, dtype=int)
        c = cost[a, np.arange(n_j)]
        if not np.isfinite(c).all() or (np.bincount(a, weights=demand, minlength=n_k) > cap + 1e-9).any():
            continue
        if mask is not None and demand[mask[a]].sum() < share * demand.sum() - 1e-9:
            continue
        best = min(best, float((c * demand).sum()))
    return best if np.isfinite(best) else np.nan


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sites=st.integers(1, 3),
    markets=st.integers(1, 4),
    with_share=st.booleans(),
)
def test_single_source_steps_against_enumeration(seed, sites, markets, with_share):
    """Oracle: every assignment enumerated, with one unit more or less of each demand, capacity and
    (where asked) a point of the minimum share."""
    from kopru.facility.marginal import single_source_steps

    rng = np.random.default_rng(seed)
    cost = rng.uniform(1, 10, (sites, markets)).round(2)
    cost[rng.random((sites, markets)) < 0.15] = np.inf
    demand = rng.integers(0, 6, markets).astype(float)
    cap = rng.integers(3, 15, sites).astype(float)
    mask = rng.random(sites) < 0.5 if with_share else None
    share = float(rng.choice([0.3, 0.6])) if with_share else 0.0
    base = _brute_assignment(cost, cap, demand, mask, share)
    if np.isnan(base):
        with pytest.raises(ValueError, match="cannot serve the demand whole"):
            single_source_steps(cost, cap, demand, np.arange(sites), mask, share)
        return
    m = single_source_steps(cost, cap, demand, np.arange(sites), mask, share)
    assert m.objective == pytest.approx(base, abs=1e-6)

    def same(got, want):
        assert (np.isnan(got) and np.isnan(want)) or got == pytest.approx(want, abs=1e-6), (got, want)

    for j in range(markets):
        e = np.eye(markets)[j]
        same(m.cost_up.value[j], _brute_assignment(cost, cap, demand + e, mask, share) - base)
        less = _brute_assignment(cost, cap, demand - e, mask, share) if demand[j] > 0 else np.nan
        same(m.cost_down.value[j], base - less)
    for k in range(sites):
        e = np.eye(sites)[k]
        same(m.capacity_up.value[k], base - _brute_assignment(cost, cap + e, demand, mask, share))
        same(
            m.capacity_down.value[k],
            _brute_assignment(cost, np.maximum(cap - e, 0), demand, mask, share) - base,
        )
    if with_share:
        same(m.share_up.value[0], _brute_assignment(cost, cap, demand, mask, share + 0.01) - base)
        same(m.share_down.value[0], base - _brute_assignment(cost, cap, demand, mask, share - 0.01))
    assert np.isnan(m.cost_up.until).all()  # a step: no range is claimed


def test_single_source_steps_against_cbc():
    """Oracle: CBC (through PuLP) re-solving the single-source assignment of OR-Library's cap71 over
    the plan's open sites, with one unit more in three markets and one unit more capacity at the
    busiest open site."""
    pulp = pytest.importorskip("pulp")
    from kopru.facility.marginal import single_source_steps

    p = read_cap(ORLIB / "cap71.txt", single_source=True)
    sol = solve(p)
    per_unit = p.assign_cost / np.where(p.demand > 0, p.demand, 1.0)
    cost, cap, d = per_unit[sol.open], p.capacity[sol.open], p.demand
    m = single_source_steps(per_unit, p.capacity, p.demand, sol.open)

    def cbc(demand, capacity):
        prob = pulp.LpProblem("gap", pulp.LpMinimize)
        x = {
            (k, j): prob.add_variable(f"x_{k}_{j}", 0, 1, pulp.LpBinary)
            for k in range(len(capacity))
            for j in range(len(demand))
        }
        prob += pulp.lpSum(cost[k, j] * demand[j] * v for (k, j), v in x.items())
        for j in range(len(demand)):
            prob += pulp.lpSum(x[k, j] for k in range(len(capacity))) == 1
        for k in range(len(capacity)):
            prob += pulp.lpSum(demand[j] * x[k, j] for j in range(len(demand))) <= capacity[k]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            prob.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0))
        return pulp.value(prob.objective)

    base = cbc(d, cap)
    assert m.objective == pytest.approx(base, rel=1e-9)
    for j in (0, 17, 42):
        assert m.cost_up.value[j] == pytest.approx(cbc(d + np.eye(len(d))[j], cap) - base, abs=1e-4)
    busiest = int(np.argmin(m.spare))
    more = cap + np.eye(len(cap))[busiest]
    assert m.capacity_up.value[busiest] == pytest.approx(base - cbc(d, more), abs=1e-4)


def test_single_source_steps_refuse_a_set_the_clock_cut_short(monkeypatch):
    """A step the time limit stops is not a step that cannot be served: rather than mix the two,
    the whole set is refused (TimeoutError, which the plan turns into a note)."""
    from kopru.facility import marginal

    real = marginal._assignment
    calls = []

    def first_only(*args):
        calls.append(1)
        return real(*args) if len(calls) == 1 else (None, None)

    monkeypatch.setattr(marginal, "_assignment", first_only)
    with pytest.raises(TimeoutError, match=r"did not finish within 30 s \(1 done\)"):
        marginal.single_source_steps(COST, CAPACITY, DEMAND, np.arange(2))


def test_single_source_partial_steps_are_per_unit_of_the_step_taken():
    """Found in review: a demand of half a unit steps down by half a unit, a share of 99.5 % up by
    half a point; each value is per unit (per point) of the step actually taken. By hand: one plant
    at 2 a unit, the other at 3."""
    from kopru.facility.marginal import single_source_steps

    cost = np.array([[2.0, 2.0], [3.0, 3.0]])
    m = single_source_steps(cost, np.array([100.0, 100.0]), np.array([0.5, 10.0]), np.arange(2))
    assert m.cost_down.value[0] == pytest.approx(2.0) and m.cost_up.value[0] == pytest.approx(2.0)
    zero = single_source_steps(cost, np.array([100.0, 0.0]), np.array([0.5, 10.0]), np.arange(2))
    assert np.isnan(zero.capacity_down.value[1])  # no capacity to take a unit from


def test_a_lumpy_share_is_priced_whole():
    """Found in review: one point of share moves no market, yet the share costs. By hand: 1 a unit at
    the uncounted plant, 5 and 9 at the counted one, demands 3 and 10, half of the 13 units to be
    made at the counted plant: the market of 10 must go there (9 x 10) and the 3 stay (1 x 3), 93,
    against 13 with no share: the share costs 80."""
    from kopru.facility.marginal import single_source_steps

    m = single_source_steps(
        np.array([[1.0, 1.0], [5.0, 9.0]]),
        np.array([100.0, 100.0]),
        np.array([3.0, 10.0]),
        np.arange(2),
        np.array([False, True]),
        0.5,
    )
    assert m.objective == pytest.approx(93.0) and m.share_cost == pytest.approx(80.0)
    assert m.share_up.value[0] == pytest.approx(0.0)  # 50 % -> 51 %: the same assignment holds
