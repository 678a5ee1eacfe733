"""A chapter's text read into a notebook (analysis.build.text): deterministic, kept by content, compared by cell."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.build import text


def write(path, prose: str = "Some prose.", code: str = "1 + 1") -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# A title"),
            new_code_cell("data_version = None", metadata={"tags": ["parameters", "remove-cell"]}),
            new_markdown_cell(prose),
            new_code_cell(code, metadata={"tags": ["remove-input"]}),
        ]
    )
    text.write_source(nb, path)


@pytest.fixture
def chapter(tmp_path):
    path = tmp_path / "chapters" / "01_a.md"
    path.parent.mkdir()
    write(path)
    return path


def test_the_text_round_trips_its_cells_and_tags(chapter):
    nb = text.read_source(chapter)
    assert [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells] == [
        ("markdown", "# A title", []),
        ("code", "data_version = None", ["parameters", "remove-cell"]),
        ("markdown", "Some prose.", []),
        ("code", "1 + 1", ["remove-input"]),
    ]
    assert ":tags: [parameters, remove-cell]" in chapter.read_text()  # readable as text
    assert "jupytext" not in nb.metadata and nb.metadata["kernelspec"]["name"] == "python3"
    nbformat.validate(nb)


def test_ids_come_from_the_cells_so_the_same_text_makes_the_same_notebook(chapter, tmp_path):
    first = text.read_source(chapter)
    other = tmp_path / "elsewhere" / "chapters" / "01_a.md"
    other.parent.mkdir(parents=True)
    write(other)
    assert [c.id for c in text.read_source(other).cells] == [c.id for c in first.cells]
    assert len({c.id for c in first.cells}) == len(first.cells)
    write(other, prose="Other prose.")
    changed = [c.id for c in text.read_source(other).cells]
    assert changed[2] != first.cells[2].id and changed[:2] == [c.id for c in first.cells[:2]]


def test_a_text_is_parsed_once_and_then_read_from_what_was_kept(chapter, monkeypatch):
    made = text.read_source(chapter)
    assert len(list((chapter.parent.parent / "_build" / "texts").glob("*.ipynb"))) == 1
    text._read_source.cache_clear()

    def no_parse(path, _content):
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(text, "_parse", no_parse)
    assert text.read_source(chapter) == made
    write(chapter, code="1 + 2")  # new bytes: parsed again
    with pytest.raises(AssertionError, match="parsed again"):
        text.read_source(chapter)


def test_a_text_jupytext_cannot_read_is_named(tmp_path):
    path = tmp_path / "chapters" / "01_bad.md"
    path.parent.mkdir()
    path.write_text("```{code-cell}\n---\n: [unclosed\n---\nx\n```\n")
    with pytest.raises(text.BuildError, match=r"01_bad\.md: not a MyST Markdown notebook"):
        text.read_source(path)
    with pytest.raises(text.BuildError, match=r"01_missing\.md is missing"):
        text.read_source(tmp_path / "chapters" / "01_missing.md")


def test_the_first_difference_is_named_down_to_a_final_newline(chapter):
    nb = text.read_source(chapter)
    record = nbformat.from_dict(nb)
    assert text.first_difference(nb, record) is None and text.digest(record) == text.digest(nb)
    record.cells[3].source += "\n"
    assert text.first_difference(nb, record) == (
        "cell 4 (code), line 2: the text has '(the end of the cell)', the record ''"
    )
    assert text.digest(record) != text.digest(nb)
