"""plotly.js for the web pages and the HTML reports: a partial bundle of the trace types kopru draws.

plotly's full ``plotly.min.js`` is 4.8 MB; a browser on a two-core machine spent ~1.5 s parsing it
on every page of the web app, and every report carried all of it. ``plotly-kopru.min.js`` beside
this file is plotly.js's core with only :data:`TRACES` (1.4 MB), built from the npm registry's
``plotly.js`` package by ``scripts/plotly_bundle.sh``. It is used only where its version is the
one the installed plotly package writes figures for; with another plotly, that package's own full
plotly.js is (a figure is read by the plotly.js it was written for).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import plotly
from plotly.offline import get_plotlyjs, get_plotlyjs_version

# every trace type a kopru figure uses (scatter is in plotly.js's core); tests/test_plotlyjs.py reads
# the plan report's, and the browser tests check every page and report they open
TRACES = ("bar", "choropleth", "scatter", "scattergeo", "violin")
BUNDLE = Path(__file__).with_name("plotly-kopru.min.js")
_HEADER = re.compile(r"plotly\.js v(?P<version>[\w.-]+), traces (?P<traces>[a-z, ]+) only")


@cache
def bundle_header() -> tuple[str, tuple[str, ...]] | None:
    """The shipped bundle's plotly.js version and trace types, as its first line says; None without one."""
    if not BUNDLE.exists():
        return None
    with BUNDLE.open(encoding="utf-8") as f:
        match = _HEADER.search(f.readline())
    if match is None:
        return None
    return match["version"], tuple(t.strip() for t in match["traces"].split(","))


def uses_bundle() -> bool:
    """True when the shipped bundle is plotly.js at the version the installed plotly writes for and
    holds every trace type in :data:`TRACES` (one added there without rebuilding is not drawn)."""
    header = bundle_header()
    return header is not None and header[0] == get_plotlyjs_version() and set(TRACES) <= set(header[1])


def script_path() -> Path | None:
    """The plotly.js file to serve: the bundle, else the installed package's (None if it has no file)."""
    if uses_bundle():
        return BUNDLE
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return path if path.exists() else None


@cache
def script() -> str:
    """plotly.js's text, to inline in a self-contained HTML report."""
    return BUNDLE.read_text(encoding="utf-8") if uses_bundle() else get_plotlyjs()
