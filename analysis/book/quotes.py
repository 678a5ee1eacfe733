"""Quotations rendered from the data release, always as escaped text.

Quotes are data, so they never reach the page as raw HTML: every character
is escaped, and the attribution is exactly the role the article gives.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd

from analysis.book.source_paragraphs import ARTICLE_AUTHOR, ARTICLE_YEAR, SOURCES_PAGE, pinpoint, resolve
from analysis.words import day_text

# Where the reader comments of the ``reception_comments`` table were posted.
COMMENTS_VENUE = "On Probation"


@dataclass(frozen=True)
class Quote:
    """A displayable block quotation with its attribution."""

    text: str
    attribution: str
    anchor: str
    cite: str = ""  # the end of the attribution that cites the article, linked to ``link``
    link: str = ""  # the paragraph of the Sources appendix the quotation comes from

    def _repr_html_(self) -> str:
        footer = html.escape(self.attribution)
        if self.cite and self.link and self.attribution.endswith(self.cite):
            cited = f'<a class="treadmill-pinpoint" href="{html.escape(self.link)}">{html.escape(self.cite)}</a>'
            footer = html.escape(self.attribution[: -len(self.cite)]) + cited
        return (
            f'<blockquote class="treadmill-excerpt" id="{html.escape(self.anchor)}">'
            f"<p>{html.escape(self.text)}</p>"
            f"<footer>&mdash; {footer}</footer></blockquote>"
        )

    def __repr__(self) -> str:
        return f"“{self.text}”\n  — {self.attribution}"


def excerpt(excerpts: pd.DataFrame, excerpt_id: str) -> Quote:
    """An interview excerpt by id, attributed by role as the article publishes it."""
    row = _one_row(excerpts, "excerpt_id", excerpt_id, "excerpts")
    return _quote(row, f"{row['speaker_role']}, in", f"excerpt-{excerpt_id}")


def documentary(quotes: pd.DataFrame, quote_id: str) -> Quote:
    """A quotation from a document (report, speech), with its page where given."""
    row = _one_row(quotes, "quote_id", quote_id, "documentary_quotes")
    page = "" if pd.isna(row["page"]) else f", p. {row['page']}"
    return _quote(row, f"{row['speaker']}{page}, as quoted in", f"quote-{quote_id}")


def _one_row(table: pd.DataFrame, column: str, wanted: str, name: str) -> pd.Series:
    """The one row of ``table`` whose ``column`` is ``wanted``; a KeyError naming the table otherwise."""
    rows = table[table[column] == wanted]
    if rows.empty:
        raise KeyError(f"{column} {wanted!r} is not in the {name} table")
    if len(rows) > 1:
        raise KeyError(f"{column} {wanted!r} is in the {name} table {len(rows)} times")
    return rows.iloc[0]


def _quote(row: pd.Series, attributed: str, anchor: str) -> Quote:
    """The row's text, attributed as ``<attributed> Cracknell (2022: …)`` and linked to the cited paragraph."""
    cite, link = _pinpoint_citation(str(row["source"]))
    return Quote(text=str(row["text"]), attribution=f"{attributed} {cite}", anchor=anchor, cite=cite, link=link)


def _pinpoint_citation(source: str) -> tuple[str, str]:
    """``Cracknell (2022: Findings, ‘…’, para. 4)`` for a source cell in the article, and its paragraph's link."""
    paragraph = resolve(source)
    return f"{ARTICLE_AUTHOR} ({ARTICLE_YEAR}: {pinpoint(paragraph)})", f"{SOURCES_PAGE}#{paragraph.anchor}"


def inline(quotes: pd.DataFrame, quote_id: str, page: bool = True) -> str:
    """A short documentary quotation for running prose: ‘text’ (p. N).

    Short phrases (a concept's name, a few words) belong inside the sentence that
    cites them, not in a block quotation; the sentence names the author with a
    citation role, so only the page is added here.
    """
    row = _one_row(quotes, "quote_id", quote_id, "documentary_quotes")
    text = f"\u2018{row['text']}\u2019"
    if page and not pd.isna(row["page"]):
        text += f" (p. {row['page']})"
    return text


def phrase(phrases: pd.DataFrame, phrase_id: str) -> str:
    """One of the article's own phrases, verbatim, in single quotation marks."""
    return f"\u2018{_one_row(phrases, 'phrase_id', phrase_id, 'article_phrases')['text']}\u2019"


@dataclass(frozen=True)
class Comment:
    """A reader comment as posted: escaped text, its paragraphs and line breaks kept."""

    text: str
    attribution: str
    anchor: str
    note: str = ""

    def _repr_html_(self) -> str:
        paragraphs = [p for p in re.split(r"\n[ \t]*\n", self.text) if p.strip()]
        body = "".join(
            "<p>" + "<br>".join(html.escape(line) for line in p.strip("\n").split("\n")) + "</p>" for p in paragraphs
        )
        note = f'<p class="treadmill-comment-note"><em>{html.escape(self.note)}</em></p>' if self.note else ""
        return (
            f'<blockquote class="treadmill-excerpt treadmill-comment" id="{html.escape(self.anchor)}">'
            f"{body}{note}<footer>&mdash; {html.escape(self.attribution)}</footer></blockquote>"
        )

    def __repr__(self) -> str:
        note = f"\n  [{self.note}]" if self.note else ""
        return f"“{self.text}”{note}\n  — {self.attribution}"


def comment(comments: pd.DataFrame, comment_id: str) -> Comment:
    """A reader comment by id, verbatim, attributed only by its id, the venue and the post's date.

    Comments are anonymous as posted: the attribution adds the commenter's
    sign-off only where the table records one. A reply or a comment whose copy
    breaks off says so in a note under the text.
    """
    row = _one_row(comments, "comment_id", comment_id, "reception_comments")
    attribution = f"Reader comment under the {COMMENTS_VENUE} post of {day_text(row['post_date'])}"
    if not pd.isna(row["commenter"]) and str(row["commenter"]).strip():
        attribution += f", signed {str(row['commenter']).strip()}"
    notes = []
    if not pd.isna(row["reply_to"]):
        notes.append("A reply to an earlier comment.")
    if not pd.isna(row["complete"]) and not bool(row["complete"]):
        notes.append("The copy of this comment breaks off mid-sentence.")
    return Comment(text=str(row["text"]), attribution=attribution, anchor=f"comment-{comment_id}", note=" ".join(notes))
