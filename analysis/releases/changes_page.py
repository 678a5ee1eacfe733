"""The page "What changed between releases", in Markdown, from a :class:`~analysis.releases.diff.ReleaseDiff`.

The build stages it for every release with a predecessor (:mod:`analysis.build.changes`);
``make diff`` prints the same report as plain text.
"""

from __future__ import annotations

import re
from typing import Any

from analysis.releases.diff import ReleaseDiff, TableDiff, ValueChange

PAGE_STEM = "changes"
PAGE_TITLE = "What changed between releases"


_ESCAPE = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$&~^:=\"'])")
_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]<>()#+\-.!|$&~^:=\"'])")


def escape(value: Any) -> str:
    """Data as literal MyST text in a table cell: every markup character escaped, one line."""
    if value is None:
        return "*(none)*"
    text = str(value)
    text = " ".join(text.split())  # newlines would end the table row
    return _ESCAPE.sub(r"\\\1", text) if text else "*(empty)*"


def _code(name: str) -> str:
    return f"`{name.replace('`', '')}`"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _key_text(key: list[str], values: tuple) -> str:
    return ", ".join(f"{escape(k)} = {escape(v)}" for k, v in zip(key, values, strict=True))


def _rows_table(diff: TableDiff, rows: list[dict], max_columns: int = 4) -> list[str]:
    """Added/removed rows: the key plus the first few other columns (long text shortened)."""
    others = [c for c in (rows[0] if rows else {}) if c not in diff.key][: max(0, max_columns - len(diff.key))]
    header = [escape(c) for c in diff.key + others]

    def cell(v: Any) -> str:
        text = "" if v is None else str(v)
        return escape(text if len(text) <= 80 else text[:77] + "...") if text else "*(empty)*"

    return _table(header, [[cell(r.get(c)) for c in diff.key + others] for r in rows])


def only_the_name(change: ValueChange, old: str, new: str) -> bool:
    """A glued value that differs only where it names its own release ("release 1.1.0" -> "release 1.2.0")."""
    return change.old is not None and change.new is not None and str(change.old).replace(old, new) == str(change.new)


def render_markdown(diff: ReleaseDiff, title: str = PAGE_TITLE, draft: bool = False) -> str:
    """The MyST page listing every difference, old against new; data is escaped.

    ``draft``: the newer release is a draft (not frozen), and the page says so. Glued values
    that differ only by the release's own name are not counted as changes.
    """
    old, new = escape(diff.old), escape(diff.new)
    which = (
        "the **draft** release this book is built from: not frozen, so its data may still change, and not for citation"
        if draft
        else "the release this book is built from"
    )
    out = [
        f"# {title}",
        "",
        f"This page compares data release **{old}** with release **{new}**, {which}. The build writes "
        "it from the two releases themselves; nothing on it is written by hand. Tables are matched by "
        "name and rows by each table's primary key: a *changed* row keeps its key and differs in at "
        "least one value.",
        "",
        "## Summary",
        "",
    ]
    renamed = [v for v in diff.glued or [] if only_the_name(v, diff.old, diff.new)]
    glued = None if diff.glued is None else [v for v in diff.glued if v not in renamed]
    changed = diff.changed_tables
    n_added = sum(len(t.added) for t in diff.tables)
    n_removed = sum(len(t.removed) for t in diff.tables)
    n_changed = sum(len(t.changed) for t in diff.tables)
    unchanged = [t.name for t in diff.tables if t.is_empty]
    out += [
        f"- Tables added: {len(diff.tables_added)}; tables removed: {len(diff.tables_removed)}.",
        f"- In the tables both releases have: {n_added} rows added, {n_removed} removed, {n_changed} changed"
        + (f" (in {', '.join(_code(t.name) for t in changed)})." if changed else "."),
        f"- Tables identical in both releases: {', '.join(_code(n) for n in unchanged) or 'none'}.",
        f"- Other files changed: {', '.join(_code(f.path) for f in diff.files) or 'none'}.",
    ]
    for label, values in (("Claims", diff.claims), ("Glued numbers", glued)):
        out.append(
            f"- {label} whose value differs: {len(values)}." if values is not None else f"- {label}: not compared."
        )
    if renamed:
        out.append(f"- Glued values that differ only by naming their own release (not counted): {len(renamed)}.")
    out.append("")
    for note in diff.notes:
        out += [f"> {escape(note)}", ""]

    out += ["## Tables added and removed", ""]
    if diff.tables_added or diff.tables_removed:
        rows = [["added", _code(n), "" if r is None else f"{r:,}", escape(t)] for n, r, t in diff.tables_added]
        rows += [["removed", _code(n), "" if r is None else f"{r:,}", escape(t)] for n, r, t in diff.tables_removed]
        out += _table(["", "table", "rows", "title"], rows)
    else:
        out += ["No table was added or removed.", ""]

    out += ["## Rows added, removed or changed", ""]
    if not changed:
        out += ["No row of a table that both releases have was added, removed or changed.", ""]
    for table in changed:
        out += [f"### {_code(table.name)}", ""]
        out += [
            f"{table.old_rows:,} rows in {old}, {table.new_rows:,} in {new}; rows matched on "
            f"{', '.join(_code(k) for k in table.key)}.",
            "",
        ]
        if table.columns_added or table.columns_removed:
            out += [
                f"Columns added: {', '.join(_code(c) for c in table.columns_added) or 'none'}; "
                f"removed: {', '.join(_code(c) for c in table.columns_removed) or 'none'}.",
                "",
            ]
        if table.added:
            out += [f"Rows added ({len(table.added)}):", ""] + _rows_table(table, table.added)
        if table.removed:
            out += [f"Rows removed ({len(table.removed)}):", ""] + _rows_table(table, table.removed)
        if table.changed:
            rows = [
                [_key_text(table.key, change.key), _code(column), escape(before), escape(after)]
                for change in table.changed
                for column, (before, after) in change.changes.items()
            ]
            out += [f"Rows changed ({len(table.changed)}):", ""]
            out += _table(["row", "column", f"in {old}", f"in {new}"], rows)

    out += ["## Other files", ""]
    if not diff.files:
        out += ["No other file changed.", ""]
    for file in diff.files:
        parts = []
        for label, keys in (
            ("entries added", file.entries_added),
            ("removed", file.entries_removed),
            ("changed", file.entries_changed),
        ):
            parts.append(f"{label}: {', '.join(_code(k) for k in keys) if keys else 'none'}")
        detail = "; ".join(parts) if file.path.endswith(".bib") else "content changed"
        out += [f"- {_code(file.path)}: {detail}.", ""]

    out += sources_section(diff)
    out += ["## Claims", ""]
    out += _values_section(diff.claims, old, new, "claim", "No claims register was evaluated.")
    out += ["## Glued numbers", ""]
    out += [escape(diff.glued_note), ""] if diff.glued_note else []
    out += _values_section(
        glued, old, new, "chapter", "" if diff.glued_note else "The chapters' glued numbers were not compared."
    )
    return "\n".join(out).rstrip() + "\n"


def sources_section(diff: ReleaseDiff) -> list[str]:
    """The source documents (in ``data/sources/``) that the two releases read in different versions."""
    out = ["## Source documents", ""]
    if not diff.sources:
        return out + ["Both releases read the same version of every source document.", ""]
    out.append("Each release reads the version of each source document it was frozen with. These differ:")
    out.append("")
    return out + [f"- {_code(name)}: {how} in {escape(diff.new)}." for name, how in diff.sources] + [""]


def _values_section(values: list[ValueChange] | None, old: str, new: str, scope: str, missing: str) -> list[str]:
    if values is None:
        return [missing, ""] if missing else []
    if not values:
        return ["No value differs between the two releases.", ""]
    if scope == "claim":
        rows = [[escape(v.name), escape(v.column), escape(v.old), escape(v.new)] for v in values]
        return _table(["claim", "column", f"in {old}", f"in {new}"], rows)
    rows = [[_code(v.scope), _code(v.name), escape(v.old), escape(v.new)] for v in values]
    return _table(["chapter", "glued name", f"in {old}", f"in {new}"], rows)


def plain_text(markdown: str) -> str:
    """The report for a terminal: the page's Markdown without its escapes (``1\\.1\\.0`` -> ``1.1.0``)."""
    return _UNESCAPE.sub(r"\1", markdown)
