"""Every error and warning kopru raises, in one tree.

Each message says what was expected, what arrived and how to fix it; the command line prints it
as one line with exit code 2, and the web app answers 422 (or 503 when the server is busy). Errors
also carry what they are about as attributes, so a program never has to parse a message::

    KopruError (ValueError)          anything kopru refuses: .field .file .line .column .fields
    ├── DocumentError                a file or upload cannot be read: missing, special, too large,
    │   │                            binary, not UTF-8, malformed, nested too deep, YAML aliases
    │   └── OrlibError               an OR-Library facility-location file of the wrong shape
    ├── ProfileError                 a company profile is invalid (``.fields`` lists every field)
    ├── UnknownSite                  a site id that no data-pack table holds (a dossier's site)
    ├── OptionError                  an option out of range (--capacity, --time-limit, samples, ...)
    ├── InputsMismatch               results of different inputs put together (a plan and the risk of
    │                                another profile in one report, a result recorded under others)
    ├── DataPackError                the data pack (shipped or overridden) is inconsistent
    │   └── FeedError                an official feed (exchange rates) cannot be reached or read
    ├── OverrideError                an override names a value that does not exist, or a bad value
    ├── RouteError                   no corridor route exists, or a name is not a node, edge or mode
    ├── InfeasibleError              an optimisation problem has no solution (the message says why;
    │                                .unreachable: the bound no plan reaches, with its figures)
    ├── SolverError                  the solver failed (out of memory, a numerical failure): not an answer
    ├── RiskError                    an uncertainty file or a risk request is invalid
    ├── RankError                    MCDA weights, an AHP matrix or a ranking request is invalid
    ├── SweepError                   a scenario file is invalid, or the Dask cluster cannot be reached
    ├── MatchError                   a pipeline or zones file, or a matchmaking request, is invalid
    │   ├── PipelineError            a row or column of a pipeline file is invalid
    │   └── ZonesFileError           a row of a zones file is invalid
    ├── StoreError                   the scenario store cannot be used
    │   ├── StoreMissing             nothing has been recorded yet: there is no store to read
    │   ├── StoreBusy                another process holds the store: try again shortly
    │   ├── RunNotFound              no run has this id (or the prefix is ambiguous)
    │   └── RunsNotComparable        two runs about different things (a plan and a match)
    ├── SpaceError                   the space planner's errors
    │   ├── TLEError                 an element-set file is malformed or fails a checksum
    │   ├── StationError             a station, satellite or site CSV holds a bad value
    │   └── ScheduleError            a contact-scheduling problem is ill-posed
    └── QueueFull                    the web app's job queue is full: retry after a few seconds

    KopruWarning (UserWarning)       the run goes on, but the user should know
    ├── StoreFolderCreated           the store's missing folder was created (the CLI says "note:")
    └── SpaceWarning
        ├── StaleElementsWarning     an element set used far from its epoch
        └── PropagationWarning       SGP4 failed for a satellite at some times

Every class derives from ``ValueError`` through :class:`KopruError`, so code written against the
standard library's conventions keeps working, and ``except kopru.KopruError`` catches them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one field of a document: ``markets[1].demand: must be > 0``."""

    field: str  # dotted path as people write it: markets[1].demand
    message: str
    loc: tuple[str | int, ...] = field(default=())  # the same path as a sequence of keys

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class KopruError(ValueError):
    """Base of every error kopru raises on bad input or bad data.

    ``field`` names the field at fault (``markets[1].demand``, the argument ``time_limit``; the command
    line says it as its option, ``--time-limit``), ``file`` the file,
    ``line`` and ``column`` the place in it (1-based), ``fields`` every field at fault when there
    are several. Any of them may be None (or empty) when it does not apply.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        fields: tuple[FieldIssue, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.fields = tuple(fields)


class DocumentError(KopruError):
    """A file or an upload cannot be read as the document it should be."""


class OrlibError(DocumentError):
    """An OR-Library file that cannot be read as a facility-location instance."""


class ProfileError(KopruError):
    """A company profile is missing, unreadable or invalid."""


class UnknownSite(KopruError):
    """A site id that is in none of the data pack's site tables (regions, SEZs, provinces)."""


class OptionError(KopruError):
    """An option (of a command, an API call or a request) is outside its allowed range."""


class InputsMismatch(KopruError):
    """Results computed from different inputs (profile, overrides, closures, avoided countries) were
    put together: a plan's report with another profile's risk, a result recorded under other inputs."""


class DataPackError(KopruError):
    """The data pack (shipped or overridden) is inconsistent: a missing source, a bad unit, ..."""


class FeedError(DataPackError):
    """An official feed cannot be reached (no network) or its answer cannot be read."""


class OverrideError(KopruError):
    """An overrides file names a value that does not exist or gives a value of the wrong kind."""


class RouteError(KopruError):
    """No route exists between two places, or a name is not a node, edge or mode of the network."""


@dataclass(frozen=True)
class Unreachable:
    """A bound no plan can meet: ``subject`` (jobs in Aktobe Region) needs at least ``wanted``
    (``side`` "at least") while at most ``reachable`` can be had, or allows at most ``wanted``
    ("at most") while at least ``reachable`` cannot be avoided."""

    subject: str
    side: str  # "at least" or "at most"
    wanted: float
    reachable: float


class InfeasibleError(KopruError):
    """An optimisation problem has no solution; the message says why, ``unreachable`` (when a
    bound of the request is the reason, ``field`` naming it) gives its figures."""

    def __init__(self, message: str, *, unreachable: Unreachable | None = None, **where: object) -> None:
        super().__init__(message, **where)  # type: ignore[arg-type]
        self.unreachable = unreachable


class SolverError(KopruError):
    """The solver stopped with neither an answer nor a limit it was given (memory, a numerical
    failure); the message names its status and what to try."""


class RiskError(KopruError):
    """An uncertainty file or a risk request is invalid."""


class RankError(KopruError):
    """Weights, a pairwise matrix or a ranking request is invalid."""


class SweepError(KopruError):
    """A scenario file or a sweep request is invalid, or the Dask cluster cannot be reached."""


class MatchError(KopruError):
    """A pipeline of enterprises, a zones file or a matchmaking request is invalid."""


class PipelineError(MatchError):
    """A pipeline file's row or column is invalid: its message names the file's columns as the file
    spells them (``hurdle_pct``), which the command line must not read as its options."""


class ZonesFileError(MatchError):
    """A zones file (zone, resource, capacity) cannot be read or has a bad row."""


class StoreError(KopruError):
    """The scenario store cannot be used: not a kopru store, damaged, locked or unwritable."""


class StoreMissing(StoreError):
    """The store file does not exist yet (nothing has been recorded): there is nothing to read."""


class StoreBusy(StoreError):
    """Another process holds the store (kopru's lock, or DuckDB's own lock): try again shortly."""


class RunNotFound(StoreError):
    """No run has this id (or the id prefix is ambiguous)."""


class RunsNotComparable(StoreError):
    """Two runs about different things (a plan's sites and a match's enterprises) do not compare."""


class SpaceError(KopruError):
    """Base of the space planner's errors."""


class TLEError(SpaceError):
    """An element-set file is missing, unreadable, malformed or fails a checksum."""


class StationError(SpaceError):
    """A ground-station, satellite or site CSV is missing a column, or holds a bad value."""


class ScheduleError(SpaceError):
    """A contact-scheduling problem is ill-posed (negative set-up time, bad weights, ...)."""


class QueueFull(KopruError):
    """Too many jobs are waiting in the web app: the client should retry later."""


class KopruWarning(UserWarning):
    """Base of kopru's warnings: the run goes on, but the user should know."""


class StoreFolderCreated(KopruWarning):
    """The scenario store's folder did not exist and was created for it."""


class SpaceWarning(KopruWarning):
    """Base of the space planner's warnings."""


class StaleElementsWarning(SpaceWarning):
    """An element set is used far from its epoch, where SGP4 errors grow to kilometres."""


class PropagationWarning(SpaceWarning):
    """SGP4 failed for a satellite at some times (decayed or diverging); those times are skipped."""


ERRORS = (
    KopruError,
    DocumentError,
    OrlibError,
    ProfileError,
    UnknownSite,
    OptionError,
    InputsMismatch,
    DataPackError,
    FeedError,
    OverrideError,
    RouteError,
    InfeasibleError,
    SolverError,
    RiskError,
    RankError,
    SweepError,
    MatchError,
    PipelineError,
    ZonesFileError,
    StoreError,
    StoreMissing,
    StoreBusy,
    RunNotFound,
    RunsNotComparable,
    SpaceError,
    TLEError,
    StationError,
    ScheduleError,
    QueueFull,
)
WARNINGS = (KopruWarning, StoreFolderCreated, SpaceWarning, StaleElementsWarning, PropagationWarning)

__all__ = ["FieldIssue", "Unreachable", *(c.__name__ for c in ERRORS + WARNINGS)]
