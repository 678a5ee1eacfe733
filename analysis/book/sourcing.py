"""Sources in words, for readers: "work (author, year), section, 'phrase'" from a row's ``source`` cell.

Readers meet a traced number's source before any id of the build: the hover text of a glued
number (:mod:`analysis.book.provenance`) and the "About this figure" block
(:mod:`analysis.book.chapter`) both render it here, with :func:`source_words`, the one place
that turns a ``source`` cell (``analysis.words.parse_source``) into words.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis.book.source_paragraphs import source_link
from analysis.words import SourceCell, parse_source

# Each source document (data/sources/) as readers know it: the work, then (author, year).
WORKS = {
    "cracknell-2022-running-on-the-treadmill.txt": "Running on the treadmill (Cracknell, 2022)",
    "webster-2022-on-the-treadmill-summary.txt": "On the treadmill, a summary of the article (Webster, 2022)",
    "onprobation-2022-07-03-the-probation-treadmill.txt": "The Probation Treadmill (On Probation blog, 2022)",
    "onprobation-2022-12-digest.txt": "posts of December 2022 (On Probation blog, 2022)",
    "onprobation-2016-02-23-kirton-research.txt": "TR Is Crap Says Research (On Probation blog, 2016)",
    "external-figures.md": "later public figures, as the book lists them",
    "README.md": "the book's description of its sources",
}
PHRASE_LIMIT = 140  # characters of a quoted phrase shown on hover; a longer one is cut at a word


def work(file: str) -> str:
    """A source document's work in words ("Running on the treadmill (Cracknell, 2022)"); else its file name."""
    return WORKS.get(file, file)


def source_words(cell: SourceCell | str) -> str:
    """A row's ``source`` cell for readers: work (author, year), section, 'phrase'.

    The one place that renders a source in words: the hover text of traced numbers and
    "About this figure" both call it.
    """
    part = cell if isinstance(cell, SourceCell) else parse_source(str(cell))
    phrase = part.phrase
    if len(phrase) > PHRASE_LIMIT:
        phrase = phrase[:PHRASE_LIMIT].rsplit(" ", 1)[0] + "\u2026"
    return f"{work(part.file)}, {part.section}, \u2018{phrase}\u2019"


def works_cited(frame: pd.DataFrame) -> list[str]:
    """The works a table's rows cite, in words, in order of first citation."""
    if "source" not in getattr(frame, "columns", []):
        return []
    found: dict[str, None] = {}
    for text in frame["source"].dropna():
        try:
            found[work(parse_source(str(text)).file)] = None
        except ValueError:
            continue  # a cell of another form (a full citation) is named by the appendix, not here
    return list(found)


def row_source(frame: pd.DataFrame, keys: list[str]) -> str | None:
    """The source, in words, of the one row whose cells hold every key (None: no such single source)."""
    if not keys or "source" not in frame.columns:
        return None
    text_columns = [c for c in frame.columns if c != "source" and frame[c].dtype in ("string", "object")]
    mask = None
    for key in keys:
        hit = (frame[text_columns] == key).any(axis=1)
        mask = hit if mask is None else mask & hit
    sources = set(frame.loc[mask, "source"].dropna()) if mask is not None else set()
    if len(sources) != 1:
        return None
    try:
        return source_words(next(iter(sources)))
    except ValueError:
        return None


def passage_links(frame: pd.DataFrame) -> list[str]:
    """Links, one per distinct source phrase the table's rows cite, to its marked paragraph in the Sources appendix.

    The link text is the source in words (:func:`source_words`); cells of another form (a full
    public citation) have no paragraph here and are left to the data appendix.
    """
    if "source" not in getattr(frame, "columns", []):
        return []
    found: dict[tuple[str, str, str], SourceCell] = {}
    for text in frame["source"].dropna():
        try:
            cell = parse_source(str(text))
        except ValueError:
            continue
        found.setdefault((cell.file, cell.section, cell.phrase), cell)
    return [
        f'<a href="{html.escape(source_link(cell))}">{html.escape(source_words(cell))}</a>' for cell in found.values()
    ]
