"""SGP4 propagation to Earth-fixed positions: on a grid (satellites × times) and at scattered
(satellite, time) pairs for root finding.

The grid uses sgp4's vectorized ``SatrecArray``. Scattered pairs are propagated per satellite
with ``Satrec.sgp4_array``: ``SatrecArray`` would compute every satellite at every event time,
S times the work, whereas the refinement needs only each event's own satellite.
"""

from __future__ import annotations

import warnings

import numpy as np

from kopru.errors import PropagationWarning
from kopru.space.frames import DAY_S, Window, gmst82, teme_to_ecef
from kopru.space.tle import Constellation


def propagate_grid(
    constellation: Constellation, window: Window, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Earth-fixed positions (S, T, 3) km and a validity mask (S, T) at seconds ``t`` of ``window``;
    the caller says what the failures mean (:func:`failure_notes`)."""
    jd0, fr0 = window.jd
    fr = fr0 + t / DAY_S
    jd = np.full_like(fr, jd0)
    err, r, v = constellation.satrec_array().sgp4(jd, fr)
    theta, rate = gmst82(jd, fr)
    r_ecef, _ = teme_to_ecef(r, v, theta[None, :], rate)
    return r_ecef, err == 0


def failure_notes(constellation: Constellation, failed: np.ndarray, n_samples: int) -> dict[int, str]:
    """A warning, by NORAD number, for each satellite whose SGP4 fails at some of the ``n_samples``
    sample times (``failed`` counts them per satellite), raised as a :class:`PropagationWarning` and
    returned, so results carry it in their ``warnings`` as well as on stderr."""
    notes = {}
    for s in np.flatnonzero(failed):
        e = constellation[int(s)]
        notes[e.norad] = (
            f"{e.name} (NORAD {e.norad}): SGP4 fails at {int(failed[s])} of {n_samples} sample times"
            " (decayed or diverging orbit); no passes are reported at those times"
        )
        warnings.warn(notes[e.norad], PropagationWarning, stacklevel=4)
    return notes


class PairPropagator:
    """Propagates K (satellite, time) pairs whose satellites are fixed and times change, as in a
    bisection: the grouping by satellite is computed once."""

    def __init__(self, constellation: Constellation, window: Window, sat: np.ndarray) -> None:
        self.satrecs = [e.satrec for e in constellation]
        self.jd0, self.fr0 = window.jd
        self.order = np.argsort(sat, kind="stable")
        sorted_sat = sat[self.order]
        cuts = np.flatnonzero(np.diff(sorted_sat)) + 1
        self.groups = [
            (int(sorted_sat[a]), self.order[a:b])
            for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(sat)], strict=True)
            if b > a
        ]
        self.k = len(sat)

    def __call__(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Earth-fixed position and velocity (K, 3) and a validity mask (K,) at seconds ``t``."""
        fr = self.fr0 + t / DAY_S
        r = np.empty((self.k, 3))
        v = np.empty((self.k, 3))
        ok = np.empty(self.k, dtype=bool)
        for s, idx in self.groups:
            f = fr[idx]
            e, rr, vv = self.satrecs[s].sgp4_array(np.full_like(f, self.jd0), f)
            r[idx], v[idx], ok[idx] = rr, vv, e == 0
        theta, rate = gmst82(self.jd0, fr)
        r_ecef, v_ecef = teme_to_ecef(r, v, theta, rate)
        return r_ecef, v_ecef, ok
