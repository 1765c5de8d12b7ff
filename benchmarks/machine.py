"""What the benchmark scripts print about the machine and how they format seconds (shared)."""

from __future__ import annotations

import contextlib
import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def package(dist: str) -> str:
    """The installed version of ``dist``, or "absent"."""
    try:
        return version(dist)
    except PackageNotFoundError:
        return "absent"


def describe(packages: dict[str, str]) -> str:
    """Cores and CPU model, memory, Python and the given packages (label -> distribution name)."""
    cpu = "?"
    with contextlib.suppress(OSError):
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "?",
        )
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    libs = ", ".join(f"{label} {package(dist)}" for label, dist in packages.items())
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, {libs}"


def fmt_s(v: float | None) -> str:
    """Seconds for a table: three decimals below 10 s, one above, a dash for none."""
    return "—" if v is None else (f"{v:.3f}" if v < 10 else f"{v:.1f}")
