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

# LocalCluster's options for no dashboard and the scheduler's HTTP server (health, metrics, logs; no
# login) on a free port of the loopback: without a dashboard it still took 8787, so a second cluster
# on the machine (two sweeps at once, a notebook's cluster) warned "Port 8787 is already in use";
# ":0" alone would listen on every interface
NO_DASHBOARD: dict[str, Any] = {
    "dashboard_address": None,
    "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
}


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
            _check_address(scheduler)  # before Dask starts its IO loop for an address it cannot use
            client = Client(scheduler, timeout="10s")
        except ValueError as exc:  # 'garbage', 'http://...': not an address Dask can parse
            raise SweepError(
                f"--scheduler {scheduler!r} is not a Dask scheduler address ({exc}); expected"
                " tcp://host:port, such as tcp://127.0.0.1:8786",
                field="--scheduler",
            ) from None
        except (OSError, TimeoutError) as exc:
            raise SweepError(
                f"cannot reach the Dask scheduler {scheduler}: {exc}", field="--scheduler"
            ) from None
        with client:
            yield client
        return
    n = workers or max(1, min(os.cpu_count() or 1, 8))
    with (
        LocalCluster(n_workers=n, threads_per_worker=1, processes=True, **NO_DASHBOARD) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextlib.contextmanager
def external_cluster(workers: int = 2, timeout: float = 60.0) -> Iterator[str]:
    """A real Dask cluster on loopback: a ``dask scheduler`` and ``workers`` single-threaded
    ``dask worker`` processes, as on a multi-machine cluster but on 127.0.0.1; yields its address.

    For tests and benchmarks of ``--scheduler`` (a ``LocalCluster`` shares more with the client
    than a cluster of separate processes does). The processes are stopped on exit."""
    import json
    import subprocess
    import sys
    import tempfile
    import time
    from pathlib import Path

    quiet = ["--no-dashboard"]
    with tempfile.TemporaryDirectory(prefix="kopru-dask-") as folder:
        info = Path(folder) / "scheduler.json"
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--scheduler-file",
                    str(info),
                    *quiet,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        ]
        try:
            deadline = time.monotonic() + timeout
            while not info.exists() or not info.read_text().strip():
                if time.monotonic() > deadline or procs[0].poll() is not None:
                    raise SweepError("the Dask scheduler did not start")
                time.sleep(0.1)
            address = json.loads(info.read_text())["address"]
            procs += [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--host",
                        "127.0.0.1",
                        *quiet,
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(workers)
            ]
            _wait_for_workers(address, workers, deadline)
            yield address
        finally:
            for p in reversed(procs):
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def _wait_for_workers(address: str, n: int, deadline: float) -> None:
    import time

    from distributed import Client

    with Client(address, timeout="10s") as client:
        client.wait_for_workers(n, timeout=max(1.0, deadline - time.monotonic()))


def _check_address(address: str) -> None:
    """ValueError for an address Dask cannot connect to: an unknown scheme ('http://...') or a
    TCP address without a port ('garbage'), as Dask's own parsers say it."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    scheme, location = parse_address(address)
    get_backend(scheme)
    if scheme in ("tcp", "tls"):
        parse_host_port(location)
