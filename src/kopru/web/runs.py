"""The runs this server has done: a small store interface and its in-memory implementation.

The web app only talks to :class:`RunStore`. :class:`MemoryRunStore` keeps this process's plans
whole (the pages need every site and route, the downloads the plan) and also records each run in
the DuckDB scenario store, where the Runs page lists it with every run of the command line. A run
recorded there has the store's id here too, so the page knows which stored runs this server can
still serve as plan.json and report.html.
Run ids are generated (random hex, here or by the store), never taken from a request, so no run
name can reach a file system path.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel

from kopru import api
from kopru.display import COUNTRY_NAMES
from kopru.errors import StoreBusy
from kopru.planner import Plan
from kopru.store import Entry, records

if TYPE_CHECKING:
    from kopru.matchmaking import MatchResult
    from kopru.montecarlo import RiskResult

RUN_ID_PATTERN = r"^[0-9a-f]{32}$"
logger = logging.getLogger(__name__)
BUSY_WAIT_S = 10.0  # how long a run waits for a store another program holds, before it is served unrecorded


class RunSummary(BaseModel):
    """One line of the Runs page: what was planned, with what options, and the answer."""

    id: str
    kind: Literal["plan", "risk"] = "plan"
    created: str
    recorded: bool = False  # recorded in the scenario store (under this id)
    company: str
    product: str
    source: str  # "example:apparel" or "profile"
    optimized: bool
    disruptions: list[str]
    # the countries no route passed through, by name (a review: runs with and without looked alike)
    avoided: list[str] = []
    overridden: int
    recommended: str | None
    recommended_name: str | None
    total: float | None
    currency: str
    network_status: str | None


@dataclass(frozen=True)
class Run:
    """A finished plan (and risk analysis) with what is needed to reproduce its outputs (the report
    needs the overrides). ``risk`` is the report's risk view (:func:`kopru.report.risk_view`)."""

    id: str
    plan: Plan
    source: str
    overrides: dict[str, Any] | None = None
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    risk: dict[str, Any] | None = None
    recorded: bool = False
    listed: bool = True  # a look-up (record=False) is kept for its answer, not shown as a run

    @property
    def kind(self) -> Literal["plan", "risk"]:
        return "risk" if self.risk is not None else "plan"

    def summary(self) -> RunSummary:
        p = self.plan
        return RunSummary(
            id=self.id,
            kind=self.kind,
            created=self.created,
            recorded=self.recorded,
            company=p.company,
            product=p.product,
            source=self.source,
            optimized=p.network is not None,
            disruptions=p.disruptions,
            avoided=[COUNTRY_NAMES.get(c, c) for c in p.avoid],
            overridden=len(p.overrides),
            recommended=p.recommendation.site,
            recommended_name=p.recommendation.name,
            total=p.recommendation.total,
            currency=p.currency,
            network_status=p.network.status if p.network is not None else None,
        )


T = TypeVar("T")


class Recent(Generic[T]):
    """The last ``capacity`` items by id, the oldest dropped first, so that a busy server cannot run
    out of memory; safe across threads (the workers add while request handlers read)."""

    def __init__(self, capacity: int) -> None:
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()
        self._capacity = capacity

    def put(self, key: str, item: T) -> T:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)  # put again: the newest
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return item

    def get(self, key: str) -> T | None:
        with self._lock:
            return self._items.get(key)

    def forget(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def values(self) -> list[T]:
        """Oldest first."""
        with self._lock:
            return list(self._items.values())


class RunStore(Protocol):
    """What the web app needs from a scenario store."""

    def add(
        self,
        plan: Plan,
        source: str,
        overrides: dict[str, Any] | None = None,
        risk: RiskResult | None = None,
        risk_view: dict[str, Any] | None = None,
        record: bool = True,
    ) -> Run: ...

    def get(self, run_id: str) -> Run | None: ...

    def forget(self, run_id: str) -> None: ...

    def list(self) -> list[RunSummary]: ...


class MemoryRunStore:
    """Runs of this process, newest first, bounded so that a busy server cannot run out of memory.

    A plan is about 1 MB of JSON with the optimizer's output; the default keeps the last 200.
    ``store`` is the scenario store's path (default: ``KOPRU_STORE`` or the user's data folder).
    """

    def __init__(self, capacity: int = 200, record: bool = True, store: str | Path | None = None) -> None:
        self._runs: Recent[Run] = Recent(capacity)
        self._record = record
        self._writer = GroupWriter(store)

    def add(
        self,
        plan: Plan,
        source: str,
        overrides: dict[str, Any] | None = None,
        risk: RiskResult | None = None,
        risk_view: dict[str, Any] | None = None,
        record: bool = True,
    ) -> Run:
        """Keep a plan (a risk run: its result and view too) and record it in the scenario store
        (``record=False``: a look-up, such as the Compare page's list of sites, is not a run)."""
        stored = self._writer.record(plan, overrides, risk) if self._record and record else None
        run = Run(
            id=stored or uuid.uuid4().hex,
            plan=plan,
            source=source,
            overrides=overrides,
            risk=risk_view if risk is not None else None,
            recorded=stored is not None,
            listed=record,
        )
        return self._runs.put(run.id, run)

    def get(self, run_id: str) -> Run | None:
        return self._runs.get(run_id)

    def forget(self, run_id: str) -> None:
        """Drop a run deleted from the scenario store: its page is not to outlive it."""
        self._runs.forget(run_id)

    def list(self) -> list[RunSummary]:
        return [r.summary() for r in reversed(self._runs.values()) if r.listed]


def _entry(plan: Plan, overrides: dict[str, Any] | None, risk: RiskResult | None) -> Entry:
    if risk is not None:
        params, results = records.risk_results(risk, plan.avoid)
        return Entry("risk", plan.profile, overrides, plan.disruptions, params, results)
    params, results = records.plan_results(plan)
    return Entry("plan", plan.profile, overrides, plan.disruptions, params, results)


@dataclass
class _Pending:
    entry: Entry
    done: bool = False
    run_id: str | None = None


class GroupWriter:
    """Group commit: the runs that wait to be recorded are written together.

    Opening the DuckDB store and committing cost ~15 ms however little is written, and the store
    takes one writer at a time. When many users plan at once, the thread that finds the writer
    free records every run queued so far in one transaction; the others wait for it and return
    their run's id, so a run is in the store when :meth:`record` returns, as before.
    """

    def __init__(self, store: str | Path | None = None) -> None:
        self._store = store
        self._ready = threading.Condition()
        self._queue: list[_Pending] = []
        self._writing = False

    def record(
        self, plan: Plan, overrides: dict[str, Any] | None, risk: RiskResult | None = None
    ) -> str | None:
        """The run's id in the store; None when the store cannot be written (the run is served
        from memory only, and the reason is logged)."""
        try:
            mine = _Pending(_entry(plan, overrides, risk))
        except Exception as exc:  # a run the store's tables cannot hold: served, not recorded
            logger.warning("run not recorded in the scenario store: %s", exc)
            return None
        with self._ready:
            self._queue.append(mine)
            while not mine.done and self._writing:
                self._ready.wait()
            if mine.done:
                return mine.run_id
            batch, self._queue, self._writing = self._queue, [], True
        ids: list[str | None] = [None] * len(batch)
        try:
            ids = self._write([p.entry for p in batch])
        finally:  # whatever happens, the waiting threads are released and the writer is free
            with self._ready:
                for pending, run_id in zip(batch, ids, strict=True):
                    pending.done, pending.run_id = True, run_id
                self._writing = False
                self._ready.notify_all()
        return mine.run_id

    def _write(self, entries: list[Entry]) -> list[str | None]:
        """Their ids in the store; a batch that fails is retried run by run, so that one bad run
        does not leave the others unrecorded (None: not recorded, and the reason is logged). A store
        another program holds (the duckdb shell) is waited for up to :data:`BUSY_WAIT_S`, as another
        kopru is by the store's own lock (a web review: such runs went unrecorded at once)."""
        deadline = time.monotonic() + BUSY_WAIT_S
        try:
            while True:
                try:
                    return list(api.open_store(self._store).record_many(entries))
                except StoreBusy:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.25)
        except StoreBusy as exc:  # held still: each run alone would wait as long again
            logger.warning("%d run(s) not recorded in the scenario store: %s", len(entries), exc)
            return [None] * len(entries)
        except Exception as exc:  # a corrupt or locked store: the plans are still served, and logged
            if len(entries) == 1:
                logger.warning("run not recorded in the scenario store: %s", exc)
                return [None]
        return [self._write([e])[0] for e in entries]


@dataclass
class MatchRun:
    """A finished matchmaking run: the result whole (pages and downloads read it) and its source."""

    id: str
    result: MatchResult
    source: str  # "example:pipeline" or "upload:<file name>"
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    recorded: bool = False  # recorded in the scenario store (under this id)
    # the request's options (objective, hurdle, targets, ...), so a reopened run fills its form again
    options: dict[str, Any] = field(default_factory=dict)


class MatchRuns:
    """The match runs of this process, bounded like the plan runs (a run holds its arrays)."""

    def __init__(self, capacity: int = 50) -> None:
        self.capacity = capacity  # said in the 404 of a run it no longer keeps
        self._runs: Recent[MatchRun] = Recent(capacity)

    def add(self, run: MatchRun) -> MatchRun:
        return self._runs.put(run.id, run)

    def get(self, run_id: str) -> MatchRun | None:
        return self._runs.get(run_id)

    def forget(self, run_id: str) -> None:
        self._runs.forget(run_id)
