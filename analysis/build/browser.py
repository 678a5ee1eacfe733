"""Debian's Chromium over a local copy of the book, offline: shared by the PDF build and the browser tests.

Nothing here downloads a browser: Playwright launches ``/usr/bin/chromium``
(``make browser`` installs it with apt-get). Pages are served on 127.0.0.1 and
every request to another host is aborted and recorded, so a page that needs
the network is caught instead of silently fetched. The chart checks live here
because the PDF must not be printed before, or without, every chart drawn.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and none of the background services that phone home
# (component updates, sync, field trials, QUIC probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
VIEWPORT = {"width": 1280, "height": 900}
DRAW_TIMEOUT_MS = 10_000


# --- the server ---------------------------------------------------------------


class LocalOnly(http.server.SimpleHTTPRequestHandler):
    """Answers only requests addressed to this machine, and never lists a folder.

    A page elsewhere could make a browser send requests here under its own name
    (DNS rebinding): a ``Host`` other than 127.0.0.1 or localhost (with or without
    the port) is refused with 403. A folder without ``index.html`` is a 404, not a
    listing of what the folder holds.
    """

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        host = urlsplit(f"//{self.headers.get('Host', '')}").hostname
        if host not in LOCAL_HOSTS:
            self.send_error(403, "only requests to 127.0.0.1 or localhost are served")
            return False
        return True

    def list_directory(self, path):  # noqa: ANN001, ANN201 (the standard library's signature)
        self.send_error(404, "no such page")
        return None


class _QuietHandler(LocalOnly):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".json": "application/json",
        ".ipynb": "application/x-ipynb+json",
        ".svg": "image/svg+xml",
        ".csv": "text/csv",
    }

    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the browser --------------------------------------------------------------


def launch(playwright):
    """Debian's Chromium, never a downloaded one. A missing browser is an error, not a skip."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


@dataclass
class NetworkLog:
    """What a browser context asked for: external requests (aborted) and local failures."""

    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.external.clear()
        self.failed.clear()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


def offline_context(browser, viewport: dict | None = None):
    """A browser context in which only localhost answers; returns (context, NetworkLog)."""
    context = browser.new_context(viewport=viewport or VIEWPORT, service_workers="block")
    log = NetworkLog()

    def route(route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            log.external.append(url)
            route.abort("blockedbyclient")

    def on_response(response) -> None:
        if is_local(response.url) and response.status >= 400:
            log.failed.append(f"{response.status} {response.url}")

    def on_failed(request) -> None:
        if is_local(request.url):
            log.failed.append(f"{request.failure} {request.url}")

    context.route("**/*", route)
    context.on("response", on_response)
    context.on("requestfailed", on_failed)
    return context, log


# --- checks run in the page ---------------------------------------------------

# True once every chart has been drawn and fitted to its column (``_static/treadmill-charts.js``
# marks it ``data-fitted``) or has given up (text).
_CHARTS_SETTLED = """() => Array.from(document.querySelectorAll("div.treadmill-chart")).every(
  el => (el.getAttribute("data-fitted") === "true" && el.querySelector("svg, canvas") !== null)
        || (el.querySelector("svg, canvas") === null && el.textContent.trim() !== ""))"""

# One record per chart container: what it holds and how many data marks are drawn.
_CHART_STATE = """() => Array.from(document.querySelectorAll("div.treadmill-chart")).map(el => {
  const svg = el.querySelector("svg");
  const canvas = el.querySelector("canvas");
  let marks = 0;
  if (svg) {
    // Vega draws each data mark as an item inside a group classed "role-mark";
    // axes, legends and titles have other roles.
    marks = svg.querySelectorAll(".role-mark > *").length;
  } else if (canvas && canvas.width > 0 && canvas.height > 0) {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { marks = 1; break; } }
  }
  const box = el.getBoundingClientRect();
  return {
    id: el.id,
    drawn: svg ? "svg" : (canvas ? "canvas" : ""),
    marks: marks,
    text: svg || canvas ? "" : el.textContent.trim(),
    width: box.width,
    height: box.height,
    hasSpec: document.getElementById(el.id + "-spec") !== null,
  };
})"""


def wait_for_charts(page) -> None:
    """Give vegaEmbed (asynchronous) time to draw; the checks below say what went wrong.

    Charts draw lazily, as they scroll into view (``_static/treadmill-charts.js``): every
    chart still waiting is asked to draw first, as the page does before printing.
    """
    with contextlib.suppress(Exception):
        page.evaluate("() => window.treadmillDrawAll && window.treadmillDrawAll()")
    with contextlib.suppress(Exception):
        page.wait_for_function(_CHARTS_SETTLED, timeout=DRAW_TIMEOUT_MS)


def chart_problems(page) -> list[str]:
    """Every chart container must hold a drawn Vega SVG or canvas with at least one mark."""
    wait_for_charts(page)
    problems = []
    for chart in page.evaluate(_CHART_STATE):
        name = chart["id"] or "(chart without id)"
        if not chart["hasSpec"]:
            problems.append(f"{name}: no spec script beside the container")
        if not chart["drawn"]:
            problems.append(f"{name}: nothing drawn ({chart['text'] or 'empty container'})")
        elif chart["marks"] == 0:
            problems.append(f"{name}: a {chart['drawn']} with no data marks")
        elif chart["width"] < 50 or chart["height"] < 50:
            problems.append(f"{name}: drawn at {chart['width']:.0f}x{chart['height']:.0f} px")
    specs = page.evaluate(
        """() => Array.from(document.querySelectorAll('script[type="application/json"][id$="-spec"]'))
                 .map(s => s.id.slice(0, -5))
                 .filter(id => id.startsWith("vis-") && !document.querySelector("div.treadmill-chart#" + id))"""
    )
    problems += [f"{vid}: a spec with no chart container" for vid in specs]
    return problems
