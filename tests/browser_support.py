"""Drive Debian's Chromium over the built book, served on localhost, offline.

Used by ``tests/test_browser.py``. Nothing here downloads a browser: Playwright
launches ``/usr/bin/chromium`` (``make browser`` installs it with apt-get), and
every request that does not go to the local server is aborted and recorded.
"""

from __future__ import annotations

import contextlib
import functools
import html.parser
import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
PHONE = {"width": 390, "height": 844}  # a common phone, in CSS pixels
DRAW_TIMEOUT_MS = 10_000


# --- the server ---------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
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

# True once every chart container holds an <svg>/<canvas> or has given up (text).
_CHARTS_SETTLED = """() => Array.from(document.querySelectorAll("div.treadmill-chart")).every(
  el => el.querySelector("svg, canvas") !== null || el.textContent.trim() !== "")"""

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
    """Give vegaEmbed (asynchronous) time to draw; the checks below say what went wrong."""
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


_CHART_LABELS = """() => Array.from(document.querySelectorAll("div.treadmill-chart")).map(el => {
  const described = (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
    .map(id => document.getElementById(id)).filter(Boolean).map(n => n.textContent.trim()).join(" ");
  return {
    id: el.id,
    role: el.getAttribute("role") || "",
    label: (el.getAttribute("aria-label") || "").trim(),
    description: (el.getAttribute("aria-description") || "").trim() || described,
  };
})"""


def chart_label_problems(page) -> list[str]:
    """Every chart is an image to assistive technology, with alt text or an aria description."""
    problems = []
    for chart in page.evaluate(_CHART_LABELS):
        if chart["role"] != "img":
            problems.append(f"{chart['id']}: role is {chart['role']!r}, not 'img'")
        if len(chart["label"]) < 10 and len(chart["description"]) < 10:
            problems.append(f"{chart['id']}: no alt text (aria-label) or aria description")
    return problems


# Colours of what Vega drew, as the browser computed them, blended by their
# opacity over what lies beneath: data marks (fill and outline) against the
# chart's background; text against the data mark under its centre (a label
# inside a bar) or else the background.
_CHART_COLOURS = """() => {
  const rgb = s => { const m = (s || "").match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null; const p = m[1].split(",").map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const blend = (c, a, under) => [0, 1, 2].map(i => a * c[i] + (1 - a) * under[i]);
  const paint = (node, prop, opacityProp, under) => {
    const cs = getComputedStyle(node);
    const c = rgb(cs[prop]);
    if (!c) return null;
    const a = c[3] * Number(cs[opacityProp] || 1) * Number(cs.opacity || 1);
    return a > 0 ? blend(c, a, under) : null;
  };
  const out = [];
  for (const el of document.querySelectorAll("div.treadmill-chart")) {
    const svg = el.querySelector("svg");
    if (!svg) continue;
    let bg = rgb(getComputedStyle(svg).backgroundColor);
    if (!bg || bg[3] === 0) bg = rgb(getComputedStyle(el).backgroundColor);
    if (!bg || bg[3] === 0) bg = [255, 255, 255, 1];
    bg = bg.slice(0, 3);
    const texts = [];
    const shapes = [];
    for (const item of svg.querySelectorAll(".role-mark > *")) {
      if (item.tagName.toLowerCase() === "text") { texts.push(item); continue; }
      shapes.push(item);
      const width = parseFloat(getComputedStyle(item).strokeWidth || "0");
      out.push({id: el.id, kind: "mark", bg: bg,
        fill: paint(item, "fill", "fillOpacity", bg),
        stroke: width > 0 ? paint(item, "stroke", "strokeOpacity", bg) : null});
    }
    for (const item of svg.querySelectorAll("text")) if (!item.closest(".role-mark")) texts.push(item);
    for (const item of texts) {
      if (!item.textContent.trim()) continue;
      // The topmost filled data mark under the text's centre (geometry, so it
      // works for charts scrolled out of the viewport), else the background.
      const box = item.getBoundingClientRect();
      const centre = new DOMPoint(box.x + box.width / 2, box.y + box.height / 2);
      let under = bg;
      for (const shape of shapes.slice().reverse()) {
        if (typeof shape.isPointInFill !== "function" || !shape.getScreenCTM()) continue;
        if (shape.isPointInFill(centre.matrixTransform(shape.getScreenCTM().inverse()))) {
          const fill = paint(shape, "fill", "fillOpacity", bg);
          if (fill) { under = fill; break; }
        }
      }
      const cs = getComputedStyle(item);
      out.push({id: el.id, kind: "text", bg: under, stroke: null,
        fill: paint(item, "fill", "fillOpacity", under), text: item.textContent.trim().slice(0, 30),
        size: parseFloat(cs.fontSize || "0"), bold: Number(cs.fontWeight) >= 700});
    }
  }
  return out;
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(v: float) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: list[float], two: list[float]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (0-255 channels)."""
    high, low = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _hex(rgb: list[float]) -> str:
    return "#" + "".join(f"{round(v):02x}" for v in rgb)


def chart_contrast_problems(page) -> list[str]:
    """WCAG AA inside the charts: text 4.5:1 (3:1 when large), data marks 3:1 (fill or outline)."""
    problems = set()
    for item in page.evaluate(_CHART_COLOURS):
        bg = item["bg"]
        if item["kind"] == "text":
            if item["fill"] is None:
                continue
            large = item["size"] >= 24 or (item["bold"] and item["size"] >= 18.66)
            need = 3.0 if large else 4.5
            ratio = contrast(item["fill"], bg)
            if ratio < need:
                colours = f"{_hex(item['fill'])} on {_hex(bg)}"
                problems.add(f"{item['id']}: text {item['text']!r} {colours} is {ratio:.2f}:1 (< {need}:1)")
        else:
            ratios = [contrast(c, bg) for c in (item["fill"], item["stroke"]) if c is not None]
            if ratios and max(ratios) < 3.0:
                colours = " / ".join(_hex(c) for c in (item["fill"], item["stroke"]) if c is not None)
                problems.add(f"{item['id']}: mark {colours} on {_hex(bg)} is {max(ratios):.2f}:1 (< 3:1)")
    return sorted(problems)


def page_links(page) -> list[str]:
    """Every link on the page, resolved by the browser (after the theme's scripts ran)."""
    return page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")


# --- the site on disk ---------------------------------------------------------


class _Anchors(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        for key, value in attrs:
            if value and (key == "id" or (key == "name" and tag == "a")):
                self.names.add(value)


@functools.cache
def anchors_in(path: Path) -> frozenset[str]:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.names)


def site_file(site: Path, base_url: str, url: str) -> Path | None:
    """The file a local URL serves (``dir/`` means ``dir/index.html``), or None if outside the site."""
    path = unquote(urlsplit(url).path)
    base = urlsplit(base_url).path
    if not path.startswith(base):
        return None
    relative = path[len(base):]
    target = site / relative
    if relative == "" or relative.endswith("/"):
        target = target / "index.html"
    return target


def link_problems(site: Path, base_url: str, links: list[str]) -> list[str]:
    """Internal links must reach a file of the site; their #anchors must exist in it."""
    problems = []
    for link in sorted(set(links)):
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not is_local(link):
            continue  # mailto:, javascript:, and links out of the book (not followed offline)
        target = site_file(site, base_url, link)
        if target is None or not target.is_file():
            problems.append(f"broken link: {link}")
            continue
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html" and fragment not in anchors_in(target):
            problems.append(f"missing anchor: {link}")
    return problems


def html_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, relative to its root (assets and sources excluded)."""
    skip = {"_static", "_sources", "_images", "figures", "data"}
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not skip.intersection(p.relative_to(site).parts[:-1])
    )


# A chart's spec in a built page: groups 2 (the id) and 3 (the JSON).
SPEC_SCRIPT = re.compile(r'(<script type="application/json" id="(vis-[0-9a-f]{16})-spec">)(.*?)(</script>)', re.S)


def pages_with_charts(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html")) if SPEC_SCRIPT.search(p.read_text(encoding="utf-8"))]
