"""A release's ``datapackage.json``: read and checked, and as chapters see it (each field they read is logged)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from analysis.data.errors import DataError
from analysis.data.files import UnsafePathError, regular_files, safe_file
from analysis.data.reads import DESCRIPTOR_READ, log_read
from analysis.paths import DESCRIPTOR

# Files a release folder holds besides its resources.
RELEASE_EXTRAS = (DESCRIPTOR, "README.md")


def read_descriptor(folder: Path, version: str) -> dict:
    """The descriptor of the release in ``folder``, with a 'resources' list whose entries have 'name' and 'path'."""
    path = folder / DESCRIPTOR
    if not path.is_file():
        raise DataError(
            f"a Frictionless descriptor at {path}",
            release=version,
            file=DESCRIPTOR,
            problem="missing descriptor",
        )
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(
            "a readable JSON descriptor",
            release=version,
            file=DESCRIPTOR,
            problem="unreadable descriptor",
            got=str(exc),
        ) from exc
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not all(
        isinstance(r, dict) and "name" in r and "path" in r for r in resources
    ):
        raise DataError(
            "a 'resources' list whose entries have 'name' and 'path'",
            release=version,
            file=DESCRIPTOR,
            problem="malformed descriptor",
        )
    return descriptor


def check_folder(folder: Path, version: str, descriptor: dict) -> None:
    """Refuse a link, or a file the descriptor does not list: what a release holds is what it describes."""
    for resource in descriptor["resources"]:
        try:
            safe_file(folder, str(resource["path"]))
        except UnsafePathError as exc:
            raise DataError(
                "a regular file inside the release folder", release=version, file=DESCRIPTOR, problem=str(exc)
            ) from exc
    try:
        found = regular_files(folder)
    except UnsafePathError as exc:
        raise DataError("only regular files in the release folder", release=version, problem=str(exc)) from exc
    listed = {str(r["path"]) for r in descriptor["resources"]} | set(RELEASE_EXTRAS)
    listed |= {str(r["schema"]) for r in descriptor["resources"] if isinstance(r.get("schema"), str)}
    stray = [rel for rel in found if rel not in listed]
    if stray:
        raise DataError(
            f"only the files {DESCRIPTOR} lists (and README.md); describe it, or remove it",
            release=version,
            file=stray[0],
            problem="a file the descriptor does not list",
            got=stray,
        )


class Descriptor(dict):
    """A copy of a release's descriptor that logs what is read of it: ``d["licenses"]`` or
    ``d.get("created")`` is a read of that field alone (``<version>/@descriptor:licenses``), so a
    chapter that shows the licences is not executed again when a table changes; iterating over it
    or copying it whole is a read of the whole descriptor."""

    def __init__(self, data: dict, version: str) -> None:
        super().__init__(copy.deepcopy(data))
        self._version = version

    def _field(self, key: str) -> None:
        log_read(self._version, f"{DESCRIPTOR_READ}:{key}")

    def __getitem__(self, key: str) -> Any:
        self._field(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._field(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._field(str(key))
        return super().__contains__(key)


def _whole(method: Any) -> Any:
    """``dict``'s ``method``, logged as a read of the whole descriptor."""

    def logged(self: Descriptor, *args: Any) -> Any:
        log_read(self._version, DESCRIPTOR_READ)
        return method(self, *args)

    return logged


for _name in ("__iter__", "keys", "values", "items"):  # every way to see all of it
    setattr(Descriptor, _name, _whole(getattr(dict, _name)))
