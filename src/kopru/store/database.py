"""The scenario store's database: one DuckDB file, locked for one transaction at a time.

Layout: ``kopru_meta`` (marks the file as a kopru store, schema version), ``runs`` (one row per run:
kind, time, profile, inputs and their hash, data-pack version, overrides, disruptions,
parameters) and ``results`` (long table: run, site or scenario, metric, value).

Concurrency: DuckDB lets one process at a time open a file for writing, so every access takes an
exclusive ``flock`` on ``<store>.lock`` first (retrying until a timeout) and holds the DuckDB
connection only for the one transaction. The kernel drops the lock when a process dies, even on
SIGKILL; DuckDB's write-ahead log then discards the uncommitted run and keeps every committed one.

A file that is not a kopru store (not DuckDB, damaged, or a DuckDB file without ``kopru_meta``)
is refused with a clear error and never written to.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from kopru.errors import (
    InputsMismatch,
    OptionError,
    RunNotFound,
    RunsNotComparable,
    StoreBusy,
    StoreError,
    StoreFolderCreated,
    StoreMissing,
)
from kopru.store import records
from kopru.store.records import HEADLINE_METRICS, headline, run_rows
from kopru.units import brief

SCHEMA = "1"
LOCK_TIMEOUT_S = 60.0
# runs whose results are about the same items (sites) compare with each other
COMPARABLE = {"plan": "sites", "risk": "sites", "rank": "sites"}
DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file

DDL = (
    "CREATE TABLE IF NOT EXISTS kopru_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS runs (
        id VARCHAR PRIMARY KEY, kind VARCHAR, created TIMESTAMP, profile_path VARCHAR,
        company VARCHAR, product VARCHAR, inputs_hash VARCHAR, data_pack_version VARCHAR,
        kopru_version VARCHAR, inputs JSON, overrides JSON, disruptions JSON, params JSON)""",
    """CREATE TABLE IF NOT EXISTS results (
        run_id VARCHAR, item VARCHAR, metric VARCHAR, value DOUBLE, text VARCHAR)""",
)
TABLES = tuple(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", " ".join(DDL)))  # what a store must have


def default_path() -> Path:
    """``$KOPRU_STORE``, else the user's data folder (XDG): ``~/.local/share/kopru/runs.duckdb``."""
    env = os.environ.get("KOPRU_STORE")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "kopru" / "runs.duckdb"


def _check_file(path: Path) -> bool:
    """True when ``path`` exists and looks like DuckDB; refuse anything else that exists."""
    if not path.exists():
        return False
    if path.is_dir():
        raise StoreError(f"--store {path} is a folder; give a file such as {path / 'runs.duckdb'}")
    if not path.is_file():  # a device, pipe or /proc entry: reading it could block or mislead
        raise StoreError(f"--store {path} is not a regular file; give a path such as ./runs.duckdb")
    try:
        with path.open("rb") as fh:
            head = fh.read(16)  # not st_size: /proc files report 0 and still have content
    except OSError as exc:
        raise StoreError(
            f"--store {path} cannot be read ({exc.strerror or exc}); choose another path"
        ) from None
    if not head:
        raise StoreError(
            f"--store {path} is an empty file, not a kopru store; remove it or choose another path"
        )
    if head[8:12] != DUCKDB_MAGIC:
        raise StoreError(
            f"--store {path} is not a kopru store (not a DuckDB file); it was left untouched —"
            " choose another path"
        )
    return True


# DuckDB's words for a file another process holds (not "block", which corrupt files mention)
RUN_PREFIX = re.compile(r"[0-9a-f]{1,32}")  # run ids are uuid4 hex; a user gives the first few
LOCKED = re.compile(r"Could not set lock|Conflicting lock|\block(ed)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One run to record: what :meth:`Store.record` takes, as a value to queue."""

    kind: str
    profile: Any = None
    overrides: Any = None
    disruptions: Any = ()
    params: dict[str, Any] | None = None
    results: dict[str, Any] | None = None


@dataclass
class Store:
    """A kopru scenario store at ``path``; each method opens, locks, works and closes."""

    path: Path
    lock_timeout: float = LOCK_TIMEOUT_S

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        _check_file(self.path)  # refuse a folder, a special or foreign file before touching anything
        lock = Path(f"{self.path}.lock")
        try:
            self._make_folder()
            fresh = not lock.exists()
            handle = lock.open("a")
        except OSError as exc:
            raise StoreError(
                f"--store {self.path}: cannot write beside it ({exc.strerror or exc}); choose a path in"
                " a folder you can write to"
            ) from None
        try:
            with handle as fh:
                self._wait_for(fh)
                try:
                    yield
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)
        except StoreError:
            if fresh:  # a refused target leaves nothing of ours behind
                lock.unlink(missing_ok=True)
            raise

    def _make_folder(self) -> None:
        """Create a missing folder for the store, and say so: a typo in a path should not pass unseen."""
        parent = self.path.parent
        if parent.is_dir():
            return
        missing = parent
        while not missing.parent.exists() and missing.parent != missing:
            missing = missing.parent
        parent.mkdir(parents=True, exist_ok=True)
        warnings.warn(
            StoreFolderCreated(f"created the folder {missing} for the scenario store {self.path}"),
            stacklevel=4,
        )

    def _wait_for(self, fh: Any) -> None:
        """Take the lock on ``fh``, waiting up to ``lock_timeout`` for another kopru to let go."""
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreBusy(
                        f"store {self.path} is busy (another kopru has held it over"
                        f" {self.lock_timeout:.0f} s); try again"
                    ) from None
                time.sleep(0.02)

    @contextlib.contextmanager
    def connect(self, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A checked connection under the lock; creates the store only where no file exists."""
        if not write and not _check_file(self.path):  # a reader creates neither folders nor lock files
            raise StoreMissing(
                f"store {self.path} does not exist yet; run kopru plan, risk, rank, sweep or match first"
            )
        with self._locked():
            existed = _check_file(self.path)
            if not existed and not write:
                raise StoreMissing(
                    f"store {self.path} does not exist yet; run kopru plan, risk, rank, sweep or match first"
                )
            try:
                con = duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                if LOCKED.search(str(exc)):  # a process outside kopru (the duckdb shell) holds it
                    raise StoreBusy(f"store {self.path} is held by another program: {exc}") from None
                raise StoreError(f"--store {self.path} cannot be opened as a kopru store: {exc}") from None
            try:
                if existed:
                    self._check_schema(con)
                else:
                    self._create(con)
                yield con
            finally:
                con.close()

    def check(self) -> None:
        """Refuse a path that is not a kopru store (a folder, a text file, a foreign or damaged
        DuckDB file) now, not at the first run; a missing file is fine: the first run creates it."""
        if _check_file(self.path):
            with self.connect():
                pass

    def _check_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        try:
            row = con.execute("SELECT value FROM kopru_meta WHERE key = 'schema'").fetchone()
        except duckdb.Error:
            row = None
        if row is None:
            raise StoreError(
                f"--store {self.path} is a DuckDB file but not a kopru store (no kopru_meta table);"
                " it was left untouched — choose another path"
            )
        if row[0] != SCHEMA:
            raise StoreError(f"store {self.path} has schema {row[0]}; this kopru reads schema {SCHEMA}")
        have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        missing = [t for t in TABLES if t not in have]
        if missing:  # a damaged store (a table dropped by hand): say so, never a CatalogException
            raise StoreError(
                f"store {self.path} is damaged: its table {missing[0]} is missing; it was left untouched"
                " — move it aside (kopru starts a new store) or give another --store"
            )

    def _create(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("BEGIN")
        for ddl in DDL:
            con.execute(ddl)
        con.execute("INSERT INTO kopru_meta VALUES ('schema', ?), ('app', 'kopru')", [SCHEMA])
        con.execute("COMMIT")

    # -- writing --------------------------------------------------------------------------------
    def record(
        self,
        kind: str,
        profile: Any = None,
        overrides: Any = None,
        disruptions: Any = (),
        params: dict[str, Any] | None = None,
        results: dict[str, Any] | None = None,
    ) -> str:
        """Record one run in one transaction; returns its id."""
        return self.record_many([Entry(kind, profile, overrides, disruptions, params, results)])[0]

    def record_many(self, entries: list[Entry]) -> list[str]:
        """Record several runs in one connection and one transaction (all or none); their ids.

        Opening the store and committing cost ~15 ms whatever is written, so a server that records
        the runs of many users at once writes them together (group commit, kopru.web.runs).
        """
        made = [
            run_rows(e.kind, e.profile, e.overrides, e.disruptions, e.params or {}, e.results or {})
            for e in entries
        ]
        rows = [r for _, results in made for r in results]
        with self.connect(write=True) as con:
            con.execute("BEGIN")
            con.executemany(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [row for row, _ in made]
            )
            if rows:
                # one columnar insert: executemany inserts row by row, ~150 ms for a plan's 300 rows
                incoming = _results_table(rows)
                con.register("incoming", incoming)
                con.execute("INSERT INTO results SELECT * FROM incoming")
                con.unregister("incoming")
            _pause_for_tests()
            con.execute("COMMIT")
        return [row[0] for row, _ in made]

    def record_plan(self, plan: Any, overrides: Any = None) -> str:
        """Record a :class:`~kopru.planner.Plan` (``kopru plan``, ``optimize``): ranking and totals.

        ``overrides`` (the file or mapping the plan was made with) defaults to the plan's own."""
        from kopru.planner import Plan
        from kopru.provenance import RunInputs

        if not isinstance(plan, Plan):
            raise OptionError(
                f"record_plan takes what kopru.plan returns, got {type(plan).__name__}", field="plan"
            )
        inputs = RunInputs.of_plan(plan)
        _check_given("plan", inputs, inputs.given(overrides=overrides))
        params, results = records.plan_results(plan)
        recorded = inputs.overrides_mapping() if overrides is None else overrides
        return self.record("plan", plan.profile, recorded, plan.disruptions, params, results)

    def record_risk(
        self,
        result: Any,
        profile: Any = None,
        overrides: Any = None,
        disruptions: Any = None,
        avoid: Any = None,
    ) -> str:
        """Record a risk result: every site's statistics, with samples, seed and distributions.

        The profile, overrides, closures and avoided countries default to those the result was
        computed for; given, they must be the same (a path to the profile keeps its path)."""
        from kopru.montecarlo import RiskResult

        profile, overrides, disruptions, avoid = _inputs_to_record(
            "risk", result, RiskResult, profile, overrides, disruptions, avoid
        )
        params, results = records.risk_results(result, avoid)
        return self.record("risk", profile, overrides, disruptions, params, results)

    def record_rank(
        self,
        result: Any,
        profile: Any = None,
        samples: int | None = None,
        seed: int | None = None,
        overrides: Any = None,
        disruptions: Any = None,
        avoid: Any = None,
    ) -> str:
        """Record an MCDA ranking: method, weights and every site's score and criteria; the inputs
        (and the risk criterion's samples and seed) default to the result's, as in record_risk."""
        from kopru.mcda import RankResult

        profile, overrides, disruptions, avoid = _inputs_to_record(
            "rank", result, RankResult, profile, overrides, disruptions, avoid
        )
        for name, given, own in (("samples", samples, result.samples), ("seed", seed, result.seed)):
            if given is not None and result.inputs is not None and given != own:
                raise InputsMismatch(
                    f"record_rank was given {name}={given}, but the ranking's risk criterion drew with"
                    f" {name}={own}; leave {name} out to record the result's",
                    field=name,
                )
        chosen_samples = result.samples if samples is None else samples
        chosen_seed = result.seed if seed is None else seed
        params, results = records.rank_results(result, chosen_samples, chosen_seed, avoid)
        return self.record("rank", profile, overrides, disruptions, params, results)

    def record_match(self, result: Any, params: dict[str, Any]) -> str:
        """Record a matchmaking run: the portfolio's status and impact, each enterprise's zone."""
        params, results = records.match_results(result, params)
        return self.record("match", params=params, results=results)

    def record_sweep(self, result: Any, dask: bool = False) -> str:
        """Record a sweep: each scenario's best site, totals and saving."""
        params, results = records.sweep_results(result, dask)
        return self.record("sweep", result.profile, params=params, results=results)

    # -- reading --------------------------------------------------------------------------------
    def list(self, limit: int | None = None) -> list[dict[str, Any]]:
        sql = (
            "SELECT id, kind, created, company, product, inputs_hash, data_pack_version"
            " FROM runs ORDER BY created DESC, id"
        )
        with self.connect() as con:
            cur = con.execute(sql + (f" LIMIT {int(limit)}" if limit else ""))
            return _dicts(cur)

    def summaries(
        self, limit: int | None = None, kind: str | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """How many runs there are (of ``kind``), and the newest ``limit`` with their headline result.

        A row is :meth:`list`'s with the run's currency, disruptions, overrides, scalar parameters
        and ``headline``: the item a reader looks at first and its value (see :func:`headline`).
        """
        where, args = ("WHERE kind = ?", [kind]) if kind else ("", [])
        with self.connect() as con:
            total = con.execute(f"SELECT count(*) FROM runs {where}", args).fetchone()[0]
            cur = con.execute(
                "SELECT id, kind, created, company, product, profile_path, inputs_hash, data_pack_version,"
                " kopru_version, json_extract_string(inputs, '$.profile.currency') AS currency,"
                " json_extract(inputs, '$.profile.baseline') AS baseline,"
                f" overrides, disruptions, params FROM runs {where} ORDER BY created DESC, id"
                + (" LIMIT ?" if limit else ""),
                args + ([int(limit)] if limit else []),
            )
            runs = _dicts(cur)
            ids = [r["id"] for r in runs]
            rows: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
            counts: dict[str, int] = {}
            if ids:
                cur = con.execute(
                    "SELECT run_id, item, metric, value, text FROM results"
                    f" WHERE run_id IN ({', '.join('?' * len(ids))}) AND metric IN"
                    f" ({', '.join('?' * len(HEADLINE_METRICS))}) ORDER BY rowid",
                    ids + list(HEADLINE_METRICS),
                )
                for r in _dicts(cur):
                    rows[r.pop("run_id")].append(r)
                counts = dict(
                    con.execute(
                        "SELECT run_id, count(DISTINCT item) FROM results"
                        f" WHERE run_id IN ({', '.join('?' * len(ids))}) GROUP BY run_id",
                        ids,
                    ).fetchall()
                )
        for r in runs:
            for key in ("overrides", "disruptions", "params", "baseline"):
                r[key] = json.loads(r[key]) if r[key] is not None else None
            r["headline"] = headline(r["kind"], rows[r["id"]], counts.get(r["id"], 0))
        return total, runs

    def _resolve(self, con: duckdb.DuckDBPyConnection, run_id: str) -> str:
        run_id = run_id.strip().lower()
        if not RUN_PREFIX.fullmatch(run_id):  # a prefix, literally: '%' or '_' would match any character
            newest = con.execute("SELECT id FROM runs ORDER BY created DESC, id LIMIT 1").fetchone()
            such_as = f", such as {newest[0][:8]}" if newest else ""  # a real one, or none to cite
            raise RunNotFound(
                f"run id {brief(run_id)} is not a run id; expected the first characters of one{such_as}"
                " (see 'kopru runs list')"
            )
        found = [
            r[0] for r in con.execute("SELECT id FROM runs WHERE starts_with(id, ?)", [run_id]).fetchall()
        ]
        if not found:
            raise RunNotFound(f"no run {run_id!r} in {self.path}; see 'kopru runs list'")
        if len(found) > 1:
            raise RunNotFound(f"run id {run_id!r} is ambiguous ({len(found)} runs); give more characters")
        return found[0]

    def show(self, run_id: str) -> dict[str, Any]:
        with self.connect() as con:
            rid = self._resolve(con, run_id)
            run = _dicts(con.execute("SELECT * FROM runs WHERE id = ?", [rid]))[0]
            for key in ("inputs", "overrides", "disruptions", "params"):
                run[key] = json.loads(run[key]) if run[key] is not None else None
            run["results"] = _dicts(
                con.execute(
                    "SELECT item, metric, value, text FROM results WHERE run_id = ? ORDER BY rowid", [rid]
                )
            )
            return run

    def delete(self, run_ids: list[str]) -> list[dict[str, Any]]:
        """Delete these runs and their results, all or none (one unknown id deletes nothing); each
        deleted run's id, kind, company, product and date. Nothing else in the store changes."""
        if not _check_file(self.path):  # nothing to delete: no store is created for it
            raise StoreMissing(f"store {self.path} does not exist; there is no run to delete")
        with self.connect(write=True) as con:
            found = list(dict.fromkeys(self._resolve(con, r) for r in run_ids))
            marks = ", ".join("?" * len(found))
            gone = _dicts(
                con.execute(
                    f"SELECT id, kind, company, product, created FROM runs WHERE id IN ({marks})"
                    " ORDER BY created, id",
                    found,
                )
            )
            con.execute("BEGIN")
            con.execute(f"DELETE FROM results WHERE run_id IN ({marks})", found)
            con.execute(f"DELETE FROM runs WHERE id IN ({marks})", found)
            con.execute("COMMIT")
        return gone

    def compare(self, a: str, b: str) -> list[dict[str, Any]]:
        """Every (item, metric) of two runs side by side, with the difference b - a."""
        with self.connect() as con:
            ra, rb = self._resolve(con, a), self._resolve(con, b)
            kinds = dict(con.execute("SELECT id, kind FROM runs WHERE id IN (?, ?)", [ra, rb]).fetchall())
            family = {k: COMPARABLE.get(k, k) for k in kinds.values()}
            if len(set(family.values())) > 1:
                raise RunsNotComparable(
                    f"run {a} is a {kinds[ra]} run and run {b} a {kinds[rb]} run: only runs about the same"
                    " things compare (plan, risk and rank runs with each other, a sweep with a sweep, a match"
                    " with a match)"
                )
            cur = con.execute(
                """SELECT coalesce(x.item, y.item) AS item, coalesce(x.metric, y.metric) AS metric,
                          x.value AS a, y.value AS b, y.value - x.value AS diff
                   FROM (SELECT * FROM results WHERE run_id = ?) x
                   FULL OUTER JOIN (SELECT * FROM results WHERE run_id = ?) y
                   ON x.item = y.item AND x.metric = y.metric
                   ORDER BY item, metric""",
                [ra, rb],
            )
            return _dicts(cur)

    def export(self, target: str | Path, fmt: str, run_id: str | None = None) -> dict[str, str]:
        """Write ``runs`` and ``results`` (all, or one run's) as Parquet or CSV files in ``target``."""
        target = Path(target)
        if fmt not in ("parquet", "csv"):
            raise StoreError(f"export format must be parquet or csv, got {fmt!r}")
        if target.exists() and not target.is_dir():
            raise StoreError(f"export target {target} is a file; expected a folder")
        target.mkdir(parents=True, exist_ok=True)
        written = {}
        with self.connect() as con:
            where, args = "", []
            if run_id is not None:
                rid = self._resolve(con, run_id)
                where, args = " WHERE {col} = $1", [rid]
            for table, col in (("runs", "id"), ("results", "run_id")):
                out = target / f"{table}.{fmt}"
                options = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER)"
                sql = f"SELECT * FROM {table}{where.format(col=col)}"
                escaped = str(out).replace("'", "''")
                con.execute(f"COPY ({sql}) TO '{escaped}' {options}", args)
                written[table] = str(out)
        return written


def _results_table(rows: list[tuple[Any, ...]]) -> Any:
    """Result rows as a DataFrame with nullable columns, so that NULL stays NULL (not NaN)."""
    import pandas as pd

    run_id, item, metric, value, text = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "run_id": pd.array(run_id, dtype="string"),
            "item": pd.array(item, dtype="string"),
            "metric": pd.array(metric, dtype="string"),
            "value": pd.array(value, dtype="Float64"),
            "text": pd.array(text, dtype="string"),
        }
    )


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _pause_for_tests() -> None:
    """Tests set KOPRU_STORE_PAUSE to hold a transaction open and kill the process in it."""
    pause = os.environ.get("KOPRU_STORE_PAUSE")
    if pause:
        marker = Path(pause)
        marker.write_text("in transaction", encoding="utf-8")
        time.sleep(60)


def open_store(path: str | Path | Store | None = None) -> Store:
    """The store at ``path`` (default :func:`default_path`); a :class:`Store` is returned as is."""
    if isinstance(path, Store):
        return path
    return Store(Path(path) if path is not None else default_path())


def _inputs_to_record(
    kind: str, result: Any, cls: type, profile: Any, overrides: Any, disruptions: Any, avoid: Any
) -> tuple[Any, Any, list[str], tuple[str, ...]]:
    """What a risk or rank run is recorded under: the arguments given, checked against the inputs the
    result carries, and the result's own for those left out."""
    verb = f"record_{kind}"
    if not isinstance(result, cls):
        raise OptionError(
            f"{verb} takes what kopru.{kind} returns, got {type(result).__name__}", field="result"
        )
    inputs = result.inputs
    if inputs is None:  # built by hand: the caller's word is all there is
        if profile is None:
            raise OptionError(
                f"{verb} needs the profile: this result does not carry the inputs it was computed from",
                field="profile",
            )
        return profile, overrides, list(disruptions or ()), tuple(avoid or ())
    _check_given(kind, inputs, inputs.given(profile, overrides, disruptions, avoid))
    recorded_profile = inputs.profile if profile is None else profile  # a path keeps its path
    recorded_overrides = inputs.overrides_mapping() if overrides is None else overrides
    return recorded_profile, recorded_overrides, list(inputs.disruptions), tuple(inputs.avoid)


def _check_given(kind: str, inputs: Any, given: Any) -> None:
    differences = given.differences(inputs, "the result")
    if differences:
        raise InputsMismatch(
            f"record_{kind} was given other inputs than the result was computed for: given"
            f" {'; '.join(differences)}; leave them out to record the result's own",
            field="inputs",
        )
