"""Author-date citations as text, for works that only some releases' bibliographies hold.

A chapter builds from every release with a nitpicky Sphinx, so it may use the citation role only for
keys every release has; a key a later release added is glued instead, through :func:`cite_text`.
The label follows the book's citation style: the first author's surname (two authors both, more "et
al."), the year, and a letter when one author has several works in a year, given in key order
(``hmiprobation2021`` 2021a, ``hmiprobation2021b`` 2021b), as the reference list prints them.
"""

from __future__ import annotations

from string import ascii_lowercase
from typing import Any

from analysis.data.bibtex import read_bibtex, surnames

# What a chapter shows for a work this release's bibliography does not hold (an older release).
NOT_IN_BIBLIOGRAPHY = "(a work not in this data release's bibliography)"


def author_label(entry: Any) -> str:
    """The authors as a citation names them: one surname, two joined by "and", or the first "et al."."""
    names = surnames(entry)
    if not names:
        return "Anonymous"
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def cite_text(bib_text: str, key: str, narrative: bool = False) -> str:
    """``key`` cited as text: "(On Probation, 2022b)", or narrative "Webster (2021)"."""
    entries = read_bibtex(bib_text)
    if key not in entries:
        return NOT_IN_BIBLIOGRAPHY
    who, year = author_label(entries[key]), entries[key].fields.get("year", "n.d.")
    namesakes = sorted(k for k, e in entries.items() if author_label(e) == who and e.fields.get("year") == year)
    letter = ascii_lowercase[namesakes.index(key)] if len(namesakes) > 1 else ""
    return f"{who} ({year}{letter})" if narrative else f"({who}, {year}{letter})"
