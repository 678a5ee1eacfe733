"""The author's loop (issue 22): nothing left running, an undo executes nothing, keys by syntax tree, editions.

Scratch projects in tmp_path (three tiny chapters over a fixture release).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest
from support.chores import quiet
from support.package import copy_package
from support.releases import write_release
from support.scratch import make_project, write_chapter

from analysis.build import BuildError, Project, build_book, execute_chapters, stale_chapters
from analysis.build import cache as execution_cache
from analysis.build.editions import edition_files, record_from_chapters, record_from_commit
from analysis.build.text import editable, write_source


@pytest.fixture
def project(tmp_path) -> Project:
    return make_project(tmp_path / "book")


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


# -- keys as fine as the code that ran -------------------------------------------------------

WORDS = "analysis.book.quantities.words"  # small functions the scratch chapters call (see `calling`)


@pytest.fixture
def package_copy(tmp_path, monkeypatch) -> Path:
    """A copy of ``analysis`` that the build's keys read, and its workers and kernels import.

    This process keeps the checkout's modules (imported already; ``paths.ANALYSIS``
    points at the copy); the pool's workers (spawned with this ``sys.path``)
    and their kernels (started with this ``PYTHONPATH``) find the copy first.
    """
    copy = copy_package(tmp_path, monkeypatch)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    return copy


def calling(project: Project, stem: str, call: str) -> None:
    """Make scratch chapter ``stem`` also call ``call`` on ``words`` (:data:`WORDS`) in its last cell."""
    path = project.chapters_dir / f"{stem}.md"  # the chapter's text, as an author edits it
    nb = editable(path)
    nb.cells[1].source += "\nfrom analysis.book.quantities import words"
    nb.cells[-1].source += f"\n{call}"
    write_source(nb, path)


def record(project: Project, stem: str) -> dict[str, list[str]]:
    """What the chapter's stored execution ran of ``analysis``: ``{module: [function, ...]}``."""
    return nbformat.read(project.chapters_dir / f"{stem}.ipynb", as_version=4).metadata["treadmill"]["ran"]


def running(project: Project, module: str, function: str | None = None) -> list[str]:
    """The chapters whose record says they loaded ``module`` (and ran its ``function``)."""
    return [
        c.stem
        for c in project.chapters()
        if module in (ran := record(project, c.stem)) and (function is None or function in ran[module])
    ]


def replace_once(path: Path, old: str, new: str) -> str:
    """Edit ``path`` (``old`` must occur once); returns the text before the edit."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text


@pytest.fixture
def calls(project) -> Project:
    """The scratch book, two chapters calling functions of :data:`WORDS` (one directly, one via another)."""
    calling(project, "01_excerpts", "words.number_text(2.0)")  # -> _plain_number
    calling(project, "02_codes", 'words.how_many(len(release.table("codes")))')  # -> in_words -> NUMBER_WORDS
    execute_chapters(project, echo=quiet)
    return project


def test_a_record_lists_the_code_the_kernel_ran_and_never_the_tooling(calls):
    assert {"number_text", "_plain_number"} <= set(record(calls, "01_excerpts")[WORDS])
    assert not {"how_many", "in_words"} & set(record(calls, "01_excerpts")[WORDS])
    assert {"how_many", "in_words"} <= set(record(calls, "02_codes")[WORDS])
    assert WORDS not in record(calls, "03_nothing")
    every = {c.stem: record(calls, c.stem) for c in calls.chapters()}
    assert all("analysis.data.release" in ran for ran in every.values())  # each loads its release
    tooling = [m for ran in every.values() for m in ran if m.startswith(("analysis.build", "analysis.sphinx_ext"))]
    assert tooling == []


def test_an_edited_function_makes_stale_only_the_chapters_that_ran_it_however_deep(calls, package_copy):
    """One function edited: only the chapters whose record lists it are stale (its callers' callers too);
    a module-level constant a function reads, edited: every chapter that loaded its module. Undone: none."""
    words = package_copy / "book" / "quantities" / "words.py"
    cases = [  # (file, edit, module and function whose runners must be stale)
        (words, ('f"{value:,g}"', 'f"{value:,G}"'), (WORDS, "number_text")),  # called by a cell
        (words, ("value = float(value)", "value = float(value) + 0"), (WORDS, "_plain_number")),  # two calls deep
        (words, ("n = int(n)", "n = int(n) + 0"), (WORDS, "in_words")),  # two calls deep, by another chapter
        (words, ('"less than": "less than"', '"less than": "under"'), (WORDS, None)),  # a module-level constant
        (package_copy / "words.py", ('"twenty"', '"a score"'), ("analysis.words", None)),  # read by in_words
    ]
    for path, (old, new), (module, function) in cases:
        expected = running(calls, module, function)
        assert 0 < len(expected), (module, function)
        if function is not None:
            assert len(expected) < len(calls.chapters()), function  # finer than the module
        text = replace_once(path, old, new)
        assert stale_chapters(calls, "1.0.0") == expected, (module, function)
        path.write_text(text, encoding="utf-8")  # the undo
        assert stale_chapters(calls, "1.0.0") == []


def reformat(package: Path) -> list[Path]:
    """Reformat every module of ``package`` (ruff, other settings), comment it, reword its docstring."""
    style = ["--line-length", "72", "--config", "format.quote-style='single'", "--config", "indent-width=2"]
    done = subprocess.run([sys.executable, "-m", "ruff", "format", "--no-cache", *style, str(package)], check=False)
    assert done.returncode == 0
    changed = []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        new = "# A comment the author added.\n" + text.replace("\n\n\n", "\n\n\n# Another.\n\n")
        for quote in ('"""', "'''"):
            new = new.replace(quote, quote + "Reworded: ", 1) if text.startswith(quote) else new
        path.write_text(new, encoding="utf-8")
        changed.append(path)
    return changed


def test_reformatting_the_package_or_undoing_an_edit_executes_nothing(calls, package_copy):
    before = {p: p.read_bytes() for p in package_copy.rglob("*.py")}
    assert len(reformat(package_copy)) == len(before)
    assert all(p.read_bytes() != text for p, text in before.items())
    said: list[str] = []
    assert set(statuses(execute_chapters(calls, echo=said.append)).values()) == {"reused"}, said
    words = package_copy / "book" / "quantities" / "words.py"
    text = replace_once(words, "n = int(n)\n", "n = int(n) + 0\n")
    outcomes = statuses(execute_chapters(calls, echo=quiet))
    executed = sorted(stem for stem, status in outcomes.items() if status == "executed")
    assert executed == running(calls, WORDS, "in_words") and executed  # from the records before the edit
    words.write_text(text, encoding="utf-8")  # the undo: the execution before the edit is in the cache
    said.clear()
    assert set(statuses(execute_chapters(calls, echo=said.append)).values()) == {"reused"}, said


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
