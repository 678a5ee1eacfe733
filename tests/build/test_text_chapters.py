"""Chapters as text, on scratch projects: the author edits ``chapters/NN_name.md``; the build writes the record.

A code edit in the text makes the chapter stale and executes it; a prose edit
in the text is merged into the record without a kernel; a record edited by
hand is refused, naming the file and the first differing cell; a new chapter
is a new text and a line in ``_toc.yml``.
"""

from __future__ import annotations

import importlib

import nbformat
import pytest
from support.scratch import make_project, run_tool

from analysis.build import BuildError, Project, build_book, execute_chapters, stale_chapters
from analysis.build.text import SOURCE_KEY, digest, read_source

execute_module = importlib.import_module("analysis.build.execute")  # the package's name `execute` is the function


@pytest.fixture
def book(tmp_path) -> Project:
    project = make_project(tmp_path / "book")
    build_book(project, echo=quiet)
    return project


def quiet(*_args) -> None:
    pass


def statuses(outcomes) -> dict[str, str]:
    return {o.chapter.stem: o.status for o in outcomes}


def edit_text(path, old: str, new: str) -> None:
    """An author's edit: one string replaced in the text file, as an editor saves it."""
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, f"{old!r} in {path}"
    path.write_text(content.replace(old, new), encoding="utf-8")


def test_a_code_edit_in_the_text_makes_the_chapter_stale_and_executes_it(book):
    text = book.chapters_dir / "03_nothing.md"
    edit_text(text, "1 + 1", "1 + 2")
    assert stale_chapters(book, "1.0.0") == ["03_nothing"]
    refused = run_tool(book.root, "analysis.build", "--html-only")  # `make html` executes nothing
    assert refused.returncode != 0 and "1.0.0: 03_nothing" in refused.stderr
    assert statuses(execute_chapters(book, echo=quiet)) == {
        "01_excerpts": "reused",
        "02_codes": "reused",
        "03_nothing": "executed",
    }
    record = nbformat.read(book.chapters_dir / "03_nothing.ipynb", as_version=4)
    last = record.cells[-1]
    assert last.source == "1 + 2" and last.outputs[0]["data"]["text/plain"] == "3"
    assert record.metadata["treadmill"][SOURCE_KEY] == digest(read_source(text))


def test_a_prose_edit_in_the_text_updates_the_record_without_a_kernel(book, monkeypatch):
    text, record = book.chapters_dir / "02_codes.md", book.chapters_dir / "02_codes.ipynb"
    before = nbformat.read(record, as_version=4)
    edit_text(text, "# 02_codes", "# Codes\n\nA paragraph the author added to the text.")
    stale = stale_chapters(book, "1.0.0")  # the record does not show the text yet: `make html` refuses it
    assert len(stale) == 1 and stale[0].startswith("02_codes (chapters/02_codes.md changed: cell 1 (markdown)")

    def no_kernel(*_args, **_kwargs):
        raise AssertionError("a kernel was started for a prose edit")

    monkeypatch.setattr(execute_module, "ProcessPoolExecutor", no_kernel)  # where every kernel is started
    said: list[str] = []
    assert set(statuses(execute_chapters(book, echo=said.append)).values()) == {"reused"}
    assert "  reused    02_codes (prose updated, nothing executed)" in said
    after = nbformat.read(record, as_version=4)
    assert after.cells[0].source == "# Codes\n\nA paragraph the author added to the text."
    assert [c.get("outputs") for c in after.cells[1:]] == [c.get("outputs") for c in before.cells[1:]]
    assert after.metadata["treadmill"]["key"] == before.metadata["treadmill"]["key"]
    assert stale_chapters(book, "1.0.0") == []
    said.clear()
    execute_chapters(book, echo=said.append)  # nothing left to merge
    assert not any("prose updated" in line for line in said)


def test_a_record_edited_by_hand_is_refused_naming_the_file_and_the_cell(book):
    record = book.chapters_dir / "01_excerpts.ipynb"
    nb = nbformat.read(record, as_version=4)
    nb.cells[0].source = "# An edit made in the record, not in the text"
    nbformat.write(nb, record)
    edited = record.read_bytes()
    for args in ((), ("--html-only",)):  # `make book` and `make html`
        result = run_tool(book.root, "analysis.build", *args)
        assert result.returncode != 0
        assert "chapters/01_excerpts.ipynb was edited by hand" in result.stderr, result.stderr
        assert "cell 1 (markdown), line 1" in result.stderr
        assert "make the edit in chapters/01_excerpts.md" in result.stderr
        assert "git checkout -- chapters/01_excerpts.ipynb" in result.stderr
    assert record.read_bytes() == edited  # nothing overwrote it: the author's edit is not lost
    with pytest.raises(BuildError, match="01_excerpts.ipynb was edited by hand"):
        execute_chapters(book, echo=quiet)


def test_a_record_without_its_text_is_refused(book):
    (book.chapters_dir / "02_codes.md").unlink()
    with pytest.raises(BuildError, match=r"chapters/02_codes\.ipynb has no text: .*chapters/02_codes\.md"):
        execute_chapters(book, echo=quiet)


def test_a_chapter_is_added_as_a_text_and_a_line_in_the_toc(book):
    """What the README says: copy a text to chapters/NN_name.md, add it to _toc.yml, `make chapter NAME=name`."""
    new = book.chapters_dir / "04_added.md"
    content = (book.chapters_dir / "03_nothing.md").read_text(encoding="utf-8")
    new.write_text(content.replace("# 03_nothing", "# An added chapter").replace("1 + 1", "6 * 7"), encoding="utf-8")
    toc = book.root / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8") + "  - file: chapters/04_added\n", encoding="utf-8")
    result = run_tool(book.root, "analysis.build", "--only", "added")  # as `make chapter NAME=added`
    assert result.returncode == 0, result.stderr
    assert "04_added" in result.stdout and "1 executed" in result.stdout
    record = nbformat.read(book.chapters_dir / "04_added.ipynb", as_version=4)
    assert record.cells[-1].outputs[0]["data"]["text/plain"] == "42"
    page = (book.html_dir / "chapters" / "04_added.html").read_text(encoding="utf-8")
    assert "An added chapter" in page
    assert not (book.html_dir / "chapters" / "04_added.md").exists()  # one document per chapter: the record
    again = run_tool(book.root, "analysis.build")
    assert "0 executed" in again.stdout and "reused    HTML" in again.stdout
