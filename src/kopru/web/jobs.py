"""Background jobs: plans, optimizations and risk analyses run in a small thread pool, polled by id.

Why threads and not processes: a plan takes ~0.1 s and an optimization 1–2 s, most of it in NumPy
and HiGHS, which release the GIL; threads share the loaded data pack (1 s to load) and the run
store, and need no pickling of a ~1 MB plan. The pool bounds how many run at once, and the queue
is bounded too: past ``max_pending`` waiting jobs, new ones are refused (HTTP 429 with Retry-After)
rather than queued for minutes.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from kopru.errors import KopruError, QueueFull
from kopru.web.runs import Run
from kopru.web.schemas import JobError

JOB_ID_PATTERN = r"^[0-9a-f]{32}$"
Status = Literal["queued", "running", "done", "failed"]


class JobProgress:
    """What a job's work reports: called with a message it starts a step (a planner's
    :data:`~kopru.progress.Steps`); ``count(done, total)`` says how far the current step is (a
    :data:`~kopru.progress.Counter`: samples drawn)."""

    def __init__(self, job: Job) -> None:
        self._job = job

    def __call__(self, message: str) -> None:
        self._job.progress.append(message)
        self._job.step = None

    def count(self, done: int, total: int) -> None:
        self._job.step = (done, total)


class JobView(BaseModel):
    """What polling a job returns."""

    id: str
    kind: str
    status: Status
    progress: list[str]
    step_done: int | None = None  # how far the current step is, when it counts (samples drawn)
    step_total: int | None = None
    run: str | None = None
    error: JobError | None = None


@dataclass
class Job:
    id: str
    kind: str
    status: Status = "queued"
    progress: list[str] = field(default_factory=list)
    step: tuple[int, int] | None = None
    run: Run | None = None
    error: JobError | None = None
    future: Future[Run] | None = None

    def view(self) -> JobView:
        return JobView(
            id=self.id,
            kind=self.kind,
            status=self.status,
            progress=list(self.progress),
            step_done=self.step[0] if self.step else None,
            step_total=self.step[1] if self.step else None,
            run=self.run.id if self.run else None,
            error=self.error,
        )


ErrorMapper = Callable[[KopruError], JobError]


class JobManager:
    """Submit work, poll it by id. Finished jobs are forgotten oldest first past ``keep``."""

    def __init__(self, workers: int = 4, max_pending: int = 64, keep: int = 1000) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kopru-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._max_pending = max_pending
        self._keep = keep

    def submit(self, kind: str, work: Callable[[JobProgress], Run], explain: ErrorMapper) -> Job:
        job = Job(id=uuid.uuid4().hex, kind=kind)
        with self._lock:
            pending = sum(1 for j in self._jobs.values() if j.status in ("queued", "running"))
            if pending >= self._max_pending:
                raise QueueFull(f"{pending} jobs are waiting; try again in a few seconds")
            self._jobs[job.id] = job
            self._forget_old()
        job.future = self._pool.submit(self._run, job, work, explain)
        return job

    def _run(self, job: Job, work: Callable[[JobProgress], Run], explain: ErrorMapper) -> Run:
        job.status = "running"
        try:
            run = work(JobProgress(job))
        except KopruError as exc:
            job.error = explain(exc)
            job.status = "failed"
            raise
        except Exception:
            # the message of an unexpected error may reveal internals: the client gets a generic one
            job.error = JobError(message="internal error while planning; the server log has details")
            job.status = "failed"
            raise
        job.run = run
        job.status = "done"
        return run

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status in ("done", "failed")]
        for k in finished[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[k]

    def shutdown(self) -> None:
        """Cancel the queued jobs and wait for the running ones: a job that outlived its server
        would still record its run, in whatever store the environment names by then."""
        self._pool.shutdown(wait=True, cancel_futures=True)
