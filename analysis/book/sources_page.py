"""The Sources appendix: every source document the data cite, each paragraph anchored, cited phrases marked.

A reader who follows a source link from a claim, a figure's "About this figure" block or a
pinpoint citation lands on one paragraph here (its id is
:attr:`analysis.book.source_paragraphs.Paragraph.anchor`) and sees the cited words inside a
``<mark>``. Every phrase that a ``source`` cell of the release names is marked; nothing else is.
The article is published in full under its CC BY 4.0 licence, with its attribution; the other
documents are the extracts the repository keeps. Everything that reaches the page is escaped.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable

from analysis.book.source_paragraphs import (
    ARTICLE,
    README,
    Paragraph,
    documents,
    paragraphs,
    pinpoint,
    resolve,
)
from analysis.claims.vocabulary import normalise
from analysis.words import SourceCell, parse_source

# What each document is, as the sources README describes it (title, what the repository keeps).
DOCUMENTS = {
    ARTICLE: (
        "Cracknell (2022), “Running on the treadmill: Practitioner experiences of mass supervision”",
        "The article in full, with its notes and reference list, as the text extraction we hold has it "
        "(its words unchanged). © The Author(s) 2022. Distributed under the terms of the Creative Commons "
        "Attribution 4.0 License (https://creativecommons.org/licenses/by/4.0/); published by SAGE in "
        "European Journal of Probation 14(2): 109–127, https://doi.org/10.1177/20662203221104925. "
        "Paragraphs are numbered within each section; a paragraph broken by a page in the extraction is "
        "shown whole, and the first page's footer is shown where the extraction put it.",
    ),
    "webster-2022-on-the-treadmill-summary.txt": (
        "Russell Webster (2022), “On the treadmill: probation officer experiences of mass supervision”",
        "Extracts: the passages the data cite. No licence is stated; quoted for criticism and review.",
    ),
    "onprobation-2022-07-03-the-probation-treadmill.txt": (
        "On Probation (2022), “The Probation Treadmill”, 3 July 2022, with reader comments",
        "Extracts: the passages and reader comments the data cite. No licence is stated; quoted for "
        "criticism and review.",
    ),
    "onprobation-2022-12-digest.txt": (
        "On Probation, posts of December 2022",
        "Extracts: the passages the data cite. No licence is stated; quoted for criticism and review.",
    ),
    "onprobation-2016-02-23-kirton-research.txt": (
        "On Probation (2016), “TR Is Crap Says Research”, 23 February 2016, quoting Kirton and Guillaume (2015)",
        "Extracts: the passages the data cite. No licence is stated; quoted for criticism and review.",
    ),
    "external-figures.md": (
        "External figures: the project's list of later public figures",
        "In full: the project's own compilation, each figure with its public source and address.",
    ),
    README: (
        "The project's description of the source documents",
        "The section of the sources README that the data cite.",
    ),
}
# "[Maguire and Raynor \(2017\)](#)" in the article's text extraction: a link with no address.
_EMPTY_LINK = re.compile(r"\[([^\]]*)\]\(#\)")
_EMPHASIS = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_QUOTES = str.maketrans({0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"'})


def source_cells(frames: Iterable) -> list[SourceCell]:
    """Every ``source`` cell of the given tables (DataFrames), parsed; empty cells skipped."""
    cells: list[SourceCell] = []
    for frame in frames:
        if "source" not in frame.columns:
            continue
        cells.extend(parse_source(v) for v in frame["source"].dropna() if str(v).strip())
    return cells


def _positions(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` and, for each of its characters, where it stands in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text.translate(_QUOTES)):
        if char.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            continue
        out.append(char)
        where.append(i)
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def marked_spans(paragraph: Paragraph, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """Where in ``paragraph.text`` the phrases stand (every occurrence), overlaps merged, in order."""
    flat, where = _positions(paragraph.text)
    if flat != paragraph.normalised:
        raise ValueError(f"{paragraph.anchor}: cannot map the normalised text back onto the paragraph")
    spans = []
    for phrase in {normalise(p) for p in phrases}:
        for found in re.finditer(re.escape(phrase), flat):
            spans.append((where[found.start()], where[found.end() - 1] + 1))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _inline(text: str, line_breaks: bool) -> str:
    out = html.escape(text)
    out = _EMPTY_LINK.sub(lambda m: m.group(1).replace("\\(", "(").replace("\\)", ")"), out)
    out = _EMPHASIS.sub(r"<em>\1</em>", out)
    return out.replace("\n", "<br>") if line_breaks else out


def paragraph_html(paragraph: Paragraph, phrases: Iterable[str]) -> str:
    """One paragraph (or heading) with its id, its place ("Introduction, para. 3") and its marked phrases."""
    breaks = paragraph.file.endswith(".txt") and paragraph.file != ARTICLE
    text, pieces, at = paragraph.text, [], 0
    for start, end in marked_spans(paragraph, phrases):
        pieces.append(_inline(text[at:start], breaks))
        pieces.append(f"<mark>{_inline(text[start:end], breaks)}</mark>")
        at = end
    pieces.append(_inline(text[at:], breaks))
    body = "".join(pieces)
    anchor = f' id="{html.escape(paragraph.anchor)}"' if paragraph.anchor else ""
    if paragraph.kind == "heading":
        return f'<h3 class="treadmill-source-heading"{anchor}>{body}</h3>'
    if paragraph.kind == "paragraph":
        where = pinpoint(paragraph) if paragraph.file == ARTICLE else f"{paragraph.label}, para. {paragraph.number}"
        label = f'<span class="treadmill-source-place">{html.escape(where)}</span>'
    else:
        label = ""
    return f'<div class="treadmill-source-para treadmill-source-{paragraph.kind}"{anchor}>{label}<p>{body}</p></div>'


def document_html(file: str, phrases_by_anchor: dict[str, list[str]]) -> str:
    """One source document: its title, what of it is kept, and its paragraphs."""
    title, kept = DOCUMENTS.get(file, (file, "Extracts: the passages the data cite."))
    body = "\n".join(paragraph_html(p, phrases_by_anchor.get(p.anchor, ())) for p in paragraphs(file))
    return (
        f'<section class="treadmill-source" id="{html.escape(_document_id(file))}">'
        f"<h2>{html.escape(title)}</h2>"
        f'<p class="treadmill-source-kept">{html.escape(kept)}</p>\n{body}\n</section>'
    )


def _document_id(file: str) -> str:
    return "source-" + re.sub(r"[^a-z0-9]+", "-", file.rsplit(".", 1)[0].lower()).strip("-")


def sources_html(cells: Iterable[SourceCell]) -> str:
    """Every source document, in full or as kept, each cited phrase marked in the paragraph it resolves to.

    A cell whose phrase leads to no paragraph, or to several, raises
    :class:`analysis.book.source_paragraphs.SourceParagraphError`: the page never hides one.
    """
    by_anchor: dict[str, list[str]] = defaultdict(list)
    for cell in cells:
        by_anchor[resolve(cell).anchor].append(cell.phrase)
    return "\n".join(document_html(file, by_anchor) for file in documents())


def appendix(release) -> str:
    """The Sources appendix for a release: every document, marked with the phrases its tables cite."""
    tables = (release.table(name) for name in release.resource_names if release.is_table(name))
    return sources_html(source_cells(tables))
