"""Seeded random instances: Chu & Beasley's types C and D, and a matchmaking-sized instance.

Chu & Beasley (1997), with integer data as in their published sets:

- type C: ``a_ij ~ U[5, 25]``, ``c_ij ~ U[10, 50]``, ``b_i = floor(0.8 sum_j a_ij / m)``;
- type D: ``a_ij ~ U[1, 100]``, ``c_ij = 111 - a_ij + U[-10, 10]``, the same ``b_i``. Cost falls
  as the resource used rises, so the cheap assignments are exactly the ones that fill agents:
  the hardest class in the literature.

Both are minimisation problems where every job is assigned.
"""

from __future__ import annotations

import numpy as np

from kopru.assignment.problem import GapProblem, SideConstraint
from kopru.errors import OptionError


def chu_beasley(kind: str, m: int, n: int, seed: int = 0) -> GapProblem:
    """A type ``"C"`` or ``"D"`` instance with m agents and n jobs."""
    rng = np.random.default_rng([seed, m, n, ord(kind.upper()[:1] or "?")])
    if kind.upper() == "C":
        a = rng.integers(5, 26, (m, n))
        c = rng.integers(10, 51, (m, n))
    elif kind.upper() == "D":
        a = rng.integers(1, 101, (m, n))
        c = 111 - a + rng.integers(-10, 11, (m, n))
    else:
        raise OptionError(f"kind must be 'C' or 'D', got {kind!r}", field="kind")
    b = np.floor(0.8 * a.sum(axis=1) / m)
    return GapProblem(cost=c.astype(float), weight=a.astype(float), capacity=b)


def matchmaking(m: int = 60, n: int = 2000, resources: int = 3, seed: int = 0) -> GapProblem:
    """A matchmaking-sized instance: enterprises (jobs) to zones (agents), each at most once.

    Recipe (seeded, all integers): zones lie in 6 regions; each enterprise has a size
    ``s_j ~ U[1, 20]`` and a sector affinity with each zone ``f_ij ~ U[0, 1]``. The profit of
    placing j in i is ``round(10 s_j (0.5 + f_ij) + U[0, 20])``. The resources are land
    (``a_0ij = s_j``), labour (``a_1ij = round(s_j (0.5 + U[0, 1]))``) and power
    (``a_2ij = round(s_j U[0.2, 2])``). Each zone holds about 40 % of its fair share of the total
    ``sum_j a_rij / m``, so about half the enterprises find a zone. 20 % of the pairs are
    forbidden (sector not admitted in the zone). Two side constraints: at least 10 % of the
    enterprises in region 0 (the weight of j is 1), and a cap on the state's cost of tax
    exemptions, ``g_ij = round(s_j U[0, 3])``, at 30 % of the total that the unconstrained
    matching would use on average.
    """
    rng = np.random.default_rng([seed, m, n, resources])
    size = rng.integers(1, 21, n).astype(float)
    affinity = rng.uniform(0, 1, (m, n))
    profit = np.round(10 * size[None, :] * (0.5 + affinity) + rng.uniform(0, 20, (m, n)))
    shapes = [np.ones((m, n)), 0.5 + rng.uniform(0, 1, (m, n)), rng.uniform(0.2, 2, (m, n))]
    weight = np.stack([np.round(size[None, :] * shapes[r % 3]) for r in range(resources)])
    capacity = np.floor(0.4 * weight.sum(axis=2) / m)
    allowed = rng.uniform(0, 1, (m, n)) >= 0.2
    region = np.arange(m) % 6
    exemption = np.round(size[None, :] * rng.uniform(0, 3, (m, n)))
    side = (
        SideConstraint(region == 0, np.ones(n), lower=0.1 * n, name="at least 10% of jobs in region 0"),
        SideConstraint(None, exemption, upper=0.3 * exemption.mean() * n / 2, name="exemption budget"),
    )
    return GapProblem(profit, weight, capacity, maximize=True, optional=True, allowed=allowed, side=side)
