"""The code log: which modules and functions of ``analysis`` a chapter's kernel ran, so its key covers them alone.

The build calls :func:`configure` first thing in each chapter's kernel (before
``analysis.paths`` is imported). From then on every ``analysis`` module the
kernel imports, but the build tooling, is compiled with one statement added at
the top of each function and method defined at its top level or in a class
there, which logs ``<module>:<name>`` the first time it runs; a module logs
``<module>`` when it is loaded (its top level ran). Nested functions, lambdas
and comprehensions are part of the function or top level around them.
:mod:`analysis.build.code_keys` hashes what was logged.

Why added statements and not a profile hook (``sys.setprofile``/``sys.settrace``
with a filter on the file name; Python 3.11 has no ``sys.monitoring``): a hook
is a Python call on every function call of pandas and altair too. Measured on
``05_treadmill`` (docs/CONVENTIONS.md, "What a chapter's key covers"), a hook
added about 0.6 s of CPU to 1.9 s of kernel work; the added statements cost one
call of :func:`log` per call of the package's own functions (about 70,000
there: milliseconds), and compiling a rewritten module once per version of it.
They are invisible to the chapter: same line numbers (the statement takes its
function's), same file names, no global name added to any module (the log is
reached as a builtin), and every thread and callback is logged alike.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import importlib.machinery
import importlib.util
import marshal
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "analysis"
# Never logged nor rewritten: the tooling is in no chapter's key (and no chapter imports it).
TOOLING = ("analysis.build", "analysis.sphinx_ext")
# configure() writes this first line, so that the build knows the kernel was set up.
CONFIGURED = "# code run by this execution"
# The builtin the added statements call (a builtin, so that no module gains a global name).
HOOK = "__treadmill_ran__"
# Rewritten modules are cached beside their usual bytecode, as <module>.cpython-311.opt-<TAG>.pyc.
TAG = "treadmill"
# What a cached rewrite is valid for: this file's bytes (how it rewrites) and the interpreter's.
_VERSION = hashlib.sha256(Path(__file__).read_bytes() + importlib.util.MAGIC_NUMBER).digest()

_LOG: str | None = None
_SEEN: set[str] = set()


def ours(module: str) -> bool:
    """True for a module of the package that chapters run (the tooling is not one)."""
    in_package = module == PACKAGE or module.startswith(PACKAGE + ".")
    return in_package and not any(module == t or module.startswith(t + ".") for t in TOOLING)


def scope_defs(body: list[ast.stmt]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """The functions and classes a module's or class's body defines, under ``if``/``try``/``with`` too.

    The one walk both the rewriting and the key use, so a logged name always
    means the same definitions.
    """
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, field, []):
                yield from scope_defs(child.body if isinstance(child, ast.ExceptHandler | ast.match_case) else [child])


def named_defs(
    tree: ast.Module,
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method :func:`instrument` logs, with the name it logs (``f``, ``Class.method``)."""

    def walk(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for node in scope_defs(body):
            if isinstance(node, ast.ClassDef):
                yield from walk(node.body, f"{prefix}{node.name}.")
            else:
                yield f"{prefix}{node.name}", node

    return walk(tree.body, "")


def _has_docstring(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    first = node.body[0]
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def instrument(tree: ast.Module, module: str) -> ast.Module:
    """``tree`` with a call logging ``<module>:<name>`` first in each function :func:`named_defs` finds."""
    for name, node in named_defs(tree):
        entry, hook = ast.Constant(f"{module}:{name}"), ast.Name(HOOK, ast.Load())
        value = ast.Call(hook, [entry], [])
        call = ast.Expr(value)
        for part in (call, value, hook, entry):  # on the def's line: tracebacks and line numbers unchanged
            ast.copy_location(part, node)
        node.body.insert(1 if _has_docstring(node) else 0, call)
    return tree


class _Loader(importlib.machinery.SourceFileLoader):
    """Loads a module of the package rewritten by :func:`instrument`, logging it as loaded."""

    def get_code(self, fullname: str):
        source = self.get_data(self.path)
        stamp = hashlib.sha256(_VERSION + bytes([sys.flags.optimize]) + source).digest()  # -O drops asserts
        cached = Path(importlib.util.cache_from_source(self.path, optimization=TAG))
        try:
            data = cached.read_bytes()
            if data[: len(stamp)] == stamp:
                return marshal.loads(data[len(stamp) :])
        except (OSError, ValueError, EOFError, TypeError):
            pass  # none yet, or unreadable: compile it again
        tree = instrument(ast.parse(source, self.path), fullname)
        code = compile(tree, self.path, "exec", dont_inherit=True)
        try:  # atomically: kernels of other chapters load the same modules at the same time
            cached.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{cached.name}.", dir=cached.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(stamp + marshal.dumps(code))
                os.replace(tmp, cached)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError:
            pass  # a read-only checkout: compiled again next time
        return code

    def exec_module(self, module) -> None:
        log(module.__name__)
        super().exec_module(module)


class _Finder:
    """Gives the package's modules (not the tooling's) to :class:`_Loader`."""

    @staticmethod
    def find_spec(fullname: str, path=None, target=None):
        if not ours(fullname):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader) and spec.origin:
            spec.loader = _Loader(fullname, spec.origin)
        return spec


def configure(path: Path | str) -> None:
    """Log to ``path`` the package's modules and functions that run in this process from now on.

    Refused once a module of the package with functions is loaded (its calls
    could not be logged): the build calls this before anything else.
    """
    global _LOG
    if _LOG is not None:
        raise RuntimeError(f"the code log is configured already, to {_LOG}")
    loaded = sorted(name for name in sys.modules if ours(name) and name not in (PACKAGE, f"{PACKAGE}.data", __name__))
    if loaded:
        raise RuntimeError(f"the code log is configured too late: already loaded: {', '.join(loaded)}")
    _LOG = str(path)
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(CONFIGURED + "\n")
    setattr(builtins, HOOK, log)
    sys.meta_path.insert(0, _Finder())
    for name in (PACKAGE, f"{PACKAGE}.data"):  # loaded on the way here: their top level ran
        log(name)


def log(entry: str) -> None:
    """Append ``entry`` to the log, once per process (the added statements call this)."""
    if entry in _SEEN:
        return
    _SEEN.add(entry)
    if _LOG is not None:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(entry + "\n")


def recorded(path: Path) -> dict[str, list[str]]:
    """The log at ``path`` as ``{module: [function, ...]}`` (sorted): what :mod:`analysis.build.code_keys` hashes."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if CONFIGURED not in lines:
        raise RuntimeError(f"{path}: the kernel never configured its code log, so the code it ran is unknown")
    ran: dict[str, set[str]] = {}
    for line in lines:
        if line and line != CONFIGURED:
            module, _, function = line.partition(":")
            ran.setdefault(module, set())
            if function:
                ran[module].add(function)
    return {module: sorted(functions) for module, functions in sorted(ran.items())}
