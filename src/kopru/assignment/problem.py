"""A generalized assignment problem as arrays, and a solver's answer to it.

Agents ``i`` (zones) take jobs ``j`` (enterprises). Assigning j to i earns or costs ``cost[i, j]``
and consumes ``weight[r, i, j]`` of each resource r, of which agent i has ``capacity[r, i]``.
Every job goes to exactly one agent, or with ``optional`` to at most one (an unassigned job adds
0). A pair is forbidden where ``cost`` is NaN or ``allowed`` is False. Side constraints bound a
weighted count over the assignments of a set of agents (see :class:`SideConstraint`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kopru.errors import OptionError
from kopru.highs import SolveResult, Status

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

__all__ = ["Array", "GapProblem", "GapSolution", "Mask", "SideConstraint", "Status", "assignment_value"]


@dataclass(frozen=True)
class SideConstraint:
    """``lower <= sum_{i in agents, j} w_ij x_ij <= upper``.

    ``weights`` is (n,) (a per-job weight, the same at every agent: "at least 5 jobs in region X"
    is ``agents=region_mask, weights=ones(n), lower=5``) or (m, n) ("the state's tax exemptions
    cost at most U": ``agents=all, weights=g, upper=U``). ``agents`` None counts every agent.
    """

    agents: Mask | None
    weights: Array
    lower: float = -math.inf
    upper: float = math.inf
    name: str = ""
    # the request's field the bound comes from (min_jobs) and what it counts, in words (jobs in
    # Aktobe Region): an InfeasibleError about it names them
    field: str = ""
    subject: str = ""

    def matrix(self, m: int, n: int) -> Array:
        """The (m, n) coefficient of every x_ij in the row (0 for agents outside the set)."""
        w = np.broadcast_to(np.asarray(self.weights, dtype=float), (m, n))
        mask = np.ones(m, dtype=bool) if self.agents is None else np.asarray(self.agents, dtype=bool)
        return np.where(mask[:, None], w, 0.0)


SideLike = SideConstraint | tuple[Any, ...]


@dataclass(frozen=True)
class GapProblem:
    """Arrays of a generalized assignment problem (agents i, jobs j, resources r).

    ``weight`` may be given as (m, n) and ``capacity`` as (m,) for one resource; they are stored
    as (R, m, n) and (R, m). ``side`` takes :class:`SideConstraint` objects or plain
    ``(agents, weights, lower, upper)`` tuples.
    """

    cost: Array  # (m, n) cost (minimise) or profit (maximise); NaN where the pair is forbidden
    weight: Array  # (R, m, n) resource r used by job j at agent i
    capacity: Array  # (R, m)
    maximize: bool = False
    optional: bool = False  # a job may stay unassigned (contributing 0)
    allowed: Mask | None = None  # (m, n); False forbids the pair
    side: tuple[SideConstraint, ...] = field(default=())

    def __post_init__(self) -> None:
        cost = _array("cost", self.cost, ndim=2)
        m, n = cost.shape
        if m < 1 or n < 1:
            raise OptionError(f"cost must be (agents, jobs) with both >= 1, got {cost.shape}", field="cost")
        weight = _array("weight", self.weight, ndim=(2, 3))
        weight = weight[None] if weight.ndim == 2 else weight
        capacity = _array("capacity", self.capacity, ndim=(1, 2))
        capacity = capacity[None] if capacity.ndim == 1 else capacity
        if weight.shape[1:] != (m, n):
            raise OptionError(f"weight must be (R, {m}, {n}) like cost, got {weight.shape}", field="weight")
        if capacity.shape != (weight.shape[0], m):
            raise OptionError(
                f"capacity must be (R, m) = ({weight.shape[0]}, {m}), got {capacity.shape}", field="capacity"
            )
        _finite_nonnegative("weight", weight)
        _finite_nonnegative("capacity", capacity)
        if np.isinf(cost).any():
            raise OptionError(
                "cost must be finite (NaN marks a forbidden pair), found infinity", field="cost"
            )
        allowed = None
        if self.allowed is not None:
            allowed = np.asarray(self.allowed)
            if allowed.shape != (m, n) or allowed.dtype != np.bool_:
                raise OptionError(f"allowed must be a ({m}, {n}) boolean mask", field="allowed")
        side = tuple(_side(s, k, m, n) for k, s in enumerate(self.side))
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "capacity", capacity)
        object.__setattr__(self, "allowed", allowed)
        object.__setattr__(self, "side", side)

    @property
    def shape(self) -> tuple[int, int]:
        """(agents, jobs)."""
        return self.cost.shape

    @property
    def resources(self) -> int:
        return self.weight.shape[0]

    @property
    def usable(self) -> Mask:
        """(m, n): the pairs that may be assigned (allowed, a number for cost, fits every capacity)."""
        ok = ~np.isnan(self.cost) & (self.weight <= self.capacity[:, :, None] * (1 + 1e-12)).all(axis=0)
        return ok if self.allowed is None else ok & self.allowed

    @property
    def min_cost(self) -> Array:
        """(m, n) the cost in minimisation form (profits negated); +inf where a pair is unusable."""
        c = -self.cost if self.maximize else self.cost
        return np.where(self.usable, c, np.inf)

    @property
    def integral(self) -> bool:
        """Whether every usable cost is an integer, so objectives differ by at least 1."""
        c = self.cost[self.usable]
        return bool(np.all(c == np.round(c)))


@dataclass
class GapSolution(SolveResult):
    """What the solver found (status, objective, bound, gap, seconds) and the assignment."""

    assignment: NDArray[np.int64] = field(default_factory=lambda: np.array([], dtype=np.int64))
    used: Array = field(default_factory=lambda: np.zeros((0, 0)))  # (R, m) resource used per agent
    agents: int = 0
    jobs: int = 0
    engine: str = ""
    message: str = ""
    build_seconds: float = 0.0
    lagrangian_seconds: float = 0.0
    fixed: int = 0  # pairs fixed (to 0 or 1) by Lagrangian reduced costs before the MIP
    maximize: bool = False  # the problem's sense: the objective is a profit (True) or a cost

    def as_dict(self) -> dict[str, Any]:
        """``kopru gap --json``'s per-instance record: sizes, summary and the 0-based agent per job."""
        summary = self.summary()
        return {
            "agents": self.agents,
            "jobs": self.jobs,
            "sense": "maximise" if self.maximize else "minimise",
            "status": summary["status"],
            "objective": summary["objective"],
            "bound": summary["bound"],
            "gap": summary["gap"],
            "seconds": summary["seconds"],
            "assignment": [int(i) for i in self.assignment],
            **({"message": self.message} if self.message else {}),
        }


def assignment_value(p: GapProblem, assignment: NDArray[np.int64]) -> float:
    """The objective of an assignment (agent per job, -1 unassigned) in the problem's own sense."""
    jobs = np.flatnonzero(assignment >= 0)
    return float(p.cost[assignment[jobs], jobs].sum())


def _array(name: str, value: Any, ndim: int | tuple[int, ...]) -> Array:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise OptionError(f"{name} must be an array of numbers", field=name) from None
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if a.ndim not in dims:
        raise OptionError(
            f"{name} must have {' or '.join(map(str, dims))} dimensions, got {a.ndim}", field=name
        )
    return a


def _finite_nonnegative(name: str, a: Array) -> None:
    if not np.isfinite(a).all():
        raise OptionError(f"{name} must be finite numbers", field=name)
    if (a < 0).any():
        raise OptionError(f"{name} must be >= 0, found {a.min():g}", field=name)


def _side(s: SideLike, k: int, m: int, n: int) -> SideConstraint:
    """A side constraint checked and normalised (a plain tuple becomes a :class:`SideConstraint`)."""
    where = f"side[{k}]"
    if not isinstance(s, SideConstraint):
        if not isinstance(s, tuple | list) or not 2 <= len(s) <= 5:
            raise OptionError(f"{where} must be (agents, weights, lower, upper)", field=where)
        s = SideConstraint(*s)
    agents = None
    if s.agents is not None:
        agents = np.asarray(s.agents)
        if agents.shape != (m,) or agents.dtype != np.bool_:
            raise OptionError(
                f"{where}.agents must be a boolean mask of the {m} agents", field=f"{where}.agents"
            )
    weights = _array(f"{where}.weights", s.weights, ndim=(1, 2))
    if weights.shape not in ((n,), (m, n)) or not np.isfinite(weights).all():
        raise OptionError(
            f"{where}.weights must be finite, of shape ({n},) or ({m}, {n}), got {weights.shape}",
            field=f"{where}.weights",
        )
    lower = -math.inf if s.lower is None else float(s.lower)
    upper = math.inf if s.upper is None else float(s.upper)
    if math.isnan(lower) or math.isnan(upper) or lower > upper:
        raise OptionError(f"{where} needs lower <= upper, got {lower:g} > {upper:g}", field=where)
    if not (math.isfinite(lower) or math.isfinite(upper)):
        raise OptionError(f"{where} bounds nothing: give a lower or an upper bound", field=where)
    return SideConstraint(agents, weights, lower, upper, s.name, s.field, s.subject)
