"""Nothing failed, false or stale is ever published (issue 11, item 4 and part of item 7).

Scratch books in tmp_path with two releases: 1.1.0 is the default and 1.0.0,
the previous default, has its edition recorded, for the page on what changed.
Faults are injected into one release only; the published site must stay byte
for byte as it was, and the next build after the fault is removed must succeed.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from support.chores import describe, quiet
from support.releases import write_release
from support.scratch import make_project, run_tool, set_markdown, write_chapter

from analysis.build import BuildError, Project, build_book, build_html, execute_chapters
from analysis.build.editions import record_from_chapters
from analysis.releases import registry as rel

FAULT = '\nif release.version == "1.0.0":\n    raise RuntimeError("fault injected for release 1.0.0")'


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below ``folder`` (following the html link)."""
    folder = folder.resolve()
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_build(project: Project, *args: str) -> subprocess.CompletedProcess:
    """``python -m analysis.build`` on the scratch book, as ``make book`` runs it."""
    return run_tool(project.root, "analysis.build", *args)


@pytest.fixture
def book(tmp_path) -> Project:
    """A built scratch book whose default release 1.1.0 follows the frozen 1.0.0."""
    project = make_project(tmp_path / "book")
    describe(project.data_dir, "1.0.0")
    rel.freeze_release("1.0.0", project.data_dir, echo=quiet)
    execute_chapters(project, echo=quiet)
    record_from_chapters(project, "1.0.0", echo=quiet)  # 1.0.0 stops being the default
    write_release(project.data_dir, "1.1.0")  # and make it the default
    describe(project.data_dir, "1.1.0")
    rel.freeze_release("1.1.0", project.data_dir, echo=quiet)
    build_book(project, echo=quiet)
    return project


def test_a_fault_in_the_previous_release_fails_only_its_own_build_and_publishes_nothing(book):
    """A normal build never executes the previous release (its edition is read); asked for, it fails loudly."""
    site = tree_digest(book.html_dir)
    write_chapter(book.chapters_dir / "02_codes.md", "codes", extra=FAULT)
    result = run_build(book, "--data-version", "1.0.0")
    assert result.returncode != 0
    # The cell as the author counts it in the text they edit (which never holds papermill's injected cell).
    expected = "data release 1.0.0, chapter 02_codes: failed in cell 5 of chapters/02_codes.md (line "
    assert expected in result.stderr, result.stderr
    assert "fault injected for release 1.0.0" in result.stderr
    assert tree_digest(book.html_dir) == site  # the published book, byte for byte
    result = run_build(book)  # the default release: 1.0.0 is not executed, so its fault is not met
    assert result.returncode == 0, result.stderr
    assert "[data release 1.0.0]" not in result.stdout
    # The fault removed, the next build retries (it did not cache the failure) and succeeds.
    write_chapter(book.chapters_dir / "02_codes.md", "codes", extra="  # fixed")
    result = run_build(book, "--data-version", "1.0.0")
    assert result.returncode == 0, result.stderr
    assert "built     HTML" in result.stdout
    assert "IPKernelApp" not in result.stderr + result.stdout  # no kernel chatter burying real messages


def test_html_only_refuses_stale_chapters_and_executes_nothing(book):
    site = tree_digest(book.html_dir)
    write_chapter(book.chapters_dir / "02_codes.md", "codes", extra="  # edited")
    stored = (book.chapters_dir / "02_codes.ipynb").read_bytes()
    result = run_build(book, "--html-only")
    assert result.returncode != 0
    assert "stale" in result.stderr and "1.1.0: 02_codes" in result.stderr
    assert "1.0.0: 02_codes" not in result.stderr  # the previous release is read from its edition
    assert "01_excerpts" not in result.stderr
    assert (book.chapters_dir / "02_codes.ipynb").read_bytes() == stored  # nothing executed
    assert tree_digest(book.html_dir) == site


def test_one_chapter_is_not_published_beside_stale_others(book):
    site = tree_digest(book.html_dir)
    for stem, table in (("01_excerpts", "excerpts"), ("02_codes", "codes")):
        write_chapter(book.chapters_dir / f"{stem}.md", table, extra="  # edited")
    with pytest.raises(BuildError, match=r"(?s)stale.*1\.1\.0: 01_excerpts"):
        build_book(book, only="codes", echo=quiet)  # as `make chapter NAME=codes`
    assert tree_digest(book.html_dir) == site


def test_the_book_never_builds_by_default_from_a_draft(book):
    site = tree_digest(book.html_dir)
    write_release(book.data_dir, "1.2.0")  # a draft, made the default
    result = run_build(book)
    assert result.returncode != 0
    assert "the default release 1.2.0 (data/DEFAULT_RELEASE) is a draft; freeze it first" in result.stderr
    assert tree_digest(book.html_dir) == site
    assert run_build(book, "--data-version", "1.2.0", "--no-html").returncode == 0  # a draft builds on its own


def test_a_failed_html_build_records_nothing_and_the_next_build_retries(book):
    site = tree_digest(book.html_dir)
    notes, toc = book.chapters_dir / "notes.md", book.root / "_toc.yml"
    notes.write_text("# Notes\n\nA reference to {doc}`no-such-page`.\n")  # a Sphinx warning: an error here
    original_toc = toc.read_text()
    toc.write_text(original_toc + "  - file: chapters/notes\n")
    with pytest.raises(BuildError, match="HTML build failed"):
        build_html(book, echo=quiet)
    assert tree_digest(book.html_dir) == site
    with pytest.raises(BuildError, match="HTML build failed"):  # retried, not "inputs unchanged"
        build_html(book, echo=quiet)
    notes.unlink()
    toc.write_text(original_toc)
    said = []
    build_html(book, echo=said.append)
    assert said and said[0].startswith("  reused    HTML")  # the published site matches its inputs again


def test_a_frozen_release_edited_in_place_stops_the_build_and_the_diff(book):
    site = tree_digest(book.html_dir)
    codes = book.data_dir / "1.0.0" / "codes.csv"
    codes.write_text(codes.read_text().replace("Child", "Kid"))
    for command in (["analysis.build"], ["analysis.build.changes", "1.0.0", "1.1.0"]):
        result = run_tool(book.root, *command)
        assert result.returncode != 0, command
        assert "frozen release 1.0.0: file codes.csv was edited in place" in result.stderr, result.stderr
        assert "git checkout -- " in result.stderr  # how to undo it
        assert "identical" not in result.stdout
    assert tree_digest(book.html_dir) == site


def test_a_prose_edit_reuses_the_cached_changes_page_but_a_data_change_does_not(book, monkeypatch):
    from analysis.build import site

    set_markdown(book.chapters_dir / "03_nothing.md", "# Nothing, reworded")

    def must_not_run(*_args, **_kwargs):
        raise AssertionError("the release extras were computed again for a prose edit")

    monkeypatch.setattr(site, "stage_release_extras", must_not_run)
    build_book(book, echo=quiet)  # the prose merged into the record (no kernel), then the HTML
    assert (book.html_dir / "chapters" / "changes.html").is_file()
    assert "Nothing, reworded" in (book.html_dir / "chapters" / "03_nothing.html").read_text()
    write_chapter(book.chapters_dir / "02_codes.md", "codes", extra="  # edited")  # new executions
    build_book(book, echo=quiet, html=False)
    with pytest.raises(AssertionError, match="computed again"):
        build_html(book, echo=quiet)


def test_a_code_edit_compares_the_glued_numbers_again_but_not_the_data(book, monkeypatch):
    """The costly part of the changes page, the data comparison, is cached by the data's content."""
    from analysis.build import changes

    write_chapter(book.chapters_dir / "02_codes.md", "codes", extra="  # edited")  # new executions
    build_book(book, echo=quiet, html=False)
    glued = []
    real_glued = changes.diff_glued_files

    def must_not_run(*_args, **_kwargs):
        raise AssertionError("the data were compared again, though only a chapter's code changed")

    def counted(*args, **kwargs):
        glued.append(args)
        return real_glued(*args, **kwargs)

    monkeypatch.setattr(changes, "compare_data", must_not_run)
    monkeypatch.setattr(changes, "diff_glued_files", counted)
    build_html(book, echo=quiet)
    assert len(glued) == 1  # the glued numbers come from the new executions, against the edition
    assert "1.0.0" in (book.html_dir / "chapters" / "changes.html").read_text(encoding="utf-8")
    (book.root / "_toc.yml").write_text((book.root / "_toc.yml").read_text() + "\n")  # not data: still cached
    build_html(book, echo=quiet)
    assert len(glued) == 2
