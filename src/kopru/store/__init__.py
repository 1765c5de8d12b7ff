"""The scenario store: every run of plan, optimize, risk, rank, sweep and match, in one DuckDB file.

:mod:`~kopru.store.database` holds the file (schema, locking, recording, reading and comparing
runs); :mod:`~kopru.store.records` turns results into its rows. ``open_store(path).record_plan``
(and ``record_risk``, ``record_rank``, ``record_sweep``) is the one way a run is recorded, from
the command line, the Python API or the web app alike.
"""

from kopru.errors import RunNotFound, RunsNotComparable, StoreBusy, StoreError, StoreMissing
from kopru.store.database import Entry, Store, default_path, open_store
from kopru.store.records import HEADLINE_METRICS, headline, inputs_hash, result_text

__all__ = [
    "HEADLINE_METRICS",
    "Entry",
    "RunNotFound",
    "RunsNotComparable",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreMissing",
    "default_path",
    "headline",
    "inputs_hash",
    "open_store",
    "result_text",
]
