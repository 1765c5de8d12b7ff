"""HiGHS instances, quiet: the solver prints a banner on stdout when its first instance is made,
which would corrupt ``--json`` output, so the first construction runs with stdout muted."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

_lock = threading.Lock()
_bannered = False


def new_highs() -> Any:
    """A ``highspy.Highs`` with logging off."""
    global _bannered
    import highspy

    with _lock:
        if _bannered:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "w") as devnull:
                    os.dup2(devnull.fileno(), 1)
                    h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _bannered = True
    h.setOptionValue("output_flag", False)
    return h
