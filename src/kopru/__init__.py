"""kopru: open decision support for the Kazakhstan–Türkiye partnership.

The public API lives in :mod:`kopru.api` and is re-exported here::

    import kopru
    plan = kopru.plan("examples/apparel.yaml")
    print(plan.recommendation.text)
"""

__version__ = "0.1.0"

from kopru.api import load_data, load_profile, plan, route
from kopru.errors import (
    DataPackError,
    KopruError,
    OverrideError,
    ProfileError,
    RouteError,
)

__all__ = [
    "DataPackError",
    "KopruError",
    "OverrideError",
    "ProfileError",
    "RouteError",
    "__version__",
    "load_data",
    "load_profile",
    "plan",
    "route",
]
