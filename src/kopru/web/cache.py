"""Plans the server has already computed, by their inputs: the same request is not planned twice.

A plan depends only on the profile, the overrides, the closures and the optimizer's options (the
shipped data pack does not change while the server runs), so a second request with the same inputs
gets the same plan, as a new run of its own. Its JSON is kept too: encoding ~0.8 MB is a large part
of answering it. Bounded (least recently used first out), and safe for the worker threads.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from kopru.planner import Plan


def plan_key(profile: Any, overrides: Any, disruptions: Any, optimize: Any) -> str:
    """A digest of everything a plan depends on besides the shipped data pack."""
    inputs = {"profile": profile, "overrides": overrides, "close": sorted(disruptions), "optimize": optimize}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


class PlanCache:
    def __init__(self, capacity: int = 32) -> None:
        self._plans: OrderedDict[str, Plan] = OrderedDict()
        self._json: dict[int, bytes] = {}  # by id(plan): the plan is held, so its id stays its own
        self._lock = threading.Lock()
        self._capacity = capacity
        self.hits = 0

    def plan(self, key: str, compute: Callable[[], Plan]) -> Plan:
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                self.hits += 1
                return self._plans[key]
        plan = compute()  # outside the lock: two first requests may both compute; both are right
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > self._capacity:
                _, old = self._plans.popitem(last=False)
                self._json.pop(id(old), None)
        return plan

    def json(self, plan: Plan) -> bytes:
        """The plan's JSON, encoded once for a cached plan (each time for any other)."""
        with self._lock:
            cached = self._json.get(id(plan))
            held = any(p is plan for p in self._plans.values())
        if cached is not None:
            return cached
        encoded = plan.model_dump_json().encode()
        if held:
            with self._lock:
                self._json[id(plan)] = encoded
        return encoded
