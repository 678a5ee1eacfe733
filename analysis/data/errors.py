"""The one error a data release raises, with where (release, file, row, column) and what was expected."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

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


def undo_hint(path: Path) -> str:
    """How to undo an edit of ``path`` in a frozen release: ``git checkout`` only works once git has the file.

    A release frozen but not yet committed has no copy in git to restore; then the way back
    is to restore the file by hand, or (nothing having been published from it) to unfreeze it.
    """
    path = Path(path).absolute()
    try:
        committed = (
            subprocess.run(
                ["git", "-C", str(path.parent), "cat-file", "-e", f"HEAD:./{path.name}"],
                capture_output=True,
                check=False,
                timeout=30,
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        committed = False
    if committed:
        return f"git checkout -- {path}"
    return (
        f"{path} is not committed, so git cannot restore it: put back the content it was frozen with, or, "
        f"if the release was frozen by mistake and never committed, remove its entry from 'frozen' in "
        f"{path.parent.parent / 'RELEASES.json'} and freeze it again"
    )


def filled_cells(frame: pd.DataFrame, column: str) -> Iterator[tuple[int, Any]]:
    """``(row, value)`` for each non-missing cell of ``column``, ``row`` counted as in the file (header = 1)."""
    for position, value in enumerate(frame[column]):
        if not pd.isna(value):
            yield position + 2, value
