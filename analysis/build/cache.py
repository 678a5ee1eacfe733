"""The execution cache: executions kept by key, several per chapter, the oldest evicted.

A store (the committed record, ``_build/executed/<version>/``) holds one
execution per chapter, so undoing an edit, or switching back to a branch,
would execute the chapter again. Every execution the build makes, and every
store it is about to replace, is also kept here as
``_build/cache/<chapter>/<key>.ipynb``; :func:`analysis.build.execute.adopt`
looks here too, and an execution whose key is the job's is reused (its prose
brought up to date), so the undo executes nothing.

Keys cover what an execution's outputs depend on (:mod:`analysis.build.keys`),
so a kept execution never goes stale: it is either the job's or not. The
cache is bounded: at most :data:`PER_CHAPTER` executions of a chapter and
:data:`MAX_BYTES` in all, the least recently used evicted first.
"""

from __future__ import annotations

import os
from pathlib import Path

from analysis.build.keys import read_notebook
from analysis.build.project import Project
from analysis.data.files import write_atomic
from analysis.data.reads import META_KEY

FOLDER = "cache"
PER_CHAPTER = 8
MAX_BYTES = 256 * 2**20


def chapter_dir(project: Project, chapter: Path) -> Path:
    return project.build_dir / FOLDER / chapter.stem


def candidates(project: Project, chapter: Path) -> list[Path]:
    """The kept executions of ``chapter``, most recently used first."""
    return _kept(chapter_dir(project, chapter))


def _kept(folder: Path) -> list[Path]:
    found = [p for p in folder.glob("*.ipynb") if p.is_file()] if folder.is_dir() else []
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def keep(project: Project, chapter: Path, store: Path) -> None:
    """Keep the execution in ``store`` (if it records a key) under that key, then evict beyond the bounds."""
    if not store.is_file():
        return
    key = (read_notebook(store).metadata.get(META_KEY) or {}).get("key")
    if not key:
        return
    target = chapter_dir(project, chapter) / f"{key}.ipynb"
    if target.is_file():
        used(target)
        return
    write_atomic(target, store.read_bytes())
    evict(project)


def used(path: Path) -> None:
    """Mark a kept execution as just used (eviction goes by last use)."""
    os.utime(path)


def evict(project: Project, per_chapter: int = PER_CHAPTER, max_bytes: int = MAX_BYTES) -> list[Path]:
    """Remove the least recently used executions beyond ``per_chapter`` per chapter and ``max_bytes`` in all."""
    root = project.build_dir / FOLDER
    if not root.is_dir():
        return []
    gone: list[Path] = []
    survivors: list[tuple[int, int, Path]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for rank, path in enumerate(_kept(folder)):
            stat = path.stat()
            if rank >= per_chapter:
                gone.append(path)
            else:
                survivors.append((stat.st_mtime_ns, stat.st_size, path))
    total = sum(size for _, size, _ in survivors)
    for _, size, path in sorted(survivors):  # oldest first
        if total <= max_bytes:
            break
        gone.append(path)
        total -= size
    for path in gone:
        path.unlink(missing_ok=True)  # a parallel worker may have evicted it already
    return gone
