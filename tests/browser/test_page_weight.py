"""A page loads only what it uses, and a chapter stays light on a phone (issue 23).

Each chapter is opened at 390 px with only localhost answering; every local file the page asks for
is weighed as a static host sends it (gzip-compressed, level 6). The Vega bundle is fetched only by
pages with a chart, only once a chart nears the viewport, DataTables (deferred) only by pages with an
interactive table, and what the text needs must fit a budget.
"""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

import pytest
from support.browser import SPEC_SCRIPT, site_file, toc_files

from analysis.build.browser import offline_context

PHONE = {"width": 390, "height": 844}
BUDGET_BYTES = 250 * 1024  # issue 23: a chapter, compressed, before its charts load
VEGA = "vega-bundle.js"
DATATABLES = "datatables.js"
DATATABLES_CSS = "datatables.css"
ICON_KIT = "fontawesome.js"
CHAPTERS = [f"{name}.html" for name in toc_files()]
_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)"')


def _load(browser, base_url: str, path: str) -> tuple[list[str], object, object]:
    """Open ``path`` at phone size, wait until the network is idle; the local URLs it asked for."""
    context, network = offline_context(browser, PHONE)
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(base_url + path, wait_until="networkidle")
    assert network.external == [], f"{path} reached out: {network.external}"
    return asked, page, context


def _weight(site: Path, base_url: str, urls: list[str]) -> int:
    total = 0
    for url in set(urls):
        target = site_file(site, base_url, url)
        if target is not None and target.is_file():
            total += len(gzip.compress(target.read_bytes(), 6))
    return total


def _named(urls: list[str], name: str) -> list[str]:
    return [u for u in urls if u.split("?")[0].endswith("/" + name)]


@pytest.mark.parametrize("path", CHAPTERS)
def test_a_chapter_loads_only_what_it_uses_within_the_budget(browser, site, base_url, path):
    text = (site / path).read_text(encoding="utf-8")
    asked, page, context = _load(browser, base_url, path)
    try:
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        asked_after_scroll = list(asked)
    finally:
        context.close()
    assert _named(asked, ICON_KIT) == [], "the theme's 1.5 MB icon kit is still loaded"
    if not SPEC_SCRIPT.search(text):
        assert _named(asked_after_scroll, VEGA) == [], f"{path} has no chart but loads the Vega bundle"
    if "treadmill-interactive" not in text:
        assert _named(asked_after_scroll, DATATABLES) == [], f"{path} has no interactive table but loads DataTables"
    # Fetched after the text: Vega when a chart nears the viewport, DataTables (176 KB of it,
    # reported in BENCHMARKS.md) when an interactive table does.
    later = (VEGA, DATATABLES, DATATABLES_CSS)
    before_charts = [u for u in asked_after_scroll if not any(_named([u], name) for name in later)]
    weight = _weight(site, base_url, before_charts)
    assert weight <= BUDGET_BYTES, f"{path}: {weight / 1024:.0f} KB compressed before its charts, over 250 KB"


def test_a_chart_is_drawn_when_it_scrolls_into_view_and_not_before(browser, site, base_url):
    # The chapter whose first chart sits furthest down the page: its Vega bundle must wait for it.
    pages = [p for p in CHAPTERS if SPEC_SCRIPT.search((site / p).read_text(encoding="utf-8"))]
    assert pages, "no chapter draws a chart"
    context, network = offline_context(browser, PHONE)
    try:
        page = context.new_page()
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        deepest, depth = "", -1.0
        for path in pages:
            page.goto(base_url + path, wait_until="load")
            top = page.evaluate("() => document.querySelector('div.treadmill-chart').getBoundingClientRect().top")
            if top > depth:
                deepest, depth = path, top
        asked.clear()
        page.goto(base_url + deepest, wait_until="networkidle")
        if depth > PHONE["height"] + 400:  # beyond the observer's 300 px margin
            assert _named(asked, VEGA) == [], f"{deepest}: Vega loaded before any chart was near the viewport"
            assert page.evaluate("() => document.querySelector('div.treadmill-chart svg') === null")
        page.evaluate("() => document.querySelector('div.treadmill-chart').scrollIntoView()")
        page.wait_for_function(
            "() => document.querySelector('div.treadmill-chart').getAttribute('data-fitted') === 'true'",
            timeout=30_000,
        )
        assert _named(asked, VEGA), "the chart was drawn without the bundle being fetched?"
    finally:
        context.close()


@pytest.mark.parametrize("path", CHAPTERS)
def test_each_chapter_has_a_short_description_from_its_text_and_a_favicon(site, path):
    text = (site / path).read_text(encoding="utf-8")
    found = _DESCRIPTION.findall(text)
    assert len(found) == 1, f"{path}: {len(found)} meta descriptions"
    words = html.unescape(found[0])
    assert 20 <= len(words) <= 160, f"{path}: description of {len(words)} characters"
    assert 'rel="icon"' in text, f"{path}: no favicon link"


def test_the_register_fetches_datatables_when_it_nears_the_screen_and_keeps_a_linked_row_in_view(browser, base_url):
    """The claims register (an appendix) is plain HTML until it comes near the viewport."""
    path = "chapters/11_claims.html"
    context, network = offline_context(browser, PHONE)
    try:
        page = context.new_page()
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(base_url + path, wait_until="networkidle")
        top = page.evaluate("() => document.querySelector('table.treadmill-interactive').getBoundingClientRect().top")
        enhanced = "() => document.querySelector('table.treadmill-interactive').closest('.dt-container') !== null"
        if top > PHONE["height"] + 400:  # beyond the observer's 300 px margin
            assert _named(asked, DATATABLES) == [] and _named(asked, DATATABLES_CSS) == []
            assert page.evaluate(enhanced) is False
        page.evaluate("() => document.querySelector('table.treadmill-interactive').scrollIntoView()")
        page.wait_for_function(enhanced, timeout=30_000)
        assert _named(asked, DATATABLES) and _named(asked, DATATABLES_CSS)
        # A link to the register's last row: that row is on screen once the table is enhanced.
        rows = "table.treadmill-interactive tbody tr"
        last = page.evaluate(f"() => Array.from(document.querySelectorAll('{rows}')).pop().id")
        page.close()
        page = context.new_page()
        page.goto(base_url + path + "#" + last, wait_until="networkidle")
        page.wait_for_function(enhanced, timeout=30_000)
        box = page.evaluate(f"() => document.getElementById('{last}').getBoundingClientRect().toJSON()")
        assert 0 <= box["top"] < PHONE["height"], f"#{last} is at {box['top']:.0f} px after the register was enhanced"
    finally:
        context.close()
    assert network.external == []
