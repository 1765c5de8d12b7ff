"""How fast the web pages and the HTML report open in a browser: kopru's partial plotly.js bundle
(kopru.plotlyjs) against plotly's full plotly.min.js, the peer every plotly page loads by default.

One run, alternating: each page of the web app (uvicorn on 127.0.0.1, in this process) opened in a
fresh Chromium context (nothing cached, as for a first visit) with the bundle and with the full
plotly.js put in its place by Playwright's routing; then the apparel plan's HTML report, written
with each. Timed: the navigation's DOMContentLoaded end (every script parsed and run) and, for
the pages that draw a figure on opening, until it is drawn. Medians of ROUNDS.

python benchmarks/bench_pages.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from machine import describe
from playwright.sync_api import sync_playwright

import kopru
from kopru import plotlyjs
from kopru.report import write_report
from kopru.web import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ARGS += ["--no-first-run"]
# the page and what shows it is ready: a figure drawn on opening, or the page's form
PAGES = {
    "/plan": "#profile-form",
    "/match": "#match-btn",
    "/sites": "#sites-map[data-drawn='1']",
    "/compare": "main",
    "/space": "main",
    "/runs": "main",
}
DCL = "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"


def full_plotly() -> bytes:
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


def serve() -> tuple[uvicorn.Server, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(token=""), log_level="warning", ws="none"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{sock.getsockname()[1]}"


def open_page(browser, url: str, ready: str, full: bytes | None) -> tuple[float, float]:
    """(DOMContentLoaded, ready) in seconds for one first visit."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    if full is not None:
        page.route("**/static/plotly.min.js", lambda r: r.fulfill(body=full, content_type="text/javascript"))
    t = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(ready)
    ready_s = time.perf_counter() - t
    dcl = page.evaluate(DCL) / 1000
    context.close()
    return dcl, ready_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    assert plotlyjs.uses_bundle(), "the installed plotly writes for another plotly.js than the bundle's"
    full = full_plotly()
    print(describe({"plotly": "plotly", "playwright": "playwright"}))
    print(f"plotly.js: bundle {plotlyjs.BUNDLE.stat().st_size / 1e6:.2f} MB, full {len(full) / 1e6:.2f} MB")
    server, base = serve()
    folder = Path(tempfile.mkdtemp())
    plan = kopru.plan(Path(__file__).resolve().parents[1] / "examples" / "apparel.yaml")
    reports = {"bundle": write_report(plan, kopru.load_data(), folder / "bundle.html")}
    plotlyjs.script.cache_clear()
    real = plotlyjs.script
    plotlyjs.script = lambda: full.decode("utf-8")  # the same report with the full plotly.js inlined
    try:
        reports["full"] = write_report(plan, kopru.load_data(), folder / "full.html")
    finally:
        plotlyjs.script = real
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for _ in range(rounds):
            for path, ready in PAGES.items():
                for variant in ("bundle", "full"):
                    got = open_page(browser, base + path, ready, full if variant == "full" else None)
                    times.setdefault((path, variant), []).append(got)
            for variant, report in reports.items():
                got = open_page(browser, report.as_uri(), "#cost-chart .main-svg", None)
                times.setdefault(("report (apparel)", variant), []).append(got)
        browser.close()
    server.should_exit = True
    sizes = {v: p.stat().st_size / 1e6 for v, p in reports.items()}
    print(f"report HTML: bundle {sizes['bundle']:.2f} MB, full {sizes['full']:.2f} MB")
    print(f"\nmedians of {rounds} first visits, seconds\n")
    print("| page | DOMContentLoaded, bundle | full | ratio | ready, bundle | full | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for what in [*PAGES, "report (apparel)"]:
        b = [statistics.median(x) for x in zip(*times[(what, "bundle")], strict=True)]
        f = [statistics.median(x) for x in zip(*times[(what, "full")], strict=True)]
        cells = [f"{b[0]:.2f}", f"{f[0]:.2f}", f"{f[0] / b[0]:.1f}×", f"{b[1]:.2f}", f"{f[1]:.2f}"]
        print(f"| {what} | " + " | ".join(cells) + f" | {f[1] / b[1]:.1f}× |")


if __name__ == "__main__":
    main()
