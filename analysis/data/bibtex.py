"""BibTeX, read once and with pybtex: the one reader of a release's ``references.bib``.

The loader checks reference keys against it, the book formats the article's reference and the
codebook's author-year labels from it, and the release comparison diffs its entries. pybtex is
imported lazily, when a bibliography is first read.
"""

from __future__ import annotations

import re
from typing import Any


class BibtexError(ValueError):
    """The text is not readable BibTeX (the message is pybtex's), or an entry links somewhere no reader should go."""


# The fields a reference's link is printed from, and the only schemes a link may have: a
# ``javascript:`` or ``data:`` URL would run or show whatever it holds when a reader clicks it.
URL_FIELDS = ("url", "uri", "link", "howpublished", "note")
SAFE_SCHEMES = ("http://", "https://", "doi:")
_URL_IN_TEXT = re.compile(r"\\url\{([^}]*)\}")


def read_bibtex(text: str) -> dict[str, Any]:
    """Key -> pybtex ``Entry``, in file order; unreadable BibTeX raises :class:`BibtexError`."""
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexError

    try:
        entries = dict(parse_string(text, "bibtex").entries)
    except PybtexError as exc:
        raise BibtexError(str(exc)) from exc
    check_urls(entries)
    return entries


def check_urls(entries: dict[str, Any]) -> None:
    """Refuse a link that is not ``http(s)`` or ``doi:``, naming the entry's key and the field."""
    for key, entry in entries.items():
        for field, value in entry.fields.items():
            if field.lower() not in URL_FIELDS:
                continue
            text = unbraced(str(value))
            urls = _URL_IN_TEXT.findall(str(value)) if field.lower() in ("howpublished", "note") else [text]
            for url in urls:
                if not url.strip().lower().startswith(SAFE_SCHEMES):
                    raise BibtexError(
                        f"entry {key!r}, field {field!r}: a link must start with "
                        f"{', '.join(SAFE_SCHEMES)} (got {url.strip()[:80]!r})"
                    )


def entry_text(key: str, entry: Any) -> str:
    """One entry as pybtex writes it back, so layout and comments do not count as changes."""
    from pybtex.database import BibliographyData

    return BibliographyData(entries={key: entry}).to_string("bibtex").strip()


def unbraced(text: str) -> str:
    """Field text without BibTeX's protective braces, e.g. ``{{Ministry of Justice}}`` -> the name."""
    return re.sub(r"[{}]", "", text).strip()


def surnames(entry: Any, role: str = "author") -> list[str]:
    """The surnames of an entry's authors as printed (a corporate author, in braces, kept whole)."""
    return [unbraced(" ".join(person.prelast_names + person.last_names)) for person in entry.persons.get(role, [])]
