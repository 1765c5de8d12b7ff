"""Dask, when a run is large enough to share: a client on an existing cluster or a local one.

``--dask`` starts a ``LocalCluster`` of one single-threaded worker process per core;
``--scheduler tcp://HOST:PORT`` connects to a cluster that is already running (``dask scheduler``
and ``dask worker`` processes, on this machine or others). Without either, work runs in this
process and no Dask module is imported.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from kopru.errors import SweepError


@contextlib.contextmanager
def dask_client(
    local: bool = False, scheduler: str | None = None, workers: int | None = None
) -> Iterator[Any]:
    """A Dask client on an existing cluster (``scheduler``), a new LocalCluster (``local``) or None."""
    if not local and scheduler is None:
        yield None
        return
    from distributed import Client, LocalCluster  # Dask loads only when asked for: ~0.5 s

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise SweepError(
                f"cannot reach the Dask scheduler {scheduler}: {exc}", field="--scheduler"
            ) from None
        with client:
            yield client
        return
    n = workers or max(1, min(os.cpu_count() or 1, 8))
    with (
        LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        yield client
