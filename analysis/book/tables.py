"""Tables for reviewers: sortable and filterable in the browser, offline, deterministic HTML.

:func:`interactive_table` writes a plain, escaped HTML table with a fixed id (made from
the caller's name, never a random one, so nbval compares it exactly). In the site,
DataTables (the copy that the itables package ships, made a classic script by
:func:`datatables_bundle_source`; no CDN) sorts it, and ``_static/treadmill-tables.js`` adds
a text filter and, for a table that names a ``data-filter-column``, a menu of that column's
values, including "everything that does not hold" for the claims register's verdicts.
Without the scripts the table is still a complete, readable table. Each cell carries its
column's name (``data-label``), so that on a phone, and on paper, the claims register is a
stack of cards (``_static/treadmill.css``): itables' bundle has no Responsive extension.

:func:`verdict_badge` renders a claim's verdict as a badge that reads in greyscale: a
symbol and the word, and a border style of its own, never colour alone.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from analysis.claims.vocabulary import VERDICTS
from analysis.data.files import write_atomic

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


# DataTables as the itables package ships it (an ES module), and its styles; the site loads them
# as ``_static/datatables.js`` and ``_static/datatables.css`` (written by the build, not committed).
DATATABLES_JS, DATATABLES_CSS = "datatables.js", "datatables.css"
_EXPORT = re.compile(r"export\{(?P<names>[^}]*)\}")


def datatables_bundle_source() -> tuple[str, str]:
    """(script, styles): itables' DataTables bundle as one classic script that sets ``window.treadmillDataTable``.

    A classic script, not a module, so that the book also works opened from disk (a browser
    refuses to import a module from a ``file:`` address). The bundle's one ``export`` statement
    becomes that assignment, inside a function scope; a bundle of another shape is an error.
    """
    from importlib import resources

    import itables

    folder = resources.files("itables") / "html"
    script = (folder / "dt_bundle.js").read_text(encoding="utf-8")
    exports = list(_EXPORT.finditer(script))
    if len(exports) != 1 or "import.meta" in script:
        raise ValueError(f"itables {itables.__version__}: dt_bundle.js is not the one-export module this book expects")
    names = {}  # exported name -> the bundle's own name
    for part in exports[0]["names"].split(","):
        own, _, exported = part.strip().partition(" as ")
        names[exported or own] = own
    if "default" not in names:
        raise ValueError(f"itables {itables.__version__}: dt_bundle.js exports no DataTable (default)")
    start, end = exports[0].span()
    body = script[:start] + f"window.treadmillDataTable = {names['default']};" + script[end:]
    header = f"/* DataTables from itables {itables.__version__} (html/dt_bundle.js): written by the build. */\n"
    styles = (folder / "dt_bundle.css").read_text(encoding="utf-8")
    return header + '(function () {\n"use strict";\n' + body + "\n})();\n", styles


def write_datatables_bundle(static_dir: Path) -> None:
    """Write ``datatables.js`` and ``datatables.css`` into ``static_dir`` (unless identical ones are there)."""
    for name, text in zip((DATATABLES_JS, DATATABLES_CSS), datatables_bundle_source(), strict=True):
        target = static_dir / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            write_atomic(target, text)


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
    interaction: str = "",
) -> str:
    """An escaped HTML table the site's scripts make sortable and filterable.

    ``filter_column`` gets a menu of its values; ``badge_column`` is rendered with
    :func:`verdict_badge`; ``row_ids`` gives each row an ``id`` (e.g. ``claim-C006``), so
    that other pages can link to a row; ``links`` maps a column to one address per row (its
    cells become links; only addresses this package makes, escaped); ``interaction`` ends the
    caption on screen only (how to sort and filter: not printed).
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
            label = f'data-label="{html.escape(str(column))}"'
            if column in hrefs and hrefs[column][number]:
                href = html.escape(str(hrefs[column][number]))
                cells.append(f'<td {label}><a href="{href}">{_cell(value)}</a></td>')
            elif column == badge_column:  # DataTables sorts and searches the word, not the badge's symbol
                word = _cell(value)
                cells.append(
                    f'<td {label} data-value="{word}" data-search="{word}" data-order="{word}">'
                    f"{verdict_badge(str(value))}</td>"
                )
            else:
                cells.append(f"<td {label}>{_cell(value)}</td>")
        row_id = f' id="{html.escape(str(rid))}"' if rid else ""
        body.append(f"<tr{row_id}>{''.join(cells)}</tr>")
    words = html.escape(caption)
    if interaction:  # on screen only: paper cannot sort or filter
        words += f' <span class="treadmill-screen-only">{html.escape(interaction)}</span>'
    return (
        f"<table {attributes}>\n<caption>{words}</caption>\n"
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
        "verdict with its reason.",
        filter_column="verdict",
        badge_column="verdict",
        row_ids=register["claim_id"].map(claim_anchor),
        links={"source": register["source"].map(source_link)},
        interaction="Sort by any column; filter by text or by verdict.",
    )
