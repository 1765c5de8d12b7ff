"""Capacitated facility location: kopru against PuLP + CBC, linopy + HiGHS and Pyomo + HiGHS.

Every peer states the same multi-source CFLP, the textbook strong model, written the way a user
of that library writes it:

    min  sum_i f_i y_i + sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1                 (every market served)
         sum_j d_j x_ij <= q_i y_i      (capacity of an open site)
         x_ij <= y_i                    (strong linking)
         y_i binary, 0 <= x_ij <= 1

``c_ij`` is the OR-Library cost of serving all of market j from site i. kopru is called through
``kopru.facility.solve`` (it chooses its own formulation) and, separately, as a whole process
(``kopru cflp FILE --json``). Every solver gets the relative gap 1e-9 and the same time limit
(kopru's covers its whole ``solve``; a peer's is handed to its solver after the build); threads
are each library's default. Reading the instance file is not timed (every tool starts from the
same NumPy arrays) and imports happen before the clock starts; the ``kopru cflp`` row is the wall
time of the whole process, imports and reading included.

Each (instance, tool) pair runs in a fresh subprocess. Peak memory is the largest of: the run's
``ru_maxrss`` from ``os.wait4`` (the parent is kept small, because a child's counter starts at the
parent's resident size), the child's own ``VmHWM``, and the summed resident size of the run's
process group sampled every 0.1 s (PuLP's Python and CBC live at the same time). CBC does not look
at its time limit during the root of a large model, so a peer still running 10 % + 30 s past its
limit is stopped and reported as stopped.

    python benchmarks/bench_network.py                 # everything, about an hour on 2 cores
    python benchmarks/bench_network.py --quick         # a smoke test, a few small instances
    python benchmarks/bench_network.py --only capa@8000 --only gen100x1000
    python benchmarks/bench_network.py --tools kopru,linopy --limit-scale 0.5
    python benchmarks/bench_network.py --report /tmp/kopru-bench-network/results.jsonl

Results are printed as markdown tables and kept, one JSON line per run, in ``--json-out``
(``--report`` prints the tables again from such a file).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from machine import describe, fmt_s

ROOT = Path(__file__).resolve().parents[1]
ORLIB = Path(os.environ.get("KOPRU_ORLIB", ROOT / "tests" / "data" / "orlib-cap"))  # or --orlib DIR
CACHE = Path(tempfile.gettempdir()) / "kopru-bench-network"
GAP = 1e-9
MATCH = 1e-6  # relative agreement with the reference objective (capopt rounds to 3 decimals)
PEERS = ("pulp", "linopy", "pyomo")
TOOLS = ("kopru", "kopru-cli", *PEERS)
LABEL = {
    "kopru": "kopru `solve`",
    "kopru-cli": "`kopru cflp` (whole process)",
    "pulp": "PuLP + CBC",
    "linopy": "linopy + HiGHS",
    "pyomo": "Pyomo + HiGHS (appsi)",
}

# -- instances ----------------------------------------------------------------------------------
ORLIB_NAMES = [
    *(f"cap{n}" for n in (41, 42, 43, 44, 51, 61, 62, 63, 64, 71, 72, 73, 74)),
    *(f"cap{n}" for n in (81, 82, 83, 84, 91, 92, 93, 94, 101, 102, 103, 104)),
    *(f"cap{n}" for n in (111, 112, 113, 114, 121, 122, 123, 124, 131, 132, 133, 134)),
]
SHOWN = ["cap41", "cap64", "cap74", "cap94", "cap104", "cap114", "cap124", "cap134"]

# generated instances: uniform points in the unit square, cost of serving all of j from i is
# distance × demand × 100, demands 5..35, capacities uniform ±50 % around a mean that makes total
# capacity 5 × total demand, fixed costs that would open about 30 % of the sites if capacity were
# free. With total capacity 5 × demand about 14 % of the sites (the largest, all nearly full) must
# open whatever the fixed costs, so "5–15 % open" would sit at the edge of feasibility; the optima
# open 26–28 %.
GEN_RATIO = 5.0
GEN_OPEN = 0.3
GEN_SEED = 2026


def published_optima() -> dict[str, float]:
    """capopt.txt: 'cap41 1040444.375' rows, then 'capa 19240822.449 (capacity 8000)' blocks."""
    optima: dict[str, float] = {}
    name = ""
    for line in (ORLIB / "capopt.txt").read_text().splitlines()[1:]:
        m = re.match(r"\s*(cap\w+)?\s+([\d.]+)(?:\s+\(capacity (\d+)\))?", line)
        if not m or not m.group(2):
            continue
        name = m.group(1) or name
        optima[f"{name}@{m.group(3)}" if m.group(3) else name] = float(m.group(2))
    return optima


def generated_file(n_i: int, n_j: int, seed: int = GEN_SEED, write: bool = True) -> Path:
    """Write (once) a random instance in OR-Library format so that every tool, and the CLI, reads it."""
    path = CACHE / f"gen{n_i}x{n_j}-r{GEN_RATIO:g}-o{GEN_OPEN:g}-s{seed}.txt"
    if path.exists() or not write:
        return path
    rng = np.random.default_rng(seed + n_i * 100_003 + n_j)
    sites = rng.uniform(0, 1, (n_i, 2))
    markets = rng.uniform(0, 1, (n_j, 2))
    demand = rng.integers(5, 36, n_j).astype(float)
    dist = np.hypot(sites[:, None, 0] - markets[None, :, 0], sites[:, None, 1] - markets[None, :, 1])
    cost = np.round(dist * demand[None, :] * 100, 3)
    total = demand.sum()
    share = rng.uniform(0.5, 1.5, n_i)
    capacity = np.round(GEN_RATIO * total * share / share.sum())
    # marginal transport saving of the k-th site, with mean distance ~ 0.5/sqrt(k): F = 25 D k^-1.5
    k = max(GEN_OPEN * n_i, 1.0)
    fixed = np.round(25.0 * total * k**-1.5 * rng.uniform(0.75, 1.25, n_i))
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="ascii") as f:
        f.write(f" {n_i} {n_j}\n")
        f.writelines(f" {q:.0f} {fc:.0f}.\n" for q, fc in zip(capacity, fixed, strict=True))
        body = np.column_stack([demand, cost.T])
        np.savetxt(f, body, fmt="%.3f")
    tmp.replace(path)
    return path


@dataclass
class Instance:
    name: str  # cap41, capa@8000, gen100x1000
    limit: float  # seconds for the solver
    tools: tuple[str, ...]
    build_cap: float | None = None  # stop a peer whose model build takes longer than this
    reference: float | None = None  # published optimum
    build_only: tuple[str, ...] = ()  # peers whose model is built (timed, memory) but not solved

    @property
    def capacity(self) -> float | None:
        return float(self.name.split("@")[1]) if "@" in self.name else None

    def path(self) -> Path:
        if self.name.startswith("gen"):
            n_i, n_j = map(int, self.name[3:].split("x"))
            path = generated_file(n_i, n_j, write=False)
            if not path.exists():  # in a subprocess: the parent stays small (see run())
                subprocess.run([sys.executable, __file__, "--generate", self.name], check=True)
            return path
        return ORLIB / f"{self.name.split('@')[0]}.txt"


def instances(quick: bool) -> list[Instance]:
    opt = published_optima()
    every = ("kopru", "kopru-cli", *PEERS)
    if quick:
        return [
            Instance("cap41", 60, every, reference=opt["cap41"]),
            Instance("cap134", 60, every, reference=opt["cap134"]),
            Instance("gen50x500", 60, every),
        ]
    out = [
        Instance(n, 120, every if n in SHOWN else ("kopru", "pulp"), reference=opt[n]) for n in ORLIB_NAMES
    ]
    out += [Instance(n, 120, every, reference=opt[n]) for n in ("capa@8000", "capb@5000", "capc@5000")]
    # On the two largest, PuLP and Pyomo are built (time, memory) but not solved, to keep the whole
    # run under an hour: CBC did not finish the root of capa's 100k-row strong model in 13
    # minutes (it does not look at its time limit there), and Pyomo hands the same model to the
    # same HiGHS as linopy, which is solved in full.
    out += [
        Instance("gen50x500", 120, every),
        Instance("gen100x1000", 120, every),
        Instance("gen200x2000", 300, every, build_only=("pulp", "pyomo")),
        Instance("gen500x5000", 300, every, build_cap=300, build_only=("pulp", "pyomo")),
    ]
    # hard for every MIP code: the time to a proven optimum, or the gap at the limit
    out += [Instance(n, 300, ("kopru",), reference=opt[n]) for n in ("capb@6000", "capb@7000")]
    return out


CLI_MAX = 30.0  # `kopru cflp` is re-run as a process only where the library solve took less


# -- one run, in a fresh process -----------------------------------------------------------------
def _load(name: str, path: str):
    from kopru.facility import read_cap

    cap = float(name.split("@")[1]) if "@" in name else None
    return read_cap(path, cap)


def _mark(progress: str, phase: str) -> None:
    with open(progress, "a") as f:
        f.write(f"{phase} {time.time()}\n")


def child(tool: str, name: str, path: str, limit: float, progress: str) -> dict:
    """One tool on one instance; ``limit`` 0 means build the model, then stop (no solve)."""
    p = _load(name, path)
    fixed, cap, demand, cost = p.fixed_cost, p.capacity, p.demand, p.assign_cost
    result: dict = {"tool": tool, "instance": name}
    if tool == "kopru":
        import highspy  # noqa: F401  (kopru imports these lazily on the first solve)
        import scipy.sparse  # noqa: F401

        import kopru.facility.solver as net

        matrix = []
        original = getattr(net, "_build", None)
        if original is not None:  # time the matrix assembly alone, without touching the module

            def timed(*args, **kwargs):
                t = time.perf_counter()
                out = original(*args, **kwargs)
                matrix.append(time.perf_counter() - t)
                return out

            net._build = timed
        _mark(progress, "loaded")
        t0 = time.perf_counter()
        s = net.solve(p, time_limit=limit)
        total = time.perf_counter() - t0
        _mark(progress, "built")
        result.update(
            build=s.build_seconds,
            solve=total - s.build_seconds,
            total=total,
            status=s.status.value,
            objective=s.objective,
            bound=s.bound,
            gap=s.gap,
            lagrangian=getattr(s, "lagrangian_seconds", None),
            matrix=sum(matrix) if matrix else None,
            formulation=getattr(s, "formulation", ""),
            fixed_closed=getattr(s, "fixed_closed", None),
            open=len(s.open),
        )
    elif tool == "pulp":
        result.update(_pulp(fixed, cap, demand, cost, limit, progress))
    elif tool == "linopy":
        result.update(_linopy(fixed, cap, demand, cost, limit, progress))
    elif tool == "pyomo":
        result.update(_pyomo(fixed, cap, demand, cost, limit, progress))
    else:
        raise ValueError(tool)
    # VmHWM: this process's own peak since exec (ru_maxrss would include the parent at spawn time)
    status = Path("/proc/self/status").read_text()
    hwm = re.search(r"VmHWM:\s+(\d+) kB", status)
    result["vmhwm_mb"] = int(hwm.group(1)) / 1024 if hwm else None
    return result


def _pulp(fixed, cap, demand, cost, limit, progress) -> dict:
    import pulp

    _mark(progress, "loaded")
    t0 = time.perf_counter()
    sites, markets = range(len(fixed)), range(len(demand))
    f, q, d, c = fixed.tolist(), cap.tolist(), demand.tolist(), cost.tolist()
    prob = pulp.LpProblem("cflp", pulp.LpMinimize)
    y = pulp.LpVariable.dicts("y", sites, cat=pulp.LpBinary)
    x = pulp.LpVariable.dicts("x", (sites, markets), lowBound=0, upBound=1)
    prob += pulp.lpSum(f[i] * y[i] for i in sites) + pulp.lpSum(
        c[i][j] * x[i][j] for i in sites for j in markets
    )
    for j in markets:
        prob += pulp.lpSum(x[i][j] for i in sites) == 1
    for i in sites:
        prob += pulp.lpSum(d[j] * x[i][j] for j in markets) <= q[i] * y[i]
    for i in sites:
        for j in markets:
            prob += x[i][j] <= y[i]
    t1 = time.perf_counter()
    _mark(progress, "built")
    if not limit:
        return {"build": t1 - t0, "status": "build_only"}
    log = Path(progress).with_suffix(".cbc.log")
    prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, gapRel=GAP, logPath=str(log)))
    t2 = time.perf_counter()
    text = log.read_text(errors="replace") if log.exists() else ""
    head = re.search(r"Result - (.*)", text)
    objective = pulp.value(prob.objective)
    lower = re.search(r"Lower bound:\s+(-?[\d.e+]+)", text)
    cbc_wall = re.search(r"Time \(Wallclock seconds\):\s+([\d.]+)", text)
    said = head.group(1).strip() if head else pulp.LpStatus[prob.status]
    if said.startswith("Optimal"):
        status, bound = "optimal", objective
    elif prob.sol_status in (pulp.LpSolutionIntegerFeasible, pulp.LpSolutionOptimal):
        status, bound = "time_limit", float(lower.group(1)) if lower else None
    else:
        status, bound, objective = "no_solution", None, None
    return _outcome(
        t0,
        t1,
        t2,
        status,
        said,
        objective,
        bound,
        solver_seconds=float(cbc_wall.group(1)) if cbc_wall else None,
    )


def _outcome(t0, t1, t2, status, said, objective, bound, **extra) -> dict:
    """A peer's timings (start, built, answered), status and gap, in the shape every row uses."""
    gap = None if objective is None or bound is None else max(0.0, (objective - bound) / abs(objective))
    return dict(
        build=t1 - t0,
        solve=t2 - t1,
        total=t2 - t0,
        status=status,
        solver_said=said,
        objective=objective,
        bound=bound,
        gap=gap,
        **extra,
    )


def _linopy(fixed, cap, demand, cost, limit, progress) -> dict:
    import highspy  # noqa: F401
    import linopy
    import pandas as pd
    import xarray as xr

    _mark(progress, "loaded")
    t0 = time.perf_counter()
    site = pd.RangeIndex(len(fixed), name="site")
    market = pd.RangeIndex(len(demand), name="market")
    f = xr.DataArray(fixed, coords=[site])
    q = xr.DataArray(cap, coords=[site])
    d = xr.DataArray(demand, coords=[market])
    c = xr.DataArray(cost, coords=[site, market])
    m = linopy.Model()
    y = m.add_variables(binary=True, coords=[site], name="y")
    x = m.add_variables(lower=0, upper=1, coords=[site, market], name="x")
    m.add_constraints(x.sum("site") == 1, name="assign")
    m.add_constraints((d * x).sum("market") - q * y <= 0, name="capacity")
    m.add_constraints(x - y <= 0, name="link")
    m.add_objective((f * y).sum() + (c * x).sum())
    t1 = time.perf_counter()
    _mark(progress, "built")
    if not limit:
        return {"build": t1 - t0, "status": "build_only"}
    status, condition = m.solve(
        solver_name="highs", io_api=LINOPY_IO, time_limit=float(limit), mip_rel_gap=GAP, output_flag=False
    )
    t2 = time.perf_counter()
    h = getattr(getattr(m, "solver", None), "solver_model", None)
    info = h.getInfo() if h is not None else None
    objective = float(m.objective.value) if m.objective.value is not None else None
    bound = float(info.mip_dual_bound) if info is not None else None
    if condition == "optimal":
        state = "optimal"
    elif objective is not None and np.isfinite(objective):
        state = "time_limit"
    else:
        state, objective = "no_solution", None
    return _outcome(
        t0,
        t1,
        t2,
        state,
        f"{status}/{condition}",
        objective,
        bound,
        solver_seconds=float(h.getRunTime()) if h is not None else None,
    )


LINOPY_IO = "direct"  # linopy's own default writes an LP file first; "direct" is its faster path


def _pyomo(fixed, cap, demand, cost, limit, progress) -> dict:
    import pyomo.environ as pyo
    from pyomo.contrib import appsi  # noqa: F401  (registers appsi_highs)

    _mark(progress, "loaded")
    t0 = time.perf_counter()
    f, q, d, c = fixed.tolist(), cap.tolist(), demand.tolist(), cost.tolist()
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, len(f) - 1)
    m.J = pyo.RangeSet(0, len(d) - 1)
    m.y = pyo.Var(m.I, within=pyo.Binary)
    m.x = pyo.Var(m.I, m.J, bounds=(0, 1))
    m.cost = pyo.Objective(
        expr=pyo.quicksum(f[i] * m.y[i] for i in m.I)
        + pyo.quicksum(c[i][j] * m.x[i, j] for i in m.I for j in m.J)
    )
    m.assign = pyo.Constraint(m.J, rule=lambda m, j: pyo.quicksum(m.x[i, j] for i in m.I) == 1)
    m.capacity = pyo.Constraint(
        m.I, rule=lambda m, i: pyo.quicksum(d[j] * m.x[i, j] for j in m.J) <= q[i] * m.y[i]
    )
    m.link = pyo.Constraint(m.I, m.J, rule=lambda m, i, j: m.x[i, j] <= m.y[i])
    t1 = time.perf_counter()
    _mark(progress, "built")
    if not limit:
        return {"build": t1 - t0, "status": "build_only"}
    opt = pyo.SolverFactory("appsi_highs")
    try:
        res = opt.solve(m, timelimit=float(limit), options={"mip_rel_gap": GAP})
        loaded = True
    except RuntimeError:  # no feasible plan to load at the time limit
        res = opt.solve(m, timelimit=float(limit), options={"mip_rel_gap": GAP}, load_solutions=False)
        loaded = False
    t2 = time.perf_counter()
    condition = str(res.solver.termination_condition)
    objective = res.problem.upper_bound if loaded else None
    bound = res.problem.lower_bound
    objective = None if objective is None or not np.isfinite(objective) else float(objective)
    state = (
        "optimal" if condition == "optimal" else ("time_limit" if objective is not None else "no_solution")
    )
    return _outcome(t0, t1, t2, state, condition, objective, None if bound is None else float(bound))


# -- the parent: run each pair in its own process ------------------------------------------------
def _phases(progress: Path) -> dict[str, float]:
    if not progress.exists():
        return {}
    return {k: float(v) for k, v in (line.split() for line in progress.read_text().splitlines() if line)}


def _tree_rss_mb(session: int) -> float:
    """Resident memory of every process in the run's session (the child and, e.g., CBC), summed."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # field 6 of stat (session id), counted after the ")"
            total += int(fields[21])  # field 24: resident pages
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def _overdue(tool: str, inst: Instance, phases: dict[str, float], elapsed: float, hard_cap: float) -> str:
    """Why to stop a run now ('' to let it go on). CBC does not look at its clock during the root."""
    now = time.time()
    if tool.startswith("kopru") or "loaded" not in phases:
        return f"no answer after {elapsed:.0f} s; stopped" if elapsed > hard_cap + 120 else ""
    if "built" not in phases:
        building = now - phases["loaded"]
        if inst.build_cap and building > inst.build_cap:
            return f"model build not finished after {inst.build_cap:g} s; stopped"
        return ""
    solving = now - phases["built"]
    if solving > hard_cap:
        return f"solver still running {solving:.0f} s after the build (its limit: {inst.limit:g} s); stopped"
    return ""


def run(inst: Instance, tool: str, workdir: Path) -> dict:
    path = inst.path()
    limit = 0.0 if tool in inst.build_only else inst.limit
    base = {"tool": tool, "instance": inst.name, "limit": limit, "load_before": os.getloadavg()[0]}
    stem = workdir / f"{inst.name.replace('@', '_')}-{tool}"
    progress, out, err = stem.with_suffix(".progress"), stem.with_suffix(".json"), stem.with_suffix(".err")
    for fn in (progress, out):
        fn.unlink(missing_ok=True)
    if tool == "kopru-cli":
        cmd = [str(Path(sys.executable).with_name("kopru")), "cflp", str(path), "--json"]
        cmd += ["--time-limit", f"{inst.limit:g}"]
        if inst.capacity is not None:
            cmd += ["--capacity", f"{inst.capacity:g}"]
    else:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            tool,
            inst.name,
            str(path),
            str(limit),
            str(progress),
        ]
        cmd += ["--result", str(out)]
    # kopru's limit covers its whole solve; a peer's limit is handed to its solver after the build
    hard_cap = inst.limit * 1.25 + 90 if tool.startswith("kopru") else inst.limit * 1.1 + 30
    sampled = 0.0
    t0 = time.perf_counter()
    with err.open("w") as ferr, (stem.with_suffix(".out")).open("w") as fout:
        proc = subprocess.Popen(cmd, stdout=fout, stderr=ferr, cwd=ROOT, start_new_session=True)
        killed = ""
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            sampled = max(sampled, _tree_rss_mb(proc.pid))
            time.sleep(0.1)
            killed = _overdue(tool, inst, _phases(progress), time.perf_counter() - t0, hard_cap)
            if killed:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    base["process_seconds"] = wall
    # ru_maxrss of this child (KiB on Linux): its own peak, or that of its largest waited-for
    # descendant; the tree sample adds up concurrent processes (PuLP's Python and CBC) every 0.1 s
    base["maxrss_mb"] = usage.ru_maxrss / 1024
    base["tree_mb"] = sampled
    base["peak_mb"] = max(base["maxrss_mb"], sampled)
    if killed:
        phases = _phases(progress)
        built = phases.get("built")
        return base | {
            "status": "stopped",
            "note": killed,
            "build": (built - phases["loaded"]) if built and "loaded" in phases else None,
        }
    if tool == "kopru-cli":
        try:
            answer = json.loads((stem.with_suffix(".out")).read_text().strip().splitlines()[-1])
        except (ValueError, IndexError):
            return base | {"status": "error", "note": err.read_text()[-500:]}
        return base | {
            "total": wall,
            "status": answer["status"],
            "objective": answer.get("objective"),
            "bound": answer.get("bound"),
            "gap": answer.get("gap"),
            "reported_seconds": answer.get("seconds"),
        }
    if proc.returncode != 0 or not out.exists():
        return base | {"status": "error", "note": err.read_text()[-800:]}
    answer = json.loads(out.read_text())
    base["peak_mb"] = max(base["peak_mb"], answer.get("vmhwm_mb") or 0.0)
    return base | answer


# -- tables --------------------------------------------------------------------------------------


def fmt_load(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def fmt_gap(r: dict) -> str:
    g = r.get("gap")
    if r.get("status") == "optimal":
        return "0 (proven)" if g is None or g < 1e-9 else f"{g:.1e}"
    if g is None and r.get("objective") is not None:
        return "no bound"
    return "—" if g is None else f"{g:.2%}"


def verdict(r: dict, ref: float | None, proven: bool) -> str:
    """Status with the objective checked against the reference value."""
    st, obj = r.get("status"), r.get("objective")
    if st in ("stopped", "error"):
        note = r.get("note", "").strip().splitlines()
        return f"{st}: {note[-1] if note else 'no message'}".removesuffix("; stopped")
    if st == "build_only":
        return "built, not solved (see note)"
    if obj is None:
        return "no plan at the limit" if st == "no_solution" else f"{st}, no plan"
    if ref is None:
        return f"{st}, objective {obj:,.3f}"
    ok = abs(obj - ref) <= MATCH * abs(ref)
    if st == "optimal":
        return "optimal ✓" if ok else f"optimal? objective {obj:,.3f} ≠ reference"
    same = (", = optimum" if proven else ", = best found") if ok else ""
    return f"not optimal at limit ({obj:,.3f}{same})"


def reference_for(inst: Instance, runs: list[dict]) -> tuple[float | None, str]:
    if inst.reference is not None:
        return inst.reference, "published optimum"
    proven = [r["objective"] for r in runs if r.get("status") == "optimal" and r.get("objective")]
    if proven:
        return min(proven), "proven optimum (by the runs below)"
    found = [r["objective"] for r in runs if r.get("objective")]
    return (min(found), "best found, not proven") if found else (None, "none")


def speedup(kopru: dict | None, peer: dict, ref: float | None) -> str:
    if kopru is None or peer is kopru or peer["tool"] == "kopru-cli" or peer["status"] == "build_only":
        return ""
    k_ok = kopru.get("status") == "optimal"
    p_ok = peer.get("status") == "optimal"
    kt = kopru.get("total")
    pt = peer.get("total") or (peer.get("process_seconds") if peer.get("status") == "stopped" else None)
    if not kt or not pt:
        return "—"
    ratio = pt / kt
    if k_ok and p_ok:
        return f"{ratio:.1f}×"
    if k_ok:
        return f"≥ {ratio:.1f}× (peer not optimal)"
    if p_ok:
        return f"≤ {ratio:.2f}× (kopru not optimal)"
    if kopru.get("objective") is not None and peer.get("objective") is None:
        return "— (neither proven; only kopru has a plan)"
    return "— (neither proven; compare gaps)"


def table(inst: Instance, runs: list[dict]) -> str:
    ref, how = reference_for(inst, runs)
    proven = "optimum" in how and "not proven" not in how
    kopru = next((r for r in runs if r["tool"] == "kopru"), None)
    shown = "—" if ref is None else f"{ref:,.3f}"
    lines = [
        f"**{inst.name}** — limit {inst.limit:g} s; reference {shown} ({how})",
        "",
        "| tool | build s | solve s | total s | status | gap | peak MB | peer time / kopru time | load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        mb = f"{r['peak_mb']:,.0f}"
        total = fmt_s(r.get("total"))
        if r["status"] == "stopped":  # the whole process, imports and reading included
            total = f"> {r['process_seconds']:.0f} (stopped)"
        lines.append(
            f"| {LABEL[r['tool']]} | {fmt_s(r.get('build'))} | {fmt_s(r.get('solve'))} | {total} |"
            f" {verdict(r, ref, proven)} | {fmt_gap(r)} | {mb} | {speedup(kopru, r, ref)} |"
            f" {fmt_load(r.get('load_before'))} |"
        )
    if kopru and kopru.get("matrix") is not None:
        lines += [
            "",
            f"kopru: {kopru.get('formulation', '')} linking; build {fmt_s(kopru['build'])} s ="
            f" checks + matrix assembly ({fmt_s(kopru['matrix'])} s); {_kopru_solve(kopru)};"
            f" {kopru.get('open')} sites open.",
        ]
    return "\n".join(lines)


def _kopru_solve(kopru: dict) -> str:
    if kopru.get("formulation") == "strong":
        return "solve is HiGHS on the strong model"
    lag = kopru.get("lagrangian") or 0.0
    fixing = f"the Lagrangian bound and its fixing ({fmt_s(lag)} s), " if lag else ""
    return (
        f"solve includes {fixing}the cutting-plane LP, the LP-guided plan and the MIP;"
        f" {kopru.get('fixed_closed')} candidates fixed closed"
    )


def summary_orlib(results: dict[str, list[dict]], opt: dict[str, float]) -> str:
    """Sum over the 37 cap41..cap134 instances for the tools that ran on all of them."""
    by_tool: dict[str, list[dict]] = {}
    for name in ORLIB_NAMES:
        for r in results.get(name, []):
            by_tool.setdefault(r["tool"], []).append(r)
    lines = [
        "| tool | instances | proven optimal = published | sum build s | sum solve s | sum total s"
        " | largest peak MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for tool, runs in by_tool.items():
        good = sum(
            r.get("status") == "optimal"
            and abs(r["objective"] - opt[r["instance"]]) <= MATCH * opt[r["instance"]]
            for r in runs
        )
        sums = [sum(r.get(k) or 0.0 for r in runs) for k in ("build", "solve", "total")]
        if tool == "kopru-cli":  # a process: only its wall time is known
            sums[:2] = [None, None]
        lines.append(
            f"| {LABEL[tool]} | {len(runs)} | {good} | {fmt_s(sums[0])} | {fmt_s(sums[1])} |"
            f" {fmt_s(sums[2])} | {max(r['peak_mb'] for r in runs):,.0f} |"
        )
    k = {r["instance"]: r for r in by_tool.get("kopru", [])}
    lines.append("")
    for tool in (*PEERS, "kopru-cli"):
        both = [r for r in by_tool.get(tool, []) if r["instance"] in k and r.get("total")]
        if not both:
            continue
        ratio = sum(r["total"] for r in both) / sum(k[r["instance"]]["total"] for r in both)
        each = sorted(r["total"] / k[r["instance"]]["total"] for r in both)
        median = each[len(each) // 2]
        lines.append(
            f"- {LABEL[tool]} / kopru `solve`, on the {len(both)} instances both ran: {ratio:.1f}× in summed"
            f" total time; per instance {each[0]:.1f}× to {each[-1]:.1f}× (median {median:.1f}×)."
        )
    return "\n".join(lines)


def machine() -> str:
    return describe(
        {
            "NumPy": "numpy",
            "SciPy": "scipy",
            "highspy": "highspy",
            "PuLP (bundled CBC)": "pulp",
            "linopy": "linopy",
            "xarray": "xarray",
            "Pyomo": "pyomo",
        }
    )


def notes_for(inst: Instance, runs: list[dict], chosen: set[str]) -> list[str]:
    notes = []
    k = next((r for r in runs if r["tool"] == "kopru"), None)
    ran_cli = any(r["tool"] == "kopru-cli" for r in runs)
    if {"kopru-cli"} & set(inst.tools) & chosen and not ran_cli and k and (k.get("total") or 1e9) > CLI_MAX:
        notes.append(
            f"`kopru cflp` not re-run as a process: the library solve took over {CLI_MAX:g} s,"
            " so a second solve would only repeat it (process overhead: see smaller instances)."
        )
    if any(r["status"] == "build_only" for r in runs):
        notes.append(
            f"{' and '.join(LABEL[t] for t in inst.build_only)}: model built and measured, not"
            " solved (see the script: CBC does not finish the root of the smaller capa model in"
            " 13 minutes; Pyomo solves the same model with the same HiGHS as linopy)."
        )
    return notes


def render(todo: list[Instance], results: dict[str, list[dict]], quick: bool, chosen: set[str]) -> None:
    for inst in todo:
        runs = results.get(inst.name)
        if runs and (len(inst.tools) > 2 or inst.name not in ORLIB_NAMES):
            print("\n\n".join([table(inst, runs), *notes_for(inst, runs, chosen)]) + "\n")
    if any(n in results for n in ORLIB_NAMES) and not quick:
        print("OR-Library cap41–cap134, all instances run:\n")
        print(summary_orlib(results, published_optima()) + "\n")


def main() -> None:
    global ORLIB
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a few small instances, a smoke test")
    ap.add_argument("--orlib", type=Path, help=f"folder of the OR-Library cap files (default {ORLIB})")
    ap.add_argument("--only", action="append", default=[], help="instance name (repeatable), e.g. capa@8000")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    ap.add_argument("--limit-scale", type=float, default=1.0, help="multiply every time limit")
    ap.add_argument("--json-out", type=Path, default=CACHE / "results.jsonl", help="one JSON line per run")
    ap.add_argument("--report", type=Path, help="print the tables from a --json-out file, run nothing")
    ap.add_argument("--child", nargs=5, metavar=("TOOL", "NAME", "PATH", "LIMIT", "PROGRESS"))
    ap.add_argument("--result", type=Path)
    ap.add_argument("--generate", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.orlib is not None:
        ORLIB = args.orlib
    if args.generate:
        generated_file(*map(int, args.generate[3:].split("x")))
        return
    if args.child:
        tool, name, path, limit, progress = args.child
        result = child(tool, name, path, float(limit), progress)
        args.result.write_text(json.dumps(result))
        return

    todo = instances(args.quick)
    if args.only:
        todo = [i for i in todo if i.name in args.only]
    if args.report:  # the last run of each (instance, tool) in the file
        last: dict[tuple[str, str], dict] = {}
        for line in args.report.read_text().splitlines():
            r = json.loads(line)
            last[r["instance"], r["tool"]] = r
        results = {
            i.name: [last[i.name, t] for t in i.tools if (i.name, t) in last]
            for i in todo
            if any((i.name, t) in last for t in i.tools)
        }
        render(todo, results, args.quick, set(TOOLS))
        return

    import hashlib

    chosen = set(args.tools.split(","))
    code = sorted((ROOT / "src" / "kopru" / "facility").glob("*.py"))
    stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime(max(f.stat().st_mtime for f in code)))
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in code)).hexdigest()[:12]
    print(machine())
    print(
        f"kopru at commit {_commit()} (src/kopru/facility/*.py sha256 {digest}…, modified {stamp} UTC);"
        f" run started {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; threads: library defaults"
        " (HiGHS chooses, CBC 1)\n"
    )
    workdir = CACHE / "runs"
    workdir.mkdir(parents=True, exist_ok=True)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict]] = {}
    started = time.perf_counter()
    with args.json_out.open("a") as log:
        for inst in todo:
            inst.limit *= args.limit_scale
            inst.path()  # generate before any clock starts
            runs: list[dict] = []
            for tool in inst.tools:
                k = next((r for r in runs if r["tool"] == "kopru"), None)
                if tool not in chosen or (tool == "kopru-cli" and k and (k.get("total") or 1e9) > CLI_MAX):
                    continue
                r = run(inst, tool, workdir)
                runs.append(r)
                log.write(json.dumps(r) + "\n")
                log.flush()
                print(
                    f"  {inst.name:12} {tool:10} {r.get('status', ''):11} total {fmt_s(r.get('total'))} s"
                    f"  ({time.perf_counter() - started:.0f} s elapsed)",
                    file=sys.stderr,
                    flush=True,
                )
            results[inst.name] = runs
            render([inst], {inst.name: runs}, True, chosen)
    if not args.quick and any(n in results for n in ORLIB_NAMES):
        print("OR-Library cap41–cap134, all instances run:\n")
        print(summary_orlib(results, published_optima()) + "\n")
    print(f"benchmark wall time: {time.perf_counter() - started:.0f} s")


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
