"""kopru: open decision support for the Kazakhstan–Türkiye partnership.

The public API lives in :mod:`kopru.api` and is re-exported here, with every error::

    import kopru
    plan = kopru.plan("examples/apparel.yaml")
    print(plan.recommendation.text)

Verbs load on first use, so ``import kopru`` and ``kopru --help`` import neither pandas nor the
solvers. The space planner's verbs are in :mod:`kopru.space` (``passes``, ``pool``, ``imaging``).
"""

from __future__ import annotations

import importlib
from typing import Any

from kopru.errors import *  # noqa: F403  (the whole error tree, listed in kopru.errors.__all__)
from kopru.errors import __all__ as _ERRORS

__version__ = "0.1.0"

_API = (
    "check_data",
    "check_lanes",
    "compare",
    "load_data",
    "load_profile",
    "match",
    "open_store",
    "optimize",
    "plan",
    "rank",
    "risk",
    "route",
    "refresh_fx",
    "solve_gap",
    "solve_cflp",
    "stale_data",
    "sweep",
    "write_report",
    "write_sweep",
    "check_out_folder",
)
__all__ = ["__version__", *_ERRORS, *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module("kopru.api"), name)
    if name == "space":  # the space planner's verbs: kopru.space.passes, pool, imaging
        return importlib.import_module("kopru.space")
    raise AttributeError(f"module 'kopru' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "space"])
