"""The project a build works on, and the error every build step raises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis import paths

BOOK_FILES = ("_config.yml", "_toc.yml")  # book sources staged besides the chapters
ERROR_NOTE_TAG = "papermill-error-cell-tag"
# A chapter's text is named like its record, NN_name.md (analysis.build.text); other Markdown in
# chapters/, such as references.md, is a page of its own.
TEXT_NAME = re.compile(r"^\d+_[^.]+\.md$")


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
        """The chapters' records, one per text (``NN_name.md`` -> ``NN_name.ipynb``), executed or not yet."""
        texts = self.chapters_dir.glob("*.md")
        return sorted(p.with_suffix(".ipynb") for p in texts if TEXT_NAME.match(p.name))

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
