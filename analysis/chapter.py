"""Everything a chapter notebook needs, behind one object.

A chapter opens its context once, after its ``parameters`` cell::

    ctx = open_chapter("05_treadmill", data_version)

and then only calls: ``ctx.table``, ``ctx.glue``, ``ctx.show`` (figures),
``ctx.excerpt``. Provenance (release, input hashes, notebook) is attached
here, so every figure says which data made it.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

import pandas as pd

from analysis import quotes
from analysis.charts import Figure, FigureOutput
from analysis.data import Release, load_release


@dataclass(frozen=True)
class Glued:
    """A value as it appears in the text, formatted once, here.

    myst-nb pastes a glued value's ``text/plain`` after ``ast.literal_eval``
    (to strip a string's quotes), so "50,000" would come out as the tuple
    "(50, 0)". The repr is therefore the formatted text as a string literal,
    which evaluates back to exactly that text.
    """

    value: object
    text: str

    def __repr__(self) -> str:
        return repr(self.text)


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

    def table(self, name: str) -> pd.DataFrame:
        return self.release.table(name)

    def inputs_digest(self, names: tuple[str, ...]) -> str:
        """Short sha256 over the named tables' recorded hashes."""
        joined = "\n".join(f"{n}:{self.release.sha256(n)}" for n in sorted(names))
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]

    def provenance(self, names: tuple[str, ...]) -> str:
        tables = ", ".join(sorted(names)) or "none"
        return (
            f"Data release {self.release.version}; tables {tables} "
            f"(sha256 {self.inputs_digest(names)}); made by chapters/{self.notebook}.ipynb"
        )

    def glue(self, name: str, value, fmt: str = "{:,}") -> Glued:
        """Glue ``value`` for the prose (``{glue:text}`name```), formatted once, here."""
        from myst_nb import glue

        glued = Glued(value, fmt.format(value))
        glue(name, glued, display=False)
        return glued

    def show(self, figure: Figure) -> FigureOutput:
        """A figure with its caption and a provenance line under it."""
        return FigureOutput(figure, self.provenance(figure.inputs))

    def show_table(self, frame: pd.DataFrame, caption: str) -> HtmlBlock:
        """A table for readers: escaped cells, no index, a caption."""
        body = frame.to_html(index=False, escape=True, na_rep="", border=0, classes="treadmill-table")
        return HtmlBlock(body.replace(">\n", f">\n<caption>{html.escape(caption)}</caption>\n", 1))

    def footer(self) -> HtmlBlock:
        """Provenance of every number and quote on the page: call it in the last cell."""
        names = tuple(self.release.reads)
        return HtmlBlock(f'<p class="treadmill-provenance">Numbers, quotes and figures on this page: '
                         f"{html.escape(self.provenance(names))}.</p>")

    def excerpt(self, excerpt_id: str) -> quotes.Quote:
        return quotes.excerpt(self.table("excerpts"), excerpt_id)

    def documentary(self, quote_id: str) -> quotes.Quote:
        return quotes.documentary(self.table("documentary_quotes"), quote_id)


def open_chapter(notebook: str, data_version: str | None = None) -> ChapterContext:
    """Load the release (default when ``data_version`` is None) for one chapter."""
    return ChapterContext(notebook, load_release(data_version))
