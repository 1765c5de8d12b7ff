"""Public entry points. The CLI and the web app call these and nothing deeper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kopru import datapack
from kopru.corridors import Criterion, Network, Route
from kopru.datapack import DataPack
from kopru.planner import Plan, Progress, build_plan
from kopru.profile import OptimizeOptions, Profile, explain, load_profile, profile_from_dict

__all__ = ["load_data", "load_profile", "optimize", "plan", "route"]


def load_data(overrides: str | Path | dict[str, Any] | None = None) -> DataPack:
    """The validated data pack, with the user's overrides applied when given."""
    return datapack.load(overrides)


def _profile(profile: Profile | str | Path | dict[str, Any]) -> Profile:
    if isinstance(profile, str | Path):
        return load_profile(profile)
    if isinstance(profile, dict):
        return profile_from_dict(profile)
    return profile


def plan(
    profile: Profile | str | Path | dict[str, Any],
    overrides: str | Path | dict[str, Any] | None = None,
    disruptions: tuple[str, ...] | list[str] = (),
    progress: Progress | None = None,
    optimize: bool | dict[str, Any] = False,
) -> Plan:
    """Landed cost of every candidate site for every target market, ranked, with sources.

    ``profile`` is a :class:`Profile`, a path to a YAML/JSON file or a mapping. ``disruptions``
    closes corridor nodes, edges or modes (``"khorgos"``, ``"aktau-baku_alat"``,
    ``"mode:ferry"``) before routing. ``optimize`` also runs the network optimizer, with the
    profile's ``optimize`` options updated by a mapping when one is given.
    """
    profile = _profile(profile)
    pack = load_data(overrides)
    options = None
    if optimize:
        changes = optimize if isinstance(optimize, dict) else {}
        merged = profile.optimize.model_dump() | changes
        try:
            options = OptimizeOptions.model_validate(merged)
        except ValidationError as exc:
            raise explain(exc, "optimize options") from None
    return build_plan(profile, pack, tuple(disruptions), progress, options)


def optimize(
    profile: Profile | str | Path | dict[str, Any],
    overrides: str | Path | dict[str, Any] | None = None,
    disruptions: tuple[str, ...] | list[str] = (),
    progress: Progress | None = None,
    **options: Any,
) -> Plan:
    """The plan with the network optimizer run: which sites open, at what capacity, who serves whom.

    Keyword options override the profile's ``optimize`` block: ``single_source``, ``max_sites``,
    ``capex_budget``, ``min_kz_share``, ``force_open``, ``force_closed``, ``time_limit``, ``gap``,
    ``sensitivity``, ``capacity_levels``.
    """
    return plan(profile, overrides, disruptions, progress, optimize=options or True)


def route(
    origin: str,
    destination: str,
    criterion: Criterion = "cost",
    disruptions: tuple[str, ...] | list[str] = (),
    overrides: str | Path | dict[str, Any] | None = None,
) -> Route:
    """The cheapest (``criterion="cost"``) or fastest (``"time"``) corridor route between nodes."""
    network = Network(load_data(overrides))
    if disruptions:
        network = network.close(*disruptions)
    return network.route(origin, destination, criterion)
