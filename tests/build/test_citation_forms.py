"""The built book's citations take the field's forms (SAGE Harvard, issue 19, item 5), and sources are one click away.

Read from the built HTML of the default release (``make book``; ``TREADMILL_BROWSER_SITE``
names another built site): the reference list is alphabetical and unnumbered with nothing
internal in it; a narrative citation prints the name once; no citation sits inside brackets or
holds brackets of its own; several works are sorted by year, one author's works collapsed; every
pinpoint and every source link reaches an anchored paragraph of the Sources appendix that marks
the cited words; quotation attributions carry the year.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analysis import paths
from analysis.book.source_paragraphs import SOURCES_PAGE
from analysis.build import Project, build_book
from analysis.data.bibtex import read_bibtex
from analysis.data.release import load_release

YEAR = r"(?:\d{4}[a-z]?|n\.d\.)"


@pytest.fixture(scope="module")
def site() -> Path:
    given = os.environ.get("TREADMILL_BROWSER_SITE")
    if given:
        return Path(given).resolve()
    project = Project(paths.ROOT)
    build_book(project, echo=lambda *_: None)
    return project.html_dir


@pytest.fixture(scope="module")
def pages(site) -> dict[str, BeautifulSoup]:
    chapters = sorted((site / "chapters").glob("*.html"))
    assert chapters
    return {p.name: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in chapters}


def _main(soup: BeautifulSoup):
    return soup.find("main") or soup


def _citations(pages):
    """(page, citation element, the text of its paragraph before it, its own text)."""
    for name, soup in pages.items():
        for cite in _main(soup).select("span.bibtex-citation, a.treadmill-pinpoint"):
            block = cite.find_parent(["p", "li", "td", "footer", "dd"])
            if block is None:
                continue
            before = ""
            for piece in block.descendants:
                if piece is cite:
                    break
                if isinstance(piece, str):
                    before += piece
            yield name, cite, before, cite.get_text()


def _depth(text: str) -> int:
    """How deep round brackets nest in ``text`` ("(a (b))" -> 2)."""
    depth = deepest = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


def test_the_reference_list_is_alphabetical_unnumbered_and_has_nothing_internal(pages):
    soup = pages["references.html"]
    entries = _main(soup).select(".citation-list .citation")
    assert entries
    assert not _main(soup).select(".citation-list .label"), "the reference list is numbered"
    texts = [e.get_text(" ", strip=True) for e in entries]
    heads = []
    for text in texts:
        match = re.match(rf"(.+?) \(({YEAR})\) ", text)
        assert match, f"not of the form 'Author (year) Title': {text}"
        heads.append((match.group(1).lower(), match.group(2)))
    assert heads == sorted(heads), "the reference list is not sorted by author, then year"
    keys = set(read_bibtex(load_release().text("references")))
    for text in texts:
        assert not re.search(r"\.(txt|md|csv)\b|Cited from|Plain-text copy", text), text
        assert not any(re.search(rf"\b{re.escape(k)}\b", text) for k in keys), text


def test_a_narrative_citation_prints_the_name_once(pages):
    doubled = []
    for name, _cite, before, text in _citations(pages):
        match = re.match(rf"\((.+?), {YEAR}", text)
        if match and re.search(rf"{re.escape(match.group(1))}[’']?s?\s*$", before.strip()):
            doubled.append(f"{name}: …{before[-60:]}{text}")
    assert doubled == [], "\n".join(doubled)


def test_no_citation_is_nested_in_brackets_or_holds_them(pages):
    nested = []
    for name, _cite, before, text in _citations(pages):
        if before.count("(") > before.count(")") or _depth(text) > 1:
            nested.append(f"{name}: …{before[-60:]}{text}")
    assert nested == [], "\n".join(nested)


def test_several_works_are_sorted_by_year_and_one_authors_works_collapsed(pages):
    problems, seen = [], 0
    for name, cite, _before, text in _citations(pages):
        if cite.name != "span" or not text.startswith("(") or ";" not in text and text.count(",") < 2:
            continue
        groups = [g.strip() for g in text.strip("()").split(";")]
        authors, firsts = [], []
        for group in groups:
            match = re.fullmatch(rf"(.+?), ({YEAR}(?:: [^,;]+)?(?:, {YEAR}(?:: [^,;]+)?)*)", group)
            if not match:
                problems.append(f"{name}: {group!r} in {text}")
                continue
            years = re.findall(YEAR, match.group(2))
            if years != sorted(years):
                problems.append(f"{name}: years not in order in {text}")
            authors.append(match.group(1))
            firsts.append(years[0])
        seen += 1
        if len(set(authors)) != len(authors):
            problems.append(f"{name}: an author not collapsed in {text}")
        if firsts != sorted(firsts):
            problems.append(f"{name}: works not sorted by year in {text}")
    assert seen, "no citation of several works on any page"
    assert problems == [], "\n".join(problems)


def test_every_pinpoint_and_source_link_reaches_a_marked_paragraph(pages):
    sources = pages[SOURCES_PAGE]
    links = []
    for name, soup in pages.items():
        links += [(name, a["href"]) for a in _main(soup).find_all("a", href=True) if SOURCES_PAGE + "#" in a["href"]]
    assert links, "nothing links to the Sources appendix"
    missing = []
    for name, href in links:
        target = sources.find(id=href.split("#", 1)[1])
        if target is None or not target.find("mark"):
            missing.append(f"{name}: {href}")
    assert missing == [], "\n".join(missing)


def test_pinpoints_name_a_section_and_paragraph_never_a_page(pages):
    pinpoints = [text for _n, cite, _b, text in _citations(pages) if cite.name == "a"]
    assert pinpoints
    for text in pinpoints:
        assert re.search(r"Cracknell,? \(?2022: (.+, para\. \d+|note \d+|.*‘[^’]+’)\)$", text), text
        assert not re.search(r"\bpp?\. \d", text), text


def test_quotation_attributions_carry_the_year(pages):
    footers = [f.get_text(" ", strip=True) for s in pages.values() for f in _main(s).select("blockquote footer")]
    assert footers
    assert [f for f in footers if not re.search(r"\b(19|20)\d{2}\b", f)] == []


def test_release_readmes_on_the_site_link_only_to_files_the_site_has(site):
    """A release's README links to the READMEs of the releases before it: those are published too."""
    readmes = sorted(site.glob("data/*/README.md"))
    published = {p.parent.name for p in readmes}
    releases = {p.parent.name for p in paths.DATA.glob(f"*/{paths.DESCRIPTOR}")}
    assert releases <= published, f"releases whose README the site lacks: {sorted(releases - published)}"
    dangling = []
    for readme in readmes:
        for link in re.findall(r"\]\(([^)\s]+)\)", readme.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:|#", link):
                continue  # an address outside the site, or a place in the same file
            if not (readme.parent / link.split("#", 1)[0]).resolve().is_file():
                dangling.append(f"{readme.relative_to(site)}: {link}")
    assert dangling == [], "\n".join(dangling)


def test_the_how_to_cite_page_gives_the_year_and_no_placeholder_address(pages):
    text = _main(pages["12_how_to_cite.html"]).get_text(" ", strip=True)
    assert re.search(r"The Treadmill book team \((\d{4}|n\.d\.)\) Running on the treadmill", text)
    assert "executablebooks" not in text and "example.com" not in text
