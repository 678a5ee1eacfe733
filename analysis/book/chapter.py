"""Everything a chapter notebook needs, behind one object.

A chapter opens its context once, after its ``parameters`` cell::

    ctx = open_chapter("05_treadmill", data_version)

and then only calls: ``ctx.table``, ``ctx.glue``, ``ctx.show`` (figures),
``ctx.excerpt``. Provenance (release, input hashes, notebook) is attached
here, so every figure says which data made it.

Tables that only later releases have are used through ``ctx.glue_from``,
``ctx.show_from``, ``ctx.show_table_from`` and ``ctx.comment``: built from an
older release, they glue or show a note that the table is not in it (and which
release added it), so one notebook builds against every release without any
branching in its cells.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis.book import provenance, quotes, sourcing
from analysis.book.charts import Figure, FigureOutput
from analysis.data.release import DESCRIPTOR, Release, available_releases, load_release


@dataclass(frozen=True)
class Glued:
    """A value as it appears in the text, formatted once, here, with where it comes from.

    myst-nb pastes a glued value's ``text/plain`` after ``ast.literal_eval``
    (to strip a string's quotes), so "50,000" would come out as the tuple
    "(50, 0)". The repr is therefore the formatted text as a string literal,
    which evaluates back to exactly that text.

    The ``text/html`` form, which the chapters paste with the ``{glue}`` role, wraps
    the text in a quiet element that says where the number comes from (its
    ``title``, shown on hover, and ``data-provenance``, shown on keyboard focus), and
    links to the claim that checks it in the claims appendix when there is one.
    """

    value: object
    text: str
    provenance: str = ""  # on hover (title): the source in words, the claim, then the build's ids
    claim: str | None = None
    about: str = ""  # on keyboard focus: the source in words and the claim only

    def __repr__(self) -> str:
        return repr(self.text)

    def _repr_html_(self) -> str:
        title = html.escape(self.provenance, quote=True)
        about = html.escape(self.about or self.provenance, quote=True)
        text = html.escape(self.text)
        if self.claim:
            from analysis.book.tables import CLAIMS_PAGE, claim_anchor

            return (
                f'<a class="treadmill-num" href="{CLAIMS_PAGE}#{claim_anchor(self.claim)}" title="{title}" '
                f'data-provenance="{about}">{text}</a>'
            )
        return f'<span class="treadmill-num" tabindex="0" title="{title}" data-provenance="{about}">{text}</span>'


@dataclass(frozen=True)
class HtmlBlock:
    """Pre-escaped HTML made by this package (never raw data)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        text = re.sub(r"<[^>]+>", "", self.html)
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())


class ChapterContext:
    """The data release a chapter reads and the helpers that display it."""

    def __init__(self, notebook: str, release: Release):
        self.notebook = notebook
        self.release = release
        self._frames: dict[int, tuple[str, pd.DataFrame]] = {}  # id -> (table name, the frame, kept alive)
        self._claims_index: dict[tuple[str, str], list[str]] | None = None

    def table(self, name: str) -> pd.DataFrame:
        frame = self.release.table(name)
        self._frames[id(frame)] = (name, frame)
        return frame

    def table_name_of(self, obj) -> str | None:
        """The release table an object handed out by :meth:`table` came from, else None."""
        found = self._frames.get(id(obj))
        return found[0] if found is not None and found[1] is obj else None

    def claims_checking(self, table: str, key: str) -> list[str]:
        """Ids of the claims whose check reads row ``key`` of ``table`` (``provenance.claims_index``)."""
        if self._claims_index is None:
            self._claims_index = provenance.claims_index(self.release)
        return self._claims_index.get((table, key), [])

    def inputs_digest(self, names: tuple[str, ...]) -> str:
        """Short sha256 over the named tables' recorded hashes."""
        joined = "\n".join(f"{n}:{self.release.sha256(n)}" for n in sorted(names))
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]

    def drawn_rows(self, name: str, rows: dict[str, tuple[str, ...]] | None) -> pd.DataFrame:
        """Table ``name``, cut to the rows a figure declares it draws (``rows[name]``: values of the first key column).

        A table the figure declares no rows for is read whole. A declared row the table lacks is an error
        naming the file and column, so a figure cannot credit rows that are not there.
        """
        frame = self.release.table(name)
        if not rows or name not in rows:
            return frame
        key = self.release.entry(name).get("schema", {}).get("primaryKey") or []
        column = key if isinstance(key, str) else (key[0] if key else None)
        if column is None or column not in frame.columns:
            raise ValueError(f"file {self.release.entry(name)['path']}: no key column to select a figure's rows by")
        values = frame[column].astype(str)
        missing = sorted(set(map(str, rows[name])) - set(values))
        if missing:
            raise ValueError(f"file {self.release.entry(name)['path']}, column {column}: no rows {missing}")
        return frame[values.isin(set(map(str, rows[name])))]

    def sources_in_words(self, names: tuple[str, ...], rows: dict[str, tuple[str, ...]] | None = None) -> str:
        """The works the named tables' rows (or a figure's declared rows) cite, in words.

        E.g. "Running on the treadmill (Cracknell, 2022)".
        """
        works: dict[str, None] = {}
        for name in sorted(names):
            if self.release.is_table(name):
                works.update(dict.fromkeys(sourcing.works_cited(self.drawn_rows(name, rows))))
        return "; ".join(works)

    def about_html(self, names: tuple[str, ...], rows: dict[str, tuple[str, ...]] | None = None) -> str:
        """What a figure or page draws on, for an "About this figure/page" block: sources in words first.

        With ``rows`` (a figure's declared rows for every table it reads) the sources and passages are
        those rows' alone; without, the block says they are what the tables it reads cite, since a
        figure may draw only some rows. Then the build's record: each table links to its CSV in the
        copy of the release beside the pages (``../data/<version>/<file>``), the tables' hash, and the
        notebook (the copy Sphinx keeps in ``_sources``). A figure that reads no table says so, with
        no hash. Only this package's names and hashes go in, escaped.
        """
        version = html.escape(self.release.label)
        notebook = html.escape(self.notebook)
        made = f'made by the notebook <a href="../_sources/chapters/{notebook}.ipynb">chapters/{notebook}.ipynb</a>.'
        if not names:
            return f"No table of the data release is read (release {version}); {made}"
        tables = [name for name in sorted(names) if self.release.is_table(name)]
        own = rows is not None and bool(rows) and all(name in rows for name in tables)
        lead, passage_lead = ("Sources", "Passages") if own else ("The tables it reads cite", "Passages they cite")
        works = self.sources_in_words(names, rows if own else None)
        sources = f"{lead}: {html.escape(works)}. " if works else "Sources: the book's own data, citing no document. "
        passages = [
            link for name in tables for link in sourcing.passage_links(self.drawn_rows(name, rows if own else None))
        ]
        if passages:  # each phrase one click from its paragraph, highlighted in the Sources appendix
            sources += f"{passage_lead}: {'; '.join(dict.fromkeys(passages))}. "
        links = []
        for name in sorted(names):
            file = self.release.file_path(name).name
            links.append(f'<a href="../data/{version}/{html.escape(file)}">{html.escape(name)}</a>')
        return (
            f"{sources}<small>Data release {version}; tables {', '.join(links)} "
            f"(sha256 {self.inputs_digest(names)}); {made}</small>"
        )

    def glue(self, name: str, value, fmt: str = "{:,}", source: str | None = None) -> Glued:
        """Glue ``value`` for the prose (``{glue}`name```), formatted once, here.

        Where it comes from is read from the call in the chapter's cell (the function
        and its inputs, the table and row) unless ``source`` says it in words; see
        :mod:`analysis.book.provenance`.
        """
        from myst_nb import glue

        found = provenance.describe_call(self, name) if source is None else provenance.Found(source, None)
        glued = Glued(value, fmt.format(value), found.text(self.release.label), found.claim, found.reader_text())
        glue(name, glued, display=False)
        return glued

    def show(self, figure: Figure) -> FigureOutput:
        """A figure with its caption, and its provenance in a collapsed block under it."""
        return FigureOutput(figure, self.about_html(figure.inputs, figure.rows))

    def show_table(self, frame: pd.DataFrame, caption: str) -> HtmlBlock:
        """A table for readers: escaped cells, no index, a caption."""
        # justify="left": the headers sit over their (left-aligned) columns, not right of them.
        body = frame.to_html(index=False, escape=True, na_rep="", border=0, classes="treadmill-table", justify="left")
        return HtmlBlock(body.replace(">\n", f">\n<caption>{html.escape(caption)}</caption>\n", 1))

    def show_html(self, block: str) -> HtmlBlock:
        """Show HTML made by this package (e.g. ``analysis.book.tables``): never raw data."""
        return HtmlBlock(block)

    def footer(self) -> HtmlBlock:
        """Provenance of every number and quote on the page: call it in the last cell."""
        names = tuple(self.release.reads)
        return HtmlBlock(
            '<details class="treadmill-about treadmill-page-about"><summary>About this page</summary>'
            '<p class="treadmill-provenance">Numbers, quotes and figures on this page: '
            f"{self.about_html(names)}</p></details>"
        )

    def excerpt(self, excerpt_id: str) -> quotes.Quote:
        return quotes.excerpt(self.table("excerpts"), excerpt_id)

    def documentary(self, quote_id: str) -> quotes.Quote:
        return quotes.documentary(self.table("documentary_quotes"), quote_id)

    def quote_inline(self, quote_id: str, page: bool = True) -> str:
        """A short documentary quotation for running prose (``quotes.inline``): glue it."""
        return quotes.inline(self.table("documentary_quotes"), quote_id, page=page)

    def phrase(self, phrase_id: str) -> str:
        """One of the article's own phrases (``quotes.phrase``); a note on releases without the table."""
        note = self.missing("article_phrases")
        if note:
            return f"[phrase {note}]"
        phrases = self.table("article_phrases")
        if not (phrases["phrase_id"] == phrase_id).any():  # a phrase a later release added
            return f"[phrase not in data release {self.release.label}]"
        return quotes.phrase(phrases, phrase_id)

    # -- tables that only some releases have ----------------------------------------

    def added_in(self, name: str) -> str | None:
        """The first release (in ``data/``) whose descriptor lists resource ``name``, or None."""
        data_dir = self.release.path.parent
        for version in available_releases(data_dir):
            descriptor = json.loads((data_dir / version / DESCRIPTOR).read_text(encoding="utf-8"))
            if any(r.get("name") == name for r in descriptor.get("resources", [])):
                return version
        return None

    def missing(self, *names: str) -> str | None:
        """None when this release has every named table; else what to print instead.

        E.g. "not in data release 1.0.0 (added in 1.1.0)"; with several tables
        from different releases, each is named with the release that added it.
        """
        absent = [n for n in names if not self.release.has(n)]
        if not absent:
            return None
        added = {n: self.added_in(n) for n in absent}
        versions = set(added.values())
        if len(versions) == 1:
            (version,) = versions
            where = f"added in {version}" if version else "in no release available here"
        else:
            where = "; ".join(
                f"{n} {'added in ' + v if v else 'in no release available here'}" for n, v in added.items()
            )
        return f"not in data release {self.release.label} ({where})"

    def availability(self, *names: str) -> str:
        """For prose: "all in this release", or the note naming the tables this release lacks."""
        note = self.missing(*names)
        if not note:
            return "all in this release"
        absent = [n for n in names if not self.release.has(n)]
        return (
            f"{note}: {', '.join(absent)}; every number, figure, table and comment that needs them is "
            "replaced by that note"
        )

    @staticmethod
    def _names(tables: str | tuple[str, ...]) -> tuple[str, ...]:
        return (tables,) if isinstance(tables, str) else tuple(tables)

    def glue_from(self, name: str, make: Callable, tables: str | tuple[str, ...], *args, fmt: str = "{}") -> Glued:
        """Glue ``make(*tables, *args)``; or, when a table is not in this release, the note saying so."""
        names = self._names(tables)
        note = self.missing(*names)
        if note:
            return self.glue(name, note, fmt="{}")
        return self.glue(name, make(*(self.table(n) for n in names), *args), fmt=fmt)

    def _absent_block(self, what: str, note: str) -> HtmlBlock:
        return HtmlBlock(
            f'<p class="treadmill-absent"><em>{html.escape(what)} not shown: its data are {html.escape(note)}.</em></p>'
        )

    def show_from(self, make: Callable[..., Figure], tables: str | tuple[str, ...], *args) -> FigureOutput | HtmlBlock:
        """``ctx.show(make(*tables, *args))``; or a note when a table is not in this release."""
        names = self._names(tables)
        note = self.missing(*names)
        if note:
            return self._absent_block("Figure", note)
        return self.show(make(*(self.table(n) for n in names), *args))

    def show_table_from(
        self, make: Callable[..., pd.DataFrame], tables: str | tuple[str, ...], caption: str, *args
    ) -> HtmlBlock:
        """``ctx.show_table(make(*tables, *args), caption)``; or a note when a table is not in this release."""
        names = self._names(tables)
        note = self.missing(*names)
        if note:
            return self._absent_block(f"Table ({caption.rstrip('.')})", note)
        return self.show_table(make(*(self.table(n) for n in names), *args), caption)

    def comment(self, comment_id: str) -> quotes.Comment | HtmlBlock:
        """A reader comment, verbatim and escaped (``quotes.comment``); or a note on older releases."""
        note = self.missing("reception_comments")
        if note:
            return self._absent_block("Reader comment", note)
        return quotes.comment(self.table("reception_comments"), comment_id)


def open_chapter(notebook: str, data_version: str | None = None) -> ChapterContext:
    """Load the release (default when ``data_version`` is None) for one chapter."""
    return ChapterContext(notebook, load_release(data_version))
