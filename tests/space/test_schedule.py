"""The contact scheduler against brute force on small random instances, and its invariants
(hypothesis): no antenna or satellite overlap (set-up included), minimum length, objective."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from kopru.space import ScheduleError, schedule_contacts


def brute_force(ant, sat, aos, los, w, setup, m, shorten):
    """Every subset of contacts and, for shortening, every order of each competing pair, each
    timed by an LP: an exhaustive oracle independent of the MILP's big-M formulation."""
    n, best = len(aos), 0.0
    for mask in itertools.product([0, 1], repeat=n):
        chosen = [i for i in range(n) if mask[i] and los[i] - aos[i] >= m]
        if len(chosen) < sum(mask):
            continue
        pairs = [
            (a, b, setup if ant[a] == ant[b] else 0.0)
            for a, b in itertools.combinations(chosen, 2)
            if ant[a] == ant[b] or sat[a] == sat[b]
        ]
        if not shorten:
            ok = all(aos[b] >= los[a] + g or aos[a] >= los[b] + g for a, b, g in pairs)
            if ok:
                best = max(best, sum(w[i] * (los[i] - aos[i]) for i in chosen))
            continue
        if not chosen:
            continue
        idx = {i: k for k, i in enumerate(chosen)}
        for orders in itertools.product([0, 1], repeat=len(pairs)):
            rows, rhs = [], []
            for i in chosen:  # s - e <= -m
                r = np.zeros(2 * len(chosen))
                r[2 * idx[i]], r[2 * idx[i] + 1] = 1, -1
                rows.append(r)
                rhs.append(-m)
            for (a, b, g), o in zip(pairs, orders, strict=True):
                first, second = (a, b) if o == 0 else (b, a)
                r = np.zeros(2 * len(chosen))
                r[2 * idx[first] + 1], r[2 * idx[second]] = 1, -1
                rows.append(r)
                rhs.append(-g)
            c = np.zeros(2 * len(chosen))
            bounds = []
            for i in chosen:
                c[2 * idx[i]], c[2 * idx[i] + 1] = w[i], -w[i]
                bounds += [(aos[i], los[i])] * 2
            res = linprog(c, A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds, method="highs")
            if res.status == 0:
                best = max(best, -res.fun)
    return best


def random_instance(seed, n):
    rng = np.random.default_rng(seed)
    aos = rng.uniform(0, 1500, n)
    return dict(
        antenna=rng.integers(0, 2, n),
        satellite=rng.integers(0, 3, n),
        aos=aos,
        los=aos + rng.uniform(40, 600, n),
        weight=rng.integers(1, 4, n).astype(float),
        setup_s=float(rng.choice([0.0, 60.0, 150.0])),
        min_contact_s=float(rng.choice([0.0, 60.0, 120.0])),
    )


@pytest.mark.parametrize("seed", range(12))
def test_whole_passes_are_optimal_against_brute_force(seed):
    inst = random_instance(seed, 8)
    sched = schedule_contacts(**inst)
    oracle = brute_force(*inst.values(), shorten=False)
    assert sched.report.status == "optimal"
    assert sched.objective() == pytest.approx(oracle, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_shortened_contacts_are_optimal_against_brute_force(seed):
    inst = random_instance(100 + seed, 4)
    sched = schedule_contacts(**inst, shorten=True)
    oracle = brute_force(*inst.values(), shorten=True)
    assert sched.report.status == "optimal"
    assert sched.objective() == pytest.approx(oracle, rel=1e-6, abs=1e-4)
    assert sched.objective() >= schedule_contacts(**inst).objective() - 1e-6  # shortening can only help


def check_invariants(inst, sched):
    used = np.flatnonzero(sched.used)
    a, b = sched.start[used], sched.end[used]
    assert np.all(b - a >= inst["min_contact_s"] - 1e-6)
    assert np.all(a >= inst["aos"][used] - 1e-6) and np.all(b <= inst["los"][used] + 1e-6)
    for key, gap in (("antenna", inst["setup_s"]), ("satellite", 0.0)):
        group = inst[key][used]
        for g in np.unique(group):
            o = np.argsort(a[group == g])
            starts, ends = a[group == g][o], b[group == g][o]
            assert np.all(starts[1:] >= ends[:-1] + gap - 1e-6), key
    recomputed = float(np.sum(inst["weight"][used] * (b - a)))
    assert recomputed == pytest.approx(sched.report.objective, rel=1e-6, abs=1e-4)
    assert sched.report.bound >= sched.report.objective - 1e-6


instances = st.builds(
    lambda seed, n, shorten: (random_instance(seed, n), shorten),
    st.integers(0, 10_000),
    st.integers(1, 9),
    st.booleans(),
)


@settings(max_examples=40, deadline=None)
@given(instances)
def test_schedules_respect_every_rule(case):
    inst, shorten = case
    if shorten:
        inst = {**inst, "antenna": inst["antenna"][:5], "satellite": inst["satellite"][:5]} | {
            k: inst[k][:5] for k in ("aos", "los", "weight")
        }
    sched = schedule_contacts(**inst, shorten=shorten)
    check_invariants(inst, sched)


def test_guarantees_are_kept_and_bad_input_is_refused():
    inst = random_instance(7, 8)
    free = schedule_contacts(**inst)
    per_sat = np.bincount(inst["satellite"], weights=free.duration, minlength=3)
    worst = int(np.argmin(np.where(per_sat > 0, per_sat, np.inf)))
    sched = schedule_contacts(**inst, guarantee_s={worst: float(per_sat[worst])})
    assert np.bincount(inst["satellite"], weights=sched.duration, minlength=3)[worst] >= per_sat[worst] - 1e-2
    with pytest.raises(ScheduleError, match="set-up time"):
        schedule_contacts(**{**inst, "setup_s": -1.0})
    with pytest.raises(ScheduleError, match="los >= aos"):
        schedule_contacts(**{**inst, "los": inst["aos"] - 1})


@pytest.mark.parametrize("shorten", [False, True])
def test_a_satellite_needs_its_handover_time_between_two_antennas(shorten):
    """A satellite operator's review: --shorten handed a satellite from one antenna to the next with
    no gap. Oracle by hand: one satellite, two antennas whose passes overlap by 100 s; with a
    hand-over of 30 s the second contact starts at least 30 s after the first ends, and whole passes
    that close cannot both be booked."""
    antenna, satellite = np.array([0, 1]), np.array([0, 0])
    aos, los = np.array([0.0, 500.0]), np.array([600.0, 1100.0])
    free = schedule_contacts(antenna, satellite, aos, los, min_contact_s=60.0, shorten=shorten)
    held = schedule_contacts(
        antenna, satellite, aos, los, min_contact_s=60.0, shorten=shorten, handover_s=30.0
    )
    used = np.flatnonzero(held.used)
    if shorten:
        assert len(used) == 2
        first, second = sorted(used, key=lambda i: held.start[i])
        assert held.start[second] >= held.end[first] + 30.0 - 1e-6
        assert held.objective() == pytest.approx(free.objective() - 30.0, abs=1e-6)  # 30 s given up
    else:
        assert len(used) == 1 and len(np.flatnonzero(free.used)) == 1  # overlapping: one pass either way
    wide = schedule_contacts(
        antenna, satellite, np.array([0.0, 620.0]), np.array([600.0, 1200.0]), handover_s=30.0
    )
    assert wide.used.sum() == 1  # 20 s apart: within the hand-over, so one pass only
    with pytest.raises(ScheduleError, match="hand-over must be >= 0 s"):
        schedule_contacts(antenna, satellite, aos, los, handover_s=-1.0)
