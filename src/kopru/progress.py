"""What long computations report while they work: the two callbacks kopru's entry points take.

A planner says which step it has started (``steps("routing outbound lanes")``); a Monte Carlo run
or a sweep says how far it is (``counter(done, total)``). The CLI draws them as a progress bar and
the web app as a job's progress; code that does not care passes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

Steps = Callable[[str], None]
Counter = Callable[[int, int], None]


def quiet_steps(_message: str) -> None:
    """A :data:`Steps` callback that ignores every step."""


__all__ = ["Counter", "Steps", "quiet_steps"]
