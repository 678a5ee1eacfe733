"""The one error a data release raises, with where (release, file, row, column) and what was expected."""

from __future__ import annotations

from typing import Any

ROW_CONVENTION = "header = row 1"


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
