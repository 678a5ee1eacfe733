"""Make, check and freeze data releases: ``python -m analysis.releases.registry``.

A release is a folder ``data/<version>/`` (see :mod:`analysis.data.release`), made as a *draft*
copied from a frozen one, and *frozen* once verified (docs/updating-data.md walks the path)::

    python -m analysis.releases.registry new 1.3.0 --from 1.2.0   # copy 1.2.0 into a draft
    python -m analysis.releases.registry rehash 1.3.0             # record sha256/bytes of every file
    python -m analysis.releases.registry validate 1.3.0           # every check freeze makes, freezing nothing
    python -m analysis.releases.registry freeze 1.3.0             # never to change again
    python -m analysis.releases.registry check                    # every frozen release unchanged

``data/RELEASES.json`` is the registry: for each frozen release the sha256 of its
``datapackage.json`` and of every other file (:func:`check_frozen` compares them, and
:mod:`~analysis.releases.history` compares the folder with the commit that froze it), and
each draft's base. Freezing also writes the release date (``created``) and the versions of the
source documents it reads into ``datapackage.json`` (see :mod:`analysis.data.sources`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import shutil
import sys
from pathlib import Path

from analysis import paths
from analysis.data import sources
from analysis.data.command import run_command
from analysis.data.errors import DataError
from analysis.data.files import write_atomic
from analysis.data.release import DESCRIPTOR, REGISTRY
from analysis.data.sources import SourceError
from analysis.releases import history
from analysis.releases.record import (
    VERSION_PATTERN,
    ReleaseError,
    base_of,
    check_version,
    predecessor,
    read_descriptor,
    read_registry,
    registry_path,
    release_files,
    resource_file,
    sha256_file,
    version_key,
    write_descriptor,
    write_registry,
)
from analysis.releases.validation import require_freezable, stale_titles, validate_release

__all__ = [
    "REGISTRY",
    "VERSION_PATTERN",
    "ReleaseError",
    "check_frozen",
    "freeze_release",
    "new_release",
    "pin_sources",
    "predecessor",
    "read_registry",
    "rehash_release",
    "remove_resource",
    "sha256_file",
    "stale_titles",
    "validate_release",
]
# The release date, written into datapackage.json by freeze (the Data Package field for it).
CREATED = "created"


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
    check_version(version)
    check_version(from_version)
    if version_key(version) <= version_key(from_version):
        raise ReleaseError(f"a new release must have a higher version than {from_version}; got {version}")
    registry = read_registry(data_dir)
    if from_version not in registry["frozen"]:
        raise ReleaseError(
            f"release {from_version} is not frozen; a draft is made only from a frozen release "
            f"(frozen: {', '.join(sorted(registry['frozen'], key=version_key)) or 'none'})"
        )
    old, new = data_dir / from_version, data_dir / version
    _refuse_if_frozen(version, data_dir, "made again")
    if new.exists():
        raise ReleaseError(f"{new} exists already; edit that draft, or remove the folder to start again")
    shutil.copytree(old, new)
    descriptor = read_descriptor(new)
    descriptor["version"] = version
    # A draft reads the working copies of data/sources/ and gets its date when it is frozen.
    for key in (sources.PINS, CREATED):
        descriptor.pop(key, None)
    for key in ("title", "description"):
        if isinstance(descriptor.get(key), str):
            descriptor[key] = _renamed(descriptor[key], from_version, version)
    write_descriptor(new, descriptor)
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


def remove_resource(version: str, name: str, data_dir: Path = paths.DATA, echo=print) -> None:
    """Drop resource ``name`` (entry and file) from draft ``version``."""
    data_dir = Path(data_dir)
    _refuse_if_frozen(version, data_dir, "changed")
    folder = data_dir / version
    descriptor = read_descriptor(folder)
    match = [r for r in descriptor["resources"] if r["name"] == name]
    if not match:
        raise ReleaseError(f"release {version} has no resource {name!r}")
    target = resource_file(folder, match[0])  # before anything changes: a path outside is refused
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != name]
    write_descriptor(folder, descriptor)
    target.unlink(missing_ok=True)
    echo(f"  removed   {match[0]['path']} ({name}) from {version}")


# --- rehash ---------------------------------------------------------------------


def rehash_release(version: str, data_dir: Path = paths.DATA, echo=print) -> list[str]:
    """Record every resource's current sha256 and size; returns the names that changed."""
    data_dir = Path(data_dir)
    _refuse_if_frozen(version, data_dir, "rehashed")
    folder = data_dir / version
    descriptor = read_descriptor(folder)
    changed = []
    for resource in descriptor.get("resources", []):
        path = resource_file(folder, resource)
        if not path.is_file():
            raise ReleaseError(f"release {version}: resource {resource['name']!r} has no file {path}")
        content = path.read_bytes()
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        if resource.get("hash") != digest or resource.get("bytes") != len(content):
            resource["hash"], resource["bytes"] = digest, len(content)
            changed.append(resource["name"])
            echo(f"  rehashed  {resource['path']}")
    described = {r["path"] for r in descriptor.get("resources", [])}
    for rel in release_files(folder):
        if rel not in described and rel != "README.md":
            echo(f"  warning   {rel} is in the folder but not described in {DESCRIPTOR}")
    write_descriptor(folder, descriptor)
    return changed


# --- freeze and check -------------------------------------------------------------


def freeze_release(version: str, data_dir: Path = paths.DATA, echo=print) -> str:
    """Validate release ``version`` completely, then record its date, its sources and its hashes as frozen.

    Refuses a release that does not validate, whose descriptor or README names another
    version, that lacks a changelog entry or a README of its own, whose rows disagree with
    their sources, that silences a claim of its base without saying why, or that was frozen
    before with different content.
    """
    data_dir = Path(data_dir)
    folder = data_dir / version
    registry = read_registry(data_dir)
    recorded = registry["frozen"].get(version)
    if recorded is not None:
        digest = sha256_file(folder / DESCRIPTOR)
        if recorded.get("datapackage_sha256") != digest:
            raise ReleaseError(
                f"release {version} was frozen with datapackage.json sha256 "
                f"{recorded.get('datapackage_sha256')}, but it is now {digest}: it was edited in place. "
                "Restore it (git checkout data/" + version + ") and make a new release for the change."
            )
        echo(f"  release {version} is already frozen (datapackage.json sha256 {digest[:12]})")
        return digest
    require_freezable(version, data_dir)
    descriptor = read_descriptor(folder)
    descriptor[CREATED] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    descriptor[sources.PINS] = sources.working_hashes(data_dir / "sources")
    write_descriptor(folder, descriptor)
    digest = sha256_file(folder / DESCRIPTOR)
    registry["frozen"][version] = {
        "datapackage_sha256": digest,
        "files": {rel: sha256_file(folder / rel) for rel in release_files(folder)},
    }
    base = base_of(version, data_dir)
    if base:
        registry["frozen"][version]["from"] = base
    registry["drafts"].pop(version, None)
    write_registry(registry, data_dir)
    echo(f"  froze     {version} on {descriptor[CREATED]} (datapackage.json sha256 {digest[:12]})")
    return digest


def check_frozen(data_dir: Path = paths.DATA) -> list[str]:
    """Problems with frozen releases (none when each is exactly as frozen, and as the commit that froze it)."""
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
        for rel in sorted(set(files) | set(release_files(folder))):
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
        for resource in read_descriptor(folder).get("resources", []):
            try:
                path = resource_file(folder, resource)
            except ReleaseError as exc:
                problems.append(f"frozen release {version}: {exc}")
                continue
            expected = str(resource.get("hash", "")).removeprefix("sha256:")
            if path.is_file() and sha256_file(path) != expected:
                problems.append(
                    f"frozen release {version}: {resource['path']} does not match its hash in datapackage.json"
                )
        if (data_dir / "sources" / sources.SUMS).is_file() and sources.pinned(version, data_dir) is None:
            problems.append(
                f"frozen release {version}: records no versions of the source documents it reads; "
                f"record them once: python -m analysis.releases.registry pin-sources {version}"
            )
    problems += history.history_problems(data_dir)
    return sorted(set(problems))


def pin_sources(version: str, data_dir: Path = paths.DATA, echo=print) -> dict[str, str]:
    """Record, once, the source documents a release frozen before releases recorded them reads: today's versions.

    For those releases the versions they were built and checked with are the working copies
    of the commit that adds the record; the record goes in their entry of RELEASES.json,
    since their folder cannot change.
    """
    data_dir = Path(data_dir)
    registry = read_registry(data_dir)
    if version not in registry["frozen"]:
        raise ReleaseError(f"release {version} is not frozen; a draft records its sources when it is frozen")
    if sources.pinned(version, data_dir) is not None:
        raise ReleaseError(f"release {version} records its source documents already; they cannot change")
    try:
        pins = sources.working_hashes(data_dir / "sources")
    except SourceError as exc:
        raise ReleaseError(f"cannot record the sources of {version}: {exc}") from exc
    registry["frozen"][version][sources.PINS] = pins
    write_registry(registry, data_dir)
    echo(f"  recorded  {len(pins)} source documents for {version}")
    return pins


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
    commands.add_parser("validate", help="check a draft as freeze will, freezing nothing").add_argument("version")
    commands.add_parser("freeze", help="validate a release and record it as frozen").add_argument("version")
    commands.add_parser("check", help="check that every frozen release is unchanged, and as the commit that froze it")
    commands.add_parser(
        "pin-sources", help="record once which source versions a release frozen without that record reads"
    ).add_argument("version")
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
    elif args.command == "validate":
        validate_release(args.version, args.data_dir)
    elif args.command == "freeze":
        freeze_release(args.version, args.data_dir)
    elif args.command == "pin-sources":
        pin_sources(args.version, args.data_dir)
    elif args.command == "check":
        problems = check_frozen(args.data_dir)
        if problems:
            raise ReleaseError("\n".join(problems))
        frozen = sorted(read_registry(args.data_dir)["frozen"])
        print(f"Frozen releases unchanged: {', '.join(frozen) or 'none frozen yet'}")


if __name__ == "__main__":
    sys.exit(main())
