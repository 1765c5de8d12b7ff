"""The network optimizer on the shipped examples: feasible plans, sensitivity, clear failures."""

import json
from dataclasses import replace

import numpy as np
import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

import kopru
from kopru.costs import landed_cost
from kopru.facility import solve
from kopru.inputs import prepare
from kopru.profile import load_profile, profile_from_dict
from kopru.siting import best_single_site, build_problem

PROFILES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def optimized():
    return {name: kopru.optimize(EXAMPLES / f"{name}.yaml") for name in PROFILES}


@pytest.mark.parametrize("name", PROFILES)
def test_every_example_gets_an_optimal_feasible_network(optimized, name):
    plan = optimized[name]
    n = plan.network
    assert n.status == "optimal" and n.gap is not None and n.gap <= 1e-6
    demand = {m["id"]: m["demand"] for m in plan.markets}
    served = {m: 0.0 for m in demand}
    for f in n.flows:
        served[f.market] += f.units
    for m, d in demand.items():
        assert served[m] == pytest.approx(d, rel=1e-6)
    for o in n.open:
        assert o.units <= o.capacity * (1 + 1e-7)
        assert {f.site for f in n.flows} >= {o.site} or o.units == 0
    # a network is never dearer than the best plan that uses one site for everything
    if n.best_single_site_cost is not None:
        assert n.objective <= n.best_single_site_cost * (1 + 1e-9)
    # the objective recomputes from the open sites and the flows
    total = sum(o.fixed_cost for o in n.open) + sum(f.cost for f in n.flows)
    assert total == pytest.approx(n.objective, rel=1e-7)


def test_sensitivity_matches_sequential_re_solves(optimized):
    """The parallel what-if re-solves agree with re-solving one by one."""
    profile = load_profile(EXAMPLES / "apparel.yaml")
    pre = prepare(profile, kopru.load_data())
    cands = build_problem(pre, profile.optimize)
    ids = cands.site_ids
    for row in optimized["apparel"].network.sensitivity[:4]:
        s = ids.index(row.site)
        p = cands.problem
        q = (
            replace(p, force_closed=p.force_closed | {s})
            if row.action == "close"
            else replace(p, force_open=p.force_open | {s})
        )
        assert solve(q).objective == pytest.approx(row.objective, rel=1e-7)


def test_best_single_site_agrees_with_the_ranking():
    """With one level at annual_volume, the cheapest single site is the plan's recommendation."""
    profile = load_profile(EXAMPLES / "apparel.yaml")
    plan = kopru.plan(profile)
    pre = prepare(profile, kopru.load_data())
    site, cost = best_single_site(
        build_problem(pre, profile.optimize.model_copy(update={"capacity_levels": ()}))
    )
    assert site == plan.recommendation.site
    assert cost == pytest.approx(plan.recommendation.total, rel=1e-9)


def test_options_constrain_the_plan():
    plan = kopru.optimize(
        EXAMPLES / "apparel.yaml", max_sites=1, force_closed=("sez_turan",), sensitivity=False
    )
    n = plan.network
    assert len(n.open) == 1 and n.open[0].site != "sez_turan"
    tr_only = kopru.optimize(
        EXAMPLES / "apparel.yaml", force_open=("plant_TR-20",), min_kz_share=0.5, sensitivity=False
    ).network
    assert "plant_TR-20" in {o.site for o in tr_only.open}
    kz_units = sum(f.units for f in tr_only.flows if not f.site.startswith("plant_TR"))
    assert kz_units >= 0.5 * sum(m["demand"] for m in plan.markets) - 1e-6


def test_contradictions_are_explained_not_crashed():
    # bad input, refused by name before any solving
    with pytest.raises(kopru.ProfileError, match="'sez_turan' is forced both open and closed"):
        kopru.optimize(
            EXAMPLES / "apparel.yaml",
            force_open=("sez_turan",),
            force_closed=("sez_turan",),
            sensitivity=False,
        )
    with pytest.raises(kopru.ProfileError, match=r"force_open: no site is called 'atlantis'"):
        kopru.optimize(EXAMPLES / "apparel.yaml", force_open=("atlantis",))
    with pytest.raises(kopru.ProfileError, match="optimize options: max_sites"):
        kopru.optimize(EXAMPLES / "apparel.yaml", max_sites=0)


def test_optimize_cli(cli, tmp_path):
    r = cli("optimize", EXAMPLES / "appliances.yaml", "--out", tmp_path, "--no-sensitivity")
    assert r.code == 0, r.err
    assert "Network plan (proven optimal" in " ".join(r.out.split())
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["network"]["status"] == "optimal" and plan["network"]["open"]
    html = (tmp_path / "report.html").read_text()
    assert "network-open" in html and "network-flows" in html
    assert "network-marginal-markets" in html and "network-marginal-capacity" in html
    assert "Marginal values: One more unit sold adds" in " ".join(r.out.split())
    r = cli("plan", EXAMPLES / "apparel.yaml", "--optimize", "--json")
    assert r.code == 0 and json.loads(r.out)["network"]["sensitivity"]


def test_cflp_cli(cli, tmp_path):
    from pathlib import Path

    orlib = Path(__file__).resolve().parent / "data" / "orlib-cap"
    r = cli("cflp", orlib / "cap71.txt", "--json")
    assert r.code == 0
    out = json.loads(r.out)
    assert set(out) == {"status", "objective", "bound", "gap", "open", "seconds", "build_seconds"}
    assert out["status"] == "optimal" and out["objective"] == pytest.approx(932615.75, rel=1e-9)
    assert all(isinstance(i, int) for i in out["open"])
    r = cli("cflp", orlib / "cap41.txt", "--single-source", "--json")
    assert json.loads(r.out)["status"] == "infeasible"
    r = cli("cflp", orlib / "capa.txt")
    assert r.code == 2 and "--capacity" in r.err
    bad = tmp_path / "x.txt"
    bad.write_bytes(b"\x00\x01")
    r = cli("cflp", bad)
    assert r.code == 2 and "Traceback" not in r.err
    r = cli("cflp", orlib / "cap71.txt", "--capacity", "-5")
    assert r.code == 2 and "--capacity must be a number above 0 and at most 1e15, got -5" in r.err


@pytest.mark.parametrize("example", ["apparel", "appliances", "construction_materials", "food_processing"])
def test_one_site_optimum_is_the_plans_total_for_that_site(example):
    """One cost definition: the optimizer forced to one site costs exactly what the plan says that
    site costs (fixed costs in full plus the variable cost of every unit sold)."""
    plan = kopru.plan(EXAMPLES / f"{example}.yaml")
    best = plan.recommendation.site
    net = kopru.optimize(EXAMPLES / f"{example}.yaml", max_sites=1, force_open=[best], sensitivity=False)
    assert net.network.status == "optimal"
    assert [o.site for o in net.network.open] == [best]
    assert net.network.objective == pytest.approx(plan.site(best).landed_cost.total, rel=1e-9)


def test_a_site_forced_open_and_closed_is_refused_by_name():
    from kopru.errors import ProfileError

    profile = load_profile(EXAMPLES / "apparel.yaml")
    data = profile.model_dump()
    data["optimize"] = {"force_open": ["sez_turan"], "force_closed": ["sez_turan"]}
    with pytest.raises(ProfileError, match="'sez_turan' is forced both open and closed"):
        profile_from_dict(data)


def test_markets_no_site_can_serve_are_named():
    profile = load_profile(EXAMPLES / "apparel.yaml")
    plan = kopru.plan(profile, disruptions=["mode:rail", "mode:road"], optimize=True)
    assert plan.network.objective is None
    assert "Russia" in plan.network.message and "market(s) 0" not in plan.network.message


def test_an_existing_plant_may_expand_and_a_closed_one_is_named():
    """OR review: optimize dropped the Denizli plant without a word and could not expand it, though
    the plan costs it expanded. Oracle: the plan's own total for Denizli expanded is the optimizer's
    total when only Denizli may open; the default network names Denizli as closed."""
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    denizli = plan.site("plant_TR-20")
    only = kopru.optimize(
        EXAMPLES / "apparel.yaml",
        force_closed=tuple(s.id for s in plan.sites if s.id != "plant_TR-20"),
        sensitivity=False,
    ).network
    assert [o.site for o in only.open] == ["plant_TR-20"] and only.open[0].capacity == plan.volume
    assert only.objective == pytest.approx(denizli.landed_cost.total, rel=1e-9)
    default = kopru.optimize(EXAMPLES / "apparel.yaml", sensitivity=False).network
    assert [c.site for c in default.closed] == ["plant_TR-20"]
    assert default.closed[0].fixed_cost > 0


def test_each_candidate_is_costed_with_its_own_capex():
    """OR review (left in the tenth session): every candidate's cost per unit took the plan's capex,
    so Denizli left unexpanded deducted the depreciation of an expansion it does not make from its
    profit tax base (and carried its capital in the customs value, and now would have had the
    expansion's incentive certificate). Oracle: the plan of the same profile with Denizli's plant
    already big enough (no expansion, no capex, no certificate) gives the unexpanded candidate's cost
    per unit; the plan as shipped gives the expanded one's."""
    from kopru.planner import variable_per_unit
    from kopru.profile import optimize_options

    path = EXAMPLES / "apparel.yaml"
    profile = kopru.load_profile(path)
    pre = prepare(profile, kopru.load_data())
    cands = build_problem(pre, optimize_options(profile, True))
    s = list(pre.sites["id"]).index("plant_TR-20")
    unexpanded, expanded = np.flatnonzero(cands.problem.sites == s)
    assert cands.problem.capex[unexpanded] == 0 and cands.problem.capex[expanded] > 0
    shipped = variable_per_unit(pre, landed_cost(pre.x) * pre.fx)[s]
    assert cands.per_unit[expanded] == pytest.approx(shipped, rel=1e-12)
    data = profile.model_dump(mode="json")
    data["baseline"][0]["capacity"] = 3_000_000  # Denizli makes what the markets buy as it stands
    big = prepare(profile_from_dict(data), kopru.load_data())
    assert big.x.capex_usd[s] == 0
    as_is = variable_per_unit(big, landed_cost(big.x) * big.fx)[s]
    assert cands.per_unit[unexpanded] == pytest.approx(as_is, rel=1e-12)
    # the review's 90k USD a year of depreciation, and the expansion's certificate (about 125k), are
    # the expanded plant's alone
    gap = (cands.per_unit[unexpanded] - cands.per_unit[expanded]) @ pre.demand
    assert 150_000 < gap < 260_000
    # a certificate that spares the machinery's duty nets it from every level's capex, as the plan does
    data = profile.model_dump(mode="json")
    data["incentives"]["equipment_duty_pct"] = 10
    duty = profile_from_dict(data)
    spared = prepare(duty, kopru.load_data())
    cands = build_problem(spared, optimize_options(duty, True))
    plan_cost = variable_per_unit(spared, landed_cost(spared.x) * spared.fx)
    assert spared.x.capex_usd[s] < spared.x_base.capex_usd[s]
    for site in (s, list(spared.sites["id"]).index("TR-27")):
        mine = np.flatnonzero(cands.problem.sites == site)
        top = mine[np.argmax(cands.problem.capacity[mine])]
        assert cands.per_unit[top] == pytest.approx(plan_cost[site], rel=1e-12)


def test_a_budget_no_plan_can_meet_is_one_line_on_stderr_with_units(cli):
    """OR review: '--capex-budget 1000' printed 'the solver proved ...' and exited 0; then exit 1 with
    the reason in the middle of stdout, without units. Oracle by hand: the least capex to make
    3,000,000 units is Denizli's 1,200,000 free, then 1,800,000 at its expansion's 2 USD a unit of
    capacity (capex 6 M for a 3 M plant): 3,600,000 USD."""
    from kopru.facility.checks import _hull_segments

    assert _hull_segments(np.array([1.2e6, 3e6]), np.array([0.0, 3.6e6])) == [(0.0, 1.2e6), (2.0, 1.8e6)]
    plan = kopru.optimize(EXAMPLES / "apparel.yaml", capex_budget=1000, sensitivity=False)
    assert plan.network.objective is None
    assert "needs capex of at least 3,600,000 USD" in plan.network.message
    r = cli("optimize", EXAMPLES / "apparel.yaml", "--capex-budget", "100", "--no-sensitivity", "--no-store")
    assert r.code == 2 and r.out == "" and len(r.err.strip().splitlines()) == 1, r.err
    said = " ".join(r.err.split())
    for part in (
        "the demand of 3,000,000 units a year",
        "capex of at least 3,600,000 USD",
        "above the budget of 100 USD",
        "expected a budget of at least 3,600,000 USD",
    ):
        assert part in said, said
    r = cli("optimize", EXAMPLES / "apparel.yaml", "--no-sensitivity", "--no-store")
    assert (
        r.code == 0 and "-0 below" not in r.out and "the best single site's plan" in " ".join(r.out.split())
    )


def test_the_gap_to_the_best_single_site_has_its_currency(cli):
    """OR review: '3,443,621 above the best single site' had no currency. Oracle: the plan's own
    network figures (objective, the best single site's cost)."""
    budget = kopru.optimize(EXAMPLES / "apparel.yaml", capex_budget=3_600_000, sensitivity=False).network
    gap = budget.objective - budget.best_single_site_cost
    assert gap > 0
    r = cli(
        "optimize", EXAMPLES / "apparel.yaml", "--capex-budget", "3600000", "--no-sensitivity", "--no-store"
    )
    assert f"{gap:,.0f} USD above the best single site" in " ".join(r.out.split()), r.out


def test_forced_sites_are_named_as_compare_names_them(cli, tmp_path):
    """OR review: --force-open took only ids the CLI never shows. Oracle: the same plan forced by
    ids, and the names of the sites the plan holds."""
    by_id = kopru.optimize(
        EXAMPLES / "apparel.yaml",
        force_open=("sez_aktobe",),
        force_closed=("plant_TR-20",),
        sensitivity=False,
    ).network
    by_name = kopru.optimize(
        EXAMPLES / "apparel.yaml", force_open=("SEZ Aktobe",), force_closed=("denizli",), sensitivity=False
    ).network
    assert by_name.objective == pytest.approx(by_id.objective, rel=1e-12)
    assert [o.site for o in by_name.open] == [o.site for o in by_id.open]
    assert by_name.options["force_open"] == ["sez_aktobe"] and by_name.options["force_closed"] == [
        "plant_TR-20"
    ]
    # misspelt and ambiguous names: one line, the close candidates by name, as the flag
    r = cli("optimize", EXAMPLES / "apparel.yaml", "--force-open", "SEZ Aktobx", "--no-store")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    assert "--force-open: no site is called 'SEZ Aktobx'; did you mean SEZ Aktobe" in " ".join(r.err.split())
    r = cli("optimize", EXAMPLES / "apparel.yaml", "--force-closed", "Khorgos", "--no-store")
    said = " ".join(r.err.split())
    assert r.code == 2 and "--force-closed: 'Khorgos' fits 2 sites (SEZ Khorgos - Eastern Gate;" in said
    r = cli("optimize", EXAMPLES / "apparel.yaml", "--force-open", "Turan", "--force-closed", "sez_turan")
    assert r.code == 2 and "'SEZ Turan (formerly Turkistan)' is forced both open and closed" in r.err
    # the profile's own optimize block takes names too, and its errors start with the file
    profile = load_profile(EXAMPLES / "apparel.yaml").model_dump(mode="json")
    profile["optimize"] = {"force_open": ["Aktobe"], "sensitivity": False}
    path = tmp_path / "p.yaml"
    path.write_text(json.dumps(profile), encoding="utf-8")
    r = cli("optimize", path, "--no-store")
    assert r.code == 2 and f"{path}: optimize.force_open[0]: 'Aktobe' fits 2 sites" in " ".join(r.err.split())
    profile["optimize"] = {"force_open": ["SEZ Aktobe"], "sensitivity": False}
    path.write_text(json.dumps(profile), encoding="utf-8")
    assert kopru.optimize(path).network.options["force_open"] == ["sez_aktobe"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.floats(1.0, 100.0), st.floats(0.0, 100.0)), min_size=1, max_size=3),
        min_size=1,
        max_size=4,
    ),
    st.floats(1.0, 250.0),
)
def test_the_least_capex_is_a_lower_bound_of_every_plan(levels, demand):
    """Diff review: the capex bound was checked on one hand case. Oracle: brute force over every way
    of opening at most one level per site that makes the demand; the bound never exceeds its minimum."""
    import itertools
    from types import SimpleNamespace

    from kopru.facility.checks import _least_capex

    sites = np.array([s for s, lv in enumerate(levels) for _ in lv])
    capacity = np.array([c for lv in levels for c, _ in lv])
    capex = np.array([k for lv in levels for _, k in lv])
    p = SimpleNamespace(sites=sites, capacity=capacity, capex=capex)
    options = [[None, *[i for i in range(len(sites)) if sites[i] == s]] for s in range(len(levels))]
    plans = [
        sum(capex[i] for i in pick if i is not None)
        for pick in itertools.product(*options)
        if sum(capacity[i] for i in pick if i is not None) >= demand
    ]
    bound = _least_capex(p, np.ones(len(sites), dtype=bool), demand)
    if plans:
        assert bound <= min(plans) + 1e-9 * max(1.0, min(plans))


@pytest.mark.parametrize("name", ["appliances", "food_processing"])
def test_the_next_unit_costs_what_the_open_plant_charges_a_unit(optimized, name):
    """Hand-derived: one open plant with room to spare makes the next unit of every market at its own
    cost per unit, which the plan's flows carry independently (a flow's cost over its units), until
    the spare capacity is used; more capacity saves nothing."""
    n = optimized[name].network
    (plant,) = n.open
    assert plant.units < plant.capacity
    spare = plant.capacity - plant.units
    per_flow = {f.market: f.cost / f.units for f in n.flows}
    prices = {m["id"]: m.get("price") for m in optimized[name].markets}
    for m in n.marginals.markets:
        assert m.cost == pytest.approx(per_flow[m.market], rel=1e-9)
        assert m.saving == pytest.approx(per_flow[m.market], rel=1e-9)
        assert m.cost_holds_to == pytest.approx(m.demand + spare, rel=1e-9)
        assert m.saving_holds_to == 0.0
        assert m.margin == pytest.approx(prices[m.market] - m.cost)
    (cap,) = n.marginals.capacity
    assert cap.spare == pytest.approx(spare) and cap.value == 0 and cap.value_holds_to is None
    assert "One more unit sold adds" in n.marginals.text


def test_a_full_plant_has_no_room_for_the_next_unit(optimized):
    """The apparel plan's one plant makes exactly what is sold: no market can take one more unit
    (no value, said in words), one fewer saves its own cost per unit, and a unit less capacity
    would leave a market unserved."""
    n = optimized["apparel"].network
    (plant,) = n.open
    assert plant.units == pytest.approx(plant.capacity)
    per_flow = {f.market: f.cost / f.units for f in n.flows}
    for m in n.marginals.markets:
        assert m.cost is None and m.cost_holds_to is None and m.margin is None
        assert m.saving == pytest.approx(per_flow[m.market], rel=1e-9)
    (cap,) = n.marginals.capacity
    assert cap.value == 0 and cap.loss is None
    assert "No market can take one more unit" in n.marginals.text


def test_single_sourcing_gives_steps_not_rates():
    """Under single sourcing there are no duals: each value is the assignment re-solved with one
    unit more or less (kopru.facility.marginal.single_source_steps, tested against enumeration and
    CBC). The appliances plan opens one site with room to spare, so by hand one more unit in a
    market costs what a unit there costs now, and capacity saves nothing."""
    plan = kopru.optimize(EXAMPLES / "appliances.yaml", single_source=True, sensitivity=False)
    n = plan.network
    m = n.marginals
    assert m.method == "steps" and not m.note and len(m.markets) == len(plan.markets)
    per_flow = {f.market: f.cost / f.units for f in n.flows}
    for x in m.markets:
        assert x.cost == pytest.approx(per_flow[x.market], rel=1e-7) and x.cost_holds_to is None
        assert x.saving == pytest.approx(per_flow[x.market], rel=1e-7) and x.saving_holds_to is None
    (cap,) = m.capacity
    assert cap.spare > 0 and cap.value == 0
    assert "steps, not rates" in m.text and "One more unit sold adds" in m.text
    assert json.loads(plan.model_dump_json())["network"]["marginals"]["method"] == "steps"


def _described(
    cost, cap, demand, mask=None, share=0.0, sites=None, open_=None, fixed=None, prices=None, flows=None
):
    """marginals_of and its sentences on plain arrays: Plant0.. serving Market0.. (all open, unless
    ``open_``; candidates of one site share its name through ``sites``)."""
    from types import SimpleNamespace

    import pandas as pd

    from kopru.siting import describe_marginals, marginals_of

    k, j = np.shape(cost)
    sites = np.arange(k) if sites is None else np.asarray(sites)
    pre = SimpleNamespace(
        sites=pd.DataFrame({"name": [f"Plant{i}" for i in range(sites.max() + 1)]}),
        markets=[
            {"id": f"m{i}", "name": f"Market{i}", **({} if prices is None else {"price": prices[i]})}
            for i in range(j)
        ],
    )
    problem = SimpleNamespace(
        single_source=flows is not None,
        capacity=np.asarray(cap, float),
        demand=np.asarray(demand, float),
        share_mask=None if mask is None else np.asarray(mask),
        min_share=share,
        sites=sites,
        fixed_cost=np.zeros(k) if fixed is None else np.asarray(fixed, float),
    )
    ids = [f"s{i}" for i in range(sites.max() + 1)]
    cands = SimpleNamespace(problem=problem, per_unit=np.asarray(cost, float), site_ids=ids)
    opened = np.arange(k) if open_ is None else np.asarray(open_)
    m = marginals_of(pre, cands, SimpleNamespace(open=opened, flows=flows))
    return m, " ".join(describe_marginals(m, "USD"))


def test_single_sourcing_sentences_price_a_lumpy_share_and_a_plan_short_of_its_best():
    """Found in review: under single sourcing a point of share moves no market while the share
    costs 80 a year against none (by hand, kopru.facility's test_a_lumpy_share_is_priced_whole);
    and a plan whose own assignment is not the cheapest for its open sites (a solver's gap) is said
    to be, with by how much, since the steps are measured from the cheapest."""
    cost, cap, demand = [[1.0, 1.0], [5.0, 9.0]], [100.0, 100.0], [3.0, 10.0]
    best = np.array([[1.0, 0.0], [0.0, 1.0]])  # market 0 at plant 0, market 1 at plant 1: 93
    m, text = _described(cost, cap, demand, mask=[False, True], share=0.5, flows=best)
    assert m.method == "steps" and m.share_cost == pytest.approx(80.0) and m.above_cheapest is None
    assert "(50%) costs 80 USD a year against none; a point more costs nothing more" in text
    worse = np.array([[0.0, 0.0], [1.0, 1.0]])  # both at plant 1: 5 x 3 + 9 x 10 = 105
    m, text = _described(cost, cap, demand, mask=[False, True], share=0.5, flows=worse)
    assert m.above_cheapest == pytest.approx(12.0)
    assert "costs 12 USD a year more than the cheapest one for its open sites" in text


def test_sentences_name_the_markets_without_room_and_why():
    """Review: a plant that serves one market alone is full while another has room; the sentence
    said the blocked market 'can' take one more unit, and that the full plant made all that is sold."""
    _, text = _described([[1.0, np.inf], [np.inf, 2.0]], [5, 100], [5, 5])
    assert "Market0 cannot take one more unit: the open sites that can ship there are full" in text
    assert "One more unit sold adds 2.00 USD a unit (Market1)" in text
    assert "Plant0 is full, but more capacity there would save nothing at the margin" in text
    assert "Plant1 has 95 units of capacity spare" in text and "makes all that is sold" not in text


def test_a_full_plant_is_full_despite_rounding():
    """Review: a solver's rounding left 7e-15 units 'spare', and the sentence said more capacity
    saves nothing where it saves 1.00 a unit (market 1 moves from the dearer plant)."""
    m, text = _described([[1.0, 2.0], [3.0, 3.0]], [63.9, 1000.0], [10.8, 57.7])
    assert m.capacity[0].spare == 0 and m.capacity[0].value == pytest.approx(1.0)
    assert "Plant0 is full: each unit of capacity more would save 1.00 USD a year" in text


def test_a_binding_share_the_kazakh_sites_cannot_raise_is_said_to_bind():
    """Review: the minimum share, binding and at the Kazakh plant's capacity (half of 10 units from a
    plant of 5), read 'does not bind'; and no market has room because of it, not for want of capacity."""
    m, text = _described([[1.0, 1.0], [3.0, 3.0]], [100, 5], [5, 5], mask=[False, True], share=0.5)
    assert m.share.cost_per_point is None
    assert "(50%) binds, and the Kazakh sites open cannot make a point more" in text
    assert "or the minimum share made in Kazakhstan leaves them no room" in text
    assert "does not bind" not in text


def test_equal_costs_read_once():
    _, text = _described([[2.0, 2.0]], [100], [5, 5])
    assert "adds 2.00 USD a unit in every such market" in text and "to 2.00" not in text


def test_a_full_site_names_its_next_size_and_what_a_unit_made_there_earns():
    """Hand-computed: Plant0 open at its 10-unit level (fixed 100) and full; its 25-unit level costs
    160 a year, so the next size adds 15 units at 4.00 a unit a year. At prices 9 and 7 against costs
    per unit of 2 and 3, a unit made there earns 4.00 to 7.00."""
    cost = [[2.0, 3.0], [2.0, 3.0], [8.0, 9.0]]
    m, text = _described(
        cost, [10, 25, 100], [6, 6], sites=[0, 0, 1], open_=[0, 2], fixed=[100, 160, 50], prices=[9.0, 7.0]
    )
    plant0 = m.capacity[0]
    assert (
        plant0.spare == 0 and plant0.next_capacity == 25 and plant0.next_cost_per_unit == pytest.approx(4.0)
    )
    assert (plant0.earns_low, plant0.earns_high) == (pytest.approx(4.0), pytest.approx(7.0))
    assert "The next size of Plant0 adds 15 units a year for 4.00 USD a unit a year" in text
    assert "a unit made there and sold earns 4.00 to 7.00 USD" in text
    assert m.capacity[1].next_capacity is None  # Plant1 has one level


def test_the_headline_says_what_the_optimizer_does_within_the_users_limits():
    """A manufacturer's review: 'Produce at SEZ Turan' (6,000,000 USD of capex) headed a plan whose
    network optimizer, within a 4,000,000 USD budget, kept Denizli; with 3,000,000 no network plan
    existed and the headline still said Turan. Oracles: the network plan's own figures."""
    from kopru.language import Words
    from kopru.report.summary import _sentence as headline

    profile = EXAMPLES / "apparel.yaml"
    alone = kopru.plan(profile).recommendation.headline
    held = kopru.optimize(profile, capex_budget=4_000_000, max_sites=2, sensitivity=False)
    n, rec = held.network, held.recommendation
    assert [o.name for o in n.open] != [rec.name]
    clause = (
        f"within a capex budget of 4,000,000 USD and at most 2 sites, the network optimizer opens"
        f" {n.open[0].name} instead ({n.objective:,.0f} USD a year,"
        f" {n.objective - n.best_single_site_cost:,.0f} more than {rec.name} alone)"
    )
    assert rec.headline == f"{alone.removesuffix('.')}; {clause}."
    assert f"But {clause}." in headline(held)
    assert "Ancak 4.000.000 USD yatırım bütçesi ve en fazla 2 tesis sınırları içinde ağ optimizasyonu" in (
        headline(held, Words("tr"))
    )
    short = kopru.optimize(profile, capex_budget=3_000_000, sensitivity=False).recommendation.headline
    assert "; within a capex budget of 3,000,000 USD, no network plan exists (making the demand of" in short
    free = kopru.optimize(profile, sensitivity=False)
    assert [o.site for o in free.network.open] == [free.recommendation.site]
    assert free.recommendation.headline == alone  # the optimizer agrees: nothing to add
