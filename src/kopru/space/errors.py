"""The errors and warnings of the space planner, all under :class:`kopru.errors.KopruError`.

The main CLI turns any :class:`KopruError` into one line on stderr and exit code 2; warnings (an
element set far from its epoch, a decayed satellite) are printed to stderr and the run goes on.
"""

from __future__ import annotations

from kopru.errors import KopruError


class SpaceError(KopruError):
    """Base of the space planner's errors."""


class TLEError(SpaceError):
    """An element-set file is missing, unreadable, malformed or fails a checksum."""


class StationError(SpaceError):
    """A ground-station or site CSV is missing a column, or holds a bad value."""


class ScheduleError(SpaceError):
    """A contact-scheduling problem is ill-posed (negative set-up time, bad weights, ...)."""


class SpaceWarning(UserWarning):
    """Base of the space planner's warnings: the run goes on, but the user should know."""


class StaleElementsWarning(SpaceWarning):
    """An element set is used far from its epoch, where SGP4 errors grow to kilometres."""


class PropagationWarning(SpaceWarning):
    """SGP4 failed for a satellite at some times (decayed or diverging); those times are skipped."""
