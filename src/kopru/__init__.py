"""kopru: open decision support for the Kazakhstan–Türkiye partnership.

The public API lives in :mod:`kopru.api` and is re-exported here::

    import kopru
    plan = kopru.plan("examples/apparel.yaml")
    print(plan.recommendation.text)

Attributes load on first use, so ``kopru cflp`` and ``kopru --help`` do not import pandas.
"""

from __future__ import annotations

import importlib
from typing import Any

from kopru.errors import DataPackError, KopruError, OverrideError, ProfileError, RouteError

__version__ = "0.1.0"

_API = ("load_data", "load_profile", "optimize", "plan", "route")

__all__ = [
    "DataPackError",
    "KopruError",
    "OverrideError",
    "ProfileError",
    "RouteError",
    "__version__",
    *_API,
]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module("kopru.api"), name)
    raise AttributeError(f"module 'kopru' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
