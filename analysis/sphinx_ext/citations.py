"""Author-date citations as criminology prints them: "Cracknell (2022)", "(Trebilcock, 2011)".

sphinxcontrib-bibtex's ``author_year`` reference style puts square brackets around
citations and separates several works with commas. This extension registers a
variant, ``author_year_round``, through sphinxcontrib-bibtex's plugin mechanism
(``sphinxcontrib.bibtex.plugin.register_plugin`` in the group
``sphinxcontrib.bibtex.style.referencing``):

* round brackets for parenthetical (``{cite:p}``) and textual (``{cite:t}``) citations;
* several works separated by semicolons: "(Aebi et al., 2015; McNeill and Beyens, 2013)".

It also tells apart works by the same author in the same year, as the article's
reference list does ("Ministry of Justice, 2014a" and "2014b"): once the
bibliography is parsed, every group of entries that would print the same
author and year gets the letters a, b, ... after the year, in the order of the
bibliography file. The letters then appear in citations and in the reference list
alike. The ``year`` field in the data release is never edited; the letters are
added to the copy sphinxcontrib-bibtex holds in memory, and adding them again is a
no-op.

Registered in ``_config.yml`` (``sphinx: extra_extensions``) and selected with
``bibtex_reference_style: author_year_round``.
"""

from __future__ import annotations

import dataclasses
import re
import string
from collections import defaultdict
from typing import Any

import sphinxcontrib.bibtex.plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

STYLE_NAME = "author_year_round"
PLUGIN_GROUP = "sphinxcontrib.bibtex.style.referencing"


def _round() -> BracketStyle:
    return BracketStyle(left="(", right=")", sep="; ", sep2="; ", last_sep="; ")


@dataclasses.dataclass
class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` with round brackets and semicolons between works."""

    bracket_parenthetical: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_textual: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_author: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_label: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_year: BracketStyle = dataclasses.field(default_factory=_round)


sphinxcontrib.bibtex.plugin.register_plugin(PLUGIN_GROUP, STYLE_NAME, RoundAuthorYearReferenceStyle)

_SUFFIXED = re.compile(r"^(\d{4})[a-z]$")


def _who(entry) -> tuple[str, ...]:
    """The names a citation prints for an entry: its authors' (or editors') last names, or its title."""
    for role in ("author", "editor"):
        people = entry.persons.get(role)
        if people:
            return tuple(" ".join(p.last_names).lower() for p in people)
    return (entry.fields.get("title", "").lower(),)


def disambiguate_years(entries) -> dict[str, str]:
    """Give same-author, same-year entries the years 2014a, 2014b, ... (in file order).

    ``entries`` maps keys to pybtex entries and is changed in place; returns the
    new year of every entry that got a letter. Entries already carrying a letter
    (from an earlier run) are read without it, so running twice changes nothing.
    """
    groups: dict[tuple, list[str]] = defaultdict(list)
    for key, entry in entries.items():
        year = entry.fields.get("year", "")
        match = _SUFFIXED.match(year)
        base = match.group(1) if match else year
        if base:
            groups[(_who(entry), base)].append(key)
    changed = {}
    for (_who_key, base), keys in groups.items():
        if len(keys) < 2:
            continue
        for letter, key in zip(string.ascii_lowercase, keys, strict=False):
            entries[key].fields["year"] = f"{base}{letter}"
            changed[key] = f"{base}{letter}"
    return changed


def _on_builder_inited(app) -> None:
    domain = app.env.get_domain("cite")
    bibdata = domain.data.get("bibdata")
    if bibdata is not None:
        disambiguate_years(bibdata.data.entries)


def setup(app) -> dict[str, Any]:
    # After sphinxcontrib-bibtex has parsed the .bib files (its own handler runs at the default priority).
    app.connect("builder-inited", _on_builder_inited, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
