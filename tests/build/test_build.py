"""The build: incremental by content, deterministic, atomic, parallel.

Every test works on a scratch project in tmp_path (three tiny chapters over a
fixture release); the real chapters are only read, by the freshness test.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from support.chores import quiet
from support.package import chapter_keys, copy_package, edit_function, module_path, records
from support.releases import rehash, write_release
from support.scratch import CHAPTERS, make_project, run_tool, set_markdown, write_chapter

from analysis import paths
from analysis.build import (
    BuildError,
    Project,
    build_book,
    build_html,
    execute_chapters,
    stale_chapters,
)
from analysis.data.release import RELEASE_MARK


@pytest.fixture
def project(tmp_path) -> Project:
    return make_project(tmp_path / "book")


def statuses(outcomes) -> dict[str, str]:
    return {o.chapter.stem: o.status for o in outcomes}


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
    write_chapter(project.chapters_dir / "03_nothing.md", None, extra=" + 1")
    assert statuses(execute_chapters(project, echo=quiet))["03_nothing"] == "executed"
    assert list(statuses(execute_chapters(project, echo=quiet)).values()) == ["reused"] * 3


def test_two_executions_are_byte_identical(project):
    execute_chapters(project, echo=quiet)
    first = {p.name: p.read_bytes() for p in project.chapters()}
    execute_chapters(project, force=True, echo=quiet)
    second = {p.name: p.read_bytes() for p in project.chapters()}
    assert first == second
    assert b"papermill" not in b"".join(second.values())  # timing metadata dropped


def test_another_release_with_the_same_tables_executes_nothing_and_is_stored_as_its_own(project):
    """The release's name is not an input: pages show a mark that the build fills in (issue #13, item 4)."""
    execute_chapters(project, echo=quiet)
    committed = {p.name: p.read_bytes() for p in project.chapters()}
    write_release(project.data_dir, version="2.0.0", default=False)
    said: list[str] = []
    assert set(statuses(execute_chapters(project, version="2.0.0", echo=said.append)).values()) == {"reused"}
    assert all("the same execution, from chapters/" in line for line in said)
    assert {p.name: p.read_bytes() for p in project.chapters()} == committed
    stored = nbformat.read(project.build_dir / "executed" / "2.0.0" / "01_excerpts.ipynb", 4)
    assert stored.metadata["treadmill"]["data_version"] == "2.0.0"
    assert stored.metadata["treadmill"]["reads"] == ["2.0.0/excerpts"]
    injected = [c for c in stored.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert [c.source.strip().splitlines()[-1] for c in injected] == ['data_version = "2.0.0"']
    outputs = json.dumps([o for c in stored.cells for o in c.get("outputs", [])])
    assert RELEASE_MARK in outputs and "1.0.0" not in outputs
    assert set(statuses(execute_chapters(project, version="2.0.0", echo=quiet)).values()) == {"reused"}


def test_a_chapter_that_uses_the_release_name_is_executed_for_each_release(project):
    """Using ``release.version`` (not just showing ``release.label``) is a read, so it enters the key."""
    write_chapter(project.chapters_dir / "03_nothing.md", None, extra="\nrelease.version")
    execute_chapters(project, echo=quiet)
    write_release(project.data_dir, version="2.0.0", default=False)
    outcomes = statuses(execute_chapters(project, version="2.0.0", echo=quiet))
    assert outcomes == {"01_excerpts": "reused", "02_codes": "reused", "03_nothing": "executed"}
    stored = nbformat.read(project.build_dir / "executed" / "2.0.0" / "03_nothing.ipynb", 4)
    assert "'2.0.0'" in json.dumps([o for c in stored.cells for o in c.get("outputs", [])])


def test_a_new_release_changing_one_table_made_default_executes_only_its_readers(project):
    """The author's case: release 2.0.0 changes the codes and becomes the default."""
    build_book(project, echo=quiet)
    codes = "code_id,parent_id,label,source\nc1,,Top,doc1\nc2,c1,Child,doc1\nc3,c1,Another,doc1\n"
    write_release(project.data_dir, version="2.0.0", files={"codes.csv": codes})
    said: list[str] = []
    build_book(project, echo=said.append)
    executed = [line.split()[1] for line in said if line.strip().startswith("executed")]
    assert executed == ["02_codes"]  # not 01_excerpts or 03_nothing, and no chapter of 1.0.0
    for stem in CHAPTERS:
        page = (project.html_dir / "chapters" / f"{stem}.html").read_text(encoding="utf-8")
        assert "2.0.0" in page and RELEASE_MARK not in page
        record = nbformat.read(project.chapters_dir / f"{stem}.ipynb", 4)
        assert record.metadata["treadmill"]["data_version"] == "2.0.0"
    assert not any("[data release 1.0.0]" in line for line in said)
    changes = (project.html_dir / "chapters" / "changes.html").read_text(encoding="utf-8")
    assert "No edition of data release 1.0.0 is recorded" in changes  # none was: said in words


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
    write_chapter(project.chapters_dir / "02_codes.md", "codes", extra='\nraise ValueError("boom")')
    # Through the command line, as `make book` runs it.
    result = run_tool(project.root, "analysis.build")
    assert result.returncode != 0
    # The cell as it stands in the text the author edits, with the line it starts on.
    assert "data release 1.0.0, chapter 02_codes: failed in cell 5 of chapters/02_codes.md (line " in result.stderr
    assert "ValueError: boom" in result.stderr
    assert (project.html_dir / "index.html").read_bytes() == index
    assert (project.chapters_dir / "02_codes.ipynb").read_bytes() == stored  # the record is not replaced...
    assert (project.build_dir / "failed" / "02_codes.ipynb").exists()  # ...the failed execution is kept for debugging


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


def test_a_prose_edit_executes_nothing_and_the_page_shows_it(project):
    build_book(project, echo=quiet)
    write_release(project.data_dir, version="2.0.0", default=False)
    execute_chapters(project, version="2.0.0", echo=quiet)
    set_markdown(project.chapters_dir / "02_codes.md", "# Codes, reworded\n\nA sentence added by the author.")
    said = []
    assert set(statuses(execute_chapters(project, echo=said.append)).values()) == {"reused"}
    outcomes = execute_chapters(project, version="2.0.0", echo=said.append)
    assert set(statuses(outcomes).values()) == {"reused"}  # no kernel for the other release either...
    assert any("02_codes (prose updated, nothing executed)" in line for line in said)
    other = nbformat.read(project.build_dir / "executed" / "2.0.0" / "02_codes.ipynb", as_version=4)
    assert other.cells[0].source.startswith("# Codes, reworded")  # ...whose stored copy takes the new prose
    assert any(c.get("outputs") for c in other.cells if c.cell_type == "code")  # and keeps its outputs
    build_html(project, echo=quiet)
    assert "A sentence added by the author." in (project.html_dir / "chapters" / "02_codes.html").read_text()


def test_merge_prose_keeps_outputs_and_the_injected_parameters_cell():
    from analysis.build.execute import merge_prose

    stored = new_notebook(
        cells=[
            new_markdown_cell("old"),
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("x = 2", metadata={"tags": ["injected-parameters"]}),
            new_code_cell(
                "x", outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
            ),
        ]
    )
    source = new_notebook(
        cells=[
            new_markdown_cell("new"),
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_markdown_cell("an added paragraph"),
            new_code_cell("x"),
        ]
    )
    merged = merge_prose(source, stored)
    assert [c.source for c in merged.cells] == ["new", "x = 1", "x = 2", "an added paragraph", "x"]
    assert merged.cells[-1].outputs[0]["data"]["text/plain"] == "2"


def test_the_build_tooling_is_not_in_any_chapters_key(tmp_path, monkeypatch):
    """Editing the tooling (build, releases) changes no chapter's key; editing what every chapter ran does."""
    project = Project(paths.ROOT)
    recorded = records(project.chapters())
    copy = copy_package(tmp_path, monkeypatch)
    before = chapter_keys(project, recorded)
    tooling_files = (
        "build/execute.py",
        "build/site.py",
        "build/changes.py",
        "build/code_keys.py",
        "releases/diff.py",
        "releases/registry.py",
    )
    for tooling in tooling_files:
        (copy / tooling).write_text((copy / tooling).read_text() + "\nAN_EDIT = 'to the tooling'\n")
    assert chapter_keys(project, recorded) == before
    loader = "analysis.data.release"
    common = set.intersection(*(set(meta["ran"].get(loader, [])) for meta in recorded.values()))
    assert common, "no function of the loader ran in every chapter"
    edit_function(module_path(copy, loader), sorted(common)[0])
    changed = chapter_keys(project, recorded)
    assert all(changed[stem] != before[stem] for stem in recorded)


def test_the_html_is_incremental_sphinx_rereads_only_the_changed_page(project):
    build_book(project, echo=quiet)
    doctrees = project.build_dir / "work" / "out" / "_build" / ".doctrees" / "chapters"
    before = {p.name: p.stat().st_mtime_ns for p in doctrees.glob("*.doctree")}
    assert set(before) == {f"{stem}.doctree" for stem in CHAPTERS}
    set_markdown(project.chapters_dir / "03_nothing.md", "# Nothing, reworded")
    build_book(project, echo=quiet)
    after = {p.name: p.stat().st_mtime_ns for p in doctrees.glob("*.doctree")}
    assert after["03_nothing.doctree"] != before["03_nothing.doctree"]
    assert after["02_codes.doctree"] == before["02_codes.doctree"]  # not re-read
    assert "Nothing, reworded" in (project.html_dir / "chapters" / "03_nothing.html").read_text()
    assert not (project.html_dir.resolve()).is_relative_to(project.build_dir / "work")  # the site is a copy


def test_a_release_built_on_its_own_serves_unchanged_once_it_is_the_default(project):
    """`make book DATA_VERSION=2.0.0`, then 2.0.0 made the default: no chapter is executed again,
    and the previous default's committed executions are kept for the page on what changed."""
    execute_chapters(project, echo=quiet)  # 1.0.0, the default: the committed record
    codes = "code_id,parent_id,label,source\nc1,,Top,doc1\nc2,c1,Renamed,doc1\n"
    write_release(project.data_dir, version="2.0.0", files={"codes.csv": codes}, default=False)
    assert statuses(execute_chapters(project, version="2.0.0", echo=quiet))["02_codes"] == "executed"
    (project.data_dir / "DEFAULT_RELEASE").write_text("2.0.0\n")
    said = []
    assert set(statuses(execute_chapters(project, echo=said.append)).values()) == {"reused"}
    assert any("02_codes (the same execution, from _build/executed/2.0.0/" in line for line in said)
    for stem in CHAPTERS:
        record = nbformat.read(project.chapters_dir / f"{stem}.ipynb", as_version=4)
        assert record.metadata["treadmill"]["data_version"] == "2.0.0"
    assert set(statuses(execute_chapters(project, version="1.0.0", echo=quiet)).values()) == {"reused"}
    kept = nbformat.read(project.build_dir / "executed" / "1.0.0" / "02_codes.ipynb", as_version=4)
    assert kept.metadata["treadmill"]["data_version"] == "1.0.0"
