"""Reading a release's verified bytes as text and as a typed table, with every refusal naming file, row and column.

A mixin of :class:`analysis.data.release.Release`, beside the checks of
:mod:`analysis.data.validation`. Frictionless accepts ``NaN`` and ``INF`` as
numbers, as its specification says; a study's count or percentage never is one,
so a non-finite number is refused here, before pandas reads it.
"""

from __future__ import annotations

import csv
import io
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.data.errors import DataError, filled_cells

# Table Schema type -> pandas dtype. Dates are parsed separately (see _read_csv).
_DTYPES = {
    "integer": "Int64",
    "year": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "string": "string",
}
_DATE_TYPES = {"date", "datetime"}
_NUMERIC_TYPES = {"integer", "year", "number"}
# Types without a natural pandas dtype stay text.
_FALLBACK_DTYPE = "string"


class TableParsing:
    """How :class:`~analysis.data.release.Release` turns checked bytes into text and tables."""

    if TYPE_CHECKING:  # Release's methods used here; declared for the type checker only

        def _resource(self, name: str) -> dict: ...
        def _error(self, name: str, expected: str, **kwargs: Any) -> DataError: ...
        def _verified_bytes(self, name: str) -> bytes: ...
        def _schema(self, name: str) -> dict: ...
        def _delimiter(self, name: str) -> str: ...

    def _decode(self, name: str, data: bytes) -> str:
        """The file as text; an undecodable byte is named by its line (header = row 1) and byte offset."""
        encoding = self._resource(name).get("encoding", "utf-8")
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
            encoding = "utf-8-sig"  # tolerate a byte-order mark
        try:
            return data.decode(encoding)
        except LookupError as exc:
            raise self._error(name, "an encoding Python knows", problem="unknown encoding", got=encoding) from exc
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise self._error(
                name,
                f"text in encoding {encoding}",
                row=line,
                problem=f"undecodable byte {data[exc.start : exc.start + 1]!r} at byte offset {exc.start} "
                f"(line {line})",
            ) from exc

    def _check_numbers(self, name: str, text: str) -> None:
        """Refuse a numeric cell that is not a finite number (``NaN``, ``INF``, ``-Infinity``), naming its cell."""
        schema = self._schema(name)
        missing = set(schema.get("missingValues", [""]))
        numeric = {f["name"] for f in schema.get("fields", []) if f.get("type") in _NUMERIC_TYPES}
        if not numeric:
            return
        rows = csv.reader(io.StringIO(text), delimiter=self._delimiter(name))
        header = next(rows, [])
        columns = [(i, c) for i, c in enumerate(header) if c in numeric]
        for number, row in enumerate(rows, start=2):
            for i, column in columns:
                cell = row[i].strip() if i < len(row) else ""
                if cell in missing:
                    continue
                try:
                    finite = math.isfinite(float(cell.replace(",", "")))
                except ValueError:
                    continue  # not a number at all: Frictionless names it as a type error
                if not finite:
                    raise self._error(
                        name, "a finite number", row=number, column=column, problem="not a finite number", got=cell
                    )

    def _read_csv(self, name: str) -> pd.DataFrame:
        """Parse a validated CSV with schema dtypes; empty cells become NA; a value pandas cannot read is named."""
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
        text = self._decode(name, self._verified_bytes(name))
        self._check_numbers(name, text)  # checked in validation too; reading never depends on it having run
        options: dict[str, Any] = {
            "sep": self._delimiter(name),
            "keep_default_na": False,
            "na_values": schema.get("missingValues", [""]),
            "true_values": sorted(true_values) or None,
            "false_values": sorted(false_values) or None,
        }
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=dtypes, **options)
        except (ValueError, TypeError) as exc:
            raise self._unreadable(name, text, dtypes, options, exc) from exc
        for column, field in dates.items():
            fmt = field.get("format", "default")
            if fmt == "default":
                fmt = "%Y-%m-%d" if field["type"] == "date" else "ISO8601"
            elif fmt == "any":
                fmt = None
            try:
                frame[column] = pd.to_datetime(frame[column], format=fmt)
            except (ValueError, TypeError) as exc:
                bad = pd.to_datetime(frame[column], format=fmt, errors="coerce").isna() & frame[column].notna()
                position = int(bad.to_numpy().nonzero()[0][0]) if bad.any() else None
                raise self._error(
                    name,
                    f"a {field['type']} in format {fmt!r}",
                    row=None if position is None else position + 2,
                    column=column,
                    problem="unreadable date",
                    got=None if position is None else frame[column].iloc[position],
                ) from exc
        return frame

    def _unreadable(self, name: str, text: str, dtypes: dict, options: dict, exc: Exception) -> DataError:
        """The error for a table pandas could not type: the first cell that fails on its own, by row and column."""
        raw = pd.read_csv(io.StringIO(text), dtype="string", **options)
        for column, dtype in dtypes.items():
            for row, value in filled_cells(raw, column) if column in raw.columns else ():
                try:
                    pd.read_csv(io.StringIO(f"x\n{value}\n"), dtype={"x": dtype}, **options)
                except (ValueError, TypeError):
                    return self._error(
                        name,
                        f"a value pandas reads as {dtype}",
                        row=row,
                        column=column,
                        problem="unreadable value",
                        got=value,
                    )
        return self._error(name, "a table pandas can read", problem=f"unreadable table ({exc})")
