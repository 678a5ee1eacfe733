"""The source documents cut into anchored paragraphs: what the Sources appendix shows and links point at.

Every datum names a verbatim phrase in a source document (``<file> § <section>: "<phrase>"``).
A reader should reach that phrase in one click, so each document is cut into paragraphs, each with
a stable HTML id, and :func:`resolve` finds the one paragraph a source cell's phrase comes from.
The article has no page breaks in our copy, so a place in it is cited by section and paragraph
("Findings, ‘Running on the treadmill’, para. 2"): :func:`pinpoint` gives that label and
:func:`find_pinpoint` reads it back (the ``pinpoint`` role of :mod:`analysis.sphinx_ext.pinpoints`).

Texts are read only through :mod:`analysis.data.sources` (verified and logged as a chapter's
inputs). Paragraphs are blank-line separated blocks; in the article, a block that starts in lower
case continues the previous one across a page break, and the first page's footer (corresponding
author) is set aside without splitting the sentence it interrupts. In Markdown files every list
item and table row is a paragraph of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from analysis.claims.vocabulary import ARTICLE, normalise
from analysis.data import sources
from analysis.words import SourceCell, parse_source

# The Sources appendix, as linked from a chapter page (chapters sit side by side in chapters/).
SOURCES_DOC = "13_sources"
SOURCES_PAGE = f"{SOURCES_DOC}.html"
# How the book cites the article in a pinpoint: "(Cracknell, 2022: Findings, …, para. 2)".
ARTICLE_AUTHOR, ARTICLE_YEAR = "Cracknell", "2022"
# The part of the sources README that the data cite (the rest is for developers).
README = "README.md"
README_SECTION = "Source documents"
OMISSION = "[…]"

# The article's headings as its text prints them, in order: (how the heading block begins, the
# section name the data's source cells use, the short title a pinpoint prints). Run-in headings
# ("Mass supervision and … practice. The MoJ …") begin their section's first paragraph.
ARTICLE_OUTLINE = (
    ("Abstract", "Abstract", ""),
    ("Keywords", "Keywords", ""),
    ("Introduction", "Introduction", ""),
    ("Exploring the values of the probation service", "Exploring the values of the probation service", ""),
    ("Methods", "Methods", ""),
    ("Findings", "Findings", ""),
    (
        "Mass supervision and the undermining of innovative practice. ",
        "Findings — Mass supervision and the undermining of innovative practice",
        "Mass supervision and the undermining of innovative practice",
    ),
    (
        "The retraction of innovative practice:",
        "Findings — The retraction of innovative practice",
        "The retraction of innovative practice",
    ),
    (
        "The struggle of maintaining ‘old school’ probation values, within the new realities of mass supervision. ",
        "Findings — The struggle of maintaining old school probation values",
        "The struggle of maintaining ‘old school’ probation values",
    ),
    (
        "Running on the treadmill: Conceptualising mass supervision",
        "Findings — Running on the treadmill",
        "Running on the treadmill",
    ),
    ("Discussion:", "Discussion", ""),
    ("Acknowledgements", "Acknowledgements", ""),
    ("Declaration of conflicting interests", "Declaration of conflicting interests", ""),
    ("Funding", "Funding", ""),
    ("ORCID iD", "ORCID iD", ""),
    ("Notes", "Notes", ""),
    ("References", "References", ""),
)
# The first page's footer, which the text extraction put inside the introduction's first paragraph.
_FOOTER_START, _FOOTER_END = "Corresponding author:", "Email:"


class SourceParagraphError(LookupError):
    """A phrase or pinpoint that does not lead to exactly one paragraph; the message says which."""


@dataclass(frozen=True)
class Paragraph:
    """One anchored paragraph of a source document."""

    file: str
    section: str  # as the data's source cells name it ("Findings — Running on the treadmill")
    label: str  # the section as a pinpoint prints it ("Findings, ‘Running on the treadmill’")
    number: int  # 1, 2, ... within its section; for a heading, how many times it came before; else 0
    text: str  # the text as the file has it
    kind: str = "paragraph"  # or "heading", "footer", "omission" (a "[…]" where the extract leaves text out)

    @property
    def anchor(self) -> str:
        """The paragraph's HTML id on the Sources page ("" for an omission mark, which has none).

        Made of the file, the section and the paragraph's number, so it stays the same while
        the document does.
        """
        if self.kind == "omission":
            return ""
        repeat = f"-{self.number + 1}" if self.number else ""  # a heading the document repeats
        suffix = f"p{self.number}" if self.kind == "paragraph" else self.kind + repeat
        return f"src-{_slug(self.file.rsplit('.', 1)[0])}-{_slug(self.section) or 'top'}-{suffix}"

    @property
    def normalised(self) -> str:
        return normalise(self.text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise(text).lower()).strip("-")


def _blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in re.split(r"\n[ \t]*\n", text) if b.strip()]


def _heading(block: str, start: str) -> bool:
    """Whether ``block`` is the heading the outline expects next (a run-in heading begins a paragraph)."""
    if start.endswith(" "):
        return block.startswith(start)
    return block.startswith(start) and "\n" not in block and len(block) < 120


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.?!:;)\u2019\u201d'\"]\s*$", text))


def _article(text: str) -> list[Paragraph]:
    out: list[Paragraph] = []
    section, label = "Attribution and front matter", "front matter"
    outline = list(ARTICLE_OUTLINE)
    number, after_footer = 0, False
    footer: list[str] = []
    for block in _blocks(text):
        if outline and _heading(block, outline[0][0]):
            start, section, short = outline.pop(0)
            label = f"{section.split(' — ')[0]}, \u2018{short}\u2019" if short else section
            number = 0
            if not start.endswith(" "):  # a heading of its own; a run-in one begins the first paragraph
                out.append(Paragraph(ARTICLE, section, label, 0, block, "heading"))
                continue
        if footer or block.startswith(_FOOTER_START):
            footer.append(block)
            if block.startswith(_FOOTER_END):
                out.append(Paragraph(ARTICLE, section, label, 0, "\n".join(footer), "footer"))
                footer, after_footer = [], True
            continue
        numbered = [i for i, p in enumerate(out) if p.kind == "paragraph" and p.section == section]
        if numbered and (block[:1].islower() or (after_footer and not _ends_sentence(out[numbered[-1]].text))):
            prev = out[numbered[-1]]
            out[numbered[-1]] = Paragraph(ARTICLE, section, prev.label, prev.number, f"{prev.text}\n{block}")
            after_footer = False
            continue
        after_footer = False
        if section in ("Notes", "References"):
            items = _list_items(block, section, number)
            out.extend(items)
            number += len(items)
            continue
        number += 1
        out.append(Paragraph(ARTICLE, section, label, number, block))
    if outline:
        raise SourceParagraphError(f"{ARTICLE}: heading {outline[0][0]!r} not found in the article's text")
    return out


def _list_items(block: str, section: str, number: int) -> list[Paragraph]:
    """The article's notes ("1. …") or reference entries ("- …"), one paragraph each."""
    marker = r"\d+\. " if section == "Notes" else r"- "
    items = [i for i in re.split(rf"\n(?={marker})", block) if i.strip()]
    out = []
    for item in items:
        number += 1
        if section == "Notes":
            note = re.match(r"(\d+)\. ", item)
            item_label = f"note {note.group(1)}" if note else f"note {number}"
        else:
            item_label = "References"
        out.append(Paragraph(ARTICLE, section, item_label, number, item))
    return out


def _generic(file: str, text: str) -> list[Paragraph]:
    markdown = file.endswith(".md")
    out: list[Paragraph] = []
    section, number = "", 0
    seen: dict[str, int] = {}
    for block in _blocks(text):
        lines = block.split("\n")
        while lines and lines[0].startswith("#"):
            title = lines.pop(0).lstrip("#").strip()
            seen[title] = seen.get(title, 0) + 1
            section, number = title, 0
            if seen[title] > 1:  # a repeated heading: its paragraphs go on numbering
                number = max((p.number for p in out if p.section == section and p.kind == "paragraph"), default=0)
            out.append(Paragraph(file, section, section, seen[title] - 1, title, "heading"))
        if not lines:
            continue
        items: list[str] = []
        for line in lines:
            if markdown and re.match(r"\s*\|[-| :]+\|\s*$", line):
                continue  # a table's separator row
            if not items or (markdown and re.match(r"(- |\| )", line)):
                items.append(line)
            else:
                items[-1] += "\n" + line
        for item in items:
            if item.strip() == OMISSION:
                out.append(Paragraph(file, section, section, 0, item, "omission"))
                continue
            number += 1
            out.append(Paragraph(file, section, section, number, item))
    return out


@cache
def _paragraphs(file: str, text: str) -> tuple[Paragraph, ...]:
    if file == ARTICLE:
        return tuple(_article(text))
    found = _generic(file, text)
    if file == README:
        found = [p for p in found if p.section == README_SECTION]
    return tuple(found)


def paragraphs(file: str) -> tuple[Paragraph, ...]:
    """The anchored paragraphs of one source document (read, verified and logged by analysis.data.sources)."""
    return _paragraphs(file, sources.read_source(file))


def documents() -> list[str]:
    """The source documents, the article first, then by file name."""
    names = sorted(sources.expected_hashes())
    return [ARTICLE] + [n for n in names if n != ARTICLE]


def resolve(cell: SourceCell | str) -> Paragraph:
    """The one paragraph (or heading) that holds a source cell's phrase.

    Several paragraphs holding the phrase are told apart by the cell's section; none, or
    several in the same section, raise :class:`SourceParagraphError` naming the cell.
    """
    cell = parse_source(cell) if isinstance(cell, str) else cell
    phrase = normalise(cell.phrase)
    if not phrase:
        raise SourceParagraphError(f"source {cell}: the phrase is empty")
    found = [p for p in paragraphs(cell.file) if p.kind in ("paragraph", "heading") and phrase in p.normalised]
    if len(found) > 1:
        found = [p for p in found if p.section == cell.section] or found
    if len(found) != 1:
        where = ", ".join(p.anchor for p in found) or "no paragraph"
        raise SourceParagraphError(f"source {cell}: the phrase is in {where}; expected exactly one paragraph")
    return found[0]


def source_link(source_cell: SourceCell | str) -> str:
    """The address, from a chapter page, of the paragraph a source cell's phrase comes from."""
    return f"{SOURCES_PAGE}#{resolve(source_cell).anchor}"


def pinpoint(paragraph: Paragraph) -> str:
    """Where a paragraph of the article is: "Findings, ‘Running on the treadmill’, para. 2" or "note 2"."""
    if paragraph.file != ARTICLE or paragraph.kind not in ("paragraph", "heading"):
        raise SourceParagraphError(f"{paragraph.anchor}: only the article's paragraphs and headings have a pinpoint")
    if paragraph.section == "Notes" or paragraph.kind == "heading":
        return paragraph.label
    return f"{paragraph.label}, para. {paragraph.number}"


def find_pinpoint(text: str) -> Paragraph:
    """The article's paragraph a pinpoint names ("Findings, 'Running on the treadmill', para. 2")."""
    wanted = _pinpoint_key(text)
    for paragraph in paragraphs(ARTICLE):
        citable = paragraph.kind == "paragraph" and paragraph.section != "References"
        if citable and _pinpoint_key(pinpoint(paragraph)) == wanted:
            return paragraph
    known = sorted({_pinpoint_key(p.label) for p in paragraphs(ARTICLE) if p.section != "References"})
    raise SourceParagraphError(
        f"pinpoint {text!r}: no such paragraph in the article; sections are named as one of {known}, "
        "followed by ', para. N' (or 'note N' for a note)"
    )


def _pinpoint_key(text: str) -> str:
    text = normalise(text).replace('"', "'").lower()
    return re.sub(r"\s+", " ", text).strip(" .")
