"""What takes ``make preview``'s warm path: prose edits to chapters only; editors' temporary files start nothing.

The warm rebuild itself (a live Sphinx application) is tested end to end in tests/browser/test_preview.py.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from support.scratch import make_project

from analysis.build.preview import editor_temp, relevant
from analysis.build.site import _with_release_name
from analysis.build.text import read_source, record_source, source_of
from analysis.build.warm import Warm

TEMPORARY = [
    ".05_treadmill.ipynb.swp",  # Vim's swap file
    ".05_treadmill.md.swx",
    "4913",  # Vim's test that it may write in the folder
    "05_treadmill.ipynb~",  # backups (Vim, Emacs, gedit)
    ".#05_treadmill.md",  # Emacs's lock
    "#05_treadmill.md#",  # Emacs's auto-save
    ".goutputstream-Q1W2E3",  # GNOME's atomic save
    ".~05_treadmill.ipynb",  # Jupyter's atomic save
    "05_treadmill.ipynb___jb_tmp___",  # JetBrains
    ".05_treadmill.md.kate-swp",  # Kate
]
SOURCES = ["05_treadmill.ipynb", "05_treadmill.md", "cohorts.csv", "_toc.yml", "treadmill.py", "4913.md", "a~b.md"]


@pytest.mark.parametrize("name", TEMPORARY)
def test_editor_temporary_files_are_not_sources(name):
    assert editor_temp(f"/book/chapters/{name}")
    assert not relevant(f"/book/chapters/{name}")


@pytest.mark.parametrize("name", SOURCES)
def test_sources_are_watched(name):
    assert not editor_temp(f"/book/chapters/{name}")
    assert relevant(f"/book/chapters/{name}")


def _write_record(record, nb) -> None:
    """A record as the build writes it (no kernel here: the cells of its text, recording that text)."""
    nbformat.write(record_source(nb, nb), record)


def _set_title(record, title: str) -> None:
    """The record as the build leaves it after merging a prose edit of its text (the title changed)."""
    nb = nbformat.read(record, as_version=4)
    next(c for c in nb.cells if c.cell_type == "markdown").source = title
    _write_record(record, nb)


@pytest.fixture
def warm(tmp_path):
    """A scratch book with records made from its texts, staged in the warm folder as the worker stages them."""
    project = make_project(tmp_path / "book")
    for chapter in project.chapters():
        _write_record(chapter, nbformat.from_dict(read_source(source_of(chapter))))
    warm = Warm(project, project.default_release())
    (warm.book / "chapters").mkdir(parents=True)
    for chapter in project.chapters():
        nbformat.write(
            _with_release_name(project.store(chapter, warm.version), warm.version),
            warm.book / "chapters" / chapter.name,
        )
    return warm


def test_prose_edits_to_chapters_take_the_warm_path(warm):
    chapters = warm.project.chapters_dir
    _set_title(chapters / "02_codes.ipynb", "# Codes\n\nA prose edit.")
    _set_title(chapters / "03_nothing.ipynb", "# Nothing\n\nAnother.")
    batch = [chapters / "02_codes.ipynb", chapters / "03_nothing.ipynb"]
    assert warm.records(batch) == (batch, None) and warm.not_prose(batch) is None
    assert not warm.unchanged(batch)
    for chapter in batch:
        warm._stage(chapter)
    assert warm.unchanged(batch)  # the record the worker wrote itself, seen again: nothing to build


def test_a_hand_edited_record_goes_to_the_whole_build_which_refuses_it(warm):
    record = warm.project.chapters_dir / "02_codes.ipynb"
    nb = nbformat.read(record, as_version=4)
    next(c for c in nb.cells if c.cell_type == "markdown").source = "# Codes\n\nTyped into the record."
    nbformat.write(nb, record)  # its recorded text no longer matches its cells
    assert warm.records([record])[1] == "02_codes.ipynb was edited by hand (the build writes it from its text)"


def test_anything_else_takes_the_whole_build_and_says_why(warm):
    chapters = warm.project.chapters_dir
    nb = nbformat.read(chapters / "02_codes.ipynb", as_version=4)
    next(c for c in nb.cells if c.cell_type == "code").source += "\nanswer = 42"
    _write_record(chapters / "02_codes.ipynb", nb)
    assert "02_codes.ipynb: its code, outputs or metadata changed" in warm.not_prose([chapters / "02_codes.ipynb"])

    nb = nbformat.read(chapters / "03_nothing.ipynb", as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="an output the kernel never wrote")]
    nbformat.write(nb, chapters / "03_nothing.ipynb")
    assert "03_nothing.ipynb: its code, outputs" in warm.not_prose([chapters / "03_nothing.ipynb"])

    toc = warm.project.root / "_toc.yml"
    assert warm.not_prose([toc]) == "_toc.yml is not a chapter notebook"
    shutil.copy(chapters / "01_excerpts.ipynb", chapters / "04_new.ipynb")
    assert warm.not_prose([chapters / "04_new.ipynb"]) == "04_new.ipynb was added or removed"
    (chapters / "01_excerpts.ipynb").write_text("{ half written", encoding="utf-8")
    assert "01_excerpts.ipynb could not be read" in warm.not_prose([chapters / "01_excerpts.ipynb"])
    text = chapters / "02_codes.md"
    text.unlink()
    assert warm.records([text])[1] == "02_codes.md was added or removed"


def test_staging_rewrites_only_a_chapter_whose_staged_copy_is_behind(warm):
    """When the worker starts, a chapter the work folder holds an older prose of is staged anew, the rest kept."""
    chapters, staged = warm.project.chapters_dir, warm.book / "chapters"
    before = {p.name: p.stat().st_mtime_ns for p in staged.iterdir()}
    _set_title(chapters / "02_codes.ipynb", "# Codes\n\nPublished by a warm build, not yet in the work folder.")
    for chapter in warm.project.chapters():
        warm._stage(chapter)
    after = {p.name: p.stat().st_mtime_ns for p in staged.iterdir()}
    assert [name for name in before if after[name] != before[name]] == ["02_codes.ipynb"]
    assert "not yet in the work folder" in (staged / "02_codes.ipynb").read_text(encoding="utf-8")
