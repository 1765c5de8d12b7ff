import gettext
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "test-artifacts"

# Screenshots are for a person reviewing a change (test-artifacts/); none asserts anything. CI, where
# nobody looks at them, skips them unless KOPRU_SCREENSHOTS=1: a whole report's page takes ~3.5 s.
SCREENSHOTS = os.environ.get("KOPRU_SCREENSHOTS", "0" if os.environ.get("CI") else "1") == "1"


# trace types a page asked plotly.js for that it does not know: plotly draws such a trace as a
# scatter (kopru.plotlyjs ships only the trace types kopru uses)
UNKNOWN_TRACES_JS = """[...document.querySelectorAll('.js-plotly-plot')].flatMap(gd =>
    (gd._fullData || []).filter(t => t.type !== (gd.data[t.index].type || 'scatter'))
        .map(t => gd.data[t.index].type))"""


def unknown_traces(page) -> list[str]:
    """The trace types drawn on ``page`` that its plotly.js has no module for."""
    return page.evaluate(UNKNOWN_TRACES_JS)


def screenshot(target, name: str, **kw) -> None:
    """Save a picture of a page or an element as test-artifacts/``name`` for a reviewer."""
    if SCREENSHOTS:
        ARTIFACTS.mkdir(exist_ok=True)
        target.screenshot(path=str(ARTIFACTS / name), **kw)


# CI replays the same examples every run, so a merge never waits on a new draw: one local full run
# stalled in a property test that solves random assignment instances, and no later run or 450
# direct draws reproduced it. Local runs keep drawing new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# pytest-xdist's workers set COLUMNS=80; the CLI tests read output as a pipe gets it (120 columns)
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)


@pytest.fixture(autouse=True)
def scenario_store(tmp_path_factory, monkeypatch):
    """Every run is recorded in a store: keep the tests' runs out of the user's data folder."""
    monkeypatch.setenv("KOPRU_STORE", str(tmp_path_factory.mktemp("store") / "runs.duckdb"))


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run the kopru command in-process, as the console script does."""
    from kopru.cli import main

    def run(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["kopru", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


CHROMIUM = os.environ.get("KOPRU_CHROMIUM", "/usr/bin/chromium")
# Debian's chromium, headless, with nothing that phones home (the machine has no internet)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by Playwright, shared by the report, space and web tests."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the README's test command, which installs chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


# The space review's "EO only" network: the two antennas whose sources show LEO EO downlink, with
# the coordinates and countries of the shipped ground-stations.csv
EO_ONLY_CSV = (
    "name,country,lat,lon,elev_m\n"
    "KGS Astana,Kazakhstan,51.13,71.43,\n"
    "TÜBİTAK UZAY METU,Türkiye,39.89,32.78,\n"
)


@pytest.fixture(scope="session")
def eo_only():
    from kopru.space import parse_stations

    return parse_stations(EO_ONLY_CSV, "eo_only.csv")


@pytest.fixture
def eo_only_file(tmp_path):
    path = tmp_path / "eo_only.csv"
    path.write_text(EO_ONLY_CSV, encoding="utf-8")
    return path


def recording_turkish(asked: set[str]) -> gettext.NullTranslations:
    """The Turkish catalog, noting in ``asked`` every message a document asks of it: the tests of
    the Turkish documents check each one has a translation."""
    from kopru.language import translations

    real = translations("tr")

    class Recording(gettext.NullTranslations):
        def gettext(self, message):
            asked.add(message)
            return real.gettext(message)

        def ngettext(self, one, many, n):
            asked.add(one)
            return real.ngettext(one, many, n)

    return Recording()
