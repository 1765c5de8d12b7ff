"""What produced an output: kopru's version, a digest of its code, the data pack's version, the time.

The version string changes only with a release, so two runs of one version with different code
(an edited checkout, a patched install) would look alike; the digest of the package's own source
files (code, templates, scripts; not the data pack, which has its own version) tells them apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import kopru
from kopru.datapack.overrides import as_given

CODE_SUFFIXES = (".py", ".j2", ".js", ".css", ".html")


@cache
def code_digest() -> str:
    """The first 12 hex digits of a SHA-256 over the package's source files, in path order."""
    root = Path(kopru.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in CODE_SUFFIXES and "datapack" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def provenance(data_pack_version: str) -> dict[str, Any]:
    """The fields every kopru output starts with."""
    return {
        "kopru_version": kopru.__version__,
        "code_digest": code_digest(),
        "data_pack_version": data_pack_version,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


@dataclass(frozen=True)
class RunInputs:
    """What a result was computed from, in the form plan.json records it: the profile, the data
    pack's overrides as applied, what was closed (the profile's closures and the run's) and the
    countries no route passed through.

    A report that puts a plan beside a risk run or a ranking, and the store that files a result
    under a profile, check these instead of trusting that the caller passed the same arguments twice.
    """

    profile: dict[str, Any]
    overrides: tuple[dict[str, Any], ...] = ()
    disruptions: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()

    @classmethod
    def of_plan(cls, plan: Any) -> RunInputs:
        return cls(plan.profile, tuple(plan.overrides), tuple(plan.disruptions), tuple(plan.avoid))

    @classmethod
    def of_prepared(cls, prepared: Any) -> RunInputs:
        """Of a run's :class:`~kopru.inputs.PlanInputs`, as the plan of the same arguments records them."""
        return cls(
            prepared.profile.model_dump(mode="json"),
            tuple(o.as_dict() for o in prepared.pack.overrides),
            tuple(prepared.closed),
            tuple(prepared.avoid),
        )

    def given(
        self, profile: Any = None, overrides: Any = None, disruptions: Any = None, avoid: Any = None
    ) -> RunInputs:
        """These inputs with the arguments a caller gave in their place, put in the same form (the
        profile's own closures and avoided countries added, as a run adds them); None keeps ours."""
        from kopru import datapack
        from kopru.profile import as_profile
        from kopru.units import country_codes

        if profile is None and overrides is None and disruptions is None and avoid is None:
            return self
        prof = as_profile(self.profile if profile is None else profile)
        return RunInputs(
            self.profile if profile is None else prof.model_dump(mode="json"),
            self.overrides
            if overrides is None
            else tuple(o.as_dict() for o in datapack.load(overrides).overrides),
            # once each, in order, as the plan closes them (kopru.inputs)
            self.disruptions
            if disruptions is None
            else tuple(dict.fromkeys((*prof.disruptions, *disruptions))),
            self.avoid if avoid is None else country_codes((*prof.avoid, *avoid)),
        )

    def differences(self, other: RunInputs, other_name: str) -> list[str]:
        """What differs from ``other`` (called ``other_name``), in words a person checks: the
        profile's company and product, the overridden values, what is closed, the countries avoided."""
        out = []
        if self.profile != other.profile:
            mine, theirs = _profile_label(self.profile), _profile_label(other.profile)
            if mine == theirs:
                out.append(f"profile fields that differ from {other_name}'s, for {mine}")
            else:
                out.append(f"profile {mine} where {other_name} has {theirs}")
        pairs = (
            ("overrides", _overridden(self.overrides), _overridden(other.overrides)),
            ("closed", sorted(self.disruptions), sorted(other.disruptions)),
            ("countries avoided", sorted(self.avoid), sorted(other.avoid)),
        )
        for what, mine_, theirs_ in pairs:
            if mine_ != theirs_:
                out.append(f"{what} {_listed(mine_)} where {other_name} has {_listed(theirs_)}")
        return out

    def overrides_mapping(self) -> dict[str, Any] | None:
        """The overrides as an overrides file gives them (``{key: {value, unit, note, year}}`` or
        ``{key: {factor, note}}``), or None."""
        if not self.overrides:
            return None
        return {o["key"]: as_given(o) for o in self.overrides}


def _profile_label(profile: dict[str, Any]) -> str:
    return "'" + ", ".join(str(profile.get(k) or "?") for k in ("company", "product")) + "'"


def _overridden(overrides: tuple[dict[str, Any], ...]) -> list[tuple[str, Any]]:
    return sorted((str(o["key"]), o["new"]) for o in overrides)


def _listed(items: Any) -> str:
    names = [k if isinstance(k, str) else f"{k[0]} = {k[1]:g}" for k in items]
    return ", ".join(sorted(names)) or "none"
