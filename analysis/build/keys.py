"""What an execution depends on, hashed: a chapter is re-executed only when its key changes.

The key covers exactly what a chapter's outputs depend on: its code cells
(not its prose), its papermill parameters other than the release, the
``analysis`` modules its code can import (found by reading the import
statements, the chapter's and theirs, transitively; the build tooling is not
among them), the pinned requirements, and the recorded reads: tables and files
by content, source documents, and what else the chapter used of its release
(its name, its descriptor, its list of resources: see ``analysis.data.reads``).

The release's name is not in the key. Reads of the chapter's own release are
recorded as ``<version>/<name>`` and hashed as ``<name>`` with that release's
entry for it; pages show the name through a mark the build fills in. So an
execution made for one release is the execution for any release whose tables
it read are the same, and only a changed table's readers run again.
"""

from __future__ import annotations

import ast
import hashlib
import json
from functools import cache
from pathlib import Path

import nbformat

from analysis import paths
from analysis.build.project import Project
from analysis.data.files import UnsafePathError, regular_files
from analysis.data.reads import DESCRIPTOR_READ, FILES_READ, RESOURCES_READ, VERSION_READ
from analysis.data.sources import LOG_PREFIX as SOURCE_READ
from analysis.data.sources import read_digest

INJECTED_TAG = "injected-parameters"


def _sha(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Every cell but papermill's injected parameters (which the parameters hash covers)."""
    return [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """A notebook as stored, read once per version of the file: for keys and freshness only (never mutate it)."""
    stat = path.stat()
    return _read_notebook(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _read_notebook(path: str, mtime_ns: int, size: int) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_fingerprint(nb: nbformat.NotebookNode) -> str:
    """Hash of the code cells' tags and sources: outputs and markdown cells do not count."""
    cells = [(c.get("metadata", {}).get("tags", []), c.source) for c in _code_cells(nb) if c.cell_type == "code"]
    return _sha(json.dumps(cells))


def _module_file(name: str) -> Path | None:
    """The file of module ``analysis.x.y`` in this checkout (None if there is no such module)."""
    parts = name.split(".")[1:]
    base = paths.ANALYSIS.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(code: str, package: str = "analysis") -> set[str]:
    """The ``analysis`` modules named by the import statements in ``code`` (anywhere in it)."""
    found: set[str] = set()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return found  # magics and the like: such a cell imports nothing we can follow
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == package}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == package:
            found.add(node.module)
            named = {f"{node.module}.{alias.name}" for alias in node.names}
            found |= {name for name in named if _module_file(name)}  # submodules, not functions
    return found


@cache
def _file_imports(path: str, stamp: tuple[int, int]) -> frozenset[str]:
    """:func:`_imports` of one module file, parsed once per version of the file (``stamp``)."""
    return frozenset(_imports(Path(path).read_text(encoding="utf-8")))


@cache
def _closure(roots: frozenset[str], package_dir: Path) -> tuple[Path, ...]:
    """Files of ``roots`` and of every ``analysis`` module they import, and their packages.

    Cached per process; ``package_dir`` (``paths.ANALYSIS``) is part of the cache key.
    """
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # importing a.b runs a/__init__.py
        path = _module_file(name)
        if path is not None:
            stat = path.stat()
            todo += sorted(_file_imports(str(path), (stat.st_mtime_ns, stat.st_size)))
    return tuple(sorted({p for p in map(_module_file, seen) if p is not None}))


def imported_code(nb: nbformat.NotebookNode) -> list[Path]:
    """The ``analysis`` source files a chapter's code can import."""
    roots = set()
    for cell in _code_cells(nb):
        if cell.cell_type == "code":
            roots |= _imports(cell.source)
    return list(_closure(frozenset(roots), paths.ANALYSIS))


def environment_fingerprint(project: Project, nb: nbformat.NotebookNode | None = None) -> str:
    """Hash of the pinned requirements and the ``analysis`` code the chapter imports.

    Without a notebook, all of ``analysis`` (what the HTML build depends on).
    """
    files = imported_code(nb) if nb is not None else sorted(paths.ANALYSIS.rglob("*.py"))
    parts = [part for path in files for part in (path.relative_to(paths.ANALYSIS).as_posix(), module_digest(path))]
    requirements = project.root / "requirements.txt"
    parts.append(file_digest(requirements) if requirements.exists() else "")
    return _sha(*parts)


def module_digest(path: Path) -> str:
    """sha256 of a module's syntax tree without docstrings: what runs, not how it is laid out.

    Comments, blank lines, formatting and docstrings change nothing a kernel
    computes, so reformatting or re-commenting a module executes no chapter;
    any change to a statement or a value (a module-level constant) does. A
    file that does not parse is hashed by its bytes (its import fails loudly).
    """
    stat = path.stat()
    return _module_digest(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _module_digest(path: str, mtime_ns: int, size: int) -> str:
    text = Path(path).read_bytes()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return hashlib.sha256(text).hexdigest()
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
    return hashlib.sha256(ast.dump(tree, annotate_fields=False).encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, computed once per version of the file in this process."""
    stat = path.stat()
    return _file_digest(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def rebase(reads: list[str], recorded: str, version: str) -> list[str]:
    """``reads`` recorded by an execution for release ``recorded``, as the same reads of ``version``."""
    prefix = f"{recorded}/"
    return sorted(f"{version}/{r.removeprefix(prefix)}" if r.startswith(prefix) else r for r in reads)


def _release_read(descriptor: dict, version: str, what: str) -> str:
    """The content behind one read of a release: what the chapter saw of it."""
    if what == VERSION_READ:
        return version
    if what == DESCRIPTOR_READ:
        return json.dumps(descriptor, sort_keys=True)
    if what.startswith(DESCRIPTOR_READ + ":"):  # one field of it
        return json.dumps(descriptor.get(what.partition(":")[2]), sort_keys=True)
    if what == RESOURCES_READ:
        return json.dumps([r.get("name") for r in descriptor.get("resources", [])])
    entry = next((r for r in descriptor.get("resources", []) if r.get("name") == what), None)
    return json.dumps(entry, sort_keys=True)  # sha256, bytes, schema; null when absent


def _listing(folder: Path) -> list[tuple[str, int]] | str:
    """What :meth:`~analysis.data.release.Release.files` shows of ``folder`` (a link is refused at load)."""
    try:
        return [(rel, (folder / rel).stat().st_size) for rel in regular_files(folder)]
    except (UnsafePathError, OSError) as exc:
        return f"unreadable: {exc}"


def data_fingerprint(project: Project, reads: list[str], version: str) -> str:
    """Hash of what a chapter read from ``version`` (and from any other release), and of source files.

    Reads of ``version`` itself are hashed without its name (see the module's docstring).
    """
    parts = []
    descriptors: dict[str, dict] = {}
    for read in sorted(reads):
        if read.startswith(SOURCE_READ):  # a source document: the version this release reads
            parts += [read, read_digest(read.removeprefix(SOURCE_READ), version, project.data_dir)]
            continue
        release, _, what = read.partition("/")
        if release not in descriptors:
            package = project.data_dir / release / "datapackage.json"
            descriptors[release] = json.loads(package.read_text("utf-8")) if package.exists() else {}
        own = what if release == version else read  # another release's read keeps its name
        if what == FILES_READ:  # the folder's listing: every file's name and size
            parts += [own, json.dumps(_listing(project.data_dir / release))]
            continue
        parts += [own, _release_read(descriptors[release], release, what)]
    return _sha(*parts)


def cache_key(
    project: Project, nb: nbformat.NotebookNode, version: str, parameters: dict, reads: list[str], env: str
) -> str:
    """The key of executing ``nb`` for release ``version`` when it reads ``reads`` (recorded for ``version``)."""
    others = {k: v for k, v in parameters.items() if k != "data_version"}  # the release counts through its reads
    return _sha(
        code_fingerprint(nb), json.dumps(others, sort_keys=True), env, data_fingerprint(project, reads, version)
    )
