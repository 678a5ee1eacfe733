"""The execution key: the same tables give the same key whatever the release is called."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook
from support.package import chapter_keys, copy_package, edit_function, module_path, records
from support.releases import write_release
from support.scratch import make_project

from analysis import paths
from analysis.build import Project
from analysis.build.code_keys import ran_fingerprint
from analysis.build.keys import cache_key, rebase
from analysis.data.ran import ours
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


# -- the code part: what the kernel ran ------------------------------------------------------

FIGURES = '''"""Figures."""
from analysis.fake.registry import figure

SCALE = 2


@figure("a")
def first(x):
    """Why."""
    return helper(x) * SCALE


@figure("b")
def second(x):
    return x


def helper(x):
    return x + 1


class Chart:
    WIDTH = 3

    def draw(self):
        return self.WIDTH

    def unused(self):
        return 0
'''


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``analysis.fake`` in a tmp ``analysis`` folder, which the keys read."""
    root = tmp_path / "analysis"
    (root / "fake").mkdir(parents=True)
    (root / "fake" / "__init__.py").write_text("")
    (root / "fake" / "figures.py").write_text(FIGURES)
    monkeypatch.setattr(paths, "ANALYSIS", root)
    return root / "fake" / "figures.py"


def test_the_code_key_covers_the_functions_that_ran_and_each_modules_top_level(package):
    ran = {"analysis.fake": [], "analysis.fake.figures": ["Chart.draw", "first", "helper"]}
    base = ran_fingerprint(ran)

    def key_after(old: str, new: str) -> str:
        assert FIGURES.count(old) == 1, old
        package.write_text(FIGURES.replace(old, new))
        return ran_fingerprint(ran)

    assert key_after("return x\n", "return x * 2\n") == base  # `second` did not run
    assert key_after("        return 0", "        return 1") == base  # nor Chart.unused
    assert key_after("return helper(x) * SCALE", "return helper(x) * SCALE  # a comment") == base
    assert key_after('"""Why."""', '"""Reworded."""') == base
    assert key_after("return x + 1", "return (x\n            + 1)") == base  # reformatted
    assert key_after("return helper(x) * SCALE", "return helper(x) * SCALE * 1") != base  # ran, edited
    assert key_after("return x + 1", "return x + 2") != base  # a helper it called
    assert key_after("        return self.WIDTH", "        return -self.WIDTH") != base  # a method that ran
    assert key_after("SCALE = 2", "SCALE = 3") != base  # a constant
    assert key_after("WIDTH = 3", "WIDTH = 4") != base  # a class attribute
    assert key_after('@figure("b")', '@figure("c")') != base  # a registration, though `second` never ran
    assert key_after("def second(x):", "def second(x=1):") != base  # a signature (defaults run at import)
    assert key_after("def helper(x):", "def helper_renamed(x):") != base  # a function that ran is gone
    package.write_text(FIGURES)
    assert ran_fingerprint(ran) == base  # the undo
    assert ran_fingerprint({**ran, "analysis.fake.gone": []}) != base  # a module that is gone
    assert ran_fingerprint({**ran, "analysis.fake.figures": ["first"]}) != base  # ran other code
    assert ran_fingerprint(None) != ran_fingerprint({})  # no record is no execution's record


def test_editing_one_figure_function_changes_only_the_keys_of_the_chapters_that_ran_it(tmp_path, monkeypatch):
    """On the book's own records: for each figure function some chapter ran, an edit to its body changes
    the key of exactly the chapters whose record lists it (and, for some figure, not of every chapter)."""
    project = Project(paths.ROOT)
    recorded = records(project.chapters())
    copy = copy_package(tmp_path, monkeypatch)
    before = chapter_keys(project, recorded)
    ran_by: dict[tuple[str, str], set[str]] = {}
    for stem, meta in recorded.items():
        for module, functions in meta["ran"].items():
            if module.startswith("analysis.book.figures.") and not module.endswith(".registry"):
                for function in functions:
                    ran_by.setdefault((module, function), set()).add(stem)
    assert ran_by, "no chapter ran a figure function"
    finer = False
    for (module, function), stems in sorted(ran_by.items()):
        path = module_path(copy, module)
        text = edit_function(path, function)
        after = chapter_keys(project, recorded)
        assert {s for s in recorded if after[s] != before[s]} == stems, (module, function)
        finer |= len(stems) < len(recorded)
        path.write_text(text, encoding="utf-8")
    assert finer, "every figure function ran in every chapter: the test shows nothing finer than the package"
    assert chapter_keys(project, recorded) == before


def test_no_chapter_record_names_the_tooling():
    for stem, meta in records(Project(paths.ROOT).chapters()).items():
        assert "ran" in meta, f"{stem}: its record has no code log (run `make book`)"
        assert [m for m in meta["ran"] if not ours(m)] == [], stem
