"""The code part of an execution's key: the ``analysis`` code its kernel ran, as syntax trees.

A chapter's kernel logs the modules it loaded and the functions it ran
(:mod:`analysis.data.ran`); the build stores that record with the execution,
as the ``ran`` of its metadata, beside its ``reads``. The key hashes, for each
module of the record, its top level with the bodies of its functions and
methods left out (constants, imports, decorators and registrations,
signatures and defaults, class attributes), and for each function it ran, its
whole definition. Both are normalised syntax trees without docstrings, so
reformatting or re-commenting changes no key (:func:`module_digest`).

Why this is sound: an execution is determined by the chapter's code and
parameters (in the key), what it read (the reads), the environment (the
pinned requirements and the logger, :func:`analysis.build.keys.environment_fingerprint`)
and the code that ran. The top level of every module loaded is hashed, so all
module-level state is the same; every function that ran is hashed, so it ran
the same way. A function that did not run can come to run only through a
change to one that did, to a module's top level, to the chapter or to its
data, and each of these changes the key. Functions reached through a registry
(figures registered by name) are logged when they run like any other, which
static analysis of the call graph would miss. A figure function edited
re-executes only the chapters that ran it; the build tooling is never loaded
by a chapter, so it is in no key.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from functools import cache
from pathlib import Path

from analysis import paths
from analysis.data.files import write_atomic
from analysis.data.ran import named_defs

# What an entry of a record hashes to when its code is gone: the key changes, the chapter runs again.
MISSING = "missing"


def _sha(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def module_file(name: str) -> Path | None:
    """The file of module ``analysis.x.y`` in this checkout (None if there is no such module)."""
    parts = name.split(".")[1:]
    base = paths.ANALYSIS.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _without_docstrings(tree: ast.Module) -> ast.Module:
    """``tree`` with the docstrings of the module, its classes and functions removed (in place)."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return tree


def _dump(node: ast.AST) -> str:
    return hashlib.sha256(ast.dump(node, annotate_fields=False).encode("utf-8")).hexdigest()


def module_digest(path: Path) -> str:
    """sha256 of a module's syntax tree without docstrings: what runs, not how it is laid out.

    Comments, blank lines, formatting and docstrings change nothing a kernel
    computes, so reformatting or re-commenting a module executes no chapter;
    any change to a statement or a value (a module-level constant) does. A
    file that does not parse is hashed by its bytes (its import fails loudly).
    """
    return _digests(path)[0]


def _digests(path: Path) -> tuple[str, str, dict[str, str]]:
    """The module's digest, its top level's and each function's (:func:`module_digest`).

    Parsed once per content (not per modification time: two saves within
    the file system's clock tick, of the same size, would look alike).
    """
    return _text_digests(path.read_bytes())


# Parsing the ~60 modules a book's chapters ran costs more than half a second, on every build, for
# digests that change only with a module's content: they are kept on disk, by the content's sha256
# (so entries are never stale, and concurrent builds can only lose one another's additions).
DIGESTS_FILE = "code-digests.json"
_SYNTAX = f"python {sys.version_info[0]}.{sys.version_info[1]}"  # ast.dump differs between versions


@cache
def _disk_digests() -> dict[str, list]:
    try:
        found = json.loads((paths.BUILD / DIGESTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found.get(_SYNTAX, {}) if isinstance(found, dict) else {}


@cache
def _text_digests(text: bytes) -> tuple[str, str, dict[str, str]]:
    content = hashlib.sha256(text).hexdigest()
    kept = _disk_digests().get(content)
    if isinstance(kept, list) and len(kept) == 3:
        return kept[0], kept[1], dict(kept[2])
    digests = _parse_digests(text)
    _disk_digests()[content] = list(digests)
    try:
        write_atomic(paths.BUILD / DIGESTS_FILE, json.dumps({_SYNTAX: _disk_digests()}, sort_keys=True))
    except OSError:
        pass  # a read-only or missing build folder: the digests are computed again next time
    return digests


def _parse_digests(text: bytes) -> tuple[str, str, dict[str, str]]:
    try:
        tree = _without_docstrings(ast.parse(text))
    except SyntaxError:  # its import fails loudly; hashed by its bytes, its functions as gone
        digest = hashlib.sha256(text).hexdigest()
        return digest, digest, {}
    whole = _dump(tree)
    functions: dict[str, list[str]] = {}
    defs = list(named_defs(tree))
    for name, node in defs:  # a name defined twice (under if/else) hashes both definitions
        functions.setdefault(name, []).append(_dump(node))
    for _, node in defs:
        node.body = [ast.Pass()]  # the top level keeps each def's decorators, signature and defaults
    return whole, _dump(tree), {name: _sha(*digests) for name, digests in functions.items()}


def ran_fingerprint(ran: dict[str, list[str]] | None) -> str:
    """Hash of the code an execution ran (:mod:`analysis.data.ran`): each module's top level, each function.

    ``None`` (an execution made before the code was logged) has a key of its
    own, which no fresh execution has.
    """
    if ran is None:
        return _sha("not logged")
    parts = []
    for module, functions in sorted(ran.items()):
        path = module_file(module)
        if path is None:
            parts += [module, MISSING]
            continue
        _, top, defs = _digests(path)
        parts += [module, top, *(part for f in sorted(functions) for part in (f, defs.get(f, MISSING)))]
    return _sha(*parts)


def kernel_setup(root: Path, reads_log: Path, ran_log: Path) -> list[str]:
    """What the build runs in each chapter's kernel before its first cell (IPython's ``exec_lines``).

    First the log of the code it runs (:mod:`analysis.data.ran`: before any
    other ``analysis`` module loads, or its functions would run unlogged), then
    the project's root for :mod:`analysis.paths` (a scratch copy in tests), then
    the file :mod:`analysis.data.reads` logs each read to.
    """
    return [
        f"__import__('analysis.data.ran').data.ran.configure({str(ran_log)!r})",
        f"__import__('analysis.paths').paths.configure({str(root)!r})",
        f"__import__('analysis.data.reads').data.reads.configure({str(reads_log)!r})",
    ]
