"""Checks run over the built book in Debian's Chromium, served on localhost, offline.

Used by ``tests/browser/test_browser.py``. The browser, the offline server and the
chart checks are the package's (:mod:`analysis.build.browser`, shared with the PDF
build); what is here only the tests need: labels, contrast, links, the site on disk.
"""

from __future__ import annotations

import functools
import html.parser
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from analysis import paths
from analysis.build.browser import is_local

# --- checks run in the page ---------------------------------------------------

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
    relative = path[len(base) :]
    target = site / relative
    if relative == "" or relative.endswith("/"):
        target = target / "index.html"
    return target


def link_problems(site: Path, base_url: str, links: list[str], optional: frozenset[str] = frozenset()) -> list[str]:
    """Internal links must reach a file of the site; their #anchors must exist in it.

    ``optional``: site paths another command publishes (the PDF, by ``make pdf``);
    a link to one may dangle while it is not built, but never to anything else.
    """
    problems = []
    for link in sorted(set(links)):
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not is_local(link):
            continue  # mailto:, javascript:, and links out of the book (not followed offline)
        target = site_file(site, base_url, link)
        if target is not None and not target.exists() and target.relative_to(site).as_posix() in optional:
            continue
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


def toc_files(root: Path = paths.ROOT) -> list[str]:
    """The reading order of ``_toc.yml``: its root, then every ``file`` entry (document names)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node) -> None:
        if isinstance(node, dict):
            files.extend([node["file"]] if "file" in node else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return files
