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
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from analysis import paths
from analysis.data.command import run_command
from analysis.data.files import write_atomic
from analysis.data.reads import log_input

SUMS = "SHA256SUMS"
# The prefix of a source file in the build's read log ("sources/<file>").
LOG_PREFIX = "sources/"


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


def known(name: str, sources_dir: Path = paths.SOURCES) -> bool:
    """True when ``name`` is one of the source documents (listed in ``SHA256SUMS``)."""
    return name in expected_hashes(sources_dir)


def read_source(name: str, sources_dir: Path = paths.SOURCES) -> str:
    """The text of one source document, verified against its recorded sha256."""
    hashes = expected_hashes(sources_dir)
    if name not in hashes:
        raise SourceError(
            f"source file {name!r}: not one of the source documents in {sources_dir} "
            f"(expected one of: {', '.join(sorted(hashes))})"
        )
    path = sources_dir / name
    if not path.is_file():
        raise SourceError(f"source file {path}: missing; expected a file with sha256 {hashes[name]}")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != hashes[name]:
        raise SourceError(
            f"source file {path}: altered; expected sha256 {hashes[name]} as in {SUMS}, got {digest}. "
            f"Undo the edit (git checkout -- {path}), "
            f"or, if it is deliberate, run `python -m analysis.data.sources rehash` and commit both files"
        )
    log_input(LOG_PREFIX + name)
    return data.decode("utf-8")


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
    """Verify every listed file; raises :class:`SourceError` on the first problem."""
    for name in expected_hashes(sources_dir):
        read_source(name, sources_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.data.sources", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "rehash"])
    args = parser.parse_args(argv)
    return run_command(lambda: _check_or_rehash(args.command), SourceError, "error: ")


def _check_or_rehash(command: str) -> None:
    if command == "rehash":
        for line in rehash():
            print(line)
    else:
        verify_all()
        print(f"all source documents match {paths.SOURCES / SUMS}")


if __name__ == "__main__":
    sys.exit(main())
