"""A scratch book for the build's tests: three tiny chapters over a fixture release.

Every build test works on one of these in tmp_path, never on the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis import paths
from analysis.build import Project
from analysis.build.text import write_source
from support.releases import write_release

# chapter stem -> the table it reads (None: reads no table)
CHAPTERS = {"01_excerpts": "excerpts", "02_codes": "codes", "03_nothing": None}


def write_chapter(path: Path, table: str | None, extra: str = "") -> None:
    """Write a scratch chapter's text, ``chapters/NN_name.md``, as an author does (the build makes its record)."""
    assert path.suffix == ".md", f"a chapter is edited as text: {path}"
    nb = new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    body = f'release.table("{table}").shape' if table else "1 + 1"
    nb.cells = [
        new_markdown_cell(f"# {path.stem}"),
        new_code_cell("from analysis.data.release import load_release"),
        new_code_cell("data_version = None", metadata={"tags": ["parameters"]}),
        new_code_cell("release = load_release(data_version)\nrelease.label"),
        new_code_cell(body + extra),
    ]
    write_source(nb, path)


def run_tool(
    root: Path, module: str, *args: str, env: dict[str, str | None] | None = None, **kwargs
) -> subprocess.CompletedProcess:
    """``python -m <module> <args>`` on the project at ``root``, as `make` runs it; output captured, never raising.

    ``env`` adds to (or, with a value of None, removes from) this process's environment.
    """
    environment = {**os.environ, "TREADMILL_ROOT": str(root)}
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "-m", module, *args], env=environment, capture_output=True, text=True, check=False, **kwargs
    )


def make_project(root: Path) -> Project:
    """A book at ``root`` with the chapters of :data:`CHAPTERS` over release 1.0.0."""
    (root / "chapters").mkdir(parents=True)
    write_release(root / "data")
    for stem, table in CHAPTERS.items():
        write_chapter(root / "chapters" / f"{stem}.md", table)
    shutil.copy(paths.ROOT / "_config.yml", root / "_config.yml")
    shutil.copy(paths.ROOT / "requirements.txt", root / "requirements.txt")
    shutil.copytree(paths.ROOT / "_static", root / "_static", ignore=shutil.ignore_patterns("vega-bundle.js"))
    toc = "format: jb-book\nroot: chapters/01_excerpts\nchapters:\n"
    toc += "".join(f"  - file: chapters/{stem}\n" for stem in list(CHAPTERS)[1:])
    (root / "_toc.yml").write_text(toc)
    return Project(root)


def set_markdown(path: Path, text: str) -> None:
    """Replace the title of a scratch chapter's text (``chapters/NN_name.md``): an author's prose edit, in the text."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    lines[title] = text.rstrip("\n") + "\n"
    path.write_text("".join(lines), encoding="utf-8")
