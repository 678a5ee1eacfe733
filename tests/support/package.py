"""A copy of the ``analysis`` package for the build's keys to read, edits to it, and keys from records.

Tests edit the copy, never the checkout's package.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat

from analysis import paths
from analysis.build import Project
from analysis.build.keys import cache_key, environment_fingerprint
from analysis.data.ran import named_defs
from analysis.data.reads import META_KEY


def copy_package(folder: Path, monkeypatch) -> Path:
    """``analysis`` copied into ``folder``; ``paths.ANALYSIS`` points at the copy for this test."""
    copy = folder / "analysis"
    shutil.copytree(paths.ANALYSIS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "ANALYSIS", copy)
    return copy


def module_path(package: Path, module: str) -> Path:
    """The file of ``analysis.x.y`` in the copy ``package``."""
    base = package.joinpath(*module.split(".")[1:])
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def edit_function(path: Path, name: str) -> str:
    """Add a statement to function ``name`` (``f`` or ``Class.method``) in ``path``; returns the text before."""
    text = path.read_text(encoding="utf-8")
    node = next(n for found, n in named_defs(ast.parse(text)) if found == name)
    lines = text.splitlines(keepends=True)
    last = node.body[-1].lineno - 1  # before the last statement: after any docstring
    indent = lines[last][: len(lines[last]) - len(lines[last].lstrip())]
    lines.insert(last, f"{indent}_edited = 1\n")
    path.write_text("".join(lines), encoding="utf-8")
    return text


def records(chapters: list[Path]) -> dict[str, dict]:
    """Each chapter's record (its ``treadmill`` metadata: release, parameters, reads, ran, key)."""
    return {c.stem: nbformat.read(c, as_version=4).metadata[META_KEY] for c in chapters}


def chapter_keys(project: Project, recorded: dict[str, dict]) -> dict[str, str]:
    """Each chapter's key from its record, against the code as it now is (``paths.ANALYSIS``)."""
    env = environment_fingerprint(project)
    keys = {}
    for stem, meta in recorded.items():
        nb = nbformat.read(project.chapters_dir / f"{stem}.ipynb", as_version=4)
        keys[stem] = cache_key(project, nb, meta["data_version"], meta["parameters"], meta["reads"], env, meta["ran"])
    return keys
