"""Group commit of web runs (kopru.web.runs.GroupWriter): runs recorded by many threads at once are
written together, each thread gets its own run's id back, and every run is in the store when
``record`` returns. Oracle: the store's own listing and a count of transactions."""

from __future__ import annotations

import threading
import time

from conftest import EXAMPLES
from hypothesis import given
from hypothesis import strategies as st

import kopru
from kopru.store import Store
from kopru.web.runs import GroupWriter, Recent


def test_concurrent_runs_are_recorded_together_and_each_gets_its_id(tmp_path, monkeypatch):
    path = tmp_path / "runs.duckdb"
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    batches: list[int] = []
    real = Store.record_many

    def slow_record_many(self, entries):
        batches.append(len(entries))
        time.sleep(0.05)  # a store write takes time: the others queue meanwhile
        return real(self, entries)

    monkeypatch.setattr(Store, "record_many", slow_record_many)
    writer = GroupWriter(path)
    ids: list[str | None] = [None] * 12
    start = threading.Barrier(12)

    def one(i: int) -> None:
        start.wait()
        run_id = writer.record(plan, None)
        # recorded by the time record returns: the store lists it
        assert run_id in {r["id"] for r in kopru.open_store(path).list()}
        ids[i] = run_id

    threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert None not in ids and len(set(ids)) == 12
    assert sum(batches) == 12 and len(batches) < 12  # fewer transactions than runs
    assert {r["id"] for r in kopru.open_store(path).list()} == set(ids)


def test_a_store_that_cannot_be_written_serves_the_run_unrecorded(tmp_path, monkeypatch):
    from kopru.web import runs

    said: list[str] = []
    monkeypatch.setattr(runs.logger, "warning", lambda msg, *args: said.append(msg % args))
    bad = tmp_path / "not-a-store.duckdb"
    bad.write_text("this is not a DuckDB file")
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    assert GroupWriter(bad).record(plan, None) is None
    assert said and "not recorded in the scenario store" in said[0]


def test_a_failing_run_in_a_batch_does_not_unrecord_the_others(tmp_path, monkeypatch):
    """A batch that fails is retried run by run: only the run the store refuses goes unrecorded."""
    path = tmp_path / "runs.duckdb"
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    real = Store.record_many

    def refuse_the_marked_run(self, entries):
        if any(e.overrides == {"bad": True} for e in entries):
            raise RuntimeError("this run cannot be stored")
        return real(self, entries)

    monkeypatch.setattr(Store, "record_many", refuse_the_marked_run)
    writer = GroupWriter(path)
    from kopru.web.runs import _entry

    entries = [_entry(plan, None, None), _entry(plan, {"bad": True}, None), _entry(plan, None, None)]
    ids = writer._write(entries)
    assert ids[1] is None and ids[0] and ids[2]
    assert {r["id"] for r in kopru.open_store(path).list()} == {ids[0], ids[2]}


@given(
    st.integers(1, 5), st.lists(st.tuples(st.sampled_from(["put", "forget"]), st.integers(0, 7)), max_size=40)
)
def test_recent_runs_keep_the_last_ones_put_oldest_dropped_first(capacity: int, steps: list) -> None:
    """The runs a server keeps in memory (plans and matches): oracle, a plain list of (id, item)
    where a put moves its id to the newest end and the oldest beyond the capacity is dropped."""
    recent: Recent[int] = Recent(capacity)
    kept: list[tuple[str, int]] = []
    for n, (op, k) in enumerate(steps):
        key = f"run{k}"
        kept = [(i, v) for i, v in kept if i != key]
        if op == "put":
            assert recent.put(key, n) == n
            kept = [*kept, (key, n)][-capacity:]
        else:
            recent.forget(key)
        assert recent.values() == [v for _, v in kept]
        assert recent.get(key) == dict(kept).get(key)


def test_a_store_another_program_holds_is_waited_for_then_the_run_is_served_unrecorded(tmp_path, monkeypatch):
    """A web review: with the store held by another program (the duckdb shell), runs went
    unrecorded at once. They wait up to BUSY_WAIT_S for it, as for another kopru."""
    from kopru.errors import StoreBusy
    from kopru.web import runs

    path = tmp_path / "runs.duckdb"
    plan = kopru.plan(EXAMPLES / "apparel.yaml")
    real, tries = Store.record_many, []

    def held_twice(self, entries):
        tries.append(time.monotonic())
        if len(tries) <= 2:
            raise StoreBusy(f"store {self.path} is held by another program: Conflicting lock")
        return real(self, entries)

    monkeypatch.setattr(Store, "record_many", held_twice)
    run_id = GroupWriter(path).record(plan, None)
    assert len(tries) == 3 and run_id in {r["id"] for r in kopru.open_store(path).list()}

    said: list[str] = []
    monkeypatch.setattr(runs.logger, "warning", lambda msg, *args: said.append(msg % args))
    monkeypatch.setattr(runs, "BUSY_WAIT_S", 0.6)

    def held(self, entries):
        tries.append(time.monotonic())
        raise StoreBusy(f"store {self.path} is held by another program: Conflicting lock")

    monkeypatch.setattr(Store, "record_many", held)
    tries.clear()
    assert GroupWriter(path).record(plan, None) is None
    assert len(tries) >= 2 and tries[-1] - tries[0] >= 0.5  # it waited, then gave up
    assert said == [
        f"1 run(s) not recorded in the scenario store: store {path} is held by another program:"
        " Conflicting lock"
    ]
