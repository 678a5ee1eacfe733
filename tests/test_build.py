"""The build: incremental by content, deterministic, atomic, parallel.

Every test works on a scratch project in tmp_path (three tiny chapters over a
fixture release); the real chapters are only read, by the freshness test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest
from releases import rehash, write_release
from scratch import CHAPTERS, make_project, write_chapter

from analysis import paths
from analysis.build import (
    BuildError,
    Project,
    build_book,
    build_html,
    execute_chapters,
    stale_chapters,
)


@pytest.fixture
def project(tmp_path) -> Project:
    return make_project(tmp_path / "book")


def statuses(outcomes) -> dict[str, str]:
    return {o.chapter.stem: o.status for o in outcomes}


def quiet(*_args) -> None:
    pass


def test_second_build_executes_nothing(project):
    assert set(statuses(execute_chapters(project, echo=quiet)).values()) == {"executed"}
    assert set(statuses(execute_chapters(project, echo=quiet)).values()) == {"reused"}


def test_reads_are_recorded_in_the_stored_notebook(project):
    execute_chapters(project, echo=quiet)
    reads = {
        stem: nbformat.read(project.chapters_dir / f"{stem}.ipynb", 4).metadata["treadmill"]["reads"]
        for stem in CHAPTERS
    }
    assert reads == {"01_excerpts": ["1.0.0/excerpts"], "02_codes": ["1.0.0/codes"], "03_nothing": []}


def test_changing_one_data_file_reexecutes_only_its_readers(project):
    execute_chapters(project, echo=quiet)
    codes = project.data_dir / "1.0.0" / "codes.csv"
    codes.write_text(codes.read_text() + "c3,c1,Another,doc1\n")
    rehash(project.data_dir / "1.0.0")
    assert statuses(execute_chapters(project, echo=quiet)) == {
        "01_excerpts": "reused",
        "02_codes": "executed",
        "03_nothing": "reused",
    }


def test_editing_a_chapter_reexecutes_only_that_chapter(project):
    execute_chapters(project, echo=quiet)
    write_chapter(project.chapters_dir / "03_nothing.ipynb", None, extra=" + 1")
    assert statuses(execute_chapters(project, echo=quiet))["03_nothing"] == "executed"
    assert list(statuses(execute_chapters(project, echo=quiet)).values()) == ["reused"] * 3


def test_two_executions_are_byte_identical(project):
    execute_chapters(project, echo=quiet)
    first = {p.name: p.read_bytes() for p in project.chapters()}
    execute_chapters(project, force=True, echo=quiet)
    second = {p.name: p.read_bytes() for p in project.chapters()}
    assert first == second
    assert b"papermill" not in b"".join(second.values())  # timing metadata dropped


def test_another_release_is_stored_apart_and_parameterised(project):
    execute_chapters(project, echo=quiet)
    committed = {p.name: p.read_bytes() for p in project.chapters()}
    write_release(project.data_dir, version="2.0.0", default=False)
    outcomes = execute_chapters(project, version="2.0.0", echo=quiet)
    assert set(statuses(outcomes).values()) == {"executed"}
    assert {p.name: p.read_bytes() for p in project.chapters()} == committed
    stored = nbformat.read(project.build_dir / "executed" / "2.0.0" / "01_excerpts.ipynb", 4)
    assert stored.metadata["treadmill"]["data_version"] == "2.0.0"
    assert "'2.0.0'" in json.dumps([o for c in stored.cells for o in c.get("outputs", [])])


def test_unknown_release_and_unknown_chapter_are_named(project):
    with pytest.raises(BuildError, match="unknown data release '9.9.9'"):
        execute_chapters(project, version="9.9.9", echo=quiet)
    with pytest.raises(BuildError, match="no chapter named 'nope'.*excerpts, codes, nothing"):
        execute_chapters(project, only="nope", echo=quiet)


def test_only_runs_the_named_chapter(project):
    assert statuses(execute_chapters(project, only="codes", echo=quiet)) == {"02_codes": "executed"}


def test_a_failing_chapter_leaves_the_previous_book_untouched(project):
    build_book(project, echo=quiet)
    index = (project.html_dir / "index.html").read_bytes()
    stored = (project.chapters_dir / "02_codes.ipynb").read_bytes()
    write_chapter(project.chapters_dir / "02_codes.ipynb", "codes", extra='\nraise ValueError("boom")')
    # Through the command line, as `make book` runs it.
    result = subprocess.run(
        [sys.executable, "-m", "analysis.build"],
        env={**os.environ, "TREADMILL_ROOT": str(project.root)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "data release 1.0.0, chapter 02_codes: failed in cell 4" in result.stderr
    assert "ValueError: boom" in result.stderr
    assert (project.html_dir / "index.html").read_bytes() == index
    assert (project.chapters_dir / "02_codes.ipynb").read_bytes() != stored  # the edit...
    assert "treadmill" not in nbformat.read(project.chapters_dir / "02_codes.ipynb", 4).metadata
    assert (project.build_dir / "failed" / "02_codes.ipynb").exists()  # ...kept for debugging


def test_committed_chapters_are_fresh():
    """The committed record matches its inputs: run `make book` and commit if this fails."""
    project = Project(paths.ROOT)
    stale = stale_chapters(project, project.default_release())
    assert stale == [], f"stale chapters (run `make book` and commit them): {stale}"


def test_unchanged_html_inputs_are_not_rebuilt(project):
    build_book(project, echo=quiet)
    lines = []
    build_html(project, echo=lines.append)
    assert lines and lines[0].startswith("  reused    HTML")
    (project.chapters_dir / "notes.md").write_text("# Notes\n")  # any source change
    lines.clear()
    build_html(project, echo=lines.append)
    assert lines[0].startswith("  built     HTML")
