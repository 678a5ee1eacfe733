"""Load one immutable data release, checked, as pandas tables.

A release is a folder ``data/<version>/`` holding a Frictionless v5
``datapackage.json`` and the files it describes. Chapters never read those
files directly; they call :func:`load_release` and ask for tables by name, so
that every read is

* verified -- the file's sha256 and size must match the descriptor (releases
  are immutable: a changed file means a new release, never an edit), and the
  table must pass Frictionless validation against its Table Schema, including
  primary and foreign keys;
* typed -- columns get pandas dtypes from the schema, empty cells are NA;
* recorded -- the build learns which resources each chapter read (see
  :func:`log_read`), so it re-executes only the chapters a data change affects.

Any problem raises :class:`DataError`, whose message names the release, file,
row and column, so a failing build points straight at the bad cell.

Frictionless is imported lazily (only when a table is first validated)
because importing it costs build time for chapters that need no data.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths

DESCRIPTOR = "datapackage.json"
REGISTRY = "RELEASES.json"  # which releases are frozen (written by analysis.releases.registry)
# Environment variable naming a file to which every resource read is appended.
READS_LOG_ENV = "TREADMILL_READS_LOG"
# How many validation errors one DataError message lists.
MAX_REPORTED_ERRORS = 5
ROW_CONVENTION = "header = row 1"
# The bibliography resource, and the table columns whose values must be its keys.
BIBLIOGRAPHY = "references"
REFERENCE_COLUMNS = ("reference_key", "literature_key")

# Table Schema type -> pandas dtype. Dates are parsed separately (see _read_csv).
_DTYPES = {
    "integer": "Int64",
    "year": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "string": "string",
}
_DATE_TYPES = {"date", "datetime"}
# Types without a natural pandas dtype stay text.
_FALLBACK_DTYPE = "string"

# (log file, "<version>/<name>") pairs already appended by this process.
_LOGGED: set[tuple[str, str]] = set()


class DataError(Exception):
    """A data release is missing, altered or invalid.

    Attributes say where (``release``, ``file``, ``row``, ``column``) and what
    was ``expected``; ``row`` counts CSV rows with the header as row 1, so the
    first data row is row 2 (None when not about a row).
    """

    def __init__(
        self,
        expected: str,
        *,
        release: str | None = None,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        problem: str | None = None,
        got: Any = None,
        more: list[str] | None = None,
    ) -> None:
        self.release = release
        self.file = file
        self.row = row
        self.column = column
        self.expected = expected
        self.problem = problem
        self.got = got
        self.more = more or []
        super().__init__(self._message())

    def where(self) -> str:
        """Location part of the message, e.g. ``data release 1.0.0, file x.csv``."""
        parts = []
        if self.release is not None:
            parts.append(f"data release {self.release}")
        if self.file is not None:
            parts.append(f"file {self.file}")
        if cell := _cell_location(self.row, self.column):
            parts.append(cell)
        return ", ".join(parts) or "data"

    def _message(self) -> str:
        text = f"{self.where()}: {_describe(self.problem, self.expected, self.got)}"
        if self.more:
            text += f"; further errors: {'; '.join(self.more)}"
        return text


def _cell_location(row: int | None, column: str | None) -> str:
    parts = []
    if row is not None:
        parts.append(f"row {row} ({ROW_CONVENTION})")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


def _describe(problem: str | None, expected: str, got: Any) -> str:
    text = f"{problem}: " if problem else ""
    text += f"expected {expected}"
    if got is not None:
        text += f" (got {got!r})"
    return text


def load_release(version: str | None = None, data_dir: Path = paths.DATA) -> Release:
    """Open data release ``version`` (default: the one named in DEFAULT_RELEASE).

    Only the descriptor is read here; files are checked when first used.
    """
    data_dir = Path(data_dir)
    if version is None:
        version = _default_version(data_dir)
    folder = paths.release_dir(version, data_dir)
    descriptor_path = folder / DESCRIPTOR
    is_child = folder.parent == data_dir and not version.startswith(".")
    if not is_child or not folder.is_dir():
        raise DataError(
            f"one of the available releases {available_releases(data_dir)} in {data_dir}",
            release=version,
            problem="unknown release",
            got=version,
        )
    if not descriptor_path.is_file():
        raise DataError(
            f"a Frictionless descriptor at {descriptor_path}",
            release=version,
            file=DESCRIPTOR,
            problem="missing descriptor",
        )
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(
            "a readable JSON descriptor",
            release=version,
            file=DESCRIPTOR,
            problem="unreadable descriptor",
            got=str(exc),
        ) from exc
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not all(
        isinstance(r, dict) and "name" in r and "path" in r for r in resources
    ):
        raise DataError(
            "a 'resources' list whose entries have 'name' and 'path'",
            release=version,
            file=DESCRIPTOR,
            problem="malformed descriptor",
        )
    return Release(version, folder, descriptor)


def _default_version(data_dir: Path) -> str:
    """The default release for ``data_dir``; paths.py owns the project default."""
    if data_dir == paths.DATA:
        try:
            return paths.default_release()
        except OSError as exc:
            raise DataError(
                f"a file {paths.DEFAULT_RELEASE_FILE} naming the default release",
                problem="no default release",
            ) from exc
    default_file = data_dir / paths.DEFAULT_RELEASE_FILE.name
    try:
        return default_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise DataError(
            f"a file {default_file} naming the default release",
            problem="no default release",
        ) from exc


def available_releases(data_dir: Path = paths.DATA) -> list[str]:
    """Versions in ``data_dir`` that have a descriptor, oldest first."""
    if not Path(data_dir).is_dir():
        return []
    found = [
        d.name
        for d in Path(data_dir).iterdir()
        if d.is_dir() and not d.name.startswith(".") and (d / DESCRIPTOR).is_file()
    ]
    return sorted(found, key=_version_key)


def _version_key(version: str) -> list[tuple[int, Any]]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", version)]


def log_read(version: str, name: str) -> None:
    """Log a read of resource ``name`` of release ``version`` (see :func:`log_input`)."""
    log_input(f"{version}/{name}")


def log_input(line: str) -> None:
    """Append ``line`` (``<version>/<resource>`` or ``sources/<file>``) to $TREADMILL_READS_LOG.

    The build sets the variable while executing a chapter and uses the lines
    to learn which data resources and source files the chapter depends on.
    Each line is written once per process; without the variable this does nothing.
    """
    log = os.environ.get(READS_LOG_ENV)
    if not log or (log, line) in _LOGGED:
        return
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    _LOGGED.add((log, line))


class Release:
    """One data release: its descriptor plus checked, cached access to its files."""

    def __init__(self, version: str, path: Path, descriptor: dict) -> None:
        self.version = version
        self.path = Path(path)
        self.descriptor = descriptor
        self._resources = {r["name"]: r for r in descriptor["resources"]}
        self._reads: set[str] = set()
        self._bytes: dict[str, bytes] = {}  # verified file contents
        self._valid: set[str] = set()  # tables that passed Frictionless
        self._validating: set[str] = set()  # guards foreign-key cycles
        self._tables: dict[str, pd.DataFrame] = {}
        self._package = None

    def __repr__(self) -> str:
        return f"Release({self.version!r}, {self.path})"

    @property
    def resource_names(self) -> list[str]:
        """Resource names in datapackage order."""
        return [r["name"] for r in self.descriptor["resources"]]

    @property
    def reads(self) -> list[str]:
        """Names of resources read so far (sorted), for the build's bookkeeping."""
        return sorted(self._reads)

    def sha256(self, name: str) -> str:
        """The sha256 hex digest recorded for ``name`` in the descriptor."""
        recorded = str(self._resource(name).get("hash", ""))
        algorithm, _, digest = recorded.partition(":")
        if algorithm != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise self._error(
                name,
                "a 'hash' of the form 'sha256:<64 hex digits>' in datapackage.json",
                problem="no sha256 recorded",
                got=recorded or None,
            )
        return digest

    def file_path(self, name: str) -> Path:
        """Absolute path of a resource's file (for download links; not a read)."""
        path = (self.path / self._resource(name)["path"]).resolve()
        if not path.is_relative_to(self.path.resolve()):
            raise self._error(name, "a path inside the release folder", problem="unsafe path")
        return path

    def is_table(self, name: str) -> bool:
        """Whether ``name`` has a Table Schema (else it is a plain file)."""
        resource = self._resource(name)
        return "schema" in resource or resource.get("type") == "table"

    def table(self, name: str) -> pd.DataFrame:
        """A verified, validated, typed copy of table ``name`` (safe to mutate)."""
        self._record(name)
        if name not in self._tables:
            if not self.is_table(name):
                raise self._error(
                    name,
                    "a tabular resource with a schema; use .text() for other files",
                    problem="not a table",
                )
            self._validate(name)
            frame = self._read_csv(name)
            self._check_source(name, frame)
            self._check_references(name, frame)
            self._tables[name] = frame
        return self._tables[name].copy()

    def text(self, name: str) -> str:
        """The verified content of a (usually non-tabular) resource, as text."""
        self._record(name)
        return self._decode(name, self._verified_bytes(name))

    # -- checks ------------------------------------------------------------

    def _resource(self, name: str) -> dict:
        try:
            return self._resources[name]
        except KeyError:
            raise DataError(
                f"one of the resources {self.resource_names}",
                release=self.version,
                file=DESCRIPTOR,
                problem="unknown resource",
                got=name,
            ) from None

    def _file(self, name: str) -> str:
        return str(self._resource(name)["path"])

    def _error(self, name: str, expected: str, **kwargs: Any) -> DataError:
        return DataError(expected, release=self.version, file=self._file(name), **kwargs)

    def _record(self, name: str) -> None:
        self._resource(name)  # unknown names are errors, not reads
        self._reads.add(name)
        log_read(self.version, name)

    def _verified_bytes(self, name: str) -> bytes:
        """File content after checking it exists and matches hash and size."""
        if name in self._bytes:
            return self._bytes[name]
        path = self.file_path(name)
        if not path.is_file():
            raise self._error(name, f"a file at {path}", problem="missing file")
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        size = self._resource(name).get("bytes")
        if digest != self.sha256(name) or (size is not None and len(data) != size):
            raise self._error(
                name,
                f"sha256 {self.sha256(name)} and {size} bytes as in datapackage.json",
                problem=self._mismatch_advice(name),
                got=f"sha256 {digest}, {len(data)} bytes",
            )
        self._bytes[name] = data
        return data

    def is_frozen(self) -> bool:
        """Whether ``data/RELEASES.json`` lists this release as frozen (released, immutable)."""
        registry = self.path.parent / REGISTRY
        if not registry.is_file():
            return False
        return self.version in json.loads(registry.read_text(encoding="utf-8")).get("frozen", {})

    def _mismatch_advice(self, name: str) -> str:
        """What to do about a file whose bytes differ from the descriptor: it depends on the release's state."""
        path = self.path / self._file(name)
        if self.is_frozen():
            return (f"hash mismatch: the frozen release was edited in place; undo the edit "
                    f"(git checkout -- {path}) and make the change in a new release "
                    f"(python -m analysis.releases.registry new <version> --from {self.version})")
        return (f"hash mismatch: the draft's file changed since its hash was recorded; if the edit is "
                f"intended, record it with python -m analysis.releases.registry rehash {self.version}")

    def _decode(self, name: str, data: bytes) -> str:
        encoding = self._resource(name).get("encoding", "utf-8")
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
            encoding = "utf-8-sig"  # tolerate a byte-order mark
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise self._error(name, f"text in encoding {encoding}", problem="undecodable file") from exc

    def _schema(self, name: str) -> dict:
        schema = self._resource(name).get("schema", {})
        if isinstance(schema, str):  # schema kept in its own JSON file
            schema = json.loads((self.path / schema).read_text(encoding="utf-8"))
        return schema

    def _delimiter(self, name: str) -> str:
        dialect = self._resource(name).get("dialect") or {}
        if isinstance(dialect, dict):
            return dialect.get("csv", dialect).get("delimiter", ",")
        return ","

    def _validate(self, name: str) -> None:
        """Hash, header and Frictionless checks of ``name`` and its FK targets."""
        if name in self._valid or name in self._validating:
            return
        self._validating.add(name)
        try:
            text = self._decode(name, self._verified_bytes(name))
            self._check_header(name, text)
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
                    release=self.version,
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
            f"{_cell_location(d['row'], d['column']) or 'file'}: "
            f"{_describe(d['problem'], d['expected'], d['got'])}"
            for d in described[1:MAX_REPORTED_ERRORS]
        ]
        if len(described) > MAX_REPORTED_ERRORS:
            rest.append(f"and {len(described) - MAX_REPORTED_ERRORS} more")
        raise self._error(name, more=rest, **first)

    def _read_csv(self, name: str) -> pd.DataFrame:
        """Parse a validated CSV with schema dtypes; empty cells become NA."""
        schema = self._schema(name)
        fields = schema.get("fields", [])
        dtypes, dates, true_values, false_values = {}, {}, set(), set()
        for field in fields:
            kind = field.get("type", "string")
            if kind in _DATE_TYPES:
                dtypes[field["name"]] = "string"
                dates[field["name"]] = field
            else:
                dtypes[field["name"]] = _DTYPES.get(kind, _FALLBACK_DTYPE)
            if kind == "boolean":
                true_values.update(field.get("trueValues", ["true", "True", "TRUE", "1"]))
                false_values.update(field.get("falseValues", ["false", "False", "FALSE", "0"]))
        frame = pd.read_csv(
            io.StringIO(self._decode(name, self._verified_bytes(name))),
            sep=self._delimiter(name),
            dtype=dtypes,
            keep_default_na=False,
            na_values=schema.get("missingValues", [""]),
            true_values=sorted(true_values) or None,
            false_values=sorted(false_values) or None,
        )
        for column, field in dates.items():
            fmt = field.get("format", "default")
            if fmt == "default":
                fmt = "%Y-%m-%d" if field["type"] == "date" else "ISO8601"
            elif fmt == "any":
                fmt = None
            frame[column] = pd.to_datetime(frame[column], format=fmt)
        return frame

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
        from pybtex.database import parse_string
        from pybtex.scanner import PybtexError

        try:
            return set(parse_string(self.text(BIBLIOGRAPHY), "bibtex").entries)
        except PybtexError as exc:
            raise self._error(BIBLIOGRAPHY, "a readable BibTeX file", problem="unreadable bibliography",
                              got=str(exc)) from exc

    def _check_references(self, name: str, frame: pd.DataFrame) -> None:
        """Every key in a reference column must name an entry of the release's bibliography."""
        columns = [c for c in REFERENCE_COLUMNS if c in frame.columns]
        if not columns:
            return
        if BIBLIOGRAPHY not in self._resources:
            raise self._error(name, f"a '{BIBLIOGRAPHY}' resource for the column {columns[0]}",
                              problem="no bibliography")
        keys = self.bibliography_keys()
        for column in columns:
            for position, value in enumerate(frame[column]):
                if not pd.isna(value) and value not in keys:
                    raise self._error(
                        name,
                        f"a key of {self._file(BIBLIOGRAPHY)}",
                        row=position + 2,
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


def release_summary(release: Release) -> pd.DataFrame:
    """One row per resource (name, path, rows, bytes, short sha256) for the appendix.

    Reads and checks every file, so all resources count as read.
    """
    rows = []
    for name in release.resource_names:
        if release.is_table(name):
            n_rows = len(release.table(name))
        else:
            release.text(name)  # verifies hash and size
            n_rows = pd.NA
        path = release.file_path(name)
        rows.append(
            {
                "name": name,
                "path": path.relative_to(release.path.resolve()).as_posix(),
                "rows": n_rows,
                "bytes": path.stat().st_size,
                "sha256": release.sha256(name)[:12],
            }
        )
    frame = pd.DataFrame(rows, columns=["name", "path", "rows", "bytes", "sha256"])
    return frame.astype(
        {
            "name": "string",
            "path": "string",
            "rows": "Int64",
            "bytes": "Int64",
            "sha256": "string",
        }
    )
