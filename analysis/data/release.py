"""Load one immutable data release, checked, as pandas tables.

A release is a folder ``data/<version>/`` holding a Frictionless v5
``datapackage.json`` and the files it describes. Chapters never read those
files directly; they call :func:`load_release` and ask for tables by name, so
that every read is

* verified -- the file's sha256 and size must match the descriptor (releases
  are immutable: a changed file means a new release, never an edit), and the
  table must pass Frictionless validation against its Table Schema, including
  primary and foreign keys;
* typed -- columns get pandas dtypes from the schema, empty cells are NA;
* recorded -- the build learns which resources each chapter read (see
  :func:`log_read`), so it re-executes only the chapters a data change affects.

Any problem raises :class:`DataError`, whose message names the release, file,
row and column, so a failing build points straight at the bad cell.

Frictionless is imported lazily (only when a table is first validated)
because importing it costs build time for chapters that need no data.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths
from analysis.data.descriptor import Descriptor, check_folder, read_descriptor
from analysis.data.errors import DataError, undo_hint
from analysis.data.files import UnsafePathError, regular_files, safe_file
from analysis.data.parsing import TableParsing
from analysis.data.reads import FILES_READ, RESOURCES_READ, VERSION_READ, log_read
from analysis.data.validation import BIBLIOGRAPHY, TableValidation
from analysis.paths import DESCRIPTOR, REGISTRY  # noqa: F401  (callers name them with the release)

# What pages show for the release's name. The build replaces it with the name when it stages
# a page (analysis.build.site), so that outputs do not depend on the name: an execution made
# for one release serves another whose tables are the same. Only letters and underscores, so
# that HTML escaping, URL quoting and JSON leave it as it is.
RELEASE_MARK = "__DATA_RELEASE__"
# A release's name: MAJOR.MINOR.PATCH, checked wherever a release is named (the name reaches pages and paths).
VERSION_PATTERN = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
# The largest file a release may hold: checked before it is read, so a huge table is refused by name
# instead of exhausting memory or the kernel's time. The largest table today is under 100 kB.
MAX_RESOURCE_BYTES = 20 * 1024 * 1024


def check_version_name(version: str, where: str = "the release name") -> str:
    """``version`` if it reads MAJOR.MINOR.PATCH (e.g. 1.2.0); else a :class:`DataError` saying where it came from."""
    if not isinstance(version, str) or not VERSION_PATTERN.fullmatch(version):
        raise DataError(
            "a release name of the form MAJOR.MINOR.PATCH, e.g. 1.2.0",
            problem=f"invalid release name in {where}",
            got=version,
        )
    return version


def fill_release_name(text: str, version: str) -> str:
    """``text`` (a page, or a value glued on it) with the release's name where it shows :data:`RELEASE_MARK`."""
    return text.replace(RELEASE_MARK, version)


def load_release(version: str | None = None, data_dir: Path = paths.DATA) -> Release:
    """Open data release ``version`` (default: the one named in DEFAULT_RELEASE).

    Only the descriptor is read here; files are checked when first used.
    """
    data_dir = Path(data_dir)
    if version is None:
        version = check_version_name(_default_version(data_dir), f"{data_dir / paths.DEFAULT_RELEASE_FILE.name}")
    check_version_name(version)
    folder = paths.release_dir(version, data_dir)
    is_child = folder.parent == data_dir and not version.startswith(".")
    if not is_child or not folder.is_dir():
        raise DataError(
            f"one of the available releases {available_releases(data_dir)} in {data_dir}",
            release=version,
            problem="unknown release",
            got=version,
        )
    descriptor = read_descriptor(folder, version)
    check_folder(folder, version, descriptor)
    return Release(version, folder, descriptor)


def _default_version(data_dir: Path) -> str:
    """The default release for ``data_dir``; paths.py owns the project default."""
    if data_dir == paths.DATA:
        try:
            return paths.default_release()
        except OSError as exc:
            raise DataError(
                f"a file {paths.DEFAULT_RELEASE_FILE} naming the default release",
                problem="no default release",
            ) from exc
    default_file = data_dir / paths.DEFAULT_RELEASE_FILE.name
    try:
        return default_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise DataError(
            f"a file {default_file} naming the default release",
            problem="no default release",
        ) from exc


def available_releases(data_dir: Path = paths.DATA) -> list[str]:
    """Versions in ``data_dir`` that have a descriptor, oldest first."""
    if not Path(data_dir).is_dir():
        return []
    found = [
        d.name
        for d in Path(data_dir).iterdir()
        if d.is_dir() and not d.name.startswith(".") and (d / DESCRIPTOR).is_file()
    ]
    for name in found:  # a stray folder's name would reach pages and paths: refused, not skipped
        check_version_name(name, f"the folder {Path(data_dir) / name}")
    return sorted(found, key=_version_key)


def _version_key(version: str) -> list[tuple[int, Any]]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", version)]


class Release(TableValidation, TableParsing):
    """One data release: its descriptor plus checked, cached access to its files."""

    def __init__(self, version: str, path: Path, descriptor: dict) -> None:
        self._version = version
        self.path = Path(path)
        self._descriptor = descriptor
        self._resources = {r["name"]: r for r in descriptor["resources"]}
        self._reads: set[str] = set()
        self._bytes: dict[str, bytes] = {}  # verified file contents
        self._valid: set[str] = set()  # tables that passed Frictionless
        self._validating: set[str] = set()  # guards foreign-key cycles
        self._tables: dict[str, pd.DataFrame] = {}
        self._package = None

    def __repr__(self) -> str:
        return f"Release({self._version!r}, {self.path})"

    # What a chapter learns about the release is logged like a table read, so that an
    # execution is keyed on what it used: the release's name only if the output uses it.

    @property
    def version(self) -> str:
        """The release's name, e.g. "1.2.0"; using it makes a chapter's output depend on it.

        To *show* the name, use :attr:`label`: the build writes the name in when it
        stages the page, so the execution serves every release with the same tables.
        """
        log_read(self._version, VERSION_READ)
        return self._version

    @property
    def label(self) -> str:
        """The release's name as a page shows it: a mark the build replaces (see :data:`RELEASE_MARK`)."""
        return RELEASE_MARK

    @property
    def descriptor(self) -> dict:
        """The ``datapackage.json``; each field a chapter reads of it is logged as read (see :class:`Descriptor`)."""
        return Descriptor(self._descriptor, self._version)

    def entry(self, name: str) -> dict:
        """A copy of resource ``name``'s descriptor entry (title, description, path, hash, schema): a read of it."""
        log_read(self._version, name)
        return copy.deepcopy(self._resource(name))

    @property
    def resource_names(self) -> list[str]:
        """Resource names in datapackage order (the list is logged as read)."""
        log_read(self._version, RESOURCES_READ)
        return [r["name"] for r in self._descriptor["resources"]]

    def files(self) -> list[tuple[str, int]]:
        """Every file of the release folder (relative path, size in bytes), sorted; the listing is logged as read."""
        log_read(self._version, FILES_READ)
        try:
            return [(rel, (self.path / rel).stat().st_size) for rel in regular_files(self.path)]
        except UnsafePathError as exc:
            raise DataError(
                "only regular files in the release folder", release=self._version, problem=str(exc)
            ) from exc

    def has(self, name: str) -> bool:
        """Whether the release has resource ``name``; logged as a read of it, present or not."""
        log_read(self._version, name)
        return name in self._resources

    @property
    def reads(self) -> list[str]:
        """Names of resources read so far (sorted), for the build's bookkeeping."""
        return sorted(self._reads)

    def sha256(self, name: str) -> str:
        """The sha256 hex digest recorded for ``name`` in the descriptor."""
        recorded = str(self._resource(name).get("hash", ""))
        algorithm, _, digest = recorded.partition(":")
        if algorithm != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise self._error(
                name,
                "a 'hash' of the form 'sha256:<64 hex digits>' in datapackage.json",
                problem="no sha256 recorded",
                got=recorded or None,
            )
        return digest

    def file_path(self, name: str) -> Path:
        """Absolute path of a resource's file (for download links; not a read)."""
        try:
            return safe_file(self.path, self._resource(name)["path"]).resolve()
        except UnsafePathError as exc:
            raise self._error(name, "a regular file inside the release folder", problem=str(exc)) from exc

    def is_table(self, name: str) -> bool:
        """Whether ``name`` has a Table Schema (else it is a plain file)."""
        resource = self._resource(name)
        return "schema" in resource or resource.get("type") == "table"

    def table(self, name: str) -> pd.DataFrame:
        """A verified, validated, typed copy of table ``name`` (safe to mutate)."""
        self._record(name)
        if name not in self._tables:
            if not self.is_table(name):
                raise self._error(
                    name,
                    "a tabular resource with a schema; use .text() for other files",
                    problem="not a table",
                )
            self._validate(name)
            frame = self._read_csv(name)
            self._check_source(name, frame)
            self._check_references(name, frame)
            self._tables[name] = frame
        return self._tables[name].copy()

    def text(self, name: str) -> str:
        """The verified content of a (usually non-tabular) resource, as text."""
        self._record(name)
        text = self._decode(name, self._verified_bytes(name))
        if name == BIBLIOGRAPHY:  # every reader of it, the site included, gets only safe links
            self._bibliography(text)
        return text

    # -- checks ------------------------------------------------------------

    def _resource(self, name: str) -> dict:
        try:
            return self._resources[name]
        except KeyError:
            raise DataError(
                f"one of the resources {list(self._resources)}",
                release=self._version,
                file=DESCRIPTOR,
                problem="unknown resource",
                got=name,
            ) from None

    def _file(self, name: str) -> str:
        return str(self._resource(name)["path"])

    def _error(self, name: str, expected: str, **kwargs: Any) -> DataError:
        return DataError(expected, release=self._version, file=self._file(name), **kwargs)

    def _record(self, name: str) -> None:
        self._resource(name)  # unknown names are errors, not reads
        self._reads.add(name)
        log_read(self._version, name)

    def _verified_bytes(self, name: str) -> bytes:
        """File content after checking it exists and matches hash and size."""
        if name in self._bytes:
            return self._bytes[name]
        path = self.file_path(name)
        if not path.is_file():
            raise self._error(name, f"a file at {path}", problem="missing file")
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            raise self._error(
                name,
                f"at most {MAX_RESOURCE_BYTES:,} bytes (analysis.data.release.MAX_RESOURCE_BYTES)",
                problem="file too large",
                got=f"{path.stat().st_size:,} bytes",
            )
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        size = self._resource(name).get("bytes")
        if digest != self.sha256(name) or (size is not None and len(data) != size):
            raise self._error(
                name,
                f"sha256 {self.sha256(name)} and {size} bytes as in datapackage.json",
                problem=self._mismatch_advice(name),
                got=f"sha256 {digest}, {len(data)} bytes",
            )
        self._bytes[name] = data
        return data

    def is_frozen(self) -> bool:
        """Whether ``data/RELEASES.json`` lists this release as frozen (released, immutable)."""
        registry = self.path.parent / REGISTRY
        if not registry.is_file():
            return False
        return self._version in json.loads(registry.read_text(encoding="utf-8")).get("frozen", {})

    def _mismatch_advice(self, name: str) -> str:
        """What to do about a file whose bytes differ from the descriptor: it depends on the release's state."""
        path = self.path / self._file(name)
        if self.is_frozen():
            return (
                f"hash mismatch: the frozen release was edited in place; undo the edit "
                f"({undo_hint(path)}) and make the change in a new release "
                f"(python -m analysis.releases.registry new <version> --from {self._version})"
            )
        return (
            f"hash mismatch: the draft's file changed since its hash was recorded; if the edit is "
            f"intended, record it with python -m analysis.releases.registry rehash {self._version}"
        )

    def _schema(self, name: str) -> dict:
        schema = self._resource(name).get("schema", {})
        if isinstance(schema, str):  # schema kept in its own JSON file
            try:
                schema = json.loads(safe_file(self.path, schema).read_text(encoding="utf-8"))
            except UnsafePathError as exc:
                raise self._error(name, "a schema file inside the release folder", problem=str(exc)) from exc
        return schema

    def _delimiter(self, name: str) -> str:
        dialect = self._resource(name).get("dialect") or {}
        if isinstance(dialect, dict):
            return dialect.get("csv", dialect).get("delimiter", ",")
        return ","


def release_summary(release: Release) -> pd.DataFrame:
    """One row per resource (name, path, rows, bytes, short sha256) for the appendix.

    Reads and checks every file, so all resources count as read.
    """
    rows = []
    for name in release.resource_names:
        n_rows: int | pd.api.typing.NAType
        if release.is_table(name):
            n_rows = len(release.table(name))
        else:
            release.text(name)  # verifies hash and size
            n_rows = pd.NA
        path = release.file_path(name)
        rows.append(
            {
                "name": name,
                "path": path.relative_to(release.path.resolve()).as_posix(),
                "rows": n_rows,
                "bytes": path.stat().st_size,
                "sha256": release.sha256(name)[:12],
            }
        )
    frame = pd.DataFrame(rows, columns=["name", "path", "rows", "bytes", "sha256"])
    return frame.astype(
        {
            "name": "string",
            "path": "string",
            "rows": "Int64",
            "bytes": "Int64",
            "sha256": "string",
        }
    )
