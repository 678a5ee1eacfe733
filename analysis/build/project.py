"""The project a build works on, and the error every build step raises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BOOK_FILES = ("_config.yml", "_toc.yml")  # book sources staged besides the chapters


class BuildError(RuntimeError):
    """A chapter or the HTML build failed; the message says which and where."""


@dataclass(frozen=True)
class Project:
    """The folders one build works on (the checkout, or a scratch copy in tests)."""

    root: Path

    @property
    def chapters_dir(self) -> Path:
        return self.root / "chapters"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def static_dir(self) -> Path:
        return self.root / "_static"

    @property
    def html_dir(self) -> Path:
        return self.build_dir / "html"

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
