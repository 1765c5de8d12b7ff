"""HiGHS instances, quiet: the C++ constructor prints a licence banner straight to file
descriptor 1, which would corrupt ``--json`` output on stdout, so construction runs with fd 1 muted."""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from typing import Any

_lock = threading.Lock()  # fd 1 is process-wide: one construction at a time


def new_highs() -> Any:
    """A ``highspy.Highs`` with its banner swallowed and logging off."""
    import highspy

    with _lock:
        sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no real stdout (embedded interpreter): nothing to protect
            h = highspy.Highs()
        else:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
                with contextlib.suppress(OSError, AttributeError, TypeError):
                    ctypes.CDLL(None).fflush(None)  # C stdio buffers, before fd 1 comes back
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
    h.setOptionValue("output_flag", False)
    return h
