"""Checks of a release's files before they are read: header, Frictionless (types, keys), sources, references.

A mixin of :class:`analysis.data.release.Release`, kept apart so loading reads as loading.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.data.bibtex import BibtexError, read_bibtex
from analysis.data.errors import DataError, _cell_location, _describe, filled_cells
from analysis.paths import DESCRIPTOR

if TYPE_CHECKING:
    import frictionless

# How many validation errors one DataError message lists.
MAX_REPORTED_ERRORS = 5
# The bibliography resource, and the table columns whose values must be its keys.
BIBLIOGRAPHY = "references"
REFERENCE_COLUMNS = ("reference_key", "literature_key")


class TableValidation:
    """What :class:`~analysis.data.release.Release` checks; it provides the files, schemas and ``_error``."""

    # Set by Release.__init__ (declared here so the type checker knows the mixin's state).
    _version: str
    path: Path
    _resources: dict[str, dict]
    _valid: set[str]
    _validating: set[str]
    _package: frictionless.Package | None

    if TYPE_CHECKING:  # Release's methods that the checks call; declared for the type checker only

        def text(self, name: str) -> str: ...
        def _file(self, name: str) -> str: ...
        def _error(self, name: str, expected: str, **kwargs: Any) -> DataError: ...
        def _record(self, name: str) -> None: ...
        def _verified_bytes(self, name: str) -> bytes: ...
        def _decode(self, name: str, data: bytes) -> str: ...
        def _schema(self, name: str) -> dict: ...
        def _delimiter(self, name: str) -> str: ...
        def _check_numbers(self, name: str, text: str) -> None: ...

    def _validate(self, name: str) -> None:
        """Hash, header and Frictionless checks of ``name`` and its FK targets."""
        if name in self._valid or name in self._validating:
            return
        self._validating.add(name)
        try:
            text = self._decode(name, self._verified_bytes(name))
            self._check_header(name, text)
            self._check_numbers(name, text)  # Frictionless takes NaN and INF for numbers
            # Frictionless looks up foreign keys in the target tables but skips
            # their invalid rows silently, so check the targets first.
            for target in self._fk_targets(name):
                self._record(target)
                self._validate(target)
            self._validate_with_frictionless(name)
        finally:
            self._validating.discard(name)
        self._valid.add(name)

    def _fk_targets(self, name: str) -> list[str]:
        targets = []
        for fk in self._schema(name).get("foreignKeys", []):
            target = fk.get("reference", {}).get("resource", "")
            if target and target != name and target not in targets:
                targets.append(target)
        return targets

    def _check_header(self, name: str, text: str) -> None:
        """Columns must be exactly the schema's fields, in order."""
        expected = [f["name"] for f in self._schema(name).get("fields", [])]
        header = next(csv.reader(io.StringIO(text), delimiter=self._delimiter(name)), [])
        if header == expected:
            return
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        if missing:
            problem, column = f"missing column {missing[0]!r}", missing[0]
        elif extra:
            problem, column = f"column {extra[0]!r} not in the schema", extra[0]
        else:
            problem, column = "columns out of order or repeated", None
        raise self._error(
            name,
            f"columns {expected}",
            row=1,
            column=column,
            problem=problem,
            got=header,
        )

    def _validate_with_frictionless(self, name: str) -> None:
        import frictionless  # lazy: costs import time only when data is used

        if self._package is None:
            try:
                self._package = frictionless.Package(str(self.path / DESCRIPTOR))
            except frictionless.FrictionlessException as exc:
                raise DataError(
                    "a valid Frictionless data package descriptor",
                    release=self._version,
                    file=DESCRIPTOR,
                    problem="invalid descriptor",
                    got=str(exc),
                ) from exc
        report = self._package.get_resource(name).validate()
        found = list(report.errors) + [e for t in report.tasks for e in t.errors]
        if not found:
            return
        schema = self._schema(name)
        described = [_from_frictionless(e, name, schema) for e in found]
        first = described[0]
        rest = [
            f"{_cell_location(d['row'], d['column']) or 'file'}: {_describe(d['problem'], d['expected'], d['got'])}"
            for d in described[1:MAX_REPORTED_ERRORS]
        ]
        if len(described) > MAX_REPORTED_ERRORS:
            rest.append(f"and {len(described) - MAX_REPORTED_ERRORS} more")
        raise self._error(name, more=rest, **first)

    def _check_source(self, name: str, frame: pd.DataFrame) -> None:
        """Every row must say where it came from (belt and braces for the schema)."""
        if "source" not in frame.columns:
            return
        source = frame["source"].astype("string")
        empty = source.isna() | source.str.strip().eq("")
        if empty.any():
            position = int(empty.to_numpy().nonzero()[0][0])
            raise self._error(
                name,
                "a non-empty source for every row",
                row=position + 2,
                column="source",
                problem="empty source",
                got=None if pd.isna(source.iloc[position]) else source.iloc[position],
            )

    def bibliography_keys(self) -> set[str]:
        """The keys of the release's ``references`` resource (BibTeX, read with pybtex)."""
        return set(self._bibliography(self.text(BIBLIOGRAPHY)))

    def _bibliography(self, text: str) -> dict[str, Any]:
        """The entries of bibliography ``text``; unreadable BibTeX or an unsafe link is refused by file and entry."""
        try:
            return read_bibtex(text)
        except BibtexError as exc:
            raise self._error(
                BIBLIOGRAPHY,
                "a readable BibTeX file with http(s) or doi: links",
                problem="bad bibliography",
                got=str(exc),
            ) from exc

    def _check_references(self, name: str, frame: pd.DataFrame) -> None:
        """Every key in a reference column must name an entry of the release's bibliography."""
        columns = [c for c in REFERENCE_COLUMNS if c in frame.columns]
        if not columns:
            return
        if BIBLIOGRAPHY not in self._resources:
            raise self._error(
                name, f"a '{BIBLIOGRAPHY}' resource for the column {columns[0]}", problem="no bibliography"
            )
        keys = self.bibliography_keys()
        for column in columns:
            for row, value in filled_cells(frame, column):
                if value not in keys:
                    raise self._error(
                        name,
                        f"a key of {self._file(BIBLIOGRAPHY)}",
                        row=row,
                        column=column,
                        problem="unknown reference",
                        got=value,
                    )


def _from_frictionless(error: Any, name: str, schema: dict) -> dict:
    """Turn one Frictionless error into DataError keyword arguments."""
    fields = {f["name"]: f for f in schema.get("fields", [])}
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None) or None
    cell = getattr(error, "cell", None)
    kind = error.type
    if kind == "type-error":
        field = fields.get(column, {})
        fmt = field.get("format", "default")
        expected = f"a value of type {field.get('type', '?')}"
        if fmt != "default":
            expected += f" in format {fmt!r}"
        return {
            "row": row,
            "column": column,
            "problem": "wrong type",
            "expected": expected,
            "got": cell,
        }
    if kind == "constraint-error":
        match = re.search(r'constraint "(\w+)"', error.note)
        constraint = match.group(1) if match else "?"
        value = fields.get(column, {}).get("constraints", {}).get(constraint)
        expected = _CONSTRAINT_TEXT.get(constraint, "{0!r} satisfied ({1})").format(value, error.note)
        return {
            "row": row,
            "column": column,
            "problem": f"constraint {constraint!r} violated",
            "expected": expected,
            "got": cell,
        }
    if kind in ("unique-error", "primary-key"):
        key = schema.get("primaryKey", [])
        key = [key] if isinstance(key, str) else list(key)
        if kind == "primary-key":
            column = ", ".join(key) or None
            names = [f["name"] for f in schema.get("fields", [])]
            cells = list(getattr(error, "cells", []) or [])
            values = [cells[names.index(k)] for k in key if k in names and names.index(k) < len(cells)]
            cell = values[0] if len(values) == 1 else ", ".join(map(str, values))
        label = "primary key violated" if kind == "primary-key" else "duplicate value"
        return {
            "row": row,
            "column": column,
            "problem": f"{label} ({error.note})",
            "expected": "a unique, non-empty value",
            "got": cell,
        }
    if kind == "foreign-key":
        target = error.reference_name or name  # "" means a self-reference
        return {
            "row": row,
            "column": ", ".join(error.field_names),
            "problem": "foreign key violated",
            "expected": (f"a value present in {target}.{', '.join(error.reference_field_names)}"),
            "got": ", ".join(map(str, error.field_cells)),
        }
    title = error.title.lower()  # e.g. "blank row", "extra cell"
    return {
        "row": row,
        "column": column,
        "problem": title,
        "expected": f"no {title} ({error.note or error.description.rstrip('.')})",
        "got": None,
    }


_CONSTRAINT_TEXT = {
    "required": "a non-empty value",
    "enum": "one of {0!r}",
    "minimum": "a value >= {0}",
    "maximum": "a value <= {0}",
    "exclusiveMinimum": "a value > {0}",
    "exclusiveMaximum": "a value < {0}",
    "minLength": "at least {0} characters",
    "maxLength": "at most {0} characters",
    "pattern": "a value matching the pattern {0!r}",
    "unique": "a unique value",
}
