"""Atmospheric refraction: how much higher a satellite appears above the horizon than it is.

The troposphere bends a ray down towards the ground, so a satellite low in the sky appears higher
than its geometric (free-space) elevation: by about 0.76° at the horizon for a radio link from sea
level, 0.1° at 10°, and almost nothing near the zenith. With a model (not ``none``, the default,
where a mask is on the geometric elevation) an antenna's mask is on the elevation it sees, so a
pass begins a little earlier and ends a little later (a few seconds to tens of seconds for a low
orbit), and a map's visibility circle is drawn where the geometric elevation is.

Two models, both of the *apparent* elevation θ in degrees:

- ``radio``: ITU-R P.834-7 (10/2015), eq. (9), the mean refractivity profile, for a station at
  height h km: τ(h, θ) = 1 / (1.314 + 0.6437 θ + 0.02869 θ² + h (0.2305 + 0.09428 θ + 0.01096 θ²)
  + 0.008583 h²) degrees. Ground stations work by radio: this is the model for passes.
- ``optical``: Bennett (1982) for visible light, at 10 °C and the standard atmosphere's pressure at
  the station's height (the formula skyfield's ``earthlib.refraction`` uses).

A pass's search then runs on the geometric elevation with the threshold the mask becomes once the
refraction at the mask is taken off (θ_mask − R(θ_mask)): exact, because the apparent elevation rises
monotonically with the geometric one. Reported maximum elevations are apparent too.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kopru.errors import OptionError

MODELS = ("none", "radio", "optical")
TEMPERATURE_C = 10.0  # the optical model's air temperature (Bennett's own reference)


def check_refraction(model: str, mask_deg: float = 0.0, whose: str = "min_elevation") -> str:
    """The refraction model by name, or a one-line error naming the ones there are; a model is
    refused for a mask below the horizon, where neither formula holds (ITU-R P.834's holds down to
    about -0.9 √h degrees, Bennett's is cut off at -1°)."""
    if model not in MODELS:
        raise OptionError(f"refraction must be one of {', '.join(MODELS)}, got {model!r}", field="refraction")
    if model != "none" and mask_deg < 0:
        raise OptionError(
            f"refraction {model} needs {whose} of 0 or more (the refraction models hold above"
            f" the horizon), got {mask_deg:g}; for a mask below the horizon choose the model 'none'",
            field="refraction",
        )
    return model


def radio_deg(apparent_deg: ArrayLike, height_km: ArrayLike) -> NDArray[np.float64]:
    """ITU-R P.834-7 eq. (9): the refraction (degrees) of a radio ray seen at ``apparent_deg``
    from a station ``height_km`` above sea level (valid for heights up to 3 km)."""
    theta = np.asarray(apparent_deg, dtype=float)
    h = np.clip(np.asarray(height_km, dtype=float), 0.0, 3.0)
    return 1.0 / (
        1.314
        + 0.6437 * theta
        + 0.02869 * theta**2
        + h * (0.2305 + 0.09428 * theta + 0.01096 * theta**2)
        + 0.008583 * h**2
    )


def pressure_mbar(height_km: ArrayLike) -> NDArray[np.float64]:
    """The standard atmosphere's pressure at a height (ICAO, troposphere)."""
    h_m = np.asarray(height_km, dtype=float) * 1000.0
    return 1013.25 * (1.0 - 2.25577e-5 * h_m) ** 5.25588


def optical_deg(apparent_deg: ArrayLike, height_km: ArrayLike) -> NDArray[np.float64]:
    """Bennett's refraction (degrees) of light seen at ``apparent_deg`` (zero below -1° and at the
    zenith, as skyfield's)."""
    alt = np.asarray(apparent_deg, dtype=float)
    r = 0.016667 / np.tan(np.radians(alt + 7.31 / (alt + 4.4)))
    d = r * (0.28 * pressure_mbar(height_km) / (TEMPERATURE_C + 273.0))
    return np.where((alt >= -1.0) & (alt <= 89.9), d, 0.0)


def refraction_deg(model: str, apparent_deg: ArrayLike, height_km: ArrayLike) -> NDArray[np.float64]:
    """The refraction (degrees) of ``model`` at an apparent elevation, taken at the horizon's below
    it (the models hold above the horizon, and the masks they serve are at or above it); zero for
    ``none``."""
    above = np.maximum(np.asarray(apparent_deg, dtype=float), 0.0)
    if model == "radio":
        return radio_deg(above, height_km)
    if model == "optical":
        return optical_deg(above, height_km)
    return np.zeros(np.broadcast(above, np.asarray(height_km)).shape)


def geometric_threshold_deg(
    model: str, mask_deg: float | ArrayLike, height_km: ArrayLike
) -> NDArray[np.float64]:
    """(G,) the geometric elevation at which each station's antenna sees a satellite at its mask
    (one for all, or each antenna's own)."""
    h = np.asarray(height_km, dtype=float)
    mask = np.broadcast_to(np.asarray(mask_deg, dtype=float), h.shape)
    return mask - refraction_deg(model, mask, h)


def apparent_deg(model: str, geometric_deg: ArrayLike, height_km: ArrayLike) -> NDArray[np.float64]:
    """The apparent elevation θ of a satellite at a geometric elevation e: the root of
    θ - R(θ) = e, which rises monotonically with θ (R falls more slowly than θ rises), found by
    bisection in [e, e + 1°] (R is below 0.8° at the horizon) to about 1e-12°."""
    e = np.asarray(geometric_deg, dtype=float)
    h = np.broadcast_to(np.asarray(height_km, dtype=float), e.shape)
    if model == "none":
        return e.copy()
    lo, hi = e.copy(), e + 1.0
    for _ in range(45):
        mid = 0.5 * (lo + hi)
        below = mid - refraction_deg(model, mid, h) < e
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return 0.5 * (lo + hi)
