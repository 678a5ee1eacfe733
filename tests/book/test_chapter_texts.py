"""Each chapter's text (``chapters/NN_name.md``, what the author edits) and its record agree.

The record (``chapters/NN_name.ipynb``, executed, what nbval compares) must
hold exactly the text's cells: type, source and tags, in order (papermill's
injected parameters cell aside), and remember that text as the one it was
made from. A prose edit not yet built, or a record edited by hand, fails here
naming the file and the first differing cell.
"""

from __future__ import annotations

import nbformat
import pytest

from analysis import paths
from analysis.build import Project
from analysis.build.text import SOURCE_KEY, cells, digest, first_difference, own_cells, read_source, source_of
from analysis.data.reads import META_KEY

PROJECT = Project(paths.ROOT)
CHAPTERS = PROJECT.chapters()


def test_every_record_has_its_text_and_every_text_its_record():
    records = sorted(paths.CHAPTERS.glob("*.ipynb"))
    assert records == CHAPTERS, "a chapter is its text chapters/NN_name.md and its record chapters/NN_name.ipynb"
    assert len(CHAPTERS) == len(list(paths.CHAPTERS.glob("[0-9][0-9]_*.md")))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_text_and_its_record_agree(chapter):
    text = read_source(source_of(chapter))
    record = nbformat.read(chapter, as_version=4)
    where = first_difference(text, record)
    assert where is None, f"{chapter.name} does not match {source_of(chapter).name}: {where} (run `make book`)"
    # The same cells, by an independent reading: type, source and tags, in order.
    assert [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in own_cells(record)] == [
        (c.cell_type, c.source, c.metadata.get("tags", [])) for c in text.cells
    ]
    assert record.metadata[META_KEY][SOURCE_KEY] == digest(text)  # made from this text, not edited since
    assert [c.id for c in own_cells(record)] == [c.id for c in text.cells]  # the text decides the ids too


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_text_is_a_myst_notebook_with_the_chapter_conventions(chapter):
    """The first cells are the title, imports, and the ``parameters`` cell papermill fills (tagged in the text)."""
    text = read_source(source_of(chapter))
    assert text.cells[0].cell_type == "markdown" and text.cells[0].source.startswith("# ")
    parameters = [c for c in text.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and "data_version = None" in parameters[0].source
    assert "remove-cell" in parameters[0].metadata["tags"]
    assert source_of(chapter).read_text(encoding="utf-8").startswith("---\njupytext:")  # jupytext's header


def test_the_agreement_check_can_fail():
    """Negative self-check: an edited prose line, a dropped tag and a missing cell are each found."""
    text = read_source(source_of(CHAPTERS[0]))
    record = nbformat.read(CHAPTERS[0], as_version=4)
    prose = nbformat.from_dict(record)
    first = next(c for c in own_cells(prose) if c.cell_type == "markdown")
    first.source += "\nAn edit made in the record."
    assert "line 2" in (first_difference(text, prose) or "")
    tags = nbformat.from_dict(record)
    code = next(c for c in own_cells(tags) if c.metadata.get("tags"))
    code.metadata["tags"] = []
    assert "tags or metadata differ" in (first_difference(text, tags) or "")
    fewer = nbformat.from_dict(record)
    fewer.cells.pop()
    assert "cells" in (first_difference(text, fewer) or "")
    assert cells(fewer) != cells(text)
