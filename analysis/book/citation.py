"""How to cite the book and the article it reconstructs, from the project's own records.

The article's reference is formatted from the data release's ``references.bib``
(the same entry the bibliography prints), so the "How to cite" page, the PDF's
title page and the data agree. The book's own title, authors and licences are
named here once; ``CITATION.cff`` and ``_config.yml`` are tested against them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from analysis.book.chapter import HtmlBlock
from analysis.data.bibtex import read_bibtex, unbraced
from analysis.words import day_text

BOOK_TITLE = "Running on the treadmill: a reproducible reconstruction"
BOOK_AUTHOR = "The Treadmill book team"  # an entity, not a list of people
ARTICLE_KEY = "cracknell2022"
# SPDX identifiers: the code is MIT; the data and the book's text are CC BY 4.0.
CODE_LICENCE = "MIT"
CONTENT_LICENCE = "CC-BY-4.0"
PDF_NAME = "treadmill-book.pdf"  # published at the root of the HTML
# Where the book's address goes in its reference on the page: the Sphinx extension
# analysis.sphinx_ext.book_address fills it from _config.yml when that names one, else removes it.
ADDRESS_MARK = '<span class="treadmill-book-address"></span>'
# Jupyter Book's own default repository (its default_config.yml), and the shapes of a placeholder.
_NOT_AN_ADDRESS = re.compile(
    r"github\.com/executablebooks/jupyter-book|example\.(com|org|net)|[<>{}]|your[-_ ]|username|todo|changeme",
    re.IGNORECASE,
)


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


def book_reference(version: str, created: str | None = None) -> str:
    """The book, cited at the version (= data release) the reader has, with the year the release was frozen.

    SAGE Harvard: ``The Treadmill book team (2026) Running on the treadmill: …. Version 1.3.0.``;
    "n.d." when the release records no date.
    """
    year = created[:4] if created else "n.d."
    return f"{BOOK_AUTHOR} ({year}) {BOOK_TITLE}. Version {version}."


def book_address(config: dict) -> str | None:
    """The book's address as ``_config.yml`` names it (its site, else its repository), or None.

    Never a placeholder: Jupyter Book's own default repository and addresses such as
    ``https://example.com`` or ``<your-site>`` raise ValueError, so the build stops instead of printing one.
    """
    html_config = config.get("html") or {}
    repository = config.get("repository") or {}
    for where, value in (("html: baseurl", html_config.get("baseurl")), ("repository: url", repository.get("url"))):
        address = str(value or "").strip()
        if not address:
            continue
        if _NOT_AN_ADDRESS.search(address) or not re.match(r"https://[^\s/]+\.[^\s]+$", address):
            raise ValueError(f"_config.yml, {where}: {address!r} is not the book's address (a placeholder?)")
        return address
    return None


def address_html(address: str | None) -> str:
    """The words "Available at: <link>." for the book's reference, or nothing when it has no address."""
    if not address:
        return ""
    link = html.escape(address)
    return f' Available at: <a href="{link}">{link}</a>.'


def book_bibtex(version: str, source: Article, created: str | None = None) -> str:
    """A BibTeX entry for the book; the author is braced so it stays one name."""
    year = [f"  year    = {{{created[:4]}}},", f"  date    = {{{created[:10]}}},"] if created else []
    return "\n".join(
        [
            "@misc{treadmillbook,",
            f"  author  = {{{{{BOOK_AUTHOR}}}}},",
            f"  title   = {{{BOOK_TITLE}}},",
            *year,
            f"  version = {{{version}}},",
            f"  note    = {{Reconstructs {source.reference()}}}",
            "}",
        ]
    )


def _block(text: str, cls: str, tag: str = "p") -> HtmlBlock:
    return HtmlBlock(f'<{tag} class="{cls}">{text}</{tag}>')


def book_block(version: str, created: str | None = None) -> HtmlBlock:
    """The book's reference, set apart on the page; the build adds its address when _config.yml names one."""
    return _block(html.escape(book_reference(version, created)) + ADDRESS_MARK, "treadmill-reference")


def article_block(source: Article) -> HtmlBlock:
    """The article's reference, its DOI a link."""
    text = html.escape(source.reference()).replace(
        f"doi:{html.escape(source.doi)}", f'<a href="{html.escape(source.doi_url)}">doi:{html.escape(source.doi)}</a>'
    )
    return _block(text, "treadmill-reference")


def bibtex_block(version: str, source: Article, created: str | None = None) -> HtmlBlock:
    """The book's BibTeX entry, preformatted."""
    return _block(html.escape(book_bibtex(version, source, created)), "treadmill-bibtex", tag="pre")


def release_date(descriptor: dict) -> str | None:
    """The release's date from its data package (``created``, ISO 8601), or None if it records none."""
    created = descriptor.get("created")
    return str(created)[:10] if created else None


def release_date_phrase(descriptor: dict) -> str:
    """For prose: the date the release was frozen ("4 December 2026"), or "not recorded"."""
    date = release_date(descriptor)
    if date:
        return f"{day_text(date)}, the date recorded when the release was frozen"
    return "not recorded (its data package has no creation date), so the version number alone identifies the release"


def licence_titles(descriptor: dict) -> str:
    """The licences a data package declares, by title (e.g. Creative Commons Attribution 4.0 International)."""
    titles = [lic.get("title") or lic.get("name", "") for lic in descriptor.get("licenses", [])]
    return " and ".join(t for t in titles if t) or "no licence declared"
