"""The exceptions kopru raises. Each message says what was expected, what arrived and how to fix it.

Every exception derives from :class:`KopruError` (itself a ``ValueError``), so a caller can catch
one type; the CLI turns any of them into a one-line message and exit code 2.
"""

from __future__ import annotations


class KopruError(ValueError):
    """Base of every error kopru raises on bad input or bad data."""


class DataPackError(KopruError):
    """The data pack (shipped or overridden) is inconsistent: a missing source, a bad unit, ..."""


class ProfileError(KopruError):
    """A company profile is missing, unreadable or invalid."""


class OverrideError(KopruError):
    """An overrides file names a value that does not exist or gives a value of the wrong kind."""


class RouteError(KopruError):
    """No route exists between two places (for example after a disruption closed every path)."""
