"""Checks before solving: say in words why an assignment problem cannot have a plan."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from kopru.assignment.problem import GapProblem, SideConstraint
from kopru.errors import Unreachable


@dataclass(frozen=True)
class Infeasibility:
    """Why no assignment exists: a sentence, and the side constraint no plan meets with its figures
    (None when the reason is the jobs or the capacities)."""

    text: str
    side: SideConstraint | None = None
    unreachable: Unreachable | None = None


def explain_infeasibility(p: GapProblem) -> str | None:
    """A sentence that says why no assignment exists, or None when the simple checks pass."""
    found = infeasibility(p)
    return found.text if found else None


def infeasibility(p: GapProblem) -> Infeasibility | None:
    """Why no assignment exists (:class:`Infeasibility`), or None when the simple checks pass."""
    usable = p.usable
    if not p.optional:
        orphans = np.flatnonzero(~usable.any(axis=0))
        if len(orphans):
            # numbered from 1, as an OR-Library file and a reader count them
            shown = ", ".join(map(str, orphans[:10] + 1)) + (" ..." if len(orphans) > 10 else "")
            return Infeasibility(
                f"job(s) {shown} (counted from 1) can go to no agent (every pair is forbidden or needs"
                " more than the agent's whole capacity)"
            )
        for r in range(p.resources):
            need = np.where(usable, p.weight[r], np.inf).min(axis=0).sum()
            total = p.capacity[r].sum()
            if need > total * (1 + 1e-12) + 1e-9:
                what = "capacity" if p.resources == 1 else f"capacity of resource {r + 1}"
                return Infeasibility(
                    f"total {what} ({total:,.6g}) is below the least the jobs need, each at its"
                    f" smallest use ({need:,.6g})"
                )
    return _side_reach(p, usable)


def _side_reach(p: GapProblem, usable: np.ndarray) -> Infeasibility | None:
    """A side constraint whose bound no choice of agents can reach."""
    m, n = p.shape
    for k, s in enumerate(p.side):
        w = s.matrix(m, n)
        low = np.where(usable, w, np.inf).min(axis=0)
        high = np.where(usable, w, -np.inf).max(axis=0)
        if p.optional:  # a job may also stay out, adding 0
            low, high = np.minimum(low, 0.0), np.maximum(high, 0.0)
        low, high = np.where(np.isfinite(low), low, 0.0), np.where(np.isfinite(high), high, 0.0)
        name = s.name or f"side[{k}]"  # its own words when it has them (a portfolio's target), else the API's
        subject = s.subject or name
        if high.sum() < s.lower - 1e-9 * max(1.0, abs(s.lower)):
            reachable = _said(high.sum(), math.floor)
            return Infeasibility(
                f"{name} needs at least {_said(s.lower, math.ceil)}, but at most {reachable} is reachable",
                s,
                Unreachable(subject, "at least", float(s.lower), float(high.sum())),
            )
        if low.sum() > s.upper + 1e-9 * max(1.0, abs(s.upper)):
            cap, unavoidable = _said(s.upper, math.floor), _said(low.sum(), math.ceil)
            return Infeasibility(
                f"{name} allows at most {cap}, but at least {unavoidable} is unavoidable",
                s,
                Unreachable(subject, "at most", float(s.upper), float(low.sum())),
            )
    return None


def _said(value: float, rounding: Any) -> str:
    """A bound in whole units from 100 up ('1e+06' read as a code, a CLI review), rounded the way
    that keeps the sentence true (at most 2,912.53 reachable: 2,912); smaller ones as they are."""
    return f"{rounding(value):,.0f}" if abs(value) >= 100 else f"{value:,.6g}"
