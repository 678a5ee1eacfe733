"""Make, check and freeze data releases: ``python -m analysis.releases.registry``.

A release is a folder ``data/<version>/`` (see :mod:`analysis.data.release`). Authors
make the next one as a *draft* copied from the last, change or add files in
it, record their hashes, and *freeze* it when the book built from it is
verified::

    python -m analysis.releases.registry new 1.1.0 --from 1.0.0   # copy 1.0.0 into a draft
    python -m analysis.releases.registry rehash 1.1.0             # record sha256/bytes of every file
    python -m analysis.releases.registry freeze 1.1.0             # never to change again
    python -m analysis.releases.registry check                    # every frozen release unchanged

``data/RELEASES.json`` is the registry. ``frozen`` maps each released version
to the sha256 of its ``datapackage.json`` (which records the sha256 of every
data file, so the one hash pins them all) and of every other file in the
folder; :func:`check_frozen` compares, so a released version cannot be edited
in place without a test failing. ``drafts`` maps each draft to the frozen
release it was copied from. A draft is only ever made from a frozen release,
so it is a plain copy: nothing upstream can change under it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

from analysis import claims, paths
from analysis.data.command import run_command
from analysis.data.errors import DataError
from analysis.data.files import UnsafePathError, regular_files, safe_file, write_atomic
from analysis.data.release import (
    DESCRIPTOR,
    REGISTRY,
    VERSION_PATTERN,
    available_releases,
    load_release,
    release_summary,
)
from analysis.data.sources import SourceError

_ABOUT = (
    "Registry of data releases (written by python -m analysis.releases.registry; see docs/updating-data.md). "
    "'frozen': for each released version, the sha256 of its datapackage.json and of every other file "
    "in its folder; a frozen release never changes (tests/unit/releases/test_registry.py checks). "
    "'drafts': versions being assembled, and the frozen release each was copied from."
)


class ReleaseError(RuntimeError):
    """A release operation was refused; the message says why and what to do."""


# --- registry -------------------------------------------------------------------


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
    registry = {"about": _ABOUT, **registry}
    write_atomic(registry_path(data_dir), json.dumps(registry, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def _write_descriptor(folder: Path, descriptor: dict) -> None:
    # The house style of data/1.0.0/datapackage.json: two-space indent, UTF-8, final newline.
    write_atomic(folder / DESCRIPTOR, json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")


def _read_descriptor(folder: Path) -> dict:
    try:
        return json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReleaseError(f"cannot read {folder / DESCRIPTOR}: {exc}") from exc


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _files(folder: Path) -> list[str]:
    """Every file of a release folder (relative POSIX paths), the descriptor excluded; a link is refused."""
    try:
        return [rel for rel in regular_files(folder) if rel != DESCRIPTOR]
    except UnsafePathError as exc:
        raise ReleaseError(str(exc)) from exc


def _resource_file(folder: Path, resource: dict) -> Path:
    """A resource's file, refused unless it is a regular file inside the release (no link, no ``..``)."""
    try:
        return safe_file(folder, str(resource["path"]))
    except UnsafePathError as exc:
        raise ReleaseError(f"resource {resource.get('name')!r}: {exc}") from exc


def _check_version(version: str) -> None:
    if not VERSION_PATTERN.fullmatch(version):
        raise ReleaseError(f"release versions look like 1.2.0 (MAJOR.MINOR.PATCH); got {version!r}")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _refuse_if_frozen(version: str, data_dir: Path, action: str) -> None:
    if version in read_registry(data_dir)["frozen"]:
        raise ReleaseError(
            f"release {version} is frozen (see {registry_path(data_dir)}); it cannot be {action}. "
            "Make a new release instead: python -m analysis.releases.registry new <next version> --from " + version
        )


# --- new ----------------------------------------------------------------------


def new_release(version: str, from_version: str, data_dir: Path = paths.DATA, echo=print) -> Path:
    """Create draft ``version`` as a copy of the frozen release ``from_version``.

    The copy's ``datapackage.json`` and README get the new version in their
    title and description, so nothing of the old release's name ships with it.
    Finishes with :func:`rehash_release`.
    """
    data_dir = Path(data_dir)
    _check_version(version)
    _check_version(from_version)
    if _version_key(version) <= _version_key(from_version):
        raise ReleaseError(f"a new release must have a higher version than {from_version}; got {version}")
    registry = read_registry(data_dir)
    if from_version not in registry["frozen"]:
        raise ReleaseError(
            f"release {from_version} is not frozen; a draft is made only from a frozen release "
            f"(frozen: {', '.join(sorted(registry['frozen'], key=_version_key)) or 'none'})"
        )
    old, new = data_dir / from_version, data_dir / version
    _refuse_if_frozen(version, data_dir, "made again")
    if new.exists():
        raise ReleaseError(f"{new} exists already; edit that draft, or remove the folder to start again")
    shutil.copytree(old, new)
    descriptor = _read_descriptor(new)
    descriptor["version"] = version
    for key in ("title", "description"):
        if isinstance(descriptor.get(key), str):
            descriptor[key] = _renamed(descriptor[key], from_version, version)
    _write_descriptor(new, descriptor)
    readme = new / "README.md"
    if readme.is_file():
        write_atomic(readme, _renamed(readme.read_text(encoding="utf-8"), from_version, version, first_line_only=True))
    registry["drafts"][version] = {"from": from_version}
    write_registry(registry, data_dir)
    rehash_release(version, data_dir, echo=echo)
    echo(f"  copied    {from_version} -> {version}; describe the changes in {readme} and data/CHANGELOG.md")
    return new


def _renamed(text: str, old: str, new: str, first_line_only: bool = False) -> str:
    """``text`` with "release <old>" made "release <new>" (in the title line only, for a README)."""
    pattern = re.compile(rf"(?i)(release\s+){re.escape(old)}\b")
    if not first_line_only:
        return pattern.sub(rf"\g<1>{new}", text)
    first, sep, rest = text.partition("\n")
    return pattern.sub(rf"\g<1>{new}", first) + sep + rest


def stale_titles(version: str, data_dir: Path = paths.DATA) -> list[str]:
    """Where a release's README title or descriptor text does not name its own version."""
    folder = Path(data_dir) / version
    problems = []
    descriptor = _read_descriptor(folder)
    # The title, and the description's opening words, say which release this is.
    for key, text in (
        ("title", str(descriptor.get("title", ""))),
        ("description", str(descriptor.get("description", ""))[:40]),
    ):
        for other in re.findall(r"(?i)release\s+(\d+\.\d+\.\d+)", text):
            if other != version:
                problems.append(f"{folder / DESCRIPTOR}: {key} names release {other}; expected {version}")
    readme = folder / "README.md"
    title = readme.read_text(encoding="utf-8").partition("\n")[0] if readme.is_file() else version
    if version not in title:
        problems.append(f"{readme}: the first line should name release {version}; got {title!r}")
    return problems


def remove_resource(version: str, name: str, data_dir: Path = paths.DATA, echo=print) -> None:
    """Drop resource ``name`` (entry and file) from draft ``version``."""
    data_dir = Path(data_dir)
    _refuse_if_frozen(version, data_dir, "changed")
    folder = data_dir / version
    descriptor = _read_descriptor(folder)
    match = [r for r in descriptor["resources"] if r["name"] == name]
    if not match:
        raise ReleaseError(f"release {version} has no resource {name!r}")
    target = _resource_file(folder, match[0])  # before anything changes: a path outside is refused
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != name]
    _write_descriptor(folder, descriptor)
    target.unlink(missing_ok=True)
    echo(f"  removed   {match[0]['path']} ({name}) from {version}")


# --- rehash ---------------------------------------------------------------------


def rehash_release(version: str, data_dir: Path = paths.DATA, echo=print) -> list[str]:
    """Record every resource's current sha256 and size; returns the names that changed."""
    data_dir = Path(data_dir)
    _refuse_if_frozen(version, data_dir, "rehashed")
    folder = data_dir / version
    descriptor = _read_descriptor(folder)
    changed = []
    for resource in descriptor.get("resources", []):
        path = _resource_file(folder, resource)
        if not path.is_file():
            raise ReleaseError(f"release {version}: resource {resource['name']!r} has no file {path}")
        content = path.read_bytes()
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        if resource.get("hash") != digest or resource.get("bytes") != len(content):
            resource["hash"], resource["bytes"] = digest, len(content)
            changed.append(resource["name"])
            echo(f"  rehashed  {resource['path']}")
    described = {r["path"] for r in descriptor.get("resources", [])}
    for rel in _files(folder):
        if rel not in described and rel != "README.md":
            echo(f"  warning   {rel} is in the folder but not described in {DESCRIPTOR}")
    _write_descriptor(folder, descriptor)
    return changed


# --- freeze and check -------------------------------------------------------------


def freeze_release(version: str, data_dir: Path = paths.DATA, echo=print) -> str:
    """Validate release ``version`` completely, then record its hashes as frozen.

    Refuses a release that does not validate, whose descriptor names another
    version, or that was frozen before with different content.
    """
    data_dir = Path(data_dir)
    folder = data_dir / version
    try:
        release = load_release(version, data_dir)
        release_summary(release)  # every file: hash, size, schema, keys
    except DataError as exc:
        raise ReleaseError(f"release {version} does not validate, so it cannot be frozen: {exc}") from exc
    if release.descriptor.get("version") != version:
        raise ReleaseError(f"{folder / DESCRIPTOR} says version {release.descriptor.get('version')!r}, not {version!r}")
    problems = stale_titles(version, data_dir)
    if problems:
        raise ReleaseError(f"release {version} still carries another release's name:\n" + "\n".join(problems))
    if "claims" in release.resource_names:
        try:  # a claim that does not hold would be frozen for good
            claims.verified_register(release, data_dir / "sources")
        except (claims.ClaimsFailed, SourceError) as exc:
            raise ReleaseError(f"release {version} cannot be frozen: {exc}") from exc
    digest = sha256_file(folder / DESCRIPTOR)
    registry = read_registry(data_dir)
    recorded = registry["frozen"].get(version)
    if recorded is not None:
        if recorded.get("datapackage_sha256") != digest:
            raise ReleaseError(
                f"release {version} was frozen with datapackage.json sha256 "
                f"{recorded.get('datapackage_sha256')}, but it is now {digest}: it was edited in place. "
                "Restore it (git checkout data/" + version + ") and make a new release for the change."
            )
        echo(f"  release {version} is already frozen (datapackage.json sha256 {digest[:12]})")
        return digest
    registry["frozen"][version] = {
        "datapackage_sha256": digest,
        "files": {rel: sha256_file(folder / rel) for rel in _files(folder)},
    }
    registry["drafts"].pop(version, None)
    write_registry(registry, data_dir)
    echo(f"  froze     {version} (datapackage.json sha256 {digest[:12]})")
    return digest


def check_frozen(data_dir: Path = paths.DATA) -> list[str]:
    """Problems with frozen releases (empty when every one is exactly as frozen)."""
    data_dir = Path(data_dir)
    problems = []
    for version, recorded in sorted(read_registry(data_dir)["frozen"].items()):
        folder = data_dir / version
        if not (folder / DESCRIPTOR).is_file():
            problems.append(f"frozen release {version}: {folder / DESCRIPTOR} is missing")
            continue
        digest = sha256_file(folder / DESCRIPTOR)
        if digest != recorded.get("datapackage_sha256"):
            problems.append(
                f"frozen release {version}: datapackage.json changed (sha256 {digest[:12]}, "
                f"frozen as {str(recorded.get('datapackage_sha256'))[:12]}; "
                f"undo it: git checkout -- {folder / DESCRIPTOR})"
            )
        files = recorded.get("files", {})
        for rel in sorted(set(files) | set(_files(folder))):
            path = folder / rel
            if rel not in files:
                problems.append(f"frozen release {version}: file {rel} was added after freezing")
            elif not path.is_file():
                problems.append(f"frozen release {version}: file {rel} is missing")
            elif sha256_file(path) != files[rel]:
                problems.append(
                    f"frozen release {version}: file {rel} was edited in place "
                    f"(undo it: git checkout -- {path}; put the change in a new release)"
                )
        # The descriptor's own hashes pin the data files even if 'files' were lost.
        for resource in _read_descriptor(folder).get("resources", []):
            try:
                path = _resource_file(folder, resource)
            except ReleaseError as exc:
                problems.append(f"frozen release {version}: {exc}")
                continue
            expected = str(resource.get("hash", "")).removeprefix("sha256:")
            if path.is_file() and sha256_file(path) != expected:
                problems.append(
                    f"frozen release {version}: {resource['path']} does not match its hash in datapackage.json"
                )
    return sorted(set(problems))


def predecessor(version: str, data_dir: Path = paths.DATA) -> str | None:
    """The release before ``version`` in version order (None for the first)."""
    older = [v for v in available_releases(data_dir) if VERSION_PATTERN.fullmatch(v) and v != version]
    if VERSION_PATTERN.fullmatch(version):
        older = [v for v in older if _version_key(v) < _version_key(version)]
    return max(older, key=_version_key) if older else None


# --- command line -------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.releases.registry", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=paths.DATA, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="create draft VERSION (a new folder) as a copy of the frozen release --from")
    new.add_argument("version")
    new.add_argument("--from", dest="from_version", required=True)
    commands.add_parser("rehash", help="record sha256/bytes of every file of a draft").add_argument("version")
    remove = commands.add_parser("remove", help="drop a resource (file and entry) from a draft")
    remove.add_argument("version")
    remove.add_argument("name")
    commands.add_parser("freeze", help="validate a release and record it as frozen").add_argument("version")
    commands.add_parser("check", help="check that every frozen release is unchanged")
    args = parser.parse_args(argv)
    return run_command(lambda: _run_registry_command(args), (ReleaseError, DataError), "release: ")


def _run_registry_command(args: argparse.Namespace) -> None:
    if args.command == "new":
        new_release(args.version, args.from_version, args.data_dir)
        print(f"Draft {args.version} is in {args.data_dir / args.version}.")
    elif args.command == "rehash":
        rehash_release(args.version, args.data_dir)
    elif args.command == "remove":
        remove_resource(args.version, args.name, args.data_dir)
    elif args.command == "freeze":
        freeze_release(args.version, args.data_dir)
    elif args.command == "check":
        problems = check_frozen(args.data_dir)
        if problems:
            raise ReleaseError("\n".join(problems))
        frozen = sorted(read_registry(args.data_dir)["frozen"])
        print(f"Frozen releases unchanged: {', '.join(frozen) or 'none frozen yet'}")


if __name__ == "__main__":
    sys.exit(main())
