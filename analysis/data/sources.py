"""The source documents in ``data/sources/``: verified reads, logged like tables.

Every datum names a phrase in one of these files, and the claims register
checks it there. A read goes through :func:`read_source`, which

* verifies the file against ``SHA256SUMS`` (a missing or altered file raises
  :class:`SourceError` naming the file and the expected hash, never a quiet
  "not found" verdict), and
* logs ``sources/<file>`` to the build's read log, so a chapter's cache key
  covers the sources it read and editing one re-executes exactly its readers.

``python -m analysis.data.sources rehash`` rewrites ``SHA256SUMS`` after a
deliberate edit; ``check`` verifies every file.

**Each release reads its own versions.** ``SHA256SUMS`` lists the working copies, which a
draft reads. Every version of a document that a release may read is also kept, named by
its content, as ``versions/<sha256><suffix>`` (``rehash`` adds the new ones; nothing is
ever removed). A frozen release records the sha256 of each document it reads (its
*pins*: ``source_documents`` in its ``datapackage.json``, written by ``registry freeze``;
for releases frozen before that, in its entry of ``data/RELEASES.json``) and reads exactly
those bytes from ``versions/``, so a paragraph added for a new release changes only the
new release's inputs. Nothing here reads git or anything outside the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from analysis import paths
from analysis.data.command import run_command
from analysis.data.files import write_atomic
from analysis.data.reads import log_input

SUMS = "SHA256SUMS"
# The prefix of a source file in the build's read log ("sources/<file>").
LOG_PREFIX = "sources/"
# Every version of every document, by content: versions/<sha256><suffix>.
VERSIONS = "versions"
# A frozen release's record of the version of each document it reads (file name -> sha256).
PINS = "source_documents"


class SourceError(Exception):
    """A source file is unknown, missing or altered; the message names it and what was expected."""


def expected_hashes(sources_dir: Path = paths.SOURCES) -> dict[str, str]:
    """File name -> sha256, from ``SHA256SUMS`` (``sha256sum`` format)."""
    sums = sources_dir / SUMS
    if not sums.is_file():
        raise SourceError(f"{sums}: missing; expected the checksum list of the source documents")
    hashes = {}
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise SourceError(f"{sums}, line {number}: expected '<sha256>  <file name>', got {line!r}")
        hashes[name] = digest
    return hashes


def known(name: str, sources_dir: Path = paths.SOURCES, pins: dict[str, str] | None = None) -> bool:
    """True when ``name`` is one of the source documents (pinned by the release, or listed in ``SHA256SUMS``)."""
    return name in (pins if pins is not None else expected_hashes(sources_dir))


def pinned(version: str, data_dir: Path = paths.DATA) -> dict[str, str] | None:
    """The sha256 of each source document release ``version`` reads; None for a release reading the working copies.

    ``source_documents`` in the release's ``datapackage.json`` (written when it was frozen), else in its
    entry of ``data/RELEASES.json`` (for the releases frozen before the descriptor recorded them).
    """
    data_dir = Path(data_dir)
    places = [(data_dir / version / "datapackage.json", ()), (data_dir / "RELEASES.json", ("frozen", version))]
    for path, keys in places:
        if not path.is_file():
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        for key in keys:
            record = record.get(key) if isinstance(record, dict) else None
        pins = record.get(PINS) if isinstance(record, dict) else None
        if pins is not None:
            if not isinstance(pins, dict):
                raise SourceError(f"{path}: {PINS!r} must map source file names to sha256 digests")
            return {str(k): str(v) for k, v in pins.items()}
    return None


def versions_read(version: str, data_dir: Path = paths.DATA) -> dict[str, str]:
    """File name -> sha256 of each source document release ``version`` reads: its pins, else the working copies'."""
    pins = pinned(version, data_dir)
    if pins is not None:
        return pins
    sums = Path(data_dir) / "sources"
    return expected_hashes(sums) if (sums / SUMS).is_file() else {}


def stored(name: str, digest: str, sources_dir: Path = paths.SOURCES) -> Path:
    """Where version ``digest`` of source document ``name`` is kept."""
    return sources_dir / VERSIONS / f"{digest}{Path(name).suffix}"


def read_source(name: str, sources_dir: Path = paths.SOURCES, pins: dict[str, str] | None = None) -> str:
    """The text of one source document, verified against its recorded sha256.

    With ``pins`` (a frozen release's), exactly the pinned version, from ``versions/``;
    without, the working copy listed in ``SHA256SUMS``.
    """
    hashes = pins if pins is not None else expected_hashes(sources_dir)
    if name not in hashes:
        raise SourceError(
            f"source file {name!r}: not one of the source documents {'this release reads' if pins else ''} "
            f"in {sources_dir} (expected one of: {', '.join(sorted(hashes))})"
        )
    path = stored(name, hashes[name], sources_dir) if pins is not None else sources_dir / name
    if not path.is_file():
        raise SourceError(f"source file {path}: missing; expected a file with sha256 {hashes[name]}")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != hashes[name]:
        if pins is not None:
            raise SourceError(f"source file {path}: altered; a stored version must hold the bytes it is named by")
        raise SourceError(
            f"source file {path}: altered; expected sha256 {hashes[name]} as in {SUMS}, got {digest}. "
            f"Undo the edit (git checkout -- {path}), "
            f"or, if it is deliberate, run `python -m analysis.data.sources rehash` and commit both files"
        )
    log_input(LOG_PREFIX + name)
    return data.decode("utf-8")


def read_digest(name: str, version: str, data_dir: Path) -> str:
    """The sha256 of the version of ``name`` that release ``version`` reads ("missing" if none): for build keys."""
    pins = pinned(version, data_dir)
    if pins is not None:
        return pins.get(name, "missing")
    path = Path(data_dir) / "sources" / name
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def working_hashes(sources_dir: Path = paths.SOURCES) -> dict[str, str]:
    """What a release freezing now pins: each listed document, verified and kept in ``versions/``."""
    if not (sources_dir / SUMS).is_file():
        return {}
    verify_all(sources_dir)
    store(sources_dir)
    return expected_hashes(sources_dir)


def store(sources_dir: Path = paths.SOURCES) -> list[str]:
    """Keep the working copy of every listed document in ``versions/`` (idempotent); the names added."""
    added = []
    for name, digest in expected_hashes(sources_dir).items():
        target = stored(name, digest, sources_dir)
        source = sources_dir / name
        content = source.read_bytes() if source.is_file() and not target.exists() else b""
        if content and hashlib.sha256(content).hexdigest() == digest:
            write_atomic(target, content)
            added.append(target.name)
    return added


def rehash(sources_dir: Path = paths.SOURCES) -> list[str]:
    """Rewrite ``SHA256SUMS`` from the files present; returns the lines written."""
    lines = [
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}"
        for p in sorted(sources_dir.iterdir())
        if p.is_file() and p.name != SUMS
    ]
    write_atomic(sources_dir / SUMS, "\n".join(lines) + "\n")
    return lines


def verify_all(sources_dir: Path = paths.SOURCES) -> None:
    """Verify every listed file and every stored version; raises :class:`SourceError` on the first problem."""
    for name in expected_hashes(sources_dir):
        read_source(name, sources_dir)
    folder = sources_dir / VERSIONS
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        named = path.name.partition(".")[0]
        if not path.name.startswith(".") and hashlib.sha256(path.read_bytes()).hexdigest() != named:
            raise SourceError(f"stored version {path}: altered; it must hold the bytes its name is the sha256 of")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.data.sources", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "rehash"])
    args = parser.parse_args(argv)
    return run_command(lambda: _check_or_rehash(args.command), SourceError, "error: ")


def _check_or_rehash(command: str) -> None:
    if command == "rehash":
        for line in rehash():
            print(line)
        for name in store():
            print(f"kept {paths.SOURCES / VERSIONS / name}")
    else:
        verify_all()
        print(f"all source documents match {paths.SOURCES / SUMS}")


if __name__ == "__main__":
    sys.exit(main())
