"""Every data row agrees with its own source: the value a row records is stated by its source phrase.

A claim's phrase must state the claim's published value (see :func:`register.unstated`); a data
row is held to the same reading. :data:`STATED` says, per table, which column holds the value a
row's phrase must state (with the columns holding its upper bound and its qualifier). Numbers
in a sourced table that no phrase states (the book's own ordering, a row's key) are listed in
:data:`NOT_STATED`; any other number column of a sourced table is an error, so a new table
cannot carry an unchecked value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.claims.evidence import Evidence
from analysis.claims.register import unstated
from analysis.claims.vocabulary import UNIT_FROM_MINUTES, fmt, normalise
from analysis.data.release import Release
from analysis.words import parse_source


@dataclass(frozen=True)
class Stated:
    """A value column, and what reads it: its upper bound and qualifier columns, its unit, its phrases."""

    column: str
    high: str | None = None
    qualifier: str | None = None
    unit: str | None = None  # the unit the column name fixes ("minutes"), which a phrase may state in hours
    basis: str | None = None  # a column quoting another phrase of the row's source file that may state it


STATED = {
    "figures": Stated("value", high="value_high", qualifier="qualifier"),
    "sample": Stated("count"),
    "cohorts": Stated("size_value", qualifier="size_qualifier", basis="size_basis"),
    "appointment_models": Stated("minutes", unit="minutes"),
    "community_sentences": Stated("count"),
    "recruitment": Stated("count"),
    "workload_surveys": Stated("value", qualifier="qualifier"),
    "kirton_survey": Stated("value", qualifier="qualifier"),
    "tr_end": Stated("value", qualifier="qualifier"),
}
# Number columns that are the book's, not the source's: reading order and codebook level.
NOT_STATED = frozenset({"position", "level"})
# The claims table states its numbers through the register, which checks them itself.
REGISTER = "claims"
_NUMBERS = ("integer", "number")


class RowsDisagree(AssertionError):
    """Data rows whose value their own source phrase does not state: they must not be published."""


def _na(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _sourced(frame: pd.DataFrame) -> bool:
    """Whether the table's ``source`` cells name phrases of source documents (any one parses)."""
    if "source" not in frame.columns:
        return False
    for cell in frame["source"].dropna():
        try:
            parse_source(str(cell))
        except ValueError:
            continue
        return True
    return False


def _undeclared(release: Release, name: str, frame: pd.DataFrame) -> list[str]:
    """Number columns of a sourced table that neither :data:`STATED` nor :data:`NOT_STATED` accounts for."""
    schema = release.entry(name).get("schema")
    fields = schema.get("fields", []) if isinstance(schema, dict) else []
    keys = schema.get("primaryKey", []) if isinstance(schema, dict) else []
    keys = [keys] if isinstance(keys, str) else list(keys)
    spec = STATED.get(name)
    known = set(NOT_STATED) | set(keys) | ({spec.column, spec.high} - {None} if spec else set())
    return [
        f"file {release.entry(name)['path']}, column {f['name']}: numbers beside source phrases that no check "
        "reads; say in analysis/claims/row_sources.py (STATED or NOT_STATED) how a phrase states them"
        for f in fields
        if f.get("type") in _NUMBERS and f.get("name") not in known and f.get("name") in frame.columns
    ]


def _scales(spec: Stated, phrase: str) -> tuple[float, ...]:
    """A minutes column may be stated in hours ("an hour", "a 1 hour window")."""
    if spec.unit != "minutes":
        return (1.0,)
    return tuple(1.0 / factor for unit, factor in UNIT_FROM_MINUTES.items() if unit[:-1] in phrase.lower())


def _row_problems(ev: Evidence, spec: Stated, row: pd.Series) -> list[str]:
    value = row[spec.column]
    if _na(value):
        return []
    source = parse_source(str(row["source"]))
    high = None if spec.high is None or _na(row[spec.high]) else float(row[spec.high])
    qualifier = None if spec.qualifier is None or _na(row[spec.qualifier]) else str(row[spec.qualifier])
    phrases = [source.phrase]
    if spec.basis and not _na(row[spec.basis]):
        basis = str(row[spec.basis])
        text = ev.source_text(source.file) or ""
        if normalise(basis) not in text:
            return [f"{spec.basis} {basis!r} is not a phrase of {source.file}"]
        phrases.append(basis)
    readings = [unstated(p, float(value), high, qualifier, _scales(spec, p)) for p in phrases]
    if any(not r for r in readings):
        return []
    shown = " or ".join(f'"{p}"' for p in phrases)
    return [f"{fmt(float(value))}{f' ({qualifier})' if qualifier else ''} is not what {shown} states: {readings[0][0]}"]


def row_problems(release: Release, sources_dir: Path = paths.SOURCES) -> list[str]:
    """Every row whose source phrase is not in its file or does not state the row's value.

    Each problem names the file, the row (the header is row 1) and the column.
    """
    ev = Evidence.from_release(release, sources_dir)
    problems: list[str] = []
    for name in ev.table_names:
        if name == REGISTER:
            continue
        frame = ev.table(name)
        if not _sourced(frame):
            continue
        problems += _undeclared(release, name, frame)
        spec = STATED.get(name)
        path = release.entry(name)["path"]
        for number, (_, row) in enumerate(frame.iterrows(), start=2):
            phrase = ev.phrase_problem(str(row["source"]))
            if phrase:
                problems.append(f"file {path}, row {number}, column source: {phrase}")
                continue
            if spec is not None:
                column = spec.column
                for problem in _row_problems(ev, spec, row):
                    if problem.startswith(f"{spec.basis} "):
                        column = str(spec.basis)
                    elif "wording for" in problem and spec.qualifier:
                        column = spec.qualifier
                    problems.append(f"file {path}, row {number}, column {column}: {problem}")
    return problems


def require_rows_agree(release: Release, sources_dir: Path = paths.SOURCES) -> None:
    """Raise :class:`RowsDisagree` naming every row whose own source does not state its value."""
    problems = row_problems(release, sources_dir)
    if problems:
        raise RowsDisagree(
            f"data release {release.version}: {len(problems)} row(s) disagree with their own source phrase; "
            "correct the value or the phrase (in a new release if this one is frozen):\n" + "\n".join(problems)
        )
