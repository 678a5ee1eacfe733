"""Quotations rendered from the data release, always as escaped text.

Quotes are data, so they never reach the page as raw HTML: every character
is escaped, and the attribution is exactly the role the article gives.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Quote:
    """A displayable block quotation with its attribution."""

    text: str
    attribution: str
    anchor: str

    def _repr_html_(self) -> str:
        return (
            f'<blockquote class="treadmill-excerpt" id="{html.escape(self.anchor)}">'
            f"<p>{html.escape(self.text)}</p>"
            f"<footer>&mdash; {html.escape(self.attribution)}</footer></blockquote>"
        )

    def __repr__(self) -> str:
        return f"“{self.text}”\n  — {self.attribution}"


def excerpt(excerpts: pd.DataFrame, excerpt_id: str) -> Quote:
    """An interview excerpt by id, attributed by role as the article publishes it."""
    rows = excerpts[excerpts["excerpt_id"] == excerpt_id]
    if len(rows) != 1:
        raise KeyError(f"excerpt {excerpt_id!r} is not in the excerpts table")
    row = rows.iloc[0]
    return Quote(
        text=str(row["text"]),
        attribution=f"{row['speaker_role']}, interview excerpt {excerpt_id} (Cracknell, 2022)",
        anchor=f"excerpt-{excerpt_id}",
    )


def documentary(quotes: pd.DataFrame, quote_id: str) -> Quote:
    """A quotation from a document (report, speech), with its page where given."""
    rows = quotes[quotes["quote_id"] == quote_id]
    if len(rows) != 1:
        raise KeyError(f"documentary quote {quote_id!r} is not in the documentary_quotes table")
    row = rows.iloc[0]
    page = "" if pd.isna(row["page"]) else f", p. {row['page']}"
    return Quote(
        text=str(row["text"]),
        attribution=f"{row['speaker']}{page}, as quoted in Cracknell (2022)",
        anchor=f"quote-{quote_id}",
    )
