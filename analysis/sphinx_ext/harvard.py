"""The reference list in SAGE Harvard, as the article prints its own: a pybtex formatting style.

Registered with pybtex (``pybtex.plugin.register_plugin("pybtex.style.formatting", ...)``),
which is where sphinxcontrib-bibtex looks up the ``bibtex_default_style`` named in
``_config.yml``. Each entry prints as the field prints it (the house style, after the article's
own reference list):

* journal article: ``Aebi MF, Delgrande N and Marguet Y (2015) Title. Journal 17(5): 575–597.``
  (journal in italics);
* book: ``Canton R and Dominey J (2018) Probation. 2nd edition. Abingdon: Routledge.`` (title in italics);
* chapter: ``… In: Birch P and Sicard L (eds) Book. Abingdon: Routledge, pp. 246–259.``;
* report, web page, press release, parliamentary answer: author, year, title, what it is, place and
  publisher, then ``Available at: URL (accessed 17 August 2021).`` where the entry gives them.

Entries are sorted by the first author's surname (a corporate author by its first word, in place),
then co-authors, then year (2014a before 2014b). Nothing internal is printed: the ``note`` field
(file names, where the book found a figure) stays in the data appendix. Only http(s) addresses
and DOIs become links.
"""

from __future__ import annotations

import re

import pybtex.plugin
from pybtex.backends.plaintext import Backend as PlainText
from pybtex.richtext import HRef, Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle

from analysis.data.bibtex import unbraced
from analysis.words import day_text

STYLE_NAME = "sage_harvard"


def printed(value: str) -> str:
    """A BibTeX field as printed: braces dropped, ``--`` an en dash, TeX quotes and ``\\&`` as characters."""
    text = unbraced(value).replace("--", "\u2013").replace("``", "\u201c").replace("''", "\u201d")
    return re.sub(r"\s+", " ", text.replace("\\&", "&")).strip()


def person_name(person) -> str:
    """``Aebi MF``: surname(s) and initials without stops; a corporate author (one braced name) whole."""
    surname = printed(" ".join(person.prelast_names + person.last_names + person.lineage_names))
    given = person.first_names + person.middle_names
    initials = "".join(printed(n)[:1] for n in given if printed(n))
    return f"{surname} {initials}".strip()


def names(people) -> str:
    """``A, B and C``: every author, as SAGE's reference lists give them."""
    listed = [person_name(p) for p in people]
    if len(listed) < 2:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def sort_key(entry) -> tuple:
    """First author's surname (corporate: its first word), co-authors, year with its letter, title."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    who = tuple(person_name(p).lower() for p in people) or (printed(entry.fields.get("title", "")).lower(),)
    return (who, entry.fields.get("year", ""), printed(entry.fields.get("title", "")).lower())


def accessed(value: str) -> str:
    """An access date as SAGE prints it: ISO ``2021-08-17`` -> "17 August 2021"; anything else as given."""
    return day_text(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else value


def _link(url: str) -> Text | str:
    return HRef(url, url) if re.match(r"https?://", url) else ""


# One backend for every rendering: ``render_as("text")`` looks the backend up through the
# installed packages' entry points on each call (about 30 ms here), which dominated a rebuild.
PLAIN_TEXT = PlainText()


def plain(text: Text) -> str:
    """``text`` as plain text (what ``render_as("text")`` gives, without the plugin look-up)."""
    return text.render(PLAIN_TEXT)


def _text(part) -> str:
    return part if isinstance(part, str) else plain(part)


def sentences(*parts) -> list:
    """Each non-empty part as a sentence of its own ("Title. HC 285. London: House of Commons.")."""
    out: list = []
    for part in (p for p in parts if p and _text(p).strip()):
        out += [" " if out else "", part, "" if _text(part).rstrip().endswith((".", "?", "!")) else "."]
    return out


class SageHarvardStyle(BaseStyle):
    """SAGE Harvard entries, sorted by author and year (see the module's docstring)."""

    default_label_style = "number"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # pybtex's BaseStyle binds ``sort`` to its sorting plugin on the instance: bind ours.
        self.sort = self.sort_entries

    @staticmethod
    def sort_entries(entries) -> list:
        return sorted(entries, key=sort_key)

    def format_entry(self, label, entry, bib_data=None) -> FormattedEntry:
        fields = {name: printed(value) for name, value in entry.fields.items()}
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        edited = "" if entry.persons.get("author") or not people else " (eds)"
        head = f"{names(people) or fields.get('title', '')}{edited} ({fields.get('year', 'n.d.')})"
        kind = entry.type.lower()
        title = fields.get("title", "")
        parts: list = [f"{head} "]
        if kind == "article":
            issue = f"({fields['number']})" if fields.get("number") else ""
            volume = f" {fields.get('volume', '')}{issue}" if fields.get("volume") else ""
            pages = f": {fields['pages']}" if fields.get("pages") else ""
            parts += [*sentences(title), " ", Tag("em", fields.get("journal", "")), f"{volume}{pages}."]
        elif kind in ("book", "incollection", "inbook"):
            place = ": ".join(x for x in (fields.get("address"), fields.get("publisher")) if x)
            edition = f"{fields['edition']} edition" if fields.get("edition") else ""
            if kind == "book":
                parts += sentences(Tag("em", title), edition, place)
            else:
                editors = names(entry.persons.get("editor", []))
                pages = f", pp. {fields['pages']}" if fields.get("pages") else ""
                booktitle = Tag("em", fields.get("booktitle", ""))
                parts += [*sentences(title), " In: ", f"{editors} (eds) " if editors else "", booktitle, "."]
                parts += [" ", *sentences(edition, f"{place}{pages}")]
        else:
            report = " ".join(x for x in (fields.get("type"), fields.get("number")) if x)
            place = ": ".join(x for x in (fields.get("address"), fields.get("institution")) if x)
            shown = Tag("em", title) if kind == "techreport" else title
            parts += sentences(shown, report, fields.get("howpublished", ""), place)
        parts += self._address(fields)
        return FormattedEntry(entry.key, Text(*parts), label)

    @staticmethod
    def _address(fields: dict) -> list:
        out: list = []
        if fields.get("doi"):
            out += [" DOI: ", HRef(f"https://doi.org/{fields['doi']}", fields["doi"]), "."]
        link = _link(fields.get("url", ""))
        if link:
            out += [" Available at: ", link]
            if fields.get("urldate"):
                out.append(f" (accessed {accessed(fields['urldate'])})")
            out.append(".")
        return out


pybtex.plugin.register_plugin("pybtex.style.formatting", STYLE_NAME, SageHarvardStyle)
# The class the installed entry point names, registered where pybtex looks first: sphinxcontrib-bibtex
# asks for it once per resolved citation, and each entry-point scan costs about 20 ms.
pybtex.plugin.register_plugin("pybtex.backends", "plaintext", PlainText, force=True)


def setup(app) -> dict:
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
