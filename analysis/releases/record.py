"""``data/RELEASES.json`` (the registry of frozen releases and drafts), and helpers every release tool shares."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from analysis import paths
from analysis.data.files import UnsafePathError, regular_files, safe_file, write_atomic
from analysis.data.release import DESCRIPTOR, REGISTRY, VERSION_PATTERN, available_releases

_ABOUT = (
    "Registry of data releases (written by python -m analysis.releases.registry; see docs/updating-data.md). "
    "'frozen': for each released version, the sha256 of its datapackage.json and of every other file "
    "in its folder, the release it was made from, and (for releases frozen before datapackage.json "
    "recorded them) the sha256 of each source document it reads; a frozen release never changes "
    "(tests/unit/releases/test_registry.py checks). 'drafts': versions being assembled, and the frozen "
    "release each was copied from."
)


class ReleaseError(RuntimeError):
    """A release operation was refused; the message says why and what to do."""


def registry_path(data_dir: Path = paths.DATA) -> Path:
    return Path(data_dir) / REGISTRY


def read_registry(data_dir: Path = paths.DATA) -> dict:
    """The registry, with empty ``frozen``/``drafts`` when there is no file yet."""
    path = registry_path(data_dir)
    if not path.exists():
        return {"about": _ABOUT, "frozen": {}, "drafts": {}}
    try:
        registry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReleaseError(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(registry, dict):
        raise ReleaseError(f"{path} must hold a JSON object")
    for key in ("frozen", "drafts"):
        if not isinstance(registry.setdefault(key, {}), dict):
            raise ReleaseError(f"{path}: {key!r} must be a JSON object")
    return registry


def write_registry(registry: dict, data_dir: Path = paths.DATA) -> None:
    registry = {**registry, "about": _ABOUT}
    write_atomic(registry_path(data_dir), json.dumps(registry, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def read_descriptor(folder: Path) -> dict:
    try:
        return json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReleaseError(f"cannot read {folder / DESCRIPTOR}: {exc}") from exc


def write_descriptor(folder: Path, descriptor: dict) -> None:
    # The house style of data/1.0.0/datapackage.json: two-space indent, UTF-8, final newline.
    write_atomic(folder / DESCRIPTOR, json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def release_files(folder: Path) -> list[str]:
    """Every file of a release folder (relative POSIX paths), the descriptor excluded; a link is refused."""
    try:
        return [rel for rel in regular_files(folder) if rel != DESCRIPTOR]
    except UnsafePathError as exc:
        raise ReleaseError(str(exc)) from exc


def resource_file(folder: Path, resource: dict) -> Path:
    """A resource's file, refused unless it is a regular file inside the release (no link, no ``..``)."""
    try:
        return safe_file(folder, str(resource["path"]))
    except UnsafePathError as exc:
        raise ReleaseError(f"resource {resource.get('name')!r}: {exc}") from exc


def check_version(version: str) -> None:
    if not VERSION_PATTERN.fullmatch(version):
        raise ReleaseError(f"release versions look like 1.2.0 (MAJOR.MINOR.PATCH); got {version!r}")


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def predecessor(version: str, data_dir: Path = paths.DATA) -> str | None:
    """The release before ``version`` in version order (None for the first)."""
    older = [v for v in available_releases(data_dir) if VERSION_PATTERN.fullmatch(v) and v != version]
    if VERSION_PATTERN.fullmatch(version):
        older = [v for v in older if version_key(v) < version_key(version)]
    return max(older, key=version_key) if older else None


def base_of(version: str, data_dir: Path = paths.DATA) -> str | None:
    """The release ``version`` was made from: as the registry records it, else the one before it."""
    registry = read_registry(data_dir)
    entry = registry["drafts"].get(version) or registry["frozen"].get(version) or {}
    base = entry.get("from") if isinstance(entry, dict) else None
    return str(base) if base else predecessor(version, data_dir)
