"""The edits ``make bench`` makes: to a chapter (its text source when it has one), a figure function, the package."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from analysis import paths
from benchmarks.harness import BenchError
from benchmarks.scratch import (
    EDIT_MARK,
    FIGURE_EDIT,
    PROSE_MARK,
    chapter_source,
    edit_chapter,
    edit_figure_function,
    edit_prose,
    figure_function,
    figure_users,
    reformat_package,
)

MYST = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
---

# Treadmill

Some prose.

```{code-cell} ipython3
:tags: [remove-input]
from analysis.book.chapter import open_chapter
ctx = open_chapter("treadmill")
```

More prose.

```{code-cell} ipython3
ctx.show(figures.caseload(table))
```
"""


def notebook(path: Path, *code: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nProse."), *map(nbformat.v4.new_code_cell, code)]
    nb.cells.append(nbformat.v4.new_markdown_cell("Closing words."))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_chapter_edits_go_to_the_notebook_when_there_is_no_text_source(tmp_path):
    path = tmp_path / "chapters" / "05_treadmill.ipynb"
    notebook(path, "x = 1", 'ctx = open_chapter("treadmill")')
    assert chapter_source(tmp_path, "05_treadmill") == path
    edit_prose(tmp_path, "05_treadmill", 1)
    edit_chapter(tmp_path, "05_treadmill", 2)
    cells = nbformat.read(path, as_version=4).cells
    assert cells[-1].source == f"Closing words.\n\n{PROSE_MARK} (1)"
    assert cells[2].source.endswith(f"\n{EDIT_MARK} (2)") and cells[1].source == "x = 1"  # the open_chapter cell


def test_chapter_edits_go_to_the_myst_source_when_there_is_one(tmp_path):
    notebook(tmp_path / "chapters" / "05_treadmill.ipynb", "x = 1")
    source = tmp_path / "chapters" / "05_treadmill.md"
    source.write_text(MYST, encoding="utf-8")
    record = (tmp_path / "chapters" / "05_treadmill.ipynb").read_bytes()
    assert chapter_source(tmp_path, "05_treadmill") == source

    edit_prose(tmp_path, "05_treadmill", 1)
    edit_chapter(tmp_path, "05_treadmill", 2)
    text = source.read_text(encoding="utf-8")
    assert text.endswith(f"\n\n{PROSE_MARK} (1)\n")
    cell = re.search(r"```\{code-cell\} ipython3\n(.*?)```", text, re.S).group(1)
    assert cell.endswith(f'ctx = open_chapter("treadmill")\n{EDIT_MARK} (2)\n')  # inside the fence
    assert text.count("```") == MYST.count("```")
    assert (tmp_path / "chapters" / "05_treadmill.ipynb").read_bytes() == record  # the record is not touched

    source.write_text("# No code\n", encoding="utf-8")
    with pytest.raises(BenchError, match="no code cell"):
        edit_chapter(tmp_path, "05_treadmill", 3)


FIGURES = '''"""Figures."""

from analysis.book.figures.registry import figure


def helper(x):
    return x


@figure("figures")
def caseload(table):
    """The caseload."""
    return helper(table)


@figure("figures", "other")
def minutes(a, b):
    return a
'''


def test_a_figure_function_is_found_with_its_users_and_edited_in_its_syntax_tree(tmp_path):
    module = tmp_path / "analysis" / "book" / "figures" / "treadmill.py"
    module.parent.mkdir(parents=True)
    module.write_text(FIGURES, encoding="utf-8")
    notebook(tmp_path / "chapters" / "05_treadmill.ipynb", "ctx.show(figures.caseload(t))")
    notebook(tmp_path / "chapters" / "06_other.ipynb", "ctx.show(figures.caseload_by_year(t))")
    assert figure_function(tmp_path, "05_treadmill") == (module, "caseload")
    assert figure_users(tmp_path, "caseload") == ["05_treadmill"]  # a whole word only

    before = ast.parse(FIGURES)
    edit_figure_function(module, "caseload")
    after = ast.parse(module.read_text(encoding="utf-8"))
    function = next(n for n in after.body if isinstance(n, ast.FunctionDef) and n.name == "caseload")
    assert ast.get_docstring(function) == "The caseload."  # still its docstring
    assert ast.unparse(function.body[1]) == FIGURE_EDIT.split("  #")[0]  # the statement right after it
    assert ast.dump(before.body[1]) == ast.dump(after.body[1])  # the helper untouched
    edit_figure_function(module, "minutes")  # no docstring: the statement comes first
    minutes = next(n for n in ast.parse(module.read_text(encoding="utf-8")).body if getattr(n, "name", "") == "minutes")
    assert ast.unparse(minutes.body[0]) == FIGURE_EDIT.split("  #")[0]


def test_reformatting_the_package_changes_bytes_but_no_syntax_tree(tmp_path):
    package = tmp_path / "analysis"
    shutil.copytree(paths.ANALYSIS / "book", package / "book", ignore=shutil.ignore_patterns("__pycache__"))
    trees = {p: ast.dump(ast.parse(p.read_text(encoding="utf-8"))) for p in package.rglob("*.py")}
    changed = reformat_package(tmp_path)
    assert changed > 0
    assert {p: ast.dump(ast.parse(p.read_text(encoding="utf-8"))) for p in package.rglob("*.py")} == trees
