"""What a reader sees, at 1280 px and on a phone (390 px): no code, charts that fit, a register of cards,
and a draft that says it is one (issue 20).

Screenshots at 390 px of the introduction, a findings chapter and the register are kept in
``_build/screenshots/`` (``*-390.png``), for a person to look at.
"""

from __future__ import annotations

import html.parser
from urllib.parse import urljoin

import pytest
from support.browser import link_problems, pages_with_charts, toc_files
from support.scratch import make_project

from analysis.book import citation
from analysis.build import build_book
from analysis.build.browser import chart_problems, offline_context, serve
from analysis.build.extras import DRAFT_BANNER

PHONE = {"width": 390, "height": 844}  # a common phone, in CSS pixels
CHAPTERS = [f"{name}.html" for name in toc_files()]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": PHONE}
REGISTER = "chapters/11_claims.html"
# Shown at 390 px to a person (Done-when of issue 20): the introduction, a findings chapter, the register.
SCREENSHOTS = ("chapters/00_introduction.html", "chapters/05_treadmill.html", REGISTER)

_VISIBLE_CODE = """() => Array.from(document.querySelectorAll(
    '.cell_input, .cell .cell_input pre, .jp-InputArea, div.input_area'))
  .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0
                  && getComputedStyle(el).visibility !== 'hidden'; })
  .map(el => el.textContent.trim().slice(0, 60))"""

# Each chart: its drawing's box against the column it sits in, and any text cut with "…" or
# drawn outside the drawing (clipped), and whether it had to scroll.
_CHART_FIT = """() => Array.from(document.querySelectorAll('div.treadmill-chart')).map(el => {
  const svg = el.querySelector('svg');
  const column = el.closest('article, main, .bd-article, body').getBoundingClientRect();
  const box = svg.getBoundingClientRect();
  const outside = [];
  const cut = [];
  for (const t of svg.querySelectorAll('text')) {
    const text = t.textContent.trim();
    if (!text) continue;
    if (text.includes('\\u2026')) cut.push(text);
    const r = t.getBoundingClientRect();
    if (r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
        || r.bottom > box.bottom + 1)) outside.push(text);
  }
  return {id: el.id, left: box.left, right: box.right, columnLeft: column.left, columnRight: column.right,
          scrolls: el.closest('.treadmill-chart-scroll').scrollWidth
                   > el.closest('.treadmill-chart-scroll').clientWidth + 1,
          cut: cut, outside: outside};
})"""


def _open(browser, base_url: str, path: str, viewport: dict):
    context, network = offline_context(browser, viewport)
    page = context.new_page()
    page.goto(base_url + path, wait_until="load")
    chart_problems(page)  # waits until every chart is drawn and fitted
    return context, network, page


@pytest.mark.parametrize("size", VIEWPORTS)
def test_no_code_is_visible_on_any_chapter_page(browser, base_url, size):
    shown = {}
    context, _network = offline_context(browser, VIEWPORTS[size])
    try:
        page = context.new_page()
        for path in CHAPTERS:
            page.goto(base_url + path, wait_until="load")
            found = page.evaluate(_VISIBLE_CODE)
            if found:
                shown[path] = found[:3]
    finally:
        context.close()
    assert shown == {}


def test_the_code_check_sees_code_when_it_is_shown(browser, base_url):
    """The control for the test above: a page with a code cell's input visible fails it."""
    context, _network = offline_context(browser)
    try:
        page = context.new_page()
        page.goto(base_url + CHAPTERS[0], wait_until="load")
        page.evaluate(
            """() => document.querySelector('article').insertAdjacentHTML('beforeend',
               '<div class="cell"><div class="cell_input"><pre>data_version = None</pre></div></div>')"""
        )
        assert page.evaluate(_VISIBLE_CODE) != []
    finally:
        context.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_every_chart_fits_its_column_with_no_clipped_text(browser, site, base_url, size):
    """No chart wider than its column, none that has to scroll, no text cut with "…" or outside the drawing."""
    pages = [p.relative_to(site).as_posix() for p in pages_with_charts(site)]
    assert pages, "the book shows no chart at all"
    problems = {}
    context, network = offline_context(browser, VIEWPORTS[size])
    try:
        page = context.new_page()
        for path in pages:
            page.goto(base_url + path, wait_until="load")
            assert chart_problems(page) == []
            for chart in page.evaluate(_CHART_FIT):
                found = []
                if chart["left"] < chart["columnLeft"] - 1 or chart["right"] > chart["columnRight"] + 1:
                    found.append(
                        f"drawn {chart['left']:.0f}-{chart['right']:.0f} in a column "
                        f"{chart['columnLeft']:.0f}-{chart['columnRight']:.0f}"
                    )
                if chart["scrolls"]:
                    found.append("scrolls sideways")
                if chart["cut"] or chart["outside"]:
                    found.append(f"clipped text {chart['cut'][:3]} {chart['outside'][:3]}")
                if found:
                    problems[f"{path} {chart['id']}"] = found
    finally:
        context.close()
    assert problems == {}
    assert network.external == [] and network.failed == []


_CARDS = """() => Array.from(document.querySelectorAll('#table-claims-register tbody tr')).map(tr => {
  const r = tr.getBoundingClientRect();
  const badge = tr.querySelector('span.verdict').getBoundingClientRect();
  const cells = Array.from(tr.cells);
  return {display: getComputedStyle(tr).display, left: r.left, right: r.right, width: r.width,
          first: cells.slice().sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0]
                 .getAttribute('data-label'),
          badgeInside: badge.left >= r.left - 0.5 && badge.right <= r.right + 0.5,
          overflowing: cells.filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.getAttribute('data-label')),
          labelled: cells.every(td => td.getAttribute('data-label'))};
})"""


def test_the_register_is_a_stack_of_cards_on_a_phone(browser, base_url):
    """Below 600 px each claim is a card: its statement first, then its verdict badge inside the card."""
    context, network, page = _open(browser, base_url, REGISTER, PHONE)
    try:
        cards = page.evaluate(_CARDS)
        width = page.evaluate("document.documentElement.clientWidth")
        heading = page.locator("#table-claims-register thead").bounding_box()
    finally:
        context.close()
    assert len(cards) > 10
    assert {c["display"] for c in cards} == {"flex"}
    assert all(c["first"] == "statement" and c["badgeInside"] and c["labelled"] for c in cards)
    assert all(c["left"] >= 0 and c["right"] <= width + 0.5 and c["width"] > width * 0.6 for c in cards)
    assert [c for c in cards if c["overflowing"]] == []  # words whole: nothing runs out of its line
    assert heading is None or heading["width"] <= 1  # the header row is for assistive technology only
    assert network.external == [] and network.failed == []


def test_the_register_is_a_table_on_a_wide_screen(browser, base_url):
    """The control for the test above: at 1280 px the same rows are table rows."""
    context, _network, page = _open(browser, base_url, REGISTER, VIEWPORTS["desktop"])
    try:
        cards = page.evaluate(_CARDS)
    finally:
        context.close()
    assert {c["display"] for c in cards} == {"table-row"} and all(c["badgeInside"] for c in cards)


def test_screenshots_at_390_px_are_kept_for_a_person(browser, site, base_url):
    folder = site.parent / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for path in SCREENSHOTS:
        context, _network, page = _open(browser, base_url, path, PHONE)
        try:
            shot = folder / (path.split("/")[-1].removesuffix(".html") + "-390.png")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            context.close()
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000


def test_a_book_built_from_a_draft_release_says_so_on_every_page(browser, tmp_path):
    project = make_project(tmp_path / "book")  # its one release is not frozen: a draft
    build_book(project, echo=lambda *_: None)
    site = project.html_dir
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob("chapters/*.html"))
    assert pages
    words = DRAFT_BANNER.format(version=project.default_release()).split(":")[0]
    missing = []
    with serve(site) as url:
        context, network = offline_context(browser, PHONE)
        try:
            page = context.new_page()
            for path in pages:
                page.goto(url + path, wait_until="load")
                banner = page.get_by_text(words)
                if not (banner.count() == 1 and banner.is_visible()):
                    missing.append(path)
        finally:
            context.close()
    assert missing == [] and network.external == []


# A4 less the PDF's 20 mm margins (analysis.build.pdf.PAGE), in CSS pixels: the printed text block.
TEXT_BLOCK = {"width": round((210 - 40) / 25.4 * 96), "height": 1000}


def test_on_paper_charts_stay_in_the_text_block_and_numbers_are_not_underlined(browser, site, base_url):
    problems = {}
    context, _network = offline_context(browser, TEXT_BLOCK)
    try:
        page = context.new_page()
        page.emulate_media(media="print")
        for path in [p.relative_to(site).as_posix() for p in pages_with_charts(site)]:
            page.goto(base_url + path, wait_until="load")
            chart_problems(page)
            wide = page.evaluate(
                """(width) => Array.from(document.querySelectorAll('.treadmill-chart svg'))
                     .map(svg => svg.getBoundingClientRect()).filter(r => r.left < 0 || r.right > width + 1)
                     .map(r => [Math.round(r.left), Math.round(r.right)])""",
                TEXT_BLOCK["width"],
            )
            underlined = page.evaluate(
                """() => Array.from(document.querySelectorAll('.treadmill-num'))
                     .filter(el => getComputedStyle(el).textDecorationLine !== 'none').map(el => el.textContent)"""
            )
            if wide or underlined:
                problems[path] = (wide, underlined[:3])
    finally:
        context.close()
    assert problems == {}


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        for key, value in attrs:
            if value and (key == "href" and tag in ("a", "link") or key == "src" and tag in ("script", "img")):
                self.found.append(value)


def test_every_internal_link_and_anchor_of_the_built_site_resolves(site):
    """Over every HTML file `make book` writes (read from disk, no browser): links, assets and #anchors.

    The PDF may be missing: `make book` says how to make it (`make pdf`) when it does not publish one.
    """
    base = "http://127.0.0.1:1/"
    problems = {}
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    assert len(pages) > 10
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        here = base + page.relative_to(site).as_posix()
        links = [urljoin(here, link) for link in parser.found if not link.startswith(("mailto:", "javascript:"))]
        found = link_problems(site, base, links, frozenset({citation.PDF_NAME}))
        if found:
            problems[page.relative_to(site).as_posix()] = found[:5]
    assert problems == {}
