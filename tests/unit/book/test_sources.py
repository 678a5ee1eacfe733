"""Every source one click away: the documents cut into anchored paragraphs, phrases resolved and marked.

The release's phrases are read from the default release; nothing here copies one of its values.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup

from analysis.book import source_paragraphs as sp
from analysis.book import sources_page
from analysis.claims.vocabulary import normalise
from analysis.data.release import load_release
from analysis.words import SourceCell


@pytest.fixture(scope="module")
def release():
    return load_release()


@pytest.fixture(scope="module")
def cells(release):
    tables = [release.table(n) for n in release.resource_names if release.is_table(n)]
    found = sources_page.source_cells(tables)
    assert found, "the default release names no source phrase at all"
    return found


def test_every_source_phrase_of_the_default_release_resolves_to_exactly_one_paragraph(cells):
    problems = []
    for cell in cells:
        try:
            paragraph = sp.resolve(cell)
        except sp.SourceParagraphError as error:
            problems.append(str(error))
            continue
        if not paragraph.anchor or normalise(cell.phrase) not in paragraph.normalised:
            problems.append(f"{cell}: resolved to {paragraph.anchor!r}, which does not hold the phrase")
    assert problems == [], "\n".join(problems)


def test_every_anchor_is_unique_and_every_paragraph_but_an_omission_has_one():
    every = [p for f in sp.documents() for p in sp.paragraphs(f)]
    anchors = Counter(p.anchor for p in every if p.anchor)
    assert [a for a, n in anchors.items() if n > 1] == []
    assert all(p.anchor or p.kind == "omission" for p in every)
    assert all(re.fullmatch(r"[a-z0-9-]+", a) for a in anchors)


def test_a_phrase_in_no_paragraph_or_in_several_is_an_error():
    article = sp.ARTICLE
    with pytest.raises(sp.SourceParagraphError, match="no paragraph"):
        sp.resolve(SourceCell(article, "Methods", "words that the article never prints, in this order"))
    with pytest.raises(sp.SourceParagraphError, match="expected exactly one"):
        sp.resolve(SourceCell(article, "Methods", "the"))
    with pytest.raises(sp.SourceParagraphError, match="empty"):
        sp.resolve(SourceCell(article, "Methods", "  "))


def test_a_phrase_in_several_paragraphs_is_told_apart_by_its_section():
    paragraphs = [p for p in sp.paragraphs(sp.ARTICLE) if p.kind == "paragraph"]
    # A short phrase that two sections print: the section of the cell picks one.
    word = "probation"
    sections = {p.section for p in paragraphs if word in p.normalised}
    assert len(sections) > 1
    for section in sections:
        holding = [p for p in paragraphs if p.section == section and word in p.normalised]
        if len(holding) == 1:
            assert sp.resolve(SourceCell(sp.ARTICLE, section, word)) == holding[0]
            return
    pytest.fail("no section holds the word in exactly one paragraph")


def test_every_pinpoint_reads_back_to_its_paragraph():
    citable = [p for p in sp.paragraphs(sp.ARTICLE) if p.kind == "paragraph" and p.section != "References"]
    assert citable
    for paragraph in citable:
        where = sp.pinpoint(paragraph)
        assert "p." not in where.replace("para.", "")  # never a page
        assert sp.find_pinpoint(where) == paragraph
        assert sp.find_pinpoint(where.replace("\u2018", "'").replace("\u2019", "'").upper()) == paragraph
    with pytest.raises(sp.SourceParagraphError, match="no such paragraph"):
        sp.find_pinpoint("Methods, para. 999")


def test_page_breaks_do_not_split_a_paragraph_and_notes_keep_their_numbers():
    article = sp.paragraphs(sp.ARTICLE)
    # A paragraph after the first of its section never begins mid-sentence (in lower case).
    assert not [p.anchor for p in article if p.kind == "paragraph" and p.number > 1 and p.text[:1].islower()]
    notes = [p for p in article if p.section == "Notes" and p.kind == "paragraph"]
    assert notes
    for note in notes:
        assert note.text.startswith(note.label.removeprefix("note ") + ". ")
    # The first page's footer sits apart, so it is no numbered paragraph of the introduction.
    assert [p.kind for p in article if "Corresponding author" in p.text] == ["footer"]


def test_source_link_points_at_the_sources_page_and_the_paragraph(cells):
    cell = cells[0]
    page, _, anchor = sp.source_link(cell).partition("#")
    assert page == sp.SOURCES_PAGE and anchor == sp.resolve(cell).anchor


def test_marks_follow_the_words_across_quote_marks_and_line_breaks():
    text = "He said \u2018old\n   school\u2019 <b>values</b>, twice: old school."
    paragraph = sp.Paragraph("x.txt", "S", "S", 1, text)
    spans = sources_page.marked_spans(paragraph, ["'old school' <b>values"])
    assert len(spans) == 1
    start, end = spans[0]
    assert normalise(paragraph.text[start:end]) == "'old school' <b>values"
    html = sources_page.paragraph_html(paragraph, ["'old school' <b>values", "old school"])
    assert "<b>" not in html and "&lt;b&gt;" in html  # escaped
    marks = BeautifulSoup(html, "html.parser").find_all("mark")
    assert [normalise(m.get_text()) for m in marks] == ["'old school' <b>values", "old school"]


def test_the_page_marks_every_phrase_inside_its_paragraph_and_nothing_else(release, cells):
    soup = BeautifulSoup(sources_page.appendix(release), "html.parser")
    for cell in cells:
        element = soup.find(id=sp.resolve(cell).anchor)
        assert element is not None, cell
        marked = [normalise(m.get_text()) for m in element.find_all("mark")]
        assert any(normalise(cell.phrase) in m for m in marked), cell
    phrases = {normalise(c.phrase) for c in cells}
    for mark in soup.find_all("mark"):
        assert any(p in normalise(mark.get_text()) for p in phrases), mark.get_text()
    # The article is published whole, with its licence.
    article = soup.find(id=re.compile("^source-cracknell"))
    assert "Creative Commons Attribution 4.0" in article.get_text()
    numbered = [p for p in sp.paragraphs(sp.ARTICLE) if p.kind == "paragraph"]
    assert len(article.select(".treadmill-source-paragraph")) == len(numbered)
