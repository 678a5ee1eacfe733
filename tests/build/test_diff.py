"""Tests of analysis.releases.diff on two small fixture releases with known differences.

Release 1.0.0 -> 1.1.0 of the fixtures differ in exactly: table ``gone``
removed, table ``added`` added, and in table ``people`` one row added (id 4),
one removed (id 3) and one cell changed (id 2, ``n`` 5 -> 6); the bibliography
gains one entry. Everything else is byte-identical.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook, new_output
from support.chores import quiet
from support.releases import FILES, write_release
from support.scratch import run_tool

from analysis import paths
from analysis.build import BuildError, Project, changes, execute_chapters
from analysis.build.text import editable, write_source
from analysis.data.release import load_release
from analysis.releases import changes_page, diff

PEOPLE_SCHEMA = {
    "fields": [
        {"name": "person_id", "type": "integer", "constraints": {"required": True}},
        {"name": "label", "type": "string"},
        {"name": "n", "type": "integer"},
        {"name": "source", "type": "string", "constraints": {"required": True}},
    ],
    "primaryKey": ["person_id"],
}
OTHER_SCHEMA = {
    "fields": [{"name": "x", "type": "string"}, {"name": "source", "type": "string"}],
    "primaryKey": ["x"],
}
OLD = {
    "people.csv": "person_id,label,n,source\n1,one,1,doc\n2,two,5,doc\n3,three,9,doc\n",
    "gone.csv": "x,source\na,doc\nb,doc\n",
}
NEW = {
    "people.csv": "person_id,label,n,source\n1,one,1,doc\n2,two,6,doc\n4,four,2,doc\n",
    "added.csv": "x,source\nc,doc\n",
    "references.bib": FILES["references.bib"] + "@misc{new2022, title = {New}, year = {2022}}\n",
}
SCHEMAS = {"people": PEOPLE_SCHEMA, "gone": OTHER_SCHEMA, "added": OTHER_SCHEMA}


def make_releases(data_dir: Path) -> None:
    write_release(data_dir, "1.0.0", files=OLD, schemas=SCHEMAS)
    write_release(data_dir, "1.1.0", files=NEW, schemas=SCHEMAS, default=False)
    # write_release always writes FILES too: the new release must not have "gone".
    folder = data_dir / "1.1.0"
    package = json.loads((folder / "datapackage.json").read_text())
    assert all(r["name"] != "gone" for r in package["resources"])


@pytest.fixture
def releases(tmp_path):
    make_releases(tmp_path / "data")
    return load_release("1.0.0", tmp_path / "data"), load_release("1.1.0", tmp_path / "data")


def test_exactly_the_known_differences_are_found(releases):
    result = diff.diff_releases(*releases)
    assert [name for name, _, _ in result.tables_added] == ["added"]
    assert [name for name, _, _ in result.tables_removed] == ["gone"]
    assert result.tables_added[0][1] == 1 and result.tables_removed[0][1] == 2  # row counts
    assert [t.name for t in result.changed_tables] == ["people"]
    people = result.changed_tables[0]
    assert people.key == ["person_id"]
    assert [r["person_id"] for r in people.added] == [4]
    assert [r["person_id"] for r in people.removed] == [3]
    assert [(c.key, c.changes) for c in people.changed] == [((2,), {"n": (5, 6)})]
    assert {t.name for t in result.tables if t.is_empty} == {"excerpts", "codes", "coding"}
    assert [(f.path, f.entries_added, f.entries_removed, f.entries_changed) for f in result.files] == [
        ("references.bib", ["new2022"], [], [])
    ]


def test_a_release_compared_with_itself_has_no_differences(releases):
    result = diff.diff_releases(releases[0], releases[0])
    assert not (result.tables_added or result.tables_removed or result.changed_tables or result.files)


def test_row_order_does_not_count_as_a_change():
    old = pd.DataFrame({"k": [1, 2], "v": ["a", "b"]})
    new = old.iloc[::-1].reset_index(drop=True)
    assert diff.diff_table("t", old, new, ["k"]).is_empty


def test_na_and_types_compare_by_value():
    old = pd.DataFrame({"k": pd.array([1, 2], "Int64"), "v": pd.array([1.0, None], "Float64")})
    new = pd.DataFrame({"k": pd.array([1, 2], "Int64"), "v": pd.array([1.0, 3.5], "Float64")})
    table = diff.diff_table("t", old, new, ["k"])
    assert [(c.key, c.changes) for c in table.changed] == [((2,), {"v": (None, 3.5)})]


def test_a_table_without_a_key_is_compared_by_whole_rows():
    old = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    new = pd.DataFrame({"a": [1, 2], "b": ["x", "z"]})
    table = diff.diff_table("t", old, new, [])
    assert table.key == ["a", "b"]
    assert [r["b"] for r in table.added] == ["z"] and [r["b"] for r in table.removed] == ["y"]
    assert table.changed == []


def test_added_and_removed_columns_are_reported_not_counted_as_row_changes():
    old = pd.DataFrame({"k": [1], "a": ["x"]})
    new = pd.DataFrame({"k": [1], "a": ["x"], "b": ["y"]})
    table = diff.diff_table("t", old, new, ["k"])
    assert table.columns_added == ["b"] and table.columns_removed == [] and table.changed == []


# -- glued numbers and claims ---------------------------------------------------------------


def glue_output(name: str, text: str, hidden: bool = False):
    key = (diff.GLUE_PREFIX if hidden else "") + "text/plain"
    return new_output("display_data", data={key: text}, metadata={"scrapbook": {"name": name, "mime_prefix": ""}})


def write_notebook(path: Path, glued: dict[str, tuple[str, bool]]) -> None:
    cell = new_code_cell("ctx.glue(...)")
    cell.outputs = [glue_output(n, t, h) for n, (t, h) in glued.items()]
    cell.outputs.append(new_output("display_data", data={"text/plain": "not glued"}))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[cell]), path)


def test_glued_values_reads_shown_and_hidden_glue(tmp_path):
    write_notebook(
        tmp_path / "a.ipynb", {"n_total": ("1,007", False), "share": ("46%", True), "word": ("'fifteen'", False)}
    )
    # A quoted literal is shown without its quotes, as {glue:text} pastes it.
    assert diff.glued_values(tmp_path / "a.ipynb") == {"n_total": "1,007", "share": "46%", "word": "fifteen"}


def test_diff_glued_files_lists_changed_added_and_removed_values(tmp_path):
    write_notebook(tmp_path / "old" / "05_x.ipynb", {"same": ("1", False), "moved": ("2", False), "gone": ("3", True)})
    write_notebook(tmp_path / "new" / "05_x.ipynb", {"same": ("1", False), "moved": ("20", False), "new": ("4", True)})
    changes = diff.diff_glued_files(
        {"05_x.ipynb": tmp_path / "old" / "05_x.ipynb"}, {"05_x.ipynb": tmp_path / "new" / "05_x.ipynb"}
    )
    assert [(c.scope, c.name, c.old, c.new) for c in changes] == [
        ("05_x", "gone", "3", None),
        ("05_x", "moved", "2", "20"),
        ("05_x", "new", None, "4"),
    ]


def test_diff_claims_compares_each_claims_values_between_releases(releases):
    def evaluate(release):
        verdict = "holds" if release.version == "1.0.0" else "fails"
        rows = [("C001", "3", "holds"), ("C002", "9", verdict)]
        if release.version == "1.1.0":
            rows.append(("C101", "1", "not checkable"))
        return pd.DataFrame(rows, columns=["claim_id", "computed", "verdict"])

    changes = diff.diff_claims(*releases, evaluate=evaluate)
    assert [(c.name, c.column, c.old, c.new) for c in changes] == [
        ("C002", "verdict", "holds", "fails"),
        ("C101", "(new claim)", None, "computed: 1; verdict: not checkable"),
    ]


# -- the page -------------------------------------------------------------------------------


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_the_page_lists_every_difference_old_against_new(releases):
    page = changes_page.render_markdown(diff.diff_releases(*releases))
    assert page.startswith("# What changed between releases\n")
    assert re.search(r"\| added \| `added` \| 1 \|", page)
    assert re.search(r"\| removed \| `gone` \| 2 \|", page)
    assert "### `people`" in page
    assert "| person\\_id = 2 | `n` | 5 | 6 |" in page
    assert "Rows added (1)" in page and "Rows removed (1)" in page and "Rows changed (1)" in page
    assert "`new2022`" in page


def test_data_in_the_page_is_escaped(releases):
    result = diff.diff_releases(*releases)
    nasty = "a | b {glue:text}`x` $y$ <b>*c*</b>\nnext [l](u) &amp;"
    result.changed_tables[0].changed[0].changes["label"] = (nasty, "plain")
    page = changes_page.render_markdown(result)
    row = next(line for line in page.splitlines() if "glue" in line)
    assert unescaped_pipes(row) == 5  # four cells: no pipe from the data survives
    cell = re.split(r"(?<!\\)\|", row)[3]
    assert "glue" in cell and "next" in cell  # one line, all of it
    assert re.search(r"(?<!\\)[{}`$<>*\[\]&]", cell) is None  # every markup character escaped
    assert "\n" not in changes_page.escape(nasty)
    tables = re.findall(r"(?m)(?:^\|.*\n)+", page)
    assert len(tables) >= 3
    for table in tables:  # every row of a table has as many cells as its header
        assert len({unescaped_pipes(line) for line in table.splitlines()}) == 1, table


def test_the_build_page_goes_into_the_staged_toc_only(tmp_path):
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    make_releases(root / "data")
    toc = {
        "format": "jb-book",
        "root": "chapters/00_intro",
        "parts": [
            {"caption": "Appendices", "chapters": [{"file": "chapters/07_data"}, {"file": "chapters/references"}]}
        ],
    }
    (root / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    stage = tmp_path / "stage"
    (stage / "chapters").mkdir(parents=True)
    (stage / "_toc.yml").write_text((root / "_toc.yml").read_text())
    project = Project(root)
    assert changes.write_changes_page(project, "1.0.0", stage, echo=lambda *_: None) is None  # no predecessor
    assert not (stage / "chapters" / "changes.md").exists()
    page = changes.write_changes_page(project, "1.1.0", stage, echo=lambda *_: None)
    assert page == stage / "chapters" / "changes.md"
    assert "`gone`" in page.read_text()
    staged = yaml.safe_load((stage / "_toc.yml").read_text())
    assert [c["file"] for c in staged["parts"][0]["chapters"]] == [
        "chapters/07_data",
        "chapters/changes",
        "chapters/references",
    ]
    assert yaml.safe_load((root / "_toc.yml").read_text()) == toc  # the project's own toc is untouched


def test_command_line_prints_the_report(tmp_path):
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    make_releases(root / "data")
    result = run_tool(root, "analysis.build.changes", "1.0.0", "1.1.0", "--no-execute", cwd=paths.PACKAGE_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# What changed between releases")
    assert "| person_id = 2 | `n` | 5 | 6 |" in result.stdout  # for a terminal: no Markdown escapes
    assert "1\\.1\\.0" not in result.stdout


def write_chapter(path: Path) -> None:
    """A chapter's text, ``chapters/NN_name.md``, as the author writes it."""
    nb = new_notebook(
        cells=[
            new_code_cell("from myst_nb import glue\nfrom analysis.data.release import load_release"),
            new_code_cell("data_version = None", metadata={"tags": ["parameters"]}),
            new_code_cell(
                "release = load_release(data_version)\nglue('people_total', int(release.table('people')['n'].sum()))"
            ),
        ]
    )
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_source(nb, path)


def test_glued_numbers_are_compared_without_writing_the_committed_chapters(tmp_path):
    root = tmp_path / "book"
    make_releases(root / "data")  # 1.0.0 is the default release
    chapter = root / "chapters" / "01_people.ipynb"
    write_chapter(chapter.with_suffix(".md"))
    project = Project(root)
    with pytest.raises(BuildError, match=r"data release 1\.0\.0: stale chapters 01_people; run `make book`"):
        changes.compare(project, "1.0.0", "1.1.0", echo=quiet)  # never compared from a stale record...
    assert not chapter.exists()  # ...and the committed record is written only by make book
    execute_chapters(project, echo=quiet)
    said = []
    result = changes.compare(project, "1.0.0", "1.1.0", echo=said.append)
    assert [(c.scope, c.name, c.old, c.new) for c in result.glued] == [("01_people", "people_total", "15", "9")]
    assert (root / "_build" / "executed" / "1.1.0" / chapter.name).exists()  # the other release goes beside it
    said.clear()
    again = changes.compare(project, "1.0.0", "1.1.0", echo=said.append)
    assert [c.new for c in again.glued] == ["9"]
    assert not any("executed" in line for line in said)  # both runs are reused


def test_a_failing_chapter_stops_the_comparison_with_its_release_and_cell(tmp_path):
    root = tmp_path / "book"
    make_releases(root / "data")
    text = root / "chapters" / "01_people.md"
    write_chapter(text)
    project = Project(root)
    execute_chapters(project, echo=quiet)
    nb = editable(text)
    nb.cells.append(new_code_cell('if release.version == "1.1.0":\n    raise KeyError("only in 1.1.0")'))
    write_source(nb, text)
    execute_chapters(project, echo=quiet)  # the default release, 1.0.0, is fine
    with pytest.raises(BuildError, match=r"data release 1\.1\.0, chapter 01_people: failed in cell \d+.*only in"):
        changes.compare(project, "1.0.0", "1.1.0", echo=quiet)
