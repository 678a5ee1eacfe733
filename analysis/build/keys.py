"""What an execution depends on, hashed: a chapter is re-executed only when its key changes.

The key covers exactly what a chapter's outputs depend on: its code cells
(not its prose), its papermill parameters other than the release, the
``analysis`` code its kernel ran (each function that ran and the top level of
each module loaded, logged while it runs: :mod:`analysis.build.code_keys` says
why that is sound; the build tooling never runs there), the pinned
requirements, and the recorded reads: tables and files
by content, source documents, and what else the chapter used of its release
(its name, its descriptor, its list of resources: see ``analysis.data.reads``).

The release's name is not in the key. Reads of the chapter's own release are
recorded as ``<version>/<name>`` and hashed as ``<name>`` with that release's
entry for it; pages show the name through a mark the build fills in. So an
execution made for one release is the execution for any release whose tables
it read are the same, and only a changed table's readers run again.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import nbformat

from analysis import paths
from analysis.build.code_keys import _sha, module_digest, ran_fingerprint
from analysis.build.project import Project
from analysis.data.files import UnsafePathError, regular_files
from analysis.data.reads import DESCRIPTOR_READ, FILES_READ, RESOURCES_READ, VERSION_READ
from analysis.data.sources import LOG_PREFIX as SOURCE_READ
from analysis.data.sources import read_digest

INJECTED_TAG = "injected-parameters"


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


def environment_fingerprint(project: Project) -> str:
    """Hash of what every execution runs in: the pinned requirements and the logger of the code it ran.

    The ``analysis`` code a chapter ran is hashed from its record instead
    (:func:`analysis.build.code_keys.ran_fingerprint`); the logger
    (:mod:`analysis.data.ran`) is here, whole, because it decides what a record holds.
    """
    requirements = project.root / "requirements.txt"
    logger = paths.ANALYSIS / "data" / "ran.py"
    return _sha(file_digest(requirements) if requirements.exists() else "", module_digest(logger))


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
    project: Project,
    nb: nbformat.NotebookNode,
    version: str,
    parameters: dict,
    reads: list[str],
    env: str,
    ran: dict[str, list[str]] | None = None,
) -> str:
    """The key of executing ``nb`` for release ``version`` when it reads ``reads`` (recorded for ``version``)
    and runs the ``analysis`` code in ``ran`` (its record, :mod:`analysis.build.code_keys`)."""
    others = {k: v for k, v in parameters.items() if k != "data_version"}  # the release counts through its reads
    return _sha(
        code_fingerprint(nb),
        json.dumps(others, sort_keys=True),
        env,
        data_fingerprint(project, reads, version),
        ran_fingerprint(ran),
    )
