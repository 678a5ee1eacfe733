"""The project a build works on, and the error every build step raises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis import paths

BOOK_FILES = ("_config.yml", "_toc.yml")  # book sources staged besides the chapters
ERROR_NOTE_TAG = "papermill-error-cell-tag"


class BuildError(RuntimeError):
    """A chapter or the HTML build failed; the message says which and where."""


# A project's folders, relative to its root: the layout paths.py names for the checkout.
_FOLDERS = {
    "chapters_dir": paths.CHAPTERS,
    "editions_dir": paths.EDITIONS,
    "data_dir": paths.DATA,
    "build_dir": paths.BUILD,
    "static_dir": paths.STATIC,
    "html_dir": paths.HTML,
}


@dataclass(frozen=True)
class Project:
    """The folders one build works on (the checkout, or a scratch copy in tests)."""

    root: Path
    chapters_dir: Path = field(init=False, repr=False, compare=False)
    editions_dir: Path = field(init=False, repr=False, compare=False)
    data_dir: Path = field(init=False, repr=False, compare=False)
    build_dir: Path = field(init=False, repr=False, compare=False)
    static_dir: Path = field(init=False, repr=False, compare=False)
    html_dir: Path = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, folder in _FOLDERS.items():
            object.__setattr__(self, name, Path(self.root) / folder.relative_to(paths.ROOT))

    def default_release(self) -> str:
        return (self.data_dir / "DEFAULT_RELEASE").read_text(encoding="utf-8").strip()

    def chapters(self) -> list[Path]:
        return sorted(self.chapters_dir.glob("*.ipynb"))

    def store(self, chapter: Path, version: str) -> Path:
        """Where the executed notebook of ``chapter`` for ``version`` is kept."""
        if version == self.default_release():
            return chapter
        return self.build_dir / "executed" / version / chapter.name


def short_name(chapter: Path) -> str:
    """``05_treadmill.ipynb`` -> ``treadmill`` (the name ``make chapter`` takes)."""
    return re.sub(r"^\d+_", "", chapter.stem)


def select(project: Project, only: str | None) -> list[Path]:
    chapters = project.chapters()
    if not only:
        return chapters
    chosen = [c for c in chapters if only in (short_name(c), c.stem, c.name)]
    if not chosen:
        names = ", ".join(short_name(c) for c in chapters)
        raise BuildError(f"no chapter named {only!r}; chapters are: {names}")
    return chosen


def cell_in_chapter(root: Path, chapter: Path, executed: Path, index: int) -> str:
    """Where a failed cell is in the file the author edits: "cell 5 of chapters/x.ipynb (…)".

    ``index`` counts the cells papermill ran, whose injected parameters cell may
    or may not be in the committed file; the cell is found in the chapter by its
    id (or its source), and counted from 1, from the top, every cell included.
    """
    import nbformat

    where = chapter.relative_to(root) if chapter.is_relative_to(root) else chapter
    cells = nbformat.read(chapter, as_version=4).cells
    ran = nbformat.read(executed, as_version=4).cells if executed.exists() else []
    # Papermill puts a note on the error at the top of the notebook it saves; ``index`` counts without it.
    ran = [c for c in ran if ERROR_NOTE_TAG not in c.get("metadata", {}).get("tags", [])]
    failed = ran[index] if 0 <= index < len(ran) else None
    found = None
    if failed is not None:
        found = next((i for i, c in enumerate(cells) if c.get("id") and c.get("id") == failed.get("id")), None)
        if found is None:
            found = next((i for i, c in enumerate(cells) if c.source == failed.source), None)
    if found is None:
        return f"a cell of {where}"
    first = next((line.strip() for line in cells[found].source.splitlines() if line.strip()), "")
    return f"cell {found + 1} of {where} (counted from 1, from the top; it begins {first[:60]!r})"
