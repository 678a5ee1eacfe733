"""The execution key: the same tables give the same key whatever the release is called."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook
from support.releases import write_release
from support.scratch import make_project

from analysis.build.keys import cache_key, rebase
from analysis.data.reads import VERSION_READ


def key(project, version, reads):
    nb = new_notebook(cells=[new_code_cell("1 + 1")])
    return cache_key(project, nb, version, {"data_version": version}, reads, env="env")


def test_reads_of_the_own_release_move_with_it_and_others_keep_their_name():
    reads = ["1.0.0/codes", "0.9.0/codes", "sources/article.md"]
    assert rebase(reads, "1.0.0", "2.0.0") == ["0.9.0/codes", "2.0.0/codes", "sources/article.md"]


def test_the_key_follows_the_content_read_not_the_name(tmp_path):
    project = make_project(tmp_path / "book")
    write_release(project.data_dir, version="2.0.0", default=False)
    codes = "code_id,parent_id,label,source\nc1,,Top,doc1\n"
    write_release(project.data_dir, version="3.0.0", files={"codes.csv": codes}, default=False)
    same = key(project, "1.0.0", ["1.0.0/codes"])
    assert key(project, "2.0.0", ["2.0.0/codes"]) == same  # same table, other name
    assert key(project, "3.0.0", ["3.0.0/codes"]) != same  # the table changed
    assert key(project, "3.0.0", ["3.0.0/excerpts"]) == key(project, "1.0.0", ["1.0.0/excerpts"])
    # A chapter that used the name itself is keyed on it.
    assert key(project, "2.0.0", [f"2.0.0/{VERSION_READ}"]) != key(project, "1.0.0", [f"1.0.0/{VERSION_READ}"])
    # Another release's table keeps its name in the key.
    assert key(project, "2.0.0", ["1.0.0/codes"]) != key(project, "2.0.0", ["3.0.0/codes"])


def test_one_field_of_the_descriptor_is_keyed_on_that_field_alone(tmp_path):
    from analysis.data.reads import DESCRIPTOR_READ

    project = make_project(tmp_path / "book")
    codes = "code_id,parent_id,label,source\nc1,,Top,doc1\n"
    write_release(project.data_dir, version="2.0.0", files={"codes.csv": codes}, default=False)
    field, whole = f"{DESCRIPTOR_READ}:name", DESCRIPTOR_READ
    assert key(project, "2.0.0", [f"2.0.0/{field}"]) == key(project, "1.0.0", [f"1.0.0/{field}"])
    assert key(project, "2.0.0", [f"2.0.0/{whole}"]) != key(project, "1.0.0", [f"1.0.0/{whole}"])  # hashes differ


def test_a_module_is_hashed_by_its_syntax_tree_without_docstrings(tmp_path):
    """Comments, blank lines, formatting and docstrings are not in a module's digest; values and statements are."""
    from analysis.build.keys import module_digest

    def digest(text: str) -> str:
        path = tmp_path / f"m{len(list(tmp_path.iterdir()))}.py"
        path.write_text(text, encoding="utf-8")
        return module_digest(path)

    base = digest('"""Doc."""\nLIMIT = 3\n\n\ndef f(x):\n    """Why."""\n    return x + LIMIT\n')
    assert digest("# a comment\nLIMIT = 3\ndef f( x ):\n    return (x+LIMIT)  # same\n") == base
    assert digest('"""Reworded."""\nLIMIT = 3\n\n\ndef f(x):\n    """Other."""\n    return x + LIMIT\n') == base
    assert digest('"""Doc."""\nLIMIT = 4\n\n\ndef f(x):\n    """Why."""\n    return x + LIMIT\n') != base
    assert digest('"""Doc."""\nLIMIT = 3\n\n\ndef f(x):\n    """Why."""\n    return LIMIT + x\n') != base
    assert digest("def f(:\n") != digest("def f(: \n")  # unparsable: hashed by its bytes
