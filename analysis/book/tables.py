"""Tables for reviewers: sortable and filterable in the browser, offline, deterministic HTML.

:func:`interactive_table` writes a plain, escaped HTML table with a fixed id (made from
the caller's name, never a random one, so nbval compares it exactly). The site's own
script ``_static/treadmill-tables.js`` (shipped in the repository, no CDN) adds, to
every ``table.treadmill-interactive``, a text filter, header buttons that sort, and for
a table that names a ``data-filter-column`` a menu of that column's values, including
"everything that does not hold" for the claims register's verdicts. Without the script
the table is still a complete, readable table.

:func:`verdict_badge` renders a claim's verdict as a badge that reads in greyscale: a
symbol and the word, and a border style of its own, never colour alone.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from analysis.claims.vocabulary import VERDICTS

# The claims appendix, as linked from a chapter page (chapters sit side by side in chapters/).
CLAIMS_PAGE = "11_claims.html"
# Each verdict of the register (claims.VERDICTS, in its order) -> (symbol, css class). The class
# sets a border style: solid, double, dashed, dotted.
_BADGES = (
    ("\u2713", "verdict-holds"),
    ("\u2717", "verdict-fails"),
    ("\u2260", "verdict-disagree"),
    ("?", "verdict-unchecked"),
)
VERDICT_BADGES = dict(zip(VERDICTS, _BADGES, strict=True))


def table_id(name: str) -> str:
    """A stable HTML id for a table from a name of this package ("claims register" -> "table-claims-register")."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise ValueError(f"no id can be made from {name!r}")
    return f"table-{slug}"


def verdict_badge(verdict: str) -> str:
    """``<span class="verdict verdict-holds">✓ holds</span>``: symbol, word and border style, escaped."""
    symbol, css = VERDICT_BADGES.get(verdict, ("\u2022", "verdict-other"))
    return f'<span class="verdict {css}"><span aria-hidden="true">{symbol}</span> {html.escape(verdict)}</span>'


def _cell(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else html.escape(str(value))


def interactive_table(
    frame: pd.DataFrame,
    name: str,
    caption: str,
    filter_column: str | None = None,
    badge_column: str | None = None,
    row_ids: pd.Series | None = None,
    links: dict[str, pd.Series] | None = None,
) -> str:
    """An escaped HTML table the site's script makes sortable and filterable.

    ``filter_column`` gets a menu of its values; ``badge_column`` is rendered with
    :func:`verdict_badge`; ``row_ids`` gives each row an ``id`` (e.g. ``claim-C006``), so
    that other pages can link to a row; ``links`` maps a column to one address per row (its
    cells become links; only addresses this package makes, escaped).
    """
    columns = list(frame.columns)
    for column in (filter_column, badge_column):
        if column is not None and column not in columns:
            raise KeyError(f"no column {column!r} in the table")
    tid = table_id(name)
    attributes = f'id="{tid}" class="treadmill-table treadmill-interactive"'
    if filter_column is not None:
        attributes += f' data-filter-column="{columns.index(filter_column)}"'
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in columns)
    body = []
    ids = list(row_ids) if row_ids is not None else [None] * len(frame)
    if len(ids) != len(frame):
        raise ValueError("row_ids must give one id per row")
    hrefs = {column: list(values) for column, values in (links or {}).items()}
    if any(column not in columns or len(values) != len(frame) for column, values in hrefs.items()):
        raise ValueError("links must name columns of the table and give one address per row")
    for number, (rid, row) in enumerate(zip(ids, frame.itertuples(index=False), strict=True)):
        cells = []
        for column, value in zip(columns, row, strict=True):
            if column in hrefs and hrefs[column][number]:
                cells.append(f'<td><a href="{html.escape(str(hrefs[column][number]))}">{_cell(value)}</a></td>')
            elif column == badge_column:
                cells.append(f'<td data-value="{_cell(value)}">{verdict_badge(str(value))}</td>')
            else:
                cells.append(f"<td>{_cell(value)}</td>")
        row_id = f' id="{html.escape(str(rid))}"' if rid else ""
        body.append(f"<tr{row_id}>{''.join(cells)}</tr>")
    return (
        f"<table {attributes}>\n<caption>{html.escape(caption)}</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"
    )


def claim_anchor(claim_id: str) -> str:
    """The id of a claim's row in the claims register (``claim-C006``); other pages link to it."""
    return f"claim-{claim_id}"


def claims_register(register: pd.DataFrame) -> str:
    """The claims register as a sortable table with verdict badges, filterable by verdict, one anchor per claim."""
    from analysis import claims
    from analysis.book.source_paragraphs import source_link

    return interactive_table(
        claims.register_table(register),
        "claims register",
        "Every claim: its source phrase, the value as published, the value computed from the data, and the "
        "verdict with its reason. Sort by any column; filter by text or by verdict.",
        filter_column="verdict",
        badge_column="verdict",
        row_ids=register["claim_id"].map(claim_anchor),
        links={"source": register["source"].map(source_link)},
    )
