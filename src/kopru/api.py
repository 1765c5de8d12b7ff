"""Public entry points. The CLI and the web app call these and nothing deeper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kopru import datapack
from kopru.corridors import Criterion, Network, Route
from kopru.datapack import DataPack
from kopru.plan import Plan, Progress, build_plan
from kopru.profile import Profile, load_profile, profile_from_dict

__all__ = ["load_data", "load_profile", "plan", "route"]


def load_data(overrides: str | Path | dict[str, Any] | None = None) -> DataPack:
    """The validated data pack, with the user's overrides applied when given."""
    return datapack.load(overrides)


def plan(
    profile: Profile | str | Path | dict[str, Any],
    overrides: str | Path | dict[str, Any] | None = None,
    disruptions: tuple[str, ...] | list[str] = (),
    progress: Progress | None = None,
) -> Plan:
    """Landed cost of every candidate site for every target market, ranked, with sources.

    ``profile`` is a :class:`Profile`, a path to a YAML/JSON file or a mapping. ``disruptions``
    closes corridor nodes, edges or modes (``"khorgos"``, ``"aktau-baku_alat"``,
    ``"mode:ferry"``) before routing.
    """
    if isinstance(profile, str | Path):
        profile = load_profile(profile)
    elif isinstance(profile, dict):
        profile = profile_from_dict(profile)
    pack = load_data(overrides)
    return build_plan(profile, pack, tuple(disruptions), progress)


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
