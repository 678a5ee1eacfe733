"""The author's loop (issue 22): nothing left running, an undo executes nothing, keys by syntax tree, editions.

Scratch projects in tmp_path (three tiny chapters over a fixture release).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest
from support.releases import write_release
from support.scratch import make_project, write_chapter

from analysis import paths
from analysis.build import BuildError, Project, build_book, execute_chapters, keys, stale_chapters
from analysis.build import cache as execution_cache
from analysis.build.editions import edition_files, record_from_chapters, record_from_commit
from analysis.build.text import editable


@pytest.fixture
def project(tmp_path) -> Project:
    return make_project(tmp_path / "book")


def quiet(*_args) -> None:
    pass


def statuses(outcomes) -> dict[str, str]:
    return {o.chapter.stem: o.status for o in outcomes}


# -- nothing left behind ---------------------------------------------------------------------


def marked(token: str) -> list[str]:
    """Every process whose environment carries ``token`` (inherited from the build), as its command line."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("TREADMILL_TEST_PROBE") == token:
                found.append(" ".join(process.cmdline()))
        except psutil.Error:  # gone meanwhile, or not ours
            continue
    return found


def test_make_book_leaves_no_process_running(project):
    """`python -m analysis.build`, as `make book` runs it (executing, then the HTML): when it exits, no
    process it started (kernels, pool workers, multiprocessing's resource tracker, Sphinx) is left."""
    token = uuid.uuid4().hex
    env = {**os.environ, "TREADMILL_ROOT": str(project.root), "TREADMILL_TEST_PROBE": token}
    done = subprocess.run(
        [sys.executable, "-m", "analysis.build"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "3 executed" in done.stdout and "built     HTML" in done.stdout
    assert marked(token) == []


# -- the execution cache ---------------------------------------------------------------------


def test_an_undone_code_edit_executes_nothing_and_no_child_process_is_left(project):
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    execute_chapters(project, echo=quiet)
    # In this process, as `make preview` runs builds: the pool and its resource tracker are gone.
    time.sleep(0.2)  # a process exiting by itself is not left behind; one still running after this is
    assert [" ".join(p.cmdline()) for p in me.children(recursive=True) if p.pid not in before] == []
    chapter = project.chapters_dir / "02_codes.ipynb"
    original = nbformat.read(chapter, as_version=4)
    text = chapter.with_suffix(".md")  # what the author edits
    write_chapter(text, "codes", extra="  # an edit")
    assert statuses(execute_chapters(project, echo=quiet))["02_codes"] == "executed"
    write_chapter(text, "codes")  # the undo: the code as it was (the record holds the edit's outputs no more)
    said: list[str] = []
    assert set(statuses(execute_chapters(project, echo=said.append)).values()) == {"reused"}
    assert any("02_codes (the same execution, from _build/cache/02_codes/" in line for line in said)
    restored = nbformat.read(chapter, as_version=4)
    assert [c.get("outputs") for c in restored.cells] == [c.get("outputs") for c in original.cells]
    assert restored.metadata["treadmill"] == original.metadata["treadmill"]  # the execution it was: key, reads
    write_chapter(text, "codes", extra="  # an edit")  # and switching back to the edit: nothing either
    assert set(statuses(execute_chapters(project, echo=quiet)).values()) == {"reused"}


def test_the_cache_is_bounded_oldest_evicted_first(project):
    chapter = project.chapters_dir / "03_nothing.ipynb"
    store = project.root / "store.ipynb"
    kept = []
    for n in range(4):
        nb = editable(chapter.with_suffix(".md"))  # the notebook made from the chapter's text
        nb.metadata["treadmill"] = {"key": f"key{n}"}
        nb.cells[-1].source += " " * 100 * n  # sizes differ
        nbformat.write(nb, store)
        execution_cache.keep(project, chapter, store)
        kept.append(execution_cache.chapter_dir(project, chapter) / f"key{n}.ipynb")
        os.utime(kept[-1], ns=(n * 10**9, n * 10**9))  # last used in this order
    assert execution_cache.candidates(project, chapter) == kept[::-1]  # most recently used first
    execution_cache.keep(project, chapter, kept[0])  # used again: now the most recent
    assert execution_cache.candidates(project, chapter)[0] == kept[0]
    assert execution_cache.evict(project, per_chapter=3) == [kept[1]]
    size = sum(p.stat().st_size for p in execution_cache.candidates(project, chapter))
    assert execution_cache.evict(project, max_bytes=size - 1) == [kept[2]]  # the oldest, by last use
    assert execution_cache.candidates(project, chapter) == [kept[0], kept[3]]


# -- keys by syntax tree ---------------------------------------------------------------------


@pytest.fixture
def package_copy(tmp_path, monkeypatch) -> Path:
    """A copy of ``analysis`` for the build's keys to read (kernels still import the checkout's)."""
    copy = tmp_path / "analysis"
    shutil.copytree(paths.ANALYSIS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "ANALYSIS", copy)
    keys._closure.cache_clear()
    yield copy
    keys._closure.cache_clear()


def test_keys_follow_the_syntax_tree_reformatting_executes_nothing_a_changed_value_does(project, package_copy):
    """Reformatting or re-commenting a module executes nothing; sound: a module-level constant that
    `release.label` shows (RELEASE_MARK), or a helper the loader calls in a module it imports
    (analysis.data.files), changed, makes every chapter that imports them stale."""
    execute_chapters(project, echo=quiet)
    loader = package_copy / "data" / "release.py"
    text = loader.read_text(encoding="utf-8")
    reformatted = text.replace("\n\n\n", "\n\n\n\n# a comment the author added\n\n", 3)
    reformatted = reformatted.replace('"""', '"""Reworded. ', 1)  # the module's docstring
    assert reformatted != text
    loader.write_text(reformatted, encoding="utf-8")
    assert stale_chapters(project, "1.0.0") == []
    assert set(statuses(execute_chapters(project, echo=quiet)).values()) == {"reused"}
    every = ["01_excerpts", "02_codes", "03_nothing"]
    assert text.count('RELEASE_MARK = "__DATA_RELEASE__"') == 1
    loader.write_text(text.replace('RELEASE_MARK = "__DATA_RELEASE__"', 'RELEASE_MARK = "__RELEASE__"'))
    assert stale_chapters(project, "1.0.0") == every
    loader.write_text(text, encoding="utf-8")
    helpers = package_copy / "data" / "files.py"
    text = helpers.read_text(encoding="utf-8")
    assert "def regular_files(" in text
    helpers.write_text(text.replace("def regular_files(", "def regular_files(  # layout only\n", 1))
    assert stale_chapters(project, "1.0.0") == []
    helpers.write_text(text.replace("    return ", "    _unused = 0\n    return ", 1), encoding="utf-8")
    assert stale_chapters(project, "1.0.0") == every


# -- editions --------------------------------------------------------------------------------


def test_a_new_default_reads_the_previous_edition_and_executes_only_its_own_chapters(project):
    execute_chapters(project, echo=quiet)
    record_from_chapters(project, "1.0.0", echo=quiet)
    edition = edition_files(project, "1.0.0")
    assert sorted(edition) == [c.name for c in project.chapters()]
    assert all(edition[c.name].read_bytes() == c.read_bytes() for c in project.chapters())
    with pytest.raises(BuildError, match="recorded once and never replaced"):
        record_from_chapters(project, "1.0.0", echo=quiet)
    codes = "code_id,parent_id,label,source\nc1,,Top,doc1\nc2,c1,Child,doc1\nc3,c1,Another,doc1\n"
    write_release(project.data_dir, version="2.0.0", files={"codes.csv": codes})  # the new default
    said: list[str] = []
    build_book(project, echo=said.append)
    assert [line.split()[1] for line in said if line.strip().startswith("executed")] == ["02_codes"]
    assert not (project.build_dir / "executed" / "1.0.0").exists()  # the previous release never executed
    page = (project.html_dir / "chapters" / "changes.html").read_text(encoding="utf-8")
    assert "those of its edition" in page and "No edition" not in page
    with pytest.raises(BuildError, match="not the default"):
        record_from_chapters(project, "1.0.0", echo=quiet)


def test_an_edition_is_recorded_from_the_chapters_committed_when_the_release_was_the_default(project):
    git = ["git", "-C", str(project.root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    execute_chapters(project, echo=quiet)
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "1.0.0 is the default"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    committed = {c.name: c.read_bytes() for c in project.chapters()}
    write_release(project.data_dir, version="2.0.0")
    execute_chapters(project, echo=quiet)  # the record in chapters/ is now 2.0.0's
    with pytest.raises(BuildError, match="the default release was 1.0.0, not 2.0.0"):
        record_from_commit(project, "2.0.0", commit, echo=quiet)
    record_from_commit(project, "1.0.0", commit, echo=quiet)
    assert {n: p.read_bytes() for n, p in edition_files(project, "1.0.0").items()} == committed
    recorded = nbformat.read(edition_files(project, "1.0.0")["02_codes.ipynb"], as_version=4)
    assert recorded.metadata["treadmill"]["data_version"] == "1.0.0"
