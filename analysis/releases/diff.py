"""What changed between two data releases: tables, rows, claims and glued numbers.

:func:`diff_releases` compares two releases resource by resource: tables added
or removed; for each table in both, rows added, removed or changed, matched by
the table's primary key (a changed row keeps its key and differs in at least
one value; the changed columns are listed old -> new); other files (the
bibliography) by content. :func:`diff_glued_files` compares the numbers the executed
chapters glue into their prose, and :func:`diff_claims` the claims register
(``analysis.claims.evaluate``) when both releases have one. :func:`analysis.releases.changes_page.render_markdown`
turns the result into the book's page "What changed between releases", which
the build writes for every release that has a predecessor; authors run the
same report before releasing::

    make diff FROM=1.0.0 TO=1.1.0        # or: python -m analysis.build.changes 1.0.0 1.1.0
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.claims import evaluate as evaluate_claims
from analysis.data.bibtex import entry_text, read_bibtex
from analysis.data.reads import META_KEY
from analysis.data.release import RELEASE_MARK, Release, fill_release_name
from analysis.data.sources import versions_read

# Where myst-nb's glue() keeps a value's text when display=False.
GLUE_PREFIX = "application/papermill.record/"


# --- result types ---------------------------------------------------------------


@dataclass
class RowChange:
    """One row whose key is in both releases but whose values differ."""

    key: tuple
    changes: dict[str, tuple[Any, Any]]  # column -> (old, new)


@dataclass
class TableDiff:
    name: str
    key: list[str]
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    old_rows: int = 0
    new_rows: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.columns_added or self.columns_removed)


@dataclass
class FileDiff:
    """A non-tabular resource whose content differs (e.g. the bibliography)."""

    name: str
    path: str
    entries_added: list[str] = field(default_factory=list)
    entries_removed: list[str] = field(default_factory=list)
    entries_changed: list[str] = field(default_factory=list)


@dataclass
class ValueChange:
    """A claim or glued number whose value differs (None = absent in that release)."""

    scope: str  # notebook stem, or "claims"
    name: str
    old: Any
    new: Any
    column: str = "value"


@dataclass
class ReleaseDiff:
    old: str
    new: str
    tables_added: list[tuple[str, int | None, str]] = field(default_factory=list)  # name, rows, title
    tables_removed: list[tuple[str, int | None, str]] = field(default_factory=list)
    tables: list[TableDiff] = field(default_factory=list)  # every table in both releases
    files: list[FileDiff] = field(default_factory=list)
    glued: list[ValueChange] | None = None  # None: not compared
    glued_note: str = ""  # where the glued numbers come from, or why they were not compared
    claims: list[ValueChange] | None = None
    notes: list[str] = field(default_factory=list)
    # Source documents whose version differs: (file name, "added" / "changed" / "removed").
    sources: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed_tables(self) -> list[TableDiff]:
        return [t for t in self.tables if not t.is_empty]


# --- tables -------------------------------------------------------------------------


def _comparable(value: Any) -> Any:
    """A comparable, printable Python value (NA -> None, dates -> ISO text)."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _primary_key(release: Release, name: str) -> list[str]:
    schema = release._schema(name)  # the loader's parsed schema (a JSON file or inline)
    key = schema.get("primaryKey", [])
    return [key] if isinstance(key, str) else list(key)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{c: _comparable(v) for c, v in row.items()} for row in frame.to_dict("records")]


def diff_table(name: str, old: pd.DataFrame, new: pd.DataFrame, key: list[str]) -> TableDiff:
    """Rows added, removed and changed between two versions of one table."""
    common = [c for c in new.columns if c in old.columns]
    if not key or not all(k in common for k in key):
        key = common  # no usable key: whole rows are compared
    result = TableDiff(
        name,
        list(key),
        columns_added=[c for c in new.columns if c not in old.columns],
        columns_removed=[c for c in old.columns if c not in new.columns],
        old_rows=len(old),
        new_rows=len(new),
    )
    old_rows = {tuple(r[k] for k in key): r for r in _records(old)}
    new_rows = {tuple(r[k] for k in key): r for r in _records(new)}
    for k, row in new_rows.items():
        if k not in old_rows:
            result.added.append(row)
        else:
            changes = {c: (old_rows[k][c], row[c]) for c in common if old_rows[k][c] != row[c]}
            if changes:
                result.changed.append(RowChange(k, changes))
    result.removed = [row for k, row in old_rows.items() if k not in new_rows]
    return result


def _bib_entries(text: str) -> dict[str, str]:
    """BibTeX key -> the entry as pybtex writes it back (so layout and comments do not count as changes)."""
    return {key: entry_text(key, entry) for key, entry in read_bibtex(text).items()}


def _title(release: Release, name: str) -> str:
    resource = next(r for r in release.descriptor["resources"] if r["name"] == name)
    return str(resource.get("title", ""))


def _rows(release: Release, name: str) -> int | None:
    return len(release.table(name)) if release.is_table(name) else None


def diff_releases(old: Release, new: Release) -> ReleaseDiff:
    """Every difference in content between two loaded releases (tables validated on read)."""
    result = ReleaseDiff(old.version, new.version)
    old_names, new_names = old.resource_names, new.resource_names
    result.tables_added = [(n, _rows(new, n), _title(new, n)) for n in new_names if n not in old_names]
    result.tables_removed = [(n, _rows(old, n), _title(old, n)) for n in old_names if n not in new_names]
    for name in [n for n in new_names if n in old_names]:
        same_bytes = old.sha256(name) == new.sha256(name)
        if old.is_table(name) and new.is_table(name):
            if same_bytes and old._schema(name) == new._schema(name):
                # Identical bytes and schema: identical rows (no need to read them).
                result.tables.append(TableDiff(name, _primary_key(new, name)))
                continue
            result.tables.append(diff_table(name, old.table(name), new.table(name), _primary_key(new, name)))
        elif not same_bytes:
            old_text, new_text = old.text(name), new.text(name)
            diff = FileDiff(name, str(next(r["path"] for r in new.descriptor["resources"] if r["name"] == name)))
            if diff.path.endswith(".bib"):
                before, after = _bib_entries(old_text), _bib_entries(new_text)
                diff.entries_added = [k for k in after if k not in before]
                diff.entries_removed = [k for k in before if k not in after]
                diff.entries_changed = [k for k in after if k in before and before[k] != after[k]]
            result.files.append(diff)
    result.sources = source_changes(old, new)
    return result


def source_changes(old: Release, new: Release) -> list[tuple[str, str]]:
    """The source documents the two releases read in different versions (each release reads its own)."""
    before = versions_read(old.path.name, old.path.parent)
    after = versions_read(new.path.name, new.path.parent)
    changes = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            changes.append((name, "added" if name not in before else "removed" if name not in after else "changed"))
    return changes


# --- glued numbers and claims -----------------------------------------------------------------


def glued_values(notebook_path: Path) -> dict[str, str]:
    """Name -> text of every value a notebook glues (from its stored outputs), as the prose shows it."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    version = nb.metadata.get(META_KEY, {}).get("data_version", RELEASE_MARK)
    values: dict[str, str] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook", {})
            name = scrap.get("name") if isinstance(scrap, dict) else None
            if not name:
                continue
            data = output.get("data", {})
            text = data.get("text/plain", data.get(GLUE_PREFIX + "text/plain"))
            if text is None:
                continue
            values[name] = fill_release_name(as_pasted("".join(text) if isinstance(text, list) else str(text)), version)
    return values


def as_pasted(text: str) -> str:
    """A glued ``text/plain`` as ``{glue:text}`` pastes it: a Python literal's quotes removed (as myst-nb does)."""
    try:
        return str(ast.literal_eval(text))
    except (SyntaxError, ValueError):
        return text


def _claim_records(register: pd.DataFrame) -> dict[str, dict]:
    """A claims register (``claims.evaluate``) as claim id -> {column: value}."""
    return {str(r["claim_id"]): {c: v for c, v in r.items() if c != "claim_id"} for r in _records(register)}


# The columns of claims.evaluate() that are a claim's value; others (reason, source) explain it.
CLAIM_VALUE_COLUMNS = ("published", "computed", "verdict")


def _claim_summary(record: dict) -> str:
    columns = [c for c in CLAIM_VALUE_COLUMNS if c in record] or sorted(record)
    return "; ".join(f"{c}: {record[c]}" for c in columns)


def diff_claims(
    old: Release, new: Release, evaluate: Callable[[Release], pd.DataFrame] | None = None
) -> list[ValueChange] | None:
    """Claims whose evaluated value (published, computed, verdict) differs between releases.

    ``evaluate`` gives a release's register (default: the claims register, and None when either
    release has no claims table). A claim in one release only is listed with its value in that
    release and None in the other.
    """
    if evaluate is None:
        if not all("claims" in r.resource_names for r in (old, new)):
            return None
        evaluate = evaluate_claims
    before, after = _claim_records(evaluate(old)), _claim_records(evaluate(new))
    changes = []
    for claim in sorted(set(before) | set(after)):
        b, a = before.get(claim), after.get(claim)
        if b is None or a is None:
            label = "(new claim)" if b is None else "(claim removed)"
            changes.append(ValueChange("claims", claim, b and _claim_summary(b), a and _claim_summary(a), column=label))
            continue
        columns = [c for c in CLAIM_VALUE_COLUMNS if c in a and c in b] or [c for c in a if c in b]
        for column in columns:
            if b[column] != a[column]:
                changes.append(ValueChange("claims", claim, b[column], a[column], column=column))
    return changes


# --- glued numbers of executed chapters ---------------------------------------------------


def diff_glued_files(old: dict[str, Path], new: dict[str, Path]) -> list[ValueChange]:
    """Glued values that differ between two sets of executed chapters (file name -> notebook)."""
    changes = []
    for name in sorted(set(old) | set(new)):
        before = glued_values(old[name]) if name in old else {}
        after = glued_values(new[name]) if name in new else {}
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                changes.append(ValueChange(Path(name).stem, key, before.get(key), after.get(key)))
    return changes
