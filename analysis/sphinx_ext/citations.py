"""Author-date citations as criminology prints them: "Cracknell (2022)", "(Trebilcock, 2011)".

sphinxcontrib-bibtex's ``author_year`` reference style puts square brackets around
citations and separates several works with commas. This extension registers a
variant, ``author_year_round``, through sphinxcontrib-bibtex's plugin mechanism
(``sphinxcontrib.bibtex.plugin.register_plugin`` in the group
``sphinxcontrib.bibtex.style.referencing``):

* round brackets for parenthetical (``{cite:p}``) and textual (``{cite:t}``) citations;
* several works separated by semicolons: "(Aebi et al., 2015; McNeill and Beyens, 2013)",
  sorted by year, one author's works collapsed: "(Cracknell, 2018, 2020, 2021)", and
  narrative: "Cracknell (2018, 2021)";
* a page after a colon: ``{cite:p}`greif2016{360}``` -> "(Greif, 2016: 360)";
* "et al." and "and" as SAGE prints them (no italics, no serial comma).

The reference list is printed by the pybtex style of :mod:`analysis.sphinx_ext.harvard`
(alphabetical, unnumbered: the numeric labels docutils gives citations are taken off the
page once references are resolved).

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
from docutils import nodes
from pybtex.richtext import Text
from pybtex.style.template import join, node
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference, year

from analysis.sphinx_ext import harvard  # registers the reference list's pybtex style

STYLE_NAME = "author_year_round"
PLUGIN_GROUP = "sphinxcontrib.bibtex.style.referencing"


def _round() -> BracketStyle:
    return BracketStyle(left="(", right=")", sep="; ", sep2="; ", last_sep="; ")


def _sage_person() -> PersonStyle:
    return PersonStyle(other=Text(" et al."), last_sep=" and ")


@node
def _recorded(children, data, style=None, template=None):
    """Format ``template`` and keep the data, so that ``outer`` can sort and collapse the works."""
    style._pending.append(data)
    return template.format_data(data)


# Roles whose several works are sorted by year and collapsed by author.
PARENTHETICAL_ROLES = ("p", "ps", "alp", "alps")
TEXTUAL_ROLES = ("t", "ts", "ct", "cts")


@dataclasses.dataclass
class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` with round brackets, semicolons between works, sorted and collapsed by author."""

    bracket_parenthetical: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_textual: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_author: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_label: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_year: BracketStyle = dataclasses.field(default_factory=_round)
    person: PersonStyle = dataclasses.field(default_factory=_sage_person)
    post_text_sep: str = ": "
    _pending: list = dataclasses.field(default_factory=list, init=False, repr=False, compare=False)

    def inner(self, role_name: str):
        return _recorded(style=self, template=super().inner(role_name))

    def outer(self, role_name: str, children):
        works, self._pending = self._pending[-len(children) :] if children else [], []
        if len(children) < 2 or role_name not in PARENTHETICAL_ROLES + TEXTUAL_ROLES:
            return super().outer(role_name, children)
        groups = self._by_author(role_name, works)
        if role_name in TEXTUAL_ROLES:
            parts = [
                Text(author, " (", Text(", ").join([self._year(w) for w in group]), ")") for author, group in groups
            ]
            return join(sep="; ", sep2=" and ", last_sep=" and ")[parts]
        parts = [
            Text(", ").join([self._first(group[0], role_name), *[self._year(w) for w in group[1:]]])
            for _, group in groups
        ]
        brackets = not role_name.startswith("al")
        return join["(" if brackets else "", Text("; ").join(parts), ")" if brackets else ""]

    def _author(self, data, role_name: str) -> str:
        who = self.person.author_or_editor_or_title(full="s" in role_name)
        return harvard.plain(who.format_data(data))

    def _by_author(self, role_name: str, works: list) -> list:
        """Works grouped by the names they print, each group by year, groups by their first year."""
        groups: dict[str, list] = defaultdict(list)
        for work in works:
            groups[self._author(work, role_name)].append(work)
        ordered = [(a, sorted(g, key=_year_of)) for a, g in groups.items()]
        return sorted(ordered, key=lambda item: _year_of(item[1][0]))

    def _year(self, data):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[pre_text, reference[year], post_text].format_data(
            data
        )

    def _first(self, data, role_name: str):
        who = self.person.author_or_editor_or_title(full="s" in role_name)
        template = join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text, reference[join(sep=self.author_year_sep)[who, year]], post_text
        ]
        return template.format_data(data)


def _year_of(data) -> str:
    return data["entry"].fields.get("year", "")


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


def drop_reference_numbers(app, doctree, docname) -> None:
    """Take the numeric labels ("[1]") off the reference list: SAGE Harvard lists are unnumbered."""
    for citation in doctree.findall(nodes.citation):
        for label in [c for c in citation.children if isinstance(c, nodes.label)]:
            citation.remove(label)


def setup(app) -> dict[str, Any]:
    # After sphinxcontrib-bibtex has parsed the .bib files (its own handler runs at the default priority).
    app.connect("builder-inited", _on_builder_inited, priority=900)
    app.connect("doctree-resolved", drop_reference_numbers)
    harvard.setup(app)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
