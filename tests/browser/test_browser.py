"""The built book in a real browser, offline: every page loads cleanly, draws, links, reads.

Chromium (Debian's, ``/usr/bin/chromium``; ``make browser`` installs it) opens
every page of ``_build/html`` served on 127.0.0.1. Any request to another host
is aborted and fails the page. The HTML is rendered first from the committed
notebooks (nothing is executed), so the tests check exactly what a reader gets.
Set ``TREADMILL_BROWSER_SITE`` to a built site to test that instead.

Full-page screenshots of the chapters are kept in ``_build/screenshots/``.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from support.browser import (
    SPEC_SCRIPT,
    chart_contrast_problems,
    chart_label_problems,
    html_pages,
    link_problems,
    page_links,
    pages_with_charts,
    site_file,
    toc_files,
)

from analysis import paths
from analysis.book import charts, citation, sourcing
from analysis.build.browser import chart_problems, offline_context, serve

PHONE = {"width": 390, "height": 844}  # a common phone, in CSS pixels

ROOT = paths.ROOT


def toc_pages() -> list[str]:
    """The pages _toc.yml promises, as site paths (``chapters/01_methods.html``)."""
    return [f"{name}.html" for name in toc_files()]


CHAPTERS = toc_pages()
# Sphinx adds the redirecting index, the search page and the general index.
PAGES = ["index.html", *CHAPTERS, "search.html", "genindex.html"]
SEVERE = {"serious", "critical"}


# --- fixtures -----------------------------------------------------------------


@dataclass
class Visit:
    """Everything observed while one page was open."""

    path: str
    final_url: str = ""
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    charts: int = 0
    chart_problems: list[str] = field(default_factory=list)
    label_problems: list[str] = field(default_factory=list)
    contrast_problems: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    downloads: dict[str, dict[str, str]] = field(default_factory=dict)
    specs: dict[str, dict] = field(default_factory=dict)
    violations: list[dict] = field(default_factory=list)
    offline_dead_ends: list[str] = field(default_factory=list)
    screenshot: Path | None = None


# Things that need a live server or a CDN: thebe, Binder/JupyterHub/Colab launch buttons.
_DEAD_ENDS = """() => {
  const found = [];
  for (const el of document.querySelectorAll(
      'script[src*="thebe"], link[href*="thebe"], script[type="text/x-thebe-config"], .thebe-launch-button,'
      + ' .dropdown-launch-buttons, [class*="launch-button"], a[href*="mybinder"], a[href*="colab.research"]')) {
    found.push(el.outerHTML.slice(0, 120));
  }
  for (const el of document.querySelectorAll("script:not([src])")) {
    if (/THEBE_JS_URL|thebe_selector|kernelName/.test(el.textContent)) found.push(el.outerHTML.slice(0, 120));
  }
  return found;
}"""

_DOWNLOAD_LINKS = """() => {
  const out = {};
  for (const p of document.querySelectorAll("p.treadmill-downloads")) {
    for (const a of p.querySelectorAll("a[href]")) {
      const m = a.getAttribute("href").match(/(vis-[0-9a-f]{16})(\\.[a-z.]+)$/);
      if (m) { (out[m[1]] = out[m[1]] || {})[a.textContent.trim()] = a.href; }
    }
  }
  return out;
}"""

_SPECS = """() => Object.fromEntries(
  Array.from(document.querySelectorAll('script[type="application/json"][id^="vis-"][id$="-spec"]'))
    .map(s => [s.id.slice(0, -5), JSON.parse(s.textContent)]))"""


class Visitor:
    """Opens each page once, in a fresh offline browser context, and keeps what it saw."""

    def __init__(self, browser, site: Path, base_url: str):
        self.browser = browser
        self.site = site
        self.base_url = base_url
        self.screenshots = site.parent / "screenshots"
        self.axe = Axe()
        self.seen: dict[str, Visit] = {}

    def __call__(self, path: str) -> Visit:
        if path not in self.seen:
            self.seen[path] = self._visit(path)
        return self.seen[path]

    def _visit(self, path: str) -> Visit:
        visit = Visit(path)
        failed_before_axe = None
        context, network = offline_context(self.browser)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and visit.console_errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
        try:
            url = self.base_url + path
            page.goto(url, wait_until="load")
            target = _refresh_target(self.site / path)
            if target:  # index.html forwards to the first chapter
                page.wait_for_url(urljoin(url, target))
                page.wait_for_load_state("load")
            visit.final_url = page.url
            visit.chart_problems = chart_problems(page)  # waits for Vega to draw
            visit.charts = page.locator("div.treadmill-chart").count()
            visit.label_problems = chart_label_problems(page)
            visit.contrast_problems = chart_contrast_problems(page)
            visit.links = page_links(page)
            visit.downloads = page.evaluate(_DOWNLOAD_LINKS)
            visit.specs = page.evaluate(_SPECS)
            visit.offline_dead_ends = page.evaluate(_DEAD_ENDS)
            if path.startswith("chapters/"):
                self.screenshots.mkdir(parents=True, exist_ok=True)
                visit.screenshot = self.screenshots / (Path(path).stem + ".png")
                page.screenshot(path=str(visit.screenshot), full_page=True)
            # What the page itself loaded (by "load", and the charts have drawn). axe-core
            # (next) re-fetches the stylesheets and resolves their @import against the
            # document instead of the sheet (its bug: "/basic.css"); that 404, and the
            # console error Chromium logs for it, are axe's: page failures are counted before.
            failed_before_axe = list(network.failed)
            errors_before_axe = list(visit.console_errors)  # its 404 is logged as an error too
            # axe-core is injected from the wheel (no fetch); runs every rule it has.
            results = self.axe.run(page)
            visit.violations = results.response["violations"]
        finally:
            visit.external = list(network.external)  # axe's requests included: none may leave
            if failed_before_axe is not None:
                visit.failed, visit.console_errors = failed_before_axe, errors_before_axe
            else:
                visit.failed = list(network.failed)
            context.close()
        return visit


def _refresh_target(file: Path) -> str:
    match = re.search(r'http-equiv="Refresh" content="\d+;\s*url=([^"]+)"', file.read_text(encoding="utf-8"), re.I)
    return match[1] if match else ""


@pytest.fixture(scope="session")
def visit(browser, site, base_url) -> Visitor:
    return Visitor(browser, site, base_url)


# --- what each page must satisfy ------------------------------------------------------


def severe_violations(seen: Visit) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in seen.violations
        if v["impact"] in SEVERE
    ]


def static_copy_problems(seen: Visit, site: Path, base_url: str) -> list[str]:
    """PNG · SVG · spec · data under each figure, served by the site, matching the chart."""
    problems = []
    if set(seen.downloads) != set(seen.specs):
        problems.append(f"figures {sorted(seen.specs)} but static-copy lines for {sorted(seen.downloads)}")
    for vid, spec in seen.specs.items():
        links = seen.downloads.get(vid, {})
        if list(links) != [text for _suffix, text, _what in charts.DOWNLOADS]:
            problems.append(f"{vid}: links {list(links)}")
            continue
        files = {text: site_file(site, base_url, url) for text, url in links.items()}
        missing = [url for text, url in links.items() if files[text] is None or not files[text].is_file()]
        if missing:
            problems.append(f"{vid}: missing {missing}")
            continue
        if not files["PNG"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n"):
            problems.append(f"{vid}: the PNG is not a PNG")
        if b"<svg" not in files["SVG"].read_bytes()[:500]:
            problems.append(f"{vid}: the SVG is not an SVG")
        exported = json.loads(files["spec"].read_text(encoding="utf-8"))
        if exported != spec:
            problems.append(f"{vid}: the spec file differs from the spec the page draws")
        data = files["data"].read_text(encoding="utf-8")
        if data != charts.spec_csv(exported) or data.count("\n") < 2:
            problems.append(f"{vid}: the CSV is not the chart's data (a header and rows)")
    return problems


# Every check, by name: what it found wrong on one page (empty: nothing).
CHECKS = {
    "requests leaving localhost": lambda seen, site, url: seen.external,
    "local resources failing": lambda seen, site, url: seen.failed,
    "console errors": lambda seen, site, url: seen.console_errors,
    "things needing a server": lambda seen, site, url: seen.offline_dead_ends,
    "charts not drawn": lambda seen, site, url: seen.chart_problems,
    "links": lambda seen, site, url: (
        link_problems(site, url, seen.links, frozenset({citation.PDF_NAME})) or ([] if seen.links else ["no links"])
    ),
    "axe": lambda seen, site, url: severe_violations(seen),
    "chart text alternatives": lambda seen, site, url: seen.label_problems,
    "chart contrast": lambda seen, site, url: seen.contrast_problems,
    "static copies": static_copy_problems,
}


# --- the site as a whole --------------------------------------------------------


def test_every_page_in_the_toc_is_built(site):
    assert sorted(set(PAGES) - set(html_pages(site))) == []


def test_pages_outside_the_toc_pass_every_check_too(visit, site, base_url):
    """A page the build adds on its own (e.g. a release's "What changed") is not spared."""
    problems = {
        (path, name): found
        for path in sorted(set(html_pages(site)) - set(PAGES))
        for name, check in CHECKS.items()
        if (found := check(visit(path), site, base_url))
    }
    assert problems == {}


def test_launch_buttons_that_need_a_server_are_configured_off():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    launch = config.get("launch_buttons", {})
    assert launch.get("thebe") is False
    assert not any(launch.get(key) for key in ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url"))
    assert "analysis.sphinx_ext.offline" in config["sphinx"]["extra_extensions"]


# --- every page -----------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_no_request_leaves_localhost(visit, site, base_url, path):
    assert CHECKS["requests leaving localhost"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", PAGES)
def test_every_local_resource_loads(visit, site, base_url, path):
    assert CHECKS["local resources failing"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", PAGES)
def test_no_console_errors(visit, site, base_url, path):
    assert CHECKS["console errors"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", PAGES)
def test_nothing_that_needs_a_server_is_on_the_page(visit, site, base_url, path):
    """No thebe script or config, no Binder/JupyterHub/Colab launch buttons."""
    assert CHECKS["things needing a server"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", PAGES)
def test_every_chart_is_drawn(visit, site, base_url, path):
    assert CHECKS["charts not drawn"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", PAGES)
def test_every_internal_link_and_anchor_resolves(visit, site, base_url, path):
    assert CHECKS["links"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(visit, site, base_url, path):
    """axe-core, every rule (incl. colour contrast, WCAG AA): nothing serious or critical."""
    assert CHECKS["axe"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", PAGES)
def test_every_chart_has_a_text_alternative(visit, site, base_url, path):
    assert CHECKS["chart text alternatives"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", PAGES)
def test_chart_colours_meet_wcag_aa_contrast(visit, site, base_url, path):
    """Inside the SVG, where axe does not look: text 4.5:1 (large 3:1), data marks 3:1."""
    assert CHECKS["chart contrast"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", PAGES)
def test_every_figure_links_its_static_copies(visit, site, base_url, path):
    assert CHECKS["static copies"](visit(path), site, base_url) == []


@pytest.mark.parametrize("path", CHAPTERS)
def test_a_full_page_screenshot_of_each_chapter_is_kept(visit, path):
    shot = visit(path).screenshot
    assert shot is not None and shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size > 10_000


# --- search -------------------------------------------------------------------


def a_word_from(page: Path) -> str:
    """The longest word of a page's title (so the expectation comes from the book itself)."""
    text = page.read_text(encoding="utf-8")
    title = re.sub(r"<[^>]+>", " ", re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)[1])
    return max(re.findall(r"[A-Za-z]{4,}", title), key=len).lower()


def test_search_finds_a_word_from_the_book(browser, site, base_url):
    chapter = CHAPTERS[1]
    word = a_word_from(site / chapter)
    context, network = offline_context(browser)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{base_url}search.html?q={quote(word)}", wait_until="load")
        results = page.locator("#search-results ul.search li a")
        results.first.wait_for(timeout=10_000)
        hrefs = results.evaluate_all("(links) => links.map(a => a.href)")
    finally:
        context.close()
    assert base_url + chapter in [urljoin(h, urlsplit(h).path) for h in hrefs], (word, hrefs)
    assert network.external == [] and network.failed == [] and errors == []


# --- the checks catch breakage ------------------------------------------------------


def _break_marks(node):
    """The same spec with every mark replaced by one Vega-Lite does not know."""
    if isinstance(node, dict):
        return {k: ({"type": "no-such-mark"} if k == "mark" else _break_marks(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_break_marks(v) for v in node]
    return node


def _with_a_chart(copy: Path) -> Path:
    """The first page of the copy that shows one of the book's charts."""
    pages = pages_with_charts(copy)
    assert pages, "the book shows no chart at all"
    return pages[0]


def _chart_check(browser, base_url: str, page_path: str) -> list[str]:
    context, _network = offline_context(browser)  # a fresh context: nothing cached
    try:
        page = context.new_page()
        page.goto(base_url + page_path, wait_until="load")
        return chart_problems(page)
    finally:
        context.close()


def test_the_chart_check_fails_when_a_spec_is_broken(browser, site, tmp_path):
    copy = tmp_path / "html"
    shutil.copytree(site, copy)
    page = _with_a_chart(copy)
    relative = page.relative_to(copy).as_posix()
    with serve(copy) as url:
        assert _chart_check(browser, url, relative) == []  # intact: the check passes
        text = page.read_text(encoding="utf-8")
        match = SPEC_SCRIPT.search(text)
        vid, spec = match[2], json.loads(match[3])
        broken = json.dumps(_break_marks(spec)).replace("</", "<\\/")
        page.write_text(text[: match.start(3)] + broken + text[match.end(3) :], encoding="utf-8")
        problems = _chart_check(browser, url, relative)
    assert problems, "a chart with a broken spec passed the chart check"
    assert any(p.startswith(vid) for p in problems), problems


# --- static copies, without a browser ----------------------------------------------


def _figure() -> charts.Figure:
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame({"group": ["a", "b"], "n": [1, 2]})
    chart = alt.Chart(frame).mark_bar().encode(x=alt.X("group:N", title="Group"), y=alt.Y("n:Q", title="N"))
    return charts.Figure(chart.properties(title="T"), "Two bars: b is twice a.", "Caption.")


def test_specs_are_read_back_from_a_notebook_and_a_wrong_id_is_refused():
    figure = _figure()
    spec = figure.spec()
    page = charts.figure_html(spec, figure.alt_text, figure.caption)
    notebook = {"cells": [{"outputs": [{"data": {"text/html": page}}]}]}
    assert charts.specs_in_notebook(notebook) == {charts.spec_id(spec): spec}
    forged = page.replace('"n":2', '"n":3')
    assert forged != page
    with pytest.raises(ValueError, match="does not match its spec"):
        charts.specs_in_notebook({"cells": [{"outputs": [{"data": {"text/html": forged}}]}]})


def test_export_writes_png_svg_spec_and_csv_from_the_inline_data(tmp_path):
    spec = _figure().spec()
    written = charts.export_figure(spec, tmp_path)
    vid = charts.spec_id(spec)
    assert [p.name for p in written] == [vid + suffix for suffix, _text, _what in charts.DOWNLOADS]
    png, svg, vl, csv = written
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")
    assert json.loads(vl.read_text(encoding="utf-8")) == spec
    assert csv.read_text(encoding="utf-8").splitlines() == ["group,n", "a,1", "b,2"]
    links = charts.figure_html(spec, "alt", "caption")
    assert [f"{charts.FIGURES_HREF}/{p.name}" for p in written] == re.findall(r'href="([^"]+)"', links)


# --- citations, as criminology prints them ---------------------------------------------

_CITATION = re.compile(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', re.S)
_CITED = re.compile(r'<a class="reference internal" href="(references\.html#[^"]+)"[^>]*>(.*?)</a>', re.S)


def test_citations_are_author_date_in_round_brackets_with_distinct_labels(site):
    """Every citation reads "Author (Year)" or "(Author, Year; ...)", and two works never share a label."""
    label_of: dict[str, str] = {}
    bad = []
    for path in CHAPTERS:
        text = (site / path).read_text(encoding="utf-8")
        for cite in _CITATION.findall(text):
            plain = re.sub(r"<[^>]+>", "", cite)
            if "[" in plain or "]" in plain or "(" not in plain or not plain.rstrip().endswith(")"):
                bad.append((path, plain))
            cited = _CITED.findall(cite)
            if len(cited) == 1:  # "Phelps (2013)" and "(Phelps, 2013)" both label the work "Phelps 2013"
                label_of[cited[0][0].split("#")[1]] = " ".join(re.sub(r"[(),;]", " ", plain).split())
    assert bad == []
    assert label_of, "no citations found"
    by_label: dict[str, set[str]] = {}
    for target, label in label_of.items():
        by_label.setdefault(label, set()).add(target)
    assert {label: ids for label, ids in by_label.items() if len(ids) > 1} == {}


# --- the appendices as reviewers' tools (issue 12, item 9) ---------------------------------

_VISIBLE_VERDICTS = """() => Array.from(document.querySelectorAll('#table-claims-register tbody tr'))
  .filter(r => !r.hidden).map(r => r.querySelector('td[data-value]').getAttribute('data-value'))"""


def test_the_claims_register_sorts_and_filters_by_verdict_offline(browser, base_url):
    context, network = offline_context(browser)
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base_url + "chapters/11_claims.html", wait_until="load")
        # DataTables comes when the register nears the viewport (_static/treadmill-tables.js).
        page.locator("#table-claims-register").scroll_into_view_if_needed()
        page.wait_for_selector("#table-claims-register-menu")
        every = page.evaluate(_VISIBLE_VERDICTS)
        assert len(every) > 10 and "holds" in every
        # Badges read without colour: each verdict cell shows a symbol and the word.
        badges = page.locator("#table-claims-register span.verdict").all_text_contents()
        assert all(len(b.split()) >= 2 for b in badges)
        page.select_option("#table-claims-register-menu", "!holds")
        shown = page.evaluate(_VISIBLE_VERDICTS)
        assert sorted(shown) == sorted(v for v in every if v != "holds") and "holds" not in shown
        for verdict in sorted(set(every)):
            page.select_option("#table-claims-register-menu", verdict)
            assert page.evaluate(_VISIBLE_VERDICTS) == [v for v in every if v == verdict]
        page.select_option("#table-claims-register-menu", "")
        first_id = page.locator("#table-claims-register tbody tr").first.get_attribute("id")
        page.fill("#table-claims-register-filter", first_id.removeprefix("claim-"))
        assert len(page.evaluate(_VISIBLE_VERDICTS)) >= 1
        page.fill("#table-claims-register-filter", "")
        # Sorting by the claim column, twice: the last claim comes first.
        ids = page.evaluate("Array.from(document.querySelectorAll('#table-claims-register tbody tr')).map(r => r.id)")
        header = page.locator("#table-claims-register thead th").first  # DataTables sorts on a header's click
        header.click()
        header.click()
        # DataTables throttles the draws the filter box starts: wait for the last one.
        first_row = "() => document.querySelector('#table-claims-register tbody tr').id"
        page.wait_for_function(f"() => ({first_row})() === {max(ids)!r}", timeout=10_000)
    finally:
        context.close()
    assert network.external == [] and network.failed == [] and errors == []


def test_the_data_appendix_is_a_fifth_of_its_height_with_every_table_open(browser, base_url):
    context, _network = offline_context(browser)
    try:
        page = context.new_page()
        page.goto(base_url + "chapters/08_data.html", wait_until="load")
        folded = page.evaluate("document.body.scrollHeight")
        cards = page.locator("div.treadmill-table-card").count()
        assert cards >= 10
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        unfolded = page.evaluate("document.body.scrollHeight")
    finally:
        context.close()
    assert folded * 5 < unfolded, (folded, unfolded)


# --- phones (issue 12, item 10) ---------------------------------------------------------

# Every chart's text at its rendered size: its font size times the SVG's scale on the page.
_CHART_TEXT = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('.treadmill-chart svg')) {
    const width = parseFloat(svg.getAttribute('width')) || svg.viewBox.baseVal.width;
    const scale = svg.getBoundingClientRect().width / width;
    for (const t of svg.querySelectorAll('text')) {
      if (t.textContent.trim()) out.push([parseFloat(getComputedStyle(t).fontSize) * scale, t.textContent.trim()]);
    }
  }
  return out;
}"""
_SCROLL_BOXES = """() => Array.from(document.querySelectorAll('.treadmill-chart-scroll')).map(box => ({
  scrolls: box.scrollWidth > box.clientWidth + 1, focusable: box.tabIndex === 0,
  label: box.getAttribute('aria-label') || ''}))"""
MIN_CHART_TEXT_PX = 10


def test_charts_keep_readable_text_on_a_phone(browser, site, base_url):
    """At 390x844 no chart shrinks its text below 10 px; a wide chart scrolls in a focusable box instead."""
    pages = [p.relative_to(site).as_posix() for p in pages_with_charts(site)]
    assert pages, "the book shows no chart at all"
    small, boxes, overflow = {}, {}, {}
    context, network = offline_context(browser, PHONE)
    try:
        page = context.new_page()
        for path in pages:
            page.goto(base_url + path, wait_until="load")
            chart_problems(page)  # waits for Vega to draw
            texts = page.evaluate(_CHART_TEXT)
            assert texts, f"{path}: no chart text found"
            too_small = [(round(size, 1), text) for size, text in texts if size < MIN_CHART_TEXT_PX - 0.01]
            if too_small:
                small[path] = too_small[:5]
            bad = [b for b in page.evaluate(_SCROLL_BOXES) if b["scrolls"] and not (b["focusable"] and b["label"])]
            if bad:
                boxes[path] = bad
            if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"] + 1:
                overflow[path] = page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()
    assert small == {} and boxes == {} and overflow == {}
    assert network.external == [] and network.failed == []


# --- glued numbers say where they come from (issue 12, item 11) ------------------------------

_GLUED = """() => Array.from(document.querySelectorAll('.treadmill-num')).map(el => ({
  text: el.textContent, title: el.getAttribute('title') || '', about: el.getAttribute('data-provenance') || '',
  href: el.getAttribute('href'), focusable: el.tabIndex >= 0,
  weight: getComputedStyle(el).fontWeight}))"""


def _glue_roles(chapter_page: str) -> int:
    """How many glue roles the chapter's markdown holds (each renders one number on the page)."""
    import nbformat

    notebook = nbformat.read(ROOT / chapter_page.replace(".html", ".ipynb"), as_version=4)
    return sum(
        len(re.findall(r"\{glue(?::\w+)?\}`[\w-]+`", c.source)) for c in notebook.cells if c.cell_type == "markdown"
    )


def starts_with_a_source(text: str) -> bool:
    """Provenance, human first: a work the sources hold, named in words, or the book's own reckoning."""
    return text.startswith((*sourcing.WORKS.values(), "The book's"))


def test_every_glued_number_shows_where_it_comes_from(browser, base_url):
    """On every chapter page each glued number has its provenance on hover (title) and on keyboard focus.

    Both start with the source in words (work, author and year, section, phrase); a number a
    claim checks names its claim next; the build's ids (table, row, function) come last, on hover only.
    """
    problems = {}
    context, network = offline_context(browser)
    try:
        page = context.new_page()
        for path in [c for c in CHAPTERS if (ROOT / c.replace(".html", ".ipynb")).exists()]:
            page.goto(base_url + path, wait_until="load")
            found = page.evaluate(_GLUED)
            bad = [
                g["text"]
                for g in found
                if not (
                    starts_with_a_source(g["title"])
                    and g["title"].startswith(g["about"])  # focus: the source and the claim; hover adds the ids
                    and g["focusable"]
                )
                or int(g["weight"]) > 500
                or (g["href"] is not None and not g["href"].startswith("11_claims.html#claim-"))
            ]
            if bad or len(found) != _glue_roles(path) or page.locator(".pasted-text").count():
                problems[path] = (bad[:3], len(found), _glue_roles(path))
            if found:  # keyboard focus shows the same words next to the number
                first = page.locator(".treadmill-num").first
                first.focus()
                shown = first.evaluate("el => getComputedStyle(el, '::after').content")
                if found[0]["about"] not in shown:
                    problems[path + " (focus)"] = shown[:80]
    finally:
        context.close()
    assert problems == {}
    assert network.external == [] and network.failed == []
