"""What produced an output: kopru's version, a digest of its code, the data pack's version, the time.

The version string changes only with a release, so two runs of one version with different code
(an edited checkout, a patched install) would look alike; the digest of the package's own source
files (code, templates, scripts; not the data pack, which has its own version) tells them apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import kopru

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
