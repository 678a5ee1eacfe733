"""How to cite the book and the article it reconstructs, from the project's own records.

The article's reference is formatted from the data release's ``references.bib``
(the same entry the bibliography prints), so the "How to cite" page, the PDF's
title page and the data agree. The book's own title, authors and licences are
named here once; ``CITATION.cff`` and ``_config.yml`` are tested against them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from analysis.book.chapter import HtmlBlock
from analysis.data.bibtex import read_bibtex, unbraced

BOOK_TITLE = "Running on the treadmill: a reproducible reconstruction"
BOOK_AUTHOR = "The Treadmill book team"  # an entity, not a list of people
ARTICLE_KEY = "cracknell2022"
# SPDX identifiers: the code is MIT; the data and the book's text are CC BY 4.0.
CODE_LICENCE = "MIT"
CONTENT_LICENCE = "CC-BY-4.0"
PDF_NAME = "treadmill-book.pdf"  # published at the root of the HTML


def _as_printed(text: str) -> str:
    """BibTeX field text as printed: protective braces dropped, ``--`` as an en dash."""
    return unbraced(text).replace("--", "\u2013")


@dataclass(frozen=True)
class Article:
    """The fields of one journal article's BibTeX entry that a reference needs."""

    authors: tuple[str, ...]  # "Cracknell M": surname and initials, as the journal prints them
    year: str
    title: str
    journal: str
    volume: str
    number: str
    pages: str
    doi: str

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}"

    def reference(self) -> str:
        """SAGE Harvard, the journal's style: Author (year) Title. Journal vol(no): pages. DOI."""
        issue = f"({self.number})" if self.number else ""
        return (
            f"{', '.join(self.authors)} ({self.year}) {self.title}. {self.journal} "
            f"{self.volume}{issue}: {self.pages}. doi:{self.doi}"
        )


def article(bib_text: str, key: str = ARTICLE_KEY) -> Article:
    """The entry ``key`` of a BibTeX file's text (the release's ``references.bib``)."""
    entry = read_bibtex(bib_text)[key]
    fields = entry.fields
    authors = tuple(
        " ".join(_as_printed(p) for p in person.last_names)
        + " "
        + "".join(_as_printed(n)[0] for n in person.first_names + person.middle_names)
        for person in entry.persons.get("author", [])
    )
    return Article(
        authors=authors,
        year=fields["year"],
        title=_as_printed(fields["title"]),
        journal=_as_printed(fields["journal"]),
        volume=fields.get("volume", ""),
        number=fields.get("number", ""),
        pages=_as_printed(fields.get("pages", "")),
        doi=fields["doi"],
    )


def book_reference(version: str) -> str:
    """The book, cited at the version (= data release) the reader has."""
    return f"{BOOK_AUTHOR}. {BOOK_TITLE}. Version {version}."


def book_bibtex(version: str, source: Article) -> str:
    """A BibTeX entry for the book; the author is braced so it stays one name."""
    return "\n".join(
        [
            "@misc{treadmillbook,",
            f"  author  = {{{{{BOOK_AUTHOR}}}}},",
            f"  title   = {{{BOOK_TITLE}}},",
            f"  version = {{{version}}},",
            f"  note    = {{Reconstructs {source.reference()}}}",
            "}",
        ]
    )


def _block(text: str, cls: str, tag: str = "p") -> HtmlBlock:
    return HtmlBlock(f'<{tag} class="{cls}">{text}</{tag}>')


def book_block(version: str) -> HtmlBlock:
    """The book's reference, set apart on the page."""
    return _block(html.escape(book_reference(version)), "treadmill-reference")


def article_block(source: Article) -> HtmlBlock:
    """The article's reference, its DOI a link."""
    text = html.escape(source.reference()).replace(
        f"doi:{html.escape(source.doi)}", f'<a href="{html.escape(source.doi_url)}">doi:{html.escape(source.doi)}</a>'
    )
    return _block(text, "treadmill-reference")


def bibtex_block(version: str, source: Article) -> HtmlBlock:
    """The book's BibTeX entry, preformatted."""
    return _block(html.escape(book_bibtex(version, source)), "treadmill-bibtex", tag="pre")


def release_date(descriptor: dict) -> str | None:
    """The release's date from its data package (``created``, ISO 8601), or None if it records none."""
    created = descriptor.get("created")
    return str(created)[:10] if created else None


def release_date_phrase(descriptor: dict) -> str:
    """For prose: the release's date, or what stands in for it when the package records none."""
    date = release_date(descriptor)
    if date:
        return f"dated {date} (the creation date its data package records)"
    return "none recorded (its data package has no 'created' field), so the version number alone identifies the release"


def licence_titles(descriptor: dict) -> str:
    """The licences a data package declares, by title (e.g. Creative Commons Attribution 4.0 International)."""
    titles = [lic.get("title") or lic.get("name", "") for lic in descriptor.get("licenses", [])]
    return " and ".join(t for t in titles if t) or "no licence declared"
