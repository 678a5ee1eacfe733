"""The code log: a kernel logs the modules it loaded and the functions it ran, and runs them unchanged."""

from __future__ import annotations

import ast
import builtins
import importlib.util
import subprocess
import sys
import textwrap
import traceback

import pytest

from analysis.data import ran

MODULE = textwrap.dedent(
    '''
    """A module."""
    from functools import cache

    LIMIT = 3
    TWICE = [n * 2 for n in range(LIMIT)]


    def plain(x):
        """Why."""
        return x + LIMIT


    @cache
    def cached(x):
        return helper(x) * 2


    def helper(x):
        def inner(y):
            return y - 1

        return inner(x) + sum(map(lambda v: v, TWICE))


    def unused():
        return 1


    def failing():
        return 1 / 0


    class Thing:
        SIZE = 2

        def __init__(self, n):
            self.n = n

        @property
        def double(self):
            """Two of it."""
            return self.n * self.SIZE

        def never(self):
            return 0


    if LIMIT:
        def conditional():
            return "yes"
    else:
        def conditional():
            return "no"
    '''
)


@pytest.fixture
def logged(monkeypatch) -> list[str]:
    """What the added statements log in this test (the hook as a builtin, as the kernel has it)."""
    calls: list[str] = []
    monkeypatch.setattr(builtins, ran.HOOK, calls.append, raising=False)
    monkeypatch.setattr(ran, "_SEEN", set())  # the modules loaded (no log configured: kept here alone)
    return calls


def load(tmp_path, name: str, text: str):
    """Module ``name`` from ``text``, rewritten and loaded as the kernel loads the package's modules."""
    path = tmp_path / f"{name.rpartition('.')[2]}.py"
    path.write_text(text, encoding="utf-8")
    loader = ran._Loader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_each_function_logs_its_name_when_it_runs_and_behaves_the_same(tmp_path, logged):
    plain: dict = {}
    exec(compile(MODULE, "plain.py", "exec"), plain)
    module = load(tmp_path, "analysis.fake", MODULE)
    assert logged == [] and ran._SEEN == {"analysis.fake"}  # loaded: its top level ran, no function of it
    assert module.plain(1) == plain["plain"](1)
    assert module.cached(5) == plain["cached"](5)
    assert module.Thing(4).double == plain["Thing"](4).double
    assert module.conditional() == plain["conditional"]()
    assert module.plain.__doc__ == "Why." and module.Thing.double.__doc__ == "Two of it."
    assert sorted(set(logged)) == [
        "analysis.fake:Thing.__init__",
        "analysis.fake:Thing.double",
        "analysis.fake:cached",
        "analysis.fake:conditional",
        "analysis.fake:helper",
        "analysis.fake:plain",
    ]  # not unused, not Thing.never; inner and the lambda belong to helper
    assert not hasattr(module, ran.HOOK)  # no global name added


def test_a_rewritten_function_fails_on_the_same_line(tmp_path, logged):
    module = load(tmp_path, "analysis.fake", MODULE)
    plain: dict = {}
    exec(compile(MODULE, str(tmp_path / "fake.py"), "exec"), plain)
    lines = []
    for failing in (module.failing, plain["failing"]):
        with pytest.raises(ZeroDivisionError) as info:
            failing()
        lines.append([(f.name, f.lineno) for f in traceback.extract_tb(info.value.__traceback__)][-1])
    assert lines[0] == lines[1]
    assert module.failing.__code__.co_firstlineno == plain["failing"].__code__.co_firstlineno


def test_the_rewrite_is_cached_beside_the_bytecode_and_follows_the_source(tmp_path, logged):
    first = load(tmp_path, "analysis.fake", "def f():\n    return 1\n")
    cached = importlib.util.cache_from_source(str(tmp_path / "fake.py"), optimization=ran.TAG)
    assert first.f() == 1 and (tmp_path / cached).is_file()
    again = load(tmp_path, "analysis.fake", "def f():\n    return 1\n")  # from the cache
    assert again.f() == 1 and logged.count("analysis.fake:f") == 2
    assert load(tmp_path, "analysis.fake", "def f():\n    return 2\n").f() == 2  # the source changed


def test_the_names_logged_are_the_definitions_walked(tmp_path):
    tree = ast.parse(MODULE)
    names = [name for name, _ in ran.named_defs(tree)]
    assert names == [
        "plain",
        "cached",
        "helper",
        "unused",
        "failing",
        "Thing.__init__",
        "Thing.double",
        "Thing.never",
        "conditional",
        "conditional",
    ]
    rewritten = ran.instrument(ast.parse(MODULE), "analysis.fake")
    for name, node in ran.named_defs(rewritten):
        call = next(s for s in node.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call))
        assert ast.unparse(call) == f"{ran.HOOK}('analysis.fake:{name}')"


def test_ours_is_the_package_without_the_tooling():
    assert ran.ours("analysis") and ran.ours("analysis.book.figures.treadmill") and ran.ours("analysis.paths")
    assert not ran.ours("analysis.build.keys") and not ran.ours("analysis.sphinx_ext")
    assert not ran.ours("analysisx") and not ran.ours("pandas")


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_a_kernel_logs_what_it_loaded_and_ran_of_the_package(tmp_path):
    log = tmp_path / "ran.log"
    done = run(
        f"from analysis.data import ran; ran.configure({str(log)!r})\n"
        "from analysis.book.quantities import words\n"
        "assert words.how_many(3) == 'three'\n"
    )
    assert done.returncode == 0, done.stderr
    record = ran.recorded(log)
    assert {"how_many", "in_words"} <= set(record["analysis.book.quantities.words"])
    assert "number_text" not in record["analysis.book.quantities.words"]
    assert {"analysis", "analysis.data", "analysis.words", "analysis.book.quantities"} <= set(record)
    assert not [m for m in record if not ran.ours(m)]


def test_configured_after_the_package_loaded_is_refused(tmp_path):
    done = run(f"import analysis.words\nfrom analysis.data import ran\nran.configure({str(tmp_path / 'log')!r})")
    assert done.returncode != 0 and "configured too late: already loaded: analysis.words" in done.stderr


def test_a_log_never_configured_is_refused(tmp_path):
    log = tmp_path / "ran.log"
    log.write_text("analysis.words\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="never configured its code log"):
        ran.recorded(log)
    log.write_text(f"{ran.CONFIGURED}\nanalysis.words\nanalysis.words:day_text\nanalysis.paths:configure\n")
    assert ran.recorded(log) == {"analysis.paths": ["configure"], "analysis.words": ["day_text"]}


def test_configured_twice_is_refused(tmp_path):
    log = tmp_path / "log"
    done = run(f"from analysis.data import ran\nran.configure({str(log)!r})\nran.configure({str(log)!r})")
    assert done.returncode != 0 and f"the code log is configured already, to {log}" in done.stderr
